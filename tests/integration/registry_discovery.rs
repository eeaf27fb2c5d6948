//! A registry whose discovery document names no `modules.v1` (lambda-terraform-module-
//! registry 0.2.5's own handler): the installer's services override, put in and taken
//! out as one with the helper's block, and the doctor's verdict held against what a
//! current Terraform then does; a registry whose discovery is right gets no override.

use std::fs;

use crate::registry_terraform::{REGISTRY_A, REGISTRY_B, TWO_MODULES, TwoAccounts};
use crate::support::terraform::Terraform;
use crate::support::{Run, TokenEndpoint, stderr, stdout, words};

fn current() -> Terraform {
    Terraform::current().unwrap_or_else(|| {
        panic!("the pinned Terraform 1.15.5 is for linux x86_64: this suite runs there")
    })
}

/// `text` without the managed block that holds `host "HOST"`.
fn without_override(text: &str, host: &str) -> String {
    let at = text
        .find(&format!("host \"{host}\""))
        .expect("the override");
    let start = text[..at].rfind("# BEGIN").unwrap();
    let end = at + text[at..].find("# END").unwrap();
    let end = end + text[end..].find('\n').unwrap() + 1;
    let start = if text[..start].ends_with("\n\n") {
        start - 1
    } else {
        start
    };
    format!("{}{}", &text[..start], &text[end..])
}

