//! `hivemind profile cpu|memory|network`: resolve the flags into a [`ProfileRequest`], take
//! the profile here or on the agents (the answer is the pprof file itself), show a progress
//! bar with the time left, write the file atomically, and print a summary of the top entries.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Ctx, Many};
use crate::cli::profile::{
    FileArgs, GetArgs, MergeArgs, ProfileCommand, ProfileFormat, TargetArgs,
};
use crate::error::{Error, ExitStatus, Result};
use crate::model::profile::{Kind, ProfileRequest};
use crate::profile::Cancel;
use crate::profile::pprof::{self, TopEntry};
use crate::render::{Report, Style};
use crate::store::fs::TempFile;
use crate::target::call::{Call, FileCall};
use crate::target::fanout;
use crate::target::{Outcome, Target, service};

/// Rows in the summary table.
const TOP: usize = 10;
/// Time allowed beyond the profile's duration for symbolising and transfer.
const SLACK: Duration = Duration::from_secs(60);

/// The command line, resolved.
#[derive(Debug)]
struct Settings {
    request: ProfileRequest,
    output: Output,
    format: ProfileFormat,
    force: bool,
    /// `--merge`: one profile, samples labelled with their agent.
    merge: bool,
    /// `--keep-parts DIR`.
    keep_parts: Option<PathBuf>,
    /// `--diff-base FILE`.
    diff_base: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Output {
    Stdout,
    File(PathBuf),
}

impl Settings {
    fn resolve(cmd: ProfileCommand) -> Result<Settings> {
        let (kind, target, url, duration, frequency, coarse, file) = match cmd {
            ProfileCommand::Cpu(a) => (
                Kind::Cpu,
                a.target,
                None,
                a.duration.as_std(),
                a.frequency,
                a.coarse,
                a.file,
            ),
            ProfileCommand::Memory(a) => (
                Kind::Memory,
                a.target,
                a.url,
                Duration::ZERO,
                0,
                false,
                a.file,
            ),
            ProfileCommand::Network(a) => (
                Kind::Network,
                a.target,
                None,
                a.duration.as_std(),
                0,
                false,
                a.file,
            ),
            ProfileCommand::List(_) | ProfileCommand::Get(_) | ProfileCommand::Merge(_) => {
                return Err(Error::Other("not a command that takes a profile".into()));
            }
        };
        let request = ProfileRequest {
            kind,
            target: target_of(target, url)?,
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            frequency,
            coarse,
        };
        request.validate()?;
        // `-o` (the summary's format) reaches this command as the global format.
        let FileArgs {
            output,
            format,
            force,
            summary: _,
            merge,
            keep_parts,
            diff_base,
        } = file;
        if diff_base.is_some() && format == ProfileFormat::Flamegraph {
            return Err(Error::Usage(
                "--diff-base writes a pprof profile (what shrank is negative, which a flame graph cannot show); drop --format flamegraph".into(),
            ));
        }
        let output = output_of(output, || {
            PathBuf::from(format!(
                "{}.{}",
                kind.as_str(),
                match format {
                    ProfileFormat::Pprof => "prof",
                    ProfileFormat::Flamegraph => "svg",
                }
            ))
        })?;
        Ok(Settings {
            request,
            output,
            format,
            force,
            merge,
            keep_parts,
            diff_base,
        })
    }
}

/// `--output FILE` ('-' for stdout), or the default.
fn output_of(output: Option<PathBuf>, default: impl FnOnce() -> PathBuf) -> Result<Output> {
    let output = match output {
        Some(p) if p.as_os_str() == "-" => Output::Stdout,
        // Elsewhere `--output json` picks a format; here it would quietly create a file
        // named `json`.
        Some(p) if matches!(p.to_str(), Some("json" | "yaml" | "table")) => {
            return Err(Error::invalid(
                "--output",
                &p.display().to_string(),
                "a file to write the profile to (write ./json for a file of that name; -o json picks the summary's format)",
            ));
        }
        Some(p) if p.as_os_str().is_empty() => {
            return Err(Error::invalid(
                "--output",
                "",
                "a file name, or '-' for stdout",
            ));
        }
        Some(p) => Output::File(p),
        None => Output::File(default()),
    };
    Ok(output)
}

fn target_of(t: TargetArgs, url: Option<String>) -> Result<crate::model::profile::Target> {
    use crate::model::profile::Target as T;
    Ok(match (t.pids.is_empty(), t.container, t.daemon, url) {
        (false, None, false, None) => T::Pids(t.pids),
        (true, Some(c), false, None) => T::Container(c),
        (true, None, true, None) => T::Daemon,
        (true, None, false, Some(u)) => T::Url(u),
        _ => {
            return Err(Error::Usage(
                "give exactly one of --pid, --container, --daemon or --url".into(),
            ));
        }
    })
}

/// Where one profile will be written, prepared before profiling so that a bad `--output`
/// fails at once rather than after the whole window.
struct Sink {
    output: Output,
    temp: Option<TempFile>,
    force: bool,
}

impl Sink {
    fn prepare(output: Output, force: bool) -> Result<Sink> {
        let temp = match &output {
            Output::Stdout => None,
            Output::File(path) => {
                if path.is_dir() {
                    return Err(Error::invalid(
                        "--output",
                        &path.display().to_string(),
                        "a file, not a directory",
                    ));
                }
                if !force && path.symlink_metadata().is_ok() {
                    return Err(Error::Conflict(format!(
                        "{} exists; pass --force to replace it",
                        path.display()
                    )));
                }
                Some(TempFile::beside(path).map_err(|e| e.context("--output"))?)
            }
        };
        Ok(Sink {
            output,
            temp,
            force,
        })
    }

