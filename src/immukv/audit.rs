//! Verifying a store so that an auditor can rely on it: the hash chain, what `get`
//! returns (every key object's newest version against the log), and, like Go's
//! checksum-database client, the head verified last time: a chain that verifies can
//! still have been rolled back or rewritten as a whole by whoever may delete object
//! versions, and the remembered head catches that.
//!
//! The remembered head lives in the cache folder ([`super::head`]); a checkpoint is
//! the head alone, as a JSON file a CI job keeps as an artifact.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};

use super::Tally;
use super::checkpoint::Checkpoint;
use super::entry::LogEntry;
use super::head::{Head, HeadCache, KeyState, StoreId};
use super::retention::{Expired, Retention, Unexpired};
use super::store::{Store, StoreError, check_hash};
use super::verify::{ChainCheck, ChainError, ChainSummary, Start, start_of};
use crate::cache::CacheError;

/// What the verify is measured against.
#[derive(Debug, Clone, Default)]
pub(crate) struct Anchor {
    pub(crate) head: Option<Head>,
    keys: BTreeMap<String, KeyState>,
    /// Whether the head is a checkpoint the user named (else remembered in the cache).
    from_checkpoint: bool,
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
    #[error(
        "the checkpoint's entry (sequence {}, verified at {}) is no longer in the log, whose oldest entry is \
         sequence {oldest}: it expired under the log's retention (or was deleted), so it cannot anchor a verify; \
         take checkpoints more often than the retention period, and verify against a newer one",
        head.sequence, head.verified_at
    )]
    CheckpointExpired { head: Box<Head>, oldest: i64 },
    #[error(transparent)]
    Unexpired(Box<Unexpired>),
    #[error("key object {object}: {problem}")]
    KeyObject { object: String, problem: String },
}

impl From<Unexpired> for AuditError {
    fn from(e: Unexpired) -> Self {
        AuditError::Unexpired(Box::new(e))
    }
}

impl Audited {
    /// Remember this verify's head and key objects in `heads`.
    pub(crate) fn remember_in(&self, heads: &HeadCache) -> Result<(), CacheError> {
        heads.remember(self.head.as_ref(), &self.keys)
    }
}

/// What a verify found.
#[derive(Debug)]
pub(crate) struct Audited {
    pub(crate) chain: ChainSummary,
    /// The newest entry, now verified (`None` for an empty store).
    pub(crate) head: Option<Head>,
    /// The head it was measured against.
    pub(crate) since: Option<Head>,
    /// The oldest sequence this verify checked.
    pub(crate) first_sequence: Option<i64>,
    /// The oldest part of the log, gone, and why that is fine.
    pub(crate) expired: Option<Expired>,
    /// A head remembered from an earlier verify that has expired since: this verify
    /// could not prove the log still extends it, and verified from the oldest entry.
    pub(crate) outlived: Option<Head>,
    pub(crate) keys_checked: usize,
    pub(crate) keys_unchanged: usize,
    /// Key objects whose own log entry expired (checked by their hash, and against the
    /// entries left).
    pub(crate) keys_expired: usize,
    keys: BTreeMap<String, KeyState>,
}

/// How a verify goes about it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AuditOptions<'a> {
    /// Walk the whole log, not just what is new since the anchor.
    pub(crate) full: bool,
    pub(crate) concurrency: usize,
    /// The log's retention as the user declared it, for when the bucket's rules
    /// cannot be read.
    pub(crate) declared: Option<&'a Retention>,
    pub(crate) now_ms: i64,
}

impl Anchor {
    /// The head remembered in the cache folder (none: nothing remembered).
    pub(crate) fn remembered(heads: &HeadCache) -> Self {
        match heads.remembered() {
            Some((head, keys)) => Self {
                head: Some(head),
                keys,
                from_checkpoint: false,
            },
            None => Self::default(),
        }
    }

