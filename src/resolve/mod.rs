//! Stage 2: names to ids, the scope tree, the role graph and its structural
//! errors. Every problem is collected; resolution never stops at the first.

mod checks;
mod errors;
pub mod graph;
pub mod model;
mod roles;
pub use roles::role_edges as roles_graph;
mod rules;

pub use errors::{NameKind, ResolveError};
pub use model::*;

use crate::diagnostic::FileId;
use crate::limits;
use crate::span::Span;
use crate::suggest::did_you_mean;
use crate::syntax::ast::{self, Decl, Ident};
use std::collections::HashMap;

/// Resolves a parsed file. Returns the model (best effort, usable for
/// further analysis only when the error list is empty) and the errors.
pub fn resolve(file: &ast::PolicyFile, file_id: FileId) -> (Model, Vec<ResolveError>) {
    let mut cx = Resolver {
        model: Model {
            file: file_id,
            ..Model::default()
        },
        errors: Vec::new(),
        scopes: HashMap::new(),
        roles: HashMap::new(),
        perms: HashMap::new(),
        editions: HashMap::new(),
        unscoped: Vec::new(),
    };
    cx.declare(file);
    if cx
        .errors
        .iter()
        .any(|e| matches!(e, ResolveError::TooMany { .. }))
    {
        // Past the limits, resolving further would only cost time.
        return (cx.model, cx.errors);
    }
    cx.resolve_scope_parents(file);
    roles::resolve_roles(&mut cx, file);
    rules::resolve_rules(&mut cx, file);
    roles::check_role_cycles(&mut cx);
    cx.model.grouped = (0..cx.model.perms.len())
        .map(PermId::from_index)
        .filter(|p| cx.model.perm(*p).is_some_and(|x| !x.children.is_empty()))
        .collect();
    checks::check_conditional_implications(&mut cx);
    checks::check_chain_length(&mut cx);
    (cx.model, cx.errors)
}

/// Names longer than this get no "did you mean": the edit distance costs the
/// product of the lengths, and no one mistypes a name that long.
const MAX_SUGGESTED_LEN: usize = 100;

/// [`did_you_mean`], bounded in cost.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    if name.len() > MAX_SUGGESTED_LEN {
        return None;
    }
    did_you_mean(
        name,
        candidates
            .into_iter()
            .filter(|c| c.len() <= MAX_SUGGESTED_LEN),
    )
}

