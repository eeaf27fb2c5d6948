//! `immukv import`: append JSON lines `{"key": ..., "value": ...}` in file order,
//! pipelined, exactly once per line, resumable.
//!
//! A `set` costs three sequential round trips (read the log head and the key's ETag,
//! PUT the log, PUT the key object). In a bulk append the head is already known (the
//! previous append's answer carries the log's new ETag) and the key ETags can be read
//! ahead, so each line needs one sequential round trip, its log PUT; the key-object
//! PUT runs beside the following appends, at most [`WINDOW`] at once. Only a line
//! whose key is still being written waits for that write (its entry records the key
//! object's ETag).
//!
//! Exactly once: an append that did not clearly succeed is finished by
//! [`Store::set_after`], which first looks for that very entry in the log. Resumable:
//! before the first write, a journal in the cache folder records where the log stood
//! and a digest of the input; `--resume` walks the log above that point, matches its
//! entries to the input's lines in order (other writers' entries are passed over),
//! writes any key object the interruption left behind, and continues after the last
//! line found.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;

use super::Tally;
use super::entry::LogEntry;
use super::head::StoreId;
use super::store::{Appended, Expect, KeyObject, Lag, Store, StoreError, Tip};
use crate::cache::{CacheDir, CacheError, CacheFile, Document};
use crate::pyjson::{self, Json};

/// Key-object writes in flight beside the appends.
pub(crate) const WINDOW: usize = 32;

/// One line to append.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// 1-based, in the input.
    pub(crate) number: usize,
    pub(crate) key: String,
    pub(crate) value: Json,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ImportError {
    #[error("{source_name} line {line}: {reason}")]
    BadLine {
        source_name: String,
        line: usize,
        reason: String,
    },
    #[error(
        "line {line} (key {key:?}) is in the log, but its key object was not written \
         (`immukv import --resume` with the same input writes it)"
    )]
    KeyObjectLagging {
        line: usize,
        key: String,
        #[source]
        source: Box<Lag>,
    },
    #[error(
        "interrupted after {done} of {total} lines; `immukv import --resume` with the same input continues"
    )]
    Interrupted { done: usize, total: usize },
    #[error("no interrupted import into {0} is recorded in the cache folder: run without --resume")]
    NothingToResume(String),
    #[error(
        "the input is not the one whose import was interrupted (that one had {lines} lines, SHA-256 {digest}): \
         resume with the same input"
    )]
    OtherInput { lines: usize, digest: String },
    #[error(
        "the log no longer holds sequence {sequence} with hash {hash}, where the import started: \
         it was rewritten; refusing to resume"
    )]
    StartRewritten { sequence: i64, hash: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("{source_name} line {line}")]
    BadEntry {
        source_name: String,
        line: usize,
        #[source]
        source: StoreError,
    },
    #[error("a key-object write stopped unexpectedly")]
    Task(#[source] tokio::task::JoinError),
}

/// Parse the input: one `{"key": string, "value": any JSON}` per line (blank lines
/// skipped, other fields ignored), values read as Python's `json.loads` would.
pub(crate) fn parse_lines(text: &str, source_name: &str) -> Result<Vec<Line>, ImportError> {
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let bad = |reason: String| ImportError::BadLine {
            source_name: source_name.to_owned(),
            line: i + 1,
            reason,
        };
        if raw.trim().is_empty() {
            continue;
        }
        let v = pyjson::parse(raw).map_err(|e| bad(format!("not valid JSON ({e})")))?;
        let Json::Object(fields) = v else {
            return Err(bad("not a JSON object".into()));
        };
        let mut key = None;
        let mut value = None;
        for (name, v) in fields {
            match name.as_str() {
                "key" => key = Some(v),
                "value" => value = Some(v),
                _ => {}
            }
        }
        let key = match key {
            Some(Json::Str(k)) if !k.is_empty() => k,
            Some(_) => return Err(bad("\"key\" is not a non-empty string".into())),
            None => return Err(bad("no \"key\"".into())),
        };
        let value =
            value.ok_or_else(|| bad("no \"value\" (write \"value\": null for null)".into()))?;
        lines.push(Line {
            number: i + 1,
            key,
            value,
        });
    }
    Ok(lines)
}

