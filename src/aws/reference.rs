//! Values that name deployed things, given as they are or as references to where the
//! stacks publish them: `ssm:/parameter/name` (SSM GetParameter, decrypted) or
//! `stack:STACK/OUTPUT` (a CloudFormation output). A stack's outputs and parameter
//! values are cached in the cache folder, so a command answered from the cache still
//! makes no network call.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::{AwsError, sdk_error};
use super::session::Aws;
use crate::cache::{CacheDir, CacheFile, Entry, EntryMap, now_unix};
use crate::diag::warn;
use crate::exit::chain;
use crate::secret::Secret;

/// Parameter values and stack outputs keep different records: one file each.
const PARAMETERS_FILE: &str = "ssm_references.json";
const OUTPUTS_FILE: &str = "stack_outputs.json";

/// How long a resolved reference is reused.
pub(crate) const REFERENCE_MAX_AGE: u64 = 15 * 60;
/// How long a stack's outputs are kept at most (callers may ask for fresher).
pub(crate) const OUTPUTS_KEPT: u64 = 24 * 60 * 60;

/// Where a value is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reference {
    /// An SSM parameter, by name.
    Ssm(String),
    /// A CloudFormation stack's output, by key.
    Output { stack: String, output: String },
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Ssm(name) => write!(f, "ssm:{name}"),
            Reference::Output { stack, output } => write!(f, "stack:{stack}/{output}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ReferenceError {
    #[error("{reference}: there is no SSM parameter {name}")]
    NoParameter { reference: String, name: String },
    #[error("{reference}: there is no stack {stack} in this account and region")]
    NoStack { reference: String, stack: String },
    #[error("{reference}: the stack {stack} has no output {output} (it has: {available})")]
    NoOutput {
        reference: String,
        stack: String,
        output: String,
        available: String,
    },
    #[error("{reference} names {}, which is not usable here: {reason}", crate::diag::Quoted(.value))]
    Invalid {
        reference: String,
        value: String,
        reason: String,
    },
    #[error(transparent)]
    Aws(#[from] AwsError),
}

fn valid_stack_name(s: &str) -> bool {
    s.len() <= 128
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl Reference {
    /// `ssm:NAME` or `stack:STACK/OUTPUT`; `Ok(None)` for text that is no reference.
    pub(crate) fn parse(s: &str) -> Result<Option<Self>, String> {
        if let Some(name) = s.strip_prefix("ssm:") {
            let ok = !name.is_empty()
                && name.len() <= 2048
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/_.-".contains(&b));
            return if ok {
                Ok(Some(Reference::Ssm(name.to_owned())))
            } else {
                Err(format!(
                    "{} is not an SSM parameter reference: write ssm:/parameter/name",
                    crate::diag::Quoted(s)
                ))
            };
        }
        if let Some(rest) = s.strip_prefix("stack:") {
            return match rest.split_once('/') {
                Some((stack, output))
                    if valid_stack_name(stack)
                        && !output.is_empty()
                        && output.bytes().all(|b| b.is_ascii_alphanumeric()) =>
                {
                    Ok(Some(Reference::Output {
                        stack: stack.to_owned(),
                        output: output.to_owned(),
                    }))
                }
                _ => Err(format!(
                    "{} is not a stack output reference: write stack:STACK/OUTPUT (the output key has letters and digits only)",
                    crate::diag::Quoted(s)
                )),
            };
        }
        Ok(None)
    }

    /// The value, from the cache when it was resolved less than [`REFERENCE_MAX_AGE`]
    /// ago, else from AWS.
    pub(crate) async fn resolve(&self, aws: &Aws) -> Result<Secret, ReferenceError> {
        match self {
            Reference::Ssm(name) => parameter(aws, self, name).await,
            Reference::Output { stack, output } => {
                let outputs = stack_outputs(aws, stack, REFERENCE_MAX_AGE, false)
                    .await
                    .map_err(|e| e.for_reference(self))?;
                match outputs.get(output) {
                    Some(v) => Ok(Secret::new(v)),
                    None => Err(ReferenceError::NoOutput {
                        reference: self.to_string(),
                        stack: stack.clone(),
                        output: output.clone(),
                        available: available(&outputs),
                    }),
                }
            }
        }
    }
}

fn available(outputs: &BTreeMap<String, String>) -> String {
    if outputs.is_empty() {
        "no outputs".to_owned()
    } else {
        outputs.keys().cloned().collect::<Vec<_>>().join(", ")
    }
}

impl ReferenceError {
    fn for_reference(self, reference: &Reference) -> Self {
        match self {
            ReferenceError::NoStack { stack, .. } => ReferenceError::NoStack {
                reference: reference.to_string(),
                stack,
            },
            other => other,
        }
    }
}

/// A value of type `T` given as it is, or as a [`Reference`] to where it is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ref<T> {
    Value(T),
    Reference(Reference),
}

impl<T> FromStr for Ref<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match Reference::parse(s)? {
            Some(r) => Ok(Ref::Reference(r)),
            None => T::from_str(s).map(Ref::Value).map_err(|e| e.to_string()),
        }
    }
}

