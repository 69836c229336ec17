//! The agent (`hivemind daemon`): the API and metrics listeners, background collection, and
//! graceful shutdown on SIGTERM/SIGINT.

pub mod alerting;
pub mod api_http;

pub mod memory;
pub mod metrics_http;
pub mod runtime;
pub mod serve;
pub mod status_page;
pub mod tls;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::alerting::group::Origin;
use crate::alerting::{Engine, EngineOptions};
use crate::error::{Error, ExitStatus, Result};
use crate::messages::Messages;
use crate::metrics::CollectorConfig;
use crate::net::retry::RetryPolicy;
use crate::store::daemon_files as files;
use crate::store::{BackendChoice, SecretStore};
use crate::target::local::Local;
use crate::target::service::Service;

/// How the agent runs: its flags, resolved.
#[derive(Debug, Clone)]
pub struct Options {
    /// The API listener.
    pub listen: std::net::SocketAddr,
    /// HTTPS on the API listener: a PEM certificate chain and its key.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Accept command checks and restart commands over the network API.
    pub allow_remote_exec: bool,
    /// How often metrics are collected and rules evaluated.
    pub collect_interval: Duration,
    /// Let notifications reach private and loopback addresses.
    pub allow_private_destinations: bool,
    /// Notify again after this long while an alert keeps firing.
    pub repeat_interval: Duration,
    /// Notifications that may wait per channel.
    pub notification_queue: usize,
    /// Client connections served at once across the listeners (lowered to fit the open-file
    /// limit).
    pub max_connections: usize,
    /// `--metrics-listen`, `--metrics-path`, `--compat`: over the saved metrics configuration
    /// for this run.
    pub metrics_overrides: runtime::Overrides,
    /// The per-process view grouped by process name.
    pub process_metrics: bool,
    /// Its bound: process-name groups at once.
    pub max_process_groups: usize,
    /// How the log is written to stderr.
    pub log_format: crate::model::telemetry::LogFormat,
}

