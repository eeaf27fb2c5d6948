//! `manage-registry-modules`: pack a module folder into a reproducible archive, publish
//! versions to the private registry exactly once, list and fetch them as Terraform
//! does, and unpublish them.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::json;

use super::aws_args::AwsArgs;
use super::cli::runtime;
use super::credentials_helper::deadline;
use super::error::Error;
use super::progress::Progress;
use super::values::ServiceArg;
use crate::aws::reference::Ref;
use crate::aws::{Aws, AwsSelection};
use crate::diag::{note, warn};
use crate::exit::ExitStatus;
use crate::http::BaseUrl;
use crate::registry::RegistryHost;
use crate::registry::grants::Namespace;
use crate::registry::modules::api::RegistryApi;
use crate::registry::modules::extract::extract;
use crate::registry::modules::manifest::parse_manifest;
use crate::registry::modules::pack::{
    Archive, Contents, DEFAULT_MAX_BYTES, MAX_ARCHIVE_BYTES, PackOptions, collect, write_archive,
};
use crate::registry::modules::publish::{
    Prepared, Publication, Register, Status, beside, hex_of, prepare, publish,
};
use crate::registry::modules::record::{ModuleRecord, ModuleTable};
use crate::registry::modules::upload::{Uploaded, delete, stored_checksum};
use crate::registry::modules::{ModuleAddress, ModuleName, ModuleVersion, ModulesError};
use crate::registry::settings::{HostFlags, RegistrySettings};
use crate::registry::token_cache::COMMAND_MIN_LEFT;
use crate::registry::tokens::{Asker, Policy, Tokens};
use crate::tally::Tally;

const BINARY: &str = "manage-registry-modules";

#[derive(Debug, Parser)]
#[command(
    name = BINARY,
    version,
    long_version = super::cli::LONG_VERSION,
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
    command: Command,
    #[command(flatten)]
    aws: AwsArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
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
struct ArchiveFlags {
    /// Leave out what matches this pattern (gitignore syntax; repeatable), after
    /// .terraformignore's rules.
    #[arg(long, value_name = "PATTERN")]
    exclude: Vec<String>,
    /// The largest archive made (S3 takes at most 5 GiB in one upload).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BYTES, value_parser = max_size)]
    max_size: u64,
}

fn max_size(s: &str) -> Result<u64, String> {
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
    fn options(&self) -> Result<PackOptions, Error> {
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
struct PackArgs {
    /// The module's folder.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// Where to write the archive (`-` for stdout) [default: DIR's name .tar.gz here].
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "list")]
    output: Option<PathBuf>,
    /// Print what would go in, what is left out and by which rule, and the size and
    /// SHA-256; write nothing.
    #[arg(long)]
    list: bool,
    #[command(flatten)]
    archive: ArchiveFlags,
}

/// Where the registry is, and how its tokens are asked for (the host's settings in
/// ~/.cdk/registries.json apply).
#[derive(Debug, Clone, Args)]
struct RegistryFlags {
    /// The registry host (e.g. registry.example.com), or a reference naming it:
    /// ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(long, short = 'r', value_name = "HOST")]
    registry_host: Ref<RegistryHost>,
    /// Reach the registry at this base URL instead of https://HOST (a tunnel, an API
    /// Gateway stage); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(long, value_name = "URL")]
    registry_url: Option<Ref<BaseUrl>>,
    /// The AWS service its tokens are signed for [default: the host's, else execute-api].
    #[arg(long, value_enum)]
    service: Option<ServiceArg>,
    /// Give up on the registry (each request) after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = deadline)]
    timeout: u64,
}

/// NAMESPACE/NAME/SYSTEM.
#[derive(Debug, Clone, Args)]
struct ModuleFlags {
    /// The module's namespace.
    #[arg(long, short = 'n', value_name = "NAMESPACE")]
    namespace: Namespace,
    /// The module's name.
    #[arg(long, value_name = "NAME")]
    name: ModuleName,
    /// The module's system (Terraform's "provider" part of the address, e.g. aws).
    #[arg(long, value_name = "SYSTEM", value_parser = module_system)]
    system: ModuleName,
}

