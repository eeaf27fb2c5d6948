//! Terraform's service discovery for a registry host (`/.well-known/terraform.json`),
//! and the `services` override that makes a registry whose discovery document names its
//! modules API wrongly usable anyway.
//!
//! lambda-terraform-module-registry 0.2.5 answers `{"modules_v1": "/v1/modules"}`:
//! Terraform and OpenTofu read only `modules.v1`, so they fail with "host H does not
//! provide a modules service" before any token is sent. A CLI-config block
//! `host "H" { services = { "modules.v1" = "URL" } }` replaces discovery for H; the
//! toolkit writes one only for such a registry, naming the API where it found the
//! registry (the host's registry URL, `https://H/` unless one is set), and only once the
//! registry answered a versions request there with the token.
//!
//! The verdict (the override a host needs, or none) is kept in
//! `~/.cdk/cache/registry_services.json` and asked again whenever a token is minted, so
//! a command answered from the token cache makes no network call for it either.

use std::time::Duration;

use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::host::RegistryHost;
use super::token::{MAX_ANSWER_BYTES, TokenError, TokenVerdict, check_token};
use crate::cache::{CacheDir, CacheFile, Entry, EntryMap, now_unix};
use crate::diag::warn;
use crate::exit::chain;
use crate::http::{BaseUrl, HttpClient, HttpError};
use crate::secret::Secret;

/// The service Terraform looks up.
pub(crate) const MODULES_SERVICE: &str = "modules.v1";
/// What lambda-terraform-module-registry 0.2.5 calls it (a pydantic field without an
/// alias).
pub(crate) const MISNAMED_MODULES_SERVICE: &str = "modules_v1";

/// What a registry's discovery document says of its modules API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Discovery {
    /// `modules.v1`, as given: a path under the host, or an absolute URL.
    Modules(String),
    /// No `modules.v1`, but `modules_v1` (0.2.5's defect): Terraform finds no modules
    /// service; the value says where the API is.
    Misnamed(String),
    /// Neither.
    NoModules,
}

impl Discovery {
    /// Read a discovery document.
    pub(crate) fn parse(body: &[u8]) -> Option<Self> {
        let doc: serde_json::Value = serde_json::from_slice(body).ok()?;
        let field = |name: &str| doc.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        Some(
            match (field(MODULES_SERVICE), field(MISNAMED_MODULES_SERVICE)) {
                (Some(modules), _) => Discovery::Modules(modules),
                (None, Some(misnamed)) => Discovery::Misnamed(misnamed),
                (None, None) => Discovery::NoModules,
            },
        )
    }

    /// What is wrong with it for Terraform, if anything.
    pub(crate) fn defect(&self) -> Option<String> {
        match self {
            Discovery::Modules(_) => None,
            Discovery::Misnamed(_) => Some(format!(
                "its discovery document names the modules API {MISNAMED_MODULES_SERVICE:?} instead of \
                 {MODULES_SERVICE:?} (as lambda-terraform-module-registry 0.2.5 does)"
            )),
            Discovery::NoModules => Some(format!(
                "its discovery document names no {MODULES_SERVICE} service"
            )),
        }
    }
}

