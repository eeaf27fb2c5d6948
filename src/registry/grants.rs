//! The registry's grant records in DynamoDB, exactly as the registry writes and reads
//! them: `pk` = namespace, `sk` = `IAMBearerAuth~{role ARN}`, `namespace`,
//! `identifier` (the role ARN), `permissions` (a map of booleans). Module records
//! share the table (`sk` = `Module~...`) and are never read as grants or touched.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::aws::arn::RoleArn;
use crate::aws::{AwsError, sdk_error};

/// The sort-key prefix of grant records (the registry's auth class name).
const GRANT_SK_PREFIX: &str = "IAMBearerAuth~";
/// The registry's default table name.
pub(crate) const DEFAULT_TABLE: &str = "terraform-registry";

/// The operations a grant can allow, in the registry's order.
pub(crate) const PERMISSIONS: [&str; 4] = ["download", "upload", "create_grant", "delete_grant"];

#[derive(Debug, thiserror::Error)]
pub(crate) enum GrantError {
    #[error(
        "a grant for {role} in namespace {namespace} already exists: use `update` to change it"
    )]
    Exists { role: RoleArn, namespace: Namespace },
    #[error("no grant for {role} in namespace {namespace}: {hint}")]
    NoSuchGrant {
        role: RoleArn,
        namespace: Namespace,
        hint: &'static str,
    },
    #[error("the table {table:?} does not exist: pass --table or set TABLE")]
    NoTable { table: String },
    #[error(
        "name a permission to change: --download, --upload, --create-grant, --delete-grant (or --no-...)"
    )]
    NothingToChange,
    #[error("{operation} returned no grant record")]
    NoRecord { operation: &'static str },
    #[error(transparent)]
    Aws(#[from] AwsError),
}

/// One grant: what a role may do in a namespace.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct GrantRecord {
    pub(crate) namespace: String,
    pub(crate) role_arn: String,
    /// Every permission in [`PERMISSIONS`]; a permission missing from the record is false,
    /// as the registry reads it.
    pub(crate) permissions: Permissions,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Permissions {
    pub(crate) download: bool,
    pub(crate) upload: bool,
    pub(crate) create_grant: bool,
    pub(crate) delete_grant: bool,
}

impl Permissions {
    pub(crate) fn get(&self, name: &str) -> bool {
        match name {
            "download" => self.download,
            "upload" => self.upload,
            "create_grant" => self.create_grant,
            "delete_grant" => self.delete_grant,
            _ => false,
        }
    }

    fn set(&mut self, name: &str, value: bool) {
        match name {
            "download" => self.download = value,
            "upload" => self.upload = value,
            "create_grant" => self.create_grant = value,
            "delete_grant" => self.delete_grant = value,
            _ => {}
        }
    }
}

/// Permission changes: `Some(v)` sets, `None` leaves as it is.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PermissionChanges {
    pub(crate) download: Option<bool>,
    pub(crate) upload: Option<bool>,
    pub(crate) create_grant: Option<bool>,
    pub(crate) delete_grant: Option<bool>,
}

impl PermissionChanges {
    fn named(&self) -> Vec<(&'static str, bool)> {
        [
            ("download", self.download),
            ("upload", self.upload),
            ("create_grant", self.create_grant),
            ("delete_grant", self.delete_grant),
        ]
        .into_iter()
        .filter_map(|(n, v)| v.map(|v| (n, v)))
        .collect()
    }

    /// The permissions of a new grant: what is named, the rest off.
    pub(crate) fn or_off(&self) -> Permissions {
        Permissions {
            download: self.download.unwrap_or(false),
            upload: self.upload.unwrap_or(false),
            create_grant: self.create_grant.unwrap_or(false),
            delete_grant: self.delete_grant.unwrap_or(false),
        }
    }
}

/// A registry namespace as the registry's URL paths carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Namespace(String);

impl Namespace {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid namespace {}: use 1 to 64 letters, digits, dashes or underscores", crate::diag::Quoted(.0))]
pub(crate) struct NamespaceError(String);

impl FromStr for Namespace {
    type Err = NamespaceError;

    fn from_str(ns: &str) -> Result<Self, NamespaceError> {
        let ok = !ns.is_empty()
            && ns.len() <= 64
            && ns
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(ns.to_owned()))
        } else {
            Err(NamespaceError(ns.to_owned()))
        }
    }
}

