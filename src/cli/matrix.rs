//! `rbacc matrix`: the permission tables of a policy.

use super::input::{load_policy, report_load_error};
use super::{Exit, Io};
use crate::report::matrix;
use std::io::Write;
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
    let cells = matrix::cell_count(&policy);
    let limit = crate::limits::MAX_MATRIX_CELLS;
    if cells > limit {
        let _ = writeln!(
            io.err,
            "error: the permission tables would have {cells} cells, more than the limit of {limit}; ask per role or user with `rbacc what-can` / `rbacc who-can`"
        );
        return Exit::Error;
    }
    let m = matrix::matrix(&policy);
    let mut out = std::io::BufWriter::new(&mut *io.out);
    let written = match args.format {
        MatrixFormat::Text => matrix::write_text(&mut out, &m),
        MatrixFormat::Markdown => matrix::write_markdown(&mut out, &m),
        // Written as it is serialised: no JSON tree in memory.
        MatrixFormat::Json => serde_json::to_writer_pretty(&mut out, &m)
            .map_err(std::io::Error::other)
            .and_then(|()| out.write_all(b"\n")),
    };
    if written.and_then(|()| out.flush()).is_err() {
        return Exit::Error;
    }
    Exit::Ok
}
