//! What can go wrong publishing, listing, fetching and unpublishing module versions,
//! each with what to do.

use crate::aws::AwsError;
use crate::http::HttpError;
use crate::registry::token::TokenError;
use crate::registry::tokens::IssueError;

use super::extract::ExtractError;
use super::pack::PackError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ModulesError {
    #[error(transparent)]
    Pack(#[from] PackError),
    #[error(transparent)]
    Extract(#[from] ExtractError),
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Issue(#[from] IssueError),
    #[error("the table {table:?} does not exist: check --table (the registry's DynamoDB table)")]
    NoTable { table: String },
    #[error("the bucket {bucket:?} does not exist: check --bucket")]
    NoBucket { bucket: String },
    #[error(
        "{module} {version} is already published with another archive (sha256 {theirs}); this one is sha256 {ours}: \
         nothing was changed; publish it as a new version"
    )]
    Conflict {
        module: String,
        version: String,
        ours: String,
        theirs: String,
    },
    #[error(
        "s3://{bucket}/{key} already holds another object (its SHA-256: {theirs}): nothing was changed; \
         name another --key, or leave --key out (the default key is the archive's own SHA-256)"
    )]
    ObjectTaken {
        bucket: String,
        key: String,
        theirs: String,
    },
    #[error(
        "not allowed to {permission} in namespace {namespace}: grant it with \
         `manage-registry-permissions -r ROLE -n {namespace} update --{permission}` (or `create --{permission}`) for your role"
    )]
    NoGrant {
        permission: &'static str,
        namespace: String,
    },
    #[error(
        "{host} refused the token (HTTP 401: {reason}): run `get-registry-token forget -r {host}` and try again"
    )]
    TokenRefused { host: String, reason: String },
    #[error(
        "{host}'s create route failed (HTTP {status}), as lambda-terraform-module-registry 0.2.5's does for every request: \
         publish with --table TABLE, which writes the record the registry reads, in its DynamoDB table"
    )]
    CreateRouteFailed { host: String, status: u16 },
    #[error("{host} refused the record (HTTP {status}): {reason}")]
    RecordRefused {
        host: String,
        status: u16,
        reason: String,
    },
    #[error("{host} answered HTTP {status} to the {what} request: {reason}")]
    Status {
        host: String,
        what: &'static str,
        status: u16,
        reason: String,
    },
    #[error(
        "{module} {version} lost its record while it was being published (someone unpublished it): run again"
    )]
    Raced { module: String, version: String },
    #[error("{module} has no version {version} in the registry{hint}")]
    NoSuchVersion {
        module: String,
        version: String,
        /// What it has, or nothing.
        hint: String,
    },
    #[error(
        "{module} {version} is recorded, but {what}: Terraform would not get this archive; check the record \
         (`manage-registry-modules download ... --table`), or pass --no-verify"
    )]
    NotVerified {
        module: String,
        version: String,
        what: String,
    },
    #[error(
        "the archive of {module} {version} has sha256 {got}, not the {expected} {source_of} says: it is not written"
    )]
    Tampered {
        module: String,
        version: String,
        got: String,
        expected: String,
        source_of: &'static str,
    },
    /// A failure after the archive was uploaded: the object stays (it is content-
    /// addressed, so the next run reuses it), and the message names it.
    #[error(
        "{failure}; the archive is uploaded as s3://{bucket}/{key} and is reused by the next run"
    )]
    AfterUpload {
        failure: Box<ModulesError>,
        bucket: String,
        key: String,
    },
}
