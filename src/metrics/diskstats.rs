//! /proc/diskstats: I/O counters per block device, and the udev properties that name a disk.

use std::path::Path;

/// One device's line. Counters are as the kernel gives them: sectors of 512 bytes (whatever
/// the device's block size), times in milliseconds. `discard` and `flush` exist from
/// kernels 4.18 and 5.5 on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DiskStat {
    pub major: u32,
    pub minor: u32,
    pub device: String,
    pub reads_completed: u64,
    pub reads_merged: u64,
    pub sectors_read: u64,
    pub read_ms: u64,
    pub writes_completed: u64,
    pub writes_merged: u64,
    pub sectors_written: u64,
    pub write_ms: u64,
    pub io_now: u64,
    pub io_ms: u64,
    pub weighted_io_ms: u64,
    /// completed, merged, sectors, milliseconds.
    pub discard: Option<[u64; 4]>,
    /// requests, milliseconds.
    pub flush: Option<[u64; 2]>,
}

/// The unit of the sector counts in /proc/diskstats, fixed by the kernel.
pub(crate) const SECTOR_BYTES: f64 = 512.0;

/// Every well-formed line; others are skipped.
pub(crate) fn parse(text: &str) -> Vec<DiskStat> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let major = f.next()?.parse().ok()?;
            let minor = f.next()?.parse().ok()?;
            let device = f.next()?.to_string();
            let v: Vec<u64> = f.map(str::parse).collect::<Result<_, _>>().ok()?;
            if v.len() < 11 {
                return None;
            }
            Some(DiskStat {
                major,
                minor,
                device,
                reads_completed: v[0],
                reads_merged: v[1],
                sectors_read: v[2],
                read_ms: v[3],
                writes_completed: v[4],
                writes_merged: v[5],
                sectors_written: v[6],
                write_ms: v[7],
                io_now: v[8],
                io_ms: v[9],
                weighted_io_ms: v[10],
                discard: (v.len() >= 15).then(|| [v[11], v[12], v[13], v[14]]),
                flush: (v.len() >= 17).then(|| [v[15], v[16]]),
            })
        })
        .collect()
}

/// What udev recorded about a disk (`/run/udev/data/b<major>:<minor>`), as node_exporter's
/// `node_disk_info` labels: path, wwn, model, serial, revision. Empty where udev has no
/// record (containers, minimal VMs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct UdevInfo {
    pub path: String,
    pub wwn: String,
    pub model: String,
    pub serial: String,
    pub revision: String,
}

/// Udev records are small; a larger file is not one.
const MAX_UDEV_FILE: u64 = 64 * 1024;

pub(crate) fn udev_info(udev_data: &Path, major: u32, minor: u32) -> UdevInfo {
    use std::io::Read as _;
    let mut text = String::new();
    let read = std::fs::File::open(udev_data.join(format!("b{major}:{minor}")))
        .and_then(|f| f.take(MAX_UDEV_FILE).read_to_string(&mut text));
    if read.is_err() {
        return UdevInfo::default();
    }
    parse_udev(&text)
}

pub(crate) fn parse_udev(text: &str) -> UdevInfo {
    let get = |key: &str| {
        text.lines()
            .filter_map(|l| l.strip_prefix("E:"))
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
            .unwrap_or("")
            .to_string()
    };
    let mut serial = get("SCSI_IDENT_SERIAL");
    if serial.is_empty() {
        serial = get("ID_SERIAL_SHORT");
    }
    UdevInfo {
        path: get("ID_PATH"),
        wwn: get("ID_WWN"),
        model: get("ID_MODEL"),
        serial,
        revision: get("ID_REVISION"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let text = "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0\n\
                    254       0 vda 87769 22481 3198018 52924 14707 50980 4911816 25884 0 24988 85355 2489 0 445632 6160 1611 385\n\
                    8 1 sda1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n\
                    x y z\n 1 2 short 1 2 3\n";
        let d = parse(text);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].discard, None);
        let vda = &d[1];
        assert_eq!((vda.major, vda.minor, vda.device.as_str()), (254, 0, "vda"));
        assert_eq!(vda.sectors_read, 3198018);
        assert_eq!(vda.weighted_io_ms, 85355);
        assert_eq!(vda.discard, Some([2489, 0, 445632, 6160]));
        assert_eq!(vda.flush, Some([1611, 385]));
        assert_eq!(d[2].discard, Some([12, 13, 14, 15]));
        assert_eq!(d[2].flush, None);
    }

    #[test]
    fn udev() {
        let text = "S:disk/by-id/x\nE:ID_PATH=pci-0000:00:04.0\nE:ID_MODEL=QEMU\nE:ID_SERIAL_SHORT=abc\nE:ID_PATHX=no\n";
        let u = parse_udev(text);
        assert_eq!(u.path, "pci-0000:00:04.0");
        assert_eq!(u.model, "QEMU");
        assert_eq!(u.serial, "abc");
        assert_eq!(u.wwn, "");
        assert_eq!(
            udev_info(Path::new("/nonexistent"), 1, 2),
            UdevInfo::default()
        );
    }
}
