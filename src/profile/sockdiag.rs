//! NETLINK_SOCK_DIAG: dump the TCP sockets of a network namespace with their `tcp_info`
//! counters. The netlink socket is made inside the target's namespace (`setns` on a
//! short-lived thread), the one unsafe call here.
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
const TCP_LISTEN: u32 = 10;
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
}

/// A sock_diag socket bound to one network namespace.
pub struct Diag {
    sock: Socket,
    seq: u32,
    buf: Vec<u8>,
}

impl Diag {
    /// A socket in the network namespace at `netns` (`/proc/PID/ns/net`), or in ours.
    pub fn open(netns: Option<&Path>) -> io::Result<Diag> {
        let sock = match netns {
            None => new_socket()?,
            Some(path) => {
                let ns = std::fs::File::open(path)?;
                // setns changes the calling thread only; a scratch thread keeps ours as it is.
                std::thread::scope(|s| {
                    s.spawn(|| {
                        // SAFETY: `ns` is an open namespace descriptor that outlives the call;
                        // setns only affects this scratch thread, which ends right after.
                        let rc = unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) };
                        if rc != 0 {
                            return Err(io::Error::last_os_error());
                        }
                        new_socket()
                    })
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("namespace thread failed")))
                })?
            }
        };
        sock.set_read_timeout(Some(Duration::from_secs(2)))?;
        Ok(Diag {
            sock,
            seq: 0,
            buf: vec![0; 64 * 1024],
        })
    }

    /// Every TCP socket (IPv4 and IPv6) that is not listening.
    pub fn dump(&mut self) -> io::Result<Vec<TcpSocket>> {
        let mut out = Vec::new();
        for family in [libc::AF_INET as u8, libc::AF_INET6 as u8] {
            self.seq = self.seq.wrapping_add(1);
            self.sock.send(&request(family, self.seq))?;
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
                            let errno = i32::from_ne_bytes(
                                self.buf[at + 16..at + 20].try_into().unwrap_or([0; 4]),
                            );
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
        Ok(out)
    }
}

fn new_socket() -> io::Result<Socket> {
    Socket::new(
        Domain::from(libc::AF_NETLINK),
        Type::DGRAM,
        Some(Protocol::from(NETLINK_SOCK_DIAG)),
    )
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// `nlmsghdr` + `inet_diag_req_v2` asking for every non-listening TCP socket of `family`
/// with its `tcp_info`.
fn request(family: u8, seq: u32) -> Vec<u8> {
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
    r.extend_from_slice(&(!(1u32 << TCP_LISTEN)).to_ne_bytes());
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
        let r = request(libc::AF_INET as u8, 7);
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
        let mut diag = Diag::open(None).unwrap();
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
}
