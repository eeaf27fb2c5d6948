//! The HTTP client for calls the SDK does not make (the registry's token endpoint,
//! secure APIs), and the one policy every such call follows:
//!
//! - rustls only, with the system's roots (SSL_CERT_FILE and SSL_CERT_DIR as OpenSSL
//!   reads them) plus AWS_CA_BUNDLE, see [`crate::tls`];
//! - a secret goes only to https, or to plain http on a loopback address (127.0.0.0/8,
//!   ::1, `localhost` itself; `foo.localhost` is just a name);
//! - no redirect is followed by the client: a caller that follows one asks
//!   [`next_hop`], which allows only the same origin and re-checks the rule above;
//! - every request has a deadline and every body a size cap.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use reqwest::{Method, StatusCode, Url, header::HeaderMap};

/// Whether `host` is this machine: 127.0.0.0/8, ::1 or the name `localhost` itself.
pub(crate) fn is_loopback_host(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => {
            let d = d.strip_suffix('.').unwrap_or(d);
            d.eq_ignore_ascii_case("localhost")
        }
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// A URL refused before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum UrlError {
    #[error("{} is not a URL ({reason}): use https://HOST/PATH", crate::diag::Quoted(.input))]
    Invalid { input: String, reason: String },
    #[error(
        "refusing plain HTTP to {host}: use https:// (plain HTTP is allowed only to loopback addresses)"
    )]
    Insecure { host: String },
    #[error("unsupported URL scheme {scheme}: use https://")]
    Scheme { scheme: String },
}

/// Refuse anything but https and plain http to loopback: credentials and tokens must
/// not cross a network in clear text.
pub(crate) fn check_secure(url: &Url) -> Result<(), UrlError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if url.host().is_some_and(|h| is_loopback_host(&h)) => Ok(()),
        "http" => Err(UrlError::Insecure {
            host: url.host_str().unwrap_or_default().to_owned(),
        }),
        other => Err(UrlError::Scheme {
            scheme: other.to_owned(),
        }),
    }
}

/// A URL a secret may be sent to, checked where it enters (a flag, a stack output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecureUrl(Url);

impl SecureUrl {
    pub(crate) fn into_url(self) -> Url {
        self.0
    }
}

impl FromStr for SecureUrl {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let url = Url::parse(s).map_err(|e| UrlError::Invalid {
            input: s.to_owned(),
            reason: e.to_string(),
        })?;
        check_secure(&url)?;
        Ok(Self(url))
    }
}

impl fmt::Display for SecureUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// A base URL that relative paths are joined to, keeping its whole path (an API
/// Gateway stage): `https://host/stage` is read as `https://host/stage/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl(Url);

impl BaseUrl {
    /// `path` (no leading `/`) under this base.
    pub(crate) fn join(&self, path: &str) -> Url {
        let mut url = self.0.clone();
        url.set_path(&format!(
            "{}{}",
            self.0.path(),
            path.trim_start_matches('/')
        ));
        url
    }
}

impl FromStr for BaseUrl {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut url = SecureUrl::from_str(s)?.into_url();
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        url.set_query(None);
        url.set_fragment(None);
        Ok(Self(url))
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    #[error("cannot use the CA bundle {path} named by {var}: {reason}")]
    CaBundle {
        var: &'static str,
        path: String,
        reason: String,
    },
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
    #[error(transparent)]
    Url(#[from] UrlError),
    #[error(
        "{host} did not answer within {seconds} s: check the host and the network, or allow more time with --timeout"
    )]
    Timeout { host: String, seconds: u64 },
    #[error("cannot reach {host}: {reason}")]
    Unreachable { host: String, reason: String },
    #[error("{host} sent more than {cap} bytes: refusing to read a larger answer")]
    TooLarge { host: String, cap: u64 },
    #[error(
        "refusing to follow a redirect from {from} to {to}: it is another origin, and the request carries a key or a signature"
    )]
    CrossOrigin { from: String, to: String },
    #[error("{host} redirected more than {max} times")]
    TooManyRedirects { host: String, max: usize },
}

