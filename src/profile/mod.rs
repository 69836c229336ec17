//! Profiles of processes, containers and the agent itself, as gzipped pprof `profile.proto`:
//! CPU (perf_event_open call stacks, or per-thread times from /proc), memory (smaps by
//! mapping, or a Go service's heap profile) and network (TCP connections and interfaces).
//!
//! [`ProfileRequest`] is the wire type of `POST /api/profile`; [`run`] takes the profile
//! where it is called (in the CLI, or in the agent for `--agent`).

pub mod captures;
pub mod cpu;
pub mod flamegraph;
pub mod heap;
pub mod memory;
pub mod merge;
pub mod network;
pub mod perf;
pub mod perfmap;
pub mod pprof;
pub mod proto;
pub mod selfprof;
pub mod symbolize;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};
use crate::model::profile::{Kind, ProfileRequest, Target, check_pid};

/// Where cgroups are mounted.
pub const CGROUP_ROOT: &str = "/sys/fs/cgroup";

/// Set from elsewhere (Ctrl-C in the CLI, a closed connection in the agent) to stop a
/// profile early; nothing is produced then.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// `Err(Interrupted)` once cancelled.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Interrupted("the profile was cancelled".into()))
        } else {
            Ok(())
        }
    }
}

/// Cancels when dropped: the agent holds one per request, so a dropped connection stops
/// the profile.
pub struct CancelOnDrop(pub Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// A target process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub pid: u32,
    /// `comm`, for frames and messages.
    pub name: String,
}

/// The process `pid`, or NotFound.
pub fn process(pid: u32) -> Result<Process> {
    check_pid(pid)?;
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map_err(|_| Error::NotFound(format!("no process with pid {pid}")))?;
    Ok(Process {
        pid,
        name: name.trim_end().to_string(),
    })
}

/// The processes of a target.
fn resolve(target: &Target, cgroup_root: &Path) -> Result<Vec<Process>> {
    match target {
        Target::Pids(pids) => {
            let mut out: Vec<Process> = pids.iter().map(|p| process(*p)).collect::<Result<_>>()?;
            out.dedup_by_key(|p| p.pid);
            Ok(out)
        }
        Target::Container(query) => {
            let (cgroup, pids) = crate::containers::cgroup::pids_of(cgroup_root, query)?;
            // Processes may exit between listing and reading their name.
            let procs: Vec<Process> = pids.into_iter().filter_map(|p| process(p).ok()).collect();
            if procs.is_empty() {
                return Err(Error::NotFound(format!(
                    "container {} ({}) has no running processes",
                    cgroup.id.short(),
                    cgroup.path
                )));
            }
            Ok(procs)
        }
        Target::Daemon => process(std::process::id()).map(|p| vec![p]),
        Target::Url(_) => Err(Error::Usage("a URL is not a process".into())),
    }
}

/// Take the profile described by `req` here and return it gzipped. `in_daemon` says
/// whether this process is the agent (which `--daemon` profiles in-process).
pub fn run(req: &ProfileRequest, in_daemon: bool, cancel: &Cancel) -> Result<Vec<u8>> {
    req.validate()?;
    if req.target == Target::Daemon && !in_daemon {
        return Err(Error::Usage(
            "--daemon profiles a running agent: start `hivemind daemon` on this data directory \
             or pass --agent NAME"
                .into(),
        ));
    }
    if let Target::Url(url) = &req.target {
        return heap::fetch(url, cancel);
    }
    if req.kind == Kind::Cpu && req.target == Target::Daemon && !req.coarse {
        return selfprof::cpu(req.frequency, req.duration(), cancel);
    }
    let procs = resolve(&req.target, Path::new(CGROUP_ROOT))?;
    let bytes = match req.kind {
        Kind::Cpu if req.coarse => cpu::coarse(&procs, req.duration(), cancel),
        Kind::Cpu => cpu::sampled(&procs, req.frequency, req.duration(), cancel),
        Kind::Memory => memory::snapshot(&procs),
        Kind::Network => network::sample(&procs, req.duration(), cancel),
    }?;
    // A container's samples say which container, as asked (`-tagfocus container=web` in a
    // fleet's merged profile).
    match &req.target {
        Target::Container(c) => merge::relabel(&bytes, &[("container", c)]),
        _ => Ok(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_processes_are_not_found() {
        let e = process(crate::model::profile::PID_MAX).err().unwrap();
        assert!(matches!(e, Error::NotFound(_)), "{e}");
        let daemon = ProfileRequest {
            kind: Kind::Cpu,
            target: Target::Daemon,
            duration_ms: 1000,
            frequency: 99,
            coarse: false,
        };
        let e = run(&daemon, false, &Cancel::new()).err().unwrap();
        assert!(e.to_string().contains("running agent"), "{e}");
    }
}