fn module_system(s: &str) -> Result<ModuleName, String> {
    ModuleName::system(s).map_err(|e| e.to_string())
}

impl ModuleFlags {
    fn address(&self) -> ModuleAddress {
        ModuleAddress {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            system: self.system.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
struct PublishArgs {
    /// The module's folder (not with --manifest).
    #[arg(
        value_name = "DIR",
        required_unless_present = "manifest",
        conflicts_with = "manifest"
    )]
    dir: Option<PathBuf>,
    /// A JSON manifest naming many modules of a tree (docs/registry.md): each is
    /// published and reported on its own.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    #[command(flatten)]
    registry: RegistryFlags,
    /// The module's namespace (with --manifest: for the modules that name none).
    #[arg(
        long,
        short = 'n',
        value_name = "NAMESPACE",
        required_unless_present = "manifest"
    )]
    namespace: Option<Namespace>,
    /// The module's name.
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "manifest",
        conflicts_with = "manifest"
    )]
    name: Option<ModuleName>,
    /// The module's system (e.g. aws).
    #[arg(long, value_name = "SYSTEM", value_parser = module_system, required_unless_present = "manifest", conflicts_with = "manifest")]
    system: Option<ModuleName>,
    /// The version, MAJOR.MINOR.PATCH[-PRE] (a leading v is dropped) (with --manifest:
    /// for the modules that name none).
    #[arg(long, value_name = "VERSION", required_unless_present = "manifest")]
    version: Option<ModuleVersion>,
    /// The bucket the archive goes into; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(long, value_name = "BUCKET")]
    bucket: Ref<String>,
    /// The object key [default: NAMESPACE/NAME/SYSTEM/<the archive's SHA-256>.tar.gz].
    #[arg(long, value_name = "KEY", conflicts_with = "manifest")]
    key: Option<String>,
    /// Write the record into the registry's DynamoDB table (as its own code does)
    /// instead of calling its create route (which 0.2.5 fails); also a reference
    /// (ssm:..., stack:..., as --bucket).
    #[arg(long, value_name = "TABLE")]
    table: Option<Ref<String>>,
    /// Do not check, after recording, that the registry serves these very bytes.
    #[arg(long)]
    no_verify: bool,
    /// Print what would be done (files, SHA-256, key, record) and touch nothing.
    #[arg(long)]
    dry_run: bool,
    /// Address the bucket by path (emulators, dotted bucket names).
    #[arg(long)]
    path_style: bool,
    /// Output format: one line (or JSON object) per module.
    #[arg(long, value_enum, default_value = "text")]
    output: OutputFormat,
    #[command(flatten)]
    archive: ArchiveFlags,
}

#[derive(Debug, Args)]
struct VersionsArgs {
    #[command(flatten)]
    registry: RegistryFlags,
    #[command(flatten)]
    module: ModuleFlags,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    output: OutputFormat,
}

#[derive(Debug, Args)]
struct DownloadArgs {
    #[command(flatten)]
    registry: RegistryFlags,
    #[command(flatten)]
    module: ModuleFlags,
    /// The version.
    #[arg(long, value_name = "VERSION")]
    version: ModuleVersion,
    /// Where to write the archive [default: NAME-VERSION.tar.gz here].
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "extract")]
    output: Option<PathBuf>,
    /// Unpack it into this new or empty folder instead (only files and folders, only
    /// inside it).
    #[arg(long, value_name = "DIR")]
    extract: Option<PathBuf>,
    /// Check it against the record in the registry's table (else against the SHA-256
    /// S3 stores for it); also a reference (ssm:..., stack:..., as --bucket).
    #[arg(long, value_name = "TABLE")]
    table: Option<Ref<String>>,
    /// Address the bucket by path (emulators, dotted bucket names).
    #[arg(long)]
    path_style: bool,
    /// The largest archive fetched or unpacked.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BYTES, value_parser = max_size)]
    max_size: u64,
}

