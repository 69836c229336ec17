//! The one gate for structured input: every YAML, JSON, TOML and query string that a user,
//! a file or the network controls passes a size limit and a nesting-depth limit, checked by
//! a linear pre-scan, before any parser sees it.
//!
//! Why a pre-scan: the YAML parser's time grows with the square of the flow nesting depth
//! (200 000 levels of `a: {a: …` ran for hours), and the parsers' own recursion limits apply
//! only after the document has been read in. The scans below run in one pass over the bytes
//! and stop at the first level over [`MAX_DEPTH`], so no input costs more than its length.
//!
//! The YAML scan follows the tokenizer of the YAML parser we use (libyaml's rules for
//! comments, quoted, plain and block scalars, indentation and flow collections), so that a
//! quote or comment cannot hide a bracket from it. Anchors and aliases are refused: no input
//! of ours needs them, and they are how a small document expands into a huge one.
//!
//! Every input kind has a size limit ([`Input`]); the limits are in the README ("Security").

use std::fmt;

use serde::de::DeserializeOwned;

/// The deepest nesting of collections (mappings, sequences, tables, arrays, objects)
/// accepted in any input. Real inputs stay below 10.
pub const MAX_DEPTH: usize = 64;

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// A kind of input: what errors call it and how large it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    what: &'static str,
    max_bytes: usize,
}

impl Input {
    /// `health create-alert-rule --file` (10 000 rules fit in well under 4 MiB).
    pub const RULE_FILE: Input = Input::new("rule file", 4 * MIB);
    /// `state.toml`: rules, channels, checks and configuration.
    pub const STATE: Input = Input::new("state", 16 * MIB);
    /// `secrets.toml`, the file backend's secrets.
    pub const SECRETS: Input = Input::new("secrets file", MIB);
    /// `agents.toml`, the agent inventory.
    pub const INVENTORY: Input = Input::new("agent inventory", MIB);
    /// `daemon.json`, where a running daemon listens.
    pub const DAEMON_INFO: Input = Input::new("daemon info", 64 * KIB);
    /// `alerts.json`, the agent's alerts kept across restarts.
    pub const ALERTS: Input = Input::new("alerts file", 16 * MIB);
    /// A JSON request body on the agent's API (the server stops reading at the same size).
    pub const API_BODY: Input = Input::new("request body", MIB);
    /// A query string on the agent's API or status page.
    pub const QUERY: Input = Input::new("query string", 16 * KIB);
    /// An agent's JSON answer, read by the CLI.
    pub const AGENT_ANSWER: Input = Input::new("agent's answer", 16 * MIB);
    /// An answer from Grafana, Elasticsearch or Prometheus.
    pub const PEER_ANSWER: Input = Input::new("answer", 16 * MIB);
    /// A body an HTTP health check reads for its JSON assertion (read up to 1 MiB).
    pub const PROBE_BODY: Input = Input::new("response body", MIB);
    /// A container runtime's file (Docker's `config.v2.json`, Podman's `containers.json`).
    pub const CONTAINER_RUNTIME: Input = Input::new("container runtime file", 64 * MIB);
    /// One line of a container log or of `journalctl -o json`.
    pub const LOG_LINE: Input = Input::new("log line", 64 * MIB);
    /// A dashboard's JSON, embedded at build time.
    pub const DASHBOARD: Input = Input::new("dashboard", 4 * MIB);

    pub const fn new(what: &'static str, max_bytes: usize) -> Input {
        Input { what, max_bytes }
    }

    /// What errors call this input (`rule file`, `state`, …).
    pub const fn what(&self) -> &'static str {
        self.what
    }

    /// The largest accepted size in bytes.
    pub const fn max_bytes(&self) -> usize {
        self.max_bytes
    }
}

/// Why an input was refused. Every variant prints as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// Larger than the input's limit.
    TooLarge { input: Input },
    /// Collections nested deeper than [`MAX_DEPTH`]; where the first level too many opens.
    TooDeep {
        input: Input,
        line: usize,
        column: usize,
    },
    /// A YAML anchor or alias (`&name`, `*name`).
    Anchor {
        input: Input,
        line: usize,
        column: usize,
    },
    /// The parser's own error, with the position when it gives one.
    Syntax {
        position: Option<(usize, usize)>,
        message: String,
    },
}

impl InputError {
    /// The parser's position (line, column), for callers that must not quote the message.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            InputError::TooLarge { .. } => None,
            InputError::TooDeep { line, column, .. } | InputError::Anchor { line, column, .. } => {
                Some((*line, *column))
            }
            InputError::Syntax { position, .. } => *position,
        }
    }

    /// True when a limit (size, depth, anchors) refused the input, not the parser.
    pub fn is_limit(&self) -> bool {
        !matches!(self, InputError::Syntax { .. })
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::TooLarge { input } => write!(
                f,
                "larger than the {} limit for the {}",
                human_size(input.max_bytes),
                input.what
            ),
            InputError::TooDeep {
                input,
                line,
                column,
            } => write!(
                f,
                "nested deeper than {MAX_DEPTH} levels at line {line}, column {column} (the limit for the {})",
                input.what
            ),
            InputError::Anchor {
                input,
                line,
                column,
            } => write!(
                f,
                "YAML anchor or alias at line {line}, column {column}: the {} takes neither (write the value out)",
                input.what
            ),
            InputError::Syntax {
                position: Some((line, column)),
                message,
            } => write!(f, "line {line}, column {column}: {}", one_line(message)),
            InputError::Syntax {
                position: None,
                message,
            } => f.write_str(&one_line(message)),
        }
    }
}

impl std::error::Error for InputError {}

