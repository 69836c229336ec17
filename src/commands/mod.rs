//! One module per command group: resolve arguments into typed settings, call the core, and
//! hand a report to the renderer.

pub mod health;
pub mod observability;
pub mod secret_input;

use std::path::PathBuf;

use crate::core::Local;
use crate::error::{Error, Result};
use crate::render::Ui;
use crate::store::{BackendChoice, SecretStore, StateStore};

/// What every command gets: where state lives and how to print.
pub struct Ctx {
    pub ui: Ui,
    pub data_dir: PathBuf,
}

impl Ctx {
    /// The local core over the data directory.
    pub fn local(&self) -> Result<Local> {
        Ok(Local::new(
            StateStore::new(&self.data_dir),
            SecretStore::new(&self.data_dir, BackendChoice::from_env()?),
        ))
    }
}

/// `--data-dir`, else `$XDG_DATA_HOME/hivemind` (`~/.local/share/hivemind`).
pub fn resolve_data_dir(given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(dir) = given {
        if dir.as_os_str().is_empty() {
            return Err(Error::invalid("--data-dir", "", "a directory path"));
        }
        return Ok(dir);
    }
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy().map_err(|e| {
        Error::Other(format!(
            "cannot find a home directory ({e}); pass --data-dir or set HIVEMIND_DATA_DIR"
        ))
    })?;
    Ok(base.data_dir().join("hivemind"))
}
