//! Checks the layering rules between the top-level modules of `src/` by parsing it with syn.
//!
//! How a reference is found: every `use` tree, every path anywhere in the code (expressions,
//! types, bounds, impl headers, patterns, macro paths) and every path-like token run inside
//! macro bodies (parsed as comma-separated expressions when possible, scanned token by token
//! otherwise). `crate::`, `self::` and `super::` are resolved against the file's module path
//! (`src/a/b.rs` is `a::b`, `src/a/mod.rs` is `a`, `src/lib.rs` the root; inline `mod x { … }`
//! pushes `x`). A bare first segment is resolved through the names in scope: block-level and
//! module-level `use` items, glob imports (`use super::*`, `use crate::*`), child modules and
//! items of the module; anything else (std, other crates, the prelude, locals) is not a crate
//! path. A path that ends at an item of the crate root follows the root's `use`, so
//! `crate::Error` belongs to `error` when lib.rs says `pub use error::Error`.
//!
//! Known limits: `#[path = "…"]` on `mod` is not supported (files are placed by their path);
//! attributes are not followed; visibility is ignored when a glob is expanded; a single-segment
//! path named like a lowercase pattern binding anywhere in the same function counts as that
//! local; only exact `#[cfg(test)]` marks test code; `src/main.rs` is the binary crate and is
//! only parsed (it is the top).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Expr, Item, Token, UseTree};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Layer {
    Top,
    Cli,
    Commands,
    Daemon,
    Target,
    Render,
    Domain,
    Foundation,
    Base,
}

/// The layout: the layer of every top-level module of `src/` (a folder `src/x/` or a file
/// `src/x.rs`). A module missing here fails the check. `lib.rs` and `main.rs` are the crate
/// roots, the top: they may import anything.
const LAYOUT: &[(&str, Layer)] = &[
    ("lib.rs", Layer::Top),
    ("main.rs", Layer::Top),
    ("cli", Layer::Cli),
    ("commands", Layer::Commands),
    ("daemon", Layer::Daemon),
    ("target", Layer::Target),
    ("render", Layer::Render),
    ("alerting", Layer::Domain),
    ("health", Layer::Domain),
    ("metrics", Layer::Domain),
    ("profile", Layer::Domain),
    ("telemetry", Layer::Domain),
    ("dashboards", Layer::Domain),
    ("diagnose", Layer::Domain),
    ("containers", Layer::Domain),
    ("logs", Layer::Domain),
    ("netflow", Layer::Domain),
    ("config", Layer::Domain),
    ("store", Layer::Foundation),
    ("net", Layer::Foundation),
    ("messages", Layer::Foundation),
    ("signals", Layer::Foundation),
    ("model", Layer::Base),
    ("error", Layer::Base),
    ("redact", Layer::Base),
];

fn layer(module: &str) -> Option<Layer> {
    LAYOUT.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The layering rule (1 to 4) that a reference from layer `from` to layer `to` breaks.
fn broken_rule(from: Layer, to: Layer) -> Option<u8> {
    use Layer::*;
    match (from, to) {
        (Domain | Foundation | Base, Cli | Commands | Daemon | Target | Render) => Some(1),
        (Target | Daemon, Cli | Commands) | (Target, Render | Daemon) => Some(2),
        (Foundation, Domain) => Some(3),
        (Base, to) if to != Base => Some(3),
        (Cli, Commands | Daemon | Target) => Some(4),
        _ => None,
    }
}

fn rule_text(rule: u8) -> &'static str {
    match rule {
        1 => {
            "domain, foundation and base modules never import cli, commands, daemon, target or render"
        }
        2 => {
            "target and daemon never import cli or commands; target never imports render or daemon"
        }
        3 => "foundation never imports domain modules; base imports only base",
        4 => "cli never imports commands, daemon or target",
        _ => "no cycles between top-level modules",
    }
}

/// Rule 6 comes in two halves: who asks whether a stream is a terminal, who writes to stdout.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Topic {
    Terminal,
    Stdout,
}

