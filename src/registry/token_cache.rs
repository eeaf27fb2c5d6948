//! Registry tokens cached in `~/.cdk/cache/registry_tokens.json`, and the rule for
//! handing one out: a cached token with enough life left, else one fresh token minted
//! for everyone who asks at the same time.
//!
//! Entries are keyed by host, service, region and the signing identity as the
//! environment names it ([`crate::aws::identity`]): never by, and never holding, AWS
//! secrets. Tokens handed to Terraform through `store` are kept under their host.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::host::RegistryHost;
use super::token::Service;
use crate::aws::AwsSelection;
use crate::cache::{CacheDir, CacheError, CacheFile, CacheLock, Entry, EntryMap, now_unix};
use crate::diag::warn;
use crate::exit::chain;
use crate::secret::Secret;

const FILE_NAME: &str = "registry_tokens.json";

/// Where a cached token came from: minted by signing for a service, or handed over by
/// Terraform through the helper's `store`. Kept in the file as `execute-api`,
/// `lambda` or `stored`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Minted {
    For(Service),
    Stored,
}

impl Serialize for Minted {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Minted::For(service) => service.serialize(s),
            Minted::Stored => s.serialize_str("stored"),
        }
    }
}

impl<'de> Deserialize<'de> for Minted {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text == "stored" {
            return Ok(Minted::Stored);
        }
        Service::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(&text))
            .map(Minted::For)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TokenRecord {
    host: String,
    service: Minted,
    region: String,
    identity: String,
    #[serde(serialize_with = "crate::secret::serialize_exposed")]
    token: Secret,
    issued_at: u64,
}

/// Which cached token answers a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenKey {
    host: RegistryHost,
    service: Service,
    /// The region as the flags or environment name it; empty means "the profile's".
    region: String,
    identity: String,
}

