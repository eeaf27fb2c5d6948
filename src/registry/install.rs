//! Installing the credentials helper: where Terraform looks for it, which CLI-config
//! files to edit and how, the arguments the helper is configured with, how to tell a
//! helper this toolkit installed from someone else's, and the check that runs it.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::str::FromStr;
use std::time::Duration;

use super::cliconfig::ConfigError;
use super::layout::{Layout, LayoutEnv, Tool};
use super::settings::HostFlags;
use super::{RegistryHost, Service};
use crate::fsutil::{Ownership, edit_target};
use crate::http::BaseUrl;
use crate::secret::Secret;

/// Executables named like this are Terraform credentials helpers.
pub(crate) const HELPER_PREFIX: &str = "terraform-credentials-";

/// The helper's description. Every `get-registry-token` binary carries it (it is the
/// helper's `--help` text), which is how `--uninstall` recognises a copy it installed.
pub(crate) const HELPER_MARKER: &str =
    "Terraform credentials helper for a private module registry (cdk-toolkit)";

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
    #[error("{} changed while installing: run again", path.display())]
    Changed { path: PathBuf },
    #[error(
        "{} already configures the credentials helper {other:?}; Terraform allows one: pass --force to replace it",
        path.display()
    )]
    Conflict { path: PathBuf, other: String },
    #[error(
        "cannot find get-registry-token next to {}: install the whole toolkit (cargo install --path .)",
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

/// A helper name: `terraform-credentials-NAME` must be a plain file name, and Terraform
/// reads `_v...` as a version suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HelperName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid helper name {0:?}: use letters, digits and dashes, without \"_v\" (Terraform reads it as a version)"
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

    /// The executable's file name.
    pub(crate) fn file_name(&self) -> String {
        format!("{HELPER_PREFIX}{}", self.0)
    }
}

/// Where Terraform looks for credentials helpers: `~/.terraform.d/plugins` and
/// `~/.terraform.d/plugins/<os>_<arch>` (OpenTofu looks there too).
pub(crate) fn plugin_dirs(home: &Path) -> Vec<PathBuf> {
    Layout::of(Tool::Terraform, home, &LayoutEnv::default()).plugin_dirs
}

/// The CLI-config files to edit: the one named, else `$TF_CLI_CONFIG_FILE`, else
/// `~/.terraformrc` and `~/.tofurc` when it exists.
pub(crate) fn rc_files(named: Option<&Path>, home: &Path) -> Vec<PathBuf> {
    if let Some(f) = named {
        return vec![f.to_owned()];
    }
    if let Some(f) = crate::env::var(crate::env::TF_CLI_CONFIG_FILE) {
        return vec![PathBuf::from(f)];
    }
    let mut files = vec![home.join(".terraformrc")];
    let tofu = home.join(".tofurc");
    if tofu.exists() {
        files.push(tofu);
    }
    files
}

/// What the helper is configured with: the arguments in its `credentials_helper` block.
/// The installer writes the hosts alone (their settings live in the settings file);
/// blocks written by earlier versions carry the rest too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HelperSettings {
    pub(crate) hosts: Vec<RegistryHost>,
    pub(crate) service: Option<Service>,
    pub(crate) expiration_window: Option<u64>,
    pub(crate) registry_url: Option<BaseUrl>,
    pub(crate) profile: Option<String>,
    pub(crate) region: Option<String>,
}

