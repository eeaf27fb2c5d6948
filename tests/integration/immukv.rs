//! immukv against the emulator's S3, side by side with the official Python client.

use crate::support::immukv::Kv;
use crate::support::{Run, TestEnv, immukv_py, proxy_log, s3_proxy, spawn_all, stderr, unique};

#[test]
fn what_immukv_writes_the_python_client_reads_and_verifies() {
    let kv = Kv::new("app/");
    let values = [
        r#"{"temp": 21.50, "tags": ["a", "é"], "n": 12345678901234567890}"#,
        "1e16",
        "-0",
        "null",
        r#""line\nbreak 😀""#,
    ];
    for (i, v) in values.iter().enumerate() {
        kv.ok(&["set", &format!("k{i}"), v]);
    }
    for (i, v) in values.iter().enumerate() {
        let expected: serde_json::Value = serde_json::from_str(v).unwrap();
        let got = kv.py(&["get", &format!("k{i}")]);
        if v == &"1e16" {
            assert_eq!(got["value"].as_f64(), Some(1e16));
        } else if v == &"-0" {
            assert_eq!(
                got["value"],
                serde_json::json!(0),
                "json.loads reads -0 as the integer 0"
            );
        } else {
            assert_eq!(got["value"], expected, "k{i}");
        }
    }
    assert_eq!(kv.py(&["verify"]), serde_json::json!(true));
    // The null value is kept in the log body (the Python client would drop it).
    let body: String =
        serde_json::from_str(&immukv_py(&["raw-get", &kv.bucket, "app/keys/k3.json"])).unwrap();
    assert!(body.ends_with(r#","value":null}"#), "{body}");
    assert_eq!(kv.ok(&["get", "k3"]), "null\n");
    assert_eq!(
        kv.ok(&["get", "k0"]),
        "{\"n\":12345678901234567890,\"tags\":[\"a\",\"\\u00e9\"],\"temp\":21.5}\n"
    );
    assert_eq!(kv.ok(&["get", "k1"]), "1e+16\n");
    assert_eq!(kv.ok(&["get", "k2"]), "0\n");
}

#[test]
fn what_the_python_client_writes_immukv_reads_and_verifies() {
    let kv = Kv::new("");
    kv.py(&["set", "sensor", r#"{"alpha": 0.15, "beta": 2.8}"#]);
    kv.py(&["set", "sensor", r#"{"alpha": 0.25}"#]);
    kv.ok(&["set", "other", "true"]);
    kv.py(&["set", "sensor", "[1, 2.5e-10]"]);
    assert_eq!(kv.ok(&["get", "sensor"]), "[1,2.5e-10]\n");
    let text = kv.ok(&["history", "sensor"]);
    let history: Vec<&str> = text
        .lines()
        .map(|l| l.split('\t').nth(3).unwrap())
        .collect();
    assert_eq!(
        history,
        vec![
            "[1,2.5e-10]",
            "{\"alpha\":0.25}",
            "{\"alpha\":0.15,\"beta\":2.8}"
        ]
    );
    let out = kv.run(&["verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("verified 4 entries (4 python)"),
        "{}",
        stderr(&out)
    );
    let log = kv.log();
    let seqs: Vec<i64> = log
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, vec![3, 2, 1, 0]);
    let entry = kv.ok(&["log-entry", log[1]["version_id"].as_str().unwrap()]);
    assert!(entry.contains("\"key\":\"other\""), "{entry}");
    assert_eq!(kv.ok(&["keys"]), "other\nsensor\n");
}

#[test]
fn verify_accepts_the_typescript_dialect_and_names_a_broken_link() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    immukv_py(&["append", &kv.bucket, "", "ts-key", "2", "--typescript"]);
    kv.ok(&["set", "b", "2"]);
    let out = kv.run(&["verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("verified 4 entries (2 python, 2 typescript)"),
        "{}",
        stderr(&out)
    );

    let tampered: serde_json::Value = serde_json::from_str(&immukv_py(&[
        "append", &kv.bucket, "", "t", "1", "--tamper",
    ]))
    .unwrap();
    let out = kv.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let vid = tampered["version_id"].as_str().unwrap();
    assert!(
        err.contains(&format!("broken chain at sequence 4 (version {vid}")),
        "{err}"
    );
    assert!(
        err.contains("stored hash sha256:0000") && err.contains("computed sha256:"),
        "{err}"
    );
    // The newest 0 entries cannot be broken; --limit bounds the walk.
    assert_eq!(kv.run(&["verify", "--limit", "0"]).status.code(), Some(0));
}

#[test]
fn paging_past_one_thousand_versions() {
    let kv = Kv::new("");
    immukv_py(&["append", &kv.bucket, "", "busy", "1005"]);
    let log = kv.log();
    assert_eq!(log.len(), 1005);
    assert!(
        log.windows(2)
            .all(|w| w[0]["sequence"].as_i64().unwrap() == w[1]["sequence"].as_i64().unwrap() + 1)
    );
    let history = kv.ok(&["history", "busy", "--output", "jsonl"]);
    assert_eq!(history.lines().count(), 1005);
    let out = kv.run(&["verify"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("verified 1005 entries"));
    // Paging: --limit, then --before the last one shown, and --after.
    let page1: Vec<serde_json::Value> = kv
        .ok(&["log", "--limit", "3", "--output", "jsonl"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        page1
            .iter()
            .map(|e| e["sequence"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![1004, 1003, 1002]
    );
    let before = page1[2]["version_id"].as_str().unwrap();
    let page2: Vec<serde_json::Value> = serde_json::from_str(&kv.ok(&[
        "log", "--limit", "2", "--before", before, "--output", "json",
    ]))
    .unwrap();
    assert_eq!(
        page2
            .iter()
            .map(|e| e["sequence"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![1001, 1000]
    );
    let newer = kv.ok(&["log", "--after", page2[0]["version_id"].as_str().unwrap()]);
    assert_eq!(newer.lines().count(), 3);
}

#[test]
fn concurrent_writers_never_fork_the_chain_or_lose_a_write() {
    let kv = Kv::new("");
    let writers = 6;
    let per_writer = 5;
    let writer = |w: usize| {
        let script = (0..per_writer)
            .map(|i| format!("\"$IMMUKV\" --path-style set shared-{} '{{\"writer\":{w},\"i\":{i}}}' >/dev/null || exit 1", i % 2))
            .collect::<Vec<_>>()
            .join("; ");
        let mut cmd = kv.env.std_cmd("sh");
        cmd.args(["-c", &script])
            .env("IMMUKV", crate::support::bin_path("immukv"));
        cmd
    };
    for out in spawn_all((0..writers).map(writer)) {
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let log = kv.log();
    let total = writers * per_writer;
    assert_eq!(log.len(), total);
    let seqs: Vec<i64> = log
        .iter()
        .rev()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        (0..total as i64).collect::<Vec<_>>(),
        "contiguous sequence numbers"
    );
    let mut writes: Vec<(i64, i64)> = log
        .iter()
        .map(|e| {
            (
                e["value"]["writer"].as_i64().unwrap(),
                e["value"]["i"].as_i64().unwrap(),
            )
        })
        .collect();
    writes.sort();
    writes.dedup();
    assert_eq!(writes.len(), total, "every write exactly once");
    assert!(kv.run(&["verify"]).status.success());
    assert_eq!(kv.py(&["verify"]), serde_json::json!(true));
}

#[test]
fn orphans_are_read_from_the_log_and_repaired_by_the_next_write() {
    let kv = Kv::new("");
    kv.ok(&["set", "k", "1"]);
    // A writer that died between the phases: the log is ahead of the key object.
    immukv_py(&["append", &kv.bucket, "", "k", "1", "--no-key-object"]);
    let orphan = kv.ok(&["--read-only", "get", "k"]);
    assert_eq!(orphan, "{\"n\":1,\"text\":\"caf\\u00e9\"}\n");
    let history = kv.ok(&["--read-only", "history", "k", "--output", "jsonl"]);
    assert_eq!(history.lines().count(), 2, "{history}");
    assert!(history.lines().next().unwrap().contains("\"sequence\":1"));
    // The next write repairs the key object first.
    kv.ok(&["set", "other", "2"]);
    let body: String =
        serde_json::from_str(&immukv_py(&["raw-get", &kv.bucket, "keys/k.json"])).unwrap();
    assert!(body.contains("\"sequence\":1"), "{body}");
    assert!(kv.run(&["verify"]).status.success());
}

#[test]
fn a_deleted_log_is_not_forked_without_force() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    kv.ok(&["set", "a", "2"]);
    immukv_py(&["delete", &kv.bucket, "_log.json"]);
    let before = kv.bucket_counts();
    let out = kv.run(&["set", "a", "3"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("delete marker") && stderr(&out).contains("--force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(kv.bucket_counts(), before, "nothing written");
    // --force continues from the newest real version: the chain stays one chain.
    let out = kv.ok(&["set", "a", "3", "--force"]);
    assert!(out.starts_with("2\t"), "{out}");
    assert!(kv.run(&["verify"]).status.success());
}

#[test]
fn bad_input_gets_one_line_and_writes_nothing() {
    let kv = Kv::new("");
    let long_key = "k".repeat(1100);
    for (args, code, message) in [
        (vec!["set", "k", "{bad json"], 2, "not valid JSON"),
        (vec!["set", "k", "NaN"], 2, "NaN"),
        (vec!["set", "k", "[1e999]"], 2, "out of range"),
        (vec!["set", &long_key, "1"], 2, "longer than S3's 1024"),
        (vec!["get", "missing"], 1, "not found"),
        (vec!["--read-only", "set", "k", "1"], 2, "--read-only"),
    ] {
        let out = kv.run(&args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{:?}: {}",
            &args[..2],
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(message),
            "{:?}: {}",
            &args[..2],
            stderr(&out)
        );
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    assert_eq!(
        kv.bucket_counts(),
        serde_json::json!({"versions": 0, "delete_markers": 0})
    );

    // A bucket without versioning is refused before anything is written. (Through the
    // S3 model: the emulator's own GetBucketVersioning answer is not S3's.)
    let suspended = unique("suspended").to_lowercase();
    immukv_py(&["bucket", &suspended]);
    immukv_py(&["suspend-versioning", &suspended]);
    let s3 = s3_proxy(&[]);
    let err = kv
        .cmd()
        .env("AWS_ENDPOINT_URL", s3.url())
        .args(["--bucket", &suspended, "set", "k", "1"])
        .fails(2);
    assert!(
        err.contains("versioning") && err.contains("Nothing was written"),
        "{err}"
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&immukv_py(&["list", &suspended])).unwrap(),
        serde_json::json!({"versions": 0, "delete_markers": 0})
    );

    let out = kv
        .cmd()
        .args(["--bucket", "no-such-bucket-here", "get", "k"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));

    let mut anonymous = TestEnv::new();
    anonymous.set("AWS_REGION", "eu-west-1");
    let out = anonymous
        .cmd("immukv")
        .args(["--bucket", &kv.bucket, "set", "k", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no AWS credentials"),
        "{}",
        stderr(&out)
    );

    let out = TestEnv::new()
        .cmd("immukv")
        .args(["get", "k"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("IMMUKV_BUCKET"));
}

/// A store whose bucket's versioning is suspended after entries were written: the
/// write is refused before anything is put, and nothing is ever deleted (a DELETE of
/// the live log would put a delete marker on a key with history).
#[test]
fn a_suspended_bucket_is_refused_and_never_deleted_from() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    kv.ok(&["set", "a", "2"]);
    immukv_py(&["suspend-versioning", &kv.bucket]);
    let before = kv.bucket_counts();
    let s3 = s3_proxy(&[]);
    let err = kv
        .cmd()
        .env("AWS_ENDPOINT_URL", s3.url())
        .args(["set", "a", "3"])
        .fails(2);
    assert!(
        err.contains("versioning") && err.contains("Nothing was written"),
        "{err}"
    );
    assert_eq!(
        kv.bucket_counts(),
        before,
        "nothing written, nothing deleted"
    );
    assert_eq!(kv.bucket_counts()["delete_markers"], 0);

    // Where the bucket's versioning cannot be read (the construct's policies deny
    // GetBucketVersioning), the PUT's answer tells: the entry stays as the unversioned
    // object it became, nothing is deleted, and the next write refuses to go on top.
    let denied = s3_proxy(&["--deny", "GET:?versioning"]);
    let err = kv
        .cmd()
        .env("AWS_ENDPOINT_URL", denied.url())
        .args(["set", "a", "3"])
        .fails(2);
    assert!(
        err.contains("does not keep versions") && err.contains("enable versioning"),
        "{err}"
    );
    let err = kv
        .cmd()
        .env("AWS_ENDPOINT_URL", denied.url())
        .args(["set", "a", "4"])
        .fails(2);
    assert!(err.contains("versioning"), "{err}");
    // (The emulator drops older versions on a PUT into a suspended bucket, which S3
    // does not, so only the delete markers are counted here.)
    assert_eq!(
        kv.bucket_counts()["delete_markers"],
        0,
        "never a delete marker on the log"
    );
}

#[test]
fn values_from_stdin_file_and_as_strings() {
    let kv = Kv::new("");
    kv.cmd()
        .args(["set", "s"])
        .write_stdin("{\"from\": \"stdin\"}")
        .assert()
        .success();
    assert_eq!(kv.ok(&["get", "s"]), "{\"from\":\"stdin\"}\n");
    let file = kv.env.write("value.json", "[1, 2, 3]");
    kv.ok(&["set", "f", "--file", file.to_str().unwrap()]);
    assert_eq!(kv.ok(&["get", "f"]), "[1,2,3]\n");
    kv.ok(&["set", "t", "--string", "not json: 'quoted'"]);
    assert_eq!(kv.ok(&["get", "t"]), "\"not json: 'quoted'\"\n");
    let entry: serde_json::Value = serde_json::from_str(&kv.ok(&["get", "t", "--entry"])).unwrap();
    assert_eq!(entry["value"], "not json: 'quoted'");
    assert_eq!(entry["sequence"], 2);
    assert_eq!(kv.ok(&["keys", "--limit", "2"]), "f\ns\n");
    assert_eq!(kv.ok(&["keys", "--after", "f"]), "s\nt\n");
    assert_eq!(kv.ok(&["keys", "t", "--output", "json"]), "[\"t\"]\n");
}

/// A log these credentials may not read (403: the construct's policies answer 403 for
/// a missing object, so the log's versions decide) is refused at once, never taken for
/// an empty store to write genesis into.
#[test]
fn a_log_it_may_not_read_is_not_an_empty_store() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    let before = kv.bucket_counts();
    let proxy = s3_proxy(&["--deny", "GET:/_log.json"]);
    let err = kv
        .cmd()
        .env("AWS_ENDPOINT_URL", proxy.url())
        .args(["set", "b", "2"])
        .fails(1);
    assert!(err.contains("access denied to _log.json"), "{err}");
    let denied: Vec<_> = proxy_log(&proxy)
        .into_iter()
        .filter(|r| r.status == Some(403))
        .collect();
    assert_eq!(denied.len(), 1, "no retrying against a 403: {denied:?}");
    assert_eq!(kv.bucket_counts(), before, "nothing written");
}

/// A log that answers 404 while its versions are listed (it never settles) is an
/// error after a few reads, not a loop without end.
#[test]
fn a_log_that_never_settles_is_an_error_not_a_hang() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    let proxy = s3_proxy(&["--not-found", "GET:/_log.json"]);
    let mut set = kv.env.std_cmd(crate::support::bin_path("immukv"));
    set.args(["--path-style", "set", "b", "2"])
        .env("AWS_ENDPOINT_URL", proxy.url());
    let (out, _) = crate::support::run_within(set, 60);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("kept changing"), "{err}");
}
