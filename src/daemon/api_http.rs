//! The API listener: bearer-token auth (constant-time), per-client rate limit, request size
//! limit, typed JSON errors, and dispatch into [`crate::target::service::execute`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
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

/// Whether the request carries exactly one `Authorization` header with the token (several
/// are refused before this, see [`handle`]).
fn authorized(req: &Request<Body>, token: &Secret) -> bool {
    let mut values = req.headers().get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
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
    // With two, which one counts is up to each proxy and server on the way: refuse rather
    // than pick one.
    if req
        .headers()
        .get_all(header::AUTHORIZATION)
        .iter()
        .nth(1)
        .is_some()
    {
        return error_response(
            StatusCode::BAD_REQUEST,
            "invalid",
            "more than one Authorization header: send the bearer token once",
        );
    }
    if !authorized(&req, &st.token) {
        st.log.audit(
            &who(&req),
            &format!("{} {path}", req.method()),
            "refused: missing or wrong bearer token",
            false,
        );
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
    let client = who(&req);
    let body_is_json = declares_json(req.headers());
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
    let content_type = shown_content_type(req.headers());
    let Ok(body) = axum::body::to_bytes(req.into_body(), MAX_BODY).await else {
        return too_large();
    };
    // A body is read as JSON only when it says it is: a form or text/plain post from a web
    // page (which a browser sends cross-site without asking) is refused.
    if !body.is_empty() && !body_is_json {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            &format!(
                "request bodies must be JSON sent as Content-Type: application/json (got {content_type})"
            ),
        );
    }
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
    let refuse_programs = !st.allow_remote_exec && super::serve::origin_is_network(&origin);
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
            // Decided next to the state, in the same step as the call: a run of a stored
            // check runs whatever is stored under its name.
            if refuse_programs {
                match call.runs_programs(|name| svc.local.find_check(name)) {
                    Ok(false) => {}
                    Ok(true) => {
                        log.audit(
                            &client,
                            &format!("{method_name} {logged_path}"),
                            "refused: it would run a program (--allow-remote-exec is off)",
                            false,
                        );
                        return Outcome::RunsPrograms;
                    }
                    Err(e) => return Outcome::Done(Err(e)),
                }
            }
            let result = execute(&svc, call);
            match &result {
                Ok(_) if write => log.audit(
                    &client,
                    &format!("{method_name} {logged_path}"),
                    "applied",
                    true,
                ),
                Err(e) if write => log.audit(
                    &client,
                    &format!("{method_name} {logged_path}"),
                    &format!("failed: {e}"),
                    false,
                ),
                Err(e) if e.api_code() == "internal" => {
                    log.warn(&format!("{method_name} {logged_path}: {e}"));
                }
                _ => {}
            }
            Outcome::Done(result)
        };
        match &context {
            Some(c) => crate::telemetry::trace::with_current(c.clone(), run),
            None => run(),
        }
    })
    .await;
    let response = match result {
        Ok(Outcome::Done(Ok(value))) => axum::Json(value).into_response(),
        Ok(Outcome::Done(Err(e))) => {
            span.fail(&e.to_string());
            from_error(&e)
        }
        Ok(Outcome::RunsPrograms) => {
            span.fail("refused: runs programs");
            error_response(
                StatusCode::FORBIDDEN,
                "forbidden",
                "command checks and restart commands run programs on this node: the agent accepts \
                 them, and runs command checks on request, over the network only when started with \
                 `hivemind daemon --allow-remote-exec` (the CLI on the agent's own machine always may)",
            )
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

/// Who sent a request, for audit records: the client's address, or the local socket.
pub fn who(req: &Request<Body>) -> String {
    match super::serve::origin(req) {
        super::serve::Origin::Local => "local socket".into(),
        super::serve::Origin::Network(a) => super::serve::peer(req).unwrap_or(a).to_string(),
    }
}

/// What became of a call.
enum Outcome {
    Done(crate::error::Result<serde_json::Value>),
    /// Refused: it would run a program and the caller may not.
    RunsPrograms,
}

/// Whether the request declares a JSON body: one `Content-Type` of `application/json`, any
/// parameters, but a charset (if named) of UTF-8, the only one JSON travels in (RFC 8259).
fn declares_json(headers: &HeaderMap) -> bool {
    let mut values = headers.get_all(header::CONTENT_TYPE).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        && parts.all(|param| match param.split_once('=') {
            Some((name, v)) if name.trim().eq_ignore_ascii_case("charset") => {
                v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            Some(_) => true,
            None => param.trim().is_empty(),
        })
}

/// The request's content type for an error message: quoted, printable and short.
fn shown_content_type(headers: &HeaderMap) -> String {
    let values: Vec<&HeaderValue> = headers.get_all(header::CONTENT_TYPE).iter().collect();
    match values.as_slice() {
        [] => "no Content-Type".into(),
        [one] => {
            let text: String = String::from_utf8_lossy(one.as_bytes())
                .chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect();
            format!("'{text}'")
        }
        more => format!("{} Content-Type headers", more.len()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_types: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for c in content_types {
            h.append(header::CONTENT_TYPE, HeaderValue::from_str(c).unwrap());
        }
        h
    }

    #[test]
    fn json_bodies_are_declared_as_json() {
        for ok in [
            "application/json",
            "APPLICATION/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=\"UTF-8\"",
            "application/json; profile=x",
            "application/json;",
        ] {
            assert!(declares_json(&headers(&[ok])), "{ok}");
        }
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonp",
            "application/json-seq",
            "text/json",
            "application/json; charset=iso-8859-1",
            "application/json; nonsense",
            "",
        ] {
            assert!(!declares_json(&headers(&[bad])), "{bad}");
        }
        assert!(!declares_json(&headers(&[])));
        assert!(!declares_json(&headers(&[
            "application/json",
            "application/json"
        ])));
        assert_eq!(shown_content_type(&headers(&[])), "no Content-Type");
        assert_eq!(
            shown_content_type(&headers(&["text/plain"])),
            "'text/plain'"
        );
    }
}
