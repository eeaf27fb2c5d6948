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

/// The name this process was started as (the helper runs as `terraform-credentials-*`).
pub(crate) fn binary_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "cdk-toolkit".to_owned())
}
