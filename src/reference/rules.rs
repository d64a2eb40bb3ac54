//! Who holds which role where: docs/membership.md's Semantics, step by
//! step, over the data as written. Nothing here reads what loading built.
//!
//! 1. Resources: the kind is the id's prefix; the parent drops the last
//!    path name and takes the enclosing kind.
//! 2. Bindings and direct grants: a user subject, or each member of
//!    `group:NAME`. One user subject bound two roles of one cardinality rule
//!    on one resource is E0404 (in every edition).
//! 3. Join order: the listed members, then the users bound or granted
//!    something on the resource (directly or through a group) who are not
//!    listed, in sign-up order; then (3b, `members of INNER are members of
//!    OUTER`, outer kinds deepest first) the members of the INNER
//!    resources an OUTER resource encloses who are not members yet, in
//!    sign-up order.
//! 4. Without RBAC (an edition declared `without rbac`): bindings, grants
//!    and settings do not apply; with `fallback ROLE, …`, every member of
//!    every instance of each ROLE's kind holds that ROLE. Nothing else.
//! 5. With RBAC, on each resource, in this order:
//!    - bootstrap: the first N members hold ROLE unless they hold ROLE or a
//!      role of a cardinality rule that includes ROLE;
//!    - defaults: a member holding none of a rule's roles holds its
//!      default; with none, an `exactly one` rule refuses the data (E0404);
//!    - upgrades (`groups on SCOPE { upgrade roles }`, on instances of
//!      SCOPE): a group bound or granted something there (grants on
//!      resources inside count: a group that edits one app is rated at its
//!      workspace) has a level, the lowest role of the scope's rank whose
//!      permissions (configurable and grantable ones included) cover the
//!      permissions the group's roles always give and those granted to it;
//!      each group member reaches the highest level of their groups, and
//!      holds its role when their own highest ranked role there (or none)
//!      is below it; with `upgrade roles up to ROLE`, a group whose level
//!      ranks above ROLE refuses the data (E0414);
//!    - then `at least one ROLE per SCOPE`: an instance of SCOPE where no
//!      user holds ROLE refuses the data (E0413).

