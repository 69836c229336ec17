//! journald through `journalctl -o json --follow` (with `--directory` for journal files
//! elsewhere, `--after-cursor` to go on where the buffer stands). Entries are read on their
//! own thread into a bounded channel; the reader thread takes them into its passes, and the
//! cursor of the last one buffered is checkpointed. Each record's `_id` is a hash of its
//! cursor. Where no journal exists the source says so and waits for one.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::Stats;
use super::checkpoint::fnv;
use super::tail::Pass;
use crate::messages::Messages;

/// Entries waiting between journalctl and the reader.
const CHANNEL: usize = 4096;
/// Entries taken per pass.
const PER_PASS: usize = 20_000;

/// The checkpoint key of a journal.
pub fn key(directory: Option<&str>) -> String {
    directory.map_or_else(|| "system".to_string(), |d| format!("dir:{d}"))
}

/// One journal entry as read.
struct Entry {
    cursor: String,
    json: serde_json::Map<String, serde_json::Value>,
}

pub struct Journal {
    key: String,
    node_id: String,
    rx: Receiver<Entry>,
    /// Entries taken but not yet durable.
    pending: Vec<Entry>,
    /// Entries of the last pass (kept for a rollback).
    in_pass: Vec<Entry>,
    cursor: Arc<Mutex<Option<String>>>,
    stop: Arc<AtomicBool>,
    child: Arc<Mutex<Option<Child>>>,
    thread: Option<std::thread::JoinHandle<()>>,
    max_line: usize,
    /// Entries the journalctl reader skipped as too large, not yet counted in the stats.
    too_large: Arc<AtomicU64>,
}

/// Whether `dir` (or the system's journal directories) hold journal files.
fn journal_exists(dir: Option<&Path>) -> bool {
    let roots: Vec<PathBuf> = match dir {
        Some(d) => vec![d.to_path_buf()],
        None => vec!["/var/log/journal".into(), "/run/log/journal".into()],
    };
    let has = |d: &Path| {
        std::fs::read_dir(d).is_ok_and(|it| {
            it.filter_map(Result::ok).take(10_000).any(|e| {
                let p = e.path();
                p.extension()
                    .is_some_and(|x| x == "journal" || x == "journal~")
                    || (p.is_dir()
                        && std::fs::read_dir(&p).is_ok_and(|i| {
                            i.filter_map(Result::ok).take(10_000).any(|e| {
                                e.path()
                                    .extension()
                                    .is_some_and(|x| x == "journal" || x == "journal~")
                            })
                        }))
            })
        })
    };
    roots.iter().any(|r| has(r))
}

