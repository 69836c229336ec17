//! Go's number formatting (`fmt`'s `%v`, `%g`, `%e`, `%f`, `%d` and `printf`), and
//! Prometheus's `humanize*` template functions built on it.

use super::render::Val;

/// Decimal digits of a float (no trailing zeros) and the decimal point's position:
/// `0.d1d2… × 10^dp`.
struct Digits {
    neg: bool,
    d: Vec<u8>,
    dp: i32,
}

/// From Rust's `{:e}` output, which is exact (shortest, or rounded to a precision).
fn digits_of(e_form: &str) -> Digits {
    let (neg, rest) = match e_form.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, e_form),
    };
    let (mantissa, exp) = rest.split_once('e').unwrap_or((rest, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    while d.len() > 1 && d.last() == Some(&b'0') {
        d.pop();
    }
    if d == [b'0'] {
        return Digits {
            neg,
            d: Vec::new(),
            dp: 0,
        };
    }
    Digits {
        neg,
        d,
        dp: exp + 1,
    }
}

fn shortest(v: f64) -> Digits {
    digits_of(&format!("{v:e}"))
}

fn rounded(v: f64, significant: usize) -> Digits {
    digits_of(&format!("{:.*e}", significant.saturating_sub(1), v))
}

fn fmt_e(d: &Digits, prec: usize, upper: bool) -> String {
    let mut out = String::new();
    if d.neg {
        out.push('-');
    }
    out.push(d.d.first().map_or('0', |c| *c as char));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(d.d.get(i).map_or('0', |c| *c as char));
        }
    }
    out.push(if upper { 'E' } else { 'e' });
    let exp = if d.d.is_empty() { 0 } else { d.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
    out
}

fn fmt_f(d: &Digits, prec: usize) -> String {
    let mut out = String::new();
    if d.neg {
        out.push('-');
    }
    if d.dp > 0 {
        let dp = d.dp as usize;
        for i in 0..dp {
            out.push(d.d.get(i).map_or('0', |c| *c as char));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            let j = d.dp + i as i32;
            let c = if j >= 0 {
                d.d.get(j as usize).map_or('0', |c| *c as char)
            } else {
                '0'
            };
            out.push(c);
        }
    }
    out
}

fn special(v: f64) -> Option<String> {
    if v.is_nan() {
        Some("NaN".into())
    } else if v == f64::INFINITY {
        Some("+Inf".into())
    } else if v == f64::NEG_INFINITY {
        Some("-Inf".into())
    } else {
        None
    }
}

/// Go's `%g` with a precision (significant digits), or the shortest form (`%v`) for `None`.
pub fn go_g(v: f64, prec: Option<usize>, upper: bool) -> String {
    if let Some(s) = special(v) {
        return s;
    }
    let (d, eprec, p) = match prec {
        None => {
            let d = shortest(v);
            let n = d.d.len();
            (d, 6i32, n)
        }
        Some(p) => {
            let p = p.max(1);
            let d = rounded(v, p);
            let mut eprec = p as i32;
            if eprec > d.d.len() as i32 && d.d.len() as i32 >= d.dp {
                eprec = d.d.len() as i32;
            }
            (d, eprec, p)
        }
    };
    let exp = d.dp - 1;
    if exp < -4 || exp >= eprec {
        let p = p.min(d.d.len().max(1));
        return fmt_e(&d, p.saturating_sub(1), upper);
    }
    let p = if p as i32 > d.dp { d.d.len() } else { p };
    fmt_f(&d, (p as i32 - d.dp).max(0) as usize)
}

/// How Go prints a float64 with `%v` (and how `{{ $value }}` renders).
pub fn go_float(v: f64) -> String {
    go_g(v, None, false)
}

/// Go's `%e` with a precision (digits after the point; 6 by default).
pub fn go_e(v: f64, prec: usize, upper: bool) -> String {
    if let Some(s) = special(v) {
        return s;
    }
    fmt_e(&rounded(v, prec + 1), prec, upper)
}

