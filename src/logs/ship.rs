//! Shipping the buffer: batches in order, `create` actions with the records' `_id`s. A batch
//! is acknowledged (and its buffer space freed) only when every item was created, was already
//! there (409) or was refused for good (counted); any item Elasticsearch pushes back on
//! (429, 5xx), or a failed request, sends the whole batch again after a growing pause; the
//! items created the first time then come back as 409s.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::Stats;
use super::spool::Spool;
use crate::messages::Messages;
use crate::telemetry::elastic::{self, Target};
use crate::telemetry::sender::Backoff;

/// Documents per request.
pub const BATCH_DOCS: usize = 2000;
/// Bytes per request, about.
pub const BATCH_BYTES: u64 = 4 * 1024 * 1024;
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// How long to wait for new records before looking again.
const IDLE: Duration = Duration::from_secs(1);

pub async fn run(
    spool: Arc<Spool>,
    target: Target,
    stats: Arc<Stats>,
    msg: Messages,
    wake: Arc<tokio::sync::Notify>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    const WHAT: &str = "workload log shipping";
    const THEN: &str = "records wait in the on-disk buffer and are sent again; `hivemind observability diagnose --component logging` checks the pipeline";
    let http = crate::telemetry::otlp::client(Duration::from_secs(30));
    let mut backoff = Backoff::new(Duration::from_millis(250), MAX_BACKOFF);
    loop {
        if *stop.borrow() {
            return;
        }
        let sp = Arc::clone(&spool);
        let batch = tokio::task::spawn_blocking(move || sp.read(BATCH_DOCS, BATCH_BYTES)).await;
        let batch = match batch {
            Ok(Ok(Some(b))) => b,
            Ok(Ok(None)) => {
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(IDLE) => {}
                    _ = stop.changed() => return,
                }
                continue;
            }
            Ok(Err(e)) => {
                msg.warn(&format!("workload logs: cannot read the buffer: {e}"));
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                    _ = stop.changed() => return,
                }
                continue;
            }
            Err(_) => return,
        };
        if batch.count == 0 {
            spool.ack(batch.end, &stats, 0);
            continue;
        }
        let n = batch.count;
        let body = batch.bulk_body(&target.index);
        let sent = tokio::select! {
            r = elastic::post_bulk(&http, &target, body, n, false) => r,
            _ = stop.changed() => return,
        };
        let retry = match sent {
            Ok(outcome) => {
                stats.health.succeeded(&msg, WHAT, &target.endpoint);
                if outcome.retry.is_empty() {
                    stats.shipped.fetch_add(
                        (outcome.indexed + outcome.conflicts) as u64,
                        Ordering::Relaxed,
                    );
                    stats
                        .conflicts
                        .fetch_add(outcome.conflicts as u64, Ordering::Relaxed);
                    stats.count_drop("rejected", outcome.rejected as u64);
                    if let Some(e) = &outcome.first_error {
                        msg.warn(&format!(
                            "Elasticsearch refused {} workload log record(s) for good: {e}",
                            outcome.rejected
                        ));
                    }
                    spool.ack(batch.end, &stats, n as u64);
                    backoff.reset();
                    false
                } else {
                    true
                }
            }
            Err(e) => {
                // Even a request refused as a whole (401, 403, 413) keeps its records: the
                // operator sees the error and can fix the credentials; the cap bounds the wait.
                stats
                    .health
                    .failed(&msg, WHAT, &target.endpoint, &e.message, THEN);
                true
            }
        };
        if retry {
            backoff.grow();
            tokio::select! {
                _ = tokio::time::sleep(backoff.wait()) => {}
                _ = stop.changed() => return,
            }
        }
    }
}
