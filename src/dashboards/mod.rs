//! The five Grafana dashboards of the seed (Overview, Node, Container, Network, Health): the
//! JSON files under `dashboards/` at the repository root are the source, edited as JSON and
//! embedded here at build time. They read the metric names the agent really exposes (README
//! "Metric names"; a test scrapes a real agent to keep them so), and each has a Prometheus
//! data-source variable, so importing never stops at a `${DS_…}` placeholder. The same JSON
//! is written by `import-dashboards --output-dir` (a test keeps the committed files in that
//! normal form) and served at `/api/dashboards`.

pub mod grafana;
pub mod kibana;

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::input::{self, Input};

/// A dashboard: its stable uid (the import key) and its Grafana JSON.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub uid: &'static str,
    pub title: &'static str,
    /// File name under `dashboards/` and `--output-dir`.
    pub file: &'static str,
    pub json: Value,
}

/// `/api/dashboards` entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DashboardInfo {
    pub uid: String,
    pub title: String,
    pub file: String,
    pub panels: usize,
}

/// `/api/dashboards` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DashboardList {
    pub dashboards: Vec<DashboardInfo>,
}

/// The embedded files, in the seed's order: (file name, contents).
const SOURCES: [(&str, &str); 5] = [
    (
        "hivemind-overview.json",
        include_str!("../../dashboards/hivemind-overview.json"),
    ),
    (
        "hivemind-node.json",
        include_str!("../../dashboards/hivemind-node.json"),
    ),
    (
        "hivemind-container.json",
        include_str!("../../dashboards/hivemind-container.json"),
    ),
    (
        "hivemind-network.json",
        include_str!("../../dashboards/hivemind-network.json"),
    ),
    (
        "hivemind-health.json",
        include_str!("../../dashboards/hivemind-health.json"),
    ),
];

/// One embedded file that passed [`validate`]; `uid` and `title` are read from `json`.
struct Loaded {
    file: &'static str,
    json: Value,
}

/// The embedded files parsed once: those that are valid dashboards, and why the others are not.
struct Embedded {
    dashboards: Vec<Loaded>,
    problems: Vec<String>,
}

static EMBEDDED: LazyLock<Embedded> = LazyLock::new(|| load(&SOURCES));

/// Parse and validate `sources`, keeping the valid ones (in order) and a message per other.
fn load(sources: &[(&'static str, &str)]) -> Embedded {
    let mut dashboards: Vec<Loaded> = Vec::new();
    let mut problems = Vec::new();
    for (file, text) in sources {
        let checked = input::json_value(text.as_bytes(), Input::DASHBOARD)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|json| validate(&json).map(|()| json))
            .and_then(|json| {
                let uid = json["uid"].as_str().unwrap_or_default();
                match dashboards.iter().find(|d| d.json["uid"] == uid) {
                    Some(d) => Err(format!("uid {uid:?} is also the uid of {}", d.file)),
                    None => Ok(json),
                }
            });
        match checked {
            Ok(json) => dashboards.push(Loaded { file, json }),
            Err(e) => problems.push(format!("dashboards/{file}: {e}")),
        }
    }
    Embedded {
        dashboards,
        problems,
    }
}

/// What the rest of the crate relies on: a uid and a title, a Prometheus data-source
/// variable named `datasource`, and panels with unique ids.
fn validate(json: &Value) -> Result<(), String> {
    for key in ["uid", "title"] {
        if json[key].as_str().is_none_or(str::is_empty) {
            return Err(format!("no \"{key}\" string"));
        }
    }
    let variables = json["templating"]["list"]
        .as_array()
        .ok_or("no templating.list")?;
    let datasource = variables
        .iter()
        .find(|v| v["name"] == "datasource")
        .ok_or("no $datasource variable in templating.list")?;
    if datasource["type"] != "datasource" || datasource["query"] != "prometheus" {
        return Err(format!(
            "the $datasource variable must have \"type\": \"datasource\" and \"query\": \"prometheus\", not {} and {}",
            datasource["type"], datasource["query"]
        ));
    }
    let panels = json["panels"].as_array().ok_or("no panels array")?;
    let mut ids = HashSet::new();
    for (i, p) in panels.iter().enumerate() {
        let id = p["id"]
            .as_u64()
            .ok_or_else(|| format!("panel {i} ({}) has no numeric id", p["title"]))?;
        if !ids.insert(id) {
            return Err(format!("panel id {id} is used twice"));
        }
    }
    Ok(())
}

impl Loaded {
    fn dashboard(&'static self) -> Dashboard {
        Dashboard {
            // `validate` checked both are strings.
            uid: self.json["uid"].as_str().unwrap_or_default(),
            title: self.json["title"].as_str().unwrap_or_default(),
            file: self.file,
            json: self.json.clone(),
        }
    }
}

/// Every dashboard, in the seed's order. An embedded file that is not a valid dashboard is
/// left out and explained by [`problems`] (a unit test keeps that list empty).
pub fn all() -> Vec<Dashboard> {
    EMBEDDED.dashboards.iter().map(Loaded::dashboard).collect()
}

/// Why embedded files were left out of [`all`]: `dashboards/FILE: reason` each.
pub fn problems() -> &'static [String] {
    &EMBEDDED.problems
}

