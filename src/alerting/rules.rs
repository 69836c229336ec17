//! What a stored rule means to the agent and to Prometheus: the expression both evaluate
//! (seed metric names mapped, liveness rules rewritten), who evaluates it (the node, or
//! Prometheus only, and why), its label and annotation templates, and the checks run when a
//! rule is created (templates parse, metrics the agent exposes).
//!
//! Liveness: a flag-form rule on `hivemind_node_status` (the seed's `node_down`, whatever it
//! is called and whatever its comparison) means "this node is down". The agent cannot see
//! itself down (when it is down it evaluates nothing), so the node never evaluates it; it is
//! exported as `up == 0` joined with the node's last `hivemind_node_status` series, which a
//! Prometheus scraping the agent turns into a `node_down` alert carrying the `node` label.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use promql_parser::parser::Expr;

use super::promql;
use super::template;
use crate::metrics::{canonical_name, catalogue};
use crate::model::rule::{LIVENESS_METRIC, fmt_number};
use crate::model::{AlertRule, expr};

/// How far back a liveness rule looks for the node's name: a node whose agent has not been
/// scraped for this long is no longer alerted on.
pub const LIVENESS_WINDOW: &str = "1d";

/// Who evaluates a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvaluatedBy {
    /// The agent, after every collection (and Prometheus, from the export).
    Node,
    /// Prometheus only, from the exported rules; the reason says why.
    Prometheus(String),
}

impl EvaluatedBy {
    pub fn as_str(&self) -> &'static str {
        match self {
            EvaluatedBy::Node => "node",
            EvaluatedBy::Prometheus(_) => "prometheus",
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            EvaluatedBy::Node => None,
            EvaluatedBy::Prometheus(r) => Some(r),
        }
    }
}

/// The PromQL Prometheus evaluates for `rule` (and the node, when it evaluates it).
pub fn effective_expr(rule: &AlertRule) -> String {
    match &rule.threshold {
        Some(t) if t.metric == LIVENESS_METRIC => {
            let selector = if t.matchers.is_empty() {
                LIVENESS_METRIC.to_string()
            } else {
                let m: Vec<String> = t.matchers.iter().map(ToString::to_string).collect();
                format!("{LIVENESS_METRIC}{{{}}}", m.join(","))
            };
            format!(
                "(up == 0) * on(instance, job) group_left(node) max by (instance, job, node) (max_over_time({selector}[{LIVENESS_WINDOW}]))"
            )
        }
        Some(t) => {
            let metric = canonical_name(&t.metric);
            let selector = if t.matchers.is_empty() {
                metric.to_string()
            } else {
                let m: Vec<String> = t.matchers.iter().map(ToString::to_string).collect();
                format!("{metric}{{{}}}", m.join(","))
            };
            format!(
                "{selector} {} {}",
                t.comparison.operator(),
                fmt_number(t.threshold)
            )
        }
        None => rule.expr.clone(),
    }
}

/// Text that Go's templating must print as is: `{{` starts an action, so it is written as an
/// action printing `{{`.
pub fn template_literal(text: &str) -> String {
    text.replace("{{", "{{ \"{{\" }}")
}

/// The description of a flag-form rule that has none: its condition and duration.
pub fn default_description(rule: &AlertRule) -> String {
    format!("{} for {}", effective_expr(rule), rule.duration)
}

/// The annotation templates of `rule`'s alerts, as exported and as rendered by the agent.
/// Flag-form rules get a `summary` (the metric, its humanized value and the condition) and a
/// `description` (the rule's, or the condition spelled out); `description` (plain text) is
/// added to expression rules when set; the rule's own annotations win.
pub fn annotation_templates(rule: &AlertRule) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match &rule.threshold {
        Some(t) if t.metric == LIVENESS_METRIC => {
            out.insert(
                "summary".into(),
                "node {{ $labels.node }} is down: Prometheus cannot scrape its agent at {{ $labels.instance }}".into(),
            );
        }
        Some(t) => {
            out.insert(
                "summary".into(),
                format!(
                    "{} is {{{{ $value | humanize }}}} ({} {})",
                    canonical_name(&t.metric),
                    t.comparison.operator(),
                    fmt_number(t.threshold)
                ),
            );
        }
        None => {}
    }
    if !rule.description.is_empty() {
        out.insert("description".into(), template_literal(&rule.description));
    } else if rule.threshold.is_some() {
        out.insert(
            "description".into(),
            template_literal(&default_description(rule)),
        );
    }
    for (k, v) in &rule.annotations {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// A rule ready to evaluate: its parsed expression and templates.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub rule: AlertRule,
    pub by: EvaluatedBy,
    /// Set when the node evaluates it.
    pub expr: Option<Expr>,
    /// Templates, or the text Prometheus shows for one that does not parse.
    pub labels: Vec<(String, Result<template::Template, String>)>,
    pub annotations: Vec<(String, Result<template::Template, String>)>,
    /// The longest look-back of its selectors.
    pub lookback: Duration,
    pub metrics: Vec<String>,
}

