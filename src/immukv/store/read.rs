//! Reads: the log's head (a deleted or unstable log told apart from an empty one), one
//! entry, a key's history with its orphan first, point-in-time reads, and the polls of
//! `watch`.

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};

use super::model::{
    AsOf, KeyRetention, KeyStart, Polled, Store, StoreError, Tip, check_hash, describe,
};
use super::s3::{LogState, S3Failure};
use crate::immukv::entry::LogEntry;
use crate::immukv::retention::{
    Expired, Remaining, Retention, Rules, Unexpired, explain, judge_gap,
};

/// Reads of a log that another writer is creating at that very moment.
const MAX_LOG_READS: u32 = 3;
/// The newest log entries a `get` that found no key object looks through for the key.
pub(crate) const MISS_SCAN: usize = 1000;

/// What a key object holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Held {
    /// There is none.
    Nothing,
    /// An entry of its key that matches its own hash, at this sequence.
    Entry { sequence: i64, etag: Option<String> },
    /// Something else: not an entry, another key's, or changed after it was written.
    Invalid { etag: Option<String> },
}

impl Held {
    /// Whether it holds `entry` or a newer entry of its key.
    pub(crate) fn holds(&self, entry: &LogEntry) -> bool {
        matches!(self, Held::Entry { sequence, .. } if *sequence >= entry.sequence)
    }

    /// Its ETag, to condition a write over it on.
    pub(crate) fn etag(&self) -> Option<&str> {
        match self {
            Held::Nothing => None,
            Held::Entry { etag, .. } | Held::Invalid { etag } => etag.as_deref(),
        }
    }
}

