//! `rbacc matrix`: the permission tables of a policy.

use super::input::{load_policy, report_load_error};
use super::{Exit, Io};
use crate::report::matrix;
use std::path::PathBuf;

/// Output format of `rbacc matrix`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixFormat {
    /// Aligned plain text.
    #[default]
    Text,
    /// Markdown tables.
    Markdown,
    /// JSON.
    Json,
}

/// Arguments of `rbacc matrix`.
#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    /// A policy file.
    #[arg(conflicts_with = "preset")]
    pub policy: Option<PathBuf>,
    /// A shipped preset.
    #[arg(long)]
    pub preset: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
    pub format: MatrixFormat,
}

/// Runs `rbacc matrix`.
pub fn run(args: &MatrixArgs, io: &mut Io<'_>) -> Exit {
    let policy = match load_policy(args.preset.as_deref(), args.policy.as_deref()) {
        Ok(p) => p,
        Err(e) => return report_load_error(e, io),
    };
    let m = matrix::matrix(&policy);
    let text = match args.format {
        MatrixFormat::Text => matrix::to_text(&m),
        MatrixFormat::Markdown => matrix::to_markdown(&m),
        MatrixFormat::Json => {
            let json = serde_json::to_value(&m).unwrap_or_default();
            format!("{json:#}\n")
        }
    };
    let _ = write!(io.out, "{text}");
    Exit::Ok
}
