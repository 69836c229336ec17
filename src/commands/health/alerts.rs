//! `hivemind health alerts|test-alert-channel|export-rules|export-alertmanager-config`.

use std::path::{Path, PathBuf};

use super::{Ctx, silent};
use crate::alerting::export::{self, SecretValue, Timing};
use crate::alerting::notify::{TestResult, resolve_secrets};
use crate::cli::health::{
    AlertsArgs, ExportAlertmanagerConfigArgs, ExportRulesArgs, TestAlertChannelArgs,
};
use crate::error::{Error, ExitStatus, Result};
use crate::model::alert::{AlertList, AlertQuery, AlertState, fmt_value};
use crate::model::{Channel, Redacted};
use crate::render::{Format, Report, Style};
use crate::store::fs::ensure_private_dir;
use crate::target::call::{Call, ChannelList, RuleList};

/// The export commands write YAML only (their `--output` names a file): `-o json` or
/// `-o table` is refused rather than ignored.
fn yaml_only(name: &str, format: Option<Format>) -> Result<()> {
    match format {
        None | Some(Format::Yaml) => Ok(()),
        Some(other) => Err(Error::Usage(format!(
            "health {name} writes YAML only, not {}; its --output FILE names the file to write",
            match other {
                Format::Json => "json",
                _ => "a table",
            }
        ))),
    }
}

pub fn alerts(ctx: &Ctx, args: AlertsArgs) -> Result<ExitStatus> {
    let fail = args.fail_if_firing;
    let judge = move |l: &AlertList| {
        if fail && l.alerts.iter().any(|a| a.state == AlertState::Firing) {
            ExitStatus::Negative
        } else {
            ExitStatus::Success
        }
    };
    let announce = |l: &AlertList| {
        if l.mode == "once" {
            vec!["no daemon runs on this data directory: the rules were evaluated once, now, so rules with a `for` duration show as pending".to_string()]
        } else {
            Vec::new()
        }
    };
    match args.id {
        Some(id) => ctx.run::<OneAlert>(Call::Alert(id), move |a| judge_one(fail, a), silent),
        None => ctx.run::<AlertList>(
            Call::Alerts(AlertQuery { states: args.state }),
            judge,
            announce,
        ),
    }
}

fn judge_one(fail: bool, a: &OneAlert) -> ExitStatus {
    if fail && a.0.state == AlertState::Firing {
        ExitStatus::Negative
    } else {
        ExitStatus::Success
    }
}

/// `hivemind health alerts ID`: one alert, in the same JSON as a list element.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct OneAlert(pub crate::model::alert::Alert);

impl Report for OneAlert {
    fn human(&self, style: &Style) -> String {
        let a = &self.0;
        let mut rows = vec![
            ("id", a.id.clone()),
            ("rule", a.rule.clone()),
            ("state", a.state.as_str().to_string()),
            ("severity", a.severity.to_string()),
            ("value", fmt_value(a.value)),
            ("active_at", a.active_at.clone()),
            ("fired_at", a.fired_at.clone().unwrap_or_else(|| "-".into())),
            (
                "resolved_at",
                a.resolved_at.clone().unwrap_or_else(|| "-".into()),
            ),
        ];
        for (k, v) in &a.annotations {
            rows.push((k.as_str(), v.clone()));
        }
        let labels: Vec<String> = a.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        rows.push(("labels", labels.join(" ")));
        let mut t = style.table(&["FIELD", "VALUE"]);
        for (k, v) in rows {
            t.add_row(vec![k.to_string(), v]);
        }
        t.to_string()
    }
}