impl Topic {
    fn of(word: &str) -> Self {
        if word == "IsTerminal" || word == "is_terminal" {
            Topic::Terminal
        } else {
            Topic::Stdout
        }
    }

    fn rule(self) -> &'static str {
        match self {
            Topic::Terminal => {
                "rule 6: IsTerminal/is_terminal only in src/lib.rs and src/main.rs, where the terminal question is decided once"
            }
            Topic::Stdout => {
                "rule 6: stdout, print! and println! only under src/render/ (the only stdout writer) and in src/lib.rs, src/main.rs"
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Unassigned,
    Upward,
    Terminal,
    Cycle,
}

/// One reported problem: `text` is the line shown to the developer.
#[derive(Debug)]
struct Violation {
    kind: Kind,
    sort: (u8, String, usize),
    text: String,
}

type ModPath = Vec<String>;

/// What one module (or block) declares, as far as name resolution needs it.
#[derive(Default)]
struct Scope {
    mods: HashSet<String>,
    items: HashSet<String>,
    /// `use` bindings: name → the path as written (may start with crate, self, super or `::`).
    uses: HashMap<String, Vec<String>>,
    globs: Vec<Vec<String>>,
}

impl Scope {
    fn add(&mut self, item: &Item) {
        let ident = match item {
            Item::Mod(i) => {
                self.mods.insert(i.ident.to_string());
                return;
            }
            Item::Use(u) => {
                for p in use_paths(u) {
                    match p.binding {
                        Some(name) => {
                            self.uses.entry(name).or_insert(p.segs);
                        }
                        None if p.glob => self.globs.push(p.segs),
                        None => {}
                    }
                }
                return;
            }
            Item::Const(i) => &i.ident,
            Item::Enum(i) => &i.ident,
            Item::ExternCrate(i) => i.rename.as_ref().map_or(&i.ident, |(_, r)| r),
            Item::Fn(i) => &i.sig.ident,
            Item::Macro(i) => match &i.ident {
                Some(ident) => ident,
                None => return,
            },
            Item::Static(i) => &i.ident,
            Item::Struct(i) => &i.ident,
            Item::Trait(i) => &i.ident,
            Item::TraitAlias(i) => &i.ident,
            Item::Type(i) => &i.ident,
            Item::Union(i) => &i.ident,
            _ => return,
        };
        self.items.insert(ident.to_string());
    }
}

/// One leaf of a `use` tree: the full path, where it is, and the name it binds.
struct UsePath {
    segs: Vec<String>,
    line: usize,
    binding: Option<String>,
    glob: bool,
}

fn use_paths(item: &syn::ItemUse) -> Vec<UsePath> {
    let mut prefix = Vec::new();
    if item.leading_colon.is_some() {
        prefix.push("::".to_string());
    }
    let mut out = Vec::new();
    flatten_use(&item.tree, &mut prefix, &mut out);
    out
}

fn flatten_use(tree: &UseTree, prefix: &mut Vec<String>, out: &mut Vec<UsePath>) {
    let leaf = |prefix: &[String], ident: &Ident, rename: Option<&Ident>| {
        let mut segs = prefix.to_vec();
        if ident != "self" {
            segs.push(ident.to_string());
        }
        let binding = match rename {
            Some(r) if r == "_" => None,
            Some(r) => Some(r.to_string()),
            None => segs.last().cloned(),
        };
        UsePath {
            segs,
            line: line(ident.span()),
            binding,
            glob: false,
        }
    };
    match tree {
        UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out);
            prefix.pop();
        }
        UseTree::Name(n) => out.push(leaf(prefix, &n.ident, None)),
        UseTree::Rename(r) => out.push(leaf(prefix, &r.ident, Some(&r.rename))),
        UseTree::Glob(g) => out.push(UsePath {
            segs: prefix.clone(),
            line: line(g.star_token.span),
            binding: None,
            glob: true,
        }),
        UseTree::Group(g) => g.items.iter().for_each(|t| flatten_use(t, prefix, out)),
    }
}

