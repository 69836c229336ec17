//! Where the agent sends its own traces and logs, and where dashboards go: the settings of
//! `configure-tracing`, `configure-logging` and `import-dashboards`, with their validation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::secret::{Redacted, SecretRef, WireSecret};
use super::validate;
use crate::error::{Error, Result};

/// The five log levels of the seed document, most severe first.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
    Debug,
    Trace,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }

    pub fn parse(text: &str) -> std::result::Result<Level, String> {
        match text {
            "error" => Ok(Level::Error),
            "warning" | "warn" => Ok(Level::Warning),
            "info" => Ok(Level::Info),
            "debug" => Ok(Level::Debug),
            "trace" => Ok(Level::Trace),
            _ => Err("one of error, warning, info, debug, trace".into()),
        }
    }

    /// Whether a record at `self` passes a threshold of `min` (error passes everything).
    pub fn passes(self, min: Level) -> bool {
        self <= min
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the agent writes its log to stderr (shipped records are always JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// `TIME LEVEL message key=value …`, for people
    Text,
    /// One JSON object per line with the seed's fields, for collectors
    Json,
}

/// The default service name on spans and log records.
pub const DEFAULT_SERVICE: &str = "hivemind";

/// OTLP trace export. `H` is how header values (credentials) are held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(deserialize = "H: Deserialize<'de>"))]
pub struct TracingConfig<H> {
    pub enabled: bool,
    pub service_name: String,
    /// The OTLP/HTTP traces URL, e.g. `http://collector:4318/v1/traces`.
    pub endpoint: String,
    /// Share of traces the agent starts that are exported, 0 to 1.
    pub sample_ratio: f64,
    /// Extra request headers (`Authorization`, tenant ids); values are secrets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, H>,
}

/// A partial update of [`TracingConfig`]. `headers`, when given, replaces every header.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracingPatch {
    pub enabled: Option<bool>,
    pub service_name: Option<String>,
    pub endpoint: Option<String>,
    pub sample_ratio: Option<f64>,
    pub headers: Option<BTreeMap<String, WireSecret>>,
}

/// Elasticsearch log shipping. `S` is how the password and API key are held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct LoggingConfig<S> {
    pub enabled: bool,
    /// The cluster's base URL, e.g. `http://elasticsearch:9200`.
    pub endpoint: String,
    pub index: String,
    /// Records below this level are not shipped.
    pub level: Level,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<S>,
    /// An Elasticsearch API key (the base64 `id:key` form sent as `Authorization: ApiKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<S>,
    /// Workload logs shipped with the agent's own (containers, files, journald).
    #[serde(default)]
    pub sources: super::log_sources::LogSources,
}

/// A partial update of [`LoggingConfig`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggingPatch {
    pub enabled: Option<bool>,
    pub endpoint: Option<String>,
    pub index: Option<String>,
    pub level: Option<Level>,
    pub username: Option<String>,
    pub password: Option<WireSecret>,
    pub api_key: Option<WireSecret>,
    #[serde(
        default,
        skip_serializing_if = "super::log_sources::SourcesPatch::is_empty"
    )]
    pub sources: super::log_sources::SourcesPatch,
}

/// Where `import-dashboards` last imported to (so `open-dashboard` can open it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrafanaConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<SecretRef>,
}

/// Where `import-dashboards --target kibana` last imported to, and its API key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KibanaConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<SecretRef>,
}

/// The Jaeger collector's Thrift-over-HTTP port, which the seed's example URL uses.
const JAEGER_THRIFT_PORT: u16 = 14268;
/// The OTLP/HTTP port.
pub const OTLP_HTTP_PORT: u16 = 4318;

/// What [`normalize_otlp_endpoint`] did to a URL, for a notice to the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointNote {
    None,
    /// `…:14268/api/traces` became `…:4318/v1/traces`.
    JaegerRewritten {
        given: String,
    },
    /// A base URL got the standard `/v1/traces` path.
    PathAdded,
    /// Port 4317 is OTLP/gRPC, which hivemind does not speak.
    GrpcPort,
}

