//! NETLINK_SOCK_DIAG: dump the TCP sockets of a network namespace with their `tcp_info`
//! counters, and follow the sockets the kernel destroys (`SKNLGRP_INET_TCP_DESTROY`), whose
//! last message carries their final `tcp_info`. The netlink sockets are made inside the
//! target's namespace (`setns` on a short-lived thread) and keep reading that namespace
//! after the thread is gone; `setns` and the two socket options are the unsafe calls here.
#![allow(unsafe_code)]

use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

const NETLINK_SOCK_DIAG: i32 = 4;
const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_DUMP: u16 = 0x300;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const INET_DIAG_INFO: u16 = 2;
/// `TCP_LISTEN`, the state of listening sockets.
pub const TCP_LISTEN: u8 = 10;
/// `TCP_ESTABLISHED`.
pub const TCP_ESTABLISHED: u8 = 1;
/// The multicast groups of NETLINK_SOCK_DIAG that announce destroyed TCP sockets.
const SKNLGRP_INET_TCP_DESTROY: i32 = 1;
const SKNLGRP_INET6_TCP_DESTROY: i32 = 3;
/// Receive buffer of the destroy-event socket: room for ~10 000 events between two reads.
const EVENT_BUFFER: i32 = 4 << 20;
const NLMSG_HDR: usize = 16;
const INET_DIAG_MSG: usize = 72;

/// One TCP socket of the dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpSocket {
    /// The kernel's unique id for the socket; stays the same after the descriptor is closed.
    pub cookie: u64,
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub state: u8,
    /// 0 once no descriptor refers to the socket (closed, still finishing).
    pub inode: u64,
    /// `None` for sockets without `tcp_info` (TIME_WAIT, pending requests).
    pub counters: Option<Counters>,
}

/// Counters from `tcp_info` (kernel 4.2+ for the byte and segment counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// `tcpi_bytes_acked`: bytes the peer acknowledged (the SYN and FIN count one each).
    pub tx_bytes: u64,
    /// `tcpi_bytes_received`: payload bytes received.
    pub rx_bytes: u64,
    pub tx_segments: u64,
    pub rx_segments: u64,
    /// `tcpi_total_retrans`: segments retransmitted over the connection's life.
    pub retransmits: u64,
    /// `tcpi_rtt`: the smoothed round-trip time, in microseconds (0 before any sample).
    pub rtt_us: u32,
    /// `tcpi_lost`: segments currently presumed lost (a gauge, not a total).
    pub lost: u32,
}

impl Counters {
    /// Each counter the larger of the two: readings of one socket only grow, and a
    /// destroy event may arrive before or after the last dump that still showed it.
    pub fn max(self, o: Counters) -> Counters {
        Counters {
            tx_bytes: self.tx_bytes.max(o.tx_bytes),
            rx_bytes: self.rx_bytes.max(o.rx_bytes),
            tx_segments: self.tx_segments.max(o.tx_segments),
            rx_segments: self.rx_segments.max(o.rx_segments),
            retransmits: self.retransmits.max(o.retransmits),
            rtt_us: o.rtt_us,
            lost: o.lost,
        }
    }
}

/// What a read of destroy events found.
#[derive(Debug, Default)]
pub struct Destroyed {
    pub sockets: Vec<TcpSocket>,
    /// The kernel dropped events because the receive buffer was full (ENOBUFS): the
    /// sockets destroyed then are counted up to their last dump.
    pub overflowed: bool,
}

/// A sock_diag socket bound to one network namespace, and optionally its subscription to
/// destroy events.
pub struct Diag {
    sock: Socket,
    events: Option<Socket>,
    seq: u32,
    buf: Vec<u8>,
}

/// Run `f` in the network namespace at `netns` (`/proc/PID/ns/net`), or here for `None`.
/// Sockets made by `f` stay in that namespace.
pub fn in_netns<T: Send>(
    netns: Option<&Path>,
    f: impl FnOnce() -> io::Result<T> + Send,
) -> io::Result<T> {
    let Some(path) = netns else {
        return f();
    };
    let ns = std::fs::File::open(path)?;
    // setns changes the calling thread only; a scratch thread keeps ours as it is.
    std::thread::scope(|s| {
        s.spawn(|| {
            // SAFETY: `ns` is an open namespace descriptor that outlives the call; setns
            // only affects this scratch thread, which ends right after.
            let rc = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
            if rc != 0 {
                return Err(io::Error::last_os_error());
            }
            f()
        })
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("namespace thread failed")))
    })
}

