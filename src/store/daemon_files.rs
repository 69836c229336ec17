//! The daemon's files in the data directory: its lock (held while it runs), where it listens,
//! and its API token.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

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

/// What a running daemon publishes for the CLI on the same machine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DaemonInfo {
    pub pid: u32,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// The local API socket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<PathBuf>,
}

/// Take the daemon lock, or fail if another daemon holds it. Keep the file open to keep it.
pub fn lock(dir: &Path) -> Result<std::fs::File> {
    ensure_private_dir(dir)?;
    let path = dir.join(LOCK);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            let who = read_info(dir)
                .ok()
                .flatten()
                .map(|i| format!(" (pid {}, {})", i.pid, i.url))
                .unwrap_or_default();
            Err(Error::Conflict(format!(
                "another daemon already runs on {}{who}",
                dir.display()
            )))
        }
        Err(std::fs::TryLockError::Error(e)) => {
            Err(Error::io(format!("locking {}", path.display()), e))
        }
    }
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
/// by a crash is ignored).
pub fn running(dir: &Path) -> Result<Option<DaemonInfo>> {
    if !dir.join(INFO).exists() {
        return Ok(None);
    }
    let Ok(file) = std::fs::File::open(dir.join(LOCK)) else {
        return Ok(None);
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(None),
        Err(std::fs::TryLockError::WouldBlock) => read_info(dir),
        Err(std::fs::TryLockError::Error(_)) => Ok(None),
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

/// Compare two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
