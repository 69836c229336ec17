//! How long commands stop: SIGINT, SIGTERM and SIGHUP are caught by one handler, so a
//! profile, a watch or the agent finishes its clean-up (temp files, the daemon's files) and
//! exits with 128 + the signal's number instead of dying mid-write.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::error::{Error, Result, StopSignal};

/// The stop request of this process: caught once, read by every long command.
#[derive(Debug, Clone)]
pub struct Stop {
    fired: Arc<AtomicU8>,
    /// The same code, for async waiters: they sleep until it changes instead of polling.
    changed: tokio::sync::watch::Receiver<u8>,
}

const NONE: u8 = 0;

fn code(s: StopSignal) -> u8 {
    match s {
        StopSignal::Interrupt => 1,
        StopSignal::Terminate => 2,
        StopSignal::HangUp => 3,
    }
}

fn signal_of(code: u8) -> Option<StopSignal> {
    match code {
        1 => Some(StopSignal::Interrupt),
        2 => Some(StopSignal::Terminate),
        3 => Some(StopSignal::HangUp),
        _ => None,
    }
}

impl Stop {
    /// Catch the three signals from now on (the handlers are registered before this returns,
    /// so none can slip through once work starts). Installed once per process; later calls
    /// share it.
    pub fn install() -> Result<Stop> {
        static STOP: OnceLock<std::result::Result<Stop, String>> = OnceLock::new();
        STOP.get_or_init(|| Stop::start().map_err(|e| e.to_string()))
            .clone()
            .map_err(|e| Error::Other(format!("handling signals: {e}")))
    }

    fn start() -> Result<Stop> {
        use tokio::signal::unix::{SignalKind, signal};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io("starting the signal handler", e))?;
        let (mut int, mut term, mut hup) = {
            let _entered = rt.enter();
            let listen = |kind: SignalKind, what: &str| {
                signal(kind).map_err(|e| Error::io(format!("handling {what}"), e))
            };
            (
                listen(SignalKind::interrupt(), "SIGINT")?,
                listen(SignalKind::terminate(), "SIGTERM")?,
                listen(SignalKind::hangup(), "SIGHUP")?,
            )
        };
        let fired = Arc::new(AtomicU8::new(NONE));
        let flag = Arc::clone(&fired);
        let (tell, changed) = tokio::sync::watch::channel(NONE);
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                rt.block_on(async move {
                    loop {
                        let s = tokio::select! {
                            _ = int.recv() => StopSignal::Interrupt,
                            _ = term.recv() => StopSignal::Terminate,
                            _ = hup.recv() => StopSignal::HangUp,
                        };
                        // The first signal decides the exit status.
                        let _ = flag.compare_exchange(
                            NONE,
                            code(s),
                            Ordering::SeqCst,
                            Ordering::SeqCst,
                        );
                        tell.send_replace(flag.load(Ordering::SeqCst));
                    }
                });
            })
            .map_err(|e| Error::io("starting the signal handler", e))?;
        Ok(Stop { fired, changed })
    }

    /// The signal that asked us to stop, if one came.
    pub fn fired(&self) -> Option<StopSignal> {
        signal_of(self.fired.load(Ordering::SeqCst))
    }

    /// Sleep up to `d`, waking early when a signal comes; returns it if one did.
    pub fn sleep(&self, d: Duration) -> Option<StopSignal> {
        let until = Instant::now() + d;
        loop {
            if let Some(s) = self.fired() {
                return Some(s);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
    }

    /// Wait (async) for the first signal: the daemon's shutdown trigger. It sleeps until the
    /// signal thread says one came (an idle agent must not wake 20 times a second).
    pub async fn wait(&self) -> StopSignal {
        let mut changed = self.changed.clone();
        loop {
            if let Some(s) = self.fired() {
                return s;
            }
            if changed.changed().await.is_err() {
                // The signal thread is gone (it never ends): fall back to polling.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }

    /// An error saying which signal stopped the command and what `detail` was not done.
    pub fn error(signal: StopSignal, detail: impl Into<String>) -> Error {
        Error::Stopped {
            signal,
            detail: detail.into(),
        }
    }
}
