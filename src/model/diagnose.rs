//! The wire types of `observability diagnose`: what to check, and the checklist it answers
//! with.

use serde::{Deserialize, Serialize};

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
