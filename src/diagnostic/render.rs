//! Rendering diagnostics for people, through codespan-reporting.

use super::{Diagnostic, LabelStyle, Severity, Sources};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};

/// Whether to colour rendered diagnostics.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    /// ANSI colours.
    Always,
    /// Plain text.
    Never,
}

/// Renders diagnostics as text, the way `rbacc check` prints them.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic], color: ColorChoice) -> String {
    let mut buffer = Vec::new();
    let _ = render_to(&mut buffer, sources, diagnostics, color);
    String::from_utf8_lossy(&buffer).into_owned()
}

/// Renders diagnostics as text into a writer, one diagnostic at a time:
/// memory holds one rendered diagnostic, not the whole output.
pub fn render_to(
    writer: &mut dyn std::io::Write,
    sources: &Sources,
    diagnostics: &[Diagnostic],
    color: ColorChoice,
) -> std::io::Result<()> {
    match color {
        ColorChoice::Always => emit_all(&mut termcolor::Ansi::new(writer), sources, diagnostics),
        ColorChoice::Never => emit_all(&mut termcolor::NoColor::new(writer), sources, diagnostics),
    }
}

fn emit_all(
    out: &mut dyn termcolor::WriteColor,
    sources: &Sources,
    diagnostics: &[Diagnostic],
) -> std::io::Result<()> {
    let config = term::Config::default();
    // Text from files (source lines, names in messages) is escaped, so that
    // it can neither drive the terminal nor reorder a line.
    if super::clip::needs_compact(sources) {
        // Each diagnostic against a compact copy of the lines it points at,
        // long lines cut to windows (see `clip`).
        let index = super::clip::Index::new(sources);
        for diagnostic in diagnostics {
            let (compact, moved) = index.compact(diagnostic);
            emit_one(out, &config, &compact, diagnostic, &to_codespan(&moved))?;
        }
        return Ok(());
    }
    let mut files = SimpleFiles::new();
    for (_, source) in sources.iter() {
        files.add(source.name.as_str(), source.text.as_str());
    }
    for diagnostic in diagnostics {
        emit_one(out, &config, &files, diagnostic, &to_codespan(diagnostic))?;
    }
    Ok(())
}

/// Emits one diagnostic; a label outside its file shows the message alone
/// rather than nothing. Only a failed write is an error.
fn emit_one<'f, F: codespan_reporting::files::Files<'f, FileId = usize>>(
    out: &mut dyn termcolor::WriteColor,
    config: &term::Config,
    files: &'f F,
    diagnostic: &Diagnostic,
    cs_diag: &cs::Diagnostic<usize>,
) -> std::io::Result<()> {
    match term::emit(out, config, files, cs_diag) {
        Ok(()) => Ok(()),
        Err(codespan_reporting::files::Error::Io(e)) => Err(e),
        Err(_) => {
            let plain = cs::Diagnostic::new(cs_diag.severity)
                .with_code(diagnostic.code)
                .with_message(escape(&diagnostic.message));
            match term::emit(out, config, files, &plain) {
                Err(codespan_reporting::files::Error::Io(e)) => Err(e),
                _ => Ok(()),
            }
        }
    }
}

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<usize> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let labels = d
        .labels
        .iter()
        .map(|l| {
            let style = match l.style {
                LabelStyle::Primary => cs::LabelStyle::Primary,
                LabelStyle::Secondary => cs::LabelStyle::Secondary,
            };
            cs::Label::new(
                style,
                l.file.0 as usize,
                l.span.start as usize..l.span.end as usize,
            )
            .with_message(escape(&l.message))
        })
        .collect();
    let mut notes: Vec<String> = d.notes.iter().map(|n| escape_lines(n)).collect();
    if let Some(help) = &d.help {
        notes.push(escape_lines(&format!("help: {help}")));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.code)
        .with_message(escape(&d.message))
        .with_labels(labels)
        .with_notes(notes)
}

fn escape(s: &str) -> String {
    crate::text::escape(s).into_owned()
}

/// Escapes each line of a multi-line text, keeping its line breaks.
fn escape_lines(s: &str) -> String {
    s.split('\n')
        .map(|l| crate::text::escape(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}
