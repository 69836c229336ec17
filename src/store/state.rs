//! The state file (`state.toml` in the data directory): configuration, rules and channels.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::fs::{LockGuard, read_input, write_atomic};
use crate::error::{Error, Result};
use crate::model::input::{self, Input};
use crate::model::{
    AlertRule, AutoHealingConfig, Channel, Check, GrafanaConfig, KibanaConfig, LoggingConfig,
    MetricsConfig, SecretRef, TracingConfig, validate,
};

/// The state file's schema version.
pub const STATE_VERSION: u32 = 1;

/// Everything the agent (or embedded mode) is configured with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub version: u32,
    #[serde(default)]
    pub metrics: MetricsConfig,
    #[serde(default)]
    pub auto_healing: AutoHealingConfig,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<AlertRule>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub channels: BTreeMap<String, Channel<SecretRef>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// The agent's own trace export (`configure-tracing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<TracingConfig<SecretRef>>,
    /// The agent's log shipping (`configure-logging`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<LoggingConfig<SecretRef>>,
    /// Where dashboards were imported (`import-dashboards`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub grafana: GrafanaConfig,
    /// Where the Kibana saved objects were imported (`import-dashboards --target kibana`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub kibana: KibanaConfig,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl Default for State {
    fn default() -> Self {
        State {
            version: STATE_VERSION,
            metrics: MetricsConfig::default(),
            auto_healing: AutoHealingConfig::default(),
            rules: Vec::new(),
            channels: BTreeMap::new(),
            checks: Vec::new(),
            tracing: None,
            logging: None,
            grafana: GrafanaConfig::default(),
            kibana: KibanaConfig::default(),
        }
    }
}

impl State {
    /// Check what serde cannot: versions, names, uniqueness, value ranges.
    fn check(&self) -> std::result::Result<(), String> {
        if self.version != STATE_VERSION {
            return Err(format!(
                "version {} is not supported by this hivemind (it reads version {STATE_VERSION})",
                self.version
            ));
        }
        validate::http_path(&self.metrics.path)
            .map_err(|a| format!("metrics.path: expected {a}"))?;
        if self.metrics.port == 0 {
            return Err("metrics.port: expected a port number from 1 to 65535".into());
        }
        let mut seen = HashSet::new();
        for (i, rule) in self.rules.iter().enumerate() {
            rule.validate(|f| format!("rules[{i}].{f}"))
                .map_err(|e| e.to_string())?;
            if !seen.insert(rule.name.as_str()) {
                return Err(format!("rules[{i}]: duplicate rule name '{}'", rule.name));
            }
        }
        let mut seen = HashSet::new();
        for (i, check) in self.checks.iter().enumerate() {
            check.validate().map_err(|e| format!("checks[{i}]: {e}"))?;
            if !seen.insert(check.name.as_str()) {
                return Err(format!(
                    "checks[{i}]: duplicate check name '{}'",
                    check.name
                ));
            }
        }
        for name in self.channels.keys() {
            validate::object_name(name).map_err(|a| format!("channels.{name}: expected {a}"))?;
        }
        if let Some(t) = &self.tracing {
            validate::http_url(&t.endpoint)
                .map_err(|a| format!("tracing.endpoint: expected {a}"))?;
            crate::model::telemetry::sample_ratio(t.sample_ratio)
                .map_err(|a| format!("tracing.sample_ratio: expected {a}"))?;
            for name in t.headers.keys() {
                crate::model::telemetry::header_name(name)
                    .map_err(|a| format!("tracing.headers.{name}: expected {a}"))?;
            }
        }
        if let Some(l) = &self.logging {
            validate::http_url(&l.endpoint)
                .map_err(|a| format!("logging.endpoint: expected {a}"))?;
            crate::model::telemetry::index_name(&l.index)
                .map_err(|a| format!("logging.index: expected {a}"))?;
            l.sources.validate().map_err(|(field, value, allowed)| {
                format!("logging.sources ({field} {value}): expected {allowed}")
            })?;
        }
        if let Some(u) = &self.grafana.url {
            validate::http_url(u).map_err(|a| format!("grafana.url: expected {a}"))?;
        }
        if let Some(u) = &self.kibana.url {
            validate::http_url(u).map_err(|a| format!("kibana.url: expected {a}"))?;
        }
        Ok(())
    }
}

