//! CPU profiles of other processes: cpu-clock samples with kernel call chains on every
//! thread, symbolised at the end, as a pprof CPU profile; and the coarse per-thread fallback
//! from /proc for when perf events are not permitted.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime};

use super::perf::{self, Frame, Record, Session};
use super::perfmap::{self, Outcome};
use super::pprof::{Builder, FrameLine, LabelValue, MappingSpec};
use super::symbolize::{self, Map, Symbolizer};
use super::{Cancel, Process};
use crate::error::{Error, Result};

/// Threads attached at most (each costs one descriptor per CPU).
pub const MAX_THREADS: usize = 4096;
/// How often the ring buffers are emptied: at 99 Hz a CPU produces about 5 samples
/// (≈ 5 KiB with deep stacks) in this time, far below its 256 KiB buffer.
const POLL: Duration = Duration::from_millis(50);
/// Ring buffer data pages per CPU (256 KiB with 4 KiB pages).
const PAGES: usize = 64;

/// Samples keyed by process, thread and stack: (count, CPU nanoseconds).
type Counts = HashMap<(u32, u32, Vec<Frame>), (i64, i64)>;

/// Sample `procs` for `duration` at `frequency` Hz and build the profile.
pub fn sampled(
    procs: &[Process],
    frequency: u32,
    duration: Duration,
    cancel: &Cancel,
) -> Result<Vec<u8>> {
    let period_ns = 1_000_000_000 / u64::from(frequency.max(1));
    let mut symbolizer = Symbolizer::new();
    let started_at = SystemTime::now();
    let mut notes = Vec::new();
    let (mut session, kernel) = attach(procs, period_ns, &mut notes)?;
    for p in procs {
        symbolizer.remember(p.pid);
    }
    let mut start_maps: HashMap<u32, Vec<Map>> = procs
        .iter()
        .map(|p| (p.pid, symbolize::executable_maps(p.pid)))
        .collect();

    let started = Instant::now();
    let mut counts: Counts = HashMap::new();
    let mut names: HashMap<u32, String> = HashMap::new();
    let mut lost = 0u64;
    let mut records = Vec::new();
    let mut collect = |session: &mut Session,
                       counts: &mut Counts,
                       names: &mut HashMap<u32, String>,
                       lost: &mut u64| {
        session.drain(&mut records);
        for r in records.drain(..) {
            match r {
                Record::Sample {
                    pid,
                    tid,
                    period,
                    frames,
                } => {
                    let slot = counts.entry((pid, tid, frames)).or_insert((0, 0));
                    slot.0 += 1;
                    slot.1 = slot.1.saturating_add(i64::try_from(period).unwrap_or(0));
                }
                Record::Lost(n) => *lost += n,
                Record::Comm { tid, name, .. } => {
                    names.insert(tid, name);
                }
            }
        }
    };
    while started.elapsed() < duration {
        cancel.check()?;
        std::thread::sleep(POLL.min(duration.saturating_sub(started.elapsed())));
        collect(&mut session, &mut counts, &mut names, &mut lost);
    }
    collect(&mut session, &mut counts, &mut names, &mut lost);
    drop(session);
    let elapsed = started.elapsed();

    if lost > 0 {
        notes.push(format!(
            "{lost} samples were lost (ring buffer full); the profile under-counts"
        ));
    }
    if !kernel {
        notes.push(kernel_excluded_note());
    }
    // Threads named since we attached keep their latest name; others are read now.
    let mut thread_names = HashMap::new();
    for (pid, tid, _) in counts.keys() {
        if thread_names.contains_key(tid) {
            continue;
        }
        let name = names
            .get(tid)
            .cloned()
            .or_else(|| comm(&format!("/proc/{pid}/task/{tid}/comm")))
            .unwrap_or_else(|| format!("thread {tid}"));
        thread_names.insert(*tid, name);
    }
    // Mappings at the end include libraries loaded during the window; exited processes
    // keep the ones seen at the start.
    for (pid, _, _) in counts.keys() {
        if let std::collections::hash_map::Entry::Vacant(e) = start_maps.entry(*pid) {
            e.insert(symbolize::executable_maps(*pid));
        } else {
            let now = symbolize::executable_maps(*pid);
            if !now.is_empty() {
                start_maps.insert(*pid, now);
            }
        }
    }
    let mut b = Builder::new(&[("samples", "count"), ("cpu", "nanoseconds")]);
    b.period(
        "cpu",
        "nanoseconds",
        i64::try_from(period_ns).unwrap_or(i64::MAX),
    );
    b.timing(started_at, elapsed);
    let sym_started = Instant::now();
    let proc_names: HashMap<u32, String> = procs.iter().map(|p| (p.pid, p.name.clone())).collect();
    let resolved = resolve(
        &mut symbolizer,
        &counts,
        &start_maps,
        &proc_names,
        &mut notes,
    );
    let sym_time = sym_started.elapsed();
    // pprof calls the first mapping the profile's main binary: the first target's executable.
    if let Some(first) = procs.first()
        && let Ok(exe) = std::fs::read_link(format!("/proc/{}/exe", first.pid))
        && let Some(m) = start_maps
            .get(&first.pid)
            .and_then(|maps| maps.iter().find(|m| std::path::Path::new(&m.path) == exe))
    {
        b.mapping(&user_mapping(m));
    }
    let kernel_spec = MappingSpec {
        start: 0,
        limit: u64::MAX,
        offset: 0,
        file: "[kernel.kallsyms]".into(),
        build_id: String::new(),
        has_functions: true,
        has_lines: false,
    };
    let mut sorted: Vec<_> = counts.into_iter().collect();
    sorted.sort();
    for ((pid, tid, frames), (n, ns)) in sorted {
        let mut stack = Vec::with_capacity(frames.len());
        for (i, f) in frames.iter().enumerate() {
            let lookup = lookup_addr(i, f);
            let (key_pid, mapping) = if f.kernel {
                (0, b.mapping(&kernel_spec))
            } else {
                let m = start_maps
                    .get(&pid)
                    .and_then(|maps| symbolize::find(maps, lookup));
                (pid, m.map_or(0, |m| b.mapping(&user_mapping(m))))
            };
            let lines = resolved
                .get(&(key_pid, lookup))
                .cloned()
                .unwrap_or_else(|| {
                    vec![FrameLine::named(if f.kernel {
                        format!("[kernel] 0x{:x}", f.addr)
                    } else {
                        symbolize::unknown_name(&start_maps, pid, f.addr)
                    })]
                });
            stack.push(b.location((u64::from(key_pid), lookup), mapping, f.addr, &lines));
        }
        let thread = thread_names
            .get(&tid)
            .cloned()
            .unwrap_or_else(|| format!("thread {tid}"));
        b.sample(
            stack,
            &[n, ns],
            vec![
                ("thread".into(), LabelValue::Str(thread)),
                ("pid".into(), LabelValue::Num(i64::from(pid), "")),
                ("tid".into(), LabelValue::Num(i64::from(tid), "")),
            ],
        );
    }
    notes.push(format!(
        "cpu-clock samples at {frequency} Hz from perf_event_open on {} process(es); symbolised in {} ms",
        procs.len(),
        sym_time.as_millis()
    ));
    for n in &notes {
        b.comment(n);
    }
    b.finish()
}

