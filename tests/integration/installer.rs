//! install-registry-credentials-helper on a temporary HOME.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::RegistryEndpoint;
use crate::support::registry::Registry;
use crate::support::{Run, TestEnv, stderr, stdout};

const HOST: &str = "registry.example.com";
const OLD_PYTHON_BLOCK: &str = "\ncredentials_helper \"aws-credstore\" {\n      args = [\n  \"--service\",\n  \"execute-api\",\n  \"--expiration-window\",\n  \"300\"\n]\n}\n";

fn install(env: &TestEnv, endpoint: &impl RegistryEndpoint) -> assert_cmd::Command {
    let mut cmd = env.cmd("install-registry-credentials-helper");
    cmd.args(["--registry-host", HOST, "--registry-url", &endpoint.url()]);
    cmd
}

fn helper_blocks(text: &str) -> usize {
    text.matches("credentials_helper \"").count()
}

#[test]
fn installs_configures_and_checks() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let out = install(&env, &endpoint).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checked: Terraform will get a token for registry.example.com"),
        "{}",
        stderr(&out)
    );
    let helper = env
        .path()
        .join(".terraform.d/plugins/terraform-credentials-aws-credstore");
    let meta = fs::symlink_metadata(&helper).unwrap();
    assert!(meta.is_file(), "a copy by default");
    assert_eq!(meta.permissions().mode() & 0o111, 0o111);
    let rc = fs::read_to_string(env.path().join(".terraformrc")).unwrap();
    assert_eq!(helper_blocks(&rc), 1);
    // The block names the hosts; their settings are in ~/.cdk/registries.json, 0600.
    assert!(
        rc.contains("args = [\"--registry-host\", \"registry.example.com\"]"),
        "{rc}"
    );
    let settings = env.path().join(".cdk/registries.json");
    assert_eq!(
        fs::metadata(&settings).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let recorded: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&settings).unwrap()).unwrap();
    assert_eq!(
        recorded,
        serde_json::json!({"version": 1, "registries": {HOST: {"registry_url": format!("{}/", endpoint.url())}}})
    );

    // The installed helper answers exactly as Terraform calls it.
    let out = env
        .std_cmd(&helper)
        .args([
            "--registry-host",
            HOST,
            "--registry-url",
            &endpoint.url(),
            "get",
            HOST,
        ])
        .output()
        .unwrap();
    assert!(stdout(&out).starts_with("{\"token\":\"IAMBearerAuth~"));

    // Twice: still one block, file unchanged.
    let out = install(&env, &endpoint).output().unwrap();
    assert!(out.status.success());
    assert!(stderr(&out).contains("already up to date"));
    assert_eq!(
        fs::read_to_string(env.path().join(".terraformrc")).unwrap(),
        rc
    );
}

#[test]
fn replaces_the_old_python_installers_blocks_in_place() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let prefix = "plugin_cache_dir = \"$HOME/.terraform.d/plugin-cache\"\n";
    env.write(
        ".terraformrc",
        format!("{prefix}{OLD_PYTHON_BLOCK}{OLD_PYTHON_BLOCK}"),
    );
    env.write(
        ".terraform.d/plugins/terraform-credentials-aws-credstore",
        "#!/usr/bin/env python3\nprint('old')\n",
    );
    install(&env, &endpoint).assert().success();
    let rc = fs::read_to_string(env.path().join(".terraformrc")).unwrap();
    assert!(rc.starts_with(prefix));
    assert_eq!(helper_blocks(&rc), 1, "{rc}");
    let helper = fs::read(
        env.path()
            .join(".terraform.d/plugins/terraform-credentials-aws-credstore"),
    )
    .unwrap();
    assert!(
        helper.starts_with(b"\x7fELF"),
        "the Python helper was replaced"
    );
}

#[test]
fn another_helper_is_kept_without_force() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let original = "credentials_helper \"vault\" {\n  args = []\n}\n";
    env.write(".terraformrc", original);
    let out = install(&env, &endpoint).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(env.path().join(".terraformrc")).unwrap(),
        original
    );
    assert!(
        !env.path().join(".terraform.d").exists(),
        "nothing installed"
    );
    install(&env, &endpoint).arg("--force").assert().success();
    let rc = fs::read_to_string(env.path().join(".terraformrc")).unwrap();
    assert_eq!(helper_blocks(&rc), 1);
    assert!(rc.contains("\"aws-credstore\""));
}

#[test]
fn dry_run_prints_and_changes_nothing() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    env.write(".terraformrc", OLD_PYTHON_BLOCK);
    let out = install(&env, &endpoint).arg("--dry-run").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("would install"), "{text}");
    assert!(
        text.contains("-      args = [") && text.contains("+credentials_helper \"aws-credstore\""),
        "{text}"
    );
    assert_eq!(
        fs::read_to_string(env.path().join(".terraformrc")).unwrap(),
        OLD_PYTHON_BLOCK
    );
    assert!(!env.path().join(".terraform.d").exists());
    assert_eq!(endpoint.stats(), (0, 0));
}

