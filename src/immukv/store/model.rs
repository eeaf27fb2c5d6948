//! The store's values: [`Store`] itself, what its operations answer with, and its
//! errors. The object layer (`s3`), the writes and the reads are the sibling modules.

use aws_sdk_s3::Client;

use super::super::entry::LogEntry;
use super::super::head::StoreId;
use super::super::retention::Retention;
use crate::aws::AwsError;
use crate::pyjson::Json;

/// S3's limit on object key length, in bytes.
pub(super) const MAX_OBJECT_KEY: usize = 1024;
/// The largest log entry or key object read or written (a value of a few MiB at most):
/// a hostile or broken object cannot exhaust memory.
pub(crate) const MAX_OBJECT_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error(
        "the bucket {0} does not exist (or is not visible to these credentials): check --bucket and --region"
    )]
    NoSuchBucket(String),
    #[error(
        "the bucket {0} does not have versioning enabled (or it was suspended): ImmuKV keeps every entry as an \
         object version; enable versioning on the bucket. Nothing was written"
    )]
    NotVersioned(String),
    #[error(
        "the bucket {bucket} does not keep versions (versioning suspended?): the entry was written as the \
         unversioned {object}, which the next write would overwrite; enable versioning on the bucket"
    )]
    WrittenUnversioned { bucket: String, object: String },
    #[error(
        "the log {0} has a delete marker: writing would restart the chain from genesis and fork it; \
         remove the delete marker to restore the log, or pass --force to continue from its newest version"
    )]
    LogDeleted(String),
    #[error("no write permission on {0}: these credentials are read-only")]
    ReadOnly(String),
    #[error("access denied to {0}: these credentials may not read the store")]
    AccessDenied(String),
    #[error("the log {0} kept changing between reads; try again")]
    LogUnstable(String),
    #[error("the store is opened with --read-only")]
    ReadOnlyMode,
    #[error("key {} not found", crate::diag::Quoted(.0))]
    KeyNotFound(String),
    #[error(
        "key {key:?} did not exist at {as_of}: its first entry is sequence {}, written {}",
        first.sequence, crate::time::rfc3339_ms_text(first.timestamp_ms)
    )]
    NotYetWritten {
        key: String,
        as_of: AsOf,
        first: Box<LogEntry>,
    },
    #[error(
        "key {key:?} at {as_of}: unknown: expired before {} (the key's oldest entry left is sequence {}; \
         older ones expired under {rule})",
        crate::time::rfc3339_ms_text(oldest.timestamp_ms), oldest.sequence
    )]
    ExpiredBefore {
        key: String,
        as_of: AsOf,
        oldest: Box<LogEntry>,
        rule: Box<Retention>,
    },
    #[error(
        "key {key:?} at {as_of}: unknown: its entries before sequence {} (written {}) were deleted, and no \
         retention rule explains it; if the store expires key versions, pass --key-version-retention DAYS",
        oldest.sequence, crate::time::rfc3339_ms_text(oldest.timestamp_ms)
    )]
    HistoryDeleted {
        key: String,
        as_of: AsOf,
        oldest: Box<LogEntry>,
    },
    #[error("sequence {sequence} is not in the log: its newest entry is sequence {head}")]
    BeyondHead { sequence: i64, head: i64 },
    #[error("log version {0} not found")]
    VersionNotFound(String),
    #[error(
        "the object key {} is {} bytes, longer than S3's {MAX_OBJECT_KEY}: use a shorter key or prefix", crate::diag::Quoted(.0), .1
    )]
    KeyTooLong(String, usize),
    #[error(
        "gave up after {0} attempts: other writers kept winning the log, or it could not be reached; try again"
    )]
    TooManyConflicts(u32),
    #[error(
        "the newest entry (key {key:?}) never reached its key object {object}, and writing now would \
         leave it behind for good; it could not be repaired (nothing was written): try again, or run \
         `immukv repair`"
    )]
    Unrepaired {
        key: String,
        object: String,
        #[source]
        source: Box<Lag>,
    },
    #[error(
        "the entry is committed to the log as sequence {sequence}, but the key object {object} lags \
         behind the log: run `immukv repair` to rewrite it (do not repeat the write)"
    )]
    CommittedBehind {
        sequence: i64,
        object: String,
        #[source]
        source: Box<Lag>,
    },
    #[error(
        "key {key:?}: its key object {object} is missing, but the log holds its entry at sequence \
         {sequence} (version {version}): run `immukv repair` to rewrite it from the log"
    )]
    KeyObjectMissing {
        key: String,
        object: String,
        sequence: i64,
        version: String,
    },
    #[error("{object} is not a valid entry: {reason}")]
    Malformed { object: String, reason: String },
    #[error(
        "{object} does not match its own hash: stored {stored}, computed {computed}; it was changed after it was written"
    )]
    Tampered {
        object: String,
        stored: String,
        computed: String,
    },
    #[error(
        "{object} is larger than {MAX_OBJECT_BYTES} bytes, the most an entry may be: refusing to read it"
    )]
    ObjectTooLarge { object: String },
    #[error(
        "the entry would be {size} bytes, more than the {MAX_OBJECT_BYTES} an entry may be: store a smaller value"
    )]
    ValueTooLarge { size: usize },
    #[error("S3 answered {operation} in a way the store cannot use: {what}")]
    UnexpectedAnswer {
        operation: &'static str,
        what: &'static str,
    },
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// What a `set` did: the entry is committed, and its key object (and the one of the
/// entry it was appended over) is in place.
#[derive(Debug)]
pub(crate) struct Written {
    /// The committed entry, with its log version id.
    pub(crate) entry: LogEntry,
    /// Its key object's ETag, when known.
    pub(crate) key_etag: Option<String>,
    /// The log's ETag after this write, when the write itself learned it: the next
    /// append can be conditioned on it without reading the log again.
    pub(crate) log_etag: Option<String>,
}

