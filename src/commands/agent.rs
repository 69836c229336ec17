//! `hivemind agent …`: the inventory of remote agents, and building clients from it.

use std::path::PathBuf;

use serde::Serialize;

use super::Ctx;
use crate::cli::agent::{AddArgs, AgentCommand, PingArgs};
use crate::commands::secret_input::SecretSource;
use crate::error::{Error, ExitStatus, Result};
use crate::model::Redacted;
use crate::render::{Report, Style};
use crate::target::call::{Call, Info};
use crate::target::fanout;
use crate::target::inventory::{AgentEntry, Inventory, InventoryStore};
use crate::target::local::Change;

pub fn run(ctx: &Ctx, cmd: AgentCommand) -> Result<ExitStatus> {
    let store = InventoryStore::new(&ctx.place.data_dir);
    match cmd {
        AgentCommand::Add(args) => add(ctx, &store, args),
        AgentCommand::List(_) => {
            ctx.place.require_existing()?;
            let inv = store.load()?;
            ctx.out.emit(&AgentList::from(&inv))?;
            Ok(ExitStatus::Success)
        }
        AgentCommand::Remove(args) => {
            let secrets = ctx.place.secrets()?;
            let removed = store.update(|inv| {
                let entry = inv
                    .agents
                    .remove(&args.name)
                    .ok_or_else(|| inv.unknown(&args.name))?;
                if inv.default.as_deref() == Some(args.name.as_str()) {
                    inv.default = None;
                }
                Ok(entry)
            })?;
            if let Some(r) = &removed.token {
                secrets.delete(r)?;
            }
            ctx.msg.status(&format!("agent {} removed", args.name));
            ctx.out.emit(&AgentChange {
                change: Change::Deleted,
                agent: AgentView::new(&args.name, &removed, false),
            })?;
            Ok(ExitStatus::Success)
        }
        AgentCommand::Use(args) => {
            let name = if args.none { None } else { args.name.clone() };
            let inv = store.update(|inv| {
                if let Some(n) = &name
                    && !inv.agents.contains_key(n)
                {
                    return Err(inv.unknown(n));
                }
                inv.default = name.clone();
                Ok(inv.clone())
            })?;
            match &name {
                Some(n) => ctx.msg.status(&format!(
                    "commands now run on agent {n} (go back with `hivemind agent use --none`)"
                )),
                None => ctx.msg.status("commands now run on this machine"),
            }
            ctx.out.emit(&AgentList::from(&inv))?;
            Ok(ExitStatus::Success)
        }
        AgentCommand::Ping(args) => ping(ctx, &store, args),
    }
}

