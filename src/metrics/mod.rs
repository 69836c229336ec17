//! Node, container and self metrics from /proc, /sys and cgroups, exposed as Prometheus text.

pub mod catalogue;
mod compat;
mod container;
mod diskstats;
pub mod expose;
pub(crate) mod filesystem;
pub mod lint;
pub(crate) mod meminfo;
mod netdev;
mod node;
pub mod options;
mod pressure;
mod process;
mod process_groups;
mod self_process;
pub(crate) mod stat;
pub(crate) mod system;
mod traffic;
mod vmstat;

pub use node::is_storage;
pub use options::{Filters, Options};

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use stat::CpuLine;

/// A Prometheus metric type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Counter,
    Gauge,
    /// Samples carry the `_bucket` (with `le`), `_sum` and `_count` suffixes.
    Histogram,
    /// Only in the node_exporter-compatible view, where node_exporter exposes a family
    /// untyped (its vmstat fields).
    Untyped,
}

/// One series: its labels (in a fixed order per family) and its current value.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// Serialised as a JSON object, keys in this order.
    #[serde(serialize_with = "labels_as_map")]
    pub labels: Vec<(String, String)>,
    pub value: f64,
    /// Appended to the family name on exposition: empty, or `_bucket`/`_sum`/`_count` for
    /// histograms.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub suffix: &'static str,
}

fn labels_as_map<S: Serializer>(labels: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(labels.len()))?;
    for (k, v) in labels {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// A metric family: every series of one metric name.
#[derive(Debug, Clone, Serialize)]
pub struct Family {
    pub name: String,
    pub help: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub samples: Vec<Sample>,
}

impl Family {
    pub fn new(name: &str, help: &str, kind: Kind) -> Family {
        Family {
            name: name.to_string(),
            help: help.to_string(),
            kind,
            samples: Vec::new(),
        }
    }

    /// Add a series. Values that are not finite are dropped: a series that cannot be
    /// measured is absent rather than `NaN`.
    pub fn push(&mut self, labels: Vec<(String, String)>, value: f64) {
        if value.is_finite() {
            self.samples.push(Sample {
                labels,
                value,
                suffix: "",
            });
        }
    }

    /// Add a histogram: cumulative `(upper bound, count)` buckets (the `+Inf` bucket is added
    /// from `count`), the sum of observations, and their count.
    pub fn push_histogram(
        &mut self,
        labels: Vec<(String, String)>,
        buckets: &[(f64, u64)],
        sum: f64,
        count: u64,
    ) {
        for (le, n) in buckets {
            let mut l = labels.clone();
            l.push(("le".into(), crate::model::rule::fmt_number(*le)));
            self.samples.push(Sample {
                labels: l,
                value: *n as f64,
                suffix: "_bucket",
            });
        }
        let mut l = labels.clone();
        l.push(("le".into(), "+Inf".into()));
        self.samples.push(Sample {
            labels: l,
            value: count as f64,
            suffix: "_bucket",
        });
        self.samples.push(Sample {
            labels: labels.clone(),
            value: sum,
            suffix: "_sum",
        });
        self.samples.push(Sample {
            labels,
            value: count as f64,
            suffix: "_count",
        });
    }

    /// Sort series by labels and drop repeated label sets, keeping the first.
    fn finish(&mut self) {
        self.samples.sort_by(|a, b| a.labels.cmp(&b.labels));
        self.samples
            .dedup_by(|later, first| later.labels == first.labels);
    }
}

/// One collection.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// RFC 3339 with milliseconds.
    pub collected_at: String,
    /// How long [`Collector::collect`] took.
    pub collection_seconds: f64,
    /// Sorted by name; each family's series sorted by labels.
    pub families: Vec<Family>,
    /// What failed in this collection (`collector: message`); the failures are also
    /// counted in `hivemind_collector_errors_total`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl Snapshot {
    /// One family by metric name (for `/api/metrics/{name}`); seed names are accepted too
    /// (see [`canonical_name`]).
    pub fn family(&self, name: &str) -> Option<&Family> {
        let name = canonical_name(name);
        self.families.iter().find(|f| f.name == name)
    }
}

/// Seed metric names that break Prometheus conventions (`promtool check metrics` rejects a
/// `_count` suffix outside histograms and counters without `_total`), and the names we
/// expose instead.
pub const SEED_ALIASES: [(&str, &str); 12] = [
    ("hivemind_node_count", "hivemind_nodes"),
    (
        "hivemind_node_network_rx",
        "hivemind_node_network_receive_bytes_total",
    ),
    (
        "hivemind_node_network_tx",
        "hivemind_node_network_transmit_bytes_total",
    ),
    ("hivemind_container_count", "hivemind_containers"),
    (
        "hivemind_container_status_count",
        "hivemind_containers_by_status",
    ),
    (
        "hivemind_container_network_rx",
        "hivemind_container_network_receive_bytes_total",
    ),
    (
        "hivemind_container_network_tx",
        "hivemind_container_network_transmit_bytes_total",
    ),
    (
        "hivemind_container_disk_read",
        "hivemind_container_disk_read_bytes_total",
    ),
    (
        "hivemind_container_disk_write",
        "hivemind_container_disk_write_bytes_total",
    ),
    (
        "hivemind_network_traffic",
        "hivemind_network_traffic_bytes_total",
    ),
    ("hivemind_network_errors", "hivemind_network_errors_total"),
    (
        "hivemind_network_latency",
        "hivemind_network_latency_seconds",
    ),
];

/// The exposed name for a metric name that may be a seed name; other names are returned
/// unchanged.
pub fn canonical_name(name: &str) -> &str {
    SEED_ALIASES
        .iter()
        .find(|(seed, _)| *seed == name)
        .map_or(name, |(_, ours)| ours)
}

/// Stats the daemon feeds back into the self metrics.
#[derive(Debug, Clone, Default)]
pub struct SelfStats {
    pub scrapes_total: u64,
    pub last_scrape_seconds: f64,
}

