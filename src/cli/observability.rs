//! `hivemind observability …`

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::parse;
use crate::model::Level;
use crate::model::diagnose::Component;

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
    /// Export the agent's own spans over OTLP/HTTP (Jaeger 1.35+, OpenTelemetry Collector)
    ///
    /// Only the given settings change. The first call needs --endpoint. The seed's Jaeger
    /// collector URL (http://jaeger:14268/api/traces) is rewritten to Jaeger's OTLP port
    /// (http://jaeger:4318/v1/traces), with a notice.
    #[command(arg_required_else_help = true)]
    ConfigureTracing(ConfigureTracingArgs),
    /// Ship the agent's structured log to Elasticsearch (the _bulk API)
    ///
    /// Only the given settings change. The first call needs --endpoint and --index.
    #[command(arg_required_else_help = true)]
    ConfigureLogging(Box<ConfigureLoggingArgs>),
    /// Show the agent's recent traces, or the spans of one trace
    Traces(TracesArgs),
    /// Show the agent's recent log records
    Logs(LogsArgs),
    /// Import the five Grafana dashboards, or the four Kibana log dashboards (or write them
    /// for file-based import)
    ///
    /// --target kibana imports a data view on the log index, saved searches and the seed's
    /// Hivemind Logs, Container Logs, Error Logs and Audit Logs dashboards through Kibana's
    /// saved-objects import API, overwriting the objects a previous import created.
    ImportDashboards(ImportDashboardsArgs),
    /// Open the Grafana dashboard, or the agent's built-in status page, in a browser
    ///
    /// Without a browser or a terminal the URL is printed instead. With no agent running, this
    /// command serves the status page itself on a loopback port until Ctrl-C.
    OpenDashboard(OpenDashboardArgs),
    /// Check the metrics, tracing and logging pipelines end to end (exit 1 on any failure)
    Diagnose(DiagnoseArgs),
}

#[derive(Debug, Args)]
pub struct ConfigureTracingArgs {
    /// The service.name on every span and log record
    #[arg(long, value_name = "NAME")]
    pub service_name: Option<String>,

    /// The OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces
    #[arg(long, value_parser = parse::http_url, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Share of the traces the agent starts that are exported, 0 to 1 (traces that callers
    /// started follow the caller's sampled flag)
    #[arg(long, value_parser = parse::ratio, value_name = "RATIO")]
    pub sample_ratio: Option<f64>,

    /// An extra request header NAME=VALUE (repeatable; replaces the stored headers); values
    /// are stored as secrets
    #[arg(long = "header", value_name = "NAME=VALUE")]
    pub headers: Vec<String>,

    /// Read the value of header NAME from stdin (keeps it out of `ps` and shell history)
    #[arg(long, value_name = "NAME", value_parser = parse::header_name)]
    pub header_stdin: Option<String>,

    /// Remove every stored header
    #[arg(long, conflicts_with_all = ["headers", "header_stdin"])]
    pub clear_headers: bool,

    /// Turn export on again after --disable
    #[arg(long, conflicts_with = "disable")]
    pub enable: bool,

    /// Stop exporting (the settings are kept)
    #[arg(long)]
    pub disable: bool,
}

#[derive(Debug, Args)]
pub struct ConfigureLoggingArgs {
    /// The Elasticsearch base URL, e.g. http://elasticsearch:9200
    #[arg(long, value_parser = parse::http_url, value_name = "URL")]
    pub endpoint: Option<String>,

    /// The index (or data stream) to write to
    #[arg(long, value_parser = parse::index_name, value_name = "NAME")]
    pub index: Option<String>,

    /// The least severe level shipped
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub level: Option<Level>,

    /// User for basic authentication
    #[arg(long, value_parser = parse::user_name, value_name = "USER")]
    pub username: Option<String>,

    /// Password for basic authentication (visible in `ps`: prefer --password-stdin)
    #[arg(long, group = "password_src", value_name = "PASSWORD")]
    pub password: Option<String>,

    /// Read the password from stdin
    #[arg(long, group = "password_src")]
    pub password_stdin: bool,

    /// Read the password from a file
    #[arg(long, group = "password_src", value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// An Elasticsearch API key (base64 id:key; visible in `ps`: prefer --api-key-stdin)
    #[arg(long, group = "api_key_src", value_name = "KEY")]
    pub api_key: Option<String>,

