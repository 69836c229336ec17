//! Parsing, refusing and round-tripping configuration files.

use super::*;

const MINIMAL: &str = "version: 1\n";

#[test]
fn a_minimal_file_parses() {
    let f = parse(MINIMAL).unwrap();
    assert_eq!(f, ConfigFile::empty());
}

#[test]
fn unknown_keys_are_refused_with_line_and_column() {
    let text = "version: 1\nmetrics:\n  listen_address: 127.0.0.1\n  prot: 9469\n";
    let e = parse(text).unwrap_err().to_string();
    assert!(e.contains("prot"), "{e}");
    assert!(e.contains("line 4"), "{e}");
    assert!(e.contains("column"), "{e}");
    let e = parse("version: 1\nrulez: []\n").unwrap_err().to_string();
    assert!(e.contains("rulez") && e.contains("line 2"), "{e}");
}

#[test]
fn literal_secrets_are_refused_with_the_reference_syntax() {
    let text = "version: 1\nchannels:\n  ops:\n    type: slack\n    webhook_url: https://hooks.slack.com/services/T0/B0/XXXX\n";
    let e = parse(text).unwrap_err().to_string();
    assert!(e.contains("{env: VARIABLE}"), "{e}");
    assert!(e.contains("line 5"), "{e}");
    assert!(!e.contains("XXXX"), "the value is not echoed: {e}");
    let ok =
        "version: 1\nchannels:\n  ops:\n    type: slack\n    webhook_url:\n      env: SLACK_URL\n";
    let f = parse(ok).unwrap();
    assert_eq!(
        f.channels["ops"],
        Channel::Slack {
            webhook_url: SecretSource::Env("SLACK_URL".into())
        }
    );
    for bad in [
        "{env: 1BAD}",
        "{env: A, file: /x}",
        "{vault: x}",
        "{}",
        "{file: ''}",
    ] {
        let text =
            format!("version: 1\nchannels:\n  ops:\n    type: slack\n    webhook_url: {bad}\n");
        assert!(parse(&text).is_err(), "{bad}");
    }
}

#[test]
fn invalid_objects_and_versions_are_refused() {
    assert!(
        parse("version: 2\n")
            .unwrap_err()
            .to_string()
            .contains("version")
    );
    let dup = "version: 1\nchecks:\n- name: a\n  probe: {type: tcp, address: '127.0.0.1:1'}\n  interval: 30s\n  timeout: 5s\n  failure_threshold: 3\n  success_threshold: 1\n  start_period: 0s\n- name: a\n  probe: {type: tcp, address: '127.0.0.1:1'}\n  interval: 30s\n  timeout: 5s\n  failure_threshold: 3\n  success_threshold: 1\n  start_period: 0s\n";
    let e = parse(dup).unwrap_err().to_string();
    assert!(e.contains("given twice"), "{e}");
    let deep = format!(
        "version: 1\nrules: {}{}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    assert!(parse(&deep).is_err());
    assert!(parse("version: 1\nmetrics: &a {}\n").is_err());
}

#[test]
fn secret_references_resolve_from_env_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    std::fs::write(&path, "value-from-file\n").unwrap();
    let s = SecretSource::File(path.clone()).resolve("x").unwrap();
    assert_eq!(s.expose(), "value-from-file");
    std::fs::write(&path, "").unwrap();
    assert!(SecretSource::File(path).resolve("x").is_err());
    let e = SecretSource::Env("HIVEMIND_TEST_SURELY_UNSET_9f1".into())
        .resolve("channels.ops.webhook_url")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("channels.ops.webhook_url") && e.contains("HIVEMIND_TEST_SURELY_UNSET_9f1"),
        "{e}"
    );
    assert_eq!(
        SecretSource::for_path("channels.ops-1.webhook_url"),
        SecretSource::Env("HIVEMIND_SECRET_CHANNELS_OPS_1_WEBHOOK_URL".into())
    );
}