impl Store {
    /// The newest log entry. A deleted log is an error unless `force`, which then
    /// continues from the newest real version.
    pub(super) async fn log_head(&self, force: bool) -> Result<Tip, StoreError> {
        let log = self.log_key();
        for _ in 0..MAX_LOG_READS {
            let failure = match self.get(&log, None).await? {
                Ok(f) => {
                    if f.version_id.as_deref().is_none_or(|v| v == "null") {
                        return Err(StoreError::NotVersioned(self.id.bucket.clone()));
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

    /// The newest entry of `key`: the key object, or the log entry when the newest log
    /// entry is for this key and its key object lags (an orphan). What is returned must
    /// match its own hash (in either client's dialect): an object edited behind the
    /// log's back is refused, naming it.
    ///
    /// When there is neither, the log's newest entries (down to `scan_down_to()`, a log
    /// version below which every key object was verified, and at most [`MISS_SCAN`])
    /// are looked through: a key whose entries are there but whose key object never
    /// caught up is said to be so, rather than not found. A hit costs no more.
    pub(crate) async fn get_entry(
        &self,
        key: &str,
        scan_down_to: impl FnOnce() -> Option<String>,
    ) -> Result<LogEntry, StoreError> {
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
            (None, None) => {
                return self
                    .get_missing(key, &path, scan_down_to().as_deref())
                    .await;
            }
        };
        check_hash(&entry, &describe(object, version.as_deref()))?;
        Ok(entry)
    }

    /// [`Store::get_entry`] for a key with no key object: not found, or an orphan below
    /// the log's head (its key object read once more first: a writer between its two
    /// phases has usually finished by then).
    async fn get_missing(
        &self,
        key: &str,
        path: &str,
        scan_down_to: Option<&str>,
    ) -> Result<LogEntry, StoreError> {
        let log = self.log_key();
        let found = self
            .log_entries_after(&log, None, None, scan_down_to)
            .take(MISS_SCAN)
            .try_filter(|e| std::future::ready(e.key == key))
            .boxed()
            .try_next()
            .await?;
        let Some(logged) = found else {
            return Err(StoreError::KeyNotFound(key.to_owned()));
        };
        if let Ok(f) = self.get(path, None).await? {
            let entry = self.parse(path, &f)?;
            check_hash(&entry, &describe(path, f.version_id.as_deref()))?;
            return Ok(entry);
        }
        Err(StoreError::KeyObjectMissing {
            key: key.to_owned(),
            object: path.to_owned(),
            sequence: logged.sequence,
            version: logged.version_id.unwrap_or_default(),
        })
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

    pub(super) async fn key_version(
        &self,
        path: &str,
        version_id: &str,
    ) -> Result<LogEntry, StoreError> {
        match self.get(path, Some(version_id)).await? {
            Ok(f) => {
                let mut e = self.parse(path, &f)?;
                e.version_id = Some(version_id.to_owned());
                Ok(e)
            }
            Err(_) => Err(StoreError::VersionNotFound(version_id.to_owned())),
        }
    }

    /// Log entries, newest first, fetched `concurrency` at a time, in order.
    pub(crate) fn log_entries<'a>(
        &'a self,
        log: &'a str,
        before: Option<String>,
    ) -> impl Stream<Item = Result<LogEntry, StoreError>> + 'a {
        self.log_entries_after(log, before, None, None)
    }

    /// [`Store::log_entries`], taking `known` (an entry already read, the head
    /// say) as it is instead of reading its version again, and ending with the version
    /// `down_to` when the listing reaches it: nothing below it is fetched, however many
    /// fetches run ahead. A listing without that version goes on to the oldest.
    pub(crate) fn log_entries_after<'a>(
        &'a self,
        log: &'a str,
        before: Option<String>,
        known: Option<&'a LogEntry>,
        down_to: Option<&'a str>,
    ) -> impl Stream<Item = Result<LogEntry, StoreError>> + 'a {
        let mut reached = false;
        self.versions(log, before)
            .take_while(move |listed| {
                let more = !reached;
                reached |= matches!((listed, down_to), (Ok(l), Some(d)) if l.id == d);
                std::future::ready(more)
            })
            .map(move |vid| async move {
                let listed = vid?;
                let mut entry = match known {
                    Some(k) if k.version_id.as_deref() == Some(listed.id.as_str()) => k.clone(),
                    _ => self.log_entry(&listed.id).await?,
                };
                // The listing's time has milliseconds; a GET's has seconds.
                entry.stored_ms = listed.last_modified_ms.or(entry.stored_ms);
                Ok(entry)
            })
            .buffered(self.concurrency)
    }

    /// A key's entries, newest first: key object versions, fetched concurrently.
    pub(super) fn history<'a>(
        &'a self,
        path: &'a str,
        before: Option<String>,
    ) -> impl Stream<Item = Result<LogEntry, StoreError>> + 'a {
        self.versions(path, before)
            .map(move |vid| async move {
                let listed = vid?;
                let mut entry = self.key_version(path, &listed.id).await?;
                entry.stored_ms = listed.last_modified_ms.or(entry.stored_ms);
                Ok(entry)
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
    pub(super) async fn orphan_for(
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

    /// The value `key` had as of `as_of`: the newest of its entries (key-object
    /// versions, and an orphan at the head) that `as_of` includes, its hash checked.
    /// When none does, the key did not exist then ([`StoreError::NotYetWritten`]), or
    /// the answer lies in history that expired under `retention`
    /// ([`StoreError::ExpiredBefore`]).
    pub(crate) async fn entry_as_of(
        &self,
        key: &str,
        as_of: AsOf,
        retention: KeyRetention<'_>,
    ) -> Result<LogEntry, StoreError> {
        let path = self.key_path(key)?;
        let mut history = std::pin::pin!(self.key_history(key, &path, None).await?);
        let mut oldest = None;
        let mut versions = 0;
        while let Some(entry) = history.try_next().await? {
            if as_of.includes(&entry) {
                let name = match &entry.log_version_id {
                    Some(_) => describe(&path, entry.version_id.as_deref()),
                    None => describe(&self.log_key(), entry.version_id.as_deref()),
                };
                check_hash(&entry, &name)?;
                return Ok(entry);
            }
            versions += i64::from(entry.log_version_id.is_some());
            oldest = Some(entry);
        }
        let Some(first) = oldest else {
            return Err(StoreError::KeyNotFound(key.to_owned()));
        };
        let first = Box::new(first);
        let key = key.to_owned();
        Err(
            match self.key_start(&path, &first, versions, retention).await? {
                KeyStart::First => StoreError::NotYetWritten { key, as_of, first },
                KeyStart::Expired(rule) => StoreError::ExpiredBefore {
                    key,
                    as_of,
                    oldest: first,
                    rule: Box::new(rule),
                },
                KeyStart::Deleted => StoreError::HistoryDeleted {
                    key,
                    as_of,
                    oldest: first,
                },
            },
        )
    }

    /// What came before `oldest`, the oldest of the `versions` key-object versions
    /// left of the key at `path`. Its log entry, when still there, tells whether it was
    /// the key's first write (the ETag of the key object before it is recorded, none
    /// for a first write). Older versions that are gone expired if a rule covering key
    /// objects explains it by S3's times, and were deleted otherwise; when the log entry
    /// is gone too, only a rule can have removed older versions.
    pub(crate) async fn key_start(
        &self,
        path: &str,
        oldest: &LogEntry,
        versions: i64,
        retention: KeyRetention<'_>,
    ) -> Result<KeyStart, StoreError> {
        let mut had_older = false;
        if let Some(version) = &oldest.log_version_id {
            match self.log_entry(version).await {
                Ok(logged) if logged.hash == oldest.hash => {
                    if logged.previous_key_object_etag.is_none() {
                        return Ok(KeyStart::First);
                    }
                    had_older = true;
                }
                Ok(_) | Err(StoreError::VersionNotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let rules = self.retention_rules(path, retention.declared).await?;
        let remaining = Remaining {
            oldest_written_ms: oldest.stored_ms.unwrap_or(i64::MAX),
            noncurrent: versions - 1,
        };
        Ok(match explain(&rules.rules, remaining, retention.now_ms) {
            Ok(rule) => KeyStart::Expired(rule.clone()),
            Err(_) if had_older => KeyStart::Deleted,
            Err(_) => KeyStart::First,
        })
    }

    /// [`judge_gap`] for this store's log: the bucket's lifecycle rules are read only
    /// when no verified head anchors the chain.
    pub(crate) async fn judge_log_gap(
        &self,
        oldest: &LogEntry,
        noncurrent: i64,
        anchored: Option<i64>,
        declared: Option<&Retention>,
        now_ms: i64,
    ) -> Result<Result<Expired, Unexpired>, StoreError> {
        let log = self.log_key();
        let rules = match anchored {
            Some(_) => Rules::offline(None),
            None => self.retention_rules(&log, declared).await?,
        };
        Ok(judge_gap(
            &log, oldest, noncurrent, anchored, &rules, now_ms,
        ))
    }

    /// What `key`'s key object holds now.
    pub(crate) async fn key_object_held(&self, key: &str) -> Result<Held, StoreError> {
        let path = self.key_path(key)?;
        Ok(match self.get(&path, None).await? {
            Ok(f) => match self.parse(&path, &f) {
                Ok(e) if e.key == key && e.verify_hash().is_some() => Held::Entry {
                    sequence: e.sequence,
                    etag: f.etag,
                },
                _ => Held::Invalid { etag: f.etag },
            },
            // Missing (a 403 under least-privilege policies reads as missing too).
            Err(_) => Held::Nothing,
        })
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
