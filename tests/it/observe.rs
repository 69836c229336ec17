//! Traces, logs, dashboards, the status page and diagnose, against real peers: an OTLP
//! receiver that decodes the protobuf spans, an Elasticsearch `_bulk` receiver with partial
//! failures, 429s and an outage, a real Prometheus running every dashboard query, headless
//! Chromium loading the status page, and a Grafana double for the import API.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
use prost::Message;

use super::agent::{Daemon, free_port, http, peer};
use super::fake_http::{FakeHttp, Response};
use super::{hm, hm_run, json, run};

fn json_reply(status: u16, v: serde_json::Value) -> Response {
    Response::json(status, &v)
}

fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("timed out after {secs} s waiting for {what}");
}

fn attr(kvs: &[KeyValue], key: &str) -> Option<any_value::Value> {
    kvs.iter()
        .find(|k| k.key == key)
        .and_then(|k| k.value.clone())
        .and_then(|v| v.value)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A decoded span with its resource's attributes.
#[derive(Debug, Clone)]
struct Got {
    resource: Vec<KeyValue>,
    span: opentelemetry_proto::tonic::trace::v1::Span,
    header: Option<String>,
}

/// An OTLP/HTTP receiver keeping every span; answers 401 unless `X-Token: good` when
/// `require_token`.
fn otlp_receiver(require_token: bool) -> (FakeHttp, Arc<Mutex<Vec<Got>>>) {
    let spans: Arc<Mutex<Vec<Got>>> = Arc::default();
    let keep = Arc::clone(&spans);
    let server = FakeHttp::start(move |req| {
        if req.method != "POST" || req.path != "/v1/traces" {
            return Response::text(404, "not found");
        }
        assert_eq!(
            req.headers.get("content-type").map(String::as_str),
            Some("application/x-protobuf")
        );
        let token = req.headers.get("x-token").cloned();
        if require_token && token.as_deref() != Some("good") {
            return Response::text(401, "bad token");
        }
        let decoded =
            ExportTraceServiceRequest::decode(req.body.as_slice()).expect("OTLP protobuf");
        let mut out = keep.lock().unwrap();
        for rs in decoded.resource_spans {
            let resource = rs.resource.map(|r| r.attributes).unwrap_or_default();
            for ss in rs.scope_spans {
                for span in ss.spans {
                    out.push(Got {
                        resource: resource.clone(),
                        span,
                        header: token.clone(),
                    });
                }
            }
        }
        Response::new(200).header("Content-Type", "application/x-protobuf")
    });
    (server, spans)
}

#[test]
fn jaeger_collector_url_gets_the_otlp_port() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-tracing",
            "--service-name",
            "hivemind",
            "--endpoint",
            "http://jaeger:14268/api/traces",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Jaeger's Thrift collector endpoint"), "{err}");
    assert!(err.contains("http://jaeger:4318/v1/traces"), "{err}");
    let v = json(&out);
    assert_eq!(v["endpoint"], "http://jaeger:4318/v1/traces");
    assert_eq!(v["enabled"], true);
    assert_eq!(v["service_name"], "hivemind");
    // Secrets never show; a bad header is refused without echoing it.
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-tracing",
            "--header",
            "s3cr3t-without-name",
        ],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(!err.contains("s3cr3t"), "{err}");
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-tracing",
            "--sample-ratio",
            "1.5",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--sample-ratio") && err.contains("from 0 to 1"),
        "{err}"
    );
    // Traces and logs are the agent's: without one, say so.
    let (code, _, err) = hm_run(dir.path(), &["observability", "traces"]);
    assert_eq!(code, 2);
    assert!(err.contains("start `hivemind daemon`"), "{err}");
}

