//! The seed's four Kibana dashboards (Hivemind Logs, Container Logs, Error Logs, Audit Logs)
//! as Kibana 8 saved objects, and their import through Kibana's saved-objects import API.
//!
//! `dashboards/kibana/hivemind-logs.ndjson` is the source, embedded as it is: one data view
//! (`index-pattern` saved object) on the index the Elasticsearch shipper writes to, a saved
//! search per view of the logs (all, containers, errors, audit), and four dashboards, each
//! with a dashboard-level filter on the data view and its saved search as the panel. Every
//! link between them goes through the saved objects' `references` arrays, so Kibana rewrites
//! them on import. Importing is one `POST /api/saved_objects/_import?overwrite=true` with the
//! file as a multipart `file` part: the ids are fixed, so running it again overwrites the
//! same objects and creates nothing new.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use serde_json::Value;

use super::grafana::{ImportReport, Imported};
use crate::error::{Error, Result};
use crate::model::Secret;

/// The file under `dashboards/kibana/` and what `--output-dir` writes.
pub const FILE: &str = "hivemind-logs.ndjson";

/// The embedded file, byte for byte.
pub const NDJSON: &str = include_str!("../../dashboards/kibana/hivemind-logs.ndjson");

/// The data view's saved-object id, which every search and dashboard references.
pub const DATA_VIEW_ID: &str = "hivemind-logs";

/// The data view's index pattern in the file: the seed's index (`configure-logging --index
/// hivemind-logs`) and anything starting with it (rolled-over or dated indices).
pub const DEFAULT_PATTERN: &str = "hivemind-logs*";

/// The seed's dashboards, by title, in its order.
pub const TITLES: [&str; 4] = [
    "Hivemind Logs",
    "Container Logs",
    "Error Logs",
    "Audit Logs",
];

/// One saved object of the file, as far as importing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedObject {
    /// `index-pattern`, `search` or `dashboard`.
    pub kind: String,
    pub id: String,
    pub title: String,
}

/// The saved objects of an NDJSON text, checked: each line a JSON object with `type`, `id`
/// and `attributes.title`; no (type, id) twice; exactly one data view, with id
/// [`DATA_VIEW_ID`]; every reference names an object of the file; every search and
/// dashboard references the data view; the four dashboards of [`TITLES`] are there.
pub fn parse(text: &str) -> std::result::Result<Vec<SavedObject>, String> {
    let mut objects = Vec::new();
    let mut references: Vec<(usize, String, String)> = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            return Err(format!("line {n}: empty (one saved object per line)"));
        }
        let v: Value =
            crate::model::input::json_value(line.as_bytes(), crate::model::input::Input::DASHBOARD)
                .map_err(|e| format!("line {n}: not JSON: {e}"))?;
        let field = |key: &str| {
            v[key]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .ok_or_else(|| format!("line {n}: no \"{key}\" string"))
        };
        let kind = field("type")?;
        let id = field("id")?;
        let title = v["attributes"]["title"]
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("line {n}: no attributes.title string"))?
            .to_string();
        if !seen.insert((kind.clone(), id.clone())) {
            return Err(format!("line {n}: {kind} {id:?} is in the file twice"));
        }
        let refs = v["references"]
            .as_array()
            .ok_or_else(|| format!("line {n}: no references array"))?;
        let mut data_view = false;
        for r in refs {
            let (Some(rk), Some(rid), Some(_)) =
                (r["type"].as_str(), r["id"].as_str(), r["name"].as_str())
            else {
                return Err(format!(
                    "line {n}: a reference without type, id and name strings: {r}"
                ));
            };
            data_view |= rk == "index-pattern" && rid == DATA_VIEW_ID;
            references.push((n, rk.to_string(), rid.to_string()));
        }
        if (kind == "search" || kind == "dashboard") && !data_view {
            return Err(format!(
                "line {n}: {kind} {id:?} does not reference the data view {DATA_VIEW_ID:?}"
            ));
        }
        objects.push(SavedObject { kind, id, title });
    }
    let views: Vec<&SavedObject> = objects
        .iter()
        .filter(|o| o.kind == "index-pattern")
        .collect();
    if views.len() != 1 || views[0].id != DATA_VIEW_ID {
        return Err(format!(
            "expected one index-pattern saved object with id {DATA_VIEW_ID:?}, found {:?}",
            views.iter().map(|o| &o.id).collect::<Vec<_>>()
        ));
    }
    for (n, kind, id) in references {
        if !seen.contains(&(kind.clone(), id.clone())) {
            return Err(format!(
                "line {n}: references {kind} {id:?}, which is not in the file"
            ));
        }
    }
    for title in TITLES {
        if !objects
            .iter()
            .any(|o| o.kind == "dashboard" && o.title == title)
        {
            return Err(format!("no dashboard titled {title:?}"));
        }
    }
    Ok(objects)
}

