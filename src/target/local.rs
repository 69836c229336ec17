//! The operations behind every configuration command, over the local state store. The CLI's
//! embedded mode calls these directly; the agent will serve the same functions over its API,
//! so local and remote behave the same.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::config::{ApplyReport, ConfigFile};
use crate::error::{Error, Result};
use crate::messages::Messages;
use crate::model::Secret;
use crate::model::telemetry::{self, EndpointNote};
use crate::model::{
    AlertRule, AutoHealingConfig, AutoHealingPatch, Channel, ChannelSpec, GrafanaConfig,
    KibanaConfig, LoggingConfig, LoggingPatch, MetricsConfig, MetricsPatch, Redacted, SecretRef,
    TracingConfig, TracingPatch, channel, validate,
};
use crate::model::{Check, Probe};
use crate::store::{SecretStore, State, StateStore};

/// What a write did to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Created,
    Replaced,
    Updated,
    Deleted,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Replaced => "replaced",
            Change::Updated => "updated",
            Change::Deleted => "deleted",
        }
    }
}

/// A channel as shown: its name, settings, and `<secret>` in place of every secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelView {
    pub name: String,
    #[serde(flatten)]
    pub channel: Channel<Redacted>,
}

/// The local core: state and secrets under one data directory.
pub struct Local {
    pub store: StateStore,
    pub secrets: SecretStore,
}

impl Local {
    pub fn new(store: StateStore, secrets: SecretStore) -> Self {
        Local { store, secrets }
    }

    /// The state and secrets of `data_dir`, secrets in the backend the environment chooses.
    pub fn open(data_dir: &std::path::Path) -> Result<Self> {
        Ok(Local::new(
            StateStore::new(data_dir),
            SecretStore::new(data_dir, crate::store::BackendChoice::from_env()?),
        ))
    }

    pub fn state(&self) -> Result<State> {
        self.store.load()
    }

    /// Apply a metrics patch. `apply` runs with the new configuration before it is saved (the
    /// agent rebinds its listener there); if it fails, nothing is saved.
    pub fn configure_metrics(
        &self,
        patch: &MetricsPatch,
        apply: impl FnOnce(&MetricsConfig) -> Result<()>,
    ) -> Result<MetricsConfig> {
        patch.validate()?;
        self.store.update(|s| {
            patch.apply(&mut s.metrics);
            apply(&s.metrics)?;
            Ok(s.metrics.clone())
        })
    }

    pub fn configure_auto_healing(&self, patch: &AutoHealingPatch) -> Result<AutoHealingConfig> {
        patch.validate()?;
        self.store.update(|s| {
            patch.apply(&mut s.auto_healing);
            Ok(s.auto_healing.clone())
        })
    }

    /// Create rules as one transaction: all are validated and checked for clashes first; if
    /// any fails, none is written.
    pub fn create_rules(
        &self,
        rules: Vec<AlertRule>,
        replace: bool,
    ) -> Result<Vec<(Change, AlertRule)>> {
        let regexes: usize = rules.iter().map(AlertRule::regex_matchers).sum();
        if regexes > crate::model::rule::MAX_REGEX_MATCHERS {
            return Err(Error::invalid(
                "rules",
                &format!("{regexes} regular-expression matchers"),
                format!(
                    "at most {} regular-expression label matchers in one request or file",
                    crate::model::rule::MAX_REGEX_MATCHERS
                ),
            ));
        }
        let mut names = HashSet::new();
        for (i, rule) in rules.iter().enumerate() {
            let field = |f: &str| {
                if rules.len() == 1 {
                    f.to_string()
                } else {
                    format!("rule {}: {f}", i + 1)
                }
            };
            rule.validate(field)?;
            crate::alerting::rules::check_fields(rule)
                .map_err(|(f, v, a)| Error::invalid(field(&f), &v, a))?;
            if !names.insert(rule.name.clone()) {
                return Err(Error::Usage(format!(
                    "alert rule '{}' is given twice",
                    rule.name
                )));
            }
        }
        self.store.update(|s| {
            let mut out = Vec::with_capacity(rules.len());
            for rule in rules {
                match s.rules.iter_mut().find(|r| r.name == rule.name) {
                    Some(_) if !replace => {
                        return Err(Error::Conflict(format!(
                            "alert rule '{}' already exists (use --replace to overwrite it)",
                            rule.name
                        )));
                    }
                    Some(existing) => {
                        *existing = rule.clone();
                        out.push((Change::Replaced, rule));
                    }
                    None => {
                        s.rules.push(rule.clone());
                        out.push((Change::Created, rule));
                    }
                }
            }
            s.rules.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(out)
        })
    }

