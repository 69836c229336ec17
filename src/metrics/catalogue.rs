//! Every metric family the agent can ever expose (a static list, not a live scrape: container
//! families are absent on a host without containers, check families until a check exists), with
//! its type and help. Rule checks use it: a metric outside it gets a warning naming the nearest
//! names, and a rule on it is evaluated by Prometheus only.

use super::{Kind, SEED_ALIASES};

/// One family in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub name: &'static str,
    pub kind: Kind,
    pub help: &'static str,
}

/// Sorted by name.
pub const FAMILIES: &[Entry] = &[
    Entry {
        name: "hivemind_alerts",
        kind: Kind::Gauge,
        help: "Alerts of this agent's rules by state (pending, firing) and severity.",
    },
    Entry {
        name: "hivemind_autoheal_restarts_total",
        kind: Kind::Counter,
        help: "Auto-healing restarts by outcome (success, failure, gave_up).",
    },
    Entry {
        name: "hivemind_build_info",
        kind: Kind::Gauge,
        help: "Always 1; the version label is this agent's version.",
    },
    Entry {
        name: "hivemind_collection_duration_seconds",
        kind: Kind::Gauge,
        help: "How long the last collection of these metrics took.",
    },
    Entry {
        name: "hivemind_collector_errors_total",
        kind: Kind::Counter,
        help: "Failures to read a metric source (missing file, permission, parse error); the other sources still report.",
    },
    Entry {
        name: "hivemind_container_cpu_seconds_total",
        kind: Kind::Counter,
        help: "CPU time used, in seconds.",
    },
    Entry {
        name: "hivemind_container_cpu_usage",
        kind: Kind::Gauge,
        help: "CPU used since the previous collection, percent of one CPU (can exceed 100, like docker stats).",
    },
    Entry {
        name: "hivemind_container_disk_read_bytes_total",
        kind: Kind::Counter,
        help: "Bytes read from block devices.",
    },
    Entry {
        name: "hivemind_container_disk_write_bytes_total",
        kind: Kind::Counter,
        help: "Bytes written to block devices.",
    },
    Entry {
        name: "hivemind_container_memory_usage",
        kind: Kind::Gauge,
        help: "Memory working set, percent of the memory limit, or of node memory when unlimited (0-100).",
    },
    Entry {
        name: "hivemind_container_memory_usage_bytes",
        kind: Kind::Gauge,
        help: "Memory working set (usage minus inactive file cache, as docker stats shows; resident set for processes), in bytes.",
    },
    Entry {
        name: "hivemind_container_network_receive_bytes_total",
        kind: Kind::Counter,
        help: "Bytes received per interface of the container's own network namespace (loopback excluded).",
    },
    Entry {
        name: "hivemind_container_network_transmit_bytes_total",
        kind: Kind::Counter,
        help: "Bytes transmitted per interface of the container's own network namespace (loopback excluded).",
    },
    Entry {
        name: "hivemind_containers",
        kind: Kind::Gauge,
        help: "Containers found in the cgroup tree (processes where no container runtime exists), including any over max_containers.",
    },
    Entry {
        name: "hivemind_containers_by_status",
        kind: Kind::Gauge,
        help: "Containers by status: running (has processes), paused (frozen), stopped (no processes).",
    },
    Entry {
        name: "hivemind_containers_dropped_total",
        kind: Kind::Counter,
        help: "Container series left out because more containers than max_containers were found, summed over collections.",
    },
    Entry {
        name: "hivemind_health_check_failures_total",
        kind: Kind::Counter,
        help: "Failed check runs.",
    },
    Entry {
        name: "hivemind_health_check_latency_seconds",
        kind: Kind::Histogram,
        help: "x",
    },
    Entry {
        name: "hivemind_health_check_status",
        kind: Kind::Gauge,
        help: "Check status: 1 healthy, 0 unhealthy (absent while unknown).",
    },
    Entry {
        name: "hivemind_health_check_success_rate",
        kind: Kind::Gauge,
        help: "Share of the last 100 runs that succeeded, 0 to 1.",
    },
    Entry {
        name: "hivemind_log_records_buffered",
        kind: Kind::Gauge,
        help: "Log records waiting to be shipped to Elasticsearch.",
    },
    Entry {
        name: "hivemind_log_records_dropped_total",
        kind: Kind::Counter,
        help: "Log records not shipped to Elasticsearch, by reason (buffer_full, rejected).",
    },
    Entry {
        name: "hivemind_log_records_shipped_total",
        kind: Kind::Counter,
        help: "Log records indexed by Elasticsearch.",
    },
    Entry {
        name: "hivemind_log_ship_failures_total",
        kind: Kind::Counter,
        help: "Failed _bulk requests (connection errors, HTTP errors); their records are retried.",
    },
    Entry {
        name: "hivemind_node_cpu_seconds_total",
        kind: Kind::Counter,
        help: "CPU time spent busy (not idle or waiting for I/O), summed over CPUs, in seconds.",
    },
    Entry {
        name: "hivemind_node_cpu_usage",
        kind: Kind::Gauge,
        help: "CPU busy, percent of all CPUs (0-100), since the previous collection (since boot on the first).",
    },
    Entry {
        name: "hivemind_node_disk_size_bytes",
        kind: Kind::Gauge,
        help: "File system size, in bytes.",
    },
    Entry {
        name: "hivemind_node_disk_usage",
        kind: Kind::Gauge,
        help: "File system space used (size minus available), percent of size (0-100).",
    },
    Entry {
        name: "hivemind_node_disk_used_bytes",
        kind: Kind::Gauge,
        help: "File system space used (size minus available to unprivileged users), in bytes.",
    },
    Entry {
        name: "hivemind_node_load1",
        kind: Kind::Gauge,
        help: "Load average over 1 minute.",
    },
    Entry {
        name: "hivemind_node_load15",
        kind: Kind::Gauge,
        help: "Load average over 15 minutes.",
    },
    Entry {
        name: "hivemind_node_load5",
        kind: Kind::Gauge,
        help: "Load average over 5 minutes.",
    },
    Entry {
        name: "hivemind_node_memory_total_bytes",
        kind: Kind::Gauge,
        help: "Physical memory, in bytes.",
    },
    Entry {
        name: "hivemind_node_memory_usage",
        kind: Kind::Gauge,
        help: "Memory in use (total minus available), percent of total (0-100).",
    },
    Entry {
        name: "hivemind_node_memory_used_bytes",
        kind: Kind::Gauge,
        help: "Memory in use (total minus available), in bytes.",
    },
    Entry {
        name: "hivemind_node_network_receive_bytes_total",
        kind: Kind::Counter,
        help: "Bytes received per network interface (loopback included).",
    },
    Entry {
        name: "hivemind_node_network_transmit_bytes_total",
        kind: Kind::Counter,
        help: "Bytes transmitted per network interface (loopback included).",
    },
    Entry {
        name: "hivemind_node_status",
        kind: Kind::Gauge,
        help: "1 while the node's agent is up and collecting; a missing or stale series means down.",
    },
    Entry {
        name: "hivemind_nodes",
        kind: Kind::Gauge,
        help: "Nodes this agent reports on: itself (seed name hivemind_node_count).",
    },
    Entry {
        name: "hivemind_notifications_dropped_total",
        kind: Kind::Counter,
        help: "Notifications dropped unsent per alert channel because its queue was full.",
    },
    Entry {
        name: "hivemind_notifications_failed_total",
        kind: Kind::Counter,
        help: "Notifications given up on per alert channel: an error that is not retried, or the retry budget spent.",
    },
    Entry {
        name: "hivemind_notifications_total",
        kind: Kind::Counter,
        help: "Notifications handed to each alert channel for delivery (once each, however many attempts).",
    },
    Entry {
        name: "hivemind_rule_evaluation_seconds",
        kind: Kind::Gauge,
        help: "How long the last evaluation of every alert rule on the node took, history update included.",
    },
    Entry {
        name: "hivemind_rule_history_bytes",
        kind: Kind::Gauge,
        help: "Bytes the alert rules' in-memory history holds (samples and label sets, estimated).",
    },
    Entry {
        name: "hivemind_rule_history_samples",
        kind: Kind::Gauge,
        help: "Samples kept in the alert rules' in-memory history (staleness markers included).",
    },
    Entry {
        name: "hivemind_rule_history_series",
        kind: Kind::Gauge,
        help: "Series kept in the alert rules' in-memory history.",
    },
    Entry {
        name: "hivemind_scrape_duration_seconds",
        kind: Kind::Gauge,
        help: "How long the previous scrape of the metrics endpoint took.",
    },
    Entry {
        name: "hivemind_scrapes_total",
        kind: Kind::Counter,
        help: "Scrapes of the metrics endpoint served.",
    },
    Entry {
        name: "hivemind_trace_export_failures_total",
        kind: Kind::Counter,
        help: "Failed OTLP export requests; their spans are retried unless refused for good.",
    },
    Entry {
        name: "hivemind_trace_spans_dropped_total",
        kind: Kind::Counter,
        help: "Spans not exported: queue full, or refused by the collector.",
    },
    Entry {
        name: "hivemind_trace_spans_exported_total",
        kind: Kind::Counter,
        help: "Spans accepted by the OTLP collector.",
    },
    Entry {
        name: "hivemind_trace_spans_queued",
        kind: Kind::Gauge,
        help: "Spans waiting to be exported.",
    },
];

