//! OTLP/HTTP (protobuf) export of the agent's spans: the encoding (`otlp_proto`, checked
//! against the official opentelemetry-proto types in the tests), the background
//! exporter with bounded retries, and a one-off send for `diagnose`'s canary span.

use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::otlp_proto::{
    AnyValue, ExportTraceServiceRequest, ExportTraceServiceResponse, InstrumentationScope,
    KeyValue, Resource as ProtoResource, ResourceSpans, ScopeSpans, Span, Status, Value as AnyKind,
};
use prost::Message;

use super::sender::Backoff;
use super::trace::{Kind, Resource, SpanRecord, Tracer, Value};
use crate::model::Secret;

/// Spans per export request.
pub const BATCH: usize = 512;
/// How often queued spans are sent when the batch is not full.
const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// The longest wait between failed exports.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Where spans go.
#[derive(Clone)]
pub struct Destination {
    pub endpoint: String,
    /// Extra headers; values are credentials.
    pub headers: Vec<(String, Secret)>,
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .filter_map(|i| u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok())
        .collect()
}

fn any(v: &Value) -> AnyValue {
    AnyValue {
        value: Some(match v {
            Value::Bool(b) => AnyKind::BoolValue(*b),
            Value::Int(i) => AnyKind::IntValue(*i),
            Value::Float(f) => AnyKind::DoubleValue(*f),
            Value::Str(s) => AnyKind::StringValue(s.clone()),
        }),
    }
}

fn kv(key: &str, v: &Value) -> KeyValue {
    KeyValue {
        key: key.to_string(),
        value: Some(any(v)),
    }
}

/// The OTLP request for `spans` from `resource`.
pub fn encode(resource: &Resource, spans: &[SpanRecord]) -> Vec<u8> {
    let resource = ProtoResource {
        attributes: vec![
            kv("service.name", &Value::from(resource.service_name.as_str())),
            kv(
                "service.version",
                &Value::from(resource.service_version.as_str()),
            ),
            kv("node.id", &Value::from(resource.node_id.as_str())),
            kv("host.name", &Value::from(resource.node_id.as_str())),
        ],
    };
    let spans = spans
        .iter()
        .map(|s| Span {
            trace_id: unhex(&s.trace_id),
            span_id: unhex(&s.span_id),
            trace_state: s.tracestate.clone().unwrap_or_default(),
            parent_span_id: s.parent_span_id.as_deref().map(unhex).unwrap_or_default(),
            // W3C trace flags in the low byte: sampled.
            flags: u32::from(s.sampled),
            name: s.name.clone(),
            kind: match s.kind {
                Kind::Internal => super::otlp_proto::KIND_INTERNAL,
                Kind::Server => super::otlp_proto::KIND_SERVER,
                Kind::Client => super::otlp_proto::KIND_CLIENT,
            },
            start_time_unix_nano: s.start_unix_nanos,
            end_time_unix_nano: s.end_unix_nanos(),
            attributes: s.attributes.iter().map(|(k, v)| kv(k, v)).collect(),
            status: Some(Status {
                message: match s.attributes.get("error") {
                    Some(Value::Str(e)) if s.status == "error" => e.clone(),
                    _ => String::new(),
                },
                code: if s.status == "error" {
                    super::otlp_proto::STATUS_ERROR
                } else {
                    super::otlp_proto::STATUS_OK
                },
            }),
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(resource),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: "hivemind".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                }),
                spans,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
    .encode_to_vec()
}

