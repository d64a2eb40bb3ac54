//! `rbacc review`: the whole data's access as a report, per user and per
//! resource, for periodic access reviews.

use super::input::{
    display_name, read_text, report_error, report_load_error, stdin_once, LoadError, PolicyArgs,
};
use super::{Exit, Io};
use crate::eval::Authorizer;
use crate::membership::Members;
use crate::report::review;
use std::path::PathBuf;

/// Output format of `rbacc review`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReviewFormat {
    /// Markdown tables: per user, then per resource.
    #[default]
    Markdown,
    /// CSV: one row per (user, resource, permission) held.
    Csv,
    /// JSON: every triple, per user and per resource.
    Json,
}

/// How CSV rows are ordered.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// By user, in sign-up order.
    #[default]
    User,
    /// By resource, in the data's order.
    Resource,
}

/// Arguments of `rbacc review`.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// The policy file (`-`: standard input).
    #[arg(value_name = "POLICY")]
    pub policy_file: Option<PathBuf>,
    /// The policy (`--policy`, `--preset`).
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Membership data (YAML; `-`: standard input).
    #[arg(long, short = 'm', value_name = "MEMBERS")]
    pub members: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReviewFormat::Markdown)]
    pub format: ReviewFormat,
    /// Order of CSV rows.
    #[arg(long, value_enum, default_value_t = By::User)]
    pub by: By,
    /// Add why each permission is held (CSV and JSON).
    #[arg(long)]
    pub explain: bool,
}

/// What is said when the data does not load.
const DATA_ERRORS: &str = "the membership data does not load; nothing was reviewed";

/// Runs `rbacc review`.
pub fn run(args: &ReviewArgs, io: &mut Io<'_>) -> Exit {
    let policy = match stdin_once(
        [
            args.policy_file.as_deref(),
            args.policy.policy.as_deref(),
            Some(args.members.as_path()),
        ]
        .into_iter()
        .flatten(),
    )
    .and_then(|()| args.policy.with(args.policy_file.as_deref()))
    .and_then(|p| p.load())
    {
        Ok(p) => p,
        Err(e) => return report_load_error(e, io),
    };
    let text = match read_text(&args.members, super::input::FileKind::Members) {
        Ok(Ok(t)) => t,
        Ok(Err(report)) => return report_error(LoadError::Invalid(report), DATA_ERRORS, io),
        Err(msg) => return report_error(LoadError::Io(msg), DATA_ERRORS, io),
    };
    let name = display_name(&args.members);
    let members = match Members::from_yaml(&policy, &name, &text) {
        Ok(m) => m,
        Err(report) => return report_error(LoadError::Invalid(report), DATA_ERRORS, io),
    };
    let auth = match Authorizer::new(policy, members) {
        Ok(a) => a,
        Err(e) => return super::fail(io, super::ErrorKind::Load, &e.to_string(), None),
    };
    let r = review::review(&auth, args.explain);
    let out = match args.format {
        ReviewFormat::Markdown => review::to_markdown(&r),
        ReviewFormat::Csv => review::to_csv(&r, args.by == By::Resource),
        ReviewFormat::Json => {
            let json = serde_json::to_value(&r).unwrap_or_default();
            format!("{json:#}\n")
        }
    };
    let _ = write!(io.out, "{out}");
    Exit::Ok
}
