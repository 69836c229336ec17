//! The one place that reads and writes pprof `profile.proto`: a builder for our profiles,
//! gzip, a bounded decoder, and the views the CLI needs (top entries, folded stacks).

use std::collections::HashMap;
use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use prost::Message;
use serde::Serialize;

use super::proto as protos;
use crate::error::{Error, Result};

/// Decoded profiles larger than this are refused: far above anything we write, and it keeps
/// a hostile `--url` answer (a gzip bomb) from exhausting memory.
pub const MAX_DECODED: u64 = 512 * 1024 * 1024;

/// One line of a location: a function, and where in it (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FrameLine {
    pub function: String,
    pub file: String,
    pub line: i64,
}

impl FrameLine {
    /// A frame that is only a name (a process, a mapping, an endpoint).
    pub fn named(name: impl Into<String>) -> Self {
        FrameLine {
            function: name.into(),
            file: String::new(),
            line: 0,
        }
    }
}

/// A mapped file of a process, as pprof's `Mapping`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MappingSpec {
    pub start: u64,
    pub limit: u64,
    pub offset: u64,
    pub file: String,
    pub build_id: String,
    pub has_functions: bool,
    pub has_lines: bool,
}

/// A label value on a sample.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LabelValue {
    Str(String),
    Num(i64, &'static str),
}

/// A sample's stack (location ids, leaf first) and labels.
type SampleKey = (Vec<u64>, Vec<(String, LabelValue)>);

/// Builds a profile: strings, functions and locations are deduplicated, samples with the
/// same stack and labels are summed.
pub struct Builder {
    strings: Vec<String>,
    string_ids: HashMap<String, i64>,
    functions: HashMap<(String, String), u64>,
    function_list: Vec<protos::Function>,
    locations: HashMap<LocationKey, u64>,
    location_list: Vec<protos::Location>,
    mappings: HashMap<MappingSpec, u64>,
    mapping_list: Vec<protos::Mapping>,
    samples: HashMap<SampleKey, Vec<i64>>,
    sample_types: Vec<protos::ValueType>,
    comments: Vec<i64>,
    profile: protos::Profile,
}

/// What makes two locations the same: the caller's key (e.g. pid and address) or, for
/// named frames, the lines themselves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum LocationKey {
    Address(u64, u64),
    Named(Vec<FrameLine>),
}

impl Builder {
    /// A profile whose samples carry one value per `(type, unit)` in `sample_types`.
    pub fn new(sample_types: &[(&str, &str)]) -> Self {
        let mut b = Builder {
            strings: Vec::new(),
            string_ids: HashMap::new(),
            functions: HashMap::new(),
            function_list: Vec::new(),
            locations: HashMap::new(),
            location_list: Vec::new(),
            mappings: HashMap::new(),
            mapping_list: Vec::new(),
            samples: HashMap::new(),
            sample_types: Vec::new(),
            comments: Vec::new(),
            profile: protos::Profile::default(),
        };
        // pprof requires the empty string at index 0.
        b.string("");
        b.sample_types = sample_types
            .iter()
            .map(|(ty, unit)| protos::ValueType {
                ty: b.string(ty),
                unit: b.string(unit),
            })
            .collect();
        b
    }

    pub fn string(&mut self, s: &str) -> i64 {
        if let Some(id) = self.string_ids.get(s) {
            return *id;
        }
        let id = self.strings.len() as i64;
        self.strings.push(s.to_string());
        self.string_ids.insert(s.to_string(), id);
        id
    }

    /// The sampling period (`cpu/nanoseconds` per sample for CPU profiles).
    pub fn period(&mut self, ty: &str, unit: &str, period: i64) {
        self.profile.period_type = Some(protos::ValueType {
            ty: self.string(ty),
            unit: self.string(unit),
        });
        self.profile.period = period;
    }

