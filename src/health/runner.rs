//! Check state (the status machine shared by the daemon's runner and one-off runs) and the
//! daemon's runner: every check on its own schedule (jittered start, monotonic clock, bounded
//! concurrency), auto-healing, and the health metrics.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, Semaphore};

use super::Status;
use super::autoheal::{Decision, HealState, Healer};
use super::probe::{self, ProbeResult};
use crate::messages::Messages;
use crate::metrics::{Family, Kind};
use crate::model::AutoHealingConfig;
use crate::model::check::{Check, CheckType};
use crate::store::StateStore;

/// Probes running at once across all checks.
pub const MAX_CONCURRENT_PROBES: usize = 64;
/// Runs remembered for the success rate.
const RATE_WINDOW: usize = 100;
/// Latency histogram buckets, seconds.
pub const LATENCY_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// A restart command may run this long before its process group is killed.
pub const RESTART_TIMEOUT: Duration = Duration::from_secs(120);

/// A check's state as reported by `health status` and `/api/health`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckStatus {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: CheckType,
    pub target: String,
    pub status: Status,
    pub consecutive_failures: u32,
    pub consecutive_successes: u32,
    /// The most recent run.
    pub last_result: Option<ProbeResult>,
    /// RFC 3339.
    pub last_run: Option<String>,
    pub last_error: Option<String>,
    /// RFC 3339 time of the last status change.
    pub last_change: Option<String>,
    pub restarts: u64,
    pub autoheal: HealState,
}

/// The status machine of one check.
#[derive(Debug, Clone)]
pub struct Tracker {
    pub status: Status,
    pub consecutive_failures: u32,
    pub consecutive_successes: u32,
    pub last_result: Option<ProbeResult>,
    pub last_run: Option<SystemTime>,
    pub last_error: Option<String>,
    pub last_change: Option<SystemTime>,
    /// Failures before this instant do not count (start period after start or restart).
    grace_until: Instant,
    recent: VecDeque<bool>,
    buckets: [u64; LATENCY_BUCKETS.len()],
    latency_sum: f64,
    runs: u64,
    pub failures_total: u64,
}

impl Tracker {
    pub fn new(check: &Check, now: Instant) -> Self {
        Tracker {
            status: Status::Unknown,
            consecutive_failures: 0,
            consecutive_successes: 0,
            last_result: None,
            last_run: None,
            last_error: None,
            last_change: None,
            grace_until: now + check.start_period.as_std(),
            recent: VecDeque::with_capacity(RATE_WINDOW),
            buckets: [0; LATENCY_BUCKETS.len()],
            latency_sum: 0.0,
            runs: 0,
            failures_total: 0,
        }
    }

    /// Fold in one result; returns the new status when it changed.
    pub fn observe(&mut self, check: &Check, r: &ProbeResult, now: Instant) -> Option<Status> {
        self.runs += 1;
        self.latency_sum += r.latency_seconds;
        for (i, le) in LATENCY_BUCKETS.iter().enumerate() {
            if r.latency_seconds <= *le {
                self.buckets[i] += 1;
            }
        }
        if self.recent.len() == RATE_WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back(r.ok);
        self.last_run = Some(SystemTime::now());
        self.last_result = Some(r.clone());
        let before = self.status;
        if r.ok {
            self.consecutive_successes += 1;
            self.consecutive_failures = 0;
            if self.consecutive_successes >= check.success_threshold {
                self.status = Status::Healthy;
            }
        } else {
            self.failures_total += 1;
            self.last_error = Some(r.message.clone());
            self.consecutive_successes = 0;
            // Docker's start-period rule: failures while starting do not count, unless the
            // target was already healthy.
            if now >= self.grace_until || self.status == Status::Healthy {
                self.consecutive_failures += 1;
                if self.consecutive_failures >= check.failure_threshold {
                    self.status = Status::Unhealthy;
                }
            }
        }
        (self.status != before).then(|| {
            self.last_change = Some(SystemTime::now());
            self.status
        })
    }

    /// A restart happened: give the target its start period again.
    pub fn restarted(&mut self, check: &Check, now: Instant) {
        self.grace_until = now + check.start_period.as_std();
        self.consecutive_failures = 0;
    }

    pub fn success_rate(&self) -> Option<f64> {
        (!self.recent.is_empty())
            .then(|| self.recent.iter().filter(|ok| **ok).count() as f64 / self.recent.len() as f64)
    }

