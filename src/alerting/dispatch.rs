//! Delivery to every channel, each isolated: its own bounded queue and its own task that
//! sends one notification at a time with retries. A channel that is down or hangs only delays
//! its own queue; when that queue is full, new notifications for it are dropped, counted and
//! logged instead of piling up.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::group::Notification;
use super::notify::{Sender, resolve_secrets};
use crate::messages::Messages;
use crate::model::{Channel, SecretRef};
use crate::net::jitter;
use crate::net::retry::{RetryPolicy, SendError};
use crate::store::SecretStore;

/// Per-channel delivery counts (the `hivemind_notifications_*_total` counters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Notifications taken from the queue to be delivered (each once, however many attempts).
    pub total: u64,
    /// Notifications given up on: a failure that is not retried, or the retry budget spent.
    pub failed: u64,
    /// Notifications never attempted because the channel's queue was full.
    pub dropped: u64,
}

struct Job {
    notification: Arc<Notification>,
    /// The channel as configured when the notification was queued.
    channel: Channel<SecretRef>,
}

struct Worker {
    tx: mpsc::Sender<Job>,
    task: tokio::task::JoinHandle<()>,
}

/// What every worker shares.
struct Shared {
    sender: Arc<Sender>,
    secrets: Arc<SecretStore>,
    policy: RetryPolicy,
    counters: Mutex<BTreeMap<String, Counters>>,
    msg: Messages,
}

impl Shared {
    fn count(&self, channel: &str, f: impl FnOnce(&mut Counters)) {
        if let Ok(mut c) = self.counters.lock() {
            f(c.entry(channel.to_string()).or_default());
        }
    }
}

pub struct Dispatcher {
    handle: tokio::runtime::Handle,
    shared: Arc<Shared>,
    queue_size: usize,
    workers: Mutex<BTreeMap<String, Worker>>,
}

impl Dispatcher {
    pub fn new(
        handle: tokio::runtime::Handle,
        sender: Arc<Sender>,
        secrets: Arc<SecretStore>,
        policy: RetryPolicy,
        queue_size: usize,
        msg: Messages,
    ) -> Self {
        Dispatcher {
            handle,
            shared: Arc::new(Shared {
                sender,
                secrets,
                policy,
                counters: Mutex::new(BTreeMap::new()),
                msg,
            }),
            queue_size: queue_size.max(1),
            workers: Mutex::new(BTreeMap::new()),
        }
    }

    /// Start a worker for every new channel and stop those of removed channels (their queued
    /// notifications are discarded: the channel no longer exists).
    pub fn sync(&self, channels: &BTreeMap<String, Channel<SecretRef>>) {
        let Ok(mut workers) = self.workers.lock() else {
            return;
        };
        workers.retain(|name, w| {
            let keep = channels.contains_key(name);
            if !keep {
                w.task.abort();
            }
            keep
        });
        for name in channels.keys() {
            if workers.contains_key(name) {
                continue;
            }
            // Counters exist from the start, so the series are there before anything fails.
            self.shared.count(name, |_| {});
            let (tx, rx) = mpsc::channel(self.queue_size);
            let task = self
                .handle
                .spawn(work(name.clone(), rx, Arc::clone(&self.shared)));
            workers.insert(name.clone(), Worker { tx, task });
        }
    }

    /// Queue `n` for every channel; never waits.
    pub fn dispatch(&self, n: &Arc<Notification>, channels: &BTreeMap<String, Channel<SecretRef>>) {
        self.sync(channels);
        let Ok(workers) = self.workers.lock() else {
            return;
        };
        for (name, channel) in channels {
            let Some(worker) = workers.get(name) else {
                continue;
            };
            let job = Job {
                notification: Arc::clone(n),
                channel: channel.clone(),
            };
            if worker.tx.try_send(job).is_err() {
                self.shared.count(name, |c| c.dropped += 1);
                self.shared.msg.warn(&format!(
                    "alert channel {name}: queue full ({} waiting); dropped notification {}",
                    self.queue_size,
                    n.title()
                ));
            }
        }
    }

    pub fn counters(&self) -> BTreeMap<String, Counters> {
        self.shared
            .counters
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }

    /// Stop taking work and give the queues up to `grace` to drain.
    pub async fn shutdown(&self, grace: Duration) {
        let workers: Vec<Worker> = match self.workers.lock() {
            Ok(mut w) => std::mem::take(&mut *w).into_values().collect(),
            Err(_) => return,
        };
        let deadline = tokio::time::Instant::now() + grace;
        for Worker { tx, mut task } in workers {
            drop(tx);
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                task.abort();
            }
        }
    }
}

/// One channel's worker: deliver queued notifications in order until the queue closes.
async fn work(name: String, mut rx: mpsc::Receiver<Job>, shared: Arc<Shared>) {
    while let Some(job) = rx.recv().await {
        shared.count(&name, |c| c.total += 1);
        let title = job.notification.title();
        match deliver(&name, job, &shared).await {
            Ok(attempts) => shared.msg.status(&format!(
                "alert channel {name}: delivered {title}{}",
                if attempts > 1 {
                    format!(" (attempt {attempts})")
                } else {
                    String::new()
                }
            )),
            Err((e, attempts)) => {
                shared.count(&name, |c| c.failed += 1);
                let why = if e.retryable {
                    format!(
                        "retry budget of {} spent",
                        humantime::format_duration(shared.policy.budget)
                    )
                } else {
                    "not retried".to_string()
                };
                shared.msg.warn(&format!(
                    "alert channel {name}: gave up on {title} after {attempts} attempt{} ({why}): {}",
                    if attempts == 1 { "" } else { "s" },
                    e.message
                ));
            }
        }
    }
}

/// Deliver one job with retries; returns the number of attempts made.
async fn deliver(name: &str, job: Job, shared: &Shared) -> Result<u32, (SendError, u32)> {
    let secrets = Arc::clone(&shared.secrets);
    let owned = name.to_string();
    let channel =
        tokio::task::spawn_blocking(move || resolve_secrets(&owned, job.channel, &secrets))
            .await
            .map_err(|_| {
                (
                    SendError::permanent("reading the channel's secrets failed"),
                    0,
                )
            })?
            .map_err(|e| (SendError::permanent(e.to_string()), 0))?;
    let policy = shared.policy;
    let started = Instant::now();
    let mut attempt = 1;
    loop {
        match shared
            .sender
            .send(name, &channel, &job.notification, policy.attempt_timeout)
            .await
        {
            Ok(()) => return Ok(attempt),
            Err(e) if !e.retryable => return Err((e, attempt)),
            Err(e) => {
                let wait = policy.backoff(attempt, jitter(), e.retry_after);
                if started.elapsed() + wait > policy.budget {
                    return Err((e, attempt));
                }
                shared.msg.warn(&format!(
                    "alert channel {name}: attempt {attempt} failed, retrying in {:.1}s: {}",
                    wait.as_secs_f64(),
                    e.message
                ));
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
        }
    }
}
