//! The target layer without spawning the binary: every call survives its HTTP form, the
//! embedded service carries out the configuration operations with the errors' kinds intact,
//! and `Place` picks the right target and judges fan-out answers.

use std::time::Duration;

use serde_json::json;

use super::call::{Call, FileCall, Method};
use super::inventory::{AgentEntry, InventoryStore};
use super::local::Local;
use super::service::{Service, execute};
use super::{Fetched, Outcome, Place, Target, embedded};
use crate::error::{Error, ExitStatus};
use crate::messages::Messages;
use crate::store::{BackendChoice, SecretStore, StateStore};

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn rule(name: &str) -> serde_json::Value {
    json!({"name": name, "metric": "hivemind_node_cpu_usage", "comparison": "gt",
           "threshold": 90.0, "duration": "5m", "severity": "warning"})
}

/// One call of every kind, with realistic arguments.
fn samples() -> Vec<Call> {
    vec![
        Call::Info,
        Call::Health(Default::default()),
        Call::ShowConfig,
        Call::ConfigureMetrics(from_json(json!({"port": 9469, "path": "/metrics"}))),
        Call::ConfigureAutoHealing(from_json(json!({"enabled": true, "max_restarts": 3}))),
        Call::ListRules,
        Call::CreateRules(from_json(
            json!({"rules": [rule("high_cpu")], "replace": true}),
        )),
        Call::DeleteRule("high_cpu".into()),
        Call::ListChannels,
        Call::ConfigureChannel(
            "ops".into(),
            from_json(json!({"type": "webhook", "url": "https://hooks.example.com/x"})),
        ),
        Call::DeleteChannel("ops".into()),
        Call::Metrics,
        Call::Metric("hivemind_node_cpu_usage".into()),
        Call::CreateCheck(from_json(json!({"check": {
            "name": "db", "probe": {"type": "tcp", "address": "127.0.0.1:5432"},
            "interval": "30s", "timeout": "5s", "failure_threshold": 3,
            "success_threshold": 1, "start_period": "0s"}}))),
        Call::ListChecks,
        Call::DeleteCheck("db".into()),
        Call::RunCheck("db".into()),
        Call::ConfigureTracing(from_json(
            json!({"endpoint": "http://127.0.0.1:4318/v1/traces",
                                                "sample_ratio": 0.5}),
        )),
        Call::ConfigureLogging(from_json(json!({"endpoint": "http://127.0.0.1:9200",
                                                "index": "hivemind-logs"}))),
        Call::Traces(from_json(json!({"limit": 10}))),
        Call::Trace("0af7651916cd43dd8448eb211c80319c".into()),
        Call::Logs(from_json(json!({"limit": 5, "level": "warning"}))),
        Call::Dashboards,
        Call::Dashboard("hivemind-node".into()),
        Call::Diagnose(from_json(json!({"component": "metrics", "stack": true}))),
        Call::StatusPageLink,
        Call::Alerts(crate::model::alert::AlertQuery {
            states: vec![crate::model::alert::AlertState::Firing],
        }),
        Call::Alert("0123456789abcdef".into()),
        Call::TestChannel("ops".into()),
        Call::ExportConfig,
        Call::ApplyConfig(Box::new(from_json(json!({
            "config": {"version": 1,
                "rules": [{"name": "r", "metric": "hivemind_node_cpu_usage", "comparison": "gt",
                           "threshold": 90.0, "duration": "5m", "severity": "warning",
                           "description": "d"}],
                "channels": {"ops": {"type": "slack", "webhook_url": "https://hooks.example.com/x"}},
                "checks": [{"name": "db", "probe": {"type": "tcp", "address": "127.0.0.1:5432"},
                            "interval": "30s", "timeout": "5s", "failure_threshold": 3,
                            "success_threshold": 1, "start_period": "0s"}]},
            "prune": true, "dry_run": false})))),
        Call::CapturedProfiles,
    ]
}

