//! install-registry-credentials-helper where the world is not tidy: installs running at
//! once, an install that fails part-way, CLI configs and targets that are not regular
//! files, other tools' secrets in the files it edits, settings it cannot read.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Run, TestEnv, bin_path, run_within, spawn_all, stderr, stdout};

const INSTALLER: &str = "install-registry-credentials-helper";

fn helper_path(env: &TestEnv) -> PathBuf {
    env.path()
        .join(".terraform.d/plugins/terraform-credentials-aws-credstore")
}

fn settings(env: &TestEnv) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(env.path().join(".cdk/registries.json")).unwrap())
        .unwrap()
}

/// An install of host `hN.example.test` with profile `pN`, no check.
fn install_n(env: &TestEnv, n: usize, rc: Option<&Path>) -> Command {
    let mut cmd = env.std_cmd(bin_path(INSTALLER));
    cmd.args([
        "--registry-host",
        &format!("h{n}.example.test"),
        "--profile",
        &format!("p{n}"),
        "--registry-url",
        &format!("https://localhost:900{n}/"),
        "--no-check",
    ]);
    if let Some(rc) = rc {
        cmd.arg("--rc-file").arg(rc);
    }
    cmd
}

/// Five installs at once, with one HOME: every one succeeds, and the settings file and
/// the CLI config both hold all five hosts, each with its own profile. The same with a
/// CLI config each.
#[test]
fn installs_run_at_once_all_succeed_and_record_every_host() {
    for separate_configs in [false, true] {
        let env = TestEnv::with_aws();
        let rcs: Vec<PathBuf> = (1..=5)
            .map(|n| env.path().join(format!("rc-{n}.tfrc")))
            .collect();
        let outs = spawn_all(
            (1..=5).map(|n| install_n(&env, n, separate_configs.then(|| rcs[n - 1].as_path()))),
        );
        for out in &outs {
            assert!(out.status.success(), "{}", stderr(out));
        }
        let recorded = settings(&env);
        for n in 1..=5 {
            assert_eq!(
                recorded["registries"][format!("h{n}.example.test")]["profile"],
                format!("p{n}"),
                "{recorded}"
            );
        }
        if !separate_configs {
            let rc = fs::read_to_string(env.path().join(".terraformrc")).unwrap();
            assert_eq!(rc.matches("credentials_helper \"").count(), 1, "{rc}");
            for n in 1..=5 {
                assert!(rc.contains(&format!("\"h{n}.example.test\"")), "{rc}");
            }
        }
    }
}

/// A file that cannot be replaced, even by root: `chattr +i`.
struct Immutable(PathBuf);

