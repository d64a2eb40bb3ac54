//! Long source lines, clipped for rendering.
//!
//! codespan-reporting prints the whole source line of every label, so a
//! 4 MiB one-line file with a thousand diagnostics would print 4 GiB. When
//! a file has a line longer than [`MAX_LINE`] bytes, each diagnostic is
//! rendered against a compact copy of the files holding only the lines its
//! labels are on, each long line cut to windows around the labels (joined
//! by `…`); line and column numbers stay those of the original file.

use super::{Diagnostic, Sources};
use crate::span::Span;
use codespan_reporting::files::{Error, Files};
use std::ops::Range;

/// Lines longer than this (in bytes) are clipped.
pub(crate) const MAX_LINE: usize = 400;
/// Bytes kept on each side of a label's start and end.
const CONTEXT: usize = 60;
/// What stands for a cut-out part of a line.
const ELLIPSIS: &str = "…";

/// Whether some file has a line too long to print whole, a character that
/// must be escaped on a terminal, or a line ending in a lone `\r`: then
/// diagnostics are rendered against compact, escaped copies of their lines.
pub(crate) fn needs_compact(sources: &Sources) -> bool {
    sources.iter().any(|(_, s)| {
        crate::text::needs_escape(&s.name)
            || s.text.split('\n').any(|l| l.len() > MAX_LINE)
            || s.text
                .split('\n')
                .any(|l| l.strip_suffix('\r').unwrap_or(l).chars().any(escaped))
    })
}

/// Whether a character of a source line is shown escaped: every character
/// [`crate::text::is_printable`] refuses but tab (which codespan-reporting
/// expands).
fn escaped(c: char) -> bool {
    c != '\t' && !crate::text::is_printable(c)
}

/// One compact file: the lines a diagnostic's labels are on.
#[derive(Debug, Default)]
struct CompactFile {
    name: String,
    text: String,
    /// Start of each compact line.
    line_starts: Vec<usize>,
    /// The original (1-based) number of each compact line.
    line_numbers: Vec<usize>,
    /// Exact original (1-based) columns of the offsets labels were moved
    /// to.
    columns: Vec<(usize, usize)>,
}

/// The files of one diagnostic, for codespan-reporting.
#[derive(Debug, Default)]
pub(crate) struct Compact {
    files: Vec<CompactFile>,
}

