//! AWS configuration, credentials and clients, loaded lazily.
//!
//! `--profile`, `--region` and `--endpoint-url` come from one flattened [`AwsArgs`];
//! everything else (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL[_<SERVICE>], SSO,
//! credential_process, web identity) is aws-config's job. The one addition is
//! AWS_CA_BUNDLE, which the Rust SDK does not load by itself.
//!
//! Nothing is resolved until a command asks for it, so an answer from the cache
//! resolves no credentials and makes no network call.

pub mod sign;

use std::time::Duration;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, error::CredentialsError};
use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;
use tokio::sync::OnceCell;

use crate::exit::{ExitStatus, HasExitStatus};

/// The AWS selection flags every AWS-facing command takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AwsArgs {
    /// Named profile from the AWS config files [default: $AWS_PROFILE, then "default"].
    #[arg(long, global = true, value_name = "NAME", help_heading = "AWS")]
    pub profile: Option<String>,
    /// AWS region [default: $AWS_REGION, then the profile's region].
    #[arg(long, global = true, value_name = "REGION", help_heading = "AWS")]
    pub region: Option<String>,
    /// Send AWS API calls to this endpoint (e.g. a local emulator) [default: $AWS_ENDPOINT_URL].
    #[arg(long, global = true, value_name = "URL", help_heading = "AWS")]
    pub endpoint_url: Option<String>,
}

impl AwsArgs {
    /// The profile that names the caller's identity, without loading anything.
    pub fn profile_name(&self) -> String {
        self.profile
            .clone()
            .or_else(|| crate::env::var(crate::env::AWS_PROFILE))
            .unwrap_or_else(|| "default".to_owned())
    }

    /// The region from the flag or the environment, without reading profiles.
    pub fn region_hint(&self) -> Option<String> {
        self.region
            .clone()
            .or_else(|| crate::env::var(crate::env::AWS_REGION))
            .or_else(|| crate::env::var(crate::env::AWS_DEFAULT_REGION))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error(
        "no AWS credentials found ({0}): configure a profile (aws configure / aws sso login), \
         pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    )]
    NoCredentials(String),
    #[error("AWS credentials could not be loaded: {0}")]
    CredentialsFailed(String),
    #[error(
        "no AWS region configured: pass --region, set AWS_REGION, or set region in the profile"
    )]
    NoRegion,
    #[error("cannot read the CA bundle {path} named by {var}: {reason}")]
    CaBundle {
        var: &'static str,
        path: String,
        reason: String,
    },
    #[error("{operation} failed: {message}")]
    Service {
        operation: String,
        message: String,
        status: ExitStatus,
    },
}

impl HasExitStatus for AwsError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            AwsError::NoCredentials(_) | AwsError::NoRegion | AwsError::CaBundle { .. } => {
                ExitStatus::UserError
            }
            AwsError::CredentialsFailed(_) => ExitStatus::UserError,
            AwsError::Service { status, .. } => *status,
        }
    }
}

/// Turn an SDK error into one line that says which call failed and why.
pub fn sdk_error<E>(operation: &str, err: SdkError<E, Response>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (message, status) = match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("error");
            let msg = e.message().unwrap_or("");
            let http = service.raw().status().as_u16();
            let status = match http {
                403 | 404 => ExitStatus::Failure,
                400..=499 => ExitStatus::UserError,
                _ => ExitStatus::ServiceError,
            };
            (
                if msg.is_empty() {
                    format!("{code} (HTTP {http})")
                } else {
                    format!("{code}: {msg} (HTTP {http})")
                },
                status,
            )
        }
        SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => (
            format!("cannot reach AWS: {}", chain_text(&err)),
            ExitStatus::ServiceError,
        ),
        SdkError::TimeoutError(_) => ("timed out".to_owned(), ExitStatus::ServiceError),
        _ => (chain_text(&err), ExitStatus::ServiceError),
    };
    // Missing credentials surface as a construction/dispatch failure; say it plainly.
    let text = chain_text(&err);
    let no_credentials = [
        "no providers in chain provided credentials",
        "no credentials found in chain",
        "CredentialsNotLoaded",
    ];
    if no_credentials.iter().any(|needle| text.contains(needle)) {
        return AwsError::NoCredentials("no provider in the chain had any".to_owned());
    }
    AwsError::Service {
        operation: operation.to_owned(),
        message,
        status,
    }
}

