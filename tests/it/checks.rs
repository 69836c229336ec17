//! Health checks against real servers on loopback (HTTP, TCP, gRPC health service, real
//! commands), the daemon's runner, auto-healing with a real service process, and the bad input
//! cases of `create-check`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::agent::{Daemon, free_port, http, peer};
use super::fake_http::{FakeHttp, Response};
use super::{hm, hm_run, json, run};

/// An HTTP check's target: answers every request with the status and JSON body set last,
/// except `/redirect-away`, which redirects to another host.
struct Target {
    fake: FakeHttp,
    answer: Arc<Mutex<(u16, String)>>,
}

impl Target {
    fn start(status: u16, body: &str) -> Target {
        let answer = Arc::new(Mutex::new((status, body.to_string())));
        let current = Arc::clone(&answer);
        let fake = FakeHttp::start(move |req| {
            if req.method == "GET" && req.path == "/redirect-away" {
                return Response::new(302).header("Location", "http://example.invalid/");
            }
            let (code, body) = current.lock().unwrap().clone();
            Response::new(code)
                .header("Content-Type", "application/json")
                .body(body)
        });
        Target { fake, answer }
    }

    fn url(&self, path: &str) -> String {
        self.fake.url(path)
    }

    fn set(&self, status: u16, body: &str) {
        *self.answer.lock().unwrap() = (status, body.to_string());
    }
}

fn create(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["health", "create-check"];
    all.extend_from_slice(args);
    hm_run(dir, &all)
}

fn run_check(dir: &Path, name: &str) -> (i32, serde_json::Value) {
    let (code, out, err) = hm_run(dir, &["health", "run-check", "--name", name, "-o", "json"]);
    assert!(code == 0 || code == 1, "{err}");
    (code, json(&out))
}

