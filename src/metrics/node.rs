//! Node sources read once per collection ([`read`]) and the hivemind-named node families
//! made from them ([`families`]); `compat` makes node_exporter's from the same readings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use super::diskstats::{self, DiskStat, UdevInfo};
use super::filesystem::{self, FsStats, Mount, Outcome, Statter};
use super::meminfo::{self, MemInfo};
use super::netdev::{self, NetDev};
use super::options::Options;
use super::pressure::{self, Pressure};
use super::stat::{self, CpuLine, MODES, Stat};
use super::system::{self, Uname};
use super::{Baseline, CollectorConfig, Errors, Family, Kind, MIN_RATE_WINDOW, label, percent};

/// The kernel's `USER_HZ`: /proc reports CPU time in these ticks. It is 100 on every
/// architecture Rust targets on Linux (alpha aside), which is why node_exporter's procfs
/// library hard-codes it too; reading `sysconf(_SC_CLK_TCK)` would need `unsafe` libc.
pub(crate) const USER_HZ: f64 = 100.0;

/// Whether a mounted file system is storage worth watching: not a kernel view or RAM (by
/// type), not a container's layer under a runtime's data root (by mount point). `health
/// status` and the `hivemind_node_disk_*` metrics use the same rule.
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

/// One file system as both views report it.
#[derive(Debug, Clone)]
pub(crate) struct FsReading {
    pub mount: Mount,
    /// `None` with the error when statvfs failed or the mount hangs (a device error).
    pub stats: Result<FsStats, String>,
}

