//! Containers from the cgroup tree (and Docker's state for stopped ones). Processes are
//! never containers: a host without any has no container series.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use super::netdev::NetDev;
use super::{
    Baseline, CollectorConfig, Errors, Family, Kind, MIN_RATE_WINDOW, label, percent, process,
};
use crate::containers::cgroup::{self, ContainerId, Hierarchy, Runtime, Throttling};

/// A container's state; the discriminant indexes `Inventory::statuses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Running,
    Paused,
    Stopped,
}

impl Status {
    const ALL: [Status; 3] = [Status::Running, Status::Paused, Status::Stopped];

    fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Stopped => "stopped",
        }
    }
}

/// What was read for one container (or stand-in process).
struct Reading {
    id: ContainerId,
    /// Identifies this container incarnation for rates.
    key: String,
    name: Option<String>,
    cpu_seconds: Option<f64>,
    cpu_read_at: Instant,
    memory_bytes: Option<u64>,
    memory_limit: Option<u64>,
    io: Option<(u64, u64)>,
    net: Vec<NetDev>,
    throttling: Option<Throttling>,
    oom_kills: Option<u64>,
    restarts: Option<u64>,
}

/// What one collection found: readings for the containers that get series, the number
/// found in all, and how many of those are running, paused and stopped.
pub(super) struct Inventory {
    readings: Vec<Reading>,
    total: usize,
    statuses: [usize; 3],
    /// Every running container (those over max_containers too) with its processes and
    /// its label for traffic: the name, or the short id.
    pub(super) workloads: Vec<crate::netflow::Workload>,
}

/// Containers from the cgroup tree, and Docker's stopped ones from its state.
pub(super) fn inventory(
    config: &CollectorConfig,
    names: &mut crate::containers::names::Names,
    dropped_total: &mut u64,
    errors: &mut Errors,
) -> Inventory {
    let discovered =
        Hierarchy::detect(&config.cgroup_root).and_then(|h| h.discover().map(|found| (h, found)));
    let (hierarchy, found) = match discovered {
        Ok((h, found)) => (Some(h), found),
        Err(e) => {
            errors.record("cgroup", e);
            (None, Vec::new())
        }
    };
    let Some(hierarchy) = hierarchy else {
        return docker_only(names);
    };

    let mut all = Vec::with_capacity(found.len());
    for cg in found {
        let pids = match hierarchy.pids(&cg.path) {
            Ok(p) => p,
            Err(e) if cgroup::is_gone(&e) => continue,
            Err(e) => {
                errors.record("container", e);
                Vec::new()
            }
        };
        let frozen = hierarchy.frozen(&cg.path).unwrap_or_else(|e| {
            errors.record("container", e);
            false
        });
        let status = if frozen {
            Status::Paused
        } else if pids.is_empty() {
            Status::Stopped
        } else {
            Status::Running
        };
        let cpu_seconds = hierarchy.cpu_seconds(&cg.path).unwrap_or_else(|e| {
            errors.record("container", e);
            None
        });
        all.push((cg, pids, status, cpu_seconds, Instant::now()));
    }
    // Docker removes a stopped container's cgroup: its state file still says it exists.
    let with_cgroup: HashSet<&str> = all
        .iter()
        .filter(|r| r.0.id.runtime == Runtime::Docker)
        .map(|r| r.0.id.id.as_str())
        .collect();
    let without: Vec<Status> = names
        .docker_states()
        .iter()
        .filter(|(id, _)| !with_cgroup.contains(id.as_str()))
        .map(|(_, (_, s))| docker_status(s))
        .collect();
    let total = all.len() + without.len();
    let statuses = count_statuses(all.iter().map(|r| r.2).chain(without));
    let workloads = all
        .iter()
        .filter(|r| !r.1.is_empty())
        .map(|(cg, pids, ..)| crate::netflow::Workload {
            label: names
                .get(&cg.id)
                .unwrap_or_else(|| cg.id.short().to_string()),
            pids: pids.clone(),
        })
        .collect();

    // Over the bound, keep the containers that used the most CPU: the ones worth watching,
    // and an order that changes slowly, so series do not churn between scrapes.
    all.sort_by(|a, b| {
        b.3.unwrap_or(-1.0)
            .total_cmp(&a.3.unwrap_or(-1.0))
            .then_with(|| a.0.cmp(&b.0))
    });
    if all.len() > config.max_containers {
        *dropped_total += (all.len() - config.max_containers) as u64;
        all.truncate(config.max_containers);
    }

    let mut host_net: Option<Option<String>> = None;
    let mut readings = Vec::with_capacity(all.len());
    for (cg, pids, _, cpu_seconds, cpu_read_at) in all {
        let memory = hierarchy.memory(&cg.path).unwrap_or_else(|e| {
            errors.record("container", e);
            None
        });
        let io = hierarchy.io_bytes(&cg.path).unwrap_or_else(|e| {
            errors.record("container", e);
            None
        });
        let throttling = hierarchy.throttling(&cg.path).unwrap_or_else(|e| {
            errors.record("container", e);
            None
        });
        let oom_kills = hierarchy.oom_kills(&cg.path).unwrap_or_else(|e| {
            errors.record("container", e);
            None
        });
        let net = if pids.is_empty() {
            Vec::new()
        } else {
            let host = host_net.get_or_insert_with(|| {
                process::host_netns(&config.proc_root)
                    .map_err(|e| errors.record("container_network", e))
                    .ok()
            });
            match host {
                Some(host) => container_traffic(config, &pids, host, errors),
                None => Vec::new(),
            }
        };
        let restarts = (cg.id.runtime == Runtime::Docker)
            .then(|| names.docker_restarts(&cg.id.id))
            .flatten();
        readings.push(Reading {
            key: format!("{}/{}", cg.id.runtime.as_str(), cg.id.id),
            name: names.get(&cg.id),
            id: cg.id,
            cpu_seconds,
            cpu_read_at,
            memory_bytes: memory.map(|m| m.working_set_bytes),
            memory_limit: memory.and_then(|m| m.limit_bytes),
            io,
            net,
            throttling,
            oom_kills,
            restarts,
        });
    }
    names.retain(
        &readings
            .iter()
            .map(|r| r.id.clone())
            .collect::<HashSet<_>>(),
    );
    Inventory {
        readings,
        total,
        statuses,
        workloads,
    }
}

