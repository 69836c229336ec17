//! The daemon's live state: the latest metrics collection, the one collection scheduler,
//! scrape statistics, and the metrics listener, which `configure-metrics` moves without a
//! restart.
//!
//! The scheduler: while something needs history (alert rules, health checks, auto-healing,
//! or `health status` asking for the CPU window without PSI), the collector thread collects
//! every `--collect-interval`. Otherwise it collects only on demand: a scrape (or an API
//! read) whose latest collection is older than the interval asks for one and waits for it
//! (a few milliseconds); younger ones are served from the cache. Either way a scrape never
//! reads /proc itself.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
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
use crate::model::config::Compat;
use crate::model::{Check, MetricsConfig, MetricsPatch};
use crate::target::local::Local;
use crate::target::service::Runtime;
use crate::telemetry::Telemetry;

/// How far back `health status` averages the node's CPU in the daemon.
const CPU_WINDOW: Duration = Duration::from_secs(60);

/// A source of metric families exposed next to the collection (alerting's, for example).
type FamilySource = Box<dyn Fn() -> Vec<Family> + Send + Sync>;

/// How long `health status` keeps the collection at its cadence after asking for the CPU
/// window.
const CPU_WINDOW_INTEREST: Duration = Duration::from_secs(600);

/// How long a scrape waits for a collection it asked for before it serves the last one.
const DEMAND_WAIT: Duration = Duration::from_secs(5);

/// The running metrics listener.
struct MetricsServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
}

/// What the daemon's start-up flags set for this run, over the saved configuration. A
/// `configure-metrics` that sets a field drops its override (see [`Shared::apply`]).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--metrics-listen`.
    pub listen: Option<SocketAddr>,
    /// `--metrics-path`.
    pub path: Option<String>,
    /// `--compat`.
    pub compat: Option<Compat>,
}

impl Overrides {
    /// `saved` with these overrides applied.
    pub fn effective(&self, saved: &MetricsConfig) -> MetricsConfig {
        let mut c = saved.clone();
        if let Some(a) = self.listen {
            c.listen_address = a.ip();
            c.port = a.port();
        }
        if let Some(p) = &self.path {
            c.path.clone_from(p);
        }
        if let Some(m) = self.compat {
            c.compat = m;
        }
        c
    }

    /// The overrides left once `patch` is applied: the fields it sets are the user's now.
    fn after(&self, patch: &MetricsPatch) -> Overrides {
        let mut o = self.clone();
        if patch.listen_address.is_some() || patch.port.is_some() {
            o.listen = None;
        }
        if patch.path.is_some() {
            o.path = None;
        }
        if patch.compat.is_some() {
            o.compat = None;
        }
        o
    }
}

/// The scheduler's shared state, guarded by one mutex and signalled by one condvar.
#[derive(Default)]
struct Sched {
    /// A collection was asked for (a scrape found the cache too old).
    wanted: bool,
    stop: bool,
    /// `health status` asked for the CPU window: keep the cadence until then.
    cpu_window_until: Option<Instant>,
    /// New options for the next collection (`configure-metrics`).
    options: Option<crate::metrics::Options>,
    /// Bumped after every collection.
    generation: u64,
    /// The state file changed: ask `needs_history` again now.
    recheck: bool,
}

/// Whether something needs a history of collections (rules, checks, auto-healing).
pub type HistoryNeed = Box<dyn Fn() -> bool + Send + Sync>;

pub struct Shared {
    started: Instant,
    /// The latest collection and when it was made.
    snapshot: RwLock<(Arc<Snapshot>, Instant)>,
    sched: Mutex<Sched>,
    wake: Condvar,
    /// The collection interval: the cadence, and the age a scrape accepts.
    interval: Duration,
    overrides: Mutex<Overrides>,
    /// `--process-metrics`.
    process_metrics: bool,
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
    /// Each entry: when the collection was stored, its busy percent, and the time since the
    /// collection before it, which that percent covers.
    cpu_history: Mutex<std::collections::VecDeque<(Instant, f64, Duration)>>,
    /// The connection limits the metrics listener shares with the API's.
    connections: Arc<super::serve::Connections>,
    /// Bumped after every collection, so that rule evaluation follows it at once.
    collections: watch::Sender<u64>,
    sources: RwLock<Vec<FamilySource>>,
}

