//! get-registry-token against a local endpoint that verifies SigV4 signatures.

use std::fs;

use predicates::prelude::*;

use crate::support::RegistryEndpoint;
use crate::support::registry::{Registry, RegistryOptions};
use crate::support::{
    ACCESS_KEY_ID, REGION, Run, SECRET_ACCESS_KEY, TestEnv, TokenEndpoint, stderr, stdout,
};

const HOST: &str = "registry.example.com";

fn token_cmd(env: &TestEnv, endpoint: &impl RegistryEndpoint, format: &str) -> assert_cmd::Command {
    let mut cmd = env.cmd("get-registry-token");
    cmd.args([format, "-r", HOST, "--registry-url", &endpoint.url()]);
    cmd
}

fn minted_token(out: &str) -> String {
    let t = out.trim_end().to_owned();
    assert!(t.starts_with("IAMBearerAuth~"), "not a token: {t:?}");
    t
}

#[test]
fn every_output_format() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let token = minted_token(&token_cmd(&env, &endpoint, "token").succeeds());

    // The registry as deployed (0.2.5) needs a services override: `env` names a CLI
    // config that carries it (asked once: the answer is kept), `config` prints it.
    let exported = token_cmd(&env, &endpoint, "env").succeeds();
    let generated = env
        .cache_dir()
        .join("terraform-cli-")
        .to_string_lossy()
        .into_owned();
    let (first, second) = exported.split_once('\n').unwrap();
    assert_eq!(
        first,
        format!("export TF_TOKEN_registry_example_com={token}")
    );
    let file = second
        .strip_prefix("export TF_CLI_CONFIG_FILE=")
        .and_then(|f| f.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("{exported}"));
    assert!(file.starts_with(&generated), "{file}");
    let override_block = format!(
        "host \"{HOST}\" {{\n  services = {{\n    \"modules.v1\" = \"{}/v1/modules/\"\n  }}\n}}\n",
        endpoint.url()
    );
    assert!(
        fs::read_to_string(file).unwrap().contains(&override_block),
        "{}",
        fs::read_to_string(file).unwrap()
    );
    let requests = endpoint.log().len();
    assert_eq!(
        token_cmd(&env, &endpoint, "config").succeeds(),
        format!("{override_block}credentials \"{HOST}\" {{\n  token = \"{token}\"\n}}\n")
    );

    let v: serde_json::Value =
        serde_json::from_str(&token_cmd(&env, &endpoint, "json").succeeds()).unwrap();
    assert_eq!(v["token"], token.as_str());
    assert_eq!(v["host"], HOST);
    assert!(v["expires_at"].as_str().unwrap().ends_with('Z'));

    let github_env = env.path().join("github_env");
    let out = token_cmd(&env, &endpoint, "github")
        .env("GITHUB_ENV", &github_env)
        .succeeds();
    assert_eq!(out, format!("::add-mask::{token}\n"));
    let written = fs::read_to_string(&github_env).unwrap();
    let mut lines = written.lines();
    let first = lines.next().unwrap();
    let delimiter = first
        .strip_prefix("TF_TOKEN_registry_example_com<<")
        .expect("heredoc");
    assert_eq!(lines.next(), Some(token.as_str()));
    assert_eq!(lines.next(), Some(delimiter));
    assert!(
        lines.next().unwrap().starts_with("TF_CLI_CONFIG_FILE<<"),
        "{written}"
    );
    assert_eq!(lines.next(), Some(file));

    // One request minted the token; every later format was answered from the cache,
    // the services override too: no request at all.
    assert_eq!(endpoint.stats(), (1, 1));
    assert_eq!(endpoint.log().len(), requests);
}

