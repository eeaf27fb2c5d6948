//! Publishing one module version exactly once: pack it (reproducibly), upload it under
//! a key of its own SHA-256 (so a re-run finds it there), record it (through the
//! registry's create route, or in its table as its own code writes it), and check that
//! the registry hands Terraform these very bytes. An existing version is compared by
//! SHA-256: the same archive is `unchanged`, another one a conflict, and nothing changes.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_sdk_s3::Client;

use super::address::{ModuleAddress, ModuleVersion};
use super::api::{Created, RegistryApi};
use super::error::ModulesError;
use super::pack::{Archive, Contents, PackError, PackOptions, collect, write_archive};
use super::record::{ModuleRecord, ModuleTable, Written};
use super::upload::{Uploaded, upload};
use crate::tally::Tally;

/// A module version to publish.
#[derive(Debug, Clone)]
pub(crate) struct Publication {
    pub(crate) dir: PathBuf,
    pub(crate) address: ModuleAddress,
    pub(crate) version: ModuleVersion,
}

/// Where the record goes.
pub(crate) enum Register<'a> {
    /// The registry's create route.
    Api(&'a RegistryApi),
    /// The registry's table, written directly.
    Table(&'a ModuleTable),
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Published,
    /// The version was there already, with this very archive.
    Unchanged,
}

impl Status {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Status::Published => "published",
            Status::Unchanged => "unchanged",
        }
    }
}

/// An archive made in a temporary file (removed when dropped).
#[derive(Debug)]
pub(crate) struct TempArchive {
    pub(crate) path: PathBuf,
}

impl TempArchive {
    fn create() -> io::Result<(Self, fs::File)> {
        let dir = std::env::temp_dir();
        loop {
            let name = format!(
                "cdk-toolkit-module-{}-{:016x}.tar.gz",
                std::process::id(),
                crate::time::random_u64()
            );
            let path = dir.join(name);
            match fs::File::options().write(true).create_new(true).open(&path) {
                Ok(file) => return Ok((Self { path }, file)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for TempArchive {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// A version packed and ready to go: what goes in, the archive, where it goes.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) contents: Contents,
    pub(crate) archive: Archive,
    pub(crate) file: TempArchive,
    pub(crate) bucket: String,
    pub(crate) key: String,
}

impl Prepared {
    /// The record the registry keeps of it.
    pub(crate) fn record(&self) -> ModuleRecord {
        ModuleRecord {
            bucket: self.bucket.clone(),
            key: self.key.clone(),
            expected_checksum: self.archive.sha256_base64(),
        }
    }
}

/// The default key: under the module's path, named by the archive's SHA-256, so the
/// same archive always lands on the same object.
pub(crate) fn default_key(address: &ModuleAddress, archive: &Archive) -> String {
    format!("{}/{}.tar.gz", address.path(), archive.sha256_hex())
}

/// Pack `p` into a temporary file; `tally` counts the files.
pub(crate) fn prepare(
    p: &Publication,
    options: &PackOptions,
    bucket: &str,
    key: Option<&str>,
    tally: &dyn Tally,
) -> Result<Prepared, ModulesError> {
    let contents = collect(&p.dir, options)?;
    let (file, out) = TempArchive::create().map_err(PackError::Write)?;
    let archive = write_archive(&contents, options, out, tally)?;
    Ok(Prepared {
        key: key.map_or_else(|| default_key(&p.address, &archive), str::to_owned),
        bucket: bucket.to_owned(),
        contents,
        archive,
        file,
    })
}

/// Hex of a base64 SHA-256 (as S3 and the registry spell it), for messages.
pub(crate) fn hex_of(base64: &str) -> String {
    aws_smithy_types::base64::decode(base64)
        .map(hex::encode)
        .unwrap_or_else(|_| base64.to_owned())
}

/// Upload, record and check `prepared`, the archive of `p`: once only, whoever else
/// publishes the same version at the same time. `verify` checks, through the registry's
/// API, that Terraform gets these bytes.
pub(crate) async fn publish(
    p: &Publication,
    prepared: &Prepared,
    s3: &Client,
    register: Register<'_>,
    verify: Option<&RegistryApi>,
    tally: Arc<dyn Tally + Send + Sync>,
) -> Result<(Status, Uploaded), ModulesError> {
    let uploaded = upload(
        s3,
        &prepared.bucket,
        &prepared.key,
        &prepared.file.path,
        &prepared.archive,
        tally,
    )
    .await?;
    let after_upload = |failure| ModulesError::AfterUpload {
        failure: Box::new(failure),
        bucket: prepared.bucket.clone(),
        key: prepared.key.clone(),
    };
    let status = record(p, prepared, register).await.map_err(|e| match e {
        // The same version with another archive: nothing more to say about ours.
        ModulesError::Conflict { .. } => e,
        other => after_upload(other),
    })?;
    if let Some(api) = verify {
        check(api, p, &prepared.archive)
            .await
            .map_err(after_upload)?;
    }
    Ok((status, uploaded))
}

async fn record(
    p: &Publication,
    prepared: &Prepared,
    register: Register<'_>,
) -> Result<Status, ModulesError> {
    let ours = prepared.archive.sha256_hex();
    let conflict = |theirs: String| ModulesError::Conflict {
        module: p.address.to_string(),
        version: p.version.to_string(),
        ours: ours.clone(),
        theirs,
    };
    match register {
        Register::Table(table) => match table
            .create(&p.address, &p.version, &prepared.record())
            .await?
        {
            Written::New => Ok(Status::Published),
            Written::Exists(existing) => {
                if existing.expected_checksum == prepared.archive.sha256_base64() {
                    Ok(Status::Unchanged)
                } else {
                    Err(conflict(hex_of(&existing.expected_checksum)))
                }
            }
        },
        Register::Api(api) => match api
            .create(&p.address, &p.version, &prepared.record())
            .await?
        {
            Created::New => Ok(Status::Published),
            Created::Exists => {
                // What the registry serves for it is what counts.
                let url = api
                    .download_url(&p.address, &p.version)
                    .await?
                    .ok_or_else(|| ModulesError::Raced {
                        module: p.address.to_string(),
                        version: p.version.to_string(),
                    })?;
                let (_, theirs) = api.fetch(&url, super::pack::MAX_ARCHIVE_BYTES).await?;
                if theirs == prepared.archive.sha256 {
                    Ok(Status::Unchanged)
                } else {
                    Err(conflict(hex::encode(theirs)))
                }
            }
        },
    }
}

/// The registry lists the version, and its download URL serves these very bytes.
async fn check(api: &RegistryApi, p: &Publication, archive: &Archive) -> Result<(), ModulesError> {
    let not = |what: String| ModulesError::NotVerified {
        module: p.address.to_string(),
        version: p.version.to_string(),
        what,
    };
    let listed = api.versions(&p.address).await?;
    if !listed.iter().any(|v| v == p.version.as_str()) {
        return Err(not("the registry does not list it".to_owned()));
    }
    let Some(url) = api.download_url(&p.address, &p.version).await? else {
        return Err(not("the registry has no download for it".to_owned()));
    };
    let (_, got) = api.fetch(&url, archive.size.saturating_add(1)).await?;
    if got != archive.sha256 {
        return Err(not(format!(
            "its download serves sha256 {}, not this archive's {}",
            hex::encode(got),
            archive.sha256_hex()
        )));
    }
    Ok(())
}

/// `dir`, with `manifest`'s folder as the base of a relative one.
pub(crate) fn beside(manifest: &Path, dir: &str) -> PathBuf {
    manifest
        .parent()
        .map_or_else(|| PathBuf::from(dir), |base| base.join(dir))
}
