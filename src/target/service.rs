//! [`execute`]: the one service behind every call, run in-process by embedded mode and served
//! over HTTP by the daemon. What only a running process has (live metrics, the check runner,
//! alerts, telemetry) comes through the [`Runtime`] it is given.

use std::path::PathBuf;

use serde::Serialize;

use super::call::*;
use super::local::{Change, Local};
use crate::alerting::notify::TestResult;
use crate::error::{Error, Result};
use crate::health::node;
use crate::health::probe::ProbeResult;
use crate::health::runner::CheckStatus;
use crate::messages::Messages;
use crate::model::alert::{Alert, AlertList, AlertQuery};
use crate::model::{Channel, Check, MetricsConfig, MetricsPatch};
use crate::profile::Cancel;
use crate::telemetry::{SpanRecord, Telemetry};

/// What only the running process can provide: metrics, and applying a new metrics listener.
pub trait Runtime: Send + Sync {
    /// `"daemon"` or `"embedded"`.
    fn mode(&self) -> &'static str;
    fn uptime_seconds(&self) -> u64;
    /// Current metric families as JSON (`{collected_at, collection_seconds, families}`).
    fn metrics(&self) -> Result<serde_json::Value>;
    /// One family, or `None`.
    fn metric(&self, name: &str) -> Result<Option<serde_json::Value>>;
    /// Start serving metrics with `config` (the saved configuration with `patch` applied);
    /// an error leaves the old listener in place. The fields `patch` sets replace what
    /// the daemon's start-up flags said for this run.
    fn apply_metrics(&self, config: &MetricsConfig, patch: &MetricsPatch) -> Result<()>;
    /// The status of `checks`: the runner's view in the daemon, one run of each now in
    /// embedded mode.
    fn check_statuses(&self, checks: &[Check]) -> Vec<CheckStatus>;
    /// The node's CPU busy percent averaged over the last minute, when this process keeps one
    /// (the daemon's collections); `None` makes `health status` sample it.
    fn cpu_average(&self) -> Option<node::CpuAverage> {
        None
    }
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
            "no agent runs on this data directory to hand out a status-page link: \
             `hivemind observability open-dashboard` serves the page itself, or start \
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
    serde_json::to_value(v).map_err(|e| Error::caused("encoding response", e))
}

/// Carry out a call. Blocking (file I/O, a 200 ms CPU sample for health): the daemon runs it
/// on a blocking thread.
pub fn execute(svc: &Service, call: Call) -> Result<serde_json::Value> {
    let local = &svc.local;
    match call {
        Call::Info => to_json(&Info {
            version: env!("CARGO_PKG_VERSION").into(),
            api_version: API_VERSION,
            hostname: crate::metrics::system::hostname(),
            mode: svc.runtime.mode().into(),
            data_dir: svc.data_dir.display().to_string(),
            uptime_seconds: svc.runtime.uptime_seconds(),
        }),
        Call::Health(thresholds) => {
            let checks = local.list_checks()?;
            let report = node::measure(&thresholds, svc.runtime.cpu_average())
                .with_checks(svc.runtime.check_statuses(&checks));
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
                    "nothing to change: give a port, path, listen address, --compat, --per-cpu or a filter".into(),
                ));
            }
            let metrics =
                local.configure_metrics(&patch, |m| svc.runtime.apply_metrics(m, &patch))?;
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
            rules: local.list_rules()?.into_iter().map(RuleView::of).collect(),
        }),
        Call::CreateRules(req) => {
            let changes = local.create_rules(req.rules, req.replace)?;
            to_json(&RuleChanges {
                rules: changes
                    .into_iter()
                    .map(|(change, rule)| RuleChange {
                        change,
                        evaluation: Evaluation::of(&rule),
                        rule,
                    })
                    .collect(),
            })
        }
        Call::DeleteRule(name) => {
            let rule = local.delete_rule(&name)?;
            to_json(&RuleChanges {
                rules: vec![RuleChange {
                    change: Change::Deleted,
                    evaluation: Evaluation::of(&rule),
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
        Call::Diagnose(req) => {
            let inputs = crate::diagnose::Inputs {
                state: local.state()?,
                secrets: &local.secrets,
                telemetry: svc.runtime.telemetry(),
            };
            to_json(&block_on(svc, crate::diagnose::run(&req, &inputs))??)
        }
        Call::StatusPageLink => to_json(&svc.runtime.status_page_link()?),
        Call::Metrics => svc.runtime.metrics(),
        Call::Metric(name) => svc
            .runtime
            .metric(&name)?
            .ok_or_else(|| Error::NotFound(format!("no metric named '{name}'"))),
        Call::CapturedProfiles => to_json(&crate::model::profile::CapturedProfiles {
            profiles: crate::profile::captures::Captures::new(&svc.data_dir).list()?,
        }),
        Call::Alerts(query) => to_json(&svc.runtime.alerts(local, &query)?),
        Call::Alert(id) => to_json(&svc.runtime.alert(local, &id)?.ok_or_else(|| {
            Error::NotFound(format!(
                "no alert with id {id} (resolved alerts are kept for 15 minutes)"
            ))
        })?),
        Call::TestChannel(name) => to_json(&svc.runtime.test_channel(local, &name)?),
        Call::ExportConfig => to_json(&local.export_config()?),
        Call::ApplyConfig(req) => {
            let ApplyConfig {
                config,
                prune,
                dry_run,
            } = *req;
            let config = match config
                .try_map_secrets(|_, s| Ok::<_, std::convert::Infallible>(s.into_secret()))
            {
                Ok(c) => c,
                Err(never) => match never {},
            };
            if !svc.runtime.allows_private_destinations() {
                for (name, channel) in &config.channels {
                    check_destinations(channel)
                        .map_err(|e| e.context(format!("channels.{name}")))?;
                }
            }
            let report = local.apply_config(
                config,
                prune,
                dry_run,
                |m| svc.runtime.apply_metrics(m, &MetricsPatch::whole(m)),
                &svc.msg,
            )?;
            if report.applied {
                use crate::config::Kind;
                let touched = |k: Kind| report.changes.iter().any(|c| c.kind == k);
                if touched(Kind::Check) || touched(Kind::AutoHealing) {
                    svc.runtime.checks_changed();
                }
                if let Some(t) = svc.runtime.telemetry() {
                    let state = local.state()?;
                    if touched(Kind::Tracing) {
                        t.apply_tracing(state.tracing.as_ref(), &local.secrets)?;
                    }
                    if touched(Kind::Logging) {
                        t.apply_logging(state.logging.as_ref(), &local.secrets)?;
                    }
                }
            }
            to_json(&report)
        }
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
        FileCall::CapturedProfile(id) => Ok(FileAnswer {
            content_type: PPROF_CONTENT_TYPE,
            bytes: crate::profile::captures::Captures::new(&svc.data_dir).get(&id)?,
        }),
    }
}
