//! Input the user hands a command: a file they name, or stdin. The one reader of both.

use std::io::{IsTerminal, Read};
use std::path::Path;

use super::error::Error;

/// The bytes of `file`, or of stdin when none is named (`stdin_what` names it in
/// messages).
pub(crate) fn read_bytes(file: Option<&Path>, stdin_what: &str) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    let result = match file {
        Some(path) => std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)),
        None => std::io::stdin().read_to_end(&mut bytes),
    };
    result.map_err(|source| Error::Input {
        what: file.map_or_else(|| stdin_what.to_owned(), |p| p.display().to_string()),
        source,
    })?;
    Ok(bytes)
}

/// The text of `file`, or of stdin when none is named (refused with `none_given` when
/// stdin is a terminal), and its name for messages.
pub(crate) fn read_input(
    file: Option<&Path>,
    none_given: &str,
    stdin_what: &str,
) -> Result<(String, String), Error> {
    if file.is_none() && std::io::stdin().is_terminal() {
        return Err(Error::Usage(none_given.into()));
    }
    let bytes = read_bytes(file, stdin_what)?;
    let name = file.map_or_else(|| "stdin".to_owned(), |p| p.display().to_string());
    let text = String::from_utf8(bytes).map_err(|_| Error::Input {
        what: name.clone(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text"),
    })?;
    Ok((text, name))
}
