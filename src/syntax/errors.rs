//! Parse errors as plain data, and their words for people.

use super::parser::Rule;
use crate::diagnostic::{Diagnostic, FileId};
use crate::limits;
use crate::span::Span;

/// A problem found while reading the text of a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// The text does not follow the grammar.
    Syntax {
        /// Where parsing stopped.
        span: Span,
        /// What would have been accepted, in words a person reads.
        expected: Vec<String>,
        /// What was found instead.
        found: String,
        /// The `{` left open, when the file ends inside a block.
        unclosed: Option<Span>,
        /// A suggested fix, phrased as an action.
        help: Option<String>,
    },
    /// A string not closed before the end of its line.
    UnterminatedString {
        /// From the opening quote to the end of the line.
        span: Span,
    },
    /// A `/* … */` comment not closed before the end of the file.
    UnterminatedComment {
        /// The opening `/*`.
        span: Span,
    },
    /// A `\` escape that is not one of the known ones.
    BadEscape {
        /// The escape.
        span: Span,
    },
    /// A number too large.
    BadNumber {
        /// The number.
        span: Span,
    },
    /// Braces nested deeper than the limit.
    TooDeep {
        /// The brace past the limit.
        span: Span,
        /// The limit.
        limit: usize,
    },
    /// The parser gave up after [`limits::PEST_CALL_LIMIT`] steps.
    TooComplex {
        /// Where it stopped.
        span: Span,
        /// The limit.
        limit: usize,
    },
    /// The file is larger than the limit.
    TooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
}

/// The help for a `;` where a declaration starts.
const NO_SEMICOLON: &str = "declarations need no `;`: remove it";

impl ParseError {
    /// The code the `help:` line proposes, as edits, when it proposes code:
    /// the keyword a misspelt word was meant to be, or a `;` removed.
    pub fn fix(&self) -> Option<crate::suggest::Fix> {
        let ParseError::Syntax {
            span,
            help: Some(help),
            unclosed: None,
            ..
        } = self
        else {
            return None;
        };
        if help == NO_SEMICOLON {
            return Some(crate::suggest::Fix::replace(*span, ""));
        }
        let keyword = help.strip_prefix("did you mean `")?.strip_suffix("`?")?;
        Some(crate::suggest::Fix::replace(*span, keyword))
    }

