//! The clap definition of the command line. No logic lives here: values are parsed into
//! typed settings by `value_parser`s that call `model::validate`, and `commands` does the rest.

pub mod agent;
pub mod bundle;
pub mod config;

pub mod daemon;
pub mod health;
pub mod observability;
pub mod parse;
pub mod profile;

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::render::{ColorChoice, Format};

pub const EXIT_CODES: &str = "\
Exit codes:
  0    success; everything is healthy
  1    the answer is negative: something is unhealthy, a diagnose check failed,
       a test notification was not delivered, or an alert fires
       (health alerts --fail-if-firing)
  2    usage error, invalid input, or an operational error
  4    partial failure: some agents failed while others answered
  129  stopped by SIGHUP (the terminal closed); nothing half-written
  130  interrupted (Ctrl-C); nothing half-written
  143  stopped by SIGTERM (timeout, kill, a CI runner); nothing half-written

Environment:
  HIVEMIND_DATA_DIR        state directory (same as --data-dir)
  HIVEMIND_SECRET_BACKEND  where secrets go: auto (default), keyring, file
  HIVEMIND_TOKEN           agent token to use instead of the stored one (CI)
  TRACEPARENT, TRACESTATE  W3C trace context to continue (a CI job's trace)
  BROWSER                  the browser open-dashboard starts
  CI                       true keeps the secret backend away from the keyring
  NO_COLOR                 disable colour (like --color never)";

/// Observability, health checks and profiling for nodes and containers.
///
/// With no agent configured, every command acts on this machine through a local state store.
#[derive(Debug, Parser)]
#[command(name = "hivemind", version, propagate_version = true, after_long_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted anywhere on the command line.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format: table for people, json or yaml for scripts
    #[arg(
        short = 'o',
        long = "output",
        id = OUTPUT_FORMAT,
        value_enum,
        value_name = "FORMAT",
        global = true,
        help_heading = "Global options"
    )]
    pub output: Option<Format>,

    /// Directory holding state and secrets [default: $XDG_DATA_HOME/hivemind]
    #[arg(
        long,
        env = "HIVEMIND_DATA_DIR",
        hide_env_values = true,
        value_name = "DIR",
        global = true,
        help_heading = "Global options"
    )]
    pub data_dir: Option<PathBuf>,

    /// When to use colour (NO_COLOR in the environment means never)
    #[arg(
        long,
        value_enum,
        default_value_t,
        value_name = "WHEN",
        global = true,
        help_heading = "Global options"
    )]
    pub color: ColorChoice,

    /// Print only data and errors; no status messages
    #[arg(
        short,
        long,
        global = true,
        help_heading = "Global options",
        conflicts_with = "verbose"
    )]
    pub quiet: bool,

    /// Print more detail on stderr (repeat for more)
    #[arg(short, long, action = clap::ArgAction::Count, global = true, help_heading = "Global options")]
    pub verbose: u8,

    /// Run on these agents instead of this machine (repeatable or comma-separated)
    #[arg(long = "agent", value_name = "NAME", value_delimiter = ',', value_parser = parse::object_name, global = true, help_heading = "Global options")]
    pub agents: Vec<String>,

    /// Run on every agent in the inventory
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        conflicts_with = "agents"
    )]
    pub all_agents: bool,

    /// How long to wait for each agent
    #[arg(long, value_parser = parse::timeout, default_value = "10s", value_name = "DURATION", global = true, help_heading = "Global options")]
    pub agent_timeout: crate::model::PromDuration,

    /// Ask at most this many agents at once [default: every agent, up to 256]
    #[arg(long, value_name = "N", value_parser = parse::max_concurrency, global = true, help_heading = "Global options")]
    pub max_concurrency: Option<usize>,
}

/// The clap id of the global `-o/--output FORMAT`. Commands whose seed form gives `--output
/// FILE` (profiles, exports) declare their own `-o` with this same id and type — so clap does
/// not propagate the global `--output` there, and a `-o` given anywhere on the line still
/// reaches the top as the one format — and an `--output` with the id [`OUTPUT_FILE`] that
/// names the file. (One id for two types would panic when the value is read.)
pub const OUTPUT_FORMAT: &str = "output_format";
/// The clap id of `--output FILE` where the seed gives it.
pub const OUTPUT_FILE: &str = "output_file";

// Parsed once per process; boxing the larger variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Metrics, tracing and logging configuration
    #[command(subcommand)]
    Observability(observability::ObservabilityCommand),
    /// Health status, auto-healing, alert rules and alert channels
    #[command(subcommand)]
    Health(health::HealthCommand),
    /// CPU, memory and network profiles of processes and containers, as pprof
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Manage the remote agents this CLI talks to
    #[command(subcommand)]
    Agent(agent::AgentCommand),
    /// An agent's whole configuration as one file: export, plan, apply
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// One archive for an incident: configuration, health, alerts, metrics, logs and
    /// profiles of each agent
    Bundle(bundle::BundleArgs),
    /// Run the agent: metrics, API and background work for this node
    Daemon(daemon::DaemonArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The clap command, for completions, man pages and tests.
pub fn command() -> clap::Command {
    Cli::command()
}

/// Condense a clap usage error to one line. Values are quoted and escaped with
/// [`error::quote`], so hostile input (newlines, escape sequences, megabytes) never reaches
/// the terminal raw.
pub fn one_line_usage_error(err: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        _ => None,
    };
    if matches!(
        err.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) {
        let arg = ctx(ContextKind::InvalidArg).unwrap_or_else(|| "argument".into());
        // A refused value may be a URL with credentials, or a secret given in the wrong place.
        let value = crate::redact::redacted(ctx(ContextKind::InvalidValue).unwrap_or_default());
        // clap gives an empty list of valid values for a plain value it refused (`--output ''`).
        let valid = ctx(ContextKind::ValidValue).filter(|v| !v.is_empty());
        let allowed = match (std::error::Error::source(err), valid) {
            (Some(source), _) => source.to_string(),
            (None, Some(valid)) => format!("expected one of {valid}"),
            (None, None) if value.is_empty() => "a value is required".into(),
            (None, None) => "not allowed here".into(),
        };
        return format!(
            "invalid value {} for '{arg}': {allowed}",
            crate::error::quote(&value)
        );
    }
    let text = err.render().to_string();
    let joined = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("For more information") && !l.starts_with("Usage:")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let joined = joined.strip_prefix("error: ").unwrap_or(&joined);
    let escaped: String = crate::redact::redact(joined)
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if escaped.chars().count() > 400 {
        escaped.chars().take(400).chain("…".chars()).collect()
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn definition_is_consistent() {
        super::command().debug_assert();
    }

    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str) {
            for arg in cmd.get_arguments() {
                if matches!(arg.get_id().as_str(), "help" | "version") {
                    continue;
                }
                assert!(
                    arg.get_help().is_some(),
                    "{path} --{} has no help",
                    arg.get_id()
                );
            }
            for sub in cmd.get_subcommands() {
                assert!(
                    sub.get_about().is_some(),
                    "{path} {} has no about",
                    sub.get_name()
                );
                walk(sub, &format!("{path} {}", sub.get_name()));
            }
        }
        walk(&super::command(), "hivemind");
    }
}
