//! `hivemind observability …`

use std::net::IpAddr;

use clap::{Args, Subcommand};

use super::{OutputArgs, parse};

#[derive(Debug, Subcommand)]
pub enum ObservabilityCommand {
    /// Configure where the agent serves Prometheus metrics
    ///
    /// Only the given settings change; the others keep their current values.
    #[command(arg_required_else_help = true)]
    ConfigureMetrics(ConfigureMetricsArgs),
    /// Show the current observability configuration
    ShowConfig(ShowConfigArgs),
    /// Show current metric values (all families, or one by name)
    Metrics(MetricsArgs),
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// A metric family name, e.g. hivemind_node_cpu_usage
    #[arg(value_parser = parse::metric_name)]
    pub name: Option<String>,

    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ConfigureMetricsArgs {
    /// TCP port of the metrics listener (1-65535)
    #[arg(long, value_parser = parse::port, allow_hyphen_values = true)]
    pub port: Option<u16>,

    /// HTTP path of the metrics endpoint, starting with '/'
    #[arg(long, value_parser = parse::http_path, allow_hyphen_values = true)]
    pub path: Option<String>,

    /// IP address the metrics listener binds to (127.0.0.1 by default)
    #[arg(long, value_parser = parse::listen_address, value_name = "IP")]
    pub listen_address: Option<IpAddr>,

    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ShowConfigArgs {
    #[command(flatten)]
    pub out: OutputArgs,
}
