//! The five Grafana dashboards of the seed (Overview, Node, Container, Network, Health),
//! built on the metric names the agent really exposes (README "Metric names"). Each has a
//! Prometheus data-source variable, so importing never stops at a `${DS_…}` placeholder.
//! The same JSON is committed under `dashboards/` for file provisioning (a test keeps it
//! current) and served at `/api/dashboards`.

pub mod grafana;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A dashboard: its stable uid (the import key) and its Grafana JSON.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub uid: &'static str,
    pub title: &'static str,
    /// File name under `dashboards/` and `--output-dir`.
    pub file: &'static str,
    pub json: Value,
}

/// `/api/dashboards` entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DashboardInfo {
    pub uid: String,
    pub title: String,
    pub file: String,
    pub panels: usize,
}

/// `/api/dashboards` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DashboardList {
    pub dashboards: Vec<DashboardInfo>,
}

/// How a panel draws.
#[derive(Clone, Copy)]
enum Viz {
    Series,
    Stat,
    Gauge,
    Table,
}

struct Panel {
    title: &'static str,
    viz: Viz,
    unit: &'static str,
    /// (PromQL, legend).
    targets: Vec<(&'static str, &'static str)>,
    description: &'static str,
}

fn panel(
    title: &'static str,
    viz: Viz,
    unit: &'static str,
    targets: &[(&'static str, &'static str)],
    description: &'static str,
) -> Panel {
    Panel {
        title,
        viz,
        unit,
        targets: targets.to_vec(),
        description,
    }
}

const DATASOURCE: &str = "${datasource}";

fn datasource() -> Value {
    json!({ "type": "prometheus", "uid": DATASOURCE })
}

/// A query variable over a label.
fn label_variable(name: &str, label: &str, query: &str) -> Value {
    json!({
        "name": name,
        "label": label,
        "type": "query",
        "datasource": datasource(),
        "definition": query,
        "query": { "query": query, "refId": format!("{name}-values") },
        "refresh": 2,
        "includeAll": true,
        "multi": true,
        "allValue": ".*",
        "current": { "selected": true, "text": ["All"], "value": ["$__all"] },
        "sort": 1,
    })
}

fn build(
    uid: &'static str,
    title: &'static str,
    file: &'static str,
    description: &str,
    variables: Vec<Value>,
    panels: Vec<Panel>,
) -> Dashboard {
    let mut list = vec![json!({
        "name": "datasource",
        "label": "Prometheus",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "hide": 0,
        "refresh": 1,
    })];
    list.extend(variables);
    // Stats and gauges go four to a row; graphs and tables two to a row.
    let (mut x, mut y, mut row_height) = (0u32, 0u32, 0u32);
    let panels: Vec<Value> = panels
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let (w, h) = match p.viz {
                Viz::Stat | Viz::Gauge => (6, 4),
                Viz::Series | Viz::Table => (12, 8),
            };
            if x + w > 24 {
                x = 0;
                y += row_height;
                row_height = 0;
            }
            let pos = json!({ "x": x, "y": y, "w": w, "h": h });
            x += w;
            row_height = row_height.max(h);
            let targets: Vec<Value> = p
                .targets
                .iter()
                .enumerate()
                .map(|(j, (expr, legend))| {
                    let mut t = json!({
                        "refId": ((b'A' + j as u8) as char).to_string(),
                        "datasource": datasource(),
                        "expr": expr,
                        "legendFormat": legend,
                        "range": true,
                    });
                    if matches!(p.viz, Viz::Table) {
                        t["instant"] = json!(true);
                        t["range"] = json!(false);
                        t["format"] = json!("table");
                    }
                    t
                })
                .collect();
            let kind = match p.viz {
                Viz::Series => "timeseries",
                Viz::Stat => "stat",
                Viz::Gauge => "gauge",
                Viz::Table => "table",
            };
            let mut defaults = json!({ "unit": p.unit });
            if matches!(p.viz, Viz::Gauge) {
                defaults["min"] = json!(0);
                defaults["max"] = json!(100);
                defaults["thresholds"] = json!({
                    "mode": "absolute",
                    "steps": [
                        { "color": "green", "value": null },
                        { "color": "orange", "value": 80 },
                        { "color": "red", "value": 90 }
                    ]
                });
            }
            json!({
                "id": i + 1,
                "type": kind,
                "title": p.title,
                "description": p.description,
                "datasource": datasource(),
                "gridPos": pos,
                "targets": targets,
                "fieldConfig": { "defaults": defaults, "overrides": [] },
                "options": {},
            })
        })
        .collect();
    let json = json!({
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["hivemind"],
        "timezone": "browser",
        "editable": true,
        "graphTooltip": 1,
        "refresh": "30s",
        "schemaVersion": 39,
        "version": 1,
        "time": { "from": "now-1h", "to": "now" },
        "templating": { "list": list },
        "annotations": { "list": [] },
        "links": [{
            "title": "Hivemind",
            "type": "dashboards",
            "tags": ["hivemind"],
            "asDropdown": true,
        }],
        "panels": panels,
    });
    Dashboard {
        uid,
        title,
        file,
        json,
    }
}

