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

/// An additional view of the node metrics under another exporter's names.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Compat {
    /// Only hivemind's own names.
    #[default]
    None,
    /// Also node_exporter's names, types, units and labels.
    NodeExporter,
}

impl Compat {
    pub fn is_none(&self) -> bool {
        *self == Compat::None
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Compat::None => "none",
            Compat::NodeExporter => "node-exporter",
        }
    }
}

/// Device and mount filters of the node metrics (regular expressions, RE2 syntax); unset
/// means node_exporter's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricFilters {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filesystem_mount_points_exclude: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filesystem_fs_types_exclude: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netdev_device_include: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub netdev_device_exclude: Option<String>,
}

impl MetricFilters {
    pub fn is_default(&self) -> bool {
        *self == MetricFilters::default()
    }

    /// Each given pattern with its field name.
    pub fn patterns(&self) -> [(&'static str, Option<&str>); 4] {
        [
            (
                "filesystem_mount_points_exclude",
                self.filesystem_mount_points_exclude.as_deref(),
            ),
            (
                "filesystem_fs_types_exclude",
                self.filesystem_fs_types_exclude.as_deref(),
            ),
            (
                "netdev_device_include",
                self.netdev_device_include.as_deref(),
            ),
            (
                "netdev_device_exclude",
                self.netdev_device_exclude.as_deref(),
            ),
        ]
    }

    /// Every given pattern compiles within the bounds.
    pub fn validate(&self) -> Result<()> {
        for (field, pattern) in self.patterns() {
            if let Some(p) = pattern
                && !p.is_empty()
            {
                validate::filter_regex(p).map_err(|a| Error::invalid(field, p, a))?;
            }
        }
        Ok(())
    }
}

/// Where the agent serves Prometheus metrics, and what it includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    pub listen_address: IpAddr,
    pub port: u16,
    pub path: String,
    /// The node_exporter-compatible view (off by default).
    #[serde(default, skip_serializing_if = "Compat::is_none")]
    pub compat: Compat,
    /// CPU time by mode per CPU in the hivemind view.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_cpu: bool,
    #[serde(default, skip_serializing_if = "MetricFilters::is_default")]
    pub filters: MetricFilters,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            listen_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_METRICS_PORT,
            path: "/metrics".into(),
            compat: Compat::None,
            per_cpu: false,
            filters: MetricFilters::default(),
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compat: Option<Compat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_cpu: Option<bool>,
    /// A given pattern replaces the saved one; an empty one restores the default.
    #[serde(default, skip_serializing_if = "MetricFilters::is_default")]
    pub filters: MetricFilters,
}

impl MetricsPatch {
    /// A patch that sets every field to `config`'s (a whole configuration applied at once,
    /// as `config apply` does).
    pub fn whole(config: &MetricsConfig) -> Self {
        MetricsPatch {
            listen_address: Some(config.listen_address),
            port: Some(config.port),
            path: Some(config.path.clone()),
            compat: Some(config.compat),
            per_cpu: Some(config.per_cpu),
            filters: config.filters.clone(),
        }
    }

    /// Check every given field (the agent API receives these from the network).
    pub fn validate(&self) -> Result<()> {
        if let Some(p) = self.port {
            validate::port(&p.to_string())
                .map_err(|a| Error::invalid("port", &p.to_string(), a))?;
        }
        if let Some(path) = &self.path {
            validate::http_path(path).map_err(|a| Error::invalid("path", path, a))?;
        }
        self.filters.validate()
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
        if let Some(c) = self.compat {
            to.compat = c;
        }
        if let Some(p) = self.per_cpu {
            to.per_cpu = p;
        }
        let f = &self.filters;
        let t = &mut to.filters;
        for (given, saved) in [
            (
                &f.filesystem_mount_points_exclude,
                &mut t.filesystem_mount_points_exclude,
            ),
            (
                &f.filesystem_fs_types_exclude,
                &mut t.filesystem_fs_types_exclude,
            ),
            (&f.netdev_device_include, &mut t.netdev_device_include),
            (&f.netdev_device_exclude, &mut t.netdev_device_exclude),
        ] {
            if let Some(p) = given {
                *saved = (!p.is_empty()).then(|| p.clone());
            }
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
