//! The bounded in-memory history the node evaluates PromQL over: the agent's own series, as
//! Prometheus would have scraped them at each collection.
//!
//! Only the metric names some rule selects are kept, for as long as the longest look-back of
//! any rule (its range or the 5-minute lookback, plus its offset) and never longer than
//! [`MAX_RANGE`](crate::model::expr::MAX_RANGE) (6 h). A series that disappears from a
//! collection gets a staleness marker, as Prometheus's scrape loop writes one, so instant
//! selectors stop seeing it at once instead of 5 minutes later. On top of the time bound,
//! at most [`MAX_SAMPLES`] samples are kept in all: past that the oldest samples of every
//! series are dropped first (the cap costs history, never memory).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::Labels;
use crate::metrics::Family;

/// Prometheus's staleness marker: a NaN with this bit pattern.
pub const STALE_BITS: u64 = 0x7ff0_0000_0000_0002;

/// Whether a stored value is a staleness marker.
pub fn is_stale(v: f64) -> bool {
    v.to_bits() == STALE_BITS
}

/// The most samples kept over all series: 16 bytes each, so 2 Mi samples bound the sample
/// store to 32 MiB (about 580 series over 1 h at a 15 s interval).
pub const MAX_SAMPLES: usize = 2 * 1024 * 1024;

/// Series by label set (the metric name is the `__name__` label).
#[derive(Debug)]
pub struct History {
    series: HashMap<Labels, Vec<(i64, f64)>>,
    /// Metric names kept; `None` keeps every name (tests and `test-rules`).
    names: Option<HashSet<String>>,
    /// How long samples are kept, milliseconds.
    retention_ms: i64,
    samples: usize,
    max_samples: usize,
}

impl Default for History {
    /// Every name, for as long as the longest range allowed.
    fn default() -> Self {
        let max = crate::model::expr::MAX_RANGE.as_millis() as i64;
        History::new(None, max)
    }
}

impl History {
    /// A history keeping `names` (every name when `None`) for `retention_ms`.
    pub fn new(names: Option<HashSet<String>>, retention_ms: i64) -> History {
        History {
            series: HashMap::new(),
            names,
            retention_ms,
            samples: 0,
            max_samples: MAX_SAMPLES,
        }
    }

    /// Keep other names or another retention from now on (rules changed). Series of names
    /// no longer wanted are dropped at once.
    pub fn configure(&mut self, names: Option<HashSet<String>>, retention_ms: i64) {
        if let Some(keep) = &names {
            self.series
                .retain(|l, _| l.get("__name__").is_some_and(|n| keep.contains(n.as_str())));
        }
        self.names = names;
        self.retention_ms = retention_ms;
        self.samples = self.series.values().map(Vec::len).sum();
    }

    #[cfg(test)]
    pub fn with_max_samples(mut self, max: usize) -> History {
        self.max_samples = max;
        self
    }

    fn wants(&self, name: &str) -> bool {
        self.names.as_ref().is_none_or(|n| n.contains(name))
    }

    /// Add one sample (times in Unix milliseconds, non-decreasing per series).
    pub fn push(&mut self, labels: Labels, t: i64, v: f64) {
        let s = self.series.entry(labels).or_default();
        match s.last_mut() {
            // A repeated timestamp replaces (as a scrape at the same time would).
            Some(last) if last.0 == t => last.1 = v,
            Some(last) if last.0 > t => {}
            _ => {
                s.push((t, v));
                self.samples += 1;
            }
        }
    }

    /// Record one collection at `t`: every sample of the wanted families, and a staleness
    /// marker for each series that was there before and is gone now. Then trim.
    pub fn ingest(&mut self, families: &[&Family], t: i64) {
        let mut seen: HashSet<Labels> = HashSet::new();
        for f in families {
            for s in &f.samples {
                let name = format!("{}{}", f.name, s.suffix);
                if !self.wants(&name) {
                    continue;
                }
                let mut labels: Labels = s.labels.iter().cloned().collect::<BTreeMap<_, _>>();
                labels.insert("__name__".into(), name);
                self.push(labels.clone(), t, s.value);
                seen.insert(labels);
            }
        }
        let gone: Vec<Labels> = self
            .series
            .iter()
            .filter(|(l, s)| !seen.contains(*l) && s.last().is_some_and(|(_, v)| !is_stale(*v)))
            .map(|(l, _)| l.clone())
            .collect();
        for l in gone {
            self.push(l, t, f64::from_bits(STALE_BITS));
        }
        self.trim(t);
    }

