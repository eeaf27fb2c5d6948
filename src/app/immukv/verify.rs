//! `immukv verify`, `checkpoint` and `export`: against the remembered head or a
//! checkpoint (a file or an SSM parameter, signed or not), online or offline, and the
//! one line that says what was checked and what expired.

use std::io::Write;
use std::path::Path;

use futures_util::{StreamExt, TryStreamExt};

use super::args::{AnchorArgs, CheckpointSource};
use crate::app::error::Error;
use crate::app::progress::Progress;
use crate::aws::Aws;
use crate::aws::kms::KmsKeyId;
use crate::diag::{note, warn};
use crate::exit::ExitStatus;
use crate::immukv::audit::{self, Anchor, AuditError, AuditOptions, Audited};
use crate::immukv::checkpoint::{
    self, Checkpoint, CheckpointError, Loaded, MAX_CHECKPOINT_BYTES, SigningKey,
};
use crate::immukv::dump;
use crate::immukv::head::{HeadCache, StoreId};
use crate::immukv::retention::{Retention, sequences};
use crate::immukv::store::Store;
use crate::immukv::verify::{ChainCheck, Start, start_of};

/// A checkpoint as read, and how to name where it came from.
struct Named {
    loaded: Loaded,
    name: String,
}

/// Read the checkpoint at `source`: a file (at most [`MAX_CHECKPOINT_BYTES`]) or an SSM
/// parameter.
async fn load(aws: &Aws, source: &CheckpointSource) -> Result<Named, Error> {
    let (bytes, name) = match source {
        CheckpointSource::File(path) => (read_capped(path)?, path.display().to_string()),
        CheckpointSource::Ssm(parameter) => {
            return match load_parameter(aws, &parameter.0).await? {
                Some((named, _)) => Ok(named),
                None => Err(CheckpointError::NoParameter {
                    name: parameter.0.clone(),
                }
                .into()),
            };
        }
    };
    let loaded = Checkpoint::parse(&bytes, &name)?;
    Ok(Named { loaded, name })
}

/// The checkpoint kept in the SSM parameter `name`, and the parameter's version;
/// `None` when there is none.
async fn load_parameter(aws: &Aws, name: &str) -> Result<Option<(Named, i64)>, Error> {
    let Some(parameter) = aws.parameter(name).await? else {
        return Ok(None);
    };
    let name = format!("ssm:{name}");
    let loaded = Checkpoint::parse(parameter.value.expose().as_bytes(), &name)?;
    Ok(Some((Named { loaded, name }, parameter.version)))
}

/// A checkpoint file: a regular file, read without waiting, at most
/// [`MAX_CHECKPOINT_BYTES`].
fn read_capped(path: &Path) -> Result<Vec<u8>, Error> {
    let input = |source| Error::Input {
        what: path.display().to_string(),
        source,
    };
    match crate::fsutil::read_regular(path, MAX_CHECKPOINT_BYTES) {
        Ok(Some(bytes)) => Ok(bytes),
        Ok(None) => Err(input(std::io::ErrorKind::NotFound.into())),
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => Err(CheckpointError::Malformed {
            source_name: path.display().to_string(),
            reason: format!("larger than {MAX_CHECKPOINT_BYTES} bytes"),
        }
        .into()),
        Err(e) => Err(input(e)),
    }
}

/// When asked (--public-key, --signed-by), the checkpoint's signature must verify.
async fn check_signature(aws: &Aws, named: &Named, args: &AnchorArgs) -> Result<(), Error> {
    if let Some(path) = &args.public_key {
        let key_file = path.display().to_string();
        let bad = |reason: String| CheckpointError::BadPublicKey {
            file: key_file.clone(),
            reason,
        };
        let bytes = crate::fsutil::read_regular(path, checkpoint::MAX_PUBLIC_KEY_BYTES)
            .map_err(|e| bad(e.to_string()))?
            .ok_or_else(|| bad("there is no such file".to_owned()))?;
        let der = checkpoint::public_key_der(&bytes).map_err(&bad)?;
        checkpoint::check_public_key(&der).map_err(bad)?;
        named.loaded.verify_offline(&named.name, &der, &key_file)?;
    }
    if let Some(key) = &args.signed_by {
        named
            .loaded
            .verify_with_kms(&named.name, &aws.kms().await?, key)
            .await?;
    }
    Ok(())
}

