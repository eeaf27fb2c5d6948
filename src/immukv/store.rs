//! An ImmuKV store on S3: the two-phase write with optimistic locking, reads that see
//! orphans, and concurrent, ordered, streaming listings.

use std::borrow::Cow;
use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::EncodingType;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};

use super::entry::{GENESIS_HASH, LogEntry};
use crate::aws::{AwsError, sdk_error};
use crate::pyjson::Json;

/// S3's limit on object key length, in bytes.
const MAX_OBJECT_KEY: usize = 1024;
/// Attempts at committing a log entry against concurrent writers.
const MAX_ATTEMPTS: u32 = 60;
/// Reads of a log that another writer is creating at that very moment.
const MAX_LOG_READS: u32 = 3;
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
    #[error("key {0:?} not found")]
    KeyNotFound(String),
    #[error("log version {0} not found")]
    VersionNotFound(String),
    #[error(
        "the object key {0:?} is {1} bytes, longer than S3's {MAX_OBJECT_KEY}: use a shorter key or prefix"
    )]
    KeyTooLong(String, usize),
    #[error(
        "gave up after {0} attempts: other writers kept winning the log, or it could not be reached; try again"
    )]
    TooManyConflicts(u32),
    #[error(
        "the newest entry (key {key:?}) never reached its key object and could not be repaired ({why}); \
         writing now would leave it behind for good"
    )]
    Unrepaired { key: String, why: String },
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

/// What a failed S3 call meant.
enum S3Failure {
    NotFound,
    /// 304 to a conditional GET: the object is as it was.
    NotModified,
    Denied,
    PreconditionFailed,
    Conflict,
    NoSuchBucket,
    Other(AwsError),
}

fn classify<E>(op: &'static str, err: SdkError<E, Response>) -> S3Failure
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let SdkError::ServiceError(service) = &err {
        let raw = service.raw();
        let code = service.err().code().unwrap_or("");
        if code == "NoSuchBucket" {
            return S3Failure::NoSuchBucket;
        }
        match raw.status().as_u16() {
            304 => return S3Failure::NotModified,
            404 => return S3Failure::NotFound,
            403 => return S3Failure::Denied,
            412 => return S3Failure::PreconditionFailed,
            409 => return S3Failure::Conflict,
            _ => {}
        }
    }
    S3Failure::Other(sdk_error(op, err))
}

/// One fetched object.
struct Fetched {
    body: Vec<u8>,
    etag: Option<String>,
    version_id: Option<String>,
}

enum LogState {
    Empty,
    /// The log has versions (after a 404: another writer just created it).
    Present,
    Deleted {
        newest: Option<String>,
    },
}

/// What a `set` did.
#[derive(Debug)]
pub(crate) struct Written {
    /// The committed entry, with its log version id.
    pub(crate) entry: LogEntry,
    /// Whether its key object is in place.
    pub(crate) key_object: KeyObject,
    /// Why the previous entry's key object could not be repaired alongside, if so.
    pub(crate) repair: Option<String>,
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
    fn includes(self, e: &LogEntry) -> bool {
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyObject {
    /// It is there (with its ETag, when this write made it).
    Written(Option<String>),
    /// It lags behind the log, for this reason: the next write repairs it.
    Lagging(String),
}

/// `object`, or `object (version V)`.
fn describe(object: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{object} (version {v})"),
        None => object.to_owned(),
    }
}

pub(crate) struct Store {
    client: Client,
    bucket: String,
    prefix: String,
    read_only: bool,
    concurrency: usize,
}

impl Store {
    pub(crate) fn new(
        client: Client,
        bucket: String,
        prefix: String,
        read_only: bool,
        concurrency: usize,
    ) -> Self {
        Self {
            client,
            bucket,
            prefix,
            read_only,
            concurrency: concurrency.max(1),
        }
    }

    /// Objects fetched at once by listings.
    pub(crate) fn concurrency(&self) -> usize {
        self.concurrency
    }

    pub(crate) fn log_key(&self) -> String {
        format!("{}_log.json", self.prefix)
    }

    /// The object key of `key`, refused when S3 could not store it.
    pub(crate) fn key_path(&self, key: &str) -> Result<String, StoreError> {
        let path = format!("{}keys/{key}.json", self.prefix);
        if path.len() > MAX_OBJECT_KEY {
            return Err(StoreError::KeyTooLong(
                key.chars().take(40).collect::<String>() + "...",
                path.len(),
            ));
        }
        Ok(path)
    }

