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
        name: "hivemind_container_cpu_periods_total",
        kind: Kind::Counter,
        help: "CFS enforcement periods that elapsed while the container had a CPU quota (cpu.stat nr_periods).",
    },
    Entry {
        name: "hivemind_container_cpu_seconds_total",
        kind: Kind::Counter,
        help: "CPU time used, in seconds.",
    },
    Entry {
        name: "hivemind_container_cpu_throttled_periods_total",
        kind: Kind::Counter,
        help: "Enforcement periods in which the container used up its CPU quota and was throttled (cpu.stat nr_throttled).",
    },
    Entry {
        name: "hivemind_container_cpu_throttled_seconds_total",
        kind: Kind::Counter,
        help: "Time the container's tasks were throttled by its CPU quota (cpu.stat throttled_time / throttled_usec), in seconds.",
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
        name: "hivemind_container_memory_limit_bytes",
        kind: Kind::Gauge,
        help: "The effective memory limit (the smallest of the cgroup's and its ancestors'), in bytes; absent when unlimited.",
    },
    Entry {
        name: "hivemind_container_memory_usage",
        kind: Kind::Gauge,
        help: "Memory working set, percent of the memory limit, or of node memory when unlimited (0-100).",
    },
    Entry {
        name: "hivemind_container_memory_usage_bytes",
        kind: Kind::Gauge,
        help: "Memory working set (usage minus inactive file cache, as docker stats shows), in bytes.",
    },
    Entry {
        name: "hivemind_container_memory_working_set_bytes",
        kind: Kind::Gauge,
        help: "Memory working set: usage minus inactive file cache (cAdvisor's container_memory_working_set_bytes), in bytes.",
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
        name: "hivemind_container_oom_kills_total",
        kind: Kind::Counter,
        help: "Processes of the container killed by the out-of-memory killer (memory.oom_control / memory.events oom_kill).",
    },
    Entry {
        name: "hivemind_container_restarts_total",
        kind: Kind::Counter,
        help: "Restarts of the container by its runtime's restart policy (Docker's RestartCount).",
    },
    Entry {
        name: "hivemind_containers",
        kind: Kind::Gauge,
        help: "Containers found in the cgroup tree or Docker's state (stopped ones included), including any over max_containers; processes are never counted.",
    },
    Entry {
        name: "hivemind_containers_by_status",
        kind: Kind::Gauge,
        help: "Containers by status: running (has processes), paused (frozen), stopped (no processes, or only in Docker's state).",
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
        name: "hivemind_network_connections",
        kind: Kind::Gauge,
        help: "Established TCP connections from the source to the destination at the last collection.",
    },
    Entry {
        name: "hivemind_network_destroy_events_lost_total",
        kind: Kind::Counter,
        help: "Reads of socket-destroy events that found the kernel had dropped some (receive buffer full): sockets closed then are counted up to the previous collection.",
    },
    Entry {
        name: "hivemind_network_errors_total",
        kind: Kind::Counter,
        help: "TCP errors of the source's network namespace by kind: failed_connect (AttemptFails), reset (EstabResets), retransmit (RetransSegs) from /proc/PID/net/snmp, listen_overflow (ListenOverflows) from netstat. The host's namespace is the source host.",
    },
    Entry {
        name: "hivemind_network_latency_seconds",
        kind: Kind::Histogram,
        help: "Smoothed round-trip time (tcp_info rtt) of each established connection from the source to the destination, observed once per collection.",
    },
    Entry {
        name: "hivemind_network_pairs_dropped_total",
        kind: Kind::Counter,
        help: "Source/destination pairs left without series because 1000 pairs already had them, counted once per collection that saw their traffic.",
    },
    Entry {
        name: "hivemind_network_retransmits_total",
        kind: Kind::Counter,
        help: "TCP segments the source retransmitted on its connections to the destination (tcp_info total_retrans).",
    },
    Entry {
        name: "hivemind_network_traffic_bytes_total",
        kind: Kind::Counter,
        help: "TCP bytes between a source (container name, or host) and a destination (a local container, the local service ip:port for inbound connections, a remote ip:port, or external), from tcp_info; direction transmit is bytes the source sent and the peer acknowledged, receive is bytes it received. A connection between two local containers counts once, at the connecting end.",
    },
    Entry {
        name: "hivemind_node_boot_time_seconds",
        kind: Kind::Gauge,
        help: "When the node booted, in seconds since the epoch.",
    },
    Entry {
        name: "hivemind_node_context_switches_total",
        kind: Kind::Counter,
        help: "Context switches since boot.",
    },
    Entry {
        name: "hivemind_node_cpu_guest_seconds_total",
        kind: Kind::Counter,
        help: "CPU time spent running virtual machines (mode user or nice; already inside those modes), in seconds.",
    },
    Entry {
        name: "hivemind_node_cpu_mode_seconds_total",
        kind: Kind::Counter,
        help: "CPU time by mode (user, nice, system, idle, iowait, irq, softirq, steal), summed over CPUs (per CPU with a cpu label when per_cpu is on), in seconds.",
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
        name: "hivemind_node_cpus",
        kind: Kind::Gauge,
        help: "CPUs the kernel reports time for.",
    },
    Entry {
        name: "hivemind_node_disk_io_now",
        kind: Kind::Gauge,
        help: "Requests in flight. Per block device (partitions, loop and RAM disks left out).",
    },
    Entry {
        name: "hivemind_node_disk_io_time_seconds_total",
        kind: Kind::Counter,
        help: "Time the device had I/O in flight (its busy time), in seconds. Per block device (partitions, loop and RAM disks left out).",
    },
    Entry {
        name: "hivemind_node_disk_io_time_weighted_seconds_total",
        kind: Kind::Counter,
        help: "I/O time weighted by the requests in flight (the basis of average queue size), in seconds. Per block device (partitions, loop and RAM disks left out).",
    },
    Entry {
        name: "hivemind_node_disk_read_bytes_total",
        kind: Kind::Counter,
        help: "Bytes read. Per block device (partitions, loop and RAM disks left out).",
    },
    Entry {
        name: "hivemind_node_disk_read_time_seconds_total",
        kind: Kind::Counter,
        help: "Time spent on reads, summed over requests, in seconds. Per block device (partitions, loop and RAM disks left out).",
    },
    Entry {
        name: "hivemind_node_disk_reads_completed_total",
        kind: Kind::Counter,
        help: "Reads completed. Per block device (partitions, loop and RAM disks left out).",
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
        name: "hivemind_node_disk_write_time_seconds_total",
        kind: Kind::Counter,
        help: "Time spent on writes, summed over requests, in seconds. Per block device (partitions, loop and RAM disks left out).",
    },
    Entry {
        name: "hivemind_node_disk_writes_completed_total",
        kind: Kind::Counter,
        help: "Writes completed. Per block device (partitions, loop and RAM disks left out).",
    },
    Entry {
        name: "hivemind_node_disk_written_bytes_total",
        kind: Kind::Counter,
        help: "Bytes written. Per block device (partitions, loop and RAM disks left out).",
    },
    Entry {
        name: "hivemind_node_filesystem_avail_bytes",
        kind: Kind::Gauge,
        help: "File system space available to unprivileged users, in bytes. Mounts pass the mount point and type filters.",
    },
    Entry {
        name: "hivemind_node_filesystem_device_error",
        kind: Kind::Gauge,
        help: "1 when the file system's statistics could not be read (or the call hangs). Mounts pass the mount point and type filters.",
    },
    Entry {
        name: "hivemind_node_filesystem_files",
        kind: Kind::Gauge,
        help: "File system inodes. Mounts pass the mount point and type filters.",
    },
    Entry {
        name: "hivemind_node_filesystem_files_free",
        kind: Kind::Gauge,
        help: "File system inodes free. Mounts pass the mount point and type filters.",
    },
    Entry {
        name: "hivemind_node_filesystem_free_bytes",
        kind: Kind::Gauge,
        help: "File system space free, in bytes (root's reserve included). Mounts pass the mount point and type filters.",
    },
    Entry {
        name: "hivemind_node_filesystem_readonly",
        kind: Kind::Gauge,
        help: "1 when the file system is mounted read-only. Mounts pass the mount point and type filters.",
    },
    Entry {
        name: "hivemind_node_filesystem_size_bytes",
        kind: Kind::Gauge,
        help: "File system size, in bytes. Mounts pass the mount point and type filters.",
    },
    Entry {
        name: "hivemind_node_forks_total",
        kind: Kind::Counter,
        help: "Processes and threads created since boot.",
    },
    Entry {
        name: "hivemind_node_hugepage_size_bytes",
        kind: Kind::Gauge,
        help: "The size of one huge page (Hugepagesize), in bytes.",
    },
    Entry {
        name: "hivemind_node_hugepages",
        kind: Kind::Gauge,
        help: "Huge pages by state: total, free, reserved, surplus (HugePages_*).",
    },
    Entry {
        name: "hivemind_node_interrupts_total",
        kind: Kind::Counter,
        help: "Interrupts serviced since boot.",
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
        name: "hivemind_node_major_page_faults_total",
        kind: Kind::Counter,
        help: "Page faults that needed I/O (pgmajfault).",
    },
    Entry {
        name: "hivemind_node_memory_available_bytes",
        kind: Kind::Gauge,
        help: "Memory available for new work without swapping (MemAvailable), in bytes.",
    },
    Entry {
        name: "hivemind_node_memory_buffers_bytes",
        kind: Kind::Gauge,
        help: "Memory in block device buffers (Buffers), in bytes.",
    },
    Entry {
        name: "hivemind_node_memory_cached_bytes",
        kind: Kind::Gauge,
        help: "Memory in the page cache (Cached), in bytes.",
    },
    Entry {
        name: "hivemind_node_memory_free_bytes",
        kind: Kind::Gauge,
        help: "Memory not used at all (MemFree), in bytes.",
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
        help: "Bytes received per network interface (interfaces pass the device filters; loopback is left out by default).",
    },
    Entry {
        name: "hivemind_node_network_receive_drops_total",
        kind: Kind::Counter,
        help: "Packets dropped received per network interface (interfaces pass the device filters; loopback is left out by default).",
    },
    Entry {
        name: "hivemind_node_network_receive_errors_total",
        kind: Kind::Counter,
        help: "Errors received per network interface (interfaces pass the device filters; loopback is left out by default).",
    },
    Entry {
        name: "hivemind_node_network_receive_packets_total",
        kind: Kind::Counter,
        help: "Packets received per network interface (interfaces pass the device filters; loopback is left out by default).",
    },
    Entry {
        name: "hivemind_node_network_transmit_bytes_total",
        kind: Kind::Counter,
        help: "Bytes transmitted per network interface (interfaces pass the device filters; loopback is left out by default).",
    },
    Entry {
        name: "hivemind_node_network_transmit_drops_total",
        kind: Kind::Counter,
        help: "Packets dropped transmitted per network interface (interfaces pass the device filters; loopback is left out by default).",
    },
    Entry {
        name: "hivemind_node_network_transmit_errors_total",
        kind: Kind::Counter,
        help: "Errors transmitted per network interface (interfaces pass the device filters; loopback is left out by default).",
    },
    Entry {
        name: "hivemind_node_network_transmit_packets_total",
        kind: Kind::Counter,
        help: "Packets transmitted per network interface (interfaces pass the device filters; loopback is left out by default).",
    },
    Entry {
        name: "hivemind_node_oom_kills_total",
        kind: Kind::Counter,
        help: "Processes killed by the kernel's out-of-memory killer (oom_kill).",
    },
    Entry {
        name: "hivemind_node_page_faults_total",
        kind: Kind::Counter,
        help: "Page faults (pgfault), minor and major.",
    },
    Entry {
        name: "hivemind_node_paged_bytes_total",
        kind: Kind::Counter,
        help: "Bytes paged in from and out to block devices (pgpgin, pgpgout), by direction.",
    },
    Entry {
        name: "hivemind_node_pressure_stalled_seconds_total",
        kind: Kind::Counter,
        help: "Time every non-idle task was stalled on the resource at once (PSI full), in seconds.",
    },
    Entry {
        name: "hivemind_node_pressure_waiting_seconds_total",
        kind: Kind::Counter,
        help: "Time at least one task waited for the resource (PSI some), in seconds.",
    },
    Entry {
        name: "hivemind_node_procs_blocked",
        kind: Kind::Gauge,
        help: "Threads blocked waiting for I/O.",
    },
    Entry {
        name: "hivemind_node_procs_running",
        kind: Kind::Gauge,
        help: "Threads runnable (running or waiting for a CPU).",
    },
    Entry {
        name: "hivemind_node_status",
        kind: Kind::Gauge,
        help: "1 while the node's agent is up and collecting; a missing or stale series means down.",
    },
    Entry {
        name: "hivemind_node_swap_free_bytes",
        kind: Kind::Gauge,
        help: "Swap space unused (SwapFree), in bytes.",
    },
    Entry {
        name: "hivemind_node_swap_total_bytes",
        kind: Kind::Gauge,
        help: "Swap space (SwapTotal), in bytes.",
    },
    Entry {
        name: "hivemind_node_swapped_pages_total",
        kind: Kind::Counter,
        help: "Pages swapped in and out (pswpin, pswpout), by direction.",
    },
    Entry {
        name: "hivemind_node_time_seconds",
        kind: Kind::Gauge,
        help: "The node's clock when it was read, in seconds since the epoch.",
    },
    Entry {
        name: "hivemind_node_uname_info",
        kind: Kind::Gauge,
        help: "Always 1; the labels are what uname(2) says.",
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
        name: "hivemind_process_group_cpu_seconds_total",
        kind: Kind::Counter,
        help: "CPU time of the processes with this name, accumulated while the agent watched them, in seconds.",
    },
    Entry {
        name: "hivemind_process_group_processes",
        kind: Kind::Gauge,
        help: "Processes with this name (comm) now.",
    },
    Entry {
        name: "hivemind_process_group_resident_memory_bytes",
        kind: Kind::Gauge,
        help: "Resident memory of the processes with this name, summed, in bytes.",
    },
    Entry {
        name: "hivemind_process_groups_dropped_total",
        kind: Kind::Counter,
        help: "Process names left without a group because max_process_groups groups existed, summed over collections.",
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
    Entry {
        name: "process_cpu_seconds_total",
        kind: Kind::Counter,
        help: "Total user and system CPU time spent in seconds.",
    },
    Entry {
        name: "process_max_fds",
        kind: Kind::Gauge,
        help: "Maximum number of open file descriptors.",
    },
    Entry {
        name: "process_open_fds",
        kind: Kind::Gauge,
        help: "Number of open file descriptors.",
    },
    Entry {
        name: "process_resident_memory_bytes",
        kind: Kind::Gauge,
        help: "Resident memory size in bytes.",
    },
    Entry {
        name: "process_start_time_seconds",
        kind: Kind::Gauge,
        help: "Start time of the process since unix epoch in seconds.",
    },
    Entry {
        name: "process_virtual_memory_bytes",
        kind: Kind::Gauge,
        help: "Virtual memory size in bytes.",
    },
    Entry {
        name: "process_virtual_memory_max_bytes",
        kind: Kind::Gauge,
        help: "Maximum amount of virtual memory available in bytes.",
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
