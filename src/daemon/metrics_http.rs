//! The metrics listener: Prometheus text format on the configured path, unauthenticated (like
//! node_exporter), encoded on every scrape from a collection at most one interval old.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::runtime::Shared;
use crate::metrics::encode_text;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request<Body>) -> Response {
    let path = shared.path();
    if req.uri().path() != path {
        let body = format!("hivemind metrics are at {path}\n");
        return (StatusCode::NOT_FOUND, body).into_response();
    }
    if req.method() != axum::http::Method::GET && req.method() != axum::http::Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let started = Instant::now();
    let mut span = crate::telemetry::span("metrics.scrape");
    if let Some(peer) = super::serve::peer(&req) {
        span.set("client.address", peer.ip().to_string());
    }
    let snap = shared.fresh_snapshot().await;
    let body = encode_text(&snap, &shared.extra_families());
    span.set("http.response.body.size", body.len());
    span.end();
    shared.record_scrape(started.elapsed());
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    resp
}
