//! The arguments of `manage-registry-modules`, and the registry they name resolved.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app::aws_args::AwsArgs;
use crate::app::credentials_helper::deadline;
use crate::app::error::Error;
use crate::app::values::ServiceArg;
use crate::aws::reference::Ref;
use crate::aws::{Aws, AwsSelection};
use crate::http::BaseUrl;
use crate::registry::RegistryHost;
use crate::registry::grants::Namespace;
use crate::registry::modules::api::RegistryApi;
use crate::registry::modules::pack::{DEFAULT_MAX_BYTES, MAX_ARCHIVE_BYTES, PackOptions};
use crate::registry::modules::{ModuleAddress, ModuleName, ModuleVersion};
use crate::registry::settings::{HostFlags, RegistrySettings};
use crate::registry::token_cache::COMMAND_MIN_LEFT;
use crate::registry::tokens::{Asker, Policy, Tokens};

pub(super) const BINARY: &str = "manage-registry-modules";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    long_version = crate::app::cli::LONG_VERSION,
    about = "Pack, publish, list, fetch and unpublish module versions in a private Terraform registry",
    long_about = "Pack, publish, list, fetch and unpublish module versions in a private Terraform registry.\n\n\
        A module version is an archive in a bucket of yours and a record in the registry's table. `publish` \
        packs the folder reproducibly (the same files give the same bytes anywhere), uploads it once under \
        its own SHA-256 (S3 checks the body), records it through the registry's create route or, with \
        --table, in its table, and checks that the registry hands Terraform these very bytes. Publishing a \
        version again with the same files is `unchanged`; with other files it is refused.",
    after_help = "Examples:\n  manage-registry-modules pack modules/vpc --list\n  \
        manage-registry-modules publish modules/vpc -r registry.example.com -n platform --name vpc --system aws --version 1.2.0 --bucket my-modules\n  \
        manage-registry-modules publish modules/vpc -r registry.example.com -n platform --name vpc --system aws --version 1.2.0 --bucket my-modules --table terraform-registry\n  \
        manage-registry-modules publish --manifest modules.json -r registry.example.com -n platform --version 1.2.0 --bucket my-modules\n  \
        manage-registry-modules versions -r registry.example.com -n platform --name vpc --system aws\n  \
        manage-registry-modules download -r registry.example.com -n platform --name vpc --system aws --version 1.2.0 --extract vpc-1.2.0\n  \
        manage-registry-modules unpublish -n platform --name vpc --system aws --version 1.2.0 --table terraform-registry"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
    #[command(flatten)]
    pub(super) aws: AwsArgs,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Make the module's reproducible .tar.gz, or list what would go in (--list).
    Pack(PackArgs),
    /// Publish a module version (or every module a --manifest names) exactly once.
    Publish(Box<PublishArgs>),
    /// List a module's versions, as the registry lists them to Terraform.
    Versions(VersionsArgs),
    /// Fetch a version's archive through the registry's download URL, as Terraform
    /// does, checked against its SHA-256.
    Download(Box<DownloadArgs>),
    /// Remove a version's record from the registry's table (the API has no route for
    /// it); its archive stays unless --delete-object.
    Unpublish(UnpublishArgs),
}

/// What goes into an archive.
#[derive(Debug, Clone, Args)]
pub(super) struct ArchiveFlags {
    /// Leave out what matches this pattern (gitignore syntax; repeatable), after
    /// .terraformignore's rules.
    #[arg(long, value_name = "PATTERN")]
    pub(super) exclude: Vec<String>,
    /// The largest archive made (S3 takes at most 5 GiB in one upload).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BYTES, value_parser = max_size)]
    pub(super) max_size: u64,
}

pub(super) fn max_size(s: &str) -> Result<u64, String> {
    let n: u64 = s
        .parse()
        .map_err(|_| "give a number of bytes, e.g. 1073741824".to_owned())?;
    if n == 0 || n > MAX_ARCHIVE_BYTES {
        return Err(format!(
            "allow 1 to {MAX_ARCHIVE_BYTES} bytes (5 GiB, S3's limit for one upload)"
        ));
    }
    Ok(n)
}

impl ArchiveFlags {
    /// The pack options, with every entry's time from SOURCE_DATE_EPOCH (else 0).
    pub(super) fn options(&self) -> Result<PackOptions, Error> {
        let mtime = match crate::env::var(crate::env::SOURCE_DATE_EPOCH) {
            Some(v) => v.parse().map_err(|_| {
                Error::Usage(format!(
                    "{} is {}, not a number of seconds: set it to a Unix time (e.g. `git log -1 --format=%ct`), or unset it",
                    crate::env::SOURCE_DATE_EPOCH,
                    crate::diag::Quoted(&v)
                ))
            })?,
            None => 0,
        };
        Ok(PackOptions {
            excludes: self.exclude.clone(),
            mtime,
            max_bytes: self.max_size,
        })
    }
}

