//! immukv on stores deployed with the construct's retention: the oldest log versions
//! expire under a lifecycle rule, and only what the rule explains is accepted.
//!
//! The emulator never expires anything and cannot turn its clock back, so the tests
//! delete the oldest versions as the rule would, and a proxy in front of the emulator
//! (`s3_proxy.py --age-versions DAYS`) answers as if everything had been written DAYS
//! ago. The decision itself is unit-tested on synthetic times (`immukv::retention`).

use crate::support::immukv::Kv;
use crate::support::{Proxied, Server, immukv_py, immukv_py_at, proxy_log, s3_proxy};

/// The construct's rule for the log of the store under `prefix`.
fn log_rule(prefix: &str, days: u32, keep: Option<u32>) -> String {
    let keep = keep
        .map(|n| format!(r#","NewerNoncurrentVersions":{n}"#))
        .unwrap_or_default();
    format!(
        r#"{{"Rules":[{{"ID":"delete-old-log-versions-Root","Status":"Enabled","Filter":{{"Prefix":"{prefix}_log.json"}},"NoncurrentVersionExpiration":{{"NoncurrentDays":{days}{keep}}}}}]}}"#
    )
}

/// A store of 30 entries: `old` (sequences 0-2, never written again), `a` (3-14) and
/// `b` (15-29), written with the official client's hashing; `expired` of its oldest
/// log versions then deleted, as a lifecycle rule would.
fn store(prefix: &str, expired: usize) -> Kv {
    let kv = Kv::new(prefix);
    for (key, n) in [("old", "3"), ("a", "12"), ("b", "15")] {
        immukv_py(&["append", &kv.bucket, prefix, key, n]);
    }
    kv.expire("_log.json", 30 - expired);
    kv
}

/// `kv`'s store seen through `proxy`: another machine, with an empty cache folder.
fn through(kv: &Kv, proxy: &Server) -> Kv {
    let mut seen = Kv::in_bucket(&kv.bucket, &kv.prefix);
    seen.env.set("AWS_ENDPOINT_URL", proxy.url());
    seen
}

/// A proxy that answers as if everything had been written `days` ago, and serves the
/// lifecycle configuration as S3 does.
fn aged(days: u32) -> Server {
    s3_proxy(&["--age-versions", &days.to_string(), "--lifecycle"])
}

#[test]
fn expiry_the_buckets_rule_explains_is_accepted_everywhere() {
    let kv = store("r/", 15);
    let proxy = aged(100);
    immukv_py_at(
        &proxy.url(),
        &["lifecycle", &kv.bucket, &log_rule("r/", 90, Some(5))],
    );
    let ci = through(&kv, &proxy);
    let said = ci.says(&["verify"]);
    assert!(
        said.contains("verified sequences 15-29 (15 python) and 3 key objects (0 unchanged, 2 of them for expired entries); \
             sequences 0-14 expired under lifecycle rule delete-old-log-versions-Root (noncurrent for 90 days, \
             keeping the newest 5 noncurrent versions): the chain is intact"),
        "{said}"
    );
    // The remembered head is then the anchor; --full walks it all again.
    assert!(
        ci.says(&["verify"])
            .contains("verified no new entries since sequence 29")
    );
    assert!(
        ci.says(&["verify", "--full"])
            .contains("sequences 0-14 are gone below the verified head")
    );
    // A checkpoint, an export and its offline verify, all on a machine of their own.
    let fresh = through(&kv, &proxy);
    let checkpoint: serde_json::Value = serde_json::from_str(&fresh.ok(&["checkpoint"])).unwrap();
    assert_eq!(checkpoint["sequence"], 29);
    let fresh = through(&kv, &proxy);
    let export = fresh.cmd().arg("export").output().unwrap();
    let note = String::from_utf8_lossy(&export.stderr);
    assert!(export.status.success(), "{note}");
    assert!(
        note.contains(
            "exported 15 entries (15 python); sequences 0-14 expired under lifecycle rule"
        ),
        "{note}"
    );
    let dump = fresh.env.write("dump.jsonl", &export.stdout);
    let dump = dump.to_str().unwrap();
    // Offline there is no rule to read: the flag declares it, else it is refused.
    let e = fresh.fails(&["verify", "--file", dump], 1);
    assert!(
        e.contains("sequences 0-14 are missing from") && e.contains("--log-version-retention"),
        "{e}"
    );
    let said = fresh.says(&["verify", "--file", dump, "--log-version-retention", "90"]);
    assert!(
        said.contains("sequence 15 to 29; sequences 0-14 expired under --log-version-retention 90"),
        "{said}"
    );
    // The official client calls this store fine too (it never checks genesis at all).
    assert_eq!(kv.py(&["verify"]), serde_json::json!(true));
}

#[test]
fn expiry_before_the_rule_allows_it_is_caught() {
    let kv = store("early/", 15);
    // Written 30 days ago, kept 90: S3 could not have removed anything yet.
    let proxy = aged(30);
    immukv_py_at(
        &proxy.url(),
        &["lifecycle", &kv.bucket, &log_rule("early/", 90, None)],
    );
    let e = through(&kv, &proxy).fails(&["verify"], 1);
    assert!(
        e.contains(
            "sequences 0-14 are missing from early/_log.json: its oldest entry is sequence 15"
        ) && e.contains("they were deleted, not expired")
            && e.contains("may remove them from"),
        "{e}"
    );
    // An export writes every entry it can, then exits 1.
    let out = through(&kv, &proxy).run(&["export"]);
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 15);
    assert!(
        e.contains("they were deleted, not expired") && e.contains("all 15 entries were written"),
        "{e}"
    );
}

#[test]
fn fewer_versions_kept_than_the_rule_says_is_caught() {
    let kv = store("few/", 15);
    let proxy = aged(100);
    immukv_py_at(
        &proxy.url(),
        &["lifecycle", &kv.bucket, &log_rule("few/", 90, Some(20))],
    );
    let e = through(&kv, &proxy).fails(&["verify"], 1);
    assert!(
        e.contains(
            "only 14 noncurrent versions are left, but lifecycle rule delete-old-log-versions-Root"
        ) && e.contains("keeps at least 20"),
        "{e}"
    );
}

#[test]
fn with_no_rule_the_gap_is_caught_and_the_flag_named() {
    let kv = store("none/", 15);
    let proxy = aged(100);
    let e = through(&kv, &proxy).fails(&["verify"], 1);
    assert!(
        e.contains("sequences 0-14 are missing from none/_log.json")
            && e.contains(
                "no enabled lifecycle rule of the bucket expires its noncurrent versions"
            )
            && e.contains("--log-version-retention"),
        "{e}"
    );
    // A rule for another prefix, or one only for tagged objects, covers nothing here.
    let other = r#"{"Rules":[{"ID":"other","Status":"Enabled","Filter":{"Prefix":"elsewhere/"},"NoncurrentVersionExpiration":{"NoncurrentDays":1}},
        {"ID":"tagged","Status":"Enabled","Filter":{"Tag":{"Key":"k","Value":"v"}},"NoncurrentVersionExpiration":{"NoncurrentDays":1}}]}"#;
    immukv_py_at(&proxy.url(), &["lifecycle", &kv.bucket, other]);
    let e = through(&kv, &proxy).fails(&["verify"], 1);
    assert!(e.contains("no enabled lifecycle rule"), "{e}");
}

