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

/// What kind of problem a [`DataError`] is: one per code (E04xx, W04xx),
/// for programs that match on it rather than on the code's text.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataErrorKind {
    /// E0401: membership YAML that cannot be read.
    Syntax,
    /// E0402: an unknown user, group, role, permission, edition or resource.
    Unknown,
    /// E0403: a binding on a resource of the wrong scope kind.
    WrongScope,
    /// E0404: a cardinality rule broken by the data.
    Cardinality,
    /// E0405: a resource whose parent does not exist.
    NoParent,
    /// E0406: a key (or a name) given twice.
    Duplicate,
    /// E0407: membership data past a limit.
    Limit,
    /// E0408: the edition is missing or unknown.
    Edition,
    /// E0409: a name with control, invisible or bidirectional characters.
    UnprintableName,
    /// E0410: a user bound to two roles of an `assert exclusive`.
    Exclusive,
    /// E0411: a hidden character in a YAML comment.
    HiddenComment,
    /// W0412 (a warning): names that look alike.
    LookAlikeName,
    /// E0413: an instance with no holder of a role the policy requires at
    /// least one of.
    AtLeastOne,
    /// E0414: a custom group ranking above its scope's upgrade bound.
    GroupAboveBound,
    /// A code this build does not name (newer than this enum).
    Other,
}

impl DataErrorKind {
    /// The kind of a code.
    pub fn of_code(code: &str) -> DataErrorKind {
        match code {
            "E0401" => DataErrorKind::Syntax,
            "E0402" => DataErrorKind::Unknown,
            "E0403" => DataErrorKind::WrongScope,
            "E0404" => DataErrorKind::Cardinality,
            "E0405" => DataErrorKind::NoParent,
            "E0406" => DataErrorKind::Duplicate,
            "E0407" => DataErrorKind::Limit,
            "E0408" => DataErrorKind::Edition,
            "E0409" => DataErrorKind::UnprintableName,
            "E0410" => DataErrorKind::Exclusive,
            "E0411" => DataErrorKind::HiddenComment,
            "W0412" => DataErrorKind::LookAlikeName,
            "E0413" => DataErrorKind::AtLeastOne,
            "E0414" => DataErrorKind::GroupAboveBound,
            _ => DataErrorKind::Other,
        }
    }
}

/// A problem with membership data: its code and kind, where it is, and
/// what to say about it. Rendered against the text it was read from by
/// [`Members::from_yaml`](crate::Members::from_yaml) (a
/// [`Report`](crate::Report)), or by [`DataError::to_diagnostic`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    /// Stable code (E04xx).
    pub(crate) code: &'static str,
    /// One-line message.
    pub(crate) message: String,
    /// Where.
    pub(crate) at: At,
    /// Label text at the location.
    pub(crate) label: String,
    /// A suggested fix.
    pub(crate) help: Option<String>,
    /// Extra explanation.
    pub(crate) note: Option<String>,
    /// A warning rather than an error.
    pub(crate) warning: bool,
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.at {
            At::Pos(p) => write!(f, "{}:{}: {} [{}]", p.line, p.col, self.message, self.code),
            At::Start => write!(f, "{} [{}]", self.message, self.code),
        }
    }
}

impl std::error::Error for DataError {}

impl DataError {
    /// The stable code (`E0402`), as the CLI shows it.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// What kind of problem, to match on.
    pub fn kind(&self) -> DataErrorKind {
        DataErrorKind::of_code(self.code)
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where in the data: `None` for the start of the file, or data given
    /// by a program without a position.
    pub fn position(&self) -> Option<Pos> {
        match self.at {
            At::Pos(p) => Some(p),
            At::Start => None,
        }
    }

    /// The suggested fix, when there is one.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Whether this is a warning (loading succeeded) rather than an error.
    pub fn is_warning(&self) -> bool {
        self.warning
    }

    /// A new error.
    pub(crate) fn new(
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
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub(crate) fn note(mut self, note: impl Into<String>) -> Self {
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
pub(crate) fn escape(s: &str) -> String {
    crate::text::escape(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::DataErrorKind;

    #[test]
    fn every_data_code_has_its_kind() {
        let data = crate::diagnostic::codes::CODES
            .iter()
            .filter(|c| c.code.get(1..3) == Some("04"));
        let mut n = 0;
        for c in data {
            assert_ne!(
                DataErrorKind::of_code(c.code),
                DataErrorKind::Other,
                "{}: add a DataErrorKind for it",
                c.code
            );
            n += 1;
        }
        assert!(n >= 12);
    }
}
