//! Running one check once: HTTP, TCP, a command (argv, no shell, its whole process group
//! killed on timeout) or the standard gRPC health service.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;

use crate::model::check::{Check, Probe};

/// Output kept from a command check.
pub const MAX_OUTPUT: usize = 4096;
/// HTTP response bodies read for assertions.
const MAX_BODY: usize = 1024 * 1024;

/// The result of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub ok: bool,
    pub latency_seconds: f64,
    /// Why it failed, or what it saw (`HTTP 200`, `connected`, `exit 0`, `SERVING`).
    pub message: String,
    /// A command's combined stdout and stderr, cut to 4 KiB.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
}

impl ProbeResult {
    fn new(ok: bool, started: Instant, message: impl Into<String>) -> Self {
        ProbeResult {
            ok,
            latency_seconds: started.elapsed().as_secs_f64(),
            message: message.into(),
            output: String::new(),
        }
    }
}

/// Run `check` once, bounded by its timeout. What it saw (a body, an error, a command's
/// output) comes from outside and may echo a secret: the result is redacted.
pub async fn run(check: &Check) -> ProbeResult {
    let mut r = run_unredacted(check).await;
    r.message = crate::redact::redacted(r.message);
    r.output = crate::redact::redact_cut(&r.output, MAX_OUTPUT);
    r
}

async fn run_unredacted(check: &Check) -> ProbeResult {
    let started = Instant::now();
    let timeout = check.timeout.as_std();
    // A command enforces its own timeout: it must kill the process group, which dropping the
    // future under an outer timeout would not do.
    let bounded = match &check.probe {
        Probe::Command { command } => return command_probe(command, timeout, started).await,
        Probe::Http { .. } => tokio::time::timeout(timeout, http(check, started)).await,
        Probe::Tcp { address } => tokio::time::timeout(timeout, tcp(address, started)).await,
        Probe::Grpc {
            address,
            service,
            tls,
            ca_cert,
        } => {
            tokio::time::timeout(
                timeout,
                grpc(address, service, *tls, ca_cert.as_deref(), timeout, started),
            )
            .await
        }
    };
    bounded.unwrap_or_else(|_| {
        ProbeResult::new(false, started, format!("timed out after {}", check.timeout))
    })
}

/// A failed health RPC for people: the code and the server's message, or, where the message
/// is empty, what the code means here (never a line ending in `: `).
fn grpc_status_text(s: &tonic::Status, service: &str) -> String {
    match (s.code(), s.message().trim()) {
        // The health service answers NOT_FOUND for a service it has no status for.
        (tonic::Code::NotFound, "") => format!(
            "gRPC NotFound: the server has no health status for service '{service}' (--grpc-service)"
        ),
        (code, "") => format!("gRPC {code:?}"),
        (code, m) => format!("gRPC {code:?}: {m}"),
    }
}

/// The HTTP client a check needs, shared by every check with the same TLS settings and
/// timeout: building one (TLS roots, resolver) costs far more than a probe. Idle connections are
/// not kept, so each probe connects afresh, as a health check should (and as
/// blackbox_exporter does).
pub fn http_client(check: &Check) -> Result<reqwest::Client, String> {
    type Key = (Option<std::path::PathBuf>, bool, Duration);
    static CLIENTS: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<Key, reqwest::Client>>,
    > = std::sync::OnceLock::new();
    let Probe::Http {
        ca_cert,
        insecure_skip_verify,
        ..
    } = &check.probe
    else {
        return Err("not an HTTP check".into());
    };
    let key: Key = (
        ca_cert.clone(),
        *insecure_skip_verify,
        check.timeout.as_std(),
    );
    let cache = CLIENTS.get_or_init(Default::default);
    if let Some(c) = cache.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(c);
    }
    let client = build_http_client(
        ca_cert.as_deref(),
        *insecure_skip_verify,
        check.timeout.as_std(),
    )?;
    if let Ok(mut m) = cache.lock() {
        // Bounded: distinct (CA, skip-verify, timeout) combinations are few in practice.
        if m.len() >= 64 {
            m.clear();
        }
        m.insert(key, client.clone());
    }
    Ok(client)
}

