//! Values that name deployed things, given as they are or as references to where the
//! stacks publish them: an SSM parameter (GetParameter, decrypted) or a CloudFormation
//! stack's output, in the caller's region or in one the reference names:
//!
//! | form | where |
//! |------|-------|
//! | `ssm:/NAME` | the caller's region and account |
//! | `ssm:REGION:/NAME` | REGION, the caller's account |
//! | `ssm:arn:aws:ssm:REGION:ACCOUNT:parameter/NAME` | REGION; ACCOUNT may be another that shares the parameter (AWS RAM) |
//! | `stack:STACK/OUTPUT` | the caller's region and account |
//! | `stack:REGION:STACK/OUTPUT` | REGION, the caller's account |
//! | `stack:arn:aws:cloudformation:REGION:ACCOUNT:stack/STACK/ID/OUTPUT` | REGION; ACCOUNT must be the caller's |
//!
//! Parameter names and stack names hold no `:`, so a `:` after the prefix always
//! starts a region or an ARN, and the older forms keep their meaning. Values are
//! cached in the cache folder, keyed by identity, region and endpoint, so a command
//! answered from the cache still makes no network call.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::{AwsError, sdk_error};
use super::session::Aws;
use crate::cache::{CacheDir, CacheFile, Entry, EntryMap, now_unix};
use crate::diag::{Quoted, warn};
use crate::exit::chain;
use crate::secret::Secret;

/// Parameter values and stack outputs keep different records: one file each.
const PARAMETERS_FILE: &str = "ssm_references.json";
const OUTPUTS_FILE: &str = "stack_outputs.json";

/// How long a resolved reference is reused.
pub(crate) const REFERENCE_MAX_AGE: u64 = 15 * 60;
/// How long a stack's outputs are kept at most (callers may ask for fresher).
pub(crate) const OUTPUTS_KEPT: u64 = 24 * 60 * 60;

/// An SSM parameter: its name or ARN, and the region it is in when named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SsmRef {
    /// `None`: the caller's region. An ARN's region when `name` is one.
    pub(crate) region: Option<String>,
    /// The name (`/a/b`) or the full ARN, as GetParameter takes either.
    pub(crate) name: String,
    /// Whether the reference was written with a region (`ssm:REGION:NAME`).
    short_region: bool,
}

/// A CloudFormation stack: its name or ARN, and the region it is in when named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StackRef {
    /// `None`: the caller's region. An ARN's region when `stack` is one.
    pub(crate) region: Option<String>,
    /// The name, or the stack ARN (DescribeStacks takes either).
    pub(crate) stack: String,
    /// The account an ARN names.
    account: Option<String>,
    short_region: bool,
}

impl StackRef {
    /// The stack `name` in the caller's region.
    pub(crate) fn named(name: &str) -> Self {
        Self {
            region: None,
            stack: name.to_owned(),
            account: None,
            short_region: false,
        }
    }
}

impl fmt::Display for StackRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.region, self.short_region) {
            (Some(region), true) => write!(f, "{region}:{}", self.stack),
            _ => f.write_str(&self.stack),
        }
    }
}

/// Where a value is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reference {
    /// An SSM parameter.
    Ssm(SsmRef),
    /// A CloudFormation stack's output, by key.
    Output { stack: StackRef, output: String },
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Ssm(p) => match (&p.region, p.short_region) {
                (Some(region), true) => write!(f, "ssm:{region}:{}", p.name),
                _ => write!(f, "ssm:{}", p.name),
            },
            Reference::Output { stack, output } => write!(f, "stack:{stack}/{output}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ReferenceError {
    #[error("{reference}: there is no SSM parameter {name} in {region}{}", if *.by_arn { " (or its account does not share it with this one)" } else { "" })]
    NoParameter {
        reference: String,
        name: String,
        region: String,
        by_arn: bool,
    },
    #[error("{reference}: there is no stack {stack} in {region} in this account")]
    NoStack {
        reference: String,
        stack: String,
        region: String,
    },
    #[error(
        "{reference}: the stack {stack} in {region} has no output {output} (it has: {available})"
    )]
    NoOutput {
        reference: String,
        stack: String,
        region: String,
        output: String,
        available: String,
    },
    #[error(
        "{reference}: the stack is in account {account}, not in this caller's ({caller}), and CloudFormation \
         shows a stack only to its own account: use credentials of {account}, or have the stack publish the \
         value as an SSM parameter shared with this account (ssm:arn:...)"
    )]
    OtherAccount {
        reference: String,
        account: String,
        caller: String,
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

fn valid_parameter_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 2048
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_.-".contains(&b))
}

