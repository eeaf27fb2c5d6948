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
use crate::registry::cliconfig::{self, CredentialsConfig, Plan};
use crate::registry::doctor::{Checkup, FindingKind, Level, Source, diagnose};
use crate::registry::install::{
    HelperName, HelperSettings, InstallError, RcFile, helper_source, install_binary, is_our_helper,
    plugin_dirs, rc_files,
};
use crate::registry::layout::{Layout, LayoutEnv, Tool};
use crate::registry::settings::{HostFlags, RegistrySettings};
use crate::registry::token::MAX_EXPIRATION_SECONDS;
use crate::registry::{RegistryHost, Service};

const BINARY: &str = "install-registry-credentials-helper";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    long_version = super::LONG_VERSION,
    about = "Install the registry credentials helper for Terraform and OpenTofu",
    long_about = "Install the registry credentials helper for Terraform and OpenTofu.\n\n\
        Copies get-registry-token into Terraform's plugin folder as terraform-credentials-NAME, \
        records each host's settings (AWS profile, region, service, registry URL, token lifetime) in \
        ~/.cdk/registries.json, puts one credentials_helper block naming every host into the CLI config \
        (~/.terraformrc, ~/.tofurc when it exists, or $TF_CLI_CONFIG_FILE), then checks that Terraform \
        will get a token for each host it was given.",
    after_help = "Examples:\n  install-registry-credentials-helper --registry-host registry.example.com\n  \
        install-registry-credentials-helper --registry-host registry.dev.example.com --profile dev\n  \
        install-registry-credentials-helper --registry-host modules.prod.example.com --profile prod --service lambda\n  \
        install-registry-credentials-helper --registry-host registry.example.com --dry-run\n  \
        install-registry-credentials-helper --uninstall --registry-host registry.dev.example.com\n  \
        install-registry-credentials-helper --uninstall"
)]
pub(crate) struct Cli {
    /// A registry host the helper serves (repeatable); the settings given with it
    /// (--profile, --region, --service, --registry-url, --expiration-window) are
    /// recorded for it in ~/.cdk/registries.json. With --uninstall: the host to remove.
    #[arg(
        long = "registry-host",
        value_name = "HOST",
        required_unless_present = "uninstall"
    )]
    registry_hosts: Vec<RegistryHost>,
    /// The AWS service the helper signs for, for these hosts [default: execute-api].
    #[arg(long, value_enum)]
    service: Option<Service>,
    /// Token lifetime the helper requests for these hosts, in seconds [default: the
    /// helper's, 4 hours].
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
    /// Remove what this tool added, and nothing else: with --registry-host, those hosts
    /// (the helper and its block go with the last one); without, everything.
    #[arg(long, conflicts_with_all = ["link", "force"])]
    uninstall: bool,
    /// Do not run the installed helper to check it.
    #[arg(long)]
    no_check: bool,
    /// Give the check this many seconds to get a token.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    check_timeout: u64,
    /// Base URL for the helper's token requests for these hosts instead of https://HOST
    /// (a tunnel or private endpoint, an API Gateway stage).
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
    let settings = RegistrySettings::load(&RegistrySettings::path_in(&home))?;
    if cli.uninstall {
        return uninstall(&cli, &helper_path, &files, &settings);
    }
    let source = helper_source()?;
    let mut updated = with_legacy_hosts(settings.clone(), &files, &cli.name)?;
    let given = HostFlags {
        service: cli.service,
        registry_url: cli.registry_url.clone(),
        token_lifetime: cli.expiration_window,
        ..HostFlags::from_aws(&cli.aws)
    }
    .to_settings();
    for host in &cli.registry_hosts {
        updated.set(host, &given);
    }
    let args = block_args(&updated);
    let edits = plan_edits(&files, &cli.name, &args, cli.force)?;

    if cli.dry_run {
        let mut out = std::io::stdout().lock();
        let how = if cli.link { "link to" } else { "copy of" };
        writeln!(
            out,
            "would install {} ({how} {})",
            helper_path.display(),
            source.display()
        )?;
        print_plan(&mut out, &cli.name, &args, &edits, &settings, &updated)?;
        return Ok(ExitStatus::Success);
    }

    let env = LayoutEnv::from_process();
    let tofu_before = Layout::of(Tool::OpenTofu, &home, &env);
    install_binary(&source, &helper_path, cli.link)?;
    note(format_args!("installed {}", helper_path.display()));
    if updated != settings {
        updated.save()?;
        for host in &cli.registry_hosts {
            note(format_args!(
                "recorded the settings for {host} in {}",
                updated.path().display()
            ));
        }
    }
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
    check(&cli, &home, &env, &updated)
}

