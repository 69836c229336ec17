//! A fleet across hosts with their own addresses: four agents, each in its own Docker
//! container with a fixed `--ip` on a `--subnet` bridge network, listening with TLS (test
//! certificates with IP SANs), driven by the CLI on this host. A stopped container and a
//! partitioned one (`docker network disconnect`) each give their row an error and exit 4
//! within the deadline; both come back.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::containers::{RootFs, docker, docker_available, unique};
use super::{hm, hm_run, poll, run};

/// A Docker network made for the test, removed on drop (after its containers).
struct Network(String);

impl Drop for Network {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["network", "rm", &self.0])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Containers removed on drop.
struct Agents(Vec<String>);

impl Drop for Agents {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = Command::new("docker")
                .args(["rm", "-f", name])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// A bridge network on a free /24 of 172.29.0.0/16, and that prefix (`172.29.N`).
fn network() -> (Network, String) {
    let name = unique("hivemind-fleet");
    let seed = std::process::id() as usize;
    for i in 0..32 {
        let prefix = format!("172.29.{}", (seed + i * 7) % 250 + 1);
        let ok = Command::new("docker")
            .args(["network", "create", "--driver", "bridge", "--subnet"])
            .arg(format!("{prefix}.0/24"))
            .arg(&name)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return (Network(name), prefix);
        }
    }
    panic!("no free /24 for a Docker network in 172.29.0.0/16");
}

/// `hivemind --all-agents health status -o json` with a 2 s deadline: exit code, the JSON,
/// and how long it took.
fn status(cli: &Path) -> (i32, serde_json::Value, Duration) {
    let started = Instant::now();
    let (code, out, err) = hm_run(
        cli,
        &[
            "--all-agents",
            "--agent-timeout",
            "2s",
            "health",
            "status",
            "-o",
            "json",
        ],
    );
    let took = started.elapsed();
    let v = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{code}: {out}{err}"));
    (code, v, took)
}

fn row<'a>(report: &'a serde_json::Value, agent: &str) -> &'a serde_json::Value {
    report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["agent"] == agent)
        .unwrap()
}

#[test]
fn a_fleet_of_containers_with_tls_survives_a_stop_and_a_partition() {
    if !docker_available() {
        return;
    }
    let base = tempfile::tempdir().unwrap();
    let fs = RootFs::empty();
    fs.add_with_libraries(Path::new(env!("CARGO_BIN_EXE_hivemind")), "/bin/hivemind");
    // An image has the system's CA certificates (the agent's notification client needs them).
    fs.add(
        Path::new("/etc/ssl/certs/ca-certificates.crt"),
        "/etc/ssl/certs/ca-certificates.crt",
    );
    let image = fs.import();
    let (net, prefix) = network();
    let mut agents = Agents(Vec::new());
    let cli = base.path().join("cli");
    std::fs::create_dir(&cli).unwrap();
    let names = ["node1", "node2", "node3", "node4"];
    let mut ips = Vec::new();
    for (i, node) in names.iter().enumerate() {
        let ip = format!("{prefix}.{}", 10 + i);
        let data = base.path().join(node);
        std::fs::create_dir(&data).unwrap();
        // A certificate for the container's address, which the CLI trusts for this agent.
        let cert = rcgen::generate_simple_self_signed(vec![ip.clone()]).unwrap();
        std::fs::write(data.join("cert.pem"), cert.cert.pem()).unwrap();
        std::fs::write(data.join("key.pem"), cert.signing_key.serialize_pem()).unwrap();
        let container = unique(node);
        agents.0.push(container.clone());
        docker(&[
            "run",
            "-d",
            "--name",
            &container,
            "--network",
            &net.0,
            "--ip",
            &ip,
            "-v",
            &format!("{}:/data", data.display()),
            "-e",
            "HIVEMIND_DATA_DIR=/data",
            "-e",
            "HIVEMIND_SECRET_BACKEND=file",
            "-e",
            "HOME=/data",
            &image.0,
            "/bin/hivemind",
            "daemon",
            "--listen",
            "0.0.0.0:9470",
            "--tls-cert",
            "/data/cert.pem",
            "--tls-key",
            "/data/key.pem",
        ]);
        ips.push(ip);
    }
    for (i, node) in names.iter().enumerate() {
        let data = base.path().join(node);
        let token = poll(
            Duration::from_secs(30),
            Duration::from_millis(100),
            || std::fs::read_to_string(data.join("agent.token")).unwrap_or_default(),
            |t| !t.trim().is_empty(),
        );
        assert!(
            !token.trim().is_empty(),
            "{node} wrote no token: {}",
            docker(&["logs", &agents.0[i]])
        );
        let (code, _, err) = run(hm(&cli)
            .args([
                "agent",
                "add",
                node,
                "--url",
                &format!("https://{}:9470", ips[i]),
                "--ca-cert",
                data.join("cert.pem").to_str().unwrap(),
                "--token-stdin",
            ])
            .write_stdin(token.trim().to_string()));
        assert_eq!(code, 0, "{err}");
    }
    let all_ok = |v: &(i32, serde_json::Value, Duration)| {
        v.1["agents"]
            .as_array()
            .is_some_and(|a| a.len() == 4 && a.iter().all(|r| r["ok"] == true))
    };
    let (code, report, _) = poll(
        Duration::from_secs(30),
        Duration::from_millis(300),
        || status(&cli),
        all_ok,
    );
    assert!(all_ok(&(code, report.clone(), Duration::ZERO)), "{report}");
    assert!(
        code == 0 || code == 1,
        "healthy or not, every agent answered: {code}"
    );

    // A stopped agent: its row fails, exit 4, within the deadline.
    docker(&["stop", "-t", "2", &agents.0[1]]);
    let (code, report, took) = status(&cli);
    assert_eq!(code, 4, "{report}");
    assert_eq!(row(&report, "node2")["ok"], false, "{report}");
    assert!(
        row(&report, "node2")["error"].as_str().is_some(),
        "{report}"
    );
    assert_eq!(row(&report, "node1")["ok"], true, "{report}");
    assert!(took < Duration::from_secs(5), "{took:?}");

    // A partition: packets to node3 go nowhere (no refusal), so only the deadline ends it.
    docker(&["network", "disconnect", &net.0, &agents.0[2]]);
    let (code, report, took) = status(&cli);
    assert_eq!(code, 4, "{report}");
    assert_eq!(row(&report, "node3")["ok"], false, "{report}");
    assert_eq!(row(&report, "node4")["ok"], true, "{report}");
    assert!(
        took < Duration::from_secs(5),
        "the 2 s deadline bounds a partition: {took:?}"
    );

    // Both come back.
    docker(&["start", &agents.0[1]]);
    docker(&["network", "connect", "--ip", &ips[2], &net.0, &agents.0[2]]);
    let (code, report, _) = poll(
        Duration::from_secs(30),
        Duration::from_millis(300),
        || status(&cli),
        all_ok,
    );
    assert!(all_ok(&(code, report.clone(), Duration::ZERO)), "{report}");
    drop(agents);
}
