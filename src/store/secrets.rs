//! Where secret values live: the OS keyring when one is reachable, else `secrets.toml`
//! (mode 0600) in the data directory, announced once with a warning naming the file.
//!
//! The backend is chosen by `HIVEMIND_SECRET_BACKEND` (`auto`, `keyring`, `file`); `auto`
//! skips the keyring under `CI=true` and without a D-Bus session (headless hosts, daemons).
//! The Linux kernel keyring (keyutils) is deliberately not used: its keys vanish on reboot or
//! after days unused, which would silently break alert delivery.
//! The OS keyring is the Secret Service (D-Bus), compiled in with the `secret-service` cargo
//! feature only: it is a desktop facility, and 88 s of a clean build.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use super::fs::{read_input, write_atomic};
use crate::error::{Error, Result};
use crate::messages::Messages;
use crate::model::input::{self, Input};
use crate::model::{Secret, SecretBackend, SecretRef};

const SERVICE: &str = "hivemind";

/// The secrets file: key → value.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsFile {
    #[serde(default)]
    secrets: BTreeMap<String, String>,
}

/// How the backend is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    Auto,
    Keyring,
    File,
}

impl BackendChoice {
    /// Read `HIVEMIND_SECRET_BACKEND`.
    pub fn from_env() -> Result<Self> {
        match std::env::var("HIVEMIND_SECRET_BACKEND").as_deref() {
            Err(_) | Ok("") | Ok("auto") => Ok(BackendChoice::Auto),
            Ok("keyring") => Ok(BackendChoice::Keyring),
            Ok("file") => Ok(BackendChoice::File),
            Ok(other) => Err(Error::invalid(
                "HIVEMIND_SECRET_BACKEND",
                other,
                "one of auto, keyring, file",
            )),
        }
    }
}

/// Secret storage for one data directory.
pub struct SecretStore {
    dir: PathBuf,
    choice: BackendChoice,
    keyring: OnceLock<std::result::Result<Arc<keyring_core::CredentialStore>, String>>,
}

impl SecretStore {
    pub fn new(dir: impl Into<PathBuf>, choice: BackendChoice) -> Self {
        SecretStore {
            dir: dir.into(),
            choice,
            keyring: OnceLock::new(),
        }
    }

    /// Use an explicit keyring store (tests use keyring-core's mock store).
    pub fn with_keyring(
        dir: impl Into<PathBuf>,
        store: Arc<keyring_core::CredentialStore>,
    ) -> Self {
        let s = SecretStore::new(dir, BackendChoice::Keyring);
        let _ = s.keyring.set(Ok(store));
        s
    }

    pub fn file_path(&self) -> PathBuf {
        self.dir.join("secrets.toml")
    }

    /// The keyring service name: one per data directory, so two data dirs never share secrets.
    fn service(&self) -> String {
        format!("{SERVICE}:{}", self.dir.display())
    }

