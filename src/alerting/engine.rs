//! The daemon's alerting: evaluates the stored rules on every metrics collection, notifies the
//! stored channels, keeps the alerts for the API, persists them across restarts, and exposes
//! its own metrics. Also the one-shot forms used without a daemon.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::dispatch::{Counters, Dispatcher};
use super::eval::{Evaluator, Tracked, Transition};
use super::group::{Origin, Planner};
use super::notify::{self, Sender, TestResult, resolve_secrets};
use super::{rfc3339, unix_millis};
use crate::error::{Error, Result};
use crate::messages::Messages;
use crate::metrics::{Family, Kind};
use crate::model::alert::{Alert, AlertList, AlertQuery, AlertState, fmt_value};
use crate::model::input::{self, Input};
use crate::model::profile::CaptureSpec;
use crate::model::{AlertRule, Channel, Secret, SecretRef, Severity};
use crate::net::retry::RetryPolicy;
use crate::store::fs::{read_input, write_atomic};
use crate::store::{SecretStore, StateStore};

/// The file (in the data directory) that keeps alerts across restarts, so that an alert that
/// fired before a restart and ended meanwhile is still resolved at its receivers.
pub const ALERTS_FILE: &str = "alerts.json";

/// How the daemon alerts.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Reach private and loopback notification destinations.
    pub allow_private: bool,
    /// Notify a group again after this long while any of its alerts keeps firing.
    pub repeat_interval: Duration,
    /// Notifications waiting per channel before new ones are dropped.
    pub queue_size: usize,
    pub retry: RetryPolicy,
    pub origin: Origin,
}

#[derive(Debug, Serialize, Deserialize)]
struct AlertsFile {
    version: u32,
    alerts: Vec<Tracked>,
}

struct Inner {
    evaluator: Evaluator,
    planner: Planner,
    /// The last readable rules and channels: a state file that turns unreadable does not
    /// resolve every alert.
    rules: Vec<AlertRule>,
    channels: BTreeMap<String, Channel<SecretRef>>,
    state_error: Option<String>,
    /// (id, state) of what was last written to the alerts file.
    persisted: Vec<(String, AlertState)>,
    /// How long the last evaluation of every rule took (history update included).
    last_evaluation: Duration,
}

/// Called when an alert of a rule with `--capture-profile` starts firing: the rule's name,
/// the alert (its labels name the target) and what to take. Must not block.
pub type CaptureHook = Box<dyn Fn(&str, &Alert, CaptureSpec) + Send + Sync>;

pub struct Engine {
    capture: Mutex<Option<CaptureHook>>,
    store: StateStore,
    secrets: Arc<SecretStore>,
    file: PathBuf,
    inner: Mutex<Inner>,
    dispatcher: Dispatcher,
    sender: Arc<Sender>,
    origin: Origin,
    handle: tokio::runtime::Handle,
    msg: Messages,
}

