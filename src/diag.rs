//! Warnings and notes on stderr, prefixed with the binary's name; stdout carries only
//! the answer.

use std::collections::HashSet;
use std::fmt;
use std::io::{self, Write};
use std::sync::Mutex;

/// Print a warning on stderr.
pub(crate) fn warn(message: impl fmt::Display) {
    line("warning", message);
}

/// Print a note on stderr.
pub(crate) fn note(message: impl fmt::Display) {
    line("note", message);
}

/// Print a warning once per process for `key`, however often it is reached.
pub(crate) fn warn_once(key: &str, message: impl fmt::Display) {
    static WARNED: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
    if warned
        .get_or_insert_with(HashSet::new)
        .insert(key.to_owned())
    {
        warn(message);
    }
}

fn line(kind: &str, message: impl fmt::Display) {
    let _ = io::stderr()
        .lock()
        .write_all(format!("{}: {kind}: {message}\n", binary_name()).as_bytes());
}

/// The program's name in messages, set once at the start.
static BINARY_NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Name the program for every message: the tool it runs as (`immukv`, or the helper's
/// `terraform-credentials-NAME`), however it was started.
pub(crate) fn set_binary_name(name: &str) {
    let _ = BINARY_NAME.set(name.to_owned());
}

/// The program's name in messages.
pub(crate) fn binary_name() -> String {
    BINARY_NAME
        .get()
        .cloned()
        .unwrap_or_else(|| "cdk-toolkit".to_owned())
}

/// The most characters of a user's value quoted back in a message.
const QUOTED_CHARS: usize = 64;

/// A user's value as a message quotes it: Rust-quoted (control characters escaped),
/// and cut short past [`QUOTED_CHARS`] characters, saying how long it was: a huge
/// value (a 50 MB file, a pasted blob) never floods a terminal or a CI log.
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(QUOTED_CHARS) {
            None => write!(f, "{:?}", self.0),
            Some((end, _)) => {
                let shown = format!("{:?}", &self.0[..end]);
                write!(
                    f,
                    "{}...\" ({} bytes)",
                    &shown[..shown.len() - 1],
                    self.0.len()
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_value_is_cut_short_and_says_its_length() {
        assert_eq!(Quoted("a\"b\n").to_string(), r#""a\"b\n""#);
        let long = "é".repeat(100);
        let shown = Quoted(&long).to_string();
        assert_eq!(shown, format!("\"{}...\" (200 bytes)", "é".repeat(64)));
        assert_eq!(
            Quoted(&"x".repeat(64)).to_string(),
            format!("{:?}", "x".repeat(64))
        );
    }
}
