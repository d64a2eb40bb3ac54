//! Byte offsets (the compiler's spans) to LSP positions and back.
//!
//! LSP counts a column in UTF-16 code units unless client and server agree
//! on UTF-8 at `initialize`; both are supported here.

use crate::span::Span;
use lsp_types::{Position, Range};

/// How a position's `character` counts.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-16 code units: the protocol's default.
    #[default]
    Utf16,
    /// Bytes.
    Utf8,
}

/// The line starts of one text.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    encoding: Encoding,
}

impl LineIndex {
    /// Indexes a text.
    pub fn new(text: &str, encoding: Encoding) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts, encoding }
    }

    /// The position of a byte offset (clamped to the text).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let prefix = text.get(start..offset).unwrap_or("");
        let character = match self.encoding {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
        };
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    /// The range of a span.
    pub fn range(&self, text: &str, span: Span) -> Range {
        let r = span.range(text.len());
        Range {
            start: self.position(text, r.start),
            end: self.position(text, r.end),
        }
    }

    /// The byte offset of a position: past the line's end it is the line's
    /// end, past the last line the text's end; inside a character, that
    /// character's start.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map_or(text.len(), |next| next.saturating_sub(1));
        let line = text.get(start..end).unwrap_or("");
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= want {
                return start + i;
            }
            units += match self.encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if units > want {
                return start + i;
            }
        }
        start + line.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let text = "a\n\u{1F600}bc\n";
        let lines = LineIndex::new(text, Encoding::Utf16);
        // 'b' is after a 4-byte character that is 2 UTF-16 units.
        let b = text.find('b').unwrap_or_default();
        let pos = lines.position(text, b);
        assert_eq!((pos.line, pos.character), (1, 2));
        assert_eq!(lines.offset(text, pos), b);
        let utf8 = LineIndex::new(text, Encoding::Utf8);
        let pos = utf8.position(text, b);
        assert_eq!((pos.line, pos.character), (1, 4));
        assert_eq!(utf8.offset(text, pos), b);
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let text = "ab\ncd";
        let lines = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(lines.offset(text, Position::new(0, 99)), 2);
        assert_eq!(lines.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(lines.position(text, 99), Position::new(1, 2));
    }
}