#[test]
fn http_checks_with_status_body_and_json_assertions() {
    let dir = tempfile::tempdir().unwrap();
    let server = Target::start(200, r#"{"status":"ok","version":3}"#);
    let (code, _, err) = create(
        dir.path(),
        &[
            "--name",
            "web",
            "--type",
            "http",
            "--url",
            &server.url("/health"),
            "--body-contains",
            "ok",
            "--json-pointer",
            "/status=ok",
            "--header",
            "X-Probe: hivemind",
            "--interval",
            "5s",
            "--timeout",
            "2s",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, r) = run_check(dir.path(), "web");
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["ok"], true);
    assert_eq!(r["message"], "HTTP 200");

    server.set(200, r#"{"status":"degraded","note":"ok"}"#);
    let (code, r) = run_check(dir.path(), "web");
    assert_eq!(code, 1);
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("/status is \"degraded\", expected ok"),
        "{r}"
    );

    server.set(503, "{}");
    let (code, r) = run_check(dir.path(), "web");
    assert_eq!(code, 1);
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("HTTP 503, expected 2xx"),
        "{r}"
    );

    // An accepted non-2xx code, and a JSON number compared as JSON.
    let (code, _, _) = create(
        dir.path(),
        &[
            "--name",
            "maint",
            "--type",
            "http",
            "--url",
            &server.url("/"),
            "--expect-status",
            "200,503",
            "--json-pointer",
            "/version=3",
        ],
    );
    assert_eq!(code, 0);
    server.set(503, r#"{"version":3}"#);
    assert_eq!(run_check(dir.path(), "maint").0, 0);

    // Redirects to another host are refused.
    let (code, _, _) = create(
        dir.path(),
        &[
            "--name",
            "away",
            "--type",
            "http",
            "--url",
            &server.url("/redirect-away"),
        ],
    );
    assert_eq!(code, 0);
    let (code, r) = run_check(dir.path(), "away");
    assert_eq!(code, 1);
    assert!(r["message"].as_str().unwrap().contains("redirect"), "{r}");
    assert!(server.fake.requests().len() >= 4);
}

#[test]
fn tcp_and_command_checks() {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().to_string();
    let closed = format!("127.0.0.1:{}", free_port());
    assert_eq!(
        create(
            dir.path(),
            &["--name", "open", "--type", "tcp", "--address", &open]
        )
        .0,
        0
    );
    assert_eq!(
        create(
            dir.path(),
            &["--name", "closed", "--type", "tcp", "--address", &closed]
        )
        .0,
        0
    );
    assert_eq!(run_check(dir.path(), "open").0, 0);
    let (code, r) = run_check(dir.path(), "closed");
    assert_eq!(code, 1);
    assert!(r["message"].as_str().unwrap().contains("refused"), "{r}");

    // argv, never a shell: `$HOME` stays literal.
    assert_eq!(
        create(
            dir.path(),
            &[
                "--name", "echo", "--type", "command", "--", "echo", "$HOME", "ok"
            ]
        )
        .0,
        0
    );
    let (code, r) = run_check(dir.path(), "echo");
    assert_eq!(code, 0);
    assert_eq!(r["output"], "$HOME ok\n");
    assert_eq!(
        create(
            dir.path(),
            &[
                "--name",
                "fails",
                "--type",
                "command",
                "--command",
                "sh",
                "--command",
                "-c",
                "--command",
                "echo broken >&2; exit 3"
            ]
        )
        .0,
        0
    );
    let (code, r) = run_check(dir.path(), "fails");
    assert_eq!(code, 1);
    assert_eq!(r["message"], "exit 3");
    assert_eq!(r["output"], "broken\n");
    // Output is cut to 4 KiB.
    assert_eq!(
        create(
            dir.path(),
            &[
                "--name",
                "loud",
                "--type",
                "command",
                "--",
                "sh",
                "-c",
                "head -c 100000 /dev/zero | tr '\\0' x"
            ]
        )
        .0,
        0
    );
    let (_, r) = run_check(dir.path(), "loud");
    assert_eq!(r["output"].as_str().unwrap().len(), 4096);
    // A timeout kills the whole process group, grandchildren included.
    let marker = dir.path().join("survived");
    let script = format!("(sleep 3; touch {}) & sleep 30", marker.display());
    assert_eq!(
        create(
            dir.path(),
            &[
                "--name",
                "slow",
                "--type",
                "command",
                "--interval",
                "5s",
                "--timeout",
                "1s",
                "--",
                "sh",
                "-c",
                &script
            ]
        )
        .0,
        0
    );
    let started = Instant::now();
    let (code, r) = run_check(dir.path(), "slow");
    assert_eq!(code, 1);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(r["message"].as_str().unwrap().contains("timed out"), "{r}");
    std::thread::sleep(Duration::from_secs(4));
    assert!(!marker.exists(), "a grandchild outlived the timeout");
    drop(listener);
}

#[test]
fn grpc_health_checks_against_tonic_health() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (reporter, service) = tonic_health::server::health_reporter();
    rt.block_on(reporter.set_service_status("shop.Cart", tonic_health::ServingStatus::Serving));
    rt.block_on(
        reporter.set_service_status("shop.Payments", tonic_health::ServingStatus::NotServing),
    );
    rt.spawn(
        tonic::transport::Server::builder()
            .add_service(service)
            .serve(addr),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(addr).is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let a = addr.to_string();
    assert_eq!(
        create(
            dir.path(),
            &[
                "--name",
                "cart",
                "--type",
                "grpc",
                "--address",
                &a,
                "--grpc-service",
                "shop.Cart"
            ]
        )
        .0,
        0
    );
    assert_eq!(
        create(
            dir.path(),
            &[
                "--name",
                "pay",
                "--type",
                "grpc",
                "--address",
                &a,
                "--grpc-service",
                "shop.Payments"
            ]
        )
        .0,
        0
    );
    assert_eq!(
        create(
            dir.path(),
            &[
                "--name",
                "nope",
                "--type",
                "grpc",
                "--address",
                &a,
                "--grpc-service",
                "shop.Nope"
            ]
        )
        .0,
        0
    );
    let (code, r) = run_check(dir.path(), "cart");
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["message"], "SERVING");
    let (code, r) = run_check(dir.path(), "pay");
    assert_eq!(code, 1);
    assert_eq!(r["message"], "NOT_SERVING");
    let (code, r) = run_check(dir.path(), "nope");
    assert_eq!(code, 1);
    // tonic's health service says why; an empty message would be explained instead (unit
    // test in health::probe).
    assert_eq!(r["message"], "gRPC NotFound: service not registered", "{r}");
    // A bad service name is reported as the flag the user typed.
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-check",
            "--name",
            "bad",
            "--type",
            "grpc",
            "--address",
            &a,
            "--grpc-service",
            "a\tb",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("for --grpc-service:"), "{err}");
    // A refused connection says so once.
    rt.shutdown_background();
    let (code, r) = run_check(dir.path(), "cart");
    assert_eq!(code, 1);
    let message = r["message"].as_str().unwrap();
    assert_eq!(message.matches("onnection refused").count(), 1, "{message}");
    assert!(
        !message.contains("tcp connect error: tcp connect error"),
        "{message}"
    );
}

