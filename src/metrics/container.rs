//! Containers from the cgroup tree, or the busiest processes standing in where there are none.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use super::node::NetDev;
use super::{
    Baseline, CollectorConfig, Errors, Family, Kind, MIN_RATE_WINDOW, label, percent, process,
};
use crate::containers::cgroup::{self, ContainerId, Hierarchy, Runtime};

/// Without container runtimes, this many of the busiest processes stand in for containers.
pub(super) const MAX_PROCESSES: usize = 20;

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
}

/// What one collection found: readings for the containers that get series, the number
/// found in all, and how many of those are running, paused and stopped.
pub(super) struct Inventory {
    readings: Vec<Reading>,
    total: usize,
    statuses: [usize; 3],
}

/// Containers from the cgroup tree, or the busiest processes where there are none.
pub(super) fn inventory(
    config: &CollectorConfig,
    names: &mut crate::containers::names::Names,
    dropped_total: &mut u64,
    errors: &mut Errors,
) -> Inventory {
    let discovered =
        Hierarchy::detect(&config.cgroup_root).and_then(|h| h.discover().map(|found| (h, found)));
    let (hierarchy, found) = match discovered {
        Ok((h, found)) if !found.is_empty() => (h, found),
        Ok(_) => return process_inventory(config, errors),
        Err(e) => {
            errors.record("cgroup", e);
            return process_inventory(config, errors);
        }
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
    let total = all.len();
    let statuses = count_statuses(all.iter().map(|r| r.2));

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

/// A per-process read: permission errors are expected for other users' processes when
/// not root, and vanished processes are normal churn; neither is a collector failure.
fn tolerate<T>(r: std::io::Result<Option<T>>, errors: &mut Errors) -> Option<T> {
    match r {
        Ok(v) => v,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => None,
        Err(e) => {
            errors.record("process", e);
            None
        }
    }
}

/// The fallback: the busiest processes by CPU time, as `runtime="process"` containers.
fn process_inventory(config: &CollectorConfig, errors: &mut Errors) -> Inventory {
    let mut procs = match process::list(&config.proc_root) {
        Ok(p) => p,
        Err(e) => {
            errors.record("process", format!("{}: {e}", config.proc_root.display()));
            return Inventory {
                readings: Vec::new(),
                total: 0,
                statuses: [0; 3],
            };
        }
    };
    let status = |state: u8| match state {
        b'T' | b't' => Status::Paused,
        b'Z' | b'X' | b'x' => Status::Stopped,
        _ => Status::Running,
    };
    let total = procs.len();
    let statuses = count_statuses(procs.iter().map(|p| status(p.state)));
    procs.sort_by(|a, b| {
        b.cpu_seconds
            .total_cmp(&a.cpu_seconds)
            .then(a.pid.cmp(&b.pid))
    });
    procs.truncate(config.max_containers.min(MAX_PROCESSES));
    let host = process::host_netns(&config.proc_root).ok();
    let mut readings = Vec::with_capacity(procs.len());
    for p in procs {
        let memory_bytes = tolerate(process::rss_bytes(&config.proc_root, p.pid), errors);
        let io = tolerate(process::io_bytes(&config.proc_root, p.pid), errors);
        let net = match &host {
            Some(host) => tolerate(
                process::private_traffic(&config.proc_root, p.pid, host),
                errors,
            )
            .unwrap_or_default(),
            None => Vec::new(),
        };
        readings.push(Reading {
            id: ContainerId {
                runtime: Runtime::Process,
                id: p.pid.to_string(),
            },
            key: format!("process/{}/{}", p.pid, p.start_ticks),
            name: Some(p.comm),
            cpu_seconds: Some(p.cpu_seconds),
            cpu_read_at: Instant::now(),
            memory_bytes,
            memory_limit: None,
            io,
            net,
        });
    }
    Inventory {
        readings,
        total,
        statuses,
    }
}

/// The container families from one inventory; `prev` holds the CPU baselines for rates.
pub(super) fn families(
    Inventory {
        readings,
        total,
        statuses,
    }: &Inventory,
    prev: &mut HashMap<String, Baseline<f64>>,
    node_memory: Option<u64>,
    node: &[(String, String)],
    families: &mut Vec<Family>,
) {
    let mut count = Family::new(
        "hivemind_containers",
        "Containers found in the cgroup tree (processes where no container runtime exists), including any over max_containers.",
        Kind::Gauge,
    );
    count.push(node.to_vec(), *total as f64);
    let mut by_status = Family::new(
        "hivemind_containers_by_status",
        "Containers by status: running (has processes), paused (frozen), stopped (no processes).",
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
        "Memory working set (usage minus inactive file cache, as docker stats shows; resident set for processes), in bytes.",
        Kind::Gauge,
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
        if let Some(bytes) = r.memory_bytes {
            mem_bytes.push(l.clone(), bytes as f64);
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
            rx.push(l.clone(), dev.receive_bytes as f64);
            tx.push(l, dev.transmit_bytes as f64);
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
        rx,
        tx,
        disk_read,
        disk_write,
    ]);
}
