//! completions/ and man/ (from the clap definition) are generated and committed, and dashboards/
//! (the source src/dashboards embeds) is kept in the form `import-dashboards` writes; these
//! tests fail when either is stale; so is the JSON Schema of the configuration file (schemas/).
//! Regenerate or normalise with `HIVEMIND_BLESS=1 cargo test generated`.

use std::path::{Path, PathBuf};

use clap_complete::Shell;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    std::env::var_os("HIVEMIND_BLESS").is_some_and(|v| v == "1")
}

fn check(path: &Path, fresh: &[u8], stale: &mut Vec<String>) {
    if bless() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, fresh).unwrap();
        return;
    }
    match std::fs::read(path) {
        Ok(old) if old == fresh => {}
        _ => stale.push(
            path.strip_prefix(root())
                .unwrap_or(path)
                .display()
                .to_string(),
        ),
    }
}

fn report(stale: Vec<String>) {
    assert!(
        stale.is_empty(),
        "generated files are stale: {}\nregenerate with: HIVEMIND_BLESS=1 cargo test generated",
        stale.join(", ")
    );
}

#[test]
fn completions_are_current() {
    let mut stale = Vec::new();
    for (shell, file) in [
        (Shell::Bash, "hivemind.bash"),
        (Shell::Zsh, "_hivemind"),
        (Shell::Fish, "hivemind.fish"),
        (Shell::Elvish, "hivemind.elv"),
        (Shell::PowerShell, "_hivemind.ps1"),
    ] {
        let buf = hivemind::commands::completions::script(shell).unwrap();
        check(&root().join("completions").join(file), &buf, &mut stale);
    }
    report(stale);
}