/// The SHA-256 of the input, as the journal records it.
pub(crate) fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Where an import started, so that `--resume` can find its lines.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Journal {
    version: u32,
    store: Option<StoreId>,
    /// The log's newest sequence and hash before the first line (none: an empty log).
    start_sequence: Option<i64>,
    start_hash: Option<String>,
    input_sha256: String,
    lines: usize,
    finished: bool,
}

impl Document for Journal {
    fn parse(bytes: &[u8]) -> Result<Self, String> {
        crate::cache::parse_versioned(bytes, |d: &Self| d.version, 1)
    }

    fn render(&self) -> Result<Vec<u8>, String> {
        crate::cache::render_pretty(self)
    }
}

/// The journal of imports into one store.
pub(crate) struct ImportJournal {
    file: CacheFile,
    store: StoreId,
}

/// What an import did.
#[derive(Debug, Default)]
pub(crate) struct Imported {
    /// Lines appended by this run.
    pub(crate) appended: usize,
    /// Lines an interrupted run had appended already (`--resume`).
    pub(crate) skipped: usize,
    /// Key objects an interrupted run left behind, written now.
    pub(crate) repaired: usize,
    pub(crate) first_sequence: Option<i64>,
    pub(crate) last_sequence: Option<i64>,
}

impl ImportJournal {
    pub(crate) fn open(store: &StoreId) -> Result<Self, CacheError> {
        Ok(Self {
            file: CacheDir::open()?.file(&store.cache_name("import")),
            store: store.clone(),
        })
    }

    fn read(&self) -> Option<Journal> {
        self.file
            .read::<Journal>()
            .filter(|j| j.store.as_ref() == Some(&self.store))
    }

    /// An earlier import into this store that did not finish: its line count.
    pub(crate) fn unfinished(&self) -> Option<usize> {
        self.read().filter(|j| !j.finished).map(|j| j.lines)
    }

    fn start(
        &self,
        tip: Option<&LogEntry>,
        input_sha256: &str,
        lines: usize,
    ) -> Result<(), CacheError> {
        let store = self.store.clone();
        self.file.update(|j: &mut Journal| {
            *j = Journal {
                version: 1,
                store: Some(store),
                start_sequence: tip.map(|e| e.sequence),
                start_hash: tip.map(|e| e.hash.clone()),
                input_sha256: input_sha256.to_owned(),
                lines,
                finished: false,
            };
        })
    }

    fn finish(&self) -> Result<(), CacheError> {
        self.file.update(|j: &mut Journal| j.finished = true)
    }
}

/// Append `lines` (all of them, or with `resume` those an interrupted import of the same
/// input did not), calling `tick` per line done and stopping cleanly, with every write
/// in flight finished, once `stop` is set.
pub(crate) async fn import(
    store: Arc<Store>,
    journal: &ImportJournal,
    lines: &[Line],
    input_sha256: &str,
    resume: bool,
    stop: &AtomicBool,
    tally: &dyn Tally,
) -> Result<Imported, ImportError> {
    let mut imported = Imported::default();
    let rest = if resume {
        let recorded = journal
            .read()
            .ok_or_else(|| ImportError::NothingToResume(journal.store.to_string()))?;
        if recorded.input_sha256 != input_sha256 {
            return Err(ImportError::OtherInput {
                lines: recorded.lines,
                digest: recorded.input_sha256,
            });
        }
        let (done, repaired, last) = committed(&store, &recorded, lines).await?;
        imported.skipped = done;
        imported.repaired = repaired;
        imported.last_sequence = last;
        tally.done(done as u64);
        &lines[done..]
    } else {
        // Also refuses a read-only store or a deleted log before anything is recorded.
        let start = store.tip().await?;
        journal.start(start.entry.as_ref(), input_sha256, lines.len())?;
        lines
    };
    let mut pipeline = Pipeline {
        store: store.clone(),
        key_etags: HashMap::new(),
        in_flight: HashMap::new(),
        order: VecDeque::new(),
    };
    pipeline.read_key_etags(rest).await?;
    // The first append goes the careful way: it repairs an orphan and checks versioning.
    let mut tip = None;
    for (i, line) in rest.iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            pipeline.drain().await?;
            return Err(ImportError::Interrupted {
                done: imported.skipped + i,
                total: lines.len(),
            });
        }
        let entry = pipeline.append(&mut tip, line).await?;
        imported.first_sequence.get_or_insert(entry.sequence);
        imported.last_sequence = Some(entry.sequence);
        imported.appended += 1;
        tally.done(1);
    }
    pipeline.drain().await?;
    journal.finish()?;
    Ok(imported)
}

