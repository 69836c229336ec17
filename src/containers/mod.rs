//! Container identity, shared by metrics, logs, traffic and profiling: which cgroups are
//! containers (Docker, containerd, CRI-O, Podman, systemd naming) and what the runtimes call
//! them. [`cgroup`] discovers and reads the cgroup tree (v1 and v2); [`names`] reads the
//! runtimes' on-disk state for human names.

pub mod cgroup;
pub mod names;

pub use cgroup::{ContainerId, Runtime};
