//! Crash-safe file writes and the advisory lock around read-modify-write.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::input::{Input, InputError, check_size};

/// Create `dir` (and parents) with mode 0700 if it does not exist.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io(format!("creating data directory {}", dir.display()), e))
}

/// Write `bytes` to `path` atomically: a temp file in the same directory (mode 0600), fsync,
/// rename over the target, fsync the directory. Readers see the old or the new file, never a
/// mix, and a crash leaves at worst a stray temp file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    ensure_private_dir(dir)?;
    remove_stale_temps(path);
    let mut tmp = TempFile::beside(path)?;
    tmp.write_all(bytes)?;
    tmp.persist(path, true)
}

/// [`write_atomic`] with another file mode (exported configuration that other users'
/// services read), into a directory that must exist.
pub fn write_atomic_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    remove_stale_temps(path);
    let mut tmp = TempFile::beside(path)?;
    tmp.write_all(bytes)?;
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(format!("setting the mode of {}", tmp.path().display()), e))?;
    tmp.persist(path, true)
}

/// Remove the temp files that writers of `target` killed mid-write left behind
/// (`.NAME.tmp-PID-N` whose process is gone). Writers of the same file hold the same lock, so
/// under it nothing else is mid-write; the process check keeps this safe for files written
/// without a lock too. Best effort: a file that cannot be removed is left for the next write.
pub fn remove_stale_temps(target: &Path) {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest
            .split_once('-')
            .and_then(|(pid, seq)| seq.parse::<u64>().ok().and(pid.parse::<i32>().ok()))
        else {
            continue;
        };
        if pid != std::process::id() as i32 && !process_alive(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether a process with this id exists (signal 0 checks without sending anything).
pub(crate) fn process_alive(pid: i32) -> bool {
    use nix::errno::Errno;
    if pid <= 0 {
        // Not a process id we write; 0 and negatives would address process groups.
        return true;
    }
    match nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) {
        Ok(()) => true,
        // It exists but belongs to someone else.
        Err(Errno::EPERM) => true,
        Err(_) => false,
    }
}

/// A private (0600) file created next to its final path, removed on drop unless persisted:
/// an interrupted writer leaves nothing behind.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    file: Option<File>,
}

