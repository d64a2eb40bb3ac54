//! Stage 4: the compiled form. Interned ids and, for every role, its
//! effective permissions as bitsets (after includes, implications, wildcards
//! and grouping). Evaluation and analysis read this; no strings on the hot
//! path.

pub mod bitset;

pub use bitset::BitSet;

use crate::resolve::{graph, roles_graph, Model, PermId, RoleId, ScopeId};
use crate::span::Span;

/// A configurable grant as declared: (declaring role, permission, default).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConfigGrant {
    /// The role whose `grant … configurable` declares it; settings are keyed
    /// by this role.
    pub declared_by: RoleId,
    /// The permission.
    pub perm: PermId,
    /// Whether it holds when the instance has no setting.
    pub default_on: bool,
}

/// One role, compiled.
#[derive(Clone, Debug)]
pub struct CompiledRole {
    /// Permissions always held (of every scope kind at or below the role's).
    pub always: BitSet,
    /// Permissions held only where a configurable grant is switched on
    /// (never overlapping `always`).
    pub configurable: BitSet,
    /// The configurable grants behind `configurable`, sorted.
    pub config_grants: Vec<ConfigGrant>,
    /// Roles this role reaches through includes and implications, itself
    /// included.
    pub reaches: BitSet,
    /// Permissions holders may be granted per resource (`grantable`), with
    /// those of reached roles; used to rate custom groups.
    pub grantable: BitSet,
}

/// A compiled policy: the resolved model plus effective permission sets.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// Roles indexed by [`RoleId`].
    pub roles: Vec<CompiledRole>,
    /// Role graph edges (from, to, where), for explanations.
    pub edges: Vec<(RoleId, RoleId, Span)>,
}

impl Compiled {
    /// The compiled role.
    pub fn role(&self, id: RoleId) -> Option<&CompiledRole> {
        self.roles.get(id.index())
    }

    /// Whether `role` always holds `perm`.
    #[inline]
    pub fn holds(&self, role: RoleId, perm: PermId) -> bool {
        self.roles
            .get(role.index())
            .is_some_and(|r| r.always.contains(perm.index()))
    }
}

/// Compiles an error-free model. Roles are processed dependencies first; a
/// model with a role cycle (which resolution reports) compiles what it can.
pub fn compile(model: &Model) -> Compiled {
    let n_roles = model.roles.len();
    let n_perms = model.perms.len();
    let edges = roles_graph(model);
    let plain: Vec<(usize, usize)> = edges.iter().map(|e| (e.0, e.1)).collect();
    let order =
        graph::dependencies_first(n_roles, &plain).unwrap_or_else(|| (0..n_roles).collect());
    let mut roles: Vec<CompiledRole> = (0..n_roles)
        .map(|_| CompiledRole {
            always: BitSet::with_capacity(n_perms),
            configurable: BitSet::with_capacity(n_perms),
            config_grants: Vec::new(),
            reaches: BitSet::with_capacity(n_roles),
            grantable: BitSet::with_capacity(n_perms),
        })
        .collect();
    // Out-edges per role, built once (a scan of every edge per role would be
    // quadratic in the size of the policy).
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n_roles];
    for &(from, to, _) in &edges {
        if let Some(list) = out_edges.get_mut(from) {
            list.push(to);
        }
    }
    for r in order {
        let Some(role) = model.roles.get(r) else {
            continue;
        };
        let mut always = BitSet::with_capacity(n_perms);
        let mut grants: Vec<ConfigGrant> = Vec::new();
        let mut reaches = BitSet::with_capacity(n_roles);
        let mut grantable = BitSet::with_capacity(n_perms);
        role.grantable
            .iter()
            .for_each(|p| grantable.insert(p.index()));
        reaches.insert(r);
        for g in &role.grants {
            match g.configurable {
                None => g.perms.iter().for_each(|p| always.insert(p.index())),
                Some(default_on) => grants.extend(g.perms.iter().map(|&perm| ConfigGrant {
                    declared_by: RoleId::from_index(r),
                    perm,
                    default_on,
                })),
            }
        }
        for &to in out_edges.get(r).map_or(&[][..], Vec::as_slice) {
            if let Some(target) = roles.get(to) {
                always.union_with(&target.always);
                grants.extend(target.config_grants.iter().copied());
                reaches.union_with(&target.reaches);
                grantable.union_with(&target.grantable);
            }
        }
        close_groups(model, &mut always);
        grants.retain(|g| !always.contains(g.perm.index()));
        grants.sort();
        grants.dedup();
        let mut configurable = BitSet::with_capacity(n_perms);
        grants
            .iter()
            .for_each(|g| configurable.insert(g.perm.index()));
        if let Some(slot) = roles.get_mut(r) {
            *slot = CompiledRole {
                always,
                configurable,
                config_grants: grants,
                reaches,
                grantable,
            };
        }
    }
    Compiled {
        roles,
        edges: edges
            .into_iter()
            .map(|(a, b, s)| (RoleId::from_index(a), RoleId::from_index(b), s))
            .collect(),
    }
}

/// A grouped permission is held when all its members are held.
pub fn close_groups(model: &Model, set: &mut BitSet) {
    for &g in model.grouped.iter().rev() {
        let members = model.perm(g).map_or(&[][..], |p| p.children.as_slice());
        if members.iter().all(|c| set.contains(c.index())) {
            set.insert(g.index());
        }
    }
}

/// The permissions of one scope kind, in declaration order.
pub fn perms_of_scope(model: &Model, scope: ScopeId) -> Vec<PermId> {
    (0..model.perms.len())
        .map(PermId::from_index)
        .filter(|&p| model.perm(p).is_some_and(|x| x.scope == scope))
        .collect()
}

/// The roles of one scope kind: ranked roles in the order the rank is
/// written, then the others in declaration order.
pub fn roles_of_scope(model: &Model, scope: ScopeId) -> Vec<RoleId> {
    let mut out: Vec<RoleId> = Vec::new();
    if let Some(rank) = model.rank_of(scope) {
        out.extend(rank.ascending.iter().copied());
        if rank.written_descending {
            out.reverse();
        }
    }
    for (i, role) in model.roles.iter().enumerate() {
        let id = RoleId::from_index(i);
        if role.scope == scope && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}
