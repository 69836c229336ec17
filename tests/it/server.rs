//! The agent's listener against hostile clients: stalled connections from many addresses, a
//! low open-file limit, one greedy address, bodies that are not JSON, doubled Authorization
//! headers, and check runs that would start programs.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};

use super::agent::{Daemon, dechunk};
use super::{hm, hm_run, json, run};

/// A TCP connection to `to` from the loopback address `from` (any of 127.0.0.0/8 works on
/// Linux without configuration).
fn connect_from(from: Ipv4Addr, to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    socket.bind(&SocketAddr::new(IpAddr::V4(from), 0).into())?;
    socket.connect_timeout(&to.into(), Duration::from_secs(5))?;
    Ok(socket.into())
}

/// What a stalled client sends before it goes quiet: nothing at all, part of the HTTP/2
/// preface, or part of an HTTP/1.1 request head.
const STALLS: [&[u8]; 3] = [
    b"",
    b"PRI * HTTP/2.0\r\n",
    b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bea",
];

/// `count` connections spread over the `addresses` addresses 127.0.0.2, 127.0.0.3, …, each
/// sending one of [`STALLS`] and then nothing. Kept open by the caller.
fn stall(api: SocketAddr, addresses: u8, count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|i| {
            let from = Ipv4Addr::new(127, 0, 0, 2 + (i % usize::from(addresses)) as u8);
            let mut s =
                connect_from(from, api).unwrap_or_else(|e| panic!("connect from {from}: {e}"));
            s.write_all(STALLS[i % STALLS.len()]).unwrap();
            s
        })
        .collect()
}

/// One request on a fresh connection from 127.0.0.1; returns (status, body) and how long the
/// answer took (status 0: no answer within 5 s).
fn timed_request(api: SocketAddr, token: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let (status, body) = request(
        api,
        &format!(
            "GET /api/info HTTP/1.1\r\nHost: {api}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
        ),
    );
    (status, body, started.elapsed())
}

/// A raw request (head and body as given) on a fresh connection; returns (status, body), status
/// 0 when nothing came back within 5 s.
fn request(api: SocketAddr, raw: &str) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect_timeout(&api, Duration::from_secs(5)) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    if s.write_all(raw.as_bytes()).is_err() {
        return (0, String::new());
    }
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let text = String::from_utf8_lossy(&resp).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| dechunk(b))
        .unwrap_or_default();
    (status, body)
}

/// Whether the server closed `s` within `within` (end of stream or reset), rather than
/// leaving it open.
fn closed_by_server(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            // An answer (a 408, say) before the close is fine; keep reading to the end.
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false;
            }
            Err(_) => return true,
        }
    }
}

/// Twice `cap` stalled connections from 20 addresses, then an authorised request from
/// 127.0.0.1 must be answered within a second; afterwards every stalled connection is closed
/// by the server once the header timeout (10 s) has passed.
fn stalled_clients_cannot_freeze(d: &Daemon, stalled: usize) {
    let mut held = stall(d.api, 20, stalled);
    // Let the agent take them all in before the real client comes.
    std::thread::sleep(Duration::from_millis(300));
    let (status, body, took) = timed_request(d.api, &d.token);
    assert_eq!(status, 200, "authorised request after {took:?}: {body}");
    assert!(took < Duration::from_secs(1), "answered after {took:?}");
    eprintln!("authorised request behind {stalled} stalled connections answered in {took:?}");
    assert_eq!(json(&body)["mode"], "daemon");
    let deadline = Instant::now() + Duration::from_secs(20);
    for (i, s) in held.iter_mut().enumerate() {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            closed_by_server(s, left.max(Duration::from_millis(1))),
            "stalled connection {i} still open 20 s on"
        );
    }
}

#[test]
fn stalled_clients_from_many_addresses_cannot_freeze_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), &["--max-connections", "64"]);
    stalled_clients_cannot_freeze(&d, 128);
}

