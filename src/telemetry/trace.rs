//! Spans: W3C trace context (`traceparent`/`tracestate`), a small span API for every part of
//! the agent, a bounded ring of recent spans for `/api/traces`, and the queue the OTLP
//! exporter drains.
//!
//! The tracer is process-wide ([`install`]) so that any module can open a span with
//! [`span`] without threading a handle through. Until the daemon installs it, spans are inert
//! and cost nothing, which is what the short-lived CLI wants.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Spans kept for `/api/traces`.
pub const RING_CAPACITY: usize = 4096;
/// Spans waiting for export; beyond this the oldest are dropped (and counted).
pub const QUEUE_CAPACITY: usize = 8192;

/// A W3C trace context: who the parent is, and whether it was sampled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanContext {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    pub sampled: bool,
    /// The vendor `tracestate` list, passed on unchanged.
    pub tracestate: Option<String>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != N * 2 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    loop {
        if getrandom::fill(&mut b).is_err() {
            // No OS randomness: fall back to the clock mixed with a counter; ids only need to
            // be unique, not unpredictable.
            static SEQ: AtomicU64 = AtomicU64::new(1);
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            let seq = SEQ.fetch_add(1, Ordering::Relaxed);
            for (i, o) in b.iter_mut().enumerate() {
                *o = ((nanos ^ seq.rotate_left(i as u32 * 7)) >> ((i % 8) * 8)) as u8;
            }
        }
        // All-zero ids are invalid in W3C trace context.
        if b.iter().any(|x| *x != 0) {
            return b;
        }
    }
}

impl SpanContext {
    /// A fresh root context (new trace id).
    pub fn new_root(sampled: bool) -> Self {
        SpanContext {
            trace_id: random(),
            span_id: random(),
            sampled,
            tracestate: None,
        }
    }

    pub fn trace_id_hex(&self) -> String {
        hex(&self.trace_id)
    }

    pub fn span_id_hex(&self) -> String {
        hex(&self.span_id)
    }

    /// `00-<trace id>-<span id>-<flags>`.
    pub fn traceparent(&self) -> String {
        format!(
            "00-{}-{}-{}",
            self.trace_id_hex(),
            self.span_id_hex(),
            if self.sampled { "01" } else { "00" }
        )
    }

    /// Parse a `traceparent` header (version 00, or a later version read as 00 as the spec
    /// asks). Invalid or all-zero ids give `None`: the receiver then starts a new trace.
    pub fn parse(traceparent: &str, tracestate: Option<&str>) -> Option<SpanContext> {
        let t = traceparent.trim().to_ascii_lowercase();
        let mut parts = t.split('-');
        let version = parts.next()?;
        let trace = parts.next()?;
        let span = parts.next()?;
        let flags = parts.next()?;
        if version.len() != 2 || version == "ff" || unhex::<1>(version).is_none() {
            return None;
        }
        if version == "00" && parts.next().is_some() {
            return None;
        }
        let trace_id = unhex::<16>(trace)?;
        let span_id = unhex::<8>(span)?;
        let flags = unhex::<1>(flags)?[0];
        if trace_id == [0; 16] || span_id == [0; 8] {
            return None;
        }
        let tracestate = tracestate
            .map(str::trim)
            .filter(|s| {
                !s.is_empty() && s.len() <= 512 && s.bytes().all(|b| (0x20..0x7f).contains(&b))
            })
            .map(str::to_string);
        Some(SpanContext {
            trace_id,
            span_id,
            sampled: flags & 1 == 1,
            tracestate,
        })
    }

    /// The context a client should send: `TRACEPARENT`/`TRACESTATE` from the environment when
    /// a CI job set them (so the call joins that trace), else a new sampled trace.
    pub fn for_outgoing_call() -> SpanContext {
        std::env::var("TRACEPARENT")
            .ok()
            .and_then(|tp| SpanContext::parse(&tp, std::env::var("TRACESTATE").ok().as_deref()))
            .unwrap_or_else(|| SpanContext::new_root(true))
    }
}

/// An attribute value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

/// What a span represents (OTLP span kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Internal,
    Server,
    Client,
}

/// A finished span, as kept in the ring and exported.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpanRecord {
    pub trace_id: String,
    pub span_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_span_id: Option<String>,
    pub name: String,
    pub kind: Kind,
    /// RFC 3339 with microseconds.
    pub start: String,
    pub start_unix_nanos: u64,
    pub duration_seconds: f64,
    /// Seed attributes (`operation.name`, `node.id`, `container.id`, `error`) and others.
    pub attributes: BTreeMap<String, Value>,
    /// `ok` or `error`.
    pub status: String,
    /// Whether the trace was sampled for export.
    pub sampled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracestate: Option<String>,
}

