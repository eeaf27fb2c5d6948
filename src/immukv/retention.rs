//! Retention: whether S3's lifecycle rules explain the versions missing from the oldest
//! end of a log (or of a key's history), decided from S3's own timestamps.
//!
//! The construct turns `logVersionRetention` / `logVersionsToRetain` into a rule with
//! `NoncurrentVersionExpiration { NoncurrentDays, NewerNoncurrentVersions }`. S3 makes
//! a version noncurrent when the next one is written (at that one's `LastModified`),
//! may remove it once it has been noncurrent for `NoncurrentDays` (rounded up to the
//! next midnight UTC), and keeps the newest `NewerNoncurrentVersions` noncurrent
//! versions whatever their age. Writers' own `timestamp_ms` never counts: a writer's
//! clock says nothing about when S3 may delete. Everything here is a pure function of
//! the rule, the listing's timestamps and the time now, so that it can be tested on
//! synthetic times (the emulator never expires anything).

use std::fmt;

use super::entry::LogEntry;

const DAY_MS: i64 = 86_400_000;

/// The smallest log entry or key object there can be (an empty key, a `null` value):
/// a size filter that leaves out anything from here to the largest entry does not
/// cover every entry.
const MIN_ENTRY_BYTES: i64 = 100;

/// One rule of a bucket's lifecycle configuration, as far as retention is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LifecycleRule {
    pub(crate) id: Option<String>,
    pub(crate) enabled: bool,
    /// The rule's deprecated top-level `Prefix`, when it has one.
    pub(crate) legacy_prefix: Option<String>,
    /// Its `Filter` (`None` when it has none: the rule applies to every object).
    pub(crate) filter: Option<Filter>,
    pub(crate) noncurrent_days: Option<i64>,
    pub(crate) newer_noncurrent_versions: Option<i64>,
}

/// A lifecycle `Filter`, in any of its forms: a prefix, a tag, object sizes, or an
/// `And` of them. Only how many tags it requires matters: ImmuKV writes no tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    pub(crate) prefix: Option<String>,
    pub(crate) tags: usize,
    pub(crate) size_greater_than: Option<i64>,
    pub(crate) size_less_than: Option<i64>,
}

impl LifecycleRule {
    /// Whether the rule applies to every version of `object`, whatever its size: it
    /// is enabled, its prefix covers the object, it requires no tag (ImmuKV's objects
    /// have none), and a size condition leaves no entry out.
    pub(crate) fn covers(&self, object: &str, max_entry_bytes: i64) -> bool {
        let prefix_ok = |p: &Option<String>| p.as_deref().is_none_or(|p| object.starts_with(p));
        self.enabled
            && prefix_ok(&self.legacy_prefix)
            && self.filter.as_ref().is_none_or(|f| {
                prefix_ok(&f.prefix)
                    && f.tags == 0
                    && f.size_greater_than.is_none_or(|n| n < MIN_ENTRY_BYTES)
                    && f.size_less_than.is_none_or(|n| n > max_entry_bytes)
            })
    }

    /// The retention this rule gives `object`, when it covers it and expires
    /// noncurrent versions.
    pub(crate) fn retention_of(&self, object: &str, max_entry_bytes: i64) -> Option<Retention> {
        let days = self.noncurrent_days.filter(|d| *d >= 0)?;
        self.covers(object, max_entry_bytes).then(|| Retention {
            days,
            keep: self.newer_noncurrent_versions.unwrap_or(0).max(0),
            source: Source::Lifecycle(self.id.clone().unwrap_or_default()),
        })
    }
}

/// Where a retention came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A lifecycle rule of the bucket, by id.
    Lifecycle(String),
    /// The command line (or its environment variables), named by the flag.
    Flag(&'static str),
}

/// How long noncurrent versions are kept, and how many at least.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Retention {
    /// `NoncurrentDays`.
    pub(crate) days: i64,
    /// `NewerNoncurrentVersions`: this many noncurrent versions are kept whatever
    /// their age.
    pub(crate) keep: i64,
    pub(crate) source: Source,
}

impl fmt::Display for Retention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Lifecycle(id) if id.is_empty() => write!(f, "an unnamed lifecycle rule")?,
            Source::Lifecycle(id) => write!(f, "lifecycle rule {id}")?,
            Source::Flag(flag) => write!(f, "{flag} {}", self.days)?,
        }
        write!(f, " (noncurrent for {} days", self.days)?;
        if self.keep > 0 {
            write!(f, ", keeping the newest {} noncurrent versions", self.keep)?;
        }
        write!(f, ")")
    }
}

