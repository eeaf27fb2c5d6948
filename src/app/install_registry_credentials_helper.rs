//! `install-registry-credentials-helper`: put the credentials helper where Terraform
//! and OpenTofu look for it, wire it into the CLI config, and check that it works.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use super::{Error, runtime};
use crate::aws::AwsArgs;
use crate::diag::{note, warn};
use crate::exit::ExitStatus;
use crate::http::BaseUrl;
use crate::registry::cliconfig::{self, Plan};
use crate::registry::install::{
    self, HelperName, HelperSettings, InstallError, RcFile, helper_source, install_binary,
    is_our_helper, plugin_dirs, rc_files,
};
use crate::registry::layout::{Layout, LayoutEnv, Tool};
use crate::registry::token::MAX_EXPIRATION_SECONDS;
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
pub(crate) struct Cli {
    /// A registry host the helper serves (repeatable).
    #[arg(
        long = "registry-host",
        value_name = "HOST",
        required_unless_present = "uninstall"
    )]
    registry_hosts: Vec<RegistryHost>,
    /// The AWS service the helper signs for.
    #[arg(long, value_enum, default_value = "execute-api")]
    service: Service,
    /// Token lifetime the helper requests, in seconds [default: the helper's, 4 hours].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=MAX_EXPIRATION_SECONDS))]
    expiration_window: Option<u64>,
    /// Where to put the helper [default: ~/.terraform.d/plugins].
    #[arg(long, value_name = "DIR")]
    plugin_directory: Option<PathBuf>,
    /// The CLI-config file to edit [default: $TF_CLI_CONFIG_FILE, else ~/.terraformrc and ~/.tofurc if present].
    #[arg(long, value_name = "FILE")]
    rc_file: Option<PathBuf>,
    /// The helper's name (terraform-credentials-NAME).
    #[arg(long, value_name = "NAME", default_value = "aws-credstore")]
    name: HelperName,
    /// Link to get-registry-token instead of copying it (upgrades then apply at once).
    #[arg(long)]
    link: bool,
    /// Replace another helper's credentials_helper block.
    #[arg(long)]
    force: bool,
    /// Print what would change and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Remove the helper and the block this tool added, and nothing else.
    #[arg(long, conflicts_with_all = ["link", "force"])]
    uninstall: bool,
    /// Do not run the installed helper to check it.
    #[arg(long)]
    no_check: bool,
    /// Give the check this many seconds to get a token.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    check_timeout: u64,
    /// Base URL for the helper's token requests instead of https://HOST (tunnels, tests).
    #[arg(long, value_name = "URL")]
    registry_url: Option<BaseUrl>,
    #[command(flatten)]
    aws: AwsArgs,
}

pub fn main() -> ExitCode {
    super::run(BINARY, run)
}