fn key(namespace: &Namespace, role: &RoleArn) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (
            "pk".to_owned(),
            AttributeValue::S(namespace.as_str().to_owned()),
        ),
        (
            "sk".to_owned(),
            AttributeValue::S(format!("{GRANT_SK_PREFIX}{role}")),
        ),
    ])
}

fn permissions_map(p: &Permissions) -> AttributeValue {
    AttributeValue::M(
        PERMISSIONS
            .iter()
            .map(|n| ((*n).to_owned(), AttributeValue::Bool(p.get(n))))
            .collect(),
    )
}

/// Read a grant record; `None` for anything that is not one (e.g. a module record).
fn parse_record(item: &HashMap<String, AttributeValue>) -> Option<GrantRecord> {
    let sk = item.get("sk")?.as_s().ok()?;
    let role_from_sk = sk.strip_prefix(GRANT_SK_PREFIX)?;
    let namespace = item
        .get("namespace")
        .and_then(|v| v.as_s().ok())
        .or_else(|| item.get("pk")?.as_s().ok())?;
    let role_arn = item
        .get("identifier")
        .and_then(|v| v.as_s().ok())
        .map_or(role_from_sk, |s| s.as_str());
    let mut permissions = Permissions::default();
    if let Some(AttributeValue::M(map)) = item.get("permissions") {
        for name in PERMISSIONS {
            // The registry allows an operation only when the value is true.
            permissions.set(
                name,
                matches!(map.get(name), Some(AttributeValue::Bool(true))),
            );
        }
    }
    Some(GrantRecord {
        namespace: namespace.clone(),
        role_arn: role_arn.to_owned(),
        permissions,
    })
}

/// The grants table.
pub(crate) struct GrantTable {
    client: Client,
    table: String,
}

