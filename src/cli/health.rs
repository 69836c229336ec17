//! `hivemind health …`

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::parse;
use crate::model::alert::AlertState;
use crate::model::check::{CheckType, Header, JsonAssert, StatusSet};
use crate::model::{ChannelType, Comparison, Matcher, PromDuration, Severity};

#[derive(Debug, Subcommand)]
pub enum HealthCommand {
    /// Show this node's health: CPU, memory, swap, disks, load, processes
    ///
    /// Exits 1 when anything is unhealthy.
    Status(StatusArgs),
    /// Configure the restart budget for unhealthy targets
    ///
    /// Only the given settings change; the others keep their current values.
    #[command(arg_required_else_help = true)]
    ConfigureAutoHealing(ConfigureAutoHealingArgs),
    /// Create an alert rule (or several from a YAML file)
    #[command(arg_required_else_help = true)]
    CreateAlertRule(CreateAlertRuleArgs),
    /// List alert rules
    ListAlertRules(ListArgs),
    /// Delete an alert rule
    #[command(arg_required_else_help = true)]
    DeleteAlertRule(DeleteArgs),
    /// Create or replace an alert channel (Slack, e-mail, webhook, PagerDuty)
    #[command(arg_required_else_help = true)]
    ConfigureAlertChannel(ConfigureAlertChannelArgs),
    /// List alert channels (secrets are shown as <secret>)
    ListAlertChannels(ListArgs),
    /// Delete an alert channel and its stored secrets
    #[command(arg_required_else_help = true)]
    DeleteAlertChannel(DeleteChannelArgs),
    /// Create a health check (HTTP, TCP, command or gRPC)
    #[command(arg_required_else_help = true)]
    CreateCheck(CreateCheckArgs),
    /// List health checks
    ListChecks(ListArgs),
    /// Delete a health check
    #[command(arg_required_else_help = true)]
    DeleteCheck(DeleteCheckArgs),
    /// Run a health check once, now (exit 0 healthy, 1 unhealthy)
    #[command(arg_required_else_help = true)]
    RunCheck(CheckNameArgs),
    /// List alerts: pending and firing by default, from the agent's continuous evaluation
    ///
    /// Without a daemon the rules are evaluated once, now, so a rule with a `for` duration
    /// can only be pending.
    Alerts(AlertsArgs),
    /// Send a clearly marked test notification through the real delivery path
    ///
    /// Exits 0 when it was delivered and 1 when it was not, with the error.
    #[command(arg_required_else_help = true)]
    TestAlertChannel(TestAlertChannelArgs),
    /// Write the alert rules as a Prometheus rule file (YAML)
    ExportRules(ExportRulesArgs),
    /// Run rule unit tests in promtool's test-file format, offline, on the agent's evaluator
    ///
    /// Exits 0 when every test passes, 1 when one fails (the difference is printed), 2 when a
    /// file is invalid.
    #[command(arg_required_else_help = true)]
    TestRules(TestRulesArgs),
    /// Write the alert channels as an Alertmanager configuration (YAML)
    ExportAlertmanagerConfig(ExportAlertmanagerConfigArgs),
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Refresh the report every 2 s (in place on a terminal) until Ctrl-C
    #[arg(long, conflicts_with = "wait_healthy")]
    pub watch: bool,

    /// Poll until everything is healthy (exit 0) or --timeout passes (exit 1)
    #[arg(long)]
    pub wait_healthy: bool,

    /// How long --wait-healthy waits
    #[arg(long, value_parser = parse::wait_timeout, default_value = "2m", value_name = "DURATION", requires = "wait_healthy")]
    pub timeout: PromDuration,

    /// Unhealthy above this CPU load, percent: the share of the last minute tasks waited for a
    /// CPU where the kernel reports pressure, else busy time of all CPUs over a window
    /// (the agent's last minute, or a one-second sample)
    #[arg(long, value_parser = parse::percent, allow_hyphen_values = true, value_name = "PERCENT", default_value = "90")]
    pub max_cpu: f64,
    /// Unhealthy above this memory use (total minus available), percent
    #[arg(long, value_parser = parse::percent, allow_hyphen_values = true, value_name = "PERCENT", default_value = "90")]
    pub max_memory: f64,
    /// Unhealthy above this swap use, percent
    #[arg(long, value_parser = parse::percent, allow_hyphen_values = true, value_name = "PERCENT", default_value = "80")]
    pub max_swap: f64,
    /// Unhealthy above this use of any file system, percent
    #[arg(long, value_parser = parse::percent, allow_hyphen_values = true, value_name = "PERCENT", default_value = "90")]
    pub max_disk: f64,
    /// Unhealthy above this five-minute load average per CPU
    #[arg(long, value_parser = parse::load, allow_hyphen_values = true, value_name = "LOAD", default_value = "2")]
    pub max_load: f64,
}