/// The hosts a block of ours written by an earlier version names, moved into the
/// settings file with the settings that block gave them all.
fn with_legacy_hosts(
    mut settings: RegistrySettings,
    files: &[RcFile],
    name: &HelperName,
) -> Result<RegistrySettings, Error> {
    for file in files {
        let json = file.path.extension().is_some_and(|e| e == "json");
        let config = CredentialsConfig::parse(&file.text, json).map_err(|e| file.unreadable(e))?;
        for block in config.helpers.iter().filter(|b| b.name == name.as_str()) {
            let legacy = HelperSettings::parse(block.args.as_deref().unwrap_or_default());
            let given = legacy.flags().to_settings();
            for host in &legacy.hosts {
                if settings.get(host).is_none() {
                    settings.set(host, &given);
                }
            }
        }
    }
    Ok(settings)
}

/// The block's args: every host the helper serves (their settings are in the file).
fn block_args(settings: &RegistrySettings) -> Vec<String> {
    HelperSettings {
        hosts: settings.hosts().cloned().collect(),
        ..HelperSettings::default()
    }
    .args()
}

/// One CLI-config file's edit: the file, its new text, the blocks it removes.
type Edit<'a> = (&'a RcFile, String, Vec<String>);

/// Every edit to the CLI-config files, decided before anything changes.
fn plan_edits<'a>(
    files: &'a [RcFile],
    name: &HelperName,
    args: &[String],
    force: bool,
) -> Result<Vec<Edit<'a>>, Error> {
    let mut edits = Vec::new();
    for file in files {
        match cliconfig::plan_install(&file.text, name.as_str(), args, force)
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
    Ok(edits)
}

