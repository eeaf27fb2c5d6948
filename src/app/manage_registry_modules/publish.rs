//! `publish`: the versions to publish, each uploaded and recorded exactly once, and
//! what is said of them (text or JSON).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::args::{BINARY, OutputFormat, PublishArgs, resolve};
use crate::app::error::Error;
use crate::app::progress::Progress;
use crate::aws::AwsSelection;
use crate::exit::ExitStatus;
use crate::registry::RegistryHost;
use crate::registry::modules::manifest::parse_manifest;
use crate::registry::modules::publish::{
    Prepared, Publication, Register, Status, beside, prepare, publish,
};
use crate::registry::modules::record::{ModuleRecord, ModuleTable};
use crate::registry::modules::upload::Uploaded;
use crate::registry::modules::{ModuleAddress, ModulesError};
use crate::registry::settings::RegistrySettings;
use crate::tally::Tally;

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

pub(super) async fn publish_all(
    args: &PublishArgs,
    aws: &AwsSelection,
) -> Result<ExitStatus, Error> {
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
        crate::app::error::modules_status(e)
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

/// Counting files while an archive is made, on a terminal.
pub(super) fn files_progress() -> Progress {
    Progress::new("files")
}
