//! The API key: the construct's cache file, then SSM Parameter Store, and creating it
//! exactly as the construct does when it is missing.

use aws_sdk_kms::types::KeyState;
use aws_sdk_ssm::types::{ParameterTier, ParameterType};

use super::cache::ApiKeyCache;
use super::{AccountId, ApiKeyError, KmsKeyId, StackName};
use crate::aws::{Aws, sdk_error};
use crate::diag::{warn, warn_once};
use crate::exit::chain;
use crate::secret::Secret;

/// The construct's GetRandomPassword exclusions (note the leading space).
const EXCLUDE_CHARACTERS: &str = " ^,%+~`#$&*()|[]{}:;<>?!'/@\"\\";
const KEY_LENGTH: i64 = 40;

/// Where a key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyOrigin {
    Cache,
    Ssm,
    /// This call created the parameter.
    Created,
}

/// What to do when the key exists nowhere.
#[derive(Debug, Clone, Copy)]
pub(crate) enum WhenMissing<'a> {
    Fail,
    /// Create it as the construct does, encrypted with this KMS key (or the account's
    /// default).
    Create {
        kms_key_id: Option<&'a KmsKeyId>,
    },
}

/// The stack's key: the local cache, then SSM `/{stack}/api-key`; when missing, created
/// as the construct creates it (a generated 40-character key in a new SecureString;
/// if another machine creates it meanwhile, theirs wins). A key found in SSM or
/// created is cached.
pub(crate) async fn resolve_key(
    aws: &Aws,
    account: &AccountId,
    stack: &StackName,
    when_missing: WhenMissing<'_>,
) -> Result<(Secret, KeyOrigin), ApiKeyError> {
    if let Some(key) = open_cache().and_then(|c| c.get(account, stack)) {
        return Ok((key, KeyOrigin::Cache));
    }
    let name = stack.parameter_name();
    let (key, origin) = match get_parameter(aws, &name).await? {
        Some(key) => (key, KeyOrigin::Ssm),
        None => {
            let WhenMissing::Create { kms_key_id } = when_missing else {
                return Err(ApiKeyError::NoKey {
                    stack: stack.clone(),
                    account: account.clone(),
                    parameter: name,
                    region: aws.region().await.unwrap_or_default(),
                });
            };
            if let Some(id) = kms_key_id {
                check_kms_key(aws, id).await?;
            }
            let key = generate_key(aws).await?;
            if put_parameter(aws, &name, &key, kms_key_id, false).await? {
                (key, KeyOrigin::Created)
            } else {
                // Someone created it since we looked: theirs wins.
                let theirs = get_parameter(aws, &name)
                    .await?
                    .ok_or(ApiKeyError::Incomplete {
                        operation: "SSM GetParameter",
                        what: "value for a parameter that exists",
                    })?;
                (theirs, KeyOrigin::Ssm)
            }
        }
    };
    save(account, stack, &key);
    Ok((key, origin))
}

/// A new key in SSM (overwriting) and in the cache.
pub(crate) async fn rotate_key(
    aws: &Aws,
    account: &AccountId,
    stack: &StackName,
    kms_key_id: Option<&KmsKeyId>,
) -> Result<Secret, ApiKeyError> {
    if let Some(id) = kms_key_id {
        check_kms_key(aws, id).await?;
    }
    let key = generate_key(aws).await?;
    put_parameter(aws, &stack.parameter_name(), &key, kms_key_id, true).await?;
    save(account, stack, &key);
    Ok(key)
}

fn open_cache() -> Option<ApiKeyCache> {
    match ApiKeyCache::open() {
        Ok(c) => Some(c),
        Err(e) => {
            warn_once(
                "api-key-cache",
                format_args!("not using the API key cache: {}", chain(&e)),
            );
            None
        }
    }
}

/// Cache a key; the cache is never fatal.
fn save(account: &AccountId, stack: &StackName, key: &Secret) {
    if let Some(Err(e)) = open_cache().map(|c| c.put(account, stack, key)) {
        warn(format_args!("could not cache the API key: {}", chain(&e)));
    }
}

/// The parameter's value, or `None` when it does not exist.
async fn get_parameter(aws: &Aws, name: &str) -> Result<Option<Secret>, ApiKeyError> {
    Ok(aws.parameter(name).await?.map(|p| p.value))
}

/// A new key from Secrets Manager's generator, as the construct makes one.
async fn generate_key(aws: &Aws) -> Result<Secret, ApiKeyError> {
    const OPERATION: &str = "Secrets Manager GetRandomPassword";
    let client = aws.secrets_manager().await?;
    let out = client
        .get_random_password()
        .password_length(KEY_LENGTH)
        .exclude_characters(EXCLUDE_CHARACTERS)
        .send()
        .await
        .map_err(|e| sdk_error(OPERATION, e))?;
    out.random_password()
        .map(Secret::new)
        .ok_or(ApiKeyError::Incomplete {
            operation: OPERATION,
            what: "password",
        })
}

/// Refuse a KMS key that does not exist, is disabled or is pending deletion, before
/// anything is written (SSM itself accepts a missing alias in some places and fails
/// late in others).
async fn check_kms_key(aws: &Aws, id: &KmsKeyId) -> Result<(), ApiKeyError> {
    let unusable = |problem: &str| ApiKeyError::KmsKeyUnusable {
        key: id.as_str().to_owned(),
        problem: problem.to_owned(),
    };
    let out = aws
        .kms()
        .await?
        .describe_key()
        .key_id(id.as_str())
        .send()
        .await;
    let out = match out {
        Ok(out) => out,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_not_found_exception()) =>
        {
            return Err(unusable("does not exist in this account and region"));
        }
        Err(e) => return Err(sdk_error("KMS DescribeKey", e).into()),
    };
    let meta = out.key_metadata().ok_or(ApiKeyError::Incomplete {
        operation: "KMS DescribeKey",
        what: "key metadata",
    })?;
    match meta.key_state() {
        Some(KeyState::Enabled) if meta.enabled() => Ok(()),
        Some(KeyState::PendingDeletion | KeyState::PendingReplicaDeletion) => {
            Err(unusable("is pending deletion"))
        }
        Some(KeyState::Disabled) => Err(unusable("is disabled")),
        Some(state) => Err(unusable(&format!("is {}", state.as_str()))),
        None if meta.enabled() => Ok(()),
        None => Err(unusable("is disabled")),
    }
}

/// Store `key` as a SecureString parameter (Standard tier, text), as the construct does.
/// Without `overwrite` an existing parameter is left alone and `Ok(false)` returned.
async fn put_parameter(
    aws: &Aws,
    name: &str,
    key: &Secret,
    kms_key_id: Option<&KmsKeyId>,
    overwrite: bool,
) -> Result<bool, ApiKeyError> {
    let client = aws.ssm().await?;
    let result = client
        .put_parameter()
        .name(name)
        .value(key.expose())
        .r#type(ParameterType::SecureString)
        .overwrite(overwrite)
        .tier(ParameterTier::Standard)
        .data_type("text")
        .set_key_id(kms_key_id.map(|k| k.as_str().to_owned()))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_parameter_already_exists()) =>
        {
            Ok(false)
        }
        Err(e) => Err(sdk_error("SSM PutParameter", e).into()),
    }
}
