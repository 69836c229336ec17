//! Every operation the CLI can ask of an agent (or of the embedded core) as a typed [`Call`],
//! its HTTP form, and the answer types both sides read and write. The daemon parses requests
//! into calls with [`Call::from_http`]; the remote client sends [`Call::to_http`]; embedded mode
//! hands the call straight to [`super::service::execute`].

use serde::{Deserialize, Serialize};

use super::local::{Change, ChannelView};
use crate::error::{Error, Result};
use crate::health::node::Thresholds;
use crate::health::probe::ProbeResult;
use crate::model::alert::AlertQuery;
use crate::model::diagnose::DiagnoseRequest;
use crate::model::input::{self, Input};
use crate::model::profile::ProfileRequest;
use crate::model::{
    AlertRule, AutoHealingConfig, AutoHealingPatch, Channel, Check, LoggingConfig, LoggingPatch,
    MetricsConfig, MetricsPatch, Probe, Redacted, TracingConfig, TracingPatch, WireSecret,
    validate,
};
use crate::telemetry::{LogQuery, SpanRecord, TraceSummary};

/// Version of the API's JSON; bumped on incompatible changes.
pub const API_VERSION: u32 = 1;

/// Every operation the CLI can ask of an agent (or of the embedded core).
#[derive(Debug, Clone)]
pub enum Call {
    Info,
    Health(Thresholds),
    ShowConfig,
    ConfigureMetrics(MetricsPatch),
    ConfigureAutoHealing(AutoHealingPatch),
    ListRules,
    CreateRules(CreateRules),
    DeleteRule(String),
    ListChannels,
    ConfigureChannel(String, Channel<WireSecret>),
    DeleteChannel(String),
    Metrics,
    Metric(String),
    CreateCheck(CreateCheck),
    ListChecks,
    DeleteCheck(String),
    RunCheck(String),
    ConfigureTracing(TracingPatch),
    ConfigureLogging(LoggingPatch),
    Traces(TraceQuery),
    Trace(String),
    Logs(LogQuery),
    Dashboards,
    Dashboard(String),
    Diagnose(DiagnoseRequest),
    StatusPageLink,
    Alerts(AlertQuery),
    Alert(String),
    TestChannel(String),
    /// `config export`: the whole configuration, secrets as `<secret>`.
    ExportConfig,
    /// `config apply`: make the configuration match a file.
    ApplyConfig(Box<ApplyConfig>),
    /// `profile list`: the profiles captured when alerts fired.
    CapturedProfiles,
}

/// `POST /api/config/apply`: the configuration to match, with secret values (they travel
/// inside TLS or over loopback, like every secret sent to an agent).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplyConfig {
    pub config: crate::config::ConfigFile<WireSecret>,
    /// Delete what the file lacks.
    #[serde(default)]
    pub prune: bool,
    /// Only make the plan.
    #[serde(default)]
    pub dry_run: bool,
}

