//! Registry tokens cached in `~/.cdk/cache/registry_tokens.json`.
//!
//! Entries are keyed by host, service, region and the identity the environment names
//! (profile, access key id, web-identity role): never by, and never holding, AWS
//! secrets. Tokens handed to Terraform through `store` are kept under their host.

use serde::{Deserialize, Serialize};

use super::{RegistryHost, Service};
use crate::aws::AwsArgs;
use crate::cache::{CacheDir, CacheError, CacheFile, Entry, EntryMap};
use crate::secret::Secret;

pub const FILE_NAME: &str = "registry_tokens.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRecord {
    pub host: String,
    /// `execute-api` / `lambda`, or `stored` for a token Terraform handed to `store`.
    pub service: String,
    pub region: String,
    pub identity: String,
    #[serde(serialize_with = "crate::secret::serialize_exposed")]
    pub token: Secret,
    pub issued_at: u64,
}

/// Which cached token answers a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenKey {
    pub host: RegistryHost,
    pub service: Service,
    /// The region as the flags or environment name it; empty means "the profile's".
    pub region: String,
    pub identity: String,
}

impl TokenKey {
    /// The key for this command's environment, computed without loading any AWS
    /// configuration: the profile name decides the rest of what the profile holds.
    pub fn from_env(host: RegistryHost, service: Service, aws: &AwsArgs) -> Self {
        let mut identity = format!("profile={}", aws.profile_name());
        if let Some(key_id) = crate::env::var(crate::env::AWS_ACCESS_KEY_ID) {
            identity.push_str(&format!(";access_key_id={key_id}"));
        }
        if let Some(role) = crate::env::var(crate::env::AWS_ROLE_ARN) {
            identity.push_str(&format!(";role_arn={role}"));
        }
        Self {
            host,
            service,
            region: aws.region_hint().unwrap_or_default(),
            identity,
        }
    }

    fn cache_key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.host,
            self.service.signing_name(),
            self.region,
            self.identity
        )
    }
}

fn stored_key(host: &RegistryHost) -> String {
    format!("{host}|stored")
}

/// A token found in the cache.
#[derive(Debug)]
pub struct CachedToken {
    pub token: Secret,
    pub expires_at: Option<u64>,
}

pub struct TokenCache {
    file: CacheFile,
}

impl TokenCache {
    pub fn open() -> Result<Self, CacheError> {
        Ok(Self {
            file: CacheDir::locate()?.file(FILE_NAME),
        })
    }

    /// A cached token with at least `min_left` seconds of life, if any.
    pub fn get(&self, key: &TokenKey, min_left: u64, now: u64) -> Option<CachedToken> {
        let map: EntryMap<TokenRecord> = self.file.read()?;
        let entry = map.entries.get(&key.cache_key())?;
        entry.is_fresh(now, min_left).then(|| CachedToken {
            token: entry.value.token.clone(),
            expires_at: entry.expires_at,
        })
    }

    /// A token Terraform handed over with `store` for this host.
    pub fn get_stored(&self, host: &RegistryHost) -> Option<CachedToken> {
        let map: EntryMap<TokenRecord> = self.file.read()?;
        let entry = map.entries.get(&stored_key(host))?;
        let now = crate::cache::now_unix();
        entry.is_fresh(now, 1).then(|| CachedToken {
            token: entry.value.token.clone(),
            expires_at: entry.expires_at,
        })
    }

    /// Keep a freshly minted token; expired entries are pruned on the way.
    pub fn put(
        &self,
        key: &TokenKey,
        token: &Secret,
        issued_at: u64,
        expires_at: u64,
    ) -> Result<(), CacheError> {
        let record = TokenRecord {
            host: key.host.to_string(),
            service: key.service.signing_name().to_owned(),
            region: key.region.clone(),
            identity: key.identity.clone(),
            token: token.clone(),
            issued_at,
        };
        self.file.update(|map: &mut EntryMap<TokenRecord>| {
            map.prune(issued_at);
            map.entries.insert(
                key.cache_key(),
                Entry {
                    value: record,
                    expires_at: Some(expires_at),
                },
            );
        })
    }

    /// Keep a static token for `host` (the helper's `store`).
    pub fn store(&self, host: &RegistryHost, token: &Secret) -> Result<(), CacheError> {
        let now = crate::cache::now_unix();
        let record = TokenRecord {
            host: host.to_string(),
            service: "stored".to_owned(),
            region: String::new(),
            identity: String::new(),
            token: token.clone(),
            issued_at: now,
        };
        self.file.update(|map: &mut EntryMap<TokenRecord>| {
            map.prune(now);
            map.entries.insert(
                stored_key(host),
                Entry {
                    value: record,
                    expires_at: None,
                },
            );
        })
    }

    /// Drop every token (cached and stored) for `host`, or all tokens with `None`.
    /// Returns how many were dropped.
    pub fn forget(&self, host: Option<&RegistryHost>) -> Result<usize, CacheError> {
        if !self.file.path().exists() {
            return Ok(0);
        }
        let host = host.map(ToString::to_string);
        self.file.update(|map: &mut EntryMap<TokenRecord>| {
            let before = map.entries.len();
            map.entries
                .retain(|_, e| host.as_ref().is_some_and(|h| &e.value.host != h));
            before - map.entries.len()
        })
    }
}
