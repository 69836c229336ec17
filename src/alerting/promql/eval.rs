//! Instant evaluation of a parsed PromQL expression over the [`History`], with the semantics
//! of Prometheus 2.x's engine: instant selectors look back 5 minutes (inclusive) and stop at a
//! staleness marker; range selectors take the samples in `[t - range, t]`; arithmetic drops the
//! metric name, comparisons filter (or give 0/1 with `bool`); vector matching by `on`/`ignoring`
//! with `group_left`/`group_right`; `and`/`or`/`unless`; aggregations by/without.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{
    AggregateExpr, BinaryExpr, Expr, LabelModifier, Offset, VectorMatchCardinality, VectorSelector,
};

use super::history::{History, is_stale};
use super::{Labels, Sample, Series, Value, functions};
use crate::model::expr::LOOKBACK;

/// Where and when an expression is evaluated.
pub struct Ctx<'a> {
    pub history: &'a History,
    /// Unix milliseconds.
    pub t: i64,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn offset_ms(o: &Option<Offset>) -> i64 {
    match o {
        Some(Offset::Pos(d)) => ms(*d),
        Some(Offset::Neg(d)) => -ms(*d),
        None => 0,
    }
}

/// Evaluate `e` at `cx.t`.
pub fn eval(e: &Expr, cx: &Ctx<'_>) -> Result<Value, String> {
    match e {
        Expr::NumberLiteral(n) => Ok(Value::Scalar(n.val)),
        Expr::StringLiteral(s) => Ok(Value::String(s.val.clone())),
        Expr::Paren(p) => eval(&p.expr, cx),
        Expr::Unary(u) => match eval(&u.expr, cx)? {
            Value::Scalar(v) => Ok(Value::Scalar(-v)),
            Value::Vector(vs) => Ok(Value::Vector(
                vs.into_iter()
                    .map(|s| Sample {
                        labels: drop_name(s.labels),
                        value: -s.value,
                    })
                    .collect(),
            )),
            _ => Err("unary minus on a value that is not a number or a vector".into()),
        },
        Expr::VectorSelector(vs) => Ok(Value::Vector(select_instant(vs, cx)?)),
        Expr::MatrixSelector(m) => {
            let (from, to) = range_bounds(cx.t, ms(m.range), offset_ms(&m.vs.offset));
            Ok(Value::Matrix(select_range(&m.vs, from, to, cx)?))
        }
        Expr::Aggregate(a) => aggregate(a, cx),
        Expr::Binary(b) => binary(b, cx),
        Expr::Call(c) => functions::call(c, cx),
        Expr::Subquery(_) | Expr::Extension(_) => {
            Err("subqueries are evaluated by Prometheus only".into())
        }
    }
}

/// `[t - offset - range, t - offset]`.
pub fn range_bounds(t: i64, range: i64, offset: i64) -> (i64, i64) {
    let to = t.saturating_sub(offset);
    (to.saturating_sub(range), to)
}

fn matches(vs: &VectorSelector, labels: &Labels) -> Result<bool, String> {
    if !vs.matchers.or_matchers.is_empty() || vs.at.is_some() {
        return Err("`or` matchers and `@` are evaluated by Prometheus only".into());
    }
    if let Some(name) = &vs.name
        && labels.get("__name__") != Some(name)
    {
        return Ok(false);
    }
    Ok(vs.matchers.matchers.iter().all(|m| matcher(m, labels)))
}

/// A missing label has the empty value; regexes are anchored (the parser compiled them so).
pub fn matcher(m: &Matcher, labels: &Labels) -> bool {
    let v = labels.get(&m.name).map_or("", String::as_str);
    match &m.op {
        MatchOp::Equal => m.value == v,
        MatchOp::NotEqual => m.value != v,
        MatchOp::Re(r) => r.is_match(v),
        MatchOp::NotRe(r) => !r.is_match(v),
    }
}

fn select_instant(vs: &VectorSelector, cx: &Ctx<'_>) -> Result<Vec<Sample>, String> {
    let at = cx.t.saturating_sub(offset_ms(&vs.offset));
    let oldest = at.saturating_sub(ms(LOOKBACK));
    let mut out = Vec::new();
    for (labels, points) in cx.history.series() {
        if !matches(vs, labels)? {
            continue;
        }
        let upto = points.partition_point(|(t, _)| *t <= at);
        if upto == 0 {
            continue;
        }
        let (t, v) = points[upto - 1];
        if t < oldest || is_stale(v) {
            continue;
        }
        out.push(Sample {
            labels: labels.clone(),
            value: v,
        });
    }
    Ok(out)
}

