//! Per-host registry settings (~/.cdk/registries.json): the installer records them,
//! every `get-registry-token` command and the helper use them, flags override them.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::RegistryEndpoint;
use crate::support::registry::Registry;
use crate::support::{Run, TestEnv, stderr, stdout};

const DEV: (&str, &str) = ("AKIADEVDEVDEVDEV0002", "dev-secret-2");
const PROD: (&str, &str) = ("AKIAPRODPRODPROD0002", "prod-secret-2");
const A: &str = "registry.dev.example.com";
const B: &str = "modules.prod.example.com";

/// A registry per account (A knows the dev caller, B the prod one) and a HOME with the
/// `dev` and `prod` profiles, and no ambient credentials.
fn two_accounts() -> (TestEnv, Registry, Registry) {
    let a = Registry::start_with("eu-west-1", "execute-api", &[(DEV.0, DEV.1, None)]);
    let b = Registry::start_with("eu-west-1", "lambda", &[(PROD.0, PROD.1, None)]);
    let mut env = TestEnv::new();
    env.with_profiles(&[("dev", DEV), ("prod", PROD)]);
    env.set("AWS_REGION", "eu-west-1");
    (env, a, b)
}

fn install(env: &TestEnv, host: &str, args: &[&str]) -> std::process::Output {
    env.cmd("install-registry-credentials-helper")
        .args(["--registry-host", host])
        .args(args)
        .output()
        .unwrap()
}

/// Install A as the dev account's registry, with `more` flags.
fn install_a(env: &TestEnv, a: &impl RegistryEndpoint, more: &[&str]) -> std::process::Output {
    let url = a.url();
    let args = [
        &["--profile", "dev", "--registry-url", url.as_str()][..],
        more,
    ]
    .concat();
    install(env, A, &args)
}

/// Install B as the prod account's registry behind a function URL, with `more` flags.
fn install_b(env: &TestEnv, b: &impl RegistryEndpoint, more: &[&str]) -> std::process::Output {
    let url = b.url();
    let args = [
        &[
            "--profile",
            "prod",
            "--service",
            "lambda",
            "--registry-url",
            url.as_str(),
        ][..],
        more,
    ]
    .concat();
    install(env, B, &args)
}

fn settings(env: &TestEnv) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(env.path().join(".cdk/registries.json")).unwrap())
        .unwrap()
}

#[test]
fn the_installer_records_each_host_and_keeps_the_others() {
    let (env, a, b) = two_accounts();
    let out = install_a(&env, &a, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "checked: Terraform will get a token for {A} from the helper"
        )),
        "{}",
        stderr(&out)
    );
    // The second host in another account, behind a function URL.
    let dry = install_b(&env, &b, &["--dry-run"]);
    let shown = stdout(&dry);
    assert!(
        shown.contains(".cdk/registries.json")
            && shown.contains(&format!("+    \"{B}\": {{"))
            && shown.contains("+      \"profile\": \"prod\",")
            && shown.contains(&format!("     \"{A}\": {{")),
        "{shown}"
    );
    assert!(
        !settings(&env)["registries"]
            .as_object()
            .unwrap()
            .contains_key(B),
        "dry run"
    );
    let out = install_b(&env, &b, &["--expiration-window", "7200"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let recorded = settings(&env);
    assert_eq!(
        recorded["registries"],
        serde_json::json!({
            A: {"profile": "dev", "registry_url": format!("{}/", a.url())},
            B: {"profile": "prod", "service": "lambda", "registry_url": format!("{}/", b.url()), "token_lifetime": 7200},
        })
    );
    let rc = fs::read_to_string(env.path().join(".terraformrc")).unwrap();
    assert!(
        rc.contains(&format!(
            "args = [\"--registry-host\", \"{B}\", \"--registry-host\", \"{A}\"]"
        )),
        "{rc}"
    );

    // Each command uses each host's settings: its own profile, service and URL.
    let token_a = env
        .cmd("get-registry-token")
        .args(["token", "-r", A])
        .succeeds();
    let token_b = env
        .cmd("get-registry-token")
        .args(["token", "-r", B])
        .succeeds();
    assert!(token_a.starts_with("IAMBearerAuth~") && token_b.starts_with("IAMBearerAuth~"));
    assert_ne!(token_a, token_b, "two hosts' tokens never mix");
    // Each registry minted once, for the installer's check; the commands reused that.
    assert_eq!((a.stats().1, b.stats().1), (1, 1));
    // The helper, as Terraform runs it, serves both with their settings.
    let helper = env
        .path()
        .join(".terraform.d/plugins/terraform-credentials-aws-credstore");
    for host in [A, B] {
        let out = env
            .std_cmd(&helper)
            .args(["--registry-host", A, "--registry-host", B, "get", host])
            .output()
            .unwrap();
        assert!(
            stdout(&out).starts_with("{\"token\":\"IAMBearerAuth~"),
            "{host}: {}",
            stderr(&out)
        );
    }
    // exec mints each host's token with that host's settings.
    let seen = env
        .cmd("get-registry-token")
        .args(["exec", "-r", A, "-r", B, "--"])
        .args(["sh", "-c", "echo ${TF_TOKEN_registry_dev_example_com%%~*} ${TF_TOKEN_modules_prod_example_com%%~*}"])
        .succeeds();
    assert_eq!(seen.trim(), "IAMBearerAuth IAMBearerAuth");
    // Flags override the file: A signed with prod's key is refused by A.
    let e = env
        .cmd("get-registry-token")
        .args(["token", "-r", A, "--profile", "prod", "--no-cache"])
        .fails(1);
    assert!(e.contains("refused the signature (HTTP 403)"), "{e}");

    // The doctor says where each setting came from.
    let report = env
        .cmd("get-registry-token")
        .args(["doctor", "-r", B, "--tool", "terraform"])
        .succeeds();
    for line in [
        "  profile       prod (~/.cdk/registries.json)",
        "  region        eu-west-1 ($AWS_REGION)",
        "  service       lambda (~/.cdk/registries.json)",
        "  token life    7200 s (~/.cdk/registries.json)",
    ] {
        assert!(report.contains(line), "{line}: {report}");
    }

    // One host out: the file and the block keep the other; the last one out takes
    // the block and the helper with it.
    let out = env
        .cmd("install-registry-credentials-helper")
        .args(["--uninstall", "--registry-host", A])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(settings(&env)["registries"].as_object().unwrap().len(), 1);
    let rc = fs::read_to_string(env.path().join(".terraformrc")).unwrap();
    assert!(
        rc.contains(&format!("args = [\"--registry-host\", \"{B}\"]")),
        "{rc}"
    );
    assert!(helper.exists());
    env.cmd("install-registry-credentials-helper")
        .args(["--uninstall", "--registry-host", B])
        .succeeds();
    assert!(!env.path().join(".cdk/registries.json").exists());
    assert!(!helper.exists());
    assert!(!env.path().join(".terraformrc").exists());
}

/// `doctor` with no -r checks every configured host and exits 0 only when all work.
#[test]
fn doctor_checks_every_configured_host() {
    let (env, a, b) = two_accounts();
    install_a(&env, &a, &[]);
    install_b(&env, &b, &[]);
    let report = env.cmd("get-registry-token").arg("doctor").succeeds();
    assert!(report.contains("all 2 registries work"), "{report}");
    let json: serde_json::Value = serde_json::from_str(
        &env.cmd("get-registry-token")
            .args(["doctor", "--output", "json"])
            .succeeds(),
    )
    .unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["hosts"].as_array().unwrap().len(), 2);
    assert_eq!(
        json["hosts"][0]["settings"]["profile"]["from"],
        "~/.cdk/registries.json"
    );
    // B's profile now signs for an account B does not know: the doctor exits 1, naming it.
    let path = env.path().join(".cdk/registries.json");
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("\"prod\"", "\"dev\"");
    fs::write(&path, text).unwrap();
    let out = env
        .cmd("get-registry-token")
        .arg("doctor")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(&format!("not working: {B}")),
        "{}",
        stdout(&out)
    );
}

