//! `get-registry-token`: a cached, SigV4-authenticated registry token for shells, CI
//! and Terraform; also Terraform's credentials helper (as `terraform-credentials-*`
//! or `get-registry-token credentials-helper`).

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::aws::{Aws, AwsArgs};
use crate::cache::now_unix;
use crate::exit::{ExitStatus, user_error, warn};
use crate::output::{self, SecretFormat, Var};
use crate::registry::cliconfig::hcl_string;
use crate::registry::token::MAX_EXPIRATION_SECONDS;
use crate::registry::{RegistryHost, Service, TokenCache, TokenKey, TokenRequest, fetch_token};
use crate::secret::Secret;

const BINARY: &str = "get-registry-token";
/// Executables named like this are Terraform credentials helpers.
pub const HELPER_PREFIX: &str = "terraform-credentials-";

/// The helper's description; also how the installer recognises a helper it installed.
pub const HELPER_ABOUT: &str =
    "Terraform credentials helper for a private module registry (cdk-toolkit)";

/// Public registries that never get a signed request from the helper.
const PUBLIC_REGISTRIES: &[&str] = &[
    "registry.terraform.io",
    "registry.opentofu.org",
    "app.terraform.io",
];

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
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
pub struct Cli {
    /// What to print.
    #[arg(value_enum, required = true)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub token: TokenArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
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

#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// The registry host, without scheme or path (e.g. registry.example.com).
    #[arg(long, short = 'r', value_name = "HOST")]
    pub registry_host: Option<String>,
    /// Lifetime to request for a new token, in seconds (the registry allows up to 60000).
    #[arg(long, short = 'T', value_name = "SECONDS", default_value_t = 3600)]
    pub time: u64,
    /// The AWS service to sign for.
    #[arg(long, value_enum, default_value = "execute-api")]
    pub service: Service,
    /// Reuse a cached token only while at least this many seconds are left
    /// (never more than half of --time).
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub min_remaining: u64,
    /// Always ask the registry; do not read or write the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Send the token request to this base URL instead of https://HOST (a tunnel or private endpoint).
    #[arg(long, value_name = "URL")]
    pub registry_url: Option<reqwest::Url>,
    /// Give up on the registry after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Drop cached and stored tokens for a host (or every host with --all).
    Forget {
        /// The registry host whose tokens to drop.
        #[arg(
            long,
            short = 'r',
            value_name = "HOST",
            required_unless_present = "all"
        )]
        registry_host: Option<String>,
        /// Drop every cached registry token.
        #[arg(long, conflicts_with = "registry_host")]
        all: bool,
    },
    /// Answer Terraform's credentials-helper protocol (get/store/forget HOST).
    CredentialsHelper(HelperArgs),
}

/// Terraform's credentials-helper protocol: `[flags] get|store|forget HOST`.
#[derive(Debug, Clone, Args)]
pub struct HelperArgs {
    /// The AWS service to sign for.
    #[arg(long, value_enum, default_value = "execute-api")]
    pub service: Service,
    /// Lifetime to request for new tokens, in seconds; raised to twice --min-remaining,
    /// because Terraform keeps a token for its whole run.
    #[arg(long, value_name = "SECONDS", default_value_t = 14_400)]
    pub expiration_window: u64,
    /// Hand out a cached token only while at least this many seconds are left.
    #[arg(long, value_name = "SECONDS", default_value_t = 7_200)]
    pub min_remaining: u64,
    /// A host this helper serves (repeatable). Other hosts get `{}`. Without any,
    /// every host but the public registries is served.
    #[arg(long = "registry-host", value_name = "HOST")]
    pub registry_hosts: Vec<String>,
    /// Send token requests to this base URL instead of https://HOST.
    #[arg(long, value_name = "URL")]
    pub registry_url: Option<reqwest::Url>,
    /// Give up on the registry after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub timeout: u64,
    /// get, store or forget.
    #[arg(value_name = "VERB")]
    pub verb: String,
    /// The registry host Terraform asks about.
    #[arg(value_name = "HOST")]
    pub host: String,
}

