//! Reading policies from files or presets.

use crate::diagnostic::{Diagnostic, Report, Sources};
use crate::policy::Policy;
use crate::presets;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where a policy comes from: a file (the `POLICY` argument of the
/// command, or `--policy`) or a shipped preset. Every command that reads
/// one policy takes it this way; exactly one of the three is given.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct PolicyArgs {
    /// A shipped preset (see `rbacc presets`), instead of a policy file.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// The policy file, as the POLICY argument (`-`: standard input).
    #[arg(long, value_name = "POLICY")]
    pub policy: Option<PathBuf>,
}

impl PolicyArgs {
    /// The policy file named by `--policy` or by the command's `POLICY`
    /// argument, or the preset; a usage error when more than one is given.
    pub fn with(&self, positional: Option<&Path>) -> Result<PolicyArgs, LoadError> {
        let given = [
            positional.is_some(),
            self.policy.is_some(),
            self.preset.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(LoadError::Usage(
                "give the policy once: a POLICY argument, `--policy PATH` or `--preset NAME`"
                    .to_string(),
            ));
        }
        Ok(PolicyArgs {
            preset: self.preset.clone(),
            policy: self
                .policy
                .clone()
                .or_else(|| positional.map(Path::to_path_buf)),
        })
    }

    /// Loads and compiles the policy (see [`load_policy`]).
    pub fn load(&self) -> Result<Policy, LoadError> {
        load_policy(self.preset.as_deref(), self.policy.as_deref())
    }
}

/// Why a policy could not be had.
pub enum LoadError {
    /// The arguments are wrong: a message.
    Usage(String),
    /// A file could not be read: a message.
    Io(String),
    /// The policy or data has errors.
    Invalid(Report),
}

/// The name standard input goes by in messages and diagnostics.
pub const STDIN_NAME: &str = "<stdin>";

/// Whether a path argument is `-`, standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name a path argument goes by in diagnostics (`<stdin>` for `-`).
pub fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// Refuses a command that names standard input (`-`) more than once: it
/// can be read only once.
pub fn stdin_once<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Result<(), LoadError> {
    if paths.into_iter().filter(|p| is_stdin(p)).count() > 1 {
        return Err(LoadError::Usage(
            "standard input (`-`) is named more than once; it can be read only once".to_string(),
        ));
    }
    Ok(())
}

/// Reads standard input, at most `limit + 1` bytes.
fn read_stdin(limit: usize) -> Result<Vec<u8>, crate::files::ReadError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(crate::files::ReadError::Io)?;
    if bytes.len() > limit {
        return Err(crate::files::ReadError::TooLarge { len: None, limit });
    }
    Ok(bytes)
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
/// `-` reads standard input, under the same limit.
pub fn read_text(path: &Path, kind: FileKind) -> Result<Result<String, Report>, String> {
    let shown = crate::text::escape(&display_name(path)).into_owned();
    let read = if is_stdin(path) {
        read_stdin(kind.limit())
    } else {
        crate::files::read_bounded(path, kind.limit())
    };
    let bytes = match read {
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
            let text = read_text(path, FileKind::Policy).map_err(LoadError::Io)?;
            (
                display_name(path),
                text.map_err(LoadError::Invalid)?,
            )
        }
        (None, None) => {
            return Err(LoadError::Usage(
                "no policy given: give a POLICY file (or `--policy PATH`, `-` for standard input) or `--preset NAME`".to_string(),
            ))
        }
    };
    crate::policy::compile(&name, &text).map_err(LoadError::Invalid)
}

/// Reports a load error (exit 2: no decision or output was produced), in
/// words or, under `--format json`, as JSON on stdout (see [`super::fail`]).
pub fn report_load_error(e: LoadError, io: &mut super::Io<'_>) -> super::Exit {
    report_error(e, "the policy has errors; nothing was evaluated", io)
}

/// Reports an error; `invalid` says what has errors when it is a report.
pub fn report_error(e: LoadError, invalid: &str, io: &mut super::Io<'_>) -> super::Exit {
    use super::ErrorKind;
    match e {
        LoadError::Usage(msg) => super::fail(io, ErrorKind::Usage, &msg, None),
        LoadError::Io(msg) => super::fail(io, ErrorKind::Io, &msg, None),
        LoadError::Invalid(report) => super::fail(io, ErrorKind::Load, invalid, Some(&report)),
    }
}
