//! Alert rules: the seed's commands, output formats, replace/delete, and rule files.

use super::{SEED_RULE, hm, hm_run, json, run};

#[test]
fn seed_commands_work_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = hm_run(dir.path(), SEED_RULE);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("high_cpu_usage"), "{out}");
    assert!(err.contains("alert rule high_cpu_usage created"), "{err}");
    for args in [
        &[
            "health",
            "create-alert-rule",
            "--name",
            "high_memory_usage",
            "--metric",
            "hivemind_container_memory_usage",
            "--threshold",
            "90",
            "--duration",
            "5m",
            "--severity",
            "warning",
        ][..],
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
    ] {
        let (code, _, err) = hm_run(dir.path(), args);
        assert_eq!(code, 0, "{err}");
    }

    let (code, out, _) = hm_run(dir.path(), &["health", "list-alert-rules"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with("NAME"), "{out}");
    assert!(out.contains("hivemind_container_cpu_usage > 90"), "{out}");

    let (_, out, _) = hm_run(dir.path(), &["health", "list-alert-rules", "-o", "json"]);
    let v = json(&out);
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3);
    let cpu = rules
        .iter()
        .find(|r| r["name"] == "high_cpu_usage")
        .unwrap();
    assert_eq!(cpu["metric"], "hivemind_container_cpu_usage");
    assert_eq!(cpu["threshold"], 90.0);
    assert_eq!(cpu["duration"], "5m");
    assert_eq!(cpu["severity"], "warning");
    assert_eq!(cpu["comparison"], "gt");

    // -o before the subcommand works too, and YAML carries the same data.
    let (_, out, _) = hm_run(dir.path(), &["-o", "yaml", "health", "list-alert-rules"]);
    let y: serde_json::Value = yaml_serde::from_str(&out).unwrap();
    assert_eq!(y, v);

    let (code, _, err) = hm_run(
        dir.path(),
        &["health", "delete-alert-rule", "--name", "high_cpu_usage"],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = hm_run(dir.path(), &["health", "list-alert-rules", "-o", "json"]);
    assert_eq!(json(&out)["rules"].as_array().unwrap().len(), 2);
}

#[test]
fn duplicates_need_replace() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(hm_run(dir.path(), SEED_RULE).0, 0);
    let (code, out, err) = hm_run(dir.path(), SEED_RULE);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("already exists") && err.contains("--replace"),
        "{err}"
    );

    let mut replace: Vec<&str> = SEED_RULE.to_vec();
    replace[7] = "95";
    replace.extend([
        "--replace",
        "-o",
        "json",
        "--comparison",
        "ge",
        "--label",
        "name=~web.*",
        "--description",
        "CPU is hot",
    ]);
    let (code, out, err) = hm_run(dir.path(), &replace);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["rules"][0]["change"], "replaced");
    assert_eq!(v["rules"][0]["threshold"], 95.0);
    assert_eq!(v["rules"][0]["comparison"], "ge");
    assert_eq!(v["rules"][0]["labels"][0]["op"], "=~");
}

#[test]
fn deleting_an_unknown_rule_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    hm_run(dir.path(), SEED_RULE);
    let (code, out, err) = hm_run(
        dir.path(),
        &["health", "delete-alert-rule", "--name", "nope"],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(
        err.trim(),
        "error: no alert rule named 'nope' (known: high_cpu_usage)"
    );
}

#[test]
fn empty_list() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = hm_run(dir.path(), &["health", "list-alert-rules", "-o", "json"]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["rules"].as_array().unwrap().len(), 0);
    let (_, out, _) = hm_run(dir.path(), &["health", "list-alert-rules"]);
    assert_eq!(out, "no alert rules\n");
}

#[test]
fn rules_from_a_yaml_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rule.yaml");
    std::fs::write(
        &file,
        "name: high_cpu_usage\ndescription: Alert when CPU usage is high\nmetric: hivemind_container_cpu_usage\nthreshold: 90\nduration: 5m\nseverity: warning\n",
    )
    .unwrap();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");

    let many = dir.path().join("many.yaml");
    std::fs::write(
        &many,
        "- {name: a, metric: hivemind_node_cpu_usage, threshold: 80, duration: 1m, severity: info}\n- {name: b, metric: hivemind_node_memory_usage, threshold: 10, duration: 30s, severity: critical, comparison: lt, labels: ['node=web-1']}\n---\nname: c\nmetric: m\nthreshold: 1\nduration: 0s\nseverity: warning\n",
    )
    .unwrap();
    let (code, out, err) = run(hm(dir.path())
        .args(["health", "create-alert-rule", "-o", "json", "--file", "-"])
        .pipe_stdin(&many)
        .unwrap());
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["rules"].as_array().unwrap().len(), 3);
    let (_, out, _) = hm_run(dir.path(), &["health", "list-alert-rules", "-o", "json"]);
    assert_eq!(json(&out)["rules"].as_array().unwrap().len(), 4);
}

#[test]
fn a_bad_rule_file_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.yaml");
    // The second rule has a misspelt key on line 8.
    std::fs::write(
        &file,
        "- name: ok\n  metric: m\n  threshold: 1\n  duration: 1m\n  severity: info\n- name: bad\n  metric: m\n  threshold: 1\n  duraton: 1m\n  severity: info\n",
    )
    .unwrap();
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("bad.yaml") && err.contains("duraton") && err.contains("line 9"),
        "{err}"
    );
    assert!(!dir.path().join("state.toml").exists());

    // Valid YAML, invalid value: named by rule and field.
    std::fs::write(&file, "- {name: a, metric: m, threshold: 1, duration: 1m, severity: info}\n- {name: b, metric: 1bad, threshold: 1, duration: 1m, severity: info}\n").unwrap();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("rule 2") && err.contains("metric") && err.contains("1bad"),
        "{err}"
    );
    assert!(!dir.path().join("state.toml").exists());

    // A name given twice in one file.
    std::fs::write(&file, "- {name: a, metric: m, threshold: 1, duration: 1m, severity: info}\n- {name: a, metric: m, threshold: 2, duration: 1m, severity: info}\n").unwrap();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("given twice"), "{err}");

    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--file",
            "/nonexistent/rules.yaml",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/rules.yaml"), "{err}");
}

#[test]
fn the_example_rule_file_loads() {
    let dir = tempfile::tempdir().unwrap();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rules.yaml");
    let (code, out, err) = hm_run(
        dir.path(),
        &["health", "create-alert-rule", "--file", file, "-o", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    let names: Vec<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["high_cpu_usage", "high_memory_usage", "node_down"]);
}

#[test]
fn exports_write_to_stdout_with_a_dash() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(hm_run(dir.path(), SEED_RULE).0, 0);
    let (code, out, err) = run(hm(dir.path()).current_dir(dir.path()).args([
        "health",
        "export-rules",
        "--output",
        "-",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("groups:") && out.contains("alert: high_cpu_usage"),
        "{out}"
    );
    assert!(!dir.path().join("-").exists(), "wrote a file named '-'");
}
