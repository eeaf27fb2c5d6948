//! `versions`, `download` and `unpublish`: what the registry holds, fetched as
//! Terraform fetches it, and taken back.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use super::args::{DownloadArgs, OutputFormat, UnpublishArgs, VersionsArgs, resolve};
use crate::app::error::Error;
use crate::aws::{Aws, AwsSelection};
use crate::diag::{note, warn};
use crate::exit::ExitStatus;
use crate::registry::modules::extract::extract;
use crate::registry::modules::publish::hex_of;
use crate::registry::modules::record::ModuleTable;
use crate::registry::modules::upload::{delete, stored_checksum};
use crate::registry::modules::{ModuleVersion, ModulesError};
use crate::registry::settings::{HostFlags, RegistrySettings};
use crate::registry::tokens::Tokens;

pub(super) async fn versions(args: &VersionsArgs, aws: &AwsSelection) -> Result<ExitStatus, Error> {
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

pub(super) async fn download(args: &DownloadArgs, aws: &AwsSelection) -> Result<ExitStatus, Error> {
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

pub(super) async fn unpublish(
    args: &UnpublishArgs,
    aws: &AwsSelection,
) -> Result<ExitStatus, Error> {
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
