//! Alert rules: a PromQL expression that must hold for a duration, with labels and
//! annotations; the seed's flag form (a metric against a threshold) is sugar for one.

use std::collections::BTreeMap;
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

/// The seed's flag form: one metric against one threshold (`--metric m --comparison gt
/// --threshold 90` is the expression `m > 90`).
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub metric: String,
    pub comparison: Comparison,
    pub threshold: f64,
    /// Series selectors (`--label name=~web.*`).
    pub matchers: Vec<Matcher>,
}

impl Threshold {
    /// `hivemind_node_count{node="a"} > 90` (the metric as written).
    pub fn expr(&self) -> String {
        let selector = if self.matchers.is_empty() {
            self.metric.clone()
        } else {
            let m: Vec<String> = self.matchers.iter().map(Matcher::to_string).collect();
            format!("{}{{{}}}", self.metric, m.join(","))
        };
        format!(
            "{selector} {} {}",
            self.comparison.operator(),
            fmt_number(self.threshold)
        )
    }
}

/// The metric whose flag-form rules mean liveness: `hivemind_node_status` is 1 while the
/// agent runs and absent when it does not, so any threshold rule on it is a node-down rule.
pub const LIVENESS_METRIC: &str = "hivemind_node_status";

/// Labels an alert may not set itself.
const RESERVED_LABELS: [&str; 2] = ["alertname", "severity"];
/// Alert labels and annotations one rule may carry.
pub const MAX_ANNOTATIONS: usize = 32;
/// The longest annotation (a template) accepted.
pub const MAX_ANNOTATION_BYTES: usize = 4096;

/// An alert rule as stored, exported and served: a name, a PromQL expression, how long it
/// must hold (`for`), a severity, and the labels and annotations of its alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(try_from = "RuleWire", into = "RuleWire")]
pub struct AlertRule {
    pub name: String,
    /// PromQL; for the flag form, generated from it.
    pub expr: String,
    /// How long the condition must hold before the alert fires (Prometheus `for`).
    pub duration: PromDuration,
    pub severity: Severity,
    pub description: String,
    /// Set when the rule was written in the seed's flag form.
    pub threshold: Option<Threshold>,
    /// Labels added to every alert of the rule (values may be templates).
    pub labels: BTreeMap<String, String>,
    /// Annotations: Go templates as Prometheus renders them (`{{ $labels.node }}`).
    pub annotations: BTreeMap<String, String>,
}

/// The JSON/YAML form: the flag form's fields (`metric`, `comparison`, `threshold`, `labels`
/// as matchers) appear only for rules written that way; `expr` always.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RuleWire {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    metric: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    comparison: Option<Comparison>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    threshold: Option<f64>,
    duration: PromDuration,
    severity: Severity,
    // Always serialised (empty or not): JSON consumers get a fixed set of fields.
    #[serde(default)]
    description: String,
    #[serde(default)]
    labels: Vec<Matcher>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    alert_labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<String, String>,
}

impl TryFrom<RuleWire> for AlertRule {
    type Error = String;

    fn try_from(w: RuleWire) -> std::result::Result<Self, String> {
        let threshold = match (w.metric, w.threshold) {
            (Some(metric), Some(threshold)) => Some(Threshold {
                metric,
                comparison: w.comparison.unwrap_or_default(),
                threshold,
                matchers: w.labels,
            }),
            (None, None) => {
                if w.comparison.is_some() || !w.labels.is_empty() {
                    return Err(format!(
                        "rule {}: comparison and labels (matchers) belong to the metric/threshold form; with expr, write them into the expression",
                        w.name
                    ));
                }
                None
            }
            _ => {
                return Err(format!(
                    "rule {}: metric and threshold go together (or give expr alone)",
                    w.name
                ));
            }
        };
        let expr = match (&threshold, w.expr) {
            (Some(t), Some(e)) if e != t.expr() => {
                return Err(format!(
                    "rule {}: expr {} differs from its metric/threshold form ({}); give one of them",
                    w.name,
                    crate::error::quote(&e),
                    t.expr()
                ));
            }
            (Some(t), _) => t.expr(),
            (None, Some(e)) => e,
            (None, None) => {
                return Err(format!(
                    "rule {}: needs expr (PromQL) or metric and threshold",
                    w.name
                ));
            }
        };
        Ok(AlertRule {
            name: w.name,
            expr,
            duration: w.duration,
            severity: w.severity,
            description: w.description,
            threshold,
            labels: w.alert_labels,
            annotations: w.annotations,
        })
    }
}

