//! `immukv`: a command-line client for ImmuKV stores, interoperable with the official
//! Python and TypeScript clients.

mod import;
mod render;
mod verify;
mod watch;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};
use futures_util::{StreamExt, TryStreamExt};

use super::input::read_input;
use super::progress::Progress;
use super::{Error, runtime};
use crate::app::aws_args::AwsArgs;
use crate::aws::Aws;
use crate::aws::kms::KmsKeyId;
use crate::aws::reference::Ref;
use crate::diag::{note, warn};
use crate::exit::ExitStatus;
use crate::immukv::entry::LogEntry;
use crate::immukv::head::StoreId;
use crate::immukv::retention::{Retention, Source};
use crate::immukv::store::{AsOf, Held, KeyRetention, KeyStart, Store, StoreError};
use crate::pyjson::{self, Json};
use render::{Printer, print_stream, terminal_safe};

const BINARY: &str = "immukv";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    long_version = crate::app::LONG_VERSION,
    about = "A command-line client for ImmuKV, the append-only, hash-chained key-value store on S3",
    after_help = "Examples:\n  export IMMUKV_BUCKET=my-immukv-bucket\n  immukv set sensor-1 '{\"temp\": 21.5}'\n  \
        immukv get sensor-1\n  immukv history sensor-1 --limit 10\n  immukv log --output jsonl\n  immukv verify\n  \
        immukv get sensor-1 --at 2026-11-24T09:00:00Z\n  immukv watch --output jsonl\n  \
        immukv export > dump.jsonl && immukv verify --file dump.jsonl\n  immukv import --file lines.jsonl\n  \
        immukv checkpoint --sign alias/immukv-checkpoints --put ssm:/immukv/checkpoint\n  \
        immukv verify --checkpoint ssm:/immukv/checkpoint --signed-by alias/immukv-checkpoints\n  \
        immukv verify --log-version-retention 90   # a store deployed with logVersionRetention: 90 days"
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
    #[command(flatten)]
    retention: RetentionArgs,
}

/// The store's retention, as its construct's props declared it: used when the bucket's
/// lifecycle rules cannot be read (the construct's own policies do not allow it).
#[derive(Debug, Clone, Args)]
struct RetentionArgs {
    /// Days a log version is kept once noncurrent (the construct's logVersionRetention),
    /// for judging a log whose oldest entries are gone when the bucket's lifecycle rules
    /// cannot be read.
    #[arg(
        long,
        global = true,
        value_name = "DAYS",
        env = crate::env::IMMUKV_LOG_VERSION_RETENTION,
        value_parser = clap::value_parser!(u32).range(1..),
        help_heading = "Retention"
    )]
    log_version_retention: Option<u32>,
    /// Noncurrent log versions kept whatever their age (the construct's
    /// logVersionsToRetain).
    #[arg(
        long,
        global = true,
        value_name = "N",
        env = crate::env::IMMUKV_LOG_VERSIONS_TO_RETAIN,
        requires = "log_version_retention",
        help_heading = "Retention"
    )]
    log_versions_to_retain: Option<u32>,
    /// Days a key object version is kept once noncurrent (the construct's
    /// keyVersionRetention), for telling expired history from a key that did not exist.
    #[arg(
        long,
        global = true,
        value_name = "DAYS",
        env = crate::env::IMMUKV_KEY_VERSION_RETENTION,
        value_parser = clap::value_parser!(u32).range(1..),
        help_heading = "Retention"
    )]
    key_version_retention: Option<u32>,
    /// Noncurrent key object versions kept whatever their age (the construct's
    /// keyVersionsToRetain).
    #[arg(
        long,
        global = true,
        value_name = "N",
        env = crate::env::IMMUKV_KEY_VERSIONS_TO_RETAIN,
        requires = "key_version_retention",
        help_heading = "Retention"
    )]
    key_versions_to_retain: Option<u32>,
}

impl RetentionArgs {
    fn declared(days: Option<u32>, keep: Option<u32>, flag: &'static str) -> Option<Retention> {
        days.map(|days| Retention {
            days: i64::from(days),
            keep: i64::from(keep.unwrap_or(0)),
            source: Source::Flag(flag),
        })
    }

    fn log(&self) -> Option<Retention> {
        Self::declared(
            self.log_version_retention,
            self.log_versions_to_retain,
            render::LOG_RETENTION_FLAG,
        )
    }