/// The traffic of the first of `pids` that can be inspected (others may have exited).
fn container_traffic(
    config: &CollectorConfig,
    pids: &[u32],
    host: &str,
    errors: &mut Errors,
) -> Vec<NetDev> {
    for pid in pids.iter().take(3) {
        match process::private_traffic(&config.proc_root, *pid, host) {
            Ok(Some(devs)) => return devs,
            Ok(None) => {}
            Err(e) => {
                errors.record("container_network", e);
                return Vec::new();
            }
        }
    }
    Vec::new()
}

fn count_statuses(statuses: impl Iterator<Item = Status>) -> [usize; 3] {
    let mut counts = [0; 3];
    for s in statuses {
        counts[s as usize] += 1;
    }
    counts
}

fn docker_status(s: &crate::containers::names::DockerState) -> Status {
    if s.paused {
        Status::Paused
    } else if s.running {
        Status::Running
    } else {
        Status::Stopped
    }
}

/// No cgroup tree to read: only the counts Docker's state gives.
fn docker_only(names: &mut crate::containers::names::Names) -> Inventory {
    let states: Vec<Status> = names
        .docker_states()
        .values()
        .map(|(_, s)| docker_status(s))
        .collect();
    Inventory {
        readings: Vec::new(),
        total: states.len(),
        statuses: count_statuses(states.into_iter()),
        workloads: Vec::new(),
    }
}

