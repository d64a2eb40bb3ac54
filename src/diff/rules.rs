//! Changes of the membership rules and assertions: bootstraps, cardinality
//! rules and their defaults, editions (RBAC on or off, fallbacks), ranks
//! as far as group upgrades read them, group rules, assertions. Rules are
//! matched by what they are about (a bootstrap by its scope kind, a
//! cardinality rule by its scope kind and roles, an edition by name) and
//! compared field by field; each rule's changes are one change, at the rule
//! in NEW (in OLD when it is removed).

use super::roles::{access, names};
use super::Access;
use super::{Change, Changes, Effect, Side};
use crate::analyse::may_hold;
use crate::policy::Policy;
use crate::resolve::{Assertion, Model, PermId, RoleId};
use crate::span::Span;
use std::collections::BTreeSet;

fn role_names(model: &Model, roles: &[RoleId]) -> BTreeSet<String> {
    roles
        .iter()
        .map(|r| model.role_name(*r).to_string())
        .collect()
}

/// What role `b` of `nb` may hold that role `a` of `na` may not, by name.
fn more_than(na: &Policy, a: Option<&str>, nb: &Policy, b: &str) -> Vec<String> {
    // How a role holds a permission: a group held member by member counts
    // as held configurably at least.
    let level = |p: &Policy, may: &crate::compile::BitSet, r: RoleId, perm: PermId| {
        let l = access(p, r, perm);
        if l == Access::None && may.contains(perm.index()) {
            Access::ConfigurableOff
        } else {
            l
        }
    };
    let Some(bid) = nb.model.role_id(b) else {
        return Vec::new();
    };
    let aid = a.and_then(|a| na.model.role_id(a));
    let b_may = may_hold(&nb.model, &nb.compiled, bid);
    let a_may = aid.map(|r| may_hold(&na.model, &na.compiled, r));
    b_may
        .iter()
        .map(PermId::from_index)
        .filter(|&p| {
            let name = nb.model.perm_name(p);
            let was = match (aid, &a_may, na.model.perm_id(name)) {
                (Some(aid), Some(may), Some(ap)) => level(na, may, aid, ap),
                _ => Access::None,
            };
            level(nb, &b_may, bid, p) > was
        })
        .map(|p| nb.model.perm_name(p).to_string())
        .collect()
}

/// A role given to members in place of another (or of nothing): widens by
/// what the new role holds beyond the old one, narrows by the reverse.
fn replaced(
    change: &mut Change,
    (old, new): (&Policy, &Policy),
    (was, now): (Option<&str>, Option<&str>),
    who: &str,
) {
    let text = match (was, now) {
        (Some(w), Some(n)) if w == n => return,
        (Some(w), Some(n)) => format!("{who} hold `{n}` instead of `{w}`"),
        (None, Some(n)) => format!("{who} now hold `{n}`"),
        (Some(w), None) => format!("{who} no longer hold `{w}`"),
        (None, None) => return,
    };
    let more = now.map(|n| more_than(old, was, new, n)).unwrap_or_default();
    let less = was.map(|w| more_than(new, now, old, w)).unwrap_or_default();
    let roles: Vec<String> = now.or(was).map(|r| vec![r.to_string()]).unwrap_or_default();
    let before = change.consequences.len();
    if !more.is_empty() {
        change.push(
            Effect::Widens,
            format!("{text}, gaining {}", names(&more, 8)),
            roles.clone(),
            more,
        );
    }
    if !less.is_empty() {
        change.push(
            Effect::Narrows,
            format!("{text}, losing {}", names(&less, 8)),
            roles.clone(),
            less,
        );
    }
    if change.consequences.len() == before {
        change.push(
            Effect::Neutral,
            format!("{text}, which hold the same"),
            roles,
            Vec::new(),
        );
    }
}

/// The role a member of an instance of `scope` holds when a bootstrap of
/// `role` does not apply: the default of the cardinality rule with `role`.
fn default_for<'m>(m: &'m Model, scope: &str, role: &str) -> Option<&'m str> {
    m.cardinalities
        .iter()
        .filter(|c| m.scope_name(c.scope) == scope)
        .filter(|c| c.roles.iter().any(|r| m.role_name(*r) == role))
        .find_map(|c| c.default.map(|d| m.role_name(d)))
}