/// Where and how to collect.
#[derive(Debug, Clone)]
pub struct CollectorConfig {
    /// The `node` label on node and container metrics.
    pub node_id: String,
    /// The cgroup mount root (`/sys/fs/cgroup`).
    pub cgroup_root: PathBuf,
    /// The proc mount (`/proc`). File system usage always comes from the real mount table.
    pub proc_root: PathBuf,
    /// At most this many containers get series; the rest are counted in
    /// `hivemind_containers_dropped_total`.
    pub max_containers: usize,
    /// At most this many process-name groups exist at once with `--process-metrics`.
    pub max_process_groups: usize,
    /// What a collection includes (views, filters); [`Collector::set_options`] changes it.
    pub options: Options,
}

impl Default for CollectorConfig {
    fn default() -> Self {
        CollectorConfig {
            node_id: system::hostname(),
            cgroup_root: "/sys/fs/cgroup".into(),
            proc_root: "/proc".into(),
            max_containers: 200,
            max_process_groups: DEFAULT_MAX_PROCESS_GROUPS,
            options: Options::default(),
        }
    }
}

/// The default bound on process-name groups (`--process-metrics`).
pub const DEFAULT_MAX_PROCESS_GROUPS: usize = 64;

/// The `collector` label values of `hivemind_collector_errors_total`.
const SOURCES: [&str; 16] = [
    "cgroup",
    "container",
    "container_network",
    "cpu",
    "diskstats",
    "filesystem",
    "loadavg",
    "meminfo",
    "netdev",
    "network",
    "pressure",
    "process",
    "self",
    "uname",
    "vmstat",
    "process_groups",
];

/// Collects snapshots; keeps the previous counters that rates are computed from.
pub struct Collector {
    config: CollectorConfig,
    /// statvfs with a bound on hanging mounts.
    statter: filesystem::Statter,
    prev_cpu: Option<Baseline<CpuLine>>,
    /// CPU seconds per container (or process incarnation).
    prev_containers: HashMap<String, Baseline<f64>>,
    errors_total: BTreeMap<&'static str, u64>,
    dropped_total: u64,
    names: crate::containers::names::Names,
    groups: process_groups::Groups,
    /// Sockets and per source/destination totals between collections.
    traffic: crate::netflow::Tracker,
}

/// Rates over windows shorter than this repeat the previous rate and keep the old baseline:
/// /proc counts CPU in 10 ms ticks, so back-to-back scrapes would otherwise report noise
/// (0 % or 1000 %). Also the shortest CPU sample `health status` takes.
pub(crate) const MIN_RATE_WINDOW: std::time::Duration = std::time::Duration::from_millis(200);

/// A counter's reading that rates are computed against.
#[derive(Debug, Clone, Copy)]
struct Baseline<T> {
    value: T,
    at: Instant,
    /// The rate computed when this baseline was taken, repeated for too-short windows.
    last_rate: Option<f64>,
}

impl<T> Baseline<T> {
    fn new(value: T, at: Instant, last_rate: Option<f64>) -> Self {
        Baseline {
            value,
            at,
            last_rate,
        }
    }
}

/// Collection-wide state while collecting: the error list and its counters.
struct Errors<'a> {
    totals: &'a mut BTreeMap<&'static str, u64>,
    messages: Vec<String>,
}

impl Errors<'_> {
    fn record(&mut self, source: &'static str, message: impl std::fmt::Display) {
        *self.totals.entry(source).or_insert(0) += 1;
        self.messages.push(format!("{source}: {message}"));
    }
}

