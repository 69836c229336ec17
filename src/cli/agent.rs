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
