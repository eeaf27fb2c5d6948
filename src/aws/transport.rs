//! The HTTP transport of every AWS call, credential providers included: rustls with the
//! platform's roots plus AWS_CA_BUNDLE, and one policy for where a request may go in
//! clear text. Requests carry SecureStrings, secrets and STS credentials, so plain HTTP
//! is refused unless the host is loopback (local emulators) or one of the link-local
//! addresses where AWS itself serves instance and container credentials over HTTP.
//! The check sits under the SDK, so it holds however the endpoint was chosen
//! (`--endpoint-url`, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, a profile).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;

use super::error::{AwsError, InsecureEndpoint};

/// Instance metadata (IMDS), ECS and EKS Pod Identity credential endpoints: plain HTTP
/// by AWS's design, and on-host or link-local.
const METADATA_HOSTS: &[IpAddr] = &[
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 2)),
    IpAddr::V4(Ipv4Addr::new(169, 254, 170, 23)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23)),
];

/// Whether a request to `uri` may be sent.
fn check(uri: &str) -> Result<(), InsecureEndpoint> {
    let Ok(url) = url::Url::parse(uri) else {
        // Not ours to judge: the SDK reports an unparseable endpoint itself.
        return Ok(());
    };
    if url.scheme() != "http" {
        return Ok(());
    }
    let allowed = match url.host() {
        Some(url::Host::Ipv4(ip)) => METADATA_HOSTS.contains(&IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => METADATA_HOSTS.contains(&IpAddr::V6(ip)),
        _ => false,
    } || url
        .host()
        .is_some_and(|h| crate::http::is_loopback_host(&h));
    if allowed {
        Ok(())
    } else {
        Err(InsecureEndpoint {
            host: url.host_str().unwrap_or_default().to_owned(),
        })
    }
}

/// The client every AWS call goes through: https with the platform's roots plus
/// `ca_bundle`, plain http where [`check`] allows it. The roots (some 150 certificates
/// to parse, two thirds of a short command's CPU) are loaded only when a request is
/// actually made over https.
pub(super) fn client(ca_bundle: Option<(String, Vec<u8>)>) -> Result<SharedHttpClient, AwsError> {
    let mut https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
    if let Some((path, pem)) = ca_bundle {
        let ctx = TlsContext::builder()
            .with_trust_store(TrustStore::default().with_pem_certificate(pem))
            .build()
            .map_err(|e| AwsError::CaBundle {
                var: crate::env::AWS_CA_BUNDLE,
                path,
                reason: e.to_string(),
            })?;
        https = https.tls_context(ctx);
    }
    Ok(SharedHttpClient::new(Guarded {
        http: aws_smithy_http_client::Builder::new().build_http(),
        https: https.build_https(),
    }))
}

#[derive(Debug)]
struct Guarded {
    http: SharedHttpClient,
    https: SharedHttpClient,
}

impl HttpClient for Guarded {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(GuardedConnector {
            http: self.http.http_connector(settings, components),
            https: self.https.clone(),
            settings: settings.clone(),
            components: components.clone(),
        })
    }

    // The SDK's HTTPS client loads the roots here, ahead of any request: asked of the
    // plain client instead, they wait for the first https request.
    fn validate_base_client_config(
        &self,
        runtime_components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        self.http
            .validate_base_client_config(runtime_components, cfg)
    }

    fn validate_final_config(
        &self,
        runtime_components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        self.http.validate_final_config(runtime_components, cfg)
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.https.connector_metadata()
    }
}

#[derive(Debug)]
struct GuardedConnector {
    http: SharedHttpConnector,
    /// Its connectors are made (and cached by it) on the first https request.
    https: SharedHttpClient,
    settings: HttpConnectorSettings,
    components: RuntimeComponents,
}

impl HttpConnector for GuardedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        if let Err(refused) = check(request.uri()) {
            return HttpConnectorFuture::ready(Err(ConnectorError::user(Box::new(refused))));
        }
        if request.uri().starts_with("https:") {
            self.https
                .http_connector(&self.settings, &self.components)
                .call(request)
        } else {
            self.http.call(request)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback_and_metadata_endpoints() {
        for ok in [
            "https://s3.eu-west-1.amazonaws.com/bucket",
            "https://example.com",
            "http://127.0.0.1:5000/",
            "http://127.9.9.9/",
            "http://[::1]:5000/",
            "http://localhost:4566/",
            "http://169.254.169.254/latest/api/token",
            "http://169.254.170.2/v2/credentials/x",
            "http://[fd00:ec2::254]/latest/api/token",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://s3.amazonaws.com/",
            "http://10.0.0.1/",
            "http://foo.localhost/",
            "http://localhost.example.com/",
            "http://169.254.1.1/",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
