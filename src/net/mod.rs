//! Shared network helpers: one-line HTTP error text, jitter, the retry policy every sender
//! (alert notifications, trace export, log shipping) follows, and CA certificates.

pub mod retry;
pub mod tls;

pub use retry::{RetryPolicy, SendError, retryable_status};

/// A one-line reason for an HTTP client error: what kind of failure it was, then the innermost
/// cause (`cannot connect: Connection refused (os error 111)`). Only the innermost cause is
/// kept because each layer of reqwest/hyper repeats its inner error's text in its own, so a
/// joined chain reads `tcp connect error: tcp connect error: …`. The text is redacted (a
/// cause may quote a URL or a header).
pub fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_redirect() {
        "redirect refused"
    } else {
        "request failed"
    };
    match innermost(e) {
        Some(cause) => crate::redact::redacted(format!("{kind}: {cause}")),
        None => kind.to_string(),
    }
}

/// The text of the last error in `e`'s source chain, if it has one.
fn innermost(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut source = e.source();
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    last
}

/// Why a body was not read whole.
#[derive(Debug)]
pub enum BodyError {
    /// The transfer failed (text from [`describe`]).
    Transfer(String),
    /// The answer is longer than the caller takes; at least this many bytes.
    TooLarge(u64),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::Transfer(why) => f.write_str(why),
            BodyError::TooLarge(n) => write!(f, "answer too large ({n} bytes or more)"),
        }
    }
}

/// Read an answer's body, at most `max` bytes: chunk by chunk, so that an oversized answer
/// (a misdirected URL can stream anything) is refused without being held in memory.
pub async fn read_body(resp: reqwest::Response, max: usize) -> Result<Vec<u8>, BodyError> {
    if let Some(n) = resp.content_length().filter(|n| *n > max as u64) {
        return Err(BodyError::TooLarge(n));
    }
    let mut resp = resp;
    let mut out = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| BodyError::Transfer(describe(&e)))?
    {
        if out.len() + chunk.len() > max {
            return Err(BodyError::TooLarge((out.len() + chunk.len()) as u64));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// A number in [0, 1) from the OS random source: spreads retries and check start times so
/// that many agents (or many checks) that started together do not act together. Falls back
/// to the middle of the range if the OS has no randomness to give.
pub fn jitter() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    #[test]
    fn jitter_is_a_unit_fraction() {
        for _ in 0..1000 {
            let j = super::jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }

    /// A one-shot HTTP server on loopback that answers `head` then `body_len` bytes.
    async fn serve_once(head: &'static str, body_len: usize) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(head.as_bytes()).await;
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = body_len;
            while left > 0 {
                let n = left.min(chunk.len());
                if s.write_all(&chunk[..n]).await.is_err() {
                    return;
                }
                left -= n;
            }
        });
        format!("http://{addr}/")
    }

    #[tokio::test]
    async fn bodies_are_read_up_to_a_bound() {
        let get = |url: String| async move { reqwest::get(url).await.unwrap() };
        // Announced too large: refused before reading.
        let url = serve_once("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n", 0).await;
        let e = super::read_body(get(url).await, 1024).await.unwrap_err();
        assert!(matches!(e, super::BodyError::TooLarge(10_000_000)), "{e}");
        // Not announced (read to the end of the connection): stopped at the bound.
        let url = serve_once("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", 1 << 20).await;
        let e = super::read_body(get(url).await, 100_000).await.unwrap_err();
        assert!(e.to_string().starts_with("answer too large"), "{e}");
        // Within the bound: all of it.
        let url = serve_once("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", 5000).await;
        assert_eq!(
            super::read_body(get(url).await, 5000).await.unwrap().len(),
            5000
        );
    }

    #[tokio::test]
    async fn describe_names_the_kind_and_the_innermost_cause_once() {
        // A port nothing listens on: bind one, learn its number, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = super::tls::http_client()
            .build()
            .unwrap()
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap_err();
        let text = super::describe(&err);
        assert!(text.starts_with("cannot connect: "), "{text}");
        assert_eq!(text.matches("onnection refused").count(), 1, "{text}");
        assert!(
            !text.contains("tcp connect error: tcp connect error"),
            "{text}"
        );
    }
}
