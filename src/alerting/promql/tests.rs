//! Evaluation over a hand-made history (the differential test against promtool lives in
//! tests/it/promql.rs).

use super::*;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `cpu{node}` counters and `mem{node}` gauges every 15 s for 10 minutes.
fn history() -> History {
    let mut h = History::new(None, i64::MAX);
    for i in 0..=40i64 {
        let t = i * 15_000;
        h.push(
            labels(&[("__name__", "cpu"), ("node", "a")]),
            t,
            i as f64 * 15.0,
        );
        h.push(
            labels(&[("__name__", "cpu"), ("node", "b")]),
            t,
            i as f64 * 30.0,
        );
        h.push(labels(&[("__name__", "mem"), ("node", "a")]), t, 50.0);
        h.push(labels(&[("__name__", "mem"), ("node", "b")]), t, 95.0);
    }
    h
}

fn eval_at(expr: &str, t: i64) -> Vec<(Labels, f64)> {
    let e = crate::model::expr::parse(expr).unwrap();
    assert_eq!(node_support(&e), Ok(()), "{expr}");
    let mut v: Vec<(Labels, f64)> = evaluate(&e, &history(), t)
        .unwrap()
        .into_iter()
        .map(|s| (s.labels, s.value))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn selectors_rates_and_comparisons() {
    let t = 600_000;
    assert_eq!(
        eval_at("mem > 90", t),
        [(labels(&[("__name__", "mem"), ("node", "b")]), 95.0)]
    );
    assert_eq!(
        eval_at("rate(cpu[5m])", t),
        [
            (labels(&[("node", "a")]), 1.0),
            (labels(&[("node", "b")]), 2.0)
        ]
    );
    assert_eq!(eval_at("sum(rate(cpu[5m]))", t), [(Labels::new(), 3.0)]);
    assert_eq!(
        eval_at("mem / on(node) rate(cpu[5m]) >= 47.5", t),
        [
            (labels(&[("node", "a")]), 50.0),
            (labels(&[("node", "b")]), 47.5)
        ]
    );
    assert_eq!(
        eval_at("absent(nothing{job=\"x\"})", t),
        [(labels(&[("job", "x")]), 1.0)]
    );
    assert!(eval_at("absent(mem)", t).is_empty());
    // After the lookback the series are gone.
    assert!(eval_at("mem", t + 300_001).is_empty());
    assert_eq!(eval_at("mem", t + 300_000).len(), 2);
    assert_eq!(
        eval_at("topk(1, mem)", t),
        [(labels(&[("__name__", "mem"), ("node", "b")]), 95.0)]
    );
    assert_eq!(
        eval_at("count(mem) by (node) == bool 1", t).len(),
        2,
        "bool keeps every series"
    );
}

#[test]
fn unsupported_parts_are_named() {
    for (expr, part) in [
        ("quantile(0.9, x)", "aggregation quantile"),
        ("predict_linear(x[5m], 60) > 0", "function predict_linear"),
        ("max_over_time(x[5m:1m])", "a subquery"),
    ] {
        let e = crate::model::expr::parse(expr).unwrap();
        assert_eq!(node_support(&e), Err(part.to_string()), "{expr}");
    }
}
