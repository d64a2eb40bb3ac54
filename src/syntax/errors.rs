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
    /// The file is larger than the limit.
    TooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
}

impl ParseError {
    /// The diagnostic for this error in `file`.
    pub fn to_diagnostic(&self, file: FileId) -> Diagnostic {
        match self {
            ParseError::Syntax {
                span,
                expected,
                found,
            } => {
                let expected = join_or(expected);
                Diagnostic::error("E0001", format!("expected {expected}, found {found}"))
                    .primary(file, *span, format!("expected {expected}"))
            }
            ParseError::BadEscape { span } => {
                Diagnostic::error("E0002", "unknown escape in string")
                    .primary(file, *span, "not a valid escape")
                    .help("use one of `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r` or `\\u{…}`")
            }
            ParseError::BadNumber { span } => {
                Diagnostic::error("E0003", "number too large")
                    .primary(file, *span, "must be at most 4294967295")
            }
            ParseError::TooDeep { span, limit } => {
                Diagnostic::error("E0004", format!("blocks nested deeper than {limit} levels"))
                    .primary(file, *span, "this block is too deep")
                    .help("flatten the nesting; no policy needs this depth")
            }
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

/// Converts a pest error into a [`ParseError::Syntax`] in a person's words.
pub(crate) fn from_pest(source: &str, err: &pest::error::Error<Rule>) -> ParseError {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<String> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|r| rule_words(*r)).collect()
        }
        ErrorVariant::CustomError { message } => vec![message.clone()],
    };
    let declaration_starts = [
        "`policy`",
        "`scope`",
        "`role`",
        "`permissions`",
        "`edition`",
        "`rank`",
    ];
    if declaration_starts.iter().all(|k| expected.iter().any(|e| e == k)) {
        let keep_eof = expected.iter().any(|e| e == "end of file");
        expected = vec!["a declaration (`scope`, `permissions`, `role`, …)".to_string()];
        if keep_eof {
            expected.push("end of file".to_string());
        }
    }
    expected.sort();
    expected.dedup();
    let (found, len) = found_at(source, pos);
    ParseError::Syntax {
        span: Span::new(pos, pos + len),
        expected,
        found,
    }
}

/// Describes the token at `pos` and its length in bytes.
fn found_at(source: &str, pos: usize) -> (String, usize) {
    let rest = source.get(pos..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("end of file".to_string(), 0);
    };
    if first == '"' {
        return ("a string".to_string(), 1);
    }
    if first.is_alphanumeric() || first == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
            .take(40)
            .collect();
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
        Rule::file
        | Rule::decl
        | Rule::perm_item
        | Rule::role_item
        | Rule::group_rule
        | Rule::ident_char
        | Rule::WHITESPACE
        | Rule::COMMENT => return None,
    };
    Some(s.to_string())
}
