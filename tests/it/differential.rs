//! The differential test: the agent's PromQL evaluator against real Prometheus. Every case is
//! a promtool unit-test file (`promql_expr_test` with exact `exp_samples`, or
//! `alert_rule_test` for `for` transitions, labels and annotation templates), run through
//! `hivemind health test-rules` and `promtool test rules`: both pass. Each case has a twin
//! with one deliberately wrong expected value or label, which both fail. The expected values
//! are Prometheus 2.42's (promtool from Debian's `prometheus` package).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::agent::peer;
use super::{hm, hm_run, run};

/// The series every expression case reads (1-minute interval). `c_total{i="b"}` resets at
/// 6m; `g{i="b"}` has a staleness marker at 3m and missing samples; `x_end` stops at 1m.
const INPUT: &str = r#"- series: 'c_total{i="a"}'
  values: '0+60x20'
- series: 'c_total{i="b"}'
  values: '0+120x5 0+120x14'
- series: 'g{i="a"}'
  values: '1 5 3 8 2 9 4 7 6 10 1x10'
- series: 'g{i="b"}'
  values: '10 20 30 stale 40 _ 50 _x3 60'
- series: 'x_end{i="a"}'
  values: '1 1'
- series: 'h_bucket{le="0.1"}'
  values: '0+1x20'
- series: 'h_bucket{le="0.5"}'
  values: '0+3x20'
- series: 'h_bucket{le="1"}'
  values: '0+4x20'
- series: 'h_bucket{le="+Inf"}'
  values: '0+8x20'
- series: 'up{job="x",instance="h1"}'
  values: '1 1 1 0 0 0 0 0 0 0 0'
- series: 'up{job="x",instance="h2"}'
  values: '1x10'
- series: 'cpu{i="a",mode="user"}'
  values: '1x10'
- series: 'cpu{i="a",mode="sys"}'
  values: '3x10'
- series: 'cpu{i="b",mode="user"}'
  values: '6x10'
- series: 'limit{i="a"}'
  values: '4x10'
- series: 'limit{i="b"}'
  values: '8x10'
- series: 'owner{i="a",team="db"}'
  values: '1x10'
- series: 'owner{i="b",team="web"}'
  values: '1x10'
"#;

struct Case {
    name: &'static str,
    expr: &'static str,
    at: &'static str,
    /// `name{labels}` (or `{labels}`) and the value, exactly as Prometheus computes it.
    samples: &'static [(&'static str, f64)],
}

