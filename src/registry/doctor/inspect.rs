//! What a tool reads for a host, from files and the environment only: its CLI-config
//! files, the token that wins, the helper it would run.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::http::BaseUrl;
use crate::registry::RegistryHost;
use crate::registry::cliconfig::{CredentialsConfig, HelperBlock};
use crate::registry::install::{HELPER_PREFIX, ReadArgs, is_our_helper};
use crate::registry::layout::{Candidate, Layout, LayoutEnv, Tool, find_helper};
use crate::secret::Secret;

use super::finding::{Finding, FindingKind, Level, Source};

/// A CLI-config file a tool reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigFile {
    pub(crate) path: PathBuf,
    pub(crate) exists: bool,
    pub(crate) helpers: Vec<String>,
    pub(crate) has_credentials: bool,
}

/// A `host` block for the host in what a tool reads: it replaces discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostOverride {
    pub(crate) file: PathBuf,
    /// Its `modules.v1`, when it has one as a plain string.
    pub(crate) modules: Option<String>,
    /// This toolkit wrote it.
    pub(crate) managed: bool,
}

/// What one tool reads and what it would use.
#[derive(Debug, Clone)]
pub(crate) struct ToolView {
    pub(crate) layout: Layout,
    pub(crate) files: Vec<ConfigFile>,
    pub(crate) source: Source,
    /// The `host` block that counts for the host (the last one read, as the tool
    /// merges them), if any.
    pub(crate) host_override: Option<HostOverride>,
    /// The `--registry-url` of the configured helper (a tunnel to the registry), also
    /// where a token from elsewhere is checked.
    pub(crate) registry_url: Option<BaseUrl>,
    pub(crate) findings: Vec<Finding>,
}

/// Read what `tool` reads for `host`, without running anything. `variable` looks up
/// the environment as the tool sees it (a variable set to the empty string is set).
/// `configured`: the host has an entry in the settings file (the helper serves it).
pub(crate) fn inspect(
    tool: Tool,
    home: &Path,
    env: &LayoutEnv,
    host: &RegistryHost,
    configured: bool,
    read_args: ReadArgs,
    variable: impl Fn(&str) -> Option<String>,
) -> ToolView {
    let layout = Layout::of(tool, home, env);
    let mut read = read_configs(tool, &layout, host);
    let variable_token = host
        .tf_token_var()
        .ok()
        .and_then(|name| variable(&name).map(|v| (name, Secret::new(v))));
    let shadowed = say_what_shadows(
        tool,
        host,
        variable_token
            .as_ref()
            .map(|(name, token)| (name.as_str(), token.expose().is_empty())),
        read.credentials.as_ref().map(|(file, _)| file.as_path()),
        &mut read.findings,
    );
    let lookup = Lookup {
        tool,
        layout: &layout,
        host,
        shadowed,
        configured,
        read_args,
    };
    let helper = choose_helper(&lookup, &read.helpers, &mut read.findings);
    let registry_url = match read.helpers.as_slice() {
        [(_, block)] => block
            .args
            .as_ref()
            .and_then(|args| read_args(args).ok())
            .and_then(|read| read.settings.registry_url),
        _ => None,
    };
    let source = match (variable_token, read.credentials, helper) {
        (Some((name, token)), _, _) => Source::Variable { name, token },
        (None, Some((file, token)), _) => Source::CredentialsBlock { file, token },
        (None, None, Some((name, path, args))) => Source::Helper { name, path, args },
        (None, None, None) => Source::Nothing,
    };
    ToolView {
        layout,
        files: read.files,
        source,
        host_override: read.host_override,
        registry_url,
        findings: read.findings,
    }
}

/// What a tool's CLI-config files say for one host.
struct ConfigsRead {
    files: Vec<ConfigFile>,
    /// Every `credentials_helper` block, with its file.
    helpers: Vec<(PathBuf, HelperBlock)>,
    /// The first `credentials` block for the host, with its file.
    credentials: Option<(PathBuf, Option<Secret>)>,
    host_override: Option<HostOverride>,
    findings: Vec<Finding>,
}