/// What the listing shows of the versions left, oldest end first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Remaining {
    /// S3's `LastModified` of the oldest version left, in Unix milliseconds: the
    /// newest missing version became noncurrent then.
    pub(crate) oldest_written_ms: i64,
    /// How many noncurrent versions are left.
    pub(crate) noncurrent: i64,
}

/// Why a gap at the oldest end is not what retention does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unexplained {
    /// No rule is known: none covers the object, or the configuration could not be read.
    NoRule,
    /// Removed before the rule allowed it.
    TooEarly {
        rule: Retention,
        noncurrent_since_ms: i64,
        expirable_at_ms: i64,
    },
    /// Fewer noncurrent versions are left than the rule keeps.
    TooFewKept { rule: Retention, left: i64 },
}

impl fmt::Display for Unexplained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::time::rfc3339_ms_text as at;
        match self {
            Unexplained::NoRule => write!(f, "no retention rule covers it"),
            Unexplained::TooEarly {
                rule,
                noncurrent_since_ms,
                expirable_at_ms,
            } => write!(
                f,
                "they became noncurrent at {} (when the oldest entry left was written), and {rule} \
                 may remove them from {} on, not before",
                at(*noncurrent_since_ms),
                at(*expirable_at_ms)
            ),
            Unexplained::TooFewKept { rule, left } => write!(
                f,
                "only {left} noncurrent versions are left, but {rule} keeps at least {}",
                rule.keep
            ),
        }
    }
}

/// The first moment S3 may remove a version that became noncurrent at `since_ms`
/// under a rule of `days`: that many days later, rounded up to the next midnight UTC.
pub(crate) fn expirable_at(since_ms: i64, days: i64) -> i64 {
    let due = since_ms.saturating_add(days.saturating_mul(DAY_MS));
    due.div_euclid(DAY_MS)
        .saturating_add(1)
        .saturating_mul(DAY_MS)
}

/// Whether one of `rules` explains that the versions older than the oldest one left
/// are gone, at `now_ms`: the newest of them has been noncurrent long enough, and at
/// least as many noncurrent versions are left as the rule keeps. The rule that does;
/// otherwise why the first rule does not (or that there is none).
pub(crate) fn explain(
    rules: &[Retention],
    remaining: Remaining,
    now_ms: i64,
) -> Result<&Retention, Unexplained> {
    let mut first_reason = None;
    for rule in rules {
        let expirable_at_ms = expirable_at(remaining.oldest_written_ms, rule.days);
        let reason = if now_ms < expirable_at_ms {
            Unexplained::TooEarly {
                rule: rule.clone(),
                noncurrent_since_ms: remaining.oldest_written_ms,
                expirable_at_ms,
            }
        } else if remaining.noncurrent < rule.keep {
            Unexplained::TooFewKept {
                rule: rule.clone(),
                left: remaining.noncurrent,
            }
        } else {
            return Ok(rule);
        };
        first_reason.get_or_insert(reason);
    }
    Err(first_reason.unwrap_or(Unexplained::NoRule))
}

/// Where retention rules were looked for, when none was found: what the message about
/// a gap nothing explains says to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// The bucket's lifecycle rules were read.
    Read,
    /// These credentials may not read them.
    Denied,
    /// There is no S3 to ask (a dump, offline).
    Offline,
}

/// The rules that may have expired versions of one object, and where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rules {
    pub(crate) rules: Vec<Retention>,
    pub(crate) lookup: Lookup,
}

impl Rules {
    /// The bucket's rules that cover `object` (`None`: they could not be read); where
    /// there are none, the retention the user declared (a flag), if any.
    pub(crate) fn for_object(
        lifecycle: Option<&[LifecycleRule]>,
        object: &str,
        max_entry_bytes: i64,
        declared: Option<&Retention>,
    ) -> Self {
        let rules: Vec<Retention> = lifecycle
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r.retention_of(object, max_entry_bytes))
            .collect();
        let lookup = match lifecycle {
            Some(_) => Lookup::Read,
            None => Lookup::Denied,
        };
        if rules.is_empty() {
            return Self {
                rules: declared.into_iter().cloned().collect(),
                lookup,
            };
        }
        Self { rules, lookup }
    }

    /// Only what the user declared: no S3 to ask.
    pub(crate) fn offline(declared: Option<&Retention>) -> Self {
        Self {
            rules: declared.into_iter().cloned().collect(),
            lookup: Lookup::Offline,
        }
    }
}

/// Why the entries below a log's oldest one are gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ExpiredBy {
    /// A retention rule explains it.
    Rule(Retention),
    /// A verified head above them anchors the chain: what lies below it was verified
    /// when that head was.
    Anchor { sequence: i64 },
}