#[derive(Debug, Args)]
struct UnpublishArgs {
    #[command(flatten)]
    module: ModuleFlags,
    /// The version.
    #[arg(long, value_name = "VERSION")]
    version: ModuleVersion,
    /// The registry's DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT.
    #[arg(long, value_name = "TABLE")]
    table: Ref<String>,
    /// The registry host whose settings (profile, region) apply.
    #[arg(long, short = 'r', value_name = "HOST")]
    registry_host: Option<RegistryHost>,
    /// Delete the archive too (kept when another version's record names it).
    #[arg(long)]
    delete_object: bool,
    /// Address the bucket by path (emulators, dotted bucket names).
    #[arg(long)]
    path_style: bool,
}

pub fn main(args: Vec<std::ffi::OsString>) -> ExitCode {
    super::cli::run(BINARY, args, run)
}

fn run(cli: Cli) -> Result<ExitStatus, Error> {
    let aws = cli.aws.selection();
    match cli.command {
        Command::Pack(args) => pack(&args),
        Command::Publish(args) => runtime()?.block_on(publish_all(&args, &aws)),
        Command::Versions(args) => runtime()?.block_on(versions(&args, &aws)),
        Command::Download(args) => runtime()?.block_on(download(&args, &aws)),
        Command::Unpublish(args) => runtime()?.block_on(unpublish(&args, &aws)),
    }
}

/// Counting files while an archive is made, on a terminal.
fn files_progress() -> Progress {
    Progress::new("files")
}

fn pack(args: &PackArgs) -> Result<ExitStatus, Error> {
    let options = args.archive.options()?;
    let contents = collect(&args.dir, &options).map_err(ModulesError::from)?;
    let mut out = std::io::stdout().lock();
    if args.list {
        let archive =
            write_archive(&contents, &options, std::io::sink(), &()).map_err(ModulesError::from)?;
        print_listing(&mut out, &contents, &archive)?;
        return Ok(ExitStatus::Success);
    }
    let target = match &args.output {
        Some(p) if p.as_os_str() == "-" => {
            if out.is_terminal() {
                return Err(Error::Usage(
                    "stdout is a terminal: redirect it, or name a file with --output".into(),
                ));
            }
            let archive = write_archive(&contents, &options, &mut out, &files_progress())
                .map_err(ModulesError::from)?;
            out.flush()?;
            note(format_args!(
                "{} bytes, sha256 {}",
                archive.size,
                archive.sha256_hex()
            ));
            return Ok(ExitStatus::Success);
        }
        Some(p) => p.clone(),
        None => PathBuf::from(format!("{}.tar.gz", folder_name(&args.dir))),
    };
    let mut buffer = Vec::new();
    let archive = write_archive(&contents, &options, &mut buffer, &files_progress())
        .map_err(ModulesError::from)?;
    crate::fsutil::replace(&target, &buffer, crate::fsutil::Ownership::mine(0o644)).map_err(
        |source| Error::Input {
            what: format!("{} (writing it)", target.display()),
            source,
        },
    )?;
    writeln!(
        out,
        "{}  {} bytes  sha256 {}",
        target.display(),
        archive.size,
        archive.sha256_hex()
    )?;
    Ok(ExitStatus::Success)
}

/// The last part of `dir` (its real name for `.`).
fn folder_name(dir: &Path) -> String {
    dir.canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "module".to_owned())
}

fn print_listing(
    out: &mut impl Write,
    contents: &Contents,
    archive: &Archive,
) -> std::io::Result<()> {
    for f in &contents.files {
        writeln!(out, "{}", f.path)?;
    }
    for l in &contents.left_out {
        writeln!(out, "left out: {} (rule {}, {})", l.path, l.rule, l.source)?;
    }
    let bytes: u64 = contents.files.iter().map(|f| f.size).sum();
    writeln!(
        out,
        "{} files, {bytes} bytes; the archive: {} bytes, sha256 {}",
        contents.files.len(),
        archive.size,
        archive.sha256_hex()
    )?;
    out.flush()
}

/// The host, its registry URL and the AWS selection its settings give, resolved.
struct Resolved<'a> {
    host: RegistryHost,
    flags: HostFlags,
    tokens: Tokens<'a>,
    /// The host's AWS selection (its profile and region over the flags').
    aws: Aws,
}

