//! The registry doctor: which credentials Terraform and OpenTofu will use for a
//! registry host, and whether they will work. The static part reads files only (what
//! each tool reads, in its precedence: a `TF_TOKEN_` variable, then `credentials`
//! blocks, then the one credentials helper); the live part runs the helper as the tool
//! would and asks the registry whether it accepts the token that wins, where the tool is
//! sent for the host's modules (a `host` block, else discovery). [`diagnose`]
//! puts both together into a [`Report`], which `get-registry-token doctor` prints and
//! the installer's final check reads.

use std::path::Path;
use std::time::Duration;

use super::discovery::{Discovery, discover, modules_url};
use super::host::RegistryHost;
use super::install::ReadArgs;
use super::layout::{LayoutEnv, Tool};
use super::settings::{HostConfig, HostFlags, RegistrySettings};
use super::token::registry_url;
use super::tokens::Tokens;
use crate::aws::{Aws, AwsSelection, CallerIdentity};
use crate::http::BaseUrl;
use modules::modules_of;

mod inspect;
mod live;
mod modules;

mod finding;

pub(crate) use finding::{Finding, FindingKind, Level, Source};
pub(crate) use inspect::{ToolView, inspect};
pub(crate) use live::check_source;

/// What [`diagnose`] looks at.
pub(crate) struct Checkup<'a> {
    pub(crate) host: &'a RegistryHost,
    pub(crate) tools: &'a [Tool],
    pub(crate) home: &'a Path,
    pub(crate) env: &'a LayoutEnv,
    /// The settings file.
    pub(crate) settings: &'a RegistrySettings,
    /// Checks tokens against this base URL instead of the helper's.
    pub(crate) registry_url: Option<&'a BaseUrl>,
    pub(crate) timeout: Duration,
    /// The AWS flags given; `None`: the identity is not looked up.
    pub(crate) aws: Option<&'a AwsSelection>,
    /// Reads a helper block's `args` as the helper does.
    pub(crate) read_args: ReadArgs,
}

/// Everything the doctor found for one host.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) host: RegistryHost,
    pub(crate) views: Vec<ToolView>,
    /// Whether each tool (in `views`' order) gets a token the registry accepts and
    /// finds the registry's modules API.
    pub(crate) works: Vec<bool>,
    /// Where each tool (in `views`' order) is sent for the host's modules (`None`: it
    /// finds no modules service).
    pub(crate) modules: Vec<Option<reqwest::Url>>,
    /// Whether each tool (in `views`' order) gets a token the registry accepts.
    pub(crate) tokens_work: Vec<bool>,
    /// The settings that apply to the host where the helper runs, and where each
    /// came from.
    pub(crate) config: HostConfig,
    /// The AWS identity that signs for it, when it was looked up and could be told.
    pub(crate) identity: Option<CallerIdentity>,
    /// Said once per kind, naming every tool it applies to; the most serious first.
    pub(crate) findings: Vec<Finding>,
}

impl Report {
    /// Whether every tool checked gets a working token.
    pub(crate) fn ok(&self) -> bool {
        self.works.iter().all(|w| *w)
    }

    /// The view of `tool`, when it was checked, and whether it works.
    pub(crate) fn tool(&self, tool: Tool) -> Option<(&ToolView, bool)> {
        self.views
            .iter()
            .zip(&self.works)
            .find(|(v, _)| v.layout.tool == tool)
            .map(|(v, w)| (v, *w))
    }
}

