//! The registry doctor: which credentials Terraform and OpenTofu will use for a
//! registry host, and whether they will work. The static part reads files only (what
//! each tool reads, in its precedence: a `TF_TOKEN_` variable, then `credentials`
//! blocks, then the one credentials helper); the live part runs the helper as the tool
//! would and asks the registry whether it accepts the token that wins. [`diagnose`]
//! puts both together into a [`Report`], which `get-registry-token doctor` prints and
//! the installer's final check reads.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::RegistryHost;
use super::cliconfig::{CredentialsConfig, HelperBlock};
use super::install::{HELPER_PREFIX, HelperSettings, InstallError, is_our_helper, run_helper};
use super::layout::{Candidate, Layout, LayoutEnv, Tool, find_helper};
use super::settings::{HostConfig, HostFlags, HostSettings};
use super::token::{TokenVerdict, check_token, registry_base};
use crate::aws::{Aws, AwsArgs, CallerIdentity};
use crate::http::BaseUrl;
use crate::secret::Secret;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    Ok,
    Warning,
    Problem,
}

impl Level {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warning => "warning",
            Level::Problem => "problem",
        }
    }
}

/// What a finding is about, with what tells one such finding from another: the same
/// kind found for several tools is one finding naming them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FindingKind {
    /// A CLI-config file could not be read.
    Unreadable(PathBuf),
    /// A CLI-config file could not be parsed.
    NotUnderstood(PathBuf),
    /// A `TF_TOKEN_` variable wins over the helper.
    VariableShadows(String),
    /// A `credentials` block (or `terraform login`'s `credentials.tfrc.json`) wins
    /// over the helper.
    CredentialsBlockShadows(PathBuf),
    /// No `credentials_helper` block in what the tool reads.
    NoHelperBlock(PathBuf),
    /// More than one `credentials_helper` block: the tool refuses to start.
    TooManyHelperBlocks(usize),
    /// The configured helper is not where the tool looks.
    HelperNotFound(String),
    /// A versioned helper beats the unversioned one.
    VersionedHelperWins(PathBuf),
    /// The helper is not an executable file.
    HelperNotExecutable(PathBuf),
    /// The helper block's args are not a list of strings.
    HelperArgsUnreadable(PathBuf),
    /// The helper serves other hosts only.
    HelperDoesNotServe,
    /// The AWS identity that signs for the host.
    Identity,
    /// The live check of a source: the registry accepted its token, or why not.
    Live(Source),
}

/// One thing the doctor found, for some tools (none: for everything), with its fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) level: Level,
    pub(crate) kind: FindingKind,
    pub(crate) tools: Vec<Tool>,
    pub(crate) message: String,
    pub(crate) fix: Option<String>,
}

impl Finding {
    fn new(
        level: Level,
        kind: FindingKind,
        tool: Tool,
        message: String,
        fix: Option<String>,
    ) -> Self {
        Self {
            level,
            kind,
            tools: vec![tool],
            message,
            fix,
        }
    }
}

/// Where a tool takes HOST's token from: the first of these that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// `TF_TOKEN_<host>` in the environment.
    Variable { name: String, token: Secret },
    /// A `credentials "HOST"` block (or `credentials.tfrc.json` entry).
    CredentialsBlock {
        file: PathBuf,
        token: Option<Secret>,
    },
    /// The one configured credentials helper, where the tool finds it.
    Helper {
        name: String,
        path: PathBuf,
        args: Vec<String>,
    },
    /// Nothing usable: no token for HOST.
    Nothing,
}

impl Source {
    pub(crate) fn describe(&self) -> String {
        match self {
            Source::Variable { name, .. } => format!("the environment variable {name}"),
            Source::CredentialsBlock { file, .. } => {
                format!("the credentials block in {}", file.display())
            }
            Source::Helper { name, path, .. } => {
                format!("the credentials helper {name:?} ({})", path.display())
            }
            Source::Nothing => "nothing".to_owned(),
        }
    }

