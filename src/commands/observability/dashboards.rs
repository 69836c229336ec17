//! `observability import-dashboards|open-dashboard`.

use std::sync::Arc;
use std::time::Duration;

use super::Ctx;
use crate::cli::observability::{DashboardTarget, ImportDashboardsArgs, OpenDashboardArgs};
use crate::commands::secret_input::SecretSource;
use crate::daemon::serve;
use crate::daemon::status_page::Standalone;
use crate::dashboards::grafana::{ImportReport, Imported};
use crate::error::{Error, ExitStatus, Result};
use crate::model::telemetry::header_value;
use crate::render::{Report, Style};
use crate::target::call::{Call, StatusPageLink};
use crate::target::service::Service;
use crate::target::{Fetched, Target};

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

/// Kibana's default address.
const DEFAULT_KIBANA: &str = "http://127.0.0.1:5601";

pub fn import_dashboards(ctx: &Ctx, args: ImportDashboardsArgs) -> Result<ExitStatus> {
    if !ctx.place.agents.is_empty() || ctx.place.all_agents {
        return Err(Error::Usage(
            "import-dashboards talks to Grafana or Kibana from this machine; --agent and --all-agents do not apply"
                .into(),
        ));
    }
    if args.target == DashboardTarget::Kibana {
        return import_kibana(ctx, args);
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
                kind: None,
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
    let (url, given, token) = destination(
        ctx,
        &args,
        &local,
        (state.grafana.url.as_ref(), state.grafana.token.as_ref()),
        ("Grafana", DEFAULT_GRAFANA, "for file provisioning"),
    )?;
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

/// `import-dashboards --target kibana`: the saved objects of `dashboards/kibana/`, with the
/// data view on the index log shipping writes to, into Kibana or into `--output-dir`.
fn import_kibana(ctx: &Ctx, args: ImportDashboardsArgs) -> Result<ExitStatus> {
    use crate::dashboards::kibana;
    if args.folder.is_some() {
        return Err(Error::Usage(
            "--folder: Kibana has no dashboard folders; the saved objects go into its default space (--folder applies to --target grafana)"
                .into(),
        ));
    }
    let local = ctx.place.local()?;
    let state = local.state()?;
    // The data view is on the index the agent ships to, when log shipping is configured.
    let pattern = match &state.logging {
        Some(l) => kibana::pattern_for_index(&l.index),
        None => kibana::DEFAULT_PATTERN.to_string(),
    };
    if pattern != kibana::DEFAULT_PATTERN {
        ctx.msg.status(&format!(
            "the data view is on {pattern} (the index configure-logging ships to)"
        ));
    }
    let ndjson = kibana::ndjson(&pattern);
    let objects = kibana::parse(&ndjson)
        .map_err(|e| Error::Other(format!("dashboards/kibana/{}: {e}", kibana::FILE)))?;
    if let Some(dir) = &args.output_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("--output-dir: creating {}", dir.display()), e))?;
        let path = dir.join(kibana::FILE);
        let existed = path.exists();
        crate::store::fs::write_atomic(&path, ndjson.as_bytes())?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(format!("--output-dir: {}", path.display()), e))?;
        ctx.msg.status(&format!(
            "{} saved objects written to {}; import it in Kibana under Stack Management > Saved objects > Import (with \"overwrite\"), or POST it to /api/saved_objects/_import?overwrite=true",
            objects.len(),
            path.display()
        ));
        ctx.out.emit(&ImportReport {
            target: "files".into(),
            destination: dir.display().to_string(),
            folder: None,
            dashboards: objects
                .iter()
                .map(|o| Imported {
                    uid: o.id.clone(),
                    title: o.title.clone(),
                    change: if existed { "updated" } else { "created" }.into(),
                    url: path.display().to_string(),
                    version: None,
                    kind: Some(o.kind.clone()),
                })
                .collect(),
        })?;
        return Ok(ExitStatus::Success);
    }
    let (url, given, token) = destination(
        ctx,
        &args,
        &local,
        (state.kibana.url.as_ref(), state.kibana.token.as_ref()),
        ("Kibana", DEFAULT_KIBANA, "to write the NDJSON"),
    )?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let outcome = runtime.block_on(kibana::import(&url, token.as_ref(), &ndjson))?;
    // Kibana answered: remember it (and a new key) even when some objects failed.
    local.configure_kibana(&url, given.as_ref(), &ctx.msg)?;
    ctx.out.emit(&outcome.report)?;
    if !outcome.failures.is_empty() {
        for f in &outcome.failures {
            ctx.msg.warn(&format!("Kibana did not import {f}"));
        }
        return Err(Error::Remote(format!(
            "Kibana at {url} did not import {} of the {} saved objects (listed above)",
            outcome.failures.len(),
            objects.len()
        )));
    }
    let dashboards = outcome
        .report
        .dashboards
        .iter()
        .filter(|d| d.kind.as_deref() == Some("dashboard"))
        .count();
    ctx.msg.status(&format!(
        "{} saved objects ({dashboards} dashboards) imported into {url}; open {url}/app/dashboards",
        objects.len()
    ));
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