    fn keys(&self) -> Option<Retention> {
        Self::declared(
            self.key_version_retention,
            self.key_versions_to_retain,
            "--key-version-retention",
        )
    }
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
            "{} is not a number of seconds from 0.05 to 86400",
            crate::diag::Quoted(text)
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

/// `set`'s arguments.
#[derive(Debug, Args)]
struct SetArgs {
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
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a value: JSON from the argument, --file, or stdin.
    #[command(allow_negative_numbers = true)]
    Set(SetArgs),
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
    /// Rewrite every key object that lags behind its key's newest entry in the log (or
    /// is missing), from the log, with conditional writes: safe beside live writers, and
    /// a second run finds nothing to do. Prints each key object rewritten.
    Repair,
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
    /// Verify, then print the verified head: a checkpoint to keep (a CI artifact, an SSM
    /// parameter) and verify against later with `verify --checkpoint`. JSON, or with
    /// --sign a signed note.
    Checkpoint {
        #[command(flatten)]
        anchor: AnchorArgs,
        /// Sign it with this KMS key (ECC_NIST_P256 or RSA; alias/NAME, an alias or key
        /// ARN, or a key id).
        #[arg(long, value_name = "KEY")]
        sign: Option<KmsKeyId>,
        /// Also keep it in this SSM parameter, verified against the checkpoint already
        /// there: the parameter only moves forward along the same chain.
        #[arg(long, value_name = "ssm:/NAME", conflicts_with = "checkpoint")]
        put: Option<SsmParameter>,
        /// Put an unsigned checkpoint over a signed one.
        #[arg(long, requires = "put")]
        force: bool,
    },
}

/// Where a checkpoint is read from.
#[derive(Debug, Clone)]
enum CheckpointSource {
    File(PathBuf),
    Ssm(SsmParameter),
}

impl FromStr for CheckpointSource {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("ssm:") {
            return s.parse().map(CheckpointSource::Ssm);
        }
        Ok(CheckpointSource::File(PathBuf::from(s)))
    }
}

/// An SSM parameter named `ssm:/NAME`.
#[derive(Debug, Clone)]
struct SsmParameter(String);

impl FromStr for SsmParameter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match crate::aws::reference::Reference::parse(s) {
            Ok(Some(crate::aws::reference::Reference::Ssm(name))) => Ok(Self(name)),
            Ok(_) => Err(format!(
                "{} is not an SSM parameter: write ssm:/parameter/name",
                crate::diag::Quoted(s)
            )),
            Err(e) => Err(e),
        }
    }
}

/// What a verify is measured against.
#[derive(Debug, Clone, Args)]
struct AnchorArgs {
    /// Re-verify the whole chain from genesis (still comparing with the head verified
    /// last time).
    #[arg(long)]
    full: bool,
    /// Trust this checkpoint (from `immukv checkpoint`: a file, or ssm:/NAME) instead of
    /// the head remembered in the cache folder.
    #[arg(long, value_name = "FILE|ssm:/NAME")]
    checkpoint: Option<CheckpointSource>,
    /// The checkpoint must be signed by this key: its public half, as `aws kms
    /// get-public-key` returns it (PEM, base64 or DER). Offline.
    #[arg(long, value_name = "PEM", conflicts_with = "signed_by")]
    public_key: Option<PathBuf>,
    /// The checkpoint must be signed by this KMS key, checked with KMS Verify.
    #[arg(long, value_name = "KEY")]
    signed_by: Option<KmsKeyId>,
}

pub fn main() -> ExitCode {
    super::run(BINARY, |cli: Cli| runtime()?.block_on(run(cli)))
}

