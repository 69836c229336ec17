//! The PromQL functions the node evaluates, as Prometheus 2.x computes them: `rate`,
//! `increase` and `delta` extrapolate to the range's edges (and `rate`/`increase` correct
//! counter resets), `irate` uses the last two samples, `deriv` a least-squares slope.

use std::collections::HashMap;

use promql_parser::parser::{Call, Expr};

use super::eval::{
    Ctx, absent_labels, check_unique, drop_name, eval, incremental_mean, range_bounds,
};
use super::{Labels, Sample, Series, Value};

/// Functions evaluated on the node; anything else is left to Prometheus.
pub const NODE_FUNCTIONS: &[&str] = &[
    "abs",
    "absent",
    "absent_over_time",
    "avg_over_time",
    "ceil",
    "clamp",
    "clamp_max",
    "clamp_min",
    "count_over_time",
    "delta",
    "deriv",
    "floor",
    "histogram_quantile",
    "increase",
    "irate",
    "last_over_time",
    "max_over_time",
    "min_over_time",
    "rate",
    "round",
    "scalar",
    "sum_over_time",
    "time",
    "vector",
];

fn arg(c: &Call, i: usize) -> Result<&Expr, String> {
    c.args
        .args
        .get(i)
        .map(|b| &**b)
        .ok_or_else(|| format!("{} is missing argument {}", c.func.name, i + 1))
}

fn scalar_arg(c: &Call, i: usize, cx: &Ctx<'_>) -> Result<f64, String> {
    match eval(arg(c, i)?, cx)? {
        Value::Scalar(v) => Ok(v),
        _ => Err(format!(
            "{}: argument {} must be a scalar",
            c.func.name,
            i + 1
        )),
    }
}

fn vector_arg(c: &Call, i: usize, cx: &Ctx<'_>) -> Result<Vec<Sample>, String> {
    match eval(arg(c, i)?, cx)? {
        Value::Vector(v) => Ok(v),
        _ => Err(format!(
            "{}: argument {} must be an instant vector",
            c.func.name,
            i + 1
        )),
    }
}

/// The range argument: only plain range selectors (subqueries are Prometheus's).
fn matrix_arg(c: &Call, cx: &Ctx<'_>) -> Result<(Vec<Series>, i64, i64), String> {
    match arg(c, 0)? {
        Expr::MatrixSelector(m) => {
            let range = i64::try_from(m.range.as_millis()).unwrap_or(i64::MAX);
            let off = match &m.vs.offset {
                Some(promql_parser::parser::Offset::Pos(d)) => {
                    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
                }
                Some(promql_parser::parser::Offset::Neg(d)) => {
                    -i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
                }
                None => 0,
            };
            let (from, to) = range_bounds(cx.t, range, off);
            let series = super::eval::select_range(&m.vs, from, to, cx)?;
            Ok((series, from, to))
        }
        _ => Err(format!(
            "{} over anything but a range selector is evaluated by Prometheus only",
            c.func.name
        )),
    }
}

fn map_vector(v: Vec<Sample>, f: impl Fn(f64) -> f64) -> Result<Value, String> {
    let out: Vec<Sample> = v
        .into_iter()
        .map(|s| Sample {
            labels: drop_name(s.labels),
            value: f(s.value),
        })
        .collect();
    check_unique(&out)?;
    Ok(Value::Vector(out))
}

/// Go's `math.Max`/`math.Min`: NaN wins.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

