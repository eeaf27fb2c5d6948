//! The live check: the token a source gives, and whether the registry accepts it.

use std::time::Duration;

use crate::http::BaseUrl;
use crate::registry::RegistryHost;
use crate::registry::install::{InstallError, run_helper};
use crate::registry::layout::Tool;
use crate::registry::token::{TokenVerdict, check_token, registry_url};
use crate::secret::Secret;

use super::finding::{Finding, FindingKind, Level, Source};

/// What the live check of a tool's source found.
#[derive(Debug, Clone)]
pub(crate) struct LiveCheck {
    /// Whether the tool would get a token the registry accepts.
    pub(crate) works: bool,
    pub(crate) finding: Finding,
}

/// Why a source gives no token: the message, and the fix when there is one.
type NoToken = (String, Option<String>);

/// Get the token `source` gives (running the helper as the tool would) and ask the
/// registry at `base` (or `https://HOST`) whether it accepts it, with a versions request
/// under `modules` (where the tools are sent for the host's modules; `None`: nowhere to
/// ask). `tools` are the tools that use this source.
pub(crate) async fn check_source(
    source: &Source,
    tools: &[Tool],
    host: &RegistryHost,
    base: Option<&BaseUrl>,
    modules: Option<&reqwest::Url>,
    timeout: Duration,
) -> LiveCheck {
    let fail = |(message, fix): NoToken| LiveCheck {
        works: false,
        finding: Finding {
            level: Level::Problem,
            kind: FindingKind::Live(source.clone()),
            tools: tools.to_vec(),
            message,
            fix,
        },
    };
    let token = match token_of(source, host, timeout).await {
        Ok(token) => token,
        Err(why) => return fail(why),
    };
    let base = match registry_url(host, base) {
        Ok(base) => base,
        Err(e) => return fail((e.to_string(), None)),
    };
    let Some(modules) = modules else {
        return fail((
            format!(
                "cannot check the token from {} with {host}: there is no modules API to ask",
                source.describe()
            ),
            None,
        ));
    };
    match check_token(host, &base, modules, &token, timeout).await {
        Ok(TokenVerdict::Accepted) => LiveCheck {
            works: true,
            finding: Finding {
                level: Level::Ok,
                kind: FindingKind::Live(source.clone()),
                tools: tools.to_vec(),
                message: format!("{host} accepts the token from {}", source.describe()),
                fix: None,
            },
        },
        Ok(TokenVerdict::Refused { reason }) => {
            let fix = match source {
                Source::Variable { name, .. } => Some(format!("unset {name}")),
                Source::CredentialsBlock { file, .. } => Some(format!(
                    "remove the credentials \"{host}\" block from {}",
                    file.display()
                )),
                Source::Helper { .. } => Some(format!(
                    "run `get-registry-token forget -r {host}` and check the AWS identity's grants"
                )),
                Source::Nothing => None,
            };
            fail((
                format!(
                    "{host} refuses the token from {} (HTTP 401: {reason})",
                    source.describe()
                ),
                fix,
            ))
        }
        Err(e) => fail((
            format!(
                "cannot check the token from {} with {host}: {}",
                source.describe(),
                crate::exit::chain(&e)
            ),
            None,
        )),
    }
}

/// The token `source` gives for `host` (the helper run as the tool runs it).
async fn token_of(
    source: &Source,
    host: &RegistryHost,
    timeout: Duration,
) -> Result<Secret, NoToken> {
    match source {
        Source::Nothing => Err((format!("no token for {host}"), None)),
        Source::Variable { token, .. } => Ok(token.clone()),
        Source::CredentialsBlock { file, token } => token.clone().ok_or_else(|| {
            (
                format!(
                    "the credentials block for {host} in {} has no token",
                    file.display()
                ),
                Some("remove the block or give it a token".to_owned()),
            )
        }),
        Source::Helper { path, args, .. } => match run_helper(path, args, host, timeout).await {
            Err(InstallError::RunTimeout { seconds, .. }) => Err((
                format!("the helper did not answer for {host} within {seconds} s"),
                Some(
                    "check the registry and AWS, or allow more time (the installer's --check-timeout, \
                     the doctor's --timeout)"
                        .to_owned(),
                ),
            )),
            Err(e) => Err((crate::exit::chain(&e).to_string(), None)),
            Ok(answer) => match answer.token {
                Some(token) => Ok(token),
                None if answer.declined => Err((
                    format!("the helper answered {{}} for {host}: it does not serve it"),
                    Some(format!(
                        "re-run `install-registry-credentials-helper` with --registry-host {host}"
                    )),
                )),
                None => Err((
                    format!(
                        "the helper gave no token for {host}: {}",
                        answer.reason.as_deref().unwrap_or("no reason given")
                    ),
                    None,
                )),
            },
        },
    }
}
