//! This node's resources (CPU, memory, swap, disks, load, processes, uptime) judged against
//! default thresholds.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

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
    /// The time the value covers, for values that are averages (CPU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_seconds: Option<f64>,
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

/// A recent average of the node's CPU busy percent, kept by a running process (the agent's
/// collections over the last minute).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuAverage {
    pub busy_percent: f64,
    pub window: Duration,
}

/// How long a CPU sample takes when nothing better is at hand.
const CPU_SAMPLE: Duration = Duration::from_secs(1);
/// The kernel's pressure average used to judge CPU.
const PRESSURE_WINDOW: Duration = Duration::from_secs(60);

/// Measure this node. CPU is judged over a window a burst cannot flip: the kernel's CPU
/// pressure over the last minute where it reports one (the share of time runnable tasks
/// waited for a CPU: a busy CPU that keeps up is healthy), else `recent` (the agent's
/// one-minute average), else a one-second sample. Samples are taken after the other
/// resources are read, so that our own work does not count as the node's CPU use.
pub fn measure(th: &Thresholds, recent: Option<CpuAverage>) -> HealthReport {
    let mut resources = Vec::new();

    let meminfo = std::fs::read_to_string("/proc/meminfo")
        .map(|t| crate::metrics::meminfo::parse(&t))
        .map_err(|e| format!("reading /proc/meminfo: {e}"));
    match meminfo
        .as_deref()
        .map(|f| (crate::metrics::meminfo::totals(f), f))
    {
        Ok((Some(mem), fields)) => {
            let used = mem.total.saturating_sub(mem.available);
            let pct = percent(used, mem.total);
            resources.push(Resource {
                resource: "memory".into(),
                target: String::new(),
                status: judge(pct, th.memory_percent),
                value: pct.map(round1),
                unit: "percent".into(),
                threshold: Some(th.memory_percent),
                window_seconds: None,
                detail: format!(
                    "{} of {} in use",
                    crate::model::units::bytes(used),
                    crate::model::units::bytes(mem.total)
                ),
            });
            resources.push(swap(th, fields));
        }
        Ok((None, _)) => {
            let e = "/proc/meminfo has no MemTotal".to_string();
            resources.push(unknown("memory", "percent", e.clone()));
            resources.push(unknown("swap", "percent", e));
        }
        Err(e) => {
            resources.push(unknown("memory", "percent", e.clone()));
            resources.push(unknown("swap", "percent", e.clone()));
        }
    }
    resources.extend(disks(th));
    let first = read_stat();
    let cpus = first.as_ref().map_or(0, |s| s.cpus.len()).max(1);
    match std::fs::read_to_string("/proc/loadavg")
        .map_err(|e| format!("reading /proc/loadavg: {e}"))
        .and_then(|t| {
            crate::metrics::system::parse_loadavg(&t)
                .ok_or_else(|| "/proc/loadavg does not parse".to_string())
        }) {
        Ok([one, five, fifteen]) => {
            let per_cpu = five / cpus as f64;
            resources.push(Resource {
                resource: "load".into(),
                target: String::new(),
                status: judge(Some(per_cpu), th.load_per_cpu),
                value: Some((per_cpu * 100.0).round() / 100.0),
                unit: "load5 per cpu".into(),
                threshold: Some(th.load_per_cpu),
                window_seconds: None,
                detail: format!("{one:.2} {five:.2} {fifteen:.2} on {cpus} CPUs"),
            });
        }
        Err(e) => resources.push(unknown("load", "load5 per cpu", e)),
    }
    resources.push(processes(th));

    resources.insert(0, cpu(th, cpus, first, recent));

    let uptime = std::fs::read_to_string("/proc/uptime").ok().and_then(|t| {
        t.split_whitespace()
            .next()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(|v| v as u64)
    });
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
        window_seconds: None,
        detail: uptime.map_or_else(|| "unavailable".into(), crate::model::units::uptime),
    });

    let status = if resources.iter().any(|r| r.status == Status::Unhealthy) {
        Status::Unhealthy
    } else {
        Status::Healthy
    };
    HealthReport {
        hostname: crate::metrics::system::hostname(),
        status,
        checked_at: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        uptime_seconds: uptime,
        resources,
        checks: Vec::new(),
    }
}