    fn name(&self) -> String {
        match &self.output {
            Output::Stdout => "-".into(),
            Output::File(p) => p.display().to_string(),
        }
    }

    /// Write `bytes` and move them into place.
    fn finish(mut self, bytes: &[u8]) -> Result<()> {
        match (&self.output, self.temp.take()) {
            (Output::File(path), Some(mut temp)) => {
                temp.write_all(bytes)?;
                temp.persist(path, self.force)
            }
            _ => crate::render::write_stdout(bytes),
        }
    }
}

/// `agent`-qualified file name for several agents: `cpu.prof` → `cpu.node1.prof`.
fn per_agent(path: &Path, agent: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}.{agent}.{}", ext.to_string_lossy()),
        None => format!("{stem}.{agent}"),
    };
    path.with_file_name(name)
}

/// The summary printed after a profile is written.
#[derive(Debug, Serialize)]
pub struct ProfileReport {
    pub kind: String,
    /// The file written (`-` for stdout).
    pub output: String,
    /// `pprof` or `flamegraph`.
    pub format: String,
    /// Size of what was written, in bytes.
    pub size_bytes: u64,
    pub duration_seconds: f64,
    /// `type/unit` of each value, e.g. `cpu/nanoseconds`.
    pub sample_types: Vec<String>,
    /// The sample type the table is sorted by.
    pub sorted_by: String,
    /// Sum of all samples, one per sample type.
    pub totals: Vec<i64>,
    /// The largest leaf entries by `sorted_by`.
    pub top: Vec<TopEntry>,
    /// What the profile says about itself (fallbacks, lost samples, how it was taken).
    pub notes: Vec<String>,
}

fn fmt_value(v: i64, unit: &str) -> String {
    if v == 0 {
        return "0".into();
    }
    match unit {
        "bytes" => crate::model::units::bytes(u64::try_from(v).unwrap_or(0)),
        "nanoseconds" => {
            let d = Duration::from_nanos(u64::try_from(v).unwrap_or(0));
            if d >= Duration::from_secs(1) {
                format!("{:.2}s", d.as_secs_f64())
            } else {
                format!("{:.1}ms", d.as_secs_f64() * 1000.0)
            }
        }
        _ => v.to_string(),
    }
}

