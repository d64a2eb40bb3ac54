//! Membership data errors as plain data, located lazily in the YAML text.

use super::locate::{locate, token_len, Target};
use crate::diagnostic::{Diagnostic, FileId};
use crate::span::Span;

/// Where in the YAML file an error is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum At {
    /// At a key, value or list item reached by a path of keys.
    Path(Vec<String>, Target),
    /// At a 1-based line and column reported by the YAML reader.
    LineCol(usize, usize),
    /// The start of the file.
    Start,
}

/// A problem with membership data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    /// Stable code (E04xx).
    pub code: &'static str,
    /// One-line message.
    pub message: String,
    /// Where.
    pub at: At,
    /// Label text at the location.
    pub label: String,
    /// A suggested fix.
    pub help: Option<String>,
    /// Extra explanation.
    pub note: Option<String>,
}

impl DataError {
    /// A new error.
    pub fn new(
        code: &'static str,
        message: impl Into<String>,
        at: At,
        label: impl Into<String>,
    ) -> Self {
        DataError {
            code,
            message: message.into(),
            at,
            label: label.into(),
            help: None,
            note: None,
        }
    }

    /// Adds a help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a help line when there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help.or(self.help);
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// The diagnostic, located in `text` (the YAML file `file`).
    pub fn to_diagnostic(&self, file: FileId, text: &str) -> Diagnostic {
        let offset = match &self.at {
            At::Path(path, target) => locate(text, path, *target),
            At::LineCol(line, col) => Some(super::locate::offset_of(text, *line, *col)),
            At::Start => None,
        };
        let span = match offset {
            Some(o) => Span::new(o, o + token_len(text, o)),
            None => Span::new(0, 0),
        };
        let mut d = Diagnostic::error(self.code, self.message.clone())
            .primary(file, span, self.label.clone())
            .maybe_help(self.help.clone());
        if let Some(note) = &self.note {
            d = d.note(note.clone());
        }
        d
    }
}

/// A path of keys, for [`At::Path`].
pub fn path(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_string()).collect()
}
