//! Alerting end to end: a real daemon evaluates rules on real metrics and notifies receivers
//! on loopback (webhook, Slack- and PagerDuty-shaped receivers on the shared HTTP fake, and
//! Debian's aiosmtpd for e-mail); failing receivers exercise retries and isolation; the exports are
//! checked by promtool and amtool, and a real Prometheus and Alertmanager run them.
//!
//! The threshold crossings are real: a shell script named after the test burns CPU while a
//! flag file exists. It runs in a cgroup of its own named like a systemd service
//! (`system.slice/<name>.service`), so it shows up in
//! `hivemind_container_cpu_usage{container="<name>.service",runtime="systemd"}`; processes
//! outside a container's cgroup are never reported as containers.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::agent::{Daemon, dechunk, free_port, http, peer};
use super::fake_http::{FakeHttp, Request, Response};
use super::{hm, hm_run, json, poll, run};

/// A receiver's answer: `code` with a small JSON body.
fn reply(code: u16) -> Response {
    Response::json(code, &serde_json::json!({"status": "test"}))
}

/// A webhook, Slack or PagerDuty receiver answering every request with `code`.
pub fn receiver(code: u16) -> FakeHttp {
    FakeHttp::start(move |_| reply(code))
}

/// Debian's aiosmtpd on loopback, writing what it receives into a Maildir.
struct Smtp {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl Smtp {
    /// `None` (with a skip notice) when aiosmtpd is not installed. `tls`: certificate and key
    /// for STARTTLS, which the server then requires before accepting mail.
    fn start(dir: &Path, tls: Option<(&Path, &Path)>) -> Option<Smtp> {
        let aiosmtpd = peer("aiosmtpd")?;
        let port = free_port();
        let maildir = dir.join(format!("maildir-{port}"));
        let mut cmd = Command::new(aiosmtpd);
        cmd.args(["-n", "-l", &format!("127.0.0.1:{port}")]);
        if let Some((cert, key)) = tls {
            cmd.arg("--tlscert").arg(cert).arg("--tlskey").arg(key);
        }
        let child = cmd
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let smtp = Smtp {
            child,
            port,
            maildir,
        };
        wait_until("aiosmtpd to listen", Duration::from_secs(20), || {
            TcpStream::connect(("127.0.0.1", port)).ok()
        });
        Some(smtp)
    }

    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect()
    }

    fn wait(&self, timeout: Duration, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        poll(
            timeout,
            Duration::from_millis(100),
            || self.messages(),
            |m| done(m),
        )
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A process that burns CPU while its flag file exists and idles otherwise, in a cgroup of
/// its own named like a systemd service. Its name is unique per test.
pub struct Burner {
    child: Child,
    flag: PathBuf,
    /// Its `container` label: `<name>.service`.
    container: String,
    /// The cgroups made for it, removed on drop.
    cgroups: Vec<PathBuf>,
}

/// Put `pid` into `system.slice/<unit>` of every hierarchy the agent reads CPU and memory
/// from (v1 cpuacct, cpu, memory, pids; or the v2 tree). The directories made, or why not.
fn place_in_service_cgroup(pid: u32, unit: &str) -> Result<Vec<PathBuf>, String> {
    let root = Path::new("/sys/fs/cgroup");
    let roots: Vec<PathBuf> = if root.join("cgroup.controllers").is_file() {
        vec![root.to_path_buf()]
    } else {
        ["cpuacct", "cpu,cpuacct", "cpu", "memory", "pids"]
            .iter()
            .map(|c| root.join(c))
            .filter(|d| d.join("cgroup.procs").is_file())
            .collect()
    };
    if roots.is_empty() {
        return Err("no cgroup hierarchy".into());
    }
    let mut made = Vec::new();
    for r in roots {
        let dir = r.join("system.slice").join(unit);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        made.push(dir.clone());
        std::fs::write(dir.join("cgroup.procs"), pid.to_string())
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    Ok(made)
}

impl Burner {
    /// `None` (with a skip notice; a failure under CI=true) where no cgroup can be made.
    pub fn start(dir: &Path) -> Option<Burner> {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "hmb{}x{}",
            std::process::id() % 100_000,
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let script = dir.join(&name);
        // Only shell builtins in the busy loop, so the CPU time is the script's own.
        std::fs::write(
            &script,
            "#!/bin/sh\nwhile :; do\n  while [ -e \"$1\" ]; do :; done\n  sleep 0.1\ndone\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let flag = dir.join(format!("{name}.burn"));
        let child = Command::new(&script)
            .arg(&flag)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let container = format!("{name}.service");
        let mut burner = Burner {
            child,
            flag,
            container,
            cgroups: Vec::new(),
        };
        match place_in_service_cgroup(burner.child.id(), &burner.container) {
            Ok(made) => burner.cgroups = made,
            Err(e) => {
                burner.cgroups = Vec::new();
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "CI=true and the burner cannot get a cgroup: {e}"
                );
                eprintln!("skipped: the burner cannot get a cgroup: {e}");
                return None;
            }
        }
        Some(burner)
    }

    pub fn burn(&self, on: bool) {
        if on {
            std::fs::write(&self.flag, "").unwrap();
        } else {
            let _ = std::fs::remove_file(&self.flag);
        }
    }
}

impl Drop for Burner {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for dir in &self.cgroups {
            for _ in 0..50 {
                if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

pub fn wait_until<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(150));
    }
}

/// The burner's `hivemind_container_cpu_usage` as the agent on `dir` reports it.
fn cpu_of(dir: &Path, container: &str) -> Option<f64> {
    let (code, out, _) = hm_run(
        dir,
        &[
            "observability",
            "metrics",
            "hivemind_container_cpu_usage",
            "-o",
            "json",
        ],
    );
    if code != 0 {
        return None;
    }
    json(&out)["samples"]
        .as_array()?
        .iter()
        .find(|s| s["labels"]["container"] == container)
        .and_then(|s| s["value"].as_f64())
}

fn alerts(dir: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["health", "alerts", "-o", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = hm_run(dir, &args);
    assert_eq!(code, 0, "{err}");
    json(&out)
}

/// The value of one exposed series, e.g. `hivemind_alerts{severity="warning",state="firing"}`.
fn scrape_value(port: u16, series: &str) -> Option<f64> {
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let (_, body) = http(addr, "GET", "/metrics", None, b"");
    dechunk(&body)
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = hm_run(dir, args);
    assert_eq!(code, 0, "hivemind {args:?}: {err}");
    out
}

fn with_stdin(dir: &Path, args: &[&str], input: &str) {
    let (code, _, err) = run(hm(dir).args(args).write_stdin(input.to_string()));
    assert_eq!(code, 0, "hivemind {args:?}: {err}");
}

const ROUTING_KEY: &str = "R0UT1NGKEY0123456789";

#[test]
fn a_seed_rule_fires_on_a_real_crossing_and_reaches_every_channel_type() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("agent");
    let webhook = receiver(200);
    let slack = receiver(200);
    let pagerduty = receiver(202);
    let smtp = Smtp::start(tmp.path(), None);

    ok(
        &data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--name",
            "hook",
            "--url",
            &webhook.url("/hook"),
        ],
    );
    with_stdin(
        &data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "slack",
            "--webhook-url-stdin",
        ],
        &slack.url("/services/T0/B0/SECRET"),
    );
    with_stdin(
        &data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "pagerduty",
            "--routing-key-stdin",
            "--url",
            &pagerduty.url("/v2/enqueue"),
        ],
        ROUTING_KEY,
    );
    if let Some(smtp) = &smtp {
        ok(
            &data,
            &[
                "health",
                "configure-alert-channel",
                "--type",
                "email",
                "--smtp-server",
                "127.0.0.1",
                "--smtp-port",
                &smtp.port.to_string(),
                "--from",
                "alerts@example.com",
                "--to",
                "ops@example.com",
            ],
        );
    }

