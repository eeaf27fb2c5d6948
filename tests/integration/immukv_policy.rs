//! A writer holding exactly the ImmuKV construct's readWritePolicy (cdk-immukv 0.1.30,
//! root prefix: GetObject, GetObjectVersion, PutObject, HeadObject on the objects,
//! ListBucket and ListBucketVersions on the bucket), on an emulator of its own that
//! enforces IAM: `set`, `import` and `repair` make no call the policy denies (each is
//! an AccessDenied event in the account's trail), beyond one question per store whose
//! refusal is remembered.

use crate::support::{Server, TestEnv, fixture_at, immukv_py_at, proxy_log, s3_proxy_to, unique};

fn read_write_policy(bucket: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:HeadObject"],
                "Resource": format!("arn:aws:s3:::{bucket}/*"),
            },
            {
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:ListBucketVersions"],
                "Resource": format!("arn:aws:s3:::{bucket}"),
            },
        ],
    })
    .to_string()
}

#[test]
fn a_construct_policy_writer_is_never_denied_twice() {
    // An emulator of this test's own: enforcing IAM is a setting of the whole server.
    let moto = Server::start("moto_server.py", &[]);
    let endpoint = moto.url();
    let bucket = unique("policy").to_lowercase();
    immukv_py_at(&endpoint, &["bucket", &bucket]);
    // A writer that stopped between its two phases, for `repair` to find.
    immukv_py_at(
        &endpoint,
        &["append", &bucket, "", "stalled", "1", "--no-key-object"],
    );
    let user = unique("writer");
    let key: serde_json::Value = serde_json::from_str(&fixture_at(
        &endpoint,
        &["iam-user-with-policy", &user, &read_write_policy(&bucket)],
    ))
    .unwrap();
    fixture_at(&endpoint, &["enforce-iam", "now"]);
    let proxy = s3_proxy_to(&endpoint, &[]);
    let mut env = TestEnv::new();
    env.set("AWS_ACCESS_KEY_ID", key["id"].as_str().unwrap())
        .set("AWS_SECRET_ACCESS_KEY", key["secret"].as_str().unwrap())
        .set("AWS_REGION", "eu-west-1")
        .set("AWS_ENDPOINT_URL", proxy.url());
    let immukv = |args: &[&str]| {
        let mut cmd = env.cmd("immukv");
        cmd.args(["--path-style", "--bucket", &bucket]).args(args);
        cmd
    };
    let denied = || {
        proxy_log(&proxy)
            .into_iter()
            .filter(|r| r.status == Some(403))
            .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
            .collect::<Vec<_>>()
    };
    use crate::support::Run;
    immukv(&["repair"]).succeeds();
    for n in 0..5 {
        immukv(&["set", &format!("sensor-{}", n % 2), &n.to_string()]).succeeds();
    }
    let input = env.write(
        "lines.jsonl",
        "{\"key\": \"a\", \"value\": 1}\n{\"key\": \"b\", \"value\": 2}\n",
    );
    immukv(&["import", "--file"]).arg(&input).succeeds();
    immukv(&["set", "sensor-0", "\"after the import\""]).succeeds();
    assert!(
        immukv(&["get", "sensor-0"])
            .succeeds()
            .contains("after the import")
    );
    // (Not `verify` here: with IAM enforced, the emulator refuses any signed request
    // whose query holds an escaped `/`, as the listing of `keys/` does, with
    // SignatureDoesNotMatch; S3 does not, and boto3 gets the same refusal.)
    // The first `set` asked, once, whether the bucket keeps versions; nothing else was
    // refused, and no later write asked.
    let refused = denied();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].ends_with("?versioning"), "{refused:?}");
    let asked = proxy_log(&proxy)
        .into_iter()
        .filter(|r| r.query.contains("versioning"))
        .count();
    assert_eq!(asked, 1, "asked once for the store");
}