    /// When the profile started (Unix nanoseconds) and how long it covered.
    pub fn timing(&mut self, start: std::time::SystemTime, duration: std::time::Duration) {
        self.profile.time_nanos = start
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
        self.profile.duration_nanos = i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX);
    }

    /// The sample type `go tool pprof` shows unless told otherwise.
    pub fn default_sample_type(&mut self, ty: &str) {
        self.profile.default_sample_type = self.string(ty);
    }

    /// A note shown by `go tool pprof -comments` (and in our summary).
    pub fn comment(&mut self, text: &str) {
        let id = self.string(text);
        self.comments.push(id);
    }

    pub fn mapping(&mut self, spec: &MappingSpec) -> u64 {
        if let Some(id) = self.mappings.get(spec) {
            return *id;
        }
        let id = self.mapping_list.len() as u64 + 1;
        let m = protos::Mapping {
            id,
            memory_start: spec.start,
            memory_limit: spec.limit,
            file_offset: spec.offset,
            filename: self.string(&spec.file),
            build_id: self.string(&spec.build_id),
            has_functions: spec.has_functions,
            has_filenames: spec.has_lines,
            has_line_numbers: spec.has_lines,
            has_inline_frames: spec.has_lines,
        };
        self.mapping_list.push(m);
        self.mappings.insert(spec.clone(), id);
        id
    }

    fn function(&mut self, name: &str, file: &str) -> u64 {
        let key = (name.to_string(), file.to_string());
        if let Some(id) = self.functions.get(&key) {
            return *id;
        }
        let id = self.function_list.len() as u64 + 1;
        let f = protos::Function {
            id,
            name: self.string(name),
            system_name: self.string(name),
            filename: self.string(file),
            start_line: 0,
        };
        self.function_list.push(f);
        self.functions.insert(key, id);
        id
    }

    /// A code location: `key` identifies it (two calls with the same key return the same id),
    /// `lines` go innermost (inlined) first, as pprof wants.
    pub fn location(
        &mut self,
        key: (u64, u64),
        mapping: u64,
        address: u64,
        lines: &[FrameLine],
    ) -> u64 {
        let k = LocationKey::Address(key.0, key.1);
        if let Some(id) = self.locations.get(&k) {
            return *id;
        }
        self.new_location(k, mapping, address, lines)
    }

    /// A location that is only a name (process, mapping, endpoint, thread).
    pub fn frame(&mut self, name: &str) -> u64 {
        self.frame_lines(vec![FrameLine::named(name)])
    }

    /// A location known by its lines only (innermost first), with no address: frames that
    /// were symbolised where they were sampled.
    pub fn frame_lines(&mut self, lines: Vec<FrameLine>) -> u64 {
        let k = LocationKey::Named(lines);
        if let Some(id) = self.locations.get(&k) {
            return *id;
        }
        let lines = match &k {
            LocationKey::Named(l) => l.clone(),
            LocationKey::Address(..) => Vec::new(),
        };
        self.new_location(k, 0, 0, &lines)
    }

    fn new_location(
        &mut self,
        key: LocationKey,
        mapping: u64,
        address: u64,
        lines: &[FrameLine],
    ) -> u64 {
        let id = self.location_list.len() as u64 + 1;
        let line = lines
            .iter()
            .map(|l| protos::Line {
                function_id: self.function(&l.function, &l.file),
                line: l.line,
            })
            .collect();
        self.location_list.push(protos::Location {
            id,
            mapping_id: mapping,
            address,
            line,
            is_folded: false,
        });
        self.locations.insert(key, id);
        id
    }

    /// Add `values` (one per sample type) for a stack, leaf first. Samples with the same
    /// stack and labels are summed.
    pub fn sample(&mut self, stack: Vec<u64>, values: &[i64], labels: Vec<(String, LabelValue)>) {
        let slot = self
            .samples
            .entry((stack, labels))
            .or_insert_with(|| vec![0; values.len()]);
        for (s, v) in slot.iter_mut().zip(values) {
            *s = s.saturating_add(*v);
        }
    }

    /// Encode and gzip.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        let mut samples: Vec<_> = self.samples.drain().collect();
        // Deterministic output: the same profile gives the same bytes.
        samples.sort();
        let mut sample = Vec::with_capacity(samples.len());
        for ((location_id, labels), value) in samples {
            let label = labels
                .iter()
                .map(|(k, v)| {
                    let key = self.string(k);
                    match v {
                        LabelValue::Str(s) => protos::Label {
                            key,
                            str: self.string(s),
                            ..Default::default()
                        },
                        LabelValue::Num(n, unit) => protos::Label {
                            key,
                            num: *n,
                            num_unit: self.string(unit),
                            ..Default::default()
                        },
                    }
                })
                .collect();
            sample.push(protos::Sample {
                location_id,
                value,
                label,
            });
        }
        let mut p = self.profile;
        p.sample_type = self.sample_types;
        p.sample = sample;
        p.mapping = self.mapping_list;
        p.location = self.location_list;
        p.function = self.function_list;
        p.string_table = self.strings;
        p.comment = self.comments;
        encode(&p)
    }
}

