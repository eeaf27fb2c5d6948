//! `install-registry-credentials-helper`: put the credentials helper where Terraform
//! and OpenTofu look for it, wire it into the CLI config, and check that it works.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use super::aws_args::AwsArgs;
use super::cli::runtime;
use super::credentials_helper::read_block_args;
use super::credentials_helper::token_lifetime;
use super::error::Error;
use super::values::ServiceArg;
use crate::diag::{note, warn};
use crate::exit::ExitStatus;
use crate::http::BaseUrl;
use crate::registry::RegistryHost;
use crate::registry::discovery::{Need, needs_of};
use crate::registry::doctor::{Checkup, FindingKind, Level, Source, diagnose};
use crate::registry::install::{
    ConfigEdit, HelperChange, HelperInstall, HelperName, InstallError, InstallRequest, Plan,
    RcFile, UninstallRequest, helper_source, plugin_dirs, rc_files,
};
use crate::registry::layout::{Layout, LayoutEnv, Tool};
use crate::registry::settings::{HostFlags, RegistrySettings};
use crate::registry::token::registry_url;

const BINARY: &str = "install-registry-credentials-helper";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    long_version = super::cli::LONG_VERSION,
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
    /// (--profile, --region, --service, --registry-url, --token-lifetime) are
    /// recorded for it in ~/.cdk/registries.json. With --uninstall: the host to remove.
    #[arg(
        long = "registry-host",
        value_name = "HOST",
        required_unless_present = "uninstall"
    )]
    registry_hosts: Vec<RegistryHost>,
    /// The AWS service the helper signs for, for these hosts [default: execute-api].
    #[arg(long, value_enum)]
    service: Option<ServiceArg>,
    /// Token lifetime the helper requests for these hosts, in seconds [default: the
    /// helper's, 4 hours].
    #[arg(long, alias = "expiration-window", value_name = "SECONDS", value_parser = token_lifetime)]
    token_lifetime: Option<u64>,
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
    /// Do not contact the registries: the installed helper is not run to check it, and
    /// no discovery document is read (services overrides already configured stay as
    /// they are).
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

pub fn main(args: Vec<std::ffi::OsString>) -> ExitCode {
    super::cli::run(BINARY, args, run)
}

