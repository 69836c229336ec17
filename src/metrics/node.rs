//! Node sources: /proc/stat, /proc/meminfo, /proc/loadavg, /proc/net/dev and mounted file systems.

use std::collections::BTreeMap;
use std::time::Instant;

use sysinfo::{DiskRefreshKind, Disks};

use super::{Baseline, CollectorConfig, Errors, Family, Kind, MIN_RATE_WINDOW, label, percent};

/// The kernel's `USER_HZ`: /proc reports CPU time in these ticks. It is 100 on every
/// architecture Rust targets on Linux (alpha aside), which is why node_exporter's procfs
/// library hard-codes it too; reading `sysconf(_SC_CLK_TCK)` would need `unsafe` libc.
pub(crate) const USER_HZ: f64 = 100.0;

/// Aggregate CPU time from the `cpu` line of /proc/stat, in ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CpuTimes {
    /// user + nice + system + irq + softirq + steal. Guest time is already inside user
    /// and nice, so it is not added again.
    pub busy: u64,
    /// busy + idle + iowait.
    pub total: u64,
}

pub(crate) fn parse_stat(text: &str) -> Option<CpuTimes> {
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    // user nice system idle iowait irq softirq steal guest guest_nice
    let (idle, iowait) = (*v.get(3)?, at(4));
    let busy = at(0) + at(1) + at(2) + at(5) + at(6) + at(7);
    Some(CpuTimes {
        busy,
        total: busy + idle + iowait,
    })
}

/// Memory totals from /proc/meminfo, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MemInfo {
    pub total: u64,
    pub available: u64,
}

pub(crate) fn parse_meminfo(text: &str) -> Option<MemInfo> {
    let mut fields = BTreeMap::new();
    for line in text.lines() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        if let Some(kb) = rest
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
        {
            fields.insert(key, kb.saturating_mul(1024));
        }
    }
    let total = *fields.get("MemTotal")?;
    // Kernels before 3.14 have no MemAvailable; free + buffers + page cache approximates it.
    let available = fields.get("MemAvailable").copied().unwrap_or_else(|| {
        ["MemFree", "Buffers", "Cached"]
            .iter()
            .filter_map(|k| fields.get(k))
            .sum()
    });
    Some(MemInfo {
        total,
        available: available.min(total),
    })
}

pub(crate) fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut f = text.split_whitespace().map(|s| s.parse::<f64>().ok());
    Some([f.next()??, f.next()??, f.next()??])
}

/// One interface of /proc/<pid>/net/dev.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NetDev {
    pub interface: String,
    pub receive_bytes: u64,
    pub transmit_bytes: u64,
}

pub(crate) fn parse_net_dev(text: &str) -> Vec<NetDev> {
    text.lines()
        .skip(2)
        .filter_map(|line| {
            // `  eth0: 123 …`: the name may run into the first number on old kernels.
            let (name, rest) = line.split_once(':')?;
            let v: Vec<u64> = rest
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            Some(NetDev {
                interface: name.trim().to_string(),
                receive_bytes: *v.first()?,
                transmit_bytes: *v.get(8)?,
            })
        })
        .collect()
}

/// One real file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filesystem {
    pub device: String,
    pub mountpoint: String,
    pub size_bytes: u64,
    pub available_bytes: u64,
}

/// Mount points that are views of other file systems or of runtime state, as in
/// node_exporter's default `--collector.filesystem.mount-points-exclude`.
/// Whether a mounted file system is storage worth watching: not a kernel view or RAM (by
/// type), not a container's layer under a runtime's data root (by mount point). `health
/// status` and the filesystem metrics use the same rule.
pub fn is_storage(fs_type: &str, mount_point: &str) -> bool {
    !PSEUDO_FS.contains(&fs_type) && !excluded_mountpoint(mount_point)
}

