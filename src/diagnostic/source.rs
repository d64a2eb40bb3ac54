//! The source texts diagnostics point into.

use crate::span::Span;

/// The byte offset where each line starts. A line ends at `\n`, `\r\n`,
/// or a `\r` not followed by `\n` (old Mac OS line ends), so that a file
/// with CR-only line ends is located line by line.
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    std::iter::once(0)
        .chain(text.match_indices(['\n', '\r']).filter_map(|(i, c)| {
            let lone_cr = c == "\r" && bytes.get(i + 1) != Some(&b'\n');
            (c == "\n" || lone_cr).then_some(i + 1)
        }))
        .collect()
}

/// An index into [`Sources`].
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// One named source text.
#[derive(Clone, Debug)]
pub struct Source {
    /// The name shown in diagnostics (usually a path).
    pub name: String,
    /// The text.
    pub text: String,
    line_starts: Vec<usize>,
    /// For each line longer than [`BLOCK`] bytes (by index, in order): the
    /// characters before each block of [`BLOCK`] bytes of it, so that a
    /// column is counted from the nearest block, not the line's start
    /// (10,000 diagnostics on one 4 MiB line would count 40 GB).
    blocks: Vec<(usize, Vec<usize>)>,
}

/// Bytes per block of the character counts of a long line.
const BLOCK: usize = 4096;

/// Characters in a byte range of UTF-8 text: its bytes that are not
/// continuation bytes (additive over adjacent ranges).
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

fn long_line_blocks(text: &str, line_starts: &[usize]) -> Vec<(usize, Vec<usize>)> {
    let bytes = text.as_bytes();
    let ends = line_starts.iter().skip(1).copied().chain([bytes.len()]);
    line_starts
        .iter()
        .zip(ends)
        .enumerate()
        .filter(|(_, (&start, end))| end - start > BLOCK)
        .map(|(line, (&start, end))| {
            let mut counts = vec![0usize];
            let mut total = 0usize;
            let mut at = start;
            while at + BLOCK < end {
                total += count_chars(bytes.get(at..at + BLOCK).unwrap_or(&[]));
                counts.push(total);
                at += BLOCK;
            }
            (line, counts)
        })
        .collect()
}

impl Source {
    /// A named text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        let text = text.into();
        let line_starts = line_starts(&text);
        let blocks = long_line_blocks(&text, &line_starts);
        Source {
            name: name.into(),
            text,
            line_starts,
            blocks,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = (offset as usize).min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let bytes = self.text.as_bytes();
        let col = match self.blocks.binary_search_by_key(&line, |(l, _)| *l) {
            Ok(i) => {
                let counts = self.blocks.get(i).map_or(&[][..], |(_, c)| c.as_slice());
                let block = (offset - start) / BLOCK;
                let (base, from) = match counts.get(block) {
                    Some(&n) => (n, start + block * BLOCK),
                    None => (0, start),
                };
                base + count_chars(bytes.get(from..offset).unwrap_or(&[]))
            }
            Err(_) => count_chars(bytes.get(start..offset).unwrap_or(&[])),
        };
        (line + 1, col + 1)
    }

    /// The text under a span.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range(self.text.len())).unwrap_or("")
    }
}

/// Every source text of a run.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<Source>,
}

impl Sources {
    /// No files yet.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(Source::new(name, text));
        FileId(u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX))
    }

    /// A file by id.
    pub fn get(&self, id: FileId) -> Option<&Source> {
        self.files.get(id.0 as usize)
    }

    /// Every file with its id.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &Source)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, s)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), s))
    }

    /// Appends another set of sources, returning the offset to add to its ids.
    pub fn merge(&mut self, other: Sources) -> u32 {
        let offset = u32::try_from(self.files.len()).unwrap_or(u32::MAX);
        self.files.extend(other.files);
        offset
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn columns_on_long_lines_count_characters() {
        let text = format!("a\n{}x{}\nb", "é".repeat(10_000), "ü".repeat(5_000));
        let source = Source::new("f", text.as_str());
        let x = text.find('x').unwrap_or(0) as u32;
        assert_eq!(source.line_col(x), (2, 10_001));
        assert_eq!(source.line_col(x + 1), (2, 10_002));
        assert_eq!(source.line_col(text.len() as u32), (3, 2));
        let naive = |o: usize| {
            let start = text[..o].rfind('\n').map_or(0, |i| i + 1);
            text[start..o].chars().count() + 1
        };
        for o in (0..text.len())
            .filter(|&o| text.is_char_boundary(o))
            .step_by(997)
        {
            assert_eq!(source.line_col(o as u32).1, naive(o), "at {o}");
        }
    }
}
