//! The agent API: every operation as a typed [`Call`], its HTTP form, its wire types, and its
//! execution over the local core.
//!
//! The daemon serves [`execute`] over HTTP. Embedded mode calls it in-process, and the remote
//! client sends the HTTP form of the same call. The CLI reads every answer as JSON into the
//! same report types. One path for all three keeps local and remote behaviour identical.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::alerting::notify::TestResult;
use crate::alerting::{Alert, AlertList, AlertQuery};
use crate::core::{Change, ChannelView, Local};
use crate::diagnose::DiagnoseRequest;
use crate::error::{Error, Result};
use crate::health::node::{self, Thresholds};
use crate::health::probe::ProbeResult;
use crate::health::runner::CheckStatus;
use crate::messages::Messages;
use crate::model::{
    AlertRule, AutoHealingConfig, AutoHealingPatch, Channel, Check, LoggingConfig, LoggingPatch,
    MetricsConfig, MetricsPatch, Redacted, TracingConfig, TracingPatch, WireSecret, validate,
};
use crate::profile::{Cancel, ProfileRequest};
use crate::telemetry::{LogQuery, SpanRecord, Telemetry, TraceSummary};

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
                .map_err(|e| Error::Other(format!("encoding request: {e}")))
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
        })
    }

    /// Parse an HTTP request into a call. Names in paths are validated here, bodies by serde
    /// (unknown fields rejected) and then by the core.
    pub fn from_http(method: Method, path: &str, query: &str, body: &[u8]) -> Result<Call> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let json = |what: &str| -> Result<serde_json::Value> {
            serde_json::from_slice(body)
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
            (Method::Get, ["api", "alerts", id]) => {
                Call::Alert(crate::alerting::check_id(id).map_err(|a| Error::invalid("id", id, a))?)
            }
            (Method::Post, ["api", "channels", n, "test"]) => {
                Call::TestChannel(name(n, validate::object_name)?)
            }
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
        )
    }

    /// Whether accepting the call lets the caller run programs on the node (command checks
    /// and restart commands): over the network only when the daemon allows it.
    pub fn runs_programs(&self) -> bool {
        matches!(self, Call::CreateCheck(c) if c.check.runs_programs())
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
    pub fn to_http(&self) -> Result<(Method, String, serde_json::Value)> {
        match self {
            FileCall::Profile(req) => Ok((
                Method::Post,
                "/api/profile".into(),
                serde_json::to_value(req)
                    .map_err(|e| Error::Other(format!("encoding request: {e}")))?,
            )),
        }
    }

    /// The call at `path`, or `None` when `path` is not a file endpoint.
    pub fn from_http(method: Method, path: &str, body: &[u8]) -> Option<Result<FileCall>> {
        match (method, path.trim_end_matches('/')) {
            (Method::Post, "/api/profile") => Some(
                serde_json::from_slice::<ProfileRequest>(body)
                    .map_err(|e| Error::Usage(format!("request body for profile: {e}")))
                    .and_then(|req| {
                        req.validate()?;
                        Ok(FileCall::Profile(req))
                    }),
            ),
            (_, "/api/profile") => Some(Err(Error::NotFound(
                "no API endpoint /api/profile for this method (use POST)".into(),
            ))),
            _ => None,
        }
    }

    /// How long the call itself runs on the agent (the client waits this much longer).
    pub fn duration(&self) -> std::time::Duration {
        match self {
            FileCall::Profile(req) => req.duration(),
        }
    }
}

/// Carry out a file call. Blocking for the length of the profile; `cancel` stops it early.
pub fn execute_file(svc: &Service, call: FileCall, cancel: &Cancel) -> Result<FileAnswer> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    struct Slot;
    impl Drop for Slot {
        fn drop(&mut self) {
            RUNNING.fetch_sub(1, Ordering::SeqCst);
        }
    }
    match call {
        FileCall::Profile(req) => {
            if RUNNING.fetch_add(1, Ordering::SeqCst) >= MAX_CONCURRENT_PROFILES {
                RUNNING.fetch_sub(1, Ordering::SeqCst);
                return Err(Error::Conflict(format!(
                    "{MAX_CONCURRENT_PROFILES} profiles are already running here; try again when one finishes"
                )));
            }
            let _slot = Slot;
            let bytes = crate::profile::run(&req, svc.runtime.mode() == "daemon", cancel)?;
            Ok(FileAnswer {
                content_type: PPROF_CONTENT_TYPE,
                bytes,
            })
        }
    }
}

