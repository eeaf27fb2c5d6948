//! Progress on stderr, only when stderr is a terminal: a bar with position, total,
//! rate and time left once the total is known, a spinner with a count until then.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

/// Progress of one long operation.
pub(crate) struct Progress {
    bar: ProgressBar,
    what: &'static str,
}

/// `51/s`: a whole rate reads at a glance; indicatif's own has four decimals.
fn rate(state: &ProgressState, w: &mut dyn std::fmt::Write) {
    let _ = write!(w, "{:.0}/s", state.per_sec());
}

fn style(template: &str) -> Option<ProgressStyle> {
    ProgressStyle::with_template(template)
        .ok()
        .map(|s| s.with_key("rate", rate).progress_chars("=> "))
}

impl Progress {
    /// Counting `what` toward a total not known yet (a spinner until
    /// [`Progress::set_total`]).
    pub(crate) fn new(what: &'static str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self {
                bar: ProgressBar::hidden(),
                what,
            };
        }
        let bar = ProgressBar::new_spinner();
        if let Some(style) = style(&format!("{{spinner}} {{pos}} {what} ({{rate}})")) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self { bar, what }
    }

    /// Counting `what` toward `total`: a bar.
    pub(crate) fn bar(total: u64, what: &'static str) -> Self {
        let progress = Self::new(what);
        progress.set_total(total);
        progress
    }

    /// Whether anything is shown: work done only for the display can be skipped.
    pub(crate) fn is_shown(&self) -> bool {
        !self.bar.is_hidden()
    }

    /// The total is known (or known better): show a bar with position/total and the
    /// time left.
    pub(crate) fn set_total(&self, total: u64) {
        if !self.is_shown() {
            return;
        }
        self.bar.set_length(total);
        if let Some(style) = style(&format!(
            "{{bar:30}} {{pos}}/{{len}} {} ({{rate}}, {{eta}} left)",
            self.what
        )) {
            self.bar.set_style(style);
        }
    }

    pub(crate) fn tick(&self) {
        self.bar.inc(1);
    }

    /// Count `n` at once.
    pub(crate) fn add(&self, n: u64) {
        self.bar.inc(n);
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl crate::tally::Tally for Progress {
    fn total(&self, n: u64) {
        self.set_total(n);
    }

    fn done(&self, n: u64) {
        self.add(n);
    }
}

impl Drop for Progress {
    /// However the command ends, the progress line is cleared before any error prints.
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
