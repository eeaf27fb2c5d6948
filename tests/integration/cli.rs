//! Every binary answers --help and --version; committed completions and man pages match
//! the clap definitions.

use std::os::unix::fs::MetadataExt;

use crate::support::registry::Registry;
use crate::support::{BINARIES, REGION, Recorder, Run, TestEnv, moto, stderr, stdout};

#[test]
fn every_binary_answers_help_and_version() {
    let env = TestEnv::new();
    for bin in BINARIES {
        let out = env.cmd(bin).arg("-V").output().unwrap();
        assert!(out.status.success(), "{bin} -V");
        assert_eq!(
            stdout(&out),
            format!("{bin} {}\n", env!("CARGO_PKG_VERSION"))
        );
        let out = env.cmd(bin).arg("--help").output().unwrap();
        assert!(out.status.success(), "{bin} --help");
        assert!(stdout(&out).contains("Usage:"), "{bin} --help prints usage");
    }
}

/// One binary, six names: a tool started by its own name (the hard link the release
/// installs) and as `cdk-toolkit TOOL` is the same program, byte for byte: help,
/// version, usage errors, real failures and their exit codes. A name in another case
/// or with `.exe` (as Windows starts it) is the tool too, and a copy named
/// `terraform-credentials-NAME` is the helper.
#[test]
fn every_tool_is_the_same_under_its_name_and_under_cdk_toolkit() {
    let env = TestEnv::new();
    let outcome = |out: std::process::Output| (out.status.code(), stdout(&out), stderr(&out));
    for tool in BINARIES {
        let runs: [&[&str]; 6] = [
            &["--help"],
            &["--version"],
            &["-V"],
            &["--no-such-flag"],
            &[],
            &["--region", "nowhere!", "--help"],
        ];
        for args in runs {
            let direct = outcome(env.cmd(tool).args(args).output().unwrap());
            let via = outcome(
                env.cmd("cdk-toolkit")
                    .arg(tool)
                    .args(args)
                    .output()
                    .unwrap(),
            );
            assert_eq!(direct, via, "{tool} {args:?}");
        }
    }
    // The same failure (no credentials) says the same, named as the tool.
    let direct = outcome(
        env.cmd("immukv")
            .args(["--bucket", "b", "get", "k"])
            .output()
            .unwrap(),
    );
    let via = outcome(
        env.cmd("cdk-toolkit")
            .args(["immukv", "--bucket", "b", "get", "k"])
            .output()
            .unwrap(),
    );
    assert_eq!(direct, via);
    assert!(direct.2.starts_with("immukv: "), "{}", direct.2);

    // Beside the binary, so that hard links can be made whatever the temporary folder's
    // file system.
    let toolkit = crate::support::bin_path("cdk-toolkit");
    let copies = tempfile::tempdir_in(toolkit.parent().unwrap()).unwrap();
    for (name, expect) in [
        ("IMMUKV", "immukv "),
        ("Api-Key.exe", "api-key "),
        (
            "terraform-credentials-test",
            "terraform-credentials-aws-credstore ",
        ),
    ] {
        let copy = copies.path().join(name);
        std::fs::hard_link(&toolkit, &copy).unwrap();
        let out = env.std_cmd(&copy).arg("-V").output().unwrap();
        assert!(stdout(&out).starts_with(expect), "{name}: {}", stdout(&out));
    }
    let err = env.cmd("cdk-toolkit").arg("no-such-tool").fails(2);
    assert!(err.starts_with("cdk-toolkit: "), "{err}");
}

/// `cdk-toolkit link --dir DIR` (after `cargo install`, which installs only
/// `cdk-toolkit`) makes the six names as hard links to it, replacing what was there
/// (an older binary of the same name); a second run changes nothing; a folder where a
/// name goes is refused with one line before anything is made.
#[test]
fn link_makes_the_six_names_once() {
    let env = TestEnv::new();
    let toolkit = crate::support::bin_path("cdk-toolkit");
    let dir = tempfile::tempdir_in(toolkit.parent().unwrap()).unwrap();
    std::fs::write(dir.path().join("immukv"), "#!/bin/sh\necho old\n").unwrap();
    let link = || {
        env.cmd("cdk-toolkit")
            .args(["link", "--dir"])
            .arg(dir.path())
            .says()
    };
    let err = link();
    assert!(
        err.starts_with("cdk-toolkit: note: linked get-registry-token, "),
        "{err}"
    );
    let me = std::fs::metadata(&toolkit).unwrap();
    for tool in BINARIES {
        let meta = std::fs::metadata(dir.path().join(tool)).unwrap();
        assert_eq!((meta.dev(), meta.ino()), (me.dev(), me.ino()), "{tool}");
    }
    let err = link();
    assert!(
        err.contains("already holds the six names: nothing changed"),
        "{err}"
    );

    let blocked = tempfile::tempdir_in(toolkit.parent().unwrap()).unwrap();
    std::fs::create_dir(blocked.path().join("api-key")).unwrap();
    let err = env
        .cmd("cdk-toolkit")
        .args(["link", "--dir"])
        .arg(blocked.path())
        .fails(1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("api-key"), "{err}");
    let left: Vec<_> = std::fs::read_dir(blocked.path())
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(left.len(), 1, "nothing made: {left:?}");
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    for bin in BINARIES {
        let out = env.cmd(bin).arg("--no-such-flag").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bin}");
        assert!(out.stdout.is_empty(), "{bin} printed on stdout");
    }
}