type KeyWrite = JoinHandle<Result<KeyObject, StoreError>>;

struct Pipeline {
    store: Arc<Store>,
    /// Each key's key-object ETag as last known (`None`: no key object).
    key_etags: HashMap<String, Option<String>>,
    /// Key-object writes under way, by key, with the line they belong to.
    in_flight: HashMap<String, (usize, KeyWrite)>,
    order: VecDeque<String>,
}

impl Pipeline {
    /// Read the ETag of every key in `lines` ahead, many at once.
    async fn read_key_etags(&mut self, lines: &[Line]) -> Result<(), StoreError> {
        let keys: HashSet<&str> = lines.iter().map(|l| l.key.as_str()).collect();
        let store = &self.store;
        let etags: Vec<(String, Option<String>)> =
            stream::iter(keys)
                .map(|key| async move {
                    Ok::<_, StoreError>((key.to_owned(), store.key_etag(key).await?))
                })
                .buffer_unordered(store.concurrency())
                .try_collect()
                .await?;
        self.key_etags.extend(etags);
        Ok(())
    }

    /// Wait for `key`'s key-object write, if one is under way, and learn its ETag.
    async fn settle(&mut self, key: &str) -> Result<(), ImportError> {
        let Some((line, handle)) = self.in_flight.remove(key) else {
            return Ok(());
        };
        match handle.await {
            Ok(Ok(KeyObject::Current {
                etag: Some(etag), ..
            })) => {
                self.key_etags.insert(key.to_owned(), Some(etag));
            }
            Ok(Ok(KeyObject::Current { etag: None, .. })) => {
                self.key_etags.remove(key);
            }
            Ok(Ok(KeyObject::Lagging(source))) => {
                return Err(ImportError::KeyObjectLagging {
                    line,
                    key: key.to_owned(),
                    source,
                });
            }
            Ok(Err(e)) => return Err(e.into()),
            Err(e) => return Err(ImportError::Task(e)),
        }
        Ok(())
    }