use super::data::Data;
use crate::resolve::{Model, PermId, RoleId, ScopeId};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Why the reference refuses data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A data rule of the semantics is broken (the loader's code for it).
    Rule {
        /// The diagnostic code loading must give, e.g. `E0404`.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The data cannot be read or names something that does not exist
    /// (the reference does not word these; loading does).
    Invalid(String),
}

/// A resource of the data.
#[derive(Clone, Debug)]
pub(super) struct Res {
    pub name: String,
    pub kind: ScopeId,
    pub parent: Option<usize>,
}

/// Everything derived from the data.
#[derive(Clone, Debug, Default)]
pub(super) struct World {
    pub users: Vec<String>,
    pub user_ix: HashMap<String, usize>,
    pub res: Vec<Res>,
    pub res_ix: HashMap<String, usize>,
    pub rbac: bool,
    /// Per resource: the members in join order.
    pub members: Vec<Vec<usize>>,
    /// Per resource: (user, role) held there.
    pub held: Vec<BTreeSet<(usize, RoleId)>>,
}

fn invalid(msg: impl Into<String>) -> Refusal {
    Refusal::Invalid(msg.into())
}

fn cardinality(message: String) -> Refusal {
    Refusal::Rule {
        code: "E0404",
        message,
    }
}

/// A subject of a binding: the users it stands for, and the group if any.
fn subject(
    data: &Data,
    user_ix: &HashMap<String, usize>,
    name: &str,
) -> Result<(Vec<usize>, Option<String>), Refusal> {
    let find = |u: &str| {
        user_ix
            .get(u)
            .copied()
            .ok_or_else(|| invalid(format!("unknown user `{u}`")))
    };
    match name.strip_prefix("group:") {
        Some(g) => {
            let members = data
                .groups
                .get(g)
                .ok_or_else(|| invalid(format!("unknown group `{g}`")))?;
            let users = members
                .0
                .iter()
                .map(|u| find(u))
                .collect::<Result<_, _>>()?;
            Ok((users, Some(g.to_string())))
        }
        None => Ok((vec![find(name)?], None)),
    }
}

/// Derives the world of a policy and data.
pub(super) fn derive(model: &Model, data: &Data) -> Result<World, Refusal> {
    let mut w = World {
        users: data.users.clone(),
        ..World::default()
    };
    for (i, u) in data.users.iter().enumerate() {
        w.user_ix.insert(u.clone(), i);
    }
    // The edition.
    let edition = match &data.edition {
        Some(e) => Some(
            model
                .edition_id(e)
                .ok_or_else(|| invalid(format!("unknown edition `{e}`")))?,
        ),
        None => None,
    };
    w.rbac = edition
        .and_then(|e| model.editions.get(e.index()))
        .is_none_or(|e| e.rbac);
    // 1. Resources.
    for id in data.resources.keys() {
        let (kind, _) = id
            .split_once(':')
            .ok_or_else(|| invalid(format!("`{id}` has no kind")))?;
        let kind = model
            .scope_id(kind)
            .ok_or_else(|| invalid(format!("unknown kind in `{id}`")))?;
        w.res_ix.insert(id.clone(), w.res.len());
        w.res.push(Res {
            name: id.clone(),
            kind,
            parent: None,
        });
    }
    for i in 0..w.res.len() {
        let Some(r) = w.res.get(i) else { continue };
        let Some(parent_kind) = model.scope(r.kind).and_then(|s| s.parent) else {
            continue;
        };
        let path = r.name.split_once(':').map_or("", |x| x.1);
        let parent_path = path.rsplit_once('/').map_or("", |x| x.0);
        let parent = format!("{}:{parent_path}", model.scope_name(parent_kind));
        let p = w
            .res_ix
            .get(&parent)
            .copied()
            .ok_or_else(|| invalid(format!("no parent `{parent}`")))?;
        if let Some(r) = w.res.get_mut(i) {
            r.parent = Some(p);
        }
    }
    // 2. Bindings and grants, 3. join order.
    let n = w.res.len();
    // Per resource: (user, role, group it came through).
    let mut bound: Vec<Vec<(usize, RoleId, Option<String>)>> = vec![Vec::new(); n];
    // Per resource: (permission, group) granted to a group; and who was
    // granted anything.
    let mut group_grants: Vec<Vec<(PermId, String)>> = vec![Vec::new(); n];
    let mut granted: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for (ri, (id, body)) in data.resources.iter().enumerate() {
        for (subj, roles) in &body.roles {
            let (users, group) = subject(data, &w.user_ix, subj)?;
            let mut ids = Vec::new();
            for r in &roles.0 {
                ids.push(
                    model
                        .role_id(r)
                        .ok_or_else(|| invalid(format!("unknown role `{r}`")))?,
                );
            }
            if group.is_none() {
                for rule in &model.cardinalities {
                    let two: Vec<&RoleId> = ids.iter().filter(|r| rule.roles.contains(r)).collect();
                    if two.len() > 1 {
                        return Err(cardinality(format!(
                            "`{subj}` is bound two roles of one rule on `{id}`"
                        )));
                    }
                }
            }
            if let Some(list) = bound.get_mut(ri) {
                for &u in &users {
                    for &r in &ids {
                        list.push((u, r, group.clone()));
                    }
                }
            }
        }
        for (subj, perms) in &body.grants {
            let (users, group) = subject(data, &w.user_ix, subj)?;
            for p in &perms.0 {
                let p = model
                    .perm_id(p)
                    .ok_or_else(|| invalid(format!("unknown permission `{p}`")))?;
                if let (Some(g), Some(list)) = (&group, group_grants.get_mut(ri)) {
                    list.push((p, g.clone()));
                }
            }
            if let Some(set) = granted.get_mut(ri) {
                set.extend(users);
            }
        }
        let mut order: Vec<usize> = Vec::new();
        for u in &body.members {
            let u = *w
                .user_ix
                .get(u)
                .ok_or_else(|| invalid(format!("unknown member `{u}`")))?;
            if !order.contains(&u) {
                order.push(u);
            }
        }
        let mut extra: BTreeSet<usize> = granted.get(ri).cloned().unwrap_or_default();
        extra.extend(bound.get(ri).into_iter().flatten().map(|(u, _, _)| *u));
        let listed: BTreeSet<usize> = order.iter().copied().collect();
        order.extend(extra.difference(&listed));
        w.members.push(order);
    }
    containment(model, &mut w);
    w.held = vec![BTreeSet::new(); n];
    // 4. Without RBAC: the fallbacks alone.
    if !w.rbac {
        let fallbacks = edition
            .and_then(|e| model.editions.get(e.index()))
            .map(|e| e.fallbacks.clone())
            .unwrap_or_default();
        for f in fallbacks {
            let kind = model.role(f).map(|r| r.scope);
            for ri in 0..n {
                if w.res.get(ri).map(|r| r.kind) != kind {
                    continue;
                }
                let members = w.members.get(ri).cloned().unwrap_or_default();
                if let Some(held) = w.held.get_mut(ri) {
                    held.extend(members.into_iter().map(|u| (u, f)));
                }
            }
        }
        return Ok(w);
    }
    // 5. With RBAC.
    for ri in 0..n {
        let Some(res) = w.res.get(ri) else { continue };
        let kind = res.kind;
        let name = res.name.clone();
        let members = w.members.get(ri).cloned().unwrap_or_default();
        let mut held: BTreeSet<(usize, RoleId)> = bound
            .get(ri)
            .into_iter()
            .flatten()
            .map(|(u, r, _)| (*u, *r))
            .collect();
        for rule in &model.bootstraps {
            let in_edition =
                rule.editions.is_empty() || edition.is_some_and(|e| rule.editions.contains(&e));
            if rule.scope != kind || !in_edition {
                continue;
            }
            let mut blocking: BTreeSet<RoleId> = BTreeSet::from([rule.role]);
            for c in model
                .cardinalities
                .iter()
                .filter(|c| c.roles.contains(&rule.role))
            {
                blocking.extend(c.roles.iter().copied());
            }
            for &u in members.iter().take(rule.count as usize) {
                if !blocking.iter().any(|r| held.contains(&(u, *r))) {
                    held.insert((u, rule.role));
                }
            }
        }
        for rule in model.cardinalities.iter().filter(|c| c.scope == kind) {
            for &u in &members {
                if rule.roles.iter().any(|r| held.contains(&(u, *r))) {
                    continue;
                }
                match rule.default {
                    Some(d) => {
                        held.insert((u, d));
                    }
                    None if rule.exactly => {
                        return Err(cardinality(format!(
                            "`{}` is a member of `{name}` and holds none of an `exactly one` rule's roles",
                            w.users.get(u).map_or("", String::as_str)
                        )));
                    }
                    None => {}
                }
            }
        }
        if let Some(h) = w.held.get_mut(ri) {
            *h = held;
        }
    }
    upgrades(model, &mut w, data, &bound, &group_grants)?;
    // `at least one ROLE per SCOPE`, on the roles held on each instance.
    for rule in &model.at_least {
        for ri in 0..n {
            if w.res.get(ri).map(|r| r.kind) != Some(rule.scope) {
                continue;
            }
            let held = w.held.get(ri).cloned().unwrap_or_default();
            if !held.iter().any(|(_, r)| *r == rule.role) {
                return Err(Refusal::Rule {
                    code: "E0413",
                    message: format!(
                        "`{}` has no holder of `{}`",
                        w.res.get(ri).map_or("", |r| r.name.as_str()),
                        model.role_name(rule.role)
                    ),
                });
            }
        }
    }
    Ok(w)
}

/// 3b. `members of INNER are members of OUTER`: for each kind that is an
/// OUTER, deepest first, each instance's members are followed by the
/// members of the INNER instances it encloses who are not yet members, in
/// sign-up order.
fn containment(model: &Model, w: &mut World) {
    let mut outers: Vec<ScopeId> = model.containments.iter().map(|c| c.outer).collect();
    outers.sort_by_key(|s| (std::cmp::Reverse(model.scope_chain(*s).len()), *s));
    outers.dedup();
    for outer in outers {
        let mut joining: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); w.res.len()];
        for ri in 0..w.res.len() {
            let Some(kind) = w.res.get(ri).map(|r| r.kind) else {
                continue;
            };
            let applies = model
                .containments
                .iter()
                .any(|c| c.outer == outer && c.inner == kind);
            if !applies {
                continue;
            }
            let container = ancestors(w, ri)
                .into_iter()
                .find(|&a| w.res.get(a).map(|r| r.kind) == Some(outer));
            let members = w.members.get(ri).cloned().unwrap_or_default();
            if let Some(set) = container.and_then(|c| joining.get_mut(c)) {
                set.extend(members);
            }
        }
        for (oi, users) in joining.into_iter().enumerate() {
            if let Some(order) = w.members.get_mut(oi) {
                let fresh: Vec<usize> = users.into_iter().filter(|u| !order.contains(u)).collect();
                order.extend(fresh);
            }
        }
    }
}

