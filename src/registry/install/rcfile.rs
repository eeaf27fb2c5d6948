//! A CLI-config file as the installer reads it: only a regular file (or a link to one),
//! read without waiting, with where an edit goes and with which owner and mode.

use std::io;
use std::path::{Path, PathBuf};

use super::super::cliconfig::ConfigError;
use super::error::InstallError;
use crate::fsutil::{MAX_CONFIG_BYTES, Ownership, edit_target};

/// A CLI-config file as read.
#[derive(Debug, Clone)]
pub(crate) struct RcFile {
    /// The path the user named (a link stays a link).
    pub(crate) path: PathBuf,
    /// Where edits go: the link's target.
    pub(crate) target: PathBuf,
    /// The target's owner and mode (`None`: it does not exist yet).
    pub(crate) ownership: Option<Ownership>,
    pub(crate) text: String,
}

impl RcFile {
    /// Read `path`; a missing file is empty. A device, a FIFO or a folder (through a
    /// link or not) is refused before anything else happens.
    pub(crate) fn read(path: &Path) -> Result<Self, InstallError> {
        let read_err = |source| InstallError::Read {
            path: path.to_owned(),
            source,
        };
        let target = edit_target(path).map_err(read_err)?;
        if let Ok(meta) = std::fs::metadata(&target)
            && let Some(what) = crate::fsutil::not_regular(&meta)
        {
            return Err(InstallError::NotRegular {
                path: path.to_owned(),
                what: what.to_owned(),
            });
        }
        let (text, ownership) = match crate::fsutil::read_regular(&target, MAX_CONFIG_BYTES) {
            Ok(Some(bytes)) => {
                let meta = std::fs::metadata(&target).map_err(read_err)?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    read_err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "it is not UTF-8 text",
                    ))
                })?;
                (text, Some(Ownership::of(&meta)))
            }
            Ok(None) => (String::new(), None),
            Err(e) => return Err(read_err(e)),
        };
        Ok(Self {
            path: path.to_owned(),
            target,
            ownership,
            text,
        })
    }

    /// A file the scan cannot follow is refused before anything is changed.
    pub(crate) fn unreadable(&self, source: ConfigError) -> InstallError {
        InstallError::Unreadable {
            path: self.path.clone(),
            source,
        }
    }

    /// Whether it still says what it said when read.
    pub(crate) fn unchanged(&self) -> Result<bool, InstallError> {
        Ok(RcFile::read(&self.path)?.text == self.text)
    }

    pub(crate) fn exists(&self) -> bool {
        self.ownership.is_some()
    }
}
