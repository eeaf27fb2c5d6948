//! The append protocol: the two-phase write with optimistic locking, exactly once under
//! lost answers; key objects brought up to their entries, only ever forward, through
//! 409s and 412s; and the pipelined appends of an import.

use super::model::{Appended, KeyObject, Lag, Store, StoreError, Tip, Written};
use super::s3::S3Failure;
use crate::immukv::entry::{GENESIS_HASH, LogEntry};
use crate::pyjson::Json;
use crate::time::backoff;

/// Attempts at committing a log entry against concurrent writers.
const MAX_ATTEMPTS: u32 = 60;
/// Attempts at bringing one key object up to its entry (S3 answering 409 while another
/// write is in flight, 503s, lost answers): each after a backoff, so about 10 s at most.
const KEY_OBJECT_ATTEMPTS: u32 = 10;

/// What the key object is assumed to be before a write of it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expect<'a> {
    /// The object with this ETag (`None`: no object): the PUT is conditioned on it.
    Etag(Option<&'a str>),
    /// Not known: read it first (it is usually up to date already: then no PUT).
    Unknown,
}

/// What to do after a conditional PUT of a key object failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterFailure {
    /// Someone else wrote it (412), or S3 answered a conditional PUT strangely: read it
    /// back at once and judge what is there.
    ReadBack,
    /// A conflicting write in flight (409), a 503, a lost answer: the write may or may
    /// not have happened, and the other one may or may not succeed. Wait, read it back,
    /// and try again -- never count it as done.
    WaitAndReadBack,
    /// This caller may not write.
    Denied,
    /// There is no such bucket.
    NoBucket,
}

fn after_failure(f: &S3Failure) -> AfterFailure {
    match f {
        S3Failure::PreconditionFailed | S3Failure::NotFound | S3Failure::NotModified => {
            AfterFailure::ReadBack
        }
        S3Failure::Conflict | S3Failure::Other(_) => AfterFailure::WaitAndReadBack,
        S3Failure::Denied => AfterFailure::Denied,
        S3Failure::NoSuchBucket => AfterFailure::NoBucket,
    }
}

/// An entry appended by this process, with what it assumed.
#[derive(Debug, Clone)]
pub(super) struct Attempt {
    entry: LogEntry,
    /// The key object's ETag the entry records as its predecessor.
    key_etag: Option<String>,
    /// The entry it was appended over, when that is another key's: its key object must
    /// be confirmed before this one is acknowledged (no writer repairs a non-latest
    /// orphan).
    over: Option<LogEntry>,
}

impl Store {
    /// Bring the key object of `entry` (held in log version `entry.version_id`) up to
    /// it: when it holds this entry or a newer one, nothing is written; else it is put,
    /// conditioned on the ETag it has, so that it only ever moves forward. A 412 means
    /// someone else wrote it: it is read back and counts only when its sequence is at
    /// least the entry's (else the write goes again over what is there now). A 409 or
    /// an ambiguous failure is waited out and tried again, a bounded number of times.
    pub(crate) async fn ensure_key_object(
        &self,
        entry: &LogEntry,
        expect: Expect<'_>,
    ) -> Result<KeyObject, StoreError> {
        let (Some(log_version), Ok(path)) =
            (entry.version_id.as_deref(), self.key_path(&entry.key))
        else {
            return Ok(KeyObject::Lagging(Box::new(Lag::NoLogVersion)));
        };
        let body = entry.key_body(log_version);
        let mut expected: Option<Option<String>> = match expect {
            Expect::Etag(etag) => Some(etag.map(str::to_owned)),
            Expect::Unknown => None,
        };
        let mut why = Lag::ConcurrentWrite;
        for attempt in 0..KEY_OBJECT_ATTEMPTS {
            let etag = match expected.take() {
                Some(etag) => etag,
                None => match self.key_object_held(&entry.key).await {
                    Ok(held) if held.holds(entry) => {
                        return Ok(KeyObject::Current {
                            etag: held.etag().map(str::to_owned),
                            wrote: false,
                        });
                    }
                    Ok(held) => held.etag().map(str::to_owned),
                    Err(StoreError::NoSuchBucket(b)) => return Err(StoreError::NoSuchBucket(b)),
                    Err(e) => {
                        why = Lag::Store(Box::new(e));
                        tokio::time::sleep(backoff(attempt)).await;
                        continue;
                    }
                },
            };
            let failure = match self.put(&path, body.clone(), etag.as_deref()).await {
                Ok((etag, _)) => return Ok(KeyObject::Current { etag, wrote: true }),
                Err(f) => f,
            };
            match after_failure(&failure) {
                AfterFailure::NoBucket => {
                    return Err(StoreError::NoSuchBucket(self.id.bucket.clone()));
                }
                AfterFailure::Denied => return Ok(KeyObject::Lagging(Box::new(Lag::Denied))),
                AfterFailure::ReadBack => why = Lag::ConcurrentWrite,
                AfterFailure::WaitAndReadBack => {
                    why = match failure {
                        S3Failure::Other(e) => Lag::Aws(e),
                        _ => Lag::Conflict,
                    };
                    tokio::time::sleep(backoff(attempt)).await;
                }
            }
        }
        Ok(KeyObject::Lagging(Box::new(why)))
    }

