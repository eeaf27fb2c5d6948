//! IAM invoke credentials: the construct's IAM user keys from Secrets Manager,
//! optionally exchanged for a session of the invoke role, cached until shortly before
//! expiry; and the environment a child process gets them in.

use aws_credential_types::Credentials;
use serde::{Deserialize, Serialize};

use super::{AccountId, ApiKeyError, StackName};
use crate::aws::arn::{RoleArn, partition_for_region};
use crate::aws::reference::ReferenceError;
use crate::aws::{Aws, sdk_error};
use crate::cache::{CacheDir, CacheFile, Entry, EntryMap, now_unix};
use crate::diag::warn;
use crate::exit::chain;
use crate::secret::Secret;

const SESSIONS_FILE: &str = "api_invoke_sessions.json";
/// A cached session is handed out only with at least this much life left.
const MIN_SESSION_LEFT: u64 = 300;

/// Credentials to print or hand to a child process.
#[derive(Debug, Clone)]
pub(crate) struct InvokeCredentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: Secret,
    pub(crate) session_token: Option<Secret>,
    /// Unix seconds; `None` for the user's long-term keys.
    pub(crate) expires_at: Option<u64>,
}

impl InvokeCredentials {
    pub(crate) fn to_sdk(&self) -> Credentials {
        Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.expose(),
            self.session_token.as_ref().map(|t| t.expose().to_owned()),
            self.expires_at
                .map(|t| std::time::UNIX_EPOCH + std::time::Duration::from_secs(t)),
            "api-key",
        )
    }

    /// Give `child` exactly these credentials: every credential variable it would
    /// inherit (a stale `AWS_SECURITY_TOKEN`, a profile, a web identity) is cleared
    /// first, so no SDK in the child can pick another identity.
    pub(crate) fn apply_to(&self, child: &mut std::process::Command) {
        for name in crate::env::AWS_CREDENTIAL_VARIABLES {
            child.env_remove(name);
        }
        child.env("AWS_ACCESS_KEY_ID", &self.access_key_id);
        child.env("AWS_SECRET_ACCESS_KEY", self.secret_access_key.expose());
        if let Some(t) = &self.session_token {
            child.env("AWS_SESSION_TOKEN", t.expose());
        }
        if let Some(at) = self.expires_at {
            child.env("AWS_CREDENTIAL_EXPIRATION", crate::time::rfc3339(at));
        }
    }
}

#[derive(Deserialize)]
struct UserSecret {
    #[serde(rename = "access-key-id")]
    access_key_id: String,
    #[serde(rename = "secret-access-key")]
    secret_access_key: Secret,
}

/// The role to exchange the user's keys for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InvokeRole {
    /// The construct's `{stack}@api-invoke-role` in the stack's account.
    Default,
    Arn(RoleArn),
}

/// How to get invoke credentials for a stack.
#[derive(Debug, Clone)]
pub(crate) struct IamOptions {
    /// The secret with the user's keys [default: `{stack}/iam-user-credentials`].
    pub(crate) secret_name: Option<String>,
    pub(crate) role: Option<InvokeRole>,
    pub(crate) duration_seconds: i32,
}

/// The stack's invoke credentials: the IAM user's keys, or a (cached) session of the
/// invoke role they may assume.
pub(crate) async fn invoke_credentials(
    aws: &Aws,
    stack: &StackName,
    account: Option<&AccountId>,
    options: &IamOptions,
) -> Result<InvokeCredentials, ApiKeyError> {
    let secret_name = options
        .secret_name
        .clone()
        .unwrap_or_else(|| stack.default_secret_name());
    // A session asked for the same way and still valid answers with no AWS call at all:
    // an SDK refreshing credentials through credential_process pays microseconds.
    let request_key = options.role.as_ref().map(|role| {
        let role = match role {
            InvokeRole::Default => "stack's role".to_owned(),
            InvokeRole::Arn(arn) => arn.as_str().to_owned(),
        };
        format!(
            "{}|{}|{stack}|{secret_name}|{role}|{}",
            aws.cache_scope(),
            account.map(AccountId::as_str).unwrap_or_default(),
            options.duration_seconds
        )
    });
    let sessions = request_key.as_ref().and_then(|_| sessions_file());
    if let (Some(key), Some(file)) = (&request_key, &sessions)
        && let Some(hit) = cached_session(file, key)
    {
        return Ok(hit);
    }
    let user = user_credentials(aws, &secret_name).await?;
    let role_arn = match &options.role {
        None => return Ok(user),
        Some(InvokeRole::Arn(arn)) => arn.as_str().to_owned(),
        Some(InvokeRole::Default) => match stack_role(aws, stack).await {
            Some(arn) => arn,
            None => {
                let (account, partition) = match account {
                    // No STS call: the partition follows from the region.
                    Some(a) => (
                        a.as_str().to_owned(),
                        partition_for_region(&aws.region().await?).to_owned(),
                    ),
                    None => {
                        let me = aws.caller_identity(Some(user.to_sdk())).await?;
                        let partition = me.partition().to_owned();
                        (me.account, partition)
                    }
                };
                default_role_arn(&partition, &account, stack)
            }
        },
    };
    let session = assume_role(aws, &user, &role_arn, options.duration_seconds).await?;
    if let (Some(key), Some(file)) = (request_key, &sessions) {
        remember_session(file, key, &role_arn, &session);
    }
    Ok(session)
}

