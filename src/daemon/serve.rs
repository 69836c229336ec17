//! Serve an axum router on a listener, plain or TLS, with a connection limit, the peer address
//! in each request, and graceful shutdown (in-flight requests finish, up to a deadline).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

/// Connections served at once per listener; more wait in the kernel's backlog.
const MAX_CONNECTIONS: usize = 1024;
/// A TLS handshake that takes longer is dropped (slowloris on the handshake).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
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

/// Serve until `stop` turns true, then drain.
pub async fn serve(
    listener: Listener,
    app: Router,
    tls: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let builder = Builder::new(TokioExecutor::new());
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&limit).acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = stop.changed() => break,
        };
        let accepted = tokio::select! {
            a = accept(&listener) => a,
            _ = stop.changed() => break,
        };
        let Some((stream, origin)) = accepted else {
            // Out of descriptors or a reset before accept: back off briefly.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let peer = match &origin {
            Origin::Network(addr) => Some(*addr),
            Origin::Local => None,
        };
        let mut app = app.clone().layer(axum::Extension(origin));
        if let Some(peer) = peer {
            app = app.layer(axum::Extension(ConnectInfo(peer)));
        }
        let service = TowerToHyperService::new(app);
        let watcher = graceful.watcher();
        let builder = builder.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _permit = permit;
            match (stream, tls) {
                (Stream::Tcp(stream), Some(acceptor)) => {
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    else {
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
        });
    }
    if let Listener::Unix(_, path) = &listener {
        let _ = std::fs::remove_file(path);
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
}

enum Stream {
    Tcp(tokio::net::TcpStream),
    Unix(tokio::net::UnixStream),
}

async fn accept(listener: &Listener) -> Option<(Stream, Origin)> {
    match listener {
        Listener::Tcp(l) => l
            .accept()
            .await
            .ok()
            .map(|(s, peer)| (Stream::Tcp(s), Origin::Network(peer))),
        Listener::Unix(l, _) => l
            .accept()
            .await
            .ok()
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
