//! The wire type of `POST /api/profile` and its limits: what to profile, whose, for how long,
//! checked the same way whether it comes from the CLI's flags or over the API.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::validate;

/// The rule annotation that asks the agent to profile an alert's target when the alert
/// starts firing: `cpu:30s`, `network:10s` or `memory` (`--capture-profile` sets it).
pub const CAPTURE_ANNOTATION: &str = "hivemind_capture_profile";
/// Profiles captured on alert that are kept per rule; the oldest go first.
pub const CAPTURES_PER_RULE: usize = 5;
/// Profiles captured on alert that are kept in all (many rules firing at once).
pub const MAX_CAPTURES: usize = 100;

/// What a rule's [`CAPTURE_ANNOTATION`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureSpec {
    pub kind: Kind,
    /// Zero for memory (a snapshot).
    pub duration: Duration,
}

impl CaptureSpec {
    /// `cpu:30s`, `network:10s`, `memory`.
    pub fn parse(s: &str) -> std::result::Result<CaptureSpec, String> {
        let allowed = || {
            "KIND:DURATION: cpu:30s or network:10s (1s to 10m), or memory (a snapshot)".to_string()
        };
        let (kind, duration) = match s.trim().split_once(':') {
            Some((k, d)) => (k, Some(d)),
            None => (s.trim(), None),
        };
        let kind = match kind {
            "cpu" => Kind::Cpu,
            "network" => Kind::Network,
            "memory" => Kind::Memory,
            _ => return Err(allowed()),
        };
        let duration = match (kind, duration) {
            (Kind::Memory, None) => Duration::ZERO,
            (Kind::Memory, Some(_)) => return Err(allowed()),
            (_, None) => return Err(allowed()),
            (_, Some(d)) => {
                let d = crate::model::PromDuration::parse(d)
                    .map_err(|_| allowed())?
                    .as_std();
                check_duration(d).map_err(|_| allowed())?;
                d
            }
        };
        Ok(CaptureSpec { kind, duration })
    }

    /// The request for `target`.
    pub fn request(&self, target: Target) -> ProfileRequest {
        ProfileRequest {
            kind: self.kind,
            target,
            duration_ms: u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX),
            frequency: if self.kind == Kind::Cpu { 99 } else { 0 },
            coarse: false,
        }
    }
}

impl std::fmt::Display for CaptureSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.kind == Kind::Memory {
            f.write_str("memory")
        } else {
            write!(
                f,
                "{}:{}",
                self.kind.as_str(),
                crate::model::PromDuration::from_millis(
                    u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX)
                )
            )
        }
    }
}

/// A profile the agent took because an alert started firing (`hivemind profile list`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapturedProfile {
    /// `hivemind profile get ID`.
    pub id: String,
    pub rule: String,
    /// The alert's id (its fingerprint).
    pub alert: String,
    pub kind: Kind,
    /// What was profiled, e.g. `container 3f2a9c1d0b7e` or `process group nginx (pids 12, 13)`.
    pub target: String,
    /// When the alert fired and the profile started (RFC 3339).
    pub taken_at: String,
    pub duration_seconds: f64,
    /// Size of the profile file (0 when it failed).
    #[serde(default)]
    pub size_bytes: u64,
    /// Why there is no profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `GET /api/profiles`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CapturedProfiles {
    /// Newest first.
    pub profiles: Vec<CapturedProfile>,
}

/// A captured profile's id: lower-case letters, digits and `-`, at most 96 characters.
pub fn check_capture_id(id: &str) -> std::result::Result<String, String> {
    if id.is_empty()
        || id.len() > 96
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("a profile id as `hivemind profile list` shows it (a-z, 0-9 and -)".into());
    }
    Ok(id.to_string())
}

/// The longest profile: long enough for a slow periodic job, short enough that a forgotten
/// profile does not hold an agent's threads and buffers for hours.
pub const MAX_DURATION: Duration = Duration::from_secs(600);
/// The shortest: below a second cpu-clock sampling at 99 Hz has too few samples to mean much.
pub const MIN_DURATION: Duration = Duration::from_secs(1);
/// Sampling frequencies accepted; above 1 kHz the overhead grows with no gain in accuracy.
pub const MAX_FREQUENCY: u32 = 1000;
/// Largest pid Linux can hand out (`PID_MAX_LIMIT` on 64-bit).
pub const PID_MAX: u32 = 4_194_304;
/// Processes named with `--pid` at most.
pub const MAX_PIDS: usize = 64;

/// What to profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Cpu,
    Memory,
    Network,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Cpu => "cpu",
            Kind::Memory => "memory",
            Kind::Network => "network",
        }
    }
}

/// Whose profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Target {
    /// These processes (every thread of each).
    Pids(Vec<u32>),
    /// Every process of the container's cgroup (id, id prefix, name or systemd unit).
    Container(String),
    /// The agent process itself.
    Daemon,
    /// A Go service's `/debug/pprof/heap` (memory only).
    Url(String),
}

/// `POST /api/profile`: everything needed to take a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    pub kind: Kind,
    pub target: Target,
    /// Window in milliseconds (cpu and network; 0 for memory).
    #[serde(default)]
    pub duration_ms: u64,
    /// Samples per second (cpu).
    #[serde(default)]
    pub frequency: u32,
    /// Per-thread CPU times from /proc instead of sampled stacks (cpu).
    #[serde(default)]
    pub coarse: bool,
}

