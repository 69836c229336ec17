//! Notices changes to the state file (API writes, `config apply`, hand edits) through inotify,
//! so that an idle agent need not wake up to look for them: the collector learns whether
//! rules or checks now need a collection cadence, the check supervisor reloads the checks.
//! Where inotify is unavailable (no watches left, an exotic file system) the callers keep
//! looking on a timer; they ask [`StateWatch::active`].

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};

/// Whether the watch runs; shared with the loops that would otherwise poll.
#[derive(Clone, Debug, Default)]
pub struct StateWatch {
    active: Arc<AtomicBool>,
}

impl StateWatch {
    /// True while changes to the state file are reported (the callers may sleep until told).
    pub fn active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    /// Watch `dir` for changes to its file `name`; `changed` runs on the watcher thread for
    /// each one, and once more when the watch ends (so that callers fall back to polling
    /// with fresh information). Without inotify the watch is inactive and `Err` says why.
    pub fn start(
        dir: &Path,
        name: &str,
        changed: impl Fn() + Send + 'static,
    ) -> Result<StateWatch, String> {
        let inotify = Inotify::init(InitFlags::IN_CLOEXEC)
            .map_err(|e| format!("inotify unavailable: {e}"))?;
        // The state file is replaced by rename (MOVED_TO); editors may write it in place
        // (CLOSE_WRITE) or move it away (MOVED_FROM, DELETE).
        let flags = AddWatchFlags::IN_CLOSE_WRITE
            | AddWatchFlags::IN_MOVED_TO
            | AddWatchFlags::IN_MOVED_FROM
            | AddWatchFlags::IN_DELETE
            | AddWatchFlags::IN_DELETE_SELF
            | AddWatchFlags::IN_MOVE_SELF;
        inotify
            .add_watch(dir, flags)
            .map_err(|e| format!("watching {}: {e}", dir.display()))?;
        let watch = StateWatch {
            active: Arc::new(AtomicBool::new(true)),
        };
        let active = Arc::clone(&watch.active);
        let name = PathBuf::from(name);
        std::thread::Builder::new()
            .name("hivemind-watch".into())
            .stack_size(64 * 1024)
            .spawn(move || {
                while let Ok(events) = inotify.read_events() {
                    let mut ours = false;
                    let mut gone = false;
                    for e in &events {
                        gone |= e.mask.intersects(
                            AddWatchFlags::IN_IGNORED
                                | AddWatchFlags::IN_DELETE_SELF
                                | AddWatchFlags::IN_MOVE_SELF
                                | AddWatchFlags::IN_Q_OVERFLOW,
                        );
                        ours |= e.name.as_deref() == Some(OsStr::new(&name));
                    }
                    if gone {
                        break;
                    }
                    if ours {
                        changed();
                    }
                }
                // The directory went away or the queue overflowed: the callers poll again.
                active.store(false, Ordering::Release);
                changed();
            })
            .map_err(|e| format!("starting the state watcher: {e}"))?;
        Ok(watch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn reports_renames_and_writes_of_the_file_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = mpsc::channel();
        let watch = StateWatch::start(dir.path(), "state.toml", move || {
            let _ = tx.send(());
        })
        .unwrap();
        assert!(watch.active());
        let wait = || rx.recv_timeout(Duration::from_secs(5));
        // Another file: nothing.
        std::fs::write(dir.path().join("other.toml"), "x").unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
        // Replaced by rename, as the store writes it.
        std::fs::write(dir.path().join(".state.tmp"), "a = 1").unwrap();
        std::fs::rename(dir.path().join(".state.tmp"), dir.path().join("state.toml")).unwrap();
        wait().unwrap();
        // Written in place, as an editor may.
        std::fs::write(dir.path().join("state.toml"), "a = 2").unwrap();
        wait().unwrap();
        while rx.try_recv().is_ok() {}
        // The directory goes: one last call, and the callers poll again.
        let path = dir.path().to_path_buf();
        drop(dir);
        assert!(!path.exists());
        wait().unwrap();
        for _ in 0..50 {
            if !watch.active() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!watch.active());
    }
}