    /// Drop samples older than the retention before `now`, series left empty or holding only
    /// a staleness marker, and the oldest samples past [`MAX_SAMPLES`].
    pub fn trim(&mut self, now: i64) {
        let cutoff = now.saturating_sub(self.retention_ms);
        let mut removed = 0usize;
        self.series.retain(|_, s| {
            let keep_from = s.partition_point(|(t, _)| *t < cutoff);
            removed += keep_from;
            s.drain(..keep_from);
            let dead = s.is_empty() || (s.len() == 1 && is_stale(s[0].1));
            if dead {
                removed += s.len();
            }
            !dead
        });
        self.samples = self.samples.saturating_sub(removed);
        while self.samples > self.max_samples {
            // Drop the oldest sample of the series whose oldest sample is oldest.
            let Some(oldest) = self
                .series
                .iter()
                .filter_map(|(l, s)| s.first().map(|(t, _)| (*t, l.clone())))
                .min_by_key(|(t, _)| *t)
                .map(|(_, l)| l)
            else {
                break;
            };
            let mut empty = false;
            if let Some(s) = self.series.get_mut(&oldest) {
                // The whole run before the next series' oldest is dropped in one go.
                let over = self.samples - self.max_samples;
                let n = over.min(s.len()).max(1);
                s.drain(..n);
                self.samples = self.samples.saturating_sub(n);
                empty = s.is_empty();
            }
            if empty {
                self.series.remove(&oldest);
            }
        }
    }

    /// Every series, for selection.
    pub fn series(&self) -> impl Iterator<Item = (&Labels, &[(i64, f64)])> {
        self.series.iter().map(|(l, s)| (l, s.as_slice()))
    }

    /// Series held.
    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    /// Samples held (staleness markers included).
    pub fn sample_count(&self) -> usize {
        self.samples
    }

    /// The bytes the history holds: samples (16 bytes each, plus unused vector capacity) and
    /// label sets (their strings and map nodes, estimated at 64 bytes per label).
    pub fn approx_bytes(&self) -> usize {
        self.series
            .iter()
            .map(|(l, s)| {
                s.capacity() * 16
                    + l.iter().map(|(k, v)| k.len() + v.len() + 64).sum::<usize>()
                    + 48
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Kind;

    fn fam(name: &str, series: &[(&str, f64)]) -> Family {
        let mut f = Family::new(name, "h", Kind::Gauge);
        for (node, v) in series {
            f.push(vec![("node".into(), node.to_string())], *v);
        }
        f
    }

    #[test]
    fn keeps_wanted_names_marks_stale_and_trims() {
        let mut h = History::new(Some(HashSet::from(["a".to_string()])), 10_000);
        h.ingest(
            &[
                &fam("a", &[("x", 1.0), ("y", 2.0)]),
                &fam("b", &[("x", 9.0)]),
            ],
            0,
        );
        assert_eq!(h.series_count(), 2);
        h.ingest(&[&fam("a", &[("x", 3.0)])], 5_000);
        let y: Vec<(i64, f64)> = h
            .series()
            .find(|(l, _)| l["node"] == "y")
            .map(|(_, s)| s.to_vec())
            .unwrap();
        assert_eq!(y[0], (0, 2.0));
        assert!(is_stale(y[1].1));
        // The stale series' last real sample leaves the window: it is dropped entirely.
        h.ingest(&[&fam("a", &[("x", 4.0)])], 12_000);
        assert_eq!(h.series_count(), 1);
        assert_eq!(h.sample_count(), 2);
    }

    #[test]
    fn the_sample_cap_drops_the_oldest() {
        let mut h = History::new(None, i64::MAX).with_max_samples(10);
        for t in 0..20 {
            h.ingest(&[&fam("a", &[("x", t as f64), ("y", t as f64)])], t * 1000);
        }
        assert!(h.sample_count() <= 10);
        for (_, s) in h.series() {
            assert_eq!(s.last().unwrap().0, 19_000);
        }
    }
}
