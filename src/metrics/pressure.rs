//! /proc/pressure/{cpu,io,memory}: pressure stall information (PSI), total stall times.

/// Total stall time of one resource, in seconds: `some` (at least one task waiting) and
/// `full` (every non-idle task stalled at once; absent for cpu before Linux 5.13).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Pressure {
    pub some: Option<f64>,
    pub full: Option<f64>,
}

/// The resources node_exporter reads, in its order.
pub(crate) const RESOURCES: [&str; 3] = ["cpu", "io", "memory"];

/// The `total=` fields (microseconds) of the `some` and `full` lines, in seconds.
pub(crate) fn parse(text: &str) -> Pressure {
    let mut p = Pressure::default();
    for line in text.lines() {
        let mut f = line.split_whitespace();
        let kind = f.next();
        let total = f
            .find_map(|x| x.strip_prefix("total="))
            .and_then(|v| v.parse::<u64>().ok())
            .map(|us| us as f64 / 1e6);
        match kind {
            Some("some") => p.some = total,
            Some("full") => p.full = total,
            _ => {}
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psi() {
        let p = parse(
            "some avg10=6.52 avg60=13.26 avg300=7.07 total=29329648\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
        );
        assert_eq!(p.some, Some(29.329648));
        assert_eq!(p.full, Some(0.0));
        assert_eq!(parse("some total=x\nother total=5\n"), Pressure::default());
        assert_eq!(parse(""), Pressure::default());
    }
}
