//! Input limits: deeply nested or oversized YAML, JSON and TOML are refused at once with a
//! one-line error, from every door (rule files, the API, the state files), and no parser
//! of structured text is called anywhere but through the one gate, `model::input`.

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::agent::{Daemon, http};
use super::{hm_run, std_cmd};

/// Run hivemind with `args`; fail the test when it has not finished within `limit`.
fn run_within(dir: &Path, args: &[&str], limit: Duration) -> (i32, String, String) {
    let started = Instant::now();
    let mut child = std_cmd(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hivemind {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (mut out, mut err) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (status.code().unwrap_or(-1), out, err)
}

fn one_line(err: &str) -> &str {
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    err.trim_end()
}

#[test]
fn a_deeply_nested_rule_file_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deep.yaml");
    // 200 000 levels, 1.4 MB: the YAML parser alone took hours over this.
    let n = 200_000;
    std::fs::write(&file, format!("{}1{}", "a: {".repeat(n), "}".repeat(n))).unwrap();
    let path = file.to_str().unwrap();
    let (code, out, err) = run_within(
        dir.path(),
        &["health", "create-alert-rule", "--file", path],
        Duration::from_secs(5),
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert_eq!(
        one_line(&err),
        format!(
            "error: reading rule file {path}: nested deeper than 64 levels at line 1, column 256 (the limit for the rule file)"
        )
    );
    // Block nesting and sequences too, read from stdin.
    let block: String = (0..100)
        .map(|i| format!("{}- a:\n", " ".repeat(2 * i)))
        .collect();
    let mut cmd = std_cmd(dir.path());
    let mut child = cmd
        .args(["health", "create-alert-rule", "--file", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), block.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nested deeper than 64 levels"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, listed, _) = hm_run(dir.path(), &["health", "list-alert-rules"]);
    assert!(listed.contains("no alert rules"), "{listed}");
}

#[test]
fn yaml_aliases_cannot_expand_a_rule_file() {
    let dir = tempfile::tempdir().unwrap();
    // An alias repeats its anchor's value: 250 000 aliases of a 1 KB label are 250 MB of
    // labels from a 1 MB file, which the rule then carries into the state.
    let label = format!("node={}", "x".repeat(1000));
    let text = format!(
        "name: a\nmetric: m\nthreshold: 1\nduration: 1m\nseverity: info\nlabels: [&l '{label}'{}]\n",
        ", *l".repeat(250_000)
    );
    let file = dir.path().join("aliases.yaml");
    std::fs::write(&file, text).unwrap();
    let (code, _, err) = run_within(
        dir.path(),
        &[
            "health",
            "create-alert-rule",
            "--file",
            file.to_str().unwrap(),
        ],
        Duration::from_secs(5),
    );
    assert_eq!(code, 2);
    assert!(
        one_line(&err).ends_with(
            "YAML anchor or alias at line 6, column 10: the rule file takes neither (write the value out)"
        ),
        "{err}"
    );
}

#[test]
fn deep_json_to_the_api_is_refused_with_400() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), &[]);
    // 100 levels: within serde_json's own limit (128), past ours; and 200 000, near 1 MiB.
    for n in [100, 200_000] {
        let body = format!("{{\"rules\": {}1{}}}", "[".repeat(n), "]".repeat(n));
        let started = Instant::now();
        let (status, answer) = http(d.api, "POST", "/api/rules", Some(&d.token), body.as_bytes());
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(status, 400, "{answer}");
        let answer = super::agent::dechunk(&answer);
        let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(v["error"]["code"], "invalid");
        assert_eq!(
            v["error"]["message"],
            "request body for rules: nested deeper than 64 levels at line 1, column 74 (the limit for the request body)"
        );
    }
    // The agent still works.
    let (status, _) = http(d.api, "GET", "/api/rules", Some(&d.token), b"");
    assert_eq!(status, 200);
}