    /// Read the API key from stdin
    #[arg(long, group = "api_key_src", conflicts_with = "password_stdin")]
    pub api_key_stdin: bool,

    /// Read the API key from a file
    #[arg(long, group = "api_key_src", value_name = "FILE")]
    pub api_key_file: Option<PathBuf>,

    /// Turn shipping on again after --disable
    #[arg(long, conflicts_with = "disable")]
    pub enable: bool,

    /// Stop shipping (the settings are kept)
    #[arg(long)]
    pub disable: bool,

    /// Also ship Docker containers' logs (json-file driver), with their id and name
    #[arg(long, overrides_with = "no_docker", help_heading = "Workload logs")]
    pub docker: bool,

    /// Stop shipping Docker containers' logs
    #[arg(long, overrides_with = "docker", help_heading = "Workload logs")]
    pub no_docker: bool,

    /// Docker's data root [default: data-root of /etc/docker/daemon.json, else
    /// /var/lib/docker] (implies --docker)
    #[arg(long, value_name = "DIR", value_parser = parse::absolute_path, help_heading = "Workload logs")]
    pub docker_root: Option<String>,

    /// Also ship Kubernetes (CRI) pod logs, joining partial lines
    #[arg(long, overrides_with = "no_cri", help_heading = "Workload logs")]
    pub cri: bool,

    /// Stop shipping CRI pod logs
    #[arg(long, overrides_with = "cri", help_heading = "Workload logs")]
    pub no_cri: bool,

    /// The CRI pod log root [default: /var/log/pods] (implies --cri)
    #[arg(long, value_name = "DIR", value_parser = parse::absolute_path, help_heading = "Workload logs")]
    pub cri_root: Option<String>,

    /// Ship the files an absolute glob matches, e.g. '/var/log/app/*.log' (repeatable;
    /// replaces the stored patterns; * and ? in any name)
    #[arg(long = "file", value_name = "GLOB", value_parser = parse::glob_pattern, help_heading = "Workload logs")]
    pub files: Vec<String>,

    /// Forget every stored file pattern
    #[arg(long, conflicts_with = "files", help_heading = "Workload logs")]
    pub no_files: bool,

    /// Also ship the systemd journal (through journalctl)
    #[arg(long, overrides_with = "no_journald", help_heading = "Workload logs")]
    pub journald: bool,

    /// Stop shipping the journal
    #[arg(long, overrides_with = "journald", help_heading = "Workload logs")]
    pub no_journald: bool,

    /// Read the journal files in DIR instead of the system journal (implies --journald)
    #[arg(long, value_name = "DIR", value_parser = parse::absolute_path, help_heading = "Workload logs")]
    pub journal_directory: Option<String>,

    /// Cap of the on-disk buffer of records not yet acknowledged; when full the oldest are
    /// dropped and counted [default: 256MiB]
    #[arg(long, value_name = "SIZE", value_parser = parse::size, help_heading = "Workload logs")]
    pub buffer_size: Option<u64>,

    /// Where the buffer and read checkpoints live [default: DATA_DIR/logs]
    #[arg(long, value_name = "DIR", value_parser = parse::absolute_path, help_heading = "Workload logs")]
    pub buffer_dir: Option<String>,

    /// Lines longer than this are cut to it, and marked; journal entries longer than twice
    /// this (at least 64KiB) are dropped and counted [default: 256KiB]
    #[arg(long, value_name = "SIZE", value_parser = parse::size, help_heading = "Workload logs")]
    pub max_line_size: Option<u64>,
}

#[derive(Debug, Args)]
pub struct TracesArgs {
    /// A trace id (32 hex digits): show its spans
    #[arg(value_parser = parse::trace_id, value_name = "ID")]
    pub id: Option<String>,

    /// At most this many traces, newest first
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub limit: u16,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The least severe level shown
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub level: Option<Level>,

    /// Only records since a time (RFC 3339) or for a duration back from now (5m)
    #[arg(long, value_name = "TIME|DURATION")]
    pub since: Option<String>,

    /// Only records whose message or metadata contains this text (any case)
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,

    /// At most this many records (the newest)
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=2000))]
    pub limit: u16,

    /// Keep printing new records as they come (Ctrl-C stops)
    #[arg(short, long)]
    pub follow: bool,

    /// Only audit records: API writes, authentication failures, refused remote execution,
    /// token rotation, status-page logins
    #[arg(long)]
    pub audit: bool,
}

