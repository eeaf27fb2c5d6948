//! The AWS flags every AWS-facing command takes, as clap reads them; below `app` they
//! are one [`AwsSelection`] value.

use crate::aws::{AwsSelection, SdkEndpoint};

/// The AWS selection flags every AWS-facing command takes.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct AwsArgs {
    /// Named profile from the AWS config files [default: $AWS_PROFILE, then "default"].
    #[arg(long, global = true, value_name = "NAME", value_parser = crate::aws::names::profile_flag, help_heading = "AWS")]
    pub(crate) profile: Option<String>,
    /// AWS region [default: $AWS_REGION, then the profile's region].
    #[arg(long, global = true, value_name = "REGION", value_parser = crate::aws::names::region_flag, help_heading = "AWS")]
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
        default_value_t = crate::aws::DEFAULT_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..=3600),
        help_heading = "AWS"
    )]
    pub(crate) aws_timeout: u64,
}

impl AwsArgs {
    /// These flags as the AWS layer takes them.
    pub(crate) fn selection(&self) -> AwsSelection {
        AwsSelection {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            aws_timeout: self.aws_timeout,
        }
    }
}
