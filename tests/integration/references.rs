//! References that name where a value lives: another region (`ssm:REGION:/NAME`,
//! `stack:REGION:STACK/OUTPUT`), an ARN (`ssm:arn:...`, `stack:arn:.../OUTPUT`), a
//! parameter another account shares, and a stack of another account (refused) -- for
//! every flag that takes a reference, against the emulator, the values published in
//! us-east-1 while the caller is in eu-west-1 ([`REGION`]).

use crate::api_key::api_key;
use crate::support::registry::{CALLER_ROLE, Registry};
use crate::support::{
    REGION, Run, Server, TestEnv, TokenEndpoint, fixture, fixture_at_in, fixture_in, immukv_py,
    s3_proxy_to, unique,
};

/// Where the values are published.
const THERE: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";
const HOST: &str = "registry.example.com";

fn parameter_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:ssm:{region}:{account}:parameter{name}")
}

/// The one line of a refusal with `code`.
fn one_line(out: &std::process::Output, code: i32) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

/// What a multi-region deployment publishes: in us-east-1 the values the flags need,
/// and in eu-west-1, under the same names, other ones.
struct Published {
    stack: String,
    /// The us-east-1 stack's ARN.
    stack_arn: String,
    bucket_there: String,
    bucket_here: String,
    registry: Registry,
    /// The API the ItemsUrl output names, served while this lives.
    _api: TokenEndpoint,
    modules_bucket: String,
}

impl Published {
    fn new() -> Self {
        let stack = unique("Global");
        let registry = Registry::start();
        registry.grant(
            "platform",
            CALLER_ROLE,
            r#"{"download": true, "upload": true}"#,
        );
        let (bucket_there, bucket_here, modules_bucket) = (
            unique("east").to_lowercase(),
            unique("west").to_lowercase(),
            unique("modules").to_lowercase(),
        );
        for bucket in [&bucket_there, &bucket_here, &modules_bucket] {
            immukv_py(&["bucket", bucket]);
        }
        fixture_in(
            THERE,
            &["ssm-put", &format!("/{stack}/bucket"), &bucket_there],
        );
        fixture(&["ssm-put", &format!("/{stack}/bucket"), &bucket_here]);
        fixture_in(
            THERE,
            &["ssm-put", &format!("/{stack}/registry-host"), HOST],
        );
        fixture(&["ssm-put", &format!("/{stack}/api-key"), "the-api-key"]);
        let api = TokenEndpoint::start_api("the-api-key", &[]);
        let there = serde_json::json!({
            "GrantsTable": registry.table,
            "RegistryUrl": registry.url(),
            "ModulesBucket": modules_bucket,
            "ItemsUrl": format!("{}/prod/items", api.url()),
        });
        let stack_arn = fixture_in(THERE, &["cfn-stack", &stack, &there.to_string()])
            .trim()
            .to_owned();
        let here = serde_json::json!({
            "GrantsTable": "a-table-of-eu-west-1",
            "APIEndpoint": format!("{}/prod/", api.url()),
        });
        fixture(&["cfn-stack", &stack, &here.to_string()]);
        Self {
            stack,
            stack_arn,
            bucket_there,
            bucket_here,
            registry,
            _api: api,
            modules_bucket,
        }
    }

    fn ssm_short(&self, name: &str) -> String {
        format!("ssm:{THERE}:/{}/{name}", self.stack)
    }

    fn ssm_arn(&self, name: &str) -> String {
        format!(
            "ssm:{}",
            parameter_arn(THERE, ACCOUNT, &format!("/{}/{name}", self.stack))
        )
    }

    fn stack_short(&self, output: &str) -> String {
        format!("stack:{THERE}:{}/{output}", self.stack)
    }

    fn stack_by_arn(&self, output: &str) -> String {
        format!("stack:{}/{output}", self.stack_arn)
    }
}

fn immukv_set(env: &TestEnv, bucket: &str, key: &str) {
    env.cmd("immukv")
        .args(["--path-style", "--bucket", bucket, "set", key, "\"v\""])
        .succeeds();
}

