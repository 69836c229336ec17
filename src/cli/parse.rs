//! `value_parser` functions: clap calls these, so a bad value is reported by clap with the
//! flag's name, the value and our explanation of what is allowed, before anything runs.

use std::net::IpAddr;
use std::time::Duration;

use crate::model::{Matcher, PromDuration, duration, validate};

fn with_value<T>(r: Result<T, String>) -> Result<T, String> {
    r.map_err(|allowed| format!("expected {allowed}"))
}

pub fn port(s: &str) -> Result<u16, String> {
    with_value(validate::port(s))
}

pub fn http_path(s: &str) -> Result<String, String> {
    with_value(validate::http_path(s))
}

pub fn listen_address(s: &str) -> Result<IpAddr, String> {
    with_value(validate::listen_address(s))
}

pub fn duration(s: &str) -> Result<PromDuration, String> {
    PromDuration::parse(s)
}

/// A positive duration (zero makes no sense for intervals).
pub fn positive_seconds_or_duration(s: &str) -> Result<PromDuration, String> {
    let d = duration::parse_seconds_or_duration(s)?;
    if d.is_zero() {
        return Err("expected a duration greater than zero".into());
    }
    Ok(d)
}

pub fn threshold(s: &str) -> Result<f64, String> {
    with_value(validate::threshold(s))
}

pub fn metric_name(s: &str) -> Result<String, String> {
    with_value(validate::metric_name(s))
}

pub fn rule_name(s: &str) -> Result<String, String> {
    with_value(validate::rule_name(s))
}

pub fn object_name(s: &str) -> Result<String, String> {
    with_value(validate::object_name(s))
}

pub fn free_text(s: &str) -> Result<String, String> {
    with_value(validate::free_text(s))
}

pub fn matcher(s: &str) -> Result<Matcher, String> {
    with_value(Matcher::parse(s))
}

/// `name=TEMPLATE` (the template is checked with the rest of the rule).
pub fn annotation(s: &str) -> Result<(String, String), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| "expected name=TEMPLATE".to_string())?;
    with_value(validate::label_name(name))?;
    Ok((name.to_string(), value.to_string()))
}

pub fn http_url(s: &str) -> Result<String, String> {
    with_value(validate::http_url(s)).map(|u| u.to_string())
}

pub fn host(s: &str) -> Result<String, String> {
    with_value(validate::host(s))
}

pub fn email(s: &str) -> Result<String, String> {
    with_value(validate::email(s))
}

pub fn bool_flag(s: &str) -> Result<bool, String> {
    match s {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err("expected true or false".into()),
    }
}

/// `--max-restarts`: 1 to 1000 (0 would mean "enabled but never restart").
pub fn max_restarts(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err("expected a whole number from 1 to 1000".into()),
    }
}

/// A name that is not empty and has no control characters (SMTP user names).
pub fn user_name(s: &str) -> Result<String, String> {
    if s.is_empty() || s.len() > 256 || s.chars().any(char::is_control) {
        return Err(
            "expected a user name of 1 to 256 characters without control characters".into(),
        );
    }
    Ok(s.to_string())
}

/// A percentage from 0 to 100.
pub fn percent(s: &str) -> Result<f64, String> {
    match validate::threshold(s) {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err("expected a percentage from 0 to 100".into()),
    }
}

/// A load average per CPU: 0 to 1000.
pub fn load(s: &str) -> Result<f64, String> {
    match validate::threshold(s) {
        Ok(v) if (0.0..=1000.0).contains(&v) => Ok(v),
        _ => Err("expected a load per CPU from 0 to 1000, e.g. 2 or 1.5".into()),
    }
}

/// An `IP:PORT` socket address (`[::1]:9470` for IPv6); port 0 picks a free port (the daemon
/// publishes the one it got in `daemon.json`).
pub fn socket_addr(s: &str) -> Result<std::net::SocketAddr, String> {
    s.parse::<std::net::SocketAddr>().map_err(|_| {
        "expected IP:PORT such as 127.0.0.1:9470 or [::1]:9470 (port 0: any free port)".into()
    })
}

/// The collection interval: 1s to 1h.
pub fn collect_interval(s: &str) -> Result<PromDuration, String> {
    duration_between(
        s,
        Duration::from_secs(1),
        Duration::from_secs(3600),
        "expected a duration from 1s to 1h",
    )
}

/// A per-agent timeout: 100ms to 10m.
pub fn timeout(s: &str) -> Result<PromDuration, String> {
    duration_between(
        s,
        Duration::from_millis(100),
        Duration::from_secs(600),
        "expected a duration from 100ms to 10m",
    )
}

/// `--max-concurrency`: 1 to 4096 agents asked at once.
pub fn max_concurrency(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=4096).contains(&n) => Ok(n),
        _ => Err("expected a whole number from 1 to 4096".into()),
    }
}

/// A check threshold: 1 to 100.
pub fn threshold_count(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if (1..=100).contains(&n) => Ok(n),
        _ => Err("expected a whole number from 1 to 100".into()),
    }
}

pub fn status_set(s: &str) -> Result<crate::model::check::StatusSet, String> {
    with_value(crate::model::check::StatusSet::parse(s))
}

pub fn regex(s: &str) -> Result<String, String> {
    with_value(validate::regex(s)).map(|_| s.to_string())
}

/// A device or mount filter; empty restores the default.
pub fn filter_regex(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Ok(String::new());
    }
    with_value(validate::filter_regex(s)).map(|_| s.to_string())
}

/// `--max-process-groups`: 1 to 10000.
pub fn max_process_groups(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=10_000).contains(&n) => Ok(n),
        _ => Err("expected a whole number from 1 to 10000".into()),
    }
}