/// Pairs NEW's items with OLD's: for each NEW item, the unmatched OLD item
/// with the same key scoring highest (`score` > 0).
fn pair<T, U>(news: &[T], olds: &[U], score: impl Fn(&T, &U) -> usize) -> Vec<Option<usize>> {
    let mut taken = vec![false; olds.len()];
    news.iter()
        .map(|n| {
            let best = olds
                .iter()
                .enumerate()
                .filter(|(i, _)| !taken.get(*i).copied().unwrap_or(true))
                .map(|(i, o)| (score(n, o), i))
                .filter(|(s, _)| *s > 0)
                .max_by_key(|(s, i)| (*s, std::cmp::Reverse(*i)))
                .map(|(_, i)| i);
            if let Some(t) = best.and_then(|i| taken.get_mut(i)) {
                *t = true;
            }
            best
        })
        .collect()
}

fn unmatched(pairs: &[Option<usize>], n: usize) -> Vec<usize> {
    (0..n).filter(|i| !pairs.contains(&Some(*i))).collect()
}

/// Every rule-level change, into `changes`.
pub(crate) fn rule_changes(old: &Policy, new: &Policy, changes: &mut Changes) {
    bootstraps(old, new, changes);
    cardinalities(old, new, changes);
    editions(old, new, changes);
    containments(old, new, changes);
    at_least(old, new, changes);
    ranks(old, new, changes);
    groups(old, new, changes);
    assertions(old, new, changes);
}

/// A bootstrap rule as written.
fn boot_text(m: &Model, b: &crate::resolve::Bootstrap) -> String {
    let mut text = format!(
        "`bootstrap first {} {} of {} as {}",
        b.count,
        if b.count == 1 { "user" } else { "users" },
        m.scope_name(b.scope),
        m.role_name(b.role)
    );
    let eds: Vec<&str> = b
        .editions
        .iter()
        .filter_map(|e| m.editions.get(e.index()))
        .map(|e| e.name.as_str())
        .collect();
    if !eds.is_empty() {
        text.push_str(&format!(" in edition {}", eds.join(", ")));
    }
    text.push('`');
    text
}

