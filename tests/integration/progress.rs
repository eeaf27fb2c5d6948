//! Progress as a person sees it, in a real terminal (tmux): a bar with position and
//! total, a whole rate and the time left; nothing of it when stderr is not a terminal.

use std::process::Command;
use std::time::Duration;

use crate::support::immukv::Kv;
use crate::support::{Server, bin_path, immukv_py, proxy_log, s3_proxy, wait_until};

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
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: no tmux on this machine");
        return None;
    }
    Some(Terminal::start(&script(kv, proxy, args)).expect("tmux"))
}

/// What the terminal shows once the command ended.
const FINISHED: &str = "-- finished --";

/// A script running `immukv ARGS` against `kv` through `proxy`, with its environment.
fn script(kv: &Kv, proxy: &Server, args: &str) -> std::path::PathBuf {
    let mut lines = String::from("#!/bin/sh\n");
    for (name, value) in kv.env.std_cmd("true").get_envs() {
        if let Some(value) = value {
            let (name, value) = (name.to_string_lossy(), value.to_string_lossy());
            lines.push_str(&format!("export {name}='{value}'\n"));
        }
    }
    lines.push_str(&format!(
        "export AWS_ENDPOINT_URL='{}'\n'{}' --path-style {args} >/dev/null\necho '{FINISHED}'\nsleep 600\n",
        proxy.url(),
        bin_path("immukv").display()
    ));
    kv.env.write("run.sh", lines)
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
