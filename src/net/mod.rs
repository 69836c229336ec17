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

    #[tokio::test]
    async fn describe_names_the_kind_and_the_innermost_cause_once() {
        // A port nothing listens on: bind one, learn its number, close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = reqwest::Client::new()
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