/// The construct's own policies do not allow GetBucketLifecycleConfiguration: then the
/// flags (or their variables) declare the retention, and without them the message
/// names the flag.
#[test]
fn an_unreadable_rule_falls_back_to_the_flags() {
    let kv = store("ro/", 15);
    let proxy = s3_proxy(&["--age-versions", "100", "--deny", "GET:?lifecycle"]);
    immukv_py(&["lifecycle", &kv.bucket, &log_rule("ro/", 90, None)]);
    let e = through(&kv, &proxy).fails(&["verify"], 1);
    assert!(
        e.contains("these credentials may not read the bucket's lifecycle rules")
            && e.contains("pass --log-version-retention DAYS"),
        "{e}"
    );
    let said = through(&kv, &proxy).says(&["verify", "--log-version-retention", "90"]);
    assert!(
        said.contains(
            "sequences 0-14 expired under --log-version-retention 90 (noncurrent for 90 days)"
        ),
        "{said}"
    );
    let mut by_env = through(&kv, &proxy);
    by_env.env.set("IMMUKV_LOG_VERSION_RETENTION", "90");
    by_env.ok(&["verify"]);
    // Declared, but too strict for what is left.
    let e = through(&kv, &proxy).fails(
        &[
            "verify",
            "--log-version-retention",
            "90",
            "--log-versions-to-retain",
            "20",
        ],
        1,
    );
    assert!(e.contains("only 14 noncurrent versions are left"), "{e}");
    // Declared, but the versions are too young for it.
    let young = s3_proxy(&["--age-versions", "10", "--deny", "GET:?lifecycle"]);
    let e = through(&kv, &young).fails(&["verify", "--log-version-retention", "90"], 1);
    assert!(e.contains("they were deleted, not expired"), "{e}");
    // The flag that only makes sense with another is refused at the command line.
    let e = through(&kv, &proxy).fails(&["verify", "--log-versions-to-retain", "5"], 2);
    assert!(e.contains("--log-version-retention"), "{e}");
}

