//! The registry's record of a module version in its DynamoDB table, exactly as its own
//! `Module.create()` writes it: `pk` = namespace, `sk` = `Module~NS~NAME~SYSTEM~VERSION`,
//! and `namespace`, `system`, `name`, `version`, `bucket`, `key`, `expected_checksum`
//! (base64 of the archive's SHA-256, as S3 reports it), all strings, written only when
//! no record has that key (`attribute_not_exists(pk) AND attribute_not_exists(sk)`).
//! The registry's own download code then serves it.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::AttributeValue;

use super::address::{ModuleAddress, ModuleVersion};
use super::error::ModulesError;
use crate::aws::sdk_error;
use crate::registry::grants::is_condition_failed;

/// One module version's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModuleRecord {
    pub(crate) bucket: String,
    pub(crate) key: String,
    /// Base64 of the archive's SHA-256.
    pub(crate) expected_checksum: String,
}

/// What a conditional write of a record found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Written {
    /// It was written.
    New,
    /// The version already has this record.
    Exists(ModuleRecord),
}

/// The registry's table, as far as module records go.
pub(crate) struct ModuleTable {
    client: Client,
    table: String,
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn db_key(address: &ModuleAddress, version: &ModuleVersion) -> HashMap<String, AttributeValue> {
    HashMap::from([
        ("pk".to_owned(), s(address.namespace.as_str())),
        ("sk".to_owned(), s(&address.record_key(version))),
    ])
}

fn parse(item: &HashMap<String, AttributeValue>) -> Option<ModuleRecord> {
    let field = |name: &str| item.get(name)?.as_s().ok().cloned();
    Some(ModuleRecord {
        bucket: field("bucket")?,
        key: field("key")?,
        expected_checksum: field("expected_checksum")?,
    })
}

impl ModuleTable {
    pub(crate) fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub(crate) fn name(&self) -> &str {
        &self.table
    }

    fn map_err<E>(
        &self,
        operation: &'static str,
        e: aws_sdk_dynamodb::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
    ) -> ModulesError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if e.as_service_error().and_then(|s| s.code()) == Some("ResourceNotFoundException") {
            return ModulesError::NoTable {
                table: self.table.clone(),
            };
        }
        ModulesError::Aws(sdk_error(operation, e))
    }

    /// The item `Module.create()` writes.
    pub(crate) fn item(
        address: &ModuleAddress,
        version: &ModuleVersion,
        record: &ModuleRecord,
    ) -> HashMap<String, AttributeValue> {
        let mut item = db_key(address, version);
        for (name, value) in [
            ("namespace", address.namespace.as_str()),
            ("system", address.system.as_str()),
            ("name", address.name.as_str()),
            ("version", version.as_str()),
            ("bucket", &record.bucket),
            ("key", &record.key),
            ("expected_checksum", &record.expected_checksum),
        ] {
            item.insert(name.to_owned(), s(value));
        }
        item
    }

    /// Write the record unless the version has one (then that one, read back).
    pub(crate) async fn create(
        &self,
        address: &ModuleAddress,
        version: &ModuleVersion,
        record: &ModuleRecord,
    ) -> Result<Written, ModulesError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::item(address, version, record)))
            .condition_expression("attribute_not_exists(pk) AND attribute_not_exists(sk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(Written::New),
            Err(e) if is_condition_failed(&e) => match self.get(address, version).await? {
                Some(existing) => Ok(Written::Exists(existing)),
                // Unpublished in between: our write lost to a record that is gone now.
                None => Err(ModulesError::Raced {
                    module: address.to_string(),
                    version: version.to_string(),
                }),
            },
            Err(e) => Err(self.map_err("DynamoDB PutItem", e)),
        }
    }

    /// The version's record, if it has one.
    pub(crate) async fn get(
        &self,
        address: &ModuleAddress,
        version: &ModuleVersion,
    ) -> Result<Option<ModuleRecord>, ModulesError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(db_key(address, version)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| self.map_err("DynamoDB GetItem", e))?;
        Ok(out.item().and_then(parse))
    }

    /// Remove the version's record (only if it exists); what it held.
    pub(crate) async fn delete(
        &self,
        address: &ModuleAddress,
        version: &ModuleVersion,
    ) -> Result<Option<ModuleRecord>, ModulesError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(db_key(address, version)))
            .condition_expression("attribute_exists(pk) AND attribute_exists(sk)")
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await;
        match result {
            Ok(out) => Ok(out.attributes().and_then(parse)),
            Err(e) if is_condition_failed(&e) => Ok(None),
            Err(e) => Err(self.map_err("DynamoDB DeleteItem", e)),
        }
    }

    /// The module's other versions whose records name `bucket`/`key` (an archive
    /// published under several versions is one object).
    pub(crate) async fn versions_using(
        &self,
        address: &ModuleAddress,
        record: &ModuleRecord,
    ) -> Result<Vec<String>, ModulesError> {
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :ns AND begins_with(sk, :prefix)")
                .filter_expression("#b = :bucket AND #k = :key")
                .expression_attribute_names("#b", "bucket")
                .expression_attribute_names("#k", "key")
                .expression_attribute_values(":ns", s(address.namespace.as_str()))
                .expression_attribute_values(":prefix", s(&address.record_prefix()))
                .expression_attribute_values(":bucket", s(&record.bucket))
                .expression_attribute_values(":key", s(&record.key))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| self.map_err("DynamoDB Query", e))?;
            found.extend(
                out.items()
                    .iter()
                    .filter_map(|i| i.get("version")?.as_s().ok().cloned()),
            );
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
            }
        }
        Ok(found)
    }
}