    /// The arguments the helper is configured with, read.
    pub(crate) fn helper_settings(&self) -> Option<HelperSettings> {
        match self {
            Source::Helper { args, .. } => Some(HelperSettings::parse(args)),
            _ => None,
        }
    }
}

/// A CLI-config file a tool reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigFile {
    pub(crate) path: PathBuf,
    pub(crate) exists: bool,
    pub(crate) helpers: Vec<String>,
    pub(crate) has_credentials: bool,
}

/// What one tool reads and what it would use.
#[derive(Debug, Clone)]
pub(crate) struct ToolView {
    pub(crate) layout: Layout,
    pub(crate) files: Vec<ConfigFile>,
    pub(crate) source: Source,
    /// The `--registry-url` of the configured helper (a tunnel to the registry), also
    /// where a token from elsewhere is checked.
    pub(crate) registry_url: Option<BaseUrl>,
    pub(crate) findings: Vec<Finding>,
}

/// Read what `tool` reads for `host`, without running anything. `variable` looks up
/// the environment.
/// `configured`: the host has an entry in the settings file (the helper serves it).
pub(crate) fn inspect(
    tool: Tool,
    home: &Path,
    env: &LayoutEnv,
    host: &RegistryHost,
    configured: bool,
    variable: impl Fn(&str) -> Option<String>,
) -> ToolView {
    let layout = Layout::of(tool, home, env);
    let host_name = host.to_string();
    let mut findings = Vec::new();
    let mut files = Vec::new();
    let mut helpers: Vec<(PathBuf, HelperBlock)> = Vec::new();
    let mut credentials: Option<(PathBuf, Option<Secret>)> = None;
    for path in layout.config_files() {
        let json = path.extension().is_some_and(|e| e == "json");
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                files.push(ConfigFile {
                    path,
                    exists: false,
                    helpers: Vec::new(),
                    has_credentials: false,
                });
                continue;
            }
            Err(e) => {
                findings.push(Finding::new(
                    Level::Problem,
                    FindingKind::Unreadable(path.clone()),
                    tool,
                    format!("cannot read {}: {e}", path.display()),
                    Some(format!("make {} readable, or remove it", path.display())),
                ));
                continue;
            }
        };
        let parsed = match CredentialsConfig::parse(&text, json) {
            Ok(parsed) => parsed,
            Err(e) => {
                findings.push(Finding::new(
                    Level::Problem,
                    FindingKind::NotUnderstood(path.clone()),
                    tool,
                    format!("cannot understand {} ({e})", path.display()),
                    Some(format!("fix {} by hand", path.display())),
                ));
                continue;
            }
        };
        let block = parsed.credentials_for(&host_name);
        if let Some(block) = block
            && credentials.is_none()
        {
            credentials = Some((path.clone(), block.token.clone()));
        }
        files.push(ConfigFile {
            path: path.clone(),
            exists: true,
            helpers: parsed.helpers.iter().map(|h| h.name.clone()).collect(),
            has_credentials: block.is_some(),
        });
        helpers.extend(parsed.helpers.into_iter().map(|h| (path.clone(), h)));
    }

    let variable_name = host.tf_token_var().ok();
    let variable_token = variable_name
        .as_ref()
        .and_then(|name| variable(name).map(|v| (name.clone(), Secret::new(v))));
    let shadowed = variable_token.is_some() || credentials.is_some();
    if let Some((name, _)) = &variable_token {
        findings.push(Finding::new(
            Level::Warning,
            FindingKind::VariableShadows(name.clone()),
            tool,
            format!("{name} is set: it is used instead of the credentials helper"),
            Some(format!(
                "unset {name}, or set it per command with `get-registry-token exec -r {host} -- ...`"
            )),
        ));
    }
    if let Some((file, _)) = &credentials {
        let fix = if file.ends_with("credentials.tfrc.json") {
            format!("run `{} logout {host}`", tool_command(tool))
        } else {
            format!(
                "remove the credentials \"{host}\" block from {}",
                file.display()
            )
        };
        findings.push(Finding::new(
            Level::Warning,
            FindingKind::CredentialsBlockShadows(file.clone()),
            tool,
            format!(
                "{} has a credentials block for {host}: it is used instead of the credentials helper",
                file.display()
            ),
            Some(fix),
        ));
    }

    let helper = match helpers.as_slice() {
        [] => {
            let level = if shadowed {
                Level::Warning
            } else {
                Level::Problem
            };
            findings.push(Finding::new(
                level,
                FindingKind::NoHelperBlock(layout.config_file.clone()),
                tool,
                format!(
                    "no credentials_helper block in what {tool} reads ({})",
                    layout.config_file.display()
                ),
                Some(format!(
                    "run `install-registry-credentials-helper --registry-host {host}`"
                )),
            ));
            None
        }
        [(file, block)] => {
            let found = Found {
                tool,
                layout: &layout,
                file,
                block,
            };
            locate_helper(&found, host, shadowed, configured, &mut findings)
        }
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|(f, b)| format!("{:?} in {}", b.name, f.display()))
                .collect();
            findings.push(Finding::new(
                Level::Problem,
                FindingKind::TooManyHelperBlocks(many.len()),
                tool,
                format!(
                    "{} credentials_helper blocks ({}): {tool} allows one and refuses to start",
                    many.len(),
                    list.join(", ")
                ),
                Some(
                    "remove all but one; `install-registry-credentials-helper --force` replaces the others in the files it edits"
                        .to_owned(),
                ),
            ));
            None
        }
    };

    let registry_url = match helpers.as_slice() {
        [(_, block)] => block
            .args
            .as_ref()
            .and_then(|args| HelperSettings::parse(args).registry_url),
        _ => None,
    };
    let source = match (variable_token, credentials, helper) {
        (Some((name, token)), _, _) => Source::Variable { name, token },
        (None, Some((file, token)), _) => Source::CredentialsBlock { file, token },
        (None, None, Some((name, path, args))) => Source::Helper { name, path, args },
        (None, None, None) => Source::Nothing,
    };
    ToolView {
        layout,
        files,
        source,
        registry_url,
        findings,
    }
}

