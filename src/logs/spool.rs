//! The on-disk buffer between reading and shipping: numbered segment files of
//! `<_id>\t<document JSON>\n` entries, appended and fsync'd by the reader, shipped in order,
//! deleted once Elasticsearch acknowledged them. The acknowledged position is kept in a file
//! written atomically. Its size is capped: when a new batch does not fit (or the disk is
//! full) the oldest segment is dropped and its unshipped entries are counted. Nothing here
//! waits on the network.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use super::Stats;

/// A position in the buffer: segment number and byte offset in it.
pub type Pos = (u64, u64);

struct Segment {
    n: u64,
    /// Bytes written and synced (always at an entry boundary).
    len: u64,
}

struct State {
    segments: VecDeque<Segment>,
    writer: Option<File>,
    acked: Pos,
}

/// The buffer.
pub struct Spool {
    dir: PathBuf,
    cap: u64,
    segment_max: u64,
    state: Mutex<State>,
}

/// A batch read for shipping: whole buffer entries as they are on disk.
#[derive(Debug)]
pub struct Batch {
    pub end: Pos,
    /// `<_id>\t<document JSON>\n` entries.
    entries: Vec<u8>,
    /// How many entries.
    pub count: usize,
}

impl Batch {
    /// `(_id, document JSON)` of each entry.
    pub fn docs(
        &self,
    ) -> impl Iterator<Item = (std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)> {
        entry_lines(&self.entries)
            .map(|(id, doc)| (String::from_utf8_lossy(id), String::from_utf8_lossy(doc)))
    }

    /// The `_bulk` body: a `create` action with the entry's `_id` before each document, so
    /// that a document sent again is a 409 conflict instead of a duplicate. Entries are
    /// copied as they are; only a damaged one (not UTF-8) is mended first.
    pub fn bulk_body(&self, index: &str) -> Vec<u8> {
        let mut head = String::from("{\"create\":{\"_index\":");
        head.push_str(&serde_json::to_string(index).unwrap_or_else(|_| "\"\"".into()));
        head.push_str(",\"_id\":");
        let mut body = Vec::with_capacity(self.entries.len() + self.count * (head.len() + 8));
        for (id, doc) in entry_lines(&self.entries) {
            body.extend_from_slice(head.as_bytes());
            let _ = serde_json::to_writer(&mut body, &*String::from_utf8_lossy(id));
            body.extend_from_slice(b"}}\n");
            match std::str::from_utf8(doc) {
                Ok(_) => body.extend_from_slice(doc),
                Err(_) => body.extend_from_slice(String::from_utf8_lossy(doc).as_bytes()),
            }
            body.push(b'\n');
        }
        body
    }
}

/// The `(id, document)` of each whole entry; lines without a tab are skipped.
fn entry_lines(entries: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    entries.split_inclusive(|b| *b == b'\n').filter_map(|line| {
        let line = line.strip_suffix(b"\n")?;
        let tab = memchr::memchr(b'\t', line)?;
        Some((&line[..tab], &line[tab + 1..]))
    })
}

fn seg_path(dir: &Path, n: u64) -> PathBuf {
    dir.join(format!("{n:020}.seg"))
}

