//! The exit policy at work: parse a binary's command line, run it, and turn the result
//! into an exit status, with every error on one line; plus the runtime and `exec` the
//! binaries share.

use std::ffi::OsString;
use std::process::ExitCode;

use super::error::Error;
use crate::exit::{self, ExitStatus};

/// What `--version` prints: the version, the commit it was built from and the target
/// it was built for (`-V` prints the version alone, as the man pages do).
pub(super) const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("CDK_TOOLKIT_COMMIT"),
    ", ",
    env!("CDK_TOOLKIT_TARGET"),
    ")"
);

/// Parse `args` (argv, the program's name first) as `binary`'s command line and run
/// `body` under the exit policy: a usage error is one line and exits 2; an error prints
/// `binary: message: cause` on one line and exits with its status; a closed stdout
/// exits 0 quietly. `binary` names the program in help, usage and every message,
/// however it was started (a link, `cdk-toolkit TOOL`, a `.exe`).
pub(crate) fn run<C: clap::Parser>(
    binary: &str,
    args: Vec<OsString>,
    body: impl FnOnce(C) -> Result<ExitStatus, Error>,
) -> ExitCode {
    crate::diag::set_binary_name(binary);
    let parsed = C::command()
        .bin_name(binary)
        .try_get_matches_from(args)
        .and_then(|m| C::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return usage_error(binary, &e),
    };
    match body(cli) {
        Ok(status) => status.into(),
        Err(e) if exit::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            exit::print_error(binary, exit::chain(&e));
            e.status().into()
        }
    }
}

/// Help and version go to stdout as clap writes them; anything else clap refuses is
/// one line on stderr, exit 2.
fn usage_error(binary: &str, e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
        }
        _ => {
            exit::print_error(binary, clap_one_line(e));
            ExitStatus::UserError.into()
        }
    }
}

/// clap's message, on one line, for a caller that says where the arguments came from.
pub(super) fn clap_reason(e: &clap::Error) -> String {
    let line = clap_one_line(e);
    line.strip_suffix("; see --help")
        .unwrap_or(&line)
        .to_owned()
}

/// clap's message without its usage block and tips, on one line, with the values it
/// quotes back cut short.
fn clap_one_line(e: &clap::Error) -> String {
    use clap::error::ContextValue;
    let mut text = e.render().to_string();
    for (_, value) in e.context() {
        let values = match value {
            ContextValue::String(v) => std::slice::from_ref(v),
            ContextValue::Strings(vs) => vs.as_slice(),
            _ => &[],
        };
        for v in values.iter().filter(|v| v.len() > 64) {
            let short = crate::diag::Quoted(v).to_string();
            text = text
                .replace(&format!("'{v}'"), &short)
                .replace(v.as_str(), &short);
        }
    }
    let message = text.split("\n\n").next().unwrap_or(&text);
    let message = message.strip_prefix("error: ").unwrap_or(message);
    let words: Vec<&str> = message.split_whitespace().collect();
    format!("{}; see --help", words.join(" "))
}

/// A single-threaded runtime: every command here is I/O bound and short-lived, and a
/// current-thread runtime starts in microseconds.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

/// Replace this process with `child` (so its exit status and signals are its own);
/// secrets travel only in its environment.
#[cfg(unix)]
pub(super) fn exec(
    mut child: std::process::Command,
    program: &std::ffi::OsStr,
) -> Result<ExitStatus, Error> {
    use std::os::unix::process::CommandExt;
    Err(Error::Exec {
        program: program.to_string_lossy().into_owned(),
        source: child.exec(),
    })
}

/// Windows has no `exec`: run `child` (secrets only in its environment), wait for it
/// and exit with its exit code. Meanwhile Ctrl-C and Ctrl-Break do not stop this
/// process: the child, on the same console, gets them and decides.
#[cfg(windows)]
pub(super) fn exec(
    mut child: std::process::Command,
    program: &std::ffi::OsStr,
) -> Result<ExitStatus, Error> {
    let ignored = crate::sys::windows::ConsoleInterruptsIgnored::new();
    let status = child.status().map_err(|source| Error::Exec {
        program: program.to_string_lossy().into_owned(),
        source,
    })?;
    drop(ignored);
    let _ = std::io::Write::flush(&mut std::io::stdout());
    // Every 32-bit code as Windows gives it (0xC000013A after Ctrl-C, ...).
    std::process::exit(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::api_key;
    use clap::CommandFactory;

    #[test]
    fn clap_errors_are_one_line() {
        let e = api_key::Cli::command()
            .try_get_matches_from(["api-key", "get", "--stack", "bad stack"])
            .unwrap_err();
        let line = clap_one_line(&e);
        assert!(!line.contains('\n'), "{line}");
        assert!(line.contains("invalid stack name"), "{line}");
        let e = api_key::Cli::command()
            .try_get_matches_from(["api-key", "get"])
            .unwrap_err();
        let line = clap_one_line(&e);
        assert!(line.contains("--stack"), "{line}");
    }
}
