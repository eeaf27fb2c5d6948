//! The secret cache under `~/.cdk/cache`, shared with other tools.
//!
//! Guarantees, for every file in it:
//! - the folder belongs to this user and is 0700 (on Windows: a protected DACL that
//!   grants this user and SYSTEM alone): a folder another tool created with the default
//!   umask is tightened, one that belongs to someone else is not trusted;
//! - files are created 0600 (owner-only from their creation on Windows); a file that
//!   is not a plain file of this user (a link, a file someone else planted, on Windows
//!   one others may read) is never read;
//! - writes go to a temp file in the same folder, are synced, then renamed over the
//!   old file, so a reader sees the old or the new content, never a torn write;
//! - every read-modify-write holds an exclusive lock (`flock`, `LockFileEx`) on a
//!   sidecar lock file (`.NAME.lock`), so concurrent processes never lose each other's
//!   entries;
//! - a corrupt or unreadable file is a miss with one warning on stderr, and before
//!   anything is written over it, it is renamed aside (`NAME.corrupt-<time>`).
//!
//! The folder is `$CDK_CACHE_DIR` when set, else `~/.cdk/cache` (`%USERPROFILE%\.cdk\cache`
//! on Windows, where the Python tools keep it).

mod document;

pub(crate) use document::{Document, Entry, EntryMap, now_unix, parse_versioned, render_pretty};

use std::fs;
use std::io;
use std::path::PathBuf;

use crate::diag::{note, warn_once};
use crate::fsutil::{FOLDER_FIX, FileLock, GroupWrite, PrivateFile, Trust};

#[derive(Debug, thiserror::Error)]
pub(crate) enum CacheError {
    #[error(
        "cannot find the home folder: set HOME or {}",
        crate::env::CDK_CACHE_DIR
    )]
    NoHome,
    #[error(
        "the cache folder {} belongs to {owner}, not to you ({me}): remove it, or set {} to a folder of yours",
        path.display(),
        crate::env::CDK_CACHE_DIR
    )]
    NotMine {
        path: PathBuf,
        owner: String,
        me: String,
    },
    #[error(
        "the cache folder {} is open to other users ({why}): make it yours alone ({FOLDER_FIX}), \
         or set {} to a folder of yours",
        path.display(),
        crate::env::CDK_CACHE_DIR
    )]
    OpenToOthers { path: PathBuf, why: String },
    #[error("cannot create the cache folder {}", path.display())]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("cannot lock the cache file {}", path.display())]
    Lock { path: PathBuf, source: io::Error },
    #[error("cannot write the cache file {}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot set aside the unreadable cache file {}", path.display())]
    SetAside { path: PathBuf, source: io::Error },
}

/// The largest cache file read: a remembered head with the state of a million keys.
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The cache folder.
#[derive(Debug, Clone)]
pub(crate) struct CacheDir {
    path: PathBuf,
}

impl CacheDir {
    /// `$CDK_CACHE_DIR`, else `$HOME/.cdk/cache`, checked before anything in it is
    /// trusted. Nothing is created until a write.
    pub(crate) fn open() -> Result<Self, CacheError> {
        let path = match crate::env::var(crate::env::CDK_CACHE_DIR) {
            Some(dir) => PathBuf::from(dir),
            None => dirs::home_dir()
                .ok_or(CacheError::NoHome)?
                .join(".cdk")
                .join("cache"),
        };
        Self::at(path)
    }

    /// The folder at `path`, checked as [`CacheDir::open`] checks it.
    pub(crate) fn at(path: PathBuf) -> Result<Self, CacheError> {
        let dir = Self { path };
        dir.check()?;
        Ok(dir)
    }

    /// The path of the file `name` in the folder.
    pub(crate) fn path_of(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Whether `path` is a file directly in the folder.
    pub(crate) fn holds(&self, path: &std::path::Path) -> bool {
        path.parent().is_some_and(|p| p == self.path)
    }

    pub(crate) fn file(&self, name: &str) -> CacheFile {
        CacheFile {
            dir: self.path.clone(),
            path: self.path.join(name),
            file: PrivateFile::new(self.path.join(name)),
            name: name.to_owned(),
        }
    }

    /// A folder of someone else, or one that others may write into, is refused: they
    /// could have planted entries. On Unix, one of ours that others may only read
    /// (another tool created it with the default umask) is narrowed to 0700, and group
    /// write is accepted and removed only for this user's own group (user-private
    /// groups, umask 002); on Windows, one that others may read, or a link or a
    /// junction, is refused too.
    fn check(&self) -> Result<(), CacheError> {
        let Ok(meta) = fs::metadata(&self.path) else {
            return Ok(());
        };
        if !meta.is_dir() {
            // Reads miss and writes fail with a clear error in `ensure`.
            return Ok(());
        }
        match crate::fsutil::trust(
            &self.path,
            &meta,
            None,
            "the cache folder",
            GroupWrite::OwnGroup,
        ) {
            Trust::Mine { narrow: false } => Ok(()),
            Trust::Mine { narrow: true } => {
                crate::fsutil::narrow_folder(&self.path).map_err(|source| CacheError::CreateDir {
                    path: self.path.clone(),
                    source,
                })
            }
            Trust::NotMine { owner, me, .. } => Err(CacheError::NotMine {
                path: self.path.clone(),
                owner,
                me,
            }),
            Trust::Open { why, .. } => Err(CacheError::OpenToOthers {
                path: self.path.clone(),
                why,
            }),
        }
    }

    fn ensure(&self) -> Result<(), CacheError> {
        let err = |source| CacheError::CreateDir {
            path: self.path.clone(),
            source,
        };
        match fs::metadata(&self.path) {
            Ok(meta) if meta.is_dir() => self.check(),
            Ok(_) => Err(err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "it exists and is not a folder",
            ))),
            Err(_) => crate::fsutil::create_private_dir_all(&self.path).map_err(err),
        }
    }
}

