//! immukv as an auditor relies on it: exactly-once writes through a proxy that loses
//! answers, a verify that covers what `get` returns, remembered heads that catch a
//! rolled-back or rewritten log, checkpoints, and the TypeScript dialect's text.

use std::collections::HashMap;
use std::fs;

use crate::support::immukv::Kv;
use crate::support::{Run, http_get, immukv_py, s3_proxy, stderr};

/// With answers lost after S3 carried the PUT out (the SDK's retry then sees 412) and
/// 503 SlowDown thrown in, concurrent writers never double an entry: a `set` that exits
/// 0 is in the log exactly once, one that fails at most once; the chain verifies (ours
/// and the official client's) with contiguous sequences.
#[test]
fn lost_answers_never_double_a_write() {
    let kv = Kv::new("");
    let proxy = s3_proxy(&["--drop-after", "0.15", "--slowdown", "0.08", "--seed", "11"]);
    let writers = 6;
    let per_writer = 8;
    let mut acknowledged = Vec::new();
    let mut failed = Vec::new();
    for (w, i, status) in kv.sets_at_once(&proxy, writers, per_writer, |_, i| format!("k{}", i % 3))
    {
        let run = (w as i64, i as i64);
        if status == 0 {
            acknowledged.push(run);
        } else {
            failed.push(run);
        }
    }
    let stats: serde_json::Value = {
        let body = http_get(&format!("{}/__proxy_stats", proxy.url()));
        serde_json::from_str(&body).unwrap()
    };
    assert!(
        stats["dropped"].as_u64().unwrap() > 0,
        "faults happened: {stats}"
    );
    assert!(
        stats["slowdowns"].as_u64().unwrap() > 0,
        "faults happened: {stats}"
    );

    let log = kv.log();
    let sequences: Vec<i64> = log
        .iter()
        .rev()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(
        sequences,
        (0..log.len() as i64).collect::<Vec<_>>(),
        "contiguous"
    );
    let mut written: HashMap<(i64, i64), usize> = HashMap::new();
    for e in &log {
        *written
            .entry((
                e["value"]["w"].as_i64().unwrap(),
                e["value"]["i"].as_i64().unwrap(),
            ))
            .or_default() += 1;
    }
    for w in &acknowledged {
        assert_eq!(
            written.get(w),
            Some(&1),
            "acknowledged write {w:?} is in the log exactly once"
        );
    }
    for w in &failed {
        assert!(
            written.get(w).copied().unwrap_or(0) <= 1,
            "failed write {w:?} at most once"
        );
    }
    assert_eq!(log.len(), written.len(), "no entry twice: {written:?}");
    assert!(
        acknowledged.len() >= writers * per_writer / 2,
        "most writes succeed: {failed:?}"
    );
    kv.ok(&["verify"]);
    assert_eq!(
        immukv_py(&["verify", &kv.bucket, ""]).trim(),
        "true",
        "the official client verifies it too"
    );
}

/// A key object edited behind the log's back: `get` refuses it, naming the object,
/// and `verify` names it too.
#[test]
fn a_tampered_key_object_is_refused_by_get_and_caught_by_verify() {
    let kv = Kv::new("t/");
    kv.ok(&["set", "a", "1"]);
    kv.ok(&["set", "a", "2"]);
    let path = kv.object("keys/a.json");
    let body: String = serde_json::from_str(&immukv_py(&["raw-get", &kv.bucket, &path])).unwrap();
    let edited = body.replace("\"value\":2", "\"value\":999");
    assert_ne!(edited, body);
    immukv_py(&["raw-put", &kv.bucket, &path, &edited]);
    let err = kv.fails(&["get", "a"], 1);
    assert!(
        err.contains("t/keys/a.json (version") && err.contains("does not match its own hash"),
        "{err}"
    );
    let err = kv.fails(&["verify"], 1);
    assert!(
        err.contains("t/keys/a.json") && err.contains("does not match its own hash"),
        "{err}"
    );
}

/// Deleting the newest log version (a truncated head) leaves a key object that names a
/// log version no longer there: verify names it.
#[test]
fn a_truncated_head_is_caught() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    kv.ok(&["set", "b", "2"]);
    let newest = kv.versions("_log.json")[0].clone();
    immukv_py(&["delete-version", &kv.bucket, "_log.json", &newest]);
    let err = kv.fails(&["verify"], 1);
    assert!(
        err.contains("keys/b.json")
            && err.contains(&format!(
                "names log version {newest}, which is not in the log"
            )),
        "{err}"
    );
}