fn bootstraps(old: &Policy, new: &Policy, changes: &mut Changes) {
    let (om, nm) = (&old.model, &new.model);
    let pairs = pair(&nm.bootstraps, &om.bootstraps, |n, o| {
        let same_scope = nm.scope_name(n.scope) == om.scope_name(o.scope);
        let same_role = nm.role_name(n.role) == om.role_name(o.role);
        usize::from(same_scope) * (1 + usize::from(same_role))
    });
    let editions = |m: &Model, list: &[crate::resolve::EditionId]| -> BTreeSet<String> {
        list.iter()
            .filter_map(|e| m.editions.get(e.index()))
            .map(|e| e.name.clone())
            .collect()
    };
    for (b, matched) in nm.bootstraps.iter().zip(&pairs) {
        let scope = nm.scope_name(b.scope);
        let role = nm.role_name(b.role);
        let n_eds = editions(nm, &b.editions);
        let Some(o) = matched.and_then(|i| om.bootstraps.get(i)) else {
            let mut c = Change::new(
                "bootstrap",
                Side::New,
                b.span,
                format!("{} (new)", boot_text(nm, b)),
            );
            let who = format!("the first {} members of each `{scope}`", b.count);
            let otherwise = default_for(om, scope, role);
            replaced(&mut c, (old, new), (otherwise, Some(role)), &who);
            changes.add(c);
            continue;
        };
        let o_role = om.role_name(o.role);
        let o_eds = editions(om, &o.editions);
        let mut c = Change::new(
            "bootstrap",
            Side::New,
            b.span,
            format!("{} → {}", boot_text(om, o), boot_text(nm, b)),
        );
        // Members past the bootstrap hold the rule's default, if any.
        let o_default = default_for(om, scope, o_role);
        let n_default = default_for(nm, scope, role);
        if b.count > o.count {
            let who = format!(
                "members {} to {} of each `{scope}` (the first {} were before)",
                o.count + 1,
                b.count,
                o.count
            );
            replaced(&mut c, (old, new), (o_default, Some(role)), &who);
        } else if b.count < o.count {
            let who = format!(
                "members {} to {} of each `{scope}` (only the first {} are now)",
                b.count + 1,
                o.count,
                b.count
            );
            replaced(&mut c, (old, new), (Some(o_role), n_default), &who);
        }
        if o_role != role {
            let who = format!("the first {} members of each `{scope}`", b.count);
            replaced(&mut c, (old, new), (Some(o_role), Some(role)), &who);
        }
        // No edition listed: every edition.
        let all = |e: &BTreeSet<String>, m: &Model| {
            if e.is_empty() {
                m.editions.iter().map(|x| x.name.clone()).collect()
            } else {
                e.clone()
            }
        };
        let (o_all, n_all) = (all(&o_eds, om), all(&n_eds, nm));
        let gained: Vec<String> = n_all.difference(&o_all).cloned().collect();
        let lost: Vec<String> = o_all.difference(&n_all).cloned().collect();
        if !gained.is_empty() {
            let who = format!(
                "in edition {}, the first {} members of each `{scope}`",
                names(&gained, 5),
                b.count
            );
            replaced(&mut c, (old, new), (o_default, Some(role)), &who);
        }
        if !lost.is_empty() {
            let who = format!(
                "in edition {}, the first {} members of each `{scope}`",
                names(&lost, 5),
                o.count
            );
            replaced(&mut c, (old, new), (Some(o_role), n_default), &who);
        }
        if !c.consequences.is_empty() {
            changes.add(c);
        }
    }
    for i in unmatched(&pairs, om.bootstraps.len()) {
        let Some(o) = om.bootstraps.get(i) else {
            continue;
        };
        let (scope, role) = (om.scope_name(o.scope), om.role_name(o.role));
        let mut c = Change::new(
            "bootstrap",
            Side::Old,
            o.span,
            format!("{} (removed)", boot_text(om, o)),
        );
        let who = format!("the first {} members of each `{scope}`", o.count);
        replaced(
            &mut c,
            (old, new),
            (Some(role), default_for(nm, scope, role)),
            &who,
        );
        changes.add(c);
    }
}