/// What reading a cache file found.
enum ReadOutcome<D> {
    Missing,
    Found {
        doc: D,
        raw: Vec<u8>,
    },
    /// Unparseable, unreadable or not to be trusted; the reason is for the warning.
    Unusable(String),
}

/// One file in the cache folder.
#[derive(Debug, Clone)]
pub(crate) struct CacheFile {
    dir: PathBuf,
    path: PathBuf,
    file: PrivateFile,
    name: String,
}

impl CacheFile {
    #[cfg(test)]
    #[cfg(unix)]
    fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub(crate) fn exists(&self) -> bool {
        fs::symlink_metadata(&self.path).is_ok()
    }

    /// The file's bytes, when it is a plain file of this user (see [`PrivateFile`]).
    fn read_trusted(&self) -> Result<Option<Vec<u8>>, String> {
        self.file
            .read(MAX_FILE_BYTES, GroupWrite::OwnGroup)
            .map_err(|e| e.to_string())
    }

    fn read_raw<D: Document>(&self) -> ReadOutcome<D> {
        match self.read_trusted() {
            Ok(Some(raw)) => match D::parse(&raw) {
                Ok(doc) => ReadOutcome::Found { doc, raw },
                Err(reason) => ReadOutcome::Unusable(reason),
            },
            Ok(None) => ReadOutcome::Missing,
            Err(reason) => ReadOutcome::Unusable(reason),
        }
    }

    /// Read without locking (renames are atomic). A missing file is `None`; a corrupt,
    /// unreadable or untrusted one is `None` with one warning on stderr.
    pub(crate) fn read<D: Document>(&self) -> Option<D> {
        match self.read_raw::<D>() {
            ReadOutcome::Found { doc, .. } => Some(doc),
            ReadOutcome::Missing => None,
            ReadOutcome::Unusable(reason) => {
                self.warn_unusable(&reason);
                None
            }
        }
    }

    /// Read, change and write back under an exclusive lock. The closure sees the
    /// current document (a default one when the file is missing or unusable); the file
    /// is rewritten only when the rendered bytes differ.
    pub(crate) fn update<D: Document, R>(
        &self,
        change: impl FnOnce(&mut D) -> R,
    ) -> Result<R, CacheError> {
        let _lock = self.lock()?;
        self.update_locked(change)
    }

    /// Take the file's exclusive lock, waiting for it: for a read, a slow step such as a
    /// network call, and a write that must happen as one. Released when dropped.
    pub(crate) fn lock(&self) -> Result<CacheLock, CacheError> {
        self.ensure_dir()?;
        self.file
            .lock()
            .map(CacheLock)
            .map_err(|e| self.lock_error(e))
    }

    /// The lock when nobody else holds it, `None` when someone does.
    pub(crate) fn try_lock(&self) -> Result<Option<CacheLock>, CacheError> {
        self.ensure_dir()?;
        match self.file.try_lock() {
            Ok(lock) => Ok(lock.map(CacheLock)),
            Err(e) => Err(self.lock_error(e)),
        }
    }

    fn ensure_dir(&self) -> Result<(), CacheError> {
        CacheDir {
            path: self.dir.clone(),
        }
        .ensure()
    }

    fn lock_error(&self, source: io::Error) -> CacheError {
        CacheError::Lock {
            path: self.dir.join(format!(".{}.lock", self.name)),
            source,
        }
    }

    /// [`CacheFile::update`] for a caller that already holds the lock.
    pub(crate) fn update_locked<D: Document, R>(
        &self,
        change: impl FnOnce(&mut D) -> R,
    ) -> Result<R, CacheError> {
        let (mut doc, original) = match self.read_raw::<D>() {
            ReadOutcome::Found { doc, raw } => (doc, Some(raw)),
            ReadOutcome::Missing => (D::default(), None),
            ReadOutcome::Unusable(reason) => {
                self.warn_unusable(&reason);
                let aside = self.set_aside()?;
                note(format_args!(
                    "kept the unreadable cache file as {} and started afresh",
                    aside.display()
                ));
                (D::default(), None)
            }
        };
        let result = change(&mut doc);
        let rendered = doc.render().map_err(|reason| CacheError::Write {
            path: self.path.clone(),
            source: io::Error::other(reason),
        })?;
        if original.as_deref() != Some(rendered.as_slice()) {
            self.write_atomic(&rendered)?;
        }
        Ok(result)
    }

