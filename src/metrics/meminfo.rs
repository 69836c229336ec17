//! /proc/meminfo: every field, in bytes where the kernel gives kB.

/// One meminfo line: the key as node_exporter spells it (`Active(anon)` becomes
/// `Active_anon`, and a `_bytes` suffix marks values the kernel gives in kB) and the value,
/// in bytes when `bytes`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// The kernel's key, `Active(anon)`.
    pub kernel_key: String,
    /// node_exporter's spelling, `Active_anon_bytes`.
    pub key: String,
    pub value: f64,
    pub bytes: bool,
}

/// Memory totals, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MemInfo {
    pub total: u64,
    pub available: u64,
}

/// Every well-formed line; a line that does not parse is skipped (node_exporter fails the
/// whole collector on one, which loses every other field).
pub(crate) fn parse(text: &str) -> Vec<Field> {
    let mut out = Vec::with_capacity(64);
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(key), Some(value)) = (parts.next(), parts.next()) else {
            continue;
        };
        let unit = parts.next();
        if parts.next().is_some() || unit.is_some_and(|u| u != "kB") {
            continue;
        }
        let Some(kernel_key) = key.strip_suffix(':') else {
            continue;
        };
        if kernel_key.is_empty()
            || !kernel_key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '(' | ')'))
        {
            continue;
        }
        let Ok(mut value) = value.parse::<f64>() else {
            continue;
        };
        // `Active(anon)` → `Active_anon`, as node_exporter's `\((.*)\)` → `_${1}`.
        let mut key = match (kernel_key.find('('), kernel_key.rfind(')')) {
            (Some(open), Some(close)) if open < close => format!(
                "{}_{}{}",
                &kernel_key[..open],
                &kernel_key[open + 1..close],
                &kernel_key[close + 1..]
            ),
            _ => kernel_key.to_string(),
        };
        if key.contains(['(', ')']) {
            continue;
        }
        let bytes = unit.is_some();
        if bytes {
            value *= 1024.0;
            key.push_str("_bytes");
        }
        out.push(Field {
            kernel_key: kernel_key.to_string(),
            key,
            value,
            bytes,
        });
    }
    out
}

/// A field's value by its kernel key.
pub(crate) fn get(fields: &[Field], kernel_key: &str) -> Option<f64> {
    fields
        .iter()
        .find(|f| f.kernel_key == kernel_key)
        .map(|f| f.value)
}

/// Total and available memory. Kernels before 3.14 have no MemAvailable; free + buffers +
/// page cache approximates it.
pub(crate) fn totals(fields: &[Field]) -> Option<MemInfo> {
    let total = get(fields, "MemTotal")? as u64;
    let available = get(fields, "MemAvailable").map_or_else(
        || {
            ["MemFree", "Buffers", "Cached"]
                .iter()
                .filter_map(|k| get(fields, k))
                .sum::<f64>() as u64
        },
        |v| v as u64,
    );
    Some(MemInfo {
        total,
        available: available.min(total),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_totals() {
        let text = "MemTotal:       16000 kB\nMemFree:         1000 kB\nMemAvailable:    4000 kB\n\
                    Active(anon):  10 kB\nHugePages_Total:       2\nHugepagesize:    2048 kB\n";
        let f = parse(text);
        assert_eq!(f.len(), 6);
        assert_eq!(f[3].key, "Active_anon_bytes");
        assert_eq!(f[3].value, 10240.0);
        assert_eq!(f[4].key, "HugePages_Total");
        assert_eq!(f[4].value, 2.0);
        assert!(!f[4].bytes);
        assert_eq!(
            totals(&f),
            Some(MemInfo {
                total: 16000 * 1024,
                available: 4000 * 1024
            })
        );
        let old = parse("MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\n");
        assert_eq!(totals(&old).unwrap().available, 35 * 1024);
        assert_eq!(totals(&parse("MemFree: 1 kB\n")), None);
    }

    #[test]
    fn hostile_lines_are_skipped() {
        let f = parse(
            "\n:\nX 1\nBad key: 1 kB\nY: z kB\nZ: 1 MB\nW: 1 kB extra\nA{b}: 1\nC(: 1\nOk: 7\n",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].key, "Ok");
    }
}