/// Go's `%f`.
pub fn go_f(v: f64, prec: usize) -> String {
    if let Some(s) = special(v) {
        return s;
    }
    format!("{v:.prec$}")
}

const BIG: [&str; 8] = ["k", "M", "G", "T", "P", "E", "Z", "Y"];
const SMALL: [&str; 8] = ["m", "u", "n", "p", "f", "a", "z", "y"];

/// Prometheus's `humanize`: SI prefixes, 4 significant digits.
pub fn humanize(v: f64) -> String {
    if v == 0.0 || v.is_nan() || v.is_infinite() {
        return go_g(v, Some(4), false);
    }
    let mut v = v;
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in BIG {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
    } else {
        for p in SMALL {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= 1000.0;
        }
    }
    format!("{}{prefix}", go_g(v, Some(4), false))
}

/// Prometheus's `humanize1024`: binary prefixes.
pub fn humanize1024(v: f64) -> String {
    if v.abs() <= 1.0 || v.is_nan() || v.is_infinite() {
        return go_g(v, Some(4), false);
    }
    let mut v = v;
    let mut prefix = "";
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
        if v.abs() < 1024.0 {
            break;
        }
        prefix = p;
        v /= 1024.0;
    }
    format!("{}{prefix}", go_g(v, Some(4), false))
}

/// Prometheus's `humanizePercentage`: a ratio as a percentage.
pub fn humanize_percentage(v: f64) -> String {
    format!("{}%", go_g(v * 100.0, Some(4), false))
}

