//! `scripts/package` and `scripts/install.sh`: the archive of the binaries `cargo test`
//! built, served by a local mirror, installed, verified and refused as a user's machine
//! would.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::support::{BINARIES, Server, TestEnv, bin_path, repo, stderr, stdout};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The release target `install.sh` picks on this machine.
fn target() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "x86_64-unknown-linux-musl",
        ("linux", "aarch64") => "aarch64-unknown-linux-musl",
        ("macos", "x86_64") => "x86_64-apple-darwin",
        ("macos", "aarch64") => "aarch64-apple-darwin",
        other => panic!("no release target for {other:?}"),
    }
}

fn archive_name() -> String {
    format!("cdk-toolkit-{VERSION}-{}.tar.gz", target())
}

/// The release, packaged once per run by `scripts/package` from the binaries the tests
/// use: `<dir>/v<version>/{archive, SHA256SUMS}`.
fn release() -> &'static Path {
    static RELEASE: OnceLock<tempfile::TempDir> = OnceLock::new();
    RELEASE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join(format!("v{VERSION}"));
            let built = bin_path("immukv");
            let status = Command::new(repo().join("scripts/package"))
                .args(["--target", target(), "--strip", "--bin-dir"])
                .arg(built.parent().unwrap())
                .arg("--out")
                .arg(&out)
                .status()
                .unwrap();
            assert!(status.success(), "scripts/package failed");
            dir
        })
        .path()
}

/// A mirror serving a copy of the release, as `change` leaves it.
fn mirror(change: impl FnOnce(&Path)) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let from = release().join(format!("v{VERSION}"));
    let to = dir.path().join(format!("v{VERSION}"));
    fs::create_dir(&to).unwrap();
    for name in [archive_name(), "SHA256SUMS".to_owned()] {
        fs::copy(from.join(&name), to.join(&name)).unwrap();
    }
    fs::write(dir.path().join("latest"), format!("{VERSION}\n")).unwrap();
    change(dir.path());
    let server = Server::start("static_server.py", &[dir.path().into()]);
    (server, dir)
}

fn install(env: &TestEnv, args: &[&str]) -> Output {
    env.std_cmd("sh")
        .arg(repo().join("scripts/install.sh"))
        .args(args)
        .output()
        .unwrap()
}

/// `install.sh` from `mirror`'s release into `prefix`.
fn install_from(env: &TestEnv, mirror: &Server, prefix: &Path) -> Output {
    install(
        env,
        &[
            "--base-url",
            &mirror.url(),
            "--version",
            VERSION,
            "--prefix",
            prefix.to_str().unwrap(),
        ],
    )
}

fn installed(prefix: &Path) -> Vec<String> {
    crate::support::names_in(prefix)
}

#[test]
fn the_archive_holds_what_a_release_needs() {
    let archive = release().join(format!("v{VERSION}")).join(archive_name());
    let sums = fs::read_to_string(release().join(format!("v{VERSION}/SHA256SUMS"))).unwrap();
    let listed = Command::new("tar")
        .arg("-tzf")
        .arg(&archive)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    let top = format!("cdk-toolkit-{VERSION}-{}", target());
    for name in NAMES.iter().copied().chain([
        "README.md",
        "docs/registry.md",
        "LICENSE",
        "completions/immukv.bash",
        "completions/cdk-toolkit.bash",
        "man/immukv.1",
        "man/cdk-toolkit.1",
    ]) {
        assert!(
            listed.lines().any(|l| l == format!("{top}/{name}")),
            "{name} in {listed}"
        );
    }
    assert!(
        sums.trim_end().ends_with(&format!("  {}", archive_name())),
        "{sums}"
    );
}