fn label(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

fn percent(part: f64, whole: f64) -> f64 {
    // A zero denominator gives NaN or ∞, which `Family::push` leaves out.
    part * 100.0 / whole
}

impl Collector {
    /// Never fails: a source that is missing shows up as collector errors at collect time.
    pub fn new(config: CollectorConfig) -> Collector {
        Collector {
            statter: filesystem::Statter::default(),
            prev_cpu: None,
            prev_containers: HashMap::new(),
            errors_total: SOURCES.iter().map(|s| (*s, 0)).collect(),
            dropped_total: 0,
            names: crate::containers::names::Names::default(),
            groups: process_groups::Groups::default(),
            traffic: crate::netflow::Tracker::new(&config.proc_root),
            config,
        }
    }

    #[cfg(test)]
    fn with_names(config: CollectorConfig, roots: crate::containers::names::Roots) -> Collector {
        Collector {
            names: crate::containers::names::Names::with_roots(roots),
            ..Collector::new(config)
        }
    }

    /// Change what the next collections include.
    pub fn set_options(&mut self, options: Options) {
        self.config.options = options;
    }

    pub fn options(&self) -> &Options {
        &self.config.options
    }

    /// Collect every metric. Blocking (file reads only, no sleeping): call it from
    /// `spawn_blocking`. Rates (CPU percentages) need a previous collection: the first call
    /// reports node CPU averaged since boot and no container CPU percentages.
    pub fn collect(&mut self) -> Snapshot {
        let started = Instant::now();
        let collected_at = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let mut errors = Errors {
            totals: &mut self.errors_total,
            messages: Vec::new(),
        };
        let mut families = Vec::with_capacity(32);
        let node_labels = vec![label("node", &self.config.node_id)];

        let options = &self.config.options;
        let readings = node::read(&self.config, options, &self.statter, &mut errors);
        node::families(
            &readings,
            options,
            &mut self.prev_cpu,
            &node_labels,
            &mut families,
        );
        if options.node_exporter {
            compat::families(&readings, &mut families);
        }
        self_process::families(
            readings.stat.as_ref().and_then(|s| s.boot_time),
            &mut errors,
            &mut families,
        );
        let mem = readings.mem;
        if options.process_metrics {
            self.groups
                .collect(&self.config, &node_labels, &mut errors, &mut families);
        }
        let inventory = container::inventory(
            &self.config,
            &mut self.names,
            &mut self.dropped_total,
            &mut errors,
        );
        container::families(
            &inventory,
            &mut self.prev_containers,
            mem.map(|m| m.total),
            &node_labels,
            &mut families,
        );
        traffic::families(
            &mut self.traffic,
            &inventory.workloads,
            &node_labels,
            &mut errors,
            &mut families,
        );

        let messages = errors.messages;
        let mut build = Family::new(
            "hivemind_build_info",
            "Always 1; the version label is this agent's version.",
            Kind::Gauge,
        );
        build.push(vec![label("version", env!("CARGO_PKG_VERSION"))], 1.0);
        let mut errs = Family::new(
            "hivemind_collector_errors_total",
            "Failures to read a metric source (missing file, permission, parse error); the other sources still report.",
            Kind::Counter,
        );
        for (source, n) in &self.errors_total {
            errs.push(vec![label("collector", source)], *n as f64);
        }
        let mut dropped = Family::new(
            "hivemind_containers_dropped_total",
            "Container series left out because more containers than max_containers were found, summed over collections.",
            Kind::Counter,
        );
        dropped.push(Vec::new(), self.dropped_total as f64);
        families.extend([build, errs, dropped]);

        let collection_seconds = started.elapsed().as_secs_f64();
        let mut duration = Family::new(
            "hivemind_collection_duration_seconds",
            "How long the last collection of these metrics took.",
            Kind::Gauge,
        );
        duration.push(Vec::new(), collection_seconds);
        families.push(duration);

        for f in &mut families {
            f.finish();
        }
        families.sort_by(|a, b| a.name.cmp(&b.name));
        Snapshot {
            collected_at,
            collection_seconds,
            families,
            errors: messages,
        }
    }
}

/// The scrape self metrics, which only the daemon knows.
pub fn scrape_families(stats: &SelfStats) -> [Family; 2] {
    let mut scrapes = Family::new(
        "hivemind_scrapes_total",
        "Scrapes of the metrics endpoint served.",
        Kind::Counter,
    );
    scrapes.push(Vec::new(), stats.scrapes_total as f64);
    let mut duration = Family::new(
        "hivemind_scrape_duration_seconds",
        "How long the previous scrape of the metrics endpoint took.",
        Kind::Gauge,
    );
    duration.push(Vec::new(), stats.last_scrape_seconds);
    [duration, scrapes]
}

/// Encode a snapshot plus the families exposed next to it (the daemon's
/// [`scrape_families`], alerting's) into Prometheus text format 0.0.4.
pub fn encode_text(snapshot: &Snapshot, extra: &[Family]) -> String {
    let mut all: Vec<&Family> = snapshot.families.iter().chain(extra.iter()).collect();
    // Stable: on a repeated name the snapshot's family comes first and is the one kept.
    all.sort_by(|a, b| a.name.cmp(&b.name));
    expose::encode(all.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::containers::cgroup::tests::{ID_A, ID_B, ID_C, v1_tree, v2_tree, write};
    use crate::containers::cgroup::{self, Hierarchy};
    use std::collections::HashSet;
    use std::io::{BufRead, Write as _};
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::time::Duration;

    fn ci() -> bool {
        std::env::var("CI").is_ok_and(|v| v == "true")
    }

    /// Skip a test that needs something this machine lacks, except in CI.
    #[allow(clippy::print_stderr)]
    fn skip(why: &str) {
        assert!(!ci(), "CI=true and {why}");
        eprintln!("skipped: {why}");
    }

    /// Series of `family` as (labels without `node`, value).
    fn series(snap: &Snapshot, family: &str) -> Vec<(Vec<(String, String)>, f64)> {
        snap.family(family)
            .unwrap_or_else(|| panic!("no family {family}"))
            .samples
            .iter()
            .map(|s| {
                let labels = s
                    .labels
                    .iter()
                    .filter(|(k, _)| k != "node")
                    .cloned()
                    .collect();
                (labels, s.value)
            })
            .collect()
    }

    fn value(snap: &Snapshot, family: &str, label: (&str, &str)) -> Option<f64> {
        snap.family(family)?
            .samples
            .iter()
            .find(|s| s.labels.iter().any(|(k, v)| k == label.0 && v == label.1))
            .map(|s| s.value)
    }

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| label(k, v)).collect()
    }

    const NET_DEV: &str = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0
  eth0: 1000    10    0    0    0     0          0         0   2000    20    0    0    0     0       0          0
";

    /// A /proc with the node files, pid 1 in the host network namespace and pid 4242 in
    /// its own.
    fn proc_tree(root: &Path) {
        write(
            &root.join("stat"),
            "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 1 1 1\n",
        );
        write(
            &root.join("meminfo"),
            "MemTotal: 1048576 kB\nMemFree: 1000 kB\nMemAvailable: 262144 kB\n",
        );
        write(&root.join("loadavg"), "0.50 0.25 0.125 1/100 42\n");
        write(&root.join("net/dev"), NET_DEV);
        write(
            &root.join("diskstats"),
            " 254 0 vda 10 1 2000 30 20 2 4000 50 0 70 90 1 0 8 3 5 6\n 254 1 vda1 1 1 1 1 1 1 1 1 0 1 1\n   7 0 loop0 0 0 0 0 0 0 0 0 0 0 0\n",
        );
        write(
            &root.join("vmstat"),
            "nr_free_pages 5\npgpgin 10\npgpgout 20\npswpin 0\npswpout 0\npgfault 300\npgmajfault 4\noom_kill 1\n",
        );
        write(
            &root.join("pressure/cpu"),
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=1500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
        );
        write(
            &root.join("pressure/io"),
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=2000000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1000000\n",
        );
        for (f, v) in [
            ("ostype", "Linux"),
            ("osrelease", "6.1.0"),
            ("version", "#1 SMP"),
            ("hostname", "n1"),
            ("domainname", "(none)"),
        ] {
            write(&root.join("sys/kernel").join(f), &format!("{v}\n"));
        }
        // The real root, so that statvfs has something to read; the rest are filtered out.
        write(
            &root.join("1/mounts"),
            "/dev/root / ext4 ro,relatime 0 0\nproc /proc proc rw 0 0\ntmpfs /dev/shm tmpfs rw 0 0\n",
        );
        std::fs::create_dir_all(root.join("1/ns")).unwrap();
        std::os::unix::fs::symlink("net:[1]", root.join("1/ns/net")).unwrap();
        std::fs::create_dir_all(root.join("4242/ns")).unwrap();
        std::os::unix::fs::symlink("net:[2]", root.join("4242/ns/net")).unwrap();
        write(&root.join("4242/net/dev"), NET_DEV);
        std::fs::create_dir_all(root.join("777/ns")).unwrap();
        std::os::unix::fs::symlink("net:[1]", root.join("777/ns/net")).unwrap();
    }

    fn fixture_collector(dir: &Path, max_containers: usize) -> Collector {
        let config = CollectorConfig {
            node_id: "n1".into(),
            cgroup_root: dir.join("cgroup"),
            proc_root: dir.join("proc"),
            max_containers,
            max_process_groups: DEFAULT_MAX_PROCESS_GROUPS,
            options: Options::default(),
        };
        let roots = crate::containers::names::Roots {
            docker: dir.join("docker"),
            storage: dir.join("storage"),
            containerd_tasks: dir.join("tasks"),
        };
        Collector::with_names(config, roots)
    }

    #[test]
    fn v1_fixture_collection() {
        let dir = tempfile::tempdir().unwrap();
        v1_tree(&dir.path().join("cgroup"));
        proc_tree(&dir.path().join("proc"));
        write(
            &dir.path()
                .join(format!("docker/containers/{ID_A}/config.v2.json")),
            r#"{"Name":"/web"}"#,
        );
        let mut c = fixture_collector(dir.path(), 200);
        let first = c.collect();
        assert!(first.errors.is_empty(), "{:?}", first.errors);

        // Node: since boot on the first collection, then the delta.
        assert_eq!(series(&first, "hivemind_node_cpu_usage"), [(vec![], 20.0)]);
        assert_eq!(
            series(&first, "hivemind_node_cpu_seconds_total"),
            [(vec![], 2.0)]
        );
        assert_eq!(
            series(&first, "hivemind_node_memory_usage"),
            [(vec![], 75.0)]
        );
        assert_eq!(
            series(&first, "hivemind_node_memory_used_bytes"),
            [(vec![], 786432.0 * 1024.0)]
        );
        // Loopback is left out by default, as node_exporter does.
        assert_eq!(
            series(&first, "hivemind_node_network_receive_bytes_total"),
            [(labels(&[("interface", "eth0")]), 1000.0)]
        );
        // Disks (partitions and loop devices left out), file systems, PSI, vmstat, stat.
        let vda = labels(&[("device", "vda")]);
        assert_eq!(
            series(&first, "hivemind_node_disk_read_bytes_total"),
            [(vda.clone(), 2000.0 * 512.0)]
        );
        assert_eq!(
            series(&first, "hivemind_node_disk_io_time_weighted_seconds_total"),
            [(vda, 0.09)]
        );
        let root_fs = labels(&[
            ("device", "/dev/root"),
            ("fstype", "ext4"),
            ("mountpoint", "/"),
        ]);
        assert_eq!(
            series(&first, "hivemind_node_filesystem_readonly"),
            [(root_fs.clone(), 1.0)]
        );
        assert!(series(&first, "hivemind_node_filesystem_size_bytes")[0].1 > 0.0);
        assert_eq!(
            series(&first, "hivemind_node_pressure_waiting_seconds_total"),
            [
                (labels(&[("resource", "cpu")]), 1.5),
                (labels(&[("resource", "io")]), 2.0)
            ]
        );
        assert_eq!(
            series(&first, "hivemind_node_pressure_stalled_seconds_total"),
            [(labels(&[("resource", "io")]), 1.0)]
        );
        assert_eq!(
            series(&first, "hivemind_node_paged_bytes_total"),
            [
                (labels(&[("direction", "in")]), 10240.0),
                (labels(&[("direction", "out")]), 20480.0)
            ]
        );
        assert_eq!(
            series(&first, "hivemind_node_oom_kills_total"),
            [(vec![], 1.0)]
        );
        assert!(
            series(&first, "hivemind_node_cpu_mode_seconds_total")
                .contains(&(labels(&[("mode", "user")]), 1.0))
        );
        assert!(first.family("node_cpu_seconds_total").is_none());
        assert_eq!(series(&first, "hivemind_node_load15"), [(vec![], 0.125)]);
        assert_eq!(
            first.family("hivemind_node_status").unwrap().samples[0].labels,
            labels(&[("node", "n1")])
        );

        // Containers.
        assert_eq!(series(&first, "hivemind_containers"), [(vec![], 4.0)]);
        assert_eq!(
            series(&first, "hivemind_containers_by_status"),
            [
                (labels(&[("status", "paused")]), 1.0),
                (labels(&[("status", "running")]), 2.0),
                (labels(&[("status", "stopped")]), 1.0),
            ]
        );
        let web = labels(&[
            ("container", "3f1c9e2a7b4d"),
            ("runtime", "docker"),
            ("name", "web"),
        ]);
        let cpu = series(&first, "hivemind_container_cpu_seconds_total");
        assert!(cpu.contains(&(web.clone(), 2.5)), "{cpu:?}");
        assert!(cpu.contains(&(
            labels(&[("container", "nginx.service"), ("runtime", "systemd")]),
            42.0
        )));
        assert!(cpu.contains(&(
            labels(&[("container", "c0ffee000000"), ("runtime", "containerd")]),
            0.0
        )));
        assert!(series(&first, "hivemind_container_cpu_usage").is_empty());
        let working_set = 104857600.0 - 4194304.0;
        assert!(
            series(&first, "hivemind_container_memory_usage_bytes")
                .contains(&(web.clone(), working_set))
        );
        let mem = series(&first, "hivemind_container_memory_usage");
        assert!(mem.contains(&(web.clone(), working_set * 100.0 / 209715200.0)));
        // Unlimited: percent of node memory.
        let paused = labels(&[("container", "b0b1b2b3b4b5"), ("runtime", "docker")]);
        assert!(mem.contains(&(paused, 4096.0 * 100.0 / (1048576.0 * 1024.0))));
        assert_eq!(
            series(&first, "hivemind_container_disk_read_bytes_total"),
            [(web.clone(), 4097.0)]
        );
        assert_eq!(
            series(&first, "hivemind_container_disk_write_bytes_total"),
            [(web.clone(), 8194.0)]
        );
        // Own namespace, loopback skipped; nginx shares the host's and has no series.
        let mut eth0 = web.clone();
        eth0.push(label("interface", "eth0"));
        assert_eq!(
            series(&first, "hivemind_container_network_transmit_bytes_total"),
            [(eth0, 2000.0)]
        );

        // Second collection: rates from the deltas.
        write(
            &dir.path().join("proc/stat"),
            "cpu  150 0 150 900 0 0 0 0 0 0\n",
        );
        write(
            &dir.path()
                .join(format!("cgroup/cpuacct/docker/{ID_A}/cpuacct.usage")),
            "99999999999\n",
        );
        std::thread::sleep(MIN_RATE_WINDOW + Duration::from_millis(10));
        let second = c.collect();
        assert_eq!(series(&second, "hivemind_node_cpu_usage"), [(vec![], 50.0)]);
        let usage = series(&second, "hivemind_container_cpu_usage");
        let web_usage = usage.iter().find(|(l, _)| *l == web).unwrap().1;
        assert!(web_usage > 0.0, "{usage:?}");
        let idle = usage
            .iter()
            .find(|(l, _)| l.contains(&label("container", "nginx.service")))
            .unwrap()
            .1;
        assert_eq!(idle, 0.0);
        assert_eq!(
            series(&second, "hivemind_collector_errors_total")
                .iter()
                .map(|s| s.1)
                .sum::<f64>(),
            0.0
        );

        // A scrape right after: the window is too short, so the last rates are repeated.
        write(
            &dir.path().join("proc/stat"),
            "cpu  151 0 150 900 0 0 0 0 0 0\n",
        );
        let third = c.collect();
        assert_eq!(series(&third, "hivemind_node_cpu_usage"), [(vec![], 50.0)]);
        assert_eq!(series(&third, "hivemind_container_cpu_usage"), usage);
    }

    #[test]
    fn v2_fixture_collection() {
        let dir = tempfile::tempdir().unwrap();
        v2_tree(&dir.path().join("cgroup"));
        proc_tree(&dir.path().join("proc"));
        write(
            &dir.path()
                .join("storage/overlay-containers/containers.json"),
            &format!(r#"[{{"id":"{ID_B}","names":["db"]}}]"#),
        );
        let mut c = fixture_collector(dir.path(), 200);
        let snap = c.collect();
        assert!(snap.errors.is_empty(), "{:?}", snap.errors);
        assert_eq!(series(&snap, "hivemind_containers"), [(vec![], 4.0)]);
        assert_eq!(
            series(&snap, "hivemind_containers_by_status"),
            [
                (labels(&[("status", "paused")]), 1.0),
                (labels(&[("status", "running")]), 2.0),
                (labels(&[("status", "stopped")]), 1.0),
            ]
        );
        let docker = labels(&[("container", "3f1c9e2a7b4d"), ("runtime", "docker")]);
        assert!(
            series(&snap, "hivemind_container_cpu_seconds_total").contains(&(docker.clone(), 1.5))
        );
        // Limited by system.slice's 1 GiB, which is the node's memory here too.
        assert!(
            series(&snap, "hivemind_container_memory_usage")
                .contains(&(docker.clone(), 50_000_000.0 * 100.0 / 1073741824.0))
        );
        assert_eq!(
            series(&snap, "hivemind_container_disk_read_bytes_total"),
            [(docker.clone(), 101.0)]
        );
        assert!(
            series(&snap, "hivemind_container_cpu_seconds_total").contains(&(
                labels(&[
                    ("container", "b0b1b2b3b4b5"),
                    ("runtime", "podman"),
                    ("name", "db")
                ]),
                0.00001
            ))
        );
        let kube = labels(&[("container", &ID_C[..12]), ("runtime", "containerd")]);
        assert!(series(&snap, "hivemind_container_memory_usage").contains(&(kube, 50.0)));
    }

    #[test]
    fn cardinality_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let cg = dir.path().join("cgroup");
        write(&cg.join("cpuacct/cgroup.procs"), "");
        for i in 0..5u64 {
            let id = format!("{i:064x}");
            write(
                &cg.join(format!("cpuacct/docker/{id}/cpuacct.usage")),
                &format!("{}\n", (i + 1) * 1_000_000_000),
            );
            write(&cg.join(format!("cpuacct/docker/{id}/cgroup.procs")), "");
        }
        proc_tree(&dir.path().join("proc"));
        let mut c = fixture_collector(dir.path(), 3);
        let snap = c.collect();
        assert_eq!(series(&snap, "hivemind_containers"), [(vec![], 5.0)]);
        assert_eq!(
            series(&snap, "hivemind_containers_dropped_total"),
            [(vec![], 2.0)]
        );
        // The three busiest are kept.
        let kept: Vec<f64> = series(&snap, "hivemind_container_cpu_seconds_total")
            .into_iter()
            .map(|s| s.1)
            .collect();
        assert_eq!(kept, [3.0, 4.0, 5.0]);
        let snap = c.collect();
        assert_eq!(
            series(&snap, "hivemind_containers_dropped_total"),
            [(vec![], 4.0)]
        );
    }

    #[test]
    fn duplicate_short_ids_keep_full_ids() {
        let dir = tempfile::tempdir().unwrap();
        let cg = dir.path().join("cgroup");
        write(&cg.join("cpuacct/cgroup.procs"), "");
        for tail in ["1", "2"] {
            let id = format!("{}{tail}", "a".repeat(63));
            write(
                &cg.join(format!("cpuacct/docker/{id}/cpuacct.usage")),
                "1\n",
            );
            write(&cg.join(format!("cpuacct/docker/{id}/cgroup.procs")), "");
        }
        proc_tree(&dir.path().join("proc"));
        let snap = fixture_collector(dir.path(), 10).collect();
        let ids: Vec<String> = series(&snap, "hivemind_container_cpu_seconds_total")
            .into_iter()
            .map(|(l, _)| l[0].1.clone())
            .collect();
        assert_eq!(
            ids,
            [
                format!("{}1", "a".repeat(63)),
                format!("{}2", "a".repeat(63))
            ]
        );
    }

    #[test]
    fn processes_are_never_containers_and_groups_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        // A real-looking v1 root with no container cgroups at all, and no Docker state.
        write(&dir.path().join("memory/cgroup.procs"), "1\n");
        let config = CollectorConfig {
            node_id: "n1".into(),
            cgroup_root: dir.path().to_path_buf(),
            ..CollectorConfig::default()
        };
        let roots = crate::containers::names::Roots {
            docker: dir.path().join("docker"),
            storage: dir.path().join("storage"),
            containerd_tasks: dir.path().join("tasks"),
        };
        let mut c = Collector::with_names(config.clone(), roots.clone());
        let snap = c.collect();
        assert_eq!(series(&snap, "hivemind_containers"), [(vec![], 0.0)]);
        assert!(series(&snap, "hivemind_container_cpu_seconds_total").is_empty());
        assert!(snap.family("hivemind_process_group_processes").is_none());

        // The per-process view: grouped by name, no PID anywhere, at most the bound.
        let mut c = Collector::with_names(
            CollectorConfig {
                max_process_groups: 3,
                options: Options {
                    process_metrics: true,
                    ..Options::default()
                },
                ..config
            },
            roots,
        );
        c.collect();
        let snap = c.collect();
        let procs = series(&snap, "hivemind_process_group_processes");
        assert!(!procs.is_empty() && procs.len() <= 3, "{procs:?}");
        for (l, n) in &procs {
            assert_eq!(l.len(), 1);
            assert_eq!(l[0].0, "groupname");
            assert!(*n >= 0.0);
        }
        let cpu = series(&snap, "hivemind_process_group_cpu_seconds_total");
        assert_eq!(cpu.len(), procs.len());
        let all = process::list(Path::new("/proc")).unwrap();
        let names: HashSet<&str> = all.iter().map(|p| p.comm.as_str()).collect();
        if names.len() > 3 {
            assert!(series(&snap, "hivemind_process_groups_dropped_total")[0].1 > 0.0);
        }
        assert_eq!(series(&snap, "hivemind_containers"), [(vec![], 0.0)]);
    }

    #[test]
    fn missing_sources_are_counted_and_the_rest_reports() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Collector::new(CollectorConfig {
            node_id: "n1".into(),
            cgroup_root: dir.path().join("no-cgroup"),
            proc_root: dir.path().join("no-proc"),
            max_containers: 10,
            max_process_groups: 10,
            options: Options::default(),
        });
        c.collect();
        let snap = c.collect();
        let errors = series(&snap, "hivemind_collector_errors_total");
        let failing = [
            "cgroup",
            "cpu",
            "diskstats",
            "filesystem",
            "loadavg",
            "meminfo",
            "netdev",
            "uname",
            "vmstat",
        ];
        for source in failing {
            assert!(
                errors.contains(&(labels(&[("collector", source)]), 2.0)),
                "{source}: {errors:?}"
            );
        }
        assert!(errors.contains(&(labels(&[("collector", "container")]), 0.0)));
        // Kernels without PSI have no pressure files: not an error.
        assert!(errors.contains(&(labels(&[("collector", "pressure")]), 0.0)));
        assert_eq!(snap.errors.len(), failing.len(), "{:?}", snap.errors);
        assert_eq!(series(&snap, "hivemind_node_status"), [(vec![], 1.0)]);
        assert!(series(&snap, "hivemind_node_cpu_usage").is_empty());
        let text = encode_text(&snap, &scrape_families(&SelfStats::default()));
        assert!(!text.contains("hivemind_node_cpu_usage"));
        assert!(text.contains("hivemind_collector_errors_total{collector=\"cpu\"} 2\n"));
    }

    #[test]
    fn text_is_sorted_unique_and_documented() {
        let dir = tempfile::tempdir().unwrap();
        v1_tree(&dir.path().join("cgroup"));
        proc_tree(&dir.path().join("proc"));
        let mut c = fixture_collector(dir.path(), 200);
        c.collect();
        std::thread::sleep(MIN_RATE_WINDOW);
        let snap = c.collect();
        assert!(
            !snap
                .family("hivemind_container_cpu_usage")
                .unwrap()
                .samples
                .is_empty()
        );
        let text = encode_text(
            &snap,
            &scrape_families(&SelfStats {
                scrapes_total: 7,
                last_scrape_seconds: 0.003,
            }),
        );
        let mut names = Vec::new();
        let mut seen = HashSet::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                names.push(rest.split(' ').next().unwrap().to_string());
            } else if !line.starts_with('#') {
                let series = line.rsplit_once(' ').unwrap().0;
                assert!(seen.insert(series.to_string()), "repeated {series}");
                let name = series.split('{').next().unwrap();
                assert_eq!(Some(&name.to_string()), names.last(), "{line}");
            }
        }
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
        assert_eq!(text.matches("# HELP ").count(), names.len());
        assert!(text.contains("hivemind_scrapes_total 7\n"));
        assert!(text.contains("hivemind_scrape_duration_seconds 0.003\n"));
        assert!(text.contains(&format!(
            "hivemind_build_info{{version=\"{}\"}} 1\n",
            env!("CARGO_PKG_VERSION")
        )));
        assert!(!text.contains("NaN") && !text.contains("Inf"));
        for (seed, ours) in SEED_ALIASES {
            assert_ne!(seed, ours);
            assert_eq!(snap.family(seed).map(|f| f.name.as_str()), Some(ours));
            assert_eq!(canonical_name(seed), ours);
        }
        assert_eq!(
            canonical_name("hivemind_node_status"),
            "hivemind_node_status"
        );
        assert_eq!(promtool(&text), Some(String::new()));
    }

    #[test]
    fn json_shape() {
        let dir = tempfile::tempdir().unwrap();
        proc_tree(&dir.path().join("proc"));
        write(&dir.path().join("cgroup/memory/cgroup.procs"), "");
        let snap = fixture_collector(dir.path(), 0).collect();
        let json = serde_json::to_value(&snap).unwrap();
        let fam = json["families"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "hivemind_node_network_receive_bytes_total")
            .unwrap();
        assert_eq!(fam["type"], "counter");
        assert_eq!(
            fam["samples"][0],
            serde_json::json!({"labels": {"node": "n1", "interface": "eth0"}, "value": 1000.0})
        );
        // Label order is kept in the serialised text (a `Value` would sort the keys).
        let sample = &snap.family("hivemind_node_network_rx").unwrap().samples[0];
        let text = serde_json::to_string(sample).unwrap();
        assert_eq!(
            text,
            r#"{"labels":{"node":"n1","interface":"eth0"},"value":1000.0}"#
        );
        assert!(json["collected_at"].as_str().unwrap().ends_with('Z'));
        assert!(json.get("errors").is_none());
        assert!(snap.collection_seconds > 0.0);
    }

    #[test]
    fn hostile_label_values_are_escaped() {
        let stat = process::parse_stat(
            9,
            b"9 (evil\"\\\n\xff\xfe) S 1 9 9 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 0",
        )
        .unwrap();
        let mut fam = Family::new(
            "hivemind_test_hostile",
            "Help with a backslash \\ and\na newline.",
            Kind::Gauge,
        );
        fam.push(
            vec![label("name", &stat.comm), label("path", "C:\\x\\\"y\"")],
            1.0,
        );
        fam.push(vec![label("name", "nan")], f64::NAN);
        let snap = Snapshot {
            collected_at: String::new(),
            collection_seconds: 0.0,
            families: vec![fam],
            errors: Vec::new(),
        };
        let text = encode_text(&snap, &scrape_families(&SelfStats::default()));
        assert!(text.contains(
            "# HELP hivemind_test_hostile Help with a backslash \\\\ and\\na newline.\n"
        ));
        assert!(text.contains(
            "hivemind_test_hostile{name=\"evil\\\"\\\\\\n\u{fffd}\u{fffd}\",path=\"C:\\\\x\\\\\\\"y\\\"\"} 1\n"
        ));
        assert!(!text.contains("NaN"));
        assert_eq!(promtool(&text), Some(String::new()));
    }

    /// `promtool check metrics` on `text`: its combined output, or `None` when skipped.
    fn promtool(text: &str) -> Option<String> {
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("promtool"))
                .find(|p| p.is_file())
        });
        let Some(promtool) = found else {
            skip("promtool not on PATH");
            return None;
        };
        let mut child = Command::new(promtool)
            .args(["check", "metrics"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let combined = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "promtool failed:\n{combined}\n{text}");
        Some(combined)
    }

    #[test]
    fn promtool_accepts_a_real_collection() {
        let mut c = Collector::new(CollectorConfig::default());
        c.collect();
        std::thread::sleep(Duration::from_millis(250));
        let snap = c.collect();
        let text = encode_text(
            &snap,
            &scrape_families(&SelfStats {
                scrapes_total: 1,
                last_scrape_seconds: 0.0042,
            }),
        );
        assert!(text.contains("hivemind_node_cpu_usage{"));
        // Container series exist exactly when containers run on this machine (other tests
        // start some, so the count is read from the same snapshot, not assumed).
        let containers = snap
            .family("hivemind_containers")
            .map_or(0.0, |f| f.samples.iter().map(|s| s.value).sum::<f64>());
        assert_eq!(
            text.contains("hivemind_container_cpu_seconds_total{"),
            containers > 0.0,
            "{containers} containers\n{text}"
        );
        if let Some(out) = promtool(&text) {
            assert_eq!(out, "", "{text}");
        }
    }

    /// A cgroup directory to create and the `cgroup.procs` to move the child back to.
    type Place = (PathBuf, PathBuf);
    /// The freeze control file, and what freezes and thaws.
    type Freeze = (PathBuf, &'static str, &'static str);

    /// A child placed in a real Docker-named cgroup; thawed, moved back, killed and its
    /// cgroups removed on drop, also when the test fails.
    struct RealContainer {
        child: std::process::Child,
        created: Vec<PathBuf>,
        /// The `cgroup.procs` of the cgroups the child came from.
        restore: Vec<PathBuf>,
        /// The freeze control file and what thaws it.
        freeze: Option<(PathBuf, &'static str)>,
    }

    impl Drop for RealContainer {
        fn drop(&mut self) {
            if let Some((file, thaw)) = &self.freeze {
                let _ = std::fs::write(file, thaw);
            }
            let pid = self.child.id().to_string();
            for procs in &self.restore {
                let _ = std::fs::write(procs, &pid);
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
            for dir in self.created.iter().rev() {
                for _ in 0..50 {
                    if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }

    /// The path of this process's cgroup for a v1 controller, or the v2 one (`""`).
    fn own_cgroup(controller: &str) -> String {
        let text = std::fs::read_to_string("/proc/self/cgroup").unwrap();
        text.lines()
            .filter_map(|l| {
                // `4:memory:/path`; the path may itself contain colons.
                let mut parts = l.splitn(3, ':');
                parts.next();
                Some((parts.next()?, parts.next()?))
            })
            .find(|(ctrls, _)| {
                if controller.is_empty() {
                    ctrls.is_empty()
                } else {
                    ctrls.split(',').any(|x| x == controller)
                }
            })
            .map_or("/", |(_, path)| path)
            .trim_start_matches('/')
            .to_string()
    }

    /// Start a shell that sets up a veth pair in its own network namespace (when `unshare`
    /// and `ip` work here), says `ready`, waits for a line, then allocates and spins so that
    /// its CPU time and memory are charged to the cgroup it was moved into meanwhile.
    fn spawn_workload() -> (
        std::process::Child,
        std::io::BufReader<std::process::ChildStdout>,
        bool,
    ) {
        let script = "ip link add hm0 type veth peer name hm1 && ip link set hm0 up && ip link set hm1 up; \
                      echo ready; read go; x=$(head -c 3000000 /dev/zero | tr '\\0' a); i=0; \
                      while [ $i -lt 200000 ]; do i=$((i+1)); done; echo done; exec sleep 60";
        for netns in [true, false] {
            let mut cmd = Command::new(if netns { "unshare" } else { "sh" });
            if netns {
                cmd.args(["--net", "sh"]);
            }
            let Ok(mut child) = cmd
                .args(["-c", script])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
            else {
                continue;
            };
            let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            if line.trim() == "ready" {
                return (child, stdout, netns);
            }
            // `unshare` refused (no privilege for namespaces): try in the host's namespace.
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("cannot start sh");
    }

    #[test]
    fn a_real_docker_cgroup_is_found_and_measured() {
        let root = Path::new("/sys/fs/cgroup");
        let version = match Hierarchy::detect(root) {
            Ok(h) => h.version(),
            Err(e) => return skip(&format!("no cgroup hierarchy: {e}")),
        };
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        let id = format!(
            "{:016x}{:016x}{:016x}{:016x}",
            0xfeed_0000_0000_0000u64 | u64::from(std::process::id()),
            nanos,
            nanos.rotate_left(17),
            nanos ^ 0x5555
        );
        let short = &id[..12];

        // (directory to create, cgroup.procs to restore) in each hierarchy, and the freezer.
        let (places, freeze): (Vec<Place>, Option<Freeze>) = match version {
            cgroup::Version::V1 => {
                let controllers: Vec<&str> = ["cpuacct", "memory", "freezer", "pids", "blkio"]
                    .into_iter()
                    .filter(|c| root.join(c).join("cgroup.procs").is_file())
                    .collect();
                if !controllers.contains(&"cpuacct") || !controllers.contains(&"memory") {
                    return skip("cpuacct or memory controller not mounted");
                }
                let freeze = controllers.contains(&"freezer").then(|| {
                    let state = root.join("freezer/docker").join(&id).join("freezer.state");
                    (state, "FROZEN", "THAWED")
                });
                let places = controllers
                    .iter()
                    .map(|c| {
                        let dir = root.join(c).join("docker").join(&id);
                        let back = root.join(c).join(own_cgroup(c)).join("cgroup.procs");
                        (dir, back)
                    })
                    .collect();
                (places, freeze)
            }
            cgroup::Version::V2 => {
                let dir = root.join(format!("docker-{id}.scope"));
                let back = root.join(own_cgroup("")).join("cgroup.procs");
                let freeze = (dir.join("cgroup.freeze"), "1", "0");
                (vec![(dir, back)], Some(freeze))
            }
        };

        let (child, mut stdout, netns) = spawn_workload();
        let pid = child.id();
        let mut stdin_pipe = None;
        let mut guard = RealContainer {
            child,
            created: Vec::new(),
            restore: Vec::new(),
            freeze: None,
        };
        std::mem::swap(&mut stdin_pipe, &mut guard.child.stdin);
        for (dir, back) in places {
            let parent = dir.parent().unwrap().to_path_buf();
            if !parent.exists() {
                if let Err(e) = std::fs::create_dir(&parent) {
                    return skip(&format!("cannot create {}: {e}", parent.display()));
                }
                guard.created.push(parent);
            }
            if let Err(e) = std::fs::create_dir(&dir) {
                return skip(&format!("cannot create {}: {e}", dir.display()));
            }
            guard.created.push(dir.clone());
            guard.restore.push(back);
            if let Err(e) = std::fs::write(dir.join("cgroup.procs"), pid.to_string()) {
                return skip(&format!(
                    "cannot move a process into {}: {e}",
                    dir.display()
                ));
            }
        }
        writeln!(stdin_pipe.unwrap(), "go").unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "done");

        let mut collector = Collector::new(CollectorConfig {
            max_containers: 10_000,
            ..CollectorConfig::default()
        });
        collector.collect();
        std::thread::sleep(MIN_RATE_WINDOW + Duration::from_millis(50));
        let snap = collector.collect();
        let ours = ("container", short);
        let cpu = value(&snap, "hivemind_container_cpu_seconds_total", ours);
        assert!(
            cpu.is_some_and(|v| v > 0.0),
            "cpu {cpu:?}\n{:?}",
            snap.errors
        );
        assert!(value(&snap, "hivemind_container_cpu_usage", ours).is_some());
        // v2 has memory files only where the root delegates the memory controller.
        let has_memory = version == cgroup::Version::V1
            || std::fs::read_to_string(root.join("cgroup.subtree_control"))
                .is_ok_and(|c| c.split_whitespace().any(|c| c == "memory"));
        if has_memory {
            let mem = value(&snap, "hivemind_container_memory_usage_bytes", ours);
            assert!(mem.is_some_and(|v| v > 0.0), "memory {mem:?}");
            let pct = value(&snap, "hivemind_container_memory_usage", ours);
            assert!(pct.is_some_and(|v| v > 0.0 && v < 100.0), "memory {pct:?}");
        }
        let our_labels = &snap
            .family("hivemind_container_cpu_seconds_total")
            .unwrap()
            .samples
            .iter()
            .find(|s| s.labels.contains(&label("container", short)))
            .unwrap()
            .labels;
        assert!(
            our_labels.contains(&label("runtime", "docker")),
            "{our_labels:?}"
        );
        if netns {
            let ifaces: Vec<&str> = snap
                .family("hivemind_container_network_receive_bytes_total")
                .unwrap()
                .samples
                .iter()
                .filter(|s| s.labels.contains(&label("container", short)))
                .filter_map(|s| {
                    s.labels
                        .iter()
                        .find(|(k, _)| k == "interface")
                        .map(|(_, v)| v.as_str())
                })
                .collect();
            assert_eq!(ifaces, ["hm0", "hm1"]);
        }
        let (cg, pids) = cgroup::pids_of(root, short).unwrap();
        assert_eq!(cg.id.id, id);
        assert_eq!(pids, [pid]);

        if let Some((file, freeze, thaw)) = freeze {
            guard.freeze = Some((file.clone(), thaw));
            let paused = |s: &Snapshot| {
                value(s, "hivemind_containers_by_status", ("status", "paused")).unwrap()
            };
            let before = paused(&collector.collect());
            std::fs::write(&file, freeze).unwrap();
            assert_eq!(paused(&collector.collect()), before + 1.0);
            std::fs::write(&file, thaw).unwrap();
        }
        drop(guard);
        let after = Collector::new(CollectorConfig::default()).collect();
        assert_eq!(
            value(&after, "hivemind_container_cpu_seconds_total", ours),
            None
        );
    }
}
