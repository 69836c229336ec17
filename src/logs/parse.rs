//! From a line to the seed's record fields: the level where the line says it, W3C trace and
//! span ids, and the two container log formats (Docker's json-file lines, CRI lines with
//! their partial `P` / full `F` tag).

use serde::Deserialize;

use crate::model::Level;

/// How far into a line a level word is looked for.
const LEVEL_WINDOW: usize = 160;

/// The level a line states: `level=warn`, `"level":"error"`, `[ERROR]`, a bare upper-case
/// `WARN`, … near its start. `None` when it says none.
pub fn level(line: &str) -> Option<Level> {
    let head = prefix(line, LEVEL_WINDOW);
    // Keyed forms, any case: logfmt and JSON. Each key contains one of three words: a line
    // without the word is not searched for its keys (most lines have none of them).
    let has = |word: &str| find_ignore_case(head, word).is_some();
    let (level, lvl, severity) = (has("level"), has("lvl"), has("severity"));
    for (key, present) in [
        ("level=", level),
        ("lvl=", lvl),
        ("severity=", severity),
        ("\"level\":\"", level),
        ("\"level\": \"", level),
        ("\"severity\":\"", severity),
        ("\"lvl\":\"", lvl),
    ] {
        if !present {
            continue;
        }
        if let Some(i) = find_ignore_case(head, key) {
            let rest = &head[i + key.len()..];
            let word: String = rest
                .trim_start_matches('"')
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            if let Some(l) = word_level(&word.to_ascii_lowercase()) {
                return Some(l);
            }
        }
    }
    // Bare words: upper case anywhere in the window, or any case in brackets.
    let bytes = head.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let end = (i..bytes.len())
                .find(|&j| !bytes[j].is_ascii_alphabetic())
                .unwrap_or(bytes.len());
            let word = &head[i..end];
            let bracketed = i > 0
                && matches!(bytes[i - 1], b'[' | b'<')
                && matches!(bytes.get(end), Some(b']' | b'>'));
            let next_ok = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
            if next_ok
                && (bracketed || word.bytes().all(|b| b.is_ascii_uppercase()))
                && let Some(l) = word_level(&word.to_ascii_lowercase())
            {
                return Some(l);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

fn word_level(w: &str) -> Option<Level> {
    Some(match w {
        "error" | "err" | "fatal" | "critical" | "crit" | "panic" | "alert" | "emerg" => {
            Level::Error
        }
        "warn" | "warning" => Level::Warning,
        "info" | "notice" => Level::Info,
        "debug" => Level::Debug,
        "trace" => Level::Trace,
        _ => return None,
    })
}

/// The journal's syslog priority as a level.
pub fn priority_level(p: &str) -> Option<Level> {
    Some(match p.trim() {
        "0" | "1" | "2" | "3" => Level::Error,
        "4" => Level::Warning,
        "5" | "6" => Level::Info,
        "7" => Level::Debug,
        _ => return None,
    })
}

fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Where `needle` first occurs in `hay`, ASCII case ignored. Positions are tried by their
/// first byte before the rest is compared (this runs several times per line shipped).
fn find_ignore_case(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    let (&first, rest) = n.split_first()?;
    let last = h.len().checked_sub(n.len())?;
    let first = first.to_ascii_lowercase();
    h[..=last].iter().enumerate().find_map(|(i, b)| {
        (b.to_ascii_lowercase() == first && h[i + 1..i + n.len()].eq_ignore_ascii_case(rest))
            .then_some(i)
    })
}

fn hex_run(s: &[u8], at: usize, n: usize) -> Option<&str> {
    let run = s.get(at..at + n)?;
    let ok = run
        .iter()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && run.iter().any(|b| *b != b'0')
        && s.get(at + n).is_none_or(|b| !b.is_ascii_hexdigit());
    if ok {
        std::str::from_utf8(run).ok()
    } else {
        None
    }
}

/// W3C trace and span ids a line carries: a `traceparent` value (`00-<32 hex>-<16 hex>-<2
/// hex>`), or `trace_id` / `span_id` keys (logfmt or JSON).
pub fn trace_ids(line: &str) -> (Option<String>, Option<String>) {
    let b = line.as_bytes();
    // traceparent: version 00, then the ids.
    let mut from = 0;
    while let Some(i) = line[from..].find("00-").map(|i| i + from) {
        if (i == 0 || !b[i - 1].is_ascii_hexdigit())
            && let Some(t) = hex_run(b, i + 3, 32)
            && b.get(i + 35) == Some(&b'-')
            && let Some(s) = hex_run(b, i + 36, 16)
            && b.get(i + 52) == Some(&b'-')
        {
            return (Some(t.to_string()), Some(s.to_string()));
        }
        from = i + 3;
    }
    // Each key contains `trace` or `span`: without the word, its keys are not searched.
    let keyed = |word: &str, keys: &[&str], n: usize| {
        find_ignore_case(line, word)?;
        keys.iter().find_map(|k| {
            let i = find_ignore_case(line, k)?;
            let mut at = i + k.len();
            while matches!(b.get(at), Some(b'"' | b':' | b'=' | b' ')) {
                at += 1;
            }
            hex_run(b, at, n).map(str::to_string)
        })
    };
    (
        keyed("trace", &["trace_id", "traceid", "trace.id"], 32),
        keyed("span", &["span_id", "spanid", "span.id"], 16),
    )
}

/// One line of Docker's json-file driver.
#[derive(Debug, Deserialize)]
pub struct DockerLine {
    pub log: String,
    #[serde(default)]
    pub stream: String,
    #[serde(default)]
    pub time: String,
}

/// Parse a json-file line; `None` when it is not one.
pub fn docker_line(raw: &[u8]) -> Option<DockerLine> {
    crate::model::input::json(raw, crate::model::input::Input::LOG_LINE).ok()
}

/// One CRI log line: `<RFC 3339 time> <stream> <P|F> <content>`.
#[derive(Debug, PartialEq, Eq)]
pub struct CriLine<'a> {
    pub time: &'a str,
    pub stream: &'a str,
    /// A partial line, continued by the next line of the same stream.
    pub partial: bool,
    pub content: &'a [u8],
}

/// Parse a CRI line (without its newline); `None` when it is not one.
pub fn cri_line(raw: &[u8]) -> Option<CriLine<'_>> {
    let mut parts = raw.splitn(4, |b| *b == b' ');
    let time = std::str::from_utf8(parts.next()?).ok()?;
    let stream = std::str::from_utf8(parts.next()?).ok()?;
    let tag = parts.next()?;
    let content = parts.next().unwrap_or_default();
    if !matches!(stream, "stdout" | "stderr") || time.len() < 20 || !time.contains('T') {
        return None;
    }
    // The tag may carry more flags after a colon; P is the only one that matters.
    let partial = match tag.split(|b| *b == b':').next()? {
        b"P" => true,
        b"F" => false,
        _ => return None,
    };
    Some(CriLine {
        time,
        stream,
        partial,
        content,
    })
}

