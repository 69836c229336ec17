//! Domain types shared by the CLI, the state store and the agent, with their validation.

pub mod alert;
pub mod channel;
pub mod check;
pub mod config;
pub mod diagnose;
pub mod duration;
pub mod expr;
pub mod input;
pub mod log_sources;
pub mod profile;
pub mod rule;
pub mod rule_file;
pub mod secret;
pub mod telemetry;
pub mod units;
pub mod validate;

pub use channel::{Channel, ChannelSpec, ChannelType};
pub use check::{Check, CheckType, Probe};
pub use config::{AutoHealingConfig, AutoHealingPatch, MetricsConfig, MetricsPatch};
pub use duration::PromDuration;
pub use rule::{AlertRule, Comparison, Matcher, Severity};
pub use secret::{Redacted, Secret, SecretBackend, SecretRef, WireSecret};
pub use telemetry::{
    GrafanaConfig, KibanaConfig, Level, LoggingConfig, LoggingPatch, TracingConfig, TracingPatch,
};