fn node_variable() -> Value {
    label_variable("node", "Node", "label_values(hivemind_nodes, node)")
}

/// Every dashboard, in the seed's order.
pub fn all() -> Vec<Dashboard> {
    use Viz::*;
    vec![
        build(
            "hivemind-overview",
            "Hivemind Overview",
            "hivemind-overview.json",
            "The fleet at a glance: nodes, containers, checks and the agents themselves.",
            vec![node_variable()],
            vec![
                panel(
                    "Nodes up",
                    Stat,
                    "none",
                    &[("sum(hivemind_node_status{node=~\"$node\"})", "up")],
                    "Agents reporting their node as up.",
                ),
                panel(
                    "Containers running",
                    Stat,
                    "none",
                    &[(
                        "sum(hivemind_containers_by_status{node=~\"$node\",status=\"running\"})",
                        "running",
                    )],
                    "Running containers (or stand-in processes) over the selected nodes.",
                ),
                panel(
                    "Checks healthy",
                    Stat,
                    "none",
                    &[
                        ("sum(hivemind_health_check_status)", "healthy"),
                        ("count(hivemind_health_check_status)", "with a status"),
                    ],
                    "Health checks passing, out of those with a known status.",
                ),
                panel(
                    "Busiest node CPU",
                    Gauge,
                    "percent",
                    &[("max(hivemind_node_cpu_usage{node=~\"$node\"})", "cpu")],
                    "The highest CPU use among the selected nodes.",
                ),
                panel(
                    "CPU by node",
                    Series,
                    "percent",
                    &[("hivemind_node_cpu_usage{node=~\"$node\"}", "{{node}}")],
                    "Share of all CPUs in use.",
                ),
                panel(
                    "Memory by node",
                    Series,
                    "percent",
                    &[("hivemind_node_memory_usage{node=~\"$node\"}", "{{node}}")],
                    "Share of memory in use (total minus available).",
                ),
                panel(
                    "Fullest disk by node",
                    Series,
                    "percent",
                    &[(
                        "max by (node) (hivemind_node_disk_usage{node=~\"$node\"})",
                        "{{node}}",
                    )],
                    "The fullest file system of each node.",
                ),
                panel(
                    "Agent collection time",
                    Series,
                    "s",
                    &[
                        ("hivemind_collection_duration_seconds", "{{instance}}"),
                        (
                            "rate(hivemind_collector_errors_total[$__rate_interval])",
                            "errors/s {{collector}}",
                        ),
                    ],
                    "How long each agent's metric collection takes, and read errors per source.",
                ),
                panel(
                    "Agent telemetry pipelines",
                    Series,
                    "ops",
                    &[
                        (
                            "rate(hivemind_trace_spans_exported_total[$__rate_interval])",
                            "spans exported {{instance}}",
                        ),
                        (
                            "rate(hivemind_log_records_shipped_total[$__rate_interval])",
                            "logs shipped {{instance}}",
                        ),
                        (
                            "sum by (instance) (rate(hivemind_log_records_dropped_total[$__rate_interval])) + sum by (instance) (rate(hivemind_trace_spans_dropped_total[$__rate_interval]))",
                            "dropped {{instance}}",
                        ),
                    ],
                    "Spans exported and log records shipped per second, and what was dropped.",
                ),
                panel(
                    "Agent versions",
                    Table,
                    "none",
                    &[("hivemind_build_info", "")],
                    "The hivemind version of every agent.",
                ),
            ],
        ),
        build(
            "hivemind-node",
            "Hivemind Node",
            "hivemind-node.json",
            "One node in detail: CPU, load, memory, disks and network.",
            vec![node_variable()],
            vec![
                panel(
                    "CPU",
                    Gauge,
                    "percent",
                    &[("avg(hivemind_node_cpu_usage{node=~\"$node\"})", "cpu")],
                    "Share of all CPUs in use.",
                ),
                panel(
                    "Memory",
                    Gauge,
                    "percent",
                    &[("avg(hivemind_node_memory_usage{node=~\"$node\"})", "memory")],
                    "Share of memory in use.",
                ),
                panel(
                    "Fullest disk",
                    Gauge,
                    "percent",
                    &[("max(hivemind_node_disk_usage{node=~\"$node\"})", "disk")],
                    "The fullest file system.",
                ),
                panel(
                    "Containers",
                    Stat,
                    "none",
                    &[("sum(hivemind_containers{node=~\"$node\"})", "containers")],
                    "Containers found on the node.",
                ),
                panel(
                    "CPU usage",
                    Series,
                    "percent",
                    &[
                        ("hivemind_node_cpu_usage{node=~\"$node\"}", "{{node}}"),
                        (
                            "rate(hivemind_node_cpu_seconds_total{node=~\"$node\"}[$__rate_interval])",
                            "busy CPUs {{node}}",
                        ),
                    ],
                    "CPU in use, as a share and as busy CPUs.",
                ),
                panel(
                    "Load average",
                    Series,
                    "short",
                    &[
                        ("hivemind_node_load1{node=~\"$node\"}", "1m {{node}}"),
                        ("hivemind_node_load5{node=~\"$node\"}", "5m {{node}}"),
                        ("hivemind_node_load15{node=~\"$node\"}", "15m {{node}}"),
                    ],
                    "Run-queue load averages.",
                ),
                panel(
                    "Memory used",
                    Series,
                    "bytes",
                    &[
                        (
                            "hivemind_node_memory_used_bytes{node=~\"$node\"}",
                            "used {{node}}",
                        ),
                        (
                            "hivemind_node_memory_total_bytes{node=~\"$node\"}",
                            "total {{node}}",
                        ),
                    ],
                    "Memory in use (total minus available) and the total.",
                ),
                panel(
                    "Disk usage",
                    Series,
                    "percent",
                    &[(
                        "hivemind_node_disk_usage{node=~\"$node\"}",
                        "{{mountpoint}} {{node}}",
                    )],
                    "Each file system's use.",
                ),
                panel(
                    "Disk space",
                    Table,
                    "bytes",
                    &[
                        ("hivemind_node_disk_used_bytes{node=~\"$node\"}", "used"),
                        ("hivemind_node_disk_size_bytes{node=~\"$node\"}", "size"),
                    ],
                    "Used and total bytes per file system.",
                ),
                panel(
                    "Network traffic",
                    Series,
                    "Bps",
                    &[
                        (
                            "rate(hivemind_node_network_receive_bytes_total{node=~\"$node\"}[$__rate_interval])",
                            "rx {{interface}} {{node}}",
                        ),
                        (
                            "rate(hivemind_node_network_transmit_bytes_total{node=~\"$node\"}[$__rate_interval])",
                            "tx {{interface}} {{node}}",
                        ),
                    ],
                    "Bytes per second by interface.",
                ),
            ],
        ),
        build(
            "hivemind-container",
            "Hivemind Container",
            "hivemind-container.json",
            "Containers (or, on hosts without a container runtime, the busiest processes).",
            vec![
                node_variable(),
                label_variable(
                    "container",
                    "Container",
                    "label_values(hivemind_container_cpu_usage{node=~\"$node\"}, container)",
                ),
            ],
            vec![
                panel(
                    "Containers",
                    Stat,
                    "none",
                    &[("sum(hivemind_containers{node=~\"$node\"})", "containers")],
                    "Containers found.",
                ),
                panel(
                    "By status",
                    Stat,
                    "none",
                    &[(
                        "sum by (status) (hivemind_containers_by_status{node=~\"$node\"})",
                        "{{status}}",
                    )],
                    "Running, paused and stopped containers.",
                ),
                panel(
                    "CPU by container",
                    Series,
                    "percent",
                    &[(
                        "topk(10, hivemind_container_cpu_usage{node=~\"$node\",container=~\"$container\"})",
                        "{{name}} {{container}}",
                    )],
                    "Percent of one CPU (over 100 when a container uses several).",
                ),
                panel(
                    "Memory by container",
                    Series,
                    "bytes",
                    &[(
                        "topk(10, hivemind_container_memory_usage_bytes{node=~\"$node\",container=~\"$container\"})",
                        "{{name}} {{container}}",
                    )],
                    "Working set: usage minus inactive file cache.",
                ),
                panel(
                    "Memory of limit",
                    Series,
                    "percent",
                    &[(
                        "topk(10, hivemind_container_memory_usage{node=~\"$node\",container=~\"$container\"})",
                        "{{name}} {{container}}",
                    )],
                    "Share of the memory limit (of node memory when unlimited).",
                ),
                panel(
                    "Disk I/O",
                    Series,
                    "Bps",
                    &[
                        (
                            "topk(10, rate(hivemind_container_disk_read_bytes_total{node=~\"$node\",container=~\"$container\"}[$__rate_interval]))",
                            "read {{name}}",
                        ),
                        (
                            "topk(10, rate(hivemind_container_disk_write_bytes_total{node=~\"$node\",container=~\"$container\"}[$__rate_interval]))",
                            "write {{name}}",
                        ),
                    ],
                    "Bytes read and written per second.",
                ),
                panel(
                    "Network",
                    Series,
                    "Bps",
                    &[
                        (
                            "sum by (container, name) (rate(hivemind_container_network_receive_bytes_total{node=~\"$node\",container=~\"$container\"}[$__rate_interval]))",
                            "rx {{name}}",
                        ),
                        (
                            "sum by (container, name) (rate(hivemind_container_network_transmit_bytes_total{node=~\"$node\",container=~\"$container\"}[$__rate_interval]))",
                            "tx {{name}}",
                        ),
                    ],
                    "Traffic of containers with their own network namespace.",
                ),
                panel(
                    "CPU time",
                    Table,
                    "s",
                    &[(
                        "topk(20, hivemind_container_cpu_seconds_total{node=~\"$node\",container=~\"$container\"})",
                        "",
                    )],
                    "CPU seconds used since each container started.",
                ),
            ],
        ),
        build(
            "hivemind-network",
            "Hivemind Network",
            "hivemind-network.json",
            "Traffic by node interface and by container.",
            vec![node_variable()],
            vec![
                panel(
                    "Node receive",
                    Stat,
                    "Bps",
                    &[(
                        "sum(rate(hivemind_node_network_receive_bytes_total{node=~\"$node\"}[$__rate_interval]))",
                        "rx",
                    )],
                    "Bytes received per second over the selected nodes.",
                ),
                panel(
                    "Node transmit",
                    Stat,
                    "Bps",
                    &[(
                        "sum(rate(hivemind_node_network_transmit_bytes_total{node=~\"$node\"}[$__rate_interval]))",
                        "tx",
                    )],
                    "Bytes sent per second over the selected nodes.",
                ),
                panel(
                    "Container receive",
                    Stat,
                    "Bps",
                    &[(
                        "sum(rate(hivemind_container_network_receive_bytes_total{node=~\"$node\"}[$__rate_interval]))",
                        "rx",
                    )],
                    "Bytes received per second by containers.",
                ),
                panel(
                    "Container transmit",
                    Stat,
                    "Bps",
                    &[(
                        "sum(rate(hivemind_container_network_transmit_bytes_total{node=~\"$node\"}[$__rate_interval]))",
                        "tx",
                    )],
                    "Bytes sent per second by containers.",
                ),
                panel(
                    "Receive by interface",
                    Series,
                    "Bps",
                    &[(
                        "rate(hivemind_node_network_receive_bytes_total{node=~\"$node\"}[$__rate_interval])",
                        "{{interface}} {{node}}",
                    )],
                    "Bytes received per second by node interface.",
                ),
                panel(
                    "Transmit by interface",
                    Series,
                    "Bps",
                    &[(
                        "rate(hivemind_node_network_transmit_bytes_total{node=~\"$node\"}[$__rate_interval])",
                        "{{interface}} {{node}}",
                    )],
                    "Bytes sent per second by node interface.",
                ),
                panel(
                    "Receive by container",
                    Series,
                    "Bps",
                    &[(
                        "topk(10, sum by (container, name, interface) (rate(hivemind_container_network_receive_bytes_total{node=~\"$node\"}[$__rate_interval])))",
                        "{{name}} {{interface}}",
                    )],
                    "Containers with their own network namespace.",
                ),
                panel(
                    "Transmit by container",
                    Series,
                    "Bps",
                    &[(
                        "topk(10, sum by (container, name, interface) (rate(hivemind_container_network_transmit_bytes_total{node=~\"$node\"}[$__rate_interval])))",
                        "{{name}} {{interface}}",
                    )],
                    "Containers with their own network namespace.",
                ),
            ],
        ),
        build(
            "hivemind-health",
            "Hivemind Health",
            "hivemind-health.json",
            "Health checks and auto-healing.",
            vec![label_variable(
                "check",
                "Check",
                "label_values(hivemind_health_check_latency_seconds_count, check)",
            )],
            vec![
                panel(
                    "Healthy",
                    Stat,
                    "none",
                    &[(
                        "sum(hivemind_health_check_status{check=~\"$check\"})",
                        "healthy",
                    )],
                    "Checks that pass.",
                ),
                panel(
                    "Unhealthy",
                    Stat,
                    "none",
                    &[(
                        "count(hivemind_health_check_status{check=~\"$check\"}) - sum(hivemind_health_check_status{check=~\"$check\"})",
                        "unhealthy",
                    )],
                    "Checks that fail (past their failure threshold).",
                ),
                panel(
                    "Success rate",
                    Gauge,
                    "percentunit",
                    &[(
                        "min(hivemind_health_check_success_rate{check=~\"$check\"})",
                        "worst",
                    )],
                    "The lowest success rate over the last 100 runs of any check.",
                ),
                panel(
                    "Restarts (1h)",
                    Stat,
                    "none",
                    &[(
                        "sum(increase(hivemind_autoheal_restarts_total{check=~\"$check\"}[1h]))",
                        "restarts",
                    )],
                    "Auto-healing restarts over the last hour.",
                ),
                panel(
                    "Status by check",
                    Series,
                    "none",
                    &[(
                        "hivemind_health_check_status{check=~\"$check\"}",
                        "{{check}}",
                    )],
                    "1 healthy, 0 unhealthy.",
                ),
                panel(
                    "Success rate by check",
                    Series,
                    "percentunit",
                    &[(
                        "hivemind_health_check_success_rate{check=~\"$check\"}",
                        "{{check}}",
                    )],
                    "Share of the last 100 runs that passed.",
                ),
                panel(
                    "Latency",
                    Series,
                    "s",
                    &[
                        (
                            "histogram_quantile(0.5, sum by (check, le) (rate(hivemind_health_check_latency_seconds_bucket{check=~\"$check\"}[$__rate_interval])))",
                            "p50 {{check}}",
                        ),
                        (
                            "histogram_quantile(0.95, sum by (check, le) (rate(hivemind_health_check_latency_seconds_bucket{check=~\"$check\"}[$__rate_interval])))",
                            "p95 {{check}}",
                        ),
                    ],
                    "Check run latency percentiles.",
                ),
                panel(
                    "Failures",
                    Series,
                    "ops",
                    &[(
                        "rate(hivemind_health_check_failures_total{check=~\"$check\"}[$__rate_interval])",
                        "{{check}}",
                    )],
                    "Failed runs per second.",
                ),
                panel(
                    "Auto-healing restarts",
                    Series,
                    "none",
                    &[(
                        "sum by (check, result) (increase(hivemind_autoheal_restarts_total{check=~\"$check\"}[$__rate_interval]))",
                        "{{check}} {{result}}",
                    )],
                    "Restarts by outcome: success, failure, gave_up.",
                ),
            ],
        ),
    ]
}

