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

use super::roles::Names;
use super::Side;
use crate::compile::BitSet;
use crate::diagnostic::Report;
use crate::eval::{Authorizer, Explanation, Query};
use crate::membership::raw::{RawMembers, RawResource};
use crate::membership::{Members, ResId, UserId};
use crate::policy::Policy;
use crate::resolve::{PermId, ScopeId};
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
    let members =
        Members::from_raw(side.policy, side.name, side.text, raw).map_err(|r| (which, r))?;
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
    let (om, nm) = (old_auth.members(), new_auth.members());
    let mut users = UserUnion::new(om, nm);
    let (old_names, new_names) = (Names::new(old.policy), Names::new(new.policy));
    let resources = resource_union(om, nm);
    let mut perm_lists: HashMap<(Option<ScopeId>, Option<ScopeId>), Vec<PermPair>> = HashMap::new();
    // Which resource last listed a user (to list each once per resource).
    let mut seen: Vec<usize> = Vec::new();
    let mut here: Vec<u32> = Vec::new();
    for (ri, res) in resources.iter().enumerate() {
        here.clear();
        for (auth, id, side) in [(nm, res.new, Side::New), (om, res.old, Side::Old)] {
            let Some(id) = id else { continue };
            for a in auth.ancestors(id) {
                for &u in auth.resource(a).map_or(&[][..], |x| x.members.as_slice()) {
                    let i = users.union_id(side, u);
                    let slot = usize::try_from(i).unwrap_or(usize::MAX);
                    if seen.len() <= slot {
                        seen.resize(slot + 1, usize::MAX);
                    }
                    if let Some(s) = seen.get_mut(slot) {
                        if *s != ri {
                            *s = ri;
                            here.push(i);
                        }
                    }
                }
            }
        }
        let kinds = (
            res.new.and_then(|r| nm.resource(r)).map(|r| r.kind),
            res.old.and_then(|r| om.resource(r)).map(|r| r.kind),
        );
        let perms = perm_lists
            .entry(kinds)
            .or_insert_with(|| perms_of(&old_names, &new_names, kinds));
        for &ui in &here {
            let Some(&(old_user, new_user)) = users.list.get(ui as usize) else {
                continue;
            };
            for perm in perms.iter() {
                out.checked += 1;
                let old_q = side_query(&old_auth, old_user, perm.old, res.old);
                let new_q = side_query(&new_auth, new_user, perm.new, res.new);
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
                if !group.perms.contains(&perm.name) {
                    group.perms.push(perm.name.clone());
                }
                let user = match (new_user, old_user) {
                    (Some(u), _) => nm.user_name(u),
                    (None, Some(u)) => om.user_name(u),
                    (None, None) => "",
                };
                group.changes.push(MemberChange {
                    user: user.to_string(),
                    perm: perm.name.clone(),
                    resource: res.name.to_string(),
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

/// The users of both sides, each once (matched by name): a dense index
/// with the user's id on each side, names looked up once per user.
struct UserUnion<'a> {
    old: &'a Members,
    new: &'a Members,
    /// Per OLD user id, its index (`u32::MAX`: not yet seen).
    of_old: Vec<u32>,
    /// Per NEW user id, its index.
    of_new: Vec<u32>,
    /// Per index: (OLD id, NEW id).
    list: Vec<(Option<UserId>, Option<UserId>)>,
}

impl<'a> UserUnion<'a> {
    fn new(old: &'a Members, new: &'a Members) -> UserUnion<'a> {
        UserUnion {
            old,
            new,
            of_old: vec![u32::MAX; old.users.len()],
            of_new: vec![u32::MAX; new.users.len()],
            list: Vec::new(),
        }
    }

    /// The index of a user of one side.
    fn union_id(&mut self, side: Side, u: UserId) -> u32 {
        let known = match side {
            Side::Old => self.of_old.get(u.index()),
            Side::New => self.of_new.get(u.index()),
        };
        if let Some(&i) = known.filter(|&&i| i != u32::MAX) {
            return i;
        }
        let i = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        let pair = match side {
            Side::Old => (Some(u), self.new.user_id(self.old.user_name(u))),
            Side::New => (self.old.user_id(self.new.user_name(u)), Some(u)),
        };
        self.list.push(pair);
        if let Some(slot) = pair.0.and_then(|o| self.of_old.get_mut(o.index())) {
            *slot = i;
        }
        if let Some(slot) = pair.1.and_then(|n| self.of_new.get_mut(n.index())) {
            *slot = i;
        }
        i
    }
}

/// A resource of either side, with its id on each.
struct ResPair<'a> {
    name: &'a str,
    old: Option<ResId>,
    new: Option<ResId>,
}

/// Every resource of either side (NEW's order, then OLD's), each once.
fn resource_union<'a>(old: &'a Members, new: &'a Members) -> Vec<ResPair<'a>> {
    let mut out: Vec<ResPair<'a>> = new
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| ResPair {
            name: r.name.as_str(),
            old: old.res_id(&r.name),
            new: Some(ResId::from_index(i)),
        })
        .collect();
    out.extend(
        old.resources
            .iter()
            .enumerate()
            .filter(|(_, r)| new.res_id(&r.name).is_none())
            .map(|(i, r)| ResPair {
                name: r.name.as_str(),
                old: Some(ResId::from_index(i)),
                new: None,
            }),
    );
    out
}

/// A permission matched by name across the two policies.
struct PermPair {
    name: String,
    old: Option<PermId>,
    new: Option<PermId>,
}

/// The permissions of a resource's kind (its kind on each side), NEW's
/// first: each resource is checked for the permissions declared on its
/// own kind.
fn perms_of(
    old: &Names<'_>,
    new: &Names<'_>,
    (new_kind, old_kind): (Option<ScopeId>, Option<ScopeId>),
) -> Vec<PermPair> {
    let (om, nm) = (&old.policy.model, &new.policy.model);
    let mut out: Vec<PermPair> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (model, kind, side) in [(nm, new_kind, Side::New), (om, old_kind, Side::Old)] {
        let Some(kind) = kind else { continue };
        let kind = model.scope_name(kind);
        for (pi, p) in model.perms.iter().enumerate() {
            if model.scope_name(p.scope) != kind || index.contains_key(p.name.as_str()) {
                continue;
            }
            index.insert(p.name.as_str(), out.len());
            let (name, id) = (p.name.clone(), PermId::from_index(pi));
            out.push(match side {
                Side::New => PermPair {
                    old: old.perm(&name),
                    new: Some(id),
                    name,
                },
                Side::Old => PermPair {
                    old: Some(id),
                    new: new.perm(&name),
                    name,
                },
            });
        }
    }
    out
}

/// The query of one side, from ids (`None` when the user, permission or
/// resource is not on that side): the permission is checked on the
/// resource or its enclosing resource of the permission's kind.
fn side_query(
    auth: &Authorizer,
    user: Option<UserId>,
    perm: Option<PermId>,
    asked: Option<ResId>,
) -> Option<Query> {
    let (user, perm, asked) = (user?, perm?, asked?);
    let kind = auth.policy().model.perm(perm)?.scope;
    let m = auth.members();
    let res = m
        .ancestors(asked)
        .find(|r| m.resource(*r).is_some_and(|x| x.kind == kind))?;
    Some(Query {
        user,
        perm,
        res,
        asked,
    })
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
    let old_bodies: HashMap<&str, &RawResource> = old_raw
        .resources
        .iter()
        .map(|r| (r.name.0.as_str(), r))
        .collect();
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
            let old_roles = old_bodies.get(id).map(|r| bindings(r)).unwrap_or_default();
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
    let mut leaving: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for p in &pruned {
        leaving
            .entry(p.group.as_str())
            .or_default()
            .insert(p.user.as_str());
    }
    for g in &mut new_raw.groups {
        if let Some(users) = leaving.get(g.name.0.as_str()) {
            g.members.retain(|(u, _)| !users.contains(u.as_str()));
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