#[test]
fn a_gap_in_the_middle_is_never_retention() {
    let kv = store("mid/", 0);
    let proxy = aged(100);
    immukv_py_at(
        &proxy.url(),
        &["lifecycle", &kv.bucket, &log_rule("mid/", 1, None)],
    );
    for version in &kv.versions("_log.json")[10..13] {
        immukv_py(&[
            "delete-version",
            &kv.bucket,
            &kv.object("_log.json"),
            version,
        ]);
    }
    let e = through(&kv, &proxy).fails(&["verify"], 1);
    assert!(
        e.contains("sequences 17-19 are missing between")
            && e.contains("rules expire only the oldest entries"),
        "{e}"
    );
}

/// A key object whose log entry expired is checked by its hash and against the log
/// that is left: a newer entry of its key among those is not missing from it.
#[test]
fn key_objects_of_expired_entries_are_checked_against_what_is_left() {
    let kv = store("keys/", 15);
    let proxy = aged(100);
    immukv_py_at(
        &proxy.url(),
        &["lifecycle", &kv.bucket, &log_rule("keys/", 90, None)],
    );
    // A key object rolled back to a body of its own whose entry expired: its hash and
    // sequence are its own, but a newer entry of its key is in the log that is left.
    let kv2 = Kv::new("keys/");
    immukv_py(&["append", &kv2.bucket, "keys/", "b", "1"]);
    let early: String =
        serde_json::from_str(&immukv_py(&["raw-get", &kv2.bucket, "keys/keys/b.json"])).unwrap();
    for (key, n) in [("a", "14"), ("b", "15"), ("c", "1")] {
        immukv_py(&["append", &kv2.bucket, "keys/", key, n]);
    }
    kv2.expire("_log.json", 16);
    immukv_py_at(
        &proxy.url(),
        &["lifecycle", &kv2.bucket, &log_rule("keys/", 90, None)],
    );
    through(&kv2, &proxy).ok(&["verify"]);
    immukv_py(&["raw-put", &kv2.bucket, "keys/keys/b.json", &early]);
    let e = through(&kv2, &proxy).fails(&["verify"], 1);
    assert!(
        e.contains("keys/keys/b.json")
            && e.contains("holds sequence 0")
            && e.contains("get would return an older value"),
        "{e}"
    );
    // An expired key object edited behind the log's back is still caught by its hash.
    let old: String =
        serde_json::from_str(&immukv_py(&["raw-get", &kv.bucket, "keys/keys/old.json"])).unwrap();
    immukv_py(&[
        "raw-put",
        &kv.bucket,
        "keys/keys/old.json",
        &old.replace("\"n\":2", "\"n\":20"),
    ]);
    let e = through(&kv, &proxy).fails(&["verify"], 1);
    assert!(
        e.contains("keys/keys/old.json") && e.contains("does not match its own hash"),
        "{e}"
    );
}

