//! The one error type of the binaries and the one decision of which status each
//! failure exits with ([`Error::status`]): every match is exhaustive, so a new error
//! variant anywhere does not compile until someone chooses its status.

use std::io;

use crate::apikey::ApiKeyError;
use crate::aws::reference::ReferenceError;
use crate::aws::{AwsError, Refusal};
use crate::cache::CacheError;
use crate::exit::ExitStatus;
use crate::http::HttpError;
use crate::immukv::audit::AuditError;
use crate::immukv::checkpoint::CheckpointError;
use crate::immukv::dump::DumpError;
use crate::immukv::import::ImportError;
use crate::immukv::repair::RepairError;
use crate::immukv::store::StoreError;
use crate::immukv::verify::ChainError;
use crate::immukv::watch::WatchError;
use crate::output::OutputError;
use crate::registry::grants::GrantError;
use crate::registry::helper::HelperError;
use crate::registry::host::HostError;
use crate::registry::install::InstallError;
use crate::registry::modules::ModulesError;
use crate::registry::modules::extract::ExtractError;
use crate::registry::modules::pack::PackError;
use crate::registry::services::ServicesError;
use crate::registry::settings::SettingsError;
use crate::registry::token::{StoreInputError, TokenError};
use crate::registry::tokens::IssueError;

