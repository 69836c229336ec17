//! Traffic between real Docker containers on a user-defined bridge network made here: the
//! `hivemind_network_*` series of a real agent against the bytes the programs sent, RTT
//! under `tc … tbf` shaping on a container's host-side veth, retransmits behind a tiny tbf
//! queue, and a failed connect.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::agent::{Daemon, dechunk, http};
use super::containers::{Container, RootFs, docker, docker_available, unique};
use super::poll;
use super::profile::{build_with, need_root};

/// `serve PORT`: accept forever, read each connection to its end. `send IP PORT BYTES`:
/// connect, write exactly BYTES (0: forever), then hold the connection open. `sendexit IP
/// PORT BYTES`: wait 3 s, connect, write BYTES, close once the peer has closed, and exit.
/// `connect IP PORT`: one connection attempt, then sleep.
const HMNET: &str = r#"
#include <arpa/inet.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static int connect_to(const char *ip, int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { close(s); return -1; }
  return s;
}
int main(int argc, char **argv) {
  static char buf[65536];
  if (argc == 3 && strcmp(argv[1], "serve") == 0) {
    signal(SIGCHLD, SIG_IGN);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(atoi(argv[2]));
    if (bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 64) != 0) return 1;
    for (;;) {
      int c = accept(l, 0, 0);
      if (c < 0) continue;
      if (fork() == 0) { while (read(c, buf, sizeof buf) > 0) {} return 0; }
      close(c);
    }
  }
  if (argc == 5 && strcmp(argv[1], "sendexit") == 0) {
    sleep(3);
    int s = connect_to(argv[2], atoi(argv[3]));
    if (s < 0) return 1;
    long long left = atoll(argv[4]);
    memset(buf, 'x', sizeof buf);
    while (left > 0) {
      ssize_t k = write(s, buf, left > (long long)sizeof buf ? sizeof buf : (size_t)left);
      if (k <= 0) return 1;
      left -= k;
    }
    shutdown(s, SHUT_WR);
    while (read(s, buf, sizeof buf) > 0) {}
    close(s);
    return 0;
  }
  if (argc == 5 && strcmp(argv[1], "send") == 0) {
    long long left = atoll(argv[4]);
    int forever = left == 0;
    int s;
    while ((s = connect_to(argv[2], atoi(argv[3]))) < 0) usleep(100000);
    memset(buf, 'x', sizeof buf);
    while (forever || left > 0) {
      size_t n = forever || left > (long long)sizeof buf ? sizeof buf : (size_t)left;
      ssize_t k = write(s, buf, n);
      if (k <= 0) return 1;
      left -= k;
    }
    for (;;) pause();
  }
  if (argc == 4 && strcmp(argv[1], "connect") == 0) {
    connect_to(argv[2], atoi(argv[3]));
    for (;;) pause();
  }
  return 2;
}
"#;

/// A Docker network made for a test, removed on drop (after its containers, declared later).
struct Network(String);

impl Drop for Network {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["network", "rm", &self.0])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A root qdisc put on a device for a test, deleted on drop.
struct Qdisc(String);

