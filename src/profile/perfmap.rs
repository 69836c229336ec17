//! JIT frame names from the perf maps runtimes publish, and hints for runtimes that publish none.
//!
//! Python 3.12+ (`-X perf`), Node (`--perf-basic-prof`) and the JVM (perf-map-agent, or
//! `jcmd PID Compiler.perfmap`) write one line per compiled function, `START SIZE name`
//! with hexadecimal numbers, to `/tmp/perf-<pid>.map` as the process sees `/tmp` and its
//! own pid. We open it through `/proc/PID/root` with `openat2(RESOLVE_IN_ROOT)`, so a
//! container's or a `PrivateTmp=` service's file is found and a symlink planted in it
//! cannot lead outside its root, and only a regular file is read. The file is the
//! target's to write: it is read up to [`MAX_BYTES`] and [`MAX_LINES`], lines that do not
//! parse are skipped, and only the lines covering the sampled addresses are kept (the
//! addresses are sorted and binary-searched per line), so memory does not grow with the map.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::os::fd::AsFd;
use std::path::Path;

use nix::fcntl::{OFlag, OpenHow, ResolveFlag, openat2};
use nix::sys::stat::Mode;

use super::symbolize::Map;

/// Bytes of a map read at most; the rest is left out, with a note.
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Lines of a map read at most.
pub const MAX_LINES: usize = 2_000_000;
/// Longer lines are skipped (no runtime writes names this long).
const MAX_LINE: usize = 8 * 1024;

/// Read limits, so tests can use small ones.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub bytes: u64,
    pub lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            bytes: MAX_BYTES,
            lines: MAX_LINES,
        }
    }
}

/// What a scan of one map found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    /// A name for each wanted address some line covers; a later line wins (code moved or
    /// replaced), as perf itself does.
    pub names: HashMap<u64, String>,
    pub lines: usize,
    /// Lines that did not parse (or were too long).
    pub skipped: usize,
    /// The map was longer than the limits.
    pub truncated: bool,
}

/// One line: start, size and name. `None` for anything malformed: numbers that are not
/// plain hex (an optional `0x`, at most 16 digits), a zero size, a range past the end of
/// the address space, or no name. Control characters in the name become U+FFFD (names
/// are shown on terminals); invalid UTF-8 is replaced likewise.
pub fn parse_line(line: &[u8]) -> Option<(u64, u64, String)> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut rest = line.trim_ascii_start();
    let mut field = || {
        let end = rest
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(rest.len());
        let (f, r) = rest.split_at(end);
        rest = r.trim_ascii_start();
        f
    };
    let start = hex(field())?;
    let size = hex(field())?;
    let name = rest.trim_ascii_end();
    if size == 0 || name.is_empty() {
        return None;
    }
    start.checked_add(size)?;
    let name = String::from_utf8_lossy(name)
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    Some((start, size, name))
}

fn hex(f: &[u8]) -> Option<u64> {
    let digits = f
        .strip_prefix(b"0x")
        .or_else(|| f.strip_prefix(b"0X"))
        .unwrap_or(f);
    if digits.is_empty() || digits.len() > 16 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    // All ASCII hex digits: valid UTF-8 and a valid number of at most 64 bits.
    u64::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// Read `r` line by line within `limits`, naming the addresses of `wanted` (sorted,
/// without duplicates) that a line covers.
pub fn scan<R: Read>(r: R, wanted: &[u64], limits: Limits) -> io::Result<Scan> {
    let mut out = Scan::default();
    let mut reader = BufReader::new(r.take(limits.bytes));
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        let Some((too_long, ended)) = next_line(&mut reader, &mut line)? else {
            break;
        };
        // A last line without its newline was cut by the byte limit (or is still being
        // written): its numbers or name may be partial.
        if !ended && reader.get_ref().limit() == 0 {
            break;
        }
        if out.lines >= limits.lines {
            out.truncated = true;
            return Ok(out);
        }
        out.lines += 1;
        let parsed = if too_long { None } else { parse_line(&line) };
        let Some((start, size, name)) = parsed else {
            if !line.trim_ascii().is_empty() || too_long {
                out.skipped += 1;
            }
            continue;
        };
        let end = start.saturating_add(size);
        let mut i = wanted.partition_point(|a| *a < start);
        while let Some(a) = wanted.get(i).filter(|a| **a < end) {
            out.names.insert(*a, name.clone());
            i += 1;
        }
    }
    // The byte limit ends the read silently: look for one more byte behind it.
    let mut inner = reader.into_inner();
    if inner.limit() == 0 {
        let mut one = [0u8; 1];
        out.truncated = inner.get_mut().read(&mut one)? > 0;
    }
    Ok(out)
}