/// Where rules are evaluated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// On the agent: over the metrics it exposes; liveness rules are left to Prometheus.
    #[default]
    Agent,
    /// `test-rules`: over any series the test gives, liveness rules as exported.
    Offline,
}

/// Who evaluates `rule`, with its parsed effective expression.
fn classify(rule: &AlertRule, mode: Mode) -> (EvaluatedBy, Option<Expr>) {
    if rule.is_liveness() && mode == Mode::Agent {
        return (
            EvaluatedBy::Prometheus(
                "liveness: the node cannot see itself down; Prometheus alerts on its target's up"
                    .into(),
            ),
            None,
        );
    }
    let text = effective_expr(rule);
    // Liveness expressions look back a day; only Prometheus (or test-rules) evaluates them.
    let cap = if rule.is_liveness() || mode == Mode::Offline {
        expr::OFFLINE_RANGE
    } else {
        expr::MAX_RANGE
    };
    let parsed = match expr::parse_with_cap(&text, cap) {
        Ok(e) => e,
        Err(e) => {
            return (
                EvaluatedBy::Prometheus(format!("invalid expression: {e}")),
                None,
            );
        }
    };
    if let Err(part) = promql::node_support(&parsed) {
        return (
            EvaluatedBy::Prometheus(format!("{part} is not evaluated on the node")),
            None,
        );
    }
    if mode == Mode::Offline {
        return (EvaluatedBy::Node, Some(parsed));
    }
    if let Some(name) = nameless_selector(&parsed) {
        return (EvaluatedBy::Prometheus(name), None);
    }
    let unknown: Vec<String> = expr::metric_names(&parsed)
        .into_iter()
        .filter(|n| !catalogue::exposes(n))
        .collect();
    if !unknown.is_empty() {
        return (
            EvaluatedBy::Prometheus(format!(
                "{} not exposed by the agent",
                plural_metrics(&unknown)
            )),
            None,
        );
    }
    (EvaluatedBy::Node, Some(parsed))
}

fn plural_metrics(names: &[String]) -> String {
    if names.len() == 1 {
        format!("metric {}", names[0])
    } else {
        format!("metrics {}", names.join(", "))
    }
}

fn nameless_selector(e: &Expr) -> Option<String> {
    expr::first(e, &|n| match n {
        Expr::VectorSelector(vs) => vs.name.is_none(),
        Expr::MatrixSelector(m) => m.vs.name.is_none(),
        _ => false,
    })
    .map(|_| "a selector without a metric name".to_string())
}

/// Who evaluates `rule`.
pub fn evaluated_by(rule: &AlertRule) -> EvaluatedBy {
    classify(rule, Mode::Agent).0
}

/// Whether `test-rules` can evaluate `rule`: the part it cannot, if any.
pub fn offline_support(rule: &AlertRule) -> Result<(), String> {
    match classify(rule, Mode::Offline).0 {
        EvaluatedBy::Node => Ok(()),
        EvaluatedBy::Prometheus(why) => Err(why),
    }
}

/// Prepare `rule` for evaluation. Templates that do not parse are rendered as Prometheus
/// renders them (`<error expanding template: …>`); [`check`] refuses them on creation.
pub fn prepare(rule: &AlertRule, mode: Mode) -> Prepared {
    let (by, parsed) = classify(rule, mode);
    type Compiled = Vec<(String, Result<template::Template, String>)>;
    let compile = |map: &BTreeMap<String, String>| -> Compiled {
        map.iter()
            .map(|(k, v)| {
                let t = template::parse(v).map_err(|e| {
                    format!(
                        "<error expanding template: template: __alert_{}:{e}>",
                        rule.name
                    )
                });
                (k.clone(), t)
            })
            .collect()
    };
    let lookback = parsed
        .as_ref()
        .map_or(Duration::ZERO, expr::longest_lookback);
    let metrics = parsed.as_ref().map(expr::metric_names).unwrap_or_default();
    Prepared {
        labels: compile(&rule.labels),
        annotations: compile(&annotation_templates(rule)),
        rule: rule.clone(),
        by,
        expr: parsed,
        lookback,
        metrics,
    }
}

/// The history the node needs for `rules`: the metric names they select and how long to
/// keep them (the longest look-back, capped by the model's limit).
pub fn history_needs(rules: &[Prepared]) -> (HashSet<String>, Duration) {
    let mut names = HashSet::new();
    let mut longest = Duration::ZERO;
    for p in rules.iter().filter(|p| p.expr.is_some()) {
        names.extend(p.metrics.iter().cloned());
        longest = longest.max(p.lookback);
    }
    (names, longest.min(expr::MAX_RANGE))
}

