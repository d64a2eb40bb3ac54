//! GitHub Actions workflow-command annotations (`--format github`).
//!
//! One line per diagnostic, errors first:
//! `::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=CODE::MESSAGE`.
//! The message carries the diagnostic's secondary labels, notes and help on
//! lines of their own. Escaping follows the runner: in the message `%`, CR
//! and LF become `%25`, `%0D`, `%0A`; in property values `:` and `,` also
//! become `%3A` and `%2C`.

use super::sarif::relative_path;
use super::{Diagnostic, LabelStyle, Severity, Sources};
use std::path::Path;

/// Escapes a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn annotation(sources: &Sources, d: &Diagnostic, base: Option<&Path>) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props: Vec<String> = Vec::new();
    let primary = d.primary_label();
    if let Some((label, source)) = primary.and_then(|l| sources.get(l.file).map(|s| (l, s))) {
        let (line, col) = source.line_col(label.span.start);
        let (end_line, end_col) = source.line_col(label.span.end.max(label.span.start));
        let (file, _) = relative_path(&source.name, base);
        props.push(format!("file={}", escape_property(&file)));
        props.push(format!("line={line}"));
        props.push(format!("col={col}"));
        props.push(format!("endLine={end_line}"));
        props.push(format!("endColumn={end_col}"));
    }
    props.push(format!("title={}", escape_property(d.code)));
    let mut message = d.message.clone();
    if let Some(text) = primary
        .map(|l| l.message.as_str())
        .filter(|t| !t.is_empty())
    {
        message.push_str(&format!(": {text}"));
    }
    for label in d.labels.iter().filter(|l| l.style == LabelStyle::Secondary) {
        if label.message.is_empty() {
            continue;
        }
        match sources.get(label.file) {
            Some(source) => {
                let (line, col) = source.line_col(label.span.start);
                let (file, _) = relative_path(&source.name, base);
                message.push_str(&format!("\n{file}:{line}:{col}: {}", label.message));
            }
            None => message.push_str(&format!("\n{}", label.message)),
        }
    }
    for note in &d.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    format!("::{command} {}::{}", props.join(","), escape_data(&message))
}

/// The annotations of a run, errors first (otherwise in order), one line
/// each, newline-terminated.
pub fn to_github(sources: &Sources, diagnostics: &[Diagnostic], base: Option<&Path>) -> String {
    let mut ordered: Vec<&Diagnostic> = diagnostics.iter().collect();
    ordered.sort_by_key(|d| d.severity);
    let mut out = String::new();
    for d in ordered {
        out.push_str(&annotation(sources, d, base));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn errors_first_and_escaped() {
        let mut sources = Sources::new();
        let file = sources.add("dir,x/p:1.rbac", "role a on s \"A\"\nrole b on s \"B\"\n");
        let warning = Diagnostic::warning("W0306", "`b` grants nothing").primary(
            file,
            Span::new(21, 22),
            "here",
        );
        let error = Diagnostic::error("E0203", "100% wrong")
            .primary(file, Span::new(5, 6), "")
            .secondary(file, Span::new(21, 22), "step")
            .help("fix it");
        let out = to_github(&sources, &[warning, error], None);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines,
            [
                "::error file=dir%2Cx/p%3A1.rbac,line=1,col=6,endLine=1,endColumn=7,title=E0203::100%25 wrong%0Adir,x/p:1.rbac:2:6: step%0Ahelp: fix it",
                "::warning file=dir%2Cx/p%3A1.rbac,line=2,col=6,endLine=2,endColumn=7,title=W0306::`b` grants nothing: here",
            ]
        );
    }
}
