//! Stand-in agents for `scripts/bench-fleet`: N HTTP listeners on 127.0.0.1, each answering
//! `/api/health` and `/api/info` with a fixed body after a delay, a share of them accepting
//! and then never answering (hung). It writes the CLI's inventory (`agents.toml`) for them,
//! each with its own token in the file backend (`secrets.toml`, as `agent add --token-stdin`
//! leaves it with `HIVEMIND_SECRET_BACKEND=file`), and prints `ready` once every listener is
//! bound.
//!
//! ```sh
//! cargo run --release --example fleet_standin -- --count 500 --hang-percent 1 \
//!     --delay-ms 10 --health report.json --data-dir /tmp/fleet
//! ```

// A benchmark tool run by a script: it prints to the terminal, and stops loudly when it
// cannot set up.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::expect_used)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Options {
    count: usize,
    hang_percent: f64,
    delay: Duration,
    health: String,
    data_dir: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        count: 100,
        hang_percent: 1.0,
        delay: Duration::from_millis(10),
        health: String::new(),
        data_dir: PathBuf::from("."),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--count" => o.count = value.parse().map_err(|_| "--count: a number")?,
            "--hang-percent" => {
                o.hang_percent = value.parse().map_err(|_| "--hang-percent: a number")?
            }
            "--delay-ms" => {
                o.delay = Duration::from_millis(value.parse().map_err(|_| "--delay-ms: a number")?)
            }
            "--health" => {
                o.health = std::fs::read_to_string(&value).map_err(|e| format!("{value}: {e}"))?
            }
            "--data-dir" => o.data_dir = PathBuf::from(value),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if o.health.is_empty() {
        return Err("--health FILE (a `hivemind health status -o json` report) is required".into());
    }
    Ok(o)
}

const INFO: &str = r#"{"version":"0.0.0","api_version":1,"hostname":"standin","mode":"daemon","data_dir":"/","uptime_seconds":1}"#;

async fn serve(mut sock: TcpStream, hang: bool, delay: Duration, health: Arc<String>) {
    let _ = sock.set_nodelay(true);
    let mut buf = vec![0u8; 8192];
    let mut have = 0;
    loop {
        // Read one request head (the CLI sends GETs without bodies).
        let end = loop {
            if let Some(p) = buf[..have].windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            if have == buf.len() {
                return;
            }
            match sock.read(&mut buf[have..]).await {
                Ok(0) | Err(_) => return,
                Ok(n) => have += n,
            }
        };
        if hang {
            // Keep the connection open and never answer.
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        buf.copy_within(end..have, 0);
        have -= end;
        tokio::time::sleep(delay).await;
        let path = head.split_whitespace().nth(1).unwrap_or("/");
        let (status, body) = if path.starts_with("/api/health") {
            ("200 OK", health.as_str())
        } else if path.starts_with("/api/info") {
            ("200 OK", INFO)
        } else {
            (
                "404 Not Found",
                r#"{"error":{"code":"not_found","message":"no such endpoint"}}"#,
            )
        };
        let resp = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if sock.write_all(resp.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("fleet_standin: {e}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let health = Arc::new(o.health);
        let hang_every = if o.hang_percent > 0.0 {
            (100.0 / o.hang_percent).round() as usize
        } else {
            usize::MAX
        };
        let mut inventory = String::new();
        let mut secrets = String::from("[secrets]\n");
        for i in 0..o.count {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            // Spread the hung ones over the fleet: every `hang_every`-th agent.
            let hang = hang_every != usize::MAX && i % hang_every == hang_every / 2;
            inventory.push_str(&format!(
                "[agents.a{i:05}]\nurl = \"http://{addr}\"\ntoken = \"file:agent.a{i:05}.token\"\n\n"
            ));
            secrets.push_str(&format!("\"agent.a{i:05}.token\" = \"standin-token-{i:05}\"\n"));
            let health = Arc::clone(&health);
            let delay = o.delay;
            tokio::spawn(async move {
                while let Ok((sock, _)) = listener.accept().await {
                    tokio::spawn(serve(sock, hang, delay, Arc::clone(&health)));
                }
            });
        }
        std::fs::create_dir_all(&o.data_dir).expect("data dir");
        std::fs::write(o.data_dir.join("agents.toml"), inventory).expect("inventory");
        let path = o.data_dir.join("secrets.toml");
        std::fs::write(&path, secrets).expect("secrets");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("mode");
        println!("ready");
        let _ = std::io::stdout().flush();
        std::future::pending::<()>().await;
    });
}
