//! One module per command group: resolve arguments into typed settings, pick the target
//! (this machine, the local daemon, or remote agents), run the call, and hand the report to
//! the renderer.

pub mod agent;
pub mod bundle;
pub mod completions;
pub mod config;
pub mod daemon;

pub mod health;
pub mod observability;
pub mod profile;
pub mod secret_input;

use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, ExitStatus, Result};
use crate::messages::Messages;
use crate::render::{Printer, Report, Style, Terminal};
use crate::target::call::Call;
use crate::target::{Fetched, Outcome, Place};

/// What every command gets: how to print, what the terminal is, and where to run.
#[derive(Clone)]
pub struct Ctx {
    /// Reports to stdout.
    pub out: Printer,
    /// Status, warnings and errors to stderr.
    pub msg: Messages,
    /// What the terminal is, asked once at the top.
    pub term: Terminal,
    /// The data directory and the agents to ask.
    pub place: Place,
}

impl Ctx {
    /// Whether progress may be drawn on stderr: a terminal, and no `-q`.
    pub fn progress(&self) -> bool {
        self.term.stderr_tty && !self.msg.quiet()
    }

    /// Run `call` where the command should run and print the report.
    ///
    /// `judge` maps a report to its exit status (e.g. unhealthy → 1) and `announce` gives the
    /// status lines for stderr ("alert rule x created"). Across several agents the exit status
    /// is 4 when some failed, 2 when all failed, else the worst judged status.
    pub fn run<T>(
        &self,
        call: Call,
        judge: impl Fn(&T) -> ExitStatus,
        announce: impl Fn(&T) -> Vec<String>,
    ) -> Result<ExitStatus>
    where
        T: Report + DeserializeOwned,
    {
        let target = self.place.target(&self.msg)?;
        let fetched = self.place.fetch::<T>(&target, &call)?;
        self.present(&fetched, &judge, &announce)
    }

    /// Run a delete; with `ignore_not_found`, a target that has no such object (`what`)
    /// counts as done.
    pub fn run_delete<T>(
        &self,
        call: Call,
        ignore_not_found: bool,
        what: &str,
        announce: impl Fn(&T) -> Vec<String>,
    ) -> Result<ExitStatus>
    where
        T: Report + DeserializeOwned,
    {
        let target = self.place.target(&self.msg)?;
        let fetched = match self.place.fetch::<T>(&target, &call) {
            Err(e) if ignore_not_found && e.api_code() == "not_found" => {
                self.msg
                    .status(&format!("{what} does not exist: nothing to delete"));
                return Ok(ExitStatus::Success);
            }
            other => other?,
        };
        let fetched = match fetched {
            Fetched::Many(outcomes) if ignore_not_found => Fetched::Many(
                outcomes
                    .into_iter()
                    .map(|mut o| {
                        if o.not_found {
                            self.msg.status(&format!(
                                "agent {}: {what} does not exist: nothing to delete",
                                o.agent
                            ));
                            o.ok = true;
                            o.error = None;
                        }
                        o
                    })
                    .collect(),
            ),
            other => other,
        };
        self.present(&fetched, &ok, &announce)
    }

    /// Print what was fetched (status lines to stderr, the report to stdout) and return the
    /// exit status.
    pub fn present<T: Report>(
        &self,
        fetched: &Fetched<T>,
        judge: &impl Fn(&T) -> ExitStatus,
        announce: &impl Fn(&T) -> Vec<String>,
    ) -> Result<ExitStatus> {
        match fetched {
            Fetched::One { report, prefix } => {
                for line in announce(report) {
                    self.msg.status(&format!("{prefix}{line}"));
                }
                self.out.emit(report)?;
            }
            Fetched::Many(outcomes) => {
                for o in outcomes {
                    if let Some(report) = &o.result {
                        for line in announce(report) {
                            self.msg.status(&format!("agent {}: {line}", o.agent));
                        }
                    }
                }
                self.out.emit(&Many { agents: outcomes })?;
            }
        }
        Ok(fetched.verdict(judge))
    }
}

/// Always success: for reports that carry no verdict.
pub fn ok<T>(_: &T) -> ExitStatus {
    ExitStatus::Success
}

/// No status lines.
pub fn silent<T>(_: &T) -> Vec<String> {
    Vec::new()
}

/// A fan-out report: `{"agents": [{agent, url, ok, result | error}]}`.
#[derive(Debug, Serialize)]
pub struct Many<'a, T> {
    pub agents: &'a [Outcome<T>],
}

impl<T: Report> Report for Many<'_, T> {
    fn human(&self, style: &Style) -> String {
        let mut out = String::new();
        for (i, o) in self.agents.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&format!("== agent {} ({})\n", o.agent, o.url));
            match (&o.result, &o.error) {
                (Some(r), _) => out.push_str(&r.human(style)),
                (None, Some(e)) => out.push_str(&format!("error: {e}")),
                (None, None) => {}
            }
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }
}

/// Read a `--ca-cert` PEM file, check that it holds certificates, and return its absolute
/// path (stored configuration must not depend on the directory the command ran in).
pub fn ca_cert_path(path: &std::path::Path) -> Result<PathBuf> {
    let pem =
        std::fs::read(path).map_err(|e| Error::io(format!("--ca-cert {}", path.display()), e))?;
    crate::net::tls::parse_ca(&pem)
        .map_err(|a| Error::invalid("--ca-cert", &path.display().to_string(), a))?;
    Ok(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// `--data-dir`, else `$XDG_DATA_HOME/hivemind` (`~/.local/share/hivemind`).
pub fn resolve_data_dir(given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(dir) = given {
        if dir.as_os_str().is_empty() {
            return Err(Error::invalid("--data-dir", "", "a directory path"));
        }
        return Ok(dir);
    }
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy().map_err(|e| {
        Error::Other(format!(
            "cannot find a home directory ({e}); pass --data-dir or set HIVEMIND_DATA_DIR"
        ))
    })?;
    Ok(base.data_dir().join("hivemind"))
}