impl HelperSettings {
    /// The arguments as a block's `args` list. The one typed reading of them is
    /// [`HelperSettings::parse`].
    pub(crate) fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        for h in &self.hosts {
            args.extend(["--registry-host".to_owned(), h.to_string()]);
        }
        if let Some(service) = self.service {
            args.extend(["--service".to_owned(), service.signing_name().to_owned()]);
        }
        if let Some(w) = self.expiration_window {
            args.extend(["--expiration-window".to_owned(), w.to_string()]);
        }
        if let Some(u) = &self.registry_url {
            args.extend(["--registry-url".to_owned(), u.to_string()]);
        }
        if let Some(p) = &self.profile {
            args.extend(["--profile".to_owned(), p.clone()]);
        }
        if let Some(r) = &self.region {
            args.extend(["--region".to_owned(), r.clone()]);
        }
        args
    }

    /// Read a block's `args` (`--flag value` or `--flag=value`); what is not one of
    /// these flags, or does not parse, is passed over: the helper itself refuses it.
    pub(crate) fn parse(args: &[String]) -> Self {
        let mut settings = Self::default();
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let known = [
                "--registry-host",
                "--service",
                "--expiration-window",
                "--registry-url",
                "--profile",
                "--region",
            ];
            if !known.contains(&flag) {
                continue;
            }
            let Some(value) = inline.or_else(|| rest.next().cloned()) else {
                break;
            };
            match flag {
                "--registry-host" => settings.hosts.extend(value.parse().ok()),
                "--service" => {
                    settings.service = <Service as clap::ValueEnum>::from_str(&value, false).ok()
                }
                "--expiration-window" => settings.expiration_window = value.parse().ok(),
                "--registry-url" => settings.registry_url = value.parse().ok(),
                "--profile" => settings.profile = Some(value),
                _ => settings.region = Some(value),
            }
        }
        settings
    }

    /// What these arguments say about a host, as flags over its settings.
    pub(crate) fn flags(&self) -> HostFlags {
        HostFlags {
            profile: self.profile.clone(),
            region: self.region.clone(),
            service: self.service,
            registry_url: self.registry_url.clone(),
            token_lifetime: self.expiration_window,
        }
    }
}

/// Whether the helper at `path` is one this toolkit installed: a link to
/// `get-registry-token`, or a copy of it (which carries [`HELPER_MARKER`]).
pub(crate) fn is_our_helper(path: &Path) -> bool {
    if let Ok(target) = fs::read_link(path) {
        return target
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("get-registry-token"));
    }
    fs::read(path).is_ok_and(|bytes| {
        bytes
            .windows(HELPER_MARKER.len())
            .any(|w| w == HELPER_MARKER.as_bytes())
    })
}

/// `get-registry-token` next to the running binary (as `cargo install` puts them).
pub(crate) fn helper_source() -> Result<PathBuf, InstallError> {
    let me = std::env::current_exe().unwrap_or_default();
    let candidate = me.parent().map(|d| {
        d.join(format!(
            "get-registry-token{}",
            std::env::consts::EXE_SUFFIX
        ))
    });
    match candidate {
        Some(c) if c.is_file() => Ok(c.canonicalize().unwrap_or(c)),
        _ => Err(InstallError::NoSource { me }),
    }
}