/// The catalogue entry of an exposed name (seed names such as `hivemind_node_count` are not
/// exposed: see [`suggest`]).
pub fn get(name: &str) -> Option<&'static Entry> {
    FAMILIES
        .binary_search_by(|e| e.name.cmp(name))
        .ok()
        .map(|i| &FAMILIES[i])
}

/// Whether the agent can expose series of this name. Histogram families expose
/// `_bucket`, `_sum` and `_count` series.
pub fn exposes(series_name: &str) -> bool {
    if get(series_name).is_some() {
        return true;
    }
    ["_bucket", "_sum", "_count"].iter().any(|suffix| {
        series_name
            .strip_suffix(suffix)
            .and_then(get)
            .is_some_and(|e| e.kind == Kind::Histogram)
    })
}

/// The exposed names nearest to `name` (at most three, nearest first): the exposed name of a
/// seed name first, then names within a small edit distance.
pub fn suggest(name: &str) -> Vec<&'static str> {
    if let Some((_, ours)) = SEED_ALIASES.iter().find(|(seed, _)| *seed == name) {
        return vec![ours];
    }
    let limit = (name.len() / 3).max(2);
    let mut scored: Vec<(usize, &'static str)> = FAMILIES
        .iter()
        .map(|e| (distance(name, e.name), e.name))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    // Names much further than the nearest one are noise.
    let best = scored.first().map_or(0, |(d, _)| *d);
    scored
        .into_iter()
        .filter(|(d, _)| *d <= best + 2)
        .take(3)
        .map(|(_, n)| n)
        .collect()
}

