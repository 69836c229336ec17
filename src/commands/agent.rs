//! `hivemind agent …`: the inventory of remote agents, and building clients from it.

use std::path::PathBuf;

use serde::Serialize;

use super::Ctx;
use crate::cli::agent::{AddArgs, AgentCommand, ExportArgs, ExportFormat, ImportArgs, PingArgs};
use crate::commands::secret_input::SecretSource;
use crate::error::{Error, ExitStatus, Result};
use crate::model::Redacted;
use crate::render::{Report, Style};
use crate::target::call::{Call, Info};
use crate::target::discovery::{self, ApiUrl, FileSdGroup};
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
        AgentCommand::Import(args) => import(ctx, &store, args),
        AgentCommand::Export(args) => export(ctx, &store, args),
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
            metrics_address: None,
            metrics_path: None,
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
    let results = fanout::call_all(&clients, &Call::Info, ctx.place.fanout())?;
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

fn check_token(v: &str) -> std::result::Result<(), String> {
    if v.len() > 1024 || v.chars().any(char::is_whitespace) {
        Err("a token without spaces, at most 1024 characters".into())
    } else {
        Ok(())
    }
}

/// One target of `agent import`, and what became of it.
#[derive(Debug, Serialize)]
pub struct ImportRow {
    /// The agent's name (empty when the target could not be named).
    pub agent: String,
    pub instance: String,
    pub url: Option<String>,
    /// `created`, `updated`, `unchanged`, or `skipped`.
    pub change: &'static str,
    pub metrics_address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// `agent import` output.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub prometheus: String,
    pub dry_run: bool,
    pub agents: Vec<ImportRow>,
}

impl Report for ImportReport {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&["AGENT", "CHANGE", "URL", "METRICS", "DETAIL"]);
        for r in &self.agents {
            t.add_row(vec![
                comfy_table::Cell::new(if r.agent.is_empty() { "-" } else { &r.agent }),
                if r.change == "skipped" {
                    style.status_cell("skipped")
                } else {
                    comfy_table::Cell::new(r.change)
                },
                comfy_table::Cell::new(r.url.as_deref().unwrap_or("-")),
                comfy_table::Cell::new(&r.metrics_address),
                comfy_table::Cell::new(r.detail.as_deref().unwrap_or("")),
            ]);
        }
        t.to_string()
    }
}