/// The HTTP form of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Call {
    /// Method, path (with query) and JSON body.
    pub fn to_http(&self) -> Result<(Method, String, Option<serde_json::Value>)> {
        fn body<T: Serialize>(v: &T) -> Result<Option<serde_json::Value>> {
            serde_json::to_value(v)
                .map(Some)
                .map_err(|e| Error::caused("encoding request", e))
        }
        Ok(match self {
            Call::Info => (Method::Get, "/api/info".into(), None),
            Call::Health(t) => (Method::Get, format!("/api/health?{}", t.to_query()), None),
            Call::ShowConfig => (Method::Get, "/api/config".into(), None),
            Call::ConfigureMetrics(p) => (Method::Patch, "/api/config/metrics".into(), body(p)?),
            Call::ConfigureAutoHealing(p) => {
                (Method::Patch, "/api/config/auto-healing".into(), body(p)?)
            }
            Call::ListRules => (Method::Get, "/api/rules".into(), None),
            Call::CreateRules(c) => (Method::Post, "/api/rules".into(), body(c)?),
            Call::DeleteRule(n) => (Method::Delete, format!("/api/rules/{n}"), None),
            Call::ListChannels => (Method::Get, "/api/channels".into(), None),
            Call::ConfigureChannel(n, c) => (Method::Put, format!("/api/channels/{n}"), body(c)?),
            Call::DeleteChannel(n) => (Method::Delete, format!("/api/channels/{n}"), None),
            Call::Metrics => (Method::Get, "/api/metrics".into(), None),
            Call::Metric(n) => (Method::Get, format!("/api/metrics/{n}"), None),
            Call::CreateCheck(c) => (Method::Post, "/api/checks".into(), body(c)?),
            Call::ListChecks => (Method::Get, "/api/checks".into(), None),
            Call::DeleteCheck(n) => (Method::Delete, format!("/api/checks/{n}"), None),
            Call::RunCheck(n) => (Method::Post, format!("/api/checks/{n}/run"), None),
            Call::ConfigureTracing(p) => (Method::Patch, "/api/config/tracing".into(), body(p)?),
            Call::ConfigureLogging(p) => (Method::Patch, "/api/config/logging".into(), body(p)?),
            Call::Traces(q) => (Method::Get, with_query("/api/traces", q)?, None),
            Call::Trace(id) => (Method::Get, format!("/api/traces/{id}"), None),
            Call::Logs(q) => (Method::Get, with_query("/api/logs", q)?, None),
            Call::Dashboards => (Method::Get, "/api/dashboards".into(), None),
            Call::Dashboard(id) => (Method::Get, format!("/api/dashboards/{id}"), None),
            Call::Diagnose(r) => (Method::Get, with_query("/api/diagnose", r)?, None),
            Call::StatusPageLink => (Method::Post, "/api/status-page/link".into(), None),
            Call::Alerts(q) if q.states.is_empty() => (Method::Get, "/api/alerts".into(), None),
            Call::Alerts(q) => (Method::Get, format!("/api/alerts?{}", q.to_query()), None),
            Call::Alert(id) => (Method::Get, format!("/api/alerts/{id}"), None),
            Call::TestChannel(n) => (Method::Post, format!("/api/channels/{n}/test"), None),
            Call::ExportConfig => (Method::Get, "/api/config/export".into(), None),
            Call::ApplyConfig(req) => (Method::Post, "/api/config/apply".into(), body(req)?),
            Call::CapturedProfiles => (Method::Get, "/api/profiles".into(), None),
        })
    }

    /// Parse an HTTP request into a call. Names in paths are validated here, bodies by serde
    /// (unknown fields rejected) and then by the core.
    pub fn from_http(method: Method, path: &str, query: &str, body: &[u8]) -> Result<Call> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let json = |what: &str| -> Result<serde_json::Value> {
            input::json_value(body, Input::API_BODY)
                .map_err(|e| Error::Usage(format!("request body for {what}: {e}")))
        };
        fn parse<T: serde::de::DeserializeOwned>(what: &str, v: serde_json::Value) -> Result<T> {
            serde_json::from_value(v)
                .map_err(|e| Error::Usage(format!("request body for {what}: {e}")))
        }
        let name = |n: &str, check: fn(&str) -> std::result::Result<String, String>| {
            check(n).map_err(|a| Error::invalid("name", n, a))
        };
        Ok(match (method, segments.as_slice()) {
            (Method::Get, ["api", "info"]) => Call::Info,
            (Method::Get, ["api", "health"]) => Call::Health(Thresholds::from_query(query)?),
            (Method::Get, ["api", "config"]) => Call::ShowConfig,
            (Method::Patch, ["api", "config", "metrics"]) => {
                Call::ConfigureMetrics(parse("metrics", json("metrics")?)?)
            }
            (Method::Patch, ["api", "config", "auto-healing"]) => {
                Call::ConfigureAutoHealing(parse("auto-healing", json("auto-healing")?)?)
            }
            (Method::Get, ["api", "rules"]) => Call::ListRules,
            (Method::Post, ["api", "rules"]) => Call::CreateRules(parse("rules", json("rules")?)?),
            (Method::Delete, ["api", "rules", n]) => {
                Call::DeleteRule(name(n, validate::rule_name)?)
            }
            (Method::Get, ["api", "channels"]) => Call::ListChannels,
            (Method::Put, ["api", "channels", n]) => Call::ConfigureChannel(
                name(n, validate::object_name)?,
                parse("channel", json("channel")?)?,
            ),
            (Method::Delete, ["api", "channels", n]) => {
                Call::DeleteChannel(name(n, validate::object_name)?)
            }
            (Method::Get, ["api", "metrics"]) => Call::Metrics,
            (Method::Get, ["api", "metrics", n]) => Call::Metric(name(n, validate::metric_name)?),
            (Method::Post, ["api", "checks"]) => Call::CreateCheck(parse("check", json("check")?)?),
            (Method::Get, ["api", "checks"]) => Call::ListChecks,
            (Method::Delete, ["api", "checks", n]) => {
                Call::DeleteCheck(name(n, validate::object_name)?)
            }
            (Method::Post, ["api", "checks", n, "run"]) => {
                Call::RunCheck(name(n, validate::object_name)?)
            }
            (Method::Patch, ["api", "config", "tracing"]) => {
                Call::ConfigureTracing(parse("tracing", json("tracing")?)?)
            }
            (Method::Patch, ["api", "config", "logging"]) => {
                Call::ConfigureLogging(parse("logging", json("logging")?)?)
            }
            (Method::Get, ["api", "traces"]) => Call::Traces(from_query("traces", query)?),
            (Method::Get, ["api", "traces", id]) => Call::Trace(
                crate::telemetry::trace::trace_id(id)
                    .map_err(|a| Error::invalid("trace id", id, a))?,
            ),
            (Method::Get, ["api", "logs"]) => Call::Logs(from_query("logs", query)?),
            (Method::Get, ["api", "dashboards"]) => Call::Dashboards,
            (Method::Get, ["api", "dashboards", id]) => {
                Call::Dashboard(name(id, validate::object_name)?)
            }
            (Method::Get, ["api", "diagnose"]) => Call::Diagnose(from_query("diagnose", query)?),
            (Method::Post, ["api", "status-page", "link"]) => Call::StatusPageLink,
            (Method::Get, ["api", "alerts"]) => Call::Alerts(AlertQuery::from_query(query)?),
            (Method::Get, ["api", "alerts", id]) => Call::Alert(
                crate::model::alert::check_id(id).map_err(|a| Error::invalid("id", id, a))?,
            ),
            (Method::Post, ["api", "channels", n, "test"]) => {
                Call::TestChannel(name(n, validate::object_name)?)
            }
            (Method::Get, ["api", "config", "export"]) => Call::ExportConfig,
            (Method::Post, ["api", "config", "apply"]) => {
                Call::ApplyConfig(Box::new(parse("config apply", json("config apply")?)?))
            }
            (Method::Get, ["api", "profiles"]) => Call::CapturedProfiles,
            _ => {
                return Err(Error::NotFound(format!(
                    "no API endpoint {path} for this method"
                )));
            }
        })
    }

    /// The operation's name: the span name and `operation.name` of the API request.
    pub fn operation(&self) -> &'static str {
        match self {
            Call::Info => "api.info",
            Call::Health(_) => "api.health",
            Call::ShowConfig => "api.config.show",
            Call::ConfigureMetrics(_) => "api.config.metrics",
            Call::ConfigureAutoHealing(_) => "api.config.auto_healing",
            Call::ListRules => "api.rules.list",
            Call::CreateRules(_) => "api.rules.create",
            Call::DeleteRule(_) => "api.rules.delete",
            Call::ListChannels => "api.channels.list",
            Call::ConfigureChannel(..) => "api.channels.configure",
            Call::DeleteChannel(_) => "api.channels.delete",
            Call::Metrics => "api.metrics.list",
            Call::Metric(_) => "api.metrics.get",
            Call::CreateCheck(_) => "api.checks.create",
            Call::ListChecks => "api.checks.list",
            Call::DeleteCheck(_) => "api.checks.delete",
            Call::RunCheck(_) => "api.checks.run",
            Call::Alerts(_) => "api.alerts.list",
            Call::Alert(_) => "api.alerts.get",
            Call::TestChannel(_) => "api.channels.test",
            Call::ConfigureTracing(_) => "api.config.tracing",
            Call::ConfigureLogging(_) => "api.config.logging",
            Call::Traces(_) => "api.traces.list",
            Call::Trace(_) => "api.traces.get",
            Call::Logs(_) => "api.logs.query",
            Call::Dashboards => "api.dashboards.list",
            Call::Dashboard(_) => "api.dashboards.get",
            Call::Diagnose(_) => "api.diagnose",
            Call::StatusPageLink => "api.status_page.link",
            Call::ExportConfig => "api.config.export",
            Call::ApplyConfig(_) => "api.config.apply",
            Call::CapturedProfiles => "api.profiles.list",
        }
    }

    /// Whether the call changes state (for rate limits and logs).
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Call::ConfigureTracing(_)
                | Call::ConfigureLogging(_)
                | Call::ConfigureMetrics(_)
                | Call::ConfigureAutoHealing(_)
                | Call::CreateRules(_)
                | Call::DeleteRule(_)
                | Call::ConfigureChannel(..)
                | Call::DeleteChannel(_)
                | Call::CreateCheck(_)
                | Call::DeleteCheck(_)
                | Call::ApplyConfig(_)
        )
    }

    /// Whether carrying out the call lets the caller run programs on the node: creating a
    /// command check or one with a restart command, or running a stored command check now.
    /// Over the network only when the daemon allows it. A run names its check but does not
    /// carry it, so `stored` finds the check by name where the state is.
    pub fn runs_programs(&self, stored: impl Fn(&str) -> Result<Check>) -> Result<bool> {
        Ok(match self {
            Call::CreateCheck(c) => c.check.runs_programs(),
            // Running a check runs its probe only: restarts are the daemon runner's.
            Call::RunCheck(name) => matches!(stored(name)?.probe, Probe::Command { .. }),
            // A file may hold command checks and restart commands: only those it adds or
            // changes run programs that were not there before (a dry run runs nothing).
            Call::ApplyConfig(req) if req.dry_run => false,
            Call::ApplyConfig(req) => req
                .config
                .checks
                .iter()
                .filter(|c| c.runs_programs())
                .any(|c| stored(&c.name).ok().as_ref() != Some(c)),
            _ => false,
        })
    }
}