/// Read every CLI-config file `tool` reads (regular files only, never waited on);
/// one it cannot read or understand is a finding.
fn read_configs(tool: Tool, layout: &Layout, host: &RegistryHost) -> ConfigsRead {
    let host_name = host.to_string();
    let mut read = ConfigsRead {
        files: Vec::new(),
        helpers: Vec::new(),
        credentials: None,
        host_override: None,
        findings: Vec::new(),
    };
    for path in layout.config_files() {
        let json = path.extension().is_some_and(|e| e == "json");
        let text =
            crate::fsutil::read_regular(&path, crate::fsutil::MAX_CONFIG_BYTES).and_then(|bytes| {
                match bytes {
                    Some(b) => String::from_utf8(b).map(Some).map_err(|_| {
                        io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text")
                    }),
                    None => Ok(None),
                }
            });
        let text = match text {
            Ok(Some(text)) => text,
            Ok(None) => {
                read.files.push(ConfigFile {
                    path,
                    exists: false,
                    helpers: Vec::new(),
                    has_credentials: false,
                });
                continue;
            }
            Err(e) => {
                read.files.push(ConfigFile {
                    path: path.clone(),
                    exists: true,
                    helpers: Vec::new(),
                    has_credentials: false,
                });
                read.findings.push(Finding::new(
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
                read.findings.push(Finding::new(
                    Level::Problem,
                    FindingKind::NotUnderstood(path.clone()),
                    tool,
                    format!("cannot understand {} ({e})", path.display()),
                    Some(format!("fix {} by hand", path.display())),
                ));
                continue;
            }
        };
        if let Some(h) = parsed.host_for(&host_name) {
            read.host_override = Some(HostOverride {
                file: path.clone(),
                modules: h.modules.clone(),
                managed: h.managed,
            });
        }
        let block = parsed.credentials_for(&host_name);
        if let Some(block) = block
            && read.credentials.is_none()
        {
            read.credentials = Some((path.clone(), block.token.clone()));
        }
        read.files.push(ConfigFile {
            path: path.clone(),
            exists: true,
            helpers: parsed.helpers.iter().map(|h| h.name.clone()).collect(),
            has_credentials: block.is_some(),
        });
        read.helpers
            .extend(parsed.helpers.into_iter().map(|h| (path.clone(), h)));
    }
    read
}

/// A `TF_TOKEN_` variable (`variable`, its name) or a `credentials` block (in `file`)
/// wins over the helper: say so, with the fix. Whether anything does.
fn say_what_shadows(
    tool: Tool,
    host: &RegistryHost,
    variable: Option<(&str, bool)>,
    file: Option<&Path>,
    findings: &mut Vec<Finding>,
) -> bool {
    match variable {
        // Terraform takes it as an empty token: the helper is never asked.
        Some((name, true)) => findings.push(Finding::new(
            Level::Problem,
            FindingKind::VariableShadows(name.to_owned()),
            tool,
            format!(
                "{name} is set, to the empty string: {tool} takes it as the token (an empty one) instead of \
                 asking the credentials helper"
            ),
            Some(format!("unset {name}")),
        )),
        Some((name, false)) => findings.push(Finding::new(
            Level::Warning,
            FindingKind::VariableShadows(name.to_owned()),
            tool,
            format!("{name} is set: it is used instead of the credentials helper"),
            Some(format!(
                "unset {name}, or set it per command with `get-registry-token exec -r {host} -- ...`"
            )),
        )),
        None => {}
    }
    if let Some(file) = file {
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
            FindingKind::CredentialsBlockShadows(file.to_owned()),
            tool,
            format!(
                "{} has a credentials block for {host}: it is used instead of the credentials helper",
                file.display()
            ),
            Some(fix),
        ));
    }
    variable.is_some() || file.is_some()
}

/// What looking for the helper a tool runs for a host needs.
struct Lookup<'a> {
    tool: Tool,
    layout: &'a Layout,
    host: &'a RegistryHost,
    /// A variable or a credentials block wins over the helper anyway.
    shadowed: bool,
    /// The host has an entry in the settings file (the helper serves it).
    configured: bool,
    read_args: ReadArgs,
}

impl Lookup<'_> {
    /// How bad a missing or broken helper is: a problem, unless something else gives
    /// the token anyway.
    fn missing_level(&self) -> Level {
        if self.shadowed {
            Level::Warning
        } else {
            Level::Problem
        }
    }
}

