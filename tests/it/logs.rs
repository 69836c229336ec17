//! Workload logs end to end: the agent reads container logs, rotated files and journald and
//! ships them to a strict `_bulk` server — nothing lost, nothing duplicated, through outages,
//! pushback and SIGKILL.
//!
//! The `_bulk` server is a double written from Elasticsearch's published `_bulk` API
//! reference (no Elasticsearch is installable here): NDJSON action/source pairs, each line
//! valid JSON and newline-terminated, `create` with an `_id` answered 201, or 409
//! `version_conflict_engine_exception` when the index already holds that id; 429 or 503 for a
//! whole request, or 429 per item, on demand.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::agent::free_port;
use super::fake_http::{FakeHttp, Request, Response};
use super::{hm_run, std_cmd};

/// Documents the strict server created, by `_id`.
#[derive(Default)]
pub struct Index {
    pub docs: Mutex<HashMap<String, serde_json::Value>>,
    pub conflicts: AtomicU32,
    pub requests: AtomicU32,
    /// Answer the next N requests with 503 as a whole.
    pub fail_next: AtomicU32,
    /// Answer the first item of the next N requests with 429.
    pub push_back_next: AtomicU32,
}

impl Index {
    /// Messages of the created workload documents.
    pub fn messages(&self) -> Vec<String> {
        self.docs
            .lock()
            .unwrap()
            .values()
            .filter(|d| d["metadata"]["log_type"] == "workload")
            .map(|d| d["message"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

fn reply(status: u16, v: serde_json::Value) -> Response {
    Response::json(status, &v)
}

/// Check one `_bulk` request strictly and apply it to `index`.
fn bulk(req: &Request, index: &Index) -> Response {
    if req.method != "POST" || req.path != "/_bulk" {
        return reply(
            404,
            serde_json::json!({"error": "no handler", "status": 404}),
        );
    }
    index.requests.fetch_add(1, Ordering::SeqCst);
    assert_eq!(
        req.headers.get("content-type").map(String::as_str),
        Some("application/x-ndjson"),
        "_bulk content type"
    );
    if index
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return reply(
            503,
            serde_json::json!({"error": "unavailable", "status": 503}),
        );
    }
    let push_back = index
        .push_back_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let text = std::str::from_utf8(&req.body).expect("_bulk body is UTF-8");
    assert!(text.ends_with('\n'), "the _bulk body ends with a newline");
    let lines: Vec<&str> = text.split_terminator('\n').collect();
    assert_eq!(lines.len() % 2, 0, "action/source pairs");
    let mut items = Vec::new();
    let mut errors = false;
    for (i, pair) in lines.chunks(2).enumerate() {
        let action: serde_json::Value = serde_json::from_str(pair[0]).expect("action is JSON");
        let obj = action.as_object().expect("action is an object");
        assert_eq!(obj.len(), 1, "one action per line: {action}");
        let create = &action["create"];
        let idx = create["_index"].as_str().expect("create._index");
        let id = create["_id"].as_str().expect("create._id").to_string();
        let doc: serde_json::Value = serde_json::from_str(pair[1]).expect("source is JSON");
        assert!(doc.is_object(), "source is an object");
        let status = if push_back && i == 0 {
            429
        } else {
            let mut docs = index.docs.lock().unwrap();
            if docs.contains_key(&id) {
                index.conflicts.fetch_add(1, Ordering::SeqCst);
                409
            } else {
                docs.insert(id.clone(), doc);
                201
            }
        };
        errors |= status >= 300;
        let mut item = serde_json::json!({"_index": idx, "_id": id, "status": status});
        if status == 409 {
            item["error"] = serde_json::json!({"type": "version_conflict_engine_exception",
                "reason": format!("[{id}]: version conflict, document already exists")});
        } else if status == 429 {
            item["error"] = serde_json::json!({"type": "es_rejected_execution_exception", "reason": "queue full"});
        }
        items.push(serde_json::json!({ "create": item }));
    }
    reply(
        200,
        serde_json::json!({"took": 1, "errors": errors, "items": items}),
    )
}

/// A strict `_bulk` server and what it indexed.
pub fn bulk_server() -> (FakeHttp, Arc<Index>) {
    let index = Arc::new(Index::default());
    let i = Arc::clone(&index);
    (FakeHttp::start(move |req| bulk(req, &i)), index)
}

/// An agent run by hand (stderr to a file, killed with SIGKILL on demand).
pub struct Agent {
    child: Child,
    killed: bool,
    pub log: PathBuf,
}

impl Agent {
    pub fn start(dir: &Path, n: u32) -> Agent {
        let (code, _, err) = hm_run(
            dir,
            &[
                "observability",
                "configure-metrics",
                "--port",
                &free_port().to_string(),
            ],
        );
        assert_eq!(code, 0, "{err}");
        let log = dir.join(format!("agent-{n}.log"));
        let child = std_cmd(dir)
            .args(["daemon", "--listen", &format!("127.0.0.1:{}", free_port())])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Agent {
            child,
            log,
            killed: false,
        }
    }

    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.killed = true;
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if self.killed {
            return;
        }
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `configure-logging` to `es` with `extra` source flags.
pub fn configure(dir: &Path, es: &FakeHttp, extra: &[&str]) {
    let url = es.url("");
    let mut args = vec![
        "observability",
        "configure-logging",
        "--endpoint",
        &url,
        "--index",
        "hivemind-logs",
        "--level",
        "error",
    ];
    args.extend_from_slice(extra);
    let (code, _, err) = hm_run(dir, &args);
    assert_eq!(code, 0, "{err}");
}

/// The sequence numbers (`seq=N`) in `messages`, with how often each came.
fn seq_counts(messages: &[String]) -> HashMap<u64, u32> {
    let mut out = HashMap::new();
    for m in messages {
        if let Some(rest) = m.split("seq=").nth(1) {
            let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = n.parse() {
                *out.entry(n).or_default() += 1;
            }
        }
    }
    out
}

const CONTAINER_ID: &str = "5eb0c4a1d2e3f40516273849a0b1c2d3e4f5061728394a5b6c7d8e9f0a1b2c3d";

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// 100 000 numbered lines over a Docker container log, a file rotated by rename and one
/// rotated by copytruncate, with the `_bulk` server down for 10 s, pushback (503s and item
/// 429s) and the agent killed with SIGKILL and restarted twice: every number is indexed
/// exactly once, checked by content.
#[test]
fn every_line_exactly_once_through_rotation_outage_and_sigkill() {
    const TOTAL: u64 = 100_000;
    let (mut es, index) = bulk_server();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let docker = dir.path().join("docker");
    let cdir = docker.join("containers").join(CONTAINER_ID);
    std::fs::create_dir_all(&cdir).unwrap();
    std::fs::write(
        cdir.join("config.v2.json"),
        format!(r#"{{"ID":"{CONTAINER_ID}","Name":"/seq-writer","State":{{"Running":true}}}}"#),
    )
    .unwrap();
    let clog = cdir.join(format!("{CONTAINER_ID}-json.log"));
    let renamed = dir.path().join("renamed");
    let copied = dir.path().join("copied");
    std::fs::create_dir_all(&renamed).unwrap();
    std::fs::create_dir_all(&copied).unwrap();
    configure(
        &data,
        &es,
        &[
            "--docker-root",
            docker.to_str().unwrap(),
            "--file",
            &format!("{}/app.log", renamed.display()),
            "--file",
            &format!("{}/app.log*", copied.display()),
        ],
    );
    let mut agent = Some(Agent::start(&data, 1));

    // The writer: round robin over the three, rotating each file every 4 000 of its lines.
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (clog, renamed, copied, done) = (
            clog.clone(),
            renamed.clone(),
            copied.clone(),
            Arc::clone(&done),
        );
        std::thread::spawn(move || {
            let started = Instant::now();
            let (mut r_lines, mut c_lines, mut r_gen, mut c_gen) = (0u64, 0u64, 0u32, 0u32);
            let mut chunk = [String::new(), String::new(), String::new()];
            for seq in 0..TOTAL {
                let text = format!(
                    "seq={seq:06} level=info padding-{}",
                    "x".repeat((seq % 40) as usize)
                );
                match seq % 3 {
                    0 => chunk[0].push_str(&format!(
                        "{}\n",
                        serde_json::json!({"log": format!("{text}\n"), "stream": "stdout", "time": "2026-01-02T03:04:05.123456789Z"})
                    )),
                    1 => {
                        chunk[1].push_str(&format!("{text}\n"));
                        r_lines += 1;
                    }
                    _ => {
                        chunk[2].push_str(&format!("{text}\n"));
                        c_lines += 1;
                    }
                }
                if seq % 300 == 299 || seq + 1 == TOTAL {
                    append(&clog, &std::mem::take(&mut chunk[0]));
                    append(&renamed.join("app.log"), &std::mem::take(&mut chunk[1]));
                    append(&copied.join("app.log"), &std::mem::take(&mut chunk[2]));
                    if r_lines >= 4000 {
                        r_gen += 1;
                        std::fs::rename(
                            renamed.join("app.log"),
                            renamed.join(format!("app.log.{r_gen}")),
                        )
                        .unwrap();
                        r_lines = 0;
                    }
                    if c_lines >= 4000 {
                        c_gen += 1;
                        let live = copied.join("app.log");
                        std::fs::copy(&live, copied.join(format!("app.log.{c_gen}"))).unwrap();
                        std::fs::OpenOptions::new()
                            .write(true)
                            .open(&live)
                            .unwrap()
                            .set_len(0)
                            .unwrap();
                        c_lines = 0;
                    }
                    // About 40 s for everything: 2 500 lines a second.
                    let due = Duration::from_secs_f64(40.0 * (seq + 1) as f64 / TOTAL as f64);
                    if let Some(wait) = due.checked_sub(started.elapsed()) {
                        std::thread::sleep(wait);
                    }
                }
            }
            done.store(true, Ordering::SeqCst);
        })
    };

    let t0 = Instant::now();
    let at = |s: u64| {
        if let Some(w) = Duration::from_secs(s).checked_sub(t0.elapsed()) {
            std::thread::sleep(w);
        }
    };
    at(6);
    index.fail_next.store(3, Ordering::SeqCst);
    index.push_back_next.store(3, Ordering::SeqCst);
    at(9);
    agent.take().unwrap().kill9();
    agent = Some(Agent::start(&data, 2));
    at(14);
    es.stop();
    at(19);
    agent.take().unwrap().kill9();
    agent = Some(Agent::start(&data, 3));
    at(24);
    es.restart();
    writer.join().unwrap();
    assert!(done.load(Ordering::SeqCst));

    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let n = index.docs.lock().unwrap().len() as u64;
        if n >= TOTAL || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    // A moment more for anything that should not come.
    std::thread::sleep(Duration::from_secs(3));
    let messages = index.messages();
    let counts = seq_counts(&messages);
    let missing: Vec<u64> = (0..TOTAL).filter(|s| !counts.contains_key(s)).collect();
    let twice: Vec<(&u64, &u32)> = counts.iter().filter(|(_, c)| **c > 1).collect();
    let log = std::fs::read_to_string(&agent.as_ref().unwrap().log).unwrap_or_default();
    assert!(
        missing.is_empty(),
        "{} lost, first {:?}; agent log:\n{log}",
        missing.len(),
        &missing[..missing.len().min(20)]
    );
    assert!(
        twice.is_empty(),
        "{} duplicated: {:?}",
        twice.len(),
        &twice[..twice.len().min(20)]
    );
    assert_eq!(messages.len() as u64, TOTAL, "no other documents");
    // The restarts re-sent some records: 409s, not duplicates.
    eprintln!(
        "{} _bulk requests, {} conflicts answered",
        index.requests.load(Ordering::SeqCst),
        index.conflicts.load(Ordering::SeqCst)
    );
    // Container lines carry the container's id and name.
    let docs = index.docs.lock().unwrap();
    let container_doc = docs
        .values()
        .find(|d| d["metadata"]["source"] == "docker")
        .unwrap();
    assert_eq!(container_doc["container_id"], CONTAINER_ID);
    assert_eq!(container_doc["metadata"]["container_name"], "seq-writer");
    assert_eq!(container_doc["timestamp"], "2026-01-02T03:04:05.123Z");
    assert_eq!(container_doc["level"], "info");
    for field in [
        "timestamp",
        "level",
        "message",
        "service",
        "container_id",
        "node_id",
        "trace_id",
        "span_id",
        "metadata",
    ] {
        assert!(
            container_doc.as_object().unwrap().contains_key(field),
            "{field}"
        );
    }
}

/// Lines of a real container (`run=N seq=I`) that arrived, with their documents.
fn container_docs(index: &Index, id: &str) -> Vec<serde_json::Value> {
    index
        .docs
        .lock()
        .unwrap()
        .values()
        .filter(|d| d["container_id"] == id)
        .cloned()
        .collect()
}

/// [`wait_until`], showing the agent's log when it times out.
fn wait_until_or(log: &Path, what: &str, secs: u64, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; agent log:\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn wait_until(what: &str, secs: u64, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Each of `run=R seq=0..n` exactly once among `docs`.
fn assert_runs(docs: &[serde_json::Value], runs: &[(u32, u32)]) {
    let mut seen: HashMap<(u32, u32), u32> = HashMap::new();
    for d in docs {
        let m = d["message"].as_str().unwrap();
        let mut it = m.split_whitespace();
        let r = it
            .next()
            .and_then(|w| w.strip_prefix("run="))
            .and_then(|v| v.parse().ok());
        let s = it
            .next()
            .and_then(|w| w.strip_prefix("seq="))
            .and_then(|v| v.parse().ok());
        if let (Some(r), Some(s)) = (r, s) {
            *seen.entry((r, s)).or_default() += 1;
        }
    }
    for (run, n) in runs {
        for s in 0..*n {
            assert_eq!(
                seen.get(&(*run, s)).copied().unwrap_or(0),
                1,
                "run={run} seq={s}"
            );
        }
    }
}

/// Real Docker containers with the json-file driver: their lines arrive with the container's
/// id and name; `docker restart` loses nothing; nor does `docker rm` while the agent is
/// stopped behind in reading the container's file (the agent keeps the file open).
#[test]
fn docker_container_lines_arrive_through_restart_and_rm() {
    use super::containers::{RootFs, docker, docker_available, unique};
    if !docker_available() {
        return;
    }
    let Some(fs) = RootFs::new() else { return };
    let image = fs.import();
    let (es, index) = bulk_server();
    let dir = tempfile::tempdir().unwrap();
    configure(dir.path(), &es, &["--docker"]);
    let agent = Agent::start(dir.path(), 1);
    // Each start counts its runs in /tmp/n (kept across restarts), waits for /tmp/go, then
    // writes N numbered lines.
    let script = |n: u32| {
        format!(
            "n=$(cat /tmp/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /tmp/n; \
             while [ ! -f /tmp/go ]; do sleep 1; done; \
             i=0; while [ $i -lt {n} ]; do echo \"run=$n seq=$i\"; i=$((i+1)); done; sleep 100000"
        )
    };
    struct Gone(String);
    impl Drop for Gone {
        fn drop(&mut self) {
            let _ = std::process::Command::new("docker")
                .args(["rm", "-f", &self.0])
                .output();
        }
    }
    let name = unique("hm-logs");
    let id = docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--log-driver",
        "json-file",
        &image.0,
        "sh",
        "-c",
        &script(300),
    ]);
    let _g1 = Gone(id.clone());
    docker(&["exec", &id, "sh", "-c", ": > /tmp/go"]);
    wait_until("the first run's lines", 60, || {
        container_docs(&index, &id).len() >= 300
    });
    let docs = container_docs(&index, &id);
    assert_eq!(docs[0]["metadata"]["container_name"], name.as_str());
    assert_eq!(docs[0]["metadata"]["source"], "docker");
    assert_eq!(docs[0]["metadata"]["stream"], "stdout");
    assert_eq!(docs[0]["service"], name.as_str());

    // docker restart: the same file goes on.
    docker(&["restart", "-t", "0", &id]);
    wait_until("the second run's lines", 60, || {
        container_docs(&index, &id).len() >= 600
    });
    assert_runs(&container_docs(&index, &id), &[(1, 300), (2, 300)]);

    // docker rm while the agent is behind: a second container whose file the agent has open;
    // the agent is stopped, the container writes and is removed, the agent goes on.
    let name2 = unique("hm-logs");
    let id2 = docker(&[
        "run",
        "-d",
        "--name",
        &name2,
        &image.0,
        "sh",
        "-c",
        &script(2000),
    ]);
    let _g2 = Gone(id2.clone());
    let log2 = PathBuf::from(docker(&["inspect", "-f", "{{.LogPath}}", &id2]));
    // The agent finds new files within a second; give it three.
    std::thread::sleep(Duration::from_secs(3));
    let pid = agent.pid().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .unwrap()
            .success()
    );
    docker(&["exec", &id2, "sh", "-c", ": > /tmp/go"]);
    wait_until("the second container's 2000 lines on disk", 60, || {
        std::fs::read_to_string(&log2).map_or(0, |t| t.lines().count()) >= 2000
    });
    docker(&["rm", "-f", &id2]);
    assert!(!log2.exists(), "docker rm deleted the log");
    assert!(
        std::process::Command::new("kill")
            .args(["-CONT", &pid])
            .status()
            .unwrap()
            .success()
    );
    wait_until("the removed container's lines", 60, || {
        container_docs(&index, &id2).len() >= 2000
    });
    let docs2 = container_docs(&index, &id2);
    assert_runs(&docs2, &[(1, 2000)]);
    assert_eq!(docs2.len(), 2000);
    assert_eq!(docs2[0]["metadata"]["container_name"], name2.as_str());
    drop(agent);
}

/// Write journal files from journal export entries with Debian's systemd-journal-remote.
fn write_journal(path: &Path, entries: &[(u64, &str, u8)]) -> bool {
    let Some(remote) = [
        "/lib/systemd/systemd-journal-remote",
        "/usr/lib/systemd/systemd-journal-remote",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file()) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and systemd-journal-remote is missing"
        );
        eprintln!("skipped: systemd-journal-remote is not installed");
        return false;
    };
    let mut export = String::new();
    // One boot whose monotonic clock goes on across files, as a real journal's does.
    for (us, msg, prio) in entries {
        export.push_str(&format!(
            "__REALTIME_TIMESTAMP={us}\n__MONOTONIC_TIMESTAMP={}\n_BOOT_ID=0123456789abcdef0123456789abcdef\nMESSAGE={msg}\nPRIORITY={prio}\nSYSLOG_IDENTIFIER=myapp\n\n",
            us - 1_767_225_000_000_000
        ));
    }
    let mut child = std::process::Command::new(remote)
        .arg(format!("--output={}", path.display()))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(export.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    true
}

/// CRI pod logs (partial lines joined, the container id from kubelet's symlink) and journal
/// files written by systemd-journal-remote, through a SIGKILL: each entry once, with its
/// level; and a journal directory without journal files is reported as such.
#[test]
fn cri_and_journald_sources() {
    let (es, index) = bulk_server();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let journal = dir.path().join("journal");
    let pods = dir.path().join("log/pods");
    let links = dir.path().join("log/containers");
    std::fs::create_dir_all(&journal).unwrap();
    std::fs::create_dir_all(&links).unwrap();
    let first: Vec<(u64, String, u8)> = (0..50)
        .map(|i| {
            (
                1_767_225_600_000_000 + i * 1000,
                format!("journal seq={i}"),
                if i == 7 { 3 } else { 6 },
            )
        })
        .collect();
    let first_ref: Vec<(u64, &str, u8)> =
        first.iter().map(|(a, b, c)| (*a, b.as_str(), *c)).collect();
    if !write_journal(&journal.join("one.journal"), &first_ref) {
        return;
    }
    let cid = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0";
    let clog = pods.join("default_web-0_1234-abcd/app/0.log");
    std::fs::create_dir_all(clog.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&clog, links.join(format!("web-0_default_app-{cid}.log"))).unwrap();
    append(
        &clog,
        "2026-01-02T03:04:05.000000001Z stdout P cri seq=1 first half, \n\
         2026-01-02T03:04:05.000000002Z stderr F cri seq=2 ERROR other stream\n\
         2026-01-02T03:04:05.000000003Z stdout F second half\n",
    );
    std::fs::create_dir_all(&data).unwrap();
    configure(
        &data,
        &es,
        &[
            "--cri-root",
            pods.to_str().unwrap(),
            "--journal-directory",
            journal.to_str().unwrap(),
        ],
    );
    let agent = Agent::start(&data, 1);
    let agent_log = agent.log.clone();
    let journal_docs = |index: &Index| -> Vec<serde_json::Value> {
        index
            .docs
            .lock()
            .unwrap()
            .values()
            .filter(|d| d["metadata"]["source"] == "journald")
            .cloned()
            .collect()
    };
    wait_until_or(
        &agent_log,
        "the first journal file and the CRI lines",
        60,
        || {
            journal_docs(&index).len() >= 50
                && index
                    .messages()
                    .iter()
                    .filter(|m| m.contains("cri "))
                    .count()
                    >= 2
        },
    );
    agent.kill9();
    let second: Vec<(u64, String, u8)> = (50..80)
        .map(|i| {
            (
                1_767_225_700_000_000 + i * 1000,
                format!("journal seq={i}"),
                4,
            )
        })
        .collect();
    let second_ref: Vec<(u64, &str, u8)> = second
        .iter()
        .map(|(a, b, c)| (*a, b.as_str(), *c))
        .collect();
    assert!(write_journal(&journal.join("two.journal"), &second_ref));
    let agent = Agent::start(&data, 2);
    let agent_log = agent.log.clone();
    wait_until_or(&agent_log, "the second journal file", 30, || {
        journal_docs(&index).len() >= 80
    });
    std::thread::sleep(Duration::from_secs(2));
    let docs = journal_docs(&index);
    let counts = seq_counts(
        &docs
            .iter()
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>(),
    );
    assert_eq!(docs.len(), 80, "each journal entry once");
    assert!((0..80).all(|i| counts.get(&i) == Some(&1)), "{counts:?}");
    let seven = docs
        .iter()
        .find(|d| d["message"] == "journal seq=7")
        .unwrap();
    assert_eq!(seven["level"], "error");
    assert_eq!(seven["service"], "myapp");
    assert_eq!(seven["timestamp"], "2026-01-01T00:00:00.007Z");
    assert!(docs.iter().any(|d| d["level"] == "warning"));

    let all = index
        .docs
        .lock()
        .unwrap()
        .values()
        .cloned()
        .collect::<Vec<_>>();
    let joined = all
        .iter()
        .find(|d| d["message"] == "cri seq=1 first half, second half")
        .expect("P and F joined");
    assert_eq!(joined["container_id"], cid);
    assert_eq!(joined["metadata"]["namespace"], "default");
    assert_eq!(joined["metadata"]["pod"], "web-0");
    assert_eq!(joined["metadata"]["container_name"], "app");
    assert_eq!(joined["metadata"]["stream"], "stdout");
    assert_eq!(joined["timestamp"], "2026-01-02T03:04:05.000Z");
    let other = all
        .iter()
        .find(|d| d["message"] == "cri seq=2 ERROR other stream")
        .unwrap();
    assert_eq!(other["level"], "error");
    drop(agent);

    // No journal here: said plainly, and the agent runs on.
    let empty = dir.path().join("no-journal");
    std::fs::create_dir_all(&empty).unwrap();
    let data2 = dir.path().join("data2");
    std::fs::create_dir_all(&data2).unwrap();
    configure(
        &data2,
        &es,
        &["--journal-directory", empty.to_str().unwrap()],
    );
    let agent = Agent::start(&data2, 1);
    let log = agent.log.clone();
    wait_until("the no-journal notice", 20, || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("no journal files in")
    });
}

/// Bad input: a pattern that matches nothing yet, a 10 MiB line, invalid UTF-8, and a
/// buffer on a full 1 MiB tmpfs while Elasticsearch is away: counted drops and clear
/// notices, never a crash or a stuck agent.
#[test]
fn bad_input_is_counted_never_fatal() {
    let (mut es, index) = bulk_server();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    let tiny = dir.path().join("tiny");
    std::fs::create_dir_all(&tiny).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&tiny)
        .status()
        .is_ok_and(|s| s.success());
    struct Unmount(PathBuf, bool);
    impl Drop for Unmount {
        fn drop(&mut self) {
            if self.1 {
                let _ = std::process::Command::new("umount").arg(&self.0).status();
            }
        }
    }
    let _unmount = Unmount(tiny.clone(), mounted);
    if !mounted {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and mounting a tmpfs fails"
        );
        eprintln!("skipped the full-disk part: cannot mount a tmpfs here");
    }
    let mut flags = vec![
        "--file".to_string(),
        format!("{}/*.log", files.display()),
        "--file".to_string(),
        "/nonexistent-dir/*/x.log".to_string(),
        "--max-line-size".to_string(),
        "64KiB".to_string(),
    ];
    if mounted {
        flags.extend(["--buffer-dir".to_string(), tiny.display().to_string()]);
    }
    let flags_ref: Vec<&str> = flags.iter().map(String::as_str).collect();
    configure(&data, &es, &flags_ref);
    // Refused values: one line naming the flag, exit 2, nothing stored.
    for (flag, value) in [
        ("--file", "relative/*.log"),
        ("--buffer-size", "5TB"),
        ("--docker-root", "/a/../b"),
    ] {
        let (code, _, err) = hm_run(&data, &["observability", "configure-logging", flag, value]);
        assert_eq!(code, 2, "{flag} {value}: {err}");
        assert!(err.contains(flag), "{err}");
    }
    let agent = Agent::start(&data, 1);
    let app = files.join("app.log");
    let mut content = b"before seq=1\n".to_vec();
    content.extend(std::iter::repeat_n(b'y', 10 * 1024 * 1024));
    content.extend_from_slice(b"\nbad \xff\xfe utf8 seq=2\nafter seq=3\n");
    append_bytes(&app, &content);
    wait_until("the lines around the long one", 60, || {
        let m = index.messages();
        ["before seq=1", "after seq=3"]
            .iter()
            .all(|w| m.iter().any(|x| x == w))
    });
    {
        let docs = index.docs.lock().unwrap();
        let long = docs
            .values()
            .find(|d| d["metadata"]["truncated"] == true)
            .expect("the long line, cut");
        assert_eq!(long["message"].as_str().unwrap().len(), 64 * 1024);
        let bad = docs
            .values()
            .find(|d| d["metadata"]["invalid_utf8"] == true)
            .expect("invalid UTF-8");
        assert_eq!(bad["message"], "bad \u{fffd}\u{fffd} utf8 seq=2");
    }
    if mounted {
        // Elasticsearch away; 4 MiB of lines into a 1 MiB disk: the oldest are dropped and
        // counted, reading goes on, the agent answers.
        es.stop();
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("fill seq={i:06} {}\n", "z".repeat(150)));
        }
        append(&app, &text);
        std::thread::sleep(Duration::from_secs(6));
        let (code, out, err) = hm_run(
            &data,
            &[
                "observability",
                "metrics",
                "hivemind_logs_records_dropped_total",
                "-o",
                "json",
            ],
        );
        assert_eq!(code, 0, "{err}");
        let dropped: f64 = json_samples(&out).iter().map(|(_, v)| v).sum();
        assert!(dropped > 0.0, "{out}");
        es.restart();
        wait_until("the newest lines after the outage", 60, || {
            index
                .messages()
                .iter()
                .any(|m| m.starts_with("fill seq=019999"))
        });
    }
    let log = std::fs::read_to_string(&agent.log).unwrap();
    assert!(!log.contains("panicked"), "{log}");
}

