//! Socket inodes to processes: the `socket:[INODE]` links in `/proc/PID/fd`. Read only when a
//! dump shows sockets whose owner is not known yet, stopped as soon as all of them are
//! found, and bounded per collection.

use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Descriptor links read per collection at most (≈ 1 µs each): a host with more open
/// descriptors than this resolves new sockets over several collections.
pub const MAX_FD_READS: usize = 200_000;

/// What a scan found.
#[derive(Debug, Default)]
pub struct Found {
    /// Socket inode → pid, for the wanted inodes found.
    pub owners: HashMap<u64, u32>,
    /// Every candidate's descriptors were read (the budget did not run out).
    pub complete: bool,
}

/// The processes of `/proc` (numeric entries), or none when it cannot be read, in the order
/// a search for new sockets should read them: this process first (a scrape is a new socket of
/// ours), then the newest first (short-lived clients), the long-lived ones, whose many
/// sockets are already known, last.
pub fn all_pids(proc_root: &Path) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir(proc_root) else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    let me = std::process::id();
    // Pids grow until they wrap at pid_max: higher is newer, near enough.
    pids.sort_unstable_by_key(|p| (*p != me, std::cmp::Reverse(*p)));
    pids
}

/// Read the descriptors of `pids` until every inode in `wanted` is found or `budget`
/// descriptor reads are spent (it is decremented).
pub fn scan(proc_root: &Path, pids: &[u32], wanted: &HashSet<u64>, budget: &mut usize) -> Found {
    let mut found = Found {
        complete: true,
        ..Found::default()
    };
    if wanted.is_empty() {
        return found;
    }
    for &pid in pids {
        let Ok(dir) = std::fs::read_dir(proc_root.join(pid.to_string()).join("fd")) else {
            continue;
        };
        for entry in dir.filter_map(|e| e.ok()) {
            if *budget == 0 {
                found.complete = false;
                return found;
            }
            *budget -= 1;
            if let Some(inode) = std::fs::read_link(entry.path())
                .ok()
                .as_deref()
                .and_then(|t| t.to_str())
                .and_then(socket_inode)
                && wanted.contains(&inode)
            {
                found.owners.insert(inode, pid);
                if found.owners.len() == wanted.len() {
                    return found;
                }
            }
        }
    }
    found
}

/// The inode of a `socket:[12345]` link.
pub fn socket_inode(link: &str) -> Option<u64> {
    link.strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_our_listener_and_stops() {
        use std::os::fd::AsRawFd;
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let link = std::fs::read_link(format!("/proc/self/fd/{}", l.as_raw_fd())).unwrap();
        let inode = socket_inode(link.to_str().unwrap()).unwrap();
        let me = std::process::id();
        let wanted = HashSet::from([inode]);
        let mut budget = 100_000;
        let found = scan(Path::new("/proc"), &[me], &wanted, &mut budget);
        assert!(found.complete);
        assert_eq!(found.owners, HashMap::from([(inode, me)]));
        let mut none = 0;
        let found = scan(Path::new("/proc"), &[me], &wanted, &mut none);
        assert!(!found.complete && found.owners.is_empty());
    }

    #[test]
    fn parses_links() {
        assert_eq!(socket_inode("socket:[42]"), Some(42));
        assert_eq!(socket_inode("pipe:[42]"), None);
        assert_eq!(socket_inode("socket:[x]"), None);
    }
}
