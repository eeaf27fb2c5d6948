//! The API key in SSM Parameter Store, created exactly as the construct creates it.

use aws_sdk_ssm::types::{ParameterTier, ParameterType};

use crate::aws::{Aws, sdk_error};
use crate::secret::Secret;

/// The construct's GetRandomPassword exclusions (note the leading space).
pub const EXCLUDE_CHARACTERS: &str = " ^,%+~`#$&*()|[]{}:;<>?!'/@\"\\";
pub const KEY_LENGTH: i64 = 40;

/// The parameter's value, or `None` when it does not exist.
pub async fn get_parameter(aws: &Aws, name: &str) -> anyhow::Result<Option<Secret>> {
    let client = aws.ssm().await?;
    match client
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await
    {
        Ok(out) => Ok(out.parameter().and_then(|p| p.value()).map(Secret::new)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_parameter_not_found()) =>
        {
            Ok(None)
        }
        Err(e) => Err(sdk_error("SSM GetParameter", e).into()),
    }
}

/// A new key from Secrets Manager's generator, as the construct makes one.
pub async fn generate_key(aws: &Aws) -> anyhow::Result<Secret> {
    let client = aws.secrets_manager().await?;
    let out = client
        .get_random_password()
        .password_length(KEY_LENGTH)
        .exclude_characters(EXCLUDE_CHARACTERS)
        .send()
        .await
        .map_err(|e| sdk_error("Secrets Manager GetRandomPassword", e))?;
    let key = out
        .random_password()
        .ok_or_else(|| crate::exit::service_error("GetRandomPassword returned no password"))?;
    Ok(Secret::new(key))
}

/// Store `key` as a SecureString parameter (Standard tier, text), as the construct does.
/// Without `overwrite` an existing parameter is left alone and `Ok(false)` returned.
pub async fn put_parameter(
    aws: &Aws,
    name: &str,
    key: &Secret,
    kms_key_id: Option<&str>,
    overwrite: bool,
) -> anyhow::Result<bool> {
    let client = aws.ssm().await?;
    let result = client
        .put_parameter()
        .name(name)
        .value(key.expose())
        .r#type(ParameterType::SecureString)
        .overwrite(overwrite)
        .tier(ParameterTier::Standard)
        .data_type("text")
        .set_key_id(kms_key_id.map(str::to_owned))
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