/// Everything read from the node in one collection. A source that could not be read is
/// empty or `None` (and counted as a collector error).
#[derive(Debug, Clone, Default)]
pub(crate) struct Readings {
    pub stat: Option<Stat>,
    pub meminfo: Vec<meminfo::Field>,
    pub mem: Option<MemInfo>,
    pub loadavg: Option<[f64; 3]>,
    /// Interfaces that pass the filters.
    pub netdev: Vec<NetDev>,
    /// Block devices that pass the filter, with udev's names for them.
    pub disks: Vec<(DiskStat, UdevInfo)>,
    /// Mounts that pass the filters (node_exporter's set).
    pub filesystems: Vec<FsReading>,
    /// Real storage, one per device (`health status`'s set): device, mount point, stats.
    pub storage: Vec<(String, String, FsStats)>,
    /// cpu, io, memory.
    pub pressure: Vec<(&'static str, Pressure)>,
    pub vmstat: Vec<(String, u64)>,
    pub uname: Option<Uname>,
    pub clocksource: Option<(Vec<String>, String)>,
    /// Seconds since the epoch when the node was read.
    pub time: f64,
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

/// The sysfs and udev roots that go with a proc root: the real ones for `/proc`, siblings of
/// a fixture's `proc` directory otherwise.
fn sibling(config: &CollectorConfig, real: &str, name: &str) -> PathBuf {
    if config.proc_root == Path::new("/proc") {
        PathBuf::from(real)
    } else {
        config
            .proc_root
            .parent()
            .unwrap_or(Path::new("/"))
            .join(name)
    }
}

/// Read every node source.
pub(super) fn read(
    config: &CollectorConfig,
    options: &Options,
    statter: &Statter,
    errors: &mut Errors,
) -> Readings {
    let mut r = Readings {
        time: SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64()),
        ..Readings::default()
    };
    if let Some(t) = read_proc(config, "stat", "cpu", errors) {
        r.stat = stat::parse(&t);
        if r.stat.is_none() {
            errors.record("cpu", "no aggregate cpu line in stat");
        }
    }
    if let Some(t) = read_proc(config, "meminfo", "meminfo", errors) {
        r.meminfo = meminfo::parse(&t);
        r.mem = meminfo::totals(&r.meminfo);
        if r.mem.is_none() {
            errors.record("meminfo", "no MemTotal in meminfo");
        }
    }
    if let Some(t) = read_proc(config, "loadavg", "loadavg", errors) {
        r.loadavg = system::parse_loadavg(&t);
        if r.loadavg.is_none() {
            errors.record("loadavg", "unreadable loadavg");
        }
    }
    if let Some(t) = read_proc(config, "net/dev", "netdev", errors) {
        r.netdev = netdev::parse(&t);
        r.netdev.retain(|d| options.filters.netdev(&d.interface));
    }
    if let Some(t) = read_proc(config, "diskstats", "diskstats", errors) {
        let udev = sibling(config, "/run/udev/data", "udev");
        r.disks = diskstats::parse(&t)
            .into_iter()
            .filter(|d| options.filters.disk(&d.device))
            .map(|d| {
                let info = diskstats::udev_info(&udev, d.major, d.minor);
                (d, info)
            })
            .collect();
    }
    read_filesystems(config, options, statter, errors, &mut r);
    for resource in pressure::RESOURCES {
        // Kernels without PSI (or with it off) have no such files: nothing to report, not
        // an error, as for node_exporter.
        let path = config.proc_root.join("pressure").join(resource);
        match std::fs::read_to_string(&path) {
            Ok(t) => r.pressure.push((resource, pressure::parse(&t))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) if e.raw_os_error() == Some(95) => {} // EOPNOTSUPP: psi=0 at boot.
            Err(e) => errors.record("pressure", format!("{}: {e}", path.display())),
        }
    }
    if let Some(t) = read_proc(config, "vmstat", "vmstat", errors) {
        r.vmstat = super::vmstat::parse(&t);
    }
    match system::uname(&config.proc_root) {
        Ok(u) => r.uname = Some(u),
        Err(e) => errors.record("uname", e),
    }
    r.clocksource = system::clocksource(&sibling(config, "/sys", "sys"));
    r
}

fn read_filesystems(
    config: &CollectorConfig,
    options: &Options,
    statter: &Statter,
    errors: &mut Errors,
    r: &mut Readings,
) {
    let mounts = match filesystem::mounts(&config.proc_root) {
        Ok(m) => m,
        Err(e) => {
            errors.record("filesystem", format!("mount table: {e}"));
            return;
        }
    };
    // node_exporter's set (the filters), and real storage for the usage families; each
    // mount point is statted once.
    let mut seen = std::collections::HashSet::new();
    let wanted: Vec<(Mount, bool, bool)> = mounts
        .into_iter()
        .filter_map(|m| {
            let listed = options.filters.filesystem(&m.mountpoint, &m.fstype)
                && seen.insert((m.device.clone(), m.mountpoint.clone(), m.fstype.clone()));
            let storage = is_storage(&m.fstype, &m.mountpoint);
            (listed || storage).then_some((m, listed, storage))
        })
        .collect();
    let mut points: Vec<String> = wanted
        .iter()
        .map(|(m, _, _)| m.mountpoint.clone())
        .collect();
    points.sort();
    points.dedup();
    let outcomes = statter.stat_all(points.clone(), filesystem::MOUNT_TIMEOUT);
    let result = |mountpoint: &str| -> Outcome {
        points
            .binary_search_by(|p| p.as_str().cmp(mountpoint))
            .ok()
            .and_then(|i| outcomes.get(i).cloned())
            .unwrap_or(Outcome::Skipped)
    };
    let mut by_device: BTreeMap<(String, u64), (String, FsStats)> = BTreeMap::new();
    for (m, listed, storage) in wanted {
        let outcome = result(&m.mountpoint);
        if storage
            && let Outcome::Stats(s) = &outcome
            && s.blocks > 0
        {
            // One per device: bind mounts of the same file system show the shortest mount
            // point, as `health status` does.
            let entry = by_device
                .entry((m.device.clone(), s.blocks))
                .or_insert_with(|| (m.mountpoint.clone(), *s));
            if m.mountpoint.len() < entry.0.len() {
                entry.0.clone_from(&m.mountpoint);
            }
        }
        if listed {
            let stats = match outcome {
                Outcome::Stats(s) => Ok(s),
                Outcome::Error(e) => {
                    errors.record("filesystem", format!("{}: {e}", m.mountpoint));
                    Err(e)
                }
                Outcome::Skipped => continue,
            };
            r.filesystems.push(FsReading { mount: m, stats });
        }
    }
    r.storage = by_device
        .into_iter()
        .map(|((device, _), (mountpoint, s))| (device, mountpoint, s))
        .collect();
}

/// The hivemind-named node families; `prev_cpu` holds the CPU baseline for the busy rate.
pub(super) fn families(
    r: &Readings,
    options: &Options,
    prev_cpu: &mut Option<Baseline<CpuLine>>,
    node: &[(String, String)],
    families: &mut Vec<Family>,
) {
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
    families.extend([count, status]);

    cpu_families(r, options, prev_cpu, node, families);
    memory_families(r, node, families);

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
    for (device, mountpoint, s) in &r.storage {
        let l = with(&[("device", device), ("mountpoint", mountpoint)]);
        let (size, _, avail) = s.bytes(false);
        let used = size.saturating_sub(avail);
        disk_usage.push(l.clone(), percent(used as f64, size as f64));
        disk_used.push(l.clone(), used as f64);
        disk_size.push(l, size as f64);
    }
    families.extend([disk_usage, disk_used, disk_size]);
    filesystem_families(r, node, families);
    diskstats_families(r, node, families);
    network_families(r, node, families);

    let loads = ["1", "5", "15"].map(|m| {
        Family::new(
            &format!("hivemind_node_load{m}"),
            &format!(
                "Load average over {m} minute{}.",
                if m == "1" { "" } else { "s" }
            ),
            Kind::Gauge,
        )
    });
    let mut loads = loads;
    if let Some(avg) = r.loadavg {
        for (f, v) in loads.iter_mut().zip(avg) {
            f.push(node.to_vec(), v);
        }
    }
    families.extend(loads);
    kernel_families(r, node, families);
}

fn cpu_families(
    r: &Readings,
    options: &Options,
    prev_cpu: &mut Option<Baseline<CpuLine>>,
    node: &[(String, String)],
    families: &mut Vec<Family>,
) {
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
    let mut by_mode = Family::new(
        "hivemind_node_cpu_mode_seconds_total",
        "CPU time by mode (user, nice, system, idle, iowait, irq, softirq, steal), summed over CPUs (per CPU with a cpu label when per_cpu is on), in seconds.",
        Kind::Counter,
    );
    let mut guest = Family::new(
        "hivemind_node_cpu_guest_seconds_total",
        "CPU time spent running virtual machines (mode user or nice; already inside those modes), in seconds.",
        Kind::Counter,
    );
    let mut cpus = Family::new(
        "hivemind_node_cpus",
        "CPUs the kernel reports time for.",
        Kind::Gauge,
    );
    if let Some(s) = &r.stat {
        let now = s.all;
        cpu_seconds.push(node.to_vec(), now.busy() as f64 / USER_HZ);
        let at = Instant::now();
        let since_boot = || percent(now.busy() as f64, now.total() as f64);
        let (usage, baseline) = match *prev_cpu {
            Some(p) if at.duration_since(p.at) < MIN_RATE_WINDOW => (p.last_rate, p),
            Some(p) if now.total() > p.value.total() && now.busy() >= p.value.busy() => {
                let busy = (now.busy() - p.value.busy()) as f64;
                let usage = percent(busy, (now.total() - p.value.total()) as f64);
                (Some(usage), Baseline::new(now, at, Some(usage)))
            }
            _ => (Some(since_boot()), Baseline::new(now, at, None)),
        };
        cpu_usage.push(node.to_vec(), usage.unwrap_or_else(since_boot));
        *prev_cpu = Some(baseline);

        let lines: Vec<(Option<String>, &CpuLine)> = if options.per_cpu {
            s.cpus
                .iter()
                .map(|(n, l)| (Some(n.to_string()), l))
                .collect()
        } else {
            vec![(None, &s.all)]
        };
        for (cpu, line) in lines {
            let base = |mode: &str| {
                let mut l = node.to_vec();
                if let Some(c) = &cpu {
                    l.push(label("cpu", c));
                }
                l.push(label("mode", mode));
                l
            };
            for (mode, ticks) in MODES.iter().zip(line.modes) {
                by_mode.push(base(mode), ticks as f64 / USER_HZ);
            }
            for (mode, ticks) in ["user", "nice"].iter().zip(line.guest) {
                guest.push(base(mode), ticks as f64 / USER_HZ);
            }
        }
        cpus.push(node.to_vec(), s.cpus.len() as f64);
    }
    families.extend([cpu_usage, cpu_seconds, by_mode, guest, cpus]);
}

fn memory_families(r: &Readings, node: &[(String, String)], families: &mut Vec<Family>) {
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
    if let Some(m) = r.mem {
        let used = m.total - m.available;
        mem_usage.push(node.to_vec(), percent(used as f64, m.total as f64));
        mem_used.push(node.to_vec(), used as f64);
        mem_total.push(node.to_vec(), m.total as f64);
    }
    families.extend([mem_usage, mem_used, mem_total]);
    // name, meminfo key, help
    const DETAIL: [(&str, &str, &str); 6] = [
        (
            "hivemind_node_memory_available_bytes",
            "MemAvailable",
            "Memory available for new work without swapping (MemAvailable), in bytes.",
        ),
        (
            "hivemind_node_memory_free_bytes",
            "MemFree",
            "Memory not used at all (MemFree), in bytes.",
        ),
        (
            "hivemind_node_memory_buffers_bytes",
            "Buffers",
            "Memory in block device buffers (Buffers), in bytes.",
        ),
        (
            "hivemind_node_memory_cached_bytes",
            "Cached",
            "Memory in the page cache (Cached), in bytes.",
        ),
        (
            "hivemind_node_swap_total_bytes",
            "SwapTotal",
            "Swap space (SwapTotal), in bytes.",
        ),
        (
            "hivemind_node_swap_free_bytes",
            "SwapFree",
            "Swap space unused (SwapFree), in bytes.",
        ),
    ];
    for (name, key, help) in DETAIL {
        let mut f = Family::new(name, help, Kind::Gauge);
        if let Some(v) = meminfo::get(&r.meminfo, key) {
            f.push(node.to_vec(), v);
        }
        families.push(f);
    }
    let mut huge = Family::new(
        "hivemind_node_hugepages",
        "Huge pages by state: total, free, reserved, surplus (HugePages_*).",
        Kind::Gauge,
    );
    for (state, key) in [
        ("total", "HugePages_Total"),
        ("free", "HugePages_Free"),
        ("reserved", "HugePages_Rsvd"),
        ("surplus", "HugePages_Surp"),
    ] {
        if let Some(v) = meminfo::get(&r.meminfo, key) {
            let mut l = node.to_vec();
            l.push(label("state", state));
            huge.push(l, v);
        }
    }
    let mut huge_size = Family::new(
        "hivemind_node_hugepage_size_bytes",
        "The size of one huge page (Hugepagesize), in bytes.",
        Kind::Gauge,
    );
    if let Some(v) = meminfo::get(&r.meminfo, "Hugepagesize") {
        huge_size.push(node.to_vec(), v);
    }
    families.extend([huge, huge_size]);
}

fn filesystem_families(r: &Readings, node: &[(String, String)], families: &mut Vec<Family>) {
    let specs: [(&str, &str); 7] = [
        ("size_bytes", "File system size, in bytes."),
        (
            "free_bytes",
            "File system space free, in bytes (root's reserve included).",
        ),
        (
            "avail_bytes",
            "File system space available to unprivileged users, in bytes.",
        ),
        ("files", "File system inodes."),
        ("files_free", "File system inodes free."),
        ("readonly", "1 when the file system is mounted read-only."),
        (
            "device_error",
            "1 when the file system's statistics could not be read (or the call hangs).",
        ),
    ];
    let mut fams: Vec<Family> = specs
        .iter()
        .map(|(n, h)| {
            Family::new(
                &format!("hivemind_node_filesystem_{n}"),
                &format!("{h} Mounts pass the mount point and type filters."),
                Kind::Gauge,
            )
        })
        .collect();
    fill_filesystems(r, node, false, &mut fams);
    families.extend(fams);
}

/// Fill the seven file-system families (size, free, avail, files, files free, read-only,
/// device error), in that order, for every listed mount: labels `base` plus device, fstype
/// and mountpoint. `node_exporter` selects its byte semantics (`FsStats::bytes`).
pub(super) fn fill_filesystems(
    r: &Readings,
    base: &[(String, String)],
    node_exporter: bool,
    fams: &mut [Family],
) {
    for fs in &r.filesystems {
        let mut l = base.to_vec();
        l.extend([
            label("device", &fs.mount.device),
            label("fstype", &fs.mount.fstype),
            label("mountpoint", &fs.mount.mountpoint),
        ]);
        if let Ok(s) = &fs.stats {
            let (size, free, avail) = s.bytes(node_exporter);
            let values = [
                size as f64,
                free as f64,
                avail as f64,
                s.files as f64,
                s.files_free as f64,
                f64::from(u8::from(fs.mount.read_only)),
            ];
            for (f, v) in fams.iter_mut().zip(values) {
                f.push(l.clone(), v);
            }
        }
        fams[6].push(l, f64::from(u8::from(fs.stats.is_err())));
    }
}

fn diskstats_families(r: &Readings, node: &[(String, String)], families: &mut Vec<Family>) {
    type Get = fn(&DiskStat) -> f64;
    let specs: [(&str, Kind, &str, Get); 9] = [
        (
            "reads_completed_total",
            Kind::Counter,
            "Reads completed.",
            |d| d.reads_completed as f64,
        ),
        (
            "writes_completed_total",
            Kind::Counter,
            "Writes completed.",
            |d| d.writes_completed as f64,
        ),
        ("read_bytes_total", Kind::Counter, "Bytes read.", |d| {
            d.sectors_read as f64 * diskstats::SECTOR_BYTES
        }),
        (
            "written_bytes_total",
            Kind::Counter,
            "Bytes written.",
            |d| d.sectors_written as f64 * diskstats::SECTOR_BYTES,
        ),
        (
            "read_time_seconds_total",
            Kind::Counter,
            "Time spent on reads, summed over requests, in seconds.",
            |d| d.read_ms as f64 / 1000.0,
        ),
        (
            "write_time_seconds_total",
            Kind::Counter,
            "Time spent on writes, summed over requests, in seconds.",
            |d| d.write_ms as f64 / 1000.0,
        ),
        (
            "io_time_seconds_total",
            Kind::Counter,
            "Time the device had I/O in flight (its busy time), in seconds.",
            |d| d.io_ms as f64 / 1000.0,
        ),
        (
            "io_time_weighted_seconds_total",
            Kind::Counter,
            "I/O time weighted by the requests in flight (the basis of average queue size), in seconds.",
            |d| d.weighted_io_ms as f64 / 1000.0,
        ),
        ("io_now", Kind::Gauge, "Requests in flight.", |d| {
            d.io_now as f64
        }),
    ];
    for (name, kind, help, get) in specs {
        let mut f = Family::new(
            &format!("hivemind_node_disk_{name}"),
            &format!("{help} Per block device (partitions, loop and RAM disks left out)."),
            kind,
        );
        for (d, _) in &r.disks {
            let mut l = node.to_vec();
            l.push(label("device", &d.device));
            f.push(l, get(d));
        }
        families.push(f);
    }
}

fn network_families(r: &Readings, node: &[(String, String)], families: &mut Vec<Family>) {
    // name, receive column, transmit column (indexes into netdev::RECEIVE / TRANSMIT)
    let specs: [(&str, &str, usize); 4] = [
        ("bytes", "Bytes", 0),
        ("packets", "Packets", 1),
        ("errors", "Errors", 2),
        ("drops", "Packets dropped", 3),
    ];
    for (dir, get) in [
        (
            "receive",
            (|d: &NetDev, i: usize| d.receive[i]) as fn(&NetDev, usize) -> u64,
        ),
        ("transmit", |d: &NetDev, i: usize| d.transmit[i]),
    ] {
        for (what, help, i) in specs {
            let help = format!(
                "{help} {}d per network interface (interfaces pass the device filters; loopback is left out by default).",
                if dir == "receive" {
                    "receive"
                } else {
                    "transmitte"
                }
            );
            let mut f = Family::new(
                &format!("hivemind_node_network_{dir}_{what}_total"),
                &help,
                Kind::Counter,
            );
            for d in &r.netdev {
                let mut l = node.to_vec();
                l.push(label("interface", &d.interface));
                f.push(l, get(d, i) as f64);
            }
            families.push(f);
        }
    }
}

/// Pressure, vmstat, /proc/stat counters, boot time, time and uname.
fn kernel_families(r: &Readings, node: &[(String, String)], families: &mut Vec<Family>) {
    let mut waiting = Family::new(
        "hivemind_node_pressure_waiting_seconds_total",
        "Time at least one task waited for the resource (PSI some), in seconds.",
        Kind::Counter,
    );
    let mut stalled = Family::new(
        "hivemind_node_pressure_stalled_seconds_total",
        "Time every non-idle task was stalled on the resource at once (PSI full), in seconds.",
        Kind::Counter,
    );
    for (resource, p) in &r.pressure {
        let mut l = node.to_vec();
        l.push(label("resource", resource));
        if let Some(v) = p.some {
            waiting.push(l.clone(), v);
        }
        // The kernel reports cpu full from 5.13 on, always 0 at the system level.
        if let Some(v) = p.full
            && *resource != "cpu"
        {
            stalled.push(l, v);
        }
    }
    families.extend([waiting, stalled]);

    let vm = |k: &str| super::vmstat::get(&r.vmstat, k).map(|v| v as f64);
    let mut faults = Family::new(
        "hivemind_node_page_faults_total",
        "Page faults (pgfault), minor and major.",
        Kind::Counter,
    );
    let mut major = Family::new(
        "hivemind_node_major_page_faults_total",
        "Page faults that needed I/O (pgmajfault).",
        Kind::Counter,
    );
    let mut paged = Family::new(
        "hivemind_node_paged_bytes_total",
        "Bytes paged in from and out to block devices (pgpgin, pgpgout), by direction.",
        Kind::Counter,
    );
    let mut swapped = Family::new(
        "hivemind_node_swapped_pages_total",
        "Pages swapped in and out (pswpin, pswpout), by direction.",
        Kind::Counter,
    );
    let mut ooms = Family::new(
        "hivemind_node_oom_kills_total",
        "Processes killed by the kernel's out-of-memory killer (oom_kill).",
        Kind::Counter,
    );
    if let Some(v) = vm("pgfault") {
        faults.push(node.to_vec(), v);
    }
    if let Some(v) = vm("pgmajfault") {
        major.push(node.to_vec(), v);
    }
    for (dir, pg, ps) in [("in", "pgpgin", "pswpin"), ("out", "pgpgout", "pswpout")] {
        let mut l = node.to_vec();
        l.push(label("direction", dir));
        if let Some(v) = vm(pg) {
            // The kernel counts these in KiB.
            paged.push(l.clone(), v * 1024.0);
        }
        if let Some(v) = vm(ps) {
            swapped.push(l, v);
        }
    }
    if let Some(v) = vm("oom_kill") {
        ooms.push(node.to_vec(), v);
    }
    families.extend([faults, major, paged, swapped, ooms]);

    type Get = fn(&Stat) -> Option<u64>;
    let specs: [(&str, Kind, &str, Get); 6] = [
        (
            "hivemind_node_context_switches_total",
            Kind::Counter,
            "Context switches since boot.",
            |s| s.context_switches,
        ),
        (
            "hivemind_node_interrupts_total",
            Kind::Counter,
            "Interrupts serviced since boot.",
            |s| s.interrupts,
        ),
        (
            "hivemind_node_forks_total",
            Kind::Counter,
            "Processes and threads created since boot.",
            |s| s.forks,
        ),
        (
            "hivemind_node_procs_running",
            Kind::Gauge,
            "Threads runnable (running or waiting for a CPU).",
            |s| s.procs_running,
        ),
        (
            "hivemind_node_procs_blocked",
            Kind::Gauge,
            "Threads blocked waiting for I/O.",
            |s| s.procs_blocked,
        ),
        (
            "hivemind_node_boot_time_seconds",
            Kind::Gauge,
            "When the node booted, in seconds since the epoch.",
            |s| s.boot_time,
        ),
    ];
    for (name, kind, help, get) in specs {
        let mut f = Family::new(name, help, kind);
        if let Some(v) = r.stat.as_ref().and_then(get) {
            f.push(node.to_vec(), v as f64);
        }
        families.push(f);
    }
    let mut time = Family::new(
        "hivemind_node_time_seconds",
        "The node's clock when it was read, in seconds since the epoch.",
        Kind::Gauge,
    );
    time.push(node.to_vec(), r.time);
    let mut uname = Family::new(
        "hivemind_node_uname_info",
        "Always 1; the labels are what uname(2) says.",
        Kind::Gauge,
    );
    if let Some(u) = &r.uname {
        let mut l = node.to_vec();
        l.extend(uname_labels(u));
        uname.push(l, 1.0);
    }
    families.extend([time, uname]);
}

/// uname's labels, in node_exporter's order.
pub(super) fn uname_labels(u: &Uname) -> [(String, String); 6] {
    [
        label("domainname", &u.domainname),
        label("machine", &u.machine),
        label("nodename", &u.nodename),
        label("release", &u.release),
        label("sysname", &u.sysname),
        label("version", &u.version),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn real_node_readings() {
        let config = CollectorConfig::default();
        let mut totals = BTreeMap::new();
        let mut errors = Errors {
            totals: &mut totals,
            messages: Vec::new(),
        };
        let r = read(
            &config,
            &Options::default(),
            &Statter::default(),
            &mut errors,
        );
        assert!(r.stat.is_some() && r.mem.is_some() && r.loadavg.is_some());
        for (_, _, s) in &r.storage {
            let (size, _, avail) = s.bytes(false);
            assert!(size > 0 && avail <= size, "{s:?}");
        }
        assert!(r.netdev.iter().all(|d| d.interface != "lo"));
        assert!(r.uname.is_some());
    }
}