/// The moment a point-in-time read looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AsOf {
    /// Unix milliseconds: the newest entry whose `timestamp_ms` is at or before it.
    Time(i64),
    /// The newest entry at or before this log sequence.
    Sequence(i64),
}

impl AsOf {
    pub(super) fn includes(self, e: &LogEntry) -> bool {
        match self {
            AsOf::Time(ms) => e.timestamp_ms <= ms,
            AsOf::Sequence(n) => e.sequence <= n,
        }
    }
}

impl std::fmt::Display for AsOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AsOf::Time(ms) => write!(f, "{}", crate::time::rfc3339_ms_text(*ms)),
            AsOf::Sequence(n) => write!(f, "sequence {n}"),
        }
    }
}

/// What decides whether a key's oldest versions expired: the retention the user
/// declared for key objects (for when the bucket's rules cannot be read), and now.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyRetention<'a> {
    pub(crate) declared: Option<&'a Retention>,
    pub(crate) now_ms: i64,
}

/// What came before a key's oldest version left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyStart {
    /// Nothing: it is the key's first write.
    First,
    /// Older versions, expired under this rule.
    Expired(Retention),
    /// Older versions, deleted: no rule explains it.
    Deleted,
}

/// What a conditional read of the log found.
#[derive(Debug)]
pub(crate) enum Polled {
    /// The log is as it was (304).
    Unchanged,
    /// The newest entry and the log's ETag now.
    Changed(Box<LogEntry>, Option<String>),
    /// The log is missing (an empty store, or a delete marker on it).
    Missing,
}

/// The newest entry of the log and the ETag to append after it.
#[derive(Debug, Clone)]
pub(crate) struct Tip {
    pub(crate) entry: Option<LogEntry>,
    pub(crate) etag: Option<String>,
}

/// How a pipelined append ended.
#[derive(Debug)]
pub(crate) enum Appended {
    /// Committed, with the log's new ETag.
    Committed(LogEntry, Option<String>),
    /// Not known to be committed (a conflict, or an answer that never came): finish it
    /// with [`Store::set_after`], which looks for it in the log first.
    Unsure(LogEntry),
}

/// Whether a key object caught up with its log entry.
#[derive(Debug)]
pub(crate) enum KeyObject {
    /// It holds the entry or a newer one: its ETag (when S3 said), and whether this
    /// call wrote it.
    Current { etag: Option<String>, wrote: bool },
    /// It lags behind the log, for this reason.
    Lagging(Box<Lag>),
}

/// Why a key object lags behind its log entry.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Lag {
    #[error("the entry has no log version")]
    NoLogVersion,
    #[error("access denied")]
    Denied,
    #[error("a concurrent write")]
    ConcurrentWrite,
    #[error("S3 kept answering 409 ConditionalRequestConflict")]
    Conflict,
    #[error(transparent)]
    Aws(AwsError),
    #[error(transparent)]
    Store(Box<StoreError>),
}

/// `object`, or `object (version V)`.
pub(super) fn describe(object: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{object} (version {v})"),
        None => object.to_owned(),
    }
}

pub(crate) struct Store {
    pub(super) client: Client,
    /// Which store: its endpoint, bucket and prefix.
    pub(super) id: StoreId,
    pub(super) read_only: bool,
    pub(super) concurrency: usize,
}

/// The largest value an entry may hold: room is left for the entry's other fields.
const MAX_VALUE_BYTES: u64 = MAX_OBJECT_BYTES - 1024;

impl Store {
    /// Whether `key = value` can be an entry of this store: S3 can name its key object,
    /// and the value fits in an entry. Checked before anything is written, by `set` and
    /// for every line of an import.
    pub(crate) fn check_entry(&self, key: &str, value: &Json) -> Result<(), StoreError> {
        self.key_path(key)?;
        let size = value.canonical().len();
        if size as u64 > MAX_VALUE_BYTES {
            return Err(StoreError::ValueTooLarge { size });
        }
        Ok(())
    }

    pub(crate) fn new(client: Client, id: StoreId, read_only: bool, concurrency: usize) -> Self {
        Self {
            client,
            id,
            read_only,
            concurrency: concurrency.max(1),
        }
    }

    /// Which store this is.
    pub(crate) fn id(&self) -> &StoreId {
        &self.id
    }

    pub(crate) fn bucket(&self) -> &str {
        &self.id.bucket
    }

    /// Refused when the store was opened read-only.
    pub(crate) fn check_writable(&self) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnlyMode);
        }
        Ok(())
    }

    /// Objects fetched at once by listings.
    pub(crate) fn concurrency(&self) -> usize {
        self.concurrency
    }

    pub(crate) fn log_key(&self) -> String {
        format!("{}_log.json", self.id.prefix)
    }

    /// The object key of `key`, refused when S3 could not store it.
    pub(crate) fn key_path(&self, key: &str) -> Result<String, StoreError> {
        let path = format!("{}keys/{key}.json", self.id.prefix);
        if path.len() > MAX_OBJECT_KEY {
            return Err(StoreError::KeyTooLong(
                key.chars().take(40).collect::<String>() + "...",
                path.len(),
            ));
        }
        Ok(path)
    }
}

/// An entry whose hash does not recompute is refused, naming where it was read from.
pub(crate) fn check_hash(entry: &LogEntry, object: &str) -> Result<(), StoreError> {
    match entry.verify_hash() {
        Some(_) => Ok(()),
        None => Err(StoreError::Tampered {
            object: object.to_owned(),
            stored: entry.hash.clone(),
            computed: entry.expected_hash(),
        }),
    }
}
