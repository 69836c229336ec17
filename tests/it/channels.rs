//! Alert channels: the seed's commands, secrets never shown, secret input variants.

use std::os::unix::fs::PermissionsExt;

use super::{hm, hm_run, json, run};

const SLACK_URL: &str = "https://hooks.slack.com/services/XXX/YYY/ZZZ";

#[test]
fn seed_commands_store_secrets_and_never_print_them() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "slack",
            "--webhook-url",
            SLACK_URL,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("<secret>") && !out.contains("ZZZ"), "{out}");
    assert!(
        err.contains("visible in `ps`"),
        "plain argv secret must warn: {err}"
    );
    assert!(
        err.contains("secrets.toml"),
        "file fallback must be announced: {err}"
    );

    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "email",
            "--smtp-server",
            "smtp.example.com",
            "--smtp-port",
            "587",
            "--smtp-user",
            "user",
            "--smtp-password",
            "hunter2pw",
            "--from",
            "alerts@example.com",
            "--to",
            "admin@example.com",
        ],
    );
    assert_eq!(code, 0, "{err}");
    // The fallback warning is given once, not on every write.
    assert!(!err.contains("secrets.toml"), "{err}");

    for format in ["table", "json", "yaml"] {
        let (code, out, err) = hm_run(dir.path(), &["health", "list-alert-channels", "-o", format]);
        assert_eq!(code, 0);
        for secret in ["hunter2pw", "XXX/YYY", "ZZZ"] {
            assert!(
                !out.contains(secret) && !err.contains(secret),
                "{format} shows a secret:\n{out}"
            );
        }
        assert!(out.contains("<secret>"), "{out}");
    }
    let (_, out, _) = hm_run(dir.path(), &["health", "list-alert-channels", "-o", "json"]);
    let v = json(&out);
    let email = &v["channels"][0];
    assert_eq!(email["name"], "email");
    assert_eq!(email["type"], "email");
    assert_eq!(email["smtp_port"], 587);
    assert_eq!(email["smtp_password"], "<secret>");
    assert_eq!(v["channels"][1]["webhook_url"], "<secret>");

    // The state file holds references only; the secrets file is private.
    let state = std::fs::read_to_string(dir.path().join("state.toml")).unwrap();
    assert!(
        !state.contains("hunter2pw") && !state.contains("ZZZ"),
        "{state}"
    );
    let secrets = dir.path().join("secrets.toml");
    assert_eq!(
        std::fs::metadata(&secrets).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        std::fs::read_to_string(&secrets)
            .unwrap()
            .contains("hunter2pw")
    );
    assert!(out.len() < 10_000);

    let (code, _, err) = hm_run(
        dir.path(),
        &["health", "delete-alert-channel", "--name", "email"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        !std::fs::read_to_string(&secrets)
            .unwrap()
            .contains("hunter2pw"),
        "deleting a channel deletes its secrets"
    );
    let (code, _, err) = hm_run(
        dir.path(),
        &["health", "delete-alert-channel", "--name", "email"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("no alert channel named 'email'"), "{err}");
}

#[test]
fn secrets_from_stdin_and_file_do_not_warn() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(hm(dir.path())
        .args([
            "health",
            "configure-alert-channel",
            "--type",
            "pagerduty",
            "--name",
            "pd",
            "--routing-key-stdin",
            "-o",
            "json",
        ])
        .write_stdin("R0UT1NGKEY\n"));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("visible in `ps`"), "{err}");
    assert_eq!(json(&out)["routing_key"], "<secret>");
    assert!(!out.contains("R0UT1NGKEY"));

    let key = dir.path().join("hook");
    std::fs::write(&key, format!("{SLACK_URL}\n")).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "slack",
            "--name",
            "ops",
            "--webhook-url-file",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning: --webhook-url"), "{err}");
    let secrets = std::fs::read_to_string(dir.path().join("secrets.toml")).unwrap();
    assert!(
        secrets.contains("R0UT1NGKEY") && secrets.contains(SLACK_URL),
        "trailing newline trimmed: {secrets}"
    );

    // A secret file readable by others is used, with a warning.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "slack",
            "--name",
            "ops",
            "--webhook-url-file",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    assert!(err.contains("readable by other users"), "{err}");

    // An invalid URL read from a file is refused without echoing it.
    std::fs::write(&key, "not-a-url-but-a-secret\n").unwrap();
    let (code, _, err) = hm_run(
        dir.path(),
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "slack",
            "--name",
            "ops2",
            "--webhook-url-file",
            key.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("--webhook-url") && !err.contains("not-a-url-but-a-secret"),
        "{err}"
    );
}

#[test]
fn reconfiguring_replaces_and_drops_stale_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, _) = run(hm(dir.path())
        .args([
            "health",
            "configure-alert-channel",
            "--type",
            "pagerduty",
            "--name",
            "oncall",
            "--routing-key-stdin",
        ])
        .write_stdin("OLDKEY"));
    assert_eq!(code, 0);
    let (code, out, err) = hm_run(
        dir.path(),
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--name",
            "oncall",
            "--url",
            "https://example.com/hook",
            "-o",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["change"], "replaced");
    assert_eq!(json(&out)["type"], "webhook");
    let secrets = std::fs::read_to_string(dir.path().join("secrets.toml")).unwrap();
    assert!(!secrets.contains("OLDKEY"), "{secrets}");
}

#[test]
fn webhook_and_default_names() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = hm_run(
        dir.path(),
        &[
            "health",
            "configure-alert-channel",
            "--type",
            "webhook",
            "--url",
            "https://example.com/hook",
            "-o",
            "yaml",
        ],
    );
    assert_eq!(code, 0);
    let y: serde_json::Value = yaml_serde::from_str(&out).unwrap();
    assert_eq!(y["name"], "webhook");
    assert_eq!(y["url"], "https://example.com/hook");
    assert!(
        !dir.path().join("secrets.toml").exists(),
        "a webhook has no secret"
    );
}
