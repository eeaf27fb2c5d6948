//! Verifying a store so that an auditor can rely on it: the hash chain, what `get`
//! returns (every key object's newest version against the log), and, like Go's
//! checksum-database client, the head verified last time: a chain that verifies can
//! still have been rolled back or rewritten as a whole by whoever may delete object
//! versions, and the remembered head catches that.
//!
//! A store's remembered head lives in the cache folder, one file per store (endpoint,
//! bucket, prefix), with the ETag and sequence of every key object it checked; a
//! checkpoint is the head alone, as a JSON file a CI job keeps as an artifact.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::entry::LogEntry;
use super::store::{Store, StoreError, check_hash};
use super::verify::{ChainCheck, ChainError, ChainSummary};
use crate::cache::{CacheDir, CacheError, CacheFile, Document};

/// Which store: the S3 endpoint (empty for AWS's own), the bucket and the prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoreId {
    pub(crate) endpoint: String,
    pub(crate) bucket: String,
    pub(crate) prefix: String,
}

impl fmt::Display for StoreId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)?;
        if !self.endpoint.is_empty() {
            write!(f, " at {}", self.endpoint)?;
        }
        Ok(())
    }
}

impl StoreId {
    /// The cache file that remembers this store's head.
    fn file_name(&self) -> String {
        self.cache_name("head")
    }

    /// The name of this store's cache file of kind `what`.
    pub(crate) fn cache_name(&self, what: &str) -> String {
        let mut digest = Sha256::new();
        for part in [&self.endpoint, &self.bucket, &self.prefix] {
            digest.update(part.as_bytes());
            digest.update([0]);
        }
        format!(
            "immukv-{what}-{}.json",
            hex::encode(&digest.finalize()[..12])
        )
    }
}

/// A verified head: the newest entry a verify checked, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Head {
    pub(crate) sequence: i64,
    pub(crate) log_version_id: String,
    pub(crate) hash: String,
    /// RFC 3339, UTC.
    pub(crate) verified_at: String,
}

/// What `immukv checkpoint` prints and `verify --checkpoint FILE` trusts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
    pub(crate) store: StoreId,
    #[serde(flatten)]
    pub(crate) head: Head,
}

/// What was checked of one key object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct KeyState {
    etag: Option<String>,
    sequence: i64,
}

/// The cache file of one store.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Remembered {
    version: u32,
    store: Option<StoreId>,
    head: Option<Head>,
    #[serde(default)]
    keys: BTreeMap<String, KeyState>,
}

impl Document for Remembered {
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        crate::cache::parse_versioned(bytes, |d: &Self| d.version, 1)
    }

    fn render(&self) -> Vec<u8> {
        crate::cache::render_pretty(self)
    }
}

/// What the verify is measured against.
#[derive(Debug, Clone, Default)]
pub(crate) struct Anchor {
    pub(crate) head: Option<Head>,
    keys: BTreeMap<String, KeyState>,
}

/// A failed audit, naming what and where.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AuditError {
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the log was rolled back or rewritten since {since}: it now ends at sequence {now}, \
         but sequence {sequence} (version {version}) was verified then"
    )]
    RolledBack {
        since: String,
        sequence: i64,
        version: String,
        now: String,
    },
    #[error(
        "the log was rewritten since {}: sequence {} was version {} with hash {} then, \
         and is version {found_version} with hash {found_hash} now",
        head.verified_at, head.sequence, head.log_version_id, head.hash
    )]
    Rewritten {
        head: Box<Head>,
        found_version: String,
        found_hash: String,
    },
    #[error("the checkpoint is for {theirs}, not for {ours}: refusing it")]
    OtherStore {
        theirs: Box<StoreId>,
        ours: Box<StoreId>,
    },
    #[error("key object {object}: {problem}")]
    KeyObject { object: String, problem: String },
}

/// What a verify found.
#[derive(Debug)]
pub(crate) struct Audited {
    pub(crate) chain: ChainSummary,
    /// The newest entry, now verified (`None` for an empty store).
    pub(crate) head: Option<Head>,
    /// The head it was measured against.
    pub(crate) since: Option<Head>,
    pub(crate) keys_checked: usize,
    pub(crate) keys_unchanged: usize,
    keys: BTreeMap<String, KeyState>,
}

/// The remembered heads in the cache folder.
pub(crate) struct HeadCache {
    file: CacheFile,
    store: StoreId,
}

impl HeadCache {
    pub(crate) fn open(store: &StoreId) -> Result<Self, CacheError> {
        Ok(Self {
            file: CacheDir::open()?.file(&store.file_name()),
            store: store.clone(),
        })
    }

    /// The head verified last time, with its key objects; none when another store's
    /// state were found under this name.
    pub(crate) fn anchor(&self) -> Anchor {
        match self.file.read::<Remembered>() {
            Some(r) if r.store.as_ref() == Some(&self.store) => Anchor {
                head: r.head,
                keys: r.keys,
            },
            _ => Anchor::default(),
        }
    }

