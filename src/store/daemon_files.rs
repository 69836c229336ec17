//! The daemon's files in the data directory: its lock (held while it runs), where it listens,
//! and its API token.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Secret;
use crate::model::input::{self, Input};
use crate::store::fs::{ensure_private_dir, read_input, read_optional, write_atomic};

/// Held exclusively by the running daemon for its whole life.
pub const LOCK: &str = "daemon.lock";
/// Where the running daemon listens (`DaemonInfo`).
pub const INFO: &str = "daemon.json";
/// The API bearer token (mode 0600).
pub const TOKEN: &str = "agent.token";
/// The local API socket: same API, no TLS needed, and requests count as local configuration.
pub const SOCKET: &str = "daemon.sock";

/// Where a daemon is in its life, as it publishes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DaemonStatus {
    /// It holds the lock and is binding its listeners: the CLI waits.
    Starting,
    /// It serves its API: the CLI goes through it.
    #[default]
    Ready,
    /// It is shutting down: the CLI waits until it has let go of the directory.
    Stopping,
}

impl DaemonStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DaemonStatus::Starting => "starting",
            DaemonStatus::Ready => "ready",
            DaemonStatus::Stopping => "stopping",
        }
    }
}

/// What a running daemon publishes for the CLI on the same machine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DaemonInfo {
    pub pid: u32,
    #[serde(default)]
    pub status: DaemonStatus,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// The local API socket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<PathBuf>,
}

/// How long a starting daemon waits for CLI commands that are writing the state without it
/// (each holds the lock shared for one write).
const CLI_WRITE_WAIT: Duration = Duration::from_secs(10);

fn open_lock(dir: &Path) -> Result<std::fs::File> {
    ensure_private_dir(dir)?;
    let path = dir.join(LOCK);
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))
}

