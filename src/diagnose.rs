//! `observability diagnose`: a checklist per pipeline that turns "metrics/traces/logs not
//! showing up" into one failing line with a hint. Metrics: listener, scrape, lint, and the
//! target's state in Prometheus. Tracing: configuration, endpoint, a canary span, the
//! exporter's record. Logging: configuration, cluster, credentials, a canary document, the
//! shipper's record. `--stack`: the health endpoints of Prometheus, Alertmanager and Grafana.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::api::Service;
use crate::error::{Error, Result};
use crate::model::{LoggingConfig, SecretRef, TracingConfig, validate};
use crate::telemetry::{elastic, otlp, trace};

/// Which pipeline to check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Component {
    #[default]
    All,
    Metrics,
    Tracing,
    Logging,
}

/// `GET /api/diagnose`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnoseRequest {
    #[serde(default)]
    pub component: Component,
    /// Prometheus to ask whether it scrapes this agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<String>,
    /// Also check the stack's health endpoints.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stack: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alertmanager: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grafana: Option<String>,
}

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    /// Not applicable here (e.g. the exporter's record without a running agent).
    Skip,
}

/// One line of the checklist.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    pub component: String,
    pub check: String,
    pub result: Outcome,
    pub detail: String,
    /// What to do about a failure (empty when it passed).
    pub hint: String,
}

/// `diagnose` output.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DiagnoseReport {
    /// False when any check failed (exit code 1).
    pub ok: bool,
    pub checks: Vec<Finding>,
}

struct List(Vec<Finding>);

impl List {
    fn add(
        &mut self,
        component: &str,
        check: &str,
        result: Outcome,
        detail: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.0.push(Finding {
            component: component.into(),
            check: check.into(),
            result,
            detail: detail.into(),
            hint: if result == Outcome::Fail {
                hint.into()
            } else {
                String::new()
            },
        });
    }
}

const TIMEOUT: Duration = Duration::from_secs(5);

fn url_arg(flag: &str, value: &Option<String>) -> Result<Option<String>> {
    value
        .as_deref()
        .map(|u| {
            validate::http_url(u)
                .map(|p| p.to_string().trim_end_matches('/').to_string())
                .map_err(|a| Error::invalid(flag, u, a))
        })
        .transpose()
}

/// Run the checks `req` asks for.
pub fn run(svc: &Service, req: &DiagnoseRequest) -> Result<DiagnoseReport> {
    let prometheus = url_arg("--prometheus", &req.prometheus)?;
    let alertmanager = url_arg("--alertmanager", &req.alertmanager)?;
    let grafana = url_arg("--grafana", &req.grafana)?;
    let state = svc.local.state()?;
    let tracing = state.tracing.clone();
    let logging = state.logging.clone();
    let tracing_dest = tracing
        .as_ref()
        .map(|t| crate::telemetry::resolve_destination(t, &svc.local.secrets))
        .transpose();
    let logging_auth = logging
        .as_ref()
        .map(|l| crate::telemetry::resolve_auth(l, &svc.local.secrets))
        .transpose();
    let grafana = grafana.or(state.grafana.url.clone());
    // The components run at once: each may wait out its own connection timeouts, and
    // together they must answer within the CLI's per-agent deadline.
    let lists = crate::api::block_on(svc, async {
        let http = otlp::client(TIMEOUT);
        let wants = |c: Component| req.component == Component::All || req.component == c;
        let metrics_part = async {
            let mut list = List(Vec::new());
            if wants(Component::Metrics) {
                metrics(&http, &state.metrics, prometheus.as_deref(), &mut list).await;
            }
            list
        };
        let tracing_part = async {
            let mut list = List(Vec::new());
            if wants(Component::Tracing) {
                tracing_checks(svc, &http, tracing.as_ref(), tracing_dest, &mut list).await;
            }
            list
        };
        let logging_part = async {
            let mut list = List(Vec::new());
            if wants(Component::Logging) {
                logging_checks(svc, &http, logging.as_ref(), logging_auth, &mut list).await;
            }
            list
        };
        let stack_part = async {
            let mut list = List(Vec::new());
            if req.stack {
                let prom = prometheus
                    .clone()
                    .unwrap_or_else(|| "http://127.0.0.1:9090".into());
                let am = alertmanager.unwrap_or_else(|| "http://127.0.0.1:9093".into());
                let gf = grafana.unwrap_or_else(|| "http://127.0.0.1:3000".into());
                for (name, base, path, flag) in [
                    ("prometheus", prom, "/-/healthy", "--prometheus"),
                    ("alertmanager", am, "/-/healthy", "--alertmanager"),
                    ("grafana", gf, "/api/health", "--grafana"),
                ] {
                    stack_check(&http, name, &base, path, flag, &mut list).await;
                }
            }
            list
        };
        let (a, b, c, d) = tokio::join!(metrics_part, tracing_part, logging_part, stack_part);
        [a, b, c, d]
    })?;
    let list = List(lists.into_iter().flat_map(|l| l.0).collect());
    let ok = list.0.iter().all(|f| f.result != Outcome::Fail);
    Ok(DiagnoseReport { ok, checks: list.0 })
}