/// A region name as AWS spells them: `us-east-1`, `us-gov-west-1`, `eu-isoe-west-1`.
fn valid_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [country, middle @ .., number] = parts.as_slice() else {
        return false;
    };
    s.len() <= 32
        && country.len() == 2
        && country.bytes().all(|b| b.is_ascii_lowercase())
        && !middle.is_empty()
        && middle
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// The parts of an ARN of an expected service that a reference uses.
struct ArnParts<'a> {
    region: &'a str,
    account: &'a str,
    resource: &'a str,
}

fn arn_parts<'a>(arn: &'a str, service: &str) -> Result<ArnParts<'a>, String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, of, region, account, resource] = parts.as_slice() else {
        return Err(
            "an ARN has six parts, arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE".to_owned(),
        );
    };
    if !super::arn::is_partition(partition) {
        return Err(format!("{} is not an AWS partition", Quoted(partition)));
    }
    if *of != service {
        return Err(format!("the ARN is of {}, not {service}", Quoted(of)));
    }
    if !valid_region(region) {
        return Err(format!("{} is not an AWS region", Quoted(region)));
    }
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the account must be 12 digits".to_owned());
    }
    Ok(ArnParts {
        region,
        account,
        resource,
    })
}

/// `REGION:REST` split, when `rest` starts with a region (a `:` can start nothing else).
fn with_region(rest: &str) -> Result<(Option<&str>, &str), String> {
    match rest.split_once(':') {
        None => Ok((None, rest)),
        Some((region, rest)) if valid_region(region) => Ok((Some(region), rest)),
        Some((region, _)) => Err(format!(
            "{} is not an AWS region (such as us-east-1)",
            Quoted(region)
        )),
    }
}

fn parse_ssm(s: &str, rest: &str) -> Result<SsmRef, String> {
    const FORMS: &str =
        "write ssm:/NAME, ssm:REGION:/NAME or ssm:arn:aws:ssm:REGION:ACCOUNT:parameter/NAME";
    let bad = |why: &str| {
        format!(
            "{} is not an SSM parameter reference: {why}; {FORMS}",
            Quoted(s)
        )
    };
    if rest.starts_with("arn:") {
        let arn = arn_parts(rest, "ssm").map_err(|e| bad(&e))?;
        let name = arn.resource.strip_prefix("parameter").unwrap_or_default();
        if !name.starts_with('/') || !valid_parameter_name(&name[1..]) {
            return Err(bad("the ARN names no parameter (parameter/NAME)"));
        }
        return Ok(SsmRef {
            region: Some(arn.region.to_owned()),
            name: rest.to_owned(),
            short_region: false,
        });
    }
    let (region, name) = with_region(rest).map_err(|e| bad(&e))?;
    if name.is_empty() {
        return Err(bad("the parameter name is empty"));
    }
    if !valid_parameter_name(name) {
        return Err(bad("a parameter name has letters, digits and / _ . - only"));
    }
    Ok(SsmRef {
        region: region.map(str::to_owned),
        name: name.to_owned(),
        short_region: region.is_some(),
    })
}

