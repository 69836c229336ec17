//! Rule evaluation with Prometheus semantics over the metric families an agent exposes.
//!
//! Each rule selects series by metric name and label matchers; every selected series whose
//! value passes the comparison is one alert. A new alert is pending until its condition has
//! held for the rule's `for` duration, then firing; when the condition stops holding a pending
//! alert is dropped and a firing one becomes resolved, and is kept for 15 minutes (as
//! Prometheus keeps resolved alerts) unless the condition returns, which starts a new alert.

use std::collections::{BTreeMap, HashMap, HashSet};

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::{fingerprint, rfc3339};
use crate::metrics::{Family, canonical_name};
use crate::model::alert::{Alert, AlertState, fmt_value};
use crate::model::rule::{MatchOp, fmt_number};
use crate::model::{AlertRule, Matcher, Severity};

/// Resolved alerts are listed for this long, then forgotten.
pub const RESOLVED_RETENTION_MS: u64 = 15 * 60 * 1000;

/// An alert with its times as Unix milliseconds (the form that is kept and persisted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracked {
    pub id: String,
    pub rule: String,
    pub state: AlertState,
    pub severity: Severity,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub value: f64,
    pub active_at: u64,
    pub fired_at: Option<u64>,
    pub resolved_at: Option<u64>,
}

impl Tracked {
    pub fn to_alert(&self) -> Alert {
        Alert {
            id: self.id.clone(),
            rule: self.rule.clone(),
            state: self.state,
            severity: self.severity,
            labels: self.labels.clone(),
            annotations: self.annotations.clone(),
            value: self.value,
            active_at: rfc3339(self.active_at),
            fired_at: self.fired_at.map(rfc3339),
            resolved_at: self.resolved_at.map(rfc3339),
        }
    }
}

/// What an evaluation changed that people are told about: an alert started firing or was
/// resolved. (Pending alerts are not notified, as in Prometheus.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Fired(String),
    Resolved(String),
}

impl Transition {
    pub fn id(&self) -> &str {
        match self {
            Transition::Fired(id) | Transition::Resolved(id) => id,
        }
    }
}

/// The alerts of every rule, carried from one evaluation to the next.
#[derive(Debug, Default)]
pub struct Evaluator {
    alerts: BTreeMap<String, Tracked>,
    /// Compiled `=~`/`!~` patterns by their source, anchored like PromQL's.
    regexes: HashMap<String, Option<Regex>>,
    evaluated_at: Option<u64>,
}

impl Evaluator {
    pub fn new() -> Self {
        Evaluator::default()
    }

    /// Start from alerts kept by an earlier run (pending alerts keep their `active_at`, so a
    /// restart does not reset the `for` clock; firing ones resolve if their condition is gone).
    pub fn restore(alerts: Vec<Tracked>) -> Self {
        Evaluator {
            alerts: alerts.into_iter().map(|a| (a.id.clone(), a)).collect(),
            ..Evaluator::default()
        }
    }

    pub fn evaluated_at(&self) -> Option<u64> {
        self.evaluated_at
    }

    pub fn alerts(&self) -> impl Iterator<Item = &Tracked> {
        self.alerts.values()
    }

    pub fn get(&self, id: &str) -> Option<&Tracked> {
        self.alerts.get(id)
    }