/// `groups on SCOPE { upgrade roles }`.
fn upgrades(
    model: &Model,
    w: &mut World,
    data: &Data,
    bound: &[Vec<(usize, RoleId, Option<String>)>],
    group_grants: &[Vec<(PermId, String)>],
) -> Result<(), Refusal> {
    for rule in model.groups.iter().filter(|g| g.upgrade) {
        let Some(rank) = model.ranks.iter().find(|r| r.scope == rule.scope) else {
            continue;
        };
        let cap = rule
            .up_to
            .and_then(|b| rank.ascending.iter().position(|r| *r == b));
        let capacity: Vec<BTreeSet<PermId>> = rank
            .ascending
            .iter()
            .map(|&r| role_leaves(model, r, true))
            .collect();
        for ri in 0..w.res.len() {
            if w.res.get(ri).map(|r| r.kind) != Some(rule.scope) {
                continue;
            }
            // Resources at or inside this one.
            let inside: Vec<usize> = (0..w.res.len())
                .filter(|&rj| ancestors(w, rj).contains(&ri))
                .collect();
            // Each user's highest level over their groups.
            let mut reach: BTreeMap<usize, usize> = BTreeMap::new();
            for (g, users) in &data.groups {
                let roles: Vec<RoleId> = bound
                    .get(ri)
                    .into_iter()
                    .flatten()
                    .filter(|(_, _, via)| via.as_deref() == Some(g.as_str()))
                    .map(|(_, r, _)| *r)
                    .collect();
                let perms: Vec<PermId> = inside
                    .iter()
                    .filter_map(|rj| group_grants.get(*rj))
                    .flatten()
                    .filter(|(_, via)| via == g)
                    .map(|(p, _)| *p)
                    .collect();
                // A group without members gives nothing: it has no level.
                if (roles.is_empty() && perms.is_empty()) || users.0.is_empty() {
                    continue;
                }
                let mut holds: BTreeSet<PermId> = BTreeSet::new();
                for r in roles {
                    holds.extend(role_leaves(model, r, false));
                }
                for p in perms {
                    holds.extend(leaves(model, p));
                }
                let Some(level) = capacity.iter().position(|c| holds.is_subset(c)) else {
                    continue;
                };
                if cap.is_some_and(|b| level > b) {
                    return Err(Refusal::Rule {
                        code: "E0414",
                        message: format!(
                            "`group:{g}` ranks above the upgrade bound on `{}`",
                            w.res.get(ri).map_or("", |r| r.name.as_str())
                        ),
                    });
                }
                for u in &users.0 {
                    if let Some(&u) = w.user_ix.get(u) {
                        let e = reach.entry(u).or_insert(level);
                        *e = (*e).max(level);
                    }
                }
            }
            let Some(held) = w.held.get_mut(ri) else {
                continue;
            };
            let mut added = Vec::new();
            for (u, level) in reach {
                let own = rank.ascending.iter().rposition(|r| held.contains(&(u, *r)));
                if own.is_none_or(|o| o < level) {
                    if let Some(&r) = rank.ascending.get(level) {
                        added.push((u, r));
                    }
                }
            }
            held.extend(added);
        }
    }
    Ok(())
}

