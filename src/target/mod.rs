//! Where a command runs, decided in one place: in this process over the data directory
//! (embedded mode), through the daemon that already runs on that directory, or on remote
//! agents. Every command builds a [`Call`](call::Call); [`Place::target`] picks the place and
//! [`Place::fetch`] asks it, so a command reads the same answer types wherever it ran.
//!
//! - [`call`]: the calls and their answers, with their HTTP form;
//! - [`service`]: `execute`, the one service embedded mode runs and the daemon serves;
//! - [`local`]: the configuration operations over the state store;
//! - [`embedded`]: embedded mode's runtime, and finding a running daemon;
//! - [`remote`]: the HTTP client of one agent; [`fanout`]: many at once;
//! - [`inventory`]: the agents this CLI knows; [`discovery`]: agents from Prometheus, and the
//!   inventory as a Prometheus `file_sd` file.

pub mod call;
pub mod discovery;
pub mod embedded;
pub mod fanout;
pub mod inventory;
pub mod local;
pub mod remote;
pub mod service;

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, ExitStatus, Result};
use crate::messages::Messages;
use crate::model::Secret;
use crate::store::{BackendChoice, SecretStore, daemon_files};
use call::Call;
use inventory::{Inventory, InventoryStore};
use local::Local;
use remote::AgentClient;
use service::Service;

/// Where commands run, as the global options say: the data directory, `--agent` /
/// `--all-agents`, the per-agent deadline, and whether a fan-out may draw progress.
#[derive(Debug, Clone)]
pub struct Place {
    pub data_dir: PathBuf,
    /// `--agent` names (empty: none given).
    pub agents: Vec<String>,
    pub all_agents: bool,
    /// How long each agent may take.
    pub timeout: Duration,
    /// Draw a progress bar on stderr while many agents answer (decided at the top: a
    /// terminal, and no `-q`).
    pub progress: bool,
    /// `--max-concurrency`: the most agents asked at once (`None`: the default cap).
    pub max_concurrency: Option<usize>,
    /// The data directory was given (`--data-dir`, `HIVEMIND_DATA_DIR`) rather than the
    /// default: reading one that does not exist is then a mistake, not an empty setup.
    pub data_dir_given: bool,
}

/// Place a command runs.
pub enum Target {
    /// In this process, on the data directory.
    Embedded(Box<Service>),
    /// One agent, reported like embedded mode (a single `--agent`, the default agent, or the
    /// daemon running on this data directory).
    One(AgentClient),
    /// Several agents (`--all-agents` or more than one `--agent`): one section per agent.
    Many(Vec<AgentClient>),
}

impl Place {
    /// For commands that only read: a data directory that was given but does not exist is
    /// most likely misspelt (a CI variable), so it is an error rather than an empty answer.
    /// Commands that write create it.
    pub fn require_existing(&self) -> Result<()> {
        if self.data_dir_given && !self.data_dir.is_dir() {
            return Err(Error::Usage(format!(
                "data directory {} does not exist (given by --data-dir or HIVEMIND_DATA_DIR); \
                 check the path, or run a command that writes to create it",
                self.data_dir.display()
            )));
        }
        Ok(())
    }

    /// How a fan-out over several agents runs.
    pub fn fanout(&self) -> fanout::Fanout {
        fanout::Fanout {
            deadline: self.timeout,
            progress: self.progress,
            max_concurrency: self.max_concurrency,
        }
    }

    /// The configuration operations over this data directory.
    pub fn local(&self) -> Result<Local> {
        Local::open(&self.data_dir)
    }

    /// This data directory's secrets, in the backend the environment chooses.
    pub fn secrets(&self) -> Result<SecretStore> {
        Ok(SecretStore::new(&self.data_dir, BackendChoice::from_env()?))
    }

    /// Whether commands ask agents rather than this machine's state: `--agent`,
    /// `--all-agents`, or a default agent in the inventory.
    pub fn is_remote(&self) -> Result<bool> {
        Ok(!self.agents.is_empty()
            || self.all_agents
            || InventoryStore::new(&self.data_dir)
                .load()?
                .default
                .is_some())
    }

    /// Resolve `--agent`, `--all-agents`, the default agent, and a daemon on this data dir.
    pub fn target(&self, msg: &Messages) -> Result<Target> {
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
        } else if let Some(client) = embedded::running_daemon(&self.data_dir, self.timeout)? {
            msg.debug(&format!(
                "using the daemon running on {} at {}",
                self.data_dir.display(),
                client.url
            ));
            return Ok(Target::One(client));
        } else {
            return Ok(Target::Embedded(Box::new(embedded::service(
                self.local()?,
                &self.data_dir,
                msg,
            ))));
        };
        let clients = self.clients(&inventory, &names)?;
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

