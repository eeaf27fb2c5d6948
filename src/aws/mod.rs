//! AWS configuration, credentials and clients, loaded lazily.
//!
//! `--profile`, `--region`, `--endpoint-url` and `--aws-timeout` come as one
//! [`AwsSelection`] (made from the command's flags in `app`); everything else (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL[_<SERVICE>],
//! SSO, credential_process, web identity) is aws-config's job. Added here: the CA bundle
//! of AWS_CA_BUNDLE (the Rust SDK does not load it), a transport that refuses plain HTTP
//! to anything but loopback (see [`transport`]), and deadlines on every call.
//!
//! Nothing is resolved until a command asks for it, so an answer from the cache
//! resolves no credentials and makes no network call.

pub(crate) mod arn;
mod error;
pub(crate) mod identity;
pub(crate) mod kms;
pub(crate) mod names;
pub(crate) mod reference;
mod selection;
mod session;
pub(crate) mod sign;
mod transport;

pub(crate) use error::{AwsError, Refusal, sdk_error};
pub(crate) use selection::{AwsSelection, DEFAULT_TIMEOUT_SECS, SdkEndpoint};
pub(crate) use session::{Aws, CallerIdentity};
