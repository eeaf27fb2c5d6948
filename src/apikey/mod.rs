//! API keys and IAM invoke credentials for REST APIs deployed with the
//! aws-cdk-secure-api constructs, in the places the constructs use.

pub mod cache;
pub mod iam;
pub mod store;

use crate::exit::user_error;

/// The construct's SSM parameter for a stack's API key.
pub fn parameter_name(stack: &str) -> String {
    format!("/{stack}/api-key")
}

/// The construct's Secrets Manager secret for a stack's IAM user.
pub fn default_secret_name(stack: &str) -> String {
    format!("{stack}/iam-user-credentials")
}

/// The construct's invoke role name.
pub fn invoke_role_name(stack: &str) -> String {
    format!("{stack}@api-invoke-role")
}

/// CloudFormation stack names: a letter, then letters, digits and dashes, at most 128.
pub fn validate_stack(stack: &str) -> anyhow::Result<()> {
    let ok = stack.len() <= 128
        && stack.starts_with(|c: char| c.is_ascii_alphabetic())
        && stack
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(user_error(format!(
            "invalid stack name {stack:?}: a CloudFormation stack name starts with a letter and has only letters, digits and dashes"
        )))
    }
}

/// 12-digit AWS account ids.
pub fn validate_account(account: &str) -> anyhow::Result<()> {
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(user_error(format!(
            "invalid account {account:?}: an AWS account id has 12 digits"
        )))
    }
}
