//! The agent's own CPU profile, taken in-process with pprof-rs (SIGPROF sampling of every
//! thread and an in-process unwinder), so it needs no perf events at all.

use std::time::{Duration, Instant};

use super::Cancel;
use super::pprof::{Builder, FrameLine, LabelValue};
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
    let timing = &report.timing;
    let period = 1_000_000_000 / i64::from(timing.frequency.max(1));
    let mut b = Builder::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
    b.period("cpu", "nanoseconds", period);
    b.timing(timing.start_time, timing.duration);
    b.comment(&format!(
        "in-process profile of the agent (pid {}) by pprof-rs at {frequency} Hz",
        std::process::id()
    ));
    for (frames, count) in &report.data {
        let count = i64::try_from(*count).unwrap_or(0);
        if count <= 0 {
            continue;
        }
        // pprof-rs gives the stack leaf first, each frame's symbols innermost (inlined) first:
        // the order profile.proto wants for both.
        let stack = frames
            .frames
            .iter()
            .map(|symbols| {
                let lines = symbols
                    .iter()
                    .map(|s| FrameLine {
                        function: s.name(),
                        file: s
                            .filename
                            .as_ref()
                            .map(|f| f.display().to_string())
                            .unwrap_or_default(),
                        line: s.lineno.map_or(0, i64::from),
                    })
                    .collect::<Vec<_>>();
                if lines.is_empty() {
                    b.frame("[unknown]")
                } else {
                    b.frame_lines(lines)
                }
            })
            .collect();
        let labels = vec![(
            "thread".to_string(),
            LabelValue::Str(frames.thread_name.clone()),
        )];
        b.sample(stack, &[count, count.saturating_mul(period)], labels);
    }
    b.finish()
}
