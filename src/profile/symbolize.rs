//! Addresses to function names, files and lines. User frames come from the target's own ELF
//! files and their DWARF (read through `/proc/PID/map_files`, so a container's binaries are
//! found in its mount namespace); kernel frames come from `/proc/kallsyms`.
//!
//! We use blazesym rather than our own ELF reader: it handles DWARF line tables and inlined
//! functions, compressed debug sections, separate debug files, the vDSO and Rust/C++
//! demangling, which an own symtab reader would have to grow one by one. BENCHMARKS.md has
//! its cost. JIT runtimes' perf maps are read by [`super::perfmap`] instead of blazesym's
//! reader, which maps the whole file (a target that truncates it would crash us with
//! SIGBUS), has no size bound and follows symlinks out of a container's root.

use std::collections::HashMap;
use std::num::NonZeroU32;

use blazesym::symbolize::{self, Input, Symbolized, cache, source};

use super::pprof::FrameLine;

/// A mapping line of `/proc/PID/maps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Map {
    pub start: u64,
    pub end: u64,
    pub offset: u64,
    pub perms: String,
    /// The file, `[heap]`-style pseudo name, or empty for anonymous memory.
    pub path: String,
}

/// Parse `/proc/PID/maps` text.
pub fn parse_maps(text: &str) -> Vec<Map> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.splitn(6, ' ');
            let (range, perms, offset) = (f.next()?, f.next()?, f.next()?);
            let (_dev, _inode) = (f.next()?, f.next()?);
            let path = f.next().unwrap_or("").trim_start().to_string();
            let (start, end) = range.split_once('-')?;
            Some(Map {
                start: u64::from_str_radix(start, 16).ok()?,
                end: u64::from_str_radix(end, 16).ok()?,
                offset: u64::from_str_radix(offset, 16).ok()?,
                perms: perms.to_string(),
                path,
            })
        })
        .collect()
}

/// The executable mappings of a process, sorted by address (empty when it is gone).
pub fn executable_maps(pid: u32) -> Vec<Map> {
    let mut maps: Vec<Map> = std::fs::read_to_string(format!("/proc/{pid}/maps"))
        .map(|t| parse_maps(&t))
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.perms.contains('x'))
        .collect();
    maps.sort_by_key(|m| m.start);
    maps
}

/// The mapping holding `addr`.
pub fn find(maps: &[Map], addr: u64) -> Option<&Map> {
    let i = maps.partition_point(|m| m.start <= addr);
    maps[..i].last().filter(|m| addr < m.end)
}

/// Resolves addresses; not `Send` (blazesym's caches are per thread), so it lives on the
/// profiling thread.
pub struct Symbolizer {
    inner: symbolize::Symbolizer,
    kernel_ok: bool,
}

impl Default for Symbolizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Symbolizer {
    pub fn new() -> Self {
        let inner = symbolize::Symbolizer::builder()
            .enable_code_info(true)
            .enable_inlined_fns(true)
            .enable_demangling(true)
            .build();
        Symbolizer {
            inner,
            kernel_ok: true,
        }
    }

    /// Remember a process's mappings now, so that its samples can still be symbolised if it
    /// exits before the profile ends.
    pub fn remember(&self, pid: u32) {
        if let Some(pid) = NonZeroU32::new(pid) {
            let mut c = cache::Process::new(blazesym::Pid::Pid(pid));
            c.cache_perf_map = false;
            let _ = self.inner.cache(&cache::Cache::Process(c));
        }
    }

    /// Symbolise user-space addresses of `pid`; one entry per address, `None` when unknown.
    pub fn user(&self, pid: u32, addrs: &[u64]) -> Vec<Option<Vec<FrameLine>>> {
        let Some(nz) = NonZeroU32::new(pid) else {
            return vec![None; addrs.len()];
        };
        let mut process = source::Process::new(blazesym::Pid::Pid(nz));
        process.perf_map = false;
        let src = source::Source::Process(process);
        self.resolve(&src, addrs)
    }

