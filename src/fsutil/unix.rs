//! Unix: modes, owners, `O_NONBLOCK`, symbolic links.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::{GroupWrite, Ownership, Trust};

/// How to make a file or folder private by hand, for messages.
pub(crate) const PRIVATE_FIX: &str = "chmod 600 it, chmod 700 its folder";
/// How to make a folder private by hand, for messages.
pub(crate) const FOLDER_FIX: &str = "chmod 700";

fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

fn my_gid() -> u32 {
    rustix::process::getegid().as_raw()
}

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

/// Whether `meta` is a file someone may run.
pub(crate) fn is_executable(meta: &fs::Metadata) -> bool {
    meta.is_file() && meta.permissions().mode() & 0o111 != 0
}

/// Whether `meta` (not followed) is a link.
pub(super) fn is_link(meta: &fs::Metadata) -> bool {
    meta.file_type().is_symlink()
}

/// Opening never waits: a FIFO swapped in would block an open until a writer came.
pub(super) fn never_wait(options: &mut OpenOptions) -> &mut OpenOptions {
    options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
}

/// A new file, for reading and writing, with `mode` from its creation on; fails if
/// one exists.
pub(super) fn create_new(path: &Path, mode: u32) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
}

/// A lock file, created 0600 when missing.
pub(super) fn open_lock_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
}

/// Give a staged `file` exactly `ownership` (the umask does not apply).
pub(super) fn set_ownership(file: &File, ownership: Ownership) -> io::Result<()> {
    if let Some((uid, gid)) = ownership.owner {
        let meta = file.metadata()?;
        if (meta.uid(), meta.gid()) != (uid, gid) {
            std::os::unix::fs::fchown(file, Some(uid), Some(gid))?;
        }
    }
    file.set_permissions(fs::Permissions::from_mode(ownership.mode))
}

/// The ownership `meta` has.
pub(super) fn ownership_of(meta: &fs::Metadata) -> Ownership {
    Ownership {
        mode: meta.permissions().mode() & 0o7777,
        owner: Some((meta.uid(), meta.gid())),
    }
}

/// A link to `to` at `at`: a symbolic link.
pub(super) fn link(to: &Path, at: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(to, at)
}

/// Replace `to` with `from` in one step.
pub(super) fn replace_file(from: &Path, to: &Path) -> io::Result<()> {
    fs::rename(from, to)
}

/// Make a rename in `dir` durable.
pub(super) fn sync_folder(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Create `path` and its missing parents, 0700.
pub(super) fn create_private_dir_all(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
}

/// A path as the system gave it.
pub(super) fn plain(path: PathBuf) -> PathBuf {
    path
}

/// Whether `a` and `b` are one file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

/// Whether a file or folder (`meta`; `what` names it in reasons) may be trusted: this
/// user's, and writable by nobody else (a group's write tolerated as `group` says).
/// Others' read bits are narrowed rather than refused: nothing was planted.
pub(super) fn trust(
    meta: &fs::Metadata,
    _path: &Path,
    _file: Option<&File>,
    what: &str,
    group: GroupWrite,
) -> Trust {
    let me = my_uid();
    if meta.uid() != me {
        return Trust::NotMine {
            owner: format!("user {}", meta.uid()),
            me: format!("user {me}"),
            reason: format!("{what} belongs to user {}", meta.uid()),
        };
    }
    let mode = meta.permissions().mode() & 0o7777;
    let group_may_write =
        mode & 0o020 != 0 && (group == GroupWrite::Refused || meta.gid() != my_gid());
    if mode & 0o002 != 0 || group_may_write {
        return Trust::Open {
            why: format!("mode {:o}", mode & 0o777),
            reason: format!("{what} has mode {:o}", mode & 0o777),
        };
    }
    Trust::Mine {
        narrow: mode & 0o077 != 0,
    }
}

/// Take group and others' access away from a file of ours.
pub(super) fn narrow_file(file: &File) {
    let _ = file.set_permissions(fs::Permissions::from_mode(0o600));
}

/// Take group and others' access away from a folder of ours.
pub(super) fn narrow_folder(path: &Path) -> io::Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))
}
