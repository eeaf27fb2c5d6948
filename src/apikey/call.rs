//! One HTTP request to a secure API, authenticated with the stack's API key or a SigV4
//! signature. The key or signature never leaves the API's origin: redirects are
//! followed only within it, over https (see [`crate::http::next_hop`]), and each hop is
//! signed again for its own URL.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Method, Url};

use super::ApiKeyError;
use super::iam::InvokeCredentials;
use crate::http::{self, HttpClient, HttpError, Response};
use crate::secret::Secret;

/// At most this many redirects (within the origin) are followed.
const MAX_REDIRECTS: usize = 5;
/// The default cap on a response body.
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// An HTTP method, case-insensitive on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpMethod(Method);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid HTTP method {}", crate::diag::Quoted(.0))]
pub(crate) struct HttpMethodError(String);

impl FromStr for HttpMethod {
    type Err = HttpMethodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::from_bytes(s.to_ascii_uppercase().as_bytes())
            .map(Self)
            .map_err(|_| HttpMethodError(s.to_owned()))
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// An extra request header, `Name: value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpHeader {
    name: HeaderName,
    value: HeaderValue,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HttpHeaderError {
    #[error("invalid header {}: use 'Name: value'", crate::diag::Quoted(.0))]
    Shape(String),
    #[error("invalid header name in {}", crate::diag::Quoted(.0))]
    Name(String),
    #[error("invalid header value in {}", crate::diag::Quoted(.0))]
    Value(String),
}

impl FromStr for HttpHeader {
    type Err = HttpHeaderError;

    fn from_str(h: &str) -> Result<Self, Self::Err> {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| HttpHeaderError::Shape(h.to_owned()))?;
        Ok(Self {
            name: HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| HttpHeaderError::Name(h.to_owned()))?,
            value: HeaderValue::from_str(value.trim())
                .map_err(|_| HttpHeaderError::Value(h.to_owned()))?,
        })
    }
}

/// What to send.
#[derive(Debug)]
pub(crate) struct CallRequest {
    pub(crate) method: HttpMethod,
    pub(crate) url: Url,
    pub(crate) headers: Vec<HttpHeader>,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: u64,
}

/// How the request proves who it is.
#[derive(Debug)]
pub(crate) enum CallAuth {
    ApiKey(Secret),
    Iam {
        credentials: InvokeCredentials,
        region: String,
    },
}

/// The region an execute-api URL names (`ID.execute-api.REGION.amazonaws.com`).
pub(crate) fn region_from_url(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    let mut parts = host.split('.');
    let (_, service, region) = (parts.next()?, parts.next()?, parts.next()?);
    (service == "execute-api").then(|| region.to_owned())
}

/// Send the request, following redirects within the origin, and return the final answer
/// whatever its status.
pub(crate) async fn call(req: &CallRequest, auth: &CallAuth) -> Result<Response, ApiKeyError> {
    let client = HttpClient::new(req.timeout)?;
    let mut url = req.url.clone();
    let mut method = req.method.0.clone();
    let mut body = req.body.clone();
    for _ in 0..=MAX_REDIRECTS {
        let mut builder = client.request(method.clone(), url.clone());
        for h in &req.headers {
            builder = builder.header(h.name.clone(), h.value.clone());
        }
        if let Some(b) = &body {
            builder = builder.body(b.clone());
        }
        if let CallAuth::ApiKey(key) = auth {
            let mut value =
                HeaderValue::from_str(key.expose()).map_err(|_| ApiKeyError::KeyNotAHeader)?;
            value.set_sensitive(true);
            builder = builder.header("x-api-key", value);
        }
        let mut request = builder
            .build()
            .map_err(|e| HttpError::Setup(e.to_string()))?;
        if let CallAuth::Iam {
            credentials,
            region,
        } = auth
        {
            crate::aws::sign::sign_request(
                &mut request,
                &credentials.to_sdk(),
                region,
                "execute-api",
            )?;
        }
        let response = client.send(request, req.max_response_bytes).await?;
        match http::next_hop(&url, &method, &response)? {
            None => return Ok(response),
            Some((next, next_method)) => {
                if next_method != method {
                    body = None;
                }
                url = next;
                method = next_method;
            }
        }
    }
    Err(HttpError::TooManyRedirects {
        host: req.url.host_str().unwrap_or_default().to_owned(),
        max: MAX_REDIRECTS,
    }
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_headers_and_regions() {
        assert_eq!("post".parse::<HttpMethod>().unwrap().to_string(), "POST");
        assert!("GE T".parse::<HttpMethod>().is_err());
        assert!("X-Test: yes".parse::<HttpHeader>().is_ok());
        assert!("no colon".parse::<HttpHeader>().is_err());
        assert!("bad name: x".parse::<HttpHeader>().is_err());
        let url = Url::parse("https://abc.execute-api.eu-west-1.amazonaws.com/prod/").unwrap();
        assert_eq!(region_from_url(&url).as_deref(), Some("eu-west-1"));
        assert_eq!(
            region_from_url(&Url::parse("https://example.com/").unwrap()),
            None
        );
    }
}