/// Operations whose answer is a file rather than JSON. The request is JSON like any other;
/// the answer is sent as [`FileAnswer::content_type`] and kept as bytes by the client, so a
/// binary profile never travels inside JSON.
#[derive(Debug, Clone)]
pub enum FileCall {
    /// `POST /api/profile`: take a profile on the agent; the answer is a gzipped pprof
    /// profile.
    Profile(ProfileRequest),
    /// `GET /api/profiles/ID`: a profile captured when an alert fired.
    CapturedProfile(String),
}

/// A file answer.
#[derive(Debug, Clone)]
pub struct FileAnswer {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// What `net/http/pprof` serves profiles as.
pub const PPROF_CONTENT_TYPE: &str = "application/octet-stream";

/// Profiles an agent takes at the same time; each holds threads, descriptors and buffers.
pub const MAX_CONCURRENT_PROFILES: usize = 4;

impl FileCall {
    /// Method, path and JSON body.
    pub fn to_http(&self) -> Result<(Method, String, Option<serde_json::Value>)> {
        match self {
            FileCall::Profile(req) => Ok((
                Method::Post,
                "/api/profile".into(),
                Some(serde_json::to_value(req).map_err(|e| Error::caused("encoding request", e))?),
            )),
            FileCall::CapturedProfile(id) => Ok((Method::Get, format!("/api/profiles/{id}"), None)),
        }
    }

