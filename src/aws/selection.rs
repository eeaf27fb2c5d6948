//! Which AWS account, region, endpoint and deadline a command works with: the
//! command's flags as a plain value (`app` makes it from its clap flags), over which
//! aws-config resolves the rest (AWS_PROFILE, AWS_REGION, SSO, ...).

use std::fmt;
use std::str::FromStr;

/// The AWS selection of one command (or of one registry host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AwsSelection {
    /// The named profile (`None`: $AWS_PROFILE, then "default").
    pub(crate) profile: Option<String>,
    /// The region (`None`: $AWS_REGION, then the profile's).
    pub(crate) region: Option<String>,
    /// Where AWS API calls go (`None`: $AWS_ENDPOINT_URL, then AWS's own).
    pub(crate) endpoint_url: Option<SdkEndpoint>,
    /// Seconds an AWS call (all its retries included) may take.
    pub(crate) aws_timeout: u64,
}

/// Default seconds an AWS call may take (`--aws-timeout`).
pub(crate) const DEFAULT_TIMEOUT_SECS: u64 = 30;

impl Default for AwsSelection {
    fn default() -> Self {
        Self {
            profile: None,
            region: None,
            endpoint_url: None,
            aws_timeout: DEFAULT_TIMEOUT_SECS,
        }
    }
}

impl AwsSelection {
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
