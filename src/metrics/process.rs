//! Per-process sources read straight from /proc: stat, status, io and the network namespace.

use std::io;
use std::path::Path;

use super::netdev::{self, NetDev};
use super::node::USER_HZ;
use crate::containers::cgroup::{is_gone, read_opt};

/// `PF_KTHREAD` in the `flags` field of /proc/<pid>/stat.
const PF_KTHREAD: u64 = 0x0020_0000;

/// The fields of /proc/<pid>/stat we use.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProcStat {
    pub pid: u32,
    /// `comm`, converted lossily: it is 16 arbitrary bytes chosen by the process.
    pub comm: String,
    pub state: u8,
    pub kernel_thread: bool,
    /// utime + stime.
    pub cpu_seconds: f64,
    /// Ticks after boot; with the pid it identifies a process across pid reuse.
    pub start_ticks: u64,
}

pub(crate) fn parse_stat(pid: u32, bytes: &[u8]) -> Option<ProcStat> {
    // comm may itself contain `)` and spaces: it runs from the first `(` to the last `)`.
    let open = bytes.iter().position(|&b| b == b'(')?;
    let close = bytes.iter().rposition(|&b| b == b')')?;
    if close < open {
        return None;
    }
    let comm = String::from_utf8_lossy(&bytes[open + 1..close]).into_owned();
    let rest = std::str::from_utf8(bytes.get(close + 1..)?).ok()?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // f[0] is field 3 (state) of proc(5).
    let num = |i: usize| f.get(i).and_then(|s| s.parse::<u64>().ok());
    let state = *f.first()?.as_bytes().first()?;
    let flags = num(6)?;
    let ticks = num(11)?.saturating_add(num(12)?);
    Some(ProcStat {
        pid,
        comm,
        state,
        kernel_thread: flags & PF_KTHREAD != 0,
        cpu_seconds: ticks as f64 / USER_HZ,
        start_ticks: num(19)?,
    })
}

/// Every user-space process (thread groups only: /proc lists no thread ids), skipping
/// kernel threads and processes that exit while we read.
pub(crate) fn list(proc_root: &Path) -> io::Result<Vec<ProcStat>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(proc_root)?.filter_map(|e| e.ok()) {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(bytes) = std::fs::read(entry.path().join("stat")) else {
            continue;
        };
        if let Some(stat) = parse_stat(pid, &bytes)
            && !stat.kernel_thread
        {
            out.push(stat);
        }
    }
    Ok(out)
}

/// Resident set size from /proc/<pid>/status, in bytes.
pub(crate) fn rss_bytes(proc_root: &Path, pid: u32) -> io::Result<Option<u64>> {
    let text = read_opt(&proc_root.join(pid.to_string()).join("status"))?;
    Ok(text.as_deref().and_then(|t| kb_field(t, "VmRSS:")))
}

fn kb_field(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line[key.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

/// The identity of a process's network namespace (`net:[4026531833]`).
pub(crate) fn netns(proc_root: &Path, pid: &str) -> io::Result<String> {
    std::fs::read_link(proc_root.join(pid).join("ns/net")).map(|p| p.to_string_lossy().into_owned())
}

/// The host's network namespace: that of pid 1. Where pid 1 cannot be inspected (it is
/// not dumpable in some sandboxes) our own stands in, as a node agent shares the host's.
pub(crate) fn host_netns(proc_root: &Path) -> io::Result<String> {
    netns(proc_root, "1").or_else(|_| netns(proc_root, "self"))
}

/// Interfaces (without `lo`) of the network namespace `pid` is in, when that is not the
/// host's: a container's own traffic. `None` when the process shares the host's network
/// or is gone.
pub(crate) fn private_traffic(
    proc_root: &Path,
    pid: u32,
    host: &str,
) -> io::Result<Option<Vec<NetDev>>> {
    let pid = pid.to_string();
    let ns = match netns(proc_root, &pid) {
        Ok(ns) => ns,
        Err(e) if is_gone(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    if ns == host {
        return Ok(None);
    }
    let Some(text) = read_opt(&proc_root.join(&pid).join("net/dev"))? else {
        return Ok(None);
    };
    let mut devs = netdev::parse(&text);
    devs.retain(|d| d.interface != "lo");
    Ok(Some(devs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_hostile_comm() {
        let mut bytes = b"4242 (a) b\xff\"\\\n) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 12345 1000 10".to_vec();
        bytes.push(b'\n');
        let s = parse_stat(4242, &bytes).unwrap();
        assert_eq!(s.comm, "a) b\u{fffd}\"\\\n");
        assert_eq!(s.state, b'S');
        assert!(!s.kernel_thread);
        assert_eq!(s.cpu_seconds, 3.0);
        assert_eq!(s.start_ticks, 12345);
    }

    #[test]
    fn kernel_threads_and_garbage() {
        let kthread = b"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 2 0 0";
        assert!(parse_stat(2, kthread).unwrap().kernel_thread);
        assert_eq!(parse_stat(1, b""), None);
        assert_eq!(parse_stat(1, b"1 )x( S"), None);
        assert_eq!(parse_stat(1, b"1 (x) S 1 2"), None);
    }

    #[test]
    fn our_own_process_is_listed() {
        let me = std::process::id();
        let all = list(Path::new("/proc")).unwrap();
        let mine = all.iter().find(|p| p.pid == me).unwrap();
        assert!(!mine.comm.is_empty());
        assert!(all.iter().all(|p| !p.kernel_thread));
        assert!(rss_bytes(Path::new("/proc"), me).unwrap().unwrap() > 0);
        assert_eq!(rss_bytes(Path::new("/proc"), u32::MAX).unwrap(), None);
    }

    #[test]
    fn status_fields() {
        assert_eq!(
            kb_field("Name: x\nVmRSS:\t  1234 kB\n", "VmRSS:"),
            Some(1234 * 1024)
        );
        assert_eq!(kb_field("Name: x\n", "VmRSS:"), None);
    }

    #[test]
    fn host_netns_is_ours_or_init() {
        let host = host_netns(Path::new("/proc")).unwrap();
        assert!(host.starts_with("net:["), "{host}");
        let me = std::process::id();
        assert_eq!(
            private_traffic(Path::new("/proc"), me, &host).unwrap(),
            None
        );
    }
}
