//! Output: tables for people, JSON/YAML for scripts, and the stderr channel for warnings and
//! progress. This is the only module that writes to stdout.

use std::io::{IsTerminal, Write};

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use serde::Serialize;

use crate::error::{Error, Result};

/// `-o/--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Human-readable tables.
    #[default]
    Table,
    /// JSON (documented, stable field names).
    Json,
    /// YAML (same structure as JSON).
    Yaml,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when the stream is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Decide once per stream.
    pub fn enabled_for(self, is_tty: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_tty
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        }
    }
}

/// A command's result: serialisable for JSON/YAML, and able to draw itself for people.
pub trait Report: Serialize {
    /// The human form; `style` says whether colour is on and how wide the screen is.
    fn human(&self, style: &Style) -> String;
}

/// How human output is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub tty: bool,
}

impl Style {
    /// A table with our look: no borders, upper-case headers (like kubectl).
    pub fn table(&self, headers: &[&str]) -> Table {
        let mut t = Table::new();
        t.load_style(presets::NOTHING);
        if self.color {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        t.set_content_arrangement(if self.tty {
            ContentArrangement::Dynamic
        } else {
            ContentArrangement::Disabled
        });
        t.set_header(headers.iter().map(Cell::new));
        // Tables without borders still pad cells by one space each side; trim the left.
        for col in t.column_iter_mut() {
            col.set_padding((0, 2));
        }
        t
    }

    /// A status cell coloured green/red/yellow.
    pub fn status_cell(&self, status: &str) -> Cell {
        let cell = Cell::new(status);
        if !self.color {
            return cell;
        }
        match status {
            "healthy" | "ok" => cell.fg(Color::Green),
            "unhealthy" | "failed" | "error" => cell.fg(Color::Red),
            _ => cell.fg(Color::Yellow),
        }
    }
}

/// Writes reports to stdout and messages to stderr.
#[derive(Debug, Clone)]
pub struct Ui {
    pub format: Format,
    pub stdout_style: Style,
    stderr_color: bool,
    pub quiet: bool,
    pub verbose: u8,
    silent: bool,
    /// Set in the daemon: messages become structured log records (stderr JSON, the ring of
    /// recent logs, and Elasticsearch when configured).
    logger: Option<std::sync::Arc<crate::telemetry::Logger>>,
}

impl Ui {
    pub fn new(format: Format, color: ColorChoice, quiet: bool, verbose: u8) -> Self {
        let out_tty = std::io::stdout().is_terminal();
        let err_tty = std::io::stderr().is_terminal();
        Ui {
            format,
            stdout_style: Style {
                color: color.enabled_for(out_tty),
                tty: out_tty,
            },
            stderr_color: color.enabled_for(err_tty),
            quiet,
            verbose,
            silent: false,
            logger: None,
        }
    }

    /// A UI that prints nothing (library use and unit tests).
    pub fn silent() -> Self {
        Ui {
            format: Format::Json,
            stdout_style: Style {
                color: false,
                tty: false,
            },
            stderr_color: false,
            quiet: true,
            verbose: 0,
            silent: true,
            logger: None,
        }
    }

    /// The daemon's UI: every message is a structured log record (see
    /// [`crate::telemetry::log`]), and status lines are always on.
    pub fn for_daemon(mut self, logger: std::sync::Arc<crate::telemetry::Logger>) -> Self {
        self.logger = Some(logger);
        self.stderr_color = false;
        self.quiet = false;
        self
    }

    /// A structured record with metadata: in the daemon, the log; elsewhere a status,
    /// warning or debug line by level.
    pub fn log(
        &self,
        level: crate::model::Level,
        message: &str,
        metadata: serde_json::Map<String, serde_json::Value>,
    ) {
        use crate::model::Level;
        match &self.logger {
            Some(l) => l.log(level, message, metadata),
            None => match level {
                Level::Error | Level::Warning => self.warn(message),
                Level::Info => self.status(message),
                Level::Debug | Level::Trace => self.debug(message),
            },
        }
    }

    /// Whether a record at `level` goes anywhere (to skip building costly messages).
    pub fn logs(&self, level: crate::model::Level) -> bool {
        match &self.logger {
            Some(l) => l.enabled(level),
            None => !self.silent && (level <= crate::model::Level::Info || self.verbose > 0),
        }
    }

    /// Print a report in the chosen format. A closed pipe (`| head`) is not an error.
    pub fn emit<R: Report>(&self, report: &R) -> Result<()> {
        if self.silent {
            return Ok(());
        }
        let text = match self.format {
            Format::Table => {
                // Borderless tables pad every cell; drop the trailing blanks.
                let mut t: String = report
                    .human(&self.stdout_style)
                    .lines()
                    .map(|l| format!("{}\n", l.trim_end()))
                    .collect();
                if t.trim().is_empty() {
                    t.clear();
                }
                t
            }
            Format::Json => {
                let mut t = serde_json::to_string_pretty(report)
                    .map_err(|e| Error::Other(format!("encoding JSON: {e}")))?;
                t.push('\n');
                t
            }
            Format::Yaml => yaml_serde::to_string(report)
                .map_err(|e| Error::Other(format!("encoding YAML: {e}")))?,
        };
        write_stdout(text.as_bytes())
    }

    /// A status line for people ("alert rule x created"), or an info record in the daemon:
    /// stderr, suppressed by `-q`.
    pub fn status(&self, message: &str) {
        if !self.quiet && !self.silent {
            self.stderr_line("info", "", message);
        }
    }

    /// A warning: stderr, always (even with `-q`), prefixed `warning:`.
    pub fn warn(&self, message: &str) {
        if !self.silent {
            let prefix = if self.stderr_color {
                "\x1b[33mwarning:\x1b[0m "
            } else {
                "warning: "
            };
            self.stderr_line("warning", prefix, message);
        }
    }

    /// Debug detail shown with `-v`.
    pub fn debug(&self, message: &str) {
        if let Some(l) = &self.logger {
            l.log(crate::model::Level::Debug, message, serde_json::Map::new());
            return;
        }
        if self.verbose > 0 && !self.silent {
            self.stderr_line("debug", "debug: ", message);
        }
    }

    /// Print an error and its causes, once, at the top level.
    pub fn error(&self, err: &Error) {
        let mut message = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            message.push_str(&format!("\n  caused by: {cause}"));
            source = cause.source();
        }
        let prefix = if self.stderr_color {
            "\x1b[31merror:\x1b[0m "
        } else {
            "error: "
        };
        self.stderr_line("error", prefix, &message);
    }

    fn stderr_line(&self, level: &str, prefix: &str, message: &str) {
        if let Some(logger) = &self.logger {
            let level = crate::model::Level::parse(level).unwrap_or(crate::model::Level::Info);
            logger.log(level, message, serde_json::Map::new());
            return;
        }
        let _ = std::io::stderr().write_all(format!("{prefix}{message}\n").as_bytes());
    }
}

/// Write to stdout; a broken pipe counts as success (the reader has what it wanted).
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("writing to stdout", e)),
    }
}
