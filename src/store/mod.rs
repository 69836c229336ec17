//! Persistence: the state file, secrets, and the file primitives they share.

pub mod fs;
pub mod secrets;
pub mod state;

pub use secrets::{BackendChoice, SecretStore};
pub use state::{State, StateStore};
