//! The one redaction step: known secrets and URL credentials out of text from outside.
//!
//! Text that came from outside (a receiver's answer, a check's output, another agent's error)
//! goes through [`redact`] before it is printed, logged or stored.
//!
//! Every value wrapped in a [`Secret`](crate::model::Secret) is registered here when it is created, so
//! the registry knows each secret that has entered the process: read from the secret store, a
//! flag, stdin, a file or the environment, or received by the agent's API. [`redact`] replaces
//! each occurrence of one with `<secret>` ([`REDACTED`]), in the forms outside text carries it:
//!
//! - as it is, and for a URL also its parts an HTTP peer sees and may echo: the path with its
//!   query (`Cannot POST /services/T0/B0/…`), the path, the last path segment, each query
//!   value, the password of `user:password@`;
//! - percent-encoded (a receiver echoes the request path encoded, in upper- or lower-case
//!   hex), JSON-escaped (`\/`, `\u0041`) and HTML-escaped (`&amp;`, `&#39;`): these are found
//!   by decoding the text (any mix of encoded and plain characters, any hex case) and mapping
//!   a match back to the encoded span;
//! - base64, standard and URL-safe, at each of the three alignments a value can have inside a
//!   longer encoded string (`Basic base64(user:password)`): the characters that depend only
//!   on the secret's bytes are precomputed when it is registered.
//!
//! `user:password@` in any `scheme://` URL is replaced as well, known or not.
//!
//! Values shorter than [`MIN_LEN`] characters are not treated as findable: a 3-character
//! password would turn every `abc` in every message into `<secret>`, and would say which
//! strings are not the password. Redaction is linear in the text: one pass of an Aho–Corasick
//! automaton over the text and over each decoded form of it that applies.

use std::borrow::Cow;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, LazyLock, RwLock};

use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine as _;

/// The text a secret is replaced with (and the text every secret value prints as, see
/// `model::secret`).
pub const REDACTED: &str = "<secret>";

/// The shortest value (in characters) that is looked for in text. Shorter ones match too
/// much ordinary text to be worth hiding, and are too short to be worth guessing at anyway.
pub const MIN_LEN: usize = 8;

/// Bytes to read beyond a cut: text is redacted before it is cut to length, so that a secret
/// across the cut is whole, and replaced, rather than cut and left half-visible.
pub const READ_MARGIN: usize = 4096;

/// Values the process-wide registry keeps; the oldest is forgotten beyond this (a secret in
/// use is registered again each time it is read).
const MAX_VALUES: usize = 512;

/// Knows a set of secret values and removes them from text.
pub struct Redactor {
    matcher: Matcher,
}

enum Matcher {
    None,
    Automaton(AhoCorasick),
    /// Only if the automaton cannot be built (it is bounded far below that): a plain search.
    Plain(Vec<Vec<u8>>),
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor")
    }
}

