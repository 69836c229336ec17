//! Workload logs: container logs (Docker json-file, CRI), file globs and journald, read on
//! the node and shipped to Elasticsearch with nothing lost and nothing duplicated.
//!
//! The path of a line: [`tail`] (or [`journal`]) reads it and makes a record with a
//! deterministic `_id`; [`spool`] appends it to a capped on-disk buffer (fsync'd) and only
//! then is the read position checkpointed ([`checkpoint`], atomic); [`ship`] sends the buffer
//! to `_bulk` as `create` actions and deletes what Elasticsearch acknowledged. A crash at any
//! point reads or sends again records whose `_id` Elasticsearch already holds: they come back
//! as 409 conflicts, not duplicates. Reading runs on its own thread and never waits on the
//! network: when Elasticsearch is away the buffer fills, then drops its oldest (counted).

pub mod checkpoint;
pub mod glob;
pub mod journal;
pub mod parse;
pub mod ship;
pub mod spool;
pub mod tail;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::messages::Messages;
use crate::metrics::{Family, Kind};
use crate::model::Level;
use crate::model::log_sources::LogSources;
use crate::telemetry::LogRecord;

/// How often files are read when there is nothing more to read.
const PASS_EVERY: Duration = Duration::from_millis(200);
/// How often the read checkpoints are saved at most. What was read since the last save is
/// durable in the buffer already; a crash reads it again, and its `_id`s make the re-sent
/// records 409 conflicts, not duplicates. Saving at every pass (five times a second under
/// load) cost about 5 % of the agent's CPU at 10 000 lines/s.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// How often patterns are expanded again.
const DISCOVER_EVERY: Duration = Duration::from_secs(1);

/// What the pipeline counts; exposed as metrics.
#[derive(Debug, Default)]
pub struct Stats {
    pub lines_read: AtomicU64,
    pub shipped: AtomicU64,
    /// Records re-sent after a crash or retry that Elasticsearch already held (409).
    pub conflicts: AtomicU64,
    pub truncated: AtomicU64,
    pub invalid_utf8: AtomicU64,
    /// Records in the buffer not yet acknowledged.
    pub buffered_entries: AtomicU64,
    pub buffer_bytes: AtomicU64,
    pub open_files: AtomicU64,
    dropped: Mutex<BTreeMap<String, u64>>,
    /// Bytes not read yet, per source.
    pub lag: Mutex<BTreeMap<String, u64>>,
    pub health: crate::telemetry::sender::SendHealth,
}

/// The reasons a record is dropped.
pub const DROP_REASONS: [&str; 4] = ["buffer_full", "disk_full", "rejected", "too_large"];

impl Stats {
    pub fn count_drop(&self, reason: &str, n: u64) {
        if n == 0 {
            return;
        }
        if let Ok(mut d) = self.dropped.lock() {
            *d.entry(reason.to_string()).or_default() += n;
        }
    }

    pub fn dropped(&self, reason: &str) -> u64 {
        self.dropped
            .lock()
            .map_or(0, |d| d.get(reason).copied().unwrap_or(0))
    }

