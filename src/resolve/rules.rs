//! Rules about roles: rank, cardinality, bootstrap, editions, groups,
//! assertions, accepted escalations and lint levels.

use super::*;
use crate::diagnostic::codes;

pub(crate) fn resolve_rules(cx: &mut Resolver, file: &ast::PolicyFile) {
    for decl in &file.decls {
        match decl {
            Decl::Rank(r) => rank(cx, r),
            Decl::Cardinality(c) => cardinality(cx, c),
            Decl::Bootstrap(b) => bootstrap(cx, b),
            Decl::AtLeast(a) => at_least(cx, a),
            Decl::Containment(c) => containment(cx, c),
            Decl::Edition(e) => edition(cx, e),
            Decl::Groups(g) => {
                let up_to = g.upgrade_bound.as_ref().and_then(|b| cx.role(b));
                if let Some(scope) = cx.scope(&g.scope) {
                    cx.model.groups.push(GroupsRule {
                        scope,
                        upgrade: g.upgrade.is_some(),
                        up_to,
                        prune: g.prune.is_some(),
                        span: g.span,
                    });
                }
            }
            Decl::Assert(a) => assertion(cx, a),
            Decl::AllowEscalation(a) => {
                let from = cx.role(&a.from);
                let to = cx.role(&a.to);
                if let (Some(from), Some(to)) = (from, to) {
                    cx.model.allowed_escalations.push(AllowedEscalation {
                        from,
                        to,
                        reason: a.reason.value.clone(),
                        span: a.span,
                    });
                }
            }
            Decl::Lint(l) => lint(cx, l),
            _ => {}
        }
    }
    for decl in &file.decls {
        let Decl::Groups(g) = decl else { continue };
        let Some(&scope) = cx.scopes.get(&g.scope.name) else {
            continue;
        };
        let Some(rank) = cx.model.rank_of(scope) else {
            cx.errors.push(ResolveError::GroupsWithoutRank {
                scope: g.scope.name.clone(),
                span: g.scope.span,
            });
            continue;
        };
        let Some(bound) = &g.upgrade_bound else {
            continue;
        };
        let Some(&role) = cx.roles.get(&bound.name) else {
            continue;
        };
        if !rank.ascending.contains(&role) {
            let ranked: Vec<&str> = rank
                .ascending
                .iter()
                .map(|r| cx.model.role_name(*r))
                .collect();
            let message = format!(
                "`upgrade roles up to {}`: `{}` is not in the rank of `{}`",
                bound.name, bound.name, g.scope.name
            );
            cx.errors.push(ResolveError::BadRule {
                message,
                span: bound.span,
                label: format!("not ranked on `{}`", g.scope.name),
                help: format!(
                    "bound the upgrades by a ranked role of `{}`: {}",
                    g.scope.name,
                    ranked.join(", ")
                ),
            });
        }
    }
}

/// `at least one ROLE per SCOPE`: ROLE must be a role of SCOPE.
fn at_least(cx: &mut Resolver, a: &ast::AtLeastDecl) {
    let scope = cx.scope(&a.scope);
    let role = cx.role(&a.role);
    let (Some(scope), Some(role)) = (scope, role) else {
        return;
    };
    let role_scope = cx.model.role(role).map(|r| r.scope).unwrap_or_default();
    if role_scope != scope && !cx.is_unscoped(role) {
        cx.errors.push(ResolveError::BadRule {
            message: format!(
                "`at least one {} per {}`: `{}` is a role on `{}`",
                a.role.name,
                a.scope.name,
                a.role.name,
                cx.model.scope_name(role_scope)
            ),
            span: a.role.span,
            label: format!("a role on `{}`", cx.model.scope_name(role_scope)),
            help: format!(
                "write `at least one {} per {}`, or name a role of `{}`",
                a.role.name,
                cx.model.scope_name(role_scope),
                a.scope.name
            ),
        });
        return;
    }
    cx.model.at_least.push(AtLeast {
        role,
        scope,
        span: a.span,
    });
}

