//! The HTTP client for calls the SDK does not make (token endpoint, secure APIs).
//!
//! rustls only. HTTPS is required except to loopback addresses (local emulators,
//! tests). Extra CAs from AWS_CA_BUNDLE and SSL_CERT_FILE are trusted in addition to
//! the platform's roots.

use std::net::IpAddr;
use std::time::Duration;

use crate::exit::user_error;

/// Build the client with the given whole-request timeout.
pub fn client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("cdk-toolkit/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .timeout(timeout);
    for var in [crate::env::AWS_CA_BUNDLE, crate::env::SSL_CERT_FILE] {
        let Some(path) = crate::env::var(var) else {
            continue;
        };
        let pem = std::fs::read(&path).map_err(|e| {
            user_error(format!(
                "cannot read the CA bundle {path} named by {var}: {e}"
            ))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            user_error(format!(
                "the CA bundle {path} named by {var} is not PEM: {e}"
            ))
        })?;
        builder = builder.tls_certs_merge(certs);
    }
    builder
        .build()
        .map_err(|e| anyhow::Error::new(e).context("cannot set up the HTTP client"))
}

/// Whether `host` (without port) names this machine.
pub fn is_loopback_host(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        url::Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        url::Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// Refuse plain HTTP except to loopback: credentials and tokens must not cross a
/// network in clear text.
pub fn require_secure(url: &reqwest::Url) -> anyhow::Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if url.host().is_some_and(|h| is_loopback_host(&h)) => Ok(()),
        "http" => Err(user_error(format!(
            "refusing plain HTTP to {}: use https:// (plain HTTP is allowed only to loopback addresses)",
            url.host_str().unwrap_or("")
        ))),
        other => Err(user_error(format!(
            "unsupported URL scheme {other}: use https://"
        ))),
    }
}
