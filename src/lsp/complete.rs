//! Completion: the names of the kind the grammar expects at the cursor
//! (roles after `include`, permissions after `grant`, scopes after `on`,
//! editions after `in edition`, …), else the keywords that can start the
//! next item.

use super::document::Document;
use super::index::{Index, NameKind};
use lsp_types::{CompletionItem, CompletionItemKind, CompletionTextEdit, Range, TextEdit};

/// A token of the text before the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token<'a> {
    /// A name, keyword or pattern (`a.b.*`).
    Word(&'a str),
    /// A string literal.
    Text,
    /// Punctuation: `{`, `}`, `,`, `<`, `>`, `->`.
    Punct(&'a str),
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*')
}

/// Tokens of `text`, comments skipped.
fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            rest.find("*/").map_or(rest.len(), |i| i + 2)
        } else if c == '"' {
            out.push(Token::Text);
            let mut escaped = false;
            let mut end = rest.len();
            for (i, ch) in rest.char_indices().skip(1) {
                match ch {
                    '\\' if !escaped => escaped = true,
                    '"' | '\n' if !escaped => {
                        end = i + 1;
                        break;
                    }
                    _ => escaped = false,
                }
            }
            end
        } else if rest.starts_with("->") {
            out.push(Token::Punct("->"));
            2
        } else if is_word_char(c) && c != '-' {
            let end = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
            out.push(Token::Word(rest.get(..end).unwrap_or("")));
            end
        } else if c.is_whitespace() {
            c.len_utf8()
        } else {
            out.push(Token::Punct(rest.get(..c.len_utf8()).unwrap_or("")));
            c.len_utf8()
        };
        rest = rest.get(len.max(1)..).unwrap_or("");
    }
    out
}

/// What the cursor expects.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expect {
    Names(NameKind),
    /// Roles of the enclosing role's scope kind (what `include` accepts).
    Included,
    Keywords(&'static [&'static str]),
}

const TOP_LEVEL: &[&str] = &[
    "policy",
    "edition",
    "scope",
    "permissions",
    "role",
    "rank",
    "at",
    "exactly",
    "members",
    "bootstrap",
    "groups",
    "assert",
    "allow",
    "lint",
];
const ROLE_ITEMS: &[&str] = &["description", "include", "grant", "grantable", "imply"];
const PERM_ITEMS: &[&str] = &["assigns", "implies"];

fn word<'a>(tokens: &[Token<'a>], back: usize) -> Option<&'a str> {
    match tokens
        .len()
        .checked_sub(back + 1)
        .and_then(|i| tokens.get(i))
    {
        Some(Token::Word(w)) => Some(w),
        _ => None,
    }
}

/// The first word of the declaration the cursor is in, and the depth of
/// braces at the cursor.
fn enclosing<'a>(tokens: &[Token<'a>]) -> (Option<&'a str>, usize) {
    let mut depth = 0usize;
    let mut decl = None;
    for t in tokens {
        match t {
            Token::Punct("{") => depth += 1,
            Token::Punct("}") => depth = depth.saturating_sub(1),
            Token::Word(w) if depth == 0 && starts_decl(w) => decl = Some(*w),
            _ => {}
        }
    }
    (decl, depth)
}

/// A word that starts a declaration wherever it is written at the top
/// level (`edition`, `allow` and `at` also appear inside declarations).
fn starts_decl(w: &str) -> bool {
    TOP_LEVEL.contains(&w) && !matches!(w, "edition" | "allow" | "at")
}