    /// A checkpoint as the anchor: it must be this store's.
    pub(crate) fn from_checkpoint(
        checkpoint: Checkpoint,
        ours: &StoreId,
    ) -> Result<Self, AuditError> {
        if !checkpoint.store.same_store(ours) {
            return Err(AuditError::OtherStore {
                theirs: Box::new(checkpoint.store),
                ours: Box::new(ours.clone()),
            });
        }
        Ok(Self {
            head: Some(checkpoint.head),
            keys: BTreeMap::new(),
            from_checkpoint: true,
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

/// What the walk down the log found.
struct Walked {
    check: ChainCheck,
    /// Every entry walked, by version id.
    entries: HashMap<String, LogEntry>,
    newest_by_key: NewestByKey,
    reached_anchor: bool,
    /// Whether it went down to the log's oldest entry (rather than stopping at the
    /// anchor).
    to_the_end: bool,
}

/// Walk the log newest first from `newest`, down to `since`'s entry (checked to be
/// unchanged) unless `full`, else to the oldest entry there is.
async fn walk(
    store: &Store,
    newest: &LogEntry,
    since: Option<&Head>,
    full: bool,
    tally: &dyn Tally,
) -> Result<Walked, AuditError> {
    let mut walked = Walked {
        check: ChainCheck::default(),
        entries: HashMap::new(),
        newest_by_key: HashMap::new(),
        reached_anchor: false,
        to_the_end: true,
    };
    let log = store.log_key();
    // Without --full the walk ends at the anchor's version: nothing below is fetched.
    let down_to = since.filter(|_| !full).map(|h| h.log_version_id.as_str());
    let mut entries = std::pin::pin!(store.log_entries_after(&log, None, Some(newest), down_to));
    while let Some(entry) = entries.try_next().await? {
        if let Some(head) = since
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
            walked.reached_anchor = true;
            if !full {
                // Verified last time: only the link to it is new.
                walked.check.link_to(&entry)?;
                walked.to_the_end = false;
                break;
            }
        }
        let sequence = entry.sequence;
        walked
            .newest_by_key
            .entry(entry.key.clone())
            .or_insert_with(|| (sequence, entry.version_id.clone().unwrap_or_default()));
        if let Some(v) = &entry.version_id {
            walked.entries.insert(v.clone(), entry.clone());
        }
        walked.check.push(entry)?;
        tally.done(1);
        if !full && since.is_some_and(|h| sequence < h.sequence) {
            // Past the anchor's sequence without meeting it.
            walked.to_the_end = false;
            break;
        }
    }
    Ok(walked)
}

/// Why the log's oldest entry may start the chain: `None` at genesis; the anchor when
/// the walk passed a verified head; else a retention rule (the bucket's, read only now
/// that it is needed, or the one declared) that explains the gap below it.
async fn judge_oldest(
    store: &Store,
    oldest: &LogEntry,
    walked: usize,
    anchored: Option<&Head>,
    options: AuditOptions<'_>,
) -> Result<Option<Expired>, AuditError> {
    if start_of(oldest)? == Start::Genesis {
        return Ok(None);
    }
    // Every version walked but the newest is noncurrent.
    let noncurrent = walked as i64 - 1;
    let judged = store
        .judge_log_gap(
            oldest,
            noncurrent,
            anchored.map(|h| h.sequence),
            options.declared,
            options.now_ms,
        )
        .await??;
    Ok(Some(judged))
}

/// Verify `store` against `anchor`: the entries added since its head (all of them with
/// `full`, or without an anchor) must chain down to it (or to the log's oldest entry,
/// which starts at genesis or after a part that retention explains), the anchor's
/// entry must still be there unchanged, and every key object must match the log.
/// `tally` counts each entry and key object checked.
///
/// Three phases: the chain ([`walk_chain`]), where the walk ended against the anchor
/// ([`judge_ends`]), the key objects ([`check_key_objects`]).
pub(crate) async fn audit(
    store: &Store,
    anchor: &Anchor,
    options: AuditOptions<'_>,
    tally: &dyn Tally,
) -> Result<Audited, AuditError> {
    let newest = store.newest_log_entry().await?;
    let since = anchor.head.clone();
    let Some(newest) = newest else {
        return match &since {
            Some(head) => Err(rolled_back("nothing: the log is empty".into(), head)),
            None => Ok(Audited {
                chain: ChainSummary::default(),
                head: None,
                since,
                first_sequence: None,
                expired: None,
                outlived: None,
                keys_checked: 0,
                keys_unchanged: 0,
                keys_expired: 0,
                keys: BTreeMap::new(),
            }),
        };
    };
    if let Some(head) = &since
        && newest.sequence < head.sequence
    {
        return Err(rolled_back(format!("sequence {}", newest.sequence), head));
    }
    let mut walked = walk_chain(store, &newest, since.as_ref(), options.full, tally).await?;
    let ends = judge_ends(store, anchor, &newest, &walked, options).await?;
    let first_sequence = walked.check.oldest().map(|e| e.sequence);
    let bottom = walked.to_the_end.then_some(first_sequence).flatten();
    let newest_by_key = std::mem::take(&mut walked.newest_by_key);
    let keys = check_key_objects(
        store,
        anchor,
        &Walk {
            newest: &newest,
            entries: &walked.entries,
            newest_by_key: &newest_by_key,
            bottom,
        },
        options,
        tally,
    )
    .await?;
    Ok(Audited {
        chain: walked.check.finish(),
        head: Some(head_of(&newest)),
        since: ends.since,
        first_sequence,
        expired: ends.expired,
        outlived: ends.outlived,
        keys_checked: keys.checked,
        keys_unchanged: keys.unchanged,
        keys_expired: keys.expired,
        keys: keys.states,
    })
}

/// The log rolled back below `head` (verified before): it now ends at `now`.
fn rolled_back(now: String, head: &Head) -> AuditError {
    AuditError::RolledBack {
        since: head.verified_at.clone(),
        sequence: head.sequence,
        version: head.log_version_id.clone(),
        now,
    }
}

/// The chain phase: newest first from `newest` down to `since`'s entry (nothing to
/// walk when the log's head is still that entry), else to the oldest entry there is.
async fn walk_chain(
    store: &Store,
    newest: &LogEntry,
    since: Option<&Head>,
    full: bool,
    tally: &dyn Tally,
) -> Result<Walked, AuditError> {
    let unchanged = since.is_some_and(|h| {
        !full
            && h.log_version_id.as_str() == newest.version_id.as_deref().unwrap_or("")
            && h.hash == newest.hash
    });
    if unchanged {
        return Ok(Walked {
            check: ChainCheck::default(),
            entries: HashMap::new(),
            newest_by_key: HashMap::new(),
            reached_anchor: true,
            to_the_end: false,
        });
    }
    // At most every entry down to the anchor (or genesis); known better once walked.
    let below = match (since, full) {
        (Some(head), false) => head.sequence,
        _ => -1,
    };
    tally.total((newest.sequence - below).unsigned_abs());
    walk(store, newest, since, full, tally).await
}

/// How the walk ended, judged: the anchor it measured against (`None` when retention
/// overtook a remembered head), that head when it was outlived, and why the log may
/// start above genesis.
struct Ends {
    since: Option<Head>,
    outlived: Option<Head>,
    expired: Option<Expired>,
}

/// The anchor phase: a walk that did not meet the anchor's entry either went down to
/// the log's oldest entry above it (a checkpoint expired; a remembered head outlived,
/// the whole log then judged as if nothing had been remembered), or the log was rolled
/// back. A walk down to the oldest entry is judged for what is missing below it.
async fn judge_ends(
    store: &Store,
    anchor: &Anchor,
    newest: &LogEntry,
    walked: &Walked,
    options: AuditOptions<'_>,
) -> Result<Ends, AuditError> {
    let mut since = anchor.head.clone();
    let mut outlived = None;
    if let Some(head) = &since
        && !walked.reached_anchor
    {
        match walked.check.oldest().map(|e| e.sequence) {
            Some(oldest) if walked.to_the_end && oldest > head.sequence => {
                if anchor.from_checkpoint {
                    return Err(AuditError::CheckpointExpired {
                        head: Box::new(head.clone()),
                        oldest,
                    });
                }
                outlived = since.take();
            }
            // The listing ended above the remembered sequence: that version is gone.
            _ => {
                return Err(rolled_back(
                    format!(
                        "sequence {} with no version {} below it",
                        newest.sequence, head.log_version_id
                    ),
                    head,
                ));
            }
        }
    }
    let expired = match walked.check.oldest() {
        Some(oldest) if walked.to_the_end => {
            let anchored = since.as_ref().filter(|_| walked.reached_anchor);
            judge_oldest(store, oldest, walked.entries.len(), anchored, options).await?
        }
        _ => None,
    };
    Ok(Ends {
        since,
        outlived,
        expired,
    })
}

/// What the chain phase saw, as the key-object phase checks against it.
struct Walk<'a> {
    newest: &'a LogEntry,
    /// Every entry walked, by version id.
    entries: &'a HashMap<String, LogEntry>,
    newest_by_key: &'a NewestByKey,
    /// The oldest sequence in the log, when the walk went down to it.
    bottom: Option<i64>,
}

/// What the key-object phase found.
struct KeysChecked {
    states: BTreeMap<String, KeyState>,
    checked: usize,
    unchanged: usize,
    expired: usize,
}

/// The key-object phase, what `get` returns: every key object's newest version
/// against the log (one unchanged since the anchor's verify, of a key with no new
/// entry, is taken as it was), and no key with entries in the log left without one.
async fn check_key_objects(
    store: &Store,
    anchor: &Anchor,
    walk: &Walk<'_>,
    options: AuditOptions<'_>,
    tally: &dyn Tally,
) -> Result<KeysChecked, AuditError> {
    let head_version = walk.newest.version_id.clone().unwrap_or_default();
    let listed: Vec<(String, Option<String>)> = store.key_objects("", None).try_collect().await?;
    let mut found = KeysChecked {
        states: BTreeMap::new(),
        checked: 0,
        unchanged: 0,
        expired: 0,
    };
    let mut to_check = Vec::new();
    for (key, etag) in &listed {
        match anchor.keys.get(key) {
            Some(r)
                if !options.full && !walk.newest_by_key.contains_key(key) && &r.etag == etag =>
            {
                found.unchanged += 1;
                found.states.insert(key.clone(), r.clone());
            }
            _ => to_check.push((key.clone(), etag.clone())),
        }
    }
    tally.total((walk.entries.len() + to_check.len()) as u64);
    let oldest_left = tokio::sync::OnceCell::new();
    let keys_expired = AtomicUsize::new(0);
    let checks = futures_util::stream::iter(to_check.into_iter().map(|(key, etag)| {
        let ctx = KeyCheck {
            store,
            walked: walk.entries,
            newest_by_key: walk.newest_by_key,
            head_sequence: walk.newest.sequence,
            head_version: &head_version,
            remembered: anchor.keys.get(&key).map(|r| r.sequence),
            bottom: walk.bottom,
            oldest_left: &oldest_left,
            expired: &keys_expired,
        };
        async move {
            let state = ctx.check(&key, etag).await?;
            Ok::<_, AuditError>((key, state))
        }
    }))
    .buffered(options.concurrency.max(1));
    let mut checks = Box::pin(checks);
    while let Some((key, state)) = checks.try_next().await? {
        if let Some(state) = state {
            found.states.insert(key, state);
        }
        found.checked += 1;
        tally.done(1);
    }
    drop(checks);
    found.expired = keys_expired.load(Ordering::Relaxed);
    // A key with entries in the log but no key object at all (its object deleted).
    let listed_keys: std::collections::HashSet<&str> =
        listed.iter().map(|(k, _)| k.as_str()).collect();
    for (key, (sequence, version)) in walk.newest_by_key {
        if !listed_keys.contains(key.as_str()) && *version != head_version {
            let settled = store.key_object(key).await?;
            if settled.is_none() {
                return Err(AuditError::KeyObject {
                    object: store.key_path(key)?,
                    problem: format!(
                        "is missing, but the log holds entries for its key (the newest is sequence {sequence}, version {version}): \
                         `immukv repair` rewrites it from the log"
                    ),
                });
            }
        }
    }
    Ok(found)
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
    /// The oldest sequence in the log, when the walk went down to it.
    bottom: Option<i64>,
    /// The oldest sequence in the log, found when first needed (a walk that stopped at
    /// its anchor did not go down to it).
    oldest_left: &'a tokio::sync::OnceCell<i64>,
    /// Key objects whose log entry expired, counted.
    expired: &'a AtomicUsize,
}

/// Where a key object's log entry is.
enum Logged {
    /// In the log.
    Entry(Box<LogEntry>),
    /// Below the log's oldest entry: expired with the rest of the oldest part.
    Expired,
    /// Written after this verify read the log's head.
    Later,
    /// Not in the log, though it should be.
    Missing,
}

impl KeyCheck<'_> {
    /// Check `key`'s key object against the log: its own hash; the log entry it names
    /// exists and agrees, or expired with the oldest part of the log; no newer entry of
    /// the key is missing from it (but an orphan at the head, which the next write
    /// repairs). The state to remember; `None` for an object written after this verify
    /// began.
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
        match self.logged(&object, &version).await? {
            Logged::Later => return Ok(None),
            Logged::Expired => {
                self.expired.fetch_add(1, Ordering::Relaxed);
            }
            Logged::Entry(logged) => {
                if logged.sequence != object.sequence
                    || logged.hash != object.hash
                    || logged.key != object.key
                {
                    return Err(problem(format!(
                        "says sequence {} with hash {}, but log version {version} holds sequence {} of key {:?} with hash {}",
                        object.sequence, object.hash, logged.sequence, logged.key, logged.hash
                    )));
                }
            }
            Logged::Missing => {
                return Err(problem(format!(
                    "names log version {version}, which is not in the log: the log was truncated or rewritten"
                )));
            }
        }
        if let Some((sequence, version)) = newer_in_log(&object) {
            return Err(problem(format!(
                "holds sequence {}, but the log's newest entry for its key is sequence {sequence} (version {version}): \
                 get would return an older value; `immukv repair` rewrites it from the log",
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

    /// Where `object`'s log entry (log version `version`) is.
    async fn logged(&self, object: &LogEntry, version: &str) -> Result<Logged, AuditError> {
        if let Some(e) = self.walked.get(version) {
            return Ok(Logged::Entry(Box::new(e.clone())));
        }
        // Not among the versions walked. Below the oldest entry of a walk that went
        // down to it, it expired with the oldest part of the log.
        if self.bottom.is_some_and(|b| object.sequence < b) {
            return Ok(Logged::Expired);
        }
        match self.store.log_entry(version).await {
            Ok(e) => {
                check_hash(&e, &format!("{} (version {version})", self.store.log_key()))?;
                // Beyond the head this verify read: a write made since.
                if object.sequence > self.head_sequence {
                    return Ok(Logged::Later);
                }
                Ok(Logged::Entry(Box::new(e)))
            }
            // A walk that stopped at its anchor: whether the entry is below the log's
            // oldest one decides.
            Err(StoreError::VersionNotFound(_))
                if self.bottom.is_none() && object.sequence < self.oldest_left().await? =>
            {
                Ok(Logged::Expired)
            }
            Err(StoreError::VersionNotFound(_)) => Ok(Logged::Missing),
            Err(e) => Err(e.into()),
        }
    }

    /// The sequence of the log's oldest entry: the last version listed, read once.
    async fn oldest_left(&self) -> Result<i64, StoreError> {
        self.oldest_left
            .get_or_try_init(|| async {
                let log = self.store.log_key();
                let oldest = self
                    .store
                    .versions(&log, None)
                    .try_fold(None, |_, v| std::future::ready(Ok(Some(v))))
                    .await?;
                match oldest {
                    Some(v) => Ok(self.store.log_entry(&v.id).await?.sequence),
                    None => Ok(0),
                }
            })
            .await
            .copied()
    }
}
