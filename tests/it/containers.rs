//! Real Docker containers as profile targets: images assembled here with `docker import`, profiled by short id, full id and name.

use std::io::Read;
use std::net::{IpAddr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::agent::peer;
use super::profile::{BUSY_JS, build_with, flat_bytes, need_root, pprof, pprof_top, top_rows};
use super::{hm_run, poll};

/// Whether Docker Engine answers here: a skip notice when not, a failure under CI=true.
pub(super) fn docker_available() -> bool {
    let ok = Command::new("docker")
        .arg("info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and `docker info` fails: the container tests need Docker Engine"
        );
        eprintln!("skipped: `docker info` fails");
    }
    ok
}

/// `docker ARGS`, which must succeed; its stdout, trimmed.
pub(super) fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A name no other test run uses.
pub(super) fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// An image made for a test, removed on drop.
pub(super) struct Image(pub(super) String);

impl Drop for Image {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rmi", "-f", &self.0])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A container made for a test, removed with its processes on drop. Everything about it
/// comes from `docker inspect`.
struct Container {
    id: String,
    name: String,
    /// Its main process, as this machine's /proc numbers it.
    pid: u32,
    gateway: String,
    ip: String,
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", &self.id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Container {
    fn run(image: &Image, args: &[&str]) -> Container {
        let name = unique("hivemind-test");
        let mut all = vec!["run", "-d", "--name", &name, &image.0];
        all.extend_from_slice(args);
        let id = docker(&all);
        // The guard exists before anything else can fail.
        let mut c = Container {
            id,
            name: String::new(),
            pid: 0,
            gateway: String::new(),
            ip: String::new(),
        };
        let info = docker(&[
            "inspect",
            "-f",
            "{{.Id}}|{{.Name}}|{{.State.Pid}}|{{.NetworkSettings.Gateway}}|{{.NetworkSettings.IPAddress}}",
            &c.id,
        ]);
        let f: Vec<&str> = info.split('|').collect();
        assert_eq!(f.len(), 5, "{info}");
        assert_eq!(f[0], c.id, "docker run printed the full id");
        c.name = f[1].trim_start_matches('/').to_string();
        c.pid = f[2].parse().unwrap();
        c.gateway = f[3].to_string();
        c.ip = f[4].to_string();
        assert!(c.pid > 0, "{info}: not running");
        c
    }

    fn short(&self) -> &str {
        &self.id[..12]
    }

    /// The three ways to name it: short id, full id, name.
    fn ids(&self) -> [&str; 3] {
        [self.short(), &self.id, &self.name]
    }
}

/// A root filesystem for an image: busybox-static with a few applets, and `/tmp`.
pub(super) struct RootFs(tempfile::TempDir);

impl RootFs {
    pub(super) fn new() -> Option<RootFs> {
        let busybox = peer("busybox")?;
        let fs = RootFs(tempfile::tempdir().unwrap());
        fs.add_with_libraries(&busybox, "/bin/busybox");
        for applet in ["sh", "sleep", "cat"] {
            std::os::unix::fs::symlink("busybox", fs.0.path().join("bin").join(applet)).unwrap();
        }
        let tmp = fs.0.path().join("tmp");
        std::fs::create_dir(&tmp).unwrap();
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777)).unwrap();
        Some(fs)
    }

    /// Copy `host` to `at` in the image, with its mode.
    fn add(&self, host: &Path, at: &str) {
        let dest = self.0.path().join(at.trim_start_matches('/'));
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(host, &dest).unwrap_or_else(|e| panic!("copy {host:?}: {e}"));
    }

    /// [`RootFs::add`] a program and the shared libraries `ldd` lists for it, at their paths.
    fn add_with_libraries(&self, host: &Path, at: &str) {
        self.add(host, at);
        let out = Command::new("ldd").arg(host).output().unwrap();
        // A static program: ldd says so and fails.
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let lib = match line.split_once("=>") {
                Some((_, right)) => right.split_whitespace().next(),
                None => line.split_whitespace().next(),
            };
            if let Some(lib) = lib.filter(|l| l.starts_with('/')) {
                let real = std::fs::canonicalize(lib).unwrap();
                self.add(&real, lib);
            }
        }
    }

    /// `docker import` it as a new image.
    pub(super) fn import(&self) -> Image {
        let image = Image(format!("{}:latest", unique("hivemind-test")));
        let mut tar = Command::new("tar")
            .args(["--numeric-owner", "-C"])
            .arg(self.0.path())
            .args(["-c", "."])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = Command::new("docker")
            .args(["import", "-", &image.0])
            .stdin(tar.stdout.take().unwrap())
            .output()
            .unwrap();
        assert!(tar.wait().unwrap().success());
        assert!(
            out.status.success(),
            "docker import: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        image
    }
}

