//! Terraform's credentials-helper protocol: `get HOST` answers `{"token": ...}` (or `{}`
//! for a host this helper does not serve), `store HOST` keeps the token Terraform sends
//! on stdin, `forget HOST` drops what is kept. Which hosts are served is decided here;
//! tokens come from [`super::tokens`], as for every command.

use std::str::FromStr;

use super::host::RegistryHost;
use super::settings::{HostFlags, RegistrySettings};
use super::token::{StoreInputError, stored_token};
use super::token_cache::TokenCache;
use super::tokens::{IssueError, Policy, Tokens};
use crate::cache::CacheError;
use crate::secret::Secret;

/// The protocol's verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Store,
    Forget,
}

impl FromStr for Verb {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "get" => Ok(Verb::Get),
            "store" => Ok(Verb::Store),
            "forget" => Ok(Verb::Forget),
            other => Err(format!(
                "unknown verb {}: the credentials helper answers get, store and forget",
                crate::diag::Quoted(other)
            )),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum HelperError {
    #[error(transparent)]
    Issue(#[from] IssueError),
    #[error(transparent)]
    StoreInput(#[from] StoreInputError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// What `get` answers.
#[derive(Debug)]
pub(crate) enum Answer {
    /// `{}`: this helper does not serve the host; Terraform goes on without a token.
    NotServed,
    Token(Secret),
}

impl Answer {
    /// The answer as Terraform reads it, one line.
    pub(crate) fn to_json(&self) -> String {
        match self {
            Answer::NotServed => "{}".to_owned(),
            Answer::Token(token) => serde_json::json!({ "token": token.expose() }).to_string(),
        }
    }
}

/// Whether the helper serves `host`: one named in its arguments (`named`) or in the
/// settings file; with neither naming any, every host but the public registries.
pub(crate) fn serves(
    named: &[RegistryHost],
    settings: &RegistrySettings,
    host: &RegistryHost,
) -> bool {
    if named.is_empty() && settings.is_empty() {
        return !host.is_public();
    }
    named.contains(host) || settings.get(host).is_some()
}

/// `get HOST`: `{}` for a host not served; a token Terraform stored for it; else a
/// token issued for it with `flags` (the helper's own arguments) over its settings.
pub(crate) async fn get(
    tokens: &Tokens<'_>,
    named: &[RegistryHost],
    host: &RegistryHost,
    flags: &HostFlags,
    policy: Policy,
) -> Result<Answer, HelperError> {
    if !serves(named, tokens.settings, host) {
        return Ok(Answer::NotServed);
    }
    if let Some(stored) = TokenCache::open().ok().and_then(|c| c.get_stored(host)) {
        return Ok(Answer::Token(stored.token));
    }
    Ok(Answer::Token(
        tokens.issue(host, flags, policy).await?.token,
    ))
}

/// `store HOST`: keep the token in `input` (`{"token": "..."}`, what Terraform sends).
pub(crate) fn store(host: &RegistryHost, input: &[u8]) -> Result<(), HelperError> {
    TokenCache::open()?.store(host, &stored_token(input)?)?;
    Ok(())
}

/// `forget HOST`: drop every token kept for it.
pub(crate) fn forget(host: &RegistryHost) -> Result<(), HelperError> {
    TokenCache::open()?.forget(Some(host))?;
    Ok(())
}