    pub fn report(&self, check: &Check, healer: &Healer) -> CheckStatus {
        let ts =
            |t: &Option<SystemTime>| t.map(|t| humantime::format_rfc3339_seconds(t).to_string());
        CheckStatus {
            name: check.name.clone(),
            kind: check.probe.check_type(),
            target: check.probe.target(),
            status: self.status,
            consecutive_failures: self.consecutive_failures,
            consecutive_successes: self.consecutive_successes,
            last_result: self.last_result.clone(),
            last_run: ts(&self.last_run),
            last_error: self.last_error.clone(),
            last_change: ts(&self.last_change),
            restarts: healer.restarts_total,
            autoheal: healer.state,
        }
    }
}

/// Run `check` once inside a `health.check` span: a child of `parent` (an API request), or
/// the root of its own trace when the runner schedules it.
pub async fn traced_probe(
    check: &Check,
    parent: Option<&crate::telemetry::SpanContext>,
) -> ProbeResult {
    let mut span = crate::telemetry::Span::start(
        "health.check",
        crate::telemetry::trace::Kind::Internal,
        parent,
    );
    span.set("check.name", check.name.as_str());
    span.set("check.type", check.probe.check_type().as_str());
    span.set("check.target", check.probe.target());
    let result = probe::run(check).await;
    span.set("check.latency_seconds", result.latency_seconds);
    if !result.ok {
        span.fail(&result.message);
    }
    span.end();
    result
}

/// Run every check once, concurrently (embedded `health status`, `run-check`): one run decides
/// healthy or unhealthy, thresholds aside.
pub async fn run_once(checks: &[Check]) -> Vec<CheckStatus> {
    let limit = Arc::new(Semaphore::new(MAX_CONCURRENT_PROBES));
    let mut set = tokio::task::JoinSet::new();
    for (i, c) in checks.iter().cloned().enumerate() {
        let limit = Arc::clone(&limit);
        set.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let r = probe::run(&c).await;
            (i, c, r)
        });
    }
    let mut out: Vec<Option<CheckStatus>> = vec![None; checks.len()];
    while let Some(Ok((i, c, r))) = set.join_next().await {
        let one = Check {
            failure_threshold: 1,
            success_threshold: 1,
            ..c.clone()
        };
        let mut t = Tracker::new(&one, Instant::now());
        t.observe(&one, &r, Instant::now());
        out[i] = Some(t.report(&c, &Healer::off()));
    }
    out.into_iter().flatten().collect()
}

/// One check as the runner holds it.
struct Entry {
    check: Check,
    tracker: Tracker,
    healer: Healer,
    task: tokio::task::JoinHandle<()>,
}

/// Counters that outlive a check's redefinition.
#[derive(Default)]
struct Counters {
    restarts: BTreeMap<(String, &'static str), u64>,
}

/// The daemon's check runner.
pub struct Runner {
    store: StateStore,
    msg: Messages,
    entries: Mutex<BTreeMap<String, Entry>>,
    autoheal: Mutex<AutoHealingConfig>,
    counters: Mutex<Counters>,
    limit: Arc<Semaphore>,
    changed: Notify,
}

impl Runner {
    pub fn new(store: StateStore, msg: Messages) -> Arc<Self> {
        Arc::new(Runner {
            store,
            msg,
            entries: Mutex::new(BTreeMap::new()),
            autoheal: Mutex::new(AutoHealingConfig::default()),
            counters: Mutex::new(Counters::default()),
            limit: Arc::new(Semaphore::new(MAX_CONCURRENT_PROBES)),
            changed: Notify::new(),
        })
    }

    /// Ask for a reload of the checks and the auto-healing policy (after an API write).
    pub fn changed(&self) {
        self.changed.notify_one();
    }

    /// Keep the running checks in line with the state file: on start, on every change
    /// notice (API writes, and `watch`'s reports of hand edits), and every 10 s while `watch`
    /// is not active.
    pub async fn supervise(
        self: Arc<Self>,
        mut stop: tokio::sync::watch::Receiver<bool>,
        watch: crate::store::watch::StateWatch,
    ) {
        // The state file's identity at the last reconcile: the 10 s look for hand edits
        // parses the file only when it changed (an idle agent's CPU is measured).
        let stamp = |path: &std::path::Path| {
            use std::os::unix::fs::MetadataExt;
            std::fs::metadata(path)
                .ok()
                .map(|m| (m.ino(), m.len(), m.mtime(), m.mtime_nsec()))
        };
        let path = self.store.state_path();
        let mut seen = stamp(&path);
        self.reconcile();
        loop {
            tokio::select! {
                _ = self.changed.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(10)), if !watch.active() => {
                    if stamp(&path) == seen {
                        continue;
                    }
                }
                _ = stop.changed() => break,
            }
            seen = stamp(&path);
            self.reconcile();
        }
        if let Ok(mut entries) = self.entries.lock() {
            for (_, e) in std::mem::take(&mut *entries) {
                e.task.abort();
            }
        }
    }

