//! Roles and permissions: scopes, includes, grants, implications, and the
//! role graph's cycles.

use super::{graph, GrantRule, Implied, PermId, ResolveError, Resolver, RoleId, ScopeId};
use crate::span::Span;
use crate::suggest::Fix;
use crate::syntax::ast::{self, Decl, Pattern};

pub(crate) fn resolve_roles(cx: &mut Resolver, file: &ast::PolicyFile) {
    // Permission scopes first: grants check against them.
    for decl in &file.decls {
        if let Decl::Permissions(p) = decl {
            let scope = cx.scope(&p.scope);
            for entry in &p.entries {
                set_perm_scope(cx, entry, scope);
            }
        }
    }
    // Role scopes, before bodies refer to other roles.
    for decl in &file.decls {
        if let Decl::Role(r) = decl {
            let Some(me) = own_role(cx, r) else { continue };
            let scope = cx.scope_or_closest(&r.scope);
            if scope.is_none() {
                cx.unscoped.push(me);
            }
            if let Some(scope) = scope {
                if let Some(role) = cx.model.roles.get_mut(me.index()) {
                    role.scope = scope;
                }
                let without = cx
                    .model
                    .scope(scope)
                    .filter(|s| s.without_roles)
                    .map(|s| s.span);
                if let Some(without) = without {
                    cx.errors.push(ResolveError::RoleOnScopeWithoutRoles {
                        role: r.id.name.clone(),
                        scope: r.scope.name.clone(),
                        span: r.scope.span,
                        without,
                    });
                }
            }
        }
    }
    for decl in &file.decls {
        match decl {
            Decl::Role(r) => {
                if let Some(me) = own_role(cx, r) {
                    resolve_role_body(cx, me, r);
                }
            }
            Decl::Permissions(p) => {
                for entry in &p.entries {
                    resolve_perm_body(cx, entry);
                }
            }
            _ => {}
        }
    }
}

/// The id of this declaration, or `None` for a duplicate.
fn own_role(cx: &Resolver, r: &ast::RoleDecl) -> Option<RoleId> {
    let id = *cx.roles.get(&r.id.name)?;
    (cx.model.role(id)?.span == r.id.span).then_some(id)
}

fn own_perm(cx: &Resolver, e: &ast::PermEntry) -> Option<PermId> {
    let id = *cx.perms.get(&e.id.name)?;
    (cx.model.perm(id)?.span == e.id.span).then_some(id)
}

fn set_perm_scope(cx: &mut Resolver, entry: &ast::PermEntry, scope: Option<ScopeId>) {
    if let (Some(id), Some(scope)) = (own_perm(cx, entry), scope) {
        if let Some(p) = cx.model.perms.get_mut(id.index()) {
            p.scope = scope;
        }
    }
    for child in &entry.children {
        set_perm_scope(cx, child, scope);
    }
}

fn resolve_perm_body(cx: &mut Resolver, entry: &ast::PermEntry) {
    if let Some(me) = own_perm(cx, entry) {
        let perm_scope = cx.model.perm(me).map(|p| p.scope).unwrap_or_default();
        for target in &entry.assigns {
            let Some(role) = cx.role(target) else {
                continue;
            };
            let role_scope = cx.model.role(role).map(|r| r.scope).unwrap_or_default();
            if !cx.is_unscoped(role) && !cx.model.scope_within(role_scope, perm_scope) {
                cx.errors.push(ResolveError::AssignsAbove {
                    perm: entry.id.name.clone(),
                    perm_scope: cx.model.scope_name(perm_scope).to_string(),
                    role: target.name.clone(),
                    role_scope: cx.model.scope_name(role_scope).to_string(),
                    span: target.span,
                });
            }
            if let Some(p) = cx.model.perms.get_mut(me.index()) {
                p.assigns.push((role, target.span));
            }
        }
        for imp in &entry.implies {
            if let Some(implied) = implication(cx, &entry.id.name, Some(perm_scope), imp, true) {
                if let Some(p) = cx.model.perms.get_mut(me.index()) {
                    p.implies.push(implied);
                }
            }
        }
    }
    for child in &entry.children {
        resolve_perm_body(cx, child);
    }
}

/// Resolves `ROLE on every SCOPE` written on something held at `from_scope`.
fn implication(
    cx: &mut Resolver,
    from: &str,
    from_scope: Option<ScopeId>,
    imp: &ast::Implication,
    from_permission: bool,
) -> Option<Implied> {
    let role = cx.role(&imp.role);
    let written = cx.scope(&imp.scope);
    let role = role?;
    let role_scope = cx.model.role(role)?.scope;
    let Some(from_scope) = from_scope.filter(|_| !cx.is_unscoped(role)) else {
        // One side's scope is unknown (already reported): nothing to compare.
        return Some(Implied {
            role,
            span: imp.span,
        });
    };
    if let Some(written) = written {
        if written != role_scope {
            cx.errors.push(ResolveError::ImplicationScopeMismatch {
                role: imp.role.name.clone(),
                role_scope: cx.model.scope_name(role_scope).to_string(),
                written: imp.scope.name.clone(),
                span: imp.scope.span,
                keyword: if from_permission { "implies" } else { "imply" },
            });
            return None;
        }
    }
    if role_scope == from_scope || !cx.model.scope_within(role_scope, from_scope) {
        cx.errors.push(ResolveError::ImplicationNotDown {
            from: from.to_string(),
            from_scope: cx.model.scope_name(from_scope).to_string(),
            to: imp.role.name.clone(),
            to_scope: cx.model.scope_name(role_scope).to_string(),
            span: imp.span,
            from_permission,
            fix: (!from_permission && role_scope == from_scope)
                .then(|| Fix::replace(imp.span, format!("include {}", imp.role.name))),
        });
        return None;
    }
    Some(Implied {
        role,
        span: imp.span,
    })
}