/// An answer, its body read whole up to a cap.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// The `Location` a 3xx names, as sent.
    pub(crate) fn location(&self) -> Option<&str> {
        self.headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    pub(crate) fn content_type(&self) -> &str {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl From<crate::tls::BadBundle> for HttpError {
    fn from(b: crate::tls::BadBundle) -> Self {
        HttpError::CaBundle {
            var: b.var,
            path: b.path,
            reason: b.reason,
        }
    }
}

/// The roots the client trusts (see [`crate::tls`]): the system's as OpenSSL finds them,
/// read by the toolkit (or, on macOS and Windows without SSL_CERT_FILE or SSL_CERT_DIR,
/// the platform's verifier), plus AWS_CA_BUNDLE.
fn trust(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, HttpError> {
    // SSL_CERT_FILE replaces the default roots; one that cannot be read says so.
    let file = crate::tls::bundle(crate::env::SSL_CERT_FILE)?;
    let extra = crate::tls::bundle(crate::env::AWS_CA_BUNDLE)?.unwrap_or_default();
    let bad_extra = |reason: String| HttpError::CaBundle {
        var: crate::env::AWS_CA_BUNDLE,
        path: crate::env::var(crate::env::AWS_CA_BUNDLE).unwrap_or_default(),
        reason,
    };
    match crate::tls::client_config(file, extra.clone()) {
        Some(config) => Ok(builder.tls_backend_preconfigured(config.map_err(bad_extra)?)),
        None => {
            let mut builder = builder;
            for der in extra {
                let cert = reqwest::Certificate::from_der(&der)
                    .map_err(|e| bad_extra(crate::exit::chain(&e).to_string()))?;
                builder = builder.tls_certs_merge([cert]);
            }
            Ok(builder)
        }
    }
}

/// The client: no redirects, a deadline on every request.
pub(crate) struct HttpClient {
    client: reqwest::Client,
    timeout: Duration,
}

impl HttpClient {
    pub(crate) fn new(timeout: Duration) -> Result<Self, HttpError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("cdk-toolkit/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .timeout(timeout);
        builder = trust(builder)?;
        let client = builder
            .build()
            .map_err(|e| HttpError::Setup(crate::exit::chain(&e).to_string()))?;
        Ok(Self { client, timeout })
    }

    pub(crate) fn request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// Send one request and read at most `cap` bytes of its body. The URL is checked
    /// first, whoever built the request.
    pub(crate) async fn send(
        &self,
        request: reqwest::Request,
        cap: u64,
    ) -> Result<Response, HttpError> {
        check_secure(request.url())?;
        let host = request.url().host_str().unwrap_or_default().to_owned();
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(|e| self.transport_error(&host, &e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let too_large = || HttpError::TooLarge {
            host: host.clone(),
            cap,
        };
        if response.content_length().is_some_and(|n| n > cap) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(&host, &e))?
        {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    fn transport_error(&self, host: &str, e: &reqwest::Error) -> HttpError {
        if e.is_timeout() {
            return HttpError::Timeout {
                host: host.to_owned(),
                seconds: self.timeout.as_secs(),
            };
        }
        // The innermost cause says what happened (refused, reset, certificate, ...).
        let mut reason = e.to_string();
        let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
        while let Some(c) = cur {
            reason = c.to_string();
            cur = c.source();
        }
        HttpError::Unreachable {
            host: host.to_owned(),
            reason,
        }
    }
}

/// Where a redirect may lead a request that carries a secret: `Ok(None)` when `response`
/// is not a redirect; the next URL and method when it is one to the same origin (scheme,
/// host and port) that passes [`check_secure`]; an error naming the Location otherwise.
/// A 303 (and a 301/302 of a POST) continues as a GET without the body, as browsers and
/// curl do; 307 and 308 keep the method and the body.
pub(crate) fn next_hop(
    from: &Url,
    method: &Method,
    response: &Response,
) -> Result<Option<(Url, Method)>, HttpError> {
    if !response.status.is_redirection() || response.status == StatusCode::NOT_MODIFIED {
        return Ok(None);
    }
    let Some(location) = response.location() else {
        return Ok(None);
    };
    let to = from.join(location).map_err(|e| UrlError::Invalid {
        input: location.to_owned(),
        reason: e.to_string(),
    })?;
    if to.origin() != from.origin() {
        return Err(HttpError::CrossOrigin {
            from: from.origin().ascii_serialization(),
            to: to.as_str().to_owned(),
        });
    }
    check_secure(&to)?;
    let method = match response.status {
        StatusCode::SEE_OTHER => Method::GET,
        StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND if *method == Method::POST => Method::GET,
        _ => method.clone(),
    };
    Ok(Some((to, method)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_an_address_or_localhost_itself() {
        for ok in [
            "http://127.0.0.1/",
            "http://127.1.2.3:8/",
            "http://[::1]/",
            "http://localhost/",
            "http://LOCALHOST:9/",
        ] {
            assert!(SecureUrl::from_str(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://foo.localhost/",
            "http://localhost.evil.com/",
            "http://10.0.0.1/",
            "http://example.com/",
        ] {
            assert!(
                matches!(SecureUrl::from_str(bad), Err(UrlError::Insecure { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            SecureUrl::from_str("ftp://x/"),
            Err(UrlError::Scheme { .. })
        ));
        assert!(matches!(
            SecureUrl::from_str("not a url"),
            Err(UrlError::Invalid { .. })
        ));
    }

    #[test]
    fn a_base_url_keeps_its_stage_path() {
        let base =
            BaseUrl::from_str("https://abc.execute-api.eu-west-1.amazonaws.com/prod").unwrap();
        assert_eq!(
            base.join("token").as_str(),
            "https://abc.execute-api.eu-west-1.amazonaws.com/prod/token"
        );
        let base = BaseUrl::from_str("https://h/prod/").unwrap();
        assert_eq!(base.join("/token").as_str(), "https://h/prod/token");
        let base = BaseUrl::from_str("https://h").unwrap();
        assert_eq!(base.join("token").as_str(), "https://h/token");
    }

    fn redirect(status: u16, location: &str) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::LOCATION, location.parse().unwrap());
        Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: Vec::new(),
        }
    }

    #[test]
    fn redirects_stay_on_the_origin_and_on_https() {
        let from = Url::parse("https://api.example.com/prod/items").unwrap();
        let (to, m) = next_hop(&from, &Method::POST, &redirect(307, "/prod/items/"))
            .unwrap()
            .unwrap();
        assert_eq!(to.as_str(), "https://api.example.com/prod/items/");
        assert_eq!(m, Method::POST);
        let (_, m) = next_hop(&from, &Method::POST, &redirect(303, "x"))
            .unwrap()
            .unwrap();
        assert_eq!(m, Method::GET);
        for other in [
            "https://evil.example.com/prod/items",
            "http://api.example.com/prod/items",
            "https://api.example.com:8443/prod/items",
        ] {
            assert!(
                matches!(
                    next_hop(&from, &Method::GET, &redirect(302, other)),
                    Err(HttpError::CrossOrigin { .. })
                ),
                "{other}"
            );
        }
        let ok = Response {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Vec::new(),
        };
        assert!(next_hop(&from, &Method::GET, &ok).unwrap().is_none());
    }
}
