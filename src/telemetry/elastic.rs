//! Shipping log records to Elasticsearch through the `_bulk` API: a bounded buffer that
//! logging only appends to (never waiting on the network), batches, per-item results (items
//! refused for good are dropped and counted, items refused for now are sent again), and
//! retries with exponential backoff while the cluster is away.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde::Deserialize;

use super::log::LogRecord;
use super::sender::Backoff;
use crate::model::{Level, Secret};

/// Records waiting to be shipped; beyond this the oldest are dropped (and counted).
pub const BUFFER_CAPACITY: usize = 10_000;
/// Documents per `_bulk` request.
pub const BATCH: usize = 500;
/// How often buffered records are sent when the batch is not full.
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// The longest wait between attempts while the cluster is unreachable.
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// How to reach the cluster.
#[derive(Clone)]
pub struct Target {
    /// Base URL without a trailing slash.
    pub endpoint: String,
    pub index: String,
    pub level: Level,
    pub auth: Auth,
}

/// Credentials for the cluster.
#[derive(Clone)]
pub enum Auth {
    None,
    Basic {
        username: String,
        password: Option<Secret>,
    },
    ApiKey(Secret),
}

impl Auth {
    pub fn apply(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::None => req,
            Auth::Basic { username, password } => {
                req.basic_auth(username, password.as_ref().map(Secret::expose))
            }
            Auth::ApiKey(key) => req.header("authorization", format!("ApiKey {}", key.expose())),
        }
    }
}

/// Counters, exposed as metrics and by `diagnose`.
#[derive(Debug, Default)]
pub struct ShipStats {
    pub shipped: AtomicU64,
    pub dropped_buffer_full: AtomicU64,
    pub dropped_rejected: AtomicU64,
    pub health: super::sender::SendHealth,
}

/// The shipper: the buffer, where it ships to, and its counters.
pub struct Shipper {
    buffer: Mutex<VecDeque<LogRecord>>,
    target: RwLock<Option<Target>>,
    pub stats: ShipStats,
    wake: tokio::sync::Notify,
}

impl Shipper {
    pub fn new() -> Arc<Shipper> {
        Arc::new(Shipper {
            buffer: Mutex::new(VecDeque::new()),
            target: RwLock::new(None),
            stats: ShipStats::default(),
            wake: tokio::sync::Notify::new(),
        })
    }

    /// Ship to `target`, or stop shipping (and forget the buffer) with `None`.
    pub fn configure(&self, target: Option<Target>) {
        if target.is_none()
            && let Ok(mut b) = self.buffer.lock()
        {
            b.clear();
        }
        if let Ok(mut t) = self.target.write() {
            *t = target;
        }
        self.wake.notify_one();
    }

    pub fn target(&self) -> Option<Target> {
        self.target.read().ok().and_then(|t| t.clone())
    }

    /// Whether records at `level` are shipped.
    pub fn wants(&self, level: Level) -> bool {
        self.target
            .read()
            .ok()
            .and_then(|t| t.as_ref().map(|t| level.passes(t.level)))
            .unwrap_or(false)
    }

    /// Append a record; when the buffer is full the oldest record is dropped.
    pub fn push(&self, record: LogRecord) {
        let Ok(mut b) = self.buffer.lock() else {
            return;
        };
        if b.len() >= BUFFER_CAPACITY {
            b.pop_front();
            self.stats
                .dropped_buffer_full
                .fetch_add(1, Ordering::Relaxed);
        }
        b.push_back(record);
        if b.len() >= BATCH {
            self.wake.notify_one();
        }
    }

    pub fn buffered(&self) -> usize {
        self.buffer.lock().map_or(0, |b| b.len())
    }

    fn take(&self, max: usize) -> Vec<LogRecord> {
        self.buffer.lock().map_or_else(
            |_| Vec::new(),
            |mut b| {
                let n = b.len().min(max);
                b.drain(..n).collect()
            },
        )
    }

    /// Put records back at the front, oldest first; what no longer fits is dropped.
    fn requeue(&self, records: Vec<LogRecord>) {
        let Ok(mut b) = self.buffer.lock() else {
            return;
        };
        for r in records.into_iter().rev() {
            if b.len() >= BUFFER_CAPACITY {
                self.stats
                    .dropped_buffer_full
                    .fetch_add(1, Ordering::Relaxed);
                continue;
            }
            b.push_front(r);
        }
    }
}

/// What one `_bulk` request did.
#[derive(Debug, Default, PartialEq)]
pub struct BulkOutcome {
    pub indexed: usize,
    /// `create` items whose `_id` the index already holds (409): sent before, not twice.
    pub conflicts: usize,
    /// Items to send again (429 or 5xx per item).
    pub retry: Vec<usize>,
    /// Items refused for good (mapping errors and other 4xx), with the first reason.
    pub rejected: usize,
    pub first_error: Option<String>,
}

