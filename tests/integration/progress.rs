//! Progress as a person sees it, in a real terminal (tmux): a bar with position and
//! total, a whole rate and the time left; nothing of it when stderr is not a terminal.

use std::process::Command;
use std::time::Duration;

use crate::support::immukv::Kv;
use crate::support::registry::{CALLER_ROLE, Registry};
use crate::support::{
    Server, TestEnv, bin_path, immukv_py, proxy_log, s3_proxy, unique, wait_until,
};

/// A tmux server of its own running one command in a 160x10 window.
struct Terminal {
    socket: String,
}

impl Terminal {
    fn start(script: &std::path::Path) -> Option<Self> {
        let socket = format!("cdk-toolkit-test-{}", crate::support::unique("tty"));
        let started = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-x",
                "160",
                "-y",
                "10",
                "sh",
            ])
            .arg(script)
            .status()
            .ok()?;
        started.success().then_some(Self { socket })
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

impl Terminal {
    /// Wait until a line shows the bar counting `what` toward `total`.
    fn wait_for_bar(&self, total: &str, what: &str) {
        wait_until(
            Duration::from_secs(60),
            &format!("a bar of {what} on the terminal"),
            || {
                self.screen()
                    .lines()
                    .any(|l| looks_like_a_bar(l, total, what))
            },
        );
    }
}

/// `immukv ARGS` against `kv` through `proxy`, in a terminal of its own; `None` where
/// there is no tmux (the test is then skipped).
fn in_terminal(kv: &Kv, proxy: &Server, args: &str) -> Option<Terminal> {
    in_terminal_as(&kv.env, proxy, "immukv", &format!("--path-style {args}"))
}

/// `TOOL ARGS` in `env`, AWS calls through `proxy`, in a terminal of its own.
fn in_terminal_as(env: &TestEnv, proxy: &Server, tool: &str, args: &str) -> Option<Terminal> {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: no tmux on this machine");
        return None;
    }
    Some(Terminal::start(&script(env, proxy, tool, args)).expect("tmux"))
}

/// What the terminal shows once the command ended.
const FINISHED: &str = "-- finished --";

/// A script running `TOOL ARGS` in `env` through `proxy`, with its environment.
fn script(env: &TestEnv, proxy: &Server, tool: &str, args: &str) -> std::path::PathBuf {
    let mut lines = String::from("#!/bin/sh\n");
    for (name, value) in env.std_cmd("true").get_envs() {
        if let Some(value) = value {
            let (name, value) = (name.to_string_lossy(), value.to_string_lossy());
            lines.push_str(&format!("export {name}='{value}'\n"));
        }
    }
    lines.push_str(&format!(
        "export AWS_ENDPOINT_URL='{}'\n'{}' {args} >/dev/null\necho '{FINISHED}'\nsleep 600\n",
        proxy.url(),
        bin_path(tool).display()
    ));
    env.write("run.sh", lines)
}

/// `12/200 entries and key objects verified (51/s, 3s left)`: position/total, a
/// whole rate, the time left.
fn looks_like_a_bar(line: &str, total: &str, what: &str) -> bool {
    let Some((before, after)) = line.split_once(&format!("/{total} {what} (")) else {
        return false;
    };
    let position = before.rsplit(' ').next().unwrap_or("");
    let Some((rate, rest)) = after.split_once("/s, ") else {
        return false;
    };
    !position.is_empty()
        && position.bytes().all(|b| b.is_ascii_digit())
        && !rate.is_empty()
        && rate.bytes().all(|b| b.is_ascii_digit())
        && rest.trim_end().ends_with(" left)")
}

