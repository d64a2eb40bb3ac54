//! `rbacc fmt`: one canonical layout for policy files.
//!
//! The formatter reads the parse tree (pest pairs, in source order, every
//! token with its byte span) and the comments between tokens, and writes
//! every token again with canonical spacing:
//!
//! - one declaration or block item per line, two spaces of indent per
//!   block, `{` at the end of the line that opens it, `}` on a line of its
//!   own (an empty block with no comment is `{}`);
//! - one space between tokens, none before `,`; tokens themselves (names,
//!   strings with their escapes, `prefix.*`) are kept as written;
//! - a blank line kept where the source has one or more between
//!   declarations or items, none at the start or end of a block or file;
//! - comments kept where written: a comment after a token on its line
//!   stays there; a comment on a line of its own stays on a line of its
//!   own, indented with the item after it. A `//` comment inside a
//!   declaration ends its line; the declaration goes on, indented four more
//!   spaces, on the next one.
//!
//! Only files that parse are formatted ([`format`] returns the parse errors
//! otherwise). Formatting changes whitespace and line ends, nothing else,
//! so the formatted file compiles to the same policy, and formatting it
//! again changes nothing.

mod comments;

use crate::syntax::parser::{self, Rule};
use crate::syntax::{self, ParseError};
use comments::{scan_gap, Comment, CommentKind};
use pest::iterators::Pair;

/// Formats a policy source, or returns its parse errors.
pub fn format(source: &str) -> Result<String, Vec<ParseError>> {
    // Limits (size, nesting) and errors in a person's words.
    syntax::parse(source)?;
    let pairs = parser::parse_file(source).map_err(|_| {
        vec![ParseError::Syntax {
            span: crate::span::Span::new(0, 0),
            expected: vec!["a policy that parses".to_string()],
            found: "a parse error".to_string(),
            unclosed: None,
            help: None,
        }]
    })?;
    let mut tokens = Vec::new();
    for pair in pairs {
        flatten(pair, false, &mut tokens);
    }
    let mut printer = Printer::new(source);
    for token in &tokens {
        printer.token(token);
    }
    printer.finish();
    Ok(printer.out)
}

/// Whether `source` is already in canonical layout (`Ok(true)`).
pub fn is_formatted(source: &str) -> Result<bool, Vec<ParseError>> {
    format(source).map(|formatted| formatted == source)
}

/// One token of the parse tree.
#[derive(Clone, Copy, Debug)]
struct Token {
    rule: Rule,
    start: usize,
    end: usize,
    /// The token starts a declaration or a block item: it begins a line.
    starts_line: bool,
}

/// Rules whose pairs start a line: declarations and block items.
fn starts_line(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::policy_decl
            | Rule::edition_decl
            | Rule::scope_decl
            | Rule::permissions_decl
            | Rule::role_decl
            | Rule::rank_decl
            | Rule::cardinality_decl
            | Rule::at_least_decl
            | Rule::containment_decl
            | Rule::bootstrap_decl
            | Rule::groups_decl
            | Rule::assert_decl
            | Rule::allow_decl
            | Rule::lint_decl
            | Rule::perm_entry
            | Rule::assigns_clause
            | Rule::implies_clause
            | Rule::description_item
            | Rule::include_item
            | Rule::grant_item
            | Rule::grantable_item
            | Rule::imply_item
            | Rule::upgrade_rule
            | Rule::prune_rule
    )
}

/// Rules written as one token even though pest gives them inner pairs.
fn is_leaf(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::ident
            | Rule::perm_id
            | Rule::string
            | Rule::wildcard
            | Rule::lint_code
            | Rule::number
    )
}

/// The tokens of `pair` in source order. `line` is set when the pair is
/// the first child of a pair that starts a line.
fn flatten(pair: Pair<'_, Rule>, line: bool, out: &mut Vec<Token>) {
    let rule = pair.as_rule();
    if rule == Rule::EOI {
        return;
    }
    let line = line || starts_line(rule);
    let span = pair.as_span();
    let mut inner = pair.clone().into_inner().peekable();
    if is_leaf(rule) || inner.peek().is_none() {
        out.push(Token {
            rule,
            start: span.start(),
            end: span.end(),
            starts_line: line,
        });
        return;
    }
    let mut first = line;
    for child in inner {
        flatten(child, first, out);
        first = false;
    }
}