impl Diag {
    /// A socket in the network namespace at `netns` (`/proc/PID/ns/net`), or in ours.
    /// With `events`, also a subscription to the namespace's TCP destroy events; a kernel
    /// that refuses it (EPERM without CAP_NET_ADMIN in older kernels) leaves `events` off,
    /// which [`Diag::has_events`] tells.
    pub fn open(netns: Option<&Path>, events: bool) -> io::Result<Diag> {
        let (sock, events) = in_netns(netns, || {
            let sock = new_socket()?;
            let ev = if events { subscribe().ok() } else { None };
            Ok((sock, ev))
        })?;
        sock.set_read_timeout(Some(Duration::from_secs(2)))?;
        Ok(Diag {
            sock,
            events,
            seq: 0,
            buf: vec![0; 64 * 1024],
        })
    }

    /// Whether destroy events are being received.
    pub fn has_events(&self) -> bool {
        self.events.is_some()
    }

    /// The TCP sockets destroyed since the previous call, with their final counters
    /// (non-blocking; empty without a subscription).
    pub fn destroyed(&mut self) -> io::Result<Destroyed> {
        let mut out = Destroyed::default();
        let Some(ev) = &self.events else {
            return Ok(out);
        };
        loop {
            let n = match (&*ev).read(&mut self.buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    out.overflowed = true;
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                break;
            }
            for_each_message(&self.buf[..n], |kind, body| {
                if kind == SOCK_DIAG_BY_FAMILY
                    && let Some(s) = parse_socket(body)
                {
                    out.sockets.push(s);
                }
            });
        }
        Ok(out)
    }

    /// Every TCP socket (IPv4 and IPv6) that is not listening.
    pub fn dump(&mut self) -> io::Result<Vec<TcpSocket>> {
        self.dump_states(!(1u32 << TCP_LISTEN))
    }

    /// The TCP sockets (IPv4 and IPv6) whose state bit is set in `states`
    /// (`1 << TCP_ESTABLISHED`, …): the kernel filters, so the others cost nothing.
    pub fn dump_states(&mut self, states: u32) -> io::Result<Vec<TcpSocket>> {
        let mut out = Vec::new();
        self.dump_states_into(states, &mut out)?;
        Ok(out)
    }

    /// [`Diag::dump_states`] appending to `out`, whose allocation a caller can keep between
    /// dumps (a dump of 20 000 sockets is 2 MiB of them).
    pub fn dump_states_into(&mut self, states: u32, out: &mut Vec<TcpSocket>) -> io::Result<()> {
        self.dump_families_into(&[libc::AF_INET as u8, libc::AF_INET6 as u8], states, out)
    }

    /// [`Diag::dump_states_into`] for the address families given only.
    pub fn dump_families_into(
        &mut self,
        families: &[u8],
        states: u32,
        out: &mut Vec<TcpSocket>,
    ) -> io::Result<()> {
        for &family in families {
            self.seq = self.seq.wrapping_add(1);
            self.sock.send(&request(family, self.seq, states))?;
            'recv: loop {
                let n = (&self.sock).read(&mut self.buf)?;
                let mut at = 0;
                while at + NLMSG_HDR <= n {
                    let len = u32_at(&self.buf, at) as usize;
                    let kind = u16::from_ne_bytes([self.buf[at + 4], self.buf[at + 5]]);
                    if len < NLMSG_HDR || at + len > n {
                        break;
                    }
                    match kind {
                        NLMSG_DONE => break 'recv,
                        NLMSG_ERROR => {
                            let errno = u32_at(&self.buf[..n], at + NLMSG_HDR) as i32;
                            return Err(io::Error::from_raw_os_error(-errno));
                        }
                        SOCK_DIAG_BY_FAMILY => {
                            if let Some(s) = parse_socket(&self.buf[at + NLMSG_HDR..at + len]) {
                                out.push(s);
                            }
                        }
                        _ => {}
                    }
                    at += align4(len);
                }
                if n == 0 {
                    break;
                }
            }
        }
        Ok(())
    }
}

fn new_socket() -> io::Result<Socket> {
    Socket::new(
        Domain::from(libc::AF_NETLINK),
        Type::DGRAM,
        Some(Protocol::from(NETLINK_SOCK_DIAG)),
    )
}