fn excluded_mountpoint(m: &str) -> bool {
    const UNDER: [&str; 6] = [
        "/dev",
        "/proc",
        "/sys",
        "/var/lib/docker/",
        "/var/lib/containers/storage/",
        "/run/containerd/",
    ];
    // `/dev` excludes itself and what is below; `/var/lib/docker/` only what is below, so
    // that a disk dedicated to Docker's data root is still reported.
    UNDER.iter().any(|p| match p.strip_suffix('/') {
        Some(dir) => m
            .strip_prefix(dir)
            .is_some_and(|rest| rest.len() > 1 && rest.starts_with('/')),
        None => m == *p || m.strip_prefix(p).is_some_and(|rest| rest.starts_with('/')),
    })
}

/// File system types that are kernel views, RAM or read-only images, not storage to watch.
const PSEUDO_FS: &[&str] = &[
    "tmpfs",
    "devtmpfs",
    "squashfs",
    "proc",
    "sysfs",
    "cgroup",
    "cgroup2",
    "devpts",
    "mqueue",
    "nsfs",
    "fuse.lxcfs",
    "autofs",
    "ramfs",
    "efivarfs",
    "tracefs",
    "debugfs",
    "securityfs",
    "pstore",
    "bpf",
    "configfs",
    "hugetlbfs",
    "fusectl",
    "binfmt_misc",
    "iso9660",
    "nfsd",
];

/// Real file systems, one per device: pseudo file systems are skipped and bind mounts of
/// the same device (same name and size) collapse to the shortest mount point, as
/// `hivemind health status` shows them.
pub(crate) fn filesystems(disks: &mut Disks) -> Vec<Filesystem> {
    disks.refresh_specifics(true, DiskRefreshKind::nothing().with_storage());
    let mut by_device: BTreeMap<(String, u64), Filesystem> = BTreeMap::new();
    for d in disks.iter() {
        let fs = d.file_system().to_string_lossy();
        let mountpoint = d.mount_point().to_string_lossy().into_owned();
        if !is_storage(&fs, &mountpoint) || d.total_space() == 0 {
            continue;
        }
        let device = d.name().to_string_lossy().into_owned();
        let entry = by_device
            .entry((device.clone(), d.total_space()))
            .or_insert_with(|| Filesystem {
                device,
                mountpoint: mountpoint.clone(),
                size_bytes: d.total_space(),
                available_bytes: d.available_space(),
            });
        if mountpoint.len() < entry.mountpoint.len() {
            entry.mountpoint = mountpoint;
        }
    }
    by_device.into_values().collect()
}

fn read_proc(
    config: &CollectorConfig,
    file: &str,
    source: &'static str,
    errors: &mut Errors,
) -> Option<String> {
    let path = config.proc_root.join(file);
    std::fs::read_to_string(&path)
        .map_err(|e| errors.record(source, format!("{}: {e}", path.display())))
        .ok()
}

