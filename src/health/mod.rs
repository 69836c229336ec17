//! Health: node resources now; check kinds, the runner and auto-healing build on this.

pub mod autoheal;
pub mod node;
pub mod probe;
pub mod runner;

use serde::{Deserialize, Serialize};

/// The three health states of the seed document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Healthy,
    Unknown,
    Unhealthy,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Healthy => "healthy",
            Status::Unknown => "unknown",
            Status::Unhealthy => "unhealthy",
        }
    }
}
