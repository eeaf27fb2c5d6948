//! `get-registry-token`: a cached, SigV4-authenticated registry token for shells, CI
//! and Terraform; also Terraform's credentials helper (as `terraform-credentials-*`
//! or `get-registry-token credentials-helper`).

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::aws_args::AwsArgs;
use super::cli::runtime;
use super::credentials_helper::{self, HelperArgs, HelperCli, deadline, token_lifetime};
use super::error::Error;
use super::values::ServiceArg;
use crate::aws::reference::Ref;
use crate::aws::{Aws, AwsSelection};
use crate::diag::note;
use crate::exit::ExitStatus;
use crate::http::BaseUrl;
use crate::output::{self, SecretFormat, Var};
use crate::registry::RegistryHost;
use crate::registry::cliconfig::{hcl_string, host_block};
use crate::registry::discovery::ServicesOverride;
use crate::registry::layout::LayoutEnv;
use crate::registry::layout::Tool;
use crate::registry::services::cli_config_with;
use crate::registry::settings::{HostFlags, RegistrySettings};
use crate::registry::token_cache::{COMMAND_MIN_LEFT, IssuedToken, TokenCache};
use crate::registry::tokens::{Asker, Policy, Tokens};
use crate::secret::Secret;

const BINARY: &str = "get-registry-token";

/// The variable that names the one CLI config Terraform reads.
const TF_CLI_CONFIG_FILE: &str = crate::env::TF_CLI_CONFIG_FILE;

/// The variable Terragrunt reads a registry token from.
const TERRAGRUNT_TOKEN_VAR: &str = "TG_TF_REGISTRY_TOKEN";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    long_version = super::cli::LONG_VERSION,
    about = "Print a bearer token for a private Terraform module registry, signed with your AWS identity and cached",
    long_about = "Print a bearer token for a private Terraform module registry.\n\n\
        The token is requested from https://HOST/token with an AWS SigV4 signature and cached under \
        ~/.cdk/cache until too little of its lifetime is left; a cached answer makes no network call \
        and resolves no AWS credentials.",
    after_help = "Examples:\n  get-registry-token token -r registry.example.com\n  \
        eval \"$(get-registry-token env -r registry.example.com)\"\n  \
        get-registry-token config -r registry.example.com >> ~/.terraformrc\n  \
        get-registry-token forget --all",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub(crate) struct Cli {
    /// What to print.
    #[arg(value_enum, required = true)]
    format: Option<Format>,
    #[command(flatten)]
    token: TokenArgs,
    #[command(flatten)]
    aws: AwsArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The raw token.
    Token,
    /// A CLI-config `credentials "HOST" { token = "..." }` block (after a `host` block
    /// with the services override, for a registry whose discovery needs one).
    Config,
    /// `export TF_TOKEN_<host>='...'` for a POSIX shell (and TF_CLI_CONFIG_FILE, when
    /// the registry needs a services override the CLI config lacks).
    Env,
    /// `$env:TF_TOKEN_<host> = '...'` for PowerShell (and TF_CLI_CONFIG_FILE, as env).
    Powershell,
    /// `set -gx TF_TOKEN_<host> '...'` for fish (and TF_CLI_CONFIG_FILE, as env).
    Fish,
    /// `{"host": ..., "token": ..., "expires_at": ...}`.
    Json,
    /// Append TF_TOKEN_<host> (and TF_CLI_CONFIG_FILE, as env) to $GITHUB_ENV and mask
    /// the token.
    Github,
}

#[derive(Debug, Clone, Args)]
struct TokenArgs {
    /// The registry host, without scheme or path (e.g. registry.example.com), or
    /// a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(long, short = 'r', value_name = "HOST", required = true)]
    registry_host: Option<Ref<RegistryHost>>,
    #[command(flatten)]
    mint: MintArgs,
}

