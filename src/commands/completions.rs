//! Shell completion: the command line plus the names that live in the data directory (rules,
//! channels, checks, agents), completed by the binary itself when the shell asks
//! (`COMPLETE=bash hivemind …`, clap's dynamic completion). `hivemind completions SHELL`
//! prints the small script that registers it; `completions/` holds those scripts.

use std::ffi::OsStr;
use std::path::PathBuf;

use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::Shells;

use crate::error::{Error, ExitStatus, Result};
use crate::store::StateStore;
use crate::target::inventory::InventoryStore;

/// The environment variable the registration scripts set when they call back.
pub const VAR: &str = "COMPLETE";

/// What a name argument names.
#[derive(Clone, Copy)]
enum Kind {
    Rule,
    Channel,
    Check,
    Agent,
}

/// The clap command with the name arguments completed from the data directory.
pub fn command() -> clap::Command {
    let names = |kind: Kind| ArgValueCandidates::new(move || candidates(kind));
    crate::cli::command()
        .mut_arg("agents", |a| a.add(names(Kind::Agent)))
        .mut_subcommand("health", |h| {
            h.mut_subcommand("delete-alert-rule", |c| {
                c.mut_arg("name", |a| a.add(names(Kind::Rule)))
            })
            .mut_subcommand("configure-alert-channel", |c| {
                c.mut_arg("name", |a| a.add(names(Kind::Channel)))
            })
            .mut_subcommand("delete-alert-channel", |c| {
                c.mut_arg("name", |a| a.add(names(Kind::Channel)))
            })
            .mut_subcommand("test-alert-channel", |c| {
                c.mut_arg("name", |a| a.add(names(Kind::Channel)))
            })
            .mut_subcommand("delete-check", |c| {
                c.mut_arg("name", |a| a.add(names(Kind::Check)))
            })
            .mut_subcommand("run-check", |c| {
                c.mut_arg("name", |a| a.add(names(Kind::Check)))
            })
        })
        .mut_subcommand("agent", |g| {
            g.mut_subcommand("remove", |c| {
                c.mut_arg("name", |a| a.add(names(Kind::Agent)))
            })
            .mut_subcommand("use", |c| c.mut_arg("name", |a| a.add(names(Kind::Agent))))
            .mut_subcommand("ping", |c| {
                c.mut_arg("names", |a| a.add(names(Kind::Agent)))
            })
        })
}

/// `hivemind completions SHELL`: the script that registers dynamic completion for `shell`
/// (the same text `COMPLETE=SHELL hivemind` prints).
pub fn script(shell: clap_complete::Shell) -> Result<Vec<u8>> {
    let name = shell.to_string();
    let shells = Shells::builtins();
    let completer = shells
        .completer(&name)
        .ok_or_else(|| Error::Usage(format!("no completion support for {name}")))?;
    let mut buf = Vec::new();
    completer
        .write_registration(VAR, "hivemind", "hivemind", "hivemind", &mut buf)
        .map_err(|e| Error::io(format!("writing the {name} completion script"), e))?;
    Ok(buf)
}

pub fn run(shell: clap_complete::Shell) -> Result<ExitStatus> {
    crate::render::write_stdout(&script(shell)?)?;
    Ok(ExitStatus::Success)
}

/// The data directory of the command line being completed: its `--data-dir`, else
/// `HIVEMIND_DATA_DIR`, else the default. (While completing, the line is this process's
/// arguments.)
fn data_dir() -> Option<PathBuf> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let given = args.iter().enumerate().find_map(|(i, a)| {
        let a = a.to_str()?;
        if a == "--data-dir" {
            args.get(i + 1).map(PathBuf::from)
        } else {
            a.strip_prefix("--data-dir=").map(PathBuf::from)
        }
    });
    let given = given.or_else(|| std::env::var_os("HIVEMIND_DATA_DIR").map(PathBuf::from));
    super::resolve_data_dir(given.filter(|d| !d.as_os_str().is_empty())).ok()
}

/// The names of `kind` in the data directory; nothing when it cannot be read (a completion
/// never prints an error).
fn candidates(kind: Kind) -> Vec<CompletionCandidate> {
    let Some(dir) = data_dir() else {
        return Vec::new();
    };
    let names: Vec<String> = match kind {
        Kind::Agent => InventoryStore::new(&dir)
            .load()
            .map(|inv| inv.agents.into_keys().collect())
            .unwrap_or_default(),
        _ => match StateStore::new(&dir).load() {
            Ok(state) => match kind {
                Kind::Rule => state.rules.into_iter().map(|r| r.name).collect(),
                Kind::Channel => state.channels.into_keys().collect(),
                Kind::Check => state.checks.into_iter().map(|c| c.name).collect(),
                Kind::Agent => Vec::new(),
            },
            Err(_) => Vec::new(),
        },
    };
    names
        .into_iter()
        .map(|n| CompletionCandidate::new(OsStr::new(&n)))
        .collect()
}