/// Which variant a call is, so that a new variant without a sample fails to compile here.
fn variant(c: &Call) -> usize {
    match c {
        Call::Info => 0,
        Call::Health(_) => 1,
        Call::ShowConfig => 2,
        Call::ConfigureMetrics(_) => 3,
        Call::ConfigureAutoHealing(_) => 4,
        Call::ListRules => 5,
        Call::CreateRules(_) => 6,
        Call::DeleteRule(_) => 7,
        Call::ListChannels => 8,
        Call::ConfigureChannel(..) => 9,
        Call::DeleteChannel(_) => 10,
        Call::Metrics => 11,
        Call::Metric(_) => 12,
        Call::CreateCheck(_) => 13,
        Call::ListChecks => 14,
        Call::DeleteCheck(_) => 15,
        Call::RunCheck(_) => 16,
        Call::ConfigureTracing(_) => 17,
        Call::ConfigureLogging(_) => 18,
        Call::Traces(_) => 19,
        Call::Trace(_) => 20,
        Call::Logs(_) => 21,
        Call::Dashboards => 22,
        Call::Dashboard(_) => 23,
        Call::Diagnose(_) => 24,
        Call::StatusPageLink => 25,
        Call::Alerts(_) => 26,
        Call::Alert(_) => 27,
        Call::TestChannel(_) => 28,
        Call::ExportConfig => 29,
        Call::ApplyConfig(_) => 30,
        Call::CapturedProfiles => 31,
    }
}

#[test]
fn every_call_survives_its_http_form() {
    let calls = samples();
    let mut seen: Vec<usize> = calls.iter().map(variant).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen,
        (0..=31).collect::<Vec<_>>(),
        "a call kind has no sample"
    );
    for call in calls {
        let (method, target, body) = call.to_http().unwrap();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let bytes = body
            .as_ref()
            .map(|b| serde_json::to_vec(b).unwrap())
            .unwrap_or_default();
        let parsed = Call::from_http(method, path, query, &bytes)
            .unwrap_or_else(|e| panic!("{} {target}: {e}", call.operation()));
        assert_eq!(parsed.operation(), call.operation());
        assert_eq!(
            parsed.to_http().unwrap(),
            (method, target.clone(), body),
            "{}",
            call.operation()
        );
        // What is a write and what runs programs is decided by the call, whichever side
        // parsed it.
        assert_eq!(parsed.is_write(), call.is_write());
        assert_eq!(
            parsed.runs_programs(stored_command).unwrap(),
            call.runs_programs(stored_command).unwrap()
        );
    }
}

/// Every stored check is a command check.
fn stored_command(name: &str) -> crate::error::Result<crate::model::Check> {
    Ok(from_json(json!({
        "name": name, "probe": {"type": "command", "command": ["true"]},
        "interval": "30s", "timeout": "5s", "failure_threshold": 3,
        "success_threshold": 1, "start_period": "0s"})))
}

#[test]
fn what_runs_programs() {
    let command_check = Call::CreateCheck(from_json(json!({"check": {
        "name": "c", "probe": {"type": "command", "command": ["true"]},
        "interval": "30s", "timeout": "5s", "failure_threshold": 3,
        "success_threshold": 1, "start_period": "0s"}})));
    let restarting_check = Call::CreateCheck(from_json(json!({"check": {
        "name": "t", "probe": {"type": "tcp", "address": "127.0.0.1:5432"},
        "restart_command": ["systemctl", "restart", "db"],
        "interval": "30s", "timeout": "5s", "failure_threshold": 3,
        "success_threshold": 1, "start_period": "0s"}})));
    let never =
        |_: &str| -> crate::error::Result<crate::model::Check> { panic!("no lookup needed") };
    assert!(command_check.runs_programs(never).unwrap());
    assert!(restarting_check.runs_programs(never).unwrap());
    // A run runs what is stored under the name: a command check's command, nothing else.
    let run = Call::RunCheck("c".into());
    assert!(run.runs_programs(stored_command).unwrap());
    let stored_tcp = |name: &str| {
        Ok(from_json(json!({
            "name": name, "probe": {"type": "tcp", "address": "127.0.0.1:5432"},
            "restart_command": ["systemctl", "restart", "db"],
            "interval": "30s", "timeout": "5s", "failure_threshold": 3,
            "success_threshold": 1, "start_period": "0s"})))
    };
    assert!(!run.runs_programs(stored_tcp).unwrap());
    let missing = |name: &str| Err(Error::NotFound(format!("no check {name}")));
    assert!(matches!(
        run.runs_programs(missing),
        Err(Error::NotFound(_))
    ));
    for call in samples() {
        if !matches!(
            call,
            Call::CreateCheck(_) | Call::RunCheck(_) | Call::ApplyConfig(_)
        ) {
            assert!(!call.runs_programs(never).unwrap(), "{}", call.operation());
        }
    }
    // A file runs programs when it adds or changes a command check or a restart command.
    let apply = |dry_run: bool| {
        Call::ApplyConfig(Box::new(from_json(
            json!({"config": {"version": 1, "checks": [{
            "name": "c", "probe": {"type": "command", "command": ["true"]},
            "interval": "30s", "timeout": "5s", "failure_threshold": 3,
            "success_threshold": 1, "start_period": "0s"}]}, "dry_run": dry_run}),
        )))
    };
    assert!(
        !apply(true).runs_programs(never).unwrap(),
        "a dry run runs nothing"
    );
    assert!(
        apply(false).runs_programs(missing).unwrap(),
        "a new command check"
    );
    assert!(
        apply(false).runs_programs(stored_tcp).unwrap(),
        "a changed check"
    );
    let same = |name: &str| {
        Ok(from_json(json!({
            "name": name, "probe": {"type": "command", "command": ["true"]},
            "interval": "30s", "timeout": "5s", "failure_threshold": 3,
            "success_threshold": 1, "start_period": "0s"})))
    };
    assert!(
        !apply(false).runs_programs(same).unwrap(),
        "the same check as stored"
    );
}

