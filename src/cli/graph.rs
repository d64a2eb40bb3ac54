//! `rbacc graph`: the role graph of a policy, for Graphviz or Mermaid.

use super::input::{load_policy, report_load_error};
use super::{Exit, Io};
use crate::report::graph;
use std::path::PathBuf;

/// Output format of `rbacc graph`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Graphviz's DOT language (`dot -Tsvg`).
    #[default]
    Dot,
    /// A Mermaid flowchart (renders in GitHub markdown).
    Mermaid,
}

/// Arguments of `rbacc graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// A policy file.
    #[arg(conflicts_with = "preset")]
    pub policy: Option<PathBuf>,
    /// A shipped preset.
    #[arg(long)]
    pub preset: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

/// Runs `rbacc graph`.
pub fn run(args: &GraphArgs, io: &mut Io<'_>) -> Exit {
    let policy = match load_policy(args.preset.as_deref(), args.policy.as_deref()) {
        Ok(p) => p,
        Err(e) => return report_load_error(e, io),
    };
    let text = match args.format {
        GraphFormat::Dot => graph::to_dot(&policy),
        GraphFormat::Mermaid => graph::to_mermaid(&policy),
    };
    let _ = write!(io.out, "{text}");
    Exit::Ok
}