impl Qdisc {
    fn tbf(dev: &str, args: &[&str]) -> Qdisc {
        let out = Command::new("tc")
            .args(["qdisc", "add", "dev", dev, "root", "tbf"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tc qdisc add dev {dev}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Qdisc(dev.to_string())
    }
}

impl Drop for Qdisc {
    fn drop(&mut self) {
        let _ = Command::new("tc")
            .args(["qdisc", "del", "dev", &self.0, "root"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The container's address on `network`, from `docker inspect`.
fn ip_on(c: &Container, network: &str) -> String {
    let ip = docker(&[
        "inspect",
        "-f",
        &format!("{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}"),
        &c.id,
    ]);
    assert!(!ip.is_empty(), "{} has no address on {network}", c.name);
    ip
}

/// The host side of the container's veth: `eth0@ifN` inside its namespace names the
/// host's interface with index N.
fn host_veth(c: &Container) -> String {
    let out = Command::new("nsenter")
        .args([
            "-t",
            &c.pid.to_string(),
            "-n",
            "ip",
            "-o",
            "link",
            "show",
            "eth0",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let peer = text
        .split_once("eth0@if")
        .and_then(|(_, r)| r.split(|ch: char| !ch.is_ascii_digit()).next())
        .unwrap_or_else(|| panic!("no eth0@ifN in {text:?}"))
        .to_string();
    let links = Command::new("ip").args(["-o", "link"]).output().unwrap();
    let links = String::from_utf8_lossy(&links.stdout);
    links
        .lines()
        .find_map(|l| {
            let (index, rest) = l.split_once(": ")?;
            (index.trim() == peer).then(|| rest.split(['@', ':']).next().unwrap().to_string())
        })
        .unwrap_or_else(|| panic!("no host interface with index {peer}:\n{links}"))
}

fn scrape(addr: SocketAddr) -> String {
    let (code, body) = http(addr, "GET", "/metrics", None, b"");
    assert_eq!(code, 200);
    dechunk(&body)
}

/// The value of the `family` series whose labels include all of `labels`.
fn value(text: &str, family: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{family}{{")))
        .find(|l| {
            labels
                .iter()
                .all(|(k, v)| l.contains(&format!("{k}=\"{v}\"")))
        })
        .and_then(|l| l.rsplit_once(' ')?.1.parse().ok())
}

/// The RTT histogram of a pair: `(le, cumulative count)`, `+Inf` last as infinity.
fn rtt_buckets(text: &str, source: &str, destination: &str) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = text
        .lines()
        .filter(|l| l.starts_with("hivemind_network_latency_seconds_bucket{"))
        .filter(|l| {
            l.contains(&format!("source=\"{source}\""))
                && l.contains(&format!("destination=\"{destination}\""))
        })
        .filter_map(|l| {
            let le = l.split("le=\"").nth(1)?.split('"').next()?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            Some((le, l.rsplit_once(' ')?.1.parse().ok()?))
        })
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// The upper bound of the bucket holding the median of the observations made between two
/// scrapes, and the bucket below's bound (the median lies between them); `None` without
/// observations.
fn median_bounds(before: &[(f64, f64)], after: &[(f64, f64)]) -> Option<(f64, f64)> {
    let base = |le: f64| {
        before
            .iter()
            .find(|(b, _)| *b == le)
            .map_or(0.0, |(_, n)| *n)
    };
    let delta: Vec<(f64, f64)> = after.iter().map(|(le, n)| (*le, n - base(*le))).collect();
    let total = delta.last()?.1;
    if total <= 0.0 {
        return None;
    }
    let mut below = 0.0;
    for (le, n) in delta {
        if n >= total / 2.0 {
            return Some((below, le));
        }
        below = le;
    }
    None
}

#[test]
fn traffic_between_docker_containers_rtt_retransmits_and_failed_connects() {
    if !docker_available() || !need_root() {
        return;
    }
    for tool in ["tc", "nsenter", "ip"] {
        if super::agent::peer(tool).is_none() {
            return;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let fs = RootFs::empty();
    let program = build_with(dir.path(), "hmnet", HMNET, &["-static"]);
    fs.add(&program, "/bin/hmnet");
    let image = fs.import();
    let net = Network(unique("hivemind-net"));
    docker(&["network", "create", &net.0]);
    let on_net = ["--network", net.0.as_str()];
    let run = |args: &[&str]| Container::run_with(&image, &on_net, args);

    // Two servers; a client that sends exactly 4 MiB to the first, an idle one to the second.
    let sent: u64 = 4 * 1024 * 1024;
    let server = run(&["/bin/hmnet", "serve", "5000"]);
    let quiet = run(&["/bin/hmnet", "serve", "5000"]);
    let (server_ip, quiet_ip) = (ip_on(&server, &net.0), ip_on(&quiet, &net.0));
    let client = run(&["/bin/hmnet", "send", &server_ip, "5000", &sent.to_string()]);
    let idle = run(&["/bin/hmnet", "send", &quiet_ip, "5000", "1000"]);

    let d = Daemon::start(dir.path(), &[]);
    let addr: SocketAddr = format!("127.0.0.1:{}", d.metrics_port).parse().unwrap();
    let pair = |s: &Container, t: &Container| {
        [("source", s.name.clone()), ("destination", t.name.clone())]
    };
    let get = |text: &str, family: &str, labels: &[(&str, String)], extra: &[(&str, &str)]| {
        let all: Vec<(&str, &str)> = labels
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .chain(extra.iter().copied())
            .collect();
        value(text, family, &all)
    };
    let traffic = "hivemind_network_traffic_bytes_total";
    let text = poll(
        Duration::from_secs(30),
        Duration::from_millis(1100),
        || scrape(addr),
        |t| {
            get(
                t,
                traffic,
                &pair(&client, &server),
                &[("direction", "transmit")],
            )
            .is_some_and(|v| v >= sent as f64)
        },
    );
    let tx = get(
        &text,
        traffic,
        &pair(&client, &server),
        &[("direction", "transmit")],
    )
    .unwrap_or_else(|| panic!("no {traffic} from the client to the server:\n{text}"));
    assert!(
        (tx - sent as f64).abs() <= 0.02 * sent as f64,
        "{tx} bytes counted, {sent} sent"
    );
    // Seen from both ends, counted once: nothing from the server to the client.
    assert!(
        get(&text, traffic, &pair(&server, &client), &[]).is_none(),
        "counted twice:\n{text}"
    );
    assert_eq!(
        get(
            &text,
            "hivemind_network_connections",
            &pair(&client, &server),
            &[]
        ),
        Some(1.0)
    );

    // A container that connects, sends, closes and exits between two collections: its
    // bytes arrive with the kernel's destroy event, and the counter stays afterwards.
    let brief_sent: u64 = 1024 * 1024;
    let brief = run(&[
        "/bin/hmnet",
        "sendexit",
        &server_ip,
        "5000",
        &brief_sent.to_string(),
    ]);
    // A collection while it waits opens its namespace (a scrape within 1 s of the last
    // one is served from the previous collection).
    std::thread::sleep(Duration::from_millis(1100));
    scrape(addr);
    let exited = poll(
        Duration::from_secs(20),
        Duration::from_millis(200),
        || docker(&["inspect", "-f", "{{.State.Running}}", &brief.id]),
        |running| running == "false",
    );
    assert_eq!(exited, "false", "{} did not finish", brief.name);
    std::thread::sleep(Duration::from_millis(1100));
    let text = scrape(addr);
    let brief_tx = get(
        &text,
        traffic,
        &pair(&brief, &server),
        &[("direction", "transmit")],
    )
    .unwrap_or_else(|| panic!("the closed connection is not counted:\n{text}"));
    assert!(
        (brief_tx - brief_sent as f64).abs() <= 0.02 * brief_sent as f64,
        "{brief_tx} bytes counted, {brief_sent} sent and closed"
    );

    // Shape traffic into the server: a bulk sender's RTT grows, the idle pair's does not.
    let veth = host_veth(&server);
    let _shaped = Qdisc::tbf(
        &veth,
        &["rate", "1mbit", "burst", "32kbit", "latency", "300ms"],
    );
    let bulk = run(&["/bin/hmnet", "send", &server_ip, "5000", "0"]);
    std::thread::sleep(Duration::from_secs(4));
    let before = scrape(addr);
    // One observation per connection and collection: enough of them for a steady median
    // (tbf drops at a full queue, so the RTT swings between ~25 and ~300 ms).
    for _ in 0..8 {
        std::thread::sleep(Duration::from_millis(1100));
        scrape(addr);
    }
    let after = scrape(addr);
    let (low, high) = median_bounds(
        &rtt_buckets(&before, &bulk.name, &server.name),
        &rtt_buckets(&after, &bulk.name, &server.name),
    )
    .unwrap_or_else(|| panic!("no RTT observations of the bulk pair:\n{after}"));
    assert!(
        low >= 0.05,
        "bulk RTT median in ({low}, {high}] s, not above 50 ms:\n{after}"
    );
    let (_, idle_high) = median_bounds(
        &rtt_buckets(&before, &idle.name, &quiet.name),
        &rtt_buckets(&after, &idle.name, &quiet.name),
    )
    .unwrap_or_else(|| panic!("no RTT observations of the idle pair:\n{after}"));
    assert!(idle_high <= 0.005, "idle RTT median above {idle_high} s");
    eprintln!(
        "measured: {tx} of {sent} bytes, {brief_tx} of {brief_sent} closed; bulk RTT median in ({low}, {high}] s, idle at most {idle_high} s"
    );

    // A tiny queue drops segments: the sender retransmits.
    let quiet_veth = host_veth(&quiet);
    let _tiny = Qdisc::tbf(
        &quiet_veth,
        &["rate", "1mbit", "burst", "1600", "limit", "3000"],
    );
    let lossy = run(&["/bin/hmnet", "send", &quiet_ip, "5000", "0"]);
    let text = poll(
        Duration::from_secs(30),
        Duration::from_millis(1100),
        || scrape(addr),
        |t| {
            get(
                t,
                "hivemind_network_retransmits_total",
                &pair(&lossy, &quiet),
                &[],
            )
            .is_some_and(|v| v > 0.0)
        },
    );
    assert!(
        get(
            &text,
            "hivemind_network_retransmits_total",
            &pair(&lossy, &quiet),
            &[]
        )
        .is_some_and(|v| v > 0.0),
        "no retransmits counted:\n{text}"
    );

    // A connect to a closed port fails: counted in the container's namespace.
    let refused = run(&["/bin/hmnet", "connect", &server_ip, "6000"]);
    let failed = [("source", refused.name.clone())];
    let text = poll(
        Duration::from_secs(20),
        Duration::from_millis(1100),
        || scrape(addr),
        |t| {
            get(
                t,
                "hivemind_network_errors_total",
                &failed,
                &[("kind", "failed_connect")],
            )
            .is_some_and(|v| v >= 1.0)
        },
    );
    assert_eq!(
        get(
            &text,
            "hivemind_network_errors_total",
            &failed,
            &[("kind", "failed_connect")]
        ),
        Some(1.0),
        "{text}"
    );

    // Without root the containers' namespaces cannot be entered: the reason names the
    // capability, and there is no network series at all (not a partial view).
    if super::agent::peer("setpriv").is_none() {
        return;
    }
    let nobody = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        nobody.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_hivemind"))
        .args(["observability", "metrics", "-o", "json"])
        .env("HIVEMIND_DATA_DIR", nobody.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let snap: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = snap["errors"].to_string();
    assert!(
        errors.contains("network: cannot read the network namespace of")
            && errors.contains("CAP_SYS_ADMIN"),
        "{errors}"
    );
    let families = snap["families"].as_array().unwrap();
    assert!(
        !families
            .iter()
            .any(|f| f["name"].as_str().unwrap().starts_with("hivemind_network_")),
        "network series without root"
    );
}
