//! The toolkit's only `unsafe` code: what the standard library leaves to the caller
//! to make sound. Nothing else may use `unsafe` (the crate denies it).
#![allow(unsafe_code)]

use std::ffi::OsStr;

/// Remove `name` from this process's environment. Sound only while no other thread
/// may read or write the environment: [`crate::env::forget_empty`] calls it first
/// thing in `main`, before any thread (the async runtime's included) exists.
pub(crate) fn remove_env_var_before_threads(name: &OsStr) {
    // SAFETY: called only from `env::forget_empty`, which runs at the start of the
    // process's one thread, before anything else reads the environment or spawns.
    unsafe { std::env::remove_var(name) }
}
