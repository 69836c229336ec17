//! The parser: template text into nodes. Errors are `LINE:COLUMN: what`, as short as Go's.

use std::fmt;

use super::FUNCTIONS;
use super::render::Val;

/// A place in the template text, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A parse or render error with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

fn err<T>(pos: Pos, message: impl Into<String>) -> Result<T, TemplateError> {
    Err(TemplateError {
        pos,
        message: message.into(),
    })
}

#[derive(Debug, Clone)]
pub enum Node {
    Text(String),
    Action(Pipeline),
    If {
        branches: Vec<(Pipeline, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
    Range {
        key: Option<String>,
        value: Option<String>,
        pipe: Pipeline,
        body: Vec<Node>,
        otherwise: Vec<Node>,
    },
}

#[derive(Debug, Clone)]
pub struct Pipeline {
    pub pos: Pos,
    /// `$x := …`: the variable it sets.
    pub decl: Option<String>,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug, Clone)]
pub struct Cmd {
    pub pos: Pos,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub enum Arg {
    Func(String, Pos),
    /// `.A.B` (empty: `.` itself).
    Field(Vec<String>),
    /// `$x.A.B`.
    Var(String, Vec<String>, Pos),
    Const(Val),
    Pipe(Box<Pipeline>),
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    pub(super) nodes: Vec<Node>,
}

/// The longest template accepted (annotations are bounded earlier; this guards the parser).
const MAX_TEMPLATE: usize = 64 * 1024;
/// The deepest nesting of `if`/`range` and parentheses.
const MAX_NESTING: usize = 32;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Field(String),
    Var(String),
    Str(String),
    Num(Val),
    LParen,
    RParen,
    Pipe,
    Declare,
    Assign,
    Comma,
}

struct Lexer<'a> {
    src: &'a str,
}

impl Lexer<'_> {
    fn pos(&self, at: usize) -> Pos {
        let before = &self.src[..at];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Pos { line, col }
    }
}

/// One `{{ … }}` with its tokens.
struct Action {
    pos: Pos,
    toks: Vec<(Tok, Pos)>,
}