fn line(span: Span) -> usize {
    span.start().line
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && matches!(&a.meta, syn::Meta::List(l) if l.tokens.to_string() == "test")
    })
}

/// The whole crate as name resolution sees it.
#[derive(Default)]
struct Crate {
    /// Every top-level module, with how to show it ("src/x/" or "src/x.rs").
    top: BTreeMap<String, String>,
    scopes: HashMap<ModPath, Scope>,
    /// Modules declared `#[cfg(test)] mod x;`: their files are test code.
    test_mods: HashSet<ModPath>,
    /// Module-level lookups already done (None while one is in progress, which cuts cycles).
    memo: RefCell<HashMap<ModPath, HashMap<String, Option<ModPath>>>>,
}

/// How far `use` bindings and globs are followed before giving up.
const MAX_DEPTH: u8 = 16;

impl Crate {
    fn declare(&mut self, items: &[Item], module: &[String]) {
        self.scopes.entry(module.to_vec()).or_default();
        for item in items {
            self.scopes.entry(module.to_vec()).or_default().add(item);
            if let Item::Mod(m) = item {
                let mut child = module.to_vec();
                child.push(m.ident.to_string());
                if is_cfg_test(&m.attrs) {
                    self.test_mods.insert(child.clone());
                }
                if let Some((_, inner)) = &m.content {
                    self.declare(inner, &child);
                }
            }
        }
    }

    /// The absolute path (from the crate root) that `segs`, written in `module` inside
    /// `blocks`, names; None when it is no path into this crate.
    fn resolve(
        &self,
        module: &[String],
        blocks: &[Scope],
        segs: &[String],
        depth: u8,
    ) -> Option<ModPath> {
        let (first, rest) = segs.split_first()?;
        let mut abs = match first.as_str() {
            "crate" => Vec::new(),
            "self" => module.to_vec(),
            "super" => module.split_last()?.1.to_vec(),
            "::" | "Self" => return None,
            name => self.lookup(module, blocks, name, depth)?,
        };
        for seg in rest {
            if seg == "super" {
                abs.pop()?;
            } else {
                abs.push(seg.clone());
            }
        }
        Some(abs)
    }

    /// What the bare name `name` stands for in `module` inside `blocks` (innermost last).
    fn lookup(
        &self,
        module: &[String],
        blocks: &[Scope],
        name: &str,
        depth: u8,
    ) -> Option<ModPath> {
        if depth >= MAX_DEPTH {
            return None;
        }
        for (i, block) in blocks.iter().enumerate().rev() {
            if block.items.contains(name) || block.mods.contains(name) {
                return Some(module.to_vec());
            }
            if let Some(raw) = block.uses.get(name) {
                return self.resolve(module, &blocks[..i], raw, depth + 1);
            }
            let found = block.globs.iter().find_map(|glob| {
                let target = self.resolve(module, &blocks[..i], glob, depth + 1)?;
                self.lookup(&target, &[], name, depth + 1)
            });
            if found.is_some() {
                return found;
            }
        }
        if let Some(done) = self.memo.borrow().get(module).and_then(|m| m.get(name)) {
            return done.clone();
        }
        self.remember(module, name, None);
        let found = self.lookup_in_module(module, name, depth);
        self.remember(module, name, found.clone());
        found
    }

    fn remember(&self, module: &[String], name: &str, found: Option<ModPath>) {
        let mut memo = self.memo.borrow_mut();
        let names = memo.entry(module.to_vec()).or_default();
        names.insert(name.to_string(), found);
    }

    fn lookup_in_module(&self, module: &[String], name: &str, depth: u8) -> Option<ModPath> {
        let scope = self.scopes.get(module)?;
        if scope.mods.contains(name) || scope.items.contains(name) {
            let mut path = module.to_vec();
            path.push(name.to_string());
            return Some(path);
        }
        if let Some(raw) = scope.uses.get(name) {
            return self.resolve(module, &[], raw, depth + 1);
        }
        scope.globs.iter().find_map(|glob| {
            let target = self.resolve(module, &[], glob, depth + 1)?;
            self.lookup(&target, &[], name, depth + 1)
        })
    }