/// The next line into `buf` (without its newline), at most [`MAX_LINE`] bytes of it, with
/// whether it was longer (the rest is consumed) and whether it ended in a newline; `None`
/// at the end.
fn next_line<R: BufRead>(r: &mut R, buf: &mut Vec<u8>) -> io::Result<Option<(bool, bool)>> {
    let mut read_any = false;
    let mut too_long = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(read_any.then_some((too_long, false)));
        }
        read_any = true;
        let (part, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (&chunk[..i], i + 1),
            None => (chunk, chunk.len()),
        };
        let room = MAX_LINE.saturating_sub(buf.len());
        if part.len() > room {
            too_long = true;
        }
        buf.extend_from_slice(&part[..part.len().min(room)]);
        let newline = done > part.len();
        r.consume(done);
        if newline {
            return Ok(Some((too_long, true)));
        }
    }
}

/// The pid a process sees itself as: the last number of `NStgid:` (or `NSpid:`) in
/// `/proc/PID/status` text; `None` when neither line is there (no pid namespaces).
pub fn ns_pid(status: &str) -> Option<u32> {
    ["NStgid:", "NSpid:"].iter().find_map(|key| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))?
            .split_whitespace()
            .next_back()?
            .parse()
            .ok()
    })
}

/// What became of one process's map.
#[derive(Debug)]
pub enum Outcome {
    /// The process exited: nothing can be said.
    Gone,
    /// The process publishes no map at `path` (as it names it).
    Absent { path: String },
    /// `path` is the map as the process names it.
    Read { path: String, scan: Scan },
    /// There is something, but it could not be read: why.
    Unreadable { path: String, why: String },
}

/// Look up `wanted` (sorted, without duplicates) in the perf map of `pid`.
pub fn lookup(pid: u32, wanted: &[u64]) -> Outcome {
    lookup_in(pid, wanted, Limits::default())
}

fn lookup_in(pid: u32, wanted: &[u64], limits: Limits) -> Outcome {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return Outcome::Gone;
    };
    let inner = ns_pid(&status).unwrap_or(pid);
    let path = format!("/tmp/perf-{inner}.map");
    let file = match open_in_root(Path::new(&format!("/proc/{pid}/root")), &path) {
        Ok(Some(f)) => f,
        Ok(None) => return Outcome::Absent { path },
        Err(e) => {
            return Outcome::Unreadable {
                path,
                why: e.to_string(),
            };
        }
    };
    match scan(file, wanted, limits) {
        Ok(scan) => Outcome::Read { path, scan },
        Err(e) => Outcome::Unreadable {
            path,
            why: e.to_string(),
        },
    }
}

/// Open `path` (absolute, as the process sees it) inside `root` (`/proc/PID/root`):
/// symlinks are resolved within that root, magic links refused, and only a regular file is
/// returned. `None` when it does not exist or the process is gone.
fn open_in_root(root: &Path, path: &str) -> io::Result<Option<File>> {
    let root = match File::open(root) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ESRCH) => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let how = OpenHow::new()
        .flags(OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK | OFlag::O_NOCTTY)
        .mode(Mode::empty())
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let fd = match openat2(root.as_fd(), path.trim_start_matches('/'), how) {
        Ok(fd) => fd,
        Err(nix::errno::Errno::ENOENT) | Err(nix::errno::Errno::ESRCH) => return Ok(None),
        Err(nix::errno::Errno::ENOSYS) => {
            return Err(io::Error::other(
                "reading it safely needs openat2 (Linux 5.6 or later)",
            ));
        }
        Err(e) => return Err(io::Error::from(e)),
    };
    let file = File::from(fd);
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("it is not a regular file"));
    }
    Ok(Some(file))
}

