//! The opt-in per-process view (`--process-metrics`), grouped by process name like
//! process-exporter's `groupname`: never a PID label, and a bounded number of groups, so
//! processes that come and go do not churn series.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use super::{CollectorConfig, Errors, Family, Kind, label, process};

/// A group without processes keeps its series (and its place) this long, so that a name
/// that comes and goes (a cron job) keeps one series instead of a new one each time.
const EMPTY_GROUP_TTL: Duration = Duration::from_secs(600);

#[derive(Debug)]
struct Group {
    /// CPU seconds of its processes, accumulated from their deltas (a process that exits
    /// does not make the counter go down).
    cpu_seconds: f64,
    processes: usize,
    resident_bytes: u64,
    last_seen: Instant,
}

/// Group state across collections.
#[derive(Debug, Default)]
pub(super) struct Groups {
    groups: BTreeMap<String, Group>,
    /// CPU seconds of each process (pid, start time) at the previous collection.
    last_cpu: HashMap<(u32, u64), f64>,
    dropped_total: u64,
}

impl Groups {
    /// Read every process and update the groups; at most `config.max_process_groups`
    /// groups exist at once, and names beyond that are counted as dropped.
    pub fn collect(
        &mut self,
        config: &CollectorConfig,
        node: &[(String, String)],
        errors: &mut Errors,
        families: &mut Vec<Family>,
    ) {
        let now = Instant::now();
        let procs = match process::list(&config.proc_root) {
            Ok(p) => p,
            Err(e) => {
                errors.record(
                    "process_groups",
                    format!("{}: {e}", config.proc_root.display()),
                );
                Vec::new()
            }
        };
        for g in self.groups.values_mut() {
            g.processes = 0;
            g.resident_bytes = 0;
        }
        let mut dropped = std::collections::HashSet::new();
        let mut next_cpu = HashMap::with_capacity(procs.len());
        for p in procs {
            if !self.groups.contains_key(&p.comm) {
                if self.groups.len() >= config.max_process_groups {
                    dropped.insert(p.comm);
                    continue;
                }
                self.groups.insert(
                    p.comm.clone(),
                    Group {
                        cpu_seconds: 0.0,
                        processes: 0,
                        resident_bytes: 0,
                        last_seen: now,
                    },
                );
            }
            let Some(g) = self.groups.get_mut(&p.comm) else {
                continue;
            };
            let key = (p.pid, p.start_ticks);
            let before = self.last_cpu.get(&key).copied().unwrap_or(0.0);
            g.cpu_seconds += (p.cpu_seconds - before).max(0.0);
            next_cpu.insert(key, p.cpu_seconds);
            g.processes += 1;
            g.last_seen = now;
            // Other users' processes are unreadable without privileges; gone ones are churn.
            if let Ok(Some(rss)) = process::rss_bytes(&config.proc_root, p.pid) {
                g.resident_bytes += rss;
            }
        }
        self.last_cpu = next_cpu;
        self.groups
            .retain(|_, g| now.duration_since(g.last_seen) < EMPTY_GROUP_TTL);
        self.dropped_total += dropped.len() as u64;

        let mut count = Family::new(
            "hivemind_process_group_processes",
            "Processes with this name (comm) now.",
            Kind::Gauge,
        );
        let mut cpu = Family::new(
            "hivemind_process_group_cpu_seconds_total",
            "CPU time of the processes with this name, accumulated while the agent watched them, in seconds.",
            Kind::Counter,
        );
        let mut rss = Family::new(
            "hivemind_process_group_resident_memory_bytes",
            "Resident memory of the processes with this name, summed, in bytes.",
            Kind::Gauge,
        );
        for (name, g) in &self.groups {
            let mut l = node.to_vec();
            l.push(label("groupname", name));
            count.push(l.clone(), g.processes as f64);
            cpu.push(l.clone(), g.cpu_seconds);
            rss.push(l, g.resident_bytes as f64);
        }
        let mut dropped = Family::new(
            "hivemind_process_groups_dropped_total",
            "Process names left without a group because max_process_groups groups existed, summed over collections.",
            Kind::Counter,
        );
        dropped.push(Vec::new(), self.dropped_total as f64);
        families.extend([count, cpu, rss, dropped]);
    }
}