/// What `--dry-run` shows for a new block with `args`: each CLI-config file's edit,
/// then the settings file's.
fn print_plan(
    out: &mut impl Write,
    name: &HelperName,
    args: &[String],
    edits: &[Edit<'_>],
    before: &RegistrySettings,
    after: &RegistrySettings,
) -> Result<(), Error> {
    let added = cliconfig::helper_block(name.as_str(), args);
    for (file, _, removed) in edits {
        print_diff(out, &file.path, removed, &added)?;
    }
    print_settings_diff(out, before, after)
}

/// What `--dry-run` shows for the settings file: its lines removed, then those added.
fn print_settings_diff(
    out: &mut impl Write,
    before: &RegistrySettings,
    after: &RegistrySettings,
) -> Result<(), Error> {
    if before == after {
        return Ok(());
    }
    let old = before.on_disk();
    let new = if after.is_empty() {
        String::new()
    } else {
        after.render()?
    };
    let path = after.path().display();
    writeln!(out, "--- {path}\n+++ {path}")?;
    for line in line_diff(&old, &new) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// A line diff (longest common subsequence): ` ` kept, `-` removed, `+` added.
fn line_diff(old: &str, new: &str) -> Vec<String> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(format!(" {}", a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(format!("+{}", b[j]));
            j += 1;
        } else {
            out.push(format!("-{}", a[i]));
            i += 1;
        }
    }
    out
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

/// Diagnose each host as the doctor does, for Terraform: say what would win over the
/// helper, and whether Terraform gets a token the registry accepts.
fn check(
    cli: &Cli,
    home: &Path,
    env: &LayoutEnv,
    settings: &RegistrySettings,
) -> Result<ExitStatus, Error> {
    let timeout = Duration::from_secs(cli.check_timeout);
    let rt = runtime()?;
    let mut ok = true;
    for host in &cli.registry_hosts {
        let checkup = Checkup {
            host,
            tools: &[Tool::Terraform],
            home,
            env,
            settings: settings.get(host),
            registry_url: None,
            timeout,
            aws: None,
        };
        let report = rt.block_on(diagnose(&checkup, crate::env::var));
        for f in report
            .findings
            .iter()
            .filter(|f| f.level != Level::Ok && !matches!(f.kind, FindingKind::Live(_)))
        {
            match &f.fix {
                Some(fix) => warn(format_args!("{} (fix: {fix})", f.message)),
                None => warn(&f.message),
            }
        }
        let Some((view, works)) = report.tool(Tool::Terraform) else {
            continue;
        };
        let live = report
            .findings
            .iter()
            .find(|f| matches!(f.kind, FindingKind::Live(_)));
        if works {
            let from = match &view.source {
                Source::Helper { .. } => "the helper".to_owned(),
                other => other.describe(),
            };
            note(format_args!(
                "checked: Terraform will get a token for {host} from {from}"
            ));
        } else {
            ok = false;
            let why = live.map_or("no token in the helper's answer".to_owned(), |f| {
                match &f.fix {
                    Some(fix) => format!("{} ({fix})", f.message),
                    None => f.message.clone(),
                }
            });
            warn(format_args!(
                "Terraform will not be able to get a token for {host}: {why}"
            ));
        }
    }
    if ok {
        Ok(ExitStatus::Success)
    } else {
        Err(InstallError::CheckFailed.into())
    }
}

/// Remove the hosts named (all, when none is): from the settings file and the block.
/// The block and the helper go only when no host is left.
fn uninstall(
    cli: &Cli,
    helper: &Path,
    files: &[RcFile],
    settings: &RegistrySettings,
) -> Result<ExitStatus, Error> {
    let mut remaining = with_legacy_hosts(settings.clone(), files, &cli.name)?;
    let everything = cli.registry_hosts.is_empty();
    let all: Vec<RegistryHost> = remaining.hosts().cloned().collect();
    for host in if everything {
        &all
    } else {
        &cli.registry_hosts
    } {
        if !remaining.remove(host) {
            warn(format_args!(
                "{host} is not configured: nothing to remove for it"
            ));
        }
    }
    if !remaining.is_empty() {
        return keep_helper_for(cli, files, settings, &remaining);
    }
    let mut out = std::io::stdout().lock();
    let mut changed = false;
    if remaining != *settings {
        changed = true;
        if cli.dry_run {
            print_settings_diff(&mut out, settings, &remaining)?;
        } else {
            remaining.save()?;
            note(format_args!("removed {}", remaining.path().display()));
        }
    }
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

/// Some hosts are left: rewrite the block with them, keep the helper.
fn keep_helper_for(
    cli: &Cli,
    files: &[RcFile],
    before: &RegistrySettings,
    remaining: &RegistrySettings,
) -> Result<ExitStatus, Error> {
    let args = block_args(remaining);
    let edits = plan_edits(files, &cli.name, &args, false)?;
    let mut out = std::io::stdout().lock();
    if cli.dry_run {
        print_plan(&mut out, &cli.name, &args, &edits, before, remaining)?;
        return Ok(ExitStatus::Success);
    }
    remaining.save()?;
    for host in &cli.registry_hosts {
        note(format_args!(
            "removed {host} from {}",
            remaining.path().display()
        ));
    }
    for (file, new, _) in &edits {
        file.write(new)?;
        note(format_args!(
            "the credentials_helper block in {} now serves {}",
            file.path.display(),
            remaining
                .hosts()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(ExitStatus::Success)
}