/// The credentials helper as its own program (`terraform-credentials-NAME`).
#[derive(Debug, Parser)]
#[command(
    name = "terraform-credentials-aws-credstore",
    version,
    about = "Terraform credentials helper for a private module registry"
)]
pub struct HelperCli {
    #[command(flatten)]
    pub helper: HelperArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

pub fn main() -> ExitCode {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let name = Path::new(&argv0)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name.strip_suffix(".exe").unwrap_or(&name).to_owned();
    if name.starts_with(HELPER_PREFIX) {
        let binary = name.clone();
        return crate::exit::run(&binary, || {
            let cli = HelperCli::parse();
            helper(&cli.helper, Aws::new(cli.aws))
        });
    }
    crate::exit::run(BINARY, || {
        let cli = Cli::parse();
        run(cli)
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Some(Command::Forget { registry_host, all }) => {
            let host = if all {
                None
            } else {
                registry_host
                    .as_deref()
                    .map(RegistryHost::parse)
                    .transpose()?
            };
            let dropped = TokenCache::open()?.forget(host.as_ref())?;
            crate::exit::note(format_args!("dropped {dropped} cached token(s)"));
            Ok(ExitStatus::Success)
        }
        Some(Command::CredentialsHelper(args)) => helper(&args, Aws::new(cli.aws)),
        None => {
            let format = cli
                .format
                .ok_or_else(|| user_error("name an output: token, config, env, json or github"))?;
            print_token(format, &cli.token, cli.aws)
        }
    }
}

fn print_token(format: Format, args: &TokenArgs, aws: AwsArgs) -> anyhow::Result<ExitStatus> {
    let host = args.registry_host.as_deref().ok_or_else(|| {
        user_error(
            "no registry host given: pass --registry-host HOST (e.g. -r registry.example.com)",
        )
    })?;
    let host = RegistryHost::parse(host)?;
    if args.time == 0 || args.time > MAX_EXPIRATION_SECONDS {
        return Err(user_error(format!(
            "--time {} is out of range: the registry issues tokens for 1 to {MAX_EXPIRATION_SECONDS} seconds",
            args.time
        )));
    }
    // Check what needs no token before asking for one.
    let var_name = match format {
        Format::Env | Format::Github => Some(host.tf_token_var()?),
        _ => None,
    };
    let policy = Lifetime {
        request: args.time,
        min_left: args.min_remaining.min(args.time / 2),
    };
    let request = TokenRequest {
        host: host.clone(),
        base_url: args.registry_url.clone(),
        service: args.service,
        expiration_seconds: args.time,
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    let aws = Aws::new(aws);
    let (token, expires_at) = obtain(&request, &aws, policy, !args.no_cache)?;
    match format {
        Format::Token => output::print(SecretFormat::Text, &[Var::secret("token", &token)])?,
        Format::Json => {
            let host_text = host.to_string();
            let expires = expires_at.map(crate::time::rfc3339).unwrap_or_default();
            output::print(
                SecretFormat::Json,
                &[
                    Var::public("host", &host_text),
                    Var::secret("token", &token),
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
            output::print(fmt, &[Var::secret(&name, &token)])?
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

/// How long tokens live and how much life a handed-out token must have left.
#[derive(Debug, Clone, Copy)]
struct Lifetime {
    request: u64,
    min_left: u64,
}

/// A token from the cache when one has enough life left, else a fresh one from the
/// registry (then cached). The cache path resolves no AWS credentials.
fn obtain(
    request: &TokenRequest,
    aws: &Aws,
    policy: Lifetime,
    use_cache: bool,
) -> anyhow::Result<(Secret, Option<u64>)> {
    let key = TokenKey::from_env(request.host.clone(), request.service, aws.args());
    let cache = if use_cache {
        match TokenCache::open() {
            Ok(c) => Some(c),
            Err(e) => {
                warn(format_args!("{e}; not caching"));
                None
            }
        }
    } else {
        None
    };
    if let Some(hit) = cache
        .as_ref()
        .and_then(|c| c.get(&key, policy.min_left, now_unix()))
    {
        return Ok((hit.token, hit.expires_at));
    }
    let runtime = crate::exit::runtime()?;
    let issued_at = now_unix();
    let token = runtime.block_on(async {
        let credentials = aws.credentials().await?;
        let region = aws.region().await?;
        fetch_token(request, &credentials, &region).await
    })?;
    let expires_at = issued_at + policy.request;
    if let Some(Err(e)) = cache
        .as_ref()
        .map(|c| c.put(&key, &token, issued_at, expires_at))
    {
        warn(format_args!("could not cache the token: {e:#}"));
    }
    Ok((token, Some(expires_at)))
}

fn serves(args: &HelperArgs, host: &RegistryHost) -> anyhow::Result<bool> {
    if args.registry_hosts.is_empty() {
        return Ok(!PUBLIC_REGISTRIES.contains(&host.to_string().as_str()));
    }
    for h in &args.registry_hosts {
        if &RegistryHost::parse(h)? == host {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Terraform's credentials-helper protocol.
fn helper(args: &HelperArgs, aws: Aws) -> anyhow::Result<ExitStatus> {
    let verb = args.verb.as_str();
    if !matches!(verb, "get" | "store" | "forget") {
        return Err(user_error(format!(
            "unknown verb {verb:?}: the credentials helper answers get, store and forget"
        )));
    }
    let host = RegistryHost::parse(&args.host)?;
    match verb {
        "get" => {
            let mut out = std::io::stdout().lock();
            if !serves(args, &host)? {
                out.write_all(b"{}\n")?;
                out.flush()?;
                return Ok(ExitStatus::Success);
            }
            let cache = TokenCache::open().ok();
            let token = match cache.as_ref().and_then(|c| c.get_stored(&host)) {
                Some(stored) => stored.token,
                None => {
                    let window = args
                        .expiration_window
                        .max(args.min_remaining.saturating_mul(2))
                        .min(MAX_EXPIRATION_SECONDS);
                    let policy = Lifetime {
                        request: window,
                        min_left: args.min_remaining.min(window / 2),
                    };
                    let request = TokenRequest {
                        host: host.clone(),
                        base_url: args.registry_url.clone(),
                        service: args.service,
                        expiration_seconds: window,
                        timeout: Duration::from_secs(args.timeout.max(1)),
                    };
                    obtain(&request, &aws, policy, true)?.0
                }
            };
            let body = serde_json::json!({ "token": token.expose() }).to_string();
            out.write_all(body.as_bytes())?;
            out.write_all(b"\n")?;
            out.flush()?;
        }
        "store" => {
            let mut input = Vec::new();
            std::io::stdin().read_to_end(&mut input)?;
            let object: serde_json::Value = serde_json::from_slice(&input)
                .map_err(|e| user_error(format!("store expects a JSON object on stdin: {e}")))?;
            let token = object
                .get("token")
                .and_then(|t| t.as_str())
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    user_error("store expects a JSON object with a \"token\" string on stdin")
                })?;
            TokenCache::open()?.store(&host, &Secret::new(token))?;
        }
        _ => {
            TokenCache::open()?.forget(Some(&host))?;
        }
    }
    Ok(ExitStatus::Success)
}
