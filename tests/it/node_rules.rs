//! End to end with a real Prometheus and Alertmanager beside the agent: PromQL rules over the
//! agent's own metrics fire (or stay silent) on the node exactly as in Prometheus scraping
//! the same agent with the exported rules; the seed's `node_down` rule, entered verbatim,
//! never fires while the node is up and reaches Alertmanager's webhook receiver for that node
//! once its agent stops.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use super::agent::{Daemon, dechunk, http, peer};
use super::alerting::{Burner, receiver, start_alertmanager, start_prometheus};
use super::{hm_run, json};

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = hm_run(dir, args);
    assert_eq!(code, 0, "hivemind {args:?}: {err}");
    out
}

/// The rules over the agent's own metrics: `fire_*` must fire, `silent_*` must not.
const RULES: &[(&str, &str)] = &[
    (
        "fire_cpu_seconds_rate",
        "rate(hivemind_node_cpu_seconds_total[1m]) >= 0",
    ),
    (
        "silent_cpu_seconds_rate",
        "rate(hivemind_node_cpu_seconds_total[1m]) < 0",
    ),
    (
        "fire_memory_ratio",
        "hivemind_node_memory_used_bytes / hivemind_node_memory_total_bytes > 0",
    ),
    (
        "silent_memory_ratio",
        "hivemind_node_memory_used_bytes / on(node) hivemind_node_memory_total_bytes > 1",
    ),
    ("silent_absent_status", "absent(hivemind_node_status)"),
    (
        "fire_absent_other_node",
        "absent(hivemind_node_status{node=\"no-such-node\"})",
    ),
    (
        "fire_containers_burning",
        "sum by (node) (rate(hivemind_container_cpu_seconds_total[1m])) > 0",
    ),
    (
        "fire_container_count",
        "count without (name, id, runtime) (hivemind_container_memory_usage_bytes) >= 1",
    ),
    (
        "silent_container_memory",
        "max by (node) (hivemind_container_memory_usage_bytes) > 1e15",
    ),
    (
        "fire_network_rate",
        "sum without (interface) (irate(hivemind_node_network_receive_bytes_total[1m])) >= 0",
    ),
    ("fire_build_info_bool", "hivemind_build_info == bool 1"),
    ("fire_topk_load", "topk(1, hivemind_node_load1) >= 0"),
    (
        "silent_collector_errors",
        "increase(hivemind_collector_errors_total[1m]) > 1e9",
    ),
    (
        "silent_cpu_over_100",
        "clamp_max(hivemind_node_cpu_usage, 100) > 100 unless hivemind_node_cpu_usage < 0",
    ),
];

/// Labels that only Prometheus adds (the target's) or uses for its own bookkeeping.
const PROMETHEUS_ONLY: [&str; 4] = ["__name__", "alertstate", "instance", "job"];

type AlertSet = BTreeSet<BTreeMap<String, String>>;