impl Report for ProfileReport {
    fn human(&self, style: &Style) -> String {
        let units: Vec<&str> = self
            .sample_types
            .iter()
            .map(|t| t.split_once('/').map_or("", |(_, u)| u))
            .collect();
        let index = self
            .sample_types
            .iter()
            .position(|t| *t == self.sorted_by)
            .unwrap_or(0);
        let total = self.totals.get(index).copied().unwrap_or(0);
        let pct = |v: i64| {
            if total > 0 {
                format!("{:.1}%", v as f64 * 100.0 / total as f64)
            } else {
                "-".into()
            }
        };
        let mut headers = vec![
            "FLAT".to_string(),
            "FLAT%".into(),
            "CUM".into(),
            "CUM%".into(),
        ];
        let others: Vec<usize> = (0..self.sample_types.len())
            .filter(|i| *i != index)
            .collect();
        headers.extend(others.iter().map(|i| self.sample_types[*i].to_uppercase()));
        headers.push("NAME".into());
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut t = style.table(&header_refs);
        for e in &self.top {
            let flat = e.flat.get(index).copied().unwrap_or(0);
            let cum = e.cum.get(index).copied().unwrap_or(0);
            let mut row = vec![
                fmt_value(flat, units[index]),
                pct(flat),
                fmt_value(cum, units[index]),
                pct(cum),
            ];
            row.extend(
                others
                    .iter()
                    .map(|i| fmt_value(e.flat.get(*i).copied().unwrap_or(0), units[*i])),
            );
            row.push(e.name.clone());
            t.add_row(row);
        }
        let mut out = format!(
            "{} profile {} ({}, {}, {} total {})\n",
            self.kind,
            self.output,
            self.format,
            crate::model::units::bytes(self.size_bytes),
            fmt_value(total, units.get(index).copied().unwrap_or("")),
            self.sorted_by
        );
        if self.top.is_empty() {
            out.push_str("no samples\n");
        } else {
            out.push_str(&t.to_string());
            out.push('\n');
        }
        out
    }
}

/// Turn the pprof bytes into what `--format` asks for.
fn render_format(
    bytes: Vec<u8>,
    decoded: &pprof::Decoded,
    format: ProfileFormat,
    kind: Kind,
) -> Result<Vec<u8>> {
    match format {
        ProfileFormat::Pprof => Ok(bytes),
        ProfileFormat::Flamegraph => crate::profile::flamegraph::svg(decoded, kind.as_str()),
    }
}

fn summarise(
    kind: &str,
    sink_name: String,
    format: ProfileFormat,
    size: usize,
    decoded: &pprof::Decoded,
) -> ProfileReport {
    let types = decoded.sample_types();
    let index = decoded.default_index();
    ProfileReport {
        kind: kind.into(),
        output: sink_name,
        format: match format {
            ProfileFormat::Pprof => "pprof",
            ProfileFormat::Flamegraph => "flamegraph",
        }
        .into(),
        size_bytes: size as u64,
        duration_seconds: decoded.duration().as_secs_f64(),
        sorted_by: types
            .get(index)
            .map(|(t, u)| format!("{t}/{u}"))
            .unwrap_or_default(),
        sample_types: types.iter().map(|(t, u)| format!("{t}/{u}")).collect(),
        totals: decoded.totals(),
        top: decoded.top(index, TOP),
        notes: decoded.comments(),
    }
}

/// A time-left bar on a terminal, while the profile runs.
fn progress_bar(ctx: &Ctx, settings: &Settings) -> Option<indicatif::ProgressBar> {
    let d = settings.request.duration();
    if d.is_zero() || !ctx.progress() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} profiling {prefix} [{bar:30}] {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(settings.request.kind.as_str());
    bar.enable_steady_tick(Duration::from_millis(100));
    Some(bar)
}

/// One profile's result: the agent it came from (none for this machine) and the bytes.
type Taken = Vec<(Option<(String, String)>, Result<Vec<u8>>)>;