fn with_query<T: Serialize>(path: &str, q: &T) -> Result<String> {
    let query = serde_urlencoded::to_string(q)
        .map_err(|e| Error::Other(format!("encoding request: {e}")))?;
    Ok(if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    })
}

fn from_query<T: serde::de::DeserializeOwned>(what: &str, query: &str) -> Result<T> {
    serde_urlencoded::from_str(query).map_err(|e| Error::Usage(format!("query for {what}: {e}")))
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

/// `list-alert-rules` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleList {
    pub rules: Vec<AlertRule>,
}

/// One rule and what happened to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RuleChange {
    pub change: Change,
    #[serde(flatten)]
    pub rule: AlertRule,
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

/// What only the running process can provide: metrics, and applying a new metrics listener.
pub trait Runtime: Send + Sync {
    /// `"daemon"` or `"embedded"`.
    fn mode(&self) -> &'static str;
    fn uptime_seconds(&self) -> u64;
    /// Current metric families as JSON (`{collected_at, collection_seconds, families}`).
    fn metrics(&self) -> Result<serde_json::Value>;
    /// One family, or `None`.
    fn metric(&self, name: &str) -> Result<Option<serde_json::Value>>;
    /// Start serving metrics with `config`; an error leaves the old listener in place.
    fn apply_metrics(&self, config: &MetricsConfig) -> Result<()>;
    /// The status of `checks`: the runner's view in the daemon, one run of each now in
    /// embedded mode.
    fn check_statuses(&self, checks: &[Check]) -> Vec<CheckStatus>;
    /// Run one check now.
    fn run_check(&self, check: &Check) -> ProbeResult;
    /// Checks or the auto-healing policy changed.
    fn checks_changed(&self);
    /// The daemon's traces and logs (`None` in embedded mode: nothing is recorded there).
    fn telemetry(&self) -> Option<&std::sync::Arc<Telemetry>> {
        None
    }
    /// The async runtime to run network checks on (`None`: make one for the call).
    fn handle(&self) -> Option<tokio::runtime::Handle> {
        None
    }
    /// A one-time login link to the status page the daemon serves.
    fn status_page_link(&self) -> Result<StatusPageLink> {
        Err(Error::Usage(
            "nothing to open: no dashboards were imported and no agent runs on this data directory; \
             run `hivemind observability import-dashboards --target grafana --url URL`, or start \
             `hivemind daemon` for its status page"
                .into(),
        ))
    }
    /// The alerts in the states asked for (the daemon's continuous evaluation, or one
    /// evaluation of the stored rules now).
    fn alerts(&self, local: &Local, query: &AlertQuery) -> Result<AlertList>;
    /// One alert by id, in any state.
    fn alert(&self, local: &Local, id: &str) -> Result<Option<Alert>>;
    /// Send a test notification to a stored channel.
    fn test_channel(&self, local: &Local, name: &str) -> Result<TestResult>;
    /// Whether notifications may go to private and loopback addresses.
    fn allows_private_destinations(&self) -> bool;
}

/// The error for what only a running agent has.
pub fn no_daemon(what: &str) -> Error {
    Error::Usage(format!(
        "{what}: kept by the agent, and no agent runs on this data directory; start `hivemind daemon` (or ask one with --agent)"
    ))
}

/// Run `fut` to completion from blocking code: on the daemon's runtime, or on a small one
/// made for the call.
pub fn block_on<F: std::future::Future>(svc: &Service, fut: F) -> Result<F::Output> {
    match svc.runtime.handle() {
        Some(h) => Ok(h.block_on(fut)),
        None => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| rt.block_on(fut))
            .map_err(|e| Error::io("starting the async runtime", e)),
    }
}

/// Everything [`execute`] needs.
pub struct Service {
    pub local: Local,
    pub data_dir: PathBuf,
    /// Where warnings go (the terminal in embedded mode, the log in the daemon).
    pub msg: Messages,
    pub runtime: Box<dyn Runtime>,
}

fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::Other(format!("encoding response: {e}")))
}

