//! The CLI's side of remote operation: the agent inventory, the HTTP client, and fan-out
//! over many agents.

pub mod fanout;
pub mod http;
pub mod inventory;

pub use http::AgentClient;
pub use inventory::{AgentEntry, Inventory, InventoryStore};
