//! Secret values: never printed, logged or serialised in clear.

use std::fmt;

use serde::{Serialize, Serializer};

/// The text every secret renders as (the redaction step puts the same in place of one).
pub use crate::redact::REDACTED;

/// A secret value (password, token, webhook URL with a token in it). Debug, Display and
/// Serialize all print `<secret>`; only [`Secret::expose`] reveals it. Creating one makes the
/// value known to [`redact`](crate::redact), which removes it from text that came from
/// outside (a receiver's answer that echoes it), wherever the value entered the process.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        crate::redact::register(&value);
        Secret(value)
    }

    /// The clear value, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

/// A secret on the wire to the agent (inside TLS or over loopback): serialised in clear,
/// still redacted in Debug. Only the API client and server use it. Reading one registers
/// the value for redaction, as creating a [`Secret`] does.
#[derive(Clone, PartialEq, Eq)]
pub struct WireSecret(String);

impl<'de> serde::Deserialize<'de> for WireSecret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = String::deserialize(d)?;
        crate::redact::register(&value);
        Ok(WireSecret(value))
    }
}

impl WireSecret {
    pub fn from_secret(s: &Secret) -> Self {
        WireSecret(s.expose().to_string())
    }

    pub fn into_secret(self) -> Secret {
        Secret::new(self.0)
    }
}

impl fmt::Debug for WireSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for WireSecret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Where a stored secret lives, as written in the state file: `keyring:<key>` or `file:<key>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretRef {
    pub backend: SecretBackend,
    pub key: String,
}

/// The storage behind a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretBackend {
    /// The OS keyring (Secret Service on Linux desktops).
    Keyring,
    /// `secrets.toml` (mode 0600) in the data directory.
    File,
}

impl SecretBackend {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretBackend::Keyring => "keyring",
            SecretBackend::File => "file",
        }
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.backend.as_str(), self.key)
    }
}

impl Serialize for SecretRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for SecretRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let (backend, key) = match text.split_once(':') {
            Some(("keyring", key)) => (SecretBackend::Keyring, key),
            Some(("file", key)) => (SecretBackend::File, key),
            _ => {
                return Err(serde::de::Error::custom(
                    "a secret reference 'keyring:KEY' or 'file:KEY' (secret values never go in the state file)",
                ));
            }
        };
        Ok(SecretRef {
            backend,
            key: key.to_string(),
        })
    }
}

/// A stored secret as shown to users: redacted, with the backend that holds it when known
/// (JSON carries only `"<secret>"`, so a report read back from an agent does not know it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Redacted(pub Option<SecretBackend>);

impl Serialize for Redacted {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

impl<'de> serde::Deserialize<'de> for Redacted {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let _ = String::deserialize(d)?;
        Ok(Redacted(None))
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(b) => write!(f, "{REDACTED} ({})", b.as_str()),
            None => f.write_str(REDACTED),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{:?}", Some(&s)), "Some(<secret>)");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"<secret>\"");
        assert_eq!(yaml_serde::to_string(&s).unwrap().trim(), REDACTED);
        assert_eq!(s.expose(), "hunter2");
        let wire = WireSecret::from_secret(&s);
        assert_eq!(format!("{wire:?}"), REDACTED);
        assert_eq!(serde_json::to_string(&wire).unwrap(), "\"hunter2\"");
    }

    #[test]
    fn creating_or_receiving_a_secret_registers_it_for_redaction() {
        use crate::redact::{redact, redact_json, redacted};
        let value = "reg1stry-test-v4lue-9c1f";
        assert_eq!(redact(&format!("echo {value}")), format!("echo {value}"));
        let _s = Secret::new(value);
        assert_eq!(redact(&format!("echo {value}")), "echo <secret>");
        let _wire: WireSecret = serde_json::from_str("\"wire-s3cret-7d2a-0000\"").unwrap();
        assert_eq!(redact("got wire-s3cret-7d2a-0000"), "got <secret>");
        let mut v = serde_json::json!({"a": ["x reg1stry-test-v4lue-9c1f y", 1], "b": {"c": "ok"}});
        redact_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": ["x <secret> y", 1], "b": {"c": "ok"}})
        );
        assert_eq!(redacted("plain".to_string()), "plain");
    }
}