impl<T> Ref<T>
where
    T: FromStr + Clone,
    T::Err: fmt::Display,
{
    /// The value, looking a reference up (cached briefly).
    pub(crate) async fn resolve(&self, aws: &Aws) -> Result<T, ReferenceError> {
        match self {
            Ref::Value(v) => Ok(v.clone()),
            Ref::Reference(r) => {
                let value = r.resolve(aws).await?;
                let text = value.expose().trim();
                T::from_str(text).map_err(|e| ReferenceError::Invalid {
                    reference: r.to_string(),
                    value: text.chars().take(200).collect(),
                    reason: e.to_string(),
                })
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Resolved {
    #[serde(serialize_with = "crate::secret::serialize_exposed")]
    value: Secret,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Outputs {
    fetched_at: u64,
    outputs: BTreeMap<String, String>,
}

fn cache_file(name: &str) -> Option<CacheFile> {
    match CacheDir::open() {
        Ok(dir) => Some(dir.file(name)),
        Err(e) => {
            warn(format_args!("not caching references: {}", chain(&e)));
            None
        }
    }
}

async fn parameter(aws: &Aws, reference: &Reference, name: &str) -> Result<Secret, ReferenceError> {
    let key = format!("{}|{reference}", aws.cache_scope());
    let file = cache_file(PARAMETERS_FILE);
    let now = now_unix();
    if let Some(hit) = file
        .as_ref()
        .and_then(|f| f.read::<EntryMap<Resolved>>())
        .and_then(|mut m| m.entries.remove(&key))
        .filter(|e| e.is_fresh(now, 1))
    {
        return Ok(hit.value.value);
    }
    let value = aws
        .parameter(name)
        .await?
        .ok_or_else(|| ReferenceError::NoParameter {
            reference: reference.to_string(),
            name: name.to_owned(),
        })?
        .value;
    if let Some(file) = file {
        let record = Resolved {
            value: value.clone(),
        };
        let result = file.update(|m: &mut EntryMap<Resolved>| {
            m.prune(now);
            m.entries.insert(
                key,
                Entry {
                    value: record,
                    expires_at: Some(now + REFERENCE_MAX_AGE),
                },
            );
        });
        if let Err(e) = result {
            warn(format_args!("could not cache {reference}: {}", chain(&e)));
        }
    }
    Ok(value)
}

/// A stack's outputs (key to value), from the cache when fetched less than `max_age`
/// seconds ago (and `refresh` is off), else from CloudFormation DescribeStacks.
pub(crate) async fn stack_outputs(
    aws: &Aws,
    stack: &str,
    max_age: u64,
    refresh: bool,
) -> Result<BTreeMap<String, String>, ReferenceError> {
    let key = format!("{}|stack:{stack}", aws.cache_scope());
    let file = cache_file(OUTPUTS_FILE);
    let now = now_unix();
    if !refresh
        && let Some(hit) = file
            .as_ref()
            .and_then(|f| f.read::<EntryMap<Outputs>>())
            .and_then(|mut m| m.entries.remove(&key))
            .filter(|e| e.is_fresh(now, 1) && e.value.fetched_at + max_age > now)
    {
        return Ok(hit.value.outputs);
    }
    let out = aws
        .cloudformation()
        .await?
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await;
    let out = match out {
        Ok(out) => out,
        // CloudFormation answers a missing stack with a generic ValidationError.
        Err(e)
            if e.as_service_error().is_some_and(|s| {
                aws_sdk_cloudformation::error::ProvideErrorMetadata::code(s)
                    == Some("ValidationError")
            }) =>
        {
            return Err(ReferenceError::NoStack {
                reference: format!("stack {stack}"),
                stack: stack.to_owned(),
            });
        }
        Err(e) => return Err(sdk_error("CloudFormation DescribeStacks", e).into()),
    };
    let outputs: BTreeMap<String, String> = out
        .stacks()
        .first()
        .map(|s| {
            s.outputs()
                .iter()
                .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
                .collect()
        })
        .ok_or_else(|| ReferenceError::NoStack {
            reference: format!("stack {stack}"),
            stack: stack.to_owned(),
        })?;
    if let Some(file) = file {
        let record = Outputs {
            fetched_at: now,
            outputs: outputs.clone(),
        };
        let result = file.update(|m: &mut EntryMap<Outputs>| {
            m.prune(now);
            m.entries.insert(
                key,
                Entry {
                    value: record,
                    expires_at: Some(now + OUTPUTS_KEPT),
                },
            );
        });
        if let Err(e) = result {
            warn(format_args!(
                "could not cache the outputs of {stack}: {}",
                chain(&e)
            ));
        }
    }
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_plain_values() {
        assert_eq!(
            Reference::parse("ssm:/shop/bucket").unwrap(),
            Some(Reference::Ssm("/shop/bucket".into()))
        );
        assert_eq!(
            Reference::parse("stack:Shop-Api/APIEndpoint").unwrap(),
            Some(Reference::Output {
                stack: "Shop-Api".into(),
                output: "APIEndpoint".into()
            })
        );
        assert_eq!(Reference::parse("my-bucket").unwrap(), None);
        for bad in [
            "ssm:",
            "ssm:/a b",
            "stack:Shop",
            "stack:Shop/API:IAM",
            "stack:/X",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
        let r: Ref<u16> = "42".parse().unwrap();
        assert_eq!(r, Ref::Value(42));
        assert!("x".parse::<Ref<u16>>().is_err());
        let r: Ref<u16> = "ssm:/n".parse().unwrap();
        assert_eq!(r.to_string_for_test(), "ssm:/n");
    }

    impl<T> Ref<T> {
        fn to_string_for_test(&self) -> String {
            match self {
                Ref::Value(_) => "value".into(),
                Ref::Reference(r) => r.to_string(),
            }
        }
    }
}
