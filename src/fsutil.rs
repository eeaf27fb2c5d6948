//! The files the toolkit reads and edits: only regular files (a device, a FIFO or a
//! folder in their place is refused, and reading never blocks), replaced atomically (a
//! temp file in the same folder, synced, then renamed over the target, so readers see
//! the old or the new content and never a torn one).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The effective user id of this process.
pub(crate) fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// The effective group id of this process.
pub(crate) fn my_gid() -> u32 {
    rustix::process::getegid().as_raw()
}

/// The largest configuration file read (CLI configs, settings, CA bundles, AWS files,
/// keys): a hostile or mistaken file cannot exhaust memory.
pub(crate) const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// What a path names when that is not a regular file, as a message says it.
pub(crate) fn not_regular(meta: &fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a folder")
    } else if t.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if t.is_char_device() {
        Some("a character device")
    } else if t.is_block_device() {
        Some("a block device")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("not a file")
    }
}

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
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
    {
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
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
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

/// Open a new file with `mode` from its creation on, failing if it exists.
pub(crate) fn create_new(path: &Path, mode: u32) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
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

    /// Exactly what `meta` has.
    pub(crate) fn of(meta: &fs::Metadata) -> Self {
        Self {
            mode: meta.permissions().mode() & 0o7777,
            owner: Some((meta.uid(), meta.gid())),
        }
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
        let mut file = create_new(&staged.tmp, 0o600)?;
        file.write_all(bytes)?;
        if let Some((uid, gid)) = ownership.owner {
            let meta = file.metadata()?;
            if (meta.uid(), meta.gid()) != (uid, gid) {
                std::os::unix::fs::fchown(&file, Some(uid), Some(gid))?;
            }
        }
        file.set_permissions(fs::Permissions::from_mode(ownership.mode))?;
        file.sync_all()?;
        Ok(staged)
    }

    /// A symbolic link to `to`, staged for `path`.
    pub(crate) fn symlink(path: &Path, to: &Path) -> io::Result<Self> {
        let staged = Self {
            tmp: Self::temp_beside(path),
            target: path.to_owned(),
            committed: false,
        };
        std::os::unix::fs::symlink(to, &staged.tmp)?;
        Ok(staged)
    }

    pub(crate) fn target(&self) -> &Path {
        &self.target
    }

    /// Put it in place.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        fs::rename(&self.tmp, &self.target)?;
        self.committed = true;
        // Make the rename durable; a failure here loses nothing already visible.
        if let Ok(d) = File::open(folder_of(&self.target)) {
            let _ = d.sync_all();
        }
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

/// An exclusive advisory lock on a sidecar file `.NAME.lock` beside `path` (0600,
/// created with its folder, 0700, when missing), waited for; released when dropped.
/// Every read-modify-write of `path` holds it, so concurrent processes never lose
/// each other's changes.
pub(crate) fn lock_beside(path: &Path) -> io::Result<FileLock> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder_of(path))?;
    let (file, _) = lock_file_beside(path)?;
    file.lock()?;
    Ok(FileLock(file))
}

/// The sidecar lock file `.NAME.lock` beside `path` (0600), opened (created when
/// missing) but not locked, and its path. Its folder must exist.
pub(crate) fn lock_file_beside(path: &Path) -> io::Result<(File, PathBuf)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lock_path = folder_of(path).join(format!(".{name}.lock"));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&lock_path)?;
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

/// What makes `meta` (a file or a folder) untrusted: another owner, or others (or a
/// group, as `group` says) that may write it. `what` names it in the reason.
pub(crate) fn untrusted(meta: &fs::Metadata, what: &str, group: GroupWrite) -> Option<String> {
    if meta.uid() != my_uid() {
        return Some(format!("{what} belongs to user {}", meta.uid()));
    }
    let mode = meta.permissions().mode() & 0o7777;
    let group_may_write =
        mode & 0o020 != 0 && (group == GroupWrite::Refused || meta.gid() != my_gid());
    (mode & 0o002 != 0 || group_may_write).then(|| format!("{what} has mode {:o}", mode & 0o777))
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
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Refusal::Unreadable(
                    "it is a symbolic link, not a regular file".to_owned(),
                ));
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
        let folder = fs::metadata(folder_of(&self.path)).map_err(unreadable)?;
        for (m, what) in [(&meta, "the file"), (&folder, "its folder")] {
            if let Some(why) = untrusted(m, what, group) {
                return Err(Refusal::Untrusted(why));
            }
        }
        if meta.permissions().mode() & 0o077 != 0 {
            let _ = file.set_permissions(fs::Permissions::from_mode(0o600));
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

/// The file a user's path names once symbolic links are followed (dotfile managers
/// link `~/.terraformrc` into a repository): edits go to the target, in the target's
/// folder, and the link stays. A path that does not exist yet is itself.
pub(crate) fn edit_target(path: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path),
        _ => Ok(path.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