fn cardinalities(old: &Policy, new: &Policy, changes: &mut Changes) {
    let (om, nm) = (&old.model, &new.model);
    let pairs = pair(&nm.cardinalities, &om.cardinalities, |n, o| {
        if nm.scope_name(n.scope) != om.scope_name(o.scope) {
            return 0;
        }
        let a = role_names(nm, &n.roles);
        let b = role_names(om, &o.roles);
        1 + a.intersection(&b).count()
    });
    let bootstrap_roles = |m: &Model| -> BTreeSet<String> {
        m.bootstraps
            .iter()
            .map(|b| m.role_name(b.role).to_string())
            .collect()
    };
    for (c, matched) in nm.cardinalities.iter().zip(&pairs) {
        let scope = nm.scope_name(c.scope);
        let roles = role_names(nm, &c.roles);
        let rule = |exactly: bool, roles: &BTreeSet<String>| {
            format!(
                "{} of {} per `{scope}`",
                if exactly {
                    "exactly one"
                } else {
                    "at most one"
                },
                names(&roles.iter().cloned().collect::<Vec<_>>(), 6)
            )
        };
        let default = c.default.map(|d| nm.role_name(d));
        let Some(o) = matched.and_then(|i| om.cardinalities.get(i)) else {
            let mut ch = Change::new(
                "cardinality",
                Side::New,
                c.span,
                format!("{} (new)", rule(c.exactly, &roles)),
            );
            if default.is_some() {
                let who = format!("members of each `{scope}` holding none of them");
                replaced(&mut ch, (old, new), (None, default), &who);
            } else {
                ch.push(
                    Effect::Neutral,
                    "data binding two of them on one resource no longer loads".to_string(),
                    Vec::new(),
                    Vec::new(),
                );
            }
            changes.add(ch);
            continue;
        };
        let o_roles = role_names(om, &o.roles);
        let o_default = o.default.map(|d| om.role_name(d));
        let mut ch = Change::new(
            "cardinality",
            Side::New,
            c.span,
            format!(
                "{}{}",
                rule(c.exactly, &roles),
                match default {
                    Some(d) => format!(" default `{d}`"),
                    None => String::new(),
                }
            ),
        );
        if o_default != default {
            let who = format!("members of each `{scope}` holding none of its roles");
            replaced(&mut ch, (old, new), (o_default, default), &who);
        }
        let removed: Vec<String> = o_roles.difference(&roles).cloned().collect();
        let added: Vec<String> = roles.difference(&o_roles).cloned().collect();
        if !removed.is_empty() {
            let boots = bootstrap_roles(nm);
            let widens = default.is_some() || roles.iter().any(|r| boots.contains(r));
            let text = format!(
                "{} left the rule: their holders now also get the rule's default or bootstrap role",
                names(&removed, 5)
            );
            let effect = if widens {
                Effect::Widens
            } else {
                Effect::Neutral
            };
            ch.push(effect, text, removed, Vec::new());
        }
        if !added.is_empty() {
            ch.push(
                Effect::Narrows,
                format!(
                    "{} joined the rule: their holders no longer get its default or bootstrap role",
                    names(&added, 5)
                ),
                added,
                Vec::new(),
            );
        }
        if o.exactly != c.exactly {
            ch.push(
                Effect::Neutral,
                format!(
                    "`{}` → `{}`: which data loads changes, not what it grants",
                    if o.exactly {
                        "exactly one"
                    } else {
                        "at most one"
                    },
                    if c.exactly {
                        "exactly one"
                    } else {
                        "at most one"
                    }
                ),
                Vec::new(),
                Vec::new(),
            );
        }
        if !ch.consequences.is_empty() {
            changes.add(ch);
        }
    }
    for i in unmatched(&pairs, om.cardinalities.len()) {
        let Some(o) = om.cardinalities.get(i) else {
            continue;
        };
        let scope = om.scope_name(o.scope);
        let o_roles = role_names(om, &o.roles);
        let mut ch = Change::new(
            "cardinality",
            Side::Old,
            o.span,
            format!(
                "one of {} per `{scope}` (removed)",
                names(&o_roles.iter().cloned().collect::<Vec<_>>(), 6)
            ),
        );
        if let Some(d) = o.default {
            ch.push(
                Effect::Narrows,
                format!(
                    "members holding none of them no longer hold `{}`",
                    om.role_name(d)
                ),
                Vec::new(),
                Vec::new(),
            );
        }
        let boots = bootstrap_roles(nm);
        if o_roles.iter().any(|r| boots.contains(r)) {
            ch.push(
                Effect::Widens,
                "bootstrapped members holding one of them now also hold the bootstrap role"
                    .to_string(),
                Vec::new(),
                Vec::new(),
            );
        } else {
            ch.push(
                Effect::Neutral,
                "data may bind two of them on one resource".to_string(),
                Vec::new(),
                Vec::new(),
            );
        }
        changes.add(ch);
    }
}

/// An edition's fallback roles by the scope kind they apply on.
fn fallbacks(m: &Model, e: &crate::resolve::Edition) -> Vec<(String, String)> {
    e.fallbacks
        .iter()
        .map(|r| {
            let scope = m.role(*r).map_or("", |x| m.scope_name(x.scope));
            (scope.to_string(), m.role_name(*r).to_string())
        })
        .collect()
}