#[test]
fn cache_hit_sends_no_request_and_resolves_no_credentials() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let first = token_cmd(&env, &endpoint, "token").succeeds();
    // Any credential resolution would now fail (no secret, an AWS config file that
    // does not parse, no reachable AWS): a hit must not touch any of it.
    env.write(".aws/config", "[profile broken\nregion = \n[[[\n");
    let second = token_cmd(&env, &endpoint, "token")
        .env("AWS_SECRET_ACCESS_KEY", "")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .succeeds();
    assert_eq!(first, second);
    assert_eq!(endpoint.stats(), (1, 1));
    let meta = fs::metadata(env.cache_dir().join("registry_tokens.json")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(
        fs::metadata(env.cache_dir()).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let cached = fs::read_to_string(env.cache_dir().join("registry_tokens.json")).unwrap();
    assert!(
        !cached.contains(SECRET_ACCESS_KEY),
        "AWS secrets never reach the cache"
    );
    assert!(
        cached.contains(ACCESS_KEY_ID),
        "entries are keyed by the access key id"
    );
}

#[test]
fn expiry_and_refresh() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    // 100 s tokens are reused while at least 50 s are left: the next call is a hit.
    let a = token_cmd(&env, &endpoint, "token")
        .args(["-T", "100"])
        .output()
        .unwrap();
    let b = token_cmd(&env, &endpoint, "token")
        .args(["-T", "100"])
        .output()
        .unwrap();
    assert_eq!(stdout(&a), stdout(&b));
    assert_eq!(endpoint.stats().1, 1);
    // Asking for more life than the cached token has left fetches a new one.
    let c = token_cmd(&env, &endpoint, "token")
        .args(["-T", "3600", "--min-remaining", "600"])
        .output()
        .unwrap();
    assert_ne!(stdout(&a), stdout(&c));
    assert_eq!(endpoint.stats().1, 2);
    // An expired entry is never handed out.
    let path = env.cache_dir().join("registry_tokens.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    for entry in doc["entries"].as_object_mut().unwrap().values_mut() {
        entry["expires_at"] = serde_json::json!(1);
    }
    fs::write(&path, doc.to_string()).unwrap();
    let d = token_cmd(&env, &endpoint, "token").output().unwrap();
    assert!(d.status.success());
    assert_ne!(stdout(&d), stdout(&c));
    assert_eq!(endpoint.stats().1, 3);
    // --no-cache always asks.
    token_cmd(&env, &endpoint, "token")
        .arg("--no-cache")
        .assert()
        .success();
    assert_eq!(endpoint.stats().1, 4);
    // forget drops the host's tokens.
    env.cmd("get-registry-token")
        .args(["forget", "-r", HOST])
        .assert()
        .success();
    token_cmd(&env, &endpoint, "token").assert().success();
    assert_eq!(endpoint.stats().1, 5);
}

#[test]
fn session_token_is_sent_and_signed() {
    let mut env = TestEnv::with_aws();
    env.set("AWS_ACCESS_KEY_ID", "ASIATESTSESSION00001");
    env.set("AWS_SECRET_ACCESS_KEY", "session-secret");
    env.set("AWS_SESSION_TOKEN", "the-session-token");
    let endpoint = Registry::start_with(
        REGION,
        "execute-api",
        &[(
            "ASIATESTSESSION00001",
            "session-secret",
            Some("the-session-token"),
        )],
    );
    let out = token_cmd(&env, &endpoint, "token").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    minted_token(&stdout(&out));
}

#[test]
fn wrong_secret_region_or_service_is_refused() {
    let endpoint = Registry::start();
    let mut wrong_secret = TestEnv::with_aws();
    wrong_secret.set("AWS_SECRET_ACCESS_KEY", "not-the-secret");
    let mut wrong_region = TestEnv::with_aws();
    wrong_region.set("AWS_REGION", "us-west-2");
    let wrong_service = TestEnv::with_aws();
    for (env, extra, region, service) in [
        (&wrong_secret, None, REGION, "execute-api"),
        (&wrong_region, None, "us-west-2", "execute-api"),
        (&wrong_service, Some("lambda"), REGION, "lambda"),
    ] {
        let mut cmd = token_cmd(env, &endpoint, "token");
        if let Some(s) = extra {
            cmd.args(["--service", s]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
        let err = stderr(&out);
        assert!(
            err.contains("HTTP 403") && err.contains(service) && err.contains(region),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            !env.cache_dir().join("registry_tokens.json").exists(),
            "a refusal caches nothing"
        );
    }
}

#[test]
fn user_errors_are_one_line_and_change_nothing() {
    let env = TestEnv::with_aws();
    let endpoint = Registry::start();
    let cases: &[(&[&str], &str)] = &[
        (
            &["token"],
            "required arguments were not provided: --registry-host <HOST>",
        ),
        (
            &["token", "-r", "https://registry.example.com/x"],
            "must not include a scheme",
        ),
        (
            &["token", "-r", "registry.example.com/v1"],
            "must not include a path",
        ),
        (&["token", "-r", HOST, "-T", "60001"], "1 to 60000 seconds"),
        (
            &["env", "-r", "registry.example.com:8443"],
            "cannot express",
        ),
    ];
    for (args, message) in cases {
        let out = env.cmd("get-registry-token").args(*args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.starts_with("get-registry-token: ") && err.contains(message),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1);
        assert!(out.stdout.is_empty());
    }
    assert_eq!(endpoint.stats(), (0, 0));
    assert!(!env.cache_dir().exists(), "bad input wrote nothing");
}

#[test]
fn no_credentials_and_no_region() {
    let endpoint = Registry::start();
    let mut env = TestEnv::new();
    env.set("AWS_REGION", REGION);
    let out = token_cmd(&env, &endpoint, "token").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no AWS credentials found"),
        "{}",
        stderr(&out)
    );
    let mut env = TestEnv::with_aws();
    env.unset("AWS_REGION");
    let out = token_cmd(&env, &endpoint, "token").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no AWS region"), "{}", stderr(&out));
    assert_eq!(endpoint.stats(), (0, 0));
}

/// The stand-in (`token_endpoint.py`): the registry's own handler answers none of these
/// (an HTML page, a hang, a 500 on /token).
#[test]
fn server_errors_html_and_timeouts() {
    let env = TestEnv::with_aws();
    let html = TokenEndpoint::start("html");
    let out = token_cmd(&env, &html, "token").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        out.stdout.is_empty(),
        "an HTML page is never printed as a token"
    );
    assert!(
        stderr(&out).contains("not a registry token") && !stderr(&out).contains("<html>"),
        "{}",
        stderr(&out)
    );
    assert!(
        !env.cache_dir().join("registry_tokens.json").exists(),
        "nor cached"
    );

    let slow = TokenEndpoint::start("slow");
    let out = token_cmd(&env, &slow, "token")
        .args(["--timeout", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("did not answer within 1 s"),
        "{}",
        stderr(&out)
    );

    let failing = TokenEndpoint::start("error");
    token_cmd(&env, &failing, "token")
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains("HTTP 500"));
}