/// Run the agent on `data_dir` until SIGTERM or SIGINT. `msg` is the CLI's (verbosity); the
/// agent turns it into its structured log.
pub fn run(options: Options, data_dir: &Path, msg: &Messages) -> Result<ExitStatus> {
    let args = options;
    let tls = match &args.tls {
        Some((cert, key)) => Some(tls::server_config(cert, key)?),
        None => None,
    };
    if !args.listen.ip().is_loopback() && tls.is_none() {
        return Err(Error::Usage(format!(
            "refusing to listen on {} without TLS: the API token would cross the network in clear; \
             pass --tls-cert and --tls-key, or listen on 127.0.0.1",
            args.listen
        )));
    }
    // Signals are caught from here on: one that comes while the agent starts stops it as soon
    // as it serves, cleanly, instead of killing it with its files half-published.
    let stop = crate::signals::Stop::install()?;
    let _lock = files::lock(data_dir)?;
    // Published at once, so a CLI command waits for this daemon instead of writing the state
    // behind it; removed however this function ends.
    let published = Published::starting(data_dir)?;
    let token = files::load_or_create_token(data_dir)?;
    let local = Local::open(data_dir)?;
    // Fail before binding anything if the state is unreadable.
    let state = local.state()?;
    let hostname = crate::metrics::system::hostname();
    let stderr_level = match msg.verbose() {
        0 => crate::model::Level::Info,
        1 => crate::model::Level::Debug,
        _ => crate::model::Level::Trace,
    };
    let logger = crate::telemetry::Logger::new(&hostname, stderr_level);
    logger.set_format(args.log_format);
    let msg = msg.to_log(Arc::clone(&logger) as Arc<dyn crate::messages::LogSink>);
    let tracer = crate::telemetry::trace::install(crate::telemetry::trace::Resource {
        service_name: crate::model::telemetry::DEFAULT_SERVICE.into(),
        service_version: env!("CARGO_PKG_VERSION").into(),
        node_id: hostname.clone(),
    });
    let telemetry = crate::telemetry::Telemetry::new(tracer, logger);
    // A configuration whose secrets cannot be read must not stop the agent: say so and run
    // without that pipeline.
    if let Err(e) = telemetry.apply_tracing(state.tracing.as_ref(), &local.secrets) {
        msg.warn(&format!("trace export is off: {e}"));
    }
    if let Err(e) = telemetry.apply_logging(state.logging.as_ref(), &local.secrets) {
        msg.warn(&format!("log shipping is off: {e}"));
    }
    // Read every other stored secret once, so that redaction knows them all before a check's
    // output or a peer's answer could quote one (reading a secret registers it). A secret
    // that cannot be read is reported when it is used.
    for (name, channel) in &state.channels {
        let _ = crate::alerting::notify::resolve_secrets(name, channel.clone(), &local.secrets);
    }
    if let Some(r) = &state.grafana.token {
        let _ = local.secrets.get(r);
    }
    if let Some(r) = &state.kibana.token {
        let _ = local.secrets.get(r);
    }
    // What was audited while no daemon ran (token rotation) joins this log, and ships with it
    // (log shipping is on by now).
    match files::take_audits(data_dir) {
        Ok((records, bad)) => {
            for r in records {
                msg.audit(
                    &r.who,
                    &r.action,
                    &format!("{} at {}", r.result, r.at),
                    r.ok,
                );
            }
            if bad > 0 {
                msg.warn(&format!(
                    "{bad} lines of {} were not audit records and were left out",
                    files::AUDIT_QUEUE
                ));
            }
        }
        Err(e) => msg.warn(&format!("the queued audit records cannot be read: {e}")),
    }

    memory::limit_arenas();
    // An agent needs little parallelism: two workers whatever the core count (each worker
    // costs a stack and allocator state), and blocking work (API calls, file reads) on at
    // most 64 threads, which go away after 10 s idle.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .max_blocking_threads(64)
        .thread_name("hivemind")
        .build()
        .map_err(|e| Error::io("starting the async runtime", e))?;
    let handle = runtime.handle().clone();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Error::Conflict(format!("cannot listen on {}: {e}", args.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io("API listener address", e))?;

        // The filters and views first, so that a bad saved filter stops the start here.
        let effective = args.metrics_overrides.effective(&state.metrics);
        let config = CollectorConfig {
            node_id: hostname.clone(),
            options: crate::metrics::Options::from_config(&effective, args.process_metrics)?,
            max_process_groups: args.max_process_groups,
            ..CollectorConfig::default()
        };
        let (collector, first) = tokio::task::spawn_blocking(move || runtime::prime(config))
            .await
            .map_err(|_| Error::Other("first metrics collection failed".into()))?;
        let runner = crate::health::runner::Runner::new(local.store.clone(), msg.clone());
        // One budget for every listener: descriptors are the process's, not a listener's.
        let open_files = serve::open_file_limit();
        let connections = serve::Connections::new(
            serve::total_cap(args.max_connections, open_files),
            msg.clone(),
        );
        if connections.total() < args.max_connections
            && let Some(limit) = open_files
        {
            msg.warn(&format!(
                "the open-file limit ({limit}) leaves room for {} client connections, not {}; raise it \
                 (LimitNOFILE= in a systemd unit, ulimit -n in a shell) for more",
                connections.total(),
                args.max_connections
            ));
        }
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{addr}");
        let shared = runtime::Shared::new(
            handle.clone(),
            msg.clone(),
            first,
            Arc::clone(&runner),
            Arc::clone(&telemetry),
            url.clone(),
            Arc::clone(&connections),
            runtime::Schedule {
                interval: args.collect_interval,
                overrides: args.metrics_overrides.clone(),
                process_metrics: args.process_metrics,
            },
        );
        shared.apply(&state.metrics, None)?;

        let engine = Arc::new(Engine::new(
            local.store.clone(),
            SecretStore::new(data_dir, BackendChoice::from_env()?),
            data_dir.to_path_buf(),
            handle,
            EngineOptions {
                allow_private: args.allow_private_destinations,
                repeat_interval: args.repeat_interval,
                queue_size: args.notification_queue,
                retry: RetryPolicy::default(),
                origin: Origin {
                    node: hostname.clone(),
                    external_url: url.clone(),
                },
            },
            msg.clone(),
        )?);
        let weak = Arc::downgrade(&engine);
        shared.add_families(move || weak.upgrade().map(|e| e.families()).unwrap_or_default());
        let capture_cancel = crate::profile::Cancel::new();
        engine.set_capture(capture_worker(
            data_dir,
            capture_cancel.clone(),
            msg.clone(),
        )?);
        // Health checks and auto-healing, and the trace and log pipelines.
        let checks = Arc::downgrade(&runner);
        shared.add_families(move || checks.upgrade().map(|r| r.families()).unwrap_or_default());
        let pipelines = Arc::downgrade(&telemetry);
        shared.add_families(move || pipelines.upgrade().map(|t| t.families()).unwrap_or_default());

        let (stop_tx, stop_rx) = watch::channel(false);
        let exporter = tokio::spawn(crate::telemetry::otlp::run(
            Arc::clone(&telemetry.tracer),
            Arc::clone(&telemetry.trace_destination),
            msg.clone(),
            stop_rx.clone(),
        ));
        let shipper = tokio::spawn(crate::telemetry::elastic::run(
            Arc::clone(&telemetry.logger.shipper),
            msg.clone(),
            stop_rx.clone(),
        ));
        let log_stats = Arc::new(crate::logs::Stats::default());
        let workload_logs = tokio::spawn(crate::logs::run(
            telemetry.workload.subscribe(),
            data_dir.to_path_buf(),
            hostname.clone(),
            Arc::clone(&log_stats),
            msg.clone(),
            stop_rx.clone(),
        ));
        shared.add_families(move || log_stats.families());
        // One watch of the state file tells the collector and the check supervisor about
        // changes, so that neither wakes an idle agent to look for them.
        let watch = {
            let shared = Arc::downgrade(&shared);
            let runner = Arc::downgrade(&runner);
            let file = local.store.state_path();
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            crate::store::watch::StateWatch::start(local.store.dir(), &name, move || {
                if let Some(s) = shared.upgrade() {
                    s.state_changed();
                }
                if let Some(r) = runner.upgrade() {
                    r.changed();
                }
            })
            .unwrap_or_else(|e| {
                msg.warn(&format!(
                    "{e}: looking for changes to the state file every 10 s instead"
                ));
                crate::store::watch::StateWatch::default()
            })
        };
        let supervisor = tokio::spawn(Arc::clone(&runner).supervise(stop_rx.clone(), watch.clone()));
        let collector_thread = runtime::spawn_collector(
            Arc::clone(&shared),
            collector,
            runtime::history_need(local.store.clone()),
            watch,
        )
        .map_err(|e| Error::io("starting the collector thread", e))?;
        let evaluator = alerting::spawn(Arc::clone(&shared), Arc::clone(&engine), stop_rx.clone());

        let svc = Arc::new(Service {
            local,
            data_dir: data_dir.to_path_buf(),
            msg: msg.clone(),
            runtime: Box::new(runtime::DaemonRuntime {
                shared: Arc::clone(&shared),
                alerting: Arc::clone(&engine),
            }),
        });
        let api = api_http::router(Arc::new(api_http::ApiState::new(
            svc,
            token,
            msg.clone(),
            args.allow_remote_exec,
            Arc::clone(&shared),
        )));
        // The lock is ours, so a socket file left here is a dead daemon's.
        let socket_path = data_dir.join(files::SOCKET);
        let _ = std::fs::remove_file(&socket_path);
        let unix = tokio::net::UnixListener::bind(&socket_path)
            .map_err(|e| Error::io(format!("binding {}", socket_path.display()), e))?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&socket_path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| Error::io(format!("securing {}", socket_path.display()), e))?;
        }
        let local_server = tokio::spawn(serve::serve(
            serve::Listener::Unix(unix, socket_path.clone()),
            api.clone(),
            None,
            Arc::clone(&connections),
            stop_rx.clone(),
        ));
        published.update(files::DaemonStatus::Ready, &url, args.tls.as_ref(), &socket_path)?;
        // Start-up is over: the code only it ran need not stay resident.
        memory::release_startup_code();
        msg.status(&format!(
            "hivemind {} agent listening on {url} (data directory {})",
            env!("CARGO_PKG_VERSION"),
            data_dir.display()
        ));
        if args.allow_private_destinations {
            msg.warn("alert notifications may go to private and loopback addresses (--allow-private-destinations)");
        }
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        let server = tokio::spawn(serve::serve(
            serve::Listener::Tcp(listener),
            api,
            acceptor,
            connections,
            stop_rx,
        ));

        let signal = stop.wait().await;
        msg.status(&format!("{} received: shutting down", signal.name()));
        // CLI commands from now on wait for the directory instead of meeting a closing socket.
        if let Err(e) = published.update(
            files::DaemonStatus::Stopping,
            &url,
            args.tls.as_ref(),
            &socket_path,
        ) {
            msg.warn(&format!("publishing the shutdown: {e}"));
        }
        let _ = stop_tx.send(true);
        capture_cancel.cancel();
        shared.stop_metrics();
        shared.stop_collecting();
        let _ = tokio::time::timeout(Duration::from_secs(15), async {
            let _ = server.await;
            let _ = local_server.await;
            let _ = supervisor.await;
            let _ = exporter.await;
            let _ = shipper.await;
            let _ = workload_logs.await;
        })
        .await;
        let _ = evaluator.await;
        // Queued notifications get a moment to go out; retries still waiting are abandoned.
        engine.shutdown(Duration::from_secs(5)).await;
        let _ = tokio::task::spawn_blocking(move || collector_thread.join()).await;
        msg.status("stopped");
        Ok(ExitStatus::Success)
    })
}

