//! A store's log as a file: `immukv export` writes every log version, oldest first, as
//! one JSON line (the stored body byte for byte, with its `version_id`); `immukv verify
//! --file` checks such a dump with no AWS access at all, so that an auditor can verify
//! a copy handed to them.
//!
//! S3 lists versions newest first. The export spills the version ids to an unlinked
//! temporary file a listing page at a time and reads the pages back in reverse, so its
//! memory stays one page of ids (about 64 KiB, plus 16 bytes per page) whatever the
//! log's length.

use std::fs::File;
use std::io::{BufRead, Read, Seek, SeekFrom, Write};
use std::path::Path;

use futures_util::{StreamExt, TryStreamExt, stream};

use super::Tally;
use super::entry::LogEntry;
use super::head::Head;
use super::retention::{Expired, Retention, Rules, Unexpired, judge_gap};
use super::store::{ListedVersion, MAX_OBJECT_BYTES, Store, StoreError};
use super::verify::{ChainError, ChainSummary, ForwardCheck, Start};

/// Version ids per spilled page: one ListObjectVersions page.
const PAGE: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub(crate) enum DumpError {
    #[error("cannot read {file}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot spill the log's version ids to a temporary file")]
    Spill(#[source] std::io::Error),
    #[error("{file} line {line} is not an exported log entry: {reason}")]
    Malformed {
        file: String,
        line: usize,
        reason: String,
    },
    #[error("{file} line {line}: {source}")]
    Chain {
        file: String,
        line: usize,
        #[source]
        source: Box<ChainError>,
    },
    #[error(
        "{file} line {line} holds sequence {} as version {found_version} with hash {found_hash}, \
         but the checkpoint (verified at {}) has version {} with hash {}: the log was rewritten",
        head.sequence, head.verified_at, head.log_version_id, head.hash
    )]
    Rewritten {
        file: String,
        line: usize,
        head: Box<Head>,
        found_version: String,
        found_hash: String,
    },
    #[error(
        "{file} ends {ends}, before the checkpoint's sequence {} (verified at {}): entries were dropped from its end",
        head.sequence, head.verified_at
    )]
    Truncated {
        file: String,
        ends: String,
        head: Box<Head>,
    },
    #[error("the export's own chain does not verify ({source}); all {count} entries were written")]
    Exported {
        count: usize,
        #[source]
        source: Box<ChainError>,
    },
    #[error("{source}; all {count} entries were written")]
    ExportedUnexpired {
        count: usize,
        #[source]
        source: Box<Unexpired>,
    },
    #[error(
        "{file} starts at sequence {first}, above the checkpoint's sequence {} (verified at {}): its entry \
         expired before the export; take checkpoints more often than the log's retention period",
        head.sequence, head.verified_at
    )]
    CheckpointExpired {
        file: String,
        first: i64,
        head: Box<Head>,
    },
    #[error("{source}")]
    Unexpired {
        file: String,
        #[source]
        source: Box<Unexpired>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export")]
    Write(#[source] std::io::Error),
}

/// What an export wrote.
#[derive(Debug)]
pub(crate) struct Exported {
    pub(crate) chain: ChainSummary,
    /// The oldest part of the log, gone under its retention.
    pub(crate) expired: Option<Expired>,
}

/// Version ids in an unlinked temporary file, page by page.
struct Spill {
    file: File,
    /// Offset and length of each page, in listing order (newest first).
    pages: Vec<(u64, u64)>,
    buffer: Vec<u8>,
    end: u64,
}

impl Spill {
    fn new() -> std::io::Result<Self> {
        let dir = std::env::temp_dir();
        for attempt in 0u32..16 {
            let path = dir.join(format!(
                ".immukv-export-{}-{:016x}-{attempt}",
                std::process::id(),
                crate::time::random_u64()
            ));
            match crate::fsutil::create_new(&path, 0o600) {
                Ok(file) => {
                    // Gone from the folder at once; the open file lives until dropped.
                    std::fs::remove_file(&path)?;
                    return Ok(Self {
                        file,
                        pages: Vec::new(),
                        buffer: Vec::new(),
                        end: 0,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other("no free temporary file name"))
    }

    fn push(&mut self, version: &ListedVersion) -> std::io::Result<()> {
        let len = u32::try_from(version.id.len()).map_err(std::io::Error::other)?;
        self.buffer.extend_from_slice(&len.to_le_bytes());
        self.buffer.extend_from_slice(version.id.as_bytes());
        let time = version.last_modified_ms.unwrap_or(i64::MIN);
        self.buffer.extend_from_slice(&time.to_le_bytes());
        if self.buffer.len() >= PAGE * 64 {
            self.flush_page()?;
        }
        Ok(())
    }

    fn flush_page(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.file.write_all(&self.buffer)?;
        let len = self.buffer.len() as u64;
        self.pages.push((self.end, len));
        self.end += len;
        self.buffer.clear();
        Ok(())
    }

    /// The versions of page `i` (counted from the newest), oldest first.
    fn page_oldest_first(&mut self, i: usize) -> std::io::Result<Vec<ListedVersion>> {
        let (offset, len) = self.pages[i];
        let mut bytes = vec![0; usize::try_from(len).map_err(std::io::Error::other)?];
        self.file.seek(SeekFrom::Start(offset))?;
        self.file.read_exact(&mut bytes)?;
        let mut ids = Vec::new();
        let mut rest = bytes.as_slice();
        while let Some((head, tail)) = rest.split_first_chunk::<4>() {
            let n = u32::from_le_bytes(*head) as usize;
            let (id, tail) = tail.split_at(n.min(tail.len()));
            let (time, tail) = tail.split_first_chunk::<8>().unwrap_or((&[0; 8], &[]));
            let time = i64::from_le_bytes(*time);
            ids.push(ListedVersion {
                id: String::from_utf8_lossy(id).into_owned(),
                last_modified_ms: (time != i64::MIN).then_some(time),
            });
            rest = tail;
        }
        ids.reverse();
        Ok(ids)
    }
}

/// Write every log entry of `store`, oldest first, one line each, to `out`, checking
/// the chain on the way; `tick` once per entry. A log whose oldest entries are gone
/// must owe that to its retention (the bucket's rules, else `declared`).
pub(crate) async fn export(
    store: &Store,
    out: &mut dyn Write,
    declared: Option<&Retention>,
    now_ms: i64,
    tally: &dyn Tally,
) -> Result<Exported, DumpError> {
    let log = store.log_key();
    let mut spill = Spill::new().map_err(DumpError::Spill)?;
    let mut listed = std::pin::pin!(store.versions(&log, None));
    let mut total: i64 = 0;
    while let Some(version) = listed.try_next().await? {
        spill.push(&version).map_err(DumpError::Spill)?;
        total += 1;
    }
    spill.flush_page().map_err(DumpError::Spill)?;
    tally.total(total.unsigned_abs());

    let mut check = ForwardCheck::default();
    let mut broken = None;
    let mut oldest = None;
    let mut count = 0;
    for page in (0..spill.pages.len()).rev() {
        let versions = spill.page_oldest_first(page).map_err(DumpError::Spill)?;
        let mut entries = std::pin::pin!(
            stream::iter(versions)
                .map(|listed| async move {
                    let (mut entry, body) = store.log_version_raw(&listed.id).await?;
                    entry.stored_ms = listed.last_modified_ms.or(entry.stored_ms);
                    Ok::<_, StoreError>((entry, body))
                })
                .buffered(store.concurrency())
        );
        while let Some((entry, body)) = entries.try_next().await? {
            let version = entry.version_id.clone().unwrap_or_default();
            let line = LogEntry::exported_line(&body, &version, entry.stored_ms).map_err(|e| {
                StoreError::Malformed {
                    object: format!("{log} (version {version})"),
                    reason: e.0,
                }
            })?;
            if oldest.is_none() {
                oldest = Some(entry.clone());
            }
            out.write_all(line.as_bytes()).map_err(DumpError::Write)?;
            out.write_all(b"\n").map_err(DumpError::Write)?;
            if broken.is_none()
                && let Err(e) = check.push(entry)
            {
                broken = Some(e);
            }
            count += 1;
            tally.done(1);
        }
    }
    out.flush().map_err(DumpError::Write)?;
    if let Some(source) = broken {
        return Err(DumpError::Exported {
            count,
            source: Box::new(source),
        });
    }
    let expired = match (check.start(), &oldest) {
        (Some(Start::After), Some(oldest)) => {
            let judged = store
                .judge_log_gap(oldest, total - 1, None, declared, now_ms)
                .await?;
            Some(judged.map_err(|source| DumpError::ExportedUnexpired {
                count,
                source: Box::new(source),
            })?)
        }
        _ => None,
    };
    Ok(Exported {
        chain: check.finish(),
        expired,
    })
}

/// The entries of a dump, one per line (blank lines passed over), each at most an
/// entry's size: a line that is not an exported entry is an error naming it.
struct DumpLines<'a> {
    input: &'a mut dyn BufRead,
    name: &'a str,
    /// The number of the line read last.
    line: usize,
    buf: Vec<u8>,
}

impl DumpLines<'_> {
    fn next_entry(&mut self) -> Result<Option<LogEntry>, DumpError> {
        let limit = MAX_OBJECT_BYTES + 4096;
        loop {
            self.buf.clear();
            let n = (&mut *self.input)
                .take(limit + 1)
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| DumpError::Read {
                    file: self.name.to_owned(),
                    source,
                })?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            let malformed = |reason: String| DumpError::Malformed {
                file: self.name.to_owned(),
                line: self.line,
                reason,
            };
            if n as u64 > limit {
                return Err(malformed(format!("longer than {limit} bytes")));
            }
            let text = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return LogEntry::parse_exported(text)
                .map(Some)
                .map_err(|e| malformed(e.0));
        }
    }
}

/// What an offline verify found.
#[derive(Debug)]
pub(crate) struct DumpVerified {
    pub(crate) chain: ChainSummary,
    /// The oldest entry's sequence.
    pub(crate) first: Option<i64>,
    /// The newest entry's sequence and version.
    pub(crate) newest: Option<(i64, String)>,
    /// The oldest part of the log, missing from the dump, and why that is fine.
    pub(crate) expired: Option<Expired>,
}

/// Verify a dump read from `input` (named `file` in messages): every line an exported
/// entry, the chain intact in file order from genesis (or from an entry after it, when
/// the checkpoint's head in the dump anchors it or the `declared` retention explains
/// the gap at S3's recorded times), and, given a checkpoint, its head in the dump
/// unchanged. Reads nothing but `input`.
pub(crate) fn verify_dump(
    file: &Path,
    input: &mut dyn BufRead,
    checkpoint: Option<&Head>,
    declared: Option<&Retention>,
    now_ms: i64,
    tally: &dyn Tally,
) -> Result<DumpVerified, DumpError> {
    let name = file.display().to_string();
    let mut check = ForwardCheck::default();
    let mut seen_checkpoint = false;
    let mut first = None;
    let mut lines: i64 = 0;
    let mut reader = DumpLines {
        input,
        name: &name,
        line: 0,
        buf: Vec::new(),
    };
    while let Some(entry) = reader.next_entry()? {
        let line_no = reader.line;
        if let Some(head) = checkpoint
            && entry.sequence == head.sequence
        {
            let version = entry.version_id.clone().unwrap_or_default();
            if version != head.log_version_id || entry.hash != head.hash {
                return Err(DumpError::Rewritten {
                    file: name,
                    line: line_no,
                    head: Box::new(head.clone()),
                    found_version: version,
                    found_hash: entry.hash,
                });
            }
            seen_checkpoint = true;
        }
        if first.is_none() {
            if let Some(head) = checkpoint
                && head.sequence < entry.sequence
            {
                return Err(DumpError::CheckpointExpired {
                    file: name,
                    first: entry.sequence,
                    head: Box::new(head.clone()),
                });
            }
            first = Some(entry.clone());
        }
        lines += 1;
        check.push(entry).map_err(|source| DumpError::Chain {
            file: name.clone(),
            line: line_no,
            source: Box::new(source),
        })?;
        tally.done(1);
    }
    let newest = check
        .newest()
        .map(|e| (e.sequence, e.version_id.clone().unwrap_or_default()));
    if let Some(head) = checkpoint
        && !seen_checkpoint
    {
        return Err(DumpError::Truncated {
            file: name,
            ends: match &newest {
                Some((sequence, _)) => format!("at sequence {sequence}"),
                None => "with no entries".to_owned(),
            },
            head: Box::new(head.clone()),
        });
    }
    let expired = match (check.start(), &first) {
        (Some(Start::After), Some(oldest)) => Some(
            judge_gap(
                &name,
                oldest,
                lines - 1,
                checkpoint
                    .filter(|_| seen_checkpoint)
                    .map(|head| head.sequence),
                &Rules::offline(declared),
                now_ms,
            )
            .map_err(|source| DumpError::Unexpired {
                file: name.clone(),
                source: Box::new(source),
            })?,
        ),
        _ => None,
    };
    Ok(DumpVerified {
        chain: check.finish(),
        first: first.map(|e| e.sequence),
        newest,
        expired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;
    /// When S3 stored entry 0 (2026-01-10T10:30:00Z); one a day after it.
    const STORED: i64 = 1_768_041_000_000;

    fn dump(n: i64) -> Vec<String> {
        let mut entries = crate::immukv::verify::tests::chain(n);
        entries.reverse();
        entries
            .iter()
            .map(|e| {
                let version = e.version_id.as_deref().unwrap_or_default();
                let stored = STORED + e.sequence * DAY;
                LogEntry::exported_line(e.log_body().as_bytes(), version, Some(stored)).unwrap()
            })
            .collect()
    }

    fn verify(lines: &[String], checkpoint: Option<&Head>) -> Result<DumpVerified, DumpError> {
        verify_at(lines, checkpoint, None, STORED + 10 * DAY)
    }

    fn verify_at(
        lines: &[String],
        checkpoint: Option<&Head>,
        declared: Option<&Retention>,
        now_ms: i64,
    ) -> Result<DumpVerified, DumpError> {
        let text = lines.join("\n") + "\n";
        verify_dump(
            Path::new("dump.jsonl"),
            &mut text.as_bytes(),
            checkpoint,
            declared,
            now_ms,
            &(),
        )
    }

    fn head(line: &str) -> Head {
        let e = LogEntry::parse_exported(line.as_bytes()).unwrap();
        Head {
            sequence: e.sequence,
            log_version_id: e.version_id.unwrap(),
            hash: e.hash,
            verified_at: "2026-11-24T00:00:00Z".into(),
        }
    }

    /// A dump whose oldest lines are gone verifies only when a checkpoint in it anchors
    /// it, or the declared retention explains the gap at S3's recorded times.
    #[test]
    fn a_dump_that_starts_after_genesis() {
        let lines = dump(8);
        let tail = &lines[3..];
        // Nothing says why sequences 0-2 are gone.
        let e = verify(tail, None).unwrap_err();
        assert!(
            matches!(&e, DumpError::Unexpired { source, .. } if source.oldest == 3),
            "{e}"
        );
        // A checkpoint within the dump anchors it, no rule needed.
        let anchored = verify(tail, Some(&head(&lines[5]))).unwrap();
        assert_eq!(anchored.first, Some(3));
        assert_eq!(
            anchored.expired.unwrap().to_string(),
            "sequences 0-2 are gone below the verified head at sequence 5, which anchors the chain"
        );
        // A checkpoint whose entry is gone too cannot.
        let e = verify(tail, Some(&head(&lines[1])))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("starts at sequence 3, above the checkpoint's sequence 1")
                && e.contains("take checkpoints more often"),
            "{e}"
        );
        // Sequence 2 became noncurrent when 3 was stored, on day 3: a 1-day rule
        // explains the gap from the end of day 4 on, not before.
        let rule = Retention {
            days: 1,
            keep: 0,
            source: crate::immukv::retention::Source::Flag("--declared-retention"),
        };
        let ok = verify_at(tail, None, Some(&rule), STORED + 5 * DAY).unwrap();
        assert_eq!(
            ok.expired.unwrap().to_string(),
            "sequences 0-2 expired under --declared-retention 1 (noncurrent for 1 days)"
        );
        let e = verify_at(tail, None, Some(&rule), STORED + 4 * DAY)
            .unwrap_err()
            .to_string();
        assert!(e.contains("they were deleted, not expired"), "{e}");
        // Keeping more noncurrent versions than the dump has left: not retention.
        let keep = Retention {
            keep: 5,
            ..rule.clone()
        };
        let e = verify_at(tail, None, Some(&keep), STORED + 30 * DAY)
            .unwrap_err()
            .to_string();
        assert!(e.contains("only 4 noncurrent versions are left"), "{e}");
        // A dump without S3's times (an older export) cannot be judged by a rule.
        let undated: Vec<String> = tail
            .iter()
            .map(|l| {
                let start = l.find(",\"last_modified\"").unwrap();
                let end = l[start + 1..].find(",\"").unwrap() + start + 1;
                format!("{}{}", &l[..start], &l[end..])
            })
            .collect();
        assert!(verify_at(&undated, None, Some(&rule), STORED + 30 * DAY).is_err());
    }

    #[test]
    fn a_dump_verifies_and_each_defect_is_named() {
        let lines = dump(6);
        let ok = verify(&lines, None).unwrap();
        assert_eq!(ok.chain.count, 6);
        assert_eq!(ok.newest, Some((5, "v5".into())));

        let mut changed = lines.clone();
        changed[3] = changed[3].replace("\"value\":3", "\"value\":30");
        let e = verify(&changed, None).unwrap_err().to_string();
        assert!(
            e.starts_with("dump.jsonl line 4: broken chain at sequence 3"),
            "{e}"
        );

        let mut dropped = lines.clone();
        dropped.remove(2);
        let e = verify(&dropped, None).unwrap_err().to_string();
        assert!(
            e.starts_with("dump.jsonl line 3: sequence 2 is missing between"),
            "{e}"
        );

        let mut reordered = lines.clone();
        reordered.swap(4, 5);
        let e = verify(&reordered, None).unwrap_err().to_string();
        assert!(
            e.starts_with("dump.jsonl line 5: sequence 4 is missing between"),
            "{e}"
        );

        let e = verify(&lines[1..], None).unwrap_err().to_string();
        assert!(
            e.starts_with("sequence 0 is missing from dump.jsonl"),
            "{e}"
        );

        let mut garbage = lines.clone();
        garbage[1] = "{\"key\": 1}".into();
        let e = verify(&garbage, None).unwrap_err().to_string();
        assert!(
            e.starts_with("dump.jsonl line 2 is not an exported log entry"),
            "{e}"
        );

        // Dropping the newest lines only a checkpoint can tell.
        let head = Head {
            sequence: 5,
            log_version_id: "v5".into(),
            hash: LogEntry::parse_exported(lines[5].as_bytes()).unwrap().hash,
            verified_at: "2026-11-24T00:00:00Z".into(),
        };
        assert!(verify(&lines, Some(&head)).is_ok());
        let e = verify(&lines[..5], Some(&head)).unwrap_err().to_string();
        assert!(
            e.contains("ends at sequence 4, before the checkpoint's sequence 5"),
            "{e}"
        );
        let other = Head {
            log_version_id: "v9".into(),
            ..head
        };
        let e = verify(&lines, Some(&other)).unwrap_err().to_string();
        assert!(e.contains("line 6 holds sequence 5 as version v5"), "{e}");
    }
}
