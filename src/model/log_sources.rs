//! The workload log sources of `configure-logging` (containers, file globs, journald) and the
//! on-disk buffer that holds what Elasticsearch has not acknowledged, with their validation.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The default cap of the on-disk buffer.
pub const DEFAULT_BUFFER_BYTES: u64 = 256 * 1024 * 1024;
/// The default longest line kept whole; longer lines are cut and marked.
pub const DEFAULT_MAX_LINE_BYTES: u64 = 256 * 1024;
/// Glob patterns at most.
pub const MAX_GLOBS: usize = 64;

/// Where workload logs are read from. Every path is absolute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogSources {
    /// Docker's json-file logs (`<root>/containers/<id>/<id>-json.log`) when collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<DockerSource>,
    /// The CRI pod log root when collected (`<root>/<ns>_<pod>_<uid>/<container>/<n>.log`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cri: Option<String>,
    /// Glob patterns of plain log files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// journald through `journalctl` when collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journald: Option<JournalSource>,
    /// The cap of the on-disk buffer; beyond it the oldest records are dropped and counted.
    #[serde(default = "default_buffer")]
    pub buffer_bytes: u64,
    /// Where the buffer and the read checkpoints live (default: `<data dir>/logs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer_dir: Option<String>,
    /// Lines longer than this are cut to it (the record says so).
    #[serde(default = "default_max_line")]
    pub max_line_bytes: u64,
}

/// Docker: its data root, or (`None`) the one Docker's `daemon.json` names (else
/// `/var/lib/docker`), read when the agent starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DockerSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
}

/// journald: the system journal, or the journal files in `directory`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JournalSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
}

fn default_buffer() -> u64 {
    DEFAULT_BUFFER_BYTES
}

fn default_max_line() -> u64 {
    DEFAULT_MAX_LINE_BYTES
}

impl Default for LogSources {
    fn default() -> Self {
        LogSources {
            docker: None,
            cri: None,
            files: Vec::new(),
            journald: None,
            buffer_bytes: DEFAULT_BUFFER_BYTES,
            buffer_dir: None,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }
}

impl LogSources {
    /// Whether any workload source is collected.
    pub fn any(&self) -> bool {
        self.docker.is_some()
            || self.cri.is_some()
            || !self.files.is_empty()
            || self.journald.is_some()
    }

    /// Check every field (a stored state is checked again when loaded).
    pub fn validate(&self) -> std::result::Result<(), (String, String, String)> {
        let bad = |field: &str, value: &str, allowed: &str| {
            Err((field.to_string(), value.to_string(), allowed.to_string()))
        };
        for (field, dir) in [
            (
                "--docker-root",
                &self.docker.as_ref().and_then(|d| d.root.clone()),
            ),
            ("--cri-root", &self.cri),
            ("--buffer-dir", &self.buffer_dir),
            (
                "--journal-directory",
                &self.journald.as_ref().and_then(|j| j.directory.clone()),
            ),
        ] {
            if let Some(d) = dir
                && let Err(a) = absolute_path(d)
            {
                return bad(field, d, &a);
            }
        }
        if self.files.len() > MAX_GLOBS {
            return bad(
                "--file",
                &self.files.len().to_string(),
                &format!("at most {MAX_GLOBS} patterns"),
            );
        }
        for g in &self.files {
            if let Err(a) = glob_pattern(g) {
                return bad("--file", g, &a);
            }
        }
        if !(MIB..=64 * 1024 * MIB).contains(&self.buffer_bytes) {
            return bad(
                "--buffer-size",
                &self.buffer_bytes.to_string(),
                "a size from 1MiB to 64GiB",
            );
        }
        if !(1024..=16 * MIB).contains(&self.max_line_bytes) {
            return bad(
                "--max-line-size",
                &self.max_line_bytes.to_string(),
                "a size from 1KiB to 16MiB",
            );
        }
        Ok(())
    }
}

const MIB: u64 = 1024 * 1024;

/// An absolute path without control characters or `..`, at most 4096 bytes.
pub fn absolute_path(text: &str) -> std::result::Result<String, String> {
    let ok = text.starts_with('/')
        && text.len() <= 4096
        && !text.chars().any(char::is_control)
        && !text.split('/').any(|c| c == "..");
    if ok {
        Ok(text.to_string())
    } else {
        Err("an absolute path (starting with /) without `..` or control characters".into())
    }
}

/// A file glob: an absolute path whose components may hold `*` and `?` (no `**`).
pub fn glob_pattern(text: &str) -> std::result::Result<String, String> {
    const ALLOWED: &str = "an absolute path whose file and directory names may hold * and ? (e.g. /var/log/app/*.log), without ** or ..";
    if absolute_path(text).is_err() || text.contains("**") || text.ends_with('/') {
        return Err(ALLOWED.into());
    }
    Ok(text.to_string())
}

/// A size: a plain number of bytes or a number with KiB, MiB or GiB (`256MiB`).
pub fn size(text: &str) -> std::result::Result<u64, String> {
    const ALLOWED: &str = "a size in bytes, or with KiB, MiB or GiB (e.g. 256MiB)";
    let t = text.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let n: u64 = digits.parse().map_err(|_| ALLOWED.to_string())?;
    let mult = match unit.trim() {
        "" | "B" => 1,
        "KiB" | "K" | "k" | "KB" => 1024,
        "MiB" | "M" | "MB" => MIB,
        "GiB" | "G" | "GB" => 1024 * MIB,
        _ => return Err(ALLOWED.into()),
    };
    n.checked_mul(mult).ok_or_else(|| ALLOWED.to_string())
}

/// A partial update of [`LogSources`], flat as the flags are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesPatch {
    /// Collect Docker's json-file logs (from `docker_root` or Docker's data root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_root: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cri: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cri_root: Option<String>,
    /// Replaces the stored patterns (empty: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journald: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_directory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_line_bytes: Option<u64>,
}