/// The one declared name that `name` abbreviates (`repo` for `repository`),
/// or that abbreviates `name`: a prefix of at least two characters.
fn abbreviated(name: &str, names: &[&str]) -> Option<String> {
    if name.chars().count() < 2 {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let mut found = names.iter().filter(|n| {
        let n = n.to_ascii_lowercase();
        n.len() >= 2 && (n.starts_with(&lower) || lower.starts_with(&n))
    });
    match (found.next(), found.next()) {
        (Some(one), None) => Some((*one).to_string()),
        _ => None,
    }
}

/// Resolution state: the model being built, errors, and symbol tables.
pub(crate) struct Resolver {
    pub(crate) model: Model,
    pub(crate) errors: Vec<ResolveError>,
    scopes: HashMap<String, ScopeId>,
    roles: HashMap<String, RoleId>,
    perms: HashMap<String, PermId>,
    editions: HashMap<String, EditionId>,
    /// Roles whose header names an unknown scope with no close one: their
    /// scope is unknown, so no check that compares scopes reports them
    /// (the unknown scope is the one error).
    unscoped: Vec<RoleId>,
}

impl Resolver {
    pub(crate) fn unknown(&mut self, kind: NameKind, id: &Ident) {
        let suggestion = {
            let names: Vec<&str> = match kind {
                NameKind::Scope => self.scopes.keys().map(String::as_str).collect(),
                NameKind::Role => self.roles.keys().map(String::as_str).collect(),
                NameKind::Permission => self.perms.keys().map(String::as_str).collect(),
                NameKind::Edition => self.editions.keys().map(String::as_str).collect(),
                NameKind::Policy | NameKind::Lint => Vec::new(),
            };
            let abbreviation = || match kind {
                NameKind::Scope => abbreviated(&id.name, &names),
                _ => None,
            };
            suggest(&id.name, names.iter().copied()).or_else(abbreviation)
        };
        self.errors.push(ResolveError::Unknown {
            kind,
            name: id.name.clone(),
            span: id.span,
            suggestion,
        });
    }

    /// A scope kind by name; an unknown one is reported, and the closest
    /// declared kind (the one suggested) is returned in its place, so that
    /// what refers to it is checked as if the typo were fixed.
    pub(crate) fn scope_or_closest(&mut self, id: &Ident) -> Option<ScopeId> {
        if let Some(found) = self.scopes.get(&id.name) {
            return Some(*found);
        }
        self.unknown(NameKind::Scope, id);
        match self.errors.last() {
            Some(ResolveError::Unknown {
                suggestion: Some(s),
                ..
            }) => self.scopes.get(s).copied(),
            _ => None,
        }
    }

    /// Whether a role's scope kind is unknown (see `unscoped`).
    pub(crate) fn is_unscoped(&self, role: RoleId) -> bool {
        self.unscoped.contains(&role)
    }

    pub(crate) fn scope(&mut self, id: &Ident) -> Option<ScopeId> {
        let found = self.scopes.get(&id.name).copied();
        if found.is_none() {
            self.unknown(NameKind::Scope, id);
        }
        found
    }

    pub(crate) fn role(&mut self, id: &Ident) -> Option<RoleId> {
        let found = self.roles.get(&id.name).copied();
        if found.is_none() {
            self.unknown(NameKind::Role, id);
        }
        found
    }

    pub(crate) fn perm(&mut self, id: &Ident) -> Option<PermId> {
        let found = self.perms.get(&id.name).copied();
        if found.is_none() {
            self.unknown(NameKind::Permission, id);
        }
        found
    }

    pub(crate) fn edition(&mut self, id: &Ident) -> Option<EditionId> {
        let found = self.editions.get(&id.name).copied();
        if found.is_none() {
            self.unknown(NameKind::Edition, id);
        }
        found
    }

    /// Pass 1: every declared name gets an id; duplicates are reported.
    fn declare(&mut self, file: &ast::PolicyFile) {
        let mut policy_span: Option<Span> = None;
        let mut edition_names: HashMap<String, Span> = HashMap::new();
        let rules = file
            .decls
            .iter()
            .filter(|d| {
                matches!(
                    d,
                    Decl::Rank(_)
                        | Decl::Cardinality(_)
                        | Decl::AtLeast(_)
                        | Decl::Containment(_)
                        | Decl::Bootstrap(_)
                        | Decl::Groups(_)
                        | Decl::Assert(_)
                        | Decl::AllowEscalation(_)
                        | Decl::Lint(_)
                )
            })
            .count();
        for decl in &file.decls {
            match decl {
                Decl::Policy(p) => {
                    if let Some(first) = policy_span {
                        self.errors.push(ResolveError::Duplicate {
                            kind: NameKind::Policy,
                            name: p.id.name.clone(),
                            first,
                            second: p.span,
                        });
                    } else {
                        policy_span = Some(p.span);
                        self.model.policy = Some((p.id.name.clone(), p.name.value.clone()));
                    }
                }
                Decl::Scope(s) => {
                    let id = ScopeId::from_index(self.model.scopes.len());
                    if let Some(first) = self.scopes.get(&s.id.name) {
                        let first = self.model.scope(*first).map_or(s.id.span, |f| f.name_span);
                        self.errors.push(ResolveError::Duplicate {
                            kind: NameKind::Scope,
                            name: s.id.name.clone(),
                            first,
                            second: s.id.span,
                        });
                        continue;
                    }
                    self.scopes.insert(s.id.name.clone(), id);
                    self.model.scopes.push(Scope {
                        name: s.id.name.clone(),
                        display: s.name.value.clone(),
                        parent: None,
                        without_roles: s.without_roles.is_some(),
                        span: s.span,
                        name_span: s.id.span,
                    });
                }
                Decl::Edition(e) => {
                    if let Some(&first) = edition_names.get(&e.id.name) {
                        self.errors.push(ResolveError::Duplicate {
                            kind: NameKind::Edition,
                            name: e.id.name.clone(),
                            first,
                            second: e.id.span,
                        });
                        continue;
                    }
                    edition_names.insert(e.id.name.clone(), e.id.span);
                    self.editions.insert(
                        e.id.name.clone(),
                        EditionId::from_index(self.model.editions.len()),
                    );
                    self.model.editions.push(Edition {
                        name: e.id.name.clone(),
                        display: e.name.value.clone(),
                        rbac: e.without_rbac.is_none(),
                        fallbacks: Vec::new(),
                        span: e.span,
                    });
                }
                Decl::Role(r) => {
                    if let Some(first) = self.roles.get(&r.id.name) {
                        let first = self.model.role(*first).map_or(r.id.span, |f| f.span);
                        self.errors.push(ResolveError::Duplicate {
                            kind: NameKind::Role,
                            name: r.id.name.clone(),
                            first,
                            second: r.id.span,
                        });
                        continue;
                    }
                    self.roles.insert(
                        r.id.name.clone(),
                        RoleId::from_index(self.model.roles.len()),
                    );
                    self.model.roles.push(Role {
                        name: r.id.name.clone(),
                        display: r.name.value.clone(),
                        description: r.description.as_ref().map(|d| d.value.clone()),
                        scope: ScopeId::default(),
                        includes: Vec::new(),
                        grants: Vec::new(),
                        grantable: Vec::new(),
                        implies: Vec::new(),
                        span: r.id.span,
                    });
                }
                Decl::Permissions(p) => {
                    for entry in &p.entries {
                        self.declare_perm(entry, None);
                    }
                }
                _ => {}
            }
        }
        for (what, count, limit) in [
            ("roles", self.model.roles.len(), limits::MAX_ROLES),
            (
                "rules (assertions, cardinality, ranks, bootstraps, groups, escalations, lints)",
                rules,
                limits::MAX_RULES,
            ),
            (
                "permissions",
                self.model.perms.len(),
                limits::MAX_PERMISSIONS,
            ),
        ] {
            if count > limit {
                self.errors
                    .push(ResolveError::TooMany { what, count, limit });
            }
        }
    }

    fn declare_perm(&mut self, entry: &ast::PermEntry, parent: Option<PermId>) {
        if let Some(first) = self.perms.get(&entry.id.name) {
            let first = self.model.perm(*first).map_or(entry.id.span, |f| f.span);
            self.errors.push(ResolveError::Duplicate {
                kind: NameKind::Permission,
                name: entry.id.name.clone(),
                first,
                second: entry.id.span,
            });
            return;
        }
        let id = PermId::from_index(self.model.perms.len());
        self.perms.insert(entry.id.name.clone(), id);
        self.model.perms.push(Permission {
            name: entry.id.name.clone(),
            description: entry.description.value.clone(),
            scope: ScopeId::default(),
            parent,
            children: Vec::new(),
            assigns: Vec::new(),
            implies: Vec::new(),
            span: entry.id.span,
        });
        if let Some(parent) = parent.and_then(|p| self.model.perms.get_mut(p.index())) {
            parent.children.push(id);
        }
        for child in &entry.children {
            self.declare_perm(child, Some(id));
        }
    }

    /// Pass 2: the scope tree; containment cycles are reported and cut.
    fn resolve_scope_parents(&mut self, file: &ast::PolicyFile) {
        let mut in_spans: HashMap<ScopeId, Span> = HashMap::new();
        for decl in &file.decls {
            let Decl::Scope(s) = decl else { continue };
            let Some(&me) = self.scopes.get(&s.id.name) else {
                continue;
            };
            if self.model.scope(me).map(|m| m.name_span) != Some(s.id.span) {
                continue; // a duplicate declaration
            }
            if let Some(parent) = &s.parent {
                if let Some(p) = self.scope(parent) {
                    if let Some(scope) = self.model.scopes.get_mut(me.index()) {
                        scope.parent = Some(p);
                    }
                    in_spans.insert(me, parent.span);
                }
            }
        }
        let edges: Vec<(usize, usize)> = self
            .model
            .scopes
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.parent.map(|p| (i, p.index())))
            .collect();
        for cycle in graph::cycles(self.model.scopes.len(), &edges) {
            let ids: Vec<ScopeId> = cycle.iter().map(|&i| ScopeId::from_index(i)).collect();
            self.errors.push(ResolveError::ScopeCycle {
                names: ids
                    .iter()
                    .map(|&s| self.model.scope_name(s).to_string())
                    .collect(),
                spans: ids
                    .iter()
                    .map(|s| in_spans.get(s).copied().unwrap_or_default())
                    .collect(),
            });
            for s in ids {
                if let Some(scope) = self.model.scopes.get_mut(s.index()) {
                    scope.parent = None;
                }
            }
        }
    }
}
