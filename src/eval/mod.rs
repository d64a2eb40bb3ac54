//! Stage 5: evaluation of queries against a compiled policy and loaded
//! membership data. Default deny; every error is a refusal, never an allow.
//!
//! The hot path ([`Authorizer::check`]) reads only ids: a hash lookup of
//! (user, resource) per enclosing resource and a bit test.

mod explain;

pub use explain::{Explanation, Step, StepKind};

use crate::membership::{EntryRef, Members, ResId, UserId};
use crate::policy::Policy;
use crate::resolve::{PermId, ScopeId};
use crate::suggest::did_you_mean;
use std::collections::HashMap;
use std::fmt;

/// A query with every name interned: ready for [`Authorizer::check`].
///
/// Made only by [`Authorizer::query`], so its ids are the ones that
/// authorizer gave; the fields are private and read through accessors.
/// A query made by another authorizer names ids this one may not hold,
/// and is then a deny, never an allow.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub(crate) user: UserId,
    pub(crate) perm: PermId,
    /// The resource the permission is checked on (the queried resource or
    /// its enclosing resource of the permission's scope kind).
    pub(crate) res: ResId,
    /// The resource as queried.
    pub(crate) asked: ResId,
}

impl Query {
    /// The user.
    pub fn user(&self) -> UserId {
        self.user
    }

    /// The permission.
    pub fn permission(&self) -> PermId {
        self.perm
    }

    /// The resource as queried.
    pub fn resource(&self) -> ResId {
        self.asked
    }

    /// The resource the permission is checked on: the queried resource,
    /// or the one enclosing it that is of the permission's scope kind.
    pub fn checked_on(&self) -> ResId {
        self.res
    }
}

/// Why a query could not be evaluated. Evaluation refuses; nothing is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueryError {
    /// No such user in the membership data.
    UnknownUser {
        /// The name.
        name: String,
        /// A close name.
        suggestion: Option<String>,
    },
    /// No such permission in the policy.
    UnknownPermission {
        /// The name.
        name: String,
        /// A close name.
        suggestion: Option<String>,
    },
    /// No such resource in the membership data.
    UnknownResource {
        /// The name.
        name: String,
        /// A close name.
        suggestion: Option<String>,
    },
    /// The permission belongs to a scope kind that does not contain the
    /// resource.
    WrongKind {
        /// The permission.
        perm: String,
        /// Its scope kind.
        perm_kind: String,
        /// The resource.
        res: String,
        /// The resource's kind.
        res_kind: String,
    },
    /// A malformed query line (batch input).
    Malformed(String),
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hint = |s: &Option<String>| {
            s.as_ref()
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default()
        };
        match self {
            QueryError::UnknownUser { name, suggestion } => write!(f, "unknown user `{name}`{}", hint(suggestion)),
            QueryError::UnknownPermission { name, suggestion } => {
                write!(f, "unknown permission `{name}`{}", hint(suggestion))
            }
            QueryError::UnknownResource { name, suggestion } => {
                write!(f, "unknown resource `{name}`{}", hint(suggestion))
            }
            QueryError::WrongKind { perm, perm_kind, res, res_kind } => write!(
                f,
                "`{perm}` is a permission on `{perm_kind}`, and `{res}` (a `{res_kind}`) is not inside a `{perm_kind}`"
            ),
            QueryError::Malformed(msg) => write!(f, "malformed query: {msg}"),
        }
    }
}

impl QueryError {
    /// The stable code the CLI shows (`E0602` to `E0606`; `rbacc explain
    /// CODE` says more).
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::UnknownUser { .. } => "E0602",
            QueryError::UnknownPermission { .. } => "E0603",
            QueryError::UnknownResource { .. } => "E0604",
            QueryError::WrongKind { .. } => "E0605",
            QueryError::Malformed(_) => "E0606",
        }
    }
}

impl std::error::Error for QueryError {}

/// Why an [`Authorizer`] could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizerError {
    /// The membership data was loaded against another policy (or another
    /// version of it): its role and permission ids would not mean the same
    /// here. Load the data again against this policy.
    PolicyMismatch {
        /// The policy given.
        policy: String,
        /// The policy the data was loaded against.
        members_bound_to: String,
    },
}

impl AuthorizerError {
    /// The stable code the CLI shows (`E0601`).
    pub fn code(&self) -> &'static str {
        match self {
            AuthorizerError::PolicyMismatch { .. } => "E0601",
        }
    }
}

impl fmt::Display for AuthorizerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthorizerError::PolicyMismatch {
                policy,
                members_bound_to,
            } => write!(
                f,
                "the membership data was loaded against another policy (`{members_bound_to}`), not this compiled `{policy}`: load it again against this policy"
            ),
        }
    }
}

impl std::error::Error for AuthorizerError {}

