//! Integration tests: one binary, one module per area. Every test runs the real `hivemind`
//! binary with a sanitised environment and its own temporary data directory.

// Test helpers outside #[test] functions panic on purpose: a failure is a failed test.
// Tests report skipped peers on stderr.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod agent;
mod alerting;
mod bad_input;
mod channels;
mod checks;
mod containers;
mod differential;
mod expressions;
mod fake_http;
mod fleet;
mod fleet_docker;
mod fuzz;
mod generated;
mod hardening;
mod layout;
mod limits;
mod logs;
mod node_metrics;
mod node_rules;
mod observe;
mod profile;
mod rules;
mod server;
mod status;
mod store;
mod traffic;

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// A `hivemind` command over `data_dir`, with colour off and the file secret backend.
pub fn hm(data_dir: &Path) -> Command {
    Command::from_std(std_cmd(data_dir))
}

/// The same as a plain `std::process::Command`, for spawning many at once.
pub fn std_cmd(data_dir: &Path) -> std::process::Command {
    std_cmd_under(data_dir, &[])
}

/// `hivemind` run by `wrapper` (a program and its arguments, e.g. `prlimit --nofile=N:N --`);
/// an empty wrapper runs it directly.
pub fn std_cmd_under(data_dir: &Path, wrapper: &[&str]) -> std::process::Command {
    let binary = env!("CARGO_BIN_EXE_hivemind");
    let mut cmd = match wrapper.split_first() {
        Some((program, args)) => {
            let mut cmd = std::process::Command::new(program);
            cmd.args(args).arg(binary);
            cmd
        }
        None => std::process::Command::new(binary),
    };
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", data_dir)
        .env("HIVEMIND_DATA_DIR", data_dir)
        .env("HIVEMIND_SECRET_BACKEND", "file")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200");
    cmd
}

/// Run and return (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("spawn hivemind");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run with args and return (exit code, stdout, stderr).
pub fn hm_run(data_dir: &Path, args: &[&str]) -> (i32, String, String) {
    run(hm(data_dir).args(args))
}

/// Call `get` every `every` until `done` holds for what it returns or `timeout` passes; returns
/// the last result either way (the caller asserts).
pub fn poll<T>(
    timeout: Duration,
    every: Duration,
    get: impl Fn() -> T,
    done: impl Fn(&T) -> bool,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        let got = get();
        if done(&got) || Instant::now() > deadline {
            return got;
        }
        std::thread::sleep(every);
    }
}

/// Parse stdout as JSON, failing with the full output on error.
pub fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}"))
}

pub const SEED_RULE: &[&str] = &[
    "health",
    "create-alert-rule",
    "--name",
    "high_cpu_usage",
    "--metric",
    "hivemind_container_cpu_usage",
    "--threshold",
    "90",
    "--duration",
    "5m",
    "--severity",
    "warning",
];
