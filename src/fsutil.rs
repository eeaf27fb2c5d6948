//! The files the toolkit reads and edits: only regular files (a device, a FIFO or a
//! folder in their place is refused, and reading never blocks), replaced atomically (a
//! temp file in the same folder, synced, then renamed over the target, so readers see
//! the old or the new content and never a torn one). What differs between Unix (modes,
//! owners) and Windows (DACLs, reparse points) is in `unix` and `windows`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

pub(crate) use imp::{FOLDER_FIX, PRIVATE_FIX, is_executable, not_regular, same_file};

/// The largest configuration file read (CLI configs, settings, CA bundles, AWS files,
/// keys): a hostile or mistaken file cannot exhaust memory.
pub(crate) const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// The error for a path that names `what` instead of a regular file.
pub(crate) fn not_regular_error(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {what}, not a regular file"),
    )
}

/// Open `path` (following links) for reading, only when it is a regular file, and
/// without ever waiting (opening a FIFO would wait for a writer): `Ok(None)` when it
/// does not exist.
pub(crate) fn open_regular(path: &Path) -> io::Result<Option<File>> {
    match fs::metadata(path) {
        Ok(meta) => {
            if let Some(what) = not_regular(&meta) {
                return Err(not_regular_error(what));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    }
    // Swapped for a FIFO since: O_NONBLOCK keeps the open from waiting, and the file
    // opened is checked again.
    let file = match imp::never_wait(OpenOptions::new().read(true)).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if let Some(what) = not_regular(&file.metadata()?) {
        return Err(not_regular_error(what));
    }
    Ok(Some(file))
}

/// The bytes of the regular file at `path` (see [`open_regular`]), at most `cap` of
/// them: a larger file is an error that says so. `Ok(None)` when there is none.
pub(crate) fn read_regular(path: &Path, cap: u64) -> io::Result<Option<Vec<u8>>> {
    use io::Read;
    let Some(file) = open_regular(path)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("it is larger than {cap} bytes"),
        ));
    }
    Ok(Some(bytes))
}

/// Open the regular file at `path` (created when missing) to append to it, without
/// ever waiting on a FIFO.
pub(crate) fn open_append(path: &Path) -> io::Result<File> {
    check_replaceable(path, true)?;
    let file = imp::never_wait(OpenOptions::new().append(true).create(true)).open(path)?;
    if let Some(what) = not_regular(&file.metadata()?) {
        return Err(not_regular_error(what));
    }
    Ok(file)
}

