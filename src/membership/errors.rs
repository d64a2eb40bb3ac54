//! Membership data errors as plain data, with the position kept at load.

use crate::diagnostic::{Diagnostic, FileId};
use crate::span::Span;

/// A position in the data file: 1-based line and 1-based column (in
/// characters), as the reader saw it. 8 bytes; the byte offset a
/// diagnostic needs is computed from the text when one is rendered.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub col: u32,
}

impl Pos {
    /// A position.
    pub fn new(line: usize, col: usize) -> Pos {
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of the position in `text` (its end if past it).
    pub fn offset_in(self, text: &str) -> usize {
        let mut offset = 0;
        for (i, l) in text.split_inclusive('\n').enumerate() {
            if i + 1 == self.line as usize {
                let col: usize = l
                    .chars()
                    .take((self.col as usize).saturating_sub(1))
                    .map(char::len_utf8)
                    .sum();
                return offset + col;
            }
            offset += l.len();
        }
        text.len()
    }
}

/// Where in the data file an error is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum At {
    /// At a position kept at load.
    Pos(Pos),
    /// The start of the file (for what is missing, or data not from a file).
    Start,
}

impl From<Pos> for At {
    /// A position; line 0 (no position: data given by a program) is the
    /// start.
    fn from(p: Pos) -> At {
        if p.line == 0 {
            At::Start
        } else {
            At::Pos(p)
        }
    }
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
    /// A warning rather than an error.
    pub warning: bool,
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
            warning: false,
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
        let span = match self.at {
            At::Pos(p) => {
                let o = p.offset_in(text);
                Span::new(o, o + token_len(text, o))
            }
            At::Start => Span::new(0, 0),
        };
        let mut d = if self.warning {
            Diagnostic::warning(self.code, self.message.clone())
        } else {
            Diagnostic::error(self.code, self.message.clone())
        };
        d = d
            .primary(file, span, self.label.clone())
            .maybe_help(self.help.clone());
        if let Some(note) = &self.note {
            d = d.note(note.clone());
        }
        d
    }
}

/// The length of the YAML token starting at `offset` (a plain or quoted
/// scalar), at least 1 byte where the text allows.
fn token_len(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    let mut chars = rest.char_indices();
    match chars.next() {
        None => 0,
        Some((_, q @ ('"' | '\''))) => {
            for (i, c) in chars {
                if c == q {
                    return i + 1;
                }
                if c == '\n' {
                    return i;
                }
            }
            rest.len()
        }
        Some((_, '[' | '{' | '-' | '*' | '&' | '!')) => 1,
        Some((_, c)) => {
            let end = rest
                .char_indices()
                .find(|&(i, c)| {
                    c == '\n'
                        || c == ','
                        || c == ']'
                        || c == '}'
                        || (c == ':'
                            && rest.get(i + 1..).is_none_or(|r| r.starts_with([' ', '\n'])))
                        || (c == '#' && i > 0)
                })
                .map_or(rest.len(), |(i, _)| i);
            end.max(c.len_utf8())
        }
    }
}

/// A name as it can be shown (see [`crate::text::escape`]).
pub fn escape(s: &str) -> String {
    crate::text::escape(s).into_owned()
}