/// The dashboards' summaries.
pub fn list() -> DashboardList {
    DashboardList {
        dashboards: EMBEDDED
            .dashboards
            .iter()
            .map(|d| DashboardInfo {
                uid: d.json["uid"].as_str().unwrap_or_default().into(),
                title: d.json["title"].as_str().unwrap_or_default().into(),
                file: d.file.into(),
                panels: d.json["panels"].as_array().map_or(0, Vec::len),
            })
            .collect(),
    }
}

/// One dashboard by uid (or file name without `.json`).
pub fn find(id: &str) -> Option<Dashboard> {
    EMBEDDED
        .dashboards
        .iter()
        .find(|d| d.json["uid"] == id || d.file.trim_end_matches(".json") == id)
        .map(Loaded::dashboard)
}

/// Every PromQL expression of a dashboard, for tests and linting: the panels' queries, then
/// the series selectors of its query variables (`label_values(SELECTOR, label)`,
/// `query_result(EXPR)`). Grafana's variables (`$node`, `$__rate_interval`) are left in.
pub fn expressions(d: &Dashboard) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(panels) = d.json["panels"].as_array() {
        for p in panels {
            if let Some(targets) = p["targets"].as_array() {
                out.extend(
                    targets
                        .iter()
                        .filter_map(|t| t["expr"].as_str().map(str::to_string)),
                );
            }
        }
    }
    if let Some(variables) = d.json["templating"]["list"].as_array() {
        out.extend(
            variables
                .iter()
                .filter(|v| v["type"] == "query")
                .filter_map(|v| v["query"]["query"].as_str().or(v["query"].as_str()))
                .filter_map(variable_expression),
        );
    }
    out
}

/// The PromQL inside a Grafana Prometheus variable query, when it has one.
fn variable_expression(query: &str) -> Option<String> {
    let query = query.trim();
    if let Some(args) = query
        .strip_prefix("label_values(")
        .and_then(|q| q.strip_suffix(')'))
    {
        // `label_values(label)` names no series.
        let (selector, _label) = args.rsplit_once(',')?;
        return Some(selector.trim().to_string());
    }
    query
        .strip_prefix("query_result(")
        .and_then(|q| q.strip_suffix(')'))
        .map(|e| e.trim().to_string())
}