#[test]
fn status_runs_every_check_and_exits_by_the_worst() {
    let dir = tempfile::tempdir().unwrap();
    let server = Target::start(200, "ok");
    assert_eq!(
        create(
            dir.path(),
            &["--name", "web", "--type", "http", "--url", &server.url("/")]
        )
        .0,
        0
    );
    let loose = [
        "health",
        "status",
        "--max-cpu",
        "100",
        "--max-memory",
        "100",
        "--max-disk",
        "100",
        "--max-load",
        "1000",
        "--max-swap",
        "100",
        "-o",
        "json",
    ];
    let (code, out, err) = hm_run(dir.path(), &loose);
    assert_eq!(code, 0, "{err}{out}");
    let v = json(&out);
    assert_eq!(v["checks"][0]["name"], "web");
    assert_eq!(v["checks"][0]["status"], "healthy");
    server.set(500, "no");
    let (code, out, _) = hm_run(dir.path(), &loose);
    assert_eq!(code, 1);
    assert_eq!(json(&out)["checks"][0]["status"], "unhealthy");
    assert_eq!(json(&out)["status"], "unhealthy");
    let (code, out, _) = hm_run(dir.path(), &loose[..loose.len() - 2]);
    assert_eq!(code, 1);
    assert!(out.contains("CHECK") && out.contains("HTTP 500"), "{out}");
}

fn loose_status(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "health",
        "status",
        "--max-cpu",
        "100",
        "--max-memory",
        "100",
        "--max-disk",
        "100",
        "--max-load",
        "1000",
        "--max-swap",
        "100",
    ];
    args.extend_from_slice(extra);
    hm_run(dir, &args)
}

fn metrics_text(d: &Daemon) -> String {
    let (code, body) = http(
        format!("127.0.0.1:{}", d.metrics_port).parse().unwrap(),
        "GET",
        "/metrics",
        None,
        b"",
    );
    assert_eq!(code, 200);
    body
}

#[test]
fn the_daemon_runs_checks_exports_metrics_and_answers_healthz() {
    let dir = tempfile::tempdir().unwrap();
    let server = Target::start(200, "ok");
    assert_eq!(
        create(
            dir.path(),
            &[
                "--name",
                "web",
                "--type",
                "http",
                "--url",
                &server.url("/"),
                "--interval",
                "1s",
                "--timeout",
                "500ms",
                "--failure-threshold",
                "2"
            ]
        )
        .0,
        0
    );
    let d = Daemon::start(dir.path(), &[]);
    // Wait for the runner's first result.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, out, _) = loose_status(dir.path(), &["-o", "json"]);
        if json(&out)["checks"][0]["status"] == "healthy" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "check never became healthy: {out}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let (code, body) = http(d.api, "GET", "/healthz", None, b"");
    assert_eq!(code, 200, "{body}");
    let text = metrics_text(&d);
    for needle in [
        "hivemind_health_check_status{check=\"web\"} 1",
        "# TYPE hivemind_health_check_latency_seconds histogram",
        "hivemind_health_check_latency_seconds_bucket{check=\"web\",le=\"+Inf\"}",
        "hivemind_health_check_success_rate{check=\"web\"} 1",
        "hivemind_health_check_failures_total{check=\"web\"} 0",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    super::agent::promtool_check_metrics(&text);
    // Two failures in a row turn it unhealthy; /healthz follows.
    server.set(500, "down");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (code, body) = http(d.api, "GET", "/healthz", None, b"");
        if code == 503 {
            assert!(body.contains("web"), "{body}");
            break;
        }
        assert!(Instant::now() < deadline, "healthz never turned 503");
        std::thread::sleep(Duration::from_millis(300));
    }
    let (code, out, _) = loose_status(dir.path(), &["-o", "json"]);
    assert_eq!(code, 1);
    let c = &json(&out)["checks"][0];
    assert!(c["consecutive_failures"].as_u64().unwrap() >= 2, "{c}");
    assert_eq!(c["last_error"], "HTTP 500, expected 2xx");
    assert!(c["last_change"].is_string());
}

