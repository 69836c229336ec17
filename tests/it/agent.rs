//! The agent: a real `hivemind daemon` on loopback, driven by the real CLI and by raw HTTP.
//! Peers: a real Prometheus scrapes it, `promtool check metrics` lints a live scrape.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use super::{hm, hm_run, json, run, std_cmd_under};

/// A free loopback port (bound and released; good enough on a quiet test machine).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A peer program on PATH, or `None` with a skip notice; under `CI=true` a missing peer fails.
pub fn peer(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{name} is required under CI=true"
        );
        eprintln!("skipped: {name} not on PATH");
    }
    found
}

/// Lint an exposition with `promtool check metrics` (skip notice when promtool is absent).
pub fn promtool_check_metrics(text: &str) {
    let Some(promtool) = peer("promtool") else {
        return;
    };
    let mut child = std::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A running daemon, stopped with SIGTERM on drop.
pub struct Daemon {
    pub child: Option<Child>,
    pub api: SocketAddr,
    pub metrics_port: u16,
    pub token: String,
}

impl Daemon {
    /// Start a daemon on `dir` with free API and metrics ports; wait until it answers.
    /// Start a daemon on `dir` with a free API port (port 0: the daemon picks one and
    /// publishes it) and a free metrics port; wait until it answers. A start that loses a
    /// port race to a parallel test is retried.
    pub fn start(dir: &Path, extra: &[&str]) -> Daemon {
        Daemon::start_under(dir, extra, &[])
    }

    /// The same, with the daemon run by `wrapper` (a program and its arguments that ends by
    /// running the command after it, like `prlimit --nofile=256:256 --`).
    pub fn start_under(dir: &Path, extra: &[&str], wrapper: &[&str]) -> Daemon {
        let mut last_err = String::new();
        for _ in 0..3 {
            match Daemon::try_start(dir, extra, wrapper) {
                Ok(d) => return d,
                Err(e) if e.contains("cannot serve metrics") || e.contains("cannot listen") => {
                    last_err = e
                }
                Err(e) => panic!("{e}"),
            }
        }
        panic!("{last_err}");
    }

    fn try_start(dir: &Path, extra: &[&str], wrapper: &[&str]) -> Result<Daemon, String> {
        let metrics_port = free_port();
        let (code, _, err) = hm_run(
            dir,
            &[
                "observability",
                "configure-metrics",
                "--port",
                &metrics_port.to_string(),
            ],
        );
        assert_eq!(code, 0, "{err}");
        let _ = std::fs::remove_file(dir.join("daemon.json"));
        let child = std_cmd_under(dir, wrapper)
            .args([
                "daemon",
                "--listen",
                "127.0.0.1:0",
                "--collect-interval",
                "1s",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut d = Daemon {
            child: Some(child),
            api: "127.0.0.1:0".parse().unwrap(),
            metrics_port,
            token: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(text) = std::fs::read_to_string(dir.join("daemon.json"))
                // Published while it starts too; it serves once `ready`.
                && let Ok(info) = serde_json::from_str::<serde_json::Value>(&text)
                && info["status"].as_str().unwrap_or("ready") == "ready"
            {
                let url = info["url"].as_str().unwrap();
                d.api = url.rsplit("://").next().unwrap().parse().unwrap();
                d.token = std::fs::read_to_string(dir.join("agent.token"))
                    .unwrap()
                    .trim()
                    .to_string();
                return Ok(d);
            }
            if let Some(status) = d.child.as_mut().unwrap().try_wait().unwrap() {
                let mut err = String::new();
                d.child
                    .take()
                    .unwrap()
                    .stderr
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                return Err(format!("daemon exited with {status}: {err}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err("daemon did not start within 20 s".into())
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.api)
    }

    /// SIGTERM, wait, and return the exit code and stderr.
    pub fn stop(&mut self) -> (i32, String) {
        let Some(mut child) = self.child.take() else {
            return (-1, String::new());
        };
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                break child.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (status.code().unwrap_or(-1), err)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A raw HTTP/1.1 request; returns (status, body).
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &[u8],
) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) and close before the whole body is sent.
    let _ = s.write_all(body);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let text = String::from_utf8_lossy(&resp).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Decode a chunked body if needed (hyper chunks bodies without a known length).
pub fn dechunk(body: &str) -> String {
    if body.starts_with('{') || body.starts_with('#') {
        return body.to_string();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

#[test]
fn api_requires_the_token_and_limits_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), &[]);
    let (code, body) = http(d.api, "GET", "/api/info", None, b"");
    assert_eq!(code, 401, "{body}");
    assert!(body.contains("\"unauthorized\""), "{body}");
    let (code, _) = http(d.api, "GET", "/api/rules", Some("wrong-token"), b"");
    assert_eq!(code, 401);
    let (code, body) = http(d.api, "GET", "/api/info", Some(&d.token), b"");
    assert_eq!(code, 200, "{body}");
    let info: serde_json::Value = serde_json::from_str(&dechunk(&body)).unwrap();
    assert_eq!(info["mode"], "daemon");

    let big = vec![b'x'; 2 * 1024 * 1024];
    let (code, body) = http(d.api, "POST", "/api/rules", Some(&d.token), &big);
    assert_eq!(code, 413, "{body}");

    // A rejected write changes nothing and says why.
    let bad = br#"{"rules":[{"name":"ok","metric":"m","threshold":1,"duration":"1m","severity":"info"},{"name":"bad","metric":"1x","threshold":1,"duration":"1m","severity":"info"}]}"#;
    let (code, body) = http(d.api, "POST", "/api/rules", Some(&d.token), bad);
    assert_eq!(code, 400, "{body}");
    assert!(dechunk(&body).contains("metric"), "{body}");
    let (code, body) = http(d.api, "GET", "/api/rules", Some(&d.token), b"");
    assert_eq!(code, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&dechunk(&body)).unwrap()["rules"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let (code, body) = http(
        d.api,
        "POST",
        "/api/rules",
        Some(&d.token),
        b"{\"rules\": [], \"unknown\": 1}",
    );
    assert_eq!(code, 400, "{body}");
    let (code, _) = http(d.api, "GET", "/api/nope", Some(&d.token), b"");
    assert_eq!(code, 404);
}

#[test]
fn refuses_a_public_address_without_tls() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = hm_run(dir.path(), &["daemon", "--listen", "0.0.0.0:9"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("refusing to listen on 0.0.0.0:9 without TLS"),
        "{err}"
    );
    assert!(!dir.path().join("daemon.json").exists());
}

#[test]
fn only_one_daemon_per_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let _d = Daemon::start(dir.path(), &[]);
    let port = free_port();
    let (code, _, err) = hm_run(
        dir.path(),
        &["daemon", "--listen", &format!("127.0.0.1:{port}")],
    );
    assert_eq!(code, 2);
    assert!(err.contains("another daemon already runs"), "{err}");
}

#[test]
fn cli_on_the_same_data_directory_goes_through_the_daemon() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Daemon::start(dir.path(), &[]);
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "-v",
            "health",
            "create-alert-rule",
            "--name",
            "r1",
            "--metric",
            "hivemind_node_cpu_usage",
            "--threshold",
            "90",
            "--duration",
            "1m",
            "--severity",
            "info",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("using the daemon running on"), "{err}");
    assert!(err.contains("agent local: alert rule r1 created"), "{err}");
    let (_, out, _) = hm_run(dir.path(), &["observability", "show-config", "-o", "json"]);
    assert_eq!(json(&out)["alert_rules"], 1);
    let (code, log) = d.stop();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("POST /api/rules: applied"), "{log}");
    for line in log.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("log line is not JSON: {line}"));
        assert!(
            v["timestamp"].is_string() && v["level"].is_string() && v["message"].is_string(),
            "{line}"
        );
    }
    assert!(
        !dir.path().join("daemon.json").exists(),
        "daemon.json removed on shutdown"
    );
    // Without the daemon, the same command runs embedded.
    let (code, _, err) = hm_run(dir.path(), &["-v", "health", "list-alert-rules"]);
    assert_eq!(code, 0);
    assert!(!err.contains("using the daemon"), "{err}");
}