    /// Clients for the named agents, with their tokens (`HIVEMIND_TOKEN` first).
    pub fn clients(&self, inv: &Inventory, names: &[String]) -> Result<Vec<AgentClient>> {
        let env_token = std::env::var("HIVEMIND_TOKEN")
            .ok()
            .filter(|t| !t.is_empty())
            .map(Secret::new);
        let secrets = self.secrets()?;
        let entries = names
            .iter()
            .map(|name| inv.agents.get(name).ok_or_else(|| inv.unknown(name)))
            .collect::<Result<Vec<_>>>()?;
        // Stored tokens are read in one go: the file backend's file once, not once per agent.
        let refs: Vec<&crate::model::SecretRef> = match env_token {
            Some(_) => Vec::new(),
            None => entries.iter().filter_map(|e| e.token.as_ref()).collect(),
        };
        let mut stored = secrets.get_many(&refs).into_iter();
        let mut out = Vec::with_capacity(names.len());
        for (name, entry) in names.iter().zip(entries) {
            let token = match (&env_token, &entry.token) {
                (Some(t), _) => Some(t.clone()),
                (None, Some(_)) => Some(
                    stored
                        .next()
                        .unwrap_or_else(|| Err(Error::Other("no token read".into())))
                        .map_err(|e| e.context(format!("agent {name}: token")))?,
                ),
                (None, None) => None,
            };
            out.push(AgentClient::new(
                name,
                &entry.url,
                token,
                entry.ca_cert.as_deref(),
                self.timeout,
            )?);
        }
        Ok(out)
    }

    /// Ask the target; a single target's failure is an error, many targets' are rows.
    pub fn fetch<T: DeserializeOwned>(&self, target: &Target, call: &Call) -> Result<Fetched<T>> {
        match target {
            Target::Embedded(svc) => {
                // A write holds the directory, so no daemon can start and read the state in
                // the middle of it; if one took the directory since the target was chosen,
                // it owns the state now and the write goes through it.
                if !call.is_write() {
                    self.require_existing()?;
                }
                let _hold = if call.is_write() {
                    match daemon_files::hold_for_write(&self.data_dir)? {
                        Some(hold) => Some(hold),
                        None => {
                            let daemon = embedded::running_daemon(&self.data_dir, self.timeout)?
                                .ok_or_else(|| {
                                    Error::Conflict(format!(
                                        "a daemon took {} and let go again; try again",
                                        self.data_dir.display()
                                    ))
                                })?;
                            return self.fetch(&Target::One(daemon), call);
                        }
                    }
                } else {
                    None
                };
                Ok(Fetched::One {
                    report: decode(service::execute(svc, call.clone())?)?,
                    prefix: String::new(),
                })
            }
            Target::One(client) => Ok(Fetched::One {
                report: decode(self.ask(client, call)?)?,
                prefix: format!("agent {}: ", client.name),
            }),
            Target::Many(clients) => {
                let results = fanout::call_all(clients, call, self.fanout())?;
                Ok(Fetched::Many(
                    results
                        .into_iter()
                        .map(|r| {
                            let (result, error, not_found) = match r.result.and_then(decode) {
                                Ok(report) => (Some(report), None, false),
                                Err(e) => (None, Some(e.to_string()), e.api_code() == "not_found"),
                            };
                            Outcome {
                                agent: r.agent,
                                url: r.url,
                                ok: result.is_some(),
                                result,
                                error,
                                not_found,
                            }
                        })
                        .collect(),
                ))
            }
        }
    }

    /// Ask one place only (this machine or one agent), for what must come from one place
    /// (an export): several agents are refused with `why`.
    pub fn fetch_one<T: DeserializeOwned>(
        &self,
        call: &Call,
        msg: &Messages,
        why: &str,
    ) -> Result<T> {
        match self.target(msg)? {
            Target::Many(_) => Err(Error::Usage(why.to_string())),
            target => match self.fetch(&target, call)? {
                Fetched::One { report, .. } => Ok(report),
                Fetched::Many(_) => Err(Error::Usage(why.to_string())),
            },
        }
    }

    /// One agent's JSON answer, its errors prefixed with the agent's name.
    fn ask(&self, client: &AgentClient, call: &Call) -> Result<serde_json::Value> {
        fanout::call_all(
            std::slice::from_ref(client),
            call,
            fanout::Fanout::quiet(self.timeout),
        )?
        .pop()
        .map(|r| r.result)
        .unwrap_or_else(|| Err(Error::Other("no answer".into())))
        .map_err(|e| e.context(format!("agent {}", client.name)))
    }
}

/// Read an answer into the type the command expects.
fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::Remote(format!("unexpected answer: {e}")))
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
                    .fold(ExitStatus::Success, ExitStatus::worse);
                match failed {
                    0 => worst,
                    n if n == outcomes.len() => ExitStatus::Failure,
                    _ => ExitStatus::Partial,
                }
            }
        }
    }
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
    /// The error was that the object asked for does not exist there.
    #[serde(skip)]
    pub not_found: bool,
}

#[cfg(test)]
mod tests;