/// Serialise and gzip a profile.
pub fn encode(p: &protos::Profile) -> Result<Vec<u8>> {
    let raw = p.encode_to_vec();
    let mut gz = GzEncoder::new(Vec::with_capacity(raw.len() / 4), Compression::default());
    gz.write_all(&raw)
        .and_then(|()| gz.finish())
        .map_err(|e| Error::io("compressing the profile", e))
}

/// A decoded profile with the accessors the CLI needs.
pub struct Decoded(protos::Profile);

/// Read a (gzipped or plain) profile. Anything that is not a pprof profile is an error
/// that says what it looked like.
pub fn decode(bytes: &[u8]) -> Result<Decoded> {
    let raw = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(bytes)
            .take(MAX_DECODED + 1)
            .read_to_end(&mut out)
            .map_err(|e| Error::caused("not a gzipped profile", e))?;
        if out.len() as u64 > MAX_DECODED {
            return Err(Error::Other(format!(
                "profile larger than {} when uncompressed",
                crate::model::units::bytes(MAX_DECODED)
            )));
        }
        out
    } else {
        bytes.to_vec()
    };
    // The start of what came instead, redacted before it is cut (an error page may echo a
    // secret, which must not be cut in two and half shown).
    let looks_like = || {
        let margin = bytes.len().min(40 + crate::redact::READ_MARGIN);
        let head: String = crate::redact::redact(&String::from_utf8_lossy(&bytes[..margin]))
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let head = crate::redact::cut(&head, 40);
        format!("not a pprof profile (it starts with {:?})", head.trim())
    };
    let p = protos::Profile::decode(raw.as_slice()).map_err(|_| Error::Other(looks_like()))?;
    if p.string_table.first().is_none_or(|s| !s.is_empty()) || p.sample_type.is_empty() {
        return Err(Error::Other(looks_like()));
    }
    Ok(Decoded(p))
}

/// One row of the summary: a leaf frame with its flat and cumulative values.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct TopEntry {
    pub name: String,
    /// Values where this frame is the leaf, one per sample type.
    pub flat: Vec<i64>,
    /// Values where this frame is anywhere on the stack, one per sample type.
    pub cum: Vec<i64>,
}