/// One copy of the binary in the archive: of `cdk-toolkit` and the six tools' names,
/// one is stored and the other six are hard links to it (GNU tar lists them as
/// `name link to target`), so the archive is about one compressed binary, not seven.
#[test]
fn the_archive_holds_one_binary_and_six_links_to_it() {
    let archive = release().join(format!("v{VERSION}")).join(archive_name());
    let listed = Command::new("tar")
        .arg("-tvzf")
        .arg(&archive)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    let top = format!("cdk-toolkit-{VERSION}-{}", target());
    let entry = |name: &str| {
        listed
            .lines()
            .find(|l| {
                l.ends_with(&format!(" {top}/{name}"))
                    || l.contains(&format!(" {top}/{name} link to "))
            })
            .unwrap_or_else(|| panic!("{name} in {listed}"))
    };
    let stored: Vec<&str> = NAMES
        .iter()
        .copied()
        .filter(|n| entry(n).starts_with('-'))
        .collect();
    assert_eq!(stored.len(), 1, "one copy is stored: {listed}");
    for name in NAMES.iter().copied().filter(|n| *n != stored[0]) {
        let line = format!("{top}/{name} link to {top}/{}", stored[0]);
        assert!(
            entry(name).starts_with('h') && entry(name).ends_with(&line),
            "{line} in {listed}"
        );
    }
    let size = |l: &str| {
        l.split_whitespace()
            .nth(2)
            .and_then(|n| n.parse::<u64>().ok())
    };
    let binary = size(entry(stored[0])).unwrap();
    let others: u64 = listed
        .lines()
        .filter(|l| l.starts_with('-') && *l != entry(stored[0]))
        .filter_map(size)
        .sum();
    assert!(
        others < binary,
        "no second copy: the other files add up to {others} bytes, the binary is {binary}"
    );
}

/// The names an install puts in its folder: `cdk-toolkit` and the six tools'.
const NAMES: [&str; 7] = [
    "cdk-toolkit",
    BINARIES[0],
    BINARIES[1],
    BINARIES[2],
    BINARIES[3],
    BINARIES[4],
    BINARIES[5],
];

fn sorted_names() -> Vec<String> {
    let mut names: Vec<String> = NAMES.iter().map(|s| (*s).to_owned()).collect();
    names.sort();
    names
}

/// Each installed name's inode and modification time: what tells a replaced file.
fn identities(prefix: &std::path::Path) -> Vec<(u64, i64)> {
    NAMES
        .iter()
        .map(|b| {
            let meta = fs::metadata(prefix.join(b)).unwrap();
            (meta.ino(), meta.mtime())
        })
        .collect()
}

#[test]
fn a_good_install_then_a_second_run_that_changes_nothing() {
    let (server, _dir) = mirror(|_| {});
    let env = TestEnv::new();
    let prefix = env.path().join("tools/bin");
    let args = [
        "--base-url",
        &server.url(),
        "--version",
        VERSION,
        "--prefix",
        prefix.to_str().unwrap(),
    ];
    let out = install(&env, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "installed cdk-toolkit {VERSION} ({}) into {}",
            target(),
            prefix.display()
        )) && stderr(&out).contains("is not on your PATH"),
        "{}",
        stderr(&out)
    );
    assert_eq!(installed(&prefix), sorted_names());
    let toolkit = fs::metadata(prefix.join("cdk-toolkit")).unwrap();
    for bin in NAMES {
        let path = prefix.join(bin);
        let meta = fs::metadata(&path).unwrap();
        assert_eq!(
            (meta.dev(), meta.ino()),
            (toolkit.dev(), toolkit.ino()),
            "{bin} is a hard link to cdk-toolkit"
        );
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o755
        );
        let version = Command::new(&path).arg("--version").output().unwrap();
        assert!(
            String::from_utf8_lossy(&version.stdout)
                .starts_with(&format!("{bin} {VERSION} (commit "))
        );
    }
    let before = identities(&prefix);
    // Again, this time with the latest version found at the mirror and the prefix on
    // PATH: nothing is rewritten.
    let mut on_path = TestEnv::new();
    on_path.set("HOME", env.path());
    on_path.set(
        "PATH",
        format!("{}:{}", prefix.display(), std::env::var("PATH").unwrap()),
    );
    let out = install(
        &on_path,
        &[
            "--base-url",
            &server.url(),
            "--prefix",
            prefix.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "cdk-toolkit {VERSION} is already installed in {}: nothing changed",
            prefix.display()
        )) && stderr(&out).contains("is on your PATH"),
        "{}",
        stderr(&out)
    );
    let after = identities(&prefix);
    assert_eq!(before, after, "not one file replaced");
}

