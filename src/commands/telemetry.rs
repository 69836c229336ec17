//! `observability configure-tracing|configure-logging|traces|logs|import-dashboards|
//! open-dashboard|diagnose`.

use std::collections::BTreeMap;
use std::time::Duration;

use super::secret_input::SecretSource;
use super::{Ctx, ok, silent};
use crate::cli::observability::{
    ConfigureLoggingArgs, ConfigureTracingArgs, DiagnoseArgs, ImportDashboardsArgs, LogsArgs,
    OpenDashboardArgs, TracesArgs,
};
use crate::dashboards::grafana::{ImportReport, Imported};
use crate::error::{Error, ExitStatus, Result};
use crate::model::diagnose::{DiagnoseReport, DiagnoseRequest, Outcome};
use crate::model::telemetry::{header_name, header_value};
use crate::model::{LoggingPatch, Secret, TracingPatch, WireSecret};
use crate::render::{Report, Style};
use crate::target::call::{
    Call, LoggingReport, StatusPageLink, TraceDetail, TraceList, TraceQuery, TracingReport,
};
use crate::target::{Fetched, Target};
use crate::telemetry::{LogPage, LogQuery, LogRecord};

use super::observability::kv_table;

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
        kv_table(
            style,
            &[
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
            ],
        )
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
        kv_table(
            style,
            &[
                ("logging.enabled", l.enabled.to_string()),
                ("logging.endpoint", l.endpoint.clone()),
                ("logging.index", l.index.clone()),
                ("logging.level", l.level.to_string()),
                ("logging.credentials", credentials),
            ],
        )
    }
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
        std::thread::sleep(Duration::from_secs(1));
    }
}

impl Report for ImportReport {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&["UID", "TITLE", "CHANGE", "WHERE"]);
        for d in &self.dashboards {
            t.add_row(vec![
                d.uid.clone(),
                d.title.clone(),
                d.change.clone(),
                d.url.clone(),
            ]);
        }
        t.to_string()
    }
}

/// Grafana's default address (the seed deploys it on port 3000).
const DEFAULT_GRAFANA: &str = "http://127.0.0.1:3000";

pub fn import_dashboards(ctx: &Ctx, args: ImportDashboardsArgs) -> Result<ExitStatus> {
    if !ctx.place.agents.is_empty() || ctx.place.all_agents {
        return Err(Error::Usage(
            "import-dashboards talks to Grafana from this machine; --agent and --all-agents do not apply"
                .into(),
        ));
    }
    let dashboards = crate::dashboards::all();
    if let Some(dir) = &args.output_dir {
        let mut out = Vec::new();
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("--output-dir: creating {}", dir.display()), e))?;
        for d in &dashboards {
            let path = dir.join(d.file);
            let existed = path.exists();
            crate::store::fs::write_atomic(&path, crate::dashboards::to_file(d).as_bytes())?;
            // Grafana reads provisioning files as its own user; they hold no secrets.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))
                .map_err(|e| Error::io(format!("--output-dir: {}", path.display()), e))?;
            out.push(Imported {
                uid: d.uid.into(),
                title: d.title.into(),
                change: if existed { "updated" } else { "created" }.into(),
                url: path.display().to_string(),
                version: None,
            });
        }
        ctx.msg.status(&format!(
            "{} dashboards written to {}; point a Grafana dashboard provider at it (each has a Prometheus data-source variable)",
            out.len(),
            dir.display()
        ));
        ctx.out.emit(&ImportReport {
            target: "files".into(),
            destination: dir.display().to_string(),
            folder: None,
            dashboards: out,
        })?;
        return Ok(ExitStatus::Success);
    }
    let local = ctx.place.local()?;
    let state = local.state()?;
    let url = match (&args.url, &state.grafana.url) {
        (Some(u), _) => u.trim_end_matches('/').to_string(),
        (None, Some(u)) => {
            ctx.msg.status(&format!(
                "importing into {u} (the Grafana used last time; --url changes it)"
            ));
            u.clone()
        }
        (None, None) => {
            ctx.msg.status(&format!(
                "no --url given: importing into Grafana at {DEFAULT_GRAFANA} (its default address; pass --url, or --output-dir DIR for file provisioning)"
            ));
            DEFAULT_GRAFANA.to_string()
        }
    };
    let given = if args.token_stdin {
        SecretSource {
            flag: "token",
            value: None,
            stdin: true,
            file: None,
        }
        .read(&ctx.msg, header_value)?
    } else {
        None
    };
    let token = match (&given, &state.grafana.token) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(r)) => Some(local.secrets.get(r)?),
        (None, None) => None,
    };
    let folder = args.folder.clone().or(state.grafana.folder.clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let report = runtime.block_on(crate::dashboards::grafana::import(
        &url,
        token.as_ref(),
        folder.as_deref(),
        &dashboards,
    ))?;
    local.configure_grafana(&url, folder.as_deref(), given.as_ref(), &ctx.msg)?;
    ctx.msg.status(&format!(
        "{} dashboards imported into {url}; `hivemind observability open-dashboard` opens the overview",
        report.dashboards.len()
    ));
    ctx.out.emit(&report)?;
    Ok(ExitStatus::Success)
}