fn run(cli: Cli) -> Result<ExitStatus, Error> {
    let home = dirs::home_dir().ok_or(InstallError::NoHome)?;
    let layout_env = LayoutEnv::from_process();
    let plugin_dir = cli
        .plugin_directory
        .clone()
        .unwrap_or_else(|| plugin_dirs(&home, &layout_env).remove(0));
    let helper_path = plugin_dir.join(cli.name.executable());
    let settings_path = RegistrySettings::path_in(&home);
    // One install at a time: the lock is held from before anything is read until every
    // file is written. A dry run changes nothing, so it neither waits nor creates ~/.cdk.
    let lock = if cli.dry_run {
        None
    } else {
        Some(RegistrySettings::lock(&settings_path)?)
    };
    let files = rc_files(cli.rc_file.as_deref(), &home, &layout_env)
        .iter()
        .map(|f| RcFile::read(f))
        .collect::<Result<Vec<_>, _>>()?;
    let plan = if cli.uninstall {
        let (settings, left_out) =
            RegistrySettings::load_forgiving(&settings_path, &cli.registry_hosts)?;
        Plan::uninstall(
            settings,
            files,
            &UninstallRequest {
                hosts: &cli.registry_hosts,
                left_out: &left_out,
                name: &cli.name,
                helper: &helper_path,
                read_args: read_block_args,
            },
        )?
    } else {
        let settings = RegistrySettings::load(&settings_path)?;
        let given = HostFlags {
            service: cli.service.map(Into::into),
            registry_url: cli.registry_url.clone(),
            token_lifetime: cli.token_lifetime,
            ..HostFlags::from_aws(&cli.aws.selection())
        }
        .to_settings();
        let source = helper_source()?;
        let request = |needs| InstallRequest {
            hosts: &cli.registry_hosts,
            given: &given,
            name: &cli.name,
            force: cli.force,
            helper: HelperInstall {
                source: source.clone(),
                dest: helper_path.clone(),
                link: cli.link,
            },
            read_args: read_block_args,
            needs,
        };
        // Planned once with every override kept, so that a file or flag that cannot be
        // used is refused before any registry is asked; then with what each needs.
        let kept = Plan::install(settings.clone(), files.clone(), &request(&[]))?;
        if cli.no_check {
            kept
        } else {
            let needs = discovery_needs(&cli, &settings)?;
            Plan::install(settings, files, &request(&needs))?
        }
    };
    if cli.dry_run {
        print_plan(&mut std::io::stdout().lock(), &plan)?;
        return Ok(ExitStatus::Success);
    }
    let env = layout_env;
    let tofu_before = Layout::of(Tool::OpenTofu, &home, &env);
    plan.apply()?;
    drop(lock);
    say_done(&cli, &plan);
    if cli.uninstall {
        return Ok(ExitStatus::Success);
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
    check(&cli, &home, &env, &plan.settings)
}

/// What each host the helper will serve (those given, and those already recorded)
/// needs for Terraform to find its modules, asked of each registry where it is reached
/// (its registry URL, else `https://HOST/`).
fn discovery_needs(
    cli: &Cli,
    settings: &RegistrySettings,
) -> Result<Vec<(RegistryHost, Need)>, Error> {
    let mut hosts: Vec<(RegistryHost, BaseUrl)> = Vec::new();
    let recorded = settings.hosts().filter(|h| !cli.registry_hosts.contains(h));
    for host in cli.registry_hosts.iter().chain(recorded) {
        let given = cli
            .registry_url
            .clone()
            .filter(|_| cli.registry_hosts.contains(host));
        let url = given.or_else(|| settings.get(host).and_then(|s| s.registry_url.clone()));
        hosts.push((
            host.clone(),
            registry_url(host, url.as_ref()).map_err(crate::http::HttpError::Url)?,
        ));
    }
    let timeout = Duration::from_secs(cli.check_timeout);
    Ok(runtime()?.block_on(needs_of(&hosts, timeout)))
}

/// What an applied plan did, one note each.
fn say_done(cli: &Cli, plan: &Plan) {
    for host in &plan.not_configured {
        note(format_args!(
            "{host} is not configured: nothing to remove for it"
        ));
    }
    if let Some(path) = &plan.foreign_helper {
        warn(format_args!(
            "leaving {}: it was not installed by this tool",
            path.display()
        ));
    }
    match &plan.helper {
        Some(HelperChange::Install(install)) => {
            note(format_args!("installed {}", install.dest.display()));
        }
        Some(HelperChange::Remove(path)) => note(format_args!("removed {}", path.display())),
        None if !cli.uninstall => note(format_args!(
            "{} is already up to date",
            plugin_dir_helper(cli, plan).display()
        )),
        None => {}
    }
    if plan.settings_changed() {
        let path = plan.settings.path().display();
        if plan.settings.is_empty() {
            note(format_args!("removed {path}"));
        } else if cli.uninstall {
            for host in plan.settings_before.hosts().chain(&plan.settings_left_out) {
                if plan.settings.get(host).is_none() {
                    note(format_args!("removed {host} from {path}"));
                }
            }
        } else {
            for host in &cli.registry_hosts {
                note(format_args!("recorded the settings for {host} in {path}"));
            }
        }
    }
    for edit in &plan.configs {
        say_edit(cli, plan, edit);
    }
    for path in &plan.up_to_date {
        note(format_args!("{} is already up to date", path.display()));
    }
    if cli.uninstall && plan.changes_nothing() && plan.not_configured.is_empty() {
        note("nothing to uninstall");
    }
}

/// What one CLI-config file's edit did: its helper block, its services overrides.
fn say_edit(cli: &Cli, plan: &Plan, edit: &ConfigEdit) {
    let path = edit.file.path.display();
    let helper_added = edit.added.iter().any(|a| a.kind == "credentials_helper");
    let helper_removed = edit.removed.iter().any(|r| r.kind == "credentials_helper");
    match (helper_added, cli.uninstall) {
        (true, false) => note(format_args!(
            "configured credentials_helper {:?} in {path}",
            cli.name.as_str()
        )),
        (true, true) => note(format_args!(
            "the credentials_helper block in {path} now serves {}",
            hosts_list(&plan.settings)
        )),
        (false, _) if helper_removed => note(format_args!(
            "removed the credentials_helper block from {path}"
        )),
        (false, _) => {}
    }
    for added in edit.added.iter().filter(|a| a.kind == "host") {
        note(format_args!(
            "configured a services override for {} in {path}: its discovery document names no \
             modules.v1 service (lambda-terraform-module-registry 0.2.5 names it modules_v1), so \
             Terraform and OpenTofu are sent to its modules API directly",
            added.label
        ));
    }
    for removed in edit.removed.iter().filter(|r| r.kind == "host") {
        if !edit
            .added
            .iter()
            .any(|a| a.kind == "host" && a.label == removed.label)
        {
            note(format_args!(
                "removed the services override for {} from {path}",
                removed.label
            ));
        }
    }
}

/// The helper's path in a plan that leaves it as it is.
fn plugin_dir_helper(cli: &Cli, plan: &Plan) -> PathBuf {
    match &plan.helper {
        Some(HelperChange::Install(i)) => i.dest.clone(),
        _ => cli
            .plugin_directory
            .clone()
            .unwrap_or_else(|| {
                let home = dirs::home_dir().unwrap_or_default();
                plugin_dirs(&home, &LayoutEnv::from_process()).remove(0)
            })
            .join(cli.name.executable()),
    }
}

fn hosts_list(settings: &RegistrySettings) -> String {
    settings
        .hosts()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `--dry-run` shows: the helper, each CLI-config file's edit, the settings file's.
fn print_plan(out: &mut impl Write, plan: &Plan) -> Result<(), Error> {
    for host in &plan.not_configured {
        writeln!(out, "{host} is not configured: nothing to remove for it")?;
    }
    match &plan.helper {
        Some(HelperChange::Install(install)) => {
            let how = if install.link { "link to" } else { "copy of" };
            writeln!(
                out,
                "would install {} ({how} {})",
                install.dest.display(),
                install.source.display()
            )?;
        }
        Some(HelperChange::Remove(path)) => writeln!(out, "would remove {}", path.display())?,
        None => {}
    }
    for edit in &plan.configs {
        print_diff(out, edit)?;
    }
    if plan.settings_changed() {
        let old = plan.settings_before.on_disk();
        let new = if plan.settings.is_empty() {
            String::new()
        } else {
            plan.settings.render()?
        };
        let path = plan.settings.path().display();
        writeln!(out, "--- {path}\n+++ {path}")?;
        for line in line_diff(&old, &new) {
            writeln!(out, "{}", capped(&line))?;
        }
    }
    if plan.changes_nothing() && plan.not_configured.is_empty() {
        writeln!(out, "nothing would change")?;
    }
    Ok(())
}

/// One line of a diff, cut short when a value in it is huge.
fn capped(line: &str) -> String {
    const MAX: usize = 200;
    match line.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}... ({} bytes)", &line[..end], line.len()),
        None => line.to_owned(),
    }
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

/// What `--dry-run` shows for one CLI-config file: the blocks removed, then the one
/// added. A block another tool wrote is named, not shown: its arguments may be secrets.
fn print_diff(out: &mut impl Write, edit: &ConfigEdit) -> std::io::Result<()> {
    let path = edit.file.path.display();
    writeln!(out, "--- {path}\n+++ {path}")?;
    for block in &edit.removed {
        if block.ours {
            for line in block.text.lines() {
                writeln!(out, "-{}", capped(line))?;
            }
        } else {
            writeln!(
                out,
                "-credentials_helper {} {{ ... }}  ({} lines not shown: another tool wrote them)",
                crate::registry::cliconfig::hcl_string(&block.label),
                block.text.lines().count()
            )?;
        }
    }
    for line in edit.added.iter().flat_map(|b| b.text.lines()) {
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
            settings,
            registry_url: None,
            timeout,
            aws: None,
            read_args: read_block_args,
        };
        let report = rt.block_on(diagnose(&checkup, crate::env::var_as_set));
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
        let modules = report
            .views
            .iter()
            .position(|v| v.layout.tool == Tool::Terraform)
            .and_then(|i| report.modules[i].as_ref());
        let live = report
            .findings
            .iter()
            .find(|f| matches!(f.kind, FindingKind::Live(_)));
        if works {
            let from = match &view.source {
                Source::Helper { .. } => "the helper".to_owned(),
                other => other.describe(),
            };
            let at = modules.map_or(String::new(), |url| {
                format!(", and find its modules at {url}")
            });
            note(format_args!(
                "checked: Terraform will get a token for {host} from {from}{at}"
            ));
        } else if modules.is_none() {
            ok = false;
            warn(format_args!(
                "Terraform will find no modules service for {host}: `terraform init` fails (see above)"
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
