//! `get-registry-token`: a cached, SigV4-authenticated registry token for shells, CI
//! and Terraform; also Terraform's credentials helper (as `terraform-credentials-*`
//! or `get-registry-token credentials-helper`).

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::input::read_bytes;
use super::{Error, runtime};
use crate::aws::reference::Ref;
use crate::aws::{Aws, AwsArgs};
use crate::diag::{note, warn};
use crate::exit::{ExitStatus, chain};
use crate::http::BaseUrl;
use crate::output::{self, SecretFormat, Var};
use crate::registry::cliconfig::hcl_string;
use crate::registry::install::{BlockArgs, HELPER_MARKER, HELPER_PREFIX};
use crate::registry::layout::Tool;
use crate::registry::settings::{HostConfig, HostFlags, RegistrySettings};
use crate::registry::token::{MAX_EXPIRATION_SECONDS, stored_token};
use crate::registry::token_cache::{
    COMMAND_LIFETIME, COMMAND_MIN_LEFT, HELPER_LIFETIME, HELPER_MIN_LEFT, IssuedToken, Lifetime,
    get_or_mint,
};
use crate::registry::{RegistryHost, Service, TokenCache, TokenKey, TokenRequest, fetch_token};
use crate::secret::Secret;

const BINARY: &str = "get-registry-token";

/// The variable Terragrunt reads a registry token from.
const TERRAGRUNT_TOKEN_VAR: &str = "TG_TF_REGISTRY_TOKEN";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    long_version = super::LONG_VERSION,
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
    /// A CLI-config `credentials "HOST" { token = "..." }` block.
    Config,
    /// `export TF_TOKEN_<host>='...'` for a POSIX shell.
    Env,
    /// `{"host": ..., "token": ..., "expires_at": ...}`.
    Json,
    /// Append TF_TOKEN_<host> to $GITHUB_ENV and mask the token.
    Github,
}

/// Seconds in 1..=60000, the registry's range.
fn token_lifetime(s: &str) -> Result<u64, String> {
    seconds_in(
        s,
        1,
        MAX_EXPIRATION_SECONDS,
        "the registry issues tokens for",
    )
}

/// Seconds in 1..=3600 for a deadline.
fn deadline(s: &str) -> Result<u64, String> {
    seconds_in(s, 1, 3600, "allow")
}

fn seconds_in(s: &str, min: u64, max: u64, what: &str) -> Result<u64, String> {
    match u64::from_str(s) {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("{what} {min} to {max} seconds")),
    }
}

#[derive(Debug, Clone, Args)]
struct TokenArgs {
    /// The registry host, without scheme or path (e.g. registry.example.com), or
    /// ssm:/PARAMETER or stack:STACK/OUTPUT naming it.
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
    #[arg(long, short = 'T', value_name = "SECONDS", value_parser = token_lifetime)]
    time: Option<u64>,
    /// The AWS service to sign for [default: the host's service, else execute-api].
    #[arg(long, value_enum)]
    service: Option<Service>,
    /// Reuse a cached token only while at least this many seconds are left
    /// (never more than half of --time).
    #[arg(long, value_name = "SECONDS", default_value_t = COMMAND_MIN_LEFT)]
    min_remaining: u64,
    /// Always ask the registry; do not read or write the cache.
    #[arg(long)]
    no_cache: bool,
    /// Send the token request to this base URL instead of https://HOST (a tunnel or
    /// private endpoint); also ssm:/PARAMETER or stack:STACK/OUTPUT.
    #[arg(long, value_name = "URL")]
    registry_url: Option<Ref<BaseUrl>>,
    /// Give up on the registry after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = deadline)]
    timeout: u64,
}

impl MintArgs {
    /// A token for `host`, with its settings (these flags and `aws`'s over its entry in
    /// `settings`; `base` is `--registry-url` resolved), from the cache or minted once
    /// for everyone asking.
    fn obtain(
        &self,
        host: &RegistryHost,
        base: Option<&BaseUrl>,
        aws: &AwsArgs,
        settings: &RegistrySettings,
    ) -> Result<IssuedToken, Error> {
        let flags = HostFlags {
            service: self.service,
            registry_url: base.cloned(),
            token_lifetime: self.time,
            ..HostFlags::from_aws(aws)
        };
        let ask = Ask {
            lifetime: |configured| {
                Lifetime::for_command(configured.unwrap_or(COMMAND_LIFETIME), self.min_remaining)
            },
            timeout: Duration::from_secs(self.timeout),
            use_cache: !self.no_cache,
        };
        ask.obtain(host, &flags, settings, aws)
    }
}

