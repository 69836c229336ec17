//! The built-in status page: one self-contained HTML document (no CDN, no external request:
//! its Content-Security-Policy forbids them) with the node's resources, its checks, the alert
//! rules and the recent log, refreshed live from `/ui/data`.
//!
//! A browser cannot send the API's bearer token, so the page has its own login: the API hands
//! out a one-time code (`POST /api/status-page/link`, what `open-dashboard` calls), and
//! `/ui/login?code=…` trades it for an HttpOnly, SameSite=Strict session cookie.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::api_http::ApiState;
use crate::error::{Error, Result};
use crate::health::node::{self, HealthReport, Thresholds};

/// How long a login code stays valid.
pub const CODE_TTL: Duration = Duration::from_secs(300);
/// How long a page session lasts.
const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Codes and sessions kept at most (the oldest go first).
const MAX_ENTRIES: usize = 1000;
const COOKIE: &str = "hivemind_session";

/// Login codes and sessions, each with its expiry.
#[derive(Default)]
pub struct Sessions {
    codes: Mutex<HashMap<String, Instant>>,
    sessions: Mutex<HashMap<String, Instant>>,
}

fn random_hex() -> Result<String> {
    let mut b = [0u8; 24];
    getrandom::fill(&mut b).map_err(|e| Error::caused("generating a login code", e))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

fn insert(map: &Mutex<HashMap<String, Instant>>, key: String, ttl: Duration) {
    if let Ok(mut m) = map.lock() {
        let now = Instant::now();
        m.retain(|_, exp| *exp > now);
        if m.len() >= MAX_ENTRIES
            && let Some(oldest) = m.iter().min_by_key(|(_, e)| **e).map(|(k, _)| k.clone())
        {
            m.remove(&oldest);
        }
        m.insert(key, now + ttl);
    }
}

impl Sessions {
    /// A new one-time login code.
    pub fn new_code(&self) -> Result<String> {
        let code = random_hex()?;
        insert(&self.codes, code.clone(), CODE_TTL);
        Ok(code)
    }

    /// Trade a code for a session id (the code is gone either way).
    fn redeem(&self, code: &str) -> Option<String> {
        let valid = self
            .codes
            .lock()
            .ok()?
            .remove(code)
            .is_some_and(|exp| exp > Instant::now());
        if !valid {
            return None;
        }
        let session = random_hex().ok()?;
        insert(&self.sessions, session.clone(), SESSION_TTL);
        Some(session)
    }

    fn valid(&self, session: &str) -> bool {
        self.sessions.lock().is_ok_and(|m| {
            m.iter().any(|(k, exp)| {
                crate::store::daemon_files::constant_time_eq(k.as_bytes(), session.as_bytes())
                    && *exp > Instant::now()
            })
        })
    }
}

fn cookie(req: &Request<Body>) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            c.trim()
                .strip_prefix(&format!("{COOKIE}="))
                .map(str::to_string)
        })
}

/// What the page shows.
#[derive(Debug, Serialize)]
pub struct PageData {
    pub version: String,
    pub generated_at: String,
    pub uptime_seconds: u64,
    pub node: HealthReport,
    pub rules: Vec<RuleRow>,
    pub logs: Vec<crate::telemetry::LogRecord>,
}

#[derive(Debug, Serialize)]
pub struct RuleRow {
    pub name: String,
    pub severity: String,
    pub condition: String,
    pub duration: String,
}

fn gather(st: &ApiState) -> Result<PageData> {
    let svc = &st.svc;
    let checks = svc.local.list_checks()?;
    let node =
        node::measure(&Thresholds::default()).with_checks(svc.runtime.check_statuses(&checks));
    let rules = svc
        .local
        .list_rules()?
        .into_iter()
        .map(|r| RuleRow {
            condition: r.expr(),
            severity: r.severity.to_string(),
            duration: r.duration.to_string(),
            name: r.name,
        })
        .collect();
    let logs = st
        .shared
        .telemetry
        .logger
        .query(&crate::telemetry::LogQuery {
            level: Some(crate::model::Level::Info),
            limit: Some(50),
            ..Default::default()
        })?
        .logs;
    Ok(PageData {
        version: env!("CARGO_PKG_VERSION").into(),
        generated_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        uptime_seconds: svc.runtime.uptime_seconds(),
        node,
        rules,
        logs,
    })
}