fn tool_command(tool: Tool) -> &'static str {
    match tool {
        Tool::Terraform => "terraform",
        Tool::OpenTofu => "tofu",
    }
}

/// A `credentials_helper` block a tool reads, and where.
struct Found<'a> {
    tool: Tool,
    layout: &'a Layout,
    file: &'a Path,
    block: &'a HelperBlock,
}

/// The helper the block names, as the tool would find it: its name, path and
/// arguments.
fn locate_helper(
    found: &Found<'_>,
    host: &RegistryHost,
    shadowed: bool,
    configured: bool,
    findings: &mut Vec<Finding>,
) -> Option<(String, PathBuf, Vec<String>)> {
    let Found {
        tool,
        layout,
        file,
        block,
    } = *found;
    let file_name = format!("{HELPER_PREFIX}{}", block.name);
    let install = format!("run `install-registry-credentials-helper --registry-host {host}`");
    let missing_level = if shadowed {
        Level::Warning
    } else {
        Level::Problem
    };
    let lookup = find_helper(&layout.plugin_dirs, &file_name);
    let Some(Candidate { path, version }) = lookup.chosen else {
        let dirs: Vec<String> = layout
            .plugin_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        findings.push(Finding::new(
            missing_level,
            FindingKind::HelperNotFound(file_name.clone()),
            tool,
            format!(
                "{} configures the helper {:?}, but {tool} finds no {file_name} in {}",
                file.display(),
                block.name,
                dirs.join(" or ")
            ),
            Some(install),
        ));
        return None;
    };
    if version.is_some()
        && let Some(unversioned) = lookup.passed_over.iter().find(|c| c.version.is_none())
    {
        findings.push(Finding::new(
            missing_level,
            FindingKind::VersionedHelperWins(path.clone()),
            tool,
            format!(
                "{} runs {} instead of {}: a versioned helper always wins",
                tool,
                path.display(),
                unversioned.path.display()
            ),
            Some(format!("remove {} if it is stale", path.display())),
        ));
    }
    match fs::metadata(&path) {
        Err(_) => {
            findings.push(Finding::new(
                missing_level,
                FindingKind::HelperNotExecutable(path.clone()),
                tool,
                format!("{} points to a file that does not exist", path.display()),
                Some(install),
            ));
            return None;
        }
        Ok(meta) if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 => {
            findings.push(Finding::new(
                missing_level,
                FindingKind::HelperNotExecutable(path.clone()),
                tool,
                format!("{} is not an executable file", path.display()),
                Some(format!("chmod +x {}, or {install}", path.display())),
            ));
            return None;
        }
        Ok(_) => {}
    }
    let Some(args) = block.args.clone() else {
        findings.push(Finding::new(
            Level::Problem,
            FindingKind::HelperArgsUnreadable(file.to_owned()),
            tool,
            format!(
                "cannot read the args of the credentials_helper block in {}",
                file.display()
            ),
            Some("write them as a list of strings, or re-run the installer".to_owned()),
        ));
        return None;
    };
    if is_our_helper(&path) {
        let served: Vec<String> = HelperSettings::parse(&args)
            .hosts
            .iter()
            .map(RegistryHost::to_string)
            .collect();
        if !served.is_empty() && !served.contains(&host.to_string()) && !configured {
            findings.push(Finding::new(
                missing_level,
                FindingKind::HelperDoesNotServe,
                tool,
                format!(
                    "the helper serves only {}, not {host}",
                    served.join(", ")
                ),
                Some(format!(
                    "re-run the installer with every host: install-registry-credentials-helper --registry-host {host} --registry-host {}",
                    served.join(" --registry-host ")
                )),
            ));
        }
    }
    Some((block.name.clone(), path, args))
}