/// What creating `rule` needs to tell: metrics the agent never exposes, each with the
/// nearest names it does.
pub fn unknown_metrics(rule: &AlertRule) -> Vec<(String, Vec<&'static str>)> {
    if rule.is_liveness() {
        return Vec::new();
    }
    let Ok(parsed) = expr::parse(&effective_expr(rule)) else {
        return Vec::new();
    };
    expr::metric_names(&parsed)
        .into_iter()
        .filter(|n| !catalogue::exposes(n))
        .map(|n| {
            let s = catalogue::suggest(&n);
            (n, s)
        })
        .collect()
}

/// The one-line warning for an unknown metric.
pub fn unknown_metric_text(rule: &str, name: &str, suggestions: &[&str]) -> String {
    let hint = match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        many => format!("; did you mean one of {}?", many.join(", ")),
    };
    format!(
        "alert rule {rule}: the agent never exposes {name}: the rule is evaluated by Prometheus only{hint}"
    )
}

/// Check what the model cannot: every label and annotation template parses and uses only
/// defined variables. The error names the field and the place in the template.
pub fn check(rule: &AlertRule) -> Result<(), crate::error::Error> {
    check_fields(rule)
        .map_err(|(field, value, allowed)| crate::error::Error::invalid(field, &value, allowed))
}

/// [`check`] as `(field, value, what is allowed)`.
pub fn check_fields(rule: &AlertRule) -> Result<(), (String, String, String)> {
    for (what, map) in [("labels", &rule.labels), ("annotations", &rule.annotations)] {
        for (k, v) in map {
            template::parse(v).and_then(|t| t.check()).map_err(|e| {
                (
                    format!("{what}.{k}"),
                    v.clone(),
                    format!("a valid Go template (line:column {e})"),
                )
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rule::Threshold;
    use crate::model::{Comparison, PromDuration, Severity};

    fn flag(metric: &str, cmp: Comparison, t: f64) -> AlertRule {
        AlertRule::from_threshold(
            "r".into(),
            Threshold {
                metric: metric.into(),
                comparison: cmp,
                threshold: t,
                matchers: Vec::new(),
            },
            PromDuration::from_secs(60),
            Severity::Critical,
            String::new(),
        )
    }

    #[test]
    fn liveness_is_a_general_rule() {
        for cmp in [Comparison::Gt, Comparison::Eq, Comparison::Lt] {
            let r = flag("hivemind_node_status", cmp, 0.0);
            assert!(r.is_liveness());
            assert!(matches!(evaluated_by(&r), EvaluatedBy::Prometheus(_)));
            let e = effective_expr(&r);
            assert!(
                e.starts_with("(up == 0) * on(instance, job) group_left(node)"),
                "{e}"
            );
            assert!(expr::parse_with_cap(&e, Duration::from_secs(86_400)).is_ok());
        }
    }

    #[test]
    fn who_evaluates() {
        assert_eq!(
            evaluated_by(&flag("hivemind_node_cpu_usage", Comparison::Gt, 90.0)),
            EvaluatedBy::Node
        );
        assert_eq!(
            evaluated_by(&flag("hivemind_node_count", Comparison::Gt, 0.0)),
            EvaluatedBy::Node
        );
        let r = AlertRule::from_expr(
            "x".into(),
            "rate(consensus_failed_rounds_total[5m]) > 0.1".into(),
            PromDuration::from_secs(0),
            Severity::Info,
        );
        assert_eq!(
            evaluated_by(&r),
            EvaluatedBy::Prometheus(
                "metric consensus_failed_rounds_total not exposed by the agent".into()
            )
        );
        let r = AlertRule::from_expr(
            "x".into(),
            "hivemind_nodes_cpu_usage > 1".into(),
            PromDuration::from_secs(0),
            Severity::Info,
        );
        let u = unknown_metrics(&r);
        assert_eq!(u[0].1[0], "hivemind_node_cpu_usage");
        assert!(
            unknown_metric_text("x", &u[0].0, &u[0].1)
                .contains("did you mean hivemind_node_cpu_usage?")
        );
    }

    #[test]
    fn annotations_are_templates() {
        let r = flag(
            "hivemind_node_memory_used_bytes",
            Comparison::Gt,
            150000000.0,
        );
        let a = annotation_templates(&r);
        assert_eq!(
            a["summary"],
            "hivemind_node_memory_used_bytes is {{ $value | humanize }} (> 150000000)"
        );
        let mut r = r;
        r.annotations
            .insert("runbook".into(), "{{ $labels.node | nope }}".into());
        let (field, _, why) = check_fields(&r).unwrap_err();
        assert_eq!(field, "annotations.runbook");
        assert!(why.contains("1:"), "{why}");
    }
}
