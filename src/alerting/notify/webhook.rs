//! The generic webhook: Alertmanager's webhook payload (version "4"), so that receivers
//! written for Alertmanager work unchanged.

use serde_json::{Value, json};

use crate::alerting::group::Notification;
use crate::model::alert::{Alert, AlertState};

/// What Alertmanager puts in `endsAt` for an alert that has not ended.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// The JSON body for `receiver` (the channel name).
pub fn payload(receiver: &str, n: &Notification) -> Value {
    let alerts: Vec<Value> = n
        .alerts
        .iter()
        .map(|a| alert(a, &n.origin.external_url))
        .collect();
    json!({
        "version": "4",
        "groupKey": n.group_key,
        "truncatedAlerts": 0,
        "status": n.status.as_str(),
        "receiver": receiver,
        "groupLabels": n.group_labels,
        "commonLabels": n.common_labels(),
        "commonAnnotations": n.common_annotations(),
        "externalURL": n.origin.external_url,
        "alerts": alerts,
    })
}

fn alert(a: &Alert, external_url: &str) -> Value {
    let status = if a.state == AlertState::Resolved {
        "resolved"
    } else {
        "firing"
    };
    let generator = if external_url.is_empty() {
        String::new()
    } else {
        format!("{external_url}/api/alerts/{}", a.id)
    };
    json!({
        "status": status,
        "labels": a.labels,
        "annotations": a.annotations,
        "startsAt": a.fired_at.as_deref().unwrap_or(&a.active_at),
        "endsAt": a.resolved_at.as_deref().unwrap_or(ZERO_TIME),
        "generatorURL": generator,
        "fingerprint": a.id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::group::Origin;

    #[test]
    fn alertmanager_shape() {
        let origin = Origin {
            node: "n1".into(),
            external_url: "http://127.0.0.1:9470".into(),
        };
        let n = Notification::test("hook", origin);
        let v = payload("hook", &n);
        assert_eq!(v["version"], "4");
        assert_eq!(v["status"], "firing");
        assert_eq!(v["receiver"], "hook");
        assert_eq!(v["truncatedAlerts"], 0);
        assert_eq!(v["groupLabels"]["alertname"], "HivemindTestNotification");
        assert_eq!(v["commonLabels"]["test"], "true");
        let a = &v["alerts"][0];
        assert_eq!(a["status"], "firing");
        assert_eq!(a["endsAt"], ZERO_TIME);
        assert_eq!(a["fingerprint"], n.alerts[0].id.as_str());
        assert_eq!(
            a["generatorURL"],
            format!("http://127.0.0.1:9470/api/alerts/{}", n.alerts[0].id)
        );
        for key in ["labels", "annotations", "startsAt"] {
            assert!(!a[key].is_null(), "{key}");
        }
    }
}
