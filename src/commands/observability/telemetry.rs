//! `observability configure-tracing|configure-logging|traces|logs`.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{Ctx, ok, silent};
use crate::cli::observability::{ConfigureLoggingArgs, ConfigureTracingArgs, LogsArgs, TracesArgs};
use crate::commands::secret_input::SecretSource;
use crate::error::{Error, ExitStatus, Result};
use crate::model::log_sources::SourcesPatch;
use crate::model::telemetry::{header_name, header_value};
use crate::model::{LoggingPatch, Secret, TracingPatch, WireSecret};
use crate::render::{Report, Style};
use crate::target::call::{Call, LoggingReport, TraceDetail, TraceList, TraceQuery, TracingReport};
use crate::target::{Fetched, Target};
use crate::telemetry::{LogPage, LogQuery, LogRecord};

pub fn configure_tracing(ctx: &Ctx, args: ConfigureTracingArgs) -> Result<ExitStatus> {
    let mut headers: Option<BTreeMap<String, WireSecret>> = None;
    if !args.headers.is_empty() || args.header_stdin.is_some() || args.clear_headers {
        let mut map = BTreeMap::new();
        for pair in &args.headers {
            // Header values are credentials: errors never echo them.
            let Some((name, value)) = pair.split_once('=') else {
                return Err(Error::Invalid {
                    field: "--header".into(),
                    value: crate::model::secret::REDACTED.into(),
                    allowed: "NAME=VALUE, e.g. Authorization=Bearer …".into(),
                });
            };
            let name = header_name(name.trim()).map_err(|a| Error::invalid("--header", name, a))?;
            header_value(value).map_err(|allowed| Error::Invalid {
                field: format!("--header {name}"),
                value: crate::model::secret::REDACTED.into(),
                allowed,
            })?;
            map.insert(name, WireSecret::from_secret(&Secret::new(value)));
        }
        if !args.headers.is_empty() {
            ctx.msg.warn(
                "--header values on the command line are visible in `ps` and shell history; \
                 prefer --header-stdin NAME",
            );
        }
        if let Some(name) = &args.header_stdin {
            let source = SecretSource {
                flag: "header",
                value: None,
                stdin: true,
                file: None,
            };
            if let Some(v) = source.read(&ctx.msg, header_value)? {
                map.insert(name.clone(), WireSecret::from_secret(&v));
            }
        }
        headers = Some(map);
    }
    let patch = TracingPatch {
        enabled: if args.disable {
            Some(false)
        } else if args.enable {
            Some(true)
        } else {
            None
        },
        service_name: args.service_name,
        endpoint: args.endpoint,
        sample_ratio: args.sample_ratio,
        headers,
    };
    ctx.run::<TracingReport>(Call::ConfigureTracing(patch), ok, |r| {
        vec![if r.tracing.enabled {
            format!(
                "tracing configuration saved: spans go to {}",
                r.tracing.endpoint
            )
        } else {
            "tracing configuration saved: export is disabled".into()
        }]
    })
}

