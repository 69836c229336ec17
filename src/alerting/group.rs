//! Which notifications an evaluation produces: alerts are grouped by rule (Alertmanager's
//! `group_by: [alertname]`), a group is notified when one of its alerts starts firing or is
//! resolved, and again every repeat interval while any of its alerts keeps firing.
//!
//! Alerts that change in the same evaluation go out together, so the evaluation itself is the
//! group wait: no extra delay is added between a threshold crossing and the notification.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::eval::{Evaluator, Transition};
use super::unix_millis;
use crate::model::Severity;
use crate::model::alert::{Alert, AlertState};

/// Whether a notification reports a problem or its end (Alertmanager's group `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupStatus {
    Firing,
    Resolved,
}

impl GroupStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupStatus::Firing => "firing",
            GroupStatus::Resolved => "resolved",
        }
    }
}

/// Who sends: the node's name (PagerDuty `source`, e-mail and Slack footers) and the agent's
/// API address (the webhook payload's `externalURL`).
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub node: String,
    pub external_url: String,
}

/// One message for one group, rendered by each channel type in its own format.
#[derive(Debug, Clone)]
pub struct Notification {
    /// Alertmanager's form, e.g. `{}:{alertname="high_cpu_usage"}`.
    pub group_key: String,
    pub group_labels: BTreeMap<String, String>,
    pub status: GroupStatus,
    /// The group's firing alerts and the ones resolved since the last notification.
    pub alerts: Vec<Alert>,
    /// A test notification from `test-alert-channel`: marked as such in every format.
    pub test: bool,
    pub origin: Origin,
}

impl Notification {
    /// The labels every alert shares.
    pub fn common_labels(&self) -> BTreeMap<String, String> {
        common(self.alerts.iter().map(|a| &a.labels))
    }

    pub fn common_annotations(&self) -> BTreeMap<String, String> {
        common(self.alerts.iter().map(|a| &a.annotations))
    }

    pub fn firing(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().filter(|a| a.state == AlertState::Firing)
    }

    /// The group's name for titles: its alertname.
    pub fn title_name(&self) -> &str {
        self.group_labels
            .get("alertname")
            .map_or("alerts", String::as_str)
    }

    /// The most urgent severity among the alerts.
    pub fn severity(&self) -> Severity {
        self.alerts
            .iter()
            .map(|a| a.severity)
            .min()
            .unwrap_or(Severity::Info)
    }

    /// `[FIRING:2] high_cpu_usage (warning)`, `[RESOLVED] …`, `[TEST] …`.
    pub fn title(&self) -> String {
        let head = match (self.test, self.status) {
            (true, _) => "[TEST]".to_string(),
            (false, GroupStatus::Firing) => format!("[FIRING:{}]", self.firing().count()),
            (false, GroupStatus::Resolved) => "[RESOLVED]".to_string(),
        };
        format!("{head} {} ({})", self.title_name(), self.severity())
    }

    /// A test notification for channel `channel`: one info alert, clearly labelled.
    pub fn test(channel: &str, origin: Origin) -> Notification {
        let now = unix_millis(std::time::SystemTime::now());
        let mut labels = BTreeMap::from([
            (
                "alertname".to_string(),
                "HivemindTestNotification".to_string(),
            ),
            ("severity".to_string(), "info".to_string()),
            ("channel".to_string(), channel.to_string()),
            ("test".to_string(), "true".to_string()),
        ]);
        if !origin.node.is_empty() {
            labels.insert("node".into(), origin.node.clone());
        }
        let alert = Alert {
            id: super::fingerprint(&labels),
            rule: "HivemindTestNotification".into(),
            state: AlertState::Firing,
            severity: Severity::Info,
            labels: labels.clone(),
            annotations: BTreeMap::from([
                (
                    "summary".to_string(),
                    format!("Test notification from hivemind for channel {channel}"),
                ),
                (
                    "description".to_string(),
                    "This is a test sent by `hivemind health test-alert-channel`; no action is needed."
                        .to_string(),
                ),
            ]),
            value: 1.0,
            active_at: super::rfc3339(now),
            fired_at: Some(super::rfc3339(now)),
            resolved_at: None,
        };
        Notification {
            group_key: "{}:{alertname=\"HivemindTestNotification\"}".into(),
            group_labels: BTreeMap::from([(
                "alertname".to_string(),
                "HivemindTestNotification".to_string(),
            )]),
            status: GroupStatus::Firing,
            alerts: vec![alert],
            test: true,
            origin,
        }
    }
}