#[derive(Debug, Args)]
pub struct ConfigureAutoHealingArgs {
    /// Turn auto-healing on or off (`--enabled`, `--enabled true`, `--enabled=false`)
    #[arg(long, value_parser = parse::bool_flag, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub enabled: Option<bool>,

    /// Restarts allowed per target before giving up (1-1000)
    #[arg(long, value_parser = parse::max_restarts, allow_hyphen_values = true, value_name = "N")]
    pub max_restarts: Option<u32>,

    /// Minimum gap between restarts of one target: seconds (60) or a duration (1m)
    #[arg(long, value_parser = parse::positive_seconds_or_duration, allow_hyphen_values = true, value_name = "DURATION")]
    pub restart_interval: Option<PromDuration>,
}

#[derive(Debug, Args)]
pub struct CreateAlertRuleArgs {
    /// Rule name (becomes the Prometheus alertname): letters, digits, '_'
    #[arg(long, value_parser = parse::rule_name, allow_hyphen_values = true, required_unless_present = "file", conflicts_with = "file")]
    pub name: Option<String>,

    /// The condition as PromQL, e.g. 'rate(hivemind_node_cpu_seconds_total[5m]) > 0.9'
    ///
    /// The flag form (--metric, --comparison, --threshold) is sugar for `METRIC OP THRESHOLD`.
    /// The agent evaluates the documented PromQL subset over the metrics it exposes; anything
    /// else is exported and evaluated by Prometheus only (list-alert-rules says which).
    #[arg(long, value_name = "PROMQL", allow_hyphen_values = true, conflicts_with_all = ["file", "metric", "threshold", "comparison"])]
    pub expr: Option<String>,

    /// The metric to watch, e.g. hivemind_node_cpu_usage
    #[arg(long, value_parser = parse::metric_name, required_unless_present_any = ["file", "expr"], conflicts_with = "file")]
    pub metric: Option<String>,

    /// The value the metric is compared against
    #[arg(long, value_parser = parse::threshold, allow_hyphen_values = true, required_unless_present_any = ["file", "expr"], conflicts_with = "file")]
    pub threshold: Option<f64>,

    /// How long the condition must hold before the alert fires (e.g. 5m; 0s fires at once)
    #[arg(long, value_parser = parse::duration, allow_hyphen_values = true, required_unless_present = "file", conflicts_with = "file", value_name = "DURATION")]
    pub duration: Option<PromDuration>,

    /// How urgent the alert is
    #[arg(
        long,
        value_enum,
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    pub severity: Option<Severity>,

    /// How the metric is compared with the threshold [default: gt]
    #[arg(long, value_enum, conflicts_with = "file")]
    pub comparison: Option<Comparison>,

    /// What the alert means, for the people who receive it (plain text)
    #[arg(long, value_parser = parse::free_text, conflicts_with = "file")]
    pub description: Option<String>,

    /// With --metric: select series, name=value, name!=value, name=~regex, name!~regex.
    /// With --expr: add the label name=value to the alerts (a Go template). Repeatable
    #[arg(long = "label", value_parser = parse::matcher, value_name = "LABEL", conflicts_with = "file")]
    pub labels: Vec<Matcher>,

    /// An annotation name=TEMPLATE, a Go template as Prometheus renders it, e.g.
    /// 'summary=CPU of {{ $labels.node }} at {{ $value | humanizePercentage }}' (repeatable)
    #[arg(long = "annotation", value_parser = parse::annotation, value_name = "NAME=TEMPLATE", conflicts_with = "file")]
    pub annotations: Vec<(String, String)>,

    /// When an alert of the rule starts firing, the agent profiles the alert's container
    /// (its `container` label), process group (`groupname`) or process (`pid`):
    /// KIND:DURATION, e.g. cpu:30s, network:10s, or memory. The last 5 per rule are kept:
    /// `hivemind profile list`, `hivemind profile get ID`. Sets the annotation
    /// hivemind_capture_profile
    #[arg(long, value_parser = parse::capture_profile, value_name = "KIND:DURATION", conflicts_with = "file")]
    pub capture_profile: Option<String>,

    /// Read rules from a YAML file ('-' for stdin): the seed's rule format, or a Prometheus
    /// rule-group file (groups: … rules: - alert: …) as written for Prometheus
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Refuse (exit 2) a rule on a metric the agent never exposes instead of warning
    #[arg(long)]
    pub strict: bool,

    /// Replace rules that already exist instead of failing
    #[arg(long)]
    pub replace: bool,
}

