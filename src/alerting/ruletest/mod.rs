//! Rule unit tests in promtool's test-file format, run on the agent's own evaluator with no
//! Prometheus: `rule_files`, `evaluation_interval`, `tests` with `interval`, `input_series`
//! ([`series`] notation), `alert_rule_test` (`eval_time`, `alertname`, `exp_alerts` with
//! `exp_labels` and `exp_annotations`) and `promql_expr_test` (`expr`, `eval_time`,
//! `exp_samples`).
//!
//! As in `promtool test rules`: series sample `i` is at `i × interval`; rules are evaluated
//! every `evaluation_interval` from 0 up to the last `eval_time`, and an alert test is checked
//! against the evaluation at or just before its `eval_time`; only firing alerts count;
//! `alertname` is added to the expected labels; samples and alerts compare as sets.

pub mod series;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::eval::Evaluator;
use super::promql::{self, History, Labels};
use crate::error::{Error, Result};
use crate::model::alert::AlertState;
use crate::model::input::{self, Input};
use crate::model::{AlertRule, PromDuration, expr, rule_file};
use series::Point;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[serde(default)]
    rule_files: Vec<String>,
    #[serde(default)]
    evaluation_interval: Option<PromDuration>,
    #[serde(default)]
    #[allow(dead_code)]
    group_eval_order: Vec<String>,
    #[serde(default)]
    tests: Vec<TestGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestGroup {
    #[serde(default)]
    name: String,
    #[serde(default)]
    interval: Option<PromDuration>,
    #[serde(default)]
    input_series: Vec<InputSeries>,
    #[serde(default)]
    alert_rule_test: Vec<AlertTest>,
    #[serde(default)]
    promql_expr_test: Vec<ExprTest>,
    #[serde(default)]
    external_labels: BTreeMap<String, String>,
    #[serde(default)]
    external_url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputSeries {
    series: String,
    #[serde(default)]
    values: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertTest {
    eval_time: PromDuration,
    alertname: String,
    #[serde(default)]
    exp_alerts: Vec<ExpAlert>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpAlert {
    #[serde(default)]
    exp_labels: BTreeMap<String, String>,
    #[serde(default)]
    exp_annotations: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExprTest {
    expr: String,
    eval_time: PromDuration,
    #[serde(default)]
    exp_samples: Vec<ExpSample>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpSample {
    labels: String,
    value: f64,
}

/// The results of every file.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub files: Vec<FileResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileResult {
    pub file: String,
    pub tests: Vec<TestResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub name: String,
    pub passed: bool,
    /// One entry per failed check, with what was expected and what came out.
    pub failures: Vec<String>,
}

impl Report {
    pub fn failed(&self) -> bool {
        self.files.iter().flat_map(|f| &f.tests).any(|t| !t.passed)
    }

    /// promtool-like text: each file, SUCCESS or FAILED with the differences.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            let _ = writeln!(out, "Unit Testing:  {}", f.file);
            let failures: Vec<&TestResult> = f.tests.iter().filter(|t| !t.passed).collect();
            if failures.is_empty() {
                let _ = writeln!(out, "  SUCCESS\n");
                continue;
            }
            let _ = writeln!(out, "  FAILED:");
            for t in failures {
                for e in &t.failures {
                    let _ = writeln!(
                        out,
                        "    {}{e}",
                        if t.name.is_empty() {
                            String::new()
                        } else {
                            format!("{}: ", t.name)
                        }
                    );
                }
            }
            out.push('\n');
        }
        out
    }

    /// JUnit XML: one suite per file, one case per test group.
    pub fn junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
        for f in &self.files {
            let failures = f.tests.iter().filter(|t| !t.passed).count();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
                xml(&f.file),
                f.tests.len()
            );
            for (i, t) in f.tests.iter().enumerate() {
                let name = if t.name.is_empty() {
                    format!("test {}", i + 1)
                } else {
                    t.name.clone()
                };
                if t.passed {
                    let _ = writeln!(out, "    <testcase name=\"{}\"/>", xml(&name));
                } else {
                    let _ = writeln!(
                        out,
                        "    <testcase name=\"{}\">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml(&name),
                        xml(t
                            .failures
                            .first()
                            .map_or("", |s| s.lines().next().unwrap_or(""))),
                        xml(&t.failures.join("\n"))
                    );
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => o.push(c),
        }
    }
    o
}

/// A test file read and checked, ready to run.
struct Loaded {
    shown: String,
    file: TestFile,
    rules: Vec<AlertRule>,
}

fn read(path: &Path, what: Input) -> Result<String> {
    match crate::store::fs::read_input(path, what)? {
        Some(Ok(text)) => Ok(text),
        Some(Err(e)) => Err(Error::Parse {
            kind: "rule test file",
            path: path.to_path_buf(),
            detail: e.to_string(),
        }),
        None => Err(Error::Usage(format!("{}: no such file", path.display()))),
    }
}

fn load(path: &Path) -> Result<Loaded> {
    let shown = path.display().to_string();
    let invalid = |detail: String| Error::Parse {
        kind: "rule test file",
        path: path.to_path_buf(),
        detail,
    };
    let text = read(path, Input::RULE_FILE)?;
    let mut docs =
        input::yaml_documents(&text, Input::RULE_FILE).map_err(|e| invalid(e.to_string()))?;
    let Some(doc) = docs.next() else {
        return Err(invalid("empty file".into()));
    };
    let file = TestFile::deserialize(doc).map_err(|e| invalid(e.to_string()))?;
    if docs.next().is_some() {
        return Err(invalid("one YAML document per test file".into()));
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let mut rules: Vec<AlertRule> = Vec::new();
    for rf in &file.rule_files {
        let rp: PathBuf = base.join(rf);
        let text = read(&rp, Input::RULE_FILE)?;
        let located = rule_file::parse_located(&text).map_err(|detail| Error::Parse {
            kind: "rule file",
            path: rp.clone(),
            detail,
        })?;
        for l in located {
            l.rule
                .validate_with_cap(|f| format!("{}: {f}", l.place), expr::OFFLINE_RANGE)
                .and_then(|()| super::rules::check(&l.rule).map_err(|e| e.context(&l.place)))
                .map_err(|e| e.context(rp.display()))?;
            if rules.iter().any(|r| r.name == l.rule.name) {
                return Err(Error::Usage(format!(
                    "{}: {}: alert rule '{}' is given twice",
                    rp.display(),
                    l.place,
                    l.rule.name
                )));
            }
            if let Err(why) = super::rules::offline_support(&l.rule) {
                return Err(Error::Usage(format!(
                    "{}: {}: {why}: test-rules runs the agent's evaluator, which does not evaluate it (promtool does)",
                    rp.display(),
                    l.place
                )));
            }
            rules.push(l.rule);
        }
    }
    for (i, g) in file.tests.iter().enumerate() {
        for e in &g.promql_expr_test {
            let parsed = expr::parse_with_cap(&e.expr, expr::OFFLINE_RANGE)
                .map_err(|a| invalid(format!("test {}: expr {:?}: expected {a}", i + 1, e.expr)))?;
            promql::node_support(&parsed).map_err(|part| {
                invalid(format!(
                    "test {}: expr {:?}: {part} is not evaluated by the agent",
                    i + 1,
                    e.expr
                ))
            })?;
            for s in &e.exp_samples {
                series::labels(&s.labels).map_err(|m| invalid(format!("test {}: {m}", i + 1)))?;
            }
        }
        for s in &g.input_series {
            series::labels(&s.series).map_err(|m| invalid(format!("test {}: {m}", i + 1)))?;
        }
    }
    Ok(Loaded { shown, file, rules })
}

/// Load every file (an invalid one stops everything: exit 2), then run them.
pub fn run_files(paths: &[PathBuf]) -> Result<Report> {
    let loaded: Vec<Loaded> = paths.iter().map(|p| load(p)).collect::<Result<_>>()?;
    let mut files = Vec::new();
    for l in loaded {
        let mut tests = Vec::new();
        let eval_interval = l.file.evaluation_interval.map_or(60_000, |d| ms(d).max(1));
        for (i, g) in l.file.tests.iter().enumerate() {
            let failures = run_group(g, &l.rules, eval_interval)
                .map_err(|e| Error::Usage(format!("{}: test {}: {e}", l.shown, i + 1)))?;
            tests.push(TestResult {
                name: g.name.clone(),
                passed: failures.is_empty(),
                failures,
            });
        }
        files.push(FileResult {
            file: l.shown,
            tests,
        });
    }
    Ok(Report { files })
}

fn ms(d: PromDuration) -> i64 {
    i64::try_from(d.as_std().as_millis()).unwrap_or(i64::MAX)
}

/// An alert as compared: its labels and annotations.
type LabelsAndAnnotations = (BTreeMap<String, String>, BTreeMap<String, String>);

/// The most evaluation steps one test group may take (eval_time / evaluation_interval).
const MAX_STEPS: i64 = 100_000;

fn run_group(
    g: &TestGroup,
    rules: &[AlertRule],
    eval_interval: i64,
) -> std::result::Result<Vec<String>, String> {
    let interval = g.interval.map_or(eval_interval, |d| ms(d).max(1));
    let mut history = History::new(None, i64::MAX);
    let mut budget = series::MAX_SAMPLES;
    for s in &g.input_series {
        let labels = series::labels(&s.series)?;
        let points = series::expand(&s.values, &mut budget)?;
        for (i, p) in points.into_iter().enumerate() {
            let t = i as i64 * interval;
            match p {
                Point::Missing => {}
                Point::Stale => history.push(
                    labels.clone(),
                    t,
                    f64::from_bits(promql::history::STALE_BITS),
                ),
                Point::Value(v) => history.push(labels.clone(), t, v),
            }
        }
    }
    let _ = (&g.external_labels, &g.external_url);
    let mut failures = Vec::new();

    // Alert tests, by eval time.
    let mut by_time: Vec<&AlertTest> = g.alert_rule_test.iter().collect();
    by_time.sort_by_key(|a| ms(a.eval_time));
    if let Some(last) = by_time.last() {
        let max = ms(last.eval_time);
        if max / eval_interval > MAX_STEPS {
            return Err(format!(
                "eval_time {} is more than {MAX_STEPS} evaluation intervals away",
                last.eval_time
            ));
        }
        let mut ev = Evaluator::offline();
        let mut next = 0usize;
        let mut ts = 0i64;
        while ts <= max {
            let (outcome, h) = ev.evaluate_with(rules, history, ts as u64);
            history = h;
            if let Some((rule, e)) = outcome.new_errors.first() {
                failures.push(format!(
                    "rule {rule} failed to evaluate at {}: {e}",
                    dur(ts)
                ));
            }
            while next < by_time.len() && ms(by_time[next].eval_time) < ts + eval_interval {
                let t = by_time[next];
                next += 1;
                let mut got: Vec<LabelsAndAnnotations> = ev
                    .alerts()
                    .filter(|a| a.rule == t.alertname && a.state == AlertState::Firing)
                    .map(|a| (a.labels.clone(), a.annotations.clone()))
                    .collect();
                let mut exp: Vec<LabelsAndAnnotations> = t
                    .exp_alerts
                    .iter()
                    .map(|e| {
                        let mut l = e.exp_labels.clone();
                        l.insert("alertname".into(), t.alertname.clone());
                        (l, e.exp_annotations.clone())
                    })
                    .collect();
                got.sort();
                exp.sort();
                if got != exp {
                    failures.push(format!(
                        "alertname: {}, time: {},\n        exp:{},\n        got:{}",
                        t.alertname,
                        t.eval_time,
                        alerts_text(&exp),
                        alerts_text(&got)
                    ));
                }
            }
            ts += eval_interval;
        }
    }

    // Expression tests.
    for e in &g.promql_expr_test {
        let parsed = expr::parse_with_cap(&e.expr, expr::OFFLINE_RANGE)?;
        let t = ms(e.eval_time);
        let mut got: Vec<(Labels, f64)> = match promql::evaluate(&parsed, &history, t) {
            Ok(v) => v.into_iter().map(|s| (s.labels, s.value)).collect(),
            Err(err) => {
                failures.push(format!(
                    "    expr: {:?}, time: {}, err: {err}",
                    e.expr, e.eval_time
                ));
                continue;
            }
        };
        let mut exp: Vec<(Labels, f64)> = e
            .exp_samples
            .iter()
            .map(|s| series::labels(&s.labels).map(|l| (l, s.value)))
            .collect::<std::result::Result<_, _>>()?;
        got.sort_by(|a, b| a.0.cmp(&b.0));
        exp.sort_by(|a, b| a.0.cmp(&b.0));
        let same = got.len() == exp.len()
            && got
                .iter()
                .zip(&exp)
                .all(|(g, x)| g.0 == x.0 && (g.1 == x.1 || (g.1.is_nan() && x.1.is_nan())));
        if !same {
            failures.push(format!(
                "expr: {:?}, time: {},\n        exp: {}\n        got: {}",
                e.expr,
                e.eval_time,
                samples_text(&exp),
                samples_text(&got)
            ));
        }
    }
    Ok(failures)
}

fn dur(ms: i64) -> String {
    PromDuration::from_secs(u64::try_from(ms / 1000).unwrap_or(0)).to_string()
}

fn labels_text(l: &BTreeMap<String, String>) -> String {
    let mut name = String::new();
    let parts: Vec<String> = l
        .iter()
        .filter(|(k, v)| {
            if *k == "__name__" {
                name = (*v).clone();
                false
            } else {
                true
            }
        })
        .map(|(k, v)| format!("{k}={}", crate::model::rule::promql_string(v)))
        .collect();
    format!("{name}{{{}}}", parts.join(", "))
}

fn samples_text(s: &[(Labels, f64)]) -> String {
    let parts: Vec<String> = s
        .iter()
        .map(|(l, v)| format!("{} {}", labels_text(l), super::template::go_float(*v)))
        .collect();
    format!("[{}]", parts.join(", "))
}

fn alerts_text(a: &[LabelsAndAnnotations]) -> String {
    let parts: Vec<String> = a
        .iter()
        .enumerate()
        .map(|(i, (l, ann))| {
            format!(
                "\n            {i}:\n              Labels:{}\n              Annotations:{}",
                labels_text(l),
                labels_text(ann)
            )
        })
        .collect();
    format!("[{}]", parts.join(""))
}