pub fn run(ctx: &Ctx, cmd: ProfileCommand) -> Result<ExitStatus> {
    let cmd = match cmd {
        ProfileCommand::List(_) => {
            return ctx.run::<CaptureList>(Call::CapturedProfiles, super::ok, super::silent);
        }
        ProfileCommand::Get(a) => return get(ctx, a),
        ProfileCommand::Merge(a) => return merge_files(ctx, a),
        c => c,
    };
    let settings = Settings::resolve(cmd)?;
    let duration = settings.request.duration();
    // Agents need the whole window plus the usual timeout to answer.
    let mut wide = ctx.clone();
    wide.place.timeout += duration + SLACK;
    let target = wide.place.target(&ctx.msg)?;
    let base = settings.diff_base.as_deref().map(load_base).transpose()?;
    let mut sinks: Vec<Sink> = Vec::new();
    match &target {
        Target::Many(clients) if !settings.merge => {
            let Output::File(base) = &settings.output else {
                return Err(Error::Usage(
                    "--output - takes one profile; with several agents give a file name \
                     (each agent's name is added to it)"
                        .into(),
                ));
            };
            for c in clients {
                sinks.push(Sink::prepare(
                    Output::File(per_agent(base, &c.name)),
                    settings.force,
                )?);
            }
        }
        _ => {
            if settings.output == Output::Stdout
                && settings.format == ProfileFormat::Pprof
                && ctx.term.stdout_tty
            {
                return Err(Error::Usage(
                    "refusing to write a binary profile to a terminal: redirect stdout or give --output FILE"
                        .into(),
                ));
            }
            sinks.push(Sink::prepare(settings.output.clone(), settings.force)?);
        }
    }
    // `--keep-parts DIR`: a file per agent beside the merged one, prepared now as well.
    if let Some(dir) = &settings.keep_parts {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("--keep-parts {}", dir.display()), e))?;
        for name in node_names(&target) {
            sinks.push(Sink::prepare(
                Output::File(dir.join(format!("{name}.prof"))),
                settings.force,
            )?);
        }
    }
    // INT, TERM and HUP set a flag instead of killing us, so the temp files go first.
    let stop = crate::signals::Stop::install()?;
    let cancel = Cancel::new();
    let (tx, rx) = mpsc::channel::<Taken>();
    let call = FileCall::Profile(settings.request.clone());
    let worker_cancel = cancel.clone();
    let deadline = wide.place.timeout;
    // Agents that have answered (or failed), and how many were asked: the bar says so.
    let answered = Arc::new(AtomicUsize::new(0));
    let asked = match &target {
        Target::Many(clients) => clients.len(),
        _ => 1,
    };
    match target {
        Target::Embedded(svc) => {
            std::thread::spawn(move || {
                let r = service::execute_file(&svc, call, &worker_cancel).map(|a| a.bytes);
                let _ = tx.send(vec![(None, r)]);
            });
        }
        Target::One(client) => spawn_remote(vec![client], call, deadline, tx, &answered),
        Target::Many(clients) => spawn_remote(clients, call, deadline, tx, &answered),
    }

    let bar = progress_bar(ctx, &settings);
    let started = Instant::now();
    let taken = loop {
        if let Some(signal) = stop.fired() {
            cancel.cancel();
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            let names: Vec<String> = sinks.iter().map(Sink::name).collect();
            // Dropping the sinks removes their temp files.
            drop(sinks);
            return Err(crate::signals::Stop::error(
                signal,
                format!("nothing written to {}", names.join(", ")),
            ));
        }
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(t) => break t,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Some(b) = &bar {
                    let done = started.elapsed().min(duration);
                    b.set_position(u64::try_from(done.as_millis()).unwrap_or(0));
                    let agents = if asked > 1 {
                        format!(
                            ", {}/{asked} agents answered",
                            answered.load(Ordering::Relaxed)
                        )
                    } else {
                        String::new()
                    };
                    b.set_message(if done < duration {
                        format!("{}s left{agents}", (duration - done).as_secs() + 1)
                    } else {
                        format!("finishing{agents}")
                    });
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::Other("the profiler stopped unexpectedly".into()));
            }
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if settings.merge {
        let mut sinks = sinks.into_iter();
        let Some(merged) = sinks.next() else {
            return Err(Error::Other("no output prepared".into()));
        };
        return finish_merged(
            ctx,
            &settings,
            merged,
            sinks.collect(),
            taken,
            base.as_ref(),
        );
    }
    finish(ctx, &settings, sinks, taken, base.as_ref())
}

