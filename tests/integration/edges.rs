//! Every flag and variable at its edges: a variable set to the empty string is unset,
//! values quoted back are short, a flag that needs another says so, a bad key is a bad
//! key, and a signed checkpoint is not replaced by an unsigned one by accident.

use std::collections::BTreeSet;

use crate::support::immukv::Kv;
use crate::support::registry::Registry;
use crate::support::{Run, TestEnv, fixture, repo, stderr, unique};

/// A fresh KMS signing key (ECC_NIST_P256): its alias.
fn signing_key() -> String {
    let alias = format!("alias/{}", unique("edges"));
    fixture(&["kms-signing-key", &alias, "ECC_NIST_P256"]);
    alias
}

/// Every variable `src/env.rs` declares.
fn declared_variables() -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo().join("src/env.rs")).unwrap();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("pub(crate) const "))
        .filter_map(|l| l.split_once(": &str = \""))
        .map(|(_, rest)| rest.trim_end_matches("\";").to_owned())
        .collect()
}

/// Exit code and stderr, the test's own folder named the same whatever it is.
fn outcome(
    env: &TestEnv,
    bin: &str,
    args: &[&str],
    var: Option<(&str, &str)>,
) -> (Option<i32>, String) {
    let mut cmd = env.cmd(bin);
    cmd.args(args);
    if let Some((name, value)) = var {
        cmd.env(name, value);
    }
    let out = cmd.output().unwrap();
    let home = env.path().display().to_string();
    (out.status.code(), stderr(&out).replace(&home, "HOME"))
}

