//! What a failed AWS call or credential lookup meant, as one typed error that names
//! the call and says what to do.

use std::fmt;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;

use super::selection::AwsSelection;

/// A request that would have sent AWS credentials or secrets in clear text.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "refusing plain HTTP to {host} for an AWS API call: use an https:// endpoint \
     (--endpoint-url, AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE>); plain HTTP is allowed only to loopback addresses"
)]
pub(crate) struct InsecureEndpoint {
    pub(crate) host: String,
}

/// How an AWS service refused a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// 404: the thing asked for does not exist.
    NotFound,
    /// 403: these credentials may not do it.
    AccessDenied,
    /// Throttling: asked too often; trying later works.
    Throttled,
    /// The credentials have expired; logging in again works.
    ExpiredCredentials,
    /// Any other 4xx: the request itself was wrong.
    BadRequest,
    /// 5xx: the service failed.
    ServerError,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum AwsError {
    #[error(
        "no AWS credentials found for profile {profile:?} (tried environment variables, the AWS config \
         and credentials files, web identity, the container endpoint and instance metadata): \
         run `aws sso login` or `aws configure`, set AWS_PROFILE, or pass --profile"
    )]
    NoCredentials { profile: String },
    #[error(
        "no AWS credentials found for profile {profile:?} in the AWS config and credentials files: check \
         the profile's name, or run `aws configure --profile {profile}` (`aws sso login --profile {profile}` \
         for SSO)"
    )]
    NoProfileCredentials { profile: String },
    #[error("AWS credentials could not be loaded: {reason}")]
    CredentialsFailed { reason: String },
    #[error(
        "loading AWS credentials did not finish {}: check the profile's credential source, \
         or allow more time with --aws-timeout SECONDS (or {})",
        within(*seconds), crate::env::CDK_AWS_TIMEOUT
    )]
    CredentialsTimeout { seconds: Option<f64> },
    #[error(
        "no AWS region configured: pass --region, set AWS_REGION, or set region in the profile"
    )]
    NoRegion,
    #[error("cannot use the CA bundle {path} named by {var}: {reason}")]
    CaBundle {
        var: &'static str,
        path: String,
        reason: String,
    },
    #[error(transparent)]
    Insecure(#[from] InsecureEndpoint),
    #[error("{operation} failed: {code}{message} (HTTP {http_status})")]
    Service {
        operation: &'static str,
        code: String,
        /// `: message` or empty.
        message: String,
        http_status: u16,
        refusal: Refusal,
    },
    #[error(
        "{operation} did not finish {}: the endpoint did not answer; \
         allow more time with --aws-timeout SECONDS (or {})",
        within(*seconds), crate::env::CDK_AWS_TIMEOUT
    )]
    Timeout {
        operation: &'static str,
        /// The deadline it ran into, when the SDK said.
        seconds: Option<f64>,
    },
    #[error("{operation} failed: cannot reach AWS: {reason}")]
    Unreachable {
        operation: &'static str,
        reason: String,
    },
    #[error("{operation} failed: {reason}")]
    Unexpected {
        operation: &'static str,
        reason: String,
    },
}

/// `within 2 s`, or what is known when the deadline is not.
fn within(seconds: Option<f64>) -> String {
    match seconds {
        Some(s) => format!("within {s} s"),
        None => "in the time allowed".to_owned(),
    }
}

/// The deadline a timed-out call ran into, as the SDK's own error says it
/// ("operation timeout (all attempts including retries) occurred after 2s"): each
/// command sets its own, so no process-wide value could tell.
fn deadline_of(err: &(dyn std::error::Error + 'static)) -> Option<f64> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if let Some((_, after)) = text.rsplit_once(" occurred after ") {
            let after = after.trim();
            let seconds = if let Some(ms) = after.strip_suffix("ms") {
                ms.parse::<f64>().ok().map(|ms| ms / 1000.0)
            } else {
                after.strip_suffix('s').and_then(|s| s.parse::<f64>().ok())
            };
            if seconds.is_some() {
                return seconds;
            }
        }
        cur = e.source();
    }
    None
}

