//! `scripts/package` on a fresh machine: one with rustup and the Debian base but no musl
//! target and no musl C compiler. The machine is a PATH: every tool of this one except
//! the toolchain's, which are stand-ins that record what they are asked (`rustup`,
//! `apt-get`, `sudo`, `id`, `uname`, and `cargo`, which "builds" by copying the binary
//! `cargo test` built). What the script installs, it installs through them.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output};

use crate::support::{bin_path, names_in, repo, stderr};

/// The tools a fresh machine lacks or that the stand-ins replace.
const REPLACED: &[&str] = &[
    "rustup",
    "cargo",
    "rustc",
    "apt-get",
    "sudo",
    "id",
    "uname",
    "musl-gcc",
    "x86_64-linux-musl-gcc",
    "aarch64-linux-musl-gcc",
];

struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    /// A Linux x86_64 machine where the script runs as `uid`, `sudo` works or not.
    fn new(uid: u32, sudo: bool) -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        fs::create_dir(&bin).unwrap();
        let path = std::env::var_os("PATH").unwrap();
        for folder in std::env::split_paths(&path) {
            let Ok(entries) = fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let link = bin.join(&name);
                if REPLACED.iter().any(|r| name == *r) || link.exists() {
                    continue;
                }
                let _ = std::os::unix::fs::symlink(entry.path(), link);
            }
        }
        fs::write(dir.path().join("targets"), "x86_64-unknown-linux-gnu\n").unwrap();
        let log = dir.path().join("log");
        let state = dir.path().display().to_string();
        let fakes = [
            ("id", format!("[ \"$1\" = -u ] && echo {uid}\n")),
            (
                "uname",
                "case \"$1\" in -s) echo Linux ;; -m) echo x86_64 ;; *) echo Linux ;; esac\n"
                    .to_owned(),
            ),
            (
                "rustup",
                format!(
                    "echo \"rustup $*\" >>{log}\n\
                     case \"$1 $2\" in\n\
                     'target list') cat {state}/targets ;;\n\
                     'target add') [ -e {state}/offline ] && {{ echo 'error: could not download' >&2; exit 1; }}\n\
                     \x20 echo \"$3\" >>{state}/targets ;;\n\
                     esac\n",
                    log = log.display()
                ),
            ),
            (
                "apt-get",
                format!(
                    "echo \"apt-get $*\" >>{log}\n\
                     for p in \"$@\"; do\n\
                     \x20 [ \"$p\" = musl-tools ] && printf '#!/bin/sh\\nexit 0\\n' >{bin}/musl-gcc && chmod 755 {bin}/musl-gcc\n\
                     done\nexit 0\n",
                    log = log.display(),
                    bin = bin.display()
                ),
            ),
            (
                "sudo",
                if sudo {
                    format!(
                        "[ \"$1\" = -n ] && shift\necho \"sudo $*\" >>{}\n\"$@\"\n",
                        log.display()
                    )
                } else {
                    "echo 'sudo: a password is required' >&2; exit 1\n".to_owned()
                },
            ),
            (
                "cargo",
                format!(
                    "echo \"cargo $*\" >>{log}\n\
                     while [ $# -gt 0 ]; do [ \"$1\" = --target ] && t=$2; shift; done\n\
                     mkdir -p \"$CARGO_TARGET_DIR/$t/release\"\n\
                     cp {built} \"$CARGO_TARGET_DIR/$t/release/cdk-toolkit\"\n",
                    log = log.display(),
                    built = bin_path("immukv").display()
                ),
            ),
        ];
        for (name, body) in fakes {
            let file = bin.join(name);
            fs::write(&file, format!("#!/bin/sh\n{body}")).unwrap();
            fs::set_permissions(&file, fs::Permissions::from_mode(0o755)).unwrap();
        }
        Machine { dir }
    }

    fn offline(&self) {
        fs::write(self.dir.path().join("offline"), "").unwrap();
    }

    fn has_target(&self, target: &str) {
        let file = self.dir.path().join("targets");
        let mut list = fs::read_to_string(&file).unwrap();
        list.push_str(target);
        list.push('\n');
        fs::write(file, list).unwrap();
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("dist")
    }

    /// `scripts/package ARGS --out <machine>/dist` on this machine.
    fn package(&self, args: &[&str]) -> Output {
        let _ = fs::remove_file(self.dir.path().join("log"));
        Command::new(repo().join("scripts/package"))
            .args(args)
            .arg("--out")
            .arg(self.out())
            .env_clear()
            .env("PATH", self.dir.path().join("bin"))
            .env("HOME", self.dir.path())
            .env("CARGO_TARGET_DIR", self.dir.path().join("target"))
            .output()
            .unwrap()
    }

    /// What the stand-ins were asked, one call per line.
    fn calls(&self) -> Vec<String> {
        fs::read_to_string(self.dir.path().join("log"))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.starts_with("rustup target list"))
            .map(str::to_owned)
            .collect()
    }
}