/// How tokens are asked for and reused. Where a flag is not given, the host's entry in
/// ~/.cdk/registries.json decides, then the defaults.
#[derive(Debug, Clone, Args)]
struct MintArgs {
    /// Lifetime to request for a new token, in seconds (the registry allows up to 60000)
    /// [default: the host's token_lifetime, else 3600].
    #[arg(long, short = 'T', alias = "time", value_name = "SECONDS", value_parser = token_lifetime)]
    token_lifetime: Option<u64>,
    /// The AWS service to sign for [default: the host's service, else execute-api].
    #[arg(long, value_enum)]
    service: Option<ServiceArg>,
    /// Reuse a cached token only while at least this many seconds are left
    /// (never more than half of --token-lifetime).
    #[arg(long, value_name = "SECONDS", default_value_t = COMMAND_MIN_LEFT)]
    min_remaining: u64,
    /// Always ask the registry; do not read or write the cache.
    #[arg(long)]
    no_cache: bool,
    /// Send the token request to this base URL instead of https://HOST (a tunnel or
    /// private endpoint); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(long, value_name = "URL")]
    registry_url: Option<Ref<BaseUrl>>,
    /// Give up on the registry after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = deadline)]
    timeout: u64,
}

impl MintArgs {
    /// These flags (with `registry_url`, --registry-url resolved) as settings for a
    /// host, over its entry in the settings file.
    fn flags(&self, registry_url: Option<&BaseUrl>, aws: &AwsSelection) -> HostFlags {
        HostFlags {
            service: self.service.map(Into::into),
            registry_url: registry_url.cloned(),
            token_lifetime: self.token_lifetime,
            ..HostFlags::from_aws(aws)
        }
    }

    fn policy(&self) -> Policy {
        Policy {
            asker: Asker::Command {
                min_remaining: self.min_remaining,
            },
            timeout: Duration::from_secs(self.timeout),
            use_cache: !self.no_cache,
        }
    }
}

/// Which tools the doctor answers for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Tools {
    Both,
    Terraform,
    Opentofu,
}