impl Immutable {
    fn new(path: &Path) -> Self {
        let status = Command::new("chattr").arg("+i").arg(path).status().unwrap();
        assert!(status.success(), "chattr +i {}", path.display());
        Self(path.to_owned())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

/// The CLI config cannot be replaced (the last step of an install): the install fails
/// with one line, and leaves neither file changed and no helper behind.
#[test]
fn an_install_that_fails_part_way_changes_nothing() {
    let env = TestEnv::with_aws();
    let rc = env.write(".terraformrc", "plugin_cache_dir = \"/tmp\"\n");
    let _pinned = Immutable::new(&rc);
    let out = install_n(&env, 1, None).output().unwrap();
    let err = stderr(&out);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(".terraformrc"), "{err}");
    assert!(
        !env.path().join(".cdk/registries.json").exists(),
        "no settings written"
    );
    assert!(
        fs::symlink_metadata(helper_path(&env)).is_err(),
        "no helper behind"
    );
    assert_eq!(
        fs::read_to_string(&rc).unwrap(),
        "plugin_cache_dir = \"/tmp\"\n"
    );

    // An existing install: a failing second one leaves the first as it was.
    let env = TestEnv::with_aws();
    install_n(&env, 1, None).output().unwrap();
    let before = fs::read_to_string(env.path().join(".cdk/registries.json")).unwrap();
    let rc = env.path().join(".terraformrc");
    let rc_before = fs::read_to_string(&rc).unwrap();
    let _pinned = Immutable::new(&rc);
    let out = install_n(&env, 2, None).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(
        fs::read_to_string(env.path().join(".cdk/registries.json")).unwrap(),
        before
    );
    assert_eq!(fs::read_to_string(&rc).unwrap(), rc_before);
}

/// What `kind` makes at `path`: a character device (as /dev/null is), a FIFO or a folder.
fn make_special(kind: &str, path: &Path) {
    let status = match kind {
        "char" => Command::new("mknod")
            .arg(path)
            .args(["c", "1", "3"])
            .status(),
        "fifo" => Command::new("mkfifo").arg(path).status(),
        "dir" => Command::new("mkdir").arg(path).status(),
        _ => unreachable!(),
    }
    .unwrap();
    assert!(status.success(), "make a {kind} at {}", path.display());
}

fn is_kind(kind: &str, path: &Path) -> bool {
    let t = fs::symlink_metadata(path).unwrap().file_type();
    match kind {
        "char" => t.is_char_device(),
        "fifo" => t.is_fifo(),
        "dir" => t.is_dir(),
        _ => unreachable!(),
    }
}

/// TF_CLI_CONFIG_FILE naming a character device, a FIFO or a folder: the installer and
/// the doctor neither replace it nor wait on it; the installer refuses with one line and
/// changes nothing. /dev/null itself (a common way to make Terraform ignore CLI config)
/// is left a device.
#[test]
fn a_cli_config_that_is_not_a_regular_file_is_refused_and_left_alone() {
    for kind in ["char", "fifo", "dir"] {
        let mut env = TestEnv::with_aws();
        let config = env.path().join("special.tfrc");
        make_special(kind, &config);
        env.set("TF_CLI_CONFIG_FILE", &config);
        let mut cmd = install_n(&env, 1, None);
        cmd.env("TF_CLI_CONFIG_FILE", &config);
        let (out, _) = run_within(cmd, 20);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{kind}: {err}");
        assert_eq!(err.lines().count(), 1, "{kind}: {err}");
        assert!(err.contains("not a regular file"), "{kind}: {err}");
        assert!(is_kind(kind, &config), "{kind} left as it was");
        assert!(fs::symlink_metadata(helper_path(&env)).is_err(), "{kind}");
        assert!(!env.path().join(".cdk/registries.json").exists(), "{kind}");

        let mut doctor = env.std_cmd(bin_path("get-registry-token"));
        doctor.args(["doctor", "-r", "h1.example.test", "--timeout", "2"]);
        let (out, _) = run_within(doctor, 30);
        let said = stdout(&out) + &stderr(&out);
        assert!(said.contains("not a regular file"), "{kind}: {said}");
    }
    let mut env = TestEnv::with_aws();
    env.set("TF_CLI_CONFIG_FILE", "/dev/null");
    let mut cmd = install_n(&env, 1, None);
    cmd.env("TF_CLI_CONFIG_FILE", "/dev/null");
    let (out, _) = run_within(cmd, 20);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("/dev/null"), "{}", stderr(&out));
    let null = fs::metadata("/dev/null").unwrap();
    assert!(null.file_type().is_char_device() && null.rdev() != 0);
}

/// A folder where the helper should go is refused before anything is changed.
#[test]
fn a_folder_where_the_helper_goes_is_refused() {
    let env = TestEnv::with_aws();
    fs::create_dir_all(helper_path(&env)).unwrap();
    let out = install_n(&env, 1, None).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    assert!(helper_path(&env).is_dir());
    assert_eq!(
        fs::read_dir(helper_path(&env)).unwrap().count(),
        0,
        "nothing moved into it"
    );
    assert!(!env.path().join(".terraformrc").exists());
    assert!(!env.path().join(".cdk/registries.json").exists());
}