impl Decoded {
    fn str(&self, i: i64) -> &str {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.0.string_table.get(i))
            .map_or("", String::as_str)
    }

    /// A string-table entry ("" when out of range).
    pub(super) fn string_at(&self, i: i64) -> &str {
        self.str(i)
    }

    /// The message itself, for the merger.
    pub(super) fn raw(&self) -> &protos::Profile {
        &self.0
    }

    /// A profile built in memory (the merger's).
    pub(super) fn from_raw(p: protos::Profile) -> Decoded {
        Decoded(p)
    }

    /// Serialise and gzip.
    pub fn encode(&self) -> Result<Vec<u8>> {
        encode(&self.0)
    }

    /// `type/unit` of each sample type.
    pub fn sample_types(&self) -> Vec<(String, String)> {
        self.0
            .sample_type
            .iter()
            .map(|t| (self.str(t.ty).to_string(), self.str(t.unit).to_string()))
            .collect()
    }

    /// The index of the sample type `go tool pprof` shows by default: the one named by
    /// `default_sample_type`, else the last.
    pub fn default_index(&self) -> usize {
        let want = self.str(self.0.default_sample_type);
        self.0
            .sample_type
            .iter()
            .position(|t| !want.is_empty() && self.str(t.ty) == want)
            .unwrap_or(self.0.sample_type.len().saturating_sub(1))
    }

    pub fn comments(&self) -> Vec<String> {
        self.0
            .comment
            .iter()
            .map(|c| self.str(*c).to_string())
            .collect()
    }

    pub fn duration(&self) -> std::time::Duration {
        std::time::Duration::from_nanos(u64::try_from(self.0.duration_nanos).unwrap_or(0))
    }

    pub fn sample_count(&self) -> usize {
        self.0.sample.len()
    }

    /// Sum of every sample, one per sample type.
    pub fn totals(&self) -> Vec<i64> {
        let mut t = vec![0i64; self.0.sample_type.len()];
        for s in &self.0.sample {
            for (a, v) in t.iter_mut().zip(&s.value) {
                *a = a.saturating_add(*v);
            }
        }
        t
    }

    /// Frame names of each location, innermost first.
    fn location_names(&self) -> HashMap<u64, Vec<String>> {
        let functions: HashMap<u64, &str> = self
            .0
            .function
            .iter()
            .map(|f| (f.id, self.str(f.name)))
            .collect();
        self.0
            .location
            .iter()
            .map(|l| {
                let names: Vec<String> = if l.line.is_empty() {
                    vec![format!("0x{:x}", l.address)]
                } else {
                    l.line
                        .iter()
                        .map(|line| {
                            functions
                                .get(&line.function_id)
                                .map_or_else(|| "?".to_string(), |n| (*n).to_string())
                        })
                        .collect()
                };
                (l.id, names)
            })
            .collect()
    }

    /// Each sample's stack of frame names, leaf first, with its values.
    fn stacks(&self) -> Vec<(Vec<String>, &[i64])> {
        let names = self.location_names();
        self.0
            .sample
            .iter()
            .map(|s| {
                let stack = s
                    .location_id
                    .iter()
                    .filter_map(|id| names.get(id))
                    .flatten()
                    .cloned()
                    .collect();
                (stack, s.value.as_slice())
            })
            .collect()
    }

    /// The `n` frames with the largest flat value of sample type `index`, like
    /// `go tool pprof -top`.
    pub fn top(&self, index: usize, n: usize) -> Vec<TopEntry> {
        let width = self.0.sample_type.len();
        let names = self.location_names();
        // Borrowed names: a merged fleet profile has millions of frames in its samples.
        let mut by_name: HashMap<&str, (Vec<i64>, Vec<i64>)> = HashMap::new();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for s in &self.0.sample {
            seen.clear();
            let mut depth = 0usize;
            for id in &s.location_id {
                let Some(frames) = names.get(id) else {
                    continue;
                };
                for name in frames {
                    let (flat, cum) = by_name
                        .entry(name.as_str())
                        .or_insert_with(|| (vec![0; width], vec![0; width]));
                    if depth == 0 {
                        for (a, v) in flat.iter_mut().zip(&s.value) {
                            *a = a.saturating_add(*v);
                        }
                    }
                    // Recursion counts once towards the cumulative value.
                    if seen.insert(name.as_str()) {
                        for (a, v) in cum.iter_mut().zip(&s.value) {
                            *a = a.saturating_add(*v);
                        }
                    }
                    depth += 1;
                }
            }
        }
        let mut rows: Vec<TopEntry> = by_name
            .into_iter()
            .map(|(name, (flat, cum))| TopEntry {
                name: name.to_string(),
                flat,
                cum,
            })
            .collect();
        let key = |e: &TopEntry| {
            (
                e.flat.get(index).copied().unwrap_or(0),
                e.cum.get(index).copied().unwrap_or(0),
            )
        };
        rows.sort_by(|a, b| key(b).cmp(&key(a)).then_with(|| a.name.cmp(&b.name)));
        rows.retain(|e| key(e) != (0, 0));
        rows.truncate(n);
        rows
    }

    /// Stacks in the folded format flame graph tools read (`root;…;leaf value`), with the
    /// values of sample type `index`; zero-valued stacks are left out.
    pub fn folded(&self, index: usize) -> Vec<String> {
        let mut sums: HashMap<String, i64> = HashMap::new();
        for (stack, values) in self.stacks() {
            let v = values.get(index).copied().unwrap_or(0);
            if v <= 0 {
                continue;
            }
            let line = stack
                .iter()
                .rev()
                // `;` separates frames in this format (the count follows the last space).
                .map(|n| n.replace(';', ":"))
                .collect::<Vec<_>>()
                .join(";");
            let slot = sums.entry(line).or_insert(0);
            *slot = slot.saturating_add(v);
        }
        let mut lines: Vec<String> = sums.into_iter().map(|(s, v)| format!("{s} {v}")).collect();
        lines.sort();
        lines
    }

    /// Append notes to the profile's comments and re-encode it (for profiles we did not
    /// build, such as pprof-rs's).
    pub fn with_comments(mut self, notes: &[String]) -> Result<Vec<u8>> {
        for n in notes {
            let id = self.0.string_table.len() as i64;
            self.0.string_table.push(n.clone());
            self.0.comment.push(id);
        }
        encode(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_profile() -> Vec<u8> {
        let mut b = Builder::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
        b.period("cpu", "nanoseconds", 10);
        b.comment("a note");
        let main = b.frame("main");
        let spin = b.frame("spin");
        let idle = b.frame("idle");
        b.sample(vec![spin, main], &[3, 30], vec![]);
        b.sample(vec![spin, main], &[1, 10], vec![]);
        b.sample(
            vec![idle, main],
            &[1, 10],
            vec![("thread".into(), LabelValue::Str("t".into()))],
        );
        b.finish().unwrap()
    }

    #[test]
    fn builds_decodes_and_summarises() {
        let bytes = sample_profile();
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "gzipped");
        let d = decode(&bytes).unwrap();
        assert_eq!(
            d.sample_types(),
            [
                ("samples".into(), "count".into()),
                ("cpu".into(), "nanoseconds".into())
            ]
        );
        assert_eq!(d.default_index(), 1);
        assert_eq!(d.totals(), [5, 50]);
        assert_eq!(d.comments(), ["a note"]);
        let top = d.top(1, 10);
        assert_eq!(top[0].name, "spin");
        assert_eq!(top[0].flat, [4, 40]);
        assert_eq!(top[1].name, "idle");
        // main is never a leaf but has the whole cumulative value.
        assert_eq!(top[2].name, "main");
        assert_eq!(top[2].cum, [5, 50]);
        assert_eq!(d.folded(1), ["main;idle 10", "main;spin 40"]);
    }

    #[test]
    fn identical_input_gives_identical_bytes() {
        assert_eq!(sample_profile(), sample_profile());
    }

    #[test]
    fn refuses_what_is_not_a_profile() {
        let e = decode(b"<html>404 page not found</html>").err().unwrap();
        assert!(e.to_string().contains("not a pprof profile"), "{e}");
        assert!(decode(&[0x1f, 0x8b, 0, 1, 2]).is_err());
        assert!(decode(b"").is_err());
    }
}