/// A key object rolled back to an older version of itself (a copy of an older body):
/// its hash and log entry agree, but get would return an older value.
#[test]
fn a_rolled_back_key_object_is_caught() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    let old: String =
        serde_json::from_str(&immukv_py(&["raw-get", &kv.bucket, "keys/a.json"])).unwrap();
    kv.ok(&["set", "a", "2"]);
    kv.ok(&["set", "b", "3"]);
    immukv_py(&["raw-put", &kv.bucket, "keys/a.json", &old]);
    let err = kv.fails(&["verify"], 1);
    assert!(
        err.contains("keys/a.json") && err.contains("get would return an older value"),
        "{err}"
    );
}

/// A garbled log entry is a failed check (exit 1), its cause said once.
#[test]
fn a_garbled_entry_is_a_failed_check_said_once() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    immukv_py(&["raw-put", &kv.bucket, "_log.json", "{\"hash\": garbled"]);
    let err = kv.fails(&["verify"], 1);
    assert_eq!(err.matches("not a valid entry").count(), 1, "{err}");
    assert_eq!(err.matches("invalid JSON").count(), 1, "{err}");
    kv.fails(&["log"], 1);
}

/// Entries and key objects are read up to a cap (4 MiB): a larger object is refused,
/// clearly; a value that large is refused before anything is written.
#[test]
fn objects_are_read_up_to_a_cap() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    immukv_py(&["raw-put-sized", &kv.bucket, "_log.json", "5000000"]);
    for args in [&["get", "big"][..], &["verify"][..], &["log"][..]] {
        let err = kv.fails(args, 1);
        assert!(err.contains("larger than 4194304 bytes"), "{args:?}: {err}");
    }
    let kv = Kv::new("");
    let big = kv
        .env
        .write("big.json", format!("\"{}\"", "x".repeat(5_000_000)));
    let err = kv.fails(&["set", "big", "--file", big.to_str().unwrap()], 2);
    assert!(err.contains("more than the 4194304"), "{err}");
    assert!(kv.versions("_log.json").is_empty(), "nothing written");
}

/// The TypeScript client's text is built, not made by rewriting Python's escapes: a key
/// or value holding the six characters `\u007f` (and a real DEL) verifies in both
/// dialects, and `get` recomputes its hash.
#[test]
fn escaped_looking_text_verifies_in_both_dialects() {
    let kv = Kv::new("");
    let key = "k\\u007f";
    let value = serde_json::json!({"text": "a\\u007f b \u{7f} c", "\\u007f": 1}).to_string();
    immukv_py(&["append", &kv.bucket, "", key, "2", "--value", &value]);
    immukv_py(&[
        "append",
        &kv.bucket,
        "",
        key,
        "2",
        "--typescript",
        "--value",
        &value,
    ]);
    let out = kv.cmd().arg("verify").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("verified 4 entries (2 python, 2 typescript)"),
        "{}",
        stderr(&out)
    );
    let got: serde_json::Value = serde_json::from_str(&kv.ok(&["get", key])).unwrap();
    assert_eq!(got["text"], "a\\u007f b \u{7f} c");
}

/// `verify` remembers the head it verified; the next one checks only what was added
/// and confirms the remembered entry is still there. A log rolled back or rewritten
/// since is caught and said so; `--full` re-verifies from genesis, still comparing.
#[test]
fn remembered_heads_catch_a_rollback_and_a_rewrite() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    kv.ok(&["set", "b", "2"]);
    kv.ok(&["set", "a", "3"]);
    let first = kv.cmd().arg("verify").output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("verified 3 entries (3 python) and 2 key objects"),
        "{}",
        stderr(&first)
    );
    let remembered: Vec<_> = fs::read_dir(kv.env.cache_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("immukv-head-"))
        .collect();
    assert_eq!(remembered.len(), 1);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        remembered[0].metadata().unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Nothing new: nothing but the head is read again.
    let again = kv.cmd().arg("verify").output().unwrap();
    assert!(
        stderr(&again).contains("verified no new entries since sequence 2"),
        "{}",
        stderr(&again)
    );
    assert!(
        stderr(&again).contains("(2 unchanged)"),
        "{}",
        stderr(&again)
    );
    kv.ok(&["set", "c", "4"]);
    let more = kv.cmd().arg("verify").output().unwrap();
    assert!(
        stderr(&more).contains("verified 1 new entry (1 python) since sequence 2"),
        "only the new entry: {}",
        stderr(&more)
    );

    // Roll the whole store back by one write, consistently: the newest log version and
    // the key object it made.
    let log_newest = kv.versions("_log.json")[0].clone();
    let key_newest = kv.versions("keys/c.json")[0].clone();
    immukv_py(&["delete-version", &kv.bucket, "_log.json", &log_newest]);
    immukv_py(&["delete-version", &kv.bucket, "keys/c.json", &key_newest]);
    for extra in [&[][..], &["--full"][..]] {
        let err = kv.cmd().arg("verify").args(extra).fails(1);
        assert!(
            err.contains("rolled back or rewritten since"),
            "{extra:?}: {err}"
        );
    }

    // A store rewritten as a whole (every version replaced, as long as before) is caught.
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    kv.ok(&["set", "a", "2"]);
    kv.ok(&["verify"]);
    immukv_py(&["wipe", &kv.bucket]);
    kv.ok(&["set", "a", "1"]);
    kv.ok(&["set", "a", "2"]);
    kv.ok(&["set", "a", "3"]);
    let err = kv.fails(&["verify"], 1);
    assert!(
        err.contains("the log was rewritten since") && err.contains("sequence 1 was version"),
        "{err}"
    );
}