/// The one line the script says when it stops (besides its progress lines and what
/// the tools it ran printed), exit 1.
fn refusal(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(1), "{}", stderr(output));
    let err = stderr(output);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("package: ") && !l.ends_with(" ..."))
        .collect();
    assert_eq!(lines.len(), 1, "one line, got: {err}");
    assert!(
        err.ends_with(&format!("{}\n", lines[0])),
        "the last line: {err}"
    );
    lines[0].to_owned()
}

#[test]
fn with_no_flags_a_fresh_machine_gets_the_target_and_musl_then_the_archive() {
    let machine = Machine::new(0, false);
    let output = machine.package(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let target = "x86_64-unknown-linux-musl";
    let calls = machine.calls();
    assert_eq!(calls[0], format!("rustup target add {target}"), "{calls:?}");
    assert!(calls[1].starts_with("apt-get update"), "{calls:?}");
    assert!(
        calls[2].starts_with("apt-get install") && calls[2].ends_with(" musl-tools"),
        "{calls:?}"
    );
    assert_eq!(
        calls[3..],
        [format!(
            "cargo build --release --locked --target {target} --bin cdk-toolkit"
        )],
        "{calls:?}"
    );
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        names_in(&machine.out()),
        [
            "SHA256SUMS".to_owned(),
            format!("cdk-toolkit-{version}-{target}.tar.gz")
        ]
    );

    // Now the machine can: a second run installs nothing and only builds.
    let again = machine.package(&[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        machine.calls(),
        [format!(
            "cargo build --release --locked --target {target} --bin cdk-toolkit"
        )]
    );
}

#[test]
fn a_user_with_sudo_gets_musl_through_it() {
    let machine = Machine::new(1000, true);
    machine.has_target("x86_64-unknown-linux-musl");
    let output = machine.package(&["--toolchain-only"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let calls = machine.calls();
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with("sudo ") && c.contains(" apt-get install ")),
        "{calls:?}"
    );
    assert!(
        !calls.iter().any(|c| c.starts_with("cargo")),
        "--toolchain-only built: {calls:?}"
    );
    assert!(stderr(&output).contains("this machine can build x86_64-unknown-linux-musl"));
}

#[test]
fn what_cannot_be_installed_is_named_in_one_line_and_nothing_is_built() {
    // No root, no sudo: musl-tools is named.
    let machine = Machine::new(1000, false);
    machine.has_target("x86_64-unknown-linux-musl");
    let line = refusal(&machine.package(&[]));
    assert!(
        line.starts_with("package: ") && line.contains("install musl-tools"),
        "{line}"
    );
    assert!(machine.calls().is_empty(), "{:?}", machine.calls());

    // rustup cannot download the target: the command to run is named.
    let machine = Machine::new(0, false);
    machine.offline();
    let line = refusal(&machine.package(&[]));
    assert!(
        line.contains("rustup target add x86_64-unknown-linux-musl"),
        "{line}"
    );
    assert_eq!(
        machine.calls(),
        ["rustup target add x86_64-unknown-linux-musl"]
    );

    // Targets this machine cannot build, each named with where to build it.
    let machine = Machine::new(0, false);
    for (target, says) in [
        ("aarch64-unknown-linux-musl", "aarch64-linux-musl-gcc"),
        ("aarch64-apple-darwin", "built on macOS"),
        ("x86_64-pc-windows-msvc", "x86_64-pc-windows-gnu"),
    ] {
        machine.has_target(target);
        let line = refusal(&machine.package(&["--target", target]));
        assert!(line.contains(says), "{target}: {line}");
        assert!(
            machine.calls().is_empty(),
            "{target}: {:?}",
            machine.calls()
        );
    }
    assert!(names_in(&machine.out()).is_empty());
}