/// What the live check of a tool's source found.
#[derive(Debug, Clone)]
pub(crate) struct LiveCheck {
    /// Whether the tool would get a token the registry accepts.
    pub(crate) works: bool,
    pub(crate) finding: Finding,
}

/// Get the token `source` gives (running the helper as the tool would) and ask the
/// registry at `base` (or `https://HOST`) whether it accepts it. `tools` are the tools
/// that use this source.
pub(crate) async fn check_source(
    source: &Source,
    tools: &[Tool],
    host: &RegistryHost,
    base: Option<&BaseUrl>,
    timeout: Duration,
) -> LiveCheck {
    let fail = |message: String, fix: Option<String>| LiveCheck {
        works: false,
        finding: Finding {
            level: Level::Problem,
            kind: FindingKind::Live(source.clone()),
            tools: tools.to_vec(),
            message,
            fix,
        },
    };
    let token = match source {
        Source::Nothing => {
            return fail(format!("no token for {host}"), None);
        }
        Source::Variable { token, .. } => token.clone(),
        Source::CredentialsBlock { file, token } => match token {
            Some(t) => t.clone(),
            None => {
                return fail(
                    format!(
                        "the credentials block for {host} in {} has no token",
                        file.display()
                    ),
                    Some("remove the block or give it a token".to_owned()),
                );
            }
        },
        Source::Helper { path, args, .. } => match run_helper(path, args, host, timeout).await {
            Err(InstallError::RunTimeout { seconds, .. }) => {
                return fail(
                    format!("the helper did not answer for {host} within {seconds} s"),
                    Some(
                        "check the registry and AWS, or allow more time (the installer's --check-timeout, \
                         the doctor's --timeout)"
                            .to_owned(),
                    ),
                );
            }
            Err(e) => return fail(crate::exit::chain(&e).to_string(), None),
            Ok(answer) => match answer.token {
                Some(token) => token,
                None if answer.declined => {
                    return fail(
                        format!("the helper answered {{}} for {host}: it does not serve it"),
                        Some(format!(
                            "re-run `install-registry-credentials-helper` with --registry-host {host}"
                        )),
                    );
                }
                None => {
                    return fail(
                        format!(
                            "the helper gave no token for {host}: {}",
                            answer.reason.as_deref().unwrap_or("no reason given")
                        ),
                        None,
                    );
                }
            },
        },
    };
    let base = match registry_base(host, base) {
        Ok(base) => base,
        Err(e) => return fail(e.to_string(), None),
    };
    match check_token(host, &base, &token, timeout).await {
        Ok(TokenVerdict::Accepted) => LiveCheck {
            works: true,
            finding: Finding {
                level: Level::Ok,
                kind: FindingKind::Live(source.clone()),
                tools: tools.to_vec(),
                message: format!("{host} accepts the token from {}", source.describe()),
                fix: None,
            },
        },
        Ok(TokenVerdict::Refused { reason }) => {
            let fix = match source {
                Source::Variable { name, .. } => Some(format!("unset {name}")),
                Source::CredentialsBlock { file, .. } => Some(format!(
                    "remove the credentials \"{host}\" block from {}",
                    file.display()
                )),
                Source::Helper { .. } => Some(format!(
                    "run `get-registry-token forget -r {host}` and check the AWS identity's grants"
                )),
                Source::Nothing => None,
            };
            fail(
                format!(
                    "{host} refuses the token from {} (HTTP 401: {reason})",
                    source.describe()
                ),
                fix,
            )
        }
        Err(e) => fail(
            format!(
                "cannot check the token from {} with {host}: {}",
                source.describe(),
                crate::exit::chain(&e)
            ),
            None,
        ),
    }
}