/// Make an OTLP/HTTP traces URL of what the operator gave. The seed's Jaeger collector URL
/// (`http://jaeger:14268/api/traces`, Jaeger's Thrift endpoint, which never accepts OTLP) is
/// rewritten to Jaeger's OTLP port; a URL without a path gets `/v1/traces`.
pub fn normalize_otlp_endpoint(text: &str) -> Result<(String, EndpointNote)> {
    let mut url = validate::http_url(text).map_err(|a| Error::invalid("--endpoint", text, a))?;
    if url.port_or_known_default() == Some(JAEGER_THRIFT_PORT) && url.path() == "/api/traces" {
        let _ = url.set_port(Some(OTLP_HTTP_PORT));
        url.set_path("/v1/traces");
        return Ok((
            url.to_string(),
            EndpointNote::JaegerRewritten {
                given: text.to_string(),
            },
        ));
    }
    if url.port() == Some(4317) {
        return Ok((url.to_string(), EndpointNote::GrpcPort));
    }
    if url.path() == "/" || url.path().is_empty() {
        url.set_path("/v1/traces");
        return Ok((url.to_string(), EndpointNote::PathAdded));
    }
    Ok((url.to_string(), EndpointNote::None))
}

/// An HTTP header name (RFC 9110 token), for `--header K=V`.
pub fn header_name(text: &str) -> std::result::Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 128
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(text.to_string())
    } else {
        Err(
            "a header name of letters, digits and -_. (e.g. Authorization), at most 128 characters"
                .into(),
        )
    }
}

/// A header value: printable, one line.
pub fn header_value(text: &str) -> std::result::Result<(), String> {
    if text.is_empty() || text.len() > 8192 || text.bytes().any(|b| !(0x20..0x7f).contains(&b)) {
        return Err("a non-empty header value of printable ASCII, at most 8 KiB".into());
    }
    Ok(())
}

/// Elasticsearch index names: lower case, no `\ / * ? " < > | , #` or spaces, not starting
/// with `-`, `_` or `+`, not `.` or `..`, at most 255 bytes.
pub fn index_name(text: &str) -> std::result::Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 255
        && text != "."
        && text != ".."
        && !text.starts_with(['-', '_', '+'])
        && text.chars().all(|c| {
            !c.is_uppercase()
                && !c.is_control()
                && !c.is_whitespace()
                && !"\\/*?\"<>|,#:".contains(c)
        });
    if ok {
        Ok(text.to_string())
    } else {
        Err("an Elasticsearch index name: lower case, without spaces or \\ / * ? \" < > | , # :, not starting with - _ +, at most 255 bytes".into())
    }
}

/// Checks for a sample ratio.
pub fn sample_ratio(v: f64) -> std::result::Result<f64, String> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err("a ratio from 0 to 1, e.g. 0.1 for one trace in ten".into())
    }
}

impl TracingPatch {
    pub fn is_empty(&self) -> bool {
        self.enabled.is_none()
            && self.service_name.is_none()
            && self.endpoint.is_none()
            && self.sample_ratio.is_none()
            && self.headers.is_none()
    }

