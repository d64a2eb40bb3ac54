//! The JSON form of diagnostics (`--format json`).

use super::{Diagnostic, Label, LabelStyle, Severity, Sources};
use serde::Serialize;

/// Version of the JSON layout; bumped on incompatible change.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(flatten)]
    location: Option<JsonLocation<'a>>,
    labels: Vec<JsonLabel<'a>>,
    notes: &'a [String],
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    style: LabelStyle,
    message: &'a str,
    #[serde(flatten)]
    location: Option<JsonLocation<'a>>,
}

fn locate<'a>(sources: &'a Sources, label: &Label) -> Option<JsonLocation<'a>> {
    let source = sources.get(label.file)?;
    let (line, column) = source.line_col(label.span.start);
    let (end_line, end_column) = source.line_col(label.span.end);
    Some(JsonLocation {
        file: &source.name,
        line,
        column,
        end_line,
        end_column,
    })
}

/// Serialises a run's diagnostics as one JSON document.
pub fn to_json(sources: &Sources, diagnostics: &[Diagnostic]) -> serde_json::Value {
    let report = JsonReport {
        version: FORMAT_VERSION,
        errors: diagnostics.iter().filter(|d| d.is_error()).count(),
        warnings: diagnostics.iter().filter(|d| !d.is_error()).count(),
        diagnostics: diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code,
                severity: d.severity,
                message: &d.message,
                location: d.primary_label().and_then(|l| locate(sources, l)),
                labels: d
                    .labels
                    .iter()
                    .map(|l| JsonLabel {
                        style: l.style,
                        message: &l.message,
                        location: locate(sources, l),
                    })
                    .collect(),
                notes: &d.notes,
                help: d.help.as_deref(),
            })
            .collect(),
    };
    serde_json::to_value(report).unwrap_or(serde_json::Value::Null)
}