    /// The top-level module an absolute path lies in. A path to an item of the crate root
    /// follows the root's `use` items (`crate::Error` → `error`); a root item is no module.
    fn owner(&self, abs: &[String]) -> Option<String> {
        let mut first = abs.first()?.clone();
        for _ in 0..MAX_DEPTH {
            if self.top.contains_key(&first) {
                return Some(first);
            }
            let next = self.lookup(&[], &[], &first, 0)?;
            if next.len() == 1 && next[0] == first {
                return None;
            }
            first = next.first()?.clone();
        }
        None
    }
}

/// A reference from one top-level module to another, at a line of the file being checked.
struct Ref {
    line: usize,
    from: String,
    to: String,
}

/// The references and rule-6 words found in one file.
struct FileCheck<'a> {
    krate: &'a Crate,
    module: ModPath,
    blocks: Vec<Scope>,
    locals: Vec<HashSet<String>>,
    in_test: bool,
    refs: Vec<Ref>,
    words: Vec<(usize, String)>,
}

impl FileCheck<'_> {
    fn is_local(&self, name: &str) -> bool {
        self.locals.iter().any(|set| set.contains(name))
    }

    fn reference(&mut self, segs: &[String], line: usize) {
        // The crate root (lib.rs) is the top: it may import anything, and is no graph node.
        let Some(from) = self.module.first() else {
            return;
        };
        let Some(abs) = self.krate.resolve(&self.module, &self.blocks, segs, 0) else {
            return;
        };
        if let Some(to) = self.krate.owner(&abs)
            && &to != from
        {
            let from = from.clone();
            self.refs.push(Ref { line, from, to });
        }
    }

    /// A rule-6 word (`is_terminal`, `stdout`, `println!`, …) outside test code.
    fn word(&mut self, word: &str, line: usize) {
        if !self.in_test {
            self.words.push((line, word.to_string()));
        }
    }

    fn with_locals(&mut self, names: HashSet<String>, visit: impl FnOnce(&mut Self)) {
        self.locals.push(names);
        visit(self);
        self.locals.pop();
    }

    /// Paths and rule-6 words in a macro body that is not a list of expressions.
    fn scan(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let punct = |i: Option<usize>, c: char| {
            let token = i.and_then(|i| tokens.get(i));
            matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == c)
        };
        let mut i = 0;
        while i < tokens.len() {
            let first = match &tokens[i] {
                TokenTree::Group(g) => {
                    self.scan(g.stream());
                    i += 1;
                    continue;
                }
                TokenTree::Ident(first) => first,
                _ => {
                    i += 1;
                    continue;
                }
            };
            let mut segs = vec![first.to_string()];
            let mut j = i + 1;
            while punct(Some(j), ':')
                && punct(Some(j + 1), ':')
                && let Some(TokenTree::Ident(next)) = tokens.get(j + 2)
            {
                segs.push(next.to_string());
                j += 3;
            }
            let line = line(first.span());
            for seg in &segs {
                if Topic::of(seg) == Topic::Terminal {
                    self.word(seg, line);
                }
            }
            let before = i.checked_sub(1);
            let last = segs.last().map_or("", String::as_str);
            if punct(Some(j), '!') && (last == "print" || last == "println") {
                self.word(&format!("{last}!"), line);
            }
            // Not a path: a field or method (`.x`), a lifetime, a macro variable (`$x`, but
            // `$crate` is), or the tail of an absolute path (`::std::…`).
            let absolute = punct(before, ':') && punct(i.checked_sub(2), ':');
            let is_path = if punct(before, '$') {
                segs[0] == "crate"
            } else {
                !(punct(before, '.') || punct(before, '\'') || absolute)
            };
            let local = segs.len() == 1 && self.is_local(&segs[0]);
            if is_path && !local {
                if last == "stdout" && !punct(Some(j), '!') {
                    self.word("stdout", line);
                }
                self.reference(&segs, line);
            }
            i = j;
        }
    }
}

