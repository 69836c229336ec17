//! Alerting: rule evaluation with Prometheus semantics, notification delivery, and export to
//! Prometheus rule files and Alertmanager configuration.
//!
//! [`rules`] says what a stored rule means (the expression, who evaluates it, its templates);
//! [`promql`] evaluates expressions over a bounded history; [`template`] renders Go templates
//! as Prometheus does; [`eval`] turns rules and metric families into alerts (inactive → pending → firing →
//! resolved); [`group`] decides which notifications go out (grouping by rule, repeats);
//! [`notify`] renders and sends them per channel type; [`dispatch`] gives every channel its
//! own bounded queue and retry loop; [`engine`] ties these together for the daemon; [`export`]
//! writes the same rules and channels as Prometheus and Alertmanager configuration.

pub mod dispatch;
pub mod engine;
pub mod eval;
pub mod export;
pub mod group;
pub mod notify;
pub mod promql;
pub mod rules;
pub mod ruletest;
pub mod template;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

pub use engine::{Engine, EngineOptions};

/// The separator Prometheus puts between label names and values when hashing.
const SEPARATOR: u8 = 0xff;

/// The fingerprint of a label set: FNV-1a 64 over the labels sorted by name, each name and
/// value followed by 0xff, printed as 16 hex digits. This is Prometheus's
/// `model.LabelSet.Fingerprint`, so an alert id equals Alertmanager's fingerprint of the same
/// labels.
pub fn fingerprint(labels: &BTreeMap<String, String>) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    let mut add = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    for (name, value) in labels {
        add(name.as_bytes());
        add(&[SEPARATOR]);
        add(value.as_bytes());
        add(&[SEPARATOR]);
    }
    format!("{hash:016x}")
}

/// Milliseconds since the Unix epoch (0 for times before it).
pub fn unix_millis(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis().min(u128::from(u64::MAX)) as u64)
        .unwrap_or(0)
}

/// RFC 3339 with milliseconds, UTC.
pub fn rfc3339(millis: u64) -> String {
    let t = SystemTime::UNIX_EPOCH + Duration::from_millis(millis);
    humantime::format_rfc3339_millis(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fingerprint_is_fnv1a_over_sorted_labels() {
        // FNV-1a 64 of the empty input is the offset basis, as in Prometheus.
        assert_eq!(fingerprint(&BTreeMap::new()), "cbf29ce484222325");
        let a = labels(&[("alertname", "x"), ("severity", "info")]);
        let b = labels(&[("severity", "info"), ("alertname", "x")]);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(
            fingerprint(&a),
            fingerprint(&labels(&[("alertname", "x"), ("severity", "warning")]))
        );
        // The separator keeps `ab=c` and `a=bc` apart.
        assert_ne!(
            fingerprint(&labels(&[("ab", "c")])),
            fingerprint(&labels(&[("a", "bc")]))
        );
        assert!(crate::model::alert::check_id(&fingerprint(&a)).is_ok());
    }
}
