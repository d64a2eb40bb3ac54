//! `rbacc check`: every file, every diagnostic.

use super::input::{display_name, is_stdin, read_text, report_load_error, stdin_once, FileKind};
use super::{Exit, Io};
use crate::analyse::LintConfig;
use crate::diagnostic::style::{paint, Style};
use crate::diagnostic::{self, Diagnostic, Report};
use crate::syntax::ast::LintLevel;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Output format of `rbacc check`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Rendered for people (codespan-reporting), on stderr.
    #[default]
    Human,
    /// JSON on stdout.
    Json,
    /// SARIF 2.1.0 on stdout, for code scanning.
    Sarif,
    /// GitHub Actions annotations (workflow commands) on stdout.
    Github,
}

/// Arguments of `rbacc check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Policy files, directories searched for `*.rbac`, or `-` for
    /// standard input. A directory with no policy file is an error.
    #[arg(value_name = "POLICY")]
    pub paths: Vec<PathBuf>,
    /// Also check this policy file, as a POLICY argument (repeatable).
    #[arg(long = "policy", value_name = "POLICY")]
    pub policies: Vec<PathBuf>,
    /// Also check this shipped preset (repeatable).
    #[arg(long, value_name = "NAME")]
    pub preset: Vec<String>,
    /// Output format (`json`: errors are JSON on standard output too).
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Set a lint's level: `CODE=allow|warn|deny` (repeatable).
    #[arg(long = "lint", value_name = "CODE=LEVEL")]
    pub lints: Vec<String>,
}

