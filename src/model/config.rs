//! Agent-wide settings: the metrics endpoint and the auto-healing policy.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

use super::duration::PromDuration;
use super::validate;
use crate::error::{Error, Result};

/// The default port of the metrics listener. Chosen clear of the Prometheus stack's own
/// ports (9090 Prometheus, 9091 Pushgateway, 9093 Alertmanager, 9100 node_exporter,
/// 9115 blackbox_exporter).
pub const DEFAULT_METRICS_PORT: u16 = 9469;

/// Where the agent serves Prometheus metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    pub listen_address: IpAddr,
    pub port: u16,
    pub path: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            listen_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_METRICS_PORT,
            path: "/metrics".into(),
        }
    }
}

/// The restart budget for unhealthy targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoHealingConfig {
    pub enabled: bool,
    /// Restarts allowed per target within one budget window before giving up.
    pub max_restarts: u32,
    /// The minimum gap between two restarts of one target.
    pub restart_interval: PromDuration,
}

impl Default for AutoHealingConfig {
    fn default() -> Self {
        AutoHealingConfig {
            enabled: false,
            max_restarts: 3,
            restart_interval: PromDuration::from_secs(60),
        }
    }
}

/// A partial update of [`MetricsConfig`]: only the given fields change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsPatch {
    pub listen_address: Option<IpAddr>,
    pub port: Option<u16>,
    pub path: Option<String>,
}

impl MetricsPatch {
    /// Check every given field (the agent API receives these from the network).
    pub fn validate(&self) -> Result<()> {
        if let Some(p) = self.port {
            validate::port(&p.to_string())
                .map_err(|a| Error::invalid("port", &p.to_string(), a))?;
        }
        if let Some(path) = &self.path {
            validate::http_path(path).map_err(|a| Error::invalid("path", path, a))?;
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        *self == MetricsPatch::default()
    }

    pub fn apply(&self, to: &mut MetricsConfig) {
        if let Some(a) = self.listen_address {
            to.listen_address = a;
        }
        if let Some(p) = self.port {
            to.port = p;
        }
        if let Some(p) = &self.path {
            to.path.clone_from(p);
        }
    }
}

/// A partial update of [`AutoHealingConfig`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoHealingPatch {
    pub enabled: Option<bool>,
    pub max_restarts: Option<u32>,
    pub restart_interval: Option<PromDuration>,
}

impl AutoHealingPatch {
    /// Check every given field.
    pub fn validate(&self) -> Result<()> {
        if let Some(m) = self.max_restarts
            && !(1..=1000).contains(&m)
        {
            return Err(Error::invalid(
                "max_restarts",
                &m.to_string(),
                "a whole number from 1 to 1000",
            ));
        }
        if let Some(i) = self.restart_interval
            && i.is_zero()
        {
            return Err(Error::invalid(
                "restart_interval",
                "0s",
                "a duration greater than zero",
            ));
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        *self == AutoHealingPatch::default()
    }

    pub fn apply(&self, to: &mut AutoHealingConfig) {
        if let Some(e) = self.enabled {
            to.enabled = e;
        }
        if let Some(m) = self.max_restarts {
            to.max_restarts = m;
        }
        if let Some(i) = self.restart_interval {
            to.restart_interval = i;
        }
    }
}