fn append_bytes(path: &Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(bytes).unwrap();
}

/// The samples of a `metrics NAME -o json` answer.
fn json_samples(out: &str) -> Vec<(serde_json::Value, f64)> {
    let v: serde_json::Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let fam = if v["samples"].is_array() {
        v.clone()
    } else {
        v["families"][0].clone()
    };
    fam["samples"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|x| (x["labels"].clone(), x["value"].as_f64().unwrap_or(0.0)))
                .collect()
        })
        .unwrap_or_default()
}

/// `daemon token --rotate` is audited: the record (never the token) waits in the data
/// directory until the daemon starts, which logs it as an audit record with the rest.
#[test]
fn token_rotation_is_audited() {
    use super::agent::Daemon;
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let queue = dir.path().join("audit-queue.jsonl");
    let (code, old, err) = hm_run(dir.path(), &["daemon", "token"]);
    assert_eq!(code, 0, "{err}");
    assert!(!queue.exists(), "printing the token is not a rotation");
    let (code, new, err) = hm_run(dir.path(), &["daemon", "token", "--rotate"]);
    assert_eq!(code, 0, "{err}");
    assert_ne!(old, new);
    let text = std::fs::read_to_string(&queue).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(!text.contains(new.trim()) && !text.contains(old.trim()));
    assert_eq!(
        std::fs::metadata(&queue).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let _d = Daemon::start(dir.path(), &[]);
    let (code, out, err) = hm_run(
        dir.path(),
        &["observability", "logs", "--audit", "-o", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let page: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rotation = page["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metadata"]["audit"]["action"] == "rotate the API token")
        .unwrap_or_else(|| panic!("no audit record of the rotation: {out}"))
        .clone();
    assert_eq!(rotation["level"], "info");
    assert_eq!(rotation["metadata"]["log_type"], "audit");
    assert!(
        rotation["metadata"]["audit"]["who"]
            .as_str()
            .unwrap()
            .starts_with("local user uid "),
        "{rotation}"
    );
    assert!(
        rotation["metadata"]["audit"]["result"]
            .as_str()
            .unwrap()
            .starts_with("replaced at "),
        "{rotation}"
    );
    assert!(!out.contains(new.trim()));
    assert!(!queue.exists(), "the daemon took the queue");
}

/// API writes, authentication failures and status-page logins become audit records, which
/// `observability logs --audit` shows (and only them).
#[test]
fn audit_records_for_writes_and_auth_failures() {
    use super::agent::{Daemon, http};
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), &[]);
    let (code, _) = http(d.api, "GET", "/api/rules", Some("wrong-token"), b"");
    assert_eq!(code, 401);
    let (code, _, err) = hm_run(dir.path(), super::SEED_RULE);
    assert_eq!(code, 0, "{err}");
    let (code, _) = http(d.api, "GET", "/ui/login?code=not-a-code", None, b"");
    assert_eq!(code, 401);
    let (code, out, err) = hm_run(
        dir.path(),
        &["observability", "logs", "--audit", "-o", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let page: serde_json::Value = serde_json::from_str(&out).unwrap();
    let logs = page["logs"].as_array().unwrap();
    assert!(
        logs.iter().all(|r| r["metadata"]["log_type"] == "audit"),
        "{out}"
    );
    let find = |action: &str| {
        logs.iter()
            .find(|r| {
                r["metadata"]["audit"]["action"]
                    .as_str()
                    .is_some_and(|a| a.contains(action))
            })
            .unwrap_or_else(|| panic!("no audit record for {action}: {out}"))
            .clone()
    };
    let refused = find("GET /api/rules");
    assert_eq!(refused["level"], "warning");
    assert!(
        refused["metadata"]["audit"]["who"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    assert!(
        refused["metadata"]["audit"]["result"]
            .as_str()
            .unwrap()
            .starts_with("refused")
    );
    let write = find("/api/rules");
    let write = if write["level"] == "warning" {
        find("POST /api/rules")
    } else {
        write
    };
    assert_eq!(write["metadata"]["audit"]["who"], "local socket");
    assert_eq!(write["metadata"]["audit"]["result"], "applied");
    let login = find("status page login");
    assert_eq!(login["level"], "warning");
}