/// Whether `path` may be replaced by a file: it does not exist, or it is a regular
/// file (through links, when `follow`), or (not following) a link. Checked before
/// anything is opened for writing.
pub(crate) fn check_replaceable(path: &Path, follow: bool) -> io::Result<()> {
    let meta = if follow {
        fs::metadata(path)
    } else {
        fs::symlink_metadata(path)
    };
    match meta {
        Ok(meta) if !follow && meta.file_type().is_symlink() => Ok(()),
        Ok(meta) => not_regular(&meta).map_or(Ok(()), |what| Err(not_regular_error(what))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Open a new file, for reading and writing, with `mode` from its creation on (on
/// Windows: owner-only when `mode` gives others nothing), failing if it exists.
pub(crate) fn create_new(path: &Path, mode: u32) -> io::Result<File> {
    imp::create_new(path, mode)
}

/// Who owns a replaced file and with which permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ownership {
    pub(crate) mode: u32,
    /// `None` keeps this process's user and group.
    pub(crate) owner: Option<(u32, u32)>,
}

impl Ownership {
    /// A file of this process's user with `mode`.
    pub(crate) fn mine(mode: u32) -> Self {
        Self { mode, owner: None }
    }

    /// Exactly what `meta` has (on Windows: what its folder gives).
    pub(crate) fn of(meta: &fs::Metadata) -> Self {
        imp::ownership_of(meta)
    }
}

/// Write `bytes` to `path` atomically; the new file gets exactly `ownership` (the
/// umask does not apply). Fails, leaving `path` as it was, when the owner cannot be
/// kept.
pub(crate) fn replace(path: &Path, bytes: &[u8], ownership: Ownership) -> io::Result<()> {
    Staged::file(path, bytes, ownership)?.commit()
}

/// The folder `path` is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A new version of a file, written beside it (synced, with its final owner and mode)
/// but not yet in place: [`Staged::commit`] renames it over the target in one step;
/// dropped uncommitted, it is removed. Several files staged first and committed after
/// make a change that fails before it touches anything.
#[derive(Debug)]
pub(crate) struct Staged {
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staged {
    fn temp_beside(path: &Path) -> PathBuf {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        folder_of(path).join(format!(
            ".{name}.tmp-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ))
    }

    /// `bytes` staged for `path`, to get exactly `ownership`.
    pub(crate) fn file(path: &Path, bytes: &[u8], ownership: Ownership) -> io::Result<Self> {
        let staged = Self {
            tmp: Self::temp_beside(path),
            target: path.to_owned(),
            committed: false,
        };
        // Unix: private until its final mode is set below; Windows: private from its
        // creation or not at all.
        let initial = if cfg!(unix) { 0o600 } else { ownership.mode };
        let mut file = create_new(&staged.tmp, initial)?;
        file.write_all(bytes)?;
        imp::set_ownership(&file, ownership)?;
        file.sync_all()?;
        Ok(staged)
    }

    /// A link to `to`, staged for `path`: a symbolic link on Unix, a hard link on
    /// Windows.
    pub(crate) fn link(path: &Path, to: &Path) -> io::Result<Self> {
        let staged = Self {
            tmp: Self::temp_beside(path),
            target: path.to_owned(),
            committed: false,
        };
        imp::link(to, &staged.tmp)?;
        Ok(staged)
    }

    pub(crate) fn target(&self) -> &Path {
        &self.target
    }

    /// Put it in place.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        imp::replace_file(&self.tmp, &self.target)?;
        self.committed = true;
        // Make the rename durable; a failure here loses nothing already visible.
        imp::sync_folder(folder_of(&self.target));
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// An exclusive lock (`flock` on Unix, `LockFileEx` on Windows) on a sidecar file
/// `.NAME.lock` beside `path` (private, created with its folder, private too, when
/// missing), waited for; released when dropped. Every read-modify-write of `path`
/// holds it, so concurrent processes never lose each other's changes.
pub(crate) fn lock_beside(path: &Path) -> io::Result<FileLock> {
    create_private_dir_all(folder_of(path))?;
    let (file, _) = lock_file_beside(path)?;
    file.lock()?;
    Ok(FileLock(file))
}

/// The sidecar lock file `.NAME.lock` beside `path` (private), opened (created when
/// missing) but not locked, and its path. Its folder must exist.
pub(crate) fn lock_file_beside(path: &Path) -> io::Result<(File, PathBuf)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lock_path = folder_of(path).join(format!(".{name}.lock"));
    let file = imp::open_lock_file(&lock_path)?;
    Ok((file, lock_path))
}

/// An exclusive lock, released when dropped.
#[derive(Debug)]
pub(crate) struct FileLock(#[allow(dead_code)] File);

/// Whether a file or folder others could write into may still be trusted when the
/// group that may write is this user's own (user-private groups, umask 002).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupWrite {
    /// Any write by a group or others is refused.
    Refused,
    /// Write by this user's own group is tolerated.
    OwnGroup,
}

/// Create `path` and its missing parents, private (0700; on Windows owner-only).
pub(crate) fn create_private_dir_all(path: &Path) -> io::Result<()> {
    imp::create_private_dir_all(path)
}

/// Whether a file or a folder may be trusted with secrets or settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trust {
    /// This user's and nobody else's to change; `narrow`: others may read it, which
    /// is taken away (Unix modes; Windows refuses instead).
    Mine { narrow: bool },
    /// Someone else owns it: `owner` and `me` as messages name them.
    NotMine {
        owner: String,
        me: String,
        reason: String,
    },
    /// Others may change it (or, on Windows, read it): `why` as a message says it.
    Open { why: String, reason: String },
}

impl Trust {
    /// Why it is not trusted, naming it as the judge was told to.
    pub(crate) fn refusal(&self) -> Option<&str> {
        match self {
            Trust::Mine { .. } => None,
            Trust::NotMine { reason, .. } | Trust::Open { reason, .. } => Some(reason),
        }
    }
}

/// Judge a file or a folder (`meta`; the open `file` when there is one, else `path`),
/// named `what` in reasons: it must be this user's, and nobody else may write it (a
/// group's write is tolerated as `group` says); on Windows, nobody else may read it
/// either.
pub(crate) fn trust(
    path: &Path,
    meta: &fs::Metadata,
    file: Option<&File>,
    what: &str,
    group: GroupWrite,
) -> Trust {
    imp::trust(meta, path, file, what, group)
}

/// Take others' read access away from a folder of ours ([`Trust::Mine`] `narrow`).
pub(crate) fn narrow_folder(path: &Path) -> io::Result<()> {
    imp::narrow_folder(path)
}

/// Why a [`PrivateFile`] is not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    /// It cannot be read as a regular file (a device, a FIFO, a link, too large...).
    #[error("{0}")]
    Unreadable(String),
    /// Someone else owns it or its folder, or could have written them.
    #[error("{0}")]
    Untrusted(String),
}

/// A file only this user may have written (a secret cache file, `registries.json`):
/// one place for what makes it trusted (a regular file, not a link, this user's, that
/// others may not write, in a folder likewise), its sidecar lock and its atomic 0600
/// writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrivateFile {
    path: PathBuf,
}

impl PrivateFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// Its bytes, at most `cap` of them, when it is a regular file of this user that
    /// others may not write (nor its folder, as `group` says); `Ok(None)` when missing.
    /// A link is never followed, and a FIFO never waited on. Group and others' read
    /// bits of a file of ours are removed on the way: narrowing it loses nothing.
    pub(crate) fn read(&self, cap: u64, group: GroupWrite) -> Result<Option<Vec<u8>>, Refusal> {
        use io::Read;
        let unreadable = |e: io::Error| Refusal::Unreadable(e.to_string());
        match fs::symlink_metadata(&self.path) {
            Ok(meta) if imp::is_link(&meta) => {
                return Err(Refusal::Unreadable(if cfg!(windows) {
                    "it is a reparse point (a link or a junction), not a regular file".to_owned()
                } else {
                    "it is a symbolic link, not a regular file".to_owned()
                }));
            }
            Ok(meta) => {
                if let Some(what) = not_regular(&meta) {
                    return Err(unreadable(not_regular_error(what)));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(unreadable(e)),
        }
        let Some(file) = open_regular(&self.path).map_err(unreadable)? else {
            return Ok(None);
        };
        let meta = file.metadata().map_err(unreadable)?;
        let folder_path = folder_of(&self.path);
        let folder = fs::metadata(folder_path).map_err(unreadable)?;
        let verdict = trust(&self.path, &meta, Some(&file), "the file", group);
        if let Some(why) = verdict.refusal() {
            return Err(Refusal::Untrusted(why.to_owned()));
        }
        if let Some(why) = trust(folder_path, &folder, None, "its folder", group).refusal() {
            return Err(Refusal::Untrusted(why.to_owned()));
        }
        if verdict == (Trust::Mine { narrow: true }) {
            imp::narrow_file(&file);
        }
        if meta.len() > cap {
            return Err(Refusal::Unreadable(format!(
                "it is larger than {cap} bytes"
            )));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.take(cap).read_to_end(&mut bytes).map_err(unreadable)?;
        Ok(Some(bytes))
    }

    /// Its sidecar lock, waited for (its folder created, 0700, when missing).
    pub(crate) fn lock(&self) -> io::Result<FileLock> {
        lock_beside(&self.path)
    }

    /// Its sidecar lock when nobody else holds it, `None` when someone does. Its
    /// folder must exist.
    pub(crate) fn try_lock(&self) -> io::Result<Option<FileLock>> {
        let (file, _) = lock_file_beside(&self.path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(FileLock(file))),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(e),
        }
    }

    /// `bytes`, staged beside it (0600) for a change of several files.
    pub(crate) fn stage(&self, bytes: &[u8]) -> io::Result<Staged> {
        Staged::file(&self.path, bytes, Ownership::mine(0o600))
    }

    /// Replace it with `bytes` (0600), atomically.
    pub(crate) fn write(&self, bytes: &[u8]) -> io::Result<()> {
        self.stage(bytes)?.commit()
    }
}

/// Make each of `names` in `dir` (with the platform's executable suffix) a hard link
/// to `target` (a copy when `dir` is on another file system): one already so is left
/// alone, anything else there that may be replaced (a file, a link) is, with one rename
/// each; a folder or a device in the way is refused before anything changes. The names
/// made.
pub(crate) fn link_names(target: &Path, dir: &Path, names: &[&str]) -> io::Result<Vec<String>> {
    let paths: Vec<(String, PathBuf)> = names
        .iter()
        .map(|n| {
            let file = format!("{n}{}", std::env::consts::EXE_SUFFIX);
            ((*n).to_owned(), dir.join(file))
        })
        .collect();
    for (_, path) in &paths {
        check_replaceable(path, false)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    }
    let mut made = Vec::new();
    for (name, path) in paths {
        if same_file(&path, target) {
            continue;
        }
        let tmp = Staged::temp_beside(&path);
        match fs::hard_link(target, &tmp) {
            Ok(()) => {}
            // Another file system than the binary's: a copy, as installers do there.
            Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
                fs::copy(target, &tmp)?;
            }
            Err(e) => return Err(e),
        }
        if let Err(e) = imp::replace_file(&tmp, &path) {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        made.push(name);
    }
    Ok(made)
}

/// `path` absolute, with every link resolved, written as a user writes it (on Windows
/// without the `\\?\` prefix the system adds).
pub(crate) fn canonicalize(path: &Path) -> io::Result<PathBuf> {
    fs::canonicalize(path).map(imp::plain)
}

/// The file a user's path names once symbolic links are followed (dotfile managers
/// link `~/.terraformrc` into a repository): edits go to the target, in the target's
/// folder, and the link stays. A path that does not exist yet is itself.
pub(crate) fn edit_target(path: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => canonicalize(path),
        _ => Ok(path.to_owned()),
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replace_keeps_the_exact_mode_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        replace(&path, b"one", Ownership::mine(0o664)).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o664
        );
        replace(&path, b"two", Ownership::mine(0o600)).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temp file is left behind");
    }

    /// A FIFO, a device and a folder are refused, and reading a FIFO does not wait
    /// for a writer (this test would hang).
    #[test]
    fn only_regular_files_are_read_and_nothing_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        for (path, what) in [
            (fifo.as_path(), "a FIFO (named pipe)"),
            (Path::new("/dev/null"), "a character device"),
            (dir.path(), "a folder"),
        ] {
            let e = read_regular(path, 10).unwrap_err();
            assert_eq!(e.to_string(), format!("it is {what}, not a regular file"));
            assert!(check_replaceable(path, true).is_err());
        }
        assert!(
            read_regular(&dir.path().join("missing"), 10)
                .unwrap()
                .is_none()
        );
        let file = dir.path().join("f");
        fs::write(&file, "12345").unwrap();
        assert_eq!(read_regular(&file, 5).unwrap().unwrap(), b"12345");
        assert!(
            read_regular(&file, 4)
                .unwrap_err()
                .to_string()
                .contains("larger than 4 bytes")
        );
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        assert!(
            check_replaceable(&link, false).is_ok(),
            "the link itself is replaced"
        );
        assert!(
            check_replaceable(&link, true).is_err(),
            "its target is a FIFO"
        );
    }

    #[test]
    fn links_are_followed_to_their_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("dotfiles/rc");
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(&target, "x").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(
            edit_target(&link).unwrap(),
            fs::canonicalize(&target).unwrap()
        );
        let missing = dir.path().join("missing");
        assert_eq!(edit_target(&missing).unwrap(), missing);
    }
}
