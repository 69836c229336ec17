//! /proc/stat: CPU time by mode (all CPUs and each), context switches, interrupts, forks,
//! runnable and blocked processes, boot time.

/// The columns of a `cpu` line, in ticks, in the kernel's order.
pub(crate) const MODES: [&str; 8] = [
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
];

/// One `cpu`/`cpuN` line: the eight modes of [`MODES`] and the two guest columns (guest,
/// guest_nice), in ticks. Missing trailing columns (old kernels) are 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CpuLine {
    pub modes: [u64; 8],
    pub guest: [u64; 2],
}

impl CpuLine {
    /// user + nice + system + irq + softirq + steal. Guest time is already inside user and
    /// nice, so it is not added again.
    pub fn busy(&self) -> u64 {
        let m = &self.modes;
        m[0] + m[1] + m[2] + m[5] + m[6] + m[7]
    }

    /// busy + idle + iowait.
    pub fn total(&self) -> u64 {
        self.busy() + self.modes[3] + self.modes[4]
    }
}

/// Everything read from /proc/stat.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Stat {
    /// The aggregate `cpu` line.
    pub all: CpuLine,
    /// `cpuN` lines, by N.
    pub cpus: Vec<(u32, CpuLine)>,
    pub context_switches: Option<u64>,
    /// The first number of the `intr` line: all interrupts since boot.
    pub interrupts: Option<u64>,
    pub boot_time: Option<u64>,
    /// `processes`: forks since boot.
    pub forks: Option<u64>,
    pub procs_running: Option<u64>,
    pub procs_blocked: Option<u64>,
}

fn cpu_line(rest: &str) -> Option<CpuLine> {
    let mut v = [0u64; 10];
    let mut n = 0;
    for (slot, field) in v.iter_mut().zip(rest.split_whitespace()) {
        *slot = field.parse().ok()?;
        n += 1;
    }
    // user nice system idle at least.
    if n < 4 {
        return None;
    }
    let mut modes = [0; 8];
    modes.copy_from_slice(&v[..8]);
    Some(CpuLine {
        modes,
        guest: [v[8], v[9]],
    })
}

/// `None` without an aggregate `cpu` line; other lines that do not parse are skipped.
pub(crate) fn parse(text: &str) -> Option<Stat> {
    let mut stat = Stat::default();
    let mut seen_all = false;
    for line in text.lines() {
        let Some((key, rest)) = line.split_once(' ') else {
            continue;
        };
        let first = || rest.split_whitespace().next().and_then(|n| n.parse().ok());
        match key {
            "cpu" => {
                stat.all = cpu_line(rest)?;
                seen_all = true;
            }
            "ctxt" => stat.context_switches = first(),
            "intr" => stat.interrupts = first(),
            "btime" => stat.boot_time = first(),
            "processes" => stat.forks = first(),
            "procs_running" => stat.procs_running = first(),
            "procs_blocked" => stat.procs_blocked = first(),
            _ => {
                if let Some(n) = key.strip_prefix("cpu").and_then(|n| n.parse().ok())
                    && let Some(l) = cpu_line(rest)
                {
                    stat.cpus.push((n, l));
                }
            }
        }
    }
    seen_all.then_some(stat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_stat() {
        let text = "cpu  100 5 50 1000 20 3 2 1 40 7\ncpu0 60 5 30 500 10 2 1 1 40 7\ncpu1 40 0 20 500 10 1 1 0 0 0\n\
                    intr 263787 0 9 0\nctxt 424466\nbtime 1796035256\nprocesses 10601\nprocs_running 6\nprocs_blocked 1\nsoftirq 5 1 2\n";
        let s = parse(text).unwrap();
        assert_eq!(s.all.modes, [100, 5, 50, 1000, 20, 3, 2, 1]);
        assert_eq!(s.all.guest, [40, 7]);
        assert_eq!((s.all.busy(), s.all.total()), (161, 1181));
        assert_eq!(s.cpus.len(), 2);
        assert_eq!(s.cpus[1].0, 1);
        assert_eq!(s.interrupts, Some(263787));
        assert_eq!(s.context_switches, Some(424466));
        assert_eq!(s.boot_time, Some(1796035256));
        assert_eq!(s.forks, Some(10601));
        assert_eq!((s.procs_running, s.procs_blocked), (Some(6), Some(1)));
    }

    #[test]
    fn old_and_hostile() {
        // Very old kernels have only four columns.
        let s = parse("cpu 1 2 3 4\n").unwrap();
        assert_eq!((s.all.busy(), s.all.total()), (6, 10));
        assert_eq!(parse("cpu0 1 2 3 4\n"), None);
        assert_eq!(parse("cpu 1 x 3 4\n"), None);
        assert_eq!(parse("cpu 1 2\n"), None);
        assert_eq!(parse(""), None);
        // Garbage lines next to a good one are skipped.
        let s = parse("cpu 1 2 3 4\ncpuX 1\ncpu7 a\nctxt x\n\u{0}\n").unwrap();
        assert!(s.cpus.is_empty());
        assert_eq!(s.context_switches, None);
    }
}