    let Some(burner) = Burner::start(tmp.path()) else {
        return;
    };
    let mut d = Daemon::start(&data, &["--allow-private-destinations"]);
    // Let it burn until its series shows it, then idle: its series stays exposed, below the
    // threshold.
    burner.burn(true);
    wait_until(
        "the burner's CPU series (its cgroup is named like a systemd service)",
        Duration::from_secs(30),
        || cpu_of(&data, &burner.container).filter(|v| *v > 20.0),
    );
    burner.burn(false);
    wait_until("the burner to idle", Duration::from_secs(30), || {
        cpu_of(&data, &burner.container).filter(|v| *v < 5.0)
    });

    // The seed's command, aimed at the burner, with a `for` short enough to watch.
    let label = format!("container={}", burner.container);
    ok(
        &data,
        &[
            "health",
            "create-alert-rule",
            "--name",
            "high_cpu_usage",
            "--metric",
            "hivemind_container_cpu_usage",
            "--threshold",
            "20",
            "--duration",
            "2s",
            "--severity",
            "warning",
            "--label",
            &label,
            "--description",
            "a process is busy",
        ],
    );
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        alerts(&data, &[])["alerts"],
        serde_json::json!([]),
        "below the threshold: inactive"
    );
    assert_eq!(alerts(&data, &[])["mode"], "daemon");

    burner.burn(true);
    let mut saw_pending = false;
    let firing = wait_until("the alert to fire", Duration::from_secs(30), || {
        let list = alerts(&data, &[]);
        let a = list["alerts"].as_array()?.first()?.clone();
        match a["state"].as_str()? {
            "pending" => {
                saw_pending = true;
                None
            }
            "firing" => Some(a),
            _ => None,
        }
    });
    assert!(
        saw_pending,
        "the alert was never pending before firing (for: 2s)"
    );
    let id = firing["id"].as_str().unwrap().to_string();
    assert_eq!(firing["labels"]["container"], burner.container.as_str());
    assert_eq!(firing["labels"]["runtime"], "systemd");
    assert_eq!(firing["labels"]["severity"], "warning");
    assert_eq!(firing["annotations"]["description"], "a process is busy");
    assert!(firing["value"].as_f64().unwrap() > 20.0, "{firing}");

    // Every channel type hears about it.
    let wait = Duration::from_secs(20);
    let got = webhook.wait(wait, |r| !r.is_empty());
    let p = got[0].json();
    assert_eq!(got[0].target(), "/hook");
    assert_eq!(p["version"], "4");
    assert_eq!(p["status"], "firing");
    assert_eq!(p["receiver"], "hook");
    assert_eq!(p["groupKey"], "{}:{alertname=\"high_cpu_usage\"}");
    assert_eq!(p["groupLabels"]["alertname"], "high_cpu_usage");
    assert_eq!(p["alerts"][0]["fingerprint"], id.as_str());
    assert_eq!(
        p["alerts"][0]["labels"]["container"],
        burner.container.as_str()
    );
    assert_eq!(p["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");
    let got = slack.wait(wait, |r| !r.is_empty());
    let s = got[0].json();
    assert_eq!(got[0].target(), "/services/T0/B0/SECRET");
    assert_eq!(s["text"], "[FIRING:1] high_cpu_usage (warning)");
    let text = s["attachments"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("hivemind_container_cpu_usage is") && text.contains(&label),
        "{text}"
    );
    assert_eq!(s["attachments"][0]["fields"][0]["value"], "warning");
    let got = pagerduty.wait(wait, |r| !r.is_empty());
    let e = got[0].json();
    assert_eq!(e["event_action"], "trigger");
    assert_eq!(e["dedup_key"], id.as_str());
    assert_eq!(e["routing_key"], ROUTING_KEY);
    assert_eq!(e["payload"]["severity"], "warning");
    assert!(
        e["payload"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("high_cpu_usage: "),
        "{e}"
    );
    if let Some(smtp) = &smtp {
        let mails = smtp.wait(wait, |m| !m.is_empty());
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert!(
            mails[0].contains("Subject: [FIRING:1] high_cpu_usage (warning)"),
            "{}",
            mails[0]
        );
        assert!(
            mails[0].contains(&id) && mails[0].contains("To: ops@example.com"),
            "{}",
            mails[0]
        );
    }

    // The API serves it by id; /metrics counts it, and stays promtool-clean.
    let (code, body) = http(
        d.api,
        "GET",
        &format!("/api/alerts/{id}"),
        Some(&d.token),
        b"",
    );
    assert_eq!(code, 200, "{body}");
    let one: serde_json::Value = serde_json::from_str(&dechunk(&body)).unwrap();
    assert_eq!(one["state"], "firing");
    let (code, _) = http(
        d.api,
        "GET",
        "/api/alerts/0000000000000000",
        Some(&d.token),
        b"",
    );
    assert_eq!(code, 404);
    let (code, _) = http(d.api, "GET", "/api/alerts?state=gone", Some(&d.token), b"");
    assert_eq!(code, 400);
    assert_eq!(
        scrape_value(
            d.metrics_port,
            "hivemind_alerts{severity=\"warning\",state=\"firing\"}"
        ),
        Some(1.0)
    );
    if let Some(promtool) = peer("promtool") {
        let addr: SocketAddr = format!("127.0.0.1:{}", d.metrics_port).parse().unwrap();
        let (_, body) = http(addr, "GET", "/metrics", None, b"");
        let mut child = Command::new(promtool)
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
            .write_all(dechunk(&body).as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
            "promtool check metrics: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // From another machine's point of view: the same alert through the agent inventory.
    let cli = tmp.path().join("cli");
    with_stdin(
        &cli,
        &["agent", "add", "node1", "--url", &d.url(), "--token-stdin"],
        &d.token,
    );
    let out = ok(
        &cli,
        &[
            "--all-agents",
            "health",
            "alerts",
            "--state",
            "firing",
            "-o",
            "json",
        ],
    );
    assert_eq!(
        json(&out)["agents"][0]["result"]["alerts"][0]["id"],
        id.as_str()
    );
    let (code, _, _) = hm_run(
        &cli,
        &[
            "--agent",
            "node1",
            "health",
            "alerts",
            "--fail-if-firing",
            "-q",
        ],
    );
    assert_eq!(code, 1, "--fail-if-firing with a firing alert");
    let out = ok(&cli, &["--agent", "node1", "health", "alerts", &id]);
    assert!(
        out.contains("high_cpu_usage") && out.contains("firing"),
        "{out}"
    );

    // Back below the threshold: resolved everywhere, with the same identity.
    burner.burn(false);
    let got = webhook.wait(wait, |r| r.len() >= 2);
    let p = got.last().unwrap().json();
    assert_eq!(p["status"], "resolved", "{p}");
    assert_eq!(p["alerts"][0]["status"], "resolved");
    assert_eq!(p["alerts"][0]["fingerprint"], id.as_str());
    assert_ne!(p["alerts"][0]["endsAt"], "0001-01-01T00:00:00Z");
    let got = slack.wait(wait, |r| r.len() >= 2);
    assert_eq!(got[1].json()["text"], "[RESOLVED] high_cpu_usage (warning)");
    let got = pagerduty.wait(wait, |r| r.len() >= 2);
    let e = got[1].json();
    assert_eq!(e["event_action"], "resolve");
    assert_eq!(e["dedup_key"], id.as_str());
    if let Some(smtp) = &smtp {
        let mails = smtp.wait(wait, |m| m.len() >= 2);
        assert!(
            mails.len() == 2 && mails[1].contains("Subject: [RESOLVED] high_cpu_usage (warning)"),
            "{mails:?}"
        );
    }
    assert_eq!(alerts(&data, &[])["alerts"], serde_json::json!([]));
    let resolved = alerts(&data, &["--state", "resolved"]);
    assert_eq!(resolved["alerts"][0]["id"], id.as_str());
    assert!(resolved["alerts"][0]["resolved_at"].is_string());
    for channel in ["hook", "slack", "pagerduty"] {
        assert_eq!(
            scrape_value(
                d.metrics_port,
                &format!("hivemind_notifications_total{{channel=\"{channel}\"}}")
            ),
            Some(2.0),
            "{channel}"
        );
        assert_eq!(
            scrape_value(
                d.metrics_port,
                &format!("hivemind_notifications_failed_total{{channel=\"{channel}\"}}")
            ),
            Some(0.0),
            "{channel}"
        );
    }
    let (code, log) = d.stop();
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains(&format!("alert high_cpu_usage {id} firing")),
        "{log}"
    );
    assert!(
        !log.contains(ROUTING_KEY) && !log.contains("SECRET"),
        "a secret reached the log:\n{log}"
    );
}

#[test]
fn failing_channels_are_retried_in_isolation_and_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("agent");
    let good = receiver(200);
    // 503 for 10 s from the first request, then 200.
    let first = OnceLock::new();
    let flaky = FakeHttp::start(move |req| {
        let first = *first.get_or_init(|| req.at);
        let code = if req.at.saturating_duration_since(first) < Duration::from_secs(10) {
            503
        } else {
            200
        };
        reply(code)
    });
    let bad = receiver(400);
    let hang = FakeHttp::start(|_| Response::hang());
    for (name, r) in [
        ("good", &good),
        ("flaky", &flaky),
        ("bad", &bad),
        ("hang", &hang),
    ] {
        ok(
            &data,
            &[
                "health",
                "configure-alert-channel",
                "--type",
                "webhook",
                "--name",
                name,
                "--url",
                &r.url("/"),
            ],
        );
    }
    let mut d = Daemon::start(&data, &["--allow-private-destinations"]);
    let created = Instant::now();
    // Always true on a running agent: fires at the next evaluation.
    ok(
        &data,
        &[
            "health",
            "create-alert-rule",
            "--name",
            "agent_up",
            "--metric",
            "hivemind_nodes",
            "--comparison",
            "ge",
            "--threshold",
            "1",
            "--duration",
            "0s",
            "--severity",
            "critical",
        ],
    );

    // The healthy channel is not held up by the hanging one (whose attempt lasts 10 s).
    let got = good.wait(Duration::from_secs(10), |r| !r.is_empty());
    assert_eq!(got.len(), 1);
    let took = got[0].at - created;
    assert!(
        took < Duration::from_secs(5),
        "the good channel waited {took:?}"
    );
    assert!(
        !hang
            .wait(Duration::from_secs(5), |r| !r.is_empty())
            .is_empty(),
        "the hanging receiver was never asked"
    );

    // The 503 receiver gets it once it recovers.
    let got = flaky.wait(Duration::from_secs(45), |r| {
        r.len() >= 2 && r.last().unwrap().at - r[0].at >= Duration::from_secs(10)
    });
    assert!(got.len() >= 2, "{} requests", got.len());
    let span = got.last().unwrap().at - got[0].at;
    assert!(
        span >= Duration::from_secs(10) && span < Duration::from_secs(40),
        "delivered after {span:?}"
    );
    for pair in got.windows(2) {
        assert!(pair[1].at > pair[0].at, "attempts out of order");
    }
    assert_eq!(got.last().unwrap().json()["status"], "firing");

    // The 400 receiver was asked once, and never again while the 503 one was retried.
    assert_eq!(bad.requests().len(), 1);
    let counter = |name: &str, channel: &str| {
        scrape_value(d.metrics_port, &format!("{name}{{channel=\"{channel}\"}}"))
    };
    wait_until(
        "flaky counted as delivered",
        Duration::from_secs(10),
        || (counter("hivemind_notifications_total", "flaky") == Some(1.0)).then_some(()),
    );
    assert_eq!(
        counter("hivemind_notifications_failed_total", "flaky"),
        Some(0.0)
    );
    assert_eq!(counter("hivemind_notifications_total", "bad"), Some(1.0));
    assert_eq!(
        counter("hivemind_notifications_failed_total", "bad"),
        Some(1.0)
    );
    assert_eq!(
        counter("hivemind_notifications_failed_total", "good"),
        Some(0.0)
    );
    assert_eq!(
        counter("hivemind_notifications_dropped_total", "good"),
        Some(0.0)
    );

    let (code, log) = d.stop();
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains("alert channel bad: gave up on [FIRING:1] agent_up (critical) after 1 attempt (not retried)")
            && log.contains("HTTP 400"),
        "{log}"
    );
    assert!(
        log.contains("alert channel flaky: attempt 1 failed, retrying in"),
        "{log}"
    );
    assert!(
        log.contains("alert channel flaky: delivered [FIRING:1] agent_up (critical) (attempt"),
        "{log}"
    );
}