fn expect(tokens: &[Token<'_>]) -> Expect {
    use NameKind::{Edition, Permission, Role, Scope};
    let (decl, depth) = enclosing(tokens);
    // Skip back over `NAME ,` pairs of a list to the word that starts it.
    let mut back = 0;
    while matches!(
        tokens
            .len()
            .checked_sub(back + 1)
            .and_then(|i| tokens.get(i)),
        Some(Token::Punct(","))
    ) {
        back += 2;
    }
    let last = tokens
        .len()
        .checked_sub(back + 1)
        .and_then(|i| tokens.get(i));
    let before = word(tokens, back + 1);
    match last {
        Some(Token::Punct("<" | ">" | "->")) => return Expect::Names(Role),
        Some(Token::Word(w)) => match *w {
            "include" => return Expect::Included,
            "assigns" | "imply" | "implies" | "fallback" | "rank" | "escalation" | "exclusive"
            | "only" | "as" => return Expect::Names(Role),
            "grant" | "grantable" | "can" | "never" => return Expect::Names(Permission),
            "every" | "per" => return Expect::Names(Scope),
            "of" if before == Some("one") => return Expect::Names(Role),
            "one" if before == Some("least") => return Expect::Names(Role),
            "to" if before == Some("up") => return Expect::Names(Role),
            "at" => return Expect::Keywords(&["least", "most"]),
            "least" => return Expect::Keywords(&["one"]),
            "are" => return Expect::Keywords(&["members"]),
            "up" => return Expect::Keywords(&["to"]),
            "of" => return Expect::Names(Scope),
            "default" if before == Some("configurable") => return Expect::Keywords(&["on", "off"]),
            "default" => return Expect::Names(Role),
            "configurable" => return Expect::Keywords(&["default"]),
            "edition" if before == Some("in") => return Expect::Names(Edition),
            "in" if decl == Some("scope") => return Expect::Names(Scope),
            "in" => return Expect::Keywords(&["edition"]),
            "on" if matches!(before, Some("permissions" | "groups")) => {
                return Expect::Names(Scope)
            }
            "on" if word(tokens, back + 2) == Some("role") => return Expect::Names(Scope),
            "on" if matches!(word(tokens, back + 2), Some("imply" | "implies")) => {
                return Expect::Keywords(&["every"])
            }
            "prune" => return Expect::Keywords(&["on"]),
            "assert" => return Expect::Keywords(&["only", "exclusive"]),
            _ => {}
        },
        _ => {}
    }
    match (decl, depth) {
        (Some("role"), 1) => Expect::Keywords(ROLE_ITEMS),
        (Some("permissions"), d) if d >= 2 => Expect::Keywords(PERM_ITEMS),
        (Some("groups"), 1) => Expect::Keywords(&["upgrade", "prune"]),
        (_, 0) => Expect::Keywords(TOP_LEVEL),
        _ => Expect::Keywords(&[]),
    }
}

/// Completions at a byte offset; `names` is the index of the last text that
/// parsed when this one does not.
pub fn complete(doc: &Document, names: &Index, offset: usize) -> Vec<CompletionItem> {
    let offset = offset.min(doc.text.len());
    let before = doc.text.get(..offset).unwrap_or("");
    // The word being typed, replaced whole (dots included).
    let start = before.rfind(|c: char| !is_word_char(c)).map_or(0, |i| {
        i + before
            .get(i..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8)
    });
    let typed_start = start.min(offset);
    let range = Range {
        start: doc.lines.position(&doc.text, typed_start),
        end: doc.lines.position(&doc.text, offset),
    };
    let toks = tokens(doc.text.get(..typed_start).unwrap_or(""));
    let item = |label: &str, kind: CompletionItemKind, detail: Option<String>| CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range,
            new_text: label.to_string(),
        })),
        ..CompletionItem::default()
    };
    match expect(&toks) {
        Expect::Keywords(words) => words
            .iter()
            .map(|w| item(w, CompletionItemKind::KEYWORD, None))
            .collect(),
        Expect::Names(kind) => {
            let scope_filter = match kind {
                NameKind::Permission => enclosing_role_scope(&toks),
                _ => None,
            };
            names
                .declared(kind)
                .into_iter()
                .filter(|name| permitted(doc, scope_filter, name))
                .map(|name| item(name, item_kind(kind), detail(doc, kind, name)))
                .collect()
        }
        Expect::Included => {
            let role = enclosing_role(&toks);
            names
                .declared(NameKind::Role)
                .into_iter()
                .filter(|name| Some(*name) != role.map(|r| r.0) && same_scope(doc, role, name))
                .map(|name| {
                    item(
                        name,
                        item_kind(NameKind::Role),
                        detail(doc, NameKind::Role, name),
                    )
                })
                .collect()
        }
    }
}

/// The role whose body the cursor is in and its scope (`role ID on SCOPE`).
fn enclosing_role<'a>(tokens: &[Token<'a>]) -> Option<(&'a str, &'a str)> {
    let i = tokens.iter().rposition(|t| *t == Token::Word("role"))?;
    match (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3)) {
        (Some(Token::Word(role)), Some(Token::Word("on")), Some(Token::Word(scope))) => {
            Some((role, scope))
        }
        _ => None,
    }
}

fn enclosing_role_scope<'a>(tokens: &[Token<'a>]) -> Option<&'a str> {
    enclosing_role(tokens).map(|(_, scope)| scope)
}

