//! Network profiles: bytes and segments of each TCP connection of the target over the
//! window, from sock_diag `tcp_info` counters matched to the target's socket inodes. The
//! total is the target's own traffic: interface counters, which count every process of the
//! network namespace, are not part of it (the container metrics carry them).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use super::pprof::{Builder, LabelValue};
use super::{Cancel, Process};
use crate::error::{Error, Result};
use crate::netflow::sockdiag::{Counters, Diag};

/// How often sockets are polled. A connection opened and closed between two polls is not
/// seen (its descriptor never shows in /proc/PID/fd next to a dump that has it); one that
/// closes is counted to its end from the kernel's destroy event, matched by cookie.
pub const POLL: Duration = Duration::from_millis(100);
/// Descriptors looked at per process and poll.
const MAX_FDS: usize = 65_536;

/// A connection followed over the window.
#[derive(Debug, Clone)]
struct Conn {
    pid: u32,
    local: SocketAddr,
    remote: SocketAddr,
    base: Counters,
    last: Counters,
}

/// Sample `procs` for `duration`.
pub fn sample(procs: &[Process], duration: Duration, cancel: &Cancel) -> Result<Vec<u8>> {
    let started_at = SystemTime::now();
    // One diag socket per network namespace of the targets.
    let own_ns = std::fs::read_link("/proc/self/ns/net").ok();
    let mut namespaces: BTreeMap<String, (PathBuf, Vec<Process>)> = BTreeMap::new();
    for p in procs {
        let path = PathBuf::from(format!("/proc/{}/ns/net", p.pid));
        let Ok(ns) = std::fs::read_link(&path) else {
            continue;
        };
        let entry = namespaces
            .entry(ns.display().to_string())
            .or_insert_with(|| (path, Vec::new()));
        entry.1.push(p.clone());
    }
    if namespaces.is_empty() {
        return Err(Error::NotFound(
            "the target processes exited before the profile started".into(),
        ));
    }
    let mut diags = Vec::new();
    for (ns, (path, members)) in &namespaces {
        let same = own_ns
            .as_ref()
            .is_some_and(|o| o.display().to_string() == *ns);
        let diag = Diag::open(if same { None } else { Some(path) }, true).map_err(|e| {
            let p = &members[0];
            if matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES)) {
                Error::Usage(format!(
                    "cannot enter the network namespace of process {} ({}): {e}; reading \
                     another namespace's sockets needs root (CAP_SYS_ADMIN)",
                    p.pid, p.name
                ))
            } else {
                Error::io(format!("sock_diag for process {} ({})", p.pid, p.name), e)
            }
        })?;
        diags.push((diag, members.clone()));
    }

    let started = Instant::now();
    let mut conns: HashMap<u64, Conn> = HashMap::new();
    let mut first = true;
    let mut overflowed = false;
    loop {
        for (diag, members) in diags.iter_mut() {
            overflowed |= poll(diag, members, &mut conns, first)?;
        }
        first = false;
        if started.elapsed() >= duration {
            break;
        }
        cancel.check()?;
        std::thread::sleep(POLL.min(duration.saturating_sub(started.elapsed())));
    }
    let elapsed = started.elapsed();

    let mut b = Builder::new(&[
        ("tx", "bytes"),
        ("rx", "bytes"),
        ("tx_segments", "count"),
        ("rx_segments", "count"),
    ]);
    b.default_sample_type("tx");
    b.timing(started_at, elapsed);
    let names: HashMap<u32, &str> = procs.iter().map(|p| (p.pid, p.name.as_str())).collect();
    let mut sorted: Vec<&Conn> = conns.values().collect();
    sorted.sort_by_key(|c| (c.pid, c.local, c.remote));
    for c in sorted {
        let d = delta(&c.base, &c.last);
        if d == [0; 4] {
            continue;
        }
        let process = b.frame(&format!(
            "{} (pid {})",
            names.get(&c.pid).copied().unwrap_or("?"),
            c.pid
        ));
        let local = b.frame(&format!("local {}", c.local));
        let remote = b.frame(&c.remote.to_string());
        b.sample(
            vec![remote, local, process],
            &d,
            vec![("source".into(), LabelValue::Str("tcp".into()))],
        );
    }
    b.comment(&format!(
        "TCP connections of the target only: tcp_info bytes acknowledged by the peer (tx) and \
         received (rx), polled every {} ms; a socket that closes is counted to its end from \
         the kernel's destroy event",
        POLL.as_millis()
    ));
    b.comment(&format!(
        "not counted: connections opened and closed between two polls (under {} ms), and \
         other processes' traffic in the same network namespace (see the \
         hivemind_container_network_* metrics for whole interfaces)",
        POLL.as_millis()
    ));
    if diags.iter().any(|(d, _)| !d.has_events()) {
        b.comment(
            "destroy events were refused by the kernel: a socket that closed is counted up to \
             its last poll",
        );
    }
    if overflowed {
        b.comment(
            "destroy events were dropped by the kernel (receive buffer full): some closed \
             sockets are counted up to their last poll",
        );
    }
    b.finish()
}

