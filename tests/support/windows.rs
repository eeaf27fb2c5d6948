//! The Windows build, run under Wine: `cdk-toolkit.exe` cross-built once per run
//! (x86_64-pc-windows-gnu), installed with its six names (`cdk-toolkit link`, as a
//! user would) in a throw-away Wine prefix, and commands run there as a Windows user
//! runs them, against the Linux-side emulator and registry stand-ins.
//!
//! Wine keeps one profile and one `%APPDATA%` per prefix (it ignores USERPROFILE and
//! APPDATA from outside), so the tests take turns: a [`Session`] holds the prefix
//! alone and starts from an empty profile (no `.cdk`, `.aws`, Terraform files).

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};

use super::{ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, moto, repo, stderr};

/// Debian's 64-bit Wine loader.
pub(crate) const WINE: &str = "/usr/lib/wine/wine64";
const TARGET: &str = "x86_64-pc-windows-gnu";

/// The prefix and the installed binaries.
pub(crate) struct Windows {
    /// The cross-built `cdk-toolkit.exe` (Linux path).
    pub(crate) exe: PathBuf,
    prefix: PathBuf,
    /// The Linux path of `C:\cdk\bin`, where `cdk-toolkit.exe` and its names are.
    bin: PathBuf,
    /// The Windows user's profile folder (`C:\users\<name>`), as a Linux path.
    profile: PathBuf,
    turn: Mutex<()>,
}

/// `path` as a Windows program names it: the Unix file system is drive `Z:`.
pub(crate) fn win_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

fn check(what: &str, out: std::io::Result<Output>) -> Output {
    let out = out.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({:?}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    out
}

/// The environment every Wine process of `prefix` runs with: nothing from the
/// developer's shell, Wine quiet, no Mono or Gecko installs.
fn wine_command(prefix: &Path, program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(WINE);
    cmd.arg(program);
    cmd.env_clear();
    cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    cmd.env("HOME", prefix.parent().expect("prefix parent"));
    cmd.env("WINEPREFIX", prefix);
    cmd.env("WINEDEBUG", "-all");
    cmd.env("WINEDLLOVERRIDES", "mscoree,mshtml=");
    cmd
}

/// The one prefix of this run, made on first use: tools installed if missing
/// (`scripts/windows-toolchain`), the binary built, the prefix booted.
pub(crate) fn windows() -> &'static Windows {
    static WINDOWS: OnceLock<Windows> = OnceLock::new();
    WINDOWS.get_or_init(|| {
        let repo = repo();
        check(
            "scripts/windows-toolchain",
            Command::new(repo.join("scripts/windows-toolchain")).output(),
        );
        let target_dir = repo.join("target/windows");
        // No debug information: the binary is copied around (the helper install), and
        // a panic's message is what the tests read.
        check(
            "cargo build --target x86_64-pc-windows-gnu",
            Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
                .current_dir(repo)
                .args([
                    "build",
                    "--locked",
                    "--target",
                    TARGET,
                    "--bin",
                    "cdk-toolkit",
                ])
                .env("CARGO_TARGET_DIR", &target_dir)
                .env("CARGO_PROFILE_DEV_DEBUG", "false")
                .env("CARGO_PROFILE_DEV_STRIP", "debuginfo")
                .output(),
        );
        let exe = target_dir.join(TARGET).join("debug/cdk-toolkit.exe");

        // Wine 8 has no bcryptprimitives.dll, whose ProcessPrng the Rust standard
        // library calls for randomness (Windows 10 and later have it): a small stand-in
        // built with MinGW goes into the prefix's system32.
        let wine_dir = target_dir.join("wine");
        fs::create_dir_all(&wine_dir).expect("target/windows/wine");
        let shim = wine_dir.join("bcryptprimitives.dll");
        let source = repo.join("tests/support/wine/bcryptprimitives.c");
        let def = wine_dir.join("bcryptprimitives.def");
        fs::write(&def, "LIBRARY bcryptprimitives\nEXPORTS\n    ProcessPrng\n").expect("def");
        check(
            "x86_64-w64-mingw32-gcc bcryptprimitives.c",
            Command::new("x86_64-w64-mingw32-gcc")
                .args(["-shared", "-O2", "-o"])
                .arg(&shim)
                .arg(&source)
                .arg(&def)
                .arg("-ladvapi32")
                .output(),
        );

        // A prefix of this run's own; earlier runs' are removed.
        for old in fs::read_dir(&wine_dir).into_iter().flatten().flatten() {
            if old.file_name().to_string_lossy().starts_with("run-") {
                let _ = fs::remove_dir_all(old.path());
            }
        }
        let run = wine_dir.join(format!("run-{}", std::process::id()));
        let prefix = run.join("prefix");
        fs::create_dir_all(&run).expect("run folder");
        check(
            "wineboot",
            wine_command(&prefix, "wineboot").arg("-i").output(),
        );
        fs::copy(
            &shim,
            prefix.join("drive_c/windows/system32/bcryptprimitives.dll"),
        )
        .expect("install the ProcessPrng stand-in");
        let user = fs::read_dir(prefix.join("drive_c/users"))
            .expect("users")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n != "Public")
            .expect("a Wine user");
        let bin = prefix.join("drive_c/cdk/bin");
        fs::create_dir_all(&bin).expect("C:\\cdk\\bin");
        fs::copy(&exe, bin.join("cdk-toolkit.exe")).expect("copy cdk-toolkit.exe");
        check(
            "cdk-toolkit link",
            wine_command(&prefix, bin.join("cdk-toolkit.exe"))
                .arg("link")
                .output(),
        );
        Windows {
            exe,
            profile: prefix.join("drive_c/users").join(user),
            prefix,
            bin,
            turn: Mutex::new(()),
        }
    })
}