/// A variable set to the empty string behaves exactly as an unset one, in every binary:
/// the README promises it, for the variables clap reads as for the others.
#[test]
fn every_declared_variable_set_empty_counts_as_unset() {
    let vars = declared_variables();
    assert!(
        vars.len() > 20 && vars.contains("IMMUKV_BUCKET") && vars.contains("CDK_AWS_TIMEOUT"),
        "{vars:?}"
    );
    let commands: &[(&str, &[&str])] = &[
        ("immukv", &["get", "k"]),
        ("immukv", &["verify", "--file", "/nonexistent/dump.jsonl"]),
        (
            "immukv",
            &[
                "--bucket",
                "no-such-bucket-here",
                "--path-style",
                "verify",
                "--limit",
                "1",
            ],
        ),
        (
            "manage-registry-permissions",
            &["-r", "arn:aws:iam::123456789012:role/x", "-n", "ns", "get"],
        ),
        (
            "install-registry-credentials-helper",
            &["--registry-host", "h.example.test", "--dry-run"],
        ),
        (
            "get-registry-token",
            &[
                "doctor",
                "-r",
                "h.example.test",
                "--timeout",
                "1",
                "--output",
                "json",
            ],
        ),
        ("api-key", &["forget", "--stack", "Shop"]),
    ];
    let mut differ = Vec::new();
    for (bin, args) in commands {
        for var in &vars {
            let mut env = TestEnv::with_aws();
            env.unset(var);
            let unset = outcome(&env, bin, args, None);
            let empty = outcome(&env, bin, args, Some((var, "")));
            if unset != empty {
                differ.push(format!(
                    "{var}='' in {bin} {args:?}: {empty:?}, unset: {unset:?}"
                ));
            }
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// A value quoted back in an error is cut short: a 100 KB value for any flag gives a
/// short line.
#[test]
fn a_huge_value_is_not_quoted_back_whole() {
    let env = TestEnv::with_aws();
    let huge = format!("x{}", "`".repeat(100_000));
    for (bin, args) in [
        ("get-registry-token", vec!["token", "-r", &huge]),
        ("immukv", vec!["--bucket", "b", "get", "k", "--at", &huge]),
        (
            "install-registry-credentials-helper",
            vec!["--registry-host", "h.example.test", "--name", &huge],
        ),
        (
            "manage-registry-permissions",
            vec!["-r", &huge, "-n", "ns", "get"],
        ),
        ("api-key", vec!["get", "--stack", &huge]),
    ] {
        let out = env.cmd(bin).args(&args).output().unwrap();
        let err = stderr(&out);
        assert_ne!(out.status.code(), Some(0), "{bin}");
        assert!(
            err.len() < 1000,
            "{bin}: {} bytes: {}",
            err.len(),
            &err[..300]
        );
    }
}

/// `--signed-by` (like `--public-key`) means nothing without a checkpoint: refused.
#[test]
fn signed_by_without_a_checkpoint_is_refused() {
    let env = TestEnv::with_aws();
    let err = env
        .cmd("immukv")
        .args(["--bucket", "b", "verify", "--signed-by", "alias/k"])
        .fails(2);
    assert!(err.contains("--checkpoint"), "{err}");
}

/// An empty, junk or huge `--public-key` file is a bad key (exit 2, said so), not a
/// changed checkpoint and not "not a checkpoint".
#[test]
fn a_bad_public_key_is_a_bad_key() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    let alias = signing_key();
    let checkpoint = kv
        .env
        .write("checkpoint.note", kv.ok(&["checkpoint", "--sign", &alias]));
    let checkpoint = checkpoint.to_str().unwrap();
    let big = "A".repeat(50_000_000);
    for (name, content) in [
        ("empty.pem", ""),
        ("junk.pem", "not a key at all\n"),
        ("big.pem", big.as_str()),
    ] {
        let key = kv.env.write(name, content);
        let err = kv.fails(
            &[
                "verify",
                "--checkpoint",
                checkpoint,
                "--public-key",
                key.to_str().unwrap(),
            ],
            2,
        );
        assert!(
            err.contains(name) && err.contains("public key"),
            "{name}: {err}"
        );
        assert!(
            !err.contains("was changed") && !err.contains("not a checkpoint"),
            "{name}: {err}"
        );
        assert!(err.len() < 1000, "{name}");
    }
}

/// `checkpoint --put` over a signed checkpoint without `--sign` would replace the
/// signature, and a later `--signed-by` would fail: refused unless `--force`.
#[test]
fn an_unsigned_put_does_not_replace_a_signed_checkpoint() {
    let kv = Kv::new("put/");
    kv.ok(&["set", "a", "1"]);
    let alias = signing_key();
    let name = format!("/immukv/{}", unique("signed"));
    let parameter = format!("ssm:{name}");
    kv.ok(&["checkpoint", "--sign", &alias, "--put", &parameter]);
    kv.ok(&["set", "a", "2"]);
    // It is verified first (a rolled-back log is the finding that matters), then refused.
    let out = kv.run(&["checkpoint", "--put", &parameter]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.contains("holds a signed checkpoint") && last.contains("--force"),
        "{err}"
    );
    kv.ok(&["verify", "--checkpoint", &parameter, "--signed-by", &alias]);
    kv.ok(&["checkpoint", "--put", &parameter, "--force"]);
    let value: serde_json::Value =
        serde_json::from_str(&fixture(&["ssm-get-string", &name])).unwrap();
    assert!(
        value["value"].as_str().unwrap().starts_with('{'),
        "now unsigned, as forced"
    );
}

/// A FIFO where a settings file, a cache file, a checkpoint, a public key or a CA
/// bundle should be: never waited on (this test would hang), refused with one line or,
/// for the cache (never fatal), ignored with a warning.
#[test]
fn a_fifo_where_a_file_is_read_never_blocks() {
    use crate::support::run_within;
    let fifo = |env: &TestEnv, rel: &str| {
        let path = env.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success());
        path
    };
    let endpoint = Registry::start();
    let token = |env: &TestEnv| {
        let mut cmd = env.std_cmd(crate::support::bin_path("get-registry-token"));
        cmd.args([
            "token",
            "-r",
            "registry.example.com",
            "--registry-url",
            &endpoint.url(),
        ]);
        run_within(cmd, 20).0
    };

    // Refused, or passed over with a warning: named as no regular file either way.
    let said_not_regular = |out: &std::process::Output, code: i32| {
        assert_eq!(out.status.code(), Some(code), "{}", stderr(out));
        assert!(
            stderr(out).contains("not a regular file"),
            "{}",
            stderr(out)
        );
    };
    let env = TestEnv::with_aws();
    let settings = fifo(&env, ".cdk/registries.json");
    said_not_regular(&token(&env), 2);
    std::fs::remove_file(settings).unwrap();

    fifo(&env, ".cdk/cache/registry_tokens.json");
    said_not_regular(&token(&env), 0);

    let mut env = TestEnv::with_aws();
    let bundle = fifo(&env, "ca.pem");
    env.set("AWS_CA_BUNDLE", &bundle);
    said_not_regular(&token(&env), 2);

    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    let dump = kv.env.write("dump.jsonl", kv.ok(&["export"]));
    let checkpoint = kv.env.write("checkpoint.json", kv.ok(&["checkpoint"]));
    let pipe = fifo(&kv.env, "pipe");
    for args in [
        vec![
            "verify",
            "--file",
            dump.to_str().unwrap(),
            "--checkpoint",
            pipe.to_str().unwrap(),
        ],
        vec![
            "verify",
            "--file",
            dump.to_str().unwrap(),
            "--checkpoint",
            checkpoint.to_str().unwrap(),
            "--public-key",
            pipe.to_str().unwrap(),
        ],
    ] {
        let mut cmd = kv.env.std_cmd(crate::support::bin_path("immukv"));
        cmd.args(&args);
        let (out, _) = run_within(cmd, 20);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );
    }
}
