//! The toolkit's only `unsafe` code: what the standard library leaves to the caller
//! to make sound, and (`windows`) the Win32 calls the Windows build needs. Nothing else
//! may use `unsafe` (the crate denies it).
#![allow(unsafe_code)]

#[cfg(windows)]
pub(crate) mod windows;

use std::ffi::OsStr;

/// Set `name` to `value` in this process's environment; sound only before other
/// threads exist, as [`remove_env_var_before_threads`].
pub(crate) fn set_env_var_before_threads(name: &str, value: &str) {
    // SAFETY: called only from `api-key`'s start, on the process's one thread, before
    // the async runtime or any other thread is started.
    unsafe { std::env::set_var(name, value) }
}

/// Remove `name` from this process's environment. Sound only while no other thread
/// may read or write the environment: [`crate::env::forget_empty`] calls it first
/// thing in `main`, before any thread (the async runtime's included) exists.
pub(crate) fn remove_env_var_before_threads(name: &OsStr) {
    // SAFETY: called only from `env::forget_empty`, which runs at the start of the
    // process's one thread, before anything else reads the environment or spawns.
    unsafe { std::env::remove_var(name) }
}