impl TokenKey {
    /// The key for this command's environment, computed without resolving credentials
    /// or making any network call.
    pub(crate) fn from_env(host: RegistryHost, service: Service, aws: &AwsSelection) -> Self {
        Self {
            host,
            service,
            region: aws.region_hint().unwrap_or_default(),
            identity: crate::aws::identity::fingerprint(aws),
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

/// How long new tokens live and how much life a handed-out token must have left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lifetime {
    pub(crate) request: u64,
    pub(crate) min_left: u64,
}

/// A command's tokens: an hour, reused while a quarter of an hour is left.
pub(crate) const COMMAND_LIFETIME: u64 = 3600;
pub(crate) const COMMAND_MIN_LEFT: u64 = 900;
/// The helper's: Terraform keeps a token for its whole run, so one is handed out only
/// with two hours left, from tokens of four.
pub(crate) const HELPER_LIFETIME: u64 = 14_400;
pub(crate) const HELPER_MIN_LEFT: u64 = 7_200;

impl Lifetime {
    /// For a command: tokens of `request` seconds, reused while `min_left` is left, but
    /// never less than half of a token's life.
    pub(crate) fn for_command(request: u64, min_left: u64) -> Self {
        Self {
            request,
            min_left: min_left.min(request / 2),
        }
    }

    /// For the helper: the window asked for is raised to twice `min_left` (a token
    /// handed to Terraform must outlast its run) and capped at what the registry
    /// allows. The old installer's `--expiration-window 300` is raised the same way.
    pub(crate) fn for_helper(window: u64, min_left: u64) -> Self {
        let request = window
            .max(min_left.saturating_mul(2))
            .min(super::token::MAX_EXPIRATION_SECONDS);
        Self::for_command(request, min_left)
    }
}

/// A token and when it stops being valid (`None`: never, or unknown).
#[derive(Debug)]
pub(crate) struct IssuedToken {
    pub(crate) token: Secret,
    pub(crate) expires_at: Option<u64>,
    /// It was minted just now (not taken from the cache).
    pub(crate) minted: bool,
}

pub(crate) struct TokenCache {
    file: CacheFile,
}

impl TokenCache {
    pub(crate) fn open() -> Result<Self, CacheError> {
        Ok(Self {
            file: CacheDir::open()?.file(FILE_NAME),
        })
    }

    /// A cached token with at least `min_left` seconds of life, if any.
    fn get(&self, key: &TokenKey, min_left: u64, now: u64) -> Option<IssuedToken> {
        let map: EntryMap<TokenRecord> = self.file.read()?;
        let entry = map.entries.get(&key.cache_key())?;
        entry.is_fresh(now, min_left).then(|| IssuedToken {
            token: entry.value.token.clone(),
            expires_at: entry.expires_at,
            minted: false,
        })
    }

    /// A token Terraform handed over with `store` for this host.
    pub(crate) fn get_stored(&self, host: &RegistryHost) -> Option<IssuedToken> {
        let map: EntryMap<TokenRecord> = self.file.read()?;
        let entry = map.entries.get(&stored_key(host))?;
        entry.is_fresh(now_unix(), 1).then(|| IssuedToken {
            token: entry.value.token.clone(),
            expires_at: entry.expires_at,
            minted: false,
        })
    }

    /// Keep a freshly minted token (the caller holds the lock); expired entries are
    /// pruned on the way.
    fn put_locked(
        &self,
        key: &TokenKey,
        token: &Secret,
        issued_at: u64,
        expires_at: u64,
    ) -> Result<(), CacheError> {
        let record = TokenRecord {
            host: key.host.to_string(),
            service: Minted::For(key.service),
            region: key.region.clone(),
            identity: key.identity.clone(),
            token: token.clone(),
            issued_at,
        };
        self.file.update_locked(|map: &mut EntryMap<TokenRecord>| {
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
    pub(crate) fn store(&self, host: &RegistryHost, token: &Secret) -> Result<(), CacheError> {
        let now = now_unix();
        let record = TokenRecord {
            host: host.to_string(),
            service: Minted::Stored,
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
    pub(crate) fn forget(&self, host: Option<&RegistryHost>) -> Result<usize, CacheError> {
        if !self.file.exists() {
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

    /// The cache lock, waited for at most until `deadline`.
    fn lock_until(&self, deadline: Instant) -> Option<CacheLock> {
        loop {
            match self.file.try_lock() {
                Ok(Some(lock)) => return Some(lock),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(None) => {
                    warn(
                        "another process held the token cache too long; asking the registry directly",
                    );
                    return None;
                }
                Err(e) => {
                    warn(format_args!("could not cache the token: {}", chain(&e)));
                    return None;
                }
            }
        }
    }
}

/// A token for `key`: from the cache when one has at least `lifetime.min_left` seconds
/// left, else from `mint`, then cached. A hit reads one file and nothing else. On a
/// miss the cache stays locked while the one minting process asks the registry: every
/// other process that misses at the same time waits (at most `wait`) and then takes that
/// token instead of asking again. The cache is never fatal: when it cannot be used,
/// the token is minted and handed out uncached, with a warning.
pub(crate) async fn get_or_mint<E, F, Fut>(
    cache: Option<&TokenCache>,
    key: &TokenKey,
    lifetime: Lifetime,
    wait: Duration,
    mint: F,
) -> Result<IssuedToken, E>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Secret, E>>,
{
    let Some(cache) = cache else {
        return mint_at(lifetime, mint).await.map(|(t, _)| t);
    };
    if let Some(hit) = cache.get(key, lifetime.min_left, now_unix()) {
        return Ok(hit);
    }
    let lock = cache.lock_until(Instant::now() + wait);
    if lock.is_some()
        && let Some(hit) = cache.get(key, lifetime.min_left, now_unix())
    {
        return Ok(hit);
    }
    let (token, issued_at) = mint_at(lifetime, mint).await?;
    if lock.is_some()
        && let Err(e) = cache.put_locked(key, &token.token, issued_at, issued_at + lifetime.request)
    {
        warn(format_args!("could not cache the token: {}", chain(&e)));
    }
    drop(lock);
    Ok(token)
}

async fn mint_at<E, F, Fut>(lifetime: Lifetime, mint: F) -> Result<(IssuedToken, u64), E>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Secret, E>>,
{
    let issued_at = now_unix();
    let token = mint().await?;
    Ok((
        IssuedToken {
            token,
            expires_at: Some(issued_at + lifetime.request),
            minted: true,
        },
        issued_at,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file keeps the words other versions wrote and read.
    #[test]
    fn where_a_token_came_from_reads_and_writes_as_before() {
        for (minted, text) in [
            (Minted::For(Service::ExecuteApi), "\"execute-api\""),
            (Minted::For(Service::Lambda), "\"lambda\""),
            (Minted::Stored, "\"stored\""),
        ] {
            assert_eq!(serde_json::to_string(&minted).unwrap(), text);
            assert_eq!(serde_json::from_str::<Minted>(text).unwrap(), minted);
        }
        assert!(serde_json::from_str::<Minted>("\"other\"").is_err());
    }

    #[test]
    fn lifetimes_for_commands_and_for_the_helper() {
        assert_eq!(
            Lifetime::for_command(COMMAND_LIFETIME, COMMAND_MIN_LEFT),
            Lifetime {
                request: 3600,
                min_left: 900
            }
        );
        // A token is never handed out with less than half its life left over.
        assert_eq!(Lifetime::for_command(600, 900).min_left, 300);
        assert_eq!(
            Lifetime::for_helper(HELPER_LIFETIME, HELPER_MIN_LEFT),
            Lifetime {
                request: 14_400,
                min_left: 7_200
            }
        );
        // The old installer's 300 s window is raised to outlast a Terraform run.
        assert_eq!(Lifetime::for_helper(300, HELPER_MIN_LEFT).request, 14_400);
        // Never more than the registry allows.
        assert_eq!(
            Lifetime::for_helper(600, 40_000),
            Lifetime {
                request: 60_000,
                min_left: 30_000
            }
        );
    }
}
