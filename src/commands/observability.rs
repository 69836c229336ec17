//! `hivemind observability …`

use serde::Serialize;

use super::Ctx;
use crate::cli::observability::{ConfigureMetricsArgs, ObservabilityCommand};
use crate::error::{ExitStatus, Result};
use crate::model::{AutoHealingConfig, MetricsConfig, MetricsPatch};
use crate::render::{Report, Style};

pub fn run(ctx: &Ctx, cmd: ObservabilityCommand) -> Result<ExitStatus> {
    match cmd {
        ObservabilityCommand::ConfigureMetrics(args) => configure_metrics(ctx, args),
        ObservabilityCommand::ShowConfig(_) => show_config(ctx),
    }
}

/// Key/value rows as a two-column table.
pub fn kv_table(style: &Style, rows: &[(&str, String)]) -> String {
    let mut t = style.table(&["SETTING", "VALUE"]);
    for (k, v) in rows {
        t.add_row(vec![k.to_string(), v.clone()]);
    }
    t.to_string()
}

/// `configure-metrics` output: the resulting configuration.
#[derive(Debug, Serialize)]
pub struct MetricsReport {
    #[serde(flatten)]
    pub metrics: MetricsConfig,
    /// Where Prometheus should scrape, e.g. `http://127.0.0.1:9469/metrics`.
    pub url: String,
}

impl MetricsReport {
    pub fn new(metrics: MetricsConfig) -> Self {
        let host = match metrics.listen_address {
            std::net::IpAddr::V6(a) => format!("[{a}]"),
            a => a.to_string(),
        };
        let url = format!("http://{host}:{}{}", metrics.port, metrics.path);
        MetricsReport { metrics, url }
    }

    fn rows(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "metrics.listen_address",
                self.metrics.listen_address.to_string(),
            ),
            ("metrics.port", self.metrics.port.to_string()),
            ("metrics.path", self.metrics.path.clone()),
            ("metrics.url", self.url.clone()),
        ]
    }
}

impl Report for MetricsReport {
    fn human(&self, style: &Style) -> String {
        kv_table(style, &self.rows())
    }
}

fn configure_metrics(ctx: &Ctx, args: ConfigureMetricsArgs) -> Result<ExitStatus> {
    let patch = MetricsPatch {
        listen_address: args.listen_address,
        port: args.port,
        path: args.path,
    };
    let metrics = ctx.local()?.configure_metrics(&patch)?;
    ctx.ui.status("metrics configuration saved");
    ctx.ui.emit(&MetricsReport::new(metrics))?;
    Ok(ExitStatus::Success)
}

/// `show-config` output.
#[derive(Debug, Serialize)]
pub struct ConfigReport {
    pub data_dir: String,
    pub metrics: MetricsReport,
    pub auto_healing: AutoHealingConfig,
    pub alert_rules: usize,
    pub alert_channels: usize,
}

impl Report for ConfigReport {
    fn human(&self, style: &Style) -> String {
        let mut rows = vec![("data_dir", self.data_dir.clone())];
        rows.extend(self.metrics.rows());
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
        kv_table(style, &rows)
    }
}

fn show_config(ctx: &Ctx) -> Result<ExitStatus> {
    let state = ctx.local()?.state()?;
    ctx.ui.emit(&ConfigReport {
        data_dir: ctx.data_dir.display().to_string(),
        metrics: MetricsReport::new(state.metrics),
        auto_healing: state.auto_healing,
        alert_rules: state.rules.len(),
        alert_channels: state.channels.len(),
    })?;
    Ok(ExitStatus::Success)
}
