//! `immukv`: a command-line client for ImmuKV stores, interoperable with the official
//! Python and TypeScript clients.

use std::borrow::Cow;
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand, ValueEnum};
use futures_util::{StreamExt, TryStreamExt};

use super::{Error, runtime};
use crate::aws::reference::Ref;
use crate::aws::{Aws, AwsArgs};
use crate::diag::{note, warn};
use crate::exit::ExitStatus;
use crate::immukv::audit::{self, Anchor, Audited, Checkpoint, HeadCache, StoreId};
use crate::immukv::dump;
use crate::immukv::entry::LogEntry;
use crate::immukv::import::{self, ImportJournal};
use crate::immukv::store::{AsOf, KeyObject, Store, StoreError};
use crate::immukv::verify::ChainCheck;
use crate::immukv::watch::Watch;
use crate::pyjson::{self, Json};

const BINARY: &str = "immukv";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    about = "A command-line client for ImmuKV, the append-only, hash-chained key-value store on S3",
    after_help = "Examples:\n  export IMMUKV_BUCKET=my-immukv-bucket\n  immukv set sensor-1 '{\"temp\": 21.5}'\n  \
        immukv get sensor-1\n  immukv history sensor-1 --limit 10\n  immukv log --output jsonl\n  immukv verify\n  \
        immukv get sensor-1 --at 2026-11-24T09:00:00Z\n  immukv watch --output jsonl\n  \
        immukv export > dump.jsonl && immukv verify --file dump.jsonl\n  immukv import --file lines.jsonl"
)]
pub(crate) struct Cli {
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    aws: AwsArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Args)]
struct StoreArgs {
    /// The store's S3 bucket.
    #[arg(
        long,
        global = true,
        env = crate::env::IMMUKV_BUCKET,
        value_name = "BUCKET",
        help_heading = "Store"
    )]
    bucket: Option<Ref<String>>,
    /// Prefix of the store's objects, prepended as is (no `/` added).
    #[arg(
        long,
        global = true,
        env = crate::env::IMMUKV_PREFIX,
        value_name = "PREFIX",
        default_value = "",
        help_heading = "Store"
    )]
    prefix: String,
    /// Address the bucket by path (emulators, dotted bucket names).
    #[arg(long, global = true, help_heading = "Store")]
    path_style: bool,
    /// Never write, not even to repair an orphaned entry.
    #[arg(long, global = true, help_heading = "Store")]
    read_only: bool,
    /// Objects fetched at once by listings and verify.
    #[arg(
        long,
        global = true,
        value_name = "N",
        default_value_t = 32,
        value_parser = clap::value_parser!(u16).range(1..=256),
        help_heading = "Store"
    )]
    concurrency: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    /// Tab-separated lines: sequence, time, key, value, version.
    Text,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum WatchFormat {
    /// Tab-separated lines: sequence, time, key, value, version.
    Text,
    /// One JSON object per line.
    Jsonl,
}

fn parse_time(text: &str) -> Result<i64, String> {
    crate::time::parse_instant(text)
}

fn parse_interval(text: &str) -> Result<std::time::Duration, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.05..=86_400.0).contains(&s) => Ok(std::time::Duration::from_secs_f64(s)),
        _ => Err(format!(
            "{text:?} is not a number of seconds from 0.05 to 86400"
        )),
    }
}

