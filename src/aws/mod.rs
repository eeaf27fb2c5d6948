//! AWS configuration, credentials and clients, loaded lazily.
//!
//! `--profile`, `--region`, `--endpoint-url` and `--aws-timeout` come from one flattened
//! [`AwsArgs`]; everything else (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL[_<SERVICE>],
//! SSO, credential_process, web identity) is aws-config's job. Added here: the CA bundle
//! of AWS_CA_BUNDLE (the Rust SDK does not load it), a transport that refuses plain HTTP
//! to anything but loopback (see [`transport`]), and deadlines on every call.
//!
//! Nothing is resolved until a command asks for it, so an answer from the cache
//! resolves no credentials and makes no network call.

pub(crate) mod arn;
pub(crate) mod identity;
pub(crate) mod kms;
pub(crate) mod names;
pub(crate) mod reference;
pub(crate) mod sign;
mod transport;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, error::CredentialsError};
use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use tokio::sync::OnceCell;

pub(crate) use transport::InsecureEndpoint;

/// Default seconds an AWS call may take (`--aws-timeout`).
pub(crate) const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// The AWS selection flags every AWS-facing command takes.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct AwsArgs {
    /// Named profile from the AWS config files [default: $AWS_PROFILE, then "default"].
    #[arg(long, global = true, value_name = "NAME", value_parser = names::profile_flag, help_heading = "AWS")]
    pub(crate) profile: Option<String>,
    /// AWS region [default: $AWS_REGION, then the profile's region].
    #[arg(long, global = true, value_name = "REGION", value_parser = names::region_flag, help_heading = "AWS")]
    pub(crate) region: Option<String>,
    /// Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to
    /// loopback [default: $AWS_ENDPOINT_URL].
    #[arg(long, global = true, value_name = "URL", help_heading = "AWS")]
    pub(crate) endpoint_url: Option<SdkEndpoint>,
    /// Give up on an AWS call (all its retries included) after this many seconds.
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        env = crate::env::CDK_AWS_TIMEOUT,
        default_value_t = DEFAULT_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..=3600),
        help_heading = "AWS"
    )]
    pub(crate) aws_timeout: u64,
}

impl Default for AwsArgs {
    fn default() -> Self {
        Self {
            profile: None,
            region: None,
            endpoint_url: None,
            aws_timeout: DEFAULT_TIMEOUT_SECS,
        }
    }
}

impl AwsArgs {
    /// The profile that names the caller's identity, without loading anything.
    pub(crate) fn profile_name(&self) -> String {
        self.profile
            .clone()
            .or_else(|| crate::env::var(crate::env::AWS_PROFILE))
            .unwrap_or_else(|| "default".to_owned())
    }

    /// The region from the flag or the environment, without reading profiles.
    pub(crate) fn region_hint(&self) -> Option<String> {
        self.region
            .clone()
            .or_else(|| crate::env::var(crate::env::AWS_REGION))
            .or_else(|| crate::env::var(crate::env::AWS_DEFAULT_REGION))
    }
}

/// An endpoint for AWS API calls: https, or plain http to a loopback address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SdkEndpoint(url::Url);

impl FromStr for SdkEndpoint {
    type Err = crate::http::UrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::http::SecureUrl::from_str(s).map(|u| Self(u.into_url()))
    }
}

