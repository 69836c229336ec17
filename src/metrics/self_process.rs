//! The standard `process_*` metrics of this process (the names every Prometheus client
//! library exports): CPU time, resident and virtual memory, open and maximum descriptors,
//! start time.

use std::path::Path;

use nix::sys::resource::{Resource, getrlimit};

use super::node::USER_HZ;
use super::{Errors, Family, Kind, process};

fn gauge(name: &str, help: &str, kind: Kind, value: Option<f64>) -> Family {
    let mut f = Family::new(name, help, kind);
    if let Some(v) = value {
        f.push(Vec::new(), v);
    }
    f
}

fn kb(status: &str, key: &str) -> Option<f64> {
    let rest = status.lines().find_map(|l| l.strip_prefix(key))?;
    let kb: f64 = rest.split_whitespace().next()?.parse().ok()?;
    Some(kb * 1024.0)
}

/// `boot_time`: seconds since the epoch (from /proc/stat), for the start time. Always the
/// real /proc: these are this process's own numbers.
pub(super) fn families(boot_time: Option<u64>, errors: &mut Errors, families: &mut Vec<Family>) {
    let me = Path::new("/proc/self");
    let stat = std::fs::read(me.join("stat"))
        .map_err(|e| errors.record("self", format!("/proc/self/stat: {e}")))
        .ok()
        .and_then(|b| process::parse_stat(std::process::id(), &b));
    let status = std::fs::read_to_string(me.join("status"))
        .map_err(|e| errors.record("self", format!("/proc/self/status: {e}")))
        .ok();
    let fds = std::fs::read_dir(me.join("fd"))
        .map_err(|e| errors.record("self", format!("/proc/self/fd: {e}")))
        .ok()
        // The directory handle itself is one of the entries.
        .map(|d| d.count().saturating_sub(1) as f64);
    let limit = |r: Resource| {
        getrlimit(r)
            .ok()
            // Unlimited is u64::MAX, 1.8446744073709552e19 as client libraries print it.
            .map(|(soft, _)| soft as f64)
    };
    let start = stat
        .as_ref()
        .zip(boot_time)
        .map(|(s, boot)| boot as f64 + s.start_ticks as f64 / USER_HZ);
    families.extend([
        gauge(
            "process_cpu_seconds_total",
            "Total user and system CPU time spent in seconds.",
            Kind::Counter,
            stat.as_ref().map(|s| s.cpu_seconds),
        ),
        gauge(
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            Kind::Gauge,
            status.as_deref().and_then(|s| kb(s, "VmRSS:")),
        ),
        gauge(
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes.",
            Kind::Gauge,
            status.as_deref().and_then(|s| kb(s, "VmSize:")),
        ),
        gauge(
            "process_virtual_memory_max_bytes",
            "Maximum amount of virtual memory available in bytes.",
            Kind::Gauge,
            limit(Resource::RLIMIT_AS),
        ),
        gauge(
            "process_open_fds",
            "Number of open file descriptors.",
            Kind::Gauge,
            fds,
        ),
        gauge(
            "process_max_fds",
            "Maximum number of open file descriptors.",
            Kind::Gauge,
            limit(Resource::RLIMIT_NOFILE),
        ),
        gauge(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            Kind::Gauge,
            start,
        ),
    ]);
}