/// A copy (or a link) put in place with one rename, so Terraform never runs half a file.
pub(crate) fn install_binary(source: &Path, dest: &Path, link: bool) -> Result<(), InstallError> {
    let err = |source| InstallError::Install {
        dest: dest.to_owned(),
        source,
    };
    let dir = dest
        .parent()
        .ok_or_else(|| err(io::Error::other("not a file path")))?;
    fs::create_dir_all(dir).map_err(err)?;
    if link {
        let tmp = dir.join(format!(
            ".{}.link-{}",
            dest.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        let _ = fs::remove_file(&tmp);
        std::os::unix::fs::symlink(source, &tmp)
            .and_then(|()| fs::rename(&tmp, dest))
            .inspect_err(|_| {
                let _ = fs::remove_file(&tmp);
            })
            .map_err(err)
    } else {
        fs::read(source)
            .and_then(|bytes| crate::fsutil::replace(dest, &bytes, Ownership::mine(0o755)))
            .map_err(err)
    }
}

/// A CLI-config file as read: where edits go (a link's target) and with which owner
/// and mode, and its text.
#[derive(Debug)]
pub(crate) struct RcFile {
    /// The path the user named (a link stays a link).
    pub(crate) path: PathBuf,
    target: PathBuf,
    ownership: Option<Ownership>,
    pub(crate) text: String,
}

impl RcFile {
    /// Read `path`; a missing file is empty.
    pub(crate) fn read(path: &Path) -> Result<Self, InstallError> {
        let read_err = |source| InstallError::Read {
            path: path.to_owned(),
            source,
        };
        let target = edit_target(path).map_err(read_err)?;
        let (text, ownership) = match fs::read(&target) {
            Ok(bytes) => {
                let meta = fs::metadata(&target).map_err(read_err)?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    read_err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "it is not UTF-8 text",
                    ))
                })?;
                (text, Some(Ownership::of(&meta)))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => (String::new(), None),
            Err(e) => return Err(read_err(e)),
        };
        Ok(Self {
            path: path.to_owned(),
            target,
            ownership,
            text,
        })
    }

    /// A file the scan cannot follow is refused before anything is changed.
    pub(crate) fn unreadable(&self, source: ConfigError) -> InstallError {
        InstallError::Unreadable {
            path: self.path.clone(),
            source,
        }
    }

    /// Replace the text atomically in the target's own folder, keeping the target's
    /// mode and owner exactly; only when nobody changed the file since it was read.
    pub(crate) fn write(&self, new: &str) -> Result<(), InstallError> {
        if RcFile::read(&self.path)?.text != self.text {
            return Err(InstallError::Changed {
                path: self.path.clone(),
            });
        }
        let err = |source| InstallError::Write {
            path: self.path.clone(),
            source,
        };
        if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(err)?;
        }
        let ownership = self.ownership.unwrap_or(Ownership::mine(0o644));
        crate::fsutil::replace(&self.target, new.as_bytes(), ownership).map_err(err)
    }

    /// Remove a plain file that is left empty; a link is never removed (its target is
    /// written empty instead).
    pub(crate) fn remove_or_empty(&self) -> Result<(), InstallError> {
        if self.target != self.path {
            return self.write("");
        }
        fs::remove_file(&self.path).map_err(|source| InstallError::Remove {
            path: self.path.clone(),
            source,
        })
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
    fn helper_args_read_back_as_written() {
        let settings = HelperSettings {
            hosts: vec![
                "a.example.com".parse().unwrap(),
                "b.example.com:8443".parse().unwrap(),
            ],
            service: Some(Service::Lambda),
            expiration_window: Some(300),
            registry_url: Some("https://tunnel.example.com/prod".parse().unwrap()),
            profile: Some("dev".into()),
            region: Some("eu-west-1".into()),
        };
        assert_eq!(HelperSettings::parse(&settings.args()), settings);
        // The equals form, unknown flags and values that do not parse.
        let args: Vec<String> = [
            "--registry-host=c.example.com",
            "--min-remaining",
            "60",
            "--service",
            "nope",
            "--expiration-window",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let read = HelperSettings::parse(&args);
        assert_eq!(
            read.hosts,
            vec!["c.example.com".parse::<RegistryHost>().unwrap()]
        );
        assert_eq!((read.service, read.expiration_window), (None, None));
        assert_eq!(read.flags().token_lifetime, None);
    }

    #[test]
    fn helper_names() {
        assert!("aws-credstore".parse::<HelperName>().is_ok());
        for bad in ["", "a/b", "a\\b", "x_v1", "a b", "..", "x;y"] {
            assert!(bad.parse::<HelperName>().is_err(), "{bad}");
        }
    }

    #[test]
    fn plugin_dirs_name_the_platform() {
        let dirs = plugin_dirs(Path::new("/home/u"));
        assert_eq!(dirs[0], Path::new("/home/u/.terraform.d/plugins"));
        let platform = dirs[1].file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            platform.contains('_') && !platform.contains("x86_64"),
            "{platform}"
        );
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
}
