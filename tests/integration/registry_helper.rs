//! The Terraform credentials-helper protocol, as Terraform runs it.

use crate::support::RegistryEndpoint;
use crate::support::registry::Registry;
use crate::support::{Run, TestEnv, TokenEndpoint, bin_path, spawn_all, stderr, stdout};

const HOST: &str = "registry.example.com";

/// The helper installed under Terraform's name (argv[0] decides the protocol).
fn helper_binary(env: &TestEnv) -> std::path::PathBuf {
    let dir = env.path().join(".terraform.d/plugins");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!(
        "terraform-credentials-aws-credstore{}",
        std::env::consts::EXE_SUFFIX
    ));
    if !path.exists() {
        #[cfg(unix)]
        std::os::unix::fs::symlink(bin_path("get-registry-token"), &path).unwrap();
        // A copy, as the installer makes by default (a link cannot cross volumes).
        #[cfg(windows)]
        std::fs::copy(bin_path("get-registry-token"), &path).unwrap();
    }
    path
}

fn helper(env: &TestEnv, endpoint: &impl RegistryEndpoint) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::from_std(env.std_cmd(helper_binary(env)));
    cmd.args(["--registry-host", HOST, "--registry-url", &endpoint.url()]);
    cmd
}

#[test]
fn get_answers_a_token_for_served_hosts() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let out = helper(&env, &endpoint).args(["get", HOST]).succeeds();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 1);
    assert!(v["token"].as_str().unwrap().starts_with("IAMBearerAuth~"));
    // Old installer arguments are accepted, and the window is raised for long applies.
    let out = helper(&env, &endpoint)
        .args([
            "--service",
            "execute-api",
            "--expiration-window",
            "300",
            "get",
            HOST,
        ])
        .succeeds();
    assert_eq!(out, helper(&env, &endpoint).args(["get", HOST]).succeeds());
    assert_eq!(endpoint.stats().1, 1, "later gets are cache hits");
}

#[test]
fn foreign_hosts_get_an_empty_object() {
    let env = TestEnv::new();
    let endpoint = Registry::start();
    for host in ["registry.terraform.io", "other.example.com"] {
        let out = helper(&env, &endpoint)
            .args(["get", host])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(stdout(&out), "{}\n");
        assert_eq!(stderr(&out), "");
    }
    assert_eq!(endpoint.stats(), (0, 0));
}

/// The stand-in (`token_endpoint.py`) answers /token with an HTML page, which the
/// registry's own handler never does.
#[test]
fn failure_prints_nothing_on_stdout() {
    let env = TestEnv::with_aws();
    let endpoint = TokenEndpoint::start("html");
    let out = helper(&env, &endpoint)
        .args(["get", HOST])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).starts_with("terraform-credentials-aws-credstore: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn store_then_get_then_forget() {
    let env = TestEnv::new();
    let endpoint = Registry::start();
    let mut child = helper(&env, &endpoint);
    let out = child
        .args(["store", HOST])
        .write_stdin("{\"token\":\"static-token-from-login\"}")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    // No AWS credentials in this environment: the stored token answers by itself.
    let out = helper(&env, &endpoint)
        .args(["get", HOST])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "{\"token\":\"static-token-from-login\"}\n");
    let out = helper(&env, &endpoint)
        .args(["forget", HOST])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stdout.is_empty() && out.stderr.is_empty());
    // Forgetting again is still fine.
    helper(&env, &endpoint)
        .args(["forget", HOST])
        .assert()
        .success()
        .stdout("");
    let out = helper(&env, &endpoint)
        .args(["get", HOST])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "no stored token and no credentials now"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(endpoint.stats().1, 0);
}

#[test]
fn store_reads_stdin_to_the_end_and_refuses_garbage() {
    let env = TestEnv::new();
    let endpoint = Registry::start();
    helper(&env, &endpoint)
        .args(["store", HOST])
        .write_stdin("not json")
        .fails(2);
    assert!(!env.cache_dir().join("registry_tokens.json").exists());
}