/// A runtime that can publish a perf map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Python,
    Node,
    Java,
}

impl Runtime {
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Python => "Python",
            Runtime::Node => "Node.js",
            Runtime::Java => "Java",
        }
    }

    /// What its frames look like without a map, and how to turn the map on.
    pub fn hint(self) -> &'static str {
        match self {
            Runtime::Python => {
                "its Python functions show as the interpreter (_PyEval_EvalFrameDefault); \
                 on Python 3.12 or later start it with `python3 -X perf` or \
                 PYTHONPERFSUPPORT=1 (older versions cannot publish one)"
            }
            Runtime::Node => {
                "its JavaScript functions show as bare addresses; start it with \
                 `node --perf-basic-prof` (or NODE_OPTIONS=--perf-basic-prof)"
            }
            Runtime::Java => {
                "its compiled Java methods show as bare addresses; attach perf-map-agent, or \
                 on JDK 17 or later run `jcmd PID Compiler.perfmap` before profiling \
                 (and start the JVM with -XX:+PreserveFramePointer for whole stacks)"
            }
        }
    }
}

/// The runtime a process runs, from its executable mappings: a `python3.x` or `node`
/// executable, or `libpython`, `libnode` or `libjvm` loaded into another one.
pub fn runtime(maps: &[Map]) -> Option<Runtime> {
    maps.iter().find_map(|m| {
        let path = m.path.strip_suffix(" (deleted)").unwrap_or(&m.path);
        if !path.starts_with('/') {
            return None;
        }
        let file = path.rsplit('/').next().unwrap_or(path);
        let exe_python = file.strip_prefix("python").is_some_and(|v| {
            v.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !v.ends_with('.')
        });
        if exe_python || file.starts_with("libpython") {
            Some(Runtime::Python)
        } else if file == "node" || file == "nodejs" || file.starts_with("libnode.so") {
            Some(Runtime::Node)
        } else if file == "java" || file == "libjvm.so" {
            Some(Runtime::Java)
        } else {
            None
        }
    })
}

