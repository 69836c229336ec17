//! HTTP delivery: one client for every URL channel, which never follows redirects, ignores
//! proxy settings, and refuses private and loopback destinations unless the agent allows them.
//!
//! Destinations are checked where the address is known: IP literals before sending, host
//! names in the resolver, so a name that resolves to a private address (or changes to one
//! later) is refused at connect time too.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::model::validate;
use crate::net::retry::{SendError, retryable_status};

/// Bytes of an error response quoted in the error message.
const ERROR_BODY_BYTES: usize = 300;

/// Whether an address may be reached without `--allow-private-destinations`: not loopback,
/// private (RFC 1918, unique-local), link-local (cloud metadata services live there), shared
/// (CGNAT), multicast, broadcast, documentation, benchmarking, reserved or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) carries an IPv4 address in its low 32 bits.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                let o = v6.octets();
                return is_public(IpAddr::V4(std::net::Ipv4Addr::new(
                    o[12], o[13], o[14], o[15],
                )));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || s[..6] == [0, 0, 0, 0, 0, 0])
        }
    }
}

/// The message for a refused destination: `host` as given, `ip` what it is or resolved to.
fn refused(host: &str, ip: Option<IpAddr>) -> String {
    let kind = |ip: IpAddr| {
        if ip.is_loopback() {
            "a loopback address"
        } else {
            "a private or reserved address"
        }
    };
    let what = match ip {
        Some(ip) if ip.to_string() == host.trim_matches(['[', ']']) => {
            format!("{host} is {}", kind(ip))
        }
        Some(ip) => format!("{host} resolves to {ip}, {}", kind(ip)),
        None => format!("{host} is a loopback name"),
    };
    format!(
        "{what}; this agent refuses private and loopback notification destinations \
         (start `hivemind daemon` with --allow-private-destinations to allow them)"
    )
}

/// Check a notification URL's form and, when its host is an IP address or `localhost`, the
/// destination policy. Host names are checked again when they are resolved.
pub fn check_url(url: &str, allow_private: bool) -> std::result::Result<url::Url, String> {
    let parsed = validate::http_url(url)?;
    if allow_private {
        return Ok(parsed);
    }
    let host = parsed.host_str().unwrap_or_default().to_string();
    let ip = match parsed.host() {
        Some(url::Host::Ipv4(a)) => Some(IpAddr::V4(a)),
        Some(url::Host::Ipv6(a)) => Some(IpAddr::V6(a)),
        _ => None,
    };
    match ip {
        Some(ip) if !is_public(ip) => Err(refused(&host, Some(ip))),
        None if host == "localhost" || host.ends_with(".localhost") => Err(refused(&host, None)),
        _ => Ok(parsed),
    }
}

/// The resolver's refusal, recognised again in the error chain of a failed request.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Resolves with the system resolver and drops private addresses unless allowed.
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if allow_private {
                return Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs);
            }
            let first = addrs.first().map(SocketAddr::ip);
            let public: Vec<SocketAddr> = addrs.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                let err: Box<dyn std::error::Error + Send + Sync> =
                    Box::new(Refused(refused(&host, first)));
                return Err(err);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client for notifications.
