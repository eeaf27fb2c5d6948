//! How entries look on stdout: text a terminal can show safely, JSON, JSON lines.

use std::borrow::Cow;
use std::io::Write;

use futures_util::TryStreamExt;

use super::args::{LOG_RETENTION_FLAG, ListFormat, Paging};
use crate::app::error::Error;
use crate::app::progress::Progress;
use crate::immukv::entry::LogEntry;
use crate::immukv::retention::{Lookup, Unexpired, Unexplained, sequences_are};
use crate::immukv::store::StoreError;

/// Text for a terminal: control characters (C0, DEL, C1) become JSON `\uXXXX`
/// escapes, so a stored key or value can neither send escape sequences to the terminal
/// nor split a line. A value's JSON text stays valid JSON with the same meaning; in a
/// key, which is not JSON, `\` is doubled so an escape cannot be mistaken for the text.
pub(super) fn terminal_safe(s: &str, is_key: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() || (is_key && c == '\\')) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' if is_key => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Entries on stdout, as they arrive.
pub(super) struct Printer<'a> {
    format: ListFormat,
    pub(super) out: &'a mut dyn Write,
    first: bool,
}

impl<'a> Printer<'a> {
    pub(super) fn new(format: ListFormat, out: &'a mut dyn Write) -> Self {
        Self {
            format,
            out,
            first: true,
        }
    }

    pub(super) fn entry(&mut self, e: &LogEntry) -> std::io::Result<()> {
        match self.format {
            ListFormat::Text => {
                let time = crate::time::rfc3339_ms_text(e.timestamp_ms);
                writeln!(
                    self.out,
                    "{}\t{time}\t{}\t{}\t{}",
                    e.sequence,
                    terminal_safe(&e.key, true),
                    terminal_safe(&e.value_raw, false),
                    e.version_id.as_deref().unwrap_or("")
                )
            }
            ListFormat::Jsonl => writeln!(self.out, "{}", e.to_json()),
            ListFormat::Json => {
                let sep = if self.first { "[" } else { "," };
                self.first = false;
                write!(self.out, "{sep}{}", e.to_json())
            }
        }
    }

    pub(super) fn finish(&mut self) -> std::io::Result<()> {
        if self.format == ListFormat::Json {
            writeln!(self.out, "{}", if self.first { "[]" } else { "]" })?;
        }
        self.out.flush()
    }
}

/// Print `stream` as `paging` says; whether it ran out (rather than stopping at
/// `--limit` or `--after`).
pub(super) async fn print_stream<S>(
    stream: S,
    printer: &mut Printer<'_>,
    progress: &Progress,
    paging: &Paging,
) -> Result<bool, Error>
where
    S: futures_util::Stream<Item = Result<LogEntry, StoreError>>,
{
    let mut stream = std::pin::pin!(stream);
    let limit = paging.limit.unwrap_or(usize::MAX);
    let mut count = 0;
    let mut ran_out = false;
    while count < limit {
        let Some(entry) = stream.try_next().await? else {
            ran_out = true;
            break;
        };
        if paging.after.is_some() && entry.version_id == paging.after {
            break;
        }
        printer.entry(&entry)?;
        progress.tick();
        count += 1;
    }
    progress.finish();
    Ok(ran_out)
}

/// A log's missing oldest entries that nothing explains, and what to do: the message
/// names the flag, which is the app's.
impl std::fmt::Display for Unexpired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let flag = LOG_RETENTION_FLAG;
        write!(
            f,
            "{} missing from {}: its oldest entry is sequence {} (version {}), and ",
            sequences_are(0, self.oldest - 1),
            self.object,
            self.oldest,
            self.version
        )?;
        match (self.reason.as_ref(), self.lookup) {
            (Unexplained::NoRule, Lookup::Denied) => write!(
                f,
                "these credentials may not read the bucket's lifecycle rules (s3:GetLifecycleConfiguration): \
                 if the store expires old versions (the construct's retention props), pass {flag} DAYS"
            ),
            (Unexplained::NoRule, Lookup::Read) => write!(
                f,
                "no enabled lifecycle rule of the bucket expires its noncurrent versions: they were deleted; \
                 if a rule these credentials cannot see expires them, pass {flag} DAYS"
            ),
            (Unexplained::NoRule, Lookup::Offline) => write!(
                f,
                "nothing says why: pass {flag} DAYS (the store's retention), or --checkpoint with a checkpoint \
                 at or above its oldest entry"
            ),
            (reason, _) => write!(f, "they were deleted, not expired: {reason}"),
        }
    }
}
