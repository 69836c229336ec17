//! Health check definitions: what to probe (HTTP, TCP, a command, gRPC), how often, and when a
//! target counts as unhealthy.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::duration::PromDuration;
use super::validate;
use crate::error::{Error, Result};

/// `--type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CheckType {
    Http,
    Tcp,
    Command,
    Grpc,
}

impl CheckType {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckType::Http => "http",
            CheckType::Tcp => "tcp",
            CheckType::Command => "command",
            CheckType::Grpc => "grpc",
        }
    }
}

/// Accepted HTTP status codes: a list of codes and ranges (`200,204,300-399`; `2xx` style too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StatusSet(Vec<(u16, u16)>);

impl StatusSet {
    pub fn contains(&self, code: u16) -> bool {
        self.0.iter().any(|(lo, hi)| (*lo..=*hi).contains(&code))
    }

    pub fn parse(text: &str) -> std::result::Result<StatusSet, String> {
        const ALLOWED: &str =
            "status codes and ranges such as 200, 2xx, 200-299 or 200,204,301-302 (100-599)";
        let mut out = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            let range = if let Some(class) =
                part.strip_suffix("xx").or_else(|| part.strip_suffix("XX"))
            {
                match class.parse::<u16>() {
                    Ok(c) if (1..=5).contains(&c) && class.len() == 1 => (c * 100, c * 100 + 99),
                    _ => return Err(ALLOWED.into()),
                }
            } else if let Some((lo, hi)) = part.split_once('-') {
                match (lo.trim().parse::<u16>(), hi.trim().parse::<u16>()) {
                    (Ok(lo), Ok(hi)) if lo <= hi => (lo, hi),
                    _ => return Err(ALLOWED.into()),
                }
            } else {
                match part.parse::<u16>() {
                    Ok(c) => (c, c),
                    Err(_) => return Err(ALLOWED.into()),
                }
            };
            if range.0 < 100 || range.1 > 599 {
                return Err(ALLOWED.into());
            }
            out.push(range);
        }
        if out.is_empty() || out.len() > 32 {
            return Err(ALLOWED.into());
        }
        Ok(StatusSet(out))
    }
}

impl schemars::JsonSchema for StatusSet {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StatusSet".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "HTTP status codes and ranges such as 200, 2xx, 200-299 or 200,204,301-302 (100-599)",
            "type": "string"
        })
    }
}

impl Default for StatusSet {
    fn default() -> Self {
        StatusSet(vec![(200, 299)])
    }
}

impl fmt::Display for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(lo, hi)| match (lo, hi) {
                (lo, hi) if lo == hi => lo.to_string(),
                (lo, hi) if lo % 100 == 0 && *hi == lo + 99 => format!("{}xx", lo / 100),
                (lo, hi) => format!("{lo}-{hi}"),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

impl TryFrom<String> for StatusSet {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        StatusSet::parse(&s)
    }
}

impl From<StatusSet> for String {
    fn from(s: StatusSet) -> String {
        s.to_string()
    }
}

/// An HTTP header to send (`Name: value`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: String,
    pub value: String,
}

impl Header {
    pub fn parse(text: &str) -> std::result::Result<Header, String> {
        let (name, value) = text.split_once(':').ok_or("a header 'Name: value'")?;
        let h = Header {
            name: name.trim().to_string(),
            value: value.trim().to_string(),
        };
        h.check()?;
        Ok(h)
    }

    fn check(&self) -> std::result::Result<(), String> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 128
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        let value_ok = self.value.len() <= 4096
            && self
                .value
                .bytes()
                .all(|b| b == b'\t' || (0x20..0x7f).contains(&b));
        if name_ok && value_ok {
            Ok(())
        } else {
            Err("a header 'Name: value' with a token name and printable ASCII value".into())
        }
    }
}

/// A JSON-pointer assertion: the value at `pointer` must equal `expected` (compared as text
/// for strings, as JSON for anything else).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonAssert {
    pub pointer: String,
    pub expected: String,
}

impl JsonAssert {
    /// `/status=ok`.
    pub fn parse(text: &str) -> std::result::Result<JsonAssert, String> {
        let (pointer, expected) = text
            .split_once('=')
            .ok_or("a JSON pointer assertion such as /status=ok")?;
        let a = JsonAssert {
            pointer: pointer.to_string(),
            expected: expected.to_string(),
        };
        a.check()?;
        Ok(a)
    }

    fn check(&self) -> std::result::Result<(), String> {
        if !(self.pointer.is_empty() || self.pointer.starts_with('/'))
            || self.pointer.len() > 512
            || self.expected.len() > 1024
        {
            return Err(
                "a JSON pointer assertion such as /status=ok (the pointer starts with '/')".into(),
            );
        }
        Ok(())
    }
}

/// What a check probes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Probe {
    Http {
        url: String,
        #[serde(default)]
        expect_status: StatusSet,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body_contains: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body_regex: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        json: Option<JsonAssert>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        headers: Vec<Header>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ca_cert: Option<std::path::PathBuf>,
        #[serde(default)]
        insecure_skip_verify: bool,
    },
    Tcp {
        address: String,
    },
    Command {
        command: Vec<String>,
    },
    Grpc {
        address: String,
        #[serde(default)]
        service: String,
        #[serde(default)]
        tls: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ca_cert: Option<std::path::PathBuf>,
    },
}

impl Probe {
    pub fn check_type(&self) -> CheckType {
        match self {
            Probe::Http { .. } => CheckType::Http,
            Probe::Tcp { .. } => CheckType::Tcp,
            Probe::Command { .. } => CheckType::Command,
            Probe::Grpc { .. } => CheckType::Grpc,
        }
    }

