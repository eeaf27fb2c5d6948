//! Terraform's credentials helper as a command line: `[flags] get|store|forget HOST`,
//! run as `terraform-credentials-NAME` or as `get-registry-token credentials-helper`.
//! Its clap definition is the one parser of a helper's arguments, wherever they are
//! read (the installer and the doctor read a CLI config's block with it). The
//! protocol itself is `registry::helper`.

use std::io::Write;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser};

use super::aws_args::AwsArgs;
use super::cli::runtime;
use super::error::Error;
use super::input::read_bytes;
use super::values::ServiceArg;
use crate::exit::ExitStatus;
use crate::http::BaseUrl;
use crate::registry::RegistryHost;
use crate::registry::helper::{self, Verb};
use crate::registry::install::{BlockArgs, HELPER_MARKER};
use crate::registry::settings::{HostFlags, RegistrySettings};
use crate::registry::token::MAX_EXPIRATION_SECONDS;
use crate::registry::token_cache::HELPER_MIN_LEFT;
use crate::registry::tokens::{Asker, Policy, Tokens};

/// Seconds in `min..=max`, said as "`what` MIN to MAX seconds" when not.
pub(super) fn seconds_in(s: &str, min: u64, max: u64, what: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("{what} {min} to {max} seconds")),
    }
}

/// A token lifetime: 1 to 60000 seconds, the registry's range.
pub(super) fn token_lifetime(s: &str) -> Result<u64, String> {
    seconds_in(
        s,
        1,
        MAX_EXPIRATION_SECONDS,
        "the registry issues tokens for",
    )
}

/// A deadline: 1 to 3600 seconds.
pub(super) fn deadline(s: &str) -> Result<u64, String> {
    seconds_in(s, 1, 3600, "allow")
}

/// Terraform's credentials-helper protocol: `[flags] get|store|forget HOST`. Where a
/// flag is not given, the host's entry in ~/.cdk/registries.json decides, then the
/// defaults.
#[derive(Debug, Clone, Args)]
pub(super) struct HelperArgs {
    /// The AWS service to sign for [default: the host's service, else execute-api].
    #[arg(long, value_enum)]
    service: Option<ServiceArg>,
    /// Lifetime to request for new tokens, in seconds; raised to twice --min-remaining,
    /// because Terraform keeps a token for its whole run [default: the host's
    /// token_lifetime, else 14400].
    #[arg(long, alias = "expiration-window", value_name = "SECONDS", value_parser = token_lifetime)]
    token_lifetime: Option<u64>,
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
#[command(name = "terraform-credentials-aws-credstore", version, long_version = super::cli::LONG_VERSION, about = HELPER_MARKER)]
pub(super) struct HelperCli {
    #[command(flatten)]
    pub(super) helper: HelperArgs,
    #[command(flatten)]
    pub(super) aws: AwsArgs,
}

impl HelperArgs {
    /// The helper's arguments as settings for the host, over its entry in the file.
    fn flags(&self, aws: &AwsArgs) -> HostFlags {
        HostFlags {
            service: self.service.map(Into::into),
            registry_url: self.registry_url.clone(),
            token_lifetime: self.token_lifetime,
            ..HostFlags::from_aws(&aws.selection())
        }
    }
}

/// A `credentials_helper` block's `args`, read by the helper's own definition, the one
/// parser of them: what the helper run by Terraform with them would see (Terraform
/// adds the verb and the host; stand-ins take their place). Everything but the hosts
/// and the per-host settings is kept verbatim, whatever this version makes of it.
pub(crate) fn read_block_args(args: &[String]) -> Result<BlockArgs, String> {
    let argv = std::iter::once("terraform-credentials-helper")
        .chain(args.iter().map(String::as_str))
        .chain(["get", "example.invalid"]);
    let cli = HelperCli::try_parse_from(argv).map_err(|e| super::cli::clap_reason(&e))?;
    // The flags whose values live in the settings file now, by clap id.
    const MOVED: &[&str] = &[
        "registry_hosts",
        "service",
        "token_lifetime",
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
    let settings = cli.helper.flags(&cli.aws);
    Ok(BlockArgs {
        hosts: cli.helper.registry_hosts,
        settings,
        kept,
    })
}

/// Answer Terraform: the verb's answer on stdout, nothing else.
pub(super) fn run(args: &HelperArgs, aws: &AwsArgs) -> Result<ExitStatus, Error> {
    let host = &args.host;
    match args.verb {
        Verb::Get => {
            let settings = RegistrySettings::load_users()?;
            let selection = aws.selection();
            let tokens = Tokens {
                settings: &settings,
                aws: &selection,
            };
            let policy = Policy {
                asker: Asker::Helper {
                    min_remaining: args.min_remaining,
                },
                timeout: Duration::from_secs(args.timeout),
                use_cache: true,
            };
            let answer = runtime()?.block_on(helper::get(
                &tokens,
                &args.registry_hosts,
                host,
                &args.flags(aws),
                policy,
            ))?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", answer.to_json())?;
            out.flush()?;
        }
        Verb::Store => helper::store(host, &read_bytes(None, "the token on stdin")?)?,
        Verb::Forget => helper::forget(host)?,
    }
    Ok(ExitStatus::Success)
}
