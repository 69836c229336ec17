//! The built-in status page: one self-contained HTML document (no CDN, no external request:
//! its Content-Security-Policy forbids them) with the node's resources, its checks, the
//! firing and pending alerts, the alert rules and the recent log, refreshed live from
//! `/ui/data`.
//!
//! Two servers show it. The agent serves it on its API listener ([`handle`]); with no agent,
//! `open-dashboard` serves it from the CLI's own process on a loopback port ([`Standalone`],
//! run with [`super::serve::serve`]). Both read the same data the same way: [`gather`] asks
//! the [`Service`] and its runtime, which is the agent's live view (the check runner, the
//! alert engine, the log) in the daemon, and one measurement, one run of each check and one
//! evaluation of the rules per refresh in embedded mode.
//!
//! A browser cannot send the API's bearer token, so the page has its own login: a one-time
//! code (`POST /api/status-page/link` on the agent, what `open-dashboard` calls; printed by
//! `open-dashboard` when it serves the page itself), and `/ui/login?code=…` trades it for an
//! HttpOnly, SameSite=Strict session cookie.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::api_http::ApiState;
use crate::error::{Error, Result};
use crate::health::Status;
use crate::health::autoheal::HealState;
use crate::health::node::{self, HealthReport, Resource, Thresholds};
use crate::health::runner::CheckStatus;
use crate::model::alert::{Alert, AlertQuery, AlertState, fmt_value};
use crate::model::units;
use crate::target::service::Service;

/// How long a login code from the agent stays valid.
pub const CODE_TTL: Duration = Duration::from_secs(300);
/// How long a page session lasts (and the login code of a page `open-dashboard` serves: it
/// is printed once, and dies with the command anyway).
const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Codes and sessions kept at most (the oldest go first).
const MAX_ENTRIES: usize = 1000;
/// The session cookie's name, followed by the listener's port: cookies do not tell ports
/// apart, and two pages on one host (an agent, an `open-dashboard`) must not sign each other
/// out.
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
    /// A new one-time login code, valid for [`CODE_TTL`].
    pub fn new_code(&self) -> Result<String> {
        self.new_code_for(CODE_TTL)
    }

    fn new_code_for(&self, ttl: Duration) -> Result<String> {
        let code = random_hex()?;
        insert(&self.codes, code.clone(), ttl);
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

/// One server of the page, as a request sees it.
struct Page<'a> {
    svc: &'a Arc<Service>,
    sessions: &'a Sessions,
    /// Served over HTTPS: the cookie is `Secure`.
    secure: bool,
    /// The listener's port, which names the cookie.
    port: u16,
    /// What to do for a new link (shown when one expired).
    new_link: &'static str,
}

impl Page<'_> {
    fn cookie_name(&self) -> String {
        format!("{COOKIE}_{}", self.port)
    }

    fn cookie(&self, req: &Request<Body>) -> Option<String> {
        let prefix = format!("{}=", self.cookie_name());
        req.headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix(&prefix).map(str::to_string))
    }
}

/// What the page shows: display-ready rows, formatted here once for the first render and
/// every refresh.
#[derive(Debug, Serialize)]
pub struct PageData {
    pub version: String,
    pub generated_at: String,
    /// `daemon` (an agent serves the page) or `embedded` (`open-dashboard` does).
    pub mode: String,
    /// How long the agent has run (`3d 4h 12m`); absent in embedded mode.
    pub agent_uptime: Option<String>,
    pub node: NodeView,
    pub alerts: AlertPanel,
    pub rules: Vec<RuleRow>,
    /// The agent's recent log; absent in embedded mode, where nothing is recorded.
    pub logs: Option<Vec<crate::telemetry::LogRecord>>,
}

#[derive(Debug, Serialize)]
pub struct NodeView {
    pub hostname: String,
    pub status: Status,
    /// How long the node has been up (`3d 4h 12m`).
    pub uptime: Option<String>,
    pub resources: Vec<ResourceRow>,
    pub checks: Vec<CheckRow>,
}