#[derive(Debug, Clone, Args)]
struct Paging {
    /// At most this many items.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Only items older than this version id (key for `keys`): the next page.
    #[arg(long, value_name = "ID")]
    before: Option<String>,
    /// Only items newer than this version id.
    #[arg(long, value_name = "ID")]
    after: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    output: ListFormat,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a value: JSON from the argument, --file, or stdin.
    #[command(allow_negative_numbers = true)]
    Set {
        key: String,
        /// The value as JSON (omit to read --file or stdin).
        value: Option<String>,
        /// Read the value from this file.
        #[arg(long, value_name = "PATH", conflicts_with = "value")]
        file: Option<std::path::PathBuf>,
        /// Store the text as a JSON string instead of parsing it.
        #[arg(long)]
        string: bool,
        /// Write even when the log has a delete marker (continues from its newest version).
        #[arg(long)]
        force: bool,
        #[arg(long, value_enum, default_value = "text")]
        output: ListFormat,
    },
    /// Print a key's newest value, or the value it had at a moment in the past.
    Get {
        key: String,
        /// Print the whole entry (JSON) instead of the value.
        #[arg(long)]
        entry: bool,
        /// The value the key had at this time: RFC 3339 (2026-11-24T10:00:00Z) or epoch
        /// milliseconds, compared with the entries' own timestamps.
        #[arg(long, value_name = "TIME", value_parser = parse_time, conflicts_with = "sequence")]
        at: Option<i64>,
        /// The value the key had as of this log entry (its newest entry at or before it).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..))]
        sequence: Option<i64>,
    },
    /// A key's entries, newest first.
    History {
        key: String,
        /// Only entries written at or after this time (RFC 3339 or epoch milliseconds).
        #[arg(long, value_name = "TIME", value_parser = parse_time)]
        since: Option<i64>,
        /// Only entries written at or before this time (RFC 3339 or epoch milliseconds).
        #[arg(long, value_name = "TIME", value_parser = parse_time)]
        until: Option<i64>,
        #[command(flatten)]
        paging: Paging,
    },
    /// The log's entries, newest first.
    Log {
        #[command(flatten)]
        paging: Paging,
    },
    /// The store's keys, in order.
    Keys {
        /// Only keys starting with this (`--prefix` selects the store itself).
        #[arg(value_name = "KEY_PREFIX", default_value = "")]
        key_prefix: String,
        /// At most this many keys.
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
        /// Only keys after this one.
        #[arg(long, value_name = "KEY")]
        after: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        output: ListFormat,
    },
    /// One log entry by its version id.
    LogEntry { version_id: String },
    /// Print entries as they are appended, oldest first, each once, until interrupted
    /// (SIGINT, SIGTERM) or stdout closes.
    Watch {
        #[arg(long, value_enum, default_value = "text")]
        output: WatchFormat,
        /// Seconds between polls (one conditional request each when nothing changed).
        #[arg(long, value_name = "SECONDS", default_value = "2", value_parser = parse_interval)]
        interval: std::time::Duration,
        /// Only entries whose key starts with this (`--prefix` selects the store itself).
        #[arg(long, value_name = "KEY_PREFIX")]
        key_prefix: Option<String>,
        /// Start at this sequence instead of after the newest entry: the entries from
        /// it onwards first, then the new ones.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(i64).range(0..))]
        from_sequence: Option<i64>,
    },
    /// Write the whole log as JSON lines, oldest first: every stored field of each entry,
    /// byte for byte, with its version id. Verify it offline with `verify --file`.
    Export,
    /// Append JSON lines `{"key": ..., "value": ...}` in order, each exactly once,
    /// pipelined (one sequential round trip per line).
    Import {
        /// Read the lines from this file instead of stdin.
        #[arg(long, value_name = "PATH")]
        file: Option<std::path::PathBuf>,
        /// Continue an interrupted import of the same input after its last line in the log.
        #[arg(long)]
        resume: bool,
    },
    /// Check the store: the hash chain (newest to oldest, down to the head verified last
    /// time), every key object against the log, and that the head verified last time is
    /// still there unchanged; exit 1 naming the first problem.
    Verify {
        /// Check only the newest N entries (the chain alone; nothing is remembered).
        #[arg(long, value_name = "N", conflicts_with_all = ["full", "checkpoint", "file"])]
        limit: Option<usize>,
        /// Verify a dump written by `immukv export` instead of the store, with no AWS
        /// access (with --checkpoint: the dump must hold the checkpoint's head).
        #[arg(long, value_name = "DUMP", conflicts_with = "full")]
        file: Option<std::path::PathBuf>,
        #[command(flatten)]
        anchor: AnchorArgs,
    },
    /// Verify, then print the verified head as JSON: a checkpoint to keep (a CI
    /// artifact) and verify against later with `verify --checkpoint FILE`.
    Checkpoint {
        #[command(flatten)]
        anchor: AnchorArgs,
    },
}

