//! One binary, six names (as rustup and uutils coreutils do): `cdk-toolkit` runs the
//! tool it is started as (the file name of argv[0] without its folder, matched without
//! regard to case, `.exe` ignored), or the tool its first argument names
//! (`cdk-toolkit immukv get k`); started as `terraform-credentials-NAME`, it is the
//! credentials helper. Either way the tool sees the same command line and prints the
//! same help, version and messages. `cdk-toolkit link` makes the six names, as hard
//! links beside it, for an install that has only `cdk-toolkit` (`cargo install`).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use super::cli::LONG_VERSION;
use super::error::Error;
use crate::diag::note;
use crate::exit::ExitStatus;
use crate::registry::install::HELPER_PREFIX;
use crate::{BINARY as NAME, TOOLS};

/// What a program started as `arg0` runs: the name it is called by, lower-cased, its
/// folder (`/` or `\`) and a final `.exe` left out.
fn called_as(arg0: &OsStr) -> String {
    let text = arg0.to_string_lossy();
    let file = text.rsplit(['/', '\\']).next().unwrap_or_default();
    let lower = file.to_ascii_lowercase();
    match lower.strip_suffix(".exe") {
        Some(stem) => stem.to_owned(),
        None => lower,
    }
}

/// Run the tool `name` with `args` (argv, its own name first).
fn run_tool(name: &str, args: Vec<OsString>) -> Option<ExitCode> {
    let code = match name {
        "get-registry-token" => super::get_registry_token::main(args),
        "install-registry-credentials-helper" => {
            super::install_registry_credentials_helper::main(args)
        }
        "manage-registry-permissions" => super::manage_registry_permissions::main(args),
        "manage-registry-modules" => super::manage_registry_modules::main(args),
        "immukv" => super::immukv::main(args),
        "api-key" => super::api_key::main(args),
        helper if helper.starts_with(HELPER_PREFIX) => {
            super::get_registry_token::helper_main(helper, args)
        }
        _ => return None,
    };
    Some(code)
}

/// `cdk-toolkit` itself.
#[derive(Debug, Parser)]
#[command(
    name = NAME,
    version,
    long_version = LONG_VERSION,
    about = "Command-line tools for infrastructure deployed on AWS, in one binary",
    long_about = "Command-line tools for infrastructure deployed on AWS, in one binary.\n\n\
        Started as one of its tools' names (a link, as the release installs them), it is that tool; \
        `cdk-toolkit TOOL ARGS...` runs TOOL too. The tools: get-registry-token, \
        install-registry-credentials-helper, manage-registry-permissions, manage-registry-modules, immukv, api-key.",
    after_help = "Examples:\n  cdk-toolkit immukv get sensor-1        # the same as: immukv get sensor-1\n  \
        cdk-toolkit link                       # make the six names beside this binary (after cargo install)\n  \
        cdk-toolkit link --dir ~/.local/bin"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Make the six tools' names (hard links to this binary; `.exe` on Windows) in
    /// its own folder or in --dir; a second run changes nothing.
    Link {
        /// Where to put the names [default: this binary's folder].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// The program: the tool it is started as, or the one its first argument names.
pub fn main() -> ExitCode {
    // First thing, while this is the only thread.
    crate::env::forget_empty();
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let called = args.first().map(|a| called_as(a)).unwrap_or_default();
    if let Some(code) = run_tool(&called, args.clone()) {
        return code;
    }
    if let Some(tool) = args
        .get(1)
        .and_then(|a| a.to_str())
        .filter(|t| TOOLS.contains(t))
        .map(str::to_owned)
    {
        args.remove(0);
        if let Some(code) = run_tool(&tool, args.clone()) {
            return code;
        }
    }
    super::cli::run(NAME, args, |cli: Cli| match cli.command {
        Command::Link { dir } => link(dir),
    })
}

/// `link`: the six names in `dir` (or this binary's folder), each a hard link to this
/// binary, put in place with one rename each; one already linked is left as it is.
fn link(dir: Option<PathBuf>) -> Result<ExitStatus, Error> {
    let me = std::env::current_exe().map_err(|source| Error::Input {
        what: "this program's path".to_owned(),
        source,
    })?;
    let dir = match dir {
        Some(d) => d,
        None => me.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let made = crate::fsutil::link_names(&me, &dir, &TOOLS).map_err(|source| Error::Link {
        dir: dir.clone(),
        source,
    })?;
    match made.as_slice() {
        [] => note(format_args!(
            "{} already holds the six names: nothing changed",
            dir.display()
        )),
        names => note(format_args!(
            "linked {} in {} to {}",
            names.join(", "),
            dir.display(),
            me.display()
        )),
    }
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_a_program_is_called_by() {
        for (arg0, name) in [
            ("/usr/local/bin/immukv", "immukv"),
            ("immukv", "immukv"),
            ("C:\\Tools\\IMMUKV.EXE", "immukv"),
            ("C:\\Tools\\Api-Key.exe", "api-key"),
            (
                "./terraform-credentials-aws-credstore",
                "terraform-credentials-aws-credstore",
            ),
            ("cdk-toolkit", "cdk-toolkit"),
            ("", ""),
        ] {
            assert_eq!(called_as(OsStr::new(arg0)), name, "{arg0}");
        }
    }
}