pub fn call(c: &Call, cx: &Ctx<'_>) -> Result<Value, String> {
    let name = c.func.name;
    match name {
        "time" => Ok(Value::Scalar(cx.t as f64 / 1000.0)),
        "vector" => Ok(Value::Vector(vec![Sample {
            labels: Labels::new(),
            value: scalar_arg(c, 0, cx)?,
        }])),
        "scalar" => {
            let v = vector_arg(c, 0, cx)?;
            Ok(Value::Scalar(if v.len() == 1 {
                v[0].value
            } else {
                f64::NAN
            }))
        }
        "abs" => map_vector(vector_arg(c, 0, cx)?, f64::abs),
        "ceil" => map_vector(vector_arg(c, 0, cx)?, f64::ceil),
        "floor" => map_vector(vector_arg(c, 0, cx)?, f64::floor),
        "round" => {
            let v = vector_arg(c, 0, cx)?;
            let to = if c.args.args.len() > 1 {
                scalar_arg(c, 1, cx)?
            } else {
                1.0
            };
            let inverse = 1.0 / to;
            map_vector(v, move |x| (x * inverse + 0.5).floor() / inverse)
        }
        "clamp" => {
            let v = vector_arg(c, 0, cx)?;
            let (lo, hi) = (scalar_arg(c, 1, cx)?, scalar_arg(c, 2, cx)?);
            if hi < lo {
                return Ok(Value::Vector(Vec::new()));
            }
            map_vector(v, move |x| go_max(lo, go_min(hi, x)))
        }
        "clamp_min" => {
            let v = vector_arg(c, 0, cx)?;
            let lo = scalar_arg(c, 1, cx)?;
            map_vector(v, move |x| go_max(lo, x))
        }
        "clamp_max" => {
            let v = vector_arg(c, 0, cx)?;
            let hi = scalar_arg(c, 1, cx)?;
            map_vector(v, move |x| go_min(hi, x))
        }
        "absent" => {
            let v = vector_arg(c, 0, cx)?;
            Ok(Value::Vector(if v.is_empty() {
                vec![Sample {
                    labels: absent_labels(arg(c, 0)?),
                    value: 1.0,
                }]
            } else {
                Vec::new()
            }))
        }
        "absent_over_time" => {
            let (m, _, _) = matrix_arg(c, cx)?;
            Ok(Value::Vector(if m.is_empty() {
                vec![Sample {
                    labels: absent_labels(arg(c, 0)?),
                    value: 1.0,
                }]
            } else {
                Vec::new()
            }))
        }
        "histogram_quantile" => {
            let q = scalar_arg(c, 0, cx)?;
            let v = vector_arg(c, 1, cx)?;
            Ok(Value::Vector(histogram_quantile(q, v)))
        }
        "rate" | "increase" | "delta" | "irate" | "deriv" | "avg_over_time" | "min_over_time"
        | "max_over_time" | "sum_over_time" | "count_over_time" | "last_over_time" => {
            let (m, from, to) = matrix_arg(c, cx)?;
            let mut out = Vec::with_capacity(m.len());
            for s in m {
                let p = &s.points;
                let value = match name {
                    "rate" => extrapolated(p, from, to, true, true),
                    "increase" => extrapolated(p, from, to, true, false),
                    "delta" => extrapolated(p, from, to, false, false),
                    "irate" => irate(p),
                    "deriv" => deriv(p),
                    "avg_over_time" => Some(incremental_mean(p.iter().map(|x| x.1))),
                    "min_over_time" => p
                        .iter()
                        .map(|x| x.1)
                        .reduce(|a, v| if a > v || a.is_nan() { v } else { a }),
                    "max_over_time" => p
                        .iter()
                        .map(|x| x.1)
                        .reduce(|a, v| if a < v || a.is_nan() { v } else { a }),
                    "sum_over_time" => Some(p.iter().map(|x| x.1).sum()),
                    "count_over_time" => Some(p.len() as f64),
                    _ => p.last().map(|x| x.1),
                };
                if let Some(value) = value {
                    // last_over_time acts like an offset and keeps the name.
                    let labels = if name == "last_over_time" {
                        s.labels
                    } else {
                        drop_name(s.labels)
                    };
                    out.push(Sample { labels, value });
                }
            }
            check_unique(&out)?;
            Ok(Value::Vector(out))
        }
        other => Err(format!("{other} is evaluated by Prometheus only")),
    }
}

/// `rate`, `increase` and `delta`: the change over the samples, counter resets corrected
/// (counters), extrapolated towards the range's edges unless a sample is too far from them.
fn extrapolated(p: &[(i64, f64)], from: i64, to: i64, counter: bool, rate: bool) -> Option<f64> {
    if p.len() < 2 {
        return None;
    }
    let (first, last) = (p[0], p[p.len() - 1]);
    let mut result = last.1 - first.1;
    if counter {
        let mut prev = 0.0;
        for (_, v) in p {
            if *v < prev {
                result += prev;
            }
            prev = *v;
        }
    }
    let mut to_start = (first.0 - from) as f64 / 1000.0;
    let to_end = (to - last.0) as f64 / 1000.0;
    let sampled = (last.0 - first.0) as f64 / 1000.0;
    let average = sampled / (p.len() - 1) as f64;
    if counter && result > 0.0 && first.1 >= 0.0 {
        // A counter cannot go below zero: do not extrapolate past where it was zero.
        let to_zero = sampled * (first.1 / result);
        if to_zero < to_start {
            to_start = to_zero;
        }
    }
    let threshold = average * 1.1;
    let mut interval = sampled;
    interval += if to_start < threshold {
        to_start
    } else {
        average / 2.0
    };
    interval += if to_end < threshold {
        to_end
    } else {
        average / 2.0
    };
    // One factor, then one multiplication: the rounding Prometheus has.
    let mut factor = interval / sampled;
    if rate {
        factor /= (to - from) as f64 / 1000.0;
    }
    Some(result * factor)
}

fn irate(p: &[(i64, f64)]) -> Option<f64> {
    if p.len() < 2 {
        return None;
    }
    let (prev, last) = (p[p.len() - 2], p[p.len() - 1]);
    let change = if last.1 < prev.1 {
        last.1
    } else {
        last.1 - prev.1
    };
    let interval = (last.0 - prev.0) as f64 / 1000.0;
    if interval == 0.0 {
        return None;
    }
    Some(change / interval)
}