    /// The metric families.
    pub fn families(&self) -> Vec<Family> {
        let one = |name: &str, help: &str, kind: Kind, v: u64| {
            let mut f = Family::new(name, help, kind);
            f.push(Vec::new(), v as f64);
            f
        };
        let mut dropped = Family::new(
            "hivemind_logs_records_dropped_total",
            "Workload log records not shipped, by reason: buffer_full (the buffer cap dropped the oldest), disk_full, rejected (refused by Elasticsearch for good), too_large.",
            Kind::Counter,
        );
        for r in DROP_REASONS {
            dropped.push(vec![("reason".into(), r.into())], self.dropped(r) as f64);
        }
        let mut lag = Family::new(
            "hivemind_logs_source_lag_bytes",
            "Bytes written to a source's files that the agent has not read yet.",
            Kind::Gauge,
        );
        if let Ok(l) = self.lag.lock() {
            for (source, bytes) in l.iter() {
                lag.push(vec![("source".into(), source.clone())], *bytes as f64);
            }
        }
        let c = |a: &AtomicU64| a.load(Ordering::Relaxed);
        vec![
            one(
                "hivemind_logs_lines_read_total",
                "Workload log lines read from files and the journal.",
                Kind::Counter,
                c(&self.lines_read),
            ),
            one(
                "hivemind_logs_records_shipped_total",
                "Workload log records Elasticsearch acknowledged (created, or already held).",
                Kind::Counter,
                c(&self.shipped),
            ),
            one(
                "hivemind_logs_records_conflicts_total",
                "Records sent again after a crash or a retry that Elasticsearch already held (409): not duplicated.",
                Kind::Counter,
                c(&self.conflicts),
            ),
            dropped,
            one(
                "hivemind_logs_lines_truncated_total",
                "Lines longer than --max-line-size, shipped cut.",
                Kind::Counter,
                c(&self.truncated),
            ),
            one(
                "hivemind_logs_lines_invalid_utf8_total",
                "Lines that were not UTF-8, shipped with replacement characters.",
                Kind::Counter,
                c(&self.invalid_utf8),
            ),
            one(
                "hivemind_logs_buffer_bytes",
                "Bytes in the on-disk buffer.",
                Kind::Gauge,
                c(&self.buffer_bytes),
            ),
            one(
                "hivemind_logs_buffered_records",
                "Records in the on-disk buffer that Elasticsearch has not acknowledged.",
                Kind::Gauge,
                c(&self.buffered_entries),
            ),
            one(
                "hivemind_logs_open_files",
                "Log files the agent follows.",
                Kind::Gauge,
                c(&self.open_files),
            ),
            one(
                "hivemind_logs_ship_failures_total",
                "Failed _bulk requests for workload logs (their records wait in the buffer).",
                Kind::Counter,
                self.health.failures.load(Ordering::Relaxed),
            ),
            lag,
        ]
    }
}

/// A record of the seed's shape from a workload line.
pub(crate) fn record(
    message: String,
    timestamp: Option<String>,
    service: &str,
    container_id: Option<String>,
    node_id: &str,
    metadata: serde_json::Map<String, serde_json::Value>,
    level: Option<Level>,
) -> LogRecord {
    let level = level
        .or_else(|| parse::level(&message))
        .unwrap_or(Level::Info);
    let (trace_id, span_id) = parse::trace_ids(&message);
    LogRecord {
        timestamp: timestamp
            .unwrap_or_else(|| humantime::format_rfc3339_millis(SystemTime::now()).to_string()),
        level,
        message,
        service: service.to_string(),
        container_id,
        node_id: Some(node_id.to_string()),
        trace_id,
        span_id,
        metadata,
    }
}

/// What every record of one file shares, serialised once when the file is opened, so that a
/// line's record is written straight into its buffer entry: no `LogRecord`, metadata map or
/// owned strings per line. The JSON is the same document `push_entry` writes for the
/// equivalent `LogRecord` (a test holds the two equal).
#[derive(Debug)]
pub(crate) struct Shared {
    /// `,"service":…,"container_id":…,"node_id":…`
    ids: String,
    /// The metadata object's members without its braces (`"log_type":"workload",…`).
    metadata: String,
}

impl Shared {
    pub(crate) fn new(
        service: &str,
        container_id: Option<&str>,
        node_id: &str,
        metadata: &serde_json::Map<String, serde_json::Value>,
    ) -> Shared {
        let mut ids = String::from(",\"service\":");
        json_str(&mut ids, service);
        ids.push_str(",\"container_id\":");
        match container_id {
            Some(c) => json_str(&mut ids, c),
            None => ids.push_str("null"),
        }
        ids.push_str(",\"node_id\":");
        json_str(&mut ids, node_id);
        let whole = serde_json::to_string(metadata).unwrap_or_else(|_| "{}".into());
        let metadata = whole
            .strip_prefix('{')
            .and_then(|m| m.strip_suffix('}'))
            .unwrap_or("")
            .to_string();
        Shared { ids, metadata }
    }
}