/// The oldest part of a log, gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expired {
    /// The newest sequence that is gone (every one from 0 to it is).
    pub(crate) through: i64,
    pub(crate) by: ExpiredBy,
}

impl fmt::Display for Expired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gone = sequences(0, self.through);
        match &self.by {
            ExpiredBy::Rule(rule) => write!(f, "{gone} expired under {rule}"),
            ExpiredBy::Anchor { sequence } => write!(
                f,
                "{gone} are gone below the verified head at sequence {sequence}, which anchors the chain"
            ),
        }
    }
}

/// A log whose oldest entries are missing, and no retention explains it. Its message
/// names the flag that declares the log's retention, so it is the app's to render
/// (`app/immukv/render.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unexpired {
    pub(crate) object: String,
    pub(crate) oldest: i64,
    pub(crate) version: String,
    pub(crate) reason: Box<Unexplained>,
    pub(crate) lookup: Lookup,
}

impl std::error::Error for Unexpired {}

/// Below a log's oldest entry `oldest`, which is not genesis, with `noncurrent`
/// noncurrent versions left, entries are missing: the one verdict on why. A verified
/// head at or above it (`anchored`, its sequence) anchors the chain; else a rule
/// (`rules`: the bucket's or the retention declared, `None` when there was no need to
/// read them) must explain them by S3's own times and version counts.
pub(crate) fn judge_gap(
    object: &str,
    oldest: &LogEntry,
    noncurrent: i64,
    anchored: Option<i64>,
    rules: &Rules,
    now_ms: i64,
) -> Result<Expired, Unexpired> {
    let through = oldest.sequence - 1;
    if let Some(sequence) = anchored {
        return Ok(Expired {
            through,
            by: ExpiredBy::Anchor { sequence },
        });
    }
    let unexpired = |reason| Unexpired {
        object: object.to_owned(),
        oldest: oldest.sequence,
        version: oldest.version_id.clone().unwrap_or_default(),
        reason: Box::new(reason),
        lookup: rules.lookup,
    };
    let Some(stored_ms) = oldest.stored_ms else {
        return Err(unexpired(Unexplained::NoRule));
    };
    let remaining = Remaining {
        oldest_written_ms: stored_ms,
        noncurrent,
    };
    match explain(&rules.rules, remaining, now_ms) {
        Ok(rule) => Ok(Expired {
            through,
            by: ExpiredBy::Rule(rule.clone()),
        }),
        Err(reason) => Err(unexpired(reason)),
    }
}

/// `sequences 0-14`, or `sequence 7` for one.
pub(crate) fn sequences(first: i64, last: i64) -> String {
    if first == last {
        format!("sequence {first}")
    } else {
        format!("sequences {first}-{last}")
    }
}