/// A `--x` / `--no-x` pair: on, off, or unchanged.
fn flag(on: bool, off: bool) -> Option<bool> {
    match (on, off) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

pub fn configure_logging(ctx: &Ctx, args: ConfigureLoggingArgs) -> Result<ExitStatus> {
    let check = |v: &str| header_value(v);
    let password = SecretSource {
        flag: "password",
        value: args.password.as_deref(),
        stdin: args.password_stdin,
        file: args.password_file.as_deref(),
    }
    .read(&ctx.msg, check)?;
    let api_key = SecretSource {
        flag: "api-key",
        value: args.api_key.as_deref(),
        stdin: args.api_key_stdin,
        file: args.api_key_file.as_deref(),
    }
    .read(&ctx.msg, check)?;
    let patch = LoggingPatch {
        enabled: if args.disable {
            Some(false)
        } else if args.enable {
            Some(true)
        } else {
            None
        },
        endpoint: args.endpoint,
        index: args.index,
        level: args.level,
        username: args.username,
        password: password.as_ref().map(WireSecret::from_secret),
        api_key: api_key.as_ref().map(WireSecret::from_secret),
        sources: SourcesPatch {
            docker: flag(args.docker, args.no_docker),
            docker_root: args.docker_root,
            cri: flag(args.cri, args.no_cri),
            cri_root: args.cri_root,
            files: if args.no_files {
                Some(Vec::new())
            } else if args.files.is_empty() {
                None
            } else {
                Some(args.files)
            },
            journald: flag(args.journald, args.no_journald),
            journal_directory: args.journal_directory,
            buffer_bytes: args.buffer_size,
            buffer_dir: args.buffer_dir,
            max_line_bytes: args.max_line_size,
        },
    };
    ctx.run::<LoggingReport>(Call::ConfigureLogging(patch), ok, |r| {
        vec![if r.logging.enabled {
            format!(
                "logging configuration saved: records at {} and above go to index {} on {}",
                r.logging.level, r.logging.index, r.logging.endpoint
            )
        } else {
            "logging configuration saved: shipping is disabled".into()
        }]
    })
}

impl Report for TracingReport {
    fn human(&self, style: &Style) -> String {
        let t = &self.tracing;
        let headers: Vec<String> = t.headers.iter().map(|(k, v)| format!("{k}={v}")).collect();
        style.kv_table(&[
            ("tracing.enabled", t.enabled.to_string()),
            ("tracing.service_name", t.service_name.clone()),
            ("tracing.endpoint", t.endpoint.clone()),
            ("tracing.sample_ratio", t.sample_ratio.to_string()),
            (
                "tracing.headers",
                if headers.is_empty() {
                    "-".into()
                } else {
                    headers.join(", ")
                },
            ),
        ])
    }
}

impl Report for LoggingReport {
    fn human(&self, style: &Style) -> String {
        let l = &self.logging;
        let credentials = match (&l.api_key, &l.username, &l.password) {
            (Some(k), _, _) => format!("api key {k}"),
            (None, Some(u), Some(p)) => format!("user {u}, password {p}"),
            (None, Some(u), None) => format!("user {u}"),
            (None, None, _) => "none".into(),
        };
        style.kv_table(&[
            ("logging.enabled", l.enabled.to_string()),
            ("logging.endpoint", l.endpoint.clone()),
            ("logging.index", l.index.clone()),
            ("logging.level", l.level.to_string()),
            ("logging.credentials", credentials),
            ("logging.sources", sources_line(&l.sources)),
        ])
    }
}

/// The workload sources in one line.
fn sources_line(s: &crate::model::log_sources::LogSources) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &s.docker {
        parts.push(format!(
            "docker ({})",
            d.root.as_deref().unwrap_or("Docker's data root")
        ));
    }
    if let Some(c) = &s.cri {
        parts.push(format!("cri ({c})"));
    }
    for f in &s.files {
        parts.push(format!("file {f}"));
    }
    if let Some(j) = &s.journald {
        parts.push(format!(
            "journald ({})",
            j.directory.as_deref().unwrap_or("system journal")
        ));
    }
    let what = if parts.is_empty() {
        "the agent's own log only".to_string()
    } else {
        format!("the agent's own log, {}", parts.join(", "))
    };
    format!(
        "{what}; buffer {} at {}",
        crate::model::units::bytes(s.buffer_bytes),
        s.buffer_dir.as_deref().unwrap_or("DATA_DIR/logs")
    )
}

pub fn traces(ctx: &Ctx, args: TracesArgs) -> Result<ExitStatus> {
    match args.id {
        Some(id) => ctx.run::<TraceDetail>(Call::Trace(id), ok, silent),
        None => ctx.run::<TraceList>(
            Call::Traces(TraceQuery {
                limit: Some(usize::from(args.limit)),
            }),
            ok,
            silent,
        ),
    }
}

fn ms(seconds: f64) -> String {
    if seconds < 1.0 {
        format!("{:.1} ms", seconds * 1000.0)
    } else {
        format!("{seconds:.2} s")
    }
}

impl Report for TraceList {
    fn human(&self, style: &Style) -> String {
        if self.traces.is_empty() {
            return "no traces recorded yet\n".into();
        }
        let mut t = style.table(&["TRACE", "STARTED", "DURATION", "SPANS", "ERRORS", "ROOT"]);
        for tr in &self.traces {
            t.add_row(vec![
                tr.trace_id.clone(),
                tr.start.clone(),
                ms(tr.duration_seconds),
                tr.spans.to_string(),
                tr.errors.to_string(),
                tr.root.clone(),
            ]);
        }
        t.to_string()
    }
}

