//! What a secure-API stack publishes as CloudFormation outputs: its endpoint and its
//! invoke role; and the URL a `call` names (a full URL, a path under the stack's
//! endpoint, or a reference).

use std::collections::BTreeMap;
use std::str::FromStr;

use super::{ApiKeyError, StackName};
use crate::aws::Aws;
use crate::aws::arn::RoleArn;
use crate::aws::reference::{OUTPUTS_KEPT, Ref, StackRef, stack_outputs};
use crate::http::{BaseUrl, SecureUrl};

/// The construct's endpoint output (CloudFormation keeps the letters and digits of its id).
pub(crate) const ENDPOINT_OUTPUT: &str = "APIEndpoint";
/// The IAM construct's `API:IAM:Role:ARN` output.
pub(crate) const ROLE_OUTPUT: &str = "APIIAMRoleARN";

/// The stack's outputs, cached for a day unless `refresh`.
async fn outputs(
    aws: &Aws,
    stack: &StackName,
    refresh: bool,
) -> Result<BTreeMap<String, String>, ApiKeyError> {
    Ok(stack_outputs(aws, &StackRef::named(stack.as_str()), OUTPUTS_KEPT, refresh).await?)
}

/// The API's base URL: `APIEndpoint`, else the one output whose key names an endpoint
/// (a stack that turned the construct's name off keeps CDK's `<apiId>Endpoint<hash>`).
pub(crate) fn endpoint_of(
    stack: &StackName,
    outputs: &BTreeMap<String, String>,
) -> Result<BaseUrl, ApiKeyError> {
    let (key, value) = match outputs.get_key_value(ENDPOINT_OUTPUT) {
        Some(found) => found,
        None => {
            let candidates: Vec<(&String, &String)> = outputs
                .iter()
                .filter(|(k, v)| k.contains("Endpoint") && v.starts_with("http"))
                .collect();
            match candidates.as_slice() {
                [one] => *one,
                [] => {
                    return Err(ApiKeyError::NoEndpoint {
                        stack: stack.to_string(),
                        available: if outputs.is_empty() {
                            "no outputs".to_owned()
                        } else {
                            outputs.keys().cloned().collect::<Vec<_>>().join(", ")
                        },
                    });
                }
                many => {
                    return Err(ApiKeyError::AmbiguousEndpoint {
                        stack: stack.to_string(),
                        keys: many
                            .iter()
                            .map(|(k, _)| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
            }
        }
    };
    value
        .parse::<BaseUrl>()
        .map_err(|e| ApiKeyError::BadEndpoint {
            stack: stack.to_string(),
            output: key.clone(),
            reason: e.to_string(),
        })
}

/// The stack's API endpoint (cached; `refresh` asks CloudFormation again).
pub(crate) async fn endpoint(
    aws: &Aws,
    stack: &StackName,
    refresh: bool,
) -> Result<BaseUrl, ApiKeyError> {
    endpoint_of(stack, &outputs(aws, stack, refresh).await?)
}

/// The invoke role the stack names in its `APIIAMRoleARN` output, if it has one.
pub(crate) async fn invoke_role(
    aws: &Aws,
    stack: &StackName,
) -> Result<Option<RoleArn>, ApiKeyError> {
    let outputs = outputs(aws, stack, false).await?;
    match outputs.get(ROLE_OUTPUT) {
        None => Ok(None),
        Some(arn) => arn
            .parse::<RoleArn>()
            .map(Some)
            .map_err(|e| ApiKeyError::BadEndpoint {
                stack: stack.to_string(),
                output: ROLE_OUTPUT.to_owned(),
                reason: e.to_string(),
            }),
    }
}

/// What `call` is asked to call.
#[derive(Debug, Clone)]
pub(crate) enum CallTarget {
    /// A full URL, or a reference to one.
    Url(Ref<SecureUrl>),
    /// `/path?query`, under the stack's endpoint (its stage path kept).
    Path(String),
}

impl FromStr for CallTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with('/') {
            if s.bytes().any(|b| b.is_ascii_control() || b == b' ') {
                return Err(format!("{} is not a URL path", crate::diag::Quoted(s)));
            }
            return Ok(CallTarget::Path(s.to_owned()));
        }
        s.parse().map(CallTarget::Url)
    }
}

impl CallTarget {
    /// The URL to call; a path needs the stack (its endpoint is looked up, cached).
    pub(crate) async fn resolve(
        &self,
        aws: &Aws,
        stack: &StackName,
        refresh: bool,
    ) -> Result<reqwest::Url, ApiKeyError> {
        match self {
            CallTarget::Url(u) => Ok(u.resolve(aws).await?.into_url()),
            CallTarget::Path(path) => {
                let base = endpoint(aws, stack, refresh).await?;
                Ok(join(&base, path))
            }
        }
    }
}

/// `path` (with its query) under `base`, keeping the base's stage path.
fn join(base: &BaseUrl, path: &str) -> reqwest::Url {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let mut url = base.join(path);
    url.set_query(query);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack() -> StackName {
        "Shop".parse().unwrap()
    }

    fn outputs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_endpoint_is_apiendpoint_or_the_one_generated_endpoint_output() {
        let url = "https://abc.execute-api.eu-west-1.amazonaws.com/prod/";
        let o = outputs(&[("APIEndpoint", url), ("APIKey", "x")]);
        assert_eq!(endpoint_of(&stack(), &o).unwrap().to_string(), url);
        let o = outputs(&[
            ("ShopApiEndpointA1B2C3", url),
            ("APIUrlItems", "https://x/"),
        ]);
        let base = endpoint_of(&stack(), &o).unwrap();
        assert_eq!(
            join(&base, "/items?x=1").as_str(),
            "https://abc.execute-api.eu-west-1.amazonaws.com/prod/items?x=1"
        );
        let o = outputs(&[("AEndpoint1", url), ("BEndpoint2", url)]);
        assert!(matches!(
            endpoint_of(&stack(), &o),
            Err(ApiKeyError::AmbiguousEndpoint { .. })
        ));
        assert!(matches!(
            endpoint_of(&stack(), &outputs(&[])),
            Err(ApiKeyError::NoEndpoint { .. })
        ));
        let o = outputs(&[("APIEndpoint", "http://example.com/prod/")]);
        assert!(matches!(
            endpoint_of(&stack(), &o),
            Err(ApiKeyError::BadEndpoint { .. })
        ));
    }

    #[test]
    fn call_targets() {
        assert!(matches!(
            "/items?x=1".parse::<CallTarget>(),
            Ok(CallTarget::Path(p)) if p == "/items?x=1"
        ));
        assert!(matches!(
            "https://h/prod/x".parse::<CallTarget>(),
            Ok(CallTarget::Url(Ref::Value(_)))
        ));
        assert!(matches!(
            "stack:Shop/APIUrlItems".parse::<CallTarget>(),
            Ok(CallTarget::Url(Ref::Reference(_)))
        ));
        assert!("http://example.com/".parse::<CallTarget>().is_err());
        assert!("/a b".parse::<CallTarget>().is_err());
    }
}