#[test]
fn man_pages_are_current() {
    let tmp = tempfile::tempdir().unwrap();
    clap_mangen::generate_to(hivemind::cli::command(), tmp.path()).unwrap();
    let mut stale = Vec::new();
    let mut fresh_names = Vec::new();
    for entry in std::fs::read_dir(tmp.path()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        check(
            &root().join("man").join(&name),
            &std::fs::read(entry.path()).unwrap(),
            &mut stale,
        );
        fresh_names.push(name);
    }
    // Pages of commands that no longer exist are stale too.
    for entry in std::fs::read_dir(root().join("man"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !fresh_names.contains(&name) {
            if bless() {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                stale.push(format!("man/{name} (no such command)"));
            }
        }
    }
    report(stale);
}

#[test]
fn completions_command_prints_the_same_script() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = super::hm_run(dir.path(), &["completions", "bash"]);
    assert_eq!(code, 0);
    let committed = std::fs::read_to_string(root().join("completions/hivemind.bash")).unwrap();
    assert_eq!(out, committed);
    // The same registration as clap's `COMPLETE=bash hivemind`.
    let (code, registered, _) = super::run(super::hm(dir.path()).env("COMPLETE", "bash"));
    assert_eq!(code, 0);
    assert_eq!(registered, committed);
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let (code, out, _) = super::hm_run(dir.path(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(out.contains("hivemind"), "{shell}");
    }
    let (code, _, err) = super::hm_run(dir.path(), &["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: invalid value 'tcsh'"), "{err}");
}

/// Names that live in the data directory complete from it: a real bash sources the
/// committed script and asks the binary, as it would on Tab.
#[test]
fn names_complete_from_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = super::hm_run(dir.path(), super::SEED_RULE);
    assert_eq!(code, 0, "{err}");
    for args in [
        vec![
            "health",
            "create-check",
            "--name",
            "db-primary",
            "--type",
            "tcp",
            "--address",
            "127.0.0.1:5432",
        ],
        vec!["agent", "add", "edge-1", "--url", "https://127.0.0.1:9470"],
    ] {
        let (code, _, err) = super::hm_run(dir.path(), &args);
        assert_eq!(code, 0, "{err}");
    }
    let bin = env!("CARGO_BIN_EXE_hivemind");
    let bin_dir = Path::new(bin).parent().unwrap();
    let complete = |line: &str| -> Vec<String> {
        // Source the committed script, then call the function bash would call on Tab.
        let words: Vec<&str> = line.split(' ').collect();
        let script = format!(
            r#"source {}
COMP_WORDS=({})
COMP_CWORD={}
COMP_LINE='{line}'
COMP_POINT=${{#COMP_LINE}}
_clap_complete_hivemind hivemind "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#,
            root().join("completions/hivemind.bash").display(),
            words
                .iter()
                .map(|w| format!("'{w}'"))
                .collect::<Vec<_>>()
                .join(" "),
            words.len() - 1,
        );
        let out = std::process::Command::new("bash")
            .env_clear()
            .env(
                "PATH",
                format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
            )
            .env("HIVEMIND_DATA_DIR", dir.path())
            .env("HOME", dir.path())
            .args(["--norc", "--noprofile", "-c", &script])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    assert_eq!(
        complete("hivemind health delete-alert-rule --name "),
        ["high_cpu_usage"]
    );
    assert_eq!(
        complete("hivemind health run-check --name db"),
        ["db-primary"]
    );
    // An empty word offers the names (and the flags), never file names.
    let offered = complete("hivemind agent remove ");
    assert!(offered.contains(&"edge-1".to_string()), "{offered:?}");
    assert!(
        offered.iter().all(|o| o == "edge-1" || o.starts_with('-')),
        "{offered:?}"
    );
    assert!(complete("hivemind --agent e").contains(&"edge-1".to_string()));
    // Everything else still completes: subcommands, flags.
    assert!(complete("hivemind health delete-a").contains(&"delete-alert-rule".to_string()));
}

/// dashboards/ is the source: every JSON file there is an embedded, valid dashboard, and is
/// in the normal form (`to_file`: pretty-printed, keys sorted, trailing newline) so that
/// `import-dashboards --output-dir` writes exactly the committed bytes. Blessing normalises
/// the files; it never deletes one.
#[test]
fn dashboards_are_embedded_and_normalised() {
    let all = hivemind::dashboards::all();
    let mut unknown: Vec<String> = hivemind::dashboards::problems().to_vec();
    let mut stale = Vec::new();
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(root().join("dashboards")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        match all.iter().find(|d| d.file == name) {
            Some(d) => check(
                &entry.path(),
                hivemind::dashboards::to_file(d).as_bytes(),
                &mut stale,
            ),
            // A file that failed validation is already explained by problems().
            None if unknown
                .iter()
                .any(|p| p.starts_with(&format!("dashboards/{name}:"))) => {}
            None => unknown.push(format!(
                "dashboards/{name}: not embedded (add it to SOURCES in src/dashboards/mod.rs)"
            )),
        }
        seen.push(name);
    }
    for d in &all {
        assert!(seen.contains(&d.file.to_string()), "{} is missing", d.file);
    }
    assert!(unknown.is_empty(), "{}", unknown.join("\n"));
    report(stale);

    // The command writes the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = super::hm_run(
        dir.path(),
        &[
            "observability",
            "import-dashboards",
            "--output-dir",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    seen.sort();
    assert_eq!(written, seen);
    for name in &written {
        assert!(
            std::fs::read(out.join(name)).unwrap()
                == std::fs::read(root().join("dashboards").join(name)).unwrap(),
            "import-dashboards --output-dir wrote {name} differently from dashboards/{name}"
        );
    }
}

/// The JSON Schema of the `config apply` file, generated from the types serde reads.
#[test]
fn config_schema_is_current() {
    let mut stale = Vec::new();
    let fresh = hivemind::config::json_schema();
    check(
        &root().join("schemas").join("hivemind-config.schema.json"),
        fresh.as_bytes(),
        &mut stale,
    );
    report(stale);
    // It describes the file: every section, nothing else accepted, secrets as references.
    let schema: serde_json::Value = serde_json::from_str(&fresh).unwrap();
    assert_eq!(schema["additionalProperties"], false, "{schema}");
    let props = schema["properties"].as_object().unwrap();
    for key in [
        "version",
        "metrics",
        "auto_healing",
        "rules",
        "channels",
        "checks",
        "tracing",
        "logging",
    ] {
        assert!(props.contains_key(key), "{key} missing from the schema");
    }
    assert!(
        fresh.contains("\"env\"") && fresh.contains("\"file\""),
        "secret references"
    );
}