/// Least-squares slope per second, x relative to the first sample (Kahan-summed).
fn deriv(p: &[(i64, f64)]) -> Option<f64> {
    if p.len() < 2 {
        return None;
    }
    let t0 = p[0].0;
    let init = p[0].1;
    if p.iter().all(|x| x.1 == init) {
        return Some(if init.is_infinite() { f64::NAN } else { 0.0 });
    }
    let (mut n, mut sx, mut cx, mut sy, mut cy, mut sxy, mut cxy, mut sx2, mut cx2) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for (t, v) in p {
        n += 1.0;
        let x = (t - t0) as f64 / 1000.0;
        (sx, cx) = kahan(x, sx, cx);
        (sy, cy) = kahan(*v, sy, cy);
        (sxy, cxy) = kahan(x * v, sxy, cxy);
        (sx2, cx2) = kahan(x * x, sx2, cx2);
    }
    let (sx, sy, sxy, sx2) = (sx + cx, sy + cy, sxy + cxy, sx2 + cx2);
    let cov = sxy - sx * sy / n;
    let var = sx2 - sx * sx / n;
    Some(cov / var)
}

fn kahan(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// `histogram_quantile` over classic buckets (`le` labels), by the labels without `le`.
fn histogram_quantile(q: f64, v: Vec<Sample>) -> Vec<Sample> {
    let mut groups: HashMap<Labels, Vec<(f64, f64)>> = HashMap::new();
    let mut order = Vec::new();
    for s in v {
        let Some(le) = s.labels.get("le").and_then(|le| parse_le(le)) else {
            continue;
        };
        let mut key = drop_name(s.labels);
        key.remove("le");
        groups
            .entry(key.clone())
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push((le, s.value));
    }
    order
        .into_iter()
        .map(|key| {
            let buckets = groups.remove(&key).unwrap_or_default();
            Sample {
                value: bucket_quantile(q, buckets),
                labels: key,
            }
        })
        .collect()
}

fn parse_le(text: &str) -> Option<f64> {
    match text {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        t => t.parse().ok(),
    }
}

fn bucket_quantile(q: f64, mut b: Vec<(f64, f64)>) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    b.sort_by(|x, y| x.0.total_cmp(&y.0));
    if b.last().is_none_or(|l| l.0 != f64::INFINITY) {
        return f64::NAN;
    }
    // Coalesce equal bounds.
    let mut c: Vec<(f64, f64)> = Vec::with_capacity(b.len());
    for (le, n) in b {
        match c.last_mut() {
            Some(last) if last.0 == le => last.1 += n,
            _ => c.push((le, n)),
        }
    }
    // Counts are cumulative: never let one go down.
    let mut max = f64::NEG_INFINITY;
    for x in &mut c {
        if x.1 > max {
            max = x.1;
        } else if x.1 < max {
            x.1 = max;
        }
    }
    if c.len() < 2 {
        return f64::NAN;
    }
    let observations = c[c.len() - 1].1;
    if observations == 0.0 {
        return f64::NAN;
    }
    let mut rank = q * observations;
    let b = c[..c.len() - 1].partition_point(|x| x.1 < rank);
    if b == c.len() - 1 {
        return c[c.len() - 2].0;
    }
    if b == 0 && c[0].0 <= 0.0 {
        return c[0].0;
    }
    let mut start = 0.0;
    let end = c[b].0;
    let mut count = c[b].1;
    if b > 0 {
        start = c[b - 1].0;
        count -= c[b - 1].1;
        rank -= c[b - 1].1;
    }
    start + (end - start) * (rank / count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_extrapolates_like_prometheus() {
        // 0..=10 every 15 s over a 5m window ending at the last sample.
        let p: Vec<(i64, f64)> = (0..=20).map(|i| (i * 15_000, i as f64 * 10.0)).collect();
        let v = extrapolated(&p, 0, 300_000, true, true).unwrap();
        assert!((v - 200.0 / 300.0).abs() < 1e-12, "{v}");
        // A counter reset adds the value before it.
        let p = [(0, 5.0), (15_000, 10.0), (30_000, 2.0), (45_000, 6.0)];
        let inc = extrapolated(&p, 0, 45_000, true, false).unwrap();
        assert!((inc - 11.0).abs() < 1e-12, "{inc}");
        assert_eq!(irate(&p), Some(4.0 / 15.0));
        assert_eq!(irate(&[(0, 5.0), (15_000, 2.0)]), Some(2.0 / 15.0));
    }

    #[test]
    fn quantiles() {
        let b = vec![
            (0.1, 10.0),
            (0.5, 50.0),
            (1.0, 100.0),
            (f64::INFINITY, 100.0),
        ];
        assert_eq!(bucket_quantile(0.5, b.clone()), 0.5);
        assert_eq!(bucket_quantile(0.25, b.clone()), 0.1 + 0.4 * (15.0 / 40.0));
        assert!(bucket_quantile(0.5, vec![(1.0, 1.0)]).is_nan());
        assert_eq!(bucket_quantile(2.0, b), f64::INFINITY);
    }
}
