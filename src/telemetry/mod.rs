//! The agent's own telemetry: spans ([`trace`], exported over OTLP by [`otlp`]) and
//! structured logs ([`log`], shipped to Elasticsearch by [`elastic`]), and the metrics that
//! show whether both pipelines work.

pub mod elastic;
pub mod log;
pub mod otlp;
pub mod otlp_proto;
pub mod sender;
pub mod trace;

use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};

use crate::error::Result;
use crate::metrics::{Family, Kind};
use crate::model::{LoggingConfig, Secret, SecretRef, TracingConfig};
use crate::store::SecretStore;

pub use log::{LogPage, LogQuery, LogRecord, Logger};
pub use trace::{Span, SpanContext, SpanRecord, TraceSummary, span};

/// Everything the daemon holds for its telemetry.
pub struct Telemetry {
    pub tracer: Arc<trace::Tracer>,
    pub logger: Arc<Logger>,
    /// Where spans are exported (`None`: not configured or disabled).
    pub trace_destination: Arc<RwLock<Option<otlp::Destination>>>,
    /// Where workload logs come from and go to (`None`: not shipped); the workload log
    /// pipeline follows it.
    pub workload: tokio::sync::watch::Sender<Option<Workload>>,
}

/// The workload log pipeline's settings: the cluster and the sources.
#[derive(Clone)]
pub struct Workload {
    pub target: elastic::Target,
    pub sources: crate::model::log_sources::LogSources,
}

impl Telemetry {
    pub fn new(tracer: Arc<trace::Tracer>, logger: Arc<Logger>) -> Arc<Telemetry> {
        Arc::new(Telemetry {
            tracer,
            logger,
            trace_destination: Arc::new(RwLock::new(None)),
            workload: tokio::sync::watch::channel(None).0,
        })
    }

    /// Apply the tracing configuration (secrets read from `secrets`).
    pub fn apply_tracing(
        &self,
        config: Option<&TracingConfig<SecretRef>>,
        secrets: &SecretStore,
    ) -> Result<()> {
        let dest = config
            .filter(|c| c.enabled)
            .map(|c| resolve_destination(c, secrets))
            .transpose()?;
        let service = config.map_or(crate::model::telemetry::DEFAULT_SERVICE, |c| {
            c.service_name.as_str()
        });
        self.tracer.configure(
            service,
            config.map_or(1.0, |c| c.sample_ratio),
            dest.is_some(),
        );
        self.logger.set_service(service);
        if let Ok(mut d) = self.trace_destination.write() {
            *d = dest;
        }
        // The exporter sleeps while there is no destination.
        self.tracer.wake.notify_one();
        Ok(())
    }

    /// Apply the logging configuration.
    pub fn apply_logging(
        &self,
        config: Option<&LoggingConfig<SecretRef>>,
        secrets: &SecretStore,
    ) -> Result<()> {
        let target = match config.filter(|c| c.enabled) {
            Some(c) => Some(elastic::Target {
                endpoint: c.endpoint.clone(),
                index: c.index.clone(),
                level: c.level,
                auth: resolve_auth(c, secrets)?,
            }),
            None => None,
        };
        let workload = match (&target, config) {
            (Some(t), Some(c)) if c.sources.any() => Some(Workload {
                target: t.clone(),
                sources: c.sources.clone(),
            }),
            _ => None,
        };
        self.logger.shipper.configure(target);
        self.workload.send_replace(workload);
        Ok(())
    }

    /// The pipelines' metric families.
    pub fn families(&self) -> Vec<Family> {
        let t = &self.tracer.stats;
        let s = &self.logger.shipper.stats;
        let counter = |name: &str, help: &str, v: u64| {
            let mut f = Family::new(name, help, Kind::Counter);
            f.push(Vec::new(), v as f64);
            f
        };
        let gauge = |name: &str, help: &str, v: usize| {
            let mut f = Family::new(name, help, Kind::Gauge);
            f.push(Vec::new(), v as f64);
            f
        };
        let mut dropped = Family::new(
            "hivemind_log_records_dropped_total",
            "Log records not shipped to Elasticsearch, by reason (buffer_full, rejected).",
            Kind::Counter,
        );
        dropped.push(
            vec![("reason".into(), "buffer_full".into())],
            s.dropped_buffer_full.load(Ordering::Relaxed) as f64,
        );
        dropped.push(
            vec![("reason".into(), "rejected".into())],
            s.dropped_rejected.load(Ordering::Relaxed) as f64,
        );
        vec![
            gauge(
                "hivemind_log_records_buffered",
                "Log records waiting to be shipped to Elasticsearch.",
                self.logger.shipper.buffered(),
            ),
            dropped,
            counter(
                "hivemind_log_records_shipped_total",
                "Log records indexed by Elasticsearch.",
                s.shipped.load(Ordering::Relaxed),
            ),
            counter(
                "hivemind_log_ship_failures_total",
                "Failed _bulk requests (connection errors, HTTP errors); their records are retried.",
                s.health.failures.load(Ordering::Relaxed),
            ),
            counter(
                "hivemind_trace_export_failures_total",
                "Failed OTLP export requests; their spans are retried unless refused for good.",
                t.health.failures.load(Ordering::Relaxed),
            ),
            gauge(
                "hivemind_trace_spans_queued",
                "Spans waiting to be exported.",
                self.tracer.queued(),
            ),
            counter(
                "hivemind_trace_spans_dropped_total",
                "Spans not exported: queue full, or refused by the collector.",
                t.dropped.load(Ordering::Relaxed),
            ),
            counter(
                "hivemind_trace_spans_exported_total",
                "Spans accepted by the OTLP collector.",
                t.exported.load(Ordering::Relaxed),
            ),
        ]
    }
}

/// The credentials of a logging configuration, read from the secret store.
pub fn resolve_auth(c: &LoggingConfig<SecretRef>, secrets: &SecretStore) -> Result<elastic::Auth> {
    Ok(match (&c.api_key, &c.username) {
        (Some(k), _) => elastic::Auth::ApiKey(secrets.get(k)?),
        (None, Some(u)) => elastic::Auth::Basic {
            username: u.clone(),
            password: c.password.as_ref().map(|p| secrets.get(p)).transpose()?,
        },
        (None, None) => elastic::Auth::None,
    })
}

/// The OTLP destination of a tracing configuration, read from the secret store.
pub fn resolve_destination(
    c: &TracingConfig<SecretRef>,
    secrets: &SecretStore,
) -> Result<otlp::Destination> {
    let headers = c
        .headers
        .iter()
        .map(|(k, r)| Ok((k.clone(), secrets.get(r)?)))
        .collect::<Result<Vec<(String, Secret)>>>()?;
    Ok(otlp::Destination {
        endpoint: c.endpoint.clone(),
        headers,
    })
}