async fn get(http: &reqwest::Client, url: &str) -> std::result::Result<(u16, Vec<u8>), String> {
    let resp = http
        .get(url)
        .send()
        .await
        .map_err(|e| crate::net::describe(&e))?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.map_err(|e| crate::net::describe(&e))?;
    Ok((status, body.to_vec()))
}

async fn metrics(
    http: &reqwest::Client,
    config: &crate::model::MetricsConfig,
    prometheus: Option<&str>,
    list: &mut List,
) {
    const C: &str = "metrics";
    let host = if config.listen_address.is_unspecified() {
        match config.listen_address {
            std::net::IpAddr::V4(_) => "127.0.0.1".to_string(),
            std::net::IpAddr::V6(_) => "[::1]".to_string(),
        }
    } else {
        match config.listen_address {
            std::net::IpAddr::V6(a) => format!("[{a}]"),
            a => a.to_string(),
        }
    };
    let addr = format!("{host}:{}", config.port);
    let url = format!("http://{addr}{}", config.path);
    let connect = tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(&addr)).await;
    match connect {
        Ok(Ok(_)) => list.add(
            C,
            "listener bound",
            Outcome::Pass,
            format!("{addr} accepts connections"),
            "",
        ),
        Ok(Err(e)) => {
            list.add(
                C,
                "listener bound",
                Outcome::Fail,
                format!("nothing listens on {addr}: {e}"),
                "start the agent (`hivemind daemon`); it serves metrics where `configure-metrics` says",
            );
            list.add(C, "scrape parses", Outcome::Skip, "no listener", "");
            if prometheus.is_some() {
                list.add(
                    C,
                    "prometheus target up",
                    Outcome::Skip,
                    "no listener to scrape",
                    "",
                );
            }
            return;
        }
        Err(_) => {
            list.add(
                C,
                "listener bound",
                Outcome::Fail,
                format!("{addr}: connection timed out"),
                "check firewalls between here and the listener",
            );
            if prometheus.is_some() {
                list.add(
                    C,
                    "prometheus target up",
                    Outcome::Skip,
                    "no listener to scrape",
                    "",
                );
            }
            return;
        }
    }
    let started = Instant::now();
    let body = match get(http, &url).await {
        Ok((200, body)) => body,
        Ok((status, _)) => {
            list.add(
                C,
                "scrape parses",
                Outcome::Fail,
                format!("GET {url}: HTTP {status}"),
                "another program holds the port, or the path differs: see `hivemind observability show-config`",
            );
            return;
        }
        Err(e) => {
            list.add(
                C,
                "scrape parses",
                Outcome::Fail,
                format!("GET {url}: {e}"),
                "see the agent's log",
            );
            return;
        }
    };
    let took = started.elapsed();
    let text = String::from_utf8_lossy(&body);
    match parse_exposition(&text) {
        Ok(parsed) => {
            list.add(
                C,
                "scrape parses",
                Outcome::Pass,
                format!(
                    "{} families, {} series in {} ms from {url}",
                    parsed.families,
                    parsed.series,
                    took.as_millis()
                ),
                "",
            );
            if !parsed.families_named("hivemind_") {
                list.add(C, "lint-clean", Outcome::Fail, "no hivemind_ metrics in the scrape", "another exporter holds this port: move one of them with `configure-metrics --port`");
            } else if parsed.problems.is_empty() {
                list.add(
                    C,
                    "lint-clean",
                    Outcome::Pass,
                    "HELP and TYPE on every family, counters end in _total, no duplicate series",
                    "",
                );
            } else {
                list.add(
                    C,
                    "lint-clean",
                    Outcome::Fail,
                    parsed
                        .problems
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; "),
                    "report this as a hivemind bug, with `promtool check metrics` output",
                );
            }
        }
        Err(e) => list.add(
            C,
            "scrape parses",
            Outcome::Fail,
            e,
            "another program may hold the metrics port",
        ),
    }
    let Some(prom) = prometheus else {
        return;
    };
    let targets_url = format!("{prom}/api/v1/targets?state=active");
    let answer = match get(http, &targets_url).await {
        Ok((200, body)) => serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default(),
        Ok((status, _)) => {
            list.add(
                C,
                "prometheus target up",
                Outcome::Fail,
                format!("GET {targets_url}: HTTP {status}"),
                "is --prometheus the Prometheus server's base URL?",
            );
            return;
        }
        Err(e) => {
            list.add(
                C,
                "prometheus target up",
                Outcome::Fail,
                format!("Prometheus at {prom}: {e}"),
                "check --prometheus and that Prometheus runs",
            );
            return;
        }
    };
    let port = format!(":{}", config.port);
    let target = answer["data"]["activeTargets"].as_array().and_then(|ts| {
        ts.iter().find(|t| {
            t["scrapeUrl"].as_str().is_some_and(|u| {
                url::Url::parse(u).is_ok_and(|p| {
                    p.port_or_known_default() == Some(config.port) && p.path() == config.path
                })
            })
        })
    });
    match target {
        Some(t) if t["health"] == "up" => list.add(
            C,
            "prometheus target up",
            Outcome::Pass,
            format!(
                "job {} scrapes {} (last scrape {})",
                t["labels"]["job"].as_str().unwrap_or("?"),
                t["scrapeUrl"].as_str().unwrap_or("?"),
                t["lastScrape"].as_str().unwrap_or("?")
            ),
            "",
        ),
        Some(t) => list.add(
            C,
            "prometheus target up",
            Outcome::Fail,
            format!(
                "{} is {}: {}",
                t["scrapeUrl"].as_str().unwrap_or("?"),
                t["health"].as_str().unwrap_or("unknown"),
                t["lastError"].as_str().unwrap_or("")
            ),
            "Prometheus cannot scrape the agent: check that the listen address is reachable from Prometheus (`configure-metrics --listen-address`)",
        ),
        None => list.add(
            C,
            "prometheus target up",
            Outcome::Fail,
            format!("no active target of {prom} scrapes port {} path {}", port.trim_start_matches(':'), config.path),
            format!("add the agent to a scrape config: `- targets: ['<this host>{port}']` (metrics_path: {})", config.path),
        ),
    }
}

