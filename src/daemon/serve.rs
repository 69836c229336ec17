//! Serve an axum router on a listener, plain or TLS, under connection limits shared by all of
//! the agent's listeners (a total that fits the open-file limit, a cap per client address, and
//! a deadline for connections with no request in progress), with the peer address in each
//! request and graceful shutdown (in-flight requests finish, up to a deadline).

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use crate::messages::Messages;

/// Descriptors left for everything but client connections: state and log files, listeners,
/// notification and exporter connections, command checks' pipes, profiles' perf events.
pub const RESERVED_DESCRIPTORS: u64 = 128;
/// The total never drops below this, however low the open-file limit.
const MIN_CONNECTIONS: usize = 16;
/// Connections from one client address at once (an IPv6 client counts per /64, the block one
/// host usually holds); further ones are closed as soon as they are accepted.
pub const MAX_PER_ADDRESS: usize = 64;
/// A connection with no request in progress is closed after this long: the time a client has
/// from connecting (TLS handshake included) to a complete request head, and the keep-alive
/// idle time between requests. It is also hyper's HTTP/1 header read timeout.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// HTTP/2 requests in progress on one connection.
pub const MAX_STREAMS: u32 = 32;
/// HTTP/2 pings while requests run, to drop peers that vanished mid-request.
const PING_INTERVAL: Duration = Duration::from_secs(30);
const PING_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a request came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The daemon's Unix socket in the data directory: only its owner can connect, so this is
    /// local configuration.
    Local,
    /// A TCP peer.
    Network(SocketAddr),
}

/// What to accept connections on.
pub enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener, PathBuf),
}

/// The soft open-file limit of this process, read once at start (`None` if unreadable).
pub fn open_file_limit() -> Option<u64> {
    nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .ok()
        .map(|(soft, _hard)| soft)
}

/// The total connection cap: `max`, lowered so that the connections and
/// [`RESERVED_DESCRIPTORS`] fit in `open_files`.
pub fn total_cap(max: usize, open_files: Option<u64>) -> usize {
    let Some(limit) = open_files else {
        return max;
    };
    let room = usize::try_from(limit.saturating_sub(RESERVED_DESCRIPTORS)).unwrap_or(usize::MAX);
    max.min(room.max(MIN_CONNECTIONS))
}

/// The connections open on all of the agent's listeners, and their limits. When the total is
/// reached, the connection idle the longest is closed to make room for a new one; only when
/// every connection has a request in progress does a new one wait (in the kernel's backlog).
pub struct Connections {
    total: usize,
    per_address: usize,
    permits: Arc<Semaphore>,
    table: Mutex<Table>,
    /// Woken whenever a connection closes.
    closed: Notify,
    epoch: Instant,
    log: Messages,
    /// When each kind of limit was last reported, in ms since `epoch` (reported at most once
    /// a minute: a flood must not flood the log as well).
    reported_ms: Mutex<HashMap<&'static str, u64>>,
}

/// How often a limit being hit is reported at most.
const REPORT_EVERY: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Table {
    next_id: u64,
    open: HashMap<u64, Arc<Conn>>,
    per_address: HashMap<AddressKey, usize>,
}

/// What the per-address cap counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum AddressKey {
    V4(Ipv4Addr),
    /// The upper 64 bits of an IPv6 address.
    V6Prefix(u64),
}

impl AddressKey {
    fn of(ip: IpAddr) -> AddressKey {
        match ip {
            IpAddr::V4(a) => AddressKey::V4(a),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => AddressKey::V4(v4),
                None => AddressKey::V6Prefix((u128::from(a) >> 64) as u64),
            },
        }
    }
}

/// One open connection's activity.
struct Conn {
    key: Option<AddressKey>,
    epoch: Instant,
    /// Requests in progress: from the handler's start until its response is sent.
    busy: AtomicUsize,
    /// When `busy` last went to zero (or the connection opened), in ms since `epoch`.
    idle_since_ms: AtomicU64,
    /// Asked to close to make room.
    evicted: AtomicBool,
    evict: Notify,
}

impl Conn {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// How long the connection has had no request in progress (`None` while it has one).
    fn idle_for(&self) -> Option<Duration> {
        if self.busy.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let since = self.idle_since_ms.load(Ordering::SeqCst);
        Some(Duration::from_millis(self.now_ms().saturating_sub(since)))
    }

    fn start(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::SeqCst);
        Busy(Arc::clone(self))
    }
}

