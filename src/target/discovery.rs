//! The inventory from the engines people already run: the active targets of a Prometheus
//! (`/api/v1/targets`) become agents, and the inventory becomes a Prometheus `file_sd` file.
//!
//! Prometheus scrapes an agent's metrics listener; the agent's API listens on another port,
//! so the API URL is made from each target's host with `--api-port` or a template.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::input::{self, Input};
use crate::model::validate;

/// The most targets one import reads (a Prometheus with more is asked with `--job`).
pub const MAX_TARGETS: usize = 10_000;

/// `GET /api/v1/targets` as far as it is read.
#[derive(Debug, Deserialize)]
struct TargetsAnswer {
    status: String,
    #[serde(default)]
    data: Option<TargetsData>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TargetsData {
    #[serde(default)]
    active_targets: Vec<ActiveTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActiveTarget {
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    scrape_url: String,
    #[serde(default)]
    health: String,
    #[serde(default)]
    last_error: String,
}

/// One scrape target of Prometheus, as an agent candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// The `instance` label (`host:port`).
    pub instance: String,
    pub job: String,
    /// The host Prometheus scrapes (no port; IPv6 without brackets).
    pub host: String,
    /// The metrics address (`host:port`) and path Prometheus scrapes.
    pub metrics_address: String,
    pub metrics_path: String,
    /// `up`, `down` or `unknown`.
    pub health: String,
    pub last_error: String,
    /// Every target label (after relabelling).
    pub labels: BTreeMap<String, String>,
}

/// Read the active targets of the Prometheus at `base` (optionally of one job).
pub async fn prometheus_targets(
    http: &reqwest::Client,
    base: &str,
    job: Option<&str>,
) -> Result<Vec<Discovered>> {
    let url = format!("{}/api/v1/targets?state=active", base.trim_end_matches('/'));
    let shown = crate::redact::redacted(base.to_string());
    let resp = http.get(&url).send().await.map_err(|e| {
        Error::Remote(format!(
            "Prometheus at {shown}: {}",
            crate::net::describe(&e)
        ))
    })?;
    let status = resp.status();
    let bytes = crate::net::read_body(resp, Input::PEER_ANSWER.max_bytes())
        .await
        .map_err(|e| Error::Remote(format!("Prometheus at {shown}: {e}")))?;
    let answer: TargetsAnswer = input::json(&bytes, Input::PEER_ANSWER).map_err(|e| {
        Error::Remote(format!(
            "Prometheus at {shown}: HTTP {status}, not the answer of /api/v1/targets ({e}); is it a Prometheus?"
        ))
    })?;
    if answer.status != "success" {
        return Err(Error::Remote(format!(
            "Prometheus at {shown}: {}",
            crate::redact::redacted(answer.error.unwrap_or_else(|| answer.status.clone()))
        )));
    }
    let targets = answer.data.map(|d| d.active_targets).unwrap_or_default();
    if targets.len() > MAX_TARGETS {
        return Err(Error::Remote(format!(
            "Prometheus at {shown}: {} targets, more than the {MAX_TARGETS} one import reads (choose one job with --job)",
            targets.len()
        )));
    }
    let mut out = Vec::new();
    for t in targets {
        let job_label = t.labels.get("job").cloned().unwrap_or_default();
        if job.is_some_and(|j| j != job_label) {
            continue;
        }
        let Ok(scrape) = url::Url::parse(&t.scrape_url) else {
            continue;
        };
        let Some(host) = scrape.host_str() else {
            continue;
        };
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = scrape.port_or_known_default().unwrap_or(80);
        let metrics_address = match scrape.host() {
            Some(url::Host::Ipv6(a)) => format!("[{a}]:{port}"),
            _ => format!("{host}:{port}"),
        };
        out.push(Discovered {
            instance: t
                .labels
                .get("instance")
                .cloned()
                .unwrap_or_else(|| metrics_address.clone()),
            job: job_label,
            host,
            metrics_address,
            metrics_path: scrape.path().to_string(),
            health: t.health,
            last_error: crate::redact::redacted(t.last_error),
            labels: t.labels,
        });
    }
    Ok(out)
}

/// How an agent's API URL is made from a target.
#[derive(Debug, Clone)]
pub enum ApiUrl {
    /// `--api-port N`: `https://HOST:N` (`http://` for a loopback host, where an agent may
    /// listen without TLS).
    Port(u16),
    /// `--api-url-template`: `{host}`, `{port}` (the metrics port), `{instance}` and
    /// `{label:NAME}` (a target label, e.g. one that holds the API port) replaced.
    Template(String),
}

impl ApiUrl {
    /// Check a template: an http(s) URL once its placeholders are filled, with `{host}` or
    /// `{instance}` in it (else every agent would get the same URL).
    pub fn template(text: &str) -> std::result::Result<ApiUrl, String> {
        const ALLOWED: &str = "a URL template with {host} (or {instance}), and optionally {port} and {label:NAME}, e.g. https://{host}:9470";
        if !text.contains("{host}") && !text.contains("{instance}") {
            return Err(ALLOWED.into());
        }
        let sample = fill(text, "example.com", "9469", "example.com:9469", &|_| {
            Some("1".into())
        })
        .map_err(|_| ALLOWED.to_string())?;
        validate::http_url(&sample).map_err(|_| ALLOWED.to_string())?;
        Ok(ApiUrl::Template(text.to_string()))
    }