/// The file to import with the data view on `pattern` (the embedded file itself for
/// [`DEFAULT_PATTERN`]).
pub fn ndjson(pattern: &str) -> String {
    if pattern == DEFAULT_PATTERN {
        return NDJSON.to_string();
    }
    let from = format!("\"title\":{}", Value::from(DEFAULT_PATTERN));
    let to = format!("\"title\":{}", Value::from(pattern));
    NDJSON.replacen(&from, &to, 1)
}

/// The data-view pattern for the index log shipping writes to (`configure-logging
/// --index`): that name and anything starting with it.
pub fn pattern_for_index(index: &str) -> String {
    format!("{}*", index.trim_end_matches('*'))
}

/// A `multipart/form-data` body (RFC 7578) with the one part Kibana reads: `file`, named
/// `FILE`, holding `ndjson`. Returns the content type (with the boundary) and the body.
fn multipart(ndjson: &str) -> Result<(String, Vec<u8>)> {
    let mut random = [0u8; 12];
    getrandom::fill(&mut random)
        .map_err(|e| Error::caused("generating a multipart boundary", e))?;
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let boundary = format!("hivemind-{hex}");
    // A boundary must not occur in the content; 96 random bits make that a formality.
    if ndjson.contains(&boundary) {
        return Err(Error::Other(
            "the multipart boundary occurs in the file; run the command again".into(),
        ));
    }
    let mut body = Vec::with_capacity(ndjson.len() + 256);
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!("Content-Disposition: form-data; name=\"file\"; filename=\"{FILE}\"\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(b"Content-Type: application/ndjson\r\n\r\n");
    body.extend_from_slice(ndjson.as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Ok((format!("multipart/form-data; boundary={boundary}"), body))
}

/// Where an imported object opens in Kibana.
fn object_url(base: &str, kind: &str, id: &str) -> String {
    match kind {
        "dashboard" => format!("{base}/app/dashboards#/view/{id}"),
        "search" => format!("{base}/app/discover#/view/{id}"),
        "index-pattern" => format!("{base}/app/management/kibana/dataViews/dataView/{id}"),
        _ => base.to_string(),
    }
}

/// Why Kibana refused one object, from an `errors[]` entry of its import answer.
fn describe_error(e: &Value) -> String {
    let error = &e["error"];
    let kind = error["type"].as_str().unwrap_or("unknown");
    let detail = match kind {
        "missing_references" => {
            let missing: Vec<String> = error["references"]
                .as_array()
                .map(|refs| {
                    refs.iter()
                        .map(|r| {
                            format!(
                                "{} {}",
                                r["type"].as_str().unwrap_or("?"),
                                r["id"].as_str().unwrap_or("?")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!("references missing objects ({})", missing.join(", "))
        }
        "conflict" | "ambiguous_conflict" => "conflicts with an existing object".to_string(),
        "unsupported_type" => "Kibana does not support this object type".to_string(),
        _ => error["message"]
            .as_str()
            .or(error["error"].as_str())
            .unwrap_or("")
            .to_string(),
    };
    crate::redact::redact_cut(
        &if detail.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}: {detail}")
        },
        300,
    )
}

/// Turn Kibana's import answer into the report: one row per object of the file (in file
/// order) and, when Kibana listed errors, the failures as `object: reason`.
fn report(
    base: &str,
    objects: &[SavedObject],
    answer: &Value,
) -> std::result::Result<(ImportReport, Vec<String>), String> {
    let success = answer["success"]
        .as_bool()
        .ok_or("the answer has no \"success\" boolean")?;
    let count = answer["successCount"]
        .as_u64()
        .ok_or("the answer has no \"successCount\" number")?;
    let mut done: BTreeMap<(String, String), bool> = BTreeMap::new();
    for r in answer["successResults"].as_array().into_iter().flatten() {
        if let (Some(kind), Some(id)) = (r["type"].as_str(), r["id"].as_str()) {
            done.insert((kind.into(), id.into()), r["overwrite"] == true);
        }
    }
    let mut failed: BTreeMap<(String, String), String> = BTreeMap::new();
    for e in answer["errors"].as_array().into_iter().flatten() {
        let kind = e["type"].as_str().unwrap_or("?").to_string();
        let id = e["id"].as_str().unwrap_or("?").to_string();
        failed.insert((kind, id), describe_error(e));
    }
    if !success && failed.is_empty() {
        return Err("Kibana answered success: false without an errors array".into());
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for o in objects {
        let key = (o.kind.clone(), o.id.clone());
        let change = if let Some(why) = failed.get(&key) {
            problems.push(format!("{} {:?} ({}): {why}", o.kind, o.id, o.title));
            "failed"
        } else {
            match done.get(&key) {
                Some(true) => "updated",
                Some(false) => "created",
                // Kibana before 7.12 lists no successResults: it counts them only.
                None if success => "imported",
                None => "not imported",
            }
        };
        rows.push(Imported {
            uid: o.id.clone(),
            title: o.title.clone(),
            change: change.into(),
            url: object_url(base, &o.kind, &o.id),
            version: None,
            kind: Some(o.kind.clone()),
        });
    }
    // Errors about objects that are not in the file (Kibana names them) count too.
    for ((kind, id), why) in &failed {
        if !objects.iter().any(|o| &o.kind == kind && &o.id == id) {
            problems.push(format!("{kind} {id:?}: {why}"));
        }
    }
    if success && problems.is_empty() && count != objects.len() as u64 {
        problems.push(format!(
            "Kibana imported {count} of the {} saved objects and named no errors",
            objects.len()
        ));
    }
    Ok((
        ImportReport {
            target: "kibana".into(),
            destination: base.to_string(),
            folder: None,
            dashboards: rows,
        },
        problems,
    ))
}

/// The result of an import: the per-object report, and the failures Kibana named (empty
/// when everything was imported).
pub struct Outcome {
    pub report: ImportReport,
    pub failures: Vec<String>,
}

/// Import `ndjson` into the Kibana at `base` with the API key `token`, overwriting the
/// objects with the same ids.
pub async fn import(base: &str, token: Option<&Secret>, ndjson: &str) -> Result<Outcome> {
    let base = base.trim_end_matches('/').to_string();
    let objects = parse(ndjson).map_err(|e| Error::Other(format!("{FILE}: {e}")))?;
    let http = crate::net::tls::http_client()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("hivemind/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::caused("building the HTTP client", e))?;
    let (content_type, body) = multipart(ndjson)?;
    let mut req = http
        .post(format!("{base}/api/saved_objects/_import?overwrite=true"))
        .header("kbn-xsrf", "true")
        .header("accept", "application/json")
        .header("content-type", content_type)
        .body(body);
    if let Some(t) = token {
        req = req.header("authorization", format!("ApiKey {}", t.expose()));
    }
    let resp = req.send().await.map_err(|e| {
        Error::Remote(format!(
            "Kibana at {base}: importing the saved objects: {} (pass --url with Kibana's address, or write the NDJSON for Kibana's import page with --output-dir DIR)",
            crate::net::describe(&e)
        ))
    })?;
    let status = resp.status().as_u16();
    let bytes = crate::net::read_body(resp, crate::model::input::Input::PEER_ANSWER.max_bytes())
        .await
        .unwrap_or_default();
    let answer = crate::model::input::json_value(&bytes, crate::model::input::Input::PEER_ANSWER)
        .unwrap_or(Value::Null);
    // Kibana's text may quote what it was sent.
    let message = crate::redact::redact_cut(answer["message"].as_str().unwrap_or(""), 300);
    let said = if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    };
    match status {
        200 => {}
        401 => {
            return Err(Error::Remote(format!(
                "Kibana at {base} refused the request (HTTP 401{said}): give an API key (its encoded form) with --token-stdin"
            )));
        }
        403 => {
            return Err(Error::Remote(format!(
                "Kibana at {base}: the API key may not import saved objects (HTTP 403{said}): it needs the Saved Objects Management (or Dashboard and Discover) privilege"
            )));
        }
        404 => {
            return Err(Error::Remote(format!(
                "Kibana at {base}: no saved-objects import API at /api/saved_objects/_import (is this Kibana?)"
            )));
        }
        _ => {
            return Err(Error::Remote(format!(
                "Kibana at {base}: importing the saved objects: HTTP {status}{said}"
            )));
        }
    }
    let (report, failures) = report(&base, &objects, &answer).map_err(|e| {
        Error::Remote(format!(
            "Kibana at {base}: an import answer hivemind cannot read: {e}"
        ))
    })?;
    Ok(Outcome { report, failures })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_file_parses_and_holds_the_four_dashboards() {
        let objects = parse(NDJSON).unwrap();
        for title in TITLES {
            assert_eq!(
                objects
                    .iter()
                    .filter(|o| o.kind == "dashboard" && o.title == title)
                    .count(),
                1,
                "{title}"
            );
        }
        assert_eq!(objects.iter().filter(|o| o.kind == "dashboard").count(), 4);
        assert!(objects.iter().filter(|o| o.kind == "search").count() >= 4);
        // Each line parses on its own, newline-terminated, as the import API reads it.
        assert!(NDJSON.ends_with('\n'));
        for line in NDJSON.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            if v["type"] == "index-pattern" {
                assert_eq!(v["attributes"]["title"], DEFAULT_PATTERN);
                // The shipped records' time field.
                assert_eq!(v["attributes"]["timeFieldName"], "timestamp");
            }
            // What the saved objects store as JSON text is JSON too.
            for key in ["panelsJSON", "optionsJSON"] {
                if let Some(s) = v["attributes"][key].as_str() {
                    serde_json::from_str::<Value>(s).unwrap();
                }
            }
            if let Some(s) = v["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"].as_str() {
                let source: Value = serde_json::from_str(s).unwrap();
                // Every indexRefName names a reference of the object.
                let mut names = Vec::new();
                if let Some(n) = source["indexRefName"].as_str() {
                    names.push(n.to_string());
                }
                for f in source["filter"].as_array().unwrap() {
                    names.push(f["meta"]["indexRefName"].as_str().unwrap().to_string());
                }
                for n in names {
                    assert!(
                        v["references"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|r| r["name"] == n && r["id"] == DATA_VIEW_ID),
                        "{} has no reference named {n}",
                        v["id"]
                    );
                }
            }
            if let Some(s) = v["attributes"]["panelsJSON"].as_str() {
                let panels: Vec<Value> = serde_json::from_str(s).unwrap();
                assert!(!panels.is_empty());
                for p in panels {
                    let name = p["panelRefName"].as_str().unwrap();
                    assert!(
                        v["references"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|r| r["name"] == name),
                        "{name}"
                    );
                }
            }
        }
    }

    /// The queries name the fields the shipped records really have.
    #[test]
    fn the_searches_query_the_fields_records_carry() {
        let record = serde_json::to_value(crate::telemetry::log::LogRecord {
            timestamp: "2026-01-01T00:00:00.000Z".into(),
            level: crate::model::Level::Error,
            message: "m".into(),
            service: "hivemind".into(),
            container_id: Some("c".into()),
            node_id: None,
            trace_id: None,
            span_id: None,
            metadata: serde_json::Map::new(),
        })
        .unwrap();
        for field in ["timestamp", "level", "service", "container_id", "message"] {
            assert!(record.get(field).is_some(), "{field}");
        }
        assert_eq!(record["level"], "error");
        for q in [
            "container_id:*",
            "level:error",
            "metadata.log_type:audit",
            r#"\"key\":\"container_id\""#,
        ] {
            assert!(NDJSON.contains(q), "{q}");
        }
    }

    #[test]
    fn another_index_changes_the_data_view_only() {
        assert_eq!(ndjson(DEFAULT_PATTERN), NDJSON);
        assert_eq!(pattern_for_index("hivemind-logs"), DEFAULT_PATTERN);
        assert_eq!(pattern_for_index("logs-app*"), "logs-app*");
        let other = ndjson("logs-hivemind*");
        let changed: Vec<(&str, &str)> = NDJSON
            .lines()
            .zip(other.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed.len(), 1);
        let v: Value = serde_json::from_str(changed[0].1).unwrap();
        assert_eq!(v["type"], "index-pattern");
        assert_eq!(v["attributes"]["title"], "logs-hivemind*");
        parse(&other).unwrap();
    }

    #[test]
    fn broken_files_are_refused_with_a_reason() {
        let first = NDJSON.lines().next().unwrap();
        let cases: Vec<(String, &str)> = vec![
            ("{\n".into(), "line 1: not JSON"),
            (format!("{first}\n\n"), "line 2: empty"),
            (format!("{first}\n{first}\n"), "in the file twice"),
            (
                NDJSON.replace(
                    "{\"type\":\"search\",\"id\":\"hivemind-logs-errors\"",
                    "{\"type\":\"search\",\"id\":\"x\"",
                ),
                "which is not in the file",
            ),
            (
                NDJSON.replace("\"title\":\"Audit Logs\"", "\"title\":\"Audit\""),
                "no dashboard titled \"Audit Logs\"",
            ),
            (
                NDJSON.replace(
                    "{\"type\":\"index-pattern\",\"id\":\"hivemind-logs\"",
                    "{\"type\":\"index-pattern\",\"id\":\"other\"",
                ),
                "expected one index-pattern saved object",
            ),
            (
                NDJSON.replace(
                    "{\"name\":\"kibanaSavedObjectMeta.searchSourceJSON.filter[0].meta.index\",\"type\":\"index-pattern\",\"id\":\"hivemind-logs\"},",
                    "",
                ),
                "does not reference the data view",
            ),
            (NDJSON.replace("\"references\":[]", "\"refs\":[]"), "no references array"),
        ];
        for (text, why) in cases {
            let e = parse(&text).unwrap_err();
            assert!(e.contains(why), "{e} (expected {why})");
        }
    }

    #[test]
    fn the_multipart_body_holds_the_file_part() {
        let (ct, body) = multipart(NDJSON).unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
        assert!(text.contains("name=\"file\"; filename=\"hivemind-logs.ndjson\""));
        let start = text.find("\r\n\r\n").unwrap() + 4;
        let end = text.rfind(&format!("\r\n--{boundary}--")).unwrap();
        assert_eq!(&text[start..end], NDJSON);
        let (other, _) = multipart(NDJSON).unwrap();
        assert_ne!(ct, other, "a fresh boundary each time");
    }

    #[test]
    fn kibana_answers_become_rows_and_failures() {
        let objects = parse(NDJSON).unwrap();
        let all: Vec<Value> = objects
            .iter()
            .map(|o| serde_json::json!({"type": o.kind, "id": o.id, "meta": {"title": o.title}}))
            .collect();
        let first =
            serde_json::json!({"success": true, "successCount": all.len(), "successResults": all});
        let (r, failures) = report("http://k", &objects, &first).unwrap();
        assert!(failures.is_empty());
        assert!(r.dashboards.iter().all(|d| d.change == "created"));
        let dash = r
            .dashboards
            .iter()
            .find(|d| d.title == "Error Logs")
            .unwrap();
        assert_eq!(
            dash.url,
            "http://k/app/dashboards#/view/hivemind-error-logs-dashboard"
        );
        let again: Vec<Value> = all
            .iter()
            .map(|o| {
                let mut o = o.clone();
                o["overwrite"] = true.into();
                o
            })
            .collect();
        let second = serde_json::json!({"success": true, "successCount": again.len(), "successResults": again});
        let (r, _) = report("http://k", &objects, &second).unwrap();
        assert!(r.dashboards.iter().all(|d| d.change == "updated"));

        let partial = serde_json::json!({
            "success": false, "successCount": 1,
            "successResults": [all[0]],
            "errors": [
                {"type": "search", "id": "hivemind-logs-audit", "meta": {"title": "t"},
                 "error": {"type": "missing_references", "references": [{"type": "index-pattern", "id": "gone"}]}},
                {"type": "dashboard", "id": "hivemind-audit-logs-dashboard",
                 "error": {"type": "unknown", "message": "boom", "statusCode": 500}},
            ]
        });
        let (r, failures) = report("http://k", &objects, &partial).unwrap();
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(
            failures[0].contains("missing_references")
                && failures[0].contains("index-pattern gone")
        );
        assert!(failures[1].contains("Audit Logs") && failures[1].contains("boom"));
        assert_eq!(r.dashboards[0].change, "created");
        assert_eq!(
            r.dashboards.iter().filter(|d| d.change == "failed").count(),
            2
        );
        assert_eq!(
            r.dashboards
                .iter()
                .filter(|d| d.change == "not imported")
                .count(),
            objects.len() - 3
        );
        let short = serde_json::json!({"success": true, "successCount": 2});
        let (_, failures) = report("http://k", &objects, &short).unwrap();
        assert!(failures[0].contains("imported 2 of the 9"), "{failures:?}");
        assert!(
            report(
                "http://k",
                &objects,
                &serde_json::json!({"successCount": 1})
            )
            .is_err()
        );
        assert!(
            report(
                "http://k",
                &objects,
                &serde_json::json!({"success": false, "successCount": 0})
            )
            .is_err()
        );
    }
}
