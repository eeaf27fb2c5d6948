//! api-key knows the stack: the endpoint and invoke role from its CloudFormation
//! outputs, names from SSM parameters and outputs, credential_process with no network,
//! KMS keys by alias -- against the emulator and a local API.

use crate::api_key::api_key;
use crate::support::registry::Registry;
use crate::support::{Run, TestEnv, TokenEndpoint, fixture, iam_user_stack, immukv_py, unique};

const ACCOUNT: &str = "123456789012";

#[test]
fn call_and_endpoint_come_from_the_stack() {
    let env = TestEnv::with_aws();
    let stack = unique("Outputs");
    fixture(&["ssm-put", &format!("/{stack}/api-key"), "stack-api-key"]);
    let api = TokenEndpoint::start_api("stack-api-key", &[]);
    let endpoint = format!("{}/prod/", api.url());
    let outputs = serde_json::json!({
        "APIEndpoint": endpoint,
        "APIKey": "the key's id",
        "APIUrlItems": format!("{endpoint}items"),
    });
    fixture(&["cfn-stack", &stack, &outputs.to_string()]);

    let out = api_key(&env, &["endpoint", "--stack", &stack]).succeeds();
    assert_eq!(out, format!("{endpoint}\n"));
    let call = |target: &str| {
        let out = api_key(
            &env,
            &["call", "--stack", &stack, "--account", ACCOUNT, target],
        )
        .succeeds();
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let echo = call("/items?x=1");
    assert_eq!(echo["auth"], "api-key");
    assert_eq!(echo["path"], "/prod/items?x=1", "the stage path is kept");
    assert_eq!(
        call(&format!("stack:{stack}/APIUrlItems"))["path"],
        "/prod/items"
    );

    // The endpoint is cached: the stack can go away and calls still work, until --refresh.
    fixture(&["cfn-delete", &stack]);
    assert_eq!(call("/items")["path"], "/prod/items");
    let err = api_key(&env, &["endpoint", "--stack", &stack, "--refresh"]).fails(1);
    assert!(err.contains(&format!("there is no stack {stack}")), "{err}");

    // A stack that kept CDK's generated endpoint output name.
    let generated = unique("Generated");
    let outputs = serde_json::json!({ "ShopApiEndpoint5E2F3C1A": endpoint });
    fixture(&["cfn-stack", &generated, &outputs.to_string()]);
    let out = api_key(&env, &["endpoint", "--stack", &generated]).succeeds();
    assert_eq!(out, format!("{endpoint}\n"));
    // And one with no endpoint at all is a one-line error naming what it has.
    let bare = unique("Bare");
    fixture(&["cfn-stack", &bare, r#"{"Other": "x"}"#]);
    let err = api_key(&env, &["endpoint", "--stack", &bare]).fails(1);
    assert!(
        err.contains("has no API endpoint output") && err.contains("Other"),
        "{err}"
    );
}

#[test]
fn the_invoke_role_comes_from_the_stack_and_credential_process_needs_no_network() {
    let mut env = TestEnv::with_aws();
    let stack = iam_user_stack("Role", "AKIAROLEROLEROLE0001", "role-secret");
    let role_name = format!("custom-invoke-{stack}");
    let role_arn = fixture(&["iam-role", &role_name]).trim().to_owned();
    let outputs = serde_json::json!({
        "APIEndpoint": "https://abc123.execute-api.us-east-1.amazonaws.com/prod/",
        "APIIAMRoleARN": role_arn,
    });
    fixture(&["cfn-stack", &stack, &outputs.to_string()]);

    let args = [
        "iam-credentials",
        "--assume-role",
        "--output=credential-process",
        "--stack",
        &stack,
    ];
    let first = api_key(&env, &args).succeeds();
    let sessions =
        std::fs::read_to_string(env.cache_dir().join("api_invoke_sessions.json")).unwrap();
    assert!(
        sessions.contains(&format!("\"role_arn\": \"{role_arn}\"")),
        "the output's role was assumed: {sessions}"
    );
    assert!(!sessions.contains("@api-invoke-role"), "{sessions}");

    // Every AWS service this could call is now a dead port: the cached session answers.
    for var in [
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_SECRETS_MANAGER",
        "AWS_ENDPOINT_URL_CLOUDFORMATION",
        "AWS_ENDPOINT_URL_SSM",
    ] {
        env.set(var, "http://127.0.0.1:9");
    }
    let again = api_key(&env, &args).succeeds();
    assert_eq!(again, first);
    let v: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(v["Version"], 1);
    assert!(v["SessionToken"].is_string() && v["Expiration"].is_string());
}

#[test]
fn references_name_what_stacks_publish() {
    let env = TestEnv::with_aws();
    let stack = unique("Refs");
    let bucket = unique("refbucket").to_lowercase();
    immukv_py(&["bucket", &bucket]);
    // The registry as deployed, its grants table found by the stack's output.
    let registry = Registry::start();
    let table = registry.table.clone();
    fixture(&["ssm-put", &format!("/{stack}/bucket"), &bucket]);
    fixture(&[
        "ssm-put",
        &format!("/{stack}/registry-host"),
        "registry.example.com",
    ]);
    fixture(&["ssm-put", &format!("/{stack}/not-a-host"), "not a host!"]);
    let outputs = serde_json::json!({
        "GrantsTable": table,
        "RegistryUrl": registry.url(),
    });
    fixture(&["cfn-stack", &stack, &outputs.to_string()]);

    let bucket_ref = format!("ssm:/{stack}/bucket");
    env.cmd("immukv")
        .args([
            "--path-style",
            "--bucket",
            &bucket_ref,
            "set",
            "greeting",
            "\"hello\"",
        ])
        .succeeds();
    let out = env
        .cmd("immukv")
        .args(["--path-style", "--bucket", &bucket, "get", "greeting"])
        .succeeds();
    assert!(out.contains("hello"), "{out}");

    let out = env
        .cmd("manage-registry-permissions")
        .args(["--table", &format!("stack:{stack}/GrantsTable"), "list"])
        .succeeds();
    assert!(
        out.starts_with("NAMESPACE") && out.lines().count() == 1,
        "an empty table, found by its output: {out}"
    );

    let token = env
        .cmd("get-registry-token")
        .args([
            "token",
            "-r",
            &format!("ssm:/{stack}/registry-host"),
            "--registry-url",
            &format!("stack:{stack}/RegistryUrl"),
        ])
        .succeeds();
    assert!(token.starts_with("IAMBearerAuth~"));
    assert_eq!(registry.stats().0, 1);

    // What does not exist, or is not usable, is one line naming it.
    let err = env
        .cmd("immukv")
        .args(["--bucket", &format!("ssm:/{stack}/missing"), "get", "k"])
        .fails(1);
    assert!(
        err.contains(&format!("there is no SSM parameter /{stack}/missing")),
        "{err}"
    );
    let err = env
        .cmd("manage-registry-permissions")
        .args(["--table", &format!("stack:{stack}/Nope"), "list"])
        .fails(1);
    assert!(
        err.contains(&format!(
            "the stack {stack} in eu-west-1 has no output Nope"
        )) && err.contains("GrantsTable, RegistryUrl"),
        "{err}"
    );
    let err = env
        .cmd("manage-registry-permissions")
        .args(["--table", "stack:NoSuchStack/Table", "list"])
        .fails(1);
    assert!(
        err.contains("there is no stack NoSuchStack in eu-west-1"),
        "{err}"
    );
    let err = env
        .cmd("get-registry-token")
        .args(["token", "-r", &format!("ssm:/{stack}/not-a-host")])
        .fails(2);
    assert!(err.contains("is not a host name"), "{err}");
    let err = env
        .cmd("immukv")
        .args(["--bucket", "stack:Bad", "get", "k"])
        .fails(2);
    assert!(err.contains("stack:STACK/OUTPUT"), "{err}");
}

#[test]
fn kms_keys_by_alias_are_checked_before_anything_is_written() {
    let env = TestEnv::with_aws();
    let good = format!("alias/{}", unique("good"));
    let key_id = fixture(&["kms-key", &good]).trim().to_owned();
    let disabled = format!("alias/{}", unique("disabled"));
    fixture(&["kms-key", &disabled, "disabled"]);
    let pending = format!("alias/{}", unique("pending"));
    fixture(&["kms-key", &pending, "pending-deletion"]);

    for (key, problem) in [
        ("alias/no-such-key", "does not exist"),
        (disabled.as_str(), "is disabled"),
        (pending.as_str(), "is pending deletion"),
    ] {
        let stack = unique("Kms");
        let err = api_key(&env, &["ensure", "--stack", &stack, "--kms-key-id", key]).fails(1);
        assert!(
            err.contains(&format!("the KMS key {key} {problem}")),
            "{err}"
        );
        // Nothing was written: the key exists nowhere.
        let err = api_key(&env, &["get", "--stack", &stack]).fails(1);
        assert!(err.contains("no API key"), "{err}");
        let err = api_key(&env, &["rotate", "--stack", &stack, "--kms-key-id", key]).fails(1);
        assert!(err.contains(problem), "{err}");
    }
    for key in [good.as_str(), key_id.as_str()] {
        let stack = unique("Kms");
        api_key(&env, &["ensure", "--stack", &stack, "--kms-key-id", key]).succeeds();
        let p = fixture(&["ssm-get", &format!("/{stack}/api-key")]);
        assert!(p.contains("SecureString"), "{p}");
    }
    let err = api_key(
        &env,
        &["ensure", "--stack", "Kms", "--kms-key-id", "my key"],
    )
    .fails(2);
    assert!(err.contains("invalid KMS key"), "{err}");
}
