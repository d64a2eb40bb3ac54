//! The comments in the text between two tokens.

/// `//` or `/* */`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CommentKind {
    /// `// …` to the end of the line.
    Line,
    /// `/* … */`.
    Block,
}

/// One comment of a gap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Comment<'s> {
    /// Its text, markers included.
    pub text: &'s str,
    /// `//` or `/* */`.
    pub kind: CommentKind,
    /// Line ends between the previous token or comment and this comment.
    pub newlines_before: usize,
    /// Line ends between this comment and the next comment or token.
    pub newlines_after: usize,
}

/// A gap: its comments and the line ends after the last of them.
#[derive(Debug, Default)]
pub(super) struct Gap<'s> {
    /// The comments, in order.
    pub comments: Vec<Comment<'s>>,
    /// Line ends between the last comment (or the gap's start) and its end.
    pub newlines_after_comments: usize,
}

/// Splits a gap (whitespace and comments only, as the grammar allows
/// between tokens) into its comments. Anything else, which the grammar
/// does not let through, is kept as a comment so that no text is lost.
pub(super) fn scan_gap(gap: &str) -> Gap<'_> {
    let mut out = Gap::default();
    let bytes = gap.as_bytes();
    let mut i = 0;
    let mut newlines = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => {
                newlines += 1;
                i += 1;
            }
            b'\r' => {
                if bytes.get(i + 1) != Some(&b'\n') {
                    newlines += 1;
                }
                i += 1;
            }
            b' ' | b'\t' => i += 1,
            _ if gap.get(i..).is_some_and(|r| r.starts_with('\u{FEFF}')) => i += 3,
            _ => {
                let rest = gap.get(i..).unwrap_or("");
                let (len, kind) = if rest.starts_with("//") {
                    let len = rest.find(['\n', '\r']).unwrap_or(rest.len());
                    (len, CommentKind::Line)
                } else if let Some(body) = rest.strip_prefix("/*") {
                    // The end is searched after the opening `/*`, as the
                    // grammar does: `/*/` opens a comment, it does not
                    // close one.
                    let len = body.find("*/").map_or(rest.len(), |e| e + 4);
                    (len, CommentKind::Block)
                } else {
                    // Not a comment: keep the run verbatim up to the
                    // grammar's whitespace, at least one character.
                    let first = rest.chars().next().map_or(1, char::len_utf8);
                    let len = rest
                        .find([' ', '\t', '\n', '\r'])
                        .unwrap_or(rest.len())
                        .max(first);
                    (len, CommentKind::Block)
                };
                if let Some(prev) = out.comments.last_mut() {
                    prev.newlines_after = newlines;
                }
                out.comments.push(Comment {
                    text: rest.get(..len).unwrap_or(rest),
                    kind,
                    newlines_before: newlines,
                    newlines_after: 0,
                });
                newlines = 0;
                i += len.max(1);
            }
        }
    }
    if let Some(prev) = out.comments.last_mut() {
        prev.newlines_after = newlines;
    }
    out.newlines_after_comments = newlines;
    out
}