/// Carry out a call. Blocking (file I/O, a 200 ms CPU sample for health): the daemon runs it
/// on a blocking thread.
pub fn execute(svc: &Service, call: Call) -> Result<serde_json::Value> {
    let local = &svc.local;
    match call {
        Call::Info => to_json(&Info {
            version: env!("CARGO_PKG_VERSION").into(),
            api_version: API_VERSION,
            hostname: sysinfo::System::host_name().unwrap_or_else(|_| "unknown".into()),
            mode: svc.runtime.mode().into(),
            data_dir: svc.data_dir.display().to_string(),
            uptime_seconds: svc.runtime.uptime_seconds(),
        }),
        Call::Health(thresholds) => {
            let checks = local.list_checks()?;
            let report =
                node::measure(&thresholds).with_checks(svc.runtime.check_statuses(&checks));
            to_json(&report)
        }
        Call::ShowConfig => {
            let state = local.state()?;
            to_json(&ConfigReport {
                data_dir: svc.data_dir.display().to_string(),
                metrics: MetricsReport::new(state.metrics),
                auto_healing: state.auto_healing,
                alert_rules: state.rules.len(),
                alert_channels: state.channels.len(),
                tracing: state.tracing.as_ref().map(|t| t.redacted()),
                logging: state.logging.as_ref().map(|l| l.redacted()),
            })
        }
        Call::ConfigureMetrics(patch) => {
            if patch.is_empty() {
                return Err(Error::Usage(
                    "nothing to change: give a port, path or listen address".into(),
                ));
            }
            let metrics = local.configure_metrics(&patch, |m| svc.runtime.apply_metrics(m))?;
            to_json(&MetricsReport::new(metrics))
        }
        Call::ConfigureAutoHealing(patch) => {
            if patch.is_empty() {
                return Err(Error::Usage(
                    "nothing to change: give --enabled, --max-restarts or --restart-interval"
                        .into(),
                ));
            }
            let config = local.configure_auto_healing(&patch)?;
            svc.runtime.checks_changed();
            to_json(&config)
        }
        Call::ListRules => to_json(&RuleList {
            rules: local.list_rules()?,
        }),
        Call::CreateRules(req) => {
            let changes = local.create_rules(req.rules, req.replace)?;
            to_json(&RuleChanges {
                rules: changes
                    .into_iter()
                    .map(|(change, rule)| RuleChange { change, rule })
                    .collect(),
            })
        }
        Call::DeleteRule(name) => {
            let rule = local.delete_rule(&name)?;
            to_json(&RuleChanges {
                rules: vec![RuleChange {
                    change: Change::Deleted,
                    rule,
                }],
            })
        }
        Call::ListChannels => to_json(&ChannelList {
            channels: local.list_channels()?,
        }),
        Call::ConfigureChannel(name, wire) => {
            let spec = match wire
                .try_map_secrets(|_, s| Ok::<_, std::convert::Infallible>(s.into_secret()))
            {
                Ok(s) => s,
                Err(never) => match never {},
            };
            if !svc.runtime.allows_private_destinations() {
                check_destinations(&spec)?;
            }
            let (change, channel) = local.configure_channel(&name, spec, &svc.msg)?;
            to_json(&ChannelChange { change, channel })
        }
        Call::DeleteChannel(name) => {
            let channel = local.delete_channel(&name)?;
            to_json(&ChannelChange {
                change: Change::Deleted,
                channel,
            })
        }
        Call::CreateCheck(req) => {
            let (change, check) = local.create_check(req.check, req.replace)?;
            svc.runtime.checks_changed();
            to_json(&CheckChange { change, check })
        }
        Call::ListChecks => to_json(&CheckList {
            checks: local.list_checks()?,
        }),
        Call::DeleteCheck(name) => {
            let check = local.delete_check(&name)?;
            svc.runtime.checks_changed();
            to_json(&CheckChange {
                change: Change::Deleted,
                check,
            })
        }
        Call::RunCheck(name) => {
            let check = local.find_check(&name)?;
            let result = svc.runtime.run_check(&check);
            to_json(&CheckRun {
                name: check.name.clone(),
                kind: check.probe.check_type(),
                target: check.probe.target(),
                result,
            })
        }
        Call::ConfigureTracing(patch) => {
            if patch.is_empty() {
                return Err(Error::Usage(
                    "nothing to change: give --endpoint, --service-name, --sample-ratio, --header or --disable"
                        .into(),
                ));
            }
            let config = local.configure_tracing(&patch, &svc.msg)?;
            if let Some(t) = svc.runtime.telemetry() {
                t.apply_tracing(Some(&config), &local.secrets)?;
            }
            to_json(&TracingReport {
                tracing: config.redacted(),
            })
        }
        Call::ConfigureLogging(patch) => {
            if patch.is_empty() {
                return Err(Error::Usage(
                    "nothing to change: give --endpoint, --index, --level, credentials or --disable".into(),
                ));
            }
            let config = local.configure_logging(&patch, &svc.msg)?;
            if let Some(t) = svc.runtime.telemetry() {
                t.apply_logging(Some(&config), &local.secrets)?;
            }
            to_json(&LoggingReport {
                logging: config.redacted(),
            })
        }
        Call::Traces(q) => {
            let t = svc.runtime.telemetry().ok_or_else(|| no_daemon("traces"))?;
            let limit = q.limit.unwrap_or(50);
            if !(1..=crate::telemetry::trace::RING_CAPACITY).contains(&limit) {
                return Err(Error::invalid(
                    "limit",
                    &limit.to_string(),
                    format!(
                        "a number from 1 to {}",
                        crate::telemetry::trace::RING_CAPACITY
                    ),
                ));
            }
            let mut traces = crate::telemetry::trace::summarize(&t.tracer.recent());
            traces.truncate(limit);
            to_json(&TraceList { traces })
        }
        Call::Trace(id) => {
            let t = svc.runtime.telemetry().ok_or_else(|| no_daemon("traces"))?;
            let mut spans: Vec<SpanRecord> = t
                .tracer
                .recent()
                .into_iter()
                .filter(|s| s.trace_id == id)
                .collect();
            if spans.is_empty() {
                return Err(Error::NotFound(format!(
                    "no trace {id} among the agent's recent spans (it keeps the last {}; `hivemind observability traces` lists them)",
                    crate::telemetry::trace::RING_CAPACITY
                )));
            }
            spans.sort_by_key(|s| s.start_unix_nanos);
            to_json(&TraceDetail {
                trace_id: id,
                spans,
            })
        }
        Call::Logs(q) => {
            let t = svc.runtime.telemetry().ok_or_else(|| no_daemon("logs"))?;
            to_json(&t.logger.query(&q)?)
        }
        Call::Dashboards => to_json(&crate::dashboards::list()),
        Call::Dashboard(id) => crate::dashboards::find(&id).map(|d| d.json).ok_or_else(|| {
            Error::NotFound(format!(
                "no dashboard '{id}' (known: {})",
                crate::dashboards::list()
                    .dashboards
                    .iter()
                    .map(|d| d.uid.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }),
        Call::Diagnose(req) => to_json(&crate::diagnose::run(svc, &req)?),
        Call::StatusPageLink => to_json(&svc.runtime.status_page_link()?),
        Call::Metrics => svc.runtime.metrics(),
        Call::Metric(name) => svc
            .runtime
            .metric(&name)?
            .ok_or_else(|| Error::NotFound(format!("no metric named '{name}'"))),
        Call::Alerts(query) => to_json(&svc.runtime.alerts(local, &query)?),
        Call::Alert(id) => to_json(&svc.runtime.alert(local, &id)?.ok_or_else(|| {
            Error::NotFound(format!(
                "no alert with id {id} (resolved alerts are kept for 15 minutes)"
            ))
        })?),
        Call::TestChannel(name) => to_json(&svc.runtime.test_channel(local, &name)?),
    }
}

/// Refuse notification URLs that point at private or loopback addresses, for an agent that
/// does not allow them (host names are checked again when they are resolved at send time).
fn check_destinations(channel: &crate::model::ChannelSpec) -> Result<()> {
    use crate::alerting::notify::http::check_url;
    let (field, url) = match channel {
        Channel::Slack { webhook_url } => ("webhook_url", webhook_url.expose()),
        Channel::Webhook { url } => ("url", url.as_str()),
        Channel::Pagerduty { url: Some(url), .. } => ("url", url.as_str()),
        Channel::Pagerduty { url: None, .. } | Channel::Email { .. } => return Ok(()),
    };
    check_url(url, false)
        .map(drop)
        .map_err(|why| Error::Usage(format!("{field}: {why}")))
}