/// Whether `addr` lies in anonymous executable memory of `maps` (executable mappings,
/// sorted), where JIT code lives: no file, an `[anon:…]` name or a memfd. An address in no
/// executable mapping is not code (a stack walked without frame pointers reads garbage).
pub fn in_anonymous_code(maps: &[Map], addr: u64) -> bool {
    super::symbolize::find(maps, addr).is_some_and(|m| {
        m.path.is_empty()
            || m.path.starts_with("[anon")
            || m.path.starts_with("/memfd:")
            || m.path.starts_with("//anon")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_good_lines_and_skips_hostile_ones() {
        assert_eq!(
            parse_line(b"7fa6fdfc5b80 2c8 JS:*hm_busy /tmp/busy.js:1:25"),
            Some((
                0x7fa6fdfc5b80,
                0x2c8,
                "JS:*hm_busy /tmp/busy.js:1:25".into()
            ))
        );
        assert_eq!(
            parse_line(b"0x10 0X20  py::f:/app/x.py\r"),
            Some((0x10, 0x20, "py::f:/app/x.py".into()))
        );
        assert_eq!(
            parse_line(b"10 2 evil\x1b[2Jname\xff"),
            Some((0x10, 2, "evil\u{fffd}[2Jname\u{fffd}".into()))
        );
        for bad in [
            &b""[..],
            b"   ",
            b"10",
            b"10 20",
            b"10 20   ",
            b"10 0 zero-size",
            b"+10 20 signed",
            b"10 -20 negative",
            b"0x 20 empty-hex",
            b"zz 20 not-hex",
            b"1 2x bad-size",
            b"11111111111111111 1 seventeen-digits",
            b"ffffffffffffffff 2 wraps",
            b"\xff\xfe 10 binary",
        ] {
            assert_eq!(parse_line(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn scans_hostile_maps_within_limits() {
        let mut text = Vec::new();
        text.extend_from_slice(b"1000 100 first\n");
        text.extend_from_slice(b"garbage\n\n");
        text.extend_from_slice(&vec![b'a'; 3 * MAX_LINE]);
        text.extend_from_slice(b"\n\x00\x01\x02\n");
        text.extend_from_slice(b"2000 10 second\r\n");
        // Replaced code: the later line wins.
        text.extend_from_slice(b"1000 80 first-again\n");
        text.extend_from_slice(b"ffffffff00000000 ffffffff last"); // no final newline
        let wanted = [0x500, 0x1000, 0x1090, 0x2005, 0x2010, 0xffffffff00000010];
        let s = scan(text.as_slice(), &wanted, Limits::default()).unwrap();
        assert_eq!(
            s.names.get(&0x1000).map(String::as_str),
            Some("first-again")
        );
        assert_eq!(s.names.get(&0x1090).map(String::as_str), Some("first"));
        assert_eq!(s.names.get(&0x2005).map(String::as_str), Some("second"));
        assert_eq!(
            s.names.get(&0xffffffff00000010).map(String::as_str),
            Some("last")
        );
        assert!(!s.names.contains_key(&0x500) && !s.names.contains_key(&0x2010));
        assert_eq!(s.lines, 8);
        assert_eq!(s.skipped, 3, "garbage, the long line and the binary one");
        assert!(!s.truncated);

        // Over the line limit: the first lines count, the rest is noted as left out.
        let s = scan(
            text.as_slice(),
            &wanted,
            Limits {
                bytes: MAX_BYTES,
                lines: 1,
            },
        )
        .unwrap();
        assert!(s.truncated);
        assert_eq!(s.names.get(&0x1000).map(String::as_str), Some("first"));
        assert_eq!(s.names.len(), 2);

        // Over the byte limit: a line cut in half does not parse into a wrong range.
        let s = scan(
            &b"1000 100 a\n2000 1000 b\n"[..],
            &[0x1000, 0x2000],
            Limits {
                bytes: 15,
                lines: MAX_LINES,
            },
        )
        .unwrap();
        assert!(s.truncated);
        assert_eq!(s.names.len(), 1, "{s:?}");
        // Exactly at the limit is not truncated.
        let s = scan(
            &b"1000 100 a\n"[..],
            &[0x1000],
            Limits {
                bytes: 11,
                lines: MAX_LINES,
            },
        )
        .unwrap();
        assert!(!s.truncated);
        // Binary noise never panics and names nothing.
        let noise: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        let s = scan(noise.as_slice(), &wanted, Limits::default()).unwrap();
        assert!(s.names.is_empty());
    }

    #[test]
    fn reads_the_inner_pid() {
        let status = "Name:\tnode\nNStgid:\t8682\t1\nNSpid:\t8682\t1\n";
        assert_eq!(ns_pid(status), Some(1));
        assert_eq!(ns_pid("NSpid:\t42\n"), Some(42));
        assert_eq!(ns_pid("Name:\tx\n"), None);
        assert_eq!(ns_pid("NStgid:\t\nNSpid:\tx\n"), None);
        let own = std::fs::read_to_string("/proc/self/status").unwrap();
        assert!(ns_pid(&own).is_some());
    }

    #[test]
    fn finds_own_map_inside_the_root_and_refuses_what_is_not_a_file() {
        // A map of our own, as a runtime would write it.
        let me = std::process::id();
        let inner = ns_pid(&std::fs::read_to_string("/proc/self/status").unwrap()).unwrap();
        let path = format!("/tmp/perf-{inner}.map");
        let _ = std::fs::remove_file(&path);
        assert!(matches!(lookup(me, &[0x10]), Outcome::Absent { path: p } if p == path));
        std::fs::write(&path, "10 10 own_jit_fn\n").unwrap();
        let found = lookup(me, &[0x10, 0x30]);
        std::fs::remove_file(&path).unwrap();
        match found {
            Outcome::Read { path: p, scan } => {
                assert_eq!(p, path);
                assert_eq!(
                    scan.names.get(&0x10).map(String::as_str),
                    Some("own_jit_fn")
                );
                assert_eq!(scan.names.len(), 1);
            }
            other => panic!("{other:?}"),
        }
        // A directory, or a FIFO (which must not block us), is not read.
        std::fs::create_dir(&path).unwrap();
        let found = lookup(me, &[0x10]);
        std::fs::remove_dir(&path).unwrap();
        assert!(
            matches!(&found, Outcome::Unreadable { why, .. } if why.contains("not a regular file")),
            "{found:?}"
        );
        nix::unistd::mkfifo(path.as_str(), Mode::from_bits_truncate(0o600)).unwrap();
        let found = lookup(me, &[0x10]);
        std::fs::remove_file(&path).unwrap();
        assert!(
            matches!(&found, Outcome::Unreadable { why, .. } if why.contains("not a regular file")),
            "{found:?}"
        );

        assert!(matches!(
            lookup(crate::model::profile::PID_MAX, &[0x10]),
            Outcome::Gone
        ));
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        // A file outside the target's root, and a target whose map links to it.
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret");
        std::fs::write(&secret, "10 10 host_secret\n").unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("tmp")).unwrap();
        let map = root.path().join("tmp/perf-1.map");
        std::os::unix::fs::symlink(&secret, &map).unwrap();
        assert!(
            open_in_root(root.path(), "/tmp/perf-1.map")
                .unwrap()
                .is_none()
        );
        // `..` stops at the root too.
        std::fs::remove_file(&map).unwrap();
        let up = "../".repeat(secret.components().count()) + secret.to_str().unwrap();
        std::os::unix::fs::symlink(up, &map).unwrap();
        assert!(
            open_in_root(root.path(), "/tmp/perf-1.map")
                .unwrap()
                .is_none()
        );
        // The same link target inside the root is found there.
        let inside = root.path().join(secret.strip_prefix("/").unwrap());
        std::fs::create_dir_all(inside.parent().unwrap()).unwrap();
        std::fs::write(&inside, "10 10 inside\n").unwrap();
        let mut text = String::new();
        open_in_root(root.path(), "/tmp/perf-1.map")
            .unwrap()
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "10 10 inside\n");
        assert!(
            open_in_root(&root.path().join("gone"), "/tmp/x")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn knows_runtimes_by_their_files() {
        let map = |path: &str| Map {
            start: 0,
            end: 1,
            offset: 0,
            perms: "r-xp".into(),
            path: path.into(),
        };
        let of = |paths: &[&str]| runtime(&paths.iter().map(|p| map(p)).collect::<Vec<_>>());
        assert_eq!(
            of(&["/usr/bin/python3.11", "/lib/libc.so.6"]),
            Some(Runtime::Python)
        );
        assert_eq!(of(&["/usr/bin/python3"]), Some(Runtime::Python));
        assert_eq!(
            of(&["/usr/sbin/uwsgi", "/usr/lib/libpython3.12.so.1.0"]),
            Some(Runtime::Python)
        );
        assert_eq!(of(&["/usr/bin/node (deleted)"]), Some(Runtime::Node));
        assert_eq!(of(&["/opt/jdk/lib/server/libjvm.so"]), Some(Runtime::Java));
        assert_eq!(
            of(&["/usr/bin/python-config", "/usr/bin/nodes", "", "[vdso]"]),
            None
        );
        assert_eq!(of(&["/usr/bin/python3.", "/srv/node_exporter"]), None);

        let maps = vec![
            Map {
                start: 0x1000,
                end: 0x2000,
                ..map("/usr/bin/node")
            },
            Map {
                start: 0x3000,
                end: 0x4000,
                ..map("")
            },
            Map {
                start: 0x5000,
                end: 0x6000,
                ..map("/memfd:jit (deleted)")
            },
        ];
        assert!(!in_anonymous_code(&maps, 0x1800));
        assert!(in_anonymous_code(&maps, 0x3800));
        assert!(in_anonymous_code(&maps, 0x5800));
        assert!(!in_anonymous_code(&maps, 0x9000));
    }
}