#[test]
fn metrics_move_live_and_pass_promtool() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), &[]);
    let addr: SocketAddr = format!("127.0.0.1:{}", d.metrics_port).parse().unwrap();
    let (code, body) = http(addr, "GET", "/metrics", None, b"");
    assert_eq!(code, 200);
    let text = dechunk(&body);
    for name in [
        "hivemind_node_cpu_usage",
        "hivemind_node_memory_usage",
        "hivemind_nodes",
        "hivemind_build_info",
        "hivemind_containers",
    ] {
        assert!(
            text.contains(&format!("\n{name}")) || text.starts_with(name),
            "{name} missing"
        );
    }
    promtool_check_metrics(&text);

    // Move the listener through the daemon: the old port stops, the new one serves.
    let new_port = free_port();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-metrics",
            "--port",
            &new_port.to_string(),
            "--path",
            "/m",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let new_addr: SocketAddr = format!("127.0.0.1:{new_port}").parse().unwrap();
    let (code, body) = http(new_addr, "GET", "/m", None, b"");
    assert_eq!(code, 200, "{body}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        TcpStream::connect(addr).is_err(),
        "old metrics port still open"
    );

    // A port in use is refused and nothing changes.
    let blocker = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = blocker.local_addr().unwrap().port();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-metrics",
            "--port",
            &busy.to_string(),
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot serve metrics"), "{err}");
    let (_, out, _) = hm_run(dir.path(), &["observability", "show-config", "-o", "json"]);
    assert_eq!(json(&out)["metrics"]["port"], new_port);

    // The metric values are readable through the API and the CLI.
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "metrics",
            "hivemind_node_memory_usage",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["name"], "hivemind_node_memory_usage");
    assert!(v["samples"][0]["value"].as_f64().unwrap() > 0.0);
    let (code, _, err) = hm_run(dir.path(), &["observability", "metrics", "hivemind_nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no metric named 'hivemind_nope'"), "{err}");
}

