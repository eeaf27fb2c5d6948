//! The shapes of cache files: how a document parses and renders.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// A cache file's content: parsed from and rendered to exact bytes. Files shared with
/// other tools implement this with those tools' exact format.
pub(crate) trait Document: Default {
    fn parse(bytes: &[u8]) -> Result<Self, String>;
    /// The file's bytes, or why they cannot be made.
    fn render(&self) -> Result<Vec<u8>, String>;
}

pub(crate) use crate::time::now_unix;

/// An expiry-aware cache entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Entry<T> {
    #[serde(flatten)]
    pub(crate) value: T,
    /// Unix seconds when the value stops being valid; `None` for values that do not expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<u64>,
}

impl<T> Entry<T> {
    /// Seconds left before expiry (`u64::MAX` for values that never expire).
    pub(crate) fn seconds_left(&self, now: u64) -> u64 {
        self.expires_at
            .map_or(u64::MAX, |at| at.saturating_sub(now))
    }

    /// Whether at least `min_left` seconds remain.
    pub(crate) fn is_fresh(&self, now: u64, min_left: u64) -> bool {
        let left = self.seconds_left(now);
        left > 0 && left >= min_left
    }
}

/// Our own cache files: `{"version": 1, "entries": {key: entry}}`, pretty JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "T: Serialize + DeserializeOwned")]
pub(crate) struct EntryMap<T> {
    pub(crate) version: u32,
    pub(crate) entries: BTreeMap<String, Entry<T>>,
}

impl<T> Default for EntryMap<T> {
    fn default() -> Self {
        Self {
            version: EntryMap::<T>::VERSION,
            entries: BTreeMap::new(),
        }
    }
}

impl<T> EntryMap<T> {
    pub(crate) const VERSION: u32 = 1;

    /// Drop entries that expired before `now`.
    pub(crate) fn prune(&mut self, now: u64) {
        self.entries.retain(|_, e| e.seconds_left(now) > 0);
    }
}

impl<T: Serialize + DeserializeOwned> Document for EntryMap<T> {
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        parse_versioned(bytes, |m: &Self| m.version, Self::VERSION)
    }

    fn render(&self) -> Result<Vec<u8>, String> {
        render_pretty(self)
    }
}

/// Parse one of our own JSON cache files, refusing a format `version` other than
/// `expected`.
pub(crate) fn parse_versioned<D: DeserializeOwned>(
    bytes: &[u8],
    version: impl FnOnce(&D) -> u32,
    expected: u32,
) -> Result<D, String> {
    let doc: D = serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    match version(&doc) {
        v if v == expected => Ok(doc),
        v => Err(format!("unknown format version {v}")),
    }
}

/// One of our own cache files as pretty JSON with a final newline.
pub(crate) fn render_pretty<D: Serialize>(doc: &D) -> Result<Vec<u8>, String> {
    let mut out = crate::output::pretty_json(doc).map_err(|e| e.to_string())?;
    out.push('\n');
    Ok(out.into_bytes())
}