impl Report for TraceDetail {
    fn human(&self, style: &Style) -> String {
        let ids: std::collections::HashSet<&str> =
            self.spans.iter().map(|s| s.span_id.as_str()).collect();
        let start = self
            .spans
            .iter()
            .map(|s| s.start_unix_nanos)
            .min()
            .unwrap_or(0);
        // Depth-first from the roots (spans whose parent is not here), children by start.
        let mut order: Vec<(usize, &crate::telemetry::SpanRecord)> = Vec::new();
        fn walk<'a>(
            spans: &'a [crate::telemetry::SpanRecord],
            parent: &str,
            depth: usize,
            out: &mut Vec<(usize, &'a crate::telemetry::SpanRecord)>,
        ) {
            for s in spans
                .iter()
                .filter(|s| s.parent_span_id.as_deref() == Some(parent))
            {
                out.push((depth, s));
                walk(spans, &s.span_id, depth + 1, out);
            }
        }
        for root in self
            .spans
            .iter()
            .filter(|s| s.parent_span_id.as_deref().is_none_or(|p| !ids.contains(p)))
        {
            order.push((0, root));
            walk(&self.spans, &root.span_id, 1, &mut order);
        }
        let mut t = style.table(&["SPAN", "NAME", "OFFSET", "DURATION", "STATUS", "ATTRIBUTES"]);
        for (depth, s) in order {
            let attrs: Vec<String> = s
                .attributes
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "operation.name" | "node.id"))
                .map(|(k, v)| {
                    let v = match v {
                        crate::telemetry::trace::Value::Str(x) => x.clone(),
                        other => serde_json::to_string(other).unwrap_or_default(),
                    };
                    format!("{k}={v}")
                })
                .collect();
            t.add_row(vec![
                s.span_id.clone(),
                format!("{}{}", "  ".repeat(depth), s.name),
                ms(s.start_unix_nanos.saturating_sub(start) as f64 / 1e9),
                ms(s.duration_seconds),
                s.status.clone(),
                attrs.join(" "),
            ]);
        }
        format!("trace {}\n{t}", self.trace_id)
    }
}

fn log_line(r: &LogRecord) -> String {
    let mut line = format!("{} {:<7} {}", r.timestamp, r.level.as_str(), r.message);
    if !r.metadata.is_empty() {
        line.push(' ');
        line.push_str(&serde_json::Value::Object(r.metadata.clone()).to_string());
    }
    if let Some(t) = &r.trace_id {
        line.push_str(&format!(" trace_id={t}"));
    }
    line.push('\n');
    line
}

impl Report for LogPage {
    fn human(&self, _style: &Style) -> String {
        if self.logs.is_empty() {
            return "no log records match\n".into();
        }
        self.logs.iter().map(log_line).collect()
    }
}

pub fn logs(ctx: &Ctx, args: LogsArgs) -> Result<ExitStatus> {
    let mut query = LogQuery {
        level: args.level,
        since: args.since,
        text: args.text,
        limit: Some(usize::from(args.limit)),
        after: None,
        audit: args.audit.then_some(true),
    };
    if !args.follow {
        return ctx.run::<LogPage>(Call::Logs(query), ok, silent);
    }
    let target = ctx.place.target(&ctx.msg)?;
    if matches!(target, Target::Many(_)) {
        return Err(Error::Usage(
            "--follow reads one agent's log: pick one with --agent NAME".into(),
        ));
    }
    let stop = crate::signals::Stop::install()?;
    loop {
        let fetched = ctx
            .place
            .fetch::<LogPage>(&target, &Call::Logs(query.clone()))?;
        let Fetched::One { report, .. } = fetched else {
            return Ok(ExitStatus::Failure);
        };
        let mut text = String::new();
        for r in &report.logs {
            match ctx.out.format {
                // One JSON object per line while following, like the agent's own log.
                crate::render::Format::Json | crate::render::Format::Yaml => {
                    text.push_str(&serde_json::to_string(r).unwrap_or_default());
                    text.push('\n');
                }
                crate::render::Format::Table => text.push_str(&log_line(r)),
            }
        }
        crate::render::write_stdout(text.as_bytes())?;
        query.after = Some(report.next);
        // After the first page, only what is new.
        query.since = None;
        query.limit = Some(crate::telemetry::log::RING_CAPACITY);
        // Following ends with Ctrl-C (or TERM/HUP): the normal way out, so no error line.
        if let Some(signal) = stop.sleep(Duration::from_secs(1)) {
            return Ok(signal.exit_status());
        }
    }
}
