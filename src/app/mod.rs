//! One module per binary: its clap definition, dispatch and printing. The same
//! definitions generate `--help`, the man pages and the shell completions
//! ([`docs`]).
//!
//! The exit policy is `error` (the one error type and its exhaustive exit statuses)
//! and `cli` (parse, run, report on one line); `docs` generates the completions and
//! man pages.

pub mod api_key;
mod aws_args;
mod cli;
mod credentials_helper;
mod docs;
mod error;
pub use docs::generated_files;
pub mod get_registry_token;
pub mod immukv;
mod input;
pub mod install_registry_credentials_helper;
pub mod manage_registry_modules;
pub mod manage_registry_permissions;
pub mod multicall;
mod progress;
mod registry_doctor;
mod values;