fn immukv_keys(env: &TestEnv, bucket: &str) -> String {
    env.cmd("immukv")
        .args(["--path-style", "--bucket", bucket, "keys"])
        .succeeds()
}

#[test]
fn every_flag_resolves_a_reference_in_the_region_it_names() {
    let env = TestEnv::with_aws();
    let p = Published::new();
    assert!(
        p.stack_arn
            .starts_with(&format!("arn:aws:cloudformation:{THERE}:{ACCOUNT}:stack/")),
        "{}",
        p.stack_arn
    );

    // immukv --bucket: the same name gives each region's own value.
    immukv_set(&env, &p.ssm_short("bucket"), "by-region");
    immukv_set(&env, &p.ssm_arn("bucket"), "by-arn");
    immukv_set(&env, &format!("ssm:/{}/bucket", p.stack), "here");
    immukv_set(
        &env,
        &format!("ssm:{REGION}:/{}/bucket", p.stack),
        "here-named",
    );
    assert_eq!(immukv_keys(&env, &p.bucket_there), "by-arn\nby-region\n");
    assert_eq!(immukv_keys(&env, &p.bucket_here), "here-named\nhere\n");

    // manage-registry-permissions --table: us-east-1's output is the registry's table;
    // eu-west-1's, under the same stack name and key, is another.
    for table in [p.stack_short("GrantsTable"), p.stack_by_arn("GrantsTable")] {
        let out = env
            .cmd("manage-registry-permissions")
            .args(["--table", &table, "list"])
            .succeeds();
        assert!(out.contains("platform"), "{table}: {out}");
    }
    let err = env
        .cmd("manage-registry-permissions")
        .args(["--table", &format!("stack:{}/GrantsTable", p.stack), "list"])
        .fails(2);
    assert!(err.contains("a-table-of-eu-west-1"), "{err}");

    // get-registry-token -r and --registry-url, each form.
    let token = |host: &str, url: &str| {
        env.cmd("get-registry-token")
            .args(["token", "-r", host, "--registry-url", url])
            .succeeds()
    };
    let first = token(&p.ssm_short("registry-host"), &p.stack_short("RegistryUrl"));
    assert!(first.starts_with("IAMBearerAuth~"), "{first}");
    assert_eq!(
        token(&p.ssm_arn("registry-host"), &p.stack_by_arn("RegistryUrl")),
        first
    );
    assert_eq!(p.registry.stats().1, 1, "one token, for one host and URL");

    // api-key call's URL.
    for url in [p.stack_short("ItemsUrl"), p.stack_by_arn("ItemsUrl")] {
        let out = api_key(
            &env,
            &["call", "--stack", &p.stack, "--account", ACCOUNT, &url],
        )
        .succeeds();
        let echo: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(echo["path"], "/prod/items", "{url}: {out}");
    }

    // manage-registry-modules: the host, the bucket and the table.
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("main.tf"),
        "output \"says\" {\n  value = \"hi\"\n}\n",
    )
    .unwrap();
    let publish = |version: &str, host: &str, bucket: &str, table: &str| {
        env.cmd("manage-registry-modules")
            .arg("publish")
            .arg(tree.path())
            .args(["-r", host, "--registry-url", &p.registry.url()])
            .args(["-n", "platform", "--name", "vpc", "--system", "aws"])
            .args(["--version", version, "--bucket", bucket, "--table", table])
            .arg("--path-style")
            .succeeds();
    };
    publish(
        "1.0.0",
        &p.ssm_short("registry-host"),
        &p.stack_short("ModulesBucket"),
        &p.stack_by_arn("GrantsTable"),
    );
    std::fs::write(
        tree.path().join("main.tf"),
        "output \"says\" {\n  value = \"hello\"\n}\n",
    )
    .unwrap();
    publish(
        "1.1.0",
        &p.ssm_arn("registry-host"),
        &p.stack_by_arn("ModulesBucket"),
        &p.stack_short("GrantsTable"),
    );
    let keys: Vec<String> =
        serde_json::from_str(&fixture(&["s3-keys", &p.modules_bucket])).unwrap();
    assert_eq!(
        keys.len(),
        2,
        "both archives in the bucket us-east-1 names: {keys:?}"
    );
    let out = env
        .cmd("manage-registry-modules")
        .args(["versions", "-r", &p.ssm_short("registry-host")])
        .args(["--registry-url", &p.stack_short("RegistryUrl")])
        .args(["-n", "platform", "--name", "vpc", "--system", "aws"])
        .succeeds();
    assert!(out.contains("1.0.0") && out.contains("1.1.0"), "{out}");

    // What is missing is named with its region.
    let err = env
        .cmd("immukv")
        .args([
            "--bucket",
            &format!("ssm:{THERE}:/{}/none", p.stack),
            "keys",
        ])
        .fails(1);
    assert!(
        err.contains(&format!(
            "there is no SSM parameter /{}/none in {THERE}",
            p.stack
        )),
        "{err}"
    );
    let err = env
        .cmd("manage-registry-permissions")
        .args(["--table", &p.stack_short("Nope"), "list"])
        .fails(1);
    assert!(
        err.contains(&format!(
            "the stack {} in {THERE} has no output Nope",
            p.stack
        )) && err.contains("GrantsTable, ItemsUrl, ModulesBucket, RegistryUrl"),
        "{err}"
    );
    let err = env
        .cmd("manage-registry-permissions")
        .args(["--table", "stack:ap-south-1:Absent/Table", "list"])
        .fails(1);
    assert!(
        err.contains("there is no stack Absent in ap-south-1"),
        "{err}"
    );
}

