//! `~/.cdk/cache/apigw_api_keys.json`, shared with the aws-cdk-secure-api construct:
//! `{"<account>": {"<stack>": "<key>"}}`, written as Python's `json.dump` writes it
//! (`", "` and `": "` separators, ASCII escapes, no newline, entries in file order).

use serde_json::{Map, Value};

use crate::cache::{CacheDir, CacheError, CacheFile, Document};
use crate::secret::Secret;

pub const FILE_NAME: &str = "apigw_api_keys.json";

/// The whole file, in its order; other accounts' and stacks' entries are kept as read.
#[derive(Debug, Default, Clone)]
pub struct ApiKeyDocument(Map<String, Value>);

impl Document for ApiKeyDocument {
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        match serde_json::from_slice(bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err("not a JSON object".to_owned()),
            Err(e) => Err(format!("not valid JSON: {e}")),
        }
    }

    fn render(&self) -> Vec<u8> {
        crate::pyjson::dumps_default(&Value::Object(self.0.clone())).into_bytes()
    }
}

pub struct ApiKeyCache {
    file: CacheFile,
}

impl ApiKeyCache {
    pub fn open() -> Result<Self, CacheError> {
        Ok(Self {
            file: CacheDir::locate()?.file(FILE_NAME),
        })
    }

    pub fn get(&self, account: &str, stack: &str) -> Option<Secret> {
        let doc: ApiKeyDocument = self.file.read()?;
        doc.0.get(account)?.get(stack)?.as_str().map(Secret::new)
    }

    /// Merge one entry under the cache lock; every other entry stays as it was.
    pub fn put(&self, account: &str, stack: &str, key: &Secret) -> Result<(), CacheError> {
        self.file.update(|doc: &mut ApiKeyDocument| {
            let entry = doc
                .0
                .entry(account.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(stacks) = entry {
                stacks.insert(stack.to_owned(), Value::String(key.expose().to_owned()));
            }
        })
    }

    /// Drop one entry (or the stack under every account with `account = None`);
    /// returns whether anything was removed.
    pub fn forget(&self, account: Option<&str>, stack: &str) -> Result<bool, CacheError> {
        if !self.file.path().exists() {
            return Ok(false);
        }
        self.file.update(|doc: &mut ApiKeyDocument| {
            let mut removed = false;
            for (acct, stacks) in doc.0.iter_mut() {
                if account.is_some_and(|a| a != acct) {
                    continue;
                }
                if let Value::Object(stacks) = stacks {
                    removed |= stacks.shift_remove(stack).is_some();
                }
            }
            removed
        })
    }
}