    pub fn list_rules(&self) -> Result<Vec<AlertRule>> {
        Ok(self.store.load()?.rules)
    }

    pub fn delete_rule(&self, name: &str) -> Result<AlertRule> {
        self.store.update(|s| {
            let pos = s.rules.iter().position(|r| r.name == name).ok_or_else(|| {
                not_found("alert rule", name, s.rules.iter().map(|r| r.name.as_str()))
            })?;
            Ok(s.rules.remove(pos))
        })
    }

    /// Create or replace a channel. Secrets are stored first (keyring or file), then the
    /// state; secrets the old version had and the new one does not are removed last.
    pub fn configure_channel(
        &self,
        name: &str,
        spec: ChannelSpec,
        msg: &Messages,
    ) -> Result<(Change, ChannelView)> {
        validate::object_name(name).map_err(|a| Error::invalid("name", name, a))?;
        spec.validate(|field, secret| channel::check_secret(field, secret.expose()))?;
        let _guard = self.store.lock()?;
        let mut state = self.store.load()?;
        let stored = spec.try_map_secrets(|field, secret| {
            self.secrets
                .put(&format!("channel.{name}.{field}"), &secret, msg)
        })?;
        let view = ChannelView {
            name: name.to_string(),
            channel: stored.redacted(),
        };
        let old = state.channels.insert(name.to_string(), stored.clone());
        self.store.save_locked(&state)?;
        let change = if old.is_some() {
            Change::Replaced
        } else {
            Change::Created
        };
        if let Some(old) = old {
            let keep: Vec<&SecretRef> = stored.secrets().into_iter().map(|(_, r)| r).collect();
            for (_, r) in old.secrets() {
                if !keep.contains(&r) {
                    self.secrets.delete(r)?;
                }
            }
        }
        Ok((change, view))
    }

    /// Create a check, or replace one of the same name with `replace`.
    pub fn create_check(&self, check: Check, replace: bool) -> Result<(Change, Check)> {
        check.validate()?;
        // The CA file is parsed now, whoever sent the check, so that a file that is not a
        // certificate is refused instead of failing every probe.
        if let Probe::Http {
            ca_cert: Some(path),
            ..
        }
        | Probe::Grpc {
            ca_cert: Some(path),
            ..
        } = &check.probe
        {
            let pem = std::fs::read(path)
                .map_err(|e| Error::io(format!("ca_cert {}", path.display()), e))?;
            crate::net::tls::parse_ca(&pem)
                .map_err(|a| Error::invalid("ca_cert", &path.display().to_string(), a))?;
        }
        self.store.update(|s| {
            let change = match s.checks.iter_mut().find(|c| c.name == check.name) {
                Some(_) if !replace => {
                    return Err(Error::Conflict(format!(
                        "check '{}' already exists (use --replace to overwrite it)",
                        check.name
                    )));
                }
                Some(existing) => {
                    *existing = check.clone();
                    Change::Replaced
                }
                None => {
                    s.checks.push(check.clone());
                    Change::Created
                }
            };
            s.checks.sort_by(|a, b| a.name.cmp(&b.name));
            Ok((change, check))
        })
    }

    pub fn list_checks(&self) -> Result<Vec<Check>> {
        Ok(self.store.load()?.checks)
    }

    pub fn find_check(&self, name: &str) -> Result<Check> {
        let checks = self.list_checks()?;
        checks
            .iter()
            .find(|c| c.name == name)
            .cloned()
            .ok_or_else(|| not_found("check", name, checks.iter().map(|c| c.name.as_str())))
    }

    pub fn delete_check(&self, name: &str) -> Result<Check> {
        self.store.update(|s| {
            let pos = s
                .checks
                .iter()
                .position(|c| c.name == name)
                .ok_or_else(|| {
                    not_found("check", name, s.checks.iter().map(|c| c.name.as_str()))
                })?;
            Ok(s.checks.remove(pos))
        })
    }