/// The names `--merge` labels samples with: the agents' names, or this machine's host name.
fn node_names(target: &Target) -> Vec<String> {
    match target {
        Target::Many(clients) => clients.iter().map(|c| c.name.clone()).collect(),
        Target::One(client) => vec![client.name.clone()],
        Target::Embedded(_) => vec![crate::metrics::system::hostname()],
    }
}

/// A profile file given on the command line, read (bounded) and decoded; `what` prefixes
/// the error (bad input: exit 2).
fn read_profile(path: &Path, what: &str) -> Result<pprof::Decoded> {
    use std::io::Read;
    let fail = |e: &dyn std::fmt::Display| Error::Usage(format!("{what}{}: {e}", path.display()));
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(pprof::MAX_DECODED + 1).read_to_end(&mut bytes))
        .map_err(|e| fail(&e))?;
    pprof::decode(&bytes).map_err(|e| fail(&e))
}

/// `--diff-base FILE`, read and decoded before anything is profiled.
fn load_base(path: &Path) -> Result<(String, pprof::Decoded)> {
    Ok((
        path.display().to_string(),
        read_profile(path, "--diff-base ")?,
    ))
}

/// `profile`, or its difference against the baseline.
fn with_base(
    profile: pprof::Decoded,
    base: Option<&(String, pprof::Decoded)>,
) -> Result<pprof::Decoded> {
    match base {
        Some((name, b)) => crate::profile::merge::diff_decoded(&profile, b, name),
        None => Ok(profile),
    }
}

/// `bytes`, or their difference against the baseline.
fn apply_base(bytes: Vec<u8>, base: Option<&(String, pprof::Decoded)>) -> Result<Vec<u8>> {
    match base {
        Some(_) => with_base(pprof::decode(&bytes)?, base)?.encode(),
        None => Ok(bytes),
    }
}

fn spawn_remote(
    clients: Vec<crate::target::remote::AgentClient>,
    call: FileCall,
    deadline: Duration,
    tx: mpsc::Sender<Taken>,
    answered: &Arc<AtomicUsize>,
) {
    let answered = Arc::clone(answered);
    std::thread::spawn(move || {
        let results = fanout::run_all(&clients, fanout::Fanout::quiet(deadline), move |agent| {
            let call = call.clone();
            let answered = Arc::clone(&answered);
            async move {
                let r = agent.fetch(&call).await;
                answered.fetch_add(1, Ordering::Relaxed);
                r
            }
        });
        let taken = match results {
            Ok(rs) => rs
                .into_iter()
                .map(|r| {
                    let name = r.agent.clone();
                    (
                        Some((r.agent, r.url)),
                        r.result.map_err(|e| e.context(format!("agent {name}"))),
                    )
                })
                .collect(),
            Err(e) => vec![(None, Err(e))],
        };
        let _ = tx.send(taken);
    });
}

/// Write each profile and print the summaries.
fn finish(
    ctx: &Ctx,
    settings: &Settings,
    sinks: Vec<Sink>,
    taken: Taken,
    base: Option<&(String, pprof::Decoded)>,
) -> Result<ExitStatus> {
    let kind = settings.request.kind;
    let many = taken.len() > 1;
    let mut outcomes = Vec::new();
    let mut failed = 0;
    let mut single: Option<Result<ProfileReport>> = None;
    for (sink, (agent, result)) in sinks.into_iter().zip(taken) {
        let name = sink.name();
        let written = result.and_then(|bytes| {
            let bytes = apply_base(bytes, base)?;
            let decoded = pprof::decode(&bytes)?;
            let out = render_format(bytes, &decoded, settings.format, kind)?;
            sink.finish(&out)?;
            Ok(summarise(
                kind.as_str(),
                name.clone(),
                settings.format,
                out.len(),
                &decoded,
            ))
        });
        if let Ok(r) = &written
            && r.output != "-"
        {
            let prefix = agent
                .as_ref()
                .map(|(a, _)| format!("agent {a}: "))
                .unwrap_or_default();
            for n in &r.notes {
                if n.starts_with("coarse fallback")
                    || n.contains("lost")
                    || n.contains("excluded")
                    || n.contains("no perf map")
                    || n.contains("the perf map")
                {
                    ctx.msg.warn(&format!("{prefix}{n}"));
                } else {
                    ctx.msg.debug(&format!("{prefix}{n}"));
                }
            }
            let open_with = if settings.format == ProfileFormat::Pprof {
                format!(" (open it with `go tool pprof {}`)", r.output)
            } else {
                String::new()
            };
            ctx.msg.status(&format!(
                "{prefix}{} profile written to {}{open_with}",
                kind.as_str(),
                r.output
            ));
        }
        if !many {
            single = Some(written);
            continue;
        }
        let (agent, url) = agent.unwrap_or_default();
        match written {
            Ok(r) => outcomes.push(Outcome {
                agent,
                url,
                ok: true,
                result: Some(r),
                error: None,
                not_found: false,
            }),
            Err(e) => {
                failed += 1;
                outcomes.push(Outcome {
                    agent,
                    url,
                    ok: false,
                    result: None,
                    error: Some(e.to_string()),
                    not_found: false,
                });
            }
        }
    }
    if let Some(r) = single {
        let report = r?;
        if report.output != "-" {
            ctx.out.emit(&report)?;
        }
        return Ok(ExitStatus::Success);
    }
    let total = outcomes.len();
    ctx.out.emit(&Many { agents: &outcomes })?;
    Ok(match failed {
        0 => ExitStatus::Success,
        n if n == total => ExitStatus::Failure,
        _ => ExitStatus::Partial,
    })
}

