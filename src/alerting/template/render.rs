//! The renderer: nodes and data into text, as Go's `text/template` executes Prometheus's
//! alert templates.

use std::collections::BTreeMap;
use std::fmt;

use super::Data;
use super::format::{
    go_float, humanize, humanize_duration, humanize_percentage, humanize1024, sprintf,
};
use super::parse::{Arg, Cmd, Node, Pipeline, Pos, Template, TemplateError};

/// A value in a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Float(f64),
    Int(i64),
    Bool(bool),
    Map(BTreeMap<String, String>),
    Nil,
    /// The template's data (`.`): `Labels`, `ExternalLabels`, `ExternalURL`, `Value`.
    Dot,
}

impl Val {
    /// Go's name of the type, for error texts such as `%!d(float64=1.5)`.
    pub fn go_type(&self) -> &'static str {
        match self {
            Val::Str(_) => "string",
            Val::Float(_) => "float64",
            Val::Int(_) => "int",
            Val::Bool(_) => "bool",
            Val::Map(_) => "map[string]string",
            Val::Nil => "<nil>",
            Val::Dot => "*template.tmplData",
        }
    }

    fn truthy(&self) -> bool {
        match self {
            Val::Str(s) => !s.is_empty(),
            Val::Float(f) => *f != 0.0,
            Val::Int(i) => *i != 0,
            Val::Bool(b) => *b,
            Val::Map(m) => !m.is_empty(),
            Val::Nil => false,
            Val::Dot => true,
        }
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Str(s) => f.write_str(s),
            Val::Float(v) => f.write_str(&go_float(*v)),
            Val::Int(i) => write!(f, "{i}"),
            Val::Bool(b) => write!(f, "{b}"),
            Val::Map(m) => {
                let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}:{v}")).collect();
                write!(f, "map[{}]", parts.join(" "))
            }
            Val::Nil => f.write_str("<no value>"),
            Val::Dot => f.write_str("{map[] map[]  <nil>}"),
        }
    }
}

/// The most text one template may produce.
const MAX_OUTPUT: usize = 64 * 1024;

struct Exec<'a> {
    data: &'a Data,
    vars: Vec<(String, Val)>,
    out: String,
}

fn fail<T>(pos: Pos, message: impl Into<String>) -> Result<T, TemplateError> {
    Err(TemplateError {
        pos,
        message: message.into(),
    })
}

impl Template {
    /// Render with the variables Prometheus defines (`$labels`, `$externalLabels`,
    /// `$externalURL`, `$value`).
    pub fn render(&self, data: &Data) -> Result<String, TemplateError> {
        let mut ex = Exec {
            data,
            vars: vec![
                ("$".into(), Val::Dot),
                ("$labels".into(), Val::Map(data.labels.clone())),
                (
                    "$externalLabels".into(),
                    Val::Map(data.external_labels.clone()),
                ),
                ("$externalURL".into(), Val::Str(data.external_url.clone())),
                ("$value".into(), Val::Float(data.value)),
            ],
            out: String::new(),
        };
        ex.nodes(&self.nodes, &Val::Dot)?;
        Ok(ex.out)
    }

