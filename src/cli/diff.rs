//! `rbacc diff OLD NEW`: the semantic diff of two policies, or (with
//! `--policy`/`--preset` and `--members OLD.yaml NEW.yaml`) of two
//! membership files under one policy.

use super::input::{
    display_name, load_policy, read_text, report_load_error, stdin_once, FileKind, LoadError,
};
use super::{Exit, Io};
use crate::diff::members::{Causes, DataSide};
use crate::diff::{self, RenderOptions, Side};
use crate::policy::Policy;
use std::path::{Path, PathBuf};

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
    /// SARIF 2.1.0: the changes that widen access, at the line that made each.
    Sarif,
    /// GitHub Actions annotations: the changes that widen access.
    Github,
}

/// What makes `rbacc diff` fail.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Exit 1 when access widens (in the policy, or on the data with
    /// `--members`), or may widen and the data does not show otherwise.
    Escalation,
}

/// Arguments of `rbacc diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// OLD then NEW policy files (a preset given with `--old-preset` or
    /// `--new-preset` takes its place); with `--policy` or `--preset`, OLD
    /// then NEW membership files. `-` reads one of them from standard input.
    #[arg(value_name = "FILE", num_args = 0..=2)]
    pub paths: Vec<PathBuf>,
    /// Use a shipped preset as OLD.
    #[arg(long)]
    pub old_preset: Option<String>,
    /// Use a shipped preset as NEW.
    #[arg(long)]
    pub new_preset: Option<String>,
    /// One policy for both sides: diff two membership files under it.
    #[arg(long, conflicts_with_all = ["old_preset", "new_preset", "preset"])]
    pub policy: Option<PathBuf>,
    /// One shipped preset for both sides: diff two membership files. With
    /// `--new-preset`, the OLD policy (`--preset astro --new-preset astro-2025`).
    #[arg(long, conflicts_with_all = ["old_preset"])]
    pub preset: Option<String>,
    /// Output format (`json`: errors are JSON on standard output too).
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Exit 1 on this kind of change.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Membership data (YAML): also diff users × permissions × resources.
    /// With `--policy`/`--preset`: `--members OLD.yaml NEW.yaml`.
    #[arg(long, short = 'm', value_name = "FILE", num_args = 0..=1)]
    pub members: Option<Option<PathBuf>>,
    /// Examples printed per group of the data diff (default 3).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
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

fn read(path: &Path, kind: FileKind) -> Result<String, LoadError> {
    match read_text(path, kind) {
        Ok(Ok(text)) => match crate::analyse::hidden::yaml_report(&display_name(path), &text) {
            Some(report) => Err(LoadError::Invalid(report)),
            None => Ok(text),
        },
        Ok(Err(report)) => Err(LoadError::Invalid(report)),
        Err(msg) => Err(LoadError::Io(msg)),
    }
}

fn data_error(side: Side, report: &crate::diagnostic::Report, io: &mut Io<'_>, data: bool) -> Exit {
    let which = match side {
        Side::Old => "OLD",
        Side::New => "NEW",
    };
    let msg = if data {
        format!("the {which} membership data does not load")
    } else {
        format!("the membership data does not load against the {which} policy")
    };
    super::fail(io, super::ErrorKind::Load, &msg, Some(report))
}

