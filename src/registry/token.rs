//! Fetching a bearer token from the registry's SigV4-protected `/token` endpoint.

use std::time::Duration;

use aws_credential_types::Credentials;

use super::RegistryHost;
use crate::exit::{ExitStatus, HasExitStatus};
use crate::secret::Secret;

/// The largest window the registry accepts (it answers 400 above it).
pub const MAX_EXPIRATION_SECONDS: u64 = 60_000;
/// Every token the registry mints starts with this.
pub const TOKEN_PREFIX: &str = "IAMBearerAuth~";
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Which AWS service the signature is for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    /// The registry sits behind API Gateway.
    ExecuteApi,
    /// The registry is a Lambda function URL.
    Lambda,
}

impl Service {
    pub fn signing_name(self) -> &'static str {
        match self {
            Service::ExecuteApi => "execute-api",
            Service::Lambda => "lambda",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(
        "{host} refused the signature (HTTP 403) signed for service {service} in region {region}: \
         check --service (execute-api for API Gateway, lambda for a function URL), --region and the AWS identity"
    )]
    Forbidden {
        host: String,
        service: &'static str,
        region: String,
    },
    #[error("{host} rejected the token request (HTTP 400): {reason}")]
    BadRequest { host: String, reason: String },
    #[error("{host} answered HTTP {status} to the token request")]
    Status { host: String, status: u16 },
    #[error(
        "{host} did not answer within {seconds} s: check the host and the network, or raise --timeout"
    )]
    Timeout { host: String, seconds: u64 },
    #[error("cannot reach {host}: {reason}")]
    Unreachable { host: String, reason: String },
    #[error(
        "{host} answered with something that is not a registry token ({what}): check --registry-host"
    )]
    NotAToken { host: String, what: String },
}

impl HasExitStatus for TokenError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            TokenError::Forbidden { .. } => ExitStatus::Failure,
            TokenError::BadRequest { .. } => ExitStatus::UserError,
            _ => ExitStatus::ServiceError,
        }
    }
}

/// What to ask the registry for.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub host: RegistryHost,
    /// Where to send the request instead of `https://HOST` (tunnels, private endpoints, tests).
    pub base_url: Option<reqwest::Url>,
    pub service: Service,
    pub expiration_seconds: u64,
    pub timeout: Duration,
}

impl TokenRequest {
    pub fn url(&self) -> anyhow::Result<reqwest::Url> {
        let base = match &self.base_url {
            Some(u) => u.clone(),
            None => reqwest::Url::parse(&format!("https://{}/", self.host))?,
        };
        let mut url = base.join("token")?;
        url.query_pairs_mut()
            .append_pair("expiration_seconds", &self.expiration_seconds.to_string());
        crate::http::require_secure(&url)?;
        Ok(url)
    }
}

/// Sign and send the request; return the token only when the body is one.
pub async fn fetch_token(
    req: &TokenRequest,
    credentials: &Credentials,
    region: &str,
) -> anyhow::Result<Secret> {
    let host = req.host.to_string();
    let url = req.url()?;
    let client = crate::http::client(req.timeout)?;
    let mut request = client.get(url).build()?;
    crate::aws::sign::sign_request(
        &mut request,
        credentials,
        region,
        req.service.signing_name(),
    )?;
    let response = client
        .execute(request)
        .await
        .map_err(|e| transport_error(&host, req.timeout, &e))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_error(&host, req.timeout, &e))?;
    match status {
        200 => parse_token(&host, &content_type, &body),
        403 => Err(TokenError::Forbidden {
            host,
            service: req.service.signing_name(),
            region: region.to_owned(),
        }
        .into()),
        400 => Err(TokenError::BadRequest {
            host,
            reason: one_line(&body),
        }
        .into()),
        status => Err(TokenError::Status { host, status }.into()),
    }
}

fn transport_error(host: &str, timeout: Duration, e: &reqwest::Error) -> TokenError {
    if e.is_timeout() {
        return TokenError::Timeout {
            host: host.to_owned(),
            seconds: timeout.as_secs(),
        };
    }
    let mut reason = String::new();
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(c) = cur {
        reason = c.to_string();
        cur = c.source();
    }
    if reason.is_empty() {
        reason = e.to_string();
    }
    TokenError::Unreachable {
        host: host.to_owned(),
        reason,
    }
}

/// The body must be one line of `IAMBearerAuth~` plus base64: anything else (an
/// HTML error page, a proxy's login page) is never handed out or cached.
fn parse_token(host: &str, content_type: &str, body: &[u8]) -> anyhow::Result<Secret> {
    let not_a_token = |what: String| TokenError::NotAToken {
        host: host.to_owned(),
        what,
    };
    let text = std::str::from_utf8(body).map_err(|_| not_a_token("binary data".to_owned()))?;
    let token = text.trim_end_matches(['\r', '\n']);
    let well_formed = token.len() > TOKEN_PREFIX.len()
        && token.len() <= MAX_TOKEN_LEN
        && token.starts_with(TOKEN_PREFIX)
        && token[TOKEN_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=-_".contains(&b));
    if !well_formed {
        let what = if content_type.is_empty() {
            format!("{} bytes", body.len())
        } else {
            format!("{} bytes of {content_type}", body.len())
        };
        return Err(not_a_token(what).into());
    }
    Ok(Secret::new(token))
}

/// A server's plain-text reason, made safe for one line of stderr.
fn one_line(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    line.retain(|c| !c.is_control());
    if line.chars().count() > 200 {
        line = line.chars().take(200).collect::<String>() + "...";
    }
    if line.is_empty() {
        "no reason given".to_owned()
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_are_tokens() {
        assert!(parse_token("h", "text/plain", b"IAMBearerAuth~AQID+/==").is_ok());
        assert!(parse_token("h", "text/plain", b"IAMBearerAuth~AQID\n").is_ok());
        assert!(parse_token("h", "text/html", b"<html><body>Login</body></html>").is_err());
        assert!(parse_token("h", "", b"IAMBearerAuth~").is_err());
        assert!(parse_token("h", "", b"IAMBearerAuth~abc def").is_err());
    }
}