fn delta(from: &Counters, to: &Counters) -> [i64; 4] {
    let d = |a: u64, b: u64| i64::try_from(b.saturating_sub(a)).unwrap_or(i64::MAX);
    [
        d(from.tx_bytes, to.tx_bytes),
        d(from.rx_bytes, to.rx_bytes),
        d(from.tx_segments, to.tx_segments),
        d(from.rx_segments, to.rx_segments),
    ]
}

/// One poll: the targets' socket inodes, the namespace's TCP sockets, every match, and the
/// final counters of the followed sockets the kernel destroyed since the last poll.
/// Sockets seen in the first poll count from their counters then; later ones were opened
/// during the window and count from zero. Returns whether destroy events were lost.
fn poll(
    diag: &mut Diag,
    members: &[Process],
    conns: &mut HashMap<u64, Conn>,
    first: bool,
) -> Result<bool> {
    let mut inodes: HashMap<u64, u32> = HashMap::new();
    for p in members {
        socket_inodes(p.pid, &mut inodes);
    }
    let sockets = diag
        .dump()
        .map_err(|e| Error::io("dumping TCP sockets (sock_diag)", e))?;
    for s in sockets {
        // TIME_WAIT and request sockets carry no counters; the last reading stands.
        let Some(counters) = s.counters else {
            continue;
        };
        if let Some(c) = conns.get_mut(&s.cookie) {
            c.last = c.last.max(counters);
            continue;
        }
        if let Some(pid) = inodes.get(&s.inode).filter(|_| s.inode != 0) {
            conns.insert(
                s.cookie,
                Conn {
                    pid: *pid,
                    local: s.local,
                    remote: s.remote,
                    base: if first {
                        counters
                    } else {
                        // Opened during the window: everything counts except the SYN,
                        // which tcp_info counts as one acknowledged byte.
                        Counters {
                            tx_bytes: 1,
                            ..Counters::default()
                        }
                    },
                    last: counters,
                },
            );
        }
    }
    // The destroy message has no inode (the descriptor is gone): followed sockets are
    // matched by cookie, which the kernel keeps for the socket's life.
    let destroyed = diag
        .destroyed()
        .map_err(|e| Error::io("reading TCP destroy events (sock_diag)", e))?;
    for s in destroyed.sockets {
        if let (Some(c), Some(counters)) = (conns.get_mut(&s.cookie), s.counters) {
            c.last = c.last.max(counters);
        }
    }
    Ok(destroyed.overflowed)
}

/// Socket inodes of a process's descriptors (`socket:[12345]`).
fn socket_inodes(pid: u32, out: &mut HashMap<u64, u32>) {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return;
    };
    for entry in dir.filter_map(|e| e.ok()).take(MAX_FDS) {
        if let Ok(target) = std::fs::read_link(entry.path())
            && let Some(inode) = target
                .to_str()
                .and_then(|t| t.strip_prefix("socket:["))
                .and_then(|t| t.strip_suffix(']'))
                .and_then(|t| t.parse().ok())
        {
            out.insert(inode, pid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_own_socket_inodes() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut m = HashMap::new();
        socket_inodes(std::process::id(), &mut m);
        assert!(!m.is_empty(), "listener {l:?} has an inode");
    }
}
