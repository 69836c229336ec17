//! E-mail over SMTP (lettre, rustls): STARTTLS whenever the server offers it, required when
//! the channel has credentials (a password never crosses the network in clear), implicit TLS
//! on port 465.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::alerting::group::Notification;
use crate::model::Secret;
use crate::model::alert::AlertState;
use crate::net::retry::SendError;

/// Alerts detailed in one message; the rest are counted.
const MAX_LISTED: usize = 50;

/// Where and how to send.
pub struct Smtp<'a> {
    pub server: &'a str,
    pub port: u16,
    pub user: Option<&'a str>,
    pub password: Option<&'a Secret>,
    pub from: &'a str,
    pub to: &'a [String],
}

/// The plain-text body.
pub fn body(n: &Notification) -> String {
    let mut out = String::new();
    if n.test {
        out.push_str("This is a TEST notification from hivemind. No action is needed.\n\n");
    }
    out.push_str(&format!("{}\n", n.title()));
    for a in n.alerts.iter().take(MAX_LISTED) {
        let state = if a.state == AlertState::Resolved {
            "RESOLVED"
        } else {
            "FIRING"
        };
        out.push_str(&format!("\n[{state}] {}\n", a.rule));
        for (k, v) in &a.annotations {
            out.push_str(&format!("  {k}: {v}\n"));
        }
        out.push_str("  labels:\n");
        for (k, v) in &a.labels {
            out.push_str(&format!("    {k} = {v}\n"));
        }
        out.push_str(&format!(
            "  since: {}\n",
            a.fired_at.as_deref().unwrap_or(&a.active_at)
        ));
        if let Some(r) = &a.resolved_at {
            out.push_str(&format!("  resolved: {r}\n"));
        }
        out.push_str(&format!("  id: {}\n", a.id));
    }
    if n.alerts.len() > MAX_LISTED {
        out.push_str(&format!("\n… and {} more\n", n.alerts.len() - MAX_LISTED));
    }
    out.push_str(&format!(
        "\n-- \nhivemind{}\n",
        if n.origin.node.is_empty() {
            String::new()
        } else {
            format!(" on {}", n.origin.node)
        }
    ));
    out
}

/// The message, or why it cannot be built (a bad address never becomes deliverable).
pub fn message(smtp: &Smtp<'_>, n: &Notification) -> Result<Message, SendError> {
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| SendError::permanent(format!("from address {}: {e}", smtp.from)))?;
    let mut builder = Message::builder()
        .from(from)
        .subject(n.title())
        .header(ContentType::TEXT_PLAIN);
    for to in smtp.to {
        let mbox: Mailbox = to
            .parse()
            .map_err(|e| SendError::permanent(format!("to address {to}: {e}")))?;
        builder = builder.to(mbox);
    }
    builder
        .body(body(n))
        .map_err(|e| SendError::permanent(format!("building the e-mail: {e}")))
}

/// Send one message within `timeout`.
pub async fn send(smtp: &Smtp<'_>, n: &Notification, timeout: Duration) -> Result<(), SendError> {
    let msg = message(smtp, n)?;
    let params = TlsParameters::new(smtp.server.to_string())
        .map_err(|e| SendError::permanent(format!("TLS settings for {}: {e}", smtp.server)))?;
    let tls = if smtp.port == 465 {
        Tls::Wrapper(params)
    } else if smtp.password.is_some() {
        Tls::Required(params)
    } else {
        Tls::Opportunistic(params)
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.server)
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(timeout));
    if let (Some(user), Some(password)) = (smtp.user, smtp.password) {
        builder = builder.credentials(Credentials::new(
            user.to_string(),
            password.expose().to_string(),
        ));
    }
    let transport = builder.build();
    let sent = tokio::time::timeout(timeout, transport.send(msg)).await;
    match sent {
        Err(_) => Err(SendError::retryable(format!(
            "{}:{}: no answer within {}",
            smtp.server,
            smtp.port,
            humantime::format_duration(timeout)
        ))),
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(classify(smtp, &e)),
    }
}

/// SMTP 4xx replies, timeouts and connection failures are worth retrying; 5xx replies, TLS
/// failures and client-side errors are not. The server's reply is quoted, redacted (by
/// [`SendError`]): a server may echo what it was sent, base64 `AUTH PLAIN` included.
fn classify(smtp: &Smtp<'_>, e: &lettre::transport::smtp::Error) -> SendError {
    // lettre's messages often repeat their source already; add only causes not yet said.
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !detail.contains(&text) {
            detail.push_str(&format!(": {text}"));
        }
        source = s.source();
    }
    let message = format!("{}:{}: {detail}", smtp.server, smtp.port);
    SendError::new(message, !(e.is_permanent() || e.is_tls() || e.is_client()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerting::group::Origin;

    #[test]
    fn test_message_is_marked_and_addressed() {
        let n = Notification::test(
            "mail",
            Origin {
                node: "n1".into(),
                external_url: String::new(),
            },
        );
        let to = vec!["ops@example.com".to_string(), "dev@example.com".to_string()];
        let smtp = Smtp {
            server: "smtp.example.com",
            port: 587,
            user: None,
            password: None,
            from: "alerts@example.com",
            to: &to,
        };
        let msg = message(&smtp, &n).unwrap();
        let text = String::from_utf8(msg.formatted()).unwrap();
        assert!(
            text.contains("Subject: [TEST] HivemindTestNotification (info)"),
            "{text}"
        );
        assert!(
            text.contains("To: ops@example.com, dev@example.com"),
            "{text}"
        );
        assert!(text.contains("TEST notification from hivemind"), "{text}");
        assert!(text.contains("hivemind on n1"), "{text}");
        let bad = Smtp {
            from: "not an address",
            ..smtp
        };
        assert!(!message(&bad, &n).unwrap_err().retryable);
    }
}
