//! Reading secret values from a flag, stdin or a file, with the warnings operators need.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::messages::Messages;
use crate::model::Secret;

/// The three ways to give one secret. At most one is set (clap groups enforce it).
pub struct SecretSource<'a> {
    /// The flag's name without dashes, e.g. `smtp-password`.
    pub flag: &'static str,
    pub value: Option<&'a str>,
    pub stdin: bool,
    pub file: Option<&'a Path>,
}

const MAX_SECRET: u64 = 64 * 1024;

impl SecretSource<'_> {
    pub fn is_given(&self) -> bool {
        self.value.is_some() || self.stdin || self.file.is_some()
    }

    /// Read the secret, or `None` when none of the three was given. `check` validates the
    /// value (its message says what is allowed; the value itself is never echoed).
    pub fn read(
        &self,
        msg: &Messages,
        check: impl Fn(&str) -> std::result::Result<(), String>,
    ) -> Result<Option<Secret>> {
        let flag = self.flag;
        let raw = if let Some(v) = self.value {
            v.to_string()
        } else if self.stdin {
            let mut text = String::new();
            std::io::stdin()
                .take(MAX_SECRET + 1)
                .read_to_string(&mut text)
                .map_err(|e| Error::io(format!("--{flag}-stdin: reading stdin"), e))?;
            if text.len() as u64 > MAX_SECRET {
                return Err(Error::invalid(
                    format!("--{flag}-stdin"),
                    "<stdin>",
                    "at most 64 KiB",
                ));
            }
            text
        } else if let Some(path) = self.file {
            read_secret_file(flag, path, msg)?
        } else {
            return Ok(None);
        };
        let value = raw
            .strip_suffix('\n')
            .map(|v| v.strip_suffix('\r').unwrap_or(v))
            .unwrap_or(&raw);
        if value.is_empty() {
            return Err(Error::Invalid {
                field: format!("--{flag}"),
                value: "<empty>".into(),
                allowed: "a non-empty secret".into(),
            });
        }
        if value.chars().any(char::is_control) {
            // The value itself is never echoed.
            return Err(Error::Invalid {
                field: format!("--{flag}"),
                value: crate::model::secret::REDACTED.into(),
                allowed: "a single line without control characters".into(),
            });
        }
        check(value).map_err(|allowed| Error::Invalid {
            field: format!("--{flag}"),
            value: crate::model::secret::REDACTED.into(),
            allowed,
        })?;
        if self.value.is_some() {
            msg.warn(&format!(
                "--{flag} on the command line is visible in `ps` and shell history; \
                 prefer --{flag}-stdin or --{flag}-file"
            ));
        }
        Ok(Some(Secret::new(value)))
    }
}

fn read_secret_file(flag: &str, path: &Path, msg: &Messages) -> Result<String> {
    use std::os::unix::fs::PermissionsExt;
    let field = format!("--{flag}-file");
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::io(format!("{field}: {}", path.display()), e))?;
    if !meta.is_file() {
        return Err(Error::invalid(
            field,
            &path.display().to_string(),
            "a regular file",
        ));
    }
    if meta.len() > MAX_SECRET {
        return Err(Error::invalid(
            field,
            &path.display().to_string(),
            "a file of at most 64 KiB",
        ));
    }
    if meta.permissions().mode() & 0o044 != 0 {
        msg.warn(&format!(
            "{} is readable by other users; chmod 600 it",
            path.display()
        ));
    }
    std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("{field}: reading {}", path.display()), e))
}