    /// Apply a tracing patch. Header values go to the secret store; headers replaced by the
    /// patch are deleted from it after the state is saved. The seed's Jaeger collector URL is
    /// rewritten to Jaeger's OTLP port, with a notice.
    pub fn configure_tracing(
        &self,
        patch: &TracingPatch,
        msg: &Messages,
    ) -> Result<TracingConfig<SecretRef>> {
        if let Some(e) = &patch.endpoint {
            match telemetry::normalize_otlp_endpoint(e)? {
                (url, EndpointNote::JaegerRewritten { given }) => msg.warn(&format!(
                    "{given} is Jaeger's Thrift collector endpoint, which does not take OTLP; \
                     sending OTLP/HTTP to Jaeger's OTLP port instead: {url} (Jaeger 1.35 or later; \
                     pass that URL to silence this notice)"
                )),
                (url, EndpointNote::GrpcPort) => msg.warn(&format!(
                    "port 4317 is OTLP/gRPC; hivemind sends OTLP/HTTP, usually on port {}: {url} will likely fail (check with `hivemind observability diagnose --component tracing`)",
                    telemetry::OTLP_HTTP_PORT
                )),
                (url, EndpointNote::PathAdded) => {
                    msg.debug(&format!("using the standard OTLP traces path: {url}"));
                }
                (_, EndpointNote::None) => {}
            }
        }
        if let Some(headers) = &patch.headers {
            for (name, value) in headers {
                telemetry::header_name(name).map_err(|a| Error::invalid("--header", name, a))?;
                let secret = value.clone().into_secret();
                telemetry::header_value(secret.expose()).map_err(|allowed| Error::Invalid {
                    field: format!("--header {name}"),
                    value: crate::model::secret::REDACTED.into(),
                    allowed,
                })?;
            }
        }
        let _guard = self.store.lock()?;
        let mut state = self.store.load()?;
        let old = state.tracing.clone();
        let config = patch.apply(old.as_ref(), |name, value| {
            self.secrets.put(
                &format!("tracing.header.{name}"),
                &value.clone().into_secret(),
                msg,
            )
        })?;
        state.tracing = Some(config.clone());
        self.store.save_locked(&state)?;
        if let Some(old) = old {
            for (name, r) in &old.headers {
                if config.headers.get(name) != Some(r) {
                    self.secrets.delete(r)?;
                }
            }
        }
        Ok(config)
    }

    /// Apply a logging patch; the password and API key go to the secret store.
    pub fn configure_logging(
        &self,
        patch: &LoggingPatch,
        msg: &Messages,
    ) -> Result<LoggingConfig<SecretRef>> {
        for (field, value) in [
            ("--password", &patch.password),
            ("--api-key", &patch.api_key),
        ] {
            if let Some(v) = value {
                let secret = v.clone().into_secret();
                telemetry::header_value(secret.expose()).map_err(|allowed| Error::Invalid {
                    field: field.into(),
                    value: crate::model::secret::REDACTED.into(),
                    allowed,
                })?;
            }
        }
        let _guard = self.store.lock()?;
        let mut state = self.store.load()?;
        let old = state.logging.clone();
        let config = patch.apply(old.as_ref(), |field, value| {
            self.secrets.put(
                &format!("logging.{field}"),
                &value.clone().into_secret(),
                msg,
            )
        })?;
        state.logging = Some(config.clone());
        self.store.save_locked(&state)?;
        if let Some(old) = old {
            let keep = config.secrets();
            for r in old.secrets() {
                if !keep.contains(&r) {
                    self.secrets.delete(r)?;
                }
            }
        }
        Ok(config)
    }

    /// Remember where dashboards were imported; a new token replaces the stored one.
    pub fn configure_grafana(
        &self,
        url: &str,
        folder: Option<&str>,
        token: Option<&crate::model::Secret>,
        msg: &Messages,
    ) -> Result<GrafanaConfig> {
        let _guard = self.store.lock()?;
        let mut state = self.store.load()?;
        if let Some(t) = token {
            state.grafana.token = Some(self.secrets.put("grafana.token", t, msg)?);
        }
        state.grafana.url = Some(url.to_string());
        state.grafana.folder = folder.map(str::to_string);
        self.store.save_locked(&state)?;
        Ok(state.grafana)
    }

    /// Remember the Kibana the saved objects were imported into; a new API key replaces the
    /// stored one.
    pub fn configure_kibana(
        &self,
        url: &str,
        token: Option<&crate::model::Secret>,
        msg: &Messages,
    ) -> Result<KibanaConfig> {
        let _guard = self.store.lock()?;
        let mut state = self.store.load()?;
        if let Some(t) = token {
            let old = state.kibana.token.take();
            state.kibana.token = Some(self.secrets.put("kibana.token", t, msg)?);
            if let Some(old) = old
                && Some(&old) != state.kibana.token.as_ref()
            {
                self.secrets.delete(&old)?;
            }
        }
        state.kibana.url = Some(url.to_string());
        self.store.save_locked(&state)?;
        Ok(state.kibana)
    }