impl Report for AlertList {
    fn human(&self, style: &Style) -> String {
        if self.alerts.is_empty() {
            return "no alerts\n".into();
        }
        let mut t = style.table(&[
            "ID", "STATE", "SEVERITY", "RULE", "VALUE", "SINCE", "LABELS",
        ]);
        for a in &self.alerts {
            let since = match a.state {
                AlertState::Pending => &a.active_at,
                AlertState::Firing => a.fired_at.as_ref().unwrap_or(&a.active_at),
                AlertState::Resolved => a.resolved_at.as_ref().unwrap_or(&a.active_at),
            };
            let labels: Vec<String> = a
                .labels
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "alertname" | "severity"))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            t.add_row(vec![
                comfy_table::Cell::new(&a.id),
                state_cell(style, a.state),
                comfy_table::Cell::new(a.severity),
                comfy_table::Cell::new(&a.rule),
                comfy_table::Cell::new(fmt_value(a.value)),
                comfy_table::Cell::new(since),
                comfy_table::Cell::new(labels.join(" ")),
            ]);
        }
        t.to_string()
    }
}

fn state_cell(style: &Style, state: AlertState) -> comfy_table::Cell {
    let cell = comfy_table::Cell::new(state.as_str());
    if !style.color {
        return cell;
    }
    match state {
        AlertState::Firing => cell.fg(comfy_table::Color::Red),
        AlertState::Pending => cell.fg(comfy_table::Color::Yellow),
        AlertState::Resolved => cell.fg(comfy_table::Color::Green),
    }
}

pub fn test_alert_channel(ctx: &Ctx, args: TestAlertChannelArgs) -> Result<ExitStatus> {
    ctx.run::<TestResult>(
        Call::TestChannel(args.name),
        |r| {
            if r.delivered {
                ExitStatus::Success
            } else {
                ExitStatus::Negative
            }
        },
        silent,
    )
}

impl Report for TestResult {
    fn human(&self, _style: &Style) -> String {
        let what = format!(
            "test notification to {} ({})",
            self.channel,
            self.channel_type.as_str()
        );
        match &self.error {
            None => format!("{what}: delivered in {:.2}s\n", self.elapsed_seconds),
            Some(e) => {
                let retry = match self.retryable {
                    Some(true) => " (the agent retries such failures for real notifications)",
                    Some(false) => " (the agent would not retry this)",
                    None => "",
                };
                format!(
                    "{what}: failed after {:.2}s: {e}{retry}\n",
                    self.elapsed_seconds
                )
            }
        }
    }
}

/// Ask this machine or one agent: an export comes from one place.
fn fetch<T: serde::de::DeserializeOwned>(ctx: &Ctx, call: Call) -> Result<T> {
    ctx.place.fetch_one(
        &call,
        &ctx.msg,
        "an export comes from one place: give one --agent, or none for this machine",
    )
}

/// Write `text` to `path` atomically with `mode`, or to stdout.
fn write_output(ctx: &Ctx, path: Option<&Path>, text: &str, mode: u32, what: &str) -> Result<()> {
    match path {
        None => crate::render::write_stdout(text.as_bytes()),
        Some(p) if p.as_os_str() == "-" => crate::render::write_stdout(text.as_bytes()),
        // Elsewhere `--output json` picks a format; here it would quietly create a file named
        // `json`.
        Some(p) if matches!(p.to_str(), Some("json" | "yaml" | "table")) => Err(Error::invalid(
            "--output",
            &p.display().to_string(),
            "a file to write (this command writes YAML only; write ./json for a file of that name)",
        )),
        Some(p) => {
            crate::store::fs::write_atomic_mode(p, text.as_bytes(), mode)?;
            ctx.msg.status(&format!("wrote {what} to {}", p.display()));
            Ok(())
        }
    }
}

