//! `get-registry-token doctor`: runs the registry doctor's checks and prints the report.

use std::io::Write;
use std::time::Duration;

use serde_json::json;

use super::{Error, runtime};
use crate::aws::{Aws, AwsArgs};
use crate::exit::{ExitStatus, chain};
use crate::http::BaseUrl;
use crate::registry::RegistryHost;
use crate::registry::doctor::{Finding, Level, Source, ToolView, check_source, inspect};
use crate::registry::install::InstallError;
use crate::registry::layout::{LayoutEnv, Tool};

pub(super) fn run(
    host: &RegistryHost,
    json_output: bool,
    tools: &[Tool],
    registry_url: Option<&BaseUrl>,
    timeout: Duration,
    aws: AwsArgs,
) -> Result<ExitStatus, Error> {
    let home = dirs::home_dir().ok_or(InstallError::NoHome)?;
    let env = LayoutEnv::from_process();
    let views: Vec<ToolView> = tools
        .iter()
        .map(|&tool| inspect(tool, &home, &env, host, crate::env::var))
        .collect();
    let mut findings: Vec<Finding> = views.iter().flat_map(|v| v.findings.clone()).collect();
    let rt = runtime()?;

    // The identity the helper signs with: its own --profile/--region when it has them.
    let helper_source = views
        .iter()
        .map(|v| &v.source)
        .find(|s| matches!(s, Source::Helper { .. }));
    let mut signing = aws;
    if let Some(source) = helper_source {
        if let Some(p) = source.helper_arg("--profile") {
            signing.profile = Some(p.to_owned());
        }
        if let Some(r) = source.helper_arg("--region") {
            signing.region = Some(r.to_owned());
        }
    }
    let identity = rt.block_on(Aws::new(signing.clone()).caller_identity(None));
    let identity_json = match &identity {
        Ok(id) => {
            findings.push(Finding {
                level: Level::Ok,
                tools: Vec::new(),
                message: format!(
                    "AWS identity (profile {}): {} in account {}",
                    signing.profile_name(),
                    id.arn,
                    id.account
                ),
                fix: None,
            });
            json!({ "arn": id.arn, "account": id.account, "profile": signing.profile_name() })
        }
        Err(e) => {
            findings.push(Finding {
                level: if helper_source.is_some() {
                    Level::Problem
                } else {
                    Level::Warning
                },
                tools: Vec::new(),
                message: format!("cannot tell the AWS identity: {}", chain(e)),
                fix: None,
            });
            serde_json::Value::Null
        }
    };

    // One live check per distinct source, shared by the tools that use it.
    let mut works = vec![false; views.len()];
    let mut done = vec![false; views.len()];
    for i in 0..views.len() {
        if done[i] {
            continue;
        }
        let same: Vec<usize> = (i..views.len())
            .filter(|&j| views[j].source == views[i].source)
            .collect();
        let users: Vec<Tool> = same.iter().map(|&j| views[j].layout.tool).collect();
        let check = rt.block_on(check_source(
            &views[i].source,
            &users,
            host,
            registry_url.or(views[i].registry_url.as_ref()),
            timeout,
        ));
        for &j in &same {
            done[j] = true;
            works[j] = check.works;
        }
        findings.push(check.finding);
    }
    let findings = merge(findings);
    let ok = works.iter().all(|w| *w);

    let mut out = std::io::stdout().lock();
    if json_output {
        let report = json!({
            "host": host.to_string(),
            "ok": ok,
            "identity": identity_json,
            "tools": views.iter().zip(&works).map(|(v, works)| tool_json(v, *works)).collect::<Vec<_>>(),
            "findings": findings.iter().map(finding_json).collect::<Vec<_>>(),
        });
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        )?;
    } else {
        print_text(&mut out, host, &views, &works, &findings, ok)?;
    }
    out.flush()?;
    Ok(if ok {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// The same finding for several tools is said once, naming them all.
fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        match out
            .iter_mut()
            .find(|o| o.level == f.level && o.message == f.message && o.fix == f.fix)
        {
            Some(o) => {
                for t in f.tools {
                    if !o.tools.contains(&t) {
                        o.tools.push(t);
                    }
                }
            }
            None => out.push(f),
        }
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.level));
    out
}

fn tool_json(view: &ToolView, works: bool) -> serde_json::Value {
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

fn print_text(
    out: &mut impl Write,
    host: &RegistryHost,
    views: &[ToolView],
    works: &[bool],
    findings: &[Finding],
    ok: bool,
) -> std::io::Result<()> {
    for view in views {
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
    }
    writeln!(out)?;
    for f in findings {
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
    let names: Vec<&str> = views.iter().map(|v| v.layout.tool.name()).collect();
    if ok {
        writeln!(
            out,
            "{} will get a working token for {host}",
            names.join(" and ")
        )?;
    } else {
        let failing: Vec<&str> = views
            .iter()
            .zip(works)
            .filter(|(_, w)| !**w)
            .map(|(v, _)| v.layout.tool.name())
            .collect();
        writeln!(
            out,
            "{} will not get a working token for {host}",
            failing.join(" and ")
        )?;
    }
    Ok(())
}