fn import(ctx: &Ctx, store: &InventoryStore, args: ImportArgs) -> Result<ExitStatus> {
    let api = match (&args.api_port, &args.api_url_template) {
        (Some(p), _) => ApiUrl::Port(*p),
        (None, Some(t)) => {
            ApiUrl::template(t).map_err(|a| Error::invalid("--api-url-template", t, a))?
        }
        (None, None) => {
            return Err(Error::Usage(
                "give --api-port or --api-url-template: Prometheus scrapes the agents' metrics port, their API listens on another"
                    .into(),
            ));
        }
    };
    let ca_cert = args
        .ca_cert
        .as_deref()
        .map(crate::commands::ca_cert_path)
        .transpose()?;
    let shared_token = SecretSource {
        flag: "token",
        value: None,
        stdin: args.token_stdin,
        file: args.token_file.as_deref(),
    }
    .read(&ctx.msg, check_token)?;
    let http = discovery::prometheus_client(&args.prometheus, ctx.place.timeout)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let targets = runtime.block_on(discovery::prometheus_targets(
        &http,
        &args.prometheus,
        args.job.as_deref(),
    ))?;
    let shown = crate::redact::redacted(args.prometheus.clone());
    if targets.is_empty() {
        return Err(Error::NotFound(match &args.job {
            Some(j) => format!("Prometheus at {shown} has no active targets of job '{j}'"),
            None => format!("Prometheus at {shown} has no active targets"),
        }));
    }
    // Name and place every target first: a clash or a bad URL refuses the whole import.
    let mut rows = Vec::new();
    let mut wanted: Vec<(String, AgentEntry, Option<crate::model::Secret>)> = Vec::new();
    let mut names: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for t in &targets {
        let mut row = ImportRow {
            agent: String::new(),
            instance: t.instance.clone(),
            url: None,
            change: "skipped",
            metrics_address: t.metrics_address.clone(),
            detail: None,
        };
        let Some(label) = t.labels.get(&args.name_label) else {
            row.detail = Some(format!(
                "no label '{}' to name it by (--name-label)",
                args.name_label
            ));
            rows.push(row);
            continue;
        };
        let name = discovery::agent_name(label).map_err(|a| {
            Error::invalid(
                "--name-label",
                &format!("{}={label}", args.name_label),
                format!("a label whose value makes {a}"),
            )
        })?;
        if let Some(other) = names.insert(name.clone(), t.instance.clone()) {
            return Err(Error::Usage(format!(
                "targets {other} and {} would both be named '{name}': choose a label that tells them apart with --name-label",
                t.instance
            )));
        }
        row.agent = name.clone();
        let url = match api.url_for(t) {
            Ok(u) => u,
            Err(e) if e.api_code() == "not_found" => {
                row.detail = Some(e.to_string());
                rows.push(row);
                continue;
            }
            Err(e) => return Err(e.context(format!("target {}", t.instance))),
        };
        row.url = Some(url.clone());
        if t.health != "up" {
            row.detail = Some(if t.last_error.is_empty() {
                format!("Prometheus reports the target {}", t.health)
            } else {
                format!(
                    "Prometheus reports the target {}: {}",
                    t.health, t.last_error
                )
            });
            rows.push(row);
            continue;
        }
        let token = match &args.token_dir {
            Some(dir) => SecretSource {
                flag: "token-dir",
                value: None,
                stdin: false,
                file: Some(&dir.join(format!("{name}.token"))),
            }
            .read(&ctx.msg, check_token)?,
            None => shared_token.clone(),
        };
        wanted.push((
            name,
            AgentEntry {
                url,
                ca_cert: ca_cert.clone(),
                token: None,
                metrics_address: Some(t.metrics_address.clone()),
                metrics_path: (t.metrics_path != "/metrics").then(|| t.metrics_path.clone()),
            },
            token,
        ));
        rows.push(row);
    }
    let secrets = ctx.place.secrets()?;
    let changes: Vec<(String, &'static str)> = if args.dry_run {
        let inv = store.load()?;
        wanted
            .iter()
            .map(|(name, entry, _)| {
                let change = match inv.agents.get(name) {
                    None => "created",
                    Some(old) if same_place(old, entry) => "unchanged",
                    Some(_) => "updated",
                };
                (name.clone(), change)
            })
            .collect()
    } else {
        store.update(|inv| {
            let mut out = Vec::new();
            for (name, entry, token) in &wanted {
                let old = inv.agents.get(name).cloned();
                let mut entry = entry.clone();
                entry.token = old.as_ref().and_then(|o| o.token.clone());
                let mut token_changed = false;
                if let Some(t) = token {
                    let same = entry
                        .token
                        .as_ref()
                        .and_then(|r| secrets.get(r).ok())
                        .is_some_and(|stored| stored == *t);
                    if !same {
                        entry.token =
                            Some(secrets.put(&format!("agent.{name}.token"), t, &ctx.msg)?);
                        token_changed = true;
                    }
                }
                let change = match &old {
                    None => "created",
                    Some(o) if same_place(o, &entry) && !token_changed => "unchanged",
                    Some(_) => "updated",
                };
                inv.agents.insert(name.clone(), entry);
                out.push((name.clone(), change));
            }
            Ok(out)
        })?
    };
    for (name, change) in changes {
        if let Some(row) = rows.iter_mut().find(|r| r.agent == name) {
            row.change = change;
        }
    }
    let skipped = rows.iter().filter(|r| r.change == "skipped").count();
    let added = rows.iter().filter(|r| r.change == "created").count();
    let verb = if args.dry_run { "would add" } else { "added" };
    ctx.msg.status(&format!(
        "{verb} {added} of {} targets from Prometheus at {shown}",
        rows.len()
    ));
    if skipped > 0 {
        ctx.msg.warn(&format!(
            "{skipped} target(s) not added (see DETAIL): only targets Prometheus reports up are added"
        ));
    }
    if shared_token.is_none()
        && args.token_dir.is_none()
        && std::env::var_os("HIVEMIND_TOKEN").is_none()
    {
        ctx.msg.warn("no token given: requests will be refused unless HIVEMIND_TOKEN is set (--token-stdin, --token-file or --token-dir)");
    }
    ctx.out.emit(&ImportReport {
        prometheus: shown,
        dry_run: args.dry_run,
        agents: rows,
    })?;
    Ok(ExitStatus::Success)
}

