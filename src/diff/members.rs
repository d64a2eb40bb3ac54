//! The diff on real data: `rbacc diff OLD.rbac NEW.rbac --members FILE`
//! (one data file, two policies) and `rbacc diff --policy P --members
//! OLD.yaml NEW.yaml` (one policy, two data files). Every user × permission
//! × resource where the user holds something (on the resource or one
//! enclosing it, in either input) is decided by both sides; the
//! differences are grouped by the change that causes them, with how many
//! users and resources each reaches.
//!
//! Each resource is checked for the permissions declared on its own scope
//! kind (a permission of an enclosing kind is checked on the enclosing
//! resource), matched by name across the two sides.
//!
//! `groups on SCOPE { prune on downgrade }` is modelled: a user whose own
//! role on an instance of SCOPE ranks lower in NEW than in OLD leaves every
//! custom group bound there whose level is above the new role, and NEW is
//! decided without those memberships.

use super::Side;
use crate::compile::BitSet;
use crate::diagnostic::Report;
use crate::eval::{Authorizer, Explanation};
use crate::membership::raw::{RawMembers, RawResource};
use crate::membership::Members;
use crate::policy::Policy;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One user's access to one permission on one resource that changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberChange {
    /// The user.
    pub user: String,
    /// The permission.
    pub perm: String,
    /// The resource.
    pub resource: String,
}

/// The changes on the data that one cause explains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberGroup {
    /// Access gained (`true`) or lost.
    pub gained: bool,
    /// The cause: the policy change, or the binding or rule of the data.
    pub cause: String,
    /// `file:line:col` of the cause.
    pub location: Option<String>,
    /// How many users.
    pub users: usize,
    /// How many resources.
    pub resources: usize,
    /// The permissions, in first-seen order.
    pub perms: Vec<String>,
    /// The whole explanation of the first example.
    pub because: String,
    /// Every (user, permission, resource).
    pub changes: Vec<MemberChange>,
}

/// A user removed from a custom group by `prune on downgrade`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// The user.
    pub user: String,
    /// The group left.
    pub group: String,
    /// Where the user was lowered.
    pub resource: String,
    /// The user's role there in OLD.
    pub from: String,
    /// In NEW.
    pub to: String,
}

/// The diff on membership data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MembersDiff {
    /// The OLD membership file.
    pub old_file: String,
    /// The NEW membership file (the same as OLD for a policy diff).
    pub file: String,
    /// How many (user, permission, resource) triples were decided.
    pub checked: usize,
    /// How many triples were gained.
    pub gained: usize,
    /// How many were lost.
    pub lost: usize,
    /// The changes, grouped by cause: gains first.
    pub groups: Vec<MemberGroup>,
    /// Users pruned from groups (`prune on downgrade`).
    pub pruned: Vec<Pruned>,
}

impl MembersDiff {
    /// Whether nothing changed on the data.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.pruned.is_empty()
    }

    /// Number of (user, permission, resource) triples gained.
    pub fn gained_count(&self) -> usize {
        self.gained
    }
}

