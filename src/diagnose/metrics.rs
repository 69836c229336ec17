//! The metrics pipeline: the listener answers, the scrape lints clean, and Prometheus (when
//! given) scrapes this agent.

use std::time::Instant;

use super::{List, TIMEOUT, get};
use crate::metrics::lint::parse_exposition;
use crate::model::diagnose::Outcome;

pub(super) async fn metrics(
    http: &reqwest::Client,
    config: &crate::model::MetricsConfig,
    prometheus: Option<&str>,
    list: &mut List,
) {
    const C: &str = "metrics";
    let host = if config.listen_address.is_unspecified() {
        match config.listen_address {
            std::net::IpAddr::V4(_) => "127.0.0.1".to_string(),
            std::net::IpAddr::V6(_) => "[::1]".to_string(),
        }
    } else {
        match config.listen_address {
            std::net::IpAddr::V6(a) => format!("[{a}]"),
            a => a.to_string(),
        }
    };
    let addr = format!("{host}:{}", config.port);
    let url = format!("http://{addr}{}", config.path);
    let connect = tokio::time::timeout(TIMEOUT, tokio::net::TcpStream::connect(&addr)).await;
    match connect {
        Ok(Ok(_)) => list.add(
            C,
            "listener bound",
            Outcome::Pass,
            format!("{addr} accepts connections"),
            "",
        ),
        Ok(Err(e)) => {
            list.add(
                C,
                "listener bound",
                Outcome::Fail,
                format!("nothing listens on {addr}: {e}"),
                "start the agent (`hivemind daemon`); it serves metrics where `configure-metrics` says",
            );
            list.add(C, "scrape parses", Outcome::Skip, "no listener", "");
            if prometheus.is_some() {
                list.add(
                    C,
                    "prometheus target up",
                    Outcome::Skip,
                    "no listener to scrape",
                    "",
                );
            }
            return;
        }
        Err(_) => {
            list.add(
                C,
                "listener bound",
                Outcome::Fail,
                format!("{addr}: connection timed out"),
                "check firewalls between here and the listener",
            );
            if prometheus.is_some() {
                list.add(
                    C,
                    "prometheus target up",
                    Outcome::Skip,
                    "no listener to scrape",
                    "",
                );
            }
            return;
        }
    }
    let started = Instant::now();
    let body = match get(http, &url).await {
        Ok((200, body)) => body,
        Ok((status, _)) => {
            list.add(
                C,
                "scrape parses",
                Outcome::Fail,
                format!("GET {url}: HTTP {status}"),
                "another program holds the port, or the path differs: see `hivemind observability show-config`",
            );
            return;
        }
        Err(e) => {
            list.add(
                C,
                "scrape parses",
                Outcome::Fail,
                format!("GET {url}: {e}"),
                "see the agent's log",
            );
            return;
        }
    };
    let took = started.elapsed();
    let text = String::from_utf8_lossy(&body);
    match parse_exposition(&text) {
        Ok(parsed) => {
            list.add(
                C,
                "scrape parses",
                Outcome::Pass,
                format!(
                    "{} families, {} series in {} ms from {url}",
                    parsed.families,
                    parsed.series,
                    took.as_millis()
                ),
                "",
            );
            if !parsed.families_named("hivemind_") {
                list.add(C, "lint-clean", Outcome::Fail, "no hivemind_ metrics in the scrape", "another exporter holds this port: move one of them with `configure-metrics --port`");
            } else if parsed.problems.is_empty() {
                list.add(
                    C,
                    "lint-clean",
                    Outcome::Pass,
                    "HELP and TYPE on every family, counters end in _total, no duplicate series",
                    "",
                );
            } else {
                list.add(
                    C,
                    "lint-clean",
                    Outcome::Fail,
                    parsed
                        .problems
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; "),
                    "report this as a hivemind bug, with `promtool check metrics` output",
                );
            }
        }
        Err(e) => list.add(
            C,
            "scrape parses",
            Outcome::Fail,
            e,
            "another program may hold the metrics port",
        ),
    }
    let Some(prom) = prometheus else {
        return;
    };
    let targets_url = format!("{prom}/api/v1/targets?state=active");
    let answer = match get(http, &targets_url).await {
        Ok((200, body)) => {
            crate::model::input::json_value(&body, crate::model::input::Input::PEER_ANSWER)
                .unwrap_or_default()
        }
        Ok((status, _)) => {
            list.add(
                C,
                "prometheus target up",
                Outcome::Fail,
                format!("GET {targets_url}: HTTP {status}"),
                "is --prometheus the Prometheus server's base URL?",
            );
            return;
        }
        Err(e) => {
            list.add(
                C,
                "prometheus target up",
                Outcome::Fail,
                format!("Prometheus at {prom}: {e}"),
                "check --prometheus and that Prometheus runs",
            );
            return;
        }
    };
    let port = format!(":{}", config.port);
    let target = answer["data"]["activeTargets"].as_array().and_then(|ts| {
        ts.iter().find(|t| {
            t["scrapeUrl"].as_str().is_some_and(|u| {
                url::Url::parse(u).is_ok_and(|p| {
                    p.port_or_known_default() == Some(config.port) && p.path() == config.path
                })
            })
        })
    });
    match target {
        Some(t) if t["health"] == "up" => list.add(
            C,
            "prometheus target up",
            Outcome::Pass,
            format!(
                "job {} scrapes {} (last scrape {})",
                t["labels"]["job"].as_str().unwrap_or("?"),
                t["scrapeUrl"].as_str().unwrap_or("?"),
                t["lastScrape"].as_str().unwrap_or("?")
            ),
            "",
        ),
        Some(t) => list.add(
            C,
            "prometheus target up",
            Outcome::Fail,
            format!(
                "{} is {}: {}",
                t["scrapeUrl"].as_str().unwrap_or("?"),
                t["health"].as_str().unwrap_or("unknown"),
                t["lastError"].as_str().unwrap_or("")
            ),
            "Prometheus cannot scrape the agent: check that the listen address is reachable from Prometheus (`configure-metrics --listen-address`)",
        ),
        None => list.add(
            C,
            "prometheus target up",
            Outcome::Fail,
            format!("no active target of {prom} scrapes port {} path {}", port.trim_start_matches(':'), config.path),
            format!("add the agent to a scrape config: `- targets: ['<this host>{port}']` (metrics_path: {})", config.path),
        ),
    }
}