/// Where a discovery value (or an override's) sends module calls, seen from `base`: a
/// path is taken under the base (which keeps an API Gateway stage, as the registry's
/// own paths are the stage's), an absolute URL as it is. Always ends in `/`.
pub(crate) fn modules_url(base: &BaseUrl, value: &str) -> Result<Url, HttpError> {
    let mut url = if value.contains("://") {
        Url::parse(value).map_err(|e| HttpError::Setup(format!("{value:?}: {e}")))?
    } else {
        base.join(value.trim_matches('/'))
    };
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Fetch `BASE/.well-known/terraform.json`, as Terraform does (no credentials).
pub(crate) async fn discover(
    host: &RegistryHost,
    base: &BaseUrl,
    timeout: Duration,
) -> Result<Discovery, TokenError> {
    let error = |what: String| TokenError::Discovery {
        host: host.to_string(),
        what,
    };
    let client = HttpClient::new(timeout)?;
    let request = client
        .request(
            reqwest::Method::GET,
            base.join(".well-known/terraform.json"),
        )
        .build()
        .map_err(|e| HttpError::Setup(e.to_string()))?;
    let response = client.send(request, MAX_ANSWER_BYTES).await?;
    if response.status.as_u16() != 200 {
        return Err(error(format!("HTTP {}", response.status.as_u16())));
    }
    Discovery::parse(&response.body).ok_or_else(|| error("the answer is not JSON".to_owned()))
}

/// A `host` block's one service: where Terraform is sent for HOST's modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServicesOverride {
    pub(crate) host: RegistryHost,
    pub(crate) modules: Url,
}

/// What a host needs from the CLI config for Terraform to find its modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Need {
    /// Nothing: discovery works (or cannot be fixed by an override).
    Nothing,
    /// This override, checked with a token.
    Override(Url),
    /// Not known (the registry could not be asked): whatever is configured stays.
    Unknown,
}

/// Ask the registry at `base` what `host` needs: discovery, then, for a misnamed modules
/// service, a versions request with `token` where the override would send Terraform.
/// The token goes only to `base`'s origin.
pub(crate) async fn need(
    host: &RegistryHost,
    base: &BaseUrl,
    token: Option<&Secret>,
    timeout: Duration,
) -> Result<Need, TokenError> {
    let Discovery::Misnamed(value) = discover(host, base, timeout).await? else {
        return Ok(Need::Nothing);
    };
    let url = modules_url(base, &value)?;
    if let Some(token) = token {
        match check_token(host, base, &url, token, timeout).await? {
            TokenVerdict::Accepted => {}
            TokenVerdict::Refused { reason } => {
                return Err(TokenError::Discovery {
                    host: host.to_string(),
                    what: format!("{url} refused the token (HTTP 401: {reason})"),
                });
            }
        }
    }
    Ok(Need::Override(url))
}

/// What each of `hosts` (each reached at its base URL) needs, asked of every registry at
/// once, without a token (the installer's final check asks with one). A registry that
/// cannot be asked is warned about and is `Unknown`.
pub(crate) async fn needs_of(
    hosts: &[(RegistryHost, BaseUrl)],
    timeout: Duration,
) -> Vec<(RegistryHost, Need)> {
    let asked = futures_util::future::join_all(
        hosts
            .iter()
            .map(|(host, base)| need(host, base, None, timeout)),
    )
    .await;
    hosts
        .iter()
        .zip(asked)
        .map(|((host, _), need)| {
            let need = need.unwrap_or_else(|e| {
                warn(format_args!(
                    "{}: any services override for {host} is left as it is",
                    chain(&e)
                ));
                Need::Unknown
            });
            (host.clone(), need)
        })
        .collect()
}

const FILE_NAME: &str = "registry_services.json";
/// A verdict is asked again whenever a token is minted; one nobody asked about for a
/// week is pruned.
const KEEP_SECONDS: u64 = 7 * 24 * 3600;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ServicesRecord {
    host: String,
    base: String,
    /// The override the host needs; `None`: none.
    modules_override: Option<String>,
    checked_at: u64,
}

fn cache_key(host: &RegistryHost, base: &BaseUrl) -> String {
    format!("{host}|{base}")
}

fn cache_file() -> Option<CacheFile> {
    CacheDir::open()
        .inspect_err(|e| warn(format_args!("not caching: {}", chain(e))))
        .ok()
        .map(|dir| dir.file(FILE_NAME))
}

