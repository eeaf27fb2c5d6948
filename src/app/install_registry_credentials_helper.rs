//! `install-registry-credentials-helper`: put the credentials helper where Terraform
//! and OpenTofu look for it, wire it into the CLI config, and check that it works.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use clap::Parser;

use super::get_registry_token::{HELPER_ABOUT, HELPER_PREFIX};
use crate::aws::AwsArgs;
use crate::exit::{ExitStatus, failure, note, user_error, warn};
use crate::registry::cliconfig::{self, Plan};
use crate::registry::{RegistryHost, Service};

const BINARY: &str = "install-registry-credentials-helper";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    about = "Install the registry credentials helper for Terraform and OpenTofu",
    long_about = "Install the registry credentials helper for Terraform and OpenTofu.\n\n\
        Copies get-registry-token into Terraform's plugin folder as terraform-credentials-NAME, \
        puts one credentials_helper block into the CLI config (~/.terraformrc, ~/.tofurc when it exists, \
        or $TF_CLI_CONFIG_FILE), then runs the helper once to check that Terraform will get a token.",
    after_help = "Examples:\n  install-registry-credentials-helper --registry-host registry.example.com\n  \
        install-registry-credentials-helper --registry-host registry.example.com --dry-run\n  \
        install-registry-credentials-helper --uninstall"
)]
pub struct Cli {
    /// A registry host the helper serves (repeatable).
    #[arg(
        long = "registry-host",
        value_name = "HOST",
        required_unless_present = "uninstall"
    )]
    pub registry_hosts: Vec<String>,
    /// The AWS service the helper signs for.
    #[arg(long, value_enum, default_value = "execute-api")]
    pub service: Service,
    /// Token lifetime the helper requests, in seconds [default: the helper's, 4 hours].
    #[arg(long, value_name = "SECONDS")]
    pub expiration_window: Option<u64>,
    /// Where to put the helper [default: ~/.terraform.d/plugins].
    #[arg(long, value_name = "DIR")]
    pub plugin_directory: Option<PathBuf>,
    /// The CLI-config file to edit [default: $TF_CLI_CONFIG_FILE, else ~/.terraformrc and ~/.tofurc if present].
    #[arg(long, value_name = "FILE")]
    pub rc_file: Option<PathBuf>,
    /// The helper's name (terraform-credentials-NAME).
    #[arg(long, value_name = "NAME", default_value = "aws-credstore")]
    pub name: String,
    /// Link to get-registry-token instead of copying it (upgrades then apply at once).
    #[arg(long)]
    pub link: bool,
    /// Replace another helper's credentials_helper block.
    #[arg(long)]
    pub force: bool,
    /// Print what would change and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Remove the helper and the block this tool added, and nothing else.
    #[arg(long, conflicts_with_all = ["link", "force"])]
    pub uninstall: bool,
    /// Do not run the installed helper to check it.
    #[arg(long)]
    pub no_check: bool,
    /// Base URL for the helper's token requests instead of https://HOST (tunnels, tests).
    #[arg(long, value_name = "URL")]
    pub registry_url: Option<reqwest::Url>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn main() -> ExitCode {
    crate::exit::run(BINARY, || run(Cli::parse()))
}

fn home() -> anyhow::Result<PathBuf> {
    dirs::home_dir().ok_or_else(|| user_error("cannot find the home folder: set HOME"))
}

/// Where Terraform looks for credentials helpers: `~/.terraform.d/plugins` and
/// `~/.terraform.d/plugins/<os>_<arch>`.
fn terraform_plugin_dirs(home: &Path) -> Vec<PathBuf> {
    let base = home.join(".terraform.d").join("plugins");
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    vec![base.clone(), base.join(format!("{os}_{arch}"))]
}

