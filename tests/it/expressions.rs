//! Rules as PromQL: `--expr`, who evaluates what, unknown metrics and `--strict`, the seed's
//! Prometheus rule groups loaded verbatim and exported clean, and hostile rule input.

use std::path::Path;

use super::agent::peer;
use super::{hm, hm_run, json, run};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed004");

fn list(dir: &Path) -> serde_json::Value {
    let (code, out, err) = hm_run(dir, &["health", "list-alert-rules", "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    json(&out)
}

fn rule<'a>(list: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    list["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no rule {name} in {list}"))
}

#[test]
fn expressions_and_the_flag_form_are_listed_with_who_evaluates_them() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--name",
            "cpu_busy",
            "--expr",
            "sum by (node) (rate(hivemind_node_cpu_seconds_total[5m])) > 0.9",
            "--duration",
            "5m",
            "--severity",
            "warning",
            "--label",
            "team=infra",
            "--annotation",
            "summary=CPU of {{ $labels.node }} at {{ $value | humanizePercentage }}",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(hm_run(dir.path(), super::SEED_RULE).0, 0);
    // A function the node does not evaluate: accepted, exported, Prometheus only.
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--name",
            "disk_fills",
            "--expr",
            "predict_linear(hivemind_node_disk_used_bytes[1h], 4 * 3600) > hivemind_node_disk_size_bytes",
            "--duration",
            "10m",
            "--severity",
            "critical",
        ],
    );
    assert_eq!(code, 0, "{err}");

    let v = list(dir.path());
    let cpu = rule(&v, "cpu_busy");
    assert_eq!(
        cpu["expr"],
        "sum by (node) (rate(hivemind_node_cpu_seconds_total[5m])) > 0.9"
    );
    assert_eq!(cpu["evaluated_by"], "node");
    assert_eq!(cpu["alert_labels"]["team"], "infra");
    assert!(cpu.get("metric").is_none(), "{cpu}");
    let seed = rule(&v, "high_cpu_usage");
    assert_eq!(seed["expr"], "hivemind_container_cpu_usage > 90");
    assert_eq!(seed["metric"], "hivemind_container_cpu_usage");
    assert_eq!(seed["evaluated_by"], "node");
    let disk = rule(&v, "disk_fills");
    assert_eq!(disk["evaluated_by"], "prometheus");
    assert_eq!(
        disk["prometheus_only_because"],
        "function predict_linear is not evaluated on the node"
    );

    let (_, out, _) = hm_run(dir.path(), &["health", "list-alert-rules"]);
    let header = out.lines().next().unwrap();
    assert!(
        header.contains("EXPRESSION") && header.contains("EVALUATED BY"),
        "{out}"
    );
    assert!(
        out.contains("prometheus (function predict_linear is not evaluated on the node)"),
        "{out}"
    );

    // The export carries the expression, the labels and the annotation template as given.
    let (code, out, err) = hm_run(dir.path(), &["health", "export-rules"]);
    assert_eq!(code, 0, "{err}");
    let y: serde_json::Value = yaml_serde::from_str(&out).unwrap();
    let exported = y["groups"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["alert"] == "cpu_busy")
        .unwrap()
        .clone();
    assert_eq!(exported["labels"]["team"], "infra");
    assert_eq!(exported["labels"]["severity"], "warning");
    assert_eq!(
        exported["annotations"]["summary"],
        "CPU of {{ $labels.node }} at {{ $value | humanizePercentage }}"
    );
}

#[test]
fn a_misspelt_metric_is_named_with_the_nearest_and_strict_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "health",
        "create-alert-rule",
        "--name",
        "typo",
        "--metric",
        "hivemind_nodes_cpu_usage",
        "--threshold",
        "90",
        "--duration",
        "1m",
        "--severity",
        "info",
    ];
    let mut strict = args.to_vec();
    strict.push("--strict");
    let (code, out, err) = hm_run(dir.path(), &strict);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("never exposes hivemind_nodes_cpu_usage")
            && err.contains("did you mean hivemind_node_cpu_usage?")
            && err.contains("--strict"),
        "{err}"
    );
    assert!(!dir.path().join("state.toml").exists());

    let (code, _, err) = hm_run(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning:") && err.contains("did you mean hivemind_node_cpu_usage?"),
        "{err}"
    );
    let v = list(dir.path());
    assert_eq!(rule(&v, "typo")["evaluated_by"], "prometheus");
    // Seed names of renamed metrics map to the exposed ones: no warning.
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--name",
            "nodes",
            "--metric",
            "hivemind_node_count",
            "--threshold",
            "1",
            "--comparison",
            "lt",
            "--duration",
            "1m",
            "--severity",
            "info",
            "--strict",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(rule(&list(dir.path()), "nodes")["evaluated_by"], "node");
}