/// The lowercase names bound by patterns (parameters, `let`, closures, arms) in a function.
#[derive(Default)]
struct Locals(HashSet<String>);

impl<'ast> Visit<'ast> for Locals {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        let name = p.ident.to_string();
        if name.starts_with(|c: char| c.is_lowercase() || c == '_') {
            self.0.insert(name);
        }
        visit::visit_pat_ident(self, p);
    }
}

fn locals(visit: impl FnOnce(&mut Locals)) -> HashSet<String> {
    let mut l = Locals::default();
    visit(&mut l);
    l.0
}

impl<'ast> Visit<'ast> for FileCheck<'_> {
    // Attributes (`#[error(…)]`, `#[serde(…)]`) and `pub(super)` are no references.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let was_test = self.in_test;
        self.in_test |= is_cfg_test(&m.attrs);
        self.module.push(m.ident.to_string());
        let blocks = std::mem::take(&mut self.blocks);
        let locals = std::mem::take(&mut self.locals);
        visit::visit_item_mod(self, m);
        self.blocks = blocks;
        self.locals = locals;
        self.module.pop();
        self.in_test = was_test;
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        for p in use_paths(u) {
            if p.segs.last().is_some_and(|s| s == "stdout") {
                self.word("stdout", p.line);
            }
            self.reference(&p.segs, p.line);
        }
        visit::visit_item_use(self, u);
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        let mut scope = Scope::default();
        for stmt in &b.stmts {
            if let syn::Stmt::Item(item) = stmt {
                scope.add(item);
            }
        }
        self.blocks.push(scope);
        visit::visit_block(self, b);
        self.blocks.pop();
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let names = locals(|l| l.visit_item_fn(f));
        self.with_locals(names, |s| visit::visit_item_fn(s, f));
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let names = locals(|l| l.visit_impl_item_fn(f));
        self.with_locals(names, |s| visit::visit_impl_item_fn(s, f));
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        let names = locals(|l| l.visit_trait_item_fn(f));
        self.with_locals(names, |s| visit::visit_trait_item_fn(s, f));
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = p.segments.first().map_or(0, |s| line(s.ident.span()));
        let local = segs.len() == 1 && self.is_local(&segs[0]);
        if !local {
            if segs.last().is_some_and(|s| s == "stdout") {
                self.word("stdout", line);
            }
            if p.leading_colon.is_none() {
                self.reference(&segs, line);
            }
        }
        visit::visit_path(self, p);
    }

    fn visit_ident(&mut self, ident: &'ast Ident) {
        if ident == "IsTerminal" || ident == "is_terminal" {
            self.word(&ident.to_string(), line(ident.span()));
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        visit::visit_macro(self, mac);
        if let Some(last) = mac.path.segments.last()
            && (last.ident == "print" || last.ident == "println")
        {
            self.word(&format!("{}!", last.ident), line(last.ident.span()));
        }
        match mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            Ok(args) => args.iter().for_each(|e| self.visit_expr(e)),
            Err(_) => self.scan(mac.tokens.clone()),
        }
    }
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            rs_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The module path of a file, from its path below `src/`.
fn module_path(parts: &[String]) -> ModPath {
    let Some((file, dirs)) = parts.split_last() else {
        return Vec::new();
    };
    let mut module = dirs.to_vec();
    let stem = file.strip_suffix(".rs").unwrap_or(file);
    if stem != "mod" && !(dirs.is_empty() && (stem == "lib" || stem == "main")) {
        module.push(stem.to_string());
    }
    module
}

struct SourceFile {
    shown: String,
    module: ModPath,
    ast: syn::File,
}

