//! The secret cache under `~/.cdk/cache`, shared with other tools.
//!
//! Guarantees, for every file in it:
//! - the folder is created 0700 and files are created 0600 (never chmod'ed later);
//! - writes go to a temp file in the same folder, are synced, then renamed over the
//!   old file, so a reader sees the old or the new content, never a torn write;
//! - every read-modify-write holds an exclusive advisory lock on a sidecar lock file
//!   (`.NAME.lock`), so concurrent processes never lose each other's entries;
//! - a corrupt or unreadable file is a miss with one warning on stderr, and before
//!   anything is written over it, it is renamed aside (`NAME.corrupt-<time>`).
//!
//! The folder is `$CDK_CACHE_DIR` when set, else `$HOME/.cdk/cache`.

mod document;

pub use document::{Document, Entry, EntryMap, now_unix};

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::exit::{ExitStatus, HasExitStatus, note, warn};

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(
        "cannot find the home folder: set HOME or {}",
        crate::env::CDK_CACHE_DIR
    )]
    NoHome,
    #[error("cannot create the cache folder {path}")]
    CreateDir { path: PathBuf, source: io::Error },
    #[error("cannot lock the cache file {path}")]
    Lock { path: PathBuf, source: io::Error },
    #[error("cannot write the cache file {path}")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot set aside the unreadable cache file {path}")]
    SetAside { path: PathBuf, source: io::Error },
}

impl HasExitStatus for CacheError {
    fn exit_status(&self) -> ExitStatus {
        match self {
            CacheError::NoHome => ExitStatus::UserError,
            _ => ExitStatus::Unexpected,
        }
    }
}

/// The cache folder.
#[derive(Debug, Clone)]
pub struct CacheDir {
    path: PathBuf,
}

impl CacheDir {
    /// `$CDK_CACHE_DIR`, else `$HOME/.cdk/cache`. Nothing is created until a write.
    pub fn locate() -> Result<Self, CacheError> {
        if let Some(dir) = crate::env::var(crate::env::CDK_CACHE_DIR) {
            return Ok(Self {
                path: PathBuf::from(dir),
            });
        }
        let home = dirs::home_dir().ok_or(CacheError::NoHome)?;
        Ok(Self {
            path: home.join(".cdk").join("cache"),
        })
    }

    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn file(&self, name: &str) -> CacheFile {
        CacheFile {
            dir: self.path.clone(),
            path: self.path.join(name),
            name: name.to_owned(),
        }
    }

    fn ensure(&self) -> Result<(), CacheError> {
        let err = |source| CacheError::CreateDir {
            path: self.path.clone(),
            source,
        };
        match fs::metadata(&self.path) {
            Ok(meta) if meta.is_dir() => {
                tighten_dir(&self.path, &meta).map_err(err)?;
                Ok(())
            }
            Ok(_) => Err(err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "it exists and is not a folder",
            ))),
            Err(_) => create_private_dir(&self.path).map_err(err),
        }
    }
}

#[cfg(unix)]
fn create_private_dir(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
}

#[cfg(not(unix))]
fn create_private_dir(path: &Path) -> io::Result<()> {
    fs::create_dir_all(path)
}

/// Other tools create `~/.cdk/cache` with the default umask; the folder holds
/// secrets, so it is narrowed to its owner.
#[cfg(unix)]
fn tighten_dir(path: &Path, meta: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o700 | 0o700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten_dir(_: &Path, _: &fs::Metadata) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn open_lock_file(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_lock_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// What reading a cache file found.
pub enum ReadOutcome<D> {
    Missing,
    Found {
        doc: D,
        raw: Vec<u8>,
    },
    /// Unparseable or unreadable; the reason is for the warning.
    Corrupt(String),
}

/// One file in the cache folder.
#[derive(Debug, Clone)]
pub struct CacheFile {
    dir: PathBuf,
    path: PathBuf,
    name: String,
}

impl CacheFile {
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read_raw<D: Document>(&self) -> ReadOutcome<D> {
        match fs::read(&self.path) {
            Ok(raw) => match D::parse(&raw) {
                Ok(doc) => ReadOutcome::Found { doc, raw },
                Err(reason) => ReadOutcome::Corrupt(reason),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => ReadOutcome::Missing,
            Err(e) => ReadOutcome::Corrupt(e.to_string()),
        }
    }

    /// Read without locking (renames are atomic). A missing file is `None`; a corrupt
    /// or unreadable one is `None` with one warning on stderr.
    pub fn read<D: Document>(&self) -> Option<D> {
        match self.read_raw::<D>() {
            ReadOutcome::Found { doc, .. } => Some(doc),
            ReadOutcome::Missing => None,
            ReadOutcome::Corrupt(reason) => {
                self.warn_once(&reason);
                None
            }
        }
    }

    /// Read, change and write back under an exclusive lock. The closure sees the
    /// current document (a default one when the file is missing or corrupt); the file is
    /// rewritten only when the rendered bytes differ.
    pub fn update<D: Document, R>(
        &self,
        change: impl FnOnce(&mut D) -> R,
    ) -> Result<R, CacheError> {
        CacheDir::at(&self.dir).ensure()?;
        let _lock = self.lock()?;
        let (mut doc, original) = match self.read_raw::<D>() {
            ReadOutcome::Found { doc, raw } => (doc, Some(raw)),
            ReadOutcome::Missing => (D::default(), None),
            ReadOutcome::Corrupt(reason) => {
                self.warn_once(&reason);
                let aside = self.set_aside()?;
                note(format_args!(
                    "kept the unreadable cache file as {} and started afresh",
                    aside.display()
                ));
                (D::default(), None)
            }
        };
        let result = change(&mut doc);
        let rendered = doc.render();
        if original.as_deref() != Some(rendered.as_slice()) {
            self.write_atomic(&rendered)?;
        }
        Ok(result)
    }

    /// One warning per file and process, however often it is read.
    fn warn_once(&self, reason: &str) {
        static WARNED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
        let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
        if !warned.contains(&self.path) {
            warned.push(self.path.clone());
            warn(format_args!(
                "ignoring the cache file {} ({reason}); it counts as empty",
                self.path.display()
            ));
        }
    }

    fn lock(&self) -> Result<File, CacheError> {
        let lock_path = self.dir.join(format!(".{}.lock", self.name));
        let err = |source| CacheError::Lock {
            path: lock_path.clone(),
            source,
        };
        let file = open_lock_file(&lock_path).map_err(err)?;
        file.lock().map_err(err)?;
        Ok(file)
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
        crate::fsutil::replace(&self.path, bytes, 0o600).map_err(|source| CacheError::Write {
            path: self.path.clone(),
            source,
        })
    }
}
