//! A module folder as a reproducible `.tar.gz`: the same files give the same bytes on
//! any machine, checkout time or umask (reproducible-builds.org's recipe).
//!
//! - Entries are the folder's regular files, sorted bytewise by path; no folders, no
//!   links, no owners: uid and gid 0, no user or group names, mtime `SOURCE_DATE_EPOCH`
//!   (else 0), mode 0644, or 0755 for a file anyone may execute.
//! - A link to a file inside the folder is stored as that file; one to a folder inside
//!   is walked as that folder (a loop is refused); a link that leaves the folder, a
//!   device, a FIFO or a socket is refused, naming its path.
//! - gzip at one pinned level (6) with the header's time 0, no name, OS byte 255.
//! - What [`super::ignore`] leaves out is recorded with the rule that did it.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ignore::{RuleSource, Rules};
use crate::tally::Tally;

/// S3 takes at most this much in one PutObject, and the registry's SHA-256 needs one.
pub(crate) const MAX_ARCHIVE_BYTES: u64 = 5 * 1024 * 1024 * 1024;
/// The cap unless raised: a module archive is small; a larger one almost always holds
/// what it should not (a provider cache, state, a build).
pub(crate) const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;
/// The largest `.terraformignore` read.
const MAX_IGNORE_FILE_BYTES: u64 = 1024 * 1024;
/// The gzip level every archive is made with (part of its bytes).
const LEVEL: u32 = 6;

#[derive(Debug, thiserror::Error)]
pub(crate) enum PackError {
    #[error("{} is not a folder: name the module's folder", dir.display())]
    NotAFolder { dir: PathBuf },
    #[error(
        "{} has no .tf or .tf.json file at its root: name the module's own folder (Terraform loads only its root's files)",
        dir.display()
    )]
    NoTerraform { dir: PathBuf },
    #[error(
        "{path} is a link to {} outside the module's folder: it is refused (replace it with the file, or exclude it)",
        target.display()
    )]
    LinkOutside { path: String, target: PathBuf },
    #[error("{path} is a link that leads nowhere (or in a loop): remove it, or exclude it")]
    BrokenLink { path: String },
    #[error("{path} is {what}, not a regular file: it is refused (exclude it)")]
    Special { path: String, what: &'static str },
    #[error(
        "{path:?} is not a UTF-8 name: an archive entry must be one (rename it, or exclude it)"
    )]
    BadName { path: String },
    #[error(
        "the archive would be larger than {cap} bytes: leave out what the module does not need \
         (.terraformignore, --exclude; `pack --list` shows what goes in){raise}"
    )]
    TooLarge { cap: u64, raise: &'static str },
    #[error("cannot read {}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write the archive")]
    Write(#[source] io::Error),
}

/// A file that goes into the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackedFile {
    /// Its path in the archive (relative, `/`-separated).
    pub(crate) path: String,
    /// Where its bytes are read from (a link's target, for a link).
    source: PathBuf,
    pub(crate) size: u64,
    pub(crate) executable: bool,
}

/// Something left out, and the rule that left it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LeftOut {
    /// Its path (a folder's ends in `/`).
    pub(crate) path: String,
    pub(crate) rule: String,
    pub(crate) source: RuleSource,
}

/// What an archive of a folder holds.
#[derive(Debug, Clone)]
pub(crate) struct Contents {
    pub(crate) files: Vec<PackedFile>,
    pub(crate) left_out: Vec<LeftOut>,
}

/// How a folder is packed.
#[derive(Debug, Clone)]
pub(crate) struct PackOptions {
    /// `--exclude` patterns, after `.terraformignore`'s.
    pub(crate) excludes: Vec<String>,
    /// Every entry's time (`SOURCE_DATE_EPOCH`, else 0).
    pub(crate) mtime: u64,
    /// The largest archive made.
    pub(crate) max_bytes: u64,
}