#[test]
fn the_seed_rule_groups_load_verbatim_and_export_clean() {
    let dir = tempfile::tempdir().unwrap();
    // The fixtures are the seed document's blocks, byte for byte (checked when the seeds
    // are beside the repository).
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    if let Some(seed) = std::fs::read_dir(&seeds).ok().and_then(|d| {
        d.flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().contains("/004_"))
    }) {
        let text = std::fs::read_to_string(seed).unwrap();
        for f in ["critical.yml", "warnings.yml"] {
            let block = std::fs::read_to_string(Path::new(FIXTURES).join(f)).unwrap();
            assert!(text.contains(&block), "{f} is not verbatim from the seed");
        }
    }
    for f in ["critical.yml", "warnings.yml"] {
        let path = Path::new(FIXTURES).join(f);
        let (code, _, err) = hm_run(
            dir.path(),
            &[
                "health",
                "create-alert-rule",
                "--file",
                path.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{f}: {err}");
        // Their metrics are the mesh's, not the agent's: each is named, once.
        assert!(err.contains("evaluated by Prometheus only"), "{err}");
    }
    let v = list(dir.path());
    assert_eq!(v["rules"].as_array().unwrap().len(), 6);
    let down = rule(&v, "MeshNodeDown");
    assert_eq!(down["expr"], "up{job=\"agent-mesh\"} == 0");
    assert_eq!(down["duration"], "5m");
    assert_eq!(down["severity"], "critical");
    assert_eq!(
        down["annotations"]["summary"],
        "Agent Mesh node {{ $labels.instance }} is down"
    );
    assert_eq!(down["evaluated_by"], "prometheus");
    assert_eq!(
        rule(&v, "HighMemoryUsage")["expr"],
        "(system_memory_usage_bytes / system_memory_total_bytes) > 0.9"
    );
    for r in v["rules"].as_array().unwrap() {
        assert_eq!(r["evaluated_by"], "prometheus", "{r}");
    }

    let out = dir.path().join("rules.yml");
    let (code, _, err) = hm_run(
        dir.path(),
        &["health", "export-rules", "--output", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    if let Some(promtool) = peer("promtool") {
        let o = std::process::Command::new(promtool)
            .args(["check", "rules"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("SUCCESS: 6 rules found"),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    // And loading them again is refused as duplicates, whole.
    let path = Path::new(FIXTURES).join("critical.yml");
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--file",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
}

/// Bad rule input: one line naming the rule (and its place), exit 2, nothing written.
#[test]
fn bad_expressions_templates_and_files_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let expr_rule = |expr: &str, extra: &[&str]| -> (i32, String, String) {
        let mut args = vec![
            "health",
            "create-alert-rule",
            "--name",
            "bad",
            "--expr",
            expr,
            "--duration",
            "1m",
            "--severity",
            "info",
        ];
        args.extend_from_slice(extra);
        hm_run(dir.path(), &args)
    };
    for (expr, extra, want) in [
        (
            "rate(hivemind_node_cpu_seconds_total[5m] > 1",
            &[][..],
            "--expr",
        ),
        ("rate(x[5m]", &[], "at column 5"),
        ("frobnicate(x) > 1", &[], "unknown function"),
        ("rate(x[7h]) > 1", &[], "history cap"),
        ("x[5m]", &[], "not matrix"),
        ("x > 1 #", &[], "bad"),
        (
            "x > 1",
            &["--annotation", "summary={{ $value | nope }}"],
            "annotations.summary",
        ),
        (
            "x > 1",
            &["--annotation", "summary={{ if true }}open"],
            "missing {{end}}",
        ),
        ("x > 1", &["--label", "team=~a.*"], "name=value with --expr"),
        ("x > 1", &["--label", "alertname=x"], "alertname"),
    ] {
        let (code, out, err) = expr_rule(expr, extra);
        if want == "bad" {
            // A trailing comment is valid PromQL.
            assert_eq!(code, 0, "{expr}: {err}");
            hm_run(
                dir.path(),
                &["health", "delete-alert-rule", "--name", "bad"],
            );
            continue;
        }
        assert_eq!(code, 2, "{expr} {extra:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.trim().lines().count(), 1, "{expr}: {err}");
        assert!(err.contains(want), "{expr} {extra:?}: {err}");
    }
    assert!(list(dir.path())["rules"].as_array().unwrap().is_empty());

    let file = dir.path().join("rules.yml");
    for (text, want) in [
        (
            "groups:\n  - name: g\n    rules:\n      - alert: Good\n        expr: up == 0\n      - alert: Bad\n        expr: rate(x[5m]\n",
            "line 6",
        ),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n      - alert: A\n        expr: up == 1\n",
            "given twice",
        ),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        annotations:\n          summary: '{{ $labels.x | nope }}'\n",
            "annotations.summary",
        ),
        (
            "groups:\n  - name: g\n    rules:\n      - record: job:up:sum\n        expr: sum(up)\n",
            "recording rules are not supported",
        ),
        ("groups: &a [*a]\n", "alias"),
        (
            "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 5M\n",
            "unknown unit 'M'",
        ),
    ] {
        std::fs::write(&file, text).unwrap();
        let (code, out, err) = hm_run(
            dir.path(),
            &[
                "health",
                "create-alert-rule",
                "--file",
                file.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 2, "{text}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.trim().lines().count(), 1, "{text}: {err}");
        assert!(
            err.contains(want) && err.contains("rules.yml"),
            "{want}: {err}"
        );
    }
    assert!(list(dir.path())["rules"].as_array().unwrap().is_empty());
}

#[test]
fn rules_come_back_through_stdin_in_the_prometheus_format() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("warnings.yml")).unwrap();
    let (code, out, err) = run(hm(dir.path())
        .args(["health", "create-alert-rule", "--file", "-", "-o", "json"])
        .write_stdin(text));
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["rules"].as_array().unwrap().len(), 3);
    assert_eq!(v["rules"][0]["change"], "created");
}
