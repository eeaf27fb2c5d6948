//! immukv where S3 answers a conditional write 409 ConditionalRequestConflict (a
//! conflicting write in flight): a 409 means "try again", never "done", so every
//! acknowledged `set` stays readable; orphans left by others are found by `get`,
//! named by `verify` and rewritten by `immukv repair`.

use std::collections::HashMap;

use crate::support::immukv::Kv;
use crate::support::{Run, fixture, http_get, immukv_py, proxy_log, s3_proxy, stderr, unique};

/// Concurrent writers, each `set`ting keys of its own, through a proxy that answers a
/// share of conditional PUTs 409 (and some requests 503, and loses some answers):
/// every `set` that exits 0 is readable by our `get` and by the official client, and
/// is in the log exactly once; `verify` passes with no repair in between.
fn acknowledged_sets_stay_readable(seed: &str, conflict: &str, writers: usize, per_writer: usize) {
    let kv = Kv::new("");
    let proxy = s3_proxy(&[
        "--conflict",
        conflict,
        "--slowdown",
        "0.05",
        "--drop-after",
        "0.05",
        "--seed",
        seed,
    ]);
    let mut acknowledged = Vec::new();
    for (w, i, status) in kv.sets_at_once(&proxy, writers, per_writer, |w, i| format!("w{w}-{i}")) {
        if status == 0 {
            acknowledged.push(format!("w{w}-{i}"));
        }
    }
    let errors: String = (0..writers)
        .map(|w| {
            std::fs::read_to_string(kv.env.path().join(format!("errors-{w}"))).unwrap_or_default()
        })
        .collect();
    let stats: serde_json::Value =
        serde_json::from_str(&http_get(&format!("{}/__proxy_stats", proxy.url()))).unwrap();
    assert!(
        stats["conflicts"].as_u64().unwrap() > 0,
        "409s were answered: {stats}"
    );
    assert!(
        acknowledged.len() >= writers * per_writer * 3 / 4,
        "most writes succeed ({stats}): {errors}"
    );

    // Exactly once in the log.
    let mut in_log: HashMap<String, usize> = HashMap::new();
    for e in kv.log() {
        *in_log
            .entry(e["key"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    for key in &acknowledged {
        assert_eq!(
            in_log.get(key),
            Some(&1),
            "{key} is in the log once; {errors}"
        );
    }
    assert!(
        in_log.values().all(|n| *n == 1),
        "no entry twice: {in_log:?}"
    );

    // Readable, by us and by the official client (which repairs nothing on the way).
    for key in &acknowledged {
        let (w, i) = key[1..].split_once('-').unwrap();
        let value = kv.ok(&["get", key]);
        assert_eq!(
            value.trim(),
            format!("{{\"i\":{i},\"w\":{w}}}"),
            "{key}; {errors}"
        );
    }
    let mut args = vec!["read-only-gets"];
    args.extend(acknowledged.iter().map(String::as_str));
    let python = kv.py(&args);
    for key in &acknowledged {
        let (w, i) = key[1..].split_once('-').unwrap();
        assert_eq!(
            python[key.as_str()],
            serde_json::json!({"w": w.parse::<i64>().unwrap(), "i": i.parse::<i64>().unwrap()}),
            "the official client reads {key}"
        );
    }
    kv.ok(&["verify"]);
    assert_eq!(
        kv.py(&["verify"]),
        serde_json::json!(true),
        "the official client verifies it too"
    );
}

#[test]
fn acknowledged_sets_stay_readable_under_many_409s_seed_3() {
    acknowledged_sets_stay_readable("3", "0.3", 3, 12);
}

#[test]
fn acknowledged_sets_stay_readable_under_many_409s_seed_8() {
    acknowledged_sets_stay_readable("8", "0.3", 3, 12);
}

#[test]
fn acknowledged_sets_stay_readable_under_few_409s() {
    // More writes, so that a low share still answers some 409s.
    acknowledged_sets_stay_readable("5", "0.05", 4, 12);
}

/// The previous entry's key object was never written (its writer died between its two
/// phases). The next `set` repairs it; S3 answers that repair 409 once: the repair is
/// tried again, not counted as done, and the orphan does not end up below the new entry.
#[test]
fn a_409_on_the_repair_is_tried_again_not_counted_as_done() {
    let kv = Kv::new("");
    kv.ok(&["set", "a", "1"]);
    kv.py(&[
        "append",
        "b",
        "1",
        "--no-key-object",
        "--value",
        "\"orphan\"",
    ]);
    let proxy = s3_proxy(&["--conflict-on", "keys/b.json:1"]);
    kv.cmd()
        .env("AWS_ENDPOINT_URL", proxy.url())
        .args(["set", "c", "3"])
        .succeeds();
    let puts: Vec<Option<u16>> = proxy_log(&proxy)
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("keys/b.json"))
        .map(|r| r.status)
        .collect();
    assert_eq!(
        puts,
        [Some(409), Some(200)],
        "the repair is put again after the 409"
    );
    assert_eq!(kv.ok(&["get", "b"]).trim(), "\"orphan\"");
    kv.ok(&["verify"]);
}

/// An orphan that is no longer the newest entry (left by a writer that gave up, or an
/// older client): `get` says the key object is missing and names `immukv repair`
/// rather than "not found"; `verify` names it too; a read-only caller is refused;
/// `repair` rewrites exactly the missing and lagging key objects, then has nothing
/// left to do; a key that never existed is still just not found.
#[test]
fn orphans_below_the_head_are_found_named_and_repaired() {
    let kv = Kv::new("r/");
    kv.ok(&["set", "a", "1"]);
    // b: never had a key object. a: its key object lags behind its newest entry.
    kv.py(&["append", "b", "1", "--no-key-object", "--value", "\"b1\""]);
    kv.py(&["append", "a", "1", "--no-key-object", "--value", "2"]);
    kv.ok(&["set", "c", "3"]);
    // Undo what the `set` repaired beside it: a lags again (its key object one behind).
    let versions = kv.versions("keys/a.json");
    if versions.len() > 1 {
        crate::support::immukv_py(&[
            "delete-version",
            &kv.bucket,
            &kv.object("keys/a.json"),
            &versions[0],
        ]);
    }

    let err = kv.fails(&["get", "b"], 1);
    assert!(
        err.contains("r/keys/b.json") && err.contains("missing") && err.contains("immukv repair"),
        "{err}"
    );
    let err = kv.fails(&["get", "never-written"], 1);
    assert!(err.ends_with("key \"never-written\" not found\n"), "{err}");
    let err = kv.fails(&["verify"], 1);
    assert!(err.contains("immukv repair"), "{err}");

    let err = kv.fails(&["--read-only", "repair"], 2);
    assert!(err.contains("--read-only"), "{err}");
    let denied = s3_proxy(&["--deny", "PUT:.json"]);
    let err = kv
        .cmd()
        .env("AWS_ENDPOINT_URL", denied.url())
        .arg("repair")
        .fails(1);
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(kv.versions("keys/b.json").len(), 0, "nothing written");

    let out = kv.cmd().arg("repair").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let fixed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(fixed.lines().count(), 2, "{fixed}");
    assert!(
        fixed.contains("r/keys/a.json") && fixed.contains("r/keys/b.json"),
        "{fixed}"
    );
    assert!(
        stderr(&out).contains("repaired 2 key objects"),
        "{}",
        stderr(&out)
    );
    assert_eq!(kv.ok(&["get", "b"]).trim(), "\"b1\"");
    assert_eq!(kv.ok(&["get", "a"]).trim(), "2");
    kv.ok(&["verify"]);
    let again = kv.cmd().arg("repair").output().unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(again.stdout.is_empty(), "nothing left to repair");
    assert!(
        stderr(&again).contains("repaired 0 key objects"),
        "{}",
        stderr(&again)
    );
}

/// The emulator the suite runs is S3 where the chain depends on it: of many PUTs at
/// once naming the same ETag, exactly one wins. (moto's check-then-write let two
/// win, and two writers then appended the same sequence number; moto_server.py
/// serializes a key's writes.)
#[test]
fn of_many_conditional_writes_at_once_exactly_one_wins() {
    let bucket = unique("race").to_lowercase();
    immukv_py(&["bucket", &bucket]);
    let raced: serde_json::Value =
        serde_json::from_str(&fixture(&["conditional-race", &bucket, "200", "24"])).unwrap();
    assert_eq!(raced["rounds"], 200);
    assert_eq!(raced["many_won"], 0, "rounds with more than one winner");
}

