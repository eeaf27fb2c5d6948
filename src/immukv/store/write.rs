//! The append protocol: the two-phase write with optimistic locking, orphans repaired,
//! exactly once under lost answers; and the pipelined appends of an import.

use std::time::Duration;

use super::s3::S3Failure;
use super::{Appended, KeyObject, Lag, Store, StoreError, Tip, Written};
use crate::immukv::entry::{GENESIS_HASH, LogEntry};
use crate::pyjson::Json;

/// Attempts at committing a log entry against concurrent writers.
const MAX_ATTEMPTS: u32 = 60;

impl Store {
    /// Write the key object of `entry` (held in log version `entry.version_id`) over
    /// the one whose ETag was `expected` (`None`: there was none), and say whether it
    /// is now there. A 412/409 or an ambiguous failure may mean this very write already
    /// happened (the answer was lost) or a newer entry's write did: the key object is
    /// read back, and one at this entry's sequence or later counts as written. For a
    /// `repair` a 412/409 is the protocol's "already repaired", without a read-back.
    pub(super) async fn write_key_object(
        &self,
        entry: &LogEntry,
        expected: Option<&str>,
        repair: bool,
    ) -> Result<KeyObject, StoreError> {
        let (Some(log_version), Ok(path)) =
            (entry.version_id.as_deref(), self.key_path(&entry.key))
        else {
            return Ok(KeyObject::Lagging(Box::new(Lag::NoLogVersion)));
        };
        let why = match self.put(&path, entry.key_body(log_version), expected).await {
            Ok((etag, _)) => return Ok(KeyObject::Written(etag)),
            Err(S3Failure::Denied) => Lag::Denied,
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
            ) => Lag::ConcurrentWrite,
            Err(S3Failure::Other(e)) => Lag::Aws(e),
        };
        match self.get(&path, None).await {
            Ok(Ok(f)) => match self.parse(&path, &f) {
                Ok(current) if current.sequence >= entry.sequence => Ok(KeyObject::Written(f.etag)),
                _ => Ok(KeyObject::Lagging(Box::new(why))),
            },
            _ => Ok(KeyObject::Lagging(Box::new(why))),
        }
    }

    /// Which of `attempts` (entries this process tried to append) is in the log whose
    /// newest entry is `head`: at the head, or further down when others appended after
    /// it (found by following each entry's link to the previous version). At most one
    /// can be: every attempt was conditioned on the head it saw.
    pub(super) async fn committed_attempt(
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
        self.check_entry(key, value)?;
        let path = self.key_path(key)?;
        let log = self.log_key();
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
                            KeyObject::Lagging(source) => {
                                return Err(StoreError::Unrepaired {
                                    key: latest.key.clone(),
                                    source,
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
                crate::time::now_ms(),
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
                Some(Err(e)) => Some(Box::new(Lag::Store(Box::new(e)))),
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

    pub(super) fn written_unversioned(&self) -> StoreError {
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
            crate::time::now_ms(),
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
}

/// Full jitter: a random wait up to 20 ms x 2^attempt, at most 2 s.
fn backoff(attempt: u32) -> Duration {
    let cap = (20u64 << attempt.min(7)).min(2000);
    Duration::from_millis(crate::time::random_u64() % (cap + 1))
}