#[test]
fn a_resolved_reference_is_answered_from_the_cache_with_the_emulator_gone() {
    // An emulator of this test's own, to stop.
    let moto = Server::start("moto_server.py", &[]);
    let stack = unique("Cached");
    let registry = Registry::start();
    fixture_at_in(
        &moto.url(),
        THERE,
        &["ssm-put", &format!("/{stack}/host"), HOST],
    );
    fixture_at_in(
        &moto.url(),
        REGION,
        &["ssm-put", &format!("/{stack}/host"), HOST],
    );
    let outputs = serde_json::json!({ "RegistryUrl": registry.url() });
    let arn = fixture_at_in(
        &moto.url(),
        THERE,
        &["cfn-stack", &stack, &outputs.to_string()],
    );
    let mut env = TestEnv::with_aws();
    env.set("AWS_ENDPOINT_URL", moto.url());
    let token = |host: &str| {
        env.cmd("get-registry-token")
            .args(["token", "-r", host, "--registry-url"])
            .arg(format!("stack:{}/RegistryUrl", arn.trim()))
            .output()
            .unwrap()
    };
    let there = format!("ssm:{THERE}:/{stack}/host");
    let first = token(&there);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );

    drop(moto);
    drop(registry);
    let again = token(&there);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        again.stdout, first.stdout,
        "the cached token, for the cached host"
    );
    // The same name in eu-west-1 was never resolved: no answer of us-east-1's stands
    // in for it, and with the emulator gone it cannot be looked up.
    let here = token(&format!("ssm:{REGION}:/{stack}/host"));
    let err = one_line(&here, 3);
    assert!(err.contains("SSM GetParameter"), "{err}");
}