/// Where dashboards go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DashboardTarget {
    /// Grafana's HTTP API
    #[default]
    Grafana,
    /// Kibana's saved-objects import API (the log dashboards)
    Kibana,
}

#[derive(Debug, Args)]
pub struct ImportDashboardsArgs {
    /// Where to import
    #[arg(long, value_enum, default_value_t)]
    pub target: DashboardTarget,

    /// The target's URL [default: the last one used for that target, else Grafana
    /// http://127.0.0.1:3000, Kibana http://127.0.0.1:5601]
    #[arg(long, value_parser = parse::http_url, value_name = "URL", conflicts_with = "output_dir")]
    pub url: Option<String>,

    /// Read a Grafana service-account token, or a Kibana API key (its encoded form), from
    /// stdin (stored as a secret for next time)
    #[arg(long, conflicts_with = "output_dir")]
    pub token_stdin: bool,

    /// The Grafana folder to import into (created when missing; Grafana only)
    #[arg(long, value_name = "TITLE", conflicts_with = "output_dir")]
    pub folder: Option<String>,

    /// Write the dashboards into DIR instead: Grafana's JSON for file provisioning, or
    /// Kibana's NDJSON for Stack Management > Saved objects > Import
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct OpenDashboardArgs {
    /// Print the URL and exit instead of opening a browser (the status page needs a running
    /// agent for that)
    #[arg(long)]
    pub print_url: bool,

    /// Open the agent's status page even when Grafana dashboards were imported
    #[arg(long)]
    pub status_page: bool,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// The pipeline to check
    #[arg(long, value_enum, default_value_t)]
    pub component: Component,

    /// Prometheus's URL: check that it scrapes this agent and the target is up
    #[arg(long, value_parser = parse::http_url, value_name = "URL")]
    pub prometheus: Option<String>,

    /// Also check the health endpoints of Prometheus, Alertmanager and Grafana
    #[arg(long)]
    pub stack: bool,

    /// Alertmanager's URL for --stack [default: http://127.0.0.1:9093]
    #[arg(long, value_parser = parse::http_url, value_name = "URL", requires = "stack")]
    pub alertmanager: Option<String>,

    /// Grafana's URL for --stack [default: the import URL, else http://127.0.0.1:3000]
    #[arg(long, value_parser = parse::http_url, value_name = "URL", requires = "stack")]
    pub grafana: Option<String>,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// A metric family name, e.g. hivemind_node_cpu_usage
    #[arg(value_parser = parse::metric_name)]
    pub name: Option<String>,
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

    /// Also serve the node metrics under node_exporter's names, types and labels
    /// (node_cpu_seconds_total, node_memory_MemAvailable_bytes, ...), or not (none)
    #[arg(long, value_parser = parse::compat, value_name = "node-exporter|none")]
    pub compat: Option<crate::model::config::Compat>,

    /// CPU time by mode per CPU (a cpu label) in hivemind_node_cpu_mode_seconds_total
    #[arg(long, value_parser = parse::bool_flag, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub per_cpu: Option<bool>,

    /// File systems whose mount point matches are left out (regular expression; '' restores
    /// node_exporter's default)
    #[arg(long, value_parser = parse::filter_regex, value_name = "REGEX", allow_hyphen_values = true)]
    pub filesystem_mount_points_exclude: Option<String>,

    /// File systems whose type matches are left out (regular expression; '' restores
    /// node_exporter's default)
    #[arg(long, value_parser = parse::filter_regex, value_name = "REGEX", allow_hyphen_values = true)]
    pub filesystem_fs_types_exclude: Option<String>,

    /// Only network interfaces that match are reported (regular expression; '' reports all)
    #[arg(long, value_parser = parse::filter_regex, value_name = "REGEX", allow_hyphen_values = true)]
    pub netdev_device_include: Option<String>,

    /// Network interfaces that match are left out (regular expression; default ^lo$, ''
    /// restores it)
    #[arg(long, value_parser = parse::filter_regex, value_name = "REGEX", allow_hyphen_values = true)]
    pub netdev_device_exclude: Option<String>,
}

#[derive(Debug, Args)]
pub struct ShowConfigArgs {}