impl From<AlertRule> for RuleWire {
    fn from(r: AlertRule) -> Self {
        let (metric, comparison, threshold, labels) = match r.threshold {
            Some(t) => (
                Some(t.metric),
                Some(t.comparison),
                Some(t.threshold),
                t.matchers,
            ),
            None => (None, None, None, Vec::new()),
        };
        RuleWire {
            name: r.name,
            expr: Some(r.expr),
            metric,
            comparison,
            threshold,
            duration: r.duration,
            severity: r.severity,
            description: r.description,
            labels,
            alert_labels: r.labels,
            annotations: r.annotations,
        }
    }
}

impl AlertRule {
    /// A rule in the seed's flag form.
    pub fn from_threshold(
        name: String,
        threshold: Threshold,
        duration: PromDuration,
        severity: Severity,
        description: String,
    ) -> AlertRule {
        AlertRule {
            name,
            expr: threshold.expr(),
            duration,
            severity,
            description,
            threshold: Some(threshold),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
        }
    }

    /// A rule written as PromQL.
    pub fn from_expr(
        name: String,
        expr: String,
        duration: PromDuration,
        severity: Severity,
    ) -> AlertRule {
        AlertRule {
            name,
            expr,
            duration,
            severity,
            description: String::new(),
            threshold: None,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
        }
    }

    /// A flag-form rule on [`LIVENESS_METRIC`]: it means "the node is down", whatever its
    /// comparison (see `alerting::liveness`).
    pub fn is_liveness(&self) -> bool {
        self.threshold
            .as_ref()
            .is_some_and(|t| t.metric == LIVENESS_METRIC)
    }

    /// Check every field; the error names the field as `prefix` + field name. Templates are
    /// checked by the alerting module (which renders them).
    pub fn validate(&self, field: impl Fn(&str) -> String) -> Result<()> {
        self.validate_with_cap(field, super::expr::MAX_RANGE)
    }

    /// [`AlertRule::validate`] with another look-back cap: `test-rules` holds its whole input
    /// in memory, so it accepts the ranges Prometheus accepts ([`super::expr::OFFLINE_RANGE`]).
    pub fn validate_with_cap(
        &self,
        field: impl Fn(&str) -> String,
        cap: std::time::Duration,
    ) -> Result<()> {
        validate::rule_name(&self.name)
            .map_err(|a| Error::invalid(field("name"), &self.name, a))?;
        if let Some(t) = &self.threshold {
            validate::metric_name(&t.metric)
                .map_err(|a| Error::invalid(field("metric"), &t.metric, a))?;
            validate::threshold_value(t.threshold)
                .map_err(|a| Error::invalid(field("threshold"), &t.threshold.to_string(), a))?;
            if t.matchers.len() > MAX_MATCHERS {
                return Err(Error::invalid(
                    field("label"),
                    &t.matchers.len().to_string(),
                    format!("at most {MAX_MATCHERS} label matchers per rule"),
                ));
            }
            for m in &t.matchers {
                m.check()
                    .map_err(|a| Error::invalid(field("label"), &m.to_string(), a))?;
            }
        }
        super::expr::parse_with_cap(&self.expr, cap)
            .map_err(|a| Error::invalid(field("expr"), &self.expr, a))?;
        validate::free_text(&self.description)
            .map_err(|a| Error::invalid(field("description"), &self.description, a))?;
        if self.labels.len() > MAX_ANNOTATIONS || self.annotations.len() > MAX_ANNOTATIONS {
            return Err(Error::invalid(
                field("labels"),
                &(self.labels.len().max(self.annotations.len())).to_string(),
                format!(
                    "at most {MAX_ANNOTATIONS} labels and {MAX_ANNOTATIONS} annotations per rule"
                ),
            ));
        }
        for (k, v) in &self.labels {
            let f = field(&format!("labels.{k}"));
            validate::label_name(k).map_err(|a| Error::invalid(&f, k, a))?;
            if RESERVED_LABELS.contains(&k.as_str()) {
                return Err(Error::invalid(
                    &f,
                    k,
                    "a label other than alertname (the rule name) and severity (--severity)",
                ));
            }
            text_value(v, 1024).map_err(|a| Error::invalid(&f, v, a))?;
        }
        for (k, v) in &self.annotations {
            let f = field(&format!("annotations.{k}"));
            validate::label_name(k).map_err(|a| Error::invalid(&f, k, a))?;
            text_value(v, MAX_ANNOTATION_BYTES).map_err(|a| Error::invalid(&f, v, a))?;
            if k == super::profile::CAPTURE_ANNOTATION {
                super::profile::CaptureSpec::parse(v).map_err(|a| Error::invalid(&f, v, a))?;
            }
        }
        Ok(())
    }