fn resolve_role_body(cx: &mut Resolver, me: RoleId, r: &ast::RoleDecl) {
    let my_scope = cx.model.role(me).map(|x| x.scope).unwrap_or_default();
    let unscoped = cx.is_unscoped(me);
    let mut includes = Vec::new();
    for inc in &r.includes {
        let Some(target) = cx.role(inc) else { continue };
        let target_scope = cx.model.role(target).map(|x| x.scope).unwrap_or_default();
        if target_scope != my_scope && !unscoped && !cx.is_unscoped(target) {
            cx.errors.push(ResolveError::IncludeAcrossScopes {
                role: r.id.name.clone(),
                role_scope: r.scope.name.clone(),
                included: inc.name.clone(),
                included_scope: cx.model.scope_name(target_scope).to_string(),
                span: inc.span,
                fix: (cx.model.scope_within(target_scope, my_scope))
                    .then(|| include_to_imply(r, inc, cx.model.scope_name(target_scope)))
                    .flatten(),
            });
            continue;
        }
        includes.push((target, inc.span));
    }
    let mut grants = Vec::new();
    for grant in &r.grants {
        for pattern in &grant.patterns {
            let scope = (!unscoped).then_some(my_scope);
            let perms = expand(cx, scope, &r.id.name, &r.scope.name, pattern);
            if let Some(perms) = perms {
                grants.push(GrantRule {
                    perms,
                    configurable: grant.configurable,
                    span: pattern_span(pattern),
                    text: pattern_text(pattern),
                });
            }
        }
    }
    let mut grantable = Vec::new();
    for pattern in &r.grantable {
        let scope = (!unscoped).then_some(my_scope);
        if let Some(perms) = expand(cx, scope, &r.id.name, &r.scope.name, pattern) {
            grantable.extend(perms);
        }
    }
    let mut implies = Vec::new();
    for imp in &r.implies {
        if let Some(i) = implication(cx, &r.id.name, (!unscoped).then_some(my_scope), imp, false) {
            implies.push(i);
        }
    }
    if let Some(role) = cx.model.roles.get_mut(me.index()) {
        role.includes = includes;
        role.grants = grants;
        role.grantable = grantable;
        role.implies = implies;
    }
}

/// `imply ROLE on every SCOPE` in place of `ROLE` in an `include` list:
/// the item itself when it lists only ROLE, else ROLE and a comma removed
/// and the `imply` written after the item.
fn include_to_imply(r: &ast::RoleDecl, inc: &ast::Ident, scope: &str) -> Option<Fix> {
    let item = *r
        .include_items
        .iter()
        .find(|s| s.start <= inc.span.start && inc.span.end <= s.end)?;
    let imply = format!("imply {} on every {scope}", inc.name);
    let names: Vec<&ast::Ident> = r
        .includes
        .iter()
        .filter(|i| item.start <= i.span.start && i.span.end <= item.end)
        .collect();
    let at = names.iter().position(|i| i.span == inc.span)?;
    if names.len() == 1 {
        return Some(Fix::replace(item, imply));
    }
    let removed = match (
        at.checked_sub(1).and_then(|p| names.get(p)),
        names.get(at + 1),
    ) {
        (Some(prev), _) => Span {
            start: prev.span.end,
            end: inc.span.end,
        },
        (None, Some(next)) => Span {
            start: inc.span.start,
            end: next.span.start,
        },
        (None, None) => return None,
    };
    Some(Fix {
        edits: vec![
            (removed, String::new()),
            (
                Span {
                    start: item.end,
                    end: item.end,
                },
                format!(" {imply}"),
            ),
        ],
    })
}

/// The span of a pattern as written, `.*` included.
fn pattern_span(p: &Pattern) -> Span {
    match p {
        // A wildcard is written without spaces: `prefix.*`.
        Pattern::Prefix(id) => Span {
            start: id.span.start,
            end: id.span.end.saturating_add(2),
        },
        _ => p.span(),
    }
}

fn pattern_text(p: &Pattern) -> String {
    match p {
        Pattern::All(_) => "*".to_string(),
        Pattern::Prefix(id) => format!("{}.*", id.name),
        Pattern::Exact(id) => id.name.clone(),
    }
}