/// Collects `*.rbac` files below a path (see [`crate::files::walk`]); a
/// path named on the command line is taken whatever its name.
pub(crate) fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| {
        format!(
            "cannot read `{}`: {e}",
            crate::text::escape(&path.display().to_string())
        )
    })?;
    if meta.is_dir() {
        let filter = crate::files::WalkFilter {
            suffixes: &[".rbac"],
            skip_hidden: false,
        };
        out.extend(crate::files::walk(path, filter)?);
    } else {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn parse_lints(specs: &[String]) -> Result<LintConfig, String> {
    let mut config = LintConfig::default();
    for spec in specs {
        let (code, level) = spec
            .split_once('=')
            .ok_or_else(|| format!("`--lint {spec}`: expected CODE=allow|warn|deny"))?;
        let info = diagnostic::codes::lookup(code)
            .filter(|c| c.code.starts_with('W'))
            .ok_or_else(|| {
                format!("`--lint {spec}`: `{code}` is not a lint code (see docs/diagnostics.md)")
            })?;
        let level = match level {
            "allow" => LintLevel::Allow,
            "warn" => LintLevel::Warn,
            "deny" => LintLevel::Deny,
            other => return Err(format!("`--lint {spec}`: unknown level `{other}`")),
        };
        config.levels.push((info.code, level));
    }
    Ok(config)
}

/// Runs `rbacc check`.
pub fn run(args: &CheckArgs, io: &mut Io<'_>) -> Exit {
    use super::ErrorKind::{Io as IoError, Usage};
    let config = match parse_lints(&args.lints) {
        Ok(c) => c,
        Err(msg) => return super::fail(io, Usage, &msg, None),
    };
    let paths: Vec<&PathBuf> = args.paths.iter().chain(&args.policies).collect();
    if paths.is_empty() && args.preset.is_empty() {
        let msg = "nothing to check: give policy files, directories or `--preset NAME`";
        return super::fail(io, Usage, msg, None);
    }
    if let Err(e) = stdin_once(paths.iter().map(|p| p.as_path())) {
        return report_load_error(e, io);
    }
    let mut inputs: Vec<(String, Result<String, Report>)> = Vec::new();
    for name in &args.preset {
        match crate::presets::get(name) {
            Some(p) => inputs.push((
                format!("policies/{}.rbac", p.name),
                Ok(p.source.to_string()),
            )),
            None => {
                let msg = format!("unknown preset `{name}` (see `rbacc presets`)");
                return super::fail(io, Usage, &msg, None);
            }
        }
    }
    let mut files = Vec::new();
    for path in paths {
        if is_stdin(path) {
            files.push(path.clone());
            continue;
        }
        let before = files.len();
        if let Err(msg) = collect(path, &mut files) {
            return super::fail(io, IoError, &msg, None);
        }
        if files.len() == before {
            let shown = crate::text::escape(&path.display().to_string()).into_owned();
            let msg = format!("no policy file (`*.rbac`) in `{shown}`; nothing was checked");
            return super::fail(io, Usage, &msg, None);
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    for file in files {
        match read_text(&file, FileKind::Policy) {
            Ok(text) => inputs.push((display_name(&file), text)),
            Err(msg) => return super::fail(io, IoError, &msg, None),
        }
    }
    let checked = inputs.len();
    // One file at a time: compiled, written, dropped. Each file's report is
    // bounded by the diagnostic cap, so memory is one file's, not the run's.
    let reports = inputs.into_iter().map(|(name, text)| match text {
        Ok(text) => match crate::policy::compile_with(&name, &text, &config) {
            Ok(policy) => Report {
                sources: policy.sources,
                diagnostics: policy.warnings,
            },
            Err(report) => report,
        },
        Err(report) => report,
    });
    let base = std::env::current_dir().ok();
    let mut out = std::io::BufWriter::new(&mut *io.out);
    let written = match args.format {
        CheckFormat::Json => diagnostic::write_json(&mut out, reports)
            .and_then(|counts| writeln!(out).map(|()| counts)),
        CheckFormat::Sarif => diagnostic::write_sarif(&mut out, reports, base.as_deref())
            .and_then(|counts| writeln!(out).map(|()| counts)),
        CheckFormat::Github => {
            // Errors first across files: the run's diagnostics are kept.
            let mut all = Report::default();
            reports.for_each(|r| merge(&mut all, r));
            let text = diagnostic::to_github(&all.sources, &all.diagnostics, base.as_deref());
            let mut counts = diagnostic::Counts::default();
            all.diagnostics.iter().for_each(|d| counts.add(d));
            write!(out, "{text}").map(|()| counts)
        }
        CheckFormat::Human => {
            let mut err = std::io::BufWriter::new(&mut *io.err);
            let mut counts = diagnostic::Counts::default();
            let mut written = Ok(());
            for report in reports {
                report.diagnostics.iter().for_each(|d| counts.add(d));
                if written.is_ok() {
                    written = diagnostic::render_to(
                        &mut err,
                        &report.sources,
                        &report.diagnostics,
                        io.color,
                    );
                }
            }
            let (errors, warnings) = (counts.errors, counts.warnings);
            let summary = format!(
                "checked {checked} file{}: {errors} error{}, {warnings} warning{}",
                plural(checked),
                plural(errors),
                plural(warnings)
            );
            let style = if errors > 0 {
                Style::Bad
            } else if warnings > 0 {
                Style::Warn
            } else {
                Style::Good
            };
            written
                .and_then(|()| writeln!(err, "{}", paint(&summary, style, io.color)))
                .and_then(|()| err.flush())
                .map(|()| counts)
        }
    };
    let counts = match written.and_then(|counts| out.flush().map(|()| counts)) {
        Ok(counts) => counts,
        // A closed output (`| head`) is not a result to report on.
        Err(_) => return Exit::Error,
    };
    if counts.errors > 0 || (args.deny_warnings && counts.warnings > 0) {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Appends a report, renumbering its file ids.
pub(crate) fn merge(all: &mut Report, report: Report) {
    let offset = all.sources.merge(report.sources);
    all.diagnostics
        .extend(report.diagnostics.into_iter().map(|mut d: Diagnostic| {
            for label in &mut d.labels {
                label.file.0 += offset;
            }
            d
        }));
}
