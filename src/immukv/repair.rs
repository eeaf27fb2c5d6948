//! `immukv repair`: every key object brought up to its key's newest entry in the log.
//!
//! A key object lags when its writer stopped between the two phases and the log moved
//! on before anyone repaired it (writers repair only the newest entry): `get` then
//! serves an older value, or none. The log is the truth: it is walked whole (each
//! entry's hash and link checked, so a tampered log is never copied into key objects),
//! and each key object that holds less than its key's newest entry is rewritten with a
//! conditional PUT over what it holds, so that it only moves forward. Safe beside live
//! writers (they write the same way), idempotent, and refused to a read-only caller.

use std::collections::HashMap;

use futures_util::{StreamExt, TryStreamExt, stream};

use super::Tally;
use super::entry::LogEntry;
use super::store::{Expect, Held, KeyObject, Lag, Store, StoreError};
use super::verify::{ChainCheck, ChainError};

#[derive(Debug, thiserror::Error)]
pub(crate) enum RepairError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the log does not verify, so it is not copied into key objects")]
    Chain(#[from] ChainError),
    #[error("key object {object} could not be brought up to sequence {sequence}")]
    Lagging {
        object: String,
        sequence: i64,
        #[source]
        source: Box<Lag>,
    },
}

/// One key object rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fixed {
    pub(crate) object: String,
    /// The sequence it holds now: its key's newest entry.
    pub(crate) sequence: i64,
    /// What it held before.
    pub(crate) was: Held,
}

/// What a repair did.
#[derive(Debug, Default)]
pub(crate) struct Repaired {
    /// Log entries walked.
    pub(crate) entries: usize,
    /// Keys with entries in the log.
    pub(crate) keys: usize,
    /// The key objects rewritten, by object name.
    pub(crate) fixed: Vec<Fixed>,
}

/// Walk the log and bring every key object up to its key's newest entry. `tally` counts
/// the entries walked, then the keys checked.
pub(crate) async fn repair(store: &Store, tally: &dyn Tally) -> Result<Repaired, RepairError> {
    store.check_writable()?;
    let log = store.log_key();
    let mut check = ChainCheck::default();
    let mut newest: HashMap<String, LogEntry> = HashMap::new();
    let mut entries = std::pin::pin!(store.log_entries(&log, None));
    let mut walked = 0;
    while let Some(entry) = entries.try_next().await? {
        if walked == 0 {
            tally.total((entry.sequence + 1).unsigned_abs());
        }
        newest
            .entry(entry.key.clone())
            .or_insert_with(|| entry.clone());
        check.push(entry)?;
        walked += 1;
        tally.done(1);
    }
    tally.total((walked + newest.len()) as u64);
    let keys = newest.len();
    let mut fixed: Vec<Fixed> = stream::iter(newest.into_values())
        .map(|entry| async move {
            let r = bring_up(store, &entry).await;
            tally.done(1);
            r
        })
        .buffer_unordered(store.concurrency())
        .try_filter_map(|f| std::future::ready(Ok(f)))
        .try_collect()
        .await?;
    fixed.sort_by(|a, b| a.object.cmp(&b.object));
    Ok(Repaired {
        entries: walked,
        keys,
        fixed,
    })
}

/// Bring `entry`'s key object up to it: `None` when it already held it (or a writer
/// got there first).
async fn bring_up(store: &Store, entry: &LogEntry) -> Result<Option<Fixed>, RepairError> {
    let held = store.key_object_held(&entry.key).await?;
    if held.holds(entry) {
        return Ok(None);
    }
    let object = store.key_path(&entry.key)?;
    match store
        .ensure_key_object(entry, Expect::Etag(held.etag()))
        .await?
    {
        KeyObject::Current { wrote: true, .. } => Ok(Some(Fixed {
            object,
            sequence: entry.sequence,
            was: held,
        })),
        KeyObject::Current { wrote: false, .. } => Ok(None),
        KeyObject::Lagging(source) if matches!(*source, Lag::Denied) => {
            Err(StoreError::ReadOnly(store.bucket().to_owned()).into())
        }
        KeyObject::Lagging(source) => Err(RepairError::Lagging {
            object,
            sequence: entry.sequence,
            source,
        }),
    }
}
