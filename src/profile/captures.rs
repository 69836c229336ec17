//! Profiles taken when an alert starts firing: a rule's `hivemind_capture_profile`
//! annotation (`--capture-profile cpu:30s`) names the kind and window; the alert's labels name
//! the target (its container, process group or process). Each profile is kept in the data
//! directory as `captures/ID.prof` beside `captures/ID.json` (what, whose, when, or why it
//! failed); only the agent writes there, and at most [`CAPTURES_PER_RULE`] per rule and
//! [`MAX_CAPTURES`] in all are kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use super::Cancel;
use crate::error::{Error, Result};
use crate::model::input::{self, Input};
use crate::model::profile::{
    CAPTURES_PER_RULE, CaptureSpec, CapturedProfile, MAX_CAPTURES, Target, check_capture_id,
};
use crate::store::fs::{ensure_private_dir, read_input, write_atomic};

/// The captures of one data directory.
#[derive(Debug, Clone)]
pub struct Captures {
    dir: PathBuf,
}

impl Captures {
    pub fn new(data_dir: &Path) -> Self {
        Captures {
            dir: data_dir.join("captures"),
        }
    }

    /// Every capture, newest first. Entries that cannot be read are skipped (a half-deleted
    /// pair, a file written by hand).
    pub fn list(&self) -> Result<Vec<CapturedProfile>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(format!("reading {}", self.dir.display()), e)),
        };
        let mut out = Vec::new();
        // Bounded: the agent keeps MAX_CAPTURES; a directory filled by hand is cut off.
        for entry in entries.flatten().take(MAX_CAPTURES * 4) {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let Ok(Some(Ok(text))) = read_input(&path, Input::STATE) else {
                continue;
            };
            if let Ok(c) = input::json::<CapturedProfile>(text.as_bytes(), Input::STATE)
                && check_capture_id(&c.id).is_ok()
                && path.file_stem().and_then(|s| s.to_str()) == Some(c.id.as_str())
            {
                out.push(c);
            }
        }
        out.sort_by(|a, b| b.taken_at.cmp(&a.taken_at).then(b.id.cmp(&a.id)));
        Ok(out)
    }

    /// The profile file of capture `id`.
    pub fn get(&self, id: &str) -> Result<Vec<u8>> {
        let id = check_capture_id(id).map_err(|a| Error::invalid("id", id, a))?;
        let meta = self.list()?.into_iter().find(|c| c.id == id);
        match meta {
            None => Err(Error::NotFound(format!(
                "no captured profile {id} (hivemind profile list shows them)"
            ))),
            Some(c) if c.error.is_some() => Err(Error::NotFound(format!(
                "captured profile {id} failed: {}",
                c.error.unwrap_or_default()
            ))),
            Some(_) => std::fs::read(self.dir.join(format!("{id}.prof")))
                .map_err(|e| Error::io(format!("reading captured profile {id}"), e)),
        }
    }

    /// Keep a capture: the profile first, then its description (a listed capture always has
    /// its file), then drop the oldest beyond the limits.
    pub fn store(&self, meta: &CapturedProfile, bytes: Option<&[u8]>) -> Result<()> {
        check_capture_id(&meta.id).map_err(|a| Error::invalid("id", &meta.id, a))?;
        ensure_private_dir(&self.dir)?;
        if let Some(b) = bytes {
            write_atomic(&self.dir.join(format!("{}.prof", meta.id)), b)?;
        }
        let json = serde_json::to_vec_pretty(meta)
            .map_err(|e| Error::caused("encoding the capture", e))?;
        write_atomic(&self.dir.join(format!("{}.json", meta.id)), &json)?;
        self.prune()
    }

    fn prune(&self) -> Result<()> {
        let all = self.list()?;
        let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, c) in all.iter().enumerate() {
            let n = per_rule.entry(c.rule.as_str()).or_insert(0);
            *n += 1;
            if *n > CAPTURES_PER_RULE || i >= MAX_CAPTURES {
                for ext in ["json", "prof"] {
                    let _ = std::fs::remove_file(self.dir.join(format!("{}.{ext}", c.id)));
                }
            }
        }
        Ok(())
    }
}

/// The process group an alert's `groupname` label names: the processes with that comm.
fn pids_named(proc_root: &Path, name: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir(proc_root) else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(proc_root.join(pid.to_string()).join("comm"))
                .is_ok_and(|c| c.trim_end_matches('\n') == name)
        })
        .collect();
    pids.sort_unstable();
    pids.truncate(crate::model::profile::MAX_PIDS);
    pids
}

/// What an alert's labels name, most specific first: `container`, then `pid`, then the
/// process group `groupname`.
pub fn target_of(
    labels: &BTreeMap<String, String>,
    proc_root: &Path,
) -> std::result::Result<(Target, String), String> {
    if let Some(c) = labels.get("container").filter(|c| !c.is_empty()) {
        return Ok((Target::Container(c.clone()), format!("container {c}")));
    }
    if let Some(pid) = labels.get("pid").and_then(|p| p.parse::<u32>().ok()) {
        return Ok((Target::Pids(vec![pid]), format!("process {pid}")));
    }
    if let Some(name) = labels.get("groupname").filter(|n| !n.is_empty()) {
        let pids = pids_named(proc_root, name);
        if pids.is_empty() {
            return Err(format!("process group {name} has no running processes"));
        }
        let list: Vec<String> = pids.iter().map(u32::to_string).collect();
        return Ok((
            Target::Pids(pids),
            format!("process group {name} (pids {})", list.join(", ")),
        ));
    }
    Err("the alert has no container, pid or groupname label naming what to profile".into())
}

