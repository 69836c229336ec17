//! `health create-check|list-checks|delete-check|run-check` and `health status` with
//! `--watch` and `--wait-healthy`.

use std::time::{Duration, Instant};

use super::{Ctx, ok, silent};
use crate::cli::health::{CreateCheckArgs, StatusArgs};
use crate::error::{Error, ExitStatus, Result};
use crate::health::Status;
use crate::health::node::{HealthReport, Thresholds};
use crate::model::check::{Check, CheckType, Probe};
use crate::render::{Report, Style};
use crate::target::call::{Call, CheckChange, CheckList, CheckRun, CreateCheck};

/// How often `--watch` and `--wait-healthy` ask again.
const POLL: Duration = Duration::from_secs(2);

fn judge_health(r: &HealthReport) -> ExitStatus {
    match r.status {
        Status::Unhealthy => ExitStatus::Negative,
        Status::Healthy | Status::Unknown => ExitStatus::Success,
    }
}

pub fn status(ctx: &Ctx, args: StatusArgs) -> Result<ExitStatus> {
    let call = Call::Health(Thresholds {
        cpu_percent: args.max_cpu,
        memory_percent: args.max_memory,
        swap_percent: args.max_swap,
        disk_percent: args.max_disk,
        load_per_cpu: args.max_load,
        ..Thresholds::default()
    });
    if !args.watch && !args.wait_healthy {
        return ctx.run::<HealthReport>(call, judge_health, silent);
    }
    let target = ctx.place.target(&ctx.msg)?;
    let stop = crate::signals::Stop::install()?;
    if args.watch {
        let tty = ctx.term.stdout_tty;
        loop {
            let fetched = ctx.place.fetch::<HealthReport>(&target, &call)?;
            if tty {
                // Home and clear: redraw in place.
                crate::render::write_stdout(b"\x1b[H\x1b[2J")?;
            }
            ctx.present(&fetched, &judge_health, &silent)?;
            // Watching ends with Ctrl-C (or TERM/HUP): the normal way out, so no error line.
            if let Some(signal) = stop.sleep(POLL) {
                return Ok(signal.exit_status());
            }
        }
    }
    let deadline = Instant::now() + args.timeout.as_std();
    loop {
        // A target that cannot be reached yet (an agent still starting) is polled again.
        let fetched = ctx.place.fetch::<HealthReport>(&target, &call);
        let done = Instant::now() >= deadline;
        match fetched {
            Ok(f) => {
                // Waiting means every node and check is positively healthy, not merely unknown.
                let verdict = f.verdict(&|r: &HealthReport| match r.status {
                    Status::Healthy => ExitStatus::Success,
                    Status::Unknown | Status::Unhealthy => ExitStatus::Negative,
                });
                if verdict == ExitStatus::Success || done {
                    let status = ctx.present(&f, &judge_health, &silent)?;
                    if status != ExitStatus::Success {
                        ctx.msg.warn(&format!("not healthy after {}", args.timeout));
                    }
                    return Ok(match status {
                        ExitStatus::Success => ExitStatus::Success,
                        ExitStatus::Partial => ExitStatus::Partial,
                        _ => ExitStatus::Negative,
                    });
                }
                ctx.msg.debug("not healthy yet; asking again");
            }
            Err(e) if done => return Err(e),
            Err(e) => ctx.msg.debug(&format!("asking again after: {e}")),
        }
        if let Some(signal) = stop.sleep(
            POLL.min(deadline.saturating_duration_since(Instant::now()))
                .max(Duration::from_millis(100)),
        ) {
            return Err(crate::signals::Stop::error(
                signal,
                "stopped waiting before everything was healthy",
            ));
        }
    }
}

impl Report for CheckList {
    fn human(&self, style: &Style) -> String {
        if self.checks.is_empty() {
            return "no checks\n".into();
        }
        let mut t = style.table(&[
            "NAME",
            "TYPE",
            "TARGET",
            "INTERVAL",
            "TIMEOUT",
            "THRESHOLDS",
            "RESTART",
        ]);
        for c in &self.checks {
            t.add_row(check_row(c));
        }
        t.to_string()
    }
}

fn check_row(c: &Check) -> Vec<String> {
    vec![
        c.name.clone(),
        c.probe.check_type().as_str().into(),
        c.probe.target(),
        c.interval.to_string(),
        c.timeout.to_string(),
        format!("{}/{}", c.failure_threshold, c.success_threshold),
        if c.restart_command.is_empty() {
            "-".into()
        } else {
            c.restart_command.join(" ")
        },
    ]
}

impl Report for CheckChange {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&[
            "CHANGE",
            "NAME",
            "TYPE",
            "TARGET",
            "INTERVAL",
            "TIMEOUT",
            "THRESHOLDS",
            "RESTART",
        ]);
        let mut row = check_row(&self.check);
        row.insert(0, self.change.as_str().into());
        t.add_row(row);
        t.to_string()
    }
}

