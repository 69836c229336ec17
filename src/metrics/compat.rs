//! The node_exporter-compatible view: the node readings under node_exporter 1.5's own
//! names, types, units and labels (its cpu, meminfo, diskstats, filesystem, netdev,
//! pressure, vmstat, stat, loadavg, uname and time collectors), so that dashboards and
//! alert rules written for node_exporter work unchanged. No `node` label: node_exporter has
//! none (Prometheus adds `instance`).

use super::diskstats::SECTOR_BYTES;
use super::netdev::{RECEIVE, TRANSMIT};
use super::node::{Readings, USER_HZ, uname_labels};
use super::stat::MODES;
use super::{Family, Kind, label};

fn one(name: &str, help: &str, kind: Kind, value: Option<f64>) -> Family {
    let mut f = Family::new(name, help, kind);
    if let Some(v) = value {
        f.push(Vec::new(), v);
    }
    f
}

/// Every compat family made from `r`.
pub(super) fn families(r: &Readings, families: &mut Vec<Family>) {
    cpu(r, families);
    for field in &r.meminfo {
        let mut f = Family::new(
            &format!("node_memory_{}", field.key),
            &format!("Memory information field {}.", field.key),
            Kind::Gauge,
        );
        f.push(Vec::new(), field.value);
        families.push(f);
    }
    diskstats(r, families);
    filesystem(r, families);
    for (dir, columns, get) in [
        (
            "receive",
            RECEIVE,
            (|d: &super::netdev::NetDev, i: usize| d.receive[i])
                as fn(&super::netdev::NetDev, usize) -> u64,
        ),
        ("transmit", TRANSMIT, |d, i| d.transmit[i]),
    ] {
        for (i, col) in columns.iter().enumerate() {
            let mut f = Family::new(
                &format!("node_network_{dir}_{col}_total"),
                &format!("Network device statistic {dir}_{col}."),
                Kind::Counter,
            );
            for d in &r.netdev {
                f.push(vec![label("device", &d.interface)], get(d, i) as f64);
            }
            families.push(f);
        }
    }
    for (resource, p) in &r.pressure {
        families.push(one(
            &format!("node_pressure_{resource}_waiting_seconds_total"),
            &format!("Total time in seconds that processes have waited for {resource}."),
            Kind::Counter,
            p.some,
        ));
        if *resource != "cpu" {
            families.push(one(
                &format!("node_pressure_{resource}_stalled_seconds_total"),
                &format!("Total time in seconds no process could make progress due to {resource}."),
                Kind::Counter,
                p.full,
            ));
        }
    }
    for (key, value) in &r.vmstat {
        families.push(one(
            &format!("node_vmstat_{key}"),
            &format!("/proc/vmstat information field {key}."),
            Kind::Untyped,
            Some(*value as f64),
        ));
    }
    stat(r, families);
    if let Some(avg) = r.loadavg {
        for (m, v) in ["1", "5", "15"].iter().zip(avg) {
            families.push(one(
                &format!("node_load{m}"),
                &format!("{m}m load average."),
                Kind::Gauge,
                Some(v),
            ));
        }
    }
    let mut uname = Family::new(
        "node_uname_info",
        "Labeled system information as provided by the uname system call.",
        Kind::Gauge,
    );
    if let Some(u) = &r.uname {
        uname.push(uname_labels(u).to_vec(), 1.0);
    }
    families.push(uname);
    families.push(one(
        "node_time_seconds",
        "System time in seconds since epoch (1970).",
        Kind::Gauge,
        Some(r.time),
    ));
    let mut available = Family::new(
        "node_time_clocksource_available_info",
        "Available clocksources read from '/sys/devices/system/clocksource'.",
        Kind::Gauge,
    );
    let mut current = Family::new(
        "node_time_clocksource_current_info",
        "Current clocksource read from '/sys/devices/system/clocksource'.",
        Kind::Gauge,
    );
    if let Some((all, now)) = &r.clocksource {
        for c in all {
            available.push(vec![label("clocksource", c), label("device", "0")], 1.0);
        }
        current.push(vec![label("clocksource", now), label("device", "0")], 1.0);
    }
    families.extend([available, current]);
}

fn cpu(r: &Readings, families: &mut Vec<Family>) {
    let mut seconds = Family::new(
        "node_cpu_seconds_total",
        "Seconds the CPUs spent in each mode.",
        Kind::Counter,
    );
    let mut guest = Family::new(
        "node_cpu_guest_seconds_total",
        "Seconds the CPUs spent in guests (VMs) for each mode.",
        Kind::Counter,
    );
    if let Some(s) = &r.stat {
        for (n, line) in &s.cpus {
            let cpu = n.to_string();
            for (mode, ticks) in MODES.iter().zip(line.modes) {
                seconds.push(
                    vec![label("cpu", &cpu), label("mode", mode)],
                    ticks as f64 / USER_HZ,
                );
            }
            for (mode, ticks) in ["user", "nice"].iter().zip(line.guest) {
                guest.push(
                    vec![label("cpu", &cpu), label("mode", mode)],
                    ticks as f64 / USER_HZ,
                );
            }
        }
    }
    families.extend([seconds, guest]);
}

