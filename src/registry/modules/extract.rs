//! Unpacking a module archive into a folder, as Terraform's go-getter would, but only
//! what cannot land outside it: regular files and folders under relative paths without
//! `..`; a link, a device or an absolute path is refused, and so is more than a cap.

use std::fs;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub(crate) enum ExtractError {
    #[error(
        "{} is not an empty folder: extract into a new or empty one (nothing there is overwritten)",
        dir.display()
    )]
    NotEmpty { dir: PathBuf },
    #[error(
        "the archive's entry {entry:?} would land outside {}: it is refused, and nothing more is extracted",
        dir.display()
    )]
    Outside { entry: String, dir: PathBuf },
    #[error("the archive's entry {entry:?} is {what}: only files and folders are extracted")]
    NotAFile { entry: String, what: &'static str },
    #[error("the archive unpacks to more than {cap} bytes: refusing to write more")]
    TooLarge { cap: u64 },
    #[error("the archive is not a readable .tar.gz: {0}")]
    Corrupt(String),
    #[error("cannot write {}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// A relative path that stays under the folder: normal parts only.
fn inside(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// Unpack `archive` (a `.tar.gz`) into `dir`, a new or empty folder, writing at most
/// `cap` bytes. The files written, in the archive's order.
pub(crate) fn extract(archive: &[u8], dir: &Path, cap: u64) -> Result<Vec<String>, ExtractError> {
    let write_err = |path: &Path, source| ExtractError::Write {
        path: path.to_owned(),
        source,
    };
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(ExtractError::NotEmpty {
                    dir: dir.to_owned(),
                });
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
        }
        Err(_) => {
            return Err(ExtractError::NotEmpty {
                dir: dir.to_owned(),
            });
        }
    }
    let corrupt = |e: io::Error| ExtractError::Corrupt(e.to_string());
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let mut written = Vec::new();
    let mut total = 0u64;
    for entry in tar.entries().map_err(corrupt)? {
        let mut entry = entry.map_err(corrupt)?;
        let name = entry.path().map_err(corrupt)?.into_owned();
        let shown = name.to_string_lossy().into_owned();
        let Some(rel) = inside(&name) else {
            return Err(ExtractError::Outside {
                entry: shown,
                dir: dir.to_owned(),
            });
        };
        let target = dir.join(&rel);
        match entry.header().entry_type() {
            tar::EntryType::Directory => {
                fs::create_dir_all(&target).map_err(|e| write_err(&target, e))?;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(|e| write_err(parent, e))?;
                }
                let executable = entry.header().mode().unwrap_or(0o644) & 0o111 != 0;
                let mut file = fs::File::options()
                    .write(true)
                    .create_new(true)
                    .open(&target)
                    .map_err(|e| write_err(&target, e))?;
                let room = cap.saturating_sub(total);
                let copied = io::copy(&mut (&mut entry).take(room + 1), &mut file)
                    .map_err(|e| write_err(&target, e))?;
                total += copied;
                if total > cap {
                    return Err(ExtractError::TooLarge { cap });
                }
                set_executable(&file, executable).map_err(|e| write_err(&target, e))?;
                written.push(rel.to_string_lossy().replace('\\', "/"));
            }
            tar::EntryType::Symlink | tar::EntryType::Link => {
                return Err(ExtractError::NotAFile {
                    entry: shown,
                    what: "a link",
                });
            }
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => {}
            _ => {
                return Err(ExtractError::NotAFile {
                    entry: shown,
                    what: "a device, a FIFO or another special file",
                });
            }
        }
    }
    Ok(written)
}

#[cfg(unix)]
fn set_executable(file: &fs::File, executable: bool) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(if executable {
        0o755
    } else {
        0o644
    }))
}

#[cfg(windows)]
fn set_executable(_: &fs::File, _: bool) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(entries: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
        let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, kind, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            // Written raw: the builder itself refuses `..`.
            let name = &mut h.as_old_mut().name;
            name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_cksum();
            tar.append(&h, *data).unwrap();
        }
        tar.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn files_and_folders_land_inside_and_nothing_else_does() {
        let dir = tempfile::tempdir().unwrap();
        let good = archive(&[
            ("main.tf", tar::EntryType::Regular, b"m"),
            ("./sub/x.tf", tar::EntryType::Regular, b"x"),
        ]);
        let into = dir.path().join("out");
        assert_eq!(extract(&good, &into, 100).unwrap(), ["main.tf", "sub/x.tf"]);
        assert_eq!(fs::read_to_string(into.join("sub/x.tf")).unwrap(), "x");
        assert!(matches!(
            extract(&good, &into, 100),
            Err(ExtractError::NotEmpty { .. })
        ));
        for (bad, kind) in [
            ("../escape.tf", tar::EntryType::Regular),
            ("/etc/passwd", tar::EntryType::Regular),
            ("a/../../b", tar::EntryType::Regular),
            ("link", tar::EntryType::Symlink),
            ("fifo", tar::EntryType::Fifo),
        ] {
            let fresh = dir.path().join(format!("fresh-{}", bad.len()));
            let err = extract(&archive(&[(bad, kind, b"")]), &fresh, 100).unwrap_err();
            assert!(
                matches!(
                    err,
                    ExtractError::Outside { .. } | ExtractError::NotAFile { .. }
                ),
                "{bad}: {err}"
            );
            assert!(!dir.path().join("escape.tf").exists());
        }
        let big = archive(&[("main.tf", tar::EntryType::Regular, &[b'x'; 64])]);
        let err = extract(&big, &dir.path().join("big"), 10).unwrap_err();
        assert!(matches!(err, ExtractError::TooLarge { cap: 10 }), "{err}");
    }
}