    /// The diagnostic for this error in `file`.
    pub fn to_diagnostic(&self, file: FileId) -> Diagnostic {
        match self {
            ParseError::Syntax {
                span,
                expected,
                found,
                unclosed,
                help,
            } => {
                let expected = join_or(expected);
                if let Some(open) = unclosed {
                    // The error is where the parser gave up; the cause is
                    // the `{` left open, so that is where it points.
                    return Diagnostic::error("E0001", "unclosed `{`")
                        .primary(file, *open, "this `{` is never closed")
                        .secondary(
                            file,
                            *span,
                            format!("the parser gave up here: expected {expected}, found {found}"),
                        )
                        .help("close the block with `}` where it ends");
                }
                Diagnostic::error("E0001", format!("expected {expected}, found {found}"))
                    .primary(file, *span, format!("expected {expected}"))
                    .maybe_help(help.clone())
            }
            ParseError::UnterminatedString { span } => Diagnostic::error(
                "E0001",
                "unterminated string",
            )
            .primary(
                file,
                *span,
                "this string is not closed before the end of the line",
            )
            .help("close it with `\"`; strings cannot span lines (write `\\n` for a line break)"),
            ParseError::UnterminatedComment { span } => {
                Diagnostic::error("E0001", "unterminated block comment")
                    .primary(file, *span, "this comment is never closed")
                    .help("close it with `*/`")
            }
            ParseError::BadEscape { span } => {
                Diagnostic::error("E0002", "unknown escape in string")
                    .primary(file, *span, "not a valid escape")
                    .help("use one of `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r` or `\\u{…}`")
            }
            ParseError::BadNumber { span } => Diagnostic::error("E0003", "number too large")
                .primary(file, *span, "must be at most 4294967295"),
            ParseError::TooDeep { span, limit } => {
                Diagnostic::error("E0004", format!("blocks nested deeper than {limit} levels"))
                    .primary(file, *span, "this block is too deep")
                    .help("flatten the nesting; no policy needs this depth")
            }
            ParseError::TooComplex { span, limit } => Diagnostic::error(
                "E0005",
                format!("policy too complex to parse: the parser stopped after {limit} steps"),
            )
            .primary(file, *span, "parsing stopped here")
            .help("split very long lists (grants, includes, ranks) over several declarations"),
            ParseError::TooLarge { len, limit } => Diagnostic::error(
                "E0005",
                format!("policy file is {len} bytes, larger than the limit of {limit} bytes"),
            )
            .primary(file, Span::new(0, 0), "file starts here"),
        }
    }
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Rejects input whose `{` nesting exceeds the limit, before pest recurses.
pub(crate) fn check_nesting(source: &str) -> Option<ParseError> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 1,
                        b'"' | b'\n' => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while bytes.get(i).is_some() && bytes.get(i..i + 2) != Some(b"*/".as_slice()) {
                    i += 1;
                }
                i += 1;
            }
            b'{' => {
                depth += 1;
                if depth > limits::MAX_NESTING {
                    return Some(ParseError::TooDeep {
                        span: Span::new(i, i + 1),
                        limit: limits::MAX_NESTING,
                    });
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The first word of every declaration, as `rule_words` shows it.
const DECLARATION_STARTS: &[&str] = &[
    "`policy`",
    "`edition`",
    "`scope`",
    "`permissions`",
    "`role`",
    "`rank`",
    "`at most` or `exactly`",
    "`at`",
    "`members`",
    "`bootstrap`",
    "`groups`",
    "`assert`",
    "`allow`",
    "`lint`",
];

/// Words that start an item of a role block.
const ROLE_ITEMS: &[&str] = &["grant", "grantable", "include", "imply", "description"];

/// Converts a pest error into a [`ParseError`] in a person's words.
pub(crate) fn from_pest(source: &str, err: &pest::error::Error<Rule>) -> ParseError {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // pest's call limit ends the parse with a custom error: not a syntax
    // error of the text, so not reported as one.
    if let ErrorVariant::CustomError { message } = &err.variant {
        if message.contains("call limit") {
            return ParseError::TooComplex {
                span: Span::new(pos, pos),
                limit: limits::PEST_CALL_LIMIT,
            };
        }
    }
    let rest = source.get(pos..).unwrap_or("");
    if rest.starts_with("/*") {
        return ParseError::UnterminatedComment {
            span: Span::new(pos, pos + 2),
        };
    }
    if let Some(open) = open_string_start(source, pos) {
        if rest.starts_with('\\') {
            return ParseError::BadEscape {
                span: Span::new(pos, pos + bad_escape_len(rest)),
            };
        }
        let line_end = rest.find(['\n', '\r']).map_or(source.len(), |i| pos + i);
        return ParseError::UnterminatedString {
            span: Span::new(open, line_end),
        };
    }
    let positives: Vec<Rule> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let mut expected: Vec<String> = positives.iter().filter_map(|r| rule_words(*r)).collect();
    // At the start of a declaration pest lists every keyword; say it in one
    // phrase. `file` is what pest reports when nothing at all matched.
    let at_declaration = positives.contains(&Rule::file)
        || DECLARATION_STARTS
            .iter()
            .all(|k| expected.iter().any(|e| e == k));
    let mut keywords: Vec<String> = expected
        .iter()
        .filter(|e| e.starts_with('`') && e.ends_with('`') && e.matches('`').count() == 2)
        .map(|e| e.trim_matches('`').to_string())
        .collect();
    if at_declaration {
        keywords.extend(
            [
                "policy",
                "edition",
                "scope",
                "permissions",
                "role",
                "rank",
                "exactly",
            ]
            .map(String::from),
        );
        keywords.extend(
            [
                "bootstrap",
                "groups",
                "assert",
                "allow",
                "lint",
                "members",
                "at",
            ]
            .map(String::from),
        );
        expected.retain(|e| !DECLARATION_STARTS.contains(&e.as_str()) && e != "end of file");
        expected.push("a declaration (`scope`, `permissions`, `role`, …)".to_string());
        expected.push("end of file".to_string());
    }
    expected.sort();
    expected.dedup();
    if let Some(last) = expected.iter().position(|e| e == "end of file") {
        // "… or end of file" reads best last.
        let eof = expected.remove(last);
        expected.push(eof);
    }
    let (found, len) = found_at(source, pos);
    let word = rest.get(..len).unwrap_or("");
    let at_eof = rest.trim_start().is_empty() && len == 0;
    // At the end of the file, point just after the last thing written.
    let pos = if at_eof { source.trim_end().len() } else { pos };
    let unclosed = unclosed_brace(source, pos, at_eof && expected.iter().any(|e| e == "`}`"));
    let help = syntax_help(word, &found, at_declaration, &keywords);
    ParseError::Syntax {
        span: Span::new(pos, pos + len),
        expected,
        found,
        unclosed,
        help,
    }
}

/// A hint for a syntax error, from the word found and what was expected.
fn syntax_help(
    word: &str,
    found: &str,
    at_declaration: bool,
    keywords: &[String],
) -> Option<String> {
    let first = word.chars().next();
    if found.starts_with("non-ASCII")
        || (!word.is_ascii() && first.is_some_and(char::is_alphanumeric))
    {
        return Some(
            "names use ASCII letters, digits, `_` and `-` only; other characters belong in strings"
                .to_string(),
        );
    }
    match first {
        Some('“' | '”' | '„' | '«' | '»' | '‘' | '’') => {
            return Some("write strings between straight double quotes: `\"…\"`".to_string())
        }
        Some(';') => return Some(NO_SEMICOLON.to_string()),
        _ => {}
    }
    if at_declaration && ROLE_ITEMS.contains(&word) {
        return Some(format!(
            "`{word}` belongs inside a role's block: `role NAME on SCOPE \"Name\" {{ {word} … }}`"
        ));
    }
    if word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !word.is_empty()
    {
        let candidates = keywords.iter().map(String::as_str);
        if let Some(k) = crate::suggest::did_you_mean(word, candidates) {
            return Some(format!("did you mean `{k}`?"));
        }
    }
    None
}

/// The offset of the opening quote of the string that `pos` is inside, if
/// it is inside one. Strings do not span lines, so only `pos`'s line is read.
fn open_string_start(source: &str, pos: usize) -> Option<usize> {
    let before = source.get(..pos)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.get(line_start..)?;
    if in_block_comment(source.get(..line_start)?) {
        return None;
    }
    let mut open = None;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (open, c) {
            (None, '"') => open = Some(line_start + i),
            (None, '/') if chars.peek().is_some_and(|(_, n)| *n == '/') => return None,
            (None, '/') if chars.peek().is_some_and(|(_, n)| *n == '*') => {
                // A block comment inside this line: skip to its end.
                let _ = chars.next();
                let mut prev = ' ';
                for (_, n) in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            (Some(_), '\\') => {
                let _ = chars.next();
            }
            (Some(_), '"') => open = None,
            _ => {}
        }
    }
    open
}

/// Whether text ends inside an unclosed `/* … */` comment (strings and line
/// comments are skipped).
fn in_block_comment(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0usize;
    let mut inside = false;
    while let Some(&b) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        if inside {
            if b == b'*' && next == Some(b'/') {
                inside = false;
                i += 1;
            }
        } else if b == b'/' && next == Some(b'*') {
            inside = true;
            i += 1;
        } else if b == b'/' && next == Some(b'/') {
            while bytes.get(i).is_some_and(|&c| c != b'\n') {
                i += 1;
            }
        } else if b == b'"' {
            i += 1;
            while let Some(&c) = bytes.get(i) {
                match c {
                    b'\\' => i += 1,
                    b'"' | b'\n' => break,
                    _ => {}
                }
                i += 1;
            }
        }
        i += 1;
    }
    inside
}

/// The length of a bad escape at the start of `rest` (which starts with `\`):
/// the backslash and the character after it, or a whole `\u{…` up to its
/// closing brace, quote or line end.
fn bad_escape_len(rest: &str) -> usize {
    let mut chars = rest.char_indices().skip(1);
    match chars.next() {
        None => 1,
        Some((_, 'u')) => {
            let mut end = 2;
            for (i, c) in rest.char_indices().skip(2) {
                if c == '"' || c == '\n' || c == '\r' {
                    break;
                }
                end = i + c.len_utf8();
                if c == '}' || i > 12 {
                    break;
                }
            }
            end
        }
        Some((i, c)) => i + c.len_utf8(),
    }
}

/// The `{` a syntax error at `pos` most likely comes from, if any.
///
/// A `}` that is the first thing on its line and less indented than the
/// line of the `{` it closes was meant for an outer block: the `{` it
/// closes is then the one left open (the first such, when the error is
/// still inside a block). At the end of the file (`at_eof`), the innermost
/// `{` still open.
fn unclosed_brace(source: &str, pos: usize, at_eof: bool) -> Option<Span> {
    let bytes = source.as_bytes();
    // Open braces: (offset, indent of their line).
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut mismatched: Option<usize> = None;
    let mut line_start = 0usize;
    let indent_at = |start: usize| {
        bytes
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count()
    };
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        if i >= pos && !at_eof {
            break;
        }
        let next = bytes.get(i + 1).copied();
        match b {
            b'\n' => line_start = i + 1,
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 1,
                        b'"' => break,
                        b'\n' => {
                            line_start = i + 1;
                            break;
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'/' if next == Some(b'/') => {
                while bytes.get(i + 1).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'/' if next == Some(b'*') => {
                i += 2;
                while bytes.get(i).is_some() && bytes.get(i..i + 2) != Some(b"*/".as_slice()) {
                    if bytes.get(i) == Some(&b'\n') {
                        line_start = i + 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'{' => open.push((i, indent_at(line_start))),
            b'}' => {
                let indent = indent_at(line_start);
                let first_on_line = line_start + indent == i;
                if let Some((brace, brace_indent)) = open.pop() {
                    if first_on_line && indent < brace_indent && mismatched.is_none() {
                        mismatched = Some(brace);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    if open.is_empty() {
        return None;
    }
    let brace = if at_eof {
        mismatched.or(open.last().map(|&(b, _)| b))?
    } else {
        mismatched?
    };
    Some(Span::new(brace, brace + 1))
}

/// Describes the token at `pos` and its length in bytes.
fn found_at(source: &str, pos: usize) -> (String, usize) {
    let rest = source.get(pos..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("end of file".to_string(), 0);
    };
    if first == '"' {
        // The whole string, up to its closing quote on this line.
        let mut len = 1;
        let mut escaped = false;
        for (i, c) in rest.char_indices().skip(1) {
            if c == '\n' || c == '\r' {
                break;
            }
            len = i + c.len_utf8();
            if c == '"' && !escaped {
                break;
            }
            escaped = c == '\\' && !escaped;
        }
        return ("a string".to_string(), len);
    }
    if !first.is_ascii() && first.is_alphanumeric() {
        let in_word = source
            .get(..pos)
            .and_then(|b| b.chars().next_back())
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if in_word || !rest.chars().skip(1).any(|c| c.is_ascii_alphanumeric()) {
            return (format!("non-ASCII character `{first}`"), first.len_utf8());
        }
    }
    if first.is_alphanumeric() || first == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
            .take(40)
            .collect();
        let word = word.trim_end_matches('.');
        let len = word.len();
        return (format!("`{word}`"), len);
    }
    let shown = match first {
        '\n' | '\r' => "end of line".to_string(),
        c if c.is_control() => format!("character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    };
    (shown, first.len_utf8())
}

/// The words a person reads for a grammar rule; `None` hides the rule.
fn rule_words(rule: Rule) -> Option<String> {
    let s = match rule {
        Rule::EOI => "end of file",
        Rule::ident | Rule::ident_list => "a name",
        Rule::perm_id => "a permission id",
        Rule::pattern | Rule::wildcard => "a permission pattern (`id`, `prefix.*` or `*`)",
        Rule::string | Rule::quote => "a string",
        Rule::string_inner | Rule::escape => "the rest of the string",
        Rule::number => "a number",
        Rule::lbrace | Rule::perm_body | Rule::role_body => "`{`",
        Rule::rbrace => "`}`",
        Rule::comma => "`,`",
        Rule::dot => "`.`",
        Rule::star => "`*`",
        Rule::lt | Rule::ascending => "`<`",
        Rule::gt | Rule::descending => "`>`",
        Rule::arrow => "`->`",
        Rule::policy_decl | Rule::kw_policy => "`policy`",
        Rule::edition_decl | Rule::kw_edition | Rule::edition_filter => "`edition`",
        Rule::without_rbac | Rule::without_roles | Rule::kw_without => "`without`",
        Rule::kw_rbac => "`rbac`",
        Rule::kw_fallback => "`fallback`",
        Rule::scope_decl | Rule::kw_scope => "`scope`",
        Rule::scope_parent | Rule::kw_in => "`in`",
        Rule::upgrade_rule | Rule::kw_upgrade => "`upgrade`",
        Rule::kw_roles => "`roles`",
        Rule::permissions_decl | Rule::kw_permissions => "`permissions`",
        Rule::kw_on => "`on`",
        Rule::kw_off => "`off`",
        Rule::switch => "`on` or `off`",
        Rule::assigns_clause | Rule::kw_assigns => "`assigns`",
        Rule::implies_clause | Rule::kw_implies => "`implies`",
        Rule::perm_entry => "a permission id",
        Rule::kw_every => "`every`",
        Rule::role_decl | Rule::kw_role => "`role`",
        Rule::description_item | Rule::kw_description => "`description`",
        Rule::include_item | Rule::kw_include => "`include`",
        Rule::grant_item | Rule::kw_grant => "`grant`",
        Rule::grantable_item | Rule::kw_grantable => "`grantable`",
        Rule::configurable | Rule::kw_configurable => "`configurable`",
        Rule::default_role | Rule::kw_default => "`default`",
        Rule::imply_item | Rule::kw_imply => "`imply`",
        Rule::rank_decl | Rule::kw_rank => "`rank`",
        Rule::cardinality_decl | Rule::quantity => "`at most` or `exactly`",
        Rule::kw_one => "`one`",
        Rule::kw_of => "`of`",
        Rule::kw_per => "`per`",
        Rule::at_most | Rule::kw_at => "`at`",
        Rule::kw_most => "`most`",
        Rule::at_least_decl | Rule::at_least => "`at least`",
        Rule::kw_least => "`least`",
        Rule::containment_decl | Rule::kw_members => "`members`",
        Rule::kw_are => "`are`",
        Rule::upgrade_bound | Rule::kw_up => "`up`",
        Rule::kw_to => "`to`",
        Rule::kw_exactly => "`exactly`",
        Rule::bootstrap_decl | Rule::kw_bootstrap => "`bootstrap`",
        Rule::kw_first => "`first`",
        Rule::kw_users | Rule::kw_user => "`users`",
        Rule::kw_as => "`as`",
        Rule::groups_decl | Rule::kw_groups => "`groups`",
        Rule::prune_rule | Rule::kw_prune => "`prune`",
        Rule::kw_downgrade => "`downgrade`",
        Rule::assert_decl | Rule::kw_assert => "`assert`",
        Rule::assert_only | Rule::kw_only => "`only`",
        Rule::kw_can => "`can`",
        Rule::assert_exclusive | Rule::kw_exclusive => "`exclusive`",
        Rule::assert_never => "a role name",
        Rule::kw_never => "`never`",
        Rule::allow_decl | Rule::kw_allow => "`allow`",
        Rule::kw_escalation => "`escalation`",
        Rule::kw_because => "`because`",
        Rule::lint_decl | Rule::kw_lint => "`lint`",
        Rule::lint_code => "a lint code",
        Rule::lint_level => "`allow`, `warn` or `deny`",
        Rule::kw_warn => "`warn`",
        Rule::kw_deny => "`deny`",
        Rule::file => "a declaration (`scope`, `permissions`, `role`, …)",
        Rule::decl
        | Rule::perm_item
        | Rule::role_item
        | Rule::group_rule
        | Rule::ident_char
        | Rule::WHITESPACE
        | Rule::COMMENT => return None,
    };
    Some(s.to_string())
}
