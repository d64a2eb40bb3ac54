//! Lints (warnings whose level `lint CODE allow|warn|deny` sets):
//! W0301 redundant grant, W0302 permission no role grants, W0303 role nobody
//! can hold, W0304 roles with identical effective permissions, W0306 role
//! that grants nothing.

use super::chain::{add_labels, perm_labels, step_text, Explainer};
use super::{close_groups, may_hold, name_list};
use crate::compile::BitSet;
use crate::diagnostic::Diagnostic;
use crate::resolve::{PermId, RoleId, ScopeId};
use std::collections::HashMap;

/// Every lint finding, before levels are applied.
pub(super) fn check(ex: &Explainer<'_>) -> Vec<Diagnostic> {
    let model = ex.model;
    let may: Vec<BitSet> = (0..model.roles.len())
        .map(|r| may_hold(model, ex.compiled, RoleId::from_index(r)))
        .collect();
    let mut out = Vec::new();
    for r in (0..model.roles.len()).map(RoleId::from_index) {
        // The diagnostic cap stops the work: past it, no more are built.
        if out.len() > crate::limits::MAX_DIAGNOSTICS {
            break;
        }
        out.extend(redundant_grants(ex, r));
    }
    out.extend(ungranted_permissions(ex, &may));
    out.extend(unholdable_roles(ex, &may));
    out.extend(identical_roles(ex));
    out.extend(empty_roles(ex));
    out
}

/// W0301: a grant whose permissions the role already holds, through its
/// includes and implications or through its other grants.
fn redundant_grants(ex: &Explainer<'_>, r: RoleId) -> Vec<Diagnostic> {
    let model = ex.model;
    let file = model.file;
    let Some(role) = model.role(r) else {
        return Vec::new();
    };
    let steps = ex.steps_from(r);
    let mut inherited = BitSet::with_capacity(model.perms.len());
    for s in steps {
        if let Some(t) = ex.compiled.role(s.to) {
            inherited.union_with(&t.always);
        }
    }
    close_groups(model, &mut inherited);
    let mut flagged = vec![false; role.grants.len()];
    let mut out = Vec::new();
    // Later grants first, so that of two equal grants the later one is reported.
    for (i, grant) in role.grants.iter().enumerate().rev() {
        let mut others = inherited.clone();
        for (j, g) in role.grants.iter().enumerate() {
            let usable =
                j != i && g.configurable.is_none() && !flagged.get(j).copied().unwrap_or(true);
            if usable {
                g.perms.iter().for_each(|p| others.insert(p.index()));
            }
        }
        close_groups(model, &mut others);
        if grant.perms.is_empty() || !grant.perms.iter().all(|p| others.contains(p.index())) {
            continue;
        }
        if let Some(f) = flagged.get_mut(i) {
            *f = true;
        }
        let role_name = &role.name;
        let what = if grant.configurable.is_some() {
            format!(
                "`{role_name}` always holds `{}` already, so this configurable grant has no effect",
                grant.text
            )
        } else {
            format!(
                "redundant grant: `{role_name}` already holds `{}`",
                grant.text
            )
        };
        let mut d = Diagnostic::warning("W0301", what);
        // Show the inherited route for the first permission it covers, else
        // the other grant that covers it.
        let through_edge = grant.perms.iter().find_map(|&p| {
            steps
                .iter()
                .find(|s| ex.compiled.holds(s.to, p))
                .map(|s| (p, *s))
        });
        match through_edge {
            Some((p, step)) => {
                d = d.primary(
                    file,
                    grant.span,
                    format!("already held through {}", step_text(model, &step)),
                );
                d = d.secondary(file, step.span, step_text(model, &step));
                if let Some(chain) = ex.explain(step.to, p) {
                    d = add_labels(d, file, perm_labels(model, &chain));
                }
            }
            None => {
                d = d.primary(
                    file,
                    grant.span,
                    "already granted by another grant of this role",
                );
                let covering = role.grants.iter().enumerate().find(|(j, g)| {
                    *j != i
                        && g.configurable.is_none()
                        && !flagged.get(*j).copied().unwrap_or(true)
                        && grant.perms.iter().any(|p| g.perms.contains(p))
                });
                if let Some((_, g)) = covering {
                    d = d.secondary(file, g.span, format!("`{}` is granted here", g.text));
                }
            }
        }
        out.push(d.help("remove this grant"));
    }
    out.reverse();
    out
}

