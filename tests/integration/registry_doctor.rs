//! `get-registry-token doctor` and `exec`: which credentials Terraform and OpenTofu use,
//! and tokens for the tools that ignore credentials helpers.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::RegistryEndpoint;
use crate::support::registry::Registry;
use crate::support::{Run, TestEnv, stderr, stdout};

const HOST: &str = "registry.example.com";
const VAR: &str = "TF_TOKEN_registry_example_com";

/// A HOME where the installer has put the helper in place for `endpoint`.
fn installed(endpoint: &impl RegistryEndpoint) -> TestEnv {
    let env = TestEnv::with_aws();
    env.cmd("install-registry-credentials-helper")
        .args(["--registry-host", HOST, "--registry-url", &endpoint.url()])
        .succeeds();
    env
}

fn doctor(env: &TestEnv) -> assert_cmd::Command {
    let mut cmd = env.cmd("get-registry-token");
    cmd.args(["doctor", "-r", HOST]);
    cmd
}

/// Run the doctor: its exit code and its report.
fn diagnose(cmd: &mut assert_cmd::Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        stderr(&out)
    );
    (out.status.code().unwrap(), stdout(&out))
}

fn helper_path(env: &TestEnv) -> std::path::PathBuf {
    env.path()
        .join(".terraform.d/plugins/terraform-credentials-aws-credstore")
}

#[test]
fn doctor_passes_on_a_clean_install() {
    let endpoint = Registry::start();
    let env = installed(&endpoint);
    let checks_before = endpoint_stats(&endpoint)["bearer_checks"].as_u64().unwrap();
    let (code, report) = diagnose(&mut doctor(&env));
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("terraform and opentofu will get a working token for registry.example.com"),
        "{report}"
    );
    assert!(
        report.contains(
            "registry.example.com accepts the token from the credentials helper \"aws-credstore\""
        ),
        "{report}"
    );
    assert!(
        report.contains("AWS identity (profile default): arn:aws:"),
        "the signing identity: {report}"
    );
    assert!(
        !report.contains("IAMBearerAuth~"),
        "no token printed: {report}"
    );
    let stats = endpoint_stats(&endpoint);
    assert_eq!(
        stats["bearer_checks"].as_u64().unwrap() - checks_before,
        1,
        "one live check for both tools"
    );
}

#[test]
fn doctor_names_a_shadowing_variable() {
    let endpoint = Registry::start();
    let mut env = installed(&endpoint);
    env.set(VAR, "IAMBearerAuth~c3RhbGU=");
    let (code, report) = diagnose(&mut doctor(&env));
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&format!(
            "{VAR} is set: it is used instead of the credentials helper"
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "refuses the token from the environment variable {VAR}"
        )),
        "{report}"
    );
    assert!(report.contains(&format!("fix: unset {VAR}")), "{report}");
    assert!(!report.contains("c3RhbGU"), "the token is never printed");

    // A token the registry accepts works, and still shadows the helper.
    let token = env
        .cmd("get-registry-token")
        .args(["token", "-r", HOST, "--registry-url", &endpoint.url()])
        .succeeds();
    env.set(VAR, token.trim());
    let (code, report) = diagnose(&mut doctor(&env));
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains(&format!("warning  terraform, opentofu: {VAR} is set")),
        "{report}"
    );
}

#[test]
fn doctor_names_a_shadowing_credentials_block_in_json_too() {
    let endpoint = Registry::start();
    let env = installed(&endpoint);
    let rc = env.path().join(".terraformrc");
    let text = fs::read_to_string(&rc).unwrap();
    fs::write(
        &rc,
        format!("credentials \"{HOST}\" {{\n  token = \"IAMBearerAuth~b2xk\"\n}}\n{text}"),
    )
    .unwrap();
    let (code, report) = diagnose(doctor(&env).args(["--output", "json"]));
    assert_eq!(code, 1, "{report}");
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["host"], HOST);
    for tool in v["tools"].as_array().unwrap() {
        assert_eq!(tool["source"]["kind"], "credentials_block", "{tool}");
        assert_eq!(tool["works"], false);
        assert_eq!(tool["config_files"][0]["credentials_block"], true);
    }
    let findings = v["findings"].as_array().unwrap();
    let shadow = findings
        .iter()
        .find(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains("has a credentials block")
        })
        .expect("the shadowing block is named");
    assert_eq!(
        shadow["tools"],
        serde_json::json!(["terraform", "opentofu"])
    );
    assert!(
        shadow["fix"]
            .as_str()
            .unwrap()
            .contains("remove the credentials")
    );
    assert!(
        findings.iter().any(|f| f["level"] == "problem"
            && f["message"].as_str().unwrap().contains("refuses the token"))
    );
    assert!(!report.contains("b2xk"), "the token is never printed");
}

