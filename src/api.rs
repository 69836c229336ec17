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
use crate::error::{Error, Result};
use crate::health::node::{self, Thresholds};
use crate::model::{
    AlertRule, AutoHealingConfig, AutoHealingPatch, Channel, MetricsConfig, MetricsPatch,
    WireSecret, validate,
};
use crate::render::Ui;

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

    /// Whether the call changes state (for rate limits and logs).
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Call::ConfigureMetrics(_)
                | Call::ConfigureAutoHealing(_)
                | Call::CreateRules(_)
                | Call::DeleteRule(_)
                | Call::ConfigureChannel(..)
                | Call::DeleteChannel(_)
        )
    }
}

/// `POST /api/rules`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRules {
    pub rules: Vec<AlertRule>,
    #[serde(default)]
    pub replace: bool,
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

/// Everything [`execute`] needs.
pub struct Service {
    pub local: Local,
    pub data_dir: PathBuf,
    /// Where warnings go (the terminal in embedded mode, the log in the daemon).
    pub ui: Ui,
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
        Call::Health(thresholds) => to_json(&node::measure(&thresholds)),
        Call::ShowConfig => {
            let state = local.state()?;
            to_json(&ConfigReport {
                data_dir: svc.data_dir.display().to_string(),
                metrics: MetricsReport::new(state.metrics),
                auto_healing: state.auto_healing,
                alert_rules: state.rules.len(),
                alert_channels: state.channels.len(),
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
            to_json(&local.configure_auto_healing(&patch)?)
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
            let (change, channel) = local.configure_channel(&name, spec, &svc.ui)?;
            to_json(&ChannelChange { change, channel })
        }
        Call::DeleteChannel(name) => {
            let channel = local.delete_channel(&name)?;
            to_json(&ChannelChange {
                change: Change::Deleted,
                channel,
            })
        }
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