#[test]
fn a_deep_or_huge_state_file_is_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.toml");
    let deep = format!(
        "version = 1\nx = {}1{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    // Valid TOML, but far over the size any real state reaches.
    let huge = format!("version = 1\n{}", "# padding\n".repeat(2 * 1024 * 1024));
    // The same, with the limit falling inside a two-byte character.
    let cut = format!("version = 1\n\n\n{}", "# é\n".repeat(4 * 1024 * 1024));
    assert_eq!(cut.as_bytes()[16 * 1024 * 1024], 0xC3);
    for (text, says) in [
        (
            &deep,
            "nested deeper than 64 levels at line 2, column 68 (the limit for the state)",
        ),
        (&huge, "larger than the 16 MiB limit for the state"),
        (&cut, "larger than the 16 MiB limit for the state"),
    ] {
        std::fs::write(&path, text).unwrap();
        let (code, out, err) = run_within(
            dir.path(),
            &["health", "list-alert-rules"],
            Duration::from_secs(5),
        );
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty());
        let err = one_line(&err);
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains(says), "{err}");
        assert!(err.contains("hivemind will not overwrite it"), "{err}");
        let (code, _, _) = hm_run(
            dir.path(),
            &["observability", "configure-metrics", "--port", "9100"],
        );
        assert_eq!(code, 2);
        assert!(
            std::fs::read_to_string(&path).unwrap() == *text,
            "file was changed"
        );
    }
}

#[test]
fn a_huge_inventory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agents.toml");
    std::fs::write(&path, "# x\n".repeat(512 * 1024)).unwrap();
    let (code, _, err) = run_within(dir.path(), &["agent", "list"], Duration::from_secs(5));
    assert_eq!(code, 2);
    assert!(
        one_line(&err).contains("larger than the 1 MiB limit for the agent inventory"),
        "{err}"
    );
}

/// Calls that parse structured text, allowed only in `src/model/input.rs`.
const PARSERS: &[&str] = &[
    "yaml_serde::from_",
    "yaml_serde::Deserializer::from_",
    "serde_json::from_str",
    "serde_json::from_slice",
    "serde_json::from_reader",
    "serde_json::Deserializer::from_",
    "toml::from_str",
    "toml::from_slice",
    "toml::de::from_",
    "serde_urlencoded::from_",
    ".json::<",
    ".json().await",
    // axum's extractors parse request bodies and queries on their own.
    "Json<",
    "Query<",
];

/// The source of `text` outside its `#[cfg(test)]` module(s): tests may parse freely.
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut skip_depth: Option<i64> = None;
    let mut depth = 0i64;
    let mut pending = false;
    for line in text.lines() {
        let opens = line.matches('{').count() as i64;
        let closes = line.matches('}').count() as i64;
        if skip_depth.is_none() && line.trim() == "#[cfg(test)]" {
            pending = true;
            continue;
        }
        if pending && opens > 0 {
            skip_depth = Some(depth);
            pending = false;
        } else if pending && line.trim_end().ends_with(';') {
            pending = false;
            depth += opens - closes;
            continue;
        }
        depth += opens - closes;
        match skip_depth {
            Some(d) if depth <= d => skip_depth = None,
            Some(_) => {}
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

fn rs_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn structured_text_is_parsed_only_through_the_input_gate() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    let mut found = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap().display().to_string();
        // The gate itself, and test-only files (declared under #[cfg(test)]).
        if rel == "model/input.rs" || rel.ends_with("tests.rs") {
            continue;
        }
        let text = without_tests(&std::fs::read_to_string(f).unwrap());
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for p in PARSERS {
                if code.contains(p) {
                    found.push(format!("{rel}: {p} in `{}`", line.trim()));
                }
            }
            let _ = n;
        }
    }
    assert!(
        found.is_empty(),
        "parse through crate::model::input instead:\n{}",
        found.join("\n")
    );
    // The check sees what it looks for.
    let planted = "fn f() { serde_json::from_str::<u8>(\"1\"); }\n#[cfg(test)]\nmod tests {\n    fn g() { toml::from_str(\"\"); }\n}\n";
    let kept = without_tests(planted);
    assert!(kept.contains("serde_json::from_str") && !kept.contains("toml::from_str"));
}

#[test]
fn the_gate_and_the_server_agree_on_the_body_limit() {
    // The server stops reading at MAX_BODY; the gate would refuse anything longer anyway.
    assert_eq!(
        hivemind::daemon::api_http::MAX_BODY,
        hivemind::model::input::Input::API_BODY.max_bytes()
    );
}
