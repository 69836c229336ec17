//! A rule's PromQL expression: parsed with `promql-parser` (never by hand) and checked for what
//! an alerting rule may be (an instant vector or a scalar) and for the limits of the agent's
//! history (the longest range a rule may look back over).

use std::time::Duration;

use promql_parser::label::MatchOp as PMatchOp;
use promql_parser::parser::{self, Expr, Offset};

/// The longest expression text accepted.
pub const MAX_EXPR_BYTES: usize = 8 * 1024;
/// The deepest nesting accepted (the parser and every walk over the tree recurse).
pub const MAX_DEPTH: usize = 64;
/// The longest look-back one selector may have: its range plus its offset (and the 5-minute
/// lookback of instant selectors). The agent keeps history this long at most.
pub const MAX_RANGE: Duration = Duration::from_secs(6 * 3600);
/// The look-back cap of `test-rules`, which evaluates over the test's own series only.
pub const OFFLINE_RANGE: Duration = Duration::from_secs(366 * 86_400);
/// Prometheus's lookback for instant vector selectors.
pub const LOOKBACK: Duration = Duration::from_secs(300);

/// Parse `text` as an alerting expression. The error is one line; where the parser tells the
/// place it is given as `at column N`.
pub fn parse(text: &str) -> Result<Expr, String> {
    parse_with_cap(text, MAX_RANGE)
}

/// [`parse`] with another look-back cap (the agent's own generated expressions, which only
/// Prometheus evaluates, look back further than its history).
pub fn parse_with_cap(text: &str, cap: Duration) -> Result<Expr, String> {
    if text.trim().is_empty() {
        return Err("a PromQL expression (it is empty)".into());
    }
    if text.len() > MAX_EXPR_BYTES {
        return Err(format!(
            "a PromQL expression of at most {} KiB",
            MAX_EXPR_BYTES / 1024
        ));
    }
    if let Some(col) = too_deep(text) {
        return Err(format!(
            "a PromQL expression nested at most {MAX_DEPTH} deep (deeper at column {col})"
        ));
    }
    check_regex_cost(text)?;
    // The parser panics on nothing we know of, but it is another crate's code over user
    // input: a panic there is an invalid expression, never a crashed agent.
    let parsed = std::panic::catch_unwind(|| parser::parse(text))
        .map_err(|_| "a PromQL expression the parser accepts (it failed internally)".to_string())?;
    let expr = parsed.map_err(|e| describe_parse_error(text, &e))?;
    match expr.value_type() {
        parser::value::ValueType::Vector | parser::value::ValueType::Scalar => {}
        other => {
            return Err(format!(
                "an expression of type vector or scalar, not {other} (an alert needs one value per series)"
            ));
        }
    }
    let mut longest = Duration::ZERO;
    let mut regexes = 0usize;
    walk(&expr, &mut |e| {
        if let Some(r) = lookback(e) {
            longest = longest.max(r);
        }
        let matchers = match e {
            Expr::VectorSelector(vs) => Some(&vs.matchers),
            Expr::MatrixSelector(ms) => Some(&ms.vs.matchers),
            _ => None,
        };
        if let Some(m) = matchers {
            regexes += m
                .matchers
                .iter()
                .filter(|m| matches!(m.op, PMatchOp::Re(_) | PMatchOp::NotRe(_)))
                .count();
        }
    });
    if longest > cap {
        return Err(range_error(longest));
    }
    if regexes > super::rule::MAX_REGEX_MATCHERS {
        return Err(format!(
            "at most {} regular-expression matchers in one expression",
            super::rule::MAX_REGEX_MATCHERS
        ));
    }
    Ok(expr)
}

/// The compiled size one regular expression may have (as for flag-form matchers).
const REGEX_SIZE_LIMIT: usize = 256 * 1024;