/// `health test-rules`
#[derive(Debug, Args)]
pub struct TestRulesArgs {
    /// Test files in promtool's format (rule_files, evaluation_interval, tests with
    /// input_series, alert_rule_test and promql_expr_test)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Also write the results as JUnit XML to this file
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Name of the rule to delete
    #[arg(long, value_parser = parse::rule_name, allow_hyphen_values = true)]
    pub name: String,
    /// Succeed when there is nothing of that name to delete
    #[arg(long)]
    pub ignore_not_found: bool,
}

#[derive(Debug, Args)]
pub struct DeleteChannelArgs {
    /// Name of the channel to delete
    #[arg(long, value_parser = parse::object_name, allow_hyphen_values = true)]
    pub name: String,
    /// Succeed when there is nothing of that name to delete
    #[arg(long)]
    pub ignore_not_found: bool,
}

#[derive(Debug, Args)]
pub struct ConfigureAlertChannelArgs {
    /// Channel type
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub channel_type: ChannelType,

    /// Channel name [default: the type]
    #[arg(long, value_parser = parse::object_name, allow_hyphen_values = true)]
    pub name: Option<String>,

    /// slack: incoming-webhook URL (a secret: prefer --webhook-url-stdin or --webhook-url-file)
    #[arg(long, value_name = "URL", group = "webhook_url_src")]
    pub webhook_url: Option<String>,
    /// slack: read the webhook URL from stdin
    #[arg(long, group = "webhook_url_src")]
    pub webhook_url_stdin: bool,
    /// slack: read the webhook URL from a file
    #[arg(long, value_name = "FILE", group = "webhook_url_src")]
    pub webhook_url_file: Option<PathBuf>,

    /// email: SMTP server host name
    #[arg(long, value_parser = parse::host, value_name = "HOST")]
    pub smtp_server: Option<String>,
    /// email: SMTP port [default: 587]
    #[arg(long, value_parser = parse::port, allow_hyphen_values = true)]
    pub smtp_port: Option<u16>,
    /// email: SMTP user name
    #[arg(long, value_parser = parse::user_name, value_name = "USER")]
    pub smtp_user: Option<String>,
    /// email: SMTP password (a secret: prefer --smtp-password-stdin or --smtp-password-file)
    #[arg(long, value_name = "PASSWORD", group = "smtp_password_src")]
    pub smtp_password: Option<String>,
    /// email: read the SMTP password from stdin
    #[arg(long, group = "smtp_password_src")]
    pub smtp_password_stdin: bool,
    /// email: read the SMTP password from a file
    #[arg(long, value_name = "FILE", group = "smtp_password_src")]
    pub smtp_password_file: Option<PathBuf>,
    /// email: sender address
    #[arg(long, value_parser = parse::email, value_name = "ADDRESS")]
    pub from: Option<String>,
    /// email: recipient address (repeatable or comma-separated)
    #[arg(long, value_parser = parse::email, value_delimiter = ',', value_name = "ADDRESS")]
    pub to: Vec<String>,

    /// webhook: URL that receives Alertmanager-compatible JSON; pagerduty: Events API v2
    /// endpoint [default: https://events.pagerduty.com/v2/enqueue]
    #[arg(long, value_parser = parse::http_url)]
    pub url: Option<String>,