/// The log version of the head remembered in the cache folder (quietly none when the
/// cache cannot be used: it only bounds a search).
pub(super) fn remembered_version(id: &StoreId) -> Option<String> {
    let (head, _) = HeadCache::open(id).ok()?.remembered()?;
    Some(head.log_version_id)
}

/// The head remembered in the cache folder, when it can be used.
fn head_cache(id: &StoreId) -> Option<HeadCache> {
    match HeadCache::open(id) {
        Ok(h) => Some(h),
        Err(e) => {
            warn(format_args!(
                "not remembering verified heads: {}",
                crate::exit::chain(&e)
            ));
            None
        }
    }
}

/// Verify against `anchor` (or the head remembered in the cache folder), and remember
/// what was verified (never on a failure: a rewritten log never replaces what was
/// trusted). A failure against a signed checkpoint prints both heads as evidence.
async fn audit(
    store: &Store,
    checkpoint: Option<&Named>,
    full: bool,
    declared: Option<&Retention>,
) -> Result<Audited, Error> {
    let id = store.id();
    let heads = head_cache(id);
    let anchor = match checkpoint {
        Some(named) => Anchor::from_checkpoint(named.loaded.checkpoint.clone(), id)?,
        None => heads.as_ref().map(Anchor::remembered).unwrap_or_default(),
    };
    let progress = Progress::new("entries and key objects verified");
    let options = AuditOptions {
        full,
        concurrency: store.concurrency(),
        declared,
        now_ms: crate::time::now_ms(),
    };
    let audited = audit::audit(store, &anchor, options, &progress).await;
    progress.finish();
    let audited = match audited {
        Ok(audited) => audited,
        Err(e) => {
            if let Some(named) = checkpoint.filter(|n| n.loaded.signed.is_some())
                && is_about_the_head(&e)
            {
                evidence(store, named).await;
            }
            return Err(e.into());
        }
    };
    if let Some(head) = &audited.outlived {
        warn(format_args!(
            "the head verified at {} (sequence {}) has expired from the log since: this verify could not \
             check that the log still extends it, and checked it from its oldest entry instead",
            head.verified_at, head.sequence
        ));
    }
    if let Some(Err(e)) = heads.map(|h| audited.remember_in(&h)) {
        warn(format_args!(
            "could not remember the verified head: {}",
            crate::exit::chain(&e)
        ));
    }
    Ok(audited)
}

/// Whether a failed verify is about the anchor's head (the log no longer holds it as
/// it was).
fn is_about_the_head(e: &AuditError) -> bool {
    match e {
        AuditError::RolledBack { .. }
        | AuditError::Rewritten { .. }
        | AuditError::CheckpointExpired { .. } => true,
        AuditError::Chain(_)
        | AuditError::Store(_)
        | AuditError::OtherStore { .. }
        | AuditError::KeyObject { .. }
        | AuditError::Unexpired(_) => false,
    }
}

/// Like Go's checksum-database client on a mismatch: the signed head and what S3 shows
/// now, on stderr, for whoever investigates.
async fn evidence(store: &Store, named: &Named) {
    let mut lines = format!("evidence: the signed checkpoint {}:\n", named.name);
    for line in named.loaded.text.lines() {
        lines.push_str(&format!("    {line}\n"));
    }
    let now = match store.newest_log_entry().await {
        Ok(Some(e)) => format!(
            "sequence {} (version {}) with hash {}",
            e.sequence,
            e.version_id.as_deref().unwrap_or(""),
            e.hash
        ),
        Ok(None) => "no entries".to_owned(),
        Err(e) => format!("unreadable ({})", crate::exit::chain(&e)),
    };
    lines.push_str(&format!(
        "{}: evidence: the head S3 shows now: {now}",
        crate::diag::binary_name()
    ));
    warn(lines);
}

