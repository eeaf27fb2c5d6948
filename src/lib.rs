//! The shared core of the toolkit's five binaries: AWS configuration and signing,
//! the secret cache under `~/.cdk/cache`, secret handling, output rendering, the exit
//! policy, and one module per product area.

pub mod apikey;
pub mod app;
pub mod aws;
pub mod cache;
pub mod env;
pub mod exit;
pub mod fsutil;
pub mod http;
pub mod immukv;
pub mod output;
pub mod pyjson;
pub mod registry;
pub mod secret;
pub mod time;
