//! Following files: Docker's json-file logs, CRI pod logs and file globs. Files are known by
//! device and inode and kept open, so a file renamed by rotation, or deleted with its
//! container (`docker rm`) while the reader is behind, is still read to its end. A file that
//! shrinks was truncated (copytruncate): its truncation count grows and reading starts again
//! from 0 in a new generation. A new file whose first bytes are those of a file already being
//! read is its copy (the first half of copytruncate) and continues that file's generation and
//! offset. Records carry `_id = generation-offset`.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::checkpoint::{self, FileMark, fnv};
use super::{Stats, parse};
use crate::containers::ContainerId;
use crate::containers::cgroup::Runtime;
use crate::containers::names::Names;
use crate::model::Level;
use crate::model::log_sources::LogSources;

/// Bytes of a first line that make a file's fingerprint.
const FINGERPRINT_BYTES: usize = 1024;
/// Bytes read from one file per pass (the rest waits for the next pass).
const READ_PER_FILE: u64 = 4 * 1024 * 1024;
/// A file that is gone from its path (renamed away, deleted) is closed this long after its
/// last byte was read.
const DRAIN_GRACE: Duration = Duration::from_secs(3);
/// Generations ended by truncation remembered at most.
const MAX_RETIRED: usize = 256;
/// Files followed at once at most.
pub const MAX_OPEN: usize = 4096;

/// How a source's lines are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    Docker,
    Cri,
}

/// One configured source of files.
#[derive(Debug, Clone)]
pub struct Spec {
    /// `docker:<root>`, `cri:<root>` or `file:<pattern>`: part of every `_id`.
    pub key: String,
    pub format: Format,
    pub pattern: String,
    /// CRI: where kubelet's `/var/log/containers` symlinks are (for container ids).
    pub links: Option<PathBuf>,
}

/// The file sources of a configuration.
pub fn specs(sources: &LogSources, docker_root: &Path) -> Vec<Spec> {
    let mut out = Vec::new();
    if sources.docker.is_some() {
        out.push(Spec {
            key: format!("docker:{}", docker_root.display()),
            format: Format::Docker,
            pattern: format!("{}/containers/*/*-json.log*", docker_root.display()),
            links: None,
        });
    }
    if let Some(root) = &sources.cri {
        let root = root.trim_end_matches('/');
        out.push(Spec {
            key: format!("cri:{root}"),
            format: Format::Cri,
            pattern: format!("{root}/*/*/*.log*"),
            links: Path::new(root).parent().map(|p| p.join("containers")),
        });
    }
    for f in &sources.files {
        out.push(Spec {
            key: format!("file:{f}"),
            format: Format::Plain,
            pattern: f.clone(),
            links: None,
        });
    }
    out
}

/// Compressed or temporary rotations are not logs to follow.
fn skip_name(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_none_or(|n| n.ends_with(".gz") || n.ends_with(".zst") || n.ends_with(".tmp"))
}

/// A partial record being joined (Docker lines without a newline, CRI `P` lines).
struct Join {
    stream: String,
    start: u64,
    time: String,
    content: Vec<u8>,
    truncated: bool,
}

/// Who wrote a file.
#[derive(Debug, Clone, Default)]
struct Origin {
    container_id: Option<String>,
    service: String,
    metadata: serde_json::Map<String, serde_json::Value>,
}

struct Tracked {
    spec: usize,
    file: File,
    path: PathBuf,
    /// What is durable (in the buffer and the checkpoint).
    saved: FileMark,
    /// Where reading stands now.
    work: FileMark,
    pos: u64,
    line: Vec<u8>,
    line_start: u64,
    skipping: bool,
    joins: Vec<Join>,
    /// Who wrote the file, serialised once for its records.
    origin: super::Shared,
    /// Still found at a path of its source in the last discovery.
    present: bool,
    last_data: Instant,
}