/// A credentials failure, with the profile it was for: one process may sign with
/// several (a registry host each), so the message names the one that failed.
#[derive(Debug)]
pub(super) struct ForProfile {
    pub(super) profile: String,
    /// Named by the command (only it was looked at), rather than the default chain's.
    pub(super) explicit: bool,
    pub(super) source: CredentialsError,
}

impl fmt::Display for ForProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "credentials for profile {:?}", self.profile)
    }
}

impl std::error::Error for ForProfile {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Error codes AWS services use for throttling (as the SDKs' retry classifiers list them).
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes for credentials that were valid once and have expired.
const EXPIRED_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "TokenRefreshRequired",
];

/// Turn an SDK error into one typed error that says which call failed and why.
pub(crate) fn sdk_error<E>(operation: &'static str, err: SdkError<E, Response>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let Some(e) = find_in_chain::<InsecureEndpoint>(&err) {
        return AwsError::Insecure(e.clone());
    }
    if let Some(e) = find_in_chain::<CredentialsError>(&err) {
        return credentials_error(e);
    }
    let seconds = deadline_of(&err);
    match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("error").to_owned();
            let message = e.message().map(|m| format!(": {m}")).unwrap_or_default();
            let http_status = service.raw().status().as_u16();
            let refusal = if THROTTLING_CODES.contains(&code.as_str()) {
                Refusal::Throttled
            } else if EXPIRED_CODES.contains(&code.as_str()) {
                Refusal::ExpiredCredentials
            } else {
                match http_status {
                    404 => Refusal::NotFound,
                    403 => Refusal::AccessDenied,
                    429 => Refusal::Throttled,
                    400..=499 => Refusal::BadRequest,
                    _ => Refusal::ServerError,
                }
            };
            AwsError::Service {
                operation,
                code,
                message,
                http_status,
                refusal,
            }
        }
        SdkError::TimeoutError(_) => AwsError::Timeout { operation, seconds },
        SdkError::DispatchFailure(d) if d.is_timeout() => AwsError::Timeout { operation, seconds },
        SdkError::DispatchFailure(d) if d.is_io() => AwsError::Unreachable {
            operation,
            reason: crate::exit::chain(&err).to_string(),
        },
        _ => AwsError::Unexpected {
            operation,
            reason: crate::exit::chain(&err).to_string(),
        },
    }
}

fn find_in_chain<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        cur = e.source();
    }
    None
}

/// What a failure to load credentials means, naming the profile it was for.
pub(super) fn credentials_error(e: &CredentialsError) -> AwsError {
    let reason = crate::exit::chain(e).to_string();
    let named = find_in_chain::<ForProfile>(e);
    let none_found = || match named {
        Some(ForProfile {
            profile,
            explicit: true,
            ..
        }) => AwsError::NoProfileCredentials {
            profile: profile.clone(),
        },
        Some(ForProfile { profile, .. }) => AwsError::NoCredentials {
            profile: profile.clone(),
        },
        None => AwsError::NoCredentials {
            profile: AwsSelection::default().profile_name(),
        },
    };
    match e {
        // Every source of the default chain was tried and none was configured; or the
        // last one, instance metadata, answered that there is nothing for this machine
        // (off EC2, or with IMDS turned off): either way nothing was found.
        CredentialsError::CredentialsNotLoaded(_) => none_found(),
        CredentialsError::ProviderError(_)
            if find_in_chain::<aws_config::imds::client::error::ImdsError>(e).is_some() =>
        {
            none_found()
        }
        CredentialsError::ProviderTimedOut(t) => AwsError::CredentialsTimeout {
            seconds: Some(t.timeout_duration().as_secs_f64()),
        },
        _ => AwsError::CredentialsFailed { reason },
    }
}
