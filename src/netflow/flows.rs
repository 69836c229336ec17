//! The accounting of TCP traffic between workloads: every socket of every network namespace
//! (the host's and each container's), its owner (the container whose process holds it, or
//! `host`), its peer (another local socket, or a bounded remote label), and per source and
//! destination the bytes, retransmits, connections and round-trip times, kept monotonic
//! across sockets that close.
//!
//! One [`Tracker`] lives as long as the collector; [`Tracker::collect`] runs at each
//! collection. Sockets are dumped per namespace (filtered by state in the kernel), closed
//! sockets come from the destroy events the kernel queued since the previous collection
//! (their final `tcp_info`), and `/proc/PID/fd` is read only for sockets whose owner is not
//! known yet.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};

use super::owners;
use super::snmp;
use super::sockdiag::{Counters, Diag, TCP_ESTABLISHED, TCP_LISTEN, TcpSocket};
use crate::error::{Error, Result};

/// The source of sockets held by processes outside containers.
pub const HOST: &str = "host";
/// The destination of outbound traffic to endpoints without their own label.
pub const EXTERNAL: &str = "external";
/// Source/destination pairs with series at most; the traffic of further pairs is counted
/// in [`Report::dropped_series`] instead.
pub const MAX_PAIRS: usize = 1000;
/// Remote endpoints per source that get their own `destination` label (the first ones to
/// carry the most bytes); the others are `external`.
pub const TOP_DESTINATIONS: usize = 10;
/// Remote endpoints remembered per collector while they wait for a label.
const MAX_UNLABELLED: usize = 10_000;
/// A pair without an open connection for this long loses its series (a container that is
/// gone), which makes room under [`MAX_PAIRS`] for new ones.
pub const PAIR_EXPIRY: std::time::Duration = std::time::Duration::from_secs(3600);
/// Upper bounds of the round-trip-time histogram, in seconds.
pub const RTT_BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// `TCP_TIME_WAIT` and `TCP_NEW_SYN_RECV`: mini-sockets without `tcp_info`.
const TCP_TIME_WAIT: u8 = 6;
const TCP_NEW_SYN_RECV: u8 = 12;
/// The states dumped for accounting: every socket that carries `tcp_info`.
const COUNTED_STATES: u32 = !((1 << TCP_LISTEN) | (1 << TCP_TIME_WAIT) | (1 << TCP_NEW_SYN_RECV));

/// A container (or another group of processes) and its processes.
#[derive(Debug, Clone)]
pub struct Workload {
    /// The `source`/`destination` label value (the container's name, or its short id).
    pub label: String,
    pub pids: Vec<u32>,
}

/// A series key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PairKey {
    pub source: String,
    pub destination: String,
}

/// What one source/destination pair carried, since the tracker started.
#[derive(Debug, Clone, Default)]
pub struct PairTotals {
    /// Bytes the source sent that the destination acknowledged.
    pub transmit_bytes: u64,
    /// Bytes the source received.
    pub receive_bytes: u64,
    /// Segments the source retransmitted.
    pub retransmits: u64,
    /// Observations of smoothed RTT per bucket of [`RTT_BUCKETS`] (not cumulative); the
    /// last slot is above the last bound.
    pub rtt_counts: [u64; RTT_BUCKETS.len() + 1],
    pub rtt_sum_seconds: f64,
    /// Established connections at the last collection.
    pub connections: u64,
    /// When a socket of the pair was last seen open.
    last_open: Option<std::time::Instant>,
}

impl PairTotals {
    /// Cumulative `(le, count)` buckets, as Prometheus wants them, and the total count.
    pub fn rtt_buckets(&self) -> (Vec<(f64, u64)>, u64) {
        let mut acc = 0;
        let buckets = RTT_BUCKETS
            .iter()
            .zip(self.rtt_counts)
            .map(|(le, n)| {
                acc += n;
                (*le, acc)
            })
            .collect();
        (buckets, acc + self.rtt_counts[RTT_BUCKETS.len()])
    }

    fn observe(&mut self, seconds: f64) {
        let at = RTT_BUCKETS
            .iter()
            .position(|le| seconds <= *le)
            .unwrap_or(RTT_BUCKETS.len());
        self.rtt_counts[at] += 1;
        self.rtt_sum_seconds += seconds;
    }
}