impl Default for PackOptions {
    fn default() -> Self {
        Self {
            excludes: Vec::new(),
            mtime: 0,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// A made archive: its SHA-256 and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Archive {
    pub(crate) sha256: [u8; 32],
    pub(crate) size: u64,
}

impl Archive {
    pub(crate) fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }

    /// As S3 and the registry's `expected_checksum` spell it: base64 of the digest.
    pub(crate) fn sha256_base64(&self) -> String {
        aws_smithy_types::base64::encode(self.sha256)
    }
}

/// What `dir` (a module's folder) puts in an archive.
pub(crate) fn collect(dir: &Path, options: &PackOptions) -> Result<Contents, PackError> {
    let root = dir.canonicalize().map_err(|source| PackError::Read {
        path: dir.to_owned(),
        source,
    })?;
    if !root.is_dir() {
        return Err(PackError::NotAFolder {
            dir: dir.to_owned(),
        });
    }
    let mut rules = Rules::defaults();
    let ignore = root.join(".terraformignore");
    match crate::fsutil::read_regular(&ignore, MAX_IGNORE_FILE_BYTES) {
        Ok(Some(bytes)) => rules.add_ignore_file(&String::from_utf8_lossy(&bytes)),
        Ok(None) => {}
        Err(source) => {
            return Err(PackError::Read {
                path: ignore,
                source,
            });
        }
    }
    for pattern in &options.excludes {
        rules.add_flag(pattern);
    }
    let mut walk = Walk {
        root: &root,
        rules: &rules,
        contents: Contents {
            files: Vec::new(),
            left_out: Vec::new(),
        },
        folders: vec![root.clone()],
    };
    walk.folder(&root, "")?;
    let mut contents = walk.contents;
    contents
        .files
        .sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    contents
        .left_out
        .sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let terraform = contents.files.iter().any(|f| {
        !f.path.contains('/') && (f.path.ends_with(".tf") || f.path.ends_with(".tf.json"))
    });
    if !terraform {
        return Err(PackError::NoTerraform {
            dir: dir.to_owned(),
        });
    }
    Ok(contents)
}

/// The walk of one folder tree.
struct Walk<'a> {
    root: &'a Path,
    rules: &'a Rules,
    contents: Contents,
    /// The folders being walked, outermost first (a link back to one is a loop).
    folders: Vec<PathBuf>,
}

impl Walk<'_> {
    fn folder(&mut self, dir: &Path, prefix: &str) -> Result<(), PackError> {
        let read = |source| PackError::Read {
            path: dir.to_owned(),
            source,
        };
        let mut names: Vec<std::ffi::OsString> = fs::read_dir(dir)
            .map_err(read)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<Result<_, _>>()
            .map_err(read)?;
        names.sort();
        for name in names {
            let path = dir.join(&name);
            let Some(name) = name.to_str() else {
                return Err(PackError::BadName {
                    path: format!("{prefix}{}", name.to_string_lossy()),
                });
            };
            let rel = format!("{prefix}{name}");
            self.entry(&path, rel)?;
        }
        Ok(())
    }

    fn entry(&mut self, path: &Path, rel: String) -> Result<(), PackError> {
        let meta = fs::symlink_metadata(path).map_err(|source| PackError::Read {
            path: path.to_owned(),
            source,
        })?;
        let (target, meta) = if meta.file_type().is_symlink() {
            let Ok(target) = path.canonicalize() else {
                return self.unless_left_out(
                    &rel,
                    false,
                    PackError::BrokenLink { path: rel.clone() },
                );
            };
            if !target.starts_with(self.root) {
                return self.unless_left_out(
                    &rel,
                    target.is_dir(),
                    PackError::LinkOutside {
                        path: rel.clone(),
                        target,
                    },
                );
            }
            let meta = fs::metadata(&target).map_err(|source| PackError::Read {
                path: target.clone(),
                source,
            })?;
            (target, meta)
        } else {
            (path.to_owned(), meta)
        };
        if meta.is_dir() {
            if let Some(rule) = self.rules.excluded_by(&rel, true) {
                self.left_out(format!("{rel}/"), rule.text.clone(), rule.source.clone());
                return Ok(());
            }
            if self.folders.contains(&target) {
                return Err(PackError::BrokenLink { path: rel });
            }
            self.folders.push(target.clone());
            self.folder(&target, &format!("{rel}/"))?;
            self.folders.pop();
            return Ok(());
        }
        if let Some(rule) = self.rules.excluded_by(&rel, false) {
            self.left_out(rel, rule.text.clone(), rule.source.clone());
            return Ok(());
        }
        if let Some(what) = crate::fsutil::not_regular(&meta) {
            return Err(PackError::Special { path: rel, what });
        }
        self.contents.files.push(PackedFile {
            path: rel,
            source: target,
            size: meta.len(),
            // Windows keeps no executable bit (it runs what a name's extension says):
            // there every file is packed 0644, as a Unix checkout without the bit is,
            // so the same tree gives the same bytes on both.
            executable: cfg!(unix) && crate::fsutil::is_executable(&meta),
        });
        Ok(())
    }

    /// `error`, unless a rule leaves `rel` out anyway.
    fn unless_left_out(
        &mut self,
        rel: &str,
        is_dir: bool,
        error: PackError,
    ) -> Result<(), PackError> {
        match self.rules.excluded_by(rel, is_dir) {
            Some(rule) => {
                let shown = if is_dir {
                    format!("{rel}/")
                } else {
                    rel.to_owned()
                };
                self.left_out(shown, rule.text.clone(), rule.source.clone());
                Ok(())
            }
            None => Err(error),
        }
    }

    fn left_out(&mut self, path: String, rule: String, source: RuleSource) {
        self.contents.left_out.push(LeftOut { path, rule, source });
    }
}

