//! Checking the hash chain: entries are fed newest to oldest; every hash must recompute
//! from the stored bytes (either client's dialect), every entry's `previous_hash` must
//! be the next older entry's hash, and sequences must be contiguous down to genesis.

use super::entry::{Dialect, GENESIS_HASH, LogEntry};
use super::retention::sequences_are;

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
        "{} missing between version {newer_version} (sequence {newer_sequence}) and version {version} (sequence {sequence}): \
         they were deleted, as no retention rule does (rules expire only the oldest entries)",
        sequences_are(*sequence + 1, *newer_sequence - 1)
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

    /// The oldest entry checked so far.
    pub(crate) fn oldest(&self) -> Option<&LogEntry> {
        self.newer.as_ref()
    }

    /// The summary. Whether the oldest entry may start the walk is the caller's to
    /// judge, with [`start_of`]: only the caller knows whether it reached the log's end.
    pub(crate) fn finish(self) -> ChainSummary {
        self.summary
    }
}

/// How a log's oldest entry starts its chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// At genesis: sequence 0, linked to `sha256:genesis`.
    Genesis,
    /// After entries that are no longer there: a later sequence, linked to a hash. Only
    /// retention (or a verified head above them) may explain that.
    After,
}

/// How `oldest`, the oldest entry there is, starts the chain; an entry that claims
/// genesis with a later sequence, or sequence 0 linked to anything but genesis, is a
/// broken chain.
pub(crate) fn start_of(oldest: &LogEntry) -> Result<Start, ChainError> {
    match (oldest.sequence, oldest.previous_hash == GENESIS_HASH) {
        (0, true) => Ok(Start::Genesis),
        (n, false) if n > 0 => Ok(Start::After),
        _ => Err(ChainError::NoGenesis {
            sequence: oldest.sequence,
            version: version(oldest),
        }),
    }
}

/// The same checks, oldest first (a dump read front to back): each entry links to the
/// one before it; how the first one starts is the caller's to judge ([`start_of`]).
#[derive(Debug, Default)]
pub(crate) struct ForwardCheck {
    older: Option<LogEntry>,
    /// How the first entry started the chain.
    first: Option<Start>,
    summary: ChainSummary,
}

impl ForwardCheck {
    /// Check `entry`, the next newer one.
    pub(crate) fn push(&mut self, entry: LogEntry) -> Result<(), ChainError> {
        self.summary.count_dialect(hash_dialect(&entry)?);
        match &self.older {
            Some(older) => link(&entry, older)?,
            None => self.first = Some(start_of(&entry)?),
        }
        self.summary.count += 1;
        self.older = Some(entry);
        Ok(())
    }

    /// The newest entry checked.
    pub(crate) fn newest(&self) -> Option<&LogEntry> {
        self.older.as_ref()
    }

    /// How the first entry started the chain (`None` before any).
    pub(crate) fn start(&self) -> Option<Start> {
        self.first
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

/// `newer` must follow `older` in sequence and name it as its predecessor.
fn link(newer: &LogEntry, older: &LogEntry) -> Result<(), ChainError> {
    let gap = || ChainError::Gap {
        newer_sequence: newer.sequence,
        newer_version: version(newer),
        sequence: older.sequence,
        version: version(older),
    };
    // Entries missing in between are named as such, before the link they break.
    if newer.sequence > older.sequence + 1 {
        return Err(gap());
    }
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
        return Err(gap());
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

    /// The walk; when it is `complete` (it reached the log's end), how it starts.
    fn walk(entries: Vec<LogEntry>, complete: bool) -> Result<ChainSummary, ChainError> {
        let mut check = ChainCheck::default();
        for e in entries {
            check.push(e)?;
        }
        if complete && let Some(oldest) = check.oldest() {
            assert_eq!(start_of(oldest)?, Start::Genesis, "{oldest:?}");
        }
        Ok(check.finish())
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

        // Entries missing in the middle are named, whatever else they break.
        let mut c = chain(6);
        c.drain(1..4);
        let e = walk(c, true).unwrap_err();
        assert!(
            matches!(
                e,
                ChainError::Gap {
                    newer_sequence: 5,
                    sequence: 1,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .starts_with("sequences 2-4 are missing between version v5"),
            "{e}"
        );

        // Sequence 2 linked to sequence 0's hash instead of 1's.
        let mut c = chain(3);
        c[0] = LogEntry::new("k", &Json::Int("2".into()), 2, 1, &c[2].hash, None, None);
        c[0].version_id = Some("v2".into());
        assert!(matches!(
            walk(c, true),
            Err(ChainError::BadLink {
                newer_sequence: 2,
                sequence: 1,
                ..
            })
        ));

        // The oldest entries are missing: the chain starts after them, which only
        // retention may explain.
        let mut c = chain(3);
        c.pop();
        assert_eq!(start_of(c.last().unwrap()), Ok(Start::After));
        assert!(walk(c, false).is_ok());
        // A start that claims genesis, or sequence 0 linked elsewhere, is broken.
        let mut c = chain(3);
        c[1].previous_hash = GENESIS_HASH.to_owned();
        assert!(matches!(
            start_of(&c[1]),
            Err(ChainError::NoGenesis { sequence: 1, .. })
        ));
        let mut c = chain(1);
        c[0].previous_hash = "sha256:0".into();
        assert!(matches!(
            start_of(&c[0]),
            Err(ChainError::NoGenesis { sequence: 0, .. })
        ));
    }

    #[test]
    fn forward_walks_find_the_same_defects() {
        let forward = |entries: Vec<LogEntry>| {
            let mut check = ForwardCheck::default();
            for e in entries.into_iter().rev() {
                check.push(e)?;
            }
            Ok::<_, ChainError>((check.start(), check.finish()))
        };
        let (start, summary) = forward(chain(5)).unwrap();
        assert_eq!((start, summary.count), (Some(Start::Genesis), 5));
        // Oldest first 0, 2, 1, 3: the line after genesis is named.
        let mut c = chain(4);
        c.swap(1, 2);
        assert!(matches!(
            forward(c),
            Err(ChainError::Gap {
                newer_sequence: 2,
                sequence: 0,
                ..
            })
        ));
        let mut c = chain(3);
        c.pop();
        assert_eq!(forward(c).unwrap().0, Some(Start::After));
    }
}