/// Two stores (prefixes) in one bucket keep separate remembered heads.
#[test]
fn stores_never_share_remembered_heads() {
    let mut one = Kv::new("one/");
    let mut two = Kv::in_bucket(&one.bucket, "two/");
    // One cache folder for both stores.
    let shared = one.env.cache_dir();
    one.env.set("CDK_CACHE_DIR", &shared);
    two.env.set("CDK_CACHE_DIR", &shared);
    one.ok(&["set", "a", "1"]);
    one.ok(&["set", "a", "2"]);
    two.ok(&["set", "b", "1"]);
    one.ok(&["verify"]);
    two.ok(&["verify"]);
    let newest = one.versions("_log.json")[0].clone();
    immukv_py(&["delete-version", &one.bucket, "one/_log.json", &newest]);
    let key_newest = one.versions("keys/a.json")[0].clone();
    immukv_py(&[
        "delete-version",
        &one.bucket,
        "one/keys/a.json",
        &key_newest,
    ]);
    one.fails(&["verify"], 1);
    two.ok(&["verify"]);
}

/// `immukv checkpoint` prints the verified head; `verify --checkpoint FILE` trusts it
/// with no cache at all (a CI job), catches a rollback past it, and refuses another
/// store's checkpoint or one from a forked chain.
#[test]
fn checkpoints_anchor_a_verify_without_a_cache() {
    let kv = Kv::new("cp/");
    kv.ok(&["set", "a", "1"]);
    kv.ok(&["set", "a", "2"]);
    let checkpoint: serde_json::Value = serde_json::from_str(&kv.ok(&["checkpoint"])).unwrap();
    assert_eq!(checkpoint["sequence"], 1);
    assert_eq!(checkpoint["store"]["bucket"], kv.bucket.as_str());
    assert_eq!(checkpoint["store"]["prefix"], "cp/");
    assert!(checkpoint["hash"].as_str().unwrap().starts_with("sha256:"));
    let file = kv.env.write("checkpoint.json", checkpoint.to_string());
    kv.ok(&["set", "a", "3"]);

    // A job with no cache folder of its own.
    let ci = Kv::in_bucket(&kv.bucket, "cp/");
    let out = ci
        .cmd()
        .args(["verify", "--checkpoint", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("verified 1 new entry (1 python) since sequence 1"),
        "{}",
        stderr(&out)
    );

    let mut other = checkpoint.clone();
    other["store"]["prefix"] = "elsewhere/".into();
    let other = ci.env.write("other.json", other.to_string());
    let err = ci.fails(&["verify", "--checkpoint", other.to_str().unwrap()], 1);
    assert!(
        err.contains("the checkpoint is for s3://") && err.contains("refusing it"),
        "{err}"
    );

    let mut forked = checkpoint.clone();
    forked["hash"] = format!("sha256:{}", "1".repeat(64)).into();
    let forked = ci.env.write("forked.json", forked.to_string());
    let err = ci.fails(&["verify", "--checkpoint", forked.to_str().unwrap()], 1);
    assert!(err.contains("the log was rewritten since"), "{err}");

    let garbage = ci.env.write("garbage.json", "{}");
    let err = ci.fails(&["verify", "--checkpoint", garbage.to_str().unwrap()], 2);
    assert!(err.contains("is not a checkpoint"), "{err}");
}