/// `none` or `node-exporter`.
pub fn compat(s: &str) -> Result<crate::model::config::Compat, String> {
    use crate::model::config::Compat;
    match s {
        "none" => Ok(Compat::None),
        "node-exporter" => Ok(Compat::NodeExporter),
        _ => Err("expected one of: node-exporter, none".into()),
    }
}

pub fn json_assert(s: &str) -> Result<crate::model::check::JsonAssert, String> {
    with_value(crate::model::check::JsonAssert::parse(s))
}

pub fn header(s: &str) -> Result<crate::model::check::Header, String> {
    with_value(crate::model::check::Header::parse(s))
}

pub fn host_port(s: &str) -> Result<String, String> {
    with_value(crate::model::check::host_port(s))
}

/// `--wait-healthy --timeout`: 1s to 24h.
pub fn wait_timeout(s: &str) -> Result<PromDuration, String> {
    duration_between(
        s,
        Duration::from_secs(1),
        Duration::from_secs(86_400),
        "expected a duration from 1s to 24h",
    )
}
/// A process id: 1 to the kernel's largest (4194304).
pub fn pid(s: &str) -> Result<u32, String> {
    let allowed = || {
        format!(
            "expected a process id from 1 to {}",
            crate::model::profile::PID_MAX
        )
    };
    let pid: u32 = s.parse().map_err(|_| allowed())?;
    crate::model::profile::check_pid(pid).map_err(|_| allowed())?;
    Ok(pid)
}

/// A container id, id prefix, name or systemd unit.
pub fn container(s: &str) -> Result<String, String> {
    with_value(crate::model::profile::check_container(s)).map(|()| s.to_string())
}

/// A profile's length: 1s to 10m, in Prometheus syntax (`5M` is refused, as everywhere).
pub fn profile_duration(s: &str) -> Result<PromDuration, String> {
    let d = PromDuration::parse(s)?;
    with_value(crate::model::profile::check_duration(d.as_std()))?;
    Ok(d)
}

/// `bundle --profile-duration`: 1s to 60s.
pub fn bundle_profile_duration(s: &str) -> Result<PromDuration, String> {
    duration_between(
        s,
        Duration::from_secs(1),
        Duration::from_secs(60),
        "a duration from 1s to 60s, like 5s",
    )
}

/// A captured profile's id.
pub fn capture_id(s: &str) -> Result<String, String> {
    crate::model::profile::check_capture_id(s)
}

/// `--capture-profile`: cpu:30s, network:10s or memory.
pub fn capture_profile(s: &str) -> Result<String, String> {
    crate::model::profile::CaptureSpec::parse(s).map(|c| c.to_string())
}

/// Samples per second: 1 to 1000.
pub fn frequency(s: &str) -> Result<u32, String> {
    let allowed = || {
        format!(
            "expected samples per second from 1 to {}",
            crate::model::profile::MAX_FREQUENCY
        )
    };
    let f: u32 = s.parse().map_err(|_| allowed())?;
    crate::model::profile::check_frequency(f).map_err(|_| allowed())?;
    Ok(f)
}

/// A ratio from 0 to 1.
pub fn ratio(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) => with_value(crate::model::telemetry::sample_ratio(v)),
        Err(_) => Err("expected a ratio from 0 to 1, e.g. 0.1 for one trace in ten".into()),
    }
}

pub fn header_name(s: &str) -> Result<String, String> {
    with_value(crate::model::telemetry::header_name(s))
}

pub fn index_name(s: &str) -> Result<String, String> {
    with_value(crate::model::telemetry::index_name(s))
}

pub fn trace_id(s: &str) -> Result<String, String> {
    with_value(crate::telemetry::trace::trace_id(s))
}

/// An alert id as listed by `hivemind health alerts`.
pub fn alert_id(s: &str) -> Result<String, String> {
    crate::model::alert::check_id(s).map_err(|allowed| format!("expected {allowed}"))
}

/// A duration above zero.
pub fn positive_duration(s: &str) -> Result<PromDuration, String> {
    let d = PromDuration::parse(s)?;
    if d.is_zero() {
        return Err("expected a duration greater than zero".into());
    }
    Ok(d)
}

/// `daemon --repeat-interval`: 1s to 30d.
pub fn repeat_interval(s: &str) -> Result<PromDuration, String> {
    duration_between(
        s,
        Duration::from_secs(1),
        Duration::from_secs(30 * 24 * 3600),
        "expected a duration from 1s to 30d",
    )
}

/// `daemon --notification-queue`: 1 to 100000.
pub fn queue_size(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(n),
        _ => Err("expected a whole number from 1 to 100000".into()),
    }
}

/// `daemon --max-connections`: 1 to 1000000.
pub fn max_connections(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err("expected a whole number from 1 to 1000000".into()),
    }
}

pub fn absolute_path(s: &str) -> Result<String, String> {
    crate::model::log_sources::absolute_path(s)
}

pub fn glob_pattern(s: &str) -> Result<String, String> {
    crate::model::log_sources::glob_pattern(s)
}

pub fn size(s: &str) -> Result<u64, String> {
    crate::model::log_sources::size(s)
}

/// A duration from `min` to `max`; `allowed` says so when it is not.
fn duration_between(
    s: &str,
    min: Duration,
    max: Duration,
    allowed: &str,
) -> Result<PromDuration, String> {
    let d = PromDuration::parse(s)?;
    if d.as_std() < min || d.as_std() > max {
        return Err(allowed.into());
    }
    Ok(d)
}