pub fn export_rules(ctx: &Ctx, args: ExportRulesArgs) -> Result<ExitStatus> {
    yaml_only("export-rules", args.format)?;
    let list: RuleList = fetch(ctx, Call::ListRules)?;
    let rules: Vec<_> = list.rules.into_iter().map(|r| r.rule).collect();
    let text = export::prometheus_rules(&rules)?;
    let what = format!("{} alert rule{}", rules.len(), plural(rules.len()));
    // Prometheus usually runs as its own user: the rule file is readable by others.
    write_output(ctx, args.output.as_deref(), &text, 0o644, &what)?;
    Ok(ExitStatus::Success)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub fn export_alertmanager_config(
    ctx: &Ctx,
    args: ExportAlertmanagerConfigArgs,
) -> Result<ExitStatus> {
    yaml_only("export-alertmanager-config", args.format)?;
    let timing = Timing {
        group_wait: args.group_wait,
        group_interval: args.group_interval,
        repeat_interval: args.repeat_interval,
    };
    let with_values = args.inline_secrets || args.secrets_dir.is_some();
    let channels: Vec<(String, Channel<SecretValue>)> = if with_values {
        if ctx.place.is_remote()? {
            return Err(Error::Usage(
                "--inline-secrets and --secrets-dir read secrets from this machine's store only; \
                 secrets never leave an agent over its API (run the export on the agent's host)"
                    .into(),
            ));
        }
        local_channels_with_values(ctx, &args)?
    } else {
        let list: ChannelList = fetch(ctx, Call::ListChannels)?;
        list.channels
            .into_iter()
            .map(|c| {
                let name = c.name.clone();
                let ch = match c.channel.try_map_secrets(|field, _: Redacted| {
                    Ok::<_, std::convert::Infallible>(SecretValue::File(format!(
                        "secrets/{}",
                        export::secret_file_name(&name, field)
                    )))
                }) {
                    Ok(ch) => ch,
                    Err(never) => match never {},
                };
                (c.name, ch)
            })
            .collect()
    };
    let text = export::alertmanager_config(&channels, &timing)?;
    let mode = if args.inline_secrets { 0o600 } else { 0o644 };
    let what = format!(
        "an Alertmanager configuration for {} alert channel{}",
        channels.len(),
        plural(channels.len())
    );
    write_output(ctx, args.output.as_deref(), &text, mode, &what)?;
    if !with_values {
        let files: Vec<String> = channels
            .iter()
            .flat_map(|(_, c)| c.secrets().into_iter().map(|(_, v)| v.clone()))
            .filter_map(|v| match v {
                SecretValue::File(f) => Some(f),
                SecretValue::Inline(_) => None,
            })
            .collect();
        if !files.is_empty() {
            ctx.msg.status(&format!(
                "Alertmanager reads the secrets from {} (relative to the configuration file); \
                 create them, or export with --secrets-dir DIR or --inline-secrets",
                files.join(", ")
            ));
        }
    }
    Ok(ExitStatus::Success)
}

/// This machine's channels with their secret values: inline, or written to `--secrets-dir`.
fn local_channels_with_values(
    ctx: &Ctx,
    args: &ExportAlertmanagerConfigArgs,
) -> Result<Vec<(String, Channel<SecretValue>)>> {
    ctx.place.require_existing()?;
    let local = ctx.place.local()?;
    let state = local.state()?;
    let dir: Option<PathBuf> = match &args.secrets_dir {
        Some(d) => {
            ensure_private_dir(d)?;
            Some(
                std::path::absolute(d)
                    .map_err(|e| Error::io(format!("--secrets-dir {}", d.display()), e))?,
            )
        }
        None => None,
    };
    let mut out = Vec::with_capacity(state.channels.len());
    for (name, stored) in state.channels {
        let with_secrets = resolve_secrets(&name, stored, &local.secrets)?;
        let ch = with_secrets.try_map_secrets(|field, secret| -> Result<SecretValue> {
            match &dir {
                None => Ok(SecretValue::Inline(secret)),
                Some(dir) => {
                    let path = dir.join(export::secret_file_name(&name, field));
                    crate::store::fs::write_atomic(&path, secret.expose().as_bytes())?;
                    Ok(SecretValue::File(path.display().to_string()))
                }
            }
        })?;
        out.push((name, ch));
    }
    if let Some(d) = &dir {
        ctx.msg.status(&format!(
            "wrote the channel secrets to {} (mode 0600)",
            d.display()
        ));
    }
    Ok(out)
}