/// The separator the layout puts before a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sep {
    /// Nothing (before `,`, and `}` of an empty block).
    Glue,
    /// One space.
    Space,
    /// A new line at the block's indent.
    Line,
}

/// Writes tokens and comments with the canonical layout.
struct Printer<'s> {
    source: &'s str,
    out: String,
    /// Current block depth.
    depth: usize,
    /// End of the last token written (where the next gap starts).
    last_end: usize,
    /// Whether anything has been written on the current line.
    line_open: bool,
    /// Whether the last token written was `{` (no blank line after it).
    after_open: bool,
    /// Whether nothing has been written yet (no blank line at the start).
    at_start: bool,
    /// A `//` comment (or a comment ending its source line) ended the line:
    /// the next token goes on a new line.
    must_break: bool,
}

impl<'s> Printer<'s> {
    fn new(source: &'s str) -> Self {
        Printer {
            source,
            out: String::with_capacity(source.len() + source.len() / 8),
            depth: 0,
            last_end: 0,
            line_open: false,
            after_open: false,
            at_start: true,
            must_break: false,
        }
    }

    fn indent(&mut self, depth: usize, continuation: bool) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        if continuation {
            self.out.push_str("    ");
        }
    }

    /// Ends the current line, if one is open.
    fn end_line(&mut self) {
        if self.line_open {
            self.out.push('\n');
            self.line_open = false;
        }
    }

    /// Starts a new line at `depth`; a blank line first when the source
    /// has one (`blank`) and the place allows it.
    fn new_line(&mut self, depth: usize, continuation: bool, blank: bool) {
        self.end_line();
        if blank && !self.after_open && !self.at_start {
            self.out.push('\n');
        }
        self.indent(depth, continuation);
        self.line_open = true;
        self.at_start = false;
        self.after_open = false;
        self.must_break = false;
    }

    /// Writes the comments of a gap. `depth` is the indent of comments on a
    /// line of their own; `item` says whether the token after the gap
    /// starts a line (else such comments are continuation lines).
    fn comments(&mut self, gap_comments: &[Comment<'_>], depth: usize, item: bool) {
        for c in gap_comments {
            if c.newlines_before == 0 && self.line_open && !self.must_break {
                self.out.push(' ');
                self.out.push_str(c.text);
            } else {
                self.new_line(depth, !item, item && c.newlines_before >= 2);
                self.out.push_str(c.text);
            }
            if c.kind == CommentKind::Line || c.newlines_after > 0 {
                self.must_break = true;
            }
        }
    }

    fn token(&mut self, token: &Token) {
        let gap = self.source.get(self.last_end..token.start).unwrap_or("");
        let scanned = scan_gap(gap);
        let closing = token.rule == Rule::rbrace;
        let item = token.starts_line || closing;
        // Comments before `}` belong to the block: its indent, not the `}`'s.
        self.comments(&scanned.comments, self.depth, item);
        if closing {
            self.depth = self.depth.saturating_sub(1);
        }
        let sep = if closing && self.after_open && scanned.comments.is_empty() {
            Sep::Glue
        } else if item {
            Sep::Line
        } else if token.rule == Rule::comma {
            Sep::Glue
        } else {
            Sep::Space
        };
        let text = self.source.get(token.start..token.end).unwrap_or("");
        match sep {
            _ if self.must_break => {
                let blank = item && !closing && scanned.newlines_after_comments >= 2;
                self.new_line(self.depth, !item, blank);
            }
            Sep::Line => {
                let blank = !closing && scanned.newlines_after_comments >= 2;
                self.new_line(self.depth, false, blank);
            }
            Sep::Space => {
                if self.line_open {
                    self.out.push(' ');
                } else {
                    self.new_line(self.depth, true, false);
                }
            }
            Sep::Glue => {}
        }
        self.out.push_str(text);
        self.line_open = true;
        self.at_start = false;
        self.after_open = token.rule == Rule::lbrace;
        if self.after_open {
            self.depth += 1;
        }
        self.last_end = token.end;
    }

    /// Writes the comments after the last token and the final line end.
    fn finish(&mut self) {
        let gap = self.source.get(self.last_end..).unwrap_or("");
        let scanned = scan_gap(gap);
        self.comments(&scanned.comments, 0, true);
        self.end_line();
    }
}

#[cfg(test)]
mod tests;
