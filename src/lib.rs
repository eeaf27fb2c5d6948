//! The shared core of the toolkit's six tools (one binary, `cdk-toolkit`, that runs
//! each by the name it is called as): AWS configuration and signing, the secret cache
//! under `~/.cdk/cache`, secret handling, output rendering, the exit policy, and one
//! module per product area.
//!
//! Layers, each importing only from the ones below it: `bin/cdk-toolkit` -> [`app`]
//! (arguments, dispatch, printing, exit statuses) -> the domains (`registry`, `immukv`,
//! `apikey`: their rules and typed errors) -> the shared core (`aws`, `http`, `tls`,
//! `cache`, `output`, `pyjson`, `secret`, `fsutil`, `sys`, `diag`, `exit`, `env`,
//! `tally`, `time`).

// The secret cache's guarantees rest on owners and modes (Unix) or owners and DACLs
// (Windows), and on file locks: elsewhere the build stops.
#[cfg(not(any(unix, windows)))]
compile_error!("cdk-toolkit builds for Unix (Linux, macOS, the BSDs) and Windows only");

mod apikey;
/// The one binary's name.
pub const BINARY: &str = "cdk-toolkit";

/// The six tools, by the names they are installed as (links to [`BINARY`]).
pub const TOOLS: [&str; 6] = [
    "get-registry-token",
    "install-registry-credentials-helper",
    "manage-registry-permissions",
    "manage-registry-modules",
    "immukv",
    "api-key",
];

pub mod app;
mod aws;
mod cache;
mod diag;
mod env;
mod exit;
mod fsutil;
mod http;
mod immukv;
mod output;
mod pyjson;
mod registry;
mod secret;
mod sys;
mod tally;
mod time;
mod tls;