/// A checkpoint belongs to a bucket and prefix, whatever endpoint reaches it; above an
/// expired part it anchors the chain with no rule; once its own entry expired it is
/// refused with what to do.
#[test]
fn checkpoints_travel_and_anchor_expired_stores() {
    let kv = store("cp/", 0);
    let checkpoint = kv.ok(&["checkpoint"]);
    let file = kv.env.write("checkpoint.json", &checkpoint);
    let file = file.to_str().unwrap();
    // Through another endpoint (a proxy; a VPC endpoint or a FIPS name alike).
    let proxy = s3_proxy(&[]);
    let elsewhere = through(&kv, &proxy);
    let said = elsewhere.says(&["verify", "--checkpoint", file]);
    assert!(
        said.contains("verified no new entries since sequence 29"),
        "{said}"
    );
    // Ten more entries, then the oldest fifteen expire: no rule is readable or declared,
    // and the checkpoint above them anchors the chain.
    immukv_py(&["append", &kv.bucket, "cp/", "c", "10"]);
    kv.expire("_log.json", 25);
    let said = through(&kv, &proxy).says(&["verify", "--checkpoint", file, "--full"]);
    assert!(
        said.contains("verified sequences 15-39")
            && said.contains("sequences 0-14 are gone below the verified head at sequence 29"),
        "{said}"
    );
    through(&kv, &proxy).ok(&["verify", "--checkpoint", file]);
    // The dump of that store verifies offline against the checkpoint, with no rule.
    let dump = through(&kv, &proxy);
    let out = dump.cmd().arg("export").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "no rule explains the gap online"
    );
    let dump_file = dump.env.write("dump.jsonl", &out.stdout);
    let said = dump.says(&[
        "verify",
        "--file",
        dump_file.to_str().unwrap(),
        "--checkpoint",
        file,
    ]);
    assert!(
        said.contains("sequence 15 to 39, holding the checkpoint's sequence 29"),
        "{said}"
    );
    // The checkpoint's own entry expires: refused, with what to do.
    kv.expire("_log.json", 5);
    let e = through(&kv, &proxy).fails(&["verify", "--checkpoint", file], 1);
    assert!(
        e.contains("the checkpoint's entry (sequence 29")
            && e.contains("whose oldest entry is sequence 35")
            && e.contains("take checkpoints more often than the retention period"),
        "{e}"
    );
    // The head remembered in the cache folder that expired the same way is no alarm:
    // the whole log is judged instead (here: nothing explains the gap).
    let e = elsewhere.fails(&["verify"], 1);
    assert!(e.contains("sequences 0-34 are missing"), "{e}");
}

