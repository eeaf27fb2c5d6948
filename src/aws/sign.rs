//! SigV4 signing of plain HTTP requests (the registry's token endpoint, secure APIs).

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

/// A request that could not be signed (a header that is not text, say).
#[derive(Debug, thiserror::Error)]
#[error("cannot sign the request: {0}")]
pub(crate) struct SignError(String);

impl SignError {
    fn new(e: impl std::fmt::Display) -> Self {
        Self(e.to_string())
    }
}

/// Sign `request` in place for `service` in `region`. The session token, when the
/// credentials carry one, is sent as `X-Amz-Security-Token` and signed.
pub(crate) fn sign_request(
    request: &mut reqwest::Request,
    credentials: &Credentials,
    region: &str,
    service: &str,
) -> Result<(), SignError> {
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(crate::time::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(SignError::new)?
        .into();
    let body: &[u8] = request.body().and_then(|b| b.as_bytes()).unwrap_or(&[]);
    let headers = request
        .headers()
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)));
    let signable = SignableRequest::new(
        request.method().as_str(),
        request.url().as_str(),
        headers,
        SignableBody::Bytes(body),
    )
    .map_err(SignError::new)?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(SignError::new)?
        .into_parts();
    let (new_headers, new_params) = instructions.into_parts();
    for header in new_headers {
        let mut value = http::HeaderValue::from_str(header.value()).map_err(SignError::new)?;
        value.set_sensitive(header.sensitive());
        request.headers_mut().insert(header.name(), value);
    }
    if !new_params.is_empty() {
        let mut url = request.url().clone();
        url.query_pairs_mut()
            .extend_pairs(new_params.iter().map(|(k, v)| (*k, v.as_ref())));
        *request.url_mut() = url;
    }
    Ok(())
}