/// A failed request as a whole.
#[derive(Debug, Clone)]
pub struct BulkError {
    pub status: Option<u16>,
    pub message: String,
}

/// The NDJSON body of a `_bulk` request: a `create` action per document (which also works
/// for data streams).
pub fn bulk_body(index: &str, docs: &[LogRecord]) -> String {
    let action = serde_json::json!({ "create": { "_index": index } }).to_string();
    let mut body = String::with_capacity(docs.len() * 300);
    for d in docs {
        body.push_str(&action);
        body.push('\n');
        body.push_str(&serde_json::to_string(d).unwrap_or_else(|_| "{}".into()));
        body.push('\n');
    }
    body
}

#[derive(Deserialize)]
struct BulkResponse {
    #[serde(default)]
    errors: bool,
    #[serde(default)]
    items: Vec<std::collections::HashMap<String, BulkItem>>,
}

/// One item's result: only what is read of it is kept (the rest of Elasticsearch's answer,
/// `_index`, `_shards`, `_seq_no`…, is skipped without building values).
#[derive(Deserialize)]
struct BulkItem {
    #[serde(default)]
    status: Option<u64>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

/// Read a `_bulk` answer for `n` documents.
pub fn read_bulk_response(body: &[u8], n: usize) -> Result<BulkOutcome, String> {
    use crate::model::input::{self, Input};
    let resp: BulkResponse = input::json(body, Input::PEER_ANSWER).map_err(|e| {
        format!("the answer is not a _bulk response ({e}); is the endpoint Elasticsearch?")
    })?;
    if resp.items.len() != n {
        return Err(format!(
            "the _bulk response has {} items for {n} documents",
            resp.items.len()
        ));
    }
    let mut out = BulkOutcome::default();
    for (i, item) in resp.items.iter().enumerate() {
        let result = item.values().next();
        let status = result
            .and_then(|r| r.status)
            .unwrap_or(if resp.errors { 500 } else { 201 });
        if (200..300).contains(&status) {
            out.indexed += 1;
        } else if status == 409 {
            out.conflicts += 1;
        } else if status == 429 || status >= 500 {
            out.retry.push(i);
        } else {
            out.rejected += 1;
            if out.first_error.is_none() {
                let reason = result
                    .and_then(|r| r.error.as_ref())
                    .map(|e| {
                        let kind = e.get("type").and_then(|t| t.as_str()).unwrap_or("error");
                        let why = e.get("reason").and_then(|t| t.as_str()).unwrap_or("");
                        format!("{kind}: {why}")
                    })
                    .unwrap_or_else(|| format!("HTTP {status}"));
                out.first_error = Some(crate::redact::redact_cut(&reason, 300));
            }
        }
    }
    Ok(out)
}

/// Send one `_bulk` request.
pub async fn send_bulk(
    http: &reqwest::Client,
    target: &Target,
    docs: &[LogRecord],
    refresh: bool,
) -> Result<BulkOutcome, BulkError> {
    post_bulk(
        http,
        target,
        bulk_body(&target.index, docs).into_bytes(),
        docs.len(),
        refresh,
    )
    .await
}

/// Send a `_bulk` body of `n` documents.
pub async fn post_bulk(
    http: &reqwest::Client,
    target: &Target,
    body: Vec<u8>,
    n: usize,
    refresh: bool,
) -> Result<BulkOutcome, BulkError> {
    let url = format!(
        "{}/_bulk{}",
        target.endpoint,
        if refresh { "?refresh=wait_for" } else { "" }
    );
    let req = http
        .post(url)
        .header("content-type", "application/x-ndjson")
        .body(body);
    let resp = target.auth.apply(req).send().await.map_err(|e| BulkError {
        status: None,
        message: crate::net::describe(&e),
    })?;
    let status = resp.status();
    let bytes = crate::net::read_body(resp, crate::model::input::Input::PEER_ANSWER.max_bytes())
        .await
        .map_err(|e| BulkError {
            status: Some(status.as_u16()),
            message: e.to_string(),
        })?;
    if !status.is_success() {
        let text = super::otlp::quoted_body(&bytes, 200);
        return Err(BulkError {
            status: Some(status.as_u16()),
            message: format!("HTTP {status} from Elasticsearch: {text}"),
        });
    }
    read_bulk_response(&bytes, n).map_err(|message| BulkError {
        status: Some(status.as_u16()),
        message,
    })
}

/// Ship until `stop`, then flush once.
pub async fn run(
    shipper: Arc<Shipper>,
    msg: crate::messages::Messages,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    const WHAT: &str = "log shipping";
    const THEN: &str = "records are buffered and retried; `hivemind observability diagnose --component logging` checks the pipeline";
    let http = super::otlp::client(Duration::from_secs(15));
    let mut backoff = Backoff::new(Duration::from_millis(500), MAX_BACKOFF);
    loop {
        let waiting = !backoff.wait().is_zero();
        // With nothing configured there is nothing to flush: sleep until `configure` wakes
        // this loop instead of waking every second (an idle agent's CPU is measured).
        let idle = shipper.target().is_none();
        let stopping = tokio::select! {
            _ = shipper.wake.notified(), if !waiting => false,
            _ = tokio::time::sleep(if waiting { backoff.wait() } else { FLUSH_EVERY }), if !idle => false,
            _ = stop.changed() => true,
        };
        let Some(target) = shipper.target() else {
            backoff.reset();
            if stopping {
                break;
            }
            continue;
        };
        // Drain everything there is (batch by batch) unless a batch fails.
        loop {
            let batch = shipper.take(BATCH);
            if batch.is_empty() {
                break;
            }
            let stats = &shipper.stats;
            match send_bulk(&http, &target, &batch, false).await {
                Ok(outcome) => {
                    stats
                        .shipped
                        .fetch_add(outcome.indexed as u64, Ordering::Relaxed);
                    stats
                        .dropped_rejected
                        .fetch_add(outcome.rejected as u64, Ordering::Relaxed);
                    if let Some(e) = &outcome.first_error {
                        msg.warn(&format!(
                            "Elasticsearch refused {} log record(s) for good: {e}",
                            outcome.rejected
                        ));
                    }
                    stats.health.succeeded(&msg, WHAT, &target.endpoint);
                    if !outcome.retry.is_empty() {
                        let mut batch: Vec<Option<LogRecord>> =
                            batch.into_iter().map(Some).collect();
                        let again: Vec<LogRecord> = outcome
                            .retry
                            .iter()
                            .filter_map(|i| batch.get_mut(*i).and_then(Option::take))
                            .collect();
                        shipper.requeue(again);
                        // The cluster pushed back on some items: give it a moment.
                        backoff.pause(Duration::from_millis(500));
                        break;
                    }
                    backoff.reset();
                }
                Err(e) => {
                    stats
                        .health
                        .failed(&msg, WHAT, &target.endpoint, &e.message, THEN);
                    if e.status.is_none_or(crate::net::retryable_status) {
                        shipper.requeue(batch);
                    } else {
                        stats
                            .dropped_rejected
                            .fetch_add(batch.len() as u64, Ordering::Relaxed);
                    }
                    backoff.grow();
                    break;
                }
            }
        }
        if stopping {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(msg: &str) -> LogRecord {
        LogRecord {
            timestamp: "2026-01-01T00:00:00.000Z".into(),
            level: Level::Info,
            message: msg.into(),
            service: "hivemind".into(),
            container_id: None,
            node_id: Some("n".into()),
            trace_id: None,
            span_id: None,
            metadata: serde_json::Map::new(),
        }
    }

    #[test]
    fn bulk_body_and_partial_failures() {
        let body = bulk_body("hivemind-logs", &[rec("a"), rec("b")]);
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], r#"{"create":{"_index":"hivemind-logs"}}"#);
        assert!(lines[1].contains(r#""message":"a""#));
        assert!(lines[1].contains(r#""container_id":null"#));
        let resp = br#"{"took":3,"errors":true,"items":[
            {"create":{"_index":"x","status":201}},
            {"create":{"_index":"x","status":429,"error":{"type":"es_rejected_execution_exception","reason":"busy"}}},
            {"create":{"_index":"x","status":400,"error":{"type":"mapper_parsing_exception","reason":"bad"}}}]}"#;
        let out = read_bulk_response(resp, 3).unwrap();
        assert_eq!(out.indexed, 1);
        assert_eq!(out.retry, vec![1]);
        assert_eq!(out.rejected, 1);
        assert_eq!(
            out.first_error.as_deref(),
            Some("mapper_parsing_exception: bad")
        );
        assert!(read_bulk_response(b"<html>", 1).is_err());
        assert!(read_bulk_response(resp, 2).is_err());
    }

    #[test]
    fn full_buffer_drops_the_oldest_and_counts() {
        let s = Shipper::new();
        for i in 0..BUFFER_CAPACITY + 5 {
            s.push(rec(&i.to_string()));
        }
        assert_eq!(s.buffered(), BUFFER_CAPACITY);
        assert_eq!(s.stats.dropped_buffer_full.load(Ordering::Relaxed), 5);
        let first = s.take(1);
        assert_eq!(first[0].message, "5");
        s.requeue(first);
        assert_eq!(s.take(1)[0].message, "5");
    }
}
