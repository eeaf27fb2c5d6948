//! Issuing a registry token for a host, the one way every command, the credentials
//! helper, `exec` and the doctor go: the host's settings resolved (flags over its
//! entry in `~/.cdk/registries.json` over the environment), then a cached token with
//! enough life left (no credentials resolved, no network call), else one minted for
//! everyone asking at the same time and cached.

use std::time::Duration;

use super::discovery::{ServicesOverride, override_for};
use super::host::RegistryHost;
use super::settings::{HostConfig, HostFlags, RegistrySettings};
use super::token::{TokenError, TokenRequest, fetch_token, registry_url};
use super::token_cache::{
    COMMAND_LIFETIME, HELPER_LIFETIME, IssuedToken, Lifetime, TokenCache, TokenKey, get_or_mint,
};
use crate::aws::{Aws, AwsError, AwsSelection};
use crate::diag::warn;
use crate::exit::chain;
use crate::http::{BaseUrl, UrlError};

/// Who asks for a token, which decides how long it lives and how much of its life must
/// be left for it to be handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asker {
    /// A command (`token`, `env`, `exec`, ...): an hour by default, reused while
    /// `min_remaining` seconds (at most half its life) are left.
    Command { min_remaining: u64 },
    /// Terraform's credentials helper: Terraform keeps a token for its whole run, so
    /// the lifetime is raised to twice `min_remaining`.
    Helper { min_remaining: u64 },
}

/// How a token is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    pub(crate) asker: Asker,
    /// The registry's deadline (and how long to wait for another process minting).
    pub(crate) timeout: Duration,
    /// Whether the cache may answer (and keep what is minted).
    pub(crate) use_cache: bool,
}

impl Policy {
    /// The lifetime for a host whose configured token lifetime is `configured`.
    fn lifetime(&self, configured: Option<u64>) -> Lifetime {
        match self.asker {
            Asker::Command { min_remaining } => {
                Lifetime::for_command(configured.unwrap_or(COMMAND_LIFETIME), min_remaining)
            }
            Asker::Helper { min_remaining } => {
                Lifetime::for_helper(configured.unwrap_or(HELPER_LIFETIME), min_remaining)
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum IssueError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// Where tokens come from for one command: the settings file as read, and the AWS
/// selection the command was given.
pub(crate) struct Tokens<'a> {
    pub(crate) settings: &'a RegistrySettings,
    pub(crate) aws: &'a AwsSelection,
}

impl Tokens<'_> {
    /// The settings that apply to `host` (each with where it came from) and the AWS
    /// selection that signs for it.
    pub(crate) fn resolve(
        &self,
        host: &RegistryHost,
        flags: &HostFlags,
    ) -> (HostConfig, AwsSelection) {
        let config = HostConfig::resolve(flags, self.settings.get(host), crate::env::var);
        let aws = config.aws_selection(self.aws);
        (config, aws)
    }

    /// Where `host` is reached (its registry URL, else `https://HOST/`), as a token for
    /// it is asked.
    pub(crate) fn registry_base(
        &self,
        host: &RegistryHost,
        flags: &HostFlags,
    ) -> Result<BaseUrl, UrlError> {
        let (config, _) = self.resolve(host, flags);
        registry_url(host, config.registry_url.value.as_ref())
    }

    /// The services override `host` needs when Terraform gets `issued` some other way
    /// than from the helper (see [`super::discovery::override_for`]); `None` for a
    /// registry whose discovery works.
    pub(crate) async fn services_override(
        &self,
        host: &RegistryHost,
        flags: &HostFlags,
        issued: &IssuedToken,
        policy: Policy,
    ) -> Result<Option<ServicesOverride>, UrlError> {
        let base = self.registry_base(host, flags)?;
        Ok(override_for(
            host,
            &base,
            &issued.token,
            issued.minted,
            policy.use_cache,
            policy.timeout,
        )
        .await)
    }

    /// A token for `host`, asked for as `policy` says.
    pub(crate) async fn issue(
        &self,
        host: &RegistryHost,
        flags: &HostFlags,
        policy: Policy,
    ) -> Result<IssuedToken, IssueError> {
        let (config, aws) = self.resolve(host, flags);
        let lifetime = policy.lifetime(config.token_lifetime.value);
        let request = TokenRequest {
            host: host.clone(),
            registry_url: config.registry_url.value.clone(),
            service: config.service.value,
            token_lifetime: lifetime.request,
            timeout: policy.timeout,
        };
        let key = TokenKey::from_env(host.clone(), request.service, &aws);
        let cache = if policy.use_cache {
            TokenCache::open()
                .inspect_err(|e| warn(format_args!("not caching: {}", chain(e))))
                .ok()
        } else {
            None
        };
        let aws = Aws::new(aws);
        let mint = || async {
            let credentials = aws.credentials().await?;
            let region = aws.region().await?;
            Ok::<_, IssueError>(fetch_token(&request, &credentials, &region).await?)
        };
        get_or_mint(cache.as_ref(), &key, lifetime, request.timeout, mint).await
    }
}
