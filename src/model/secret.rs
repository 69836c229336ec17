//! Secret values: never printed, logged or serialised in clear.

use std::fmt;

use serde::{Serialize, Serializer};

/// The text every secret renders as.
pub const REDACTED: &str = "<secret>";

/// A secret value (password, token, webhook URL with a token in it). Debug, Display and
/// Serialize all print `<secret>`; only [`Secret::expose`] reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
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

/// A stored secret as shown to users: redacted, with the backend that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Redacted(pub SecretBackend);

impl Serialize for Redacted {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(REDACTED)
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{REDACTED} ({})", self.0.as_str())
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
    }
}
