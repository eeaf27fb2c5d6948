//! `immukv`: a command-line client for ImmuKV stores, interoperable with the official
//! Python and TypeScript clients.

mod args;
mod import;
mod render;
mod verify;
mod watch;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use futures_util::{StreamExt, TryStreamExt};

use super::input::read_input;
use super::progress::Progress;
use crate::app::cli::runtime;
use crate::app::error::Error;
use crate::aws::Aws;
use crate::diag::{note, warn};
use crate::exit::ExitStatus;
use crate::immukv::entry::LogEntry;
use crate::immukv::head::StoreId;
use crate::immukv::retention::Retention;
use crate::immukv::store::{AsOf, Held, KeyRetention, KeyStart, Store, StoreError};
use crate::pyjson::{self, Json};
use render::{Printer, print_stream, terminal_safe};

pub(crate) use args::Cli;
use args::{BINARY, Command, ListFormat, Paging, SetArgs, StoreArgs};

pub fn main(args: Vec<std::ffi::OsString>) -> ExitCode {
    crate::app::cli::run(BINARY, args, |cli: Cli| runtime()?.block_on(run(cli)))
}

async fn run(cli: Cli) -> Result<ExitStatus, Error> {
    check_anchor_flags(&cli.command)?;
    let aws = Aws::new(cli.aws.selection());
    // An auditor's copy is verified with no bucket and, unless the checkpoint is kept
    // in SSM or checked by KMS, no credentials and no network.
    if let Command::Verify {
        file: Some(file),
        anchor,
        ..
    } = &cli.command
    {
        return verify::verify_file(&aws, file, anchor, cli.store.retention.log().as_ref()).await;
    }
    let store = Arc::new(open_store(&cli.store, &aws).await?);
    let retention = &cli.store.retention;
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Set(args) => set(&store, &args, &mut out).await?,
        Command::Get {
            key,
            entry,
            at,
            sequence,
        } => {
            let as_of = at.map(AsOf::Time).or(sequence.map(AsOf::Sequence));
            let e = get(&store, &key, as_of, retention.keys().as_ref()).await?;
            if entry {
                writeln!(out, "{}", e.to_json())?;
            } else {
                writeln!(out, "{}", terminal_safe(&e.value_raw, false))?;
            }
        }
        Command::LogEntry { version_id } => {
            let e = store.log_entry(&version_id).await?;
            writeln!(out, "{}", e.to_json())?;
        }
        Command::History {
            key,
            since,
            until,
            paging,
        } => {
            history(
                &store,
                &key,
                since,
                until,
                &paging,
                retention.keys().as_ref(),
                &mut out,
            )
            .await?
        }
        Command::Log { paging } => log(&store, &paging, &mut out).await?,
        Command::Keys {
            key_prefix,
            limit,
            after,
            output,
        } => keys(&store, &key_prefix, limit, after, output, &mut out).await?,
        Command::Verify {
            limit: Some(limit), ..
        } => return verify::verify_newest(&store, limit, retention.log().as_ref()).await,
        Command::Verify { file: Some(_), .. } => unreachable!("verified above, offline"),
        Command::Watch {
            output,
            interval,
            key_prefix,
            from_sequence,
        } => {
            drop(out);
            return watch::watch(
                &store,
                output,
                interval,
                key_prefix.as_deref(),
                from_sequence,
            )
            .await;
        }
        Command::Repair => repair(&store, &mut out).await?,
        Command::Export => verify::export(&store, retention.log().as_ref(), &mut out).await?,
        Command::Import { file, resume } => {
            return import::import(store, file.as_deref(), resume).await;
        }
        Command::Verify {
            limit: None,
            file: None,
            anchor,
        } => {
            verify::verify(&aws, &store, &anchor, retention.log().as_ref()).await?;
        }
        Command::Checkpoint {
            anchor,
            sign,
            put,
            force,
        } => {
            let note = verify::checkpoint(
                &aws,
                &store,
                &anchor,
                retention.log().as_ref(),
                verify::Keep {
                    sign: sign.as_ref(),
                    put: put.as_ref().map(|p| p.0.as_str()),
                    force,
                },
            )
            .await?;
            write!(out, "{note}")?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// `--public-key` and `--signed-by` check a checkpoint's signature: there must be one
/// (`--checkpoint`, or the parameter `checkpoint --put` verifies against).
fn check_anchor_flags(command: &Command) -> Result<(), Error> {
    let (anchor, put) = match command {
        Command::Verify { anchor, .. } => (anchor, None),
        Command::Checkpoint { anchor, put, .. } => (anchor, put.as_ref()),
        _ => return Ok(()),
    };
    let flag = match (&anchor.public_key, &anchor.signed_by) {
        (Some(_), _) => "--public-key",
        (None, Some(_)) => "--signed-by",
        (None, None) => return Ok(()),
    };
    if anchor.checkpoint.is_none() && put.is_none() {
        return Err(Error::Usage(format!(
            "{flag} checks the signature of a checkpoint, and there is none: pass --checkpoint FILE|ssm:/NAME \
             (with `checkpoint`, the one in --put ssm:/NAME is checked)"
        )));
    }
    Ok(())
}

/// The store `args` name, through `aws` (no call made yet).
async fn open_store(args: &StoreArgs, aws: &Aws) -> Result<Store, Error> {
    let bucket = args.bucket.clone().ok_or_else(|| {
        Error::Usage("no bucket given: pass --bucket or set IMMUKV_BUCKET".into())
    })?;
    let id = StoreId {
        endpoint: aws.s3_endpoint().await?.unwrap_or_default(),
        bucket: bucket.resolve(aws).await?,
        prefix: args.prefix.clone(),
    };
    Ok(Store::new(
        aws.s3(args.path_style).await?,
        id,
        args.read_only,
        usize::from(args.concurrency),
    ))
}

/// `get`: the newest entry, or the one as of a moment (`as_of`).
async fn get(
    store: &Store,
    key: &str,
    as_of: Option<AsOf>,
    declared: Option<&Retention>,
) -> Result<LogEntry, Error> {
    match as_of {
        None => Ok(store
            .get_entry(key, || verify::remembered_version(store.id()))
            .await?),
        Some(as_of) => entry_as_of(store, key, as_of, declared).await,
    }
}

/// `log`: the entries, newest first; on a terminal, a bar toward the head's sequence
/// (the head, read for it, is not read again).
async fn log(store: &Store, paging: &Paging, out: &mut dyn Write) -> Result<(), Error> {
    let log = store.log_key();
    let mut printer = Printer::new(paging.output, out);
    let progress = Progress::new("entries");
    let head = if progress.is_shown() && paging.before.is_none() {
        store.newest_log_entry().await?
    } else {
        None
    };
    if let Some(head) = &head {
        let all = (head.sequence + 1).unsigned_abs();
        progress.set_total(paging.limit.map_or(all, |l| all.min(l as u64)));
    }
    print_stream(
        store.log_entries_after(&log, paging.before.clone(), head.as_ref(), None),
        &mut printer,
        &progress,
        paging,
    )
    .await?;
    printer.finish()?;
    Ok(())
}

/// `set`: the value from the argument, a file or stdin, then the write.
async fn set(store: &Store, args: &SetArgs, out: &mut dyn Write) -> Result<(), Error> {
    // Creating the client made no call yet: a bad value still changes nothing.
    let value = read_value(args.value.as_deref(), args.file.as_deref(), args.string)?;
    let written = store.set(&args.key, &value, args.force).await?;
    let entry = written.entry;
    match args.output {
        ListFormat::Text => writeln!(
            out,
            "{}\t{}",
            entry.sequence,
            entry.version_id.as_deref().unwrap_or("")
        )?,
        ListFormat::Json | ListFormat::Jsonl => writeln!(out, "{}", entry.to_json())?,
    }
    Ok(())
}

/// `repair`: each key object rewritten, one line each; what was checked, on stderr.
async fn repair(store: &Store, out: &mut dyn Write) -> Result<(), Error> {
    let progress = Progress::new("entries");
    let repaired = crate::immukv::repair::repair(store, &progress).await?;
    drop(progress);
    for fixed in &repaired.fixed {
        let was = match &fixed.was {
            Held::Nothing => "missing".to_owned(),
            Held::Entry { sequence, .. } => format!("sequence {sequence}"),
            Held::Invalid { .. } => "not a valid entry".to_owned(),
        };
        writeln!(
            out,
            "{}: {was} -> sequence {}",
            terminal_safe(&fixed.object, true),
            fixed.sequence
        )?;
    }
    note(format_args!(
        "checked {} log entries and {} keys; repaired {} key objects",
        repaired.entries,
        repaired.keys,
        repaired.fixed.len()
    ));
    Ok(())
}

/// `history`: a key's entries, newest first, between --since and --until; when they
/// run out where older ones may have expired, a note says the history before then is
/// unknown.
async fn history(
    store: &Store,
    key: &str,
    since: Option<i64>,
    until: Option<i64>,
    paging: &Paging,
    declared: Option<&Retention>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let path = store.key_path(key)?;
    let mut printer = Printer::new(paging.output, out);
    let progress = Progress::new("entries");
    let stream = store.key_history(key, &path, paging.before.clone()).await?;
    // The oldest entry seen, and how many key-object versions, before any filter.
    let seen = std::cell::RefCell::new((None::<LogEntry>, 0i64));
    let stream = stream.inspect_ok(|e| {
        let mut seen = seen.borrow_mut();
        seen.1 += i64::from(e.log_version_id.is_some());
        seen.0 = Some(e.clone());
    });
    // Newest first: skip what is after --until, stop at the first before --since.
    let stream = stream
        .try_filter(move |e| std::future::ready(until.is_none_or(|u| e.timestamp_ms <= u)))
        .try_take_while(move |e| std::future::ready(Ok(since.is_none_or(|s| e.timestamp_ms >= s))));
    let ran_out = print_stream(stream, &mut printer, &progress, paging).await?;
    printer.finish()?;
    let (oldest, versions) = seen.into_inner();
    if let (true, Some(oldest), None) = (ran_out, oldest, paging.before.as_ref())
        && since.is_none_or(|s| s < oldest.timestamp_ms)
    {
        // Ran out before --since (or with none): what came before the oldest entry?
        let retention = KeyRetention {
            declared,
            now_ms: crate::time::now_ms(),
        };
        let before = crate::time::rfc3339_ms_text(oldest.timestamp_ms);
        match store.key_start(&path, &oldest, versions, retention).await? {
            KeyStart::First => {}
            KeyStart::Expired(rule) => warn(format_args!(
                "entries of key {key:?} before {before} are unknown: expired before then (the oldest left is \
                 sequence {}; older ones expired under {rule})",
                oldest.sequence
            )),
            KeyStart::Deleted => warn(format_args!(
                "entries of key {key:?} before {before} are unknown: they were deleted, and no retention rule \
                 explains it (the oldest left is sequence {}); if the store expires key versions, pass \
                 --key-version-retention DAYS",
                oldest.sequence
            )),
        }
    }
    Ok(())
}

/// `keys`: the store's keys, in order.
async fn keys(
    store: &Store,
    key_prefix: &str,
    limit: Option<usize>,
    after: Option<String>,
    output: ListFormat,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut stream = Box::pin(
        store
            .keys(key_prefix, after)
            .take(limit.unwrap_or(usize::MAX)),
    );
    let mut first = true;
    if output == ListFormat::Json {
        write!(out, "[")?;
    }
    while let Some(k) = stream.try_next().await? {
        let mut quoted = String::new();
        pyjson::write_str(&mut quoted, &k);
        match output {
            ListFormat::Text => writeln!(out, "{}", terminal_safe(&k, true))?,
            ListFormat::Jsonl => writeln!(out, "{quoted}")?,
            ListFormat::Json => write!(out, "{}{quoted}", if first { "" } else { "," })?,
        }
        first = false;
    }
    if output == ListFormat::Json {
        writeln!(out, "]")?;
    }
    Ok(())
}

/// `get --at/--sequence`: the entry as of then; a sequence beyond the head is refused.
async fn entry_as_of(
    store: &Store,
    key: &str,
    as_of: AsOf,
    declared: Option<&Retention>,
) -> Result<LogEntry, Error> {
    let retention = KeyRetention {
        declared,
        now_ms: crate::time::now_ms(),
    };
    let (found, newest) = tokio::join!(store.entry_as_of(key, as_of, retention), async {
        match as_of {
            AsOf::Sequence(_) => store.newest_log_entry().await.map(Some),
            AsOf::Time(_) => Ok(None),
        }
    });
    if let (AsOf::Sequence(n), Some(newest)) = (as_of, newest?) {
        let head = newest.map_or(-1, |e| e.sequence);
        if n > head {
            return Err(StoreError::BeyondHead { sequence: n, head }.into());
        }
    }
    Ok(found?)
}

/// The value to write: parsed as Python's json.loads would, or taken as a string.
fn read_value(
    arg: Option<&str>,
    file: Option<&std::path::Path>,
    as_string: bool,
) -> Result<Json, Error> {
    let text = match arg {
        Some(a) => a.to_owned(),
        None => {
            read_input(
                file,
                "no value given: pass it as an argument, with --file, or on stdin",
                "the value on stdin (as UTF-8)",
            )?
            .0
        }
    };
    if as_string {
        return Ok(Json::Str(text));
    }
    pyjson::parse(&text).map_err(Error::Value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_has_no_control_characters() {
        assert_eq!(terminal_safe("plain-key", true), "plain-key");
        assert_eq!(
            terminal_safe("a\u{1b}[31mb\nc", true),
            "a\\u001b[31mb\\u000ac"
        );
        assert_eq!(terminal_safe("back\\slash", true), "back\\\\slash");
        assert_eq!(
            terminal_safe("\"a\\u00e9\u{7f}\u{9b}\"", false),
            "\"a\\u00e9\\u007f\\u009b\""
        );
    }
}