/// Compile every `=~`/`!~` pattern with a size limit before the parser compiles them with
/// the regex crate's default (10 MiB, seconds of work for `\w{500}\w{500}`), and count them.
fn check_regex_cost(text: &str) -> Result<(), String> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut count = 0usize;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            if c == '\\' && q != '`' {
                i += 1;
            } else if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if matches!(c, '"' | '\'' | '`') {
            quote = Some(c);
            i += 1;
            continue;
        }
        if (c == '=' || c == '!') && chars.get(i + 1) == Some(&'~') {
            i += 2;
            while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                i += 1;
            }
            let Some(&q) = chars.get(i).filter(|c| matches!(c, '"' | '\'' | '`')) else {
                continue;
            };
            let mut value = String::new();
            i += 1;
            while let Some(&c) = chars.get(i) {
                if c == q {
                    break;
                }
                if c == '\\' && q != '`' {
                    i += 1;
                    match chars.get(i) {
                        Some('n') => value.push('\n'),
                        Some('t') => value.push('\t'),
                        Some(&e) => value.push(e),
                        None => break,
                    }
                } else {
                    value.push(c);
                }
                i += 1;
            }
            i += 1;
            count += 1;
            if count > super::rule::MAX_REGEX_MATCHERS {
                return Err(format!(
                    "at most {} regular-expression matchers in one expression",
                    super::rule::MAX_REGEX_MATCHERS
                ));
            }
            if let Err(regex::Error::CompiledTooBig(_)) =
                regex::RegexBuilder::new(&format!("^(?:{value})$"))
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
            {
                return Err(format!(
                    "regular expressions that compile to at most {} KiB (not {})",
                    REGEX_SIZE_LIMIT / 1024,
                    crate::error::quote(&value)
                ));
            }
            continue;
        }
        i += 1;
    }
    Ok(())
}

fn range_error(d: Duration) -> String {
    format!(
        "ranges and offsets of at most {} in total per selector (the agent's history cap), not {}",
        crate::model::PromDuration::from_secs(MAX_RANGE.as_secs()),
        crate::model::PromDuration::from_secs(d.as_secs())
    )
}

/// Column (1-based) where brackets nest deeper than [`MAX_DEPTH`], counted before parsing so
/// that a hostile expression cannot make the parser recurse deeply.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.chars().enumerate() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q != '`' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i + 1);
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    // Long chains of binary operators and unary minus recurse too.
    let ops = text.chars().filter(|c| "+-*/%^<>=!".contains(*c)).count();
    if ops > MAX_DEPTH * 8 {
        return Some(text.len());
    }
    None
}

/// The parser's message, with the column where it can be found: lexer errors name the
/// offending character, unknown functions their name.
fn describe_parse_error(text: &str, message: &str) -> String {
    let message = message.lines().next().unwrap_or(message).trim();
    let column = |needle: &str| {
        text.find(needle)
            .map(|b| text[..b].chars().count() + 1)
            .map(|c| format!(" at column {c}"))
    };
    let place = if let Some(name) = between(message, "unknown function with name '", "'") {
        column(&format!("{name}("))
            .or_else(|| column(name))
            .unwrap_or_default()
    } else if let Some(ch) = between(message, "unexpected character: '", "'")
        .or_else(|| between(message, "unexpected character inside braces: '", "'"))
        .or_else(|| between(message, "unexpected character inside brackets: '", "'"))
    {
        column(ch).unwrap_or_default()
    } else if message.starts_with("unterminated quoted string") {
        text.rfind(['"', '\'', '`'])
            .map(|b| format!(" at column {}", text[..b].chars().count() + 1))
            .unwrap_or_default()
    } else if message == "invalid promql query"
        || ["paren", "bracket", "brace"]
            .iter()
            .any(|w| message.contains(w))
    {
        // The parser gives no place for grammar errors; say where the brackets do not match
        // when that is the cause.
        unbalanced(text)
            .map(|c| format!(" at column {c}"))
            .unwrap_or_default()
    } else {
        String::new()
    };
    let message = if message == "invalid promql query" {
        "syntax error"
    } else {
        message
    };
    format!("valid PromQL ({message}{place})")
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &text[text.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

/// Column of the first bracket that is never closed or closes nothing.
fn unbalanced(text: &str) -> Option<usize> {
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.chars().enumerate() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q != '`' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            '(' | '[' | '{' => stack.push((c, i + 1)),
            ')' | ']' | '}' => {
                let open = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                match stack.pop() {
                    Some((o, _)) if o == open => {}
                    _ => return Some(i + 1),
                }
            }
            _ => {}
        }
    }
    stack.first().map(|(_, col)| *col)
}

fn offset(o: &Option<Offset>) -> Duration {
    match o {
        Some(Offset::Pos(d)) => *d,
        _ => Duration::ZERO,
    }
}

/// How far back one selector reads: range (or the lookback) plus offset.
pub fn lookback(e: &Expr) -> Option<Duration> {
    match e {
        Expr::VectorSelector(vs) => Some(LOOKBACK + offset(&vs.offset)),
        Expr::MatrixSelector(ms) => Some(ms.range + offset(&ms.vs.offset)),
        Expr::Subquery(s) => Some(s.range + offset(&s.offset)),
        _ => None,
    }
}

