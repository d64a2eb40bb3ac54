//! Lowering: pest pairs to the AST.
//!
//! The grammar guarantees the shape of the pairs; where a pair is missing
//! anyway, lowering reports a syntax error instead of panicking.

use super::ast::*;
use super::errors::ParseError;
use super::parser::Rule;
use crate::span::Span;
use pest::iterators::{Pair, Pairs};

type Result<T> = std::result::Result<T, ParseError>;

/// Lowers the pairs of a `file` rule.
pub(crate) fn lower_file(
    mut pairs: Pairs<'_, Rule>,
) -> std::result::Result<PolicyFile, Vec<ParseError>> {
    let mut file = PolicyFile::default();
    let mut errors = Vec::new();
    let Some(file_pair) = pairs.next() else {
        return Ok(file);
    };
    for pair in file_pair.into_inner() {
        if pair.as_rule() == Rule::EOI {
            continue;
        }
        match lower_decl(pair) {
            Ok(decl) => file.decls.push(decl),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(file)
    } else {
        Err(errors)
    }
}

/// A cursor over the children of a pair that turns absence into an error.
struct Inner<'i> {
    span: Span,
    pairs: std::iter::Peekable<Pairs<'i, Rule>>,
}

impl<'i> Inner<'i> {
    fn new(pair: Pair<'i, Rule>) -> Self {
        Inner {
            span: span_of(&pair),
            pairs: pair.into_inner().peekable(),
        }
    }

    fn missing(&self, what: &str) -> ParseError {
        ParseError::Syntax {
            span: Span::new(self.span.end as usize, self.span.end as usize),
            expected: vec![what.to_string()],
            found: "the end of this declaration".to_string(),
            unclosed: None,
            help: None,
        }
    }

    /// The next child, skipping punctuation and keyword tokens.
    fn next(&mut self) -> Option<Pair<'i, Rule>> {
        loop {
            let pair = self.pairs.next()?;
            if !is_token(pair.as_rule()) {
                return Some(pair);
            }
        }
    }

    fn peek_rule(&mut self) -> Option<Rule> {
        while let Some(p) = self.pairs.peek() {
            if is_token(p.as_rule()) {
                self.pairs.next();
            } else {
                return Some(p.as_rule());
            }
        }
        None
    }

    fn expect(&mut self, rule: Rule, what: &str) -> Result<Pair<'i, Rule>> {
        match self.next() {
            Some(p) if p.as_rule() == rule => Ok(p),
            _ => Err(self.missing(what)),
        }
    }

    fn optional(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        if self.peek_rule() == Some(rule) {
            self.next()
        } else {
            None
        }
    }

    fn ident(&mut self) -> Result<Ident> {
        self.expect(Rule::ident, "a name").map(ident)
    }

    fn perm_id(&mut self) -> Result<Ident> {
        self.expect(Rule::perm_id, "a permission id").map(ident)
    }

    fn string(&mut self) -> Result<Text> {
        let pair = self.expect(Rule::string, "a string")?;
        text(pair)
    }

    fn ident_list(&mut self) -> Result<Vec<Ident>> {
        let list = self.expect(Rule::ident_list, "a name")?;
        Ok(idents(list))
    }
}

/// Tokens that carry no information once the rule has matched.
fn is_token(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::lbrace
            | Rule::rbrace
            | Rule::comma
            | Rule::dot
            | Rule::lt
            | Rule::gt
            | Rule::arrow
            | Rule::quote
    ) || format!("{rule:?}").starts_with("kw_")
}

/// The span of a pair without the whitespace and comments pest lets a rule
/// swallow after its last token (an optional part that did not match).
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let whole = pair.as_span();
    let end = pair
        .clone()
        .into_inner()
        .map(|p| p.as_span().end())
        .max()
        .unwrap_or_else(|| whole.end());
    Span::new(whole.start(), end)
}

fn ident(pair: Pair<'_, Rule>) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: span_of(&pair),
    }
}

fn idents(list: Pair<'_, Rule>) -> Vec<Ident> {
    list.into_inner()
        .filter(|p| p.as_rule() == Rule::ident)
        .map(ident)
        .collect()
}

fn text(pair: Pair<'_, Rule>) -> Result<Text> {
    let span: Span = span_of(&pair);
    let mut value = String::new();
    for inner in pair.into_inner() {
        if inner.as_rule() == Rule::string_inner {
            unescape(inner.as_str(), inner.as_span().start(), &mut value)?;
        }
    }
    Ok(Text { value, span })
}

fn unescape(raw: &str, base: usize, out: &mut String) -> Result<()> {
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let bad = |end: usize| ParseError::BadEscape {
            span: Span::new(base + i, base + end),
        };
        match chars.next() {
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'r')) => out.push('\r'),
            Some((j, 'u')) => {
                let rest = raw.get(j + 1..).unwrap_or("");
                let close = rest.find('}').ok_or_else(|| bad(j + 1))?;
                let hex = rest.get(1..close).unwrap_or("");
                let end = j + 1 + close + 1;
                let ch = u32::from_str_radix(hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| bad(end))?;
                out.push(ch);
                for _ in 0..=close {
                    chars.next();
                }
            }
            Some((j, c)) => return Err(bad(j + c.len_utf8())),
            None => return Err(bad(i + 1)),
        }
    }
    Ok(())
}