/// What a verify is measured against.
#[derive(Debug, Clone, Args)]
struct AnchorArgs {
    /// Re-verify the whole chain from genesis (still comparing with the head verified
    /// last time).
    #[arg(long)]
    full: bool,
    /// Trust this checkpoint (from `immukv checkpoint`) instead of the head remembered in
    /// the cache folder.
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<std::path::PathBuf>,
}

pub fn main() -> ExitCode {
    super::run(BINARY, |cli: Cli| runtime()?.block_on(run(cli)))
}

async fn run(cli: Cli) -> Result<ExitStatus, Error> {
    // An auditor's copy is verified with no bucket, no credentials, no network.
    if let Command::Verify {
        file: Some(file),
        anchor,
        ..
    } = &cli.command
    {
        return verify_file(file, anchor.checkpoint.as_deref());
    }
    let bucket = cli.store.bucket.clone().ok_or_else(|| {
        Error::Usage("no bucket given: pass --bucket or set IMMUKV_BUCKET".into())
    })?;
    let aws = Aws::new(cli.aws.clone());
    let bucket_name = bucket.resolve(&aws).await?;
    let bucket = bucket_name.clone();
    let store = Arc::new(Store::new(
        aws.s3(cli.store.path_style).await?,
        bucket,
        cli.store.prefix.clone(),
        cli.store.read_only,
        usize::from(cli.store.concurrency),
    ));
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Set {
            key,
            value,
            file,
            string,
            force,
            output,
        } => {
            // Creating the client made no call yet: a bad value still changes nothing.
            let value = read_value(value.as_deref(), file.as_deref(), string)?;
            let written = store.set(&key, &value, force).await?;
            if let KeyObject::Lagging(why) = &written.key_object {
                warn(format_args!(
                    "the entry is committed to the log, but its key object was not written ({why}); \
                     the next write repairs it"
                ));
            }
            if let Some(why) = &written.repair {
                warn(format_args!(
                    "the previous entry's key object could not be repaired ({why}); the next write tries again"
                ));
            }
            let entry = written.entry;
            match output {
                ListFormat::Text => writeln!(
                    out,
                    "{}\t{}",
                    entry.sequence,
                    entry.version_id.as_deref().unwrap_or("")
                )?,
                ListFormat::Json | ListFormat::Jsonl => writeln!(out, "{}", entry.to_json())?,
            }
        }
        Command::Get {
            key,
            entry,
            at,
            sequence,
        } => {
            let as_of = at.map(AsOf::Time).or(sequence.map(AsOf::Sequence));
            let e = match as_of {
                None => store.get_entry(&key).await?,
                Some(as_of) => entry_as_of(&store, &key, as_of).await?,
            };
            if entry {
                writeln!(out, "{}", e.to_json())?;
            } else {
                writeln!(out, "{}", terminal_safe(&e.value_raw, false))?;
            }
        }
        Command::LogEntry { version_id } => {
            let e = store.log_entry(&version_id).await?;
            writeln!(out, "{}", e.to_json())?;
        }
        Command::History {
            key,
            since,
            until,
            paging,
        } => {
            let path = store.key_path(&key)?;
            let mut printer = Printer::new(paging.output, &mut out);
            let progress = Progress::new("entries");
            let stream = store
                .key_history(&key, &path, paging.before.clone())
                .await?;
            // Newest first: skip what is after --until, stop at the first before --since.
            let stream = stream
                .try_filter(move |e| std::future::ready(until.is_none_or(|u| e.timestamp_ms <= u)))
                .try_take_while(move |e| {
                    std::future::ready(Ok(since.is_none_or(|s| e.timestamp_ms >= s)))
                });
            print_stream(stream, &mut printer, &progress, &paging).await?;
            printer.finish()?;
        }
        Command::Log { paging } => {
            let log = store.log_key();
            let mut printer = Printer::new(paging.output, &mut out);
            let progress = Progress::new("entries");
            print_stream(
                store.log_entries(&log, paging.before.clone()),
                &mut printer,
                &progress,
                &paging,
            )
            .await?;
            printer.finish()?;
        }
        Command::Keys {
            key_prefix,
            limit,
            after,
            output,
        } => {
            let mut stream = Box::pin(
                store
                    .keys(&key_prefix, after)
                    .take(limit.unwrap_or(usize::MAX)),
            );
            let mut first = true;
            if output == ListFormat::Json {
                write!(out, "[")?;
            }
            while let Some(k) = stream.try_next().await? {
                let mut quoted = String::new();
                pyjson::write_str(&mut quoted, &k);
                match output {
                    ListFormat::Text => writeln!(out, "{}", terminal_safe(&k, true))?,
                    ListFormat::Jsonl => writeln!(out, "{quoted}")?,
                    ListFormat::Json => write!(out, "{}{quoted}", if first { "" } else { "," })?,
                }
                first = false;
            }
            if output == ListFormat::Json {
                writeln!(out, "]")?;
            }
        }
        Command::Verify {
            limit: Some(limit), ..
        } => return verify_newest(&store, limit).await,
        Command::Verify { file: Some(_), .. } => unreachable!("verified above, offline"),
        Command::Watch {
            output,
            interval,
            key_prefix,
            from_sequence,
        } => {
            drop(out);
            return watch(
                &store,
                output,
                interval,
                key_prefix.as_deref(),
                from_sequence,
            )
            .await;
        }
        Command::Export => {
            let progress = Progress::new("entries exported");
            let exported = dump::export(&store, &mut out, &|| progress.tick()).await;
            progress.finish();
            let exported = exported?;
            note(format_args!(
                "exported {} entries{}: the chain is intact",
                exported.chain.count,
                exported.chain.dialects()
            ));
        }
        Command::Import { file, resume } => {
            let id = store_id(&aws, &bucket_name, &cli.store).await?;
            return import(store, &id, file.as_deref(), resume).await;
        }
        Command::Verify {
            limit: None,
            file: None,
            anchor,
        } => {
            let audited = audit(
                &store,
                &store_id(&aws, &bucket_name, &cli.store).await?,
                &anchor,
            )
            .await?;
            note(format_args!("{}", describe_audit(&audited)));
        }
        Command::Checkpoint { anchor } => {
            let id = store_id(&aws, &bucket_name, &cli.store).await?;
            let audited = audit(&store, &id, &anchor).await?;
            note(format_args!("{}", describe_audit(&audited)));
            let head = audited.head.ok_or_else(|| {
                Error::Refused("the store is empty: there is no head to checkpoint".into())
            })?;
            let checkpoint = Checkpoint { store: id, head };
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&checkpoint).unwrap_or_default()
            )?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// The value to write: parsed as Python's json.loads would, or taken as a string.
