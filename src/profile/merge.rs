//! Several pprof profiles as one: the fleet's profiles merged with a `node` label on every
//! sample (`profile … --merge`), and the difference against a baseline (`--diff-base`).
//!
//! Semantics follow pprof's own merge (`profile.Merge`) and its `-diff_base` option: the
//! string table, functions, mappings and locations are deduplicated across the inputs;
//! samples with the same stack and labels are added up; a baseline's samples are negated and
//! carry the label `pprof::base=true`, which `go tool pprof` reads to take its percentages
//! against the baseline's total, as it does for `-diff_base`.

use std::collections::HashMap;

use super::pprof::Decoded;
use super::proto as protos;
use crate::error::{Error, Result};

/// The label pprof puts on a baseline's (negated) samples.
pub const BASE_LABEL: &str = "pprof::base";

/// One input: a profile, the labels to put on each of its samples (replacing any with the
/// same key), a sign (`-1` for a baseline), and the name used in comments and errors.
pub struct Input<'a> {
    pub name: &'a str,
    pub profile: &'a Decoded,
    pub labels: Vec<(&'a str, &'a str)>,
    pub negate: bool,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct MappingKey {
    start: u64,
    limit: u64,
    offset: u64,
    file: i64,
    build_id: i64,
    flags: [bool; 4],
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct LocationKey {
    mapping: u64,
    address: u64,
    lines: Vec<(u64, i64)>,
    folded: bool,
}

/// No next sample in a hash chain.
const NONE: usize = usize::MAX;

/// Builds the merged profile; inputs are added in order, so the output is the same for the
/// same inputs.
struct Merger {
    out: protos::Profile,
    types: Vec<(String, String)>,
    strings: HashMap<String, i64>,
    functions: HashMap<(i64, i64, i64, i64), u64>,
    mappings: HashMap<MappingKey, u64>,
    locations: HashMap<LocationKey, u64>,
    /// Samples by a hash of their stack and labels: the first index of each chain, and for
    /// each sample the next one with the same hash. The stacks are stored once, in `out`.
    heads: HashMap<u64, usize>,
    next: Vec<usize>,
    comments: Vec<String>,
    /// The first input's header has been copied.
    headed: bool,
    start: Option<i64>,
    end: i64,
}

impl Merger {
    fn new(types: Vec<(String, String)>) -> Self {
        let mut m = Merger {
            out: protos::Profile::default(),
            types: types.clone(),
            strings: HashMap::new(),
            functions: HashMap::new(),
            mappings: HashMap::new(),
            locations: HashMap::new(),
            heads: HashMap::new(),
            next: Vec::new(),
            comments: Vec::new(),
            headed: false,
            start: None,
            end: 0,
        };
        m.string("");
        m.out.sample_type = types
            .iter()
            .map(|(t, u)| protos::ValueType {
                ty: m.string(t),
                unit: m.string(u),
            })
            .collect();
        m
    }

    fn string(&mut self, s: &str) -> i64 {
        if let Some(i) = self.strings.get(s) {
            return *i;
        }
        let i = self.out.string_table.len() as i64;
        self.out.string_table.push(s.to_string());
        self.strings.insert(s.to_string(), i);
        i
    }

    fn add(&mut self, input: &Input<'_>) -> Result<()> {
        let p = input.profile.raw();
        let types = input.profile.sample_types();
        if types != self.types {
            let show = |t: &[(String, String)]| {
                t.iter()
                    .map(|(a, b)| format!("{a}/{b}"))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            return Err(Error::Other(format!(
                "{}: its sample types ({}) differ from the first profile's ({}); only profiles of the same kind can be combined",
                input.name,
                show(&types),
                show(&self.types)
            )));
        }
        let s = |i: i64| input.profile.string_at(i).to_string();
        // Strings, functions and mappings, renumbered into the output.
        let mut function_ids: HashMap<u64, u64> = HashMap::with_capacity(p.function.len());
        for f in &p.function {
            let key = (
                self.string(&s(f.name)),
                self.string(&s(f.system_name)),
                self.string(&s(f.filename)),
                f.start_line,
            );
            let next = self.out.function.len() as u64 + 1;
            let id = *self.functions.entry(key).or_insert(next);
            if id == next {
                self.out.function.push(protos::Function {
                    id,
                    name: key.0,
                    system_name: key.1,
                    filename: key.2,
                    start_line: key.3,
                });
            }
            function_ids.insert(f.id, id);
        }
        let mut mapping_ids: HashMap<u64, u64> = HashMap::with_capacity(p.mapping.len());
        for m in &p.mapping {
            let key = MappingKey {
                start: m.memory_start,
                limit: m.memory_limit,
                offset: m.file_offset,
                file: self.string(&s(m.filename)),
                build_id: self.string(&s(m.build_id)),
                flags: [
                    m.has_functions,
                    m.has_filenames,
                    m.has_line_numbers,
                    m.has_inline_frames,
                ],
            };
            let next = self.out.mapping.len() as u64 + 1;
            let id = *self.mappings.entry(key.clone()).or_insert(next);
            if id == next {
                self.out.mapping.push(protos::Mapping {
                    id,
                    memory_start: key.start,
                    memory_limit: key.limit,
                    file_offset: key.offset,
                    filename: key.file,
                    build_id: key.build_id,
                    has_functions: key.flags[0],
                    has_filenames: key.flags[1],
                    has_line_numbers: key.flags[2],
                    has_inline_frames: key.flags[3],
                });
            }
            mapping_ids.insert(m.id, id);
        }
        let mut location_ids: HashMap<u64, u64> = HashMap::with_capacity(p.location.len());
        for l in &p.location {
            let key = LocationKey {
                mapping: mapping_ids.get(&l.mapping_id).copied().unwrap_or(0),
                address: l.address,
                lines: l
                    .line
                    .iter()
                    .map(|line| {
                        (
                            function_ids.get(&line.function_id).copied().unwrap_or(0),
                            line.line,
                        )
                    })
                    .collect(),
                folded: l.is_folded,
            };
            let next = self.out.location.len() as u64 + 1;
            let id = *self.locations.entry(key.clone()).or_insert(next);
            if id == next {
                self.out.location.push(protos::Location {
                    id,
                    mapping_id: key.mapping,
                    address: key.address,
                    line: key
                        .lines
                        .iter()
                        .map(|(f, line)| protos::Line {
                            function_id: *f,
                            line: *line,
                        })
                        .collect(),
                    is_folded: key.folded,
                });
            }
            location_ids.insert(l.id, id);
        }
        // Samples: renumbered stacks, the input's labels replacing any with the same key.
        let extra: Vec<(i64, i64)> = input
            .labels
            .iter()
            .map(|(k, v)| (self.string(k), self.string(v)))
            .collect();
        let sign = if input.negate { -1 } else { 1 };
        for sample in &p.sample {
            let stack: Vec<u64> = sample
                .location_id
                .iter()
                .map(|id| location_ids.get(id).copied().unwrap_or(0))
                .collect();
            let mut labels: Vec<(i64, i64, i64, i64)> = Vec::with_capacity(sample.label.len());
            for l in &sample.label {
                let key = self.string(&s(l.key));
                if extra.iter().any(|(k, _)| *k == key) {
                    continue;
                }
                let str = if l.str != 0 {
                    self.string(&s(l.str))
                } else {
                    0
                };
                let unit = if l.num_unit != 0 {
                    self.string(&s(l.num_unit))
                } else {
                    0
                };
                labels.push((key, str, l.num, unit));
            }
            labels.extend(extra.iter().map(|(k, v)| (*k, *v, 0, 0)));
            labels.sort_unstable();
            let values: Vec<i64> = sample
                .value
                .iter()
                .map(|v| v.saturating_mul(sign))
                .collect();
            let labels: Vec<protos::Label> = labels
                .into_iter()
                .map(|(key, str, num, num_unit)| protos::Label {
                    key,
                    str,
                    num,
                    num_unit,
                })
                .collect();
            let hash = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                stack.hash(&mut h);
                for l in &labels {
                    (l.key, l.str, l.num, l.num_unit).hash(&mut h);
                }
                h.finish()
            };
            let mut at = self.heads.get(&hash).copied().unwrap_or(NONE);
            while at != NONE {
                let o = &self.out.sample[at];
                if o.location_id == stack && o.label == labels {
                    break;
                }
                at = self.next[at];
            }
            if at == NONE {
                let index = self.out.sample.len();
                self.next
                    .push(self.heads.insert(hash, index).unwrap_or(NONE));
                self.out.sample.push(protos::Sample {
                    location_id: stack,
                    value: values,
                    label: labels,
                });
            } else {
                for (a, v) in self.out.sample[at].value.iter_mut().zip(&values) {
                    *a = a.saturating_add(*v);
                }
            }
        }
        // The header: the first input's period and default type, the union of the windows.
        if !self.headed {
            self.headed = true;
            if let Some(pt) = p.period_type {
                self.out.period_type = Some(protos::ValueType {
                    ty: self.string(&s(pt.ty)),
                    unit: self.string(&s(pt.unit)),
                });
            }
            self.out.default_sample_type = self.string(&s(p.default_sample_type));
            self.out.drop_frames = self.string(&s(p.drop_frames));
            self.out.keep_frames = self.string(&s(p.keep_frames));
        }
        self.out.period = self.out.period.max(p.period);
        if p.time_nanos > 0 {
            self.start = Some(self.start.map_or(p.time_nanos, |t| t.min(p.time_nanos)));
            self.end = self.end.max(p.time_nanos.saturating_add(p.duration_nanos));
        }
        for c in &p.comment {
            let text = if input.name.is_empty() {
                s(*c)
            } else {
                format!("{}: {}", input.name, s(*c))
            };
            if !self.comments.contains(&text) {
                self.comments.push(text);
            }
        }
        Ok(())
    }

    fn finish_profile(mut self, notes: &[String]) -> protos::Profile {
        if let Some(start) = self.start {
            self.out.time_nanos = start;
            self.out.duration_nanos = self.end.saturating_sub(start);
        }
        let comments: Vec<String> = notes.iter().cloned().chain(self.comments.clone()).collect();
        for c in comments {
            let i = self.string(&c);
            self.out.comment.push(i);
        }
        self.out
    }
}

/// Merges nodes' profiles one at a time, so that only the merged result and the profile
/// being added are in memory.
#[derive(Default)]
pub struct NodeMerger {
    merger: Option<Merger>,
    names: Vec<String>,
}

impl NodeMerger {
    pub fn new() -> Self {
        NodeMerger::default()
    }

    /// Add `profile`, its samples labelled `node=<node>`.
    pub fn add(&mut self, node: &str, profile: &Decoded) -> Result<()> {
        let m = self
            .merger
            .get_or_insert_with(|| Merger::new(profile.sample_types()));
        m.add(&Input {
            name: node,
            profile,
            labels: vec![("node", node)],
            negate: false,
        })?;
        self.names.push(node.to_string());
        Ok(())
    }

    /// The merged profile, to summarise before (or instead of) encoding it.
    pub fn finish_decoded(self) -> Result<Decoded> {
        let Some(m) = self.merger else {
            return Err(Error::Other("no profile to merge".into()));
        };
        // The names, up to a bound (a comment is a string in the profile).
        let mut names = self
            .names
            .iter()
            .take(64)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if self.names.len() > 64 {
            names.push_str(&format!(" and {} more", self.names.len() - 64));
        }
        Ok(Decoded::from_raw(m.finish_profile(&[format!(
            "merged from {} profiles; each sample's node label names its source: {names}",
            self.names.len()
        )])))
    }
}

/// `bytes` with `labels` on every sample (replacing any with the same key): a container's
/// profile says which container it is.
pub fn relabel(bytes: &[u8], labels: &[(&str, &str)]) -> Result<Vec<u8>> {
    let p = super::pprof::decode(bytes)?;
    let mut m = Merger::new(p.sample_types());
    m.add(&Input {
        name: "",
        profile: &p,
        labels: labels.to_vec(),
        negate: false,
    })?;
    Decoded::from_raw(m.finish_profile(&[])).encode()
}

/// Merge the profiles of several nodes into one whose samples carry `node=<name>`.
#[cfg(test)]
fn merge_nodes(parts: &[(String, Decoded)]) -> Result<Vec<u8>> {
    let mut m = NodeMerger::new();
    for (node, p) in parts {
        m.add(node, p)?;
    }
    m.finish_decoded()?.encode()
}

/// `profile` minus `base`, as `go tool pprof -diff_base base profile` computes it: the
/// baseline's samples negated and labelled `pprof::base=true`.
pub fn diff_decoded(profile: &Decoded, base: &Decoded, base_name: &str) -> Result<Decoded> {
    let mut m = Merger::new(profile.sample_types());
    m.add(&Input {
        name: "",
        profile,
        labels: Vec::new(),
        negate: false,
    })?;
    let label = format!("baseline {base_name}");
    m.add(&Input {
        name: &label,
        profile: base,
        labels: vec![(BASE_LABEL, "true")],
        negate: true,
    })
    .map_err(|e| e.context("--diff-base"))?;
    Ok(Decoded::from_raw(m.finish_profile(&[format!(
        "difference against the baseline {base_name}: its samples are negated and labelled {BASE_LABEL}=true (go tool pprof -diff_base)"
    )])))
}

#[cfg(test)]
mod tests {
    use super::super::pprof::{Builder, LabelValue, decode};
    use super::*;

    fn profile(frames: &[(&str, i64)], pid: i64) -> Decoded {
        let mut b = Builder::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
        b.period("cpu", "nanoseconds", 10);
        b.comment("taken for a test");
        let main = b.frame("main");
        for (name, n) in frames {
            let f = b.frame(name);
            b.sample(
                vec![f, main],
                &[*n, n * 10],
                vec![("pid".into(), LabelValue::Num(pid, ""))],
            );
        }
        decode(&b.finish().unwrap()).unwrap()
    }

    #[test]
    fn merging_keeps_each_node_apart_and_the_totals_whole() {
        let parts = vec![
            ("a".to_string(), profile(&[("spin", 3), ("idle", 1)], 7)),
            ("b".to_string(), profile(&[("spin", 5)], 7)),
            ("c".to_string(), profile(&[("other", 2)], 9)),
        ];
        let merged = decode(&merge_nodes(&parts).unwrap()).unwrap();
        assert_eq!(merged.totals(), [11, 110]);
        // One `main` and one `spin` function, whatever the number of nodes.
        let raw = merged.raw();
        assert_eq!(raw.function.len(), 4);
        assert_eq!(raw.location.len(), 4);
        // Every sample carries its node and keeps its pid.
        for s in &raw.sample {
            let keys: Vec<&str> = s.label.iter().map(|l| merged.string_at(l.key)).collect();
            assert!(keys.contains(&"node") && keys.contains(&"pid"), "{keys:?}");
        }
        let top = merged.top(1, 10);
        assert_eq!(top[0].name, "spin");
        assert_eq!(top[0].flat, [8, 80]);
        let main = top.iter().find(|e| e.name == "main").unwrap();
        assert_eq!(main.cum, [11, 110]);
        assert!(merged.comments()[0].contains("a, b, c"));
        // Merging the same input twice is deterministic.
        assert_eq!(merge_nodes(&parts).unwrap(), merge_nodes(&parts).unwrap());
    }

    #[test]
    fn relabelling_keeps_the_profile_and_adds_the_label() {
        let mut b = Builder::new(&[("space", "bytes"), ("rss", "bytes")]);
        b.default_sample_type("rss");
        b.comment("a note");
        let f = b.frame("alloc");
        b.sample(vec![f], &[4096, 8192], vec![]);
        let bytes = b.finish().unwrap();
        let before = decode(&bytes).unwrap();
        let after = decode(&relabel(&bytes, &[("container", "web")]).unwrap()).unwrap();
        assert_eq!(after.totals(), before.totals());
        assert_eq!(after.default_index(), 1, "the default sample type survives");
        assert_eq!(after.comments(), ["a note"]);
        let raw = after.raw();
        let l = &raw.sample[0].label[0];
        assert_eq!(
            (after.string_at(l.key), after.string_at(l.str)),
            ("container", "web")
        );
    }

    #[test]
    fn identical_samples_of_one_node_are_added_up() {
        let parts = vec![("a".to_string(), profile(&[("spin", 3), ("spin", 4)], 7))];
        let merged = decode(&merge_nodes(&parts).unwrap()).unwrap();
        assert_eq!(merged.raw().sample.len(), 1);
        assert_eq!(merged.totals(), [7, 70]);
    }

    #[test]
    fn a_diff_shows_growth_positive_and_shrinkage_negative() {
        let base = profile(&[("old_hot", 90), ("steady", 10)], 1);
        let now = profile(&[("new_hot", 80), ("steady", 10)], 2);
        let d = diff_decoded(&now, &base, "base.prof").unwrap();
        let top = d.top(0, 10);
        let flat = |n: &str| top.iter().find(|e| e.name == n).map(|e| e.flat[0]);
        assert_eq!(flat("new_hot"), Some(80));
        assert_eq!(flat("old_hot"), Some(-90));
        assert_eq!(d.totals(), [-10, -100]);
    }

    #[test]
    fn profiles_of_different_kinds_are_refused() {
        let cpu = profile(&[("spin", 1)], 1);
        let mut b = Builder::new(&[("space", "bytes")]);
        let f = b.frame("alloc");
        b.sample(vec![f], &[4096], vec![]);
        let mem = decode(&b.finish().unwrap()).unwrap();
        let e = merge_nodes(&[("a".into(), cpu), ("b".into(), mem)])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("b: its sample types (space/bytes)"), "{e}");
        assert!(merge_nodes(&[]).is_err());
    }
}