/// A role `include` may name: one of the same scope kind.
fn same_scope(doc: &Document, role: Option<(&str, &str)>, other: &str) -> bool {
    let (Some((_, scope)), Some(policy)) = (role, &doc.policy) else {
        return true;
    };
    let model = &policy.model;
    match (
        model.scope_id(scope),
        model.role_id(other).and_then(|r| model.role(r)),
    ) {
        (Some(s), Some(r)) => r.scope == s,
        _ => true,
    }
}

/// A permission is offered in a role's `grant` when it is declared on the
/// role's scope kind or one inside it (what a grant may name).
fn permitted(doc: &Document, role_scope: Option<&str>, perm: &str) -> bool {
    let (Some(scope), Some(policy)) = (role_scope, &doc.policy) else {
        return true;
    };
    let model = &policy.model;
    match (
        model.scope_id(scope),
        model.perm_id(perm).and_then(|p| model.perm(p)),
    ) {
        (Some(outer), Some(p)) => model.scope_within(p.scope, outer),
        _ => true,
    }
}

fn item_kind(kind: NameKind) -> CompletionItemKind {
    match kind {
        NameKind::Scope => CompletionItemKind::MODULE,
        NameKind::Role => CompletionItemKind::CLASS,
        NameKind::Permission => CompletionItemKind::FIELD,
        NameKind::Edition => CompletionItemKind::ENUM_MEMBER,
    }
}

fn detail(doc: &Document, kind: NameKind, name: &str) -> Option<String> {
    let model = &doc.policy.as_ref()?.model;
    match kind {
        NameKind::Role => model
            .role(model.role_id(name)?)
            .map(|r| format!("{} (role on {})", r.display, model.scope_name(r.scope))),
        NameKind::Permission => model
            .perm(model.perm_id(name)?)
            .map(|p| format!("{} (on {})", p.description, model.scope_name(p.scope))),
        NameKind::Scope => model
            .scope(model.scope_id(name)?)
            .map(|s| s.display.clone()),
        NameKind::Edition => model
            .editions
            .get(model.edition_id(name)?.index())
            .map(|e| e.display.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Expect {
        expect(&tokens(text))
    }

    #[test]
    fn names_follow_their_keywords() {
        assert_eq!(at("role a on org \"A\" { include "), Expect::Included);
        assert_eq!(at("role a on org \"A\" { include b, "), Expect::Included);
        assert_eq!(
            at("role a on org \"A\" { grant x, "),
            Expect::Names(NameKind::Permission)
        );
        assert_eq!(at("role a on "), Expect::Names(NameKind::Scope));
        assert_eq!(at("permissions on "), Expect::Names(NameKind::Scope));
        assert_eq!(at("scope w \"W\" in "), Expect::Names(NameKind::Scope));
        assert_eq!(
            at("bootstrap first 1 user of o as a in edition "),
            Expect::Names(NameKind::Edition)
        );
        assert_eq!(at("at most one of a, "), Expect::Names(NameKind::Role));
        assert_eq!(at("rank a < "), Expect::Names(NameKind::Role));
        assert_eq!(at("assert a never "), Expect::Names(NameKind::Permission));
        assert_eq!(
            at("permissions on o { p \"P\" { implies a on every "),
            Expect::Names(NameKind::Scope)
        );
        assert_eq!(at("at least one "), Expect::Names(NameKind::Role));
        assert_eq!(at("at least one a per "), Expect::Names(NameKind::Scope));
        assert_eq!(at("members of "), Expect::Names(NameKind::Scope));
        assert_eq!(
            at("members of w are members of "),
            Expect::Names(NameKind::Scope)
        );
        assert_eq!(
            at("groups on w { upgrade roles up to "),
            Expect::Names(NameKind::Role)
        );
        assert_eq!(
            at("edition e \"E\" without rbac fallback a, "),
            Expect::Names(NameKind::Role)
        );
        assert_eq!(at("at "), Expect::Keywords(&["least", "most"]));
        assert_eq!(at("members of w are "), Expect::Keywords(&["members"]));
    }

    #[test]
    fn keywords_where_an_item_starts() {
        assert_eq!(at("scope o \"O\"\n"), Expect::Keywords(TOP_LEVEL));
        assert_eq!(at("role a on o \"A\" { "), Expect::Keywords(ROLE_ITEMS));
        assert_eq!(
            at("role a on o \"A\" { grant x configurable default "),
            Expect::Keywords(&["on", "off"])
        );
        assert_eq!(at("// include\n/* grant */ "), Expect::Keywords(TOP_LEVEL));
    }
}