pub fn client(allow_private: bool) -> Result<reqwest::Client> {
    crate::net::tls::http_client()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("hivemind/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::caused("building the notification HTTP client", e))
}

/// POST `body` as JSON to `url` within `timeout`. Success is any 2xx answer. Receivers may
/// echo what they got (the webhook URL's path, a routing key): every error text is redacted
/// by [`SendError`]'s constructors.
pub async fn post_json(
    client: &reqwest::Client,
    allow_private: bool,
    url: &str,
    body: &serde_json::Value,
    timeout: Duration,
) -> std::result::Result<(), SendError> {
    let parsed = check_url(url, allow_private).map_err(SendError::permanent)?;
    post_checked(client, parsed, body, timeout).await
}

/// [`post_json`] to a URL that passed [`check_url`]; the resolver still checks host names.
async fn post_checked(
    client: &reqwest::Client,
    parsed: url::Url,
    body: &serde_json::Value,
    timeout: Duration,
) -> std::result::Result<(), SendError> {
    let host = parsed.host_str().unwrap_or_default().to_string();
    let send = client.post(parsed).json(body).timeout(timeout).send();
    let response = match tokio::time::timeout(timeout, send).await {
        Err(_) => {
            return Err(SendError::retryable(format!(
                "{host}: no answer within {}",
                humantime::format_duration(timeout)
            )));
        }
        Ok(Err(e)) => return Err(request_error(&host, e, timeout)),
        Ok(Ok(r)) => r,
    };
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let snippet = read_snippet(response, timeout).await;
    let mut message = format!("{host}: HTTP {status}");
    if status.is_redirection() {
        message.push_str(" (redirects are not followed");
        if let Some(l) = location {
            // `quote` redacts before it shortens, so no secret is cut in two and kept.
            message.push_str(&format!("; Location: {}", crate::error::quote(&l)));
        }
        message.push(')');
    }
    if !snippet.is_empty() {
        message.push_str(&format!(": {snippet}"));
    }
    let mut err = SendError::new(message, retryable_status(status.as_u16()));
    err.retry_after = retry_after;
    Err(err)
}

/// The first bytes of an error body as one printable line, redacted. A little more is read
/// than is kept, and the text is redacted before it is cut, so that a secret across the cut
/// is replaced whole instead of being cut in two and half kept.
async fn read_snippet(mut response: reqwest::Response, timeout: Duration) -> String {
    let mut bytes = Vec::new();
    let read = async {
        while bytes.len() < ERROR_BODY_BYTES + crate::redact::READ_MARGIN {
            match response.chunk().await {
                Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(timeout.min(Duration::from_secs(2)), read).await;
    bytes.truncate(ERROR_BODY_BYTES + crate::redact::READ_MARGIN);
    let text = String::from_utf8_lossy(&bytes);
    let one_line: String = crate::redact::redact(text.trim())
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    crate::redact::cut(&one_line, ERROR_BODY_BYTES)
}

/// A failed request as a [`SendError`]: the URL is left out (a Slack webhook URL is a
/// secret), the innermost cause kept.
fn request_error(host: &str, e: reqwest::Error, timeout: Duration) -> SendError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(&e);
    let mut innermost = None;
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<Refused>() {
            return SendError::permanent(r.0.clone());
        }
        innermost = Some(s.to_string());
        source = s.source();
    }
    if e.is_timeout() {
        return SendError::retryable(format!(
            "{host}: no answer within {}",
            humantime::format_duration(timeout)
        ));
    }
    let retryable = e.is_connect() || e.is_request() || e.is_body();
    let detail = innermost.unwrap_or_else(|| e.without_url().to_string());
    let message = format!("{host}: {detail}");
    if retryable {
        SendError::retryable(format!("cannot deliver to {message}"))
    } else {
        SendError::permanent(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} counted as public");
        }
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} counted as private");
        }
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url("https://hooks.slack.com/services/x", false).is_ok());
        assert!(check_url("http://8.8.8.8/x", false).is_ok());
        for url in [
            "http://127.0.0.1:9/x",
            "http://[::1]/",
            "http://localhost/x",
            "http://a.localhost/",
            "http://10.0.0.1/",
        ] {
            let err = check_url(url, false).unwrap_err();
            assert!(err.contains("--allow-private-destinations"), "{url}: {err}");
            assert!(check_url(url, true).is_ok(), "{url}");
        }
        assert!(check_url("ftp://example.com/", true).is_err());
        assert!(check_url("http://u:p@example.com/", true).is_err());
    }

    #[test]
    fn names_resolving_to_private_addresses_are_refused_at_connect_time() {
        use reqwest::dns::Resolve;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let name = |n: &str| n.parse::<reqwest::dns::Name>().unwrap();
        let guarded = GuardedResolver {
            allow_private: false,
        };
        let err = rt
            .block_on(guarded.resolve(name("localhost")))
            .err()
            .unwrap();
        let refused = err.downcast_ref::<Refused>().expect("a refusal");
        assert!(refused.0.contains("localhost resolves to"), "{refused}");
        let open = GuardedResolver {
            allow_private: true,
        };
        let addrs: Vec<SocketAddr> = rt
            .block_on(open.resolve(name("localhost")))
            .unwrap()
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
        // Through the client: a name the URL check let pass is refused when resolved.
        let client = client(false).unwrap();
        let sent = rt.block_on(post_checked(
            &client,
            "http://localhost:9/x".parse().unwrap(),
            &serde_json::json!({}),
            Duration::from_secs(5),
        ));
        let err = sent.unwrap_err();
        assert!(
            !err.retryable && err.message.contains("--allow-private-destinations"),
            "{err}"
        );
    }

    /// A receiver on loopback that answers one request per connection with `answer(path)`
    /// (status line, headers and body), after reading the whole request.
    async fn echoing_receiver(
        answer: fn(&str) -> String,
    ) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let mut req = Vec::new();
                let mut buf = [0u8; 4096];
                let head_end = loop {
                    let n = conn.read(&mut buf).await.unwrap();
                    req.extend_from_slice(&buf[..n]);
                    if let Some(p) = req.windows(4).position(|w| w == b"\r\n\r\n") {
                        break p + 4;
                    }
                    assert!(n > 0, "the request ended early");
                };
                let head = String::from_utf8_lossy(&req[..head_end]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                while req.len() < head_end + length {
                    let n = conn.read(&mut buf).await.unwrap();
                    assert!(n > 0, "the body ended early");
                    req.extend_from_slice(&buf[..n]);
                }
                let path = String::from_utf8_lossy(&req)
                    .split(' ')
                    .nth(1)
                    .unwrap()
                    .to_string();
                conn.write_all(answer(&path).as_bytes()).await.unwrap();
                let _ = conn.shutdown().await;
            }
        });
        (addr, task)
    }

    #[tokio::test]
    async fn a_receiver_echoing_the_webhook_path_gets_it_redacted_even_across_the_cut() {
        const TOKEN: &str = "EchoT0k3nQ9wX2vB7nM4kL1p";
        fn reply(status: &str, extra: &str, body: &str) -> String {
            format!(
                "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
        }
        let answers: [fn(&str) -> String; 4] = [
            |path| reply("404 Not Found", "", &format!("Cannot POST {path}")),
            // The secret straddles the 300 bytes kept of a body.
            |path| {
                let pad = "x".repeat(ERROR_BODY_BYTES - 10 - "Cannot POST /services/T0/B0/".len());
                reply("404 Not Found", "", &format!("{pad}Cannot POST {path}"))
            },
            |path| {
                let encoded: String = path.bytes().map(|b| format!("%{b:02x}")).collect();
                reply(
                    "400 Bad Request",
                    "",
                    &format!("{{\"path\":\"{encoded}\"}}"),
                )
            },
            |path| {
                // `quote` keeps 64 characters of it: the token starts before that, ends after.
                let location = format!("https://elsewhere.example.com{path}");
                reply("302 Found", &format!("Location: {location}\r\n"), "")
            },
        ];
        let client = client(true).unwrap();
        for answer in answers {
            let (addr, task) = echoing_receiver(answer).await;
            let url = format!("http://{addr}/services/T0/B0/{TOKEN}");
            let _registered = crate::model::Secret::new(url.as_str());
            let err = post_json(
                &client,
                true,
                &url,
                &serde_json::json!({}),
                Duration::from_secs(5),
            )
            .await
            .unwrap_err();
            task.abort();
            assert!(err.message.contains("<secret>"), "{}", err.message);
            for n in 4..=TOKEN.len() {
                assert!(
                    !err.message.contains(&TOKEN[..n])
                        && !err.message.contains(&TOKEN[TOKEN.len() - n..]),
                    "part of the token in {}",
                    err.message
                );
            }
        }
    }
}
