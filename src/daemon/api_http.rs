//! The API listener: bearer-token auth (constant-time), per-client rate limit, request size
//! limit, typed JSON errors, and dispatch into [`crate::target::service::execute`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::Error;
use crate::messages::Messages;
use crate::model::Secret;
use crate::store::daemon_files::constant_time_eq;
use crate::target::call::{Call, FileCall, Method};
use crate::target::service::{Service, execute, execute_file};

/// Request bodies above this are refused with 413.
pub const MAX_BODY: usize = 1024 * 1024;
/// Sustained requests per second per client address, and the burst allowed above it.
const RATE_PER_SEC: f64 = 50.0;
const RATE_BURST: f64 = 200.0;
/// Client addresses tracked by the limiter before it starts afresh.
const MAX_TRACKED: usize = 10_000;

pub struct ApiState {
    pub svc: Arc<Service>,
    pub token: Secret,
    pub log: Messages,
    /// `--allow-remote-exec`.
    pub allow_remote_exec: bool,
    limiter: Mutex<HashMap<IpAddr, (f64, Instant)>>,
    pub shared: Arc<super::runtime::Shared>,
}

impl ApiState {
    pub fn new(
        svc: Arc<Service>,
        token: Secret,
        log: Messages,
        allow_remote_exec: bool,
        shared: Arc<super::runtime::Shared>,
    ) -> Self {
        ApiState {
            svc,
            token,
            log,
            allow_remote_exec,
            limiter: Mutex::new(HashMap::new()),
            shared,
        }
    }

    /// Token bucket per client address.
    fn allow(&self, ip: IpAddr) -> bool {
        let Ok(mut map) = self.limiter.lock() else {
            return true;
        };
        if map.len() >= MAX_TRACKED && !map.contains_key(&ip) {
            map.clear();
        }
        let now = Instant::now();
        let (tokens, last) = map.entry(ip).or_insert((RATE_BURST, now));
        *tokens =
            (*tokens + now.duration_since(*last).as_secs_f64() * RATE_PER_SEC).min(RATE_BURST);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub fn router(state: Arc<ApiState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

/// `{"error": {"code": …, "message": …}}` with the matching status. The message is redacted:
/// errors quote peers (Grafana, a receiver), and the client may be another host.
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let message = crate::redact::redact(message);
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    let mut resp = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    resp
}

fn from_error(e: &Error) -> Response {
    let status = match e.api_code() {
        "invalid" => StatusCode::BAD_REQUEST,
        "not_found" => StatusCode::NOT_FOUND,
        "conflict" => StatusCode::CONFLICT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error_response(status, e.api_code(), &e.to_string())
}

fn authorized(req: &Request<Body>, token: &Secret) -> bool {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return false;
    };
    let Some(given) = value.as_bytes().strip_prefix(b"Bearer ") else {
        return false;
    };
    constant_time_eq(given, token.expose().as_bytes())
}

async fn handle(State(st): State<Arc<ApiState>>, req: Request<Body>) -> Response {
    let path = req.uri().path().to_string();
    if path == "/healthz" {
        return healthz(&st).await;
    }
    if path == "/" {
        let mut resp = (StatusCode::SEE_OTHER, "").into_response();
        resp.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/ui"));
        return resp;
    }
    if path == "/ui" || path.starts_with("/ui/") {
        if let Some(peer) = super::serve::peer(&req)
            && !st.allow(peer.ip())
        {
            return error_response(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests; slow down",
            );
        }
        return super::status_page::handle(st, req).await;
    }
    if !path.starts_with("/api/") {
        return error_response(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no endpoint {path}; the API lives under /api/"),
        );
    }
    if let Some(peer) = super::serve::peer(&req)
        && !st.allow(peer.ip())
    {
        return error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests; slow down",
        );
    }
    if !authorized(&req, &st.token) {
        return error_response(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or wrong bearer token (`hivemind daemon token` on the agent prints it)",
        );
    }
    let method = match *req.method() {
        axum::http::Method::GET => Method::Get,
        axum::http::Method::POST => Method::Post,
        axum::http::Method::PUT => Method::Put,
        axum::http::Method::PATCH => Method::Patch,
        axum::http::Method::DELETE => Method::Delete,
        _ => {
            return error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid",
                "method not allowed",
            );
        }
    };
    let too_large = || {
        error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!("request body over {MAX_BODY} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    let query = req.uri().query().unwrap_or("").to_string();
    let origin = super::serve::origin(&req);
    // Continue the caller's trace (the CLI always sends one; CI jobs pass theirs through).
    let remote = req
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .and_then(|tp| {
            crate::telemetry::SpanContext::parse(
                tp,
                req.headers()
                    .get("tracestate")
                    .and_then(|v| v.to_str().ok()),
            )
        });
    let started = Instant::now();
    let Ok(body) = axum::body::to_bytes(req.into_body(), MAX_BODY).await else {
        return too_large();
    };
    if let Some(file_call) = FileCall::from_http(method, &path, &body) {
        return match file_call {
            Ok(call) => file(&st, method, &path, call).await,
            Err(e) => from_error(&e),
        };
    }
    let call = match Call::from_http(method, &path, &query, &body) {
        Ok(c) => c,
        Err(e) => return from_error(&e),
    };
    if call.runs_programs() && !st.allow_remote_exec && super::serve::origin_is_network(&origin) {
        return error_response(
            StatusCode::FORBIDDEN,
            "forbidden",
            "command checks and restart commands run programs on this node: the agent accepts them over \
             the network only when started with `hivemind daemon --allow-remote-exec` (the CLI on the \
             agent's own machine may always configure them)",
        );
    }
    let write = call.is_write();
    let operation = call.operation();
    let mut span = crate::telemetry::Span::start(
        operation,
        crate::telemetry::trace::Kind::Server,
        remote.as_ref(),
    );
    span.set("http.request.method", req_method_name(method));
    span.set("url.path", path.as_str());
    span.set(
        "client.origin",
        if super::serve::origin_is_network(&origin) {
            "network"
        } else {
            "local socket"
        },
    );
    let context = span.context();
    let svc = Arc::clone(&st.svc);
    let log = st.log.clone();
    let method_name = req_method_name(method);
    let logged_path = path.clone();
    // The request's work runs on a blocking thread with the span current there, so child
    // spans and log records inside join the caller's trace.
    let result = tokio::task::spawn_blocking(move || {
        let run = || {
            let result = execute(&svc, call);
            match &result {
                Ok(_) if write => log.status(&format!("{method_name} {logged_path}: applied")),
                Err(e) if write || e.api_code() == "internal" => {
                    log.warn(&format!("{method_name} {logged_path}: {e}"));
                }
                _ => {}
            }
            result
        };
        match &context {
            Some(c) => crate::telemetry::trace::with_current(c.clone(), run),
            None => run(),
        }
    })
    .await;
    let response = match result {
        Ok(Ok(value)) => axum::Json(value).into_response(),
        Ok(Err(e)) => {
            span.fail(&e.to_string());
            from_error(&e)
        }
        Err(_) => {
            span.fail("the request failed inside the agent");
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the request failed inside the agent",
            )
        }
    };
    let status = response.status().as_u16();
    span.set("http.response.status_code", i64::from(status));
    if st.log.logs(crate::model::Level::Debug) {
        let mut meta = serde_json::Map::new();
        meta.insert("method".into(), method_name.into());
        meta.insert("path".into(), path.as_str().into());
        meta.insert("status".into(), status.into());
        meta.insert(
            "duration_ms".into(),
            serde_json::json!((started.elapsed().as_secs_f64() * 1000.0 * 10.0).round() / 10.0),
        );
        let shown_query = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.chars().take(200).collect::<String>())
        };
        span.enter(|| {
            st.log.log(
                crate::model::Level::Debug,
                &format!("{method_name} {path}{shown_query} {status}"),
                meta,
            );
        });
    }
    span.end();
    response
}

