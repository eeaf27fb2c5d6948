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
#[cfg(unix)]
mod api_stack;
#[cfg(unix)]
mod build_script;
mod cache;
#[cfg(unix)]
mod cli;
#[cfg(unix)]
mod edges;
#[cfg(unix)]
mod hardening;
mod immukv;
#[cfg(unix)]
mod immukv_checkpoints;
#[cfg(unix)]
mod immukv_conflicts;
#[cfg(unix)]
mod immukv_integrity;
#[cfg(unix)]
mod immukv_operator;
#[cfg(unix)]
mod immukv_policy;
#[cfg(unix)]
mod immukv_retention;
#[cfg(unix)]
mod install_script;
#[cfg(unix)]
mod installer;
#[cfg(unix)]
mod installer_edges;
#[cfg(unix)]
mod package_toolchain;
#[cfg(unix)]
mod progress;
#[cfg(unix)]
mod references;
#[cfg(unix)]
mod registry_discovery;
#[cfg(unix)]
mod registry_doctor;
#[cfg(unix)]
mod registry_grants;
mod registry_helper;
#[cfg(unix)]
mod registry_hosts;
#[cfg(unix)]
mod registry_modules;
#[cfg(unix)]
mod registry_terraform;
#[cfg(unix)]
mod registry_token;
mod windows;
