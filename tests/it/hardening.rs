//! Regression tests for the hostile review (issue 11) that are about the CLI and its files:
//! secrets of refused commands, the CLI and a starting or stopping daemon, stale temp files,
//! CA files, port 0, one-line errors. Each failed on the code before its fix.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::agent::free_port;
use super::{hm, hm_run, run, std_cmd};

/// A daemon started by a test, stopped with SIGTERM (and waited for) even when the test fails.
struct Agent(std::process::Child);

impl Agent {
    fn start(dir: &Path, api: u16) -> Agent {
        Agent(
            std_cmd(dir)
                .args(["daemon", "--listen", &format!("127.0.0.1:{api}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    }

    fn terminate(&self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.terminate();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.0.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = self.0.kill();
                let _ = self.0.wait();
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Every file under `dir` whose text contains `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_file()
            && std::fs::read(&path)
                .map(|b| String::from_utf8_lossy(&b).contains(needle))
                .unwrap_or(false)
        {
            found.push(path.display().to_string());
        }
    }
    found
}

/// Item 4: a command refused for its flags leaves no secret behind.
#[test]
fn a_refused_command_stores_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-logging",
            "--endpoint",
            "http://127.0.0.1:9200",
            "--index",
            "logs",
            "--password",
            "hunter2-hunter2",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--password needs --username"), "{err}");
    assert!(
        files_containing(dir.path(), "hunter2-hunter2").is_empty(),
        "the refused password was stored"
    );
    // Same for tracing: one bad header name refuses them all before any is stored.
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-tracing",
            "--endpoint",
            "http://127.0.0.1:4318/v1/traces",
            "--header",
            "Authorization=Bearer s3cr3t-s3cr3t",
            "--header",
            "bad name=x",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(files_containing(dir.path(), "s3cr3t-s3cr3t").is_empty());
}

/// Wait until something accepts on `addr` (what an operator's script does before the next
/// command).
fn wait_accepting(port: u16, limit: Duration) {
    let deadline = Instant::now() + limit;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn metrics_answer(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    use std::io::{Read, Write};
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    text.starts_with("HTTP/1.1 200") && text.contains("hivemind_")
}

/// Item 5, start: a command run as soon as the agent's API port accepts goes through the
/// agent (which applies it), never behind it.
#[test]
fn a_command_during_the_daemons_start_goes_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let api = free_port();
    let first = free_port();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-metrics",
            "--port",
            &first.to_string(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let daemon = Agent::start(dir.path(), api);
    wait_accepting(api, Duration::from_secs(20));
    let second = free_port();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-metrics",
            "--port",
            &second.to_string(),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut applied = false;
    while Instant::now() < deadline && !applied {
        applied = metrics_answer(second);
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(daemon);
    assert_eq!(code, 0, "{err}");
    assert!(
        applied,
        "the running agent never listened on the port configured while it started"
    );
}

/// Item 5, stop: a command run while the agent shuts down waits for it and then runs on
/// this machine, instead of failing on the closed socket.
#[test]
fn a_command_during_the_daemons_shutdown_waits_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let api = free_port();
    let daemon = Agent::start(dir.path(), api);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(dir.path().join("daemon.json"))
        .is_ok_and(|t| t.contains("\"ready\"") || !t.contains("\"status\""))
    {
        assert!(Instant::now() < deadline, "the daemon did not become ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A request in flight keeps the agent draining for a while after SIGTERM.
    let slow = std_cmd(dir.path())
        .args([
            "profile",
            "cpu",
            "--daemon",
            "--duration",
            "4s",
            "--output",
            "-",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    daemon.terminate();
    std::thread::sleep(Duration::from_millis(200));
    let (code, _, err) = hm_run(dir.path(), &["health", "list-alert-rules"]);
    drop(daemon);
    let mut slow = slow;
    let _ = slow.kill();
    let _ = slow.wait();
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("cannot connect"), "{err}");
}

/// Item 7: temp files of writers killed mid-write do not pile up.
#[test]
fn stale_temp_files_are_cleaned_up() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = hm_run(dir.path(), super::SEED_RULE);
    assert_eq!(code, 0, "{err}");
    // A writer that died (its pid is gone) left a temp file, as a SIGKILL mid-write does.
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let stale = dir.path().join(format!(".state.toml.tmp-{pid}-0"));
    std::fs::write(&stale, vec![b'x'; 1 << 20]).unwrap();
    // And real writers killed at random points.
    for i in 0..30 {
        let mut child = std_cmd(dir.path())
            .args([
                "health",
                "create-alert-rule",
                "--name",
                &format!("r{i}"),
                "--metric",
                "hivemind_node_cpu_usage",
                "--threshold",
                "90",
                "--duration",
                "1m",
                "--severity",
                "info",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(500 * (i % 12)));
        let _ = child.kill();
        let _ = child.wait();
    }
    let (code, _, err) = hm_run(
        dir.path(),
        &["health", "delete-alert-rule", "--name", "high_cpu_usage"],
    );
    assert_eq!(code, 0, "{err}");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "temp files left: {left:?}");
}

/// Item 8: a CA file must hold certificates.
#[test]
fn ca_files_are_parsed_when_saved() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_cert = dir.path().join("passwd");
    std::fs::write(&not_a_cert, "root:x:0:0:root:/root:/bin/bash\n").unwrap();
    let ca = not_a_cert.to_str().unwrap();
    for args in [
        vec![
            "health",
            "create-check",
            "--name",
            "web",
            "--type",
            "http",
            "--url",
            "https://127.0.0.1:8443/",
            "--ca-cert",
            ca,
        ],
        vec![
            "health",
            "create-check",
            "--name",
            "rpc",
            "--type",
            "grpc",
            "--address",
            "127.0.0.1:50051",
            "--tls",
            "--ca-cert",
            ca,
        ],
        vec![
            "agent",
            "add",
            "a",
            "--url",
            "https://127.0.0.1:9470",
            "--ca-cert",
            ca,
        ],
    ] {
        let (code, _, err) = hm_run(dir.path(), &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("--ca-cert") && err.contains("CERTIFICATE"),
            "{err}"
        );
    }
    let (_, out, _) = hm_run(dir.path(), &["-o", "json", "health", "list-checks"]);
    assert!(out.contains("\"checks\": []"), "{out}");
    let (_, out, _) = hm_run(dir.path(), &["-o", "json", "agent", "list"]);
    assert!(out.contains("\"agents\": []"), "{out}");
}

/// Item 9: port 0 is no destination, in any URL.
#[test]
fn port_zero_is_refused_in_every_url() {
    let dir = tempfile::tempdir().unwrap();
    let url = "http://127.0.0.1:0/x";
    for args in [
        vec![
            "health",
            "configure-alert-channel",
            "--name",
            "ops",
            "--type",
            "webhook",
            "--url",
            url,
        ],
        vec!["observability", "configure-tracing", "--endpoint", url],
        vec![
            "observability",
            "configure-logging",
            "--endpoint",
            "http://127.0.0.1:0",
            "--index",
            "logs",
        ],
        vec![
            "health",
            "create-check",
            "--name",
            "c",
            "--type",
            "http",
            "--url",
            url,
        ],
        vec!["agent", "add", "a", "--url", "http://127.0.0.1:0"],
    ] {
        let (code, _, err) = hm_run(dir.path(), &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("port"), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// Item 10: a file or stdin that cannot be read is one line that names it.
#[test]
fn unreadable_inputs_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let missing = missing.to_str().unwrap();
    let latin1 = dir.path().join("latin1");
    std::fs::write(&latin1, b"name: caf\xe9\n").unwrap();
    let latin1 = latin1.to_str().unwrap();
    let unreadable = dir.path().join("subdir");
    std::fs::create_dir(&unreadable).unwrap();
    let unreadable = unreadable.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["health", "create-alert-rule", "--file", missing],
        vec!["health", "create-alert-rule", "--file", latin1],
        vec!["health", "create-alert-rule", "--file", unreadable],
        vec![
            "health",
            "configure-alert-channel",
            "--name",
            "s",
            "--type",
            "slack",
            "--webhook-url-file",
            missing,
        ],
        vec![
            "agent",
            "add",
            "a",
            "--url",
            "https://127.0.0.1:9470",
            "--token-file",
            missing,
        ],
        vec![
            "health",
            "create-check",
            "--name",
            "web",
            "--type",
            "http",
            "--url",
            "https://127.0.0.1:8443/",
            "--ca-cert",
            missing,
        ],
        vec![
            "profile",
            "memory",
            "--pid",
            "1",
            "--output",
            "/nonexistent/dir/p.prof",
        ],
    ];
    for args in cases {
        let (code, _, err) = hm_run(dir.path(), &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: not one line:\n{err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(!err.contains(".tmp-"), "names our temp file: {err}");
    }
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "profile",
            "memory",
            "--pid",
            "1",
            "--output",
            "/nonexistent/dir/p.prof",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/dir/p.prof"), "{err}");
    // Stdin that is not UTF-8.
    let (code, _, err) = run(hm(dir.path())
        .args([
            "health",
            "configure-alert-channel",
            "--name",
            "p",
            "--type",
            "pagerduty",
            "--routing-key-stdin",
        ])
        .write_stdin(vec![0xff, 0xfe, 0x00]));
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// Item 14: an empty value says a value is required, not "expected one of".
#[test]
fn an_empty_value_says_what_is_wanted() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = hm_run(
        dir.path(),
        &["profile", "cpu", "--pid", "1", "--output", ""],
    );
    assert_eq!(code, 2);
    assert!(err.contains("a value is required"), "{err}");
    assert!(!err.contains("expected one of"), "{err}");
}

/// The agent stops the same way on SIGHUP as on SIGTERM: its files are gone afterwards.
#[test]
fn the_daemon_stops_cleanly_on_hup() {
    let dir = tempfile::tempdir().unwrap();
    let d = super::agent::Daemon::start(dir.path(), &[]);
    let mut d = d;
    let child = d.child.take().unwrap();
    let _ = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("SIGHUP received"), "{err}");
    assert!(!dir.path().join("daemon.json").exists());
    assert!(!dir.path().join("daemon.sock").exists());
}
