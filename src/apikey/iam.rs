//! IAM invoke credentials: the construct's IAM user keys from Secrets Manager,
//! optionally exchanged for a role session, cached until shortly before expiry.

use aws_credential_types::Credentials;
use serde::{Deserialize, Serialize};

use crate::aws::{Aws, sdk_error};
use crate::cache::{CacheDir, CacheError, CacheFile, Entry, EntryMap, now_unix};
use crate::exit::{failure, service_error};
use crate::secret::Secret;

pub const SESSIONS_FILE: &str = "api_invoke_sessions.json";
/// A cached session is handed out only with at least this much life left.
pub const MIN_SESSION_LEFT: u64 = 300;

/// Credentials to print or hand to a child process.
#[derive(Debug, Clone)]
pub struct InvokeCredentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    /// Unix seconds; `None` for the user's long-term keys.
    pub expires_at: Option<u64>,
}

impl InvokeCredentials {
    pub fn to_sdk(&self) -> Credentials {
        Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.expose(),
            self.session_token.as_ref().map(|t| t.expose().to_owned()),
            self.expires_at
                .map(|t| std::time::UNIX_EPOCH + std::time::Duration::from_secs(t)),
            "api-key",
        )
    }
}

#[derive(Deserialize)]
struct UserSecret {
    #[serde(rename = "access-key-id")]
    access_key_id: String,
    #[serde(rename = "secret-access-key")]
    secret_access_key: Secret,
}

/// The IAM user's access key from the construct's secret.
pub async fn user_credentials(aws: &Aws, secret_name: &str) -> anyhow::Result<InvokeCredentials> {
    let client = aws.secrets_manager().await?;
    let out = match client
        .get_secret_value()
        .secret_id(secret_name)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            return Err(failure(format!(
                "no secret {secret_name:?} in Secrets Manager: check --stack, --secret-name and --region"
            )));
        }
        Err(e) => return Err(sdk_error("Secrets Manager GetSecretValue", e).into()),
    };
    let text = out
        .secret_string()
        .ok_or_else(|| failure(format!("the secret {secret_name:?} has no string value")))?;
    // Never echo the secret's text in an error: it holds the key.
    let parsed: UserSecret = serde_json::from_str(text).map_err(|_| {
        failure(format!(
            "the secret {secret_name:?} is not the construct's JSON {{\"access-key-id\": ..., \"secret-access-key\": ...}}"
        ))
    })?;
    Ok(InvokeCredentials {
        access_key_id: parsed.access_key_id,
        secret_access_key: parsed.secret_access_key,
        session_token: None,
        expires_at: None,
    })
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionRecord {
    role_arn: String,
    access_key_id: String,
    #[serde(serialize_with = "crate::secret::serialize_exposed")]
    secret_access_key: Secret,
    #[serde(serialize_with = "crate::secret::serialize_exposed")]
    session_token: Secret,
}

fn sessions_file() -> Result<CacheFile, CacheError> {
    Ok(CacheDir::locate()?.file(SESSIONS_FILE))
}

fn session_key(role_arn: &str, user: &InvokeCredentials) -> String {
    format!("{role_arn}|{}", user.access_key_id)
}

/// Assume `role_arn` with the user's keys; a cached session with enough life left is
/// reused.
pub async fn assume_role(
    aws: &Aws,
    user: &InvokeCredentials,
    role_arn: &str,
    duration_seconds: i32,
) -> anyhow::Result<InvokeCredentials> {
    let file = sessions_file().ok();
    let key = session_key(role_arn, user);
    let now = now_unix();
    let cached = file
        .as_ref()
        .and_then(|f| f.read::<EntryMap<SessionRecord>>())
        .and_then(|mut map| {
            map.entries
                .remove(&key)
                .filter(|e| e.is_fresh(now, MIN_SESSION_LEFT))
        });
    if let Some(entry) = cached {
        return Ok(InvokeCredentials {
            access_key_id: entry.value.access_key_id,
            secret_access_key: entry.value.secret_access_key,
            session_token: Some(entry.value.session_token),
            expires_at: entry.expires_at,
        });
    }
    let conf = aws_sdk_sts::config::Builder::from(aws.config().await?)
        .credentials_provider(user.to_sdk())
        .build();
    let out = aws_sdk_sts::Client::from_conf(conf)
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(format!("api-key-{now}"))
        .duration_seconds(duration_seconds)
        .send()
        .await
        .map_err(|e| sdk_error("STS AssumeRole", e))?;
    let c = out
        .credentials()
        .ok_or_else(|| service_error("STS AssumeRole returned no credentials"))?;
    let expires_at = u64::try_from(c.expiration().secs()).unwrap_or(now);
    let session = InvokeCredentials {
        access_key_id: c.access_key_id().to_owned(),
        secret_access_key: Secret::new(c.secret_access_key()),
        session_token: Some(Secret::new(c.session_token())),
        expires_at: Some(expires_at),
    };
    if let Some(file) = &file {
        let record = SessionRecord {
            role_arn: role_arn.to_owned(),
            access_key_id: session.access_key_id.clone(),
            secret_access_key: session.secret_access_key.clone(),
            session_token: Secret::new(c.session_token()),
        };
        let result = file.update(|map: &mut EntryMap<SessionRecord>| {
            map.prune(now);
            map.entries.insert(
                key,
                Entry {
                    value: record,
                    expires_at: Some(expires_at),
                },
            );
        });
        if let Err(e) = result {
            crate::exit::warn(format_args!("could not cache the role session: {e:#}"));
        }
    }
    Ok(session)
}
