//! Which store a verify speaks of ([`StoreId`]: endpoint, bucket, prefix), the head a
//! verify checked ([`Head`]), and the remembered heads in the cache folder, one file
//! per store, with the ETag and sequence of every key object checked; and, per store,
//! that these credentials may not ask for the bucket's versioning.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
    /// Whether `other` names the same store: the same bucket and prefix, through
    /// whatever endpoint (a VPC endpoint, a FIPS or dual-stack name, a proxy). Whether a
    /// head belongs to its chain is for its hash to decide.
    pub(crate) fn same_store(&self, other: &StoreId) -> bool {
        self.bucket == other.bucket && self.prefix == other.prefix
    }

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

/// What was checked of one key object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct KeyState {
    pub(crate) etag: Option<String>,
    pub(crate) sequence: i64,
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

    fn render(&self) -> Result<Vec<u8>, String> {
        crate::cache::render_pretty(self)
    }
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

    /// The head verified last time, with the state of each key object it checked;
    /// none when another store's state were found under this name.
    pub(crate) fn remembered(&self) -> Option<(Head, BTreeMap<String, KeyState>)> {
        match self.file.read::<Remembered>() {
            Some(r) if r.store.as_ref() == Some(&self.store) => Some((r.head?, r.keys)),
            _ => None,
        }
    }

    /// Remember what a verify found: its head (none for an empty store) and the key
    /// objects' state.
    pub(crate) fn remember(
        &self,
        head: Option<&Head>,
        keys: &BTreeMap<String, KeyState>,
    ) -> Result<(), CacheError> {
        let store = self.store.clone();
        self.file.update(|r: &mut Remembered| {
            r.version = 1;
            r.store = Some(store);
            r.head = head.cloned();
            r.keys = keys.clone();
        })
    }
}

/// That a store's bucket refused to say whether it keeps versions (the construct's
/// policies grant no bucket-level call), and when: one file per store in the cache.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct VersioningDenied {
    version: u32,
    store: Option<StoreId>,
    denied_at: u64,
}

impl Document for VersioningDenied {
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        crate::cache::parse_versioned(bytes, |d: &Self| d.version, 1)
    }

    fn render(&self) -> Result<Vec<u8>, String> {
        crate::cache::render_pretty(self)
    }
}

/// A refusal is asked again after this long (a policy may have changed).
const VERSIONING_DENIED_SECONDS: u64 = 30 * 24 * 3600;

fn versioning_file(store: &StoreId) -> Option<CacheFile> {
    CacheDir::open()
        .ok()
        .map(|dir| dir.file(&store.cache_name("versioning-denied")))
}

/// Whether the bucket of `store` refused, lately, to say whether it keeps versions.
pub(crate) fn versioning_denied(store: &StoreId) -> bool {
    let now = crate::cache::now_unix();
    versioning_file(store)
        .and_then(|f| f.read::<VersioningDenied>())
        .is_some_and(|d| {
            d.store.as_ref() == Some(store)
                && now.saturating_sub(d.denied_at) < VERSIONING_DENIED_SECONDS
        })
}

/// Remember that it refused (the cache is never fatal: a failure is only not remembered).
pub(crate) fn remember_versioning_denied(store: &StoreId) {
    if let Some(file) = versioning_file(store) {
        let store = store.clone();
        let _ = file.update(|d: &mut VersioningDenied| {
            d.version = 1;
            d.store = Some(store);
            d.denied_at = crate::cache::now_unix();
        });
    }
}