/// Parse every file under `crate_dir/src` and declare what each module holds; Err when a
/// file cannot be read or parsed.
fn load(crate_dir: &Path) -> Result<(Crate, Vec<SourceFile>), String> {
    let src = crate_dir.join("src");
    let mut paths = Vec::new();
    rs_files(&src, &mut paths)?;
    paths.sort();
    let mut krate = Crate::default();
    let mut files = Vec::new();
    for path in paths {
        let rel = path.strip_prefix(&src).map_err(|e| e.to_string())?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let shown = format!("src/{}", parts.join("/"));
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{shown}: {e}"))?;
        let ast = syn::parse_file(&text).map_err(|e| {
            let at = e.span().start();
            format!("{shown}:{}:{}: does not parse: {e}", at.line, at.column + 1)
        })?;
        if shown == "src/main.rs" {
            continue; // the binary crate: the top, and `crate::` there is another crate
        }
        let module = module_path(&parts);
        if let Some(top) = module.first() {
            let place = if parts.len() > 1 {
                format!("src/{top}/")
            } else {
                shown.clone()
            };
            let entry = krate.top.entry(top.clone()).or_default();
            if entry.is_empty() || place.ends_with('/') {
                *entry = place;
            }
        }
        krate.declare(&ast.items, &module);
        files.push(SourceFile { shown, module, ast });
    }
    let inline: Vec<String> = krate
        .scopes
        .get(&Vec::new())
        .map_or(Vec::new(), |root| root.mods.iter().cloned().collect());
    for name in inline {
        let place = format!("src/lib.rs (mod {name})");
        krate.top.entry(name).or_insert(place);
    }
    Ok((krate, files))
}

/// The rule-6 words one file uses, and where.
#[derive(Default)]
struct Words {
    lines: BTreeSet<usize>,
    words: BTreeSet<String>,
}

/// Every layout violation in the crate whose sources are under `crate_dir/src`, sorted.
fn check(crate_dir: &Path) -> Result<Vec<Violation>, String> {
    let (krate, files) = load(crate_dir)?;
    let mut upward: BTreeMap<(String, String, String, u8), BTreeSet<usize>> = BTreeMap::new();
    let mut terminal: BTreeMap<(String, String, Topic), Words> = BTreeMap::new();
    let mut edges: BTreeMap<(String, String), (String, usize)> = BTreeMap::new();
    for file in &files {
        let in_test = (1..=file.module.len()).any(|n| krate.test_mods.contains(&file.module[..n]));
        let mut fc = FileCheck {
            krate: &krate,
            module: file.module.clone(),
            blocks: Vec::new(),
            locals: Vec::new(),
            in_test,
            refs: Vec::new(),
            words: Vec::new(),
        };
        fc.visit_file(&file.ast);
        for r in fc.refs {
            let example = (file.shown.clone(), r.line);
            let edge = edges
                .entry((r.from.clone(), r.to.clone()))
                .or_insert_with(|| example.clone());
            if example < *edge {
                *edge = example;
            }
            if let (Some(from), Some(to)) = (layer(&r.from), layer(&r.to))
                && let Some(rule) = broken_rule(from, to)
            {
                let key = (file.shown.clone(), r.from, r.to, rule);
                upward.entry(key).or_default().insert(r.line);
            }
        }
        // The crate root decides everything; render alone writes to stdout.
        let Some(module) = file.module.first() else {
            continue;
        };
        for (line, word) in fc.words {
            let topic = Topic::of(&word);
            if !(module == "render" && topic == Topic::Stdout) {
                let key = (file.shown.clone(), module.clone(), topic);
                let entry = terminal.entry(key).or_default();
                entry.lines.insert(line);
                entry.words.insert(word);
            }
        }
    }

    let mut out = Vec::new();
    for (name, place) in &krate.top {
        if layer(name).is_none() {
            out.push(Violation {
                kind: Kind::Unassigned,
                sort: (0, place.clone(), 0),
                text: format!(
                    "{place}: no layer assigned; add it to the table in tests/it/layout.rs"
                ),
            });
        }
    }
    for ((file, from, to, rule), lines) in upward {
        let (first, also) = first_and_also(&lines);
        out.push(Violation {
            kind: Kind::Upward,
            sort: (1, file.clone(), first),
            text: format!(
                "{file}:{first}: {from} imports {to} (rule {rule}: {}){also}",
                rule_text(rule)
            ),
        });
    }
    for ((file, module, topic), found) in terminal {
        let (first, also) = first_and_also(&found.lines);
        let words = found.words.into_iter().collect::<Vec<_>>().join(", ");
        out.push(Violation {
            kind: Kind::Terminal,
            sort: (1, file.clone(), first),
            text: format!(
                "{file}:{first}: {module} uses {words} ({}){also}",
                topic.rule()
            ),
        });
    }
    for cycle in cycles(&edges) {
        let list: Vec<String> = edges
            .iter()
            .filter(|((a, b), _)| cycle.contains(a) && cycle.contains(b))
            .map(|((a, b), (file, line))| format!("{a} -> {b} at {file}:{line}"))
            .collect();
        let names = cycle.iter().cloned().collect::<Vec<_>>().join(", ");
        out.push(Violation {
            kind: Kind::Cycle,
            sort: (2, names.clone(), 0),
            text: format!(
                "cycle between {names} (rule 5: {}): {}",
                rule_text(5),
                list.join(", ")
            ),
        });
    }
    out.sort_by(|a, b| (&a.sort, &a.text).cmp(&(&b.sort, &b.text)));
    Ok(out)
}