impl Report for CheckRun {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&["CHECK", "TYPE", "STATUS", "LATENCY", "DETAIL"]);
        t.add_row(vec![
            comfy_table::Cell::new(&self.name),
            comfy_table::Cell::new(self.kind.as_str()),
            style.status_cell(if self.result.ok {
                "healthy"
            } else {
                "unhealthy"
            }),
            comfy_table::Cell::new(format!("{:.1} ms", self.result.latency_seconds * 1000.0)),
            comfy_table::Cell::new(&self.result.message),
        ]);
        let mut out = t.to_string();
        if !self.result.output.is_empty() {
            out.push_str("\noutput:\n");
            out.push_str(&self.result.output);
        }
        out
    }
}

pub fn run_check(ctx: &Ctx, name: String) -> Result<ExitStatus> {
    ctx.run::<CheckRun>(
        Call::RunCheck(name),
        |r| {
            if r.result.ok {
                ExitStatus::Success
            } else {
                ExitStatus::Negative
            }
        },
        silent,
    )
}

pub fn list(ctx: &Ctx) -> Result<ExitStatus> {
    ctx.run::<CheckList>(Call::ListChecks, ok, silent)
}

pub fn delete(ctx: &Ctx, name: String, ignore_not_found: bool) -> Result<ExitStatus> {
    let what = format!("check '{name}'");
    ctx.run_delete::<CheckChange>(Call::DeleteCheck(name), ignore_not_found, &what, announce)
}

fn announce(c: &CheckChange) -> Vec<String> {
    vec![format!("check {} {}", c.check.name, c.change.as_str())]
}

/// `--restart-command`: one string is split with shell rules (quotes and backslashes, no
/// expansion; no shell runs it); several flags are one word each, as before.
fn restart_argv(given: &[String]) -> Result<Vec<String>> {
    match given {
        [one] => match shlex::split(one) {
            Some(words) if !words.is_empty() => Ok(words),
            _ => Err(Error::invalid(
                "--restart-command",
                one,
                "a command with balanced quotes, e.g. 'systemctl restart nginx'",
            )),
        },
        many => Ok(many.to_vec()),
    }
}

