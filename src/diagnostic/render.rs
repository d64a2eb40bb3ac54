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
    let mut files = SimpleFiles::new();
    for (_, source) in sources.iter() {
        files.add(source.name.as_str(), source.text.as_str());
    }
    // Text from files (source lines, names in messages) is escaped, so that
    // it can neither drive the terminal nor reorder a line.
    let mut buffer = match color {
        ColorChoice::Always => termcolor::Buffer::ansi(),
        ColorChoice::Never => termcolor::Buffer::no_color(),
    };
    let config = term::Config::default();
    if super::clip::needs_compact(sources) {
        // Each diagnostic against a compact copy of the lines it points at,
        // long lines cut to windows (see `clip`).
        let index = super::clip::Index::new(sources);
        for diagnostic in diagnostics {
            let (compact, moved) = index.compact(diagnostic);
            let cs_diag = to_codespan(&moved);
            if term::emit(&mut buffer, &config, &compact, &cs_diag).is_err() {
                let plain = cs::Diagnostic::new(cs_diag.severity)
                    .with_code(diagnostic.code)
                    .with_message(escape(&diagnostic.message));
                let _ = term::emit(&mut buffer, &config, &compact, &plain);
            }
        }
        return String::from_utf8_lossy(buffer.as_slice()).into_owned();
    }
    for diagnostic in diagnostics {
        let cs_diag = to_codespan(diagnostic);
        if term::emit(&mut buffer, &config, &files, &cs_diag).is_err() {
            // A label outside its file: show the message alone rather than nothing.
            let plain = cs::Diagnostic::new(cs_diag.severity)
                .with_code(diagnostic.code)
                .with_message(escape(&diagnostic.message));
            let _ = term::emit(&mut buffer, &config, &files, &plain);
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
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