/// One firing alert to profile.
#[derive(Debug, Clone)]
pub struct CaptureJob {
    pub rule: String,
    pub alert: String,
    pub labels: BTreeMap<String, String>,
    pub spec: CaptureSpec,
}

/// Take the profile `job` asks for (blocking for its window) and keep it, or keep why it
/// failed. Returns the stored description.
pub fn capture(
    captures: &Captures,
    job: &CaptureJob,
    proc_root: &Path,
    cancel: &Cancel,
) -> Result<CapturedProfile> {
    let started = SystemTime::now();
    let millis = started
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let rule_part: String = job
        .rule
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(48)
        .collect();
    let id = format!(
        "{millis}-{}-{}-{}",
        rule_part.trim_matches('-'),
        job.spec.kind.as_str(),
        &job.alert.get(..8).unwrap_or(&job.alert)
    )
    .to_ascii_lowercase()
    .replace("--", "-");
    let mut meta = CapturedProfile {
        id,
        rule: job.rule.clone(),
        alert: job.alert.clone(),
        kind: job.spec.kind,
        target: String::new(),
        taken_at: humantime::format_rfc3339_seconds(started).to_string(),
        duration_seconds: job.spec.duration.as_secs_f64(),
        size_bytes: 0,
        error: None,
    };
    let clock = Instant::now();
    let taken = target_of(&job.labels, proc_root)
        .map_err(Error::Other)
        .and_then(|(target, what)| {
            meta.target = what;
            super::run(&job.spec.request(target), true, cancel)
        });
    match taken {
        Ok(bytes) => {
            meta.size_bytes = bytes.len() as u64;
            meta.duration_seconds = clock
                .elapsed()
                .as_secs_f64()
                .min(job.spec.duration.as_secs_f64().max(0.0) + 1.0);
            captures.store(&meta, Some(&bytes))?;
        }
        Err(e) => {
            meta.error = Some(e.to_string());
            captures.store(&meta, None)?;
        }
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str, rule: &str, at: &str) -> CapturedProfile {
        CapturedProfile {
            id: id.into(),
            rule: rule.into(),
            alert: "0123456789abcdef".into(),
            kind: crate::model::profile::Kind::Cpu,
            target: "container abc".into(),
            taken_at: at.into(),
            duration_seconds: 1.0,
            size_bytes: 3,
            error: None,
        }
    }

    #[test]
    fn keeps_the_newest_per_rule_and_lists_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let c = Captures::new(dir.path());
        assert!(c.list().unwrap().is_empty());
        for i in 0..(CAPTURES_PER_RULE + 2) {
            let m = meta(
                &format!("{i}-busy-cpu"),
                "busy",
                &format!("2026-11-30T10:00:{i:02}Z"),
            );
            c.store(&m, Some(b"abc")).unwrap();
        }
        c.store(
            &meta("9-other-cpu", "other", "2026-11-30T09:00:00Z"),
            Some(b"x"),
        )
        .unwrap();
        let all = c.list().unwrap();
        let busy: Vec<&str> = all
            .iter()
            .filter(|m| m.rule == "busy")
            .map(|m| m.id.as_str())
            .collect();
        assert_eq!(busy.len(), CAPTURES_PER_RULE);
        assert_eq!(busy[0], format!("{}-busy-cpu", CAPTURES_PER_RULE + 1));
        assert_eq!(all.last().unwrap().rule, "other");
        assert_eq!(c.get("9-other-cpu").unwrap(), b"x");
        // The dropped ones are gone with their files.
        assert!(!dir.path().join("captures/0-busy-cpu.prof").exists());
        assert!(c.get("0-busy-cpu").is_err());
        assert!(c.get("../secrets").is_err());
    }

    #[test]
    fn a_failed_capture_is_listed_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let c = Captures::new(dir.path());
        let job = CaptureJob {
            rule: "High CPU!".into(),
            alert: "0123456789abcdef".into(),
            labels: BTreeMap::from([("instance".to_string(), "x".to_string())]),
            spec: CaptureSpec::parse("cpu:1s").unwrap(),
        };
        let m = capture(&c, &job, Path::new("/proc"), &Cancel::new()).unwrap();
        assert!(
            m.error.as_deref().unwrap().contains("no container"),
            "{m:?}"
        );
        assert!(m.id.contains("-high-cpu-cpu-01234567"), "{}", m.id);
        assert!(check_capture_id(&m.id).is_ok());
        assert_eq!(c.list().unwrap(), std::slice::from_ref(&m));
        assert!(c.get(&m.id).unwrap_err().to_string().contains("failed"));
    }

    #[test]
    fn targets_come_from_the_most_specific_label() {
        let l = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let (t, what) = target_of(
            &l(&[("container", "abc"), ("pid", "1")]),
            Path::new("/proc"),
        )
        .unwrap();
        assert_eq!(t, Target::Container("abc".into()));
        assert_eq!(what, "container abc");
        let me = std::process::id();
        let (t, _) = target_of(&l(&[("pid", &me.to_string())]), Path::new("/proc")).unwrap();
        assert_eq!(t, Target::Pids(vec![me]));
        let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
        let (t, what) =
            target_of(&l(&[("groupname", comm.trim_end())]), Path::new("/proc")).unwrap();
        assert!(matches!(t, Target::Pids(ref p) if p.contains(&me)), "{t:?}");
        assert!(what.starts_with("process group"));
        assert!(target_of(&l(&[("groupname", "no-such-comm-x")]), Path::new("/proc")).is_err());
    }
}
