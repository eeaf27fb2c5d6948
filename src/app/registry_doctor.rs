//! `get-registry-token doctor`: prints what the registry doctor found
//! ([`crate::registry::doctor::diagnose`]), for one host or every configured one.

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

use serde_json::json;

use super::cli::runtime;
use super::credentials_helper::read_block_args;
use super::error::Error;
use crate::aws::AwsSelection;
use crate::exit::ExitStatus;
use crate::http::BaseUrl;
use crate::registry::RegistryHost;
use crate::registry::doctor::{Checkup, Finding, Report, Source, ToolView, diagnose, inspect};
use crate::registry::install::InstallError;
use crate::registry::layout::{LayoutEnv, Tool};
use crate::registry::settings::{HostConfig, RegistrySettings, Resolved};

pub(super) fn run(
    host: Option<&RegistryHost>,
    json_output: bool,
    tools: &[Tool],
    registry_url: Option<&BaseUrl>,
    timeout: Duration,
    aws: &AwsSelection,
) -> Result<ExitStatus, Error> {
    let home = dirs::home_dir().ok_or(InstallError::NoHome)?;
    let env = LayoutEnv::from_process();
    let settings = RegistrySettings::load(&RegistrySettings::path_in(&home))?;
    let hosts: Vec<RegistryHost> = match host {
        Some(h) => vec![h.clone()],
        None => configured_hosts(&settings, tools, &home, &env)?,
    };
    let rt = runtime()?;
    let reports: Vec<Report> = hosts
        .iter()
        .map(|host| {
            let checkup = Checkup {
                host,
                tools,
                home: &home,
                env: &env,
                settings: &settings,
                registry_url,
                timeout,
                aws: Some(aws),
                read_args: read_block_args,
            };
            rt.block_on(diagnose(&checkup, crate::env::var_as_set))
        })
        .collect();
    let ok = reports.iter().all(Report::ok);

    let mut out = std::io::stdout().lock();
    if json_output {
        let report = match (host, reports.as_slice()) {
            (Some(_), [one]) => report_json(one),
            _ => json!({
                "ok": ok,
                "hosts": reports.iter().map(report_json).collect::<Vec<_>>(),
            }),
        };
        let text = crate::output::pretty_json(&report).map_err(crate::output::OutputError::from)?;
        writeln!(out, "{text}")?;
    } else {
        for (i, report) in reports.iter().enumerate() {
            if host.is_none() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "== {} ==", report.host)?;
            }
            print_text(&mut out, report)?;
        }
        if host.is_none() && reports.len() > 1 {
            let failing: Vec<String> = reports
                .iter()
                .filter(|r| !r.ok())
                .map(|r| r.host.to_string())
                .collect();
            writeln!(out)?;
            if failing.is_empty() {
                writeln!(out, "all {} registries work", reports.len())?;
            } else {
                writeln!(out, "not working: {}", failing.join(", "))?;
            }
        }
    }
    out.flush()?;
    Ok(if ok {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// The hosts in the settings file and those the helper's arguments name.
fn configured_hosts(
    settings: &RegistrySettings,
    tools: &[Tool],
    home: &std::path::Path,
    env: &LayoutEnv,
) -> Result<Vec<RegistryHost>, Error> {
    let mut hosts: BTreeSet<RegistryHost> = settings.hosts().cloned().collect();
    let probe: RegistryHost = "doctor.invalid".parse()?;
    for &tool in tools {
        let view = inspect(tool, home, env, &probe, false, read_block_args, |_| None);
        if let Some(helper) = view.source.helper_args(read_block_args) {
            hosts.extend(helper.hosts);
        }
    }
    if hosts.is_empty() {
        return Err(Error::Usage(
            "no registry host is configured: pass -r HOST, or install the helper with \
             `install-registry-credentials-helper --registry-host HOST`"
                .into(),
        ));
    }
    Ok(hosts.into_iter().collect())
}

fn resolved_json<T: std::fmt::Display>(r: &Resolved<Option<T>>) -> serde_json::Value {
    json!({ "value": r.value.as_ref().map(ToString::to_string), "from": r.origin.to_string() })
}

fn settings_json(c: &HostConfig) -> serde_json::Value {
    json!({
        "profile": resolved_json(&c.profile),
        "region": resolved_json(&c.region),
        "service": { "value": c.service.value.signing_name(), "from": c.service.origin.to_string() },
        "registry_url": resolved_json(&c.registry_url),
        "token_lifetime": resolved_json(&c.token_lifetime),
    })
}

fn report_json(r: &Report) -> serde_json::Value {
    let identity = match &r.identity {
        Some(id) => json!({
            "arn": id.arn,
            "account": id.account,
            "profile": r.config.profile.value.clone().unwrap_or_else(|| "default".into()),
        }),
        None => serde_json::Value::Null,
    };
    json!({
        "host": r.host.to_string(),
        "ok": r.ok(),
        "settings": settings_json(&r.config),
        "identity": identity,
        "tools": r.views.iter().zip(&r.works).zip(&r.modules)
            .map(|((v, works), modules)| tool_json(v, *works, modules.as_ref()))
            .collect::<Vec<_>>(),
        "findings": r.findings.iter().map(finding_json).collect::<Vec<_>>(),
    })
}

fn tool_json(view: &ToolView, works: bool, modules: Option<&reqwest::Url>) -> serde_json::Value {
    let source = match &view.source {
        Source::Variable { name, .. } => json!({ "kind": "variable", "name": name }),
        Source::CredentialsBlock { file, .. } => {
            json!({ "kind": "credentials_block", "file": file.display().to_string() })
        }
        Source::Helper { name, path, args } => json!({
            "kind": "helper",
            "name": name,
            "path": path.display().to_string(),
            "args": args,
        }),
        Source::Nothing => json!({ "kind": "none" }),
    };
    json!({
        "tool": view.layout.tool.name(),
        "works": works,
        "source": source,
        "modules": modules.map(reqwest::Url::as_str),
        "config_files": view.files.iter().map(|f| json!({
            "path": f.path.display().to_string(),
            "exists": f.exists,
            "credentials_helpers": f.helpers,
            "credentials_block": f.has_credentials,
        })).collect::<Vec<_>>(),
        "plugin_dirs": view.layout.plugin_dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
    })
}

fn finding_json(f: &Finding) -> serde_json::Value {
    json!({
        "level": f.level.name(),
        "tools": f.tools.iter().map(|t| t.name()).collect::<Vec<_>>(),
        "message": f.message,
        "fix": f.fix,
    })
}

/// `value (origin)`, or what applies when nothing set it.
fn setting_line<T: std::fmt::Display>(r: &Resolved<Option<T>>, otherwise: &str) -> String {
    match &r.value {
        Some(v) => format!("{v} ({})", r.origin),
        None => format!("{otherwise} ({})", r.origin),
    }
}

fn print_text(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let host = &report.host;
    let c = &report.config;
    writeln!(out, "settings for {host}")?;
    writeln!(
        out,
        "  profile       {}",
        setting_line(&c.profile, "the AWS SDK's default")
    )?;
    writeln!(
        out,
        "  region        {}",
        setting_line(&c.region, "the profile's")
    )?;
    writeln!(
        out,
        "  service       {} ({})",
        c.service.value.signing_name(),
        c.service.origin
    )?;
    writeln!(
        out,
        "  registry url  {}",
        setting_line(&c.registry_url, &format!("https://{host}/"))
    )?;
    writeln!(
        out,
        "  token life    {}",
        setting_line(
            &Resolved {
                value: c.token_lifetime.value.map(|s| format!("{s} s")),
                origin: c.token_lifetime.origin,
            },
            "the helper's 14400 s"
        )
    )?;
    for (view, modules) in report.views.iter().zip(&report.modules) {
        let tool = view.layout.tool;
        let read: Vec<String> = view
            .files
            .iter()
            .filter(|f| f.exists)
            .map(|f| f.path.display().to_string())
            .collect();
        writeln!(out, "{tool}")?;
        if read.is_empty() {
            writeln!(
                out,
                "  reads         no CLI config yet ({} does not exist)",
                view.layout.config_file.display()
            )?;
        } else {
            writeln!(out, "  reads         {}", read.join(", "))?;
        }
        let dirs: Vec<String> = view
            .layout
            .plugin_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        writeln!(out, "  helpers from  {}", dirs.join(", "))?;
        writeln!(out, "  token from    {}", view.source.describe())?;
        match modules {
            Some(url) => writeln!(out, "  modules at    {url}")?,
            None => writeln!(
                out,
                "  modules at    nowhere: {tool} finds no modules service"
            )?,
        }
    }
    writeln!(out)?;
    for f in &report.findings {
        let tools: Vec<&str> = f.tools.iter().map(|t| t.name()).collect();
        let scope = if tools.is_empty() {
            String::new()
        } else {
            format!("{}: ", tools.join(", "))
        };
        writeln!(out, "{:<8} {scope}{}", f.level.name(), f.message)?;
        if let Some(fix) = &f.fix {
            writeln!(out, "         fix: {fix}")?;
        }
    }
    writeln!(out)?;
    let names: Vec<&str> = report.views.iter().map(|v| v.layout.tool.name()).collect();
    if report.ok() {
        writeln!(
            out,
            "{} will get a working token for {host} and find its modules",
            names.join(" and ")
        )?;
        return Ok(());
    }
    // A tool without a working token is told so first; one with a token but no
    // modules service, that `init` fails all the same.
    let failing = |no_modules: bool| -> Vec<&str> {
        report
            .views
            .iter()
            .zip(&report.works)
            .zip(&report.tokens_work)
            .filter(|((_, works), token)| !**works && **token == no_modules)
            .map(|((v, _), _)| v.layout.tool.name())
            .collect()
    };
    let (no_token, no_modules) = (failing(false), failing(true));
    if !no_token.is_empty() {
        writeln!(
            out,
            "{} will not get a working token for {host}",
            no_token.join(" and ")
        )?;
    }
    if !no_modules.is_empty() {
        writeln!(
            out,
            "{} will find no modules service for {host}: `init` fails",
            no_modules.join(" and ")
        )?;
    }
    Ok(())
}