    /// Remember what a verify found.
    pub(crate) fn remember(&self, audited: &Audited) -> Result<(), CacheError> {
        let store = self.store.clone();
        self.file.update(|r: &mut Remembered| {
            r.version = 1;
            r.store = Some(store);
            r.head = audited.head.clone();
            r.keys = audited.keys.clone();
        })
    }
}

impl Anchor {
    /// A checkpoint as the anchor: it must be this store's.
    pub(crate) fn from_checkpoint(
        checkpoint: Checkpoint,
        ours: &StoreId,
    ) -> Result<Self, AuditError> {
        if &checkpoint.store != ours {
            return Err(AuditError::OtherStore {
                theirs: Box::new(checkpoint.store),
                ours: Box::new(ours.clone()),
            });
        }
        Ok(Self {
            head: Some(checkpoint.head),
            keys: BTreeMap::new(),
        })
    }
}

fn head_of(entry: &LogEntry) -> Head {
    Head {
        sequence: entry.sequence,
        log_version_id: entry.version_id.clone().unwrap_or_default(),
        hash: entry.hash.clone(),
        verified_at: crate::time::rfc3339(crate::cache::now_unix()),
    }
}

/// The newest log entry of each key among the entries walked.
type NewestByKey = HashMap<String, (i64, String)>;

/// Verify `store` against `anchor`: the entries added since its head (all of them with
/// `full`, or without an anchor) must chain down to it (or to genesis), the anchor's
/// entry must still be there unchanged, and every key object must match the log.
/// `tick` is called once per entry and key object checked.
pub(crate) async fn audit(
    store: &Store,
    anchor: &Anchor,
    full: bool,
    concurrency: usize,
    tick: &dyn Fn(),
) -> Result<Audited, AuditError> {
    let newest = store.newest_log_entry().await?;
    let since = anchor.head.clone();
    let rolled_back = |now: String, head: &Head| AuditError::RolledBack {
        since: head.verified_at.clone(),
        sequence: head.sequence,
        version: head.log_version_id.clone(),
        now,
    };
    let Some(newest) = newest else {
        return match &since {
            Some(head) => Err(rolled_back("nothing: the log is empty".into(), head)),
            None => Ok(Audited {
                chain: ChainSummary::default(),
                head: None,
                since,
                keys_checked: 0,
                keys_unchanged: 0,
                keys: BTreeMap::new(),
            }),
        };
    };
    if let Some(head) = &since
        && newest.sequence < head.sequence
    {
        return Err(rolled_back(format!("sequence {}", newest.sequence), head));
    }

    // The chain, newest first, down to the anchor (or genesis).
    let stop_at = match (&since, full) {
        (Some(head), false) => Some(head.sequence),
        _ => None,
    };
    let unchanged = since.as_ref().is_some_and(|h| {
        !full
            && h.log_version_id.as_str() == newest.version_id.as_deref().unwrap_or("")
            && h.hash == newest.hash
    });
    let mut check = ChainCheck::default();
    let mut walked: HashMap<String, LogEntry> = HashMap::new();
    let mut newest_by_key: NewestByKey = HashMap::new();
    let mut reached_anchor = unchanged;
    if !unchanged {
        let log = store.log_key();
        let mut entries = std::pin::pin!(store.log_entries(&log, None));
        while let Some(entry) = entries.try_next().await? {
            if let Some(head) = &since
                && entry.sequence == head.sequence
            {
                let version = entry.version_id.clone().unwrap_or_default();
                if version != head.log_version_id || entry.hash != head.hash {
                    return Err(AuditError::Rewritten {
                        head: Box::new(head.clone()),
                        found_version: version,
                        found_hash: entry.hash,
                    });
                }
                reached_anchor = true;
                if !full {
                    // Verified last time: only the link to it is new.
                    check.link_to(&entry)?;
                    break;
                }
            }
            let sequence = entry.sequence;
            newest_by_key
                .entry(entry.key.clone())
                .or_insert_with(|| (sequence, entry.version_id.clone().unwrap_or_default()));
            if let Some(v) = &entry.version_id {
                walked.insert(v.clone(), entry.clone());
            }
            check.push(entry)?;
            tick();
            if stop_at.is_some_and(|s| sequence < s) {
                break;
            }
        }
    }
    if let Some(head) = &since
        && !reached_anchor
    {
        // The listing ended above the remembered sequence: that version is gone.
        return Err(rolled_back(
            format!(
                "sequence {} with no version {} below it",
                newest.sequence, head.log_version_id
            ),
            head,
        ));
    }
    let chain = check.finish(stop_at.is_none() && !unchanged)?;

    // What `get` returns: every key object's newest version against the log.
    let head_version = newest.version_id.clone().unwrap_or_default();
    let listed: Vec<(String, Option<String>)> = store.key_objects("", None).try_collect().await?;
    let listed_keys: std::collections::HashSet<&str> =
        listed.iter().map(|(k, _)| k.as_str()).collect();
    let mut keys = BTreeMap::new();
    let mut keys_unchanged = 0;
    let mut to_check = Vec::new();
    for (key, etag) in &listed {
        let remembered = anchor.keys.get(key);
        if !full && !newest_by_key.contains_key(key) && remembered.is_some_and(|r| &r.etag == etag)
        {
            keys_unchanged += 1;
            if let Some(r) = remembered {
                keys.insert(key.clone(), r.clone());
            }
        } else {
            to_check.push((key.clone(), etag.clone()));
        }
    }
    let checks = futures_util::stream::iter(to_check.into_iter().map(|(key, etag)| {
        let ctx = KeyCheck {
            store,
            walked: &walked,
            newest_by_key: &newest_by_key,
            head_sequence: newest.sequence,
            head_version: &head_version,
            remembered: anchor.keys.get(&key).map(|r| r.sequence),
        };
        async move {
            let state = ctx.check(&key, etag).await?;
            Ok::<_, AuditError>((key, state))
        }
    }))
    .buffered(concurrency.max(1));
    let mut checks = std::pin::pin!(checks);
    let mut keys_checked = 0;
    while let Some((key, state)) = checks.try_next().await? {
        if let Some(state) = state {
            keys.insert(key, state);
        }
        keys_checked += 1;
        tick();
    }
    // A key with entries in the log but no key object at all (its object deleted).
    for (key, (sequence, version)) in &newest_by_key {
        if !listed_keys.contains(key.as_str()) && *version != head_version {
            let settled = store.key_object(key).await?;
            if settled.is_none() {
                return Err(AuditError::KeyObject {
                    object: store.key_path(key)?,
                    problem: format!(
                        "is missing, but the log holds entries for its key (the newest is sequence {sequence}, version {version})"
                    ),
                });
            }
        }
    }
    Ok(Audited {
        chain,
        head: Some(head_of(&newest)),
        since,
        keys_checked,
        keys_unchanged,
        keys,
    })
}