/// `members of INNER are members of OUTER`: OUTER must enclose INNER.
fn containment(cx: &mut Resolver, c: &ast::ContainmentDecl) {
    let inner = cx.scope(&c.inner);
    let outer = cx.scope(&c.outer);
    let (Some(inner), Some(outer)) = (inner, outer) else {
        return;
    };
    if inner == outer || !cx.model.scope_within(inner, outer) {
        let enclosing: Vec<&str> = cx
            .model
            .scope_chain(inner)
            .iter()
            .skip(1)
            .map(|s| cx.model.scope_name(*s))
            .collect();
        cx.errors.push(ResolveError::BadRule {
            message: format!(
                "members of `{}` cannot be members of `{}`: `{}` does not enclose `{}`",
                c.inner.name, c.outer.name, c.outer.name, c.inner.name
            ),
            span: c.outer.span,
            label: format!("not a kind enclosing `{}`", c.inner.name),
            help: if enclosing.is_empty() {
                format!("`{}` is a root kind: nothing encloses it", c.inner.name)
            } else {
                format!(
                    "kinds enclosing `{}`: {}",
                    c.inner.name,
                    enclosing.join(", ")
                )
            },
        });
        return;
    }
    cx.model.containments.push(Containment {
        inner,
        outer,
        span: c.span,
    });
}

/// Resolves a list of roles that must share one scope kind; the scope is the
/// given one or, when `None`, the first role's.
fn same_scope_roles(
    cx: &mut Resolver,
    rule: &'static str,
    names: &[Ident],
    scope: Option<ScopeId>,
) -> (Vec<RoleId>, Option<ScopeId>) {
    let mut out: Vec<(RoleId, Span)> = Vec::new();
    let mut scope = scope;
    for name in names {
        let Some(role) = cx.role(name) else { continue };
        if let Some((_, first)) = out.iter().find(|(r, _)| *r == role) {
            cx.errors.push(ResolveError::RepeatedRole {
                role: name.name.clone(),
                first: *first,
                second: name.span,
            });
            continue;
        }
        if cx.is_unscoped(role) {
            // Its scope kind is unknown (reported at its header).
            out.push((role, name.span));
            continue;
        }
        let role_scope = cx.model.role(role).map(|r| r.scope).unwrap_or_default();
        match scope {
            None => scope = Some(role_scope),
            Some(s) if s != role_scope => {
                cx.errors.push(ResolveError::MixedRoles {
                    rule,
                    role: name.name.clone(),
                    role_scope: cx.model.scope_name(role_scope).to_string(),
                    rule_scope: cx.model.scope_name(s).to_string(),
                    span: name.span,
                });
                continue;
            }
            Some(_) => {}
        }
        out.push((role, name.span));
    }
    (out.into_iter().map(|(r, _)| r).collect(), scope)
}

fn rank(cx: &mut Resolver, r: &ast::RankDecl) {
    let (roles, scope) = same_scope_roles(cx, "rank", &r.ascending, None);
    let Some(scope) = scope else { return };
    if let Some(first) = cx.model.rank_of(scope).map(|x| x.span) {
        cx.errors.push(ResolveError::DuplicateRank {
            scope: cx.model.scope_name(scope).to_string(),
            first,
            second: r.span,
        });
        return;
    }
    cx.model.ranks.push(Rank {
        scope,
        ascending: roles,
        written_descending: r.written_descending,
        span: r.span,
    });
}

fn cardinality(cx: &mut Resolver, c: &ast::CardinalityDecl) {
    let scope = cx.scope(&c.scope);
    let (roles, _) = same_scope_roles(cx, "cardinality rule", &c.roles, scope);
    let default = match &c.default {
        Some(d) => {
            let role = cx.role(d);
            if let Some(r) = role {
                if !roles.contains(&r) {
                    cx.errors.push(ResolveError::DefaultNotInSet {
                        role: d.name.clone(),
                        span: d.span,
                    });
                }
            }
            role
        }
        None => None,
    };
    if let Some(scope) = scope {
        cx.model.cardinalities.push(Cardinality {
            exactly: c.exactly,
            roles,
            scope,
            default,
            span: c.span,
        });
    }
}

fn bootstrap(cx: &mut Resolver, b: &ast::BootstrapDecl) {
    let scope = cx.scope(&b.scope);
    let role = cx.role(&b.role);
    let editions: Vec<EditionId> = b.editions.iter().filter_map(|e| cx.edition(e)).collect();
    let (Some(scope), Some(role)) = (scope, role) else {
        return;
    };
    let role_scope = cx.model.role(role).map(|r| r.scope).unwrap_or_default();
    if role_scope != scope && !cx.is_unscoped(role) {
        cx.errors.push(ResolveError::BadRule {
            message: format!(
                "bootstrap gives `{}`, a role on `{}`, to users of `{}`",
                b.role.name,
                cx.model.scope_name(role_scope),
                b.scope.name
            ),
            span: b.role.span,
            label: format!("a role on `{}`", cx.model.scope_name(role_scope)),
            help: format!("bootstrap a role of `{}`", b.scope.name),
        });
        return;
    }
    if b.count == 0 {
        cx.errors.push(ResolveError::BadRule {
            message: "bootstrap of the first 0 users never applies".to_string(),
            span: b.count_span,
            label: "must be at least 1".to_string(),
            help: "remove the rule or give a count of 1 or more".to_string(),
        });
        return;
    }
    cx.model.bootstraps.push(Bootstrap {
        count: b.count,
        scope,
        role,
        editions,
        span: b.span,
    });
}

