//! One delivery attempt of a notification to one channel, in that channel type's format.
//! The same [`Sender`] serves the daemon's dispatcher and `test-alert-channel`, so a test
//! goes through the real path: rendering, destination policy, HTTP or SMTP, error handling.

pub mod email;
pub mod http;
pub mod pagerduty;
pub mod slack;
pub mod webhook;

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::group::Notification;
use crate::error::Result;
use crate::model::{Channel, ChannelType, Secret, SecretRef};
use crate::net::retry::SendError;
use crate::store::SecretStore;

/// Sends notifications. Cheap to share: one HTTP client (connection pool) for every channel.
pub struct Sender {
    http: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    /// `allow_private`: whether private and loopback destinations may be reached.
    pub fn new(allow_private: bool) -> Result<Sender> {
        Ok(Sender {
            http: http::client(allow_private)?,
            allow_private,
        })
    }

    pub fn allows_private(&self) -> bool {
        self.allow_private
    }

    /// One attempt, finished within `timeout` (PagerDuty's several events share it).
    pub async fn send(
        &self,
        name: &str,
        channel: &Channel<Secret>,
        n: &Notification,
        timeout: Duration,
    ) -> std::result::Result<(), SendError> {
        match channel {
            Channel::Slack { webhook_url } => {
                http::post_json(
                    &self.http,
                    self.allow_private,
                    webhook_url.expose(),
                    &slack::payload(n),
                    timeout,
                )
                .await
            }
            Channel::Webhook { url } => {
                http::post_json(
                    &self.http,
                    self.allow_private,
                    url,
                    &webhook::payload(name, n),
                    timeout,
                )
                .await
            }
            Channel::Pagerduty { routing_key, url } => {
                let url = url.as_deref().unwrap_or(pagerduty::DEFAULT_URL);
                let key = routing_key.expose();
                let events = if n.test {
                    pagerduty::test_events(key, n)
                } else {
                    pagerduty::events(key, n)
                };
                let started = Instant::now();
                for event in events {
                    let left = timeout.saturating_sub(started.elapsed());
                    if left.is_zero() {
                        return Err(SendError::retryable(format!(
                            "no answer within {}",
                            humantime::format_duration(timeout)
                        )));
                    }
                    http::post_json(&self.http, self.allow_private, url, &event, left).await?;
                }
                Ok(())
            }
            Channel::Email {
                smtp_server,
                smtp_port,
                smtp_user,
                smtp_password,
                from,
                to,
            } => {
                let smtp = email::Smtp {
                    server: smtp_server,
                    port: *smtp_port,
                    user: smtp_user.as_deref(),
                    password: smtp_password.as_ref(),
                    from,
                    to,
                };
                email::send(&smtp, n, timeout).await
            }
        }
    }
}

/// Read a stored channel's secrets (blocking: the file or the keyring).
pub fn resolve_secrets(
    name: &str,
    channel: Channel<SecretRef>,
    secrets: &SecretStore,
) -> Result<Channel<Secret>> {
    channel
        .try_map_secrets(|_, r| secrets.get(&r))
        .map_err(|e| e.context(format!("alert channel {name}")))
}

/// `test-alert-channel` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestResult {
    pub channel: String,
    #[serde(rename = "type")]
    pub channel_type: ChannelType,
    pub delivered: bool,
    /// Why it was not delivered, often quoting the receiver: redacted, so it never contains
    /// a secret the process knows (the channel's own, first of all).
    pub error: Option<String>,
    /// Whether the daemon would retry this failure for a real notification.
    pub retryable: Option<bool>,
    pub elapsed_seconds: f64,
}

/// How long a test may take in all: below the CLI's default per-agent timeout (10 s), so a
/// hung receiver is reported as such rather than as an unanswering agent.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(7);

/// Send a test notification to one channel: one attempt, no retries, so the answer comes now.
pub async fn test(
    sender: &Sender,
    name: &str,
    channel: &Channel<Secret>,
    origin: super::group::Origin,
) -> TestResult {
    let n = Notification::test(name, origin);
    let started = Instant::now();
    let result = sender.send(name, channel, &n, TEST_TIMEOUT).await;
    TestResult {
        channel: name.to_string(),
        channel_type: channel.channel_type(),
        delivered: result.is_ok(),
        retryable: result.as_ref().err().map(|e| e.retryable),
        error: result.err().map(|e| crate::redact::redacted(e.message)),
        elapsed_seconds: started.elapsed().as_secs_f64(),
    }
}