/// The dashboards' summaries.
pub fn list() -> DashboardList {
    DashboardList {
        dashboards: all()
            .into_iter()
            .map(|d| DashboardInfo {
                uid: d.uid.into(),
                title: d.title.into(),
                file: d.file.into(),
                panels: d.json["panels"].as_array().map_or(0, Vec::len),
            })
            .collect(),
    }
}

/// One dashboard by uid (or file name without `.json`).
pub fn find(id: &str) -> Option<Dashboard> {
    all()
        .into_iter()
        .find(|d| d.uid == id || d.file.trim_end_matches(".json") == id)
}

/// Every PromQL expression of a dashboard (panels and variables), for tests and linting.
pub fn expressions(d: &Dashboard) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(panels) = d.json["panels"].as_array() {
        for p in panels {
            if let Some(targets) = p["targets"].as_array() {
                out.extend(
                    targets
                        .iter()
                        .filter_map(|t| t["expr"].as_str().map(str::to_string)),
                );
            }
        }
    }
    out
}

/// The dashboard as pretty JSON with a trailing newline (the committed file form).
pub fn to_file(d: &Dashboard) -> String {
    let mut s = serde_json::to_string_pretty(&d.json).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_dashboards_with_a_datasource_variable_and_no_import_placeholders() {
        let all = all();
        assert_eq!(all.len(), 5);
        let mut uids = std::collections::HashSet::new();
        for d in &all {
            assert!(uids.insert(d.uid));
            let text = to_file(d);
            assert!(!text.contains("${DS_"), "{}", d.uid);
            assert!(!text.contains("__inputs"), "{}", d.uid);
            assert_eq!(d.json["templating"]["list"][0]["type"], "datasource");
            for p in d.json["panels"].as_array().unwrap() {
                assert_eq!(p["datasource"]["uid"], "${datasource}");
                let pos = &p["gridPos"];
                assert!(pos["x"].as_u64().unwrap() + pos["w"].as_u64().unwrap() <= 24);
            }
            assert!(!expressions(d).is_empty());
            for e in expressions(d) {
                assert!(e.contains("hivemind_"), "{e}");
            }
        }
    }
}
