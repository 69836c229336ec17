//! The notice sink: status lines, warnings, debug detail and errors — everything that is not
//! a command's data. For the CLI they are lines on stderr; in the daemon they are structured
//! log records (its stderr JSON, the ring behind `/api/logs`, Elasticsearch when configured).
//! Which one is decided once, at the top (`lib.rs` for the CLI, the daemon's start), and the
//! value is passed down; nothing below asks the terminal anything.

use std::io::Write;
use std::sync::Arc;

use crate::error::Error;
use crate::model::Level;

/// Extra fields of a structured record.
pub type Fields = serde_json::Map<String, serde_json::Value>;

/// Where the daemon's records go (the telemetry logger implements it).
pub trait LogSink: Send + Sync {
    fn log(&self, level: Level, message: &str, fields: Fields);
    /// Whether a record at `level` goes anywhere (to skip building costly messages).
    fn enabled(&self, level: Level) -> bool;
}

#[derive(Clone)]
enum Out {
    /// Nothing is printed (library use and unit tests).
    Silent,
    /// Lines on stderr, `warning:`/`error:` in colour when `color`.
    Terminal { color: bool },
    /// Structured records.
    Log(Arc<dyn LogSink>),
}

/// Status, warnings, debug detail and errors, for people or for the log.
#[derive(Clone)]
pub struct Messages {
    out: Out,
    quiet: bool,
    verbose: u8,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let out = match self.out {
            Out::Silent => "silent",
            Out::Terminal { .. } => "terminal",
            Out::Log(_) => "log",
        };
        f.debug_struct("Messages")
            .field("out", &out)
            .field("quiet", &self.quiet)
            .field("verbose", &self.verbose)
            .finish()
    }
}

impl Messages {
    /// The CLI's messages: stderr; `color` was decided for stderr at the top.
    pub fn terminal(color: bool, quiet: bool, verbose: u8) -> Self {
        Messages {
            out: Out::Terminal { color },
            quiet,
            verbose,
        }
    }

    /// Messages that go nowhere.
    pub fn silent() -> Self {
        Messages {
            out: Out::Silent,
            quiet: true,
            verbose: 0,
        }
    }

    /// The daemon's messages: every one is a structured record, status lines included.
    pub fn to_log(&self, sink: Arc<dyn LogSink>) -> Self {
        Messages {
            out: Out::Log(sink),
            quiet: false,
            verbose: self.verbose,
        }
    }

    /// `-q`: status lines are suppressed.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// How many `-v` were given.
    pub fn verbose(&self) -> u8 {
        self.verbose
    }

    /// A status line for people ("alert rule x created"), or an info record in the daemon;
    /// suppressed by `-q`.
    pub fn status(&self, message: &str) {
        if !self.quiet {
            self.emit(Level::Info, "", message);
        }
    }

    /// A warning, shown even with `-q`.
    pub fn warn(&self, message: &str) {
        self.emit(Level::Warning, "warning:", message);
    }

    /// Detail shown with `-v` (a debug record in the daemon).
    pub fn debug(&self, message: &str) {
        if self.verbose > 0 || matches!(self.out, Out::Log(_)) {
            self.emit(Level::Debug, "debug:", message);
        }
    }

    /// An error that ends the command: printed once, at the top, as one line with its causes
    /// folded in; with `-v`, each step of the chain follows on a line of its own.
    pub fn error(&self, err: &Error) {
        let mut message = err.to_string();
        if self.verbose > 0 {
            for cause in err.chain().iter().skip(1) {
                message.push_str(&format!("\n  caused by: {cause}"));
            }
        }
        self.emit(Level::Error, "error:", &message);
    }

    /// A record with fields: in the daemon, the log; elsewhere a status, warning or debug
    /// line by level.
    pub fn log(&self, level: Level, message: &str, fields: Fields) {
        match &self.out {
            Out::Log(sink) => sink.log(level, message, fields),
            _ => match level {
                Level::Error | Level::Warning => self.warn(message),
                Level::Info => self.status(message),
                Level::Debug | Level::Trace => self.debug(message),
            },
        }
    }

    /// An audit record: `who` (a client address or the local socket) did `action` with
    /// `result`. Refusals and failures are warnings. In the daemon the record carries
    /// `metadata.log_type = "audit"` and ships with the rest; `observability logs --audit`
    /// shows only these.
    pub fn audit(&self, who: &str, action: &str, result: &str, ok: bool) {
        let mut fields = Fields::new();
        fields.insert("log_type".into(), "audit".into());
        fields.insert(
            "audit".into(),
            serde_json::json!({"who": who, "action": action, "result": result}),
        );
        let level = if ok { Level::Info } else { Level::Warning };
        self.log(level, &format!("{action}: {result} (audit: {who})"), fields);
    }

    /// Whether a record at `level` goes anywhere (to skip building costly messages).
    pub fn logs(&self, level: Level) -> bool {
        match &self.out {
            Out::Log(sink) => sink.enabled(level),
            Out::Silent => false,
            Out::Terminal { .. } => level <= Level::Info || self.verbose > 0,
        }
    }

    /// Write one notice. On the terminal it is redacted here (every secret the process
    /// knows, URL credentials): notices quote errors, and errors quote peers. The daemon's
    /// log redacts its records itself (`telemetry::Logger`).
    fn emit(&self, level: Level, prefix: &str, message: &str) {
        match &self.out {
            Out::Silent => {}
            Out::Log(sink) => sink.log(level, message, Fields::new()),
            Out::Terminal { color } => {
                let message = crate::redact::redact(message);
                let prefix = match (prefix, color) {
                    ("", _) => String::new(),
                    ("warning:", true) => "\x1b[33mwarning:\x1b[0m ".into(),
                    ("error:", true) => "\x1b[31merror:\x1b[0m ".into(),
                    (p, _) => format!("{p} "),
                };
                let _ = std::io::stderr().write_all(format!("{prefix}{message}\n").as_bytes());
            }
        }
    }
}
