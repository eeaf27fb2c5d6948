//! Exit codes and error reporting, shared by every binary. This module imports nothing
//! from the crate: the application layer (`app::Error::status`) decides which status an
//! error exits with; this module only knows the statuses and how to print an error.
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

use std::error::Error;
use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// The typed outcome of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitStatus {
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
    pub(crate) fn code(self) -> u8 {
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

/// Whether anything in the error's chain is a closed pipe (stdout closed by `| head`).
pub(crate) fn is_broken_pipe(err: &(dyn Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The error and its causes on one line: `message: cause: cause`, a cause that repeats
/// the text before it left out, line breaks folded into spaces.
pub(crate) fn chain<'a>(err: &'a (dyn Error + 'static)) -> Chain<'a> {
    Chain(err)
}

pub(crate) struct Chain<'a>(&'a (dyn Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut printed = String::new();
        let mut cur = Some(self.0);
        while let Some(e) = cur {
            let text = e.to_string().replace(['\r', '\n'], " ");
            // thiserror's `{source}` in a message, or a wrapper that repeats its cause.
            if !text.is_empty() && !printed.ends_with(&text) {
                if !printed.is_empty() {
                    printed.push_str(": ");
                }
                printed.push_str(&text);
            }
            cur = e.source();
        }
        f.write_str(&printed)
    }
}

/// Print `binary: message` on stderr. stderr may be closed too; there is nowhere left
/// to report that.
pub(crate) fn print_error(binary: &str, message: impl fmt::Display) {
    let _ = io::stderr()
        .lock()
        .write_all(format!("{binary}: {message}\n").as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(io::Error);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("cannot write\nthe output")
        }
    }
    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn codes_are_the_documented_ones() {
        let all = [
            (ExitStatus::Success, 0),
            (ExitStatus::Failure, 1),
            (ExitStatus::UserError, 2),
            (ExitStatus::ServiceError, 3),
            (ExitStatus::Unexpected, 4),
        ];
        for (status, code) in all {
            assert_eq!(status.code(), code);
        }
    }

    #[test]
    fn broken_pipe_is_found_anywhere_in_the_chain() {
        let e = Outer(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&e));
        let e = Outer(io::Error::from(io::ErrorKind::NotFound));
        assert!(!is_broken_pipe(&e));
    }

    #[test]
    fn chain_is_one_line_without_repeats() {
        let e = Outer(io::Error::other("disk full"));
        assert_eq!(chain(&e).to_string(), "cannot write the output: disk full");
    }
}