/// Spins in `hm_container_spin` after touching 64 MiB; with `IP PORT`, sends to that
/// peer forever instead (64 KiB every 10 ms, reconnecting every second when refused).
const CONTAINER_PROGRAM: &str = r#"
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
__attribute__((noinline)) unsigned long hm_container_spin(unsigned long n) {
  volatile unsigned long x = 0;
  for (unsigned long i = 0; i < n; i++) x += i * i;
  return x;
}
int main(int argc, char **argv) {
  if (argc == 3) {
    static char buf[65536];
    memset(buf, 'x', sizeof buf);
    for (;;) {
      int s = socket(AF_INET, SOCK_STREAM, 0);
      struct sockaddr_in a = {0};
      a.sin_family = AF_INET;
      a.sin_port = htons(atoi(argv[2]));
      inet_pton(AF_INET, argv[1], &a.sin_addr);
      if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
        while (write(s, buf, sizeof buf) > 0) usleep(10000);
      close(s);
      sleep(1);
    }
  }
  size_t n = 64UL << 20;
  volatile char *p = malloc(n);
  if (!p) return 1;
  for (size_t i = 0; i < n; i += 4096) p[i] = 1;
  for (;;) hm_container_spin(100000000UL);
}
"#;

const MIB: u64 = 1024 * 1024;

/// `hivemind profile KIND --container ID` into `dir`; the profile's path.
fn profile(dir: &Path, kind: &str, id: &str, duration: Option<&str>) -> PathBuf {
    let out = dir.join(format!("{kind}-{}.prof", unique("p")));
    let mut args = vec!["profile", kind, "--container", id];
    if let Some(d) = duration {
        args.extend(["--duration", d]);
    }
    args.extend(["--output", out.to_str().unwrap()]);
    let (code, _, err) = hm_run(dir, &args);
    assert_eq!(code, 0, "profile {kind} --container {id}: {err}");
    out
}

/// Resident bytes of a process (`VmRSS`).
fn rss(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// The cum value of the `-top -unit=B` row naming `name`.
fn cum_bytes(top: &str, name: &str) -> Option<u64> {
    top_rows(top)
        .iter()
        .find(|l| l.trim_end().ends_with(name))
        .and_then(|l| l.split_whitespace().nth(3)?.strip_suffix('B')?.parse().ok())
}

/// Accepts one connection on `ip` and reads it to the end, counting into the returned
/// counter; the thread gives the total (0 if nobody connected within a minute).
fn listen(ip: IpAddr) -> (u16, Arc<AtomicU64>, std::thread::JoinHandle<u64>) {
    let l = TcpListener::bind((ip, 0)).unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    let count = Arc::new(AtomicU64::new(0));
    let counter = count.clone();
    let h = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut c = loop {
            match l.accept() {
                Ok((c, _)) => break c,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(_) => return 0,
            }
        };
        c.set_nonblocking(false).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut buf = [0u8; 65536];
        loop {
            match c.read(&mut buf) {
                Ok(0) | Err(_) => return counter.load(Ordering::SeqCst),
                Ok(k) => {
                    counter.fetch_add(k as u64, Ordering::SeqCst);
                }
            }
        }
    });
    (port, count, h)
}

