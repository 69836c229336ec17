//! `hivemind config …`: an agent's whole configuration as one file, reviewed and applied.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the whole configuration as YAML: metrics, auto-healing, alert rules, alert
    /// channels, checks, tracing and logging (secrets as references, never values)
    Export(ExportArgs),
    /// Make the configuration match a file: plan the creates, updates and deletes, print
    /// them as a diff, and apply them as one change per agent
    #[command(arg_required_else_help = true)]
    Apply(ApplyArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The configuration file (YAML, as `config export` writes it; `-` reads stdin)
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,
    /// Print the plan and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Also delete the alert rules, channels and checks the file lacks, and tracing and
    /// logging when the file has none
    #[arg(long)]
    pub prune: bool,
    /// With --dry-run: exit 1 when there is something to change (like `git diff
    /// --exit-code`)
    #[arg(long, requires = "dry_run")]
    pub exit_code: bool,
}
