//! `hivemind profile cpu|memory|network`: flags only; `commands::profile` does the work.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};

use super::parse;
use crate::model::PromDuration;

const PROFILE_HELP: &str = "\
Profiles are gzipped pprof profile.proto files: open them with `go tool pprof FILE`
(`-http=:8080` for the web UI). A summary of the top entries goes to stdout unless the
profile itself does (--output -). Without --force an existing --output is never replaced;
Ctrl-C stops the profile, writes nothing and exits 130.

Needs: root (or CAP_PERFMON and ptrace access) to sample other users' processes; reading a
container's sockets in its own network namespace needs root.";

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Sample CPU call stacks of processes, a container or the agent
    ///
    /// perf_event_open cpu-clock samples on every thread (kernel call chains, user and
    /// kernel frames), symbolised from the target's binaries and libraries, and JIT code
    /// (Node, Python 3.12+, the JVM) from the perf map its runtime publishes
    /// (`node --perf-basic-prof`, `python3 -X perf`). `--daemon`
    /// profiles the agent in-process. When perf events are not permitted the command says
    /// why; `--coarse` then gives per-thread CPU times from /proc instead.
    #[command(after_long_help = PROFILE_HELP)]
    #[command(group(ArgGroup::new("target").required(true).args(["pids", "container", "daemon"])))]
    Cpu(CpuArgs),
    /// Resident memory by mapping, or a Go service's heap profile
    ///
    /// RSS, PSS, anonymous and swap bytes of every mapping (heap, stack, each file) of
    /// each process, from /proc/PID/smaps. With --url, the heap profile of a Go service
    /// (…/debug/pprof/heap) is fetched and saved instead.
    #[command(after_long_help = PROFILE_HELP)]
    #[command(group(ArgGroup::new("target").required(true).args(["pids", "container", "daemon", "url"])))]
    Memory(MemoryArgs),
    /// Bytes and segments per TCP connection of the target over a window
    ///
    /// TCP connections of the target (including ones opened and closed during the window,
    /// counted to their end from the kernel's socket-destroy events) from sock_diag
    /// tcp_info counters, as process → local address → remote endpoint. The total is the
    /// target's own traffic; interface counters are not included.
    #[command(after_long_help = PROFILE_HELP)]
    #[command(group(ArgGroup::new("target").required(true).args(["pids", "container", "daemon"])))]
    Network(NetworkArgs),
    /// Profiles the agent captured when alerts fired
    ///
    /// A rule created with `--capture-profile cpu:30s` (or the annotation
    /// hivemind_capture_profile) makes the agent profile the firing alert's container,
    /// process group or process; the last 5 per rule are kept. Failed captures are listed
    /// with the reason.
    List(ListArgs),
    /// Save a profile the agent captured when an alert fired (an ID from `profile list`)
    Get(GetArgs),
    /// Merge profile files into one whose samples carry node=NAME (each file's name)
    ///
    /// The files must be of one kind (the same sample types), e.g. the per-agent files of
    /// `--all-agents` or `--keep-parts`. A file's name without `.prof`/`.pb.gz` is its node
    /// label, so `web-3.prof` becomes node=web-3.
    Merge(MergeArgs),
}

/// `profile list`.
#[derive(Debug, Args)]
pub struct ListArgs {}

/// `profile get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The capture's id (`hivemind profile list`)
    #[arg(value_parser = parse::capture_id, value_name = "ID")]
    pub id: String,

    /// Write the profile here ('-' for stdout) [default: ID.prof]
    #[arg(long = "output", id = super::OUTPUT_FILE, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Format of the summary on stdout (`--output` names the profile's file here)
    #[arg(short = 'o', id = super::OUTPUT_FORMAT, value_enum, value_name = "FORMAT")]
    pub summary: Option<crate::render::Format>,

    /// Replace --output if it exists
    #[arg(long)]
    pub force: bool,
}