impl From<AuthorizerError> for crate::diagnostic::Report {
    fn from(e: AuthorizerError) -> Self {
        crate::diagnostic::Report {
            sources: Default::default(),
            diagnostics: vec![crate::diagnostic::Diagnostic::error(
                e.code(),
                e.to_string(),
            )],
        }
    }
}

/// A compiled policy with loaded members: answers queries.
#[derive(Clone, Debug)]
pub struct Authorizer {
    policy: Policy,
    members: Members,
    parent: Vec<u32>,
    kind: Vec<ScopeId>,
    perm_kind: Vec<ScopeId>,
    perm_ids: HashMap<String, PermId>,
}

const NO_PARENT: u32 = u32::MAX;

impl Authorizer {
    /// Builds an authorizer. The members must have been loaded against this
    /// very policy (the same compiled form): data loaded against another
    /// policy, or another version of it, is refused, because role and
    /// permission ids would silently change meaning (fail closed).
    pub fn new(policy: Policy, members: Members) -> Result<Authorizer, AuthorizerError> {
        if let Some(other) = members.bound_elsewhere(&policy) {
            return Err(AuthorizerError::PolicyMismatch {
                policy: policy.name.clone(),
                members_bound_to: other.to_string(),
            });
        }
        let parent = members
            .resources
            .iter()
            .map(|r| r.parent.map_or(NO_PARENT, |p| p.0))
            .collect();
        let kind = members.resources.iter().map(|r| r.kind).collect();
        let perm_kind = policy.model.perms.iter().map(|p| p.scope).collect();
        let perm_ids = policy
            .model
            .perms
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.clone(), PermId::from_index(i)))
            .collect();
        Ok(Authorizer {
            policy,
            members,
            parent,
            kind,
            perm_kind,
            perm_ids,
        })
    }

    /// The compiled policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The membership data.
    pub fn members(&self) -> &Members {
        &self.members
    }

    /// Takes the authorizer apart, to bind new data to the same policy
    /// (or the same data to nothing else: data is bound to one policy).
    pub fn into_parts(self) -> (Policy, Members) {
        (self.policy, self.members)
    }

    /// Interns a query's names. Unknown names and kind mismatches are errors.
    pub fn query(&self, user: &str, perm: &str, resource: &str) -> Result<Query, QueryError> {
        let m = &self.members;
        let user_id = user_id(m, user)?;
        let perm_id = *self
            .perm_ids
            .get(perm)
            .ok_or_else(|| QueryError::UnknownPermission {
                name: perm.to_string(),
                suggestion: did_you_mean(perm, self.perm_ids.keys().map(String::as_str)),
            })?;
        let asked = res_id(m, resource)?;
        let pk = self
            .perm_kind
            .get(perm_id.index())
            .copied()
            .unwrap_or_default();
        let res = m
            .ancestors(asked)
            .find(|r| self.kind.get(r.index()) == Some(&pk))
            .ok_or_else(|| {
                let model = &self.policy.model;
                QueryError::WrongKind {
                    perm: perm.to_string(),
                    perm_kind: model.scope_name(pk).to_string(),
                    res: resource.to_string(),
                    res_kind: model
                        .scope_name(self.kind.get(asked.index()).copied().unwrap_or_default())
                        .to_string(),
                }
            })?;
        Ok(Query {
            user: user_id,
            perm: perm_id,
            res,
            asked,
        })
    }

    /// Decides an interned query: `true` for allow. Default deny.
    #[inline(always)]
    pub fn check(&self, q: &Query) -> bool {
        let index = &self.members.index;
        if index.holds(q.user, q.res, q.perm) {
            return true;
        }
        if !index.needs_walk(q.user) {
            return false;
        }
        self.check_walk(q)
    }

    /// The walking path: the entries of the resource and each enclosing
    /// one, configurable grants, grouped permissions member by member.
    /// Kept out of line so that [`Authorizer::check`] stays small enough to
    /// inline into a caller's loop.
    #[inline(never)]
    pub(crate) fn check_walk(&self, q: &Query) -> bool {
        if self.check_here_or_above(q) {
            return true;
        }
        // A grouped permission is held when each of its members is held,
        // wherever each is held (members may come from different roles on
        // different enclosing resources, or be switched on one by one).
        match self.policy.model.perms.get(q.perm.index()) {
            Some(p) if !p.children.is_empty() => p
                .children
                .iter()
                .all(|&c| self.check(&Query { perm: c, ..*q })),
            _ => false,
        }
    }

    /// The entries of the user on the resource and its ancestors: an
    /// always-held bit, or a configurable grant switched on.
    #[inline]
    fn check_here_or_above(&self, q: &Query) -> bool {
        let mut res = q.res.0;
        loop {
            if let Some(e) = self.members.entry(q.user, ResId(res)) {
                if e.always.contains(q.perm.index()) {
                    return true;
                }
                if e.has_configurable && self.configurable_allows(e, q) {
                    return true;
                }
            }
            res = match self.parent.get(res as usize) {
                Some(&p) if p != NO_PARENT => p,
                _ => return false,
            };
        }
    }

    /// Decides many interned queries.
    pub fn check_batch(&self, queries: &[Query], out: &mut Vec<bool>) {
        out.clear();
        out.extend(queries.iter().map(|q| self.check(q)));
    }

    /// Interns and decides a query.
    pub fn is_allowed(&self, user: &str, perm: &str, resource: &str) -> Result<bool, QueryError> {
        self.query(user, perm, resource).map(|q| self.check(&q))
    }

    /// The configurable grants of `e`'s roles for the query's permission,
    /// each with the resource whose setting decides it.
    fn configurable_allows(&self, e: EntryRef<'_>, q: &Query) -> bool {
        self.config_decisions(e, q).any(|(_, _, on)| on)
    }

    pub(crate) fn config_decisions<'a>(
        &'a self,
        e: EntryRef<'a>,
        q: &'a Query,
    ) -> impl Iterator<Item = (crate::compile::ConfigGrant, Option<ResId>, bool)> + 'a {
        let compiled = &self.policy.compiled;
        let model = &self.policy.model;
        e.role_ids().flat_map(move |role| {
            compiled
                .role(role)
                .into_iter()
                // A grouped permission is decided member by member (see
                // `check`), never by a setting of the group alone.
                .filter(move |cr| cr.configurable.contains(q.perm.index()))
                .filter(move |_| model.perm(q.perm).is_some_and(|p| p.children.is_empty()))
                .flat_map(move |cr| cr.config_grants.iter().filter(move |g| g.perm == q.perm))
                .map(move |g| {
                    let scope = model
                        .role(g.declared_by)
                        .map(|r| r.scope)
                        .unwrap_or_default();
                    let inst = self
                        .members
                        .ancestors(q.res)
                        .find(|r| self.kind.get(r.index()) == Some(&scope));
                    let on = inst
                        .and_then(|i| {
                            self.members
                                .settings
                                .get(&(i, g.declared_by, g.perm))
                                .copied()
                        })
                        .unwrap_or(g.default_on);
                    (*g, inst, on)
                })
        })
    }

    /// Every user allowed `perm` on `resource`, in sign-up order.
    pub fn who_can(
        &self,
        perm: &str,
        resource: &str,
    ) -> Result<Vec<(UserId, Explanation)>, QueryError> {
        let first = self.members.users.first().unwrap_or_default();
        // Validate the permission and resource once (with any user).
        if self.members.users.is_empty() {
            return Ok(Vec::new());
        }
        let base = self.query(first, perm, resource)?;
        let mut out = Vec::new();
        for u in 0..self.members.users.len() {
            let q = Query {
                user: UserId::from_index(u),
                ..base
            };
            if self.check(&q) {
                out.push((q.user, self.explain(&q)));
            }
        }
        Ok(out)
    }

    /// Every permission of the resource's scope kind `user` holds there. A
    /// kind that declares no permissions (an Astro deployment) is governed by
    /// the nearest enclosing kind that does: its permissions are listed.
    pub fn what_can(
        &self,
        user: &str,
        resource: &str,
    ) -> Result<Vec<(PermId, Explanation)>, QueryError> {
        let model = &self.policy.model;
        let res = res_id(&self.members, resource)?;
        user_id(&self.members, user)?;
        let own = self.kind.get(res.index()).copied().unwrap_or_default();
        let kind = model
            .scope_chain(own)
            .into_iter()
            .find(|k| model.perms.iter().any(|p| p.scope == *k))
            .unwrap_or(own);
        let mut out = Vec::new();
        for (i, p) in model.perms.iter().enumerate() {
            if p.scope != kind {
                continue;
            }
            let q = self.query(user, &p.name, resource)?;
            if self.check(&q) {
                out.push((PermId::from_index(i), self.explain(&q)));
            }
        }
        Ok(out)
    }
}

/// A user's id, or the error a query with that name gets (with a
/// suggestion): the one place an unknown user is worded.
pub(crate) fn user_id(m: &Members, name: &str) -> Result<UserId, QueryError> {
    m.user_id(name).ok_or_else(|| QueryError::UnknownUser {
        name: name.to_string(),
        suggestion: did_you_mean(name, m.users.iter()),
    })
}

/// A resource's id, or the error a query with that name gets.
pub(crate) fn res_id(m: &Members, name: &str) -> Result<ResId, QueryError> {
    m.res_id(name).ok_or_else(|| QueryError::UnknownResource {
        name: name.to_string(),
        suggestion: did_you_mean(name, m.resources.iter().map(|r| r.name.as_str())),
    })
}