fn agent_firing(dir: &Path) -> AlertSet {
    let v = json(&ok(dir, &["health", "alerts", "-o", "json"]));
    v["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["state"] == "firing")
        .map(|a| serde_json::from_value(a["labels"].clone()).unwrap())
        .collect()
}

fn prometheus_query(prom: SocketAddr, query: &str) -> Option<Vec<serde_json::Value>> {
    let q: String = query
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let (code, body) = http(prom, "GET", &format!("/api/v1/query?query={q}"), None, b"");
    if code != 200 {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&dechunk(&body)).ok()?;
    v["data"]["result"].as_array().cloned()
}

fn prometheus_firing(prom: SocketAddr) -> Option<AlertSet> {
    let result = prometheus_query(prom, "ALERTS{alertstate=\"firing\"}")?;
    Some(
        result
            .iter()
            .map(|r| {
                let mut l: BTreeMap<String, String> =
                    serde_json::from_value(r["metric"].clone()).unwrap();
                l.retain(|k, _| !PROMETHEUS_ONLY.contains(&k.as_str()));
                l
            })
            .collect(),
    )
}

#[test]
fn node_rules_agree_with_prometheus_and_node_down_reaches_alertmanager() {
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
    let mut d = Daemon::start(&data, &[]);

    // The seed's rule, exactly as the seed writes it.
    ok(
        &data,
        &[
            "health",
            "create-alert-rule",
            "--name",
            "node_down",
            "--metric",
            "hivemind_node_status",
            "--threshold",
            "0",
            "--duration",
            "1m",
            "--severity",
            "critical",
        ],
    );
    for (name, expr) in RULES {
        ok(
            &data,
            &[
                "health",
                "create-alert-rule",
                "--name",
                name,
                "--expr",
                expr,
                "--duration",
                "0s",
                "--severity",
                "info",
                "--strict",
            ],
        );
    }
    let listed = json(&ok(&data, &["health", "list-alert-rules", "-o", "json"]));
    for r in listed["rules"].as_array().unwrap() {
        let want = if r["name"] == "node_down" {
            "prometheus"
        } else {
            "node"
        };
        assert_eq!(r["evaluated_by"], want, "{r}");
    }
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

    // Alertmanager with a webhook receiver (channels from another data directory: the agent
    // itself does not deliver here).
    let channels = tmp.path().join("channels");
    let webhook = receiver(200);
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

    // Both sides settle on the same firing alerts (rates need two samples on each side).
    let expected_names: BTreeSet<String> = RULES
        .iter()
        .filter(|(n, _)| n.starts_with("fire_"))
        .map(|(n, _)| n.to_string())
        .collect();
    let names =
        |s: &AlertSet| -> BTreeSet<String> { s.iter().map(|l| l["alertname"].clone()).collect() };
    let deadline = Instant::now() + Duration::from_secs(60);
    let (ours, theirs) = loop {
        let ours = agent_firing(&data);
        let theirs = prometheus_firing(prom).unwrap_or_default();
        if (ours == theirs && names(&ours) == expected_names) || Instant::now() > deadline {
            break (ours, theirs);
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(names(&ours), expected_names, "the agent's firing alerts");
    assert_eq!(ours, theirs, "the agent and Prometheus disagree");
    let other = ours
        .iter()
        .find(|l| l["alertname"] == "fire_absent_other_node")
        .unwrap();
    assert_eq!(other["node"], "no-such-node");

    // node_down: while the agent runs it is neither pending nor firing anywhere.
    let node = prometheus_query(prom, "hivemind_node_status")
        .and_then(|r| r.first().cloned())
        .map(|r| r["metric"]["node"].as_str().unwrap().to_string())
        .expect("Prometheus scraped hivemind_node_status");
    let watch_until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < watch_until {
        assert_eq!(
            prometheus_query(prom, "ALERTS{alertname=\"node_down\"}").map(|r| r.len()),
            Some(0),
            "node_down is active while the node is up"
        );
        assert!(
            !json(&ok(
                &data,
                &[
                    "health",
                    "alerts",
                    "--state",
                    "pending,firing,resolved",
                    "-o",
                    "json"
                ]
            ))["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["rule"] == "node_down")
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(
        !webhook
            .requests()
            .iter()
            .any(|r| r.json()["alerts"].to_string().contains("node_down")),
        "node_down was delivered while the node was up"
    );

    // The agent stops: Prometheus sees its target down and, after `for: 1m`, Alertmanager
    // delivers node_down for that node.
    let (code, err) = d.stop();
    assert_eq!(code, 0, "{err}");
    let got = webhook.wait(Duration::from_secs(120), |reqs| {
        reqs.iter().any(|r| {
            r.json()["alerts"]
                .as_array()
                .is_some_and(|a| a.iter().any(|a| a["labels"]["alertname"] == "node_down"))
        })
    });
    let alert = got
        .iter()
        .flat_map(|r| r.json()["alerts"].as_array().cloned().unwrap_or_default())
        .find(|a| a["labels"]["alertname"] == "node_down")
        .unwrap_or_else(|| panic!("no node_down at the webhook receiver: {got:?}"));
    assert_eq!(alert["status"], "firing");
    assert_eq!(alert["labels"]["node"], node.as_str(), "{alert}");
    assert_eq!(alert["labels"]["severity"], "critical");
    assert_eq!(
        alert["annotations"]["summary"],
        format!(
            "node {node} is down: Prometheus cannot scrape its agent at 127.0.0.1:{}",
            d.metrics_port
        )
        .as_str()
    );
}