/// `profile merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Profiles to merge (2 to 4096 files)
    #[arg(required = true, num_args = 1.., value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write the merged profile here ('-' for stdout) [default: merged.prof]
    #[arg(long = "output", id = super::OUTPUT_FILE, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Format of the summary on stdout (`--output` names the profile's file here)
    #[arg(short = 'o', id = super::OUTPUT_FORMAT, value_enum, value_name = "FORMAT")]
    pub summary: Option<crate::render::Format>,

    /// Replace --output if it exists
    #[arg(long)]
    pub force: bool,

    /// Write the difference against this earlier profile of the same kind (`go tool pprof
    /// -diff_base`): what grew is positive, what shrank negative
    #[arg(long, value_name = "FILE")]
    pub diff_base: Option<PathBuf>,
}

/// Whose profile.
#[derive(Debug, Args)]
#[group(skip)]
pub struct TargetArgs {
    /// Profile this process, every thread of it (repeatable or comma-separated)
    #[arg(long = "pid", value_name = "PID", value_delimiter = ',', value_parser = parse::pid,
          conflicts_with_all = ["container", "daemon"])]
    pub pids: Vec<u32>,

    /// Profile every process of this container: id, id prefix, name or systemd unit
    #[arg(long, value_name = "ID", value_parser = parse::container, conflicts_with = "daemon")]
    pub container: Option<String>,

    /// Profile the agent itself (with --agent, or the daemon running on this data directory)
    #[arg(long)]
    pub daemon: bool,
}

/// Where the profile goes.
#[derive(Debug, Args)]
#[group(skip)]
pub struct FileArgs {
    /// Write the profile here ('-' for stdout) [default: KIND.prof, or KIND.svg for flamegraph]
    #[arg(long = "output", id = super::OUTPUT_FILE, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Format of the summary on stdout (`--output` names the profile's file here)
    #[arg(short = 'o', id = super::OUTPUT_FORMAT, value_enum, value_name = "FORMAT")]
    pub summary: Option<crate::render::Format>,

    /// pprof: gzipped profile.proto for `go tool pprof`; flamegraph: an SVG flame graph
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub format: ProfileFormat,

    /// Replace --output (and --keep-parts files) if they exist
    #[arg(long)]
    pub force: bool,

    /// One profile for all the agents: every sample labelled node=AGENT (`go tool pprof
    /// -tagfocus node=web-3`), instead of one file per agent
    #[arg(long)]
    pub merge: bool,

    /// With --merge: also write each agent's own profile into DIR, as AGENT.prof
    #[arg(long, value_name = "DIR", requires = "merge")]
    pub keep_parts: Option<PathBuf>,

    /// Write the difference against this earlier profile of the same kind, as `go tool
    /// pprof -diff_base` reads it: what grew is positive, what shrank negative
    #[arg(long, value_name = "FILE")]
    pub diff_base: Option<PathBuf>,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ProfileFormat {
    /// Gzipped pprof profile.proto (`go tool pprof`).
    #[default]
    Pprof,
    /// An SVG flame graph of the default sample type.
    Flamegraph,
}

#[derive(Debug, Args)]
pub struct CpuArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// How long to sample (1s to 10m)
    #[arg(long, value_parser = parse::profile_duration, default_value = "30s", value_name = "DURATION")]
    pub duration: PromDuration,

    /// Samples per second per thread (1 to 1000)
    #[arg(long, value_parser = parse::frequency, default_value_t = 99, value_name = "HZ")]
    pub frequency: u32,

    /// Per-thread CPU times from /proc instead of call stacks (no perf events needed)
    #[arg(long)]
    pub coarse: bool,

    #[command(flatten)]
    pub file: FileArgs,
}

#[derive(Debug, Args)]
pub struct MemoryArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// Fetch a Go service's heap profile from this URL (http://HOST:PORT/debug/pprof/heap)
    #[arg(long, value_name = "URL", value_parser = parse::http_url)]
    pub url: Option<String>,

    #[command(flatten)]
    pub file: FileArgs,
}

#[derive(Debug, Args)]
pub struct NetworkArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// How long to watch (1s to 10m)
    #[arg(long, value_parser = parse::profile_duration, default_value = "30s", value_name = "DURATION")]
    pub duration: PromDuration,

    #[command(flatten)]
    pub file: FileArgs,
}
