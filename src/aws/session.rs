//! The AWS environment of one command, loaded lazily: the shared configuration (profile
//! files, region chain, endpoint variables) on first use, credentials on first call,
//! clients for each service, and the calls several commands share.

use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, error::CredentialsError};
use tokio::sync::OnceCell;

use super::error::{AwsError, ForProfile, credentials_error, sdk_error};
use super::selection::AwsSelection;
use super::transport;

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
    args: AwsSelection,
    config: OnceCell<SdkConfig>,
}

impl Aws {
    pub(crate) fn new(args: AwsSelection) -> Self {
        Self {
            args,
            config: OnceCell::new(),
        }
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
        self.ssm_in(None).await
    }

    /// An SSM client for `region` (the configured one when `None`), with the same
    /// credentials and endpoint.
    async fn ssm_in(&self, region: Option<&str>) -> Result<aws_sdk_ssm::Client, AwsError> {
        let mut conf = aws_sdk_ssm::config::Builder::from(self.config().await?);
        if let Some(r) = region {
            conf = conf.region(aws_sdk_ssm::config::Region::new(r.to_owned()));
        }
        Ok(aws_sdk_ssm::Client::from_conf(conf.build()))
    }

    /// The SSM parameter `name`, decrypted; `None` when it does not exist (or holds no
    /// value).
    pub(crate) async fn parameter(&self, name: &str) -> Result<Option<Parameter>, AwsError> {
        self.parameter_in(None, name).await
    }

    /// The SSM parameter `name` (or ARN) in `region` (the configured one when `None`).
    pub(crate) async fn parameter_in(
        &self,
        region: Option<&str>,
        name: &str,
    ) -> Result<Option<Parameter>, AwsError> {
        let out = self
            .ssm_in(region)
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
        self.cache_scope_in(None)
    }

    /// [`Aws::cache_scope`] for lookups in `region` (the configured one when `None`).
    pub(crate) fn cache_scope_in(&self, region: Option<&str>) -> String {
        let args = &self.args;
        format!(
            "{}|{}|{}",
            super::identity::fingerprint(args),
            region
                .map(str::to_owned)
                .or_else(|| args.region_hint())
                .unwrap_or_default(),
            args.endpoint_url
                .as_ref()
                .map(ToString::to_string)
                .or_else(|| crate::env::var(crate::env::AWS_ENDPOINT_URL))
                .unwrap_or_default()
        )
    }

    /// A CloudFormation client for `region` (the configured one when `None`).
    pub(crate) async fn cloudformation_in(
        &self,
        region: Option<&str>,
    ) -> Result<aws_sdk_cloudformation::Client, AwsError> {
        let mut conf = aws_sdk_cloudformation::config::Builder::from(self.config().await?);
        if let Some(r) = region {
            conf = conf.region(aws_sdk_cloudformation::config::Region::new(r.to_owned()));
        }
        Ok(aws_sdk_cloudformation::Client::from_conf(conf.build()))
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

async fn load(args: &AwsSelection, timeout: Duration) -> Result<SdkConfig, AwsError> {
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