/// `r` and the resources enclosing it, innermost first.
pub(super) fn ancestors(w: &World, r: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut cur = Some(r);
    while let Some(x) = cur {
        if out.contains(&x) {
            break;
        }
        out.push(x);
        cur = w.res.get(x).and_then(|res| res.parent);
    }
    out
}

/// The finer (ungrouped) permissions of `p`: itself, or those grouped
/// under it.
pub(super) fn leaves(model: &Model, p: PermId) -> BTreeSet<PermId> {
    let mut out = BTreeSet::new();
    let mut todo = vec![p];
    while let Some(x) = todo.pop() {
        let Some(perm) = model.perm(x) else { continue };
        if perm.children.is_empty() {
            out.insert(x);
        } else if todo.len() <= model.perms.len() {
            // (The bound ends a malformed model's cycle; a tree of groups
            // never reaches it.)
            todo.extend(perm.children.iter().copied());
        }
    }
    out
}

/// The finer permissions a role gives anywhere (its grants, those of the
/// roles it includes or implies, and of the roles its granted permissions
/// imply); with `capacity`, its configurable grants whatever their setting
/// and its grantable permissions too.
pub(super) fn role_leaves(model: &Model, r: RoleId, capacity: bool) -> BTreeSet<PermId> {
    let mut out = BTreeSet::new();
    let mut seen: BTreeSet<RoleId> = BTreeSet::new();
    let mut todo = vec![r];
    while let Some(x) = todo.pop() {
        if !seen.insert(x) {
            continue;
        }
        let Some(role) = model.role(x) else { continue };
        for g in &role.grants {
            if g.configurable.is_some() && !capacity {
                continue;
            }
            for (pi, perm) in model.perms.iter().enumerate() {
                let p = PermId::from_index(pi);
                if perm.children.is_empty() && super::covers(model, &g.text, role.scope, p) {
                    out.insert(p);
                    todo.extend(perm.implies.iter().map(|i| i.role));
                }
            }
        }
        if capacity {
            for &p in &role.grantable {
                out.extend(leaves(model, p));
            }
        }
        todo.extend(role.includes.iter().map(|(i, _)| *i));
        todo.extend(role.implies.iter().map(|i| i.role));
    }
    out
}