impl SpanRecord {
    pub fn end_unix_nanos(&self) -> u64 {
        self.start_unix_nanos + (self.duration_seconds * 1e9) as u64
    }
}

/// Who the spans are from (OTLP resource attributes).
#[derive(Debug, Clone)]
pub struct Resource {
    pub service_name: String,
    pub service_version: String,
    pub node_id: String,
}

/// Counters of the export pipeline, exposed as metrics and by `diagnose`.
#[derive(Debug, Default)]
pub struct ExportStats {
    pub exported: AtomicU64,
    pub dropped: AtomicU64,
    pub health: super::sender::SendHealth,
}

/// The process-wide span recorder.
pub struct Tracer {
    resource: RwLock<Resource>,
    /// Applied to traces this process starts; a remote parent's flag is followed instead.
    sample_ratio: RwLock<f64>,
    ring: Mutex<VecDeque<SpanRecord>>,
    queue: Mutex<VecDeque<SpanRecord>>,
    /// Whether sampled spans are queued for export (an exporter is configured).
    exporting: std::sync::atomic::AtomicBool,
    pub stats: ExportStats,
    pub wake: tokio::sync::Notify,
}

static TRACER: OnceLock<Arc<Tracer>> = OnceLock::new();

/// Make spans real in this process (the daemon calls this once at start).
pub fn install(resource: Resource) -> Arc<Tracer> {
    Arc::clone(TRACER.get_or_init(|| {
        Arc::new(Tracer {
            resource: RwLock::new(resource),
            sample_ratio: RwLock::new(1.0),
            ring: Mutex::new(VecDeque::with_capacity(256)),
            queue: Mutex::new(VecDeque::new()),
            exporting: std::sync::atomic::AtomicBool::new(false),
            stats: ExportStats::default(),
            wake: tokio::sync::Notify::new(),
        })
    }))
}

/// The installed tracer, if any.
pub fn tracer() -> Option<&'static Arc<Tracer>> {
    TRACER.get()
}