/// `GET /healthz` for load balancers, without a token: 200 while no check is unhealthy,
/// else 503 naming them.
async fn healthz(st: &ApiState) -> Response {
    let svc = Arc::clone(&st.svc);
    let unhealthy = tokio::task::spawn_blocking(move || {
        let checks = svc.local.list_checks().unwrap_or_default();
        svc.runtime
            .check_statuses(&checks)
            .into_iter()
            .filter(|c| c.status == crate::health::Status::Unhealthy)
            .map(|c| c.name)
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    if unhealthy.is_empty() {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("unhealthy: {}\n", unhealthy.join(", ")),
        )
            .into_response()
    }
}

/// A call answered with a file. The work runs on a blocking thread; if the client goes away
/// (this future is dropped), the guard cancels it so no profile outlives its request.
async fn file(st: &ApiState, method: Method, path: &str, call: FileCall) -> Response {
    let cancel = crate::profile::Cancel::new();
    let _guard = crate::profile::CancelOnDrop(cancel.clone());
    let svc = Arc::clone(&st.svc);
    let result = tokio::task::spawn_blocking(move || execute_file(&svc, call, &cancel)).await;
    match result {
        Ok(Ok(answer)) => {
            st.log.status(&format!(
                "{} {path}: {} bytes",
                req_method_name(method),
                answer.bytes.len()
            ));
            let mut resp = Response::new(Body::from(answer.bytes));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(answer.content_type),
            );
            resp
        }
        Ok(Err(e)) => {
            st.log
                .warn(&format!("{} {path}: {e}", req_method_name(method)));
            from_error(&e)
        }
        Err(_) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the request failed inside the agent",
        ),
    }
}

fn req_method_name(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    }
}
