//! W0307 and W0308: characters a reader cannot see ("Trojan Source",
//! CVE-2021-42574) in comments and strings.
//!
//! A bidirectional control in a comment can make an editor show
//! `grant ws.read // read only` for a line that grants more; a zero-width
//! character makes two names look equal. The scan runs on the text before
//! parsing, so it reports even a file with other errors.
//!
//! - W0307 (`hidden-character-in-comment`): a bidirectional control,
//!   invisible or control character in a comment or between tokens. An
//!   error by default, as rustc's `text_direction_codepoint_in_comment`.
//! - W0308 (`hidden-character-in-string`): the same in a quoted string. A
//!   warning by default (a zero-width joiner can belong in a display name).
//!
//! Their levels are set on the command line only (`--lint W0307=warn`): a
//! `lint` line in the file itself could be part of the attack.
//!
//! [`yaml_comments`] does the same for the comments of a YAML file.

use super::LintConfig;
use crate::diagnostic::{Diagnostic, FileId, Severity};
use crate::limits;
use crate::span::Span;
use crate::syntax::ast::LintLevel;
use crate::text::{classify, Suspicious};

/// Where a character is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Place {
    Code,
    LineComment,
    BlockComment,
    String,
}

/// Every hidden character of a policy source, one diagnostic per line and
/// kind of place, levels applied (at most [`limits::MAX_DIAGNOSTICS`] + 1).
pub fn policy(source: &str, file: FileId, config: &LintConfig) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut place = Place::Code;
    let mut chars = source.char_indices().peekable();
    let mut last: Option<(usize, bool)> = None; // (line start, in string)
    let mut line_start = 0usize;
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        match (place, c) {
            (_, '\n') => {
                line_start = i + 1;
                if place != Place::BlockComment {
                    place = Place::Code;
                }
                continue;
            }
            (Place::Code, '/') if next == Some('/') => {
                place = Place::LineComment;
                chars.next();
                continue;
            }
            (Place::Code, '/') if next == Some('*') => {
                place = Place::BlockComment;
                chars.next();
                continue;
            }
            (Place::BlockComment, '*') if next == Some('/') => {
                place = Place::Code;
                chars.next();
                continue;
            }
            (Place::Code, '"') => {
                place = Place::String;
                continue;
            }
            (Place::String, '\\') => {
                chars.next();
                continue;
            }
            (Place::String, '"') => {
                place = Place::Code;
                continue;
            }
            _ => {}
        }
        let Some(kind) = classify(c) else {
            continue;
        };
        if i == 0 && c == '\u{feff}' {
            continue; // a byte order mark
        }
        if place == Place::Code && kind != Suspicious::Invisible {
            continue; // not in the grammar: a parse error points at it
        }
        let in_string = place == Place::String;
        if last == Some((line_start, in_string)) {
            continue; // one diagnostic per line and place
        }
        last = Some((line_start, in_string));
        let where_ = match place {
            Place::String => "a string",
            Place::Code => "whitespace between tokens",
            Place::LineComment | Place::BlockComment => "a comment",
        };
        if let Some(d) = diagnostic(file, i, c, kind, in_string, where_, config) {
            out.push(d);
            if out.len() > limits::MAX_DIAGNOSTICS {
                break;
            }
        }
    }
    out
}

fn level(config: &LintConfig, code: &str, default: LintLevel) -> LintLevel {
    config
        .levels
        .iter()
        .rev()
        .find(|(c, _)| *c == code)
        .map_or(default, |(_, l)| *l)
}

fn diagnostic(
    file: FileId,
    at: usize,
    c: char,
    kind: Suspicious,
    in_string: bool,
    place: &str,
    config: &LintConfig,
) -> Option<Diagnostic> {
    let (code, default) = if in_string {
        ("W0308", LintLevel::Warn)
    } else {
        ("W0307", LintLevel::Deny)
    };
    let mut d = Diagnostic::warning(
        code,
        format!("{} U+{:04X} in {place}", kind.describe(), u32::from(c)),
    )
    .primary(
        file,
        Span::new(at, at + c.len_utf8()),
        format!("U+{:04X} here", u32::from(c)),
    )
    .help(help(kind));
    match level(config, code, default) {
        LintLevel::Allow => return None,
        LintLevel::Warn => {}
        LintLevel::Deny => d.severity = Severity::Error,
    }
    Some(d)
}