/// What [`diagnose`] looks at.
pub(crate) struct Checkup<'a> {
    pub(crate) host: &'a RegistryHost,
    pub(crate) tools: &'a [Tool],
    pub(crate) home: &'a Path,
    pub(crate) env: &'a LayoutEnv,
    /// The host's entry in the settings file.
    pub(crate) settings: Option<&'a HostSettings>,
    /// Checks tokens against this base URL instead of the helper's.
    pub(crate) registry_url: Option<&'a BaseUrl>,
    pub(crate) timeout: Duration,
    /// The AWS flags given; `None`: the identity is not looked up.
    pub(crate) aws: Option<&'a AwsArgs>,
}

/// Everything the doctor found for one host.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) host: RegistryHost,
    pub(crate) views: Vec<ToolView>,
    /// Whether each tool (in `views`' order) gets a token the registry accepts.
    pub(crate) works: Vec<bool>,
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
                checkup.settings.is_some(),
                variable,
            )
        })
        .collect();
    let mut findings: Vec<Finding> = views.iter().flat_map(|v| v.findings.clone()).collect();

    // The helper's own arguments are flags for the host, over its settings.
    let helper = views.iter().find_map(|v| v.source.helper_settings());
    let flags = match (&helper, checkup.aws) {
        (Some(h), _) => h.flags(),
        (None, Some(aws)) => HostFlags {
            profile: aws.profile.clone(),
            region: aws.region.clone(),
            ..HostFlags::default()
        },
        (None, None) => HostFlags::default(),
    };
    let config = HostConfig::resolve(&flags, checkup.settings, variable);
    let mut identity = None;
    if let Some(aws) = checkup.aws {
        let signing = config.aws_args(aws);
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
        let base = checkup
            .registry_url
            .or(views[i].registry_url.as_ref())
            .or(config.registry_url.value.as_ref());
        let check = check_source(&views[i].source, &users, host, base, checkup.timeout).await;
        for &j in &same {
            done[j] = true;
            works[j] = check.works;
        }
        findings.push(check.finding);
    }
    Report {
        host: host.clone(),
        views,
        works,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> RegistryHost {
        "r.example.com".parse().unwrap()
    }

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn helper_block(name: &str) -> String {
        super::super::cliconfig::helper_block(
            name,
            &["--registry-host".into(), "r.example.com".into()],
        )
    }

    fn install_helper(home: &Path, name: &str, mode: u32) -> PathBuf {
        let path = home.join(".terraform.d/plugins").join(name);
        write(&path, "#!/bin/sh\n");
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    fn problems(view: &ToolView) -> Vec<String> {
        view.findings
            .iter()
            .filter(|f| f.level == Level::Problem)
            .map(|f| f.message.clone())
            .collect()
    }

    #[test]
    fn precedence_is_variable_then_credentials_then_helper() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        write(&h.join(".terraformrc"), &helper_block("x"));
        let path = install_helper(h, "terraform-credentials-x", 0o755);
        let none = |_: &str| None;
        let view = inspect(
            Tool::Terraform,
            h,
            &LayoutEnv::default(),
            &host(),
            false,
            none,
        );
        assert!(problems(&view).is_empty(), "{:?}", view.findings);
        assert!(matches!(&view.source, Source::Helper { path: p, .. } if *p == path));

        write(
            &h.join(".terraform.d/credentials.tfrc.json"),
            r#"{"credentials": {"r.example.com": {"token": "static"}}}"#,
        );
        let view = inspect(
            Tool::Terraform,
            h,
            &LayoutEnv::default(),
            &host(),
            false,
            none,
        );
        assert!(matches!(view.source, Source::CredentialsBlock { .. }));
        assert!(
            view.findings
                .iter()
                .any(|f| f.fix.as_deref() == Some("run `terraform logout r.example.com`"))
        );

        let var = |name: &str| (name == "TF_TOKEN_r_example_com").then(|| "t".to_owned());
        let view = inspect(
            Tool::OpenTofu,
            h,
            &LayoutEnv::default(),
            &host(),
            false,
            var,
        );
        assert!(
            matches!(&view.source, Source::Variable { name, .. } if name == "TF_TOKEN_r_example_com")
        );
    }

    #[test]
    fn missing_unexecutable_and_doubled_helpers_are_problems() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        let none = |_: &str| None;
        let view = inspect(
            Tool::Terraform,
            h,
            &LayoutEnv::default(),
            &host(),
            false,
            none,
        );
        assert!(problems(&view)[0].contains("no credentials_helper block"));

        write(&h.join(".terraformrc"), &helper_block("x"));
        let view = inspect(
            Tool::Terraform,
            h,
            &LayoutEnv::default(),
            &host(),
            false,
            none,
        );
        assert!(problems(&view)[0].contains("finds no terraform-credentials-x"));

        install_helper(h, "terraform-credentials-x", 0o644);
        let view = inspect(
            Tool::Terraform,
            h,
            &LayoutEnv::default(),
            &host(),
            false,
            none,
        );
        assert!(problems(&view)[0].contains("is not an executable file"));
        assert_eq!(view.source, Source::Nothing);

        install_helper(h, "terraform-credentials-x", 0o755);
        install_helper(h, "terraform-credentials-x_v1.0.0", 0o755);
        let view = inspect(
            Tool::Terraform,
            h,
            &LayoutEnv::default(),
            &host(),
            false,
            none,
        );
        assert!(problems(&view)[0].contains("a versioned helper always wins"));

        write(&h.join(".terraform.d/extra.tfrc"), &helper_block("y"));
        let view = inspect(
            Tool::Terraform,
            h,
            &LayoutEnv::default(),
            &host(),
            false,
            none,
        );
        assert!(
            problems(&view)
                .iter()
                .any(|p| p.contains("2 credentials_helper blocks"))
        );
    }
}