/// One collection's view.
#[derive(Debug)]
pub struct Report<'a> {
    pub pairs: &'a BTreeMap<PairKey, PairTotals>,
    /// `(source, kind, value)` from each namespace's counters ([`snmp::KINDS`]).
    pub errors: Vec<(String, &'static str, u64)>,
    /// Pairs refused by [`MAX_PAIRS`], summed over collections.
    pub dropped_series: u64,
    /// Destroy events the kernel dropped (receive buffer full), summed over collections.
    pub lost_events: u64,
}

/// Where a socket's traffic goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dest {
    /// Another local socket's owner: counted at the connecting end only.
    Local(String),
    /// A local listener reached from outside: the service `ip:port`.
    Inbound(String),
    /// A remote endpoint: its own label once promoted, else `external`.
    Outbound(SocketAddr),
    /// The accepting end of a connection between two local sockets (the other end counts).
    Skip,
}

#[derive(Debug)]
struct Sock {
    owner: String,
    dest: Dest,
    /// What has been added to the pair's totals so far.
    counted: Counters,
}

struct Namespace {
    diag: Diag,
    /// A process in it, for `/proc/PID/net`.
    pid: u32,
    /// Labels of the workloads in it, sorted.
    members: Vec<String>,
    host: bool,
}

impl Namespace {
    /// Who sockets of unknown owner, and the namespace's error counters, belong to.
    fn default_owner(&self) -> &str {
        if self.host {
            HOST
        } else {
            self.members.first().map_or(HOST, String::as_str)
        }
    }
}

/// A socket read in this collection, from a dump or a destroy event.
struct Seen {
    ns: u64,
    socket: TcpSocket,
    closed: bool,
}

/// Follows the sockets of every namespace between collections.
pub struct Tracker {
    proc_root: PathBuf,
    namespaces: HashMap<u64, Namespace>,
    sockets: HashMap<(u64, u64), Sock>,
    /// Socket inode → owner label, for the sockets alive at the last collection.
    owners: HashMap<u64, String>,
    pairs: BTreeMap<PairKey, PairTotals>,
    promoted: HashMap<String, HashSet<SocketAddr>>,
    unlabelled: HashMap<(String, SocketAddr), u64>,
    dropped_series: u64,
    lost_events: u64,
    /// [`MAX_PAIRS`], smaller in tests.
    max_pairs: usize,
    /// Buffers kept between collections: with thousands of sockets, allocating (and
    /// faulting in) them afresh each time cost more than reading the sockets.
    scratch: Scratch,
}

#[derive(Default)]
struct Scratch {
    seen: Vec<Seen>,
    dump: Vec<TcpSocket>,
    index: HashMap<(SocketAddr, SocketAddr), usize>,
    now: HashMap<(u64, u64), (Counters, bool, bool)>,
}

/// The inode of a `net:[4026531840]` namespace link.
fn ns_inode(path: &Path) -> Option<u64> {
    let link = std::fs::read_link(path).ok()?;
    link.to_str()?
        .strip_prefix("net:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// IPv4-mapped IPv6 addresses as IPv4: a dual-stack socket and its IPv4 peer then match.
fn canonical(a: SocketAddr) -> SocketAddr {
    SocketAddr::new(a.ip().to_canonical(), a.port())
}

fn is_permission(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EPERM | libc::EACCES))
}

impl Tracker {
    pub fn new(proc_root: &Path) -> Tracker {
        Tracker {
            proc_root: proc_root.to_path_buf(),
            namespaces: HashMap::new(),
            sockets: HashMap::new(),
            owners: HashMap::new(),
            pairs: BTreeMap::new(),
            promoted: HashMap::new(),
            unlabelled: HashMap::new(),
            dropped_series: 0,
            lost_events: 0,
            max_pairs: MAX_PAIRS,
            scratch: Scratch::default(),
        }
    }