#[test]
fn docker_containers_are_profiled_by_short_id_full_id_and_name() {
    if !docker_available() || !need_root() {
        return;
    }
    let Some(fs) = RootFs::new() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let program = build_with(dir.path(), "hmbusy", CONTAINER_PROGRAM, &["-static"]);
    fs.add(&program, "/bin/hmbusy");
    let image = fs.import();

    let busy = Container::run(&image, &["/bin/hmbusy"]);
    let touched = poll(
        Duration::from_secs(20),
        Duration::from_millis(100),
        || rss(busy.pid),
        |r| *r >= 64 * MIB,
    );
    assert!(touched >= 64 * MIB, "{touched}");

    // CPU: the busy function is on top, and the samples are its process's.
    for id in busy.ids() {
        let out = profile(dir.path(), "cpu", id, Some("2s"));
        let Some(top) = pprof_top(&out, &[]) else {
            return;
        };
        assert!(
            top_rows(&top)[0].ends_with("hm_container_spin"),
            "--container {id}:\n{top}"
        );
        let tags = pprof(&out, &["-tags"]).unwrap();
        let pids: Vec<&str> = tags
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("pid:"))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .map(|l| l.split_whitespace().last().unwrap_or_default())
            .collect();
        assert_eq!(pids, [busy.pid.to_string()], "--container {id}:\n{tags}");
    }

    // Memory: its resident memory, under its process.
    let process = format!("hmbusy (pid {})", busy.pid);
    for id in busy.ids() {
        let out = profile(dir.path(), "memory", id, None);
        let top = pprof_top(&out, &["-sample_index=rss", "-unit=B"]).unwrap();
        let rss = cum_bytes(&top, &process).unwrap_or_else(|| panic!("no {process}:\n{top}"));
        assert!(rss >= 64 * MIB, "--container {id}: {rss}\n{top}");
    }

    // A created but stopped container: Docker keeps its state, not its cgroup.
    let name = unique("hivemind-test");
    let id = docker(&["create", "--name", &name, &image.0, "/bin/hmbusy"]);
    let _stopped = Container {
        id: id.clone(),
        name: name.clone(),
        pid: 0,
        gateway: String::new(),
        ip: String::new(),
    };
    for q in [name.as_str(), &id[..12], &id] {
        let out = dir.path().join("stopped.prof");
        let (code, _, err) = hm_run(
            dir.path(),
            &[
                "profile",
                "memory",
                "--container",
                q,
                "--output",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains(&format!(
                "docker container '{name}' ({}) is not running",
                &id[..12]
            )),
            "--container {q}: {err}"
        );
        assert!(!out.exists());
    }

    // Network: a second container sends to a listener on the bridge's gateway.
    let gateway: IpAddr = busy.gateway.parse().unwrap();
    let (port, received, total) = listen(gateway);
    let port_s = port.to_string();
    let sender = Container::run(&image, &["/bin/hmbusy", &busy.gateway, &port_s]);
    let started = poll(
        Duration::from_secs(30),
        Duration::from_millis(100),
        || received.load(Ordering::SeqCst),
        |n| *n > 0,
    );
    assert!(started > 0, "the sender never connected");
    let peer = format!("{gateway}:{port}");
    let mut most = 0;
    for id in sender.ids() {
        let out = profile(dir.path(), "network", id, Some("2s"));
        let top = pprof_top(&out, &["-sample_index=tx", "-unit=B"]).unwrap();
        let tx = flat_bytes(&top, &peer).unwrap_or_else(|| panic!("no row for {peer}:\n{top}"));
        assert!(tx >= MIB, "--container {id}: {tx} bytes to {peer}\n{top}");
        assert!(
            top.contains(&format!("local {}:", sender.ip)),
            "--container {id}:\n{top}"
        );
        assert!(top.contains("interface eth0"), "--container {id}:\n{top}");
        assert!(
            top.contains(&format!("hmbusy (pid {})", sender.pid)),
            "--container {id}:\n{top}"
        );
        most = most.max(tx);
    }
    drop(sender);
    let total = total.join().unwrap();
    assert!(
        total >= most,
        "the peer received {total} bytes, less than the {most} counted"
    );
}

#[test]
fn node_in_a_container_is_named_from_the_perf_map_in_its_own_tmp() {
    if !docker_available() || !need_root() {
        return;
    }
    let (Some(fs), Some(node)) = (RootFs::new(), peer("node")) else {
        return;
    };
    let node = std::fs::canonicalize(node).unwrap();
    fs.add_with_libraries(&node, "/usr/bin/node");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("busy.js");
    std::fs::write(&script, BUSY_JS).unwrap();
    fs.add(&script, "/app/busy.js");
    let image = fs.import();
    let c = Container::run(
        &image,
        &["/usr/bin/node", "--perf-basic-prof", "/app/busy.js"],
    );

    // Node is pid 1 in its namespace and writes its map to the container's /tmp.
    let status = std::fs::read_to_string(format!("/proc/{}/status", c.pid)).unwrap();
    let inner: u32 = status
        .lines()
        .find_map(|l| l.strip_prefix("NSpid:"))
        .and_then(|l| l.split_whitespace().last()?.parse().ok())
        .unwrap();
    assert_ne!(inner, c.pid, "the container has its own pid namespace");
    let map = format!("/proc/{}/root/tmp/perf-{inner}.map", c.pid);
    let listed = poll(
        Duration::from_secs(30),
        Duration::from_millis(100),
        || std::fs::read_to_string(&map).unwrap_or_default(),
        |t| t.contains("hm_busy_js_spin"),
    );
    assert!(listed.contains("hm_busy_js_spin"), "{map} never named it");
    assert!(!Path::new(&format!("/tmp/perf-{}.map", c.pid)).exists());

    let out = profile(dir.path(), "cpu", &c.name, Some("2s"));
    let Some(top) = pprof_top(&out, &[]) else {
        return;
    };
    assert!(top_rows(&top)[0].contains("hm_busy_js_spin"), "{top}");
    let comments = pprof(&out, &["-comments"]).unwrap();
    assert!(
        comments.contains(&format!(
            "JIT code addresses of process {} (node) named from its perf map /tmp/perf-{inner}.map",
            c.pid
        )),
        "{comments}"
    );
}