/// How a command asks for a token: the lifetime it wants given the one configured for
/// the host, its deadline, whether the cache may answer.
struct Ask<L: FnOnce(Option<u64>) -> Lifetime> {
    lifetime: L,
    timeout: Duration,
    use_cache: bool,
}

impl<L: FnOnce(Option<u64>) -> Lifetime> Ask<L> {
    /// The token for `host`, its settings resolved (`flags` over its entry in
    /// `settings` over the environment).
    fn obtain(
        self,
        host: &RegistryHost,
        flags: &HostFlags,
        settings: &RegistrySettings,
        aws: &AwsArgs,
    ) -> Result<IssuedToken, Error> {
        let config = HostConfig::resolve(flags, settings.get(host), crate::env::var);
        let lifetime = (self.lifetime)(config.token_lifetime.value);
        let request = TokenRequest {
            host: host.clone(),
            base_url: config.registry_url.value.clone(),
            service: config.service.value,
            expiration_seconds: lifetime.request,
            timeout: self.timeout,
        };
        let aws = Aws::new(config.aws_args(aws));
        obtain(&request, &aws, lifetime, self.use_cache)
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
    /// for a single one), for tools that ignore credentials helpers.
    #[command(after_help = "Examples:\n  \
        get-registry-token exec -r registry.example.com -- terragrunt run-all plan\n  \
        get-registry-token exec -r registry.example.com -r modules.example.org -- infracost breakdown --path .")]
    Exec {
        /// A registry host (repeatable); also ssm:/PARAMETER or stack:STACK/OUTPUT.
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

/// The credentials-helper protocol's verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Get,
    Store,
    Forget,
}

impl FromStr for Verb {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "get" => Ok(Verb::Get),
            "store" => Ok(Verb::Store),
            "forget" => Ok(Verb::Forget),
            other => Err(format!(
                "unknown verb {}: the credentials helper answers get, store and forget",
                crate::diag::Quoted(other)
            )),
        }
    }
}

/// Terraform's credentials-helper protocol: `[flags] get|store|forget HOST`. Where a
/// flag is not given, the host's entry in ~/.cdk/registries.json decides, then the
/// defaults.
#[derive(Debug, Clone, Args)]
struct HelperArgs {
    /// The AWS service to sign for [default: the host's service, else execute-api].
    #[arg(long, value_enum)]
    service: Option<Service>,
    /// Lifetime to request for new tokens, in seconds; raised to twice --min-remaining,
    /// because Terraform keeps a token for its whole run [default: the host's
    /// token_lifetime, else 14400].
    #[arg(long, value_name = "SECONDS", value_parser = token_lifetime)]
    expiration_window: Option<u64>,
    /// Hand out a cached token only while at least this many seconds are left.
    #[arg(long, value_name = "SECONDS", default_value_t = HELPER_MIN_LEFT)]
    min_remaining: u64,
    /// A host this helper serves (repeatable), besides those in ~/.cdk/registries.json.
    /// Other hosts get `{}`. With none at all, every host but the public registries is
    /// served.
    #[arg(long = "registry-host", value_name = "HOST")]
    registry_hosts: Vec<RegistryHost>,
    /// Send token requests to this base URL instead of https://HOST [default: the
    /// host's registry_url].
    #[arg(long, value_name = "URL")]
    registry_url: Option<BaseUrl>,
    /// Give up on the registry after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 20, value_parser = deadline)]
    timeout: u64,
    /// get, store or forget.
    #[arg(value_name = "VERB")]
    verb: Verb,
    /// The registry host Terraform asks about.
    #[arg(value_name = "HOST")]
    host: RegistryHost,
}

/// The credentials helper as its own program (`terraform-credentials-NAME`).
#[derive(Debug, Parser)]
#[command(name = "terraform-credentials-aws-credstore", version, long_version = super::LONG_VERSION, about = HELPER_MARKER)]
struct HelperCli {
    #[command(flatten)]
    helper: HelperArgs,
    #[command(flatten)]
    aws: AwsArgs,
}

