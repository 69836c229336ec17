//! Memory profiles: resident memory of each process by mapping, read from
//! `/proc/PID/smaps`, as a pprof profile with RSS, PSS, anonymous and swap bytes.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use super::Process;
use super::pprof::{Builder, LabelValue};
use crate::error::{Error, Result};

/// The quantities of one mapping (or of several with the same name), in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub rss: u64,
    pub pss: u64,
    pub anonymous: u64,
    pub swap: u64,
}

impl Usage {
    fn add(&mut self, o: &Usage) {
        self.rss += o.rss;
        self.pss += o.pss;
        self.anonymous += o.anonymous;
        self.swap += o.swap;
    }

    fn values(&self) -> [i64; 4] {
        [self.rss, self.pss, self.anonymous, self.swap]
            .map(|v| i64::try_from(v).unwrap_or(i64::MAX))
    }
}

/// Sum `smaps` by mapping name: each file, `[heap]`, `[stack]`, and `[anon]` for unnamed
/// anonymous memory.
pub fn parse_smaps(text: &str) -> BTreeMap<String, Usage> {
    let mut out: BTreeMap<String, Usage> = BTreeMap::new();
    let mut current: Option<(String, Usage)> = None;
    for line in text.lines() {
        if let Some((key, rest)) = line.split_once(':')
            && !key.contains(' ')
            && !key.contains('-')
        {
            let Some((_, usage)) = current.as_mut() else {
                continue;
            };
            let kb: u64 = rest
                .split_whitespace()
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let bytes = kb.saturating_mul(1024);
            match key {
                "Rss" => usage.rss = bytes,
                "Pss" => usage.pss = bytes,
                "Anonymous" => usage.anonymous = bytes,
                "Swap" => usage.swap = bytes,
                _ => {}
            }
            continue;
        }
        // A mapping header: `start-end perms offset dev inode [path]`.
        let mut f = line.splitn(6, ' ');
        let range = f.next().unwrap_or("");
        if !range.contains('-') {
            continue;
        }
        let path = f.nth(4).unwrap_or("").trim_start();
        let name = match path {
            "" => "[anon]".to_string(),
            p => p.to_string(),
        };
        if let Some((n, u)) = current.replace((name, Usage::default())) {
            out.entry(n).or_default().add(&u);
        }
    }
    if let Some((n, u)) = current {
        out.entry(n).or_default().add(&u);
    }
    out
}

/// Snapshot the memory of `procs`.
pub fn snapshot(procs: &[Process]) -> Result<Vec<u8>> {
    let mut b = Builder::new(&[
        ("rss", "bytes"),
        ("pss", "bytes"),
        ("anonymous", "bytes"),
        ("swap", "bytes"),
    ]);
    b.default_sample_type("rss");
    b.timing(SystemTime::now(), Duration::ZERO);
    let mut read = 0;
    for p in procs {
        let text = match std::fs::read_to_string(format!("/proc/{}/smaps", p.pid)) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(Error::io(
                    format!("reading /proc/{}/smaps ({})", p.pid, p.name),
                    e,
                ));
            }
        };
        // Kernel threads have an empty smaps.
        if text.is_empty() {
            continue;
        }
        read += 1;
        let root = b.frame(&format!("{} (pid {})", p.name, p.pid));
        for (name, usage) in parse_smaps(&text) {
            if usage == Usage::default() {
                continue;
            }
            let leaf = b.frame(&name);
            b.sample(
                vec![leaf, root],
                &usage.values(),
                vec![("pid".into(), LabelValue::Num(i64::from(p.pid), ""))],
            );
        }
    }
    if read == 0 {
        return Err(Error::NotFound(
            "no memory to report: the target processes exited or are kernel threads".into(),
        ));
    }
    b.comment("resident memory by mapping from /proc/PID/smaps (a snapshot)");
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &str = "\
55d0c0a00000-55d0c0a20000 r--p 00000000 08:01 123                        /usr/bin/app
Size:                128 kB
Rss:                 100 kB
Pss:                  50 kB
Anonymous:             0 kB
Swap:                  0 kB
VmFlags: rd mr mw me dw sd
55d0c0a20000-55d0c0a80000 r-xp 00020000 08:01 123                        /usr/bin/app
Rss:                  20 kB
Pss:                  20 kB
Anonymous:             4 kB
Swap:                  0 kB
7f0000000000-7f0000021000 rw-p 00000000 00:00 0 
Rss:                2048 kB
Pss:                2048 kB
Anonymous:          2048 kB
Swap:                 16 kB
7ffd1000000-7ffd1021000 rw-p 00000000 00:00 0                          [stack]
Rss:                   8 kB
Pss:                   8 kB
Anonymous:             8 kB
Swap:                  0 kB
";

    #[test]
    fn sums_mappings_by_name() {
        let m = parse_smaps(SMAPS);
        assert_eq!(
            m["/usr/bin/app"],
            Usage {
                rss: 120 * 1024,
                pss: 70 * 1024,
                anonymous: 4 * 1024,
                swap: 0
            }
        );
        assert_eq!(m["[anon]"].anonymous, 2048 * 1024);
        assert_eq!(m["[anon]"].swap, 16 * 1024);
        assert_eq!(m["[stack]"].rss, 8 * 1024);
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn this_process_has_memory() {
        let me = Process {
            pid: std::process::id(),
            name: "test".into(),
        };
        let bytes = snapshot(&[me]).unwrap();
        let d = super::super::pprof::decode(&bytes).unwrap();
        assert!(d.totals()[0] > 0);
        assert_eq!(d.default_index(), 0);
    }
}
