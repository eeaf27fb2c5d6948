//! API keys and IAM invoke credentials for REST APIs deployed with the
//! aws-cdk-secure-api constructs, in the places the constructs use, and the HTTP call
//! that uses them.

pub(crate) mod cache;
pub(crate) mod call;
pub(crate) mod iam;
pub(crate) mod stack;
pub(crate) mod store;

use std::fmt;
use std::str::FromStr;

pub(crate) use crate::aws::kms::KmsKeyId;

use crate::aws::AwsError;
use crate::aws::reference::ReferenceError;
use crate::aws::sign::SignError;
use crate::http::HttpError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiKeyError {
    #[error(
        "no API key for stack {stack} (account {account}): not in the local cache nor in SSM parameter {parameter} \
         in {region}; create it with `api-key ensure --stack {stack}`"
    )]
    NoKey {
        stack: StackName,
        account: AccountId,
        parameter: String,
        region: String,
    },
    #[error("no secret {} in Secrets Manager: check --stack, --secret-name and --region", crate::diag::Quoted(.name))]
    NoSecret { name: String },
    #[error("the secret {} has no string value", crate::diag::Quoted(.name))]
    SecretNotText { name: String },
    // Never echo the secret's text: it holds the key.
    #[error(
        "the secret {} is not the construct's JSON {{\"access-key-id\": ..., \"secret-access-key\": ...}}", crate::diag::Quoted(.name)
    )]
    SecretMalformed { name: String },
    #[error("{operation} returned no {what}")]
    Incomplete {
        operation: &'static str,
        what: &'static str,
    },
    #[error("the API key is not a valid header value")]
    KeyNotAHeader,
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error(
        "api-key is resolving its own AWS credentials through the profile {profile:?}, whose credential_process runs \
         api-key again: name a source profile in the credential_process line (api-key --profile SOURCE iam-credentials ...)"
    )]
    CredentialLoop { profile: String },
    #[error(
        "the stack {stack} has no API endpoint output (APIEndpoint, or the RestApi's ...Endpoint...; it has: {available}): \
         pass the full URL"
    )]
    NoEndpoint { stack: String, available: String },
    #[error(
        "the stack {stack} has several endpoint outputs ({keys}) and none is APIEndpoint: pass the full URL"
    )]
    AmbiguousEndpoint { stack: String, keys: String },
    #[error("the output {output} of stack {stack} is not a URL the toolkit may call: {reason}")]
    BadEndpoint {
        stack: String,
        output: String,
        reason: String,
    },
    #[error(
        "the KMS key {key} {problem}: nothing was written; name an enabled key (alias/NAME, an alias or key ARN, or a key id)"
    )]
    KmsKeyUnusable { key: String, problem: String },
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// A CloudFormation stack name: a letter, then letters, digits and dashes, at most 128.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StackName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid stack name {}: a CloudFormation stack name starts with a letter and has only letters, digits and dashes", crate::diag::Quoted(.0)
)]
pub(crate) struct StackNameError(String);

impl FromStr for StackName {
    type Err = StackNameError;

    fn from_str(stack: &str) -> Result<Self, Self::Err> {
        let ok = stack.len() <= 128
            && stack.starts_with(|c: char| c.is_ascii_alphabetic())
            && stack
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok {
            Ok(Self(stack.to_owned()))
        } else {
            Err(StackNameError(stack.to_owned()))
        }
    }
}

impl StackName {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The construct's SSM parameter for the stack's API key.
    pub(crate) fn parameter_name(&self) -> String {
        format!("/{}/api-key", self.0)
    }

    /// The construct's Secrets Manager secret for the stack's IAM user.
    pub(crate) fn default_secret_name(&self) -> String {
        format!("{}/iam-user-credentials", self.0)
    }

    /// The construct's invoke role name.
    pub(crate) fn invoke_role_name(&self) -> String {
        format!("{}@api-invoke-role", self.0)
    }
}

impl fmt::Display for StackName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid account {}: an AWS account id has 12 digits", crate::diag::Quoted(.0))]
pub(crate) struct AccountIdError(String);

impl FromStr for AccountId {
    type Err = AccountIdError;

    fn from_str(account: &str) -> Result<Self, Self::Err> {
        if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(account.to_owned()))
        } else {
            Err(AccountIdError(account.to_owned()))
        }
    }
}

impl AccountId {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_names_and_accounts() {
        let s: StackName = "My-Api1".parse().unwrap();
        assert_eq!(s.parameter_name(), "/My-Api1/api-key");
        assert_eq!(s.default_secret_name(), "My-Api1/iam-user-credentials");
        assert_eq!(s.invoke_role_name(), "My-Api1@api-invoke-role");
        for bad in ["", "1abc", "a b", "a_b", "a/b", &"a".repeat(129)] {
            assert!(bad.parse::<StackName>().is_err(), "{bad}");
        }
        assert!("123456789012".parse::<AccountId>().is_ok());
        for bad in ["12", "12345678901a", "1234567890123"] {
            assert!(bad.parse::<AccountId>().is_err(), "{bad}");
        }
    }
}