/// A `credentials_helper` block's `args`, read by the helper's own definition, the one
/// parser of them: what the helper run by Terraform with them would see (Terraform
/// adds the verb and the host; stand-ins take their place). Everything but the hosts
/// and the per-host settings is kept verbatim, whatever this version makes of it.
pub(crate) fn read_block_args(args: &[String]) -> Result<BlockArgs, String> {
    use clap::CommandFactory;
    let argv = std::iter::once("terraform-credentials-helper")
        .chain(args.iter().map(String::as_str))
        .chain(["get", "example.invalid"]);
    let cli = HelperCli::try_parse_from(argv).map_err(|e| super::clap_reason(&e))?;
    // The flags whose values live in the settings file now, by clap id.
    const MOVED: &[&str] = &[
        "registry_hosts",
        "service",
        "expiration_window",
        "registry_url",
        "profile",
        "region",
    ];
    let command = HelperCli::command();
    let mut kept = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let (name, inline) = match arg.strip_prefix("--") {
            Some(flag) => flag
                .split_once('=')
                .map_or((flag, false), |(n, _)| (n, true)),
            None => {
                kept.push(arg.clone());
                continue;
            }
        };
        let Some(def) = command.get_arguments().find(|a| {
            a.get_long() == Some(name) || a.get_all_aliases().is_some_and(|al| al.contains(&name))
        }) else {
            kept.push(arg.clone());
            continue;
        };
        let value = (def.get_action().takes_values() && !inline)
            .then(|| rest.next().cloned())
            .flatten();
        if !MOVED.contains(&def.get_id().as_str()) {
            kept.push(arg.clone());
            kept.extend(value);
        }
    }
    Ok(BlockArgs {
        hosts: cli.helper.registry_hosts,
        settings: HostFlags {
            profile: cli.aws.profile,
            region: cli.aws.region,
            service: cli.helper.service,
            registry_url: cli.helper.registry_url,
            token_lifetime: cli.helper.expiration_window,
        },
        kept,
    })
}

pub fn main() -> ExitCode {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let name = Path::new(&argv0)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.starts_with(HELPER_PREFIX) {
        return super::run(&name, |cli: HelperCli| helper(&cli.helper, &cli.aws));
    }
    super::run(BINARY, run)
}

fn run(cli: Cli) -> Result<ExitStatus, Error> {
    match (cli.command, cli.format) {
        (Some(Command::Forget { registry_host, all }), _) => {
            let host = if all { None } else { registry_host };
            let dropped = TokenCache::open()?.forget(host.as_ref())?;
            note(format_args!("dropped {dropped} cached token(s)"));
            Ok(ExitStatus::Success)
        }
        (Some(Command::CredentialsHelper { helper: args, aws }), _) => helper(&args, &aws),
        (
            Some(Command::Exec {
                registry_hosts,
                mint,
                aws,
                command,
            }),
            _,
        ) => exec(&registry_hosts, &mint, &aws, &command),
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
            &aws,
        ),
        // Without a subcommand, clap requires a format and a host.
        (None, format) => print_token(format.unwrap_or(Format::Token), &cli.token, &cli.aws),
    }
}

