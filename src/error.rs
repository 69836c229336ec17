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
    /// Interrupted by Ctrl-C.
    Interrupted = 130,
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
    #[error("{context}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
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

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Prefix the message with where it happened (e.g. `--file rules.yaml: `).
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
            Error::Io { context, source } => Error::Io {
                context: format!("{prefix}: {context}"),
                source,
            },
            Error::Interrupted(m) => Error::Interrupted(format!("{prefix}: {m}")),
            other => Error::Other(format!("{prefix}: {other}")),
        }
    }

    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Error::Interrupted(_) => ExitStatus::Interrupted,
            _ => ExitStatus::Failure,
        }
    }

    /// The error's code on the agent API (`{"error": {"code": …, "message": …}}`).
    pub fn api_code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } | Error::Usage(_) | Error::Parse { .. } => "invalid",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Remote(_)
            | Error::Io { .. }
            | Error::Secret(_)
            | Error::Other(_)
            | Error::Interrupted(_) => "internal",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Quote a user-supplied value for an error message: escape control characters and cut it
/// to a readable length.
pub fn quote(value: &str) -> String {
    const MAX: usize = 64;
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
