//! Read checkpoints: for each file, where reading stopped (device, inode, offset) and which
//! generation of its content that offset belongs to; the journal's cursor. Written atomically
//! (temp file, fsync, rename) after what was read is safe in the buffer, so a crash at any
//! moment reads again from a checkpoint the buffer already holds: the same records with the
//! same `_id`s, which Elasticsearch refuses as conflicts instead of indexing twice.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::input::{self, Input};

/// Files remembered at most; the least recently read are forgotten first.
pub const MAX_FILES: usize = 20_000;

/// Where one file's reading stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMark {
    pub dev: u64,
    pub ino: u64,
    /// The source this file came from (its kind and pattern or root).
    pub source: String,
    /// Where the file was last seen.
    pub path: PathBuf,
    /// The content generation: part of every `_id` read from it.
    pub generation: u64,
    /// A hash of the first line (`0`: not complete yet).
    pub fingerprint: u64,
    /// Times this file was seen truncated.
    pub truncations: u32,
    /// Bytes before the next record to read.
    pub offset: u64,
    /// `offset` is inside an over-long line whose start was already shipped: skip to its end.
    #[serde(default)]
    pub skipping: bool,
    /// Unix seconds when this file last gave data (for forgetting old marks).
    #[serde(default)]
    pub touched: u64,
}

/// Everything checkpointed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoints {
    #[serde(default)]
    pub files: Vec<FileMark>,
    /// Generations ended by a truncation, kept a while so that the copy copytruncate made
    /// continues where reading stopped instead of starting over.
    #[serde(default)]
    pub retired: Vec<FileMark>,
    /// The journal cursor after the last entry buffered, per journal (`system` or a
    /// directory).
    #[serde(default)]
    pub journal: BTreeMap<String, String>,
}

/// The checkpoint file.
pub struct Store {
    path: PathBuf,
    last: Option<Vec<u8>>,
}

impl Store {
    pub fn new(dir: &Path) -> Store {
        Store {
            path: dir.join("checkpoints.json"),
            last: None,
        }
    }

    /// The stored checkpoints: none when there is no file; an unreadable or corrupt file is
    /// an error (reading everything again from the start would send duplicates that the
    /// `_id`s catch, but the operator should know).
    pub fn load(&mut self) -> Result<Checkpoints, String> {
        let text = match std::fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Checkpoints::default()),
            Err(e) => return Err(format!("reading {}: {e}", self.path.display())),
        };
        let c: Checkpoints = input::json(&text, Input::STATE)
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        self.last = Some(text);
        Ok(c)
    }

    /// Write `c` atomically when it changed.
    pub fn save(&mut self, c: &Checkpoints) -> crate::Result<()> {
        let bytes = serde_json::to_vec(c).unwrap_or_default();
        if self.last.as_deref() == Some(&bytes[..]) {
            return Ok(());
        }
        crate::store::fs::write_atomic(&self.path, &bytes)?;
        self.last = Some(bytes);
        Ok(())
    }
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike std's hasher, so that `_id`s
/// survive upgrades.
pub fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in *p {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so that ("ab","c") and ("a","bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The generation of a file's content: its source, the inode it was first read through, the
/// fingerprint of its first line and its truncation count. Inode and offset alone repeat
/// after copytruncate and inode reuse; this does not.
pub fn generation(source: &str, ino: u64, fingerprint: u64, truncations: u32) -> u64 {
    fnv(&[
        source.as_bytes(),
        &ino.to_le_bytes(),
        &fingerprint.to_le_bytes(),
        &truncations.to_le_bytes(),
    ])
}

/// A document `_id`: the generation and the record's byte offset in it.
pub fn doc_id(generation: u64, offset: u64) -> DocId {
    DocId { generation, offset }
}

/// A record's `_id`, written where it goes instead of into a string of its own.
#[derive(Debug, Clone, Copy)]
pub struct DocId {
    generation: u64,
    offset: u64,
}

impl std::fmt::Display for DocId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}-{:x}", self.generation, self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        // Pinned: a change here would re-send everything after an upgrade.
        assert_eq!(fnv(&[b"a"]), fnv(&[b"a"]));
        assert_ne!(fnv(&[b"ab", b"c"]), fnv(&[b"a", b"bc"]));
        let g = generation("file:/x/*.log", 12, 34, 0);
        assert_ne!(g, generation("file:/x/*.log", 12, 34, 1));
        assert_ne!(g, generation("file:/x/*.log", 13, 34, 0));
        assert_eq!(doc_id(0xabc, 255).to_string(), "0000000000000abc-ff");
    }

    #[test]
    fn save_load_round_trip_and_corruption() {
        let d = tempfile::tempdir().unwrap();
        let mut s = Store::new(d.path());
        assert_eq!(s.load().unwrap(), Checkpoints::default());
        let mut c = Checkpoints::default();
        c.files.push(FileMark {
            dev: 1,
            ino: 2,
            source: "file:/a".into(),
            path: "/a".into(),
            generation: 3,
            fingerprint: 4,
            truncations: 0,
            offset: 99,
            skipping: false,
            touched: 0,
        });
        c.journal.insert("system".into(), "s=abc".into());
        s.save(&c).unwrap();
        assert_eq!(Store::new(d.path()).load().unwrap(), c);
        std::fs::write(d.path().join("checkpoints.json"), "{broken").unwrap();
        assert!(Store::new(d.path()).load().is_err());
    }
}
