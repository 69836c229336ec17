//! The agent inventory (`agents.toml` in the data directory): names, URLs, CA certificates,
//! token references, and the default agent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::input::{self, Input};
use crate::model::{SecretRef, validate};
use crate::store::fs::{LockGuard, read_input, write_atomic};

/// One agent the CLI can talk to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentEntry {
    pub url: String,
    /// A PEM file with the CA that signed the agent's certificate (self-signed agents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// Where the bearer token is kept; `HIVEMIND_TOKEN` overrides it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<SecretRef>,
    /// Where Prometheus scrapes the agent's metrics (`host:port`), when known (`agent
    /// import --prometheus` records it; `agent export --format file-sd` asks the agent
    /// otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_address: Option<String>,
    /// The path of that endpoint, when not `/metrics`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_path: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default)]
    pub agents: BTreeMap<String, AgentEntry>,
}

impl Inventory {
    /// The error for a name the inventory does not hold, naming the ones it does.
    pub fn unknown(&self, name: &str) -> Error {
        let known: Vec<&str> = self.agents.keys().map(String::as_str).collect();
        let hint = if known.is_empty() {
            "the inventory is empty".to_string()
        } else {
            format!("known: {}", known.join(", "))
        };
        Error::NotFound(format!("no agent named '{name}' ({hint})"))
    }
}

/// The inventory file and its lock.
pub struct InventoryStore {
    dir: PathBuf,
}

impl InventoryStore {
    pub fn new(dir: &Path) -> Self {
        InventoryStore {
            dir: dir.to_path_buf(),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join("agents.toml")
    }

    pub fn load(&self) -> Result<Inventory> {
        let path = self.path();
        let Some(text) = read_input(&path, Input::INVENTORY)? else {
            return Ok(Inventory::default());
        };
        let inv: Inventory = text
            .and_then(|text| input::toml(&text, Input::INVENTORY))
            .map_err(|e| Error::Parse {
                kind: "agent inventory",
                path: path.clone(),
                detail: e.to_string(),
            })?;
        for (name, entry) in &inv.agents {
            validate::object_name(name).map_err(|a| Error::Parse {
                kind: "agent inventory",
                path: path.clone(),
                detail: format!("agents.{name}: expected {a}"),
            })?;
            validate::http_url(&entry.url).map_err(|a| Error::Parse {
                kind: "agent inventory",
                path: path.clone(),
                detail: format!("agents.{name}.url: expected {a}"),
            })?;
        }
        if let Some(d) = &inv.default
            && !inv.agents.contains_key(d)
        {
            return Err(Error::Parse {
                kind: "agent inventory",
                path,
                detail: format!("default agent '{d}' is not in [agents]"),
            });
        }
        Ok(inv)
    }

    /// Read-modify-write under a lock.
    pub fn update<T>(&self, change: impl FnOnce(&mut Inventory) -> Result<T>) -> Result<T> {
        let _guard = LockGuard::acquire(&self.dir.join("agents.lock"))?;
        let mut inv = self.load()?;
        let out = change(&mut inv)?;
        let text = toml::to_string_pretty(&inv)
            .map_err(|e| Error::caused("serialising agent inventory", e))?;
        write_atomic(&self.path(), text.as_bytes())?;
        Ok(out)
    }
}
