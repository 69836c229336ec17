//! Notification channels (Slack, e-mail, webhook, PagerDuty).
//!
//! A channel is generic over how its secret fields are held: [`Secret`] when given by the user,
//! [`SecretRef`] when stored, [`Redacted`] when shown. That makes it impossible to print a
//! stored secret by accident: the stored and shown forms never contain the value.

use serde::{Deserialize, Serialize};

use super::secret::{Redacted, Secret, SecretRef};
use super::validate;
use crate::error::{Error, Result};

/// The channel types, as accepted by `--type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ChannelType {
    Slack,
    Email,
    Webhook,
    Pagerduty,
}

impl ChannelType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelType::Slack => "slack",
            ChannelType::Email => "email",
            ChannelType::Webhook => "webhook",
            ChannelType::Pagerduty => "pagerduty",
        }
    }
}

/// A channel's settings by type; `S` is the form of its secret fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub enum Channel<S> {
    Slack {
        /// The incoming-webhook URL; it carries the token, so it is a secret.
        webhook_url: S,
    },
    Email {
        smtp_server: String,
        smtp_port: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        smtp_user: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        smtp_password: Option<S>,
        from: String,
        to: Vec<String>,
    },
    Webhook {
        url: String,
    },
    Pagerduty {
        routing_key: S,
        /// The Events API v2 endpoint, when not PagerDuty's default
        /// (`https://events.pagerduty.com/v2/enqueue`), e.g. the EU service region's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
}

impl<S> Channel<S> {
    pub fn channel_type(&self) -> ChannelType {
        match self {
            Channel::Slack { .. } => ChannelType::Slack,
            Channel::Email { .. } => ChannelType::Email,
            Channel::Webhook { .. } => ChannelType::Webhook,
            Channel::Pagerduty { .. } => ChannelType::Pagerduty,
        }
    }

    /// Convert the secret fields, naming each by its field name; stops at the first error.
    pub fn try_map_secrets<T, E>(
        self,
        mut f: impl FnMut(&'static str, S) -> Result<T, E>,
    ) -> Result<Channel<T>, E> {
        Ok(match self {
            Channel::Slack { webhook_url } => Channel::Slack {
                webhook_url: f("webhook_url", webhook_url)?,
            },
            Channel::Email {
                smtp_server,
                smtp_port,
                smtp_user,
                smtp_password,
                from,
                to,
            } => Channel::Email {
                smtp_server,
                smtp_port,
                smtp_user,
                smtp_password: smtp_password.map(|p| f("smtp_password", p)).transpose()?,
                from,
                to,
            },
            Channel::Webhook { url } => Channel::Webhook { url },
            Channel::Pagerduty { routing_key, url } => Channel::Pagerduty {
                routing_key: f("routing_key", routing_key)?,
                url,
            },
        })
    }

    /// The secret fields by field name.
    pub fn secrets(&self) -> Vec<(&'static str, &S)> {
        match self {
            Channel::Slack { webhook_url } => vec![("webhook_url", webhook_url)],
            Channel::Email { smtp_password, .. } => {
                smtp_password.iter().map(|p| ("smtp_password", p)).collect()
            }
            Channel::Webhook { .. } => vec![],
            Channel::Pagerduty { routing_key, .. } => vec![("routing_key", routing_key)],
        }
    }
}

impl<S> Channel<S> {
    /// Check the plain fields; `secret` checks each secret field by name.
    pub fn validate(
        &self,
        secret: impl Fn(&'static str, &S) -> std::result::Result<(), String>,
    ) -> Result<()> {
        for (field, value) in self.secrets() {
            secret(field, value).map_err(|allowed| Error::Invalid {
                field: field.to_string(),
                value: super::secret::REDACTED.into(),
                allowed,
            })?;
        }
        match self {
            Channel::Email {
                smtp_server,
                smtp_port,
                smtp_user,
                smtp_password,
                from,
                to,
            } => {
                validate::host(smtp_server)
                    .map_err(|a| Error::invalid("smtp_server", smtp_server, a))?;
                validate::port(&smtp_port.to_string())
                    .map_err(|a| Error::invalid("smtp_port", &smtp_port.to_string(), a))?;
                if let Some(u) = smtp_user {
                    if u.is_empty() || u.len() > 256 || u.chars().any(char::is_control) {
                        return Err(Error::invalid(
                            "smtp_user",
                            u,
                            "a user name of 1 to 256 characters without control characters",
                        ));
                    }
                } else if smtp_password.is_some() {
                    return Err(Error::Usage("smtp_password needs smtp_user".into()));
                }
                validate::email(from).map_err(|a| Error::invalid("from", from, a))?;
                if to.is_empty() || to.len() > 100 {
                    return Err(Error::invalid(
                        "to",
                        &to.len().to_string(),
                        "1 to 100 recipient addresses",
                    ));
                }
                for addr in to {
                    validate::email(addr).map_err(|a| Error::invalid("to", addr, a))?;
                }
            }
            Channel::Webhook { url } | Channel::Pagerduty { url: Some(url), .. } => {
                validate::http_url(url).map_err(|a| Error::invalid("url", url, a))?;
            }
            Channel::Slack { .. } | Channel::Pagerduty { url: None, .. } => {}
        }
        Ok(())
    }
}

/// What a secret field of a channel must look like; the message says what is allowed.
pub fn check_secret(field: &str, value: &str) -> std::result::Result<(), String> {
    if value.is_empty() || value.len() > 4096 || value.chars().any(char::is_control) {
        return Err("a non-empty single line of at most 4096 bytes".into());
    }
    match field {
        "webhook_url" if value.chars().any(char::is_whitespace) => {
            Err("an http:// or https:// URL without spaces".into())
        }
        "webhook_url" => validate::http_url(value).map(drop),
        "routing_key" if value.len() > 256 || value.chars().any(char::is_whitespace) => {
            Err("a routing key without spaces, at most 256 characters".into())
        }
        _ => Ok(()),
    }
}

impl Channel<SecretRef> {
    pub fn redacted(&self) -> Channel<Redacted> {
        let cloned: Channel<SecretRef> = self.clone();
        match cloned
            .try_map_secrets(|_, r| Ok::<_, std::convert::Infallible>(Redacted(Some(r.backend))))
        {
            Ok(c) => c,
            Err(never) => match never {},
        }
    }
}

/// A channel as given by the user, before its secrets are stored.
pub type ChannelSpec = Channel<Secret>;