impl fmt::Display for SdkEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
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
struct ForProfile {
    profile: String,
    /// Named by the command (only it was looked at), rather than the default chain's.
    explicit: bool,
    source: CredentialsError,
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

/// The credentials of one [`Aws`], whose failures say which profile they were for.
#[derive(Debug)]
struct NamedCredentials {
    inner: aws_credential_types::provider::SharedCredentialsProvider,
    profile: String,
    explicit: bool,
}

impl ProvideCredentials for NamedCredentials {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::new(async move {
            self.inner.provide_credentials().await.map_err(|e| {
                let named = |source| ForProfile {
                    profile: self.profile.clone(),
                    explicit: self.explicit,
                    source,
                };
                match e {
                    CredentialsError::CredentialsNotLoaded(_) => {
                        CredentialsError::not_loaded(named(e))
                    }
                    CredentialsError::ProviderTimedOut(_) => e,
                    CredentialsError::InvalidConfiguration(_) => {
                        CredentialsError::invalid_configuration(named(e))
                    }
                    CredentialsError::ProviderError(_) => {
                        CredentialsError::provider_error(named(e))
                    }
                    _ => CredentialsError::unhandled(named(e)),
                }
            })
        })
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
fn credentials_error(e: &CredentialsError) -> AwsError {
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
            profile: AwsArgs::default().profile_name(),
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

/// Who the credentials belong to (STS GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallerIdentity {
    pub(crate) account: String,
    pub(crate) arn: String,
}

impl CallerIdentity {
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`, ...) the caller's ARN names.
    pub(crate) fn partition(&self) -> &str {
        self.arn.split(':').nth(1).unwrap_or("aws")
    }
}

/// An SSM parameter's value and version.
#[derive(Debug)]
pub(crate) struct Parameter {
    pub(crate) value: crate::secret::Secret,
    pub(crate) version: i64,
}

/// The lazily loaded AWS environment of one command.
#[derive(Debug)]
pub(crate) struct Aws {
    args: AwsArgs,
    config: OnceCell<SdkConfig>,
}

impl Aws {
    pub(crate) fn new(args: AwsArgs) -> Self {
        Self {
            args,
            config: OnceCell::new(),
        }
    }

    pub(crate) fn args(&self) -> &AwsArgs {
        &self.args
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(self.args.aws_timeout)
    }

    /// Load the shared configuration once (profile files, region chain, endpoint
    /// variables); credentials are resolved on first use, not here.
    pub(crate) async fn config(&self) -> Result<&SdkConfig, AwsError> {
        self.config
            .get_or_try_init(|| load(&self.args, self.timeout()))
            .await
    }

    /// The region, or a user error saying how to set one.
    pub(crate) async fn region(&self) -> Result<String, AwsError> {
        self.config()
            .await?
            .region()
            .map(|r| r.to_string())
            .ok_or(AwsError::NoRegion)
    }

    /// Resolve credentials (for signing plain HTTP requests), within the timeout.
    pub(crate) async fn credentials(&self) -> Result<Credentials, AwsError> {
        let config = self.config().await?;
        let provider = config
            .credentials_provider()
            .ok_or_else(|| AwsError::NoCredentials {
                profile: self.args.profile_name(),
            })?;
        let started = std::time::Instant::now();
        let timed_out = || AwsError::CredentialsTimeout {
            seconds: Some(self.args.aws_timeout as f64),
        };
        match tokio::time::timeout(self.timeout(), provider.provide_credentials()).await {
            Ok(Ok(c)) => Ok(c),
            // A provider that calls a service (STS for web identity, SSO) gives up when
            // the operation timeout, the same deadline, has passed.
            Ok(Err(_)) if started.elapsed() >= self.timeout() => Err(timed_out()),
            Ok(Err(e)) => Err(credentials_error(&e)),
            Err(_) => Err(timed_out()),
        }
    }

    /// Who the default credentials, or `credentials` when given, belong to.
    pub(crate) async fn caller_identity(
        &self,
        credentials: Option<Credentials>,
    ) -> Result<CallerIdentity, AwsError> {
        const OPERATION: &str = "STS GetCallerIdentity";
        let mut conf = aws_sdk_sts::config::Builder::from(self.config().await?);
        if let Some(c) = credentials {
            conf = conf.credentials_provider(c);
        }
        let out = aws_sdk_sts::Client::from_conf(conf.build())
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| sdk_error(OPERATION, e))?;
        match (out.account(), out.arn()) {
            (Some(account), Some(arn)) => Ok(CallerIdentity {
                account: account.to_owned(),
                arn: arn.to_owned(),
            }),
            _ => Err(AwsError::Unexpected {
                operation: OPERATION,
                reason: "no account in the answer".to_owned(),
            }),
        }
    }

    /// An STS client signing with `credentials` (another identity than the default).
    pub(crate) async fn sts_as(
        &self,
        credentials: Credentials,
    ) -> Result<aws_sdk_sts::Client, AwsError> {
        let conf = aws_sdk_sts::config::Builder::from(self.config().await?)
            .credentials_provider(credentials)
            .build();
        Ok(aws_sdk_sts::Client::from_conf(conf))
    }

    pub(crate) async fn ssm(&self) -> Result<aws_sdk_ssm::Client, AwsError> {
        Ok(aws_sdk_ssm::Client::new(self.config().await?))
    }

    /// The SSM parameter `name`, decrypted; `None` when it does not exist (or holds no
    /// value).
    pub(crate) async fn parameter(&self, name: &str) -> Result<Option<Parameter>, AwsError> {
        let out = self
            .ssm()
            .await?
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await;
        match out {
            Ok(out) => Ok(out.parameter().and_then(|p| {
                p.value().map(|value| Parameter {
                    value: crate::secret::Secret::new(value),
                    version: p.version(),
                })
            })),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_parameter_not_found()) =>
            {
                Ok(None)
            }
            Err(e) => Err(sdk_error("SSM GetParameter", e)),
        }
    }

    pub(crate) async fn secrets_manager(&self) -> Result<aws_sdk_secretsmanager::Client, AwsError> {
        Ok(aws_sdk_secretsmanager::Client::new(self.config().await?))
    }

    /// Where AWS lookups are made from (identity as the environment names it, region,
    /// endpoint), for cache keys: never a secret, and computed without any call.
    pub(crate) fn cache_scope(&self) -> String {
        let args = &self.args;
        format!(
            "{}|{}|{}",
            identity::fingerprint(args),
            args.region_hint().unwrap_or_default(),
            args.endpoint_url
                .as_ref()
                .map(ToString::to_string)
                .or_else(|| crate::env::var(crate::env::AWS_ENDPOINT_URL))
                .unwrap_or_default()
        )
    }

    pub(crate) async fn cloudformation(&self) -> Result<aws_sdk_cloudformation::Client, AwsError> {
        Ok(aws_sdk_cloudformation::Client::new(self.config().await?))
    }

    pub(crate) async fn kms(&self) -> Result<aws_sdk_kms::Client, AwsError> {
        Ok(aws_sdk_kms::Client::new(self.config().await?))
    }

    pub(crate) async fn dynamodb(&self) -> Result<aws_sdk_dynamodb::Client, AwsError> {
        Ok(aws_sdk_dynamodb::Client::new(self.config().await?))
    }

    /// The endpoint S3 calls go to, resolved as the SDK resolves it (`--endpoint-url`,
    /// then AWS_ENDPOINT_URL_S3 or the profile's S3 endpoint, then AWS_ENDPOINT_URL);
    /// `None` for AWS's own.
    pub(crate) async fn s3_endpoint(&self) -> Result<Option<String>, AwsError> {
        if let Some(url) = &self.args.endpoint_url {
            return Ok(Some(url.to_string()));
        }
        let config = self.config().await?;
        let key = aws_types::service_config::ServiceConfigKey::builder()
            .service_id("S3")
            .env(crate::env::AWS_ENDPOINT_URL)
            .profile("endpoint_url")
            .build();
        let service = match (config.service_config(), key) {
            (Some(sc), Ok(key)) => sc.load_config(key),
            _ => None,
        };
        Ok(service.or_else(|| config.endpoint_url().map(str::to_owned)))
    }

    /// S3, with path-style addressing when asked (emulators, dotted bucket names).
    pub(crate) async fn s3(&self, path_style: bool) -> Result<aws_sdk_s3::Client, AwsError> {
        let conf = aws_sdk_s3::config::Builder::from(self.config().await?)
            .force_path_style(path_style)
            // Our bodies are small JSON documents and every entry carries its own
            // SHA-256 chain hash: per-request checksums only add work on both ends.
            .response_checksum_validation(
                aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired,
            )
            .request_checksum_calculation(
                aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired,
            )
            .build();
        Ok(aws_sdk_s3::Client::from_conf(conf))
    }
}

async fn load(args: &AwsArgs, timeout: Duration) -> Result<SdkConfig, AwsError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &args.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &args.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url.to_string());
    }
    let client = transport::client(ca_bundle()?)?;
    // A silent endpoint must not hang a CLI: every attempt and every call (retries
    // included) has a deadline; credential loading derives its own from these.
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .operation_attempt_timeout(timeout)
        .operation_timeout(timeout)
        .build();
    if let Some(profile) = &args.profile {
        // A profile named on the command line (or for a registry host) signs, as with
        // the AWS CLI's --profile: the SDK's default chain would take credential
        // variables in the environment first, and sign every host as that identity.
        use aws_config::default_provider::region::DefaultRegionChain;
        use aws_config::profile::ProfileFileCredentialsProvider;
        use aws_config::provider_config::ProviderConfig;
        let region = match &args.region {
            Some(r) => Some(aws_config::Region::new(r.clone())),
            None => {
                DefaultRegionChain::builder()
                    .profile_name(profile)
                    .build()
                    .region()
                    .await
            }
        };
        let conf = ProviderConfig::without_region()
            .with_http_client(client.clone())
            .with_timeout_config(timeouts.clone())
            .with_region(region);
        loader = loader.credentials_provider(
            ProfileFileCredentialsProvider::builder()
                .configure(&conf)
                .profile_name(profile)
                .build(),
        );
    }
    let config = loader
        .http_client(client)
        .timeout_config(timeouts)
        .load()
        .await;
    let Some(inner) = config.credentials_provider() else {
        return Ok(config);
    };
    let named = NamedCredentials {
        inner,
        profile: args.profile_name(),
        explicit: args.profile.is_some(),
    };
    Ok(config
        .into_builder()
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(named))
        .build())
}

/// The extra PEM bundle named by AWS_CA_BUNDLE (as the AWS CLI honours it).
pub(crate) fn ca_bundle() -> Result<Option<(String, Vec<u8>)>, AwsError> {
    let Some(path) = crate::env::var(crate::env::AWS_CA_BUNDLE) else {
        return Ok(None);
    };
    crate::fsutil::read_regular(std::path::Path::new(&path), crate::fsutil::MAX_CONFIG_BYTES)
        .and_then(|bytes| bytes.ok_or_else(|| std::io::ErrorKind::NotFound.into()))
        .map(|bytes| Some((path.clone(), bytes)))
        .map_err(|e| AwsError::CaBundle {
            var: crate::env::AWS_CA_BUNDLE,
            path,
            reason: e.to_string(),
        })
}
