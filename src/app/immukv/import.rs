//! `immukv import`: every line read and checked first, then appended, pipelined.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::watch::shutdown;
use crate::app::error::Error;
use crate::app::input::read_input;
use crate::app::progress::Progress;
use crate::diag::{note, warn};
use crate::exit::ExitStatus;
use crate::immukv::import::{self, ImportError, ImportJournal};
use crate::immukv::store::Store;

/// `import`: read and check every line first (bad input writes nothing), then append.
pub(super) async fn import(
    store: Arc<Store>,
    file: Option<&std::path::Path>,
    resume: bool,
) -> Result<ExitStatus, Error> {
    let (text, source_name) = read_input(
        file,
        "no lines given: pass --file or pipe JSON lines to stdin",
        "the lines on stdin (as UTF-8)",
    )?;
    let lines = import::parse_lines(&text, &source_name)?;
    for line in &lines {
        store
            .check_entry(&line.key, &line.value)
            .map_err(|source| ImportError::BadEntry {
                source_name: source_name.clone(),
                line: line.number,
                source,
            })?;
    }
    let journal = ImportJournal::open(store.id())?;
    if !resume && let Some(n) = journal.unfinished() {
        warn(format_args!(
            "an earlier import of {n} lines into this store did not finish; this starts a new one \
             (`--resume` with that input would have continued it)"
        ));
    }
    let digest = import::digest(&text);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let signals = tokio::spawn(async move {
        shutdown().await;
        flag.store(true, Ordering::SeqCst);
    });
    let bar = Progress::bar(lines.len() as u64, "lines");
    let result = import::import(store, &journal, &lines, &digest, resume, &stop, &bar).await;
    signals.abort();
    bar.finish();
    let imported = result?;
    let range = match (imported.first_sequence, imported.last_sequence) {
        (Some(a), Some(b)) => format!(" as sequences {a} to {b}"),
        _ => String::new(),
    };
    let resumed = if resume {
        format!(
            " ({} were in the log already{})",
            imported.skipped,
            match imported.repaired {
                0 => String::new(),
                n => format!("; {n} key objects left behind were written"),
            }
        )
    } else {
        String::new()
    };
    note(format_args!(
        "imported {} lines{range}{resumed}",
        imported.appended
    ));
    Ok(ExitStatus::Success)
}