/// Take the daemon lock, or fail if another daemon holds it. Keep the file open to keep it.
/// CLI commands writing the state without a daemon hold the lock shared for a moment: those
/// are waited for.
pub fn lock(dir: &Path) -> Result<std::fs::File> {
    let file = open_lock(dir)?;
    let deadline = Instant::now() + CLI_WRITE_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(
                    format!("locking {}", dir.join(LOCK).display()),
                    e,
                ));
            }
        }
        // Another daemon publishes its info right after taking the lock (a file left by one
        // that crashed names a process that is gone: then CLI writes are what holds it).
        if let Some(i) = read_info(dir)
            .ok()
            .flatten()
            .filter(|i| i32::try_from(i.pid).is_ok_and(super::fs::process_alive))
        {
            return Err(Error::Conflict(format!(
                "another daemon already runs on {} (pid {}, {})",
                dir.display(),
                i.pid,
                i.status.as_str()
            )));
        }
        if Instant::now() >= deadline {
            return Err(Error::Conflict(format!(
                "{} is busy: CLI commands kept writing it for {}s; try again",
                dir.display(),
                CLI_WRITE_WAIT.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The CLI's hold on a directory no daemon runs on, kept while it writes the state itself:
/// no daemon can start (and read the state) in the middle of that write.
#[derive(Debug)]
pub struct WriteHold {
    _file: std::fs::File,
}

/// Hold the directory for a write, or `None` when a daemon holds it (then the daemon owns the
/// state and the write must go through it).
pub fn hold_for_write(dir: &Path) -> Result<Option<WriteHold>> {
    let file = open_lock(dir)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(Some(WriteHold { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(
            format!("locking {}", dir.join(LOCK).display()),
            e,
        )),
    }
}

/// Whether a daemon holds the lock of `dir` (a missing lock file: no).
fn held(dir: &Path) -> bool {
    let Ok(file) = std::fs::File::open(dir.join(LOCK)) else {
        return false;
    };
    matches!(
        file.try_lock_shared(),
        Err(std::fs::TryLockError::WouldBlock)
    )
}

fn read_info(dir: &Path) -> Result<Option<DaemonInfo>> {
    let path = dir.join(INFO);
    match read_input(&path, Input::DAEMON_INFO)? {
        None => Ok(None),
        Some(text) => text
            .and_then(|text| input::json(text.as_bytes(), Input::DAEMON_INFO))
            .map(Some)
            .map_err(|e| Error::caused(format!("reading {}", path.display()), e)),
    }
}

/// Publish where the daemon listens.
pub fn write_info(dir: &Path, info: &DaemonInfo) -> Result<()> {
    let text =
        serde_json::to_string_pretty(info).map_err(|e| Error::caused("encoding daemon info", e))?;
    write_atomic(&dir.join(INFO), text.as_bytes())
}

pub fn remove_info(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(INFO));
}

/// The running daemon's info, or `None` when no daemon holds the lock (a stale info file left
/// by a crash is ignored). A daemon that is starting is waited for until it serves, and one
/// that is stopping until it has let go of the directory, at most `wait`: the CLI never
/// writes the state behind a daemon, and never meets a half-gone one.
pub fn running(dir: &Path, wait: Duration) -> Result<Option<DaemonInfo>> {
    let deadline = Instant::now() + wait;
    loop {
        if !held(dir) {
            return Ok(None);
        }
        let info = read_info(dir)?;
        if let Some(i) = &info
            && i.status == DaemonStatus::Ready
        {
            return Ok(info);
        }
        if Instant::now() >= deadline {
            let what = info.map_or_else(
                || "starting".to_string(),
                |i| format!("{} (pid {})", i.status.as_str(), i.pid),
            );
            return Err(Error::Conflict(format!(
                "the daemon on {} is still {what} after {}s; try again",
                dir.display(),
                wait.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The token, if one was created.
pub fn read_token(dir: &Path) -> Result<Option<Secret>> {
    Ok(read_optional(&dir.join(TOKEN))?
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(Secret::new))
}

/// A new random token (256 bits, hex).
fn new_token() -> Result<Secret> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::caused("generating a token", e))?;
    Ok(Secret::new(
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>(),
    ))
}

/// The token, created on first use.
pub fn load_or_create_token(dir: &Path) -> Result<Secret> {
    if let Some(t) = read_token(dir)? {
        return Ok(t);
    }
    rotate_token(dir)
}

/// Replace the token.
pub fn rotate_token(dir: &Path) -> Result<Secret> {
    let token = new_token()?;
    write_atomic(&dir.join(TOKEN), format!("{}\n", token.expose()).as_bytes())?;
    Ok(token)
}

/// Audit records of commands that act without the daemon (`daemon token --rotate`), kept
/// (JSON lines, mode 0600) until the daemon next starts and logs them with its own, so that
/// they ship and `observability logs --audit` shows them.
pub const AUDIT_QUEUE: &str = "audit-queue.jsonl";
/// The queue's cap: past it, audited commands refuse to run until a daemon takes the queue.
const AUDIT_QUEUE_MAX: u64 = 256 * 1024;

/// One queued audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedAudit {
    /// RFC 3339, when it happened.
    pub at: String,
    pub who: String,
    pub action: String,
    pub result: String,
    pub ok: bool,
}

/// Refuse before an audited command acts when its record could not be queued.
pub fn check_audit_queue(dir: &Path) -> Result<()> {
    let path = dir.join(AUDIT_QUEUE);
    match std::fs::metadata(&path) {
        Ok(m) if m.len() >= AUDIT_QUEUE_MAX => Err(Error::Other(format!(
            "{}: {} KiB of audit records wait for the daemon to log them; start it (`hivemind daemon`) first",
            path.display(),
            m.len() / 1024
        ))),
        _ => Ok(()),
    }
}

/// Append `record` to the queue (fsync'd).
pub fn queue_audit(dir: &Path, record: &QueuedAudit) -> Result<()> {
    use std::io::Write;
    check_audit_queue(dir)?;
    let path = dir.join(AUDIT_QUEUE);
    let mut line = serde_json::to_string(record)
        .map_err(|e| Error::Other(format!("encoding an audit record: {e}")))?;
    line.push('\n');
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    f.write_all(line.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

/// Take the queued records (oldest first) and remove the queue. Lines that are not records
/// (a torn write) are counted in the second value.
pub fn take_audits(dir: &Path) -> Result<(Vec<QueuedAudit>, usize)> {
    let path = dir.join(AUDIT_QUEUE);
    let Some(text) = read_input(
        &path,
        Input::new("audit queue", AUDIT_QUEUE_MAX as usize * 2),
    )?
    else {
        return Ok((Vec::new(), 0));
    };
    let text = text.map_err(|e| Error::Other(format!("{}: {e}", path.display())))?;
    let mut records = Vec::new();
    let mut bad = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match input::json::<QueuedAudit>(line.as_bytes(), Input::LOG_LINE) {
            Ok(r) => records.push(r),
            Err(_) => bad += 1,
        }
    }
    std::fs::remove_file(&path)
        .map_err(|e| Error::io(format!("removing {}", path.display()), e))?;
    Ok((records, bad))
}

/// Compare two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod audit_queue_tests {
    use super::*;

    fn record(action: &str) -> QueuedAudit {
        QueuedAudit {
            at: "2026-01-01T00:00:00.000Z".into(),
            who: "local user uid 0".into(),
            action: action.into(),
            result: "replaced".into(),
            ok: true,
        }
    }

    #[test]
    fn queued_records_are_taken_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(take_audits(dir.path()).unwrap(), (Vec::new(), 0));
        queue_audit(dir.path(), &record("one")).unwrap();
        queue_audit(dir.path(), &record("two")).unwrap();
        // A torn write is left out and counted.
        let path = dir.path().join(AUDIT_QUEUE);
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"at\":\"2026");
        std::fs::write(&path, text).unwrap();
        let (records, bad) = take_audits(dir.path()).unwrap();
        assert_eq!(records, vec![record("one"), record("two")]);
        assert_eq!(bad, 1);
        assert!(!path.exists());
        assert_eq!(take_audits(dir.path()).unwrap(), (Vec::new(), 0));
    }

    #[test]
    fn a_full_queue_refuses_before_acting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(AUDIT_QUEUE);
        std::fs::write(&path, vec![b'\n'; AUDIT_QUEUE_MAX as usize]).unwrap();
        let e = check_audit_queue(dir.path()).unwrap_err().to_string();
        assert!(e.contains("start it"), "{e}");
        assert!(queue_audit(dir.path(), &record("x")).is_err());
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            AUDIT_QUEUE_MAX,
            "nothing appended"
        );
    }
}