#[test]
fn hostile_requests_are_refused_with_their_kind() {
    let bad = |m, p: &str, q: &str, b: &[u8]| Call::from_http(m, p, q, b).unwrap_err();
    assert!(matches!(
        bad(Method::Get, "/api/nope", "", b""),
        Error::NotFound(_)
    ));
    assert!(matches!(
        bad(Method::Put, "/api/rules", "", b""),
        Error::NotFound(_)
    ));
    assert_eq!(
        bad(Method::Post, "/api/rules", "", b"{").api_code(),
        "invalid"
    );
    assert_eq!(
        bad(
            Method::Post,
            "/api/rules",
            "",
            br#"{"rules": [], "extra": 1}"#
        )
        .api_code(),
        "invalid"
    );
    assert_eq!(
        bad(Method::Delete, "/api/rules/%0a", "", b"").api_code(),
        "invalid"
    );
    assert_eq!(
        bad(Method::Get, "/api/alerts/XYZ", "", b"").api_code(),
        "invalid"
    );
    assert_eq!(
        bad(Method::Get, "/api/alerts", "state=gone", b"").api_code(),
        "invalid"
    );
    assert!(FileCall::from_http(Method::Get, "/api/profile", b"").is_some_and(|r| r.is_err()));
    assert!(FileCall::from_http(Method::Get, "/api/rules", b"").is_none());
    assert!(matches!(
        FileCall::from_http(Method::Get, "/api/profiles/1764500000000-busy-cpu-0123abcd", b""),
        Some(Ok(FileCall::CapturedProfile(id))) if id == "1764500000000-busy-cpu-0123abcd"
    ));
    for bad in [
        "/api/profiles/..%2Fsecrets",
        "/api/profiles/A",
        "/api/profiles/a/b",
    ] {
        assert!(
            FileCall::from_http(Method::Get, bad, b"").is_some_and(|r| r.is_err()),
            "{bad}"
        );
    }
}

fn service(dir: &std::path::Path) -> Service {
    let local = Local::new(
        StateStore::new(dir),
        SecretStore::new(dir, BackendChoice::File),
    );
    embedded::service(local, dir, &Messages::silent())
}

