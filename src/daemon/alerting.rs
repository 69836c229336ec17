//! The rule evaluation loop: rules are evaluated right after every metrics collection (and
//! once at start), over exactly what `/metrics` then serves. Evaluating between collections
//! would only see the same values again; evaluating with the collection keeps the delay from
//! a threshold crossing to its notification within one collection interval.

use std::sync::Arc;
use std::time::SystemTime;

use tokio::sync::watch;

use super::runtime::Shared;
use crate::alerting::Engine;
use crate::metrics::Family;

/// Evaluate until `stop` turns true.
pub fn spawn(
    shared: Arc<Shared>,
    engine: Arc<Engine>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut collections = shared.subscribe_collections();
        loop {
            evaluate(&shared, &engine).await;
            tokio::select! {
                changed = collections.changed() => if changed.is_err() { break },
                _ = stop.changed() => break,
            }
            if *stop.borrow() {
                break;
            }
        }
    })
}

async fn evaluate(shared: &Arc<Shared>, engine: &Arc<Engine>) {
    let snapshot = shared.snapshot();
    let extra = shared.extra_families();
    let engine = Arc::clone(engine);
    // The state file is read on every evaluation, so rules and channels changed by the CLI
    // (or by hand) apply from the next collection on.
    let _ = tokio::task::spawn_blocking(move || {
        let families: Vec<&Family> = snapshot.families.iter().chain(extra.iter()).collect();
        engine.evaluate(&families, SystemTime::now());
    })
    .await;
}
