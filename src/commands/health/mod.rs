//! `hivemind health …`: auto-healing, alert rules and channels here; [`checks`] has the
//! checks and `health status`, [`alerts`] the alerts, test notifications and the exports.

mod alerts;
mod checks;

use std::io::Read;

use super::{Ctx, ok, silent};
use crate::cli::health::{ConfigureAlertChannelArgs, CreateAlertRuleArgs, HealthCommand};
use crate::commands::secret_input::SecretSource;
use crate::error::{Error, ExitStatus, Result};
use crate::model::{
    AlertRule, AutoHealingConfig, AutoHealingPatch, Channel, ChannelType, WireSecret,
    channel::check_secret, rule_file,
};
use crate::render::{Report, Style};
use crate::target::call::{Call, ChannelChange, ChannelList, CreateRules, RuleChanges, RuleList};
use crate::target::local::{Change, ChannelView};

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
        HealthCommand::CreateAlertRule(args) => create_alert_rule(ctx, args),
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
        HealthCommand::ExportAlertmanagerConfig(args) => {
            alerts::export_alertmanager_config(ctx, args)
        }
    }
}

fn announce_rules(r: &RuleChanges) -> Vec<String> {
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

fn rule_rows(style: &Style, rules: &[(Option<Change>, &AlertRule)]) -> String {
    let with_change = rules.iter().any(|(c, _)| c.is_some());
    let mut headers = vec!["NAME", "SEVERITY", "CONDITION", "FOR", "DESCRIPTION"];
    if with_change {
        headers.insert(0, "CHANGE");
    }
    let mut t = style.table(&headers);
    for (change, r) in rules {
        let condition = r.expr();
        let mut row = vec![
            r.name.clone(),
            r.severity.to_string(),
            condition,
            r.duration.to_string(),
            r.description.clone(),
        ];
        if let Some(c) = change {
            row.insert(0, c.as_str().to_string());
        }
        t.add_row(row);
    }
    t.to_string()
}

impl Report for RuleList {
    fn human(&self, style: &Style) -> String {
        if self.rules.is_empty() {
            return "no alert rules\n".into();
        }
        let rows: Vec<_> = self.rules.iter().map(|r| (None, r)).collect();
        rule_rows(style, &rows)
    }
}

impl Report for RuleChanges {
    fn human(&self, style: &Style) -> String {
        let rows: Vec<_> = self
            .rules
            .iter()
            .map(|c| (Some(c.change), &c.rule))
            .collect();
        rule_rows(style, &rows)
    }
}

const MAX_RULE_FILE: u64 = crate::model::input::Input::RULE_FILE.max_bytes() as u64;

fn read_rule_file(path: &std::path::Path) -> Result<String> {
    let shown = path.display().to_string();
    let mut text = String::new();
    let read = if shown == "-" {
        std::io::stdin()
            .take(MAX_RULE_FILE + 1)
            .read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_RULE_FILE + 1).read_to_string(&mut text))
    };
    read.map_err(|e| Error::io(format!("--file {shown}: reading"), e))?;
    if text.len() as u64 > MAX_RULE_FILE {
        return Err(Error::invalid(
            "--file",
            &shown,
            "a rule file of at most 4 MiB",
        ));
    }
    Ok(text)
}

fn create_alert_rule(ctx: &Ctx, args: CreateAlertRuleArgs) -> Result<ExitStatus> {
    let rules = match &args.file {
        Some(path) => {
            let text = read_rule_file(path)?;
            let rules = rule_file::parse(&text).map_err(|detail| Error::Parse {
                kind: "rule file",
                path: path.clone(),
                detail,
            })?;
            // Field errors name the file and the rule.
            for (i, r) in rules.iter().enumerate() {
                r.validate(|f| format!("rule {} ({})", i + 1, f))
                    .map_err(|e| e.context(format!("--file {}", path.display())))?;
            }
            rules
        }
        None => {
            // clap's `required_unless_present` guarantees these; stay defensive anyway.
            let missing =
                |f: &str| Error::Usage(format!("--{f} is required unless --file is given"));
            vec![AlertRule {
                name: args.name.ok_or_else(|| missing("name"))?,
                metric: args.metric.ok_or_else(|| missing("metric"))?,
                comparison: args.comparison,
                threshold: args.threshold.ok_or_else(|| missing("threshold"))?,
                duration: args.duration.ok_or_else(|| missing("duration"))?,
                severity: args.severity.ok_or_else(|| missing("severity"))?,
                description: args.description.unwrap_or_default(),
                labels: args.labels,
            }]
        }
    };
    for r in &rules {
        warn_if_fires_while_up(ctx, r);
    }
    ctx.run::<RuleChanges>(
        Call::CreateRules(CreateRules {
            rules,
            replace: args.replace,
        }),
        ok,
        announce_rules,
    )
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

/// The seed's `node_down` rule (`hivemind_node_status`, threshold 0, default `gt`) holds while
/// the node is up (the metric is 1 then): say so, since it would page all the time.
fn warn_if_fires_while_up(ctx: &Ctx, rule: &AlertRule) {
    if rule.metric == "hivemind_node_status"
        && rule.labels.is_empty()
        && rule.comparison.holds(1.0, rule.threshold)
        && !rule.comparison.holds(0.0, rule.threshold)
    {
        ctx.msg.warn(&format!(
            "alert rule {}: {} holds while the node is up (hivemind_node_status is 1 when up, 0 when down); \
             for a node-down alert use --comparison eq --threshold 0 (or --comparison lt --threshold 1)",
            rule.name,
            rule.expr()
        ));
    }
}
