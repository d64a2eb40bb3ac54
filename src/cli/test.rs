//! `rbacc test`: runs policy test files (see [`crate::testing`]).

use super::{Exit, Format, Io};
use std::path::PathBuf;

/// Arguments of `rbacc test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Test files, or directories searched for `*.yaml` test files (those
    /// with a top-level `cases:` key).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Also report the role × permission cells of the matrix that no case
    /// exercised.
    #[arg(long)]
    pub coverage: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Runs `rbacc test`: exit 0 when every case passed, 1 when a case failed,
/// 2 when a file did not load or a case could not be evaluated.
pub fn run(args: &TestArgs, io: &mut Io<'_>) -> Exit {
    let run = crate::testing::run(&args.paths);
    match args.format {
        Format::Json => {
            let _ = writeln!(io.out, "{}", run.to_json(args.coverage));
        }
        Format::Human => {
            let _ = write!(io.out, "{}", run.to_text(args.coverage, io.color));
        }
    }
    match run.outcome() {
        crate::testing::Outcome::Passed => Exit::Ok,
        crate::testing::Outcome::Failed => Exit::Findings,
        _ => Exit::Error,
    }
}