/// The dashboard as pretty JSON with a trailing newline (the committed file form).
pub fn to_file(d: &Dashboard) -> String {
    let mut s = serde_json::to_string_pretty(&d.json).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Grafana data-source reference every panel and query uses.
    const DATASOURCE: &str = "${datasource}";

    #[test]
    fn every_embedded_file_is_a_valid_dashboard() {
        assert_eq!(problems(), &[] as &[String]);
        let all = all();
        assert_eq!(all.len(), SOURCES.len());
        let mut uids = HashSet::new();
        for (d, (file, text)) in all.iter().zip(SOURCES) {
            assert_eq!(d.file, file);
            // uid and title come from the JSON itself.
            let parsed: Value = serde_json::from_str(text).unwrap();
            assert_eq!(parsed["uid"], d.uid);
            assert_eq!(parsed["title"], d.title);
            assert!(!d.uid.is_empty() && !d.title.is_empty(), "{file}");
            assert!(uids.insert(d.uid), "{file}: uid {} twice", d.uid);
            let variables = d.json["templating"]["list"].as_array().unwrap();
            let datasource = variables
                .iter()
                .find(|v| v["name"] == "datasource")
                .unwrap();
            assert_eq!(datasource["type"], "datasource", "{file}");
            assert_eq!(datasource["query"], "prometheus", "{file}");
            let panels = d.json["panels"].as_array().unwrap();
            assert!(!panels.is_empty(), "{file}");
            let ids: HashSet<u64> = panels.iter().map(|p| p["id"].as_u64().unwrap()).collect();
            assert_eq!(ids.len(), panels.len(), "{file}: panel ids repeat");
        }
    }

    #[test]
    fn no_import_placeholders_and_every_query_uses_the_datasource_variable() {
        for d in all() {
            let text = to_file(&d);
            assert!(!text.contains("${DS_"), "{}", d.uid);
            assert!(!text.contains("__inputs"), "{}", d.uid);
            // Grafana shows the data-source picker first.
            assert_eq!(d.json["templating"]["list"][0]["name"], "datasource");
            for v in d.json["templating"]["list"].as_array().unwrap() {
                if v["type"] == "query" {
                    assert_eq!(v["datasource"]["uid"], DATASOURCE, "{}", d.uid);
                }
            }
            for p in d.json["panels"].as_array().unwrap() {
                assert_eq!(p["datasource"]["uid"], DATASOURCE, "{}", d.uid);
                let pos = &p["gridPos"];
                assert!(pos["x"].as_u64().unwrap() + pos["w"].as_u64().unwrap() <= 24);
                let targets = p["targets"].as_array().unwrap();
                assert!(!targets.is_empty(), "{} / {}", d.uid, p["title"]);
                for t in targets {
                    assert_eq!(t["datasource"]["uid"], DATASOURCE, "{}", d.uid);
                }
            }
            assert!(!expressions(&d).is_empty());
            for e in expressions(&d) {
                assert!(e.contains("hivemind_"), "{e}");
            }
        }
    }

    #[test]
    fn lookups_by_uid_and_file_stem() {
        let list = list();
        assert_eq!(list.dashboards.len(), all().len());
        for (info, d) in list.dashboards.iter().zip(all()) {
            assert_eq!(info.uid, d.uid);
            assert_eq!(info.title, d.title);
            assert_eq!(info.file, d.file);
            assert_eq!(info.panels, d.json["panels"].as_array().unwrap().len());
            assert_eq!(find(d.uid).unwrap().file, d.file);
            assert_eq!(find(d.file.trim_end_matches(".json")).unwrap().uid, d.uid);
        }
        assert!(find("nope").is_none());
    }

    #[test]
    fn variable_selectors_are_expressions_too() {
        let health = find("hivemind-health").unwrap();
        let exprs = expressions(&health);
        assert_eq!(
            exprs.last().unwrap(),
            "hivemind_health_check_latency_seconds_count"
        );
        let container = find("hivemind-container").unwrap();
        assert!(
            expressions(&container)
                .contains(&"hivemind_container_cpu_usage{node=~\"$node\"}".to_string())
        );
        assert_eq!(
            variable_expression("label_values(up{job=\"a,b\"}, instance)").as_deref(),
            Some("up{job=\"a,b\"}")
        );
        assert_eq!(variable_expression("label_values(job)"), None);
        assert_eq!(
            variable_expression("query_result(topk(3, up))").as_deref(),
            Some("topk(3, up)")
        );
        assert_eq!(variable_expression("metrics(hivemind_.*)"), None);
    }

    fn dashboard(extra: &str) -> String {
        format!(
            r#"{{"uid": "u", "title": "T", {extra}
                "templating": {{"list": [{{"name": "datasource", "type": "datasource", "query": "prometheus"}}]}}}}"#
        )
    }

    #[test]
    fn a_broken_file_is_left_out_with_a_reason() {
        let good = dashboard(r#""panels": [{"id": 1}, {"id": 2}],"#);
        let other_uid = good.replace(r#""uid": "u""#, r#""uid": "v""#);
        let cases: Vec<(String, &str)> = vec![
            ("{".into(), "not JSON"),
            (good.replace(r#""uid": "u","#, ""), "no \"uid\" string"),
            (good.replace(r#""title": "T","#, ""), "no \"title\" string"),
            (
                good.replace(r#""name": "datasource""#, r#""name": "ds""#),
                "no $datasource variable",
            ),
            (
                good.replace(r#""query": "prometheus""#, r#""query": "loki""#),
                "\"query\": \"prometheus\"",
            ),
            (
                dashboard(r#""panels": [{"id": 1}, {"id": 1}],"#),
                "panel id 1 is used twice",
            ),
            (dashboard(r#""panels": [{"title": "x"}],"#), "no numeric id"),
            (dashboard(""), "no panels array"),
            (good.clone(), "also the uid of first.json"),
        ];
        for (text, why) in &cases {
            let loaded = load(&[
                ("first.json", good.as_str()),
                ("second.json", text.as_str()),
            ]);
            assert_eq!(loaded.dashboards.len(), 1, "{why}");
            assert_eq!(loaded.dashboards[0].file, "first.json");
            assert_eq!(loaded.problems.len(), 1, "{why}");
            let problem = &loaded.problems[0];
            assert!(
                problem.starts_with("dashboards/second.json: ") && problem.contains(why),
                "{problem} (expected {why})"
            );
        }
        let both = load(&[
            ("first.json", good.as_str()),
            ("second.json", other_uid.as_str()),
        ]);
        assert_eq!(both.dashboards.len(), 2);
        assert!(both.problems.is_empty());
    }
}