async fn resolve<'a>(
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
    async fn api(&self, timeout: Duration) -> Result<RegistryApi, Error> {
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

/// The module versions one `publish` publishes: the one named, or the manifest's.
fn publications(args: &PublishArgs) -> Result<Vec<Publication>, Error> {
    let Some(manifest) = &args.manifest else {
        let (Some(dir), Some(namespace), Some(name), Some(system), Some(version)) = (
            &args.dir,
            &args.namespace,
            &args.name,
            &args.system,
            &args.version,
        ) else {
            unreachable!("clap requires them without --manifest");
        };
        return Ok(vec![Publication {
            dir: dir.clone(),
            address: ModuleAddress {
                namespace: namespace.clone(),
                name: name.clone(),
                system: system.clone(),
            },
            version: version.clone(),
        }]);
    };
    let text = crate::fsutil::read_regular(manifest, 1024 * 1024)
        .map_err(|source| Error::Input {
            what: manifest.display().to_string(),
            source,
        })?
        .ok_or_else(|| {
            Error::Usage(format!(
                "{} does not exist: name the manifest's file",
                manifest.display()
            ))
        })?;
    let entries = parse_manifest(&String::from_utf8_lossy(&text))
        .map_err(|e| Error::Usage(format!("{}: {e}", manifest.display())))?;
    entries
        .into_iter()
        .map(|e| {
            let namespace = e
                .namespace
                .or_else(|| args.namespace.clone())
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "{}: module {} names no namespace: give it one, or pass --namespace",
                        manifest.display(),
                        e.path
                    ))
                })?;
            let version = e.version.or_else(|| args.version.clone()).ok_or_else(|| {
                Error::Usage(format!(
                    "{}: module {} names no version: give it one, or pass --version",
                    manifest.display(),
                    e.path
                ))
            })?;
            Ok(Publication {
                dir: beside(manifest, &e.path),
                address: ModuleAddress {
                    namespace,
                    name: e.name,
                    system: e.system,
                },
                version,
            })
        })
        .collect()
}

async fn publish_all(args: &PublishArgs, aws: &AwsSelection) -> Result<ExitStatus, Error> {
    let publications = publications(args)?;
    let options = args.archive.options()?;
    let settings = RegistrySettings::load_users()?;
    let resolved = resolve(&args.registry, &settings, aws).await?;
    let bucket = args.bucket.resolve(&resolved.aws).await?;
    let table = match &args.table {
        Some(t) => Some(t.resolve(&resolved.aws).await?),
        None => None,
    };
    let mut prepared = Vec::with_capacity(publications.len());
    for p in &publications {
        let progress = files_progress();
        let one = prepare(p, &options, &bucket, args.key.as_deref(), &progress);
        progress.finish();
        prepared.push(one);
    }
    let mut out = std::io::stdout().lock();
    if args.dry_run {
        let mut status = ExitStatus::Success;
        for (p, one) in publications.iter().zip(&prepared) {
            match one {
                Ok(one) => print_plan(&mut out, args, p, one, table.as_deref(), &resolved.host)?,
                Err(e) => status = report_failure(args, p, e, status)?,
            }
        }
        return Ok(status);
    }
    let timeout = Duration::from_secs(args.registry.timeout);
    let needs_api = table.is_none() || !args.no_verify;
    let api = if needs_api && prepared.iter().any(Result::is_ok) {
        Some(resolved.api(timeout).await?)
    } else {
        None
    };
    let s3 = resolved.aws.s3(args.path_style).await?;
    let dynamodb = match &table {
        Some(name) => Some(ModuleTable::new(resolved.aws.dynamodb().await?, name)),
        None => None,
    };
    let mut status = ExitStatus::Success;
    for (p, one) in publications.iter().zip(prepared) {
        let result = match one {
            Ok(one) => {
                let register = match (&dynamodb, &api) {
                    (Some(table), _) => Register::Table(table),
                    (None, Some(api)) => Register::Api(api),
                    (None, None) => unreachable!("the API is asked for without --table"),
                };
                let verify = api.as_ref().filter(|_| !args.no_verify);
                publish(
                    p,
                    &one,
                    &s3,
                    register,
                    verify,
                    upload_progress(one.archive.size),
                )
                .await
                .map(|outcome| (one, outcome))
            }
            Err(e) => Err(e),
        };
        match result {
            Ok((one, (done, uploaded))) => print_outcome(&mut out, args, p, &one, done, uploaded)?,
            Err(e) if publications.len() == 1 => return Err(e.into()),
            Err(e) => status = report_failure(args, p, &e, status)?,
        }
    }
    Ok(status)
}

