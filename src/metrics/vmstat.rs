//! /proc/vmstat: the fields node_exporter exposes by default (page faults, paging, swapping,
//! OOM kills).

/// Whether node_exporter's default `--collector.vmstat.fields`,
/// `^(oom_kill|pgpg|pswp|pg.*fault).*`, selects `key`.
pub(crate) fn selected(key: &str) -> bool {
    key.starts_with("oom_kill")
        || key.starts_with("pgpg")
        || key.starts_with("pswp")
        || key.strip_prefix("pg").is_some_and(|r| r.contains("fault"))
}

/// The selected fields, in file order; malformed lines are skipped.
pub(crate) fn parse(text: &str) -> Vec<(String, u64)> {
    text.lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            if !selected(k) || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return None;
            }
            Some((k.to_string(), v.trim().parse().ok()?))
        })
        .collect()
}

/// A field's value.
pub(crate) fn get(fields: &[(String, u64)], key: &str) -> Option<u64> {
    fields.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fields() {
        let f = parse(
            "nr_free_pages 5\npgpgin 10\npgpgout 11\npswpin 0\npgfault 99\npgmajfault 3\npgfree 7\noom_kill 1\npgfault x\nthp_fault_alloc 4\npg$fault 1\n",
        );
        let keys: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "pgpgin",
                "pgpgout",
                "pswpin",
                "pgfault",
                "pgmajfault",
                "oom_kill"
            ]
        );
        assert_eq!(get(&f, "pgmajfault"), Some(3));
        assert_eq!(get(&f, "pgfree"), None);
    }
}