    pub fn url_for(&self, t: &Discovered) -> Result<String> {
        let url = match self {
            ApiUrl::Port(p) => {
                let loopback = t.host == "localhost"
                    || t.host
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|a| a.is_loopback());
                let scheme = if loopback { "http" } else { "https" };
                let host = if t.host.contains(':') {
                    format!("[{}]", t.host)
                } else {
                    t.host.clone()
                };
                format!("{scheme}://{host}:{p}")
            }
            ApiUrl::Template(tpl) => {
                let port = t
                    .metrics_address
                    .rsplit_once(':')
                    .map(|(_, p)| p)
                    .unwrap_or_default();
                fill(tpl, &t.host, port, &t.instance, &|name| {
                    t.labels.get(name).cloned()
                })
                .map_err(|label| {
                    Error::NotFound(format!(
                        "target {} has no label '{label}' for --api-url-template",
                        t.instance
                    ))
                })?
            }
        };
        let parsed = validate::http_url(&url).map_err(|a| Error::invalid("API URL", &url, a))?;
        if parsed.path() != "/" || parsed.query().is_some() {
            return Err(Error::invalid(
                "API URL",
                &url,
                "the agent's base URL without a path, e.g. https://node1:9470",
            ));
        }
        Ok(parsed.as_str().trim_end_matches('/').to_string())
    }
}

/// Fill a template; `label` gives a target label's value. The error is a missing label.
fn fill(
    tpl: &str,
    host: &str,
    port: &str,
    instance: &str,
    label: &dyn Fn(&str) -> Option<String>,
) -> std::result::Result<String, String> {
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    let mut out = tpl
        .replace("{host}", &host)
        .replace("{port}", port)
        .replace("{instance}", instance);
    // At most 16 label placeholders; each is replaced once.
    for _ in 0..16 {
        let Some(start) = out.find("{label:") else {
            break;
        };
        let Some(len) = out[start..].find('}') else {
            return Err(out[start..].to_string());
        };
        let name = out[start + 7..start + len].to_string();
        let value = label(&name).ok_or_else(|| name.clone())?;
        out.replace_range(start..=start + len, &value);
    }
    Ok(out)
}

/// An agent name made of a label's value: characters a name may not hold become `-`.
pub fn agent_name(value: &str) -> std::result::Result<String, String> {
    let name: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_start_matches(['-', '_', '.']).to_string();
    validate::object_name(&name)
}

/// One group of a Prometheus `file_sd` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileSdGroup {
    pub targets: Vec<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// The `file_sd` file of `agents` (name, metrics address, metrics path): one group per agent,
/// labelled `hivemind_agent`, with the path when it is not `/metrics`.
pub fn file_sd(agents: &[(String, String, String)]) -> Vec<FileSdGroup> {
    agents
        .iter()
        .map(|(name, address, path)| {
            let mut labels = BTreeMap::new();
            labels.insert("hivemind_agent".to_string(), name.clone());
            if path != "/metrics" {
                labels.insert("__metrics_path__".to_string(), path.clone());
            }
            FileSdGroup {
                targets: vec![address.clone()],
                labels,
            }
        })
        .collect()
}

/// The HTTP client for a Prometheus: the shared TLS roots, no redirects, `timeout` overall.
pub fn prometheus_client(base: &str, timeout: Duration) -> Result<reqwest::Client> {
    let trust = if base.starts_with("https://") {
        crate::net::tls::Trust::System
    } else {
        crate::net::tls::Trust::None
    };
    let tls = crate::net::tls::client_config(&trust).map_err(Error::Other)?;
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("hivemind/", env!("CARGO_PKG_VERSION")))
        .tls_backend_preconfigured(tls)
        .build()
        .map_err(|e| Error::caused("building HTTP client", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(host: &str, instance: &str) -> Discovered {
        Discovered {
            instance: instance.into(),
            job: "hivemind".into(),
            host: host.into(),
            metrics_address: format!("{host}:9469"),
            metrics_path: "/metrics".into(),
            health: "up".into(),
            last_error: String::new(),
            labels: BTreeMap::new(),
        }
    }

    #[test]
    fn api_urls() {
        let t = target("10.0.0.5", "10.0.0.5:9469");
        assert_eq!(
            ApiUrl::Port(9470).url_for(&t).unwrap(),
            "https://10.0.0.5:9470"
        );
        let l = target("127.0.0.1", "127.0.0.1:9469");
        assert_eq!(
            ApiUrl::Port(9470).url_for(&l).unwrap(),
            "http://127.0.0.1:9470"
        );
        let tpl = ApiUrl::template("https://{host}:1{port}").unwrap();
        assert_eq!(tpl.url_for(&t).unwrap(), "https://10.0.0.5:19469");
        assert!(ApiUrl::template("https://fixed:9470").is_err());
        assert!(ApiUrl::template("ftp://{host}:9470").is_err());
        let bad = ApiUrl::template("https://{host}:9470/{instance}").unwrap();
        assert!(bad.url_for(&t).is_err());
        let by_label = ApiUrl::template("http://{host}:{label:api_port}").unwrap();
        assert!(by_label.url_for(&t).is_err(), "no such label");
        let mut labelled = t.clone();
        labelled.labels.insert("api_port".into(), "9999".into());
        assert_eq!(by_label.url_for(&labelled).unwrap(), "http://10.0.0.5:9999");
    }

    #[test]
    fn names_from_labels() {
        assert_eq!(agent_name("10.0.0.5:9469").unwrap(), "10.0.0.5-9469");
        assert_eq!(agent_name("web-1").unwrap(), "web-1");
        assert!(agent_name("").is_err());
        assert!(agent_name(":::").is_err());
    }
}
