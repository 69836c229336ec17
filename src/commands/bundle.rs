//! `hivemind bundle`: one local archive for an incident. From every selected agent at once
//! (or from this machine in-process), bounded in time by the agent deadline plus the profile
//! window and in size by `--max-size`: its versions, configuration (secrets as `<secret>`),
//! health and checks, firing and pending alerts, the last collection's metrics and its TCP
//! connection series, its log since `--since`, a CPU profile of the agent and of the busiest
//! container. A top-level `index.json` lists every agent with what it gave or its error, and
//! `README.txt` says what each file is. Nothing is uploaded anywhere.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::Ctx;
use crate::cli::bundle::BundleArgs;
use crate::error::{Error, ExitStatus, Result};
use crate::health::node::Thresholds;
use crate::model::alert::{AlertQuery, AlertState};
use crate::model::profile::{Kind, ProfileRequest, Target as ProfileTarget};
use crate::profile::Cancel;
use crate::render::{Report, Style};
use crate::store::fs::TempFile;
use crate::target::call::{Call, FileCall};
use crate::target::remote::AgentClient;
use crate::target::service::{self, Service};
use crate::target::{Target, fanout};
use crate::telemetry::LogQuery;

/// Log records per agent at most (the API's own limit).
const MAX_LOG_RECORDS: usize = 2000;
/// Time allowed beyond the profiles' window for the other calls and the transfer.
const SLACK: Duration = Duration::from_secs(30);

/// Where the calls go: this process's core or an agent.
#[derive(Clone)]
enum Source {
    Local(Arc<Service>),
    Remote(AgentClient),
}

impl Source {
    async fn call(&self, call: Call) -> Result<serde_json::Value> {
        match self {
            Source::Local(svc) => {
                let svc = Arc::clone(svc);
                tokio::task::spawn_blocking(move || service::execute(&svc, call))
                    .await
                    .map_err(|e| Error::Other(format!("the call stopped: {e}")))?
            }
            Source::Remote(agent) => agent.call(&call).await,
        }
    }

    async fn file(&self, call: FileCall) -> Result<Vec<u8>> {
        match self {
            Source::Local(svc) => {
                let svc = Arc::clone(svc);
                tokio::task::spawn_blocking(move || {
                    service::execute_file(&svc, call, &Cancel::new()).map(|a| a.bytes)
                })
                .await
                .map_err(|e| Error::Other(format!("the profile stopped: {e}")))?
            }
            Source::Remote(agent) => agent.fetch(&call).await,
        }
    }
}

/// What the bundle asks of each agent.
#[derive(Debug, Clone, Copy)]
struct Plan {
    since: Duration,
    profile: Option<Duration>,
}

/// One agent's contribution.
#[derive(Debug, Default)]
struct Part {
    agent: String,
    url: String,
    /// (file name inside the agent's folder, contents).
    files: Vec<(String, Vec<u8>)>,
    /// (file name, why it is missing).
    missing: Vec<(String, String)>,
    /// The agent could not be reached at all.
    error: Option<String>,
}

impl Part {
    fn json(&mut self, name: &str, value: Result<serde_json::Value>) -> Option<serde_json::Value> {
        match value {
            Ok(v) => {
                match serde_json::to_vec_pretty(&v) {
                    Ok(bytes) => self.files.push((name.into(), bytes)),
                    Err(e) => self.missing.push((name.into(), e.to_string())),
                }
                Some(v)
            }
            Err(e) => {
                self.missing.push((name.into(), e.to_string()));
                None
            }
        }
    }
}

