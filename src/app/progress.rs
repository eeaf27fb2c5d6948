//! Progress on stderr, only when stderr is a terminal: a bar when the total is known,
//! else a spinner with a count.

use std::io::IsTerminal;

/// A spinner with a count on stderr, only when stderr is a terminal.
pub(crate) struct Progress(pub(crate) indicatif::ProgressBar);

impl Progress {
    pub(crate) fn new(what: &'static str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(indicatif::ProgressBar::hidden());
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} {{pos}} {what} ({{per_sec}})"
        )) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self(bar)
    }

    /// A bar with a known length, only when stderr is a terminal.
    pub(crate) fn bar(len: u64, what: &'static str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(indicatif::ProgressBar::hidden());
        }
        let bar = indicatif::ProgressBar::new(len);
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} ({{per_sec}}, {{eta}} left)"
        )) {
            bar.set_style(style);
        }
        Self(bar)
    }

    pub(crate) fn tick(&self) {
        self.0.inc(1);
    }

    pub(crate) fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Drop for Progress {
    /// However the command ends, the spinner line is cleared before any error prints.
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
