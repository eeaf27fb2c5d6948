//! The registry's grant records in DynamoDB, exactly as the registry writes and reads
//! them: `pk` = namespace, `sk` = `IAMBearerAuth~{role ARN}`, `namespace`,
//! `identifier` (the role ARN), `permissions` (a map of booleans). Module records
//! share the table (`sk` = `Module~...`) and are never read as grants or touched.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::aws::sdk_error;
use crate::exit::{failure, user_error};

/// The sort-key prefix of grant records (the registry's auth class name).
pub const GRANT_SK_PREFIX: &str = "IAMBearerAuth~";
/// The registry's default table name.
pub const DEFAULT_TABLE: &str = "terraform-registry";

/// The operations a grant can allow, in the registry's order.
pub const PERMISSIONS: [&str; 4] = ["download", "upload", "create_grant", "delete_grant"];

/// One grant: what a role may do in a namespace.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GrantRecord {
    pub namespace: String,
    pub role_arn: String,
    /// Every permission in [`PERMISSIONS`]; a permission missing from the record is false,
    /// as the registry reads it.
    pub permissions: Permissions,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Permissions {
    pub download: bool,
    pub upload: bool,
    pub create_grant: bool,
    pub delete_grant: bool,
}

impl Permissions {
    pub fn get(&self, name: &str) -> bool {
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
pub struct PermissionChanges {
    pub download: Option<bool>,
    pub upload: Option<bool>,
    pub create_grant: Option<bool>,
    pub delete_grant: Option<bool>,
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
}

/// Check a role ARN, turning an assumed-role or SSO session ARN into the IAM role
/// ARN the registry looks up (the registry's own rule). Returns the role ARN and,
/// when it was converted, a note saying so.
pub fn normalize_role_arn(input: &str) -> anyhow::Result<(String, Option<String>)> {
    let bad = |why: &str| {
        user_error(format!(
            "invalid role ARN {input:?}: {why}; expected arn:aws:iam::123456789012:role/NAME"
        ))
    };
    let parts: Vec<&str> = input.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return Err(bad("not an ARN"));
    }
    let (partition, service, region, account, resource) =
        (parts[1], parts[2], parts[3], parts[4], parts[5]);
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
                return Err(bad("grants are for IAM roles (role/...)"));
            };
            let segments: Vec<&str> = path_and_name.split('/').collect();
            if !segments.iter().all(|s| name_ok(s)) {
                return Err(bad("the role path or name has invalid characters"));
            }
            Ok((input.to_owned(), None))
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
            let arn = format!("arn:{partition}:iam::{account}:role/{resource}");
            let note = format!("{input} is a session; the registry looks up its role {arn}");
            Ok((arn, Some(note)))
        }
        other => Err(bad(&format!("service {other:?} is neither iam nor sts"))),
    }
}

/// Check a namespace as the registry's URL paths carry it.
pub fn validate_namespace(ns: &str) -> anyhow::Result<()> {
    let ok = !ns.is_empty()
        && ns.len() <= 64
        && ns
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(user_error(format!(
            "invalid namespace {ns:?}: use 1 to 64 letters, digits, dashes or underscores"
        )))
    }
}

