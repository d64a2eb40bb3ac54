//! The reference evaluator: the executable specification of a decision.
//!
//! A short, deliberately naive walk over the resolved [`Model`] and the
//! membership data, written from `docs/language.md` and the membership
//! semantics, with no bitsets and no caching. The property tests
//! (`tests/proptest_*.rs`) check that the compiled evaluator
//! ([`crate::Authorizer`]) agrees with it on random policies, memberships
//! and queries.
//!
//! It reads the membership YAML itself ([`data`], its own serde types) and
//! shares nothing with loading ([`crate::membership`]) but the resolved
//! [`Model`]:
//! - The roles each user holds on each resource are derived in `rules.rs`
//!   from the data as written: bindings (direct and through groups), join
//!   order (containment rules included), bootstrap (with its editions),
//!   cardinality defaults and `exactly one` refusals, group upgrades by
//!   rank (and their bound), `at least one` refusals, and editions without
//!   RBAC with or without fallback roles.
//! - Decisions are recomputed from the policy text's meaning: which
//!   permissions a grant pattern covers (from the pattern text, not from
//!   its resolved expansion), includes, role implications, permission
//!   implications, grouped permissions, configurable grants and their
//!   settings, and direct grants.
//!
//! The decision rules, for user `u`, permission `p`, and the resource `t`
//! the query names (or its enclosing resource of `p`'s scope kind):
//! 1. A grouped permission is held exactly when each of its members is
//!    held.
//! 2. A finer permission is held when, on `t` or a resource enclosing it,
//!    `u` holds a role that gives it, or has it granted directly (by name or
//!    through a group containing it).
//! 3. A role gives `p` when one of its grants covers `p` (a configurable one
//!    only where switched on), or a role it includes or implies gives `p`.
//! 4. A configurable grant is decided by the setting on the enclosing
//!    instance of the declaring role's scope kind: the setting written for
//!    `p` itself, else for the nearest group containing `p`, else the
//!    grant's default.
//! 5. Holding a permission `q` that `implies Q on every S` on an instance
//!    means holding `Q` on every contained instance of `S`.
//! 6. In an edition without RBAC, bindings, direct grants and settings do
//!    not apply (only the fallback role, with its defaults).

use crate::eval::QueryError;
use crate::policy::Policy;
use crate::resolve::{Model, PermId, RoleId, ScopeId};
use std::collections::BTreeSet;

pub mod data;
mod rules;

pub use data::Data;
pub use rules::Refusal;
use rules::World;

/// A naive evaluator over the resolved model and the membership data.
#[derive(Debug)]
pub struct Reference<'a> {
    model: &'a Model,
    data: Data,
    world: World,
}