/// The CLI-config files to edit.
fn rc_files(cli: &Cli, home: &Path) -> Vec<PathBuf> {
    if let Some(f) = &cli.rc_file {
        return vec![f.clone()];
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

fn helper_args(cli: &Cli, hosts: &[RegistryHost]) -> Vec<String> {
    let mut args = Vec::new();
    for h in hosts {
        args.extend(["--registry-host".to_owned(), h.to_string()]);
    }
    args.extend([
        "--service".to_owned(),
        cli.service.signing_name().to_owned(),
    ]);
    if let Some(w) = cli.expiration_window {
        args.extend(["--expiration-window".to_owned(), w.to_string()]);
    }
    if let Some(u) = &cli.registry_url {
        args.extend(["--registry-url".to_owned(), u.to_string()]);
    }
    if let Some(p) = &cli.aws.profile {
        args.extend(["--profile".to_owned(), p.clone()]);
    }
    if let Some(r) = &cli.aws.region {
        args.extend(["--region".to_owned(), r.clone()]);
    }
    args
}

fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    if cli.name.is_empty() || cli.name.contains(['/', '\\']) || cli.name.contains("_v") {
        return Err(user_error(format!(
            "invalid helper name {:?}: use letters, digits and dashes, without \"_v\" (Terraform reads it as a version)",
            cli.name
        )));
    }
    let home = home()?;
    let plugin_dir = cli
        .plugin_directory
        .clone()
        .unwrap_or_else(|| terraform_plugin_dirs(&home).remove(0));
    let helper_path = plugin_dir.join(format!("{HELPER_PREFIX}{}", cli.name));
    let files = rc_files(&cli, &home);
    if cli.uninstall {
        return uninstall(&cli, &helper_path, &files);
    }
    let hosts = cli
        .registry_hosts
        .iter()
        .map(|h| RegistryHost::parse(h))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let source = helper_source()?;
    let args = helper_args(&cli, &hosts);

    // Decide every edit before changing anything.
    let mut edits = Vec::new();
    for file in &files {
        let text = read_text(file)?;
        match cliconfig::plan_install(&text, &cli.name, &args, cli.force) {
            Plan::Conflict { other } => {
                return Err(user_error(format!(
                    "{} already configures the credentials helper {other:?}; Terraform allows one: pass --force to replace it",
                    file.display()
                )));
            }
            Plan::Unchanged => note(format_args!("{} is already up to date", file.display())),
            Plan::Rewrite { text: new, removed } => edits.push((file.clone(), text, new, removed)),
        }
    }

    if cli.dry_run {
        let mut out = std::io::stdout().lock();
        let how = if cli.link { "link to" } else { "copy of" };
        writeln!(
            out,
            "would install {} ({how} {})",
            helper_path.display(),
            source.display()
        )?;
        for (file, _, new, removed) in &edits {
            writeln!(out, "--- {}\n+++ {}", file.display(), file.display())?;
            for block in removed {
                for line in block.lines() {
                    writeln!(out, "-{line}")?;
                }
            }
            let added = cliconfig::helper_block(&cli.name, &args);
            debug_assert!(new.contains(&added));
            for line in added.lines() {
                writeln!(out, "+{line}")?;
            }
        }
        return Ok(ExitStatus::Success);
    }

    install_binary(&source, &helper_path, cli.link)?;
    note(format_args!("installed {}", helper_path.display()));
    for (file, old, new, _) in &edits {
        write_rc(file, old, new)?;
        note(format_args!(
            "configured credentials_helper {:?} in {}",
            cli.name,
            file.display()
        ));
    }
    if !terraform_plugin_dirs(&home)
        .iter()
        .any(|d| same_dir(d, &plugin_dir))
    {
        warn(format_args!(
            "Terraform looks for helpers only in {}: it will not find {}",
            terraform_plugin_dirs(&home)[0].display(),
            helper_path.display()
        ));
    }
    if cli.no_check {
        return Ok(ExitStatus::Success);
    }
    check(&helper_path, &args, &hosts, &files)
}

/// `get-registry-token` next to this binary (as `cargo install` puts them).
fn helper_source() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let dir = me
        .parent()
        .ok_or_else(|| failure("cannot locate this program's folder"))?;
    let candidate = dir.join(format!(
        "get-registry-token{}",
        std::env::consts::EXE_SUFFIX
    ));
    if candidate.is_file() {
        return Ok(candidate.canonicalize().unwrap_or(candidate));
    }
    Err(user_error(format!(
        "cannot find get-registry-token next to {}: install the whole toolkit (cargo install --path .)",
        me.display()
    )))
}