impl Windows {
    /// The prefix alone, with a fresh profile.
    pub(crate) fn session(&self) -> Session<'_> {
        let turn = self
            .turn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let appdata = self.profile.join("AppData/Roaming");
        for path in [
            self.profile.join(".cdk"),
            self.profile.join(".aws"),
            appdata.join("terraform.d"),
        ] {
            let _ = fs::remove_dir_all(path);
        }
        for path in [appdata.join("terraform.rc"), appdata.join("tofu.rc")] {
            let _ = fs::remove_file(path);
        }
        Session {
            windows: self,
            _turn: turn,
            vars: Vec::new(),
            scratch: tempfile::tempdir().expect("scratch"),
        }
    }
}

/// One test's turn at the prefix.
pub(crate) struct Session<'a> {
    windows: &'a Windows,
    _turn: MutexGuard<'a, ()>,
    vars: Vec<(String, OsString)>,
    /// A Linux folder for the test's own files (`Z:\...` to Windows programs).
    pub(crate) scratch: tempfile::TempDir,
}

impl Session<'_> {
    pub(crate) fn set(&mut self, name: &str, value: impl Into<OsString>) -> &mut Self {
        self.vars.retain(|(n, _)| n != name);
        self.vars.push((name.to_owned(), value.into()));
        self
    }

    /// Static test credentials and a region, AWS calls going to the emulator.
    pub(crate) fn with_aws(&mut self) -> &mut Self {
        self.set("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
        self.set("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
        self.set("AWS_REGION", REGION);
        self.set("AWS_ENDPOINT_URL", moto())
    }

    /// The user's profile folder (`%USERPROFILE%`), as a Linux path.
    pub(crate) fn profile(&self) -> &Path {
        &self.windows.profile
    }

    /// `%APPDATA%`, as a Linux path.
    pub(crate) fn appdata(&self) -> PathBuf {
        self.windows.profile.join("AppData/Roaming")
    }

    /// `tool` (`cdk-toolkit` or one of its six names), run as a Windows program.
    pub(crate) fn cmd(&self, tool: &str) -> Command {
        self.program(self.windows.bin.join(format!("{tool}.exe")))
    }

    /// Any Windows program (a path in the prefix, or a name such as `cmd`).
    pub(crate) fn program(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = wine_command(&self.windows.prefix, program);
        let aws = self.scratch.path().join("aws");
        cmd.env("AWS_CONFIG_FILE", win_path(&aws.join("config")));
        cmd.env(
            "AWS_SHARED_CREDENTIALS_FILE",
            win_path(&aws.join("credentials")),
        );
        cmd.env("AWS_EC2_METADATA_DISABLED", "true");
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        cmd
    }

    /// Run `tool`; it must exit 0. Its stdout.
    pub(crate) fn ok(&self, tool: &str, args: &[&str]) -> String {
        let out = check(
            &format!("{tool} {args:?}"),
            self.cmd(tool).args(args).output(),
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run `tool` with `args`: its output, whatever the exit.
    pub(crate) fn run(&self, tool: &str, args: &[&str]) -> Output {
        self.cmd(tool).args(args).output().expect("run under Wine")
    }
}