fn user_mapping(m: &Map) -> MappingSpec {
    MappingSpec {
        start: m.start,
        limit: m.end,
        offset: m.offset,
        file: m.path.clone(),
        build_id: String::new(),
        has_functions: true,
        has_lines: true,
    }
}

/// The address to look up: return addresses point after the call, so step back into it.
fn lookup_addr(index: usize, f: &Frame) -> u64 {
    if index == 0 {
        f.addr
    } else {
        f.addr.saturating_sub(1)
    }
}

/// Symbolise every distinct address, per process for user frames: from the target's files
/// (blazesym), and code in anonymous memory (JIT) from the runtime's perf map. Notes
/// say what the perf maps gave and which runtimes publish none.
fn resolve(
    symbolizer: &mut Symbolizer,
    counts: &Counts,
    maps: &HashMap<u32, Vec<Map>>,
    proc_names: &HashMap<u32, String>,
    notes: &mut Vec<String>,
) -> HashMap<(u32, u64), Vec<FrameLine>> {
    let mut user: BTreeMap<u32, HashSet<u64>> = BTreeMap::new();
    let mut kernel: HashSet<u64> = HashSet::new();
    for (pid, _, frames) in counts.keys() {
        for (i, f) in frames.iter().enumerate() {
            let a = lookup_addr(i, f);
            if f.kernel {
                kernel.insert(a);
            } else {
                user.entry(*pid).or_default().insert(a);
            }
        }
    }
    let mut out = HashMap::new();
    let no_maps = Vec::new();
    // Processes of a runtime without a map: one note per runtime, however many workers.
    let mut without_map: BTreeMap<&'static str, (perfmap::Runtime, Vec<WhoAndMap>)> =
        BTreeMap::new();
    for (pid, addrs) in user {
        let pid_maps = maps.get(&pid).unwrap_or(&no_maps);
        let mut addrs: Vec<u64> = addrs.into_iter().collect();
        addrs.sort_unstable();
        let mut jit = Vec::new();
        for (a, lines) in addrs.iter().zip(symbolizer.user(pid, &addrs)) {
            if let Some(l) = lines {
                out.insert((pid, *a), l);
            } else if perfmap::in_anonymous_code(pid_maps, *a) {
                jit.push(*a);
            } else if maps.contains_key(&pid) {
                out.insert(
                    (pid, *a),
                    vec![FrameLine::named(symbolize::unknown_name(maps, pid, *a))],
                );
            }
        }
        let runtime = perfmap::runtime(pid_maps);
        if jit.is_empty() && runtime.is_none() {
            continue;
        }
        let mut named = HashMap::new();
        let who = || {
            let name: String = proc_names
                .get(&pid)
                .cloned()
                .or_else(|| comm(&format!("/proc/{pid}/comm")))
                .unwrap_or_else(|| "?".into())
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            format!("process {pid} ({name})")
        };
        match perfmap::lookup(pid, &jit) {
            Outcome::Read { path, scan } => {
                if !scan.names.is_empty() {
                    notes.push(format!(
                        "{} JIT code addresses of {} named from its perf map {path} \
                         ({} lines)",
                        scan.names.len(),
                        who(),
                        scan.lines
                    ));
                }
                if scan.truncated {
                    notes.push(format!(
                        "the perf map {path} of {} is larger than {} or {} lines: the rest \
                         was not read, and JIT code it names shows as addresses",
                        who(),
                        crate::model::units::bytes(perfmap::MAX_BYTES),
                        perfmap::MAX_LINES
                    ));
                }
                if scan.skipped > 0 {
                    notes.push(format!(
                        "{} malformed lines of the perf map {path} of {} were skipped",
                        scan.skipped,
                        who()
                    ));
                }
                named = scan.names;
            }
            Outcome::Absent { path } => match runtime {
                Some(rt) => without_map
                    .entry(rt.name())
                    .or_insert_with(|| (rt, Vec::new()))
                    .1
                    .push((who(), path)),
                None => notes.push(format!(
                    "{} ran code in anonymous memory (JIT code?) and publishes no perf map \
                     ({path} in its root): those frames are named by address",
                    who()
                )),
            },
            Outcome::Unreadable { path, why } => notes.push(format!(
                "the perf map {path} of {} was not read: {why}",
                who()
            )),
            Outcome::Gone => {}
        }
        for a in jit {
            let name = named
                .remove(&a)
                .unwrap_or_else(|| symbolize::unknown_name(maps, pid, a));
            out.insert((pid, a), vec![FrameLine::named(name)]);
        }
    }
    for (rt, procs) in without_map.into_values() {
        notes.push(without_map_note(rt, &procs));
    }
    let kernel: Vec<u64> = kernel.into_iter().collect();
    for (a, lines) in kernel.iter().zip(symbolizer.kernel(&kernel)) {
        if let Some(mut l) = lines {
            for line in &mut l {
                line.function = format!("{} [kernel]", line.function);
            }
            out.insert((0, *a), l);
        }
    }
    out
}