enum Piece {
    Text(String),
    Action(Action),
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Split into text and actions, applying trim markers and dropping comments.
fn pieces(src: &str) -> Result<Vec<Piece>, TemplateError> {
    let lx = Lexer { src };
    let mut out: Vec<Piece> = Vec::new();
    let mut rest_at = 0usize;
    let mut trim_next = false;
    while rest_at <= src.len() {
        let rest = &src[rest_at..];
        let Some(open) = rest.find("{{") else {
            let mut text = rest.to_string();
            if trim_next {
                text = text.trim_start_matches(is_space).to_string();
            }
            if !text.is_empty() {
                out.push(Piece::Text(text));
            }
            break;
        };
        let mut text = rest[..open].to_string();
        if trim_next {
            text = text.trim_start_matches(is_space).to_string();
        }
        let start = rest_at + open;
        let mut inner = start + 2;
        let bytes = src.as_bytes();
        if bytes.get(inner) == Some(&b'-')
            && bytes.get(inner + 1).is_some_and(|b| is_space(*b as char))
        {
            text = text.trim_end_matches(is_space).to_string();
            inner += 1;
        }
        if !text.is_empty() {
            out.push(Piece::Text(text));
        }
        // Comments: `{{/* … */}}`.
        let after_ws = inner + src[inner..].len() - src[inner..].trim_start_matches(is_space).len();
        if src[after_ws..].starts_with("/*") {
            let Some(end) = src[after_ws..].find("*/") else {
                return err(lx.pos(start), "unclosed comment");
            };
            let mut close = after_ws + end + 2;
            let tail = &src[close..];
            let trimmed = tail.trim_start_matches(is_space);
            let (is_trim, skip) = if let Some(t) = trimmed.strip_prefix("-}}") {
                (tail.len() != trimmed.len(), tail.len() - t.len())
            } else if let Some(t) = tail.strip_prefix("}}") {
                (false, tail.len() - t.len())
            } else {
                return err(lx.pos(close), "comment ends before closing delimiter");
            };
            close += skip;
            trim_next = is_trim;
            rest_at = close;
            continue;
        }
        let (toks, end, trim) = lex_action(&lx, inner)?;
        out.push(Piece::Action(Action {
            pos: lx.pos(start),
            toks,
        }));
        trim_next = trim;
        rest_at = end;
    }
    Ok(out)
}

/// An action's tokens, the offset after its `}}`, and whether it ended with a trim marker.
type LexedAction = (Vec<(Tok, Pos)>, usize, bool);

/// Tokens of one action from `at` to its `}}`; returns the tokens, the offset after `}}` and
/// whether it ended with a trim marker.
fn lex_action(lx: &Lexer<'_>, mut at: usize) -> Result<LexedAction, TemplateError> {
    let src = lx.src;
    let b = src.as_bytes();
    let mut toks = Vec::new();
    loop {
        while at < b.len() && is_space(b[at] as char) {
            // ` -}}`: a trim marker needs the space before it.
            if b[at + 1..].starts_with(b"-}}") {
                return Ok((toks, at + 4, true));
            }
            at += 1;
        }
        let pos = lx.pos(at);
        if at >= b.len() {
            return err(pos, "unclosed action");
        }
        if b[at..].starts_with(b"}}") {
            return Ok((toks, at + 2, false));
        }
        let c = b[at] as char;
        let tok = match c {
            '(' => {
                at += 1;
                Tok::LParen
            }
            ')' => {
                at += 1;
                Tok::RParen
            }
            '|' => {
                at += 1;
                Tok::Pipe
            }
            ',' => {
                at += 1;
                Tok::Comma
            }
            ':' if b.get(at + 1) == Some(&b'=') => {
                at += 2;
                Tok::Declare
            }
            '=' => {
                at += 1;
                Tok::Assign
            }
            '"' => {
                let (s, end) = quoted(src, at).ok_or(TemplateError {
                    pos,
                    message: "unterminated quoted string".into(),
                })?;
                at = end;
                Tok::Str(s)
            }
            '`' => {
                let end = src[at + 1..].find('`').ok_or(TemplateError {
                    pos,
                    message: "unterminated raw quoted string".into(),
                })?;
                let s = src[at + 1..at + 1 + end].to_string();
                at += end + 2;
                Tok::Str(s)
            }
            '$' | '.' => {
                let start = at;
                at += 1;
                while at < b.len() && (b[at].is_ascii_alphanumeric() || b[at] == b'_') {
                    at += 1;
                }
                let word = &src[start..at];
                if c == '$' {
                    Tok::Var(word.to_string())
                } else if word == "." {
                    Tok::Field(String::new())
                } else {
                    Tok::Field(word[1..].to_string())
                }
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+') && b.get(at + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                let start = at;
                at += 1;
                while at < b.len()
                    && (b[at].is_ascii_alphanumeric()
                        || b[at] == b'.'
                        || ((b[at] == b'-' || b[at] == b'+') && matches!(b[at - 1], b'e' | b'E')))
                {
                    at += 1;
                }
                let text = &src[start..at];
                let val = if let Ok(i) = text.parse::<i64>() {
                    Val::Int(i)
                } else if let Ok(f) = text.parse::<f64>() {
                    Val::Float(f)
                } else {
                    return err(pos, format!("bad number syntax: {text:?}"));
                };
                Tok::Num(val)
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = at;
                while at < b.len() && (b[at].is_ascii_alphanumeric() || b[at] == b'_') {
                    at += 1;
                }
                Tok::Ident(src[start..at].to_string())
            }
            other => return err(pos, format!("unexpected {other:?} in command")),
        };
        // Field chains: `$labels.instance`, `.Labels.x`.
        let tok = match tok {
            Tok::Var(v) if b.get(at) == Some(&b'.') => {
                let (chain, end) = chain(src, at);
                at = end;
                Tok::Var(format!("{v}{chain}"))
            }
            Tok::Field(f) if b.get(at) == Some(&b'.') && !f.is_empty() => {
                let (chain, end) = chain(src, at);
                at = end;
                Tok::Field(format!("{f}{chain}"))
            }
            t => t,
        };
        toks.push((tok, pos));
        if toks.len() > 1024 {
            return err(pos, "action too long");
        }
    }
}

fn chain(src: &str, mut at: usize) -> (String, usize) {
    let b = src.as_bytes();
    let start = at;
    while b.get(at) == Some(&b'.') {
        at += 1;
        while at < b.len() && (b[at].is_ascii_alphanumeric() || b[at] == b'_') {
            at += 1;
        }
    }
    (src[start..at].to_string(), at)
}

/// A Go interpreted string literal starting at `at` (the quote); its value and the offset
/// after it.
fn quoted(src: &str, at: usize) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = src[at + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, at + 1 + i + 1)),
            '\n' => return None,
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    '\'' => out.push('\''),
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'v' => out.push('\x0b'),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut hex = String::new();
                        for _ in 0..n {
                            hex.push(chars.next()?.1);
                        }
                        let v = u32::from_str_radix(&hex, 16).ok()?;
                        out.push(char::from_u32(v)?);
                    }
                    _ => return None,
                }
            }
            c => out.push(c),
        }
    }
    None
}

