//! An HTTP client of one agent: bearer token, optional private CA, no redirects, and the
//! agent's typed errors turned back into ours.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::Secret;
use crate::model::input::{self, Input};
use crate::net::tls::Trust;
use crate::target::call::{Call, FileCall, Method, PPROF_CONTENT_TYPE};

/// The error body every agent endpoint answers with.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

/// JSON answers larger than this are refused (a misdirected URL could stream anything).
const MAX_RESPONSE: usize = Input::AGENT_ANSWER.max_bytes();
/// File answers (profiles) larger than this are refused: a ten-minute CPU profile of a busy
/// container is tens of MiB.
pub const MAX_FILE: usize = 256 * 1024 * 1024;

/// A client of one agent.
#[derive(Clone)]
pub struct AgentClient {
    pub name: String,
    pub url: String,
    token: Option<Secret>,
    http: reqwest::Client,
}

impl std::fmt::Debug for AgentClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentClient")
            .field("name", &self.name)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl AgentClient {
    /// `timeout` bounds every request as a whole; connecting gets at most 5 s of it.
    ///
    /// Agents share HTTP clients: one per kind of trust (plain `http://`, the system's roots,
    /// each CA file) and timeout, built once per process. So the system's roots are parsed
    /// once for a whole fleet (never for `http://` agents), and an agent asked twice in one
    /// command reuses its connection.
    pub fn new(
        name: &str,
        url: &str,
        token: Option<Secret>,
        ca_cert: Option<&Path>,
        timeout: Duration,
    ) -> Result<Self> {
        let trust = match (url.starts_with("https://"), ca_cert) {
            (false, _) => Trust::None,
            (true, None) => Trust::System,
            (true, Some(path)) => Trust::Ca(path.to_path_buf()),
        };
        let http =
            shared_client(&trust, timeout).map_err(|e| e.context(format!("agent {name}")))?;
        Ok(AgentClient {
            name: name.to_string(),
            url: url.trim_end_matches('/').to_string(),
            token,
            http,
        })
    }

    /// A client of the daemon on this machine through its Unix socket (no TLS needed; the
    /// socket's permissions admit only its owner).
    pub fn local(socket: &Path, token: Option<Secret>, timeout: Duration) -> Result<Self> {
        let http = crate::net::tls::http_client()
            .unix_socket(socket)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .user_agent(concat!("hivemind/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::caused("local daemon: building HTTP client", e))?;
        Ok(AgentClient {
            name: "local".into(),
            url: "http://localhost".into(),
            token,
            http,
        })
    }

    /// Send a request; transport failures become [`Error::Remote`].
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        accept: &'static str,
    ) -> Result<reqwest::Response> {
        let url = format!("{}{path}", self.url);
        let method = match method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let context = outgoing_context();
        let mut req = self
            .http
            .request(method, &url)
            .header("accept", accept)
            .header("traceparent", context.traceparent());
        if let Some(state) = &context.tracestate {
            req = req.header("tracestate", state.as_str());
        }
        if let Some(t) = &self.token {
            req = req.bearer_auth(t.expose());
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send()
            .await
            .map_err(|e| Error::Remote(crate::net::describe(&e)))
    }

    /// Read a body of at most `max` bytes (see [`crate::net::read_body`]).
    async fn body(resp: reqwest::Response, max: usize) -> Result<Vec<u8>> {
        crate::net::read_body(resp, max)
            .await
            .map_err(|e| Error::Remote(e.to_string()))
    }

    /// The agent's typed error for a failed request. Its message comes from another process
    /// (or from whatever answers at that URL): it is redacted of every secret this process
    /// knows, the token it sent first of all.
    fn error(&self, status: reqwest::StatusCode, path: &str, bytes: &[u8]) -> Error {
        use crate::redact::redacted;
        match input::json::<ErrorBody>(bytes, Input::AGENT_ANSWER) {
            Ok(body) => {
                let message = redacted(body.error.message);
                match body.error.code.as_str() {
                    "invalid" => Error::Usage(message),
                    "not_found" => Error::NotFound(message),
                    "conflict" => Error::Conflict(message),
                    "unauthorized" => Error::Remote(format!(
                        "{message} (check the token: `hivemind agent add {} --url … --token-stdin`, or HIVEMIND_TOKEN)",
                        self.name
                    )),
                    _ => Error::Remote(message),
                }
            }
            Err(_) => Error::Remote(redacted(format!("HTTP {status} from {}{path}", self.url))),
        }
    }

    /// Send a call and return the JSON answer.
    pub async fn call(&self, call: &Call) -> Result<serde_json::Value> {
        let (method, path, body) = call.to_http()?;
        let resp = self.send(method, &path, body, "application/json").await?;
        let status = resp.status();
        let bytes = Self::body(resp, MAX_RESPONSE).await?;
        if status.is_success() {
            return input::json_value(&bytes, Input::AGENT_ANSWER).map_err(|e| {
                if e.is_limit() {
                    return Error::Remote(format!("refused the answer of {}: {e}", self.url));
                }
                Error::Remote(format!(
                    "the agent's answer is not JSON ({e}); is {} a hivemind agent?",
                    self.url
                ))
            });
        }
        Err(self.error(status, &path, &bytes))
    }

    /// Send a file call and return the file (at most [`MAX_FILE`] bytes).
    pub async fn fetch(&self, call: &FileCall) -> Result<Vec<u8>> {
        let (method, path, body) = call.to_http()?;
        let resp = self.send(method, &path, body, PPROF_CONTENT_TYPE).await?;
        let status = resp.status();
        let json = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if status.is_success() && !json {
            return Self::body(resp, MAX_FILE).await;
        }
        let bytes = Self::body(resp, MAX_RESPONSE).await?;
        if status.is_success() {
            return Err(Error::Remote(format!(
                "expected a file from {}{path} but got JSON; is the agent older than this CLI?",
                self.url
            )));
        }
        Err(self.error(status, &path, &bytes))
    }
}

/// The HTTP client for agents with this trust and timeout, built on first use.
fn shared_client(trust: &Trust, timeout: Duration) -> Result<reqwest::Client> {
    type Cache = HashMap<(Trust, Duration), reqwest::Client>;
    static CLIENTS: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache = CLIENTS.get_or_init(|| Mutex::new(HashMap::new()));
    let key = (trust.clone(), timeout);
    if let Some(client) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(client);
    }
    let tls = crate::net::tls::client_config(trust).map_err(Error::Other)?;
    let client = crate::net::tls::http_client()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .pool_idle_timeout(Duration::from_secs(30))
        .tcp_nodelay(true)
        .user_agent(concat!("hivemind/", env!("CARGO_PKG_VERSION")))
        .tls_backend_preconfigured(tls)
        .build()
        .map_err(|e| Error::caused("building HTTP client", e))?;
    if let Ok(mut c) = cache.lock() {
        c.insert(key, client.clone());
    }
    Ok(client)
}

/// The W3C trace context every call of this process sends: the `TRACEPARENT` (and
/// `TRACESTATE`) a CI job exported, so the agent's spans join that job's trace, or else one
/// new trace for the whole command (a fan-out's calls share it).
pub fn outgoing_context() -> &'static crate::telemetry::SpanContext {
    static CONTEXT: std::sync::OnceLock<crate::telemetry::SpanContext> = std::sync::OnceLock::new();
    CONTEXT.get_or_init(crate::telemetry::SpanContext::for_outgoing_call)
}