/// Start the browser on `url` when there is a terminal and a desktop; whether one started.
fn open_in_browser(ctx: &Ctx, url: &str) -> bool {
    if !ctx.term.stdout_tty {
        return false;
    }
    let Some(opener) = browser_opener() else {
        ctx.msg
            .status("no browser to open here (no desktop session): the address is");
        return false;
    };
    let opened = std::process::Command::new(&opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok();
    if opened {
        ctx.msg.status(&format!("opened {url}"));
    }
    opened
}

pub fn open_dashboard(ctx: &Ctx, args: OpenDashboardArgs) -> Result<ExitStatus> {
    let grafana = if args.status_page || !ctx.place.agents.is_empty() || ctx.place.all_agents {
        None
    } else {
        ctx.place.local()?.state()?.grafana.url
    };
    // How long the status page's one-time link lasts, as the agent says.
    let mut expires = 0;
    let (url, kind) = match grafana {
        Some(g) => (format!("{g}/d/hivemind-overview"), "grafana"),
        None => {
            let target = ctx.place.target(&ctx.msg)?;
            let target = match target {
                Target::Many(_) => {
                    return Err(Error::Usage(
                        "open-dashboard opens one agent's status page: pick one with --agent NAME"
                            .into(),
                    ));
                }
                Target::Embedded(_) if args.print_url => {
                    return Err(Error::Usage(format!(
                        "--print-url: the status page needs a running server, and no agent runs on {}; \
                         run `hivemind observability open-dashboard` without --print-url to serve it from \
                         that command until Ctrl-C, start `hivemind daemon` to serve it for good, or ask \
                         an agent with --agent NAME",
                        ctx.place.data_dir.display()
                    )));
                }
                Target::Embedded(svc) => return serve_here(ctx, svc),
                one => one,
            };
            let Fetched::One { report, .. } = ctx
                .place
                .fetch::<StatusPageLink>(&target, &Call::StatusPageLink)?
            else {
                return Err(Error::Other("several answers from one agent".into()));
            };
            expires = report.expires_in_seconds;
            (reachable_link(&target, &report.url), "status_page")
        }
    };
    let opened = !args.print_url && open_in_browser(ctx, &url);
    if kind == "status_page" && !opened {
        ctx.msg.status(&format!(
            "this link signs you in once and expires in {} minutes",
            expires / 60
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

/// No agent runs here: serve the status page from this process on a free loopback port
/// (like `go tool pprof -http`) until INT, TERM or HUP, over the embedded service, so the
/// page shows this node as an agent's would.
fn serve_here(ctx: &Ctx, svc: Box<Service>) -> Result<ExitStatus> {
    // Caught from here on: a signal while the server starts stops it as soon as it serves.
    let stop = crate::signals::Stop::install()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("hivemind-page")
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|e| Error::io("listening on a loopback port for the status page", e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("the status page's listener address", e))?;
        let page = Standalone::new(Arc::from(svc), addr);
        let url = page.login_link()?;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        // A page for one person on loopback: the server's smallest budget is plenty.
        let connections = serve::Connections::new(64, ctx.msg.clone());
        let server = tokio::spawn(serve::serve(
            serve::Listener::Tcp(listener),
            page.router(),
            None,
            connections,
            stop_rx,
        ));
        ctx.msg.status(&format!(
            "no agent runs on {}: serving the status page from this command at http://{addr}/ui until Ctrl-C (`hivemind daemon` serves it for good)",
            ctx.place.data_dir.display()
        ));
        // Starting a browser does not wait for it; the address follows at once on stdout
        // (flushed), where a script reads it while the page is served.
        let opened = open_in_browser(ctx, &url);
        if !opened {
            ctx.msg
                .status("this link signs one browser in, once, while this command runs");
        }
        ctx.out.emit(&OpenReport {
            url,
            kind: "status_page".into(),
            opened,
        })?;
        let signal = stop.wait().await;
        ctx.msg
            .debug(&format!("{}: the status page stops", signal.name()));
        let _ = stop_tx.send(true);
        // In-flight requests finish (a refresh takes about a second here), briefly.
        let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        Ok(signal.exit_status())
    })
}

/// Where an import goes and with which token: `--url` and `--token-stdin`, else what the
/// last import into that product saved (`saved`: URL and token), else its default address
/// and no token. Returns the URL, the token given now (to be saved) and the token to use.
fn destination(
    ctx: &Ctx,
    args: &ImportDashboardsArgs,
    local: &crate::target::local::Local,
    saved: (Option<&String>, Option<&crate::model::secret::SecretRef>),
    (product, default, hint): (&str, &str, &str),
) -> Result<(
    String,
    Option<crate::model::secret::Secret>,
    Option<crate::model::secret::Secret>,
)> {
    let url = match (&args.url, saved.0) {
        (Some(u), _) => u.trim_end_matches('/').to_string(),
        (None, Some(u)) => {
            ctx.msg.status(&format!(
                "importing into {u} (the {product} used last time; --url changes it)"
            ));
            u.clone()
        }
        (None, None) => {
            ctx.msg.status(&format!(
                "no --url given: importing into {product} at {default} (its default address; pass --url, or --output-dir DIR {hint})"
            ));
            default.to_string()
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
    let token = match (&given, saved.1) {
        (Some(t), _) => Some(t.clone()),
        (None, Some(r)) => Some(local.secrets.get(r)?),
        (None, None) => None,
    };
    Ok((url, given, token))
}