/// One line's own parts of its record.
pub(crate) struct Line<'a> {
    pub message: &'a str,
    /// RFC 3339 with milliseconds; the time of reading when the line carries none.
    pub timestamp: Option<&'a str>,
    /// `metadata.stream`.
    pub stream: Option<&'a str>,
    pub truncated: bool,
    pub invalid_utf8: bool,
}

/// The time of reading as RFC 3339 with milliseconds, formatted once per millisecond.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    millis: u128,
    text: String,
}

impl Clock {
    fn now(&mut self) -> &str {
        let now = SystemTime::now();
        let millis = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        if millis != self.millis || self.text.is_empty() {
            self.millis = millis;
            self.text = humantime::format_rfc3339_millis(now).to_string();
        }
        &self.text
    }
}

/// Append one buffer entry for a line of a file: `<id>\t<record JSON>\n`.
pub(crate) fn push_line(
    pass: &mut tail::Pass,
    id: checkpoint::DocId,
    shared: &Shared,
    line: &Line<'_>,
) {
    use std::io::Write as _;
    let out = &mut pass.entries;
    let _ = write!(out, "{id}");
    out.extend_from_slice(b"\t{\"timestamp\":");
    match line.timestamp {
        Some(t) => json_bytes(out, t),
        None => json_bytes(out, pass.clock.now()),
    }
    out.extend_from_slice(b",\"level\":\"");
    let level = parse::level(line.message).unwrap_or(Level::Info);
    out.extend_from_slice(level.as_str().as_bytes());
    out.extend_from_slice(b"\",\"message\":");
    json_bytes(out, line.message);
    out.extend_from_slice(shared.ids.as_bytes());
    let (trace_id, span_id) = parse::trace_ids(line.message);
    for (key, v) in [
        (&b",\"trace_id\":"[..], trace_id),
        (b",\"span_id\":", span_id),
    ] {
        out.extend_from_slice(key);
        match v {
            Some(v) => json_bytes(out, &v),
            None => out.extend_from_slice(b"null"),
        }
    }
    out.extend_from_slice(b",\"metadata\":{");
    out.extend_from_slice(shared.metadata.as_bytes());
    // The line's own members after the file's (the metadata has no keys of these names).
    let mut first = shared.metadata.is_empty();
    let mut member = |out: &mut Vec<u8>, key: &[u8]| {
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(key);
    };
    if line.invalid_utf8 {
        member(out, b"\"invalid_utf8\":true");
    }
    if let Some(s) = line.stream {
        member(out, b"\"stream\":");
        json_bytes(out, s);
    }
    if line.truncated {
        member(out, b"\"truncated\":true");
    }
    out.extend_from_slice(b"}}\n");
    pass.count += 1;
}

/// `text` as a JSON string.
fn json_bytes(out: &mut Vec<u8>, text: &str) {
    let _ = serde_json::to_writer(out, text);
}

fn json_str(out: &mut String, text: &str) {
    if let Ok(j) = serde_json::to_string(text) {
        out.push_str(&j);
    }
}

/// Append one buffer entry.
pub(crate) fn push_entry(pass: &mut tail::Pass, id: &str, record: &LogRecord) {
    // JSON escapes tabs and newlines, so an entry is always one line.
    if let Ok(json) = serde_json::to_string(record) {
        pass.entries.extend_from_slice(id.as_bytes());
        pass.entries.push(b'\t');
        pass.entries.extend_from_slice(json.as_bytes());
        pass.entries.push(b'\n');
        pass.count += 1;
    }
}

/// What the pipeline runs with.
pub use crate::telemetry::Workload as Config;

