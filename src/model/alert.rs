//! Alerts as the API serves them and `hivemind health alerts` shows them: the state, the
//! alert, the list, and the `state` filter.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Severity;

/// Where an alert is in its life. Inactive alerts (condition false, never fired) are not
/// kept, so they have no state here.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// The condition holds, but not yet for the rule's `for` duration.
    Pending,
    /// The condition has held for the rule's `for` duration.
    Firing,
    /// It was firing and the condition no longer holds (kept for 15 minutes).
    Resolved,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
        }
    }
}

/// One alert as served by `/api/alerts` and shown by `hivemind health alerts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The fingerprint of `labels` (16 hex digits), stable across evaluations and restarts;
    /// the same value Alertmanager computes for this label set, and PagerDuty's `dedup_key`.
    pub id: String,
    pub rule: String,
    pub state: AlertState,
    pub severity: Severity,
    /// The series' labels plus `alertname` and `severity`.
    pub labels: BTreeMap<String, String>,
    /// `summary` and `description`.
    pub annotations: BTreeMap<String, String>,
    /// The metric value at the latest evaluation where the condition held.
    pub value: f64,
    /// When the condition started holding (RFC 3339).
    pub active_at: String,
    /// When the alert started firing.
    pub fired_at: Option<String>,
    /// When the condition stopped holding after firing.
    pub resolved_at: Option<String>,
}

/// `hivemind health alerts` / `GET /api/alerts`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AlertList {
    /// `daemon`: the agent's continuous evaluation. `once`: no daemon runs, so the rules were
    /// evaluated once, now; a rule with a `for` duration can then only be pending.
    pub mode: String,
    /// When the alerts were last evaluated (RFC 3339), if ever.
    pub evaluated_at: Option<String>,
    /// Sorted by state (firing, pending, resolved), then rule and id.
    pub alerts: Vec<Alert>,
}

/// The `state` filter of `/api/alerts?state=…`; empty means pending and firing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertQuery {
    pub states: Vec<AlertState>,
}

impl AlertQuery {
    /// The states asked for, with the default (the active ones) filled in.
    pub fn effective(&self) -> Vec<AlertState> {
        if self.states.is_empty() {
            vec![AlertState::Pending, AlertState::Firing]
        } else {
            self.states.clone()
        }
    }

    pub fn to_query(&self) -> String {
        if self.states.is_empty() {
            return String::new();
        }
        let states: Vec<&str> = self.states.iter().map(|s| s.as_str()).collect();
        format!("state={}", states.join(","))
    }

    /// Parse `state=firing,pending` (repeated `state=` are merged).
    pub fn from_query(query: &str) -> crate::error::Result<AlertQuery> {
        use super::input::{self, Input};
        let pairs: Vec<(String, String)> = input::query(query, Input::QUERY)
            .map_err(|e| crate::error::Error::Usage(format!("query string: {e}")))?;
        let mut states = Vec::new();
        for (key, value) in pairs {
            if key != "state" {
                return Err(crate::error::Error::Usage(format!(
                    "unknown query parameter '{key}' (only 'state' is accepted)"
                )));
            }
            for part in value.split(',').filter(|p| !p.is_empty()) {
                let state = match part {
                    "pending" => AlertState::Pending,
                    "firing" => AlertState::Firing,
                    "resolved" => AlertState::Resolved,
                    other => {
                        return Err(crate::error::Error::invalid(
                            "state",
                            other,
                            "pending, firing or resolved",
                        ));
                    }
                };
                if !states.contains(&state) {
                    states.push(state);
                }
            }
        }
        Ok(AlertQuery { states })
    }
}

/// Whether `text` looks like an alert id (16 lowercase hex digits).
pub fn check_id(text: &str) -> std::result::Result<String, String> {
    if text.len() == 16
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(text.to_string())
    } else {
        Err("an alert id: 16 lowercase hex digits, as `hivemind health alerts` shows".into())
    }
}

/// A metric value for people: integers plain, others with up to three decimals.
pub fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let s = format!("{v:.3}");
    match s.trim_end_matches('0').trim_end_matches('.') {
        "-0" => "0".to_string(),
        t => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_queries() {
        assert!(check_id("0123456789abcdef").is_ok());
        for bad in ["0123456789ABCDEF", "123", "0123456789abcdeg", ""] {
            assert!(check_id(bad).is_err(), "{bad}");
        }
        let q = AlertQuery::from_query("state=firing,resolved&state=firing").unwrap();
        assert_eq!(q.states, [AlertState::Firing, AlertState::Resolved]);
        assert_eq!(q.to_query(), "state=firing,resolved");
        assert_eq!(
            AlertQuery::default().effective(),
            [AlertState::Pending, AlertState::Firing]
        );
        assert!(AlertQuery::from_query("state=gone").is_err());
        assert!(AlertQuery::from_query("other=1").is_err());
    }

    #[test]
    fn values_for_people() {
        assert_eq!(fmt_value(90.0), "90");
        assert_eq!(fmt_value(97.30000000001), "97.3");
        assert_eq!(fmt_value(0.0004), "0");
        assert_eq!(fmt_value(-1.25), "-1.25");
    }
}
