//! Changes of the roles present in both policies: effective permissions
//! (always, configurable with its default, and which role's settings
//! switch it), the roles each can assign, `grantable` sets and scope kinds.
//!
//! Each gain is attributed to the first element of its chain in NEW that
//! OLD lacks (an include, an implication, a grant, a default switched on,
//! a new permission a wildcard now covers); each loss to the first element
//! of its chain in OLD that NEW lacks. Gains and losses with one cause
//! are one change.

use super::{Access, Changes, Effect, Side};
use crate::analyse::chain::{grant_text, step_text, Explainer, HoldSource, Link, PermChain};
use crate::analyse::may_hold;
use crate::compile::BitSet;
use crate::policy::Policy;
use crate::resolve::{PermId, RoleId};
use crate::span::Span;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Name lookups of one policy, built once.
pub(crate) struct Names<'a> {
    pub(crate) policy: &'a Policy,
    roles: HashMap<&'a str, RoleId>,
    perms: HashMap<&'a str, PermId>,
}

impl<'a> Names<'a> {
    pub(crate) fn new(policy: &'a Policy) -> Names<'a> {
        let m = &policy.model;
        Names {
            policy,
            roles: m
                .roles
                .iter()
                .enumerate()
                .map(|(i, r)| (r.name.as_str(), RoleId::from_index(i)))
                .collect(),
            perms: m
                .perms
                .iter()
                .enumerate()
                .map(|(i, p)| (p.name.as_str(), PermId::from_index(i)))
                .collect(),
        }
    }

    pub(crate) fn role(&self, name: &str) -> Option<RoleId> {
        self.roles.get(name).copied()
    }

    pub(crate) fn perm(&self, name: &str) -> Option<PermId> {
        self.perms.get(name).copied()
    }
}

pub(crate) fn access(policy: &Policy, role: RoleId, perm: PermId) -> Access {
    let Some(r) = policy.compiled.role(role) else {
        return Access::None;
    };
    if r.always.contains(perm.index()) {
        Access::Always
    } else if r.configurable.contains(perm.index()) {
        let on = r
            .config_grants
            .iter()
            .any(|g| g.perm == perm && g.default_on);
        if on {
            Access::ConfigurableOn
        } else {
            Access::ConfigurableOff
        }
    } else {
        Access::None
    }
}

/// The roles whose settings decide a configurable permission of a role.
fn setting_roles(policy: &Policy, role: RoleId, perm: PermId) -> BTreeSet<&str> {
    policy.compiled.role(role).map_or_else(BTreeSet::new, |r| {
        r.config_grants
            .iter()
            .filter(|g| g.perm == perm)
            .map(|g| policy.model.role_name(g.declared_by))
            .collect()
    })
}

/// Where a chain of `this` first departs from `other`: (kind, span in
/// `this`, what is written there).
fn culprit(
    chain: &PermChain,
    this: &Names<'_>,
    other: &Names<'_>,
    side: Side,
) -> Option<(&'static str, Span, String)> {
    let (tm, om) = (&this.policy.model, &other.policy.model);
    for step in &chain.steps {
        let from = tm.role_name(step.from);
        let to = tm.role_name(step.to);
        let orole = other.role(from).and_then(|r| om.role(r));
        let exists = orole.is_some_and(|or| match step.link {
            Link::Include => or.includes.iter().any(|(r, _)| om.role_name(*r) == to),
            Link::Imply => or.implies.iter().any(|i| om.role_name(i.role) == to),
            Link::GrantImplies(p) => other.perm(tm.perm_name(p)).is_some_and(|op| {
                om.perm(op)
                    .is_some_and(|x| x.implies.iter().any(|i| om.role_name(i.role) == to))
                    && or.grants.iter().any(|g| g.perms.contains(&op))
            }),
        });
        if !exists {
            let kind = match step.link {
                Link::Include => "include",
                Link::Imply => "imply",
                Link::GrantImplies(_) => "grant",
            };
            return Some((kind, step.span, written(step_text(tm, step), side)));
        }
    }
    match &chain.source {
        HoldSource::Grant(site) => {
            let perm = tm.perm_name(site.perm);
            let orole = other.role(tm.role_name(site.role)).and_then(|r| om.role(r));
            let same_text: Vec<_> = orole
                .map(|r| r.grants.iter().filter(|g| g.text == site.pattern).collect())
                .unwrap_or_default();
            let operm = other.perm(perm);
            let text = grant_text(tm, site);
            match same_text
                .iter()
                .find(|g| g.configurable == site.configurable)
            {
                Some(g) => {
                    let covers = operm.is_some_and(|op| g.perms.contains(&op));
                    if covers {
                        None
                    } else if operm.is_none() {
                        let span = tm.perm(site.perm).map_or(site.span, |p| p.span);
                        let what = match side {
                            Side::New => "new permission",
                            Side::Old => "removed permission",
                        };
                        Some((
                            "permission",
                            span,
                            format!("{what} `{perm}`, covered by `{}`", site.pattern),
                        ))
                    } else {
                        Some(("grant", site.span, text))
                    }
                }
                None => {
                    let was = same_text.first().map(|g| configurable_text(g.configurable));
                    let text = match (was, side) {
                        (Some(w), Side::New) => format!("{text}, was {w}"),
                        (Some(w), Side::Old) => format!("{text}, now {w}"),
                        (None, side) => written(text, side),
                    };
                    Some(("grant", site.span, text))
                }
            }
        }
        HoldSource::Group(members) => members
            .iter()
            .find_map(|m| culprit(m, this, other, side))
            .or_else(|| {
                tm.perm(chain.perm).map(|p| {
                    (
                        "permission",
                        p.span,
                        format!("the members of `{}` changed", p.name),
                    )
                })
            }),
    }
}

fn configurable_text(c: Option<bool>) -> &'static str {
    match c {
        None => "always",
        Some(true) => "configurable, default on",
        Some(false) => "configurable, default off",
    }
}

