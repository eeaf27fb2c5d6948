//! The one integration-test binary: every test gets an isolated HOME and talks to a
//! real local AWS emulator or to local endpoints started for it. The Windows build is
//! tested from Unix too, its `.exe` run under Wine (`windows`).
//!
//! The modules whose behaviour is the same everywhere (the cache and its locks, the
//! credentials-helper protocol, exec, immukv and api-key against the emulator) build
//! and run on Windows and macOS as well (`scripts/test-portable`, CI's windows-latest
//! and macos-14 jobs), and so does `windows`, the Windows suite: under Wine here,
//! natively there (the installer's Windows paths and CLI config among it). The rest
//! is Unix's: modes, links, signals, the Unix CLI-config layout, Terraform.

#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod api_key;
mod cache;
mod immukv;
mod registry_helper;
mod windows;

/// Modules of Unix only.
macro_rules! unix {
    ($($module:ident),* $(,)?) => {
        $(
            #[cfg(unix)]
            mod $module;
        )*
    };
}

unix!(
    api_stack,
    build_script,
    cli,
    edges,
    hardening,
    immukv_checkpoints,
    immukv_conflicts,
    immukv_integrity,
    immukv_operator,
    immukv_policy,
    immukv_retention,
    install_script,
    installer,
    installer_edges,
    package_toolchain,
    progress,
    references,
    registry_discovery,
    registry_doctor,
    registry_grants,
    registry_hosts,
    registry_modules,
    registry_terraform,
    registry_token,
);
