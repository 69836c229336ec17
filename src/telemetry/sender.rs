//! What the trace exporter and the log shipper share: their record of sends (failures, the
//! last success and failure, the last error, and one log line when sending starts failing and
//! one when it works again) and the growing, jittered wait between failed sends.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::messages::Messages;

/// A sender's record: read by its metrics and by `diagnose`.
#[derive(Debug, Default)]
pub struct SendHealth {
    pub failures: AtomicU64,
    /// Unix seconds of the last success and failure (0: never).
    pub last_success: AtomicU64,
    pub last_failure: AtomicU64,
    pub last_error: Mutex<Option<String>>,
    /// The last send failed (so the next success is announced).
    failing: AtomicBool,
}

/// A copy of the record at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendSummary {
    pub failures: u64,
    pub last_success: u64,
    pub last_failure: u64,
    pub last_error: Option<String>,
    /// The most recent send failed: what an operator sees right now.
    pub failing: bool,
}

impl SendHealth {
    /// A send to `destination` worked; the first success after failures is logged.
    pub fn succeeded(&self, msg: &Messages, what: &str, destination: &str) {
        self.last_success.store(unix_now(), Ordering::Relaxed);
        if self.failing.swap(false, Ordering::Relaxed) {
            msg.status(&format!("{what} to {destination} works again"));
        }
    }

    /// A send to `destination` failed with `error`; the first failure in a row is logged,
    /// with `then` saying what happens to the data and how to look into it.
    pub fn failed(&self, msg: &Messages, what: &str, destination: &str, error: &str, then: &str) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        self.last_failure.store(unix_now(), Ordering::Relaxed);
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(error.to_string());
        }
        if !self.failing.swap(true, Ordering::Relaxed) {
            msg.warn(&format!("{what} to {destination} failed: {error} ({then})"));
        }
    }

    pub fn summary(&self) -> SendSummary {
        SendSummary {
            failures: self.failures.load(Ordering::Relaxed),
            last_success: self.last_success.load(Ordering::Relaxed),
            last_failure: self.last_failure.load(Ordering::Relaxed),
            last_error: self.last_error.lock().ok().and_then(|e| e.clone()),
            failing: self.failing.load(Ordering::Relaxed),
        }
    }
}

/// The wait before the next send: none while sends work; after a failure it doubles from
/// `min` up to `max`, spread by ±20 % so that agents that failed together do not retry
/// together.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    wait: Duration,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Self {
        Backoff {
            min,
            max,
            wait: Duration::ZERO,
        }
    }

    /// The current wait (zero: none).
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// Sends work: no wait.
    pub fn reset(&mut self) {
        self.wait = Duration::ZERO;
    }

    /// A send failed: wait longer.
    pub fn grow(&mut self) {
        self.wait = (self.wait * 2)
            .max(self.min)
            .min(self.max)
            .mul_f64(0.8 + 0.4 * crate::net::jitter());
    }

    /// The receiver pushed back without failing: wait this long once.
    pub fn pause(&mut self, wait: Duration) {
        self.wait = wait;
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_bounds_with_jitter() {
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(8));
        assert_eq!(b.wait(), Duration::ZERO);
        b.grow();
        assert!(
            (400..=600).contains(&b.wait().as_millis()),
            "{:?}",
            b.wait()
        );
        for _ in 0..20 {
            b.grow();
        }
        assert!(b.wait() <= Duration::from_millis(9600), "{:?}", b.wait());
        assert!(b.wait() >= Duration::from_millis(6400), "{:?}", b.wait());
        b.reset();
        assert_eq!(b.wait(), Duration::ZERO);
    }

    #[test]
    fn the_record_says_whether_the_last_send_failed() {
        let h = SendHealth::default();
        let msg = Messages::silent();
        assert!(!h.summary().failing);
        h.failed(&msg, "trace export", "http://x", "HTTP 503", "retrying");
        let s = h.summary();
        assert!(s.failing);
        assert_eq!(s.failures, 1);
        assert_eq!(s.last_error.as_deref(), Some("HTTP 503"));
        h.failed(&msg, "trace export", "http://x", "HTTP 503", "retrying");
        assert_eq!(h.summary().failures, 2);
        // A success in the same second as the failure still ends the failing state.
        h.succeeded(&msg, "trace export", "http://x");
        assert!(!h.summary().failing);
        assert!(h.summary().last_success > 0);
    }
}