/// A process as notes name it, and the perf map path it would publish.
type WhoAndMap = (String, String);

/// The note for processes of runtime `rt` that publish no perf map.
fn without_map_note(rt: perfmap::Runtime, procs: &[WhoAndMap]) -> String {
    const LISTED: usize = 5;
    match procs {
        [(who, path)] => format!(
            "{who} runs {} but publishes no perf map ({path} in its root): {}",
            rt.name(),
            rt.hint()
        ),
        _ => {
            let mut listed: Vec<&str> =
                procs.iter().take(LISTED).map(|(w, _)| w.as_str()).collect();
            let more = format!("and {} more", procs.len().saturating_sub(LISTED));
            if procs.len() > LISTED {
                listed.push(&more);
            }
            format!(
                "{} processes run {} but publish no perf map (/tmp/perf-PID.map in their \
                 root; {}): {}",
                procs.len(),
                rt.name(),
                listed.join(", "),
                rt.hint().replacen("its ", "their ", 1)
            )
        }
    }
}

/// Sample every thread of `procs`. Kernel frames are dropped (with a note) when only
/// user-space sampling is permitted.
fn attach(procs: &[Process], period_ns: u64, notes: &mut Vec<String>) -> Result<(Session, bool)> {
    let mut session = Session::new(perf::Config {
        period_ns,
        kernel: true,
        pages: PAGES,
    })
    .map_err(|e| Error::io("preparing perf events", e))?;
    let mut kernel = true;
    let mut attached = 0usize;
    let mut skipped = 0usize;
    for p in procs {
        for tid in threads(p.pid) {
            if attached >= MAX_THREADS {
                skipped += 1;
                continue;
            }
            let mut result = session.attach(tid, kernel);
            if kernel && result.as_ref().is_err_and(is_denied) && session.attach(tid, false).is_ok()
            {
                kernel = false;
                result = Ok(());
            }
            match result {
                Ok(()) => attached += 1,
                // The thread ended between listing and attaching.
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {}
                Err(e) if is_denied(&e) || e.raw_os_error() == Some(libc::ENOSYS) => {
                    return Err(Error::Usage(explain_denied(p, &e)));
                }
                Err(e) if e.raw_os_error() == Some(libc::EMFILE) => {
                    return Err(Error::Usage(format!(
                        "out of file descriptors after {attached} threads ({} per thread):                          raise the limit (ulimit -n) or profile fewer processes",
                        session.fds_per_thread()
                    )));
                }
                Err(e) => {
                    return Err(Error::io(
                        format!(
                            "perf_event_open on thread {tid} of process {} ({})",
                            p.pid, p.name
                        ),
                        e,
                    ));
                }
            }
        }
    }
    if attached == 0 {
        return Err(Error::NotFound(
            "none of the target's threads could be sampled: they all exited".into(),
        ));
    }
    if skipped > 0 {
        notes.push(format!(
            "{skipped} threads were not sampled: at most {MAX_THREADS} threads per profile"
        ));
    }
    Ok((session, kernel))
}