fn editions(old: &Policy, new: &Policy, changes: &mut Changes) {
    let (om, nm) = (&old.model, &new.model);
    for e in &nm.editions {
        let fallback = fallbacks(nm, e);
        let Some(o) = om.editions.iter().find(|o| o.name == e.name) else {
            changes.add(
                Change::new(
                    "edition",
                    Side::New,
                    e.span,
                    format!("edition `{}` (new)", e.name),
                )
                .with(
                    Effect::Neutral,
                    "data may name it; data naming another edition is unchanged".to_string(),
                ),
            );
            continue;
        };
        let o_fallback = fallbacks(om, o);
        let mode = |rbac: bool, f: &[(String, String)]| match (rbac, f.is_empty()) {
            (true, _) => "RBAC on".to_string(),
            (false, true) => "without rbac".to_string(),
            (false, false) => format!(
                "without rbac fallback {}",
                f.iter()
                    .map(|(_, r)| format!("`{r}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut c = Change::new(
            "edition",
            Side::New,
            e.span,
            format!(
                "edition `{}`: {} → {}",
                e.name,
                mode(o.rbac, &o_fallback),
                mode(e.rbac, &fallback)
            ),
        );
        let fallback_who =
            |scope: &str| format!("in edition `{}`, the members of every `{scope}`", e.name);
        match (o.rbac, e.rbac) {
            (false, true) => {
                c.push(
                    Effect::Widens,
                    format!(
                        "in edition `{}`, role bindings, direct grants and settings now apply",
                        e.name
                    ),
                    Vec::new(),
                    Vec::new(),
                );
                for (_, f) in &o_fallback {
                    c.push(
                        Effect::Narrows,
                        format!("the fallback `{f}` no longer applies"),
                        vec![f.clone()],
                        Vec::new(),
                    );
                }
            }
            (true, false) if fallback.is_empty() => c.push(
                Effect::Narrows,
                format!("in edition `{}`, role bindings no longer apply", e.name),
                Vec::new(),
                Vec::new(),
            ),
            (true, false) => {
                for (scope, f) in &fallback {
                    c.push(
                        Effect::Undecided,
                        format!(
                            "{} hold `{f}` in place of their bindings: who gains depends on the data",
                            fallback_who(scope)
                        ),
                        vec![f.clone()],
                        Vec::new(),
                    );
                }
            }
            (false, false) if o_fallback != fallback => {
                // Compared scope kind by scope kind: each kind's members
                // hold its fallback.
                let mut kinds: Vec<&str> = fallback
                    .iter()
                    .chain(&o_fallback)
                    .map(|(k, _)| k.as_str())
                    .collect();
                kinds.sort_unstable();
                kinds.dedup();
                for kind in kinds {
                    let on = |list: &'_ [(String, String)]| {
                        list.iter().find(|(k, _)| k == kind).map(|(_, r)| r.clone())
                    };
                    let (was, now) = (on(&o_fallback), on(&fallback));
                    replaced(
                        &mut c,
                        (old, new),
                        (was.as_deref(), now.as_deref()),
                        &fallback_who(kind),
                    );
                }
            }
            _ => {}
        }
        if !c.consequences.is_empty() {
            changes.add(c);
        }
    }
    for o in om
        .editions
        .iter()
        .filter(|o| nm.edition_id(&o.name).is_none())
    {
        changes.add(
            Change::new(
                "edition",
                Side::Old,
                o.span,
                format!("edition `{}` (removed)", o.name),
            )
            .with(
                Effect::Neutral,
                "data naming it no longer loads".to_string(),
            ),
        );
    }
}

/// `members of INNER are members of OUTER`, matched by the two kinds.
fn containments(old: &Policy, new: &Policy, changes: &mut Changes) {
    let (om, nm) = (&old.model, &new.model);
    let key = |m: &Model, c: &crate::resolve::Containment| {
        (
            m.scope_name(c.inner).to_string(),
            m.scope_name(c.outer).to_string(),
        )
    };
    let boots =
        |m: &Model, outer: &str| m.bootstraps.iter().any(|b| m.scope_name(b.scope) == outer);
    for c in &nm.containments {
        let (inner, outer) = key(nm, c);
        if om
            .containments
            .iter()
            .any(|o| key(om, o) == (inner.clone(), outer.clone()))
        {
            continue;
        }
        let ch = Change::new(
            "containment",
            Side::New,
            c.span,
            format!("members of `{inner}` are members of `{outer}` (new)"),
        );
        changes.add(ch.with(
            Effect::Widens,
            format!(
                "the members of a `{inner}` join its `{outer}`: they now hold its defaults{}{}",
                if boots(nm, &outer) {
                    ", may be bootstrapped"
                } else {
                    ""
                },
                if nm.editions.iter().any(|e| !e.fallbacks.is_empty()) {
                    " and its fallback where RBAC is off"
                } else {
                    ""
                }
            ),
        ));
    }
    for o in &om.containments {
        let (inner, outer) = key(om, o);
        if nm
            .containments
            .iter()
            .any(|c| key(nm, c) == (inner.clone(), outer.clone()))
        {
            continue;
        }
        let ch = Change::new(
            "containment",
            Side::Old,
            o.span,
            format!("members of `{inner}` are members of `{outer}` (removed)"),
        );
        changes.add(ch.with(
            Effect::Narrows,
            format!(
                "members of a `{inner}` who are not members of its `{outer}` lose the defaults, bootstrap and fallback they held there"
            ),
        ));
    }
}

/// `at least one ROLE per SCOPE`, matched by role and kind: a data rule
/// that refuses data, never a change of what loaded data allows.
fn at_least(old: &Policy, new: &Policy, changes: &mut Changes) {
    let (om, nm) = (&old.model, &new.model);
    let key = |m: &Model, a: &crate::resolve::AtLeast| {
        (
            m.role_name(a.role).to_string(),
            m.scope_name(a.scope).to_string(),
        )
    };
    for a in &nm.at_least {
        let (role, scope) = key(nm, a);
        if om
            .at_least
            .iter()
            .any(|o| key(om, o) == (role.clone(), scope.clone()))
        {
            continue;
        }
        changes.add(
            Change::new(
                "at least one",
                Side::New,
                a.span,
                format!("at least one `{role}` per `{scope}` (new)"),
            )
            .with(
                Effect::Neutral,
                format!("data with a `{scope}` where nobody holds `{role}` no longer loads"),
            ),
        );
    }
    for o in &om.at_least {
        let (role, scope) = key(om, o);
        if nm
            .at_least
            .iter()
            .any(|a| key(nm, a) == (role.clone(), scope.clone()))
        {
            continue;
        }
        changes.add(
            Change::new(
                "at least one",
                Side::Old,
                o.span,
                format!("at least one `{role}` per `{scope}` (removed)"),
            )
            .with(
                Effect::Neutral,
                format!("data with a `{scope}` where nobody holds `{role}` now loads"),
            ),
        );
    }
}

fn ranks(old: &Policy, new: &Policy, changes: &mut Changes) {
    let (om, nm) = (&old.model, &new.model);
    let read_by_groups = |m: &Model, scope: &str| {
        m.groups
            .iter()
            .any(|g| m.scope_name(g.scope) == scope && (g.upgrade || g.prune))
    };
    let order = |m: &Model, r: &crate::resolve::Rank| -> Vec<String> {
        r.ascending
            .iter()
            .map(|x| m.role_name(*x).to_string())
            .collect()
    };
    let text = |list: &[String]| {
        list.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(" < ")
    };
    for r in &nm.ranks {
        let scope = nm.scope_name(r.scope);
        let now = order(nm, r);
        let was = om
            .ranks
            .iter()
            .find(|o| om.scope_name(o.scope) == scope)
            .map(|o| order(om, o));
        if was.as_ref() == Some(&now) {
            continue;
        }
        let summary = match &was {
            Some(was) => format!("rank of `{scope}`: {} → {}", text(was), text(&now)),
            None => format!("rank of `{scope}`: {} (new)", text(&now)),
        };
        let c = Change::new("rank", Side::New, r.span, summary);
        let c = if read_by_groups(nm, scope) || read_by_groups(om, scope) {
            c.with(
                Effect::Undecided,
                format!("group rules on `{scope}` read it: the role a group's members are upgraded to (or pruned below) may rise; who gains depends on the data"),
            )
        } else {
            c.with(
                Effect::Neutral,
                "no group rule reads it: the order of columns only".to_string(),
            )
        };
        changes.add(c);
    }
    for o in &om.ranks {
        let scope = om.scope_name(o.scope);
        if nm.ranks.iter().any(|r| nm.scope_name(r.scope) == scope) {
            continue;
        }
        let c = Change::new(
            "rank",
            Side::Old,
            o.span,
            format!("rank of `{scope}`: {} (removed)", text(&order(om, o))),
        );
        changes.add(if read_by_groups(nm, scope) {
            c.with(
                Effect::Narrows,
                format!("group upgrades on `{scope}` no longer apply"),
            )
        } else {
            c.with(Effect::Neutral, "the order of columns only".to_string())
        });
    }
}

fn groups(old: &Policy, new: &Policy, changes: &mut Changes) {
    let (om, nm) = (&old.model, &new.model);
    let flags = |up: bool, prune: bool| {
        let mut parts = Vec::new();
        if up {
            parts.push("upgrade roles");
        }
        if prune {
            parts.push("prune on downgrade");
        }
        if parts.is_empty() {
            "{ }".to_string()
        } else {
            format!("{{ {} }}", parts.join(", "))
        }
    };
    let consequences =
        |c: &mut Change, scope: &str, (ou, op): (bool, bool), (nu, np): (bool, bool)| {
            if nu && !ou {
                c.push(
                    Effect::Widens,
                    format!(
                        "members of custom groups on `{scope}` are upgraded to their group's level"
                    ),
                    Vec::new(),
                    Vec::new(),
                );
            }
            if ou && !nu {
                c.push(
                    Effect::Narrows,
                    format!("members of custom groups on `{scope}` are no longer upgraded"),
                    Vec::new(),
                    Vec::new(),
                );
            }
            if np && !op {
                c.push(
                    Effect::Narrows,
                    format!("members lowered on a `{scope}` leave the groups above their new role"),
                    Vec::new(),
                    Vec::new(),
                );
            }
            if op && !np {
                c.push(
                    Effect::Widens,
                    format!("members lowered on a `{scope}` keep the groups above their new role"),
                    Vec::new(),
                    Vec::new(),
                );
            }
        };
    let bound =
        |m: &Model, g: &crate::resolve::GroupsRule| g.up_to.map(|r| m.role_name(r).to_string());
    for g in &nm.groups {
        let scope = nm.scope_name(g.scope);
        let o = om.groups.iter().find(|o| om.scope_name(o.scope) == scope);
        let was = o.map_or((false, false), |o| (o.upgrade, o.prune));
        let (was_bound, now_bound) = (o.and_then(|o| bound(om, o)), bound(nm, g));
        let bounded = |flags: String, b: &Option<String>| match b {
            Some(b) => flags.replace("upgrade roles", &format!("upgrade roles up to {b}")),
            None => flags,
        };
        if was == (g.upgrade, g.prune) && was_bound == now_bound {
            continue;
        }
        let mut c = Change::new(
            "groups",
            Side::New,
            g.span,
            format!(
                "groups on `{scope}`: {} → {}",
                if o.is_some() {
                    bounded(flags(was.0, was.1), &was_bound)
                } else {
                    "none".to_string()
                },
                bounded(flags(g.upgrade, g.prune), &now_bound)
            ),
        );
        consequences(&mut c, scope, was, (g.upgrade, g.prune));
        if was_bound != now_bound && g.upgrade {
            // A bound refuses data with a group above it; a group at or
            // below it is upgraded as without the bound.
            let text = match &now_bound {
                Some(b) => format!(
                    "data with a custom group on a `{scope}` ranking above `{b}` no longer loads; groups at or below it upgrade as before"
                ),
                None => format!("data with a custom group on a `{scope}` above the former bound now loads"),
            };
            c.push(Effect::Neutral, text, Vec::new(), Vec::new());
        }
        changes.add(c);
    }
    for o in &om.groups {
        let scope = om.scope_name(o.scope);
        if nm.groups.iter().any(|g| nm.scope_name(g.scope) == scope) {
            continue;
        }
        let mut c = Change::new(
            "groups",
            Side::Old,
            o.span,
            format!(
                "groups on `{scope}` {} (removed)",
                flags(o.upgrade, o.prune)
            ),
        );
        consequences(&mut c, scope, (o.upgrade, o.prune), (false, false));
        if c.consequences.is_empty() {
            c.push(
                Effect::Neutral,
                "no rule was set".to_string(),
                Vec::new(),
                Vec::new(),
            );
        }
        changes.add(c);
    }
}

/// An assertion as a key (what it is about), its set of roles, where, and
/// how it reads.
fn assertion_key(m: &Model, a: &Assertion) -> (String, BTreeSet<String>, Span) {
    match a {
        Assertion::Only { roles, perm, span } => (
            format!("only … can `{}`", m.perm_name(*perm)),
            role_names(m, roles),
            *span,
        ),
        Assertion::Never { role, perm, span } => (
            format!("`{}` never `{}`", m.role_name(*role), m.perm_name(*perm)),
            BTreeSet::new(),
            *span,
        ),
        Assertion::Exclusive { roles, span } => {
            let list: Vec<RoleId> = roles.iter().map(|(r, _)| *r).collect();
            ("exclusive …".to_string(), role_names(m, &list), *span)
        }
    }
}

/// `assert only `a`, `b` can `p`` and the like.
fn assertion_text(key: &str, roles: &BTreeSet<String>) -> String {
    let list = names(&roles.iter().cloned().collect::<Vec<_>>(), 6);
    if roles.is_empty() {
        format!("assert {key}")
    } else {
        format!("assert {}", key.replacen('…', &list, 1))
    }
}

fn assertions(old: &Policy, new: &Policy, changes: &mut Changes) {
    let (om, nm) = (&old.model, &new.model);
    let news: Vec<_> = nm.assertions.iter().map(|a| assertion_key(nm, a)).collect();
    let olds: Vec<_> = om.assertions.iter().map(|a| assertion_key(om, a)).collect();
    // An `only` assertion is about its permission; an exclusive one about
    // its roles (the closest one is its former self).
    let pairs = pair(&news, &olds, |n, o| {
        if n.0 != o.0 {
            return 0;
        }
        1 + n.1.intersection(&o.1).count()
    });
    for (n, matched) in news.iter().zip(&pairs) {
        let Some(o) = matched.and_then(|i| olds.get(i)) else {
            continue;
        };
        let weaker = if n.0 == "exclusive …" {
            // Fewer roles kept apart.
            o.1.difference(&n.1).cloned().collect::<Vec<_>>()
        } else {
            // More roles allowed.
            n.1.difference(&o.1).cloned().collect::<Vec<_>>()
        };
        if weaker.is_empty() {
            if n.1 != o.1 {
                changes.add(
                    Change::new("assertion", Side::New, n.2, assertion_text(&n.0, &n.1))
                        .with(Effect::Neutral, "the assertion is stricter".to_string()),
                );
            }
            continue;
        }
        let text = if n.0 == "exclusive …" {
            format!("{} may now be reached together", names(&weaker, 6))
        } else {
            format!(
                "{} may now hold it without failing `rbacc check`",
                names(&weaker, 6)
            )
        };
        changes.add(
            Change::new(
                "assertion",
                Side::New,
                n.2,
                format!(
                    "{} → {}",
                    assertion_text(&o.0, &o.1),
                    assertion_text(&n.0, &n.1)
                ),
            )
            .with(Effect::Widens, text),
        );
    }
    for i in unmatched(&pairs, olds.len()) {
        let Some(o) = olds.get(i) else { continue };
        changes.add(
            Change::new(
                "assertion",
                Side::Old,
                o.2,
                format!("{} (removed)", assertion_text(&o.0, &o.1)),
            )
            .with(
                Effect::Widens,
                "the guard is gone: a change it would have stopped now passes `rbacc check`"
                    .to_string(),
            ),
        );
    }
    for (n, matched) in news.iter().zip(&pairs) {
        if matched.is_none() {
            changes.add(
                Change::new(
                    "assertion",
                    Side::New,
                    n.2,
                    format!("{} (new)", assertion_text(&n.0, &n.1)),
                )
                .with(Effect::Neutral, "a new guard".to_string()),
            );
        }
    }
}