    /// Symbolise kernel addresses.
    pub fn kernel(&mut self, addrs: &[u64]) -> Vec<Option<Vec<FrameLine>>> {
        if !self.kernel_ok {
            return vec![None; addrs.len()];
        }
        let src = source::Source::Kernel(source::Kernel::default());
        let out = self.resolve(&src, addrs);
        if out.iter().all(Option::is_none) {
            // Without readable kallsyms every later call would fail the same way.
            self.kernel_ok = false;
        }
        out
    }

    fn resolve(&self, src: &source::Source, addrs: &[u64]) -> Vec<Option<Vec<FrameLine>>> {
        match self.inner.symbolize(src, Input::AbsAddr(addrs)) {
            Ok(syms) => syms.into_iter().map(to_lines).collect(),
            Err(_) => vec![None; addrs.len()],
        }
    }
}

/// A symbol as pprof lines, innermost inlined function first.
fn to_lines(s: Symbolized<'_>) -> Option<Vec<FrameLine>> {
    let sym = s.into_sym()?;
    let line_of = |info: &Option<symbolize::CodeInfo<'_>>| match info {
        Some(ci) => (
            ci.to_path().display().to_string(),
            ci.line.map_or(0, i64::from),
        ),
        None => (String::new(), 0),
    };
    let mut lines: Vec<FrameLine> = sym
        .inlined
        .iter()
        .rev()
        .map(|f| {
            let (file, line) = line_of(&f.code_info);
            FrameLine {
                function: f.name.to_string(),
                file,
                line,
            }
        })
        .collect();
    let (file, line) = line_of(&sym.code_info.as_deref().cloned());
    lines.push(FrameLine {
        function: sym.name.to_string(),
        file,
        line,
    });
    Some(lines)
}

/// Names for addresses nothing could symbolise: `libfoo.so+0x1a2b`, or the bare address.
pub fn unknown_name(maps: &HashMap<u32, Vec<Map>>, pid: u32, addr: u64) -> String {
    match maps.get(&pid).and_then(|m| find(m, addr)) {
        Some(m) if !m.path.is_empty() => {
            let file = m.path.rsplit('/').next().unwrap_or(&m.path);
            format!("{file}+0x{:x}", addr - m.start + m.offset)
        }
        _ => format!("0x{addr:x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_maps_and_finds_addresses() {
        let text = "\
55d0c0a00000-55d0c0a20000 r--p 00000000 08:01 123 /usr/bin/spin
55d0c0a20000-55d0c0a80000 r-xp 00020000 08:01 123 /usr/bin/spin
7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n\
7ffd1000000-7ffd1021000 rw-p 00000000 00:00 0                          [stack]
garbage line
";
        let maps = parse_maps(text);
        assert_eq!(maps.len(), 4);
        assert_eq!(maps[1].path, "/usr/bin/spin");
        assert_eq!(maps[2].path, "");
        assert_eq!(maps[3].path, "[stack]");
        let exec: Vec<Map> = maps.into_iter().filter(|m| m.perms.contains('x')).collect();
        assert_eq!(find(&exec, 0x55d0c0a20010).unwrap().offset, 0x20000);
        assert!(find(&exec, 0x55d0c0a80000).is_none());
        assert!(find(&exec, 0x1).is_none());
        let by_pid = HashMap::from([(7, exec)]);
        assert_eq!(unknown_name(&by_pid, 7, 0x55d0c0a20010), "spin+0x20010");
        assert_eq!(unknown_name(&by_pid, 8, 0x10), "0x10");
    }

    #[test]
    fn symbolises_a_function_of_this_process() {
        let s = Symbolizer::new();
        let addr = parses_maps_and_finds_addresses as *const () as usize as u64;
        let lines = s.user(std::process::id(), &[addr]).remove(0).unwrap();
        let leaf = lines.last().unwrap();
        assert!(
            leaf.function.contains("parses_maps_and_finds_addresses"),
            "{lines:?}"
        );
    }
}