/// `sequences 0-14 are`, or `sequence 7 is` for one.
pub(crate) fn sequences_are(first: i64, last: i64) -> String {
    let verb = if first == last { "is" } else { "are" };
    format!("{} {verb}", sequences(first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: i64 = 4 * 1024 * 1024;
    /// 2026-01-10T10:30:00Z.
    const T: i64 = 1_768_041_000_000;

    fn rule(days: i64, keep: i64) -> Retention {
        Retention {
            days,
            keep,
            source: Source::Lifecycle("delete-old-log-versions-Root".into()),
        }
    }

    #[test]
    fn expiry_is_rounded_up_to_the_next_midnight_utc() {
        // 10:30 on the 10th + 3 days = 10:30 on the 13th -> midnight starting the 14th.
        assert_eq!(
            crate::time::rfc3339_ms_text(expirable_at(T, 3)),
            "2026-01-14T00:00:00.000Z"
        );
        // A moment past midnight still waits for the next one.
        let midnight = T - T.rem_euclid(DAY_MS);
        assert_eq!(expirable_at(midnight, 1), midnight + 2 * DAY_MS);
        assert_eq!(expirable_at(midnight + 1, 0), midnight + DAY_MS);
    }

    #[test]
    fn a_gap_is_explained_only_when_old_enough_and_enough_are_kept() {
        let rules = [rule(90, 2)];
        let remaining = Remaining {
            oldest_written_ms: T,
            noncurrent: 14,
        };
        let due = expirable_at(T, 90);
        assert_eq!(explain(&rules, remaining, due), Ok(&rules[0]));
        assert_eq!(
            explain(&rules, remaining, due + 365 * DAY_MS),
            Ok(&rules[0])
        );
        // One millisecond early: S3 could not have removed them yet.
        let early = explain(&rules, remaining, due - 1).unwrap_err();
        assert!(
            matches!(early, Unexplained::TooEarly { expirable_at_ms, .. } if expirable_at_ms == due)
        );
        assert!(
            early
                .to_string()
                .contains("may remove them from 2026-04-11T00:00:00.000Z on"),
            "{early}"
        );
        // Written yesterday, a rule of 90 days: far too early.
        assert!(matches!(
            explain(&rules, remaining, T + DAY_MS),
            Err(Unexplained::TooEarly { .. })
        ));
        // Old enough, but S3 keeps at least two noncurrent versions: one left is too few.
        let one_left = Remaining {
            noncurrent: 1,
            ..remaining
        };
        let few = explain(&rules, one_left, due).unwrap_err();
        assert_eq!(
            few,
            Unexplained::TooFewKept {
                rule: rules[0].clone(),
                left: 1
            }
        );
        assert!(
            few.to_string()
                .contains("only 1 noncurrent versions are left")
        );
        // Exactly as many as it keeps is fine.
        let two_left = Remaining {
            noncurrent: 2,
            ..remaining
        };
        assert!(explain(&rules, two_left, due).is_ok());
    }

    #[test]
    fn no_rule_explains_nothing_and_any_rule_may() {
        let remaining = Remaining {
            oldest_written_ms: T,
            noncurrent: 0,
        };
        assert_eq!(explain(&[], remaining, i64::MAX), Err(Unexplained::NoRule));
        // A strict rule does not, a lenient one beside it does.
        let rules = [rule(3650, 0), rule(1, 0)];
        assert_eq!(explain(&rules, remaining, T + 3 * DAY_MS), Ok(&rules[1]));
    }

    #[test]
    fn which_rules_cover_the_log() {
        let log = "app/_log.json";
        let base = LifecycleRule {
            id: Some("delete-old-log-versions-Root".into()),
            enabled: true,
            filter: Some(Filter {
                prefix: Some(log.into()),
                ..Filter::default()
            }),
            noncurrent_days: Some(90),
            newer_noncurrent_versions: Some(5),
            ..LifecycleRule::default()
        };
        let r = base.retention_of(log, MAX).unwrap();
        assert_eq!((r.days, r.keep), (90, 5));
        assert_eq!(
            r.to_string(),
            "lifecycle rule delete-old-log-versions-Root (noncurrent for 90 days, keeping the newest 5 noncurrent versions)"
        );
        let with = |f: &dyn Fn(&mut LifecycleRule)| {
            let mut rule = base.clone();
            f(&mut rule);
            rule.retention_of(log, MAX)
        };
        // Disabled, another prefix, or no noncurrent expiration: not a retention rule.
        assert!(with(&|r| r.enabled = false).is_none());
        assert!(with(&|r| r.filter.as_mut().unwrap().prefix = Some("other/".into())).is_none());
        assert!(with(&|r| r.noncurrent_days = None).is_none());
        // The whole bucket (an empty filter, no filter), a shorter prefix, the legacy form.
        assert!(with(&|r| r.filter = Some(Filter::default())).is_some());
        assert!(with(&|r| r.filter = None).is_some());
        assert!(with(&|r| r.filter.as_mut().unwrap().prefix = Some("app/".into())).is_some());
        assert!(
            with(&|r| {
                r.filter = None;
                r.legacy_prefix = Some("app/_log".into());
            })
            .is_some()
        );
        assert!(
            with(&|r| {
                r.filter = None;
                r.legacy_prefix = Some("keys/".into());
            })
            .is_none()
        );
        // A tag (alone or in an And) never covers ImmuKV's untagged objects.
        assert!(with(&|r| r.filter.as_mut().unwrap().tags = 1).is_none());
        // Sizes: only bounds that leave every possible entry in.
        assert!(with(&|r| r.filter.as_mut().unwrap().size_greater_than = Some(0)).is_some());
        assert!(with(&|r| r.filter.as_mut().unwrap().size_greater_than = Some(1024)).is_none());
        assert!(
            with(&|r| r.filter.as_mut().unwrap().size_less_than = Some(5 * 1024 * 1024 * 1024))
                .is_some()
        );
        assert!(with(&|r| r.filter.as_mut().unwrap().size_less_than = Some(4096)).is_none());
        // No NewerNoncurrentVersions: nothing is kept regardless of age.
        assert_eq!(
            with(&|r| r.newer_noncurrent_versions = None).unwrap().keep,
            0
        );
    }

    #[test]
    fn ranges_read_well() {
        assert_eq!(sequences(0, 14), "sequences 0-14");
        assert_eq!(sequences(3, 3), "sequence 3");
        assert_eq!(sequences_are(0, 14), "sequences 0-14 are");
        assert_eq!(sequences_are(0, 0), "sequence 0 is");
    }
}
