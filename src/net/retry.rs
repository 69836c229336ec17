//! The delivery retry policy: a timeout per attempt, exponential backoff with jitter between
//! attempts, a total budget, and which failures are worth retrying at all.

use std::time::Duration;

/// Why one delivery attempt failed, and whether trying again could help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// For logs and `test-alert-channel`. Often built from the receiver's answer, so the
    /// constructors redact it: it never contains a secret.
    pub message: String,
    /// Connect errors, timeouts, HTTP 408/429/5xx and SMTP 4xx replies are retried;
    /// everything else (HTTP 4xx, refused destinations, SMTP 5xx, TLS failures) is not.
    pub retryable: bool,
    /// What the receiver asked for in `Retry-After`, if anything.
    pub retry_after: Option<Duration>,
}

impl SendError {
    pub fn retryable(message: impl Into<String>) -> Self {
        SendError::new(message, true)
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        SendError::new(message, false)
    }

    /// A failure whose `message` may quote the receiver: every known secret (and URL
    /// credentials) in it is replaced by `<secret>`.
    pub fn new(message: impl Into<String>, retryable: bool) -> Self {
        SendError {
            message: crate::redact::redacted(message.into()),
            retryable,
            retry_after: None,
        }
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Whether an HTTP status is worth retrying: 408 Request Timeout, 429 Too Many Requests and
/// every 5xx. Other 4xx mean the request itself is wrong and would fail again.
pub fn retryable_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..600).contains(&status)
}

/// Timing of retries for one notification on one channel.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// How long one attempt may take (connect, send, answer).
    pub attempt_timeout: Duration,
    /// The wait before the second attempt; it doubles after each failure.
    pub initial_backoff: Duration,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
    /// No attempt starts later than this after the first one.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempt_timeout: Duration::from_secs(10),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            budget: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based): the exponential step, scaled
    /// by `jitter` in [0, 1) into its upper half ("equal jitter"), so that many agents that
    /// failed together do not retry together, yet the wait never collapses to nothing. A
    /// receiver's `Retry-After` is honoured when longer, up to the maximum backoff.
    pub fn backoff(&self, attempt: u32, jitter: f64, retry_after: Option<Duration>) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(
                1u32.checked_shl(attempt.saturating_sub(1).min(16))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_backoff);
        let jittered = exp.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0));
        match retry_after {
            Some(asked) if asked > jittered => asked.min(self.max_backoff),
            _ => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_statuses_are_retried() {
        for s in [408, 429, 500, 502, 503, 504, 599] {
            assert!(retryable_status(s), "{s}");
        }
        for s in [200, 301, 400, 401, 403, 404, 410, 413, 422] {
            assert!(!retryable_status(s), "{s}");
        }
    }

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1, 0.0, None), Duration::from_millis(250));
        assert_eq!(p.backoff(1, 0.999_999, None).as_millis(), 499);
        assert_eq!(p.backoff(2, 0.0, None), Duration::from_millis(500));
        assert_eq!(p.backoff(4, 1.0, None), Duration::from_secs(4));
        assert_eq!(p.backoff(30, 1.0, None), Duration::from_secs(30));
        assert_eq!(p.backoff(40, 0.0, None), Duration::from_secs(15));
        // Retry-After: honoured when longer, capped.
        assert_eq!(
            p.backoff(1, 0.0, Some(Duration::from_secs(5))),
            Duration::from_secs(5)
        );
        assert_eq!(
            p.backoff(1, 0.0, Some(Duration::from_secs(3600))),
            Duration::from_secs(30)
        );
    }
}