/// Prometheus's `humanizeDuration`: seconds as `1d 2h 3m 4s`, or with SI prefixes below 1 s.
pub fn humanize_duration(v: f64) -> String {
    if v.is_nan() || v.is_infinite() {
        return go_g(v, Some(4), false);
    }
    if v == 0.0 {
        return format!("{}s", go_g(v, Some(4), false));
    }
    if v.abs() >= 1.0 {
        let (sign, v) = if v < 0.0 { ("-", -v) } else { ("", v) };
        let d = if v >= i64::MAX as f64 {
            i64::MAX
        } else {
            v as i64
        };
        let (s, m, h, days) = (d % 60, (d / 60) % 60, (d / 3600) % 24, d / 86400);
        if days != 0 {
            return format!("{sign}{days}d {h}h {m}m {s}s");
        }
        if h != 0 {
            return format!("{sign}{h}h {m}m {s}s");
        }
        if m != 0 {
            return format!("{sign}{m}m {s}s");
        }
        return format!("{sign}{}s", go_g(v, Some(4), false));
    }
    let mut v = v;
    let mut prefix = "";
    for p in SMALL {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", go_g(v, Some(4), false))
}

/// Go's `fmt.Sprintf` for the verbs templates use: `%v %s %q %d %f %F %e %E %g %G %x %t %%`
/// with flags `-+ 0`, width and precision. A mismatched argument prints as Go does
/// (`%!d(float64=1.5)`).
pub fn sprintf(format: &str, args: &[Val]) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (mut minus, mut plus, mut zero, mut space) = (false, false, false, false);
        while let Some(&f) = chars.peek() {
            match f {
                '-' => minus = true,
                '+' => plus = true,
                '0' => zero = true,
                ' ' => space = true,
                '#' => {}
                _ => break,
            }
            chars.next();
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut prec: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            prec = Some(p.parse().unwrap_or(0).min(100));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        let mut s = match (verb, arg) {
            ('v', a) => a.to_string(),
            ('s', Val::Str(s)) => s.clone(),
            ('s', a @ (Val::Float(_) | Val::Int(_) | Val::Bool(_))) => {
                format!("%!s({}={a})", a.go_type())
            }
            ('s', a) => a.to_string(),
            ('q', Val::Str(s)) => format!("{s:?}"),
            ('d', Val::Int(i)) => i.to_string(),
            ('x', Val::Int(i)) => format!("{i:x}"),
            ('x', Val::Str(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
            ('t', Val::Bool(b)) => b.to_string(),
            ('f' | 'F', Val::Float(f)) => go_f(*f, prec.unwrap_or(6)),
            ('e' | 'E', Val::Float(f)) => go_e(*f, prec.unwrap_or(6), verb == 'E'),
            ('g' | 'G', Val::Float(f)) => go_g(*f, prec, verb == 'G'),
            (v, a) => format!("%!{v}({}={a})", a.go_type()),
        };
        let numeric = matches!(arg, Val::Float(_) | Val::Int(_));
        if numeric && !s.starts_with('-') && !s.starts_with('%') {
            if plus && !s.starts_with('+') {
                s.insert(0, '+');
            } else if space {
                s.insert(0, ' ');
            }
        }
        if let Ok(w) = width.parse::<usize>() {
            let w = w.min(1000);
            let len = s.chars().count();
            if len < w {
                let pad = w - len;
                if minus {
                    s.push_str(&" ".repeat(pad));
                } else if zero && numeric {
                    let sign = s.starts_with(['-', '+', ' ']);
                    let at = usize::from(sign);
                    s.insert_str(at, &"0".repeat(pad));
                } else {
                    s.insert_str(0, &" ".repeat(pad));
                }
            }
        }
        out.push_str(&s);
    }
    if next < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|a| format!("{}={a}", a.go_type()))
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_float_formats() {
        for (v, want) in [
            (223629312.0, "2.23629312e+08"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (0.5, "0.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.0, "1"),
            (0.0, "0"),
            (-2.5, "-2.5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
            (1e21, "1e+21"),
        ] {
            assert_eq!(go_float(v), want, "{v}");
        }
        assert_eq!(go_g(223.629312, Some(4), false), "223.6");
        assert_eq!(go_g(999.99, Some(4), false), "1000");
        assert_eq!(go_g(1.5, Some(4), false), "1.5");
        assert_eq!(go_g(12345.0, Some(4), false), "1.234e+04");
        assert_eq!(go_g(0.0, Some(4), false), "0");
        assert_eq!(go_e(1234.5678, 2, false), "1.23e+03");
        assert_eq!(go_f(2.0 / 3.0, 2), "0.67");
    }

    #[test]
    fn humanizers() {
        assert_eq!(humanize(223629312.0), "223.6M");
        assert_eq!(humanize(0.0123), "12.3m");
        assert_eq!(humanize(0.0), "0");
        assert_eq!(humanize(1000.0), "1k");
        assert_eq!(humanize1024(1048576.0), "1Mi");
        assert_eq!(humanize_percentage(0.1234), "12.34%");
        assert_eq!(humanize_duration(90061.0), "1d 1h 1m 1s");
        assert_eq!(humanize_duration(61.0), "1m 1s");
        assert_eq!(humanize_duration(1.5), "1.5s");
        assert_eq!(humanize_duration(0.001), "1ms");
        assert_eq!(humanize_duration(0.0), "0s");
    }

    #[test]
    fn printf() {
        let f = |fmt: &str, args: &[Val]| sprintf(fmt, args);
        assert_eq!(f("%.2f%%", &[Val::Float(12.346)]), "12.35%");
        assert_eq!(
            f("%s is %v", &[Val::Str("a".into()), Val::Float(1.0)]),
            "a is 1"
        );
        assert_eq!(f("%d", &[Val::Float(1.5)]), "%!d(float64=1.5)");
        assert_eq!(
            f("%5.1f|%-4s|", &[Val::Float(2.25), Val::Str("ab".into())]),
            "  2.2|ab  |"
        );
        assert_eq!(f("%d %d", &[Val::Int(1)]), "1 %!d(MISSING)");
    }
}