#[test]
fn firing_alerts_repeat_and_a_full_queue_drops() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("agent");
    let good = receiver(200);
    let hang = FakeHttp::start(|_| Response::hang());
    ok(
        &data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--name",
            "good",
            "--url",
            &good.url("/"),
        ],
    );
    ok(
        &data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--name",
            "hang",
            "--url",
            &hang.url("/"),
        ],
    );
    ok(
        &data,
        &[
            "health",
            "create-alert-rule",
            "--name",
            "agent_up",
            "--metric",
            "hivemind_nodes",
            "--comparison",
            "ge",
            "--threshold",
            "1",
            "--duration",
            "0s",
            "--severity",
            "info",
        ],
    );
    let mut d = Daemon::start(
        &data,
        &[
            "--allow-private-destinations",
            "--repeat-interval",
            "1s",
            "--notification-queue",
            "1",
        ],
    );
    let got = good.wait(Duration::from_secs(15), |r| r.len() >= 3);
    assert!(got.len() >= 3, "{} notifications", got.len());
    for pair in got.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_millis(900), "repeated after {gap:?}");
        assert_eq!(pair[1].json()["status"], "firing");
    }
    // The hanging channel holds one notification in its attempt and one in its queue; the
    // repeats beyond that are dropped and counted.
    let dropped = wait_until(
        "drops on the hanging channel",
        Duration::from_secs(10),
        || {
            scrape_value(
                d.metrics_port,
                "hivemind_notifications_dropped_total{channel=\"hang\"}",
            )
            .filter(|v| *v >= 1.0)
        },
    );
    assert!(dropped >= 1.0);
    assert_eq!(
        scrape_value(
            d.metrics_port,
            "hivemind_notifications_dropped_total{channel=\"good\"}"
        ),
        Some(0.0)
    );
    let (code, log) = d.stop();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("alert channel hang: queue full (1 waiting); dropped notification [FIRING:1] agent_up (info)"), "{log}");
}