impl Journal {
    pub fn start(
        directory: Option<&Path>,
        cursor: Option<String>,
        node_id: &str,
        max_line: usize,
        msg: Messages,
    ) -> Journal {
        let (tx, rx) = sync_channel(CHANNEL);
        let stop = Arc::new(AtomicBool::new(false));
        let cursor = Arc::new(Mutex::new(cursor));
        let child = Arc::new(Mutex::new(None));
        let too_large = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, cursor, child) =
                (Arc::clone(&stop), Arc::clone(&cursor), Arc::clone(&child));
            let reader = Reader {
                tx,
                stop: Arc::clone(&stop),
                max_line,
                too_large: Arc::clone(&too_large),
                said_too_large: AtomicBool::new(false),
            };
            let dir = directory.map(Path::to_path_buf);
            std::thread::Builder::new()
                .name("hivemind-journal".into())
                .spawn(move || follow(dir, &reader, &cursor, &child, &msg))
                .ok()
        };
        Journal {
            key: key(directory.and_then(Path::to_str)),
            node_id: node_id.to_string(),
            rx,
            pending: Vec::new(),
            in_pass: Vec::new(),
            cursor,
            stop,
            child,
            thread,
            max_line,
            too_large,
        }
    }

    pub fn key(&self) -> String {
        self.key.clone()
    }

    /// The cursor of the last entry durable in the buffer.
    pub fn cursor(&self) -> Option<String> {
        self.cursor.lock().ok().and_then(|c| c.clone())
    }

    /// Take waiting entries into `pass`.
    pub fn read(&mut self, pass: &mut Pass, stats: &Stats) {
        stats.count_drop("too_large", self.too_large.swap(0, Ordering::Relaxed));
        let mut entries = std::mem::take(&mut self.pending);
        while entries.len() < PER_PASS {
            match self.rx.try_recv() {
                Ok(e) => {
                    stats.lines_read.fetch_add(1, Ordering::Relaxed);
                    entries.push(e);
                }
                Err(_) => break,
            }
        }
        for e in &entries {
            let id = format!("j{:016x}", fnv(&[self.key.as_bytes(), e.cursor.as_bytes()]));
            let record = self.record(e, stats);
            super::push_entry(pass, &id, &record);
        }
        self.in_pass = entries;
    }

    fn record(&self, e: &Entry, stats: &Stats) -> crate::telemetry::LogRecord {
        let s = |k: &str| e.json.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let mut metadata = serde_json::Map::new();
        metadata.insert("log_type".into(), "workload".into());
        metadata.insert("source".into(), "journald".into());
        for (k, field) in [
            ("unit", "_SYSTEMD_UNIT"),
            ("syslog_identifier", "SYSLOG_IDENTIFIER"),
            ("pid", "_PID"),
            ("hostname", "_HOSTNAME"),
            ("comm", "_COMM"),
            ("container_name", "CONTAINER_NAME"),
        ] {
            if let Some(v) = s(field) {
                metadata.insert(k.into(), v.into());
            }
        }
        // MESSAGE is a string, or an array of bytes when it is not UTF-8.
        let mut message = match e.json.get("MESSAGE") {
            Some(serde_json::Value::String(m)) => m.clone(),
            Some(serde_json::Value::Array(bytes)) => {
                let raw: Vec<u8> = bytes
                    .iter()
                    .filter_map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                    .collect();
                if std::str::from_utf8(&raw).is_err() {
                    stats.invalid_utf8.fetch_add(1, Ordering::Relaxed);
                    metadata.insert("invalid_utf8".into(), true.into());
                }
                String::from_utf8_lossy(&raw).into_owned()
            }
            _ => String::new(),
        };
        if message.len() > self.max_line {
            let mut end = self.max_line;
            while !message.is_char_boundary(end) {
                end -= 1;
            }
            message.truncate(end);
            metadata.insert("truncated".into(), true.into());
            stats.truncated.fetch_add(1, Ordering::Relaxed);
        }
        let timestamp = s("__REALTIME_TIMESTAMP")
            .and_then(|us| us.parse::<u64>().ok())
            .map(|us| {
                humantime::format_rfc3339_millis(std::time::UNIX_EPOCH + Duration::from_micros(us))
                    .to_string()
            });
        let service = s("SYSLOG_IDENTIFIER")
            .or_else(|| s("_SYSTEMD_UNIT"))
            .or_else(|| s("_COMM"))
            .unwrap_or_else(|| "journald".into());
        let level = s("PRIORITY").and_then(|p| super::parse::priority_level(&p));
        super::record(
            message,
            timestamp,
            &service,
            s("CONTAINER_ID_FULL"),
            &self.node_id,
            metadata,
            level,
        )
    }

    /// The last pass is buffered: its last cursor is durable.
    pub fn commit(&mut self) {
        if let Some(last) = self.in_pass.last()
            && let Ok(mut c) = self.cursor.lock()
        {
            *c = Some(last.cursor.clone());
        }
        self.in_pass.clear();
    }

    /// The last pass could not be buffered: its entries are taken again next pass.
    pub fn rollback(&mut self) {
        self.pending = std::mem::take(&mut self.in_pass);
    }

    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Ok(mut c) = self.child.lock()
            && let Some(child) = c.as_mut()
        {
            let _ = child.kill();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What the journalctl reader thread sends entries with, and counts.
struct Reader {
    tx: SyncSender<Entry>,
    stop: Arc<AtomicBool>,
    max_line: usize,
    /// Entries skipped because their JSON line is beyond the cap.
    too_large: Arc<AtomicU64>,
    /// Whether the first such entry has been reported.
    said_too_large: AtomicBool,
}

/// Run journalctl (again after it ends) and send its entries until `stop`.
fn follow(
    dir: Option<PathBuf>,
    reader: &Reader,
    cursor: &Mutex<Option<String>>,
    child_slot: &Mutex<Option<Child>>,
    msg: &Messages,
) {
    let stop = &*reader.stop;
    let where_ = dir.as_ref().map_or_else(
        || "the system journal".to_string(),
        |d| d.display().to_string(),
    );
    let mut said_missing = false;
    let pause = |secs: u64| {
        for _ in 0..secs * 10 {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    while !stop.load(Ordering::SeqCst) {
        if !journal_exists(dir.as_deref()) {
            if !said_missing {
                said_missing = true;
                msg.warn(&format!(
                    "workload logs: no journal files in {where_} (no journald writes here); the journald source waits for one"
                ));
            }
            pause(10);
            continue;
        }
        let mut cmd = Command::new("journalctl");
        // --follow alone shows only the last 10 entries, even after a cursor: --no-tail.
        cmd.args(["-o", "json", "--follow", "--no-pager", "--no-tail"]);
        if let Some(d) = &dir {
            cmd.arg("--directory").arg(d);
        }
        if let Some(c) = cursor.lock().ok().and_then(|c| c.clone()) {
            cmd.arg(format!("--after-cursor={c}"));
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                msg.warn(&format!(
                    "workload logs: cannot run journalctl for {where_}: {e}; retrying in 30 s"
                ));
                pause(30);
                continue;
            }
        };
        let out = child.stdout.take();
        let err = child.stderr.take();
        if let Ok(mut slot) = child_slot.lock() {
            *slot = Some(child);
        }
        if let Some(out) = out {
            read_entries(out, reader, msg);
        }
        let mut why = String::new();
        if let Some(mut e) = err {
            let _ = (&mut e).take(4096).read_to_string(&mut why);
        }
        if let Ok(mut slot) = child_slot.lock()
            && let Some(mut c) = slot.take()
        {
            let _ = c.kill();
            let _ = c.wait();
        }
        if stop.load(Ordering::SeqCst) {
            return;
        }
        msg.warn(&format!(
            "workload logs: journalctl for {where_} ended{}; starting it again in 5 s",
            if why.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", crate::redact::redact_cut(why.trim(), 300))
            }
        ));
        pause(5);
    }
}

/// The longest journalctl JSON line read for `max_line`: room for a message of `max_line`
/// bytes (cut to it later) escaped, and the entry's other fields.
fn line_cap(max_line: usize) -> u64 {
    max_line.saturating_mul(2).max(64 * 1024) as u64
}

fn read_entries(out: impl Read, reader: &Reader, msg: &Messages) {
    let (tx, stop) = (&reader.tx, &*reader.stop);
    // An entry is one JSON line; a line beyond the cap (binary fields, a huge message) is
    // skipped whole, and counted as dropped (too_large).
    let cap = line_cap(reader.max_line);
    let mut r = BufReader::new(out);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = match (&mut r).take(cap).read_until(b'\n', &mut line) {
            Ok(n) => n,
            Err(_) => return,
        };
        if n == 0 {
            return;
        }
        if !line.ends_with(b"\n") && n as u64 >= cap {
            // Skip the rest of this line.
            let mut sink = Vec::new();
            let mut whole = false;
            loop {
                sink.clear();
                match (&mut r).take(cap).read_until(b'\n', &mut sink) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if sink.ends_with(b"\n") => {
                        whole = true;
                        break;
                    }
                    Ok(_) => {}
                }
            }
            reader.too_large.fetch_add(1, Ordering::Relaxed);
            if !reader.said_too_large.swap(true, Ordering::Relaxed) {
                msg.warn(&format!(
                    "workload logs: a journal entry of more than {cap} bytes was dropped (counted in hivemind_logs_records_dropped_total{{reason=\"too_large\"}}; --max-line-size raises the cap)"
                ));
            }
            if !whole {
                return;
            }
            continue;
        }
        let Ok(json) = crate::model::input::json::<serde_json::Map<String, serde_json::Value>>(
            &line,
            crate::model::input::Input::LOG_LINE,
        ) else {
            continue;
        };
        let Some(cursor) = json
            .get("__CURSOR")
            .and_then(|c| c.as_str())
            .map(str::to_string)
        else {
            continue;
        };
        let mut entry = Entry { cursor, json };
        loop {
            match tx.try_send(entry) {
                Ok(()) => break,
                Err(TrySendError::Full(e)) => {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    entry = e;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(TrySendError::Disconnected(_)) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(cursor: &str, message: &str) -> String {
        format!(
            "{}\n",
            serde_json::json!({"__CURSOR": cursor, "MESSAGE": message, "PRIORITY": "6"})
        )
    }

    /// journalctl's output with an entry beyond the line cap between two small ones: the
    /// small ones are sent, the large one is counted as dropped (too_large), once, and the
    /// reading goes on; the pipeline's stats then count it under that reason.
    #[test]
    fn an_entry_beyond_the_cap_is_counted_as_dropped_too_large() {
        let max_line = 1024;
        let cap = line_cap(max_line) as usize;
        let mut out = entry("c1", "first");
        out.push_str(&entry("c2", &"x".repeat(3 * cap)));
        out.push_str(&entry("c3", "third"));
        // One just under the cap is read (its message is cut later, and marked).
        out.push_str(&entry("c4", &"y".repeat(cap - 200)));
        let (tx, rx) = sync_channel(16);
        let reader = Reader {
            tx,
            stop: Arc::new(AtomicBool::new(false)),
            max_line,
            too_large: Arc::new(AtomicU64::new(0)),
            said_too_large: AtomicBool::new(false),
        };
        read_entries(out.as_bytes(), &reader, &Messages::silent());
        let cursors: Vec<String> = rx.try_iter().map(|e| e.cursor).collect();
        assert_eq!(cursors, ["c1", "c3", "c4"]);
        assert_eq!(reader.too_large.load(Ordering::Relaxed), 1);
        assert!(reader.said_too_large.load(Ordering::Relaxed));

        // A huge entry at the very end (journalctl stopped mid-line) counts too.
        let (tx, rx) = sync_channel(16);
        let reader = Reader {
            tx,
            stop: Arc::new(AtomicBool::new(false)),
            max_line,
            too_large: Arc::new(AtomicU64::new(0)),
            said_too_large: AtomicBool::new(false),
        };
        let mut out = entry("c1", "first");
        out.push_str(&"z".repeat(2 * cap));
        read_entries(out.as_bytes(), &reader, &Messages::silent());
        assert_eq!(rx.try_iter().count(), 1);
        assert_eq!(reader.too_large.load(Ordering::Relaxed), 1);

        // The journal source hands the count to the stats under "too_large".
        let mut journal = Journal::start(
            Some(Path::new("/nonexistent-journal-dir")),
            None,
            "node",
            max_line,
            Messages::silent(),
        );
        journal.too_large.store(2, Ordering::Relaxed);
        let stats = Stats::default();
        let mut pass = Pass::default();
        journal.read(&mut pass, &stats);
        assert_eq!(stats.dropped("too_large"), 2);
        assert_eq!(journal.too_large.load(Ordering::Relaxed), 0);
        journal.read(&mut pass, &stats);
        assert_eq!(stats.dropped("too_large"), 2);
        journal.stop();
    }
}