/// The reader of every file source.
pub struct Tailer {
    specs: Vec<Spec>,
    node_id: String,
    max_line: usize,
    names: Names,
    files: HashMap<(u64, u64), Tracked>,
    /// Marks of files not open now (not found yet, or closed), by device and inode.
    marks: HashMap<(u64, u64), FileMark>,
    /// Generations ended by truncation (newest last), for their copies.
    retired: std::collections::VecDeque<FileMark>,
    /// Unreadable paths already reported.
    reported: std::collections::HashSet<PathBuf>,
    first_discovery: bool,
}

/// What one pass produced.
#[derive(Default)]
pub struct Pass {
    /// Buffer entries, `id\tjson\n` each.
    pub entries: Vec<u8>,
    pub count: u64,
    /// Problems to report once (unreadable paths).
    pub notices: Vec<String>,
    /// Whether a file had more to read than one pass takes.
    pub more: bool,
    /// Bytes this pass may still read.
    pub budget: u64,
    pub(crate) clock: super::Clock,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Tailer {
    pub(crate) fn new(
        specs: Vec<Spec>,
        node_id: &str,
        max_line: usize,
        names: Names,
        marks: Vec<FileMark>,
        retired: Vec<FileMark>,
    ) -> Tailer {
        Tailer {
            specs,
            node_id: node_id.to_string(),
            max_line: max_line.max(FINGERPRINT_BYTES),
            names,
            files: HashMap::new(),
            marks: marks.into_iter().map(|m| ((m.dev, m.ino), m)).collect(),
            retired: retired.into_iter().collect(),
            reported: Default::default(),
            first_discovery: true,
        }
    }

    /// Every mark, durable ones only, for the checkpoint file.
    pub fn marks(&self) -> Vec<FileMark> {
        let mut all: Vec<FileMark> = self
            .files
            .values()
            .map(|t| t.saved.clone())
            .chain(self.marks.values().cloned())
            .collect();
        if all.len() > checkpoint::MAX_FILES {
            all.sort_by_key(|m| std::cmp::Reverse(m.touched));
            all.truncate(checkpoint::MAX_FILES);
        }
        all.sort_by_key(|m| (m.dev, m.ino));
        all
    }

    /// Generations ended by truncation, for the checkpoint file.
    pub fn retired(&self) -> Vec<FileMark> {
        self.retired.iter().cloned().collect()
    }

    fn retire(&mut self, m: FileMark) {
        if m.fingerprint == 0 || m.offset == 0 {
            return;
        }
        if self.retired.len() >= MAX_RETIRED {
            self.retired.pop_front();
        }
        self.retired.push_back(m);
    }

    /// Bytes not yet read, per source key.
    pub fn lag(&self) -> BTreeMap<String, u64> {
        let mut out: BTreeMap<String, u64> =
            self.specs.iter().map(|s| (s.key.clone(), 0)).collect();
        for t in self.files.values() {
            let size = t.file.metadata().map_or(0, |m| m.len());
            if let Some(s) = self.specs.get(t.spec) {
                *out.entry(s.key.clone()).or_default() += size.saturating_sub(t.saved.offset);
            }
        }
        out
    }

    /// Files open now.
    pub fn open_files(&self) -> usize {
        self.files.len()
    }

    /// Find files: new ones are opened (at their checkpoint, or from the start), known ones
    /// get their current path.
    pub fn discover(&mut self, pass: &mut Pass) {
        for t in self.files.values_mut() {
            t.present = false;
        }
        let mut seen: Vec<(usize, PathBuf, std::fs::Metadata)> = Vec::new();
        for (i, spec) in self.specs.iter().enumerate() {
            let mut unreadable = Vec::new();
            let found = super::glob::expand(&spec.pattern, &mut unreadable);
            for (dir, e) in unreadable {
                if e.kind() != std::io::ErrorKind::NotFound && self.reported.insert(dir.clone()) {
                    pass.notices.push(format!(
                        "workload logs: cannot read directory {} for {}: {e}",
                        dir.display(),
                        spec.key
                    ));
                }
            }
            for p in found {
                if skip_name(&p) {
                    continue;
                }
                if let Ok(m) = std::fs::metadata(&p) {
                    seen.push((i, p, m));
                }
            }
        }
        for (i, p, m) in seen {
            let key = (m.dev(), m.ino());
            if let Some(t) = self.files.get_mut(&key) {
                t.present = true;
                t.path = p;
                continue;
            }
            if self.files.len() >= MAX_OPEN {
                continue;
            }
            self.open(i, &p, pass);
        }
        // After a restart: a checkpointed file renamed away from every pattern while the
        // agent was down is looked for beside its old path and read to its end.
        if std::mem::take(&mut self.first_discovery) {
            let lost: Vec<FileMark> = self
                .marks
                .values()
                .filter(|m| !self.files.contains_key(&(m.dev, m.ino)))
                .cloned()
                .collect();
            for m in lost {
                let Some(spec) = self.specs.iter().position(|s| s.key == m.source) else {
                    // A source no longer configured.
                    self.marks.remove(&(m.dev, m.ino));
                    continue;
                };
                match find_inode(&m.path, m.dev, m.ino) {
                    Some(p) if self.files.len() < MAX_OPEN => {
                        self.open(spec, &p, pass);
                        if let Some(t) = self.files.get_mut(&(m.dev, m.ino)) {
                            t.present = false;
                        }
                    }
                    Some(_) => {}
                    // Deleted while the agent was down: nothing left to read.
                    None => {
                        self.marks.remove(&(m.dev, m.ino));
                    }
                }
            }
        }
    }

    fn open(&mut self, spec: usize, path: &Path, pass: &mut Pass) {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                if self.reported.insert(path.to_path_buf()) {
                    pass.notices.push(format!(
                        "workload logs: cannot open {}: {e} (skipped until it can be read)",
                        path.display()
                    ));
                }
                return;
            }
        };
        let Ok(meta) = file.metadata() else { return };
        let (dev, ino) = (meta.dev(), meta.ino());
        let Some(spec_def) = self.specs.get(spec) else {
            return;
        };
        let source = spec_def.key.clone();
        let fp = file_fingerprint(&file);
        let mut mark = match self.marks.remove(&(dev, ino)) {
            Some(m) if m.source == source => m,
            _ => FileMark {
                dev,
                ino,
                source: source.clone(),
                path: path.to_path_buf(),
                generation: 0,
                fingerprint: 0,
                truncations: 0,
                offset: 0,
                skipping: false,
                touched: unix_now(),
            },
        };
        mark.path = path.to_path_buf();
        if mark.fingerprint != 0 && (meta.len() < mark.offset || fp != mark.fingerprint) {
            // Shrunk or rewritten while nobody watched: a new generation from the start.
            self.retire(mark.clone());
            mark = FileMark {
                truncations: mark.truncations + 1,
                generation: 0,
                fingerprint: 0,
                offset: 0,
                skipping: false,
                ..mark
            };
        }
        if mark.fingerprint == 0 && fp != 0 {
            // A copy of a file being read (copytruncate) continues its generation.
            if let Some(orig) = self.copy_of(&file, &source, fp, meta.len()) {
                mark.fingerprint = orig.fingerprint;
                mark.generation = orig.generation;
                mark.offset = orig.offset;
                mark.skipping = orig.skipping;
            }
        }
        let origin = self.origin(spec, path);
        let origin = super::Shared::new(
            &origin.service,
            origin.container_id.as_deref(),
            &self.node_id,
            &origin.metadata,
        );
        let mut t = Tracked {
            spec,
            file,
            path: path.to_path_buf(),
            saved: mark.clone(),
            work: mark,
            pos: 0,
            line: Vec::new(),
            line_start: 0,
            skipping: false,
            joins: Vec::new(),
            origin,
            present: true,
            last_data: Instant::now(),
        };
        rewind(&mut t);
        self.files.insert((dev, ino), t);
    }

    /// The mark of a file (open, remembered or truncated) of the same source whose content
    /// starts as `file` does up to that mark's offset: `file` is its copy.
    fn copy_of(&self, file: &File, source: &str, fp: u64, len: u64) -> Option<FileMark> {
        let fits = |m: &FileMark| {
            m.source == source && m.fingerprint == fp && m.offset > 0 && len >= m.offset
        };
        for t in self.files.values() {
            let m = &t.saved;
            if !fits(m) {
                continue;
            }
            // The original still holds that content: the bytes before the mark's offset (at
            // most 64 KiB of them) must be the same. Truncated or rewritten since: the first
            // line decides.
            let size = t.file.metadata().map_or(0, |x| x.len());
            let unchanged = size >= m.offset && file_fingerprint(&t.file) == m.fingerprint;
            let n = m.offset.min(64 * 1024);
            if !unchanged || read_at(file, 0, n) == read_at(&t.file, 0, n) {
                return Some(m.clone());
            }
        }
        self.retired
            .iter()
            .rev()
            .chain(self.marks.values())
            .find(|m| fits(m))
            .cloned()
    }

    fn origin(&mut self, spec: usize, path: &Path) -> Origin {
        let Some(s) = self.specs.get(spec) else {
            return Origin::default();
        };
        let mut meta = serde_json::Map::new();
        meta.insert("log_type".into(), "workload".into());
        meta.insert("path".into(), path.display().to_string().into());
        match s.format {
            Format::Docker => {
                meta.insert("source".into(), "docker".into());
                let id = path
                    .parent()
                    .and_then(|d| d.file_name())
                    .and_then(|n| n.to_str())
                    .filter(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit()))
                    .map(str::to_string);
                let name = id.as_ref().and_then(|id| {
                    self.names.get(&ContainerId {
                        runtime: Runtime::Docker,
                        id: id.clone(),
                    })
                });
                if let Some(n) = &name {
                    meta.insert("container_name".into(), n.clone().into());
                }
                meta.insert("container_runtime".into(), "docker".into());
                Origin {
                    service: name
                        .clone()
                        .or_else(|| id.as_ref().map(|i| i[..12].to_string()))
                        .unwrap_or_else(|| "docker".into()),
                    container_id: id,
                    metadata: meta,
                }
            }
            Format::Cri => {
                meta.insert("source".into(), "cri".into());
                // <root>/<ns>_<pod>_<uid>/<container>/<n>.log
                let container = path
                    .parent()
                    .and_then(|d| d.file_name())
                    .and_then(|n| n.to_str())
                    .unwrap_or("")
                    .to_string();
                let pod_dir = path
                    .parent()
                    .and_then(Path::parent)
                    .and_then(|d| d.file_name())
                    .and_then(|n| n.to_str())
                    .unwrap_or("");
                let mut parts = pod_dir.splitn(3, '_');
                let (ns, pod, uid) = (
                    parts.next().unwrap_or(""),
                    parts.next().unwrap_or(""),
                    parts.next().unwrap_or(""),
                );
                for (k, v) in [
                    ("namespace", ns),
                    ("pod", pod),
                    ("pod_uid", uid),
                    ("container_name", container.as_str()),
                ] {
                    if !v.is_empty() {
                        meta.insert(k.into(), v.into());
                    }
                }
                let id = s
                    .links
                    .as_deref()
                    .and_then(|l| cri_container_id(l, pod, ns, &container, path));
                Origin {
                    service: if container.is_empty() {
                        "cri".into()
                    } else {
                        container.clone()
                    },
                    container_id: id,
                    metadata: meta,
                }
            }
            Format::Plain => {
                meta.insert("source".into(), "file".into());
                Origin {
                    container_id: None,
                    service: path
                        .file_stem()
                        .and_then(|n| n.to_str())
                        .unwrap_or("file")
                        .to_string(),
                    metadata: meta,
                }
            }
        }
    }

    /// Read what is new in every open file into `pass`.
    /// At most `budget` bytes in all, so that one pass fits the buffer.
    pub fn read(&mut self, pass: &mut Pass, stats: &Stats, budget: u64) {
        let keys: Vec<(u64, u64)> = self.files.keys().copied().collect();
        pass.budget = budget;
        let mut closed = Vec::new();
        for k in keys {
            let Some(mut t) = self.files.remove(&k) else {
                continue;
            };
            let format = self.specs.get(t.spec).map_or(Format::Plain, |s| s.format);
            let (done, retired) = self.read_one(&mut t, format, pass, stats);
            if let Some(m) = retired {
                self.retire(m);
            }
            if done {
                closed.push(t);
            } else {
                self.files.insert(k, t);
            }
        }
        for t in closed {
            // A deleted file is forgotten; one renamed away keeps its mark (it may be found
            // again by a pattern).
            let deleted = t.file.metadata().map_or(true, |m| m.nlink() == 0);
            if !deleted {
                self.marks.insert((t.work.dev, t.work.ino), t.work);
            }
        }
    }

    /// Read one file: whether it is finished (gone from its path and read to its end), and
    /// the generation a truncation ended.
    fn read_one(
        &self,
        t: &mut Tracked,
        format: Format,
        pass: &mut Pass,
        stats: &Stats,
    ) -> (bool, Option<FileMark>) {
        let Ok(meta) = t.file.metadata() else {
            return (false, None);
        };
        let size = meta.len();
        let mut retired = None;
        if size < t.pos {
            retired = Some(t.saved.clone());
            // Truncated (copytruncate): a new generation from the start.
            t.work = FileMark {
                truncations: t.work.truncations + 1,
                generation: 0,
                fingerprint: 0,
                offset: 0,
                skipping: false,
                ..t.work.clone()
            };
            t.pos = 0;
            t.line.clear();
            t.line_start = 0;
            t.skipping = false;
            t.joins.clear();
        }
        if size == t.pos {
            let gone = !t.present || meta.nlink() == 0;
            let done = gone && t.joins.is_empty() && t.last_data.elapsed() >= DRAIN_GRACE;
            return (done, retired);
        }
        if t.file.seek(SeekFrom::Start(t.pos)).is_err() {
            return (false, retired);
        }
        let want = (size - t.pos).min(READ_PER_FILE).min(pass.budget.max(1));
        pass.budget = pass.budget.saturating_sub(want);
        let mut buf = Vec::with_capacity(want as usize);
        if (&mut t.file).take(want).read_to_end(&mut buf).is_err() || buf.is_empty() {
            return (false, retired);
        }
        if size - t.pos > want {
            pass.more = true;
        }
        t.last_data = Instant::now();
        let mut at = t.pos;
        let mut rest = &buf[..];
        while !rest.is_empty() {
            let nl = rest.iter().position(|b| *b == b'\n');
            let (chunk, ended) = match nl {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            let used = chunk.len() + usize::from(ended);
            if t.skipping {
                if ended {
                    t.skipping = false;
                    t.line_start = at + used as u64;
                }
            } else {
                let room = (self.max_line + 1).saturating_sub(t.line.len());
                t.line.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if ended {
                    stats.lines_read.fetch_add(1, Ordering::Relaxed);
                    let line = std::mem::take(&mut t.line);
                    let start = t.line_start;
                    self.line(t, format, start, &line, false, pass, stats);
                    t.line_start = at + used as u64;
                } else if t.line.len() > self.max_line {
                    // An over-long line: its start is shipped now, the rest is skipped.
                    stats.lines_read.fetch_add(1, Ordering::Relaxed);
                    stats.truncated.fetch_add(1, Ordering::Relaxed);
                    let mut line = std::mem::take(&mut t.line);
                    line.truncate(self.max_line);
                    let start = t.line_start;
                    self.line(t, format, start, &line, true, pass, stats);
                    t.skipping = true;
                }
            }
            at += used as u64;
            rest = &rest[used..];
        }
        t.pos = at;
        // The next record to read starts at the oldest unfinished join, else at the current
        // line (or inside a skipped one).
        let (offset, skipping) = match t.joins.iter().map(|j| j.start).min() {
            Some(s) => (s, false),
            None if t.skipping => (t.pos, true),
            None => (t.line_start, false),
        };
        t.work.offset = offset;
        t.work.skipping = skipping;
        t.work.path = t.path.clone();
        t.work.touched = unix_now();
        (false, retired)
    }

    /// One physical line (without its newline) that started at `start`.
    #[allow(clippy::too_many_arguments)]
    fn line(
        &self,
        t: &mut Tracked,
        format: Format,
        start: u64,
        raw: &[u8],
        cut: bool,
        pass: &mut Pass,
        stats: &Stats,
    ) {
        if t.work.fingerprint == 0 {
            // The first line of this generation names it.
            t.work.fingerprint = fingerprint(raw);
            t.work.generation = checkpoint::generation(
                &t.work.source,
                t.work.ino,
                t.work.fingerprint,
                t.work.truncations,
            );
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        match format {
            Format::Plain => {
                self.emit(t, start, raw, None, None, cut, pass, stats);
            }
            Format::Docker => match (cut, parse::docker_line(raw)) {
                (false, Some(d)) => {
                    let (text, complete) = match d.log.strip_suffix('\n') {
                        Some(t) => (t, true),
                        None => (d.log.as_str(), false),
                    };
                    self.join(
                        t,
                        start,
                        &d.stream,
                        &d.time,
                        text.as_bytes(),
                        complete,
                        pass,
                        stats,
                    );
                }
                _ => self.emit(t, start, raw, None, None, cut, pass, stats),
            },
            Format::Cri => match (cut, parse::cri_line(raw)) {
                (false, Some(c)) => {
                    let (stream, time) = (c.stream.to_string(), c.time.to_string());
                    self.join(t, start, &stream, &time, c.content, !c.partial, pass, stats);
                }
                _ => self.emit(t, start, raw, None, None, cut, pass, stats),
            },
        }
    }

    /// A piece of a record of `stream`; complete pieces end it.
    #[allow(clippy::too_many_arguments)]
    fn join(
        &self,
        t: &mut Tracked,
        start: u64,
        stream: &str,
        time: &str,
        piece: &[u8],
        complete: bool,
        pass: &mut Pass,
        stats: &Stats,
    ) {
        let i = match t.joins.iter().position(|j| j.stream == stream) {
            Some(i) => i,
            None => {
                t.joins.push(Join {
                    stream: stream.to_string(),
                    start,
                    time: time.to_string(),
                    content: Vec::new(),
                    truncated: false,
                });
                t.joins.len() - 1
            }
        };
        let j = &mut t.joins[i];
        let room = self.max_line.saturating_sub(j.content.len());
        if piece.len() > room {
            j.truncated = true;
        }
        j.content.extend_from_slice(&piece[..piece.len().min(room)]);
        if complete {
            let j = t.joins.remove(i);
            if j.truncated {
                stats.truncated.fetch_add(1, Ordering::Relaxed);
            }
            self.emit(
                t,
                j.start,
                &j.content,
                Some(&j.stream),
                Some(&j.time),
                j.truncated,
                pass,
                stats,
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &self,
        t: &Tracked,
        offset: u64,
        text: &[u8],
        stream: Option<&str>,
        time: Option<&str>,
        cut: bool,
        pass: &mut Pass,
        stats: &Stats,
    ) {
        let lossy;
        let (message, invalid_utf8) = match std::str::from_utf8(text) {
            Ok(s) => (s, false),
            Err(_) => {
                stats.invalid_utf8.fetch_add(1, Ordering::Relaxed);
                lossy = String::from_utf8_lossy(text);
                (&*lossy, true)
            }
        };
        let timestamp = time.and_then(parse::timestamp);
        let line = super::Line {
            message,
            timestamp: timestamp.as_deref(),
            stream,
            truncated: cut,
            invalid_utf8,
        };
        super::push_line(
            pass,
            checkpoint::doc_id(t.work.generation, offset),
            &t.origin,
            &line,
        );
    }

    /// The pass was buffered: what was read is durable now.
    pub fn commit(&mut self) {
        for t in self.files.values_mut() {
            t.saved = t.work.clone();
        }
    }

    /// The pass could not be buffered: read it again next time.
    pub fn rollback(&mut self) {
        for t in self.files.values_mut() {
            t.work = t.saved.clone();
            rewind(t);
        }
    }
}

/// Put a file's reading back at its durable mark.
fn rewind(t: &mut Tracked) {
    t.work = t.saved.clone();
    t.pos = t.saved.offset;
    t.line.clear();
    t.line_start = t.saved.offset;
    t.skipping = t.saved.skipping;
    t.joins.clear();
}

/// The fingerprint of a generation: a hash of its first line, or of the first
/// [`FINGERPRINT_BYTES`] of a longer one (never 0, which means "not known yet").
fn fingerprint(first_line: &[u8]) -> u64 {
    let line = first_line.strip_suffix(b"\r").unwrap_or(first_line);
    fnv(&[&line[..line.len().min(FINGERPRINT_BYTES)]]).max(1)
}

/// The fingerprint of a file as it is now (`0` while its first line is short and unfinished).
fn file_fingerprint(f: &File) -> u64 {
    let Some(head) = read_at(f, 0, FINGERPRINT_BYTES as u64 + 1) else {
        return 0;
    };
    match head.iter().position(|b| *b == b'\n') {
        Some(i) => fingerprint(&head[..i]),
        None if head.len() > FINGERPRINT_BYTES => fingerprint(&head[..FINGERPRINT_BYTES]),
        None => 0,
    }
}

fn read_at(f: &File, at: u64, n: u64) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; n as usize];
    let mut got = 0;
    while got < buf.len() {
        match f.read_at(&mut buf[got..], at + got as u64) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(_) => return None,
        }
    }
    buf.truncate(got);
    Some(buf)
}

