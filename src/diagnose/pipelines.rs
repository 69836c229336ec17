//! The trace and log pipelines: configuration, the endpoint, credentials, a canary span or
//! document, and the exporter's own record.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use super::{Inputs, List, TIMEOUT, get};
use crate::error::Result;
use crate::model::diagnose::Outcome;
use crate::model::{LoggingConfig, SecretRef, TracingConfig};
use crate::telemetry::sender::SendSummary;
use crate::telemetry::{elastic, otlp, trace};

const CONFIGURE_TRACING: &str = "hivemind observability configure-tracing --service-name hivemind --endpoint http://HOST:4318/v1/traces";
const CONFIGURE_LOGGING: &str =
    "hivemind observability configure-logging --endpoint http://HOST:9200 --index hivemind-logs";

/// Host and port of a URL, for a connection test.
fn host_port(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = match u.host()? {
        url::Host::Ipv6(a) => format!("[{a}]"),
        h => h.to_string(),
    };
    Some(format!("{host}:{}", u.port_or_known_default()?))
}

async fn reachable(component: &str, url: &str, list: &mut List) -> bool {
    let Some(addr) = host_port(url) else {
        list.add(
            component,
            "endpoint reachable",
            Outcome::Fail,
            format!("cannot read host and port of {url}"),
            "give a full http:// or https:// URL",
        );
        return false;
    };
    match tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(&addr)).await {
        Ok(Ok(_)) => {
            list.add(
                component,
                "endpoint reachable",
                Outcome::Pass,
                format!("{addr} accepts connections"),
                "",
            );
            true
        }
        Ok(Err(e)) => {
            list.add(
                component,
                "endpoint reachable",
                Outcome::Fail,
                format!("{addr}: {e}"),
                "is the server running, and is the host name and port right? check DNS and firewalls from this node",
            );
            false
        }
        Err(_) => {
            list.add(
                component,
                "endpoint reachable",
                Outcome::Fail,
                format!("{addr}: connection timed out"),
                "a firewall may drop the traffic",
            );
            false
        }
    }
}

/// What the agent's exporter or shipper has done so far.
struct SendRecord {
    what: &'static str,
    sent: u64,
    dropped: u64,
    queued: usize,
    health: SendSummary,
}

fn record_check(component: &str, r: SendRecord, hint: &str, list: &mut List) {
    let summary = format!(
        "{} {}, {} dropped, {} waiting, {} failed requests",
        r.sent, r.what, r.dropped, r.queued, r.health.failures
    );
    // Failing means the most recent attempt failed: what an operator sees right now.
    if r.health.failing {
        list.add(
            component,
            "agent's recent sends",
            Outcome::Fail,
            format!(
                "{summary}; last error: {}",
                r.health.last_error.unwrap_or_default()
            ),
            hint,
        );
    } else {
        list.add(
            component,
            "agent's recent sends",
            Outcome::Pass,
            summary,
            "",
        );
    }
}

