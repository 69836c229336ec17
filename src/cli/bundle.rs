//! `hivemind bundle`: flags only; `commands::bundle` does the work.

use std::path::PathBuf;

use clap::Args;

use super::parse;
use crate::model::PromDuration;

const BUNDLE_HELP: &str = "\
The archive holds, per agent (or for this machine with no agent): info.json (versions),
config.yaml (secrets as <secret>), health.json, checks.json, alerts.json (firing and
pending), metrics.json (every series of the last collection), connections.json (the TCP
connection table's series), logs.json (the agent's log since --since), agent-cpu.prof (a
CPU profile of the agent) and busiest-container-cpu.prof (of the container using the most
CPU, when there are containers); at the top, index.json and README.txt. Everything is text
redacted of the secrets this CLI knows besides the agents' own redaction. Nothing is
uploaded. Exit 4 when some agents could not be reached (they are listed in index.json
with their error), 1 when none could.";

#[derive(Debug, Args)]
#[command(after_long_help = BUNDLE_HELP)]
pub struct BundleArgs {
    /// Write the archive (a gzipped tar) here [default: hivemind-bundle-TIME.tar.gz]
    #[arg(long = "output", id = super::OUTPUT_FILE, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Format of the summary on stdout (`--output` names the archive here)
    #[arg(short = 'o', id = super::OUTPUT_FORMAT, value_enum, value_name = "FORMAT")]
    pub summary: Option<crate::render::Format>,

    /// How far back logs and alerts go
    #[arg(long, value_parser = parse::positive_duration, default_value = "30m", value_name = "DURATION")]
    pub since: PromDuration,

    /// Length of each CPU profile in the bundle (1s to 60s)
    #[arg(long, value_parser = parse::bundle_profile_duration, default_value = "5s", value_name = "DURATION")]
    pub profile_duration: PromDuration,

    /// Leave the CPU profiles out
    #[arg(long)]
    pub no_profiles: bool,

    /// The largest archive written, in MiB (1 to 1024); what does not fit is left out and
    /// listed in index.json
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=1024), value_name = "MIB")]
    pub max_size: u64,

    /// Replace --output if it exists
    #[arg(long)]
    pub force: bool,
}