fn is_denied(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EACCES | libc::EPERM))
}

fn kernel_excluded_note() -> String {
    format!(
        "kernel frames are excluded: kernel.perf_event_paranoid is {} and this user lacks CAP_PERFMON",
        perf::paranoid_level().map_or_else(|| "unknown".to_string(), |p| p.to_string())
    )
}

/// Why perf events were refused, and what to do about it.
pub fn explain_denied(p: &Process, e: &std::io::Error) -> String {
    let paranoid = perf::paranoid_level();
    let level = match paranoid {
        Some(l) => {
            let meaning = match l {
                i32::MIN..=-1 => "no restrictions",
                0 => "user and kernel profiling of processes this user may trace",
                1 => "user and kernel profiling of own processes",
                2 => "user-space profiling of own processes only",
                _ => "no perf events for unprivileged users",
            };
            format!("kernel.perf_event_paranoid is {l} ({meaning})")
        }
        None => "kernel.perf_event_paranoid is unreadable".into(),
    };
    if e.raw_os_error() == Some(libc::ENOSYS) {
        return format!(
            "perf events are not available for process {} ({}): perf_event_open is missing \
             (a kernel without CONFIG_PERF_EVENTS, or a seccomp filter such as a container \
             runtime's default profile); pass --coarse for per-thread CPU times from /proc \
             instead of call stacks",
            p.pid, p.name
        );
    }
    format!(
        "perf events are not permitted for process {} ({}): {e}. {level}; profiling another \
         user's process needs root or CAP_PERFMON (CAP_SYS_ADMIN before Linux 5.8) and ptrace \
         access, and inside a container the seccomp profile (Docker's default blocks \
         perf_event_open) or a dropped capability can refuse it. Pass --coarse for per-thread \
         CPU times from /proc instead of call stacks",
        p.pid, p.name
    )
}

/// The threads of a process (empty when it is gone).
pub fn threads(pid: u32) -> Vec<u32> {
    let mut tids: Vec<u32> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    tids.sort_unstable();
    tids
}

fn comm(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim_end().to_string())
}

/// CPU time of a thread in nanoseconds: `schedstat` (nanosecond precision) where the
/// kernel has it, else utime + stime from `stat` (in USER_HZ, which Linux fixes at 100).
fn thread_cpu_ns(pid: u32, tid: u32) -> Option<u64> {
    let base = format!("/proc/{pid}/task/{tid}");
    if let Ok(s) = std::fs::read_to_string(format!("{base}/schedstat"))
        && let Some(ns) = s.split_whitespace().next().and_then(|v| v.parse().ok())
    {
        return Some(ns);
    }
    let stat = std::fs::read_to_string(format!("{base}/stat")).ok()?;
    // The name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) * 10_000_000)
}

