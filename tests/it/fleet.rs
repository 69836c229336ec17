//! Fleets: configuration as code (`config export|apply`) on this machine and on real agents,
//! `delete-* --ignore-not-found`, and the inventory from a real Prometheus (`agent import
//! --prometheus`, `agent export --format file-sd`).

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use super::agent::{Daemon, dechunk, free_port, http, peer};
use super::{hm, hm_run, json, run};

/// The fixture that sets every field of the file, with `@CA@` standing for a CA file.
const FULL: &str = include_str!("../fixtures/config-full.yaml");

/// The secrets the fixture references, as its `{env: …}` names them.
const SECRETS: &[(&str, &str)] = &[
    (
        "HIVEMIND_SECRET_CHANNELS_MAIL_SMTP_PASSWORD",
        "smtp-pass-5e1",
    ),
    (
        "HIVEMIND_SECRET_CHANNELS_OPS_WEBHOOK_URL",
        "https://hooks.slack.com/services/T000/B000/fixture5ecret",
    ),
    (
        "HIVEMIND_SECRET_CHANNELS_PAGER_ROUTING_KEY",
        "routing-key-5e1",
    ),
    (
        "HIVEMIND_SECRET_TRACING_HEADERS_AUTHORIZATION",
        "Bearer trace-5e1",
    ),
    ("HIVEMIND_SECRET_LOGGING_PASSWORD", "log-pass-5e1"),
    ("HIVEMIND_SECRET_LOGGING_API_KEY", "bG9nLWtleS01ZTE="),
];

/// Write a CA certificate into `dir` and the fixture with its path; returns the file's path
/// and its text.
fn full_fixture(dir: &Path) -> (std::path::PathBuf, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, cert.cert.pem()).unwrap();
    let text = FULL.replace("@CA@", &ca.display().to_string());
    let path = dir.join("config.yaml");
    std::fs::write(&path, &text).unwrap();
    (path, text)
}

/// `hivemind` over `dir` with the fixture's secrets in the environment.
fn hm_secrets(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = hm(dir);
    for (k, v) in SECRETS {
        cmd.env(k, v);
    }
    run(cmd.args(args))
}

