//! `hivemind agent …`: the inventory of remote agents.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::parse;

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Add (or replace) an agent
    #[command(arg_required_else_help = true)]
    Add(AddArgs),
    /// List the agents in the inventory
    List(ListAgentsArgs),
    /// Remove an agent and its stored token
    #[command(arg_required_else_help = true)]
    Remove(RemoveArgs),
    /// Make an agent the default target of every command (or go back to this machine)
    #[command(arg_required_else_help = true)]
    Use(UseArgs),
    /// Check that agents answer, and how fast (all agents when none is named)
    Ping(PingArgs),
    /// Add the agents Prometheus scrapes: the active targets of its /api/v1/targets
    #[command(arg_required_else_help = true)]
    Import(ImportArgs),
    /// Write the inventory for another engine: a Prometheus file_sd target file of the
    /// agents' metrics endpoints
    Export(ExportArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("api").required(true).args(["api_port", "api_url_template"])))]
pub struct ImportArgs {
    /// The Prometheus to read, e.g. http://prometheus:9090
    #[arg(long, value_name = "URL", value_parser = parse::http_url)]
    pub prometheus: String,
    /// Only the targets of this scrape job
    #[arg(long, value_name = "NAME")]
    pub job: Option<String>,
    /// The port of the agents' API on each target's host (https://HOST:PORT; http:// for
    /// loopback hosts)
    #[arg(long, value_name = "PORT", value_parser = parse::port)]
    pub api_port: Option<u16>,
    /// The agents' API URL, with {host}, {port} (the metrics port) and {instance} filled in
    /// from each target, e.g. https://{host}:9470
    #[arg(long, value_name = "TEMPLATE")]
    pub api_url_template: Option<String>,
    /// The target label that names each agent
    #[arg(long, value_name = "LABEL", default_value = "instance")]
    pub name_label: String,
    /// Read one token for every agent from stdin
    #[arg(long, group = "token_src")]
    pub token_stdin: bool,
    /// Read one token for every agent from a file
    #[arg(long, value_name = "FILE", group = "token_src")]
    pub token_file: Option<PathBuf>,
    /// Read each agent's token from DIR/NAME.token
    #[arg(long, value_name = "DIR", group = "token_src")]
    pub token_dir: Option<PathBuf>,
    /// PEM file of the CA that signed the agents' certificates
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Show what would be added and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The format to write
    #[arg(long, value_enum, default_value = "file-sd")]
    pub format: ExportFormat,
}

/// Formats of `agent export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// A Prometheus file_sd target file (JSON)
    FileSd,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Name of the agent
    #[arg(value_parser = parse::object_name)]
    pub name: String,
    /// The agent's API URL, e.g. https://node1.example.com:9470
    #[arg(long, value_parser = parse::http_url)]
    pub url: String,
    /// Read the agent's token from stdin (print it on the agent with `hivemind daemon token`)
    #[arg(long, group = "token_src")]
    pub token_stdin: bool,
    /// Read the agent's token from a file
    #[arg(long, value_name = "FILE", group = "token_src")]
    pub token_file: Option<PathBuf>,
    /// The agent's token (visible in `ps` and shell history: prefer --token-stdin)
    #[arg(long, value_name = "TOKEN", group = "token_src")]
    pub token: Option<String>,
    /// PEM file of the CA that signed the agent's certificate (for self-signed agents)
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListAgentsArgs {}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Name of the agent
    #[arg(value_parser = parse::object_name)]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// Name of the agent to use by default
    #[arg(value_parser = parse::object_name, required_unless_present = "none", conflicts_with = "none")]
    pub name: Option<String>,
    /// Use no default agent: commands act on this machine again
    #[arg(long)]
    pub none: bool,
}

#[derive(Debug, Args)]
pub struct PingArgs {
    /// Agents to ping [default: all]
    #[arg(value_parser = parse::object_name)]
    pub names: Vec<String>,
}