fn read_value(
    arg: Option<&str>,
    file: Option<&std::path::Path>,
    as_string: bool,
) -> Result<Json, Error> {
    let text = match arg {
        Some(a) => a.to_owned(),
        None => {
            read_input(
                file,
                "no value given: pass it as an argument, with --file, or on stdin",
                "the value on stdin (as UTF-8)",
            )?
            .0
        }
    };
    if as_string {
        return Ok(Json::Str(text));
    }
    pyjson::parse(&text).map_err(|e| {
        Error::Usage(format!(
            "the value is not valid JSON ({e}); pass --string to store text"
        ))
    })
}

/// The text of `file`, or of stdin when none is named (refused with `none_given` when
/// stdin is a terminal), and its name for messages.
fn read_input(
    file: Option<&std::path::Path>,
    none_given: &str,
    stdin_what: &str,
) -> Result<(String, String), Error> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Input {
            what: path.display().to_string(),
            source,
        })?;
        return Ok((text, path.display().to_string()));
    }
    if std::io::stdin().is_terminal() {
        return Err(Error::Usage(none_given.into()));
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|source| Error::Input {
            what: stdin_what.into(),
            source,
        })?;
    Ok((text, "stdin".to_owned()))
}

async fn print_stream<S>(
    stream: S,
    printer: &mut Printer<'_>,
    progress: &Progress,
    paging: &Paging,
) -> Result<(), Error>
where
    S: futures_util::Stream<Item = Result<LogEntry, StoreError>>,
{
    let mut stream = std::pin::pin!(stream);
    let limit = paging.limit.unwrap_or(usize::MAX);
    let mut count = 0;
    while count < limit {
        let Some(entry) = stream.try_next().await? else {
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
    Ok(())
}

/// Text for a terminal: control characters (C0, DEL, C1) become JSON `\uXXXX`
/// escapes, so a stored key or value can neither send escape sequences to the terminal
/// nor split a line. A value's JSON text stays valid JSON with the same meaning; in a
/// key, which is not JSON, `\` is doubled so an escape cannot be mistaken for the text.
fn terminal_safe(s: &str, is_key: bool) -> Cow<'_, str> {
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
struct Printer<'a> {
    format: ListFormat,
    out: &'a mut dyn Write,
    first: bool,
}

impl<'a> Printer<'a> {
    fn new(format: ListFormat, out: &'a mut dyn Write) -> Self {
        Self {
            format,
            out,
            first: true,
        }
    }

    fn entry(&mut self, e: &LogEntry) -> std::io::Result<()> {
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

    fn finish(&mut self) -> std::io::Result<()> {
        if self.format == ListFormat::Json {
            writeln!(self.out, "{}", if self.first { "[]" } else { "]" })?;
        }
        self.out.flush()
    }
}

/// A spinner with a count on stderr, only when stderr is a terminal.
struct Progress(indicatif::ProgressBar);

impl Progress {
    fn new(what: &'static str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(indicatif::ProgressBar::hidden());
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} {{pos}} {what} ({{per_sec}})"
        )) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self(bar)
    }

    /// A bar with a known length, only when stderr is a terminal.
    fn bar(len: u64, what: &'static str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(indicatif::ProgressBar::hidden());
        }
        let bar = indicatif::ProgressBar::new(len);
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} ({{per_sec}}, {{eta}} left)"
        )) {
            bar.set_style(style);
        }
        Self(bar)
    }

    fn tick(&self) {
        self.0.inc(1);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Drop for Progress {
    /// However the command ends, the spinner line is cleared before any error prints.
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// The store's identity: where its remembered head is kept, what a checkpoint names.
async fn store_id(aws: &Aws, bucket: &str, args: &StoreArgs) -> Result<StoreId, Error> {
    Ok(StoreId {
        endpoint: aws.s3_endpoint().await?.unwrap_or_default(),
        bucket: bucket.to_owned(),
        prefix: args.prefix.clone(),
    })
}

/// Verify against the checkpoint named, or the head remembered in the cache folder, and
/// remember what was verified (never on a failure: a rewritten log never replaces what
/// was trusted).
async fn audit(store: &Store, id: &StoreId, args: &AnchorArgs) -> Result<Audited, Error> {
    let heads = match HeadCache::open(id) {
        Ok(h) => Some(h),
        Err(e) => {
            warn(format_args!(
                "not remembering verified heads: {}",
                crate::exit::chain(&e)
            ));
            None
        }
    };
    let anchor = match &args.checkpoint {
        Some(path) => Anchor::from_checkpoint(read_checkpoint(path)?, id)?,
        None => heads.as_ref().map(HeadCache::anchor).unwrap_or_default(),
    };
    let progress = Progress::new("entries and key objects verified");
    let audited = audit::audit(store, &anchor, args.full, store.concurrency(), &|| {
        progress.tick()
    })
    .await;
    progress.finish();
    let audited = audited?;
    if let Some(Err(e)) = heads.map(|h| h.remember(&audited)) {
        warn(format_args!(
            "could not remember the verified head: {}",
            crate::exit::chain(&e)
        ));
    }
    Ok(audited)
}

/// One line about a verify: what was checked, since when, and the verdict.
fn describe_audit(a: &Audited) -> String {
    let since = match &a.since {
        Some(h) => format!(
            " since sequence {} (verified at {})",
            h.sequence, h.verified_at
        ),
        None => String::new(),
    };
    let entries = match (a.chain.count, a.since.is_some()) {
        (0, true) => "no new entries".to_owned(),
        (1, true) => format!("1 new entry{}", a.chain.dialects()),
        (n, true) => format!("{n} new entries{}", a.chain.dialects()),
        (n, false) => format!("{n} entries{}", a.chain.dialects()),
    };
    format!(
        "verified {entries}{since} and {} key objects ({} unchanged): the chain is intact",
        a.keys_checked + a.keys_unchanged,
        a.keys_unchanged
    )
}

/// The newest `limit` entries' chain alone (`verify --limit`).
async fn verify_newest(store: &Store, limit: usize) -> Result<ExitStatus, Error> {
    let log = store.log_key();
    let progress = Progress::new("entries verified");
    let mut stream = std::pin::pin!(store.log_entries(&log, None).take(limit));
    let mut check = ChainCheck::default();
    let mut count = 0;
    while let Some(entry) = stream.try_next().await? {
        check.push(entry)?;
        count += 1;
        progress.tick();
    }
    progress.finish();
    let summary = check.finish(count < limit)?;
    note(format_args!(
        "verified {} entries{}: the chain is intact",
        summary.count,
        summary.dialects()
    ));
    Ok(ExitStatus::Success)
}

/// `get --at/--sequence`: the entry as of then, or exit 1 saying the key did not exist.
async fn entry_as_of(store: &Store, key: &str, as_of: AsOf) -> Result<LogEntry, Error> {
    let (found, newest) = tokio::join!(store.entry_as_of(key, as_of), async {
        match as_of {
            AsOf::Sequence(_) => store.newest_log_entry().await.map(Some),
            AsOf::Time(_) => Ok(None),
        }
    });
    if let (AsOf::Sequence(n), Some(newest)) = (as_of, newest?) {
        let head = newest.map_or(-1, |e| e.sequence);
        if n > head {
            return Err(Error::Usage(format!(
                "sequence {n} is not in the log: its newest entry is sequence {head}"
            )));
        }
    }
    match found? {
        Ok(entry) => Ok(entry),
        Err(None) => Err(StoreError::KeyNotFound(key.to_owned()).into()),
        Err(Some(first)) => Err(Error::Refused(format!(
            "key {key:?} did not exist at {as_of}: its first entry is sequence {}, written {}",
            first.sequence,
            crate::time::rfc3339_ms_text(first.timestamp_ms)
        ))),
    }
}

/// `verify --file`: a dump, offline.
fn verify_file(
    file: &std::path::Path,
    checkpoint: Option<&std::path::Path>,
) -> Result<ExitStatus, Error> {
    let head = match checkpoint {
        Some(path) => Some(read_checkpoint(path)?.head),
        None => None,
    };
    let reader = std::fs::File::open(file).map_err(|source| Error::Input {
        what: file.display().to_string(),
        source,
    })?;
    let mut reader = std::io::BufReader::with_capacity(256 * 1024, reader);
    let progress = Progress::new("entries verified");
    let verified = dump::verify_dump(file, &mut reader, head.as_ref(), &|| progress.tick());
    progress.finish();
    let verified = verified?;
    let range = match &verified.newest {
        Some((sequence, _)) => format!(", sequence 0 to {sequence}"),
        None => String::new(),
    };
    let against = match &head {
        Some(h) => format!(", holding the checkpoint's sequence {}", h.sequence),
        None => String::new(),
    };
    note(format_args!(
        "verified {} entries{} in {}{range}{against}: the chain is intact",
        verified.chain.count,
        verified.chain.dialects(),
        file.display()
    ));
    Ok(ExitStatus::Success)
}

fn read_checkpoint(path: &std::path::Path) -> Result<Checkpoint, Error> {
    let text = std::fs::read(path).map_err(|source| Error::Input {
        what: path.display().to_string(),
        source,
    })?;
    serde_json::from_slice(&text).map_err(|e| {
        Error::Usage(format!(
            "{} is not a checkpoint written by `immukv checkpoint` ({e})",
            path.display()
        ))
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown() {
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

/// Whether the reader of stdout has gone (a closed pipe), found without writing.
fn stdout_closed() -> bool {
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

/// `watch`: poll, print, back off on transient errors, stop on a signal or a closed
/// stdout.
async fn watch(
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
            Err(e) if e.is_transient() => {
                delay = (delay * 2).clamp(interval, MAX_BACKOFF.max(interval));
                warn(format_args!(
                    "watch: {}; trying again in {:.1} s",
                    crate::exit::chain(&e),
                    delay.as_secs_f64()
                ));
                failing = true;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(ExitStatus::Success)
}

/// `import`: read and check every line first (bad input writes nothing), then append.
async fn import(
    store: Arc<Store>,
    id: &StoreId,
    file: Option<&std::path::Path>,
    resume: bool,
) -> Result<ExitStatus, Error> {
    let (text, source_name) = read_input(
        file,
        "no lines given: pass --file or pipe JSON lines to stdin",
        "the lines on stdin (as UTF-8)",
    )?;
    let lines = import::parse_lines(&text, &source_name)?;
    for line in &lines {
        store
            .key_path(&line.key)
            .map_err(|e| Error::Usage(format!("{source_name} line {}: {e}", line.number)))?;
        let size = line.value.canonical().len() as u64;
        if size > crate::immukv::store::MAX_OBJECT_BYTES - 1024 {
            return Err(Error::Usage(format!(
                "{source_name} line {}: the value is {size} bytes, more than an entry may hold",
                line.number
            )));
        }
    }
    let journal = ImportJournal::open(id)?;
    if !resume && let Some(n) = journal.unfinished() {
        warn(format_args!(
            "an earlier import of {n} lines into this store did not finish; this starts a new one              (`--resume` with that input would have continued it)"
        ));
    }
    let digest = import::digest(&text);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let signals = tokio::spawn(async move {
        shutdown().await;
        flag.store(true, Ordering::SeqCst);
    });
    let bar = Progress::bar(lines.len() as u64, "lines");
    let result = import::import(store, &journal, &lines, &digest, resume, &stop, &|n| {
        bar.0.inc(n);
    })
    .await;
    signals.abort();
    bar.finish();
    let imported = result?;
    let range = match (imported.first_sequence, imported.last_sequence) {
        (Some(a), Some(b)) => format!(" as sequences {a} to {b}"),
        _ => String::new(),
    };
    let resumed = if resume {
        format!(
            " ({} were in the log already{})",
            imported.skipped,
            match imported.repaired {
                0 => String::new(),
                n => format!("; {n} key objects left behind were written"),
            }
        )
    } else {
        String::new()
    };
    note(format_args!(
        "imported {} lines{range}{resumed}",
        imported.appended
    ));
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_has_no_control_characters() {
        assert_eq!(terminal_safe("plain-key", true), "plain-key");
        assert_eq!(
            terminal_safe("a\u{1b}[31mb\nc", true),
            "a\\u001b[31mb\\u000ac"
        );
        assert_eq!(terminal_safe("back\\slash", true), "back\\\\slash");
        assert_eq!(
            terminal_safe("\"a\\u00e9\u{7f}\u{9b}\"", false),
            "\"a\\u00e9\\u007f\\u009b\""
        );
    }
}