/// An RFC 3339 time as the record's `timestamp` (milliseconds, UTC), when it parses.
pub fn timestamp(text: &str) -> Option<String> {
    humantime::parse_rfc3339_weak(text.trim())
        .ok()
        .map(|t| humantime::format_rfc3339_millis(t).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_where_lines_say_them() {
        let cases = [
            ("2026-01-01 ERROR db down", Some(Level::Error)),
            ("level=warn msg=slow", Some(Level::Warning)),
            (r#"{"level":"debug","msg":"x"}"#, Some(Level::Debug)),
            ("[error] upstream timed out", Some(Level::Error)),
            ("W0101 12:00 <Warning> x", Some(Level::Warning)),
            ("no error here", None),
            ("INFORMATION is not a level", None),
            ("seq=42 all good", None),
            ("", None),
        ];
        for (line, want) in cases {
            assert_eq!(level(line), want, "{line}");
        }
        assert_eq!(priority_level("3"), Some(Level::Error));
        assert_eq!(priority_level("x"), None);
        // A long line only looks at its start, and multibyte text does not split.
        let long = format!("{} ERROR", "é".repeat(200));
        assert_eq!(level(&long), None);
    }

    #[test]
    fn case_insensitive_search() {
        assert_eq!(find_ignore_case("a LEVEL=x", "level="), Some(2));
        assert_eq!(find_ignore_case("xxlevel", "LEVEL"), Some(2));
        assert_eq!(find_ignore_case("lev", "level"), None);
        assert_eq!(find_ignore_case("", "a"), None);
        assert_eq!(find_ignore_case("abc", ""), None);
        assert_eq!(find_ignore_case("lelevel=", "level="), Some(2));
        assert_eq!(find_ignore_case("\"Level\": \"x", "\"level\": \""), Some(0));
        // Not a byte-wise fold: non-letters match themselves only.
        assert_eq!(find_ignore_case("a{b", "a[b"), None);
    }

    #[test]
    fn trace_ids_from_traceparent_and_keys() {
        let t = "4bf92f3577b34da6a3ce929d0e0e4736";
        let s = "00f067aa0ba902b7";
        assert_eq!(
            trace_ids(&format!("GET / traceparent=00-{t}-{s}-01")),
            (Some(t.into()), Some(s.into()))
        );
        assert_eq!(
            trace_ids(&format!(r#"{{"trace_id":"{t}","span_id":"{s}"}}"#)),
            (Some(t.into()), Some(s.into()))
        );
        assert_eq!(trace_ids(&format!("trace_id={t}")), (Some(t.into()), None));
        assert_eq!(
            trace_ids("00-00000000000000000000000000000000-00f067aa0ba902b7-01").0,
            None
        );
        assert_eq!(trace_ids(&format!("trace_id={t}ff")), (None, None));
        assert_eq!(trace_ids("00-"), (None, None));
    }

    #[test]
    fn container_formats() {
        let d = docker_line(
            br#"{"log":"hello\n","stream":"stdout","time":"2026-01-02T03:04:05.123456789Z"}"#,
        )
        .unwrap();
        assert_eq!(d.log, "hello\n");
        assert!(docker_line(b"{not json").is_none());
        let c = cri_line(b"2026-01-02T03:04:05.123456789Z stderr P part one").unwrap();
        assert!(c.partial);
        assert_eq!(c.content, b"part one");
        assert_eq!(c.stream, "stderr");
        let f = cri_line(b"2026-01-02T03:04:05.123456789Z stdout F").unwrap();
        assert!(!f.partial && f.content.is_empty());
        assert!(cri_line(b"garbage line").is_none());
        assert!(cri_line(b"2026-01-02T03:04:05Z stdin F x").is_none());
        assert_eq!(
            timestamp("2026-01-02T03:04:05.123456789Z").as_deref(),
            Some("2026-01-02T03:04:05.123Z")
        );
        assert_eq!(timestamp("nope"), None);
    }
}
