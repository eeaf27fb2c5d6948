//! The private Terraform module registry: hosts, tokens, the token cache, grants, and
//! installing the credentials helper.

pub(crate) mod cliconfig;
pub(crate) mod doctor;
pub(crate) mod grants;
pub(crate) mod host;
pub(crate) mod install;
pub(crate) mod layout;
pub(crate) mod settings;
pub(crate) mod token;
pub(crate) mod token_cache;

pub(crate) use host::RegistryHost;
pub(crate) use token::{Service, TokenRequest, fetch_token};
pub(crate) use token_cache::{TokenCache, TokenKey};
