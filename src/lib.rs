//! hivemind: observability, health and profiling for nodes and containers.
//!
//! The binary is a thin front end over this library, in layers that only import downwards
//! (README "Architecture"): [`cli`] defines the command line; [`commands`] turns arguments into
//! a [`target::call::Call`] and hands the answer to [`render`]; [`target`] decides where the
//! call runs (this process, the local daemon, remote agents); [`daemon`] is the agent; the
//! domain modules ([`alerting`], [`health`], [`metrics`], [`profile`], [`telemetry`],
//! [`dashboards`], [`diagnose`], [`containers`], [`netflow`]) take data in and give data out over
//! [`store`], [`net`], [`messages`], [`model`] and [`redact`].

// Unit tests unwrap freely: a panic there is a failed test, not a user-facing crash.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod alerting;
pub mod cli;
pub mod commands;
pub mod config;
pub mod containers;
pub mod daemon;
pub mod dashboards;
pub mod diagnose;
pub mod error;
pub mod health;
pub mod logs;
pub mod messages;
pub mod metrics;
pub mod model;
pub mod net;
pub mod netflow;
pub mod profile;
pub mod redact;
pub mod render;
pub mod signals;
pub mod store;
pub mod target;
pub mod telemetry;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

pub use error::{Error, ExitStatus, Result};

use cli::{Cli, Command};
use commands::Ctx;
use messages::Messages;
use render::{Printer, Style, Terminal};

/// The whole program: parse `args`, run, print any error once, return the exit code.
pub fn main_entry(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    // `COMPLETE=SHELL hivemind …` is the shell asking for completions: answer and exit.
    clap_complete::CompleteEnv::with_factory(commands::completions::command)
        .var(commands::completions::VAR)
        // Call back `hivemind` from PATH, as the committed scripts do.
        .completer("hivemind")
        .complete();
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

/// Run a parsed command line. The terminal is asked about here, once; everything below gets
/// the answer as a value.
pub fn run(cli: Cli) -> (Messages, Result<ExitStatus>) {
    let term = Terminal {
        stdout_tty: std::io::stdout().is_terminal(),
        stderr_tty: std::io::stderr().is_terminal(),
    };
    let g = &cli.global;
    let msg = Messages::terminal(g.color.enabled_for(term.stderr_tty), g.quiet, g.verbose);
    let out = Printer::new(
        g.output.unwrap_or_default(),
        Style {
            color: g.color.enabled_for(term.stdout_tty),
            tty: term.stdout_tty,
        },
    );
    let result = dispatch(out, msg.clone(), term, cli);
    (msg, result)
}

/// The one dispatch: every command group to its module.
fn dispatch(out: Printer, msg: Messages, term: Terminal, cli: Cli) -> Result<ExitStatus> {
    let Cli { global: g, command } = cli;
    let remote = !g.agents.is_empty() || g.all_agents;
    // Built only for the commands that need it (`completions` needs no data directory).
    let ctx = move || -> Result<Ctx> {
        let data_dir_given = g.data_dir.is_some();
        let place = target::Place {
            data_dir: commands::resolve_data_dir(g.data_dir)?,
            data_dir_given,
            agents: g.agents,
            all_agents: g.all_agents,
            timeout: g.agent_timeout.as_std(),
            max_concurrency: g.max_concurrency,
            progress: term.stderr_tty && !msg.quiet(),
        };
        msg.debug(&format!("data directory {}", place.data_dir.display()));
        Ok(Ctx {
            out,
            msg,
            term,
            place,
        })
    };
    match command {
        Command::Observability(cmd) => commands::observability::run(&ctx()?, cmd),
        Command::Health(cmd) => commands::health::run(&ctx()?, cmd),
        Command::Profile(cmd) => commands::profile::run(&ctx()?, cmd),
        Command::Agent(_) | Command::Daemon(_) if remote => Err(Error::Usage(
            "--agent and --all-agents do not apply to `agent` and `daemon` commands".into(),
        )),
        Command::Agent(cmd) => commands::agent::run(&ctx()?, cmd),
        Command::Config(cmd) => commands::config::run(&ctx()?, cmd),
        Command::Bundle(args) => commands::bundle::run(&ctx()?, args),
        Command::Daemon(args) => commands::daemon::run(&ctx()?, args),
        Command::Completions(args) => commands::completions::run(args.shell),
    }
}

/// Help and version go to stdout with exit 0; usage errors become one line on stderr
/// (`error: invalid value '5M' for '--duration <DURATION>': …`) with exit code 2.
fn clap_exit(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    use std::io::Write;
    let status = match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = render::write_stdout(err.render().to_string().as_bytes());
            ExitStatus::Success
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = std::io::stderr().write_all(err.render().to_string().as_bytes());
            ExitStatus::Failure
        }
        _ => {
            let line = cli::one_line_usage_error(err);
            let _ = std::io::stderr().write_all(format!("error: {line}\n").as_bytes());
            ExitStatus::Failure
        }
    };
    ExitCode::from(status.code())
}
