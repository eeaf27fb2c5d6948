//! What the doctor finds: each finding with its level, kind and fix, and where a tool
//! takes a host's token from.

use std::path::PathBuf;

use super::super::install::{BlockArgs, ReadArgs};
use super::super::layout::Tool;
use crate::secret::Secret;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    Ok,
    Warning,
    Problem,
}

impl Level {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Problem => "problem",
        }
    }
}

/// What a finding is about, with what tells one such finding from another: the same
/// kind found for several tools is one finding naming them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FindingKind {
    /// A CLI-config file could not be read.
    Unreadable(PathBuf),
    /// A CLI-config file could not be parsed.
    NotUnderstood(PathBuf),
    /// A `TF_TOKEN_` variable wins over the helper.
    VariableShadows(String),
    /// A `credentials` block (or `terraform login`'s `credentials.tfrc.json`) wins
    /// over the helper.
    CredentialsBlockShadows(PathBuf),
    /// No `credentials_helper` block in what the tool reads.
    NoHelperBlock(PathBuf),
    /// More than one `credentials_helper` block: the tool refuses to start.
    TooManyHelperBlocks(usize),
    /// The configured helper is not where the tool looks.
    HelperNotFound(String),
    /// A versioned helper beats the unversioned one.
    VersionedHelperWins(PathBuf),
    /// The helper is not an executable file.
    HelperNotExecutable(PathBuf),
    /// The helper block's args are not a list of strings.
    HelperArgsUnreadable(PathBuf),
    /// The helper serves other hosts only.
    HelperDoesNotServe,
    /// Where a tool is sent for the host's modules (`url`; `None`: nowhere), by a `host`
    /// block in `file` or by discovery.
    Modules {
        url: Option<String>,
        file: Option<PathBuf>,
    },
    /// The AWS identity that signs for the host.
    Identity,
    /// The live check of a source: the registry accepted its token, or why not.
    Live(Source),
}

/// One thing the doctor found, for some tools (none: for everything), with its fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) level: Level,
    pub(crate) kind: FindingKind,
    pub(crate) tools: Vec<Tool>,
    pub(crate) message: String,
    pub(crate) fix: Option<String>,
}

impl Finding {
    pub(super) fn new(
        level: Level,
        kind: FindingKind,
        tool: Tool,
        message: String,
        fix: Option<String>,
    ) -> Self {
        Self {
            level,
            kind,
            tools: vec![tool],
            message,
            fix,
        }
    }
}

/// Where a tool takes HOST's token from: the first of these that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// `TF_TOKEN_<host>` in the environment.
    Variable { name: String, token: Secret },
    /// A `credentials "HOST"` block (or `credentials.tfrc.json` entry).
    CredentialsBlock {
        file: PathBuf,
        token: Option<Secret>,
    },
    /// The one configured credentials helper, where the tool finds it.
    Helper {
        name: String,
        path: PathBuf,
        args: Vec<String>,
    },
    /// Nothing usable: no token for HOST.
    Nothing,
}

impl Source {
    pub(crate) fn describe(&self) -> String {
        match self {
            Source::Variable { name, .. } => format!("the environment variable {name}"),
            Source::CredentialsBlock { file, .. } => {
                format!("the credentials block in {}", file.display())
            }
            Source::Helper { name, path, .. } => {
                format!("the credentials helper {name:?} ({})", path.display())
            }
            Source::Nothing => "nothing".to_owned(),
        }
    }

    /// The arguments the helper is configured with, read by `read` (`None` when the
    /// helper would refuse them).
    pub(crate) fn helper_args(&self, read: ReadArgs) -> Option<BlockArgs> {
        match self {
            Source::Helper { args, .. } => read(args).ok(),
            _ => None,
        }
    }
}