fn run(cli: Cli) -> Result<ExitStatus, Error> {
    let home = dirs::home_dir().ok_or(InstallError::NoHome)?;
    let plugin_dir = cli
        .plugin_directory
        .clone()
        .unwrap_or_else(|| plugin_dirs(&home).remove(0));
    let helper_path = plugin_dir.join(cli.name.file_name());
    let files = rc_files(cli.rc_file.as_deref(), &home)
        .iter()
        .map(|f| RcFile::read(f))
        .collect::<Result<Vec<_>, _>>()?;
    if cli.uninstall {
        return uninstall(&cli, &helper_path, &files);
    }
    let source = helper_source()?;
    let settings = HelperSettings {
        hosts: cli.registry_hosts.clone(),
        service: cli.service,
        expiration_window: cli.expiration_window,
        registry_url: cli.registry_url.clone(),
        profile: cli.aws.profile.clone(),
        region: cli.aws.region.clone(),
    };
    let args = settings.args();

    // Decide every edit before changing anything.
    let mut edits = Vec::new();
    for file in &files {
        match cliconfig::plan_install(&file.text, cli.name.as_str(), &args, cli.force)
            .map_err(|e| file.unreadable(e))?
        {
            Plan::Conflict { other } => {
                return Err(InstallError::Conflict {
                    path: file.path.clone(),
                    other,
                }
                .into());
            }
            Plan::Unchanged => note(format_args!(
                "{} is already up to date",
                file.path.display()
            )),
            Plan::Rewrite { text, removed } => edits.push((file, text, removed)),
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
        let added = cliconfig::helper_block(cli.name.as_str(), &args);
        for (file, _, removed) in &edits {
            print_diff(&mut out, &file.path, removed, &added)?;
        }
        return Ok(ExitStatus::Success);
    }

    let env = LayoutEnv::from_process();
    let tofu_before = Layout::of(Tool::OpenTofu, &home, &env);
    install_binary(&source, &helper_path, cli.link)?;
    note(format_args!("installed {}", helper_path.display()));
    for (file, new, _) in &edits {
        file.write(new)?;
        note(format_args!(
            "configured credentials_helper {:?} in {}",
            cli.name.as_str(),
            file.path.display()
        ));
    }
    for tool in Tool::ALL {
        let searched = Layout::of(tool, &home, &env).plugin_dirs;
        if !searched.iter().any(|d| same_dir(d, &plugin_dir)) {
            let dirs: Vec<String> = searched.iter().map(|d| d.display().to_string()).collect();
            warn(format_args!(
                "{tool} looks for helpers only in {}: it will not find {}",
                dirs.join(" and "),
                helper_path.display()
            ));
        }
    }
    say_where_opentofu_moved(&tofu_before, &Layout::of(Tool::OpenTofu, &home, &env));
    if cli.no_check {
        return Ok(ExitStatus::Success);
    }
    check(&cli, &helper_path, &args, &files)
}

/// OpenTofu uses its XDG locations only while `~/.terraformrc`, `~/.tofurc` and
/// `~/.terraform.d` do not exist: creating them (as installing for Terraform does) moves
/// it back to the home locations. Say so, and what to do about it.
fn say_where_opentofu_moved(before: &Layout, after: &Layout) {
    if before.config_file != after.config_file && before.config_file.exists() {
        warn(format_args!(
            "OpenTofu now reads {} instead of {}: move that file's settings into ~/.tofurc and run this installer again",
            after.config_file.display(),
            before.config_file.display()
        ));
    }
    if before.config_dir != after.config_dir && before.config_dir.exists() {
        warn(format_args!(
            "creating {} moved OpenTofu's config folder there from {}: move credentials.tfrc.json and any *.tfrc files along",
            after.config_dir.display(),
            before.config_dir.display()
        ));
    }
}

/// What `--dry-run` shows for one file: the blocks removed, then the one added.
fn print_diff(
    out: &mut impl Write,
    path: &Path,
    removed: &[String],
    added: &str,
) -> std::io::Result<()> {
    writeln!(out, "--- {}\n+++ {}", path.display(), path.display())?;
    for line in removed.iter().flat_map(|b| b.lines()) {
        writeln!(out, "-{line}")?;
    }
    for line in added.lines() {
        writeln!(out, "+{line}")?;
    }
    Ok(())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Run the helper as Terraform will and say whether Terraform can use it.
fn check(cli: &Cli, helper: &Path, args: &[String], files: &[RcFile]) -> Result<ExitStatus, Error> {
    let timeout = Duration::from_secs(cli.check_timeout);
    let mut ok = true;
    for host in &cli.registry_hosts {
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
            // Re-read: the helper block was just written into it.
            if RcFile::read(&file.path)?.has_credentials_block(host)? {
                warn(format_args!(
                    "{} has a credentials block for {host}: Terraform will use it instead of the helper",
                    file.path.display()
                ));
            }
        }
        let answer = match runtime()?.block_on(install::run_helper(helper, args, host, timeout)) {
            Ok(answer) => answer,
            Err(InstallError::RunTimeout { seconds, .. }) => {
                ok = false;
                warn(format_args!(
                    "the helper did not answer for {host} within {seconds} s: check the registry and AWS, \
                     or allow more time with --check-timeout SECONDS"
                ));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if answer.token.is_some() {
            note(format_args!(
                "checked: Terraform will get a token for {host} from the helper"
            ));
        } else {
            ok = false;
            warn(format_args!(
                "Terraform will not be able to get a token for {host}: {}",
                answer.reason.as_deref().unwrap_or("no token in its answer")
            ));
        }
    }
    if ok {
        Ok(ExitStatus::Success)
    } else {
        Err(InstallError::CheckFailed.into())
    }
}

fn uninstall(cli: &Cli, helper: &Path, files: &[RcFile]) -> Result<ExitStatus, Error> {
    let mut changed = false;
    let present = helper.symlink_metadata().is_ok();
    let remove_helper = present && is_our_helper(helper);
    if present && !remove_helper {
        warn(format_args!(
            "leaving {}: it was not installed by this tool",
            helper.display()
        ));
    }
    // Decide every edit before changing anything.
    let mut edits = Vec::new();
    for file in files {
        if let Some((new, removed)) =
            cliconfig::plan_uninstall(&file.text).map_err(|e| file.unreadable(e))?
        {
            edits.push((file, new, removed));
        }
    }
    let mut out = std::io::stdout().lock();
    for (file, new, removed) in &edits {
        changed = true;
        if cli.dry_run {
            print_diff(&mut out, &file.path, removed, "")?;
            continue;
        }
        if new.trim().is_empty() {
            file.remove_or_empty()?;
        } else {
            file.write(new)?;
        }
        note(format_args!(
            "removed the credentials_helper block from {}",
            file.path.display()
        ));
    }
    if remove_helper {
        changed = true;
        if cli.dry_run {
            writeln!(out, "would remove {}", helper.display())?;
        } else {
            std::fs::remove_file(helper).map_err(|source| InstallError::Remove {
                path: helper.to_owned(),
                source,
            })?;
            note(format_args!("removed {}", helper.display()));
        }
    }
    if !changed {
        note("nothing to uninstall");
    }
    Ok(ExitStatus::Success)
}