fn add(ctx: &Ctx, store: &InventoryStore, args: AddArgs) -> Result<ExitStatus> {
    let url = crate::model::validate::http_url(&args.url)
        .map_err(|a| Error::invalid("--url", &args.url, a))?;
    if url.path() != "/" || url.query().is_some() {
        return Err(Error::invalid(
            "--url",
            &args.url,
            "the agent's base URL without a path, e.g. https://node1:9470",
        ));
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    if url.scheme() == "http" && !loopback {
        ctx.msg.warn(&format!(
            "{} is plain HTTP: the token and all data travel unencrypted",
            args.url
        ));
    }
    let ca_cert = args
        .ca_cert
        .as_deref()
        .map(crate::commands::ca_cert_path)
        .transpose()?;
    let token_src = SecretSource {
        flag: "token",
        value: args.token.as_deref(),
        stdin: args.token_stdin,
        file: args.token_file.as_deref(),
    };
    let token = token_src.read(&ctx.msg, |v| {
        if v.len() > 1024 || v.chars().any(char::is_whitespace) {
            Err("a token without spaces, at most 1024 characters".into())
        } else {
            Ok(())
        }
    })?;
    let secrets = ctx.place.secrets()?;
    let url_text = url.as_str().trim_end_matches('/').to_string();
    let (change, entry) = store.update(|inv| {
        let token_ref = match &token {
            Some(t) => Some(secrets.put(&format!("agent.{}.token", args.name), t, &ctx.msg)?),
            None => None,
        };
        let entry = AgentEntry {
            url: url_text.clone(),
            ca_cert: ca_cert.clone(),
            token: token_ref,
        };
        let old = inv.agents.insert(args.name.clone(), entry.clone());
        if let Some(old_ref) = old.as_ref().and_then(|o| o.token.clone())
            && entry.token.as_ref() != Some(&old_ref)
        {
            secrets.delete(&old_ref)?;
        }
        Ok((
            if old.is_some() {
                Change::Replaced
            } else {
                Change::Created
            },
            entry,
        ))
    })?;
    if token.is_none() && std::env::var_os("HIVEMIND_TOKEN").is_none() {
        ctx.msg.warn("no token stored: requests will be refused unless HIVEMIND_TOKEN is set (get it with `hivemind daemon token` on the agent)");
    }
    ctx.msg
        .status(&format!("agent {} {}", args.name, change.as_str()));
    ctx.out.emit(&AgentChange {
        change,
        agent: AgentView::new(&args.name, &entry, false),
    })?;
    Ok(ExitStatus::Success)
}

fn ping(ctx: &Ctx, store: &InventoryStore, args: PingArgs) -> Result<ExitStatus> {
    ctx.place.require_existing()?;
    let inv = store.load()?;
    let names: Vec<String> = if args.names.is_empty() {
        inv.agents.keys().cloned().collect()
    } else {
        args.names
    };
    if names.is_empty() {
        return Err(Error::Usage("no agents in the inventory (add one with `hivemind agent add NAME --url URL --token-stdin`)".into()));
    }
    let clients = ctx.place.clients(&inv, &names)?;
    let results = fanout::call_all(&clients, &Call::Info, ctx.place.timeout, ctx.progress())?;
    let mut failed = 0;
    let rows: Vec<PingRow> = results
        .into_iter()
        .map(|r| {
            let info = r.result.and_then(|v| {
                serde_json::from_value::<Info>(v)
                    .map_err(|e| Error::Remote(format!("unexpected answer: {e}")))
            });
            let latency_ms = (r.elapsed.as_secs_f64() * 1000.0 * 10.0).round() / 10.0;
            match info {
                Ok(i) => PingRow {
                    agent: r.agent,
                    url: r.url,
                    ok: true,
                    latency_ms,
                    version: Some(i.version),
                    hostname: Some(i.hostname),
                    error: None,
                },
                Err(e) => {
                    failed += 1;
                    PingRow {
                        agent: r.agent,
                        url: r.url,
                        ok: false,
                        latency_ms,
                        version: None,
                        hostname: None,
                        error: Some(e.to_string()),
                    }
                }
            }
        })
        .collect();
    let total = rows.len();
    ctx.out.emit(&PingReport { agents: rows })?;
    Ok(match failed {
        0 => ExitStatus::Success,
        n if n == total => ExitStatus::Failure,
        _ => ExitStatus::Partial,
    })
}

/// An inventory entry as shown.
#[derive(Debug, Serialize)]
pub struct AgentView {
    pub name: String,
    pub url: String,
    pub default: bool,
    pub ca_cert: Option<PathBuf>,
    /// `"<secret>"` when a token is stored, else null.
    pub token: Option<Redacted>,
}

impl AgentView {
    fn new(name: &str, e: &AgentEntry, default: bool) -> Self {
        AgentView {
            name: name.to_string(),
            url: e.url.clone(),
            default,
            ca_cert: e.ca_cert.clone(),
            token: e.token.as_ref().map(|r| Redacted(Some(r.backend))),
        }
    }
}

/// `agent list` / `agent use` output.
#[derive(Debug, Serialize)]
pub struct AgentList {
    pub agents: Vec<AgentView>,
}

impl From<&Inventory> for AgentList {
    fn from(inv: &Inventory) -> Self {
        AgentList {
            agents: inv
                .agents
                .iter()
                .map(|(n, e)| AgentView::new(n, e, inv.default.as_deref() == Some(n.as_str())))
                .collect(),
        }
    }
}

fn agent_row(a: &AgentView) -> Vec<String> {
    vec![
        if a.default {
            format!("{} *", a.name)
        } else {
            a.name.clone()
        },
        a.url.clone(),
        a.token.map_or_else(|| "-".into(), |t| t.to_string()),
        a.ca_cert
            .as_ref()
            .map_or_else(|| "-".into(), |p| p.display().to_string()),
    ]
}

impl Report for AgentList {
    fn human(&self, style: &Style) -> String {
        if self.agents.is_empty() {
            return "no agents (add one with `hivemind agent add NAME --url URL --token-stdin`)\n"
                .into();
        }
        let mut t = style.table(&["NAME", "URL", "TOKEN", "CA"]);
        for a in &self.agents {
            t.add_row(agent_row(a));
        }
        t.to_string()
    }
}

/// `agent add` / `agent remove` output.
#[derive(Debug, Serialize)]
pub struct AgentChange {
    pub change: Change,
    #[serde(flatten)]
    pub agent: AgentView,
}

impl Report for AgentChange {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&["CHANGE", "NAME", "URL", "TOKEN", "CA"]);
        let mut row = agent_row(&self.agent);
        row.insert(0, self.change.as_str().into());
        t.add_row(row);
        t.to_string()
    }
}

/// One row of `agent ping`.
#[derive(Debug, Serialize)]
pub struct PingRow {
    pub agent: String,
    pub url: String,
    pub ok: bool,
    pub latency_ms: f64,
    pub version: Option<String>,
    pub hostname: Option<String>,
    pub error: Option<String>,
}

/// `agent ping` output.
#[derive(Debug, Serialize)]
pub struct PingReport {
    pub agents: Vec<PingRow>,
}

impl Report for PingReport {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&["AGENT", "STATUS", "LATENCY", "VERSION", "HOST", "DETAIL"]);
        for r in &self.agents {
            t.add_row(vec![
                comfy_table::Cell::new(&r.agent),
                style.status_cell(if r.ok { "ok" } else { "failed" }),
                comfy_table::Cell::new(format!("{:.1} ms", r.latency_ms)),
                comfy_table::Cell::new(r.version.as_deref().unwrap_or("-")),
                comfy_table::Cell::new(r.hostname.as_deref().unwrap_or("-")),
                comfy_table::Cell::new(r.error.as_deref().unwrap_or(&r.url)),
            ]);
        }
        t.to_string()
    }
}