/// The swap row from /proc/meminfo's fields.
fn swap(th: &Thresholds, fields: &[crate::metrics::meminfo::Field]) -> Resource {
    let get = |k| crate::metrics::meminfo::get(fields, k).map_or(0, |v| v as u64);
    let total = get("SwapTotal");
    let used = total.saturating_sub(get("SwapFree"));
    if total == 0 {
        return Resource {
            resource: "swap".into(),
            target: String::new(),
            status: Status::Healthy,
            value: Some(0.0),
            unit: "percent".into(),
            threshold: Some(th.swap_percent),
            window_seconds: None,
            detail: "no swap configured".into(),
        };
    }
    let pct = percent(used, total);
    Resource {
        resource: "swap".into(),
        target: String::new(),
        status: judge(pct, th.swap_percent),
        value: pct.map(round1),
        unit: "percent".into(),
        threshold: Some(th.swap_percent),
        window_seconds: None,
        detail: format!(
            "{} of {} in use",
            crate::model::units::bytes(used),
            crate::model::units::bytes(total)
        ),
    }
}

/// /proc/stat, for the CPU count and busy-time samples.
fn read_stat() -> Option<crate::metrics::stat::Stat> {
    std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|t| crate::metrics::stat::parse(&t))
}

/// The CPU row (see [`measure`]).
fn cpu(
    th: &Thresholds,
    cpus: usize,
    first: Option<crate::metrics::stat::Stat>,
    recent: Option<CpuAverage>,
) -> Resource {
    let pressure = std::fs::read_to_string("/proc/pressure/cpu")
        .ok()
        .and_then(|t| some_avg60(&t));
    // Busy over a window: the agent's average, or a sample (short when pressure decides).
    let busy = recent.map(|a| (a.busy_percent, a.window)).or_else(|| {
        let window = if pressure.is_some() {
            crate::metrics::MIN_RATE_WINDOW
        } else {
            CPU_SAMPLE
        };
        let started = Instant::now();
        let before = first.or_else(read_stat)?.all;
        std::thread::sleep(window.saturating_sub(started.elapsed()));
        let after = read_stat()?.all;
        let total = after.total().checked_sub(before.total())?;
        let busy = after.busy().saturating_sub(before.busy());
        (total > 0).then(|| ((busy as f64 * 100.0 / total as f64).min(100.0), window))
    });
    let over = |w: Duration| crate::model::units::duration(w);
    let (value, window, detail) = match (pressure, busy) {
        (Some(p), Some((b, w))) => (
            Some(p),
            PRESSURE_WINDOW,
            format!(
                "tasks waited for a CPU {p:.1}% of the last minute; {b:.1}% busy over {} on {cpus} CPUs",
                over(w)
            ),
        ),
        (Some(p), None) => (
            Some(p),
            PRESSURE_WINDOW,
            format!("tasks waited for a CPU {p:.1}% of the last minute; {cpus} CPUs"),
        ),
        (None, Some((b, w))) => (Some(b), w, format!("busy over {} on {cpus} CPUs", over(w))),
        (None, None) => (None, CPU_SAMPLE, "CPU use unavailable".into()),
    };
    Resource {
        resource: "cpu".into(),
        target: String::new(),
        status: judge(value, th.cpu_percent),
        value: value.map(round1),
        unit: "percent".into(),
        threshold: Some(th.cpu_percent),
        window_seconds: Some(window.as_secs_f64()),
        detail,
    }
}

/// `some avg60=…` of `/proc/pressure/cpu`.
fn some_avg60(text: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.starts_with("some "))?;
    let v: f64 = line
        .split_whitespace()
        .find_map(|f| f.strip_prefix("avg60="))?
        .parse()
        .ok()?;
    (v.is_finite() && (0.0..=100.0).contains(&v)).then_some(v)
}

