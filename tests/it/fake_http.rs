//! The one HTTP/1.1 fake for every test peer: records each request and answers it from a closure.
//!
//! [`FakeHttp`] listens on a loopback port the system picks, serves each connection on its own
//! thread (one request per connection, `Connection: close`), records every request it reads
//! before calling the handler, and closes its port when stopped or dropped. [`FakeHttp::stop`]
//! and [`FakeHttp::restart`] make an outage on the same port.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One request as the fake read it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// The request target up to `?`: a path, or for a proxy an absolute URL or `host:port`.
    pub path: String,
    /// What follows `?` in the request target, if anything.
    pub query: Option<String>,
    /// Header names in lower case; a repeated header keeps its last value.
    pub headers: HashMap<String, String>,
    /// Read by `Content-Length` (no client here sends chunked request bodies).
    pub body: Vec<u8>,
    /// When the request had been read in full.
    pub at: Instant,
}

impl Request {
    /// The request target as sent: path and query.
    pub fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    /// The body as JSON, `Null` when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// What the fake answers to one request.
#[derive(Clone, Debug)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    hang: bool,
}

impl Response {
    /// `status` with no headers and an empty body.
    pub fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            hang: false,
        }
    }

    /// `status` with a JSON body.
    pub fn json(status: u16, v: &serde_json::Value) -> Response {
        Response::new(status)
            .header("Content-Type", "application/json")
            .body(v.to_string())
    }

    /// `status` with a plain-text body.
    pub fn text(status: u16, text: &str) -> Response {
        Response::new(status)
            .header("Content-Type", "text/plain")
            .body(text)
    }

    /// Accept the request and never answer: the connection stays open, silent, until the
    /// fake is stopped or dropped.
    pub fn hang() -> Response {
        Response {
            hang: true,
            ..Response::new(0)
        }
    }

    /// Add a header (`Content-Length` and `Connection: close` are always sent).
    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// An HTTP/1.1 server on `127.0.0.1`, running until stopped or dropped.
pub struct FakeHttp {
    addr: SocketAddr,
    handler: Arc<Handler>,
    log: Arc<Mutex<Vec<Request>>>,
    running: Option<Running>,
}

/// One period of listening: the accept thread and the flag that ends it (and any hang).
struct Running {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl FakeHttp {
    /// Listen on a free loopback port and answer every request with `handler`.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> FakeHttp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut fake = FakeHttp {
            addr: listener.local_addr().unwrap(),
            handler: Arc::new(handler),
            log: Arc::default(),
            running: None,
        };
        fake.listen(listener);
        fake
    }

    /// `http://127.0.0.1:PORT` followed by `path` (`""` for the base URL).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request read so far, in the order they were read.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    /// Wait until `done` holds for the requests so far, or `timeout` passes; returns them
    /// either way (the caller asserts).
    pub fn wait(&self, timeout: Duration, done: impl Fn(&[Request]) -> bool) -> Vec<Request> {
        super::poll(
            timeout,
            Duration::from_millis(50),
            || self.requests(),
            |r| done(r),
        )
    }

    /// Close the port (connections are refused) and end any hanging answer, until
    /// [`FakeHttp::restart`].
    pub fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop.store(true, Ordering::SeqCst);
            // Wake the accept loop so that it sees the flag and drops the listener.
            let _ = TcpStream::connect(self.addr);
            let _ = running.thread.join();
        }
    }

    /// Listen again on the same port after [`FakeHttp::stop`], with the same handler and log.
    pub fn restart(&mut self) {
        assert!(self.running.is_none(), "restart of a running fake");
        let deadline = Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(self.addr) {
                Ok(l) => break l,
                Err(e) if Instant::now() > deadline => panic!("cannot re-bind {}: {e}", self.addr),
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        };
        self.listen(listener);
    }

    fn listen(&mut self, listener: TcpListener) {
        let stop = Arc::new(AtomicBool::new(false));
        let (handler, log, flag) = (
            Arc::clone(&self.handler),
            Arc::clone(&self.log),
            Arc::clone(&stop),
        );
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (handler, log, flag) =
                    (Arc::clone(&handler), Arc::clone(&log), Arc::clone(&flag));
                std::thread::spawn(move || serve(stream, &*handler, &log, &flag));
            }
        });
        self.running = Some(Running { stop, thread });
    }
}

impl Drop for FakeHttp {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(mut stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>, stop: &AtomicBool) {
    let Some(req) = read_request(&stream) else {
        return;
    };
    log.lock().unwrap().push(req.clone());
    let resp = handler(&req);
    if resp.hang {
        while !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
        }
        return;
    }
    // Clients read the code only; the reason phrase is a placeholder.
    let mut head = format!("HTTP/1.1 {} X\r\n", resp.status);
    for (name, value) in &resp.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        resp.body.len()
    ));
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&resp.body);
}

/// Read one request; `None` when the peer closes or stalls (10 s) before it is complete.
fn read_request(stream: &TcpStream) -> Option<Request> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?;
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (target.to_string(), None),
    };
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    assert!(
        !headers.contains_key("transfer-encoding"),
        "{method} {target}: a chunked request body, which this fake does not read"
    );
    let length = headers
        .get("content-length")
        .map_or(0, |n| n.parse::<usize>().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        query,
        headers,
        body,
        at: Instant::now(),
    })
}