/// The flag that sets a check's field (the API and the state name fields after the JSON).
fn check_flag(field: &str) -> String {
    match field {
        "service" => "--grpc-service".into(),
        "json" => "--json-pointer".into(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

/// Build the check from its flags: flags of other types are refused, each type's required
/// flags must be there; the core validates the whole (timeout < interval, …) before saving.
pub fn create(ctx: &Ctx, args: CreateCheckArgs) -> Result<ExitStatus> {
    let ty = args.check_type;
    if !args.command.is_empty() && !args.trailing.is_empty() {
        return Err(Error::Usage(
            "give the command either with --command or after `--`, not both".into(),
        ));
    }
    let command: Vec<String> = if args.trailing.is_empty() {
        args.command.clone()
    } else {
        args.trailing.clone()
    };
    let given: [(&str, bool, &[CheckType]); 11] = [
        ("--url", args.url.is_some(), &[CheckType::Http]),
        (
            "--expect-status",
            args.expect_status.is_some(),
            &[CheckType::Http],
        ),
        (
            "--body-contains",
            args.body_contains.is_some(),
            &[CheckType::Http],
        ),
        (
            "--body-regex",
            args.body_regex.is_some(),
            &[CheckType::Http],
        ),
        (
            "--json-pointer",
            args.json_pointer.is_some(),
            &[CheckType::Http],
        ),
        ("--header", !args.headers.is_empty(), &[CheckType::Http]),
        (
            "--insecure-skip-verify",
            args.insecure_skip_verify,
            &[CheckType::Http],
        ),
        (
            "--ca-cert",
            args.ca_cert.is_some(),
            &[CheckType::Http, CheckType::Grpc],
        ),
        (
            "--address",
            args.address.is_some(),
            &[CheckType::Tcp, CheckType::Grpc],
        ),
        ("--command", !command.is_empty(), &[CheckType::Command]),
        (
            "--grpc-service or --tls",
            args.grpc_service.is_some() || args.tls,
            &[CheckType::Grpc],
        ),
    ];
    for (flag, present, owners) in given {
        if present && !owners.contains(&ty) {
            let names: Vec<&str> = owners.iter().map(|t| t.as_str()).collect();
            return Err(Error::Usage(format!(
                "{flag} is a setting of --type {}, not of --type {}",
                names.join("/"),
                ty.as_str()
            )));
        }
    }
    let require = |present: bool, flag: &str| {
        if present {
            Ok(())
        } else {
            Err(Error::Usage(format!("--type {} needs {flag}", ty.as_str())))
        }
    };
    let ca_cert = args
        .ca_cert
        .as_deref()
        .map(crate::commands::ca_cert_path)
        .transpose()?;
    let probe = match ty {
        CheckType::Http => {
            require(args.url.is_some(), "--url")?;
            if args.insecure_skip_verify {
                ctx.msg.warn("--insecure-skip-verify: this check accepts any TLS certificate, so it cannot tell the real service from an impostor");
            }
            Probe::Http {
                url: args.url.clone().unwrap_or_default(),
                expect_status: args.expect_status.clone().unwrap_or_default(),
                body_contains: args.body_contains.clone(),
                body_regex: args.body_regex.clone(),
                json: args.json_pointer.clone(),
                headers: args.headers.clone(),
                ca_cert,
                insecure_skip_verify: args.insecure_skip_verify,
            }
        }
        CheckType::Tcp => {
            require(args.address.is_some(), "--address HOST:PORT")?;
            Probe::Tcp {
                address: args.address.clone().unwrap_or_default(),
            }
        }
        CheckType::Command => {
            require(
                !command.is_empty(),
                "a command: --command PROGRAM [--command ARG]… or `-- PROGRAM ARG…`",
            )?;
            Probe::Command { command }
        }
        CheckType::Grpc => {
            require(args.address.is_some(), "--address HOST:PORT")?;
            Probe::Grpc {
                address: args.address.clone().unwrap_or_default(),
                service: args.grpc_service.clone().unwrap_or_default(),
                tls: args.tls,
                ca_cert,
            }
        }
    };
    let check = Check {
        name: args.name.clone(),
        probe,
        interval: args.interval,
        timeout: args.timeout,
        failure_threshold: args.failure_threshold,
        success_threshold: args.success_threshold,
        start_period: args.start_period,
        restart_command: restart_argv(&args.restart_command)?,
    };
    // Validate here too, so that a bad value is reported as the flag the user typed.
    check.validate().map_err(|e| match e {
        Error::Invalid {
            field,
            value,
            allowed,
        } => Error::Invalid {
            field: check_flag(&field),
            value,
            allowed,
        },
        other => other,
    })?;
    ctx.run::<CheckChange>(
        Call::CreateCheck(CreateCheck {
            check,
            replace: args.replace,
        }),
        ok,
        announce,
    )
}
impl Report for HealthReport {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&["RESOURCE", "STATUS", "VALUE", "THRESHOLD", "DETAIL"]);
        for r in &self.resources {
            let name = if r.target.is_empty() {
                r.resource.to_string()
            } else {
                format!("{} {}", r.resource, r.target)
            };
            let (value, threshold) = match r.unit.as_str() {
                "percent" => (
                    r.value.map_or("-".into(), |v| format!("{v:.1}%")),
                    r.threshold.map_or("-".into(), |v| format!("{v}%")),
                ),
                "seconds" => ("-".into(), "-".into()),
                _ => (
                    r.value.map_or("-".into(), |v| format!("{v}")),
                    r.threshold.map_or("-".into(), |v| format!("{v}")),
                ),
            };
            t.add_row(vec![
                comfy_table::Cell::new(name),
                style.status_cell(r.status.as_str()),
                comfy_table::Cell::new(value),
                comfy_table::Cell::new(threshold),
                comfy_table::Cell::new(&r.detail),
            ]);
        }
        let mut out = format!("NODE {}  {}\n{t}", self.hostname, self.status.as_str());
        if !self.checks.is_empty() {
            let mut c = style.table(&[
                "CHECK", "TYPE", "STATUS", "LATENCY", "FAILURES", "RESTARTS", "AUTOHEAL", "DETAIL",
            ]);
            for check in &self.checks {
                let latency = check.last_result.as_ref().map_or_else(
                    || "-".into(),
                    |r| format!("{:.1} ms", r.latency_seconds * 1000.0),
                );
                let detail = match (&check.last_result, &check.last_error) {
                    (Some(r), _) if r.ok => check.target.clone(),
                    (Some(r), _) => r.message.clone(),
                    (None, Some(e)) => e.clone(),
                    (None, None) => "not run yet".into(),
                };
                c.add_row(vec![
                    comfy_table::Cell::new(&check.name),
                    comfy_table::Cell::new(check.kind.as_str()),
                    style.status_cell(check.status.as_str()),
                    comfy_table::Cell::new(latency),
                    comfy_table::Cell::new(check.consecutive_failures),
                    comfy_table::Cell::new(check.restarts),
                    comfy_table::Cell::new(check.autoheal.as_str()),
                    comfy_table::Cell::new(detail),
                ]);
            }
            out.push('\n');
            out.push_str(&c.to_string());
        }
        out
    }
}