fn stat(r: &Readings, families: &mut Vec<Family>) {
    let Some(s) = &r.stat else { return };
    let as_f = |v: Option<u64>| v.map(|v| v as f64);
    families.extend([
        one(
            "node_boot_time_seconds",
            "Node boot time, in unixtime.",
            Kind::Gauge,
            as_f(s.boot_time),
        ),
        one(
            "node_context_switches_total",
            "Total number of context switches.",
            Kind::Counter,
            as_f(s.context_switches),
        ),
        one(
            "node_forks_total",
            "Total number of forks.",
            Kind::Counter,
            as_f(s.forks),
        ),
        one(
            "node_intr_total",
            "Total number of interrupts serviced.",
            Kind::Counter,
            as_f(s.interrupts),
        ),
        one(
            "node_procs_blocked",
            "Number of processes blocked waiting for I/O to complete.",
            Kind::Gauge,
            as_f(s.procs_blocked),
        ),
        one(
            "node_procs_running",
            "Number of processes in runnable state.",
            Kind::Gauge,
            as_f(s.procs_running),
        ),
    ]);
}

fn diskstats(r: &Readings, families: &mut Vec<Family>) {
    type Get = fn(&super::diskstats::DiskStat) -> Option<f64>;
    let specs: [(&str, Kind, &str, Get); 17] = [
        (
            "reads_completed_total",
            Kind::Counter,
            "The total number of reads completed successfully.",
            |d| Some(d.reads_completed as f64),
        ),
        (
            "reads_merged_total",
            Kind::Counter,
            "The total number of reads merged.",
            |d| Some(d.reads_merged as f64),
        ),
        (
            "read_bytes_total",
            Kind::Counter,
            "The total number of bytes read successfully.",
            |d| Some(d.sectors_read as f64 * SECTOR_BYTES),
        ),
        (
            "read_time_seconds_total",
            Kind::Counter,
            "The total number of seconds spent by all reads.",
            |d| Some(d.read_ms as f64 / 1000.0),
        ),
        (
            "writes_completed_total",
            Kind::Counter,
            "The total number of writes completed successfully.",
            |d| Some(d.writes_completed as f64),
        ),
        (
            "writes_merged_total",
            Kind::Counter,
            "The number of writes merged.",
            |d| Some(d.writes_merged as f64),
        ),
        (
            "written_bytes_total",
            Kind::Counter,
            "The total number of bytes written successfully.",
            |d| Some(d.sectors_written as f64 * SECTOR_BYTES),
        ),
        (
            "write_time_seconds_total",
            Kind::Counter,
            "This is the total number of seconds spent by all writes.",
            |d| Some(d.write_ms as f64 / 1000.0),
        ),
        (
            "io_now",
            Kind::Gauge,
            "The number of I/Os currently in progress.",
            |d| Some(d.io_now as f64),
        ),
        (
            "io_time_seconds_total",
            Kind::Counter,
            "Total seconds spent doing I/Os.",
            |d| Some(d.io_ms as f64 / 1000.0),
        ),
        (
            "io_time_weighted_seconds_total",
            Kind::Counter,
            "The weighted # of seconds spent doing I/Os.",
            |d| Some(d.weighted_io_ms as f64 / 1000.0),
        ),
        (
            "discards_completed_total",
            Kind::Counter,
            "The total number of discards completed successfully.",
            |d| d.discard.map(|x| x[0] as f64),
        ),
        (
            "discards_merged_total",
            Kind::Counter,
            "The total number of discards merged.",
            |d| d.discard.map(|x| x[1] as f64),
        ),
        (
            "discarded_sectors_total",
            Kind::Counter,
            "The total number of sectors discarded successfully.",
            |d| d.discard.map(|x| x[2] as f64),
        ),
        (
            "discard_time_seconds_total",
            Kind::Counter,
            "This is the total number of seconds spent by all discards.",
            |d| d.discard.map(|x| x[3] as f64 / 1000.0),
        ),
        (
            "flush_requests_total",
            Kind::Counter,
            "The total number of flush requests completed successfully",
            |d| d.flush.map(|x| x[0] as f64),
        ),
        (
            "flush_requests_time_seconds_total",
            Kind::Counter,
            "This is the total number of seconds spent by all flush requests.",
            |d| d.flush.map(|x| x[1] as f64 / 1000.0),
        ),
    ];
    for (name, kind, help, get) in specs {
        let mut f = Family::new(&format!("node_disk_{name}"), help, kind);
        for (d, _) in &r.disks {
            if let Some(v) = get(d) {
                f.push(vec![label("device", &d.device)], v);
            }
        }
        families.push(f);
    }
    let mut info = Family::new(
        "node_disk_info",
        "Info of /sys/block/<block_device>.",
        Kind::Gauge,
    );
    for (d, u) in &r.disks {
        info.push(
            vec![
                label("device", &d.device),
                label("major", &d.major.to_string()),
                label("minor", &d.minor.to_string()),
                label("model", &u.model),
                label("path", &u.path),
                label("revision", &u.revision),
                label("serial", &u.serial),
                label("wwn", &u.wwn),
            ],
            1.0,
        );
    }
    families.push(info);
}

fn filesystem(r: &Readings, families: &mut Vec<Family>) {
    let names = [
        ("size_bytes", "Filesystem size in bytes."),
        ("free_bytes", "Filesystem free space in bytes."),
        (
            "avail_bytes",
            "Filesystem space available to non-root users in bytes.",
        ),
        ("files", "Filesystem total file nodes."),
        ("files_free", "Filesystem total free file nodes."),
        ("readonly", "Filesystem read-only status."),
        (
            "device_error",
            "Whether an error occurred while getting statistics for the given device.",
        ),
    ];
    let mut fams: Vec<Family> = names
        .iter()
        .map(|(n, h)| Family::new(&format!("node_filesystem_{n}"), h, Kind::Gauge))
        .collect();
    super::node::fill_filesystems(r, &[], true, &mut fams);
    families.extend(fams);
}