/// Whether two entries point at the same agent the same way (tokens aside).
fn same_place(a: &AgentEntry, b: &AgentEntry) -> bool {
    a.url == b.url
        && a.ca_cert == b.ca_cert
        && a.metrics_address == b.metrics_address
        && a.metrics_path == b.metrics_path
}

/// `agent export --format file-sd` output: the groups, printed as JSON whatever `-o` says
/// (it is a file for Prometheus).
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct FileSd(Vec<FileSdGroup>);

impl Report for FileSd {
    fn human(&self, _: &Style) -> String {
        serde_json::to_string_pretty(&self.0).map_or_else(|_| String::new(), |t| t + "\n")
    }
}

fn export(ctx: &Ctx, store: &InventoryStore, args: ExportArgs) -> Result<ExitStatus> {
    let ExportFormat::FileSd = args.format;
    ctx.place.require_existing()?;
    let inv = store.load()?;
    if inv.agents.is_empty() {
        return Err(Error::Usage(
            "the inventory is empty (add agents with `hivemind agent add` or `hivemind agent import`)".into(),
        ));
    }
    // Agents whose metrics endpoint is not recorded are asked for it.
    let unknown: Vec<String> = inv
        .agents
        .iter()
        .filter(|(_, e)| e.metrics_address.is_none())
        .map(|(n, _)| n.clone())
        .collect();
    let mut asked = std::collections::BTreeMap::new();
    let mut failed = 0;
    if !unknown.is_empty() {
        let clients = ctx.place.clients(&inv, &unknown)?;
        for r in fanout::call_all(&clients, &Call::ShowConfig, ctx.place.fanout())? {
            let answer = r.result.and_then(|v| {
                serde_json::from_value::<crate::target::call::ConfigReport>(v)
                    .map_err(|e| Error::Remote(format!("unexpected answer: {e}")))
            });
            match answer {
                Ok(c) => {
                    asked.insert(r.agent, c.metrics.metrics);
                }
                Err(e) => {
                    failed += 1;
                    ctx.msg.warn(&format!(
                        "agent {}: left out of the file: its metrics endpoint is not recorded and asking failed: {e}",
                        r.agent
                    ));
                }
            }
        }
    }
    let mut agents = Vec::new();
    for (name, entry) in &inv.agents {
        let (address, path) = match (&entry.metrics_address, asked.get(name)) {
            (Some(a), _) => (
                a.clone(),
                entry
                    .metrics_path
                    .clone()
                    .unwrap_or_else(|| "/metrics".into()),
            ),
            (None, Some(m)) => {
                let host = if m.listen_address.is_unspecified() || m.listen_address.is_loopback() {
                    url::Url::parse(&entry.url)
                        .ok()
                        .and_then(|u| u.host_str().map(str::to_string))
                        .unwrap_or_else(|| m.listen_address.to_string())
                } else if m.listen_address.is_ipv6() {
                    format!("[{}]", m.listen_address)
                } else {
                    m.listen_address.to_string()
                };
                (format!("{host}:{}", m.port), m.path.clone())
            }
            (None, None) => continue,
        };
        agents.push((name.clone(), address, path));
    }
    ctx.out.emit(&FileSd(discovery::file_sd(&agents)))?;
    Ok(match failed {
        0 => ExitStatus::Success,
        n if n == inv.agents.len() => ExitStatus::Failure,
        _ => ExitStatus::Partial,
    })
}