/// What a scrape held.
pub struct Exposition {
    pub families: usize,
    pub series: usize,
    pub names: Vec<String>,
    pub problems: Vec<String>,
}

impl Exposition {
    fn families_named(&self, prefix: &str) -> bool {
        self.names.iter().any(|n| n.starts_with(prefix))
    }
}

fn valid_metric_name(n: &str) -> bool {
    validate::metric_name(n).is_ok()
}

/// Parse Prometheus text format 0.0.4 and lint it the way `promtool check metrics` does
/// for the rules that matter here. A line that does not parse is an error.
pub fn parse_exposition(text: &str) -> std::result::Result<Exposition, String> {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut helps: HashSet<String> = HashSet::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut problems = Vec::new();
    let mut series = 0;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("HELP"), Some(name), _) => {
                    helps.insert(name.to_string());
                }
                (Some("TYPE"), Some(name), Some(kind)) => {
                    if !matches!(
                        kind,
                        "counter" | "gauge" | "histogram" | "summary" | "untyped"
                    ) {
                        return Err(format!("line {n}: unknown metric type '{kind}'"));
                    }
                    if kind == "counter" && !name.ends_with("_total") {
                        problems.push(format!("counter {name} should end in _total"));
                    }
                    if types.insert(name.to_string(), kind.to_string()).is_some() {
                        problems.push(format!("{name} has a second TYPE line"));
                    }
                }
                _ => {}
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (name_labels, value) = match line.rfind('}') {
            Some(close) => (&line[..=close], line[close + 1..].trim()),
            None => match line.split_once(' ') {
                Some((a, b)) => (a, b.trim()),
                None => return Err(format!("line {n}: a sample without a value")),
            },
        };
        let name = name_labels.split('{').next().unwrap_or("");
        if !valid_metric_name(name) {
            return Err(format!(
                "line {n}: invalid metric name '{}'",
                name.chars().take(64).collect::<String>()
            ));
        }
        if name_labels.contains('{') && !name_labels.ends_with('}') {
            return Err(format!("line {n}: unterminated label set"));
        }
        let value = value.split_whitespace().next().unwrap_or("");
        if value.parse::<f64>().is_err() && !matches!(value, "NaN" | "+Inf" | "-Inf") {
            return Err(format!("line {n}: value '{value}' is not a number"));
        }
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s).filter(|base| {
                    types
                        .get(*base)
                        .is_some_and(|k| k == "histogram" || k == "summary")
                })
            })
            .unwrap_or(name);
        if !types.contains_key(family) {
            problems.push(format!("{name} has no TYPE line"));
        }
        if !helps.contains(family) {
            problems.push(format!("{family} has no HELP line"));
        }
        if !seen.insert(name_labels.to_string()) {
            problems.push(format!(
                "duplicate series {}",
                name_labels.chars().take(120).collect::<String>()
            ));
        }
        series += 1;
    }
    problems.dedup();
    Ok(Exposition {
        families: types.len(),
        series,
        names: types.keys().cloned().collect(),
        problems,
    })
}

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
    failures: u64,
    last_success: u64,
    last_failure: u64,
    last_error: Option<String>,
}