fn read_text(file: &Path) -> anyhow::Result<String> {
    match fs::read_to_string(file) {
        Ok(t) => Ok(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(user_error(format!("cannot read {}: {e}", file.display()))),
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// A copy (or a link) put in place with one rename, so Terraform never runs half a file.
fn install_binary(source: &Path, dest: &Path, link: bool) -> anyhow::Result<()> {
    let dir = dest
        .parent()
        .ok_or_else(|| user_error("invalid plugin directory"))?;
    fs::create_dir_all(dir)
        .map_err(|e| user_error(format!("cannot create {}: {e}", dir.display())))?;
    let result = if link {
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
    } else {
        fs::read(source).and_then(|bytes| crate::fsutil::replace(dest, &bytes, 0o755))
    };
    result.map_err(|e| user_error(format!("cannot install {}: {e}", dest.display())))
}

/// Replace the rc file atomically, keeping its permissions; the new text is written
/// only if nobody changed the file since we read it.
fn write_rc(file: &Path, old: &str, new: &str) -> anyhow::Result<()> {
    if read_text(file)? != old {
        return Err(failure(format!(
            "{} changed while installing: run again",
            file.display()
        )));
    }
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let mode = fs::metadata(file)
        .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777)
        .unwrap_or(0o644);
    crate::fsutil::replace(file, new.as_bytes(), mode)
        .map_err(|e| user_error(format!("cannot write {}: {e}", file.display())))
}

/// Run the helper as Terraform will and say whether Terraform can use it.
fn check(
    helper: &Path,
    args: &[String],
    hosts: &[RegistryHost],
    files: &[PathBuf],
) -> anyhow::Result<ExitStatus> {
    let mut ok = true;
    for host in hosts {
        if let Some(var) = host
            .tf_token_var()
            .ok()
            .filter(|v| std::env::var_os(v).is_some())
        {
            warn(format_args!(
                "{var} is set in this environment: Terraform will use it instead of the helper"
            ));
        }
        for file in files {
            if cliconfig::has_credentials_block(
                &read_text(file).unwrap_or_default(),
                &host.to_string(),
            ) {
                warn(format_args!(
                    "{} has a credentials block for {host}: Terraform will use it instead of the helper",
                    file.display()
                ));
            }
        }
        let output = Command::new(helper)
            .args(args)
            .args(["get", &host.to_string()])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                failure(format!(
                    "cannot run the installed helper {}: {e}",
                    helper.display()
                ))
            })?;
        let answer: Option<serde_json::Value> = serde_json::from_slice(&output.stdout).ok();
        let has_token = answer
            .as_ref()
            .and_then(|v| v.get("token"))
            .and_then(|t| t.as_str())
            .is_some_and(|t| !t.is_empty());
        if output.status.success() && has_token {
            note(format_args!(
                "checked: Terraform will get a token for {host} from the helper"
            ));
        } else {
            ok = false;
            let mut reason = String::new();
            let _ = (&output.stderr[..]).read_to_string(&mut reason);
            let reason = reason
                .lines()
                .next()
                .unwrap_or("no token in its answer")
                .to_owned();
            warn(format_args!(
                "Terraform will not be able to get a token for {host}: {reason}"
            ));
        }
    }
    if ok {
        Ok(ExitStatus::Success)
    } else {
        Err(failure(
            "the helper is installed but its check failed (see above)",
        ))
    }
}

fn is_our_helper(path: &Path) -> bool {
    if let Ok(target) = fs::read_link(path) {
        return target
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("get-registry-token"));
    }
    fs::read(path).is_ok_and(|bytes| {
        bytes
            .windows(HELPER_ABOUT.len())
            .any(|w| w == HELPER_ABOUT.as_bytes())
    })
}

fn uninstall(cli: &Cli, helper: &Path, files: &[PathBuf]) -> anyhow::Result<ExitStatus> {
    let mut changed = false;
    let remove_helper = helper.symlink_metadata().is_ok() && is_our_helper(helper);
    if helper.symlink_metadata().is_ok() && !remove_helper {
        warn(format_args!(
            "leaving {}: it was not installed by this tool",
            helper.display()
        ));
    }
    let mut out = std::io::stdout().lock();
    for file in files {
        let text = read_text(file)?;
        if let Some((new, removed)) = cliconfig::plan_uninstall(&text) {
            changed = true;
            if cli.dry_run {
                writeln!(out, "--- {}\n+++ {}", file.display(), file.display())?;
                for line in removed.iter().flat_map(|b| b.lines()) {
                    writeln!(out, "-{line}")?;
                }
                continue;
            }
            if new.trim().is_empty() {
                fs::remove_file(file)?;
            } else {
                write_rc(file, &text, &new)?;
            }
            note(format_args!(
                "removed the credentials_helper block from {}",
                file.display()
            ));
        }
    }
    if remove_helper {
        changed = true;
        if cli.dry_run {
            writeln!(out, "would remove {}", helper.display())?;
        } else {
            fs::remove_file(helper)?;
            note(format_args!("removed {}", helper.display()));
        }
    }
    if !changed {
        note("nothing to uninstall");
    }
    Ok(ExitStatus::Success)
}
