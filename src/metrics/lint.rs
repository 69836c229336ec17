//! A Prometheus text-format (0.0.4) parser that lints an exposition the way `promtool check
//! metrics` does, for the rules that matter to a scrape target: `diagnose` runs it on the
//! agent's own scrape.

use std::collections::{BTreeMap, HashSet};

use crate::model::validate;

/// What a scrape held.
pub struct Exposition {
    pub families: usize,
    pub series: usize,
    pub names: Vec<String>,
    pub problems: Vec<String>,
}

impl Exposition {
    pub fn families_named(&self, prefix: &str) -> bool {
        self.names.iter().any(|n| n.starts_with(prefix))
    }
}

fn valid_metric_name(n: &str) -> bool {
    validate::metric_name(n).is_ok()
}

/// Parse Prometheus text format 0.0.4 and lint it the way `promtool check metrics` does
/// for the rules that matter here. A line that does not parse is an error.
pub fn parse_exposition(text: &str) -> std::result::Result<Exposition, String> {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut helps: HashSet<String> = HashSet::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut problems = Vec::new();
    let mut series = 0;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("HELP"), Some(name), _) => {
                    helps.insert(name.to_string());
                }
                (Some("TYPE"), Some(name), Some(kind)) => {
                    if !matches!(
                        kind,
                        "counter" | "gauge" | "histogram" | "summary" | "untyped"
                    ) {
                        return Err(format!("line {n}: unknown metric type '{kind}'"));
                    }
                    if kind == "counter" && !name.ends_with("_total") {
                        problems.push(format!("counter {name} should end in _total"));
                    }
                    if types.insert(name.to_string(), kind.to_string()).is_some() {
                        problems.push(format!("{name} has a second TYPE line"));
                    }
                }
                _ => {}
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (name_labels, value) = match line.rfind('}') {
            Some(close) => (&line[..=close], line[close + 1..].trim()),
            None => match line.split_once(' ') {
                Some((a, b)) => (a, b.trim()),
                None => return Err(format!("line {n}: a sample without a value")),
            },
        };
        let name = name_labels.split('{').next().unwrap_or("");
        if !valid_metric_name(name) {
            return Err(format!(
                "line {n}: invalid metric name '{}'",
                name.chars().take(64).collect::<String>()
            ));
        }
        if name_labels.contains('{') && !name_labels.ends_with('}') {
            return Err(format!("line {n}: unterminated label set"));
        }
        let value = value.split_whitespace().next().unwrap_or("");
        if value.parse::<f64>().is_err() && !matches!(value, "NaN" | "+Inf" | "-Inf") {
            return Err(format!("line {n}: value '{value}' is not a number"));
        }
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s).filter(|base| {
                    types
                        .get(*base)
                        .is_some_and(|k| k == "histogram" || k == "summary")
                })
            })
            .unwrap_or(name);
        if !types.contains_key(family) {
            problems.push(format!("{name} has no TYPE line"));
        }
        if !helps.contains(family) {
            problems.push(format!("{family} has no HELP line"));
        }
        if !seen.insert(name_labels.to_string()) {
            problems.push(format!(
                "duplicate series {}",
                name_labels.chars().take(120).collect::<String>()
            ));
        }
        series += 1;
    }
    problems.dedup();
    Ok(Exposition {
        families: types.len(),
        series,
        names: types.keys().cloned().collect(),
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_lint() {
        let good = "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1.5\nh_count 2\n";
        let p = parse_exposition(good).unwrap();
        assert_eq!((p.families, p.series), (2, 4));
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let bad = "# TYPE c counter\nc 1\nc 2\nd{x=\"1\"} NaN\n";
        let p = parse_exposition(bad).unwrap();
        assert!(
            p.problems
                .iter()
                .any(|x| x.contains("should end in _total"))
        );
        assert!(p.problems.iter().any(|x| x.contains("duplicate series")));
        assert!(p.problems.iter().any(|x| x.contains("d has no TYPE")));
        assert!(parse_exposition("<html>").is_err());
        assert!(parse_exposition("x abc\n").is_err());
    }
}