    fn reconcile(self: &Arc<Self>) {
        let state = match self.store.load() {
            Ok(s) => s,
            Err(e) => {
                self.msg.warn(&format!("health checks not reloaded: {e}"));
                return;
            }
        };
        if let Ok(mut a) = self.autoheal.lock() {
            *a = state.auto_healing.clone();
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        entries.retain(|name, e| {
            let keep = state
                .checks
                .iter()
                .any(|c| &c.name == name && *c == e.check);
            if !keep {
                e.task.abort();
            }
            keep
        });
        for check in state.checks {
            if entries.contains_key(&check.name) {
                continue;
            }
            let now = Instant::now();
            let task = tokio::spawn(Arc::clone(self).run_check_loop(check.clone()));
            entries.insert(
                check.name.clone(),
                Entry {
                    tracker: Tracker::new(&check, now),
                    healer: Healer::default(),
                    check,
                    task,
                },
            );
        }
    }

    async fn run_check_loop(self: Arc<Self>, check: Check) {
        // Spread the first runs over the interval (at most 5 s) so checks do not fire in step.
        let first = check
            .interval
            .as_std()
            .min(Duration::from_secs(5))
            .mul_f64(crate::net::jitter());
        let mut ticker =
            tokio::time::interval_at(tokio::time::Instant::now() + first, check.interval.as_std());
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let result = {
                let _permit = Arc::clone(&self.limit).acquire_owned().await;
                traced_probe(&check, None).await
            };
            self.record(&check, &result);
        }
    }

    fn record(self: &Arc<Self>, check: &Check, result: &ProbeResult) {
        let cfg = self.autoheal.lock().map(|a| a.clone()).unwrap_or_default();
        let now = Instant::now();
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        let Some(e) = entries.get_mut(&check.name) else {
            return;
        };
        if e.check != *check {
            return;
        }
        if let Some(status) = e.tracker.observe(check, result, now) {
            let detail = if result.ok {
                String::new()
            } else {
                format!(": {}", result.message)
            };
            // A check that turns unhealthy is a warning, not news.
            let line = format!("check {} is now {}{detail}", check.name, status.as_str());
            if status == Status::Healthy {
                self.msg.status(&line);
            } else {
                self.msg.warn(&line);
            }
        }
        let unhealthy = e.tracker.status == Status::Unhealthy;
        match e.healer.decide(
            unhealthy,
            &cfg,
            !check.restart_command.is_empty(),
            now,
            crate::net::jitter(),
        ) {
            Decision::Nothing => {}
            Decision::GiveUp => {
                self.count_restart(&check.name, "gave_up");
                self.msg.warn(&format!(
                    "check {}: gave up after {} restarts (auto-healing budget spent; it resets after the target stays healthy)",
                    check.name, cfg.max_restarts
                ));
            }
            Decision::Restart { attempt } => {
                self.msg.status(&format!(
                    "check {}: restarting ({attempt}/{}) because it is unhealthy: {}",
                    check.name, cfg.max_restarts, result.message
                ));
                tokio::spawn(Arc::clone(self).restart(check.clone()));
            }
        }
    }

    async fn restart(self: Arc<Self>, check: Check) {
        let restart = Check {
            probe: crate::model::Probe::Command {
                command: check.restart_command.clone(),
            },
            timeout: crate::model::PromDuration::from_secs(RESTART_TIMEOUT.as_secs()),
            ..check.clone()
        };
        let mut span = crate::telemetry::span("health.restart");
        span.set("check.name", check.name.as_str());
        let result = probe::run(&restart).await;
        if !result.ok {
            span.fail(&result.message);
        }
        span.end();
        let outcome = if result.ok { "success" } else { "failure" };
        self.count_restart(&check.name, outcome);
        if result.ok {
            self.msg
                .status(&format!("check {}: restart command succeeded", check.name));
        } else {
            self.msg.warn(&format!(
                "check {}: restart command failed: {} {}",
                check.name,
                result.message,
                result.output.trim()
            ));
        }
        if let Ok(mut entries) = self.entries.lock()
            && let Some(e) = entries.get_mut(&check.name)
        {
            e.healer.restart_done();
            e.tracker.restarted(&check, Instant::now());
        }
    }

    fn count_restart(&self, check: &str, result: &'static str) {
        if let Ok(mut c) = self.counters.lock() {
            *c.restarts.entry((check.to_string(), result)).or_default() += 1;
        }
    }

    /// The status of every running check, by name.
    pub fn statuses(&self) -> Vec<CheckStatus> {
        let Ok(entries) = self.entries.lock() else {
            return Vec::new();
        };
        entries
            .values()
            .map(|e| e.tracker.report(&e.check, &e.healer))
            .collect()
    }

