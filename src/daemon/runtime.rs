//! The daemon's live state: the latest metrics collection (refreshed by a background thread so
//! that scrapes never wait for /proc and cgroup reads), scrape statistics, and the metrics
//! listener, which `configure-metrics` moves without a restart.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::metrics_http;
use crate::alerting::Engine;
use crate::alerting::notify::TestResult;
use crate::error::{Error, Result};
use crate::health::probe::ProbeResult;
use crate::health::runner::{CheckStatus, Runner, Tracker};
use crate::messages::Messages;
use crate::metrics::{Collector, CollectorConfig, Family, SelfStats, Snapshot};
use crate::model::alert::{Alert, AlertList, AlertQuery};
use crate::model::{Check, MetricsConfig};
use crate::target::local::Local;
use crate::target::service::Runtime;
use crate::telemetry::Telemetry;

/// How far back `health status` averages the node's CPU in the daemon.
const CPU_WINDOW: Duration = Duration::from_secs(60);

/// A source of metric families exposed next to the collection (alerting's, for example).
type FamilySource = Box<dyn Fn() -> Vec<Family> + Send + Sync>;

/// The running metrics listener.
struct MetricsServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
}

pub struct Shared {
    started: Instant,
    snapshot: RwLock<Arc<Snapshot>>,
    scrapes: AtomicU64,
    last_scrape_nanos: AtomicU64,
    /// The path scrapes are served on; read on every request so a change applies at once.
    pub metrics_path: RwLock<String>,
    server: Mutex<Option<MetricsServer>>,
    handle: tokio::runtime::Handle,
    msg: Messages,
    pub runner: Arc<Runner>,
    pub telemetry: Arc<Telemetry>,
    /// The API listener's URL (`http://127.0.0.1:9470`), for links to the status page.
    pub api_url: String,
    /// One-time status-page login codes and the sessions they opened.
    pub page_sessions: super::status_page::Sessions,
    /// The node's CPU busy percent of each collection in the last minute, for `health
    /// status` (a burst cannot flip a minute's average).
    cpu_history: Mutex<std::collections::VecDeque<(Instant, f64)>>,
    /// The connection limits the metrics listener shares with the API's.
    connections: Arc<super::serve::Connections>,
    /// Bumped after every collection, so that rule evaluation follows it at once.
    collections: watch::Sender<u64>,
    sources: RwLock<Vec<FamilySource>>,
}

impl Shared {
    pub fn new(
        handle: tokio::runtime::Handle,
        msg: Messages,
        first: Snapshot,
        runner: Arc<Runner>,
        telemetry: Arc<Telemetry>,
        api_url: String,
        connections: Arc<super::serve::Connections>,
    ) -> Arc<Self> {
        Arc::new(Shared {
            started: Instant::now(),
            snapshot: RwLock::new(Arc::new(first)),
            scrapes: AtomicU64::new(0),
            last_scrape_nanos: AtomicU64::new(0),
            metrics_path: RwLock::new("/metrics".into()),
            server: Mutex::new(None),
            handle,
            msg,
            runner,
            telemetry,
            api_url,
            page_sessions: super::status_page::Sessions::default(),
            cpu_history: Mutex::new(std::collections::VecDeque::new()),
            connections,
            collections: watch::Sender::new(0),
            sources: RwLock::new(Vec::new()),
        })
    }

    /// Wakes up after every collection.
    pub fn subscribe_collections(&self) -> watch::Receiver<u64> {
        self.collections.subscribe()
    }

    /// Expose the families `source` returns on every scrape, next to the collection.
    pub fn add_families(&self, source: impl Fn() -> Vec<Family> + Send + Sync + 'static) {
        if let Ok(mut s) = self.sources.write() {
            s.push(Box::new(source));
        }
    }