fn common<'a>(
    mut maps: impl Iterator<Item = &'a BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let Some(first) = maps.next() else {
        return BTreeMap::new();
    };
    let mut out = first.clone();
    for m in maps {
        out.retain(|k, v| m.get(k) == Some(v));
    }
    out
}

/// Remembers when each group was last notified, to repeat firing groups.
#[derive(Debug)]
pub struct Planner {
    repeat_ms: u64,
    last_sent: HashMap<String, u64>,
}

impl Planner {
    pub fn new(repeat: std::time::Duration) -> Self {
        Planner {
            repeat_ms: repeat.as_millis().min(u128::from(u64::MAX)) as u64,
            last_sent: HashMap::new(),
        }
    }

    /// The notifications due after an evaluation at `now` that produced `transitions`.
    pub fn plan(
        &mut self,
        transitions: &[Transition],
        ev: &Evaluator,
        now: u64,
        origin: &Origin,
    ) -> Vec<Notification> {
        let mut changed: BTreeSet<&str> = BTreeSet::new();
        let mut resolved_now: BTreeSet<&str> = BTreeSet::new();
        for t in transitions {
            if let Some(a) = ev.get(t.id()) {
                changed.insert(a.rule.as_str());
                if matches!(t, Transition::Resolved(_)) {
                    resolved_now.insert(a.id.as_str());
                }
            }
        }
        let mut firing: BTreeMap<&str, Vec<Alert>> = BTreeMap::new();
        let mut resolved: BTreeMap<&str, Vec<Alert>> = BTreeMap::new();
        for a in ev.alerts() {
            match a.state {
                AlertState::Firing => firing.entry(&a.rule).or_default().push(a.to_alert()),
                AlertState::Resolved if resolved_now.contains(a.id.as_str()) => {
                    resolved.entry(&a.rule).or_default().push(a.to_alert());
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        let groups: BTreeSet<&str> = changed.iter().chain(firing.keys()).copied().collect();
        for rule in groups {
            let is_changed = changed.contains(rule);
            let due = match self.last_sent.get(rule) {
                // First seen without a change (alerts restored after a restart): start the
                // repeat clock now rather than notifying again at once.
                None if !is_changed => {
                    self.last_sent.insert(rule.to_string(), now);
                    false
                }
                None => true,
                Some(last) => is_changed || now.saturating_sub(*last) >= self.repeat_ms,
            };
            let firing_alerts = firing.remove(rule).unwrap_or_default();
            if !due {
                continue;
            }
            let status = if firing_alerts.is_empty() {
                GroupStatus::Resolved
            } else {
                GroupStatus::Firing
            };
            let mut alerts = firing_alerts;
            alerts.extend(resolved.remove(rule).unwrap_or_default());
            if alerts.is_empty() {
                continue;
            }
            if status == GroupStatus::Resolved {
                self.last_sent.remove(rule);
            } else {
                self.last_sent.insert(rule.to_string(), now);
            }
            out.push(Notification {
                group_key: format!(
                    "{{}}:{{alertname={}}}",
                    crate::model::rule::promql_string(rule)
                ),
                group_labels: BTreeMap::from([("alertname".to_string(), rule.to_string())]),
                status,
                alerts,
                test: false,
                origin: origin.clone(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Family, Kind};
    use crate::model::rule::Threshold;
    use crate::model::{AlertRule, Comparison, PromDuration};
    use std::time::Duration;

    /// A metric the agent exposes: rules on others are left to Prometheus.
    const METRIC: &str = "hivemind_container_cpu_usage";

    fn rule(name: &str) -> AlertRule {
        AlertRule::from_threshold(
            name.into(),
            Threshold {
                metric: METRIC.into(),
                comparison: Comparison::Gt,
                threshold: 10.0,
                matchers: Vec::new(),
            },
            PromDuration::from_secs(0),
            Severity::Warning,
            String::new(),
        )
    }

    fn fam(values: &[(&str, f64)]) -> Family {
        let mut f = Family::new(METRIC, "h", Kind::Gauge);
        for (name, v) in values {
            f.push(vec![("name".into(), name.to_string())], *v);
        }
        f
    }

    #[test]
    fn groups_by_rule_repeats_and_resolves() {
        let rules = [rule("a"), rule("b")];
        let mut ev = Evaluator::new();
        let mut planner = Planner::new(Duration::from_secs(60));
        let origin = Origin::default();
        let mut step = |values: &[(&str, f64)], now: u64| {
            let t = ev.evaluate(&rules, &[&fam(values)], now);
            planner.plan(&t, &ev, now, &origin)
        };
        // Two series fire together: one notification per rule, both alerts in it.
        let n = step(&[("x", 20.0), ("y", 30.0)], 0);
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].group_key, "{}:{alertname=\"a\"}");
        assert_eq!(n[0].status, GroupStatus::Firing);
        assert_eq!(n[0].alerts.len(), 2);
        assert_eq!(n[0].title(), "[FIRING:2] a (warning)");
        assert_eq!(n[0].common_labels()["alertname"], "a");
        assert!(!n[0].common_labels().contains_key("name"));
        // Nothing changed, repeat not due: nothing.
        assert!(step(&[("x", 20.0), ("y", 30.0)], 30_000).is_empty());
        // One resolves: the group is told, still firing, with the resolved alert in it.
        let n = step(&[("x", 20.0)], 40_000);
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].status, GroupStatus::Firing);
        let states: Vec<AlertState> = n[0].alerts.iter().map(|a| a.state).collect();
        assert_eq!(states, [AlertState::Firing, AlertState::Resolved]);
        // The repeat interval counts from the last notification.
        assert!(step(&[("x", 20.0)], 99_999).is_empty());
        let n = step(&[("x", 20.0)], 100_000);
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].alerts.len(), 1);
        // All resolved: a resolved notification, then silence.
        let n = step(&[], 110_000);
        assert_eq!(n.len(), 2);
        assert_eq!(n[0].status, GroupStatus::Resolved);
        assert_eq!(n[0].title(), "[RESOLVED] a (warning)");
        assert!(step(&[], 500_000).is_empty());
    }

    #[test]
    fn restored_firing_alerts_are_not_renotified_at_once() {
        let rules = [rule("a")];
        let mut ev = Evaluator::new();
        ev.evaluate(&rules, &[&fam(&[("x", 20.0)])], 0);
        let mut ev = Evaluator::restore(ev.alerts().cloned().collect());
        let mut planner = Planner::new(Duration::from_secs(60));
        let t = ev.evaluate(&rules, &[&fam(&[("x", 20.0)])], 1_000);
        assert!(planner.plan(&t, &ev, 1_000, &Origin::default()).is_empty());
        let t = ev.evaluate(&rules, &[&fam(&[("x", 20.0)])], 61_000);
        assert_eq!(planner.plan(&t, &ev, 61_000, &Origin::default()).len(), 1);
    }

    #[test]
    fn test_notifications_are_marked() {
        let n = Notification::test("ops", Origin::default());
        assert!(n.test);
        assert_eq!(n.title(), "[TEST] HivemindTestNotification (info)");
        assert_eq!(n.alerts[0].labels["test"], "true");
    }
}
