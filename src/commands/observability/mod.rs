//! `hivemind observability …`: the metrics listener, the configuration, the metrics
//! themselves and `diagnose` here; [`telemetry`] has traces and logs, [`dashboards`] the
//! dashboards and the status page.

mod dashboards;
mod telemetry;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Ctx, ok, silent};
use crate::cli::observability::{
    ConfigureMetricsArgs, DiagnoseArgs, MetricsArgs, ObservabilityCommand,
};
use crate::error::{ExitStatus, Result};
use crate::model::MetricsPatch;
use crate::model::diagnose::{DiagnoseReport, DiagnoseRequest, Outcome};
use crate::render::{Report, Style};
use crate::target::call::{Call, ConfigReport, MetricsReport};

pub fn run(ctx: &Ctx, cmd: ObservabilityCommand) -> Result<ExitStatus> {
    match cmd {
        ObservabilityCommand::ConfigureMetrics(args) => configure_metrics(ctx, args),
        ObservabilityCommand::ShowConfig(_) => {
            ctx.run::<ConfigReport>(Call::ShowConfig, ok, silent)
        }
        ObservabilityCommand::Metrics(args) => metrics(ctx, args),
        ObservabilityCommand::ConfigureTracing(args) => telemetry::configure_tracing(ctx, args),
        ObservabilityCommand::ConfigureLogging(args) => telemetry::configure_logging(ctx, *args),
        ObservabilityCommand::Traces(args) => telemetry::traces(ctx, args),
        ObservabilityCommand::Logs(args) => telemetry::logs(ctx, args),
        ObservabilityCommand::ImportDashboards(args) => dashboards::import_dashboards(ctx, args),
        ObservabilityCommand::OpenDashboard(args) => dashboards::open_dashboard(ctx, args),
        ObservabilityCommand::Diagnose(args) => diagnose(ctx, args),
    }
}

fn metrics_rows(m: &MetricsReport) -> Vec<(&'static str, String)> {
    vec![
        (
            "metrics.listen_address",
            m.metrics.listen_address.to_string(),
        ),
        ("metrics.port", m.metrics.port.to_string()),
        ("metrics.path", m.metrics.path.clone()),
        ("metrics.url", m.url.clone()),
    ]
}

impl Report for MetricsReport {
    fn human(&self, style: &Style) -> String {
        style.kv_table(&metrics_rows(self))
    }
}

impl Report for ConfigReport {
    fn human(&self, style: &Style) -> String {
        let mut rows = vec![("data_dir", self.data_dir.clone())];
        rows.extend(metrics_rows(&self.metrics));
        rows.extend([
            (
                "auto_healing.enabled",
                self.auto_healing.enabled.to_string(),
            ),
            (
                "auto_healing.max_restarts",
                self.auto_healing.max_restarts.to_string(),
            ),
            (
                "auto_healing.restart_interval",
                self.auto_healing.restart_interval.to_string(),
            ),
            ("alert_rules", self.alert_rules.to_string()),
            ("alert_channels", self.alert_channels.to_string()),
        ]);
        match &self.tracing {
            Some(t) => rows.extend([
                ("tracing.enabled", t.enabled.to_string()),
                ("tracing.endpoint", t.endpoint.clone()),
                ("tracing.service_name", t.service_name.clone()),
                ("tracing.sample_ratio", t.sample_ratio.to_string()),
            ]),
            None => rows.push(("tracing", "not configured".into())),
        }
        match &self.logging {
            Some(l) => rows.extend([
                ("logging.enabled", l.enabled.to_string()),
                ("logging.endpoint", l.endpoint.clone()),
                ("logging.index", l.index.clone()),
                ("logging.level", l.level.to_string()),
            ]),
            None => rows.push(("logging", "not configured".into())),
        }
        style.kv_table(&rows)
    }
}

fn configure_metrics(ctx: &Ctx, args: ConfigureMetricsArgs) -> Result<ExitStatus> {
    let patch = MetricsPatch {
        listen_address: args.listen_address,
        port: args.port,
        path: args.path,
        compat: args.compat,
        per_cpu: args.per_cpu,
        filters: crate::model::config::MetricFilters {
            filesystem_mount_points_exclude: args.filesystem_mount_points_exclude,
            filesystem_fs_types_exclude: args.filesystem_fs_types_exclude,
            netdev_device_include: args.netdev_device_include,
            netdev_device_exclude: args.netdev_device_exclude,
        },
    };
    ctx.run::<MetricsReport>(Call::ConfigureMetrics(patch), ok, |_| {
        vec!["metrics configuration saved".into()]
    })
}

/// One sample of a metric family as read from `/api/metrics`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleView {
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// One metric family.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FamilyView {
    pub name: String,
    pub help: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub samples: Vec<SampleView>,
}

/// `observability metrics` output: `{collected_at, collection_seconds, families: [Family],
/// errors: [text]}` (`errors` only when a source failed: `collector: message`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetricsView {
    pub collected_at: String,
    pub collection_seconds: f64,
    pub families: Vec<FamilyView>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

fn family_rows(style: &Style, families: &[FamilyView]) -> String {
    let mut t = style.table(&["METRIC", "LABELS", "VALUE"]);
    for f in families {
        for s in &f.samples {
            let labels: Vec<String> = s.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            t.add_row(vec![
                f.name.clone(),
                labels.join(","),
                crate::model::rule::fmt_number(s.value),
            ]);
        }
    }
    t.to_string()
}

impl Report for MetricsView {
    fn human(&self, style: &Style) -> String {
        family_rows(style, &self.families)
    }
}

impl Report for FamilyView {
    fn human(&self, style: &Style) -> String {
        format!(
            "# {} ({}): {}\n{}",
            self.name,
            self.kind,
            self.help,
            family_rows(style, std::slice::from_ref(self))
        )
    }
}

fn metrics(ctx: &Ctx, args: MetricsArgs) -> Result<ExitStatus> {
    match args.name {
        Some(name) => ctx.run::<FamilyView>(Call::Metric(name), ok, silent),
        None => ctx.run::<MetricsView>(Call::Metrics, ok, silent),
    }
}

impl Report for DiagnoseReport {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&["CHECK", "RESULT", "DETAIL", "HINT"]);
        for f in &self.checks {
            let result = match f.result {
                Outcome::Pass => "ok",
                Outcome::Fail => "failed",
                Outcome::Skip => "skipped",
            };
            t.add_row(vec![
                comfy_table::Cell::new(format!("{}: {}", f.component, f.check)),
                style.status_cell(result),
                comfy_table::Cell::new(&f.detail),
                comfy_table::Cell::new(&f.hint),
            ]);
        }
        t.to_string()
    }
}

pub fn diagnose(ctx: &Ctx, args: DiagnoseArgs) -> Result<ExitStatus> {
    let req = DiagnoseRequest {
        component: args.component,
        prometheus: args.prometheus,
        stack: args.stack,
        alertmanager: args.alertmanager,
        grafana: args.grafana,
    };
    ctx.run::<DiagnoseReport>(
        Call::Diagnose(req),
        |r| {
            if r.ok {
                ExitStatus::Success
            } else {
                ExitStatus::Negative
            }
        },
        |r| {
            let failed = r
                .checks
                .iter()
                .filter(|c| c.result == Outcome::Fail)
                .count();
            if failed == 0 {
                vec![format!("all {} checks passed", r.checks.len())]
            } else {
                vec![format!("{failed} of {} checks failed", r.checks.len())]
            }
        },
    )
}
