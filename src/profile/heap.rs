//! Fetch a Go service's heap profile (`/debug/pprof/heap`) and check that it is one.

use std::time::Duration;

use super::Cancel;
use super::pprof;
use crate::error::{Error, Result};

/// A heap profile larger than this is refused.
pub const MAX_SIZE: usize = 64 * 1024 * 1024;
/// The heap endpoint answers at once; this only bounds a stuck service.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Download `url` and return it as a gzipped pprof profile.
pub fn fetch(url: &str, cancel: &Cancel) -> Result<Vec<u8>> {
    let url = url.to_string();
    let cancel = cancel.clone();
    // A thread of its own: this may run inside the agent's runtime, where blocking on
    // another runtime is not allowed.
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io("starting the HTTP client", e))?;
        rt.block_on(async {
            tokio::select! {
                r = get(&url) => r,
                () = cancelled(&cancel) => Err(Error::Interrupted("the download was cancelled".into())),
            }
        })
    })
    .join()
    .unwrap_or_else(|_| Err(Error::Other("the heap profile download failed".into())))
}

async fn cancelled(cancel: &Cancel) {
    while !cancel.is_cancelled() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn get(url: &str) -> Result<Vec<u8>> {
    // Errors name the URL: without its credentials, should it carry any.
    let shown = crate::redact::redact(url);
    let shown = shown.as_ref();
    let client = crate::net::tls::http_client()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(3))
        .user_agent(concat!("hivemind/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::caused("building the HTTP client", e))?;
    let fail = |e: reqwest::Error| {
        Error::Remote(format!("fetching {shown}: {}", crate::net::describe(&e)))
    };
    let mut resp = client.get(url).send().await.map_err(fail)?;
    if !resp.status().is_success() {
        return Err(Error::Remote(format!(
            "fetching {shown}: HTTP {} (is it a Go service with net/http/pprof?)",
            resp.status()
        )));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(fail)? {
        if body.len() + chunk.len() > MAX_SIZE {
            return Err(Error::Remote(format!(
                "fetching {shown}: more than {} (not a heap profile?)",
                crate::model::units::bytes(MAX_SIZE as u64)
            )));
        }
        body.extend_from_slice(&chunk);
    }
    let decoded = pprof::decode(&body).map_err(|e| e.context(shown))?;
    if body.starts_with(&[0x1f, 0x8b]) {
        Ok(body)
    } else {
        decoded.with_comments(&[])
    }
}
