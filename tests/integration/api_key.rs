//! api-key against the emulator's SSM, Secrets Manager and STS, a cache file written
//! the way the construct writes it, and a local API that checks the key or signature.

use std::fs;

use crate::support::{
    Run, TestEnv, TokenEndpoint, fixture, fixture_in, iam_user_stack, stderr, stdout, unique,
};

/// moto's default account.
const ACCOUNT: &str = "123456789012";

fn cache_path(env: &TestEnv) -> String {
    env.cache_dir()
        .join("apigw_api_keys.json")
        .to_string_lossy()
        .into_owned()
}

pub(crate) fn api_key(env: &TestEnv, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = env.cmd("api-key");
    cmd.args(args);
    cmd
}

#[test]
fn keeps_every_other_entry_of_the_constructs_cache_file() {
    let env = TestEnv::with_aws();
    let stack = unique("Shop");
    fixture(&[
        "ssm-put",
        &format!("/{stack}/api-key"),
        "ssm-key-value-0123456789",
    ]);
    let original = serde_json::json!({
        "111111111111": {"Alpha": "alpha-key", "Beta": "beta-k\u{e9}y"},
        ACCOUNT: {"Gamma": "gamma-key"},
        "222222222222": {"Delta": "delta-key"}
    });
    fixture(&[
        "apikey-cache-write",
        &cache_path(&env),
        &original.to_string(),
    ]);

    assert_eq!(
        api_key(&env, &["get", "--stack", &stack]).succeeds(),
        "ssm-key-value-0123456789\n"
    );

    // What the construct now reads: every entry intact, the new one merged in.
    let read_back = fixture(&["apikey-cache-read", &cache_path(&env)]);
    let mut expected = original.clone();
    expected[ACCOUNT][&stack] = "ssm-key-value-0123456789".into();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&read_back).unwrap(),
        expected
    );
    // And byte for byte the format json.dump writes, entries in their order.
    assert_eq!(fs::read_to_string(cache_path(&env)).unwrap(), read_back);
    assert!(read_back.starts_with(
        "{\"111111111111\": {\"Alpha\": \"alpha-key\", \"Beta\": \"beta-k\\u00e9y\"}"
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(cache_path(&env)).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // forget drops exactly that entry.
    api_key(&env, &["forget", "--stack", &stack]).succeeds();
    let after: serde_json::Value =
        serde_json::from_str(&fixture(&["apikey-cache-read", &cache_path(&env)])).unwrap();
    assert_eq!(after, original);
    assert!(
        fixture(&["ssm-get", &format!("/{stack}/api-key")]).contains("ssm-key-value"),
        "SSM untouched"
    );
}

#[test]
fn a_cache_hit_with_account_makes_no_network_call() {
    let mut env = TestEnv::with_aws();
    fixture(&[
        "apikey-cache-write",
        &cache_path(&env),
        &format!(r#"{{"{ACCOUNT}": {{"Cached": "cached-key"}}}}"#),
    ]);
    // Nothing listens here: any AWS call would fail.
    env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    env.unset("AWS_SECRET_ACCESS_KEY");
    let out = api_key(
        &env,
        &[
            "get",
            "--stack",
            "Cached",
            "--account",
            ACCOUNT,
            "--output",
            "env",
        ],
    )
    .succeeds();
    assert_eq!(out, "export API_KEY=cached-key\n");
}

#[test]
fn get_fails_when_the_key_exists_nowhere_and_ensure_creates_it_like_the_construct() {
    let env = TestEnv::with_aws();
    let stack = unique("New");
    let err = api_key(&env, &["get", "--stack", &stack]).fails(1);
    assert!(err.contains("api-key ensure --stack"), "{err}");
    assert!(!env.cache_dir().join("apigw_api_keys.json").exists());

    let out = api_key(&env, &["ensure", "--stack", &stack, "--output", "json"]).succeeds();
    let key = serde_json::from_str::<serde_json::Value>(&out).unwrap()["API_KEY"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(key.len(), 40);
    assert!(
        !key.chars()
            .any(|c| " ^,%+~`#$&*()|[]{}:;<>?!'/@\"\\".contains(c)),
        "{key}"
    );
    let param: serde_json::Value =
        serde_json::from_str(&fixture(&["ssm-get", &format!("/{stack}/api-key")])).unwrap();
    assert_eq!(
        param,
        serde_json::json!({"type": "SecureString", "value": key})
    );
    // Again: the same key, from the cache.
    let again = api_key(&env, &["ensure", "--stack", &stack]).succeeds();
    assert_eq!(again, format!("{key}\n"));
    let cached: serde_json::Value =
        serde_json::from_str(&fixture(&["apikey-cache-read", &cache_path(&env)])).unwrap();
    assert_eq!(cached[ACCOUNT][&stack], key.as_str());
}

#[test]
fn rotate_replaces_ssm_and_cache_and_warns() {
    let env = TestEnv::with_aws();
    let stack = unique("Rot");
    let first = api_key(&env, &["ensure", "--stack", &stack]).succeeds();
    let out = api_key(&env, &["rotate", "--stack", &stack])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("deployed again"), "{}", stderr(&out));
    let second = stdout(&out);
    assert_ne!(first, second);
    let param: serde_json::Value =
        serde_json::from_str(&fixture(&["ssm-get", &format!("/{stack}/api-key")])).unwrap();
    assert_eq!(format!("{}\n", param["value"].as_str().unwrap()), second);
    assert_eq!(
        api_key(&env, &["get", "--stack", &stack]).succeeds(),
        second
    );
}

#[test]
fn iam_credentials_in_every_format_and_as_a_role_session() {
    let env = TestEnv::with_aws();
    let stack = iam_user_stack("Iam", "AKIAUSERUSERUSER0001", "user/secret+key");
    assert_eq!(
        api_key(&env, &["iam-credentials", "--stack", &stack]).succeeds(),
        "export AWS_ACCESS_KEY_ID=AKIAUSERUSERUSER0001\nexport AWS_SECRET_ACCESS_KEY=user/secret+key\n"
    );
    let out = api_key(
        &env,
        &[
            "iam-credentials",
            "--stack",
            &stack,
            "--output",
            "credential-process",
        ],
    )
    .succeeds();
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({"Version": 1, "AccessKeyId": "AKIAUSERUSERUSER0001", "SecretAccessKey": "user/secret+key"})
    );
    let out = api_key(
        &env,
        &["iam-credentials", "--stack", &stack, "--output", "dotenv"],
    )
    .succeeds();
    assert_eq!(
        out,
        "AWS_ACCESS_KEY_ID=\"AKIAUSERUSERUSER0001\"\nAWS_SECRET_ACCESS_KEY=\"user/secret+key\"\n"
    );

    let session = |extra: &[&str]| -> serde_json::Value {
        let out = api_key(
            &env,
            &[
                &[
                    "iam-credentials",
                    "--stack",
                    &stack,
                    "--assume-role",
                    "--output",
                    "credential-process",
                ][..],
                extra,
            ]
            .concat(),
        )
        .succeeds();
        serde_json::from_str(&out).unwrap()
    };
    let a = session(&[]);
    assert!(a["SessionToken"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(a["Expiration"].as_str().unwrap().ends_with('Z'));
    assert_ne!(a["AccessKeyId"], "AKIAUSERUSERUSER0001");
    // Cached until shortly before it expires.
    assert_eq!(session(&[]), a);
    let sessions = fs::read_to_string(env.cache_dir().join("api_invoke_sessions.json")).unwrap();
    assert!(
        sessions.contains(&format!(
            "arn:aws:iam::{ACCOUNT}:role/{stack}@api-invoke-role"
        )),
        "{sessions}"
    );

    let err = api_key(&env, &["iam-credentials", "--stack", "NoSuchStack"]).fails(1);
    assert!(err.contains("NoSuchStack/iam-user-credentials"), "{err}");
}

#[test]
fn exec_passes_the_key_in_the_environment_only_and_the_exit_code_through() {
    let env = TestEnv::with_aws();
    fixture(&[
        "apikey-cache-write",
        &cache_path(&env),
        &format!(r#"{{"{ACCOUNT}": {{"Run": "secret-run-key"}}}}"#),
    ]);
    let script =
        "printf '%s|' \"$API_KEY\" \"$0\" \"$@\"; cat /proc/$$/cmdline | tr '\\0' ' '; exit 7";
    let out = api_key(
        &env,
        &[
            "exec",
            "--stack",
            "Run",
            "--account",
            ACCOUNT,
            "--",
            "sh",
            "-c",
            script,
            "arg0",
            "x",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("secret-run-key|arg0|x|"), "{text}");
    let argv = text.splitn(4, '|').nth(3).unwrap();
    assert!(
        !argv.contains("secret-run-key"),
        "the key is on no argv: {argv}"
    );
}

#[test]
fn call_sends_the_key_or_a_signature() {
    let env = TestEnv::with_aws();
    let stack = unique("Call");
    fixture(&["ssm-put", &format!("/{stack}/api-key"), "the-api-key-value"]);
    fixture(&[
        "secret-create",
        &format!("{stack}/iam-user-credentials"),
        r#"{"access-key-id": "AKIACALLCALLCALL0001", "secret-access-key": "call-secret"}"#,
    ]);
    let api = TokenEndpoint::start_api(
        "the-api-key-value",
        &[("AKIACALLCALLCALL0001", "call-secret", None)],
    );
    let url = format!("{}/prod/items?x=1", api.url());

    let out = api_key(
        &env,
        &["call", "--stack", &stack, "-H", "X-Test: yes", &url],
    )
    .succeeds();
    let echo: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(echo["auth"], "api-key");
    assert_eq!(echo["path"], "/prod/items?x=1");
    assert_eq!(echo["x-test"], "yes");

    let out = env
        .cmd("api-key")
        .args([
            "call", "--stack", &stack, "--iam", "-X", "POST", "--data", "@-", &url,
        ])
        .write_stdin("{\"n\": 1}")
        .succeeds();
    let echo: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(echo["auth"], "sigv4");
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["body"], "{\"n\": 1}");

    // A refused request: the body on stdout, the status on stderr, exit 1.
    let other = TokenEndpoint::start_api("another-key", &[]);
    let out = api_key(
        &env,
        &[
            "call",
            "--stack",
            &stack,
            &format!("{}/prod/items", other.url()),
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("HTTP 403"), "{}", stderr(&out));
    assert!(stdout(&out).contains("Forbidden"));
    assert!(!stderr(&out).contains("the-api-key-value"));
}

#[test]
fn bad_input_changes_nothing() {
    let env = TestEnv::with_aws();
    for (args, message) in [
        (vec!["get", "--stack", "bad stack"], "invalid stack name"),
        (vec!["get", "--stack", "Ok", "--account", "12"], "12 digits"),
        (
            vec![
                "call",
                "--stack",
                "Ok",
                "--account",
                ACCOUNT,
                "http://example.com/x",
            ],
            "refusing plain HTTP",
        ),
    ] {
        let err = api_key(&env, &args).fails(2);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    assert!(!env.cache_dir().exists());
}

/// The construct's invoke role lives in the stack's partition: the caller's (from
/// STS), or with --account (no STS call) the region's.
#[test]
fn the_default_invoke_role_is_in_the_callers_partition() {
    let mut env = TestEnv::with_aws();
    env.set("AWS_REGION", "cn-north-1");
    let stack = unique("Cn");
    fixture_in(
        "cn-north-1",
        &[
            "secret-create",
            &format!("{stack}/iam-user-credentials"),
            r#"{"access-key-id": "AKIACNCNCNCNCNCN0001", "secret-access-key": "cn-secret"}"#,
        ],
    );
    let expected = format!("arn:aws-cn:iam::{ACCOUNT}:role/{stack}@api-invoke-role");
    for extra in [&[][..], &["--account", ACCOUNT][..]] {
        fs::remove_file(env.cache_dir().join("api_invoke_sessions.json")).ok();
        env.cmd("api-key")
            .args(["iam-credentials", "--stack", &stack, "--assume-role"])
            .args(extra)
            .succeeds();
        let sessions =
            fs::read_to_string(env.cache_dir().join("api_invoke_sessions.json")).unwrap();
        assert!(sessions.contains(&expected), "{extra:?}: {sessions}");
    }
}
