//! `rbacc matrix`: the permission tables of a policy.

use super::input::{report_load_error, PolicyArgs};
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
    /// The policy file (`-`: standard input).
    #[arg(value_name = "POLICY")]
    pub policy_file: Option<PathBuf>,
    /// The policy (`--policy`, `--preset`).
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
    pub format: MatrixFormat,
}

/// Runs `rbacc matrix`.
pub fn run(args: &MatrixArgs, io: &mut Io<'_>) -> Exit {
    let policy = match args
        .policy
        .with(args.policy_file.as_deref())
        .and_then(|p| p.load())
    {
        Ok(p) => p,
        Err(e) => return report_load_error(e, io),
    };
    let cells = matrix::cell_count(&policy);
    let limit = crate::limits::MAX_MATRIX_CELLS;
    if cells > limit {
        let msg = format!("the permission tables would have {cells} cells, more than the limit of {limit}; ask per role or user with `rbacc what-can` / `rbacc who-can`");
        return super::fail(io, super::ErrorKind::Load, &msg, None);
    }
    let m = matrix::matrix(&policy);
    let mut out = std::io::BufWriter::new(&mut *io.out);
    let written = match args.format {
        // Coloured headings need the text whole; plain text is streamed.
        MatrixFormat::Text if io.out_color == crate::diagnostic::ColorChoice::Always => {
            let text = super::style::matrix(&matrix::to_text(&m), io.out_color);
            out.write_all(text.as_bytes())
        }
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
