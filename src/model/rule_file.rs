//! Rule files, in two formats.
//!
//! The seed document's YAML, one rule or many:
//!
//! ```yaml
//! name: high_cpu_usage
//! description: Alert when CPU usage is high
//! metric: hivemind_container_cpu_usage
//! threshold: 90
//! duration: 5m
//! severity: warning
//! ```
//!
//! A file may hold one such mapping, a sequence of them, or several `---` documents.
//! `comparison` (gt, ge, lt, le, eq, ne) and `labels` (a list of matchers such as
//! `node=web-1`) are optional extensions; `expr` (PromQL) replaces `metric`/`threshold`, and
//! `annotations` adds Go-template annotations.
//!
//! Prometheus rule-group files, as written for Prometheus (a top-level `groups:` key):
//!
//! ```yaml
//! groups:
//!   - name: critical
//!     rules:
//!       - alert: HighMemoryUsage
//!         expr: (system_memory_usage_bytes / system_memory_total_bytes) > 0.9
//!         for: 10m
//!         labels: {severity: critical}
//!         annotations: {summary: "High memory usage on {{ $labels.instance }}"}
//! ```
//!
//! `labels.severity` becomes the rule's severity (critical, warning or info; warning when
//! absent); the other labels are added to its alerts. Recording rules (`record:`) are refused:
//! the agent only alerts, keep them in Prometheus.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::duration::PromDuration;
use super::input::{self, Input};
use super::rule::{AlertRule, Comparison, Matcher, Severity, Threshold};

/// One rule as written in the seed's YAML.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDoc {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    metric: Option<String>,
    #[serde(default)]
    threshold: Option<f64>,
    #[serde(default)]
    expr: Option<String>,
    duration: PromDuration,
    severity: Severity,
    #[serde(default)]
    comparison: Option<Comparison>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

/// A document: one rule or a list of rules.
struct OneOrMany(Vec<RuleDoc>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a rule (a mapping with name, metric, threshold, duration, severity) or a list of rules")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OneOrMany, A::Error> {
                RuleDoc::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|r| OneOrMany(vec![r]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<OneOrMany, A::Error> {
                Vec::<RuleDoc>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(OneOrMany)
            }
        }
        d.deserialize_any(V)
    }
}

