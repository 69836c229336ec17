//! `hivemind daemon [token]`: the flags become the agent's options; `token` prints (or
//! rotates) the API token.

use serde::Serialize;

use super::Ctx;
use crate::cli::daemon::{DaemonArgs, DaemonCommand, TokenArgs};
use crate::daemon::Options;
use crate::error::{ExitStatus, Result};
use crate::render::{Report, Style};
use crate::store::daemon_files as files;

pub fn run(ctx: &Ctx, args: DaemonArgs) -> Result<ExitStatus> {
    if let Some(DaemonCommand::Token(t)) = &args.command {
        return token(ctx, t);
    }
    let options = Options {
        listen: args.listen,
        // clap makes each of the two require the other.
        tls: args.tls_cert.zip(args.tls_key),
        allow_remote_exec: args.allow_remote_exec,
        collect_interval: args.collect_interval.as_std(),
        allow_private_destinations: args.allow_private_destinations,
        repeat_interval: args.repeat_interval.as_std(),
        notification_queue: args.notification_queue,
        max_connections: args.max_connections,
        metrics_overrides: crate::daemon::runtime::Overrides {
            listen: args.metrics_listen,
            path: args.metrics_path,
            compat: args.compat,
        },
        process_metrics: args.process_metrics,
        max_process_groups: args.max_process_groups,
        // The terminal was asked about once, in lib.rs.
        log_format: args.log_format.unwrap_or(if ctx.term.stderr_tty {
            crate::model::telemetry::LogFormat::Text
        } else {
            crate::model::telemetry::LogFormat::Json
        }),
    };
    crate::daemon::run(options, &ctx.place.data_dir, &ctx.msg)
}

/// `daemon token` output. This is the one place a secret is printed, because it was asked for.
#[derive(Debug, Serialize)]
pub struct TokenReport {
    pub token: String,
    pub path: String,
}

impl Report for TokenReport {
    fn human(&self, _style: &Style) -> String {
        format!("{}\n", self.token)
    }
}

/// Who runs this command, for an audit record: the local user by uid.
fn local_user() -> String {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata("/proc/self") {
        Ok(m) => format!("local user uid {}", m.uid()),
        Err(_) => "local user".into(),
    }
}

fn token(ctx: &Ctx, args: &TokenArgs) -> Result<ExitStatus> {
    let dir = &ctx.place.data_dir;
    crate::store::fs::ensure_private_dir(dir)?;
    let token = if args.rotate {
        // Refused before the token changes when its audit record could not be kept.
        files::check_audit_queue(dir)?;
        let t = files::rotate_token(dir)?;
        let record = files::QueuedAudit {
            at: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            who: local_user(),
            action: "rotate the API token".into(),
            result: "replaced".into(),
            ok: true,
        };
        if let Err(e) = files::queue_audit(dir, &record) {
            ctx.msg.warn(&format!(
                "the token was replaced, but its audit record could not be kept: {e}"
            ));
        }
        ctx.msg
            .status("token replaced; restart the daemon (it logs this as an audit record) and update the agents' inventories");
        t
    } else {
        files::load_or_create_token(dir)?
    };
    ctx.out.emit(&TokenReport {
        token: token.expose().to_string(),
        path: dir.join(files::TOKEN).display().to_string(),
    })?;
    Ok(ExitStatus::Success)
}
