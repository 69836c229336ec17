//! The error type at the library boundary and the documented exit codes.

use std::fmt;
use std::path::PathBuf;

/// Documented process exit codes (README "Exit codes", man page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything worked and the answer is positive.
    Success = 0,
    /// The command worked but the answer is negative (e.g. something is unhealthy).
    Negative = 1,
    /// Usage error, invalid input, or an operational error.
    Failure = 2,
    /// Some agents failed while others answered.
    Partial = 4,
    /// Interrupted by Ctrl-C (SIGINT).
    Interrupted = 130,
    /// Stopped by SIGTERM (what `timeout`, `kill` and CI runners send).
    Terminated = 143,
    /// Stopped by SIGHUP (the terminal closed).
    HungUp = 129,
}

/// A signal that stops a long command (see `crate::signals`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    Interrupt,
    Terminate,
    HangUp,
}

impl StopSignal {
    pub fn name(self) -> &'static str {
        match self {
            StopSignal::Interrupt => "SIGINT",
            StopSignal::Terminate => "SIGTERM",
            StopSignal::HangUp => "SIGHUP",
        }
    }

    /// 128 + the signal's number, as shells report a command the signal killed.
    pub fn exit_status(self) -> ExitStatus {
        match self {
            StopSignal::Interrupt => ExitStatus::Interrupted,
            StopSignal::Terminate => ExitStatus::Terminated,
            StopSignal::HangUp => ExitStatus::HungUp,
        }
    }
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The worse of two statuses (the higher code).
    pub fn worse(self, other: ExitStatus) -> ExitStatus {
        if other.code() > self.code() {
            other
        } else {
            self
        }
    }
}

/// Every error the library reports. Messages are written for operators: they name the
/// flag, file or field involved and, where possible, what is allowed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value given by the user is not acceptable.
    #[error("invalid value {value} for {field}: {allowed}")]
    Invalid {
        field: String,
        value: String,
        allowed: String,
    },
    /// A request that cannot be carried out as asked.
    #[error("{0}")]
    Usage(String),
    /// A named object does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A named object exists already, or the change clashes with the current state.
    #[error("{0}")]
    Conflict(String),
    /// An agent answered with an error, or could not be reached.
    #[error("{0}")]
    Remote(String),
    /// A file could not be parsed.
    #[error("reading {kind} {path}: {detail}")]
    Parse {
        kind: &'static str,
        path: PathBuf,
        detail: String,
    },
    /// An I/O operation failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// One of our errors, with where it happened in front (`agent web1: …`). The cause keeps
    /// its kind: a wrapped not-found is still not found on the API and in the exit code.
    #[error("{context}: {source}")]
    Context {
        context: String,
        #[source]
        source: Box<Error>,
    },
    /// Another library's error, kept as the cause (encoders, TLS, clients being built).
    #[error("{context}: {}", fold(.source.as_ref()))]
    Caused {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A secret backend failed.
    #[error("secret store: {0}")]
    Secret(String),
    /// Anything else operational.
    #[error("{0}")]
    Other(String),
    /// Stopped by Ctrl-C (or a cancelled request) before it finished.
    #[error("interrupted: {0}")]
    Interrupted(String),
    /// A long command stopped by a signal, having cleaned up (`detail` says what was not
    /// written).
    #[error("stopped by {}: {detail}", .signal.name())]
    Stopped { signal: StopSignal, detail: String },
}

