//! `rbacc review`: the whole data's access as a report, per user and per
//! resource, for periodic access reviews.

use super::input::{load_policy, read_text, report_load_error, LoadError, PolicyArgs};
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
    /// The policy.
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Membership data (YAML).
    #[arg(long, short = 'm')]
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

/// Runs `rbacc review`.
pub fn run(args: &ReviewArgs, io: &mut Io<'_>) -> Exit {
    let policy = match load_policy(args.policy.preset.as_deref(), args.policy.policy.as_deref()) {
        Ok(p) => p,
        Err(e) => return report_load_error(e, io),
    };
    let text = match read_text(&args.members, super::input::FileKind::Members) {
        Ok(Ok(t)) => t,
        Ok(Err(report)) => return report_load_error(LoadError::Invalid(report), io),
        Err(msg) => return report_load_error(LoadError::Usage(msg), io),
    };
    let name = args.members.display().to_string();
    let members = match Members::from_yaml(&policy, &name, &text) {
        Ok(m) => m.with_source(text.as_str()),
        Err(report) => {
            let rendered =
                crate::diagnostic::render(&report.sources, &report.diagnostics, io.color);
            let _ = write!(io.err, "{rendered}");
            let _ = writeln!(
                io.err,
                "error: the membership data does not load; nothing was reviewed"
            );
            return Exit::Error;
        }
    };
    let auth = match Authorizer::new(policy, members) {
        Ok(a) => a,
        Err(e) => {
            let _ = writeln!(io.err, "error: {e}");
            return Exit::Error;
        }
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
