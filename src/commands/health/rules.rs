//! `health create-alert-rule`, `list-alert-rules` (their reports) and `health test-rules`.

use std::collections::BTreeMap;
use std::io::Read;

use super::announce_rules;
use crate::alerting::rules::{self as rule_meaning, unknown_metric_text, unknown_metrics};
use crate::alerting::ruletest;
use crate::cli::health::{CreateAlertRuleArgs, TestRulesArgs};
use crate::commands::{Ctx, ok};
use crate::error::{Error, ExitStatus, Result};
use crate::model::rule::{MatchOp, Threshold};
use crate::model::{AlertRule, rule_file};
use crate::render::{Report, Style};
use crate::target::call::{Call, CreateRules, Evaluation, RuleChanges, RuleList};
use crate::target::local::Change;

fn rule_rows(style: &Style, rules: &[(Option<Change>, &AlertRule, &Evaluation)]) -> String {
    let with_change = rules.iter().any(|(c, _, _)| c.is_some());
    let mut headers = vec![
        "NAME",
        "SEVERITY",
        "EXPRESSION",
        "FOR",
        "EVALUATED BY",
        "DESCRIPTION",
    ];
    if with_change {
        headers.insert(0, "CHANGE");
    }
    let mut t = style.table(&headers);
    for (change, r, e) in rules {
        let by = match &e.prometheus_only_because {
            Some(why) => format!("{} ({why})", e.evaluated_by),
            None => e.evaluated_by.clone(),
        };
        let mut row = vec![
            r.name.clone(),
            r.severity.to_string(),
            r.expr.clone(),
            r.duration.to_string(),
            by,
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
        let rows: Vec<_> = self
            .rules
            .iter()
            .map(|r| (None, &r.rule, &r.evaluation))
            .collect();
        rule_rows(style, &rows)
    }
}

impl Report for RuleChanges {
    fn human(&self, style: &Style) -> String {
        let rows: Vec<_> = self
            .rules
            .iter()
            .map(|c| (Some(c.change), &c.rule, &c.evaluation))
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

/// The rule the flags describe.
fn rule_from_flags(args: CreateAlertRuleArgs) -> Result<AlertRule> {
    // clap's `required_unless_present` guarantees these; stay defensive anyway.
    let missing = |f: &str| Error::Usage(format!("--{f} is required unless --file is given"));
    let name = args.name.ok_or_else(|| missing("name"))?;
    let duration = args.duration.ok_or_else(|| missing("duration"))?;
    let severity = args.severity.ok_or_else(|| missing("severity"))?;
    let mut rule = match args.expr {
        Some(expr) => {
            let mut r = AlertRule::from_expr(name, expr, duration, severity);
            // With an expression, `--label k=v` labels the alerts.
            for m in args.labels {
                if m.op != MatchOp::Equal {
                    return Err(Error::invalid(
                        "--label",
                        &m.to_string(),
                        "name=value with --expr (the label added to its alerts; select series in the expression)",
                    ));
                }
                r.labels.insert(m.name, m.value);
            }
            r
        }
        None => AlertRule::from_threshold(
            name,
            Threshold {
                metric: args.metric.ok_or_else(|| missing("metric (or --expr)"))?,
                comparison: args.comparison.unwrap_or_default(),
                threshold: args.threshold.ok_or_else(|| missing("threshold"))?,
                matchers: args.labels,
            },
            duration,
            severity,
            String::new(),
        ),
    };
    rule.description = args.description.unwrap_or_default();
    rule.annotations = args.annotations.into_iter().collect::<BTreeMap<_, _>>();
    if let Some(spec) = args.capture_profile {
        rule.annotations
            .insert(crate::model::profile::CAPTURE_ANNOTATION.into(), spec);
    }
    Ok(rule)
}

pub fn create_alert_rule(ctx: &Ctx, args: CreateAlertRuleArgs) -> Result<ExitStatus> {
    let strict = args.strict;
    let replace = args.replace;
    let (rules, origin) = match &args.file {
        Some(path) => {
            let text = read_rule_file(path)?;
            let located = rule_file::parse_located(&text).map_err(|detail| Error::Parse {
                kind: "rule file",
                path: path.clone(),
                detail,
            })?;
            // Field errors name the file and the rule (and its line for rule groups).
            for l in &located {
                l.rule
                    .validate(|f| format!("{}: {f}", l.place))
                    .and_then(|()| rule_meaning::check(&l.rule).map_err(|e| e.context(&l.place)))
                    .map_err(|e| e.context(format!("--file {}", path.display())))?;
            }
            let places = located.iter().map(|l| l.place.clone()).collect();
            (located.into_iter().map(|l| l.rule).collect(), places)
        }
        None => {
            let rule = rule_from_flags(args)?;
            rule.validate(|f| format!("--{f}"))?;
            rule_meaning::check(&rule)?;
            (vec![rule], Vec::new())
        }
    };
    // Metrics the agent never exposes: a warning (or, with --strict, an error) naming the
    // nearest names it does.
    for (i, r) in rules.iter().enumerate() {
        for (name, suggestions) in unknown_metrics(r) {
            let text = unknown_metric_text(&r.name, &name, &suggestions);
            if strict {
                let place = origin
                    .get(i)
                    .map(|p: &String| format!("{p}: "))
                    .unwrap_or_default();
                return Err(Error::Usage(format!("{place}{text} (refused by --strict)")));
            }
            ctx.msg.warn(&text);
        }
        if r.is_liveness() {
            ctx.msg.status(&format!(
                "alert rule {}: a rule on hivemind_node_status is a node-down (liveness) rule: the node cannot see itself down, so Prometheus evaluates it from the exported rules (`up` of the agent's target, with the node label)",
                r.name
            ));
        }
    }
    ctx.run::<RuleChanges>(
        Call::CreateRules(CreateRules { rules, replace }),
        ok,
        announce_rules,
    )
}

pub fn test_rules(ctx: &Ctx, args: TestRulesArgs) -> Result<ExitStatus> {
    let report = ruletest::run_files(&args.files)?;
    if let Some(path) = &args.junit {
        crate::store::fs::write_atomic_mode(path, report.junit().as_bytes(), 0o644)?;
        ctx.msg
            .status(&format!("wrote JUnit results to {}", path.display()));
    }
    let failed = report.failed();
    ctx.out.emit(&report)?;
    Ok(if failed {
        ExitStatus::Negative
    } else {
        ExitStatus::Success
    })
}

impl Report for ruletest::Report {
    fn human(&self, _style: &Style) -> String {
        self.text()
    }
}
