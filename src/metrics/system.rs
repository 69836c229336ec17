//! Small kernel sources: load average, uname, the clock source and the time.

use std::path::Path;

/// This host's name (`gethostname(2)`, the UTS namespace's), or `unknown`.
pub(crate) fn hostname() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

pub(crate) fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut f = text.split_whitespace().map(|s| s.parse::<f64>().ok());
    Some([f.next()??, f.next()??, f.next()??])
}

/// What `uname(2)` says, read from /proc/sys/kernel (no unsafe call needed) and the build
/// target's architecture (what `uname -m` prints for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Uname {
    pub sysname: String,
    pub release: String,
    pub version: String,
    pub machine: String,
    pub nodename: String,
    pub domainname: String,
}

fn first_line(path: &Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path)?;
    Ok(text.lines().next().unwrap_or("").to_string())
}

pub(crate) fn uname(proc_root: &Path) -> std::io::Result<Uname> {
    let k = proc_root.join("sys/kernel");
    Ok(Uname {
        sysname: first_line(&k.join("ostype"))?,
        release: first_line(&k.join("osrelease"))?,
        version: first_line(&k.join("version"))?,
        machine: std::env::consts::ARCH.to_string(),
        nodename: first_line(&k.join("hostname"))?,
        domainname: first_line(&k.join("domainname"))?,
    })
}

/// The clock sources of clocksource device 0: (available, current).
pub(crate) fn clocksource(sys_root: &Path) -> Option<(Vec<String>, String)> {
    let dir = sys_root.join("devices/system/clocksource/clocksource0");
    let available = std::fs::read_to_string(dir.join("available_clocksource")).ok()?;
    let current = first_line(&dir.join("current_clocksource")).ok()?;
    let available = available
        .split_whitespace()
        .take(64)
        .map(str::to_string)
        .collect();
    Some((available, current.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loadavg() {
        assert_eq!(
            parse_loadavg("0.95 1.06 0.65 5/102 29538\n"),
            Some([0.95, 1.06, 0.65])
        );
        assert_eq!(parse_loadavg("0.95 x"), None);
        assert_eq!(parse_loadavg(""), None);
    }

    #[test]
    fn real_uname() {
        let u = uname(Path::new("/proc")).unwrap();
        assert_eq!(u.sysname, "Linux");
        assert!(!u.release.is_empty());
        assert!(uname(Path::new("/nonexistent")).is_err());
    }
}