fn human_size(n: usize) -> String {
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

/// Parsers' messages sometimes span lines (TOML's quote the source); errors are one line.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Refuse `len` bytes of `input` when over its limit.
pub fn check_size(len: usize, input: Input) -> Result<(), InputError> {
    if len > input.max_bytes {
        return Err(InputError::TooLarge { input });
    }
    Ok(())
}

/// Check JSON text against the limits without parsing it.
pub fn check_json(text: &[u8], input: Input) -> Result<(), InputError> {
    check_size(text.len(), input)?;
    json_depth(text, input).map(|_| ())
}

/// The deepest nesting of arrays and objects in `text`; an error past [`MAX_DEPTH`].
fn json_depth(text: &[u8], input: Input) -> Result<usize, InputError> {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'"' => {
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
                if depth > MAX_DEPTH {
                    return Err(too_deep(text, i, input));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(max)
}

/// Parse JSON into `T` after [`check_json`].
pub fn json<T: DeserializeOwned>(text: &[u8], input: Input) -> Result<T, InputError> {
    check_json(text, input)?;
    serde_json::from_slice(text).map_err(|e| InputError::Syntax {
        position: None,
        message: e.to_string(),
    })
}

/// Parse JSON into a generic value after [`check_json`].
pub fn json_value(text: &[u8], input: Input) -> Result<serde_json::Value, InputError> {
    json(text, input)
}

/// Parse a query string (`a=1&b=2`) into `T`. The format is flat: only its size is limited.
pub fn query<T: DeserializeOwned>(text: &str, input: Input) -> Result<T, InputError> {
    check_size(text.len(), input)?;
    serde_urlencoded::from_str(text).map_err(|e| InputError::Syntax {
        position: None,
        message: e.to_string(),
    })
}

/// Parse TOML into `T` after [`check_toml`]. Syntax errors carry the line and column.
pub fn toml<T: DeserializeOwned>(text: &str, input: Input) -> Result<T, InputError> {
    check_toml(text, input)?;
    toml::from_str(text).map_err(|e| InputError::Syntax {
        position: e.span().map(|s| line_col(text.as_bytes(), s.start)),
        message: e.message().trim().to_string(),
    })
}

/// The YAML documents of `text` (a stream may hold several, separated by `---`), after
/// [`check_yaml`]. Each item deserializes one document.
pub fn yaml_documents(
    text: &str,
    input: Input,
) -> Result<yaml_serde::Deserializer<'_>, InputError> {
    check_yaml(text, input)?;
    Ok(yaml_serde::Deserializer::from_str(text))
}

/// Turn a byte offset into 1-based (line, column), columns counted in characters.
pub fn line_col(text: &[u8], offset: usize) -> (usize, usize) {
    let upto = &text[..offset.min(text.len())];
    let line_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = upto[line_start..]
        .iter()
        .filter(|&&b| !is_continuation(b))
        .count()
        + 1;
    (line, column)
}

fn too_deep(text: &[u8], at: usize, input: Input) -> InputError {
    let (line, column) = line_col(text, at);
    InputError::TooDeep {
        input,
        line,
        column,
    }
}

/// A UTF-8 continuation byte: not a character of its own.
fn is_continuation(b: u8) -> bool {
    (0x80..0xC0).contains(&b)
}

// ---------------------------------------------------------------------------------------
// TOML

/// Check TOML text against the limits without parsing it. Depth counts the root table, each
/// table of a header (`[a.b]` is two more, `[[a]]` an array and its table), each segment of
/// a dotted key but the last, and each array and inline table. Strings and comments in TOML
/// can only start where they do here (no unquoted text exists), so brackets in them never
/// count.
pub fn check_toml(text: &str, input: Input) -> Result<(), InputError> {
    check_size(text.len(), input)?;
    toml_depth(text, input).map(|_| ())
}

/// The deepest nesting of tables and arrays in `text`; an error past [`MAX_DEPTH`].
fn toml_depth(text: &str, input: Input) -> Result<usize, InputError> {
    let mut scan = TomlScan {
        b: text.as_bytes(),
        i: 0,
        input,
        max: 1,
    };
    scan.run()?;
    Ok(scan.max)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    Array,
    Table,
}

struct TomlScan<'a> {
    b: &'a [u8],
    i: usize,
    input: Input,
    max: usize,
}

impl TomlScan<'_> {
    fn peek(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }

    fn deep(&mut self, depth: usize, at: usize) -> Result<(), InputError> {
        self.max = self.max.max(depth);
        if depth > MAX_DEPTH {
            return Err(too_deep(self.b, at, self.input));
        }
        Ok(())
    }

    /// Skip a string starting at `self.i` (a quote), multi-line forms included.
    fn string(&mut self) {
        let q = self.b[self.i];
        let basic = q == b'"';
        if self.peek(1) == Some(q) && self.peek(2) == Some(q) {
            self.i += 3;
            while self.i < self.b.len() {
                if basic && self.b[self.i] == b'\\' {
                    self.i += 2;
                    continue;
                }
                if self.b[self.i] == q && self.peek(1) == Some(q) && self.peek(2) == Some(q) {
                    self.i += 3;
                    // Up to two more quotes belong to the content (`"""a""""`).
                    let mut extra = 0;
                    while extra < 2 && self.peek(0) == Some(q) {
                        self.i += 1;
                        extra += 1;
                    }
                    return;
                }
                self.i += 1;
            }
            return;
        }
        self.i += 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'\\' if basic => self.i += 2,
                c if c == q => {
                    self.i += 1;
                    return;
                }
                // A one-line string ends at the line (the parser reports the error).
                b'\n' | b'\r' => return,
                _ => self.i += 1,
            }
        }
    }

    fn comment(&mut self) {
        while self.i < self.b.len() && !matches!(self.b[self.i], b'\n' | b'\r') {
            self.i += 1;
        }
    }

    /// Read a key (bare, quoted or dotted) up to `=`, `]` or the end of the line; the number
    /// of segments.
    fn key(&mut self) -> usize {
        let mut segments = 1;
        while self.i < self.b.len() {
            match self.b[self.i] {
                b'"' | b'\'' => self.string(),
                b'.' => {
                    segments += 1;
                    self.i += 1;
                }
                b'=' | b']' | b'\n' | b'\r' | b'#' | b'{' | b'[' | b'}' | b',' => break,
                _ => self.i += 1,
            }
        }
        segments
    }

    fn run(&mut self) -> Result<(), InputError> {
        // The depth of the table that top-level keys go into (1: the root).
        let mut table = 1usize;
        // Open arrays and inline tables, with their depth.
        let mut stack: Vec<(Frame, usize)> = Vec::new();
        // The depth of the container the next value goes into.
        let mut value_base = table;
        // Where a key may start: the start of a line at the top level, or in an inline table
        // after `{` or `,`.
        let mut key_position = true;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            match c {
                b' ' | b'\t' => self.i += 1,
                b'\n' | b'\r' => {
                    self.i += 1;
                    if stack.is_empty() {
                        key_position = true;
                    }
                }
                b'#' => self.comment(),
                b'"' | b'\'' if !key_position => self.string(),
                b'[' if key_position && stack.is_empty() => {
                    // A table header: `[a.b]` or `[[a.b]]`.
                    let at = self.i;
                    let array = self.peek(1) == Some(b'[');
                    self.i += if array { 2 } else { 1 };
                    table = 1 + self.key() + usize::from(array);
                    self.deep(table, at)?;
                    while self.peek(0) == Some(b']') {
                        self.i += 1;
                    }
                    value_base = table;
                    key_position = false;
                }
                b'}' | b']' => {
                    stack.pop();
                    self.i += 1;
                    value_base = stack.last().map_or(table, |&(_, d)| d);
                    key_position = false;
                }
                _ if key_position => {
                    let at = self.i;
                    let segments = self.key();
                    let base = stack.last().map_or(table, |&(_, d)| d);
                    value_base = base + segments - 1;
                    self.deep(value_base, at)?;
                    if self.peek(0) == Some(b'=') {
                        self.i += 1;
                    }
                    key_position = false;
                }
                b'[' | b'{' => {
                    let depth = value_base + 1;
                    self.deep(depth, self.i)?;
                    let frame = if c == b'[' {
                        Frame::Array
                    } else {
                        Frame::Table
                    };
                    stack.push((frame, depth));
                    value_base = depth;
                    self.i += 1;
                    key_position = frame == Frame::Table;
                }
                b',' => {
                    self.i += 1;
                    if let Some(&(frame, d)) = stack.last() {
                        value_base = d;
                        key_position = frame == Frame::Table;
                    }
                }
                _ => self.i += 1,
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// YAML

/// Check YAML text against the limits without parsing it, and refuse anchors and aliases.
///
/// The scan is libyaml's tokenizer in miniature: the same token starts, the same ends of
/// quoted, plain and block scalars, the same comments and line breaks (NEL, LS and PS
/// included), and the same block indentation stack, which decides where a plain scalar's
/// continuation lines and a block scalar's lines end. So whatever the parser will read as a
/// bracket, this scan counts. Depth is the number of open block collections (indentation
/// levels, an indentless sequence under a key counted too) plus open flow collections.
pub fn check_yaml(text: &str, input: Input) -> Result<(), InputError> {
    check_size(text.len(), input)?;
    yaml_depth(text, input).map(|_| ())
}

/// The deepest nesting of collections in `text`; an error past [`MAX_DEPTH`] or at an anchor.
fn yaml_depth(text: &str, input: Input) -> Result<usize, InputError> {
    YamlScan::new(text.as_bytes(), input).run()
}

struct YamlScan<'a> {
    b: &'a [u8],
    i: usize,
    /// Column of `i` in characters, and its line (counting every YAML line break).
    col: usize,
    line: usize,
    input: Input,
    /// Open flow collections.
    flow: usize,
    frames: Vec<FlowFrame>,
    /// Open single-pair mappings in flow sequences (`[a: b]` is `[{a: b}]`).
    pairs: usize,
    /// The block indentation levels (libyaml's indent stack): the column of each open block
    /// collection, and whether an indentless sequence (`key:` then `- x` at the key's column)
    /// is open at it.
    levels: Vec<(usize, bool)>,
    indentless: usize,
    simple_key_allowed: bool,
    /// The possible simple key at flow level 0: its column and line.
    simple_key: Option<(usize, usize)>,
    /// The deepest nesting inside that key so far (`[[a]]: b` nests the key in the mapping).
    key_max: usize,
    /// The previous token was a key or value indicator (block levels then).
    last_was_value: Option<usize>,
    max_depth: usize,
}

/// An open flow collection.
struct FlowFrame {
    seq: bool,
    /// Its own depth, and the deepest nesting in its current entry and in all its entries.
    own: usize,
    entry_max: usize,
    max_all: usize,
    /// The current entry of a sequence is a single-pair mapping.
    pair: bool,
}

impl<'a> YamlScan<'a> {
    fn new(b: &'a [u8], input: Input) -> Self {
        YamlScan {
            b,
            i: 0,
            col: 0,
            line: 0,
            input,
            flow: 0,
            frames: Vec::new(),
            pairs: 0,
            levels: Vec::new(),
            indentless: 0,
            simple_key_allowed: true,
            simple_key: None,
            key_max: 0,
            last_was_value: None,
            max_depth: 0,
        }
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }

    /// Length of the line break at `i + k` (0 when none): CR LF, CR, LF, NEL, LS, PS.
    fn break_len(&self, k: usize) -> usize {
        match (self.at(k), self.at(k + 1), self.at(k + 2)) {
            (Some(b'\r'), Some(b'\n'), _) => 2,
            (Some(b'\r' | b'\n'), _, _) => 1,
            (Some(0xC2), Some(0x85), _) => 2,
            (Some(0xE2), Some(0x80), Some(0xA8 | 0xA9)) => 3,
            _ => 0,
        }
    }

    fn is_break(&self, k: usize) -> bool {
        self.break_len(k) > 0
    }

    fn is_blank(&self, k: usize) -> bool {
        matches!(self.at(k), Some(b' ' | b'\t'))
    }

    fn is_blankz(&self, k: usize) -> bool {
        self.at(k).is_none() || self.is_blank(k) || self.is_break(k)
    }

    fn eof(&self) -> bool {
        self.i >= self.b.len()
    }

    fn advance(&mut self) {
        if let Some(b) = self.at(0) {
            self.i += 1;
            if !is_continuation(b) {
                self.col += 1;
            }
        }
    }

    fn skip_break(&mut self) {
        self.i += self.break_len(0);
        self.line += 1;
        self.col = 0;
    }

    /// The current block indentation (-1 at the top).
    fn indent(&self) -> isize {
        self.levels.last().map_or(-1, |&(c, _)| c as isize)
    }

    fn depth(&self) -> usize {
        self.levels.len() + self.indentless + self.flow + self.pairs
    }

    fn check_depth(&mut self) -> Result<(), InputError> {
        self.check(self.depth())
    }

    /// Count `depth` levels of nesting here.
    fn check(&mut self, depth: usize) -> Result<(), InputError> {
        self.max_depth = self.max_depth.max(depth);
        if let Some(top) = self.frames.last_mut() {
            top.entry_max = top.entry_max.max(depth);
            top.max_all = top.max_all.max(depth);
        }
        if depth > MAX_DEPTH {
            return Err(too_deep(self.b, self.i, self.input));
        }
        Ok(())
    }

    fn roll(&mut self, col: usize) -> Result<(), InputError> {
        if self.flow == 0 && self.indent() < col as isize {
            self.levels.push((col, false));
            self.check_depth()?;
        }
        Ok(())
    }

    fn unroll(&mut self, col: isize) {
        if self.flow > 0 {
            return;
        }
        while self.indent() > col {
            if let Some((_, true)) = self.levels.pop() {
                self.indentless -= 1;
            }
        }
    }

    fn save_simple_key(&mut self) {
        if self.flow == 0 && self.simple_key_allowed {
            self.simple_key = Some((self.col, self.line));
            self.key_max = self.depth();
        }
    }

    fn document_indicator(&self) -> bool {
        self.col == 0
            && matches!(
                (self.at(0), self.at(1), self.at(2)),
                (Some(b'-'), Some(b'-'), Some(b'-')) | (Some(b'.'), Some(b'.'), Some(b'.'))
            )
            && self.is_blankz(3)
    }

    /// Spaces, tabs, comments and line breaks up to the next token.
    fn skip_to_next_token(&mut self) {
        loop {
            if self.col == 0 && self.b[self.i..].starts_with(&[0xEF, 0xBB, 0xBF]) {
                self.i += 3;
            }
            while self.is_blank(0) {
                self.advance();
            }
            if self.at(0) == Some(b'#') {
                while !self.eof() && !self.is_break(0) {
                    self.advance();
                }
            }
            if !self.is_break(0) {
                return;
            }
            self.skip_break();
            if self.flow == 0 {
                self.simple_key_allowed = true;
            }
        }
    }

    fn run(mut self) -> Result<usize, InputError> {
        loop {
            self.skip_to_next_token();
            if self.simple_key.is_some_and(|(_, line)| line < self.line) {
                self.simple_key = None;
            }
            self.unroll(self.col as isize);
            let Some(c) = self.at(0) else {
                return Ok(self.max_depth);
            };
            let was_value = std::mem::take(&mut self.last_was_value);
            if self.col == 0 && c == b'%' {
                while !self.eof() && !self.is_break(0) {
                    self.advance();
                }
                continue;
            }
            if self.document_indicator() {
                self.unroll(-1);
                self.simple_key = None;
                self.simple_key_allowed = false;
                for _ in 0..3 {
                    self.advance();
                }
                continue;
            }
            match c {
                b'[' | b'{' => {
                    self.save_simple_key();
                    self.flow += 1;
                    let own = self.depth();
                    self.check(own)?;
                    self.frames.push(FlowFrame {
                        seq: c == b'[',
                        own,
                        entry_max: own,
                        max_all: own,
                        pair: false,
                    });
                    self.simple_key_allowed = true;
                    self.advance();
                }
                b']' | b'}' => {
                    if let Some(frame) = self.frames.pop() {
                        self.flow -= 1;
                        if frame.pair {
                            self.pairs -= 1;
                        }
                        match self.frames.last_mut() {
                            Some(parent) => {
                                parent.entry_max = parent.entry_max.max(frame.max_all);
                                parent.max_all = parent.max_all.max(frame.max_all);
                            }
                            None if self.simple_key.is_some() => {
                                self.key_max = self.key_max.max(frame.max_all);
                            }
                            None => {}
                        }
                    }
                    self.simple_key_allowed = false;
                    self.advance();
                }
                b',' => {
                    if let Some(top) = self.frames.last_mut() {
                        if top.pair {
                            top.pair = false;
                            self.pairs -= 1;
                        }
                        top.entry_max = top.own;
                    }
                    self.simple_key_allowed = true;
                    self.advance();
                }
                b'-' if self.is_blankz(1) => {
                    if self.flow == 0 {
                        let col = self.col;
                        if self.indent() < col as isize {
                            self.roll(col)?;
                        } else if was_value == Some(self.levels.len())
                            && let Some(top) = self.levels.last_mut()
                            && !top.1
                        {
                            // `key:` then `- item` at the key's column: a sequence nested in
                            // the mapping without a level of its own.
                            top.1 = true;
                            self.indentless += 1;
                            self.check_depth()?;
                        }
                        self.simple_key = None;
                    }
                    self.simple_key_allowed = true;
                    self.advance();
                }
                b'?' if self.flow > 0 || self.is_blankz(1) => {
                    if self.flow == 0 {
                        self.roll(self.col)?;
                        self.simple_key = None;
                        // An explicit key may be an indentless sequence as well.
                        self.last_was_value = Some(self.levels.len());
                    } else {
                        self.flow_pair()?;
                    }
                    self.simple_key_allowed = self.flow == 0;
                    self.advance();
                }
                b':' if self.flow > 0 || self.is_blankz(1) => {
                    if self.flow == 0 {
                        let (col, key_max) = match self.simple_key.take() {
                            Some((col, _)) => (col, self.key_max),
                            None => (self.col, 0),
                        };
                        let before = self.levels.len();
                        self.roll(col)?;
                        // The key was read before its mapping's level was opened.
                        if self.levels.len() > before {
                            self.check(key_max + 1)?;
                        }
                        // A key at the mapping's own column ends an indentless sequence.
                        if self.indent() == col as isize
                            && let Some(top) = self.levels.last_mut()
                            && top.1
                        {
                            top.1 = false;
                            self.indentless -= 1;
                        }
                    } else {
                        self.flow_pair()?;
                    }
                    self.simple_key_allowed = self.flow == 0;
                    self.last_was_value = Some(self.levels.len());
                    self.advance();
                }
                b'*' | b'&' => {
                    let (line, column) = line_col(self.b, self.i);
                    return Err(InputError::Anchor {
                        input: self.input,
                        line,
                        column,
                    });
                }
                b'!' => {
                    // A tag runs to a blank (or `,` in a flow collection); the parser refuses
                    // anything else after it, brackets included.
                    self.save_simple_key();
                    self.simple_key_allowed = false;
                    // The tag belongs to the node after it (`key: !t` then `- item`).
                    self.last_was_value = was_value;
                    while !(self.is_blankz(0) || (self.flow > 0 && self.at(0) == Some(b','))) {
                        self.advance();
                    }
                }
                b'|' | b'>' if self.flow == 0 => {
                    self.simple_key = None;
                    self.simple_key_allowed = true;
                    self.block_scalar();
                }
                b'\'' | b'"' => {
                    self.save_simple_key();
                    self.simple_key_allowed = false;
                    self.quoted(c);
                }
                _ if self.plain_start(c) => {
                    self.save_simple_key();
                    self.simple_key_allowed = false;
                    self.plain();
                }
                // The parser stops here with an error; keep scanning anyway.
                _ => self.advance(),
            }
        }
    }

    /// A key or value indicator in a flow sequence opens a single-pair mapping, which holds
    /// the key read so far.
    fn flow_pair(&mut self) -> Result<(), InputError> {
        let Some(top) = self.frames.last_mut() else {
            return Ok(());
        };
        if !top.seq || top.pair {
            return Ok(());
        }
        top.pair = true;
        let key_depth = top.entry_max;
        self.pairs += 1;
        self.check(key_depth + 1)
    }

    fn plain_start(&self, c: u8) -> bool {
        let indicator = matches!(
            c,
            b'-' | b'?'
                | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
        );
        !(self.is_blankz(0) || indicator)
            || (c == b'-' && !self.is_blank(1))
            || (self.flow == 0 && (c == b'?' || c == b':') && !self.is_blankz(1))
    }

    /// A plain scalar: to `: `, to ` #`, to a flow indicator inside a flow collection, and
    /// on over the following lines while they are indented past the current block level.
    fn plain(&mut self) {
        let indent = self.indent() + 1;
        let mut leading_blanks = false;
        loop {
            if self.document_indicator() || self.at(0) == Some(b'#') {
                break;
            }
            while !self.is_blankz(0) {
                let c = self.at(0);
                if self.flow > 0
                    && c == Some(b':')
                    && matches!(self.at(1), Some(b',' | b'?' | b'[' | b']' | b'{' | b'}'))
                {
                    // The parser stops with an error here.
                    return;
                }
                if (c == Some(b':') && self.is_blankz(1))
                    || (self.flow > 0 && matches!(c, Some(b',' | b'[' | b']' | b'{' | b'}')))
                {
                    if leading_blanks {
                        self.simple_key_allowed = true;
                    }
                    return;
                }
                self.advance();
            }
            if !(self.is_blank(0) || self.is_break(0)) {
                break;
            }
            while self.is_blank(0) || self.is_break(0) {
                if self.is_blank(0) {
                    self.advance();
                } else {
                    self.skip_break();
                    leading_blanks = true;
                }
            }
            if self.flow == 0 && (self.col as isize) < indent {
                break;
            }
        }
        if leading_blanks {
            self.simple_key_allowed = true;
        }
    }

    /// A single- or double-quoted scalar, over as many lines as it takes.
    fn quoted(&mut self, q: u8) {
        self.advance();
        loop {
            let Some(c) = self.at(0) else { return };
            if self.document_indicator() {
                return;
            }
            if q == b'\'' && c == b'\'' {
                self.advance();
                if self.at(0) != Some(b'\'') {
                    return;
                }
                self.advance();
            } else if q == b'"' && c == b'\\' {
                self.advance();
                if self.is_break(0) {
                    self.skip_break();
                } else {
                    self.advance();
                    while self.at(0).is_some_and(is_continuation) {
                        self.advance();
                    }
                }
            } else if q == b'"' && c == b'"' {
                self.advance();
                return;
            } else if self.is_break(0) {
                self.skip_break();
            } else {
                self.advance();
            }
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar: its header, then every line indented
    /// at least as far as its first line (or its indentation indicator says).
    fn block_scalar(&mut self) {
        self.advance();
        let mut increment = 0isize;
        for _ in 0..2 {
            match self.at(0) {
                Some(b'+' | b'-') => self.advance(),
                Some(d @ b'1'..=b'9') => {
                    increment = isize::from(d - b'0');
                    self.advance();
                }
                _ => {}
            }
        }
        while self.is_blank(0) {
            self.advance();
        }
        if self.at(0) == Some(b'#') {
            while !self.eof() && !self.is_break(0) {
                self.advance();
            }
        }
        if !self.is_break(0) {
            // The parser stops with an error (or the stream ends).
            return;
        }
        self.skip_break();
        let parent = self.indent();
        let mut indent: isize = match increment {
            0 => 0,
            n if parent >= 0 => parent + n,
            n => n,
        };
        if !self.block_breaks(&mut indent, parent) {
            return;
        }
        while self.col as isize == indent && !self.eof() {
            while !self.eof() && !self.is_break(0) {
                self.advance();
            }
            if self.eof() {
                return;
            }
            self.skip_break();
            if !self.block_breaks(&mut indent, parent) {
                return;
            }
        }
    }

    /// Indentation and empty lines of a block scalar; sets the indentation when it is still
    /// to be detected. False where the parser stops with an error.
    fn block_breaks(&mut self, indent: &mut isize, parent: isize) -> bool {
        let mut max_indent = 0isize;
        loop {
            while (*indent == 0 || (self.col as isize) < *indent) && self.at(0) == Some(b' ') {
                self.advance();
            }
            max_indent = max_indent.max(self.col as isize);
            if (*indent == 0 || (self.col as isize) < *indent) && self.at(0) == Some(b'\t') {
                return false;
            }
            if !self.is_break(0) {
                break;
            }
            self.skip_break();
        }
        if *indent == 0 {
            *indent = max_indent.max(parent + 1).max(1);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::{Duration, Instant};

    const BIG: Input = Input::new("test input", 64 * MIB);

    fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
        format!("{}{inner}{}", open.repeat(n), close.repeat(n))
    }

    /// The nesting depth of a parsed value, as the scans count it.
    fn yaml_value_depth(v: &yaml_serde::Value) -> usize {
        use yaml_serde::Value;
        match v {
            Value::Sequence(s) => 1 + s.iter().map(yaml_value_depth).max().unwrap_or(0),
            Value::Mapping(m) => {
                1 + m
                    .iter()
                    .map(|(k, v)| yaml_value_depth(k).max(yaml_value_depth(v)))
                    .max()
                    .unwrap_or(0)
            }
            Value::Tagged(t) => yaml_value_depth(&t.value),
            _ => 0,
        }
    }

    fn json_value_depth(v: &serde_json::Value) -> usize {
        match v {
            serde_json::Value::Array(a) => 1 + a.iter().map(json_value_depth).max().unwrap_or(0),
            serde_json::Value::Object(o) => 1 + o.values().map(json_value_depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    fn toml_value_depth(v: &toml::Value) -> usize {
        match v {
            toml::Value::Array(a) => 1 + a.iter().map(toml_value_depth).max().unwrap_or(0),
            toml::Value::Table(t) => 1 + t.values().map(toml_value_depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// Every document of a YAML stream, or None when the parser refuses the stream.
    fn yaml_parse(text: &str) -> Option<Vec<yaml_serde::Value>> {
        use serde::Deserialize;
        yaml_serde::Deserializer::from_str(text)
            .map(yaml_serde::Value::deserialize)
            .collect::<Result<Vec<_>, _>>()
            .ok()
    }

    #[test]
    fn deep_yaml_is_refused_at_once_and_names_the_limit() {
        let text = format!("{}1{}", "a: {".repeat(200_000), "}".repeat(200_000));
        let started = Instant::now();
        let err = check_yaml(&text, Input::RULE_FILE).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(
            err.to_string(),
            "nested deeper than 64 levels at line 1, column 256 (the limit for the rule file)"
        );
        // Block nesting counts as well, and so do compact sequences.
        let block: String = (0..70).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
        assert!(matches!(
            check_yaml(&block, BIG),
            Err(InputError::TooDeep { .. })
        ));
        assert!(check_yaml(&format!("{}x\n", "- ".repeat(70)), BIG).is_err());
        assert!(check_yaml(&format!("{}x\n", "- ".repeat(60)), BIG).is_ok());
    }

    #[test]
    fn yaml_brackets_in_scalars_and_comments_do_not_count() {
        let deep = "[".repeat(100);
        for text in [
            format!("a: \"{deep}\"\n"),
            format!("a: '{deep}'\n"),
            format!("a: 'it''s {deep}'\n"),
            format!("a: \"\\\" {deep}\"\n"),
            format!("a: x {deep}\n"),
            format!("a: x\n  {deep}\n"),
            format!("# {deep}\na: 1\n"),
            format!("a: 1 # {deep}\n"),
            format!("a: |\n  {deep}\n  more\nb: 1\n"),
            format!("- >-\n    {deep}\n- 2\n"),
            format!("a: b#{deep}\n"),
            format!("a: \"multi\n  line {deep}\"\n"),
        ] {
            assert_eq!(
                yaml_depth(&text, BIG),
                Ok(yaml_parse(&text).map_or(99, |d| d
                    .iter()
                    .map(yaml_value_depth)
                    .max()
                    .unwrap_or(0))),
                "{text:?}"
            );
        }
    }

    #[test]
    fn yaml_line_breaks_end_comments_as_the_parser_sees_them() {
        // NEL, LS and PS are line breaks to the YAML parser: a comment ends there.
        for brk in ["\u{85}", "\u{2028}", "\u{2029}", "\r"] {
            let text = format!("# c{brk}{}", nested("[", "1", "]", 70));
            assert!(check_yaml(&text, BIG).is_err(), "{brk:?}");
        }
    }

    #[test]
    fn yaml_anchors_and_aliases_are_refused_but_not_their_characters_in_text() {
        let laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n";
        let err = check_yaml(laughs, Input::RULE_FILE).unwrap_err();
        assert_eq!(
            err.to_string(),
            "YAML anchor or alias at line 1, column 4: the rule file takes neither (write the value out)"
        );
        assert!(check_yaml("a: *x\n", BIG).is_err());
        assert!(check_yaml("- &x 1\n", BIG).is_err());
        for fine in ["a: \"*x\"\n", "a: b&c *d\n", "a: '&x'\n", "a: |\n  &x\n"] {
            assert!(check_yaml(fine, BIG).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn json_and_toml_depth() {
        assert!(check_json(nested("[", "1", "]", 64).as_bytes(), BIG).is_ok());
        let err = check_json(nested("{\"a\":", "1", "}", 65).as_bytes(), BIG).unwrap_err();
        assert_eq!(err.position(), Some((1, 321)));
        assert!(check_json(format!("[\"{}\\\"\"]", "[".repeat(100)).as_bytes(), BIG).is_ok());

        assert_eq!(toml_depth("a = 1\n", BIG), Ok(1));
        assert_eq!(toml_depth("[a.b]\nc = [[1]]\n", BIG), Ok(5));
        assert_eq!(toml_depth("[[a]]\nb = {c = 1}\n", BIG), Ok(4));
        assert_eq!(toml_depth("a.b.c = 1\n", BIG), Ok(3));
        assert!(check_toml(&format!("a = {}", nested("[", "1", "]", 64)), BIG).is_err());
        assert!(check_toml(&format!("a = {}", nested("[", "1", "]", 63)), BIG).is_ok());
        assert!(check_toml(&format!("{} = 1", vec!["a"; 70].join(".")), BIG).is_err());
        assert!(check_toml(&format!("[{}]", vec!["a"; 70].join(".")), BIG).is_err());
        assert!(check_toml(&format!("a = {}", nested("{b = ", "1", "}", 70)), BIG).is_err());
        for fine in [
            format!("a = \"{}\"", "[".repeat(100)),
            format!("a = '{}'", "[".repeat(100)),
            format!("a = \"\"\"\n{}\"\"\"\"", "[".repeat(100)),
            format!("a = '''{}''''", "[".repeat(100)),
            format!("# {}\na = 1", "[".repeat(100)),
            format!("\"a.{}\" = 1", ".".repeat(100)),
        ] {
            assert!(check_toml(&fine, BIG).is_ok(), "{fine:?}");
            assert!(toml::from_str::<toml::Value>(&fine).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn sizes_are_checked_first_and_errors_are_one_line() {
        let small = Input::new("thing", 10);
        let err = check_json(b"[1,2,3,4,5,6]", small).unwrap_err();
        assert_eq!(
            err.to_string(),
            "larger than the 10 bytes limit for the thing"
        );
        assert_eq!(
            check_size(5 * MIB, Input::RULE_FILE)
                .unwrap_err()
                .to_string(),
            "larger than the 4 MiB limit for the rule file"
        );
        assert!(query::<Vec<(String, String)>>(&"a=1&".repeat(5000), Input::QUERY).is_err());
        let err = toml::<toml::Value>("a = \n", BIG).unwrap_err();
        assert!(!err.is_limit());
        assert!(!err.to_string().contains('\n'), "{err}");
        assert_eq!(err.position().map(|p| p.0), Some(1));
    }

    // Differential properties: the scans never see less nesting than the real parsers build.
    // Fixed case counts keep them to a fraction of a second each in a debug build.

    /// Fixed cases from a fixed seed: CI sees the same inputs on every run.
    fn config(cases: u32) -> ProptestConfig {
        ProptestConfig {
            cases,
            failure_persistence: None,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x6869_7665),
            ..ProptestConfig::default()
        }
    }

    /// YAML-ish text from the pieces that decide how the tokenizer reads it.
    fn yaml_pieces() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "[", "]", "{", "}", ",", ":", ": ", "- ", "-", "? ", "?", "'", "\"", "''", "\\", "#",
            " #", " ", "  ", "\n", "\n  ", "\n    ", "\r\n", "\t", "|", "|\n", ">-\n", "|2\n", "a",
            "b c", "k: ", "!t ", "!!str ", "---\n", "...\n", "\u{85}", "\u{2028}", "%", "@", "é",
            "1.5", "\"x\": ", "'y': ",
        ])
    }

    fn yaml_soup() -> impl Strategy<Value = String> {
        prop::collection::vec(yaml_pieces(), 0..48).prop_map(|v| v.concat())
    }

    /// A real document with a few pieces of syntax dropped in anywhere: most still parse,
    /// and the pieces land in scalars, comments and indentation of every kind.
    fn yaml_mutant() -> impl Strategy<Value = String> {
        (
            tree(),
            0usize..4,
            any::<bool>(),
            prop::collection::vec((any::<prop::sample::Index>(), yaml_pieces()), 1..6),
        )
            .prop_map(|(node, flow_at, indentless, edits)| {
                let mut text = String::new();
                node.block(0, flow_at, indentless, &mut text);
                for (at, piece) in edits {
                    let mut i = at.index(text.len() + 1);
                    while !text.is_char_boundary(i) {
                        i -= 1;
                    }
                    text.insert_str(i, piece);
                }
                text
            })
    }

    /// A tree of collections written as YAML in a random mix of block and flow styles.
    #[derive(Debug, Clone)]
    enum Node {
        Scalar(String),
        Seq(Vec<Node>),
        Map(Vec<(String, Node)>),
    }

    impl Node {
        fn depth(&self) -> usize {
            match self {
                Node::Scalar(_) => 0,
                Node::Seq(v) => 1 + v.iter().map(Node::depth).max().unwrap_or(0),
                Node::Map(v) => 1 + v.iter().map(|(_, n)| n.depth()).max().unwrap_or(0),
            }
        }

        fn flow(&self) -> String {
            match self {
                Node::Scalar(s) => s.clone(),
                Node::Seq(v) => format!(
                    "[{}]",
                    v.iter().map(Node::flow).collect::<Vec<_>>().join(", ")
                ),
                Node::Map(v) => format!(
                    "{{{}}}",
                    v.iter()
                        .map(|(k, n)| format!("{k}: {}", n.flow()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }

        /// Block style at `indent`, switching to flow style where `flow_at` says.
        fn block(&self, indent: usize, flow_at: usize, indentless: bool, out: &mut String) {
            let pad = " ".repeat(indent);
            let inline = |n: &Node| {
                matches!(n, Node::Scalar(_))
                    || n.depth() <= flow_at
                    || matches!(n, Node::Seq(v) if v.is_empty())
                    || matches!(n, Node::Map(v) if v.is_empty())
            };
            match self {
                Node::Scalar(s) => out.push_str(&format!("{pad}{s}\n")),
                Node::Seq(v) if v.is_empty() => out.push_str(&format!("{pad}[]\n")),
                Node::Map(v) if v.is_empty() => out.push_str(&format!("{pad}{{}}\n")),
                Node::Seq(v) => {
                    for n in v {
                        if inline(n) {
                            out.push_str(&format!("{pad}- {}\n", n.flow()));
                        } else {
                            out.push_str(&format!("{pad}-\n"));
                            n.block(indent + 2, flow_at, indentless, out);
                        }
                    }
                }
                Node::Map(v) => {
                    for (k, n) in v {
                        if inline(n) {
                            out.push_str(&format!("{pad}{k}: {}\n", n.flow()));
                        } else {
                            out.push_str(&format!("{pad}{k}:\n"));
                            let child = if indentless && matches!(n, Node::Seq(_)) {
                                indent
                            } else {
                                indent + 2
                            };
                            n.block(child, flow_at, indentless, out);
                        }
                    }
                }
            }
        }
    }

    /// Scalars that look like YAML syntax, written so that they stay scalars.
    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9_]{0,6}",
            "[\\[\\]{}#&*!|>'\",:? a-z-]{0,12}"
                .prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
            "[\\[\\]{}#&*!|>'\",:? a-z-]{0,12}"
                .prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9_]{0,5}",
            "[a-z{}\\[\\]#: ]{1,6}".prop_map(|s| format!("'{s}'"))
        ]
    }

    fn tree() -> impl Strategy<Value = Node> {
        scalar()
            .prop_map(Node::Scalar)
            .prop_recursive(12, 48, 3, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..3).prop_map(Node::Seq),
                    prop::collection::vec((key(), inner), 0..3).prop_map(|v| {
                        // Keys of one mapping differ.
                        let mut seen = std::collections::BTreeSet::new();
                        Node::Map(
                            v.into_iter()
                                .filter(|(k, _)| seen.insert(k.clone()))
                                .collect(),
                        )
                    }),
                ]
            })
    }

    /// One chain of `n` collections, each a sequence or a mapping.
    fn chain(kinds: &[bool]) -> Node {
        kinds.iter().fold(Node::Scalar("x".into()), |inner, &seq| {
            if seq {
                Node::Seq(vec![inner])
            } else {
                Node::Map(vec![("k".into(), inner)])
            }
        })
    }

    proptest! {
        #![proptest_config(config(400))]

        #[test]
        fn yaml_scan_never_sees_less_than_the_parser(
            text in prop_oneof![yaml_soup(), yaml_mutant()]
        ) {
            let started = Instant::now();
            let scanned = yaml_depth(&text, BIG);
            prop_assert!(started.elapsed() < Duration::from_millis(200));
            if let (Ok(depth), Some(docs)) = (scanned, yaml_parse(&text)) {
                let real = docs.iter().map(yaml_value_depth).max().unwrap_or(0);
                prop_assert!(real <= depth, "parser {real} > scan {depth}");
            }
        }

        #[test]
        fn json_scan_never_sees_less_than_the_parser(
            pieces in prop::collection::vec(
                prop::sample::select(vec!["[", "]", "{", "}", "\"", "\\", "\\\"", ",", ":", "1", "\"a\"", " "]),
                0..40,
            )
        ) {
            let text = pieces.concat();
            if let (Ok(depth), Ok(v)) = (json_depth(text.as_bytes(), BIG), serde_json::from_str::<serde_json::Value>(&text)) {
                prop_assert!(json_value_depth(&v) <= depth);
            }
        }

        #[test]
        fn toml_scan_never_sees_less_than_the_parser(
            pieces in prop::collection::vec(
                prop::sample::select(vec![
                    "[", "]", "[[", "]]", "{", "}", "\"", "'", "\"\"\"", "'''", "\\", ",", "=", " = ",
                    "a", "b.c", ".", "\n", "#", "1", "1.5", "\"k\"", " ",
                ]),
                0..40,
            )
        ) {
            let text = pieces.concat();
            if let (Ok(depth), Ok(v)) = (toml_depth(&text, BIG), toml::from_str::<toml::Value>(&text)) {
                prop_assert!(toml_value_depth(&v) <= depth, "{text:?}");
            }
        }
    }

    proptest! {
        #![proptest_config(config(200))]

        /// Well-formed documents: the scan sees exactly the parser's depth, in any style.
        #[test]
        fn yaml_scan_measures_real_documents_exactly(
            node in tree(), flow_at in 0usize..4, indentless in any::<bool>()
        ) {
            let mut text = String::new();
            node.block(0, flow_at, indentless, &mut text);
            let docs = yaml_parse(&text);
            prop_assert!(docs.is_some(), "not YAML: {text}");
            let real = docs.unwrap_or_default().iter().map(yaml_value_depth).max().unwrap_or(0);
            prop_assert_eq!(yaml_depth(&text, BIG), Ok(real), "{}", text);
            let json = serde_json::to_string(&yaml_parse(&text).unwrap_or_default()[0]).unwrap_or_default();
            prop_assert_eq!(json_depth(json.as_bytes(), BIG), Ok(real));
        }

        /// Around the limit: a chain of 64 collections passes, 65 does not, in any style.
        #[test]
        fn the_limit_holds_in_every_style(
            kinds in prop::collection::vec(any::<bool>(), 60..70),
            flow_at in 0usize..70,
            indentless in any::<bool>(),
        ) {
            let node = chain(&kinds);
            let mut text = String::new();
            node.block(0, flow_at, indentless, &mut text);
            let result = check_yaml(&text, BIG);
            prop_assert_eq!(result.is_ok(), kinds.len() <= MAX_DEPTH, "{}", text);
            let json = node.flow().replace('x', "1").replace("k:", "\"k\":");
            prop_assert_eq!(check_json(json.as_bytes(), BIG).is_ok(), kinds.len() <= MAX_DEPTH);
        }
    }
}