#[test]
fn the_embedded_service_carries_out_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service(dir.path());
    let create = |replace| {
        Call::CreateRules(from_json(
            json!({"rules": [rule("high_cpu")], "replace": replace}),
        ))
    };
    let made = execute(&svc, create(false)).unwrap();
    assert_eq!(made["rules"][0]["change"], "created");
    // A clash is a conflict, unknown names are not found, and both keep their kind.
    let clash = execute(&svc, create(false)).unwrap_err();
    assert_eq!(clash.api_code(), "conflict");
    assert_eq!(
        execute(&svc, create(true)).unwrap()["rules"][0]["change"],
        "replaced"
    );
    let listed = execute(&svc, Call::ListRules).unwrap();
    assert_eq!(listed["rules"].as_array().unwrap().len(), 1);
    let gone = execute(&svc, Call::DeleteRule("nope".into())).unwrap_err();
    assert_eq!(gone.api_code(), "not_found");
    assert!(gone.to_string().contains("high_cpu"), "{gone}");

    // A channel's secret is stored, and shown only as <secret>.
    let slack: Call = Call::ConfigureChannel(
        "ops".into(),
        from_json(
            json!({"type": "slack", "webhook_url": "https://hooks.slack.com/services/T0/B0/s3cr3t"}),
        ),
    );
    execute(&svc, slack).unwrap();
    let channels = execute(&svc, Call::ListChannels).unwrap().to_string();
    assert!(!channels.contains("s3cr3t"), "{channels}");
    assert!(channels.contains("<secret>"), "{channels}");

    let config = execute(&svc, Call::ShowConfig).unwrap();
    assert_eq!(config["alert_rules"], 1);
    assert_eq!(config["alert_channels"], 1);
    let empty = execute(&svc, Call::ConfigureMetrics(Default::default())).unwrap_err();
    assert_eq!(empty.api_code(), "invalid");
    // What only a daemon keeps says so.
    let traces = execute(&svc, Call::Traces(Default::default())).unwrap_err();
    assert!(traces.to_string().contains("hivemind daemon"), "{traces}");
    let info = execute(&svc, Call::Info).unwrap();
    assert_eq!(info["mode"], "embedded");
    assert_eq!(
        execute(&svc, Call::Dashboards).unwrap()["dashboards"]
            .as_array()
            .unwrap()
            .len(),
        crate::dashboards::all().len()
    );
}

#[test]
fn a_rejected_batch_of_rules_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service(dir.path());
    let mut bad = rule("second");
    bad["metric"] = json!("cpu-usage");
    let batch = Call::CreateRules(from_json(json!({"rules": [rule("first"), bad]})));
    let e = execute(&svc, batch).unwrap_err();
    assert_eq!(e.api_code(), "invalid");
    assert!(e.to_string().contains("rule 2: metric"), "{e}");
    let twice = Call::CreateRules(from_json(json!({"rules": [rule("a"), rule("a")]})));
    let e = execute(&svc, twice).unwrap_err();
    assert!(e.to_string().contains("given twice"), "{e}");
    assert!(
        execute(&svc, Call::ListRules).unwrap()["rules"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

fn place(dir: &std::path::Path) -> Place {
    Place {
        data_dir: dir.to_path_buf(),
        agents: Vec::new(),
        all_agents: false,
        timeout: Duration::from_secs(2),
        progress: false,
        max_concurrency: None,
        data_dir_given: true,
    }
}

/// A URL on which nothing listens.
fn dead_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", l.local_addr().unwrap())
}

#[test]
fn the_place_picks_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let msg = Messages::silent();
    let p = place(dir.path());
    assert!(matches!(p.target(&msg).unwrap(), Target::Embedded(_)));
    assert!(!p.is_remote().unwrap());

    let all = Place {
        all_agents: true,
        ..place(dir.path())
    };
    let e = all.target(&msg).err().unwrap();
    assert!(e.to_string().contains("inventory is empty"), "{e}");

    let store = InventoryStore::new(dir.path());
    store
        .update(|inv| {
            for name in ["a", "b"] {
                inv.agents.insert(
                    name.into(),
                    AgentEntry {
                        url: dead_url(),
                        ca_cert: None,
                        token: None,
                        metrics_address: None,
                        metrics_path: None,
                    },
                );
            }
            Ok(())
        })
        .unwrap();
    assert!(matches!(all.target(&msg).unwrap(), Target::Many(c) if c.len() == 2));
    let one = Place {
        agents: vec!["a".into()],
        ..place(dir.path())
    };
    assert!(one.is_remote().unwrap());
    assert!(matches!(one.target(&msg).unwrap(), Target::One(c) if c.name == "a"));
    let unknown = Place {
        agents: vec!["zz".into()],
        ..place(dir.path())
    };
    let e = unknown.target(&msg).err().unwrap();
    assert_eq!(e.api_code(), "not_found");
    assert!(e.to_string().contains("known: a, b"), "{e}");

    // The default agent makes commands remote without flags.
    store
        .update(|inv| {
            inv.default = Some("b".into());
            Ok(())
        })
        .unwrap();
    assert!(p.is_remote().unwrap());
    assert!(matches!(p.target(&msg).unwrap(), Target::One(c) if c.name == "b"));

    // Agents that cannot be reached are rows, each with its error, and the verdict is 2.
    let target = all.target(&msg).unwrap();
    let fetched = all
        .fetch::<serde_json::Value>(&target, &Call::Info)
        .unwrap();
    let Fetched::Many(outcomes) = &fetched else {
        panic!("expected one row per agent")
    };
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes.iter().all(|o| !o.ok && o.error.is_some()));
    assert_eq!(
        fetched.verdict(&|_| ExitStatus::Success),
        ExitStatus::Failure
    );
    // One agent's failure is an error that names it.
    let e = one
        .fetch::<serde_json::Value>(&one.target(&msg).unwrap(), &Call::Info)
        .err()
        .unwrap();
    assert!(e.to_string().starts_with("agent a: "), "{e}");
    // An export refuses several agents.
    let e = all
        .fetch_one::<serde_json::Value>(&Call::ListRules, &msg, "one place only")
        .unwrap_err();
    assert_eq!(e.to_string(), "one place only");
}