    /// The health metric families.
    pub fn families(&self) -> Vec<Family> {
        let mut status = Family::new(
            "hivemind_health_check_status",
            "Check status: 1 healthy, 0 unhealthy (absent while unknown).",
            Kind::Gauge,
        );
        let mut rate = Family::new(
            "hivemind_health_check_success_rate",
            "Share of the last 100 runs that succeeded, 0 to 1.",
            Kind::Gauge,
        );
        let mut latency = Family::new(
            "hivemind_health_check_latency_seconds",
            "Check run latency.",
            Kind::Histogram,
        );
        let mut failures = Family::new(
            "hivemind_health_check_failures_total",
            "Failed check runs.",
            Kind::Counter,
        );
        let mut restarts = Family::new(
            "hivemind_autoheal_restarts_total",
            "Auto-healing restarts by outcome (success, failure, gave_up).",
            Kind::Counter,
        );
        if let Ok(entries) = self.entries.lock() {
            for (name, e) in entries.iter() {
                let labels = vec![("check".to_string(), name.clone())];
                match e.tracker.status {
                    Status::Healthy => status.push(labels.clone(), 1.0),
                    Status::Unhealthy => status.push(labels.clone(), 0.0),
                    Status::Unknown => {}
                }
                if let Some(r) = e.tracker.success_rate() {
                    rate.push(labels.clone(), r);
                }
                let buckets: Vec<(f64, u64)> = LATENCY_BUCKETS
                    .iter()
                    .copied()
                    .zip(e.tracker.buckets)
                    .collect();
                latency.push_histogram(
                    labels.clone(),
                    &buckets,
                    e.tracker.latency_sum,
                    e.tracker.runs,
                );
                failures.push(labels, e.tracker.failures_total as f64);
            }
        }
        if let Ok(c) = self.counters.lock() {
            for ((check, result), n) in &c.restarts {
                restarts.push(
                    vec![
                        ("check".into(), check.clone()),
                        ("result".into(), (*result).into()),
                    ],
                    *n as f64,
                );
            }
        }
        vec![restarts, failures, latency, status, rate]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Probe, PromDuration};

    fn check(fail: u32, start: u64) -> Check {
        Check {
            name: "c".into(),
            probe: Probe::Tcp {
                address: "127.0.0.1:1".into(),
            },
            interval: PromDuration::from_secs(10),
            timeout: PromDuration::from_secs(1),
            failure_threshold: fail,
            success_threshold: 1,
            start_period: PromDuration::from_secs(start),
            restart_command: vec![],
        }
    }

    fn res(ok: bool) -> ProbeResult {
        ProbeResult {
            ok,
            latency_seconds: 0.02,
            message: if ok { "ok".into() } else { "refused".into() },
            output: String::new(),
        }
    }

    #[test]
    fn thresholds_and_start_period() {
        let c = check(3, 30);
        let t0 = Instant::now();
        let mut t = Tracker::new(&c, t0);
        // Failures in the start period do not count.
        for _ in 0..5 {
            assert_eq!(t.observe(&c, &res(false), t0), None);
        }
        assert_eq!(t.status, Status::Unknown);
        let later = t0 + Duration::from_secs(31);
        assert_eq!(t.observe(&c, &res(false), later), None);
        assert_eq!(t.observe(&c, &res(false), later), None);
        assert_eq!(t.observe(&c, &res(false), later), Some(Status::Unhealthy));
        assert_eq!(t.consecutive_failures, 3);
        assert_eq!(t.observe(&c, &res(true), later), Some(Status::Healthy));
        assert_eq!(t.consecutive_failures, 0);
        assert_eq!(t.failures_total, 8);
        assert!((t.success_rate().unwrap() - 1.0 / 9.0).abs() < 1e-9);
        assert_eq!(t.buckets[2], 9, "0.02 s falls in the 0.025 bucket");
    }

    #[test]
    fn histogram_family_passes_the_encoder() {
        let mut f = Family::new(
            "hivemind_health_check_latency_seconds",
            "x",
            Kind::Histogram,
        );
        f.push_histogram(
            vec![("check".into(), "c".into())],
            &[(0.1, 1), (1.0, 2)],
            0.6,
            2,
        );
        let text = crate::metrics::expose::encode([&f]);
        assert!(
            text.contains("# TYPE hivemind_health_check_latency_seconds histogram"),
            "{text}"
        );
        assert!(
            text.contains(
                "hivemind_health_check_latency_seconds_bucket{check=\"c\",le=\"+Inf\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains("hivemind_health_check_latency_seconds_sum{check=\"c\"} 0.6"),
            "{text}"
        );
    }
}