/// The first line and a "; also lines …" note for the others (at most ten listed).
fn first_and_also(lines: &BTreeSet<usize>) -> (usize, String) {
    let mut it = lines.iter();
    let first = it.next().copied().unwrap_or(0);
    let rest: Vec<String> = it.map(usize::to_string).collect();
    let also = match rest.len() {
        0 => String::new(),
        1 => format!("; also line {}", rest[0]),
        n if n <= 10 => format!("; also lines {}", rest.join(", ")),
        n => format!("; also lines {} and {} more", rest[..10].join(", "), n - 10),
    };
    (first, also)
}

/// The strongly connected components with more than one module.
fn cycles(edges: &BTreeMap<(String, String), (String, usize)>) -> Vec<BTreeSet<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        next.entry(a).or_default().push(b);
        next.entry(b).or_default();
    }
    let reach = |start: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            for &m in next.get(n).into_iter().flatten() {
                if seen.insert(m) {
                    stack.push(m);
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&str, BTreeSet<&str>> = next.keys().map(|&n| (n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for (&n, from_n) in &reaches {
        if done.contains(n) {
            continue;
        }
        let component: BTreeSet<String> = from_n
            .iter()
            .filter(|&&m| m == n || reaches.get(m).is_some_and(|r| r.contains(n)))
            .map(|m| m.to_string())
            .collect();
        done.extend(component.iter().cloned());
        if component.len() > 1 {
            out.push(component);
        }
    }
    out
}

/// The failure message: every violation, then the one-line summary.
fn report(violations: &[Violation]) -> String {
    let mut lines: Vec<String> = violations.iter().map(|v| v.text.clone()).collect();
    lines.push(summary(violations));
    lines.join("\n")
}

fn summary(violations: &[Violation]) -> String {
    let count = |kind| violations.iter().filter(|v| v.kind == kind).count();
    let plural = |n: usize, one: &str, many: &str| {
        (n > 0).then(|| format!("{n} {}", if n == 1 { one } else { many }))
    };
    let parts: Vec<String> = [
        plural(count(Kind::Upward), "upward import", "upward imports"),
        plural(count(Kind::Cycle), "cycle", "cycles"),
        plural(
            count(Kind::Terminal),
            "terminal/stdout use outside the top and render",
            "terminal/stdout uses outside the top and render",
        ),
        plural(
            count(Kind::Unassigned),
            "module without a layer",
            "modules without a layer",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let n = violations.len();
    let noun = if n == 1 { "violation" } else { "violations" };
    format!("{n} layout {noun}: {}", parts.join(", "))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/layout")
        .join(name)
}

/// The real tree: fails, with a to-do list, until every module keeps to its layer.
#[test]
fn layout_rules_hold() {
    let violations = check(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap_or_else(|e| panic!("{e}"));
    assert!(violations.is_empty(), "\n{}", report(&violations));
}

#[test]
fn every_planted_violation_is_found_and_nothing_else() {
    let violations = check(&fixture("violations")).unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<&str> = violations.iter().map(|v| v.text.as_str()).collect();
    let r1 = rule_text(1);
    let r2 = rule_text(2);
    let r3 = rule_text(3);
    let r4 = rule_text(4);
    let r5 = rule_text(5);
    let terminal = Topic::Terminal.rule();
    let stdout = Topic::Stdout.rule();
    let expected = [
        "src/mystery/: no layer assigned; add it to the table in tests/it/layout.rs".to_string(),
        format!("src/cli/mod.rs:17: cli imports daemon (rule 4: {r4})"),
        format!(
            "src/commands/mod.rs:2: commands uses IsTerminal, is_terminal ({terminal}); also line 9"
        ),
        format!("src/daemon/mod.rs:5: daemon imports commands (rule 2: {r2})"),
        format!(
            "src/dashboards/mod.rs:5: dashboards imports render (rule 1: {r1}); also lines 12, 16, 17, 26"
        ),
        format!("src/dashboards/mod.rs:20: dashboards imports cli (rule 1: {r1}); also line 21"),
        format!(
            "src/dashboards/mod.rs:31: dashboards imports commands (rule 1: {r1}); also line 32"
        ),
        format!("src/dashboards/tests.rs:7: dashboards imports render (rule 1: {r1})"),
        format!("src/health/mod.rs:6: health uses println! ({stdout})"),
        format!("src/model/mod.rs:2: model imports render (rule 1: {r1})"),
        format!("src/store/mod.rs:5: store imports commands (rule 1: {r1})"),
        format!("src/store/mod.rs:6: store imports health (rule 3: {r3})"),
        format!("src/target/probe/icmp.rs:5: target imports render (rule 2: {r2})"),
        format!("src/target/probe/mod.rs:4: target imports cli (rule 2: {r2}); also line 5"),
        format!(
            "src/telemetry/export.rs:3: telemetry imports render (rule 1: {r1}); also lines 7, 10, 11"
        ),
        format!("src/telemetry/mod.rs:4: telemetry imports render (rule 1: {r1}); also line 7"),
        format!(
            "cycle between containers, logs, netflow (rule 5: {r5}): containers -> logs at \
             src/containers.rs:4, logs -> netflow at src/logs/mod.rs:2, netflow -> containers at \
             src/netflow.rs:4"
        ),
        format!(
            "cycle between health, metrics (rule 5: {r5}): health -> metrics at \
             src/health/mod.rs:2, metrics -> health at src/metrics/mod.rs:5"
        ),
    ];
    assert_eq!(got, expected, "\n{}", report(&violations));
    assert_eq!(
        summary(&violations),
        "18 layout violations: 13 upward imports, 2 cycles, \
         2 terminal/stdout uses outside the top and render, 1 module without a layer"
    );
}

#[test]
fn clean_fixture_has_no_violation() {
    let violations = check(&fixture("clean")).unwrap_or_else(|e| panic!("{e}"));
    assert!(violations.is_empty(), "\n{}", report(&violations));
}

#[test]
fn a_file_that_does_not_parse_fails_with_its_path_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/model")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "pub mod model;\n").unwrap();
    std::fs::write(
        dir.path().join("src/model/mod.rs"),
        "//! Broken.\n\npub fn f( {\n",
    )
    .unwrap();
    let err = check(dir.path()).unwrap_err();
    assert!(err.starts_with("src/model/mod.rs:3:"), "{err}");
    assert!(err.contains("does not parse"), "{err}");
}