pub(super) async fn tracing_checks(
    inputs: &Inputs<'_>,
    http: &reqwest::Client,
    config: Option<&TracingConfig<SecretRef>>,
    dest: Result<Option<otlp::Destination>>,
    list: &mut List,
) {
    const C: &str = "tracing";
    let Some(config) = config else {
        list.add(
            C,
            "configured",
            Outcome::Fail,
            "tracing is not configured",
            CONFIGURE_TRACING,
        );
        return;
    };
    if !config.enabled {
        list.add(
            C,
            "configured",
            Outcome::Fail,
            format!("export to {} is disabled", config.endpoint),
            "hivemind observability configure-tracing --enable",
        );
        return;
    }
    list.add(
        C,
        "configured",
        Outcome::Pass,
        format!(
            "service {} to {} (sample ratio {})",
            config.service_name, config.endpoint, config.sample_ratio
        ),
        "",
    );
    let dest = match dest {
        Ok(Some(d)) => d,
        Ok(None) => return,
        Err(e) => {
            list.add(
                C,
                "credentials readable",
                Outcome::Fail,
                e.to_string(),
                "configure the headers again with --header",
            );
            return;
        }
    };
    if !reachable(C, &config.endpoint, list).await {
        return;
    }
    // A canary span in a trace of its own, so it is easy to find in the collector's UI.
    let context = trace::SpanContext::new_root(true);
    let resource = inputs
        .telemetry
        .map(|t| t.tracer.resource())
        .unwrap_or_else(|| trace::Resource {
            service_name: config.service_name.clone(),
            service_version: env!("CARGO_PKG_VERSION").into(),
            node_id: crate::metrics::system::hostname(),
        });
    let mut attributes = BTreeMap::new();
    attributes.insert(
        "operation.name".into(),
        trace::Value::from("diagnose.canary"),
    );
    attributes.insert(
        "node.id".into(),
        trace::Value::from(resource.node_id.as_str()),
    );
    attributes.insert("hivemind.canary".into(), trace::Value::from(true));
    let now = std::time::SystemTime::now();
    let canary = trace::SpanRecord {
        trace_id: context.trace_id_hex(),
        span_id: context.span_id_hex(),
        parent_span_id: None,
        name: "diagnose.canary".into(),
        kind: trace::Kind::Internal,
        start: humantime::format_rfc3339_micros(now).to_string(),
        start_unix_nanos: now
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
        duration_seconds: 0.001,
        attributes,
        status: "ok".into(),
        sampled: true,
        tracestate: None,
    };
    match otlp::send(http, &dest, otlp::encode(&resource, &[canary])).await {
        Ok(0) => list.add(
            C,
            "canary span accepted",
            Outcome::Pass,
            format!(
                "trace {} accepted by {}",
                context.trace_id_hex(),
                config.endpoint
            ),
            "",
        ),
        Ok(n) => list.add(
            C,
            "canary span accepted",
            Outcome::Fail,
            format!("the collector rejected {n} span(s)"),
            "see the collector's log",
        ),
        Err(e) => {
            let hint = match e.status {
                Some(401 | 403) => "the collector refused the credentials: set them with `configure-tracing --header Authorization=…` (values are stored as secrets)".to_string(),
                Some(404 | 405) => format!("no OTLP/HTTP receiver at this path: use the collector's OTLP/HTTP port {} and the path /v1/traces (Jaeger 1.35+ needs COLLECTOR_OTLP_ENABLED=true before 1.43)", crate::model::telemetry::OTLP_HTTP_PORT),
                Some(415) => "the endpoint does not take protobuf: is it an OTLP/HTTP receiver?".into(),
                _ => "see the collector's log".into(),
            };
            list.add(
                C,
                "canary span accepted",
                Outcome::Fail,
                format!("{}: {e}", config.endpoint),
                hint,
            );
        }
    }
    match inputs.telemetry {
        Some(t) => {
            let s = &t.tracer.stats;
            record_check(
                C,
                SendRecord {
                    what: "spans exported",
                    sent: s.exported.load(Ordering::Relaxed),
                    dropped: s.dropped.load(Ordering::Relaxed),
                    queued: t.tracer.queued(),
                    health: s.health.summary(),
                },
                "the agent's exports fail while the canary passed: the failure may be intermittent; see the agent's log",
                list,
            );
        }
        None => list.add(
            C,
            "agent's recent sends",
            Outcome::Skip,
            "no agent runs on this data directory",
            "",
        ),
    }
}