    /// Finish every key-object write under way.
    async fn drain(&mut self) -> Result<(), ImportError> {
        let mut first_error = None;
        while let Some(key) = self.order.pop_front() {
            if let Err(e) = self.settle(&key).await {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Append one line after `tip` (the careful way when `tip` is unknown) and start
    /// its key-object write; `tip` becomes the new entry.
    async fn append(
        &mut self,
        tip: &mut Option<Tip>,
        line: &Line,
    ) -> Result<LogEntry, ImportError> {
        self.settle(&line.key).await?;
        while self.in_flight.len() >= WINDOW {
            if let Some(oldest) = self.order.pop_front() {
                self.settle(&oldest).await?;
            }
        }
        let key_etag = match self.key_etags.get(&line.key) {
            Some(etag) => etag.clone(),
            None => self.store.key_etag(&line.key).await?,
        };
        let unsure = match tip
            .as_ref()
            .filter(|t| t.etag.is_some() && t.entry.is_some())
        {
            Some(t) => match self
                .store
                .append_after(t, &line.key, &line.value, key_etag.clone())
                .await?
            {
                Appended::Committed(entry, etag) => {
                    self.start_key_write(line, &entry, key_etag);
                    *tip = Some(Tip {
                        entry: Some(entry.clone()),
                        etag,
                    });
                    return Ok(entry);
                }
                Appended::Unsure(entry) => Some((entry, key_etag)),
            },
            None => None,
        };
        // The careful way: with nothing else in flight, so that the log's newest entry
        // is the only one whose key object may lag.
        self.drain().await?;
        let written = self
            .store
            .set_after(&line.key, &line.value, false, unsure)
            .await?;
        match written.key_etag {
            Some(etag) => self.key_etags.insert(line.key.clone(), Some(etag)),
            None => self.key_etags.remove(&line.key),
        };
        *tip = Some(Tip {
            entry: Some(written.entry.clone()),
            etag: written.log_etag,
        });
        Ok(written.entry)
    }

    fn start_key_write(&mut self, line: &Line, entry: &LogEntry, expected: Option<String>) {
        let store = self.store.clone();
        let entry = entry.clone();
        let handle = tokio::spawn(async move {
            store
                .ensure_key_object(&entry, Expect::Etag(expected.as_deref()))
                .await
        });
        self.key_etags.remove(&line.key);
        self.in_flight
            .insert(line.key.clone(), (line.number, handle));
        self.order.push_back(line.key.clone());
    }
}

/// How many of `lines` an interrupted import appended (matched in order against the
/// log above where it started), how many key objects it left behind and were written
/// now, and the sequence of the last line found.
async fn committed(
    store: &Store,
    journal: &Journal,
    lines: &[Line],
) -> Result<(usize, usize, Option<i64>), ImportError> {
    let log = store.log_key();
    let mut above = Vec::new();
    let mut reached_start = journal.start_sequence.is_none();
    let mut entries = std::pin::pin!(store.log_entries(&log, None));
    while let Some(entry) = entries.try_next().await? {
        if let Some(start) = journal.start_sequence
            && entry.sequence <= start
        {
            if entry.sequence < start || Some(&entry.hash) != journal.start_hash.as_ref() {
                break;
            }
            reached_start = true;
            break;
        }
        above.push(entry);
    }
    if !reached_start {
        return Err(ImportError::StartRewritten {
            sequence: journal.start_sequence.unwrap_or(-1),
            hash: journal.start_hash.clone().unwrap_or_default(),
        });
    }
    above.reverse();
    let mut done = 0;
    let mut ours = Vec::new();
    for entry in &above {
        if let Some(line) = lines.get(done)
            && entry.key == line.key
            && entry.value_raw == line.value.canonical()
        {
            done += 1;
            ours.push(entry);
        }
    }
    // The newest entry of each key above the start: where it is one of ours, its key
    // object must hold it (the interruption may have cut its write short).
    let mut newest: HashMap<&str, &LogEntry> = HashMap::new();
    for entry in &above {
        newest.insert(entry.key.as_str(), entry);
    }
    let behind: Vec<&LogEntry> = ours
        .iter()
        .rev()
        .take(2 * WINDOW + 2)
        .filter(|e| {
            newest
                .get(e.key.as_str())
                .is_some_and(|n| n.sequence == e.sequence)
        })
        .copied()
        .collect();
    let repaired: Vec<bool> = stream::iter(behind)
        .map(|entry| async move {
            match store.ensure_key_object(entry, Expect::Unknown).await? {
                KeyObject::Current { wrote, .. } => Ok::<_, StoreError>(wrote),
                KeyObject::Lagging(source) => Err(StoreError::CommittedBehind {
                    sequence: entry.sequence,
                    object: store.key_path(&entry.key)?,
                    source,
                }),
            }
        })
        .buffer_unordered(store.concurrency())
        .try_collect()
        .await?;
    let last = ours.last().map(|e| e.sequence);
    Ok((done, repaired.into_iter().filter(|r| *r).count(), last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_strictly() {
        let lines = parse_lines(
            "{\"key\": \"a\", \"value\": 1.0}\n\n{\"value\": null, \"key\": \"b\", \"note\": 1}\n",
            "in.jsonl",
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (lines[0].number, lines[0].value.canonical()),
            (1, "1.0".into())
        );
        assert_eq!((lines[1].number, lines[1].key.as_str()), (3, "b"));
        for (bad, why) in [
            ("[1]", "line 1: not a JSON object"),
            ("{\"key\": \"a\"}", "line 1: no \"value\""),
            ("{\"key\": 5, \"value\": 1}", "line 1: \"key\" is not"),
            ("{\"key\": \"a\", \"value\": NaN}", "line 1: not valid JSON"),
        ] {
            let e = parse_lines(bad, "in.jsonl").unwrap_err().to_string();
            assert!(e.starts_with(&format!("in.jsonl {why}")), "{e}");
        }
    }
}