/// `--force --dry-run` over another tool's block shows that a block goes, not what it
/// holds: its arguments may be secrets.
#[test]
fn a_dry_run_quotes_nothing_of_another_tools_block() {
    let env = TestEnv::with_aws();
    env.write(
        ".terraformrc",
        "credentials_helper \"vault\" {\n  args = [\"--token\", \"s.SECRET-TOKEN-123\"]\n}\n",
    );
    let out = install_n(&env, 1, None)
        .args(["--force", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out) + &stderr(&out);
    assert!(!text.contains("SECRET-TOKEN"), "{text}");
    assert!(text.contains("credentials_helper \"vault\""), "{text}");
    assert!(text.contains("not shown"), "{text}");
}

/// A huge value in the settings file is not echoed whole, and a huge file is refused by
/// its size.
#[test]
fn a_huge_settings_value_is_not_echoed() {
    let env = TestEnv::with_aws();
    let huge = "x".repeat(500_000);
    let path = env.write(
        ".cdk/registries.json",
        format!(
            r#"{{"version": 1, "registries": {{"h1.example.test": {{"profile": "{huge}"}}}}}}"#
        ),
    );
    fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    fs::set_permissions(
        path.parent().unwrap(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let err = env
        .cmd("get-registry-token")
        .args(["token", "-r", "h1.example.test"])
        .fails(2);
    assert!(err.len() < 1000, "{} bytes: {}...", err.len(), &err[..300]);
    let big = format!(
        "{{\"version\": 1, \"registries\": {{}}, \"pad\": \"{}\"}}",
        "y".repeat(50_000_000)
    );
    fs::write(&path, big).unwrap();
    let err = env
        .cmd("get-registry-token")
        .args(["token", "-r", "h1.example.test"])
        .fails(2);
    assert!(
        err.len() < 1000 && err.contains("larger than"),
        "{}",
        &err[..err.len().min(300)]
    );
}

/// The hint after a settings file that does not parse is a command that works: the
/// host whose entry is wrong can be uninstalled, and the file is then whole again.
#[test]
fn the_hint_after_a_bad_settings_file_works() {
    let env = TestEnv::with_aws();
    install_n(&env, 1, None).output().unwrap();
    install_n(&env, 2, None).output().unwrap();
    let path = env.path().join(".cdk/registries.json");
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("\"profile\": \"p2\"", "\"profile\": \"not a profile!\"");
    fs::write(&path, text).unwrap();
    let err = env
        .cmd("get-registry-token")
        .args(["token", "-r", "h1.example.test"])
        .fails(2);
    let hint = err
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("a command in backquotes: {err}"))
        .to_owned();
    assert_eq!(
        hint, "install-registry-credentials-helper --uninstall --registry-host h2.example.test",
        "{err}"
    );
    let args: Vec<&str> = hint.split(' ').skip(1).collect();
    let out = env.cmd(INSTALLER).args(&args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let recorded = settings(&env);
    assert!(
        recorded["registries"]["h2.example.test"].is_null(),
        "{recorded}"
    );
    assert_eq!(recorded["registries"]["h1.example.test"]["profile"], "p1");
}

/// Uninstalling a host that was never configured says so once, and creates nothing.
#[test]
fn uninstalling_an_unknown_host_says_so_once_and_creates_nothing() {
    let env = TestEnv::with_aws();
    install_n(&env, 1, Some(&env.path().join("elsewhere.tfrc")))
        .output()
        .unwrap();
    let out = env
        .cmd(INSTALLER)
        .args(["--uninstall", "--registry-host", "never.example.test"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("never.example.test is not configured"),
        "{err}"
    );
    assert!(!err.contains("removed"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        !env.path().join(".terraformrc").exists(),
        "no CLI config created"
    );
}

/// Arguments the user added to the helper's block are kept when another host is
/// installed: the block is read by the helper's own parser, and only the hosts (and
/// the per-host settings an earlier version put there) are rewritten. A block the
/// helper itself would refuse is refused, with one line, and nothing changes.
#[test]
fn arguments_added_to_the_block_are_kept() {
    let env = TestEnv::with_aws();
    let install = |host: &str| {
        env.cmd(INSTALLER)
            .args(["--registry-host", host, "--no-check"])
            .output()
            .unwrap()
    };
    assert!(install("reg-a.example.com").status.success());
    let rc = env.path().join(".terraformrc");
    let text = fs::read_to_string(&rc).unwrap().replace(
        "args = [\"--registry-host\", \"reg-a.example.com\"]",
        "args = [\"--min-remaining\", \"600\", \"--timeout\", \"9\", \"--registry-host\", \"reg-a.example.com\"]",
    );
    fs::write(&rc, &text).unwrap();
    let out = install("reg-b.example.com");
    assert!(out.status.success(), "{}", stderr(&out));
    let after = fs::read_to_string(&rc).unwrap();
    assert!(
        after.contains(
            "args = [\"--min-remaining\", \"600\", \"--timeout\", \"9\", \"--registry-host\", \"reg-a.example.com\", \"--registry-host\", \"reg-b.example.com\"]"
        ),
        "{after}"
    );

    let broken = after.replace("\"--timeout\", \"9\"", "\"--timeout\", \"nine\"");
    fs::write(&rc, &broken).unwrap();
    let settings = fs::read_to_string(env.path().join(".cdk/registries.json")).unwrap();
    let out = install("reg-c.example.com");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--timeout") && err.contains(".terraformrc"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&rc).unwrap(), broken, "nothing changed");
    assert_eq!(
        fs::read_to_string(env.path().join(".cdk/registries.json")).unwrap(),
        settings
    );
}
