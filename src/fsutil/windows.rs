//! Windows: owners and DACLs instead of modes, reparse points instead of symbolic
//! links, `MoveFileExW` for atomic replacement. The Win32 calls are in `crate::sys`.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::windows::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use super::{GroupWrite, Ownership, Trust};
use crate::sys::windows::{self as sys, Create, Sid};

/// How to make a file or folder private by hand, for messages.
pub(crate) const PRIVATE_FIX: &str =
    "icacls FILE /inheritance:r /grant:r \"%USERNAME%:F\", and the same for its folder";
/// How to make a folder private by hand, for messages.
pub(crate) const FOLDER_FIX: &str =
    "icacls FOLDER /inheritance:r /grant:r \"%USERNAME%:(OI)(CI)F\"";

const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x400;
const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;

/// Access rights that let a trustee read a file's content or a folder's names.
const READ_RIGHTS: u32 = 0x0000_0001 // FILE_READ_DATA, FILE_LIST_DIRECTORY
    | 0x8000_0000 // GENERIC_READ
    | 0x1000_0000 // GENERIC_ALL
    | 0x0200_0000; // MAXIMUM_ALLOWED
/// Access rights that let a trustee change a file, what a folder holds, or who may.
const WRITE_RIGHTS: u32 = 0x0000_0002 // FILE_WRITE_DATA, FILE_ADD_FILE
    | 0x0000_0004 // FILE_APPEND_DATA, FILE_ADD_SUBDIRECTORY
    | 0x0000_0040 // FILE_DELETE_CHILD
    | 0x0001_0000 // DELETE
    | 0x0004_0000 // WRITE_DAC
    | 0x0008_0000 // WRITE_OWNER
    | 0x4000_0000 // GENERIC_WRITE
    | 0x1000_0000 // GENERIC_ALL
    | 0x0200_0000; // MAXIMUM_ALLOWED

/// SYSTEM and the Administrators group: they can read and write anything anyway, as
/// root can on Unix, and Windows grants them access to every profile by default.
const TRUSTED: [&str; 2] = ["S-1-5-18", "S-1-5-32-544"];

/// The names of well-known groups, for messages.
fn name_of(sid: &str) -> String {
    let name = match sid {
        "S-1-1-0" => "Everyone",
        "S-1-5-11" => "Authenticated Users",
        "S-1-5-32-545" => "Users",
        "S-1-5-32-546" => "Guests",
        "S-1-5-7" => "Anonymous Logon",
        "S-1-5-4" => "Interactive",
        "S-1-3-0" => "Creator Owner",
        "S-1-3-1" => "Creator Group",
        _ => return sid.to_owned(),
    };
    format!("{name} ({sid})")
}

/// This process's user, looked up once.
fn me() -> io::Result<&'static Sid> {
    static ME: OnceLock<Sid> = OnceLock::new();
    if let Some(me) = ME.get() {
        return Ok(me);
    }
    let me = sys::current_user()?;
    Ok(ME.get_or_init(|| me))
}

/// What a path names when that is not a regular file, as a message says it.
pub(crate) fn not_regular(meta: &fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_symlink() || meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0 {
        Some("a reparse point (a link or a junction)")
    } else if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a folder")
    } else {
        Some("not a file")
    }
}

/// Whether `meta` is a file someone may run: any regular file (Windows runs what its
/// name says, `.exe`).
pub(crate) fn is_executable(meta: &fs::Metadata) -> bool {
    meta.is_file()
}

/// Whether `meta` (not followed) is a link of any kind: a symbolic link, a junction,
/// any other reparse point.
pub(super) fn is_link(meta: &fs::Metadata) -> bool {
    meta.file_type().is_symlink() || meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0
}

/// Nothing to do: Windows has no FIFOs in the file system to wait on.
pub(super) fn never_wait(options: &mut OpenOptions) -> &mut OpenOptions {
    options
}

/// A new file, for reading and writing; owner-only from its creation when `mode`
/// gives the group and others nothing (what 0600 means on Unix).
pub(super) fn create_new(path: &Path, mode: u32) -> io::Result<File> {
    sys::create_file(path, Create::New, mode & 0o077 == 0)
}

/// A lock file, owner-only, created when missing.
pub(super) fn open_lock_file(path: &Path) -> io::Result<File> {
    sys::create_file(path, Create::OpenOrCreate, true)
}

/// Nothing to do: a private file got its DACL when it was created, and any other
/// takes its folder's.
pub(super) fn set_ownership(_file: &File, _ownership: Ownership) -> io::Result<()> {
    Ok(())
}

/// What a replaced file of someone else's keeps: its folder's inherited access.
pub(super) fn ownership_of(_meta: &fs::Metadata) -> Ownership {
    Ownership {
        mode: 0o644,
        owner: None,
    }
}