impl Tracer {
    pub fn resource(&self) -> Resource {
        self.resource
            .read()
            .map(|r| r.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Apply `configure-tracing`: the service name, the ratio and whether to export.
    pub fn configure(&self, service_name: &str, sample_ratio: f64, exporting: bool) {
        if let Ok(mut r) = self.resource.write() {
            r.service_name = service_name.to_string();
        }
        if let Ok(mut s) = self.sample_ratio.write() {
            *s = sample_ratio;
        }
        self.exporting.store(exporting, Ordering::Relaxed);
        if !exporting && let Ok(mut q) = self.queue.lock() {
            q.clear();
        }
    }

    /// The sampling decision for a trace this process starts: the trace id's low 8 bytes
    /// against the ratio, so that every span of one trace gets the same answer.
    fn sample_root(&self, trace_id: &[u8; 16]) -> bool {
        let ratio = self.sample_ratio.read().map_or(1.0, |r| *r);
        if ratio >= 1.0 {
            return true;
        }
        let mut low = [0u8; 8];
        low.copy_from_slice(&trace_id[8..]);
        let x = u64::from_be_bytes(low) >> 11;
        (x as f64) < ratio * (1u64 << 53) as f64
    }

    fn record(&self, span: SpanRecord) {
        if span.sampled
            && self.exporting.load(Ordering::Relaxed)
            && let Ok(mut q) = self.queue.lock()
        {
            if q.len() >= QUEUE_CAPACITY {
                q.pop_front();
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            }
            q.push_back(span.clone());
            if q.len() >= super::otlp::BATCH {
                self.wake.notify_one();
            }
        }
        if let Ok(mut ring) = self.ring.lock() {
            if ring.len() >= RING_CAPACITY {
                ring.pop_front();
            }
            ring.push_back(span);
        }
    }

    /// Take up to `max` spans from the export queue.
    pub fn take_batch(&self, max: usize) -> Vec<SpanRecord> {
        self.queue.lock().map_or_else(
            |_| Vec::new(),
            |mut q| {
                let n = q.len().min(max);
                q.drain(..n).collect()
            },
        )
    }

    /// Put a batch that failed to export back at the front (oldest first), dropping what
    /// no longer fits.
    pub fn requeue(&self, batch: Vec<SpanRecord>) {
        if !self.exporting.load(Ordering::Relaxed) {
            return;
        }
        if let Ok(mut q) = self.queue.lock() {
            for span in batch.into_iter().rev() {
                if q.len() >= QUEUE_CAPACITY {
                    self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                q.push_front(span);
            }
        }
    }

    pub fn queued(&self) -> usize {
        self.queue.lock().map_or(0, |q| q.len())
    }

    /// The recent spans, oldest first.
    pub fn recent(&self) -> Vec<SpanRecord> {
        self.ring
            .lock()
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default()
    }
}

thread_local! {
    /// The span that work on this thread belongs to (set by [`Span::enter`]).
    static CURRENT: RefCell<Option<SpanContext>> = const { RefCell::new(None) };
}

/// The context of the span this thread is working in, if any.
pub fn current() -> Option<SpanContext> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Run `f` with `context` as the thread's current span (work handed to another thread).
pub fn with_current<R>(context: SpanContext, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| c.replace(Some(context)));
    let out = f();
    CURRENT.with(|c| *c.borrow_mut() = previous);
    out
}

/// An open span. It ends (and is recorded) when dropped or on [`Span::end`].
pub struct Span {
    inner: Option<Open>,
}

struct Open {
    tracer: &'static Arc<Tracer>,
    context: SpanContext,
    parent: Option<[u8; 8]>,
    name: String,
    kind: Kind,
    start: SystemTime,
    attributes: BTreeMap<String, Value>,
    error: Option<String>,
}

/// Open a span named `name` (also its `operation.name`), a child of this thread's current
/// span or the root of a new trace.
pub fn span(name: &str) -> Span {
    Span::start(name, Kind::Internal, current().as_ref())
}

impl Span {
    /// Open a span with an explicit parent (a remote `traceparent`, or a span on another task).
    pub fn start(name: &str, kind: Kind, parent: Option<&SpanContext>) -> Span {
        let Some(tracer) = tracer() else {
            return Span { inner: None };
        };
        let context = match parent {
            Some(p) => SpanContext {
                trace_id: p.trace_id,
                span_id: random(),
                sampled: p.sampled,
                tracestate: p.tracestate.clone(),
            },
            None => {
                let mut c = SpanContext::new_root(true);
                c.sampled = tracer.sample_root(&c.trace_id);
                c
            }
        };
        let mut attributes = BTreeMap::new();
        attributes.insert("operation.name".to_string(), Value::from(name));
        attributes.insert(
            "node.id".to_string(),
            Value::from(tracer.resource().node_id),
        );
        Span {
            inner: Some(Open {
                tracer,
                context,
                parent: parent.map(|p| p.span_id),
                name: name.to_string(),
                kind,
                start: SystemTime::now(),
                attributes,
                error: None,
            }),
        }
    }

    /// Whether this span is being recorded (a tracer is installed).
    pub fn is_recording(&self) -> bool {
        self.inner.is_some()
    }

    pub fn context(&self) -> Option<SpanContext> {
        self.inner.as_ref().map(|o| o.context.clone())
    }

    /// Set an attribute; a text value is redacted (a path or target may carry a secret).
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        if let Some(o) = &mut self.inner {
            let value = match value.into() {
                Value::Str(s) => Value::Str(crate::redact::redacted(s)),
                other => other,
            };
            o.attributes.insert(key.to_string(), value);
        }
    }

    /// Mark the span failed; `message`, redacted and then cut to 1 KiB, becomes its `error`
    /// attribute.
    pub fn fail(&mut self, message: &str) {
        if let Some(o) = &mut self.inner {
            o.error = Some(crate::redact::redact_cut(message, 1024));
        }
    }

    /// Run `f` with this span as the thread's current span (logs and child spans inside
    /// join it).
    pub fn enter<R>(&self, f: impl FnOnce() -> R) -> R {
        let ctx = self.context();
        let previous = CURRENT.with(|c| c.replace(ctx));
        let out = f();
        CURRENT.with(|c| *c.borrow_mut() = previous);
        out
    }

    pub fn end(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        let Some(mut o) = self.inner.take() else {
            return;
        };
        let start_unix_nanos = o
            .start
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let duration_seconds = o.start.elapsed().map_or(0.0, |d| d.as_secs_f64());
        let status = match &o.error {
            Some(e) => {
                o.attributes
                    .insert("error".to_string(), Value::Str(e.clone()));
                "error"
            }
            None => "ok",
        };
        o.tracer.record(SpanRecord {
            trace_id: o.context.trace_id_hex(),
            span_id: o.context.span_id_hex(),
            parent_span_id: o.parent.map(|p| hex(&p)),
            name: o.name,
            kind: o.kind,
            start: humantime::format_rfc3339_micros(o.start).to_string(),
            start_unix_nanos,
            duration_seconds,
            attributes: o.attributes,
            status: status.to_string(),
            sampled: o.context.sampled,
            tracestate: o.context.tracestate,
        });
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        self.finish();
    }
}

/// One trace as listed by `/api/traces`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TraceSummary {
    pub trace_id: String,
    /// The root span's name (the earliest span when the root is not in the ring).
    pub root: String,
    pub start: String,
    pub duration_seconds: f64,
    pub spans: usize,
    pub errors: usize,
    pub sampled: bool,
}

