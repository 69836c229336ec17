//! Node metrics against a real node_exporter (Debian's `prometheus-node-exporter`): the
//! compatible view has node_exporter's names, types, labels and values. Also the metrics
//! flags of `hivemind daemon` and their precedence over `configure-metrics`, and bad input.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use super::agent::{Daemon, dechunk, free_port, http, promtool_check_metrics};
use super::{hm_run, json};

/// The node_exporter collectors the compatible view covers.
const COLLECTORS: [&str; 11] = [
    "cpu",
    "meminfo",
    "diskstats",
    "filesystem",
    "netdev",
    "pressure",
    "vmstat",
    "stat",
    "loadavg",
    "uname",
    "time",
];

/// hivemind's defaults (upstream node_exporter 1.5's), given explicitly: Debian's package
/// patches the mount point default.
const MOUNT_POINTS_EXCLUDE: &str =
    r"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
const FS_TYPES_EXCLUDE: &str = r"^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";

/// Gauges that change between two reads a few milliseconds apart: compared on type and
/// labels only. The last three follow every thread and process that starts or exits (kernel
/// stacks, page tables, committed memory), which parallel tests do all the time.
const VOLATILE: [&str; 9] = [
    "node_procs_running",
    "node_procs_blocked",
    "node_disk_io_now",
    "node_memory_Dirty_bytes",
    "node_memory_Writeback_bytes",
    "node_memory_Active_file_bytes",
    "node_memory_KernelStack_bytes",
    "node_memory_PageTables_bytes",
    "node_memory_Committed_AS_bytes",
];

/// node_exporter on PATH: upstream's name or Debian's. A skip notice when absent, a failure
/// under CI=true.
fn node_exporter_binary() -> Option<std::path::PathBuf> {
    let paths = std::env::var_os("PATH")?;
    let found = std::env::split_paths(&paths).find_map(|d| {
        ["node_exporter", "prometheus-node-exporter"]
            .iter()
            .map(|n| d.join(n))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "node_exporter (prometheus-node-exporter) is required under CI=true"
        );
        eprintln!("skipped: node_exporter not on PATH");
    }
    found
}

/// A node_exporter on a free loopback port, killed on drop.
struct NodeExporter {
    child: Child,
    addr: SocketAddr,
}

