//! Module versions in the registry: packing a module folder into a reproducible
//! archive (`pack`, `ignore`), publishing it exactly once (`upload` to its bucket, a
//! record through the registry's API or in its table, `publish`), listing and fetching
//! versions as Terraform does (`api`, `extract`), and unpublishing them (`record`).

pub(crate) mod address;
pub(crate) mod api;
pub(crate) mod error;
pub(crate) mod extract;
pub(crate) mod ignore;
pub(crate) mod manifest;
pub(crate) mod pack;
pub(crate) mod publish;
pub(crate) mod record;
pub(crate) mod upload;

pub(crate) use address::{ModuleAddress, ModuleName, ModuleVersion};
pub(crate) use error::ModulesError;