#[test]
fn the_default_prefix_and_its_variable() {
    let (server, _dir) = mirror(|_| {});
    let env = TestEnv::new();
    let out = install(&env, &["--base-url", &server.url(), "--version", VERSION]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(installed(&env.path().join(".local/bin")), sorted_names());
    let mut env = TestEnv::new();
    let dir = env.path().join("elsewhere");
    env.set("CDK_TOOLKIT_INSTALL_DIR", &dir);
    env.set("CDK_TOOLKIT_BASE_URL", server.url());
    let out = install(&env, &["--version", VERSION]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(installed(&dir), sorted_names());
    assert!(!env.path().join(".local").exists());
}

/// Fails closed: one line, a non-zero exit, nothing installed.
fn refused(env: &TestEnv, args: &[&str], prefix: &Path) -> String {
    let out = install(env, args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        installed(prefix).is_empty(),
        "nothing installed: {:?}",
        installed(prefix)
    );
    err
}

#[test]
fn a_tampered_archive_or_a_missing_checksum_installs_nothing() {
    let env = TestEnv::new();
    let prefix = env.path().join("bin");
    let p = prefix.to_str().unwrap();
    let (tampered, _a) = mirror(|dir| {
        let path = dir.join(format!("v{VERSION}")).join(archive_name());
        let mut bytes = fs::read(&path).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x01;
        fs::write(path, bytes).unwrap();
    });
    let err = refused(
        &env,
        &[
            "--base-url",
            &tampered.url(),
            "--version",
            VERSION,
            "--prefix",
            p,
        ],
        &prefix,
    );
    assert!(
        err.contains(&format!("{} does not match its checksum", archive_name()))
            && err.contains("nothing was installed"),
        "{err}"
    );
    let (unsummed, _b) =
        mirror(|dir| fs::remove_file(dir.join(format!("v{VERSION}/SHA256SUMS"))).unwrap());
    let err = refused(
        &env,
        &[
            "--base-url",
            &unsummed.url(),
            "--version",
            VERSION,
            "--prefix",
            p,
        ],
        &prefix,
    );
    assert!(
        err.contains("SHA256SUMS (")
            && err.contains("): refusing to install what cannot be verified"),
        "{err}"
    );
    let (unlisted, _c) = mirror(|dir| {
        fs::write(
            dir.join(format!("v{VERSION}/SHA256SUMS")),
            "00  other.tar.gz\n",
        )
        .unwrap()
    });
    let err = refused(
        &env,
        &[
            "--base-url",
            &unlisted.url(),
            "--version",
            VERSION,
            "--prefix",
            p,
        ],
        &prefix,
    );
    assert!(
        err.contains(&format!("lists no {}", archive_name())),
        "{err}"
    );
    let (server, _d) = mirror(|_| {});
    let err = refused(
        &env,
        &[
            "--base-url",
            &server.url(),
            "--version",
            "9.9.9",
            "--prefix",
            p,
        ],
        &prefix,
    );
    assert!(
        err.contains("cannot download") && err.contains("v9.9.9"),
        "{err}"
    );
    let err = refused(
        &env,
        &[
            "--base-url",
            "http://downloads.example.com",
            "--version",
            VERSION,
            "--prefix",
            p,
        ],
        &prefix,
    );
    assert!(err.contains("use an https:// URL"), "{err}");
    let err = refused(
        &env,
        &[
            "--base-url",
            &server.url(),
            "--version",
            "1.0;rm",
            "--prefix",
            p,
        ],
        &prefix,
    );
    assert!(err.contains("is not a version"), "{err}");
}

#[test]
fn an_unsupported_platform_is_refused() {
    let mut env = TestEnv::new();
    let fake = env.write(
        "fakebin/uname",
        "#!/bin/sh\ncase \"$1\" in -s) echo SunOS ;; -m) echo sparc64 ;; esac\n",
    );
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    env.set(
        "PATH",
        format!(
            "{}:{}",
            fake.parent().unwrap().display(),
            std::env::var("PATH").unwrap()
        ),
    );
    let prefix = env.path().join("bin");
    let err = refused(
        &env,
        &["--version", VERSION, "--prefix", prefix.to_str().unwrap()],
        &prefix,
    );
    assert!(
        err.contains("no release for SunOS sparc64") && err.contains("cargo install"),
        "{err}"
    );
}

/// The rule "https, or plain http to this machine" reads the URL's host, not its
/// beginning: `http://localhost:x@HOST/` is HOST. A mirror that redirects to plain
/// http is not followed.
#[test]
fn a_url_that_hides_its_host_or_redirects_to_http_is_refused() {
    let mut env = TestEnv::new();
    let prefix = env.path().join("bin");
    let p = prefix.to_str().unwrap();
    for url in [
        "http://localhost:x@downloads.example.com/",
        "http://127.0.0.1:80@downloads.example.com",
        "http://localhost.downloads.example.com/",
        "https://user:pass@downloads.example.com/",
    ] {
        let err = refused(
            &env,
            &["--base-url", url, "--version", VERSION, "--prefix", p],
            &prefix,
        );
        assert!(err.contains("refusing to download from"), "{url}: {err}");
    }
    let (plain, _d) = mirror(|_| {});
    let tls = tempfile::tempdir().unwrap();
    let (ca, mut options) = crate::support::tls_files(tls.path());
    options.extend(["--redirect-to".into(), plain.url().into()]);
    let mut args: Vec<std::ffi::OsString> = vec![tls.path().into()];
    args.extend(options);
    let redirecting = Server::start("static_server.py", &args);
    env.set("CURL_CA_BUNDLE", &ca);
    let https = format!("https://localhost:{}", redirecting.port);
    let err = refused(
        &env,
        &["--base-url", &https, "--version", VERSION, "--prefix", p],
        &prefix,
    );
    assert!(err.contains("cannot download"), "{err}");
}

/// Where a binary goes there is a folder: refused before anything is written, the
/// folder left as it was.
#[test]
fn a_folder_where_a_binary_goes_is_refused() {
    let (server, _dir) = mirror(|_| {});
    let env = TestEnv::new();
    let prefix = env.path().join("bin");
    fs::create_dir_all(prefix.join("immukv")).unwrap();
    let out = install_from(&env, &server, &prefix);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("is a folder") && err.contains("nothing was installed"),
        "{err}"
    );
    assert_eq!(installed(&prefix), ["immukv"]);
    assert_eq!(fs::read_dir(prefix.join("immukv")).unwrap().count(), 0);
}

/// One binary cannot be replaced (even root cannot replace an immutable file): the
/// install fails with one line and every binary is the old one, not a mix.
#[test]
fn a_failure_part_way_leaves_the_old_binaries() {
    let (server, _dir) = mirror(|_| {});
    let env = TestEnv::new();
    let prefix = env.path().join("bin");
    fs::create_dir_all(&prefix).unwrap();
    for bin in BINARIES {
        fs::write(prefix.join(bin), format!("#!/bin/sh\necho old {bin}\n")).unwrap();
    }
    let last = prefix.join(BINARIES[BINARIES.len() - 1]);
    let status = Command::new("chattr")
        .arg("+i")
        .arg(&last)
        .status()
        .unwrap();
    assert!(status.success(), "chattr +i");
    let out = install_from(&env, &server, &prefix);
    let _ = Command::new("chattr").arg("-i").arg(&last).status();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    for bin in BINARIES {
        assert_eq!(
            fs::read_to_string(prefix.join(bin)).unwrap(),
            format!("#!/bin/sh\necho old {bin}\n"),
            "{bin} is the old one"
        );
    }
    assert!(
        !prefix.join("cdk-toolkit").exists(),
        "the new binary, moved in first, is taken out again"
    );
    let leftovers: Vec<String> = installed(&prefix)
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// An install made of five separate binaries (the releases before one binary) is
/// replaced by `cdk-toolkit` and six links to it; a name that later stops being a link
/// (copied over by another tool) is noticed, and the next run links it again.
#[test]
fn an_install_of_five_binaries_becomes_one_binary_and_links() {
    let (server, _dir) = mirror(|_| {});
    let env = TestEnv::new();
    let prefix = env.path().join("bin");
    fs::create_dir_all(&prefix).unwrap();
    for bin in BINARIES.iter().filter(|b| **b != "manage-registry-modules") {
        fs::write(prefix.join(bin), format!("#!/bin/sh\necho old {bin}\n")).unwrap();
    }
    let out = install_from(&env, &server, &prefix);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(installed(&prefix), sorted_names());
    let toolkit = fs::metadata(prefix.join("cdk-toolkit")).unwrap();
    assert_eq!(toolkit.nlink(), 7, "cdk-toolkit and six links");
    for bin in BINARIES {
        let out = Command::new(prefix.join(bin))
            .arg("--version")
            .output()
            .unwrap();
        assert!(
            stdout(&out).starts_with(&format!("{bin} {VERSION} (commit ")),
            "{bin}: {}",
            stdout(&out)
        );
    }

    let immukv = prefix.join("immukv");
    fs::remove_file(&immukv).unwrap();
    fs::copy(prefix.join("cdk-toolkit"), &immukv).unwrap();
    let out = install_from(&env, &server, &prefix);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("installed cdk-toolkit"),
        "a name that is no link is not an install in place: {}",
        stderr(&out)
    );
    let toolkit = fs::metadata(prefix.join("cdk-toolkit")).unwrap();
    assert_eq!(toolkit.nlink(), 7, "linked again");
    assert_eq!(fs::metadata(&immukv).unwrap().ino(), toolkit.ino());
    let leftovers: Vec<String> = installed(&prefix)
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
