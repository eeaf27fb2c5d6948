//! ImmuKV: an append-only, hash-chained key-value store on a versioned S3 bucket,
//! byte-compatible with the official Python and TypeScript clients.

pub(crate) use crate::tally::Tally;

pub(crate) mod audit;
pub(crate) mod checkpoint;
pub(crate) mod dump;
pub(crate) mod entry;
pub(crate) mod head;
pub(crate) mod import;
pub(crate) mod repair;
pub(crate) mod retention;
pub(crate) mod store;
pub(crate) mod verify;
pub(crate) mod watch;