impl Spool {
    /// Open the buffer in `dir` (created when missing): a torn last entry (a crash in the
    /// middle of a write) is cut off.
    pub fn open(dir: &Path, cap: u64) -> crate::Result<Spool> {
        crate::store::fs::ensure_private_dir(dir)?;
        let mut numbers: Vec<u64> = std::fs::read_dir(dir)
            .map_err(|e| crate::Error::io(format!("reading the log buffer {}", dir.display()), e))?
            .filter_map(Result::ok)
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".seg")?
                    .parse::<u64>()
                    .ok()
            })
            .collect();
        numbers.sort_unstable();
        let mut segments = VecDeque::new();
        for (i, n) in numbers.iter().enumerate() {
            let path = seg_path(dir, *n);
            let mut len = std::fs::metadata(&path).map_or(0, |m| m.len());
            if i + 1 == numbers.len() {
                len = last_newline_end(&path, len);
                if let Ok(f) = OpenOptions::new().write(true).open(&path) {
                    let _ = f.set_len(len);
                }
            }
            segments.push_back(Segment { n: *n, len });
        }
        let oldest = segments.front().map_or(1, |s| s.n);
        let acked = std::fs::read_to_string(dir.join("acked"))
            .ok()
            .and_then(|t| {
                let (a, b) = t.trim().split_once(' ')?;
                Some((a.parse().ok()?, b.parse().ok()?))
            })
            .filter(|(s, _): &Pos| *s >= oldest)
            .unwrap_or((oldest, 0));
        // A file system smaller than the cap bounds it too (with room for the checkpoints).
        let cap = nix::sys::statvfs::statvfs(dir)
            .ok()
            .map(|v| v.blocks().saturating_mul(v.fragment_size()) / 10 * 8)
            .filter(|fs| *fs > 0)
            .map_or(cap, |fs| cap.min(fs));
        Ok(Spool {
            dir: dir.to_path_buf(),
            cap,
            segment_max: (cap / 16).clamp(16 * 1024, 16 * 1024 * 1024),
            state: Mutex::new(State {
                segments,
                writer: None,
                acked,
            }),
        })
    }

    /// The cap in force (the configured one, or less on a small file system).
    pub fn cap(&self) -> u64 {
        self.cap
    }

    /// Bytes on disk.
    pub fn bytes(&self) -> u64 {
        self.state
            .lock()
            .map_or(0, |s| s.segments.iter().map(|g| g.len).sum())
    }

    /// Append entries (whole `id\tjson\n` lines), synced before this returns. Older
    /// segments make room when the cap or the disk is reached; an error means nothing of
    /// `entries` was kept.
    pub fn append(&self, entries: &[u8], count: u64, stats: &Stats) -> std::io::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let Ok(mut st) = self.state.lock() else {
            return Err(std::io::Error::other("log buffer lock poisoned"));
        };
        let add = entries.len() as u64;
        let need_new = st
            .segments
            .back()
            .is_none_or(|s| s.len > 0 && s.len + add > self.segment_max);
        if need_new {
            self.start_segment(&mut st)?;
        } else if st.writer.is_none()
            && let Some(last) = st.segments.back()
        {
            // After a restart: go on appending to the last segment.
            let f = OpenOptions::new()
                .append(true)
                .open(seg_path(&self.dir, last.n))?;
            st.writer = Some(f);
        }
        // The cap: drop the oldest segments (never the one being written) until this fits.
        loop {
            let total: u64 = st.segments.iter().map(|g| g.len).sum();
            if total + add <= self.cap || st.segments.len() < 2 {
                break;
            }
            self.drop_oldest(&mut st, stats, "buffer_full");
        }
        let mut tried_room = false;
        loop {
            let Some(cur) = st.segments.back() else {
                return Err(std::io::Error::other("no log buffer segment"));
            };
            let before = cur.len;
            let Some(w) = st.writer.as_mut() else {
                return Err(std::io::Error::other("no log buffer writer"));
            };
            let result = w.write_all(entries).and_then(|()| w.sync_data());
            match result {
                Ok(()) => {
                    if let Some(cur) = st.segments.back_mut() {
                        cur.len += add;
                    }
                    stats.buffered_entries.fetch_add(count, Ordering::Relaxed);
                    return Ok(());
                }
                Err(e) => {
                    // Leave no torn entry behind.
                    if let Some(w) = st.writer.as_mut() {
                        let _ = w.set_len(before);
                        let _ = w.seek(SeekFrom::Start(before));
                    }
                    let full = is_disk_full(&e);
                    if full && !tried_room && st.segments.len() >= 2 {
                        tried_room = true;
                        while st.segments.len() >= 2 {
                            self.drop_oldest(&mut st, stats, "disk_full");
                        }
                        continue;
                    }
                    return Err(e);
                }
            }
        }
    }

    fn start_segment(&self, st: &mut State) -> std::io::Result<()> {
        let n = st.segments.back().map_or(1, |s| s.n + 1);
        // Logs may quote anything: the buffer is the agent's alone.
        let f = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(seg_path(&self.dir, n))?;
        st.writer = Some(f);
        st.segments.push_back(Segment { n, len: 0 });
        // The new name must survive a crash too.
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Delete the oldest segment, counting the entries in it that were not shipped.
    fn drop_oldest(&self, st: &mut State, stats: &Stats, reason: &str) {
        let Some(old) = st.segments.pop_front() else {
            return;
        };
        let path = seg_path(&self.dir, old.n);
        let from = if st.acked.0 == old.n {
            st.acked.1
        } else if st.acked.0 > old.n {
            old.len
        } else {
            0
        };
        let lost = count_lines(&path, from, old.len);
        let _ = std::fs::remove_file(&path);
        stats.count_drop(reason, lost);
        stats.buffered_entries.fetch_sub(
            lost.min(stats.buffered_entries.load(Ordering::Relaxed)),
            Ordering::Relaxed,
        );
        if st.acked.0 <= old.n {
            st.acked = (st.segments.front().map_or(old.n + 1, |s| s.n), 0);
        }
    }

    /// Up to `max_docs` entries (about `max_bytes`) after the acknowledged position.
    pub fn read(&self, max_docs: usize, max_bytes: u64) -> std::io::Result<Option<Batch>> {
        let (path, start, avail, seg) = {
            let Ok(mut st) = self.state.lock() else {
                return Ok(None);
            };
            loop {
                let acked = st.acked;
                let Some(i) = st.segments.iter().position(|s| s.n >= acked.0) else {
                    return Ok(None);
                };
                let s = &st.segments[i];
                let off = if s.n == acked.0 { acked.1 } else { 0 };
                if off < s.len {
                    break (seg_path(&self.dir, s.n), off, s.len - off, s.n);
                }
                // This segment is done; move on when a later one exists.
                match st.segments.get(i + 1) {
                    Some(next) => st.acked = (next.n, 0),
                    None => return Ok(None),
                }
            }
        };
        let mut f = File::open(&path)?;
        f.seek(SeekFrom::Start(start))?;
        let want = avail.min(max_bytes.max(1));
        let mut buf = Vec::with_capacity(want as usize);
        (&mut f).take(want).read_to_end(&mut buf)?;
        if !buf.contains(&b'\n') {
            // One entry larger than a batch: read it whole (bounded by the segment).
            (&mut f).take(avail - want).read_to_end(&mut buf)?;
        }
        let mut count = 0usize;
        let mut used = 0usize;
        for line in buf.split_inclusive(|b| *b == b'\n') {
            if !line.ends_with(b"\n") || count >= max_docs {
                break;
            }
            used += line.len();
            if memchr::memchr(b'\t', line).is_some() {
                count += 1;
            }
        }
        buf.truncate(used);
        Ok(Some(Batch {
            end: (seg, start + used as u64),
            entries: buf,
            count,
        }))
    }

    /// Everything up to `end` is in Elasticsearch: remember that, delete finished segments.
    pub fn ack(&self, end: Pos, stats: &Stats, docs: u64) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        if end < st.acked {
            // The cap dropped this batch's segment meanwhile: already counted.
            return;
        }
        st.acked = end;
        stats.buffered_entries.fetch_sub(
            docs.min(stats.buffered_entries.load(Ordering::Relaxed)),
            Ordering::Relaxed,
        );
        while st.segments.len() >= 2
            && st
                .segments
                .front()
                .is_some_and(|s| s.n < end.0 || (s.n == end.0 && end.1 >= s.len))
        {
            if let Some(old) = st.segments.pop_front() {
                let _ = std::fs::remove_file(seg_path(&self.dir, old.n));
            }
            if st.acked.0 < st.segments.front().map_or(0, |s| s.n) {
                st.acked = (st.segments.front().map_or(0, |s| s.n), 0);
            }
        }
        let text = format!("{} {}\n", st.acked.0, st.acked.1);
        drop(st);
        let _ = crate::store::fs::write_atomic(&self.dir.join("acked"), text.as_bytes());
    }

    /// Entries waiting (counted from the files, for a restart).
    pub fn count_waiting(&self) -> u64 {
        let Ok(st) = self.state.lock() else {
            return 0;
        };
        st.segments
            .iter()
            .map(|s| {
                let from = if s.n == st.acked.0 {
                    st.acked.1
                } else if s.n < st.acked.0 {
                    s.len
                } else {
                    0
                };
                count_lines(&seg_path(&self.dir, s.n), from, s.len)
            })
            .sum()
    }
}