/// A bar of bytes sent, for an upload large enough to watch.
fn upload_progress(size: u64) -> Arc<dyn Tally + Send + Sync> {
    if size >= 4 * 1024 * 1024 {
        Arc::new(Progress::new("bytes"))
    } else {
        Arc::new(())
    }
}

/// One module of many failed: said on its own line (stderr, or stdout's JSON), the
/// others go on; the command's status is the first failure's.
fn report_failure(
    args: &PublishArgs,
    p: &Publication,
    e: &ModulesError,
    status: ExitStatus,
) -> Result<ExitStatus, Error> {
    let message = crate::exit::chain(e).to_string();
    if args.output == OutputFormat::Json {
        let line = json!({
            "module": p.address.path(),
            "version": p.version.as_str(),
            "status": "failed",
            "error": message,
        });
        writeln!(std::io::stdout().lock(), "{line}")?;
    }
    crate::exit::print_error(
        BINARY,
        format_args!("{} {}: {message}", p.address, p.version),
    );
    Ok(if status == ExitStatus::Success {
        super::error::modules_status(e)
    } else {
        status
    })
}

fn print_plan(
    out: &mut impl Write,
    args: &PublishArgs,
    p: &Publication,
    one: &Prepared,
    table: Option<&str>,
    host: &RegistryHost,
) -> Result<(), Error> {
    let record = one.record();
    let files: Vec<&str> = one.contents.files.iter().map(|f| f.path.as_str()).collect();
    if args.output == OutputFormat::Json {
        let register = match table {
            Some(t) => json!({"table": t, "item": record_json(p, &record)}),
            None => json!({
                "create": format!("POST https://{host}/<modules API>/{}/{}/create", p.address, p.version),
                "body": {"bucket": record.bucket, "key": record.key, "expected_checksum": record.expected_checksum},
            }),
        };
        let plan = json!({
            "module": p.address.path(),
            "version": p.version.as_str(),
            "status": "dry-run",
            "sha256": one.archive.sha256_hex(),
            "size": one.archive.size,
            "bucket": one.bucket,
            "key": one.key,
            "files": files,
            "record": register,
        });
        writeln!(out, "{plan}")?;
        return Ok(());
    }
    writeln!(out, "would publish {} {}", p.address, p.version)?;
    writeln!(out, "  files    {} ({})", files.len(), files.join(", "))?;
    writeln!(
        out,
        "  archive  {} bytes, sha256 {}",
        one.archive.size,
        one.archive.sha256_hex()
    )?;
    writeln!(
        out,
        "  upload   s3://{}/{} (one PutObject with x-amz-checksum-sha256 {}, If-None-Match: *)",
        one.bucket, one.key, record.expected_checksum
    )?;
    match table {
        Some(t) => writeln!(
            out,
            "  record   DynamoDB PutItem into {t}, unless the version has one: {}",
            record_json(p, &record)
        )?,
        None => writeln!(
            out,
            "  record   POST the registry's create route for {}/{} with {}",
            p.address,
            p.version,
            json!({"bucket": record.bucket, "key": record.key, "expected_checksum": record.expected_checksum})
        )?,
    }
    if !args.no_verify {
        writeln!(
            out,
            "  verify   {host} lists {} and serves an archive with this SHA-256",
            p.version
        )?;
    }
    Ok(())
}

fn record_json(p: &Publication, record: &ModuleRecord) -> serde_json::Value {
    let item = ModuleTable::item(&p.address, &p.version, record);
    let mut fields: Vec<(&String, String)> = item
        .iter()
        .map(|(k, v)| (k, v.as_s().cloned().unwrap_or_default()))
        .collect();
    fields.sort();
    serde_json::Value::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect(),
    )
}

