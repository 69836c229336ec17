//! `observability diagnose`: a checklist per pipeline that turns "metrics/traces/logs not
//! showing up" into one failing line with a hint. Metrics: listener, scrape, lint, and the
//! target's state in Prometheus. Tracing: configuration, endpoint, a canary span, the
//! exporter's record. Logging: configuration, cluster, credentials, a canary document, the
//! shipper's record. `--stack`: the health endpoints of Prometheus, Alertmanager and Grafana.

mod metrics;
mod pipelines;
mod stack;

use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::model::diagnose::{Component, DiagnoseReport, DiagnoseRequest, Finding, Outcome};
use crate::model::validate;
use crate::store::{SecretStore, State};
use crate::telemetry::{Telemetry, otlp};

/// What the checks read: the stored configuration, the secrets its pipelines use, and — in
/// the daemon — the live exporters' records.
pub struct Inputs<'a> {
    pub state: State,
    pub secrets: &'a SecretStore,
    /// The daemon's telemetry; `None` in embedded mode (the exporters' records are skipped).
    pub telemetry: Option<&'a Arc<Telemetry>>,
}

pub(crate) struct List(Vec<Finding>);

impl List {
    /// Add a finding. Its detail often quotes a peer (an error body, a cluster's answer):
    /// detail and hint are redacted here, for every check.
    pub(crate) fn add(
        &mut self,
        component: &str,
        check: &str,
        result: Outcome,
        detail: impl Into<String>,
        hint: impl Into<String>,
    ) {
        use crate::redact::redacted;
        self.0.push(Finding {
            component: component.into(),
            check: check.into(),
            result,
            detail: redacted(detail.into()),
            hint: if result == Outcome::Fail {
                redacted(hint.into())
            } else {
                String::new()
            },
        });
    }
}

pub(crate) const TIMEOUT: Duration = Duration::from_secs(5);

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
pub async fn run(req: &DiagnoseRequest, inputs: &Inputs<'_>) -> Result<DiagnoseReport> {
    let prometheus = url_arg("--prometheus", &req.prometheus)?;
    let alertmanager = url_arg("--alertmanager", &req.alertmanager)?;
    let grafana = url_arg("--grafana", &req.grafana)?;
    let state = &inputs.state;
    let tracing = state.tracing.clone();
    let logging = state.logging.clone();
    let tracing_dest = tracing
        .as_ref()
        .map(|t| crate::telemetry::resolve_destination(t, inputs.secrets))
        .transpose();
    let logging_auth = logging
        .as_ref()
        .map(|l| crate::telemetry::resolve_auth(l, inputs.secrets))
        .transpose();
    let grafana = grafana.or(state.grafana.url.clone());
    // The components run at once: each may wait out its own connection timeouts, and
    // together they must answer within the CLI's per-agent deadline.
    let lists = {
        let http = otlp::client(TIMEOUT);
        let wants = |c: Component| req.component == Component::All || req.component == c;
        let metrics_part = async {
            let mut list = List(Vec::new());
            if wants(Component::Metrics) {
                metrics::metrics(&http, &state.metrics, prometheus.as_deref(), &mut list).await;
            }
            list
        };
        let tracing_part = async {
            let mut list = List(Vec::new());
            if wants(Component::Tracing) {
                pipelines::tracing_checks(inputs, &http, tracing.as_ref(), tracing_dest, &mut list)
                    .await;
            }
            list
        };
        let logging_part = async {
            let mut list = List(Vec::new());
            if wants(Component::Logging) {
                pipelines::logging_checks(inputs, &http, logging.as_ref(), logging_auth, &mut list)
                    .await;
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
                    stack::stack_check(&http, name, &base, path, flag, &mut list).await;
                }
            }
            list
        };
        let (a, b, c, d) = tokio::join!(metrics_part, tracing_part, logging_part, stack_part);
        [a, b, c, d]
    };
    let list = List(lists.into_iter().flat_map(|l| l.0).collect());
    let ok = list.0.iter().all(|f| f.result != Outcome::Fail);
    Ok(DiagnoseReport { ok, checks: list.0 })
}

pub(crate) async fn get(
    http: &reqwest::Client,
    url: &str,
) -> std::result::Result<(u16, Vec<u8>), String> {
    let resp = http
        .get(url)
        .send()
        .await
        .map_err(|e| crate::net::describe(&e))?;
    let status = resp.status().as_u16();
    let body = crate::net::read_body(resp, crate::model::input::Input::PEER_ANSWER.max_bytes())
        .await
        .map_err(|e| e.to_string())?;
    Ok((status, body))
}