impl<'a> Files<'a> for Compact {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, Error> {
        self.files
            .get(id)
            .map(|f| f.name.as_str())
            .ok_or(Error::FileMissing)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, Error> {
        self.files
            .get(id)
            .map(|f| f.text.as_str())
            .ok_or(Error::FileMissing)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, Error> {
        let file = self.files.get(id).ok_or(Error::FileMissing)?;
        Ok(file
            .line_starts
            .partition_point(|&s| s <= byte_index)
            .saturating_sub(1))
    }

    fn line_number(&'a self, id: usize, line_index: usize) -> Result<usize, Error> {
        let file = self.files.get(id).ok_or(Error::FileMissing)?;
        Ok(file
            .line_numbers
            .get(line_index)
            .copied()
            .unwrap_or(line_index + 1))
    }

    fn column_number(
        &'a self,
        id: usize,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, Error> {
        let file = self.files.get(id).ok_or(Error::FileMissing)?;
        if let Some(&(_, col)) = file.columns.iter().find(|(at, _)| *at == byte_index) {
            return Ok(col);
        }
        let range = self.line_range(id, line_index)?;
        let start = range.start.min(byte_index);
        Ok(file
            .text
            .get(start..byte_index)
            .map_or(0, |s| s.chars().count())
            + 1)
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, Error> {
        let file = self.files.get(id).ok_or(Error::FileMissing)?;
        let start = *file
            .line_starts
            .get(line_index)
            .ok_or(Error::LineTooLarge {
                given: line_index,
                max: file.line_starts.len().saturating_sub(1),
            })?;
        let end = file
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(file.text.len());
        Ok(start..end)
    }
}

/// Line starts of every file, and character counts along long lines, so
/// that each label's line and column are found without rescanning lines.
#[derive(Debug)]
pub(crate) struct Index<'a> {
    sources: &'a Sources,
    files: Vec<FileIndex>,
}

#[derive(Debug, Default)]
struct FileIndex {
    line_starts: Vec<usize>,
    /// For each long line (by index): characters before each block of
    /// [`BLOCK`] bytes.
    blocks: std::collections::HashMap<usize, Vec<usize>>,
}

/// Bytes per block of the character counts of a long line.
const BLOCK: usize = 4096;

impl<'a> Index<'a> {
    /// Indexes the files of a report.
    pub(crate) fn new(sources: &'a Sources) -> Index<'a> {
        let files = sources
            .iter()
            .map(|(_, source)| {
                let text = source.text.as_bytes();
                let line_starts: Vec<usize> = super::source::line_starts(&source.text);
                let mut blocks = std::collections::HashMap::new();
                for (line, pair) in line_starts
                    .iter()
                    .zip(line_starts.iter().skip(1).chain([&(text.len() + 1)]))
                    .enumerate()
                {
                    let (start, end) = (*pair.0, pair.1.saturating_sub(1));
                    if end.saturating_sub(start) > MAX_LINE {
                        let mut counts = vec![0usize];
                        let mut total = 0usize;
                        let mut at = start;
                        while at + BLOCK < end {
                            total += count_chars(text.get(at..at + BLOCK).unwrap_or(&[]));
                            counts.push(total);
                            at += BLOCK;
                        }
                        blocks.insert(line, counts);
                    }
                }
                FileIndex {
                    line_starts,
                    blocks,
                }
            })
            .collect();
        Index { sources, files }
    }

    /// The line index, line start and line end (before its line end:
    /// `\n`, `\r\n` or `\r`) of an offset.
    fn line(&self, file: usize, offset: usize) -> (usize, usize, usize) {
        let Some(f) = self.files.get(file) else {
            return (0, 0, 0);
        };
        let text = self
            .sources
            .get(super::FileId(u32::try_from(file).unwrap_or(u32::MAX)))
            .map_or("", |s| s.text.as_str());
        let len = text.len();
        let line = f
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = f.line_starts.get(line).copied().unwrap_or(0);
        let mut end = f
            .line_starts
            .get(line + 1)
            .map_or(len, |n| n.saturating_sub(1));
        if end > start
            && text.as_bytes().get(end) == Some(&b'\n')
            && text.as_bytes().get(end - 1) == Some(&b'\r')
        {
            end -= 1;
        }
        (line, start, end)
    }

    /// The 1-based column (in characters) of an offset.
    fn column(&self, file: usize, text: &str, offset: usize) -> usize {
        let (line, start, _) = self.line(file, offset);
        let bytes = text.as_bytes();
        let counted = match self.files.get(file).and_then(|f| f.blocks.get(&line)) {
            Some(counts) => {
                let block = (offset - start) / BLOCK;
                let base = counts.get(block).copied().unwrap_or(0);
                base + count_chars(bytes.get(start + block * BLOCK..offset).unwrap_or(&[]))
            }
            None => count_chars(bytes.get(start..offset).unwrap_or(&[])),
        };
        counted + 1
    }

    /// The compact files of one diagnostic, and the diagnostic with its
    /// labels moved into them (file ids are the indices of the sources).
    pub(crate) fn compact(&self, diagnostic: &Diagnostic) -> (Compact, Diagnostic) {
        let mut out = Compact::default();
        let mut moved = diagnostic.clone();
        for (id, source) in self.sources.iter() {
            let text = source.text.as_str();
            let file = id.0 as usize;
            let mut points: Vec<usize> = diagnostic
                .labels
                .iter()
                .filter(|l| l.file == id)
                .flat_map(|l| [l.span.start as usize, l.span.end as usize])
                .map(|p| floor_char(text, p.min(text.len())))
                .collect();
            points.sort_unstable();
            points.dedup();
            let (compact, map) = self.compact_file(file, &source.name, text, &points);
            for label in moved.labels.iter_mut().filter(|l| l.file == id) {
                let start = map_offset(
                    &map,
                    floor_char(text, (label.span.start as usize).min(text.len())),
                );
                let end = map_offset(
                    &map,
                    floor_char(text, (label.span.end as usize).min(text.len())),
                );
                label.span = Span::new(start, end.max(start));
            }
            out.files.push(compact);
        }
        (out, moved)
    }

    /// The compact copy of one file for these points (sorted offsets).
    fn compact_file(
        &self,
        id: usize,
        name: &str,
        text: &str,
        points: &[usize],
    ) -> (CompactFile, Map) {
        let mut file = CompactFile {
            name: crate::text::escape(name).into_owned(),
            ..CompactFile::default()
        };
        let mut map: Map = Vec::new();
        let mut i = 0usize;
        while let Some(&p) = points.get(i) {
            let (line, line_start, line_end) = self.line(id, p);
            let on_line: Vec<usize> = points
                .iter()
                .skip(i)
                .take_while(|&&q| q <= line_end)
                .copied()
                .collect();
            i += on_line.len().max(1);
            file.line_starts.push(file.text.len());
            file.line_numbers.push(line + 1);
            let windows: Vec<(usize, usize)> = if line_end - line_start <= MAX_LINE {
                vec![(line_start, line_end)]
            } else {
                let mut w: Vec<(usize, usize)> = vec![(line_start, line_start + CONTEXT)];
                for &q in &on_line {
                    w.push((
                        q.saturating_sub(CONTEXT).max(line_start),
                        (q + CONTEXT).min(line_end),
                    ));
                }
                w.sort_unstable();
                let mut merged: Vec<(usize, usize)> = Vec::new();
                for (s, e) in w {
                    let (s, e) = (floor_char(text, s), ceil_char(text, e.min(line_end)));
                    match merged.last_mut() {
                        Some(last) if s <= last.1 => last.1 = last.1.max(e),
                        _ => merged.push((s, e)),
                    }
                }
                merged
            };
            let mut at = line_start;
            for (s, e) in windows {
                if s > at {
                    file.text.push_str(ELLIPSIS);
                }
                if let Some(part) = text.get(s..e) {
                    push_part(&mut file, &mut map, s, part);
                }
                at = e;
            }
            if at < line_end {
                file.text.push_str(ELLIPSIS);
            }
            file.text.push('\n');
            for &q in &on_line {
                file.columns
                    .push((map_offset(&map, q), self.column(id, text, q)));
            }
        }
        (file, map)
    }
}

/// Appends the part of a line starting at `start` to the compact file,
/// each character that must not reach a terminal escaped, and records the
/// kept ranges in `map` (an escaped character maps to its escape's start).
fn push_part(file: &mut CompactFile, map: &mut Map, start: usize, part: &str) {
    let mut run = 0usize;
    for (i, c) in part.char_indices() {
        if escaped(c) {
            map.push((start + run, start + i, file.text.len()));
            file.text.push_str(part.get(run..i).unwrap_or(""));
            map.push((start + i, start + i, file.text.len()));
            crate::text::push_escaped(&mut file.text, c);
            run = i + c.len_utf8();
        }
    }
    map.push((start + run, start + part.len(), file.text.len()));
    file.text.push_str(part.get(run..).unwrap_or(""));
}

/// Characters in a byte range of UTF-8 text: its bytes that are not
/// continuation bytes (exact on any range of whole characters, and additive
/// over adjacent ranges).
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// Kept ranges `(old_start, old_end, new_start)`, in order.
type Map = Vec<(usize, usize, usize)>;

fn map_offset(map: &Map, offset: usize) -> usize {
    let i = map.partition_point(|&(start, _, _)| start <= offset);
    match i.checked_sub(1).and_then(|i| map.get(i)) {
        None => 0,
        Some(&(start, end, new_start)) => new_start + offset.min(end) - start,
    }
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::diagnostic::FileId;

    fn one(text: &str, span: Span) -> (Compact, Diagnostic) {
        let mut sources = Sources::new();
        sources.add("f", text);
        let d = Diagnostic::error("E0001", "x").primary(FileId(0), span, "here");
        Index::new(&sources).compact(&d)
    }

    #[test]
    fn short_lines_are_kept_whole_with_their_numbers() {
        let (c, d) = one("abc\ndef\nghi\n", Span::new(5, 6));
        assert_eq!(c.files[0].text, "def\n");
        assert_eq!(c.line_number(0, 0).ok(), Some(2));
        assert_eq!(d.labels[0].span, Span::new(1, 2));
        assert_eq!(c.column_number(0, 0, 1).ok(), Some(2));
    }

    #[test]
    fn a_long_line_keeps_windows_around_the_labels() {
        let line = "x".repeat(100_000);
        let text = format!("short\n{line}\nend\n");
        let p = 6 + 50_000;
        let (c, d) = one(&text, Span::new(p, p + 2));
        let t = &c.files[0].text;
        assert!(t.len() < 400, "{}", t.len());
        assert!(t.contains('…'));
        let s = d.labels[0].span;
        assert_eq!(&t[s.start as usize..s.end as usize], "xx");
        assert_eq!(c.line_number(0, 0).ok(), Some(2));
        assert_eq!(c.column_number(0, 0, s.start as usize).ok(), Some(50_001));
    }

    #[test]
    fn columns_count_characters() {
        let line = "é".repeat(600);
        let (c, d) = one(&line, Span::new(601, 603));
        let t = &c.files[0].text;
        let s = d.labels[0].span;
        assert!(t.is_char_boundary(s.start as usize) && t.is_char_boundary(s.end as usize));
        assert_eq!(c.column_number(0, 0, s.start as usize).ok(), Some(301));
    }
}