/// The helper the tool runs, when its files name exactly one (none is a problem unless
/// something else gives a token; more than one stops the tool).
fn choose_helper(
    lookup: &Lookup<'_>,
    helpers: &[(PathBuf, HelperBlock)],
    findings: &mut Vec<Finding>,
) -> Option<(String, PathBuf, Vec<String>)> {
    let (tool, layout, host) = (lookup.tool, lookup.layout, lookup.host);
    match helpers {
        [] => {
            findings.push(Finding::new(
                lookup.missing_level(),
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
        [(file, block)] => locate_helper(lookup, file, block, findings),
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
    }
}

fn tool_command(tool: Tool) -> &'static str {
    match tool {
        Tool::Terraform => "terraform",
        Tool::OpenTofu => "tofu",
    }
}

/// The helper `block` (in `file`) names, as the tool would find it: its name, path
/// and arguments.
fn locate_helper(
    lookup: &Lookup<'_>,
    file: &Path,
    block: &HelperBlock,
    findings: &mut Vec<Finding>,
) -> Option<(String, PathBuf, Vec<String>)> {
    let (tool, layout, host) = (lookup.tool, lookup.layout, lookup.host);
    let file_name = format!("{HELPER_PREFIX}{}", block.name);
    let install = format!("run `install-registry-credentials-helper --registry-host {host}`");
    let missing_level = lookup.missing_level();
    let found = find_helper(&layout.plugin_dirs, &file_name);
    let Some(Candidate { path, version }) = found.chosen else {
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
        && let Some(unversioned) = found.passed_over.iter().find(|c| c.version.is_none())
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
    let executable = match fs::metadata(&path) {
        Err(_) => Err((
            format!("{} points to a file that does not exist", path.display()),
            install,
        )),
        Ok(meta) if !crate::fsutil::is_executable(&meta) => Err((
            format!("{} is not an executable file", path.display()),
            format!("chmod +x {}, or {install}", path.display()),
        )),
        Ok(_) => Ok(()),
    };
    if let Err((message, fix)) = executable {
        findings.push(Finding::new(
            missing_level,
            FindingKind::HelperNotExecutable(path.clone()),
            tool,
            message,
            Some(fix),
        ));
        return None;
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
    if is_our_helper(&path) && !check_served(lookup, file, &args, findings) {
        return None;
    }
    Some((block.name.clone(), path, args))
}

/// Our helper, with the block's `args` (in `file`): the helper must accept them, and
/// serve the host (named in them or in the settings file). False when it would refuse
/// them.
fn check_served(
    lookup: &Lookup<'_>,
    file: &Path,
    args: &[String],
    findings: &mut Vec<Finding>,
) -> bool {
    let (tool, host) = (lookup.tool, lookup.host);
    let served: Vec<String> = match (lookup.read_args)(args) {
        Ok(read) => read.hosts.iter().map(RegistryHost::to_string).collect(),
        Err(reason) => {
            findings.push(Finding::new(
                Level::Problem,
                FindingKind::HelperArgsUnreadable(file.to_owned()),
                tool,
                format!(
                    "the helper refuses the args of the credentials_helper block in {} ({reason})",
                    file.display()
                ),
                Some("fix them by hand, or re-run the installer".to_owned()),
            ));
            return false;
        }
    };
    if !served.is_empty() && !served.contains(&host.to_string()) && !lookup.configured {
        findings.push(Finding::new(
            lookup.missing_level(),
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
    true
}

/// The Unix layout (`~/.terraformrc`, modes); where Windows looks is
/// `layout::tests::on_windows_both_tools_read_appdata`, and the doctor runs under Wine in
/// tests/integration/windows.rs.
#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn host() -> RegistryHost {
        "r.example.com".parse().unwrap()
    }

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn helper_block(name: &str) -> String {
        crate::registry::cliconfig::helper_block(
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

    /// A stand-in for the helper's parser (in `app`): `--registry-host` pairs.
    fn read_hosts(args: &[String]) -> Result<crate::registry::install::BlockArgs, String> {
        let mut read = crate::registry::install::BlockArgs::default();
        for pair in args.chunks(2) {
            match pair {
                [flag, host] if flag == "--registry-host" => {
                    read.hosts.push(
                        host.parse()
                            .map_err(|e: crate::registry::host::HostError| e.to_string())?,
                    );
                }
                other => read.kept.extend(other.iter().cloned()),
            }
        }
        Ok(read)
    }

    /// What `tool` reads for r.example.com in `home`, with `variable` as the environment.
    fn look(tool: Tool, home: &Path, variable: impl Fn(&str) -> Option<String>) -> ToolView {
        inspect(
            tool,
            home,
            &LayoutEnv::default(),
            &host(),
            false,
            read_hosts,
            variable,
        )
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
        let view = look(Tool::Terraform, h, none);
        assert!(problems(&view).is_empty(), "{:?}", view.findings);
        assert!(matches!(&view.source, Source::Helper { path: p, .. } if *p == path));

        write(
            &h.join(".terraform.d/credentials.tfrc.json"),
            r#"{"credentials": {"r.example.com": {"token": "static"}}}"#,
        );
        let view = look(Tool::Terraform, h, none);
        assert!(matches!(view.source, Source::CredentialsBlock { .. }));
        assert!(
            view.findings
                .iter()
                .any(|f| f.fix.as_deref() == Some("run `terraform logout r.example.com`"))
        );

        let var = |name: &str| (name == "TF_TOKEN_r_example_com").then(|| "t".to_owned());
        let view = look(Tool::OpenTofu, h, var);
        assert!(
            matches!(&view.source, Source::Variable { name, .. } if name == "TF_TOKEN_r_example_com")
        );
    }

    #[test]
    fn missing_unexecutable_and_doubled_helpers_are_problems() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        let none = |_: &str| None;
        let view = look(Tool::Terraform, h, none);
        assert!(problems(&view)[0].contains("no credentials_helper block"));

        write(&h.join(".terraformrc"), &helper_block("x"));
        let view = look(Tool::Terraform, h, none);
        assert!(problems(&view)[0].contains("finds no terraform-credentials-x"));

        install_helper(h, "terraform-credentials-x", 0o644);
        let view = look(Tool::Terraform, h, none);
        assert!(problems(&view)[0].contains("is not an executable file"));
        assert_eq!(view.source, Source::Nothing);

        install_helper(h, "terraform-credentials-x", 0o755);
        install_helper(h, "terraform-credentials-x_v1.0.0", 0o755);
        let view = look(Tool::Terraform, h, none);
        assert!(problems(&view)[0].contains("a versioned helper always wins"));

        write(&h.join(".terraform.d/extra.tfrc"), &helper_block("y"));
        let view = look(Tool::Terraform, h, none);
        assert!(
            problems(&view)
                .iter()
                .any(|p| p.contains("2 credentials_helper blocks"))
        );
    }
}
