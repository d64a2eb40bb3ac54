//! `rbacc fmt`: rewrite policy files in the canonical layout.

use super::check::collect;
use super::input::{read_text, FileKind};
use super::{Exit, Io};
use crate::diagnostic::{self, Report, Sources};
use std::io::Read;
use std::path::PathBuf;

/// Arguments of `rbacc fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Policy files, directories searched for `*.rbac`, or `-` for standard
    /// input (formatted to standard output).
    #[arg(value_name = "POLICY", required_unless_present = "policies")]
    pub paths: Vec<PathBuf>,
    /// Also this policy file, as a POLICY argument (repeatable).
    #[arg(long = "policy", value_name = "POLICY")]
    pub policies: Vec<PathBuf>,
    /// Change nothing; list the files that are not formatted and exit 1 if
    /// there are any.
    #[arg(long)]
    pub check: bool,
}

/// Runs `rbacc fmt`.
pub fn run(args: &FmtArgs, io: &mut Io<'_>) -> Exit {
    let paths: Vec<&PathBuf> = args.paths.iter().chain(&args.policies).collect();
    if let Err(e) = super::input::stdin_once(paths.iter().map(|p| p.as_path())) {
        return super::input::report_load_error(e, io);
    }
    let mut files = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            files.push(path.clone());
            continue;
        }
        let before = files.len();
        if let Err(msg) = collect(path, &mut files) {
            return super::fail(io, super::ErrorKind::Io, &msg, None);
        }
        if files.len() == before {
            let shown = crate::text::escape(&path.display().to_string()).into_owned();
            let msg = format!("no policy file (`*.rbac`) in `{shown}`; nothing was formatted");
            return super::fail(io, super::ErrorKind::Usage, &msg, None);
        }
    }
    let mut exit = Exit::Ok;
    for file in files {
        let stdin = file.as_os_str() == "-";
        let name = if stdin {
            "<stdin>".to_string()
        } else {
            file.display().to_string()
        };
        let text = if stdin {
            // At most the policy limit + 1 byte: a larger input is refused
            // by the parser's size check, not read to the end.
            let limit = crate::limits::MAX_POLICY_BYTES as u64 + 1;
            let mut text = String::new();
            if let Err(e) = std::io::stdin().take(limit).read_to_string(&mut text) {
                let _ = writeln!(io.err, "error: cannot read standard input: {e}");
                return Exit::Error;
            }
            text
        } else {
            match read_text(&file, FileKind::Policy) {
                Ok(Ok(text)) => text,
                Ok(Err(report)) => {
                    render(&report, io);
                    exit = Exit::Findings;
                    continue;
                }
                Err(msg) => {
                    let _ = writeln!(io.err, "error: {msg}");
                    return Exit::Error;
                }
            }
        };
        let formatted = match crate::fmt::format(&text) {
            Ok(f) => f,
            Err(errors) => {
                let mut sources = Sources::new();
                let id = sources.add(name.clone(), text);
                let diagnostics = errors.iter().map(|e| e.to_diagnostic(id)).collect();
                render(
                    &Report {
                        sources,
                        diagnostics,
                    },
                    io,
                );
                let _ = writeln!(
                    io.err,
                    "error: `{name}` does not parse; it was not formatted"
                );
                exit = Exit::Findings;
                continue;
            }
        };
        if args.check {
            if formatted != text {
                let _ = writeln!(io.out, "{name}: not formatted (run `rbacc fmt {name}`)");
                exit = Exit::Findings;
            }
        } else if stdin {
            let _ = write!(io.out, "{formatted}");
        } else if formatted != text {
            if let Err(e) = std::fs::write(&file, formatted) {
                let _ = writeln!(io.err, "error: cannot write `{name}`: {e}");
                return Exit::Error;
            }
            let _ = writeln!(io.err, "formatted {name}");
        }
    }
    exit
}

fn render(report: &Report, io: &mut Io<'_>) {
    let text = diagnostic::render(&report.sources, &report.diagnostics, io.color);
    let _ = write!(io.err, "{text}");
}