/// W0302: permissions no role holds. A grouped permission is reported when
/// neither it nor any member is held, once for the whole group.
fn ungranted_permissions(ex: &Explainer<'_>, may: &[BitSet]) -> Vec<Diagnostic> {
    let model = ex.model;
    let n = model.perms.len();
    let mut held = BitSet::with_capacity(n);
    may.iter().for_each(|m| held.union_with(m));
    // Members come after their group: decide from the last permission up.
    let mut ungranted = vec![false; n];
    for i in (0..n).rev() {
        let Some(perm) = model.perm(PermId::from_index(i)) else {
            continue;
        };
        let members_ungranted = perm
            .children
            .iter()
            .all(|c| ungranted.get(c.index()).copied().unwrap_or(false));
        if let Some(u) = ungranted.get_mut(i) {
            *u = !held.contains(i) && members_ungranted;
        }
    }
    let mut out = Vec::new();
    for (i, perm) in model.perms.iter().enumerate() {
        let parent_reported = perm
            .parent
            .is_some_and(|p| ungranted.get(p.index()).copied().unwrap_or(false));
        if !ungranted.get(i).copied().unwrap_or(false) || parent_reported {
            continue;
        }
        let mut d = Diagnostic::warning("W0302", format!("no role grants `{}`", perm.name))
            .primary(model.file, perm.span, "declared here, granted by no role");
        if !perm.children.is_empty() {
            d = d.note(format!(
                "nor any of its {} member permission{}",
                perm.children.len(),
                if perm.children.len() == 1 { "" } else { "s" }
            ));
        }
        out.push(d.help("grant it to the roles that have it, or remove it if the product has no such permission"));
    }
    out
}

/// W0303: roles nobody can come to hold. A role is held through a default
/// of a cardinality rule, a bootstrap rule, an edition's fallback, an
/// implication from another role, or an assignment by a permission that
/// another role holds. Policies that model no role management (no
/// `assigns` at all) are not checked: bindings in the data are then how
/// roles are held.
fn unholdable_roles(ex: &Explainer<'_>, may: &[BitSet]) -> Vec<Diagnostic> {
    let model = ex.model;
    if model.perms.iter().all(|p| p.assigns.is_empty()) {
        return Vec::new();
    }
    let n = model.roles.len();
    let mut holdable = vec![false; n];
    let mut mark = |r: RoleId| {
        if let Some(h) = holdable.get_mut(r.index()) {
            *h = true;
        }
    };
    model
        .cardinalities
        .iter()
        .filter_map(|c| c.default)
        .for_each(&mut mark);
    model.bootstraps.iter().for_each(|b| mark(b.role));
    model
        .editions
        .iter()
        .flat_map(|e| e.fallbacks.iter().copied())
        .for_each(&mut mark);
    for from in (0..n).map(RoleId::from_index) {
        for s in ex.steps_from(from) {
            if s.link.is_implication() && s.to != from {
                mark(s.to);
            }
        }
    }
    let mut out = Vec::new();
    for r in (0..n).map(RoleId::from_index) {
        if holdable.get(r.index()).copied().unwrap_or(true) {
            continue;
        }
        let mut assigned_by: Vec<PermId> = Vec::new();
        let mut assignable = false;
        for (i, perm) in model.perms.iter().enumerate() {
            if perm.assigns.iter().any(|(t, _)| *t == r) {
                assigned_by.push(PermId::from_index(i));
                let held_by_other = may
                    .iter()
                    .enumerate()
                    .any(|(h, m)| h != r.index() && m.contains(i));
                assignable |= held_by_other;
            }
        }
        if assignable {
            continue;
        }
        let Some(role) = model.role(r) else { continue };
        let mut d = Diagnostic::warning("W0303", format!("nobody can hold `{}`", role.name));
        if assigned_by.is_empty() {
            d = d.primary(
                model.file,
                role.span,
                "no permission assigns it, no role implies it, and it is no default, bootstrap or fallback",
            );
        } else {
            let names = name_list(assigned_by.iter().map(|&p| model.perm_name(p)), 4);
            d = d.primary(
                model.file,
                role.span,
                format!("assigned only by {names}, which no other role holds"),
            );
            for p in &assigned_by {
                if let Some((_, span)) = model
                    .perm(*p)
                    .and_then(|x| x.assigns.iter().find(|(t, _)| *t == r))
                {
                    d = d.secondary(
                        model.file,
                        *span,
                        format!("`{}` assigns it", model.perm_name(*p)),
                    );
                }
            }
        }
        out.push(d.help(format!(
            "let a role-management permission `assigns {}`, make it a `default` or `bootstrap` role, or remove it",
            role.name
        )));
    }
    out
}