    /// A short description of the target for tables.
    pub fn target(&self) -> String {
        match self {
            Probe::Http { url, .. } => url.clone(),
            Probe::Tcp { address } => address.clone(),
            Probe::Command { command } => command.join(" "),
            Probe::Grpc {
                address, service, ..
            } if service.is_empty() => address.clone(),
            Probe::Grpc {
                address, service, ..
            } => format!("{address} {service}"),
        }
    }
}

/// A health check as stored and served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub name: String,
    pub probe: Probe,
    pub interval: PromDuration,
    pub timeout: PromDuration,
    pub failure_threshold: u32,
    pub success_threshold: u32,
    /// Failures during this time after the check (or its restart) starts do not count.
    pub start_period: PromDuration,
    /// Run (argv, no shell) to restart the target when auto-healing is enabled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restart_command: Vec<String>,
}

pub const DEFAULT_INTERVAL: PromDuration = PromDuration::from_secs(30);
pub const DEFAULT_TIMEOUT: PromDuration = PromDuration::from_secs(10);

/// `host:port` with a port from 1 to 65535 (`[::1]:80` for IPv6).
pub fn host_port(text: &str) -> std::result::Result<String, String> {
    const ALLOWED: &str = "an address host:port such as 127.0.0.1:5432 or db.example.com:5432";
    let (host, port) = text.rsplit_once(':').ok_or(ALLOWED)?;
    validate::port(port).map_err(|_| ALLOWED.to_string())?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if host.parse::<std::net::IpAddr>().is_err() && validate::host(host).is_err() {
        return Err(ALLOWED.into());
    }
    Ok(text.to_string())
}

fn argv(field: &str, argv: &[String]) -> Result<()> {
    if argv.is_empty() || argv[0].is_empty() {
        return Err(Error::invalid(
            field,
            "",
            "a program and its arguments (argv; no shell), e.g. --command systemctl --command is-active",
        ));
    }
    if argv.len() > 256 || argv.iter().any(|a| a.len() > 4096 || a.contains('\0')) {
        return Err(Error::invalid(
            field,
            &argv.join(" "),
            "at most 256 arguments of at most 4096 bytes, without NUL",
        ));
    }
    Ok(())
}

impl Check {
    /// Check every field; names the field on error.
    pub fn validate(&self) -> Result<()> {
        validate::object_name(&self.name).map_err(|a| Error::invalid("name", &self.name, a))?;
        if self.interval.as_std() < std::time::Duration::from_secs(1) {
            return Err(Error::invalid(
                "interval",
                &self.interval.to_string(),
                "at least 1s",
            ));
        }
        if self.timeout.is_zero() || self.timeout >= self.interval {
            return Err(Error::invalid(
                "timeout",
                &self.timeout.to_string(),
                format!(
                    "more than 0s and less than the interval ({})",
                    self.interval
                ),
            ));
        }
        for (field, n) in [
            ("failure_threshold", self.failure_threshold),
            ("success_threshold", self.success_threshold),
        ] {
            if !(1..=100).contains(&n) {
                return Err(Error::invalid(
                    field,
                    &n.to_string(),
                    "a whole number from 1 to 100",
                ));
            }
        }
        if !self.restart_command.is_empty() {
            argv("restart_command", &self.restart_command)?;
        }
        match &self.probe {
            Probe::Http {
                url,
                body_regex,
                json,
                headers,
                ..
            } => {
                validate::http_url(url).map_err(|a| Error::invalid("url", url, a))?;
                if let Some(re) = body_regex {
                    validate::regex(re).map_err(|a| Error::invalid("body_regex", re, a))?;
                }
                if let Some(j) = json {
                    j.check()
                        .map_err(|a| Error::invalid("json", &j.pointer, a))?;
                }
                for h in headers {
                    h.check()
                        .map_err(|a| Error::invalid("header", &h.name, a))?;
                }
            }
            Probe::Tcp { address } => {
                host_port(address).map_err(|a| Error::invalid("address", address, a))?;
            }
            Probe::Command { command } => argv("command", command)?,
            Probe::Grpc {
                address, service, ..
            } => {
                host_port(address).map_err(|a| Error::invalid("address", address, a))?;
                if service.len() > 256 || service.chars().any(char::is_control) {
                    return Err(Error::invalid(
                        "service",
                        service,
                        "a gRPC service name without control characters",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether accepting this check lets the caller run programs on the node.
    pub fn runs_programs(&self) -> bool {
        matches!(self.probe, Probe::Command { .. }) || !self.restart_command.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_sets() {
        let s = StatusSet::parse("200,204,300-399").unwrap();
        assert!(s.contains(204) && s.contains(302) && !s.contains(201));
        assert_eq!(StatusSet::parse("2xx").unwrap(), StatusSet::default());
        assert_eq!(StatusSet::default().to_string(), "2xx");
        for bad in [
            "", "abc", "99", "600", "300-200", "7xx", "22xx", "2xx,", "-1",
        ] {
            assert!(StatusSet::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn addresses_headers_pointers() {
        assert!(host_port("127.0.0.1:80").is_ok());
        assert!(host_port("[::1]:80").is_ok());
        assert!(host_port("db.example.com:5432").is_ok());
        for bad in [
            "127.0.0.1",
            "host:",
            ":80",
            "host:0",
            "host:70000",
            "http://x:80",
            "a b:80",
        ] {
            assert!(host_port(bad).is_err(), "{bad}");
        }
        assert_eq!(Header::parse("X-Token: abc").unwrap().value, "abc");
        assert!(Header::parse("Bad Name: x").is_err());
        assert!(Header::parse("X: a\nb").is_err());
        assert!(JsonAssert::parse("/status=ok").is_ok());
        assert!(JsonAssert::parse("status=ok").is_err());
    }
}