    /// One collection over the host's namespace and the namespaces of `workloads`.
    /// Fails as a whole (no partial view) when a namespace cannot be entered or dumped.
    pub fn collect(&mut self, workloads: &[Workload]) -> Result<Report<'_>> {
        let wanted = self.namespaces_of(workloads)?;
        let mut scratch = std::mem::take(&mut self.scratch);
        let result = self.collect_with(&wanted, workloads, &mut scratch);
        scratch.seen.clear();
        scratch.dump.clear();
        scratch.index.clear();
        scratch.now.clear();
        self.scratch = scratch;
        result?;
        let mut errors = Vec::new();
        for n in self.namespaces.values() {
            // A namespace whose process just exited has no counters to read: skip it.
            let Ok(values) = snmp::read(&self.proc_root, n.pid) else {
                continue;
            };
            for ((kind, _, _), v) in snmp::KINDS.iter().zip(values) {
                errors.push((n.default_owner().to_string(), *kind, v));
            }
        }
        Ok(Report {
            pairs: &self.pairs,
            errors,
            dropped_series: self.dropped_series,
            lost_events: self.lost_events,
        })
    }

    /// The body of [`Tracker::collect`], over buffers that keep their allocations.
    fn collect_with(
        &mut self,
        wanted: &HashMap<u64, u32>,
        workloads: &[Workload],
        scratch: &mut Scratch,
    ) -> Result<()> {
        let Scratch {
            seen,
            dump: buf,
            index,
            now,
        } = scratch;
        let pid_label: HashMap<u32, &str> = workloads
            .iter()
            .flat_map(|w| w.pids.iter().map(move |p| (*p, w.label.as_str())))
            .collect();
        // Read every namespace: sockets with counters, listeners, and the destroyed ones.
        let mut listeners: HashMap<u64, HashSet<SocketAddr>> = HashMap::new();
        for (ns, n) in &mut self.namespaces {
            let dump = |e: io::Error| {
                Error::io(
                    format!("dumping the TCP sockets of network namespace {ns} (sock_diag)"),
                    e,
                )
            };
            // Events first: a socket destroyed after the dump then still has its last
            // reading there, and the event (later) wins by max.
            let destroyed = n.diag.destroyed().map_err(dump)?;
            if destroyed.overflowed {
                self.lost_events += 1;
            }
            if wanted.contains_key(ns) {
                buf.clear();
                let families = snmp::tcp_families_in_use(&self.proc_root, n.pid);
                n.diag
                    .dump_families_into(&families, COUNTED_STATES, buf)
                    .map_err(dump)?;
                seen.extend(buf.drain(..).map(|s| Seen {
                    ns: *ns,
                    socket: s,
                    closed: false,
                }));
                let l = n.diag.dump_states(1 << TCP_LISTEN).map_err(dump)?;
                listeners.insert(*ns, l.into_iter().map(|s| canonical(s.local)).collect());
            }
            for s in destroyed.sockets {
                seen.push(Seen {
                    ns: *ns,
                    socket: s,
                    closed: true,
                });
            }
        }
        for s in seen.iter_mut() {
            s.socket.local = canonical(s.socket.local);
            s.socket.remote = canonical(s.socket.remote);
        }

        self.resolve_owners(seen, workloads, &pid_label);
        let owner_of = |t: &Tracker, s: &Seen| -> String {
            if let Some(k) = t.sockets.get(&(s.ns, s.socket.cookie)) {
                return k.owner.clone();
            }
            if s.socket.inode != 0
                && let Some(o) = t.owners.get(&s.socket.inode)
            {
                return o.clone();
            }
            t.namespaces
                .get(&s.ns)
                .map_or(HOST, |n| n.default_owner())
                .to_string()
        };

        // Where each new socket's traffic goes, decided once.
        index.extend(
            seen.iter()
                .enumerate()
                .map(|(i, s)| ((s.socket.local, s.socket.remote), i)),
        );
        let is_server = |s: &Seen| -> bool {
            let Some(l) = listeners.get(&s.ns) else {
                return false;
            };
            let port = s.socket.local.port();
            l.contains(&s.socket.local)
                || l.contains(&SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port))
                || l.contains(&SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port))
        };
        let mut new_socks: Vec<((u64, u64), Sock)> = Vec::new();
        let mut new_keys = HashSet::new();
        for s in seen.iter() {
            let key = (s.ns, s.socket.cookie);
            if self.sockets.contains_key(&key) || !new_keys.insert(key) {
                continue;
            }
            let owner = owner_of(self, s);
            let dest = match index.get(&(s.socket.remote, s.socket.local)) {
                Some(&p) => {
                    let peer = &seen[p];
                    let client = match (is_server(s), is_server(peer)) {
                        (false, true) => true,
                        (true, false) => false,
                        // The ephemeral (higher) port is the connecting end.
                        _ => {
                            (s.socket.local.port(), s.socket.local)
                                >= (peer.socket.local.port(), peer.socket.local)
                        }
                    };
                    if client {
                        Dest::Local(owner_of(self, peer))
                    } else {
                        Dest::Skip
                    }
                }
                None if is_server(s) => Dest::Inbound(s.socket.local.to_string()),
                None => Dest::Outbound(s.socket.remote),
            };
            new_socks.push((
                key,
                Sock {
                    owner,
                    dest,
                    // tcp_info counts the SYN as one acknowledged byte.
                    counted: Counters {
                        tx_bytes: 1,
                        ..Counters::default()
                    },
                },
            ));
        }
        self.sockets.extend(new_socks);

        // Readings per socket: the largest of what the dump and the destroy event say.
        for s in seen.iter() {
            let Some(c) = s.socket.counters else {
                continue;
            };
            let established = !s.closed && s.socket.state == TCP_ESTABLISHED;
            now.entry((s.ns, s.socket.cookie))
                .and_modify(|(old, est, closed)| {
                    *old = old.max(c);
                    *est &= established;
                    *closed |= s.closed;
                })
                .or_insert((c, established, s.closed));
        }

        // Outbound endpoints carrying the most bytes get their own label while there is room.
        for (key, (c, _, _)) in now.iter() {
            if let Some(sock) = self.sockets.get(key)
                && let Dest::Outbound(addr) = sock.dest
                && !self
                    .promoted
                    .get(&sock.owner)
                    .is_some_and(|p| p.contains(&addr))
            {
                let bytes = c.tx_bytes.saturating_sub(sock.counted.tx_bytes)
                    + c.rx_bytes.saturating_sub(sock.counted.rx_bytes);
                *self
                    .unlabelled
                    .entry((sock.owner.clone(), addr))
                    .or_insert(0) += bytes;
            }
        }
        self.promote();

        let collected_at = std::time::Instant::now();
        for p in self.pairs.values_mut() {
            p.connections = 0;
        }
        let mut refused: HashSet<PairKey> = HashSet::new();
        for (key, (c, established, _)) in now.iter() {
            let Some(sock) = self.sockets.get_mut(key) else {
                continue;
            };
            let destination = match &sock.dest {
                Dest::Skip => continue,
                Dest::Local(d) | Dest::Inbound(d) => d.clone(),
                Dest::Outbound(a) => {
                    if self
                        .promoted
                        .get(&sock.owner)
                        .is_some_and(|p| p.contains(a))
                    {
                        a.to_string()
                    } else {
                        EXTERNAL.to_string()
                    }
                }
            };
            let pair = PairKey {
                source: sock.owner.clone(),
                destination,
            };
            if !self.pairs.contains_key(&pair) && self.pairs.len() >= self.max_pairs {
                if refused.insert(pair) {
                    self.dropped_series += 1;
                }
                sock.counted = sock.counted.max(*c);
                continue;
            }
            let t = self.pairs.entry(pair).or_default();
            t.last_open = Some(collected_at);
            t.transmit_bytes += c.tx_bytes.saturating_sub(sock.counted.tx_bytes);
            t.receive_bytes += c.rx_bytes.saturating_sub(sock.counted.rx_bytes);
            t.retransmits += c.retransmits.saturating_sub(sock.counted.retransmits);
            if *established {
                t.connections += 1;
                if c.rtt_us > 0 {
                    t.observe(f64::from(c.rtt_us) / 1e6);
                }
            }
            sock.counted = sock.counted.max(*c);
        }

        // Forget closed and vanished sockets, and namespaces no workload is in any more.
        self.sockets
            .retain(|key, _| now.get(key).is_some_and(|(_, _, closed)| !closed));
        let live: HashSet<u64> = seen
            .iter()
            .filter(|s| !s.closed)
            .map(|s| s.socket.inode)
            .collect();
        self.owners.retain(|inode, _| live.contains(inode));
        self.namespaces.retain(|ns, _| wanted.contains_key(ns));
        self.pairs.retain(|_, t| {
            t.last_open
                .is_some_and(|at| collected_at.duration_since(at) < PAIR_EXPIRY)
        });
        let sources: HashSet<&str> = self.pairs.keys().map(|k| k.source.as_str()).collect();
        self.promoted
            .retain(|source, _| sources.contains(source.as_str()));

        Ok(())
    }

    /// The namespaces to read (ns inode → a process in it), opening the new ones.
    fn namespaces_of(&mut self, workloads: &[Workload]) -> Result<HashMap<u64, u32>> {
        let own = ns_inode(&self.proc_root.join("self/ns/net"));
        let (host, host_pid) = match ns_inode(&self.proc_root.join("1/ns/net")) {
            Some(ns) => (Some(ns), 1),
            None => (own, std::process::id()),
        };
        let mut wanted: HashMap<u64, (u32, Vec<String>)> = HashMap::new();
        if let Some(h) = host {
            wanted.insert(h, (host_pid, Vec::new()));
        }
        for w in workloads {
            // A container's processes share one namespace: the first that answers tells.
            let mut found = None;
            for pid in w.pids.iter().take(3) {
                let path = self.proc_root.join(pid.to_string()).join("ns/net");
                match std::fs::read_link(&path) {
                    Ok(_) => {
                        found = ns_inode(&path).map(|ns| (ns, *pid));
                        break;
                    }
                    Err(e) if is_permission(&e) => {
                        return Err(Error::Usage(format!(
                            "cannot read the network namespace of {} (process {pid}): {e}; \
                             reading a container's sockets needs root (CAP_SYS_PTRACE to see \
                             its namespace, CAP_SYS_ADMIN for setns, CAP_NET_ADMIN for \
                             sock_diag)",
                            w.label
                        )));
                    }
                    // Exited since the cgroup was read: try the next one.
                    Err(_) => {}
                }
            }
            if let Some((ns, pid)) = found {
                wanted
                    .entry(ns)
                    .or_insert((pid, Vec::new()))
                    .1
                    .push(w.label.clone());
            }
        }
        for (ns, (pid, members)) in &mut wanted {
            members.sort();
            members.dedup();
            let is_host = Some(*ns) == host;
            if let Some(n) = self.namespaces.get_mut(ns) {
                n.members = members.clone();
                n.pid = *pid;
                continue;
            }
            let path = self.proc_root.join(pid.to_string()).join("ns/net");
            let here = Some(*ns) == own;
            let diag = match Diag::open(if here { None } else { Some(&path) }, true) {
                Ok(d) => d,
                Err(e) if is_permission(&e) => {
                    let whose = members.first().map_or(HOST, String::as_str);
                    return Err(Error::Usage(format!(
                        "cannot enter the network namespace of {whose} (process {pid}): {e}; \
                         reading its sockets needs CAP_SYS_ADMIN (setns) and CAP_NET_ADMIN \
                         (sock_diag): run the agent as root"
                    )));
                }
                // The process exited since the cgroup was read: the next collection sees.
                Err(_) => continue,
            };
            if !diag.has_events() {
                return Err(Error::Usage(format!(
                    "the kernel refused TCP destroy events in the network namespace of {} \
                     (process {pid}): they need CAP_NET_ADMIN",
                    members.first().map_or(HOST, String::as_str)
                )));
            }
            self.namespaces.insert(
                *ns,
                Namespace {
                    diag,
                    pid: *pid,
                    members: members.clone(),
                    host: is_host,
                },
            );
        }
        Ok(wanted.into_iter().map(|(ns, (pid, _))| (ns, pid)).collect())
    }

    /// Find the owners of new sockets in namespaces that more than one party uses (the
    /// host's, a pod's), reading `/proc/PID/fd` of the candidates only.
    fn resolve_owners(
        &mut self,
        seen: &[Seen],
        workloads: &[Workload],
        pid_label: &HashMap<u32, &str>,
    ) {
        let mut budget = owners::MAX_FD_READS;
        let mut all_pids: Option<Vec<u32>> = None;
        let mut by_ns: HashMap<u64, HashSet<u64>> = HashMap::new();
        for s in seen {
            let i = s.socket.inode;
            if i == 0
                || self.owners.contains_key(&i)
                || self.sockets.contains_key(&(s.ns, s.socket.cookie))
            {
                continue;
            }
            by_ns.entry(s.ns).or_default().insert(i);
        }
        for (ns, inodes) in by_ns {
            let Some(n) = self.namespaces.get(&ns) else {
                continue;
            };
            if !n.host && n.members.len() == 1 {
                // A container's own namespace: every socket in it is the container's.
                for i in inodes {
                    self.owners.insert(i, n.members[0].clone());
                }
                continue;
            }
            let candidates: Vec<u32> = if n.host {
                // Everyone except the processes of containers with their own namespace.
                let private: HashSet<u32> = workloads
                    .iter()
                    .filter(|w| !n.members.contains(&w.label))
                    .flat_map(|w| w.pids.iter().copied())
                    .collect();
                all_pids
                    .get_or_insert_with(|| owners::all_pids(&self.proc_root))
                    .iter()
                    .copied()
                    .filter(|p| !private.contains(p))
                    .collect()
            } else {
                workloads
                    .iter()
                    .filter(|w| n.members.contains(&w.label))
                    .flat_map(|w| w.pids.iter().copied())
                    .collect()
            };
            let found = owners::scan(&self.proc_root, &candidates, &inodes, &mut budget);
            let default = n.default_owner().to_string();
            for i in inodes {
                match found.owners.get(&i) {
                    Some(pid) => {
                        let label = pid_label.get(pid).copied().unwrap_or(HOST);
                        self.owners.insert(i, label.to_string());
                    }
                    // Read everywhere and not found: a socket of no process (closing).
                    None if found.complete => {
                        self.owners.insert(i, default.clone());
                    }
                    None => {}
                }
            }
        }
    }

    /// Give free label slots to the unlabelled endpoints with the most bytes, and keep the
    /// waiting list bounded.
    fn promote(&mut self) {
        let mut waiting: Vec<(&(String, SocketAddr), &u64)> =
            self.unlabelled.iter().filter(|(_, b)| **b > 0).collect();
        waiting.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let mut done = Vec::new();
        for ((source, addr), _) in waiting {
            let slots = self.promoted.entry(source.clone()).or_default();
            if slots.len() < TOP_DESTINATIONS {
                slots.insert(*addr);
                done.push((source.clone(), *addr));
            }
        }
        for k in done {
            self.unlabelled.remove(&k);
        }
        if self.unlabelled.len() > MAX_UNLABELLED {
            let mut v: Vec<_> = self.unlabelled.drain().collect();
            v.sort_by_key(|e| std::cmp::Reverse(e.1));
            v.truncate(MAX_UNLABELLED / 2);
            self.unlabelled.extend(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    /// Skip a test that needs something this machine lacks, except in CI.
    #[allow(clippy::print_stderr)]
    fn skip(why: &str) {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "CI=true and {why}"
        );
        eprintln!("skipped: {why}");
    }

    fn pair<'a>(r: &'a Report, source: &str, destination: &str) -> Option<&'a PairTotals> {
        r.pairs.get(&PairKey {
            source: source.into(),
            destination: destination.into(),
        })
    }

    /// A shell (a "container" of one process) sends 100 000 bytes to our listener: the
    /// pair is counted once, at the connecting end, and stays after the socket closes.
    #[test]
    fn a_loopback_connection_counts_once_and_survives_its_close() {
        if !is_root() {
            skip("not root");
            return;
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut shell = shell_sender(port, 100_000);
        let (mut conn, _) = listener.accept().unwrap();
        let mut got = vec![0u8; 100_000];
        conn.read_exact(&mut got).unwrap();
        let me = vec![Workload {
            label: "sender".into(),
            pids: vec![shell.id()],
        }];
        let mut t = Tracker::new(Path::new("/proc"));
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let r = t.collect(&me).unwrap();
            let p = pair(&r, "sender", HOST).cloned();
            assert!(pair(&r, HOST, "sender").is_none(), "counted twice");
            if p.as_ref().is_some_and(|p| p.transmit_bytes == 100_000) {
                let p = p.unwrap();
                assert_eq!(p.connections, 1);
                assert_eq!(p.rtt_buckets().1, 1, "one RTT observation");
                break;
            }
            assert!(Instant::now() < deadline, "{p:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
        // The shell exits: its socket closes and is destroyed (we close ours too).
        drop(shell.stdin.take());
        shell.wait().unwrap();
        drop(conn);
        // The destroy event brings the final count, FIN included: a socket that merely
        // vanished would stay at 100 000.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            std::thread::sleep(Duration::from_millis(50));
            let r = t.collect(&me).unwrap();
            let p = pair(&r, "sender", HOST).cloned().unwrap();
            assert!((100_000..=100_001).contains(&p.transmit_bytes), "{p:?}");
            if p.transmit_bytes == 100_001 {
                assert_eq!(p.connections, 0);
                break;
            }
            assert!(Instant::now() < deadline, "no destroy event: {p:?}");
        }
        assert!(t.sockets.values().all(|s| s.owner != "sender"));
        let r = t.collect(&me).unwrap();
        assert_eq!(pair(&r, "sender", HOST).unwrap().transmit_bytes, 100_001);
        for (kind, _, _) in snmp::KINDS {
            assert!(
                r.errors.iter().any(|(s, k, _)| s == HOST && *k == kind),
                "{kind}"
            );
        }
    }

    /// A shell that connects to 127.0.0.1:`port`, sends `bytes` and waits for its stdin.
    fn shell_sender(port: u16, bytes: usize) -> std::process::Child {
        // Builtins only: the socket is the shell's alone.
        let script =
            format!("exec 3<>/dev/tcp/127.0.0.1/{port}; printf '%{bytes}s' '' >&3; read -r _ <&0");
        Command::new("bash")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn is_root() -> bool {
        std::fs::read_to_string("/proc/self/status")
            .unwrap()
            .lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    }

    #[test]
    fn pairs_over_the_cap_are_dropped_and_counted() {
        if !is_root() {
            skip("not root");
            return;
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut a = shell_sender(port, 10);
        let (_ca, _) = listener.accept().unwrap();
        let mut b = shell_sender(port, 10);
        let (_cb, _) = listener.accept().unwrap();
        let workloads = vec![
            Workload {
                label: "a".into(),
                pids: vec![a.id()],
            },
            Workload {
                label: "b".into(),
                pids: vec![b.id()],
            },
        ];
        // Room for one pair: a and b (and whatever else the host talks) compete for it.
        let mut t = Tracker::new(Path::new("/proc"));
        t.max_pairs = 1;
        let r = t.collect(&workloads).unwrap();
        let keys: Vec<_> = r.pairs.keys().collect();
        assert_eq!(r.pairs.len(), 1, "{keys:?}");
        assert!(r.dropped_series >= 1, "{keys:?}");
        // The one pair keeps its series; the refused ones are counted again each time.
        let before = r.dropped_series;
        let r = t.collect(&workloads).unwrap();
        assert_eq!(r.pairs.len(), 1);
        assert!(r.dropped_series > before);
        for c in [&mut a, &mut b] {
            drop(c.stdin.take());
            c.wait().unwrap();
        }
    }

    #[test]
    fn the_busiest_endpoints_get_labels_and_keep_them() {
        let mut t = Tracker::new(Path::new("/nonexistent"));
        let addr = |i: u16| SocketAddr::from(([10, 0, 0, 1], i));
        for i in 0..(TOP_DESTINATIONS as u16 + 5) {
            t.unlabelled.insert(("c".into(), addr(i)), u64::from(i) + 1);
        }
        t.promote();
        let got = &t.promoted["c"];
        assert_eq!(got.len(), TOP_DESTINATIONS);
        // The five with the fewest bytes wait.
        assert!((0..5).all(|i| !got.contains(&addr(i))));
        assert_eq!(t.unlabelled.len(), 5);
        t.unlabelled.insert(("c".into(), addr(999)), 1 << 40);
        t.promote();
        assert!(
            !t.promoted["c"].contains(&addr(999)),
            "no slot is taken back"
        );
    }

    #[test]
    fn histogram_buckets_are_cumulative() {
        let mut t = PairTotals::default();
        t.observe(0.0002);
        t.observe(0.07);
        t.observe(9.0);
        let (b, n) = t.rtt_buckets();
        assert_eq!(n, 3);
        assert_eq!(b[0], (0.0001, 0));
        assert_eq!(b[1], (0.00025, 1));
        assert_eq!(b.last().unwrap(), &(2.5, 2));
        assert!((t.rtt_sum_seconds - 9.0702).abs() < 1e-9);
    }
}
