//! `hivemind config export|apply`: the configuration of an agent (or this machine) as one
//! YAML file; applying it plans on each agent and prints the plan as a diff.

use serde::Serialize;

use super::Ctx;
use crate::cli::config::{ApplyArgs, ConfigCommand};
use crate::config::diff::{self, Line};
use crate::config::{Action, ApplyReport, CONFIG_FILE, ConfigFile, SecretSource};
use crate::error::{Error, ExitStatus, Result};
use crate::model::{Redacted, WireSecret};
use crate::render::{Report, Style};
use crate::target::call::{ApplyConfig, Call};

pub fn run(ctx: &Ctx, cmd: ConfigCommand) -> Result<ExitStatus> {
    match cmd {
        ConfigCommand::Export(_) => export(ctx),
        ConfigCommand::Apply(args) => apply(ctx, args),
    }
}

fn export(ctx: &Ctx) -> Result<ExitStatus> {
    let shown: ConfigFile<Redacted> = ctx.place.fetch_one(
        &Call::ExportConfig,
        &ctx.msg,
        "config export reads one agent's configuration: name one with --agent",
    )?;
    let file = match shown
        .try_map_secrets(|path, _| Ok::<_, std::convert::Infallible>(SecretSource::for_path(path)))
    {
        Ok(f) => f,
        Err(never) => match never {},
    };
    let text = crate::config::to_yaml(&file)?;
    ctx.out.emit(&Exported { file, text })?;
    Ok(ExitStatus::Success)
}

/// `config export` output: the file (YAML as the human form, the same data as JSON).
#[derive(Debug, Serialize)]
pub struct Exported {
    #[serde(flatten)]
    file: ConfigFile<SecretSource>,
    #[serde(skip)]
    text: String,
}

impl Report for Exported {
    fn human(&self, _: &Style) -> String {
        self.text.clone()
    }
}

/// Read, check and resolve the file; nothing is sent to any agent unless all of it is valid.
fn load(args: &ApplyArgs) -> Result<ConfigFile<WireSecret>> {
    let shown = args.file.display().to_string();
    let text = if args.file.as_os_str() == "-" {
        use std::io::Read;
        let mut text = String::new();
        std::io::stdin()
            .take(CONFIG_FILE.max_bytes() as u64 + 1)
            .read_to_string(&mut text)
            .map_err(|e| Error::io("reading the configuration from stdin", e))?;
        crate::model::input::check_size(text.len(), CONFIG_FILE)
            .map_err(|e| Error::Usage(format!("--file -: {e}")))?;
        text
    } else {
        match crate::store::fs::read_input(&args.file, CONFIG_FILE)? {
            Some(Ok(text)) => text,
            Some(Err(e)) => return Err(Error::Usage(format!("--file {shown}: {e}"))),
            None => {
                return Err(Error::Usage(format!(
                    "--file {shown}: no such file (write one with `hivemind config export > {shown}`)"
                )));
            }
        }
    };
    let file = crate::config::parse(&text).map_err(|e| Error::Parse {
        kind: "configuration file",
        path: args.file.clone(),
        detail: e.to_string(),
    })?;
    let resolved = file.try_map_secrets(|path, source| source.resolve(path))?;
    resolved.validate_secrets()?;
    Ok(
        match resolved
            .try_map_secrets(|_, s| Ok::<_, std::convert::Infallible>(WireSecret::from_secret(&s)))
        {
            Ok(f) => f,
            Err(never) => match never {},
        },
    )
}

fn apply(ctx: &Ctx, args: ApplyArgs) -> Result<ExitStatus> {
    let config = load(&args)?;
    let call = Call::ApplyConfig(Box::new(ApplyConfig {
        config,
        prune: args.prune,
        dry_run: args.dry_run,
    }));
    let exit_code = args.exit_code;
    ctx.run::<ApplyReport>(
        call,
        move |r| {
            if exit_code && r.dry_run && !r.changes.is_empty() {
                ExitStatus::Negative
            } else {
                ExitStatus::Success
            }
        },
        |r| vec![summary(r)],
    )
}

fn summary(r: &ApplyReport) -> String {
    if r.changes.is_empty() {
        return "nothing to do: the configuration matches the file".into();
    }
    let count = |a: Action| r.changes.iter().filter(|c| c.action == a).count();
    let counts = format!(
        "{} to create, {} to update, {} to delete",
        count(Action::Create),
        count(Action::Update),
        count(Action::Delete)
    );
    if r.applied {
        format!("applied: {counts}")
    } else {
        format!("plan: {counts} (dry run, nothing changed)")
    }
}

fn yaml(v: &Option<serde_json::Value>) -> String {
    v.as_ref()
        .and_then(|v| yaml_serde::to_string(v).ok())
        .unwrap_or_default()
}

impl Report for ApplyReport {
    fn human(&self, style: &Style) -> String {
        let paint = |code: &str, line: String| {
            if style.color {
                format!("\x1b[{code}m{line}\x1b[0m\n")
            } else {
                format!("{line}\n")
            }
        };
        let mut out = String::new();
        for c in &self.changes {
            let (sign, code) = match c.action {
                Action::Create => ('+', "32"),
                Action::Update => ('~', "33"),
                Action::Delete => ('-', "31"),
            };
            out.push_str(&paint(
                code,
                format!(
                    "{sign} {} {} {}",
                    c.action.as_str(),
                    c.kind.as_str(),
                    c.name
                ),
            ));
            let (before, after) = (yaml(&c.before), yaml(&c.after));
            for line in diff::lines(&before, &after) {
                out.push_str(&match line {
                    Line::Same(l) => format!("    {l}\n"),
                    Line::Removed(l) => paint("31", format!("-   {l}")),
                    Line::Added(l) => paint("32", format!("+   {l}")),
                });
            }
        }
        out
    }
}