fn unknown(resource: &'static str, unit: &'static str, detail: String) -> Resource {
    Resource {
        resource: resource.into(),
        target: String::new(),
        status: Status::Unknown,
        value: None,
        unit: unit.into(),
        threshold: None,
        window_seconds: None,
        detail,
    }
}

fn disks(th: &Thresholds) -> Vec<Resource> {
    use crate::metrics::filesystem::{self, Outcome};
    let list = match filesystem::mounts(std::path::Path::new("/proc")) {
        Ok(l) => l,
        Err(e) => return vec![unknown("disk", "percent", format!("listing disks: {e}"))],
    };
    let list: Vec<_> = list
        .into_iter()
        .filter(|m| crate::metrics::is_storage(&m.fstype, &m.mountpoint))
        .collect();
    // A hanging mount (a dead NFS server) costs one timeout, not the whole report.
    let stats = filesystem::Statter::default().stat_all(
        list.iter().map(|m| m.mountpoint.clone()).collect(),
        filesystem::MOUNT_TIMEOUT,
    );
    // One row per device: bind mounts of the same file system show the shortest mount point.
    let mut by_device: BTreeMap<(String, u64), (String, u64, u64)> = BTreeMap::new();
    // A file system that cannot be read (or hangs) is an unknown row, not a silent gap.
    let mut unreadable: BTreeMap<String, String> = BTreeMap::new();
    for (m, outcome) in list.into_iter().zip(stats) {
        let st = match outcome {
            Outcome::Stats(st) => st,
            Outcome::Error(e) => {
                unreadable.insert(m.mountpoint, format!("statfs failed: {e}"));
                continue;
            }
            Outcome::Skipped => {
                unreadable.insert(
                    m.mountpoint,
                    format!(
                        "statfs did not answer within {}",
                        crate::model::units::duration(filesystem::MOUNT_TIMEOUT)
                    ),
                );
                continue;
            }
        };
        let (total, _free, avail) = st.bytes(false);
        if total == 0 {
            continue;
        }
        let entry = by_device
            .entry((m.device, total))
            .or_insert_with(|| (m.mountpoint.clone(), total, avail));
        if m.mountpoint.len() < entry.0.len() {
            entry.0 = m.mountpoint;
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
                window_seconds: None,
                detail: format!(
                    "{} of {} used",
                    crate::model::units::bytes(used),
                    crate::model::units::bytes(total)
                ),
            }
        })
        .collect();
    rows.extend(unreadable.into_iter().map(|(mount, detail)| Resource {
        resource: "disk".into(),
        target: mount,
        status: Status::Unknown,
        value: None,
        unit: "percent".into(),
        threshold: Some(th.disk_percent),
        window_seconds: None,
        detail,
    }));
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
                window_seconds: None,
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
            window_seconds: None,
            detail: format!("{n} running"),
        },
        (Err(e), _) => unknown("processes", "processes", format!("reading /proc: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_pressure_is_read_defensively() {
        let psi = "some avg10=7.10 avg60=28.66 avg300=40.35 total=2008559484\n\
                   full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
        assert_eq!(some_avg60(psi), Some(28.66));
        for bad in [
            "",
            "full avg60=1.00\n",
            "some avg10=1.00\n",
            "some avg60=NaN\n",
            "some avg60=101\n",
            "some avg60=-1\n",
            "some avg60=\n",
        ] {
            assert_eq!(some_avg60(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_cpu_row_says_what_it_covers() {
        let recent = CpuAverage {
            busy_percent: 97.3,
            window: Duration::from_secs(55),
        };
        let row = cpu(&Thresholds::default(), 2, read_stat(), Some(recent));
        let w = row.window_seconds.unwrap();
        if std::path::Path::new("/proc/pressure/cpu").exists() {
            // Pressure decides; the agent's average is in the detail.
            assert_eq!(w, 60.0);
            assert!(row.detail.contains("97.3% busy over 55s"), "{}", row.detail);
        } else {
            assert_eq!(w, 55.0);
            assert_eq!(row.value, Some(97.3));
            assert_eq!(row.status, Status::Unhealthy);
        }
    }
}
