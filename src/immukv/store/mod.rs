//! An ImmuKV store on S3: the two-phase write with optimistic locking, reads that see
//! orphans, and concurrent, ordered, streaming listings.
//!
//! `s3` is the object layer (GET, PUT, HEAD, listings) and what its failures mean;
//! `write` the append protocol, exactly once; `read` the reads of entries and histories.

mod model;
mod read;
mod s3;
mod write;

pub(crate) use model::{
    Appended, AsOf, KeyObject, KeyRetention, KeyStart, Lag, MAX_OBJECT_BYTES, Polled, Store,
    StoreError, Tip, check_hash,
};
pub(crate) use read::Held;
pub(crate) use s3::ListedVersion;
pub(crate) use write::Expect;