fn chain_text(err: &dyn std::error::Error) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = cur {
        let s = e.to_string();
        if parts.last() != Some(&s) {
            parts.push(s);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// The lazily loaded AWS environment of one command.
#[derive(Debug)]
pub struct Aws {
    args: AwsArgs,
    config: OnceCell<SdkConfig>,
}

impl Aws {
    pub fn new(args: AwsArgs) -> Self {
        Self {
            args,
            config: OnceCell::new(),
        }
    }

    pub fn args(&self) -> &AwsArgs {
        &self.args
    }

    /// Load the shared configuration once (profile files, region chain, endpoint
    /// variables); credentials are resolved on first use, not here.
    pub async fn config(&self) -> Result<&SdkConfig, AwsError> {
        self.config.get_or_try_init(|| load(&self.args)).await
    }

    /// The region, or a user error saying how to set one.
    pub async fn region(&self) -> Result<String, AwsError> {
        self.config()
            .await?
            .region()
            .map(|r| r.to_string())
            .ok_or(AwsError::NoRegion)
    }

    /// Resolve credentials (for signing plain HTTP requests).
    pub async fn credentials(&self) -> Result<Credentials, AwsError> {
        let config = self.config().await?;
        let provider = config
            .credentials_provider()
            .ok_or_else(|| AwsError::NoCredentials("no credentials provider".to_owned()))?;
        provider.provide_credentials().await.map_err(|e| match e {
            CredentialsError::CredentialsNotLoaded(_) => AwsError::NoCredentials(chain_text(&e)),
            other => AwsError::CredentialsFailed(chain_text(&other)),
        })
    }

    /// The account of the caller, or of `credentials` when given (STS GetCallerIdentity).
    pub async fn account(&self, credentials: Option<Credentials>) -> Result<String, AwsError> {
        let mut conf = aws_sdk_sts::config::Builder::from(self.config().await?);
        if let Some(c) = credentials {
            conf = conf.credentials_provider(c);
        }
        let out = aws_sdk_sts::Client::from_conf(conf.build())
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| sdk_error("STS GetCallerIdentity", e))?;
        out.account()
            .map(str::to_owned)
            .ok_or_else(|| AwsError::Service {
                operation: "STS GetCallerIdentity".into(),
                message: "no account in the answer".into(),
                status: ExitStatus::ServiceError,
            })
    }

    pub async fn sts(&self) -> Result<aws_sdk_sts::Client, AwsError> {
        Ok(aws_sdk_sts::Client::new(self.config().await?))
    }

    pub async fn ssm(&self) -> Result<aws_sdk_ssm::Client, AwsError> {
        Ok(aws_sdk_ssm::Client::new(self.config().await?))
    }

    pub async fn secrets_manager(&self) -> Result<aws_sdk_secretsmanager::Client, AwsError> {
        Ok(aws_sdk_secretsmanager::Client::new(self.config().await?))
    }

    pub async fn dynamodb(&self) -> Result<aws_sdk_dynamodb::Client, AwsError> {
        Ok(aws_sdk_dynamodb::Client::new(self.config().await?))
    }

    /// S3, with path-style addressing when asked (emulators, dotted bucket names).
    pub async fn s3(&self, path_style: bool) -> Result<aws_sdk_s3::Client, AwsError> {
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

async fn load(args: &AwsArgs) -> Result<SdkConfig, AwsError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &args.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &args.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(client) = ca_bundle_http_client()? {
        loader = loader.http_client(client);
    }
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(10))
        .build();
    Ok(loader.timeout_config(timeouts).load().await)
}

/// The extra PEM bundle named by AWS_CA_BUNDLE (as the AWS CLI honours it).
pub fn ca_bundle() -> Result<Option<(String, Vec<u8>)>, AwsError> {
    let Some(path) = crate::env::var(crate::env::AWS_CA_BUNDLE) else {
        return Ok(None);
    };
    std::fs::read(&path)
        .map(|bytes| Some((path.clone(), bytes)))
        .map_err(|e| AwsError::CaBundle {
            var: crate::env::AWS_CA_BUNDLE,
            path,
            reason: e.to_string(),
        })
}

fn ca_bundle_http_client()
-> Result<Option<aws_smithy_runtime_api::client::http::SharedHttpClient>, AwsError> {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
    let Some((path, pem)) = ca_bundle()? else {
        return Ok(None);
    };
    let ctx = TlsContext::builder()
        .with_trust_store(TrustStore::default().with_pem_certificate(pem))
        .build()
        .map_err(|e| AwsError::CaBundle {
            var: crate::env::AWS_CA_BUNDLE,
            path,
            reason: e.to_string(),
        })?;
    let client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(ctx)
        .build_https();
    Ok(Some(client))
}
