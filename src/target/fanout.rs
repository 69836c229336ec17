//! Run one call on many agents at once: concurrency that follows the fleet's size up to a
//! cap, a per-agent deadline, one result per agent in inventory order, and a progress bar on a
//! terminal that moves as each agent answers. A hung or unreachable agent costs at most its
//! deadline and never delays the others.
//!
//! The cost of the fan-out itself is bounded: the HTTP clients (and the system's root
//! certificates) are shared by all agents (see [`super::remote::AgentClient::new`]), two
//! worker threads do the I/O, and at most [`Fanout::concurrency`] requests are open at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::target::call::Call;
use crate::target::remote::AgentClient;

/// How many agents are asked at the same time unless `--max-concurrency` says otherwise:
/// every agent of a fleet up to this size is asked at once.
pub const DEFAULT_MAX_CONCURRENCY: usize = 256;
/// The largest `--max-concurrency` accepted.
pub const MAX_CONCURRENCY_LIMIT: usize = 4096;

/// How a fan-out runs: the per-agent deadline, whether to draw progress, and the cap on
/// requests in flight.
#[derive(Debug, Clone, Copy)]
pub struct Fanout {
    pub deadline: Duration,
    pub progress: bool,
    /// `--max-concurrency` (`None`: [`DEFAULT_MAX_CONCURRENCY`]).
    pub max_concurrency: Option<usize>,
}

impl Fanout {
    /// One agent at a time would be the same as this with one agent: no bar, the default cap.
    pub fn quiet(deadline: Duration) -> Self {
        Fanout {
            deadline,
            progress: false,
            max_concurrency: None,
        }
    }

    /// Requests in flight for `agents` agents: all of them up to the cap, and never more than
    /// half the file descriptors this process may open (each request holds a socket; the
    /// other half is left for pooled connections and everything else).
    pub fn concurrency(&self, agents: usize) -> usize {
        let cap = self
            .max_concurrency
            .unwrap_or(DEFAULT_MAX_CONCURRENCY)
            .clamp(1, MAX_CONCURRENCY_LIMIT);
        let fds = usize::try_from(raise_fd_limit()).unwrap_or(usize::MAX);
        let by_fds = (fds.saturating_sub(64) / 2).max(1);
        agents.clamp(1, cap.min(by_fds))
    }
}

/// Raise the soft limit on open files to the hard limit (a fleet needs a socket per agent)
/// and return the limit now in force.
fn raise_fd_limit() -> u64 {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => {
            if setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
                hard
            } else {
                soft
            }
        }
        Ok((soft, _)) => soft,
        Err(_) => 1024,
    }
}

/// One agent's answer.
pub struct AgentResult<T = serde_json::Value> {
    pub agent: String,
    pub url: String,
    pub elapsed: Duration,
    pub result: Result<T>,
}

/// Ask every agent; results come back in the order of `agents`.
pub fn call_all(agents: &[AgentClient], call: &Call, how: Fanout) -> Result<Vec<AgentResult>> {
    let call = call.clone();
    run_all(agents, how, move |agent| {
        let call = call.clone();
        async move { agent.call(&call).await }
    })
}

/// Run `work` against every agent (JSON calls, file downloads); results come back in the
/// order of `agents`.
pub fn run_all<T, F, Fut>(
    agents: &[AgentClient],
    how: Fanout,
    work: F,
) -> Result<Vec<AgentResult<T>>>
where
    T: Send + 'static,
    F: Fn(AgentClient) -> Fut,
    Fut: std::future::Future<Output = Result<T>> + Send + 'static,
{
    let deadline = how.deadline;
    let concurrency = how.concurrency(agents.len());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let bar = (agents.len() > 1 && how.progress).then(|| {
        let bar = indicatif::ProgressBar::new(agents.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} agents {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    });
    let results = runtime.block_on(async {
        let limit = Arc::new(tokio::sync::Semaphore::new(concurrency));
        let mut set = tokio::task::JoinSet::new();
        for (index, agent) in agents.iter().cloned().enumerate() {
            let job = work(agent.clone());
            let limit = Arc::clone(&limit);
            set.spawn(async move {
                let _permit = limit.acquire_owned().await;
                let started = Instant::now();
                let result = match tokio::time::timeout(deadline, job).await {
                    Ok(r) => r,
                    Err(_) => Err(Error::Remote(format!(
                        "no answer within {}",
                        humantime::format_duration(deadline)
                    ))),
                };
                (
                    index,
                    AgentResult {
                        agent: agent.name,
                        url: agent.url,
                        elapsed: started.elapsed(),
                        result,
                    },
                )
            });
        }
        let mut out: Vec<Option<AgentResult<T>>> = (0..agents.len()).map(|_| None).collect();
        let mut failed = 0usize;
        while let Some(joined) = set.join_next().await {
            if let Ok((index, r)) = joined {
                if let Some(bar) = &bar {
                    if r.result.is_err() {
                        failed += 1;
                    }
                    bar.set_message(if failed == 0 {
                        r.agent.clone()
                    } else {
                        format!("{failed} failed, last: {}", r.agent)
                    });
                    bar.inc(1);
                }
                if let Some(slot) = out.get_mut(index) {
                    *slot = Some(r);
                }
            }
        }
        out
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    // A task can only be missing if it panicked; report it as that agent's failure.
    Ok(results
        .into_iter()
        .zip(agents)
        .map(|(r, a)| {
            r.unwrap_or_else(|| AgentResult {
                agent: a.name.clone(),
                url: a.url.clone(),
                elapsed: Duration::ZERO,
                result: Err(Error::Other(
                    "internal error while asking this agent".into(),
                )),
            })
        })
        .collect())
}
