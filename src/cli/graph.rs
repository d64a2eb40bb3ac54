//! `rbacc graph`: the role graph of a policy, for Graphviz or Mermaid.

use super::input::{report_load_error, PolicyArgs};
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
    /// The policy file (`-`: standard input).
    #[arg(value_name = "POLICY")]
    pub policy_file: Option<PathBuf>,
    /// The policy (`--policy`, `--preset`).
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

/// Runs `rbacc graph`.
pub fn run(args: &GraphArgs, io: &mut Io<'_>) -> Exit {
    let policy = match args
        .policy
        .with(args.policy_file.as_deref())
        .and_then(|p| p.load())
    {
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
