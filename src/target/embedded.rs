//! Embedded mode: the agent's core in this process, and finding a daemon that already runs on
//! the data directory (then commands go through it instead of writing behind its back).

use std::path::Path;
use std::time::Duration;

use super::local::Local;
use super::remote::AgentClient;
use super::service::{Runtime, Service};
use crate::alerting::engine::{evaluate_once, test_channel_once};
use crate::alerting::group::Origin;
use crate::alerting::notify::TestResult;
use crate::error::{Error, Result};
use crate::health::probe::{self, ProbeResult};
use crate::health::runner::{self, CheckStatus};
use crate::messages::Messages;
use crate::metrics::{Collector, CollectorConfig, Family, Snapshot};
use crate::model::alert::{Alert, AlertList, AlertQuery, AlertState};
use crate::model::{Check, MetricsConfig, MetricsPatch};
use crate::store::daemon_files;

/// The core over the data directory, with metrics collected on demand.
pub fn service(local: Local, data_dir: &Path, msg: &Messages) -> Service {
    Service {
        local,
        data_dir: data_dir.to_path_buf(),
        msg: msg.clone(),
        runtime: Box::new(EmbeddedRuntime),
    }
}

struct EmbeddedRuntime;

impl EmbeddedRuntime {
    /// Two collections 250 ms apart, so that rates (CPU %) have an interval to cover.
    fn snapshot() -> Snapshot {
        let mut collector = Collector::new(CollectorConfig::default());
        collector.collect();
        std::thread::sleep(Duration::from_millis(250));
        collector.collect()
    }
}

impl Runtime for EmbeddedRuntime {
    fn mode(&self) -> &'static str {
        "embedded"
    }

    fn uptime_seconds(&self) -> u64 {
        0
    }

    fn metrics(&self) -> Result<serde_json::Value> {
        serde_json::to_value(Self::snapshot()).map_err(|e| Error::caused("encoding metrics", e))
    }

    fn metric(&self, name: &str) -> Result<Option<serde_json::Value>> {
        let snap = Self::snapshot();
        snap.family(name)
            .map(|f| serde_json::to_value(f).map_err(|e| Error::caused("encoding metrics", e)))
            .transpose()
    }

    /// Without a daemon there is no listener to move; the setting takes effect when one starts.
    fn apply_metrics(&self, _config: &MetricsConfig, _patch: &MetricsPatch) -> Result<()> {
        Ok(())
    }

    /// Without a daemon nothing runs on a schedule: run every check once, now, concurrently.
    fn check_statuses(&self, checks: &[Check]) -> Vec<CheckStatus> {
        if checks.is_empty() {
            return Vec::new();
        }
        match block_on() {
            Ok(rt) => rt.block_on(runner::run_once(checks)),
            Err(_) => Vec::new(),
        }
    }

    fn run_check(&self, check: &Check) -> ProbeResult {
        match block_on() {
            Ok(rt) => rt.block_on(probe::run(check)),
            Err(e) => ProbeResult {
                ok: false,
                latency_seconds: 0.0,
                message: format!("starting the async runtime: {e}"),
                output: String::new(),
            },
        }
    }

    fn checks_changed(&self) {}

    /// One evaluation of the stored rules over a fresh collection.
    fn alerts(&self, local: &Local, query: &AlertQuery) -> Result<AlertList> {
        let rules = local.list_rules()?;
        // No rules, no alerts: skip the 250 ms collection.
        let snap = if rules.is_empty() {
            None
        } else {
            Some(Self::snapshot())
        };
        let families: Vec<&Family> = snap.iter().flat_map(|s| s.families.iter()).collect();
        Ok(evaluate_once(&rules, &families, query))
    }

    fn alert(&self, local: &Local, id: &str) -> Result<Option<Alert>> {
        let all = AlertQuery {
            states: vec![
                AlertState::Pending,
                AlertState::Firing,
                AlertState::Resolved,
            ],
        };
        Ok(self
            .alerts(local, &all)?
            .alerts
            .into_iter()
            .find(|a| a.id == id))
    }

    fn test_channel(&self, local: &Local, name: &str) -> Result<TestResult> {
        let origin = Origin {
            node: crate::metrics::system::hostname(),
            external_url: String::new(),
        };
        test_channel_once(&local.store, &local.secrets, name, origin)
    }

    /// The user already has this machine's network: refusing would protect nothing.
    fn allows_private_destinations(&self) -> bool {
        true
    }
}

fn block_on() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// How long a command waits for a daemon that is starting or stopping on its data directory
/// (its own shutdown is bounded by 20 s).
const DAEMON_WAIT: Duration = Duration::from_secs(30);

/// A client of the daemon holding this data directory's lock, if one runs (waiting while it
/// starts or stops).
pub fn running_daemon(data_dir: &Path, timeout: Duration) -> Result<Option<AgentClient>> {
    let Some(info) = daemon_files::running(data_dir, DAEMON_WAIT)? else {
        return Ok(None);
    };
    let token = daemon_files::read_token(data_dir)?;
    match &info.socket {
        Some(socket) => AgentClient::local(socket, token, timeout).map(Some),
        None => {
            AgentClient::new("local", &info.url, token, info.ca_cert.as_deref(), timeout).map(Some)
        }
    }
}