/// A Prometheus rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PromFile {
    groups: Vec<PromGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PromGroup {
    name: String,
    // Accepted for compatibility; the agent evaluates after every collection.
    #[serde(default)]
    #[allow(dead_code)]
    interval: Option<PromDuration>,
    #[serde(default)]
    #[allow(dead_code)]
    limit: Option<u64>,
    #[serde(default)]
    rules: Vec<PromRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PromRule {
    #[serde(default)]
    alert: Option<String>,
    #[serde(default)]
    record: Option<String>,
    expr: String,
    #[serde(default, rename = "for")]
    hold: Option<PromDuration>,
    #[serde(default)]
    keep_firing_for: Option<PromDuration>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

/// The most rules one file may hold.
pub const MAX_RULES: usize = 10_000;

/// Whether `text` is a Prometheus rule-group file (a top-level `groups:` key).
pub fn is_prometheus_format(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("groups")
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// A rule read from a file, with where it was written (for errors).
#[derive(Debug, Clone)]
pub struct Located {
    pub rule: AlertRule,
    /// `rule 2`, or `group critical, rule 2`, and the line when it can be found.
    pub place: String,
}

/// Parse rules from YAML text (either format). Errors carry the line and column; values are
/// validated by [`AlertRule::validate`] afterwards by the caller. The text passes the input
/// limits first ([`Input::RULE_FILE`]): size, nesting depth, and no anchors or aliases (a
/// rule file has no use for them, and they let a small file expand into a huge one).
pub fn parse(text: &str) -> Result<Vec<AlertRule>, String> {
    parse_located(text).map(|rules| rules.into_iter().map(|l| l.rule).collect())
}

/// [`parse`], keeping where each rule was written.
pub fn parse_located(text: &str) -> Result<Vec<Located>, String> {
    let docs = input::yaml_documents(text, Input::RULE_FILE).map_err(|e| e.to_string())?;
    let rules = if is_prometheus_format(text) {
        prometheus(text, docs)?
    } else {
        seed(docs)?
    };
    if rules.is_empty() {
        return Err("no rules in the file".into());
    }
    let mut names = HashSet::new();
    for l in &rules {
        if !names.insert(l.rule.name.as_str()) {
            return Err(format!(
                "{}: alert rule '{}' is given twice (names identify rules here)",
                l.place, l.rule.name
            ));
        }
    }
    Ok(rules)
}

fn seed(docs: yaml_serde::Deserializer<'_>) -> Result<Vec<Located>, String> {
    let mut rules = Vec::new();
    for doc in docs {
        let OneOrMany(docs) = OneOrMany::deserialize(doc).map_err(|e| e.to_string())?;
        for d in docs {
            let n = rules.len() + 1;
            let place = format!("rule {n} ({})", d.name);
            let matchers = d
                .labels
                .iter()
                .map(|m| {
                    Matcher::parse(m).map_err(|a| {
                        format!(
                            "{place}: labels: invalid matcher {}: expected {a}",
                            crate::error::quote(m)
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut rule = match (d.expr, d.metric, d.threshold) {
                (Some(expr), None, None) => {
                    if d.comparison.is_some() || !matchers.is_empty() {
                        return Err(format!(
                            "{place}: comparison and labels belong to metric/threshold; with expr write them into the expression"
                        ));
                    }
                    let mut r = AlertRule::from_expr(d.name, expr, d.duration, d.severity);
                    r.description = d.description;
                    r
                }
                (None, Some(metric), Some(threshold)) => AlertRule::from_threshold(
                    d.name,
                    Threshold {
                        metric,
                        comparison: d.comparison.unwrap_or_default(),
                        threshold,
                        matchers,
                    },
                    d.duration,
                    d.severity,
                    d.description,
                ),
                (Some(_), _, _) => {
                    return Err(format!(
                        "{place}: expr replaces metric and threshold; give one form"
                    ));
                }
                _ => {
                    return Err(format!("{place}: needs metric and threshold (or expr)"));
                }
            };
            rule.annotations = d.annotations;
            rules.push(Located { rule, place });
            if rules.len() > MAX_RULES {
                return Err(format!("more than {MAX_RULES} rules in one file"));
            }
        }
    }
    Ok(rules)
}

fn prometheus(text: &str, docs: yaml_serde::Deserializer<'_>) -> Result<Vec<Located>, String> {
    let mut rules = Vec::new();
    let mut groups = HashSet::new();
    // Where each `alert:` line is, to name the line of a rule in errors.
    let mut alert_lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ").trim_start();
            t.starts_with("alert:") || t.starts_with("record:")
        })
        .map(|(i, _)| i + 1);
    for doc in docs {
        let file = PromFile::deserialize(doc).map_err(|e| e.to_string())?;
        for g in file.groups {
            if !groups.insert(g.name.clone()) {
                return Err(format!(
                    "group {}: the group name is repeated in the file",
                    crate::error::quote(&g.name)
                ));
            }
            for (i, r) in g.rules.into_iter().enumerate() {
                let line = alert_lines
                    .next()
                    .map(|l| format!(", line {l}"))
                    .unwrap_or_default();
                let place = |name: &str| {
                    format!(
                        "group {}, rule {} ({name}){line}",
                        crate::error::quote(&g.name),
                        i + 1
                    )
                };
                let name = match (r.alert, r.record) {
                    (Some(a), None) => a,
                    (None, Some(rec)) => {
                        return Err(format!(
                            "{}: recording rules are not supported (the agent only alerts); keep them in Prometheus",
                            place(&rec)
                        ));
                    }
                    _ => {
                        return Err(format!(
                            "{}: a rule has exactly one of alert and record",
                            place("?")
                        ));
                    }
                };
                let place = place(&name);
                if r.keep_firing_for.is_some_and(|d| !d.is_zero()) {
                    return Err(format!(
                        "{place}: keep_firing_for is not supported; remove it or keep the rule in Prometheus"
                    ));
                }
                let mut labels = r.labels;
                let severity = match labels.remove("severity") {
                    None => Severity::Warning,
                    Some(s) => match s.as_str() {
                        "critical" => Severity::Critical,
                        "warning" => Severity::Warning,
                        "info" => Severity::Info,
                        _ => {
                            return Err(format!(
                                "{place}: labels.severity {}: expected critical, warning or info",
                                crate::error::quote(&s)
                            ));
                        }
                    },
                };
                let mut rule = AlertRule::from_expr(
                    name,
                    r.expr.trim_end().to_string(),
                    r.hold.unwrap_or(PromDuration::from_secs(0)),
                    severity,
                );
                rule.labels = labels;
                rule.annotations = r.annotations;
                rules.push(Located { rule, place });
                if rules.len() > MAX_RULES {
                    return Err(format!("more than {MAX_RULES} rules in one file"));
                }
            }
        }
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_format() {
        let rules = parse(
            "name: high_cpu_usage\ndescription: Alert when CPU usage is high\nmetric: hivemind_container_cpu_usage\nthreshold: 90\nduration: 5m\nseverity: warning\n",
        )
        .unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].threshold.as_ref().unwrap().threshold, 90.0);
        assert_eq!(rules[0].duration.to_string(), "5m");
    }

    #[test]
    fn many_forms() {
        let list = "- {name: a, metric: m, threshold: 1, duration: 1m, severity: info}\n- {name: b, metric: m, threshold: 2, duration: 0s, severity: critical, comparison: lt, labels: ['node=x']}\n";
        assert_eq!(parse(list).unwrap().len(), 2);
        let docs = "name: a\nmetric: m\nthreshold: 1\nduration: 1m\nseverity: info\n---\nname: b\nmetric: m\nthreshold: 1\nduration: 1m\nseverity: info\n";
        assert_eq!(parse(docs).unwrap().len(), 2);
    }

    #[test]
    fn hostile() {
        for bad in [
            "",
            "name: a\nmetirc: m\nthreshold: 1\nduration: 1m\nseverity: info\n",
            "name: a\nmetric: m\nthreshold: abc\nduration: 1m\nseverity: info\n",
            "name: a\nmetric: m\nthreshold: 1\nduration: 5M\nseverity: info\n",
            "name: a\nmetric: m\nthreshold: 1\nduration: 1m\nseverity: fatal\n",
            "name: a\nmetric: m\nthreshold: 1\nduration: 1m\nseverity: info\nlabels: ['=x']\n",
            "- 1\n- 2\n",
            "just a string",
            "a: &a [*a]",
            "{{{{",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let err = parse("name: a\nmetirc: m\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn prometheus_groups() {
        let text = "groups:\n  - name: critical\n    rules:\n      - alert: MeshNodeDown\n        expr: up{job=\"agent-mesh\"} == 0\n        for: 5m\n        labels:\n          severity: critical\n        annotations:\n          summary: \"Agent Mesh node {{ $labels.instance }} is down\"\n      - alert: Other\n        expr: x > 1\n        labels: {team: db}\n";
        let rules = parse(text).unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].expr, "up{job=\"agent-mesh\"} == 0");
        assert_eq!(rules[0].severity, Severity::Critical);
        assert_eq!(rules[0].duration.to_string(), "5m");
        assert!(rules[0].labels.is_empty());
        assert_eq!(rules[1].severity, Severity::Warning);
        assert_eq!(rules[1].labels["team"], "db");
        assert!(rules[1].duration.is_zero());

        let err = parse(
            "groups:\n  - name: g\n    rules:\n      - record: x:sum\n        expr: sum(x)\n",
        )
        .unwrap_err();
        assert!(
            err.contains("recording rules") && err.contains("line 4"),
            "{err}"
        );
        let err = parse("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x\n      - alert: A\n        expr: y\n").unwrap_err();
        assert!(
            err.contains("given twice") && err.contains("line 6"),
            "{err}"
        );
        let err =
            parse("groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n").unwrap_err();
        assert!(err.contains("repeated"), "{err}");
        let err = parse("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x\n        labels: {severity: page}\n").unwrap_err();
        assert!(err.contains("critical, warning or info"), "{err}");
        assert!(
            parse("groups:\n  - name: g\n    rules:\n      - alert: A\n        expre: x\n")
                .is_err()
        );
    }
}