fn key(namespace: &str, role_arn: &str) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), AttributeValue::S(namespace.to_owned())),
        (
            "sk".to_owned(),
            AttributeValue::S(format!("{GRANT_SK_PREFIX}{role_arn}")),
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
pub fn parse_record(item: &HashMap<String, AttributeValue>) -> Option<GrantRecord> {
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
pub struct GrantTable {
    client: Client,
    table: String,
}

impl GrantTable {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    fn not_found_table(&self, e: &crate::aws::AwsError) -> Option<anyhow::Error> {
        let text = e.to_string();
        text.contains("ResourceNotFoundException").then(|| {
            user_error(format!(
                "the table {:?} does not exist: pass --table or set TABLE",
                self.table
            ))
        })
    }

    fn map_err<E>(
        &self,
        op: &str,
        e: aws_sdk_dynamodb::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
    ) -> anyhow::Error
    where
        E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        let e = sdk_error(op, e);
        self.not_found_table(&e).unwrap_or_else(|| e.into())
    }

    /// Create a grant; fails (exit 1) when it exists, with no read-then-write race.
    pub async fn create(
        &self,
        namespace: &str,
        role_arn: &str,
        permissions: Permissions,
    ) -> anyhow::Result<GrantRecord> {
        let mut item = key(namespace, role_arn);
        item.insert(
            "namespace".to_owned(),
            AttributeValue::S(namespace.to_owned()),
        );
        item.insert(
            "identifier".to_owned(),
            AttributeValue::S(role_arn.to_owned()),
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
                namespace: namespace.to_owned(),
                role_arn: role_arn.to_owned(),
                permissions,
            }),
            Err(e) if is_condition_failed(&e) => Err(failure(format!(
                "a grant for {role_arn} in namespace {namespace} already exists: use `update` to change it"
            ))),
            Err(e) => Err(self.map_err("DynamoDB PutItem", e)),
        }
    }

    /// Change the named permissions of an existing grant; the others stay as they are.
    pub async fn update(
        &self,
        namespace: &str,
        role_arn: &str,
        changes: PermissionChanges,
    ) -> anyhow::Result<GrantRecord> {
        let named = changes.named();
        if named.is_empty() {
            return Err(user_error(
                "name a permission to change: --download, --upload, --create-grant, --delete-grant (or --no-...)",
            ));
        }
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(namespace, role_arn)))
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
        match result {
            Ok(out) => out
                .attributes()
                .and_then(parse_record)
                .ok_or_else(|| failure("DynamoDB returned no grant after the update")),
            Err(e) if is_condition_failed(&e) => Err(failure(format!(
                "no grant for {role_arn} in namespace {namespace}: create one with `create`"
            ))),
            Err(e) => Err(self.map_err("DynamoDB UpdateItem", e)),
        }
    }

    /// Delete a grant and return what was removed; exit 1 when there was none.
    pub async fn delete(&self, namespace: &str, role_arn: &str) -> anyhow::Result<GrantRecord> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(namespace, role_arn)))
            .condition_expression("attribute_exists(sk)")
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await;
        match result {
            Ok(out) => out
                .attributes()
                .and_then(parse_record)
                .ok_or_else(|| failure("DynamoDB returned nothing deleted")),
            Err(e) if is_condition_failed(&e) => Err(failure(format!(
                "no grant for {role_arn} in namespace {namespace}: nothing removed"
            ))),
            Err(e) => Err(self.map_err("DynamoDB DeleteItem", e)),
        }
    }

    pub async fn get(
        &self,
        namespace: &str,
        role_arn: &str,
    ) -> anyhow::Result<Option<GrantRecord>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(namespace, role_arn)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.map_err("DynamoDB GetItem", e))?;
        Ok(out.item().and_then(parse_record))
    }

    /// Every grant in a namespace (Query), for a role (Scan with a filter), or all
    /// (Scan), following every page.
    pub async fn list(
        &self,
        namespace: Option<&str>,
        role_arn: Option<&str>,
        page_size: Option<i32>,
    ) -> anyhow::Result<Vec<GrantRecord>> {
        let mut grants = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let (items, next) = match namespace {
                Some(ns) => {
                    let mut q = self
                        .client
                        .query()
                        .table_name(&self.table)
                        .key_condition_expression("pk = :ns AND begins_with(sk, :prefix)")
                        .expression_attribute_values(":ns", AttributeValue::S(ns.to_owned()))
                        .expression_attribute_values(
                            ":prefix",
                            AttributeValue::S(GRANT_SK_PREFIX.to_owned()),
                        )
                        .set_limit(page_size)
                        .set_exclusive_start_key(start.take());
                    if let Some(role) = role_arn {
                        q = q
                            .filter_expression("identifier = :role")
                            .expression_attribute_values(
                                ":role",
                                AttributeValue::S(role.to_owned()),
                            );
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
                        .expression_attribute_values(
                            ":prefix",
                            AttributeValue::S(GRANT_SK_PREFIX.to_owned()),
                        )
                        .set_limit(page_size)
                        .set_exclusive_start_key(start.take());
                    s = match role_arn {
                        Some(role) => s
                            .filter_expression("begins_with(sk, :prefix) AND identifier = :role")
                            .expression_attribute_values(
                                ":role",
                                AttributeValue::S(role.to_owned()),
                            ),
                        None => s.filter_expression("begins_with(sk, :prefix)"),
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

fn is_condition_failed<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(
    e: &aws_sdk_dynamodb::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> bool {
    e.as_service_error().and_then(|s| s.code()) == Some("ConditionalCheckFailedException")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        let (arn, note) = normalize_role_arn("arn:aws:iam::123456789012:role/deploy").unwrap();
        assert_eq!(arn, "arn:aws:iam::123456789012:role/deploy");
        assert!(note.is_none());
        assert!(normalize_role_arn("arn:aws:iam::123456789012:role/team/ci/deploy").is_ok());
        let (arn, note) =
            normalize_role_arn("arn:aws:sts::123456789012:assumed-role/deploy/alice").unwrap();
        assert_eq!(arn, "arn:aws:iam::123456789012:role/deploy");
        assert!(note.is_some());
        let (arn, _) =
            normalize_role_arn("arn:aws-us-gov:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123/bob@example.com").unwrap();
        assert_eq!(
            arn,
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
            assert!(normalize_role_arn(bad).is_err(), "{bad}");
        }
    }
}