fn help(kind: Suspicious) -> &'static str {
    match kind {
        Suspicious::Bidi => {
            "remove it: it reorders how editors display the rest of the line, so the line reads differently from what rbacc reads"
        }
        Suspicious::Invisible => {
            "remove it: it displays as nothing, so the text looks like other text"
        }
        Suspicious::Control => "remove it: a control character can rewrite what a terminal shows",
    }
}

/// The hidden characters in the comments of a YAML file (a `#` at the
/// start of a line or after a space or tab, outside quotes on its line),
/// as errors (E0411): membership data is not linted, it is refused. One
/// diagnostic per line, at most [`limits::MAX_DIAGNOSTICS`] + 1.
pub fn yaml_comments(text: &str, file: FileId) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut start = 0usize;
    for line in text.split_inclusive('\n') {
        if let Some(comment) = yaml_comment_start(line) {
            let found = line
                .get(comment..)
                .unwrap_or("")
                .char_indices()
                .find_map(|(i, c)| classify(c).map(|k| (i, c, k)));
            if let Some((i, c, kind)) = found {
                let at = start + comment + i;
                out.push(
                    Diagnostic::error(
                        "E0411",
                        format!(
                            "{} U+{:04X} in a YAML comment",
                            kind.describe(),
                            u32::from(c)
                        ),
                    )
                    .primary(
                        file,
                        Span::new(at, at + c.len_utf8()),
                        format!("U+{:04X} here", u32::from(c)),
                    )
                    .help(help(kind)),
                );
                if out.len() > limits::MAX_DIAGNOSTICS {
                    break;
                }
            }
        }
        start += line.len();
    }
    out
}

/// The report refusing a YAML file with hidden characters in its
/// comments, if it has any (see [`yaml_comments`]).
pub fn yaml_report(name: &str, text: &str) -> Option<crate::diagnostic::Report> {
    let mut sources = crate::diagnostic::Sources::new();
    let file = sources.add(name, text);
    let diagnostics = yaml_comments(text, file);
    (!diagnostics.is_empty()).then_some(crate::diagnostic::Report {
        sources,
        diagnostics,
    })
}

/// The byte offset of a line's comment, if it has one.
fn yaml_comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '#' && (prev == ' ' || prev == '\t' || i == 0) => return Some(i),
            None if (c == '"' || c == '\'')
                && matches!(prev, ' ' | '\t' | ':' | '[' | '{' | ',' | '-') =>
            {
                quote = Some(c)
            }
            None => {}
        }
        prev = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(source: &str) -> Vec<(&'static str, Severity)> {
        policy(source, FileId(0), &LintConfig::default())
            .iter()
            .map(|d| (d.code, d.severity))
            .collect()
    }

    #[test]
    fn comments_are_errors_strings_warnings() {
        assert_eq!(
            codes("role r on s \"R\" { grant p } // \u{202E} read only\n"),
            [("W0307", Severity::Error)]
        );
        assert_eq!(
            codes("/* a\n\u{2066}b */ role r on s \"R\u{200B}\" {}\n"),
            [("W0307", Severity::Error), ("W0308", Severity::Warning)]
        );
        assert!(codes("role r on s \"R // \\\" é\" {} // plain\n").is_empty());
    }

    #[test]
    fn yaml_comments_are_found_outside_quotes() {
        let text = "users: [a] # \u{202E}x\nname: \"a # \u{202E}\"\n# \u{200B}\n";
        let found: Vec<usize> = yaml_comments(text, FileId(0))
            .iter()
            .map(|d| d.labels[0].span.start as usize)
            .collect();
        assert_eq!(found, [13, text.find("# \u{200B}").unwrap_or(0) + 2]);
    }
}