/// The role the stack's `APIIAMRoleARN` output names (it carries the right account and
/// partition); `None` where the stack has no such output or cannot be read.
async fn stack_role(aws: &Aws, stack: &StackName) -> Option<String> {
    match super::stack::invoke_role(aws, stack).await {
        Ok(role) => role.map(|r| r.as_str().to_owned()),
        Err(ApiKeyError::Reference(ReferenceError::NoStack { .. })) => None,
        Err(e) => {
            warn(format_args!(
                "cannot read the invoke role from the stack's outputs ({}); using {}",
                chain(&e),
                stack.invoke_role_name()
            ));
            None
        }
    }
}

/// The construct's invoke role, in the partition and account of the stack.
pub(crate) fn default_role_arn(partition: &str, account: &str, stack: &StackName) -> String {
    format!(
        "arn:{partition}:iam::{account}:role/{}",
        stack.invoke_role_name()
    )
}

/// The IAM user's access key from the construct's secret.
async fn user_credentials(aws: &Aws, secret_name: &str) -> Result<InvokeCredentials, ApiKeyError> {
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
            return Err(ApiKeyError::NoSecret {
                name: secret_name.to_owned(),
            });
        }
        Err(e) => return Err(sdk_error("Secrets Manager GetSecretValue", e).into()),
    };
    let text = out
        .secret_string()
        .ok_or_else(|| ApiKeyError::SecretNotText {
            name: secret_name.to_owned(),
        })?;
    let parsed: UserSecret =
        serde_json::from_str(text).map_err(|_| ApiKeyError::SecretMalformed {
            name: secret_name.to_owned(),
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

fn sessions_file() -> Option<CacheFile> {
    match CacheDir::open() {
        Ok(dir) => Some(dir.file(SESSIONS_FILE)),
        Err(e) => {
            warn(format_args!("not caching role sessions: {}", chain(&e)));
            None
        }
    }
}

fn session_key(role_arn: &str, user: &InvokeCredentials) -> String {
    format!("{role_arn}|{}", user.access_key_id)
}

/// Assume `role_arn` with the user's keys; a cached session with enough life left is
/// reused.
async fn assume_role(
    aws: &Aws,
    user: &InvokeCredentials,
    role_arn: &str,
    duration_seconds: i32,
) -> Result<InvokeCredentials, ApiKeyError> {
    const OPERATION: &str = "STS AssumeRole";
    let file = sessions_file();
    let key = session_key(role_arn, user);
    if let Some(hit) = file.as_ref().and_then(|f| cached_session(f, &key)) {
        return Ok(hit);
    }
    let now = now_unix();
    let out = aws
        .sts_as(user.to_sdk())
        .await?
        .assume_role()
        .role_arn(role_arn)
        .role_session_name(format!("api-key-{now}"))
        .duration_seconds(duration_seconds)
        .send()
        .await
        .map_err(|e| sdk_error(OPERATION, e))?;
    let c = out.credentials().ok_or(ApiKeyError::Incomplete {
        operation: OPERATION,
        what: "credentials",
    })?;
    let expires_at = u64::try_from(c.expiration().secs()).unwrap_or(now);
    let session = InvokeCredentials {
        access_key_id: c.access_key_id().to_owned(),
        secret_access_key: Secret::new(c.secret_access_key()),
        session_token: Some(Secret::new(c.session_token())),
        expires_at: Some(expires_at),
    };
    if let Some(file) = &file {
        remember_session(file, key, role_arn, &session);
    }
    Ok(session)
}

/// A cached session under `key` with enough life left.
fn cached_session(file: &CacheFile, key: &str) -> Option<InvokeCredentials> {
    let now = now_unix();
    let entry = file
        .read::<EntryMap<SessionRecord>>()?
        .entries
        .remove(key)
        .filter(|e| e.is_fresh(now, MIN_SESSION_LEFT))?;
    Some(InvokeCredentials {
        access_key_id: entry.value.access_key_id,
        secret_access_key: entry.value.secret_access_key,
        session_token: Some(entry.value.session_token),
        expires_at: entry.expires_at,
    })
}

/// Keep a role session under `key` until it expires (a failure only warns).
fn remember_session(file: &CacheFile, key: String, role_arn: &str, session: &InvokeCredentials) {
    let (Some(token), Some(expires_at)) = (&session.session_token, session.expires_at) else {
        return;
    };
    let record = SessionRecord {
        role_arn: role_arn.to_owned(),
        access_key_id: session.access_key_id.clone(),
        secret_access_key: session.secret_access_key.clone(),
        session_token: token.clone(),
    };
    let now = now_unix();
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
        warn(format_args!(
            "could not cache the role session: {}",
            chain(&e)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_role_is_in_the_callers_partition() {
        let stack: StackName = "Shop".parse().unwrap();
        assert_eq!(
            default_role_arn("aws-cn", "123456789012", &stack),
            "arn:aws-cn:iam::123456789012:role/Shop@api-invoke-role"
        );
    }

    #[test]
    fn a_child_gets_exactly_the_credentials_meant_for_it() {
        let creds = InvokeCredentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: Secret::new("s"),
            session_token: None,
            expires_at: None,
        };
        let mut child = std::process::Command::new("true");
        child.env("AWS_SECURITY_TOKEN", "stale");
        creds.apply_to(&mut child);
        let envs: Vec<_> = child
            .get_envs()
            .map(|(k, v)| (k.to_string_lossy().into_owned(), v.is_some()))
            .collect();
        for name in crate::env::AWS_CREDENTIAL_VARIABLES {
            let set = envs.iter().find(|(k, _)| k == name).map(|(_, s)| *s);
            match *name {
                "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" => {
                    assert_eq!(set, Some(true), "{name}")
                }
                _ => assert_eq!(set, Some(false), "{name} is cleared"),
            }
        }
    }
}