#[test]
fn prometheus_scrapes_the_agent() {
    let Some(prometheus) = peer("prometheus") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), &[]);
    let prom_port = free_port();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: hivemind\n    static_configs:\n      - targets: ['127.0.0.1:{}']\n",
            d.metrics_port
        ),
    )
    .unwrap();
    let mut prom = std::process::Command::new(prometheus)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("tsdb").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{prom_port}").parse().unwrap();
    let query = |q: &str| -> serde_json::Value {
        let (code, body) = http(addr, "GET", &format!("/api/v1/query?query={q}"), None, b"");
        if code != 200 {
            return serde_json::Value::Null;
        }
        serde_json::from_str(&dechunk(&body)).unwrap_or(serde_json::Value::Null)
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut sample = serde_json::Value::Null;
    while Instant::now() < deadline {
        if TcpStream::connect(addr).is_ok() {
            let up = query("up");
            let is_up = up["data"]["result"][0]["value"][1] == "1";
            if is_up {
                let cpu = query("hivemind_node_cpu_usage");
                if cpu["data"]["result"]
                    .as_array()
                    .is_some_and(|r| !r.is_empty())
                {
                    sample = cpu;
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let _ = prom.kill();
    let _ = prom.wait();
    let value: f64 = sample["data"]["result"][0]["value"][1]
        .as_str()
        .unwrap_or("NaN")
        .parse()
        .unwrap_or(f64::NAN);
    assert!(
        (0.0..=100.0).contains(&value),
        "no hivemind_node_cpu_usage sample via Prometheus: {sample}"
    );
}

#[test]
fn remote_agents_fan_out_with_partial_failure() {
    let base = tempfile::tempdir().unwrap();
    let a = Daemon::start(&base.path().join("a"), &[]);
    let b = Daemon::start(&base.path().join("b"), &[]);
    // One agent that is down (nothing listens) and one that hangs (accepts, never answers).
    let down = free_port();
    let hang = TcpListener::bind("127.0.0.1:0").unwrap();
    let hang_port = hang.local_addr().unwrap().port();
    let cli = base.path().join("cli");
    for (name, url, token) in [
        ("a", a.url(), a.token.clone()),
        ("b", b.url(), b.token.clone()),
        ("down", format!("http://127.0.0.1:{down}"), "x".into()),
        ("hang", format!("http://127.0.0.1:{hang_port}"), "x".into()),
    ] {
        let (code, _, err) = run(hm(&cli)
            .args(["agent", "add", name, "--url", &url, "--token-stdin"])
            .write_stdin(token));
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, _) = hm_run(&cli, &["agent", "list", "-o", "json"]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["agents"].as_array().unwrap().len(), 4);
    assert!(!out.contains(&a.token), "agent list shows a token");

    // A write to two agents at once.
    let (code, _, err) = hm_run(
        &cli,
        &[
            "--agent",
            "a,b",
            "health",
            "create-alert-rule",
            "--name",
            "hot",
            "--metric",
            "hivemind_node_cpu_usage",
            "--threshold",
            "90",
            "--duration",
            "1m",
            "--severity",
            "warning",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("agent a: alert rule hot created")
            && err.contains("agent b: alert rule hot created"),
        "{err}"
    );

    let started = Instant::now();
    let (code, out, err) = hm_run(
        &cli,
        &[
            "--all-agents",
            "--agent-timeout",
            "2s",
            "health",
            "list-alert-rules",
            "-o",
            "json",
        ],
    );
    let took = started.elapsed();
    assert_eq!(code, 4, "{err}\n{out}");
    assert!(took < Duration::from_secs(8), "fan-out took {took:?}");
    let v = json(&out);
    let rows = v["agents"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["agent"], "a");
    assert_eq!(rows[0]["ok"], true);
    assert_eq!(rows[0]["result"]["rules"][0]["name"], "hot");
    assert_eq!(rows[2]["agent"], "down");
    assert_eq!(rows[2]["ok"], false);
    assert!(
        rows[2]["error"].as_str().unwrap().contains("connect"),
        "{}",
        rows[2]
    );
    assert_eq!(rows[3]["ok"], false);
    assert!(
        rows[3]["error"].as_str().unwrap().contains("timed out")
            || rows[3]["error"].as_str().unwrap().contains("no answer"),
        "{}",
        rows[3]
    );

    let (code, out, _) = hm_run(
        &cli,
        &[
            "--all-agents",
            "--agent-timeout",
            "2s",
            "health",
            "list-alert-rules",
        ],
    );
    assert_eq!(code, 4);
    assert!(
        out.contains("== agent a (") && out.contains("== agent hang (") && out.contains("error:"),
        "{out}"
    );

    let (code, out, _) = hm_run(
        &cli,
        &["agent", "ping", "--agent-timeout", "2s", "-o", "json"],
    );
    assert_eq!(code, 4);
    let pings = json(&out);
    assert_eq!(pings["agents"][0]["ok"], true);
    assert_eq!(pings["agents"][2]["ok"], false);

    // A wrong token is a clear error naming the agent.
    let (code, _, _) = run(hm(&cli)
        .args(["agent", "add", "b", "--url", &b.url(), "--token-stdin"])
        .write_stdin("wrong"));
    assert_eq!(code, 0);
    let (code, _, err) = hm_run(&cli, &["--agent", "b", "health", "list-alert-rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("agent b") && err.contains("token"), "{err}");

    // `agent use` makes an agent the default target; `--none` goes back to this machine.
    let (code, _, _) = hm_run(&cli, &["agent", "use", "a"]);
    assert_eq!(code, 0);
    let (code, out, _) = hm_run(&cli, &["health", "list-alert-rules", "-o", "json"]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["rules"][0]["name"], "hot");
    let (code, _, _) = hm_run(&cli, &["agent", "use", "--none"]);
    assert_eq!(code, 0);
    let (_, out, _) = hm_run(&cli, &["health", "list-alert-rules", "-o", "json"]);
    assert_eq!(json(&out)["rules"].as_array().unwrap().len(), 0);
    let (code, _, err) = hm_run(&cli, &["--agent", "nope", "health", "list-alert-rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("no agent named 'nope'"), "{err}");
    drop(hang);
}

#[test]
fn tls_with_a_self_signed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let agent_dir = dir.path().join("agent");
    let d = Daemon::start(
        &agent_dir,
        &[
            "--tls-cert",
            cert_path.to_str().unwrap(),
            "--tls-key",
            key_path.to_str().unwrap(),
        ],
    );
    let url = format!("https://{}", d.api);
    let cli = dir.path().join("cli");
    let (code, _, err) = run(hm(&cli)
        .args([
            "agent",
            "add",
            "secure",
            "--url",
            &url,
            "--ca-cert",
            cert_path.to_str().unwrap(),
            "--token-stdin",
        ])
        .write_stdin(d.token.clone()));
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = hm_run(&cli, &["agent", "ping", "secure", "-o", "json"]);
    assert_eq!(code, 0, "{err}\n{out}");
    assert_eq!(json(&out)["agents"][0]["ok"], true);
    // Without the CA the certificate is refused.
    let (code, _, _) = run(hm(&cli)
        .args(["agent", "add", "nocert", "--url", &url, "--token-stdin"])
        .write_stdin(d.token.clone()));
    assert_eq!(code, 0);
    let (code, out, _) = hm_run(&cli, &["agent", "ping", "nocert", "-o", "json"]);
    assert_eq!(code, 2);
    assert!(
        json(&out)["agents"][0]["error"]
            .as_str()
            .unwrap()
            .contains("certificate"),
        "{out}"
    );
}
