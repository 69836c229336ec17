//! Field validators shared by the CLI, rule files and (later) the agent API.
//!
//! Each returns the parsed value or a message saying what is allowed; the caller names the
//! field (`--port`, `rules.yaml: rule 2: metric`) when turning it into an [`crate::Error`].

use std::net::IpAddr;

/// Prometheus metric names: `[a-zA-Z_:][a-zA-Z0-9_:]*`, bounded in length.
pub const METRIC_NAME_ALLOWED: &str = "a Prometheus metric name: letters, digits, '_' and ':', not starting with a digit, at most 200 characters";

pub fn metric_name(text: &str) -> Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 200
        && text.bytes().enumerate().all(|(i, b)| {
            b.is_ascii_alphabetic() || b == b'_' || b == b':' || (i > 0 && b.is_ascii_digit())
        });
    if ok {
        Ok(text.to_string())
    } else {
        Err(METRIC_NAME_ALLOWED.into())
    }
}

/// Prometheus label names: `[a-zA-Z_][a-zA-Z0-9_]*`, not the reserved `__` prefix.
pub fn label_name(text: &str) -> Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 128
        && !text.starts_with("__")
        && text
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_alphabetic() || b == b'_' || (i > 0 && b.is_ascii_digit()));
    if ok {
        Ok(text.to_string())
    } else {
        Err("a label name: letters, digits and '_', not starting with a digit or '__', at most 128 characters".into())
    }
}

/// Alert rule names become Prometheus `alertname`s, which Prometheus validates as metric names.
pub fn rule_name(text: &str) -> Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 128
        && text
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_alphabetic() || b == b'_' || (i > 0 && b.is_ascii_digit()));
    if ok {
        Ok(text.to_string())
    } else {
        Err("a rule name: letters, digits and '_', not starting with a digit, at most 128 characters".into())
    }
}

/// Names of channels, checks and agents: safe in file names, URLs, YAML and terminals.
pub fn object_name(text: &str) -> Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 64
        && text.as_bytes()[0].is_ascii_alphanumeric()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if ok {
        Ok(text.to_string())
    } else {
        Err("a name of letters, digits, '_', '-' and '.', starting with a letter or digit, at most 64 characters".into())
    }
}

/// Free text (descriptions): any printable text up to 1 KiB; no control characters but tab.
pub fn free_text(text: &str) -> Result<String, String> {
    if text.len() > 1024 {
        return Err("text of at most 1024 bytes".into());
    }
    if text.chars().any(|c| c.is_control() && c != '\t') {
        return Err("text without control characters or newlines".into());
    }
    Ok(text.to_string())
}

/// TCP ports: 1–65535.
pub fn port(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) && text.trim() == text => Ok(n as u16),
        _ => Err("a port number from 1 to 65535".into()),
    }
}

/// An HTTP path for the metrics endpoint: starts with '/', printable ASCII, no query/fragment.
pub fn http_path(text: &str) -> Result<String, String> {
    let ok = text.starts_with('/')
        && text.len() <= 256
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#' && b != b'%');
    if ok {
        Ok(text.to_string())
    } else {
        Err(
            "a path starting with '/', without spaces, '?', '#' or '%', at most 256 characters"
                .into(),
        )
    }
}

/// An IP address to listen on.
pub fn listen_address(text: &str) -> Result<IpAddr, String> {
    text.parse::<IpAddr>()
        .map_err(|_| "an IP address such as 127.0.0.1, 0.0.0.0 or ::1".into())
}

/// An http(s) URL with a host and no credentials in it.
pub fn http_url(text: &str) -> Result<url::Url, String> {
    const ALLOWED: &str =
        "an http:// or https:// URL with a host, e.g. https://hooks.example.com/path";
    if text.len() > 2048 || text.chars().any(char::is_control) {
        return Err(ALLOWED.into());
    }
    // The URL standard reads `https:///x` as host `x`; an operator who typed it forgot the host.
    let after_scheme = text.split_once("://").map(|(_, rest)| rest);
    if after_scheme.is_none_or(|rest| rest.is_empty() || rest.starts_with('/')) {
        return Err(ALLOWED.into());
    }
    let parsed = url::Url::parse(text).map_err(|_| ALLOWED.to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ALLOWED.into());
    }
    match parsed.host_str() {
        Some(h) if !h.is_empty() => {}
        _ => return Err(ALLOWED.into()),
    }
    // Port 0 means "any free port" to a listener; as a destination it reaches nothing.
    if parsed.port() == Some(0) {
        return Err("a URL whose port, if given, is from 1 to 65535".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "a URL without user:password@ credentials (give them through the secret flags)".into(),
        );
    }
    Ok(parsed)
}

/// A host name or IP address (no scheme, no port).
pub fn host(text: &str) -> Result<String, String> {
    const ALLOWED: &str = "a host name or IP address without scheme or port, e.g. smtp.example.com";
    if text.parse::<IpAddr>().is_ok() {
        return Ok(text.to_string());
    }
    let ok = !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(ALLOWED.into())
    }
}