impl Engine {
    /// Alerts kept by the previous run are restored from the data directory.
    pub fn new(
        store: StateStore,
        secrets: SecretStore,
        data_dir: PathBuf,
        handle: tokio::runtime::Handle,
        options: EngineOptions,
        msg: Messages,
    ) -> Result<Engine> {
        let secrets = Arc::new(secrets);
        let sender = Arc::new(Sender::new(options.allow_private)?);
        let file = data_dir.join(ALERTS_FILE);
        let restored = match read_input(&file, Input::ALERTS) {
            Ok(None) => Vec::new(),
            Ok(Some(text)) => match text
                .and_then(|text| input::json::<AlertsFile>(text.as_bytes(), Input::ALERTS))
            {
                Ok(f) if f.version == 1 => f.alerts,
                Ok(f) => {
                    msg.warn(&format!(
                        "{}: version {} is not supported; starting without earlier alerts",
                        file.display(),
                        f.version
                    ));
                    Vec::new()
                }
                Err(e) => {
                    msg.warn(&format!(
                        "{}: {e}; starting without earlier alerts",
                        file.display()
                    ));
                    Vec::new()
                }
            },
            Err(e) => {
                msg.warn(&format!("{e}; starting without earlier alerts"));
                Vec::new()
            }
        };
        let persisted = restored.iter().map(|a| (a.id.clone(), a.state)).collect();
        let dispatcher = Dispatcher::new(
            handle.clone(),
            Arc::clone(&sender),
            Arc::clone(&secrets),
            options.retry,
            options.queue_size,
            msg.clone(),
        );
        Ok(Engine {
            capture: Mutex::new(None),
            store,
            secrets,
            file,
            inner: Mutex::new(Inner {
                evaluator: Evaluator::restore(restored),
                planner: Planner::new(options.repeat_interval),
                rules: Vec::new(),
                channels: BTreeMap::new(),
                state_error: None,
                persisted,
                last_evaluation: Duration::ZERO,
            }),
            dispatcher,
            sender,
            origin: options.origin,
            handle,
            msg,
        })
    }

    /// Profile the targets of firing alerts whose rule asks for it (the daemon).
    pub fn set_capture(&self, hook: CaptureHook) {
        if let Ok(mut c) = self.capture.lock() {
            *c = Some(hook);
        }
    }

    pub fn allows_private(&self) -> bool {
        self.sender.allows_private()
    }

