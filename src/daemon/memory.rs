//! The agent's allocator footprint. glibc's malloc gives each thread that allocates an arena
//! of its own (up to eight per core), and an arena keeps what was freed in it: an agent whose
//! scrapes land on whichever runtime thread is free ends up holding a few idle megabytes per
//! thread. One arena, and handing freed pages back after each collection, keep the resident
//! set near what is in use. The two calls here are the only unsafe code of the agent.
#![allow(unsafe_code)]

/// Use one malloc arena for the whole process. Call before any thread is started.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of glibc's allocator; M_ARENA_MAX with a positive
    // value is documented as safe to set at any time, and no thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Return freed heap pages to the kernel.
pub fn trim() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes the allocator's own locks and only releases free memory.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Drop this process's mapping of its own code and read-only data once it has started. A
/// page of the executable, once used, stays in the resident set for good, and the kernel
/// maps the pages around each one used as well (fault-around, 64 KiB): start-up (argument
/// parsing, configuration, TLS and client set-up) leaves most of the 17 MB of code and 6 MB
/// of read-only data mapped, though a running agent uses a small part of them. Unmapping is
/// harmless for pages that are the file's bytes: the executable is never written while it
/// runs (ETXTBSY), so what is used again is mapped again from the page cache. Only mappings
/// of the program itself without a single anonymous (copied-on-write, e.g. relocated) page
/// are touched; the relocated read-only data is left alone.
pub fn release_startup_code() {
    #[cfg(target_os = "linux")]
    {
        let Ok(exe) = std::fs::read_link("/proc/self/exe") else {
            return;
        };
        let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
            return;
        };
        let mut current: Option<(usize, usize)> = None;
        for line in smaps.lines() {
            let mut f = line.split_whitespace();
            let Some(first) = f.next() else { continue };
            if let Some((start, end)) = first.split_once('-')
                && let (Ok(start), Ok(end)) = (
                    usize::from_str_radix(start, 16),
                    usize::from_str_radix(end, 16),
                )
            {
                // A mapping's header: `start-end perms offset dev inode path`.
                let perms = f.next();
                let path = f.nth(3);
                current =
                    (matches!(perms, Some("r-xp" | "r--p")) && path == exe.to_str() && end > start)
                        .then_some((start, end));
                continue;
            }
            // `Anonymous:` follows the header in every smaps block.
            if first == "Anonymous:"
                && let Some((start, end)) = current.take()
                && f.next() == Some("0")
            {
                // SAFETY: the range is a private, read-only mapping of our own executable
                // with no anonymous page: every page is the file's bytes, and the file is
                // never written while it runs. MADV_DONTNEED only removes page table
                // entries; a later access maps the identical bytes again.
                unsafe {
                    libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
                }
            }
        }
    }
}