/// A non-blocking sock_diag socket in the TCP destroy groups (IPv4 and IPv6).
fn subscribe() -> io::Result<Socket> {
    let sock = new_socket()?;
    let set = |level: i32, name: i32, value: i32| -> io::Result<()> {
        // SAFETY: a valid descriptor and a pointer to an int that lives across the call,
        // with its size.
        let rc = unsafe {
            libc::setsockopt(
                sock.as_raw_fd(),
                level,
                name,
                (&value as *const i32).cast(),
                std::mem::size_of::<i32>() as libc::socklen_t,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    };
    // FORCE goes past rmem_max with CAP_NET_ADMIN; without it the plain size is capped.
    if set(libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, EVENT_BUFFER).is_err() {
        set(libc::SOL_SOCKET, libc::SO_RCVBUF, EVENT_BUFFER)?;
    }
    // Binding gives the socket a port id (the kernel skips port id 0, its own, when it
    // broadcasts) and joins the groups of the bitmask (group N is bit N-1). A later bind
    // would overwrite memberships added with NETLINK_ADD_MEMBERSHIP: this one does both.
    let groups = [SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY]
        .iter()
        .fold(0u32, |m, g| m | (1 << (g - 1)));
    // SAFETY: an all-zero sockaddr_nl is valid; bind reads `size_of` bytes of it.
    let rc = unsafe {
        let mut addr: libc::sockaddr_nl = std::mem::zeroed();
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        addr.nl_groups = groups;
        libc::bind(
            sock.as_raw_fd(),
            (&addr as *const libc::sockaddr_nl).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    sock.set_nonblocking(true)?;
    Ok(sock)
}

/// Call `f(type, payload)` for each netlink message in `buf`.
fn for_each_message(buf: &[u8], mut f: impl FnMut(u16, &[u8])) {
    let mut at = 0;
    while at + NLMSG_HDR <= buf.len() {
        let len = u32_at(buf, at) as usize;
        let kind = u16::from_ne_bytes([buf[at + 4], buf[at + 5]]);
        if len < NLMSG_HDR || at + len > buf.len() {
            break;
        }
        f(kind, &buf[at + NLMSG_HDR..at + len]);
        at += align4(len);
    }
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// `nlmsghdr` + `inet_diag_req_v2` asking for the TCP sockets of `family` in `states`
/// with their `tcp_info`.
fn request(family: u8, seq: u32, states: u32) -> Vec<u8> {
    let len = NLMSG_HDR + 56;
    let mut r = Vec::with_capacity(len);
    r.extend_from_slice(&(len as u32).to_ne_bytes());
    r.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    r.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    r.extend_from_slice(&seq.to_ne_bytes());
    r.extend_from_slice(&0u32.to_ne_bytes());
    r.push(family);
    r.push(libc::IPPROTO_TCP as u8);
    r.push(1 << (INET_DIAG_INFO - 1));
    r.push(0);
    r.extend_from_slice(&states.to_ne_bytes());
    r.extend_from_slice(&[0u8; 48]);
    r
}

/// `inet_diag_msg` followed by attributes.
fn parse_socket(b: &[u8]) -> Option<TcpSocket> {
    if b.len() < INET_DIAG_MSG {
        return None;
    }
    let family = i32::from(b[0]);
    let state = b[1];
    let sport = u16::from_be_bytes([b[4], b[5]]);
    let dport = u16::from_be_bytes([b[6], b[7]]);
    let addr = |at: usize| -> Option<IpAddr> {
        if family == libc::AF_INET {
            Some(IpAddr::V4(Ipv4Addr::new(
                b[at],
                b[at + 1],
                b[at + 2],
                b[at + 3],
            )))
        } else {
            let o: [u8; 16] = b.get(at..at + 16)?.try_into().ok()?;
            Some(IpAddr::V6(Ipv6Addr::from(o)))
        }
    };
    let local = SocketAddr::new(addr(8)?, sport);
    let remote = SocketAddr::new(addr(24)?, dport);
    let cookie = u64::from(u32_at(b, 44)) | (u64::from(u32_at(b, 48)) << 32);
    let inode = u64::from(u32_at(b, 68));
    let mut counters = None;
    let mut at = INET_DIAG_MSG;
    while at + 4 <= b.len() {
        let len = usize::from(u16::from_ne_bytes([b[at], b[at + 1]]));
        let kind = u16::from_ne_bytes([b[at + 2], b[at + 3]]);
        if len < 4 || at + len > b.len() {
            break;
        }
        if kind == INET_DIAG_INFO {
            counters = Some(parse_tcp_info(&b[at + 4..at + len]));
        }
        at += align4(len);
    }
    Some(TcpSocket {
        cookie,
        local,
        remote,
        state,
        inode,
        counters,
    })
}

/// The counters of `struct tcp_info`; fields the kernel does not send stay 0.
fn parse_tcp_info(i: &[u8]) -> Counters {
    let u64_or0 = |at: usize| {
        i.get(at..at + 8)
            .and_then(|s| s.try_into().ok())
            .map_or(0, u64::from_ne_bytes)
    };
    let u32_or0 = |at: usize| u64::from(u32_at(i, at));
    Counters {
        tx_bytes: u64_or0(120),
        rx_bytes: u64_or0(128),
        tx_segments: u32_or0(136),
        rx_segments: u32_or0(140),
        retransmits: u32_or0(100),
        rtt_us: u32_at(i, 68),
        lost: u32_at(i, 32),
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_ne_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn request_has_the_kernel_layout() {
        let r = request(libc::AF_INET as u8, 7, !(1 << TCP_LISTEN));
        assert_eq!(r.len(), 72);
        assert_eq!(u32_at(&r, 0), 72);
        assert_eq!(r[16], libc::AF_INET as u8);
        assert_eq!(r[17], libc::IPPROTO_TCP as u8);
        assert_eq!(r[18], 2);
    }

    #[test]
    fn short_or_garbage_messages_are_skipped() {
        assert!(parse_socket(&[0u8; 10]).is_none());
        let mut b = vec![0u8; INET_DIAG_MSG + 4];
        b[0] = libc::AF_INET as u8;
        // An attribute claiming more than there is.
        b[INET_DIAG_MSG] = 200;
        let s = parse_socket(&b).unwrap();
        assert_eq!(s.counters, None);
    }

    #[test]
    fn sees_a_loopback_connection_and_its_bytes() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = std::net::TcpStream::connect(addr).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        client.write_all(&[7u8; 100_000]).unwrap();
        let mut got = vec![0u8; 100_000];
        server.read_exact(&mut got).unwrap();
        let local = client.local_addr().unwrap();
        let mut diag = Diag::open(None, false).unwrap();
        // The peer's ACK may trail the read by a moment.
        let mut seen = None;
        for _ in 0..50 {
            let all = diag.dump().unwrap();
            seen = all
                .into_iter()
                .find(|s| s.local == local && s.remote == addr);
            if seen
                .as_ref()
                .and_then(|s| s.counters)
                .is_some_and(|c| c.tx_bytes > 100_000)
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let s = seen.expect("our connection in the dump");
        // The SYN counts as one acknowledged byte.
        assert_eq!(s.counters.unwrap().tx_bytes, 100_001);
        assert!(s.inode != 0 && s.cookie != 0);
    }

    #[test]
    fn a_closed_socket_is_announced_with_its_final_counters() {
        let mut diag = Diag::open(None, true).unwrap();
        assert!(diag.has_events());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = std::net::TcpStream::connect(addr).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        let local = client.local_addr().unwrap();
        let cookie = diag
            .dump()
            .unwrap()
            .into_iter()
            .find(|s| s.local == local && s.remote == addr)
            .expect("the connection in the dump")
            .cookie;
        client.write_all(&[7u8; 50_000]).unwrap();
        let mut got = vec![0u8; 50_000];
        server.read_exact(&mut got).unwrap();
        drop(client);
        drop(server);
        let mut last = None;
        for _ in 0..100 {
            let d = diag.destroyed().unwrap();
            if let Some(s) = d.sockets.into_iter().find(|s| s.cookie == cookie) {
                last = Some(s);
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let s = last.expect("a destroy event for the closed socket");
        assert_eq!(s.local, local);
        assert_eq!(s.inode, 0, "the descriptor is gone");
        let c = s.counters.expect("tcp_info in the destroy event");
        // The SYN and the FIN count one acknowledged byte each.
        assert_eq!(c.tx_bytes, 50_002, "{c:?}");
    }
}