impl Drop for NodeExporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeExporter {
    fn start(binary: &std::path::Path) -> NodeExporter {
        let port = free_port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut cmd = Command::new(binary);
        cmd.arg(format!("--web.listen-address={addr}"))
            .arg("--collector.disable-defaults")
            .arg(format!(
                "--collector.filesystem.mount-points-exclude={MOUNT_POINTS_EXCLUDE}"
            ))
            .arg(format!(
                "--collector.filesystem.fs-types-exclude={FS_TYPES_EXCLUDE}"
            ))
            .arg("--collector.netdev.device-exclude=^lo$")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for c in COLLECTORS {
            cmd.arg(format!("--collector.{c}"));
        }
        let child = cmd.spawn().unwrap();
        let ne = NodeExporter { child, addr };
        let deadline = Instant::now() + Duration::from_secs(20);
        while http(addr, "GET", "/metrics", None, b"").0 != 200 {
            assert!(Instant::now() < deadline, "node_exporter did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        ne
    }
}

/// One family of an exposition: its type and its series (sorted labels → value).
#[derive(Debug, Default)]
struct Fam {
    kind: String,
    series: BTreeMap<Vec<(String, String)>, f64>,
}

/// Parse the text format (enough of it for these two exporters: no timestamps, no
/// escaped quotes inside label values that matter here).
fn parse(text: &str) -> BTreeMap<String, Fam> {
    let mut out: BTreeMap<String, Fam> = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            out.entry(name.to_string()).or_default().kind = kind.to_string();
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap();
        let value: f64 = value.parse().unwrap();
        let (name, labels) = match series.split_once('{') {
            Some((n, rest)) => (n, rest.trim_end_matches('}')),
            None => (series, ""),
        };
        let mut l = Vec::new();
        let mut rest = labels;
        while let Some((k, v)) = rest.split_once("=\"") {
            // Values here have no escaped quotes.
            let end = v.find('"').unwrap();
            l.push((k.trim_start_matches(',').to_string(), v[..end].to_string()));
            rest = &v[end + 1..];
        }
        l.sort();
        out.entry(name.to_string())
            .or_default()
            .series
            .insert(l, value);
    }
    out
}

/// Scrape both at once; the texts and the midpoint of each request.
/// One scrape of `addr`'s /metrics.
fn scrape(addr: SocketAddr) -> String {
    let (code, body) = http(addr, "GET", "/metrics", None, b"");
    assert_eq!(code, 200);
    dechunk(&body)
}

fn scrape_pair(ne: SocketAddr, hm: SocketAddr) -> ((String, Instant), (String, Instant)) {
    for _ in 0..20 {
        let barrier = Arc::new(Barrier::new(2));
        let get = |addr: SocketAddr, b: Arc<Barrier>| {
            std::thread::spawn(move || {
                b.wait();
                let start = Instant::now();
                let (code, body) = http(addr, "GET", "/metrics", None, b"");
                let end = Instant::now();
                assert_eq!(code, 200);
                (dechunk(&body), start + (end - start) / 2)
            })
        };
        let a = get(ne, Arc::clone(&barrier));
        let b = get(hm, barrier);
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        let apart = if a.1 > b.1 { a.1 - b.1 } else { b.1 - a.1 };
        if apart < Duration::from_millis(100) {
            return (a, b);
        }
    }
    panic!("could not scrape both within 100 ms of each other");
}

/// The resolution of a counter: one unit of what it counts, in its unit.
fn resolution(name: &str) -> f64 {
    if name.starts_with("node_cpu_") {
        0.01 // USER_HZ ticks
    } else if name.contains("_time_seconds") {
        0.001 // milliseconds in /proc/diskstats
    } else if name.ends_with("_bytes_total") && name.starts_with("node_disk_") {
        512.0 // a sector
    } else if name.ends_with("_bytes_total") {
        1514.0 // a frame
    } else if name.starts_with("node_pressure_") {
        0.001
    } else {
        1.0
    }
}

#[test]
fn compat_view_matches_a_real_node_exporter() {
    let Some(binary) = node_exporter_binary() else {
        return;
    };
    let ne = NodeExporter::start(&binary);
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), &["--compat", "node-exporter"]);
    let hm: SocketAddr = format!("127.0.0.1:{}", d.metrics_port).parse().unwrap();

    // Older than the 1 s interval: each scrape collects afresh.
    std::thread::sleep(Duration::from_millis(1200));
    // node_exporter is also read just before and just after each pair: a counter whose rate
    // differs because a burst (disk writes, the scrapes' own CPU) fell between the two
    // exporters' reads still agrees when hivemind's reading lies between node_exporter's own
    // reads around it, at both ends.
    let ne_before0 = parse(&scrape(ne.addr));
    let ((ne0, tn0), (hm0, th0)) = scrape_pair(ne.addr, hm);
    let ne_after0 = parse(&scrape(ne.addr));
    // Each exporter reads a counter at some moment inside its request, not at the request's
    // midpoint: on a loaded machine that is tens of milliseconds apart, and bursty disk writes
    // then differ by more than 2 % over 10 s (seen in CI: 2.1 %). 30 s keeps that skew's share
    // of the rate well under the 2 % compared.
    std::thread::sleep(Duration::from_secs(30));
    // node_exporter read again just after the pair: a gauge that moves with the machine's
    // load (committed memory, kernel stacks, page tables while tests start processes) agrees
    // when hivemind's reading lies within what node_exporter itself read around it. (Not
    // before the pair too: that scrape's own work would land between the two exporters'
    // reads of the CPU counters.)
    let ne_before1 = parse(&scrape(ne.addr));
    let ((ne1, tn1), (hm1, th1)) = scrape_pair(ne.addr, hm);
    let ne_after = parse(&scrape(ne.addr));
    let read = |r: &BTreeMap<String, Fam>, name: &str, labels: &Vec<(String, String)>| {
        r.get(name).and_then(|f| f.series.get(labels)).copied()
    };
    // hivemind's reading of a counter lies within node_exporter's reads before and after it.
    let bracketed = |before: &BTreeMap<String, Fam>,
                     after: &BTreeMap<String, Fam>,
                     name: &str,
                     labels: &Vec<(String, String)>,
                     v: f64| {
        match (read(before, name, labels), read(after, name, labels)) {
            (Some(b), Some(a)) => v >= b - resolution(name) && v <= a + resolution(name),
            _ => false,
        }
    };
    let (ne0, ne1, hm0, hm1) = (parse(&ne0), parse(&ne1), parse(&hm0), parse(&hm1));

    // The families the compat view claims: every node_* one it serves.
    let claimed: Vec<&String> = hm1.keys().filter(|n| n.starts_with("node_")).collect();
    assert!(
        claimed.len() >= 40,
        "{} families: {claimed:?}",
        claimed.len()
    );
    for prefix in [
        "node_cpu_seconds_total",
        "node_memory_MemAvailable_bytes",
        "node_disk_read_bytes_total",
        "node_filesystem_avail_bytes",
        "node_network_receive_errs_total",
        "node_pressure_cpu_waiting_seconds_total",
        "node_vmstat_pgfault",
        "node_context_switches_total",
        "node_load1",
    ] {
        assert!(hm1.contains_key(prefix), "{prefix} missing");
    }
    let mut problems = Vec::new();
    let mut compared = 0;
    for name in claimed {
        let (Some(n0), Some(n1)) = (ne0.get(name), ne1.get(name)) else {
            problems.push(format!("{name}: node_exporter has no such family"));
            continue;
        };
        let (h0, h1) = (&hm0[name], &hm1[name]);
        if n1.kind != h1.kind {
            problems.push(format!(
                "{name}: type {} vs node_exporter's {}",
                h1.kind, n1.kind
            ));
            continue;
        }
        let keys = |f: &Fam| f.series.keys().cloned().collect::<BTreeSet<_>>();
        if keys(h1) != keys(n1) {
            problems.push(format!(
                "{name}: labels {:?} vs node_exporter's {:?}",
                keys(h1),
                keys(n1)
            ));
            continue;
        }
        compared += 1;
        if VOLATILE.contains(&name.as_str()) {
            continue;
        }
        for (labels, nv1) in &n1.series {
            let hv1 = h1.series[labels];
            if n1.kind == "counter" {
                let (Some(nv0), Some(hv0)) = (n0.series.get(labels), h0.series.get(labels)) else {
                    continue;
                };
                let rn = (nv1 - nv0) / (tn1 - tn0).as_secs_f64();
                let rh = (hv1 - hv0) / (th1 - th0).as_secs_f64();
                let window = (tn1 - tn0).as_secs_f64().min((th1 - th0).as_secs_f64());
                // The two exporters read a counter moments apart, and the scrapes' own work
                // falls between those moments: how far the counter moved during one more
                // scrape of node_exporter (right after the pair) measures that skew.
                let skew = ne_after
                    .get(name)
                    .and_then(|f| f.series.get(labels))
                    .map_or(0.0, |a| (a - nv1).abs());
                let slack =
                    0.02 * rn.abs().max(rh.abs()) + 2.0 * (resolution(name) + skew) / window;
                let within = bracketed(&ne_before0, &ne_after0, name, labels, *hv0)
                    && bracketed(&ne_before1, &ne_after, name, labels, hv1);
                if (rn - rh).abs() > slack && !within {
                    problems.push(format!(
                        "{name}{labels:?}: rate {rh} vs node_exporter's {rn} (allowed ±{slack})"
                    ));
                }
            } else {
                let tolerance = 0.01 * nv1.abs().max(hv1.abs());
                let around = ne_after
                    .get(name)
                    .and_then(|f| f.series.get(labels).copied())
                    .into_iter()
                    .chain([*nv1]);
                let (lo, hi) = around.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
                if hv1 < lo - tolerance || hv1 > hi + tolerance {
                    problems.push(format!(
                        "{name}{labels:?}: {hv1} vs node_exporter's {nv1} (its reads around: {lo}..{hi})"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(compared >= 40, "{compared} families compared");
}

#[test]
fn hivemind_names_cover_the_node_and_pass_promtool() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), &[]);
    let addr: SocketAddr = format!("127.0.0.1:{}", d.metrics_port).parse().unwrap();
    let (code, body) = http(addr, "GET", "/metrics", None, b"");
    assert_eq!(code, 200);
    let text = dechunk(&body);
    promtool_check_metrics(&text);
    let fams = parse(&text);
    for name in [
        "hivemind_node_cpu_mode_seconds_total",
        "hivemind_node_memory_available_bytes",
        "hivemind_node_swap_total_bytes",
        "hivemind_node_hugepages",
        "hivemind_node_disk_read_bytes_total",
        "hivemind_node_disk_io_time_weighted_seconds_total",
        "hivemind_node_filesystem_files_free",
        "hivemind_node_filesystem_readonly",
        "hivemind_node_network_receive_errors_total",
        "hivemind_node_network_transmit_drops_total",
        "hivemind_node_pressure_waiting_seconds_total",
        "hivemind_node_page_faults_total",
        "hivemind_node_context_switches_total",
        "hivemind_node_interrupts_total",
        "hivemind_node_forks_total",
        "hivemind_node_procs_running",
        "hivemind_node_boot_time_seconds",
        "hivemind_node_time_seconds",
        "hivemind_node_uname_info",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_max_fds",
        "process_start_time_seconds",
    ] {
        assert!(fams.contains_key(name), "{name} missing");
    }
    // Off by default: no node_exporter names, no per-process series, no PID anywhere.
    assert!(!fams.keys().any(|n| n.starts_with("node_")));
    assert!(!fams.keys().any(|n| n.starts_with("hivemind_process_group")));
    let modes: BTreeSet<String> = fams["hivemind_node_cpu_mode_seconds_total"]
        .series
        .keys()
        .map(|l| l.iter().find(|(k, _)| k == "mode").unwrap().1.clone())
        .collect();
    assert_eq!(modes.len(), 8, "{modes:?}");
    // The process's own start time is within the last minute or so.
    let start = fams["process_start_time_seconds"]
        .series
        .values()
        .next()
        .copied()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        now - start < 120.0 && now >= start - 1.0,
        "{start} vs {now}"
    );
}

/// Whether `addr` serves metrics on `path`.
fn serves(addr: SocketAddr, path: &str) -> bool {
    let (code, body) = http(addr, "GET", path, None, b"");
    code == 200 && dechunk(&body).contains("hivemind_nodes")
}

#[test]
fn metrics_flags_override_the_saved_configuration_for_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let flag_port = free_port();
    let flag_addr: SocketAddr = format!("127.0.0.1:{flag_port}").parse().unwrap();
    let d = Daemon::start(
        dir.path(),
        &[
            "--metrics-listen",
            &flag_addr.to_string(),
            "--metrics-path",
            "/flagged",
        ],
    );
    let saved: SocketAddr = format!("127.0.0.1:{}", d.metrics_port).parse().unwrap();
    assert!(serves(flag_addr, "/flagged"));
    assert!(
        TcpStream::connect(saved).is_err(),
        "the saved port is not used"
    );

    // A path change during the run: applied live and saved; the address flag still holds.
    let (code, _, err) = hm_run(
        dir.path(),
        &["observability", "configure-metrics", "--path", "/changed"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(serves(flag_addr, "/changed"));
    assert!(!serves(flag_addr, "/flagged"));
    let (_, out, _) = hm_run(dir.path(), &["observability", "show-config", "-o", "json"]);
    assert_eq!(json(&out)["metrics"]["path"], "/changed");

    // A port change replaces the address flag: the listener moves to the saved address.
    let new_port = free_port();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-metrics",
            "--port",
            &new_port.to_string(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let new_addr: SocketAddr = format!("127.0.0.1:{new_port}").parse().unwrap();
    assert!(serves(new_addr, "/changed"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        TcpStream::connect(flag_addr).is_err(),
        "the flag's port still open"
    );

    // --compat from configure-metrics, live: the node_exporter names appear.
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-metrics",
            "--compat",
            "node-exporter",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let text = super::poll(
        Duration::from_secs(10),
        Duration::from_millis(200),
        || dechunk(&http(new_addr, "GET", "/changed", None, b"").1),
        |t| t.contains("\nnode_cpu_seconds_total{"),
    );
    assert!(text.contains("\nnode_cpu_seconds_total{"), "{text}");
    assert!(text.contains("\nnode_memory_MemAvailable_bytes "));
}

#[test]
fn bad_metrics_input_is_refused_and_the_listener_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    // Unknown --compat: exit 2 naming the flag and what is allowed, nothing saved.
    for args in [
        &["observability", "configure-metrics", "--compat", "cadvisor"][..],
        &["daemon", "--compat", "cadvisor"][..],
    ] {
        let (code, _, err) = hm_run(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("--compat") && err.contains("node-exporter"),
            "{args:?}: {err}"
        );
    }
    for flag in [
        "--filesystem-mount-points-exclude",
        "--filesystem-fs-types-exclude",
        "--netdev-device-include",
        "--netdev-device-exclude",
    ] {
        for bad in ["(eth", "a{99999}", "x[z-a]"] {
            let (code, _, err) = hm_run(
                dir.path(),
                &["observability", "configure-metrics", flag, bad],
            );
            assert_eq!(code, 2, "{flag} {bad}: {err}");
            assert!(
                err.contains(flag) && err.contains("regular expression"),
                "{err}"
            );
        }
    }
    assert!(!dir.path().join("state.toml").exists(), "nothing is saved");

    let d = Daemon::start(dir.path(), &[]);
    let addr: SocketAddr = format!("127.0.0.1:{}", d.metrics_port).parse().unwrap();
    assert!(serves(addr, "/metrics"));
    // Through the running daemon's API: a bad filter is refused whole.
    let (code, body) = http(
        d.api,
        "PATCH",
        "/api/config/metrics",
        Some(&d.token),
        br#"{"filters": {"netdev_device_include": "(eth"}, "port": 1}"#,
    );
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("netdev_device_include"), "{body}");
    let (code, body) = http(
        d.api,
        "PATCH",
        "/api/config/metrics",
        Some(&d.token),
        br#"{"compat": "cadvisor"}"#,
    );
    assert_eq!(code, 400, "{body}");
    assert!(serves(addr, "/metrics"));

    // --metrics-listen on a port in use: a second daemon exits 2 with the address.
    let blocker = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = blocker.local_addr().unwrap();
    let other = tempfile::tempdir().unwrap();
    let (code, _, err) = hm_run(
        other.path(),
        &[
            "daemon",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            &busy.to_string(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("cannot serve metrics on {busy}")),
        "{err}"
    );
    assert!(!other.path().join("daemon.json").exists());
    // And the running one still serves.
    assert!(serves(addr, "/metrics"));
}

/// Label values of every series in an exposition, with their family.
fn all_series(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    parse(text)
        .into_iter()
        .flat_map(|(name, f)| {
            f.series
                .into_keys()
                .map(move |l| (name.clone(), l))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn processes_that_come_and_go_churn_no_series() {
    let dir = tempfile::tempdir().unwrap();
    let plain = Daemon::start(dir.path(), &[]);
    let dir2 = tempfile::tempdir().unwrap();
    let grouped = Daemon::start(
        dir2.path(),
        &["--process-metrics", "--max-process-groups", "8"],
    );
    // Forty distinct process names, started and stopped for a minute.
    let sleep = std::process::Command::new("sh")
        .args(["-c", "command -v sleep"])
        .output()
        .unwrap();
    let sleep = String::from_utf8(sleep.stdout).unwrap().trim().to_string();
    let bin = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..40).map(|i| format!("churn{i:02}")).collect();
    for n in &names {
        std::fs::copy(&sleep, bin.path().join(n)).unwrap();
    }
    let mut pids = BTreeSet::new();
    let mut seen_plain = BTreeSet::new();
    let mut seen_grouped = BTreeSet::new();
    let mut children: Vec<Child> = Vec::new();
    let started = Instant::now();
    let mut i = 0;
    while started.elapsed() < Duration::from_secs(60) {
        for _ in 0..4 {
            let name = &names[i % names.len()];
            i += 1;
            let c = Command::new(bin.path().join(name))
                .arg("0.7")
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            pids.insert(c.id().to_string());
            children.push(c);
        }
        children.retain_mut(|c| c.try_wait().unwrap().is_none());
        for (d, seen) in [(&plain, &mut seen_plain), (&grouped, &mut seen_grouped)] {
            let addr: SocketAddr = format!("127.0.0.1:{}", d.metrics_port).parse().unwrap();
            let text = dechunk(&http(addr, "GET", "/metrics", None, b"").1);
            seen.extend(all_series(&text));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
    assert!(pids.len() > 100, "{} processes", pids.len());
    for seen in [&seen_plain, &seen_grouped] {
        for (family, labels) in seen.iter() {
            for (k, v) in labels {
                assert!(
                    !(pids.contains(v) && k != "le"),
                    "{family} carries the pid {v} in {k}"
                );
                assert!(
                    !(family.starts_with("hivemind_container") && names.contains(v)),
                    "{family} counts {v} as a container"
                );
            }
            assert!(
                !labels.contains(&("runtime".into(), "process".into())),
                "{family}{labels:?}"
            );
        }
    }
    assert!(
        !seen_plain
            .iter()
            .any(|(f, _)| f.starts_with("hivemind_process_group"))
    );
    let groups: BTreeSet<&String> = seen_grouped
        .iter()
        .filter(|(f, _)| f.starts_with("hivemind_process_group_"))
        .flat_map(|(_, l)| l.iter().filter(|(k, _)| k == "groupname").map(|(_, v)| v))
        .collect();
    assert!(!groups.is_empty() && groups.len() <= 8, "{groups:?}");
    let group_series = seen_grouped
        .iter()
        .filter(|(f, _)| f.starts_with("hivemind_process_group_"))
        .count();
    assert!(group_series <= 3 * 8, "{group_series} distinct series");
}