/// `verify`: the store against a checkpoint or the remembered head.
pub(super) async fn verify(
    aws: &Aws,
    store: &Store,
    args: &AnchorArgs,
    declared: Option<&Retention>,
) -> Result<(), Error> {
    let named = match &args.checkpoint {
        Some(source) => Some(load(aws, source).await?),
        None => None,
    };
    if let Some(named) = &named {
        check_signature(aws, named, args).await?;
    }
    let audited = audit(store, named.as_ref(), args.full, declared).await?;
    note(describe_audit(&audited));
    Ok(())
}

/// What becomes of a checkpoint made: signed with `sign`, kept in the SSM parameter
/// `put` (over a signed one unsigned only with `force`).
pub(super) struct Keep<'a> {
    pub(super) sign: Option<&'a KmsKeyId>,
    pub(super) put: Option<&'a str>,
    pub(super) force: bool,
}

/// `checkpoint`: verify (against the checkpoint already in `put`'s parameter, when
/// there is one), then the head as JSON or, signed, as a note; kept in `put` too.
pub(super) async fn checkpoint(
    aws: &Aws,
    store: &Store,
    args: &AnchorArgs,
    declared: Option<&Retention>,
    keep: Keep<'_>,
) -> Result<String, Error> {
    let Keep { sign, put, force } = keep;
    let signer = match sign {
        Some(key) => Some(SigningKey::resolve(&aws.kms().await?, key).await?),
        None => None,
    };
    let (named, version) = match (&args.checkpoint, put) {
        (Some(source), _) => (Some(load(aws, source).await?), None),
        (None, Some(name)) => match load_parameter(aws, name).await? {
            Some((named, version)) => (Some(named), Some(version)),
            None => (None, None),
        },
        (None, None) => (None, None),
    };
    if let Some(named) = &named {
        check_signature(aws, named, args).await?;
    }
    let audited = audit(store, named.as_ref(), args.full, declared).await?;
    note(describe_audit(&audited));
    let head = audited.head.ok_or(CheckpointError::EmptyStore)?;
    let checkpoint = Checkpoint {
        store: store.id().clone(),
        head,
    };
    let text = match &signer {
        Some(signer) => signer.sign(&aws.kms().await?, &checkpoint).await?,
        None => checkpoint.to_json().map_err(std::io::Error::other)? + "\n",
    };
    if let Some(name) = put {
        // A signature is not dropped by accident.
        let signed_there = named.as_ref().is_some_and(|n| n.loaded.signed.is_some());
        if signed_there && signer.is_none() && !force {
            return Err(CheckpointError::WouldUnsign {
                name: name.to_owned(),
            }
            .into());
        }
        checkpoint::put_parameter(aws, name, &text, &checkpoint, version).await?;
        note(format_args!(
            "kept the checkpoint at ssm:{name} (sequence {})",
            checkpoint.head.sequence
        ));
    }
    Ok(text)
}

/// One line about a verify: what was checked, since when, what expired, and the
/// verdict.
fn describe_audit(a: &Audited) -> String {
    let since = match &a.since {
        Some(h) => format!(
            " since sequence {} (verified at {})",
            h.sequence, h.verified_at
        ),
        None => String::new(),
    };
    let keys = a.keys_checked + a.keys_unchanged;
    if let (Some(expired), Some(first), Some(head)) = (&a.expired, a.first_sequence, &a.head) {
        let of_expired = match a.keys_expired {
            0 => String::new(),
            n => format!(", {n} of them for expired entries"),
        };
        return format!(
            "verified {}{}{since} and {keys} key objects ({} unchanged{of_expired}); {expired}: the chain is intact",
            sequences(first, head.sequence),
            a.chain.dialects(),
            a.keys_unchanged,
        );
    }
    let entries = match (a.chain.count, a.since.is_some()) {
        (0, true) => "no new entries".to_owned(),
        (1, true) => format!("1 new entry{}", a.chain.dialects()),
        (n, true) => format!("{n} new entries{}", a.chain.dialects()),
        (n, false) => format!("{n} entries{}", a.chain.dialects()),
    };
    format!(
        "verified {entries}{since} and {keys} key objects ({} unchanged): the chain is intact",
        a.keys_unchanged
    )
}

