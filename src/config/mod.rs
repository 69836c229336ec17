//! Configuration as code: the YAML file `hivemind config export` writes and `config apply`
//! reads ([`ConfigFile`]), the secret references in it ([`SecretSource`]), its validation, and
//! the plan that makes an agent's state match it ([`plan`], [`apply`]).
//!
//! The file holds what an agent is configured with: the metrics endpoint, the auto-healing
//! policy, alert rules, alert channels, checks, tracing and logging, each in the form the
//! state file keeps it (the model's own serde types, so a field added there is a field of the
//! file). Secrets are never in the file: each secret field holds a reference
//! (`{env: VARIABLE}` or `{file: PATH}`) that the CLI resolves when it applies the file.

pub mod diff;
pub mod plan;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::input::{self, Input};
use crate::model::{
    AlertRule, AutoHealingConfig, AutoHealingPatch, Channel, Check, LoggingConfig, MetricsConfig,
    MetricsPatch, Secret, TracingConfig, telemetry, validate,
};

pub use plan::{Action, ApplyReport, Kind, PlanChange, apply, plan};

/// The version of the file's format.
pub const CONFIG_VERSION: u32 = 1;

/// A configuration file: at most 4 MiB (10 000 rules fit), depth and anchors limited like
/// every YAML input.
pub const CONFIG_FILE: Input = Input::new("configuration file", 4 * 1024 * 1024);

/// The configuration of a hivemind agent, as `hivemind config export` writes it and
/// `hivemind config apply -f FILE` reads it.
// `S` is how secret fields are held: [`SecretSource`] in the file, the value itself on its
// way to the agent, `<secret>` when an agent shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(deserialize = "S: Deserialize<'de>", serialize = "S: Serialize"))]
pub struct ConfigFile<S> {
    /// The format's version: 1.
    pub version: u32,
    /// Where the agent serves Prometheus metrics (left as it is when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<MetricsConfig>,
    /// The restart budget of auto-healing (left as it is when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_healing: Option<AutoHealingConfig>,
    /// Alert rules, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<AlertRule>,
    /// Alert channels, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub channels: BTreeMap<String, Channel<S>>,
    /// Health checks, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// The agent's trace export (left as it is when absent, removed with `--prune`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<TracingConfig<S>>,
    /// The agent's log shipping (left as it is when absent, removed with `--prune`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<LoggingConfig<S>>,
}

/// Where the value of a secret field comes from when the file is applied. Written
/// `{env: VARIABLE}` (the CLI's environment) or `{file: PATH}` (a file's content, one
/// trailing newline dropped). A literal value is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    Env(String),
    File(PathBuf),
}

/// How the reference syntax is shown in errors.
pub const REFERENCE_SYNTAX: &str = "a secret reference, {env: VARIABLE} or {file: /path/to/file}; secret values never go in the file";