/// Why an export did not go through.
#[derive(Debug, Clone)]
pub struct ExportError {
    /// HTTP status when the collector answered.
    pub status: Option<u16>,
    pub message: String,
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A client for the collector: redirects off, bounded time.
pub fn client(timeout: Duration) -> reqwest::Client {
    crate::net::tls::http_client()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("hivemind/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Send one encoded request. Returns how many spans the collector rejected (OTLP partial
/// success).
pub async fn send(
    http: &reqwest::Client,
    dest: &Destination,
    body: Vec<u8>,
) -> Result<i64, ExportError> {
    let mut req = http
        .post(&dest.endpoint)
        .header("content-type", "application/x-protobuf")
        .body(body);
    for (k, v) in &dest.headers {
        req = req.header(k.as_str(), v.expose());
    }
    let resp = req.send().await.map_err(|e| ExportError {
        status: None,
        message: crate::net::describe(&e),
    })?;
    let status = resp.status();
    let bytes = crate::net::read_body(resp, crate::model::input::Input::PEER_ANSWER.max_bytes())
        .await
        .unwrap_or_default();
    if !status.is_success() {
        let text = quoted_body(&bytes, 200);
        return Err(ExportError {
            status: Some(status.as_u16()),
            message: format!(
                "HTTP {status} from the collector{}",
                if text.is_empty() {
                    String::new()
                } else {
                    format!(": {text}")
                }
            ),
        });
    }
    // An empty body is a full success; a protobuf body may report partial success.
    Ok(ExportTraceServiceResponse::decode(bytes.as_ref())
        .ok()
        .and_then(|r| r.partial_success)
        .map_or(0, |p| p.rejected_spans))
}

/// The start of an error body as one line of at most `max_bytes`, redacted: a collector or
/// cluster may echo the credentials it refused. Redacted before it is cut, so that a secret
/// across the cut is not left half-visible.
pub fn quoted_body(bytes: &[u8], max_bytes: usize) -> String {
    let head = &bytes[..bytes.len().min(max_bytes + crate::redact::READ_MARGIN)];
    let text: String = crate::redact::redact(&String::from_utf8_lossy(head))
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    crate::redact::cut(&text, max_bytes)
}

/// The exporter: drains the tracer's queue to the destination until `stop`.
pub async fn run(
    tracer: Arc<Tracer>,
    destination: Arc<RwLock<Option<Destination>>>,
    msg: crate::messages::Messages,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    const WHAT: &str = "trace export";
    const THEN: &str =
        "retrying; `hivemind observability diagnose --component tracing` checks the pipeline";
    let http = client(Duration::from_secs(10));
    let mut backoff = Backoff::new(Duration::from_secs(1), MAX_BACKOFF);
    loop {
        let waiting = !backoff.wait().is_zero();
        // Without a destination, sleep until `apply_tracing` sets one and wakes this loop.
        let idle = destination.read().map_or(true, |d| d.is_none());
        tokio::select! {
            _ = tracer.wake.notified(), if !waiting => {}
            _ = tokio::time::sleep(if waiting { backoff.wait() } else { FLUSH_EVERY }), if !idle => {}
            _ = stop.changed() => break,
        }
        let dest = destination.read().ok().and_then(|d| d.clone());
        let Some(dest) = dest else {
            backoff.reset();
            continue;
        };
        let batch = tracer.take_batch(BATCH);
        if batch.is_empty() {
            continue;
        }
        let body = encode(&tracer.resource(), &batch);
        let stats = &tracer.stats;
        match send(&http, &dest, body).await {
            Ok(rejected) => {
                let rejected = u64::try_from(rejected.max(0)).unwrap_or(0);
                stats.exported.fetch_add(
                    batch.len() as u64 - rejected.min(batch.len() as u64),
                    Ordering::Relaxed,
                );
                stats.dropped.fetch_add(rejected, Ordering::Relaxed);
                stats.health.succeeded(&msg, WHAT, &dest.endpoint);
                backoff.reset();
            }
            Err(e) => {
                stats
                    .health
                    .failed(&msg, WHAT, &dest.endpoint, &e.to_string(), THEN);
                // A 4xx other than 408/429 will not succeed on retry: the batch is dropped.
                if e.status.is_none_or(crate::net::retryable_status) {
                    tracer.requeue(batch);
                } else {
                    stats
                        .dropped
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                }
                backoff.grow();
            }
        }
    }
    // Flush what is queued, once, on shutdown.
    let dest = destination.read().ok().and_then(|d| d.clone());
    if let Some(dest) = dest {
        let batch = tracer.take_batch(BATCH);
        if !batch.is_empty() {
            let body = encode(&tracer.resource(), &batch);
            if tokio::time::timeout(Duration::from_secs(3), send(&http, &dest, body))
                .await
                .is_ok_and(|r| r.is_ok())
            {
                tracer
                    .stats
                    .exported
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
    use opentelemetry_proto::tonic::trace::v1::{span, status};
    use std::collections::BTreeMap;

    #[test]
    fn encodes_ids_parent_and_attributes() {
        let mut attributes = BTreeMap::new();
        attributes.insert("operation.name".to_string(), Value::from("api.info"));
        attributes.insert("error".to_string(), Value::from("boom"));
        let span = SpanRecord {
            trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".into(),
            span_id: "00f067aa0ba902b7".into(),
            parent_span_id: Some("1111111111111111".into()),
            name: "api.info".into(),
            kind: Kind::Server,
            start: String::new(),
            start_unix_nanos: 1_000,
            duration_seconds: 0.5,
            attributes,
            status: "error".into(),
            sampled: true,
            tracestate: Some("k=v".into()),
        };
        let res = Resource {
            service_name: "svc".into(),
            service_version: "1".into(),
            node_id: "n1".into(),
        };
        let bytes = encode(&res, &[span]);
        let req = ExportTraceServiceRequest::decode(bytes.as_slice()).unwrap();
        let rs = &req.resource_spans[0];
        let attr = |kvs: &[KeyValue], k: &str| {
            kvs.iter()
                .find(|a| a.key == k)
                .and_then(|a| a.value.clone())
                .and_then(|v| v.value)
        };
        assert_eq!(
            attr(&rs.resource.as_ref().unwrap().attributes, "service.name"),
            Some(any_value::Value::StringValue("svc".into()))
        );
        let s = &rs.scope_spans[0].spans[0];
        assert_eq!(s.trace_id.len(), 16);
        assert_eq!(s.parent_span_id, vec![0x11; 8]);
        assert_eq!(s.end_time_unix_nano, 500_001_000);
        assert_eq!(s.kind, span::SpanKind::Server as i32);
        assert_eq!(
            s.status.as_ref().unwrap().code,
            status::StatusCode::Error as i32
        );
        assert_eq!(s.trace_state, "k=v");
        assert_eq!(
            attr(&s.attributes, "error"),
            Some(any_value::Value::StringValue("boom".into()))
        );
    }
}