    /// Evaluate every rule against `families` at `now` (Unix milliseconds) and return what
    /// started firing or was resolved, in rule order.
    pub fn evaluate(
        &mut self,
        rules: &[AlertRule],
        families: &[&Family],
        now: u64,
    ) -> Vec<Transition> {
        let mut transitions = Vec::new();
        let mut seen = HashSet::new();
        for rule in rules {
            let name = canonical_name(&rule.metric);
            let Some(family) = families.iter().find(|f| f.name == name) else {
                continue;
            };
            let hold_ms = rule.duration.as_std().as_millis().min(u128::from(u64::MAX)) as u64;
            for sample in &family.samples {
                if !rule.comparison.holds(sample.value, rule.threshold)
                    || !rule.labels.iter().all(|m| self.matches(m, &sample.labels))
                {
                    continue;
                }
                let mut labels: BTreeMap<String, String> = sample.labels.iter().cloned().collect();
                // Rule labels win over series labels, as in Prometheus.
                labels.insert("alertname".into(), rule.name.clone());
                labels.insert("severity".into(), rule.severity.as_str().into());
                let id = fingerprint(&labels);
                if !seen.insert(id.clone()) {
                    continue;
                }
                let annotations = annotations(rule, sample.value);
                match self.alerts.get_mut(&id) {
                    Some(a) if a.state != AlertState::Resolved => {
                        a.value = sample.value;
                        a.annotations = annotations;
                        if a.state == AlertState::Pending
                            && now.saturating_sub(a.active_at) >= hold_ms
                        {
                            a.state = AlertState::Firing;
                            a.fired_at = Some(now);
                            transitions.push(Transition::Fired(id));
                        }
                    }
                    _ => {
                        let firing = hold_ms == 0;
                        self.alerts.insert(
                            id.clone(),
                            Tracked {
                                id: id.clone(),
                                rule: rule.name.clone(),
                                state: if firing {
                                    AlertState::Firing
                                } else {
                                    AlertState::Pending
                                },
                                severity: rule.severity,
                                labels,
                                annotations,
                                value: sample.value,
                                active_at: now,
                                fired_at: firing.then_some(now),
                                resolved_at: None,
                            },
                        );
                        if firing {
                            transitions.push(Transition::Fired(id));
                        }
                    }
                }
            }
        }
        // Alerts whose series no longer qualify (or whose rule is gone).
        let mut gone = Vec::new();
        for (id, a) in &mut self.alerts {
            if seen.contains(id) {
                continue;
            }
            match a.state {
                AlertState::Pending => gone.push(id.clone()),
                AlertState::Firing => {
                    a.state = AlertState::Resolved;
                    a.resolved_at = Some(now);
                    transitions.push(Transition::Resolved(id.clone()));
                }
                AlertState::Resolved => {
                    if now.saturating_sub(a.resolved_at.unwrap_or(now)) >= RESOLVED_RETENTION_MS {
                        gone.push(id.clone());
                    }
                }
            }
        }
        for id in gone {
            self.alerts.remove(&id);
        }
        self.evaluated_at = Some(now);
        transitions
    }

    /// PromQL matcher semantics: a missing label has the empty value; regexes are anchored.
    fn matches(&mut self, m: &Matcher, labels: &[(String, String)]) -> bool {
        let value = labels
            .iter()
            .find(|(k, _)| *k == m.name)
            .map_or("", |(_, v)| v.as_str());
        match m.op {
            MatchOp::Equal => value == m.value,
            MatchOp::NotEqual => value != m.value,
            MatchOp::Regex | MatchOp::NotRegex => {
                let re = self
                    .regexes
                    .entry(m.value.clone())
                    .or_insert_with(|| Regex::new(&format!("^(?:{})$", m.value)).ok());
                // Patterns are validated when a rule is stored; one that still fails to
                // compile selects nothing rather than everything.
                let Some(re) = re else { return false };
                re.is_match(value) == (m.op == MatchOp::Regex)
            }
        }
    }
}

/// `summary` (the metric, its value and the condition) and `description` (the rule's own, or
/// the condition spelled out).
pub fn annotations(rule: &AlertRule, value: f64) -> BTreeMap<String, String> {
    let summary = format!(
        "{} is {} ({} {})",
        canonical_name(&rule.metric),
        fmt_value(value),
        rule.comparison.operator(),
        fmt_number(rule.threshold)
    );
    let description = if rule.description.is_empty() {
        default_description(rule)
    } else {
        rule.description.clone()
    };
    BTreeMap::from([
        ("description".to_string(), description),
        ("summary".to_string(), summary),
    ])
}