#[test]
fn verify_and_import_show_a_bar_in_a_terminal() {
    let kv = Kv::new("tty/");
    immukv_py(&["append", &kv.bucket, "tty/", "k", "200"]);
    // One entry at a time, 20 ms each: long enough to be seen.
    let proxy = s3_proxy(&["--latency", "20"]);
    let Some(terminal) = in_terminal(&kv, &proxy, "verify --concurrency 1") else {
        return;
    };
    terminal.wait_for_bar("200", "entries and key objects verified");
    drop(terminal);

    let lines: String = (0..40)
        .map(|i| format!("{{\"key\": \"i{i}\", \"value\": {i}}}\n"))
        .collect();
    let file = kv.env.write("lines.jsonl", lines);
    let import = format!("import --file '{}'", file.display());
    let terminal = in_terminal(&kv, &proxy, &import).expect("tmux");
    terminal.wait_for_bar("40", "lines");
}

/// Off a terminal nothing of the display is written: stderr carries only the note.
#[test]
fn no_progress_when_stderr_is_not_a_terminal() {
    let kv = Kv::new("notty/");
    immukv_py(&["append", &kv.bucket, "notty/", "k", "20"]);
    let said = kv.says(&["verify"]);
    assert_eq!(said.lines().count(), 1, "{said:?}");
    assert!(!said.contains('\r') && !said.contains('\u{1b}'), "{said:?}");
}

/// `log` on a terminal shows a bar toward the number of entries the head gives, and
/// reads the head once: the listing takes it as read instead of fetching its version.
#[test]
fn log_shows_a_bar_and_reads_the_head_once() {
    let kv = Kv::new("ttylog/");
    immukv_py(&["append", &kv.bucket, "ttylog/", "k", "100"]);
    let proxy = s3_proxy(&["--latency", "20"]);
    let Some(terminal) = in_terminal(&kv, &proxy, "log --concurrency 1") else {
        return;
    };
    terminal.wait_for_bar("100", "entries");
    wait_until(Duration::from_secs(60), "log to finish", || {
        terminal.screen().contains(FINISHED)
    });
    let log = proxy_log(&proxy);
    let heads = log
        .iter()
        .filter(|r| r.path.ends_with("/_log.json") && !r.query.contains("versionId"))
        .count();
    let versions = log.iter().filter(|r| r.query.contains("versionId")).count();
    assert_eq!((heads, versions), (1, 99), "{log:#?}");
}

/// A publish whose archive is large shows a bar of the bytes sent (over a slow
/// uplink: 2 MB a second), toward the archive's size.
#[test]
fn a_large_publish_shows_a_bar_of_bytes_sent() {
    let registry = Registry::start();
    registry.grant("platform", CALLER_ROLE, r#"{"download": true, "upload": true}"#);
    let bucket = unique("ttymodules").to_lowercase();
    immukv_py(&["bucket", &bucket]);
    let env = TestEnv::with_aws();
    let module = env.write("module/main.tf", "output \"x\" {\n  value = 1\n}\n");
    let dir = module.parent().unwrap();
    // 6 MiB gzip cannot shrink.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let noise: Vec<u8> = (0..6 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    env.write("module/blob.bin", noise);
    let archive = env.path().join("module.tar.gz");
    env.cmd("manage-registry-modules")
        .arg("pack")
        .arg(dir)
        .arg("-o")
        .arg(&archive)
        .assert()
        .success();
    let size = std::fs::metadata(&archive).unwrap().len().to_string();
    std::fs::remove_file(&archive).unwrap();

    let proxy = s3_proxy(&["--body-rate", "2000000"]);
    let args = format!(
        "publish '{}' -r registry.example.com --registry-url {} -n platform --name vpc \
         --system aws --version 1.0.0 --bucket {bucket} --table {} --path-style",
        dir.display(),
        registry.url(),
        registry.table
    );
    let Some(terminal) = in_terminal_as(&env, &proxy, "manage-registry-modules", &args) else {
        return;
    };
    terminal.wait_for_bar(&size, "bytes");
    wait_until(Duration::from_secs(60), "publish to finish", || {
        terminal.screen().contains(FINISHED)
    });
    assert!(
        registry.stats_json()["module_requests"].as_u64().unwrap() > 0,
        "the version was checked with the registry"
    );
}