/// The pipeline: follows the configuration, (re)starting the reader and shipper when it
/// changes, until `stop`.
pub async fn run(
    mut config: tokio::sync::watch::Receiver<Option<Config>>,
    data_dir: PathBuf,
    node_id: String,
    stats: Arc<Stats>,
    msg: Messages,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let current = config.borrow_and_update().clone();
        let running = match current.filter(|c| c.sources.any()) {
            Some(c) => match Running::start(c, &data_dir, &node_id, &stats, &msg).await {
                Ok(r) => Some(r),
                Err(e) => {
                    msg.warn(&format!("workload log collection is off: {e}"));
                    None
                }
            },
            None => None,
        };
        let stopping = tokio::select! {
            r = config.changed() => r.is_err(),
            _ = stop.changed() => true,
        };
        if let Some(r) = running {
            r.stop().await;
        }
        if stopping {
            return;
        }
    }
}

struct Running {
    stop_reader: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
    stop_ship: tokio::sync::watch::Sender<bool>,
    shipper: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn start(
        c: Config,
        data_dir: &Path,
        node_id: &str,
        stats: &Arc<Stats>,
        msg: &Messages,
    ) -> crate::Result<Running> {
        let dir = c
            .sources
            .buffer_dir
            .as_ref()
            .map_or_else(|| data_dir.join("logs"), PathBuf::from);
        let spool = Arc::new(spool::Spool::open(
            &dir.join("buffer"),
            c.sources.buffer_bytes,
        )?);
        stats
            .buffered_entries
            .store(spool.count_waiting(), Ordering::Relaxed);
        let wake = Arc::new(tokio::sync::Notify::new());
        let stop_reader = Arc::new(AtomicBool::new(false));
        let reader = {
            let (spool, stats, msg, wake, stop) = (
                Arc::clone(&spool),
                Arc::clone(stats),
                msg.clone(),
                Arc::clone(&wake),
                Arc::clone(&stop_reader),
            );
            let (sources, node_id) = (c.sources.clone(), node_id.to_string());
            std::thread::Builder::new()
                .name("hivemind-logs".into())
                .spawn(move || {
                    read_loop(&sources, &dir, &node_id, &spool, &stats, &msg, &wake, &stop)
                })
                .map_err(|e| crate::Error::io("starting the log reader", e))?
        };
        let (stop_ship, ship_rx) = tokio::sync::watch::channel(false);
        let shipper = tokio::spawn(ship::run(
            spool,
            c.target,
            Arc::clone(stats),
            msg.clone(),
            wake,
            ship_rx,
        ));
        msg.status(&format!(
            "workload logs: collecting {}",
            describe(&c.sources)
        ));
        Ok(Running {
            stop_reader,
            reader: Some(reader),
            stop_ship,
            shipper,
        })
    }

    async fn stop(mut self) {
        self.stop_reader.store(true, Ordering::SeqCst);
        let _ = self.stop_ship.send(true);
        if let Some(r) = self.reader.take() {
            let _ = tokio::task::spawn_blocking(move || r.join()).await;
        }
        let _ = self.shipper.await;
    }
}

fn describe(s: &LogSources) -> String {
    let mut parts = Vec::new();
    if s.docker.is_some() {
        parts.push("Docker containers".to_string());
    }
    if let Some(c) = &s.cri {
        parts.push(format!("CRI pod logs under {c}"));
    }
    for f in &s.files {
        parts.push(format!("files {f}"));
    }
    if let Some(j) = &s.journald {
        parts.push(match &j.directory {
            Some(d) => format!("the journal in {d}"),
            None => "the system journal".into(),
        });
    }
    parts.join(", ")
}