#[test]
fn fan_out_verdicts() {
    let row = |ok: bool, v: u8| Outcome {
        agent: "a".into(),
        url: String::new(),
        ok,
        result: ok.then_some(v),
        error: (!ok).then(|| "down".to_string()),
        not_found: false,
    };
    let judge = |v: &u8| {
        if *v > 0 {
            ExitStatus::Negative
        } else {
            ExitStatus::Success
        }
    };
    let many = |rows| Fetched::Many(rows);
    assert_eq!(
        many(vec![row(true, 0), row(true, 0)]).verdict(&judge),
        ExitStatus::Success
    );
    assert_eq!(
        many(vec![row(true, 0), row(true, 1)]).verdict(&judge),
        ExitStatus::Negative
    );
    assert_eq!(
        many(vec![row(true, 1), row(false, 0)]).verdict(&judge),
        ExitStatus::Partial
    );
    assert_eq!(
        many(vec![row(false, 0), row(false, 0)]).verdict(&judge),
        ExitStatus::Failure
    );
    let one = Fetched::One {
        report: 1u8,
        prefix: String::new(),
    };
    assert_eq!(one.verdict(&judge), ExitStatus::Negative);
}

#[test]
fn the_cost_of_regular_expressions_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let svc = service(dir.path());
    // One matcher that would compile to megabytes is refused, quickly.
    let mut costly = rule("costly");
    costly["labels"] = json!([{"name": "job", "op": "=~", "value": "\\w{40}"}]);
    let started = std::time::Instant::now();
    let e = execute(
        &svc,
        Call::CreateRules(from_json(json!({"rules": [costly]}))),
    )
    .unwrap_err();
    assert!(e.to_string().contains("compiles to at most"), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // More regular expressions than the budget are refused before any is compiled.
    let many: Vec<serde_json::Value> = (0..=crate::model::rule::MAX_REGEX_MATCHERS)
        .map(|i| {
            let mut r = rule(&format!("r{i}"));
            r["labels"] = json!([{"name": "job", "op": "=~", "value": format!("a{i}.*")}]);
            r
        })
        .collect();
    let e = execute(&svc, Call::CreateRules(from_json(json!({"rules": many})))).unwrap_err();
    assert!(
        e.to_string().contains("at most 256 regular-expression"),
        "{e}"
    );
    // And a rule has at most 32 matchers.
    let mut wide = rule("wide");
    wide["labels"] = json!(
        (0..33)
            .map(|i| json!({"name": format!("l{i}"), "op": "=", "value": "x"}))
            .collect::<Vec<_>>()
    );
    let e = execute(&svc, Call::CreateRules(from_json(json!({"rules": [wide]})))).unwrap_err();
    assert!(e.to_string().contains("at most 32 label matchers"), "{e}");
    assert!(
        execute(&svc, Call::ListRules).unwrap()["rules"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