impl Shared {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        handle: tokio::runtime::Handle,
        msg: Messages,
        first: Snapshot,
        runner: Arc<Runner>,
        telemetry: Arc<Telemetry>,
        api_url: String,
        connections: Arc<super::serve::Connections>,
        schedule: Schedule,
    ) -> Arc<Self> {
        Arc::new(Shared {
            started: Instant::now(),
            snapshot: RwLock::new((Arc::new(first), Instant::now())),
            sched: Mutex::new(Sched::default()),
            wake: Condvar::new(),
            interval: schedule.interval,
            overrides: Mutex::new(schedule.overrides),
            process_metrics: schedule.process_metrics,
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

    /// The latest collection, whatever its age.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot_aged().0
    }

    fn snapshot_aged(&self) -> (Arc<Snapshot>, Instant) {
        match self.snapshot.read() {
            Ok(s) => (Arc::clone(&s.0), s.1),
            Err(poisoned) => {
                let s = poisoned.into_inner();
                (Arc::clone(&s.0), s.1)
            }
        }
    }

    fn lock_sched(&self) -> std::sync::MutexGuard<'_, Sched> {
        self.sched.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Ask the collector thread for a collection now.
    fn request(&self) {
        self.lock_sched().wanted = true;
        self.wake.notify_all();
    }

    /// A collection at most one interval old: the cached one, or a new one asked for and
    /// waited for (at most [`DEMAND_WAIT`]; then the last one is served).
    pub async fn fresh_snapshot(&self) -> Arc<Snapshot> {
        let (snap, at) = self.snapshot_aged();
        if at.elapsed() <= self.interval {
            return snap;
        }
        let mut collections = self.collections.subscribe();
        self.request();
        let _ = tokio::time::timeout(DEMAND_WAIT, collections.changed()).await;
        self.snapshot()
    }

    /// [`Shared::fresh_snapshot`] for blocking callers (the API service runs on blocking
    /// threads).
    pub fn fresh_snapshot_blocking(&self) -> Arc<Snapshot> {
        let (snap, at) = self.snapshot_aged();
        if at.elapsed() <= self.interval {
            return snap;
        }
        let mut sched = self.lock_sched();
        let generation = sched.generation;
        sched.wanted = true;
        self.wake.notify_all();
        let deadline = Instant::now() + DEMAND_WAIT;
        while sched.generation == generation && !sched.stop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            sched = match self.wake.wait_timeout(sched, left) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
        drop(sched);
        self.snapshot()
    }

    /// The state file changed (rules or checks may have come or gone): the collector
    /// thread looks again at whether it needs its cadence.
    pub fn state_changed(&self) {
        self.lock_sched().recheck = true;
        self.wake.notify_all();
    }

    /// Stop the collector thread.
    pub fn stop_collecting(&self) {
        self.lock_sched().stop = true;
        self.wake.notify_all();
    }

    fn store(&self, snap: Snapshot) {
        let busy = snap
            .family("hivemind_node_cpu_usage")
            .and_then(|f| f.samples.first())
            .map(|s| s.value)
            .filter(|v| v.is_finite());
        let previous = self.snapshot_aged().1;
        if let (Some(busy), Ok(mut h)) = (busy, self.cpu_history.lock()) {
            let now = Instant::now();
            h.push_back((now, busy, now.duration_since(previous)));
            while h
                .front()
                .is_some_and(|(t, _, _)| now.duration_since(*t) > CPU_WINDOW)
            {
                h.pop_front();
            }
        }
        if let Ok(mut s) = self.snapshot.write() {
            *s = (Arc::new(snap), Instant::now());
        }
        {
            let mut sched = self.lock_sched();
            sched.generation = sched.generation.wrapping_add(1);
        }
        self.wake.notify_all();
        self.collections.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The average of the last minute's collections (each covers the interval before it).
    /// Asking keeps the collection at its cadence for a while, so that the window fills.
    pub fn cpu_average(&self) -> Option<crate::health::node::CpuAverage> {
        {
            let mut sched = self.lock_sched();
            let until = Instant::now() + CPU_WINDOW_INTEREST;
            if sched.cpu_window_until.is_none_or(|u| u < until) {
                sched.cpu_window_until = Some(until);
            }
        }
        self.wake.notify_all();
        // Collections may have paused (on demand only): one now covers the time since the
        // last, and the history then says over how long.
        self.fresh_snapshot_blocking();
        let mut h = self.cpu_history.lock().ok()?;
        let now = Instant::now();
        while h
            .front()
            .is_some_and(|(t, _, _)| now.duration_since(*t) > CPU_WINDOW)
        {
            h.pop_front();
        }
        // Each collection's percent weighs by the time it covers.
        let window: Duration = h.iter().map(|(_, _, covers)| *covers).sum();
        if window.is_zero() {
            return None;
        }
        let busy = h
            .iter()
            .map(|(_, v, covers)| v * covers.as_secs_f64())
            .sum::<f64>()
            / window.as_secs_f64();
        Some(crate::health::node::CpuAverage {
            busy_percent: busy,
            window,
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

    /// Serve metrics as `saved` says, with the start-up flags' overrides that `patch` (a
    /// `configure-metrics` during this run) leaves in place. Binding happens here,
    /// synchronously, so a port in use is reported to the caller and the old listener keeps
    /// running; so is a filter that does not compile (a hand-edited state file).
    pub fn apply(
        self: &Arc<Self>,
        saved: &MetricsConfig,
        patch: Option<&MetricsPatch>,
    ) -> Result<()> {
        let overrides = {
            let o = self.overrides.lock().unwrap_or_else(|p| p.into_inner());
            match patch {
                Some(p) => o.after(p),
                None => o.clone(),
            }
        };
        let effective = overrides.effective(saved);
        let config = &effective;
        let options = crate::metrics::Options::from_config(config, self.process_metrics)?;
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
        *self.overrides.lock().unwrap_or_else(|p| p.into_inner()) = overrides;
        self.lock_sched().options = Some(options);
        self.wake.notify_all();
        let compat = match config.compat {
            Compat::None => String::new(),
            c => format!(" (with the {} view)", c.as_str()),
        };
        self.msg.status(&format!(
            "serving metrics on http://{addr}{}{compat}",
            config.path
        ));
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

/// How the scheduler runs: the interval, the start-up overrides and `--process-metrics`.
pub struct Schedule {
    pub interval: Duration,
    pub overrides: Overrides,
    pub process_metrics: bool,
}

/// Run the scheduler on a dedicated thread until [`Shared::stop_collecting`]: at the
/// interval while `needs_history` says so (or `health status` asked for the CPU window),
/// otherwise only when a scrape asks. `needs_history` is asked again when `watch` reports a
/// change of the state file ([`Shared::state_changed`]), or once per interval while the
/// watch is not active: an idle agent with a watch sleeps until a scrape comes.
pub fn spawn_collector(
    shared: Arc<Shared>,
    mut collector: Collector,
    needs_history: HistoryNeed,
    watch: crate::store::watch::StateWatch,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("hivemind-collect".into())
        // Collecting reads files into small buffers; a small stack keeps the thread cheap.
        .stack_size(256 * 1024)
        .spawn(move || {
            let interval = shared.interval;
            let mut last = Instant::now();
            loop {
                let cadence = needs_history();
                let due = last + interval;
                let mut sched = shared.lock_sched();
                let collect = loop {
                    if sched.stop {
                        return;
                    }
                    if let Some(o) = sched.options.take() {
                        collector.set_options(o);
                    }
                    let now = Instant::now();
                    let window = sched.cpu_window_until.is_some_and(|u| u > now);
                    if sched.wanted {
                        break true;
                    }
                    if std::mem::take(&mut sched.recheck) {
                        // Ask `needs_history` again before anything else.
                        break false;
                    }
                    let timed = cadence || window || !watch.active();
                    if timed && now >= due {
                        // Due: collect at the cadence, or only look again at what needs it.
                        break cadence || window;
                    }
                    sched = if timed {
                        match shared.wake.wait_timeout(sched, due - now) {
                            Ok((g, _)) => g,
                            Err(p) => p.into_inner().0,
                        }
                    } else {
                        shared.wake.wait(sched).unwrap_or_else(|p| p.into_inner())
                    };
                };
                sched.wanted = false;
                drop(sched);
                if !collect {
                    last = Instant::now();
                    continue;
                }
                let mut span = crate::telemetry::span("metrics.collect");
                let snap = collector.collect();
                span.set("metrics.families", snap.families.len());
                if !snap.errors.is_empty() {
                    span.fail(&snap.errors.join("; "));
                }
                span.end();
                shared.store(snap);
                // The previous collection's buffers are free now: hand them back.
                super::memory::trim();
                last = Instant::now();
            }
        })
}

/// Whether the state in `store` has alert rules, health checks or auto-healing: they need
/// the collection at its cadence. The file is parsed again only when it changes.
pub fn history_need(store: crate::store::StateStore) -> HistoryNeed {
    let cache: Mutex<Option<(Option<std::time::SystemTime>, bool)>> = Mutex::new(None);
    Box::new(move || {
        let stamp = std::fs::metadata(store.state_path())
            .and_then(|m| m.modified())
            .ok();
        let mut c = cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((s, need)) = *c
            && s == stamp
        {
            return need;
        }
        // An unreadable state is treated as needing history: collecting is the safe side.
        let need = store.load().map_or(true, |s| {
            !s.rules.is_empty() || !s.checks.is_empty() || s.auto_healing.enabled
        });
        *c = Some((stamp, need));
        need
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
        let mut snap = (*self.shared.fresh_snapshot_blocking()).clone();
        snap.families.extend(self.shared.extra_families());
        snap.families.sort_by(|a, b| a.name.cmp(&b.name));
        serde_json::to_value(&snap).map_err(|e| Error::caused("encoding metrics", e))
    }

    fn metric(&self, name: &str) -> Result<Option<serde_json::Value>> {
        let snap = self.shared.fresh_snapshot_blocking();
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

    fn apply_metrics(&self, config: &MetricsConfig, patch: &MetricsPatch) -> Result<()> {
        self.shared.apply(config, Some(patch))
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