impl Serialize for SecretSource {
    fn serialize<Ser: serde::Serializer>(
        &self,
        s: Ser,
    ) -> std::result::Result<Ser::Ok, Ser::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        match self {
            SecretSource::Env(v) => m.serialize_entry("env", v)?,
            SecretSource::File(p) => m.serialize_entry("file", p)?,
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for SecretSource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SecretSource;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(REFERENCE_SYNTAX)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<SecretSource, A::Error> {
                use serde::de::Error as _;
                let Some(key) = map.next_key::<String>()? else {
                    return Err(A::Error::custom(format!("expected {REFERENCE_SYNTAX}")));
                };
                let value: String = map.next_value()?;
                if map.next_key::<String>()?.is_some() {
                    return Err(A::Error::custom(format!(
                        "expected one key in {REFERENCE_SYNTAX}"
                    )));
                }
                match key.as_str() {
                    "env" => env_name(&value)
                        .map(SecretSource::Env)
                        .map_err(|a| A::Error::custom(format!("env: expected {a}"))),
                    "file" if !value.is_empty() && !value.contains('\0') => {
                        Ok(SecretSource::File(PathBuf::from(value)))
                    }
                    "file" => Err(A::Error::custom("file: expected a file path")),
                    other => Err(A::Error::custom(format!(
                        "unknown reference '{other}': expected {REFERENCE_SYNTAX}"
                    ))),
                }
            }
            fn visit_str<E: serde::de::Error>(
                self,
                _: &str,
            ) -> std::result::Result<SecretSource, E> {
                Err(E::custom(format!(
                    "a literal secret value is not accepted: write {REFERENCE_SYNTAX}"
                )))
            }
            fn visit_i64<E: serde::de::Error>(
                self,
                _: i64,
            ) -> std::result::Result<SecretSource, E> {
                self.visit_str("")
            }
            fn visit_u64<E: serde::de::Error>(
                self,
                _: u64,
            ) -> std::result::Result<SecretSource, E> {
                self.visit_str("")
            }
            fn visit_f64<E: serde::de::Error>(
                self,
                _: f64,
            ) -> std::result::Result<SecretSource, E> {
                self.visit_str("")
            }
            fn visit_bool<E: serde::de::Error>(
                self,
                _: bool,
            ) -> std::result::Result<SecretSource, E> {
                self.visit_str("")
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for SecretSource {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SecretReference".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Where a secret's value comes from when the file is applied; never the value itself",
            "oneOf": [
                {
                    "type": "object",
                    "properties": {"env": {
                        "description": "An environment variable of the command that applies the file",
                        "type": "string",
                        "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"
                    }},
                    "required": ["env"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": {"file": {
                        "description": "A file whose content is the secret (one trailing newline dropped)",
                        "type": "string",
                        "minLength": 1
                    }},
                    "required": ["file"],
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// The JSON Schema of the file, from the types above (committed as
/// `schemas/hivemind-config.schema.json`; a test fails when it is stale).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ConfigFile<SecretSource>);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// An environment variable name: letters, digits and `_`, not starting with a digit.
pub fn env_name(text: &str) -> std::result::Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 256
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(text.to_string())
    } else {
        Err("an environment variable name of letters, digits and _, e.g. SLACK_WEBHOOK_URL".into())
    }
}

/// The largest secret read from a `{file: …}` reference.
const MAX_SECRET_FILE: u64 = 64 * 1024;

impl SecretSource {
    /// The environment variable `config export` names for the secret at `path`
    /// (`channels.ops.webhook_url` → `HIVEMIND_SECRET_CHANNELS_OPS_WEBHOOK_URL`).
    pub fn for_path(path: &str) -> SecretSource {
        let name: String = path
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        SecretSource::Env(format!("HIVEMIND_SECRET_{name}"))
    }

    /// The value, from the environment or the file; `path` names the field in errors.
    pub fn resolve(&self, path: &str) -> Result<Secret> {
        match self {
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(v) if !v.is_empty() => Ok(Secret::new(v)),
                _ => Err(Error::Usage(format!(
                    "{path}: the environment variable {name} is not set (it holds this secret)"
                ))),
            },
            SecretSource::File(file) => {
                use std::io::Read;
                let f = std::fs::File::open(file)
                    .map_err(|e| Error::io(format!("{path}: reading {}", file.display()), e))?;
                let mut text = String::new();
                f.take(MAX_SECRET_FILE + 1)
                    .read_to_string(&mut text)
                    .map_err(|e| Error::io(format!("{path}: reading {}", file.display()), e))?;
                if text.len() as u64 > MAX_SECRET_FILE {
                    return Err(Error::Usage(format!(
                        "{path}: {} is larger than 64 KiB",
                        file.display()
                    )));
                }
                let value = text.strip_suffix('\n').unwrap_or(&text);
                let value = value.strip_suffix('\r').unwrap_or(value);
                if value.is_empty() {
                    return Err(Error::Usage(format!("{path}: {} is empty", file.display())));
                }
                Ok(Secret::new(value))
            }
        }
    }
}

impl<S> ConfigFile<S> {
    /// An empty file of the current version.
    pub fn empty() -> Self {
        ConfigFile {
            version: CONFIG_VERSION,
            metrics: None,
            auto_healing: None,
            rules: Vec::new(),
            channels: BTreeMap::new(),
            checks: Vec::new(),
            tracing: None,
            logging: None,
        }
    }

    /// Convert every secret field, named by its path in the file
    /// (`channels.ops.webhook_url`, `tracing.headers.Authorization`, `logging.password`);
    /// stops at the first error.
    pub fn try_map_secrets<T, E>(
        self,
        mut f: impl FnMut(&str, S) -> std::result::Result<T, E>,
    ) -> std::result::Result<ConfigFile<T>, E> {
        let mut channels = BTreeMap::new();
        for (name, c) in self.channels {
            let mapped = c.try_map_secrets(|field, s| f(&format!("channels.{name}.{field}"), s))?;
            channels.insert(name, mapped);
        }
        Ok(ConfigFile {
            version: self.version,
            metrics: self.metrics,
            auto_healing: self.auto_healing,
            rules: self.rules,
            channels,
            checks: self.checks,
            tracing: self.tracing.map(|t| map_tracing(t, &mut f)).transpose()?,
            logging: self.logging.map(|l| map_logging(l, &mut f)).transpose()?,
        })
    }

    /// Check everything but the secrets' values, and normalise what has one canonical form
    /// (the tracing endpoint). The same checks run on the agent, which also checks the values.
    pub fn validate(&mut self) -> Result<()> {
        if self.version != CONFIG_VERSION {
            return Err(Error::invalid(
                "version",
                &self.version.to_string(),
                format!("{CONFIG_VERSION}, the version this hivemind reads"),
            ));
        }
        if let Some(m) = &self.metrics {
            let patch = MetricsPatch::whole(m);
            patch.validate().map_err(|e| e.context("metrics"))?;
        }
        if let Some(a) = &self.auto_healing {
            let patch = AutoHealingPatch {
                enabled: Some(a.enabled),
                max_restarts: Some(a.max_restarts),
                restart_interval: Some(a.restart_interval),
            };
            patch.validate().map_err(|e| e.context("auto_healing"))?;
        }
        let regexes: usize = self.rules.iter().map(AlertRule::regex_matchers).sum();
        if regexes > crate::model::rule::MAX_REGEX_MATCHERS {
            return Err(Error::invalid(
                "rules",
                &format!("{regexes} regular-expression matchers"),
                format!(
                    "at most {} regular-expression label matchers in one file",
                    crate::model::rule::MAX_REGEX_MATCHERS
                ),
            ));
        }
        let mut seen = HashSet::new();
        for (i, rule) in self.rules.iter().enumerate() {
            rule.validate(|f| format!("rules[{i}] ({}).{f}", rule.name))?;
            if !seen.insert(rule.name.as_str()) {
                return Err(Error::Usage(format!(
                    "rules[{i}]: the rule name '{}' is given twice",
                    rule.name
                )));
            }
        }
        let mut seen = HashSet::new();
        for (i, check) in self.checks.iter().enumerate() {
            check
                .validate()
                .map_err(|e| e.context(format!("checks[{i}] ({})", check.name)))?;
            if !seen.insert(check.name.as_str()) {
                return Err(Error::Usage(format!(
                    "checks[{i}]: the check name '{}' is given twice",
                    check.name
                )));
            }
        }
        for (name, channel) in &self.channels {
            validate::object_name(name).map_err(|a| Error::invalid("channels", name, a))?;
            channel
                .validate(|_, _| Ok(()))
                .map_err(|e| e.context(format!("channels.{name}")))?;
        }
        if let Some(t) = &mut self.tracing {
            if t.service_name.is_empty()
                || t.service_name.len() > 128
                || t.service_name.chars().any(char::is_control)
            {
                return Err(Error::invalid(
                    "tracing.service_name",
                    &t.service_name,
                    "a name of 1 to 128 characters without control characters",
                ));
            }
            t.endpoint = telemetry::normalize_otlp_endpoint(&t.endpoint)
                .map_err(|e| e.context("tracing.endpoint"))?
                .0;
            telemetry::sample_ratio(t.sample_ratio).map_err(|a| {
                Error::invalid("tracing.sample_ratio", &t.sample_ratio.to_string(), a)
            })?;
            for name in t.headers.keys() {
                telemetry::header_name(name)
                    .map_err(|a| Error::invalid("tracing.headers", name, a))?;
            }
        }
        if let Some(l) = &self.logging {
            validate::http_url(&l.endpoint)
                .map_err(|a| Error::invalid("logging.endpoint", &l.endpoint, a))?;
            telemetry::index_name(&l.index)
                .map_err(|a| Error::invalid("logging.index", &l.index, a))?;
            if let Some(u) = &l.username
                && (u.is_empty() || u.len() > 256 || u.chars().any(char::is_control))
            {
                return Err(Error::invalid(
                    "logging.username",
                    u,
                    "a user name of 1 to 256 characters without control characters",
                ));
            }
        }
        Ok(())
    }
}

impl ConfigFile<Secret> {
    /// Check the secrets' values (after [`ConfigFile::validate`]).
    pub fn validate_secrets(&self) -> Result<()> {
        for (name, channel) in &self.channels {
            channel
                .validate(|field, secret| {
                    crate::model::channel::check_secret(field, secret.expose())
                })
                .map_err(|e| e.context(format!("channels.{name}")))?;
        }
        let bad = |path: String, allowed: String| Error::Invalid {
            field: path,
            value: crate::model::secret::REDACTED.into(),
            allowed,
        };
        if let Some(t) = &self.tracing {
            for (name, value) in &t.headers {
                telemetry::header_value(value.expose())
                    .map_err(|a| bad(format!("tracing.headers.{name}"), a))?;
            }
        }
        if let Some(l) = &self.logging {
            for (field, value) in [("password", &l.password), ("api_key", &l.api_key)] {
                if let Some(v) = value {
                    telemetry::header_value(v.expose())
                        .map_err(|a| bad(format!("logging.{field}"), a))?;
                }
            }
        }
        Ok(())
    }
}

fn map_tracing<S, T, E>(
    t: TracingConfig<S>,
    f: &mut impl FnMut(&str, S) -> std::result::Result<T, E>,
) -> std::result::Result<TracingConfig<T>, E> {
    let mut headers = BTreeMap::new();
    for (name, value) in t.headers {
        let mapped = f(&format!("tracing.headers.{name}"), value)?;
        headers.insert(name, mapped);
    }
    Ok(TracingConfig {
        enabled: t.enabled,
        service_name: t.service_name,
        endpoint: t.endpoint,
        sample_ratio: t.sample_ratio,
        headers,
    })
}

fn map_logging<S, T, E>(
    l: LoggingConfig<S>,
    f: &mut impl FnMut(&str, S) -> std::result::Result<T, E>,
) -> std::result::Result<LoggingConfig<T>, E> {
    Ok(LoggingConfig {
        enabled: l.enabled,
        endpoint: l.endpoint,
        index: l.index,
        level: l.level,
        username: l.username,
        password: l.password.map(|p| f("logging.password", p)).transpose()?,
        api_key: l.api_key.map(|k| f("logging.api_key", k)).transpose()?,
        sources: l.sources,
    })
}

/// Read a configuration file's text: the input limits first, then the types (unknown keys
/// refused), then [`ConfigFile::validate`]. Errors name the line and column where the parser
/// gives one.
pub fn parse(text: &str) -> Result<ConfigFile<SecretSource>> {
    // Secret fields inside channels are read by serde through a buffer that loses their
    // position: literal values are found first, by path, and located in the text.
    let tree: yaml_serde::Value = one_document(text)?;
    if let Some(path) = literal_secret(&tree) {
        let (line, column) = locate(text, &path);
        return Err(Error::Usage(format!(
            "{}: a literal secret value is not accepted: write {REFERENCE_SYNTAX} at line {line} column {column}",
            path.join(".")
        )));
    }
    let mut file: ConfigFile<SecretSource> = one_document(text)?;
    file.validate()?;
    Ok(file)
}

/// The one YAML document of `text`, through the input gate (size, depth, no anchors).
fn one_document<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    let mut docs =
        input::yaml_documents(text, CONFIG_FILE).map_err(|e| Error::Usage(e.to_string()))?;
    let Some(doc) = docs.next() else {
        return Err(Error::Usage(
            "the file is empty: expected `version: 1` and the sections to apply".into(),
        ));
    };
    let value = T::deserialize(doc).map_err(|e| Error::Usage(e.to_string()))?;
    if docs.next().is_some() {
        return Err(Error::Usage(
            "more than one YAML document: a configuration file holds one".into(),
        ));
    }
    Ok(value)
}

/// The path of the first secret field that holds a plain value instead of a reference.
fn literal_secret(tree: &yaml_serde::Value) -> Option<Vec<String>> {
    use yaml_serde::Value;
    let get = |v: &Value, k: &str| v.as_mapping().and_then(|m| m.get(k)).cloned();
    let literal = |v: &Value| !matches!(v, Value::Mapping(_) | Value::Null);
    let mut candidates: Vec<(Vec<String>, Value)> = Vec::new();
    if let Some(Value::Mapping(channels)) = get(tree, "channels") {
        for (name, channel) in channels {
            let name = name.as_str().unwrap_or_default().to_string();
            for field in ["webhook_url", "smtp_password", "routing_key"] {
                if let Some(v) = get(&channel, field) {
                    candidates.push((vec!["channels".into(), name.clone(), field.into()], v));
                }
            }
        }
    }
    if let Some(Value::Mapping(headers)) = get(tree, "tracing").and_then(|t| get(&t, "headers")) {
        for (name, v) in headers {
            let name = name.as_str().unwrap_or_default().to_string();
            candidates.push((vec!["tracing".into(), "headers".into(), name], v));
        }
    }
    if let Some(logging) = get(tree, "logging") {
        for field in ["password", "api_key"] {
            if let Some(v) = get(&logging, field) {
                candidates.push((vec!["logging".into(), field.into()], v));
            }
        }
    }
    candidates
        .into_iter()
        .find(|(_, v)| literal(v))
        .map(|(path, _)| path)
}

/// Where the last key of `path` is written, found by looking for each key in turn after the
/// previous one (1-based line and column; the start of the file when not found).
fn locate(text: &str, path: &[String]) -> (usize, usize) {
    let mut at = 0;
    for key in path {
        let mut from = at;
        let found = loop {
            let Some(i) = text.get(from..).and_then(|t| t.find(key.as_str())) else {
                break None;
            };
            let start = from + i;
            let end = start + key.len();
            let before_ok = start == 0
                || text[..start].ends_with(|c: char| c.is_whitespace() || "{,-\"'".contains(c));
            let after = text[end..].trim_start_matches(['"', '\'']);
            if before_ok && after.starts_with(':') {
                break Some(start);
            }
            from = end;
        };
        match found {
            Some(i) => at = i,
            None => return (1, 1),
        }
    }
    input::line_col(text.as_bytes(), at)
}

/// The file's text as `config export` writes it.
pub fn to_yaml(file: &ConfigFile<SecretSource>) -> Result<String> {
    let body = yaml_serde::to_string(file).map_err(|e| Error::caused("encoding YAML", e))?;
    Ok(format!("{HEADER}{body}"))
}

/// The first line of an exported file.
pub const HEADER: &str = "# hivemind configuration: `hivemind config apply -f FILE`\n";

#[cfg(test)]
mod tests;
