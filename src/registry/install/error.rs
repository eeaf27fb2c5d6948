//! What can go wrong installing the helper, each with what to do.

use std::io;
use std::path::PathBuf;

use super::super::cliconfig::ConfigError;
use super::super::settings::SettingsError;

#[derive(Debug, thiserror::Error)]
pub(crate) enum InstallError {
    #[error("cannot find the home folder: set HOME")]
    NoHome,
    #[error(
        "cannot understand {} ({source}): fix it by hand or name another file with --rc-file; nothing was changed",
        path.display()
    )]
    Unreadable { path: PathBuf, source: ConfigError },
    #[error("cannot read {}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error(
        "{} is {what}, not a regular file: it is not edited, and nothing was changed; name a CLI \
         config file with --rc-file FILE (or in TF_CLI_CONFIG_FILE)",
        path.display()
    )]
    NotRegular { path: PathBuf, what: String },
    #[error(
        "{} is {what}, not a regular file: the helper cannot be put there, and nothing was changed",
        path.display()
    )]
    TargetNotRegular { path: PathBuf, what: String },
    #[error(
        "cannot understand the args of the credentials_helper block in {} ({reason}): fix them by hand; \
         nothing was changed",
        path.display()
    )]
    BlockArgs { path: PathBuf, reason: String },
    #[error("{} changed while installing (another program edited it): run again; nothing was changed", path.display())]
    Changed { path: PathBuf },
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(
        "{} already configures the credentials helper {}; Terraform allows one: pass --force to replace it",
        path.display(), crate::diag::Quoted(.other)
    )]
    Conflict { path: PathBuf, other: String },
    #[error(
        "cannot find this program's own file ({}), which the helper is a copy of: run the installer from \
         where it is installed",
        me.display()
    )]
    NoSource { me: PathBuf },
    #[error("cannot install {}", dest.display())]
    Install { dest: PathBuf, source: io::Error },
    #[error("cannot remove {}", path.display())]
    Remove { path: PathBuf, source: io::Error },
    #[error("cannot run the installed helper {}", helper.display())]
    Run { helper: PathBuf, source: io::Error },
    #[error(
        "the installed helper {} did not answer within {seconds} s",
        helper.display()
    )]
    RunTimeout { helper: PathBuf, seconds: u64 },
    #[error("the helper is installed but its check failed (see above)")]
    CheckFailed,
}