impl TempFile {
    /// Create `.NAME.tmp-PID-N` in the directory of `target`, which must exist.
    pub fn beside(target: &Path) -> Result<TempFile> {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!(".{name}.tmp-{}-{seq}", std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            // Name what the user asked for, not our temp file: `writing /x/p.prof: No such
            // file or directory`.
            .map_err(|e| Error::io(format!("writing {}", target.display()), e))?;
        Ok(TempFile {
            path,
            file: Some(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Err(Error::Other("temp file already closed".into()));
        };
        file.write_all(bytes)
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))
    }

    /// fsync and move to `target`. Without `replace`, an existing `target` is left alone
    /// and the result is [`Error::Conflict`] (a hard link makes the check and the move one
    /// step; file systems without links fall back to check-then-rename).
    pub fn persist(mut self, target: &Path, replace: bool) -> Result<()> {
        let ctx = |what: &str| format!("{what} {}", self.path.display());
        if let Some(file) = self.file.take() {
            file.sync_all().map_err(|e| Error::io(ctx("syncing"), e))?;
        }
        let exists = || {
            Error::Conflict(format!(
                "{} exists; pass --force to replace it",
                target.display()
            ))
        };
        if replace {
            fs::rename(&self.path, target)
                .map_err(|e| Error::io(format!("replacing {}", target.display()), e))?;
        } else {
            match fs::hard_link(&self.path, target) {
                Ok(()) => {
                    let _ = fs::remove_file(&self.path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists()),
                Err(_) if target.exists() => return Err(exists()),
                Err(_) => fs::rename(&self.path, target)
                    .map_err(|e| Error::io(format!("writing {}", target.display()), e))?,
            }
        }
        // Persist the rename itself.
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// An exclusive advisory lock on a lock file, released on drop.
#[derive(Debug)]
pub struct LockGuard {
    file: File,
    path: PathBuf,
}

impl LockGuard {
    /// Block until the lock on `path` is ours.
    pub fn acquire(path: &Path) -> Result<LockGuard> {
        if let Some(dir) = path.parent() {
            ensure_private_dir(dir)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(|e| Error::io(format!("opening lock file {}", path.display()), e))?;
        file.lock()
            .map_err(|e| Error::io(format!("locking {}", path.display()), e))?;
        Ok(LockGuard {
            file,
            path: path.to_path_buf(),
        })
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if self.file.unlock().is_err() {
            // Closing the descriptor releases the lock anyway; nothing more to do.
            let _ = &self.path;
        }
    }
}

/// Read a file to a string; `Ok(None)` when it does not exist.
pub fn read_optional(path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
}

/// Read a file of structured input; `Ok(None)` when it does not exist. Never reads past the
/// input's size limit: a larger file is the inner error, for the caller to report with the
/// file's kind.
pub fn read_input(path: &Path, input: Input) -> Result<Option<Result<String, InputError>>> {
    use std::io::Read;
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    let io = |e| Error::io(format!("reading {}", path.display()), e);
    let mut bytes = Vec::new();
    file.take(input.max_bytes() as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    // Over the limit whatever the bytes are (the cut may fall inside a character).
    if let Err(e) = check_size(bytes.len(), input) {
        return Ok(Some(Err(e)));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    Ok(Some(Ok(text)))
}

/// Turn a byte offset into 1-based (line, column).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let upto = &text[..offset.min(text.len())];
    let line = upto.matches('\n').count() + 1;
    let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Format a TOML error as `line L, column C: message`.
pub fn toml_error(text: &str, err: &toml::de::Error) -> String {
    let msg = err.message().trim();
    match err.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("line {line}, column {col}: {msg}")
        }
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn stale_temps_of_dead_writers_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("state.toml");
        // A child that has exited: its pid is free (until reused, when the file just waits).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = dir.path().join(format!(".state.toml.tmp-{dead}-3"));
        let live = dir
            .path()
            .join(format!(".state.toml.tmp-{}-9", std::process::id()));
        let other = dir.path().join(format!(".agents.toml.tmp-{dead}-1"));
        let odd = dir.path().join(".state.toml.tmp-x-1");
        for f in [&stale, &live, &other, &odd] {
            fs::write(f, b"partial").unwrap();
        }
        write_atomic(&target, b"version = 1\n").unwrap();
        assert!(!stale.exists(), "a dead writer's temp file is removed");
        assert!(live.exists(), "a live writer's temp file is kept");
        assert!(
            other.exists(),
            "another file's temp files are not ours to judge"
        );
        assert!(odd.exists(), "names we did not make are left alone");
        // The failure names the file asked for, not the temp file.
        let e = write_atomic_mode(&dir.path().join("no/such/dir/p.prof"), b"x", 0o644)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("writing "), "{e}");
        assert!(e.contains("no/such/dir/p.prof: "), "{e}");
        assert!(!e.contains(".tmp-"), "{e}");
    }

    #[test]
    fn temp_files_persist_privately_and_never_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("cpu.prof");
        let mut t = TempFile::beside(&target).unwrap();
        let tmp = t.path().to_path_buf();
        t.write_all(b"one").unwrap();
        t.persist(&target, false).unwrap();
        assert!(!tmp.exists());
        assert_eq!(fs::read(&target).unwrap(), b"one");
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o600
        );

        let mut t = TempFile::beside(&target).unwrap();
        t.write_all(b"two").unwrap();
        let e = t.persist(&target, false).err().unwrap();
        assert!(matches!(e, Error::Conflict(_)), "{e}");
        assert_eq!(fs::read(&target).unwrap(), b"one");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "temp removed");

        let mut t = TempFile::beside(&target).unwrap();
        t.write_all(b"three").unwrap();
        t.persist(&target, true).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"three");

        let t = TempFile::beside(&target).unwrap();
        let tmp = t.path().to_path_buf();
        drop(t);
        assert!(!tmp.exists(), "dropped temp files are removed");
    }
}