#[test]
fn uninstall_removes_exactly_what_it_added() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let original = "credentials \"app.terraform.io\" {\n  token = \"abc\"\n}\n";
    env.write(".terraformrc", original);
    env.write(".tofurc", "");
    install(&env, &endpoint).arg("--link").assert().success();
    let helper = env
        .path()
        .join(".terraform.d/plugins/terraform-credentials-aws-credstore");
    assert!(
        fs::symlink_metadata(&helper)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        helper_blocks(&fs::read_to_string(env.path().join(".tofurc")).unwrap()),
        1,
        "~/.tofurc is edited too"
    );
    let out = env
        .cmd("install-registry-credentials-helper")
        .arg("--uninstall")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(env.path().join(".terraformrc")).unwrap(),
        original
    );
    assert!(
        !env.path().join(".tofurc").exists()
            || fs::read_to_string(env.path().join(".tofurc"))
                .unwrap()
                .is_empty()
    );
    assert!(fs::symlink_metadata(&helper).is_err());
    // A helper file someone else put there is left alone.
    env.write(
        ".terraform.d/plugins/terraform-credentials-aws-credstore",
        "#!/bin/sh\n",
    );
    let out = env
        .cmd("install-registry-credentials-helper")
        .arg("--uninstall")
        .output()
        .unwrap();
    assert!(stderr(&out).contains("not installed by this tool"));
    assert!(helper.exists());
}

#[test]
fn honours_tf_cli_config_file_and_reports_a_failing_check() {
    let mut env = TestEnv::new();
    env.set("AWS_REGION", "eu-west-1");
    let endpoint = Registry::start();
    let config = env.path().join("custom.tfrc");
    env.set("TF_CLI_CONFIG_FILE", &config);
    // No AWS credentials: installed, but the check says Terraform would fail.
    let out = install(&env, &endpoint).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Terraform will not be able to get a token"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("no AWS credentials"),
        "{}",
        stderr(&out)
    );
    assert_eq!(helper_blocks(&fs::read_to_string(&config).unwrap()), 1);
    assert!(!env.path().join(".terraformrc").exists());
}

/// The default install copies the helper; uninstall must recognise that copy as its
/// own (only `--link` installs used to be recognised).
#[test]
fn uninstall_removes_a_copied_helper() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    install(&env, &endpoint).succeeds();
    let helper = env
        .path()
        .join(".terraform.d/plugins/terraform-credentials-aws-credstore");
    assert!(fs::symlink_metadata(&helper).unwrap().is_file(), "a copy");
    let err = env
        .cmd("install-registry-credentials-helper")
        .arg("--uninstall")
        .output()
        .unwrap();
    assert!(err.status.success(), "{}", stderr(&err));
    assert!(
        !stderr(&err).contains("not installed by this tool"),
        "{}",
        stderr(&err)
    );
    assert!(fs::symlink_metadata(&helper).is_err(), "the copy is gone");
    assert_eq!(
        helper_blocks(&fs::read_to_string(env.path().join(".terraformrc")).unwrap_or_default()),
        0
    );
}

/// OpenTofu on XDG locations moves back to the home ones when the install creates
/// ~/.terraformrc and ~/.terraform.d: the installer says so, and the doctor agrees.
#[test]
fn opentofu_is_told_when_the_install_moves_it() {
    let mut env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let xdg = env.path().join("xdg");
    let data = env.path().join("data");
    env.set("XDG_CONFIG_HOME", &xdg).set("XDG_DATA_HOME", data);
    env.write("xdg/opentofu/tofurc", "plugin_cache_dir = \"/tmp\"\n");
    let out = install(&env, &endpoint).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "OpenTofu now reads {} instead of {}",
            env.path().join(".terraformrc").display(),
            xdg.join("opentofu/tofurc").display()
        )),
        "{err}"
    );
    assert!(
        err.contains("moved OpenTofu's config folder there"),
        "{err}"
    );
    let report = env
        .cmd("get-registry-token")
        .args(["doctor", "-r", HOST])
        .succeeds();
    assert!(report.contains("will get a working token"), "{report}");

    // A helper only in OpenTofu's XDG data folder: Terraform would not find it.
    let env2 = {
        let mut e = TestEnv::with_aws();
        let data = e.path().join("data");
        e.set("XDG_DATA_HOME", data);
        e
    };
    let dir = env2.path().join("data/opentofu/plugins");
    let out = install(&env2, &endpoint)
        .arg("--plugin-directory")
        .arg(&dir)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(err.contains("terraform looks for helpers only in"), "{err}");
    assert!(!err.contains("opentofu looks for helpers only in"), "{err}");
}

/// The installer's check is the doctor's diagnosis: a token `terraform login` left in
/// credentials.tfrc.json wins over the helper, and a stale one fails the install with
/// what to do.
#[test]
fn a_token_from_terraform_login_that_shadows_the_helper_is_caught() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    env.write(
        ".terraform.d/credentials.tfrc.json",
        format!(r#"{{"credentials": {{"{HOST}": {{"token": "IAMBearerAuth~c3RhbGU="}}}}}}"#),
    );
    let out = install(&env, &endpoint).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("credentials.tfrc.json has a credentials block for registry.example.com")
            && err.contains("terraform logout registry.example.com"),
        "{err}"
    );
    assert!(
        err.contains("Terraform will not be able to get a token for registry.example.com")
            && err.contains("refuses the token from the credentials block"),
        "{err}"
    );
    assert!(!err.contains("c3RhbGU"), "no token printed: {err}");
}

/// An empty `TF_TOKEN_*` (a CI template's leftover) is not "unset" to Terraform: it
/// takes it as the host's token, an empty one, and never asks the helper (held against
/// a real Terraform 1.15.5 in registry_terraform.rs). So the install's check says so
/// and fails, with the fix.
#[test]
fn an_empty_tf_token_variable_shadows_the_helper_as_terraform_takes_it() {
    let mut env = TestEnv::with_aws();
    env.set("TF_TOKEN_registry_example_com", "");
    let endpoint = Registry::start();
    let out = install(&env, &endpoint).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("TF_TOKEN_registry_example_com is set, to the empty string")
            && err.contains("unset TF_TOKEN_registry_example_com"),
        "{err}"
    );
    assert!(
        err.contains("Terraform will not be able to get a token for registry.example.com"),
        "{err}"
    );
}
