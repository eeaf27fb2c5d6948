//! The CLI config a run of Terraform gets from `env`, `github`, `exec` and the GitHub
//! Action when a registry needs a services override (see [`super::discovery`]) and what
//! Terraform reads has none for it: these give Terraform its tokens in `TF_TOKEN_*`
//! variables and edit none of the user's files, so the override travels the same way,
//! in `TF_CLI_CONFIG_FILE`.
//!
//! That variable makes Terraform (and OpenTofu) read one file instead of its own, so the
//! file named is what Terraform would have read as its main CLI config
//! (`$TF_CLI_CONFIG_FILE`, else `~/.terraformrc`; on Windows `%APPDATA%\terraform.rc`),
//! copied as it is, then our `host` blocks: `~/.cdk/cache/terraform-cli-<hash>.tfrc`,
//! one per main file, 0600 in the cache folder (the copy may hold `credentials`
//! blocks), written atomically under its lock. Overrides another run wrote there for
//! other hosts are kept, so the Action's one call per host ends with every host in it;
//! a run whose `TF_CLI_CONFIG_FILE` already names such a file updates that file. What
//! Terraform no longer reads while the variable is set: `*.tfrc` files in its config
//! folder (`credentials.tfrc.json`, where `terraform login` keeps tokens, is still read).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::cliconfig::{self, CredentialsConfig, HostWanted};
use super::discovery::ServicesOverride;
use super::layout::{Layout, LayoutEnv, Tool};
use crate::cache::{CacheDir, CacheError, Document};

const PREFIX: &str = "terraform-cli-";
const SUFFIX: &str = ".tfrc";

#[derive(Debug, thiserror::Error)]
pub(crate) enum ServicesError {
    #[error(
        "cannot read {} to give Terraform a copy with the services override: {reason}",
        path.display()
    )]
    Read { path: PathBuf, reason: String },
    #[error(
        "cannot understand {} ({source}): fix it, or add the services override to it yourself (the `config` output prints it)",
        path.display()
    )]
    Unreadable {
        path: PathBuf,
        source: cliconfig::ConfigError,
    },
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// A CLI-config file's bytes, as the cache stores them.
#[derive(Debug, Default)]
struct Text(String);

impl Document for Text {
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        String::from_utf8(bytes.to_vec())
            .map(Text)
            .map_err(|_| "not UTF-8 text".to_owned())
    }

    fn render(&self) -> Result<Vec<u8>, String> {
        Ok(self.0.clone().into_bytes())
    }
}

/// Whether `path` is one of the files this module writes.
fn is_generated(path: &Path, cache: &CacheDir) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    cache.holds(path) && name.starts_with(PREFIX) && name.ends_with(SUFFIX)
}

/// The overrides what Terraform reads lacks: a host with a `host` block anywhere in its
/// files (the installer's, the user's) needs nothing more.
fn missing<'a>(
    overrides: &'a [ServicesOverride],
    layout: &Layout,
) -> Result<Vec<&'a ServicesOverride>, ServicesError> {
    let mut configured = Vec::new();
    for path in layout.config_files() {
        let json = path.extension().is_some_and(|e| e == "json");
        let Some(text) = read_text(&path)? else {
            continue;
        };
        let parsed =
            CredentialsConfig::parse(&text, json).map_err(|source| ServicesError::Unreadable {
                path: path.clone(),
                source,
            })?;
        configured.extend(parsed.hosts.into_iter().map(|h| h.host));
    }
    Ok(overrides
        .iter()
        .filter(|o| {
            let host = o.host.to_string();
            !configured.iter().any(|c| c.eq_ignore_ascii_case(&host))
        })
        .collect())
}

fn read_text(path: &Path) -> Result<Option<String>, ServicesError> {
    let err = |reason: String| ServicesError::Read {
        path: path.to_owned(),
        reason,
    };
    match crate::fsutil::read_regular(path, crate::fsutil::MAX_CONFIG_BYTES) {
        Ok(Some(bytes)) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| err("it is not UTF-8 text".to_owned())),
        Ok(None) => Ok(None),
        Err(e) => Err(err(e.to_string())),
    }
}

/// The file to point `TF_CLI_CONFIG_FILE` at so that Terraform, reading it instead of
/// its own, gets `overrides` too; `None` when what it reads already has them all (or
/// there are none).
pub(crate) fn cli_config_with(
    overrides: &[ServicesOverride],
    home: &Path,
    env: &LayoutEnv,
) -> Result<Option<PathBuf>, ServicesError> {
    let layout = Layout::of(Tool::Terraform, home, env);
    let missing = missing(overrides, &layout)?;
    if missing.is_empty() {
        return Ok(None);
    }
    let cache = CacheDir::open()?;
    let main = layout.config_file.clone();
    let (name, base) = if is_generated(&main, &cache) {
        let name = main
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        (name, None)
    } else {
        let digest = hex::encode(Sha256::digest(main.to_string_lossy().as_bytes()));
        let shown = main.display().to_string().replace(['\r', '\n'], " ");
        let header = format!(
            "# Written by get-registry-token for TF_CLI_CONFIG_FILE: {shown} as it was, then a\n\
             # services override for each registry whose discovery names no modules.v1 service.\n\
             # Rewritten on every run: edit {shown} instead.\n"
        );
        let copied = read_text(&main)?.unwrap_or_default();
        (
            format!("{PREFIX}{}{SUFFIX}", &digest[..16]),
            Some(header + &copied),
        )
    };
    let file = cache.file(&name);
    let path = cache.path_of(&name);
    let unreadable = |source| ServicesError::Unreadable {
        path: path.clone(),
        source,
    };
    let result = file.update(|current: &mut Text| -> Result<(), ServicesError> {
        let text = base.clone().unwrap_or_else(|| current.0.clone());
        // Overrides already in the text, or put here by earlier runs for other hosts, stay.
        let mut wanted: Vec<(String, HostWanted)> = Vec::new();
        for earlier in [&text, &current.0] {
            let parsed = CredentialsConfig::parse(earlier, false).map_err(unreadable)?;
            for h in parsed.hosts.into_iter().filter(|h| h.managed) {
                if let Some(url) = h.modules
                    && !wanted.iter().any(|(w, _)| w.eq_ignore_ascii_case(&h.host))
                {
                    wanted.push((h.host, HostWanted::Override(url)));
                }
            }
        }
        for o in &missing {
            let host = o.host.to_string();
            wanted.retain(|(h, _)| !h.eq_ignore_ascii_case(&host));
            wanted.push((host, HostWanted::Override(o.modules.to_string())));
        }
        let eol = cliconfig::line_ending(&text);
        let (text, _, _) = cliconfig::plan_host_blocks(&text, &wanted, eol).map_err(unreadable)?;
        current.0 = text;
        Ok(())
    })?;
    result?;
    Ok(Some(path))
}
