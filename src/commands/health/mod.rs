//! `hivemind health …`: auto-healing, alert rules and channels here; [`checks`] has the
//! checks and `health status`, [`alerts`] the alerts, test notifications and the exports.

mod alerts;
mod checks;
mod rules;

use super::{Ctx, ok, silent};
use crate::cli::health::{ConfigureAlertChannelArgs, HealthCommand};
use crate::commands::secret_input::SecretSource;
use crate::error::{Error, ExitStatus, Result};
use crate::model::{
    AutoHealingConfig, AutoHealingPatch, Channel, ChannelType, WireSecret, channel::check_secret,
};
use crate::render::{Report, Style};
use crate::target::call::{Call, ChannelChange, ChannelList, RuleChanges, RuleList};
use crate::target::local::ChannelView;

pub fn run(ctx: &Ctx, cmd: HealthCommand) -> Result<ExitStatus> {
    match cmd {
        HealthCommand::Status(args) => checks::status(ctx, args),
        HealthCommand::ConfigureAutoHealing(args) => {
            let patch = AutoHealingPatch {
                enabled: args.enabled,
                max_restarts: args.max_restarts,
                restart_interval: args.restart_interval,
            };
            ctx.run::<AutoHealingConfig>(Call::ConfigureAutoHealing(patch), ok, |_| {
                vec!["auto-healing configuration saved".into()]
            })
        }
        HealthCommand::CreateAlertRule(args) => rules::create_alert_rule(ctx, args),
        HealthCommand::ListAlertRules(_) => ctx.run::<RuleList>(Call::ListRules, ok, silent),
        HealthCommand::DeleteAlertRule(args) => {
            let what = format!("alert rule '{}'", args.name);
            ctx.run_delete::<RuleChanges>(
                Call::DeleteRule(args.name),
                args.ignore_not_found,
                &what,
                announce_rules,
            )
        }
        HealthCommand::ConfigureAlertChannel(args) => configure_alert_channel(ctx, args),
        HealthCommand::ListAlertChannels(_) => {
            ctx.run::<ChannelList>(Call::ListChannels, ok, silent)
        }
        HealthCommand::CreateCheck(args) => checks::create(ctx, args),
        HealthCommand::ListChecks(_) => checks::list(ctx),
        HealthCommand::DeleteCheck(args) => checks::delete(ctx, args.name, args.ignore_not_found),
        HealthCommand::RunCheck(args) => checks::run_check(ctx, args.name),
        HealthCommand::DeleteAlertChannel(args) => {
            let what = format!("alert channel '{}'", args.name);
            ctx.run_delete::<ChannelChange>(
                Call::DeleteChannel(args.name),
                args.ignore_not_found,
                &what,
                announce_channel,
            )
        }
        HealthCommand::Alerts(args) => alerts::alerts(ctx, args),
        HealthCommand::TestAlertChannel(args) => alerts::test_alert_channel(ctx, args),
        HealthCommand::ExportRules(args) => alerts::export_rules(ctx, args),
        HealthCommand::TestRules(args) => rules::test_rules(ctx, args),
        HealthCommand::ExportAlertmanagerConfig(args) => {
            alerts::export_alertmanager_config(ctx, args)
        }
    }
}

pub(super) fn announce_rules(r: &RuleChanges) -> Vec<String> {
    r.rules
        .iter()
        .map(|c| format!("alert rule {} {}", c.rule.name, c.change.as_str()))
        .collect()
}

fn announce_channel(c: &ChannelChange) -> Vec<String> {
    vec![format!(
        "alert channel {} {}",
        c.channel.name,
        c.change.as_str()
    )]
}

impl Report for AutoHealingConfig {
    fn human(&self, style: &Style) -> String {
        style.kv_table(&[
            ("auto_healing.enabled", self.enabled.to_string()),
            ("auto_healing.max_restarts", self.max_restarts.to_string()),
            (
                "auto_healing.restart_interval",
                self.restart_interval.to_string(),
            ),
        ])
    }
}

fn channel_row(c: &ChannelView) -> Vec<String> {
    let target = match &c.channel {
        Channel::Slack { webhook_url } => format!("webhook_url={webhook_url}"),
        Channel::Email {
            smtp_server,
            smtp_port,
            smtp_user,
            smtp_password,
            from,
            to,
        } => {
            let mut s = format!(
                "smtp={smtp_server}:{smtp_port} from={from} to={}",
                to.join(",")
            );
            if let Some(u) = smtp_user {
                s.push_str(&format!(" user={u}"));
            }
            if let Some(p) = smtp_password {
                s.push_str(&format!(" password={p}"));
            }
            s
        }
        Channel::Webhook { url } => format!("url={url}"),
        Channel::Pagerduty { routing_key, url } => match url {
            Some(u) => format!("routing_key={routing_key} url={u}"),
            None => format!("routing_key={routing_key}"),
        },
    };
    vec![
        c.name.clone(),
        c.channel.channel_type().as_str().to_string(),
        target,
    ]
}

impl Report for ChannelList {
    fn human(&self, style: &Style) -> String {
        if self.channels.is_empty() {
            return "no alert channels\n".into();
        }
        let mut t = style.table(&["NAME", "TYPE", "SETTINGS"]);
        for c in &self.channels {
            t.add_row(channel_row(c));
        }
        t.to_string()
    }
}

