//! Slack incoming webhooks: a message with the severity, the summary of each alert and its
//! labels, coloured by status.

use serde_json::{Value, json};

use crate::alerting::group::{GroupStatus, Notification};
use crate::model::Severity;
use crate::model::alert::{AlertState, fmt_value};

/// Alerts listed in one message; the rest are counted (Slack truncates long messages).
const MAX_LISTED: usize = 20;

pub fn payload(n: &Notification) -> Value {
    let color = match (n.test, n.status, n.severity()) {
        (true, _, _) => "#439fe0",
        (false, GroupStatus::Resolved, _) => "good",
        (false, GroupStatus::Firing, Severity::Critical) => "danger",
        (false, GroupStatus::Firing, Severity::Warning) => "warning",
        (false, GroupStatus::Firing, Severity::Info) => "#439fe0",
    };
    let mut lines = Vec::new();
    for a in n.alerts.iter().take(MAX_LISTED) {
        let mark = if a.state == AlertState::Resolved {
            "resolved"
        } else {
            "firing"
        };
        let summary = a.annotations.get("summary").cloned().unwrap_or_default();
        let labels: Vec<String> = a
            .labels
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "alertname" | "severity"))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        lines.push(format!("*{mark}* {summary}"));
        if !labels.is_empty() {
            lines.push(format!("    labels: `{}`", labels.join(", ")));
        }
        if let Some(d) = a.annotations.get("description") {
            lines.push(format!("    {d}"));
        }
        if a.state == AlertState::Firing && !n.test {
            lines.push(format!(
                "    value {} since {}",
                fmt_value(a.value),
                a.fired_at.as_deref().unwrap_or(&a.active_at)
            ));
        }
    }
    if n.alerts.len() > MAX_LISTED {
        lines.push(format!("… and {} more", n.alerts.len() - MAX_LISTED));
    }
    let mut footer = "hivemind".to_string();
    if !n.origin.node.is_empty() {
        footer.push_str(&format!(" on {}", n.origin.node));
    }
    json!({
        "text": n.title(),
        "attachments": [{
            "color": color,
            "title": n.title(),
            "text": lines.join("\n"),
            "fields": [
                {"title": "Severity", "value": n.severity().as_str(), "short": true},
                {"title": "Status", "value": if n.test { "test" } else { n.status.as_str() }, "short": true},
            ],
            "footer": footer,
            "mrkdwn_in": ["text"],
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::group::Origin;

    #[test]
    fn message_shape() {
        let n = Notification::test(
            "ops",
            Origin {
                node: "n1".into(),
                external_url: String::new(),
            },
        );
        let v = payload(&n);
        assert_eq!(v["text"], "[TEST] HivemindTestNotification (info)");
        let att = &v["attachments"][0];
        assert_eq!(att["fields"][0]["value"], "info");
        assert_eq!(att["fields"][1]["value"], "test");
        assert_eq!(att["footer"], "hivemind on n1");
        let text = att["text"].as_str().unwrap();
        assert!(
            text.contains("Test notification from hivemind for channel ops"),
            "{text}"
        );
        assert!(text.contains("channel=ops"), "{text}");
    }
}