#[test]
fn stalled_clients_cannot_freeze_the_api_under_a_low_open_file_limit() {
    // 256 descriptors for the daemon, 512 stalled sockets: the connection cap follows the limit.
    let dir = tempfile::tempdir().unwrap();
    let mut d = Daemon::start_under(dir.path(), &[], &["prlimit", "--nofile=256:256", "--"]);
    stalled_clients_cannot_freeze(&d, 512);
    let (code, log) = d.stop();
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains("the open-file limit (256) leaves room for 128 client connections"),
        "{log}"
    );
}

#[test]
fn stalled_clients_cannot_freeze_the_api_when_descriptors_run_out() {
    // The limit drops after start (as when something else in the process holds descriptors):
    // accept fails with EMFILE, and idle connections must give theirs back.
    let dir = tempfile::tempdir().unwrap();
    let mut d = Daemon::start(dir.path(), &[]);
    let pid = d.child.as_ref().unwrap().id().to_string();
    let status = std::process::Command::new("prlimit")
        .args(["--pid", &pid, "--nofile=256:256"])
        .status()
        .unwrap();
    assert!(status.success());
    stalled_clients_cannot_freeze(&d, 512);
    let (code, log) = d.stop();
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("cannot accept connections"), "{log}");
}

#[test]
fn one_address_gets_at_most_64_connections() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Daemon::start(dir.path(), &["--max-connections", "256"]);
    let greedy = Ipv4Addr::new(127, 0, 0, 30);
    let mut held: Vec<TcpStream> = (0..72)
        .map(|_| {
            let mut s = connect_from(greedy, d.api).unwrap();
            s.write_all(STALLS[2]).unwrap();
            s
        })
        .collect();
    // The agent takes connections in the order they came: the last 8 are over the cap and
    // closed at once, the first 64 stay open (until the header timeout).
    for (i, s) in held[64..].iter_mut().enumerate() {
        assert!(
            closed_by_server(s, Duration::from_secs(2)),
            "connection {} over the per-address cap left open",
            64 + i
        );
    }
    for (i, s) in held[..64].iter_mut().enumerate() {
        assert!(
            !closed_by_server(s, Duration::from_millis(20)),
            "connection {i} under the cap closed"
        );
    }
    // Other addresses are served meanwhile.
    let (status, body, _) = timed_request(d.api, &d.token);
    assert_eq!(status, 200, "{body}");
    // A connection the client closes frees its place for that address.
    held.truncate(60);
    std::thread::sleep(Duration::from_millis(300));
    let mut again = connect_from(greedy, d.api).unwrap();
    again
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    again
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut resp = String::new();
    let _ = again.read_to_string(&mut resp);
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    let (_, log) = d.stop();
    assert!(
        log.contains("closed a connection from 127.0.0.30: that address has 64 open"),
        "{log}"
    );
}