#[test]
fn doctor_finds_missing_unexecutable_and_doubled_helpers() {
    let endpoint = Registry::start();
    let env = installed(&endpoint);
    let helper = helper_path(&env);

    fs::set_permissions(&helper, fs::Permissions::from_mode(0o644)).unwrap();
    let (code, report) = diagnose(&mut doctor(&env));
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("is not an executable file"), "{report}");
    assert!(
        report.contains(&format!("fix: chmod +x {}", helper.display())),
        "{report}"
    );

    fs::remove_file(&helper).unwrap();
    let (code, report) = diagnose(&mut doctor(&env));
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("finds no terraform-credentials-aws-credstore"),
        "{report}"
    );
    assert!(
        report.contains("fix: run `install-registry-credentials-helper"),
        "{report}"
    );

    env.cmd("install-registry-credentials-helper")
        .args(["--registry-host", HOST, "--registry-url", &endpoint.url()])
        .succeeds();
    // A stale versioned helper wins over the one installed.
    let stale = helper.with_file_name("terraform-credentials-aws-credstore_v0.1.0");
    fs::write(&stale, "#!/bin/sh\necho '{}'\n").unwrap();
    fs::set_permissions(&stale, fs::Permissions::from_mode(0o755)).unwrap();
    let (code, report) = diagnose(&mut doctor(&env));
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("a versioned helper always wins"),
        "{report}"
    );
    fs::remove_file(&stale).unwrap();

    env.write(
        ".terraform.d/other.tfrc",
        "credentials_helper \"other\" {\n  args = []\n}\n",
    );
    let (code, report) = diagnose(&mut doctor(&env));
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("2 credentials_helper blocks"), "{report}");
}

#[test]
fn doctor_follows_opentofus_own_files() {
    let endpoint = Registry::start();
    let env = installed(&endpoint);
    // ~/.tofurc without the helper: OpenTofu reads it instead of ~/.terraformrc.
    env.write(".tofurc", "plugin_cache_dir = \"/tmp\"\n");
    let (code, report) = diagnose(&mut doctor(&env));
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("opentofu will not get a working token"),
        "{report}"
    );
    assert!(
        report.contains("opentofu: no credentials_helper block"),
        "{report}"
    );
    let (code, report) = diagnose(doctor(&env).args(["--tool", "terraform"]));
    assert_eq!(code, 0, "{report}");
}

fn endpoint_stats(endpoint: &impl RegistryEndpoint) -> serde_json::Value {
    endpoint.stats_json()
}

#[test]
fn exec_passes_tokens_in_the_environment_and_the_exit_code_through() {
    let endpoint = Registry::start();
    let env = TestEnv::with_aws();
    let url = endpoint.url();
    // The command replaces get-registry-token: same process, its own exit code.
    let mut child = env
        .std_cmd(crate::support::bin_path("get-registry-token"))
        .args(["exec", "-r", HOST, "--registry-url", &url, "--", "sh", "-c"])
        .arg(format!("echo \"$$ ${VAR} $TG_TF_REGISTRY_TOKEN\"; exit 7"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut out = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(7));
    let fields: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(fields[0], pid.to_string(), "exec, not a child process");
    assert!(fields[1].starts_with("IAMBearerAuth~"), "{out}");
    assert_eq!(fields[1], fields[2], "Terragrunt's variable too");
    assert_eq!(endpoint.stats().0, 1);

    // Several hosts: a variable each (here from the cache: no request), and no
    // Terragrunt variable, which holds one token. (`env`, as `exec`, also asks where the
    // registry's discovery sends Terraform, once, and keeps the answer.)
    let other = "modules.example.org";
    env.cmd("get-registry-token")
        .args(["env", "-r", other, "--registry-url", &url])
        .succeeds();
    let out = env
        .cmd("get-registry-token")
        .args(["exec", "-r", HOST, "-r", other, "--", "sh", "-c"])
        .arg(format!(
            "echo \"${VAR} $TF_TOKEN_modules_example_org ${{TG_TF_REGISTRY_TOKEN:-none}}\""
        ))
        .succeeds();
    let fields: Vec<&str> = out.split_whitespace().collect();
    assert!(fields[0].starts_with("IAMBearerAuth~") && fields[1].starts_with("IAMBearerAuth~"));
    assert_ne!(fields[0], fields[1]);
    assert_eq!(fields[2], "none");
    assert_eq!(endpoint.stats().0, 2);

    // What cannot work is refused before any request.
    let err = env
        .cmd("get-registry-token")
        .args([
            "exec",
            "-r",
            "localhost:8443",
            "--registry-url",
            &url,
            "--",
            "true",
        ])
        .fails(2);
    assert!(err.contains("TF_TOKEN_"), "{err}");
    let err = env
        .cmd("get-registry-token")
        .args([
            "exec",
            "-r",
            HOST,
            "-r",
            other,
            "--registry-url",
            &url,
            "--",
            "true",
        ])
        .fails(2);
    assert!(err.contains("--registry-url names one registry"), "{err}");
    assert_eq!(endpoint.stats().0, 2);
    let err = env
        .cmd("get-registry-token")
        .args(["exec", "-r", HOST, "--", "no-such-command-here"])
        .fails(2);
    assert!(err.contains("cannot run no-such-command-here"), "{err}");
}