/// Whether an error says the disk (or the quota) is full.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT))
}

/// The end of the last whole entry in the first `len` bytes of `path`.
fn last_newline_end(path: &Path, len: u64) -> u64 {
    let Ok(mut f) = File::open(path) else {
        return 0;
    };
    let mut end = len;
    let mut buf = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let n = (end - start) as usize;
        if f.seek(SeekFrom::Start(start)).is_err() || f.read_exact(&mut buf[..n]).is_err() {
            return 0;
        }
        if let Some(i) = buf[..n].iter().rposition(|b| *b == b'\n') {
            return start + i as u64 + 1;
        }
        end = start;
    }
    0
}

fn count_lines(path: &Path, from: u64, to: u64) -> u64 {
    let Ok(mut f) = File::open(path) else {
        return 0;
    };
    if to <= from || f.seek(SeekFrom::Start(from)).is_err() {
        return 0;
    }
    let mut left = to - from;
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = 0u64;
    while left > 0 {
        let want = left.min(buf.len() as u64) as usize;
        match f.read(&mut buf[..want]) {
            Ok(0) | Err(_) => break,
            Ok(k) => {
                n += buf[..k].iter().filter(|b| **b == b'\n').count() as u64;
                left -= k as u64;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(from: usize, n: usize, pad: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for i in from..from + n {
            out.extend_from_slice(format!("id{i}\t{{\"m\":\"{}\"}}\n", "x".repeat(pad)).as_bytes());
        }
        out
    }

    #[test]
    fn append_read_ack_and_reopen() {
        let d = tempfile::tempdir().unwrap();
        let stats = Stats::default();
        let s = Spool::open(d.path(), 1024 * 1024).unwrap();
        s.append(&entries(0, 10, 1), 10, &stats).unwrap();
        let b = s.read(4, 1 << 20).unwrap().unwrap();
        assert_eq!(b.count, 4);
        assert_eq!(b.docs().next().unwrap().0, "id0");
        s.ack(b.end, &stats, 4);
        // A torn entry at the end (a crash mid-write) is cut on reopen.
        drop(s);
        let seg = seg_path(d.path(), 1);
        let mut f = OpenOptions::new().append(true).open(&seg).unwrap();
        f.write_all(b"id99\t{\"m\":").unwrap();
        let s = Spool::open(d.path(), 1024 * 1024).unwrap();
        assert_eq!(s.count_waiting(), 6);
        // Appending goes on in the same segment after a reopen.
        s.append(&entries(10, 1, 1), 1, &stats).unwrap();
        assert_eq!(s.count_waiting(), 7);
        let b = s.read(100, 1 << 20).unwrap().unwrap();
        assert_eq!(b.count, 7);
        let docs: Vec<_> = b.docs().collect();
        assert_eq!(docs.len(), 7);
        assert_eq!(docs[0].0, "id4");
        assert_eq!(docs[6].0, "id10");
        s.ack(b.end, &stats, 7);
        assert!(s.read(100, 1 << 20).unwrap().is_none());
    }

    #[test]
    fn the_cap_drops_the_oldest_and_counts() {
        let d = tempfile::tempdir().unwrap();
        let stats = Stats::default();
        // 1 MiB cap, 64 KiB segments; ~100 bytes per entry.
        let s = Spool::open(d.path(), 1024 * 1024).unwrap();
        for k in 0..200 {
            s.append(&entries(k * 100, 100, 80), 100, &stats).unwrap();
        }
        assert!(s.bytes() <= 1024 * 1024, "{}", s.bytes());
        let dropped = stats.dropped("buffer_full");
        assert!(dropped > 0);
        let waiting = s.count_waiting();
        assert_eq!(waiting + dropped, 20_000);
        // What is left is the newest, in order.
        let b = s.read(1, 1 << 20).unwrap().unwrap();
        assert_eq!(b.docs().next().unwrap().0, format!("id{dropped}"));
    }
}
