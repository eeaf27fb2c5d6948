//! `~/.cdk/cache/apigw_api_keys.json`, shared with the aws-cdk-secure-api construct:
//! `{"<account>": {"<stack>": "<key>"}}`, written as Python's `json.dump` writes it
//! (`", "` and `": "` separators, ASCII escapes, no newline, entries in file order).

use super::{AccountId, StackName};
use crate::cache::{CacheDir, CacheError, CacheFile, Document};
use crate::pyjson::{self, Json};
use crate::secret::Secret;

const FILE_NAME: &str = "apigw_api_keys.json";

/// The whole file, in its order; other accounts' and stacks' entries are kept as read.
#[derive(Debug, Clone, Default)]
struct ApiKeyDocument(Vec<(String, Json)>);

impl Document for ApiKeyDocument {
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_owned())?;
        match pyjson::parse(text) {
            Ok(Json::Object(fields)) => Ok(Self(fields)),
            Ok(_) => Err("not a JSON object".to_owned()),
            Err(e) => Err(format!("not valid JSON: {e}")),
        }
    }

    fn render(&self) -> Result<Vec<u8>, String> {
        Ok(Json::Object(self.0.clone()).dumps_default().into_bytes())
    }
}

impl ApiKeyDocument {
    /// Change the stacks of `account` (added at the end when it is new).
    fn with_stacks(&mut self, account: &str, change: impl FnOnce(&mut Vec<(String, Json)>)) {
        let pos = match self.0.iter().position(|(k, _)| k == account) {
            Some(pos) => pos,
            None => {
                self.0.push((account.to_owned(), Json::Object(Vec::new())));
                self.0.len() - 1
            }
        };
        let slot = &mut self.0[pos].1;
        let mut stacks = match std::mem::replace(slot, Json::Null) {
            Json::Object(stacks) => stacks,
            _ => Vec::new(),
        };
        change(&mut stacks);
        *slot = Json::Object(stacks);
    }
}

pub(crate) struct ApiKeyCache {
    file: CacheFile,
}

impl ApiKeyCache {
    pub(crate) fn open() -> Result<Self, CacheError> {
        Ok(Self {
            file: CacheDir::open()?.file(FILE_NAME),
        })
    }

    pub(crate) fn get(&self, account: &AccountId, stack: &StackName) -> Option<Secret> {
        let doc: ApiKeyDocument = self.file.read()?;
        let stacks = doc.0.iter().find(|(k, _)| k == account.as_str())?;
        stacks.1.get(stack.as_str())?.as_str().map(Secret::new)
    }

    /// Merge one entry under the cache lock; every other entry stays as it was.
    pub(crate) fn put(
        &self,
        account: &AccountId,
        stack: &StackName,
        key: &Secret,
    ) -> Result<(), CacheError> {
        self.file.update(|doc: &mut ApiKeyDocument| {
            doc.with_stacks(account.as_str(), |stacks| {
                let value = Json::Str(key.expose().to_owned());
                match stacks.iter_mut().find(|(k, _)| k == stack.as_str()) {
                    Some(slot) => slot.1 = value,
                    None => stacks.push((stack.as_str().to_owned(), value)),
                }
            });
        })
    }

    /// Drop one entry (or the stack under every account with `account = None`);
    /// returns whether anything was removed.
    pub(crate) fn forget(
        &self,
        account: Option<&AccountId>,
        stack: &StackName,
    ) -> Result<bool, CacheError> {
        if !self.file.exists() {
            return Ok(false);
        }
        self.file.update(|doc: &mut ApiKeyDocument| {
            let mut removed = false;
            for (acct, stacks) in doc.0.iter_mut() {
                if account.is_some_and(|a| a.as_str() != acct) {
                    continue;
                }
                if let Json::Object(stacks) = stacks {
                    let before = stacks.len();
                    stacks.retain(|(k, _)| k != stack.as_str());
                    removed |= stacks.len() != before;
                }
            }
            removed
        })
    }
}
