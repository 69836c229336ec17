//! Alert rules: a metric (with label matchers) compared against a threshold for a duration.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::duration::PromDuration;
use super::validate;
use crate::error::{Error, Result};

/// How urgent an alert is; routes notifications and becomes the `severity` label.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The comparison between the metric value and the threshold.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    clap::ValueEnum,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Comparison {
    #[default]
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl Comparison {
    /// The PromQL operator.
    pub fn operator(self) -> &'static str {
        match self {
            Comparison::Gt => ">",
            Comparison::Ge => ">=",
            Comparison::Lt => "<",
            Comparison::Le => "<=",
            Comparison::Eq => "==",
            Comparison::Ne => "!=",
        }
    }

    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Gt => value > threshold,
            Comparison::Ge => value >= threshold,
            Comparison::Lt => value < threshold,
            Comparison::Le => value <= threshold,
            Comparison::Eq => value == threshold,
            Comparison::Ne => value != threshold,
        }
    }
}

/// The match operator of a label matcher, as in PromQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum MatchOp {
    #[serde(rename = "=")]
    Equal,
    #[serde(rename = "!=")]
    NotEqual,
    #[serde(rename = "=~")]
    Regex,
    #[serde(rename = "!~")]
    NotRegex,
}

impl MatchOp {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }
}

/// Label matchers one rule may have.
pub const MAX_MATCHERS: usize = 32;
/// Regular-expression matchers one request or rule file may bring: compiling them is the
/// costly part of accepting rules, so an API client cannot make the agent spend minutes.
pub const MAX_REGEX_MATCHERS: usize = 256;
/// The compiled size of one matcher's regular expression (the regex crate's default is
/// 10 MiB): real label patterns are a few KiB; `\w{40}` over Unicode is far larger.
const REGEX_SIZE_LIMIT: usize = 256 * 1024;

/// A label matcher `name=value`, `name!=value`, `name=~regex` or `name!~regex`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
}

impl Matcher {
    /// Parse `k=v`, `k!=v`, `k=~re`, `k!~re`.
    pub fn parse(text: &str) -> std::result::Result<Matcher, String> {
        const ALLOWED: &str = "a label matcher name=value, name!=value, name=~regex or name!~regex";
        let pos = text.find(['=', '!']).ok_or_else(|| ALLOWED.to_string())?;
        let name = &text[..pos];
        let rest = &text[pos..];
        let (op, value) = if let Some(v) = rest.strip_prefix("=~") {
            (MatchOp::Regex, v)
        } else if let Some(v) = rest.strip_prefix("!~") {
            (MatchOp::NotRegex, v)
        } else if let Some(v) = rest.strip_prefix("!=") {
            (MatchOp::NotEqual, v)
        } else if let Some(v) = rest.strip_prefix('=') {
            (MatchOp::Equal, v)
        } else {
            return Err(ALLOWED.into());
        };
        let matcher = Matcher {
            name: name.to_string(),
            op,
            value: value.to_string(),
        };
        matcher.check()?;
        Ok(matcher)
    }

    fn check(&self) -> std::result::Result<(), String> {
        validate::label_name(&self.name)?;
        if self.value.len() > 1024 || self.value.chars().any(char::is_control) {
            return Err("a label value of at most 1024 bytes without control characters".into());
        }
        if matches!(self.op, MatchOp::Regex | MatchOp::NotRegex) {
            // Anchored like Prometheus (RE2 semantics, which the regex crate shares).
            // The compiled size is bounded so that one matcher cannot cost seconds to build.
            regex::RegexBuilder::new(&format!("^(?:{})$", self.value))
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|_| {
                    format!(
                        "a valid regular expression after {} that compiles to at most {} KiB",
                        self.op.as_str(),
                        REGEX_SIZE_LIMIT / 1024
                    )
                })?;
        }
        Ok(())
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.name,
            self.op.as_str(),
            promql_string(&self.value)
        )
    }
}