/// Without the override, the doctor says `init` fails, and why, and Terraform fails just
/// so; the installer's dry run shows the override it would put back, the run puts it
/// back (once: a second run changes nothing), and then the doctor and Terraform agree
/// that it works. An uninstall takes each host's override out with it.
#[test]
fn the_doctors_verdict_on_discovery_is_what_terraform_does() {
    let two = TwoAccounts::new(current(), TWO_MODULES, true);
    let doctor = || {
        two.cmd("get-registry-token")
            .args(["doctor", "-r", REGISTRY_A, "--tool", "terraform"])
            .output()
            .unwrap()
    };
    let report = doctor();
    let said = stdout(&report);
    assert_eq!(report.status.code(), Some(0), "{said}");
    assert!(
        said.contains(&format!("  modules at    https://{REGISTRY_A}/v1/modules/")),
        "{said}"
    );
    assert!(
        said.contains(
            "instead of discovery: its discovery document names the modules API \"modules_v1\""
        ),
        "{said}"
    );

    let rc = two.rc_path();
    let installed = fs::read_to_string(&rc).unwrap();
    fs::write(&rc, without_override(&installed, REGISTRY_A)).unwrap();
    let report = doctor();
    let said = stdout(&report);
    assert_eq!(report.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!(
            "problem  terraform: `init` fails with \"host {REGISTRY_A} does not provide a modules service\": \
             its discovery document names the modules API \"modules_v1\" instead of \"modules.v1\""
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "fix: run `install-registry-credentials-helper --registry-host {REGISTRY_A}`"
        )),
        "{said}"
    );
    assert!(
        said.ends_with(&format!(
            "terraform will find no modules service for {REGISTRY_A}: `init` fails\n"
        )),
        "{said}"
    );
    let out = two.terraform(&["init", "-input=false", "-no-color"]);
    let tf_said = words(&format!("{}{}", stdout(&out), stderr(&out)));
    assert_eq!(out.status.code(), Some(1), "{tf_said}");
    assert!(
        tf_said.contains(&format!(
            "host {REGISTRY_A} does not provide a modules service"
        )),
        "{tf_said}"
    );
    assert!(
        !tf_said.contains(&format!("host {REGISTRY_B} does not provide")),
        "B keeps its override: {tf_said}"
    );

    let install = || {
        let mut cmd = two.cmd("install-registry-credentials-helper");
        cmd.args(["--registry-host", REGISTRY_A, "--profile", "dev"]);
        cmd
    };
    let before = fs::read_to_string(&rc).unwrap();
    let plan = install().arg("--dry-run").succeeds();
    assert!(
        plan.contains(&format!("+host \"{REGISTRY_A}\" {{"))
            && plan.contains(&format!(
                "+    \"modules.v1\" = \"https://{REGISTRY_A}/v1/modules/\""
            )),
        "{plan}"
    );
    assert_eq!(
        fs::read_to_string(&rc).unwrap(),
        before,
        "a dry run changes nothing"
    );
    let said = install().says();
    assert!(
        said.contains(&format!(
            "configured a services override for {REGISTRY_A} in"
        )),
        "{said}"
    );
    let back = fs::read_to_string(&rc).unwrap();
    let sorted = |t: &str| {
        let mut lines: Vec<&str> = t.lines().collect();
        lines.sort_unstable();
        lines.join("\n")
    };
    assert_eq!(
        sorted(&back),
        sorted(&installed),
        "the override is back, once: {back}"
    );
    let again = install().says();
    assert!(
        again.contains("is already up to date") && !again.contains("configured"),
        "{again}"
    );
    assert!(
        install()
            .arg("--dry-run")
            .succeeds()
            .contains("nothing would change")
    );
    assert_eq!(doctor().status.code(), Some(0));
    let out = two.terraform(&["init", "-input=false", "-no-color"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    two.installed_both();

    let said = two
        .cmd("install-registry-credentials-helper")
        .args(["--uninstall", "--registry-host", REGISTRY_A])
        .says();
    assert!(
        said.contains(&format!(
            "removed the services override for {REGISTRY_A} from"
        )),
        "{said}"
    );
    let left = fs::read_to_string(&rc).unwrap();
    assert!(
        !left.contains(&format!("host \"{REGISTRY_A}\""))
            && left.contains(&format!("host \"{REGISTRY_B}\"")),
        "{left}"
    );
    two.cmd("install-registry-credentials-helper")
        .arg("--uninstall")
        .succeeds();
    assert!(!rc.exists(), "the CLI config held only our blocks");
}

/// Once the registry's discovery is right (here: the host now served by a registry
/// that names `modules.v1`), the installer's next run takes the override out, and the
/// doctor and Terraform use discovery; a registry with a right discovery document never
/// gets an override from any path, and `env` then names no CLI config.
#[test]
fn a_fixed_registry_loses_its_override_and_a_right_one_never_gets_one() {
    let two = TwoAccounts::new(current(), TWO_MODULES, true);
    // The real handler cannot serve a right discovery document: the stand-in does.
    let dir = tempfile::tempdir().unwrap();
    let (fixed, ca) = TokenEndpoint::start_registry(
        dir.path(),
        &[REGISTRY_A],
        &[("AKIADEVDEVDEVDEV0001", "dev-secret", None)],
        &["--grant", "platform", "--label", "the fixed registry"],
    );
    let env = &two.deployment.env;
    let bundle = env.path().join("test-cas.pem");
    let cas = fs::read_to_string(&bundle).unwrap() + &fs::read_to_string(ca).unwrap();
    fs::write(&bundle, cas).unwrap();
    two.deployment.proxy.route(REGISTRY_A, fixed.server.port);
    two.cmd("get-registry-token")
        .args(["forget", "-r", REGISTRY_A])
        .succeeds();

    let said = two
        .cmd("install-registry-credentials-helper")
        .args(["--registry-host", REGISTRY_A, "--profile", "dev"])
        .says();
    assert!(
        said.contains(&format!(
            "removed the services override for {REGISTRY_A} from"
        )),
        "{said}"
    );
    let rc = fs::read_to_string(two.rc_path()).unwrap();
    assert!(!rc.contains(&format!("host \"{REGISTRY_A}\"")), "{rc}");
    assert!(
        rc.contains(&format!("host \"{REGISTRY_B}\"")),
        "B still needs one: {rc}"
    );
    let report = two
        .cmd("get-registry-token")
        .args(["doctor", "-r", REGISTRY_A, "--tool", "terraform"])
        .succeeds();
    assert!(
        report.contains(&format!(
            "ok       terraform: {REGISTRY_A}'s discovery document sends module calls to https://{REGISTRY_A}/v1/modules/"
        )),
        "{report}"
    );
    let out = two.terraform(&["init", "-input=false", "-no-color"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        two.module_output("network")
            .contains("platform/vpc/aws from the fixed registry")
    );

    // No path adds an override for it.
    let config = two
        .cmd("get-registry-token")
        .args(["config", "-r", REGISTRY_A, "--profile", "dev"])
        .succeeds();
    assert!(
        config.starts_with(&format!("credentials \"{REGISTRY_A}\"")),
        "{config}"
    );
    let exported = two
        .cmd("get-registry-token")
        .args(["env", "-r", REGISTRY_A, "--profile", "dev"])
        .succeeds();
    assert_eq!(exported.lines().count(), 1, "{exported}");
    assert!(exported.starts_with("export TF_TOKEN_registry__a_example_test="));
}
