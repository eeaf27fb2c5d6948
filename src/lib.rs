//! The shared core of the toolkit's five binaries: AWS configuration and signing,
//! the secret cache under `~/.cdk/cache`, secret handling, output rendering, the exit
//! policy, and one module per product area.
//!
//! Layers, each importing only from the ones below it: `bin/*` -> [`app`] (arguments,
//! dispatch, printing, exit statuses) -> the domains (`registry`, `immukv`, `apikey`:
//! their rules and typed errors) -> the shared core (`aws`, `http`, `cache`, `output`,
//! `pyjson`, `secret`, `fsutil`, `diag`, `exit`, `env`, `time`).

// Unix file modes and owners, advisory locks, exec and symlinks are the ground the
// toolkit's guarantees stand on; it does not build elsewhere.
#[cfg(not(unix))]
compile_error!(
    "cdk-toolkit builds on Unix only (Linux, macOS): its secret cache relies on Unix file \
     modes, owners and locks. On Windows, build and run it under WSL."
);

#[cfg(unix)]
mod apikey;
#[cfg(unix)]
pub mod app;
#[cfg(unix)]
mod aws;
#[cfg(unix)]
mod cache;
#[cfg(unix)]
mod diag;
#[cfg(unix)]
mod env;
#[cfg(unix)]
mod exit;
#[cfg(unix)]
mod fsutil;
#[cfg(unix)]
mod http;
#[cfg(unix)]
mod immukv;
#[cfg(unix)]
mod output;
#[cfg(unix)]
mod pyjson;
#[cfg(unix)]
mod registry;
#[cfg(unix)]
mod secret;
#[cfg(unix)]
mod sys;
#[cfg(unix)]
mod time;
