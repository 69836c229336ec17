//! The agent's structured log: one JSON object per line on stderr with the seed's fields, a
//! bounded ring of recent records for `/api/logs` and the status page, and a hand-off to the
//! Elasticsearch shipper. Logging never blocks on the network.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::elastic::Shipper;
use crate::model::Level;

/// Records kept for `/api/logs`.
pub const RING_CAPACITY: usize = 2000;

/// One log record: the seed's fields, all always present (`null` when not applicable) so
/// that an index mapping never changes shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRecord {
    /// RFC 3339 with milliseconds, UTC.
    pub timestamp: String,
    pub level: Level,
    pub message: String,
    pub service: String,
    pub container_id: Option<String>,
    pub node_id: Option<String>,
    pub trace_id: Option<String>,
    pub span_id: Option<String>,
    #[serde(default)]
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// A filter for `/api/logs`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    /// The least severe level returned (default: info).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// RFC 3339 time or a duration back from now (`5m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// A case-insensitive substring of the message or metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// At most this many of the newest matches (default 100, at most 2000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// Only records after this cursor (from a previous answer's `next`), for `--follow`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// Only audit records (`metadata.log_type = "audit"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<bool>,
}

/// `/api/logs` answer: the records, oldest first, and the cursor for the next poll.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogPage {
    pub logs: Vec<LogRecord>,
    pub next: u64,
}

impl LogQuery {
    /// Check the fields and turn `since` into a cut-off time.
    pub fn validate(&self) -> crate::Result<Option<SystemTime>> {
        if let Some(l) = self.limit
            && !(1..=RING_CAPACITY).contains(&l)
        {
            return Err(crate::Error::invalid(
                "limit",
                &l.to_string(),
                format!("a number from 1 to {RING_CAPACITY}"),
            ));
        }
        if let Some(t) = &self.text
            && (t.len() > 256 || t.chars().any(char::is_control))
        {
            return Err(crate::Error::invalid(
                "text",
                t,
                "at most 256 printable characters",
            ));
        }
        let Some(since) = &self.since else {
            return Ok(None);
        };
        if let Ok(t) = humantime::parse_rfc3339_weak(since) {
            return Ok(Some(t));
        }
        match crate::model::PromDuration::parse(since) {
            Ok(d) => Ok(SystemTime::now().checked_sub(d.as_std())),
            Err(_) => Err(crate::Error::invalid(
                "since",
                since,
                "an RFC 3339 time (2026-01-02T15:04:05Z) or a duration back from now (30s, 5m, 1h)",
            )),
        }
    }
}

struct Ring {
    next: u64,
    records: VecDeque<(u64, SystemTime, LogRecord)>,
}

/// The daemon's logger.
pub struct Logger {
    service: RwLock<String>,
    node_id: String,
    /// Records at least this severe go to stderr (`-v` adds debug, `-vv` trace).
    stderr_level: Level,
    ring: Mutex<Ring>,
    pub shipper: Arc<Shipper>,
    /// stderr as text (for people) instead of JSON.
    text: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger")
            .field("node_id", &self.node_id)
            .field("stderr_level", &self.stderr_level)
            .finish_non_exhaustive()
    }
}

/// The daemon's notices become records of this logger.
impl crate::messages::LogSink for Logger {
    fn log(&self, level: Level, message: &str, fields: crate::messages::Fields) {
        Logger::log(self, level, message, fields);
    }

    fn enabled(&self, level: Level) -> bool {
        Logger::enabled(self, level)
    }
}