fn print_token(format: Format, args: &TokenArgs, aws: &AwsArgs) -> Result<ExitStatus, Error> {
    let Some(host) = args.registry_host.clone() else {
        unreachable!("clap requires --registry-host without a subcommand");
    };
    let settings = RegistrySettings::load_users()?;
    let resolver = Aws::new(aws.clone());
    let (host, base) = runtime()?.block_on(async {
        let host = host.resolve(&resolver).await?;
        Ok::<_, Error>((
            host,
            resolve_url(args.mint.registry_url.as_ref(), &resolver).await?,
        ))
    })?;
    // Check what needs no token before asking for one.
    let var_name = match format {
        Format::Env | Format::Github => Some(host.tf_token_var()?),
        Format::Token | Format::Config | Format::Json => None,
    };
    let issued = args.mint.obtain(&host, base.as_ref(), aws, &settings)?;
    let token = &issued.token;
    match format {
        Format::Token => output::print(SecretFormat::Text, &[Var::secret("token", token)])?,
        Format::Json => {
            let host_text = host.to_string();
            let expires = issued
                .expires_at
                .map(crate::time::rfc3339)
                .unwrap_or_default();
            output::print(
                SecretFormat::Json,
                &[
                    Var::public("host", &host_text),
                    Var::secret("token", token),
                    Var::public("expires_at", &expires),
                ],
            )?
        }
        Format::Env | Format::Github => {
            let name = var_name.unwrap_or_default();
            let fmt = if format == Format::Env {
                SecretFormat::Env
            } else {
                SecretFormat::Github
            };
            output::print(fmt, &[Var::secret(&name, token)])?
        }
        Format::Config => {
            let block = format!(
                "credentials {} {{\n  token = {}\n}}\n",
                hcl_string(&host.to_string()),
                hcl_string(token.expose())
            );
            let mut out = std::io::stdout().lock();
            out.write_all(block.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitStatus::Success)
}

/// A token with enough life left: from the cache (no credentials, no network), else
/// minted once for everyone asking at the same time, then cached.
fn obtain(
    request: &TokenRequest,
    aws: &Aws,
    lifetime: Lifetime,
    use_cache: bool,
) -> Result<IssuedToken, Error> {
    let key = TokenKey::from_env(request.host.clone(), request.service, aws.args());
    let cache = if use_cache {
        match TokenCache::open() {
            Ok(c) => Some(c),
            Err(e) => {
                warn(format_args!("not caching: {}", chain(&e)));
                None
            }
        }
    } else {
        None
    };
    let mint = || async {
        let credentials = aws.credentials().await?;
        let region = aws.region().await?;
        Ok::<Secret, Error>(fetch_token(request, &credentials, &region).await?)
    };
    runtime()?.block_on(get_or_mint(
        cache.as_ref(),
        &key,
        lifetime,
        request.timeout,
        mint,
    ))
}

async fn resolve_url(url: Option<&Ref<BaseUrl>>, aws: &Aws) -> Result<Option<BaseUrl>, Error> {
    match url {
        Some(u) => Ok(Some(u.resolve(aws).await?)),
        None => Ok(None),
    }
}

/// Run `command` with a token for each host in its environment, replacing this process;
/// each host's token is minted with that host's settings.
fn exec(
    hosts: &[Ref<RegistryHost>],
    mint: &MintArgs,
    aws: &AwsArgs,
    command: &[OsString],
) -> Result<ExitStatus, Error> {
    if hosts.len() > 1 && mint.registry_url.is_some() {
        return Err(Error::Usage(
            "--registry-url names one registry: pass it with a single --registry-host (each host's own is in ~/.cdk/registries.json)".into(),
        ));
    }
    let settings = RegistrySettings::load_users()?;
    let resolver = Aws::new(aws.clone());
    let (hosts, base) = runtime()?.block_on(async {
        let mut resolved = Vec::with_capacity(hosts.len());
        for h in hosts {
            resolved.push(h.resolve(&resolver).await?);
        }
        Ok::<_, Error>((
            resolved,
            resolve_url(mint.registry_url.as_ref(), &resolver).await?,
        ))
    })?;
    // Every variable name is checked before any token is asked for.
    let names = hosts
        .iter()
        .map(RegistryHost::tf_token_var)
        .collect::<Result<Vec<_>, _>>()?;
    let mut child = std::process::Command::new(&command[0]);
    child.args(&command[1..]);
    for (host, name) in hosts.iter().zip(&names) {
        let token = mint.obtain(host, base.as_ref(), aws, &settings)?.token;
        if hosts.len() == 1 {
            child.env(TERRAGRUNT_TOKEN_VAR, token.expose());
        }
        child.env(name, token.expose());
    }
    super::exec(child, &command[0])
}

/// Whether the helper serves `host`: one named in its arguments or in the settings
/// file; with neither naming any, every host but the public registries.
fn serves(args: &HelperArgs, settings: &RegistrySettings, host: &RegistryHost) -> bool {
    if args.registry_hosts.is_empty() && settings.is_empty() {
        return !host.is_public();
    }
    args.registry_hosts.contains(host) || settings.get(host).is_some()
}

/// Terraform's credentials-helper protocol.
fn helper(args: &HelperArgs, aws: &AwsArgs) -> Result<ExitStatus, Error> {
    let host = &args.host;
    match args.verb {
        Verb::Get => {
            let settings = RegistrySettings::load_users()?;
            let mut out = std::io::stdout().lock();
            if !serves(args, &settings, host) {
                out.write_all(b"{}\n")?;
                out.flush()?;
                return Ok(ExitStatus::Success);
            }
            let stored = TokenCache::open().ok().and_then(|c| c.get_stored(host));
            let token = match stored {
                Some(stored) => stored.token,
                None => {
                    let flags = HostFlags {
                        service: args.service,
                        registry_url: args.registry_url.clone(),
                        token_lifetime: args.expiration_window,
                        ..HostFlags::from_aws(aws)
                    };
                    let ask = Ask {
                        lifetime: |configured: Option<u64>| {
                            Lifetime::for_helper(
                                configured.unwrap_or(HELPER_LIFETIME),
                                args.min_remaining,
                            )
                        },
                        timeout: Duration::from_secs(args.timeout),
                        use_cache: true,
                    };
                    ask.obtain(host, &flags, &settings, aws)?.token
                }
            };
            let body = serde_json::json!({ "token": token.expose() }).to_string();
            out.write_all(body.as_bytes())?;
            out.write_all(b"\n")?;
            out.flush()?;
        }
        Verb::Store => {
            let input = read_bytes(None, "the token on stdin")?;
            TokenCache::open()?.store(host, &stored_token(&input)?)?;
        }
        Verb::Forget => {
            TokenCache::open()?.forget(Some(host))?;
        }
    }
    Ok(ExitStatus::Success)
}
