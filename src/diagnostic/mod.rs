//! One diagnostic type for every stage, separate from its rendering.
//!
//! Stages produce their own error values and convert them to [`Diagnostic`];
//! only [`render`] touches codespan-reporting.

mod clip;
pub mod codes;
#[doc(hidden)]
pub mod github;
mod json;
mod render;
#[doc(hidden)]
pub mod sarif;
mod source;
pub mod style;

pub use github::to_github;
pub use json::{to_json, write_json, Counts};
pub use render::{render, render_to, ColorChoice};
pub use sarif::{to_sarif, write_sarif};
pub use source::{FileId, Source, Sources};

use crate::span::Span;
use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// Fails the check.
    Error,
    /// Reported; fails only under `--deny-warnings` or `lint CODE deny`.
    Warning,
}

/// Whether a label is the main point or context.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum LabelStyle {
    /// The place the diagnostic is about.
    Primary,
    /// A related place (the other duplicate, a step of a chain).
    Secondary,
}

/// A message attached to a span of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Primary or secondary.
    pub style: LabelStyle,
    /// The file.
    pub file: FileId,
    /// The bytes pointed at.
    pub span: Span,
    /// The text shown at the span (may be empty).
    pub message: String,
}

/// A problem found in an input, with everything needed to show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code such as `E0101`.
    pub code: &'static str,
    /// A one-line message, lowercase, no final period.
    pub message: String,
    /// Labels; the first primary one locates the diagnostic.
    pub labels: Vec<Label>,
    /// Extra lines of explanation.
    pub notes: Vec<String>,
    /// A suggested fix, phrased as an action.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error with the given code and message.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// A new warning with the given code and message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Adds the primary label.
    pub fn primary(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            style: LabelStyle::Primary,
            file,
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a secondary label.
    pub fn secondary(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            style: LabelStyle::Secondary,
            file,
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line when there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The primary label, if any.
    pub fn primary_label(&self) -> Option<&Label> {
        self.labels
            .iter()
            .find(|l| l.style == LabelStyle::Primary)
            .or_else(|| self.labels.first())
    }
}

/// Diagnostics together with the sources they point into.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The files referenced by the diagnostics.
    pub sources: Sources,
    /// The diagnostics, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Renders every diagnostic without colour (for tests and logs).
    pub fn to_plain_string(&self) -> String {
        render(&self.sources, &self.diagnostics, ColorChoice::Never)
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_plain_string())
    }
}

impl std::error::Error for Report {}