    /// The profile to take when an alert of this rule starts firing (`--capture-profile`).
    pub fn capture(&self) -> Option<super::profile::CaptureSpec> {
        self.annotations
            .get(super::profile::CAPTURE_ANNOTATION)
            .and_then(|v| super::profile::CaptureSpec::parse(v).ok())
    }

    /// How many of its flag-form matchers are regular expressions (each costs a compile).
    pub fn regex_matchers(&self) -> usize {
        let flags = self.threshold.as_ref().map_or(0, |t| {
            t.matchers
                .iter()
                .filter(|m| matches!(m.op, MatchOp::Regex | MatchOp::NotRegex))
                .count()
        });
        let in_expr = self.expr.matches("=~").count() + self.expr.matches("!~").count();
        flags.max(in_expr)
    }
}

/// A label value or annotation: bounded, no control characters but newlines and tabs.
fn text_value(v: &str, max: usize) -> std::result::Result<(), String> {
    if v.len() > max {
        return Err(format!("text of at most {max} bytes"));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("text without control characters (newlines and tabs are fine)".into());
    }
    Ok(())
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
        let rule = AlertRule::from_threshold(
            "high_cpu_usage".into(),
            Threshold {
                metric: "hivemind_container_cpu_usage".into(),
                comparison: Comparison::Ge,
                threshold: 90.0,
                matchers: vec![Matcher::parse("name=~\"web.*").unwrap()],
            },
            PromDuration::from_secs(300),
            Severity::Warning,
            String::new(),
        );
        assert_eq!(
            rule.expr,
            r#"hivemind_container_cpu_usage{name=~"\"web.*"} >= 90"#
        );
        assert!(rule.validate(|f| f.to_string()).is_ok());
        assert_eq!(fmt_number(0.5), "0.5");
        assert_eq!(fmt_number(-3.0), "-3");
        // The wire form round-trips, and old state (no expr) still loads.
        let json = serde_json::to_value(&rule).unwrap();
        assert_eq!(json["expr"], rule.expr.as_str());
        let back: AlertRule = serde_json::from_value(json).unwrap();
        assert_eq!(back, rule);
        let old: AlertRule = serde_json::from_str(
            r#"{"name":"a","metric":"m","threshold":1,"duration":"1m","severity":"info","description":"","labels":[]}"#,
        )
        .unwrap();
        assert_eq!(old.expr, "m > 1");
        for bad in [
            r#"{"name":"a","duration":"1m","severity":"info"}"#,
            r#"{"name":"a","metric":"m","duration":"1m","severity":"info"}"#,
            r#"{"name":"a","metric":"m","threshold":1,"expr":"m < 1","duration":"1m","severity":"info"}"#,
            r#"{"name":"a","expr":"m","comparison":"lt","duration":"1m","severity":"info"}"#,
        ] {
            assert!(serde_json::from_str::<AlertRule>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn expression_rules_validate() {
        let mut r = AlertRule::from_expr(
            "x".into(),
            "rate(a[5m]) > 1".into(),
            PromDuration::from_secs(0),
            Severity::Info,
        );
        assert!(r.validate(|f| f.to_string()).is_ok());
        r.labels.insert("alertname".into(), "y".into());
        assert!(r.validate(|f| f.to_string()).is_err());
        r.labels.clear();
        r.expr = "rate(a[5m]".into();
        let e = r.validate(|f| f.to_string()).unwrap_err().to_string();
        assert!(e.contains("expr") && e.contains("column"), "{e}");
    }
}
