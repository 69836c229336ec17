//! Traffic between containers, from the kernel's per-socket `tcp_info`: [`sockdiag`] dumps
//! a network namespace's TCP sockets and follows the ones it destroys, [`owners`] maps
//! socket inodes to processes, [`snmp`] reads a namespace's TCP error counters, and
//! [`flows`] turns all of it into per source/destination totals that stay monotonic when
//! sockets close. `metrics` exposes them; `profile network` uses [`sockdiag`] for one
//! process's connections.

pub mod flows;
pub mod owners;
pub mod snmp;
pub mod sockdiag;

pub use flows::{EXTERNAL, HOST, MAX_PAIRS, PairKey, PairTotals, Report, Tracker, Workload};