impl ProfileRequest {
    pub fn duration(&self) -> Duration {
        Duration::from_millis(self.duration_ms)
    }

    /// The same checks the CLI's parsers make, for requests that arrive over the API.
    pub fn validate(&self) -> Result<()> {
        match &self.target {
            Target::Pids(pids) => {
                if pids.is_empty() || pids.len() > MAX_PIDS {
                    return Err(Error::invalid(
                        "pids",
                        &pids.len().to_string(),
                        format!("1 to {MAX_PIDS} process ids"),
                    ));
                }
                for p in pids {
                    check_pid(*p)?;
                }
            }
            Target::Container(c) => {
                check_container(c).map_err(|a| Error::invalid("container", c, a))?;
            }
            Target::Daemon => {}
            Target::Url(u) => {
                if self.kind != Kind::Memory {
                    return Err(Error::Usage(
                        "a URL target is a Go heap profile: memory only".into(),
                    ));
                }
                validate::http_url(u).map_err(|a| Error::invalid("url", u, a))?;
            }
        }
        match self.kind {
            Kind::Memory => {
                if self.duration_ms != 0 || self.frequency != 0 || self.coarse {
                    return Err(Error::Usage(
                        "a memory profile is a snapshot: no duration, frequency or coarse".into(),
                    ));
                }
            }
            Kind::Cpu | Kind::Network => {
                check_duration(self.duration()).map_err(|a| {
                    Error::invalid("duration", &format!("{}ms", self.duration_ms), a)
                })?;
                if self.kind == Kind::Cpu {
                    check_frequency(self.frequency)
                        .map_err(|a| Error::invalid("frequency", &self.frequency.to_string(), a))?;
                } else if self.frequency != 0 || self.coarse {
                    return Err(Error::Usage(
                        "frequency and coarse apply to cpu profiles only".into(),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// 1 to [`PID_MAX`].
pub fn check_pid(pid: u32) -> Result<()> {
    if pid == 0 || pid > PID_MAX {
        return Err(Error::invalid(
            "pid",
            &pid.to_string(),
            format!("a process id from 1 to {PID_MAX}"),
        ));
    }
    Ok(())
}

/// A container id, prefix or name: 1 to 256 characters, no `/` or control characters.
pub fn check_container(c: &str) -> std::result::Result<(), String> {
    if c.is_empty() || c.len() > 256 || c.contains('/') || c.chars().any(char::is_control) {
        return Err(
            "a container id, id prefix, name or systemd unit (1 to 256 characters, no '/')".into(),
        );
    }
    Ok(())
}

/// From [`MIN_DURATION`] to [`MAX_DURATION`].
pub fn check_duration(d: Duration) -> std::result::Result<(), String> {
    if d < MIN_DURATION || d > MAX_DURATION {
        return Err("a duration from 1s to 10m, like 30s or 2m".into());
    }
    Ok(())
}

/// 1 to [`MAX_FREQUENCY`] Hz.
pub fn check_frequency(f: u32) -> std::result::Result<(), String> {
    if f == 0 || f > MAX_FREQUENCY {
        return Err(format!("samples per second from 1 to {MAX_FREQUENCY}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu(target: Target, duration_ms: u64, frequency: u32) -> ProfileRequest {
        ProfileRequest {
            kind: Kind::Cpu,
            target,
            duration_ms,
            frequency,
            coarse: false,
        }
    }

    #[test]
    fn validates_requests_like_the_cli() {
        assert!(cpu(Target::Pids(vec![1]), 30_000, 99).validate().is_ok());
        for bad in [
            cpu(Target::Pids(vec![]), 30_000, 99),
            cpu(Target::Pids(vec![0]), 30_000, 99),
            cpu(Target::Pids(vec![PID_MAX + 1]), 30_000, 99),
            cpu(Target::Pids(vec![1]), 0, 99),
            cpu(Target::Pids(vec![1]), 600_001, 99),
            cpu(Target::Pids(vec![1]), 30_000, 0),
            cpu(Target::Pids(vec![1]), 30_000, 100_000),
            cpu(Target::Container("../etc".into()), 30_000, 99),
            cpu(Target::Container(String::new()), 30_000, 99),
            cpu(
                Target::Url("http://127.0.0.1/debug/pprof/heap".into()),
                30_000,
                99,
            ),
            ProfileRequest {
                kind: Kind::Memory,
                target: Target::Pids(vec![1]),
                duration_ms: 1000,
                frequency: 0,
                coarse: false,
            },
            ProfileRequest {
                kind: Kind::Memory,
                target: Target::Url("file:///etc/passwd".into()),
                duration_ms: 0,
                frequency: 0,
                coarse: false,
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn wire_form_is_stable_and_strict() {
        let r = cpu(Target::Pids(vec![42]), 30_000, 99);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"cpu","target":{"pids":[42]},"duration_ms":30000,"frequency":99,"coarse":false}"#
        );
        assert!(
            serde_json::from_str::<ProfileRequest>(r#"{"kind":"cpu","target":"daemon","x":1}"#)
                .is_err()
        );
    }
}