fn html_response(status: StatusCode, body: String, nonce: &str) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    // Nothing but this document and its own data endpoint may load.
    if let Ok(csp) = HeaderValue::from_str(&format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )) {
        h.insert("content-security-policy", csp);
    }
    resp
}

fn message_page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body><h1>{t}</h1><p>{x}</p></body></html>",
        t = escape(title),
        x = escape(text)
    );
    html_response(status, body, "none")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Serve `/ui`, `/ui/login` and `/ui/data`.
pub async fn handle(st: std::sync::Arc<ApiState>, req: Request<Body>) -> Response {
    let path = req.uri().path().to_string();
    if req.method() != axum::http::Method::GET {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    if path == "/ui/login" {
        let code = req
            .uri()
            .query()
            .and_then(|q| {
                crate::model::input::query::<HashMap<String, String>>(
                    q,
                    crate::model::input::Input::QUERY,
                )
                .ok()
            })
            .and_then(|q| q.get("code").cloned())
            .unwrap_or_default();
        let Some(session) = st.shared.page_sessions.redeem(&code) else {
            return message_page(
                StatusCode::UNAUTHORIZED,
                "Link expired",
                "This status-page link has expired or was used already. Run `hivemind observability open-dashboard` for a new one.",
            );
        };
        let secure = if st.shared.api_url.starts_with("https:") {
            "; Secure"
        } else {
            ""
        };
        let mut resp = (StatusCode::SEE_OTHER, "").into_response();
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{COOKIE}={session}; HttpOnly; SameSite=Strict; Path=/ui; Max-Age={}{secure}",
            SESSION_TTL.as_secs()
        )) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
        resp.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/ui"));
        return resp;
    }
    if !cookie(&req).is_some_and(|c| st.shared.page_sessions.valid(&c)) {
        return message_page(
            StatusCode::UNAUTHORIZED,
            "Sign-in needed",
            "Open the status page with `hivemind observability open-dashboard` (it prints a one-time link).",
        );
    }
    let st2 = std::sync::Arc::clone(&st);
    let data = match tokio::task::spawn_blocking(move || gather(&st2)).await {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => {
            return message_page(StatusCode::INTERNAL_SERVER_ERROR, "Error", &e.to_string());
        }
        Err(_) => {
            return message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Error",
                "the page data could not be gathered",
            );
        }
    };
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".into());
    if path == "/ui/data" {
        let mut resp = (StatusCode::OK, json).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return resp;
    }
    if path != "/ui" && path != "/ui/" {
        return message_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "The status page is at /ui.",
        );
    }
    let nonce = random_hex().unwrap_or_else(|_| "fallback".into());
    // Inside <script>, `<` would let data close the element: JSON allows escaping it.
    let inline = json.replace('<', "\\u003c");
    let body = PAGE
        .replace("{{NONCE}}", &nonce)
        .replace("{{NODE}}", &escape(&data.node.hostname))
        .replace("{{DATA}}", &inline);
    html_response(StatusCode::OK, body, &nonce)
}