/// `open-dashboard` output.
#[derive(Debug, serde::Serialize)]
pub struct OpenReport {
    pub url: String,
    /// `grafana` or `status_page`.
    pub kind: String,
    /// Whether a browser was started.
    pub opened: bool,
}

impl Report for OpenReport {
    fn human(&self, _style: &Style) -> String {
        format!("{}\n", self.url)
    }
}

/// The program that opens URLs here, when there is a desktop to open them on.
fn browser_opener() -> Option<String> {
    if let Ok(b) = std::env::var("BROWSER")
        && !b.trim().is_empty()
    {
        return Some(b);
    }
    let desktop = cfg!(target_os = "macos")
        || std::env::var_os("DISPLAY").is_some_and(|v| !v.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty());
    if !desktop {
        return None;
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(opener))
            .find(|p| p.is_file())
            .map(|p| p.display().to_string())
    })
}

/// The agent builds the link from its listen address, which a browser elsewhere may not
/// reach (`0.0.0.0`, a private name): use the address this CLI reached the agent at.
fn reachable_link(target: &Target, link: &str) -> String {
    let Target::One(client) = target else {
        return link.to_string();
    };
    // The local socket client has no network address; the agent's own is right then.
    if client.name == "local" {
        return link.to_string();
    }
    match (url::Url::parse(link), url::Url::parse(&client.url)) {
        (Ok(l), Ok(base)) => {
            let mut out = base.clone();
            out.set_path(l.path());
            out.set_query(l.query());
            out.to_string()
        }
        _ => link.to_string(),
    }
}

pub fn open_dashboard(ctx: &Ctx, args: OpenDashboardArgs) -> Result<ExitStatus> {
    let grafana = if args.status_page || !ctx.place.agents.is_empty() || ctx.place.all_agents {
        None
    } else {
        ctx.place.local()?.state()?.grafana.url
    };
    let (url, kind) = match grafana {
        Some(g) => (format!("{g}/d/hivemind-overview"), "grafana"),
        None => {
            let target = ctx.place.target(&ctx.msg)?;
            if matches!(target, Target::Many(_)) {
                return Err(Error::Usage(
                    "open-dashboard opens one agent's status page: pick one with --agent NAME"
                        .into(),
                ));
            }
            let Fetched::One { report, .. } = ctx
                .place
                .fetch::<StatusPageLink>(&target, &Call::StatusPageLink)?
            else {
                return Ok(ExitStatus::Failure);
            };
            (reachable_link(&target, &report.url), "status_page")
        }
    };
    let interactive = ctx.term.stdout_tty;
    let mut opened = false;
    if !args.print_url && interactive {
        if let Some(opener) = browser_opener() {
            opened = std::process::Command::new(&opener)
                .arg(&url)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .is_ok();
            if opened {
                ctx.msg.status(&format!("opened {url}"));
            }
        } else {
            ctx.msg
                .status("no browser to open here (no desktop session): the address is");
        }
    }
    if kind == "status_page" && !opened {
        ctx.msg.status(&format!(
            "this link signs you in once and expires in {} minutes",
            crate::daemon::status_page::CODE_TTL.as_secs() / 60
        ));
    }
    if opened {
        return Ok(ExitStatus::Success);
    }
    ctx.out.emit(&OpenReport {
        url,
        kind: kind.into(),
        opened,
    })?;
    Ok(ExitStatus::Success)
}

impl Report for DiagnoseReport {
    fn human(&self, style: &Style) -> String {
        let mut t = style.table(&["CHECK", "RESULT", "DETAIL", "HINT"]);
        for f in &self.checks {
            let result = match f.result {
                Outcome::Pass => "ok",
                Outcome::Fail => "failed",
                Outcome::Skip => "skipped",
            };
            t.add_row(vec![
                comfy_table::Cell::new(format!("{}: {}", f.component, f.check)),
                style.status_cell(result),
                comfy_table::Cell::new(&f.detail),
                comfy_table::Cell::new(&f.hint),
            ]);
        }
        t.to_string()
    }
}

pub fn diagnose(ctx: &Ctx, args: DiagnoseArgs) -> Result<ExitStatus> {
    let req = DiagnoseRequest {
        component: args.component,
        prometheus: args.prometheus,
        stack: args.stack,
        alertmanager: args.alertmanager,
        grafana: args.grafana,
    };
    ctx.run::<DiagnoseReport>(
        Call::Diagnose(req),
        |r| {
            if r.ok {
                ExitStatus::Success
            } else {
                ExitStatus::Negative
            }
        },
        |r| {
            let failed = r
                .checks
                .iter()
                .filter(|c| c.result == Outcome::Fail)
                .count();
            if failed == 0 {
                vec![format!("all {} checks passed", r.checks.len())]
            } else {
                vec![format!("{failed} of {} checks failed", r.checks.len())]
            }
        },
    )
}