/// W0304: two roles of one scope kind with identical effective permissions
/// (always and configurable, with the same defaults). Empty roles are left
/// to W0306.
fn identical_roles(ex: &Explainer<'_>) -> Vec<Diagnostic> {
    let model = ex.model;
    // Roles are grouped by a fingerprint of their sets (hashing whole
    // bitsets per role would cost roles × permissions), then compared.
    type Key = (ScopeId, u64, u64, Vec<(PermId, bool)>);
    let mut first: HashMap<Key, Vec<RoleId>> = HashMap::new();
    let mut out = Vec::new();
    for (i, role) in model.roles.iter().enumerate() {
        let r = RoleId::from_index(i);
        let Some(c) = ex.compiled.role(r) else {
            continue;
        };
        if c.always.is_empty() && c.configurable.is_empty() {
            continue;
        }
        let mut defaults: Vec<(PermId, bool)> = c
            .config_grants
            .iter()
            .map(|g| (g.perm, g.default_on))
            .collect();
        defaults.sort();
        defaults.dedup();
        let key = (
            role.scope,
            c.always.fingerprint(),
            c.configurable.fingerprint(),
            defaults,
        );
        let bucket = first.entry(key).or_default();
        let same = bucket.iter().copied().find(|&e| {
            ex.compiled
                .role(e)
                .is_some_and(|x| x.always == c.always && x.configurable == c.configurable)
        });
        match same {
            None => bucket.push(r),
            Some(earlier) => {
                let other = model.role_name(earlier);
                let count = c.always.len() + c.configurable.len();
                let mut d = Diagnostic::warning(
                    "W0304",
                    format!(
                        "`{}` has the same effective permissions as `{other}`",
                        role.name
                    ),
                )
                .primary(
                    model.file,
                    role.span,
                    format!(
                        "same {count} permission{} as `{other}`",
                        if count == 1 { "" } else { "s" }
                    ),
                );
                if let Some(e) = model.role(earlier) {
                    d = d.secondary(model.file, e.span, format!("`{other}` is declared here"));
                }
                out.push(d.help("merge the two roles, or make them differ as the product does"));
            }
        }
    }
    out
}

/// W0306: roles that hold nothing, through any grant, include or
/// implication.
fn empty_roles(ex: &Explainer<'_>) -> Vec<Diagnostic> {
    let model = ex.model;
    model
        .roles
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            ex.compiled
                .role(RoleId::from_index(*i))
                .is_some_and(|c| c.always.is_empty() && c.configurable.is_empty())
        })
        .map(|(_, role)| {
            Diagnostic::warning("W0306", format!("`{}` grants nothing", role.name))
                .primary(model.file, role.span, "holds no permission through any grant, include or implication")
                .help("grant it permissions or include a role; if it is empty on purpose, add `lint empty-role allow`")
        })
        .collect()
}