/// Parse a template.
pub fn parse(text: &str) -> Result<Template, TemplateError> {
    if text.len() > MAX_TEMPLATE {
        return err(
            Pos { line: 1, col: 1 },
            format!("a template of at most {} KiB", MAX_TEMPLATE / 1024),
        );
    }
    let pieces = pieces(text)?;
    let mut p = Parser {
        pieces: pieces.into_iter().peekable(),
        depth: 0,
    };
    let (nodes, end) = p.list()?;
    if let Some((word, pos)) = end {
        return err(pos, format!("unexpected {{{{{word}}}}}"));
    }
    Ok(Template { nodes })
}

/// Nodes, and the `else`/`end` keyword (with its place) that ended them.
type NodesUntil = (Vec<Node>, Option<(String, Pos)>);

struct Parser {
    pieces: std::iter::Peekable<std::vec::IntoIter<Piece>>,
    depth: usize,
}

impl Parser {
    /// Nodes up to an `else`/`end` (returned with its action) or the end of the text.
    fn list(&mut self) -> Result<NodesUntil, TemplateError> {
        let mut nodes = Vec::new();
        while let Some(piece) = self.pieces.next() {
            let a = match piece {
                Piece::Text(t) => {
                    nodes.push(Node::Text(t));
                    continue;
                }
                Piece::Action(a) => a,
            };
            let keyword = match a.toks.first() {
                Some((Tok::Ident(k), _)) => k.as_str(),
                _ => "",
            };
            match keyword {
                "end" => {
                    if a.toks.len() > 1 {
                        return err(a.toks[1].1, "unexpected token after end");
                    }
                    return Ok((nodes, Some(("end".into(), a.pos))));
                }
                "else" => {
                    let pos = a.pos;
                    self.pieces_pushback(a);
                    return Ok((nodes, Some(("else".into(), pos))));
                }
                "if" => nodes.push(self.if_node(a)?),
                "range" => nodes.push(self.range_node(a)?),
                "with" | "define" | "template" | "block" | "break" | "continue" => {
                    return err(
                        a.pos,
                        format!("{keyword} is not supported in alert templates"),
                    );
                }
                _ => {
                    let pipe = pipeline(&a.toks, a.pos, true)?;
                    nodes.push(Node::Action(pipe));
                }
            }
        }
        Ok((nodes, None))
    }

    fn pieces_pushback(&mut self, a: Action) {
        let rest: Vec<Piece> = std::iter::once(Piece::Action(a))
            .chain(self.pieces.by_ref())
            .collect();
        self.pieces = rest.into_iter().peekable();
    }

    fn enter(&mut self, pos: Pos) -> Result<(), TemplateError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return err(pos, format!("nested deeper than {MAX_NESTING}"));
        }
        Ok(())
    }

    fn if_node(&mut self, a: Action) -> Result<Node, TemplateError> {
        self.enter(a.pos)?;
        let mut branches = vec![(pipeline(&a.toks[1..], a.pos, false)?, Vec::new())];
        let mut otherwise = Vec::new();
        loop {
            let (nodes, end) = self.list()?;
            match end {
                Some((w, _)) if w == "end" => {
                    if let Some(last) = branches.last_mut().filter(|_| otherwise.is_empty()) {
                        last.1 = nodes;
                    } else {
                        otherwise = nodes;
                    }
                    break;
                }
                Some(_) => {
                    let Some(Piece::Action(e)) = self.pieces.next() else {
                        return err(a.pos, "missing {{end}}");
                    };
                    if let Some(last) = branches.last_mut() {
                        last.1 = nodes;
                    }
                    if e.toks.len() > 1 {
                        match &e.toks[1].0 {
                            Tok::Ident(w) if w == "if" => {
                                branches.push((pipeline(&e.toks[2..], e.pos, false)?, Vec::new()));
                                continue;
                            }
                            _ => return err(e.toks[1].1, "unexpected token after else"),
                        }
                    }
                    let (nodes, end) = self.list()?;
                    match end {
                        Some((w, _)) if w == "end" => {
                            otherwise = nodes;
                            break;
                        }
                        Some(_) => return err(e.pos, "expected {{end}} after {{else}}"),
                        None => return err(a.pos, "missing {{end}} for {{if}}"),
                    }
                }
                None => return err(a.pos, "missing {{end}} for {{if}}"),
            }
        }
        self.depth -= 1;
        Ok(Node::If {
            branches,
            otherwise,
        })
    }

    fn range_node(&mut self, a: Action) -> Result<Node, TemplateError> {
        self.enter(a.pos)?;
        let toks = &a.toks[1..];
        let (key, value, rest) = match toks {
            [
                (Tok::Var(k), _),
                (Tok::Comma, _),
                (Tok::Var(v), _),
                (Tok::Declare, _),
                rest @ ..,
            ] => (Some(k.clone()), Some(v.clone()), rest),
            [(Tok::Var(v), _), (Tok::Declare, _), rest @ ..] => (None, Some(v.clone()), rest),
            rest => (None, None, rest),
        };
        let pipe = pipeline(rest, a.pos, false)?;
        let (body, end) = self.list()?;
        let otherwise = match end {
            Some((w, _)) if w == "end" => Vec::new(),
            Some(_) => {
                self.pieces.next();
                match self.list()? {
                    (nodes, Some((w, _))) if w == "end" => nodes,
                    _ => return err(a.pos, "missing {{end}} for {{range}}"),
                }
            }
            None => return err(a.pos, "missing {{end}} for {{range}}"),
        };
        self.depth -= 1;
        Ok(Node::Range {
            key,
            value,
            pipe,
            body,
            otherwise,
        })
    }
}