/// A writer that hashes and counts what passes through it, and refuses more than a cap.
struct Counted<W> {
    inner: W,
    hash: Sha256,
    size: u64,
    cap: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.size + buf.len() as u64 > self.cap {
            return Err(io::Error::new(io::ErrorKind::FileTooLarge, "over the cap"));
        }
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Write the archive of `contents` to `out`; `tally` counts the files.
pub(crate) fn write_archive(
    contents: &Contents,
    options: &PackOptions,
    out: impl Write,
    tally: &dyn Tally,
) -> Result<Archive, PackError> {
    let cap = options.max_bytes.min(MAX_ARCHIVE_BYTES);
    let too_large = || PackError::TooLarge {
        cap,
        raise: if cap < MAX_ARCHIVE_BYTES {
            ", or raise --max-size (S3 takes at most 5 GiB in one upload)"
        } else {
            " (S3 takes at most 5 GiB in one upload)"
        },
    };
    let counted = Counted {
        inner: io::BufWriter::with_capacity(256 * 1024, out),
        hash: Sha256::new(),
        size: 0,
        cap,
    };
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(counted, flate2::Compression::new(LEVEL));
    let mut tar = tar::Builder::new(gz);
    let write_err = |e: io::Error| {
        if e.kind() == io::ErrorKind::FileTooLarge {
            too_large()
        } else {
            PackError::Write(e)
        }
    };
    tally.total(contents.files.len() as u64);
    for file in &contents.files {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(if file.executable { 0o755 } else { 0o644 });
        header.set_mtime(options.mtime);
        header.set_uid(0);
        header.set_gid(0);
        let source = fs::File::open(&file.source).map_err(|source| PackError::Read {
            path: file.source.clone(),
            source,
        })?;
        // The size read now is the size stored: a file that changes while it is read
        // cannot make a header lie about its data.
        let mut data = Vec::with_capacity(file.size.min(64 * 1024 * 1024) as usize);
        source
            .take(cap.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|source| PackError::Read {
                path: file.source.clone(),
                source,
            })?;
        header.set_size(data.len() as u64);
        tar.append_data(&mut header, &file.path, data.as_slice())
            .map_err(write_err)?;
        tally.done(1);
    }
    let gz = tar.into_inner().map_err(write_err)?;
    let mut counted = gz.finish().map_err(write_err)?;
    counted.flush().map_err(write_err)?;
    Ok(Archive {
        sha256: counted.hash.finalize().into(),
        size: counted.size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        dir
    }

    fn pack(dir: &Path, options: &PackOptions) -> (Contents, Vec<u8>, Archive) {
        let contents = collect(dir, options).unwrap();
        let mut out = Vec::new();
        let archive = write_archive(&contents, options, &mut out, &()).unwrap();
        (contents, out, archive)
    }

    #[test]
    fn the_same_files_give_the_same_bytes() {
        let files = [
            ("main.tf", "a"),
            ("z/b.tf", "b"),
            ("a-b/c.txt", "c"),
            ("a/d.tf", "d"),
        ];
        let one = tree(&files);
        let (contents, bytes, archive) = pack(one.path(), &PackOptions::default());
        let paths: Vec<&str> = contents.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            ["a-b/c.txt", "a/d.tf", "main.tf", "z/b.tf"],
            "bytewise"
        );
        // Written in another order, at another time: the same archive.
        let two = tree(&[files[3], files[2], files[1], files[0]]);
        filetime_later(two.path());
        let (_, again, _) = pack(two.path(), &PackOptions::default());
        assert_eq!(bytes, again);
        assert_eq!(archive.size, bytes.len() as u64);
        assert_eq!(archive.sha256_hex(), hex::encode(Sha256::digest(&bytes)));
        // gzip header: no time, no name, OS 255.
        assert_eq!(&bytes[..4], &[0x1f, 0x8b, 8, 0]);
        assert_eq!(&bytes[4..8], &[0, 0, 0, 0]);
        assert_eq!(bytes[9], 255);
        // Every entry: uid/gid 0, no owner names, the given time, mode 0644.
        let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
        for entry in ar.entries().unwrap() {
            let h = entry.unwrap().header().clone();
            assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0));
            assert_eq!(h.username().unwrap(), Some(""));
            assert_eq!(h.mtime().unwrap(), 0);
            assert_eq!(h.mode().unwrap(), 0o644);
        }
        let dated = PackOptions {
            mtime: 1_700_000_000,
            ..PackOptions::default()
        };
        let (_, dated_bytes, _) = pack(one.path(), &dated);
        assert_ne!(dated_bytes, bytes, "SOURCE_DATE_EPOCH is part of the bytes");
    }

    fn filetime_later(dir: &Path) {
        for e in fs::read_dir(dir).unwrap() {
            let f = fs::File::options().append(true).open(e.unwrap().path());
            if let Ok(f) = f {
                let _ = f.set_modified(
                    std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(86_400),
                );
            }
        }
    }

    #[test]
    fn defaults_and_terraformignore_leave_things_out_with_their_rule() {
        let dir = tree(&[
            ("main.tf", ""),
            (".git/config", ""),
            ("sub/.terraform/modules/x.tf", ""),
            ("terraform.tfstate", ""),
            ("secret.auto.tfvars", ""),
            (".terraformignore", "*.auto.tfvars\n"),
        ]);
        let options = PackOptions {
            excludes: vec!["*.md".into()],
            ..PackOptions::default()
        };
        fs::write(dir.path().join("README.md"), "").unwrap();
        let contents = collect(dir.path(), &options).unwrap();
        let paths: Vec<&str> = contents.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, [".terraformignore", "main.tf"]);
        let out: Vec<(&str, String)> = contents
            .left_out
            .iter()
            .map(|l| (l.path.as_str(), l.source.to_string()))
            .collect();
        assert_eq!(
            out,
            [
                (".git/", "default".to_owned()),
                ("README.md", "--exclude".to_owned()),
                ("secret.auto.tfvars", ".terraformignore line 1".to_owned()),
                ("sub/.terraform/", "default".to_owned()),
                ("terraform.tfstate", "default".to_owned()),
            ]
        );
    }

    #[test]
    fn a_folder_without_terraform_files_is_refused() {
        let dir = tree(&[("sub/main.tf", ""), ("README.md", "")]);
        assert!(matches!(
            collect(dir.path(), &PackOptions::default()),
            Err(PackError::NoTerraform { .. })
        ));
        let dir = tree(&[("main.tf.json", "{}")]);
        assert!(collect(dir.path(), &PackOptions::default()).is_ok());
    }

    #[test]
    fn the_cap_stops_a_large_archive() {
        let dir = tree(&[("main.tf", &"x".repeat(4096))]);
        let options = PackOptions {
            max_bytes: 10,
            ..PackOptions::default()
        };
        let contents = collect(dir.path(), &options).unwrap();
        let err = write_archive(&contents, &options, Vec::new(), &()).unwrap_err();
        assert!(matches!(err, PackError::TooLarge { cap: 10, .. }), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_are_their_files_links_outside_and_fifos_are_refused() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let outside = tree(&[("secret", "s")]);
        let dir = tree(&[
            ("main.tf", "m"),
            ("lib/real.tf", "r"),
            ("run.sh", "#!/bin/sh"),
        ]);
        fs::set_permissions(dir.path().join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        symlink("lib/real.tf", dir.path().join("alias.tf")).unwrap();
        symlink("lib", dir.path().join("lib2")).unwrap();
        let (contents, bytes, _) = pack(dir.path(), &PackOptions::default());
        let paths: Vec<&str> = contents.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "alias.tf",
                "lib/real.tf",
                "lib2/real.tf",
                "main.tf",
                "run.sh"
            ]
        );
        let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
        for entry in ar.entries().unwrap() {
            let mut entry = entry.unwrap();
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            assert_eq!(
                entry.header().entry_type(),
                tar::EntryType::Regular,
                "{path}"
            );
            let mode = entry.header().mode().unwrap();
            assert_eq!(mode, if path == "run.sh" { 0o755 } else { 0o644 }, "{path}");
            if path == "alias.tf" {
                let mut text = String::new();
                entry.read_to_string(&mut text).unwrap();
                assert_eq!(text, "r");
            }
        }
        symlink(outside.path().join("secret"), dir.path().join("leak.tf")).unwrap();
        let err = collect(dir.path(), &PackOptions::default()).unwrap_err();
        assert!(
            matches!(&err, PackError::LinkOutside { path, .. } if path == "leak.tf"),
            "{err}"
        );
        // Left out, it is no problem.
        let options = PackOptions {
            excludes: vec!["leak.tf".into()],
            ..PackOptions::default()
        };
        assert!(collect(dir.path(), &options).is_ok());
        fs::remove_file(dir.path().join("leak.tf")).unwrap();
        symlink(".", dir.path().join("lib/loop")).unwrap();
        assert!(matches!(
            collect(dir.path(), &PackOptions::default()),
            Err(PackError::BrokenLink { .. })
        ));
        fs::remove_file(dir.path().join("lib/loop")).unwrap();
        let fifo = dir.path().join("pipe");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let err = collect(dir.path(), &PackOptions::default()).unwrap_err();
        assert!(
            matches!(&err, PackError::Special { path, .. } if path == "pipe"),
            "{err}"
        );
    }
}