/// One explanation as a line: steps joined by arrows, with locations.
pub fn explanation_text(e: &Explanation) -> String {
    e.steps
        .iter()
        .map(|s| match &s.location {
            Some(loc) => format!("{} ({loc})", s.text),
            None => s.text.clone(),
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// One side of a data diff: a policy and its data.
pub struct DataSide<'a> {
    /// The policy.
    pub policy: &'a Policy,
    /// The data file's name.
    pub name: &'a str,
    /// Its text.
    pub text: &'a str,
}

/// The policy-level changes a gain or loss may be attributed to:
/// `file:line:col` → summary, per side.
pub type Causes = HashMap<(Side, String), String>;

/// Loads the data against both policies and compares every decision.
pub fn diff_members(
    old: &Policy,
    new: &Policy,
    name: &str,
    text: &str,
) -> Result<MembersDiff, (Side, Report)> {
    diff_data(
        DataSide {
            policy: old,
            name,
            text,
        },
        DataSide {
            policy: new,
            name,
            text,
        },
        &Causes::new(),
    )
}

fn load(
    side: &DataSide<'_>,
    which: Side,
    raw: Option<RawMembers>,
) -> Result<Authorizer, (Side, Report)> {
    let raw = match raw {
        Some(raw) => Ok(raw),
        None => Members::read(side.text),
    };
    let members = Members::from_raw(side.policy, side.name, side.text, raw)
        .map_err(|r| (which, r))?
        .with_source(side.text);
    Authorizer::new(side.policy.clone(), members).map_err(|e| (which, e.into()))
}

/// Compares two (policy, data) sides; `causes` are the policy diff's
/// changes, to group the data's changes by.
pub fn diff_data(
    old: DataSide<'_>,
    new: DataSide<'_>,
    causes: &Causes,
) -> Result<MembersDiff, (Side, Report)> {
    let old_auth = load(&old, Side::Old, None)?;
    // Pruning reads both data files' bindings under NEW's rules.
    let (new_raw, pruned) = prune(&old, &new);
    let new_auth = load(&new, Side::New, new_raw)?;
    let mut out = MembersDiff {
        old_file: old.name.to_string(),
        file: new.name.to_string(),
        checked: 0,
        gained: 0,
        lost: 0,
        groups: Vec::new(),
        pruned,
    };
    let mut groups: BTreeMap<(bool, String), MemberGroup> = BTreeMap::new();
    let mut order: Vec<(bool, String)> = Vec::new();
    let resources = resource_union(&old_auth, &new_auth);
    for (res, users) in &resources {
        let perms = perms_on(&old_auth, &new_auth, res);
        for user in users {
            for perm in &perms {
                out.checked += 1;
                let old_q = old_auth.query(user, perm, res).ok();
                let new_q = new_auth.query(user, perm, res).ok();
                let was = old_q.as_ref().is_some_and(|q| old_auth.check(q));
                let now = new_q.as_ref().is_some_and(|q| new_auth.check(q));
                if was == now {
                    continue;
                }
                let explanation = if now {
                    new_q.map(|q| new_auth.explain(&q))
                } else {
                    old_q.map(|q| old_auth.explain(&q))
                };
                let side = if now { Side::New } else { Side::Old };
                let (cause, location) = cause_of(explanation.as_ref(), side, causes);
                let key = (now, location.clone().unwrap_or_else(|| cause.clone()));
                let group = groups.entry(key.clone()).or_insert_with(|| {
                    order.push(key);
                    MemberGroup {
                        gained: now,
                        cause,
                        location,
                        users: 0,
                        resources: 0,
                        perms: Vec::new(),
                        because: explanation
                            .as_ref()
                            .map(explanation_text)
                            .unwrap_or_default(),
                        changes: Vec::new(),
                    }
                });
                if !group.perms.contains(perm) {
                    group.perms.push(perm.clone());
                }
                group.changes.push(MemberChange {
                    user: user.clone(),
                    perm: perm.clone(),
                    resource: res.clone(),
                });
                if now {
                    out.gained += 1;
                } else {
                    out.lost += 1;
                }
            }
        }
    }
    // Gains first, each side in first-seen order.
    order.sort_by_key(|k| !k.0);
    for key in order {
        if let Some(mut g) = groups.remove(&key) {
            g.users = g
                .changes
                .iter()
                .map(|c| c.user.as_str())
                .collect::<BTreeSet<_>>()
                .len();
            g.resources = g
                .changes
                .iter()
                .map(|c| c.resource.as_str())
                .collect::<BTreeSet<_>>()
                .len();
            out.groups.push(g);
        }
    }
    Ok(out)
}

/// The cause of a decision: the first step located at a policy change;
/// else the first located step (a binding in the data, or a rule).
fn cause_of(e: Option<&Explanation>, side: Side, causes: &Causes) -> (String, Option<String>) {
    let Some(e) = e else {
        return ("no explanation".to_string(), None);
    };
    for s in &e.steps {
        if let Some(loc) = &s.location {
            if let Some(summary) = causes.get(&(side, loc.clone())) {
                return (summary.clone(), Some(loc.clone()));
            }
        }
    }
    // No step at a policy change: the change is in the data (a binding).
    match e.steps.iter().find(|s| s.location.is_some()) {
        Some(s) => (s.text.clone(), s.location.clone()),
        None => (
            e.steps.first().map(|s| s.text.clone()).unwrap_or_default(),
            None,
        ),
    }
}

/// Every resource of either side (NEW's order, then OLD's), each with the
/// users who may hold something there: the members of it and of every
/// resource enclosing it, on either side. Anyone else holds nothing there.
fn resource_union(old: &Authorizer, new: &Authorizer) -> Vec<(String, Vec<String>)> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<(String, BTreeSet<u32>, Vec<String>)> = Vec::new();
    let mut names: HashMap<String, u32> = HashMap::new();
    for auth in [new, old] {
        let m = &auth.members();
        for (ri, r) in m.resources.iter().enumerate() {
            let i = *index.entry(r.name.clone()).or_insert_with(|| {
                out.push((r.name.clone(), BTreeSet::new(), Vec::new()));
                out.len() - 1
            });
            let Some(slot) = out.get_mut(i) else { continue };
            for a in m.ancestors(crate::membership::ResId::from_index(ri)) {
                for &u in m.resource(a).map_or(&[][..], |x| x.members.as_slice()) {
                    let name = m.user_name(u);
                    let next = u32::try_from(names.len()).unwrap_or(u32::MAX);
                    let id = *names.entry(name.to_string()).or_insert(next);
                    if slot.1.insert(id) {
                        slot.2.push(name.to_string());
                    }
                }
            }
        }
    }
    out.into_iter().map(|(r, _, users)| (r, users)).collect()
}

/// The permissions of a resource's kind, on either side, NEW's first.
fn perms_on(old: &Authorizer, new: &Authorizer, res: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for auth in [new, old] {
        let m = &auth.members();
        let Some(kind) = m.res_id(res).and_then(|id| m.resource(id)).map(|r| r.kind) else {
            continue;
        };
        let model = &auth.policy().model;
        let kind = model.scope_name(kind);
        for p in model
            .perms
            .iter()
            .filter(|p| model.scope_name(p.scope) == kind)
        {
            if !out.contains(&p.name) {
                out.push(p.name.clone());
            }
        }
    }
    out
}

/// `prune on downgrade`: NEW's data without the group memberships pruned
/// (`None` when nothing is pruned), and what was pruned.
fn prune(old: &DataSide<'_>, new: &DataSide<'_>) -> (Option<RawMembers>, Vec<Pruned>) {
    let model = &new.policy.model;
    let compiled = &new.policy.compiled;
    let rules: Vec<_> = model.groups.iter().filter(|g| g.prune).collect();
    if rules.is_empty() {
        return (None, Vec::new());
    }
    // (Unreadable data is reported when it is loaded.)
    let (Ok(old_raw), Ok(mut new_raw)) = (Members::read(old.text), Members::read(new.text)) else {
        return (None, Vec::new());
    };
    let mut pruned = Vec::new();
    for rule in rules {
        let Some(rank) = model.rank_of(rule.scope) else {
            continue;
        };
        let scope = model.scope_name(rule.scope);
        let position = |role: &str| {
            rank.ascending
                .iter()
                .position(|r| model.role_name(*r) == role)
        };
        for body in &new_raw.resources {
            let id = body.name.0.as_str();
            if id.split(':').next() != Some(scope) {
                continue;
            }
            let new_roles = bindings(body);
            let old_roles = old_raw
                .resources
                .iter()
                .find(|r| r.name.0 == id)
                .map(bindings)
                .unwrap_or_default();
            // Each group's level here: the lowest ranked role covering what
            // the group holds (roles and grants on this resource).
            let mut levels: Vec<(String, usize)> = Vec::new();
            for (subject, roles) in &new_roles {
                let Some(group) = subject.strip_prefix("group:") else {
                    continue;
                };
                let mut perms = BitSet::with_capacity(model.perms.len());
                for r in roles.iter().filter_map(|r| model.role_id(r)) {
                    if let Some(cr) = compiled.role(r) {
                        perms.union_with(&cr.always);
                    }
                }
                let level = rank.ascending.iter().position(|r| {
                    compiled.role(*r).is_some_and(|cr| {
                        let mut can = cr.always.clone();
                        can.union_with(&cr.configurable);
                        can.union_with(&cr.grantable);
                        perms.is_subset(&can)
                    })
                });
                if let Some(level) = level {
                    levels.push((group.to_string(), level));
                }
            }
            for (user, now_roles) in new_roles.iter().filter(|(s, _)| !s.starts_with("group:")) {
                let top = |roles: &[String]| roles.iter().filter_map(|r| position(r)).max();
                let Some(was_roles) = old_roles.get(user) else {
                    continue;
                };
                let (Some(was), Some(now)) = (top(was_roles), top(now_roles)) else {
                    continue;
                };
                if now >= was {
                    continue;
                }
                let name = |i: usize| {
                    rank.ascending
                        .get(i)
                        .map_or(String::new(), |r| model.role_name(*r).to_string())
                };
                for (group, _) in levels.iter().filter(|(_, l)| *l > now) {
                    pruned.push(Pruned {
                        user: user.clone(),
                        group: group.clone(),
                        resource: id.to_string(),
                        from: name(was),
                        to: name(now),
                    });
                }
            }
        }
    }
    if pruned.is_empty() {
        return (None, pruned);
    }
    for p in &pruned {
        for g in new_raw.groups.iter_mut().filter(|g| g.name.0 == p.group) {
            g.members.retain(|(u, _)| *u != p.user);
        }
    }
    (Some(new_raw), pruned)
}

/// A resource body's role bindings: subject → roles.
fn bindings(body: &RawResource) -> BTreeMap<String, Vec<String>> {
    body.roles
        .iter()
        .map(|(k, names)| (k.to_string(), names.iter().map(String::from).collect()))
        .collect()
}