#[derive(Debug, Serialize)]
pub struct ResourceRow {
    pub name: String,
    pub status: Status,
    pub value: String,
    pub threshold: String,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct CheckRow {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub target: String,
    pub status: Status,
    /// The last run's message and latency, or why there is none.
    pub result: String,
    pub autoheal: HealState,
}

#[derive(Debug, Serialize)]
pub struct AlertPanel {
    /// How the alerts were evaluated, in a sentence.
    pub how: String,
    pub evaluated_at: Option<String>,
    pub firing: usize,
    pub pending: usize,
    /// Firing first, then pending, then recently resolved.
    pub alerts: Vec<AlertRow>,
}

#[derive(Debug, Serialize)]
pub struct AlertRow {
    pub rule: String,
    pub state: AlertState,
    pub severity: String,
    /// `firing for 3m`, `pending for 40s`, `resolved 2m ago`.
    pub since: String,
    pub value: String,
    /// The series' labels, `name=value` (without `alertname` and `severity`).
    pub labels: String,
    pub summary: String,
}

#[derive(Debug, Serialize)]
pub struct RuleRow {
    pub name: String,
    pub severity: String,
    pub condition: String,
    pub duration: String,
}

/// A short duration for people: `45s` under a minute, else `3d 4h 12m`.
fn human(secs: u64) -> String {
    if secs < 60 {
        format!("{secs}s")
    } else {
        units::uptime(secs)
    }
}

/// Seconds from an RFC 3339 time until `now` (0 when it cannot be read or is ahead).
fn age(at: &str, now: SystemTime) -> Option<u64> {
    let t = humantime::parse_rfc3339_weak(at).ok()?;
    Some(now.duration_since(t).map_or(0, |d| d.as_secs()))
}

fn resource_row(r: &Resource) -> ResourceRow {
    let name = if r.target.is_empty() {
        r.resource.clone()
    } else {
        format!("{} {}", r.resource, r.target)
    };
    let show = |v: Option<f64>| match (v, r.unit.as_str()) {
        (None, _) => "-".to_string(),
        (Some(v), "percent") => format!("{v:.1}%"),
        (Some(v), "seconds") => human(v.max(0.0) as u64),
        (Some(v), _) => fmt_value(v),
    };
    let value = show(r.value);
    // The uptime row's detail says what its value now does.
    let detail = if r.unit == "seconds" && r.value.is_some() {
        String::new()
    } else {
        r.detail.clone()
    };
    ResourceRow {
        name,
        status: r.status,
        value,
        threshold: show(r.threshold),
        detail,
    }
}

fn check_row(c: &CheckStatus) -> CheckRow {
    let result = match (&c.last_result, &c.last_error) {
        (Some(r), _) => format!(
            "{} ({:.0} ms)",
            if r.message.is_empty() {
                if r.ok { "ok" } else { "failed" }
            } else {
                r.message.as_str()
            },
            r.latency_seconds * 1000.0
        ),
        (None, Some(e)) => e.clone(),
        (None, None) => "not run yet".into(),
    };
    CheckRow {
        name: c.name.clone(),
        kind: c.kind.as_str().into(),
        target: c.target.clone(),
        status: c.status,
        result,
        autoheal: c.autoheal,
    }
}

fn alert_row(a: &Alert, now: SystemTime) -> AlertRow {
    let since = match a.state {
        AlertState::Firing => format!(
            "firing for {}",
            human(age(a.fired_at.as_deref().unwrap_or(&a.active_at), now).unwrap_or(0))
        ),
        AlertState::Pending => {
            format!("pending for {}", human(age(&a.active_at, now).unwrap_or(0)))
        }
        AlertState::Resolved => format!(
            "resolved {} ago",
            human(
                a.resolved_at
                    .as_deref()
                    .and_then(|t| age(t, now))
                    .unwrap_or(0)
            )
        ),
    };
    let labels = a
        .labels
        .iter()
        .filter(|(k, _)| *k != "alertname" && *k != "severity")
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    AlertRow {
        rule: a.rule.clone(),
        state: a.state,
        severity: a.severity.to_string(),
        since,
        value: fmt_value(a.value),
        labels,
        summary: a
            .annotations
            .get("summary")
            .or_else(|| a.annotations.get("description"))
            .cloned()
            .unwrap_or_default(),
    }
}

/// The page's data, from the service: the same calls in the daemon and in embedded mode.
/// Blocking (the node measurement takes 200 ms; embedded mode also runs the checks and
/// evaluates the rules over a fresh collection, alongside).
pub fn gather(svc: &Service) -> Result<PageData> {
    let checks = svc.local.list_checks()?;
    let query = AlertQuery {
        states: vec![
            AlertState::Firing,
            AlertState::Pending,
            AlertState::Resolved,
        ],
    };
    let (node, alerts) = std::thread::scope(|s| {
        let alerts = s.spawn(|| svc.runtime.alerts(&svc.local, &query));
        let node: HealthReport = node::measure(&Thresholds::default(), svc.runtime.cpu_average())
            .with_checks(svc.runtime.check_statuses(&checks));
        (node, alerts.join())
    });
    let alerts = alerts.map_err(|_| Error::Other("evaluating the alert rules failed".into()))??;
    let now = SystemTime::now();
    let embedded = svc.runtime.mode() != "daemon";
    let count = |s: AlertState| alerts.alerts.iter().filter(|a| a.state == s).count();
    let panel = AlertPanel {
        how: if embedded {
            "evaluated once for this view: no agent keeps the rules running, so a rule with a `for` duration shows as pending here (`hivemind daemon` evaluates them continuously)".into()
        } else {
            "evaluated by the agent after every collection".into()
        },
        evaluated_at: alerts.evaluated_at.clone(),
        firing: count(AlertState::Firing),
        pending: count(AlertState::Pending),
        alerts: alerts.alerts.iter().map(|a| alert_row(a, now)).collect(),
    };
    let rules = svc
        .local
        .list_rules()?
        .into_iter()
        .map(|r| RuleRow {
            condition: r.expr.clone(),
            severity: r.severity.to_string(),
            duration: r.duration.to_string(),
            name: r.name,
        })
        .collect();
    let logs = match svc.runtime.telemetry() {
        Some(t) => Some(
            t.logger
                .query(&crate::telemetry::LogQuery {
                    level: Some(crate::model::Level::Info),
                    limit: Some(50),
                    ..Default::default()
                })?
                .logs,
        ),
        None => None,
    };
    Ok(PageData {
        version: env!("CARGO_PKG_VERSION").into(),
        generated_at: humantime::format_rfc3339_seconds(now).to_string(),
        mode: svc.runtime.mode().into(),
        agent_uptime: (!embedded).then(|| units::uptime(svc.runtime.uptime_seconds())),
        node: NodeView {
            uptime: node.uptime_seconds.map(units::uptime),
            resources: node.resources.iter().map(resource_row).collect(),
            checks: node.checks.iter().map(check_row).collect(),
            hostname: node.hostname,
            status: node.status,
        },
        alerts: panel,
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

/// The port of a listener URL (`http://127.0.0.1:9470` → 9470).
fn port_of(url: &str) -> u16 {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.port_or_known_default())
        .unwrap_or(0)
}

/// The agent's page: `/ui`, `/ui/login` and `/ui/data` on its API listener.
pub async fn handle(st: Arc<ApiState>, req: Request<Body>) -> Response {
    let page = Page {
        svc: &st.svc,
        sessions: &st.shared.page_sessions,
        secure: st.shared.api_url.starts_with("https:"),
        port: port_of(&st.shared.api_url),
        new_link: "Run `hivemind observability open-dashboard` for a new one.",
    };
    respond(&page, req).await
}

/// The page served by the CLI's own process when no agent runs (`open-dashboard`): plain
/// HTTP on a loopback port, with its own login codes and sessions.
pub struct Standalone {
    svc: Arc<Service>,
    sessions: Sessions,
    addr: SocketAddr,
}

impl Standalone {
    /// The page over `svc`, for a listener bound to `addr` (a loopback address).
    pub fn new(svc: Arc<Service>, addr: SocketAddr) -> Arc<Self> {
        Arc::new(Standalone {
            svc,
            sessions: Sessions::default(),
            addr,
        })
    }

    /// A one-time login link. Another local user can reach a loopback port too, so the page
    /// is closed without one; the link works once, while the command runs.
    pub fn login_link(&self) -> Result<String> {
        let code = self.sessions.new_code_for(SESSION_TTL)?;
        Ok(format!("http://{}/ui/login?code={code}", self.addr))
    }

    /// `/` (to `/ui`), `/ui`, `/ui/login` and `/ui/data`.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .fallback(standalone)
            .with_state(Arc::clone(self))
    }
}

async fn standalone(State(st): State<Arc<Standalone>>, req: Request<Body>) -> Response {
    let path = req.uri().path();
    if path == "/" {
        let mut resp = (StatusCode::SEE_OTHER, "").into_response();
        resp.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/ui"));
        return resp;
    }
    if path != "/ui" && !path.starts_with("/ui/") {
        return message_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "The status page is at /ui.",
        );
    }
    let page = Page {
        svc: &st.svc,
        sessions: &st.sessions,
        secure: false,
        port: st.addr.port(),
        new_link: "A link from `hivemind observability open-dashboard` works once: stop that command (Ctrl-C) and run it again for a new one.",
    };
    respond(&page, req).await
}

/// Serve `/ui`, `/ui/login` and `/ui/data` for `page`.
async fn respond(page: &Page<'_>, req: Request<Body>) -> Response {
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
        let who = super::api_http::who(&req);
        let Some(session) = page.sessions.redeem(&code) else {
            page.svc.msg.audit(
                &who,
                "status page login",
                "refused: expired or used link",
                false,
            );
            return message_page(
                StatusCode::UNAUTHORIZED,
                "Link expired",
                &format!(
                    "This status-page link has expired or was used already. {}",
                    page.new_link
                ),
            );
        };
        page.svc
            .msg
            .audit(&who, "status page login", "signed in", true);
        let secure = if page.secure { "; Secure" } else { "" };
        let mut resp = (StatusCode::SEE_OTHER, "").into_response();
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{}={session}; HttpOnly; SameSite=Strict; Path=/ui; Max-Age={}{secure}",
            page.cookie_name(),
            SESSION_TTL.as_secs()
        )) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
        resp.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/ui"));
        return resp;
    }
    if !page.cookie(&req).is_some_and(|c| page.sessions.valid(&c)) {
        return message_page(
            StatusCode::UNAUTHORIZED,
            "Sign-in needed",
            "Open the status page with `hivemind observability open-dashboard` (it prints a one-time link).",
        );
    }
    if path != "/ui" && path != "/ui/" && path != "/ui/data" {
        return message_page(
            StatusCode::NOT_FOUND,
            "Not found",
            "The status page is at /ui.",
        );
    }
    let svc = Arc::clone(page.svc);
    let data = match tokio::task::spawn_blocking(move || gather(&svc)).await {
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
    let nonce = random_hex().unwrap_or_else(|_| "fallback".into());
    // Inside <script>, `<` would let data close the element: JSON allows escaping it.
    let inline = json.replace('<', "\\u003c");
    let body = PAGE
        .replace("{{NONCE}}", &nonce)
        .replace("{{NODE}}", &escape(&data.node.hostname))
        .replace("{{DATA}}", &inline);
    html_response(StatusCode::OK, body, &nonce)
}

