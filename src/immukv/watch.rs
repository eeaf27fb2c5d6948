//! `immukv watch`: the log's entries as they are appended, in sequence order, each
//! once. A poll is one conditional GET of the log (304 when nothing changed). When
//! the log moved by more than one entry, the entries in between come from the log's
//! version listing; every entry is checked against its own hash and linked to the one
//! before it, so a watcher never prints a tampered or out-of-chain entry, and a log
//! that goes back is an error, not a silent restart.

use futures_util::TryStreamExt;

use super::entry::LogEntry;
use super::store::{Polled, Store, StoreError, check_hash};
use super::verify::{ChainCheck, ChainError, Start, start_of};

#[derive(Debug, thiserror::Error)]
pub(crate) enum WatchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error(
        "the log went back from sequence {was} to {now}: it was rolled back or rewritten while watched"
    )]
    WentBack { was: i64, now: String },
}

/// Where a watch stands: the last entry it passed on and the log's ETag then.
pub(crate) struct Watch<'a> {
    store: &'a Store,
    last: Option<LogEntry>,
    etag: Option<String>,
}

impl<'a> Watch<'a> {
    /// Start at the log's newest entry; with `from`, also return the entries from
    /// sequence `from` up to it, oldest first.
    pub(crate) async fn start(
        store: &'a Store,
        from: Option<i64>,
    ) -> Result<(Self, Vec<LogEntry>), WatchError> {
        let mut watch = Self {
            store,
            last: None,
            etag: None,
        };
        let backlog = match store.poll_log(None).await? {
            Polled::Changed(head, etag) => {
                watch.etag = etag;
                let backlog = match from {
                    Some(from) if from <= head.sequence => {
                        watch.entries_between(from - 1, &head).await?
                    }
                    _ => Vec::new(),
                };
                watch.last = Some(*head);
                backlog
            }
            Polled::Missing | Polled::Unchanged => Vec::new(),
        };
        Ok((watch, backlog))
    }

    /// One poll: the entries appended since the last one, oldest first.
    pub(crate) async fn poll(&mut self) -> Result<Vec<LogEntry>, WatchError> {
        let (head, etag) = match self.store.poll_log(self.etag.as_deref()).await? {
            Polled::Unchanged => return Ok(Vec::new()),
            Polled::Missing => {
                return match &self.last {
                    Some(last) => Err(WatchError::WentBack {
                        was: last.sequence,
                        now: "nothing (the log is missing or deleted)".into(),
                    }),
                    None => Ok(Vec::new()),
                };
            }
            Polled::Changed(head, etag) => (*head, etag),
        };
        let last_sequence = self.last.as_ref().map_or(-1, |l| l.sequence);
        let new = if head.sequence <= last_sequence {
            let same = self.last.as_ref().is_some_and(|l| l.hash == head.hash);
            if !same {
                return Err(WatchError::WentBack {
                    was: last_sequence,
                    now: format!("{} (hash {})", head.sequence, head.hash),
                });
            }
            Vec::new()
        } else if head.sequence == last_sequence + 1 && self.links(&head) {
            vec![head.clone()]
        } else {
            self.entries_between(last_sequence, &head).await?
        };
        self.etag = etag;
        self.last = Some(head);
        Ok(new)
    }

    /// Whether `next` names the last entry passed on as its predecessor.
    fn links(&self, next: &LogEntry) -> bool {
        match &self.last {
            Some(last) => next.previous_hash == last.hash,
            None => next.sequence == 0,
        }
    }

    /// The entries after sequence `after` up to `head`, oldest first, checked as a
    /// chain that ends at `head` and starts on the last entry passed on (or genesis).
    async fn entries_between(
        &self,
        after: i64,
        head: &LogEntry,
    ) -> Result<Vec<LogEntry>, WatchError> {
        let log = self.store.log_key();
        // Down to the last entry passed on, taking the head as read: only what is new
        // is fetched.
        let last = self.last.as_ref().and_then(|l| l.version_id.as_deref());
        let mut entries =
            std::pin::pin!(self.store.log_entries_after(&log, None, Some(head), last));
        let mut check = ChainCheck::default();
        let mut found = Vec::new();
        let mut below = None;
        while let Some(entry) = entries.try_next().await? {
            if entry.sequence > head.sequence {
                // Appended after the poll read the head: the next poll passes it on.
                continue;
            }
            if entry.sequence <= after {
                below = Some(entry);
                break;
            }
            if found.is_empty() && entry.hash != head.hash {
                return Err(WatchError::WentBack {
                    was: head.sequence,
                    now: format!(
                        "a listing whose sequence {} is another entry",
                        entry.sequence
                    ),
                });
            }
            let name = format!(
                "{log} (version {})",
                entry.version_id.as_deref().unwrap_or("")
            );
            check_hash(&entry, &name)?;
            check.push(entry.clone())?;
            found.push(entry);
        }
        match (&self.last, below) {
            // Continuing a watch: the entry below must be the one passed on last.
            (Some(last), Some(below)) if below.sequence == last.sequence => {
                if below.hash != last.hash {
                    return Err(WatchError::WentBack {
                        was: last.sequence,
                        now: format!("{} with another hash ({})", below.sequence, below.hash),
                    });
                }
                check.link_to(&below)?;
            }
            (_, Some(below)) => check.link_to(&below)?,
            // The log's oldest entry: it must start the chain (a watch does not judge
            // retention; `verify` does).
            (_, None) => {
                if let Some(oldest) = check.oldest()
                    && start_of(oldest)? == Start::After
                {
                    return Err(ChainError::NoGenesis {
                        sequence: oldest.sequence,
                        version: oldest.version_id.clone().unwrap_or_default(),
                    }
                    .into());
                }
            }
        }
        found.reverse();
        Ok(found)
    }
}