/// The coarse fallback: CPU time each thread used over the window, read from /proc (no
/// call stacks, no perf events needed). Threads that appear are counted from zero, threads
/// that end keep their last reading.
pub fn coarse(procs: &[Process], duration: Duration, cancel: &Cancel) -> Result<Vec<u8>> {
    const POLL: Duration = Duration::from_millis(250);
    let started_at = SystemTime::now();
    let started = Instant::now();
    // (pid, tid) → (first reading, last reading, name).
    let mut seen: BTreeMap<(u32, u32), (u64, u64, String)> = BTreeMap::new();
    let mut first = true;
    let read_all = |seen: &mut BTreeMap<(u32, u32), (u64, u64, String)>, first: bool| {
        for p in procs {
            for tid in threads(p.pid) {
                let Some(ns) = thread_cpu_ns(p.pid, tid) else {
                    continue;
                };
                let e = seen.entry((p.pid, tid)).or_insert_with(|| {
                    let name = comm(&format!("/proc/{}/task/{tid}/comm", p.pid))
                        .unwrap_or_else(|| format!("thread {tid}"));
                    (if first { ns } else { 0 }, ns, name)
                });
                e.1 = ns;
            }
        }
    };
    loop {
        read_all(&mut seen, first);
        first = false;
        if started.elapsed() >= duration {
            break;
        }
        cancel.check()?;
        std::thread::sleep(POLL.min(duration.saturating_sub(started.elapsed())));
    }
    if seen.is_empty() {
        return Err(Error::NotFound(
            "the target's threads could not be read from /proc: they exited".into(),
        ));
    }
    let mut b = Builder::new(&[("cpu", "nanoseconds")]);
    b.timing(started_at, started.elapsed());
    b.comment(
        "coarse fallback: CPU time per thread read from /proc over the window; \
         no call stacks (perf events were not used)",
    );
    let names: HashMap<u32, &str> = procs.iter().map(|p| (p.pid, p.name.as_str())).collect();
    for ((pid, tid), (from, to, name)) in &seen {
        let used = to.saturating_sub(*from);
        if used == 0 {
            continue;
        }
        let proc_frame = b.frame(&format!(
            "{} (pid {pid})",
            names.get(pid).copied().unwrap_or("?")
        ));
        let thread_frame = b.frame(&format!("{name} (tid {tid})"));
        b.sample(
            vec![thread_frame, proc_frame],
            &[i64::try_from(used).unwrap_or(i64::MAX)],
            vec![("thread".into(), LabelValue::Str(name.clone()))],
        );
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cpu_time_of_own_threads() {
        let me = std::process::id();
        let tids = threads(me);
        assert!(tids.contains(&me));
        // Burn a little CPU so the reading is non-zero.
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        assert!(x > 0);
        assert!(thread_cpu_ns(me, me).is_some_and(|ns| ns > 0));
        assert!(thread_cpu_ns(me, u32::MAX).is_none());
    }

    #[test]
    fn one_note_per_runtime_without_a_map() {
        let procs: Vec<(String, String)> = (1..=7)
            .map(|i| {
                (
                    format!("process {i} (python3)"),
                    format!("/tmp/perf-{i}.map"),
                )
            })
            .collect();
        let one = without_map_note(perfmap::Runtime::Python, &procs[..1]);
        assert!(
            one.starts_with(
                "process 1 (python3) runs Python but publishes no perf map (/tmp/perf-1.map in its root): its Python functions"
            ),
            "{one}"
        );
        let many = without_map_note(perfmap::Runtime::Python, &procs);
        assert!(
            many.starts_with("7 processes run Python but publish no perf map"),
            "{many}"
        );
        assert!(
            many.contains("process 5 (python3), and 2 more): their Python functions"),
            "{many}"
        );
        assert!(!many.contains("process 6"), "{many}");
        assert!(many.contains("python3 -X perf"), "{many}");
    }

    #[test]
    fn explains_refusals() {
        let p = Process {
            pid: 42,
            name: "db".into(),
        };
        let msg = explain_denied(&p, &std::io::Error::from_raw_os_error(libc::EACCES));
        assert!(msg.contains("process 42 (db)"), "{msg}");
        assert!(msg.contains("perf_event_paranoid"), "{msg}");
        assert!(msg.contains("--coarse"), "{msg}");
        let msg = explain_denied(&p, &std::io::Error::from_raw_os_error(libc::ENOSYS));
        assert!(msg.contains("seccomp"), "{msg}");
    }
}
