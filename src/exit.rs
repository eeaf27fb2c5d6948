//! One exit policy for every binary.
//!
//! | code | meaning |
//! |------|---------|
//! | 0    | success (also: stdout closed early, e.g. `| head`) |
//! | 1    | not found, refused, or a check that failed (e.g. a broken chain) |
//! | 2    | usage or user error: bad flags, bad input, missing configuration |
//! | 3    | the service or the network failed (AWS, the registry, the API) |
//! | 4    | an unexpected internal error |
//!
//! Errors print on stderr as `<binary>: <message>: <cause>: ...` on one line.

use std::fmt;
use std::io;
use std::process::ExitCode;

/// The typed outcome of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    /// Not found, refused, or a failed check.
    Failure,
    /// The user asked for something that cannot be done as asked.
    UserError,
    /// AWS, the registry or the network failed.
    ServiceError,
    /// A bug or an environment problem we did not foresee.
    Unexpected,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::UserError => 2,
            ExitStatus::ServiceError => 3,
            ExitStatus::Unexpected => 4,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}

/// An error that carries its exit status. Library error types convert into it, or
/// are wrapped with [`Failure::new`]; anything else in the chain exits 4.
#[derive(Debug)]
pub struct Failure {
    status: ExitStatus,
    message: String,
}

impl Failure {
    pub fn new(status: ExitStatus, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub fn status(&self) -> ExitStatus {
        self.status
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

impl HasExitStatus for Failure {
    fn exit_status(&self) -> ExitStatus {
        self.status
    }
}

/// A user error (exit 2) with a message that says what was wrong and what to do.
pub fn user_error(message: impl Into<String>) -> anyhow::Error {
    Failure::new(ExitStatus::UserError, message).into()
}

/// Not found or refused (exit 1).
pub fn failure(message: impl Into<String>) -> anyhow::Error {
    Failure::new(ExitStatus::Failure, message).into()
}

/// A service or network failure (exit 3).
pub fn service_error(message: impl Into<String>) -> anyhow::Error {
    Failure::new(ExitStatus::ServiceError, message).into()
}

/// Library error types that know their exit status.
pub trait HasExitStatus {
    fn exit_status(&self) -> ExitStatus;
}

/// The status an error exits with: the first cause in the chain that knows one.
pub fn status_of(err: &anyhow::Error) -> ExitStatus {
    fn known<E: HasExitStatus + std::error::Error + 'static>(
        cause: &(dyn std::error::Error + 'static),
    ) -> Option<ExitStatus> {
        cause.downcast_ref::<E>().map(HasExitStatus::exit_status)
    }
    err.chain()
        .find_map(|cause| {
            known::<Failure>(cause)
                .or_else(|| known::<crate::cache::CacheError>(cause))
                .or_else(|| known::<crate::aws::AwsError>(cause))
                .or_else(|| known::<crate::registry::token::TokenError>(cause))
                .or_else(|| known::<crate::immukv::store::StoreError>(cause))
                .or_else(|| known::<crate::output::OutputError>(cause))
        })
        .unwrap_or(ExitStatus::Unexpected)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

/// Run a binary's body under the exit policy: errors go to stderr on one line as
/// `binary: message: cause`, a closed stdout exits 0 quietly.
pub fn run(binary: &str, body: impl FnOnce() -> anyhow::Result<ExitStatus>) -> ExitCode {
    match body() {
        Ok(status) => status.into(),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let message = format!("{err:#}").replace('\n', " ");
            // stderr may be closed too; there is nowhere left to report that.
            let _ = io::Write::write_all(
                &mut io::stderr().lock(),
                format!("{binary}: {message}\n").as_bytes(),
            );
            status_of(&err).into()
        }
    }
}

/// A single-threaded runtime: every command here is I/O bound and short-lived, and a
/// current-thread runtime starts in microseconds.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::Error::new(e).context("cannot start the async runtime"))
}

/// Print a warning on stderr, prefixed with the binary name.
pub fn warn(message: impl fmt::Display) {
    let name = binary_name();
    let _ = io::Write::write_all(
        &mut io::stderr().lock(),
        format!("{name}: warning: {message}\n").as_bytes(),
    );
}

/// Print a note on stderr, prefixed with the binary name.
pub fn note(message: impl fmt::Display) {
    let name = binary_name();
    let _ = io::Write::write_all(
        &mut io::stderr().lock(),
        format!("{name}: note: {message}\n").as_bytes(),
    );
}

fn binary_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "cdk-toolkit".to_owned())
}