/// The longest look-back of any selector in `e` (subqueries count their range too).
pub fn longest_lookback(e: &Expr) -> Duration {
    let mut longest = Duration::ZERO;
    walk(e, &mut |e| {
        if let Some(r) = lookback(e) {
            longest = longest.max(r);
        }
    });
    longest
}

/// Visit every node of `e`, parents first.
pub fn walk<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(e);
    match e {
        Expr::Aggregate(a) => {
            if let Some(p) = &a.param {
                walk(p, f);
            }
            walk(&a.expr, f);
        }
        Expr::Unary(u) => walk(&u.expr, f),
        Expr::Binary(b) => {
            walk(&b.lhs, f);
            walk(&b.rhs, f);
        }
        Expr::Paren(p) => walk(&p.expr, f),
        Expr::Subquery(s) => walk(&s.expr, f),
        Expr::Call(c) => {
            for a in &c.args.args {
                walk(a, f);
            }
        }
        Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::VectorSelector(_)
        | Expr::MatrixSelector(_)
        | Expr::Extension(_) => {}
    }
}

/// The first node (parents first) for which `pred` holds.
pub fn first<'a>(e: &'a Expr, pred: &dyn Fn(&Expr) -> bool) -> Option<&'a Expr> {
    let mut found = None;
    walk(e, &mut |n| {
        if found.is_none() && pred(n) {
            found = Some(n);
        }
    });
    found
}

/// The metric names the expression selects (selectors without a name select by matchers
/// only and add nothing).
pub fn metric_names(e: &Expr) -> Vec<String> {
    let mut names = Vec::new();
    walk(e, &mut |n| {
        let vs = match n {
            Expr::VectorSelector(vs) => vs,
            Expr::MatrixSelector(ms) => &ms.vs,
            _ => return,
        };
        let name = vs.name.clone().or_else(|| {
            vs.matchers
                .matchers
                .iter()
                .find(|m| m.name == "__name__" && matches!(m.op, PMatchOp::Equal))
                .map(|m| m.value.clone())
        });
        if let Some(name) = name
            && !names.contains(&name)
        {
            names.push(name);
        }
    });
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_alerting_expressions() {
        for ok in [
            "up == 0",
            "rate(x_total[5m]) > 0.1",
            "(a / b) > 0.9",
            "absent(up{job=\"x\"})",
            "1",
            "sum by (node) (rate(hivemind_container_cpu_seconds_total[5m])) > 2",
            "x offset 5h",
        ] {
            assert!(parse(ok).is_ok(), "{ok}: {:?}", parse(ok));
        }
    }

    #[test]
    fn refuses_with_a_place() {
        let e = parse("rate(x[5m]").unwrap_err();
        assert!(e.contains("unclosed left parenthesis at column 5"), "{e}");
        let e = parse("frobnicate(x) > 1").unwrap_err();
        assert!(
            e.contains("unknown function") && e.contains("column 1"),
            "{e}"
        );
        let e = parse("x[5m]").unwrap_err();
        assert!(e.contains("not matrix"), "{e}");
        let e = parse("rate(x[7h]) > 1").unwrap_err();
        assert!(e.contains("6h") && e.contains("7h"), "{e}");
        let e = parse("x offset 6h").unwrap_err();
        assert!(e.contains("history cap"), "{e}");
        let e = parse(&"(".repeat(100)).unwrap_err();
        assert!(e.contains("nested"), "{e}");
        assert!(parse("").is_err());
        assert!(parse("\"str\"").is_err());
        assert!(parse(&"x".repeat(MAX_EXPR_BYTES + 1)).is_err());
        let started = std::time::Instant::now();
        let e = parse(r#"x{a=~"\\w{500}\\w{500}"} > 1"#).unwrap_err();
        assert!(e.contains("at most 256 KiB"), "{e}");
        assert!(started.elapsed() < Duration::from_millis(500));
        assert!(parse(r#"x{a=~"web-.*", b!~'x|y'} > 1"#).is_ok());
    }

    #[test]
    fn names_and_lookback() {
        let e = parse("rate(a[10m] offset 1m) / on(x) b > c").unwrap();
        assert_eq!(metric_names(&e), ["a", "b", "c"]);
        assert_eq!(longest_lookback(&e), Duration::from_secs(660));
    }
}