fn parse_stack(s: &str, rest: &str) -> Result<(StackRef, String), String> {
    const FORMS: &str = "write stack:STACK/OUTPUT, stack:REGION:STACK/OUTPUT or \
                         stack:arn:aws:cloudformation:REGION:ACCOUNT:stack/STACK/ID/OUTPUT";
    let bad = |why: &str| {
        format!(
            "{} is not a stack output reference: {why}; {FORMS}",
            Quoted(s)
        )
    };
    let output_ok = |o: &str| !o.is_empty() && o.bytes().all(|b| b.is_ascii_alphanumeric());
    if rest.starts_with("arn:") {
        let (arn_text, output) = rest.rsplit_once('/').unwrap_or((rest, ""));
        let arn = arn_parts(arn_text, "cloudformation").map_err(|e| bad(&e))?;
        let stack_ok = match arn.resource.split('/').collect::<Vec<_>>().as_slice() {
            ["stack", name, id] => {
                valid_stack_name(name)
                    && !id.is_empty()
                    && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }
            _ => false,
        };
        if !stack_ok {
            return Err(bad("the ARN names no stack (stack/STACK/ID)"));
        }
        if !output_ok(output) {
            return Err(bad(
                "the output key after the ARN is missing or not letters and digits",
            ));
        }
        return Ok((
            StackRef {
                region: Some(arn.region.to_owned()),
                stack: arn_text.to_owned(),
                account: Some(arn.account.to_owned()),
                short_region: false,
            },
            output.to_owned(),
        ));
    }
    let (region, rest) = with_region(rest).map_err(|e| bad(&e))?;
    match rest.split_once('/') {
        Some((stack, output)) if valid_stack_name(stack) && output_ok(output) => Ok((
            StackRef {
                region: region.map(str::to_owned),
                stack: stack.to_owned(),
                account: None,
                short_region: region.is_some(),
            },
            output.to_owned(),
        )),
        Some(("", _)) => Err(bad("the stack name is empty")),
        Some((stack, _)) if !valid_stack_name(stack) => Err(bad(
            "a stack name starts with a letter and has letters, digits and dashes only",
        )),
        _ => Err(bad("the output key is missing or not letters and digits")),
    }
}

impl Reference {
    /// A reference (`ssm:...`, `stack:...`); `Ok(None)` for text that is no reference.
    pub(crate) fn parse(s: &str) -> Result<Option<Self>, String> {
        if let Some(rest) = s.strip_prefix("ssm:") {
            return parse_ssm(s, rest).map(|p| Some(Reference::Ssm(p)));
        }
        if let Some(rest) = s.strip_prefix("stack:") {
            let (stack, output) = parse_stack(s, rest)?;
            return Ok(Some(Reference::Output { stack, output }));
        }
        Ok(None)
    }

    /// The value, from the cache when it was resolved less than [`REFERENCE_MAX_AGE`]
    /// ago, else from AWS, in the region the reference names.
    pub(crate) async fn resolve(&self, aws: &Aws) -> Result<Secret, ReferenceError> {
        match self {
            Reference::Ssm(p) => parameter(aws, self, p).await,
            Reference::Output { stack, output } => {
                let outputs = stack_outputs(aws, stack, REFERENCE_MAX_AGE, false)
                    .await
                    .map_err(|e| e.for_reference(self))?;
                match outputs.get(output) {
                    Some(v) => Ok(Secret::new(v)),
                    None => Err(ReferenceError::NoOutput {
                        reference: self.to_string(),
                        stack: stack.stack.clone(),
                        region: region_of(aws, stack.region.as_deref()).await,
                        output: output.clone(),
                        available: available(&outputs),
                    }),
                }
            }
        }
    }
}

