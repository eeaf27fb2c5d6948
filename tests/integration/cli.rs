//! Every binary answers --help and --version; committed completions and man pages match
//! the clap definitions.

use crate::support::{BINARIES, TestEnv, stdout};

#[test]
fn every_binary_answers_help_and_version() {
    let env = TestEnv::new();
    for bin in BINARIES {
        let out = env.cmd(bin).arg("--version").output().unwrap();
        assert!(out.status.success(), "{bin} --version");
        assert_eq!(
            stdout(&out),
            format!("{bin} {}\n", env!("CARGO_PKG_VERSION"))
        );
        let out = env.cmd(bin).arg("--help").output().unwrap();
        assert!(out.status.success(), "{bin} --help");
        assert!(stdout(&out).contains("Usage:"), "{bin} --help prints usage");
    }
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