fn print_outcome(
    out: &mut impl Write,
    args: &PublishArgs,
    p: &Publication,
    one: &Prepared,
    status: Status,
    uploaded: Uploaded,
) -> Result<(), Error> {
    if args.output == OutputFormat::Json {
        let line = json!({
            "module": p.address.path(),
            "version": p.version.as_str(),
            "status": status.name(),
            "sha256": one.archive.sha256_hex(),
            "bucket": one.bucket,
            "key": one.key,
        });
        writeln!(out, "{line}")?;
    } else {
        let how = match (status, uploaded) {
            (Status::Published, Uploaded::New) => "uploaded and recorded",
            (Status::Published, Uploaded::AlreadyThere) => "the archive was there; recorded",
            (Status::Unchanged, _) => "already published with this archive",
        };
        writeln!(
            out,
            "{} {} {}: sha256 {}, s3://{}/{} ({how})",
            status.name(),
            p.address,
            p.version,
            one.archive.sha256_hex(),
            one.bucket,
            one.key,
        )?;
    }
    out.flush()?;
    Ok(())
}

async fn versions(args: &VersionsArgs, aws: &AwsSelection) -> Result<ExitStatus, Error> {
    let settings = RegistrySettings::load_users()?;
    let resolved = resolve(&args.registry, &settings, aws).await?;
    let api = resolved
        .api(Duration::from_secs(args.registry.timeout))
        .await?;
    let address = args.module.address();
    let mut listed: Vec<String> = api.versions(&address).await.map_err(Error::from)?;
    // Semver order where it parses; anything else the registry lists, after.
    listed.sort_by(
        |a, b| match (a.parse::<ModuleVersion>(), b.parse::<ModuleVersion>()) {
            (Ok(a), Ok(b)) => a.cmp(&b),
            (Ok(_), Err(_)) => std::cmp::Ordering::Less,
            (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
            (Err(_), Err(_)) => a.cmp(b),
        },
    );
    let mut out = std::io::stdout().lock();
    match args.output {
        OutputFormat::Json => writeln!(
            out,
            "{}",
            json!({"module": address.path(), "versions": listed})
        )?,
        OutputFormat::Text => {
            for v in &listed {
                writeln!(out, "{v}")?;
            }
        }
    }
    out.flush()?;
    if listed.is_empty() {
        note(format_args!("the registry lists no version of {address}"));
    }
    Ok(ExitStatus::Success)
}

async fn download(args: &DownloadArgs, aws: &AwsSelection) -> Result<ExitStatus, Error> {
    let settings = RegistrySettings::load_users()?;
    let resolved = resolve(&args.registry, &settings, aws).await?;
    let api = resolved
        .api(Duration::from_secs(args.registry.timeout))
        .await?;
    let address = args.module.address();
    let version = &args.version;
    let listed = api.versions(&address).await?;
    if !listed.iter().any(|v| v == version.as_str()) {
        let hint = if listed.is_empty() {
            String::new()
        } else {
            format!(" (it has {})", listed.join(", "))
        };
        return Err(ModulesError::NoSuchVersion {
            module: address.to_string(),
            version: version.to_string(),
            hint,
        }
        .into());
    }
    let Some(url) = api.download_url(&address, version).await? else {
        return Err(ModulesError::NoSuchVersion {
            module: address.to_string(),
            version: version.to_string(),
            hint: String::new(),
        }
        .into());
    };
    let (bytes, digest) = api.fetch(&url, args.max_size).await?;
    // What the archive must be: the record's checksum, else the one S3 stores.
    let expected = match &args.table {
        Some(t) => {
            let table = ModuleTable::new(
                resolved.aws.dynamodb().await?,
                t.resolve(&resolved.aws).await?,
            );
            let record = table.get(&address, version).await?;
            record.map(|r| (r.expected_checksum, "the registry's record"))
        }
        None => match s3_object_of(&url) {
            Some((bucket, key)) => {
                let s3 = resolved.aws.s3(args.path_style).await?;
                match stored_checksum(&s3, &bucket, &key).await {
                    Ok(sum) => sum.map(|s| (s, "the checksum S3 stores for it")),
                    Err(e) => {
                        warn(format_args!(
                            "not checked against the checksum S3 stores: {}",
                            crate::exit::chain(&e)
                        ));
                        None
                    }
                }
            }
            None => None,
        },
    };
    match expected {
        Some((sum, source_of)) if hex_of(&sum) != hex::encode(digest) => {
            return Err(ModulesError::Tampered {
                module: address.to_string(),
                version: version.to_string(),
                got: hex::encode(digest),
                expected: hex_of(&sum),
                source_of,
            }
            .into());
        }
        Some(_) => {}
        None => warn(
            "the archive's SHA-256 could not be checked: pass --table to check it against the registry's record",
        ),
    }
    let mut out = std::io::stdout().lock();
    if let Some(dir) = &args.extract {
        let written = extract(&bytes, dir, args.max_size).map_err(ModulesError::from)?;
        writeln!(
            out,
            "{}  {} files  sha256 {}",
            dir.display(),
            written.len(),
            hex::encode(digest)
        )?;
    } else {
        let target = args
            .output
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{}-{version}.tar.gz", address.name)));
        crate::fsutil::replace(&target, &bytes, crate::fsutil::Ownership::mine(0o644)).map_err(
            |source| Error::Input {
                what: format!("{} (writing it)", target.display()),
                source,
            },
        )?;
        writeln!(
            out,
            "{}  {} bytes  sha256 {}",
            target.display(),
            bytes.len(),
            hex::encode(digest)
        )?;
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// The bucket and key of an S3 URL (virtual-hosted `BUCKET.s3....amazonaws.com/KEY`,
/// else path-style `HOST/BUCKET/KEY`), as a presigned download URL names them.
fn s3_object_of(url: &reqwest::Url) -> Option<(String, String)> {
    let host = url.host_str()?;
    let path = percent_encoding::percent_decode_str(url.path().trim_start_matches('/'))
        .decode_utf8()
        .ok()?
        .into_owned();
    if let Some((bucket, _)) = host.split_once(".s3.").or_else(|| host.split_once(".s3-"))
        && host.ends_with(".amazonaws.com")
    {
        return Some((bucket.to_owned(), path));
    }
    let (bucket, key) = path.split_once('/')?;
    Some((bucket.to_owned(), key.to_owned()))
}

async fn unpublish(args: &UnpublishArgs, aws: &AwsSelection) -> Result<ExitStatus, Error> {
    let selection = match &args.registry_host {
        Some(host) => {
            let settings = RegistrySettings::load_users()?;
            let tokens = Tokens {
                settings: &settings,
                aws,
            };
            tokens.resolve(host, &HostFlags::from_aws(aws)).1
        }
        None => aws.clone(),
    };
    let aws = Aws::new(selection);
    let table = ModuleTable::new(aws.dynamodb().await?, args.table.resolve(&aws).await?);
    let address = args.module.address();
    let version = &args.version;
    let Some(record) = table.delete(&address, version).await? else {
        return Err(ModulesError::NoSuchVersion {
            module: address.to_string(),
            version: version.to_string(),
            hint: format!(" table {}", table.name()),
        }
        .into());
    };
    let object = format!("s3://{}/{}", record.bucket, record.key);
    note(format_args!(
        "removed the record of {address} {version} from {}",
        table.name()
    ));
    let mut out = std::io::stdout().lock();
    if !args.delete_object {
        writeln!(out, "unpublished {address} {version}; kept {object}")?;
        return Ok(ExitStatus::Success);
    }
    let others = table.versions_using(&address, &record).await?;
    if others.is_empty() {
        delete(&aws.s3(args.path_style).await?, &record.bucket, &record.key).await?;
        writeln!(out, "unpublished {address} {version}; deleted {object}")?;
    } else {
        writeln!(
            out,
            "unpublished {address} {version}; kept {object}: version {} still names it",
            others.join(", ")
        )?;
    }
    Ok(ExitStatus::Success)
}