impl<'a> Reference<'a> {
    /// A reference evaluator over a model and membership data; refused when
    /// the data breaks a rule of the semantics (an `exactly one` rule with
    /// no default and a member holding none of its roles; one user bound two
    /// roles of one cardinality rule) or names something that does not
    /// exist.
    pub fn new(policy: &'a Policy, data: Data) -> Result<Reference<'a>, Refusal> {
        let model = &policy.model;
        let world = rules::derive(model, &data)?;
        Ok(Reference { model, data, world })
    }

    /// A reference evaluator over the membership YAML text.
    pub fn from_text(policy: &'a Policy, text: &str) -> Result<Reference<'a>, Refusal> {
        let data = data::read(text).map_err(Refusal::Invalid)?;
        Reference::new(policy, data)
    }

    /// The roles `user` holds on `resource` itself (not those held on
    /// enclosing resources or implied), by name; `None` for an unknown user
    /// or resource.
    pub fn roles_held(&self, user: &str, resource: &str) -> Option<BTreeSet<String>> {
        let u = *self.world.user_ix.get(user)?;
        let r = *self.world.res_ix.get(resource)?;
        let held = self.world.held.get(r)?;
        Some(
            held.iter()
                .filter(|(v, _)| *v == u)
                .map(|(_, role)| self.model.role_name(*role).to_string())
                .collect(),
        )
    }

    /// The members of `resource` in join order; `None` for an unknown one.
    pub fn members_of(&self, resource: &str) -> Option<Vec<String>> {
        let r = *self.world.res_ix.get(resource)?;
        let members = self.world.members.get(r)?;
        Some(
            members
                .iter()
                .filter_map(|&u| self.world.users.get(u).cloned())
                .collect(),
        )
    }

    /// Can `user` do `perm` on `resource`? Unknown names and a permission of
    /// a kind that does not enclose the resource are errors, never allows.
    pub fn decide(&self, user: &str, perm: &str, resource: &str) -> Result<bool, QueryError> {
        let u = *self
            .world
            .user_ix
            .get(user)
            .ok_or_else(|| QueryError::UnknownUser {
                name: user.to_string(),
                suggestion: None,
            })?;
        let p = self
            .model
            .perms
            .iter()
            .position(|x| x.name == perm)
            .map(PermId::from_index)
            .ok_or_else(|| QueryError::UnknownPermission {
                name: perm.to_string(),
                suggestion: None,
            })?;
        let r = *self
            .world
            .res_ix
            .get(resource)
            .ok_or_else(|| QueryError::UnknownResource {
                name: resource.to_string(),
                suggestion: None,
            })?;
        let kind = self.perm_scope(p);
        let t = self
            .enclosing(r, kind)
            .ok_or_else(|| QueryError::WrongKind {
                perm: perm.to_string(),
                perm_kind: self.model.scope_name(kind).to_string(),
                res: resource.to_string(),
                res_kind: String::new(),
            })?;
        Ok(self.holds(u, p, t))
    }

    fn perm_scope(&self, p: PermId) -> ScopeId {
        self.model.perm(p).map(|x| x.scope).unwrap_or_default()
    }

    fn role_scope(&self, r: RoleId) -> ScopeId {
        self.model.role(r).map(|x| x.scope).unwrap_or_default()
    }

    fn res_name(&self, r: usize) -> &str {
        self.world.res.get(r).map_or("", |x| x.name.as_str())
    }

    /// `r` or the resource enclosing it of the given kind.
    fn enclosing(&self, r: usize, kind: ScopeId) -> Option<usize> {
        rules::ancestors(&self.world, r)
            .into_iter()
            .find(|x| self.world.res.get(*x).is_some_and(|res| res.kind == kind))
    }

    /// Rule 1, 2 and 5: does `u` hold `p` on `t` (a resource of `p`'s kind)?
    fn holds(&self, u: usize, p: PermId, t: usize) -> bool {
        let Some(perm) = self.model.perm(p) else {
            return false;
        };
        if !perm.children.is_empty() {
            return perm.children.iter().all(|&c| self.holds(u, c, t));
        }
        for a in rules::ancestors(&self.world, t) {
            let held = self.world.held.get(a).into_iter().flatten();
            for &(_, role) in held.filter(|(v, _)| *v == u) {
                if self.gives(role, p, t, 0) {
                    return true;
                }
            }
            if self.granted_directly(u, a, p) {
                return true;
            }
        }
        // Rule 5: a permission held higher up implies a role that gives p.
        let kind = self.perm_scope(p);
        for (qi, q) in self.model.perms.iter().enumerate() {
            for imp in &q.implies {
                let implied_scope = self.role_scope(imp.role);
                if !self.model.scope_within(kind, implied_scope) {
                    continue;
                }
                if !self.gives(imp.role, p, t, 0) {
                    continue;
                }
                // Implications point strictly down: q's kind encloses p's,
                // so this recursion climbs and ends.
                if q.scope == kind {
                    continue;
                }
                let Some(tq) = self.enclosing(t, q.scope) else {
                    continue;
                };
                if self.holds(u, PermId::from_index(qi), tq) {
                    return true;
                }
            }
        }
        false
    }

    /// Rule 3: does role `r` give the finer permission `p` on `t`?
    fn gives(&self, r: RoleId, p: PermId, t: usize, depth: usize) -> bool {
        let Some(role) = self.model.role(r) else {
            return false;
        };
        if depth > self.model.roles.len() {
            return false;
        }
        for grant in &role.grants {
            if !covers(self.model, &grant.text, role.scope, p) {
                continue;
            }
            match grant.configurable {
                None => return true,
                Some(default) => {
                    if self.setting(t, r, p).unwrap_or(default) {
                        return true;
                    }
                }
            }
        }
        role.includes
            .iter()
            .any(|(i, _)| self.gives(*i, p, t, depth + 1))
            || role
                .implies
                .iter()
                .any(|imp| self.gives(imp.role, p, t, depth + 1))
    }

    /// Rule 4: the setting of `r`'s configurable grant of `p` on the
    /// enclosing instance of `r`'s scope kind, if one is written.
    fn setting(&self, t: usize, r: RoleId, p: PermId) -> Option<bool> {
        if !self.world.rbac {
            return None;
        }
        let inst = self.enclosing(t, self.role_scope(r))?;
        let body = self.data.resources.get(self.res_name(inst))?;
        let switches = body.settings.get(self.model.role_name(r))?;
        perm_and_groups(self.model, p)
            .into_iter()
            .find_map(|q| switches.get(self.model.perm_name(q)))
            .map(|on| on.0)
    }

    /// Is `p` (or a group containing it) granted directly to `u`, or to a
    /// group `u` is in, on resource `a`?
    fn granted_directly(&self, u: usize, a: usize, p: PermId) -> bool {
        if !self.world.rbac {
            return false;
        }
        let Some(user) = self.world.users.get(u) else {
            return false;
        };
        let Some(body) = self.data.resources.get(self.res_name(a)) else {
            return false;
        };
        let names: Vec<&str> = perm_and_groups(self.model, p)
            .into_iter()
            .map(|x| self.model.perm_name(x))
            .collect();
        body.grants.iter().any(|(subject, perms)| {
            let applies = match subject.strip_prefix("group:") {
                Some(g) => self
                    .data
                    .groups
                    .get(g)
                    .is_some_and(|users| users.0.contains(user)),
                None => subject == user,
            };
            applies && perms.0.iter().any(|x| names.contains(&x.as_str()))
        })
    }
}

/// `p` and the groups containing it, innermost first.
fn perm_and_groups(model: &Model, p: PermId) -> Vec<PermId> {
    let mut out = Vec::new();
    let mut cur = Some(p);
    while let Some(x) = cur {
        if out.contains(&x) {
            break;
        }
        out.push(x);
        cur = model.perm(x).and_then(|perm| perm.parent);
    }
    out
}

/// Does a grant pattern, written in a role on `scope`, cover `p`? Granting
/// a group grants its members.
fn covers(model: &Model, pattern: &str, scope: ScopeId, p: PermId) -> bool {
    let within = model
        .perm(p)
        .is_some_and(|x| model.scope_within(x.scope, scope));
    if !within {
        return false;
    }
    if pattern == "*" {
        return true;
    }
    let names: Vec<&str> = perm_and_groups(model, p)
        .into_iter()
        .map(|x| model.perm_name(x))
        .collect();
    match pattern.strip_suffix(".*") {
        Some(prefix) => names.iter().any(|n| {
            n.strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.'))
        }),
        None => names.contains(&pattern),
    }
}