/// One agent's part of a merged profile.
#[derive(Debug, Serialize)]
pub struct PartOutcome {
    pub agent: String,
    pub url: String,
    pub ok: bool,
    /// Samples it contributed.
    pub samples: usize,
    /// Where `--keep-parts` wrote its own profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The summary of `--merge`: the merged profile, and each agent's part.
#[derive(Debug, Serialize)]
pub struct MergedReport {
    #[serde(flatten)]
    pub profile: ProfileReport,
    pub agents: Vec<PartOutcome>,
}

impl Report for MergedReport {
    fn human(&self, style: &Style) -> String {
        let mut out = self.profile.human(style);
        let mut t = style.table(&["AGENT", "STATUS", "SAMPLES", "PART"]);
        for a in &self.agents {
            t.add_row(vec![
                a.agent.clone(),
                if a.ok {
                    "ok".to_string()
                } else {
                    format!("failed: {}", a.error.as_deref().unwrap_or(""))
                },
                a.samples.to_string(),
                a.part.clone().unwrap_or_else(|| "-".into()),
            ]);
        }
        out.push('\n');
        out.push_str(&t.to_string());
        out.push('\n');
        out
    }
}

/// `--merge`: write each part (`--keep-parts`), merge what answered with a `node` label,
/// subtract the baseline, and write the one profile.
fn finish_merged(
    ctx: &Ctx,
    settings: &Settings,
    sink: Sink,
    part_sinks: Vec<Sink>,
    taken: Taken,
    base: Option<&(String, pprof::Decoded)>,
) -> Result<ExitStatus> {
    let kind = settings.request.kind;
    let mut part_sinks = part_sinks.into_iter();
    // Each agent's profile is merged as it is read: one decoded profile in memory at a time.
    let mut merger = crate::profile::merge::NodeMerger::new();
    let mut merged_any = false;
    let mut agents = Vec::new();
    for (agent, result) in taken {
        let part_sink = part_sinks.next();
        let part_name = part_sink.as_ref().map(Sink::name);
        let (name, url) =
            agent.unwrap_or_else(|| (crate::metrics::system::hostname(), String::new()));
        let read = result.and_then(|bytes| {
            let decoded = pprof::decode(&bytes)?;
            merger.add(&name, &decoded)?;
            if let Some(p) = part_sink {
                p.finish(&bytes)?;
            }
            Ok(decoded.sample_count())
        });
        match read {
            Ok(samples) => {
                merged_any = true;
                agents.push(PartOutcome {
                    agent: name,
                    url,
                    ok: true,
                    samples,
                    part: part_name,
                    error: None,
                });
            }
            Err(e) => {
                ctx.msg
                    .warn(&format!("{e}; left out of the merged profile"));
                agents.push(PartOutcome {
                    agent: name,
                    url,
                    ok: false,
                    samples: 0,
                    part: None,
                    error: Some(e.to_string()),
                });
            }
        }
    }
    let failed = agents.iter().filter(|a| !a.ok).count();
    if !merged_any {
        let errors: Vec<String> = agents.iter().filter_map(|a| a.error.clone()).collect();
        return Err(Error::Remote(format!(
            "no agent returned a profile, nothing written to {}: {}",
            sink.name(),
            errors.join("; ")
        )));
    }
    let decoded = with_base(merger.finish_decoded()?, base)?;
    let bytes = decoded.encode()?;
    let name = sink.name();
    let out = render_format(bytes, &decoded, settings.format, kind)?;
    sink.finish(&out)?;
    let profile = summarise(
        kind.as_str(),
        name.clone(),
        settings.format,
        out.len(),
        &decoded,
    );
    if name != "-" {
        let open_with = if settings.format == ProfileFormat::Pprof {
            format!(" (open it with `go tool pprof -tagshow node {name}`)")
        } else {
            String::new()
        };
        ctx.msg.status(&format!(
            "{} profiles of {} agent(s) merged into {name}{open_with}",
            kind.as_str(),
            agents.len() - failed
        ));
        ctx.out.emit(&MergedReport { profile, agents })?;
    }
    Ok(if failed == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Partial
    })
}

