//! Go `text/template` as Prometheus uses it for alert labels and annotations: a parser with
//! errors naming line and column, and a renderer that prints what Prometheus prints
//! (`{{ $value }}` in Go's float format, `humanize`, `humanizePercentage`,
//! `humanizeDuration`, `printf`, ...), so an alert reads the same from the agent and through
//! Prometheus and Alertmanager.
//!
//! The subset: text, comments, trim markers (`{{-`, `-}}`), pipelines with `|`, variables
//! (`$labels`, `$value`, `$externalLabels`, `$externalURL`, `$`, and `$x := …`), fields
//! (`.Labels.instance`, `$labels.instance`), string, number and boolean constants,
//! parenthesised pipelines, `if`/`else if`/`else`/`end`, `range $k, $v := …` over labels, and
//! the functions listed in [`FUNCTIONS`]. Anything else is a parse error, never silently text.
//! There is no `query` function: the agent has no Prometheus to ask.

mod format;
mod parse;
mod render;

use std::collections::BTreeMap;

pub use format::{go_float, humanize, humanize_duration, humanize_percentage};
pub use parse::{Template, parse};

/// The functions a template may call.
pub const FUNCTIONS: &[&str] = &[
    "and",
    "eq",
    "ge",
    "gt",
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "index",
    "le",
    "len",
    "lt",
    "ne",
    "not",
    "or",
    "print",
    "printf",
    "println",
    "reReplaceAll",
    "stripPort",
    "title",
    "toLower",
    "toUpper",
];

/// What a rule's templates see: the alert's labels and value.
#[derive(Debug, Clone, Default)]
pub struct Data {
    pub labels: BTreeMap<String, String>,
    pub external_labels: BTreeMap<String, String>,
    pub external_url: String,
    pub value: f64,
}

/// Expand `text` as Prometheus does: on an error the result is
/// `<error expanding template: …>`, as Prometheus shows it.
pub fn expand(name: &str, text: &str, data: &Data) -> String {
    match parse(text) {
        Ok(t) => match t.render(data) {
            Ok(s) => s,
            Err(e) => format!("<error expanding template: template: {name}: {e}>"),
        },
        Err(e) => format!("<error expanding template: template: {name}: {e}>"),
    }
}

#[cfg(test)]
mod tests;