/// keyVersionRetention: when the answer lies in expired history, `get --at` and
/// `history` say it is unknown, not that the key did not exist.
#[test]
fn expired_key_history_is_unknown_not_absent() {
    let kv = Kv::new("kh/");
    kv.ok(&["set", "k", "1"]);
    kv.ok(&["set", "k", "2"]);
    kv.ok(&["set", "k", "3"]);
    let first_write: serde_json::Value =
        serde_json::from_str(&kv.ok(&["get", "k", "--entry", "--sequence", "0"])).unwrap();
    let before = (first_write["timestamp_ms"].as_i64().unwrap() - 1).to_string();
    // Did not exist before its first write, with no rule at all.
    let e = kv.fails(&["get", "k", "--at", &before], 1);
    assert!(
        e.contains("did not exist at") && e.contains("its first entry is sequence 0"),
        "{e}"
    );
    // Its two oldest key versions expire under the construct's key rule.
    kv.expire("keys/k.json", 1);
    let proxy = aged(100);
    let key_rule = r#"{"Rules":[{"ID":"delete-old-key-versions-Root","Status":"Enabled","Filter":{"Prefix":"kh/keys/"},"NoncurrentVersionExpiration":{"NoncurrentDays":30}}]}"#;
    immukv_py_at(&proxy.url(), &["lifecycle", &kv.bucket, key_rule]);
    let seen = through(&kv, &proxy);
    let e = seen.fails(&["get", "k", "--at", &before], 1);
    assert!(
        e.contains("unknown: expired before")
            && e.contains("the key's oldest entry left is sequence 2")
            && e.contains("lifecycle rule delete-old-key-versions-Root"),
        "{e}"
    );
    let e = seen.fails(&["get", "k", "--sequence", "0"], 1);
    assert!(e.contains("unknown: expired before"), "{e}");
    let out = seen.cmd().args(["history", "k"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("entries of key \"k\" before")
            && said.contains("are unknown: expired before then"),
        "{said}"
    );
    // With no rule to explain it, the versions were deleted: still unknown, and said so.
    let young = s3_proxy(&[]);
    let e = through(&kv, &young).fails(&["get", "k", "--at", &before], 1);
    assert!(
        e.contains("unknown: its entries before sequence 2")
            && e.contains("were deleted, and no retention rule explains it"),
        "{e}"
    );
}

/// What verify costs on an expired store: the requests of a store that holds the same
/// 15 entries and keys from genesis, and the one read of the lifecycle rule, made only
/// because the oldest entry is not genesis. A re-verify after two more entries costs
/// the same on both: it reads what is new and the remembered entry, never the rule.
#[test]
fn an_expired_store_costs_one_lifecycle_read_more() {
    let expired = store("cost-e/", 15);
    let whole = Kv::new("cost-w/");
    for (key, n) in [("old", "1"), ("a", "2"), ("b", "12")] {
        immukv_py(&["append", &whole.bucket, "cost-w/", key, n]);
    }
    let (proxy_e, proxy_w) = (aged(100), aged(100));
    immukv_py_at(
        &proxy_e.url(),
        &["lifecycle", &expired.bucket, &log_rule("cost-e/", 90, None)],
    );
    let (ci_e, ci_w) = (through(&expired, &proxy_e), through(&whole, &proxy_w));
    // The requests `ci` makes for `args`, as its proxy saw them.
    let requests = |ci: &Kv, proxy: &Server, args: &[&str], said: &str| {
        let before = proxy_log(proxy).len();
        let note = ci.says(args);
        assert!(note.contains(said), "{note}");
        proxy_log(proxy)[before..].to_vec()
    };
    let lifecycle = |log: &[Proxied]| {
        log.iter()
            .filter(|r| r.method == "GET" && r.query.contains("lifecycle"))
            .count()
    };

    let first_e = requests(&ci_e, &proxy_e, &["verify"], "sequences 0-14 expired");
    let first_w = requests(&ci_w, &proxy_w, &["verify"], "verified 15 entries");
    assert_eq!(lifecycle(&first_e), 1, "{first_e:#?}");
    assert_eq!(lifecycle(&first_w), 0, "{first_w:#?}");
    assert!(
        first_e.len() <= first_w.len() + 1,
        "expired: {} requests, whole: {}\n{first_e:#?}\n{first_w:#?}",
        first_e.len(),
        first_w.len()
    );

    immukv_py(&["append", &expired.bucket, "cost-e/", "b", "2"]);
    immukv_py(&["append", &whole.bucket, "cost-w/", "b", "2"]);
    let again_e = requests(&ci_e, &proxy_e, &["verify"], "verified 2 new entries");
    let again_w = requests(&ci_w, &proxy_w, &["verify"], "verified 2 new entries");
    assert_eq!(lifecycle(&again_e), 0, "{again_e:#?}");
    assert_eq!(again_e.len(), again_w.len(), "{again_e:#?}\n{again_w:#?}");
    // Proportional to what is new: the newest entry is the head already read, so the
    // entry below it and the remembered one are all the versions fetched.
    let fetched = |log: &[Proxied]| log.iter().filter(|r| r.query.contains("versionId")).count();
    assert_eq!(fetched(&again_w), 2, "{again_w:#?}");
}
