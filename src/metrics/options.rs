//! What a collection includes: the node_exporter-compatible view, per-CPU series, the
//! per-process view, and the device and mount filters. Changed live by `configure-metrics`.

use regex::Regex;

use crate::error::{Error, Result};
use crate::model::config::{Compat, MetricFilters, MetricsConfig};

/// node_exporter's default `--collector.filesystem.mount-points-exclude` (upstream 1.5;
/// Debian's package patches in `run`, `mnt` and `media`).
pub const DEFAULT_MOUNT_POINTS_EXCLUDE: &str =
    r"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";

/// node_exporter's default `--collector.filesystem.fs-types-exclude`.
pub const DEFAULT_FS_TYPES_EXCLUDE: &str = r"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";

/// node_exporter's default `--collector.netdev.device-exclude`.
pub const DEFAULT_NETDEV_EXCLUDE: &str = "^lo$";

/// node_exporter's default `--collector.diskstats.device-exclude`: partitions, RAM disks,
/// loop and floppy devices.
pub const DEFAULT_DISKSTATS_EXCLUDE: &str = r"^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$";

/// Compile a filter given by the user: `field` names it in the error.
pub fn compile(field: &str, pattern: &str) -> Result<Regex> {
    crate::model::validate::filter_regex(pattern).map_err(|a| Error::invalid(field, pattern, a))
}

/// The device and mount filters: a name is kept when it matches the include pattern (if
/// any) and not the exclude pattern.
#[derive(Debug, Clone)]
pub struct Filters {
    pub mount_points_exclude: Regex,
    pub fs_types_exclude: Regex,
    pub netdev_include: Option<Regex>,
    pub netdev_exclude: Option<Regex>,
    pub diskstats_exclude: Regex,
}

impl Default for Filters {
    fn default() -> Self {
        // The defaults are constants known to compile; `Regex::new` cannot fail on them
        // (a unit test compiles each), but no panic is allowed here either.
        let re = |p: &str| Regex::new(p).unwrap_or_else(|_| never_matches());
        Filters {
            mount_points_exclude: re(DEFAULT_MOUNT_POINTS_EXCLUDE),
            fs_types_exclude: re(DEFAULT_FS_TYPES_EXCLUDE),
            netdev_include: None,
            netdev_exclude: Some(re(DEFAULT_NETDEV_EXCLUDE)),
            diskstats_exclude: re(DEFAULT_DISKSTATS_EXCLUDE),
        }
    }
}

fn never_matches() -> Regex {
    // `[^\s\S]` matches no character; it compiles on every regex version.
    #[allow(clippy::unwrap_used)]
    Regex::new(r"[^\s\S]").unwrap()
}

impl Filters {
    pub fn filesystem(&self, mountpoint: &str, fstype: &str) -> bool {
        !self.mount_points_exclude.is_match(mountpoint) && !self.fs_types_exclude.is_match(fstype)
    }

    pub fn netdev(&self, device: &str) -> bool {
        self.netdev_include
            .as_ref()
            .is_none_or(|r| r.is_match(device))
            && self
                .netdev_exclude
                .as_ref()
                .is_none_or(|r| !r.is_match(device))
    }

    pub fn disk(&self, device: &str) -> bool {
        !self.diskstats_exclude.is_match(device)
    }
}

impl Filters {
    /// The filters a saved configuration asks for, node_exporter's defaults where it says
    /// nothing.
    pub fn from_config(f: &MetricFilters) -> Result<Filters> {
        let mut out = Filters::default();
        if let Some(p) = &f.filesystem_mount_points_exclude {
            out.mount_points_exclude = compile("filesystem_mount_points_exclude", p)?;
        }
        if let Some(p) = &f.filesystem_fs_types_exclude {
            out.fs_types_exclude = compile("filesystem_fs_types_exclude", p)?;
        }
        if let Some(p) = &f.netdev_device_include {
            out.netdev_include = Some(compile("netdev_device_include", p)?);
        }
        if let Some(p) = &f.netdev_device_exclude {
            out.netdev_exclude = Some(compile("netdev_device_exclude", p)?);
        }
        Ok(out)
    }
}

/// What one collection includes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Also the node families under node_exporter's names, types and labels.
    pub node_exporter: bool,
    /// CPU time by mode per CPU (a `cpu` label) in the hivemind view, not only summed.
    pub per_cpu: bool,
    /// The per-process view, grouped by process name (`hivemind_process_*{groupname}`).
    pub process_metrics: bool,
    pub filters: Filters,
}

impl Options {
    /// From the (effective) metrics configuration and the daemon's `--process-metrics`.
    pub fn from_config(config: &MetricsConfig, process_metrics: bool) -> Result<Options> {
        Ok(Options {
            node_exporter: config.compat == Compat::NodeExporter,
            per_cpu: config.per_cpu,
            process_metrics,
            filters: Filters::from_config(&config.filters)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_compile_and_filter_like_node_exporter() {
        for p in [
            DEFAULT_MOUNT_POINTS_EXCLUDE,
            DEFAULT_FS_TYPES_EXCLUDE,
            DEFAULT_NETDEV_EXCLUDE,
            DEFAULT_DISKSTATS_EXCLUDE,
        ] {
            compile("x", p).unwrap();
        }
        let f = Filters::default();
        assert!(f.filesystem("/", "ext4"));
        assert!(f.filesystem("/var/lib/docker", "ext4"));
        assert!(!f.filesystem("/var/lib/docker/overlay2/x/merged", "overlay"));
        assert!(!f.filesystem("/dev/shm", "tmpfs"));
        assert!(!f.filesystem("/data", "cgroup2"));
        assert!(f.filesystem("/run", "tmpfs"));
        assert!(!f.netdev("lo") && f.netdev("eth0") && f.netdev("lo0"));
        assert!(f.disk("vda") && f.disk("nvme0n1") && f.disk("zram0"));
        assert!(!f.disk("vda1") && !f.disk("loop0") && !f.disk("nvme0n1p2"));
    }

    #[test]
    fn bad_patterns_are_named() {
        let e = compile("netdev_include", "(eth").unwrap_err().to_string();
        assert!(e.contains("netdev_include") && e.contains("(eth"), "{e}");
        assert!(compile("x", "^(a{1000}){1000}$").is_err());
        assert!(compile("x", &"a".repeat(5000)).is_err());
    }
}