/// A pipeline from tokens: `[$x :=] cmd | cmd …`.
fn pipeline(toks: &[(Tok, Pos)], pos: Pos, allow_decl: bool) -> Result<Pipeline, TemplateError> {
    let mut toks = toks;
    let mut decl = None;
    if let [
        (Tok::Var(v), vp),
        (Tok::Declare | Tok::Assign, _),
        rest @ ..,
    ] = toks
    {
        if !allow_decl {
            return err(*vp, "variable declaration not allowed here");
        }
        if v.contains('.') {
            return err(*vp, format!("cannot assign to {v}"));
        }
        decl = Some(v.clone());
        toks = rest;
    }
    if toks.is_empty() {
        return err(pos, "missing value for command");
    }
    let mut cmds = Vec::new();
    let mut i = 0;
    let mut depth = 0usize;
    while i < toks.len() {
        let cmd_pos = toks[i].1;
        let mut args = Vec::new();
        while i < toks.len() && toks[i].0 != Tok::Pipe {
            let (tok, p) = &toks[i];
            let arg = match tok {
                Tok::Ident(w) => match w.as_str() {
                    "true" => Arg::Const(Val::Bool(true)),
                    "false" => Arg::Const(Val::Bool(false)),
                    "nil" => Arg::Const(Val::Nil),
                    f if FUNCTIONS.contains(&f) => Arg::Func(f.to_string(), *p),
                    f => return err(*p, format!("function {f:?} not defined")),
                },
                Tok::Field(f) => Arg::Field(
                    f.split('.')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect(),
                ),
                Tok::Var(v) => {
                    let mut parts = v.split('.');
                    let name = parts.next().unwrap_or("$").to_string();
                    Arg::Var(name, parts.map(String::from).collect(), *p)
                }
                Tok::Str(s) => Arg::Const(Val::Str(s.clone())),
                Tok::Num(n) => Arg::Const(n.clone()),
                Tok::LParen => {
                    // Find the matching parenthesis.
                    depth += 1;
                    if depth > MAX_NESTING {
                        return err(*p, format!("nested deeper than {MAX_NESTING}"));
                    }
                    let mut level = 0;
                    let mut j = i;
                    loop {
                        match toks.get(j) {
                            Some((Tok::LParen, _)) => level += 1,
                            Some((Tok::RParen, _)) => {
                                level -= 1;
                                if level == 0 {
                                    break;
                                }
                            }
                            Some(_) => {}
                            None => return err(*p, "unclosed left paren"),
                        }
                        j += 1;
                    }
                    let inner = pipeline(&toks[i + 1..j], *p, false)?;
                    i = j;
                    Arg::Pipe(Box::new(inner))
                }
                Tok::RParen => return err(*p, "unexpected right paren"),
                Tok::Comma | Tok::Declare | Tok::Assign => {
                    return err(*p, "unexpected token in command");
                }
                Tok::Pipe => unreachable_pipe(),
            };
            args.push(arg);
            i += 1;
        }
        if args.is_empty() {
            return err(cmd_pos, "missing command");
        }
        if args.len() > 1 && !matches!(args[0], Arg::Func(..)) {
            return err(cmd_pos, "can't give argument to non-function");
        }
        cmds.push(Cmd { pos: cmd_pos, args });
        if i < toks.len() {
            // Skip the `|`; a trailing one is an error.
            i += 1;
            if i == toks.len() {
                return err(toks[i - 1].1, "missing command after |");
            }
        }
    }
    Ok(Pipeline { pos, decl, cmds })
}

fn unreachable_pipe() -> Arg {
    // The loop stops at `|`; an argument is never a pipe token.
    Arg::Const(Val::Nil)
}