/// Group spans into traces, newest first.
pub fn summarize(spans: &[SpanRecord]) -> Vec<TraceSummary> {
    let mut by_trace: BTreeMap<&str, Vec<&SpanRecord>> = BTreeMap::new();
    for s in spans {
        by_trace.entry(&s.trace_id).or_default().push(s);
    }
    let mut out: Vec<(u64, TraceSummary)> = by_trace
        .into_iter()
        .map(|(id, spans)| {
            let ids: std::collections::HashSet<&str> =
                spans.iter().map(|s| s.span_id.as_str()).collect();
            let first = spans
                .iter()
                .min_by_key(|s| s.start_unix_nanos)
                .copied()
                .unwrap_or(spans[0]);
            let root = spans
                .iter()
                .filter(|s| s.parent_span_id.as_deref().is_none_or(|p| !ids.contains(p)))
                .min_by_key(|s| s.start_unix_nanos)
                .copied()
                .unwrap_or(first);
            let end = spans.iter().map(|s| s.end_unix_nanos()).max().unwrap_or(0);
            (
                first.start_unix_nanos,
                TraceSummary {
                    trace_id: id.to_string(),
                    root: root.name.clone(),
                    start: first.start.clone(),
                    duration_seconds: end.saturating_sub(first.start_unix_nanos) as f64 / 1e9,
                    spans: spans.len(),
                    errors: spans.iter().filter(|s| s.status == "error").count(),
                    sampled: first.sampled,
                },
            )
        })
        .collect();
    out.sort_by_key(|t| std::cmp::Reverse(t.0));
    out.into_iter().map(|(_, t)| t).collect()
}

/// A trace id as given by a user: 32 lower-case hex digits, not all zero.
pub fn trace_id(text: &str) -> std::result::Result<String, String> {
    let t = text.to_ascii_lowercase();
    match unhex::<16>(&t) {
        Some(id) if id != [0; 16] => Ok(t),
        _ => Err("a trace id of 32 hex digits".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_round_trip_and_rejects() {
        let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let c = SpanContext::parse(tp, Some("congo=t61rcWkgMzE")).unwrap();
        assert_eq!(c.traceparent(), tp);
        assert!(c.sampled);
        assert_eq!(c.tracestate.as_deref(), Some("congo=t61rcWkgMzE"));
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "garbage",
        ] {
            assert!(SpanContext::parse(bad, None).is_none(), "{bad}");
        }
        // A later version with extra fields is read as version 00.
        let future = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-xyz";
        assert!(!SpanContext::parse(future, None).unwrap().sampled);
        let root = SpanContext::new_root(true);
        assert_eq!(SpanContext::parse(&root.traceparent(), None).unwrap(), root);
    }

    #[test]
    fn summaries_group_by_trace() {
        let mk =
            |trace: &str, span: &str, parent: Option<&str>, start: u64, err: bool| SpanRecord {
                trace_id: trace.into(),
                span_id: span.into(),
                parent_span_id: parent.map(Into::into),
                name: format!("op-{span}"),
                kind: Kind::Internal,
                start: String::new(),
                start_unix_nanos: start,
                duration_seconds: 1.0,
                attributes: BTreeMap::new(),
                status: if err { "error".into() } else { "ok".into() },
                sampled: true,
                tracestate: None,
            };
        let spans = vec![
            mk("t1", "a", Some("remote"), 100, false),
            mk("t1", "b", Some("a"), 200, true),
            mk("t2", "c", None, 5_000_000_000, false),
        ];
        let s = summarize(&spans);
        assert_eq!(s[0].trace_id, "t2");
        assert_eq!(s[1].root, "op-a");
        assert_eq!(s[1].spans, 2);
        assert_eq!(s[1].errors, 1);
        assert!((s[1].duration_seconds - (1.0 + 100e-9)).abs() < 1e-6);
    }
}
