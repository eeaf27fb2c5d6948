//! Wall-clock helpers without a date library; the one clock the toolkit reads, and the
//! one source of unpredictable numbers.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The time now: every reading of the clock goes through here.
pub(crate) fn now() -> SystemTime {
    SystemTime::now()
}

fn since_epoch() -> Duration {
    now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_unix() -> u64 {
    since_epoch().as_secs()
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    i64::try_from(since_epoch().as_millis()).unwrap_or(i64::MAX)
}

/// An unpredictable number (std's per-process random keys, hashed with the time): for
/// jitter, temporary names and delimiters; never for keys or secrets.
pub(crate) fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(since_epoch().as_nanos());
    h.finish()
}

/// RFC 3339 UTC (`2026-11-23T10:00:00Z`) for Unix seconds.
pub(crate) fn rfc3339(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// An instant given on the command line, in Unix milliseconds: epoch milliseconds
/// (digits), or RFC 3339 (`2026-11-24T10:00:00Z`, `2026-11-24T10:00:00.250+01:00`;
/// `t`/`z` and a space for `T` accepted).
pub(crate) fn parse_instant(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().map_err(|_| {
            format!(
                "{} is too large for epoch milliseconds",
                crate::diag::Quoted(t)
            )
        });
    }
    rfc3339_ms(t).ok_or_else(|| {
        format!(
            "{} is not a time: give RFC 3339 (2026-11-24T10:00:00Z, 2026-11-24T11:00:00+01:00) \
             or epoch milliseconds",
            crate::diag::Quoted(t)
        )
    })
}

fn rfc3339_ms(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = t.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo) || d < 1 || d > month_days[(mo - 1) as usize] {
        return None;
    }
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut i = 19;
    let mut ms = 0;
    if b[i] == b'.' {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        // Milliseconds: the first three digits, the rest cut off.
        let digits = format!("{:0<3}", &t[start..i.min(start + 3)]);
        ms = digits.parse::<i64>().ok()?;
    }
    let offset_min = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let m = oh * 60 + om;
            if *sign == b'-' { -m } else { m }
        }
        _ => return None,
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    let secs = days * 86_400 + h * 3600 + mi * 60 + s.min(59) - offset_min * 60;
    Some(secs * 1000 + ms)
}

/// RFC 3339 UTC with milliseconds (`2026-11-24T10:00:00.250Z`) for Unix milliseconds.
pub(crate) fn rfc3339_ms_text(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

/// Howard Hinnant's civil-to-days algorithm.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Full jitter before trying again after a conflict: a random wait up to 20 ms x
/// 2^attempt, at most 2 s.
pub(crate) fn backoff(attempt: u32) -> std::time::Duration {
    let cap = (20u64 << attempt.min(7)).min(2000);
    std::time::Duration::from_millis(random_u64() % (cap + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_729_765_800), "2024-10-24T10:30:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn instants_parse_both_ways() {
        assert_eq!(parse_instant("1729765800000"), Ok(1_729_765_800_000));
        assert_eq!(parse_instant("2024-10-24T10:30:00Z"), Ok(1_729_765_800_000));
        assert_eq!(
            parse_instant("2024-10-24t10:30:00.25z"),
            Ok(1_729_765_800_250)
        );
        assert_eq!(
            parse_instant("2024-10-24T12:30:00.123456+02:00"),
            Ok(1_729_765_800_123)
        );
        assert_eq!(parse_instant("1969-12-31T23:59:59.999Z"), Ok(-1));
        assert_eq!(parse_instant("2000-02-29 00:00:00Z"), Ok(951_782_400_000));
        for bad in [
            "",
            "yesterday",
            "2023-02-29T00:00:00Z",
            "2024-10-24T10:30:00",
            "2024-10-24T25:00:00Z",
            "-5",
            "2024-10-24T10:30:00+0200",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
        assert_eq!(
            rfc3339_ms_text(1_729_765_800_250),
            "2024-10-24T10:30:00.250Z"
        );
        assert_eq!(rfc3339_ms_text(-1), "1969-12-31T23:59:59.999Z");
    }
}