#[test]
fn spans_go_over_otlp_and_join_the_ci_trace() {
    let (receiver, spans) = otlp_receiver(true);
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(hm(dir.path())
        .args([
            "observability",
            "configure-tracing",
            "--service-name",
            "hm-test",
            "--endpoint",
            &receiver.url("/v1/traces"),
            "--header-stdin",
            "X-Token",
        ])
        .write_stdin("good\n"));
    assert_eq!(code, 0, "{err}");
    let state = std::fs::read_to_string(dir.path().join("state.toml")).unwrap();
    assert!(
        !state.contains("good"),
        "a header value in the state file:\n{state}"
    );
    let d = Daemon::start(dir.path(), &[]);

    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent = "00f067aa0ba902b7";
    let (code, _, err) = run(hm(dir.path())
        .env("TRACEPARENT", format!("00-{trace_id}-{parent}-01"))
        .env("TRACESTATE", "ci=job42")
        .args(["health", "run-check", "--name", "missing"]));
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(hm(dir.path())
        .env("TRACEPARENT", format!("00-{trace_id}-{parent}-01"))
        .args(["observability", "show-config"]));
    assert_eq!(code, 0, "{err}");

    wait_for("the API spans at the receiver", 30, || {
        let s = spans.lock().unwrap();
        s.iter()
            .filter(|g| hex(&g.span.trace_id) == trace_id)
            .count()
            >= 2
    });
    let got = spans.lock().unwrap().clone();
    let ours: Vec<&Got> = got
        .iter()
        .filter(|g| hex(&g.span.trace_id) == trace_id)
        .collect();
    for g in &ours {
        assert_eq!(hex(&g.span.parent_span_id), parent, "{:?}", g.span);
        let expected_state = if g.span.name == "api.checks.run" {
            "ci=job42"
        } else {
            ""
        };
        assert_eq!(g.span.trace_state, expected_state);
        assert_eq!(g.header.as_deref(), Some("good"));
        assert_eq!(
            attr(&g.resource, "service.name"),
            Some(any_value::Value::StringValue("hm-test".into()))
        );
        assert_eq!(
            attr(&g.resource, "service.version"),
            Some(any_value::Value::StringValue(
                env!("CARGO_PKG_VERSION").into()
            ))
        );
        assert!(
            matches!(attr(&g.span.attributes, "node.id"), Some(any_value::Value::StringValue(n)) if !n.is_empty())
        );
        assert_eq!(
            attr(&g.span.attributes, "operation.name"),
            Some(any_value::Value::StringValue(g.span.name.clone()))
        );
    }
    let failed = ours
        .iter()
        .find(|g| g.span.name == "api.checks.run")
        .expect("run-check span");
    match attr(&failed.span.attributes, "error") {
        Some(any_value::Value::StringValue(e)) => {
            assert!(e.contains("no check named 'missing'"), "{e}")
        }
        other => panic!("no error attribute: {other:?}"),
    }
    assert_eq!(
        attr(&failed.span.attributes, "http.response.status_code"),
        Some(any_value::Value::IntValue(404))
    );
    let ok = ours
        .iter()
        .find(|g| g.span.name == "api.config.show")
        .expect("show-config span");
    assert!(attr(&ok.span.attributes, "error").is_none());
    // The agent's own work is traced too: a scrape finds the collection older than the 1 s
    // interval (no rules or checks: collections are on demand) and collects.
    std::thread::sleep(Duration::from_millis(1100));
    let metrics: std::net::SocketAddr = format!("127.0.0.1:{}", d.metrics_port).parse().unwrap();
    assert_eq!(http(metrics, "GET", "/metrics", None, b"").0, 200);
    wait_for("a collection span", 20, || {
        spans
            .lock()
            .unwrap()
            .iter()
            .any(|g| g.span.name == "metrics.collect")
    });

    // The ring answers without any collector.
    let (code, out, err) = hm_run(dir.path(), &["observability", "traces", "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    let list = json(&out);
    assert!(
        list["traces"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["trace_id"] == trace_id),
        "{out}"
    );
    let (code, out, err) = hm_run(
        dir.path(),
        &["observability", "traces", trace_id, "-o", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let detail = json(&out);
    assert!(detail["spans"].as_array().unwrap().len() >= 2);
    assert_eq!(detail["spans"][0]["parent_span_id"], parent);
    let (code, out, _) = hm_run(dir.path(), &["observability", "traces", trace_id]);
    assert_eq!(code, 0);
    assert!(
        out.contains("api.checks.run") && out.contains("error"),
        "{out}"
    );
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "traces",
            "0123456789abcdef0123456789abcdef",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no trace"), "{err}");
    let (code, body) = http(d.api, "GET", "/api/traces?limit=5", Some(&d.token), b"");
    assert_eq!(code, 200, "{body}");

    // Log records carry the request's trace.
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "logs",
            "--level",
            "debug",
            "--text",
            "/api/config",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let logs = json(&out);
    let rec = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["trace_id"] == trace_id)
        .unwrap_or_else(|| panic!("no log record in the trace: {out}"));
    for field in [
        "timestamp",
        "level",
        "message",
        "service",
        "node_id",
        "span_id",
        "metadata",
    ] {
        assert!(!rec[field].is_null(), "{field} missing: {rec}");
    }
    assert!(rec.as_object().unwrap().contains_key("container_id"));
    assert_eq!(rec["service"], "hm-test");
}

/// The documents an Elasticsearch double indexed, by message.
type Indexed = Arc<Mutex<Vec<serde_json::Value>>>;

/// A `_bulk` receiver: with `push_back`, the first request of all gets 429; documents whose
/// message contains `reject-me` get a 400 item; those with `flaky` a 429 item the first time.
fn elastic_receiver(api_key: &'static str, push_back: bool) -> (FakeHttp, Indexed) {
    let indexed: Indexed = Arc::default();
    let count = Mutex::new(0u32);
    let flaky_seen: Mutex<std::collections::HashSet<String>> = Mutex::default();
    let keep = Arc::clone(&indexed);
    let server = FakeHttp::start(move |req| {
        let authorized = req.headers.get("authorization").map(String::as_str)
            == Some(&format!("ApiKey {api_key}"));
        if req.method == "GET" && req.path == "/" {
            if !authorized {
                return json_reply(
                    401,
                    serde_json::json!({"error": "unauthorized", "status": 401}),
                );
            }
            return json_reply(
                200,
                serde_json::json!({"version": {"number": "8.15.0"}, "tagline": "You Know, for Search"}),
            );
        }
        if req.method != "POST" || !req.path.starts_with("/_bulk") {
            return json_reply(404, serde_json::json!({"error": "no handler"}));
        }
        if !authorized {
            return json_reply(
                401,
                serde_json::json!({"error": "unauthorized", "status": 401}),
            );
        }
        assert_eq!(
            req.headers.get("content-type").map(String::as_str),
            Some("application/x-ndjson")
        );
        {
            let mut n = count.lock().unwrap();
            *n += 1;
            if *n == 1 && push_back {
                return json_reply(
                    429,
                    serde_json::json!({"error": "too many requests", "status": 429}),
                );
            }
        }
        let text = String::from_utf8(req.body.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len() % 2, 0, "NDJSON pairs: {text}");
        let mut items = Vec::new();
        let mut errors = false;
        for pair in lines.chunks(2) {
            let action: serde_json::Value = serde_json::from_str(pair[0]).unwrap();
            assert!(action["create"]["_index"].is_string(), "{action}");
            let doc: serde_json::Value = serde_json::from_str(pair[1]).unwrap();
            let msg = doc["message"].as_str().unwrap_or("").to_string();
            let status = if msg.contains("reject-me") {
                400
            } else if msg.contains("flaky") && flaky_seen.lock().unwrap().insert(msg.clone()) {
                429
            } else {
                keep.lock().unwrap().push(doc);
                201
            };
            errors |= status != 201;
            let mut item =
                serde_json::json!({"_index": action["create"]["_index"], "status": status});
            if status == 400 {
                item["error"] = serde_json::json!({"type": "mapper_parsing_exception", "reason": "failed to parse"});
            } else if status == 429 {
                item["error"] = serde_json::json!({"type": "es_rejected_execution_exception", "reason": "queue full"});
            }
            items.push(serde_json::json!({ "create": item }));
        }
        json_reply(
            200,
            serde_json::json!({"took": 1, "errors": errors, "items": items}),
        )
    });
    (server, indexed)
}

fn scrape(d: &Daemon) -> String {
    let addr: SocketAddr = format!("127.0.0.1:{}", d.metrics_port).parse().unwrap();
    let (code, body) = http(addr, "GET", "/metrics", None, b"");
    assert_eq!(code, 200);
    body
}

fn metric_value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(f64::NAN)
}

#[test]
fn logs_reach_elasticsearch_through_429s_partial_failures_and_an_outage() {
    let (mut es, indexed) = elastic_receiver("k3y", true);
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(hm(dir.path())
        .args([
            "observability",
            "configure-logging",
            "--endpoint",
            &es.url(""),
            "--index",
            "hivemind-logs",
            "--level",
            "debug",
            "--api-key-stdin",
            "-o",
            "json",
        ])
        .write_stdin("k3y"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["api_key"], "<secret>");
    assert!(!out.contains("k3y") && !err.contains("k3y"));
    let d = Daemon::start(dir.path(), &[]);
    let marker = |m: &str| format!("/api/info?n={m}");
    let sent: Vec<String> = (0..20)
        .map(|i| format!("ok-{i}"))
        .chain(["flaky-1".to_string(), "flaky-2".to_string()])
        .chain(["reject-me-1".to_string(), "reject-me-2".to_string()])
        .collect();
    for m in &sent {
        let (code, _) = http(d.api, "GET", &marker(m), Some(&d.token), b"");
        assert_eq!(code, 200);
    }
    let arrived = |m: &str| {
        indexed
            .lock()
            .unwrap()
            .iter()
            .filter(|doc| {
                doc["message"]
                    .as_str()
                    .is_some_and(|s| s.contains(&format!("n={m} ")))
            })
            .count()
    };
    wait_for(
        "the first records, past a 429 and item failures",
        30,
        || {
            sent.iter()
                .filter(|m| !m.contains("reject"))
                .all(|m| arrived(m) >= 1)
        },
    );

    // A 10 s outage: the records wait in the agent's buffer.
    es.stop();
    let outage: Vec<String> = (0..30).map(|i| format!("outage-{i}")).collect();
    let began = Instant::now();
    for m in &outage {
        let (code, _) = http(d.api, "GET", &marker(m), Some(&d.token), b"");
        assert_eq!(code, 200);
        std::thread::sleep(Duration::from_millis(300));
    }
    std::thread::sleep(Duration::from_secs(10).saturating_sub(began.elapsed()));
    let during = scrape(&d);
    assert!(
        metric_value(&during, "hivemind_log_ship_failures_total") >= 1.0,
        "{during}"
    );
    assert!(
        metric_value(&during, "hivemind_log_records_buffered") >= outage.len() as f64,
        "{during}"
    );
    es.restart();
    wait_for("the records buffered during the outage", 40, || {
        outage.iter().all(|m| arrived(m) >= 1)
    });

    // Exactly once: nothing lost, nothing sent twice; the refused items are counted.
    for m in sent.iter().chain(outage.iter()) {
        let expected = usize::from(!m.contains("reject"));
        assert_eq!(arrived(m), expected, "{m}");
    }
    let after = scrape(&d);
    assert_eq!(
        metric_value(
            &after,
            "hivemind_log_records_dropped_total{reason=\"rejected\"}"
        ),
        2.0,
        "{after}"
    );
    assert_eq!(
        metric_value(
            &after,
            "hivemind_log_records_dropped_total{reason=\"buffer_full\"}"
        ),
        0.0
    );
    let doc = indexed.lock().unwrap()[0].clone();
    for field in [
        "timestamp",
        "level",
        "message",
        "service",
        "container_id",
        "node_id",
        "trace_id",
        "span_id",
        "metadata",
    ] {
        assert!(
            doc.as_object().unwrap().contains_key(field),
            "{field}: {doc}"
        );
    }
    // The log API filters by level, text and limit.
    let (code, out, _) = hm_run(
        dir.path(),
        &[
            "observability",
            "logs",
            "--level",
            "debug",
            "--text",
            "n=outage-2",
            "--limit",
            "5",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let page = json(&out);
    let msgs: Vec<&str> = page["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(!msgs.is_empty() && msgs.len() <= 5, "{out}");
    assert!(msgs.iter().all(|m| m.contains("n=outage-2")), "{msgs:?}");
    let (code, _, err) = hm_run(dir.path(), &["observability", "logs", "--since", "5M"]);
    assert_eq!(code, 2);
    assert!(err.contains("since"), "{err}");
    // --follow keeps printing new records.
    let mut follow = super::std_cmd(dir.path())
        .args([
            "observability",
            "logs",
            "--follow",
            "--level",
            "debug",
            "--text",
            "n=follow-me",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let (code, _) = http(d.api, "GET", &marker("follow-me"), Some(&d.token), b"");
    assert_eq!(code, 200);
    let mut out = BufReader::new(follow.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let _ = follow.kill();
    let _ = follow.wait();
    assert!(line.contains("n=follow-me"), "{line}");
}

#[test]
fn diagnose_passes_and_fails_per_pipeline() {
    let (otlp, spans) = otlp_receiver(true);
    let (es, indexed) = elastic_receiver("good-key", false);
    let stack = FakeHttp::start(|req| match req.path.as_str() {
        "/-/healthy" => Response::text(200, "Healthy."),
        "/api/health" => json_reply(
            200,
            serde_json::json!({"database": "ok", "version": "11.0.0"}),
        ),
        _ => Response::new(404),
    });
    let dir = tempfile::tempdir().unwrap();

    // Nothing configured, nothing running: every component fails with a hint.
    let (code, out, _) = hm_run(dir.path(), &["observability", "diagnose", "-o", "json"]);
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    assert_eq!(v["ok"], false);
    let find = |v: &serde_json::Value, check: &str| -> serde_json::Value {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == check)
            .cloned()
            .unwrap_or_else(|| panic!("no check {check}: {v}"))
    };
    assert_eq!(find(&v, "listener bound")["result"], "fail");
    assert!(
        find(&v, "listener bound")["hint"]
            .as_str()
            .unwrap()
            .contains("hivemind daemon")
    );
    assert!(
        find(&v, "configured")["hint"]
            .as_str()
            .unwrap()
            .contains("configure-tracing")
    );

    let (code, _, err) = run(hm(dir.path())
        .args([
            "observability",
            "configure-tracing",
            "--endpoint",
            &otlp.url("/v1/traces"),
            "--header-stdin",
            "X-Token",
        ])
        .write_stdin("good"));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(hm(dir.path())
        .args([
            "observability",
            "configure-logging",
            "--endpoint",
            &es.url(""),
            "--index",
            "hivemind-logs",
            "--api-key-stdin",
        ])
        .write_stdin("good-key"));
    assert_eq!(code, 0, "{err}");
    let _d = Daemon::start(dir.path(), &[]);

    // Everything passes.
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "diagnose",
            "--stack",
            "--prometheus",
            &stack.url(""),
            "--alertmanager",
            &stack.url(""),
            "--grafana",
            &stack.url(""),
            "--component",
            "tracing",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("tracing: canary span accepted") && out.contains("ok"),
        "{out}"
    );
    assert!(out.contains("stack: grafana"), "{out}");
    assert!(
        spans
            .lock()
            .unwrap()
            .iter()
            .any(|g| g.span.name == "diagnose.canary")
    );
    let (code, out, err) = hm_run(dir.path(), &["observability", "diagnose", "-o", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let v = json(&out);
    assert_eq!(v["ok"], true, "{out}");
    for check in [
        "listener bound",
        "scrape parses",
        "lint-clean",
        "canary span accepted",
        "cluster reachable",
        "credentials accepted",
        "canary document indexed",
    ] {
        assert_eq!(find(&v, check)["result"], "pass", "{check}: {out}");
    }
    assert!(
        indexed
            .lock()
            .unwrap()
            .iter()
            .any(|d| d["message"] == "hivemind diagnose canary")
    );
    // The seed's three forms work as written.
    for component in ["metrics", "tracing", "logging"] {
        let (code, out, err) = hm_run(
            dir.path(),
            &["observability", "diagnose", "--component", component],
        );
        assert_eq!(code, 0, "{component}: {out}\n{err}");
        assert!(
            out.starts_with("CHECK") && out.contains("RESULT") && out.contains("HINT"),
            "{out}"
        );
    }

    // Wrong tokens.
    let (code, _, _) = run(hm(dir.path())
        .args([
            "observability",
            "configure-tracing",
            "--header-stdin",
            "X-Token",
        ])
        .write_stdin("bad"));
    assert_eq!(code, 0);
    let (code, _, _) = run(hm(dir.path())
        .args(["observability", "configure-logging", "--api-key-stdin"])
        .write_stdin("bad-key"));
    assert_eq!(code, 0);
    let (code, out, _) = hm_run(dir.path(), &["observability", "diagnose", "-o", "json"]);
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    let canary = find(&v, "canary span accepted");
    assert_eq!(canary["result"], "fail");
    assert!(
        canary["detail"].as_str().unwrap().contains("401"),
        "{canary}"
    );
    assert!(
        canary["hint"].as_str().unwrap().contains("credentials"),
        "{canary}"
    );
    let creds = find(&v, "credentials accepted");
    assert_eq!(creds["result"], "fail");
    assert!(
        creds["detail"]
            .as_str()
            .unwrap()
            .contains("refused the credentials"),
        "{creds}"
    );
    assert!(!out.contains("bad-key") && !out.contains("good-key"));

    // Endpoints down.
    let down = format!("http://127.0.0.1:{}", free_port());
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-tracing",
            "--endpoint",
            &format!("{down}/v1/traces"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = hm_run(
        dir.path(),
        &["observability", "configure-logging", "--endpoint", &down],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = hm_run(
        dir.path(),
        &[
            "observability",
            "diagnose",
            "--stack",
            "--alertmanager",
            &down,
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 1);
    let v = json(&out);
    assert_eq!(find(&v, "endpoint reachable")["result"], "fail");
    assert_eq!(find(&v, "cluster reachable")["result"], "fail");
    assert_eq!(find(&v, "alertmanager")["result"], "fail");
    assert!(
        find(&v, "alertmanager")["hint"]
            .as_str()
            .unwrap()
            .contains("--alertmanager")
    );
    let (code, out, _) = hm_run(
        dir.path(),
        &["observability", "diagnose", "--component", "metrics"],
    );
    assert_eq!(code, 0, "{out}");
}

/// A process in a Docker-named cgroup (v1) and its own network namespace with a veth pair,
/// so that container and container-network series exist. `None` where that cannot be made.
struct FakeContainer {
    child: Child,
    dirs: Vec<PathBuf>,
}

impl FakeContainer {
    fn start(scratch: &Path) -> Option<FakeContainer> {
        let root = Path::new("/sys/fs/cgroup");
        let controllers: Vec<&str> = ["cpuacct", "memory", "pids", "blkio"]
            .into_iter()
            .filter(|c| root.join(c).join("cgroup.procs").is_file())
            .collect();
        if !controllers.contains(&"cpuacct") || !controllers.contains(&"memory") {
            return None;
        }
        // Unique per call: two dashboard tests may each run one at the same time.
        static STARTED: AtomicU64 = AtomicU64::new(0);
        let id = format!(
            "{:016x}{:016x}",
            std::process::id() as u64 | 0xd0d0_0000_0000_0000,
            STARTED.fetch_add(1, Ordering::Relaxed)
        )
        .repeat(2);
        // Direct I/O once it is in its cgroups, so the block I/O counters have a value.
        let script = format!(
            "ip link add hm0 type veth peer name hm1 && ip link set hm0 up && ip link set hm1 up && echo ready; \
             read go; dd if=/dev/zero of={f} bs=4096 count=16 oflag=direct 2>/dev/null; \
             dd if={f} of=/dev/null bs=4096 iflag=direct 2>/dev/null; echo done; exec sleep 600",
            f = scratch.join("io").display()
        );
        let mut child = Command::new("unshare")
            .args(["--net", "sh", "-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut stdout = BufReader::new(child.stdout.take()?);
        let mut stdin = child.stdin.take()?;
        let mut fake = FakeContainer {
            child,
            dirs: Vec::new(),
        };
        let mut line = String::new();
        stdout.read_line(&mut line).ok()?;
        if line.trim() != "ready" {
            return None;
        }
        for c in controllers {
            let parent = root.join(c).join("docker");
            let _ = std::fs::create_dir(&parent);
            let dir = parent.join(&id);
            std::fs::create_dir(&dir).ok()?;
            fake.dirs.push(dir.clone());
            std::fs::write(dir.join("cgroup.procs"), fake.child.id().to_string()).ok()?;
        }
        stdin.write_all(b"go\n").ok()?;
        line.clear();
        stdout.read_line(&mut line).ok()?;
        Some(fake)
    }
}

impl Drop for FakeContainer {
    fn drop(&mut self) {
        for dir in &self.dirs {
            let top = dir
                .parent()
                .and_then(Path::parent)
                .unwrap()
                .join("cgroup.procs");
            let _ = std::fs::write(top, self.child.id().to_string());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        for dir in &self.dirs {
            for _ in 0..50 {
                if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

fn percent_encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An agent with every metric family in use: a fake container (where one can be made; under
/// `CI=true` it must), a healthy check, an unhealthy one that auto-healing restarts, and the
/// seed's alert rule. `without` says what a run without the container still checks.
fn busy_agent(scratch: &Path, dir: &Path, without: &str) -> (Option<FakeContainer>, Daemon) {
    let container = FakeContainer::start(scratch);
    if container.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and no container with its own network namespace can be made here"
        );
        eprintln!("note: no fake container (not root or no cgroup v1): {without}");
    }
    let d = Daemon::start(dir, &[]);
    let api = d.api.to_string();
    let tcp = |name: &'static str, address: &str| {
        let mut args = vec!["health", "create-check", "--name", name, "--type", "tcp"];
        args.extend([
            "--address",
            address,
            "--interval",
            "1s",
            "--timeout",
            "500ms",
        ]);
        args.iter().map(ToString::to_string).collect::<Vec<_>>()
    };
    let mut down = tcp("down", "127.0.0.1:1");
    down.extend(["--failure-threshold", "1", "--restart-command", "true"].map(String::from));
    let healing = [
        "health",
        "configure-auto-healing",
        "--enabled",
        "true",
        "--max-restarts",
        "3",
        "--restart-interval",
        "1s",
    ];
    for args in [
        tcp("api", &api),
        down,
        healing.map(String::from).to_vec(),
        super::SEED_RULE.iter().map(ToString::to_string).collect(),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = hm_run(dir, &args);
        assert_eq!(code, 0, "{err}");
    }
    (container, d)
}

#[test]
fn every_dashboard_query_returns_data_from_a_real_prometheus() {
    let Some(prometheus) = peer("prometheus") else {
        return;
    };
    let scratch = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (container, d) = busy_agent(
        scratch.path(),
        dir.path(),
        "container network queries may be empty",
    );
    let prom_port = free_port();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: hivemind\n    static_configs:\n      - targets: ['127.0.0.1:{}']\n",
            d.metrics_port
        ),
    )
    .unwrap();
    let mut prom = Command::new(prometheus)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{prom_port}").parse().unwrap();
    let query = |q: &str| -> serde_json::Value {
        let (code, body) = http(
            addr,
            "GET",
            &format!("/api/v1/query?query={}", percent_encode(q)),
            None,
            b"",
        );
        if code == 0 {
            return serde_json::Value::Null;
        }
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
    };
    // Grafana's variables as a dashboard shows them with "All" selected.
    let concrete = |e: &str| {
        e.replace("$__rate_interval", "10s")
            .replace("$node", ".*")
            .replace("$container", ".*")
            .replace("$check", ".*")
    };
    let mut expressions: Vec<(String, String)> = Vec::new();
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "import-dashboards",
            "--output-dir",
            dir.path().join("dash").to_str().unwrap(),
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["dashboards"].as_array().unwrap().len(), 5);
    for file in std::fs::read_dir(dir.path().join("dash")).unwrap() {
        let path = file.unwrap().path();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for p in v["panels"].as_array().unwrap() {
            for t in p["targets"].as_array().unwrap() {
                expressions.push((
                    format!(
                        "{} / {}",
                        v["title"].as_str().unwrap(),
                        p["title"].as_str().unwrap()
                    ),
                    t["expr"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    assert!(expressions.len() >= 40, "{}", expressions.len());
    let mut failing: Vec<String> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        failing.clear();
        for (panel, expr) in &expressions {
            let v = query(&concrete(expr));
            if v["status"] != "success" {
                failing.push(format!("{panel}: {expr}: {v}"));
            } else if v["data"]["result"].as_array().is_none_or(|r| r.is_empty()) {
                failing.push(format!("{panel}: {expr}: no data"));
            }
        }
        let only_container_network = failing
            .iter()
            .all(|f| f.contains("hivemind_container_network_"));
        if failing.is_empty()
            || (Instant::now() > deadline)
            || (container.is_none()
                && only_container_network
                && Instant::now() + Duration::from_secs(45) > deadline)
        {
            break;
        }
        std::thread::sleep(Duration::from_secs(2));
    }
    if container.is_none() {
        failing.retain(|f| !f.contains("hivemind_container_network_") || !f.ends_with("no data"));
    }
    // diagnose asks the same Prometheus whether the target is up.
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "diagnose",
            "--component",
            "metrics",
            "--prometheus",
            &format!("http://{addr}"),
        ],
    );
    let _ = prom.kill();
    let _ = prom.wait();
    assert!(
        failing.is_empty(),
        "dashboard queries without data:\n{}",
        failing.join("\n")
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("metrics: prometheus target up") && out.contains("job hivemind"),
        "{out}"
    );
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "diagnose",
            "--component",
            "metrics",
            "--prometheus",
            &format!("http://{addr}"),
        ],
    );
    assert_eq!(code, 1, "Prometheus is gone: {out}\n{err}");

    // The API serves the same dashboards.
    let (code, body) = http(d.api, "GET", "/api/dashboards", Some(&d.token), b"");
    assert_eq!(code, 200);
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list["dashboards"].as_array().unwrap().len(), 5);
    let (code, body) = http(
        d.api,
        "GET",
        "/api/dashboards/hivemind-health",
        Some(&d.token),
        b"",
    );
    assert_eq!(code, 200);
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(health["uid"], "hivemind-health");
    assert_eq!(health["templating"]["list"][0]["type"], "datasource");
    let (code, _) = http(d.api, "GET", "/api/dashboards/nope", Some(&d.token), b"");
    assert_eq!(code, 404);
}

/// The metric names a dashboard expression reads (Grafana's range variables made concrete).
fn metric_names(expr: &str) -> Result<Vec<String>, String> {
    use promql_parser::label::MatchOp;
    use promql_parser::parser::Expr;
    use promql_parser::util::{ExprVisitor, walk_expr};
    struct Names(Vec<String>);
    impl ExprVisitor for Names {
        type Error = String;
        fn pre_visit(&mut self, e: &Expr) -> Result<bool, String> {
            let vs = match e {
                Expr::VectorSelector(vs) => vs,
                Expr::MatrixSelector(ms) => &ms.vs,
                _ => return Ok(true),
            };
            let name = vs.name.clone().or_else(|| {
                vs.matchers
                    .matchers
                    .iter()
                    .find(|m| m.name == "__name__" && m.op == MatchOp::Equal)
                    .map(|m| m.value.clone())
            });
            self.0
                .push(name.ok_or_else(|| format!("{vs}: no literal metric name to check"))?);
            Ok(true)
        }
        fn post_visit(&mut self, _: &Expr) -> Result<bool, String> {
            Ok(true)
        }
    }
    let concrete = ["$__rate_interval", "$__interval", "$__range"]
        .iter()
        .fold(expr.to_string(), |e, v| e.replace(v, "1m"));
    let parsed = promql_parser::parser::parse(&concrete)?;
    let mut names = Names(Vec::new());
    walk_expr(&mut names, &parsed)?;
    Ok(names.0)
}

#[test]
fn metric_names_come_from_selectors_only() {
    let names = metric_names(
        "histogram_quantile(0.95, sum by (check, le) (rate(a_bucket{check=~\"$check\",x=\"rate(b)\"}[$__rate_interval]))) \
         / on (check) group_left count without (le) ({__name__=\"c\"}) + sum(increase(d_total[1h] offset 5m)) > bool 2",
    )
    .unwrap();
    assert_eq!(names, ["a_bucket", "c", "d_total"]);
    assert!(metric_names("{__name__=~\"hivemind_.*\"}").is_err());
    assert!(metric_names("sum(").is_err());
}

/// Every metric a dashboard reads (panel queries and variables) is one the agent exposes, by
/// what a real agent serves: the series names of its `/metrics` once a check has run,
/// auto-healing has restarted something, an alert rule exists and a container with its own
/// network namespace runs. Where no such container can be made (not root, no cgroup v1; not
/// allowed under CI), a family the agent declares with no series yet (`/api/metrics` lists
/// every family each collection builds, empty ones too) counts as exposed.
#[test]
fn every_dashboard_metric_is_one_the_agent_exposes() {
    let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in hivemind::dashboards::all() {
        for e in hivemind::dashboards::expressions(&d) {
            let names = metric_names(&e).unwrap_or_else(|err| panic!("{}: {e}: {err}", d.uid));
            assert!(!names.is_empty(), "{}: {e} reads no metric", d.uid);
            for n in names {
                wanted.entry(n).or_default().push(format!("{}: {e}", d.uid));
            }
        }
    }

    let scratch = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (container, d) = busy_agent(
        scratch.path(),
        dir.path(),
        "families declared without series count as exposed",
    );

    // Series names (histograms as `_bucket`/`_sum`/`_count`) and `# TYPE` families served.
    let served = |text: &str| -> (BTreeMap<String, String>, Vec<String>) {
        let mut types = BTreeMap::new();
        let mut series = Vec::new();
        for line in text.lines() {
            if let Some(t) = line.strip_prefix("# TYPE ") {
                let (name, kind) = t.split_once(' ').unwrap();
                types.insert(name.to_string(), kind.to_string());
            } else if !line.starts_with('#') && !line.is_empty() {
                let end = line.find(['{', ' ']).unwrap();
                series.push(line[..end].to_string());
            }
        }
        (types, series)
    };
    // Families the agent declares, with the names their series take, and whether it has any.
    let declared = || -> BTreeMap<String, (String, Vec<String>, bool)> {
        let (code, body) = http(d.api, "GET", "/api/metrics", Some(&d.token), b"");
        assert_eq!(code, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["families"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let name = f["name"].as_str().unwrap().to_string();
                let kind = f["type"].as_str().unwrap().to_string();
                let names = if kind == "histogram" {
                    ["_bucket", "_sum", "_count"]
                        .iter()
                        .map(|s| format!("{name}{s}"))
                        .collect()
                } else {
                    vec![name.clone()]
                };
                let has_series = !f["samples"].as_array().unwrap().is_empty();
                (name, (kind, names, has_series))
            })
            .collect()
    };

    // A declared family may take a while to get series (restarts, CPU rates); a name no
    // family declares only gets a few collections' grace.
    let deadline = Instant::now() + Duration::from_secs(60);
    let grace = Instant::now() + Duration::from_secs(10);
    let (types, series, families, missing) = loop {
        let (types, series) = served(&scrape(&d));
        let families = declared();
        let missing: Vec<&String> = wanted.keys().filter(|n| !series.contains(n)).collect();
        // Without a fake container, wait only for what the agent has series for.
        let waiting = missing.iter().any(|n| {
            match families.values().find(|(_, names, _)| names.contains(n)) {
                Some((_, _, has)) => container.is_some() || *has,
                None => Instant::now() < grace,
            }
        });
        if !waiting || Instant::now() > deadline {
            let missing: Vec<String> = missing.into_iter().cloned().collect();
            break (types, series, families, missing);
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let strict = container.is_some();
    drop(container);

    // The two views agree: every family served is declared, with its type.
    assert!(series.len() > types.len(), "{series:?}");
    for (name, kind) in &types {
        let declared = families.get(name).map(|(k, _, _)| k);
        assert_eq!(
            declared,
            Some(kind),
            "{name} is served but not declared alike"
        );
    }

    let mut unknown = Vec::new();
    let mut declared_only = Vec::new();
    for name in &missing {
        let family = families.values().find(|(_, names, _)| names.contains(name));
        match family {
            Some((_, _, false)) if !strict => declared_only.push(name.as_str()),
            _ => unknown.push(format!(
                "{name} ({}), used by:\n  {}",
                if family.is_some() {
                    "declared, but no series appeared within 60 s"
                } else {
                    "the agent has no such metric"
                },
                wanted[name].join("\n  ")
            )),
        }
    }
    if !declared_only.is_empty() {
        eprintln!(
            "note: declared by the agent but without series here: {}",
            declared_only.join(", ")
        );
    }
    assert!(
        unknown.is_empty(),
        "dashboard metrics the agent does not expose:\n{}",
        unknown.join("\n")
    );
}

/// An HTTP proxy that refuses every request it is asked to make (the fake records them).
fn recording_proxy() -> FakeHttp {
    FakeHttp::start(|_| Response::text(403, "no external requests"))
}

/// `METHOD target` of every request a proxy was asked to make.
fn proxied(proxy: &FakeHttp) -> Vec<String> {
    proxy
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.target()))
        .collect()
}

/// Flags for a headless Chromium that reaches nothing by itself (services off, every request
/// through `proxy`).
fn chromium_flags(dir: &Path, proxy: &str) -> Vec<String> {
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--no-pings",
    ]
    .into_iter()
    .map(String::from)
    .chain([
        format!("--user-data-dir={}", dir.display()),
        format!("--proxy-server={proxy}"),
    ])
    .collect()
}

fn chromium_binary() -> PathBuf {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find_map(peer_quiet)
        .unwrap()
}

fn chromium(dir: &Path, proxy: &str, args: &[&str], url: &str) -> std::process::Output {
    Command::new(chromium_binary())
        .args(chromium_flags(dir, proxy))
        .args(["--window-size=1280,900", "--virtual-time-budget=3000"])
        .args(args)
        .arg(url)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn peer_quiet(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
/// commands go in on its fd 3, answers come out of its fd 4, each a JSON text ending in a NUL
/// byte), for what flags cannot do: a phone-sized viewport (a desktop window is at least
/// 500 px wide; device emulation lays the page out at 390) and reading the laid-out page.
struct Browser {
    child: Child,
    to: std::process::ChildStdin,
    from: std::sync::mpsc::Receiver<serde_json::Value>,
    next: u64,
    session: String,
    events: Vec<serde_json::Value>,
}

/// What one load of the status page showed.
#[derive(Debug)]
struct View(serde_json::Value);

impl View {
    fn text(&self, key: &str) -> String {
        self.0[key].as_str().unwrap_or_default().to_string()
    }

    fn num(&self, key: &str) -> u64 {
        self.0[key].as_u64().unwrap()
    }

    /// No horizontal scrolling at `width`: the viewport is that wide (a phone's widens to
    /// show content that does not fit) and the laid-out page within it.
    fn fits(&self, width: u64) -> Result<(), String> {
        let (inner, scroll, client) = (self.num("inner"), self.num("scroll"), self.num("client"));
        if inner != width {
            return Err(format!("the viewport is {inner} px wide, not {width}"));
        }
        if scroll > client {
            return Err(format!("{scroll} px of page in {client} px"));
        }
        Ok(())
    }

    fn assert_fits(&self, width: u64) {
        if let Err(e) = self.fits(width) {
            panic!(
                "the page scrolls sideways at {width} px: {e}\n{}",
                self.text("body")
            );
        }
    }
}

impl Browser {
    fn start(dir: &Path, proxy: &str) -> Browser {
        // fd 3 is our stdin pipe and fd 4 our stdout pipe, set up by the shell before exec.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null"#)
            .arg(chromium_binary())
            .args(chromium_flags(dir, proxy))
            .args(["--remote-debugging-pipe", "about:blank"])
            .env("HOME", dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let to = child.stdin.take().unwrap();
        let mut out = child.stdout.take().unwrap();
        let (tx, from) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::Read;
            let mut buf = Vec::new();
            let mut chunk = [0u8; 65536];
            while let Ok(n) = out.read(&mut chunk) {
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                while let Some(end) = buf.iter().position(|b| *b == 0) {
                    let msg: Vec<u8> = buf.drain(..=end).collect();
                    if let Ok(v) = serde_json::from_slice(&msg[..end])
                        && tx.send(v).is_err()
                    {
                        return;
                    }
                }
            }
        });
        let mut b = Browser {
            child,
            to,
            from,
            next: 0,
            session: String::new(),
            events: Vec::new(),
        };
        let target = b.call(
            None,
            "Target.createTarget",
            serde_json::json!({"url": "about:blank"}),
        );
        let target = target["targetId"].as_str().unwrap().to_string();
        let attached = b.call(
            None,
            "Target.attachToTarget",
            serde_json::json!({"targetId": target, "flatten": true}),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        b.page("Page.enable", serde_json::json!({}));
        b
    }

    fn receive(&mut self) -> serde_json::Value {
        self.from
            .recv_timeout(Duration::from_secs(60))
            .expect("Chromium answered within a minute")
    }

    /// Send a command (to the page's session, or the browser's) and return its result.
    fn call(
        &mut self,
        session: Option<String>,
        method: &str,
        params: serde_json::Value,
    ) -> serde_json::Value {
        self.next += 1;
        let mut msg = serde_json::json!({"id": self.next, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = s.into();
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.to.write_all(&bytes).unwrap();
        self.to.flush().unwrap();
        loop {
            let m = self.receive();
            if m["id"] == self.next {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            self.events.push(m);
        }
    }

    fn page(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let session = Some(self.session.clone());
        self.call(session, method, params)
    }

    fn wait_event(&mut self, method: &str) {
        loop {
            if let Some(i) = self.events.iter().position(|e| e["method"] == method) {
                self.events.remove(i);
                return;
            }
            let m = self.receive();
            self.events.push(m);
        }
    }

    /// Load `url` in a `width`×`height` viewport (a phone's when `mobile`: the page's
    /// `<meta name="viewport">` applies) and read the page.
    fn open(&mut self, url: &str, width: u64, height: u64, mobile: bool) -> View {
        self.page(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
        self.page("Page.navigate", serde_json::json!({"url": url}));
        self.wait_event("Page.loadEventFired");
        let read = r#"(() => {
            const t = id => { const e = document.getElementById(id); return e ? e.innerText : null; };
            const d = document.documentElement;
            return JSON.stringify({
                title: document.title, inner: innerWidth, scroll: d.scrollWidth, client: d.clientWidth,
                node: t("node"), uptime: t("uptime"), updated: t("updated"), alert_count: t("alert-count"),
                alerts: t("alerts"), resources: t("resources"), checks: t("checks"), body: document.body.innerText
            });
        })()"#;
        let r = self.page(
            "Runtime.evaluate",
            serde_json::json!({"expression": read, "returnByValue": true}),
        );
        View(serde_json::from_str(r["result"]["value"].as_str().unwrap()).unwrap())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.next += 1;
        let mut bytes =
            serde_json::to_vec(&serde_json::json!({"id": self.next, "method": "Browser.close"}))
                .unwrap();
        bytes.push(0);
        let _ = self.to.write_all(&bytes);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// This node's uptime as people read it (`3d 4h 12m`), from /proc/uptime.
fn human_uptime() -> String {
    let text = std::fs::read_to_string("/proc/uptime").unwrap();
    let secs = text.split('.').next().unwrap().parse::<u64>().unwrap();
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h {m}m"),
    }
}

/// The page as it should look at any width: this node, the check, the firing alert and a
/// human uptime (the node's, read before and after the load, in case a minute turned).
fn assert_status_page(view: &View, node: &str, check: &str, alert: &str, uptime: &[String]) {
    assert_eq!(view.text("title"), format!("hivemind · {node}"), "{view:?}");
    assert_eq!(view.text("node"), node);
    assert!(
        view.text("checks").contains(check)
            && view.text("checks").contains("healthy")
            && !view.text("checks").contains("unhealthy"),
        "the check is not on the page:\n{}",
        view.text("body")
    );
    assert!(
        view.text("alerts").contains(alert) && view.text("alerts").contains("firing"),
        "the firing alert is not in the alerts panel:\n{}",
        view.text("body")
    );
    assert!(
        view.text("alert_count").starts_with("1 firing"),
        "{}",
        view.text("alert_count")
    );
    assert!(
        uptime
            .iter()
            .any(|u| view.text("uptime") == format!("up {u}")),
        "uptime {:?}, expected one of {uptime:?}",
        view.text("uptime")
    );
    assert!(
        uptime.iter().any(|u| ["\t", "\n"]
            .iter()
            .any(|sep| view.text("resources").contains(&format!("{sep}{u}")))),
        "the uptime row is not human ({uptime:?}):\n{}",
        view.text("resources")
    );
}

/// Chromium's own service traffic (clock, component updates, sign-in) also reaches the proxy;
/// those exact hosts are Chromium's, never a page's CDN.
fn page_requests(proxy: &FakeHttp) -> Vec<String> {
    const CHROMIUM_SERVICES: [&str; 6] = [
        "clients2.google.com",
        "update.googleapis.com",
        "accounts.google.com",
        "optimizationguide-pa.googleapis.com",
        "safebrowsingohttpgateway.googleapis.com",
        "content-autofill.googleapis.com",
    ];
    proxied(proxy)
        .into_iter()
        .filter(|r| {
            !CHROMIUM_SERVICES
                .iter()
                .any(|h| r.contains(&format!("{h}:")) || r.contains(&format!("//{h}/")))
        })
        .collect()
}

/// The seed's rule form, with a condition that holds on any machine: CPU use is at least 0.
fn create_firing_rule(dir: &Path, name: &str) {
    let (code, _, err) = hm_run(
        dir,
        &[
            "health",
            "create-alert-rule",
            "--name",
            name,
            "--metric",
            "hivemind_node_cpu_usage",
            "--comparison",
            "ge",
            "--threshold",
            "0",
            "--duration",
            "0s",
            "--severity",
            "warning",
        ],
    );
    assert_eq!(code, 0, "{err}");
}

/// The measurement catches a page wider than its window (a control for `assert_fits`), on
/// a phone and on a laptop.
fn assert_overflow_is_seen(browser: &mut Browser) {
    let page = "data:text/html,<meta name=viewport content='width=device-width'><div style='width:1400px'>wide</div>";
    for (width, height, mobile) in [(390, 844, true), (1280, 800, false)] {
        let wide = browser.open(page, width, height, mobile);
        assert!(wide.fits(width).is_err(), "{wide:?}");
    }
}

#[test]
fn status_page_renders_in_headless_chromium_without_external_requests() {
    if peer_quiet("chromium").is_none() && peer_quiet("chromium-browser").is_none() {
        peer("chromium");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), &[]);
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-check",
            "--name",
            "web-frontend",
            "--type",
            "tcp",
            "--address",
            &d.api.to_string(),
            "--interval",
            "1s",
            "--timeout",
            "500ms",
        ],
    );
    assert_eq!(code, 0, "{err}");
    create_firing_rule(dir.path(), "cpu_is_measured");
    // The agent evaluates after every collection (each second here).
    wait_for("the rule to fire in the agent", 20, || {
        let (_, out, _) = hm_run(dir.path(), &["health", "alerts", "-o", "json"]);
        out.contains("\"firing\"")
    });
    std::thread::sleep(Duration::from_secs(2));

    // Without a browser (stdout is not a terminal) the URL is printed.
    let (code, out, err) = hm_run(dir.path(), &["observability", "open-dashboard"]);
    assert_eq!(code, 0, "{err}");
    // How long the link lasts is the agent's word.
    assert!(
        err.contains("signs you in once and expires in 5 minutes"),
        "{err}"
    );
    let url = out.trim().to_string();
    assert!(
        url.starts_with(&format!("{}/ui/login?code=", d.url())),
        "{out}"
    );
    assert!(
        !url.contains(&d.token),
        "the API token leaked into the link"
    );
    let proxy = recording_proxy();
    let profile = dir.path().join("chromium");
    let dom = chromium(&profile, &proxy.url(""), &["--dump-dom"], &url);
    let html = String::from_utf8_lossy(&dom.stdout);
    let info: serde_json::Value = {
        let (code, body) = http(d.api, "GET", "/api/info", Some(&d.token), b"");
        assert_eq!(code, 200);
        serde_json::from_str(&body).unwrap()
    };
    let node = info["hostname"].as_str().unwrap();
    assert!(
        html.contains("web-frontend"),
        "the check is not on the page:\n{html}"
    );
    assert!(
        html.contains(&format!("<span id=\"node\">{node}</span>")),
        "the node is not on the page:\n{html}"
    );
    assert!(
        html.contains("Node resources") && html.contains("healthy"),
        "{html}"
    );

    // A used link does not work twice; a fresh one gives the screenshot.
    let reused = chromium(
        &profile.with_extension("2"),
        &proxy.url(""),
        &["--dump-dom"],
        &url,
    );
    assert!(String::from_utf8_lossy(&reused.stdout).contains("expired"));
    let (_, out, _) = hm_run(
        dir.path(),
        &["observability", "open-dashboard", "--print-url"],
    );
    let png = dir.path().join("status.png");
    let shot = chromium(
        &profile.with_extension("3"),
        &proxy.url(""),
        &[&format!("--screenshot={}", png.display())],
        out.trim(),
    );
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "{} bytes",
        bytes.len()
    );
    if let Ok(keep) = std::env::var("HIVEMIND_KEEP_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }

    // A laptop's window and a phone's: the alerts panel, human durations, no sideways scroll.
    let (_, out, _) = hm_run(
        dir.path(),
        &["observability", "open-dashboard", "--print-url"],
    );
    let mut browser = Browser::start(&profile.with_extension("4"), &proxy.url(""));
    let before = human_uptime();
    let wide = browser.open(out.trim(), 1280, 800, false);
    let narrow = browser.open(&format!("{}/ui", d.url()), 390, 844, true);
    let uptime = [before, human_uptime()];
    // The agent's own uptime is human too.
    let agent_up = regex::Regex::new(r"agent up (\d+d )?(\d+h )?\d+m$").unwrap();
    for (view, width) in [(&wide, 1280), (&narrow, 390)] {
        view.assert_fits(width);
        assert_status_page(view, node, "web-frontend", "cpu_is_measured", &uptime);
        assert!(
            agent_up.is_match(&view.text("updated")),
            "{}",
            view.text("updated")
        );
    }
    assert_overflow_is_seen(&mut browser);
    drop(browser);

    assert!(
        page_requests(&proxy).is_empty(),
        "external requests: {:?}",
        page_requests(&proxy)
    );
    // The proxy does catch what a page loads from elsewhere.
    let control = chromium(
        &profile.with_extension("5"),
        &proxy.url(""),
        &["--dump-dom"],
        "data:text/html,<img src='http://cdn.example.test/x.png'>",
    );
    assert!(control.status.success());
    assert!(
        page_requests(&proxy)
            .iter()
            .any(|r| r.contains("cdn.example.test")),
        "the control request was not seen: {:?}",
        proxied(&proxy)
    );

    // Without a session the page and its data stay closed.
    let (code, body) = http(d.api, "GET", "/ui", None, b"");
    assert_eq!(code, 401);
    assert!(body.contains("open-dashboard"), "{body}");
    let (code, _) = http(d.api, "GET", "/ui/data", None, b"");
    assert_eq!(code, 401);
}

#[test]
fn open_dashboard_serves_the_status_page_itself_when_no_agent_runs() {
    if peer_quiet("chromium").is_none() && peer_quiet("chromium-browser").is_none() {
        peer("chromium");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Something for a TCP check to find healthy.
    let service = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-check",
            "--name",
            "db-primary",
            "--type",
            "tcp",
            "--address",
            &service.local_addr().unwrap().to_string(),
            "--timeout",
            "2s",
        ],
    );
    assert_eq!(code, 0, "{err}");
    create_firing_rule(dir.path(), "cpu_is_measured");

    // --print-url never starts a server, so a script never hangs on it.
    let (code, out, err) = hm_run(
        dir.path(),
        &["observability", "open-dashboard", "--print-url"],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("needs a running server")
            && err.contains("without --print-url")
            && err.contains("hivemind daemon"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    // No agent: the command serves the page itself, printing the address at once.
    let mut child = super::std_cmd(dir.path())
        .args(["observability", "open-dashboard"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("open-dashboard printed its URL");
    let url = line.trim().to_string();
    let addr: SocketAddr = url
        .strip_prefix("http://")
        .and_then(|u| u.split_once('/'))
        .map(|(a, _)| a.parse().unwrap())
        .unwrap_or_else(|| panic!("not a loopback URL: {url}"));
    assert!(addr.ip().is_loopback(), "{url}");
    assert!(url.contains("/ui/login?code="), "{url}");

    // Closed without the link, as the agent's page is.
    let (code, body) = http(addr, "GET", "/ui", None, b"");
    assert_eq!(code, 401);
    assert!(body.contains("open-dashboard"), "{body}");
    let (code, _) = http(addr, "GET", "/ui/data", None, b"");
    assert_eq!(code, 401);

    let (_, health, _) = hm_run(dir.path(), &["health", "status", "-o", "json"]);
    let node = json(&health)["hostname"].as_str().unwrap().to_string();
    let proxy = recording_proxy();
    let mut browser = Browser::start(&dir.path().join("chromium"), &proxy.url(""));
    let before = human_uptime();
    let wide = browser.open(&url, 1280, 800, false);
    let narrow = browser.open(&format!("http://{addr}/ui"), 390, 844, true);
    let uptime = [before, human_uptime()];
    for (view, width) in [(&wide, 1280), (&narrow, 390)] {
        view.assert_fits(width);
        assert_status_page(view, &node, "db-primary", "cpu_is_measured", &uptime);
        assert!(
            view.text("updated").contains("served by open-dashboard"),
            "{}",
            view.text("updated")
        );
    }
    // The link signs in once.
    let again = browser.open(&url, 1280, 800, false);
    assert!(again.text("body").contains("expired"), "{again:?}");
    drop(browser);
    assert!(
        page_requests(&proxy).is_empty(),
        "external requests: {:?}",
        page_requests(&proxy)
    );

    // SIGTERM ends it at once, quietly, with 128 + 15, and nothing is left listening.
    let stopped = Instant::now();
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if stopped.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("open-dashboard did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = stopped.elapsed();
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert!(took < Duration::from_secs(3), "stopping took {took:?}");
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("until Ctrl-C"), "{err}");
    assert!(!err.contains("error"), "{err}");
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "{addr} still accepts connections"
    );
}

#[test]
fn dashboards_import_into_grafana_idempotently() {
    let store: Arc<Mutex<BTreeMap<String, (serde_json::Value, u64)>>> = Arc::default();
    let folders: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let (s, f) = (Arc::clone(&store), Arc::clone(&folders));
    let grafana = FakeHttp::start(move |req| {
        if req.headers.get("authorization").map(String::as_str) != Some("Bearer glsa_good") {
            return json_reply(401, serde_json::json!({"message": "invalid API key"}));
        }
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/api/health") => json_reply(
                200,
                serde_json::json!({"database": "ok", "version": "11.2.0"}),
            ),
            ("GET", p) if p.starts_with("/api/folders") => json_reply(
                200,
                serde_json::Value::Array(
                    f.lock()
                        .unwrap()
                        .iter()
                        .map(|(uid, title)| serde_json::json!({"uid": uid, "title": title}))
                        .collect(),
                ),
            ),
            ("POST", "/api/folders") => {
                let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
                let uid = format!("f{}", f.lock().unwrap().len() + 1);
                f.lock()
                    .unwrap()
                    .push((uid.clone(), body["title"].as_str().unwrap().into()));
                json_reply(200, serde_json::json!({"uid": uid, "title": body["title"]}))
            }
            ("GET", p) if p.starts_with("/api/dashboards/uid/") => {
                let uid = p.trim_start_matches("/api/dashboards/uid/");
                match s.lock().unwrap().get(uid) {
                    Some((d, _)) => json_reply(200, serde_json::json!({"dashboard": d})),
                    None => json_reply(404, serde_json::json!({"message": "Dashboard not found"})),
                }
            }
            ("POST", "/api/dashboards/db") => {
                let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
                assert_eq!(body["overwrite"], true);
                assert!(body["dashboard"]["id"].is_null());
                assert!(!body.to_string().contains("${DS_"));
                let uid = body["dashboard"]["uid"].as_str().unwrap().to_string();
                let mut st = s.lock().unwrap();
                let version = st.get(&uid).map_or(1, |(_, v)| v + 1);
                st.insert(uid.clone(), (body.clone(), version));
                json_reply(
                    200,
                    serde_json::json!({"status": "success", "uid": uid, "url": format!("/d/{uid}/x"), "version": version}),
                )
            }
            _ => json_reply(404, serde_json::json!({"message": "not found"})),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(hm(dir.path())
        .args([
            "observability",
            "import-dashboards",
            "--target",
            "grafana",
            "--url",
            &grafana.url(""),
            "--token-stdin",
            "--folder",
            "Hivemind",
            "-o",
            "json",
        ])
        .write_stdin("glsa_good"));
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert!(
        v["dashboards"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["change"] == "created"),
        "{out}"
    );
    assert!(!out.contains("glsa_good") && !err.contains("glsa_good"));
    // The seed's form: no --url, no token flag; the last Grafana and the stored token are used.
    let (code, out, err) = hm_run(
        dir.path(),
        &["observability", "import-dashboards", "--target", "grafana"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("the Grafana used last time"), "{err}");
    assert_eq!(out.matches("updated").count(), 5, "{out}");
    let st = store.lock().unwrap();
    assert_eq!(st.len(), 5);
    assert!(
        st.values()
            .all(|(body, v)| *v == 2 && body["folderUid"] == "f1")
    );
    drop(st);
    assert_eq!(
        folders.lock().unwrap().len(),
        1,
        "the folder is created once"
    );
    // open-dashboard now opens Grafana's overview.
    let (code, out, _) = hm_run(
        dir.path(),
        &[
            "observability",
            "open-dashboard",
            "--print-url",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(json(&out)["url"], grafana.url("/d/hivemind-overview"));
    // A wrong token is a clear error.
    let (code, _, err) = run(hm(dir.path())
        .args(["observability", "import-dashboards", "--token-stdin"])
        .write_stdin("glsa_bad"));
    assert_eq!(code, 2);
    assert!(
        err.contains("401") && err.contains("--token-stdin"),
        "{err}"
    );
    assert!(!err.contains("glsa_bad"));
    // Grafana not there.
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "import-dashboards",
            "--url",
            &format!("http://127.0.0.1:{}", free_port()),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot connect") && err.contains("--output-dir"),
        "{err}"
    );
}

/// A strict double of Kibana's saved-objects import API (no Kibana can be installed here),
/// written from Kibana's published reference for `POST /api/saved_objects/_import`: a
/// `kbn-xsrf` header is required, the body is `multipart/form-data` whose `file` part is an
/// `.ndjson` file of saved objects, one JSON object per line; `overwrite=true` replaces objects
/// with the same type and id; objects of types Kibana cannot import fail as
/// `unsupported_type`, and objects whose references name neither an object of the file nor
/// one Kibana holds fail as `missing_references`; the answer is `success`, `successCount`,
/// `successResults` (with `overwrite: true` for replaced objects) and, on failures, `errors`.
/// Every departure from that request form is recorded as a violation (and answered 400, as
/// Kibana would).
struct KibanaDouble {
    http: FakeHttp,
    /// (type, id) → the saved object as last imported.
    store: Arc<Mutex<BTreeMap<(String, String), serde_json::Value>>>,
    violations: Arc<Mutex<Vec<String>>>,
}

impl KibanaDouble {
    fn start(api_key: &'static str, unsupported: &'static [&'static str]) -> KibanaDouble {
        let store: Arc<Mutex<BTreeMap<(String, String), serde_json::Value>>> = Arc::default();
        let violations: Arc<Mutex<Vec<String>>> = Arc::default();
        let (s, v) = (Arc::clone(&store), Arc::clone(&violations));
        let http = FakeHttp::start(move |req| {
            let bad = |why: String| {
                v.lock().unwrap().push(why.clone());
                json_reply(
                    400,
                    serde_json::json!({"statusCode": 400, "error": "Bad Request", "message": why}),
                )
            };
            if req.method != "POST" || req.path != "/api/saved_objects/_import" {
                return bad(format!("{} {}", req.method, req.path));
            }
            let query: Vec<&str> = req.query.as_deref().unwrap_or("").split('&').collect();
            if query != ["overwrite=true"] {
                return bad(format!("query {:?}, expected overwrite=true", req.query));
            }
            if !req.headers.contains_key("kbn-xsrf") {
                return bad("Request must contain a kbn-xsrf header.".into());
            }
            if req.headers.get("authorization").map(String::as_str)
                != Some(&format!("ApiKey {api_key}"))
            {
                return json_reply(
                    401,
                    serde_json::json!({"statusCode": 401, "error": "Unauthorized",
                        "message": "[security_exception]: unable to authenticate with provided credentials"}),
                );
            }
            let ct = req.headers.get("content-type").cloned().unwrap_or_default();
            let Some(boundary) = ct
                .strip_prefix("multipart/form-data; boundary=")
                .filter(|b| !b.is_empty())
            else {
                return bad(format!("content-type {ct:?}"));
            };
            let body = String::from_utf8(req.body.clone()).unwrap_or_default();
            let Some(rest) = body.strip_prefix(&format!("--{boundary}\r\n")) else {
                return bad("the body does not open with the boundary".into());
            };
            let Some(part) = rest.strip_suffix(&format!("\r\n--{boundary}--\r\n")) else {
                return bad("the body does not close with the boundary".into());
            };
            let Some((head, file)) = part.split_once("\r\n\r\n") else {
                return bad("a part without headers".into());
            };
            let disposition = head
                .lines()
                .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
                .unwrap_or_default();
            if !disposition.contains("form-data; name=\"file\"") {
                return bad(format!("no file part: {disposition}"));
            }
            let filename = disposition
                .split("filename=\"")
                .nth(1)
                .and_then(|f| f.split('"').next())
                .unwrap_or_default();
            if !filename.ends_with(".ndjson") {
                return bad(format!("Invalid file extension {filename:?}"));
            }
            let mut objects = Vec::new();
            for (i, line) in file.lines().enumerate() {
                match serde_json::from_str::<serde_json::Value>(line) {
                    Ok(o) if o["type"].is_string() && o["id"].is_string() => objects.push(o),
                    _ => return bad(format!("line {} is not a saved object: {line}", i + 1)),
                }
            }
            let key = |o: &serde_json::Value| {
                (
                    o["type"].as_str().unwrap_or_default().to_string(),
                    o["id"].as_str().unwrap_or_default().to_string(),
                )
            };
            let importable: Vec<(String, String)> = objects
                .iter()
                .filter(|o| !unsupported.contains(&o["type"].as_str().unwrap_or_default()))
                .map(key)
                .collect();
            let mut st = s.lock().unwrap();
            let mut results = Vec::new();
            let mut errors = Vec::new();
            for o in &objects {
                let (kind, id) = key(o);
                let meta = serde_json::json!({"title": o["attributes"]["title"]});
                if unsupported.contains(&kind.as_str()) {
                    errors.push(serde_json::json!({"type": kind, "id": id, "meta": meta,
                        "error": {"type": "unsupported_type"}}));
                    continue;
                }
                let missing: Vec<serde_json::Value> = o["references"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| {
                        let k = key(r);
                        !importable.contains(&k) && !st.contains_key(&k)
                    })
                    .map(|r| serde_json::json!({"type": r["type"], "id": r["id"]}))
                    .collect();
                if !missing.is_empty() {
                    errors.push(serde_json::json!({"type": kind, "id": id, "meta": meta,
                        "error": {"type": "missing_references", "references": missing}}));
                    continue;
                }
                let replaced = st.insert((kind.clone(), id.clone()), o.clone()).is_some();
                let mut r = serde_json::json!({"type": kind, "id": id, "meta": meta});
                if replaced {
                    r["overwrite"] = true.into();
                }
                results.push(r);
            }
            let mut answer = serde_json::json!({
                "success": errors.is_empty(),
                "successCount": results.len(),
                "successResults": results,
            });
            if !errors.is_empty() {
                answer["errors"] = errors.into();
            }
            json_reply(200, answer)
        });
        KibanaDouble {
            http,
            store,
            violations,
        }
    }

    /// The NDJSON files the import requests carried.
    fn files(&self) -> Vec<String> {
        self.http
            .requests()
            .iter()
            .filter_map(|r| {
                let body = String::from_utf8_lossy(&r.body).into_owned();
                let start = body.find("\r\n\r\n")? + 4;
                let end = body.rfind("\r\n--")?;
                Some(body[start..end].to_string())
            })
            .collect()
    }
}

#[test]
fn dashboards_import_into_kibana_idempotently() {
    const KEY: &str = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";
    let kibana = KibanaDouble::start(KEY, &[]);
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(hm(dir.path())
        .args([
            "observability",
            "import-dashboards",
            "--target",
            "kibana",
            "--url",
            &kibana.http.url(""),
            "--token-stdin",
            "-o",
            "json",
        ])
        .write_stdin(KEY));
    assert_eq!(code, 0, "{err}");
    assert!(kibana.violations.lock().unwrap().is_empty());
    let v = json(&out);
    assert_eq!(v["target"], "kibana");
    let rows = v["dashboards"].as_array().unwrap();
    assert_eq!(rows.len(), 9, "{out}");
    assert!(rows.iter().all(|d| d["change"] == "created"), "{out}");
    assert!(!out.contains(KEY) && !err.contains(KEY));

    // What Kibana received: the four dashboards by title, every search and dashboard
    // referencing the data view, every reference naming an object of the file.
    let files = kibana.files();
    assert_eq!(files.len(), 1);
    let objects: Vec<serde_json::Value> = files[0]
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let view = objects
        .iter()
        .find(|o| o["type"] == "index-pattern")
        .unwrap();
    assert_eq!(view["attributes"]["title"], "hivemind-logs*");
    assert_eq!(view["attributes"]["timeFieldName"], "timestamp");
    let view_id = view["id"].as_str().unwrap();
    let mut titles: Vec<&str> = objects
        .iter()
        .filter(|o| o["type"] == "dashboard")
        .map(|o| o["attributes"]["title"].as_str().unwrap())
        .collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            "Audit Logs",
            "Container Logs",
            "Error Logs",
            "Hivemind Logs"
        ]
    );
    for o in &objects {
        let refs = o["references"].as_array().unwrap();
        if o["type"] == "search" || o["type"] == "dashboard" {
            assert!(
                refs.iter()
                    .any(|r| r["type"] == "index-pattern" && r["id"] == view_id),
                "{} does not reference the data view",
                o["id"]
            );
        }
        for r in refs {
            assert!(
                objects
                    .iter()
                    .any(|x| x["type"] == r["type"] && x["id"] == r["id"]),
                "{} references {r}, which is not in the file",
                o["id"]
            );
        }
    }
    assert_eq!(kibana.store.lock().unwrap().len(), objects.len());

    // The same again, in the seed's form (no --url, no key): the stored Kibana and key are
    // used, the same objects are overwritten and nothing new is created.
    let (code, out, err) = hm_run(
        dir.path(),
        &["observability", "import-dashboards", "--target", "kibana"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("the Kibana used last time"), "{err}");
    assert_eq!(out.matches("updated").count(), 9, "{out}");
    assert!(kibana.violations.lock().unwrap().is_empty());
    assert_eq!(kibana.store.lock().unwrap().len(), objects.len());
    let files = kibana.files();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0], files[1]);
    assert!(
        !std::fs::read_to_string(dir.path().join("state.toml"))
            .unwrap()
            .contains(KEY)
    );

    // A wrong key is a clear error, without the key.
    let (code, _, err) = run(hm(dir.path())
        .args([
            "observability",
            "import-dashboards",
            "--target",
            "kibana",
            "--token-stdin",
        ])
        .write_stdin("bm90LXRoZS1rZXk="));
    assert_eq!(code, 2);
    assert!(
        err.contains("401") && err.contains("--token-stdin"),
        "{err}"
    );
    assert!(!err.contains("bm90LXRoZS1rZXk="), "{err}");
    // Kibana has no folders.
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "import-dashboards",
            "--target",
            "kibana",
            "--folder",
            "x",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--folder") && err.trim().lines().count() == 1,
        "{err}"
    );
    // Kibana not there.
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "import-dashboards",
            "--target",
            "kibana",
            "--url",
            &format!("http://127.0.0.1:{}", free_port()),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot connect") && err.contains("--output-dir"),
        "{err}"
    );
}

/// A Kibana that refuses some objects: its `errors` array becomes one line per object and a
/// non-zero exit, with the objects it did import still reported.
#[test]
fn kibana_import_errors_are_reported_per_object() {
    const KEY: &str = "a2V5OnNlY3JldA==";
    // A Kibana that cannot import saved searches: they fail as unsupported, and the
    // dashboards, whose panels reference them, as missing references.
    let kibana = KibanaDouble::start(KEY, &["search"]);
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(hm(dir.path())
        .args([
            "observability",
            "import-dashboards",
            "--target",
            "kibana",
            "--url",
            &kibana.http.url(""),
            "--token-stdin",
            "-o",
            "json",
        ])
        .write_stdin(KEY));
    assert_eq!(code, 2, "{err}");
    assert!(kibana.violations.lock().unwrap().is_empty());
    let rows = json(&out)["dashboards"].as_array().unwrap().clone();
    let change = |id: &str| {
        rows.iter()
            .find(|r| r["uid"] == id)
            .map(|r| r["change"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(change("hivemind-logs"), "created");
    assert_eq!(change("hivemind-logs-errors"), "failed");
    assert_eq!(change("hivemind-error-logs-dashboard"), "failed");
    assert!(
        err.contains("search \"hivemind-logs-audit\"") && err.contains("unsupported_type"),
        "{err}"
    );
    assert!(
        err.contains(
            "dashboard \"hivemind-audit-logs-dashboard\" (Audit Logs): missing_references"
        ) && err.contains("search hivemind-logs-audit"),
        "{err}"
    );
    assert!(
        err.contains("did not import 8 of the 9 saved objects"),
        "{err}"
    );
    assert_eq!(kibana.store.lock().unwrap().len(), 1);
}

/// `--output-dir` writes the checked-in NDJSON byte for byte, and with log shipping to
/// another index, the same file with the data view on that index.
#[test]
fn kibana_ndjson_for_file_import() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let args = [
        "observability",
        "import-dashboards",
        "--target",
        "kibana",
        "--output-dir",
        out.to_str().unwrap(),
    ];
    let (code, _, err) = hm_run(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["hivemind-logs.ndjson"]);
    let checked_in = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("dashboards/kibana/hivemind-logs.ndjson"),
    )
    .unwrap();
    assert!(std::fs::read(out.join("hivemind-logs.ndjson")).unwrap() == checked_in);

    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-logging",
            "--endpoint",
            "http://127.0.0.1:9200",
            "--index",
            "app-logs",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = hm_run(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("app-logs*"), "{err}");
    let text = std::fs::read_to_string(out.join("hivemind-logs.ndjson")).unwrap();
    let view: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(view["attributes"]["title"], "app-logs*");
}