    /// Apply to the current configuration (or a first one); the endpoint is needed the first
    /// time. Header secrets are stored by `store_header` (name → reference).
    pub fn apply(
        &self,
        current: Option<&TracingConfig<SecretRef>>,
        mut store_header: impl FnMut(&str, &WireSecret) -> Result<SecretRef>,
    ) -> Result<TracingConfig<SecretRef>> {
        if let Some(name) = &self.service_name
            && (name.is_empty() || name.len() > 128 || name.chars().any(char::is_control))
        {
            return Err(Error::invalid(
                "--service-name",
                name,
                "a name of 1 to 128 characters without control characters",
            ));
        }
        if let Some(r) = self.sample_ratio {
            sample_ratio(r).map_err(|a| Error::invalid("--sample-ratio", &r.to_string(), a))?;
        }
        let endpoint = match (&self.endpoint, current) {
            (Some(e), _) => normalize_otlp_endpoint(e)?.0,
            (None, Some(c)) => c.endpoint.clone(),
            (None, None) => {
                return Err(Error::Usage(
                    "tracing is not configured yet: give --endpoint (e.g. http://collector:4318/v1/traces)"
                        .into(),
                ));
            }
        };
        // Every header is checked before `store_header` keeps any of them.
        if let Some(given) = &self.headers {
            for name in given.keys() {
                header_name(name).map_err(|a| Error::invalid("--header", name, a))?;
            }
        }
        let headers = match &self.headers {
            Some(given) => {
                let mut out = BTreeMap::new();
                for (name, value) in given {
                    out.insert(name.clone(), store_header(name, value)?);
                }
                out
            }
            None => current.map(|c| c.headers.clone()).unwrap_or_default(),
        };
        Ok(TracingConfig {
            enabled: self.enabled.unwrap_or(true),
            service_name: self
                .service_name
                .clone()
                .or_else(|| current.map(|c| c.service_name.clone()))
                .unwrap_or_else(|| DEFAULT_SERVICE.into()),
            endpoint,
            sample_ratio: self
                .sample_ratio
                .or(current.map(|c| c.sample_ratio))
                .unwrap_or(1.0),
            headers,
        })
    }
}

impl LoggingPatch {
    pub fn is_empty(&self) -> bool {
        self.enabled.is_none()
            && self.endpoint.is_none()
            && self.index.is_none()
            && self.level.is_none()
            && self.username.is_none()
            && self.password.is_none()
            && self.api_key.is_none()
            && self.sources.is_empty()
    }

    /// Apply to the current configuration; endpoint and index are needed the first time.
    /// `store` keeps a secret (`password` or `api_key`) and returns its reference.
    pub fn apply(
        &self,
        current: Option<&LoggingConfig<SecretRef>>,
        mut store: impl FnMut(&'static str, &WireSecret) -> Result<SecretRef>,
    ) -> Result<LoggingConfig<SecretRef>> {
        let endpoint = match (&self.endpoint, current) {
            (Some(e), _) => {
                let url = validate::http_url(e).map_err(|a| Error::invalid("--endpoint", e, a))?;
                url.to_string().trim_end_matches('/').to_string()
            }
            (None, Some(c)) => c.endpoint.clone(),
            (None, None) => {
                return Err(Error::Usage(
                    "logging is not configured yet: give --endpoint (e.g. http://elasticsearch:9200) and --index"
                        .into(),
                ));
            }
        };
        let index = match (&self.index, current) {
            (Some(i), _) => index_name(i).map_err(|a| Error::invalid("--index", i, a))?,
            (None, Some(c)) => c.index.clone(),
            (None, None) => {
                return Err(Error::Usage(
                    "logging is not configured yet: give --index (e.g. hivemind-logs)".into(),
                ));
            }
        };
        if let Some(u) = &self.username
            && (u.is_empty() || u.len() > 256 || u.chars().any(char::is_control))
        {
            return Err(Error::invalid(
                "--username",
                u,
                "a user name of 1 to 256 characters without control characters",
            ));
        }
        let username = self
            .username
            .clone()
            .or_else(|| current.and_then(|c| c.username.clone()));
        let sources = self
            .sources
            .apply(&current.map(|c| c.sources.clone()).unwrap_or_default())?;
        // Everything is checked before `store` keeps anything: a refused command leaves no
        // secret behind.
        let will_have_password =
            self.password.is_some() || current.is_some_and(|c| c.password.is_some());
        if will_have_password && username.is_none() {
            return Err(Error::Usage("--password needs --username".into()));
        }
        let password = match &self.password {
            Some(p) => Some(store("password", p)?),
            None => current.and_then(|c| c.password.clone()),
        };
        let api_key = match &self.api_key {
            Some(k) => Some(store("api_key", k)?),
            None => current.and_then(|c| c.api_key.clone()),
        };
        Ok(LoggingConfig {
            enabled: self.enabled.unwrap_or(true),
            endpoint,
            index,
            level: self
                .level
                .or(current.map(|c| c.level))
                .unwrap_or(Level::Info),
            username,
            password,
            api_key,
            sources,
        })
    }
}

impl TracingConfig<SecretRef> {
    pub fn redacted(&self) -> TracingConfig<Redacted> {
        TracingConfig {
            enabled: self.enabled,
            service_name: self.service_name.clone(),
            endpoint: self.endpoint.clone(),
            sample_ratio: self.sample_ratio,
            headers: self
                .headers
                .iter()
                .map(|(k, r)| (k.clone(), Redacted(Some(r.backend))))
                .collect(),
        }
    }
}

impl LoggingConfig<SecretRef> {
    pub fn redacted(&self) -> LoggingConfig<Redacted> {
        LoggingConfig {
            enabled: self.enabled,
            endpoint: self.endpoint.clone(),
            index: self.index.clone(),
            level: self.level,
            username: self.username.clone(),
            password: self.password.as_ref().map(|r| Redacted(Some(r.backend))),
            api_key: self.api_key.as_ref().map(|r| Redacted(Some(r.backend))),
            sources: self.sources.clone(),
        }
    }

