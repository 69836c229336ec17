//! `hivemind daemon`: the agent.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::parse;

/// The default API address: loopback, clear of the Prometheus stack's ports.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9470";

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DaemonArgs {
    #[command(subcommand)]
    pub command: Option<DaemonCommand>,

    /// Address of the API listener (non-loopback addresses need --tls-cert and --tls-key)
    #[arg(long, value_parser = parse::socket_addr, default_value = DEFAULT_LISTEN, value_name = "ADDR:PORT")]
    pub listen: SocketAddr,

    /// PEM certificate chain for HTTPS on the API listener
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key for HTTPS on the API listener
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Accept command checks and restart commands over the network API (they run programs on
    /// this node); the local CLI on this machine may always configure them
    #[arg(long)]
    pub allow_remote_exec: bool,

    /// How often node and container metrics are collected and alert rules evaluated while
    /// rules, checks or auto-healing need a history; otherwise a scrape collects when the
    /// latest collection is older than this (and is served from it when younger)
    #[arg(long, value_parser = parse::collect_interval, default_value = "5s", value_name = "DURATION")]
    pub collect_interval: crate::model::PromDuration,

    /// Serve metrics on this address for this run, over the saved configure-metrics setting
    /// (a configure-metrics --port or --listen-address during the run replaces it)
    #[arg(long, value_parser = parse::socket_addr, value_name = "ADDR:PORT")]
    pub metrics_listen: Option<SocketAddr>,

    /// Serve metrics on this path for this run, over the saved configure-metrics setting
    #[arg(long, value_parser = parse::http_path, value_name = "PATH", allow_hyphen_values = true)]
    pub metrics_path: Option<String>,

    /// Also serve the node metrics under node_exporter's names (node-exporter), or not
    /// (none), for this run, over the saved configure-metrics setting
    #[arg(long, value_parser = parse::compat, value_name = "node-exporter|none")]
    pub compat: Option<crate::model::config::Compat>,

    /// Per-process metrics grouped by process name (hivemind_process_group_*{groupname});
    /// processes are never reported as containers
    #[arg(long)]
    pub process_metrics: bool,

    /// With --process-metrics: at most this many process-name groups at once; further names
    /// are counted in hivemind_process_groups_dropped_total
    #[arg(long, value_parser = parse::max_process_groups, default_value = "64", value_name = "N", requires = "process_metrics")]
    pub max_process_groups: usize,

    /// Let alert notifications reach private and loopback addresses (refused by default, so
    /// that API clients cannot make the agent reach internal services)
    #[arg(long)]
    pub allow_private_destinations: bool,

    /// Notify again after this long while an alert keeps firing
    #[arg(long, value_parser = parse::repeat_interval, default_value = "4h", value_name = "DURATION")]
    pub repeat_interval: crate::model::PromDuration,

    /// Notifications that may wait per alert channel; further ones are dropped and counted
    #[arg(long, value_parser = parse::queue_size, default_value = "100", value_name = "N")]
    pub notification_queue: usize,

    /// Client connections served at once across the API, local-socket and metrics listeners
    /// (lowered to fit the open-file limit); when full, the longest-idle one is closed for a
    /// new one
    #[arg(long, value_parser = parse::max_connections, default_value = "1024", value_name = "N")]
    pub max_connections: usize,

    /// How the agent's log is written to stderr [default: text on a terminal, json
    /// otherwise]; records shipped to Elasticsearch are always JSON
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub log_format: Option<crate::model::telemetry::LogFormat>,
}

#[derive(Debug, Subcommand)]
pub enum DaemonCommand {
    /// Print the agent's API token (created on the daemon's first start)
    Token(TokenArgs),
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Replace the token with a new one (running daemons pick it up on restart)
    #[arg(long)]
    pub rotate: bool,
}