/// A request in progress on a connection; dropped when its response has been sent (or the
/// request was abandoned).
struct Busy(Arc<Conn>);

impl Drop for Busy {
    fn drop(&mut self) {
        let conn = &self.0;
        conn.idle_since_ms.store(conn.now_ms(), Ordering::SeqCst);
        conn.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A connection's place in [`Connections`]; freed on drop.
struct Slot {
    connections: Arc<Connections>,
    id: u64,
    conn: Arc<Conn>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Slot {
    fn drop(&mut self) {
        {
            let mut table = self.connections.lock();
            table.open.remove(&self.id);
            if let Some(key) = self.conn.key
                && let Some(n) = table.per_address.get_mut(&key)
            {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    table.per_address.remove(&key);
                }
            }
        }
        self.connections.closed.notify_waiters();
    }
}

impl Connections {
    /// At most `total` connections, [`MAX_PER_ADDRESS`] (or `total`, if lower) per address;
    /// limits being hit are reported to `log`.
    pub fn new(total: usize, log: Messages) -> Arc<Connections> {
        let total = total.max(1);
        Arc::new(Connections {
            total,
            per_address: MAX_PER_ADDRESS.min(total),
            permits: Arc::new(Semaphore::new(total)),
            table: Mutex::new(Table::default()),
            closed: Notify::new(),
            epoch: Instant::now(),
            log,
            reported_ms: Mutex::new(HashMap::new()),
        })
    }

    /// Warn with `message` unless `kind` was reported within [`REPORT_EVERY`].
    fn report(&self, kind: &'static str, message: impl FnOnce() -> String) {
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        let every = u64::try_from(REPORT_EVERY.as_millis()).unwrap_or(u64::MAX);
        {
            let mut reported = self
                .reported_ms
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match reported.get(kind) {
                Some(last) if now.saturating_sub(*last) < every => return,
                _ => {
                    reported.insert(kind, now);
                }
            }
        }
        self.log.warn(&message());
    }

    /// The total cap.
    pub fn total(&self) -> usize {
        self.total
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        // The table stays consistent through a panic elsewhere: every change is one step.
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn over_address_cap(&self, key: Option<AddressKey>) -> bool {
        key.is_some_and(|k| {
            self.lock().per_address.get(&k).copied().unwrap_or(0) >= self.per_address
        })
    }

    /// A place for a new connection from `peer` (`None`: the local socket), or `None` when
    /// that address has all it may have. At the total cap, the longest-idle connection is
    /// asked to close; with none idle, this waits until a request finishes.
    async fn admit(self: &Arc<Self>, peer: Option<IpAddr>) -> Option<Slot> {
        let key = peer.map(AddressKey::of);
        if self.over_address_cap(key) {
            self.report("per-address", || {
                format!(
                    "closed a connection from {}: that address has {} open, the most one \
                     address may (reported once a minute)",
                    peer.map(|p| p.to_string()).unwrap_or_default(),
                    self.per_address
                )
            });
            return None;
        }
        let permit = loop {
            if let Ok(p) = Arc::clone(&self.permits).try_acquire_owned() {
                break p;
            }
            self.evict_longest_idle();
            // The evicted connection frees its permit as soon as its task sees the request;
            // look again shortly in case another listener took it first.
            if let Ok(Ok(p)) = tokio::time::timeout(
                Duration::from_millis(50),
                Arc::clone(&self.permits).acquire_owned(),
            )
            .await
            {
                break p;
            }
        };
        let mut table = self.lock();
        if let Some(k) = key {
            let n = table.per_address.entry(k).or_insert(0);
            // Another listener may have admitted this address while we waited.
            if *n >= self.per_address {
                return None;
            }
            *n += 1;
        }
        let id = table.next_id;
        table.next_id += 1;
        let conn = Arc::new(Conn {
            key,
            epoch: self.epoch,
            busy: AtomicUsize::new(0),
            idle_since_ms: AtomicU64::new(0),
            evicted: AtomicBool::new(false),
            evict: Notify::new(),
        });
        conn.idle_since_ms.store(conn.now_ms(), Ordering::SeqCst);
        table.open.insert(id, Arc::clone(&conn));
        drop(table);
        Some(Slot {
            connections: Arc::clone(self),
            id,
            conn,
            _permit: permit,
        })
    }

    /// Ask the connection idle the longest to close; false if none is idle.
    fn evict_longest_idle(&self) -> bool {
        let table = self.lock();
        let victim = table
            .open
            .values()
            .filter(|c| !c.evicted.load(Ordering::SeqCst))
            .filter_map(|c| c.idle_for().map(|idle| (idle, c)))
            .max_by_key(|(idle, _)| *idle)
            .map(|(_, c)| Arc::clone(c));
        drop(table);
        match victim {
            Some(c) => {
                c.evicted.store(true, Ordering::SeqCst);
                // Stored if the connection's task is not waiting yet.
                c.evict.notify_one();
                true
            }
            None => false,
        }
    }

    /// The process is out of descriptors: close the longest-idle connection and wait (briefly)
    /// until it has given its descriptor back. False if no connection was idle.
    async fn reclaim_descriptor(&self) -> bool {
        let closed = self.closed.notified();
        tokio::pin!(closed);
        // Registered before the eviction, so the close cannot be missed.
        closed.as_mut().enable();
        if !self.evict_longest_idle() {
            return false;
        }
        let _ = tokio::time::timeout(Duration::from_millis(100), closed).await;
        true
    }
}

/// Close the connection once it has had no request in progress for `idle`, or when it is
/// evicted to make room.
async fn watchdog(conn: Arc<Conn>, idle: Duration) {
    loop {
        let wait = match conn.idle_for() {
            Some(d) if d >= idle => return,
            Some(d) => idle - d,
            None => idle,
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = conn.evict.notified() => return,
        }
    }
}

/// The router as a hyper service that marks the connection busy from a request's start until
/// its response body is gone.
#[derive(Clone)]
struct Tracked {
    inner: TowerToHyperService<Router>,
    conn: Arc<Conn>,
}

impl hyper::service::Service<axum::http::Request<Incoming>> for Tracked {
    type Response = axum::http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, req: axum::http::Request<Incoming>) -> Self::Future {
        let busy = self.conn.start();
        let answer = self.inner.call(req);
        Box::pin(async move {
            let resp = answer.await?;
            Ok(resp.map(|body| Body::new(Sending { body, _busy: busy })))
        })
    }
}

/// A response body that keeps its connection busy until it is dropped.
struct Sending {
    body: Body,
    _busy: Busy,
}

impl hyper::body::Body for Sending {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// HTTP/1 and HTTP/2 with their own timers: a request head must arrive within
/// [`IDLE_TIMEOUT`], and HTTP/2 caps streams and pings its peers.
fn builder() -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(IDLE_TIMEOUT);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(MAX_STREAMS)
        .keep_alive_interval(PING_INTERVAL)
        .keep_alive_timeout(PING_TIMEOUT);
    builder
}

/// Serve until `stop` turns true, then drain.
pub async fn serve(
    listener: Listener,
    app: Router,
    tls: Option<TlsAcceptor>,
    connections: Arc<Connections>,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let builder = builder();
    loop {
        let accepted = tokio::select! {
            a = accept(&listener) => a,
            _ = stop.changed() => break,
        };
        let (stream, origin) = match accepted {
            Ok(a) => a,
            Err(e) if out_of_descriptors(&e) => {
                connections.report("descriptors", || {
                    format!(
                        "cannot accept connections: {e}; closing idle ones to make room (raise \
                         the open-file limit or lower --max-connections; reported once a minute)"
                    )
                });
                // The connection stays in the backlog until a descriptor is free: take the
                // longest-idle connection's, or wait for one to close.
                if !connections.reclaim_descriptor().await {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                continue;
            }
            Err(_) => {
                // A peer that reset before accept, usually; a pause keeps any persistent error
                // from spinning.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let peer = match &origin {
            Origin::Network(addr) => Some(*addr),
            Origin::Local => None,
        };
        let admitted = tokio::select! {
            s = connections.admit(peer.map(|p| p.ip())) => s,
            _ = stop.changed() => break,
        };
        // Over the per-address cap: dropping the stream closes it at once.
        let Some(slot) = admitted else {
            continue;
        };
        let mut app = app.clone().layer(axum::Extension(origin));
        if let Some(peer) = peer {
            app = app.layer(axum::Extension(ConnectInfo(peer)));
        }
        let service = Tracked {
            inner: TowerToHyperService::new(app),
            conn: Arc::clone(&slot.conn),
        };
        let watcher = graceful.watcher();
        let builder = builder.clone();
        let tls = tls.clone();
        let conn = Arc::clone(&slot.conn);
        tokio::spawn(async move {
            let _slot = slot;
            let run = async move {
                match (stream, tls) {
                    (Stream::Tcp(stream), Some(acceptor)) => {
                        // The watchdog bounds the handshake: it counts as idle time.
                        let Ok(stream) = acceptor.accept(stream).await else {
                            return;
                        };
                        let conn =
                            builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                        let _ = watcher.watch(conn.into_owned()).await;
                    }
                    (Stream::Tcp(stream), None) => {
                        let _ = stream.set_nodelay(true);
                        let conn =
                            builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                        let _ = watcher.watch(conn.into_owned()).await;
                    }
                    (Stream::Unix(stream), _) => {
                        let conn =
                            builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                        let _ = watcher.watch(conn.into_owned()).await;
                    }
                }
            };
            // Whichever ends first: dropping the connection closes its socket.
            tokio::select! {
                () = run => {}
                () = watchdog(conn, IDLE_TIMEOUT) => {}
            }
        });
    }
    if let Listener::Unix(_, path) = &listener {
        let _ = std::fs::remove_file(path);
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
}

/// Whether accept failed for want of a descriptor (or the memory for a socket).
fn out_of_descriptors(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

enum Stream {
    Tcp(tokio::net::TcpStream),
    Unix(tokio::net::UnixStream),
}

async fn accept(listener: &Listener) -> std::io::Result<(Stream, Origin)> {
    match listener {
        Listener::Tcp(l) => l
            .accept()
            .await
            .map(|(s, peer)| (Stream::Tcp(s), Origin::Network(peer))),
        Listener::Unix(l, _) => l
            .accept()
            .await
            .map(|(s, _)| (Stream::Unix(s), Origin::Local)),
    }
}

/// Where a request served by [`serve`] came from; unknown counts as the network (the
/// stricter side).
pub fn origin(req: &axum::http::Request<axum::body::Body>) -> Origin {
    req.extensions()
        .get::<Origin>()
        .cloned()
        .unwrap_or(Origin::Network(SocketAddr::from(([0, 0, 0, 0], 0))))
}

/// The peer address of a request served by [`serve`].
pub fn peer(req: &axum::http::Request<axum::body::Body>) -> Option<SocketAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

/// Whether the origin is a network peer (not the local socket).
pub fn origin_is_network(origin: &Origin) -> bool {
    matches!(origin, Origin::Network(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_fits_the_open_file_limit() {
        assert_eq!(total_cap(1024, None), 1024);
        assert_eq!(total_cap(1024, Some(u64::MAX)), 1024);
        assert_eq!(total_cap(1024, Some(1024)), 1024 - 128);
        assert_eq!(total_cap(64, Some(1024)), 64);
        assert_eq!(total_cap(1024, Some(256)), 128);
        assert_eq!(total_cap(1024, Some(100)), MIN_CONNECTIONS);
    }

    #[test]
    fn ipv6_clients_count_per_64_block() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(AddressKey::of(a), AddressKey::of(b));
        assert_ne!(AddressKey::of(a), AddressKey::of(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(
            AddressKey::of(mapped),
            AddressKey::of("192.0.2.7".parse().unwrap())
        );
    }

    #[tokio::test]
    async fn a_full_table_makes_room_by_closing_the_longest_idle() {
        let conns = Connections::new(2, Messages::silent());
        let ip = |n: u8| Some(IpAddr::from([192, 0, 2, n]));
        let first = conns.admit(ip(1)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let second = conns.admit(ip(2)).await.unwrap();
        let _busy = second.conn.start();
        // Full: the third asks the idle first one to close and gets its place once it has.
        let evicted = Arc::clone(&first.conn);
        let closer = tokio::spawn(async move {
            evicted.evict.notified().await;
            drop(first);
        });
        let third = tokio::time::timeout(Duration::from_secs(2), conns.admit(ip(3)))
            .await
            .unwrap();
        assert!(third.is_some());
        closer.await.unwrap();
        // The busy one is never chosen.
        assert!(!second.conn.evicted.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn one_address_is_capped() {
        let conns = Connections::new(1000, Messages::silent());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let mut held = Vec::new();
        for _ in 0..MAX_PER_ADDRESS {
            held.push(conns.admit(Some(ip)).await.unwrap());
        }
        assert!(conns.admit(Some(ip)).await.is_none());
        assert!(
            conns
                .admit(Some("192.0.2.2".parse().unwrap()))
                .await
                .is_some()
        );
        held.pop();
        assert!(conns.admit(Some(ip)).await.is_some());
        // The local socket has no address cap.
        assert!(conns.admit(None).await.is_some());
    }
}