impl Tools {
    fn list(self) -> Vec<Tool> {
        match self {
            Tools::Both => Tool::ALL.to_vec(),
            Tools::Terraform => vec![Tool::Terraform],
            Tools::Opentofu => vec![Tool::OpenTofu],
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Drop cached and stored tokens for a host (or every host with --all).
    Forget {
        /// The registry host whose tokens to drop.
        #[arg(
            long,
            short = 'r',
            value_name = "HOST",
            required_unless_present = "all"
        )]
        registry_host: Option<RegistryHost>,
        /// Drop every cached registry token.
        #[arg(long, conflicts_with = "registry_host")]
        all: bool,
    },
    /// Answer Terraform's credentials-helper protocol (get/store/forget HOST).
    CredentialsHelper {
        #[command(flatten)]
        helper: HelperArgs,
        #[command(flatten)]
        aws: AwsArgs,
    },
    /// Run a command with TF_TOKEN_<host> set for each registry (and TG_TF_REGISTRY_TOKEN
    /// for a single one), for tools that ignore credentials helpers; and TF_CLI_CONFIG_FILE
    /// when a registry needs a services override the CLI config lacks.
    #[command(after_help = "Examples:\n  \
        get-registry-token exec -r registry.example.com -- terragrunt run-all plan\n  \
        get-registry-token exec -r registry.example.com -r modules.example.org -- infracost breakdown --path .")]
    Exec {
        /// A registry host (repeatable); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
        #[arg(
            long = "registry-host",
            short = 'r',
            value_name = "HOST",
            required = true
        )]
        registry_hosts: Vec<Ref<RegistryHost>>,
        #[command(flatten)]
        mint: MintArgs,
        #[command(flatten)]
        aws: AwsArgs,
        /// The command and its arguments.
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<OsString>,
    },
    /// Say which settings and credentials Terraform and OpenTofu will use for a registry
    /// host (every configured host without -r), and whether they work; exit 0 when they
    /// get a working token for every host, 1 otherwise.
    #[command(after_help = "Examples:\n  \
        get-registry-token doctor -r registry.example.com\n  \
        get-registry-token doctor                       # every host in ~/.cdk/registries.json and the helper's args\n  \
        get-registry-token doctor -r registry.example.com --output json")]
    Doctor {
        /// The registry host [default: every configured host].
        #[arg(long, short = 'r', value_name = "HOST")]
        registry_host: Option<RegistryHost>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: DoctorOutput,
        /// Which tools to answer for.
        #[arg(long, value_enum, default_value = "both")]
        tool: Tools,
        /// Check tokens against this base URL instead of the helper's --registry-url or https://HOST.
        #[arg(long, value_name = "URL")]
        registry_url: Option<BaseUrl>,
        /// Give the helper and the registry this many seconds each.
        #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = deadline)]
        timeout: u64,
        #[command(flatten)]
        aws: AwsArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DoctorOutput {
    Text,
    Json,
}

pub fn main(args: Vec<OsString>) -> ExitCode {
    super::cli::run(BINARY, args, run)
}

/// The credentials helper, run as `name` (`terraform-credentials-NAME`).
pub(crate) fn helper_main(name: &str, args: Vec<OsString>) -> ExitCode {
    super::cli::run(name, args, |cli: HelperCli| {
        credentials_helper::run(&cli.helper, &cli.aws)
    })
}

fn run(cli: Cli) -> Result<ExitStatus, Error> {
    match (cli.command, cli.format) {
        (Some(Command::Forget { registry_host, all }), _) => {
            let host = if all { None } else { registry_host };
            let dropped = TokenCache::open()?.forget(host.as_ref())?;
            note(format_args!("dropped {dropped} cached token(s)"));
            Ok(ExitStatus::Success)
        }
        (Some(Command::CredentialsHelper { helper, aws }), _) => {
            credentials_helper::run(&helper, &aws)
        }
        (
            Some(Command::Exec {
                registry_hosts,
                mint,
                aws,
                command,
            }),
            _,
        ) => exec(&registry_hosts, &mint, &aws.selection(), &command),
        (
            Some(Command::Doctor {
                registry_host,
                output,
                tool,
                registry_url,
                timeout,
                aws,
            }),
            _,
        ) => super::registry_doctor::run(
            registry_host.as_ref(),
            output == DoctorOutput::Json,
            &tool.list(),
            registry_url.as_ref(),
            Duration::from_secs(timeout),
            &aws.selection(),
        ),
        // Without a subcommand, clap requires a format and a host.
        (None, format) => print_token(
            format.unwrap_or(Format::Token),
            &cli.token,
            &cli.aws.selection(),
        ),
    }
}

/// The tokens of `hosts` (each resolved, with --registry-url), issued with `mint`'s
/// flags over each host's settings: one runtime, one settings file read. With
/// `as_variables`, every host's `TF_TOKEN_` name is checked before any token is asked.
/// With `for_terraform` (the token reaches Terraform some other way than the helper),
/// also the services overrides the hosts need (see [`crate::registry::discovery`]).
fn issue_all(
    hosts: &[Ref<RegistryHost>],
    mint: &MintArgs,
    aws: &AwsSelection,
    as_variables: bool,
    for_terraform: bool,
) -> Result<Issued, Error> {
    let settings = RegistrySettings::load_users()?;
    let tokens = Tokens {
        settings: &settings,
        aws,
    };
    let resolver = Aws::new(aws.clone());
    runtime()?.block_on(async {
        let registry_url = match &mint.registry_url {
            Some(u) => Some(u.resolve(&resolver).await?),
            None => None,
        };
        let mut resolved = Vec::with_capacity(hosts.len());
        for h in hosts {
            resolved.push(h.resolve(&resolver).await?);
        }
        if as_variables {
            for host in &resolved {
                host.tf_token_var()?;
            }
        }
        let flags = mint.flags(registry_url.as_ref(), aws);
        let mut issued = Issued::default();
        for host in resolved {
            let token = tokens.issue(&host, &flags, mint.policy()).await?;
            if for_terraform {
                let needed = tokens
                    .services_override(&host, &flags, &token, mint.policy())
                    .await
                    .map_err(crate::http::HttpError::Url)?;
                issued.overrides.extend(needed);
            }
            issued.tokens.push((host, token));
        }
        Ok(issued)
    })
}

/// What [`issue_all`] hands out.
#[derive(Default)]
struct Issued {
    tokens: Vec<(RegistryHost, IssuedToken)>,
    /// The services overrides those hosts need.
    overrides: Vec<ServicesOverride>,
}

impl Issued {
    /// The CLI config to point `TF_CLI_CONFIG_FILE` at for the overrides, when what
    /// Terraform reads lacks one (see [`crate::registry::services`]).
    fn cli_config(&self) -> Result<Option<String>, Error> {
        if self.overrides.is_empty() {
            return Ok(None);
        }
        let home = dirs::home_dir().ok_or(crate::registry::install::InstallError::NoHome)?;
        let path = cli_config_with(&self.overrides, &home, &LayoutEnv::from_process())?;
        Ok(path.map(|p| p.to_string_lossy().into_owned()))
    }
}

/// `token` as the variable `TF_TOKEN_<host>` in `format`, with `TF_CLI_CONFIG_FILE`
/// when `cli_config` names the file Terraform needs.
fn print_variable(
    host: &RegistryHost,
    token: &Secret,
    cli_config: Option<&str>,
    format: SecretFormat,
) -> Result<(), Error> {
    let name = host.tf_token_var()?;
    let mut vars = vec![Var::secret(&name, token)];
    if let Some(path) = cli_config {
        vars.push(Var::public(TF_CLI_CONFIG_FILE, path));
    }
    Ok(output::print(format, &vars)?)
}

fn print_token(format: Format, args: &TokenArgs, aws: &AwsSelection) -> Result<ExitStatus, Error> {
    let Some(host) = args.registry_host.clone() else {
        unreachable!("clap requires --registry-host without a subcommand");
    };
    let as_variable = matches!(
        format,
        Format::Env | Format::Powershell | Format::Fish | Format::Github
    );
    let for_terraform = as_variable || format == Format::Config;
    let mut issued = issue_all(
        std::slice::from_ref(&host),
        &args.mint,
        aws,
        as_variable,
        for_terraform,
    )?;
    let cli_config = if as_variable {
        issued.cli_config()?
    } else {
        None
    };
    let Some((host, token)) = issued.tokens.pop() else {
        unreachable!("one token for one host");
    };
    let cli_config = cli_config.as_deref();
    let secret = &token.token;
    match format {
        Format::Token => output::print(SecretFormat::Text, &[Var::secret("token", secret)])?,
        Format::Json => {
            let host_text = host.to_string();
            let expires = token
                .expires_at
                .map(crate::time::rfc3339)
                .unwrap_or_default();
            output::print(
                SecretFormat::Json,
                &[
                    Var::public("host", &host_text),
                    Var::secret("token", secret),
                    Var::public("expires_at", &expires),
                ],
            )?
        }
        Format::Env => print_variable(&host, secret, cli_config, SecretFormat::Env)?,
        Format::Powershell => print_variable(&host, secret, cli_config, SecretFormat::Powershell)?,
        Format::Fish => print_variable(&host, secret, cli_config, SecretFormat::Fish)?,
        Format::Github => print_variable(&host, secret, cli_config, SecretFormat::Github)?,
        Format::Config => {
            let mut text = String::new();
            for o in &issued.overrides {
                text.push_str(&host_block(&o.host.to_string(), o.modules.as_str()));
            }
            text.push_str(&format!(
                "credentials {} {{\n  token = {}\n}}\n",
                hcl_string(&host.to_string()),
                hcl_string(secret.expose())
            ));
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitStatus::Success)
}

/// Run `command` with a token for each host in its environment, replacing this process;
/// each host's token is minted with that host's settings.
fn exec(
    hosts: &[Ref<RegistryHost>],
    mint: &MintArgs,
    aws: &AwsSelection,
    command: &[OsString],
) -> Result<ExitStatus, Error> {
    if hosts.len() > 1 && mint.registry_url.is_some() {
        return Err(Error::Usage(
            "--registry-url names one registry: pass it with a single --registry-host (each host's own is in ~/.cdk/registries.json)".into(),
        ));
    }
    let issued = issue_all(hosts, mint, aws, true, true)?;
    let mut child = std::process::Command::new(&command[0]);
    child.args(&command[1..]);
    for (host, token) in &issued.tokens {
        if issued.tokens.len() == 1 {
            child.env(TERRAGRUNT_TOKEN_VAR, token.token.expose());
        }
        child.env(host.tf_token_var()?, token.token.expose());
    }
    if let Some(path) = issued.cli_config()? {
        child.env(TF_CLI_CONFIG_FILE, path);
    }
    super::cli::exec(child, &command[0])
}
