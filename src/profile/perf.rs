//! `perf_event_open`: software cpu-clock sampling events with kernel call chains on chosen
//! threads, their mmap'ed ring buffers, and the records read out of them as plain data.
//!
//! This is the only code here that talks to perf events; everything unsafe about them is in
//! this file, behind [`Session`].
#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};

/// `struct perf_event_attr` up to `PERF_ATTR_SIZE_VER5` (112 bytes): every kernel since
/// 4.1 accepts it, and we need nothing newer.
#[repr(C)]
#[derive(Default)]
struct PerfEventAttr {
    kind: u32,
    size: u32,
    config: u64,
    sample_period: u64,
    sample_type: u64,
    read_format: u64,
    flags: u64,
    wakeup_events: u32,
    bp_type: u32,
    config1: u64,
    config2: u64,
    branch_sample_type: u64,
    sample_regs_user: u64,
    sample_stack_user: u32,
    clockid: i32,
    sample_regs_intr: u64,
    aux_watermark: u32,
    sample_max_stack: u16,
    reserved: u16,
}

const PERF_TYPE_SOFTWARE: u32 = 1;
const PERF_COUNT_SW_CPU_CLOCK: u64 = 0;

const SAMPLE_IP: u64 = 1 << 0;
const SAMPLE_TID: u64 = 1 << 1;
const SAMPLE_TIME: u64 = 1 << 2;
const SAMPLE_CALLCHAIN: u64 = 1 << 5;
const SAMPLE_PERIOD: u64 = 1 << 8;

const FLAG_INHERIT: u64 = 1 << 1;
const FLAG_EXCLUDE_KERNEL: u64 = 1 << 5;
const FLAG_EXCLUDE_HV: u64 = 1 << 6;
const FLAG_COMM: u64 = 1 << 9;
const FLAG_EXCLUDE_CALLCHAIN_KERNEL: u64 = 1 << 21;

const PERF_FLAG_FD_CLOEXEC: libc::c_ulong = 8;

const RECORD_LOST: u32 = 2;
const RECORD_COMM: u32 = 3;
const RECORD_SAMPLE: u32 = 9;

/// Offsets in `struct perf_event_mmap_page`.
const DATA_HEAD: usize = 1024;
const DATA_TAIL: usize = 1032;
const DATA_OFFSET: usize = 1040;
const DATA_SIZE: usize = 1048;

/// Call-chain entries at or above this are context markers, not addresses.
const PERF_CONTEXT_MAX: u64 = (-4095i64) as u64;
const PERF_CONTEXT_KERNEL: u64 = (-128i64) as u64;
const PERF_CONTEXT_USER: u64 = (-512i64) as u64;

/// How a thread is sampled.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// CPU time between samples, in nanoseconds.
    pub period_ns: u64,
    /// Whether kernel frames are recorded (needs `perf_event_paranoid` ≤ 1 or privilege).
    pub kernel: bool,
    /// Ring buffer data pages (a power of two).
    pub pages: usize,
}

/// One frame of a call chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Frame {
    pub addr: u64,
    pub kernel: bool,
}

/// A record read from the ring buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Sample {
        pid: u32,
        tid: u32,
        period: u64,
        /// Leaf first.
        frames: Vec<Frame>,
    },
    /// The kernel dropped this many records because the buffer was full.
    Lost(u64),
    /// A thread was (re)named.
    Comm { pid: u32, tid: u32, name: String },
}

/// cpu-clock sampling events on a set of threads, one per thread and CPU (the kernel
/// refuses to mmap per-task events that are inherited unless they are bound to a CPU), with
/// one ring buffer per CPU that every event of that CPU writes to. Through `inherit`, the
/// threads and processes the targets create later are sampled too.
pub struct Session {
    config: Config,
    cpus: Vec<i32>,
    /// The ring buffer of each CPU, once an event exists there.
    buffers: Vec<Option<RingBuffer>>,
    /// Every other event: kept open for the session, closing one ends it.
    events: Vec<OwnedFd>,
    scratch: Vec<u8>,
}

