//! Fetching a bearer token from the registry's SigV4-protected `/token` endpoint.

use std::time::Duration;

use aws_credential_types::Credentials;

use super::host::RegistryHost;
use crate::aws::sign::SignError;
use crate::http::{BaseUrl, HttpClient, HttpError, UrlError};
use crate::secret::Secret;

/// The largest window the registry accepts (it answers 400 above it).
pub(crate) const MAX_EXPIRATION_SECONDS: u64 = 60_000;
/// Every token the registry mints starts with this.
const TOKEN_PREFIX: &str = "IAMBearerAuth~";
const MAX_TOKEN_LEN: usize = 16 * 1024;
/// The most of an answer that is read: a token is a few hundred bytes, a reason one line.
pub(crate) const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// Which AWS service the signature is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Service {
    /// The registry sits behind API Gateway.
    ExecuteApi,
    /// The registry is a Lambda function URL.
    Lambda,
}

impl Service {
    pub(crate) fn signing_name(self) -> &'static str {
        match self {
            Service::ExecuteApi => "execute-api",
            Service::Lambda => "lambda",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenError {
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
        "{host} answered the token request with a redirect (HTTP {status}) to {location}: a token request never follows one, \
         because it carries your signature; use --registry-url with the final address"
    )]
    Redirected {
        host: String,
        status: u16,
        location: String,
    },
    #[error(
        "{host} answered with something that is not a registry token ({what}): check --registry-host"
    )]
    NotAToken { host: String, what: String },
    #[error(
        "{host} did not answer service discovery (/.well-known/terraform.json) as a module registry: {what}"
    )]
    Discovery { host: String, what: String },
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// What Terraform sends a credentials helper's `store` on stdin, refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StoreInputError {
    #[error("store expects a JSON object on stdin")]
    NotAnObject,
    #[error("store expects a JSON object with a \"token\" string on stdin")]
    NoToken,
}

/// The token in what Terraform sends `store`: `{"token": "..."}`.
pub(crate) fn stored_token(input: &[u8]) -> Result<Secret, StoreInputError> {
    let object: serde_json::Value =
        serde_json::from_slice(input).map_err(|_| StoreInputError::NotAnObject)?;
    if !object.is_object() {
        return Err(StoreInputError::NotAnObject);
    }
    object
        .get("token")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .map(Secret::new)
        .ok_or(StoreInputError::NoToken)
}

/// What to ask the registry for.
#[derive(Debug, Clone)]
pub(crate) struct TokenRequest {
    pub(crate) host: RegistryHost,
    /// Where to send the request instead of `https://HOST/` (tunnels, private endpoints, tests).
    pub(crate) registry_url: Option<BaseUrl>,
    pub(crate) service: Service,
    /// Seconds the token should live (the registry's `expiration_seconds`).
    pub(crate) token_lifetime: u64,
    pub(crate) timeout: Duration,
}

/// Where a registry is reached: its registry URL when one is set, else `https://HOST/`.
pub(crate) fn registry_url(
    host: &RegistryHost,
    registry_url: Option<&BaseUrl>,
) -> Result<BaseUrl, UrlError> {
    match registry_url {
        Some(url) => Ok(url.clone()),
        None => format!("https://{host}/").parse(),
    }
}

impl TokenRequest {
    pub(crate) fn url(&self) -> Result<reqwest::Url, UrlError> {
        let mut url = registry_url(&self.host, self.registry_url.as_ref())?.join("token");
        url.query_pairs_mut()
            .append_pair("expiration_seconds", &self.token_lifetime.to_string());
        Ok(url)
    }
}

/// Sign and send the request; return the token only when the body is one. No redirect
/// is followed: the request carries a signature and a session token.
pub(crate) async fn fetch_token(
    req: &TokenRequest,
    credentials: &Credentials,
    region: &str,
) -> Result<Secret, TokenError> {
    let host = req.host.to_string();
    let client = HttpClient::new(req.timeout)?;
    let mut request = client
        .request(reqwest::Method::GET, req.url().map_err(HttpError::Url)?)
        .build()
        .map_err(|e| HttpError::Setup(e.to_string()))?;
    crate::aws::sign::sign_request(
        &mut request,
        credentials,
        region,
        req.service.signing_name(),
    )?;
    let response = client.send(request, MAX_ANSWER_BYTES).await?;
    let status = response.status.as_u16();
    match status {
        200 => parse_token(&host, response.content_type(), &response.body),
        300..=399 => Err(TokenError::Redirected {
            host,
            status,
            location: one_line(response.location().unwrap_or("nowhere").as_bytes()),
        }),
        403 => Err(TokenError::Forbidden {
            host,
            service: req.service.signing_name(),
            region: region.to_owned(),
        }),
        400 => Err(TokenError::BadRequest {
            host,
            reason: one_line(&response.body),
        }),
        status => Err(TokenError::Status { host, status }),
    }
}

/// What the registry says of a bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenVerdict {
    /// It knows the token (whatever the grants in the namespace asked about).
    Accepted,
    /// HTTP 401: missing, invalid or expired.
    Refused { reason: String },
}

/// Ask the registry whether it accepts `token`, as Terraform would present it: a
/// versions request, under `modules` (the modules API Terraform is sent to), for a
/// module nobody publishes. 401 means the token is refused; any other answer from the
/// API (403 no grant, 404 no module, 200) means it was accepted. The token goes only to
/// the origin of `base`, the registry's own.
pub(crate) async fn check_token(
    host: &RegistryHost,
    base: &BaseUrl,
    modules: &reqwest::Url,
    token: &Secret,
    timeout: Duration,
) -> Result<TokenVerdict, TokenError> {
    let name = host.to_string();
    if modules.origin() != base.join("").origin() {
        return Err(TokenError::Discovery {
            host: name,
            what: format!(
                "its modules API is at another address ({}); the token is not sent there",
                one_line(modules.as_str().as_bytes())
            ),
        });
    }
    let client = HttpClient::new(timeout)?;
    let url = modules
        .join("cdk-toolkit-doctor/check/aws/versions")
        .map_err(|e| HttpError::Setup(e.to_string()))?;
    let request = client
        .request(reqwest::Method::GET, url)
        .header(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", token.expose()),
        )
        .build()
        .map_err(|e| HttpError::Setup(e.to_string()))?;
    let response = client.send(request, MAX_ANSWER_BYTES).await?;
    match response.status.as_u16() {
        401 => Ok(TokenVerdict::Refused {
            reason: one_line(&response.body),
        }),
        200..=299 | 403 | 404 => Ok(TokenVerdict::Accepted),
        status => Err(TokenError::Status { host: name, status }),
    }
}

/// The body must be one line of `IAMBearerAuth~` plus base64: anything else (an
/// HTML error page, a proxy's login page) is never handed out or cached.
fn parse_token(host: &str, content_type: &str, body: &[u8]) -> Result<Secret, TokenError> {
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
        return Err(not_a_token(what));
    }
    Ok(Secret::new(token))
}

/// A server's plain-text reason, made safe for one line of stderr.
pub(crate) fn one_line(body: &[u8]) -> String {
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