    /// A failure of a read or a listing of `what`.
    fn read_error(&self, what: &str, operation: &'static str, f: S3Failure) -> StoreError {
        match f {
            S3Failure::NoSuchBucket => StoreError::NoSuchBucket(self.bucket.clone()),
            S3Failure::Other(e) => StoreError::Aws(e),
            S3Failure::Denied => StoreError::AccessDenied(what.to_owned()),
            S3Failure::NotFound
            | S3Failure::NotModified
            | S3Failure::PreconditionFailed
            | S3Failure::Conflict => StoreError::UnexpectedAnswer {
                operation,
                what: "a conditional-request error to an unconditional request",
            },
        }
    }

    /// GET an object (a version of it); `Ok(None)` when missing. Under the construct's
    /// least-privilege policies a missing object can answer 403, so that is missing too.
    async fn get(
        &self,
        object: &str,
        version: Option<&str>,
    ) -> Result<Result<Fetched, S3Failure>, StoreError> {
        self.get_unless(object, version, None).await
    }

    /// [`Store::get`], conditional on the ETag no longer being `unless` (a 304 is
    /// [`S3Failure::NotModified`]).
    async fn get_unless(
        &self,
        object: &str,
        version: Option<&str>,
        unless: Option<&str>,
    ) -> Result<Result<Fetched, S3Failure>, StoreError> {
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(object)
            .set_version_id(version.map(str::to_owned))
            .set_if_none_match(unless.map(str::to_owned))
            .send()
            .await;
        match result {
            Ok(out) => {
                let etag = out.e_tag().map(str::to_owned);
                let version_id = out.version_id().map(str::to_owned);
                let too_large = || StoreError::ObjectTooLarge {
                    object: object.to_owned(),
                };
                if out
                    .content_length()
                    .is_some_and(|n| u64::try_from(n).unwrap_or(0) > MAX_OBJECT_BYTES)
                {
                    return Err(too_large());
                }
                let mut stream = out.body;
                let mut body = Vec::new();
                while let Some(chunk) = stream.next().await {
                    let chunk = chunk.map_err(|e| {
                        StoreError::Aws(AwsError::Unreachable {
                            operation: "S3 GetObject",
                            reason: format!("reading {object}: {e}"),
                        })
                    })?;
                    if (body.len() + chunk.len()) as u64 > MAX_OBJECT_BYTES {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(Ok(Fetched {
                    body,
                    etag,
                    version_id,
                }))
            }
            Err(e) => match classify("S3 GetObject", e) {
                f @ (S3Failure::NotFound | S3Failure::Denied | S3Failure::NotModified) => {
                    Ok(Err(f))
                }
                f => Err(self.read_error(object, "S3 GetObject", f)),
            },
        }
    }

    fn parse(&self, object: &str, fetched: &Fetched) -> Result<LogEntry, StoreError> {
        LogEntry::parse(&fetched.body, fetched.version_id.clone()).map_err(|e| {
            StoreError::Malformed {
                object: describe(object, fetched.version_id.as_deref()),
                reason: e.0,
            }
        })
    }

    /// The newest log entry. A deleted log is an error unless `force`, which then
    /// continues from the newest real version.
    async fn log_head(&self, force: bool) -> Result<Tip, StoreError> {
        let log = self.log_key();
        for _ in 0..MAX_LOG_READS {
            let failure = match self.get(&log, None).await? {
                Ok(f) => {
                    if f.version_id.as_deref().is_none_or(|v| v == "null") {
                        return Err(StoreError::NotVersioned(self.bucket.clone()));
                    }
                    let entry = self.parse(&log, &f)?;
                    return Ok(Tip {
                        entry: Some(entry),
                        etag: f.etag,
                    });
                }
                Err(f) => f,
            };
            // A 404 is an empty store, a deleted log, or a log another writer has just
            // created; under the construct's least-privilege policies a missing object
            // answers 403. S3 flags a delete marker in a header, which not every
            // implementation sends, so the log's versions decide.
            match self.log_state(&log).await? {
                LogState::Empty => {
                    return Ok(Tip {
                        entry: None,
                        etag: None,
                    });
                }
                LogState::Deleted { newest } => {
                    if !force {
                        return Err(StoreError::LogDeleted(log));
                    }
                    let entry = match newest {
                        Some(vid) => Some(self.log_entry(&vid).await?),
                        None => None,
                    };
                    return Ok(Tip { entry, etag: None });
                }
                LogState::Present if matches!(failure, S3Failure::Denied) => {
                    return Err(StoreError::AccessDenied(log));
                }
                LogState::Present => continue,
            }
        }
        Err(StoreError::LogUnstable(log))
    }

    /// What the versions of a log that answered 404 say about it.
    async fn log_state(&self, log: &str) -> Result<LogState, StoreError> {
        let out = self
            .client
            .list_object_versions()
            .bucket(&self.bucket)
            .prefix(log)
            .encoding_type(EncodingType::Url)
            .send()
            .await
            .map_err(|e| {
                self.read_error(
                    log,
                    "S3 ListObjectVersions",
                    classify("S3 ListObjectVersions", e),
                )
            })?;
        let encoded = out.encoding_type() == Some(&EncodingType::Url);
        let deleted = out.delete_markers().iter().any(|m| {
            listed_key(m.key(), encoded).as_deref() == Some(log) && m.is_latest() == Some(true)
        });
        let mut versions = out
            .versions()
            .iter()
            .filter(|v| listed_key(v.key(), encoded).as_deref() == Some(log));
        if deleted {
            // Versions come newest first.
            let newest = versions
                .next()
                .and_then(|v| v.version_id().map(str::to_owned));
            return Ok(LogState::Deleted { newest });
        }
        Ok(if versions.next().is_some() {
            LogState::Present
        } else {
            LogState::Empty
        })
    }

    /// Whether the bucket keeps versions, when these credentials may ask (the
    /// construct's policies do not allow GetBucketVersioning: then `None`, and the
    /// version id a PUT answers with decides).
    async fn versioning_enabled(&self) -> Result<Option<bool>, StoreError> {
        match self
            .client
            .get_bucket_versioning()
            .bucket(&self.bucket)
            .send()
            .await
        {
            Ok(out) => Ok(Some(
                out.status() == Some(&aws_sdk_s3::types::BucketVersioningStatus::Enabled),
            )),
            Err(e) => match classify("S3 GetBucketVersioning", e) {
                S3Failure::NoSuchBucket => Err(StoreError::NoSuchBucket(self.bucket.clone())),
                _ => Ok(None),
            },
        }
    }

    async fn put(
        &self,
        object: &str,
        body: String,
        if_match: Option<&str>,
    ) -> Result<(Option<String>, Option<String>), S3Failure> {
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(object)
            .content_type("application/json")
            .body(ByteStream::from(body.into_bytes()));
        req = match if_match {
            Some(etag) => req.if_match(etag),
            None => req.if_none_match("*"),
        };
        match req.send().await {
            Ok(out) => Ok((
                out.e_tag().map(str::to_owned),
                out.version_id().map(str::to_owned),
            )),
            Err(e) => Err(classify("S3 PutObject", e)),
        }
    }

    async fn head_etag(&self, object: &str) -> Result<Option<String>, StoreError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(object)
            .send()
            .await
        {
            Ok(out) => Ok(out.e_tag().map(str::to_owned)),
            Err(e) => match classify("S3 HeadObject", e) {
                S3Failure::NotFound | S3Failure::Denied => Ok(None),
                f => Err(self.read_error(object, "S3 HeadObject", f)),
            },
        }
    }

    /// Write the key object of `entry` (held in log version `entry.version_id`) over
    /// the one whose ETag was `expected` (`None`: there was none), and say whether it
    /// is now there. A 412/409 or an ambiguous failure may mean this very write already
    /// happened (the answer was lost) or a newer entry's write did: the key object is
    /// read back, and one at this entry's sequence or later counts as written. For a
    /// `repair` a 412/409 is the protocol's "already repaired", without a read-back.
    async fn write_key_object(
        &self,
        entry: &LogEntry,
        expected: Option<&str>,
        repair: bool,
    ) -> Result<KeyObject, StoreError> {
        let (Some(log_version), Ok(path)) =
            (entry.version_id.as_deref(), self.key_path(&entry.key))
        else {
            return Ok(KeyObject::Lagging(
                "the entry has no log version".to_owned(),
            ));
        };
        let why = match self.put(&path, entry.key_body(log_version), expected).await {
            Ok((etag, _)) => return Ok(KeyObject::Written(etag)),
            Err(S3Failure::Denied) => "access denied".to_owned(),
            Err(S3Failure::NoSuchBucket) => {
                return Err(StoreError::NoSuchBucket(self.bucket.clone()));
            }
            Err(S3Failure::PreconditionFailed | S3Failure::Conflict) if repair => {
                return Ok(KeyObject::Written(None));
            }
            Err(
                S3Failure::PreconditionFailed
                | S3Failure::Conflict
                | S3Failure::NotFound
                | S3Failure::NotModified,
            ) => "a concurrent write".to_owned(),
            Err(S3Failure::Other(e)) => e.to_string(),
        };
        match self.get(&path, None).await {
            Ok(Ok(f)) => match self.parse(&path, &f) {
                Ok(current) if current.sequence >= entry.sequence => Ok(KeyObject::Written(f.etag)),
                _ => Ok(KeyObject::Lagging(why)),
            },
            _ => Ok(KeyObject::Lagging(why)),
        }
    }

    /// Which of `attempts` (entries this process tried to append) is in the log whose
    /// newest entry is `head`: at the head, or further down when others appended after
    /// it (found by following each entry's link to the previous version). At most one
    /// can be: every attempt was conditioned on the head it saw.
    async fn committed_attempt(
        &self,
        head: Option<&LogEntry>,
        attempts: &[(LogEntry, Option<String>)],
    ) -> Result<Option<(usize, Option<String>)>, StoreError> {
        let Some(lowest) = attempts.iter().map(|(e, _)| e.sequence).min() else {
            return Ok(None);
        };
        let mut cur = head.cloned();
        while let Some(entry) = cur {
            if let Some(i) = attempts
                .iter()
                .position(|(a, _)| a.sequence == entry.sequence && a.hash == entry.hash)
            {
                return Ok(Some((i, entry.version_id)));
            }
            // A handful of steps at most: only the writes that won after ours.
            cur = match entry.previous_version_id {
                Some(previous) if entry.sequence > lowest => Some(self.log_entry(&previous).await?),
                _ => None,
            };
        }
        Ok(None)
    }

    /// Append `key = value` to the log, then write the key object.
    ///
    /// Exactly once: an entry acknowledged here is in the log once, and a failed call
    /// leaves it there at most once. A log PUT that failed in any way but a definite
    /// refusal may have been carried out (its answer lost, the SDK's retry then seeing
    /// 412): before appending again, the next attempt looks for this entry, by its hash,
    /// in the log, and finishes it instead.
    ///
    /// Three sequential round trips: (1) the log head, the key object's ETag and the
    /// bucket's versioning at once; (2) the log PUT, with the repair of the previous
    /// entry's key object (when that is another key) alongside; (3) the key-object PUT.
    pub(crate) async fn set(
        &self,
        key: &str,
        value: &Json,
        force: bool,
    ) -> Result<Written, StoreError> {
        self.set_after(key, value, force, None).await
    }

    /// [`Store::set`], after an append of this very line that may have been carried out
    /// (`tried`, with the key ETag it assumed): that one is found and finished rather
    /// than appended twice.
    pub(crate) async fn set_after(
        &self,
        key: &str,
        value: &Json,
        force: bool,
        tried: Option<(LogEntry, Option<String>)>,
    ) -> Result<Written, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnlyMode);
        }
        let path = self.key_path(key)?;
        let log = self.log_key();
        let value_size = value.canonical().len();
        if value_size as u64 > MAX_OBJECT_BYTES - 1024 {
            return Err(StoreError::ValueTooLarge { size: value_size });
        }
        // The entries this process tried to append, with the key ETag each assumed.
        let mut attempts: Vec<(LogEntry, Option<String>)> = tried.into_iter().collect();
        for attempt in 0..MAX_ATTEMPTS {
            let (head, key_etag, versioning) =
                tokio::join!(self.log_head(force), self.head_etag(&path), async {
                    if attempt == 0 {
                        self.versioning_enabled().await
                    } else {
                        Ok(Some(true))
                    }
                });
            if versioning? == Some(false) {
                return Err(StoreError::NotVersioned(self.bucket.clone()));
            }
            let head = head?;
            if let Some((i, version)) = self
                .committed_attempt(head.entry.as_ref(), &attempts)
                .await?
            {
                let (mut entry, expected) = attempts.swap_remove(i);
                entry.version_id = version;
                let key_object = self
                    .write_key_object(&entry, expected.as_deref(), false)
                    .await?;
                return Ok(Written {
                    entry,
                    key_object,
                    repair: None,
                    log_etag: None,
                });
            }
            let mut key_etag = key_etag?;
            let mut repair_alongside = None;
            if let Some(latest) = &head.entry {
                if latest.key == key {
                    // This key's object is known: an orphan still has the ETag the entry
                    // recorded as its predecessor's.
                    if key_etag == latest.previous_key_object_etag {
                        match self
                            .write_key_object(
                                latest,
                                latest.previous_key_object_etag.as_deref(),
                                true,
                            )
                            .await?
                        {
                            KeyObject::Written(Some(etag)) => key_etag = Some(etag),
                            // Repaired by someone else since the HEAD: ask again.
                            KeyObject::Written(None) => key_etag = self.head_etag(&path).await?,
                            KeyObject::Lagging(why) => {
                                return Err(StoreError::Unrepaired {
                                    key: latest.key.clone(),
                                    why,
                                });
                            }
                        }
                    }
                } else {
                    repair_alongside = Some(latest);
                }
            }
            let (sequence, previous_hash, previous_version_id) = match &head.entry {
                Some(latest) => (
                    latest.sequence + 1,
                    latest.hash.clone(),
                    latest.version_id.clone(),
                ),
                None => (0, GENESIS_HASH.to_owned(), None),
            };
            let mut entry = LogEntry::new(
                key,
                value,
                sequence,
                now_ms(),
                &previous_hash,
                previous_version_id,
                key_etag.clone(),
            );
            let (put, repair) = tokio::join!(
                self.put(&log, entry.log_body(), head.etag.as_deref()),
                async {
                    match repair_alongside {
                        Some(latest) => Some(
                            self.write_key_object(
                                latest,
                                latest.previous_key_object_etag.as_deref(),
                                true,
                            )
                            .await,
                        ),
                        None => None,
                    }
                }
            );
            let repair = match repair {
                Some(Ok(KeyObject::Lagging(why))) => Some(why),
                Some(Err(e)) => Some(e.to_string()),
                Some(Ok(KeyObject::Written(_))) | None => None,
            };
            match put {
                Ok((log_etag, Some(version))) if version != "null" => {
                    entry.version_id = Some(version);
                    let key_object = self
                        .write_key_object(&entry, key_etag.as_deref(), false)
                        .await?;
                    return Ok(Written {
                        entry,
                        key_object,
                        repair,
                        log_etag,
                    });
                }
                // Never take it back: a DELETE would put a delete marker on the log.
                Ok(_) => return Err(self.written_unversioned()),
                Err(S3Failure::Denied) => return Err(StoreError::ReadOnly(self.bucket.clone())),
                Err(S3Failure::NoSuchBucket) => {
                    return Err(StoreError::NoSuchBucket(self.bucket.clone()));
                }
                // Someone else won, or ours went through and its answer was lost.
                Err(
                    S3Failure::PreconditionFailed
                    | S3Failure::Conflict
                    | S3Failure::NotFound
                    | S3Failure::NotModified
                    | S3Failure::Other(_),
                ) => {
                    attempts.push((entry, key_etag));
                    tokio::time::sleep(backoff(attempt)).await;
                }
            }
        }
        Err(StoreError::TooManyConflicts(MAX_ATTEMPTS))
    }

    /// The newest entry of `key`: the key object, or the log entry when the newest log
    /// entry is for this key and its key object lags (an orphan). What is returned must
    /// match its own hash (in either client's dialect): an object edited behind the
    /// log's back is refused, naming it.
    pub(crate) async fn get_entry(&self, key: &str) -> Result<LogEntry, StoreError> {
        let path = self.key_path(key)?;
        let log = self.log_key();
        let (object, head) = tokio::join!(self.get(&path, None), self.get(&log, None));
        let from_object = match object? {
            Ok(f) => Some((self.parse(&path, &f)?, path.as_str(), f.version_id)),
            Err(_) => None,
        };
        let from_log = match head? {
            Ok(f) => {
                let e = self.parse(&log, &f)?;
                (e.key == key).then_some((e, log.as_str(), f.version_id))
            }
            Err(_) => None,
        };
        let (entry, object, version) = match (from_object, from_log) {
            (Some(o), Some(l)) if l.0.sequence > o.0.sequence => l,
            (Some(o), _) => o,
            (None, Some(l)) => l,
            (None, None) => return Err(StoreError::KeyNotFound(key.to_owned())),
        };
        check_hash(&entry, &describe(object, version.as_deref()))?;
        Ok(entry)
    }

    /// One log version.
    pub(crate) async fn log_entry(&self, version_id: &str) -> Result<LogEntry, StoreError> {
        let log = self.log_key();
        match self.get(&log, Some(version_id)).await? {
            Ok(f) => {
                let mut e = self.parse(&log, &f)?;
                e.version_id.get_or_insert_with(|| version_id.to_owned());
                Ok(e)
            }
            Err(_) => Err(StoreError::VersionNotFound(version_id.to_owned())),
        }
    }

    async fn key_version(&self, path: &str, version_id: &str) -> Result<LogEntry, StoreError> {
        match self.get(path, Some(version_id)).await? {
            Ok(f) => {
                let mut e = self.parse(path, &f)?;
                e.version_id = Some(version_id.to_owned());
                Ok(e)
            }
            Err(_) => Err(StoreError::VersionNotFound(version_id.to_owned())),
        }
    }

    /// Version ids of exactly `object`, newest first, page by page (delete markers and
    /// other objects sharing the prefix are skipped), starting after `before`.
    pub(crate) fn versions<'a>(
        &'a self,
        object: &'a str,
        before: Option<String>,
    ) -> impl Stream<Item = Result<String, StoreError>> + 'a {
        struct Page {
            key_marker: Option<String>,
            version_marker: Option<String>,
            done: bool,
        }
        let start = Page {
            key_marker: before.as_ref().map(|_| object.to_owned()),
            version_marker: before,
            done: false,
        };
        stream::try_unfold(start, move |page| async move {
            if page.done {
                return Ok::<_, StoreError>(None);
            }
            let out = self
                .client
                .list_object_versions()
                .bucket(&self.bucket)
                .prefix(object)
                .set_key_marker(page.key_marker)
                .set_version_id_marker(page.version_marker)
                .encoding_type(EncodingType::Url)
                .send()
                .await
                .map_err(|e| {
                    self.read_error(
                        object,
                        "S3 ListObjectVersions",
                        classify("S3 ListObjectVersions", e),
                    )
                })?;
            let encoded = out.encoding_type() == Some(&EncodingType::Url);
            let ids: Vec<String> = out
                .versions()
                .iter()
                .filter(|v| listed_key(v.key(), encoded).as_deref() == Some(object))
                .filter_map(|v| v.version_id().map(str::to_owned))
                .collect();
            let truncated = out.is_truncated() == Some(true);
            let key_marker = listed_key(out.next_key_marker(), encoded).map(Cow::into_owned);
            let next = Page {
                // Past our object's versions there is nothing more for us.
                done: !truncated || key_marker.as_deref().is_some_and(|k| k != object),
                key_marker,
                version_marker: out.next_version_id_marker().map(str::to_owned),
            };
            Ok(Some((stream::iter(ids.into_iter().map(Ok)), next)))
        })
        .try_flatten()
    }

    /// Log entries, newest first, fetched `concurrency` at a time, in order.
    pub(crate) fn log_entries<'a>(
        &'a self,
        log: &'a str,
        before: Option<String>,
    ) -> impl Stream<Item = Result<LogEntry, StoreError>> + 'a {
        self.versions(log, before)
            .map(move |vid| async move {
                let vid = vid?;
                self.log_entry(&vid).await
            })
            .buffered(self.concurrency)
    }

    /// A key's entries, newest first: key object versions, fetched concurrently.
    fn history<'a>(
        &'a self,
        path: &'a str,
        before: Option<String>,
    ) -> impl Stream<Item = Result<LogEntry, StoreError>> + 'a {
        self.versions(path, before)
            .map(move |vid| async move {
                let vid = vid?;
                self.key_version(path, &vid).await
            })
            .buffered(self.concurrency)
    }

    /// A key's entries, newest first, the newest being an orphan (a log entry whose key
    /// object lags) when there is one; `before` pages past a key-object version.
    pub(crate) async fn key_history<'a>(
        &'a self,
        key: &'a str,
        path: &'a str,
        before: Option<String>,
    ) -> Result<impl Stream<Item = Result<LogEntry, StoreError>> + 'a, StoreError> {
        let mut stream = Box::pin(self.history(path, before.clone()));
        let first = stream.try_next().await?;
        let orphan = match before {
            None => {
                self.orphan_for(key, first.as_ref().map(|e| e.sequence))
                    .await?
            }
            Some(_) => None,
        };
        Ok(stream::iter(orphan.into_iter().chain(first).map(Ok)).chain(stream))
    }

    /// The newest log entry, when it is for `key` and newer than `than` (an orphan
    /// that history must show first).
    async fn orphan_for(
        &self,
        key: &str,
        than: Option<i64>,
    ) -> Result<Option<LogEntry>, StoreError> {
        let log = self.log_key();
        match self.get(&log, None).await? {
            Ok(f) => {
                let e = self.parse(&log, &f)?;
                Ok((e.key == key && than.is_none_or(|s| e.sequence > s)).then_some(e))
            }
            Err(_) => Ok(None),
        }
    }

    /// Keys under `key_prefix`, in order, after `after`.
    pub(crate) fn keys<'a>(
        &'a self,
        key_prefix: &'a str,
        after: Option<String>,
    ) -> impl Stream<Item = Result<String, StoreError>> + 'a {
        self.key_objects(key_prefix, after).map_ok(|(key, _)| key)
    }

    /// Keys under `key_prefix`, in order, after `after`, with their key objects' ETags.
    pub(crate) fn key_objects<'a>(
        &'a self,
        key_prefix: &'a str,
        after: Option<String>,
    ) -> impl Stream<Item = Result<(String, Option<String>), StoreError>> + 'a {
        let base = format!("{}keys/", self.prefix);
        let list_prefix = format!("{base}{key_prefix}");
        let start_after = after.map(|a| format!("{base}{a}.json"));
        stream::try_unfold(
            (None::<String>, start_after, false),
            move |(token, start_after, done)| {
                let base = base.clone();
                let list_prefix = list_prefix.clone();
                async move {
                    if done {
                        return Ok::<_, StoreError>(None);
                    }
                    let out = self
                        .client
                        .list_objects_v2()
                        .bucket(&self.bucket)
                        .prefix(&list_prefix)
                        .set_continuation_token(token)
                        .set_start_after(start_after.clone())
                        .encoding_type(EncodingType::Url)
                        .send()
                        .await
                        .map_err(|e| {
                            self.read_error(
                                &list_prefix,
                                "S3 ListObjectsV2",
                                classify("S3 ListObjectsV2", e),
                            )
                        })?;
                    let encoded = out.encoding_type() == Some(&EncodingType::Url);
                    let keys: Vec<(String, Option<String>)> = out
                        .contents()
                        .iter()
                        .filter_map(|o| {
                            let path = listed_key(o.key(), encoded)?;
                            let key = path.strip_prefix(base.as_str())?.strip_suffix(".json")?;
                            Some((key.to_owned(), o.e_tag().map(str::to_owned)))
                        })
                        .collect();
                    let next = out.next_continuation_token().map(str::to_owned);
                    let done = next.is_none();
                    Ok(Some((
                        stream::iter(keys.into_iter().map(Ok)),
                        (next, start_after, done),
                    )))
                }
            },
        )
        .try_flatten()
    }

    fn written_unversioned(&self) -> StoreError {
        StoreError::WrittenUnversioned {
            bucket: self.bucket.clone(),
            object: self.log_key(),
        }
    }

    /// The log's newest entry and ETag, for appending after it (a deleted log refused).
    pub(crate) async fn tip(&self) -> Result<Tip, StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnlyMode);
        }
        self.log_head(false).await
    }

    /// Append `key = value` right after `tip`, conditioned on its ETag, without reading
    /// anything first: the caller knows the key object's ETag (`key_etag`), and writes
    /// the key object itself ([`Store::write_key_object`]), so that it can overlap with
    /// the next append. A refusal that no retry changes is an error; anything else
    /// (another writer won, or the answer was lost) is [`Appended::Unsure`].
    pub(crate) async fn append_after(
        &self,
        tip: &Tip,
        key: &str,
        value: &Json,
        key_etag: Option<String>,
    ) -> Result<Appended, StoreError> {
        let (Some(latest), Some(etag)) = (&tip.entry, &tip.etag) else {
            return Err(StoreError::UnexpectedAnswer {
                operation: "S3 GetObject",
                what: "no ETag on the log",
            });
        };
        self.key_path(key)?;
        let mut entry = LogEntry::new(
            key,
            value,
            latest.sequence + 1,
            now_ms(),
            &latest.hash,
            latest.version_id.clone(),
            key_etag,
        );
        match self
            .put(&self.log_key(), entry.log_body(), Some(etag))
            .await
        {
            Ok((etag, Some(version))) if version != "null" => {
                entry.version_id = Some(version);
                Ok(Appended::Committed(entry, etag))
            }
            Ok(_) => Err(self.written_unversioned()),
            Err(S3Failure::Denied) => Err(StoreError::ReadOnly(self.bucket.clone())),
            Err(S3Failure::NoSuchBucket) => Err(StoreError::NoSuchBucket(self.bucket.clone())),
            Err(_) => Ok(Appended::Unsure(entry)),
        }
    }

    /// The ETag of `key`'s key object (`None`: there is none).
    pub(crate) async fn key_etag(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.head_etag(&self.key_path(key)?).await
    }

    /// Write the key object of a committed entry over the one whose ETag is `expected`.
    pub(crate) async fn finish_key_object(
        &self,
        entry: &LogEntry,
        expected: Option<&str>,
    ) -> Result<KeyObject, StoreError> {
        self.write_key_object(entry, expected, false).await
    }

    /// The value `key` had as of `as_of`: the newest of its entries (key-object
    /// versions, and an orphan at the head) that `as_of` includes, its hash checked.
    /// `Ok(Err(first))`: the key did not exist then (`first`, its oldest entry, if any).
    pub(crate) async fn entry_as_of(
        &self,
        key: &str,
        as_of: AsOf,
    ) -> Result<Result<LogEntry, Option<LogEntry>>, StoreError> {
        let path = self.key_path(key)?;
        let mut history = std::pin::pin!(self.key_history(key, &path, None).await?);
        let mut oldest = None;
        while let Some(entry) = history.try_next().await? {
            if as_of.includes(&entry) {
                let name = match &entry.log_version_id {
                    Some(_) => describe(&path, entry.version_id.as_deref()),
                    None => describe(&self.log_key(), entry.version_id.as_deref()),
                };
                check_hash(&entry, &name)?;
                return Ok(Ok(entry));
            }
            oldest = Some(entry);
        }
        Ok(Err(oldest))
    }

    /// The sequence `key`'s key object holds and its ETag; `None` when there is none.
    pub(crate) async fn key_object_state(
        &self,
        key: &str,
    ) -> Result<Option<(i64, Option<String>)>, StoreError> {
        let path = self.key_path(key)?;
        match self.get(&path, None).await? {
            Ok(f) => Ok(Some((self.parse(&path, &f)?.sequence, f.etag))),
            Err(_) => Ok(None),
        }
    }

    /// Read the log unless its ETag is still `etag`: one conditional GET.
    pub(crate) async fn poll_log(&self, etag: Option<&str>) -> Result<Polled, StoreError> {
        let log = self.log_key();
        match self.get_unless(&log, None, etag).await? {
            Ok(f) => {
                let entry = self.parse(&log, &f)?;
                check_hash(&entry, &describe(&log, f.version_id.as_deref()))?;
                Ok(Polled::Changed(Box::new(entry), f.etag))
            }
            Err(S3Failure::NotModified) => Ok(Polled::Unchanged),
            Err(S3Failure::Denied) => Err(StoreError::AccessDenied(log)),
            Err(_) => Ok(Polled::Missing),
        }
    }

    /// One log version with its stored bytes, as they are.
    pub(crate) async fn log_version_raw(
        &self,
        version_id: &str,
    ) -> Result<(LogEntry, Vec<u8>), StoreError> {
        let log = self.log_key();
        match self.get(&log, Some(version_id)).await? {
            Ok(f) => {
                let mut e = self.parse(&log, &f)?;
                e.version_id = Some(version_id.to_owned());
                Ok((e, f.body))
            }
            Err(_) => Err(StoreError::VersionNotFound(version_id.to_owned())),
        }
    }

    /// The newest entry of the log (the newest real version when a delete marker
    /// hides it), `None` for an empty store.
    pub(crate) async fn newest_log_entry(&self) -> Result<Option<LogEntry>, StoreError> {
        Ok(self.log_head(true).await?.entry)
    }

    /// The newest version of `key`'s key object, and how to name it; `None` when there
    /// is none.
    pub(crate) async fn key_object(
        &self,
        key: &str,
    ) -> Result<Option<(LogEntry, String)>, StoreError> {
        let path = self.key_path(key)?;
        match self.get(&path, None).await? {
            Ok(f) => {
                let entry = self.parse(&path, &f)?;
                Ok(Some((entry, describe(&path, f.version_id.as_deref()))))
            }
            Err(_) => Ok(None),
        }
    }
}

/// A key as a listing returned it. Listings ask for URL-encoded keys, because XML
/// cannot carry every character a key may hold (ESC, say); S3 encodes a space as `+`.
fn listed_key(raw: Option<&str>, encoded: bool) -> Option<Cow<'_, str>> {
    let raw = raw?;
    if !encoded {
        return Some(Cow::Borrowed(raw));
    }
    let plus_decoded = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&plus_decoded)
        .decode_utf8()
        .ok()
        .map(|k| Cow::Owned(k.into_owned()))
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

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Full jitter: a random wait up to 20 ms x 2^attempt, at most 2 s.
fn backoff(attempt: u32) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let cap = (20u64 << attempt.min(7)).min(2000);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    Duration::from_millis(h.finish() % (cap + 1))
}
