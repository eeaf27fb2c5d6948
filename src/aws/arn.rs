//! ARNs the toolkit takes from users: IAM roles, and the partition a region is in.

use std::fmt;
use std::str::FromStr;

/// An IAM role ARN. An assumed-role or SSO session ARN is turned into the ARN of its
/// role (the registry's own rule for sessions), remembering what was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoleArn {
    arn: String,
    /// The session ARN this role was derived from.
    session: Option<String>,
}

impl RoleArn {
    pub(crate) fn as_str(&self) -> &str {
        &self.arn
    }

    /// The session ARN it was given as, when it was one.
    pub(crate) fn session(&self) -> Option<&str> {
        self.session.as_deref()
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.arn)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid role ARN {}: {why}; expected arn:aws:iam::123456789012:role/NAME", crate::diag::Quoted(.input))]
pub(crate) struct RoleArnError {
    input: String,
    why: String,
}

/// AWS partitions.
const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

impl FromStr for RoleArn {
    type Err = RoleArnError;

    fn from_str(input: &str) -> Result<Self, RoleArnError> {
        let bad = |why: &str| RoleArnError {
            input: input.to_owned(),
            why: why.to_owned(),
        };
        let parts: Vec<&str> = input.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" {
            return Err(bad("not an ARN"));
        }
        let (partition, service, region, account, resource) =
            (parts[1], parts[2], parts[3], parts[4], parts[5]);
        if !PARTITIONS.contains(&partition) {
            return Err(bad(&format!("unknown partition {partition:?}")));
        }
        if !region.is_empty() {
            return Err(bad("IAM and STS ARNs have no region"));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the account must be 12 digits"));
        }
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
        };
        match service {
            "iam" => {
                let Some(path_and_name) = resource.strip_prefix("role/") else {
                    return Err(bad("only IAM roles (role/...) are accepted"));
                };
                if !path_and_name.split('/').all(name_ok) {
                    return Err(bad("the role path or name has invalid characters"));
                }
                Ok(Self {
                    arn: input.to_owned(),
                    session: None,
                })
            }
            "sts" => {
                let Some(rest) = resource.strip_prefix("assumed-role/") else {
                    return Err(bad("an STS ARN must be an assumed-role session"));
                };
                let segments: Vec<&str> = rest.split('/').collect();
                if segments.len() != 2 || !name_ok(segments[0]) || segments[1].is_empty() {
                    return Err(bad("expected assumed-role/ROLE/SESSION"));
                }
                let role = segments[0];
                let resource = if role.starts_with("AWSReservedSSO_") {
                    format!("aws-reserved/sso.amazonaws.com/{role}")
                } else {
                    role.to_owned()
                };
                Ok(Self {
                    arn: format!("arn:{partition}:iam::{account}:role/{resource}"),
                    session: Some(input.to_owned()),
                })
            }
            other => Err(bad(&format!(
                "service {} is neither iam nor sts",
                crate::diag::Quoted(other)
            ))),
        }
    }
}

/// Whether `s` names an AWS partition.
pub(crate) fn is_partition(s: &str) -> bool {
    PARTITIONS.contains(&s)
}

/// The partition a region belongs to, for ARNs built without asking STS.
pub(crate) fn partition_for_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("eusc-") {
        "aws-eusc"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(s: &str) -> Result<RoleArn, RoleArnError> {
        s.parse()
    }

    #[test]
    fn role_arns() {
        let r = role("arn:aws:iam::123456789012:role/deploy").unwrap();
        assert_eq!(r.as_str(), "arn:aws:iam::123456789012:role/deploy");
        assert!(r.session().is_none());
        assert!(role("arn:aws:iam::123456789012:role/team/ci/deploy").is_ok());
        let r = role("arn:aws:sts::123456789012:assumed-role/deploy/alice").unwrap();
        assert_eq!(r.as_str(), "arn:aws:iam::123456789012:role/deploy");
        assert_eq!(
            r.session(),
            Some("arn:aws:sts::123456789012:assumed-role/deploy/alice")
        );
        let r = role("arn:aws-us-gov:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/bob@example.com").unwrap();
        assert_eq!(
            r.as_str(),
            "arn:aws-us-gov:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123"
        );
        for bad in [
            "deploy",
            "arn:aws:iam::12345:role/x",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:s3:::bucket",
            "arn:nope:iam::123456789012:role/x",
            "arn:aws:iam:eu-west-1:123456789012:role/x",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:sts::123456789012:assumed-role/x",
        ] {
            assert!(role(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn partitions_of_regions() {
        assert_eq!(partition_for_region("eu-west-1"), "aws");
        assert_eq!(partition_for_region("cn-north-1"), "aws-cn");
        assert_eq!(partition_for_region("us-gov-west-1"), "aws-us-gov");
    }
}
