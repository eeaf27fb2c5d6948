//! ImmuKV: an append-only, hash-chained key-value store on a versioned S3 bucket,
//! byte-compatible with the official Python and TypeScript clients.

/// What a long operation reports as it goes (a progress display, or nothing): the
/// total once known (or known better), and the items done.
pub(crate) trait Tally {
    fn total(&self, n: u64);
    fn done(&self, n: u64);
}

/// Reports nowhere.
impl Tally for () {
    fn total(&self, _: u64) {}
    fn done(&self, _: u64) {}
}

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