    fn warn_unusable(&self, reason: &str) {
        warn_once(
            &self.path.to_string_lossy(),
            format_args!(
                "ignoring the cache file {} ({reason}); it counts as empty",
                self.path.display()
            ),
        );
    }

    fn set_aside(&self) -> Result<PathBuf, CacheError> {
        let stamp = now_unix();
        let mut aside = self.dir.join(format!("{}.corrupt-{stamp}", self.name));
        let mut n = 1;
        while aside.exists() {
            aside = self.dir.join(format!("{}.corrupt-{stamp}-{n}", self.name));
            n += 1;
        }
        fs::rename(&self.path, &aside).map_err(|source| CacheError::SetAside {
            path: self.path.clone(),
            source,
        })?;
        Ok(aside)
    }

    fn write_atomic(&self, bytes: &[u8]) -> Result<(), CacheError> {
        self.file.write(bytes).map_err(|source| CacheError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

/// An exclusive lock on one cache file, released when dropped.
#[derive(Debug)]
pub(crate) struct CacheLock(#[allow(dead_code)] FileLock);

/// The lock and the atomic update are the same on every system; modes and links are
/// Unix's (Windows's owner-only ACLs are tested under Wine: tests/integration/windows.rs).
#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Barrier, mpsc};
    use std::time::Duration;

    #[derive(Default)]
    struct Counter(u64);

    impl Document for Counter {
        fn parse(bytes: &[u8]) -> Result<Self, String> {
            std::str::from_utf8(bytes)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .map(Counter)
                .ok_or_else(|| "not a number".to_owned())
        }
        fn render(&self) -> Result<Vec<u8>, String> {
            Ok(format!("{}\n", self.0).into_bytes())
        }
    }

    fn cache() -> (tempfile::TempDir, CacheFile) {
        let dir = tempfile::tempdir().unwrap();
        let file = CacheDir::at(dir.path().join("cache"))
            .unwrap()
            .file("counter");
        (dir, file)
    }

    /// A second writer cannot read-modify-write while the first holds the lock: it
    /// blocks until the first has written, then sees that write.
    #[test]
    fn the_lock_excludes_a_second_writer_until_the_first_is_done() {
        let (_dir, file) = cache();
        let (held_tx, held_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let second_ran = Arc::new(AtomicBool::new(false));
        let first = {
            let file = file.clone();
            std::thread::spawn(move || {
                file.update(|c: &mut Counter| {
                    held_tx.send(()).unwrap();
                    release_rx.recv().unwrap();
                    c.0 += 1;
                })
                .unwrap();
            })
        };
        held_rx.recv().unwrap();
        let second = {
            let file = file.clone();
            let second_ran = second_ran.clone();
            std::thread::spawn(move || {
                file.update(|c: &mut Counter| {
                    second_ran.store(true, Ordering::SeqCst);
                    assert_eq!(c.0, 1, "the second writer sees the first one's write");
                    c.0 += 1;
                })
                .unwrap();
            })
        };
        // However long the first holds the lock, the second does not get in.
        std::thread::sleep(Duration::from_millis(200));
        assert!(!second_ran.load(Ordering::SeqCst), "the lock was not held");
        release_tx.send(()).unwrap();
        first.join().unwrap();
        second.join().unwrap();
        assert_eq!(file.read::<Counter>().unwrap().0, 2);
    }

    #[test]
    fn sixteen_threads_released_at_once_lose_no_increment() {
        let (_dir, file) = cache();
        let barrier = Arc::new(Barrier::new(16));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let file = file.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    for _ in 0..5 {
                        file.update(|c: &mut Counter| c.0 += 1).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(file.read::<Counter>().unwrap().0, 80);
    }

    #[test]
    #[cfg(unix)]
    fn a_folder_of_ours_others_could_read_is_narrowed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache");
        fs::create_dir(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        CacheDir::at(path.clone()).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }

    #[test]
    #[cfg(unix)]
    fn a_folder_others_may_write_into_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared");
        fs::create_dir(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(matches!(
            CacheDir::at(path.clone()),
            Err(CacheError::OpenToOthers { .. })
        ));
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o7777,
            0o1777,
            "a shared folder is never chmod'ed"
        );
    }

    #[test]
    #[cfg(unix)]
    fn a_link_in_the_folder_is_never_read() {
        let (dir, file) = cache();
        let elsewhere = dir.path().join("planted");
        fs::write(&elsewhere, "41\n").unwrap();
        file.update(|c: &mut Counter| c.0 = 1).unwrap();
        fs::remove_file(file.path()).unwrap();
        std::os::unix::fs::symlink(&elsewhere, file.path()).unwrap();
        assert!(file.read::<Counter>().is_none());
        // A write replaces the link with a file of ours and leaves the target alone.
        file.update(|c: &mut Counter| c.0 += 1).unwrap();
        assert_eq!(file.read::<Counter>().unwrap().0, 1);
        assert_eq!(fs::read_to_string(&elsewhere).unwrap(), "41\n");
    }
}