    /// The call at `path`, or `None` when `path` is not a file endpoint.
    pub fn from_http(method: Method, path: &str, body: &[u8]) -> Option<Result<FileCall>> {
        match (method, path.trim_end_matches('/')) {
            (Method::Post, "/api/profile") => Some(
                input::json::<ProfileRequest>(body, Input::API_BODY)
                    .map_err(|e| Error::Usage(format!("request body for profile: {e}")))
                    .and_then(|req| {
                        req.validate()?;
                        Ok(FileCall::Profile(req))
                    }),
            ),
            (_, "/api/profile") => Some(Err(Error::NotFound(
                "no API endpoint /api/profile for this method (use POST)".into(),
            ))),
            (Method::Get, p) if p.starts_with("/api/profiles/") => {
                let id = &p["/api/profiles/".len()..];
                Some(
                    crate::model::profile::check_capture_id(id)
                        .map(FileCall::CapturedProfile)
                        .map_err(|a| Error::invalid("id", id, a)),
                )
            }
            _ => None,
        }
    }

    /// How long the call itself runs on the agent (the client waits this much longer).
    pub fn duration(&self) -> std::time::Duration {
        match self {
            FileCall::Profile(req) => req.duration(),
            FileCall::CapturedProfile(_) => std::time::Duration::ZERO,
        }
    }
}

fn with_query<T: Serialize>(path: &str, q: &T) -> Result<String> {
    let query = serde_urlencoded::to_string(q).map_err(|e| Error::caused("encoding request", e))?;
    Ok(if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    })
}