impl Redactor {
    /// A redactor for `values` (values shorter than [`MIN_LEN`] are ignored).
    pub fn new<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> Redactor {
        let mut seen = HashSet::new();
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        for value in values {
            for form in findable_forms(value.as_ref()) {
                for p in std::iter::once(form.clone().into_bytes()).chain(base64_cores(&form)) {
                    if p.len() >= MIN_LEN && seen.insert(p.clone()) {
                        patterns.push(p);
                    }
                }
            }
        }
        let matcher = if patterns.is_empty() {
            Matcher::None
        } else {
            match AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&patterns)
            {
                Ok(ac) => Matcher::Automaton(ac),
                Err(_) => Matcher::Plain(patterns),
            }
        };
        Redactor { matcher }
    }

    /// `text` with every known secret (in every form above) and every URL's `user:password@`
    /// part replaced by `<secret>`; borrowed when there was nothing to replace.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let bytes = text.as_bytes();
        let mut spans = Vec::new();
        self.scan(bytes, None, &mut spans);
        let pct = bytes.contains(&b'%');
        let json = bytes.contains(&b'\\');
        let html = bytes.contains(&b'&');
        if pct && let Some(v) = decode(bytes, percent_step) {
            self.scan(&v.bytes, Some(&v.starts), &mut spans);
        }
        if json && let Some(v) = decode(bytes, json_step) {
            self.scan(&v.bytes, Some(&v.starts), &mut spans);
            if pct && let Some(inner) = decode(&v.bytes, percent_step) {
                let starts: Vec<usize> = inner.starts.iter().map(|&i| v.starts[i]).collect();
                self.scan(&inner.bytes, Some(&starts), &mut spans);
            }
        }
        if html && let Some(v) = decode(bytes, html_step) {
            self.scan(&v.bytes, Some(&v.starts), &mut spans);
        }
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        spans.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (s, e) in spans {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        for (s, e) in merged {
            let s = floor_boundary(text, s.max(at));
            let e = ceil_boundary(text, e);
            if e <= s {
                continue;
            }
            out.push_str(&text[at..s]);
            out.push_str(REDACTED);
            at = e;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// [`Redactor::redact`], then [`cut`] to at most `max_bytes`. Give it [`READ_MARGIN`]
    /// bytes more than that when there are more: a secret is replaced before the cut, never
    /// cut in two and left half-visible.
    pub fn redact_cut(&self, text: &str, max_bytes: usize) -> String {
        cut(&self.redact(text), max_bytes)
    }

    /// Find secrets and URL credentials in `view` (the text, or a decoded form of it whose
    /// byte `i` came from the text at `starts[i]`) and add their spans in the text.
    fn scan(&self, view: &[u8], starts: Option<&[usize]>, spans: &mut Vec<(usize, usize)>) {
        let mut add = |s: usize, e: usize| {
            let span = match starts {
                None => (s, e),
                Some(starts) => (starts[s], end_of(starts, e)),
            };
            // Matches come in order of their end: merge with the last span while they
            // overlap, so a long run of overlapping matches costs one entry.
            let (mut s, mut e) = span;
            while let Some(&(ls, le)) = spans.last() {
                if le < s || ls > e {
                    break;
                }
                s = s.min(ls);
                e = e.max(le);
                spans.pop();
            }
            spans.push((s, e));
        };
        match &self.matcher {
            Matcher::None => {}
            Matcher::Automaton(ac) => {
                if let Ok(found) = ac.try_find_overlapping_iter(view) {
                    for m in found {
                        add(m.start(), m.end());
                    }
                }
            }
            Matcher::Plain(patterns) => {
                for p in patterns {
                    for (i, w) in view.windows(p.len()).enumerate() {
                        if w == p.as_slice() {
                            add(i, i + p.len());
                        }
                    }
                }
            }
        }
        url_credentials(view, &mut add);
    }
}

/// `text` cut to at most `max_bytes` at a character boundary; a cut that would fall inside a
/// `<secret>` marker moves before it (`<sec` would only puzzle). Cut redacted text only:
/// cutting first could leave the start of a secret that is then no longer found.
pub fn cut(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_string();
    }
    let mut at = floor_boundary(text, max_bytes);
    if let Some(open) = text[..at].rfind('<')
        && text[open..].starts_with(REDACTED)
        && open + REDACTED.len() > at
    {
        at = open;
    }
    text[..at].to_string()
}