/// The reader thread: read, buffer, checkpoint, until `stop`.
#[allow(clippy::too_many_arguments)]
fn read_loop(
    sources: &LogSources,
    dir: &Path,
    node_id: &str,
    spool: &spool::Spool,
    stats: &Stats,
    msg: &Messages,
    wake: &tokio::sync::Notify,
    stop: &AtomicBool,
) {
    let mut store = checkpoint::Store::new(dir);
    let mut marks = match store.load() {
        Ok(c) => c,
        Err(e) => {
            msg.warn(&format!(
                "workload logs: the read checkpoints are unreadable ({e}); reading from the start (already shipped records come back as conflicts, not duplicates)"
            ));
            checkpoint::Checkpoints::default()
        }
    };
    let names = crate::containers::names::Names::with_docker_root(
        sources
            .docker
            .as_ref()
            .and_then(|d| d.root.as_ref().map(PathBuf::from)),
    );
    let docker_root = names.docker_root().to_path_buf();
    let mut tailer = tail::Tailer::new(
        tail::specs(sources, &docker_root),
        node_id,
        usize::try_from(sources.max_line_bytes).unwrap_or(usize::MAX),
        names,
        std::mem::take(&mut marks.files),
        std::mem::take(&mut marks.retired),
    );
    let mut journal = sources.journald.as_ref().map(|j| {
        journal::Journal::start(
            j.directory.as_deref().map(Path::new),
            marks
                .journal
                .get(&journal::key(j.directory.as_deref()))
                .cloned(),
            node_id,
            usize::try_from(sources.max_line_bytes).unwrap_or(usize::MAX),
            msg.clone(),
        )
    });
    let mut last_discovery: Option<Instant> = None;
    let mut failing = false;
    let mut checkpoint_failing = false;
    let mut last_save: Option<Instant> = None;
    // A pass's records (about twice the bytes read) must fit the buffer many times over.
    let pass_budget = (spool.cap() / 16).clamp(4 * 1024, 16 * 1024 * 1024);
    while !stop.load(Ordering::SeqCst) {
        let mut pass = tail::Pass::default();
        if last_discovery.is_none_or(|t| t.elapsed() >= DISCOVER_EVERY) {
            tailer.discover(&mut pass);
            last_discovery = Some(Instant::now());
        }
        tailer.read(&mut pass, stats, pass_budget);
        if let Some(j) = journal.as_mut() {
            j.read(&mut pass, stats);
        }
        for n in &pass.notices {
            msg.warn(n);
        }
        let ok = match spool.append(&pass.entries, pass.count, stats) {
            Err(e) if spool::is_disk_full(&e) => {
                // Nothing older is left to make room: these records are the ones dropped
                // (counted), so that reading goes on instead of stalling on a full disk.
                stats.count_drop("disk_full", pass.count);
                if !failing {
                    failing = true;
                    msg.warn(&format!(
                        "workload logs: the disk of the buffer in {} is full: {e}; records are dropped (hivemind_logs_records_dropped_total{{reason=\"disk_full\"}}) until there is room",
                        dir.display()
                    ));
                }
                true
            }
            Ok(()) => {
                if failing {
                    failing = false;
                    msg.status("workload logs: the buffer takes records again");
                }
                true
            }
            Err(e) => {
                if !failing {
                    failing = true;
                    msg.warn(&format!(
                        "workload logs: cannot write the buffer in {}: {e}; reading pauses (nothing is lost from files while they are kept) and is retried",
                        dir.display()
                    ));
                }
                false
            }
        };
        if ok {
            tailer.commit();
            if let Some(j) = journal.as_mut() {
                j.commit();
                marks
                    .journal
                    .insert(j.key(), j.cursor().unwrap_or_default());
                marks.journal.retain(|_, v| !v.is_empty());
            }
            marks.files = tailer.marks();
            marks.retired = tailer.retired();
            if last_save.is_none_or(|t| t.elapsed() >= CHECKPOINT_EVERY) {
                save(&mut store, &marks, &mut checkpoint_failing, msg);
                last_save = Some(Instant::now());
            }
            if pass.count > 0 {
                wake.notify_one();
            }
        } else {
            tailer.rollback();
            if let Some(j) = journal.as_mut() {
                j.rollback();
            }
        }
        stats.buffer_bytes.store(spool.bytes(), Ordering::Relaxed);
        stats
            .open_files
            .store(tailer.open_files() as u64, Ordering::Relaxed);
        if let Ok(mut l) = stats.lag.lock() {
            *l = tailer.lag();
        }
        if !pass.more || !ok {
            std::thread::sleep(if ok {
                PASS_EVERY
            } else {
                Duration::from_secs(1)
            });
        }
    }
    save(&mut store, &marks, &mut checkpoint_failing, msg);
    if let Some(j) = journal {
        j.stop();
    }
}