/// The region a lookup goes to, for messages.
async fn region_of(aws: &Aws, named: Option<&str>) -> String {
    match named {
        Some(r) => r.to_owned(),
        None => aws
            .region()
            .await
            .unwrap_or_else(|_| "this region".to_owned()),
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
            ReferenceError::NoStack { stack, region, .. } => ReferenceError::NoStack {
                reference: reference.to_string(),
                stack,
                region,
            },
            ReferenceError::OtherAccount {
                account, caller, ..
            } => ReferenceError::OtherAccount {
                reference: reference.to_string(),
                account,
                caller,
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

async fn parameter(aws: &Aws, reference: &Reference, p: &SsmRef) -> Result<Secret, ReferenceError> {
    let key = format!("{}|ssm:{}", aws.cache_scope_in(p.region.as_deref()), p.name);
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
    let value = match aws.parameter_in(p.region.as_deref(), &p.name).await? {
        Some(found) => found.value,
        None => {
            return Err(ReferenceError::NoParameter {
                reference: reference.to_string(),
                name: p.name.clone(),
                region: region_of(aws, p.region.as_deref()).await,
                by_arn: p.name.starts_with("arn:"),
            });
        }
    };
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
/// seconds ago (and `refresh` is off), else from CloudFormation DescribeStacks in the
/// stack's region. A stack ARN of another account than the caller's is refused: the
/// caller's account is asked (STS) alongside DescribeStacks, costing no wait.
pub(crate) async fn stack_outputs(
    aws: &Aws,
    stack: &StackRef,
    max_age: u64,
    refresh: bool,
) -> Result<BTreeMap<String, String>, ReferenceError> {
    let key = format!(
        "{}|stack:{}",
        aws.cache_scope_in(stack.region.as_deref()),
        stack.stack
    );
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
    // `None`: no such stack (CloudFormation answers that with a generic ValidationError).
    let describe = async {
        let answer = aws
            .cloudformation_in(stack.region.as_deref())
            .await?
            .describe_stacks()
            .stack_name(&stack.stack)
            .send()
            .await;
        match answer {
            Ok(out) => Ok(Some(out)),
            Err(e)
                if e.as_service_error().is_some_and(|s| {
                    aws_sdk_cloudformation::error::ProvideErrorMetadata::code(s)
                        == Some("ValidationError")
                }) =>
            {
                Ok(None)
            }
            Err(e) => Err(ReferenceError::from(sdk_error(
                "CloudFormation DescribeStacks",
                e,
            ))),
        }
    };
    let caller = async {
        match &stack.account {
            Some(_) => aws.caller_identity(None).await.map(|c| Some(c.account)),
            None => Ok(None),
        }
    };
    let (out, caller) = tokio::join!(describe, caller);
    if let (Some(account), Some(caller)) = (&stack.account, caller?)
        && *account != caller
    {
        return Err(ReferenceError::OtherAccount {
            reference: format!("stack {stack}"),
            account: account.clone(),
            caller,
        });
    }
    let no_stack = || async {
        ReferenceError::NoStack {
            reference: format!("stack {stack}"),
            stack: stack.stack.clone(),
            region: region_of(aws, stack.region.as_deref()).await,
        }
    };
    let Some(out) = out? else {
        return Err(no_stack().await);
    };
    let Some(found) = out.stacks().first() else {
        return Err(no_stack().await);
    };
    let outputs: BTreeMap<String, String> = found
        .outputs()
        .iter()
        .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
        .collect();
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

    fn ssm(s: &str) -> SsmRef {
        match Reference::parse(s).unwrap() {
            Some(Reference::Ssm(p)) => p,
            other => panic!("{s}: {other:?}"),
        }
    }

    fn stack(s: &str) -> (StackRef, String) {
        match Reference::parse(s).unwrap() {
            Some(Reference::Output { stack, output }) => (stack, output),
            other => panic!("{s}: {other:?}"),
        }
    }

    #[test]
    fn references_and_plain_values() {
        let p = ssm("ssm:/shop/bucket");
        assert_eq!((p.region, p.name.as_str()), (None, "/shop/bucket"));
        let (s, output) = stack("stack:Shop-Api/APIEndpoint");
        assert_eq!(
            (s, output.as_str()),
            (StackRef::named("Shop-Api"), "APIEndpoint")
        );
        assert_eq!(Reference::parse("my-bucket").unwrap(), None);
        let r: Ref<u16> = "42".parse().unwrap();
        assert_eq!(r, Ref::Value(42));
        assert!("x".parse::<Ref<u16>>().is_err());
        let r: Ref<u16> = "ssm:/n".parse().unwrap();
        assert_eq!(r.to_string_for_test(), "ssm:/n");
    }

    #[test]
    fn references_name_a_region_or_an_arn() {
        let p = ssm("ssm:us-east-1:/platform/registry-host");
        assert_eq!(p.region.as_deref(), Some("us-east-1"));
        assert_eq!(p.name, "/platform/registry-host");
        let p = ssm("ssm:eu-west-1:plain-name");
        assert_eq!(
            (p.region.as_deref(), p.name.as_str()),
            (Some("eu-west-1"), "plain-name")
        );
        let arn = "arn:aws:ssm:us-east-1:123456789012:parameter/platform/registry-host";
        let p = ssm(&format!("ssm:{arn}"));
        assert_eq!(
            (p.region.as_deref(), p.name.as_str()),
            (Some("us-east-1"), arn)
        );
        let p = ssm("ssm:arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/x");
        assert_eq!(p.region.as_deref(), Some("us-gov-west-1"));

        let (s, output) = stack("stack:us-east-1:Global/RegistryHost");
        assert_eq!(s.region.as_deref(), Some("us-east-1"));
        assert_eq!(
            (s.stack.as_str(), output.as_str()),
            ("Global", "RegistryHost")
        );
        let arn = "arn:aws:cloudformation:us-east-1:123456789012:stack/Global/5f0e9c10-2b3a-11ef-9c2b-0a1b2c3d4e5f";
        let (s, output) = stack(&format!("stack:{arn}/RegistryHost"));
        assert_eq!(s.region.as_deref(), Some("us-east-1"));
        assert_eq!(s.account.as_deref(), Some("123456789012"));
        assert_eq!((s.stack.as_str(), output.as_str()), (arn, "RegistryHost"));

        // Each prints as it was written.
        for text in [
            "ssm:/a",
            "ssm:us-east-1:/a",
            "ssm:arn:aws:ssm:us-east-1:123456789012:parameter/a",
            "stack:S/O",
            "stack:ap-southeast-2:S/O",
            &format!("stack:{arn}/O"),
        ] {
            assert_eq!(Reference::parse(text).unwrap().unwrap().to_string(), text);
        }
    }

    #[test]
    fn malformed_references_say_what_is_wrong() {
        for (bad, says) in [
            ("ssm:", "the parameter name is empty"),
            ("ssm:/a b", "letters, digits"),
            ("ssm:us-east-1:", "the parameter name is empty"),
            ("ssm:useast1:/x", "\"useast1\" is not an AWS region"),
            ("ssm:US-EAST-1:/x", "is not an AWS region"),
            ("ssm:us-east-1x:/x", "is not an AWS region"),
            ("ssm:arn:aws:s3:::bucket", "the ARN is of \"s3\", not ssm"),
            (
                "ssm:arn:aws:s3:us-east-1:123456789012:bucket",
                "the ARN is of \"s3\", not ssm",
            ),
            ("ssm:arn:aws:ssm:us-east-1:123:parameter/x", "12 digits"),
            (
                "ssm:arn:aws:ssm:us-east-1:123456789012:parameter/",
                "names no parameter",
            ),
            (
                "ssm:arn:aws:ssm:us-east-1:123456789012:document/x",
                "names no parameter",
            ),
            (
                "ssm:arn:nope:ssm:us-east-1:123456789012:parameter/x",
                "partition",
            ),
            ("stack:Shop", "output key"),
            ("stack:Shop/API:IAM", "not an AWS region"),
            ("stack:/X", "the stack name is empty"),
            ("stack:us-east-1:/X", "the stack name is empty"),
            ("stack:eu-west:S/O", "not an AWS region"),
            ("stack:us-east-1:1S/O", "starts with a letter"),
            (
                "stack:arn:aws:ssm:us-east-1:123456789012:stack/S/id/O",
                "the ARN is of \"ssm\", not cloudformation",
            ),
            (
                "stack:arn:aws:cloudformation:us-east-1:123456789012:stack/S/id",
                "names no stack",
            ),
            (
                "stack:arn:aws:cloudformation:us-east-1:123456789012:stack/S/id/",
                "output key",
            ),
        ] {
            let err = Reference::parse(bad).unwrap_err();
            assert!(err.contains(says), "{bad}: {err}");
            assert!(!err.contains('\n'), "{bad}: one line: {err}");
        }
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