const CASES: &[Case] = &[
    Case {
        name: "selector",
        expr: r#"g"#,
        at: "5m",
        samples: &[(r#"g{i="a"}"#, 9.0), (r#"g{i="b"}"#, 40.0)],
    },
    Case {
        name: "regex_matcher",
        expr: r#"g{i=~"a|c"}"#,
        at: "5m",
        samples: &[(r#"g{i="a"}"#, 9.0)],
    },
    Case {
        name: "not_equal",
        expr: r#"g{i!="a"}"#,
        at: "2m",
        samples: &[(r#"g{i="b"}"#, 30.0)],
    },
    Case {
        name: "not_regex",
        expr: r#"cpu{mode!~"us.*"}"#,
        at: "2m",
        samples: &[(r#"cpu{i="a", mode="sys"}"#, 3.0)],
    },
    Case {
        name: "offset",
        expr: r#"g offset 2m"#,
        at: "5m",
        samples: &[(r#"g{i="a"}"#, 8.0)],
    },
    Case {
        name: "stale_marker_hides",
        expr: r#"g{i="b"}"#,
        at: "3m",
        samples: &[],
    },
    Case {
        name: "after_stale",
        expr: r#"g{i="b"}"#,
        at: "4m",
        samples: &[(r#"g{i="b"}"#, 40.0)],
    },
    Case {
        name: "lookback_over_missing",
        expr: r#"g{i="b"}"#,
        at: "5m",
        samples: &[(r#"g{i="b"}"#, 40.0)],
    },
    Case {
        name: "lookback_edge_inclusive",
        expr: r#"x_end"#,
        at: "6m",
        samples: &[(r#"x_end{i="a"}"#, 1.0)],
    },
    Case {
        name: "lookback_expired",
        expr: r#"x_end"#,
        at: "7m",
        samples: &[],
    },
    Case {
        name: "rate",
        expr: r#"rate(c_total[5m])"#,
        at: "10m",
        samples: &[(r#"{i="a"}"#, 1.0), (r#"{i="b"}"#, 1.6)],
    },
    Case {
        name: "rate_counter_reset",
        expr: r#"rate(c_total{i="b"}[5m])"#,
        at: "8m",
        samples: &[(r#"{i="b"}"#, 1.6)],
    },
    Case {
        name: "rate_extrapolated",
        expr: r#"rate(c_total[4m30s])"#,
        at: "10m",
        samples: &[(r#"{i="a"}"#, 1.0), (r#"{i="b"}"#, 1.777777777777778)],
    },
    Case {
        name: "increase",
        expr: r#"increase(c_total[5m])"#,
        at: "8m",
        samples: &[(r#"{i="a"}"#, 300.0), (r#"{i="b"}"#, 480.0)],
    },
    Case {
        name: "irate_reset",
        expr: r#"irate(c_total{i="b"}[5m])"#,
        at: "6m",
        samples: &[(r#"{i="b"}"#, 0.0)],
    },
    Case {
        name: "irate",
        expr: r#"irate(c_total[5m])"#,
        at: "10m",
        samples: &[(r#"{i="a"}"#, 1.0), (r#"{i="b"}"#, 2.0)],
    },
    Case {
        name: "delta",
        expr: r#"delta(g[5m])"#,
        at: "9m",
        samples: &[(r#"{i="a"}"#, 8.0), (r#"{i="b"}"#, 15.0)],
    },
    Case {
        name: "deriv",
        expr: r#"deriv(g[5m])"#,
        at: "9m",
        samples: &[
            (r#"{i="a"}"#, 0.01619047619047619),
            (r#"{i="b"}"#, 0.08333333333333333),
        ],
    },
    Case {
        name: "avg_over_time",
        expr: r#"avg_over_time(g[5m])"#,
        at: "9m",
        samples: &[(r#"{i="a"}"#, 6.333333333333333), (r#"{i="b"}"#, 45.0)],
    },
    Case {
        name: "min_over_time",
        expr: r#"min_over_time(g[5m])"#,
        at: "9m",
        samples: &[(r#"{i="a"}"#, 2.0), (r#"{i="b"}"#, 40.0)],
    },
    Case {
        name: "max_over_time",
        expr: r#"max_over_time(g[5m])"#,
        at: "9m",
        samples: &[(r#"{i="a"}"#, 10.0), (r#"{i="b"}"#, 50.0)],
    },
    Case {
        name: "sum_over_time",
        expr: r#"sum_over_time(g[5m])"#,
        at: "9m",
        samples: &[(r#"{i="a"}"#, 38.0), (r#"{i="b"}"#, 90.0)],
    },
    Case {
        name: "count_over_time_stale_missing",
        expr: r#"count_over_time(g[10m])"#,
        at: "10m",
        samples: &[(r#"{i="a"}"#, 11.0), (r#"{i="b"}"#, 6.0)],
    },
    Case {
        name: "last_over_time",
        expr: r#"last_over_time(g[5m])"#,
        at: "9m",
        samples: &[(r#"g{i="a"}"#, 10.0), (r#"g{i="b"}"#, 50.0)],
    },
    Case {
        name: "absent_missing",
        expr: r#"absent(nothing{job="x",instance=~"h.*"})"#,
        at: "5m",
        samples: &[(r#"{job="x"}"#, 1.0)],
    },
    Case {
        name: "absent_present",
        expr: r#"absent(g)"#,
        at: "5m",
        samples: &[],
    },
    Case {
        name: "absent_over_time",
        expr: r#"absent_over_time(nothing{a="b"}[5m])"#,
        at: "5m",
        samples: &[(r#"{a="b"}"#, 1.0)],
    },
    Case {
        name: "abs",
        expr: r#"abs(g - 5)"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 4.0), (r#"{i="b"}"#, 35.0)],
    },
    Case {
        name: "clamp",
        expr: r#"clamp(g, 2, 6)"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 6.0), (r#"{i="b"}"#, 6.0)],
    },
    Case {
        name: "clamp_min",
        expr: r#"clamp_min(g, 4)"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 9.0), (r#"{i="b"}"#, 40.0)],
    },
    Case {
        name: "clamp_max",
        expr: r#"clamp_max(g, 4)"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 4.0), (r#"{i="b"}"#, 4.0)],
    },
    Case {
        name: "round",
        expr: r#"round(g / 4)"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 2.0), (r#"{i="b"}"#, 10.0)],
    },
    Case {
        name: "round_to",
        expr: r#"round(g / 3, 0.5)"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 3.0), (r#"{i="b"}"#, 13.5)],
    },
    Case {
        name: "time",
        expr: r#"time()"#,
        at: "5m",
        samples: &[(r#"{}"#, 300.0)],
    },
    Case {
        name: "vector",
        expr: r#"vector(7)"#,
        at: "5m",
        samples: &[(r#"{}"#, 7.0)],
    },
    Case {
        name: "scalar",
        expr: r#"scalar(g{i="a"}) * 2"#,
        at: "5m",
        samples: &[(r#"{}"#, 18.0)],
    },
    Case {
        name: "histogram_quantile",
        expr: r#"histogram_quantile(0.3, rate(h_bucket[5m]))"#,
        at: "10m",
        samples: &[(r#"{}"#, 0.38)],
    },
    Case {
        name: "histogram_quantile_high",
        expr: r#"histogram_quantile(0.9, rate(h_bucket[5m]))"#,
        at: "10m",
        samples: &[(r#"{}"#, 1.0)],
    },
    Case {
        name: "arithmetic",
        expr: r#"g{i="a"} * 2 - 1"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 17.0)],
    },
    Case {
        name: "modulo_power",
        expr: r#"g % 3 + g ^ 2"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 81.0), (r#"{i="b"}"#, 1601.0)],
    },
    Case {
        name: "vector_vector",
        expr: r#"c_total / on(i) g"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 33.333333333333336), (r#"{i="b"}"#, 15.0)],
    },
    Case {
        name: "compare_filter",
        expr: r#"g > 4"#,
        at: "5m",
        samples: &[(r#"g{i="a"}"#, 9.0), (r#"g{i="b"}"#, 40.0)],
    },
    Case {
        name: "compare_bool",
        expr: r#"g > bool 4"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 1.0), (r#"{i="b"}"#, 1.0)],
    },
    Case {
        name: "scalar_compare",
        expr: r#"4 < g"#,
        at: "5m",
        samples: &[(r#"g{i="a"}"#, 9.0), (r#"g{i="b"}"#, 40.0)],
    },
    Case {
        name: "and",
        expr: r#"g and on(i) c_total{i="a"}"#,
        at: "5m",
        samples: &[(r#"g{i="a"}"#, 9.0)],
    },
    Case {
        name: "or",
        expr: r#"g{i="a"} or up"#,
        at: "5m",
        samples: &[
            (r#"g{i="a"}"#, 9.0),
            (r#"up{instance="h1", job="x"}"#, 0.0),
            (r#"up{instance="h2", job="x"}"#, 1.0),
        ],
    },
    Case {
        name: "unless",
        expr: r#"g unless g{i="a"}"#,
        at: "5m",
        samples: &[(r#"g{i="b"}"#, 40.0)],
    },
    Case {
        name: "ignoring_group_left",
        expr: r#"cpu / ignoring(mode) group_left limit"#,
        at: "5m",
        samples: &[
            (r#"{i="a", mode="sys"}"#, 0.75),
            (r#"{i="a", mode="user"}"#, 0.25),
            (r#"{i="b", mode="user"}"#, 0.75),
        ],
    },
    Case {
        name: "group_right",
        expr: r#"limit * on(i) group_right cpu"#,
        at: "5m",
        samples: &[
            (r#"{i="a", mode="sys"}"#, 12.0),
            (r#"{i="a", mode="user"}"#, 4.0),
            (r#"{i="b", mode="user"}"#, 48.0),
        ],
    },
    Case {
        name: "group_left_labels",
        expr: r#"cpu * on(i) group_left(team) owner"#,
        at: "5m",
        samples: &[
            (r#"{i="a", mode="sys", team="db"}"#, 3.0),
            (r#"{i="a", mode="user", team="db"}"#, 1.0),
            (r#"{i="b", mode="user", team="web"}"#, 6.0),
        ],
    },
    Case {
        name: "sum_by",
        expr: r#"sum by (i) (cpu)"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 4.0), (r#"{i="b"}"#, 6.0)],
    },
    Case {
        name: "sum_without",
        expr: r#"sum without (mode) (cpu)"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 4.0), (r#"{i="b"}"#, 6.0)],
    },
    Case {
        name: "avg_by",
        expr: r#"avg by (mode) (cpu)"#,
        at: "5m",
        samples: &[(r#"{mode="sys"}"#, 3.0), (r#"{mode="user"}"#, 3.5)],
    },
    Case {
        name: "min_max",
        expr: r#"min(cpu) + max(cpu)"#,
        at: "5m",
        samples: &[(r#"{}"#, 7.0)],
    },
    Case {
        name: "count_by",
        expr: r#"count by (i) (cpu)"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, 2.0), (r#"{i="b"}"#, 1.0)],
    },
    Case {
        name: "topk",
        expr: r#"topk(2, cpu)"#,
        at: "5m",
        samples: &[
            (r#"cpu{i="a", mode="sys"}"#, 3.0),
            (r#"cpu{i="b", mode="user"}"#, 6.0),
        ],
    },
    Case {
        name: "bottomk_by",
        expr: r#"bottomk by (i) (1, cpu)"#,
        at: "5m",
        samples: &[
            (r#"cpu{i="a", mode="user"}"#, 1.0),
            (r#"cpu{i="b", mode="user"}"#, 6.0),
        ],
    },
    Case {
        name: "unary_minus",
        expr: r#"-g"#,
        at: "5m",
        samples: &[(r#"{i="a"}"#, -9.0), (r#"{i="b"}"#, -40.0)],
    },
    Case {
        name: "up_down",
        expr: r#"up == 0"#,
        at: "5m",
        samples: &[(r#"up{instance="h1", job="x"}"#, 0.0)],
    },
];

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn expr_file(case: &Case, samples: &[(String, f64)]) -> String {
    let mut exp = String::new();
    for (labels, value) in samples {
        exp.push_str(&format!(
            "          - labels: {}\n            value: {value:?}\n",
            yaml_str(labels)
        ));
    }
    if samples.is_empty() {
        exp.push_str("          []\n");
    }
    format!(
        "rule_files: []\nevaluation_interval: 1m\ntests:\n  - name: {}\n    interval: 1m\n    input_series:\n{}    promql_expr_test:\n      - expr: {}\n        eval_time: {}\n        exp_samples:\n{exp}",
        case.name,
        indent(INPUT, 4),
        yaml_str(case.expr),
        case.at
    )
}

fn indent(text: &str, n: usize) -> String {
    text.lines()
        .map(|l| format!("{}{l}\n", " ".repeat(n)))
        .collect()
}

/// The twin: the first expected value off by one, or an extra sample when none is expected.
fn twin(samples: &[(&str, f64)]) -> Vec<(String, f64)> {
    let mut s: Vec<(String, f64)> = samples.iter().map(|(l, v)| (l.to_string(), *v)).collect();
    match s.first_mut() {
        Some(first) => first.1 += 1.0,
        None => s.push(("{}".into(), 1.0)),
    }
    s
}

/// (hivemind's exit code and output, promtool's exit code when it is there).
fn both(
    dir: &Path,
    file: &Path,
    promtool: Option<&PathBuf>,
) -> ((i32, String), Option<(i32, String)>) {
    let (code, out, err) = hm_run(dir, &["health", "test-rules", file.to_str().unwrap()]);
    let ours = (code, format!("{out}{err}"));
    let theirs = promtool.map(|p| {
        let o = Command::new(p)
            .args(["test", "rules"])
            .arg(file)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )
    });
    (ours, theirs)
}

#[test]
fn promql_expressions_evaluate_as_prometheus_evaluates_them() {
    assert!(CASES.len() >= 40);
    let promtool = peer("promtool");
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in CASES {
        let right: Vec<(String, f64)> = case
            .samples
            .iter()
            .map(|(l, v)| (l.to_string(), *v))
            .collect();
        for (kind, samples, want) in [("right", right, 0), ("twin", twin(case.samples), 1)] {
            let file = dir.path().join(format!("{}-{kind}.yml", case.name));
            std::fs::write(&file, expr_file(case, &samples)).unwrap();
            let ((code, out), theirs) = both(dir.path(), &file, promtool.as_ref());
            if code != want {
                failures.push(format!(
                    "hivemind {} ({kind}): exit {code}, want {want}\n{out}",
                    case.name
                ));
            }
            if let Some((code, out)) = theirs
                && code != want
            {
                failures.push(format!(
                    "promtool {} ({kind}): exit {code}, want {want}\n{out}",
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Alerting rules: `for` (pending is not firing), resolution, labels from the series and the
/// rule (templated), annotations rendered with Prometheus's functions and Go's number format.
const RULES: &str = r#"groups:
  - name: diff
    rules:
      - alert: HighG
        expr: g{i="a"} > 5
        for: 2m
        labels:
          severity: warning
          team: '{{ $labels.i }}x'
        annotations:
          summary: '{{ $labels.i }} is {{ $value | humanize }}'
          description: 'value {{ printf "%.2f" $value }} after {{ 90 | humanizeDuration }}; {{ 0.256 | humanizePercentage }} of {{ 223629312 | humanize }}'
      - alert: InstanceDown
        expr: up == 0
        for: 1m
        labels:
          severity: critical
        annotations:
          summary: '{{ $labels.instance }} of {{ $labels.job }} is down'
      - alert: CounterFast
        expr: rate(c_total[5m]) > 1.5
        labels:
          severity: info
        annotations:
          summary: 'rate {{ $value }} {{ if gt $value 1.55 }}high{{ else }}low{{ end }}'
      - alert: GoneStale
        expr: absent(g{i="b"})
        labels:
          severity: info
"#;

/// Label or annotation names and values.
type Pairs = &'static [(&'static str, &'static str)];

struct AlertCase {
    name: &'static str,
    alert: &'static str,
    at: &'static str,
    /// Expected firing alerts: labels (alertname is added), annotations.
    alerts: &'static [(Pairs, Pairs)],
}

const ALERT_CASES: &[AlertCase] = &[
    AlertCase {
        name: "pending_is_not_firing",
        alert: "HighG",
        at: "3m",
        alerts: &[],
    },
    AlertCase {
        name: "for_restarts_after_a_dip",
        alert: "HighG",
        at: "6m",
        alerts: &[],
    },
    AlertCase {
        name: "fires_after_for",
        alert: "HighG",
        at: "9m",
        alerts: &[(
            &[("i", "a"), ("severity", "warning"), ("team", "ax")],
            &[
                ("summary", "a is 10"),
                ("description", "value 10.00 after 1m 30s; 25.6% of 223.6M"),
            ],
        )],
    },
    AlertCase {
        name: "resolves",
        alert: "HighG",
        at: "10m",
        alerts: &[],
    },
    AlertCase {
        name: "instance_pending",
        alert: "InstanceDown",
        at: "3m",
        alerts: &[],
    },
    AlertCase {
        name: "instance_down",
        alert: "InstanceDown",
        at: "5m",
        alerts: &[(
            &[("instance", "h1"), ("job", "x"), ("severity", "critical")],
            &[("summary", "h1 of x is down")],
        )],
    },
    AlertCase {
        name: "for_zero_fires_at_once_with_go_floats",
        alert: "CounterFast",
        at: "10m",
        alerts: &[(
            &[("i", "b"), ("severity", "info")],
            &[("summary", "rate 1.6 high")],
        )],
    },
    AlertCase {
        name: "absent_fires_on_staleness",
        alert: "GoneStale",
        at: "3m",
        alerts: &[(&[("i", "b"), ("severity", "info")], &[])],
    },
    AlertCase {
        name: "absent_clears",
        alert: "GoneStale",
        at: "4m",
        alerts: &[],
    },
];

fn alert_file(case: &AlertCase, alerts: &Expected) -> String {
    let mut exp = String::new();
    for (labels, annotations) in alerts {
        exp.push_str("              - exp_labels:\n");
        for (k, v) in labels {
            exp.push_str(&format!("                  {k}: {}\n", yaml_str(v)));
        }
        if !annotations.is_empty() {
            exp.push_str("                exp_annotations:\n");
            for (k, v) in annotations {
                exp.push_str(&format!("                  {k}: {}\n", yaml_str(v)));
            }
        }
    }
    if alerts.is_empty() {
        exp.push_str("              []\n");
    }
    format!(
        "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - name: {}\n    interval: 1m\n    input_series:\n{}    alert_rule_test:\n      - eval_time: {}\n        alertname: {}\n        exp_alerts:\n{exp}",
        case.name,
        indent(INPUT, 4),
        case.at,
        case.alert
    )
}

type Expected = Vec<(Vec<(String, String)>, Vec<(String, String)>)>;

fn owned(case: &AlertCase) -> Expected {
    case.alerts
        .iter()
        .map(|(l, a)| {
            (
                l.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                a.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        })
        .collect()
}

/// The twin: the first label of the first alert wrong, or an alert where none fires.
fn alert_twin(case: &AlertCase) -> Expected {
    let mut a = owned(case);
    match a.first_mut() {
        Some(first) => first.0[0].1.push_str("-wrong"),
        None => a.push((vec![("severity".into(), "warning".into())], Vec::new())),
    }
    a
}

fn run_alert_cases(dir: &Path, cases: &[AlertCase], promtool: Option<&PathBuf>) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        for (kind, alerts, want) in [("right", owned(case), 0), ("twin", alert_twin(case), 1)] {
            let file = dir.join(format!("{}-{kind}.yml", case.name));
            std::fs::write(&file, alert_file(case, &alerts)).unwrap();
            let ((code, out), theirs) = both(dir, &file, promtool);
            if code != want {
                failures.push(format!(
                    "hivemind {} ({kind}): exit {code}, want {want}\n{out}",
                    case.name
                ));
            }
            if let Some((code, out)) = theirs
                && code != want
            {
                failures.push(format!(
                    "promtool {} ({kind}): exit {code}, want {want}\n{out}",
                    case.name
                ));
            }
        }
    }
    failures
}

#[test]
fn alert_rules_fire_and_render_as_prometheus_fires_and_renders_them() {
    let promtool = peer("promtool");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.yml"), RULES).unwrap();
    let failures = run_alert_cases(dir.path(), ALERT_CASES, promtool.as_ref());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seed's node_down rule, entered as the seed writes it, exported, and tested offline
/// against the same series both ways: it fires for the node whose target is down, with its
/// name, and not while the target is up.
#[test]
fn the_seed_node_down_rule_exports_an_expression_prometheus_and_the_agent_agree_on() {
    let promtool = peer("promtool");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, _, err) = hm_run(
        &data,
        &[
            "health",
            "create-alert-rule",
            "--name",
            "node_down",
            "--metric",
            "hivemind_node_status",
            "--threshold",
            "0",
            "--duration",
            "1m",
            "--severity",
            "critical",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, rules, err) = hm_run(&data, &["health", "export-rules"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(dir.path().join("rules.yml"), &rules).unwrap();
    let y: serde_json::Value = yaml_serde::from_str(&rules).unwrap();
    let expr = y["groups"][0]["rules"][0]["expr"]
        .as_str()
        .unwrap()
        .to_string();
    let input = r#"- series: 'up{job="hivemind", instance="h1:9469"}'
  values: '1 1 1 0 0 0 0'
- series: 'hivemind_node_status{job="hivemind", instance="h1:9469", node="web-1"}'
  values: '1 1 1 stale'
- series: 'up{job="hivemind", instance="h2:9469"}'
  values: '1x6'
- series: 'hivemind_node_status{job="hivemind", instance="h2:9469", node="web-2"}'
  values: '1x6'
"#;
    let description = format!("{expr} for 1m");
    let file = |at: &str, alerts: &str| {
        format!(
            "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n{}    alert_rule_test:\n      - eval_time: {at}\n        alertname: node_down\n        exp_alerts:\n{alerts}",
            indent(input, 6)
        )
    };
    let down = |node: &str| {
        format!(
            "          - exp_labels:\n              node: {node}\n              instance: h1:9469\n              job: hivemind\n              severity: critical\n            exp_annotations:\n              summary: 'node {node} is down: Prometheus cannot scrape its agent at h1:9469'\n              description: {}\n",
            yaml_str(&description)
        )
    };
    let mut failures = Vec::new();
    for (name, at, alerts, want) in [
        ("up", "2m", "          []\n".to_string(), 0),
        ("pending", "3m", "          []\n".to_string(), 0),
        ("firing", "5m", down("web-1"), 0),
        ("twin_up", "2m", down("web-1"), 1),
        ("twin_wrong_node", "5m", down("web-2"), 1),
    ] {
        let path = dir.path().join(format!("node_down_{name}.yml"));
        std::fs::write(&path, file(at, &alerts)).unwrap();
        let ((code, out), theirs) = both(dir.path(), &path, promtool.as_ref());
        if code != want {
            failures.push(format!("hivemind {name}: exit {code}, want {want}\n{out}"));
        }
        if let Some((code, out)) = theirs
            && code != want
        {
            failures.push(format!("promtool {name}: exit {code}, want {want}\n{out}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Exit codes (0 pass, 1 a failure with the difference, 2 an invalid file) and JUnit XML.
#[test]
fn test_rules_exit_codes_and_junit() {
    let dir = tempfile::tempdir().unwrap();
    let case = &CASES[0];
    let good = dir.path().join("good.yml");
    std::fs::write(
        &good,
        expr_file(
            case,
            &case
                .samples
                .iter()
                .map(|(l, v)| (l.to_string(), *v))
                .collect::<Vec<_>>(),
        ),
    )
    .unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(&bad, expr_file(case, &twin(case.samples))).unwrap();
    let junit = dir.path().join("out/junit.xml");
    std::fs::create_dir_all(junit.parent().unwrap()).unwrap();
    let (code, out, err) = run(hm(dir.path()).args([
        "health",
        "test-rules",
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("good.yml") && out.contains("SUCCESS"), "{out}");
    assert!(
        out.contains("FAILED") && out.contains("exp: [g{i=\"a\"} 10"),
        "{out}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    let (code, out, _) =
        run(hm(dir.path()).args(["health", "test-rules", good.to_str().unwrap(), "-o", "json"]));
    assert_eq!(code, 0);
    let v = super::json(&out);
    assert_eq!(v["files"][0]["tests"][0]["passed"], true);

    for (text, want) in [
        ("rule_files: [missing.yml]\ntests: []\n", "missing.yml"),
        (
            "tests:\n  - input_series:\n      - series: 'up'\n        values: '1+1x99999999'\n",
            "more than",
        ),
        (
            "tests:\n  - promql_expr_test:\n      - expr: 'rate(x[5m]'\n        eval_time: 1m\n",
            "column",
        ),
        (
            "tests:\n  - promql_expr_test:\n      - expr: 'quantile(0.5, x)'\n        eval_time: 1m\n",
            "quantile",
        ),
        ("tests:\n  - unknown_key: 1\n", "unknown_key"),
        ("a: &a [*a]\n", "alias"),
    ] {
        std::fs::write(&bad, text).unwrap();
        let (code, out, err) = hm_run(dir.path(), &["health", "test-rules", bad.to_str().unwrap()]);
        assert_eq!(code, 2, "{text}: {out}{err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains(want) && err.trim().lines().count() == 1,
            "{want}: {err}"
        );
    }
}

/// The example rules and their tests pass here and in promtool, and load into the agent.
#[test]
fn the_example_rule_tests_pass_in_both() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let file = examples.join("prometheus-rules.test.yml");
    let dir = tempfile::tempdir().unwrap();
    let ((code, out), theirs) = both(dir.path(), &file, peer("promtool").as_ref());
    assert_eq!(code, 0, "{out}");
    if let Some((code, out)) = theirs {
        assert_eq!(code, 0, "{out}");
    }
    let rules = examples.join("prometheus-rules.yml");
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--strict",
            "--file",
            rules.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
}