#[test]
fn test_alert_channel_goes_through_the_real_path() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("agent");
    let hook = receiver(200);
    let bad = receiver(400);
    ok(
        &data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--name",
            "hook",
            "--url",
            &hook.url("/in"),
        ],
    );
    ok(
        &data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--name",
            "bad",
            "--url",
            &bad.url("/in"),
        ],
    );
    let pagerduty = receiver(202);
    with_stdin(
        &data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "pagerduty",
            "--routing-key-stdin",
            "--url",
            &pagerduty.url("/v2/enqueue"),
        ],
        ROUTING_KEY,
    );

    // Without a daemon: sent from this process.
    let (code, out, err) = hm_run(
        &data,
        &[
            "health",
            "test-alert-channel",
            "--name",
            "hook",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let r = json(&out);
    assert_eq!(
        (
            r["channel"].as_str(),
            r["type"].as_str(),
            r["delivered"].as_bool()
        ),
        (Some("hook"), Some("webhook"), Some(true))
    );
    assert!(r["error"].is_null());
    let p = hook.requests()[0].json();
    assert_eq!(p["status"], "firing");
    assert_eq!(
        p["alerts"][0]["labels"]["alertname"],
        "HivemindTestNotification"
    );
    assert_eq!(p["alerts"][0]["labels"]["test"], "true");
    assert!(
        p["alerts"][0]["annotations"]["summary"]
            .as_str()
            .unwrap()
            .contains("Test notification")
    );

    let (code, out, _) = hm_run(&data, &["health", "test-alert-channel", "--name", "bad"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("failed") && out.contains("HTTP 400") && out.contains("would not retry"),
        "{out}"
    );
    assert_eq!(bad.requests().len(), 1, "a test is one attempt");

    // PagerDuty: a trigger and its resolve, so no incident stays open.
    let (code, _, err) = hm_run(
        &data,
        &["health", "test-alert-channel", "--name", "pagerduty"],
    );
    assert_eq!(code, 0, "{err}");
    let events: Vec<serde_json::Value> = pagerduty.requests().iter().map(Request::json).collect();
    assert_eq!(events.len(), 2);
    assert_eq!(
        (
            events[0]["event_action"].as_str(),
            events[1]["event_action"].as_str()
        ),
        (Some("trigger"), Some("resolve"))
    );
    assert_eq!(events[0]["dedup_key"], events[1]["dedup_key"]);
    assert!(
        events[0]["payload"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("[TEST] ")
    );

    let (code, _, err) = hm_run(&data, &["health", "test-alert-channel", "--name", "nope"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no alert channel named 'nope' (known: bad, hook, pagerduty)"),
        "{err}"
    );
    let (code, _, err) = hm_run(&data, &["health", "test-alert-channel", "--name", "../x"]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");

    // A daemon without --allow-private-destinations refuses loopback: at send time, and when
    // a channel is configured through it.
    let d = Daemon::start(&data, &[]);
    let (code, out, _) = hm_run(&data, &["health", "test-alert-channel", "--name", "hook"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("127.0.0.1 is a loopback address")
            && out.contains("--allow-private-destinations"),
        "{out}"
    );
    assert_eq!(
        hook.requests().len(),
        1,
        "a refused destination is never contacted"
    );
    let (code, _, err) = hm_run(
        &data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--name",
            "internal",
            "--url",
            "http://10.1.2.3/hook",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("url: 10.1.2.3 is a private or reserved address"),
        "{err}"
    );
    let (code, _, err) = run(hm(&data)
        .args([
            "health",
            "configure-alert-channel",
            "--type",
            "slack",
            "--webhook-url-stdin",
        ])
        .write_stdin("http://localhost:9/services/SECRETPATH"));
    assert_eq!(code, 2);
    assert!(
        err.contains("webhook_url: localhost") && !err.contains("SECRETPATH"),
        "{err}"
    );
    drop(d);
}

#[test]
fn email_uses_starttls_when_offered_and_never_sends_a_password_in_clear() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("agent");
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let (cert_path, key_path) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let Some(tls) = Smtp::start(tmp.path(), Some((&cert_path, &key_path))) else {
        return;
    };
    let Some(plain) = Smtp::start(tmp.path(), None) else {
        return;
    };
    for (name, port) in [("tls", tls.port), ("plain", plain.port)] {
        ok(
            &data,
            &[
                "health",
                "configure-alert-channel",
                "--type",
                "email",
                "--name",
                name,
                "--smtp-server",
                "127.0.0.1",
                "--smtp-port",
                &port.to_string(),
                "--from",
                "alerts@example.com",
                "--to",
                "ops@example.com",
            ],
        );
    }
    // The server requires STARTTLS before mail; its certificate is trusted through
    // SSL_CERT_FILE, which the platform verifier reads.
    let (code, out, err) = run(hm(&data).env("SSL_CERT_FILE", &cert_path).args([
        "health",
        "test-alert-channel",
        "--name",
        "tls",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    let mails = tls.wait(Duration::from_secs(10), |m| !m.is_empty());
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].contains("Subject: [TEST] HivemindTestNotification (info)"),
        "{}",
        mails[0]
    );
    assert!(
        mails[0].contains("This is a TEST notification from hivemind"),
        "{}",
        mails[0]
    );
    // Without trusting the certificate, STARTTLS fails verification and nothing is sent.
    let (code, out, _) = hm_run(&data, &["health", "test-alert-channel", "--name", "tls"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.to_lowercase().contains("certificate"), "{out}");
    assert_eq!(tls.messages().len(), 1);

    // A plain server gets mail without a password, but a password is only sent over TLS.
    let (code, out, _) = hm_run(&data, &["health", "test-alert-channel", "--name", "plain"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        plain.wait(Duration::from_secs(10), |m| !m.is_empty()).len(),
        1
    );
    with_stdin(
        &data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "email",
            "--name",
            "plain",
            "--smtp-server",
            "127.0.0.1",
            "--smtp-port",
            &plain.port.to_string(),
            "--smtp-user",
            "alerts",
            "--smtp-password-stdin",
            "--from",
            "alerts@example.com",
            "--to",
            "ops@example.com",
        ],
        "hunter2-password",
    );
    let (code, out, _) = hm_run(&data, &["health", "test-alert-channel", "--name", "plain"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("STARTTLS") || out.to_lowercase().contains("tls"),
        "{out}"
    );
    assert!(!out.contains("hunter2"), "{out}");
    assert_eq!(plain.messages().len(), 1);
}

/// Rules and channels covering every comparison, matcher kind and channel type.
fn varied_config(data: &Path) {
    for args in [
        &[
            "--name",
            "high_cpu_usage",
            "--metric",
            "hivemind_container_cpu_usage",
            "--threshold",
            "90",
            "--duration",
            "5m",
            "--severity",
            "warning",
        ][..],
        &[
            "--name",
            "node_down",
            "--metric",
            "hivemind_node_status",
            "--comparison",
            "eq",
            "--threshold",
            "0",
            "--duration",
            "1m",
            "--severity",
            "critical",
            "--label",
            "node=~web-.*",
            "--description",
            "a node {{ stopped }} \"reporting\"",
        ],
        &[
            "--name",
            "net_rx",
            "--metric",
            "hivemind_node_network_rx",
            "--comparison",
            "ge",
            "--threshold",
            "1e9",
            "--duration",
            "0s",
            "--severity",
            "info",
            "--label",
            "interface!~lo|docker.*",
            "--label",
            "node!=db",
        ],
        &[
            "--name",
            "low_memory",
            "--metric",
            "hivemind_node_memory_usage",
            "--comparison",
            "lt",
            "--threshold",
            "0.5",
            "--duration",
            "1h30m",
            "--severity",
            "info",
            "--label",
            "node=a\\\"b",
        ],
        &[
            "--name",
            "disk",
            "--metric",
            "hivemind_node_disk_usage",
            "--comparison",
            "le",
            "--threshold",
            "-1",
            "--duration",
            "30s",
            "--severity",
            "warning",
        ],
        &[
            "--name",
            "not_one",
            "--metric",
            "hivemind_nodes",
            "--comparison",
            "ne",
            "--threshold",
            "1",
            "--duration",
            "10s",
            "--severity",
            "critical",
        ],
    ] {
        let mut full = vec!["health", "create-alert-rule"];
        full.extend_from_slice(args);
        ok(data, &full);
    }
    with_stdin(
        data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "slack",
            "--name",
            "ops-slack",
            "--webhook-url-stdin",
        ],
        "https://hooks.slack.com/services/T0/B0/SLACKSECRET",
    );
    with_stdin(
        data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "email",
            "--smtp-server",
            "smtp.example.com",
            "--smtp-user",
            "alerts",
            "--smtp-password-stdin",
            "--from",
            "alerts@example.com",
            "--to",
            "a@example.com,b@example.com",
        ],
        "SMTPSECRET",
    );
    ok(
        data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--url",
            "https://hooks.example.com/alerts",
        ],
    );
    with_stdin(
        data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "pagerduty",
            "--routing-key-stdin",
        ],
        ROUTING_KEY,
    );
}

fn check_with(tool: &Path, args: &[&str], file: &Path) {
    let out = Command::new(tool).args(args).arg(file).output().unwrap();
    assert!(
        out.status.success(),
        "{} {args:?} {}: {}{}\n{}",
        tool.display(),
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(file).unwrap_or_default()
    );
}

#[test]
fn exports_pass_promtool_and_amtool() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("agent");
    varied_config(&data);

    let rules = tmp.path().join("rules.yml");
    let (code, out, err) = hm_run(
        &data,
        &[
            "health",
            "export-rules",
            "--output",
            rules.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.is_empty() && err.contains("wrote 6 alert rules to"),
        "{err}"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&rules).unwrap().permissions().mode() & 0o777,
        0o644
    );
    let text = std::fs::read_to_string(&rules).unwrap();
    assert!(text.contains("expr: hivemind_node_network_receive_bytes_total{interface!~\"lo|docker.*\",node!=\"db\"} >= 1000000000"), "{text}");
    assert_eq!(
        ok(&data, &["health", "export-rules"]),
        text,
        "stdout and --output agree"
    );
    if let Some(promtool) = peer("promtool") {
        check_with(&promtool, &["check", "rules"], &rules);
    }

    let am = tmp.path().join("alertmanager.yml");
    let (code, _, err) = hm_run(
        &data,
        &[
            "health",
            "export-alertmanager-config",
            "--output",
            am.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("secrets/ops-slack.webhook_url"), "{err}");
    let text = std::fs::read_to_string(&am).unwrap();
    for secret in ["SLACKSECRET", "SMTPSECRET", ROUTING_KEY] {
        assert!(!text.contains(secret), "{secret} in the default export");
    }
    assert!(
        text.contains("api_url_file: secrets/ops-slack.webhook_url")
            && text.contains("routing_key_file: secrets/pagerduty.routing_key")
            && text.contains("auth_password_file: secrets/email.smtp_password"),
        "{text}"
    );
    let amtool = peer("amtool");
    if let Some(amtool) = &amtool {
        check_with(amtool, &["check-config"], &am);
    }

    let inline = tmp.path().join("inline.yml");
    ok(
        &data,
        &[
            "health",
            "export-alertmanager-config",
            "--inline-secrets",
            "--output",
            inline.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::metadata(&inline).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&inline).unwrap();
    for secret in ["SLACKSECRET", "SMTPSECRET", ROUTING_KEY] {
        assert!(
            text.contains(secret),
            "{secret} missing with --inline-secrets"
        );
    }
    let dir = tmp.path().join("am-secrets");
    let files = tmp.path().join("files.yml");
    ok(
        &data,
        &[
            "health",
            "export-alertmanager-config",
            "--secrets-dir",
            dir.to_str().unwrap(),
            "--output",
            files.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("pagerduty.routing_key")).unwrap(),
        ROUTING_KEY
    );
    assert_eq!(
        std::fs::metadata(dir.join("pagerduty.routing_key"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&files).unwrap();
    assert!(
        text.contains(&format!(
            "routing_key_file: {}",
            dir.join("pagerduty.routing_key").display()
        )),
        "{text}"
    );
    if let Some(amtool) = &amtool {
        check_with(amtool, &["check-config"], &inline);
        check_with(amtool, &["check-config"], &files);
    }

    // From an agent: the same files; secrets never travel over the API.
    let d = Daemon::start(&data, &[]);
    let cli = tmp.path().join("cli");
    with_stdin(
        &cli,
        &["agent", "add", "node1", "--url", &d.url(), "--token-stdin"],
        &d.token,
    );
    assert_eq!(
        ok(&cli, &["--agent", "node1", "health", "export-rules"]),
        std::fs::read_to_string(&rules).unwrap()
    );
    assert_eq!(
        ok(
            &cli,
            &["--agent", "node1", "health", "export-alertmanager-config"]
        ),
        std::fs::read_to_string(&am).unwrap()
    );
    let (code, out, err) = hm_run(
        &cli,
        &[
            "--agent",
            "node1",
            "health",
            "export-alertmanager-config",
            "--inline-secrets",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        out.is_empty() && err.contains("secrets never leave an agent"),
        "{err}"
    );
    let (code, _, err) = hm_run(&cli, &["--all-agents", "health", "export-rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("one --agent"), "{err}");

    // The export commands write YAML only.
    let (code, _, err) = hm_run(&data, &["-o", "json", "health", "export-rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("writes YAML only"), "{err}");
    let (code, _, err) = hm_run(&data, &["health", "export-rules", "-o", "json"]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    let (code, _, err) = hm_run(&data, &["health", "export-rules", "--output", "json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("writes YAML only") && err.lines().count() == 1,
        "{err}"
    );
    assert!(!data.join("json").exists() && !Path::new("json").exists());
    let (code, _, err) = hm_run(
        &data,
        &[
            "health",
            "export-alertmanager-config",
            "--inline-secrets",
            "--secrets-dir",
            "x",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    let (code, _, err) = hm_run(
        &data,
        &[
            "health",
            "export-alertmanager-config",
            "--group-interval",
            "0s",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--group-interval"), "{err}");
}

/// A child process killed on drop.
pub struct Peer(pub Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn prometheus_and_alertmanager_deliver_the_exported_config() {
    let (Some(prometheus), Some(alertmanager)) =
        (peer("prometheus"), peer("prometheus-alertmanager"))
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("agent");
    let Some(burner) = Burner::start(tmp.path()) else {
        return;
    };
    burner.burn(true);
    let d = Daemon::start(&data, &[]);
    let label = format!("container={}", burner.container);
    ok(
        &data,
        &[
            "health",
            "create-alert-rule",
            "--name",
            "high_cpu_usage",
            "--metric",
            "hivemind_container_cpu_usage",
            "--threshold",
            "20",
            "--duration",
            "0s",
            "--severity",
            "warning",
            "--label",
            &label,
        ],
    );
    let rules = tmp.path().join("rules.yml");
    ok(
        &data,
        &[
            "health",
            "export-rules",
            "--output",
            rules.to_str().unwrap(),
        ],
    );

    // The channels live elsewhere (the agent itself does not deliver here).
    let channels = tmp.path().join("channels");
    let webhook = receiver(200);
    let slack = receiver(200);
    ok(
        &channels,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--name",
            "hook",
            "--url",
            &webhook.url("/am"),
        ],
    );
    with_stdin(
        &channels,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "slack",
            "--webhook-url-stdin",
        ],
        &slack.url("/services/T/B/X"),
    );
    let am_dir = tmp.path().join("am");
    std::fs::create_dir_all(&am_dir).unwrap();
    let am_config = am_dir.join("alertmanager.yml");
    ok(
        &channels,
        &[
            "health",
            "export-alertmanager-config",
            "--output",
            am_config.to_str().unwrap(),
            "--secrets-dir",
            am_dir.join("secrets").to_str().unwrap(),
            "--group-wait",
            "0s",
            "--group-interval",
            "1s",
            "--repeat-interval",
            "1h",
        ],
    );
    let (_am, am_port) = start_alertmanager(&alertmanager, &am_config, &am_dir);
    let (_prom, prom) = start_prometheus(&prometheus, tmp.path(), &rules, am_port, d.metrics_port);
    let firing = wait_until(
        "ALERTS{alertname=\"high_cpu_usage\"} firing in Prometheus",
        Duration::from_secs(60),
        || {
            let (code, body) = http(
                prom,
                "GET",
                "/api/v1/query?query=ALERTS%7Balertname%3D%22high_cpu_usage%22%2Calertstate%3D%22firing%22%7D",
                None,
                b"",
            );
            if code != 200 {
                return None;
            }
            let v: serde_json::Value = serde_json::from_str(&dechunk(&body)).ok()?;
            let first = v["data"]["result"].as_array()?.first()?.clone();
            Some(first)
        },
    );
    assert_eq!(firing["metric"]["container"], burner.container.as_str());
    assert_eq!(firing["metric"]["severity"], "warning");

    let got = webhook.wait(Duration::from_secs(60), |r| !r.is_empty());
    assert!(
        !got.is_empty(),
        "Alertmanager delivered nothing to the webhook"
    );
    let p = got[0].json();
    assert_eq!(got[0].target(), "/am");
    assert_eq!(p["version"], "4");
    assert_eq!(p["receiver"], "hook");
    assert_eq!(p["status"], "firing");
    let alert = &p["alerts"][0];
    assert_eq!(alert["labels"]["alertname"], "high_cpu_usage");
    assert_eq!(alert["labels"]["container"], burner.container.as_str());
    assert!(
        alert["annotations"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("hivemind_container_cpu_usage is "),
        "{alert}"
    );
    // Alert ids are Alertmanager's fingerprints of the same labels.
    let labels: std::collections::BTreeMap<String, String> =
        serde_json::from_value(alert["labels"].clone()).unwrap();
    assert_eq!(
        alert["fingerprint"].as_str().unwrap(),
        hivemind::alerting::fingerprint(&labels)
    );
    // The Slack receiver got Alertmanager's Slack message through the exported api_url_file.
    let got = slack.wait(Duration::from_secs(30), |r| !r.is_empty());
    assert!(
        !got.is_empty(),
        "Alertmanager delivered nothing to the Slack receiver"
    );
    assert_eq!(got[0].target(), "/services/T/B/X");
}

#[test]
fn alerts_without_a_daemon_evaluate_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("agent");
    // A fresh data directory (a given one that does not exist is refused for reads).
    std::fs::create_dir(&data).unwrap();
    let (code, out, err) = hm_run(&data, &["health", "alerts"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "no alerts\n");
    ok(
        &data,
        &[
            "health",
            "create-alert-rule",
            "--name",
            "now",
            "--metric",
            "hivemind_node_count",
            "--comparison",
            "ge",
            "--threshold",
            "1",
            "--duration",
            "0s",
            "--severity",
            "info",
        ],
    );
    ok(
        &data,
        &[
            "health",
            "create-alert-rule",
            "--name",
            "later",
            "--metric",
            "hivemind_nodes",
            "--comparison",
            "ge",
            "--threshold",
            "1",
            "--duration",
            "5m",
            "--severity",
            "warning",
        ],
    );
    ok(
        &data,
        &[
            "health",
            "create-alert-rule",
            "--name",
            "never",
            "--metric",
            "hivemind_nodes",
            "--comparison",
            "gt",
            "--threshold",
            "1",
            "--duration",
            "0s",
            "--severity",
            "critical",
        ],
    );
    let (code, out, err) = hm_run(&data, &["health", "alerts", "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("evaluated once, now"), "{err}");
    let v = json(&out);
    assert_eq!(v["mode"], "once");
    let states: Vec<(&str, &str)> = v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["rule"].as_str().unwrap(), a["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("now", "firing"), ("later", "pending")]);
    let id = v["alerts"][0]["id"].as_str().unwrap().to_string();
    let (code, out, _) = hm_run(
        &data,
        &[
            "health",
            "alerts",
            "--state",
            "firing",
            "--fail-if-firing",
            "-o",
            "yaml",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("rule: now") && !out.contains("rule: later"),
        "{out}"
    );
    let (code, out, _) = hm_run(&data, &["health", "alerts", &id, "-o", "json"]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["labels"]["alertname"], "now");
    let (code, out, _) = hm_run(&data, &["health", "alerts"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("ID ") && out.contains(" firing ") && out.contains(" pending "),
        "{out}"
    );

    for (args, needle) in [
        (
            &["health", "alerts", "--state", "gone"][..],
            "invalid value 'gone' for '--state <STATE>'",
        ),
        (
            &["health", "alerts", "XYZ"][..],
            "invalid value 'XYZ' for '[ID]'",
        ),
        (
            &["health", "alerts", "0000000000000000"][..],
            "no alert with id 0000000000000000",
        ),
        (
            &["health", "alerts", "0000000000000000", "--state", "firing"][..],
            "cannot be used with",
        ),
        (
            &["daemon", "--repeat-interval", "0s"][..],
            "invalid value '0s' for '--repeat-interval <DURATION>'",
        ),
        (
            &["daemon", "--notification-queue", "0"][..],
            "invalid value '0' for '--notification-queue <N>'",
        ),
    ] {
        let (code, out, err) = hm_run(&data, args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.contains(needle) && err.lines().count() == 1,
            "{args:?}: {err}"
        );
    }
}

#[test]
fn alerts_survive_a_restart_and_resolve_after_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("agent");
    let hook = receiver(200);
    ok(
        &data,
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--name",
            "hook",
            "--url",
            &hook.url("/"),
        ],
    );
    ok(
        &data,
        &[
            "health",
            "create-alert-rule",
            "--name",
            "agent_up",
            "--metric",
            "hivemind_nodes",
            "--comparison",
            "ge",
            "--threshold",
            "1",
            "--duration",
            "0s",
            "--severity",
            "info",
        ],
    );
    let mut d = Daemon::start(&data, &["--allow-private-destinations"]);
    assert_eq!(
        hook.wait(Duration::from_secs(10), |r| !r.is_empty()).len(),
        1
    );
    let (code, log) = d.stop();
    assert_eq!(code, 0, "{log}");
    // While the agent is down, the rule goes away; the next run resolves what was firing.
    ok(
        &data,
        &["health", "delete-alert-rule", "--name", "agent_up"],
    );
    let _d = Daemon::start(&data, &["--allow-private-destinations"]);
    let got = hook.wait(Duration::from_secs(10), |r| r.len() >= 2);
    assert_eq!(got.len(), 2);
    let p = got[1].json();
    assert_eq!(p["status"], "resolved");
    assert_eq!(
        p["alerts"][0]["fingerprint"],
        got[0].json()["alerts"][0]["fingerprint"]
    );
}

/// The ways a receiver echoes the Slack webhook path it was sent (item 3 of issue 11), chosen
/// by the path's `B…` segment: as it is (Express's `Cannot POST …` page), percent-encoded in
/// upper- and lower-case hex, JSON-escaped inside a JSON error body, and base64 (standard, of
/// the path; URL-safe, of the whole URL behind one byte, so at another alignment).
/// Each channel has its own webhook token, so that a leak names the channel it came from.
const ECHOES: [(&str, &str, &str); 6] = [
    ("plain", "B1", "Xq7KpZ2mWb9LrT4vYc1NdF8s"),
    ("pct-upper", "B2", "Hn3VdQ8wLe5RtY1uPj6ZkA0b"),
    ("pct-lower", "B3", "Mf9GsC4xNo2BhW7iUq3EyT5r"),
    ("json", "B4", "Kd2PzS6aVl8JcX0gRm4OwH1t"),
    ("b64", "B5", "Wy5EbN9kTf3QiL7sDu1ApG6h"),
    ("b64url", "B6", "Rj8UcM1oYh4XnF6vBs0KgZ2e"),
];

fn pct_all(s: &str, upper: bool) -> String {
    s.bytes()
        .map(|b| {
            if upper {
                format!("%{b:02X}")
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

/// What a receiver on `base` sends back for `path` in the echo style of the `B…` segment.
fn echo_of(base: &str, path: &str) -> Response {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let style = path.split('/').nth(3).unwrap_or("");
    match style {
        "B2" => Response::text(404, &format!("Cannot POST {}", pct_all(path, true))),
        "B3" => Response::text(404, &format!("Cannot POST {}", pct_all(path, false))),
        "B4" => Response::new(404)
            .header("Content-Type", "application/json")
            .body(format!(
                r#"{{"error":"Cannot POST {}","status":404}}"#,
                path.replace('/', "\\/")
            )),
        "B5" => Response::json(
            400,
            &serde_json::json!({"error": "unknown hook", "hook": STANDARD.encode(path)}),
        ),
        "B6" => Response::json(
            400,
            &serde_json::json!({"error": "unknown hook",
                "ref": URL_SAFE_NO_PAD.encode(format!("x{base}{path}"))}),
        ),
        _ => Response::text(404, &format!("Cannot POST {path}")),
    }
}

/// One form of the webhook's path `p` (or URL, `b` + `p`) as a receiver may echo it.
type Form = fn(&str, &str) -> String;

/// Every 8-character piece of every form in which the receivers echo `token`: where a form
/// with `token` differs from the same form with another token of its length, the characters
/// depend on the token; any 8 of them in a row must not reach any output.
fn token_pieces(base: &str, style: &str, token: &str) -> Vec<(String, String)> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let other: String = token
        .chars()
        .map(|c| if c == 'a' { 'b' } else { 'a' })
        .collect();
    let forms: [(&str, Form); 9] = [
        ("raw path", |_, p| p.to_string()),
        ("percent-encoded path (upper)", |_, p| pct_all(p, true)),
        ("percent-encoded path (lower)", |_, p| pct_all(p, false)),
        ("JSON-escaped path", |_, p| p.replace('/', "\\/")),
        ("base64 path", |_, p| STANDARD.encode(p)),
        ("URL-safe base64 path", |_, p| URL_SAFE_NO_PAD.encode(p)),
        ("base64 URL", |b, p| STANDARD.encode(format!("{b}{p}"))),
        ("URL-safe base64 URL behind a byte", |b, p| {
            URL_SAFE_NO_PAD.encode(format!("x{b}{p}"))
        }),
        ("raw URL", |b, p| format!("{b}{p}")),
    ];
    let mut pieces = Vec::new();
    for (name, form) in forms {
        let with = form(base, &format!("/services/T0/{style}/{token}"));
        let without = form(base, &format!("/services/T0/{style}/{other}"));
        let (a, b) = (with.as_bytes(), without.as_bytes());
        let first = (0..a.len()).find(|&i| a[i] != b[i]).unwrap();
        let last = (0..a.len()).rev().find(|&i| a[i] != b[i]).unwrap();
        let region = &with[first..=last];
        for start in 0..=region.len().saturating_sub(8) {
            let end = (start + 8).min(region.len());
            pieces.push((name.to_string(), region[start..end].to_string()));
        }
    }
    pieces
}

/// An Elasticsearch `_bulk` double that indexes everything; the shipped bodies are its
/// recorded requests.
fn bulk_receiver() -> FakeHttp {
    FakeHttp::start(|req| {
        if req.method == "POST" && req.path.starts_with("/_bulk") {
            let docs = String::from_utf8_lossy(&req.body).lines().count() / 2;
            let items: Vec<serde_json::Value> = (0..docs)
                .map(|_| serde_json::json!({"create": {"status": 201}}))
                .collect();
            return Response::json(
                200,
                &serde_json::json!({"took": 1, "errors": false, "items": items}),
            );
        }
        Response::json(200, &serde_json::json!({"version": {"number": "8.15.0"}}))
    })
}

/// `health test-alert-channel` of every echoing channel, as a table and as JSON.
fn test_every_echo(data: &Path, via: &str, outputs: &mut Vec<(String, String)>) {
    for (name, _, _) in ECHOES {
        let channel = format!("slack-{name}");
        for extra in [&[][..], &["-o", "json"][..]] {
            let mut args = vec!["health", "test-alert-channel", "--name", &channel];
            args.extend_from_slice(extra);
            let (code, out, err) = hm_run(data, &args);
            assert_eq!(code, 1, "{out}{err}");
            assert!(out.contains("HTTP 40"), "{via} {args:?}: {out}");
            outputs.push((format!("{via} {args:?} stdout"), out));
            outputs.push((format!("{via} {args:?} stderr"), err));
        }
    }
}

#[test]
fn a_receiver_echoing_the_slack_webhook_never_gets_the_secret_printed_logged_or_shipped() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("agent");
    let slack = FakeHttp::start(|req| {
        let base = req
            .headers
            .get("host")
            .map(|h| format!("http://{h}"))
            .unwrap_or_default();
        echo_of(&base, &req.path)
    });
    let base = slack.url("").trim_end_matches('/').to_string();
    let es = bulk_receiver();
    for (name, style, token) in ECHOES {
        with_stdin(
            &data,
            &[
                "health",
                "configure-alert-channel",
                "--type",
                "slack",
                "--name",
                &format!("slack-{name}"),
                "--webhook-url-stdin",
            ],
            &format!("{base}/services/T0/{style}/{token}"),
        );
    }
    ok(
        &data,
        &[
            "observability",
            "configure-logging",
            "--endpoint",
            es.url("").trim_end_matches('/'),
            "--index",
            "hivemind-logs",
            "--level",
            "debug",
        ],
    );

    // Everything any of it printed, answered, logged or shipped: (where, text).
    let mut outputs: Vec<(String, String)> = Vec::new();

    // Without a daemon: sent from this process.
    test_every_echo(&data, "embedded", &mut outputs);

    // Through the agent: the CLI, the API, the log (ring, CLI, Elasticsearch) and stderr.
    let mut d = Daemon::start(&data, &["--allow-private-destinations"]);
    test_every_echo(&data, "daemon", &mut outputs);
    for (name, _, _) in ECHOES {
        let (code, body) = http(
            d.api,
            "POST",
            &format!("/api/channels/slack-{name}/test"),
            Some(&d.token),
            b"",
        );
        let body = dechunk(&body);
        assert_eq!(code, 200, "{body}");
        assert_eq!(json(&body)["delivered"], false, "{body}");
        outputs.push((format!("POST /api/channels/slack-{name}/test"), body));
    }
    let failures_logged = |text: &str| {
        ECHOES.iter().all(|(name, _, _)| {
            text.contains(&format!(
                "alert channel slack-{name}: test notification failed"
            ))
        })
    };
    let (code, body) = http(
        d.api,
        "GET",
        "/api/logs?level=debug&limit=2000",
        Some(&d.token),
        b"",
    );
    let body = dechunk(&body);
    assert_eq!(code, 200, "{body}");
    assert!(failures_logged(&body), "{body}");
    outputs.push(("GET /api/logs".into(), body));
    for extra in [&[][..], &["-o", "json"][..]] {
        let mut args = vec![
            "observability",
            "logs",
            "--level",
            "debug",
            "--limit",
            "2000",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = hm_run(&data, &args);
        assert_eq!(code, 0, "{err}");
        assert!(failures_logged(&out), "{out}");
        outputs.push((format!("{args:?} stdout"), out));
        outputs.push((format!("{args:?} stderr"), err));
    }
    let shipped = || {
        es.requests()
            .iter()
            .filter(|r| r.path.starts_with("/_bulk"))
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let shipped = poll(
        Duration::from_secs(30),
        Duration::from_millis(200),
        shipped,
        |s| failures_logged(s),
    );
    assert!(failures_logged(&shipped), "not shipped: {shipped}");
    outputs.push(("Elasticsearch _bulk bodies".into(), shipped));
    let (code, stderr) = d.stop();
    assert_eq!(code, 0, "{stderr}");
    assert!(failures_logged(&stderr), "{stderr}");
    outputs.push(("daemon stderr".into(), stderr));

    // Every place, every channel, every form: one list of what leaked.
    let mut leaks: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (name, style, token) in ECHOES {
        for (form, piece) in token_pieces(&base, style, token) {
            for (place, text) in &outputs {
                if text.contains(&piece) {
                    leaks
                        .entry(format!("{place}: slack-{name}'s secret"))
                        .or_default()
                        .insert(form.clone());
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks
            .iter()
            .map(|(k, forms)| format!(
                "{k} ({})",
                forms.iter().cloned().collect::<Vec<_>>().join(", ")
            ))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // Not vacuous: each test's answer quotes the receiver, with the secret replaced.
    for (place, text) in &outputs {
        if place.contains("test-alert-channel") && place.ends_with("stdout")
            || place.starts_with("POST ")
            || [
                "GET /api/logs",
                "Elasticsearch _bulk bodies",
                "daemon stderr",
            ]
            .contains(&place.as_str())
        {
            assert!(text.contains("<secret>"), "{place}: {text}");
        }
    }
}

/// A real Alertmanager on a free loopback port with `config`, its data under `dir`.
pub fn start_alertmanager(binary: &Path, config: &Path, dir: &Path) -> (Peer, u16) {
    let port = free_port();
    let peer = Peer(
        Command::new(binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    (peer, port)
}

/// A real Prometheus on a free loopback port, scraping the agent's metrics every second,
/// evaluating `rules` and sending alerts to the Alertmanager on `am_port`.
pub fn start_prometheus(
    binary: &Path,
    dir: &Path,
    rules: &Path,
    am_port: u16,
    metrics_port: u16,
) -> (Peer, SocketAddr) {
    let port = free_port();
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {}\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:{am_port}']\nscrape_configs:\n  - job_name: hivemind\n    static_configs:\n      - targets: ['127.0.0.1:{metrics_port}']\n",
            rules.display(),
        ),
    )
    .unwrap();
    let peer = Peer(
        Command::new(binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    (peer, format!("127.0.0.1:{port}").parse().unwrap())
}
