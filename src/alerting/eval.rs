//! Rule evaluation with Prometheus semantics over the metric families an agent exposes.
//!
//! Every collection is recorded in a bounded [`History`]; each rule the node evaluates (see
//! [`super::rules`]) is evaluated over it, and every element of its result is one alert. A new alert is pending until its condition has
//! held for the rule's `for` duration, then firing; when the condition stops holding a pending
//! alert is dropped and a firing one becomes resolved, and is kept for 15 minutes (as
//! Prometheus keeps resolved alerts) unless the condition returns, which starts a new alert.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::promql::{self, History};
use super::rules::{Mode, Prepared, history_needs, prepare};
use super::{fingerprint, rfc3339, template};
use crate::metrics::Family;
use crate::model::alert::{Alert, AlertState};
use crate::model::{AlertRule, Severity};

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

/// The alerts of every rule, carried from one evaluation to the next, and the history of the
/// series the rules select.
#[derive(Debug, Default)]
pub struct Evaluator {
    alerts: BTreeMap<String, Tracked>,
    history: History,
    /// The rules last prepared, and what they were prepared from.
    prepared: Vec<Prepared>,
    /// `None` until the first evaluation (which sizes the history even for no rules).
    prepared_from: Option<Vec<AlertRule>>,
    /// The last evaluation error of each rule (reported once per change).
    errors: BTreeMap<String, String>,
    evaluated_at: Option<u64>,
    mode: Mode,
}

/// What one evaluation changed and what failed.
#[derive(Debug, Default)]
pub struct Outcome {
    pub transitions: Vec<Transition>,
    /// `(rule, error)` for rules whose evaluation newly failed; their alerts are kept as
    /// they were, as Prometheus keeps them.
    pub new_errors: Vec<(String, String)>,
}

impl Evaluator {
    pub fn new() -> Self {
        Evaluator::default()
    }