/// A file with this device and inode in `old`'s directory.
fn find_inode(old: &Path, dev: u64, ino: u64) -> Option<PathBuf> {
    let dir = old.parent()?;
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .take(10_000)
        .find(|e| {
            e.metadata()
                .is_ok_and(|m| m.is_file() && m.dev() == dev && m.ino() == ino)
        })
        .map(|e| e.path())
}

/// The container id kubelet's symlink `<links>/<pod>_<ns>_<container>-<id>.log` gives for
/// the pod log `target`.
fn cri_container_id(
    links: &Path,
    pod: &str,
    ns: &str,
    container: &str,
    target: &Path,
) -> Option<String> {
    let prefix = format!("{pod}_{ns}_{container}-");
    std::fs::read_dir(links)
        .ok()?
        .filter_map(Result::ok)
        .take(100_000)
        .find_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let id = name
                .strip_prefix(&prefix)?
                .strip_suffix(".log")?
                .to_string();
            let link = std::fs::read_link(e.path()).ok()?;
            let points = link == target
                || link.file_name() == target.file_name()
                    && link.parent().and_then(Path::file_name)
                        == target.parent().and_then(Path::file_name);
            (points && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
        })
}

/// The level a record gets: what the line says, else info.
pub fn line_level(message: &str) -> Level {
    parse::level(message).unwrap_or(Level::Info)
}
