//! The one integration-test binary: every test gets an isolated HOME and talks to a
//! real local AWS emulator or to local endpoints started for it. It runs on Unix; the
//! Windows build is tested from here too, its `.exe` run under Wine (`windows`).

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod api_key;
mod api_stack;
mod build_script;
mod cache;
mod cli;
mod edges;
mod hardening;
mod immukv;
mod immukv_checkpoints;
mod immukv_conflicts;
mod immukv_integrity;
mod immukv_operator;
mod immukv_policy;
mod immukv_retention;
mod install_script;
mod installer;
mod installer_edges;
mod package_toolchain;
mod progress;
mod references;
mod registry_discovery;
mod registry_doctor;
mod registry_grants;
mod registry_helper;
mod registry_hosts;
mod registry_modules;
mod registry_terraform;
mod registry_token;
mod windows;
