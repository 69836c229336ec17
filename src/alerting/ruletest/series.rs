//! promtool's input-series notation: a series selector for the labels, and values in the
//! expanding notation (`1+2x3` is `1 3 5 7`, `1x3` is `1 1 1 1`, `_` a missing sample, `_x3`
//! three, `stale` a staleness marker).

use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr};

use crate::alerting::promql::Labels;

/// The most samples one file's series may expand to.
pub const MAX_SAMPLES: usize = 1_000_000;

/// One expanded value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Point {
    Missing,
    Stale,
    Value(f64),
}

/// The labels of `metric{a="b", …}` (the metric name as `__name__`); `{}` is no labels.
pub fn labels(text: &str) -> Result<Labels, String> {
    let t = text.trim();
    if t.is_empty() || t == "{}" {
        return Ok(Labels::new());
    }
    let e = parser::parse(t).map_err(|e| format!("series {t:?}: {e}"))?;
    let Expr::VectorSelector(vs) = e else {
        return Err(format!(
            "series {t:?}: expected metric{{label=\"value\", …}}"
        ));
    };
    let mut out = Labels::new();
    if let Some(n) = vs.name {
        out.insert("__name__".into(), n);
    }
    for m in vs.matchers.matchers {
        if !matches!(m.op, MatchOp::Equal) {
            return Err(format!(
                "series {t:?}: only label=\"value\" pairs describe a series"
            ));
        }
        if !m.value.is_empty() {
            out.insert(m.name, m.value);
        }
    }
    Ok(out)
}

fn number(text: &str) -> Option<f64> {
    match text {
        "Inf" | "+Inf" | "inf" | "+inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        "NaN" | "nan" => Some(f64::NAN),
        t => t.parse().ok().filter(|_| !t.contains(['x', 'X', '_'])),
    }
}

/// Expand a values string; `budget` is what the file may still expand to.
pub fn expand(values: &str, budget: &mut usize) -> Result<Vec<Point>, String> {
    let mut out = Vec::new();
    fn push(p: Point, out: &mut Vec<Point>, budget: &mut usize) -> Result<(), String> {
        if *budget == 0 {
            return Err(format!(
                "the input series expand to more than {MAX_SAMPLES} samples"
            ));
        }
        *budget -= 1;
        out.push(p);
        Ok(())
    }
    for tok in values.split_whitespace() {
        if tok == "_" {
            push(Point::Missing, &mut out, budget)?;
            continue;
        }
        if tok == "stale" {
            push(Point::Stale, &mut out, budget)?;
            continue;
        }
        if let Some(v) = number(tok) {
            push(Point::Value(v), &mut out, budget)?;
            continue;
        }
        let bad = || format!("values: {tok:?} is not a number, _, stale, a+bxn, a-bxn, axn or _xn");
        let (head, times) = tok.rsplit_once('x').ok_or_else(bad)?;
        let n: u64 = times.parse().map_err(|_| bad())?;
        if n as usize > *budget {
            return Err(format!(
                "the input series expand to more than {MAX_SAMPLES} samples"
            ));
        }
        if head == "_" {
            for _ in 0..n {
                push(Point::Missing, &mut out, budget)?;
            }
            continue;
        }
        // `a+b` or `a-b`: the operator is the first sign after the start that does not
        // belong to an exponent.
        let bytes = head.as_bytes();
        let split = (1..bytes.len())
            .find(|&i| matches!(bytes[i], b'+' | b'-') && !matches!(bytes[i - 1], b'e' | b'E'));
        let (start, step) = match split {
            Some(i) => {
                let a = number(&head[..i]).ok_or_else(bad)?;
                let b = number(&head[i + 1..]).ok_or_else(bad)?;
                (a, if bytes[i] == b'-' { -b } else { b })
            }
            None => (number(head).ok_or_else(bad)?, 0.0),
        };
        let mut v = start;
        for _ in 0..=n {
            push(Point::Value(v), &mut out, budget)?;
            v += step;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(text: &str) -> Vec<Point> {
        expand(text, &mut MAX_SAMPLES.clone()).unwrap()
    }

    #[test]
    fn expanding_notation() {
        use Point::*;
        assert_eq!(
            vals("-2+4x3"),
            [Value(-2.0), Value(2.0), Value(6.0), Value(10.0)]
        );
        assert_eq!(vals("1-2x2"), [Value(1.0), Value(-1.0), Value(-3.0)]);
        assert_eq!(
            vals("1x2 _x2 stale"),
            [Value(1.0), Value(1.0), Value(1.0), Missing, Missing, Stale]
        );
        assert_eq!(vals("1e3+1e2x1"), [Value(1000.0), Value(1100.0)]);
        assert!(expand("1+1x99999999", &mut 100).is_err());
        assert!(expand("abc", &mut 100).is_err());
        assert!(expand("1+x3", &mut 100).is_err());
        assert_eq!(labels("up{job=\"a\"}").unwrap().len(), 2);
        assert!(labels("{}").unwrap().is_empty());
        assert!(labels("up{job=~\"a\"}").is_err());
    }
}
