//! The cost of alert rules on the node, for `scripts/bench-rules`: feeds the agent's evaluator
//! `--collections` real collections of this machine (timestamps `--interval` apart, so an hour
//! of history builds in seconds) with `--rules` rules whose ranges are `--range`, and prints
//! the history's size and the evaluation time per collection as JSON.
//!
//! `cargo run --release --example bench_rules -- --rules 20 --range 1h --interval 5s`

use std::time::Instant;

use hivemind::alerting::eval::Evaluator;
use hivemind::metrics::{Collector, CollectorConfig};
use hivemind::model::{AlertRule, PromDuration, Severity};

/// Expressions over the agent's own metrics; `R` is replaced by the range.
const FORMS: &[&str] = &[
    "rate(hivemind_node_cpu_seconds_total[R]) > T",
    "avg_over_time(hivemind_node_cpu_usage[R]) > T",
    "max_over_time(hivemind_node_memory_usage[R]) > T",
    "increase(hivemind_node_network_receive_bytes_total[R]) > T",
    "sum by (node) (rate(hivemind_node_network_transmit_bytes_total[R])) > T",
    "deriv(hivemind_node_disk_used_bytes[R]) > T",
    "min_over_time(hivemind_node_load1[R]) > T",
    "sum by (node) (rate(hivemind_container_cpu_seconds_total[R])) > T",
    "max by (name) (avg_over_time(hivemind_container_memory_usage_bytes[R])) > T",
    "hivemind_node_memory_used_bytes / hivemind_node_memory_total_bytes > T",
    "absent_over_time(hivemind_node_status[R])",
    "topk(3, irate(hivemind_container_cpu_seconds_total[R])) > T",
    "count_over_time(hivemind_node_load5[R]) < T",
    "delta(hivemind_node_load15[R]) > T",
    "clamp_max(hivemind_node_disk_usage, 100) > T",
    "sum without (interface) (irate(hivemind_node_network_receive_bytes_total[R])) > T",
    "last_over_time(hivemind_containers[R]) > T",
    "avg by (node) (hivemind_container_memory_usage) > T",
    "(hivemind_node_disk_used_bytes / hivemind_node_disk_size_bytes) > T and on(node) hivemind_node_status == 1",
    "sum_over_time(hivemind_collector_errors_total[R]) > T",
];

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_string())
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// An example's output is its report.
#[allow(clippy::print_stdout)]
fn report(json: serde_json::Value) {
    println!("{json}");
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--rules", "20")
        .parse()
        .map_err(|_| "--rules N")?;
    let range = arg(&args, "--range", "1h");
    let interval = PromDuration::parse(&arg(&args, "--interval", "5s"))?;
    let range_d = PromDuration::parse(&range)?;
    let collections: u64 = match arg(&args, "--collections", "").parse() {
        Ok(c) => c,
        Err(_) => range_d.as_std().as_millis() as u64 / interval.as_std().as_millis() as u64 + 1,
    };
    let rules: Vec<AlertRule> = (0..n)
        .map(|i| {
            let form = FORMS[i % FORMS.len()];
            let expr = form
                .replace('R', &range)
                .replace('T', &format!("{}", 1_000_000 + i));
            AlertRule::from_expr(
                format!("bench_{i}"),
                expr,
                PromDuration::from_secs(60),
                Severity::Info,
            )
        })
        .collect();
    for r in &rules {
        r.validate(|f| format!("{}: {f}", r.name))
            .map_err(|e| e.to_string())?;
    }
    let mut collector = Collector::new(CollectorConfig::default());
    let mut ev = Evaluator::new();
    let rss_before = rss_kib();
    let step = interval.as_std().as_millis() as u64;
    let start = 1_800_000_000_000u64;
    let mut times = Vec::with_capacity(collections as usize);
    let mut series_seen = 0usize;
    for i in 0..collections {
        let snap = collector.collect();
        let families: Vec<_> = snap.families.iter().collect();
        series_seen = families.iter().map(|f| f.samples.len()).sum();
        let t = Instant::now();
        ev.evaluate(&rules, &families, start + i * step);
        times.push(t.elapsed().as_secs_f64());
    }
    let rss_after = rss_kib();
    let h = ev.history();
    let tail = &mut times[(collections as usize).saturating_sub(100)..];
    tail.sort_by(f64::total_cmp);
    let p = |q: f64| tail[((tail.len() - 1) as f64 * q).round() as usize];
    let samples = h.sample_count();
    let bytes = h.approx_bytes();
    report(serde_json::json!({
            "rules": n,
            "range": range,
            "interval": interval.to_string(),
            "collections": collections,
            "exposed_series": series_seen,
            "history_series": h.series_count(),
            "history_samples": samples,
            "history_bytes": bytes,
            "bytes_per_sample": bytes as f64 / samples.max(1) as f64,
            "rss_before_kib": rss_before,
            "rss_after_kib": rss_after,
            "eval_p50_ms": p(0.5) * 1000.0,
            "eval_p99_ms": p(0.99) * 1000.0,
            "alerts": ev.alerts().count(),
    }));
    Ok(())
}
