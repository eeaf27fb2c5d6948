//! The private Terraform module registry: hosts, tokens, the token cache, grants.

pub mod cliconfig;
pub mod grants;
pub mod host;
pub mod token;
pub mod token_cache;

pub use host::RegistryHost;
pub use token::{Service, TokenRequest, fetch_token};
pub use token_cache::{TokenCache, TokenKey};