impl Error {
    /// An invalid value for `field`. The value is quoted and shortened so that hostile input
    /// (control characters, megabytes of text) never reaches the terminal raw.
    pub fn invalid(field: impl Into<String>, value: &str, allowed: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            value: quote(value),
            allowed: allowed.into(),
        }
    }

    /// `context` failed because of `source`, another library's error.
    pub fn caused(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Caused {
            context: context.into(),
            source: Box::new(source),
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Say where it happened (e.g. `--file rules.yaml`): the error becomes the cause of one
    /// that names the place. An invalid value keeps its own shape with the place in front of
    /// the field (`invalid value 'x' for rules.yaml: severity: …`).
    pub fn context(self, prefix: impl fmt::Display) -> Self {
        match self {
            Error::Invalid {
                field,
                value,
                allowed,
            } => Error::Invalid {
                field: format!("{prefix}: {field}"),
                value,
                allowed,
            },
            other => Error::Context {
                context: prefix.to_string(),
                source: Box::new(other),
            },
        }
    }

    /// The error without the place it was wrapped in: what decides its kind.
    fn root(&self) -> &Error {
        match self {
            Error::Context { source, .. } => source.root(),
            other => other,
        }
    }

    /// Each step of the chain on its own, outermost first: what `-v` prints after the one
    /// line (`caused by: …`).
    pub fn chain(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = next {
            out.push(match ours(e) {
                Some(Error::Io { context, .. })
                | Some(Error::Context { context, .. })
                | Some(Error::Caused { context, .. }) => context.clone(),
                _ => e.to_string(),
            });
            next = e.source();
            // Our Display already folds the causes of a foreign error into one step.
            if matches!(ours(e), Some(Error::Caused { .. })) {
                if let Some(foreign) = next {
                    out.push(fold(foreign));
                }
                break;
            }
        }
        out
    }

    pub fn exit_status(&self) -> ExitStatus {
        match self.root() {
            Error::Interrupted(_) => ExitStatus::Interrupted,
            Error::Stopped { signal, .. } => signal.exit_status(),
            _ => ExitStatus::Failure,
        }
    }

    /// The error's code on the agent API (`{"error": {"code": …, "message": …}}`).
    pub fn api_code(&self) -> &'static str {
        match self.root() {
            Error::Invalid { .. } | Error::Usage(_) | Error::Parse { .. } => "invalid",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Remote(_)
            | Error::Io { .. }
            | Error::Context { .. }
            | Error::Caused { .. }
            | Error::Secret(_)
            | Error::Other(_)
            | Error::Interrupted(_)
            | Error::Stopped { .. } => "internal",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `e` as one of ours, if it is (a boxed cause is seen as the box).
fn ours<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a Error> {
    e.downcast_ref::<Error>()
        .or_else(|| e.downcast_ref::<Box<Error>>().map(|b| &**b))
}

/// A foreign error and its causes on one line. Libraries often repeat their cause's text in
/// their own (`tcp connect error: Connection refused` over `Connection refused`), so a cause
/// already said is not said again.
pub fn fold(err: &(dyn std::error::Error + 'static)) -> String {
    let mut line = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        next = cause.source();
    }
    line
}

/// Quote a user-supplied value for an error message: redact it (a URL's credentials, a known
/// secret), then escape control characters and cut it to a readable length. Redacted before
/// it is cut, so that a secret across the cut is not left half-visible.
pub fn quote(value: &str) -> String {
    const MAX: usize = 64;
    let value = crate::redact::redact(value);
    let mut out = String::from("'");
    for (i, c) in value.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keeps_the_kind_and_folds_into_one_line() {
        let e = Error::NotFound("no alert rule named 'x'".into()).context("agent web1");
        assert_eq!(e.to_string(), "agent web1: no alert rule named 'x'");
        assert_eq!(e.api_code(), "not_found");
        let e = Error::Interrupted("nothing written".into()).context("profile");
        assert_eq!(e.exit_status(), ExitStatus::Interrupted);
        let e = Error::invalid("severity", "loud", "info, warning or critical").context("rule 2");
        assert_eq!(
            e.to_string(),
            "invalid value 'loud' for rule 2: severity: info, warning or critical"
        );
    }

    #[test]
    fn causes_are_typed_and_the_chain_is_listed_once_each() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = Error::io("reading /x/state.toml", io).context("loading the state");
        assert_eq!(
            e.to_string(),
            "loading the state: reading /x/state.toml: No such file"
        );
        assert!(!e.to_string().contains('\n'));
        assert_eq!(
            e.chain(),
            ["loading the state", "reading /x/state.toml", "No such file"]
        );
        let json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let e = Error::caused("encoding metrics", json);
        assert!(e.to_string().starts_with("encoding metrics: EOF"), "{e}");
        assert_eq!(e.chain().len(), 2);
    }

    /// A library error that repeats its cause's text in its own.
    #[derive(Debug)]
    struct Wrapper(std::io::Error);
    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "tcp connect error: {}", self.0)
        }
    }
    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn quoted_values_are_redacted_before_they_are_cut() {
        let long = format!("https://{}:pw@example.com/", "u".repeat(70));
        assert_eq!(quote(&long), "'https://<secret>@example.com/'");
        assert_eq!(quote("a\nb"), "'a\\nb'");
    }

    #[test]
    fn a_repeated_cause_is_said_once() {
        let inner = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = Error::caused("connecting", Wrapper(inner));
        assert_eq!(e.to_string(), "connecting: tcp connect error: refused");
    }
}
