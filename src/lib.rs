//! hivemind: observability, health and profiling for nodes and containers.
//!
//! The binary is a thin front end over this library: [`cli`] defines the command line,
//! [`commands`] resolves it and calls the [`core`] operations over the [`store`], and
//! [`render`] is the only writer to stdout.

// Unit tests unwrap freely: a panic there is a failed test, not a user-facing crash.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod alerting;
pub mod cli;
pub mod commands;
pub mod containers;
pub mod daemon;
pub mod dashboards;
pub mod diagnose;
pub mod error;
pub mod health;
pub mod messages;
pub mod metrics;
pub mod model;
pub mod net;
pub mod profile;
pub mod render;
pub mod store;
pub mod target;
pub mod telemetry;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use error::{Error, ExitStatus, Result};

use cli::{Cli, Command};
use commands::Ctx;
use messages::Messages;
use render::{Format, Printer, Style, Terminal};

/// Run a parsed command line. The terminal is asked about here, once; everything below gets
/// the answer as a value.
pub fn run(cli: Cli) -> (Messages, Result<ExitStatus>) {
    use std::io::IsTerminal;
    let format = command_output(&cli.command)
        .or(cli.output)
        .unwrap_or_default();
    let term = Terminal {
        stdout_tty: std::io::stdout().is_terminal(),
        stderr_tty: std::io::stderr().is_terminal(),
    };
    let msg = Messages::terminal(
        cli.global.color.enabled_for(term.stderr_tty),
        cli.global.quiet,
        cli.global.verbose,
    );
    let out = Printer::new(
        format,
        Style {
            color: cli.global.color.enabled_for(term.stdout_tty),
            tty: term.stdout_tty,
        },
    );
    let result = dispatch(out, msg.clone(), term, cli);
    (msg, result)
}

fn dispatch(out: Printer, msg: Messages, term: Terminal, cli: Cli) -> Result<ExitStatus> {
    commands::alerting::check_format(&cli.command, cli.output)?;
    if let Command::Completions(args) = &cli.command {
        let mut buf = Vec::new();
        clap_complete::generate(args.shell, &mut cli::command(), "hivemind", &mut buf);
        render::write_stdout(&buf)?;
        return Ok(ExitStatus::Success);
    }
    let place = target::Place {
        data_dir: commands::resolve_data_dir(cli.global.data_dir)?,
        agents: cli.global.agents,
        all_agents: cli.global.all_agents,
        timeout: cli.global.agent_timeout.as_std(),
        progress: term.stderr_tty && !msg.quiet(),
    };
    msg.debug(&format!("data directory {}", place.data_dir.display()));
    let remote = !place.agents.is_empty() || place.all_agents;
    let ctx = Ctx {
        out,
        msg,
        term,
        place,
    };
    match cli.command {
        Command::Observability(cmd) => commands::observability::run(&ctx, cmd),
        Command::Health(cmd) => commands::health::run(&ctx, cmd),
        Command::Profile(cmd) => commands::profile::run(&ctx, cmd),
        Command::Agent(_) | Command::Daemon(_) if remote => Err(Error::Usage(
            "--agent and --all-agents do not apply to `agent` and `daemon` commands".into(),
        )),
        Command::Agent(cmd) => commands::agent::run(&ctx, cmd),
        Command::Daemon(args) => daemon::main(&ctx, args),
        Command::Completions(_) => Ok(ExitStatus::Success),
    }
}