#[test]
fn wait_healthy_polls_until_healthy_or_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = Target::start(500, "starting");
    assert_eq!(
        create(
            dir.path(),
            &[
                "--name",
                "web",
                "--type",
                "http",
                "--url",
                &server.url("/"),
                "--interval",
                "1s",
                "--timeout",
                "500ms",
                "--failure-threshold",
                "1"
            ]
        )
        .0,
        0
    );
    let _d = Daemon::start(dir.path(), &[]);
    let started = Instant::now();
    let (code, _, err) = loose_status(dir.path(), &["--wait-healthy", "--timeout", "3s"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not healthy after 3s"), "{err}");
    assert!(
        started.elapsed() >= Duration::from_secs(3) && started.elapsed() < Duration::from_secs(10)
    );
    let s = Arc::new(server);
    let flip = Arc::clone(&s);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(2));
        flip.set(200, "up");
    });
    let (code, out, err) = loose_status(
        dir.path(),
        &["--wait-healthy", "--timeout", "30s", "-o", "json"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["status"], "healthy");
}

/// A service the tests can kill and restart: `python3 -m http.server` on a fixed port, its pid
/// in a file.
fn start_service(port: u16, pidfile: &Path) {
    let script = format!(
        "python3 -m http.server {port} --bind 127.0.0.1 >/dev/null 2>&1 & echo $! > {}",
        pidfile.display()
    );
    let status = std::process::Command::new("sh")
        .args(["-c", &script])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "service did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kill_service(pidfile: &Path) {
    if let Ok(pid) = std::fs::read_to_string(pidfile) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", pid.trim()])
            .status();
    }
}