/// The state store rooted at a data directory.
#[derive(Debug, Clone)]
pub struct StateStore {
    dir: PathBuf,
}

impl StateStore {
    /// A store over `dir`; nothing is touched until it is read or written.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        StateStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.join("state.toml")
    }

    pub fn lock_path(&self) -> PathBuf {
        self.dir.join("state.lock")
    }

    /// Take the store's write lock (held until the guard drops).
    pub fn lock(&self) -> Result<LockGuard> {
        LockGuard::acquire(&self.lock_path())
    }

    /// Read the state; a missing file is the default state. A corrupt file is an error that
    /// names the file, line and column, and is never overwritten.
    pub fn load(&self) -> Result<State> {
        let path = self.state_path();
        let Some(text) = read_input(&path, Input::STATE)? else {
            return Ok(State::default());
        };
        let state: State = text
            .and_then(|text| input::toml(&text, Input::STATE))
            .map_err(|e| Error::Parse {
                kind: "state",
                path: path.clone(),
                detail: format!("{e} (fix or move the file; hivemind will not overwrite it)"),
            })?;
        state.check().map_err(|detail| Error::Parse {
            kind: "state",
            path,
            detail,
        })?;
        Ok(state)
    }

    /// Read-modify-write under the lock. `change` sees the current state; if it fails,
    /// nothing is written.
    pub fn update<T>(&self, change: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        let _guard = self.lock()?;
        let mut state = self.load()?;
        let out = change(&mut state)?;
        self.save_locked(&state)?;
        Ok(out)
    }

    /// Write the state; the caller holds [`StateStore::lock`].
    pub fn save_locked(&self, state: &State) -> Result<()> {
        state
            .check()
            .map_err(|d| Error::Other(format!("refusing to write an invalid state: {d}")))?;
        let text =
            toml::to_string_pretty(state).map_err(|e| Error::caused("serialising state", e))?;
        let body = format!(
            "# hivemind state; edit with `hivemind` commands (hand edits are validated on load)\n{text}"
        );
        // Never write a state that the next load would refuse.
        input::check_size(body.len(), Input::STATE)
            .map_err(|e| Error::Conflict(format!("refusing to write the state: {e}")))?;
        write_atomic(&self.state_path(), body.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rule::Threshold;
    use crate::model::{Comparison, PromDuration, Severity};

    fn rule(name: &str) -> AlertRule {
        AlertRule::from_threshold(
            name.into(),
            Threshold {
                metric: "hivemind_node_cpu_usage".into(),
                comparison: Comparison::Gt,
                threshold: 90.0,
                matchers: vec![],
            },
            PromDuration::from_secs(300),
            Severity::Warning,
            "d".into(),
        )
    }

    #[test]
    fn round_trip_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path().join("data"));
        assert_eq!(store.load().unwrap(), State::default());
        store
            .update(|s| {
                s.rules.push(rule("a"));
                Ok(())
            })
            .unwrap();
        let loaded = store.load().unwrap();
        assert_eq!(loaded.rules, vec![rule("a")]);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.state_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn corrupt_file_is_reported_with_position_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path());
        let bad = "version = 1\n[metrics]\nprot = 9090\n";
        std::fs::write(store.state_path(), bad).unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("prot"), "{err}");
        assert!(store.update(|_| Ok(())).is_err());
        assert_eq!(std::fs::read_to_string(store.state_path()).unwrap(), bad);
    }

    #[test]
    fn failed_change_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path());
        let r: Result<()> = store.update(|s| {
            s.rules.push(rule("x"));
            Err(Error::Usage("no".into()))
        });
        assert!(r.is_err());
        assert!(!store.state_path().exists());
    }
}
