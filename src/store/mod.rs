//! Persistence: the state file, secrets, the daemon's files (lock, address, token), and the
//! file primitives they share.

pub mod daemon_files;
pub mod fs;
pub mod secrets;
pub mod state;
pub mod watch;

pub use secrets::{BackendChoice, SecretStore};
pub use state::{State, StateStore};