impl Report for ChannelChange {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&["CHANGE", "NAME", "TYPE", "SETTINGS"]);
        let mut row = channel_row(&self.channel);
        row.insert(0, self.change.as_str().to_string());
        t.add_row(row);
        t.to_string()
    }
}

/// Build the channel from its flags: every flag of another type is refused, every flag the
/// type needs must be there, and secrets are read last (after all other checks).
fn configure_alert_channel(ctx: &Ctx, args: ConfigureAlertChannelArgs) -> Result<ExitStatus> {
    let ty = args.channel_type;
    let webhook_url = SecretSource {
        flag: "webhook-url",
        value: args.webhook_url.as_deref(),
        stdin: args.webhook_url_stdin,
        file: args.webhook_url_file.as_deref(),
    };
    let smtp_password = SecretSource {
        flag: "smtp-password",
        value: args.smtp_password.as_deref(),
        stdin: args.smtp_password_stdin,
        file: args.smtp_password_file.as_deref(),
    };
    let routing_key = SecretSource {
        flag: "routing-key",
        value: args.routing_key.as_deref(),
        stdin: args.routing_key_stdin,
        file: args.routing_key_file.as_deref(),
    };
    let given: [(&str, bool, ChannelType); 9] = [
        ("--webhook-url", webhook_url.is_given(), ChannelType::Slack),
        (
            "--smtp-server",
            args.smtp_server.is_some(),
            ChannelType::Email,
        ),
        ("--smtp-port", args.smtp_port.is_some(), ChannelType::Email),
        ("--smtp-user", args.smtp_user.is_some(), ChannelType::Email),
        (
            "--smtp-password",
            smtp_password.is_given(),
            ChannelType::Email,
        ),
        ("--from", args.from.is_some(), ChannelType::Email),
        ("--to", !args.to.is_empty(), ChannelType::Email),
        (
            "--url",
            args.url.is_some() && ty != ChannelType::Pagerduty,
            ChannelType::Webhook,
        ),
        (
            "--routing-key",
            routing_key.is_given(),
            ChannelType::Pagerduty,
        ),
    ];
    for (flag, present, owner) in given {
        if present && owner != ty {
            return Err(Error::Usage(format!(
                "{flag} is a setting of --type {}, not of --type {}",
                owner.as_str(),
                ty.as_str()
            )));
        }
    }
    let stdin_count = [webhook_url.stdin, smtp_password.stdin, routing_key.stdin]
        .iter()
        .filter(|b| **b)
        .count();
    if stdin_count > 1 {
        return Err(Error::Usage(
            "only one secret can be read from stdin per command".into(),
        ));
    }
    let require = |present: bool, flag: &str| {
        if present {
            Ok(())
        } else {
            Err(Error::Usage(format!("--type {} needs {flag}", ty.as_str())))
        }
    };
    let name = match args.name {
        Some(n) => n,
        None => ty.as_str().to_string(),
    };
    let spec = match ty {
        ChannelType::Slack => {
            require(
                webhook_url.is_given(),
                "--webhook-url (or --webhook-url-stdin / --webhook-url-file)",
            )?;
            let url = webhook_url
                .read(&ctx.msg, |v| check_secret("webhook_url", v))?
                .ok_or_else(|| Error::Usage("--webhook-url is empty".into()))?;
            Channel::Slack { webhook_url: url }
        }
        ChannelType::Email => {
            require(args.smtp_server.is_some(), "--smtp-server")?;
            require(args.from.is_some(), "--from")?;
            require(!args.to.is_empty(), "--to")?;
            if smtp_password.is_given() && args.smtp_user.is_none() {
                return Err(Error::Usage("--smtp-password needs --smtp-user".into()));
            }
            Channel::Email {
                smtp_server: args.smtp_server.unwrap_or_default(),
                smtp_port: args.smtp_port.unwrap_or(587),
                smtp_user: args.smtp_user,
                smtp_password: smtp_password
                    .read(&ctx.msg, |v| check_secret("smtp_password", v))?,
                from: args.from.unwrap_or_default(),
                to: args.to,
            }
        }
        ChannelType::Webhook => {
            require(args.url.is_some(), "--url")?;
            Channel::Webhook {
                url: args.url.unwrap_or_default(),
            }
        }
        ChannelType::Pagerduty => {
            require(
                routing_key.is_given(),
                "--routing-key (or --routing-key-stdin / --routing-key-file)",
            )?;
            let key = routing_key
                .read(&ctx.msg, |v| check_secret("routing_key", v))?
                .ok_or_else(|| Error::Usage("--routing-key is empty".into()))?;
            Channel::Pagerduty {
                routing_key: key,
                url: args.url,
            }
        }
    };
    let wire = match spec
        .try_map_secrets(|_, s| Ok::<_, std::convert::Infallible>(WireSecret::from_secret(&s)))
    {
        Ok(w) => w,
        Err(never) => match never {},
    };
    ctx.run::<ChannelChange>(Call::ConfigureChannel(name, wire), ok, announce_channel)
}
