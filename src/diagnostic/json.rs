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

fn json_diagnostic<'a>(sources: &'a Sources, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
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
    }
}

/// Serialises a run's diagnostics as one JSON document.
pub fn to_json(sources: &Sources, diagnostics: &[Diagnostic]) -> serde_json::Value {
    let report = JsonReport {
        version: FORMAT_VERSION,
        errors: diagnostics.iter().filter(|d| d.is_error()).count(),
        warnings: diagnostics.iter().filter(|d| !d.is_error()).count(),
        diagnostics: diagnostics
            .iter()
            .map(|d| json_diagnostic(sources, d))
            .collect(),
    };
    serde_json::to_value(report).unwrap_or(serde_json::Value::Null)
}

/// Errors and warnings written by a streaming writer.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Diagnostics of severity error.
    pub errors: usize,
    /// Diagnostics of severity warning.
    pub warnings: usize,
}

impl Counts {
    pub(crate) fn add(&mut self, d: &Diagnostic) {
        if d.is_error() {
            self.errors += 1;
        } else {
            self.warnings += 1;
        }
    }
}

/// The diagnostics of reports taken one at a time, as a JSON array whose
/// elements are written as they are made (one diagnostic's tree at a time).
pub(crate) struct Stream<I, F> {
    reports: std::cell::RefCell<Option<I>>,
    counts: std::cell::Cell<Counts>,
    element: F,
}

impl<I, F> Stream<I, F> {
    pub(crate) fn new(reports: I, element: F) -> Self {
        Stream {
            reports: std::cell::RefCell::new(Some(reports)),
            counts: std::cell::Cell::new(Counts::default()),
            element,
        }
    }

    pub(crate) fn counts(&self) -> Counts {
        self.counts.get()
    }
}

impl<I, F> Serialize for Stream<I, F>
where
    I: Iterator<Item = super::Report>,
    F: Fn(&Sources, &Diagnostic) -> serde_json::Value,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(None)?;
        let reports = self.reports.borrow_mut().take();
        let mut counts = self.counts.get();
        for report in reports.into_iter().flatten() {
            for d in &report.diagnostics {
                seq.serialize_element(&(self.element)(&report.sources, d))?;
                counts.add(d);
                self.counts.set(counts);
            }
        }
        seq.end()
    }
}

/// Writes the JSON document of [`to_json`] (the same text as its pretty
/// form) for reports produced one at a time: each report is dropped once
/// written, and each diagnostic's tree once written, so memory holds one
/// report, not the run. Returns the counts written.
pub fn write_json(
    writer: &mut dyn std::io::Write,
    reports: impl Iterator<Item = super::Report>,
) -> std::io::Result<Counts> {
    use serde::ser::{SerializeMap, Serializer as _};
    let stream = Stream::new(reports, |sources: &Sources, d: &Diagnostic| {
        serde_json::to_value(json_diagnostic(sources, d)).unwrap_or(serde_json::Value::Null)
    });
    let mut ser = serde_json::Serializer::pretty(writer);
    // Keys in the order of `to_json`'s map (sorted): the counts come after
    // the diagnostics, once they are known.
    let mut map = ser.serialize_map(Some(4)).map_err(std::io::Error::other)?;
    map.serialize_entry("diagnostics", &stream)
        .map_err(std::io::Error::other)?;
    let counts = stream.counts();
    map.serialize_entry("errors", &counts.errors)
        .and_then(|()| map.serialize_entry("version", &FORMAT_VERSION))
        .and_then(|()| map.serialize_entry("warnings", &counts.warnings))
        .and_then(|()| map.end())
        .map_err(std::io::Error::other)?;
    Ok(counts)
}