fn written(text: String, side: Side) -> String {
    match side {
        Side::New => format!("{text} (new)"),
        Side::Old => format!("{text} (removed)"),
    }
}

/// One role's change of one permission, before grouping.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Moved {
    was: Access,
    now: Access,
}

/// Per change: (was, now) → permission → roles, grouped into lines later.
type Effects =
    BTreeMap<(Side, u32, u32, &'static str), BTreeMap<Moved, BTreeMap<String, Vec<String>>>>;

fn record(
    changes: &mut Changes,
    effects: &mut Effects,
    site: (&'static str, Span, String),
    side: Side,
    role: &str,
    perm: &str,
    moved: Moved,
) {
    let (kind, span, text) = site;
    changes.at(kind, side, span, || text);
    effects
        .entry((side, span.start, span.end, kind))
        .or_default()
        .entry(moved)
        .or_default()
        .entry(perm.to_string())
        .or_default()
        .push(role.to_string());
}

/// `` `a`, `b` and 3 more `` with at most `max` names.
pub(crate) fn names(list: &[String], max: usize) -> String {
    let shown: Vec<String> = list.iter().take(max).map(|n| format!("`{n}`")).collect();
    let rest = list.len().saturating_sub(max);
    let mut text = shown.join(", ");
    if rest > 0 {
        text.push_str(&format!(" and {rest} more"));
    }
    text
}

/// The permissions a role may hold, by index, as a set over `into`'s ids.
fn translate(set: &BitSet, from: &Policy, into: &Names<'_>) -> BitSet {
    let mut out = BitSet::with_capacity(into.policy.model.perms.len());
    for i in set.iter() {
        if let Some(p) = into.perm(from.model.perm_name(PermId::from_index(i))) {
            out.insert(p.index());
        }
    }
    out
}

fn symmetric(a: &BitSet, b: &BitSet) -> BitSet {
    let mut out = a.difference(b);
    out.union_with(&b.difference(a));
    out
}

/// Every role-level change, into `changes`.
pub(crate) fn role_changes(old: &Policy, new: &Policy, changes: &mut Changes) {
    let (on, nn) = (Names::new(old), Names::new(new));
    let (om, nm) = (&old.model, &new.model);
    let old_ex = Explainer::new(om, &old.compiled);
    let new_ex = Explainer::new(nm, &new.compiled);
    let mut effects: Effects = BTreeMap::new();
    // Permissions that carry assignments, once.
    let assigning = |p: &Policy| -> Vec<PermId> {
        (0..p.model.perms.len())
            .map(PermId::from_index)
            .filter(|&i| p.model.perm(i).is_some_and(|x| !x.assigns.is_empty()))
            .collect()
    };
    let (old_assigning, new_assigning) = (assigning(old), assigning(new));
    for (ni, nrole) in nm.roles.iter().enumerate() {
        let nr = RoleId::from_index(ni);
        let Some(or) = on.role(&nrole.name) else {
            continue;
        };
        let (Some(ncr), Some(ocr)) = (new.compiled.role(nr), old.compiled.role(or)) else {
            continue;
        };
        let role = nrole.name.as_str();
        if let Some(orole) = om.role(or) {
            if orole.scope != nrole.scope
                && om.scope_name(orole.scope) != nm.scope_name(nrole.scope)
            {
                changes
                    .at("role", Side::New, nrole.span, || {
                        format!(
                            "`{role}` moved from scope `{}` to `{}`",
                            om.scope_name(orole.scope),
                            nm.scope_name(nrole.scope)
                        )
                    })
                    .push(
                        Effect::Undecided,
                        format!("holders of `{role}` hold its permissions on other resources"),
                        vec![role.to_string()],
                        Vec::new(),
                    );
            }
        }
        // Candidates: permissions whose hold may differ.
        let old_always = translate(&ocr.always, old, &nn);
        let old_conf = translate(&ocr.configurable, old, &nn);
        let mut candidates = symmetric(&ncr.always, &old_always);
        candidates.union_with(&symmetric(&ncr.configurable, &old_conf));
        for g in &ncr.config_grants {
            candidates.insert(g.perm.index());
        }
        for np in candidates.iter().map(PermId::from_index) {
            let perm = nm.perm_name(np);
            let op = on.perm(perm);
            let was = op.map_or(Access::None, |op| access(old, or, op));
            let now = access(new, nr, np);
            if now > was {
                let site = new_ex
                    .explain(nr, np)
                    .and_then(|c| culprit(&c, &nn, &on, Side::New))
                    .unwrap_or(("role", nrole.span, format!("`{role}` changed")));
                record(
                    changes,
                    &mut effects,
                    site,
                    Side::New,
                    role,
                    perm,
                    Moved { was, now },
                );
            } else if now < was {
                let site = op
                    .and_then(|op| old_ex.explain(or, op))
                    .and_then(|c| culprit(&c, &on, &nn, Side::Old))
                    .unwrap_or(("role", nrole.span, format!("`{role}` changed")));
                let side = if site.0 == "role" {
                    Side::New
                } else {
                    loss_side(&site, old, new)
                };
                let site = relocate(site, side, old, new, &nn, &on);
                record(
                    changes,
                    &mut effects,
                    site,
                    side,
                    role,
                    perm,
                    Moved { was, now },
                );
            } else if was > Access::None && was < Access::Always {
                let (a, b) = (
                    op.map(|op| setting_roles(old, or, op)).unwrap_or_default(),
                    setting_roles(new, nr, np),
                );
                if a != b {
                    let site = new_ex
                        .explain(nr, np)
                        .and_then(|c| match c.source {
                            HoldSource::Grant(g) => Some(g.span),
                            HoldSource::Group(_) => None,
                        })
                        .unwrap_or(nrole.span);
                    let from: Vec<String> = a.iter().map(|s| s.to_string()).collect();
                    let to: Vec<String> = b.iter().map(|s| s.to_string()).collect();
                    changes
                        .at("grant", Side::New, site, || {
                            format!("settings of {} now switch `{perm}`", names(&to, 3))
                        })
                        .push(
                            Effect::Undecided,
                            format!(
                                "`{role}`'s `{perm}` was switched by settings of {}, now of {}: a resource's settings may no longer switch it off",
                                names(&from, 3),
                                names(&to, 3)
                            ),
                            vec![role.to_string()],
                            vec![perm.to_string()],
                        );
                }
            }
        }
        // Permissions gone from the policy, which the role held.
        let mut gone = ocr.always.clone();
        gone.union_with(&ocr.configurable);
        for op in gone.iter().map(PermId::from_index) {
            let perm = om.perm_name(op);
            if nn.perm(perm).is_some() {
                continue;
            }
            let span = om.perm(op).map_or(Span::default(), |p| p.span);
            let was = access(old, or, op);
            record(
                changes,
                &mut effects,
                ("permission", span, format!("permission `{perm}` (removed)")),
                Side::Old,
                role,
                perm,
                Moved {
                    was,
                    now: Access::None,
                },
            );
        }
        assign_changes(
            (old, new),
            (&on, &nn),
            (&old_ex, &new_ex),
            (or, nr),
            (&old_assigning, &new_assigning),
            changes,
        );
        grantable_changes(old, new, (or, nr), &nn, changes);
    }
    for ((side, start, end, kind), moves) in effects {
        let span = Span { start, end };
        let change = changes.at(kind, side, span, String::new);
        for (moved, perms) in moves {
            // Permissions with the same roles share a line.
            let mut by_roles: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
            for (perm, roles) in perms {
                by_roles.entry(roles).or_default().push(perm);
            }
            for (roles, perms) in by_roles {
                let gain = moved.now > moved.was;
                let effect = if gain {
                    Effect::Widens
                } else {
                    Effect::Narrows
                };
                let verb = match (gain, roles.len()) {
                    (true, 1) => "gains",
                    (true, _) => "gain",
                    (false, 1) => "loses",
                    (false, _) => "lose",
                };
                let text = format!(
                    "{} {verb} {}: {} → {}",
                    names(&roles, 5),
                    names(&perms, 8),
                    moved.was.label(),
                    moved.now.label()
                );
                change.push(effect, text, roles, perms);
            }
        }
    }
}

/// A loss whose cause is a grant that NEW still writes with another
/// `configurable` form is made in NEW.
fn loss_side(site: &(&'static str, Span, String), _old: &Policy, _new: &Policy) -> Side {
    if site.0 == "grant" && site.2.contains(", now ") {
        Side::New
    } else {
        Side::Old
    }
}

/// Moves a loss's site to NEW's grant with the same pattern when the loss is
/// made there (a default switched off).
fn relocate(
    site: (&'static str, Span, String),
    side: Side,
    old: &Policy,
    _new: &Policy,
    nn: &Names<'_>,
    _on: &Names<'_>,
) -> (&'static str, Span, String) {
    if side == Side::Old || site.0 != "grant" {
        return site;
    }
    let om = &old.model;
    // Find the OLD grant at the site, then NEW's grant of that role with its text.
    for orole in &om.roles {
        if let Some(g) = orole.grants.iter().find(|g| g.span == site.1) {
            let ngrant = nn
                .role(&orole.name)
                .and_then(|r| nn.policy.model.role(r))
                .and_then(|r| r.grants.iter().find(|x| x.text == g.text));
            if let Some(ng) = ngrant {
                let text = format!(
                    "`{}` grants `{}` {}, was {}",
                    orole.name,
                    ng.text,
                    configurable_text(ng.configurable),
                    configurable_text(g.configurable)
                );
                return ("grant", ng.span, text);
            }
        }
    }
    site
}

/// The roles a role can assign, by name, with the permission and the span
/// of the `assigns` carrying each.
fn assign_map<'p>(
    policy: &'p Policy,
    role: RoleId,
    assigning: &[PermId],
) -> BTreeMap<&'p str, (PermId, Span)> {
    let model = &policy.model;
    let may = may_hold(model, &policy.compiled, role);
    let mut out = BTreeMap::new();
    for &p in assigning.iter().filter(|p| may.contains(p.index())) {
        for &(target, span) in model.perm(p).map_or(&[][..], |x| x.assigns.as_slice()) {
            out.entry(model.role_name(target)).or_insert((p, span));
        }
    }
    out
}

/// What `target` holds that `role` lacks (always, or may hold), by name.
fn excess(policy: &Policy, role: RoleId, target: RoleId) -> Vec<String> {
    let (m, c) = (&policy.model, &policy.compiled);
    let (Some(r), Some(t)) = (c.role(role), c.role(target)) else {
        return Vec::new();
    };
    let mut more = t.always.difference(&r.always);
    more.union_with(&may_hold(m, c, target).difference(&may_hold(m, c, role)));
    more.iter()
        .map(|i| m.perm_name(PermId::from_index(i)).to_string())
        .collect()
}

type Pair<T> = (T, T);

/// A change's place: (kind, start, end).
type SiteKey = (&'static str, u32, u32);

fn assign_changes(
    (old, new): Pair<&Policy>,
    (on, nn): Pair<&Names<'_>>,
    (old_ex, new_ex): Pair<&Explainer<'_>>,
    (or, nr): Pair<RoleId>,
    (old_assigning, new_assigning): Pair<&Vec<PermId>>,
    changes: &mut Changes,
) {
    let (om, nm) = (&old.model, &new.model);
    let role = nm.role_name(nr);
    let old_map = assign_map(old, or, old_assigning);
    let new_map = assign_map(new, nr, new_assigning);
    // Roles it can now assign that hold nothing it lacks: one line per cause.
    let mut weaker: BTreeMap<SiteKey, (Span, String, Vec<String>)> = BTreeMap::new();
    for (&target, &(perm, span)) in new_map.iter().filter(|(t, _)| !old_map.contains_key(*t)) {
        let pname = nm.perm_name(perm);
        let assigned_before = on
            .perm(pname)
            .and_then(|op| om.perm(op))
            .is_some_and(|p| p.assigns.iter().any(|(r, _)| om.role_name(*r) == target));
        let site = if assigned_before {
            new_ex
                .explain(nr, perm)
                .and_then(|c| culprit(&c, nn, on, Side::New))
        } else {
            None
        };
        let (kind, span, text) = site.unwrap_or_else(|| {
            (
                "assigns",
                span,
                format!("`{pname}` assigns `{target}` (new)"),
            )
        });
        let more = nn
            .role(target)
            .map(|t| excess(new, nr, t))
            .unwrap_or_default();
        if more.is_empty() {
            weaker
                .entry((kind, span.start, span.end))
                .or_insert_with(|| (span, text, Vec::new()))
                .2
                .push(target.to_string());
            continue;
        }
        let (effect, line) = {
            (
                Effect::Widens,
                format!(
                    "`{role}` can now assign `{target}`, which holds {} that `{role}` lacks",
                    names(&more, 5)
                ),
            )
        };
        changes.at(kind, Side::New, span, || text).push_ranked(
            1,
            effect,
            line,
            vec![role.to_string()],
            more,
        );
    }
    for ((kind, _, _), (span, text, targets)) in weaker {
        let line = format!(
            "`{role}` can now assign {}, which hold nothing `{role}` lacks",
            names(&targets, 6)
        );
        changes.at(kind, Side::New, span, || text).push_ranked(
            1,
            Effect::Neutral,
            line,
            vec![role.to_string()],
            targets,
        );
    }
    let mut lost_targets: BTreeMap<SiteKey, (Span, String, Vec<String>)> = BTreeMap::new();
    for (&target, &(perm, span)) in old_map.iter().filter(|(t, _)| !new_map.contains_key(*t)) {
        let pname = om.perm_name(perm);
        let still = nn
            .perm(pname)
            .and_then(|np| nm.perm(np))
            .is_some_and(|p| p.assigns.iter().any(|(r, _)| nm.role_name(*r) == target));
        let site = if still {
            old_ex
                .explain(or, perm)
                .and_then(|c| culprit(&c, on, nn, Side::Old))
        } else {
            None
        };
        let (kind, span, text) = site.unwrap_or_else(|| {
            (
                "assigns",
                span,
                format!("`{pname}` assigns `{target}` (removed)"),
            )
        });
        lost_targets
            .entry((kind, span.start, span.end))
            .or_insert_with(|| (span, text, Vec::new()))
            .2
            .push(target.to_string());
    }
    for ((kind, _, _), (span, text, targets)) in lost_targets {
        let line = format!("`{role}` can no longer assign {}", names(&targets, 6));
        changes.at(kind, Side::Old, span, || text).push_ranked(
            1,
            Effect::Narrows,
            line,
            vec![role.to_string()],
            targets,
        );
    }
}

/// The span of the first `grantable` line in a role's declaration, or the
/// role's name.
fn grantable_span(policy: &Policy, role: RoleId) -> Span {
    let Some(r) = policy.model.role(role) else {
        return Span::default();
    };
    let Some(text) = policy.sources.get(policy.file).map(|s| s.text.as_str()) else {
        return r.span;
    };
    let start = r.span.start as usize;
    let rest = text.get(start..).unwrap_or("");
    let body_end = rest.find("\nrole ").unwrap_or(rest.len());
    match rest.get(..body_end).and_then(|b| b.find("grantable")) {
        Some(at) => {
            let s = u32::try_from(start + at).unwrap_or(r.span.start);
            Span {
                start: s,
                end: s.saturating_add(9),
            }
        }
        None => r.span,
    }
}

fn grantable_changes(
    old: &Policy,
    new: &Policy,
    (or, nr): Pair<RoleId>,
    nn: &Names<'_>,
    changes: &mut Changes,
) {
    let (om, nm) = (&old.model, &new.model);
    let (Some(orole), Some(nrole)) = (om.role(or), nm.role(nr)) else {
        return;
    };
    let was: BTreeSet<&str> = orole.grantable.iter().map(|p| om.perm_name(*p)).collect();
    let now: BTreeSet<&str> = nrole.grantable.iter().map(|p| nm.perm_name(*p)).collect();
    let gained: Vec<String> = now.difference(&was).map(|s| s.to_string()).collect();
    let lost: Vec<String> = was.difference(&now).map(|s| s.to_string()).collect();
    let role = nrole.name.as_str();
    if !gained.is_empty() {
        let span = grantable_span(new, nr);
        changes
            .at("grantable", Side::New, span, || {
                format!("`{role}` grantable {} (new)", names(&gained, 5))
            })
            .push(
                Effect::Undecided,
                format!(
                    "custom groups holding {} are now rated as covered by `{role}`: which role group upgrades give depends on the data",
                    names(&gained, 5)
                ),
                vec![role.to_string()],
                gained.clone(),
            );
    }
    if !lost.is_empty() {
        let span = if gained.is_empty() {
            grantable_span(old, or)
        } else {
            grantable_span(new, nr)
        };
        let side = if gained.is_empty() {
            Side::Old
        } else {
            Side::New
        };
        let _ = nn;
        changes
            .at("grantable", side, span, || {
                format!("`{role}` grantable {} (removed)", names(&lost, 5))
            })
            .push(
                Effect::Undecided,
                format!(
                    "custom groups holding {} are no longer rated as covered by `{role}`: group upgrades may give a higher role",
                    names(&lost, 5)
                ),
                vec![role.to_string()],
                lost,
            );
    }
}