/// Save the read checkpoints (unchanged ones are not written again).
fn save(
    store: &mut checkpoint::Store,
    marks: &checkpoint::Checkpoints,
    failing: &mut bool,
    msg: &Messages,
) {
    match store.save(marks) {
        Ok(()) => *failing = false,
        Err(e) => {
            if !*failing {
                msg.warn(&format!(
                    "workload logs: cannot save the read checkpoints: {e} (a restart reads again from the last saved ones; the _ids keep that from duplicating)"
                ));
            }
            *failing = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document `push_line` writes is the one a `LogRecord` serialises to.
    #[test]
    fn a_line_written_directly_is_the_record_it_stands_for() {
        let mut meta = serde_json::Map::new();
        meta.insert("log_type".into(), "workload".into());
        meta.insert("path".into(), "/var/log/\"odd\"\tname.log".into());
        meta.insert("source".into(), "docker".into());
        // message, timestamp, stream, truncated, invalid UTF-8, container id
        type Case<'a> = (
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            bool,
            bool,
            Option<&'a str>,
        );
        let cases: [Case<'_>; 4] = [
            ("plain line", None, None, false, false, None),
            (
                "level=error traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 \u{1}é\"\\",
                Some("2026-01-02T03:04:05.678Z"),
                Some("stderr"),
                true,
                false,
                Some("0123456789abcdef"),
            ),
            (
                "bad \u{fffd} bytes",
                None,
                Some("stdout"),
                false,
                true,
                None,
            ),
            (
                "",
                Some("2026-01-02T03:04:05.000Z"),
                None,
                true,
                true,
                Some("c"),
            ),
        ];
        for (message, timestamp, stream, truncated, invalid_utf8, container) in cases {
            let shared = Shared::new("web", container, "node-1", &meta);
            let mut pass = tail::Pass::default();
            let line = Line {
                message,
                timestamp,
                stream,
                truncated,
                invalid_utf8,
            };
            push_line(&mut pass, checkpoint::doc_id(7, 9), &shared, &line);
            assert_eq!(pass.count, 1);
            let text = String::from_utf8(pass.entries).unwrap();
            let (id, json) = text.strip_suffix('\n').unwrap().split_once('\t').unwrap();
            assert_eq!(id, "0000000000000007-9");
            let got: LogRecord = serde_json::from_str(json).unwrap();
            let mut metadata = meta.clone();
            if let Some(s) = stream {
                metadata.insert("stream".into(), s.into());
            }
            if truncated {
                metadata.insert("truncated".into(), true.into());
            }
            if invalid_utf8 {
                metadata.insert("invalid_utf8".into(), true.into());
            }
            let want = record(
                message.to_string(),
                Some(timestamp.map_or_else(|| got.timestamp.clone(), str::to_string)),
                "web",
                container.map(str::to_string),
                "node-1",
                metadata,
                None,
            );
            assert_eq!(got, want, "{json}");
            // And as generic JSON: no field more or less than the record's.
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            assert_eq!(value, serde_json::to_value(&want).unwrap());
            if timestamp.is_none() {
                assert!(
                    humantime::parse_rfc3339(&got.timestamp).is_ok(),
                    "{}",
                    got.timestamp
                );
            }
        }
    }
}