    /// Evaluate the stored rules over `families` (what `/metrics` exposes) and queue the
    /// notifications due. Blocking: reads the state file.
    pub fn evaluate(&self, families: &[&Family], now: SystemTime) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        match self.store.load() {
            Ok(state) => {
                if inner.state_error.take().is_some() {
                    self.msg
                        .status("state file readable again; alert rules reloaded");
                }
                inner.rules = state.rules;
                inner.channels = state.channels;
            }
            Err(e) => {
                let message = e.to_string();
                if inner.state_error.as_deref() != Some(message.as_str()) {
                    self.msg.warn(&format!(
                        "{message}; evaluating the last readable alert rules"
                    ));
                    inner.state_error = Some(message);
                }
            }
        }
        let now = unix_millis(now);
        let inner = &mut *inner;
        let started = std::time::Instant::now();
        let outcome = inner
            .evaluator
            .evaluate_collection(&inner.rules, families, now);
        inner.last_evaluation = started.elapsed();
        for (rule, error) in &outcome.new_errors {
            self.msg.warn(&format!(
                "alert rule {rule}: evaluation failed: {error}; its alerts keep their state"
            ));
        }
        let transitions = outcome.transitions;
        let notifications = inner
            .planner
            .plan(&transitions, &inner.evaluator, now, &self.origin);
        for t in &transitions {
            if let Some(a) = inner.evaluator.get(t.id()) {
                let what = match t {
                    Transition::Fired(_) => format!(
                        "firing: {}",
                        a.annotations.get("summary").map_or("", String::as_str)
                    ),
                    Transition::Resolved(_) => {
                        format!("resolved (last value while active: {})", fmt_value(a.value))
                    }
                };
                self.msg
                    .status(&format!("alert {} {} {what}", a.rule, a.id));
                if let Transition::Fired(_) = t
                    && let Some(spec) = inner
                        .rules
                        .iter()
                        .find(|r| r.name == a.rule)
                        .and_then(AlertRule::capture)
                    && let Ok(hook) = self.capture.lock()
                    && let Some(hook) = hook.as_ref()
                {
                    hook(&a.rule, &a.to_alert(), spec);
                }
            }
        }
        self.persist(inner);
        let channels = inner.channels.clone();
        if notifications.is_empty() {
            self.dispatcher.sync(&channels);
        }
        for n in notifications {
            self.dispatcher.dispatch(&Arc::new(n), &channels);
        }
    }

    /// Write the alerts file when the set of alerts or their states changed.
    fn persist(&self, inner: &mut Inner) {
        let now: Vec<(String, AlertState)> = inner
            .evaluator
            .alerts()
            .map(|a| (a.id.clone(), a.state))
            .collect();
        if now == inner.persisted {
            return;
        }
        let file = AlertsFile {
            version: 1,
            alerts: inner.evaluator.alerts().cloned().collect(),
        };
        let written = serde_json::to_vec(&file)
            .map_err(|e| Error::caused("encoding alerts", e))
            .and_then(|bytes| write_atomic(&self.file, &bytes));
        match written {
            Ok(()) => inner.persisted = now,
            Err(e) => self
                .msg
                .warn(&format!("keeping alerts across restarts: {e}")),
        }
    }

    /// The alerts in the states asked for.
    pub fn alerts(&self, query: &AlertQuery) -> AlertList {
        let Ok(inner) = self.inner.lock() else {
            return AlertList {
                mode: "daemon".into(),
                evaluated_at: None,
                alerts: Vec::new(),
            };
        };
        list(
            "daemon",
            inner.evaluator.evaluated_at(),
            inner.evaluator.alerts(),
            query,
        )
    }

    pub fn alert(&self, id: &str) -> Option<Alert> {
        self.inner
            .lock()
            .ok()
            .and_then(|i| i.evaluator.get(id).map(Tracked::to_alert))
    }

    /// `hivemind_alerts{state,severity}` and the per-channel notification counters.
    pub fn families(&self) -> Vec<Family> {
        let mut counts: BTreeMap<(AlertState, Severity), usize> = BTreeMap::new();
        let mut rule_stats = (0.0, 0.0, 0.0, 0.0);
        if let Ok(inner) = self.inner.lock() {
            for a in inner.evaluator.alerts() {
                *counts.entry((a.state, a.severity)).or_default() += 1;
            }
            let h = inner.evaluator.history();
            rule_stats = (
                inner.last_evaluation.as_secs_f64(),
                h.series_count() as f64,
                h.sample_count() as f64,
                h.approx_bytes() as f64,
            );
        }
        let gauge = |name: &str, help: &str, v: f64| {
            let mut f = Family::new(name, help, Kind::Gauge);
            f.push(Vec::new(), v);
            f
        };
        let mut alerts = Family::new(
            "hivemind_alerts",
            "Alerts of this agent's rules by state (pending, firing) and severity.",
            Kind::Gauge,
        );
        for state in [AlertState::Firing, AlertState::Pending] {
            for severity in [Severity::Critical, Severity::Info, Severity::Warning] {
                let n = counts.get(&(state, severity)).copied().unwrap_or(0);
                alerts.push(
                    vec![
                        ("severity".into(), severity.as_str().into()),
                        ("state".into(), state.as_str().into()),
                    ],
                    n as f64,
                );
            }
        }
        alerts.samples.sort_by(|a, b| a.labels.cmp(&b.labels));
        let counters = self.dispatcher.counters();
        let counter = |name: &str, help: &str, get: fn(&Counters) -> u64| {
            let mut f = Family::new(name, help, Kind::Counter);
            for (channel, c) in &counters {
                f.push(vec![("channel".into(), channel.clone())], get(c) as f64);
            }
            f
        };
        vec![
            alerts,
            gauge(
                "hivemind_rule_evaluation_seconds",
                "How long the last evaluation of every alert rule on the node took, history update included.",
                rule_stats.0,
            ),
            gauge(
                "hivemind_rule_history_series",
                "Series kept in the alert rules' in-memory history.",
                rule_stats.1,
            ),
            gauge(
                "hivemind_rule_history_samples",
                "Samples kept in the alert rules' in-memory history (staleness markers included).",
                rule_stats.2,
            ),
            gauge(
                "hivemind_rule_history_bytes",
                "Bytes the alert rules' in-memory history holds (samples and label sets, estimated).",
                rule_stats.3,
            ),
            counter(
                "hivemind_notifications_total",
                "Notifications handed to each alert channel for delivery (once each, however many attempts).",
                |c| c.total,
            ),
            counter(
                "hivemind_notifications_failed_total",
                "Notifications given up on per alert channel: an error that is not retried, or the retry budget spent.",
                |c| c.failed,
            ),
            counter(
                "hivemind_notifications_dropped_total",
                "Notifications dropped unsent per alert channel because its queue was full.",
                |c| c.dropped,
            ),
        ]
    }

    /// Send a test notification to channel `name` now (blocking; call off the async workers).
    pub fn test_channel(&self, name: &str) -> Result<TestResult> {
        let channel = channel_with_secrets(&self.store, &self.secrets, name)?;
        let result = self.handle.block_on(notify::test(
            &self.sender,
            name,
            &channel,
            self.origin.clone(),
        ));
        match &result.error {
            None => self.msg.status(&format!(
                "alert channel {name}: test notification delivered"
            )),
            Some(e) => self.msg.warn(&format!(
                "alert channel {name}: test notification failed: {e}"
            )),
        }
        Ok(result)
    }

    /// Stop delivering, giving queued notifications up to `grace`.
    pub async fn shutdown(&self, grace: Duration) {
        self.dispatcher.shutdown(grace).await;
    }
}