/// A link to `to` at `at`: a hard link (symbolic links need a privilege most users
/// lack).
pub(super) fn link(to: &Path, at: &Path) -> io::Result<()> {
    fs::hard_link(to, at)
}

/// Replace `to` with `from` in one step (`MoveFileExW`, written through). Another
/// program reading `to` without sharing deletion holds the rename off for a moment:
/// it is tried again for up to two seconds.
pub(super) fn replace_file(from: &Path, to: &Path) -> io::Result<()> {
    const ERROR_ACCESS_DENIED: i32 = 5;
    const ERROR_SHARING_VIOLATION: i32 = 32;
    let mut tries = 0;
    loop {
        match sys::move_replacing(from, to) {
            Err(e)
                if tries < 100
                    && matches!(
                        e.raw_os_error(),
                        Some(ERROR_ACCESS_DENIED | ERROR_SHARING_VIOLATION)
                    ) =>
            {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Nothing to do: the move was written through.
pub(super) fn sync_folder(_dir: &Path) {}

/// Create `path` and its missing parents, each owner-only from its creation.
pub(super) fn create_private_dir_all(path: &Path) -> io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_private_dir_all(parent)?;
    }
    match sys::create_dir(path, true) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => Ok(()),
        other => other,
    }
}

/// `path` without the verbatim prefix: `\\?\C:\x` is `C:\x`, `\\?\UNC\host\share`
/// is `\\host\share`; any other path as it is.
pub(super) fn plain(path: PathBuf) -> PathBuf {
    let text = path.to_string_lossy().into_owned();
    if let Some(unc) = text.strip_prefix(r"\\?\UNC\") {
        return PathBuf::from(format!(r"\\{unc}"));
    }
    match text.strip_prefix(r"\\?\") {
        Some(rest) if rest.as_bytes().get(1) == Some(&b':') => PathBuf::from(rest),
        _ => path,
    }
}

/// Open a file or a folder to ask who it is.
fn open_any(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(path)
}

/// Whether `a` and `b` are one file: the same volume and file index.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (open_any(a), open_any(b)) {
        (Ok(a), Ok(b)) => match (sys::file_id(&a), sys::file_id(&b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        },
        _ => false,
    }
}

/// Whether a file or folder (the open `file`, else the one at `path`; `what` names it
/// in reasons) may be trusted: owned by this user, and its DACL granting read or write
/// to nobody else but SYSTEM and the Administrators. Nothing is narrowed: a secret
/// others could read is not used.
pub(super) fn trust(
    _meta: &fs::Metadata,
    path: &Path,
    file: Option<&File>,
    what: &str,
    _group: GroupWrite,
) -> Trust {
    // `why` speaks of "it" (in a message that names it), `reason` names it.
    let open = |why: String, reason: String| Trust::Open { why, reason };
    if file.is_none() && fs::symlink_metadata(path).is_ok_and(|m| is_link(&m)) {
        let kind = "a reparse point (a link or a junction)";
        return open(format!("it is {kind}"), format!("{what} is {kind}"));
    }
    let access = match file {
        Some(f) => sys::access_of_file(f),
        None => sys::access_of_path(path),
    };
    let (access, me) = match (access, me()) {
        (Ok(a), Ok(me)) => (a, me),
        (Err(e), _) | (_, Err(e)) => {
            return open(
                format!("its access list cannot be read ({e})"),
                format!("{what}'s access list cannot be read ({e})"),
            );
        }
    };
    if &access.owner != me {
        let owner = name_of(&access.owner.to_string_form());
        return Trust::NotMine {
            reason: format!("{what} belongs to {owner}"),
            owner,
            me: me.to_string_form(),
        };
    }
    let Some(allowed) = access.allowed else {
        let none = "no access list, which lets everyone in";
        return open(format!("it has {none}"), format!("{what} has {none}"));
    };
    for entry in &allowed {
        let who = match &entry.trustee {
            Some(sid) if sid == me => continue,
            Some(sid) => sid.to_string_form(),
            None => "a conditional entry".to_owned(),
        };
        if TRUSTED.contains(&who.as_str()) {
            continue;
        }
        let reads = entry.mask & READ_RIGHTS != 0;
        let writes = entry.mask & WRITE_RIGHTS != 0;
        let does = match (reads, writes) {
            (true, true) => "read and write it",
            (true, false) => "read it",
            (false, true) => "write to it",
            (false, false) => continue,
        };
        let lets = format!("access list lets {} {does}", name_of(&who));
        return open(format!("its {lets}"), format!("{what}'s {lets}"));
    }
    Trust::Mine { narrow: false }
}

/// Never needed: Windows refuses instead of narrowing.
pub(super) fn narrow_file(_file: &File) {}

/// Never needed: Windows refuses instead of narrowing.
pub(super) fn narrow_folder(_path: &Path) -> io::Result<()> {
    Ok(())
}
