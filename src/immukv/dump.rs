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

use super::audit::Head;
use super::entry::LogEntry;
use super::store::{MAX_OBJECT_BYTES, Store, StoreError};
use super::verify::{ChainError, ChainSummary, ForwardCheck};

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
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export")]
    Write(#[source] std::io::Error),
}

/// What an export wrote.
#[derive(Debug)]
pub(crate) struct Exported {
    pub(crate) chain: ChainSummary,
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
        use std::os::unix::fs::OpenOptionsExt;
        let dir = std::env::temp_dir();
        for attempt in 0u32..16 {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let path = dir.join(format!(
                ".immukv-export-{}-{nanos}-{attempt}",
                std::process::id()
            ));
            match std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
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

    fn push(&mut self, id: &str) -> std::io::Result<()> {
        let len = u32::try_from(id.len()).map_err(std::io::Error::other)?;
        self.buffer.extend_from_slice(&len.to_le_bytes());
        self.buffer.extend_from_slice(id.as_bytes());
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

    /// The ids of page `i` (counted from the newest), oldest first.
    fn page_oldest_first(&mut self, i: usize) -> std::io::Result<Vec<String>> {
        let (offset, len) = self.pages[i];
        let mut bytes = vec![0; usize::try_from(len).map_err(std::io::Error::other)?];
        self.file.seek(SeekFrom::Start(offset))?;
        self.file.read_exact(&mut bytes)?;
        let mut ids = Vec::new();
        let mut rest = bytes.as_slice();
        while let Some((head, tail)) = rest.split_first_chunk::<4>() {
            let n = u32::from_le_bytes(*head) as usize;
            let (id, tail) = tail.split_at(n.min(tail.len()));
            ids.push(String::from_utf8_lossy(id).into_owned());
            rest = tail;
        }
        ids.reverse();
        Ok(ids)
    }
}

/// Write every log entry of `store`, oldest first, one line each, to `out`, checking
/// the chain on the way; `tick` once per entry.
pub(crate) async fn export(
    store: &Store,
    out: &mut dyn Write,
    tick: &dyn Fn(),
) -> Result<Exported, DumpError> {
    let log = store.log_key();
    let mut spill = Spill::new().map_err(DumpError::Spill)?;
    let mut ids = std::pin::pin!(store.versions(&log, None));
    while let Some(id) = ids.try_next().await? {
        spill.push(&id).map_err(DumpError::Spill)?;
    }
    spill.flush_page().map_err(DumpError::Spill)?;

    let mut check = ForwardCheck::default();
    let mut broken = None;
    let mut count = 0;
    for page in (0..spill.pages.len()).rev() {
        let ids = spill.page_oldest_first(page).map_err(DumpError::Spill)?;
        let mut entries = std::pin::pin!(
            stream::iter(ids)
                .map(|id| async move { store.log_version_raw(&id).await })
                .buffered(store.concurrency())
        );
        while let Some((entry, body)) = entries.try_next().await? {
            let version = entry.version_id.clone().unwrap_or_default();
            let line =
                LogEntry::exported_line(&body, &version).map_err(|e| StoreError::Malformed {
                    object: format!("{log} (version {version})"),
                    reason: e.0,
                })?;
            out.write_all(line.as_bytes()).map_err(DumpError::Write)?;
            out.write_all(b"\n").map_err(DumpError::Write)?;
            if broken.is_none()
                && let Err(e) = check.push(entry)
            {
                broken = Some(e);
            }
            count += 1;
            tick();
        }
    }
    out.flush().map_err(DumpError::Write)?;
    match broken {
        Some(source) => Err(DumpError::Exported {
            count,
            source: Box::new(source),
        }),
        None => Ok(Exported {
            chain: check.finish(),
        }),
    }
}

/// What an offline verify found.
#[derive(Debug)]
pub(crate) struct DumpVerified {
    pub(crate) chain: ChainSummary,
    /// The newest entry's sequence and version.
    pub(crate) newest: Option<(i64, String)>,
}

/// Verify a dump read from `input` (named `file` in messages): every line an exported
/// entry, the chain intact from genesis in file order, and, given a checkpoint, its
/// head in the dump unchanged. Reads nothing but `input`.
pub(crate) fn verify_dump(
    file: &Path,
    input: &mut dyn BufRead,
    checkpoint: Option<&Head>,
    tick: &dyn Fn(),
) -> Result<DumpVerified, DumpError> {
    let name = file.display().to_string();
    let mut check = ForwardCheck::default();
    let mut line_no = 0;
    let mut seen_checkpoint = false;
    let mut buf = Vec::new();
    let limit = MAX_OBJECT_BYTES + 4096;
    loop {
        buf.clear();
        let n = input
            .take(limit + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|source| DumpError::Read {
                file: name.clone(),
                source,
            })?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let malformed = |reason: String| DumpError::Malformed {
            file: name.clone(),
            line: line_no,
            reason,
        };
        if n as u64 > limit {
            return Err(malformed(format!("longer than {limit} bytes")));
        }
        let text = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let entry = LogEntry::parse_exported(text).map_err(|e| malformed(e.0))?;
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
        check.push(entry).map_err(|source| DumpError::Chain {
            file: name.clone(),
            line: line_no,
            source: Box::new(source),
        })?;
        tick();
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
    Ok(DumpVerified {
        chain: check.finish(),
        newest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(n: i64) -> Vec<String> {
        let mut entries = crate::immukv::verify::tests::chain(n);
        entries.reverse();
        entries
            .iter()
            .map(|e| {
                let version = e.version_id.as_deref().unwrap_or_default();
                LogEntry::exported_line(e.log_body().as_bytes(), version).unwrap()
            })
            .collect()
    }

    fn verify(lines: &[String], checkpoint: Option<&Head>) -> Result<DumpVerified, DumpError> {
        let text = lines.join("\n") + "\n";
        verify_dump(
            Path::new("dump.jsonl"),
            &mut text.as_bytes(),
            checkpoint,
            &|| {},
        )
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
        assert!(e.starts_with("dump.jsonl line 3: broken link"), "{e}");

        let mut reordered = lines.clone();
        reordered.swap(4, 5);
        let e = verify(&reordered, None).unwrap_err().to_string();
        assert!(e.starts_with("dump.jsonl line 5: broken link"), "{e}");

        let e = verify(&lines[1..], None).unwrap_err().to_string();
        assert!(e.contains("line 1: the oldest entry (sequence 1"), "{e}");

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