    /// Which of `attempts` (entries this process tried to append) is in the log whose
    /// newest entry is `head`: at the head, or further down when others appended after
    /// it (found by following each entry's link to the previous version). At most one
    /// can be: every attempt was conditioned on the head it saw.
    pub(super) async fn committed_attempt(
        &self,
        head: Option<&LogEntry>,
        attempts: &[Attempt],
    ) -> Result<Option<(usize, Option<String>)>, StoreError> {
        let Some(lowest) = attempts.iter().map(|a| a.entry.sequence).min() else {
            return Ok(None);
        };
        let mut cur = head.cloned();
        while let Some(entry) = cur {
            if let Some(i) = attempts
                .iter()
                .position(|a| a.entry.sequence == entry.sequence && a.entry.hash == entry.hash)
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
    /// Readable once acknowledged: the entry appended over must have its key object
    /// (nobody repairs an orphan once the log has moved past it), so that one is
    /// confirmed, or written, before this returns; so is this entry's own. Where either
    /// cannot be, the entry is committed and the error says which key object lags.
    ///
    /// Three sequential round trips when nothing fails: (1) the log head, the key
    /// object's ETag and the bucket's versioning at once; (2) the log PUT, with the
    /// previous entry's key object read alongside (when that is another key's) and
    /// repaired if it lags; (3) the key-object PUT.
    pub(crate) async fn set(
        &self,
        key: &str,
        value: &Json,
        force: bool,
    ) -> Result<Written, StoreError> {
        self.set_after(key, value, force, None).await
    }

    /// [`Store::set`], after an append of this very line that may have been carried out
    /// (`tried`, with the key ETag it assumed, appended over an entry whose key object
    /// is known to be in place): that one is found and finished rather than appended
    /// twice.
    pub(crate) async fn set_after(
        &self,
        key: &str,
        value: &Json,
        force: bool,
        tried: Option<(LogEntry, Option<String>)>,
    ) -> Result<Written, StoreError> {
        self.check_writable()?;
        self.check_entry(key, value)?;
        let path = self.key_path(key)?;
        let log = self.log_key();
        // The entries this process tried to append.
        let mut attempts: Vec<Attempt> = tried
            .into_iter()
            .map(|(entry, key_etag)| Attempt {
                entry,
                key_etag,
                over: None,
            })
            .collect();
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
                return Err(StoreError::NotVersioned(self.id.bucket.clone()));
            }
            let head = head?;
            if let Some((i, version)) = self
                .committed_attempt(head.entry.as_ref(), &attempts)
                .await?
            {
                let mut found = attempts.swap_remove(i);
                found.entry.version_id = version;
                let (previous, own) = tokio::join!(
                    self.confirm(found.over.as_ref()),
                    self.ensure_key_object(&found.entry, Expect::Etag(found.key_etag.as_deref()))
                );
                return self.acknowledge(found.entry, previous?, own?, None);
            }
            let mut key_etag = key_etag?;
            let mut over = None;
            match &head.entry {
                Some(latest) if latest.key == key => {
                    key_etag = self.repair_own_orphan(latest, key_etag).await?;
                }
                Some(latest) => over = Some(latest.clone()),
                None => {}
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
            let (put, previous) = tokio::join!(
                self.put(&log, entry.log_body(), head.etag.as_deref()),
                self.confirm(over.as_ref())
            );
            match put {
                Ok((log_etag, Some(version))) if version != "null" => {
                    entry.version_id = Some(version);
                    let own = self
                        .ensure_key_object(&entry, Expect::Etag(key_etag.as_deref()))
                        .await?;
                    return self.acknowledge(entry, previous?, own, log_etag);
                }
                // Never take it back: a DELETE would put a delete marker on the log.
                Ok(_) => return Err(self.written_unversioned()),
                Err(S3Failure::Denied) => return Err(StoreError::ReadOnly(self.id.bucket.clone())),
                Err(S3Failure::NoSuchBucket) => {
                    return Err(StoreError::NoSuchBucket(self.id.bucket.clone()));
                }
                // Someone else won (412), a conflicting write was in flight (409), or
                // ours went through and its answer was lost: read the head again, and
                // look for this entry there first.
                Err(
                    S3Failure::PreconditionFailed
                    | S3Failure::Conflict
                    | S3Failure::NotFound
                    | S3Failure::NotModified
                    | S3Failure::Other(_),
                ) => {
                    attempts.push(Attempt {
                        entry,
                        key_etag,
                        over,
                    });
                    tokio::time::sleep(backoff(attempt)).await;
                }
            }
        }
        Err(StoreError::TooManyConflicts(MAX_ATTEMPTS))
    }

    /// The newest entry, `latest`, is of the key about to be written, whose key object
    /// has the ETag `key_etag`: still the one the entry recorded as its predecessor's,
    /// it is an orphan. It is repaired first, so that the new entry records the ETag it
    /// will be written over: that ETag.
    async fn repair_own_orphan(
        &self,
        latest: &LogEntry,
        key_etag: Option<String>,
    ) -> Result<Option<String>, StoreError> {
        if key_etag != latest.previous_key_object_etag {
            return Ok(key_etag);
        }
        match self
            .ensure_key_object(
                latest,
                Expect::Etag(latest.previous_key_object_etag.as_deref()),
            )
            .await?
        {
            KeyObject::Current {
                etag: Some(etag), ..
            } => Ok(Some(etag)),
            KeyObject::Current { etag: None, .. } => {
                self.head_etag(&self.key_path(&latest.key)?).await
            }
            KeyObject::Lagging(source) => Err(StoreError::Unrepaired {
                key: latest.key.clone(),
                object: self.key_path(&latest.key)?,
                source,
            }),
        }
    }

    /// Confirm that `over`'s key object holds it (one read when it does), repairing it
    /// when it lags.
    async fn confirm(
        &self,
        over: Option<&LogEntry>,
    ) -> Result<Option<(String, KeyObject)>, StoreError> {
        match over {
            Some(entry) => Ok(Some((
                entry.key.clone(),
                self.ensure_key_object(entry, Expect::Unknown).await?,
            ))),
            None => Ok(None),
        }
    }

    /// The answer to a `set` whose `entry` is committed: acknowledged only when the key
    /// object of the entry it was appended over (`previous`) and its own are in place.
    fn acknowledge(
        &self,
        entry: LogEntry,
        previous: Option<(String, KeyObject)>,
        own: KeyObject,
        log_etag: Option<String>,
    ) -> Result<Written, StoreError> {
        let lagging = |key: &str, source: Box<Lag>| -> Result<Written, StoreError> {
            Err(StoreError::CommittedBehind {
                sequence: entry.sequence,
                object: self.key_path(key)?,
                source,
            })
        };
        if let Some((key, KeyObject::Lagging(source))) = previous {
            // The entry below ours: its key object is now a lagging one that no later
            // write repairs, the more urgent of the two.
            return lagging(&key, source);
        }
        match own {
            KeyObject::Lagging(source) => lagging(&entry.key, source),
            KeyObject::Current { etag, .. } => Ok(Written {
                entry,
                key_etag: etag,
                log_etag,
            }),
        }
    }

    pub(super) fn written_unversioned(&self) -> StoreError {
        StoreError::WrittenUnversioned {
            bucket: self.id.bucket.clone(),
            object: self.log_key(),
        }
    }

    /// The log's newest entry and ETag, for appending after it (a deleted log refused).
    pub(crate) async fn tip(&self) -> Result<Tip, StoreError> {
        self.check_writable()?;
        self.log_head(false).await
    }

    /// Append `key = value` right after `tip`, conditioned on its ETag, without reading
    /// anything first: the caller knows the key object's ETag (`key_etag`), and writes
    /// the key object itself ([`Store::ensure_key_object`]), so that it can overlap with
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
            Err(S3Failure::Denied) => Err(StoreError::ReadOnly(self.id.bucket.clone())),
            Err(S3Failure::NoSuchBucket) => Err(StoreError::NoSuchBucket(self.id.bucket.clone())),
            Err(_) => Ok(Appended::Unsure(entry)),
        }
    }

    /// The ETag of `key`'s key object (`None`: there is none).
    pub(crate) async fn key_etag(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.head_etag(&self.key_path(key)?).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 409 (a conflicting write in flight) is never taken for "already written", on a
    /// repair no more than on a write: it is waited out and tried again; only a 412
    /// (someone else wrote) sends the writer to read what is there.
    #[test]
    fn a_409_is_tried_again_never_counted_as_written() {
        assert_eq!(
            after_failure(&S3Failure::Conflict),
            AfterFailure::WaitAndReadBack
        );
        assert_eq!(
            after_failure(&S3Failure::PreconditionFailed),
            AfterFailure::ReadBack
        );
        assert_eq!(after_failure(&S3Failure::Denied), AfterFailure::Denied);
        let lost = S3Failure::Other(crate::aws::AwsError::Unreachable {
            operation: "S3 PutObject",
            reason: "connection closed".into(),
        });
        assert_eq!(after_failure(&lost), AfterFailure::WaitAndReadBack);
    }
}