/// Runs `rbacc diff`.
pub fn run(args: &DiffArgs, io: &mut Io<'_>) -> Exit {
    let named = args
        .paths
        .iter()
        .chain(args.policy.iter())
        .chain(args.members.iter().flatten());
    if let Err(e) = stdin_once(named.map(PathBuf::as_path)) {
        return report_load_error(e, io);
    }
    if args.policy.is_some() || (args.preset.is_some() && args.new_preset.is_none()) {
        return run_data(args, io);
    }
    let mut paths = args.paths.iter();
    let old_preset = args.old_preset.as_deref().or(args.preset.as_deref());
    let old = match load_side(old_preset, &mut paths, "old") {
        Ok(p) => p,
        Err(e) => return report_load_error(e, io),
    };
    let new = match load_side(args.new_preset.as_deref(), &mut paths, "new") {
        Ok(p) => p,
        Err(e) => return report_load_error(e, io),
    };
    if let Some(extra) = paths.next() {
        let msg = format!(
            "unexpected argument `{}`: give one OLD and one NEW policy",
            crate::text::escape(&extra.display().to_string())
        );
        return super::fail(io, super::ErrorKind::Usage, &msg, None);
    }
    let mut result = diff::diff(&old, &new);
    match &args.members {
        Some(Some(path)) => {
            let text = match read(path, FileKind::Members) {
                Ok(t) => t,
                Err(e) => return report_load_error(e, io),
            };
            let name = display_name(path);
            let causes: Causes = result
                .changes
                .iter()
                .filter_map(|c| Some(((c.side, c.location.clone()?), c.summary.clone())))
                .collect();
            let sides = (
                DataSide {
                    policy: &old,
                    name: &name,
                    text: &text,
                },
                DataSide {
                    policy: &new,
                    name: &name,
                    text: &text,
                },
            );
            match diff::members::diff_data(sides.0, sides.1, &causes) {
                Ok(m) => result.members = Some(m),
                Err((side, report)) => return data_error(side, &report, io, false),
            }
        }
        Some(None) => {
            let msg = "`--members` needs a file: `--members FILE`, or `--policy P --members OLD.yaml NEW.yaml`";
            return super::fail(io, super::ErrorKind::Usage, msg, None);
        }
        None => {}
    }
    output(args, io, &result, &old, &new)
}

/// `rbacc diff --policy P --members OLD.yaml NEW.yaml`.
fn run_data(args: &DiffArgs, io: &mut Io<'_>) -> Exit {
    let policy = match load_policy(args.preset.as_deref(), args.policy.as_deref()) {
        Ok(p) => p,
        Err(e) => return report_load_error(e, io),
    };
    let files: Vec<&PathBuf> = args
        .members
        .iter()
        .flatten()
        .chain(args.paths.iter())
        .collect();
    let [old_path, new_path] = files.as_slice() else {
        let msg = format!(
            "with one policy, give two membership files: `--members OLD.yaml NEW.yaml` (got {})",
            files.len()
        );
        return super::fail(io, super::ErrorKind::Usage, &msg, None);
    };
    let (old_text, new_text) = match (
        read(old_path, FileKind::Members),
        read(new_path, FileKind::Members),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return report_load_error(e, io),
    };
    let (old_name, new_name) = (display_name(old_path), display_name(new_path));
    let m = diff::members::diff_data(
        DataSide {
            policy: &policy,
            name: &old_name,
            text: &old_text,
        },
        DataSide {
            policy: &policy,
            name: &new_name,
            text: &new_text,
        },
        &Causes::new(),
    );
    match m {
        Ok(m) => {
            let result = diff::PolicyDiff::data_only(&policy, m);
            output(args, io, &result, &policy, &policy)
        }
        Err((side, report)) => data_error(side, &report, io, true),
    }
}

fn output(
    args: &DiffArgs,
    io: &mut Io<'_>,
    result: &diff::PolicyDiff,
    old: &Policy,
    new: &Policy,
) -> Exit {
    let fail = args.fail_on == Some(FailOn::Escalation) && result.widens();
    let base = std::env::current_dir().ok();
    let opts = RenderOptions {
        limit: args.limit.unwrap_or(RenderOptions::default().limit),
    };
    match args.format {
        DiffFormat::Human => {
            let text = diff::render::to_human_with(result, opts);
            let _ = write!(io.out, "{}", super::style::diff(&text, io.out_color));
        }
        DiffFormat::Markdown => {
            let _ = write!(io.out, "{}", diff::render::to_markdown_with(result, opts));
        }
        DiffFormat::Json => {
            let json = serde_json::to_value(result).unwrap_or_default();
            let _ = writeln!(io.out, "{json:#}");
        }
        DiffFormat::Sarif => {
            let (sources, diags) = diff::diagnostics(result, old, new, args.fail_on.is_some());
            let sarif = crate::diagnostic::to_sarif(&sources, &diags, base.as_deref());
            let _ = writeln!(io.out, "{sarif:#}");
        }
        DiffFormat::Github => {
            let (sources, diags) = diff::diagnostics(result, old, new, args.fail_on.is_some());
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
