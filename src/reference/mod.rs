//! The reference evaluator: the executable specification of a decision.
//!
//! A short, deliberately naive walk over the resolved [`Model`] and the
//! membership data, written from `docs/language.md` and the membership
//! semantics, with no bitsets and no caching. The property tests
//! (`tests/proptest_*.rs`) check that the compiled evaluator
//! ([`crate::Authorizer`]) agrees with it on random policies, memberships
//! and queries.
//!
//! What it reuses and what it recomputes:
//! - The roles each user holds on each resource (explicit bindings, group
//!   bindings, cardinality defaults, bootstrap, edition fallback, group
//!   upgrades) are taken from the loaded [`Members`] ([`EntryRef::roles`](crate::membership::EntryRef::roles)):
//!   those are membership semantics, not what the bitsets compute.
//! - Everything else is recomputed here from the policy text's meaning:
//!   which permissions a grant pattern covers (from the pattern text, not
//!   from its resolved expansion), includes, role implications, permission
//!   implications, grouped permissions, configurable grants and their
//!   settings (read from the raw YAML), and direct grants (read from the raw
//!   YAML).
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
use crate::membership::raw::RawMembers;
use crate::membership::{Members, Origin, ResId, UserId};
use crate::resolve::{Model, PermId, RoleId, ScopeId};

/// A naive evaluator over the resolved model and the membership data.
#[derive(Debug)]
pub struct Reference<'a> {
    model: &'a Model,
    members: &'a Members,
    raw: RawMembers,
    rbac: bool,
}

/// Reads the raw membership YAML the same way loading does (an empty file
/// is empty data).
pub fn read_raw(text: &str) -> Result<RawMembers, String> {
    Members::read(text).map_err(|e| e.message)
}

impl<'a> Reference<'a> {
    /// A reference evaluator over a model, the loaded members (for users,
    /// resources and held roles) and the raw data they were loaded from (for
    /// direct grants and settings).
    pub fn new(model: &'a Model, members: &'a Members, raw: RawMembers) -> Reference<'a> {
        let rbac = members
            .edition
            .and_then(|e| model.editions.get(e.index()))
            .is_none_or(|e| e.rbac);
        Reference {
            model,
            members,
            raw,
            rbac,
        }
    }

    /// A reference evaluator reading the raw data from the YAML text the
    /// members were loaded from.
    pub fn from_text(
        model: &'a Model,
        members: &'a Members,
        text: &str,
    ) -> Result<Reference<'a>, String> {
        let raw = read_raw(text)?;
        Ok(Reference::new(model, members, raw))
    }

    /// Can `user` do `perm` on `resource`? Unknown names and a permission of
    /// a kind that does not enclose the resource are errors, never allows.
    pub fn decide(&self, user: &str, perm: &str, resource: &str) -> Result<bool, QueryError> {
        let u = self
            .members
            .user_id(user)
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
        let r = self
            .members
            .resources
            .iter()
            .position(|x| x.name == resource)
            .map(ResId::from_index)
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

    /// `r` and the resources enclosing it, innermost first.
    fn ancestors(&self, r: ResId) -> Vec<ResId> {
        let mut out = Vec::new();
        let mut cur = Some(r);
        while let Some(x) = cur {
            if out.contains(&x) {
                break;
            }
            out.push(x);
            cur = self.members.resource(x).and_then(|res| res.parent);
        }
        out
    }

    /// `r` or the resource enclosing it of the given kind.
    fn enclosing(&self, r: ResId, kind: ScopeId) -> Option<ResId> {
        self.ancestors(r).into_iter().find(|x| {
            self.members
                .resource(*x)
                .is_some_and(|res| res.kind == kind)
        })
    }

    /// `p` and the groups containing it, innermost first.
    fn perm_and_groups(&self, p: PermId) -> Vec<PermId> {
        let mut out = Vec::new();
        let mut cur = Some(p);
        while let Some(x) = cur {
            if out.contains(&x) {
                break;
            }
            out.push(x);
            cur = self.model.perm(x).and_then(|perm| perm.parent);
        }
        out
    }

    /// Rule 1, 2 and 5: does `u` hold `p` on `t` (a resource of `p`'s kind)?
    fn holds(&self, u: UserId, p: PermId, t: ResId) -> bool {
        let Some(perm) = self.model.perm(p) else {
            return false;
        };
        if !perm.children.is_empty() {
            return perm.children.iter().all(|&c| self.holds(u, c, t));
        }
        for a in self.ancestors(t) {
            if let Some(entry) = self.members.entry(u, a) {
                for held in entry.roles() {
                    // Roles a loader derives from direct grants are
                    // recomputed below (rule 5), not taken on trust.
                    if matches!(held.origin, Origin::Direct | Origin::GroupGrant(_)) {
                        continue;
                    }
                    if self.gives(held.role, p, t, 0) {
                        return true;
                    }
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
    fn gives(&self, r: RoleId, p: PermId, t: ResId, depth: usize) -> bool {
        let Some(role) = self.model.role(r) else {
            return false;
        };
        if depth > self.model.roles.len() {
            return false;
        }
        for grant in &role.grants {
            if !self.covers(&grant.text, role.scope, p) {
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

    /// Does a grant pattern, written in a role on `scope`, cover `p`?
    /// Granting a group grants its members.
    fn covers(&self, pattern: &str, scope: ScopeId, p: PermId) -> bool {
        if !self.model.scope_within(self.perm_scope(p), scope) {
            return false;
        }
        if pattern == "*" {
            return true;
        }
        let names: Vec<&str> = self
            .perm_and_groups(p)
            .into_iter()
            .map(|x| self.model.perm_name(x))
            .collect();
        match pattern.strip_suffix(".*") {
            Some(prefix) => names.iter().any(|n| {
                n.strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('.'))
            }),
            None => names.contains(&pattern),
        }
    }

    /// Rule 4: the setting of `r`'s configurable grant of `p` on the
    /// enclosing instance of `r`'s scope kind, if one is written.
    fn setting(&self, t: ResId, r: RoleId, p: PermId) -> Option<bool> {
        if !self.rbac {
            return None;
        }
        let inst = self.enclosing(t, self.role_scope(r))?;
        let inst_name = self.members.res_name(inst);
        let body = self.raw.resources.iter().find(|b| b.name.0 == inst_name)?;
        let role_name = self.model.role_name(r);
        for q in self.perm_and_groups(p) {
            let qname = self.model.perm_name(q);
            if let Some(s) = body
                .settings
                .iter()
                .find(|s| s.role.0 == role_name && s.perm.0 == qname)
            {
                return Some(s.on);
            }
        }
        None
    }

    /// Is `p` (or a group containing it) granted directly to `u`, or to a
    /// group `u` is in, on resource `a`?
    fn granted_directly(&self, u: UserId, a: ResId, p: PermId) -> bool {
        if !self.rbac {
            return false;
        }
        let a_name = self.members.res_name(a);
        let user = self.members.user_name(u);
        let Some(body) = self.raw.resources.iter().find(|b| b.name.0 == a_name) else {
            return false;
        };
        let names: Vec<&str> = self
            .perm_and_groups(p)
            .into_iter()
            .map(|x| self.model.perm_name(x))
            .collect();
        body.grants.iter().any(|(subject, perms)| {
            let applies = match subject.strip_prefix("group:") {
                Some(g) => self
                    .raw
                    .groups
                    .iter()
                    .any(|x| x.name.0 == g && x.members.iter().any(|(m, _)| m == user)),
                None => subject == user,
            };
            applies && perms.iter().any(|x| names.contains(&x))
        })
    }
}
