//! What a long operation reports as it goes (a progress display in `app`, or nothing),
//! for the domains that do long operations without knowing how it is shown.

/// The total once known (or known better), and the items (files, bytes, entries) done.
pub(crate) trait Tally {
    fn total(&self, n: u64);
    fn done(&self, n: u64);
}

/// Reports nowhere.
impl Tally for () {
    fn total(&self, _: u64) {}
    fn done(&self, _: u64) {}
}