    /// pagerduty: Events API v2 routing key (a secret: prefer --routing-key-stdin or --routing-key-file)
    #[arg(long, value_name = "KEY", group = "routing_key_src")]
    pub routing_key: Option<String>,
    /// pagerduty: read the routing key from stdin
    #[arg(long, group = "routing_key_src")]
    pub routing_key_stdin: bool,
    /// pagerduty: read the routing key from a file
    #[arg(long, value_name = "FILE", group = "routing_key_src")]
    pub routing_key_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CreateCheckArgs {
    /// Check name
    #[arg(long, value_parser = parse::object_name, allow_hyphen_values = true)]
    pub name: String,

    /// What to probe
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub check_type: CheckType,

    /// How often the check runs (at least 1s)
    #[arg(long, value_parser = parse::duration, allow_hyphen_values = true, default_value = "30s", value_name = "DURATION")]
    pub interval: PromDuration,

    /// How long one run may take (less than the interval)
    #[arg(long, value_parser = parse::duration, allow_hyphen_values = true, default_value = "10s", value_name = "DURATION")]
    pub timeout: PromDuration,

    /// Consecutive failures that make the target unhealthy (1-100)
    #[arg(long, value_parser = parse::threshold_count, allow_hyphen_values = true, default_value = "3", value_name = "N")]
    pub failure_threshold: u32,

    /// Consecutive successes that make it healthy again (1-100)
    #[arg(long, value_parser = parse::threshold_count, allow_hyphen_values = true, default_value = "1", value_name = "N")]
    pub success_threshold: u32,

    /// Failures in this time after the check (or a restart) starts do not count
    #[arg(long, value_parser = parse::duration, allow_hyphen_values = true, default_value = "0s", value_name = "DURATION")]
    pub start_period: PromDuration,

    /// http: the URL to GET
    #[arg(long, value_parser = parse::http_url)]
    pub url: Option<String>,

    /// http: accepted status codes, e.g. 200,204 or 2xx or 200-399 [default: 2xx]
    #[arg(long, value_parser = parse::status_set, value_name = "CODES")]
    pub expect_status: Option<StatusSet>,

    /// http: the body must contain this text
    #[arg(long, value_name = "TEXT")]
    pub body_contains: Option<String>,

    /// http: the body must match this regular expression
    #[arg(long, value_parser = parse::regex, value_name = "REGEX")]
    pub body_regex: Option<String>,

    /// http: the JSON body's value at POINTER must equal VALUE, e.g. /status=ok
    #[arg(long, value_parser = parse::json_assert, value_name = "POINTER=VALUE")]
    pub json_pointer: Option<JsonAssert>,

    /// http: a request header 'Name: value' (repeatable)
    #[arg(long = "header", value_parser = parse::header, value_name = "HEADER")]
    pub headers: Vec<Header>,

    /// http, grpc: PEM file of a CA to trust
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    /// http: accept any TLS certificate (unsafe; for testing only)
    #[arg(long)]
    pub insecure_skip_verify: bool,

    /// tcp, grpc: host:port to connect to
    #[arg(long, value_parser = parse::host_port, value_name = "HOST:PORT")]
    pub address: Option<String>,

    /// command: the program and each argument, one per flag (or everything after `--`)
    #[arg(long = "command", value_name = "ARG", allow_hyphen_values = true)]
    pub command: Vec<String>,

    /// grpc: the service name to ask about (empty: the server as a whole)
    #[arg(long, value_name = "SERVICE")]
    pub grpc_service: Option<String>,

    /// grpc: connect with TLS
    #[arg(long)]
    pub tls: bool,

    /// Command that restarts the target when auto-healing is on, as one string split with
    /// shell rules (`'systemctl restart nginx'`; no shell runs it), or one word per flag
    #[arg(
        long = "restart-command",
        value_name = "COMMAND",
        allow_hyphen_values = true
    )]
    pub restart_command: Vec<String>,

    /// Replace a check that already exists instead of failing
    #[arg(long)]
    pub replace: bool,

    /// command: the program and its arguments, after `--`
    #[arg(last = true, value_name = "COMMAND")]
    pub trailing: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DeleteCheckArgs {
    /// Name of the check to delete
    #[arg(long, value_parser = parse::object_name, allow_hyphen_values = true)]
    pub name: String,
    /// Succeed when there is nothing of that name to delete
    #[arg(long)]
    pub ignore_not_found: bool,
}

#[derive(Debug, Args)]
pub struct CheckNameArgs {
    /// Name of the check
    #[arg(long, value_parser = parse::object_name, allow_hyphen_values = true)]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// Show only the alert with this id (16 hex digits, as listed)
    #[arg(value_parser = parse::alert_id, value_name = "ID")]
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
}

#[derive(Debug, Args)]
pub struct TestAlertChannelArgs {
    /// Name of the channel to send a test notification to
    #[arg(long, value_parser = parse::object_name, allow_hyphen_values = true)]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct ExportRulesArgs {
    /// Write the rule file here (atomically, mode 0644) instead of to stdout; the format is
    /// always YAML
    #[arg(long = "output", id = super::OUTPUT_FILE, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// yaml, the only format of a rule file (`--output` names the file here)
    #[arg(short = 'o', id = super::OUTPUT_FORMAT, value_enum, value_name = "FORMAT")]
    pub format: Option<crate::render::Format>,
}

#[derive(Debug, Args)]
pub struct ExportAlertmanagerConfigArgs {
    /// Write the configuration here (atomically) instead of to stdout; the format is always
    /// YAML
    #[arg(long = "output", id = super::OUTPUT_FILE, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// yaml, the only format of an Alertmanager configuration (`--output` names the file here)
    #[arg(short = 'o', id = super::OUTPUT_FORMAT, value_enum, value_name = "FORMAT")]
    pub format: Option<crate::render::Format>,

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
    #[arg(long, value_parser = parse::positive_duration, default_value = "5m", value_name = "DURATION")]
    pub group_interval: PromDuration,

    /// Alertmanager's repeat_interval: the wait before repeating a notification
    #[arg(long, value_parser = parse::positive_duration, default_value = "4h", value_name = "DURATION")]
    pub repeat_interval: PromDuration,
}
