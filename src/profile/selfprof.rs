//! The agent's own CPU profile, taken in-process with pprof-rs (SIGPROF sampling of every
//! thread and an in-process unwinder), so it needs no perf events at all.

use std::time::{Duration, Instant};

use super::{Cancel, pprof};
use crate::error::{Error, Result};

/// Profile this process for `duration`.
pub fn cpu(frequency: u32, duration: Duration, cancel: &Cancel) -> Result<Vec<u8>> {
    let freq = i32::try_from(frequency).unwrap_or(i32::MAX);
    let guard = ::pprof::ProfilerGuardBuilder::default()
        .frequency(freq)
        // Unwinding through these from a signal handler can deadlock or crash.
        .blocklist(&["libc", "libgcc", "pthread", "vdso"])
        .build()
        .map_err(|e| match e {
            ::pprof::Error::Running => {
                Error::Conflict("a CPU profile of the agent is already running".into())
            }
            other => Error::Other(format!("starting the in-process profiler: {other}")),
        })?;
    let started = Instant::now();
    while started.elapsed() < duration {
        cancel.check()?;
        std::thread::sleep(
            Duration::from_millis(50).min(duration.saturating_sub(started.elapsed())),
        );
    }
    let report = guard
        .report()
        .build()
        .map_err(|e| Error::caused("building the agent's profile", e))?;
    drop(guard);
    let profile = report
        .pprof()
        .map_err(|e| Error::caused("encoding the agent's profile", e))?;
    pprof::from_pprof_rs(profile).with_comments(&[format!(
        "in-process profile of the agent (pid {}) by pprof-rs at {frequency} Hz",
        std::process::id()
    )])
}
