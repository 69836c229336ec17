//! Prometheus text exposition format 0.0.4, written by hand into one pre-sized buffer.

use std::fmt::Write as _;

use super::{Family, Kind};

/// The `Content-Type` of [`encode`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Encode families in the order given, which should be sorted by name. Families without
/// samples are left out (as client libraries do for label vectors with no children), and a
/// family repeating the previous one's name is skipped, so no metric name appears twice.
pub fn encode<'a>(families: impl IntoIterator<Item = &'a Family> + Clone) -> String {
    let capacity: usize = families.clone().into_iter().map(encoded_len_estimate).sum();
    let mut out = String::with_capacity(capacity);
    let mut previous: Option<&str> = None;
    for family in families {
        if family.samples.is_empty() || previous == Some(family.name.as_str()) {
            continue;
        }
        previous = Some(&family.name);
        write_family(&mut out, family);
    }
    out
}

/// An upper-bound guess so that encoding does not reallocate.
fn encoded_len_estimate(f: &Family) -> usize {
    let header = 2 * f.name.len() + f.help.len() + 32;
    let per_sample: usize = f
        .samples
        .iter()
        .map(|s| {
            f.name.len()
                + 28
                + s.labels
                    .iter()
                    .map(|(k, v)| k.len() + v.len() + 4)
                    .sum::<usize>()
        })
        .sum();
    header + per_sample
}

fn write_family(out: &mut String, f: &Family) {
    out.push_str("# HELP ");
    out.push_str(&f.name);
    out.push(' ');
    escape_help(out, &f.help);
    out.push_str("\n# TYPE ");
    out.push_str(&f.name);
    out.push_str(match f.kind {
        Kind::Counter => " counter\n",
        Kind::Gauge => " gauge\n",
        Kind::Histogram => " histogram\n",
        Kind::Untyped => " untyped\n",
    });
    for s in &f.samples {
        out.push_str(&f.name);
        out.push_str(s.suffix);
        if !s.labels.is_empty() {
            out.push('{');
            for (i, (k, v)) in s.labels.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(k);
                out.push_str("=\"");
                escape_label_value(out, v);
                out.push('"');
            }
            out.push('}');
        }
        out.push(' ');
        write_value(out, s.value);
        out.push('\n');
    }
}

/// HELP text: backslash and line feed are escaped.
pub fn escape_help(out: &mut String, s: &str) {
    escape(out, s, false);
}

/// Label values: backslash, double quote and line feed are escaped.
pub fn escape_label_value(out: &mut String, s: &str) {
    escape(out, s, true);
}

fn escape(out: &mut String, s: &str, quote: bool) {
    let special = |b: u8| b == b'\\' || b == b'\n' || (quote && b == b'"');
    if !s.bytes().any(special) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quote => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

/// Integers up to 2^53 print without a fraction or exponent; other finite values use Rust's
/// shortest round-trip form (`0.25`, `1e-7`, `1.8e19`), which Go's `ParseFloat` reads back
/// exactly; non-finite values use Prometheus' spelling.
pub fn write_value(out: &mut String, v: f64) {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else if v.fract() == 0.0 && v.abs() <= EXACT {
        let _ = write!(out, "{}", v as i64);
    } else {
        let _ = write!(out, "{v:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Sample;

    fn value(v: f64) -> String {
        let mut s = String::new();
        write_value(&mut s, v);
        s
    }

    #[test]
    fn values() {
        assert_eq!(value(0.0), "0");
        assert_eq!(value(-0.0), "0");
        assert_eq!(value(42.0), "42");
        assert_eq!(value(-3.0), "-3");
        assert_eq!(value(0.25), "0.25");
        assert_eq!(value(1e-7), "1e-7");
        assert_eq!(value(9_007_199_254_740_992.0), "9007199254740992");
        assert_eq!(value(1.8446744073709552e19), "1.8446744073709552e19");
        assert_eq!(value(f64::NAN), "NaN");
        assert_eq!(value(f64::INFINITY), "+Inf");
        assert_eq!(value(f64::NEG_INFINITY), "-Inf");
        for v in [0.1, 1.0 / 3.0, 123456.789, 1e300, 5e-324] {
            assert_eq!(value(v).parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn escaping() {
        let mut s = String::new();
        escape_label_value(&mut s, "a\\b\"c\nd\u{fffd}é");
        assert_eq!(s, r#"a\\b\"c\nd"#.to_string() + "\u{fffd}é");
        let mut h = String::new();
        escape_help(&mut h, "say \"x\"\\\nnext");
        assert_eq!(h, "say \"x\"\\\\\\nnext");
    }

    #[test]
    fn layout() {
        let fam = Family {
            name: "x_total".into(),
            help: "Things.".into(),
            kind: Kind::Counter,
            samples: vec![
                Sample {
                    suffix: "",
                    labels: vec![("a".into(), "1".into()), ("b".into(), "q\"".into())],
                    value: 3.0,
                },
                Sample {
                    suffix: "",
                    labels: vec![],
                    value: 0.5,
                },
            ],
        };
        let empty = Family {
            name: "y".into(),
            help: "None.".into(),
            kind: Kind::Gauge,
            samples: vec![],
        };
        let text = encode([&fam, &fam, &empty]);
        assert_eq!(
            text,
            "# HELP x_total Things.\n# TYPE x_total counter\nx_total{a=\"1\",b=\"q\\\"\"} 3\nx_total 0.5\n"
        );
        assert!(text.capacity() >= text.len());
        assert!(encoded_len_estimate(&fam) >= text.len());
    }
}
