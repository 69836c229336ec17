//! Hostile and invalid input: one line on stderr naming the flag, exit code 2, nothing written.

use super::{hm, hm_run, run};

fn rule_with(flag: &str, value: &str) -> Vec<String> {
    let mut args: Vec<String> = [
        "health",
        "create-alert-rule",
        "--name",
        "r",
        "--metric",
        "m",
        "--threshold",
        "1",
        "--duration",
        "1m",
        "--severity",
        "info",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let pos = args
        .iter()
        .position(|a| a == flag)
        .expect("flag in template");
    args[pos + 1] = value.to_string();
    args
}

/// Assert a rejected command: exit 2, no stdout, a single `error:` line naming `flag`, and an
/// untouched data directory.
fn rejected(args: &[String], flag: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(hm(dir.path()).args(args));
    assert_eq!(code, 2, "{args:?}\nstderr: {err}");
    assert!(out.is_empty(), "{args:?} wrote to stdout: {out}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: expected one line, got:\n{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(
        lines[0].contains(flag),
        "{args:?}: message does not name {flag}: {err}"
    );
    assert!(
        !err.contains('\u{7}') && !err.contains('\u{1b}'),
        "raw control characters echoed: {err:?}"
    );
    assert!(
        !dir.path().join("state.toml").exists(),
        "{args:?} wrote state"
    );
}

#[test]
fn durations() {
    for bad in [
        "-1s",
        "5M",
        "99999999999h",
        "5 minutes",
        "",
        "5",
        "1.5m",
        "1s1s",
    ] {
        rejected(&rule_with("--duration", bad), "--duration");
    }
    // Zero is meaningless for an interval, but a rule with `for: 0s` fires at once (Prometheus).
    for bad in ["0s", "0", "-1s", "5M", "99999999999h", "5 minutes", ""] {
        let args: Vec<String> = [
            "health",
            "configure-auto-healing",
            "--restart-interval",
            bad,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        rejected(&args, "--restart-interval");
    }
    let dir = tempfile::tempdir().unwrap();
    let args = rule_with("--duration", "0s");
    let (code, _, err) = run(hm(dir.path()).args(&args));
    assert_eq!(code, 0, "{err}");
}

#[test]
fn thresholds() {
    for bad in ["NaN", "nan", "inf", "-inf", "1e309", "abc", "", "0x10"] {
        rejected(&rule_with("--threshold", bad), "--threshold");
    }
}

#[test]
fn metric_names() {
    let long = "a".repeat(300);
    for bad in ["1cpu", "cpu-usage", "a b", long.as_str(), ""] {
        rejected(&rule_with("--metric", bad), "--metric");
    }
    // The 300-character value is shortened in the message.
    let dir = tempfile::tempdir().unwrap();
    let (_, _, err) = run(hm(dir.path()).args(rule_with("--metric", &long)));
    assert!(err.len() < 400, "{err}");
}

#[test]
fn severities() {
    for bad in ["fatal", "WARNING", "", "error"] {
        rejected(&rule_with("--severity", bad), "--severity");
    }
}

#[test]
fn rule_names() {
    for bad in [
        "a/b",
        "a\nb",
        "a\u{7}b",
        "a\u{1b}[31mb",
        "",
        "1abc",
        "high-cpu",
    ] {
        rejected(&rule_with("--name", bad), "--name");
    }
}

#[test]
fn label_matchers() {
    for bad in ["novalue", "=v", "__name__=x", "a=~(", "a=\nb"] {
        let mut args = rule_with("--name", "r");
        args.extend(["--label".to_string(), bad.to_string()]);
        rejected(&args, "--label");
    }
}

#[test]
fn ports_and_paths() {
    for bad in ["0", "70000", "-1", "", "http"] {
        let args: Vec<String> = ["observability", "configure-metrics", "--port", bad]
            .iter()
            .map(|s| s.to_string())
            .collect();
        rejected(&args, "--port");
    }
    for bad in ["metrics", "", "/a b", "/m?x=1"] {
        let args: Vec<String> = ["observability", "configure-metrics", "--path", bad]
            .iter()
            .map(|s| s.to_string())
            .collect();
        rejected(&args, "--path");
    }
    let args: Vec<String> = [
        "observability",
        "configure-metrics",
        "--listen-address",
        "localhost:80",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    rejected(&args, "--listen-address");
}

fn channel(args: &[&str]) -> Vec<String> {
    ["health", "configure-alert-channel"]
        .iter()
        .chain(args)
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn urls() {
    for bad in [
        "hooks.example.com/x",
        "ftp://example.com/x",
        "http://",
        "https:///p",
        "http://u:p@example.com/",
    ] {
        rejected(&channel(&["--type", "webhook", "--url", bad]), "--url");
        rejected(
            &channel(&["--type", "slack", "--webhook-url", bad]),
            "--webhook-url",
        );
    }
}

#[test]
fn emails() {
    let base = ["--type", "email", "--smtp-server", "smtp.example.com"];
    for bad in [
        "alerts",
        "@example.com",
        "a@",
        "a b@example.com",
        "a@b@example.com",
    ] {
        let mut args = base.to_vec();
        args.extend(["--from", bad, "--to", "ops@example.com"]);
        rejected(&channel(&args), "--from");
        let mut args = base.to_vec();
        args.extend(["--from", "alerts@example.com", "--to", bad]);
        rejected(&channel(&args), "--to");
    }
    let mut args = base.to_vec();
    args.extend([
        "--from",
        "a@example.com",
        "--to",
        "b@example.com",
        "--smtp-port",
        "70000",
    ]);
    rejected(&channel(&args), "--smtp-port");
    rejected(
        &channel(&[
            "--type",
            "email",
            "--smtp-server",
            "http://smtp.example.com",
            "--from",
            "a@example.com",
            "--to",
            "b@example.com",
        ]),
        "--smtp-server",
    );
}

#[test]
fn channel_names() {
    for bad in ["a/b", "a\nb", "a\u{7}b", "", "-x"] {
        rejected(
            &channel(&[
                "--type",
                "webhook",
                "--url",
                "https://example.com/",
                "--name",
                bad,
            ]),
            "--name",
        );
    }
}

#[test]
fn channel_flag_combinations() {
    rejected(
        &channel(&["--type", "slack", "--url", "https://example.com/"]),
        "--url",
    );
    rejected(
        &channel(&[
            "--type",
            "email",
            "--from",
            "a@example.com",
            "--to",
            "b@example.com",
        ]),
        "--smtp-server",
    );
    rejected(&channel(&["--type", "pagerduty"]), "--routing-key");
    rejected(
        &channel(&["--type", "sms", "--url", "https://example.com/"]),
        "--type",
    );
    rejected(
        &channel(&[
            "--type",
            "email",
            "--smtp-server",
            "s.example.com",
            "--from",
            "a@example.com",
            "--to",
            "b@example.com",
            "--smtp-password",
            "x",
        ]),
        "--smtp-user",
    );
}

#[test]
fn empty_secret_from_stdin_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(hm(dir.path())
        .args([
            "health",
            "configure-alert-channel",
            "--type",
            "pagerduty",
            "--routing-key-stdin",
        ])
        .write_stdin(""));
    assert_eq!(code, 2);
    assert!(err.contains("--routing-key"), "{err}");
    assert!(!dir.path().join("state.toml").exists());
}

#[test]
fn auto_healing_values() {
    for (flag, bad) in [
        ("--max-restarts", "0"),
        ("--max-restarts", "-1"),
        ("--max-restarts", "x"),
        ("--enabled", "maybe"),
    ] {
        let args: Vec<String> = ["health", "configure-auto-healing", flag, bad]
            .iter()
            .map(|s| s.to_string())
            .collect();
        rejected(&args, flag);
    }
}

#[test]
fn status_thresholds() {
    for bad in ["101", "-1", "NaN", "x"] {
        let args: Vec<String> = ["health", "status", "--max-disk", bad]
            .iter()
            .map(|s| s.to_string())
            .collect();
        rejected(&args, "--max-disk");
    }
}

#[test]
fn unknown_arguments_and_commands() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["health", "nope"][..],
        &["--nope"],
        &["health", "list-alert-rules", "--nope"],
    ] {
        let (code, out, err) = hm_run(dir.path(), args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn non_utf8_arguments_do_not_panic() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let bad = std::ffi::OsStr::from_bytes(b"\xff\xfe");
    let out = hm(dir.path())
        .args(["health", "create-alert-rule", "--name"])
        .arg(bad)
        .args([
            "--metric",
            "m",
            "--threshold",
            "1",
            "--duration",
            "1m",
            "--severity",
            "info",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn refused_urls_never_echo_credentials() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--url",
            "https://ops:hunter2@hooks.example.com/h",
        ][..],
        &[
            "agent",
            "add",
            "n",
            "--url",
            "https://ops:hunter2@node1:9470",
        ],
    ] {
        let (code, out, err) = hm_run(dir.path(), args);
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty());
        assert!(!err.contains("hunter2") && !err.contains("ops:"), "{err}");
        assert!(err.contains("<secret>@"), "{err}");
    }
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "slack",
            "--webhook-url",
            "https://hooks.slack.com/services/X Y",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("without spaces") && !err.contains("services/X"),
        "{err}"
    );
}

#[test]
fn the_seed_node_down_rule_is_a_liveness_rule_whatever_its_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--name",
            "node_down",
            "--metric",
            "hivemind_node_status",
            "--threshold",
            "0",
            "--duration",
            "1m",
            "--severity",
            "critical",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("node-down (liveness) rule") && !err.contains("warning"),
        "{err}"
    );
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--name",
            "node_down2",
            "--metric",
            "hivemind_node_status",
            "--comparison",
            "eq",
            "--threshold",
            "0",
            "--duration",
            "1m",
            "--severity",
            "critical",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        err.contains("node-down (liveness) rule") && !err.contains("warning"),
        "{err}"
    );
    let (_, out, _) = hm_run(dir.path(), &["health", "list-alert-rules", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for r in v["rules"].as_array().unwrap() {
        assert_eq!(r["evaluated_by"], "prometheus", "{r}");
        assert!(
            r["prometheus_only_because"]
                .as_str()
                .unwrap()
                .starts_with("liveness"),
            "{r}"
        );
    }
}
