//! immukv for operators, against the emulator: point-in-time reads, watch with
//! concurrent writers, export with offline verification, and a pipelined import
//! through a proxy that loses answers, interrupted and resumed.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::immukv::Kv;
use crate::support::{
    Run, Server, TestEnv, bin_path, http_get, immukv_py, proxy_log, run_within, s3_proxy,
    spawn_all, stderr, wait_until,
};

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

/// `set`, returning the entry it wrote once the clock has moved past its time, so that
/// moments between entries exist.
fn set(kv: &Kv, key: &str, value: &str) -> serde_json::Value {
    let entry = json(&kv.ok(&["set", key, value, "--output", "json"]));
    let written = ts(&entry);
    wait_until(
        Duration::from_secs(5),
        "the clock to pass the entry's time",
        || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64
                > written + 2
        },
    );
    entry
}

/// The reads of the store's log (not of one version of it) that `proxy` saw.
fn log_reads(proxy: &Server) -> impl Iterator<Item = crate::support::Proxied> {
    proxy_log(proxy).into_iter().filter(|r| {
        r.method == "GET" && r.path.ends_with("_log.json") && !r.query.contains("versionId")
    })
}

fn ts(entry: &serde_json::Value) -> i64 {
    entry["timestamp_ms"].as_i64().unwrap()
}

fn values(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .map(|l| json(l)["value"].to_string())
        .collect()
}