/// What checking one key object needs.
struct KeyCheck<'a> {
    store: &'a Store,
    walked: &'a HashMap<String, LogEntry>,
    newest_by_key: &'a NewestByKey,
    head_sequence: i64,
    head_version: &'a str,
    /// The sequence its key object held at the last verify.
    remembered: Option<i64>,
}

impl KeyCheck<'_> {
    /// Check `key`'s key object against the log: its own hash; the log entry it names
    /// exists and agrees; no newer entry of the key is missing from it (but an orphan
    /// at the head, which the next write repairs). The state to remember; `None` for
    /// an object written after this verify began.
    async fn check(&self, key: &str, etag: Option<String>) -> Result<Option<KeyState>, AuditError> {
        let Some((mut object, mut name)) = self.store.key_object(key).await? else {
            return Ok(None);
        };
        let newer_in_log = |object: &LogEntry| {
            self.newest_by_key
                .get(key)
                .filter(|(sequence, version)| {
                    *sequence > object.sequence && version != self.head_version
                })
                .cloned()
        };
        if newer_in_log(&object).is_some() {
            // A writer between its two phases, or a repair landing beside the next
            // append: give it a moment before calling it a lag.
            tokio::time::sleep(Duration::from_secs(1)).await;
            if let Some(again) = self.store.key_object(key).await? {
                (object, name) = again;
            }
        }
        let problem = |problem: String| AuditError::KeyObject {
            object: name.clone(),
            problem,
        };
        check_hash(&object, &name)?;
        let version = object.log_version_id.clone().unwrap_or_default();
        // Beyond the head this verify read: a write made since (its log version is
        // there, newer), or a head that was truncated away (it is not).
        let logged = match self.walked.get(&version) {
            Some(e) => e.clone(),
            None => match self.store.log_entry(&version).await {
                Ok(e) => {
                    check_hash(&e, &format!("{} (version {version})", self.store.log_key()))?;
                    e
                }
                Err(StoreError::VersionNotFound(_)) => {
                    return Err(problem(format!(
                        "names log version {version}, which is not in the log: the log was truncated or rewritten"
                    )));
                }
                Err(e) => return Err(e.into()),
            },
        };
        if object.sequence > self.head_sequence {
            return Ok(None);
        }
        if logged.sequence != object.sequence
            || logged.hash != object.hash
            || logged.key != object.key
        {
            return Err(problem(format!(
                "says sequence {} with hash {}, but log version {version} holds sequence {} of key {:?} with hash {}",
                object.sequence, object.hash, logged.sequence, logged.key, logged.hash
            )));
        }
        if let Some((sequence, version)) = newer_in_log(&object) {
            return Err(problem(format!(
                "holds sequence {}, but the log's newest entry for its key is sequence {sequence} (version {version}): \
                 get would return an older value",
                object.sequence
            )));
        }
        if let Some(before) = self.remembered
            && object.sequence < before
        {
            return Err(problem(format!(
                "holds sequence {}, older than the sequence {before} it held at the last verify: it was rolled back",
                object.sequence
            )));
        }
        Ok(Some(KeyState {
            etag,
            sequence: object.sequence,
        }))
    }
}