fn build_http_client(
    ca_cert: Option<&std::path::Path>,
    insecure_skip_verify: bool,
    timeout: Duration,
) -> Result<reqwest::Client, String> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        let same_host =
            attempt.previous().first().map(|u| u.host_str()) == Some(attempt.url().host_str());
        if attempt.previous().len() >= 5 {
            attempt.error("more than 5 redirects")
        } else if same_host {
            attempt.follow()
        } else {
            attempt.error("redirect to another host refused")
        }
    });
    let mut b = crate::net::tls::http_client()
        .redirect(policy)
        .timeout(timeout)
        .pool_max_idle_per_host(0)
        .user_agent(concat!("hivemind-health/", env!("CARGO_PKG_VERSION")))
        .danger_accept_invalid_certs(insecure_skip_verify);
    if let Some(path) = ca_cert {
        for cert in crate::net::tls::read_ca(path)? {
            b = b.add_root_certificate(cert);
        }
    }
    b.build().map_err(|e| format!("HTTP client: {e}"))
}

async fn http(check: &Check, started: Instant) -> ProbeResult {
    let Probe::Http {
        url,
        expect_status,
        body_contains,
        body_regex,
        json,
        headers,
        ..
    } = &check.probe
    else {
        return ProbeResult::new(false, started, "not an HTTP check");
    };
    let client = match http_client(check) {
        Ok(c) => c,
        Err(e) => return ProbeResult::new(false, started, e),
    };
    let mut req = client.get(url);
    for h in headers {
        req = req.header(&h.name, &h.value);
    }
    let mut resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return ProbeResult::new(false, started, crate::net::describe(&e)),
    };
    let status = resp.status().as_u16();
    if !expect_status.contains(status) {
        return ProbeResult::new(
            false,
            started,
            format!("HTTP {status}, expected {expect_status}"),
        );
    }
    if body_contains.is_none() && body_regex.is_none() && json.is_none() {
        return ProbeResult::new(true, started, format!("HTTP {status}"));
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_BODY {
                    body.truncate(MAX_BODY);
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                return ProbeResult::new(
                    false,
                    started,
                    format!("reading body: {}", crate::net::describe(&e)),
                );
            }
        }
    }
    let text = String::from_utf8_lossy(&body);
    if let Some(needle) = body_contains
        && !text.contains(needle.as_str())
    {
        return ProbeResult::new(
            false,
            started,
            format!("HTTP {status}: body does not contain {needle:?}"),
        );
    }
    if let Some(re) = body_regex {
        match regex::Regex::new(re) {
            Ok(r) if r.is_match(&text) => {}
            Ok(_) => {
                return ProbeResult::new(
                    false,
                    started,
                    format!("HTTP {status}: body does not match /{re}/"),
                );
            }
            Err(e) => return ProbeResult::new(false, started, format!("body regex: {e}")),
        }
    }
    if let Some(a) = json {
        use crate::model::input::{self, Input};
        let value = match input::json_value(&body, Input::PROBE_BODY) {
            Ok(v) => v,
            Err(e) => {
                return ProbeResult::new(
                    false,
                    started,
                    format!("HTTP {status}: body is not JSON ({e})"),
                );
            }
        };
        let found = value.pointer(&a.pointer);
        let matches = match found {
            Some(serde_json::Value::String(s)) => *s == a.expected,
            Some(other) => serde_json::to_string(other).is_ok_and(|t| t == a.expected),
            None => false,
        };
        if !matches {
            let seen = found.map_or_else(|| "nothing".to_string(), |v| v.to_string());
            return ProbeResult::new(
                false,
                started,
                format!(
                    "HTTP {status}: {} is {seen}, expected {}",
                    a.pointer, a.expected
                ),
            );
        }
    }
    ProbeResult::new(true, started, format!("HTTP {status}"))
}

async fn tcp(address: &str, started: Instant) -> ProbeResult {
    match tokio::net::TcpStream::connect(address).await {
        Ok(_) => ProbeResult::new(true, started, "connected"),
        Err(e) => ProbeResult::new(false, started, format!("connect {address}: {e}")),
    }
}