/// The newest `limit` entries' chain alone (`verify --limit`); when that reaches the
/// oldest entry, it must start at genesis or after a part retention explains.
pub(super) async fn verify_newest(
    store: &Store,
    limit: usize,
    declared: Option<&Retention>,
) -> Result<ExitStatus, Error> {
    let log = store.log_key();
    let progress = Progress::bar(limit as u64, "entries verified");
    let mut stream = std::pin::pin!(store.log_entries(&log, None).take(limit));
    let mut check = ChainCheck::default();
    let mut count = 0;
    while let Some(entry) = stream.try_next().await? {
        check.push(entry)?;
        count += 1;
        progress.tick();
    }
    progress.finish();
    let mut expired = String::new();
    if count < limit
        && let Some(oldest) = check.oldest()
        && start_of(oldest)? == Start::After
    {
        let judged = store
            .judge_log_gap(
                oldest,
                count as i64 - 1,
                None,
                declared,
                crate::time::now_ms(),
            )
            .await?
            .map_err(AuditError::from)?;
        expired = format!("; {judged}");
    }
    let summary = check.finish();
    note(format_args!(
        "verified {} entries{}{expired}: the chain is intact",
        summary.count,
        summary.dialects()
    ));
    Ok(ExitStatus::Success)
}

/// `export`: every log entry, oldest first, checked on the way.
pub(super) async fn export(
    store: &Store,
    declared: Option<&Retention>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let progress = Progress::new("entries exported");
    let exported = dump::export(store, out, declared, crate::time::now_ms(), &progress).await;
    progress.finish();
    let exported = exported?;
    let expired = exported
        .expired
        .map(|e| format!("; {e}"))
        .unwrap_or_default();
    note(format_args!(
        "exported {} entries{}{expired}: the chain is intact",
        exported.chain.count,
        exported.chain.dialects()
    ));
    Ok(())
}

/// `verify --file`: a dump, offline (a checkpoint in SSM, or checked by KMS, needs AWS).
pub(super) async fn verify_file(
    aws: &Aws,
    file: &Path,
    args: &AnchorArgs,
    declared: Option<&Retention>,
) -> Result<ExitStatus, Error> {
    let named = match &args.checkpoint {
        Some(source) => Some(load(aws, source).await?),
        None => None,
    };
    if let Some(named) = &named {
        check_signature(aws, named, args).await?;
    }
    let head = named.as_ref().map(|n| n.loaded.checkpoint.head.clone());
    let reader = std::fs::File::open(file).map_err(|source| Error::Input {
        what: file.display().to_string(),
        source,
    })?;
    let mut reader = std::io::BufReader::with_capacity(256 * 1024, reader);
    let progress = Progress::new("entries verified");
    let verified = dump::verify_dump(
        file,
        &mut reader,
        head.as_ref(),
        declared,
        crate::time::now_ms(),
        &progress,
    );
    progress.finish();
    let verified = verified?;
    let range = match (verified.first, &verified.newest) {
        (Some(first), Some((newest, _))) => format!(", sequence {first} to {newest}"),
        _ => String::new(),
    };
    let against = match &head {
        Some(h) => format!(", holding the checkpoint's sequence {}", h.sequence),
        None => String::new(),
    };
    let expired = verified
        .expired
        .map(|e| format!("; {e}"))
        .unwrap_or_default();
    note(format_args!(
        "verified {} entries{} in {}{range}{against}{expired}: the chain is intact",
        verified.chain.count,
        verified.chain.dialects(),
        file.display()
    ));
    Ok(ExitStatus::Success)
}