fn from_query<T: serde::de::DeserializeOwned>(what: &str, query: &str) -> Result<T> {
    input::query(query, Input::QUERY).map_err(|e| Error::Usage(format!("query for {what}: {e}")))
}

/// `GET /api/traces`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceQuery {
    /// At most this many traces, newest first (default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
}

/// `observability traces` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TraceList {
    pub traces: Vec<TraceSummary>,
}

/// `observability traces ID` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TraceDetail {
    pub trace_id: String,
    pub spans: Vec<SpanRecord>,
}

/// `configure-tracing` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TracingReport {
    #[serde(flatten)]
    pub tracing: TracingConfig<Redacted>,
}

/// `configure-logging` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoggingReport {
    #[serde(flatten)]
    pub logging: LoggingConfig<Redacted>,
}

/// `POST /api/status-page/link`: a one-time login link to the status page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusPageLink {
    pub url: String,
    pub expires_in_seconds: u64,
}

/// `POST /api/rules`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRules {
    pub rules: Vec<AlertRule>,
    #[serde(default)]
    pub replace: bool,
}

/// `POST /api/checks`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateCheck {
    pub check: Check,
    #[serde(default)]
    pub replace: bool,
}

/// `list-checks` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckList {
    pub checks: Vec<Check>,
}

/// `create-check` / `delete-check` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckChange {
    pub change: Change,
    pub check: Check,
}

/// `run-check` output: one run, now.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckRun {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: crate::model::CheckType,
    pub target: String,
    #[serde(flatten)]
    pub result: ProbeResult,
}

/// `GET /api/info`: who answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Info {
    pub version: String,
    pub api_version: u32,
    pub hostname: String,
    /// `daemon` or `embedded`.
    pub mode: String,
    pub data_dir: String,
    /// Seconds since the agent started (0 in embedded mode).
    pub uptime_seconds: u64,
}

/// `configure-metrics` output: the resulting configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetricsReport {
    #[serde(flatten)]
    pub metrics: MetricsConfig,
    /// Where Prometheus should scrape, e.g. `http://127.0.0.1:9469/metrics`.
    pub url: String,
}

impl MetricsReport {
    pub fn new(metrics: MetricsConfig) -> Self {
        let host = match metrics.listen_address {
            std::net::IpAddr::V6(a) => format!("[{a}]"),
            a => a.to_string(),
        };
        let url = format!("http://{host}:{}{}", metrics.port, metrics.path);
        MetricsReport { metrics, url }
    }
}

/// `show-config` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigReport {
    pub data_dir: String,
    pub metrics: MetricsReport,
    pub auto_healing: AutoHealingConfig,
    pub alert_rules: usize,
    pub alert_channels: usize,
    #[serde(default)]
    pub tracing: Option<TracingConfig<Redacted>>,
    #[serde(default)]
    pub logging: Option<LoggingConfig<Redacted>>,
}

/// Who evaluates a rule: `node` (the agent, and Prometheus from the export) or
/// `prometheus` (only Prometheus, from the export), with the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    #[serde(default)]
    pub evaluated_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus_only_because: Option<String>,
}

impl Evaluation {
    pub fn of(rule: &AlertRule) -> Evaluation {
        let by = crate::alerting::rules::evaluated_by(rule);
        Evaluation {
            evaluated_by: by.as_str().to_string(),
            prometheus_only_because: by.reason().map(str::to_string),
        }
    }
}

/// A rule as listed: the rule and who evaluates it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleView {
    #[serde(flatten)]
    pub rule: AlertRule,
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

impl RuleView {
    pub fn of(rule: AlertRule) -> RuleView {
        RuleView {
            evaluation: Evaluation::of(&rule),
            rule,
        }
    }
}

/// `list-alert-rules` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleList {
    pub rules: Vec<RuleView>,
}

/// One rule and what happened to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleChange {
    pub change: Change,
    #[serde(flatten)]
    pub rule: AlertRule,
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

/// `create-alert-rule` / `delete-alert-rule` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleChanges {
    pub rules: Vec<RuleChange>,
}

/// `list-alert-channels` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelList {
    pub channels: Vec<ChannelView>,
}

/// `configure-alert-channel` / `delete-alert-channel` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChannelChange {
    pub change: Change,
    #[serde(flatten)]
    pub channel: ChannelView,
}