#[test]
fn bad_request_reason_is_shown() {
    let env = TestEnv::with_aws();
    // A registry configured with a lower cap than 60000 answers 400 with its reason:
    // the stand-in, as the handler's cap is the 60000 the toolkit checks before asking.
    let endpoint = TokenEndpoint::start("cap=1000");
    let out = token_cmd(&env, &endpoint, "token")
        .args(["-T", "2000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("HTTP 400") && err.contains("expiration_seconds must be at most 1000"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn plain_http_is_refused_except_to_loopback() {
    let env = TestEnv::with_aws();
    let out = env
        .cmd("get-registry-token")
        .args([
            "token",
            "-r",
            HOST,
            "--registry-url",
            "http://registry.example.com/",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("refusing plain HTTP"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn https_with_extra_ca_from_ssl_cert_file_or_aws_ca_bundle() {
    let env = TestEnv::with_aws();
    let (endpoint, cert) = Registry::start_opts(&RegistryOptions {
        tls: Some((env.path(), &[])),
        ..RegistryOptions::default()
    });
    let cert = cert.unwrap();
    let host = format!("localhost:{}", endpoint.server.port);
    // The self-signed certificate is not trusted by default...
    let out = env
        .cmd("get-registry-token")
        .args(["token", "-r", &host, "--no-cache"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    // ...and is when a CA bundle names it.
    for var in ["SSL_CERT_FILE", "AWS_CA_BUNDLE"] {
        let out = env
            .cmd("get-registry-token")
            .args(["token", "-r", &host, "--no-cache"])
            .env(var, &cert)
            .output()
            .unwrap();
        assert!(out.status.success(), "{var}: {}", stderr(&out));
        minted_token(&stdout(&out));
    }
    // SSL_CERT_DIR: a folder holding it is trusted, alone or beside an SSL_CERT_FILE
    // that lacks it (the folder is read when the file's roots do not verify the chain,
    // as OpenSSL looks in its folder); a folder without it is not.
    let other = tempfile::tempdir().unwrap();
    let (other_ca, _) = crate::support::tls_files(other.path());
    let with = tempfile::tempdir().unwrap();
    std::fs::copy(&cert, with.path().join("registry-ca.pem")).unwrap();
    let without = tempfile::tempdir().unwrap();
    std::fs::copy(&other_ca, without.path().join("other-ca.pem")).unwrap();
    for (file, dir, trusted) in [
        (None, with.path(), true),
        (Some(&other_ca), with.path(), true),
        (Some(&other_ca), without.path(), false),
        (None, without.path(), false),
    ] {
        let mut cmd = env.cmd("get-registry-token");
        cmd.args(["token", "-r", &host, "--no-cache"])
            .env("SSL_CERT_DIR", dir);
        if let Some(file) = file {
            cmd.env("SSL_CERT_FILE", file);
        }
        let out = cmd.output().unwrap();
        let case = format!("file {file:?}, folder {}", dir.display());
        if trusted {
            assert!(out.status.success(), "{case}: {}", stderr(&out));
            minted_token(&stdout(&out));
        } else {
            assert_eq!(out.status.code(), Some(3), "{case}: {}", stderr(&out));
        }
    }
}