/// A stored channel with its secrets read, or a not-found error naming the known channels.
pub fn channel_with_secrets(
    store: &StateStore,
    secrets: &SecretStore,
    name: &str,
) -> Result<Channel<Secret>> {
    let state = store.load()?;
    let Some(channel) = state.channels.get(name) else {
        let known: Vec<&str> = state.channels.keys().map(String::as_str).collect();
        let hint = if known.is_empty() {
            "there are no alert channels".to_string()
        } else {
            format!("known: {}", known.join(", "))
        };
        return Err(Error::NotFound(format!(
            "no alert channel named '{name}' ({hint})"
        )));
    };
    resolve_secrets(name, channel.clone(), secrets)
}

/// Without a daemon: send a test notification from this process. Private destinations are
/// allowed here: the user already has this machine's network, so nothing is gained by
/// refusing, unlike an agent answering remote API calls.
pub fn test_channel_once(
    store: &StateStore,
    secrets: &SecretStore,
    name: &str,
    origin: Origin,
) -> Result<TestResult> {
    let channel = channel_with_secrets(store, secrets, name)?;
    let sender = Sender::new(true)?;
    let fut = notify::test(&sender, name, &channel, origin);
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => Ok(handle.block_on(fut)),
        Err(_) => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::io("starting the async runtime", e))?;
            Ok(rt.block_on(fut))
        }
    }
}

/// Without a daemon: evaluate `rules` once over `families`, as of now. Nothing has a history,
/// so rules with a `for` duration can only be pending.
pub fn evaluate_once(rules: &[AlertRule], families: &[&Family], query: &AlertQuery) -> AlertList {
    let mut ev = Evaluator::new();
    ev.evaluate(rules, families, unix_millis(SystemTime::now()));
    list("once", ev.evaluated_at(), ev.alerts(), query)
}

fn list<'a>(
    mode: &str,
    evaluated_at: Option<u64>,
    alerts: impl Iterator<Item = &'a Tracked>,
    query: &AlertQuery,
) -> AlertList {
    let states = query.effective();
    let mut alerts: Vec<Alert> = alerts
        .filter(|a| states.contains(&a.state))
        .map(Tracked::to_alert)
        .collect();
    let order = |s: AlertState| match s {
        AlertState::Firing => 0,
        AlertState::Pending => 1,
        AlertState::Resolved => 2,
    };
    alerts.sort_by(|a, b| (order(a.state), &a.rule, &a.id).cmp(&(order(b.state), &b.rule, &b.id)));
    AlertList {
        mode: mode.into(),
        evaluated_at: evaluated_at.map(rfc3339),
        alerts,
    }
}