    /// The secret references this configuration holds.
    pub fn secrets(&self) -> Vec<&SecretRef> {
        self.password.iter().chain(self.api_key.iter()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_patch_stores_no_secret() {
        let stored = std::cell::Cell::new(0);
        let store = |_: &str, _: &WireSecret| {
            stored.set(stored.get() + 1);
            Ok(SecretRef {
                backend: crate::model::SecretBackend::File,
                key: "k".into(),
            })
        };
        let logging: LoggingPatch = serde_json::from_value(serde_json::json!({
            "endpoint": "http://127.0.0.1:9200", "index": "logs", "password": "hunter2"
        }))
        .unwrap();
        let e = logging.apply(None, store).unwrap_err();
        assert!(e.to_string().contains("--password needs --username"), "{e}");
        let tracing: TracingPatch = serde_json::from_value(serde_json::json!({
            "endpoint": "http://127.0.0.1:4318/v1/traces",
            "headers": {"Authorization": "Bearer s3cr3t", "bad name": "x"}
        }))
        .unwrap();
        assert!(tracing.apply(None, |n, v| store(n, v)).is_err());
        assert_eq!(stored.get(), 0, "nothing stored for a refused patch");
    }

    #[test]
    fn jaeger_collector_url_becomes_otlp() {
        let (url, note) = normalize_otlp_endpoint("http://jaeger:14268/api/traces").unwrap();
        assert_eq!(url, "http://jaeger:4318/v1/traces");
        assert!(matches!(note, EndpointNote::JaegerRewritten { .. }));
        let (url, note) = normalize_otlp_endpoint("http://otel:4318").unwrap();
        assert_eq!(url, "http://otel:4318/v1/traces");
        assert_eq!(note, EndpointNote::PathAdded);
        let (url, note) =
            normalize_otlp_endpoint("https://otel.example.com/otlp/v1/traces").unwrap();
        assert_eq!(url, "https://otel.example.com/otlp/v1/traces");
        assert_eq!(note, EndpointNote::None);
        assert!(normalize_otlp_endpoint("jaeger:14268").is_err());
    }

    #[test]
    fn names_and_levels() {
        assert!(index_name("hivemind-logs").is_ok());
        assert!(index_name("Hivemind").is_err());
        assert!(index_name("_x").is_err());
        assert!(index_name("a b").is_err());
        assert!(header_name("Authorization").is_ok());
        assert!(header_name("bad header").is_err());
        assert!(Level::Error.passes(Level::Info));
        assert!(!Level::Debug.passes(Level::Info));
        assert_eq!(Level::parse("warn").unwrap(), Level::Warning);
    }
}