fn lower_decl(pair: Pair<'_, Rule>) -> Result<Decl> {
    let span: Span = span_of(&pair);
    let rule = pair.as_rule();
    let mut it = Inner::new(pair);
    Ok(match rule {
        Rule::policy_decl => Decl::Policy(PolicyDecl {
            id: it.ident()?,
            name: it.string()?,
            span,
        }),
        Rule::edition_decl => {
            let id = it.ident()?;
            let name = it.string()?;
            let without_rbac = match it.optional(Rule::without_rbac) {
                Some(p) => {
                    let wspan = span_of(&p);
                    let mut w = Inner::new(p);
                    let fallbacks = match w.optional(Rule::ident_list) {
                        Some(list) => idents(list),
                        None => Vec::new(),
                    };
                    Some(WithoutRbac {
                        fallbacks,
                        span: wspan,
                    })
                }
                None => None,
            };
            Decl::Edition(EditionDecl {
                id,
                name,
                without_rbac,
                span,
            })
        }
        Rule::scope_decl => {
            let id = it.ident()?;
            let name = it.string()?;
            let parent = match it.optional(Rule::scope_parent) {
                Some(p) => Some(Inner::new(p).ident()?),
                None => None,
            };
            let without_roles = it.optional(Rule::without_roles).map(|p| span_of(&p));
            Decl::Scope(ScopeDecl {
                id,
                name,
                parent,
                without_roles,
                span,
            })
        }
        Rule::permissions_decl => {
            let scope = it.ident()?;
            let mut entries = Vec::new();
            while let Some(p) = it.next() {
                entries.push(lower_perm_entry(p)?);
            }
            Decl::Permissions(PermissionsDecl {
                scope,
                entries,
                span,
            })
        }
        Rule::role_decl => lower_role(span, it)?,
        Rule::rank_decl => {
            let first = it.ident()?;
            let order = it.next().ok_or_else(|| it.missing("`<` or `>`"))?;
            let descending = order.as_rule() == Rule::descending;
            let mut roles = vec![first];
            roles.extend(
                order
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::ident)
                    .map(ident),
            );
            if descending {
                roles.reverse();
            }
            Decl::Rank(RankDecl {
                ascending: roles,
                written_descending: descending,
                span,
            })
        }
        Rule::cardinality_decl => {
            let quantity = it.expect(Rule::quantity, "`at most` or `exactly`")?;
            let exactly = quantity
                .into_inner()
                .next()
                .is_some_and(|p| p.as_rule() == Rule::kw_exactly);
            let roles = it.ident_list()?;
            let scope = it.ident()?;
            let default = match it.optional(Rule::default_role) {
                Some(p) => Some(Inner::new(p).ident()?),
                None => None,
            };
            Decl::Cardinality(CardinalityDecl {
                exactly,
                roles,
                scope,
                default,
                span,
            })
        }
        Rule::at_least_decl => {
            it.expect(Rule::at_least, "`at least`")?;
            let role = it.ident()?;
            let scope = it.ident()?;
            Decl::AtLeast(AtLeastDecl { role, scope, span })
        }
        Rule::containment_decl => {
            let inner = it.ident()?;
            let outer = it.ident()?;
            Decl::Containment(ContainmentDecl { inner, outer, span })
        }
        Rule::bootstrap_decl => {
            let number = it.expect(Rule::number, "a number")?;
            let count_span: Span = span_of(&number);
            let count = number
                .as_str()
                .parse::<u32>()
                .map_err(|_| ParseError::BadNumber { span: count_span })?;
            let scope = it.ident()?;
            let role = it.ident()?;
            let editions = match it.optional(Rule::edition_filter) {
                Some(p) => Inner::new(p).ident_list()?,
                None => Vec::new(),
            };
            Decl::Bootstrap(BootstrapDecl {
                count,
                count_span,
                scope,
                role,
                editions,
                span,
            })
        }
        Rule::groups_decl => {
            let scope = it.ident()?;
            let mut upgrade = None;
            let mut upgrade_bound = None;
            let mut prune = None;
            while let Some(p) = it.next() {
                match p.as_rule() {
                    Rule::upgrade_rule => {
                        upgrade = Some(span_of(&p));
                        let mut u = Inner::new(p);
                        if let Some(b) = u.optional(Rule::upgrade_bound) {
                            upgrade_bound = Some(Inner::new(b).ident()?);
                        }
                    }
                    Rule::prune_rule => prune = Some(span_of(&p)),
                    _ => {}
                }
            }
            Decl::Groups(GroupsDecl {
                scope,
                upgrade,
                upgrade_bound,
                prune,
                span,
            })
        }
        Rule::assert_decl => {
            let body = it.next().ok_or_else(|| it.missing("an assertion"))?;
            let body_rule = body.as_rule();
            let mut b = Inner::new(body);
            let kind = match body_rule {
                Rule::assert_only => AssertKind::Only {
                    roles: b.ident_list()?,
                    permission: b.perm_id()?,
                },
                Rule::assert_exclusive => AssertKind::Exclusive {
                    roles: b.ident_list()?,
                },
                _ => AssertKind::Never {
                    role: b.ident()?,
                    permission: b.perm_id()?,
                },
            };
            Decl::Assert(AssertDecl { kind, span })
        }
        Rule::allow_decl => Decl::AllowEscalation(AllowEscalationDecl {
            from: it.ident()?,
            to: it.ident()?,
            reason: it.string()?,
            span,
        }),
        Rule::lint_decl => {
            let code = ident(it.expect(Rule::lint_code, "a lint code")?);
            let level_pair = it.expect(Rule::lint_level, "`allow`, `warn` or `deny`")?;
            let level = match level_pair.as_str() {
                "allow" => LintLevel::Allow,
                "deny" => LintLevel::Deny,
                _ => LintLevel::Warn,
            };
            Decl::Lint(LintDecl { code, level, span })
        }
        _ => return Err(it.missing("a declaration")),
    })
}