#[test]
fn point_in_time_reads_at_between_and_before_writes() {
    let kv = Kv::new("pit/");
    let e0 = set(&kv, "a", "1");
    let _e1 = set(&kv, "b", r#""x""#);
    let e2 = set(&kv, "a", "2");
    // The official client writes the newest value.
    immukv_py(&["set", &kv.bucket, &kv.prefix, "a", "3"]);

    let at = |when: i64| kv.ok(&["get", "a", "--at", &when.to_string()]);
    assert_eq!(at(ts(&e0)).trim(), "1", "at the first write");
    assert_eq!(at(ts(&e0) + 1).trim(), "1", "between the writes");
    assert_eq!(at(ts(&e2) - 1).trim(), "1", "just before the second");
    assert_eq!(at(ts(&e2)).trim(), "2", "at the second write");
    assert_eq!(at(i64::from(i32::MAX) * 1000).trim(), "3", "now");
    let before = kv.fails(&["get", "a", "--at", &(ts(&e0) - 1).to_string()], 1);
    assert!(
        before.contains(r#"key "a" did not exist at"#)
            && before.contains("its first entry is sequence 0"),
        "{before}"
    );
    assert!(before.lines().count() == 1, "{before}");
    kv.fails(&["get", "b", "--at", &ts(&e0).to_string()], 1);

    // RFC 3339, as `history` prints the entries' times.
    let history = kv.ok(&["history", "a"]);
    let second_time = history.lines().nth(1).unwrap().split('\t').nth(1).unwrap();
    assert_eq!(
        kv.ok(&["get", "a", "--at", second_time]).trim(),
        "2",
        "{history}"
    );
    let usage = kv.fails(&["get", "a", "--at", "yesterday"], 2);
    assert!(usage.contains("RFC 3339"), "{usage}");

    // As of a log entry.
    assert_eq!(kv.ok(&["get", "a", "--sequence", "0"]).trim(), "1");
    assert_eq!(
        kv.ok(&["get", "a", "--sequence", "1"]).trim(),
        "1",
        "entry 1 is b's"
    );
    let entry = json(&kv.ok(&["get", "a", "--sequence", "2", "--entry"]));
    assert_eq!(
        (entry["sequence"].as_i64(), entry["value"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(kv.ok(&["get", "a", "--sequence", "3"]).trim(), "3");
    let beyond = kv.fails(&["get", "a", "--sequence", "9"], 2);
    assert!(
        beyond.contains("its newest entry is sequence 3"),
        "{beyond}"
    );

    // History bounded by time, newest first.
    let bounded = |args: &[&str]| {
        let mut all = vec!["history", "a", "--output", "jsonl"];
        all.extend_from_slice(args);
        values(&kv.ok(&all))
    };
    let after_first = (ts(&e0) + 1).to_string();
    let second = ts(&e2).to_string();
    assert_eq!(bounded(&["--since", &after_first]), ["3", "2"]);
    assert_eq!(bounded(&["--until", &second]), ["2", "1"]);
    assert_eq!(
        bounded(&["--since", &after_first, "--until", &second]),
        ["2"]
    );

    // An orphan at the head (its key object never written) is the value from then on.
    immukv_py(&[
        "append",
        &kv.bucket,
        &kv.prefix,
        "a",
        "1",
        "--no-key-object",
        "--value",
        "4",
    ]);
    assert_eq!(at(i64::from(i32::MAX) * 1000).trim(), "4");
    assert_eq!(kv.ok(&["get", "a", "--sequence", "3"]).trim(), "3");
}

/// A running `immukv watch` whose lines arrive on a channel.
struct Watcher {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
}

impl Watcher {
    fn start(kv: &Kv, args: &[&str]) -> Self {
        Self::start_with(kv.env.std_cmd(bin_path("immukv")), args)
    }

    /// Through `proxy`, once its first read of the log (where it starts) went by.
    fn started_through(kv: &Kv, proxy: &Server, args: &[&str]) -> Self {
        let mut cmd = kv.env.std_cmd(bin_path("immukv"));
        cmd.env("AWS_ENDPOINT_URL", proxy.url());
        let watcher = Self::start_with(cmd, args);
        wait_until(
            Duration::from_secs(60),
            "the watcher's first read of the log",
            || log_reads(proxy).next().is_some(),
        );
        watcher
    }

    fn start_with(mut cmd: std::process::Command, args: &[&str]) -> Self {
        cmd.args([
            "--path-style",
            "watch",
            "--output",
            "jsonl",
            "--interval",
            "0.1",
        ])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// `n` lines, or panic after 60 s.
    fn take(&self, n: usize) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + Duration::from_secs(60);
        (0..n)
            .map(|i| {
                let left = deadline.saturating_duration_since(Instant::now());
                let line = self
                    .lines
                    .recv_timeout(left)
                    .unwrap_or_else(|_| panic!("watch printed only {i} of {n} lines"));
                json(&line)
            })
            .collect()
    }

    /// SIGTERM: it must stop at once with status 0, having printed nothing more.
    fn stop(self) {
        std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let out = self.child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let extra: Vec<String> = self.lines.try_iter().collect();
        assert!(extra.is_empty(), "nothing more: {extra:?}");
    }
}

#[test]
fn watch_prints_every_entry_once_in_order_with_concurrent_writers() {
    let kv = Kv::new("w/");
    set(&kv, "first", "0");
    let all = Watcher::start(&kv, &["--from-sequence", "0"]);
    assert_eq!(
        all.take(1)[0]["key"],
        "first",
        "the backlog from sequence 0"
    );
    let proxy = s3_proxy(&[]);
    let only_w1 = Watcher::started_through(&kv, &proxy, &["--key-prefix", "w1-"]);

    let (writers, per_writer) = (4, 6);
    let writer = |w: usize| {
        let script = (0..per_writer)
            .map(|i| {
                format!(
                    "\"$IMMUKV\" --path-style set w{w}-{} {i} >/dev/null || exit 1",
                    i % 2
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let mut cmd = kv.env.std_cmd("sh");
        cmd.args(["-c", &script]).env("IMMUKV", bin_path("immukv"));
        cmd
    };
    for out in spawn_all((0..writers).map(writer)) {
        assert!(out.status.success(), "{}", stderr(&out));
    }
    immukv_py(&["set", &kv.bucket, &kv.prefix, "w1-py", "\"python\""]);

    let total = 1 + writers * per_writer + 1;
    let seen = all.take(total - 1);
    let sequences: Vec<i64> = seen
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(
        sequences,
        (1..total as i64).collect::<Vec<_>>(),
        "each once, in order"
    );
    let log = kv.log();
    assert_eq!(log.len(), total);
    for e in &seen {
        let s = e["sequence"].as_i64().unwrap() as usize;
        assert_eq!(e["hash"], log[total - 1 - s]["hash"], "the entry itself");
    }
    let w1 = only_w1.take(per_writer + 1);
    assert!(
        w1.iter()
            .all(|e| e["key"].as_str().unwrap().starts_with("w1-"))
    );
    assert_eq!(w1.last().unwrap()["value"], "python");
    all.stop();
    only_w1.stop();

    // A closed stdout ends a watch with nothing to print.
    let mut cmd = kv.env.std_cmd("sh");
    cmd.args([
        "-c",
        "\"$IMMUKV\" --path-style watch --interval 0.1 --from-sequence 0 | head -n 1",
    ])
    .env("IMMUKV", bin_path("immukv"));
    let (out, _) = run_within(cmd, 30);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

/// A watch that falls behind a long log by several entries fetches those entries and
/// the one it passed on last, not every version its concurrency could run ahead to.
#[test]
fn a_watch_catching_up_fetches_only_what_is_new() {
    let kv = Kv::new("catch/");
    immukv_py(&["append", &kv.bucket, "catch/", "k", "60"]);
    let proxy = s3_proxy(&[]);
    let watcher = Watcher::started_through(&kv, &proxy, &[]);
    let before = proxy_log(&proxy).len();
    immukv_py(&["append", &kv.bucket, "catch/", "k", "5"]);
    let seen = watcher.take(5);
    assert_eq!(
        seen.iter()
            .map(|e| e["sequence"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![60, 61, 62, 63, 64]
    );
    watcher.stop();
    let fetched: Vec<_> = proxy_log(&proxy)[before..]
        .iter()
        .filter(|r| r.query.contains("versionId"))
        .cloned()
        .collect();
    // However the five appends fell between polls: each new entry once, at most one
    // passed-on entry per catch-up.
    assert!(
        fetched.len() <= 10,
        "{} versions fetched: {fetched:#?}",
        fetched.len()
    );
}

#[test]
fn a_watch_with_nothing_new_sends_one_conditional_request_per_poll() {
    let kv = Kv::new("idle/");
    set(&kv, "k", "1");
    let proxy = s3_proxy(&[]);
    let mut cmd = kv.env.std_cmd(bin_path("immukv"));
    cmd.args(["--path-style", "watch", "--interval", "0.05"])
        .env("AWS_ENDPOINT_URL", proxy.url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    let polls = || proxy_log(&proxy).iter().filter(|r| r.conditional).count();
    wait_until(Duration::from_secs(60), "ten polls", || polls() >= 10);
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // After the read of the head it starts from, every request is a poll: one
    // conditional GET of the log, answered 304 Not Modified.
    let log = proxy_log(&proxy);
    let first_poll = log.iter().position(|r| r.conditional).unwrap();
    let after = &log[first_poll..];
    assert!(after.len() >= 10, "{after:?}");
    assert!(
        after.iter().all(|r| r.method == "GET"
            && r.path.ends_with("/_log.json")
            && r.conditional
            && r.status == Some(304)),
        "one conditional request per poll: {after:?}"
    );
}

#[test]
fn export_and_offline_verify_round_trip_and_catch_tampering() {
    let kv = Kv::new("ex/");
    for (k, v) in [
        ("a", "1"),
        ("b", r#"{"t": 21.5, "s": "é\u0001"}"#),
        ("a", "null"),
    ] {
        kv.ok(&["set", k, v]);
    }
    immukv_py(&["set", &kv.bucket, &kv.prefix, "py", "[1, 2.0]"]);
    immukv_py(&["append", &kv.bucket, &kv.prefix, "ts", "2", "--typescript"]);
    let dump = kv.ok(&["export"]);
    let lines: Vec<&str> = dump.lines().collect();
    assert_eq!(lines.len(), 6);
    for (i, line) in lines.iter().enumerate() {
        let e = json(line);
        assert_eq!(e["sequence"].as_u64(), Some(i as u64), "oldest first");
        // Every stored byte, with the version id and S3's time added first.
        let version = e["version_id"].as_str().unwrap();
        let stored_at = e["last_modified"].as_str().unwrap();
        assert!(
            stored_at.len() == 24 && stored_at.starts_with("20") && stored_at.ends_with('Z'),
            "{stored_at}"
        );
        let stored = json(&immukv_py(&[
            "raw-get-version",
            &kv.bucket,
            &kv.object("_log.json"),
            version,
        ]));
        let expected = format!(
            "{{\"version_id\":\"{version}\",\"last_modified\":\"{stored_at}\",{}",
            &stored.as_str().unwrap()[1..]
        );
        assert_eq!(*line, expected);
    }

    // An auditor with the file alone: no bucket, no credentials, no network.
    let auditor = TestEnv::new();
    let file = auditor.write("dump.jsonl", &dump);
    let path = file.to_str().unwrap();
    let offline = |args: &[&str]| {
        let mut c = auditor.cmd("immukv");
        c.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .args(["verify", "--file"])
            .args(args);
        c
    };
    let said = offline(&[path]).says();
    assert!(
        said.contains("verified 6 entries (4 python, 2 typescript)")
            && said.contains("sequence 0 to 5"),
        "{said}"
    );

    let tampered = |name: &str, lines: Vec<String>| auditor.write(name, lines.join("\n") + "\n");
    let owned: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let mut changed = owned.clone();
    changed[1] = changed[1].replace("21.5", "22.5");
    let f = tampered("changed.jsonl", changed);
    let e = offline(&[f.to_str().unwrap()]).fails(1);
    assert!(
        e.contains("changed.jsonl line 2: broken chain at sequence 1"),
        "{e}"
    );
    let mut dropped = owned.clone();
    dropped.remove(3);
    let f = tampered("dropped.jsonl", dropped);
    let e = offline(&[f.to_str().unwrap()]).fails(1);
    assert!(
        e.contains("dropped.jsonl line 4: sequence 3 is missing between"),
        "{e}"
    );
    let mut reordered = owned.clone();
    reordered.swap(2, 3);
    let f = tampered("reordered.jsonl", reordered);
    let e = offline(&[f.to_str().unwrap()]).fails(1);
    assert!(
        e.contains("reordered.jsonl line 3: sequence 2 is missing between"),
        "{e}"
    );

    // The newest lines dropped: only a checkpoint can tell.
    let checkpoint = auditor.write("checkpoint.json", kv.ok(&["checkpoint"]));
    let cp = checkpoint.to_str().unwrap();
    offline(&[path, "--checkpoint", cp]).succeeds();
    let f = tampered("short.jsonl", owned[..5].to_vec());
    offline(&[f.to_str().unwrap()]).succeeds();
    let e = offline(&[f.to_str().unwrap(), "--checkpoint", cp]).fails(1);
    assert!(
        e.contains("ends at sequence 4, before the checkpoint's sequence 5"),
        "{e}"
    );
    let e = offline(&["/nonexistent/dump.jsonl"]).fails(2);
    assert!(e.contains("cannot read /nonexistent/dump.jsonl"), "{e}");
}

fn import_lines(n: usize, tag: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{{\"key\": \"k{}\", \"value\": {{\"{tag}\": {i}}}}}\n",
                i % 7
            )
        })
        .collect()
}

/// The log's entries whose value carries `tag`, oldest first, as line numbers.
fn imported(kv: &Kv, tag: &str) -> Vec<i64> {
    let mut log = kv.log();
    log.reverse();
    log.iter()
        .filter_map(|e| e["value"][tag].as_i64())
        .collect()
}

#[test]
fn import_appends_each_line_once_in_order_through_lost_answers() {
    let kv = Kv::new("imp/");
    kv.ok(&["set", "before", "0"]);
    let file = kv.env.write("lines.jsonl", import_lines(60, "n"));
    let proxy = s3_proxy(&["--drop-after", "0.12", "--slowdown", "0.05", "--seed", "7"]);
    let said = kv
        .cmd()
        .env("AWS_ENDPOINT_URL", proxy.url())
        .args(["import", "--file", file.to_str().unwrap()])
        .says();
    assert!(
        said.contains("imported 60 lines as sequences 1 to 60"),
        "{said}"
    );
    let stats = json(&http_get(&format!("{}/__proxy_stats", proxy.url())));
    assert!(
        stats["dropped"].as_u64().unwrap() > 0,
        "faults happened: {stats}"
    );
    assert_eq!(
        imported(&kv, "n"),
        (0..60).collect::<Vec<_>>(),
        "each line once, in order"
    );
    kv.ok(&["verify"]);
    assert_eq!(
        immukv_py(&["verify", &kv.bucket, &kv.prefix]).trim(),
        "true"
    );
    let newest = json(&immukv_py(&["get", &kv.bucket, &kv.prefix, "k3"]));
    assert_eq!(newest["value"]["n"], 59);

    // A bad line anywhere: nothing is written.
    let bad = kv.env.write(
        "bad.jsonl",
        "{\"key\": \"x\", \"value\": 1}\n{\"key\": \"y\"}\n",
    );
    let e = kv.fails(&["import", "--file", bad.to_str().unwrap()], 2);
    assert!(e.contains("bad.jsonl line 2: no \"value\""), "{e}");
    assert_eq!(kv.log().len(), 61);
}

#[test]
fn an_interrupted_import_resumes_after_its_last_line_in_the_log() {
    let kv = Kv::new("res/");
    let text = import_lines(150, "r");
    let file = kv.env.write("lines.jsonl", &text);
    // One endpoint throughout (a store is known by its endpoint, bucket and prefix):
    // slow enough to interrupt part way, and losing answers.
    let proxy = s3_proxy(&["--latency", "25", "--drop-after", "0.08", "--seed", "3"]);
    let mut cmd = kv.env.std_cmd(bin_path("immukv"));
    cmd.args(["--path-style", "import", "--file", file.to_str().unwrap()])
        .env("AWS_ENDPOINT_URL", proxy.url())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    // Interrupted part way: once 40 of its 150 appends reached the log.
    let appends = || {
        proxy_log(&proxy)
            .iter()
            .filter(|r| r.method == "PUT" && r.path.ends_with("/_log.json"))
            .count()
    };
    wait_until(Duration::from_secs(120), "40 appends to the log", || {
        appends() >= 40
    });
    child.kill().unwrap();
    child.wait().unwrap();
    // Another writer between the interruption and the resume.
    kv.ok(&["set", "k1", "\"other\""]);
    let first = imported(&kv, "r");
    assert!(
        !first.is_empty() && first.len() < 150,
        "interrupted part way: {} lines in",
        first.len()
    );

    let other = kv.env.write("other.jsonl", import_lines(150, "x"));
    let e = kv
        .cmd()
        .env("AWS_ENDPOINT_URL", proxy.url())
        .args(["import", "--resume", "--file", other.to_str().unwrap()])
        .fails(2);
    assert!(
        e.contains("not the one whose import was interrupted"),
        "{e}"
    );

    let said = kv
        .cmd()
        .env("AWS_ENDPOINT_URL", proxy.url())
        .args(["import", "--resume", "--file", file.to_str().unwrap()])
        .says();
    assert!(
        said.contains(&format!("imported {} lines", 150 - first.len()))
            && said.contains(&format!("({} were in the log already", first.len())),
        "{said}"
    );
    assert_eq!(
        imported(&kv, "r"),
        (0..150).collect::<Vec<_>>(),
        "each line once, in order"
    );
    // Every key object caught up, the ones the kill cut short included.
    kv.ok(&["verify"]);
    let by_key: HashMap<String, i64> = (0..7)
        .map(|k| {
            let v = json(&kv.ok(&["get", &format!("k{k}")]));
            (format!("k{k}"), v["r"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(by_key["k1"], 148, "the newest line of k1");
    let again = kv
        .cmd()
        .env("AWS_ENDPOINT_URL", proxy.url())
        .args(["import", "--resume", "--file", file.to_str().unwrap()])
        .says();
    assert!(
        again.contains("imported 0 lines (150 were in the log already"),
        "{again}"
    );
}