impl GrantTable {
    pub(crate) fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    fn map_err<E>(
        &self,
        operation: &'static str,
        e: aws_sdk_dynamodb::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
    ) -> GrantError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if e.as_service_error().and_then(|s| s.code()) == Some("ResourceNotFoundException") {
            return GrantError::NoTable {
                table: self.table.clone(),
            };
        }
        GrantError::Aws(sdk_error(operation, e))
    }

    /// The answer to a write conditioned on the grant existing: a failed condition means
    /// there is no such grant.
    fn existing<O, E>(
        &self,
        result: Result<
            O,
            aws_sdk_dynamodb::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
        >,
        operation: &'static str,
        namespace: &Namespace,
        role: &RoleArn,
        hint: &'static str,
    ) -> Result<O, GrantError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match result {
            Ok(out) => Ok(out),
            Err(e) if is_condition_failed(&e) => Err(GrantError::NoSuchGrant {
                role: role.clone(),
                namespace: namespace.clone(),
                hint,
            }),
            Err(e) => Err(self.map_err(operation, e)),
        }
    }

    /// Create a grant; fails when it exists, with no read-then-write race.
    pub(crate) async fn create(
        &self,
        namespace: &Namespace,
        role: &RoleArn,
        permissions: Permissions,
    ) -> Result<GrantRecord, GrantError> {
        let mut item = key(namespace, role);
        item.insert(
            "namespace".to_owned(),
            AttributeValue::S(namespace.as_str().to_owned()),
        );
        item.insert(
            "identifier".to_owned(),
            AttributeValue::S(role.as_str().to_owned()),
        );
        item.insert("permissions".to_owned(), permissions_map(&permissions));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) AND attribute_not_exists(sk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(GrantRecord {
                namespace: namespace.as_str().to_owned(),
                role_arn: role.as_str().to_owned(),
                permissions,
            }),
            Err(e) if is_condition_failed(&e) => Err(GrantError::Exists {
                role: role.clone(),
                namespace: namespace.clone(),
            }),
            Err(e) => Err(self.map_err("DynamoDB PutItem", e)),
        }
    }

    /// Change the named permissions of an existing grant; the others stay as they are.
    pub(crate) async fn update(
        &self,
        namespace: &Namespace,
        role: &RoleArn,
        changes: PermissionChanges,
    ) -> Result<GrantRecord, GrantError> {
        let named = changes.named();
        if named.is_empty() {
            return Err(GrantError::NothingToChange);
        }
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(namespace, role)))
            .condition_expression("attribute_exists(sk)")
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .expression_attribute_names("#p", "permissions");
        let mut sets = Vec::new();
        for (i, (name, value)) in named.iter().enumerate() {
            sets.push(format!("#p.#n{i} = :v{i}"));
            request = request
                .expression_attribute_names(format!("#n{i}"), *name)
                .expression_attribute_values(format!(":v{i}"), AttributeValue::Bool(*value));
        }
        let result = request
            .update_expression(format!("SET {}", sets.join(", ")))
            .send()
            .await;
        let out = self.existing(
            result,
            "DynamoDB UpdateItem",
            namespace,
            role,
            "create one with `create`",
        )?;
        record_of(out.attributes(), "DynamoDB UpdateItem")
    }

    /// Delete a grant and return what was removed; an error when there was none.
    pub(crate) async fn delete(
        &self,
        namespace: &Namespace,
        role: &RoleArn,
    ) -> Result<GrantRecord, GrantError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(namespace, role)))
            .condition_expression("attribute_exists(sk)")
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await;
        let out = self.existing(
            result,
            "DynamoDB DeleteItem",
            namespace,
            role,
            "nothing removed",
        )?;
        record_of(out.attributes(), "DynamoDB DeleteItem")
    }

    /// One grant; an error when there is none.
    pub(crate) async fn get(
        &self,
        namespace: &Namespace,
        role: &RoleArn,
    ) -> Result<GrantRecord, GrantError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(namespace, role)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.map_err("DynamoDB GetItem", e))?;
        out.item()
            .and_then(parse_record)
            .ok_or_else(|| GrantError::NoSuchGrant {
                role: role.clone(),
                namespace: namespace.clone(),
                hint: "create one with `create`",
            })
    }

    /// Every grant in a namespace (Query), for a role (Scan with a filter), or all
    /// (Scan), following every page.
    pub(crate) async fn list(
        &self,
        namespace: Option<&Namespace>,
        role: Option<&RoleArn>,
        page_size: Option<i32>,
    ) -> Result<Vec<GrantRecord>, GrantError> {
        let mut grants = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        let prefix = || AttributeValue::S(GRANT_SK_PREFIX.to_owned());
        let role_value =
            || AttributeValue::S(role.map(|r| r.as_str().to_owned()).unwrap_or_default());
        loop {
            let (items, next) = match namespace {
                Some(ns) => {
                    let mut q = self
                        .client
                        .query()
                        .table_name(&self.table)
                        .key_condition_expression("pk = :ns AND begins_with(sk, :prefix)")
                        .expression_attribute_values(
                            ":ns",
                            AttributeValue::S(ns.as_str().to_owned()),
                        )
                        .expression_attribute_values(":prefix", prefix())
                        .set_limit(page_size)
                        .set_exclusive_start_key(start.take());
                    if role.is_some() {
                        q = q
                            .filter_expression("identifier = :role")
                            .expression_attribute_values(":role", role_value());
                    }
                    let out = q
                        .send()
                        .await
                        .map_err(|e| self.map_err("DynamoDB Query", e))?;
                    (out.items.unwrap_or_default(), out.last_evaluated_key)
                }
                None => {
                    let mut s = self
                        .client
                        .scan()
                        .table_name(&self.table)
                        .expression_attribute_values(":prefix", prefix())
                        .set_limit(page_size)
                        .set_exclusive_start_key(start.take());
                    s = if role.is_some() {
                        s.filter_expression("begins_with(sk, :prefix) AND identifier = :role")
                            .expression_attribute_values(":role", role_value())
                    } else {
                        s.filter_expression("begins_with(sk, :prefix)")
                    };
                    let out = s
                        .send()
                        .await
                        .map_err(|e| self.map_err("DynamoDB Scan", e))?;
                    (out.items.unwrap_or_default(), out.last_evaluated_key)
                }
            };
            grants.extend(items.iter().filter_map(parse_record));
            match next {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        grants.sort_by(|a, b| (&a.namespace, &a.role_arn).cmp(&(&b.namespace, &b.role_arn)));
        Ok(grants)
    }
}

/// The grant a write returned.
fn record_of(
    attributes: Option<&HashMap<String, AttributeValue>>,
    operation: &'static str,
) -> Result<GrantRecord, GrantError> {
    attributes
        .and_then(parse_record)
        .ok_or(GrantError::NoRecord { operation })
}

pub(crate) fn is_condition_failed<E: ProvideErrorMetadata>(
    e: &aws_sdk_dynamodb::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> bool {
    e.as_service_error().and_then(|s| s.code()) == Some("ConditionalCheckFailedException")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces() {
        assert!("platform-1_x".parse::<Namespace>().is_ok());
        for bad in ["", "bad/ns", "a b", &"x".repeat(65)] {
            assert!(bad.parse::<Namespace>().is_err(), "{bad}");
        }
    }
}