/// The description of a rule that has none: its condition and duration.
pub fn default_description(rule: &AlertRule) -> String {
    format!("{} for {}", super::promql(rule), rule.duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Kind;
    use crate::model::{Comparison, PromDuration};

    fn rule(name: &str, metric: &str, cmp: Comparison, threshold: f64, for_secs: u64) -> AlertRule {
        AlertRule {
            name: name.into(),
            metric: metric.into(),
            comparison: cmp,
            threshold,
            duration: PromDuration::from_secs(for_secs),
            severity: Severity::Warning,
            description: String::new(),
            labels: Vec::new(),
        }
    }

    fn family(name: &str, series: &[(&[(&str, &str)], f64)]) -> Family {
        let mut f = Family::new(name, "help", Kind::Gauge);
        for (labels, v) in series {
            f.push(
                labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                *v,
            );
        }
        f
    }

    fn cpu(value_a: f64, value_b: f64) -> Family {
        family(
            "hivemind_container_cpu_usage",
            &[
                (&[("node", "n"), ("name", "web-1")], value_a),
                (&[("node", "n"), ("name", "db")], value_b),
            ],
        )
    }

    fn states(ev: &Evaluator) -> Vec<(String, AlertState)> {
        ev.alerts()
            .map(|a| (a.labels["name"].clone(), a.state))
            .collect()
    }

    #[test]
    fn pending_then_firing_then_resolved() {
        let rules = [rule(
            "hot",
            "hivemind_container_cpu_usage",
            Comparison::Gt,
            90.0,
            60,
        )];
        let mut ev = Evaluator::new();
        // Below the threshold: inactive, nothing kept.
        assert!(ev.evaluate(&rules, &[&cpu(10.0, 10.0)], 0).is_empty());
        assert_eq!(ev.alerts().count(), 0);
        // Above: pending, not notified.
        assert!(ev.evaluate(&rules, &[&cpu(95.0, 10.0)], 1_000).is_empty());
        assert_eq!(states(&ev), [("web-1".to_string(), AlertState::Pending)]);
        // Still pending before `for` has elapsed.
        assert!(ev.evaluate(&rules, &[&cpu(96.0, 10.0)], 60_999).is_empty());
        // Firing once it has.
        let t = ev.evaluate(&rules, &[&cpu(97.0, 10.0)], 61_000);
        assert_eq!(t.len(), 1);
        let id = t[0].id().to_string();
        assert_eq!(t[0], Transition::Fired(id.clone()));
        let a = ev.get(&id).unwrap();
        assert_eq!(a.state, AlertState::Firing);
        assert_eq!((a.active_at, a.fired_at), (1_000, Some(61_000)));
        assert_eq!(a.value, 97.0);
        assert_eq!(a.labels["alertname"], "hot");
        assert_eq!(a.labels["severity"], "warning");
        assert_eq!(
            a.annotations["summary"],
            "hivemind_container_cpu_usage is 97 (> 90)"
        );
        assert_eq!(
            a.annotations["description"],
            "hivemind_container_cpu_usage > 90 for 1m"
        );
        // Firing stays firing without further transitions.
        assert!(ev.evaluate(&rules, &[&cpu(99.0, 10.0)], 70_000).is_empty());
        // Below again: resolved, kept with the same id.
        assert_eq!(
            ev.evaluate(&rules, &[&cpu(50.0, 10.0)], 80_000),
            [Transition::Resolved(id.clone())]
        );
        assert_eq!(ev.get(&id).unwrap().resolved_at, Some(80_000));
        // Returning starts a new alert (pending again), replacing the resolved one.
        assert!(ev.evaluate(&rules, &[&cpu(95.0, 10.0)], 90_000).is_empty());
        assert_eq!(ev.get(&id).unwrap().state, AlertState::Pending);
        assert_eq!(ev.get(&id).unwrap().active_at, 90_000);
    }

    #[test]
    fn pending_alerts_that_stop_are_dropped_and_resolved_ones_expire() {
        let rules = [rule(
            "hot",
            "hivemind_container_cpu_usage",
            Comparison::Gt,
            90.0,
            0,
        )];
        let mut ev = Evaluator::new();
        let t = ev.evaluate(&rules, &[&cpu(95.0, 99.0)], 0);
        // `for: 0s` fires at the first evaluation; one alert per series.
        assert_eq!(t.len(), 2);
        assert!(t.iter().all(|t| matches!(t, Transition::Fired(_))));
        assert_eq!(ev.evaluate(&rules, &[&cpu(10.0, 10.0)], 1_000).len(), 2);
        assert!(
            ev.evaluate(
                &rules,
                &[&cpu(10.0, 10.0)],
                1_000 + RESOLVED_RETENTION_MS - 1
            )
            .is_empty()
        );
        assert_eq!(ev.alerts().count(), 2);
        ev.evaluate(&rules, &[&cpu(10.0, 10.0)], 1_000 + RESOLVED_RETENTION_MS);
        assert_eq!(ev.alerts().count(), 0);

        let slow = [rule(
            "hot",
            "hivemind_container_cpu_usage",
            Comparison::Gt,
            90.0,
            60,
        )];
        ev.evaluate(&slow, &[&cpu(95.0, 10.0)], 0);
        assert!(ev.evaluate(&slow, &[&cpu(10.0, 10.0)], 1_000).is_empty());
        assert_eq!(
            ev.alerts().count(),
            0,
            "a pending alert that stops is dropped silently"
        );
    }

    #[test]
    fn a_removed_rule_or_a_vanished_series_resolves_its_alerts() {
        let rules = [rule(
            "hot",
            "hivemind_container_cpu_usage",
            Comparison::Ge,
            90.0,
            0,
        )];
        let mut ev = Evaluator::new();
        ev.evaluate(&rules, &[&cpu(90.0, 10.0)], 0);
        // The series disappears (the container stopped).
        let only_db = family("hivemind_container_cpu_usage", &[(&[("name", "db")], 10.0)]);
        assert!(matches!(
            ev.evaluate(&rules, &[&only_db], 1_000)[..],
            [Transition::Resolved(_)]
        ));
        ev.evaluate(&rules, &[&cpu(95.0, 10.0)], 2_000);
        assert!(matches!(
            ev.evaluate(&[], &[&cpu(95.0, 10.0)], 3_000)[..],
            [Transition::Resolved(_)]
        ));
    }

    #[test]
    fn matchers_follow_promql() {
        let fam = family(
            "hivemind_node_disk_usage",
            &[
                (&[("mountpoint", "/"), ("device", "sda1")], 95.0),
                (&[("mountpoint", "/boot"), ("device", "sda2")], 95.0),
                (&[("mountpoint", "/data")], 95.0),
            ],
        );
        let check = |matchers: &[&str], expect: &[&str]| {
            let mut r = rule("disk", "hivemind_node_disk_usage", Comparison::Gt, 90.0, 0);
            r.labels = matchers
                .iter()
                .map(|m| Matcher::parse(m).unwrap())
                .collect();
            let mut ev = Evaluator::new();
            ev.evaluate(&[r], &[&fam], 0);
            let mut got: Vec<String> = ev
                .alerts()
                .map(|a| a.labels["mountpoint"].clone())
                .collect();
            got.sort();
            assert_eq!(got, expect, "{matchers:?}");
        };
        check(&["mountpoint=/"], &["/"]);
        check(&["mountpoint!=/"], &["/boot", "/data"]);
        // Anchored: `/b` does not match `/boot`.
        check(&["mountpoint=~/b"], &[]);
        check(&["mountpoint=~/b.*"], &["/boot"]);
        check(&["mountpoint!~/b.*|/"], &["/data"]);
        // A missing label has the empty value.
        check(&["device="], &["/data"]);
        check(&["device=~sda.*", "mountpoint!=/"], &["/boot"]);
    }

    #[test]
    fn comparisons_seed_names_and_labels() {
        let fam = family("hivemind_nodes", &[(&[("node", "n")], 1.0)]);
        for (cmp, threshold, fires) in [
            (Comparison::Eq, 1.0, true),
            (Comparison::Ne, 1.0, false),
            (Comparison::Lt, 1.0, false),
            (Comparison::Le, 1.0, true),
            (Comparison::Gt, 0.5, true),
            (Comparison::Ge, 1.5, false),
        ] {
            let mut ev = Evaluator::new();
            // The seed name `hivemind_node_count` selects the exposed `hivemind_nodes`.
            let r = rule("nodes", "hivemind_node_count", cmp, threshold, 0);
            assert_eq!(
                ev.evaluate(&[r], &[&fam], 0).len(),
                usize::from(fires),
                "{cmp:?}"
            );
        }
        // Two rules on the same series are two alerts with different ids.
        let mut ev = Evaluator::new();
        let a = rule("a", "hivemind_nodes", Comparison::Ge, 1.0, 0);
        let mut b = rule("b", "hivemind_nodes", Comparison::Ge, 1.0, 0);
        b.severity = Severity::Critical;
        b.description = "node count".into();
        let t = ev.evaluate(&[a, b], &[&fam], 0);
        assert_eq!(t.len(), 2);
        assert_ne!(t[0].id(), t[1].id());
        let b_alert = ev.alerts().find(|x| x.rule == "b").unwrap();
        assert_eq!(b_alert.labels["severity"], "critical");
        assert_eq!(b_alert.labels["node"], "n");
        assert_eq!(b_alert.annotations["description"], "node count");
        assert_eq!(b_alert.id, fingerprint(&b_alert.labels));
    }

    #[test]
    fn restored_alerts_keep_their_clock() {
        let rules = [rule(
            "hot",
            "hivemind_container_cpu_usage",
            Comparison::Gt,
            90.0,
            60,
        )];
        let mut first = Evaluator::new();
        first.evaluate(&rules, &[&cpu(95.0, 10.0)], 0);
        let kept: Vec<Tracked> = first.alerts().cloned().collect();
        let mut second = Evaluator::restore(kept);
        assert_eq!(
            second.evaluate(&rules, &[&cpu(95.0, 10.0)], 60_000).len(),
            1
        );
    }
}
