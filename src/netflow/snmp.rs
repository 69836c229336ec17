//! The TCP error counters of a network namespace: `/proc/PID/net/snmp` (`Tcp:` AttemptFails,
//! EstabResets, RetransSegs) and `/proc/PID/net/netstat` (`TcpExt:` ListenOverflows). A
//! failed connect leaves no socket to poll: only these namespace-wide counters see it.

use std::io;
use std::path::Path;

/// The error kinds, as the `kind` label, with the file's section and field.
pub const KINDS: [(&str, &str, &str); 4] = [
    ("failed_connect", "Tcp", "AttemptFails"),
    ("reset", "Tcp", "EstabResets"),
    ("retransmit", "Tcp", "RetransSegs"),
    ("listen_overflow", "TcpExt", "ListenOverflows"),
];

/// The four counters of [`KINDS`], in order, read through process `pid` (any process of
/// the namespace). A field the kernel does not have is 0.
pub fn read(proc_root: &Path, pid: u32) -> io::Result<[u64; 4]> {
    let dir = proc_root.join(pid.to_string()).join("net");
    let snmp = std::fs::read_to_string(dir.join("snmp"))?;
    let netstat = std::fs::read_to_string(dir.join("netstat"))?;
    let mut out = [0; 4];
    for (i, (_, section, field)) in KINDS.iter().enumerate() {
        let text = if *section == "Tcp" { &snmp } else { &netstat };
        out[i] = field_of(text, section, field).unwrap_or(0);
    }
    Ok(out)
}

/// In the `Section: names…` / `Section: values…` line pairs of snmp and netstat, the
/// value of `field`.
fn field_of(text: &str, section: &str, field: &str) -> Option<u64> {
    let prefix = format!("{section}:");
    let mut lines = text.lines().filter(|l| l.starts_with(&prefix));
    while let (Some(names), Some(values)) = (lines.next(), lines.next()) {
        let at = names.split_whitespace().position(|n| n == field);
        if let Some(at) = at {
            return values.split_whitespace().nth(at)?.parse().ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_pairs_of_lines() {
        let snmp = "Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoAlgorithm RtoMin ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\nTcp: 1 200 10 4 3 2 1 100 90 7 0 5 0\n";
        assert_eq!(field_of(snmp, "Tcp", "AttemptFails"), Some(3));
        assert_eq!(field_of(snmp, "Tcp", "RetransSegs"), Some(7));
        assert_eq!(field_of(snmp, "Tcp", "Nope"), None);
        assert_eq!(field_of("garbage", "Tcp", "RetransSegs"), None);
    }

    #[test]
    fn reads_our_namespace() {
        let v = read(Path::new("/proc"), std::process::id()).unwrap();
        assert_eq!(v.len(), 4);
    }
}
