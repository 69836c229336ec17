//! File globs: absolute patterns whose names may hold `*` and `?`, expanded directory by
//! directory with bounded work (files and directory entries looked at are capped).

use std::path::{Path, PathBuf};

/// Files one pattern yields at most.
pub const MAX_MATCHES: usize = 10_000;
/// Entries read from one directory at most.
const MAX_ENTRIES: usize = 100_000;

/// Whether `name` matches `pattern` (`*` any run, `?` one character).
pub fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matching with one backtrack point: linear in practice, never exponential.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn wild(component: &str) -> bool {
    component.contains(['*', '?'])
}

/// The regular files `pattern` matches now, sorted; a directory that cannot be read is
/// reported in `unreadable` (once per directory) and skipped.
pub fn expand(pattern: &str, unreadable: &mut Vec<(PathBuf, std::io::Error)>) -> Vec<PathBuf> {
    let mut current = vec![PathBuf::from("/")];
    let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    for (i, comp) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        let mut next = Vec::new();
        for dir in &current {
            if !wild(comp) {
                let p = dir.join(comp);
                if last || p.is_dir() {
                    next.push(p);
                }
                continue;
            }
            let entries = match std::fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) => {
                    unreadable.push((dir.clone(), e));
                    continue;
                }
            };
            for e in entries.filter_map(Result::ok).take(MAX_ENTRIES) {
                let name = e.file_name();
                let Some(name) = name.to_str() else { continue };
                // Hidden files only when the pattern asks for them.
                if name.starts_with('.') && !comp.starts_with('.') {
                    continue;
                }
                if matches(comp, name) {
                    next.push(e.path());
                }
                if next.len() >= MAX_MATCHES {
                    break;
                }
            }
        }
        current = next;
    }
    let mut files: Vec<PathBuf> = current.into_iter().filter(|p| is_file(p)).collect();
    files.sort();
    files.truncate(MAX_MATCHES);
    files
}

fn is_file(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(matches("*.log", "app.log"));
        assert!(matches("app.log*", "app.log.1"));
        assert!(matches("?.log", "a.log"));
        assert!(!matches("?.log", "ab.log"));
        assert!(!matches("*.log", "app.log.gz"));
        assert!(matches("*", ""));
        // Many stars against a long name stay fast.
        let name = "a".repeat(5000);
        assert!(!matches(&format!("{}b", "*a".repeat(50)), &name));
    }

    #[test]
    fn expands_directories_and_files() {
        let d = tempfile::tempdir().unwrap();
        for p in ["x/a.log", "x/b.txt", "y/c.log", "y/.hidden.log"] {
            let p = d.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "1\n").unwrap();
        }
        let mut bad = Vec::new();
        let got = expand(&format!("{}/*/*.log", d.path().display()), &mut bad);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(bad.is_empty());
        assert!(expand(&format!("{}/none/*.log", d.path().display()), &mut bad).is_empty());
    }
}
