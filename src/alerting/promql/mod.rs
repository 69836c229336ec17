//! PromQL on the node: the expressions are parsed by `promql-parser` ([`crate::model::expr`]);
//! [`eval`] and [`functions`] evaluate the documented subset over the [`history`] of the
//! agent's own series. [`node_support`] tells whether an expression is in that subset; what
//! is not is exported and evaluated by Prometheus only.

pub mod eval;
pub mod functions;
pub mod history;

use std::collections::BTreeMap;

use promql_parser::parser::Expr;

pub use history::History;

/// A label set, the metric name included as `__name__`.
pub type Labels = BTreeMap<String, String>;

/// One element of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub labels: Labels,
    pub value: f64,
}

/// One series of a range vector: its samples, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: Labels,
    pub points: Vec<(i64, f64)>,
}

/// What an expression evaluates to.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(f64),
    Vector(Vec<Sample>),
    Matrix(Vec<Series>),
    String(String),
}

/// Aggregations evaluated on the node.
pub const NODE_AGGREGATIONS: &[&str] = &["avg", "bottomk", "count", "max", "min", "sum", "topk"];

/// `Ok` when the node evaluates every part of `e`; otherwise the first part it does not.
pub fn node_support(e: &Expr) -> Result<(), String> {
    let mut reason = None;
    crate::model::expr::walk(e, &mut |n| {
        if reason.is_some() {
            return;
        }
        reason = match n {
            Expr::Call(c) if !functions::NODE_FUNCTIONS.contains(&c.func.name) => {
                Some(format!("function {}", c.func.name))
            }
            Expr::Call(c) if c.args.args.iter().any(|a| matches!(**a, Expr::Subquery(_))) => {
                Some("a subquery".into())
            }
            Expr::Aggregate(a) if !NODE_AGGREGATIONS.contains(&a.op.to_string().as_str()) => {
                Some(format!("aggregation {}", a.op))
            }
            Expr::Subquery(_) => Some("a subquery".into()),
            Expr::Binary(b) if b.op.to_string() == "atan2" => Some("operator atan2".into()),
            Expr::Binary(b)
                if b.modifier.as_ref().is_some_and(|m| {
                    m.fill_values.lhs.is_some() || m.fill_values.rhs.is_some()
                }) =>
            {
                Some("a fill modifier".into())
            }
            Expr::VectorSelector(vs) if vs.at.is_some() => Some("the @ modifier".into()),
            Expr::MatrixSelector(m) if m.vs.at.is_some() => Some("the @ modifier".into()),
            Expr::VectorSelector(vs) if !vs.matchers.or_matchers.is_empty() => {
                Some("`or` in a selector".into())
            }
            Expr::Extension(_) => Some("an extension".into()),
            _ => None,
        };
    });
    reason.map_or(Ok(()), Err)
}

/// Evaluate `e` at `t` (Unix milliseconds) as an alerting rule does: the result as an instant
/// vector (a scalar is one sample without labels).
pub fn evaluate(e: &Expr, history: &History, t: i64) -> Result<Vec<Sample>, String> {
    match eval::eval(e, &eval::Ctx { history, t })? {
        Value::Vector(v) => Ok(v),
        Value::Scalar(v) => Ok(vec![Sample {
            labels: Labels::new(),
            value: v,
        }]),
        _ => Err("an alerting expression must give an instant vector or a scalar".into()),
    }
}

#[cfg(test)]
mod tests;