    pub fn list_channels(&self) -> Result<Vec<ChannelView>> {
        Ok(self
            .store
            .load()?
            .channels
            .iter()
            .map(|(name, c)| ChannelView {
                name: name.clone(),
                channel: c.redacted(),
            })
            .collect())
    }

    pub fn delete_channel(&self, name: &str) -> Result<ChannelView> {
        let _guard = self.store.lock()?;
        let mut state = self.store.load()?;
        let names: Vec<String> = state.channels.keys().cloned().collect();
        let removed = state
            .channels
            .remove(name)
            .ok_or_else(|| not_found("alert channel", name, names.iter().map(String::as_str)))?;
        self.store.save_locked(&state)?;
        for (_, r) in removed.secrets() {
            self.secrets.delete(r)?;
        }
        Ok(ChannelView {
            name: name.to_string(),
            channel: removed.redacted(),
        })
    }
}

impl Local {
    /// The whole configuration as `config export` shows it, secrets as `<secret>`.
    pub fn export_config(&self) -> Result<ConfigFile<Redacted>> {
        let state = self.store.load()?;
        Ok(ConfigFile {
            version: crate::config::CONFIG_VERSION,
            metrics: Some(state.metrics.clone()),
            auto_healing: Some(state.auto_healing.clone()),
            rules: state.rules.clone(),
            channels: state
                .channels
                .iter()
                .map(|(n, c)| (n.clone(), c.redacted()))
                .collect(),
            checks: state.checks.clone(),
            tracing: state.tracing.as_ref().map(TracingConfig::redacted),
            logging: state.logging.as_ref().map(LoggingConfig::redacted),
        })
    }

    /// Make the state match `desired` (`config apply`): plan under the lock against the
    /// state it changes, then, unless `dry_run`, store new secrets, save the state once, and
    /// delete the secrets no longer used. `apply_metrics` runs with a changed metrics
    /// configuration before the state is saved (the agent rebinds its listener there); if it
    /// fails, nothing is saved.
    pub fn apply_config(
        &self,
        mut desired: ConfigFile<Secret>,
        prune: bool,
        dry_run: bool,
        apply_metrics: impl FnOnce(&MetricsConfig) -> Result<()>,
        msg: &Messages,
    ) -> Result<ApplyReport> {
        desired.validate()?;
        desired.validate_secrets()?;
        // CA files of checks are read where the checks run, as `create-check` does.
        for check in &desired.checks {
            if let Probe::Http {
                ca_cert: Some(path),
                ..
            }
            | Probe::Grpc {
                ca_cert: Some(path),
                ..
            } = &check.probe
            {
                let pem = std::fs::read(path).map_err(|e| {
                    Error::io(
                        format!("checks.{}.ca_cert {}", check.name, path.display()),
                        e,
                    )
                })?;
                crate::net::tls::parse_ca(&pem).map_err(|a| {
                    Error::invalid(
                        format!("checks.{}.ca_cert", check.name),
                        &path.display().to_string(),
                        a,
                    )
                })?;
            }
        }
        let _guard = self.store.lock()?;
        let mut state = self.store.load()?;
        let changes = crate::config::plan(&state, &desired, prune, &|r| self.secrets.get(r).ok())?;
        if dry_run || changes.is_empty() {
            return Ok(ApplyReport {
                dry_run,
                applied: false,
                changes,
            });
        }
        let unused = crate::config::apply(&mut state, &desired, &changes, &mut |key, value| {
            self.secrets.put(key, value, msg)
        })?;
        if changes
            .iter()
            .any(|c| c.kind == crate::config::Kind::Metrics)
        {
            apply_metrics(&state.metrics)?;
        }
        self.store.save_locked(&state)?;
        for r in &unused {
            self.secrets.delete(r)?;
        }
        Ok(ApplyReport {
            dry_run,
            applied: true,
            changes,
        })
    }
}

fn not_found<'a>(kind: &str, name: &str, known: impl Iterator<Item = &'a str>) -> Error {
    let known: Vec<&str> = known.collect();
    let hint = if known.is_empty() {
        format!("there are no {kind}s")
    } else {
        format!("known: {}", known.join(", "))
    };
    Error::NotFound(format!("no {kind} named '{name}' ({hint})"))
}