impl Session {
    pub fn new(config: Config) -> io::Result<Session> {
        let cpus = online_cpus()?;
        raise_fd_limit();
        Ok(Session {
            config,
            buffers: cpus.iter().map(|_| None).collect(),
            cpus,
            events: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// Descriptors one thread costs.
    pub fn fds_per_thread(&self) -> usize {
        self.cpus.len()
    }

    /// Start sampling thread `tid` on every CPU. Kernel frames are included only when
    /// `config.kernel` is set.
    pub fn attach(&mut self, tid: u32, kernel: bool) -> io::Result<()> {
        let tid =
            libc::pid_t::try_from(tid).map_err(|_| io::Error::from_raw_os_error(libc::ESRCH))?;
        let config = Config {
            kernel,
            ..self.config
        };
        let mut opened = Vec::with_capacity(self.cpus.len());
        for cpu in &self.cpus {
            opened.push(open_event(tid, *cpu, &config)?);
        }
        for (i, fd) in opened.into_iter().enumerate() {
            match &self.buffers[i] {
                Some(rb) => {
                    // SAFETY: both are perf event descriptors we own, on the same CPU;
                    // SET_OUTPUT only makes `fd` write into the leader's buffer.
                    let rc = unsafe {
                        libc::ioctl(
                            fd.as_raw_fd(),
                            PERF_EVENT_IOC_SET_OUTPUT as _,
                            rb.fd.as_raw_fd(),
                        )
                    };
                    if rc != 0 {
                        return Err(io::Error::last_os_error());
                    }
                    self.events.push(fd);
                }
                None => self.buffers[i] = Some(RingBuffer::map(fd, self.config.pages)?),
            }
        }
        Ok(())
    }

    /// Read every record written since the last call.
    pub fn drain(&mut self, out: &mut Vec<Record>) {
        for rb in self.buffers.iter_mut().flatten() {
            rb.drain(&mut self.scratch, out);
        }
    }
}

const PERF_EVENT_IOC_SET_OUTPUT: libc::c_ulong = 0x2405;

/// Open one sampling event for `tid` on `cpu`.
fn open_event(tid: libc::pid_t, cpu: i32, config: &Config) -> io::Result<OwnedFd> {
    let mut flags = FLAG_INHERIT | FLAG_EXCLUDE_HV | FLAG_COMM;
    if !config.kernel {
        flags |= FLAG_EXCLUDE_KERNEL | FLAG_EXCLUDE_CALLCHAIN_KERNEL;
    }
    let attr = PerfEventAttr {
        kind: PERF_TYPE_SOFTWARE,
        size: std::mem::size_of::<PerfEventAttr>() as u32,
        config: PERF_COUNT_SW_CPU_CLOCK,
        sample_period: config.period_ns.max(1),
        sample_type: SAMPLE_IP | SAMPLE_TID | SAMPLE_TIME | SAMPLE_PERIOD | SAMPLE_CALLCHAIN,
        flags,
        // Never woken: we poll the buffers.
        wakeup_events: 0,
        ..PerfEventAttr::default()
    };
    // SAFETY: `attr` is a valid, initialised perf_event_attr whose `size` field matches its
    // layout; the kernel only reads it during the call.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            &attr as *const PerfEventAttr,
            tid,
            cpu as libc::c_int,
            -1 as libc::c_int,
            PERF_FLAG_FD_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = libc::c_int::try_from(fd).map_err(|_| io::Error::other("bad descriptor"))?;
    // SAFETY: the syscall returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// A perf ring buffer: the metadata page and 2^n data pages mapped from an event.
struct RingBuffer {
    fd: OwnedFd,
    base: *mut u8,
    map_len: usize,
    data_offset: usize,
    data_size: usize,
}

impl RingBuffer {
    fn map(fd: OwnedFd, pages: usize) -> io::Result<RingBuffer> {
        let page = page_size();
        let pages = pages.max(1).next_power_of_two();
        let map_len = page * (pages + 1);
        // SAFETY: mapping a perf event descriptor as the kernel documents it: 1 + 2^n pages,
        // shared, read-write so that we can advance `data_tail`.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let mut rb = RingBuffer {
            fd,
            base: base.cast::<u8>(),
            map_len,
            data_offset: page,
            data_size: page * pages,
        };
        // Kernels since 4.1 say where the data area is; older ones put it after one page.
        let (offset, size) = (rb.meta(DATA_OFFSET), rb.meta(DATA_SIZE));
        if size != 0 {
            rb.data_offset = usize::try_from(offset).unwrap_or(page);
            rb.data_size = usize::try_from(size).unwrap_or(page * pages);
        }
        Ok(rb)
    }

    fn meta_ptr(&self, offset: usize) -> &AtomicU64 {
        // SAFETY: `offset` is one of the 8-byte aligned fields of the first (metadata) page,
        // which stays mapped as long as `self` lives. The kernel updates `data_head`
        // concurrently, so every access goes through an atomic.
        unsafe { &*(self.base.add(offset).cast::<AtomicU64>()) }
    }

    fn meta(&self, offset: usize) -> u64 {
        self.meta_ptr(offset).load(Ordering::Acquire)
    }

    fn drain(&mut self, scratch: &mut Vec<u8>, out: &mut Vec<Record>) {
        let head = self.meta(DATA_HEAD);
        let tail = self.meta(DATA_TAIL);
        let pending = usize::try_from(head.wrapping_sub(tail)).unwrap_or(0);
        if pending == 0 || pending > self.data_size {
            return;
        }
        scratch.clear();
        scratch.resize(pending, 0);
        let start = usize::try_from(tail % self.data_size as u64).unwrap_or(0);
        let first = pending.min(self.data_size - start);
        // SAFETY: [tail, head) is the part of the data area the kernel has finished writing
        // and will not touch until we advance `data_tail`; both copies stay inside the data
        // area (start + first ≤ data_size, pending - first ≤ start) and inside `scratch`,
        // which has `pending` bytes.
        unsafe {
            let data = self.base.add(self.data_offset);
            std::ptr::copy_nonoverlapping(data.add(start), scratch.as_mut_ptr(), first);
            std::ptr::copy_nonoverlapping(data, scratch.as_mut_ptr().add(first), pending - first);
        }
        self.meta_ptr(DATA_TAIL).store(head, Ordering::Release);
        parse_records(scratch, out);
    }
}

// The mapping belongs to this value alone; moving it to another thread is fine.
unsafe impl Send for RingBuffer {}

impl Drop for RingBuffer {
    fn drop(&mut self) {
        // SAFETY: `base`/`map_len` are exactly what mmap returned, and nothing borrows the
        // mapping past this point. The descriptor closes after this (OwnedFd).
        unsafe {
            libc::munmap(self.base.cast(), self.map_len);
        }
    }
}

/// The online CPUs (`/sys/devices/system/cpu/online`, e.g. `0-3,8`).
fn online_cpus() -> io::Result<Vec<i32>> {
    let text = std::fs::read_to_string("/sys/devices/system/cpu/online")?;
    let cpus = parse_cpu_list(&text);
    if cpus.is_empty() {
        return Err(io::Error::other("no online CPUs listed"));
    }
    Ok(cpus)
}

fn parse_cpu_list(text: &str) -> Vec<i32> {
    let mut cpus = Vec::new();
    for part in text.trim().split(',').filter(|p| !p.is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        if let (Ok(a), Ok(b)) = (a.parse::<i32>(), b.parse::<i32>()) {
            cpus.extend(a..=b.min(a.saturating_add(4096)));
        }
    }
    cpus
}

/// Lift the soft descriptor limit to the hard one: a session needs threads × CPUs.
fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the struct we pass and nothing else.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).ok().filter(|n| *n > 0).unwrap_or(4096)
}

/// Parse the records in `buf` (whole records, as copied out of the ring).
fn parse_records(buf: &[u8], out: &mut Vec<Record>) {
    let mut at = 0;
    while at + 8 <= buf.len() {
        let kind = u32_at(buf, at);
        let size = usize::from(u16::from_ne_bytes([buf[at + 6], buf[at + 7]]));
        if size < 8 || at + size > buf.len() {
            break;
        }
        let body = &buf[at + 8..at + size];
        match kind {
            RECORD_SAMPLE => {
                if let Some(r) = parse_sample(body) {
                    out.push(r);
                }
            }
            RECORD_LOST if body.len() >= 16 => out.push(Record::Lost(u64_at(body, 8))),
            RECORD_COMM if body.len() > 8 => {
                let name = &body[8..];
                let end = name.iter().position(|b| *b == 0).unwrap_or(name.len());
                out.push(Record::Comm {
                    pid: u32_at(body, 0),
                    tid: u32_at(body, 4),
                    name: String::from_utf8_lossy(&name[..end]).into_owned(),
                });
            }
            _ => {}
        }
        at += size;
    }
}

/// `{ u64 ip; u32 pid, tid; u64 time; u64 period; u64 nr; u64 ips[nr]; }`, the layout
/// for the sample type we ask for.
fn parse_sample(b: &[u8]) -> Option<Record> {
    if b.len() < 40 {
        return None;
    }
    let pid = u32_at(b, 8);
    let tid = u32_at(b, 12);
    let period = u64_at(b, 24);
    let nr = usize::try_from(u64_at(b, 32)).ok()?;
    let ips = b.get(40..40usize.checked_add(nr.checked_mul(8)?)?)?;
    let mut frames = Vec::with_capacity(nr);
    let mut kernel = false;
    for chunk in ips.chunks_exact(8) {
        let addr = u64::from_ne_bytes(chunk.try_into().ok()?);
        if addr >= PERF_CONTEXT_MAX {
            match addr {
                PERF_CONTEXT_KERNEL => kernel = true,
                PERF_CONTEXT_USER => kernel = false,
                // Hypervisor and guest frames are not ours to symbolise: stop there.
                _ => break,
            }
            continue;
        }
        frames.push(Frame { addr, kernel });
    }
    if frames.is_empty() {
        frames.push(Frame {
            addr: u64_at(b, 0),
            kernel: false,
        });
    }
    Some(Record::Sample {
        pid,
        tid,
        period,
        frames,
    })
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_ne_bytes)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_ne_bytes)
}

