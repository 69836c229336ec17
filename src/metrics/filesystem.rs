//! Mounted file systems: the mount table (/proc/1/mounts, as node_exporter reads it) and
//! statvfs of each, with a bound on mounts that hang (a dead NFS server).

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One line of the mount table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mount {
    pub device: String,
    pub mountpoint: String,
    pub fstype: String,
    pub read_only: bool,
}

/// The kernel escapes space, tab, newline and backslash in mount table fields as `\ooo`.
fn unescape(field: &str) -> String {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (u32::from(b[i + 1] - b'0') << 6)
                | (u32::from(b[i + 2] - b'0') << 3)
                | u32::from(b[i + 3] - b'0');
            if let Ok(byte) = u8::try_from(v) {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every well-formed line of a mounts file (device, mount point, type, options, …).
pub(crate) fn parse_mounts(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let device = f.next()?;
            let mountpoint = f.next()?;
            let fstype = f.next()?;
            let options = f.next()?;
            Some(Mount {
                device: unescape(device),
                mountpoint: unescape(mountpoint),
                fstype: unescape(fstype),
                read_only: options.split(',').any(|o| o == "ro"),
            })
        })
        .collect()
}

/// The mount table: init's (/proc/1/mounts, the host's view even when the agent runs in a
/// mount namespace of its own), else our own.
pub(crate) fn mounts(proc_root: &Path) -> std::io::Result<Vec<Mount>> {
    let text = std::fs::read_to_string(proc_root.join("1/mounts"))
        .or_else(|_| std::fs::read_to_string(proc_root.join("self/mounts")))?;
    Ok(parse_mounts(&text))
}

/// What statvfs says about one file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FsStats {
    /// `f_bsize`: node_exporter multiplies block counts by it.
    pub block_size: u64,
    /// `f_frsize`: the unit POSIX defines block counts in (equal to `f_bsize` on Linux's
    /// common file systems).
    pub fragment_size: u64,
    pub blocks: u64,
    pub blocks_free: u64,
    pub blocks_available: u64,
    pub files: u64,
    pub files_free: u64,
}

impl FsStats {
    /// (size, free, available) in bytes, in node_exporter's unit (`f_bsize`) when `ne`, else
    /// in `f_frsize`.
    pub fn bytes(&self, ne: bool) -> (u64, u64, u64) {
        let unit = if ne {
            self.block_size
        } else {
            self.fragment_size
        };
        (
            self.blocks.saturating_mul(unit),
            self.blocks_free.saturating_mul(unit),
            self.blocks_available.saturating_mul(unit),
        )
    }
}

fn statvfs(path: &str) -> Result<FsStats, String> {
    let s = nix::sys::statvfs::statvfs(path).map_err(|e| e.to_string())?;
    #[allow(clippy::useless_conversion)] // The field types differ between targets.
    Ok(FsStats {
        block_size: u64::from(s.block_size()),
        fragment_size: u64::from(s.fragment_size()),
        blocks: u64::from(s.blocks()),
        blocks_free: u64::from(s.blocks_free()),
        blocks_available: u64::from(s.blocks_available()),
        files: u64::from(s.files()),
        files_free: u64::from(s.files_free()),
    })
}

/// How long one statvfs may take before its mount is treated as stuck (node_exporter's
/// `--collector.filesystem.mount-timeout` default).
pub(crate) const MOUNT_TIMEOUT: Duration = Duration::from_secs(5);

/// The result for one mount: its statistics, an error (reported as a device error), or
/// `Skipped` when an earlier mount hung this collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Stats(FsStats),
    Error(String),
    Skipped,
}

/// Runs statvfs off the collecting thread, so a hanging mount costs one timeout and is then
/// skipped (reported as a device error) until its call returns.
#[derive(Debug, Default, Clone)]
pub(crate) struct Statter {
    stuck: Arc<Mutex<HashSet<String>>>,
}

impl Statter {
    pub fn stat_all(&self, mountpoints: Vec<String>, timeout: Duration) -> Vec<Outcome> {
        let n = mountpoints.len();
        let mut out = vec![Outcome::Skipped; n];
        let stuck: HashSet<String> = self.stuck.lock().map(|s| s.clone()).unwrap_or_default();
        let todo: Vec<(usize, String)> = mountpoints
            .into_iter()
            .enumerate()
            .filter(|(i, m)| {
                let hung = stuck.contains(m);
                if hung {
                    out[*i] =
                        Outcome::Error("stuck mount: an earlier statvfs has not returned".into());
                }
                !hung
            })
            .collect();
        if todo.is_empty() {
            return out;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = Arc::clone(&self.stuck);
        let worker = std::thread::Builder::new()
            .name("hivemind-statvfs".into())
            .stack_size(64 * 1024)
            .spawn(move || {
                for (i, m) in todo {
                    // In the set while the call runs: a call that outlives the collection
                    // marks its mount stuck for the next ones, until it returns.
                    if let Ok(mut s) = shared.lock() {
                        s.insert(m.clone());
                    }
                    let r = statvfs(&m);
                    if let Ok(mut s) = shared.lock() {
                        s.remove(&m);
                    }
                    if tx.send((i, r)).is_err() {
                        return;
                    }
                }
            });
        if let Err(e) = worker {
            for o in &mut out {
                if *o == Outcome::Skipped {
                    *o = Outcome::Error(format!("cannot start a statvfs thread: {e}"));
                }
            }
            return out;
        }
        let mut next = 0;
        loop {
            match rx.recv_timeout(timeout) {
                Ok((i, r)) => {
                    next = i + 1;
                    out[i] = match r {
                        Ok(s) => Outcome::Stats(s),
                        Err(e) => Outcome::Error(e),
                    };
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    // The worker hangs in the next mount it had to do; the ones after it
                    // stay `Skipped` this time.
                    if let Some(i) = (next..n).find(|i| out[*i] == Outcome::Skipped) {
                        out[i] = Outcome::Error("stuck mount: statvfs timed out".into());
                    }
                    break;
                }
            }
        }
        out
    }

    /// Mark `mountpoint` stuck, as a hanging call does.
    #[cfg(test)]
    fn mark(&self, mountpoint: &str) {
        if let Ok(mut s) = self.stuck.lock() {
            s.insert(mountpoint.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_lines() {
        let m = parse_mounts(
            "/dev/vda / ext4 rw,relatime 0 0\n/dev/sdb1 /mnt/my\\040disk\\134x vfat ro,noatime 0 0\nshort line\n",
        );
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].mountpoint, "/mnt/my disk\\x");
        assert!(m[1].read_only && !m[0].read_only);
        // Out of a byte's range, or too short: kept as written.
        assert_eq!(unescape("\\777\\0"), "\\777\\0");
        assert_eq!(unescape("a\\303\\251"), "a\u{e9}");
    }

    #[test]
    fn real_root() {
        let s = Statter::default();
        let out = s.stat_all(
            vec!["/".into(), "/nonexistent-hivemind".into()],
            MOUNT_TIMEOUT,
        );
        match &out[0] {
            Outcome::Stats(st) => assert!(st.blocks > 0 && st.block_size > 0),
            other => panic!("{other:?}"),
        }
        assert!(matches!(out[1], Outcome::Error(_)));
        s.mark("/");
        let out = s.stat_all(vec!["/".into()], MOUNT_TIMEOUT);
        assert!(matches!(out[0], Outcome::Error(_)));
    }
}
