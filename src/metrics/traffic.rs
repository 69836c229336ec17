//! The seed's network group, traffic between containers: `hivemind_network_*` from
//! [`crate::netflow`] (sock_diag `tcp_info` per socket, each namespace's TCP counters).

use super::{Errors, Family, Kind, label};
use crate::netflow::{Tracker, Workload};

/// Add the network families, or none at all (and a collector error) when a namespace
/// cannot be read: a partial view would blame the wrong containers.
pub(super) fn families(
    tracker: &mut Tracker,
    workloads: &[Workload],
    node: &[(String, String)],
    errors: &mut Errors,
    families: &mut Vec<Family>,
) {
    let report = match tracker.collect(workloads) {
        Ok(r) => r,
        Err(e) => {
            errors.record("network", e);
            return;
        }
    };
    let mut traffic = Family::new(
        "hivemind_network_traffic_bytes_total",
        "TCP bytes between a source (container name, or host) and a destination (a local container, the local service ip:port for inbound connections, a remote ip:port, or external), from tcp_info; direction transmit is bytes the source sent and the peer acknowledged, receive is bytes it received. A connection between two local containers counts once, at the connecting end.",
        Kind::Counter,
    );
    let mut retransmits = Family::new(
        "hivemind_network_retransmits_total",
        "TCP segments the source retransmitted on its connections to the destination (tcp_info total_retrans).",
        Kind::Counter,
    );
    let mut connections = Family::new(
        "hivemind_network_connections",
        "Established TCP connections from the source to the destination at the last collection.",
        Kind::Gauge,
    );
    let mut latency = Family::new(
        "hivemind_network_latency_seconds",
        "Smoothed round-trip time (tcp_info rtt) of each established connection from the source to the destination, observed once per collection.",
        Kind::Histogram,
    );
    for (pair, t) in report.pairs {
        let mut l = node.to_vec();
        l.push(label("source", &pair.source));
        l.push(label("destination", &pair.destination));
        for (direction, bytes) in [("receive", t.receive_bytes), ("transmit", t.transmit_bytes)] {
            let mut l = l.clone();
            l.push(label("direction", direction));
            traffic.push(l, bytes as f64);
        }
        retransmits.push(l.clone(), t.retransmits as f64);
        connections.push(l.clone(), t.connections as f64);
        let (buckets, count) = t.rtt_buckets();
        latency.push_histogram(l, &buckets, t.rtt_sum_seconds, count);
    }
    let mut errs = Family::new(
        "hivemind_network_errors_total",
        "TCP errors of the source's network namespace by kind: failed_connect (AttemptFails), reset (EstabResets), retransmit (RetransSegs) from /proc/PID/net/snmp, listen_overflow (ListenOverflows) from netstat. The host's namespace is the source host.",
        Kind::Counter,
    );
    for (source, kind, value) in &report.errors {
        let mut l = node.to_vec();
        l.push(label("source", source));
        l.push(label("kind", kind));
        errs.push(l, *value as f64);
    }
    let mut dropped = Family::new(
        "hivemind_network_pairs_dropped_total",
        "Source/destination pairs left without series because 1000 pairs already had them, counted once per collection that saw their traffic.",
        Kind::Counter,
    );
    dropped.push(node.to_vec(), report.dropped_series as f64);
    let mut lost = Family::new(
        "hivemind_network_destroy_events_lost_total",
        "Reads of socket-destroy events that found the kernel had dropped some (receive buffer full): sockets closed then are counted up to the previous collection.",
        Kind::Counter,
    );
    lost.push(node.to_vec(), report.lost_events as f64);
    families.extend([
        traffic,
        retransmits,
        connections,
        latency,
        errs,
        dropped,
        lost,
    ]);
}