/// `kernel.perf_event_paranoid`, if readable.
pub fn paranoid_level() -> Option<i32> {
    std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u32, body: &[u8]) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend_from_slice(&kind.to_ne_bytes());
        r.extend_from_slice(&0u16.to_ne_bytes());
        r.extend_from_slice(&((body.len() + 8) as u16).to_ne_bytes());
        r.extend_from_slice(body);
        r
    }

    #[test]
    fn parses_cpu_lists() {
        assert_eq!(parse_cpu_list("0-3,8\n"), [0, 1, 2, 3, 8]);
        assert_eq!(parse_cpu_list("0"), [0]);
        assert!(parse_cpu_list("x").is_empty());
    }

    #[test]
    fn attr_has_the_ver5_size() {
        assert_eq!(std::mem::size_of::<PerfEventAttr>(), 112);
    }

    #[test]
    fn parses_samples_with_kernel_and_user_frames() {
        let mut body = Vec::new();
        body.extend_from_slice(&0x1000u64.to_ne_bytes());
        body.extend_from_slice(&7u32.to_ne_bytes());
        body.extend_from_slice(&8u32.to_ne_bytes());
        for v in [
            99u64,
            10_101_010,
            5,
            PERF_CONTEXT_KERNEL,
            0xffff_ffff_8100_0000,
            PERF_CONTEXT_USER,
            0x1000,
            0x2000,
        ] {
            body.extend_from_slice(&v.to_ne_bytes());
        }
        let mut buf = record(RECORD_SAMPLE, &body);
        let mut lost = Vec::new();
        lost.extend_from_slice(&1u64.to_ne_bytes());
        lost.extend_from_slice(&42u64.to_ne_bytes());
        buf.extend(record(RECORD_LOST, &lost));
        let mut comm = Vec::new();
        comm.extend_from_slice(&7u32.to_ne_bytes());
        comm.extend_from_slice(&9u32.to_ne_bytes());
        comm.extend_from_slice(b"worker\0\0");
        buf.extend(record(RECORD_COMM, &comm));
        // A truncated record at the end is ignored, not misread.
        buf.extend_from_slice(&[9, 0, 0, 0, 0, 0, 200, 0]);
        let mut out = Vec::new();
        parse_records(&buf, &mut out);
        assert_eq!(
            out,
            [
                Record::Sample {
                    pid: 7,
                    tid: 8,
                    period: 10_101_010,
                    frames: vec![
                        Frame {
                            addr: 0xffff_ffff_8100_0000,
                            kernel: true
                        },
                        Frame {
                            addr: 0x1000,
                            kernel: false
                        },
                        Frame {
                            addr: 0x2000,
                            kernel: false
                        },
                    ],
                },
                Record::Lost(42),
                Record::Comm {
                    pid: 7,
                    tid: 9,
                    name: "worker".into()
                },
            ]
        );
    }

    #[test]
    fn hostile_lengths_do_not_panic() {
        let mut body = vec![0u8; 40];
        body[32..40].copy_from_slice(&u64::MAX.to_ne_bytes());
        let mut out = Vec::new();
        parse_records(&record(RECORD_SAMPLE, &body), &mut out);
        assert!(out.is_empty());
    }
}