#[derive(Debug, Args)]
pub(super) struct PackArgs {
    /// The module's folder.
    #[arg(value_name = "DIR")]
    pub(super) dir: PathBuf,
    /// Where to write the archive (`-` for stdout) [default: DIR's name .tar.gz here].
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "list")]
    pub(super) output: Option<PathBuf>,
    /// Print what would go in, what is left out and by which rule, and the size and
    /// SHA-256; write nothing.
    #[arg(long)]
    pub(super) list: bool,
    #[command(flatten)]
    pub(super) archive: ArchiveFlags,
}

/// Where the registry is, and how its tokens are asked for (the host's settings in
/// ~/.cdk/registries.json apply).
#[derive(Debug, Clone, Args)]
pub(super) struct RegistryFlags {
    /// The registry host (e.g. registry.example.com), or a reference naming it:
    /// ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(long, short = 'r', value_name = "HOST")]
    pub(super) registry_host: Ref<RegistryHost>,
    /// Reach the registry at this base URL instead of https://HOST (a tunnel, an API
    /// Gateway stage); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(long, value_name = "URL")]
    pub(super) registry_url: Option<Ref<BaseUrl>>,
    /// The AWS service its tokens are signed for [default: the host's, else execute-api].
    #[arg(long, value_enum)]
    pub(super) service: Option<ServiceArg>,
    /// Give up on the registry (each request) after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = deadline)]
    pub(super) timeout: u64,
}

/// NAMESPACE/NAME/SYSTEM.
#[derive(Debug, Clone, Args)]
pub(super) struct ModuleFlags {
    /// The module's namespace.
    #[arg(long, short = 'n', value_name = "NAMESPACE")]
    pub(super) namespace: Namespace,
    /// The module's name.
    #[arg(long, value_name = "NAME")]
    pub(super) name: ModuleName,
    /// The module's system (Terraform's "provider" part of the address, e.g. aws).
    #[arg(long, value_name = "SYSTEM", value_parser = module_system)]
    pub(super) system: ModuleName,
}

pub(super) fn module_system(s: &str) -> Result<ModuleName, String> {
    ModuleName::system(s).map_err(|e| e.to_string())
}

impl ModuleFlags {
    pub(super) fn address(&self) -> ModuleAddress {
        ModuleAddress {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            system: self.system.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub(super) struct PublishArgs {
    /// The module's folder (not with --manifest).
    #[arg(
        value_name = "DIR",
        required_unless_present = "manifest",
        conflicts_with = "manifest"
    )]
    pub(super) dir: Option<PathBuf>,
    /// A JSON manifest naming many modules of a tree (docs/registry.md): each is
    /// published and reported on its own.
    #[arg(long, value_name = "FILE")]
    pub(super) manifest: Option<PathBuf>,
    #[command(flatten)]
    pub(super) registry: RegistryFlags,
    /// The module's namespace (with --manifest: for the modules that name none).
    #[arg(
        long,
        short = 'n',
        value_name = "NAMESPACE",
        required_unless_present = "manifest"
    )]
    pub(super) namespace: Option<Namespace>,
    /// The module's name.
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "manifest",
        conflicts_with = "manifest"
    )]
    pub(super) name: Option<ModuleName>,
    /// The module's system (e.g. aws).
    #[arg(long, value_name = "SYSTEM", value_parser = module_system, required_unless_present = "manifest", conflicts_with = "manifest")]
    pub(super) system: Option<ModuleName>,
    /// The version, MAJOR.MINOR.PATCH[-PRE] (a leading v is dropped) (with --manifest:
    /// for the modules that name none).
    #[arg(long, value_name = "VERSION", required_unless_present = "manifest")]
    pub(super) version: Option<ModuleVersion>,
    /// The bucket the archive goes into; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(long, value_name = "BUCKET")]
    pub(super) bucket: Ref<String>,
    /// The object key [default: NAMESPACE/NAME/SYSTEM/<the archive's SHA-256>.tar.gz].
    #[arg(long, value_name = "KEY", conflicts_with = "manifest")]
    pub(super) key: Option<String>,
    /// Write the record into the registry's DynamoDB table (as its own code does)
    /// instead of calling its create route (which 0.2.5 fails); also a reference
    /// (ssm:..., stack:..., as --bucket).
    #[arg(long, value_name = "TABLE")]
    pub(super) table: Option<Ref<String>>,
    /// Do not check, after recording, that the registry serves these very bytes.
    #[arg(long)]
    pub(super) no_verify: bool,
    /// Print what would be done (files, SHA-256, key, record) and touch nothing.
    #[arg(long)]
    pub(super) dry_run: bool,
    /// Address the bucket by path (emulators, dotted bucket names).
    #[arg(long)]
    pub(super) path_style: bool,
    /// Output format: one line (or JSON object) per module.
    #[arg(long, value_enum, default_value = "text")]
    pub(super) output: OutputFormat,
    #[command(flatten)]
    pub(super) archive: ArchiveFlags,
}

