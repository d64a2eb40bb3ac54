//! `rbacc diff OLD NEW`: the semantic diff of two policies.

use super::input::{load_policy, report_load_error, LoadError};
use super::{Exit, Io};
use crate::diff::{self, members::Side};
use crate::Policy;
use std::path::PathBuf;

/// Output format of `rbacc diff`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Plain text.
    #[default]
    Human,
    /// Markdown, for a pull-request comment.
    Markdown,
    /// JSON.
    Json,
    /// SARIF 2.1.0: the escalations, pointing into NEW.
    Sarif,
    /// GitHub Actions annotations: the escalations, pointing into NEW.
    Github,
}

/// What makes `rbacc diff` fail.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Exit 1 when access widens (in the policy, or on the data with
    /// `--members`).
    Escalation,
}

/// Arguments of `rbacc diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// OLD then NEW policy files (a preset given with `--old-preset` or
    /// `--new-preset` takes its place).
    #[arg(value_name = "POLICY", num_args = 0..=2)]
    pub paths: Vec<PathBuf>,
    /// Use a shipped preset as OLD.
    #[arg(long)]
    pub old_preset: Option<String>,
    /// Use a shipped preset as NEW.
    #[arg(long)]
    pub new_preset: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Exit 1 on this kind of change.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Membership data (YAML): also diff users × permissions × resources.
    #[arg(long, value_name = "FILE")]
    pub members: Option<PathBuf>,
}

fn load_side(
    preset: Option<&str>,
    paths: &mut std::slice::Iter<'_, PathBuf>,
    which: &str,
) -> Result<Policy, LoadError> {
    match preset {
        Some(name) => load_policy(Some(name), None),
        None => match paths.next() {
            Some(path) => load_policy(None, Some(path)),
            None => Err(LoadError::Usage(format!(
                "no {which} policy: give OLD and NEW files, or `--{which}-preset NAME`"
            ))),
        },
    }
}

/// Runs `rbacc diff`.
pub fn run(args: &DiffArgs, io: &mut Io<'_>) -> Exit {
    let mut paths = args.paths.iter();
    let old = match load_side(args.old_preset.as_deref(), &mut paths, "old") {
        Ok(p) => p,
        Err(e) => return report_load_error(e, io),
    };
    let new = match load_side(args.new_preset.as_deref(), &mut paths, "new") {
        Ok(p) => p,
        Err(e) => return report_load_error(e, io),
    };
    if let Some(extra) = paths.next() {
        let _ = writeln!(
            io.err,
            "error: unexpected argument `{}`: give one OLD and one NEW policy",
            extra.display()
        );
        return Exit::Error;
    }
    let mut result = diff::diff(&old, &new);
    if let Some(path) = &args.members {
        let text = match super::input::read_text(path) {
            Ok(Ok(text)) => text,
            Ok(Err(report)) => return report_load_error(LoadError::Invalid(report), io),
            Err(msg) => return report_load_error(LoadError::Usage(msg), io),
        };
        match diff::members::diff_members(&old, &new, &path.display().to_string(), &text) {
            Ok(m) => result.members = Some(m),
            Err((side, report)) => {
                let which = match side {
                    Side::Old => "OLD",
                    Side::New => "NEW",
                };
                let rendered =
                    crate::diagnostic::render(&report.sources, &report.diagnostics, io.color);
                let _ = write!(io.err, "{rendered}");
                let _ = writeln!(
                    io.err,
                    "error: the membership data does not load against the {which} policy"
                );
                return Exit::Error;
            }
        }
    }
    let fail = args.fail_on == Some(FailOn::Escalation) && result.widens();
    let base = std::env::current_dir().ok();
    match args.format {
        DiffFormat::Human => {
            let _ = write!(io.out, "{}", diff::to_human(&result));
        }
        DiffFormat::Markdown => {
            let _ = write!(io.out, "{}", diff::to_markdown(&result));
        }
        DiffFormat::Json => {
            let json = serde_json::to_value(&result).unwrap_or_default();
            let _ = writeln!(io.out, "{json:#}");
        }
        DiffFormat::Sarif => {
            let (sources, diags) = diff::diagnostics(&result, &new, args.fail_on.is_some());
            let sarif = crate::diagnostic::to_sarif(&sources, &diags, base.as_deref());
            let _ = writeln!(io.out, "{sarif:#}");
        }
        DiffFormat::Github => {
            let (sources, diags) = diff::diagnostics(&result, &new, args.fail_on.is_some());
            let text = crate::diagnostic::to_github(&sources, &diags, base.as_deref());
            let _ = write!(io.out, "{text}");
        }
    }
    if fail {
        Exit::Findings
    } else {
        Exit::Ok
    }
}