fn edition(cx: &mut Resolver, e: &ast::EditionDecl) {
    let Some(without) = &e.without_rbac else {
        return;
    };
    let mut roles: Vec<(RoleId, Span)> = Vec::new();
    for fallback in &without.fallbacks {
        let Some(role) = cx.role(fallback) else {
            continue;
        };
        if let Some((_, first)) = roles.iter().find(|(r, _)| *r == role) {
            cx.errors.push(ResolveError::RepeatedRole {
                role: fallback.name.clone(),
                first: *first,
                second: fallback.span,
            });
            continue;
        }
        let scope = cx.model.role(role).map(|r| r.scope);
        let same = roles
            .iter()
            .find(|(r, _)| !cx.is_unscoped(*r) && cx.model.role(*r).map(|x| x.scope) == scope);
        if let (Some((other, _)), false) = (same, cx.is_unscoped(role)) {
            let kind = scope.map_or("", |s| cx.model.scope_name(s)).to_string();
            let other = cx.model.role_name(*other).to_string();
            cx.errors.push(ResolveError::BadRule {
                message: format!(
                    "two fallback roles on `{kind}`: `{other}` and `{}`",
                    fallback.name
                ),
                span: fallback.span,
                label: format!("a second fallback on `{kind}`"),
                help: format!("the members of a `{kind}` hold one fallback role: keep one of them"),
            });
            continue;
        }
        roles.push((role, fallback.span));
    }
    let Some(&id) = cx.editions.get(&e.id.name) else {
        return;
    };
    if cx.model.editions.get(id.index()).map(|x| x.span) != Some(e.span) {
        return;
    }
    if let Some(ed) = cx.model.editions.get_mut(id.index()) {
        ed.fallbacks = roles.into_iter().map(|(r, _)| r).collect();
    }
}

fn assertion(cx: &mut Resolver, a: &ast::AssertDecl) {
    match &a.kind {
        ast::AssertKind::Only { roles, permission } => {
            let roles: Vec<RoleId> = roles.iter().filter_map(|r| cx.role(r)).collect();
            if let Some(perm) = cx.perm(permission) {
                cx.model.assertions.push(Assertion::Only {
                    roles,
                    perm,
                    span: a.span,
                });
            }
        }
        ast::AssertKind::Never { role, permission } => {
            let role = cx.role(role);
            let perm = cx.perm(permission);
            if let (Some(role), Some(perm)) = (role, perm) {
                cx.model.assertions.push(Assertion::Never {
                    role,
                    perm,
                    span: a.span,
                });
            }
        }
        ast::AssertKind::Exclusive { roles } => {
            let roles = roles
                .iter()
                .filter_map(|r| cx.role(r).map(|id| (id, r.span)))
                .collect();
            cx.model.assertions.push(Assertion::Exclusive {
                roles,
                span: a.span,
            });
        }
    }
}

fn lint(cx: &mut Resolver, l: &ast::LintDecl) {
    match codes::lookup(&l.code.name) {
        Some(info) if info.code.starts_with('W') => cx.model.lints.push(LintSetting {
            code: info.code,
            level: l.level,
            span: l.span,
        }),
        Some(info) => cx.errors.push(ResolveError::BadRule {
            message: format!("`{}` is an error, not a lint", info.code),
            span: l.code.span,
            label: "errors cannot be allowed".to_string(),
            help: "lint levels apply to warning codes (W…) only".to_string(),
        }),
        None => {
            let names = codes::CODES
                .iter()
                .filter(|c| c.code.starts_with('W'))
                .flat_map(|c| [c.code, c.name]);
            cx.errors.push(ResolveError::Unknown {
                kind: NameKind::Lint,
                name: l.code.name.clone(),
                span: l.code.span,
                suggestion: did_you_mean(&l.code.name, names),
            });
        }
    }
}