#[derive(Debug, Args)]
pub(super) struct VersionsArgs {
    #[command(flatten)]
    pub(super) registry: RegistryFlags,
    #[command(flatten)]
    pub(super) module: ModuleFlags,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(super) output: OutputFormat,
}

#[derive(Debug, Args)]
pub(super) struct DownloadArgs {
    #[command(flatten)]
    pub(super) registry: RegistryFlags,
    #[command(flatten)]
    pub(super) module: ModuleFlags,
    /// The version.
    #[arg(long, value_name = "VERSION")]
    pub(super) version: ModuleVersion,
    /// Where to write the archive [default: NAME-VERSION.tar.gz here].
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "extract")]
    pub(super) output: Option<PathBuf>,
    /// Unpack it into this new or empty folder instead (only files and folders, only
    /// inside it).
    #[arg(long, value_name = "DIR")]
    pub(super) extract: Option<PathBuf>,
    /// Check it against the record in the registry's table (else against the SHA-256
    /// S3 stores for it); also a reference (ssm:..., stack:..., as --bucket).
    #[arg(long, value_name = "TABLE")]
    pub(super) table: Option<Ref<String>>,
    /// Address the bucket by path (emulators, dotted bucket names).
    #[arg(long)]
    pub(super) path_style: bool,
    /// The largest archive fetched or unpacked.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BYTES, value_parser = max_size)]
    pub(super) max_size: u64,
}

#[derive(Debug, Args)]
pub(super) struct UnpublishArgs {
    #[command(flatten)]
    pub(super) module: ModuleFlags,
    /// The version.
    #[arg(long, value_name = "VERSION")]
    pub(super) version: ModuleVersion,
    /// The registry's DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(long, value_name = "TABLE")]
    pub(super) table: Ref<String>,
    /// The registry host whose settings (profile, region) apply.
    #[arg(long, short = 'r', value_name = "HOST")]
    pub(super) registry_host: Option<RegistryHost>,
    /// Delete the archive too (kept when another version's record names it).
    #[arg(long)]
    pub(super) delete_object: bool,
    /// Address the bucket by path (emulators, dotted bucket names).
    #[arg(long)]
    pub(super) path_style: bool,
}

/// The host, its registry URL and the AWS selection its settings give, resolved.
pub(super) struct Resolved<'a> {
    pub(super) host: RegistryHost,
    pub(super) flags: HostFlags,
    pub(super) tokens: Tokens<'a>,
    /// The host's AWS selection (its profile and region over the flags').
    pub(super) aws: Aws,
}

pub(super) async fn resolve<'a>(
    registry: &RegistryFlags,
    settings: &'a RegistrySettings,
    aws: &'a AwsSelection,
) -> Result<Resolved<'a>, Error> {
    let resolver = Aws::new(aws.clone());
    let host = registry.registry_host.resolve(&resolver).await?;
    let registry_url = match &registry.registry_url {
        Some(u) => Some(u.resolve(&resolver).await?),
        None => None,
    };
    let flags = HostFlags {
        service: registry.service.map(Into::into),
        registry_url,
        ..HostFlags::from_aws(aws)
    };
    let tokens = Tokens { settings, aws };
    let (_, selection) = tokens.resolve(&host, &flags);
    Ok(Resolved {
        host,
        flags,
        tokens,
        aws: Aws::new(selection),
    })
}

impl Resolved<'_> {
    /// The registry's module API, with a token for it (from the cache when it can).
    pub(super) async fn api(&self, timeout: Duration) -> Result<RegistryApi, Error> {
        let policy = Policy {
            asker: Asker::Command {
                min_remaining: COMMAND_MIN_LEFT,
            },
            timeout,
            use_cache: true,
        };
        let token = self.tokens.issue(&self.host, &self.flags, policy).await?;
        let base = self
            .tokens
            .registry_base(&self.host, &self.flags)
            .map_err(crate::http::HttpError::Url)?;
        Ok(RegistryApi::connect(&self.host, &base, token.token, timeout).await?)
    }
}