/// The end in the text of view bytes up to `e` (exclusive): where the text of the next
/// decoded character starts (one escape may decode to several bytes, which share a start).
fn end_of(starts: &[usize], e: usize) -> usize {
    let last = starts[e - 1];
    starts[e..]
        .iter()
        .copied()
        .find(|&s| s > last)
        .unwrap_or(last + 1)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The `user:password@` of every `scheme://user:password@host` in `view`.
fn url_credentials(view: &[u8], add: &mut impl FnMut(usize, usize)) {
    let mut i = 0;
    while let Some(p) = find(&view[i..], b"://") {
        let start = i + p + 3;
        let mut j = start;
        while j < view.len()
            && !matches!(
                view[j],
                b'/' | b'?' | b'#' | b'@' | b'\\' | b'"' | b'\'' | b'<' | b'>' | b'`'
            )
            && !view[j].is_ascii_whitespace()
            && !view[j].is_ascii_control()
        {
            j += 1;
        }
        if j < view.len() && view[j] == b'@' && j > start {
            add(start, j);
        }
        // The scan stopped at a delimiter; the next `://` cannot start before it.
        i = j.max(start);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The forms of one secret value that text may carry as they are (before any encoding): the
/// value, and for a URL the parts of it an HTTP peer sees. Those shorter than [`MIN_LEN`]
/// characters are left out.
pub fn findable_forms(value: &str) -> Vec<String> {
    let mut forms = vec![value.to_string()];
    if let Some((_, rest)) = value.split_once("://") {
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if let Some((userinfo, _)) = rest[..authority_end].rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
        {
            forms.push(password.to_string());
        }
        let tail = &rest[authority_end..];
        let sent = tail.split('#').next().unwrap_or_default();
        let (path, query) = sent.split_once('?').unwrap_or((sent, ""));
        forms.push(tail.to_string());
        forms.push(sent.to_string());
        forms.push(path.to_string());
        if let Some(last) = path.trim_end_matches('/').rsplit('/').next() {
            forms.push(last.to_string());
        }
        for pair in query.split('&') {
            if let Some((_, v)) = pair.split_once('=') {
                forms.push(v.to_string());
            }
        }
        // What an HTTP client sends: the URL as `url` normalises it.
        if let Ok(u) = url::Url::parse(value) {
            forms.push(u[url::Position::BeforePath..url::Position::AfterQuery].to_string());
        }
    }
    // A value that is itself percent-encoded is found in decoded text by its decoded form.
    let decoded: Vec<String> = forms
        .iter()
        .filter_map(|f| decode(f.as_bytes(), percent_step))
        .filter_map(|v| String::from_utf8(v.bytes).ok())
        .collect();
    forms.extend(decoded);
    let mut seen = HashSet::new();
    forms.retain(|f| f.chars().count() >= MIN_LEN && seen.insert(f.clone()));
    forms
}

/// The base64 text of `value` wherever it sits in a longer encoded string: for each of the
/// three alignments (the value starts at a byte offset of 0, 1 or 2 modulo 3), the characters
/// that depend on the value's bytes alone, in the standard and the URL-safe alphabet.
fn base64_cores(value: &str) -> Vec<Vec<u8>> {
    let engines = [
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    for offset in 0..3usize {
        let mut input = vec![0u8; offset];
        input.extend_from_slice(bytes);
        // Character i covers bits [6i, 6i + 6); the value covers [8 offset, 8 (offset + n)).
        let first = (8 * offset).div_ceil(6);
        let end = 8 * (offset + bytes.len()) / 6;
        for engine in engines {
            let encoded = engine.encode(&input).into_bytes();
            if first < end && end <= encoded.len() {
                out.push(encoded[first..end].to_vec());
            }
        }
    }
    out
}

/// A decoded form of some text: byte `i` came from the text at `starts[i]`; `starts` has one
/// more entry, the text's length.
struct View {
    bytes: Vec<u8>,
    starts: Vec<usize>,
}

/// One step of a decoder at `src[i..]`: the bytes it decodes to and how many it consumed, or
/// `None` when nothing is decoded there (the byte stands for itself).
type Step = fn(&[u8], usize, &mut Vec<u8>) -> Option<usize>;

/// `src` decoded with `step`, or `None` when nothing in it was encoded.
fn decode(src: &[u8], step: Step) -> Option<View> {
    let mut bytes = Vec::with_capacity(src.len());
    let mut starts = Vec::with_capacity(src.len() + 1);
    let mut i = 0;
    let mut changed = false;
    while i < src.len() {
        let before = bytes.len();
        match step(src, i, &mut bytes) {
            Some(used) if used > 0 => {
                starts.resize(starts.len() + (bytes.len() - before), i);
                i += used;
                changed = true;
            }
            _ => {
                bytes.truncate(before);
                bytes.push(src[i]);
                starts.push(i);
                i += 1;
            }
        }
    }
    starts.push(src.len());
    changed.then_some(View { bytes, starts })
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// `%XX`, either case.
fn percent_step(src: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    if src[i] != b'%' {
        return None;
    }
    let v = hex(*src.get(i + 1)?)? << 4 | hex(*src.get(i + 2)?)?;
    out.push(v);
    Some(3)
}

fn push_char(c: char, out: &mut Vec<u8>) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

fn hex4(src: &[u8], at: usize) -> Option<u32> {
    let digits = src.get(at..at + 4)?;
    digits
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc << 4 | u32::from(hex(b)?)))
}

/// JSON string escapes: `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` (with
/// surrogate pairs).
fn json_step(src: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    if src[i] != b'\\' {
        return None;
    }
    let simple = match *src.get(i + 1)? {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => 8,
        b'f' => 12,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'u' => {
            let hi = hex4(src, i + 2)?;
            if (0xD800..0xDC00).contains(&hi) {
                if src.get(i + 6..i + 8)? != b"\\u" {
                    return None;
                }
                let lo = hex4(src, i + 8)?;
                if !(0xDC00..0xE000).contains(&lo) {
                    return None;
                }
                let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?;
                push_char(c, out);
                return Some(12);
            }
            push_char(char::from_u32(hi)?, out);
            return Some(6);
        }
        _ => return None,
    };
    out.push(simple);
    Some(2)
}

/// HTML character references: `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#NN;`, `&#xHH;`.
fn html_step(src: &[u8], i: usize, out: &mut Vec<u8>) -> Option<usize> {
    if src[i] != b'&' {
        return None;
    }
    let rest = &src[i + 1..];
    let end = rest.iter().take(10).position(|&b| b == b';')?;
    let name = &rest[..end];
    let c = match name {
        b"amp" => '&',
        b"lt" => '<',
        b"gt" => '>',
        b"quot" => '"',
        b"apos" => '\'',
        _ => {
            let digits = name.strip_prefix(b"#")?;
            let text = std::str::from_utf8(digits).ok()?;
            let n = match text.strip_prefix(['x', 'X']) {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => text.parse().ok()?,
            };
            char::from_u32(n)?
        }
    };
    push_char(c, out);
    Some(end + 2)
}

/// The process-wide registry of the secret values this process has seen.
struct Registry {
    order: VecDeque<String>,
    known: HashSet<String>,
    /// Built when first needed after a change: registering the tokens of a fleet of a
    /// thousand agents one by one must not build a thousand automatons.
    redactor: Option<Arc<Redactor>>,
}

static REGISTRY: LazyLock<RwLock<Registry>> = LazyLock::new(|| {
    RwLock::new(Registry {
        order: VecDeque::new(),
        known: HashSet::new(),
        redactor: None,
    })
});

/// Make `value` known to [`redact`] in this process (a value already known costs a lookup).
pub fn register(value: &str) {
    {
        let r = REGISTRY.read().unwrap_or_else(|p| p.into_inner());
        if r.known.contains(value) {
            return;
        }
    }
    if findable_forms(value).is_empty() {
        return;
    }
    let mut r = REGISTRY.write().unwrap_or_else(|p| p.into_inner());
    if !r.known.insert(value.to_string()) {
        return;
    }
    r.order.push_back(value.to_string());
    while r.order.len() > MAX_VALUES {
        if let Some(old) = r.order.pop_front() {
            r.known.remove(&old);
        }
    }
    r.redactor = None;
}

/// The redactor for every value registered so far.
pub fn current() -> Arc<Redactor> {
    {
        let r = REGISTRY.read().unwrap_or_else(|p| p.into_inner());
        if let Some(redactor) = &r.redactor {
            return Arc::clone(redactor);
        }
    }
    let mut r = REGISTRY.write().unwrap_or_else(|p| p.into_inner());
    let built = match &r.redactor {
        Some(redactor) => Arc::clone(redactor),
        None => Arc::new(Redactor::new(r.order.iter())),
    };
    r.redactor = Some(Arc::clone(&built));
    built
}

/// `text` without any secret this process knows, nor URL credentials (see the module).
pub fn redact(text: &str) -> Cow<'_, str> {
    current().redact(text)
}

/// [`redact`], owning: the same `String` back when there was nothing to replace.
pub fn redacted(text: String) -> String {
    match current().redact(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(s) => s,
    }
}

/// [`redact`], then cut to `max_bytes` (see [`Redactor::redact_cut`]).
pub fn redact_cut(text: &str, max_bytes: usize) -> String {
    current().redact_cut(text, max_bytes)
}

/// Every string in `value` redacted in place.
pub fn redact_json(value: &mut serde_json::Value) {
    let r = current();
    redact_json_with(&r, value);
}

/// [`redact_json`] with a given redactor (one lookup of the registry for many values).
pub fn redact_json_with(r: &Redactor, value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => {
            if let Cow::Owned(new) = r.redact(s) {
                *s = new;
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                redact_json_with(r, v);
            }
        }
        serde_json::Value::Object(map) => {
            for v in map.values_mut() {
                redact_json_with(r, v);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};

    const TOKEN: &str = "Xq7KpZ2mWb9LrT4vYc1NdF8s";
    const WEBHOOK: &str =
        "https://hooks.slack.com/services/T0ABCDEF/B0GHIJKL/Xq7KpZ2mWb9LrT4vYc1NdF8s";

    fn slack() -> Redactor {
        Redactor::new([WEBHOOK])
    }

    /// Every byte percent-encoded, in upper- or lower-case hex.
    fn pct_all(s: &str, upper: bool) -> String {
        s.bytes()
            .map(|b| {
                if upper {
                    format!("%{b:02X}")
                } else {
                    format!("%{b:02x}")
                }
            })
            .collect()
    }

    #[test]
    fn text_without_a_secret_is_returned_as_it_is() {
        let r = slack();
        for text in [
            "",
            "HTTP 404 Not Found",
            "Cannot POST /services/T0ABCDEF/B0GHIJKL/other",
            "100% done \\ & more; https://hooks.slack.com/services/",
            "ünïcödé 日本語 ✓",
        ] {
            assert!(
                matches!(r.redact(text), Cow::Borrowed(t) if t == text),
                "{text}"
            );
        }
        let none = Redactor::new(std::iter::empty::<&str>());
        assert_eq!(none.redact("nothing known"), "nothing known");
    }

    #[test]
    fn the_value_and_the_parts_of_a_url_an_http_peer_sees() {
        let r = slack();
        assert_eq!(
            r.redact(&format!("bad url {WEBHOOK}!")),
            "bad url <secret>!"
        );
        assert_eq!(
            r.redact("127.0.0.1: HTTP 404 Not Found: Cannot POST /services/T0ABCDEF/B0GHIJKL/Xq7KpZ2mWb9LrT4vYc1NdF8s"),
            "127.0.0.1: HTTP 404 Not Found: Cannot POST <secret>"
        );
        assert_eq!(
            r.redact(&format!("invalid_token: {TOKEN}")),
            "invalid_token: <secret>"
        );
        let q = Redactor::new(["https://example.com/hook?team=ops&key=k3yK3yK3yK3y#frag"]);
        assert_eq!(q.redact("unknown key k3yK3yK3yK3y"), "unknown key <secret>");
        assert_eq!(
            q.redact("GET /hook?team=ops&key=k3yK3yK3yK3y"),
            "GET <secret>"
        );
        let creds = Redactor::new(["https://ops:pa55w0rd-x@es.example.com:9200"]);
        assert_eq!(
            creds.redact("authentication failed for pa55w0rd-x"),
            "authentication failed for <secret>"
        );
    }

    #[test]
    fn percent_encoded_in_either_case_and_mixed() {
        let r = slack();
        let path = "/services/T0ABCDEF/B0GHIJKL/Xq7KpZ2mWb9LrT4vYc1NdF8s";
        for encoded in [
            pct_all(path, true),
            pct_all(path, false),
            path.replace('/', "%2F"),
            path.replace('/', "%2f"),
            format!("/services/T0ABCDEF/B0GHIJKL/{}", pct_all(TOKEN, false)),
            // Only some characters encoded, as a path encoder would.
            "/services/T0ABCDEF/B0GHIJKL/Xq7K%70Z2mWb9LrT4vYc1NdF8s".to_string(),
        ] {
            let text = format!("Cannot POST {encoded}");
            let out = r.redact(&text);
            assert_eq!(out, "Cannot POST <secret>", "{text}");
        }
        let full = pct_all(WEBHOOK, true);
        assert_eq!(r.redact(&format!("url={full}&x=1")), "url=<secret>&x=1");
    }

    #[test]
    fn json_escaped() {
        let r = slack();
        // As an Express or PHP JSON error body carries it: slashes escaped, some \u escapes.
        let body =
            r#"{"error":"Cannot POST \/services\/T0ABCDEF\/B0GHIJKL\/Xq7KpZ2mWb9LrT4vYc1NdF8s"}"#;
        assert_eq!(r.redact(body), r#"{"error":"Cannot POST <secret>"}"#);
        let unicode = r#"{"token":"\u0058q7KpZ2mWb9LrT4vYc1NdF8\u0073"}"#;
        assert_eq!(r.redact(unicode), r#"{"token":"<secret>"}"#);
        // JSON around percent-encoding.
        let both = format!(r#"{{"path":"{}"}}"#, pct_all(TOKEN, true)).replace("%58", "\\u002558");
        assert_eq!(r.redact(&both), r#"{"path":"<secret>"}"#);
        // A surrogate pair in the secret.
        let emoji = Redactor::new(["key-😀-secret"]);
        assert_eq!(
            emoji.redact(r#"{"k":"key-\ud83d\ude00-secret"}"#),
            r#"{"k":"<secret>"}"#
        );
    }

    #[test]
    fn html_escaped() {
        let r = Redactor::new(["p&ss<w>rd'42"]);
        assert_eq!(
            r.redact("<pre>Cannot POST /login?pw=p&amp;ss&lt;w&gt;rd&#39;42</pre>"),
            "<pre>Cannot POST /login?pw=<secret></pre>"
        );
        assert_eq!(
            r.redact("x p&#x26;ss&#60;w&#62;rd&apos;42 y"),
            "x <secret> y"
        );
    }

    #[test]
    fn base64_in_both_alphabets_at_every_alignment() {
        // Bytes that differ between the alphabets ('+' '/' against '-' '_').
        let secret = "s3cr3t?>>?~~~~";
        let r = Redactor::new([secret]);
        for prefix in ["", "u", "us", "user:", "elastic:"] {
            for suffix in ["", "!", "!!", "!!!"] {
                let plain = format!("{prefix}{secret}{suffix}");
                for engine in [&STANDARD, &URL_SAFE, &URL_SAFE_NO_PAD] {
                    let encoded = engine.encode(&plain);
                    let text = format!("Authorization: Basic {encoded} refused");
                    let out = r.redact(&text);
                    let (before, after) = out
                        .split_once(REDACTED)
                        .unwrap_or_else(|| panic!("{plain:?}: {text} -> {out}"));
                    let before = before.trim_start_matches("Authorization: Basic ");
                    let after = after.trim_end_matches(" refused");
                    // Only the characters that also depend on the prefix or the suffix stay.
                    let prefix_chars = (prefix.len() * 8).div_ceil(6) + 1;
                    let suffix_chars = (suffix.len() * 8).div_ceil(6) + 3;
                    assert!(
                        before.len() <= prefix_chars && after.len() <= suffix_chars,
                        "{plain:?}: {text} -> {out}"
                    );
                }
            }
        }
    }

    #[test]
    fn overlapping_and_adjacent_secrets_become_one_marker() {
        let r = Redactor::new(["abcdefgh12", "efgh12345678"]);
        assert_eq!(r.redact("x abcdefgh12345678 y"), "x <secret> y");
        assert_eq!(r.redact("abcdefgh12efgh12345678"), "<secret>");
        assert_eq!(r.redact("abcdefgh12 efgh12345678"), "<secret> <secret>");
        // One secret inside another.
        let nested = Redactor::new(["0123456789abcdef", "456789ab"]);
        assert_eq!(
            nested.redact("[0123456789abcdef] [456789ab]"),
            "[<secret>] [<secret>]"
        );
    }

    #[test]
    fn values_shorter_than_the_minimum_are_not_looked_for() {
        assert_eq!(MIN_LEN, 8);
        let short = Redactor::new(["abc", "hunter2"]);
        assert_eq!(short.redact("abc hunter2 abcabc"), "abc hunter2 abcabc");
        let eight = Redactor::new(["hunter22"]);
        assert_eq!(eight.redact("pw hunter22."), "pw <secret>.");
        // Characters, not bytes: eight non-ASCII characters are long enough, seven are not.
        let chars = Redactor::new(["pässwört", "pässwör"]);
        assert_eq!(chars.redact("pässwört pässwör"), "<secret> pässwör");
        // A URL whose parts are all short is found only whole.
        assert_eq!(
            findable_forms("https://hooks.slack.com/services/XXX/YYY/ZZZ"),
            [
                "https://hooks.slack.com/services/XXX/YYY/ZZZ",
                "/services/XXX/YYY/ZZZ"
            ]
        );
    }

    #[test]
    fn url_credentials_are_removed_known_or_not() {
        let r = Redactor::new(std::iter::empty::<&str>());
        assert_eq!(
            r.redact("connecting to https://bob:hunter2@db.example.com:5432/x failed"),
            "connecting to https://<secret>@db.example.com:5432/x failed"
        );
        assert_eq!(
            r.redact("token url http://ghp_abc@github.com/ and mail bob@example.com"),
            "token url http://<secret>@github.com/ and mail bob@example.com"
        );
        assert_eq!(
            r.redact("a=https%3A%2F%2Fbob%3Ahunter2%40host%2Fx"),
            "a=https%3A%2F%2F<secret>%40host%2Fx"
        );
        assert_eq!(
            r.redact(r#"{"url":"https:\/\/bob:hunter2@host\/"}"#),
            r#"{"url":"https:\/\/<secret>@host\/"}"#
        );
        for unchanged in [
            "https://host/path@v2",
            "https://host?a=b@c",
            "see https:// @later",
            ":// @",
        ] {
            assert_eq!(r.redact(unchanged), unchanged);
        }
    }

    #[test]
    fn non_ascii_text_stays_intact() {
        let r = Redactor::new(["pässwört-日本"]);
        assert_eq!(
            r.redact("Fehler für ünïcödé: pässwört-日本 ✓ …"),
            "Fehler für ünïcödé: <secret> ✓ …"
        );
        let encoded = pct_all("pässwört-日本", false);
        assert_eq!(r.redact(&format!("→ {encoded} ←")), "→ <secret> ←");
        // Invalid escapes and lone surrogates are left as they are.
        let odd = r#"50% %zz \u12 \ud800 &#xZZ; &unknown; é"#;
        assert_eq!(r.redact(odd), odd);
    }

    #[test]
    fn cutting_happens_after_redaction() {
        let r = slack();
        let text = format!("{} {WEBHOOK} tail", "x".repeat(20));
        // Cut first, the start of the URL would stay and no longer be found.
        assert_eq!(
            r.redact_cut(&text, 50),
            format!("{} <secret> tail", "x".repeat(20))
        );
        assert_eq!(
            r.redact_cut(&text, 29),
            format!("{} <secret>", "x".repeat(20))
        );
        // A cut inside the marker moves before it.
        assert_eq!(r.redact_cut(&text, 25), format!("{} ", "x".repeat(20)));
        assert_eq!(r.redact_cut("short", 25), "short");
        // A cut inside a multi-byte character moves back to its start.
        assert_eq!(r.redact_cut("ab日本", 4), "ab");
    }

    #[test]
    fn long_text_is_linear() {
        // Adversarial: every position matches, every decoder applies, `://` repeats.
        let r = Redactor::new(["aaaaaaaa", "aaaaaaaaa", "%aaaaaaaa", WEBHOOK]);
        let unit = "aaaaaaaa%61%61\\u0061&#97;://a:b@";
        let text = unit.repeat((1 << 20) / unit.len());
        let started = std::time::Instant::now();
        let out = r.redact(&text);
        let took = started.elapsed();
        assert!(!out.contains("aaaaaaaa"), "a run of eight a's survived");
        assert!(
            took < std::time::Duration::from_secs(20),
            "1 MiB took {took:?} (about 2 s in a debug build: linear)"
        );
        // A long text with a few secrets in it.
        let mut long = "lorem ipsum ".repeat(200_000);
        long.push_str(TOKEN);
        long.insert_str(1000, WEBHOOK);
        let out = r.redact(&long);
        assert_eq!(out.matches(REDACTED).count(), 2);
        assert!(!out.contains(TOKEN));
    }

    #[test]
    fn the_plain_search_finds_what_the_automaton_finds() {
        let patterns: Vec<Vec<u8>> = findable_forms(WEBHOOK)
            .into_iter()
            .flat_map(|f| {
                let raw = f.clone().into_bytes();
                std::iter::once(raw).chain(base64_cores(&f))
            })
            .filter(|p| p.len() >= MIN_LEN)
            .collect();
        let plain = Redactor {
            matcher: Matcher::Plain(patterns),
        };
        let automaton = slack();
        assert!(matches!(automaton.matcher, Matcher::Automaton(_)));
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("u:{WEBHOOK}"));
        for text in [
            format!("Cannot POST /services/T0ABCDEF/B0GHIJKL/{TOKEN}"),
            format!("a {} b", pct_all(WEBHOOK, false)),
            format!("Basic {encoded}"),
            "nothing here, https://u:p@h/".to_string(),
        ] {
            assert_eq!(plain.redact(&text), automaton.redact(&text), "{text}");
        }
    }
}