/// The `-o` given after the subcommand, if any.
fn command_output(cmd: &Command) -> Option<Format> {
    use cli::health::HealthCommand as H;
    use cli::observability::ObservabilityCommand as O;
    let out = match cmd {
        Command::Observability(O::ConfigureMetrics(a)) => a.out,
        Command::Observability(O::ShowConfig(a)) => a.out,
        Command::Observability(O::Metrics(a)) => a.out,
        Command::Observability(O::ConfigureTracing(a)) => a.out,
        Command::Observability(O::ConfigureLogging(a)) => a.out,
        Command::Observability(O::Traces(a)) => a.out,
        Command::Observability(O::Logs(a)) => a.out,
        Command::Observability(O::ImportDashboards(a)) => a.out,
        Command::Observability(O::OpenDashboard(a)) => a.out,
        Command::Observability(O::Diagnose(a)) => a.out,
        Command::Agent(cmd) => {
            use cli::agent::AgentCommand as A;
            match cmd {
                A::Add(a) => a.out,
                A::List(a) => a.out,
                A::Remove(a) => a.out,
                A::Use(a) => a.out,
                A::Ping(a) => a.out,
            }
        }
        Command::Daemon(d) => match &d.command {
            Some(cli::daemon::DaemonCommand::Token(t)) => t.out,
            None => return None,
        },
        Command::Health(H::Status(a)) => a.out,
        Command::Health(H::ConfigureAutoHealing(a)) => a.out,
        Command::Health(H::CreateAlertRule(a)) => a.out,
        Command::Health(H::ListAlertRules(a) | H::ListAlertChannels(a) | H::ListChecks(a)) => a.out,
        Command::Health(H::DeleteAlertRule(a)) => a.out,
        Command::Health(H::ConfigureAlertChannel(a)) => a.out,
        Command::Health(H::DeleteAlertChannel(a)) => a.out,
        Command::Health(H::CreateCheck(a)) => a.out,
        Command::Health(H::DeleteCheck(a) | H::RunCheck(a)) => a.out,
        Command::Health(H::Alerts(a)) => a.out,
        Command::Health(H::TestAlertChannel(a)) => a.out,
        // YAML only: their --output names a file.
        Command::Health(H::ExportRules(_) | H::ExportAlertmanagerConfig(_)) => return None,
        Command::Profile(_) | Command::Completions(_) => return None,
    };
    out.output
}

/// The whole program: parse `args`, run, print any error once, return the exit code.
pub fn main_entry(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => return clap_exit(&err),
    };
    let (msg, result) = run(cli);
    let status = match result {
        Ok(status) => status,
        Err(err) => {
            msg.error(&err);
            err.exit_status()
        }
    };
    ExitCode::from(status.code())
}

/// Help and version go to stdout with exit 0; usage errors become one line on stderr
/// (`error: invalid value '5M' for '--duration <DURATION>': …`) with exit code 2.
fn clap_exit(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    use std::io::Write;
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let text = err.render().to_string();
            let code = if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitStatus::Failure
            } else {
                ExitStatus::Success
            };
            if code == ExitStatus::Success {
                let _ = render::write_stdout(text.as_bytes());
            } else {
                let _ = std::io::stderr().write_all(text.as_bytes());
            }
            ExitCode::from(code.code())
        }
        _ => {
            let line = one_line_usage_error(err);
            let _ = std::io::stderr().write_all(format!("error: {line}\n").as_bytes());
            ExitCode::from(ExitStatus::Failure.code())
        }
    }
}

/// Condense a clap usage error to one line. Values are quoted and escaped with
/// [`error::quote`], so hostile input (newlines, escape sequences, megabytes) never reaches
/// the terminal raw.
fn one_line_usage_error(err: &clap::Error) -> String {
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
        let value = redact_url_credentials(&ctx(ContextKind::InvalidValue).unwrap_or_default());
        let allowed = match (std::error::Error::source(err), ctx(ContextKind::ValidValue)) {
            (Some(source), _) => source.to_string(),
            (None, Some(valid)) => format!("expected one of {valid}"),
            (None, None) if value.is_empty() => "a value is required".into(),
            (None, None) => "not allowed here".into(),
        };
        return format!(
            "invalid value {} for '{arg}': {allowed}",
            error::quote(&value)
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
    let escaped: String = joined
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

/// A URL's `user:password@` part replaced by `<secret>`, so that a refused URL never echoes
/// credentials; anything that is not such a URL is returned as it is.
fn redact_url_credentials(value: &str) -> String {
    match url::Url::parse(value) {
        Ok(u) if !u.username().is_empty() || u.password().is_some() => {
            let (scheme, rest) = value.split_once("://").unwrap_or(("", value));
            match rest.split_once('@') {
                Some((_, host)) => format!("{scheme}://<secret>@{host}"),
                None => value.to_string(),
            }
        }
        _ => value.to_string(),
    }
}