/// Completions and man pages are generated from the clap definitions and committed.
/// `REGENERATE=1 cargo test --test integration generated_files_are_current` rewrites them.
#[test]
fn generated_files_are_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let regenerate = std::env::var_os("REGENERATE").is_some();
    let mut stale = Vec::new();
    let files = cdk_toolkit::app::generated_files();
    assert!(
        files.len() >= 5 * 5,
        "completions for 4 shells and man pages for 5 binaries"
    );
    for (rel, bytes) in &files {
        let path = root.join(rel);
        if std::fs::read(&path).ok().as_deref() != Some(bytes.as_slice()) {
            if regenerate {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, bytes).unwrap();
            } else {
                stale.push(rel.clone());
            }
        }
    }
    for dir in ["completions", "man"] {
        for entry in std::fs::read_dir(root.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if !files.iter().any(|(r, _)| *r == rel) {
                if regenerate {
                    std::fs::remove_file(entry.path()).unwrap();
                } else {
                    stale.push(format!("{rel} (no longer generated)"));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; regenerate with `REGENERATE=1 cargo test --test integration generated_files_are_current`"
    );
}

/// Without credentials, every binary says so in one line, names what it tried and what to
/// do -- also where instance metadata refuses (off EC2) instead of being turned off.
#[test]
fn missing_credentials_say_what_to_do_in_every_binary() {
    let endpoint = Registry::start();
    let imds = Recorder::refusing("403 Forbidden");
    let url = endpoint.url();
    let host = "registry.example.com";
    for imds_refuses in [false, true] {
        let mut env = TestEnv::new();
        env.set("AWS_REGION", REGION)
            .set("AWS_ENDPOINT_URL", moto());
        if imds_refuses {
            env.set("AWS_EC2_METADATA_DISABLED", "false").set(
                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                format!("http://127.0.0.1:{}", imds.port),
            );
        }
        let runs: [(&str, &[&str]); 5] = [
            (
                "get-registry-token",
                &["token", "-r", host, "--registry-url", &url],
            ),
            (
                "get-registry-token",
                &["credentials-helper", "--registry-url", &url, "get", host],
            ),
            ("manage-registry-permissions", &["list"]),
            ("immukv", &["--bucket", "b", "get", "k"]),
            ("api-key", &["get", "--stack", "s"]),
        ];
        for (bin, args) in runs {
            let err = env.cmd(bin).args(args).fails(2);
            assert!(
                err.contains("no AWS credentials found for profile \"default\"")
                    && err.contains("aws sso login")
                    && !err.contains("IMDS"),
                "{bin} {args:?}: {err}"
            );
        }
        let out = env
            .cmd("install-registry-credentials-helper")
            .args(["--registry-host", host, "--registry-url", &url])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("no AWS credentials found"),
            "{}",
            stderr(&out)
        );
    }
    assert!(
        !imds.received().is_empty(),
        "the refusing instance metadata endpoint was asked"
    );
    assert_eq!(endpoint.stats().0, 0, "nothing was sent unsigned");
}

/// `--version` says the version, the commit and the target (for bug reports); `-V` the
/// version alone, as the man pages do.
#[test]
fn version_names_the_commit_and_the_target() {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let env = TestEnv::new();
    for bin in crate::support::BINARIES {
        let long = env.cmd(bin).arg("--version").succeeds();
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            long.starts_with(&format!("{bin} {version} (commit ")),
            "{long}"
        );
        assert!(
            long.trim_end()
                .ends_with(&format!(", {}-{})", std::env::consts::ARCH, target_rest())),
            "{long}"
        );
        if let Some(commit) = &commit {
            assert!(long.contains(&format!("(commit {commit}, ")), "{long}");
        }
        assert_eq!(
            env.cmd(bin).arg("-V").succeeds(),
            format!("{bin} {version}\n")
        );
    }
}

/// The target triple after its architecture, for this machine.
fn target_rest() -> &'static str {
    match std::env::consts::OS {
        "linux" => "unknown-linux-gnu",
        "macos" => "apple-darwin",
        other => other,
    }
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The headings of a Markdown file (outside code blocks), as anchors.
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut found = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            found.push(anchor(line.trim_start_matches('#')));
        }
    }
    found
}

/// Every relative link of the README, the guides and CONTRIBUTING.md names a file that
/// exists and, with a #fragment, a heading in it: the pages link to each other.
#[test]
fn the_documentation_links_resolve() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md"), root.join("CONTRIBUTING.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap().flatten() {
        pages.push(entry.path());
    }
    let mut broken = Vec::new();
    let mut links = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for (_, rest) in text.match_indices("](").map(|(i, _)| text.split_at(i + 2)) {
            let target = &rest[..rest.find(')').unwrap_or(0)];
            if target.contains("://") || target.is_empty() {
                continue;
            }
            links += 1;
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let file = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            let Ok(linked) = std::fs::read_to_string(&file) else {
                broken.push(format!("{}: {target}", page.display()));
                continue;
            };
            if !fragment.is_empty() && !anchors(&linked).iter().any(|a| a == fragment) {
                broken.push(format!("{}: {target} (no such heading)", page.display()));
            }
        }
    }
    assert!(links >= 20, "{links} links read");
    assert!(broken.is_empty(), "{broken:#?}");
}