/// A bad settings file stops every command with one line naming the file and the line
/// (exit 2, no panic); one others can write is refused like a planted cache.
#[test]
fn a_bad_or_unsafe_settings_file_is_refused() {
    let (env, a, _b) = two_accounts();
    install_a(&env, &a, &[]);
    let path = env.path().join(".cdk/registries.json");
    let good = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        good.replace("\"profile\": \"dev\"", "\"profile\": [\"dev\"]"),
    )
    .unwrap();
    let e = env
        .cmd("get-registry-token")
        .args(["token", "-r", A])
        .fails(2);
    assert!(
        e.contains("registries.json line 5: invalid type: sequence, expected a string"),
        "{e}"
    );
    let helper = env
        .path()
        .join(".terraform.d/plugins/terraform-credentials-aws-credstore");
    let out = env
        .std_cmd(&helper)
        .args(["--registry-host", A, "get", A])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty() && stderr(&out).contains("registries.json line 5"));
    let e = env
        .cmd("install-registry-credentials-helper")
        .args(["--registry-host", A])
        .fails(2);
    assert!(e.contains("registries.json line 5"), "{e}");
    fs::write(&path, &good).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o622)).unwrap();
    let e = env
        .cmd("get-registry-token")
        .args(["token", "-r", A])
        .fails(2);
    assert!(
        e.contains("is open to others (the file has mode 622)"),
        "{e}"
    );
}

/// A block an earlier version wrote carries the settings for its hosts: adding a host
/// moves them into the settings file instead of losing them.
#[test]
fn an_earlier_versions_block_is_moved_into_the_file() {
    let (env, a, b) = two_accounts();
    env.write(
        ".terraformrc",
        format!(
            "# BEGIN install-registry-credentials-helper\ncredentials_helper \"aws-credstore\" {{\n  args = [\"--registry-host\", \"{A}\", \"--service\", \"execute-api\", \"--registry-url\", \"{}\", \"--profile\", \"dev\"]\n}}\n# END install-registry-credentials-helper\n",
            a.url()
        ),
    );
    let out = install_b(&env, &b, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let recorded = settings(&env);
    assert_eq!(recorded["registries"][A]["profile"], "dev");
    assert_eq!(recorded["registries"][A]["service"], "execute-api");
    assert_eq!(recorded["registries"][B]["profile"], "prod");
    env.cmd("get-registry-token")
        .args(["token", "-r", A])
        .succeeds();
}

/// A host's profile signs for it even where credentials are exported in the
/// environment (as the AWS CLI's --profile does): otherwise every host would be signed
/// as that one identity.
#[test]
fn a_hosts_profile_wins_over_exported_credentials() {
    let (mut env, a, _b) = two_accounts();
    env.set("AWS_ACCESS_KEY_ID", PROD.0);
    env.set("AWS_SECRET_ACCESS_KEY", PROD.1);
    let out = install_a(&env, &a, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    env.cmd("get-registry-token")
        .args(["token", "-r", A, "--no-cache"])
        .succeeds();
    // A profile that does not exist is said so, not silently replaced.
    let e = env
        .cmd("get-registry-token")
        .args(["token", "-r", A, "--no-cache", "--profile", "nosuch"])
        .fails(2);
    assert!(
        e.contains("no AWS credentials found for profile \"nosuch\" in the AWS config and credentials files"),
        "{e}"
    );
}
