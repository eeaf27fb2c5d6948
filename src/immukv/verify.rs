//! Checking the hash chain: entries are fed newest to oldest; every hash must recompute
//! from the stored bytes (either client's dialect), every entry's `previous_hash` must
//! be the next older entry's hash, and sequences must be contiguous down to genesis.

use super::entry::{Dialect, GENESIS_HASH, LogEntry};

/// A failed check, naming the entries involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ChainError {
    #[error(
        "broken chain at sequence {sequence} (version {version}, key {key:?}): stored hash {stored}, computed {computed}"
    )]
    BadHash {
        sequence: i64,
        version: String,
        key: String,
        stored: String,
        computed: String,
    },
    #[error(
        "broken link between sequence {newer_sequence} (version {newer_version}) and sequence {sequence} (version {version}): \
         expected previous_hash {expected}, found {found}"
    )]
    BadLink {
        newer_sequence: i64,
        newer_version: String,
        sequence: i64,
        version: String,
        expected: String,
        found: String,
    },
    #[error(
        "sequence gap between version {newer_version} (sequence {newer_sequence}) and version {version} (sequence {sequence})"
    )]
    Gap {
        newer_sequence: i64,
        newer_version: String,
        sequence: i64,
        version: String,
    },
    #[error("the oldest entry (sequence {sequence}, version {version}) does not start at genesis")]
    NoGenesis { sequence: i64, version: String },
}

/// What a walk over the chain found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ChainSummary {
    pub(crate) count: usize,
    pub(crate) python: usize,
    pub(crate) typescript: usize,
}

impl ChainSummary {
    /// `(3 python, 1 typescript)`, or nothing for an empty walk.
    pub(crate) fn dialects(&self) -> String {
        let mut parts = Vec::new();
        if self.python > 0 {
            parts.push(format!("{} python", self.python));
        }
        if self.typescript > 0 {
            parts.push(format!("{} typescript", self.typescript));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    }
}

/// The walk, one entry at a time, newest first.
#[derive(Debug, Default)]
pub(crate) struct ChainCheck {
    newer: Option<LogEntry>,
    summary: ChainSummary,
}

fn version(e: &LogEntry) -> String {
    e.version_id.clone().unwrap_or_default()
}

impl ChainCheck {
    /// Check `entry`, the next older one.
    pub(crate) fn push(&mut self, entry: LogEntry) -> Result<(), ChainError> {
        self.summary.count_dialect(hash_dialect(&entry)?);
        if let Some(n) = &self.newer {
            link(n, &entry)?;
        }
        self.summary.count += 1;
        self.newer = Some(entry);
        Ok(())
    }

    /// Check that the entries pushed so far chain down to `older` (an entry verified
    /// before, not counted again).
    pub(crate) fn link_to(&self, older: &LogEntry) -> Result<(), ChainError> {
        match &self.newer {
            Some(n) => link(n, older),
            None => Ok(()),
        }
    }

    /// The summary; when the walk reached the oldest entry (`complete`), that entry must
    /// start the chain at genesis.
    pub(crate) fn finish(self, complete: bool) -> Result<ChainSummary, ChainError> {
        if let Some(oldest) = &self.newer
            && complete
        {
            genesis(oldest)?;
        }
        Ok(self.summary)
    }
}

/// The same checks, oldest first (a dump read front to back): the first entry starts
/// at genesis, each later one links to the one before it.
#[derive(Debug, Default)]
pub(crate) struct ForwardCheck {
    older: Option<LogEntry>,
    summary: ChainSummary,
}

impl ForwardCheck {
    /// Check `entry`, the next newer one.
    pub(crate) fn push(&mut self, entry: LogEntry) -> Result<(), ChainError> {
        self.summary.count_dialect(hash_dialect(&entry)?);
        match &self.older {
            Some(older) => link(&entry, older)?,
            None => genesis(&entry)?,
        }
        self.summary.count += 1;
        self.older = Some(entry);
        Ok(())
    }

    /// The newest entry checked.
    pub(crate) fn newest(&self) -> Option<&LogEntry> {
        self.older.as_ref()
    }

