//! `hivemind health alerts|test-alert-channel|export-rules|export-alertmanager-config`, and
//! the value parsers of the daemon's alerting flags.

use std::path::PathBuf;

use clap::Args;

use super::{OutputArgs, parse};
use crate::model::PromDuration;
use crate::model::alert::AlertState;

#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// Show only the alert with this id (16 hex digits, as listed)
    #[arg(value_parser = alert_id, value_name = "ID")]
    pub id: Option<String>,

    /// Only alerts in these states (repeatable or comma-separated) [default: pending,firing]
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "STATE",
        conflicts_with = "id"
    )]
    pub state: Vec<AlertState>,

    /// Exit with 1 when any alert shown is firing (for CI gates)
    #[arg(long)]
    pub fail_if_firing: bool,

    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct TestAlertChannelArgs {
    /// Name of the channel to send a test notification to
    #[arg(long, value_parser = parse::object_name, allow_hyphen_values = true)]
    pub name: String,

    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ExportRulesArgs {
    /// Write the rule file here (atomically, mode 0644) instead of to stdout; the format is
    /// always YAML
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportAlertmanagerConfigArgs {
    /// Write the configuration here (atomically) instead of to stdout; the format is always
    /// YAML
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write each channel secret into DIR (mode 0600, as <channel>.<field>) and reference
    /// those files [default: reference secrets/<channel>.<field> next to the configuration,
    /// without writing them]
    #[arg(long, value_name = "DIR", conflicts_with = "inline_secrets")]
    pub secrets_dir: Option<PathBuf>,

    /// Put secret values into the configuration itself (the file is then mode 0600);
    /// only from this machine's state, never from an agent
    #[arg(long)]
    pub inline_secrets: bool,

    /// Alertmanager's group_wait: how long a new group waits for more alerts
    #[arg(long, value_parser = parse::duration, default_value = "30s", value_name = "DURATION")]
    pub group_wait: PromDuration,

    /// Alertmanager's group_interval: the wait before notifying about changes to a group
    #[arg(long, value_parser = positive_duration, default_value = "5m", value_name = "DURATION")]
    pub group_interval: PromDuration,

    /// Alertmanager's repeat_interval: the wait before repeating a notification
    #[arg(long, value_parser = positive_duration, default_value = "4h", value_name = "DURATION")]
    pub repeat_interval: PromDuration,
}

/// An alert id as listed by `hivemind health alerts`.
pub fn alert_id(s: &str) -> Result<String, String> {
    crate::model::alert::check_id(s).map_err(|allowed| format!("expected {allowed}"))
}

/// A duration above zero.
pub fn positive_duration(s: &str) -> Result<PromDuration, String> {
    let d = PromDuration::parse(s)?;
    if d.is_zero() {
        return Err("expected a duration greater than zero".into());
    }
    Ok(d)
}

/// `daemon --repeat-interval`: 1s to 30d.
pub fn repeat_interval(s: &str) -> Result<PromDuration, String> {
    let d = PromDuration::parse(s)?;
    if d.as_std() < std::time::Duration::from_secs(1)
        || d.as_std() > std::time::Duration::from_secs(30 * 24 * 3600)
    {
        return Err("expected a duration from 1s to 30d".into());
    }
    Ok(d)
}

/// `daemon --notification-queue`: 1 to 100000.
pub fn queue_size(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(n),
        _ => Err("expected a whole number from 1 to 100000".into()),
    }
}
