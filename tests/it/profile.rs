//! `hivemind profile`: real target programs (built here with the C compiler), profiled
//! locally and through a real agent, every file read back by the real `go tool pprof`.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::agent::{Daemon, free_port, peer};
use super::fake_http::{FakeHttp, Response};
use super::{hm, hm_run, json, run, std_cmd};

/// A running test program, killed on drop.
struct Program(Child);

impl Program {
    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Compile a C program into `dir` (frame pointers on, so the kernel can walk its stack).
fn build(dir: &Path, name: &str, source: &str) -> PathBuf {
    build_with(dir, name, source, &[])
}

/// [`build`] with extra compiler flags (`-static` for a container image).
pub(super) fn build_with(dir: &Path, name: &str, source: &str, flags: &[&str]) -> PathBuf {
    let src = dir.join(format!("{name}.c"));
    std::fs::write(&src, source).unwrap();
    let bin = dir.join(name);
    let out = Command::new("cc")
        .args(["-O1", "-g", "-fno-omit-frame-pointer"])
        .args(flags)
        .arg("-o")
        .arg(&bin)
        .arg(&src)
        .output()
        .expect("cc (the C compiler the build already needs)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    bin
}

/// Start `bin` and wait for it to print `ready`.
fn start(bin: &Path, args: &[&str]) -> Program {
    start_in(Path::new("."), bin, args)
}

/// [`start`] in the working directory `dir` (for programs that write files there, as
/// node's `--perf-basic-prof` writes its V8 log).
fn start_in(dir: &Path, bin: &Path, args: &[&str]) -> Program {
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    Program(child)
}

const SPIN: &str = r#"
#include <stdio.h>
__attribute__((noinline)) unsigned long hm_spin_target(unsigned long n) {
  volatile unsigned long x = 0;
  for (unsigned long i = 0; i < n; i++) x += i * i;
  return x;
}
int main(void) {
  puts("ready"); fflush(stdout);
  for (;;) hm_spin_target(100000000UL);
}
"#;

const HOG: &str = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(void) {
  size_t n = 200UL * 1024 * 1024;
  volatile char *p = malloc(n);
  if (!p) return 1;
  /* Touch every page (volatile: the compiler may not drop the writes). */
  for (size_t i = 0; i < n; i += 4096) p[i] = 1;
  puts("ready"); fflush(stdout);
  for (;;) pause();
}
"#;

/// Connects to 127.0.0.1:PORT after DELAY ms, sends 10 MiB, waits, closes, and lingers;
/// with a third argument `exit`, waits after connecting instead, then sends, closes and
/// exits at once (the socket is destroyed between two polls of the profiler).
const SEND: &str = r#"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  puts("ready"); fflush(stdout);
  usleep(atoi(argv[2]) * 1000);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(atoi(argv[1]));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return 1;
  int quick = argc > 3 && strcmp(argv[3], "exit") == 0;
  /* Quick: let a poll see the idle socket, then send, close and exit within one poll. */
  if (quick) usleep(300000);
  static char buf[65536];
  memset(buf, 'x', sizeof buf);
  for (int i = 0; i < 160; i++) {
    size_t off = 0;
    while (off < sizeof buf) { ssize_t n = write(s, buf + off, sizeof buf - off); if (n <= 0) return 1; off += n; }
  }
  if (quick) { close(s); return 0; }
  usleep(300000);
  close(s);
  for (;;) pause();
}
"#;

/// `go tool pprof -top ARGS FILE`, or `None` (skip notice) without Go.
pub(super) fn pprof_top(file: &Path, args: &[&str]) -> Option<String> {
    let mut all = vec!["-top"];
    all.extend_from_slice(args);
    pprof(file, &all)
}

/// `go tool pprof ARGS FILE`, or `None` (skip notice) without Go.
pub(super) fn pprof(file: &Path, args: &[&str]) -> Option<String> {
    let go = peer("go")?;
    let out = Command::new(go)
        .args(["tool", "pprof"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "go tool pprof failed: {}{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(text)
}

/// The rows of `-top` output (after the `flat flat% …` header).
pub(super) fn top_rows(top: &str) -> Vec<String> {
    top.lines()
        .skip_while(|l| !l.trim_start().starts_with("flat"))
        .skip(1)
        .map(str::to_string)
        .collect()
}

/// The flat value of the `-top -unit=B` row naming `name`.
pub(super) fn flat_bytes(top: &str, name: &str) -> Option<u64> {
    top_rows(top)
        .iter()
        .find(|l| l.trim_end().ends_with(name))
        .and_then(|l| l.split_whitespace().next()?.strip_suffix('B')?.parse().ok())
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

/// Skip a test that needs root, except under CI=true where it must run.
pub(super) fn need_root() -> bool {
    if is_root() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true and not root: profiling tests need root"
    );
    eprintln!("skipped: not root");
    false
}

#[test]
fn cpu_profile_of_a_spinning_process_shows_its_function_on_top() {
    if !need_root() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spin = start(&build(dir.path(), "spin", SPIN), &[]);
    let out = dir.path().join("cpu.prof");
    let pid = spin.pid().to_string();
    let (code, stdout, err) = hm_run(
        dir.path(),
        &[
            "profile",
            "cpu",
            "--pid",
            &pid,
            "--duration",
            "2s",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("cpu profile written to"), "{err}");
    assert_eq!(mode(&out), 0o600);
    // The summary's first row is the spinning function.
    let first = stdout.lines().nth(2).unwrap_or_default();
    assert!(first.ends_with("hm_spin_target"), "{stdout}");
    let Some(top) = pprof_top(&out, &[]) else {
        return;
    };
    assert!(top.contains("Type: cpu"), "{top}");
    assert!(top_rows(&top)[0].ends_with("hm_spin_target"), "{top}");
    // File and line come from the program's DWARF.
    let lines = pprof_top(&out, &["-lines"]).unwrap();
    assert!(lines.contains("spin.c:"), "{lines}");

    // The same as a flame graph, and as JSON for scripts.
    let svg = dir.path().join("cpu.svg");
    let (code, stdout, err) = hm_run(
        dir.path(),
        &[
            "-o",
            "json",
            "profile",
            "cpu",
            "--pid",
            &pid,
            "--duration",
            "1s",
            "--format",
            "flamegraph",
            "--output",
            svg.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let report = json(&stdout);
    assert_eq!(report["format"], "flamegraph");
    assert_eq!(report["top"][0]["name"], "hm_spin_target");
    assert_eq!(report["sample_types"][1], "cpu/nanoseconds");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg") && text.contains("hm_spin_target"));
}

#[test]
fn coarse_fallback_reports_cpu_per_thread() {
    if !need_root() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spin = start(&build(dir.path(), "spin", SPIN), &[]);
    let out = dir.path().join("coarse.prof");
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "profile",
            "cpu",
            "--coarse",
            "--pid",
            &spin.pid().to_string(),
            "--duration",
            "1s",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("coarse fallback"), "{err}");
    let Some(top) = pprof_top(&out, &[]) else {
        return;
    };
    let row = &top_rows(&top)[0];
    assert!(row.contains(&format!("spin (tid {})", spin.pid())), "{top}");
    assert!(top.contains("coarse fallback"), "{top}");
}

#[test]
fn refused_perf_events_are_explained() {
    if !need_root() {
        return;
    }
    // An unprivileged user may not sample root's process; it is told why and what to do.
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let spin = start(&build(dir.path(), "spin", SPIN), &[]);
    let mut nobody = Command::new("setpriv");
    nobody
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_hivemind"))
        .args(["profile", "cpu", "--duration", "1s", "--pid"])
        .arg(spin.pid().to_string())
        .arg("--output")
        .arg(dir.path().join("x.prof"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("HIVEMIND_DATA_DIR", dir.path())
        .env("HIVEMIND_SECRET_BACKEND", "file")
        .env("NO_COLOR", "1");
    let (code, _, err) = run(&mut assert_cmd::Command::from_std(nobody));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("perf events are not permitted"), "{err}");
    assert!(err.contains("perf_event_paranoid"), "{err}");
    assert!(err.contains("--coarse"), "{err}");
    assert!(!dir.path().join("x.prof").exists());
}

#[test]
fn memory_profile_shows_touched_anonymous_memory() {
    if !need_root() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let hog = start(&build(dir.path(), "hog", HOG), &[]);
    let out = dir.path().join("memory.prof");
    let (code, stdout, err) = hm_run(
        dir.path(),
        &[
            "profile",
            "memory",
            "--pid",
            &hog.pid().to_string(),
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("[anon]") || stdout.contains("[heap]"),
        "{stdout}"
    );
    let Some(top) = pprof_top(&out, &["-sample_index=anonymous", "-unit=B"]) else {
        return;
    };
    let total: u64 = top_rows(&top)
        .iter()
        .filter(|l| !l.contains("(pid "))
        .filter_map(|l| {
            l.split_whitespace()
                .next()?
                .strip_suffix('B')?
                .parse::<u64>()
                .ok()
        })
        .sum();
    assert!(total >= 200 * 1024 * 1024, "{total}\n{top}");
}

/// Accept one connection on loopback and read it to the end.
fn sink() -> (u16, std::thread::JoinHandle<u64>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut n = 0u64;
        let mut buf = [0u8; 65536];
        loop {
            match c.read(&mut buf) {
                Ok(0) | Err(_) => return n,
                Ok(k) => n += k as u64,
            }
        }
    });
    (port, h)
}

fn assert_ten_mib_to(top: &str, port: u16) {
    let peer = format!("127.0.0.1:{port}");
    let tx = flat_bytes(top, &peer).unwrap_or_else(|| panic!("no row for {peer}:\n{top}"));
    let want = 10.0 * 1024.0 * 1024.0;
    assert!(
        (tx as f64 - want).abs() / want < 0.03,
        "tx to {peer} is {tx}, not ≈10 MiB\n{top}"
    );
}

#[test]
fn network_profile_counts_bytes_sent_to_a_loopback_peer() {
    if !need_root() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = build(dir.path(), "send", SEND);
    let (port, received) = sink();
    let sender = start(&bin, &[&port.to_string(), "800"]);
    let out = dir.path().join("network.prof");
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "profile",
            "network",
            "--pid",
            &sender.pid().to_string(),
            "--duration",
            "3s",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(received.join().unwrap(), 10 * 1024 * 1024);
    let Some(top) = pprof_top(&out, &["-sample_index=tx", "-unit=B"]) else {
        return;
    };
    // The connection was opened and closed inside the window and still counts in full.
    assert_ten_mib_to(&top, port);
    assert!(
        !top.contains("interface lo") && !top.contains("netns"),
        "{top}"
    );
}

/// The `N total` of `go tool pprof -top -unit=B` (`0` for an empty profile).
pub(super) fn pprof_total(top: &str) -> u64 {
    let line = top
        .lines()
        .find(|l| l.contains(" total"))
        .unwrap_or_else(|| panic!("no total in:\n{top}"));
    let before = line.split(" total").next().unwrap();
    let n = before.rsplit(' ').next().unwrap();
    n.trim_end_matches('B')
        .parse()
        .unwrap_or_else(|_| panic!("total {n:?} in {line:?}"))
}

/// Profile `pid` for `secs` seconds into `dir/network.prof`.
fn network_profile(dir: &Path, pid: u32, secs: u32) -> PathBuf {
    let out = dir.join("network.prof");
    let (code, _, err) = hm_run(
        dir,
        &[
            "profile",
            "network",
            "--pid",
            &pid.to_string(),
            "--duration",
            &format!("{secs}s"),
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn network_profile_total_is_the_bytes_of_a_process_that_closed_and_exited() {
    if !need_root() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = build(dir.path(), "send", SEND);
    let (port, received) = sink();
    let sender = start(&bin, &[&port.to_string(), "800", "exit"]);
    let out = network_profile(dir.path(), sender.pid(), 3);
    assert_eq!(received.join().unwrap(), 10 * 1024 * 1024);
    let Some(top) = pprof_top(&out, &["-unit=B"]) else {
        return;
    };
    // The default sample type is tx; the total is this process's bytes, nothing of lo.
    let total = pprof_total(&top);
    let mib = 1024 * 1024;
    assert!(
        (10 * mib..=10 * mib + mib / 2).contains(&total),
        "total {total} is not 10.0-10.5 MiB\n{top}"
    );
    assert!(
        !top.contains("interface lo") && !top.contains("netns"),
        "{top}"
    );
}

#[test]
fn network_profile_of_a_process_without_sockets_is_empty() {
    if !need_root() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Traffic elsewhere in the same namespace during the window must not count.
    let bin = build(dir.path(), "send", SEND);
    let (port, _received) = sink();
    let _other = start(&bin, &[&port.to_string(), "300", "exit"]);
    let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
    let out = network_profile(dir.path(), sleeper.id(), 2);
    let _ = sleeper.kill();
    let _ = sleeper.wait();
    let Some(top) = pprof_top(&out, &["-unit=B"]) else {
        return;
    };
    assert_eq!(pprof_total(&top), 0, "{top}");
    let Some(rx) = pprof_top(&out, &["-sample_index=rx", "-unit=B"]) else {
        return;
    };
    assert_eq!(pprof_total(&rx), 0, "{rx}");
}

/// A cgroup made for a test: the process is moved back and the directories removed on drop.
struct TestCgroup {
    created: Vec<PathBuf>,
    restore: Vec<PathBuf>,
    pid: u32,
}

impl Drop for TestCgroup {
    fn drop(&mut self) {
        for procs in &self.restore {
            let _ = std::fs::write(procs, self.pid.to_string());
        }
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

/// Put `pid` into a fresh `docker/<id>` cgroup (v1: in every controller that has one; v2:
/// `docker-<id>.scope`). Returns the id, or `None` when this machine does not allow it.
fn containerise(pid: u32) -> Option<(String, TestCgroup)> {
    let root = Path::new("/sys/fs/cgroup");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let id = format!(
        "{:016x}{:016x}{:016x}{:016x}",
        0xbeef_0000_0000_0000u64 | u64::from(pid),
        nanos,
        nanos.rotate_left(23),
        nanos ^ 0xaaaa
    );
    let mut guard = TestCgroup {
        created: Vec::new(),
        restore: Vec::new(),
        pid,
    };
    let places: Vec<(PathBuf, PathBuf)> = if root.join("cgroup.controllers").is_file() {
        vec![(
            root.join(format!("docker-{id}.scope")),
            root.join("cgroup.procs"),
        )]
    } else {
        ["pids", "cpuacct", "memory"]
            .iter()
            .map(|c| root.join(c))
            .filter(|c| c.join("cgroup.procs").is_file())
            .map(|c| (c.join("docker").join(&id), c.join("cgroup.procs")))
            .collect()
    };
    for (dir, back) in places {
        let parent = dir.parent().unwrap().to_path_buf();
        if !parent.exists() {
            std::fs::create_dir(&parent).ok()?;
            guard.created.push(parent);
        }
        std::fs::create_dir(&dir).ok()?;
        guard.created.push(dir.clone());
        guard.restore.push(back);
        std::fs::write(dir.join("cgroup.procs"), pid.to_string()).ok()?;
    }
    if guard.created.is_empty() {
        return None;
    }
    Some((id, guard))
}

#[test]
fn container_profiles_find_the_process_by_its_cgroup() {
    if !need_root() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spin = start(&build(dir.path(), "spin", SPIN), &[]);
    let Some((id, _cgroup)) = containerise(spin.pid()) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and cgroups cannot be created here"
        );
        eprintln!("skipped: cannot create a cgroup");
        return;
    };
    let short = &id[..12];
    let out = dir.path().join("cpu.prof");
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "profile",
            "cpu",
            "--container",
            short,
            "--duration",
            "2s",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let mem = dir.path().join("memory.prof");
    let (code, stdout, err) = hm_run(
        dir.path(),
        &[
            "-o",
            "json",
            "profile",
            "memory",
            "--container",
            &id,
            "--output",
            mem.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let report = json(&stdout);
    assert!(
        report["top"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == format!("spin (pid {})", spin.pid())),
        "{stdout}"
    );
    let Some(top) = pprof_top(&out, &[]) else {
        return;
    };
    assert!(top_rows(&top)[0].ends_with("hm_spin_target"), "{top}");
}

/// A Node program whose busy function V8 compiles to machine code in anonymous memory.
pub(super) const BUSY_JS: &str = r#"
function hm_busy_js_spin(n) {
  let x = 0;
  for (let i = 0; i < n; i++) { x = (x + i * i) % 1000003; }
  return x;
}
console.log("ready");
let total = 0;
for (;;) { total += hm_busy_js_spin(1e7); }
"#;

/// Removes the perf map a runtime wrote to our /tmp.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `profile cpu --pid PID` for `secs`, into `dir/name`; the profile's path.
fn cpu_profile(dir: &Path, name: &str, pid: u32, secs: u32) -> PathBuf {
    let out = dir.join(name);
    let (code, _, err) = hm_run(
        dir,
        &[
            "profile",
            "cpu",
            "--pid",
            &pid.to_string(),
            "--duration",
            &format!("{secs}s"),
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn node_functions_are_named_from_its_perf_map() {
    if !need_root() {
        return;
    }
    let Some(node) = peer("node") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("busy.js");
    std::fs::write(&script, BUSY_JS).unwrap();
    let script = script.to_str().unwrap();

    let with_map = start_in(dir.path(), &node, &["--perf-basic-prof", script]);
    let map = PathBuf::from(format!("/tmp/perf-{}.map", with_map.pid()));
    let _map = RemoveOnDrop(map.clone());
    // V8 publishes the function once it compiles it, within its first calls.
    let listed = super::poll(
        Duration::from_secs(20),
        Duration::from_millis(100),
        || std::fs::read_to_string(&map).unwrap_or_default(),
        |t| t.contains("hm_busy_js_spin"),
    );
    assert!(listed.contains("hm_busy_js_spin"), "{map:?} never named it");
    let out = cpu_profile(dir.path(), "node.prof", with_map.pid(), 2);
    let Some(top) = pprof_top(&out, &[]) else {
        return;
    };
    let rows = top_rows(&top);
    assert!(rows[0].contains("hm_busy_js_spin"), "{top}");
    let comments = pprof(&out, &["-comments"]).unwrap();
    assert!(
        comments.contains(&format!(
            "JIT code addresses of process {} (node) named from its perf map {}",
            with_map.pid(),
            map.display()
        )),
        "{comments}"
    );

    // Without the flag V8 writes no map: addresses, and a note on how to get names.
    let plain = start_in(dir.path(), &node, &[script]);
    std::thread::sleep(Duration::from_millis(500));
    let out = cpu_profile(dir.path(), "plain.prof", plain.pid(), 1);
    let top = pprof_top(&out, &[]).unwrap();
    assert!(!top.contains("hm_busy_js_spin"), "{top}");
    let comments = pprof(&out, &["-comments"]).unwrap();
    assert!(
        comments.contains(&format!(
            "process {} (node) runs Node.js but publishes no perf map (/tmp/perf-{}.map in its root)",
            plain.pid(),
            plain.pid()
        )) && comments.contains("node --perf-basic-prof"),
        "{comments}"
    );
}

#[test]
fn python_without_a_perf_map_is_told_how_to_publish_one() {
    if !need_root() {
        return;
    }
    let Some(python) = peer("python3") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let busy = start(
        &python,
        &["-c", "print('ready', flush=True)\nwhile True:\n    pass"],
    );
    let out = cpu_profile(dir.path(), "python.prof", busy.pid(), 1);
    let Some(comments) = pprof(&out, &["-comments"]) else {
        return;
    };
    assert!(
        comments.contains(&format!(
            "process {} (python3) runs Python but publishes no perf map",
            busy.pid()
        )),
        "{comments}"
    );
    assert!(
        comments.contains("`python3 -X perf` or PYTHONPERFSUPPORT=1"),
        "{comments}"
    );
    // The command warns on stderr too.
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "profile",
            "cpu",
            "--pid",
            &busy.pid().to_string(),
            "--duration",
            "1s",
            "--output",
            dir.path().join("again.prof").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("runs Python but publishes no perf map") && err.contains("python3 -X perf"),
        "{err}"
    );
}

/// INT (Ctrl-C), TERM (`timeout`, CI runners) and HUP (a closed terminal) all stop a
/// profile the same way: nothing written, no temp file left, exit 128 + the signal.
#[test]
fn a_signal_writes_nothing_and_exits_with_its_number() {
    if !need_root() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spin = start(&build(dir.path(), "spin", SPIN), &[]);
    for (signal, code) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        let out_dir = tempfile::tempdir().unwrap();
        let out = out_dir.path().join("cpu.prof");
        let mut child = std_cmd(dir.path())
            .args(["profile", "cpu", "--duration", "30s", "--pid"])
            .arg(spin.pid().to_string())
            .arg("--output")
            .arg(&out)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        // The temp file exists while the profile runs.
        assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 1);
        let started = Instant::now();
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let out_status = child.wait().unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(out_status.code(), Some(code), "SIG{signal}: {err}");
        assert!(err.contains(&format!("stopped by SIG{signal}")), "{err}");
        assert!(err.contains("nothing written"), "{err}");
        assert!(!out.exists());
        assert_eq!(
            std::fs::read_dir(out_dir.path()).unwrap().count(),
            0,
            "SIG{signal}: no temp file left"
        );
    }
}

#[test]
fn profiles_through_an_agent() {
    if !need_root() {
        return;
    }
    let agent_dir = tempfile::tempdir().unwrap();
    let cli = tempfile::tempdir().unwrap();
    let d = Daemon::start(agent_dir.path(), &[]);
    let (code, _, err) = run(hm(cli.path())
        .args(["agent", "add", "n1", "--url", &d.url(), "--token-stdin"])
        .write_stdin(d.token.clone()));
    assert_eq!(code, 0, "{err}");
    let spin = start(&build(cli.path(), "spin", SPIN), &[]);
    let out = cli.path().join("cpu.prof");
    let (code, stdout, err) = hm_run(
        cli.path(),
        &[
            "--agent",
            "n1",
            "profile",
            "cpu",
            "--pid",
            &spin.pid().to_string(),
            "--duration",
            "2s",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("agent n1: cpu profile written"), "{err}");
    assert!(stdout.contains("hm_spin_target"), "{stdout}");
    assert_eq!(mode(&out), 0o600);

    // Network through the agent, with the profile on stdout.
    let bin = build(cli.path(), "send", SEND);
    let (port, received) = sink();
    let sender = start(&bin, &[&port.to_string(), "800"]);
    let net = std_cmd(cli.path())
        .args(["--agent", "n1", "profile", "network", "--duration", "3s"])
        .args(["--output", "-", "--pid"])
        .arg(sender.pid().to_string())
        .output()
        .unwrap();
    assert_eq!(
        net.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&net.stderr)
    );
    assert_eq!(
        &net.stdout[..2],
        &[0x1f, 0x8b],
        "stdout is the gzipped profile"
    );
    assert_eq!(received.join().unwrap(), 10 * 1024 * 1024);
    let net_file = cli.path().join("network.prof");
    std::fs::write(&net_file, &net.stdout).unwrap();

    // The agent profiles itself in-process; several agents write one file each.
    let (code, _, err) = run(hm(cli.path())
        .args(["agent", "add", "n2", "--url", &d.url(), "--token-stdin"])
        .write_stdin(d.token.clone()));
    assert_eq!(code, 0, "{err}");
    let own = cli.path().join("agent.prof");
    let (code, stdout, err) = hm_run(
        cli.path(),
        &[
            "--agent",
            "n1,n2",
            "-o",
            "json",
            "profile",
            "memory",
            "--daemon",
            "--output",
            own.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let report = json(&stdout);
    assert_eq!(report["agents"].as_array().unwrap().len(), 2, "{stdout}");
    assert!(cli.path().join("agent.n1.prof").exists());
    assert!(cli.path().join("agent.n2.prof").exists());
    let self_cpu = cli.path().join("self.prof");
    let (code, _, err) = hm_run(
        cli.path(),
        &[
            "--agent",
            "n1",
            "profile",
            "cpu",
            "--daemon",
            "--duration",
            "1s",
            "--output",
            self_cpu.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");

    let Some(top) = pprof_top(&out, &[]) else {
        return;
    };
    assert!(top_rows(&top)[0].ends_with("hm_spin_target"), "{top}");
    let top = pprof_top(&net_file, &["-sample_index=tx", "-unit=B"]).unwrap();
    assert_ten_mib_to(&top, port);
    let top = pprof(&self_cpu, &["-comments"]).unwrap();
    assert!(top.contains("pprof-rs"), "{top}");
    let top = pprof_top(&cli.path().join("agent.n1.prof"), &[]).unwrap();
    assert!(top.contains("hivemind (pid"), "{top}");
}

#[test]
fn a_go_heap_url_is_saved_and_garbage_is_refused() {
    // A stand-in for a Go service: serves a real profile, then an HTML page.
    let dir = tempfile::tempdir().unwrap();
    let me = std::process::id().to_string();
    let good = dir.path().join("src.prof");
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "profile",
            "memory",
            "--pid",
            &me,
            "--output",
            good.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let body = std::fs::read(&good).unwrap();
    let served = AtomicUsize::new(0);
    let server = FakeHttp::start(move |_| {
        let payload: &[u8] = if served.fetch_add(1, Ordering::SeqCst) == 0 {
            &body
        } else {
            b"<html>not pprof</html>"
        };
        Response::new(200).body(payload)
    });
    let url = server.url("/debug/pprof/heap");
    let out = dir.path().join("heap.prof");
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "profile",
            "memory",
            "--url",
            &url,
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&good).unwrap());
    let bad = dir.path().join("bad.prof");
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "profile",
            "memory",
            "--url",
            &url,
            "--output",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a pprof profile"), "{err}");
    assert!(!bad.exists());
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn hostile_input_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("exists.prof");
    std::fs::write(&existing, b"keep me").unwrap();
    let me = std::process::id().to_string();
    let out = dir.path().join("x.prof");
    let out = out.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["profile", "cpu", "--pid", "0"],
            "expected a process id",
        ),
        (vec!["profile", "cpu", "--pid=-5"], "expected a process id"),
        (
            vec!["profile", "cpu", "--pid", "abc"],
            "expected a process id",
        ),
        (
            vec!["profile", "cpu", "--pid", "99999999999"],
            "expected a process id",
        ),
        (
            vec![
                "profile",
                "cpu",
                "--pid",
                "4194303",
                "--duration",
                "1s",
                "--output",
                out,
            ],
            "no process with pid 4194303",
        ),
        (
            vec![
                "profile",
                "memory",
                "--container",
                "nonexistent-c0ffee",
                "--output",
                out,
            ],
            "no container matches",
        ),
        (
            vec![
                "profile",
                "memory",
                "--container",
                "../../etc",
                "--output",
                out,
            ],
            "container",
        ),
        (
            vec!["profile", "cpu", "--pid", &me, "--duration", "0s"],
            "from 1s to 10m",
        ),
        (
            vec!["profile", "cpu", "--pid", &me, "--duration", "11m"],
            "from 1s to 10m",
        ),
        (
            vec!["profile", "cpu", "--pid", &me, "--duration", "99999999999h"],
            "duration",
        ),
        (
            vec!["profile", "network", "--pid", &me, "--duration", "5M"],
            "unknown unit 'M'",
        ),
        (
            vec!["profile", "cpu", "--pid", &me, "--frequency", "0"],
            "from 1 to 1000",
        ),
        (
            vec!["profile", "cpu", "--pid", &me, "--frequency", "100000"],
            "from 1 to 1000",
        ),
        (vec!["profile", "cpu"], "required"),
        (
            vec!["profile", "cpu", "--pid", &me, "--daemon"],
            "cannot be used with",
        ),
        (
            vec!["profile", "memory", "--url", "file:///etc/passwd"],
            "http",
        ),
        (
            vec!["profile", "memory", "--duration", "1s", "--pid", &me],
            "unexpected argument",
        ),
        (
            vec![
                "profile",
                "cpu",
                "--daemon",
                "--duration",
                "1s",
                "--output",
                out,
            ],
            "running agent",
        ),
        (
            vec![
                "profile",
                "memory",
                "--pid",
                &me,
                "--output",
                existing.to_str().unwrap(),
            ],
            "pass --force",
        ),
        (
            vec![
                "profile",
                "memory",
                "--pid",
                &me,
                "--output",
                dir.path().to_str().unwrap(),
            ],
            "not a directory",
        ),
        (
            vec![
                "profile",
                "memory",
                "--pid",
                &me,
                "--output",
                "/proc/hivemind-test.prof",
            ],
            "--output",
        ),
        (
            vec!["profile", "memory", "--pid", &me, "--output", ""],
            "--output",
        ),
    ];
    for (args, want) in cases {
        let (code, stdout, err) = hm_run(dir.path(), &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert!(err.contains(want), "{args:?}: want {want:?} in {err}");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");
    assert!(!Path::new(out).exists());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "only the pre-existing file: {left:?}");
}

/// `-o FORMAT` is the global output format everywhere, while the seed's `--output FILE` names
/// the profile here: both on one line, before or after the subcommand, each means its own
/// thing (two clap ids; one id of two types would panic when read).
#[test]
fn global_format_and_output_file_on_one_line() {
    if !need_root() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spin = start(&build(dir.path(), "spin", SPIN), &[]);
    let pid = spin.pid().to_string();
    for (i, args) in [
        vec!["-o", "json", "profile", "cpu", "--pid", &pid],
        vec!["profile", "cpu", "-o", "json", "--pid", &pid],
    ]
    .into_iter()
    .enumerate()
    {
        let out = dir.path().join(format!("f{i}.prof"));
        let mut args = args;
        args.extend(["--duration", "1s", "--output", out.to_str().unwrap()]);
        let (code, stdout, err) = hm_run(dir.path(), &args);
        assert_eq!(code, 0, "{args:?}: {err}");
        let summary = json(&stdout);
        assert_eq!(summary["output"], out.to_str().unwrap(), "{stdout}");
        assert_eq!(summary["kind"], "cpu");
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(
            &bytes[..2],
            &[0x1f, 0x8b],
            "{args:?}: not a gzipped profile"
        );
        if let Some(top) = pprof_top(&out, &[]) {
            assert!(top.contains("spin"), "{top}");
        }
    }
    // The exports keep the seed's `--output FILE` too, and say what `-o json` cannot do.
    let (code, _, err) = hm_run(dir.path(), &["-o", "json", "health", "export-rules"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("writes YAML only, not json; its --output FILE names the file"),
        "{err}"
    );
    let rules = dir.path().join("rules.yaml");
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "export-rules",
            "-o",
            "yaml",
            "--output",
            rules.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::read_to_string(&rules).unwrap().contains("groups:"));
}

/// The `-top` rows and the `of X total` figure of `go tool pprof ARGS FILE`.
fn top_and_total(file: &Path, args: &[&str]) -> Option<(Vec<String>, String)> {
    let top = pprof_top(file, args)?;
    let total = top
        .lines()
        .find_map(|l| {
            let (_, rest) = l.split_once(" of ")?;
            Some(rest.strip_suffix(" total")?.to_string())
        })
        .unwrap_or_else(|| panic!("no total in {top}"));
    Some((top_rows(&top), total))
}

#[test]
fn fleet_profiles_merge_into_one_file_labelled_by_node() {
    if !need_root() {
        return;
    }
    let base = tempfile::tempdir().unwrap();
    let cli = base.path().join("cli");
    let daemons: Vec<Daemon> = ["a", "b", "c"]
        .iter()
        .map(|n| Daemon::start(&base.path().join(n), &[]))
        .collect();
    for (name, d) in ["a", "b", "c"].iter().zip(&daemons) {
        let (code, _, err) = run(hm(&cli)
            .args(["agent", "add", name, "--url", &d.url(), "--token-stdin"])
            .write_stdin(d.token.clone()));
        assert_eq!(code, 0, "{err}");
    }
    let spin = start(&build(base.path(), "spin", SPIN), &[]);
    let merged = base.path().join("fleet.prof");
    let parts = base.path().join("parts");
    let args = |out: &Path| {
        vec![
            "--all-agents".to_string(),
            "-o".into(),
            "json".into(),
            "profile".into(),
            "cpu".into(),
            "--pid".into(),
            spin.pid().to_string(),
            "--duration".into(),
            "2s".into(),
            "--merge".into(),
            "--keep-parts".into(),
            parts.display().to_string(),
            "--output".into(),
            out.display().to_string(),
        ]
    };
    let (code, stdout, err) = run(hm(&cli).args(args(&merged)));
    assert_eq!(code, 0, "{err}");
    let report = json(&stdout);
    let agents = report["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 3, "{stdout}");
    assert!(agents.iter().all(|a| a["ok"] == true), "{stdout}");
    assert_eq!(report["top"][0]["name"], "hm_spin_target", "{stdout}");
    for n in ["a", "b", "c"] {
        assert!(parts.join(format!("{n}.prof")).exists(), "part {n}");
    }

    // A rerun without --force touches nothing.
    let (code, _, err) = run(hm(&cli).args(args(&merged)));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force"), "{err}");

    let Some(tags) = pprof(&merged, &["-tags"]) else {
        return;
    };
    for n in ["a", "b", "c"] {
        assert!(tags.contains(&format!(" {n}\n")), "node {n} in {tags}");
    }
    // Each node's samples in the merged file are exactly that node's own profile: pprof's
    // -tagfocus keeps them (written out, so that its total is theirs alone).
    let go = peer("go").unwrap();
    for n in ["a", "b", "c"] {
        let focused = base.path().join(format!("focus-{n}.pb.gz"));
        let out = Command::new(&go)
            .args([
                "tool",
                "pprof",
                "-proto",
                &format!("-tagfocus=node=^{n}$"),
                "-output",
            ])
            .arg(&focused)
            .arg(&merged)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (rows, total) = top_and_total(&focused, &[]).unwrap();
        let (part_rows, part_total) = top_and_total(&parts.join(format!("{n}.prof")), &[]).unwrap();
        assert_eq!(total, part_total, "node {n}");
        assert_eq!(rows, part_rows, "node {n}");
        assert!(rows[0].ends_with("hm_spin_target"), "{rows:?}");
        // The same figure in pprof's view of the merged file with the filter on.
        let top = pprof_top(&merged, &[&format!("-tagfocus=node=^{n}$")]).unwrap();
        assert!(
            top.contains(&format!("accounting for {part_total},")),
            "{top}"
        );
    }
    // The merged totals are what pprof's own merge of the parts gives.
    let pprof_merged = base.path().join("pprof-merged.pb.gz");
    let out = Command::new(go)
        .args(["tool", "pprof", "-proto", "-output"])
        .arg(&pprof_merged)
        .args(["a", "b", "c"].map(|n| parts.join(format!("{n}.prof"))))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (rows, total) = top_and_total(&merged, &[]).unwrap();
    let (theirs, their_total) = top_and_total(&pprof_merged, &[]).unwrap();
    assert_eq!(total, their_total);
    assert_eq!(rows, theirs);

    // An agent that does not answer is reported and left out; the others are merged.
    let down = free_port();
    let (code, _, err) = run(hm(&cli)
        .args([
            "agent",
            "add",
            "gone",
            "--url",
            &format!("http://127.0.0.1:{down}"),
            "--token-stdin",
        ])
        .write_stdin("t0ken-of-nobody"));
    assert_eq!(code, 0, "{err}");
    let partial = base.path().join("partial.prof");
    let (code, stdout, err) = hm_run(
        &cli,
        &[
            "--all-agents",
            "-o",
            "json",
            "profile",
            "cpu",
            "--pid",
            &spin.pid().to_string(),
            "--duration",
            "1s",
            "--merge",
            "--output",
            partial.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("gone"), "{err}");
    let report = json(&stdout);
    let gone: Vec<&serde_json::Value> = report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["ok"] == false)
        .collect();
    assert_eq!(gone.len(), 1, "{stdout}");
    assert_eq!(gone[0]["agent"], "gone");
    let tags = pprof(&partial, &["-tags"]).unwrap();
    assert!(tags.contains(" a\n") && !tags.contains("gone"), "{tags}");
}

const SHIFT: &str = r#"
#include <stdio.h>
#include <string.h>
__attribute__((noinline)) unsigned long hm_old_hot(unsigned long n) {
  volatile unsigned long x = 0;
  for (unsigned long i = 0; i < n; i++) x += i * 3;
  return x;
}
__attribute__((noinline)) unsigned long hm_new_hot(unsigned long n) {
  volatile unsigned long x = 0;
  for (unsigned long i = 0; i < n; i++) x += i * 5;
  return x;
}
int main(int argc, char **argv) {
  int new_code = argc > 1 && strcmp(argv[1], "new") == 0;
  puts("ready"); fflush(stdout);
  for (;;) {
    if (new_code) hm_new_hot(10000000UL); else hm_old_hot(10000000UL);
  }
}
"#;

#[test]
fn a_diff_against_a_baseline_shows_what_grew_and_what_shrank() {
    if !need_root() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = build(dir.path(), "shift", SHIFT);
    let old = start(&bin, &["old"]);
    let base = cpu_profile(dir.path(), "base.prof", old.pid(), 2);
    drop(old);
    let new = start(&bin, &["new"]);
    let diff = dir.path().join("diff.prof");
    let (code, stdout, err) = hm_run(
        dir.path(),
        &[
            "-o",
            "json",
            "profile",
            "cpu",
            "--pid",
            &new.pid().to_string(),
            "--duration",
            "2s",
            "--diff-base",
            base.to_str().unwrap(),
            "--output",
            diff.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&stdout)["top"][0]["name"], "hm_new_hot", "{stdout}");
    let Some(top) = pprof_top(&diff, &[]) else {
        return;
    };
    let flat = |name: &str| -> String {
        top_rows(&top)
            .iter()
            .find(|l| l.trim_end().ends_with(name))
            .and_then(|l| l.split_whitespace().next().map(str::to_string))
            .unwrap_or_else(|| panic!("{name} not in {top}"))
    };
    assert!(!flat("hm_new_hot").starts_with('-'), "{top}");
    assert!(flat("hm_old_hot").starts_with('-'), "{top}");
    let comments = pprof(&diff, &["-comments"]).unwrap();
    assert!(
        comments.contains("difference against the baseline"),
        "{comments}"
    );

    // What is not a profile is refused before profiling, a profile of another kind when the
    // two meet; either way nothing is written.
    let junk = dir.path().join("junk.prof");
    std::fs::write(&junk, "<html>nope</html>").unwrap();
    let mem = dir.path().join("mem.prof");
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "profile",
            "memory",
            "--pid",
            &new.pid().to_string(),
            "--output",
            mem.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    for (bad, what) in [(&junk, "not a pprof profile"), (&mem, "sample types")] {
        let out = dir.path().join("never.prof");
        let (code, _, err) = hm_run(
            dir.path(),
            &[
                "profile",
                "cpu",
                "--pid",
                &new.pid().to_string(),
                "--duration",
                "1s",
                "--diff-base",
                bad.to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
            ],
        );
        assert_ne!(code, 0, "{err}");
        assert!(err.contains("--diff-base") && err.contains(what), "{err}");
        assert!(!out.exists());
    }
}
