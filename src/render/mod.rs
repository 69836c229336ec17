//! Output: tables for people, JSON/YAML for scripts, and progress on stderr. This is the only
//! module that writes to stdout; notices (status, warnings, errors) go through
//! [`crate::messages`].

use std::io::Write;

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

    /// Key/value rows as a two-column `SETTING VALUE` table.
    pub fn kv_table(&self, rows: &[(&str, String)]) -> String {
        let mut t = self.table(&["SETTING", "VALUE"]);
        for (k, v) in rows {
            t.add_row(vec![k.to_string(), v.clone()]);
        }
        t.to_string()
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

/// What the terminal is, asked once at the top (`lib.rs`) and passed down as a value: nothing
/// below decides by itself whether a stream is a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    pub stdout_tty: bool,
    pub stderr_tty: bool,
}

/// Writes reports to stdout in the chosen format: the only writer of data.
#[derive(Debug, Clone)]
pub struct Printer {
    pub format: Format,
    pub style: Style,
}

impl Printer {
    pub fn new(format: Format, style: Style) -> Self {
        Printer { format, style }
    }

    /// Print a report in the chosen format. A closed pipe (`| head`) is not an error.
    pub fn emit<R: Report>(&self, report: &R) -> Result<()> {
        write_stdout(self.text(report)?.as_bytes())
    }

    /// The report as the chosen format would print it.
    pub fn text<R: Report>(&self, report: &R) -> Result<String> {
        Ok(match self.format {
            Format::Table => {
                // Borderless tables pad every cell; drop the trailing blanks.
                let mut t: String = report
                    .human(&self.style)
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
                    .map_err(|e| Error::caused("encoding JSON", e))?;
                t.push('\n');
                t
            }
            Format::Yaml => {
                yaml_serde::to_string(report).map_err(|e| Error::caused("encoding YAML", e))?
            }
        })
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