/// Levenshtein distance over bytes (metric names are ASCII); inputs are bounded by the
/// metric-name limit, so the quadratic cost is small.
fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_unique() {
        assert!(FAMILIES.windows(2).all(|w| w[0].name < w[1].name));
    }

    #[test]
    fn every_family_of_a_live_collection_is_in_the_catalogue() {
        let mut c = crate::metrics::Collector::new(crate::metrics::CollectorConfig::default());
        let snap = c.collect();
        assert!(!snap.families.is_empty());
        for f in &snap.families {
            let e = get(&f.name).unwrap_or_else(|| panic!("{} is not in the catalogue", f.name));
            assert_eq!(e.kind, f.kind, "{}", f.name);
            assert_eq!(e.help, f.help, "{}", f.name);
        }
        for f in crate::metrics::scrape_families(&crate::metrics::SelfStats::default()) {
            assert!(get(&f.name).is_some(), "{} is not in the catalogue", f.name);
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("hivemind_nodes_cpu_usage")[0],
            "hivemind_node_cpu_usage"
        );
        assert_eq!(suggest("hivemind_node_count"), ["hivemind_nodes"]);
        assert!(suggest("consensus_round_duration_seconds").is_empty());
        assert!(exposes("hivemind_health_check_latency_seconds_bucket"));
        assert!(!exposes("hivemind_node_cpu_usage_bucket"));
    }
}