impl Logger {
    pub fn new(node_id: &str, stderr_level: Level) -> Arc<Logger> {
        Arc::new(Logger {
            service: RwLock::new(crate::model::telemetry::DEFAULT_SERVICE.into()),
            node_id: node_id.to_string(),
            stderr_level,
            ring: Mutex::new(Ring {
                next: 1,
                records: VecDeque::with_capacity(256),
            }),
            shipper: Shipper::new(),
            text: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// How records are written to stderr.
    pub fn set_format(&self, format: crate::model::telemetry::LogFormat) {
        self.text.store(
            format == crate::model::telemetry::LogFormat::Text,
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// The `service` field (follows `configure-tracing --service-name`).
    pub fn set_service(&self, name: &str) {
        if let Ok(mut s) = self.service.write() {
            *s = name.to_string();
        }
    }

    /// Whether a record at `level` would go anywhere (callers skip building costly messages).
    pub fn enabled(&self, level: Level) -> bool {
        level.passes(self.stderr_level) || level.passes(Level::Debug) || self.shipper.wants(level)
    }

    /// Log `message` with `metadata`; trace and span ids come from the thread's current span.
    pub fn log(
        &self,
        level: Level,
        message: &str,
        metadata: serde_json::Map<String, serde_json::Value>,
    ) {
        self.log_record(level, message, None, metadata);
    }

    /// Log a record. Its message and metadata are redacted first (every secret the process
    /// knows, URL credentials), before the record reaches stderr, the ring behind
    /// `/api/logs` or the Elasticsearch shipper: whatever a caller quoted, no secret is kept.
    pub fn log_record(
        &self,
        level: Level,
        message: &str,
        container_id: Option<&str>,
        mut metadata: serde_json::Map<String, serde_json::Value>,
    ) {
        if !self.enabled(level) {
            return;
        }
        let redactor = crate::redact::current();
        for value in metadata.values_mut() {
            crate::redact::redact_json_with(&redactor, value);
        }
        let now = SystemTime::now();
        let span = super::trace::current();
        let record = LogRecord {
            timestamp: humantime::format_rfc3339_millis(now).to_string(),
            level,
            message: redactor.redact(message).into_owned(),
            service: self
                .service
                .read()
                .map(|s| s.clone())
                .unwrap_or_else(|p| p.into_inner().clone()),
            container_id: container_id.map(str::to_string),
            node_id: Some(self.node_id.clone()),
            trace_id: span.as_ref().map(|s| s.trace_id_hex()),
            span_id: span.as_ref().map(|s| s.span_id_hex()),
            metadata,
        };
        if level.passes(self.stderr_level) {
            let line = if self.text.load(std::sync::atomic::Ordering::Relaxed) {
                Some(text_line(&record))
            } else {
                serde_json::to_string(&record).ok()
            };
            if let Some(line) = line {
                let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
            }
        }
        if self.shipper.wants(level) {
            self.shipper.push(record.clone());
        }
        if level.passes(Level::Debug)
            && let Ok(mut ring) = self.ring.lock()
        {
            if ring.records.len() >= RING_CAPACITY {
                ring.records.pop_front();
            }
            let seq = ring.next;
            ring.next += 1;
            ring.records.push_back((seq, now, record));
        }
    }

    /// Recent records matching `q`, oldest first.
    pub fn query(&self, q: &LogQuery) -> crate::Result<LogPage> {
        let since = q.validate()?;
        let min = q.level.unwrap_or(Level::Info);
        let text = q.text.as_deref().map(str::to_lowercase);
        let limit = q.limit.unwrap_or(100);
        let Ok(ring) = self.ring.lock() else {
            return Ok(LogPage {
                logs: Vec::new(),
                next: 0,
            });
        };
        let mut out: Vec<LogRecord> = ring
            .records
            .iter()
            .rev()
            .filter(|(seq, at, r)| {
                q.after.is_none_or(|a| *seq > a)
                    && (q.audit != Some(true)
                        || r.metadata.get("log_type") == Some(&"audit".into()))
                    && since.is_none_or(|s| *at >= s)
                    && r.level.passes(min)
                    && text.as_deref().is_none_or(|t| {
                        r.message.to_lowercase().contains(t)
                            || serde_json::Value::Object(r.metadata.clone())
                                .to_string()
                                .to_lowercase()
                                .contains(t)
                    })
            })
            .take(limit)
            .map(|(_, _, r)| r.clone())
            .collect();
        out.reverse();
        Ok(LogPage {
            logs: out,
            next: ring.next - 1,
        })
    }
}

/// A record as one line of text: time, level, message, then `key=value` metadata and the
/// trace id. Control characters are escaped so that a record stays one line.
pub fn text_line(r: &LogRecord) -> String {
    let mut line = format!(
        "{} {:<7} {}",
        r.timestamp,
        r.level.as_str().to_uppercase(),
        r.message.escape_debug()
    );
    for (k, v) in &r.metadata {
        let v = match v {
            serde_json::Value::String(s) => s.escape_debug().to_string(),
            other => other.to_string(),
        };
        line.push_str(&format!(" {k}={v}"));
    }
    if let Some(t) = &r.trace_id {
        line.push_str(&format!(" trace_id={t}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lines_stay_one_line() {
        let mut meta = serde_json::Map::new();
        meta.insert("path".into(), "/api/x".into());
        meta.insert("n".into(), 3.into());
        let r = LogRecord {
            timestamp: "2026-01-01T00:00:00.000Z".into(),
            level: Level::Warning,
            message: "two\nlines".into(),
            service: "hivemind".into(),
            container_id: None,
            node_id: None,
            trace_id: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
            span_id: None,
            metadata: meta,
        };
        assert_eq!(
            text_line(&r),
            "2026-01-01T00:00:00.000Z WARNING two\\nlines n=3 path=/api/x trace_id=4bf92f3577b34da6a3ce929d0e0e4736"
        );
    }

    #[test]
    fn query_filters_and_cursor() {
        let l = Logger::new("n1", Level::Error);
        let mut meta = serde_json::Map::new();
        meta.insert("path".into(), "/api/rules".into());
        l.log(Level::Info, "first", serde_json::Map::new());
        l.log(Level::Warning, "second", meta);
        l.log(Level::Debug, "third", serde_json::Map::new());
        l.log(Level::Trace, "not kept", serde_json::Map::new());
        let all = l
            .query(&LogQuery {
                level: Some(Level::Debug),
                ..LogQuery::default()
            })
            .unwrap();
        assert_eq!(
            all.logs
                .iter()
                .map(|r| r.message.as_str())
                .collect::<Vec<_>>(),
            ["first", "second", "third"]
        );
        assert_eq!(all.logs[0].node_id.as_deref(), Some("n1"));
        let warn = l
            .query(&LogQuery {
                level: Some(Level::Warning),
                ..LogQuery::default()
            })
            .unwrap();
        assert_eq!(warn.logs.len(), 1);
        let by_meta = l
            .query(&LogQuery {
                level: Some(Level::Debug),
                text: Some("API/RULES".into()),
                ..LogQuery::default()
            })
            .unwrap();
        assert_eq!(by_meta.logs[0].message, "second");
        let newest = l
            .query(&LogQuery {
                level: Some(Level::Debug),
                limit: Some(1),
                ..LogQuery::default()
            })
            .unwrap();
        assert_eq!(newest.logs[0].message, "third");
        l.log(Level::Error, "fourth", serde_json::Map::new());
        let after = l
            .query(&LogQuery {
                level: Some(Level::Debug),
                after: Some(all.next),
                ..LogQuery::default()
            })
            .unwrap();
        assert_eq!(after.logs.len(), 1);
        assert_eq!(after.logs[0].message, "fourth");
        assert!(
            l.query(&LogQuery {
                since: Some("5M".into()),
                ..LogQuery::default()
            })
            .is_err()
        );
    }
}