#[test]
fn request_bodies_must_be_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), &[]);
    let rule = |name: &str| {
        format!(
            r#"{{"rules":[{{"name":"{name}","metric":"hivemind_node_cpu_usage","threshold":90,"duration":"1m","severity":"info"}}]}}"#
        )
    };
    let post = |content_type: Option<&str>, body: &str| {
        let ct = content_type
            .map(|c| format!("Content-Type: {c}\r\n"))
            .unwrap_or_default();
        request(
            d.api,
            &format!(
                "POST /api/rules HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n{ct}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                d.token,
                body.len()
            ),
        )
    };
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/jsonx"),
        Some("application/json; charset=latin1"),
        None,
    ] {
        let (status, body) = post(ct, &rule("r1"));
        assert_eq!(status, 415, "{ct:?}: {body}");
        let v = json(&body);
        assert_eq!(v["error"]["code"], "unsupported_media_type", "{body}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("application/json"),
            "{body}"
        );
    }
    let (_, out, _) = hm_run(dir.path(), &["health", "list-alert-rules", "-o", "json"]);
    assert_eq!(json(&out)["rules"].as_array().unwrap().len(), 0, "{out}");
    for (name, ct) in [
        ("r1", "application/json"),
        ("r2", "Application/JSON; charset=\"UTF-8\""),
    ] {
        let (status, body) = post(Some(ct), &rule(name));
        assert_eq!(status, 200, "{ct}: {body}");
    }
    // Calls without a body need no content type.
    let (status, body) = request(
        d.api,
        &format!(
            "POST /api/status-page/link HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            d.token
        ),
    );
    assert_eq!(status, 200, "{body}");
    assert!(json(&body)["url"].as_str().unwrap().contains("/ui/login"));
    // And the CLI sends JSON: a write and a file call over the network both work.
    let cli = dir.path().join("cli");
    let (code, _, err) = run(hm(&cli)
        .args(["agent", "add", "node", "--url", &d.url(), "--token-stdin"])
        .write_stdin(d.token.clone()));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = hm_run(
        &cli,
        &[
            "--agent",
            "node",
            "health",
            "delete-alert-rule",
            "--name",
            "r1",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = hm_run(
        &cli,
        &[
            "--agent",
            "node",
            "health",
            "create-alert-rule",
            "--name",
            "r3",
            "--metric",
            "hivemind_node_cpu_usage",
            "--threshold",
            "90",
            "--duration",
            "1m",
            "--severity",
            "info",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let profile = dir.path().join("mem.pb.gz");
    let (code, _, err) = hm_run(
        &cli,
        &[
            "--agent",
            "node",
            "profile",
            "memory",
            "--daemon",
            "--output",
            profile.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::metadata(&profile).unwrap().len() > 0);
}

#[test]
fn two_authorization_headers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), &[]);
    let with = |headers: &str| {
        request(
            d.api,
            &format!("GET /api/info HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n"),
        )
    };
    let good = format!("Authorization: Bearer {}\r\n", d.token);
    let bad = "Authorization: Bearer wrong\r\n";
    for headers in [
        format!("{good}{bad}"),
        format!("{bad}{good}"),
        format!("{good}{good}"),
    ] {
        let (status, body) = with(&headers);
        assert_eq!(status, 400, "{headers}: {body}");
        let v = json(&body);
        assert_eq!(v["error"]["code"], "invalid", "{body}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Authorization"),
            "{body}"
        );
    }
    let (status, body) = with(&good);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn running_a_command_check_over_the_network_needs_the_opt_in() {
    let base = tempfile::tempdir().unwrap();
    let agent = base.path().join("agent");
    let d = Daemon::start(&agent, &[]);
    // The CLI on the agent's machine may configure command checks (through the local socket).
    for args in [
        &["--name", "cmd", "--type", "command", "--", "true"][..],
        &[
            "--name",
            "tcp",
            "--type",
            "tcp",
            "--address",
            &d.api.to_string(),
        ][..],
    ] {
        let mut all = vec!["health", "create-check"];
        all.extend_from_slice(args);
        let (code, _, err) = hm_run(&agent, &all);
        assert_eq!(code, 0, "{err}");
    }
    let run_over_http = |name: &str| {
        request(
            d.api,
            &format!(
                "POST /api/checks/{name}/run HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                d.token
            ),
        )
    };
    let (status, body) = run_over_http("cmd");
    assert_eq!(status, 403, "{body}");
    let v = json(&body);
    assert_eq!(v["error"]["code"], "forbidden");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--allow-remote-exec"),
        "{body}"
    );
    // A check that runs no program runs; an unknown one is not found, not forbidden.
    let (status, body) = run_over_http("tcp");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["ok"], true, "{body}");
    let (status, body) = run_over_http("nope");
    assert_eq!(status, 404, "{body}");
    // The CLI says why.
    let cli = base.path().join("cli");
    let (code, _, err) = run(hm(&cli)
        .args(["agent", "add", "node", "--url", &d.url(), "--token-stdin"])
        .write_stdin(d.token.clone()));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = hm_run(
        &cli,
        &["--agent", "node", "health", "run-check", "--name", "cmd"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--allow-remote-exec"), "{err}");
    // The local socket always may.
    let (code, out, err) = hm_run(
        &agent,
        &["health", "run-check", "--name", "cmd", "-o", "json"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["ok"], true, "{out}");
    drop(d);
    // With the opt-in, the network may too.
    let d = Daemon::start(&agent, &["--allow-remote-exec"]);
    let (status, body) = request(
        d.api,
        &format!(
            "POST /api/checks/cmd/run HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            d.token
        ),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["ok"], true, "{body}");
}
