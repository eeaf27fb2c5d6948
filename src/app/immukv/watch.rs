//! `immukv watch`: poll, print, back off on transient errors, stop on a signal or a
//! closed stdout.

use super::args::{ListFormat, WatchFormat};
use super::render::Printer;
use crate::app::error::Error;
use crate::diag::{note, warn};
use crate::exit::ExitStatus;
use crate::immukv::entry::LogEntry;
use crate::immukv::store::Store;
use crate::immukv::watch::Watch;

/// Resolves on SIGINT or SIGTERM.
#[cfg(unix)]
pub(super) async fn shutdown() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(mut int), Ok(mut term)) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        _ => std::future::pending().await,
    }
}

/// Resolves on Ctrl-C or Ctrl-Break.
#[cfg(windows)]
pub(super) async fn shutdown() {
    use tokio::signal::windows::{ctrl_break, ctrl_c};
    match (ctrl_c(), ctrl_break()) {
        (Ok(mut c), Ok(mut brk)) => {
            tokio::select! {
                _ = c.recv() => {}
                _ = brk.recv() => {}
            }
        }
        _ => std::future::pending().await,
    }
}

/// Whether the reader of stdout has gone (a closed pipe), found without writing.
#[cfg(unix)]
pub(super) fn stdout_closed() -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec};
    let stdout = std::io::stdout();
    let mut fds = [PollFd::new(&stdout, PollFlags::empty())];
    let zero = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    rustix::event::poll(&mut fds, Some(&zero)).is_ok()
        && fds[0].revents().intersects(PollFlags::ERR | PollFlags::HUP)
}

/// Windows cannot ask a pipe whether its reader has gone: the next write says so.
#[cfg(windows)]
pub(super) fn stdout_closed() -> bool {
    false
}

/// `watch`: poll, print, back off on transient errors, stop on a signal or a closed
/// stdout.
pub(super) async fn watch(
    store: &Store,
    format: WatchFormat,
    interval: std::time::Duration,
    key_prefix: Option<&str>,
    from: Option<i64>,
) -> Result<ExitStatus, Error> {
    const MAX_BACKOFF: std::time::Duration = std::time::Duration::from_secs(60);
    let mut out = std::io::stdout().lock();
    let format = match format {
        WatchFormat::Text => ListFormat::Text,
        WatchFormat::Jsonl => ListFormat::Jsonl,
    };
    let mut printer = Printer::new(format, &mut out);
    let stop = shutdown();
    tokio::pin!(stop);
    let started = tokio::select! {
        started = Watch::start(store, from) => started,
        () = &mut stop => return Ok(ExitStatus::Success),
    };
    let (mut watch, backlog) = started?;
    let wanted = |e: &LogEntry| {
        key_prefix.is_none_or(|p| e.key.starts_with(p)) && from.is_none_or(|n| e.sequence >= n)
    };
    for e in backlog.iter().filter(|e| wanted(e)) {
        printer.entry(e)?;
    }
    printer.out.flush()?;
    let mut delay = interval;
    let mut failing = false;
    loop {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = &mut stop => break,
        }
        if stdout_closed() {
            break;
        }
        let polled = tokio::select! {
            polled = watch.poll() => polled,
            () = &mut stop => break,
        };
        match polled {
            Ok(entries) => {
                if failing {
                    note(format_args!("watch: the log answers again"));
                    failing = false;
                }
                delay = interval;
                for e in entries.iter().filter(|e| wanted(e)) {
                    printer.entry(e)?;
                }
                printer.out.flush()?;
            }
            Err(e) => {
                let e = Error::from(e);
                if !e.is_retryable() {
                    return Err(e);
                }
                delay = (delay * 2).clamp(interval, MAX_BACKOFF.max(interval));
                warn(format_args!(
                    "watch: {}; trying again in {:.1} s",
                    crate::exit::chain(&e),
                    delay.as_secs_f64()
                ));
                failing = true;
            }
        }
    }
    Ok(ExitStatus::Success)
}