/// `profile list`.
#[derive(Debug, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct CaptureList(pub crate::model::profile::CapturedProfiles);

impl Report for CaptureList {
    fn human(&self, style: &Style) -> String {
        if self.0.profiles.is_empty() {
            return "no captured profiles (rules capture them with --capture-profile)\n".into();
        }
        let mut t = style.table(&["ID", "RULE", "KIND", "TARGET", "TAKEN", "SIZE"]);
        for p in &self.0.profiles {
            t.add_row(vec![
                p.id.clone(),
                p.rule.clone(),
                p.kind.as_str().to_string(),
                p.target.clone(),
                p.taken_at.clone(),
                match &p.error {
                    Some(e) => format!("failed: {e}"),
                    None => crate::model::units::bytes(p.size_bytes),
                },
            ]);
        }
        format!("{t}\n")
    }
}

/// Refuse a binary profile on a terminal.
fn refuse_tty(ctx: &Ctx, output: &Output) -> Result<()> {
    if *output == Output::Stdout && ctx.term.stdout_tty {
        return Err(Error::Usage(
            "refusing to write a binary profile to a terminal: redirect stdout or give --output FILE"
                .into(),
        ));
    }
    Ok(())
}

/// Write `bytes` (a pprof profile) to `sink` and print its summary.
fn write_and_report(ctx: &Ctx, what: &str, kind: &str, sink: Sink, bytes: Vec<u8>) -> Result<()> {
    let decoded = pprof::decode(&bytes)?;
    write_decoded(ctx, what, kind, sink, bytes, &decoded)
}

/// [`write_and_report`] for a profile already in memory (`decoded` is what `bytes` holds).
fn write_decoded(
    ctx: &Ctx,
    what: &str,
    kind: &str,
    sink: Sink,
    bytes: Vec<u8>,
    decoded: &pprof::Decoded,
) -> Result<()> {
    let name = sink.name();
    sink.finish(&bytes)?;
    let report = summarise(
        kind,
        name.clone(),
        ProfileFormat::Pprof,
        bytes.len(),
        decoded,
    );
    if name != "-" {
        ctx.msg.status(&format!(
            "{what} written to {name} (open it with `go tool pprof {name}`)"
        ));
        ctx.out.emit(&report)?;
    }
    Ok(())
}

