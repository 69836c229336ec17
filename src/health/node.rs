//! This node's resources (CPU, memory, swap, disks, load, processes, uptime) judged against
//! default thresholds.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use serde::{Deserialize, Serialize};
use sysinfo::{CpuRefreshKind, Disks, MemoryRefreshKind, RefreshKind, System};

use super::Status;

/// Thresholds above which a resource is unhealthy. On the agent API they travel as the query
/// of `GET /api/health` (`?cpu_percent=90&disk_percent=80`); absent ones take the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// CPU busy, percent of all CPUs.
    pub cpu_percent: f64,
    /// Memory in use (total − available), percent.
    pub memory_percent: f64,
    /// Swap in use, percent.
    pub swap_percent: f64,
    /// Space used on each real file system, percent.
    pub disk_percent: f64,
    /// Five-minute load average per CPU (node-mixin's saturation signal, smoothed).
    pub load_per_cpu: f64,
    /// Processes as a percentage of `kernel.pid_max`.
    pub processes_percent: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            cpu_percent: 90.0,
            memory_percent: 90.0,
            swap_percent: 80.0,
            disk_percent: 90.0,
            load_per_cpu: 2.0,
            processes_percent: 90.0,
        }
    }
}

impl Thresholds {
    pub fn to_query(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }

    /// Parse and range-check a query string.
    pub fn from_query(query: &str) -> crate::error::Result<Thresholds> {
        use crate::model::input::{self, Input};
        let t: Thresholds = input::query(query, Input::QUERY)
            .map_err(|e| crate::error::Error::Usage(format!("health query: {e}")))?;
        for (name, value, max) in [
            ("cpu_percent", t.cpu_percent, 100.0),
            ("memory_percent", t.memory_percent, 100.0),
            ("swap_percent", t.swap_percent, 100.0),
            ("disk_percent", t.disk_percent, 100.0),
            ("load_per_cpu", t.load_per_cpu, 1000.0),
            ("processes_percent", t.processes_percent, 100.0),
        ] {
            if !(0.0..=max).contains(&value) {
                return Err(crate::error::Error::invalid(
                    name,
                    &value.to_string(),
                    format!("a number from 0 to {max}"),
                ));
            }
        }
        Ok(t)
    }
}

/// One judged resource.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resource {
    /// `cpu`, `memory`, `swap`, `disk`, `load`, `processes`, `uptime`.
    pub resource: String,
    /// The mount point for disks; empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target: String,
    pub status: Status,
    /// The measured value in `unit`; absent when it could not be measured.
    pub value: Option<f64>,
    pub unit: String,
    /// The unhealthy threshold in `unit`; absent for informational rows.
    pub threshold: Option<f64>,
    /// A human summary (`3.1 GiB of 7.8 GiB`).
    pub detail: String,
}

/// `hivemind health status`: this node's resources and its checks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HealthReport {
    pub hostname: String,
    pub status: Status,
    /// RFC 3339 time of the measurement.
    pub checked_at: String,
    pub uptime_seconds: Option<u64>,
    pub resources: Vec<Resource>,
    /// The node's health checks (empty when none are defined).
    #[serde(default)]
    pub checks: Vec<super::runner::CheckStatus>,
}

impl HealthReport {
    /// Add the checks and fold their status into the report's: any unhealthy check makes the
    /// whole report unhealthy, a check not run yet makes a healthy report unknown.
    pub fn with_checks(mut self, checks: Vec<super::runner::CheckStatus>) -> Self {
        if checks.iter().any(|c| c.status == Status::Unhealthy) {
            self.status = Status::Unhealthy;
        } else if self.status == Status::Healthy
            && checks.iter().any(|c| c.status == Status::Unknown)
        {
            self.status = Status::Unknown;
        }
        self.checks = checks;
        self
    }
}

fn percent(used: u64, total: u64) -> Option<f64> {
    (total > 0).then(|| used as f64 * 100.0 / total as f64)
}

