//! `rbacc test`: runs policy test files (see [`crate::testing`]).

use super::{Exit, Io};
use std::path::PathBuf;

/// Output format of `rbacc test`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// A report for people.
    #[default]
    Human,
    /// JSON on stdout.
    Json,
    /// JUnit XML on stdout, for CI systems' test reports.
    Junit,
}

/// Arguments of `rbacc test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Test files, or directories searched for `*.yaml` test files (those
    /// with a top-level `cases:` or `expect:` key).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Also report the role × permission cells of the matrix that no case
    /// exercised.
    #[arg(long)]
    pub coverage: bool,
    /// With `--coverage`: exit 1 when the exercised cells (grant and deny
    /// cells together) are below PERCENT of a policy's cells.
    #[arg(long, value_name = "PERCENT", requires = "coverage")]
    pub fail_under: Option<f64>,
    /// Run only the cases whose name contains TEXT; a filter that matches
    /// no case fails the run (exit 1).
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Output format (`json`: errors are JSON on standard output too).
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// Also let test files name policy and membership files under DIR
    /// (repeatable). Without it a test file names only files under its
    /// repository root (the nearest directory with `.git`, else its own
    /// directory), paths resolved as the operating system does.
    #[arg(long = "allow-path", value_name = "DIR")]
    pub allow_paths: Vec<PathBuf>,
}

/// Runs `rbacc test`: exit 0 when every case passed, 1 when a case failed
/// or a file, document or run has no case, 2 when a file did not load or a
/// case could not be evaluated.
pub fn run(args: &TestArgs, io: &mut Io<'_>) -> Exit {
    let options = crate::testing::Options {
        allowed: args.allow_paths.clone(),
        filter: args.filter.clone(),
    };
    let run = crate::testing::run_with(&args.paths, &options);
    match args.format {
        TestFormat::Json => {
            let _ = writeln!(io.out, "{}", run.to_json(args.coverage));
        }
        TestFormat::Junit => {
            let _ = write!(io.out, "{}", run.to_junit());
        }
        TestFormat::Human => {
            let _ = write!(io.out, "{}", run.to_text(args.coverage, io.out_color));
        }
    }
    let below = args
        .fail_under
        .is_some_and(|min| run.coverage().iter().any(|c| c.percent() < min));
    match run.outcome() {
        crate::testing::Outcome::Passed if below => {
            let _ = writeln!(
                io.err,
                "coverage below --fail-under {}%",
                args.fail_under.unwrap_or_default()
            );
            Exit::Findings
        }
        crate::testing::Outcome::Passed => Exit::Ok,
        crate::testing::Outcome::Failed => Exit::Findings,
        _ => Exit::Error,
    }
}