    /// Check what parsing cannot: every variable is defined where it is used. Both branches
    /// of every `if` are checked.
    pub fn check(&self) -> Result<(), TemplateError> {
        let mut known: Vec<String> = ["$", "$labels", "$externalLabels", "$externalURL", "$value"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        check_nodes(&self.nodes, &mut known)
    }
}

fn check_nodes(nodes: &[Node], known: &mut Vec<String>) -> Result<(), TemplateError> {
    for n in nodes {
        match n {
            Node::Text(_) => {}
            Node::Action(p) => check_pipe(p, known)?,
            Node::If {
                branches,
                otherwise,
            } => {
                for (p, body) in branches {
                    check_pipe(p, known)?;
                    let mut inner = known.clone();
                    check_nodes(body, &mut inner)?;
                }
                check_nodes(otherwise, &mut known.clone())?;
            }
            Node::Range {
                key,
                value,
                pipe,
                body,
                otherwise,
            } => {
                check_pipe(pipe, known)?;
                let mut inner = known.clone();
                inner.extend(key.iter().chain(value.iter()).cloned());
                check_nodes(body, &mut inner)?;
                check_nodes(otherwise, &mut known.clone())?;
            }
        }
    }
    Ok(())
}

fn check_pipe(p: &Pipeline, known: &mut Vec<String>) -> Result<(), TemplateError> {
    for c in &p.cmds {
        for a in &c.args {
            match a {
                Arg::Var(name, _, pos) if !known.contains(name) => {
                    return fail(*pos, format!("undefined variable {name:?}"));
                }
                Arg::Pipe(inner) => check_pipe(inner, known)?,
                _ => {}
            }
        }
    }
    if let Some(d) = &p.decl {
        known.push(d.clone());
    }
    Ok(())
}

impl Exec<'_> {
    fn nodes(&mut self, nodes: &[Node], dot: &Val) -> Result<(), TemplateError> {
        for n in nodes {
            match n {
                Node::Text(t) => self.write(t),
                Node::Action(p) => {
                    let v = self.pipeline(p, dot)?;
                    if p.decl.is_none() {
                        self.write(&v.to_string());
                    }
                }
                Node::If {
                    branches,
                    otherwise,
                } => {
                    let mut done = false;
                    for (p, body) in branches {
                        if self.pipeline(p, dot)?.truthy() {
                            self.scoped(body, dot)?;
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        self.scoped(otherwise, dot)?;
                    }
                }
                Node::Range {
                    key,
                    value,
                    pipe,
                    body,
                    otherwise,
                } => {
                    let over = self.pipeline(pipe, dot)?;
                    let Val::Map(m) = over else {
                        return fail(pipe.pos, format!("range can't iterate over {over}"));
                    };
                    if m.is_empty() {
                        self.scoped(otherwise, dot)?;
                    }
                    for (k, v) in m {
                        let mark = self.vars.len();
                        if let Some(kn) = key {
                            self.vars.push((kn.clone(), Val::Str(k.clone())));
                        }
                        if let Some(vn) = value {
                            self.vars.push((vn.clone(), Val::Str(v.clone())));
                        }
                        self.nodes(body, &Val::Str(v))?;
                        self.vars.truncate(mark);
                    }
                }
            }
            if self.out.len() > MAX_OUTPUT {
                return fail(
                    Pos { line: 1, col: 1 },
                    format!("output longer than {} KiB", MAX_OUTPUT / 1024),
                );
            }
        }
        Ok(())
    }

    fn scoped(&mut self, nodes: &[Node], dot: &Val) -> Result<(), TemplateError> {
        let mark = self.vars.len();
        let r = self.nodes(nodes, dot);
        self.vars.truncate(mark);
        r
    }

    fn write(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn pipeline(&mut self, p: &Pipeline, dot: &Val) -> Result<Val, TemplateError> {
        let mut last: Option<Val> = None;
        for c in &p.cmds {
            last = Some(self.cmd(c, dot, last)?);
        }
        let v = last.unwrap_or(Val::Nil);
        if let Some(d) = &p.decl {
            // `$x := …` declares; `$x = …` of an existing variable assigns: both set it.
            match self.vars.iter_mut().rev().find(|(n, _)| n == d) {
                Some(slot) => slot.1 = v.clone(),
                None => self.vars.push((d.clone(), v.clone())),
            }
        }
        Ok(v)
    }

    fn arg(&mut self, a: &Arg, dot: &Val, pos: Pos) -> Result<Val, TemplateError> {
        match a {
            Arg::Const(v) => Ok(v.clone()),
            Arg::Field(chain) => self.fields(dot.clone(), chain, pos),
            Arg::Var(name, chain, vpos) => {
                let Some(v) = self
                    .vars
                    .iter()
                    .rev()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                else {
                    return fail(*vpos, format!("undefined variable {name:?}"));
                };
                self.fields(v, chain, *vpos)
            }
            Arg::Pipe(p) => self.pipeline(p, dot),
            Arg::Func(name, fpos) => self.call(name, Vec::new(), *fpos),
        }
    }

    fn fields(&self, mut v: Val, chain: &[String], pos: Pos) -> Result<Val, TemplateError> {
        for f in chain {
            v = match v {
                Val::Dot => match f.as_str() {
                    "Labels" => Val::Map(self.data.labels.clone()),
                    "ExternalLabels" => Val::Map(self.data.external_labels.clone()),
                    "ExternalURL" => Val::Str(self.data.external_url.clone()),
                    "Value" => Val::Float(self.data.value),
                    _ => {
                        return fail(
                            pos,
                            format!("can't evaluate field {f} in type *template.tmplData"),
                        );
                    }
                },
                // A missing key of a map[string]string is its zero value.
                Val::Map(m) => Val::Str(m.get(f).cloned().unwrap_or_default()),
                other => {
                    return fail(
                        pos,
                        format!("can't evaluate field {f} in type {}", other.go_type()),
                    );
                }
            };
        }
        Ok(v)
    }

    fn cmd(&mut self, c: &Cmd, dot: &Val, piped: Option<Val>) -> Result<Val, TemplateError> {
        match &c.args[0] {
            Arg::Func(name, pos) => {
                let mut args = Vec::with_capacity(c.args.len());
                // `and`/`or` stop at the first deciding argument, as Go's do.
                for a in &c.args[1..] {
                    args.push(self.arg(a, dot, c.pos)?);
                }
                if let Some(p) = piped {
                    args.push(p);
                }
                self.call(name, args, *pos)
            }
            first => {
                if piped.is_some() {
                    return fail(c.pos, "can't give argument to non-function");
                }
                self.arg(first, dot, c.pos)
            }
        }
    }

    fn call(&mut self, name: &str, args: Vec<Val>, pos: Pos) -> Result<Val, TemplateError> {
        let want = |n: usize| -> Result<(), TemplateError> {
            if args.len() == n {
                Ok(())
            } else {
                fail(
                    pos,
                    format!(
                        "wrong number of args for {name}: want {n} got {}",
                        args.len()
                    ),
                )
            }
        };
        let float = |v: &Val| -> Result<f64, TemplateError> {
            match v {
                Val::Float(f) => Ok(*f),
                Val::Int(i) => Ok(*i as f64),
                Val::Str(s) => s.trim().parse::<f64>().or_else(|_| match s.trim() {
                    "NaN" => Ok(f64::NAN),
                    "+Inf" | "Inf" => Ok(f64::INFINITY),
                    "-Inf" => Ok(f64::NEG_INFINITY),
                    _ => fail(
                        pos,
                        format!("error calling {name}: strconv.ParseFloat: parsing {s:?}: invalid syntax"),
                    ),
                }),
                other => fail(
                    pos,
                    format!("error calling {name}: can't convert {} to float", other.go_type()),
                ),
            }
        };
        let string = |v: &Val| -> String { v.to_string() };
        Ok(match name {
            "humanize" | "humanize1024" | "humanizePercentage" | "humanizeDuration" => {
                want(1)?;
                let v = float(&args[0])?;
                Val::Str(match name {
                    "humanize" => humanize(v),
                    "humanize1024" => humanize1024(v),
                    "humanizePercentage" => humanize_percentage(v),
                    _ => humanize_duration(v),
                })
            }
            "printf" => {
                let Some((Val::Str(f), rest)) = args.split_first() else {
                    return fail(pos, "printf needs a format string first");
                };
                Val::Str(sprintf(f, rest))
            }
            "print" | "println" => {
                let mut s = String::new();
                for (i, a) in args.iter().enumerate() {
                    let is_str = |v: &Val| matches!(v, Val::Str(_));
                    if i > 0 && (name == "println" || !(is_str(a) || is_str(&args[i - 1]))) {
                        s.push(' ');
                    }
                    s.push_str(&a.to_string());
                }
                if name == "println" {
                    s.push('\n');
                }
                Val::Str(s)
            }
            "toUpper" => {
                want(1)?;
                Val::Str(string(&args[0]).to_uppercase())
            }
            "toLower" => {
                want(1)?;
                Val::Str(string(&args[0]).to_lowercase())
            }
            "title" => {
                want(1)?;
                let mut out = String::new();
                let mut start = true;
                for ch in string(&args[0]).chars() {
                    if start && ch.is_alphabetic() {
                        out.extend(ch.to_uppercase());
                    } else {
                        out.push(ch);
                    }
                    start = !(ch.is_alphanumeric() || ch == '_' || ch == '\'');
                }
                Val::Str(out)
            }
            "stripPort" => {
                want(1)?;
                let s = string(&args[0]);
                Val::Str(strip_port(&s))
            }
            "reReplaceAll" => {
                want(3)?;
                let re = regex::RegexBuilder::new(&string(&args[0]))
                    .size_limit(256 * 1024)
                    .build()
                    .map_err(|e| TemplateError {
                        pos,
                        message: format!(
                            "error calling reReplaceAll: {}",
                            e.to_string().lines().last().unwrap_or("bad regex")
                        ),
                    })?;
                Val::Str(
                    re.replace_all(&string(&args[2]), string(&args[1]).as_str())
                        .into_owned(),
                )
            }
            "len" => {
                want(1)?;
                match &args[0] {
                    Val::Str(s) => Val::Int(s.len() as i64),
                    Val::Map(m) => Val::Int(m.len() as i64),
                    other => {
                        return fail(
                            pos,
                            format!("error calling len: len of type {}", other.go_type()),
                        );
                    }
                }
            }
            "index" => {
                want(2)?;
                match (&args[0], &args[1]) {
                    (Val::Map(m), Val::Str(k)) => Val::Str(m.get(k).cloned().unwrap_or_default()),
                    (a, _) => {
                        return fail(
                            pos,
                            format!(
                                "error calling index: can't index item of type {}",
                                a.go_type()
                            ),
                        );
                    }
                }
            }
            "not" => {
                want(1)?;
                Val::Bool(!args[0].truthy())
            }
            "and" => args
                .iter()
                .find(|a| !a.truthy())
                .or(args.last())
                .cloned()
                .unwrap_or(Val::Nil),
            "or" => args
                .iter()
                .find(|a| a.truthy())
                .or(args.last())
                .cloned()
                .unwrap_or(Val::Nil),
            "eq" | "ne" | "lt" | "le" | "gt" | "ge" => {
                if args.len() < 2 || (name != "eq" && args.len() != 2) {
                    return fail(pos, format!("wrong number of args for {name}"));
                }
                let first = &args[0];
                let mut any = false;
                for other in &args[1..] {
                    let ord = compare(first, other).ok_or_else(|| TemplateError {
                        pos,
                        message: format!("error calling {name}: incompatible types for comparison"),
                    })?;
                    let holds = match name {
                        "eq" => ord == std::cmp::Ordering::Equal,
                        "ne" => ord != std::cmp::Ordering::Equal,
                        "lt" => ord == std::cmp::Ordering::Less,
                        "le" => ord != std::cmp::Ordering::Greater,
                        "gt" => ord == std::cmp::Ordering::Greater,
                        _ => ord != std::cmp::Ordering::Less,
                    };
                    any |= holds;
                }
                Val::Bool(any)
            }
            other => return fail(pos, format!("function {other:?} not defined")),
        })
    }
}

/// Go's basic comparisons: same kinds only (int and float do not mix).
fn compare(a: &Val, b: &Val) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        (Val::Int(x), Val::Int(y)) => Some(x.cmp(y)),
        (Val::Float(x), Val::Float(y)) => {
            Some(x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Less))
        }
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Go's `net.SplitHostPort` host, or the text unchanged when it has no port.
fn strip_port(s: &str) -> String {
    if let Some(rest) = s.strip_prefix('[')
        && let Some((host, port)) = rest.split_once("]:")
        && !port.contains(':')
    {
        return host.to_string();
    }
    match s.rsplit_once(':') {
        Some((host, _)) if !host.contains(':') && !host.is_empty() => host.to_string(),
        _ => s.to_string(),
    }
}