/// The samples of every matching series in `[from, to]`, staleness markers left out; series
/// without samples there are left out too.
pub fn select_range(
    vs: &VectorSelector,
    from: i64,
    to: i64,
    cx: &Ctx<'_>,
) -> Result<Vec<Series>, String> {
    let mut out = Vec::new();
    for (labels, points) in cx.history.series() {
        if !matches(vs, labels)? {
            continue;
        }
        let start = points.partition_point(|(t, _)| *t < from);
        let end = points.partition_point(|(t, _)| *t <= to);
        let points: Vec<(i64, f64)> = points[start..end.max(start)]
            .iter()
            .filter(|(_, v)| !is_stale(*v))
            .copied()
            .collect();
        if !points.is_empty() {
            out.push(Series {
                labels: labels.clone(),
                points,
            });
        }
    }
    Ok(out)
}

pub fn drop_name(mut l: Labels) -> Labels {
    l.remove("__name__");
    l
}

/// A vector must not hold two samples with the same labels (Prometheus refuses it too).
pub fn check_unique(v: &[Sample]) -> Result<(), String> {
    let mut seen = HashSet::with_capacity(v.len());
    for s in v {
        if !seen.insert(&s.labels) {
            return Err("vector cannot contain metrics with the same labelset".into());
        }
    }
    Ok(())
}

fn vector(v: Value, what: &str) -> Result<Vec<Sample>, String> {
    match v {
        Value::Vector(v) => Ok(v),
        _ => Err(format!("{what} needs an instant vector")),
    }
}

fn scalar(v: Value, what: &str) -> Result<f64, String> {
    match v {
        Value::Scalar(v) => Ok(v),
        _ => Err(format!("{what} needs a scalar")),
    }
}

// ---------------------------------------------------------------------------------------
// Aggregations

