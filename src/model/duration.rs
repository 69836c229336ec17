//! Durations in Prometheus syntax (`30s`, `5m`, `1h30m`, `250ms`, `1d`, `1w`).
//!
//! We deliberately do not accept humantime's wider grammar: `5M` means months there and
//! `5 minutes` is not something Prometheus will load from an exported rule file.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest duration we accept anywhere (one year): far beyond any sane interval and well
/// inside the range Prometheus and Alertmanager can represent.
pub const MAX: Duration = Duration::from_secs(365 * 24 * 3600);

const ALLOWED: &str =
    "a duration like 30s, 5m, 1h30m or 250ms (units ms, s, m, h, d, w; at most 365d)";

/// A non-negative duration in whole milliseconds, written and read in Prometheus syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PromDuration(Duration);

impl PromDuration {
    pub const fn from_secs(secs: u64) -> Self {
        PromDuration(Duration::from_secs(secs))
    }

    pub const fn from_millis(ms: u64) -> Self {
        PromDuration(Duration::from_millis(ms))
    }

    pub fn as_std(self) -> Duration {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// Parse a duration; plain digits are rejected (use [`parse_seconds_or_duration`]).
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err(format!("empty; expected {ALLOWED}"));
        }
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut total: u128 = 0;
        let mut last_rank: Option<usize> = None;
        while i < bytes.len() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if start == i {
                return Err(format!("expected {ALLOWED}"));
            }
            let digits = &text[start..i];
            let unit_start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            let unit = &text[unit_start..i];
            let (rank, millis) = match unit {
                "w" => (0, 7 * 24 * 3_600_000u128),
                "d" => (1, 24 * 3_600_000),
                "h" => (2, 3_600_000),
                "m" => (3, 60_000),
                "s" => (4, 1_000),
                "ms" => (5, 1),
                "" => return Err(format!("missing unit; expected {ALLOWED}")),
                _ => return Err(format!("unknown unit '{unit}'; expected {ALLOWED}")),
            };
            if last_rank.is_some_and(|last| rank <= last) {
                return Err(format!(
                    "units out of order or repeated; expected {ALLOWED}"
                ));
            }
            last_rank = Some(rank);
            // More than 20 digits cannot fit and would only overflow the parse below.
            let n: u128 = if digits.len() > 20 {
                u128::MAX
            } else {
                digits.parse().map_err(|_| format!("expected {ALLOWED}"))?
            };
            total = total.saturating_add(n.saturating_mul(millis));
        }
        if total > MAX.as_millis() {
            return Err(format!("too large; expected {ALLOWED}"));
        }
        let millis = u64::try_from(total).map_err(|_| format!("too large; expected {ALLOWED}"))?;
        Ok(PromDuration(Duration::from_millis(millis)))
    }
}

/// Parse either whole seconds (`60`) or a duration (`1m`); used where the seed document shows
/// a bare number of seconds (`--restart-interval 60`).
pub fn parse_seconds_or_duration(text: &str) -> Result<PromDuration, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let secs: u64 = if text.len() > 12 {
            u64::MAX
        } else {
            text.parse()
                .map_err(|_| format!("expected seconds or {ALLOWED}"))?
        };
        if u128::from(secs) * 1000 > MAX.as_millis() {
            return Err(format!("too large; expected seconds or {ALLOWED}"));
        }
        return Ok(PromDuration::from_secs(secs));
    }
    PromDuration::parse(text).map_err(|e| e.replacen("expected ", "expected seconds or ", 1))
}

impl FromStr for PromDuration {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        PromDuration::parse(s)
    }
}

impl fmt::Display for PromDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ms = self.0.as_millis();
        if ms == 0 {
            return f.write_str("0s");
        }
        for (unit, size) in [
            ("w", 7 * 24 * 3_600_000u128),
            ("d", 24 * 3_600_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1_000),
            ("ms", 1),
        ] {
            if ms >= size {
                write!(f, "{}{unit}", ms / size)?;
                ms %= size;
            }
        }
        Ok(())
    }
}

impl schemars::JsonSchema for PromDuration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A Prometheus duration such as 30s, 5m, 1h30m, 250ms, 1d or 1w (at most 365d), or a whole number of seconds",
            "anyOf": [
                {"type": "string", "pattern": "^([0-9]+(ms|s|m|h|d|w|y))+$"},
                {"type": "integer", "minimum": 0}
            ]
        })
    }
}

impl Serialize for PromDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PromDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Accept a number of seconds too, as hand-written YAML often has `duration: 60`.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Secs(u64),
        }
        match Raw::deserialize(d)? {
            Raw::Text(t) => PromDuration::parse(&t).map_err(serde::de::Error::custom),
            Raw::Secs(n) => {
                parse_seconds_or_duration(&n.to_string()).map_err(serde::de::Error::custom)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prometheus_forms() {
        assert_eq!(
            PromDuration::parse("30s").unwrap().as_std(),
            Duration::from_secs(30)
        );
        assert_eq!(
            PromDuration::parse("1h30m").unwrap().as_std(),
            Duration::from_secs(5400)
        );
        assert_eq!(
            PromDuration::parse("250ms").unwrap().as_std(),
            Duration::from_millis(250)
        );
        assert_eq!(PromDuration::parse("0s").unwrap().as_std(), Duration::ZERO);
    }

    #[test]
    fn rejects_hostile_forms() {
        for bad in [
            "",
            "-1s",
            "5M",
            "5 minutes",
            "99999999999h",
            "5",
            "s",
            "1.5m",
            "5m5h",
            "1s1s",
            "5mm",
            "１s",
            "5m ",
            " 5m",
            "99999999999999999999999999999s",
        ] {
            assert!(
                PromDuration::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn display_round_trips() {
        for text in ["5m", "1h30m", "250ms", "1w2d", "0s", "1m1s1ms"] {
            let d = PromDuration::parse(text).unwrap();
            assert_eq!(d.to_string(), text);
            assert_eq!(PromDuration::parse(&d.to_string()).unwrap(), d);
        }
    }

    #[test]
    fn seconds_or_duration() {
        assert_eq!(
            parse_seconds_or_duration("60").unwrap(),
            PromDuration::from_secs(60)
        );
        assert_eq!(
            parse_seconds_or_duration("2m").unwrap(),
            PromDuration::from_secs(120)
        );
        assert!(parse_seconds_or_duration("-1").is_err());
        assert!(parse_seconds_or_duration("99999999999999999999").is_err());
        assert!(parse_seconds_or_duration("").is_err());
    }
}