    /// For `test-rules`: any series, liveness rules as exported.
    pub fn offline() -> Self {
        Evaluator {
            mode: Mode::Offline,
            ..Evaluator::default()
        }
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

    pub fn history(&self) -> &History {
        &self.history
    }

    /// Re-prepare when the rules changed, and size the history for them.
    fn prepare(&mut self, rules: &[AlertRule]) {
        if self.prepared_from.as_deref() == Some(rules) {
            return;
        }
        self.prepared = rules.iter().map(|r| prepare(r, self.mode)).collect();
        self.prepared_from = Some(rules.to_vec());
        let (names, lookback) = history_needs(&self.prepared);
        // One collection interval of slack is not known here; a minute covers every
        // interval the agent allows between collections.
        let retention = lookback + std::time::Duration::from_secs(60);
        self.history.configure(
            Some(names),
            retention.as_millis().min(i64::MAX as u128) as i64,
        );
    }

    /// Record `families` (one collection) at `now` (Unix milliseconds), evaluate every rule
    /// the node evaluates, and return what started firing or was resolved, in rule order.
    pub fn evaluate(
        &mut self,
        rules: &[AlertRule],
        families: &[&Family],
        now: u64,
    ) -> Vec<Transition> {
        self.evaluate_collection(rules, families, now).transitions
    }

    /// [`Evaluator::evaluate`], with the evaluation errors.
    pub fn evaluate_collection(
        &mut self,
        rules: &[AlertRule],
        families: &[&Family],
        now: u64,
    ) -> Outcome {
        self.prepare(rules);
        let t = i64::try_from(now).unwrap_or(i64::MAX);
        self.history.ingest(families, t);
        self.evaluate_history(now)
    }

    /// Evaluate the prepared rules over the history as it is (for `test-rules`, which fills
    /// the history itself).
    pub fn evaluate_with(
        &mut self,
        rules: &[AlertRule],
        history: History,
        now: u64,
    ) -> (Outcome, History) {
        self.prepare_all(rules);
        self.history = history;
        let out = self.evaluate_history(now);
        (out, std::mem::take(&mut self.history))
    }

    /// Prepare without restricting the history (every series is kept).
    fn prepare_all(&mut self, rules: &[AlertRule]) {
        if self.prepared_from.as_deref() != Some(rules) {
            self.prepared = rules.iter().map(|r| prepare(r, self.mode)).collect();
            self.prepared_from = Some(rules.to_vec());
        }
    }

    fn evaluate_history(&mut self, now: u64) -> Outcome {
        let t = i64::try_from(now).unwrap_or(i64::MAX);
        let mut out = Outcome::default();
        let mut seen: HashSet<String> = HashSet::new();
        let mut failed: HashSet<&str> = HashSet::new();
        for p in &self.prepared {
            let rule = &p.rule;
            let Some(expr) = &p.expr else { continue };
            let samples =
                match promql::evaluate(expr, &self.history, t).and_then(|s| alert_samples(p, s)) {
                    Ok(s) => {
                        self.errors.remove(&rule.name);
                        s
                    }
                    Err(e) => {
                        if self.errors.get(&rule.name) != Some(&e) {
                            out.new_errors.push((rule.name.clone(), e.clone()));
                            self.errors.insert(rule.name.clone(), e);
                        }
                        failed.insert(rule.name.as_str());
                        continue;
                    }
                };
            let hold_ms = rule.duration.as_std().as_millis().min(u128::from(u64::MAX)) as u64;
            for (labels, annotations, value) in samples {
                let id = fingerprint(&labels);
                if !seen.insert(id.clone()) {
                    continue;
                }
                match self.alerts.get_mut(&id) {
                    Some(a) if a.state != AlertState::Resolved => {
                        a.value = value;
                        a.annotations = annotations;
                        if a.state == AlertState::Pending
                            && now.saturating_sub(a.active_at) >= hold_ms
                        {
                            a.state = AlertState::Firing;
                            a.fired_at = Some(now);
                            out.transitions.push(Transition::Fired(id));
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
                                value,
                                active_at: now,
                                fired_at: firing.then_some(now),
                                resolved_at: None,
                            },
                        );
                        if firing {
                            out.transitions.push(Transition::Fired(id));
                        }
                    }
                }
            }
        }
        // Alerts whose series no longer qualify (or whose rule is gone); those of rules whose
        // evaluation failed stay as they were.
        let mut gone = Vec::new();
        for (id, a) in &mut self.alerts {
            if seen.contains(id) || failed.contains(a.rule.as_str()) {
                continue;
            }
            match a.state {
                AlertState::Pending => gone.push(id.clone()),
                AlertState::Firing => {
                    a.state = AlertState::Resolved;
                    a.resolved_at = Some(now);
                    out.transitions.push(Transition::Resolved(id.clone()));
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
        out
    }
}

type AlertSample = (BTreeMap<String, String>, BTreeMap<String, String>, f64);

/// The alerts of one rule's result: labels (the series' without its name, the rule's labels
/// expanded over them, `alertname` and `severity`), annotations rendered, the value. Two
/// results with the same labels are an error, as in Prometheus.
pub fn alert_samples(
    p: &Prepared,
    samples: Vec<promql::Sample>,
) -> Result<Vec<AlertSample>, String> {
    let mut out = Vec::with_capacity(samples.len());
    let mut ids = HashSet::new();
    for s in samples {
        let data = template::Data {
            labels: s.labels.clone(),
            value: s.value,
            ..template::Data::default()
        };
        let mut labels = s.labels;
        labels.remove("__name__");
        let render = |name: &str, t: &Result<template::Template, String>| match t {
            Ok(t) => t.render(&data).unwrap_or_else(|e| {
                format!("<error expanding template: template: __alert_{}:{e}>", name)
            }),
            Err(shown) => shown.clone(),
        };
        for (k, t) in &p.labels {
            let v = render(&p.rule.name, t);
            if v.is_empty() {
                labels.remove(k);
            } else {
                labels.insert(k.clone(), v);
            }
        }
        labels.insert("alertname".into(), p.rule.name.clone());
        labels.insert("severity".into(), p.rule.severity.as_str().into());
        let annotations = p
            .annotations
            .iter()
            .map(|(k, t)| (k.clone(), render(&p.rule.name, t)))
            .collect();
        if !ids.insert(labels.clone()) {
            return Err(
                "vector contains metrics with the same labelset after applying alert labels".into(),
            );
        }
        out.push((labels, annotations, s.value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Kind;
    use crate::model::rule::Threshold;
    use crate::model::{Comparison, Matcher, PromDuration};

    fn rule(name: &str, metric: &str, cmp: Comparison, threshold: f64, for_secs: u64) -> AlertRule {
        AlertRule::from_threshold(
            name.into(),
            Threshold {
                metric: metric.into(),
                comparison: cmp,
                threshold,
                matchers: Vec::new(),
            },
            PromDuration::from_secs(for_secs),
            Severity::Warning,
            String::new(),
        )
    }

    fn with_matchers(r: AlertRule, matchers: Vec<Matcher>) -> AlertRule {
        let mut t = r.threshold.clone().unwrap();
        t.matchers = matchers;
        AlertRule::from_threshold(r.name, t, r.duration, r.severity, r.description)
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
            a.annotations["summary"], "hivemind_container_cpu_usage is 97 (> 90)",
            "the summary renders {{ $value | humanize }} as Prometheus does"
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
            let r = with_matchers(
                rule("disk", "hivemind_node_disk_usage", Comparison::Gt, 90.0, 0),
                matchers
                    .iter()
                    .map(|m| Matcher::parse(m).unwrap())
                    .collect(),
            );
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
    fn without_rules_the_history_keeps_nothing() {
        let mut ev = Evaluator::new();
        ev.evaluate(&[], &[&cpu(95.0, 10.0)], 0);
        assert_eq!(ev.history().sample_count(), 0);
        let rules = [rule(
            "hot",
            "hivemind_container_cpu_usage",
            Comparison::Gt,
            90.0,
            0,
        )];
        ev.evaluate(
            &rules,
            &[&cpu(95.0, 10.0), &family("hivemind_nodes", &[(&[], 1.0)])],
            1_000,
        );
        assert_eq!(ev.history().series_count(), 2, "only the selected metric");
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
