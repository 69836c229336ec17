//! One module per command group: resolve arguments into typed settings, pick the target
//! (this machine, the local daemon, or remote agents), run the call, and hand the report to
//! the renderer.

pub mod agent;
pub mod alerting;
pub mod checks;
pub mod embedded;
pub mod health;
pub mod observability;
pub mod profile;
pub mod secret_input;
pub mod telemetry;

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::{self, Call, Service};
use crate::client::{AgentClient, InventoryStore, fanout};
use crate::core::Local;
use crate::error::{Error, ExitStatus, Result};
use crate::messages::Messages;
use crate::render::{Printer, Report, Style, Terminal};
use crate::store::{BackendChoice, SecretStore, StateStore};

/// What every command gets: where state lives, how to print, and which agents to ask.
#[derive(Clone)]
pub struct Ctx {
    /// Reports to stdout.
    pub out: Printer,
    /// Status, warnings and errors to stderr.
    pub msg: Messages,
    /// What the terminal is, asked once at the top.
    pub term: Terminal,
    pub data_dir: PathBuf,
    /// `--agent` names (empty: none given).
    pub agents: Vec<String>,
    pub all_agents: bool,
    pub timeout: Duration,
}

/// Where a command runs.
pub enum Target {
    /// In this process, on the data directory.
    Embedded(Box<Service>),
    /// One agent, reported like embedded mode (a single `--agent`, the default agent, or the
    /// daemon running on this data directory).
    One(AgentClient),
    /// Several agents (`--all-agents` or more than one `--agent`): one section per agent.
    Many(Vec<AgentClient>),
}

impl Ctx {
    /// Whether progress may be drawn on stderr: a terminal, and no `-q`.
    pub fn progress(&self) -> bool {
        self.term.stderr_tty && !self.msg.quiet()
    }

    pub fn local(&self) -> Result<Local> {
        Ok(Local::new(StateStore::new(&self.data_dir), self.secrets()?))
    }

    pub fn secrets(&self) -> Result<SecretStore> {
        Ok(SecretStore::new(&self.data_dir, BackendChoice::from_env()?))
    }

    /// Resolve `--agent`, `--all-agents`, the default agent, and a daemon on this data dir.
    pub fn target(&self) -> Result<Target> {
        let inventory = InventoryStore::new(&self.data_dir).load()?;
        let names: Vec<String> = if self.all_agents {
            if inventory.agents.is_empty() {
                return Err(Error::Usage(
                    "--all-agents: the inventory is empty (add agents with `hivemind agent add`)"
                        .into(),
                ));
            }
            inventory.agents.keys().cloned().collect()
        } else if !self.agents.is_empty() {
            self.agents.clone()
        } else if let Some(default) = &inventory.default {
            vec![default.clone()]
        } else if let Some(client) = embedded::running_daemon(self)? {
            self.msg.debug(&format!(
                "using the daemon running on {} at {}",
                self.data_dir.display(),
                client.url
            ));
            return Ok(Target::One(client));
        } else {
            return Ok(Target::Embedded(Box::new(embedded::service(self)?)));
        };
        let clients = agent::clients(self, &inventory, &names)?;
        if self.all_agents || clients.len() > 1 {
            Ok(Target::Many(clients))
        } else {
            clients
                .into_iter()
                .next()
                .map(Target::One)
                .ok_or_else(|| Error::Usage("no agent given".into()))
        }
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
        let target = self.target()?;
        let fetched = self.fetch::<T>(&target, &call)?;
        self.present(&fetched, &judge, &announce)
    }

    /// Ask the target; a single target's failure is an error, many targets' are rows.
    pub fn fetch<T: DeserializeOwned>(&self, target: &Target, call: &Call) -> Result<Fetched<T>> {
        let one = |value: serde_json::Value| -> Result<T> {
            serde_json::from_value(value)
                .map_err(|e| Error::Remote(format!("unexpected answer: {e}")))
        };
        match target {
            Target::Embedded(svc) => Ok(Fetched::One {
                report: one(api::execute(svc, call.clone())?)?,
                prefix: String::new(),
            }),
            Target::One(client) => {
                let mut results =
                    fanout::call_all(std::slice::from_ref(client), call, self.timeout, false)?;
                let result = results
                    .pop()
                    .map(|r| r.result)
                    .unwrap_or_else(|| Err(Error::Other("no answer".into())));
                let report = one(result.map_err(|e| e.context(format!("agent {}", client.name)))?)?;
                Ok(Fetched::One {
                    report,
                    prefix: format!("agent {}: ", client.name),
                })
            }
            Target::Many(clients) => {
                let results = fanout::call_all(clients, call, self.timeout, self.progress())?;
                Ok(Fetched::Many(
                    results
                        .into_iter()
                        .map(|r| match r.result.and_then(one) {
                            Ok(report) => Outcome {
                                agent: r.agent,
                                url: r.url,
                                ok: true,
                                result: Some(report),
                                error: None,
                            },
                            Err(e) => Outcome {
                                agent: r.agent,
                                url: r.url,
                                ok: false,
                                result: None,
                                error: Some(e.to_string()),
                            },
                        })
                        .collect(),
                ))
            }
        }
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

/// Answers from one target or many.
pub enum Fetched<T> {
    One { report: T, prefix: String },
    Many(Vec<Outcome<T>>),
}

impl<T> Fetched<T> {
    /// The exit status: 4 when some agents failed, 2 when all did, else the worst judged.
    pub fn verdict(&self, judge: &impl Fn(&T) -> ExitStatus) -> ExitStatus {
        match self {
            Fetched::One { report, .. } => judge(report),
            Fetched::Many(outcomes) => {
                let failed = outcomes.iter().filter(|o| !o.ok).count();
                let worst = outcomes
                    .iter()
                    .filter_map(|o| o.result.as_ref())
                    .map(judge)
                    .fold(ExitStatus::Success, worse);
                match failed {
                    0 => worst,
                    n if n == outcomes.len() => ExitStatus::Failure,
                    _ => ExitStatus::Partial,
                }
            }
        }
    }
}

fn worse(a: ExitStatus, b: ExitStatus) -> ExitStatus {
    if b.code() > a.code() { b } else { a }
}

/// Always success: for reports that carry no verdict.
pub fn ok<T>(_: &T) -> ExitStatus {
    ExitStatus::Success
}

/// No status lines.
pub fn silent<T>(_: &T) -> Vec<String> {
    Vec::new()
}

/// One agent's part of a fan-out report.
#[derive(Debug, Serialize)]
pub struct Outcome<T> {
    pub agent: String,
    pub url: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
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

/// Read a `--ca-cert` PEM file, check that it holds a certificate, and return its absolute path
/// (stored configuration must not depend on the directory the command ran in).
pub fn ca_cert_path(path: &std::path::Path) -> Result<PathBuf> {
    let pem =
        std::fs::read(path).map_err(|e| Error::io(format!("--ca-cert {}", path.display()), e))?;
    reqwest::Certificate::from_pem(&pem).map_err(|e| {
        Error::invalid(
            "--ca-cert",
            &path.display().to_string(),
            format!("a PEM certificate ({e})"),
        )
    })?;
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