fn grouping_key(labels: &Labels, modifier: &Option<LabelModifier>) -> Labels {
    match modifier {
        None => Labels::new(),
        Some(LabelModifier::Include(by)) => labels
            .iter()
            .filter(|(k, _)| by.labels.iter().any(|b| b == *k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        Some(LabelModifier::Exclude(without)) => labels
            .iter()
            .filter(|(k, _)| *k != "__name__" && !without.labels.iter().any(|w| w == *k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

fn aggregate(a: &AggregateExpr, cx: &Ctx<'_>) -> Result<Value, String> {
    let op = a.op.to_string();
    let input = vector(eval(&a.expr, cx)?, &op)?;
    let param = match &a.param {
        Some(p) => Some(eval(p, cx)?),
        None => None,
    };
    // Groups in order of first appearance (the output order does not matter to alerts).
    let mut order: Vec<Labels> = Vec::new();
    let mut groups: HashMap<Labels, Vec<Sample>> = HashMap::new();
    for s in input {
        let key = grouping_key(&s.labels, &a.modifier);
        groups
            .entry(key.clone())
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(s);
    }
    let mut out = Vec::new();
    match op.as_str() {
        "topk" | "bottomk" => {
            let k = scalar(param.ok_or("topk/bottomk need k")?, &op)?;
            if k.is_nan() || k < 1.0 {
                return Ok(Value::Vector(Vec::new()));
            }
            let k = if k >= usize::MAX as f64 {
                usize::MAX
            } else {
                k as usize
            };
            let top = op == "topk";
            for key in &order {
                let mut members = groups.remove(key).unwrap_or_default();
                // NaN sorts last for both, as in Prometheus's heaps.
                members.sort_by(|x, y| {
                    let (a, b) = (x.value, y.value);
                    match (a.is_nan(), b.is_nan()) {
                        (true, true) => std::cmp::Ordering::Equal,
                        (true, false) => std::cmp::Ordering::Greater,
                        (false, true) => std::cmp::Ordering::Less,
                        _ if top => b.total_cmp(&a),
                        _ => a.total_cmp(&b),
                    }
                });
                members.truncate(k);
                out.extend(members);
            }
        }
        "sum" | "avg" | "min" | "max" | "count" => {
            for key in order {
                let members = groups.remove(&key).unwrap_or_default();
                let value = match op.as_str() {
                    "sum" => members.iter().map(|s| s.value).sum::<f64>(),
                    "count" => members.len() as f64,
                    "avg" => incremental_mean(members.iter().map(|s| s.value)),
                    "min" => members.iter().map(|s| s.value).fold(f64::NAN, |acc, v| {
                        if acc > v || acc.is_nan() { v } else { acc }
                    }),
                    _ => members.iter().map(|s| s.value).fold(f64::NAN, |acc, v| {
                        if acc < v || acc.is_nan() { v } else { acc }
                    }),
                };
                out.push(Sample { labels: key, value });
            }
        }
        other => return Err(format!("{other} is evaluated by Prometheus only")),
    }
    Ok(Value::Vector(out))
}

/// The mean as Prometheus computes it for `avg` and `avg_over_time`: incrementally, which
/// keeps large values from overflowing, and exactly as a sum where that cannot happen.
pub fn incremental_mean(values: impl Iterator<Item = f64>) -> f64 {
    let mut mean = 0.0f64;
    let mut count = 0.0f64;
    for v in values {
        count += 1.0;
        if mean.is_infinite() {
            if v.is_infinite() && (mean > 0.0) == (v > 0.0) {
                continue;
            }
            if !v.is_infinite() && !v.is_nan() {
                continue;
            }
        }
        mean += v / count - mean / count;
    }
    if count == 0.0 { f64::NAN } else { mean }
}

// ---------------------------------------------------------------------------------------
// Binary operators

fn arith(op: &str, l: f64, r: f64) -> Option<(f64, bool)> {
    Some(match op {
        "+" => (l + r, true),
        "-" => (l - r, true),
        "*" => (l * r, true),
        "/" => (l / r, true),
        "%" => (l % r, true),
        "^" => (l.powf(r), true),
        "==" => (l, l == r),
        "!=" => (l, l != r),
        ">" => (l, l > r),
        "<" => (l, l < r),
        ">=" => (l, l >= r),
        "<=" => (l, l <= r),
        _ => return None,
    })
}

fn is_comparison(op: &str) -> bool {
    matches!(op, "==" | "!=" | ">" | "<" | ">=" | "<=")
}

fn binary(b: &BinaryExpr, cx: &Ctx<'_>) -> Result<Value, String> {
    let op = b.op.to_string();
    let return_bool = b.modifier.as_ref().is_some_and(|m| m.return_bool);
    let lhs = eval(&b.lhs, cx)?;
    let rhs = eval(&b.rhs, cx)?;
    let unsupported = || format!("operator {op} is evaluated by Prometheus only");
    match (lhs, rhs) {
        (Value::Scalar(l), Value::Scalar(r)) => {
            let (v, keep) = arith(&op, l, r).ok_or_else(unsupported)?;
            Ok(Value::Scalar(if is_comparison(&op) {
                if keep { 1.0 } else { 0.0 }
            } else {
                v
            }))
        }
        (Value::Vector(l), Value::Scalar(r)) => {
            vector_scalar(&op, l, r, false, return_bool).map(Value::Vector)
        }
        (Value::Scalar(l), Value::Vector(r)) => {
            vector_scalar(&op, r, l, true, return_bool).map(Value::Vector)
        }
        (Value::Vector(l), Value::Vector(r)) => vector_vector(b, &op, l, r, return_bool),
        _ => Err(format!("operator {op} needs numbers or instant vectors")),
    }
}

fn vector_scalar(
    op: &str,
    v: Vec<Sample>,
    s: f64,
    swap: bool,
    return_bool: bool,
) -> Result<Vec<Sample>, String> {
    let mut out = Vec::with_capacity(v.len());
    for mut e in v {
        let (l, r) = if swap { (s, e.value) } else { (e.value, s) };
        let (mut value, mut keep) = arith(op, l, r)
            .ok_or_else(|| format!("operator {op} between a vector and a scalar"))?;
        // The vector's value is kept by comparisons, whichever side it is on.
        if is_comparison(op) && swap {
            value = r;
        }
        if return_bool {
            value = if keep { 1.0 } else { 0.0 };
            keep = true;
        }
        if keep {
            if !is_comparison(op) || return_bool {
                e.labels = drop_name(e.labels);
            }
            e.value = value;
            out.push(e);
        }
    }
    Ok(out)
}

/// The labels two samples are matched on.
fn signature(labels: &Labels, on: bool, names: &[String]) -> Labels {
    labels
        .iter()
        .filter(|(k, _)| {
            if on {
                names.iter().any(|n| n == *k)
            } else {
                *k != "__name__" && !names.iter().any(|n| n == *k)
            }
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn vector_vector(
    b: &BinaryExpr,
    op: &str,
    lhs: Vec<Sample>,
    rhs: Vec<Sample>,
    return_bool: bool,
) -> Result<Value, String> {
    let modifier = b.modifier.as_ref();
    let (on, names): (bool, Vec<String>) = match modifier.and_then(|m| m.matching.as_ref()) {
        Some(LabelModifier::Include(l)) => (true, l.labels.clone()),
        Some(LabelModifier::Exclude(l)) => (false, l.labels.clone()),
        None => (false, Vec::new()),
    };
    if modifier.is_some_and(|m| m.fill_values.lhs.is_some() || m.fill_values.rhs.is_some()) {
        return Err("fill modifiers are evaluated by Prometheus only".into());
    }
    let sig = |l: &Labels| signature(l, on, &names);
    match op {
        "and" => {
            let right: HashSet<Labels> = rhs.iter().map(|s| sig(&s.labels)).collect();
            return Ok(Value::Vector(
                lhs.into_iter()
                    .filter(|s| right.contains(&sig(&s.labels)))
                    .collect(),
            ));
        }
        "or" => {
            let left: HashSet<Labels> = lhs.iter().map(|s| sig(&s.labels)).collect();
            let mut out = lhs;
            out.extend(rhs.into_iter().filter(|s| !left.contains(&sig(&s.labels))));
            return Ok(Value::Vector(out));
        }
        "unless" => {
            let right: HashSet<Labels> = rhs.iter().map(|s| sig(&s.labels)).collect();
            return Ok(Value::Vector(
                lhs.into_iter()
                    .filter(|s| !right.contains(&sig(&s.labels)))
                    .collect(),
            ));
        }
        _ => {}
    }
    let card = modifier
        .map(|m| m.card.clone())
        .unwrap_or(VectorMatchCardinality::OneToOne);
    let include: Vec<String> = match &card {
        VectorMatchCardinality::ManyToOne(l) | VectorMatchCardinality::OneToMany(l) => {
            l.labels.clone()
        }
        _ => Vec::new(),
    };
    let one_to_many = matches!(card, VectorMatchCardinality::OneToMany(_));
    let one_to_one = matches!(card, VectorMatchCardinality::OneToOne);
    let (many, one) = if one_to_many { (rhs, lhs) } else { (lhs, rhs) };
    let mut right: HashMap<Labels, Sample> = HashMap::with_capacity(one.len());
    for s in one {
        let k = sig(&s.labels);
        if right.contains_key(&k) {
            return Err(if one_to_one {
                "found duplicate series for the match group on the right hand-side of the operation: many-to-many matching not allowed".into()
            } else {
                "found duplicate series for the match group on the \"one\" side: many-to-many matching not allowed: matching labels must be unique on one side".into()
            });
        }
        right.insert(k, s);
    }
    let mut matched: HashMap<Labels, HashSet<Labels>> = HashMap::new();
    let mut out = Vec::new();
    for ls in many {
        let k = sig(&ls.labels);
        let Some(rs) = right.get(&k) else { continue };
        let (vl, vr) = if one_to_many {
            (rs.value, ls.value)
        } else {
            (ls.value, rs.value)
        };
        let (mut value, keep) =
            arith(op, vl, vr).ok_or_else(|| format!("operator {op} between vectors"))?;
        if return_bool {
            value = if keep { 1.0 } else { 0.0 };
        } else if !keep {
            continue;
        }
        let mut metric = ls.labels.clone();
        if !is_comparison(op) || return_bool {
            metric.remove("__name__");
        }
        if one_to_one {
            if on {
                metric.retain(|k, _| names.iter().any(|n| n == k));
            } else {
                for n in &names {
                    metric.remove(n);
                }
            }
        }
        for n in &include {
            match rs.labels.get(n) {
                Some(v) if !v.is_empty() => {
                    metric.insert(n.clone(), v.clone());
                }
                _ => {
                    metric.remove(n);
                }
            }
        }
        let seen = matched.entry(k).or_default();
        if one_to_one {
            if !seen.is_empty() {
                return Err("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)".into());
            }
            seen.insert(Labels::new());
        } else if !seen.insert(metric.clone()) {
            return Err(
                "multiple matches for labels: grouping labels must ensure unique matches".into(),
            );
        }
        out.push(Sample {
            labels: metric,
            value,
        });
    }
    Ok(Value::Vector(out))
}

/// Labels for `absent`/`absent_over_time`: the equality matchers of a selector argument,
/// except a name given twice.
pub fn absent_labels(arg: &Expr) -> Labels {
    let vs = match arg {
        Expr::VectorSelector(vs) => vs,
        Expr::MatrixSelector(m) => &m.vs,
        _ => return Labels::new(),
    };
    let mut out = BTreeMap::new();
    let mut repeated = HashSet::new();
    for m in &vs.matchers.matchers {
        if m.name == "__name__" || !matches!(m.op, MatchOp::Equal) {
            continue;
        }
        if out.insert(m.name.clone(), m.value.clone()).is_some() {
            repeated.insert(m.name.clone());
        }
    }
    for r in repeated {
        out.remove(&r);
    }
    out
}