/// Quote a string as a PromQL string literal.
pub fn promql_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An alert rule as stored, exported and served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertRule {
    pub name: String,
    pub metric: String,
    #[serde(default)]
    pub comparison: Comparison,
    pub threshold: f64,
    /// How long the condition must hold before the alert fires (Prometheus `for`).
    pub duration: PromDuration,
    pub severity: Severity,
    // Always serialised (empty or not): JSON consumers get a fixed set of fields.
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub labels: Vec<Matcher>,
}

impl AlertRule {
    /// Check every field; the error names the field as `prefix` + field name.
    pub fn validate(&self, field: impl Fn(&str) -> String) -> Result<()> {
        validate::rule_name(&self.name)
            .map_err(|a| Error::invalid(field("name"), &self.name, a))?;
        validate::metric_name(&self.metric)
            .map_err(|a| Error::invalid(field("metric"), &self.metric, a))?;
        validate::threshold_value(self.threshold)
            .map_err(|a| Error::invalid(field("threshold"), &self.threshold.to_string(), a))?;
        validate::free_text(&self.description)
            .map_err(|a| Error::invalid(field("description"), &self.description, a))?;
        if self.labels.len() > MAX_MATCHERS {
            return Err(Error::invalid(
                field("label"),
                &self.labels.len().to_string(),
                format!("at most {MAX_MATCHERS} label matchers per rule"),
            ));
        }
        for m in &self.labels {
            m.check()
                .map_err(|a| Error::invalid(field("label"), &m.to_string(), a))?;
        }
        Ok(())
    }

    /// How many of its matchers are regular expressions (each costs a compile).
    pub fn regex_matchers(&self) -> usize {
        self.labels
            .iter()
            .filter(|m| matches!(m.op, MatchOp::Regex | MatchOp::NotRegex))
            .count()
    }

    /// The PromQL expression this rule evaluates, e.g. `hivemind_node_cpu_usage{node="a"} > 90`.
    pub fn expr(&self) -> String {
        let selector = if self.labels.is_empty() {
            self.metric.clone()
        } else {
            let m: Vec<String> = self.labels.iter().map(Matcher::to_string).collect();
            format!("{}{{{}}}", self.metric, m.join(","))
        };
        format!(
            "{selector} {} {}",
            self.comparison.operator(),
            fmt_number(self.threshold)
        )
    }
}

/// Print a float as a plain decimal (`90`, `0.5`), never in exponent form.
pub fn fmt_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers() {
        let m = Matcher::parse("node=web-1").unwrap();
        assert_eq!(m.op, MatchOp::Equal);
        assert_eq!(m.to_string(), "node=\"web-1\"");
        assert_eq!(Matcher::parse("a!=b").unwrap().op, MatchOp::NotEqual);
        assert_eq!(Matcher::parse("a=~b.*").unwrap().op, MatchOp::Regex);
        assert_eq!(Matcher::parse("a!~b").unwrap().op, MatchOp::NotRegex);
        assert_eq!(Matcher::parse("a=").unwrap().value, "");
        for bad in [
            "novalue",
            "=v",
            "1a=b",
            "__name__=x",
            "a=~(",
            "a!b",
            "a=\nb",
        ] {
            assert!(Matcher::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn expr() {
        let rule = AlertRule {
            name: "high_cpu_usage".into(),
            metric: "hivemind_container_cpu_usage".into(),
            comparison: Comparison::Ge,
            threshold: 90.0,
            duration: PromDuration::from_secs(300),
            severity: Severity::Warning,
            description: String::new(),
            labels: vec![Matcher::parse("name=~\"web.*").unwrap()],
        };
        assert_eq!(
            rule.expr(),
            r#"hivemind_container_cpu_usage{name=~"\"web.*"} >= 90"#
        );
        assert_eq!(fmt_number(0.5), "0.5");
        assert_eq!(fmt_number(-3.0), "-3");
    }
}