/// The override `host` (reached at `base`) needs for a run of Terraform that gets its
/// token some other way than the helper (`config`, `env`, `exec`, ...): the cached
/// verdict unless `fresh_token` (a token was just minted) or there is none, else asked
/// with `token` and kept. A registry that cannot be asked is warned about and gets none.
pub(crate) async fn override_for(
    host: &RegistryHost,
    base: &BaseUrl,
    token: &Secret,
    fresh_token: bool,
    use_cache: bool,
    timeout: Duration,
) -> Option<ServicesOverride> {
    let file = use_cache.then(cache_file).flatten();
    let key = cache_key(host, base);
    let now = now_unix();
    let cached = file
        .as_ref()
        .and_then(|f| f.read::<EntryMap<ServicesRecord>>())
        .and_then(|map| {
            map.entries
                .get(&key)
                .map(|e| e.value.modules_override.clone())
        });
    let verdict = match cached {
        Some(verdict) if !fresh_token => verdict.and_then(|u| Url::parse(&u).ok()),
        _ => {
            // A registry that cannot be asked gets none, and is asked again with the next
            // token minted (not on every run served from the cache).
            let asked = match need(host, base, Some(token), timeout).await {
                Ok(Need::Override(url)) => Some(url),
                Ok(_) => None,
                Err(e) => {
                    warn(format_args!(
                        "no services override for {host}: {}",
                        chain(&e)
                    ));
                    None
                }
            };
            if let Some(file) = &file {
                let record = ServicesRecord {
                    host: host.to_string(),
                    base: base.to_string(),
                    modules_override: asked.as_ref().map(Url::to_string),
                    checked_at: now,
                };
                let kept = file.update(|map: &mut EntryMap<ServicesRecord>| {
                    map.prune(now);
                    map.entries.insert(
                        key,
                        Entry {
                            value: record,
                            expires_at: Some(now + KEEP_SECONDS),
                        },
                    );
                });
                if let Err(e) = kept {
                    warn(format_args!(
                        "could not cache the services verdict: {}",
                        chain(&e)
                    ));
                }
            }
            asked
        }
    };
    verdict.map(|modules| ServicesOverride {
        host: host.clone(),
        modules,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_as_terraform_reads_it_and_as_0_2_5_writes_it() {
        assert_eq!(
            Discovery::parse(br#"{"modules.v1":"/v1/modules/"}"#),
            Some(Discovery::Modules("/v1/modules/".into()))
        );
        assert_eq!(
            Discovery::parse(br#"{"modules_v1":"/v1/modules"}"#),
            Some(Discovery::Misnamed("/v1/modules".into()))
        );
        assert_eq!(
            Discovery::parse(br#"{"modules.v1":"/a/","modules_v1":"/b"}"#),
            Some(Discovery::Modules("/a/".into()))
        );
        assert_eq!(
            Discovery::parse(br#"{"providers.v1":"/p/"}"#),
            Some(Discovery::NoModules)
        );
        assert_eq!(Discovery::parse(b"<html>"), None);
        assert!(
            Discovery::Misnamed("/v1/modules".into())
                .defect()
                .unwrap()
                .contains("0.2.5")
        );
        assert!(Discovery::Modules("/v1/modules/".into()).defect().is_none());
    }

    #[test]
    fn the_modules_url_is_under_the_base_and_ends_in_a_slash() {
        let base: BaseUrl = "https://r.example.com/".parse().unwrap();
        assert_eq!(
            modules_url(&base, "/v1/modules").unwrap().as_str(),
            "https://r.example.com/v1/modules/"
        );
        let stage: BaseUrl = "https://abc.execute-api.eu-west-1.amazonaws.com/prod"
            .parse()
            .unwrap();
        assert_eq!(
            modules_url(&stage, "/v1/modules").unwrap().as_str(),
            "https://abc.execute-api.eu-west-1.amazonaws.com/prod/v1/modules/"
        );
        assert_eq!(
            modules_url(&base, "https://other.example.com/m")
                .unwrap()
                .as_str(),
            "https://other.example.com/m/"
        );
    }
}
