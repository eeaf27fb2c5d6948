//! The helper executable: its name, how a copy of ours is recognised, where its source
//! is, what its block's arguments say (read by the helper's own parser), and how it is
//! run, as Terraform runs it.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::str::FromStr;
use std::time::Duration;

use super::super::host::RegistryHost;
use super::super::settings::HostFlags;
use super::error::InstallError;
use crate::secret::Secret;

/// The largest helper executable read to tell whether it is ours.
const MAX_HELPER_BYTES: u64 = 512 * 1024 * 1024;

/// Executables named like this are Terraform credentials helpers.
pub(crate) const HELPER_PREFIX: &str = "terraform-credentials-";

/// The helper's description. Every `get-registry-token` binary carries it (it is the
/// helper's `--help` text), which is how `--uninstall` recognises a copy it installed.
pub(crate) const HELPER_MARKER: &str =
    "Terraform credentials helper for a private module registry (cdk-toolkit)";

/// A helper name: `terraform-credentials-NAME` must be a plain file name, and Terraform
/// reads `_v...` as a version suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HelperName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid helper name {}: use letters, digits and dashes, without \"_v\" (Terraform reads it as a version)",
    crate::diag::Quoted(.0)
)]
pub(crate) struct HelperNameError(String);

impl FromStr for HelperName {
    type Err = HelperNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && !s.contains("_v")
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(HelperNameError(s.to_owned()))
        }
    }
}

impl fmt::Display for HelperName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl HelperName {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The name Terraform looks for: `terraform-credentials-NAME`.
    pub(crate) fn file_name(&self) -> String {
        format!("{HELPER_PREFIX}{}", self.0)
    }

    /// The executable's file name: [`HelperName::file_name`], and `.exe` on Windows.
    pub(crate) fn executable(&self) -> String {
        format!("{}{}", self.file_name(), std::env::consts::EXE_SUFFIX)
    }
}

/// What a `credentials_helper` block's `args` say, read by the helper's own parser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BlockArgs {
    /// The hosts it serves (`--registry-host`).
    pub(crate) hosts: Vec<RegistryHost>,
    /// Per-host settings given as flags (`--profile`, `--service`, ...), as blocks an
    /// earlier version wrote carry them; they belong in the settings file now.
    pub(crate) settings: HostFlags,
    /// Every other argument (`--min-remaining 600`, `--timeout 9`, ...), verbatim, in
    /// order: kept on every rewrite.
    pub(crate) kept: Vec<String>,
}

impl BlockArgs {
    /// The block's `args` with `hosts` served: the kept arguments, then one
    /// `--registry-host` each.
    pub(crate) fn with_hosts<'a>(
        kept: &[String],
        hosts: impl IntoIterator<Item = &'a RegistryHost>,
    ) -> Vec<String> {
        let mut args = kept.to_vec();
        for host in hosts {
            args.extend(["--registry-host".to_owned(), host.to_string()]);
        }
        args
    }
}

/// Reads a block's `args` exactly as the helper reads its command line: the helper's
/// own definition (in `app`) is the one parser of them, wherever they are read. `Err`
/// says why the helper would refuse them.
pub(crate) type ReadArgs = fn(&[String]) -> Result<BlockArgs, String>;

/// Whether the helper at `path` is one this toolkit installed: a link to the binary
/// under any of its names (the installer links to the name it was started by), or a
/// copy of it (which carries [`HELPER_MARKER`]).
pub(crate) fn is_our_helper(path: &Path) -> bool {
    if let Ok(target) = fs::read_link(path) {
        return target.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            let n = n.strip_suffix(std::env::consts::EXE_SUFFIX).unwrap_or(&n);
            n == crate::BINARY || crate::TOOLS.contains(&n)
        });
    }
    crate::fsutil::read_regular(path, MAX_HELPER_BYTES).is_ok_and(|bytes| {
        bytes.is_some_and(|bytes| {
            bytes
                .windows(HELPER_MARKER.len())
                .any(|w| w == HELPER_MARKER.as_bytes())
        })
    })
}

/// The running binary: one binary is every tool, the helper included (started as
/// `terraform-credentials-NAME`, it is the helper), so the helper is a copy of it, or
/// a link to it.
pub(crate) fn helper_source() -> Result<PathBuf, InstallError> {
    let me = std::env::current_exe().map_err(|_| InstallError::NoSource {
        me: PathBuf::from("this program"),
    })?;
    match crate::fsutil::canonicalize(&me) {
        Ok(me) if me.is_file() => Ok(me),
        _ => Err(InstallError::NoSource { me }),
    }
}

/// What the helper answered when run as Terraform runs it.
#[derive(Debug)]
pub(crate) struct HelperAnswer {
    /// The token it handed out, if it exited 0 with one.
    pub(crate) token: Option<Secret>,
    /// It exited 0 with `{}`: it does not serve the host.
    pub(crate) declined: bool,
    /// The first line it printed on stderr.
    pub(crate) reason: Option<String>,
}

/// Run `helper ARGS get HOST` with no stdin, as Terraform does, for at most `timeout`.
pub(crate) async fn run_helper(
    helper: &Path,
    args: &[String],
    host: &RegistryHost,
    timeout: Duration,
) -> Result<HelperAnswer, InstallError> {
    let child = tokio::process::Command::new(helper)
        .args(args)
        .args(["get", &host.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| InstallError::Run {
            helper: helper.to_owned(),
            source,
        })?;
    let output = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(result) => result.map_err(|source| InstallError::Run {
            helper: helper.to_owned(),
            source,
        })?,
        Err(_) => {
            return Err(InstallError::RunTimeout {
                helper: helper.to_owned(),
                seconds: timeout.as_secs(),
            });
        }
    };
    let answer: Option<serde_json::Value> = serde_json::from_slice(&output.stdout)
        .ok()
        .filter(|_| output.status.success());
    let token = answer
        .as_ref()
        .and_then(|v| v.get("token"))
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .map(Secret::new);
    let declined = answer
        .as_ref()
        .and_then(|v| v.as_object())
        .is_some_and(|o| o.is_empty());
    let reason = String::from_utf8_lossy(&output.stderr)
        .lines()
        .next()
        .map(|l| l.chars().filter(|c| !c.is_control()).collect());
    Ok(HelperAnswer {
        token,
        declined,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_names() {
        assert!("aws-credstore".parse::<HelperName>().is_ok());
        for bad in ["", "a/b", "a\\b", "x_v1", "a b", "..", "x;y"] {
            assert!(bad.parse::<HelperName>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_copy_is_recognised_by_its_marker() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("ours");
        fs::write(&ours, format!("\x7fELF...{HELPER_MARKER}...")).unwrap();
        assert!(is_our_helper(&ours));
        let theirs = dir.path().join("theirs");
        fs::write(&theirs, "#!/bin/sh\n").unwrap();
        assert!(!is_our_helper(&theirs));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_any_of_the_binarys_names_is_ours() {
        let dir = tempfile::tempdir().unwrap();
        let helper = dir.path().join("helper");
        for (target, ours) in [
            ("/opt/bin/install-registry-credentials-helper", true),
            ("/opt/bin/get-registry-token", true),
            ("/opt/bin/cdk-toolkit", true),
            ("/usr/bin/docker-credential-ecr-login", false),
            ("/opt/bin/cdk-toolkit-old", false),
        ] {
            let _ = fs::remove_file(&helper);
            std::os::unix::fs::symlink(target, &helper).unwrap();
            assert_eq!(is_our_helper(&helper), ours, "{target}");
        }
    }
}