/// The node families; returns the memory totals for container percentages.
pub(super) fn families(
    config: &CollectorConfig,
    disks: &mut Option<Disks>,
    prev_cpu: &mut Option<Baseline<CpuTimes>>,
    node: &[(String, String)],
    errors: &mut Errors,
    families: &mut Vec<Family>,
) -> Option<MemInfo> {
    let with = |extra: &[(&str, &str)]| {
        let mut l = node.to_vec();
        l.extend(extra.iter().map(|(k, v)| label(k, v)));
        l
    };
    let mut count = Family::new(
        "hivemind_nodes",
        "Nodes this agent reports on: itself (seed name hivemind_node_count).",
        Kind::Gauge,
    );
    count.push(node.to_vec(), 1.0);
    let mut status = Family::new(
        "hivemind_node_status",
        "1 while the node's agent is up and collecting; a missing or stale series means down.",
        Kind::Gauge,
    );
    status.push(node.to_vec(), 1.0);

    let mut cpu_usage = Family::new(
        "hivemind_node_cpu_usage",
        "CPU busy, percent of all CPUs (0-100), since the previous collection (since boot on the first).",
        Kind::Gauge,
    );
    let mut cpu_seconds = Family::new(
        "hivemind_node_cpu_seconds_total",
        "CPU time spent busy (not idle or waiting for I/O), summed over CPUs, in seconds.",
        Kind::Counter,
    );
    let cpu = read_proc(config, "stat", "cpu", errors).and_then(|t| {
        let parsed = parse_stat(&t);
        if parsed.is_none() {
            errors.record("cpu", "no aggregate cpu line in stat");
        }
        parsed
    });
    if let Some(now) = cpu {
        cpu_seconds.push(node.to_vec(), now.busy as f64 / USER_HZ);
        let at = Instant::now();
        let since_boot = || percent(now.busy as f64, now.total as f64);
        let (usage, baseline) = match *prev_cpu {
            Some(p) if at.duration_since(p.at) < MIN_RATE_WINDOW => (p.last_rate, p),
            Some(p) if now.total > p.value.total && now.busy >= p.value.busy => {
                let busy = (now.busy - p.value.busy) as f64;
                let usage = percent(busy, (now.total - p.value.total) as f64);
                (Some(usage), Baseline::new(now, at, Some(usage)))
            }
            _ => (Some(since_boot()), Baseline::new(now, at, None)),
        };
        cpu_usage.push(node.to_vec(), usage.unwrap_or_else(since_boot));
        *prev_cpu = Some(baseline);
    }

    let mut mem_usage = Family::new(
        "hivemind_node_memory_usage",
        "Memory in use (total minus available), percent of total (0-100).",
        Kind::Gauge,
    );
    let mut mem_used = Family::new(
        "hivemind_node_memory_used_bytes",
        "Memory in use (total minus available), in bytes.",
        Kind::Gauge,
    );
    let mut mem_total = Family::new(
        "hivemind_node_memory_total_bytes",
        "Physical memory, in bytes.",
        Kind::Gauge,
    );
    let mem = read_proc(config, "meminfo", "meminfo", errors).and_then(|t| {
        let parsed = parse_meminfo(&t);
        if parsed.is_none() {
            errors.record("meminfo", "no MemTotal in meminfo");
        }
        parsed
    });
    if let Some(m) = mem {
        let used = m.total - m.available;
        mem_usage.push(node.to_vec(), percent(used as f64, m.total as f64));
        mem_used.push(node.to_vec(), used as f64);
        mem_total.push(node.to_vec(), m.total as f64);
    }

    let mut disk_usage = Family::new(
        "hivemind_node_disk_usage",
        "File system space used (size minus available), percent of size (0-100).",
        Kind::Gauge,
    );
    let mut disk_used = Family::new(
        "hivemind_node_disk_used_bytes",
        "File system space used (size minus available to unprivileged users), in bytes.",
        Kind::Gauge,
    );
    let mut disk_size = Family::new(
        "hivemind_node_disk_size_bytes",
        "File system size, in bytes.",
        Kind::Gauge,
    );
    match disks.as_mut() {
        Some(d) => {
            for fs in filesystems(d) {
                let l = with(&[("device", &fs.device), ("mountpoint", &fs.mountpoint)]);
                let used = fs.size_bytes.saturating_sub(fs.available_bytes);
                disk_usage.push(l.clone(), percent(used as f64, fs.size_bytes as f64));
                disk_used.push(l.clone(), used as f64);
                disk_size.push(l, fs.size_bytes as f64);
            }
        }
        None => errors.record(
            "filesystem",
            "file systems cannot be listed on this platform",
        ),
    }

    let mut rx = Family::new(
        "hivemind_node_network_receive_bytes_total",
        "Bytes received per network interface (loopback included).",
        Kind::Counter,
    );
    let mut tx = Family::new(
        "hivemind_node_network_transmit_bytes_total",
        "Bytes transmitted per network interface (loopback included).",
        Kind::Counter,
    );
    if let Some(text) = read_proc(config, "net/dev", "netdev", errors) {
        for dev in parse_net_dev(&text) {
            let l = with(&[("interface", &dev.interface)]);
            rx.push(l.clone(), dev.receive_bytes as f64);
            tx.push(l, dev.transmit_bytes as f64);
        }
    }

    let mut loads = [
        Family::new(
            "hivemind_node_load1",
            "Load average over 1 minute.",
            Kind::Gauge,
        ),
        Family::new(
            "hivemind_node_load5",
            "Load average over 5 minutes.",
            Kind::Gauge,
        ),
        Family::new(
            "hivemind_node_load15",
            "Load average over 15 minutes.",
            Kind::Gauge,
        ),
    ];
    if let Some(text) = read_proc(config, "loadavg", "loadavg", errors) {
        match parse_loadavg(&text) {
            Some(avg) => {
                for (f, v) in loads.iter_mut().zip(avg) {
                    f.push(node.to_vec(), v);
                }
            }
            None => errors.record("loadavg", "unreadable loadavg"),
        }
    }

    families.extend([
        count,
        status,
        cpu_usage,
        cpu_seconds,
        mem_usage,
        mem_used,
        mem_total,
        disk_usage,
        disk_used,
        disk_size,
        rx,
        tx,
    ]);
    families.extend(loads);
    mem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat() {
        let text = "cpu  100 5 50 1000 20 3 2 1 40 0\ncpu0 1 2 3 4\nintr 1\n";
        assert_eq!(
            parse_stat(text),
            Some(CpuTimes {
                busy: 161,
                total: 1181
            })
        );
        // Very old kernels have only four columns.
        assert_eq!(
            parse_stat("cpu 1 2 3 4\n"),
            Some(CpuTimes { busy: 6, total: 10 })
        );
        assert_eq!(parse_stat("cpu0 1 2 3 4\n"), None);
        assert_eq!(parse_stat("cpu 1 x 3 4\n"), None);
    }

    #[test]
    fn meminfo() {
        let text = "MemTotal:       16000 kB\nMemFree:         1000 kB\nMemAvailable:    4000 kB\nBuffers: 10 kB\n";
        assert_eq!(
            parse_meminfo(text),
            Some(MemInfo {
                total: 16000 * 1024,
                available: 4000 * 1024
            })
        );
        let old = "MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\n";
        assert_eq!(parse_meminfo(old).unwrap().available, 35 * 1024);
        assert_eq!(parse_meminfo("MemFree: 1 kB\n"), None);
    }

    #[test]
    fn loadavg() {
        assert_eq!(
            parse_loadavg("0.95 1.06 0.65 5/102 29538\n"),
            Some([0.95, 1.06, 0.65])
        );
        assert_eq!(parse_loadavg("0.95 x"), None);
    }

    #[test]
    fn net_dev() {
        let text = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0
  eth0: 167902225    6592    0    0    0     0          0         0   386303    4007    0    0    0     0       0          0
 broken: 1 2
";
        let devs = parse_net_dev(text);
        assert_eq!(
            devs,
            [
                NetDev {
                    interface: "lo".into(),
                    receive_bytes: 3193,
                    transmit_bytes: 3193
                },
                NetDev {
                    interface: "eth0".into(),
                    receive_bytes: 167902225,
                    transmit_bytes: 386303
                },
            ]
        );
    }

    #[test]
    fn mountpoint_exclusions() {
        for m in [
            "/dev",
            "/dev/shm",
            "/proc",
            "/sys/fs/cgroup",
            "/var/lib/docker/overlay2/x/merged",
            "/run/containerd/io.containerd.runtime.v2.task/k8s.io/x/rootfs",
        ] {
            assert!(excluded_mountpoint(m), "{m}");
        }
        for m in ["/", "/var/lib/docker", "/devices", "/home", "/system"] {
            assert!(!excluded_mountpoint(m), "{m}");
        }
    }

    #[test]
    fn real_filesystems_have_sizes() {
        let Ok(mut disks) = Disks::new() else { return };
        for fs in filesystems(&mut disks) {
            assert!(fs.size_bytes > 0);
            assert!(fs.available_bytes <= fs.size_bytes, "{fs:?}");
        }
    }
}