/// The container families from one inventory; `prev` holds the CPU baselines for rates.
pub(super) fn families(
    Inventory {
        readings,
        total,
        statuses,
        ..
    }: &Inventory,
    prev: &mut HashMap<String, Baseline<f64>>,
    node_memory: Option<u64>,
    node: &[(String, String)],
    families: &mut Vec<Family>,
) {
    let mut count = Family::new(
        "hivemind_containers",
        "Containers found in the cgroup tree or Docker's state (stopped ones included), including any over max_containers; processes are never counted.",
        Kind::Gauge,
    );
    count.push(node.to_vec(), *total as f64);
    let mut by_status = Family::new(
        "hivemind_containers_by_status",
        "Containers by status: running (has processes), paused (frozen), stopped (no processes, or only in Docker's state).",
        Kind::Gauge,
    );
    for s in Status::ALL {
        let mut l = node.to_vec();
        l.push(label("status", s.as_str()));
        by_status.push(l, statuses[s as usize] as f64);
    }

    let mut cpu_usage = Family::new(
        "hivemind_container_cpu_usage",
        "CPU used since the previous collection, percent of one CPU (can exceed 100, like docker stats).",
        Kind::Gauge,
    );
    let mut cpu_seconds = Family::new(
        "hivemind_container_cpu_seconds_total",
        "CPU time used, in seconds.",
        Kind::Counter,
    );
    let mut mem_usage = Family::new(
        "hivemind_container_memory_usage",
        "Memory working set, percent of the memory limit, or of node memory when unlimited (0-100).",
        Kind::Gauge,
    );
    let mut mem_bytes = Family::new(
        "hivemind_container_memory_usage_bytes",
        "Memory working set (usage minus inactive file cache, as docker stats shows), in bytes.",
        Kind::Gauge,
    );
    let mut working_set = Family::new(
        "hivemind_container_memory_working_set_bytes",
        "Memory working set: usage minus inactive file cache (cAdvisor's container_memory_working_set_bytes), in bytes.",
        Kind::Gauge,
    );
    let mut limit = Family::new(
        "hivemind_container_memory_limit_bytes",
        "The effective memory limit (the smallest of the cgroup's and its ancestors'), in bytes; absent when unlimited.",
        Kind::Gauge,
    );
    let mut periods = Family::new(
        "hivemind_container_cpu_periods_total",
        "CFS enforcement periods that elapsed while the container had a CPU quota (cpu.stat nr_periods).",
        Kind::Counter,
    );
    let mut throttled_periods = Family::new(
        "hivemind_container_cpu_throttled_periods_total",
        "Enforcement periods in which the container used up its CPU quota and was throttled (cpu.stat nr_throttled).",
        Kind::Counter,
    );
    let mut throttled_seconds = Family::new(
        "hivemind_container_cpu_throttled_seconds_total",
        "Time the container's tasks were throttled by its CPU quota (cpu.stat throttled_time / throttled_usec), in seconds.",
        Kind::Counter,
    );
    let mut oom_kills = Family::new(
        "hivemind_container_oom_kills_total",
        "Processes of the container killed by the out-of-memory killer (memory.oom_control / memory.events oom_kill).",
        Kind::Counter,
    );
    let mut restarts = Family::new(
        "hivemind_container_restarts_total",
        "Restarts of the container by its runtime's restart policy (Docker's RestartCount).",
        Kind::Counter,
    );
    let mut rx = Family::new(
        "hivemind_container_network_receive_bytes_total",
        "Bytes received per interface of the container's own network namespace (loopback excluded).",
        Kind::Counter,
    );
    let mut tx = Family::new(
        "hivemind_container_network_transmit_bytes_total",
        "Bytes transmitted per interface of the container's own network namespace (loopback excluded).",
        Kind::Counter,
    );
    let mut disk_read = Family::new(
        "hivemind_container_disk_read_bytes_total",
        "Bytes read from block devices.",
        Kind::Counter,
    );
    let mut disk_write = Family::new(
        "hivemind_container_disk_write_bytes_total",
        "Bytes written to block devices.",
        Kind::Counter,
    );

    // Two containers whose 12-character ids collide keep their full ids.
    let mut shorts: HashMap<(Runtime, &str), usize> = HashMap::new();
    for r in readings {
        *shorts.entry((r.id.runtime, r.id.short())).or_insert(0) += 1;
    }

    let mut next = HashMap::with_capacity(readings.len());
    for r in readings {
        let container = if shorts[&(r.id.runtime, r.id.short())] > 1 {
            r.id.id.as_str()
        } else {
            r.id.short()
        };
        let mut l = node.to_vec();
        l.push(label("container", container));
        l.push(label("runtime", r.id.runtime.as_str()));
        if let Some(name) = &r.name {
            l.push(label("name", name));
        }
        if let Some(now) = r.cpu_seconds {
            cpu_seconds.push(l.clone(), now);
            let at = r.cpu_read_at;
            let (usage, baseline) = match prev.get(&r.key) {
                Some(p) if now < p.value => (None, Baseline::new(now, at, None)),
                Some(p) if at.duration_since(p.at) < MIN_RATE_WINDOW => (p.last_rate, *p),
                Some(p) => {
                    let wall = at.duration_since(p.at).as_secs_f64();
                    let usage = percent(now - p.value, wall);
                    (Some(usage), Baseline::new(now, at, Some(usage)))
                }
                None => (None, Baseline::new(now, at, None)),
            };
            if let Some(usage) = usage {
                cpu_usage.push(l.clone(), usage);
            }
            next.insert(r.key.clone(), baseline);
        }
        if let Some(t) = r.throttling {
            periods.push(l.clone(), t.periods as f64);
            throttled_periods.push(l.clone(), t.throttled_periods as f64);
            throttled_seconds.push(l.clone(), t.throttled_seconds);
        }
        if let Some(n) = r.oom_kills {
            oom_kills.push(l.clone(), n as f64);
        }
        if let Some(n) = r.restarts {
            restarts.push(l.clone(), n as f64);
        }
        if let Some(bytes) = r.memory_limit {
            limit.push(l.clone(), bytes as f64);
        }
        if let Some(bytes) = r.memory_bytes {
            mem_bytes.push(l.clone(), bytes as f64);
            working_set.push(l.clone(), bytes as f64);
            let whole = match (r.memory_limit, node_memory) {
                (Some(limit), Some(node)) => Some(limit.min(node)),
                (limit, node) => limit.or(node),
            };
            if let Some(whole) = whole {
                mem_usage.push(l.clone(), percent(bytes as f64, whole as f64));
            }
        }
        if let Some((read, write)) = r.io {
            disk_read.push(l.clone(), read as f64);
            disk_write.push(l.clone(), write as f64);
        }
        for dev in &r.net {
            let mut l = l.clone();
            l.push(label("interface", &dev.interface));
            rx.push(l.clone(), dev.receive_bytes() as f64);
            tx.push(l, dev.transmit_bytes() as f64);
        }
    }
    *prev = next;
    families.extend([
        count,
        by_status,
        cpu_usage,
        cpu_seconds,
        mem_usage,
        mem_bytes,
        working_set,
        limit,
        periods,
        throttled_periods,
        throttled_seconds,
        oom_kills,
        restarts,
        rx,
        tx,
        disk_read,
        disk_write,
    ]);
}