/// `profile get ID`: a profile the agent captured when an alert fired.
fn get(ctx: &Ctx, args: GetArgs) -> Result<ExitStatus> {
    let id = args.id;
    let output = output_of(args.output, || PathBuf::from(format!("{id}.prof")))?;
    refuse_tty(ctx, &output)?;
    let target = ctx.place.target(&ctx.msg)?;
    let sink = Sink::prepare(output, args.force)?;
    let call = FileCall::CapturedProfile(id.clone());
    let bytes = match target {
        Target::Embedded(svc) => service::execute_file(&svc, call, &Cancel::new())?.bytes,
        Target::One(client) => {
            let name = client.name.clone();
            let mut results = fanout::run_all(
                &[client],
                fanout::Fanout::quiet(ctx.place.timeout),
                move |agent| {
                    let call = call.clone();
                    async move { agent.fetch(&call).await }
                },
            )?;
            match results.pop() {
                Some(r) => r.result.map_err(|e| e.context(format!("agent {name}")))?,
                None => return Err(Error::Other("no answer".into())),
            }
        }
        Target::Many(_) => {
            return Err(Error::Usage(
                "profile get reads one agent's capture: name the agent with --agent".into(),
            ));
        }
    };
    write_and_report(
        ctx,
        &format!("captured profile {id}"),
        "captured",
        sink,
        bytes,
    )?;
    Ok(ExitStatus::Success)
}

/// Files merged by `profile merge` at most.
const MAX_MERGE_FILES: usize = 4096;

/// The node label of a file: its name without `.prof`, `.pb.gz`, `.pb` or `.gz`.
fn node_of(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for suffix in [".prof", ".pb.gz", ".pprof", ".pb", ".gz"] {
        if let Some(stem) = name.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem.to_string();
        }
    }
    name
}

/// `profile merge FILE…`.
fn merge_files(ctx: &Ctx, args: MergeArgs) -> Result<ExitStatus> {
    if args.files.len() > MAX_MERGE_FILES {
        return Err(Error::invalid(
            "FILE",
            &args.files.len().to_string(),
            format!("1 to {MAX_MERGE_FILES} files"),
        ));
    }
    let output = output_of(args.output, || PathBuf::from("merged.prof"))?;
    refuse_tty(ctx, &output)?;
    let base = args.diff_base.as_deref().map(load_base).transpose()?;
    let mut seen: std::collections::HashMap<String, &Path> = std::collections::HashMap::new();
    for f in &args.files {
        let node = node_of(f);
        if let Some(other) = seen.insert(node.clone(), f) {
            return Err(Error::Usage(format!(
                "{} and {} would both be node {node}: give the files distinct names (a file's name is its node label)",
                other.display(),
                f.display()
            )));
        }
    }
    let sink = Sink::prepare(output, args.force)?;
    // One file at a time: only the merged result and the file being added are in memory.
    let mut merger = crate::profile::merge::NodeMerger::new();
    for f in &args.files {
        let decoded = read_profile(f, "")?;
        merger
            .add(&node_of(f), &decoded)
            .map_err(|e| Error::Usage(e.to_string()))?;
    }
    // Summarised from memory: decoding the written file again would hold a second copy.
    let merged = with_base(merger.finish_decoded()?, base.as_ref())?;
    let bytes = merged.encode()?;
    write_decoded(
        ctx,
        &format!("{} profiles merged", args.files.len()),
        "merged",
        sink,
        bytes,
        &merged,
    )?;
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_agent_names() {
        assert_eq!(
            per_agent(Path::new("out/cpu.prof"), "node1"),
            PathBuf::from("out/cpu.node1.prof")
        );
        assert_eq!(per_agent(Path::new("cpu"), "a"), PathBuf::from("cpu.a"));
    }

    #[test]
    fn node_labels_come_from_file_names() {
        assert_eq!(node_of(Path::new("parts/web-3.prof")), "web-3");
        assert_eq!(node_of(Path::new("db.pb.gz")), "db");
        assert_eq!(node_of(Path::new("x.cpu.prof")), "x.cpu");
        assert_eq!(node_of(Path::new(".prof")), ".prof");
        assert_eq!(node_of(Path::new("plain")), "plain");
    }

    #[test]
    fn values_are_shown_in_their_unit() {
        assert_eq!(fmt_value(2_500_000_000, "nanoseconds"), "2.50s");
        assert_eq!(fmt_value(10_100_000, "nanoseconds"), "10.1ms");
        assert_eq!(fmt_value(3 * 1024 * 1024, "bytes"), "3.0 MiB");
        assert_eq!(fmt_value(42, "count"), "42");
    }
}
