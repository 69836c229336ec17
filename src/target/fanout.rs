//! Run one call on many agents at once: bounded concurrency, a per-agent deadline, one result
//! per agent in inventory order, and a progress bar on a terminal. A hung or unreachable
//! agent costs at most its deadline and never delays the others.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::target::call::Call;
use crate::target::remote::AgentClient;

/// How many agents are asked at the same time.
pub const CONCURRENCY: usize = 32;

/// One agent's answer.
pub struct AgentResult<T = serde_json::Value> {
    pub agent: String,
    pub url: String,
    pub elapsed: Duration,
    pub result: Result<T>,
}

/// Ask every agent; results come back in the order of `agents`.
pub fn call_all(
    agents: &[AgentClient],
    call: &Call,
    deadline: Duration,
    progress: bool,
) -> Result<Vec<AgentResult>> {
    let call = call.clone();
    run_all(agents, deadline, progress, move |agent| {
        let call = call.clone();
        async move { agent.call(&call).await }
    })
}

/// Run `work` against every agent (JSON calls, file downloads); results come back in the
/// order of `agents`.
pub fn run_all<T, F, Fut>(
    agents: &[AgentClient],
    deadline: Duration,
    progress: bool,
    work: F,
) -> Result<Vec<AgentResult<T>>>
where
    T: Send + 'static,
    F: Fn(AgentClient) -> Fut,
    Fut: std::future::Future<Output = Result<T>> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let bar = (agents.len() > 1 && progress).then(|| {
        let bar = indicatif::ProgressBar::new(agents.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} agents {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    });
    let results = runtime.block_on(async {
        let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
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
        while let Some(joined) = set.join_next().await {
            if let Ok((index, r)) = joined {
                if let Some(bar) = &bar {
                    bar.set_message(r.agent.clone());
                    bar.inc(1);
                }
                out[index] = Some(r);
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