/// The document. Below 640 px tables turn into one card per row, each cell labelled by its
/// column (`data-label`); above, long cells (paths, messages) wrap anywhere instead of
/// widening the page, and short ones (states, numbers) never wrap.
const PAGE: &str = r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hivemind · {{NODE}}</title>
<style nonce="{{NONCE}}">
  :root { --ok:#1a7f37; --bad:#cf222e; --unk:#9a6700; --fg:#1f2328; --mute:#656d76; --line:#d0d7de; }
  *, *::before, *::after { box-sizing: border-box; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; background: #f6f8fa; }
  header { background: #24292f; color: #fff; padding: 12px 20px; display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; min-width: 0; overflow-wrap: anywhere; }
  header .meta { color: #d0d7de; font-size: 12px; margin-left: auto; }
  #uptime { color: #d0d7de; font-size: 13px; }
  main { padding: 16px 20px; display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(min(100%, 640px), 1fr)); }
  section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 15px; margin: 0 0 8px; display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline; }
  h2 .count { font-size: 13px; font-weight: 400; color: var(--mute); }
  .note { color: var(--mute); font-size: 12px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
  th { color: var(--mute); font-weight: 600; font-size: 12px; text-transform: uppercase; white-space: nowrap; }
  .nw { white-space: nowrap; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; white-space: nowrap; }
  .healthy, .info, .resolved { background: var(--ok); }
  .unhealthy, .error, .critical, .firing { background: var(--bad); }
  .unknown, .warning, .pending { background: var(--unk); }
  .debug, .trace { background: var(--mute); }
  .empty { color: var(--mute); font-style: italic; }
  .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
  #stale { color: #ffb4b4; }
  @media (max-width: 640px) {
    header { padding: 10px 12px; }
    header .meta { margin-left: 0; }
    main { padding: 10px 8px; gap: 10px; }
    section { padding: 10px 12px; }
    table, tbody, tr, td { display: block; width: 100%; }
    thead { display: none; }
    tr { border-bottom: 1px solid var(--line); padding: 6px 0; }
    td { border: 0; padding: 2px 0; display: grid; grid-template-columns: 6.5em minmax(0, 1fr); gap: 8px; justify-items: start; }
    td:empty { display: none; }
    td::before { content: attr(data-label); color: var(--mute); font-size: 12px; }
    td.empty-row { display: block; }
    td.empty-row::before { content: none; }
  }
</style>
</head>
<body>
<header>
  <h1>hivemind · <span id="node">{{NODE}}</span></h1>
  <span id="status"></span>
  <span id="uptime"></span>
  <span class="meta"><span id="stale"></span> <span id="updated"></span> · refreshes every 5 s</span>
</header>
<main>
  <section class="wide" id="alerts-panel"><h2>Alerts <span class="count" id="alert-count"></span></h2><p class="note" id="alert-how"></p><table id="alerts"></table></section>
  <section><h2>Node resources</h2><table id="resources"></table></section>
  <section><h2>Health checks</h2><table id="checks"></table></section>
  <section class="wide"><h2>Alert rules</h2><table id="rules"></table></section>
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
// `short`: the columns whose cells never wrap (states, numbers).
function fill(id, headers, rows, empty, short) {
  const t = document.getElementById(id);
  t.replaceChildren();
  if (!rows.length) {
    const c = t.insertRow().insertCell();
    c.colSpan = headers.length;
    c.className = "empty-row";
    c.append(el("span", empty, "empty"));
    return;
  }
  const h = t.createTHead().insertRow();
  for (const x of headers) h.append(el("th", x));
  const b = t.createTBody();
  for (const row of rows) {
    const r = b.insertRow();
    row.forEach((v, i) => {
      const c = r.insertCell();
      c.dataset.label = headers[i];
      if (short && short.includes(i)) c.className = "nw";
      if (v instanceof Node) c.append(v); else if (v !== "" && v !== null && v !== undefined) c.append(el("span", v));
    });
  }
}
function render(d) {
  const n = d.node;
  document.getElementById("node").textContent = n.hostname;
  document.getElementById("status").replaceChildren(badge(n.status));
  document.getElementById("uptime").textContent = n.uptime ? "up " + n.uptime : "";
  document.getElementById("updated").textContent = "updated " + d.generated_at + " · hivemind " + d.version +
    (d.agent_uptime ? " · agent up " + d.agent_uptime : " · served by open-dashboard (no agent)");
  const a = d.alerts;
  document.getElementById("alert-count").textContent = a.firing + " firing · " + a.pending + " pending";
  document.getElementById("alert-how").textContent = a.how + (a.evaluated_at ? " · last evaluated " + a.evaluated_at : "");
  fill("alerts", ["Alert", "State", "Severity", "Since", "Value", "Labels", "Summary"],
    a.alerts.map(x => [x.rule, badge(x.state), badge(x.severity), x.since, x.value, el("span", x.labels, "mono"), x.summary]),
    "no alerts firing or pending", [1, 2, 4]);
  fill("resources", ["Resource", "Status", "Value", "Threshold", "Detail"],
    n.resources.map(r => [r.name, badge(r.status), r.value, r.threshold, r.detail]),
    "no resources measured", [1, 2, 3]);
  fill("checks", ["Check", "Type", "Target", "Status", "Last result", "Auto-healing"],
    n.checks.map(c => [c.name, c.type, el("span", c.target, "mono"), badge(c.status), c.result, c.autoheal]),
    "no checks defined (hivemind health create-check)", [1, 3, 5]);
  fill("rules", ["Rule", "Severity", "Condition", "For"],
    d.rules.map(r => [r.name, r.severity, el("span", r.condition, "mono"), r.duration]),
    "no alert rules (hivemind health create-alert-rule)", [1, 3]);
  fill("logs", ["Time", "Level", "Message"],
    (d.logs || []).slice().reverse().map(l => [el("span", l.timestamp, "mono"), badge(l.level), l.message]),
    d.logs ? "no log records yet" : "no agent runs here, so there is no agent log (hivemind daemon keeps one)", [1]);
}
render(JSON.parse(document.getElementById("initial").textContent));
async function refresh() {
  try {
    const r = await fetch("/ui/data", { credentials: "same-origin", cache: "no-store" });
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json());
    document.getElementById("stale").textContent = "";
  } catch (e) {
    document.getElementById("stale").textContent = "no answer from the server (" + e.message + ")";
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

    #[test]
    fn durations_are_for_people() {
        let uptime = Resource {
            resource: "uptime".into(),
            target: String::new(),
            status: Status::Healthy,
            value: Some(273_120.0),
            unit: "seconds".into(),
            threshold: None,
            window_seconds: None,
            detail: "3d 3h 52m".into(),
        };
        let row = resource_row(&uptime);
        assert_eq!(row.value, "3d 3h 52m");
        assert_eq!(row.threshold, "-");
        let cpu = Resource {
            resource: "cpu".into(),
            value: Some(12.345),
            unit: "percent".into(),
            threshold: Some(90.0),
            detail: "4 cores".into(),
            ..uptime
        };
        let row = resource_row(&cpu);
        assert_eq!(
            (row.value.as_str(), row.threshold.as_str()),
            ("12.3%", "90.0%")
        );
        assert_eq!(human(42), "42s");
        assert_eq!(human(3 * 3600 + 120), "3h 2m");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(age("1970-01-12T13:43:20Z", now), Some(200));
        assert_eq!(age("not a time", now), None);
    }

    #[test]
    fn cookies_are_per_port() {
        assert_eq!(port_of("http://127.0.0.1:9470"), 9470);
        assert_eq!(port_of("https://agent.example"), 443);
    }
}