fn lower_perm_entry(pair: Pair<'_, Rule>) -> Result<PermEntry> {
    let span: Span = span_of(&pair);
    let mut it = Inner::new(pair);
    let id = it.perm_id()?;
    let description = it.string()?;
    let mut entry = PermEntry {
        id,
        description,
        children: Vec::new(),
        assigns: Vec::new(),
        implies: Vec::new(),
        span,
    };
    if let Some(body) = it.optional(Rule::perm_body) {
        let mut b = Inner::new(body);
        while let Some(item) = b.next() {
            match item.as_rule() {
                Rule::perm_entry => entry.children.push(lower_perm_entry(item)?),
                Rule::assigns_clause => entry.assigns.extend(Inner::new(item).ident_list()?),
                Rule::implies_clause => entry.implies.push(lower_implication(item)?),
                _ => {}
            }
        }
    }
    Ok(entry)
}

fn lower_implication(pair: Pair<'_, Rule>) -> Result<Implication> {
    let span = span_of(&pair);
    let mut it = Inner::new(pair);
    Ok(Implication {
        role: it.ident()?,
        scope: it.ident()?,
        span,
    })
}

fn lower_role(span: Span, mut it: Inner<'_>) -> Result<Decl> {
    let mut role = RoleDecl {
        id: it.ident()?,
        scope: it.ident()?,
        name: it.string()?,
        description: None,
        includes: Vec::new(),
        include_items: Vec::new(),
        grants: Vec::new(),
        grantable: Vec::new(),
        implies: Vec::new(),
        span,
    };
    if let Some(body) = it.optional(Rule::role_body) {
        let mut b = Inner::new(body);
        while let Some(item) = b.next() {
            match item.as_rule() {
                Rule::description_item => role.description = Some(Inner::new(item).string()?),
                Rule::include_item => {
                    role.include_items.push(span_of(&item));
                    role.includes.extend(Inner::new(item).ident_list()?);
                }
                Rule::imply_item => role.implies.push(lower_implication(item)?),
                Rule::grant_item => role.grants.push(lower_grant(item)?),
                Rule::grantable_item => role.grantable.extend(lower_grant(item)?.patterns),
                _ => {}
            }
        }
    }
    Ok(Decl::Role(role))
}

fn lower_grant(pair: Pair<'_, Rule>) -> Result<Grant> {
    let span = span_of(&pair);
    let mut grant = Grant {
        patterns: Vec::new(),
        configurable: None,
        span,
    };
    let mut it = Inner::new(pair);
    while let Some(p) = it.next() {
        match p.as_rule() {
            Rule::pattern => {
                let pspan: Span = span_of(&p);
                let mut inner = Inner::new(p);
                let pattern = match inner.next() {
                    Some(q) if q.as_rule() == Rule::wildcard => {
                        Pattern::Prefix(Inner::new(q).perm_id()?)
                    }
                    Some(q) if q.as_rule() == Rule::perm_id => Pattern::Exact(ident(q)),
                    _ => Pattern::All(pspan),
                };
                grant.patterns.push(pattern);
            }
            Rule::configurable => {
                // The `switch` pair's keyword, not the text: a comment may
                // sit between `default` and `on`.
                let on = p
                    .into_inner()
                    .filter(|q| q.as_rule() == Rule::switch)
                    .flat_map(|q| q.into_inner())
                    .any(|k| k.as_rule() == Rule::kw_on);
                grant.configurable = Some(on);
            }
            _ => {}
        }
    }
    Ok(grant)
}