async fn run(cli: Cli) -> Result<ExitStatus, Error> {
    check_anchor_flags(&cli.command)?;
    let aws = Aws::new(cli.aws.selection());
    // An auditor's copy is verified with no bucket and, unless the checkpoint is kept
    // in SSM or checked by KMS, no credentials and no network.
    if let Command::Verify {
        file: Some(file),
        anchor,
        ..
    } = &cli.command
    {
        return verify::verify_file(&aws, file, anchor, cli.store.retention.log().as_ref()).await;
    }
    let store = Arc::new(open_store(&cli.store, &aws).await?);
    let retention = &cli.store.retention;
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Set(args) => set(&store, &args, &mut out).await?,
        Command::Get {
            key,
            entry,
            at,
            sequence,
        } => {
            let as_of = at.map(AsOf::Time).or(sequence.map(AsOf::Sequence));
            let e = get(&store, &key, as_of, retention.keys().as_ref()).await?;
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
            history(
                &store,
                &key,
                since,
                until,
                &paging,
                retention.keys().as_ref(),
                &mut out,
            )
            .await?
        }
        Command::Log { paging } => log(&store, &paging, &mut out).await?,
        Command::Keys {
            key_prefix,
            limit,
            after,
            output,
        } => keys(&store, &key_prefix, limit, after, output, &mut out).await?,
        Command::Verify {
            limit: Some(limit), ..
        } => return verify::verify_newest(&store, limit, retention.log().as_ref()).await,
        Command::Verify { file: Some(_), .. } => unreachable!("verified above, offline"),
        Command::Watch {
            output,
            interval,
            key_prefix,
            from_sequence,
        } => {
            drop(out);
            return watch::watch(
                &store,
                output,
                interval,
                key_prefix.as_deref(),
                from_sequence,
            )
            .await;
        }
        Command::Repair => repair(&store, &mut out).await?,
        Command::Export => verify::export(&store, retention.log().as_ref(), &mut out).await?,
        Command::Import { file, resume } => {
            return import::import(store, file.as_deref(), resume).await;
        }
        Command::Verify {
            limit: None,
            file: None,
            anchor,
        } => {
            verify::verify(&aws, &store, &anchor, retention.log().as_ref()).await?;
        }
        Command::Checkpoint {
            anchor,
            sign,
            put,
            force,
        } => {
            let note = verify::checkpoint(
                &aws,
                &store,
                &anchor,
                retention.log().as_ref(),
                verify::Keep {
                    sign: sign.as_ref(),
                    put: put.as_ref().map(|p| p.0.as_str()),
                    force,
                },
            )
            .await?;
            write!(out, "{note}")?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `--public-key` and `--signed-by` check a checkpoint's signature: there must be one
/// (`--checkpoint`, or the parameter `checkpoint --put` verifies against).
fn check_anchor_flags(command: &Command) -> Result<(), Error> {
    let (anchor, put) = match command {
        Command::Verify { anchor, .. } => (anchor, None),
        Command::Checkpoint { anchor, put, .. } => (anchor, put.as_ref()),
        _ => return Ok(()),
    };
    let flag = match (&anchor.public_key, &anchor.signed_by) {
        (Some(_), _) => "--public-key",
        (None, Some(_)) => "--signed-by",
        (None, None) => return Ok(()),
    };
    if anchor.checkpoint.is_none() && put.is_none() {
        return Err(Error::Usage(format!(
            "{flag} checks the signature of a checkpoint, and there is none: pass --checkpoint FILE|ssm:/NAME \
             (with `checkpoint`, the one in --put ssm:/NAME is checked)"
        )));
    }
    Ok(())
}

/// The store `args` name, through `aws` (no call made yet).
async fn open_store(args: &StoreArgs, aws: &Aws) -> Result<Store, Error> {
    let bucket = args.bucket.clone().ok_or_else(|| {
        Error::Usage("no bucket given: pass --bucket or set IMMUKV_BUCKET".into())
    })?;
    let id = StoreId {
        endpoint: aws.s3_endpoint().await?.unwrap_or_default(),
        bucket: bucket.resolve(aws).await?,
        prefix: args.prefix.clone(),
    };
    Ok(Store::new(
        aws.s3(args.path_style).await?,
        id,
        args.read_only,
        usize::from(args.concurrency),
    ))
}

/// `get`: the newest entry, or the one as of a moment (`as_of`).
async fn get(
    store: &Store,
    key: &str,
    as_of: Option<AsOf>,
    declared: Option<&Retention>,
) -> Result<LogEntry, Error> {
    match as_of {
        None => Ok(store
            .get_entry(key, || verify::remembered_version(store.id()))
            .await?),
        Some(as_of) => entry_as_of(store, key, as_of, declared).await,
    }
}

/// `log`: the entries, newest first; on a terminal, a bar toward the head's sequence
/// (the head, read for it, is not read again).
async fn log(store: &Store, paging: &Paging, out: &mut dyn Write) -> Result<(), Error> {
    let log = store.log_key();
    let mut printer = Printer::new(paging.output, out);
    let progress = Progress::new("entries");
    let head = if progress.is_shown() && paging.before.is_none() {
        store.newest_log_entry().await?
    } else {
        None
    };
    if let Some(head) = &head {
        let all = (head.sequence + 1).unsigned_abs();
        progress.set_total(paging.limit.map_or(all, |l| all.min(l as u64)));
    }
    print_stream(
        store.log_entries_after(&log, paging.before.clone(), head.as_ref(), None),
        &mut printer,
        &progress,
        paging,
    )
    .await?;
    printer.finish()?;
    Ok(())
}

/// `set`: the value from the argument, a file or stdin, then the write.
async fn set(store: &Store, args: &SetArgs, out: &mut dyn Write) -> Result<(), Error> {
    // Creating the client made no call yet: a bad value still changes nothing.
    let value = read_value(args.value.as_deref(), args.file.as_deref(), args.string)?;
    let written = store.set(&args.key, &value, args.force).await?;
    let entry = written.entry;
    match args.output {
        ListFormat::Text => writeln!(
            out,
            "{}\t{}",
            entry.sequence,
            entry.version_id.as_deref().unwrap_or("")
        )?,
        ListFormat::Json | ListFormat::Jsonl => writeln!(out, "{}", entry.to_json())?,
    }
    Ok(())
}

/// `repair`: each key object rewritten, one line each; what was checked, on stderr.
async fn repair(store: &Store, out: &mut dyn Write) -> Result<(), Error> {
    let progress = Progress::new("entries");
    let repaired = crate::immukv::repair::repair(store, &progress).await?;
    drop(progress);
    for fixed in &repaired.fixed {
        let was = match &fixed.was {
            Held::Nothing => "missing".to_owned(),
            Held::Entry { sequence, .. } => format!("sequence {sequence}"),
            Held::Invalid { .. } => "not a valid entry".to_owned(),
        };
        writeln!(
            out,
            "{}: {was} -> sequence {}",
            terminal_safe(&fixed.object, true),
            fixed.sequence
        )?;
    }
    note(format_args!(
        "checked {} log entries and {} keys; repaired {} key objects",
        repaired.entries,
        repaired.keys,
        repaired.fixed.len()
    ));
    Ok(())
}

/// `history`: a key's entries, newest first, between --since and --until; when they
/// run out where older ones may have expired, a note says the history before then is
/// unknown.
async fn history(
    store: &Store,
    key: &str,
    since: Option<i64>,
    until: Option<i64>,
    paging: &Paging,
    declared: Option<&Retention>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let path = store.key_path(key)?;
    let mut printer = Printer::new(paging.output, out);
    let progress = Progress::new("entries");
    let stream = store.key_history(key, &path, paging.before.clone()).await?;
    // The oldest entry seen, and how many key-object versions, before any filter.
    let seen = std::cell::RefCell::new((None::<LogEntry>, 0i64));
    let stream = stream.inspect_ok(|e| {
        let mut seen = seen.borrow_mut();
        seen.1 += i64::from(e.log_version_id.is_some());
        seen.0 = Some(e.clone());
    });
    // Newest first: skip what is after --until, stop at the first before --since.
    let stream = stream
        .try_filter(move |e| std::future::ready(until.is_none_or(|u| e.timestamp_ms <= u)))
        .try_take_while(move |e| std::future::ready(Ok(since.is_none_or(|s| e.timestamp_ms >= s))));
    let ran_out = print_stream(stream, &mut printer, &progress, paging).await?;
    printer.finish()?;
    let (oldest, versions) = seen.into_inner();
    if let (true, Some(oldest), None) = (ran_out, oldest, paging.before.as_ref())
        && since.is_none_or(|s| s < oldest.timestamp_ms)
    {
        // Ran out before --since (or with none): what came before the oldest entry?
        let retention = KeyRetention {
            declared,
            now_ms: crate::time::now_ms(),
        };
        let before = crate::time::rfc3339_ms_text(oldest.timestamp_ms);
        match store.key_start(&path, &oldest, versions, retention).await? {
            KeyStart::First => {}
            KeyStart::Expired(rule) => warn(format_args!(
                "entries of key {key:?} before {before} are unknown: expired before then (the oldest left is \
                 sequence {}; older ones expired under {rule})",
                oldest.sequence
            )),
            KeyStart::Deleted => warn(format_args!(
                "entries of key {key:?} before {before} are unknown: they were deleted, and no retention rule \
                 explains it (the oldest left is sequence {}); if the store expires key versions, pass \
                 --key-version-retention DAYS",
                oldest.sequence
            )),
        }
    }
    Ok(())
}

/// `keys`: the store's keys, in order.
async fn keys(
    store: &Store,
    key_prefix: &str,
    limit: Option<usize>,
    after: Option<String>,
    output: ListFormat,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut stream = Box::pin(
        store
            .keys(key_prefix, after)
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
    Ok(())
}

/// `get --at/--sequence`: the entry as of then; a sequence beyond the head is refused.
async fn entry_as_of(
    store: &Store,
    key: &str,
    as_of: AsOf,
    declared: Option<&Retention>,
) -> Result<LogEntry, Error> {
    let retention = KeyRetention {
        declared,
        now_ms: crate::time::now_ms(),
    };
    let (found, newest) = tokio::join!(store.entry_as_of(key, as_of, retention), async {
        match as_of {
            AsOf::Sequence(_) => store.newest_log_entry().await.map(Some),
            AsOf::Time(_) => Ok(None),
        }
    });
    if let (AsOf::Sequence(n), Some(newest)) = (as_of, newest?) {
        let head = newest.map_or(-1, |e| e.sequence);
        if n > head {
            return Err(StoreError::BeyondHead { sequence: n, head }.into());
        }
    }
    Ok(found?)
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
    pyjson::parse(&text).map_err(Error::Value)
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
