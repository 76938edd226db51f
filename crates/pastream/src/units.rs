//! Durations and sizes as the command line writes them.
//!
//! - A duration is `[[hh:]mm:]ss[.frac]` (`90`, `1:30`, `0:01:30.5`), or a
//!   number of samples (frames) with an `s` suffix, which may follow a
//!   multiplier: `k` (1000), `K` (1024), `m` (1000000), `M` (1048576).
//!   `480ks` is 480000 frames, `1Ks` 1024 frames. `-1` means "no limit"
//!   where the option allows it.
//! - A size is a plain number with an optional multiplier: `48k` is 48000,
//!   `64K` is 65536.
#![forbid(unsafe_code)]

use std::fmt;

/// A length of audio: in seconds or in frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Duration {
    /// Seconds (negative: no limit).
    Seconds(f64),
    /// Frames (negative: no limit).
    Frames(i64),
}

/// A duration or size that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{text}' is not {expected}")]
pub struct UnitError {
    text: String,
    expected: &'static str,
}

const DURATION: &str = "a duration (hh:mm:ss.frac, e.g. 1:30, or samples, e.g. 480ks)";
const SIZE: &str = "a size (a number, optionally with k, K, m or M, e.g. 48k)";

fn multiplier(c: char) -> Option<f64> {
    match c {
        'k' => Some(1e3),
        'K' => Some(1024.0),
        'm' => Some(1e6),
        'M' => Some(1024.0 * 1024.0),
        _ => None,
    }
}

/// Reads a size: `48000`, `48k`, `64K`, `1.5m`.
///
/// # Errors
///
/// [`UnitError`] for anything else.
pub fn parse_size(text: &str) -> Result<f64, UnitError> {
    let err = || UnitError {
        text: text.to_owned(),
        expected: SIZE,
    };
    let t = text.trim();
    let (num, mult) = match t.chars().last().and_then(multiplier) {
        Some(m) => (&t[..t.len() - 1], m),
        None => (t, 1.0),
    };
    if num.is_empty() || num.contains(['e', 'E', 'i', 'I', 'n', 'N']) {
        return Err(err());
    }
    let v: f64 = num.parse().map_err(|_| err())?;
    Ok(v * mult)
}

impl Duration {
    /// Reads a duration; see the [module docs](self).
    ///
    /// # Errors
    ///
    /// [`UnitError`] naming the text and the expected form.
    pub fn parse(text: &str) -> Result<Duration, UnitError> {
        let err = || UnitError {
            text: text.to_owned(),
            expected: DURATION,
        };
        let t = text.trim();
        if let Some(samples) = t.strip_suffix('s') {
            let v = parse_size(samples).map_err(|_| err())?;
            if v.fract() != 0.0 {
                return Err(err());
            }
            return Ok(Duration::Frames(v as i64));
        }
        let negative = t.starts_with('-');
        let body = t.strip_prefix('-').unwrap_or(t);
        let parts: Vec<&str> = body.split(':').collect();
        if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
            return Err(err());
        }
        let mut fields = Vec::with_capacity(parts.len());
        for (i, p) in parts.iter().enumerate() {
            let last = i == parts.len() - 1;
            if !p.chars().all(|c| c.is_ascii_digit() || (last && c == '.')) {
                return Err(err());
            }
            fields.push(p.parse::<f64>().map_err(|_| err())?);
        }
        // Seconds and minutes after the first field count below 60.
        if fields.iter().skip(1).any(|v| *v >= 60.0) {
            return Err(err());
        }
        let seconds = fields.iter().fold(0.0, |acc, v| acc * 60.0 + v);
        Ok(Duration::Seconds(if negative { -seconds } else { seconds }))
    }

    /// The duration in frames at `samplerate` (rounded to the nearest
    /// frame); negative stays negative.
    pub fn frames(self, samplerate: f64) -> i64 {
        match self {
            Duration::Frames(n) => n,
            Duration::Seconds(s) if s < 0.0 => -1,
            Duration::Seconds(s) => (s * samplerate).round() as i64,
        }
    }

    /// Whether it means "no limit".
    pub fn is_negative(self) -> bool {
        match self {
            Duration::Frames(n) => n < 0,
            Duration::Seconds(s) => s < 0.0,
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Duration::Frames(n) => write!(f, "{n}s"),
            Duration::Seconds(s) => write!(f, "{s}"),
        }
    }
}

/// Formats seconds as `hh:mm:ss.mmm`.
pub fn hms(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let f = |s: &str| Duration::parse(s).unwrap().frames(48000.0);
        assert_eq!(f("1"), 48000);
        assert_eq!(f("1.5"), 72000);
        assert_eq!(f("0:00:01.5"), 72000);
        assert_eq!(f("1:30"), 90 * 48000);
        assert_eq!(f("10:00"), 600 * 48000);
        assert_eq!(f("1:00:00"), 3600 * 48000);
        assert_eq!(f("480ks"), 480_000);
        assert_eq!(f("1Ks"), 1024);
        assert_eq!(f("2Ms"), 2 * 1024 * 1024);
        assert_eq!(f("1.5ks"), 1500);
        assert_eq!(f("100s"), 100);
        assert_eq!(f("-1"), -1);
        assert_eq!(f("-1s"), -1);
        assert!(Duration::parse("-1").unwrap().is_negative());
    }

    #[test]
    fn bad_durations() {
        for bad in [
            "", "abc", "1:2:3:4", "1::2", "1:75", "1.5.2", "1e3", "1.5s", "ks", "1:-2", "nan",
            "inf",
        ] {
            let e = Duration::parse(bad).unwrap_err();
            assert!(e.to_string().contains("is not a duration"), "{bad}: {e}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("48k").unwrap(), 48000.0);
        assert_eq!(parse_size("64K").unwrap(), 65536.0);
        assert_eq!(parse_size("1M").unwrap(), 1048576.0);
        assert_eq!(parse_size("44100").unwrap(), 44100.0);
        assert_eq!(parse_size("44.1k").unwrap(), 44100.0);
        assert!(parse_size("fast").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("1e5").is_err());
    }

    #[test]
    fn hms_format() {
        assert_eq!(hms(3725.5), "01:02:05.500");
        assert_eq!(hms(0.0), "00:00:00.000");
    }
}