#[test]
fn unknown_verb_is_an_error() {
    let env = TestEnv::new();
    let endpoint = Registry::start();
    let err = helper(&env, &endpoint).args(["erase", HOST]).fails(2);
    assert!(err.contains("unknown verb"), "{err}");
}

#[test]
fn twenty_helpers_at_once_share_one_token() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    // Warm the cache once, then 20 helpers ask at once: all answer, none asks the registry.
    helper(&env, &endpoint).args(["get", HOST]).succeeds();
    let helper_at_once = |host: &str| {
        let mut cmd = env.std_cmd(helper_binary(&env));
        cmd.args([
            "--registry-host",
            host,
            "--registry-url",
            &endpoint.url(),
            "get",
            host,
        ]);
        cmd
    };
    let outputs = spawn_all((0..20).map(|_| helper_at_once(HOST)));
    for out in &outputs {
        assert!(out.status.success(), "{}", stderr(out));
    }
    assert!(outputs.windows(2).all(|w| stdout(&w[0]) == stdout(&w[1])));
    assert_eq!(endpoint.stats().1, 1);
    // And 20 cold helpers at once (different hosts) all succeed and all entries survive.
    let hosts: Vec<String> = (0..20).map(|i| format!("r{i}.example.com")).collect();
    for out in spawn_all(hosts.iter().map(|h| helper_at_once(h))) {
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.cache_dir().join("registry_tokens.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(doc["entries"].as_object().unwrap().len(), 21);
}

/// `terragrunt run-all` on a cold cache: thirty helpers, thirty output commands, and
/// thirty helpers refreshing a token near its expiry each cost one token request.
#[test]
fn thirty_at_once_mint_one_token() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let url = endpoint.url();
    let helpers = |env: &TestEnv| {
        spawn_all((0..30).map(|_| {
            let mut cmd = env.std_cmd(helper_binary(env));
            cmd.args(["--registry-host", HOST, "--registry-url", &url, "get", HOST]);
            cmd
        }))
    };
    let same_answer = |outputs: &[std::process::Output]| {
        for out in outputs {
            assert!(out.status.success(), "{}", stderr(out));
        }
        let first = stdout(&outputs[0]);
        assert!(first.contains("IAMBearerAuth~"), "{first}");
        assert!(outputs.iter().all(|o| stdout(o) == first));
        first
    };
    let cold = same_answer(&helpers(&env));
    assert_eq!(
        endpoint.stats(),
        (1, 1),
        "one request for thirty cold helpers"
    );

    // Every output command shares the same way (another host: a cold entry again).
    let other = "other.example.com";
    let outputs = spawn_all((0..30).map(|i| {
        let mut cmd = env.std_cmd(bin_path("get-registry-token"));
        let format = ["token", "env", "json", "config", "token"][i % 5];
        cmd.args([format, "-r", other, "--registry-url", &url]);
        cmd
    }));
    let tokens: std::collections::BTreeSet<String> = outputs
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{}", stderr(o));
            let text = stdout(o);
            let start = text.find("IAMBearerAuth~").expect("a token");
            text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "~+/=".contains(*c))
                .collect()
        })
        .collect();
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert_eq!(endpoint.stats(), (2, 2));

    // Near expiry: the helpers' token has less left than they hand out; one refresh.
    let path = env.cache_dir().join("registry_tokens.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let soon = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 60;
    for entry in doc["entries"].as_object_mut().unwrap().values_mut() {
        entry["expires_at"] = soon.into();
    }
    std::fs::write(&path, doc.to_string()).unwrap();
    let refreshed = same_answer(&helpers(&env));
    assert_ne!(refreshed, cold, "a fresh token");
    assert_eq!(endpoint.stats(), (3, 3), "one refresh for thirty helpers");
}