#[test]
fn config_round_trips_and_applies_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let (file, text) = full_fixture(dir.path());
    let file = file.to_str().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();

    let (code, out, err) = hm_secrets(
        &data,
        &["config", "apply", "-f", file, "--dry-run", "--exit-code"],
    );
    assert_eq!(code, 1, "changes found with --exit-code: {out}{err}");
    assert!(out.contains("+ create rule disk_full"), "{out}");
    assert!(out.contains("+ create channel ops"), "{out}");
    assert!(
        !out.contains("fixture5ecret"),
        "no secret in the plan: {out}"
    );
    let (code, out, _) = hm_run(&data, &["health", "list-alert-rules", "-o", "json"]);
    assert_eq!(code, 0);
    assert_eq!(
        json(&out)["rules"].as_array().unwrap().len(),
        0,
        "a dry run changes nothing"
    );

    let (code, out, err) = hm_secrets(&data, &["config", "apply", "-f", file]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("applied"), "{err}");
    let (code, exported, err) = hm_run(&data, &["config", "export"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(exported, text, "export reproduces the file byte for byte");
    for (_, v) in SECRETS {
        assert!(!exported.contains(v), "no secret value in the export");
    }

    let (code, out, err) = hm_secrets(&data, &["config", "apply", "-f", file]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("nothing to do"), "second apply: {err}");
    assert!(out.trim().is_empty(), "{out}");
    let (code, _, err) = hm_secrets(
        &data,
        &["config", "apply", "-f", file, "--dry-run", "--exit-code"],
    );
    assert_eq!(code, 0, "no changes, exit 0: {err}");

    // A rotated secret is a change (the agent compares values it never shows).
    let mut cmd = hm(&data);
    for (k, v) in SECRETS {
        cmd.env(k, v);
    }
    cmd.env(
        "HIVEMIND_SECRET_CHANNELS_OPS_WEBHOOK_URL",
        "https://hooks.slack.com/services/T000/B000/rotated",
    );
    let (code, out, err) = run(cmd.args(["config", "apply", "-f", file, "--dry-run"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("~ update channel ops"), "{out}");
    assert!(
        out.contains("+   webhook_url: <secret> (new value)"),
        "{out}"
    );
    assert!(!out.contains("rotated"), "{out}");

    // A smaller file: without --prune nothing is deleted; with it, what the file lacks goes.
    let small = dir.path().join("small.yaml");
    std::fs::write(
        &small,
        "version: 1\nrules:\n- name: high_cpu_usage\n  metric: hivemind_node_cpu_usage\n  comparison: gt\n  threshold: 80.0\n  duration: 5m\n  severity: warning\n  description: CPU busy\n",
    )
    .unwrap();
    let small = small.to_str().unwrap();
    let (code, out, err) = hm_run(&data, &["config", "apply", "-f", small, "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("~ update rule high_cpu_usage"), "{out}");
    assert!(
        out.contains("-   threshold: 90.0") && out.contains("+   threshold: 80.0"),
        "{out}"
    );
    assert!(!out.contains("delete"), "{out}");
    let (code, out, err) = hm_run(
        &data,
        &["config", "apply", "-f", small, "--prune", "-o", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    let deleted: Vec<String> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] == "delete")
        .map(|c| {
            format!(
                "{} {}",
                c["kind"].as_str().unwrap(),
                c["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        deleted,
        [
            "rule disk_full",
            "rule memory_pressure",
            "channel hook",
            "channel mail",
            "channel ops",
            "channel pager",
            "check api",
            "check db",
            "check grpc",
            "check script",
            "tracing tracing",
            "logging logging"
        ]
    );
    let (_, out, _) = hm_run(&data, &["config", "export", "-o", "json"]);
    let now = json(&out);
    assert_eq!(now["rules"].as_array().unwrap().len(), 1);
    assert!(
        now.get("channels").is_none() && now.get("tracing").is_none(),
        "{now}"
    );
    // The secrets of deleted channels are gone from the store too.
    let secrets = std::fs::read_to_string(data.join("secrets.toml")).unwrap_or_default();
    assert!(!secrets.contains("fixture5ecret"), "{secrets}");
}

#[test]
fn bad_config_files_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let unknown = write(
        "unknown.yaml",
        "version: 1\nauto_healing:\n  enabled: true\n  max_restarts: 3\n  restart_intervall: 1m\n",
    );
    let (code, out, err) = hm_run(dir.path(), &["config", "apply", "-f", &unknown]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("restart_intervall") && err.contains("line 5 column 3"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let literal = write(
        "literal.yaml",
        "version: 1\nchannels:\n  ops:\n    type: slack\n    webhook_url: https://hooks.slack.com/services/T/B/l1teral\n",
    );
    let (code, _, err) = hm_run(dir.path(), &["config", "apply", "-f", &literal]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("{env: VARIABLE} or {file: /path/to/file}"),
        "{err}"
    );
    assert!(err.contains("line 5"), "{err}");
    assert!(!err.contains("l1teral"), "{err}");

    let unset = write(
        "unset.yaml",
        "version: 1\nchannels:\n  ops:\n    type: slack\n    webhook_url: {env: HIVEMIND_TEST_UNSET_VARIABLE}\n",
    );
    let (code, _, err) = hm_run(dir.path(), &["config", "apply", "-f", &unset]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("HIVEMIND_TEST_UNSET_VARIABLE is not set"),
        "{err}"
    );

    let (code, _, err) = hm_run(
        dir.path(),
        &["config", "apply", "-f", "/nonexistent/x.yaml"],
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = hm_run(dir.path(), &["config", "apply", "-f", "x", "--exit-code"]);
    assert_eq!(code, 2, "--exit-code needs --dry-run: {err}");
    assert!(
        !dir.path().join("state.toml").exists(),
        "nothing was written"
    );
}

/// A CLI data directory whose inventory names `daemons` as a, b, …
fn inventory(cli: &Path, daemons: &[&Daemon]) {
    for (i, d) in daemons.iter().enumerate() {
        let name = ((b'a' + i as u8) as char).to_string();
        let mut cmd = hm(cli);
        cmd.args(["agent", "add", &name, "--url", &d.url(), "--token-stdin"])
            .write_stdin(d.token.clone());
        let (code, _, err) = run(&mut cmd);
        assert_eq!(code, 0, "{err}");
    }
}

#[test]
fn config_apply_on_agents_obeys_their_rules() {
    let base = tempfile::tempdir().unwrap();
    let (file, text) = full_fixture(base.path());
    let file = file.to_str().unwrap();
    let cli = base.path().join("cli");
    let plain = Daemon::start(&base.path().join("plain"), &[]);
    let open = Daemon::start(
        &base.path().join("open"),
        &["--allow-remote-exec", "--allow-private-destinations"],
    );
    inventory(&cli, &[&plain, &open]);
    // Agents added by hand: file_sd asks them where their metrics are.
    let (code, out, err) = hm_run(&cli, &["agent", "export", "--format", "file-sd"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        json(&out),
        serde_json::json!([
            {"targets": [format!("127.0.0.1:{}", plain.metrics_port)], "labels": {"hivemind_agent": "a"}},
            {"targets": [format!("127.0.0.1:{}", open.metrics_port)], "labels": {"hivemind_agent": "b"}},
        ])
    );

    // A delete of what is not there, across agents.
    let (code, out, err) = hm_run(
        &cli,
        &[
            "--all-agents",
            "health",
            "delete-check",
            "--name",
            "nope",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 2, "all agents failed: {out}{err}");
    let (code, out, err) = hm_run(
        &cli,
        &[
            "--all-agents",
            "health",
            "delete-check",
            "--name",
            "nope",
            "--ignore-not-found",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        json(&out)["agents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["ok"] == true),
        "{out}"
    );
    assert_eq!(
        err.matches("does not exist: nothing to delete").count(),
        2,
        "{err}"
    );

    // A file with one invalid rule changes nothing on any agent.
    let bad = base.path().join("bad.yaml");
    std::fs::write(&bad, text.replacen("threshold: 95.5", "threshold: .nan", 1)).unwrap();
    let (code, out, err) = hm_secrets(
        &cli,
        &[
            "--all-agents",
            "config",
            "apply",
            "-f",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("threshold"), "{err}");
    for agent in ["a", "b"] {
        let (code, out, err) = hm_run(
            &cli,
            &["--agent", agent, "health", "list-alert-rules", "-o", "json"],
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(json(&out)["rules"].as_array().unwrap().len(), 0);
    }

    // The agent without --allow-remote-exec refuses the file's command check and restart
    // command, and keeps its state; the other applies it. Partial failure: exit 4.
    let (code, out, err) = hm_secrets(&cli, &["--all-agents", "config", "apply", "-f", file]);
    assert_eq!(code, 4, "{out}{err}");
    assert!(out.contains("--allow-remote-exec"), "{out}");
    let (_, out, _) = hm_run(
        &cli,
        &["--agent", "a", "health", "list-alert-rules", "-o", "json"],
    );
    assert_eq!(
        json(&out)["rules"].as_array().unwrap().len(),
        0,
        "one transaction: nothing half-applied"
    );
    let (code, exported, err) = hm_run(&cli, &["--agent", "b", "config", "export"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(exported, text, "over the network, byte for byte");
    let (code, _, err) = hm_secrets(&cli, &["--agent", "b", "config", "apply", "-f", file]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("nothing to do"), "{err}");
    let (code, _, err) = hm_run(&cli, &["--all-agents", "config", "export"]);
    assert_eq!(code, 2, "export reads one agent: {err}");

    // Body limits: a file larger than the agent takes in one request is refused by it.
    let mut big = String::from("version: 1\nrules:\n");
    for i in 0..6000 {
        big.push_str(&format!(
            "- name: r{i}\n  metric: hivemind_node_cpu_usage\n  comparison: gt\n  threshold: 90.0\n  duration: 5m\n  severity: warning\n  description: a rule to make the request body larger than one mebibyte\n"
        ));
    }
    let big_file = base.path().join("big.yaml");
    std::fs::write(&big_file, big).unwrap();
    let (code, _, err) = hm_run(
        &cli,
        &[
            "--agent",
            "a",
            "config",
            "apply",
            "-f",
            big_file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("request body over 1048576 bytes"), "{err}");
    let (_, out, _) = hm_run(
        &cli,
        &["--agent", "a", "health", "list-alert-rules", "-o", "json"],
    );
    assert_eq!(json(&out)["rules"].as_array().unwrap().len(), 0);
}

#[test]
fn deletes_can_ignore_what_is_not_there() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, flag) in [
        ("delete-alert-rule", "--name"),
        ("delete-alert-channel", "--name"),
        ("delete-check", "--name"),
    ] {
        let (code, _, err) = hm_run(dir.path(), &["health", kind, flag, "missing"]);
        assert_eq!(code, 2, "{kind}: {err}");
        let (code, out, err) = hm_run(
            dir.path(),
            &["health", kind, flag, "missing", "--ignore-not-found"],
        );
        assert_eq!(code, 0, "{kind}: {err}");
        assert!(
            err.contains("does not exist: nothing to delete"),
            "{kind}: {err}"
        );
        assert!(out.is_empty(), "{out}");
    }
    let (code, _, err) = hm_run(dir.path(), super::SEED_RULE);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "health",
            "delete-alert-rule",
            "--name",
            "high_cpu_usage",
            "--ignore-not-found",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("deleted"), "{out}");
}

/// A Prometheus on a free port with `config`; stopped on drop.
struct Prometheus {
    child: std::process::Child,
    addr: SocketAddr,
}

impl Prometheus {
    fn start(binary: &Path, dir: &Path, config: &str) -> Prometheus {
        let port = free_port();
        let file = dir.join("prometheus.yml");
        std::fs::write(&file, config).unwrap();
        let child = std::process::Command::new(binary)
            .arg(format!("--config.file={}", file.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Prometheus {
            child,
            addr: format!("127.0.0.1:{port}").parse().unwrap(),
        }
    }

    fn get(&self, path: &str) -> serde_json::Value {
        let (code, body) = http(self.addr, "GET", path, None, b"");
        if code != 200 {
            return serde_json::Value::Null;
        }
        serde_json::from_str(&dechunk(&body)).unwrap_or(serde_json::Value::Null)
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn inventory_from_prometheus_and_back() {
    let Some(binary) = peer("prometheus") else {
        return;
    };
    let base = tempfile::tempdir().unwrap();
    let daemons: Vec<Daemon> = (0..3)
        .map(|i| Daemon::start(&base.path().join(format!("agent{i}")), &[]))
        .collect();
    let dead = free_port();
    // Prometheus discovers the agents from a file_sd file, the API port in a label.
    let mut groups: Vec<serde_json::Value> = daemons
        .iter()
        .map(|d| {
            serde_json::json!({
                "targets": [format!("127.0.0.1:{}", d.metrics_port)],
                "labels": {"hivemind_api_port": d.api.port().to_string()},
            })
        })
        .collect();
    groups.push(serde_json::json!({
        "targets": [format!("127.0.0.1:{dead}")],
        "labels": {"hivemind_api_port": free_port().to_string()},
    }));
    let sd = base.path().join("agents.json");
    std::fs::write(&sd, serde_json::to_string(&groups).unwrap()).unwrap();
    let exported = base.path().join("exported.json");
    std::fs::write(&exported, "[]").unwrap();
    let prom = Prometheus::start(
        &binary,
        base.path(),
        &format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: hivemind\n    file_sd_configs:\n      - files: ['{}']\n  - job_name: exported\n    file_sd_configs:\n      - files: ['{}']\n",
            sd.display(),
            exported.display()
        ),
    );
    let targets = super::poll(
        Duration::from_secs(30),
        Duration::from_millis(300),
        || prom.get("/api/v1/targets?state=active"),
        |t| {
            t["data"]["activeTargets"]
                .as_array()
                .is_some_and(|a| a.len() == 4 && a.iter().all(|t| t["health"] != "unknown"))
        },
    );
    assert_eq!(
        targets["data"]["activeTargets"].as_array().map(Vec::len),
        Some(4),
        "{targets}"
    );

    let cli = base.path().join("cli");
    std::fs::create_dir(&cli).unwrap();
    let tokens = base.path().join("tokens");
    std::fs::create_dir(&tokens).unwrap();
    let names: Vec<String> = daemons
        .iter()
        .map(|d| format!("127.0.0.1-{}", d.metrics_port))
        .collect();
    for (d, name) in daemons.iter().zip(&names) {
        std::fs::write(tokens.join(format!("{name}.token")), &d.token).unwrap();
    }
    let prom_url = prom.url();
    let import = |extra: &[&str]| {
        let mut args = vec![
            "agent",
            "import",
            "--prometheus",
            &prom_url,
            "--job",
            "hivemind",
            "--api-url-template",
            "http://{host}:{label:hivemind_api_port}",
            "--token-dir",
            tokens.to_str().unwrap(),
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        hm_run(&cli, &args)
    };
    let (code, out, err) = import(&["--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !cli.join("agents.toml").exists(),
        "a dry run writes nothing"
    );
    let rows = json(&out)["agents"].as_array().unwrap().clone();
    assert_eq!(
        rows.iter().filter(|r| r["change"] == "created").count(),
        3,
        "{out}"
    );

    let (code, out, err) = import(&[]);
    assert_eq!(code, 0, "{err}");
    let rows = json(&out)["agents"].as_array().unwrap().clone();
    let dead_row = rows
        .iter()
        .find(|r| r["metrics_address"] == format!("127.0.0.1:{dead}"))
        .unwrap();
    assert_eq!(dead_row["change"], "skipped", "{out}");
    assert!(
        dead_row["detail"].as_str().unwrap().contains("down"),
        "{out}"
    );
    assert!(err.contains("added 3 of 4"), "{err}");
    let (code, out, err) = import(&[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        json(&out)["agents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["change"] == "unchanged")
            .count()
            == 3,
        "idempotent: {out}"
    );
    // The imported agents answer, with their own tokens.
    let (code, out, err) = hm_run(&cli, &["agent", "ping", "-o", "json"]);
    assert_eq!(code, 0, "{out}{err}");

    // The inventory goes back to Prometheus as a file_sd file it scrapes.
    let (code, out, err) = hm_run(&cli, &["agent", "export", "--format", "file-sd"]);
    assert_eq!(code, 0, "{err}");
    let file = json(&out);
    let mut listed: Vec<String> = file
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["targets"][0].as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut live: Vec<String> = daemons
        .iter()
        .map(|d| format!("127.0.0.1:{}", d.metrics_port))
        .collect();
    live.sort();
    assert_eq!(listed, live, "round trip: the live targets");
    let tmp = base.path().join("exported.json.tmp");
    std::fs::File::create(&tmp)
        .unwrap()
        .write_all(out.as_bytes())
        .unwrap();
    std::fs::rename(&tmp, &exported).unwrap();
    let up = super::poll(
        Duration::from_secs(40),
        Duration::from_millis(500),
        || prom.get("/api/v1/query?query=up%7Bjob%3D%22exported%22%7D"),
        |v| {
            v["data"]["result"]
                .as_array()
                .is_some_and(|r| r.len() == 3 && r.iter().all(|s| s["value"][1] == "1"))
        },
    );
    let result = up["data"]["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(result.len(), 3, "{up}");
    assert!(result.iter().all(|s| s["value"][1] == "1"), "{up}");
    assert!(
        result.iter().all(|s| s["metric"]["hivemind_agent"]
            .as_str()
            .is_some_and(|n| names.iter().any(|x| x == n))),
        "{up}"
    );

    // Bad input: duplicate names, a missing API port, an unreachable Prometheus.
    let (code, _, err) = hm_run(
        &cli,
        &[
            "agent",
            "import",
            "--prometheus",
            &prom.url(),
            "--api-port",
            "9470",
            "--name-label",
            "job",
            "--dry-run",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("would both be named") && err.contains("--name-label"),
        "{err}"
    );
    let (code, _, err) = hm_run(&cli, &["agent", "import", "--prometheus", &prom.url()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--api-port") || err.contains("api_port"),
        "{err}"
    );
    let (code, _, err) = hm_run(
        &cli,
        &[
            "agent",
            "import",
            "--prometheus",
            &format!("http://127.0.0.1:{}", free_port()),
            "--api-port",
            "9470",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Prometheus at"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let (code, _, err) = hm_run(
        &cli,
        &[
            "agent",
            "import",
            "--prometheus",
            &prom.url(),
            "--job",
            "nosuchjob",
            "--api-port",
            "9470",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no active targets of job 'nosuchjob'"),
        "{err}"
    );
}

#[test]
fn an_incident_bundle_holds_every_agent_and_no_secret() {
    let base = tempfile::tempdir().unwrap();
    let (file, text) = full_fixture(base.path());
    // The fixture's metrics port is fixed; other tests apply it at the same time.
    let port = super::agent::free_port().to_string();
    std::fs::write(&file, text.replace("port: 19469", &format!("port: {port}"))).unwrap();
    let cli = base.path().join("cli");
    let flags = ["--allow-remote-exec", "--allow-private-destinations"];
    let a = Daemon::start(&base.path().join("a"), &flags);
    let b = Daemon::start(&base.path().join("b"), &flags);
    inventory(&cli, &[&a, &b]);
    // The fixture's configuration (channels, tracing and logging with secrets) on a; it
    // sets a metrics port, which two agents on one machine cannot share.
    let (code, out, err) = hm_secrets(
        &cli,
        &[
            "--agent",
            "a",
            "config",
            "apply",
            "-f",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    // An agent in the inventory that nobody answers for.
    let gone = super::agent::free_port();
    let (code, _, err) = run(hm(&cli)
        .args([
            "agent",
            "add",
            "gone",
            "--url",
            &format!("http://127.0.0.1:{gone}"),
            "--token-stdin",
        ])
        .write_stdin("gone-agent-token-5e1"));
    assert_eq!(code, 0, "{err}");

    let archive = base.path().join("incident.tar.gz");
    let (code, out, err) = hm_run(
        &cli,
        &[
            "--all-agents",
            "--agent-timeout",
            "5s",
            "-o",
            "json",
            "bundle",
            "--since",
            "10m",
            "--profile-duration",
            "1s",
            "--max-size",
            "4",
            "--output",
            archive.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 4, "one agent unreachable: {out}{err}");
    let report = json(&out);
    let size = std::fs::metadata(&archive).unwrap().len();
    assert!(size <= 4 * 1024 * 1024, "{size}");
    assert_eq!(report["size_bytes"], size);

    // The archive as tar reads it.
    let unpacked = base.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let status = std::process::Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(status.success());
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(unpacked.join("index.json")).unwrap()).unwrap();
    let agents = index["agents"].as_array().unwrap();
    let names: Vec<&str> = agents
        .iter()
        .map(|a| a["agent"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "gone"], "{index}");
    assert_eq!(agents[2]["ok"], false);
    assert!(!agents[2]["error"].as_str().unwrap().is_empty(), "{index}");
    assert!(unpacked.join("README.txt").exists());
    for agent in ["a", "b"] {
        for f in [
            "info.json",
            "config.yaml",
            "health.json",
            "checks.json",
            "alerts.json",
            "metrics.json",
            "connections.json",
            "logs.json",
            "agent-cpu.prof",
        ] {
            assert!(
                unpacked.join(agent).join(f).exists(),
                "{agent}/{f} in {index}"
            );
        }
    }
    let config = std::fs::read_to_string(unpacked.join("a/config.yaml")).unwrap();
    assert!(
        config.contains("<secret>") && config.contains("webhook"),
        "{config}"
    );
    {}
    // No secret value anywhere: the channels' and the agents' tokens.
    let mut secrets: Vec<String> = SECRETS.iter().map(|(_, v)| v.to_string()).collect();
    secrets.extend([
        a.token.clone(),
        b.token.clone(),
        "gone-agent-token-5e1".into(),
    ]);
    let raw = std::fs::read(&archive).unwrap();
    let mut all = Vec::new();
    flate2_free_gunzip(&raw, &mut all);
    for s in &secrets {
        assert!(
            !all.windows(s.len()).any(|w| w == s.as_bytes()),
            "secret {s} in the bundle"
        );
    }
    if let Some(top) = super::profile::pprof_top(&unpacked.join("a/agent-cpu.prof"), &[]) {
        assert!(top.contains("Type: cpu"), "{top}");
    }

    // Too small a cap leaves files out and says so; the archive stays under it.
    let small = base.path().join("small.tar.gz");
    let (code, out, err) = hm_run(
        &cli,
        &[
            "--agent",
            "a",
            "-o",
            "json",
            "bundle",
            "--no-profiles",
            "--max-size",
            "1",
            "--output",
            small.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(std::fs::metadata(&small).unwrap().len() <= 1024 * 1024);
    // An existing file is not replaced without --force.
    let (code, _, err) = hm_run(
        &cli,
        &[
            "--agent",
            "a",
            "bundle",
            "--output",
            small.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force"), "{err}");
}

/// The tar stream inside a gzip file, with `gzip -dc` (the real tool).
fn flate2_free_gunzip(gz: &[u8], out: &mut Vec<u8>) {
    let mut child = std::process::Command::new("gzip")
        .arg("-dc")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = gz.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out.extend_from_slice(&output.stdout);
}
