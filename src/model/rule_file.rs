//! The seed document's YAML rule format, one rule or many:
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
//! `node=web-1`) are optional extensions.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::duration::PromDuration;
use super::input::{self, Input};
use super::rule::{AlertRule, Comparison, Matcher, Severity};

/// One rule as written in YAML.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDoc {
    name: String,
    #[serde(default)]
    description: String,
    metric: String,
    threshold: f64,
    duration: PromDuration,
    severity: Severity,
    #[serde(default)]
    comparison: Comparison,
    #[serde(default)]
    labels: Vec<String>,
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

/// The most rules one file may hold.
pub const MAX_RULES: usize = 10_000;

/// Parse rules from YAML text. Errors carry the line and column; matchers and values are
/// validated by [`AlertRule::validate`] afterwards by the caller. The text passes the input
/// limits first ([`Input::RULE_FILE`]): size, nesting depth, and no anchors or aliases (a
/// rule file has no use for them, and they let a small file expand into a huge one).
pub fn parse(text: &str) -> Result<Vec<AlertRule>, String> {
    let mut rules = Vec::new();
    let docs = input::yaml_documents(text, Input::RULE_FILE).map_err(|e| e.to_string())?;
    for doc in docs {
        let OneOrMany(docs) = OneOrMany::deserialize(doc).map_err(|e| e.to_string())?;
        for d in docs {
            let n = rules.len() + 1;
            let labels = d
                .labels
                .iter()
                .map(|m| {
                    Matcher::parse(m).map_err(|a| {
                        format!(
                            "rule {n} ({}): labels: invalid matcher {}: expected {a}",
                            d.name,
                            crate::error::quote(m)
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            rules.push(AlertRule {
                name: d.name,
                metric: d.metric,
                comparison: d.comparison,
                threshold: d.threshold,
                duration: d.duration,
                severity: d.severity,
                description: d.description,
                labels,
            });
            if rules.len() > MAX_RULES {
                return Err(format!("more than {MAX_RULES} rules in one file"));
            }
        }
    }
    if rules.is_empty() {
        return Err("no rules in the file".into());
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
        assert_eq!(rules[0].threshold, 90.0);
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
}