const PAGE: &str = r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hivemind · {{NODE}}</title>
<style nonce="{{NONCE}}">
  :root { --ok:#1a7f37; --bad:#cf222e; --unk:#9a6700; --fg:#1f2328; --mute:#656d76; --line:#d0d7de; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; background: #f6f8fa; }
  header { background: #24292f; color: #fff; padding: 12px 20px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  header .meta { color: #d0d7de; font-size: 12px; margin-left: auto; }
  main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); }
  section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { color: var(--mute); font-weight: 600; font-size: 12px; text-transform: uppercase; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
  .healthy, .info { background: var(--ok); } .unhealthy, .error { background: var(--bad); }
  .unknown, .warning { background: var(--unk); } .debug, .trace { background: var(--mute); }
  .empty { color: var(--mute); font-style: italic; }
  .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
  #stale { color: #ffb4b4; }
</style>
</head>
<body>
<header>
  <h1>hivemind · <span id="node">{{NODE}}</span></h1>
  <span id="status"></span>
  <span class="meta"><span id="stale"></span> <span id="updated"></span> · refreshes every 5 s</span>
</header>
<main>
  <section><h2>Node resources</h2><table id="resources"></table></section>
  <section><h2>Health checks</h2><table id="checks"></table></section>
  <section><h2>Alert rules</h2><table id="rules"></table></section>
  <section class="wide"><h2>Recent log</h2><table id="logs"></table></section>
</main>
<script id="initial" type="application/json" nonce="{{NONCE}}">{{DATA}}</script>
<script nonce="{{NONCE}}">
"use strict";
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}
function badge(s) { return el("span", s, "badge " + s); }
function fill(id, headers, rows, empty) {
  const t = document.getElementById(id);
  t.replaceChildren();
  if (!rows.length) { const r = t.insertRow(); const c = r.insertCell(); c.colSpan = headers.length; c.append(el("span", empty, "empty")); return; }
  const h = t.createTHead().insertRow();
  for (const x of headers) h.append(el("th", x));
  const b = t.createTBody();
  for (const row of rows) {
    const r = b.insertRow();
    for (const v of row) { const c = r.insertCell(); if (v instanceof Node) c.append(v); else c.textContent = v; }
  }
}
function num(v, unit) {
  if (v === null || v === undefined) return "-";
  return unit === "percent" ? v.toFixed(1) + "%" : String(Math.round(v * 100) / 100);
}
function render(d) {
  document.getElementById("node").textContent = d.node.hostname;
  document.getElementById("status").replaceChildren(badge(d.node.status));
  document.getElementById("updated").textContent = "updated " + d.generated_at + " · hivemind " + d.version;
  fill("resources", ["Resource", "Status", "Value", "Threshold", "Detail"],
    d.node.resources.map(r => [r.resource + (r.target ? " " + r.target : ""), badge(r.status), num(r.value, r.unit), num(r.threshold, r.unit), r.detail]),
    "no resources measured");
  fill("checks", ["Check", "Type", "Target", "Status", "Last result", "Auto-healing"],
    d.node.checks.map(c => [c.name, c.type, el("span", c.target, "mono"), badge(c.status),
      c.last_result ? c.last_result.message + " (" + Math.round(c.last_result.latency_seconds * 1000) + " ms)" : "not run yet", c.autoheal]),
    "no checks defined (hivemind health create-check)");
  fill("rules", ["Rule", "Severity", "Condition", "For"],
    d.rules.map(r => [r.name, r.severity, el("span", r.condition, "mono"), r.duration]),
    "no alert rules (hivemind health create-alert-rule)");
  fill("logs", ["Time", "Level", "Message"],
    d.logs.slice().reverse().map(l => [el("span", l.timestamp, "mono"), badge(l.level), l.message]),
    "no log records yet");
}
render(JSON.parse(document.getElementById("initial").textContent));
async function refresh() {
  try {
    const r = await fetch("/ui/data", { credentials: "same-origin", cache: "no-store" });
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json());
    document.getElementById("stale").textContent = "";
  } catch (e) {
    document.getElementById("stale").textContent = "agent unreachable (" + e.message + ")";
  }
}
setInterval(refresh, 5000);
</script>
</body>
</html>
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_single_use() {
        let s = Sessions::default();
        let code = s.new_code().unwrap();
        let session = s.redeem(&code).unwrap();
        assert!(s.valid(&session));
        assert!(s.redeem(&code).is_none(), "a code works once");
        assert!(!s.valid("nope"));
        assert!(!PAGE.contains("http://") && !PAGE.contains("https://") && !PAGE.contains("//cdn"));
    }
}