fn judge(value: Option<f64>, threshold: f64) -> Status {
    match value {
        Some(v) if v > threshold => Status::Unhealthy,
        Some(_) => Status::Healthy,
        None => Status::Unknown,
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Measure this node. Takes a little over 200 ms: CPU usage needs two samples that far
/// apart. The other resources are read first, so that our own work does not count as the
/// node's CPU use; during the interval this process only sleeps.
pub fn measure(th: &Thresholds) -> HealthReport {
    // `None` when sysinfo cannot read this platform at all: every row is then unknown.
    let mut sys =
        System::new_with_specifics(RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing())).ok();
    let mut resources = Vec::new();

    if let Some(sys) = sys.as_mut() {
        sys.refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram().with_swap());
    }
    let mem_total = sys.as_ref().map_or(0, System::total_memory);
    let mem_used = mem_total.saturating_sub(sys.as_ref().map_or(0, System::available_memory));
    let mem_pct = percent(mem_used, mem_total);
    resources.push(Resource {
        resource: "memory".into(),
        target: String::new(),
        status: judge(mem_pct, th.memory_percent),
        value: mem_pct.map(round1),
        unit: "percent".into(),
        threshold: Some(th.memory_percent),
        detail: format!(
            "{} of {} in use",
            crate::model::units::bytes(mem_used),
            crate::model::units::bytes(mem_total)
        ),
    });
    let swap_total = sys.as_ref().map_or(0, System::total_swap);
    let swap_used = sys.as_ref().map_or(0, System::used_swap);
    resources.push(if swap_total == 0 {
        Resource {
            resource: "swap".into(),
            target: String::new(),
            status: Status::Healthy,
            value: Some(0.0),
            unit: "percent".into(),
            threshold: Some(th.swap_percent),
            detail: "no swap configured".into(),
        }
    } else {
        let pct = percent(swap_used, swap_total);
        Resource {
            resource: "swap".into(),
            target: String::new(),
            status: judge(pct, th.swap_percent),
            value: pct.map(round1),
            unit: "percent".into(),
            threshold: Some(th.swap_percent),
            detail: format!(
                "{} of {} in use",
                crate::model::units::bytes(swap_used),
                crate::model::units::bytes(swap_total)
            ),
        }
    });
    resources.extend(disks(th));
    let cpus = sys.as_ref().map_or(0, |s| s.cpus().len()).max(1);
    match System::load_average() {
        Ok(load) => {
            let per_cpu = load.five / cpus as f64;
            resources.push(Resource {
                resource: "load".into(),
                target: String::new(),
                status: judge(Some(per_cpu), th.load_per_cpu),
                value: Some((per_cpu * 100.0).round() / 100.0),
                unit: "load5 per cpu".into(),
                threshold: Some(th.load_per_cpu),
                detail: format!(
                    "{:.2} {:.2} {:.2} on {cpus} CPUs",
                    load.one, load.five, load.fifteen
                ),
            });
        }
        Err(e) => resources.push(unknown("load", "load5 per cpu", e.to_string())),
    }
    resources.push(processes(th));

    let cpu_value = sys.as_mut().and_then(|sys| {
        let started = Instant::now();
        sys.refresh_cpu_usage();
        std::thread::sleep(sysinfo::MINIMUM_CPU_UPDATE_INTERVAL.saturating_sub(started.elapsed()));
        sys.refresh_cpu_usage();
        let cpu = f64::from(sys.global_cpu_usage());
        (cpu.is_finite() && !sys.cpus().is_empty()).then_some(cpu)
    });
    resources.insert(
        0,
        Resource {
            resource: "cpu".into(),
            target: String::new(),
            status: judge(cpu_value, th.cpu_percent),
            value: cpu_value.map(round1),
            unit: "percent".into(),
            threshold: Some(th.cpu_percent),
            detail: format!("{cpus} CPUs"),
        },
    );

    let uptime = System::uptime().ok();
    resources.push(Resource {
        resource: "uptime".into(),
        target: String::new(),
        status: if uptime.is_some() {
            Status::Healthy
        } else {
            Status::Unknown
        },
        value: uptime.map(|u| u as f64),
        unit: "seconds".into(),
        threshold: None,
        detail: uptime.map_or_else(|| "unavailable".into(), crate::model::units::uptime),
    });

    let status = if resources.iter().any(|r| r.status == Status::Unhealthy) {
        Status::Unhealthy
    } else {
        Status::Healthy
    };
    HealthReport {
        hostname: System::host_name().unwrap_or_else(|_| "unknown".into()),
        status,
        checked_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        uptime_seconds: uptime,
        resources,
        checks: Vec::new(),
    }
}

fn unknown(resource: &'static str, unit: &'static str, detail: String) -> Resource {
    Resource {
        resource: resource.into(),
        target: String::new(),
        status: Status::Unknown,
        value: None,
        unit: unit.into(),
        threshold: None,
        detail,
    }
}

fn disks(th: &Thresholds) -> Vec<Resource> {
    let list = match Disks::new_with_refreshed_list() {
        Ok(l) => l,
        Err(e) => return vec![unknown("disk", "percent", format!("listing disks: {e}"))],
    };
    // One row per device: bind mounts of the same file system show the shortest mount point.
    let mut by_device: BTreeMap<(String, u64), (String, u64, u64)> = BTreeMap::new();
    for d in list.iter() {
        let fs = d.file_system().to_string_lossy();
        if crate::metrics::PSEUDO_FS.contains(&fs.as_ref()) || d.total_space() == 0 {
            continue;
        }
        let mount = d.mount_point().to_string_lossy().into_owned();
        let key = (d.name().to_string_lossy().into_owned(), d.total_space());
        let entry = by_device
            .entry(key)
            .or_insert_with(|| (mount.clone(), d.total_space(), d.available_space()));
        if mount.len() < entry.0.len() {
            entry.0 = mount;
        }
    }
    let mut rows: Vec<Resource> = by_device
        .into_values()
        .map(|(mount, total, avail)| {
            let used = total.saturating_sub(avail);
            let pct = percent(used, total);
            Resource {
                resource: "disk".into(),
                target: mount,
                status: judge(pct, th.disk_percent),
                value: pct.map(round1),
                unit: "percent".into(),
                threshold: Some(th.disk_percent),
                detail: format!(
                    "{} of {} used",
                    crate::model::units::bytes(used),
                    crate::model::units::bytes(total)
                ),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.target.cmp(&b.target));
    rows
}

/// Count processes from /proc (cheaper than a sysinfo process refresh, and threads are not
/// miscounted as processes).
fn processes(th: &Thresholds) -> Resource {
    let count = std::fs::read_dir("/proc").map(|dir| {
        dir.filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            })
            .count()
    });
    let pid_max = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    match (count, pid_max) {
        (Ok(n), Some(max)) => {
            let limit = max as f64 * th.processes_percent / 100.0;
            Resource {
                resource: "processes".into(),
                target: String::new(),
                status: judge(Some(n as f64), limit),
                value: Some(n as f64),
                unit: "processes".into(),
                threshold: Some(limit.floor()),
                detail: format!("{n} of pid_max {max}"),
            }
        }
        (Ok(n), None) => Resource {
            resource: "processes".into(),
            target: String::new(),
            status: Status::Healthy,
            value: Some(n as f64),
            unit: "processes".into(),
            threshold: None,
            detail: format!("{n} running"),
        },
        (Err(e), _) => unknown("processes", "processes", format!("reading /proc: {e}")),
    }
}