/// An e-mail address: `local@domain`, printable, no spaces or angle brackets.
pub fn email(text: &str) -> Result<String, String> {
    const ALLOWED: &str = "an e-mail address like alerts@example.com";
    let Some((local, domain)) = text.split_once('@') else {
        return Err(ALLOWED.into());
    };
    let ok = !local.is_empty()
        && local.len() <= 64
        && text.len() <= 254
        && !domain.contains('@')
        && local.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(
                    c,
                    '<' | '>' | '(' | ')' | ',' | ';' | ':' | '\\' | '"' | '[' | ']'
                )
        })
        && host(domain).is_ok()
        && domain.contains('.');
    if ok {
        Ok(text.to_string())
    } else {
        Err(ALLOWED.into())
    }
}

/// A regular expression (RE2 syntax); the error is the regex crate's reason on one line.
pub fn regex(text: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(text).map_err(|e| {
        let full = e.to_string();
        let reason = full
            .lines()
            .last()
            .unwrap_or("invalid")
            .trim_start_matches("error: ")
            .to_string();
        format!("a valid regular expression ({reason})")
    })
}

/// A device or mount filter (RE2 syntax): at most 4096 characters and 256 KiB compiled, the
/// bound on every user-given pattern.
pub fn filter_regex(text: &str) -> Result<regex::Regex, String> {
    if text.len() > 4096 {
        return Err("a regular expression of at most 4096 characters".into());
    }
    regex::RegexBuilder::new(text)
        .size_limit(256 * 1024)
        .build()
        .map_err(|e| {
            let full = e.to_string();
            let reason = full
                .lines()
                .last()
                .unwrap_or("invalid")
                .trim_start_matches("error: ")
                .to_string();
            format!("a valid regular expression of at most 256 KiB compiled ({reason})")
        })
}

/// A finite threshold written as a plain decimal number.
pub fn threshold(text: &str) -> Result<f64, String> {
    const ALLOWED: &str = "a finite decimal number such as 90 or 0.5";
    let t = text.trim();
    if t.is_empty() || t.len() > 64 || t != text {
        return Err(ALLOWED.into());
    }
    // Rust's f64 parser accepts "inf", "NaN" and "infinity"; only digits, sign, '.', and an
    // exponent are allowed here, and the result must be finite (1e309 parses to infinity).
    if !t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return Err(ALLOWED.into());
    }
    match t.parse::<f64>() {
        Ok(v) if threshold_value(v).is_ok() => Ok(v),
        _ => Err(ALLOWED.into()),
    }
}

/// A threshold hivemind can print as a plain decimal that [`threshold`] reads back: finite,
/// and at most 64 characters written out (`1e100` would print as 101 digits).
pub fn threshold_value(v: f64) -> Result<f64, String> {
    if v.is_finite() && v.to_string().len() <= 64 {
        Ok(v)
    } else {
        Err("a finite decimal number of at most 64 characters written out".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names() {
        assert!(metric_name("hivemind_container_cpu_usage").is_ok());
        assert!(metric_name("job:rate5m").is_ok());
        for bad in ["1cpu", "cpu-usage", "a b", "", "é", &"a".repeat(300)] {
            assert!(metric_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn thresholds() {
        assert_eq!(threshold("90").unwrap(), 90.0);
        assert_eq!(threshold("-0.5").unwrap(), -0.5);
        assert_eq!(threshold("1e3").unwrap(), 1000.0);
        for bad in [
            "NaN", "nan", "inf", "-inf", "infinity", "1e309", "abc", "", " 1", "0x10", "1,5",
        ] {
            assert!(threshold(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ports_paths_urls_emails() {
        assert_eq!(port("9090").unwrap(), 9090);
        for bad in ["0", "70000", "-1", "", "abc", " 80", "65536"] {
            assert!(port(bad).is_err(), "{bad}");
        }
        assert!(http_path("/metrics").is_ok());
        for bad in ["metrics", "", "/a b", "/a?b", "/\n"] {
            assert!(http_path(bad).is_err(), "{bad:?}");
        }
        assert!(http_url("https://hooks.slack.com/services/X").is_ok());
        for bad in [
            "hooks.slack.com/x",
            "ftp://example.com",
            "http://",
            "https:///path",
            "mailto:a@b.c",
            "http://u:p@h/",
            "http://127.0.0.1:0/",
            "https://example.com:0",
        ] {
            assert!(http_url(bad).is_err(), "{bad}");
        }
        assert!(http_url("http://127.0.0.1:1/").is_ok());
        assert!(http_url("http://[::1]:65535/").is_ok());
        assert!(email("alerts@example.com").is_ok());
        for bad in [
            "alerts",
            "@example.com",
            "a@",
            "a b@example.com",
            "a@b@c.com",
            "a@localhost",
            "<a@b.com>",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert!(rule_name("high_cpu_usage").is_ok());
        assert!(object_name("slack-ops.1").is_ok());
        for bad in ["a/b", "a\nb", "a\u{7}b", "", "-x", &"x".repeat(200)] {
            assert!(object_name(bad).is_err(), "{bad:?}");
            assert!(rule_name(bad).is_err(), "{bad:?}");
        }
        assert!(label_name("__name__").is_err());
        assert!(host("smtp.example.com").is_ok());
        assert!(host("smtp.example.com:25").is_err());
        assert!(host("http://x").is_err());
    }
}