/// The permissions a pattern grants, each group expanded to its members.
///
/// `scope` is `None` when the role's scope kind is unknown: every
/// permission then counts as inside it (the unknown scope is the error).
fn expand(
    cx: &mut Resolver,
    scope: Option<ScopeId>,
    role: &str,
    role_scope: &str,
    pattern: &Pattern,
) -> Option<Vec<PermId>> {
    let in_subtree = |cx: &Resolver, p: PermId| {
        cx.model
            .perm(p)
            .is_some_and(|perm| scope.is_none_or(|scope| cx.model.scope_within(perm.scope, scope)))
    };
    let all = (0..cx.model.perms.len()).map(PermId::from_index);
    match pattern {
        Pattern::All(_) => Some(all.filter(|&p| in_subtree(cx, p)).collect()),
        Pattern::Prefix(prefix) => {
            let dotted = format!("{}.", prefix.name);
            let matching: Vec<PermId> = all
                .filter(|&p| cx.model.perm_name(p).starts_with(&dotted))
                .collect();
            if matching.is_empty() {
                // Suggest the closest prefix that some permission id has.
                let prefixes: Vec<&str> = cx
                    .model
                    .perms
                    .iter()
                    .flat_map(|p| {
                        p.name
                            .match_indices('.')
                            .filter_map(|(i, _)| p.name.get(..i))
                    })
                    .collect();
                let suggestion = super::suggest(&prefix.name, prefixes).map(|s| format!("{s}.*"));
                cx.errors.push(ResolveError::PatternMatchesNothing {
                    pattern: pattern_text(pattern),
                    span: pattern_span(pattern),
                    suggestion,
                });
                return None;
            }
            // A prefix grants what it matches inside the role's subtree; if it
            // matches only permissions outside, that is an error.
            let inside: Vec<PermId> = matching
                .iter()
                .copied()
                .filter(|&p| in_subtree(cx, p))
                .collect();
            if inside.is_empty() {
                let outside = matching.first().copied().unwrap_or_default();
                outside_error(cx, role, role_scope, outside, pattern_span(pattern));
                if let Some(ResolveError::GrantOutsideScope { perm, .. }) = cx.errors.last_mut() {
                    *perm = pattern_text(pattern);
                }
                return None;
            }
            // Granting a group grants its members, whatever their ids.
            let mut seen = vec![false; cx.model.perms.len()];
            let mut perms: Vec<PermId> = Vec::new();
            for p in inside {
                for member in cx.model.perm_with_members(p) {
                    if let Some(slot) = seen.get_mut(member.index()) {
                        if !*slot {
                            *slot = true;
                            perms.push(member);
                        }
                    }
                }
            }
            Some(perms)
        }
        Pattern::Exact(id) => {
            let p = cx.perm(id)?;
            if !in_subtree(cx, p) {
                outside_error(cx, role, role_scope, p, id.span);
                return None;
            }
            Some(cx.model.perm_with_members(p))
        }
    }
}

fn outside_error(cx: &mut Resolver, role: &str, role_scope: &str, perm: PermId, span: Span) {
    let perm_scope = cx.model.perm(perm).map(|p| p.scope).unwrap_or_default();
    cx.errors.push(ResolveError::GrantOutsideScope {
        role: role.to_string(),
        role_scope: role_scope.to_string(),
        perm: cx.model.perm_name(perm).to_string(),
        perm_scope: cx.model.scope_name(perm_scope).to_string(),
        span,
    });
}

/// The edges of the role graph: includes, role implications, and the
/// implications carried by directly granted permissions.
pub fn role_edges(model: &super::Model) -> Vec<(usize, usize, Span)> {
    let mut edges = Vec::new();
    for (i, role) in model.roles.iter().enumerate() {
        for (target, span) in &role.includes {
            edges.push((i, target.index(), *span));
        }
        for imp in &role.implies {
            edges.push((i, imp.role.index(), imp.span));
        }
        for grant in &role.grants {
            for p in &grant.perms {
                for imp in model.perm(*p).map(|p| p.implies.as_slice()).unwrap_or(&[]) {
                    edges.push((i, imp.role.index(), grant.span));
                }
            }
        }
    }
    edges.sort_by_key(|e| (e.0, e.1, e.2));
    edges.dedup_by_key(|e| (e.0, e.1));
    edges
}

pub(crate) fn check_role_cycles(cx: &mut Resolver) {
    let edges = role_edges(&cx.model);
    let plain: Vec<(usize, usize)> = edges.iter().map(|e| (e.0, e.1)).collect();
    for cycle in graph::cycles(cx.model.roles.len(), &plain) {
        let n = cycle.len();
        let spans = (0..n)
            .map(|i| {
                let from = cycle.get(i).copied().unwrap_or_default();
                let to = cycle.get((i + 1) % n).copied().unwrap_or_default();
                edges
                    .iter()
                    .find(|e| e.0 == from && e.1 == to)
                    .map(|e| e.2)
                    .unwrap_or_default()
            })
            .collect();
        let names = cycle
            .iter()
            .map(|&i| cx.model.role_name(RoleId::from_index(i)).to_string())
            .collect();
        cx.errors.push(ResolveError::RoleCycle { names, spans });
    }
}