fn record_check(component: &str, r: SendRecord, hint: &str, list: &mut List) {
    let summary = format!(
        "{} {}, {} dropped, {} waiting, {} failed requests",
        r.sent, r.what, r.dropped, r.queued, r.failures
    );
    // Failing means the most recent attempt failed: what an operator sees right now.
    if r.failures > 0 && r.last_failure >= r.last_success {
        list.add(
            component,
            "agent's recent sends",
            Outcome::Fail,
            format!(
                "{summary}; last error: {}",
                r.last_error.unwrap_or_default()
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

async fn tracing_checks(
    svc: &Service,
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
    let resource = svc
        .runtime
        .telemetry()
        .map(|t| t.tracer.resource())
        .unwrap_or_else(|| trace::Resource {
            service_name: config.service_name.clone(),
            service_version: env!("CARGO_PKG_VERSION").into(),
            node_id: sysinfo::System::host_name().unwrap_or_else(|_| "unknown".into()),
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
    match svc.runtime.telemetry() {
        Some(t) => {
            let s = &t.tracer.stats;
            record_check(
                C,
                SendRecord {
                    what: "spans exported",
                    sent: s.exported.load(Ordering::Relaxed),
                    dropped: s.dropped.load(Ordering::Relaxed),
                    queued: t.tracer.queued(),
                    failures: s.failures.load(Ordering::Relaxed),
                    last_success: s.last_success.load(Ordering::Relaxed),
                    last_failure: s.last_failure.load(Ordering::Relaxed),
                    last_error: s.last_error.lock().ok().and_then(|e| e.clone()),
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

async fn logging_checks(
    svc: &Service,
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
            let version = serde_json::from_slice::<serde_json::Value>(&body)
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
        service: svc
            .local
            .state()
            .ok()
            .and_then(|s| s.tracing.map(|t| t.service_name))
            .unwrap_or_else(|| crate::model::telemetry::DEFAULT_SERVICE.into()),
        container_id: None,
        node_id: sysinfo::System::host_name().ok(),
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
    match svc.runtime.telemetry() {
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
                    failures: s.failures.load(Ordering::Relaxed),
                    last_success: s.last_success.load(Ordering::Relaxed),
                    last_failure: s.last_failure.load(Ordering::Relaxed),
                    last_error: s.last_error.lock().ok().and_then(|e| e.clone()),
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

async fn stack_check(
    http: &reqwest::Client,
    name: &str,
    base: &str,
    path: &str,
    flag: &str,
    list: &mut List,
) {
    let url = format!("{base}{path}");
    match get(http, &url).await {
        Ok((200, body)) => {
            let detail = if name == "grafana" {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                if v["database"].as_str().is_some_and(|d| d != "ok") {
                    list.add(
                        "stack",
                        name,
                        Outcome::Fail,
                        format!("{url}: database {}", v["database"]),
                        "see Grafana's log",
                    );
                    return;
                }
                format!(
                    "{url}: ok (version {})",
                    v["version"].as_str().unwrap_or("?")
                )
            } else {
                format!("{url}: healthy")
            };
            list.add("stack", name, Outcome::Pass, detail, "");
        }
        Ok((status, _)) => list.add(
            "stack",
            name,
            Outcome::Fail,
            format!("{url}: HTTP {status}"),
            format!("is {flag} the {name} base URL?"),
        ),
        Err(e) => list.add(
            "stack",
            name,
            Outcome::Fail,
            format!("{url}: {e}"),
            format!("start {name}, or give its address with {flag} URL"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_lint() {
        let good = "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1.5\nh_count 2\n";
        let p = parse_exposition(good).unwrap();
        assert_eq!((p.families, p.series), (2, 4));
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let bad = "# TYPE c counter\nc 1\nc 2\nd{x=\"1\"} NaN\n";
        let p = parse_exposition(bad).unwrap();
        assert!(
            p.problems
                .iter()
                .any(|x| x.contains("should end in _total"))
        );
        assert!(p.problems.iter().any(|x| x.contains("duplicate series")));
        assert!(p.problems.iter().any(|x| x.contains("d has no TYPE")));
        assert!(parse_exposition("<html>").is_err());
        assert!(parse_exposition("x abc\n").is_err());
    }
}
