//! Input the user hands a command: a file they name, or stdin.

use std::io::{IsTerminal, Read};

use super::Error;

/// The text of `file`, or of stdin when none is named (refused with `none_given` when
/// stdin is a terminal), and its name for messages.
pub(crate) fn read_input(
    file: Option<&std::path::Path>,
    none_given: &str,
    stdin_what: &str,
) -> Result<(String, String), Error> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Input {
            what: path.display().to_string(),
            source,
        })?;
        return Ok((text, path.display().to_string()));
    }
    if std::io::stdin().is_terminal() {
        return Err(Error::Usage(none_given.into()));
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|source| Error::Input {
            what: stdin_what.into(),
            source,
        })?;
    Ok((text, "stdin".to_owned()))
}