pub(super) async fn logging_checks(
    inputs: &Inputs<'_>,
    http: &reqwest::Client,
    config: Option<&LoggingConfig<SecretRef>>,
    auth: Result<Option<elastic::Auth>>,
    list: &mut List,
) {
    const C: &str = "logging";
    let Some(config) = config else {
        list.add(
            C,
            "configured",
            Outcome::Fail,
            "log shipping is not configured",
            CONFIGURE_LOGGING,
        );
        return;
    };
    if !config.enabled {
        list.add(
            C,
            "configured",
            Outcome::Fail,
            format!("shipping to {} is disabled", config.endpoint),
            "hivemind observability configure-logging --enable",
        );
        return;
    }
    list.add(
        C,
        "configured",
        Outcome::Pass,
        format!(
            "index {} on {} from level {}",
            config.index, config.endpoint, config.level
        ),
        "",
    );
    let auth = match auth {
        Ok(Some(a)) => a,
        Ok(None) => return,
        Err(e) => {
            list.add(
                C,
                "credentials readable",
                Outcome::Fail,
                e.to_string(),
                "configure the credentials again",
            );
            return;
        }
    };
    let base = format!("{}/", config.endpoint);
    match get(http, &base).await {
        Ok((status, body)) => {
            let version =
                crate::model::input::json_value(&body, crate::model::input::Input::PEER_ANSWER)
                    .ok()
                    .and_then(|v| v["version"]["number"].as_str().map(str::to_string));
            let what = match version {
                Some(v) => format!("Elasticsearch {v} answers at {}", config.endpoint),
                None => format!("{} answers (HTTP {status})", config.endpoint),
            };
            list.add(C, "cluster reachable", Outcome::Pass, what, "");
        }
        Err(e) => {
            list.add(
                C,
                "cluster reachable",
                Outcome::Fail,
                format!("{}: {e}", config.endpoint),
                "is Elasticsearch running and reachable from this node? (records wait in the agent's buffer meanwhile)",
            );
            return;
        }
    }
    let with_auth = auth.apply(http.get(&base));
    let credentials = match with_auth.send().await {
        Ok(r) => Ok(r.status().as_u16()),
        Err(e) => Err(crate::net::describe(&e)),
    };
    let has_credentials = !matches!(auth, elastic::Auth::None);
    match credentials {
        Ok(200..=299) => list.add(
            C,
            "credentials accepted",
            Outcome::Pass,
            if has_credentials { "the cluster accepts the configured credentials" } else { "the cluster needs no credentials" },
            "",
        ),
        Ok(status @ (401 | 403)) => list.add(
            C,
            "credentials accepted",
            Outcome::Fail,
            if has_credentials {
                format!("Elasticsearch refused the credentials (HTTP {status})")
            } else {
                format!("the cluster needs credentials (HTTP {status})")
            },
            "configure-logging --username USER --password-stdin, or --api-key-stdin (stored as secrets)",
        ),
        Ok(status) => list.add(C, "credentials accepted", Outcome::Fail, format!("HTTP {status} from {base}"), "is the endpoint the cluster's base URL?"),
        Err(e) => list.add(C, "credentials accepted", Outcome::Fail, e, "see the cluster's log"),
    }
    let target = elastic::Target {
        endpoint: config.endpoint.clone(),
        index: config.index.clone(),
        level: config.level,
        auth,
    };
    let mut metadata = serde_json::Map::new();
    metadata.insert("canary".into(), serde_json::Value::Bool(true));
    let canary = crate::telemetry::LogRecord {
        timestamp: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
        level: crate::model::Level::Info,
        message: "hivemind diagnose canary".into(),
        service: inputs
            .state
            .tracing
            .as_ref()
            .map(|t| t.service_name.clone())
            .unwrap_or_else(|| crate::model::telemetry::DEFAULT_SERVICE.into()),
        container_id: None,
        node_id: Some(crate::metrics::system::hostname()),
        trace_id: None,
        span_id: None,
        metadata,
    };
    match elastic::send_bulk(http, &target, &[canary], true).await {
        Ok(o) if o.indexed == 1 => list.add(
            C,
            "canary document indexed",
            Outcome::Pass,
            format!("indexed into {}", config.index),
            "",
        ),
        Ok(o) if !o.retry.is_empty() => list.add(
            C,
            "canary document indexed",
            Outcome::Fail,
            "the cluster is pushing back (429 or 5xx per item)",
            "the cluster is overloaded; records are retried with backoff",
        ),
        Ok(o) => list.add(
            C,
            "canary document indexed",
            Outcome::Fail,
            o.first_error.unwrap_or_else(|| "refused".into()),
            format!(
                "check the mapping of index {} (or its index template)",
                config.index
            ),
        ),
        Err(e) => {
            let hint = match e.status {
                Some(401 | 403) => {
                    "the credentials may not write to this index: grant create_doc on it"
                }
                Some(404) => "no _bulk API here: is the endpoint the cluster's base URL?",
                _ => "see the cluster's log",
            };
            list.add(C, "canary document indexed", Outcome::Fail, e.message, hint);
        }
    }
    match inputs.telemetry {
        Some(t) => {
            let s = &t.logger.shipper.stats;
            record_check(
                C,
                SendRecord {
                    what: "records shipped",
                    sent: s.shipped.load(Ordering::Relaxed),
                    dropped: s.dropped_buffer_full.load(Ordering::Relaxed)
                        + s.dropped_rejected.load(Ordering::Relaxed),
                    queued: t.logger.shipper.buffered(),
                    health: s.health.summary(),
                },
                "shipping fails while the canary passed: the failure may be intermittent; see the agent's log",
                list,
            );
        }
        None => list.add(
            C,
            "agent's recent sends",
            Outcome::Skip,
            "no agent runs on this data directory",
            "",
        ),
    }
}