/// The daemon's `daemon.json` while it runs: `starting`, then `ready` with its addresses, then
/// `stopping`; removed when dropped, on every way out of [`run`].
struct Published<'a> {
    dir: &'a Path,
}

impl<'a> Published<'a> {
    fn starting(dir: &'a Path) -> Result<Self> {
        files::write_info(
            dir,
            &files::DaemonInfo {
                pid: std::process::id(),
                status: files::DaemonStatus::Starting,
                url: String::new(),
                ca_cert: None,
                socket: None,
            },
        )?;
        Ok(Published { dir })
    }

    fn update(
        &self,
        status: files::DaemonStatus,
        url: &str,
        tls: Option<&(PathBuf, PathBuf)>,
        socket: &Path,
    ) -> Result<()> {
        files::write_info(
            self.dir,
            &files::DaemonInfo {
                pid: std::process::id(),
                status,
                url: url.to_string(),
                ca_cert: tls.map(|(cert, _)| cert.clone()),
                socket: Some(socket.to_path_buf()),
            },
        )
    }
}

impl Drop for Published<'_> {
    fn drop(&mut self) {
        files::remove_info(self.dir);
    }
}

/// Profiles of firing alerts (`--capture-profile`), taken one at a time on a thread of their
/// own; a burst of alerts beyond the queue is logged and skipped.
fn capture_worker(
    data_dir: &std::path::Path,
    cancel: crate::profile::Cancel,
    msg: Messages,
) -> Result<crate::alerting::engine::CaptureHook> {
    use crate::profile::captures::{CaptureJob, Captures, capture};
    const QUEUE: usize = 8;
    let captures = Captures::new(data_dir);
    let (tx, rx) = std::sync::mpsc::sync_channel::<CaptureJob>(QUEUE);
    let log = msg.clone();
    std::thread::Builder::new()
        .name("hm-capture".into())
        .spawn(move || {
            for job in rx {
                if cancel.is_cancelled() {
                    break;
                }
                match capture(&captures, &job, std::path::Path::new("/proc"), &cancel) {
                    Ok(m) => match &m.error {
                        None => log.status(&format!(
                            "alert {} {}: captured {} profile {} of {}",
                            job.rule,
                            job.alert,
                            m.kind.as_str(),
                            m.id,
                            m.target
                        )),
                        Some(e) => log.warn(&format!(
                            "alert {} {}: no {} profile captured: {e}",
                            job.rule,
                            job.alert,
                            m.kind.as_str()
                        )),
                    },
                    Err(e) => log.warn(&format!(
                        "alert {} {}: keeping the captured profile: {e}",
                        job.rule, job.alert
                    )),
                }
            }
        })
        .map_err(|e| Error::io("starting the profile capture thread", e))?;
    Ok(Box::new(move |rule, alert, spec| {
        let job = CaptureJob {
            rule: rule.to_string(),
            alert: alert.id.clone(),
            labels: alert.labels.clone(),
            spec,
        };
        if tx.try_send(job).is_err() {
            msg.warn(&format!(
                "alert {rule} {}: {QUEUE} profile captures are already waiting; this one is skipped",
                alert.id
            ));
        }
    }))
}