    fn keyring(&self) -> std::result::Result<&Arc<keyring_core::CredentialStore>, String> {
        self.keyring
            .get_or_init(|| {
                if self.choice == BackendChoice::Auto {
                    if std::env::var("CI").is_ok_and(|v| v == "true") {
                        return Err("CI=true".into());
                    }
                    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
                        return Err("no D-Bus session (DBUS_SESSION_BUS_ADDRESS unset)".into());
                    }
                }
                let store = os_keyring()?;
                // Probe once: a reachable but locked or absent Secret Service fails here.
                match store
                    .build(SERVICE, "probe", None)
                    .and_then(|e| e.get_password())
                {
                    Ok(_) | Err(keyring_core::Error::NoEntry) => Ok(store),
                    Err(e) => Err(e.to_string()),
                }
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Which backend new secrets go to.
    pub fn backend(&self) -> Result<SecretBackend> {
        match (self.choice, self.keyring()) {
            (BackendChoice::File, _) => Ok(SecretBackend::File),
            (_, Ok(_)) => Ok(SecretBackend::Keyring),
            (BackendChoice::Keyring, Err(why)) => Err(Error::Secret(format!(
                "HIVEMIND_SECRET_BACKEND=keyring but the OS keyring is not reachable: {why}"
            ))),
            (BackendChoice::Auto, Err(_)) => Ok(SecretBackend::File),
        }
    }

    /// Store `value` under `key`; returns the reference to keep in the state file.
    /// Call with the state lock held (the file backend is read-modify-write).
    pub fn put(&self, key: &str, value: &Secret, msg: &Messages) -> Result<SecretRef> {
        let backend = self.backend()?;
        match backend {
            SecretBackend::Keyring => {
                let store = self.keyring().map_err(Error::Secret)?;
                store
                    .build(&self.service(), key, None)
                    .and_then(|e| e.set_password(value.expose()))
                    .map_err(|e| Error::Secret(format!("saving {key} in the OS keyring: {e}")))?;
            }
            SecretBackend::File => {
                let path = self.file_path();
                let existed = path.exists();
                let mut file = self.read_file()?;
                file.secrets
                    .insert(key.to_string(), value.expose().to_string());
                self.write_file(&file)?;
                if !existed {
                    let why = match (self.choice, self.keyring()) {
                        (BackendChoice::File, _) => "HIVEMIND_SECRET_BACKEND=file".to_string(),
                        (_, Err(why)) => why.clone(),
                        (_, Ok(_)) => String::new(),
                    };
                    msg.warn(&format!(
                        "no OS keyring in use ({why}); secrets are stored in {} (mode 0600)",
                        path.display()
                    ));
                }
            }
        }
        Ok(SecretRef {
            backend,
            key: key.to_string(),
        })
    }

    /// Read a secret back.
    pub fn get(&self, r: &SecretRef) -> Result<Secret> {
        match r.backend {
            SecretBackend::Keyring => {
                let store = self.keyring().map_err(|why| {
                    Error::Secret(format!(
                        "{} is in the OS keyring, which is not reachable: {why}",
                        r.key
                    ))
                })?;
                store
                    .build(&self.service(), &r.key, None)
                    .and_then(|e| e.get_password())
                    .map(Secret::new)
                    .map_err(|e| {
                        Error::Secret(format!("reading {} from the OS keyring: {e}", r.key))
                    })
            }
            SecretBackend::File => self
                .read_file()?
                .secrets
                .remove(&r.key)
                .map(Secret::new)
                .ok_or_else(|| {
                    Error::Secret(format!(
                        "{} is missing from {}",
                        r.key,
                        self.file_path().display()
                    ))
                }),
        }
    }

    /// Read many secrets back, the file read once for all of them (a fleet's tokens).
    pub fn get_many(&self, refs: &[&SecretRef]) -> Vec<Result<Secret>> {
        let mut file: Option<Result<SecretsFile>> = None;
        refs.iter()
            .map(|r| match r.backend {
                SecretBackend::Keyring => self.get(r),
                SecretBackend::File => {
                    let loaded = file.get_or_insert_with(|| self.read_file());
                    match loaded {
                        Ok(f) => f
                            .secrets
                            .get(&r.key)
                            .cloned()
                            .map(Secret::new)
                            .ok_or_else(|| {
                                Error::Secret(format!(
                                    "{} is missing from {}",
                                    r.key,
                                    self.file_path().display()
                                ))
                            }),
                        Err(e) => Err(Error::Secret(e.to_string())),
                    }
                }
            })
            .collect()
    }

    /// Delete a secret; a missing one is not an error.
    pub fn delete(&self, r: &SecretRef) -> Result<()> {
        match r.backend {
            SecretBackend::Keyring => {
                let store = self.keyring().map_err(Error::Secret)?;
                match store
                    .build(&self.service(), &r.key, None)
                    .and_then(|e| e.delete_credential())
                {
                    Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                    Err(e) => Err(Error::Secret(format!(
                        "deleting {} from the OS keyring: {e}",
                        r.key
                    ))),
                }
            }
            SecretBackend::File => {
                let mut file = self.read_file()?;
                if file.secrets.remove(&r.key).is_some() {
                    self.write_file(&file)?;
                }
                Ok(())
            }
        }
    }

    fn read_file(&self) -> Result<SecretsFile> {
        let path = self.file_path();
        match read_input(&path, Input::SECRETS)? {
            None => Ok(SecretsFile::default()),
            // The parse error never quotes the file's content: it may hold secret values.
            // The parser's message is withheld: serde quotes offending values, which here
            // would be secrets. The position is enough to find the problem. The limits'
            // messages quote nothing.
            Some(text) => text
                .and_then(|text| input::toml(&text, Input::SECRETS))
                .map_err(|e| Error::Parse {
                    kind: "secrets file",
                    path,
                    detail: match (e.is_limit(), e.position()) {
                        (true, _) => e.to_string(),
                        (false, Some((line, col))) => format!(
                            "not valid TOML for a secrets file at line {line}, column {col}"
                        ),
                        (false, None) => "not valid TOML for a secrets file".into(),
                    },
                }),
        }
    }

    fn write_file(&self, file: &SecretsFile) -> Result<()> {
        let text = toml::to_string(file).map_err(|e| Error::caused("serialising secrets", e))?;
        write_atomic(&self.file_path(), text.as_bytes())
    }
}

/// The desktop's keyring: the Secret Service over D-Bus (GNOME Keyring, KWallet), in builds
/// with the `secret-service` feature.
#[cfg(feature = "secret-service")]
fn os_keyring() -> std::result::Result<Arc<keyring_core::CredentialStore>, String> {
    let store: Arc<keyring_core::CredentialStore> =
        zbus_secret_service_keyring_store::Store::new().map_err(|e| e.to_string())?;
    Ok(store)
}

/// Without the `secret-service` feature there is no OS keyring to reach: secrets go to the
/// private file, and `HIVEMIND_SECRET_BACKEND=keyring` says how to get one.
#[cfg(not(feature = "secret-service"))]
fn os_keyring() -> std::result::Result<Arc<keyring_core::CredentialStore>, String> {
    Err("this build has no Secret Service support (build with `--features secret-service`)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_backend_round_trip_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::new(dir.path(), BackendChoice::File);
        let msg = Messages::silent();
        let r = store
            .put(
                "channel.slack.webhook_url",
                &Secret::new("https://x/y"),
                &msg,
            )
            .unwrap();
        assert_eq!(r.backend, SecretBackend::File);
        assert_eq!(store.get(&r).unwrap().expose(), "https://x/y");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.file_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        store.delete(&r).unwrap();
        assert!(store.get(&r).is_err());
    }

    #[test]
    fn keyring_backend_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mock: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
        let store = SecretStore::with_keyring(dir.path(), mock);
        let msg = Messages::silent();
        let r = store
            .put(
                "channel.pagerduty.routing_key",
                &Secret::new("R0UT1NG"),
                &msg,
            )
            .unwrap();
        assert_eq!(r.backend, SecretBackend::Keyring);
        assert_eq!(store.get(&r).unwrap().expose(), "R0UT1NG");
        assert!(
            !store.file_path().exists(),
            "keyring secrets never touch the file"
        );
        store.delete(&r).unwrap();
        assert!(store.get(&r).is_err());
    }

    #[test]
    fn corrupt_secrets_file_error_does_not_leak_values() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::new(dir.path(), BackendChoice::File);
        std::fs::write(
            store.file_path(),
            "[secrets]\nk = \"hunter2\"\nbroken hunter2",
        )
        .unwrap();
        let err = store
            .get(&SecretRef {
                backend: SecretBackend::File,
                key: "k".into(),
            })
            .unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(err.to_string().contains("line 3"), "{err}");
    }
}