    /// Every family exposed besides the collection: the scrape statistics and the
    /// registered sources.
    pub fn extra_families(&self) -> Vec<Family> {
        let mut out: Vec<Family> = crate::metrics::scrape_families(&self.stats()).into();
        if let Ok(sources) = self.sources.read() {
            for source in sources.iter() {
                out.extend(source());
            }
        }
        out
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn store(&self, snap: Snapshot) {
        let busy = snap
            .family("hivemind_node_cpu_usage")
            .and_then(|f| f.samples.first())
            .map(|s| s.value)
            .filter(|v| v.is_finite());
        if let (Some(busy), Ok(mut h)) = (busy, self.cpu_history.lock()) {
            let now = Instant::now();
            h.push_back((now, busy));
            while h
                .front()
                .is_some_and(|(t, _)| now.duration_since(*t) > CPU_WINDOW)
            {
                h.pop_front();
            }
        }
        if let Ok(mut s) = self.snapshot.write() {
            *s = Arc::new(snap);
        }
        self.collections.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The average of the last minute's collections (each covers the interval before it).
    pub fn cpu_average(&self) -> Option<crate::health::node::CpuAverage> {
        let h = self.cpu_history.lock().ok()?;
        let (first, _) = h.front()?;
        let n = h.len() as f64;
        let busy = h.iter().map(|(_, v)| v).sum::<f64>() / n;
        // The first sample covers the interval before it too.
        let spacing = if h.len() > 1 {
            h.back()?.0.duration_since(*first) / (h.len() as u32 - 1)
        } else {
            Duration::ZERO
        };
        Some(crate::health::node::CpuAverage {
            busy_percent: busy,
            window: (h.back()?.0.duration_since(*first) + spacing).min(CPU_WINDOW),
        })
    }

    pub fn stats(&self) -> SelfStats {
        SelfStats {
            scrapes_total: self.scrapes.load(Ordering::Relaxed),
            last_scrape_seconds: self.last_scrape_nanos.load(Ordering::Relaxed) as f64 / 1e9,
        }
    }

    pub fn record_scrape(&self, took: Duration) {
        self.scrapes.fetch_add(1, Ordering::Relaxed);
        self.last_scrape_nanos.store(
            took.as_nanos().min(u128::from(u64::MAX)) as u64,
            Ordering::Relaxed,
        );
    }

    pub fn path(&self) -> String {
        self.metrics_path
            .read()
            .map(|p| p.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Serve metrics as `config` says. Binding happens here, synchronously, so a port in use
    /// is reported to the caller and the old listener keeps running.
    pub fn apply(self: &Arc<Self>, config: &MetricsConfig) -> Result<()> {
        let addr = SocketAddr::new(config.listen_address, config.port);
        let mut server = self
            .server
            .lock()
            .map_err(|_| Error::Other("metrics listener state poisoned".into()))?;
        if server.as_ref().is_none_or(|s| s.addr != addr) {
            let std_listener = std::net::TcpListener::bind(addr)
                .map_err(|e| Error::Conflict(format!("cannot serve metrics on {addr}: {e}")))?;
            std_listener
                .set_nonblocking(true)
                .map_err(|e| Error::io(format!("metrics listener {addr}"), e))?;
            let _entered = self.handle.enter();
            let listener = tokio::net::TcpListener::from_std(std_listener)
                .map_err(|e| Error::io(format!("metrics listener {addr}"), e))?;
            let (stop, stop_rx) = watch::channel(false);
            let app = metrics_http::router(Arc::clone(self));
            self.handle.spawn(super::serve::serve(
                super::serve::Listener::Tcp(listener),
                app,
                None,
                Arc::clone(&self.connections),
                stop_rx,
            ));
            if let Some(old) = server.replace(MetricsServer { addr, stop }) {
                let _ = old.stop.send(true);
            }
            if !config.listen_address.is_loopback() {
                self.msg.warn(&format!(
                    "metrics are served without authentication on {addr}"
                ));
            }
        }
        if let Ok(mut p) = self.metrics_path.write() {
            p.clone_from(&config.path);
        }
        self.msg
            .status(&format!("serving metrics on http://{addr}{}", config.path));
        Ok(())
    }

    pub fn stop_metrics(&self) {
        if let Ok(mut s) = self.server.lock()
            && let Some(old) = s.take()
        {
            let _ = old.stop.send(true);
        }
    }
}

/// Collect every `interval` on a dedicated thread until `stop` turns true.
pub fn spawn_collector(
    shared: Arc<Shared>,
    mut collector: Collector,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        loop {
            let deadline = Instant::now() + interval;
            // Wait out the interval, waking early on shutdown.
            while Instant::now() < deadline {
                if *stop.borrow_and_update() {
                    return;
                }
                std::thread::sleep(
                    Duration::from_millis(100)
                        .min(deadline.saturating_duration_since(Instant::now())),
                );
            }
            let mut span = crate::telemetry::span("metrics.collect");
            let snap = collector.collect();
            span.set("metrics.families", snap.families.len());
            if !snap.errors.is_empty() {
                span.fail(&snap.errors.join("; "));
            }
            span.end();
            shared.store(snap);
        }
    })
}

/// First collection: twice, 250 ms apart, so rates are defined from the first scrape.
pub fn prime(config: CollectorConfig) -> (Collector, Snapshot) {
    let mut collector = Collector::new(config);
    collector.collect();
    std::thread::sleep(Duration::from_millis(250));
    let first = collector.collect();
    (collector, first)
}

/// [`Runtime`] for the daemon.
pub struct DaemonRuntime {
    pub shared: Arc<Shared>,
    pub alerting: Arc<Engine>,
}

impl Runtime for DaemonRuntime {
    fn mode(&self) -> &'static str {
        "daemon"
    }

    fn uptime_seconds(&self) -> u64 {
        self.shared.started.elapsed().as_secs()
    }

    fn metrics(&self) -> Result<serde_json::Value> {
        let mut snap = (*self.shared.snapshot()).clone();
        snap.families.extend(self.shared.extra_families());
        snap.families.sort_by(|a, b| a.name.cmp(&b.name));
        serde_json::to_value(&snap).map_err(|e| Error::caused("encoding metrics", e))
    }

    fn metric(&self, name: &str) -> Result<Option<serde_json::Value>> {
        let snap = self.shared.snapshot();
        let extra = self.shared.extra_families();
        let name = crate::metrics::canonical_name(name);
        snap.family(name)
            .or_else(|| extra.iter().find(|f| f.name == name))
            .map(|f| serde_json::to_value(f).map_err(|e| Error::caused("encoding metrics", e)))
            .transpose()
    }

    fn cpu_average(&self) -> Option<crate::health::node::CpuAverage> {
        self.shared.cpu_average()
    }

    /// The runner's view; checks it has not picked up yet (just created) show as unknown.
    fn check_statuses(&self, checks: &[Check]) -> Vec<CheckStatus> {
        let running = self.shared.runner.statuses();
        checks
            .iter()
            .map(|c| {
                running
                    .iter()
                    .find(|s| s.name == c.name)
                    .cloned()
                    .unwrap_or_else(|| {
                        Tracker::new(c, std::time::Instant::now())
                            .report(c, &crate::health::autoheal::Healer::off())
                    })
            })
            .collect()
    }

    fn run_check(&self, check: &Check) -> ProbeResult {
        let parent = crate::telemetry::trace::current();
        self.shared
            .handle
            .block_on(crate::health::runner::traced_probe(check, parent.as_ref()))
    }

    fn checks_changed(&self) {
        self.shared.runner.changed();
    }

    fn telemetry(&self) -> Option<&Arc<Telemetry>> {
        Some(&self.shared.telemetry)
    }

    fn handle(&self) -> Option<tokio::runtime::Handle> {
        Some(self.shared.handle.clone())
    }

    fn status_page_link(&self) -> Result<crate::target::call::StatusPageLink> {
        let code = self.shared.page_sessions.new_code()?;
        Ok(crate::target::call::StatusPageLink {
            url: format!("{}/ui/login?code={code}", self.shared.api_url),
            expires_in_seconds: super::status_page::CODE_TTL.as_secs(),
        })
    }

    fn apply_metrics(&self, config: &MetricsConfig) -> Result<()> {
        self.shared.apply(config)
    }

    fn alerts(&self, _local: &Local, query: &AlertQuery) -> Result<AlertList> {
        Ok(self.alerting.alerts(query))
    }

    fn alert(&self, _local: &Local, id: &str) -> Result<Option<Alert>> {
        Ok(self.alerting.alert(id))
    }

    fn test_channel(&self, _local: &Local, name: &str) -> Result<TestResult> {
        self.alerting.test_channel(name)
    }

    fn allows_private_destinations(&self) -> bool {
        self.alerting.allows_private()
    }
}