fn wait_for(
    dir: &Path,
    what: &str,
    cond: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (_, out, _) = loose_status(dir, &["-o", "json"]);
        let v = json(&out);
        if cond(&v["checks"][0]) {
            return v["checks"][0].clone();
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {}",
            v["checks"][0]
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn auto_healing_restarts_a_killed_service() {
    if peer("python3").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let pidfile = dir.path().join("service.pid");
    start_service(port, &pidfile);
    let restart = format!(
        "python3 -m http.server {port} --bind 127.0.0.1 >/dev/null 2>&1 & echo $! > {}; sleep 0.5",
        pidfile.display()
    );
    let url = format!("http://127.0.0.1:{port}/");
    let (code, _, err) = create(
        dir.path(),
        &[
            "--name",
            "svc",
            "--type",
            "http",
            "--url",
            &url,
            "--interval",
            "1s",
            "--timeout",
            "500ms",
            "--failure-threshold",
            "2",
            "--restart-command",
            "sh",
            "--restart-command",
            "-c",
            "--restart-command",
            &restart,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        hm_run(
            dir.path(),
            &[
                "health",
                "configure-auto-healing",
                "--enabled",
                "--max-restarts",
                "3",
                "--restart-interval",
                "1s"
            ]
        )
        .0,
        0
    );
    let mut d = Daemon::start(dir.path(), &[]);
    wait_for(dir.path(), "healthy", |c| c["status"] == "healthy");
    kill_service(&pidfile);
    wait_for(dir.path(), "unhealthy", |c| c["status"] == "unhealthy");
    let c = wait_for(dir.path(), "restart and recovery", |c| {
        c["status"] == "healthy" && c["restarts"].as_u64() >= Some(1)
    });
    assert_eq!(c["restarts"], 1, "{c}");
    assert!(
        metrics_text(&d)
            .contains("hivemind_autoheal_restarts_total{check=\"svc\",result=\"success\"} 1")
    );
    kill_service(&pidfile);
    let (code, log) = d.stop();
    assert_eq!(code, 0);
    assert!(
        log.contains("check svc: restarting (1/3) because it is unhealthy"),
        "{log}"
    );
}

#[test]
fn auto_healing_gives_up_when_the_budget_is_spent() {
    let dir = tempfile::tempdir().unwrap();
    let closed = format!("127.0.0.1:{}", free_port());
    let counter = dir.path().join("restarts");
    let restart = format!("echo x >> {}; exit 1", counter.display());
    assert_eq!(
        create(
            dir.path(),
            &[
                "--name",
                "gone",
                "--type",
                "tcp",
                "--address",
                &closed,
                "--interval",
                "1s",
                "--timeout",
                "500ms",
                "--failure-threshold",
                "1",
                "--restart-command",
                "sh",
                "--restart-command",
                "-c",
                "--restart-command",
                &restart
            ]
        )
        .0,
        0
    );
    assert_eq!(
        hm_run(
            dir.path(),
            &[
                "health",
                "configure-auto-healing",
                "--enabled",
                "--max-restarts",
                "2",
                "--restart-interval",
                "1s"
            ]
        )
        .0,
        0
    );
    let mut d = Daemon::start(dir.path(), &[]);
    let c = wait_for(dir.path(), "gave up", |c| c["autoheal"] == "gave_up");
    assert_eq!(c["restarts"], 2, "{c}");
    // Stays given up: no more restarts.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(
        std::fs::read_to_string(&counter).unwrap().lines().count(),
        2
    );
    let text = metrics_text(&d);
    assert!(
        text.contains("hivemind_autoheal_restarts_total{check=\"gone\",result=\"failure\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("hivemind_autoheal_restarts_total{check=\"gone\",result=\"gave_up\"} 1"),
        "{text}"
    );
    let (_, out, _) = loose_status(dir.path(), &[]);
    assert!(out.contains("gave_up"), "{out}");
    let (_, log) = d.stop();
    assert!(log.contains("gave up after 2 restarts"), "{log}");
}

#[test]
fn command_checks_over_the_network_need_the_opt_in() {
    let base = tempfile::tempdir().unwrap();
    let agent = base.path().join("agent");
    let d = Daemon::start(&agent, &[]);
    let cli = base.path().join("cli");
    let (code, _, _) = run(hm(&cli)
        .args(["agent", "add", "node", "--url", &d.url(), "--token-stdin"])
        .write_stdin(d.token.clone()));
    assert_eq!(code, 0);
    let (code, _, err) = hm_run(
        &cli,
        &[
            "--agent",
            "node",
            "health",
            "create-check",
            "--name",
            "c",
            "--type",
            "command",
            "--",
            "true",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--allow-remote-exec"), "{err}");
    // TCP checks need no opt-in, and the CLI on the agent's machine may create command checks.
    assert_eq!(
        hm_run(
            &cli,
            &[
                "--agent",
                "node",
                "health",
                "create-check",
                "--name",
                "t",
                "--type",
                "tcp",
                "--address",
                "127.0.0.1:9"
            ]
        )
        .0,
        0
    );
    let (code, _, err) = hm_run(
        &agent,
        &[
            "health",
            "create-check",
            "--name",
            "c",
            "--type",
            "command",
            "--",
            "true",
        ],
    );
    assert_eq!(code, 0, "{err}");
    drop(d);
    let d2 = Daemon::start(&base.path().join("agent2"), &["--allow-remote-exec"]);
    let (code, _, _) = run(hm(&cli)
        .args(["agent", "add", "open", "--url", &d2.url(), "--token-stdin"])
        .write_stdin(d2.token.clone()));
    assert_eq!(code, 0);
    let (code, _, err) = hm_run(
        &cli,
        &[
            "--agent",
            "open",
            "health",
            "create-check",
            "--name",
            "c",
            "--type",
            "command",
            "--",
            "true",
        ],
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn bad_check_definitions_are_refused() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--name", "x", "--type", "smtp", "--address", "a:1"],
            "--type",
        ),
        (
            &[
                "--name",
                "x",
                "--type",
                "tcp",
                "--address",
                "127.0.0.1:80",
                "--interval",
                "10s",
                "--timeout",
                "10s",
            ],
            "--timeout",
        ),
        (
            &[
                "--name",
                "x",
                "--type",
                "tcp",
                "--address",
                "127.0.0.1:80",
                "--interval",
                "500ms",
                "--timeout",
                "100ms",
            ],
            "--interval",
        ),
        (
            &[
                "--name",
                "x",
                "--type",
                "http",
                "--url",
                "example.com/health",
            ],
            "--url",
        ),
        (
            &["--name", "x", "--type", "http", "--url", "http:///health"],
            "--url",
        ),
        (
            &["--name", "x", "--type", "tcp", "--address", "127.0.0.1"],
            "--address",
        ),
        (&["--name", "x", "--type", "command"], "command"),
        (
            &["--name", "x", "--type", "command", "--command", ""],
            "--command",
        ),
        (
            &[
                "--name",
                "x",
                "--type",
                "tcp",
                "--address",
                "127.0.0.1:80",
                "--failure-threshold",
                "0",
            ],
            "--failure-threshold",
        ),
        (
            &[
                "--name",
                "x",
                "--type",
                "tcp",
                "--address",
                "127.0.0.1:80",
                "--success-threshold",
                "0",
            ],
            "--success-threshold",
        ),
        (
            &["--name", "x", "--type", "tcp", "--url", "http://a/"],
            "--url",
        ),
        (
            &[
                "--name",
                "a/b",
                "--type",
                "tcp",
                "--address",
                "127.0.0.1:80",
            ],
            "--name",
        ),
        (
            &[
                "--name",
                "x",
                "--type",
                "http",
                "--url",
                "http://a/",
                "--expect-status",
                "99",
            ],
            "--expect-status",
        ),
        (
            &[
                "--name",
                "x",
                "--type",
                "http",
                "--url",
                "http://a/",
                "--body-regex",
                "(",
            ],
            "--body-regex",
        ),
        (
            &[
                "--name",
                "x",
                "--type",
                "http",
                "--url",
                "http://a/",
                "--header",
                "No colon",
            ],
            "--header",
        ),
    ];
    for (args, flag) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (code, out, err) = create(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?}: {err} does not name {flag}");
        assert!(
            !dir.path().join("state.toml").exists(),
            "{args:?} wrote state"
        );
    }
    // A duplicate needs --replace.
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        create(
            dir.path(),
            &["--name", "x", "--type", "tcp", "--address", "127.0.0.1:80"]
        )
        .0,
        0
    );
    let (code, _, err) = create(
        dir.path(),
        &["--name", "x", "--type", "tcp", "--address", "127.0.0.1:81"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--replace"), "{err}");
    assert_eq!(
        create(
            dir.path(),
            &[
                "--name",
                "x",
                "--type",
                "tcp",
                "--address",
                "127.0.0.1:81",
                "--replace"
            ]
        )
        .0,
        0
    );
    let (code, _, err) = hm_run(dir.path(), &["health", "delete-check", "--name", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no check named 'nope'"), "{err}");
}

/// `--restart-command` takes the command as one string, split with shell rules (no shell
/// runs it); the one-word-per-flag form keeps working.
#[test]
fn restart_commands_are_one_string_or_one_word_per_flag() {
    let dir = tempfile::tempdir().unwrap();
    let restart_of = |name: &str| {
        let (_, out, _) = hm_run(dir.path(), &["-o", "json", "health", "list-checks"]);
        json(&out)["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["restart_command"].clone())
            .unwrap()
    };
    let base = [
        "health",
        "create-check",
        "--type",
        "tcp",
        "--address",
        "127.0.0.1:5432",
    ];
    let mut one = base.to_vec();
    one.extend([
        "--name",
        "one",
        "--restart-command",
        r#"systemctl restart "my app.service""#,
    ]);
    let (code, _, err) = hm_run(dir.path(), &one);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        restart_of("one"),
        serde_json::json!(["systemctl", "restart", "my app.service"])
    );
    let mut words = base.to_vec();
    words.extend([
        "--name",
        "words",
        "--restart-command",
        "systemctl",
        "--restart-command",
        "restart",
        "--restart-command",
        "my app.service",
    ]);
    let (code, _, err) = hm_run(dir.path(), &words);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        restart_of("words"),
        serde_json::json!(["systemctl", "restart", "my app.service"])
    );
    let mut bad = base.to_vec();
    bad.extend([
        "--name",
        "bad",
        "--restart-command",
        "systemctl restart 'unbalanced",
    ]);
    let (code, _, err) = hm_run(dir.path(), &bad);
    assert_eq!(code, 2);
    assert!(
        err.contains("--restart-command") && err.contains("balanced quotes"),
        "{err}"
    );
}

#[test]
fn the_agent_redacts_a_stored_secret_that_a_check_prints() {
    // A command check that prints the secret store's file (the file backend: the values are
    // in it as they are), percent-encoded as well, and fails.
    let dir = tempfile::tempdir().unwrap();
    const KEY: &str = "PdR0ut1ngK3yVq8Lw2Zx";
    const HOOK: &str = "http://hooks.example.com/services/T0/B0/Sl4ckT0k3nMn7Bv5Cx";
    for (args, value) in [
        (&["--type", "pagerduty", "--routing-key-stdin"][..], KEY),
        (&["--type", "slack", "--webhook-url-stdin"][..], HOOK),
    ] {
        let mut all = vec!["health", "configure-alert-channel"];
        all.extend_from_slice(args);
        let (code, _, err) = run(hm(dir.path()).args(&all).write_stdin(value));
        assert_eq!(code, 0, "{err}");
    }
    let secrets = dir.path().join("secrets.toml");
    let script = format!(
        "cat {f}; od -An -tx1 {f} | tr -d ' \\n' | sed 's/../%&/g'; exit 1",
        f = secrets.display()
    );
    let (code, _, err) = create(
        dir.path(),
        &[
            "--name", "leaky", "--type", "command", "--", "sh", "-c", &script,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let d = Daemon::start(dir.path(), &[]);
    let (code, r) = run_check(dir.path(), "leaky");
    assert_eq!(code, 1, "{r}");
    let output = r["output"].as_str().unwrap();
    // Not vacuous: the file was printed, and its values replaced.
    assert!(
        output.contains("routing_key") && output.contains("<secret>"),
        "{r}"
    );
    let (_, checks) = http(d.api, "GET", "/api/checks", Some(&d.token), b"");
    for text in [r.to_string(), checks] {
        for secret in [KEY, HOOK, "Sl4ckT0k3nMn7Bv5Cx", &KEY[..12]] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(!text.to_lowercase().contains("%50%64%52%30"), "{text}");
    }
}

/// Context switches of every live thread of `pid`.
fn switches(pid: u32) -> u64 {
    let mut n = 0;
    for t in std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
    {
        if let Ok(status) = std::fs::read_to_string(t.path().join("status")) {
            n += status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    n
}

/// With no rules or checks the agent sleeps until something asks (it used to wake every
/// collection interval and every 10 s to look for hand edits of its state file), yet a
/// check written into the state file by hand starts at once: the file is watched.
#[test]
fn an_idle_agent_sleeps_and_notices_hand_edits_at_once() {
    let dir = tempfile::tempdir().unwrap();
    // --collect-interval 1s: an agent that polled would wake at least 5 times below.
    let d = Daemon::start(dir.path(), &[]);
    let pid = d.child.as_ref().unwrap().id();
    std::thread::sleep(Duration::from_secs(1));
    let before = switches(pid);
    std::thread::sleep(Duration::from_secs(5));
    let woke = switches(pid).saturating_sub(before);
    assert!(woke <= 2, "an idle agent woke {woke} times in 5 s");

    // A hand edit, written in place as an editor may: a TCP check of an open port.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let state = dir.path().join("state.toml");
    let mut text = std::fs::read_to_string(&state).unwrap();
    text.push_str(&format!(
        "\n[[checks]]\nname = \"edited\"\ninterval = \"1s\"\ntimeout = \"500ms\"\n\
         failure_threshold = 3\nsuccess_threshold = 1\nstart_period = \"0s\"\n\n\
         [checks.probe]\ntype = \"tcp\"\naddress = \"{}\"\n",
        listener.local_addr().unwrap()
    ));
    std::fs::write(&state, text).unwrap();
    let edited = Instant::now();
    // Polling looked every 10 s; the watch reports the edit at once and the check runs on
    // its first tick (within its interval).
    let metrics: SocketAddr = format!("127.0.0.1:{}", d.metrics_port).parse().unwrap();
    let deadline = edited + Duration::from_secs(5);
    loop {
        let (_, body) = http(metrics, "GET", "/metrics", None, b"");
        if body
            .lines()
            .any(|l| l.starts_with("hivemind_health_check_status{") && l.contains("\"edited\""))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the hand-edited check did not start within 5 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