impl SourcesPatch {
    pub fn is_empty(&self) -> bool {
        *self == SourcesPatch::default()
    }

    /// The sources after this patch.
    pub fn apply(&self, current: &LogSources) -> Result<LogSources> {
        let mut s = current.clone();
        match (self.docker, &self.docker_root) {
            (Some(false), _) => s.docker = None,
            (_, Some(root)) => {
                s.docker = Some(DockerSource {
                    root: Some(root.clone()),
                })
            }
            (Some(true), None) => {
                if s.docker.is_none() {
                    s.docker = Some(DockerSource::default());
                }
            }
            (None, None) => {}
        }
        match (self.cri, &self.cri_root) {
            (Some(false), _) => s.cri = None,
            (_, Some(root)) => s.cri = Some(root.clone()),
            (Some(true), None) => {
                if s.cri.is_none() {
                    s.cri = Some("/var/log/pods".into());
                }
            }
            (None, None) => {}
        }
        if let Some(f) = &self.files {
            s.files = f.clone();
        }
        match (self.journald, &self.journal_directory) {
            (Some(false), _) => s.journald = None,
            (_, Some(dir)) => {
                s.journald = Some(JournalSource {
                    directory: Some(dir.clone()),
                })
            }
            (Some(true), None) => {
                if s.journald.is_none() {
                    s.journald = Some(JournalSource::default());
                }
            }
            (None, None) => {}
        }
        if let Some(b) = self.buffer_bytes {
            s.buffer_bytes = b;
        }
        if let Some(d) = &self.buffer_dir {
            s.buffer_dir = Some(d.clone());
        }
        if let Some(m) = self.max_line_bytes {
            s.max_line_bytes = m;
        }
        s.validate()
            .map_err(|(field, value, allowed)| Error::invalid(&field, &value, allowed))?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_validate_and_toggle() {
        let s = SourcesPatch {
            docker: Some(true),
            files: Some(vec!["/var/log/app/*.log".into()]),
            journal_directory: Some("/tmp/j".into()),
            buffer_bytes: Some(MIB),
            ..SourcesPatch::default()
        }
        .apply(&LogSources::default())
        .unwrap();
        assert_eq!(s.docker, Some(DockerSource::default()));
        assert!(s.any());
        let off = SourcesPatch {
            docker: Some(false),
            files: Some(Vec::new()),
            journald: Some(false),
            ..SourcesPatch::default()
        }
        .apply(&s)
        .unwrap();
        assert!(!off.any());
        for bad in [
            SourcesPatch {
                files: Some(vec!["relative/*.log".into()]),
                ..SourcesPatch::default()
            },
            SourcesPatch {
                files: Some(vec!["/var/**/x".into()]),
                ..SourcesPatch::default()
            },
            SourcesPatch {
                cri_root: Some("/var/../etc".into()),
                ..SourcesPatch::default()
            },
            SourcesPatch {
                buffer_bytes: Some(10),
                ..SourcesPatch::default()
            },
        ] {
            assert!(bad.apply(&LogSources::default()).is_err(), "{bad:?}");
        }
        assert_eq!(size("256MiB").unwrap(), 256 * MIB);
        assert_eq!(size("4096").unwrap(), 4096);
        assert!(size("5TB").is_err());
        assert!(size("99999999999999999999GiB").is_err());
        assert!(size("-1").is_err());
    }
}