    pub(crate) fn finish(self) -> ChainSummary {
        self.summary
    }
}

impl ChainSummary {
    fn count_dialect(&mut self, dialect: Dialect) {
        match dialect {
            Dialect::Python => self.python += 1,
            Dialect::TypeScript => self.typescript += 1,
        }
    }
}

/// The dialect whose hash recomputes to the stored one.
fn hash_dialect(entry: &LogEntry) -> Result<Dialect, ChainError> {
    entry.verify_hash().ok_or_else(|| ChainError::BadHash {
        sequence: entry.sequence,
        version: version(entry),
        key: entry.key.clone(),
        stored: entry.hash.clone(),
        computed: entry.expected_hash(),
    })
}

/// `newer` must name `older` as its predecessor and follow it in sequence.
fn link(newer: &LogEntry, older: &LogEntry) -> Result<(), ChainError> {
    if newer.previous_hash != older.hash {
        return Err(ChainError::BadLink {
            newer_sequence: newer.sequence,
            newer_version: version(newer),
            sequence: older.sequence,
            version: version(older),
            expected: older.hash.clone(),
            found: newer.previous_hash.clone(),
        });
    }
    if newer.sequence != older.sequence + 1 {
        return Err(ChainError::Gap {
            newer_sequence: newer.sequence,
            newer_version: version(newer),
            sequence: older.sequence,
            version: version(older),
        });
    }
    Ok(())
}

/// The oldest entry must start the chain.
fn genesis(oldest: &LogEntry) -> Result<(), ChainError> {
    if oldest.sequence != 0 || oldest.previous_hash != GENESIS_HASH {
        return Err(ChainError::NoGenesis {
            sequence: oldest.sequence,
            version: version(oldest),
        });
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::pyjson::Json;

    /// A valid chain of `n` entries, newest first, versions `v0`, `v1`...
    pub(crate) fn chain(n: i64) -> Vec<LogEntry> {
        let mut entries = Vec::new();
        let mut previous = GENESIS_HASH.to_owned();
        for seq in 0..n {
            let mut e = LogEntry::new(
                "k",
                &Json::Int(seq.to_string()),
                seq,
                1_700_000_000_000 + seq,
                &previous,
                None,
                None,
            );
            e.version_id = Some(format!("v{seq}"));
            previous = e.hash.clone();
            entries.push(e);
        }
        entries.reverse();
        entries
    }

    fn walk(entries: Vec<LogEntry>, complete: bool) -> Result<ChainSummary, ChainError> {
        let mut check = ChainCheck::default();
        for e in entries {
            check.push(e)?;
        }
        check.finish(complete)
    }

    #[test]
    fn a_valid_chain_verifies() {
        let summary = walk(chain(4), true).unwrap();
        assert_eq!(summary.count, 4);
        assert_eq!(summary.dialects(), " (4 python)");
        assert_eq!(walk(Vec::new(), true).unwrap().count, 0);
    }

    #[test]
    fn each_defect_is_named() {
        let mut c = chain(3);
        c[1].value_raw = "42".into();
        assert!(matches!(
            walk(c, true),
            Err(ChainError::BadHash { sequence: 1, .. })
        ));

        let mut c = chain(3);
        c.remove(1);
        assert!(matches!(
            walk(c, true),
            Err(ChainError::BadLink {
                newer_sequence: 2,
                sequence: 0,
                ..
            })
        ));

        // The oldest entries are missing: only a complete walk notices.
        let mut c = chain(3);
        c.pop();
        assert!(matches!(
            walk(c.clone(), true),
            Err(ChainError::NoGenesis { sequence: 1, .. })
        ));
        assert!(walk(c, false).is_ok());
    }

    #[test]
    fn forward_walks_find_the_same_defects() {
        let forward = |entries: Vec<LogEntry>| {
            let mut check = ForwardCheck::default();
            for e in entries.into_iter().rev() {
                check.push(e)?;
            }
            Ok::<_, ChainError>(check.finish())
        };
        assert_eq!(forward(chain(5)).unwrap().count, 5);
        // Oldest first 0, 2, 1, 3: the line after genesis is named.
        let mut c = chain(4);
        c.swap(1, 2);
        assert!(matches!(
            forward(c),
            Err(ChainError::BadLink {
                newer_sequence: 2,
                sequence: 0,
                ..
            })
        ));
        let mut c = chain(3);
        c.pop();
        assert!(matches!(
            forward(c),
            Err(ChainError::NoGenesis { sequence: 1, .. })
        ));
    }
}
