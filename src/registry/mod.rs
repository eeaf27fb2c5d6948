//! The private Terraform module registry: hosts, tokens (issued one way, `tokens`,
//! through the token cache), Terraform's credentials-helper protocol, grants, and
//! installing the credentials helper.

pub(crate) mod cliconfig;
pub(crate) mod discovery;
pub(crate) mod doctor;
pub(crate) mod grants;
pub(crate) mod helper;
pub(crate) mod host;
pub(crate) mod install;
pub(crate) mod layout;
pub(crate) mod modules;
pub(crate) mod services;
pub(crate) mod settings;
pub(crate) mod token;
pub(crate) mod token_cache;
pub(crate) mod tokens;

pub(crate) use host::RegistryHost;
pub(crate) use token::Service;
