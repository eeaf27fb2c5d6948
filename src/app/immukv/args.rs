//! `immukv`'s command line as clap reads it: the store, retention and AWS flags, the
//! subcommands and their arguments.

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app::aws_args::AwsArgs;
use crate::aws::kms::KmsKeyId;
use crate::aws::reference::Ref;
use crate::immukv::retention::{Retention, Source};

pub(super) const BINARY: &str = "immukv";

/// The flag that declares the log's retention when the bucket's rules cannot be read.
pub(super) const LOG_RETENTION_FLAG: &str = "--log-version-retention";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    long_version = crate::app::cli::LONG_VERSION,
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
    pub(super) store: StoreArgs,
    #[command(flatten)]
    pub(super) aws: AwsArgs,
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Debug, Clone, Args)]
pub(super) struct StoreArgs {
    /// The store's S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(
        long,
        global = true,
        env = crate::env::IMMUKV_BUCKET,
        value_name = "BUCKET",
        help_heading = "Store"
    )]
    pub(super) bucket: Option<Ref<String>>,
    /// Prefix of the store's objects, prepended as is (no `/` added).
    #[arg(
        long,
        global = true,
        env = crate::env::IMMUKV_PREFIX,
        value_name = "PREFIX",
        default_value = "",
        help_heading = "Store"
    )]
    pub(super) prefix: String,
    /// Address the bucket by path (emulators, dotted bucket names).
    #[arg(long, global = true, help_heading = "Store")]
    pub(super) path_style: bool,
    /// Never write, not even to repair an orphaned entry.
    #[arg(long, global = true, help_heading = "Store")]
    pub(super) read_only: bool,
    /// Objects fetched at once by listings and verify.
    #[arg(
        long,
        global = true,
        value_name = "N",
        default_value_t = 32,
        value_parser = clap::value_parser!(u16).range(1..=256),
        help_heading = "Store"
    )]
    pub(super) concurrency: u16,
    #[command(flatten)]
    pub(super) retention: RetentionArgs,
}

/// The store's retention, as its construct's props declared it: used when the bucket's
/// lifecycle rules cannot be read (the construct's own policies do not allow it).
#[derive(Debug, Clone, Args)]
pub(super) struct RetentionArgs {
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
    pub(super) log_version_retention: Option<u32>,
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
    pub(super) log_versions_to_retain: Option<u32>,
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
    pub(super) key_version_retention: Option<u32>,
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
    pub(super) key_versions_to_retain: Option<u32>,
}

impl RetentionArgs {
    fn declared(days: Option<u32>, keep: Option<u32>, flag: &'static str) -> Option<Retention> {
        days.map(|days| Retention {
            days: i64::from(days),
            keep: i64::from(keep.unwrap_or(0)),
            source: Source::Flag(flag),
        })
    }

    pub(super) fn log(&self) -> Option<Retention> {
        Self::declared(
            self.log_version_retention,
            self.log_versions_to_retain,
            LOG_RETENTION_FLAG,
        )
    }

    pub(super) fn keys(&self) -> Option<Retention> {
        Self::declared(
            self.key_version_retention,
            self.key_versions_to_retain,
            "--key-version-retention",
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ListFormat {
    /// Tab-separated lines: sequence, time, key, value, version.
    Text,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum WatchFormat {
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
pub(super) struct Paging {
    /// At most this many items.
    #[arg(long, value_name = "N")]
    pub(super) limit: Option<usize>,
    /// Only items older than this version id (key for `keys`): the next page.
    #[arg(long, value_name = "ID")]
    pub(super) before: Option<String>,
    /// Only items newer than this version id.
    #[arg(long, value_name = "ID")]
    pub(super) after: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub(super) output: ListFormat,
}

/// `set`'s arguments.
#[derive(Debug, Args)]
pub(super) struct SetArgs {
    pub(super) key: String,
    /// The value as JSON (omit to read --file or stdin).
    pub(super) value: Option<String>,
    /// Read the value from this file.
    #[arg(long, value_name = "PATH", conflicts_with = "value")]
    pub(super) file: Option<std::path::PathBuf>,
    /// Store the text as a JSON string instead of parsing it.
    #[arg(long)]
    pub(super) string: bool,
    /// Write even when the log has a delete marker (continues from its newest version).
    #[arg(long)]
    pub(super) force: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub(super) output: ListFormat,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
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
pub(super) enum CheckpointSource {
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
pub(super) struct SsmParameter(pub(super) String);

impl FromStr for SsmParameter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match crate::aws::reference::Reference::parse(s) {
            Ok(Some(crate::aws::reference::Reference::Ssm(p))) if p.region.is_none() => {
                Ok(Self(p.name))
            }
            Ok(_) => Err(format!(
                "{} is not an SSM parameter in this region: write ssm:/parameter/name",
                crate::diag::Quoted(s)
            )),
            Err(e) => Err(e),
        }
    }
}

/// What a verify is measured against.
#[derive(Debug, Clone, Args)]
pub(super) struct AnchorArgs {
    /// Re-verify the whole chain from genesis (still comparing with the head verified
    /// last time).
    #[arg(long)]
    pub(super) full: bool,
    /// Trust this checkpoint (from `immukv checkpoint`: a file, or ssm:/NAME) instead of
    /// the head remembered in the cache folder.
    #[arg(long, value_name = "FILE|ssm:/NAME")]
    pub(super) checkpoint: Option<CheckpointSource>,
    /// The checkpoint must be signed by this key: its public half, as `aws kms
    /// get-public-key` returns it (PEM, base64 or DER). Offline.
    #[arg(long, value_name = "PEM", conflicts_with = "signed_by")]
    pub(super) public_key: Option<PathBuf>,
    /// The checkpoint must be signed by this KMS key, checked with KMS Verify.
    #[arg(long, value_name = "KEY")]
    pub(super) signed_by: Option<KmsKeyId>,
}