/// The container with the highest CPU usage in a metrics answer.
fn busiest_container(metrics: &serde_json::Value) -> Option<String> {
    let families = metrics.get("families")?.as_array()?;
    let usage = families
        .iter()
        .find(|f| f.get("name").and_then(|n| n.as_str()) == Some("hivemind_container_cpu_usage"))?;
    usage
        .get("samples")?
        .as_array()?
        .iter()
        .filter_map(|s| {
            let id = s.get("labels")?.get("container")?.as_str()?.to_string();
            let v = s.get("value")?.as_f64()?;
            v.is_finite().then_some((id, v))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(id, _)| id)
}

/// The families of the TCP connection table.
fn connections(metrics: &serde_json::Value) -> serde_json::Value {
    let families: Vec<serde_json::Value> = metrics
        .get("families")
        .and_then(|f| f.as_array())
        .map(|f| {
            f.iter()
                .filter(|f| {
                    f.get("name")
                        .and_then(|n| n.as_str())
                        .is_some_and(|n| n.starts_with("hivemind_network_") || n.contains("_tcp_"))
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    serde_json::json!({ "families": families })
}

fn cpu_request(target: ProfileTarget, window: Duration) -> FileCall {
    FileCall::Profile(ProfileRequest {
        kind: Kind::Cpu,
        target,
        duration_ms: u64::try_from(window.as_millis()).unwrap_or(u64::MAX),
        frequency: 99,
        coarse: false,
    })
}

async fn collect(source: Source, name: String, url: String, plan: Plan) -> Part {
    let mut part = Part {
        agent: name,
        url,
        ..Part::default()
    };
    let info = source.call(Call::Info).await;
    if let (Source::Remote(_), Err(e)) = (&source, &info) {
        part.error = Some(e.to_string());
        return part;
    }
    part.json("info.json", info);
    let since = humantime::format_duration(plan.since)
        .to_string()
        .replace(' ', "");
    // The agent's own profile runs while the other calls are answered.
    let agent_profile = plan.profile.map(|w| {
        let source = source.clone();
        tokio::spawn(async move { source.file(cpu_request(ProfileTarget::Daemon, w)).await })
    });
    let (config, health, checks, alerts, metrics, logs) = tokio::join!(
        source.call(Call::ExportConfig),
        source.call(Call::Health(Thresholds::default())),
        source.call(Call::ListChecks),
        source.call(Call::Alerts(AlertQuery {
            states: vec![AlertState::Firing, AlertState::Pending],
        })),
        source.call(Call::Metrics),
        source.call(Call::Logs(LogQuery {
            since: Some(since),
            limit: Some(MAX_LOG_RECORDS),
            ..LogQuery::default()
        })),
    );
    match config.and_then(|c| {
        yaml_serde::to_string(&c).map_err(|e| Error::caused("writing the configuration", e))
    }) {
        Ok(text) => part.files.push(("config.yaml".into(), text.into_bytes())),
        Err(e) => part.missing.push(("config.yaml".into(), e.to_string())),
    }
    part.json("health.json", health);
    part.json("checks.json", checks);
    part.json("alerts.json", alerts);
    let metrics = part.json("metrics.json", metrics);
    if let Some(m) = &metrics {
        part.json("connections.json", Ok(connections(m)));
    }
    part.json("logs.json", logs);
    if let Some(job) = agent_profile {
        match job.await {
            Ok(Ok(bytes)) => part.files.push(("agent-cpu.prof".into(), bytes)),
            Ok(Err(e)) => part.missing.push(("agent-cpu.prof".into(), e.to_string())),
            Err(e) => part.missing.push(("agent-cpu.prof".into(), e.to_string())),
        }
    }
    if let Some(window) = plan.profile {
        let name = "busiest-container-cpu.prof";
        match metrics.as_ref().and_then(busiest_container) {
            Some(id) => match source
                .file(cpu_request(ProfileTarget::Container(id.clone()), window))
                .await
            {
                Ok(bytes) => part.files.push((name.into(), bytes)),
                Err(e) => part
                    .missing
                    .push((name.into(), format!("container {id}: {e}"))),
            },
            None => part
                .missing
                .push((name.into(), "no container CPU usage in the metrics".into())),
        }
    }
    part
}

/// `index.json`: every agent, what it gave, what it did not and why.
#[derive(Debug, Serialize)]
pub struct BundleIndex {
    pub created_at: String,
    /// The CLI that made the bundle.
    pub version: String,
    pub since: String,
    pub max_size_bytes: u64,
    pub agents: Vec<AgentEntry>,
}

#[derive(Debug, Serialize)]
pub struct AgentEntry {
    pub agent: String,
    pub url: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Paths inside the archive with their sizes.
    pub files: Vec<FileEntry>,
    /// What is not in the archive, and why.
    pub missing: Vec<MissingEntry>,
}

#[derive(Debug, Serialize)]
pub struct FileEntry {
    pub path: String,
    pub size_bytes: u64,
}

#[derive(Debug, Serialize)]
pub struct MissingEntry {
    pub file: String,
    pub reason: String,
}

/// The summary on stdout.
#[derive(Debug, Serialize)]
pub struct BundleReport {
    pub output: String,
    pub size_bytes: u64,
    #[serde(flatten)]
    pub index: BundleIndex,
}

impl Report for BundleReport {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&["AGENT", "STATUS", "FILES", "MISSING"]);
        for a in &self.index.agents {
            t.add_row(vec![
                a.agent.clone(),
                match &a.error {
                    Some(e) => format!("failed: {e}"),
                    None => "ok".into(),
                },
                a.files.len().to_string(),
                a.missing
                    .iter()
                    .map(|m| m.file.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ]);
        }
        format!(
            "bundle {} ({})\n{t}\n",
            self.output,
            crate::model::units::bytes(self.size_bytes)
        )
    }
}

const README: &str = "\
hivemind incident bundle
========================

Made by `hivemind bundle`; nothing in it was uploaded anywhere. index.json lists every
agent asked, the files it gave and what is missing with the reason (an agent that could
not be reached is listed with its error).

Per agent, in a folder named after it:

  info.json                   the agent's version, API version and mode
  config.yaml                 its configuration as `hivemind config export` writes it; every
                              secret is <secret>
  health.json                 `hivemind health status`: CPU, memory, disks, checks
  checks.json                 the health checks configured
  alerts.json                 firing and pending alerts
  metrics.json                every series of the agent's last collection
  connections.json            the TCP connection table's series (hivemind_network_*)
  logs.json                   the agent's own log since the bundle's --since
  agent-cpu.prof              a CPU profile of the agent (go tool pprof FILE)
  busiest-container-cpu.prof  a CPU profile of the container using the most CPU

Text files went through the CLI's redaction of the secrets it knows (agent tokens) on top
of the agents' own redaction.
";

/// Add one file to the archive.
fn append(
    tar: &mut tar::Builder<flate2::write::GzEncoder<Vec<u8>>>,
    path: &str,
    bytes: &[u8],
    mtime: u64,
) -> Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, path, bytes)
        .map_err(|e| Error::io(format!("writing {path} into the bundle"), e))
}

/// Text files are redacted once more here; profiles are binary and carry no secrets.
fn redacted(name: &str, bytes: Vec<u8>) -> Vec<u8> {
    if name.ends_with(".prof") {
        return bytes;
    }
    match String::from_utf8(bytes) {
        Ok(text) => crate::redact::redacted(text).into_bytes(),
        Err(e) => e.into_bytes(),
    }
}

pub fn run(ctx: &Ctx, args: BundleArgs) -> Result<ExitStatus> {
    let started = SystemTime::now();
    let stamp = humantime::format_rfc3339_seconds(started)
        .to_string()
        .replace(':', "");
    let output = args
        .output
        .unwrap_or_else(|| PathBuf::from(format!("hivemind-bundle-{stamp}.tar.gz")));
    if output.as_os_str() == "-" || output.is_dir() {
        return Err(Error::invalid(
            "--output",
            &output.display().to_string(),
            "a file name for the archive",
        ));
    }
    if !args.force && output.symlink_metadata().is_ok() {
        return Err(Error::Conflict(format!(
            "{} exists; pass --force to replace it",
            output.display()
        )));
    }
    let plan = Plan {
        since: args.since.as_std(),
        profile: (!args.no_profiles).then(|| args.profile_duration.as_std()),
    };
    // Two profiles one after the other, and the calls, within each agent's deadline.
    let mut wide = ctx.clone();
    wide.place.timeout += plan.profile.unwrap_or_default() * 2 + SLACK;
    let target = wide.place.target(&ctx.msg)?;
    let temp = TempFile::beside(&output).map_err(|e| e.context("--output"))?;
    let stop = crate::signals::Stop::install()?;

    let sources: Vec<(Source, String, String)> = match target {
        Target::Embedded(svc) => vec![(
            Source::Local(Arc::from(svc)),
            crate::metrics::system::hostname(),
            String::new(),
        )],
        Target::One(c) => {
            let (n, u) = (c.name.clone(), c.url.clone());
            vec![(Source::Remote(c), n, u)]
        }
        Target::Many(cs) => cs
            .into_iter()
            .map(|c| {
                let (n, u) = (c.name.clone(), c.url.clone());
                (Source::Remote(c), n, u)
            })
            .collect(),
    };
    if ctx.progress() {
        ctx.msg.status(&format!(
            "collecting from {} agent(s){}",
            sources.len(),
            plan.profile
                .map(|p| format!(", with {}s CPU profiles", p.as_secs()))
                .unwrap_or_default()
        ));
    }
    let deadline = wide.place.timeout;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let parts: Vec<Part> = runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        let limit = Arc::new(tokio::sync::Semaphore::new(fanout::DEFAULT_MAX_CONCURRENCY));
        for (index, (source, name, url)) in sources.into_iter().enumerate() {
            let limit = Arc::clone(&limit);
            set.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let fallback = (name.clone(), url.clone());
                let part =
                    match tokio::time::timeout(deadline, collect(source, name, url, plan)).await {
                        Ok(p) => p,
                        Err(_) => Part {
                            agent: fallback.0,
                            url: fallback.1,
                            error: Some(format!(
                                "no complete answer within {}",
                                humantime::format_duration(deadline)
                            )),
                            ..Part::default()
                        },
                    };
                (index, part)
            });
        }
        let mut out: Vec<(usize, Part)> = Vec::new();
        loop {
            tokio::select! {
                joined = set.join_next() => match joined {
                    Some(Ok(p)) => out.push(p),
                    Some(Err(_)) => {}
                    None => break,
                },
                _ = tokio::time::sleep(Duration::from_millis(100)) => {
                    if stop.fired().is_some() {
                        set.abort_all();
                        break;
                    }
                }
            }
        }
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, p)| p).collect()
    });
    drop(runtime);
    if let Some(signal) = stop.fired() {
        drop(temp);
        return Err(crate::signals::Stop::error(
            signal,
            format!("nothing written to {}", output.display()),
        ));
    }

    // The archive: index and README first in the listing, then each agent's folder; a file
    // that would take the archive past --max-size is left out and listed as missing.
    let cap = args.max_size * 1024 * 1024;
    let mtime = started
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut used: u64 = 0;
    let mut agents = Vec::new();
    let mut staged: Vec<(String, Vec<u8>)> = Vec::new();
    let mut folders = std::collections::HashSet::new();
    for part in parts {
        let mut folder = part.agent.replace(['/', '\\'], "-");
        if folder.is_empty() || folder.starts_with('.') || !folders.insert(folder.clone()) {
            folder = format!("agent-{}-{folder}", agents.len());
            folders.insert(folder.clone());
        }
        let mut entry = AgentEntry {
            agent: part.agent,
            // `user:password@` in an agent's URL is not for the archive either.
            url: crate::redact::redacted(part.url),
            ok: part.error.is_none(),
            error: part.error.map(crate::redact::redacted),
            files: Vec::new(),
            missing: part
                .missing
                .into_iter()
                .map(|(file, reason)| MissingEntry {
                    file,
                    reason: crate::redact::redacted(reason),
                })
                .collect(),
        };
        for (name, bytes) in part.files {
            let bytes = redacted(&name, bytes);
            // tar adds a 512-byte header and pads to 512 bytes; gzip only shrinks text.
            let cost = 512 + (bytes.len() as u64).div_ceil(512) * 512;
            if used + cost > cap {
                entry.missing.push(MissingEntry {
                    file: name,
                    reason: format!(
                        "{} would take the bundle past --max-size {} MiB",
                        crate::model::units::bytes(bytes.len() as u64),
                        args.max_size
                    ),
                });
                continue;
            }
            used += cost;
            let path = format!("{folder}/{name}");
            entry.files.push(FileEntry {
                path: path.clone(),
                size_bytes: bytes.len() as u64,
            });
            staged.push((path, bytes));
        }
        agents.push(entry);
    }
    let index = BundleIndex {
        created_at: humantime::format_rfc3339_seconds(started).to_string(),
        version: env!("CARGO_PKG_VERSION").into(),
        since: args.since.to_string(),
        max_size_bytes: cap,
        agents,
    };
    let index_json =
        serde_json::to_vec_pretty(&index).map_err(|e| Error::caused("encoding the index", e))?;
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    append(&mut tar, "index.json", &index_json, mtime)?;
    append(&mut tar, "README.txt", README.as_bytes(), mtime)?;
    for (path, bytes) in &staged {
        append(&mut tar, path, bytes, mtime)?;
    }
    let archive = tar
        .into_inner()
        .and_then(|gz| gz.finish())
        .map_err(|e| Error::io("finishing the bundle", e))?;
    let mut temp = temp;
    temp.write_all(&archive)?;
    temp.persist(&output, args.force)?;
    let size = std::fs::metadata(&output).map_or(0, |m| m.len());
    let failed = index.agents.iter().filter(|a| !a.ok).count();
    let total = index.agents.len();
    for a in index.agents.iter().filter(|a| !a.ok) {
        ctx.msg.warn(&format!(
            "agent {}: {}",
            a.agent,
            a.error.as_deref().unwrap_or("")
        ));
    }
    ctx.msg.status(&format!(
        "bundle of {} agent(s) written to {} ({})",
        total - failed,
        output.display(),
        crate::model::units::bytes(size)
    ));
    ctx.out.emit(&BundleReport {
        output: output.display().to_string(),
        size_bytes: size,
        index,
    })?;
    Ok(match failed {
        0 => ExitStatus::Success,
        n if n == total => ExitStatus::Failure,
        _ => ExitStatus::Partial,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_container_is_the_one_with_the_most_cpu() {
        let m = serde_json::json!({"families": [
            {"name": "hivemind_container_cpu_usage", "samples": [
                {"labels": {"container": "aaa"}, "value": 3.0},
                {"labels": {"container": "bbb"}, "value": 97.5},
                {"labels": {"container": "ccc"}, "value": "NaN"}
            ]},
            {"name": "hivemind_network_connections", "samples": []},
            {"name": "hivemind_node_cpu_usage", "samples": []}
        ]});
        assert_eq!(busiest_container(&m).as_deref(), Some("bbb"));
        assert_eq!(busiest_container(&serde_json::json!({})), None);
        let c = connections(&m);
        assert_eq!(c["families"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn profiles_are_kept_as_they_are_and_text_is_redacted() {
        crate::redact::register("bundle-secret-value-1");
        let text = redacted("logs.json", b"token bundle-secret-value-1 here".to_vec());
        assert_eq!(text, b"token <secret> here");
        let bin = vec![0x1f, 0x8b, 0xff, 0x00];
        assert_eq!(redacted("agent-cpu.prof", bin.clone()), bin);
    }
}
