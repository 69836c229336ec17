//! PagerDuty Events API v2: one event per alert, `trigger` while it fires and `resolve` when
//! it is resolved, with the alert id as `dedup_key`, so that PagerDuty keeps one incident per
//! alert and closes exactly that one.

use serde_json::{Value, json};

use crate::alerting::group::Notification;
use crate::model::Severity;
use crate::model::alert::{Alert, AlertState, fmt_value};

/// Where events go unless the channel names another endpoint (PagerDuty's EU service region
/// uses `https://events.eu.pagerduty.com/v2/enqueue`).
pub const DEFAULT_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// PagerDuty caps `summary` at 1024 characters.
const MAX_SUMMARY: usize = 1024;

/// The events for a notification, in order.
pub fn events(routing_key: &str, n: &Notification) -> Vec<Value> {
    n.alerts.iter().map(|a| event(routing_key, n, a)).collect()
}

/// A test notification: a trigger and its resolve, so no incident is left open.
pub fn test_events(routing_key: &str, n: &Notification) -> Vec<Value> {
    let mut out = events(routing_key, n);
    for a in &n.alerts {
        out.push(resolve(routing_key, &a.id));
    }
    out
}

fn resolve(routing_key: &str, dedup_key: &str) -> Value {
    json!({
        "routing_key": routing_key,
        "event_action": "resolve",
        "dedup_key": dedup_key,
    })
}

fn event(routing_key: &str, n: &Notification, a: &Alert) -> Value {
    if a.state == AlertState::Resolved {
        return resolve(routing_key, &a.id);
    }
    let mut summary = match a.annotations.get("summary") {
        Some(s) => format!("{}: {s}", a.rule),
        None => a.rule.clone(),
    };
    if n.test {
        summary = format!("[TEST] {summary}");
    }
    if summary.chars().count() > MAX_SUMMARY {
        summary = summary.chars().take(MAX_SUMMARY - 1).chain(['…']).collect();
    }
    let source = a
        .labels
        .get("node")
        .cloned()
        .unwrap_or_else(|| n.origin.node.clone());
    let mut body = json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": a.id,
        "payload": {
            "summary": summary,
            "source": if source.is_empty() { "hivemind".to_string() } else { source },
            "severity": match a.severity {
                Severity::Critical => "critical",
                Severity::Warning => "warning",
                Severity::Info => "info",
            },
            "timestamp": a.fired_at.as_deref().unwrap_or(&a.active_at),
            "class": a.rule,
            "custom_details": {
                "labels": a.labels,
                "annotations": a.annotations,
                "value": fmt_value(a.value),
            },
        },
        "client": "hivemind",
    });
    if !n.origin.external_url.is_empty() {
        body["client_url"] = json!(format!("{}/api/alerts/{}", n.origin.external_url, a.id));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::group::Origin;

    #[test]
    fn trigger_then_resolve_share_the_dedup_key() {
        let n = Notification::test("pd", Origin::default());
        let ev = test_events("KEY", &n);
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0]["event_action"], "trigger");
        assert_eq!(ev[1]["event_action"], "resolve");
        assert_eq!(ev[0]["dedup_key"], ev[1]["dedup_key"]);
        assert_eq!(ev[0]["routing_key"], "KEY");
        assert_eq!(ev[0]["payload"]["severity"], "info");
        assert_eq!(ev[0]["payload"]["source"], "hivemind");
        assert!(
            ev[0]["payload"]["summary"]
                .as_str()
                .unwrap()
                .starts_with("[TEST] ")
        );
    }
}
