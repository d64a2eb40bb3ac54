//! Reading policies from files or presets.

use crate::diagnostic::{Diagnostic, Report, Sources};
use crate::policy::Policy;
use crate::presets;
use std::path::{Path, PathBuf};

/// Where a policy comes from: a file or a shipped preset.
#[derive(Clone, Debug, clap::Args)]
pub struct PolicyArgs {
    /// A shipped preset (see `rbacc presets`).
    #[arg(long, conflicts_with = "policy")]
    pub preset: Option<String>,
    /// A policy file.
    #[arg(long)]
    pub policy: Option<PathBuf>,
}

/// Why a policy could not be had.
pub enum LoadError {
    /// Usage or I/O problem: a message.
    Usage(String),
    /// The policy has errors.
    Invalid(Report),
}

/// What a file read by [`read_text`] holds: sets its size limit and the
/// code of the diagnostic when it is larger.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A policy file ([`crate::limits::MAX_POLICY_BYTES`], E0005).
    Policy,
    /// A membership file ([`crate::limits::MAX_MEMBERS_BYTES`], E0407).
    Members,
}

impl FileKind {
    fn limit(self) -> usize {
        match self {
            FileKind::Policy => crate::limits::MAX_POLICY_BYTES,
            FileKind::Members => crate::limits::MAX_MEMBERS_BYTES,
        }
    }
}

/// Reads a regular file as UTF-8, at most its kind's limit (see
/// [`crate::files::read_bounded`]). A file over the limit or not valid
/// UTF-8 becomes a diagnostic; a special file or an I/O error is a message.
pub fn read_text(path: &Path, kind: FileKind) -> Result<Result<String, Report>, String> {
    let shown = crate::text::escape(&path.display().to_string()).into_owned();
    let bytes = match crate::files::read_bounded(path, kind.limit()) {
        Ok(bytes) => bytes,
        Err(crate::files::ReadError::TooLarge { len, limit }) => {
            let (code, what) = match kind {
                FileKind::Policy => ("E0005", "policy file"),
                FileKind::Members => ("E0407", "membership file"),
            };
            let size = len.map_or("more than the limit".to_string(), |n| format!("{n} bytes"));
            let mut sources = Sources::new();
            let file = sources.add(shown, String::new());
            return Ok(Err(Report {
                sources,
                diagnostics: vec![Diagnostic::error(
                    code,
                    format!("{what} is {size}, larger than the limit of {limit} bytes"),
                )
                .primary(file, crate::span::Span::new(0, 0), "file starts here")],
            }));
        }
        Err(e) => return Err(format!("cannot read `{shown}`: {e}")),
    };
    Ok(String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let mut sources = Sources::new();
        let file = sources.add(shown, lossy);
        let prefix = e.as_bytes().get(..valid).unwrap_or(&[]);
        let at = String::from_utf8_lossy(prefix).len();
        Report {
            sources,
            diagnostics: vec![Diagnostic::error("E0006", "file is not valid UTF-8")
                .primary(
                    file,
                    crate::span::Span::new(at, at + 1),
                    "invalid byte here",
                )
                .help("save the file as UTF-8")],
        }
    }))
}

/// Loads and compiles a policy from a preset name or a path.
pub fn load_policy(preset: Option<&str>, path: Option<&Path>) -> Result<Policy, LoadError> {
    let (name, text) = match (preset, path) {
        (Some(name), _) => {
            let preset = presets::get(name).ok_or_else(|| {
                let names = presets::PRESETS.iter().map(|p| p.name);
                let hint = crate::suggest::did_you_mean(name, names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                LoadError::Usage(format!(
                    "unknown preset `{name}`{hint} (see `rbacc presets`)"
                ))
            })?;
            (
                format!("policies/{}.rbac", preset.name),
                preset.source.to_string(),
            )
        }
        (None, Some(path)) => {
            let text = read_text(path, FileKind::Policy).map_err(LoadError::Usage)?;
            (
                path.display().to_string(),
                text.map_err(LoadError::Invalid)?,
            )
        }
        (None, None) => {
            return Err(LoadError::Usage(
                "no policy given: pass a policy file or `--preset NAME`".to_string(),
            ))
        }
    };
    crate::policy::compile(&name, &text).map_err(LoadError::Invalid)
}

/// Prints a load error and returns the exit code for it (always 2: no
/// decision or output was produced).
pub fn report_load_error(e: LoadError, io: &mut super::Io<'_>) -> super::Exit {
    match e {
        LoadError::Usage(msg) => {
            let _ = writeln!(io.err, "error: {msg}");
        }
        LoadError::Invalid(report) => {
            let text = crate::diagnostic::render(&report.sources, &report.diagnostics, io.color);
            let _ = write!(io.err, "{text}");
            let _ = writeln!(
                io.err,
                "error: the policy has errors; nothing was evaluated"
            );
        }
    }
    super::Exit::Error
}
