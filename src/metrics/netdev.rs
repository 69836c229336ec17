//! /proc/net/dev (the node's, or a process's network namespace): every counter per interface.

/// The receive columns of /proc/net/dev, in order, as node_exporter names them.
pub(crate) const RECEIVE: [&str; 8] = [
    "bytes",
    "packets",
    "errs",
    "drop",
    "fifo",
    "frame",
    "compressed",
    "multicast",
];

/// The transmit columns, in order.
pub(crate) const TRANSMIT: [&str; 8] = [
    "bytes",
    "packets",
    "errs",
    "drop",
    "fifo",
    "colls",
    "carrier",
    "compressed",
];

/// One interface's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NetDev {
    pub interface: String,
    /// In the order of [`RECEIVE`].
    pub receive: [u64; 8],
    /// In the order of [`TRANSMIT`].
    pub transmit: [u64; 8],
}

impl NetDev {
    pub fn receive_bytes(&self) -> u64 {
        self.receive[0]
    }

    pub fn transmit_bytes(&self) -> u64 {
        self.transmit[0]
    }
}

/// Every well-formed interface line; the two header lines and anything else are skipped.
pub(crate) fn parse(text: &str) -> Vec<NetDev> {
    text.lines()
        .skip(2)
        .filter_map(|line| {
            // `  eth0: 123 …`: the name may run into the first number on old kernels.
            let (name, rest) = line.split_once(':')?;
            let mut v = [0u64; 16];
            let mut n = 0;
            for (slot, field) in v.iter_mut().zip(rest.split_whitespace()) {
                *slot = field.parse().ok()?;
                n += 1;
            }
            let name = name.trim();
            if n < 16 || name.is_empty() {
                return None;
            }
            let mut receive = [0; 8];
            let mut transmit = [0; 8];
            receive.copy_from_slice(&v[..8]);
            transmit.copy_from_slice(&v[8..]);
            Some(NetDev {
                interface: name.to_string(),
                receive,
                transmit,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_dev() {
        let text = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0
  eth0: 167902225    6592    1    2    3     4          5         6   386303    4007    7    8    9    10       11          12
 broken: 1 2
 : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16
 bad: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 x
";
        let devs = parse(text);
        assert_eq!(devs.len(), 2);
        assert_eq!(devs[0].interface, "lo");
        assert_eq!(devs[0].receive_bytes(), 3193);
        assert_eq!(devs[1].receive, [167902225, 6592, 1, 2, 3, 4, 5, 6]);
        assert_eq!(devs[1].transmit, [386303, 4007, 7, 8, 9, 10, 11, 12]);
        assert_eq!(devs[1].transmit_bytes(), 386303);
    }
}