#[test]
fn a_parameter_another_account_shares_is_read_by_its_arn() {
    // AWS answers GetParameter by ARN for a parameter shared through AWS RAM; the
    // emulator has no sharing, and the proxy answers as AWS does.
    let owner = "111111111111";
    let proxy = s3_proxy_to(crate::support::moto(), &["--ssm-shared", owner]);
    let name = format!("/{}/host", unique("Shared"));
    fixture_in(THERE, &["ssm-put-as", owner, &name, HOST]);
    let registry = Registry::start();
    let mut env = TestEnv::with_aws();
    env.set("AWS_ENDPOINT_URL", proxy.url());
    let shared = format!("ssm:{}", parameter_arn(THERE, owner, &name));
    let token = env
        .cmd("get-registry-token")
        .args(["token", "-r", &shared, "--registry-url", &registry.url()])
        .succeeds();
    assert!(token.starts_with("IAMBearerAuth~"), "{token}");

    // One not shared with this account is missing, and the message says it may be
    // that.
    let unshared = format!("ssm:{}", parameter_arn(THERE, "222222222222", &name));
    let out = env
        .cmd("get-registry-token")
        .args(["token", "-r", &unshared, "--registry-url", &registry.url()])
        .output()
        .unwrap();
    let err = one_line(&out, 1);
    assert!(
        err.contains(&format!(
            "there is no SSM parameter {} in {THERE}",
            &unshared[4..]
        )) && err.contains("does not share it"),
        "{err}"
    );
}

#[test]
fn a_stack_of_another_account_is_refused_in_one_line() {
    let env = TestEnv::with_aws();
    let arn = format!(
        "arn:aws:cloudformation:{THERE}:111111111111:stack/Global/5f0e9c10-2b3a-11ef-9c2b-0a1b2c3d4e5f"
    );
    for _ in 0..2 {
        let out = env
            .cmd("manage-registry-permissions")
            .args(["--table", &format!("stack:{arn}/GrantsTable"), "list"])
            .output()
            .unwrap();
        let err = one_line(&out, 2);
        assert!(
            err.contains("the stack is in account 111111111111")
                && err.contains(&format!("this caller's ({ACCOUNT})"))
                && err.contains("ssm:arn:"),
            "{err}"
        );
    }
}

#[test]
fn a_malformed_reference_is_exit_2_and_one_line_for_every_flag() {
    let env = TestEnv::with_aws();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path().to_str().unwrap();
    let publish = |host: &'static str, bucket: &'static str, table: &'static str| {
        let mut args = vec![
            "publish", dir, "-r", host, "--bucket", bucket, "--table", table,
        ];
        args.extend([
            "-n",
            "p",
            "--name",
            "n",
            "--system",
            "aws",
            "--version",
            "1.0.0",
        ]);
        args
    };
    // Each flag family, its reference where REF is.
    let families: Vec<(&str, Vec<&str>)> = vec![
        ("immukv", vec!["--bucket", "REF", "keys"]),
        (
            "manage-registry-permissions",
            vec!["--table", "REF", "list"],
        ),
        ("get-registry-token", vec!["token", "-r", "REF"]),
        (
            "get-registry-token",
            vec!["token", "-r", HOST, "--registry-url", "REF"],
        ),
        ("api-key", vec!["call", "--stack", "S", "REF"]),
        ("manage-registry-modules", publish("REF", "b", "t")),
        ("manage-registry-modules", publish(HOST, "REF", "t")),
        ("manage-registry-modules", publish(HOST, "b", "REF")),
    ];
    let bad = [
        ("ssm:useast1:/x", "\"useast1\" is not an AWS region"),
        ("stack:eu-west:S/O", "\"eu-west\" is not an AWS region"),
        ("ssm:arn:aws:s3:::bucket", "the ARN is of \"s3\", not ssm"),
        (
            "stack:arn:aws:sns:us-east-1:123456789012:stack/S/id/O",
            "the ARN is of \"sns\", not cloudformation",
        ),
        ("ssm:us-east-1:", "the parameter name is empty"),
        ("stack:us-east-1:/O", "the stack name is empty"),
    ];
    for (tool, args) in &families {
        for (reference, says) in bad {
            let args = args.iter().map(|a| if *a == "REF" { reference } else { a });
            let out = env.cmd(tool).args(args).output().unwrap();
            let err = one_line(&out, 2);
            assert!(
                err.starts_with(&format!("{tool}: ")),
                "{tool} {reference}: {err}"
            );
            assert!(err.contains(says), "{tool} {reference}: {err}");
        }
    }
    assert!(
        !env.home
            .path()
            .join(".cdk/cache/ssm_references.json")
            .exists()
    );
}
