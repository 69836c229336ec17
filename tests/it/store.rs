//! The state store: concurrent writers, corrupt files, permissions.

use std::os::unix::fs::PermissionsExt;

use super::{hm_run, json};

#[test]
fn twenty_concurrent_writers_leave_twenty_rules() {
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..20)
        .map(|i| {
            let mut cmd = super::std_cmd(dir.path());
            cmd.args([
                "health",
                "create-alert-rule",
                "--name",
                &format!("rule_{i}"),
                "--metric",
                "hivemind_node_cpu_usage",
                "--threshold",
                &i.to_string(),
                "--duration",
                "1m",
                "--severity",
                "info",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (_, out, _) = hm_run(dir.path(), &["health", "list-alert-rules", "-o", "json"]);
    let names: Vec<String> = json(&out)["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 20, "{names:?}");
    // No temp files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_corrupt_state_file_is_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.toml");
    let corrupt = "version = 1\n[metrics]\nprot = 9090\n";
    std::fs::write(&path, corrupt).unwrap();
    for args in [
        &["health", "list-alert-rules"][..],
        super::SEED_RULE,
        &["observability", "configure-metrics", "--port", "9100"],
    ] {
        let (code, out, err) = hm_run(dir.path(), args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty());
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(
            err.contains("line 3, column 1") && err.contains("unknown field `prot`"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            corrupt,
            "corrupt file was overwritten"
        );
    }
    std::fs::write(&path, "not toml at all [[[").unwrap();
    let (code, _, err) = hm_run(dir.path(), &["health", "list-alert-rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("line 1"), "{err}");
    std::fs::write(&path, "version = 2\n").unwrap();
    let (code, _, err) = hm_run(dir.path(), &["health", "list-alert-rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("version 2 is not supported"), "{err}");
    // A hand edit that breaks a rule is caught with its position in the list.
    std::fs::write(&path, "version = 1\n[[rules]]\nname = \"a\"\nmetric = \"1x\"\nthreshold = 1.0\nduration = \"1m\"\nseverity = \"info\"\n").unwrap();
    let (code, _, err) = hm_run(dir.path(), &["health", "list-alert-rules"]);
    assert_eq!(code, 2);
    assert!(err.contains("rules[0].metric"), "{err}");
}

#[test]
fn files_are_private() {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("new");
    let (code, _, err) = hm_run(&dir, super::SEED_RULE);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert_eq!(
        std::fs::metadata(dir.join("state.toml"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
}

#[test]
fn configuration_commands_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-metrics",
            "--port",
            "9090",
            "--path",
            "/metrics",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["port"], 9090);
    assert_eq!(v["url"], "http://127.0.0.1:9090/metrics");
    // Partial update keeps the port.
    let (code, _, _) = hm_run(
        dir.path(),
        &[
            "observability",
            "configure-metrics",
            "--listen-address",
            "::1",
        ],
    );
    assert_eq!(code, 0);
    let (code, _, _) = hm_run(
        dir.path(),
        &[
            "health",
            "configure-auto-healing",
            "--enabled",
            "true",
            "--max-restarts",
            "3",
            "--restart-interval",
            "60",
        ],
    );
    assert_eq!(code, 0);
    let (code, _, _) = hm_run(
        dir.path(),
        &["health", "configure-auto-healing", "--enabled=false"],
    );
    assert_eq!(code, 0);
    let (code, out, _) = hm_run(dir.path(), &["observability", "show-config", "-o", "json"]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["metrics"]["port"], 9090);
    assert_eq!(v["metrics"]["listen_address"], "::1");
    assert_eq!(v["metrics"]["url"], "http://[::1]:9090/metrics");
    assert_eq!(v["auto_healing"]["enabled"], false);
    assert_eq!(v["auto_healing"]["max_restarts"], 3);
    assert_eq!(v["auto_healing"]["restart_interval"], "1m");
    let (code, out, _) = hm_run(dir.path(), &["observability", "show-config"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("metrics.port") && out.contains("9090"),
        "{out}"
    );
    // Nothing to change is a usage error.
    let (code, _, err) = hm_run(dir.path(), &["health", "configure-auto-healing", "-q"]);
    assert_eq!(code, 2, "{err}");
}

/// A given data directory that does not exist is a mistake for commands that only read (a
/// misspelt `HIVEMIND_DATA_DIR` in CI must not look like an empty, healthy setup); commands
/// that write create it.
#[test]
fn a_missing_data_directory_is_an_error_for_reads() {
    let parent = tempfile::tempdir().unwrap();
    let missing = parent.path().join("misspelt");
    for args in [
        vec!["health", "list-alert-rules"],
        vec!["health", "list-checks"],
        vec!["health", "status"],
        vec!["observability", "show-config"],
        vec!["agent", "list"],
    ] {
        let (code, out, err) = hm_run(&missing, &args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.contains(&format!(
                "data directory {} does not exist",
                missing.display()
            )),
            "{args:?}: {err}"
        );
        assert!(!missing.exists(), "{args:?} created it");
    }
    let (code, _, err) = hm_run(&missing, super::SEED_RULE);
    assert_eq!(code, 0, "{err}");
    assert!(missing.is_dir());
    let (code, out, _) = hm_run(&missing, &["health", "list-alert-rules"]);
    assert_eq!(code, 0);
    assert!(out.contains("high_cpu_usage"), "{out}");
}