/// Every way a command can fail.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// The user asked for something that cannot be done as asked; the message says what
    /// to do instead.
    #[error("{0}")]
    Usage(String),
    /// The user answered no to a confirmation.
    #[error("not {0}: the answer was not yes")]
    Declined(&'static str),
    /// The command to run could not be started.
    #[error("cannot run {program}")]
    Exec {
        program: String,
        #[source]
        source: io::Error,
    },
    /// A value given to store is not JSON.
    #[error("the value is not valid JSON (pass --string to store it as text)")]
    Value(#[source] crate::pyjson::JsonError),
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error(transparent)]
    Host(#[from] HostError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    StoreInput(#[from] StoreInputError),
    #[error(transparent)]
    Grant(#[from] GrantError),
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Services(#[from] ServicesError),
    #[error(transparent)]
    Modules(#[from] ModulesError),
    #[error(transparent)]
    ApiKey(#[from] ApiKeyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error(transparent)]
    Dump(#[from] DumpError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error(transparent)]
    Repair(#[from] RepairError),
    /// A file or stream the user named could not be read.
    #[error("cannot read {what}")]
    Input {
        what: String,
        #[source]
        source: io::Error,
    },
    /// `cdk-toolkit link` could not make the tools' names.
    #[error("cannot make the five names in {}", dir.display())]
    Link {
        dir: std::path::PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot start the async runtime")]
    Runtime(#[source] io::Error),
    /// Writing the answer failed (a closed stdout exits 0, see [`run`]).
    #[error("cannot write the output")]
    Write(#[from] io::Error),
}

impl From<IssueError> for Error {
    fn from(e: IssueError) -> Self {
        match e {
            IssueError::Aws(e) => Error::Aws(e),
            IssueError::Token(e) => Error::Token(e),
        }
    }
}

impl From<HelperError> for Error {
    fn from(e: HelperError) -> Self {
        match e {
            HelperError::Issue(e) => e.into(),
            HelperError::StoreInput(e) => Error::StoreInput(e),
            HelperError::Cache(e) => Error::Cache(e),
        }
    }
}

impl Error {
    /// The exit status of this failure: one decision per variant, made here.
    pub(crate) fn status(&self) -> ExitStatus {
        use ExitStatus::{Failure, ServiceError, Unexpected, UserError};
        match self {
            Error::Usage(_) | Error::Input { .. } => UserError,
            Error::Declined(_) | Error::Link { .. } => Failure,
            Error::Value(_) | Error::Exec { .. } => UserError,
            Error::Aws(e) => aws_status(e),
            Error::Reference(e) => reference_status(e),
            Error::Cache(e) => cache_status(e),
            Error::Output(e) => match e {
                OutputError::NoGithubEnv => UserError,
                OutputError::GithubEnv { .. }
                | OutputError::BadName { .. }
                | OutputError::Json(_)
                | OutputError::Io(_) => Unexpected,
            },
            Error::Http(e) => http_status(e),
            Error::Host(e) => match e {
                HostError::Empty
                | HostError::Scheme { .. }
                | HostError::Path { .. }
                | HostError::Port { .. }
                | HostError::Invalid { .. }
                | HostError::PortInVariable { .. } => UserError,
            },
            Error::Token(e) => token_status(e),
            Error::StoreInput(e) => match e {
                StoreInputError::NotAnObject | StoreInputError::NoToken => UserError,
            },
            Error::Grant(e) => match e {
                GrantError::Exists { .. } | GrantError::NoSuchGrant { .. } => Failure,
                GrantError::NoTable { .. } | GrantError::NothingToChange => UserError,
                GrantError::NoRecord { .. } => ServiceError,
                GrantError::Aws(e) => aws_status(e),
            },
            Error::Install(e) => match e {
                InstallError::NoHome
                | InstallError::Unreadable { .. }
                | InstallError::Read { .. }
                | InstallError::Write { .. }
                | InstallError::Conflict { .. }
                | InstallError::NoSource { .. }
                | InstallError::Install { .. }
                | InstallError::Remove { .. } => UserError,
                InstallError::NotRegular { .. }
                | InstallError::TargetNotRegular { .. }
                | InstallError::BlockArgs { .. } => UserError,
                InstallError::Settings(e) => settings_status(e),
                InstallError::Changed { .. }
                | InstallError::Run { .. }
                | InstallError::RunTimeout { .. }
                | InstallError::CheckFailed => Failure,
            },
            Error::Settings(e) => settings_status(e),
            Error::Modules(e) => modules_status(e),
            Error::Services(e) => match e {
                ServicesError::Read { .. } | ServicesError::Unreadable { .. } => UserError,
                ServicesError::Cache(e) => cache_status(e),
            },
            Error::ApiKey(e) => match e {
                ApiKeyError::NoKey { .. }
                | ApiKeyError::NoSecret { .. }
                | ApiKeyError::SecretNotText { .. }
                | ApiKeyError::SecretMalformed { .. }
                | ApiKeyError::KeyNotAHeader => Failure,
                ApiKeyError::Status { status, .. } if *status >= 500 => ServiceError,
                ApiKeyError::Status { .. } => Failure,
                ApiKeyError::Incomplete { .. } => ServiceError,
                ApiKeyError::CredentialLoop { .. } | ApiKeyError::AmbiguousEndpoint { .. } => {
                    UserError
                }
                ApiKeyError::NoEndpoint { .. }
                | ApiKeyError::BadEndpoint { .. }
                | ApiKeyError::KmsKeyUnusable { .. } => Failure,
                ApiKeyError::Reference(e) => reference_status(e),
                ApiKeyError::Aws(e) => aws_status(e),
                ApiKeyError::Http(e) => http_status(e),
                ApiKeyError::Sign(_) => Unexpected,
            },
            Error::Store(e) => store_status(e),
            Error::Chain(e) => chain_status(e),
            Error::Audit(e) => match e {
                AuditError::Chain(e) => chain_status(e),
                AuditError::Store(e) => store_status(e),
                AuditError::RolledBack { .. }
                | AuditError::Rewritten { .. }
                | AuditError::OtherStore { .. }
                | AuditError::CheckpointExpired { .. }
                | AuditError::Unexpired(_)
                | AuditError::KeyObject { .. } => Failure,
            },
            Error::Checkpoint(e) => match e {
                CheckpointError::Malformed { .. }
                | CheckpointError::WouldUnsign { .. }
                | CheckpointError::BadPublicKey { .. }
                | CheckpointError::KeySpec { .. }
                | CheckpointError::NoParameter { .. } => UserError,
                CheckpointError::Unsigned { .. }
                | CheckpointError::BadSignature { .. }
                | CheckpointError::Overtaken { .. }
                | CheckpointError::EmptyStore => Failure,
                CheckpointError::Raced { .. } => ServiceError,
                CheckpointError::Aws(e) => aws_status(e),
            },
            Error::Dump(e) => match e {
                DumpError::Read { .. } => UserError,
                DumpError::Malformed { .. }
                | DumpError::Chain { .. }
                | DumpError::Rewritten { .. }
                | DumpError::Truncated { .. }
                | DumpError::Exported { .. }
                | DumpError::ExportedUnexpired { .. }
                | DumpError::CheckpointExpired { .. }
                | DumpError::Unexpired { .. } => Failure,
                DumpError::Store(e) => store_status(e),
                DumpError::Spill(_) | DumpError::Write(_) => Unexpected,
            },
            Error::Import(e) => match e {
                ImportError::BadLine { .. }
                | ImportError::BadEntry { .. }
                | ImportError::NothingToResume(_)
                | ImportError::OtherInput { .. } => UserError,
                ImportError::KeyObjectLagging { .. }
                | ImportError::Interrupted { .. }
                | ImportError::StartRewritten { .. } => Failure,
                ImportError::Store(e) => store_status(e),
                ImportError::Cache(e) => cache_status(e),
                ImportError::Task(_) => Unexpected,
            },
            Error::Watch(e) => match e {
                WatchError::Store(e) => store_status(e),
                WatchError::Chain(e) => chain_status(e),
                WatchError::WentBack { .. } => Failure,
            },
            Error::Repair(e) => match e {
                RepairError::Store(e) => store_status(e),
                RepairError::Chain(e) => chain_status(e),
                RepairError::Lagging { .. } => ServiceError,
            },
            Error::Runtime(_) | Error::Write(_) => Unexpected,
        }
    }
}

impl Error {
    /// Whether another try after a pause may succeed (a watch keeps polling): exactly
    /// the failures that exit with [`ExitStatus::ServiceError`] -- AWS, the network, a
    /// registry, throttling, expired credentials -- as [`Error::status`] decides, once.
    pub(crate) fn is_retryable(&self) -> bool {
        self.status() == ExitStatus::ServiceError
    }
}

fn settings_status(e: &SettingsError) -> ExitStatus {
    match e {
        SettingsError::Malformed { .. }
        | SettingsError::Unsafe { .. }
        | SettingsError::Read { .. }
        | SettingsError::Write { .. } => ExitStatus::UserError,
    }
}

fn cache_status(e: &CacheError) -> ExitStatus {
    match e {
        CacheError::NoHome | CacheError::NotMine { .. } | CacheError::OpenToOthers { .. } => {
            ExitStatus::UserError
        }
        CacheError::CreateDir { .. }
        | CacheError::Lock { .. }
        | CacheError::Write { .. }
        | CacheError::SetAside { .. } => ExitStatus::Unexpected,
    }
}

fn store_status(e: &StoreError) -> ExitStatus {
    use ExitStatus::{Failure, ServiceError, UserError};
    match e {
        StoreError::NoSuchBucket(_)
        | StoreError::NotVersioned(_)
        | StoreError::WrittenUnversioned { .. }
        | StoreError::ReadOnlyMode
        | StoreError::KeyTooLong(..)
        | StoreError::BeyondHead { .. }
        | StoreError::ValueTooLarge { .. } => UserError,
        StoreError::LogDeleted(_)
        | StoreError::ReadOnly(_)
        | StoreError::AccessDenied(_)
        | StoreError::KeyNotFound(_)
        | StoreError::NotYetWritten { .. }
        | StoreError::ExpiredBefore { .. }
        | StoreError::HistoryDeleted { .. }
        | StoreError::VersionNotFound(_)
        | StoreError::Malformed { .. }
        | StoreError::Tampered { .. }
        | StoreError::ObjectTooLarge { .. }
        | StoreError::Unrepaired { .. }
        | StoreError::CommittedBehind { .. }
        | StoreError::KeyObjectMissing { .. } => Failure,
        StoreError::LogUnstable(_)
        | StoreError::TooManyConflicts(_)
        | StoreError::UnexpectedAnswer { .. } => ServiceError,
        StoreError::Aws(e) => aws_status(e),
    }
}

fn chain_status(e: &ChainError) -> ExitStatus {
    match e {
        ChainError::BadHash { .. }
        | ChainError::BadLink { .. }
        | ChainError::Gap { .. }
        | ChainError::NoGenesis { .. } => ExitStatus::Failure,
    }
}

fn reference_status(e: &ReferenceError) -> ExitStatus {
    match e {
        ReferenceError::NoParameter { .. }
        | ReferenceError::NoStack { .. }
        | ReferenceError::NoOutput { .. } => ExitStatus::Failure,
        ReferenceError::Invalid { .. } | ReferenceError::OtherAccount { .. } => {
            ExitStatus::UserError
        }
        ReferenceError::Aws(e) => aws_status(e),
    }
}

fn token_status(e: &TokenError) -> ExitStatus {
    use ExitStatus::{Failure, ServiceError, Unexpected, UserError};
    match e {
        TokenError::Forbidden { .. } => Failure,
        TokenError::BadRequest { .. } => UserError,
        TokenError::Status { .. }
        | TokenError::Redirected { .. }
        | TokenError::NotAToken { .. }
        | TokenError::Discovery { .. } => ServiceError,
        TokenError::Http(e) => http_status(e),
        TokenError::Sign(_) => Unexpected,
    }
}

/// The status of a module command's failure.
pub(super) fn modules_status(e: &ModulesError) -> ExitStatus {
    use ExitStatus::{Failure, ServiceError, Unexpected, UserError};
    match e {
        ModulesError::Pack(e) => match e {
            PackError::NotAFolder { .. }
            | PackError::NoTerraform { .. }
            | PackError::LinkOutside { .. }
            | PackError::BrokenLink { .. }
            | PackError::Special { .. }
            | PackError::BadName { .. }
            | PackError::TooLarge { .. }
            | PackError::Read { .. } => UserError,
            PackError::Write(_) => Unexpected,
        },
        ModulesError::Extract(e) => match e {
            ExtractError::NotEmpty { .. } | ExtractError::Write { .. } => UserError,
            ExtractError::Outside { .. }
            | ExtractError::NotAFile { .. }
            | ExtractError::TooLarge { .. }
            | ExtractError::Corrupt(_) => Failure,
        },
        ModulesError::Aws(e) => aws_status(e),
        ModulesError::Http(e) => http_status(e),
        ModulesError::Token(e) => token_status(e),
        ModulesError::Issue(e) => match e {
            IssueError::Aws(e) => aws_status(e),
            IssueError::Token(e) => token_status(e),
        },
        ModulesError::NoTable { .. } | ModulesError::NoBucket { .. } => UserError,
        ModulesError::Conflict { .. }
        | ModulesError::ObjectTaken { .. }
        | ModulesError::NoGrant { .. }
        | ModulesError::TokenRefused { .. }
        | ModulesError::RecordRefused { .. }
        | ModulesError::NoSuchVersion { .. }
        | ModulesError::NotVerified { .. }
        | ModulesError::Tampered { .. } => Failure,
        ModulesError::CreateRouteFailed { .. }
        | ModulesError::Status { .. }
        | ModulesError::Raced { .. } => ServiceError,
        ModulesError::AfterUpload { failure, .. } => modules_status(failure),
    }
}

fn aws_status(e: &AwsError) -> ExitStatus {
    use ExitStatus::{Failure, ServiceError, UserError};
    match e {
        AwsError::NoCredentials { .. }
        | AwsError::NoProfileCredentials { .. }
        | AwsError::CredentialsFailed { .. }
        | AwsError::NoRegion
        | AwsError::CaBundle { .. }
        | AwsError::Insecure(_) => UserError,
        AwsError::Service { refusal, .. } => match refusal {
            Refusal::NotFound | Refusal::AccessDenied => Failure,
            Refusal::BadRequest => UserError,
            Refusal::Throttled | Refusal::ExpiredCredentials | Refusal::ServerError => ServiceError,
        },
        AwsError::CredentialsTimeout { .. }
        | AwsError::Timeout { .. }
        | AwsError::Unreachable { .. }
        | AwsError::Unexpected { .. } => ServiceError,
    }
}

fn http_status(e: &HttpError) -> ExitStatus {
    use ExitStatus::{Failure, ServiceError, Unexpected, UserError};
    match e {
        HttpError::CaBundle { .. } | HttpError::Url(_) => UserError,
        HttpError::Setup(_) => Unexpected,
        HttpError::CrossOrigin { .. } => Failure,
        HttpError::Timeout { .. }
        | HttpError::Unreachable { .. }
        | HttpError::TooLarge { .. }
        | HttpError::TooManyRedirects { .. } => ServiceError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Representative failures of each kind and the status the documented policy gives
    /// them (the exhaustive match is what makes every other variant a decision).
    #[test]
    fn statuses_follow_the_documented_policy() {
        let service = |code: &str, http_status: u16, refusal: Refusal| {
            Error::Aws(AwsError::Service {
                operation: "SSM GetParameter",
                code: code.to_owned(),
                message: String::new(),
                http_status,
                refusal,
            })
        };
        let cases: Vec<(Error, u8)> = vec![
            (Error::Usage("x".into()), 2),
            (Error::Declined("deleted"), 1),
            (service("ParameterNotFound", 404, Refusal::NotFound), 1),
            (service("AccessDenied", 403, Refusal::AccessDenied), 1),
            (service("ValidationException", 400, Refusal::BadRequest), 2),
            (service("ThrottlingException", 400, Refusal::Throttled), 3),
            (
                service("ExpiredTokenException", 400, Refusal::ExpiredCredentials),
                3,
            ),
            (service("InternalError", 500, Refusal::ServerError), 3),
            (Error::Aws(AwsError::NoRegion), 2),
            (
                Error::Aws(AwsError::Timeout {
                    operation: "S3 GetObject",
                    seconds: Some(1.0),
                }),
                3,
            ),
            (
                Error::ApiKey(ApiKeyError::Status {
                    url: "u".into(),
                    status: 404,
                }),
                1,
            ),
            (
                Error::ApiKey(ApiKeyError::Status {
                    url: "u".into(),
                    status: 503,
                }),
                3,
            ),
            (
                Error::Http(HttpError::Unreachable {
                    host: "h".into(),
                    reason: "refused".into(),
                }),
                3,
            ),
            (Error::Host(HostError::Empty), 2),
            (
                Error::Chain(ChainError::NoGenesis {
                    sequence: 1,
                    version: "v".into(),
                }),
                1,
            ),
            (
                Error::Store(StoreError::Malformed {
                    object: "_log.json".into(),
                    reason: "x".into(),
                }),
                1,
            ),
            (Error::Write(io::Error::other("disk full")), 4),
        ];
        for (error, code) in cases {
            assert_eq!(error.status().code(), code, "{error}");
            // A pause and another try may cure exactly what exits 3.
            assert_eq!(error.is_retryable(), code == 3, "{error}");
        }
    }

    #[test]
    fn timeouts_say_the_deadline_the_sdk_ran_into() {
        let e = AwsError::Timeout {
            operation: "S3 GetObject",
            seconds: Some(2.0),
        };
        assert!(
            e.to_string()
                .starts_with("S3 GetObject did not finish within 2 s"),
            "{e}"
        );
        let e = AwsError::Timeout {
            operation: "S3 GetObject",
            seconds: None,
        };
        assert!(
            e.to_string().contains("did not finish in the time allowed"),
            "{e}"
        );
    }
}