/// Read what each tool reads for the host, find the AWS identity that signs for it (the
/// helper's arguments over the host's settings over the environment), and check once
/// per distinct source whether the registry accepts the token it gives.
pub(crate) async fn diagnose(
    checkup: &Checkup<'_>,
    variable: impl Fn(&str) -> Option<String> + Copy,
) -> Report {
    let host = checkup.host;
    let views: Vec<ToolView> = checkup
        .tools
        .iter()
        .map(|&tool| {
            inspect(
                tool,
                checkup.home,
                checkup.env,
                host,
                checkup.settings.get(host).is_some(),
                checkup.read_args,
                variable,
            )
        })
        .collect();
    let mut findings: Vec<Finding> = views.iter().flat_map(|v| v.findings.clone()).collect();

    // The helper's own arguments are flags for the host, over its settings.
    let helper = views
        .iter()
        .find_map(|v| v.source.helper_args(checkup.read_args));
    let flags = match (&helper, checkup.aws) {
        (Some(h), _) => h.settings.clone(),
        (None, Some(aws)) => HostFlags::from_aws(aws),
        (None, None) => HostFlags::default(),
    };
    // Resolved as a token for the host is issued.
    let no_flags = AwsSelection::default();
    let tokens = Tokens {
        settings: checkup.settings,
        aws: checkup.aws.unwrap_or(&no_flags),
    };
    let (config, signing) = tokens.resolve(host, &flags);
    let mut identity = None;
    if checkup.aws.is_some() {
        let profile = signing.profile_name();
        match Aws::new(signing).caller_identity(None).await {
            Ok(id) => {
                findings.push(Finding {
                    level: Level::Ok,
                    kind: FindingKind::Identity,
                    tools: Vec::new(),
                    message: format!(
                        "AWS identity (profile {profile}): {} in account {}",
                        id.arn, id.account
                    ),
                    fix: None,
                });
                identity = Some(id);
            }
            Err(e) => findings.push(Finding {
                level: if helper.is_some() {
                    Level::Problem
                } else {
                    Level::Warning
                },
                kind: FindingKind::Identity,
                tools: Vec::new(),
                message: format!("cannot tell the AWS identity: {}", crate::exit::chain(&e)),
                fix: None,
            }),
        }
    }

    // Where each tool is sent for the host's modules: its host block, else discovery
    // (asked once, where the registry is reached).
    let base_of = |view: &ToolView| {
        checkup
            .registry_url
            .or(view.registry_url.as_ref())
            .or(config.registry_url.value.as_ref())
            .cloned()
    };
    let mut modules = Vec::with_capacity(views.len());
    let mut discovered = None;
    for view in &views {
        let Ok(base) = registry_url(host, base_of(view).as_ref()) else {
            modules.push(None);
            continue;
        };
        if discovered.is_none() {
            discovered = Some(discover(host, &base, checkup.timeout).await);
        }
        let Some(discovery) = &discovered else {
            unreachable!("asked just above")
        };
        let (url, finding) = modules_of(
            view.layout.tool,
            host,
            &base,
            discovery,
            view.host_override.as_ref(),
        );
        findings.push(finding);
        modules.push(url);
    }
    // Where the token is checked when a tool finds no modules API: where a services
    // override would send it (0.2.5), so the doctor still says whether the token works.
    let fallback = |view: &ToolView| match (&discovered, registry_url(host, base_of(view).as_ref()))
    {
        (Some(Ok(Discovery::Misnamed(value))), Ok(base)) => modules_url(&base, value).ok(),
        _ => None,
    };

    // One live check per distinct source and modules API, shared by the tools that use it.
    let mut works = vec![false; views.len()];
    let mut tokens_work = vec![false; views.len()];
    let mut done = vec![false; views.len()];
    for i in 0..views.len() {
        if done[i] {
            continue;
        }
        let same: Vec<usize> = (i..views.len())
            .filter(|&j| views[j].source == views[i].source && modules[j] == modules[i])
            .collect();
        let users: Vec<Tool> = same.iter().map(|&j| views[j].layout.tool).collect();
        let base = base_of(&views[i]);
        let at = modules[i].clone().or_else(|| fallback(&views[i]));
        let check = check_source(
            &views[i].source,
            &users,
            host,
            base.as_ref(),
            at.as_ref(),
            checkup.timeout,
        )
        .await;
        for &j in &same {
            done[j] = true;
            tokens_work[j] = check.works;
            works[j] = check.works && modules[j].is_some();
        }
        findings.push(check.finding);
    }
    Report {
        host: host.clone(),
        views,
        works,
        modules,
        tokens_work,
        config,
        identity,
        findings: merge(findings),
    }
}

/// The same finding for several tools is said once, naming them all.
fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for f in findings {
        match out
            .iter_mut()
            .find(|o| o.level == f.level && o.kind == f.kind && o.fix == f.fix)
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
