//! Replacing files atomically: a temp file in the same folder, synced, then renamed
//! over the target, so readers see the old or the new content and never a torn one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
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
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = create_new(&tmp, 0o600)?;
        file.write_all(bytes)?;
        if let Some((uid, gid)) = ownership.owner {
            let meta = file.metadata()?;
            if (meta.uid(), meta.gid()) != (uid, gid) {
                std::os::unix::fs::fchown(&file, Some(uid), Some(gid))?;
            }
        }
        file.set_permissions(fs::Permissions::from_mode(ownership.mode))?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    // Make the rename durable; a failure here loses nothing already visible.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
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