/// Run argv in its own process group; on timeout kill the whole group so that children the
/// command started do not linger.
async fn command_probe(argv: &[String], timeout: Duration, started: Instant) -> ProbeResult {
    let Some((program, args)) = argv.split_first() else {
        return ProbeResult::new(false, started, "empty command");
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return ProbeResult::new(false, started, format!("starting {program}: {e}")),
    };
    let pgid = child.id();
    let (Some(mut out), Some(mut err)) = (child.stdout.take(), child.stderr.take()) else {
        return ProbeResult::new(false, started, "no pipes to the command");
    };
    let work = async {
        let mut o = Vec::new();
        let mut e = Vec::new();
        // Read everything (so the child never blocks on a full pipe) but keep only 4 KiB.
        let (ro, re, status) = tokio::join!(
            read_capped(&mut out, &mut o),
            read_capped(&mut err, &mut e),
            child.wait()
        );
        let _ = (ro, re);
        (status, o, e)
    };
    match tokio::time::timeout(timeout, work).await {
        Ok((status, o, e)) => {
            // Cut to MAX_OUTPUT by `run`, after redaction.
            let mut output = String::from_utf8_lossy(&o).into_owned();
            output.push_str(&String::from_utf8_lossy(&e));
            let mut r = match status {
                Ok(s) if s.success() => ProbeResult::new(true, started, "exit 0"),
                Ok(s) => match s.code() {
                    Some(c) => ProbeResult::new(false, started, format!("exit {c}")),
                    None => ProbeResult::new(false, started, "killed by a signal"),
                },
                Err(e) => ProbeResult::new(false, started, format!("waiting for {program}: {e}")),
            };
            r.output = output;
            r
        }
        Err(_) => {
            if let Some(pid) = pgid.and_then(|p| i32::try_from(p).ok()) {
                let _ = nix::sys::signal::killpg(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            ProbeResult::new(
                false,
                started,
                format!(
                    "timed out after {}; process group killed",
                    humantime::format_duration(timeout)
                ),
            )
        }
    }
}

async fn read_capped<R: tokio::io::AsyncRead + Unpin>(
    r: &mut R,
    keep: &mut Vec<u8>,
) -> std::io::Result<()> {
    let mut buf = [0u8; 4096];
    loop {
        let n = r.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        // A margin beyond what is kept: the output is redacted before it is cut.
        let room = (MAX_OUTPUT + crate::redact::READ_MARGIN).saturating_sub(keep.len());
        keep.extend_from_slice(&buf[..n.min(room)]);
    }
}

async fn grpc(
    address: &str,
    service: &str,
    tls: bool,
    ca: Option<&std::path::Path>,
    timeout: Duration,
    started: Instant,
) -> ProbeResult {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let scheme = if tls { "https" } else { "http" };
    let mut endpoint =
        match tonic::transport::Endpoint::from_shared(format!("{scheme}://{address}")) {
            Ok(e) => e.connect_timeout(timeout).timeout(timeout),
            Err(e) => return ProbeResult::new(false, started, format!("address {address}: {e}")),
        };
    if tls {
        let mut cfg = tonic::transport::ClientTlsConfig::new().with_native_roots();
        if let Some(path) = ca {
            // Checked by the same reader as every other CA file, then handed to tonic as PEM.
            let checked = std::fs::read(path)
                .map_err(|e| format!("reading CA certificate {}: {e}", path.display()))
                .and_then(|pem| {
                    crate::net::tls::parse_ca(&pem)
                        .map(|_| pem)
                        .map_err(|a| format!("CA certificate {}: expected {a}", path.display()))
                });
            match checked {
                Ok(pem) => cfg = cfg.ca_certificate(tonic::transport::Certificate::from_pem(pem)),
                Err(e) => return ProbeResult::new(false, started, e),
            }
        }
        endpoint = match endpoint.tls_config(cfg) {
            Ok(e) => e,
            Err(e) => return ProbeResult::new(false, started, format!("TLS: {e}")),
        };
    }
    let channel = match endpoint.connect().await {
        Ok(c) => c,
        Err(e) => {
            return ProbeResult::new(
                false,
                started,
                format!("connect {address}: {}", crate::error::fold(&e)),
            );
        }
    };
    let mut client = HealthClient::new(channel);
    match client
        .check(HealthCheckRequest {
            service: service.to_string(),
        })
        .await
    {
        Ok(resp) => {
            let status =
                ServingStatus::try_from(resp.into_inner().status).unwrap_or(ServingStatus::Unknown);
            ProbeResult::new(
                status == ServingStatus::Serving,
                started,
                status.as_str_name(),
            )
        }
        Err(s) => ProbeResult::new(false, started, grpc_status_text(&s, service)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_grpc_failure_never_ends_empty() {
        let text = |code, message: &str| {
            super::grpc_status_text(&tonic::Status::new(code, message), "shop.Cart")
        };
        assert_eq!(
            text(tonic::Code::NotFound, ""),
            "gRPC NotFound: the server has no health status for service 'shop.Cart' (--grpc-service)"
        );
        assert_eq!(text(tonic::Code::Unavailable, " "), "gRPC Unavailable");
        assert_eq!(
            text(tonic::Code::NotFound, "service not registered"),
            "gRPC NotFound: service not registered"
        );
    }
}
