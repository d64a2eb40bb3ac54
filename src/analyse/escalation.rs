//! Privilege escalation (W0305): a role that can assign, directly or by
//! first assigning itself a role that can, a role holding permissions it
//! does not hold itself.
//!
//! "Can assign" comes from role management: holding (always, or where a
//! configurable grant is on) a permission that `assigns` a role. Roles are
//! compared on effective permissions, which cover the role's scope kind and
//! every kind inside it; a permission the assigned role holds always but the
//! assigner only configurably counts as more.
//!
//! Transitive chains: R assigns T1, whose holders assign T2, and so on. The
//! search stops at the first escalation on a chain (it is reported, and what
//! lies beyond adds nothing a fix of it would not remove) and goes on through
//! escalations the policy accepts with `allow escalation R -> T`. A role
//! reached beyond an accepted one is reported only when it holds more than
//! the roles before it on the chain together, and the permissions listed are
//! those beyond them.

use super::chain::{add_labels, perm_labels, Explainer};
use super::{may_hold, name_list};
use crate::compile::BitSet;
use crate::diagnostic::Diagnostic;
use crate::resolve::{PermId, RoleId};
use crate::span::Span;
use std::collections::VecDeque;

/// One hop of an assigning chain: `holder` holds `perm`, which assigns
/// `target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// The role whose holders assign.
    pub holder: RoleId,
    /// The permission that carries the assignment.
    pub perm: PermId,
    /// The role assigned.
    pub target: RoleId,
    /// Where the permission's `assigns` names the target.
    pub span: Span,
    /// The `allow escalation` accepting this hop from the chain's start, if any.
    pub allowed: Option<usize>,
}

/// A privilege escalation: `from` can come to assign `to`, which holds
/// `excess` beyond what `from` holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation {
    /// The assigning role.
    pub from: RoleId,
    /// The role it can assign.
    pub to: RoleId,
    /// The assigning chain, first hop from `from`, last to `to`.
    pub hops: Vec<Hop>,
    /// Permissions `to` holds that neither `from` nor the roles assigned
    /// before it on the chain hold.
    pub excess: Vec<PermId>,
}

/// What `t` holds beyond `r`: permissions it holds always that `r` does not
/// hold always, and permissions it may hold that `r` may not.
fn excess(always: &[&BitSet], may: &[BitSet], t: RoleId, r: RoleId) -> BitSet {
    let empty = BitSet::default();
    let t_always = always.get(t.index()).copied().unwrap_or(&empty);
    let r_always = always.get(r.index()).copied().unwrap_or(&empty);
    let t_may = may.get(t.index()).unwrap_or(&empty);
    let r_may = may.get(r.index()).unwrap_or(&empty);
    let mut out = t_always.difference(r_always);
    out.union_with(&t_may.difference(r_may));
    out
}

/// Escalations, at most `limit` per assigning role, and for each assigning
/// role how many more there are.
pub fn find_limited(ex: &Explainer<'_>, limit: usize) -> (Vec<Escalation>, Vec<(RoleId, usize)>) {
    let model = ex.model;
    let n = model.roles.len();
    let assigning: Vec<PermId> = (0..model.perms.len())
        .map(PermId::from_index)
        .filter(|&p| model.perm(p).is_some_and(|x| !x.assigns.is_empty()))
        .collect();
    if assigning.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let may: Vec<BitSet> = (0..n)
        .map(|r| may_hold(model, ex.compiled, RoleId::from_index(r)))
        .collect();
    let empty = BitSet::default();
    let always: Vec<&BitSet> = (0..n)
        .map(|r| {
            ex.compiled
                .role(RoleId::from_index(r))
                .map_or(&empty, |c| &c.always)
        })
        .collect();
    // The role-management permissions each role may hold.
    let managing: Vec<Vec<PermId>> = may
        .iter()
        .map(|m| {
            assigning
                .iter()
                .copied()
                .filter(|p| m.contains(p.index()))
                .collect()
        })
        .collect();
    let allowed = |from: RoleId, to: RoleId| {
        model
            .allowed_escalations
            .iter()
            .position(|a| a.from == from && a.to == to)
    };
    let mut found = Vec::new();
    let mut omitted = Vec::new();
    for r in (0..n).map(RoleId::from_index) {
        if managing.get(r.index()).is_none_or(|d| d.is_empty()) {
            continue;
        }
        let mut count = 0usize;
        // Nodes of the search: (role, index of the parent node, hop into it).
        let mut nodes: Vec<(RoleId, Option<usize>, Option<Hop>)> = vec![(r, None, None)];
        let mut seen = vec![false; n];
        if let Some(s) = seen.get_mut(r.index()) {
            *s = true;
        }
        let mut queue = VecDeque::from([0usize]);
        while let Some(node) = queue.pop_front() {
            let Some(holder) = nodes.get(node).map(|n| n.0) else {
                continue;
            };
            let perms = managing.get(holder.index()).map_or(&[][..], Vec::as_slice);
            for &perm in perms {
                let targets = model.perm(perm).map_or(&[][..], |p| p.assigns.as_slice());
                for &(t, span) in targets {
                    match seen.get_mut(t.index()) {
                        Some(s) if !*s => *s = true,
                        _ => continue,
                    }
                    let hop = Hop {
                        holder,
                        perm,
                        target: t,
                        span,
                        allowed: allowed(r, t),
                    };
                    let mut extra = excess(&always, &may, t, r);
                    if extra.is_empty() || hop.allowed.is_some() {
                        nodes.push((t, Some(node), Some(hop)));
                        queue.push_back(nodes.len() - 1);
                        continue;
                    }
                    // What the roles earlier on the chain (accepted
                    // escalations) already give `r` is no news.
                    let chain = chain_to(&nodes, node);
                    for h in &chain {
                        if let Some(m) = may.get(h.target.index()) {
                            extra = extra.difference(m);
                        }
                    }
                    if extra.is_empty() {
                        nodes.push((t, Some(node), Some(hop)));
                        queue.push_back(nodes.len() - 1);
                        continue;
                    }
                    count += 1;
                    if count > limit {
                        continue;
                    }
                    let mut hops = chain;
                    hops.push(hop);
                    found.push(Escalation {
                        from: r,
                        to: t,
                        hops,
                        excess: extra.iter().map(PermId::from_index).collect(),
                    });
                }
            }
        }
        if count > limit {
            omitted.push((r, count - limit));
        }
    }
    (found, omitted)
}

/// The hops from the search's start to a node.
fn chain_to(nodes: &[(RoleId, Option<usize>, Option<Hop>)], mut node: usize) -> Vec<Hop> {
    let mut hops = Vec::new();
    while let Some((_, parent, hop)) = nodes.get(node) {
        if let Some(h) = hop {
            hops.push(h.clone());
        }
        match parent {
            Some(p) if hops.len() <= nodes.len() => node = *p,
            _ => break,
        }
    }
    hops.reverse();
    hops
}

/// At most this many escalations of one role are reported one by one; more
/// are reported in one warning (a policy where every role assigns every
/// other would otherwise give a warning per pair).
const SEPARATE: usize = 3;

/// In a grouped warning, how many further roles are named.
const NAMED: usize = 20;

/// The W0305 warnings.
pub(super) fn check(ex: &Explainer<'_>) -> Vec<Diagnostic> {
    // Past the ones shown, only names are listed: keep that many.
    let (found, omitted) = find_limited(ex, SEPARATE + NAMED);
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(first) = found.get(start) {
        let end = found
            .iter()
            .skip(start)
            .position(|e| e.from != first.from)
            .map_or(found.len(), |n| start + n);
        let group = found.get(start..end).unwrap_or(&[]);
        if group.len() <= SEPARATE {
            out.extend(group.iter().map(|e| diagnostic(ex, e)));
        } else {
            let more = omitted
                .iter()
                .find(|(r, _)| *r == first.from)
                .map_or(0, |(_, n)| *n);
            out.push(grouped(ex, group, more));
        }
        start = end;
    }
    out
}

/// Labels of one escalation's assigning chain.
fn chain_labels(ex: &Explainer<'_>, mut d: Diagnostic, e: &Escalation) -> Diagnostic {
    let model = ex.model;
    let file = model.file;
    for hop in &e.hops {
        let holder = model.role_name(hop.holder);
        let perm = model.perm_name(hop.perm);
        let labels = ex
            .explain(hop.holder, hop.perm)
            .map(|c| perm_labels(model, &c))
            .unwrap_or_default();
        d = add_labels(d, file, labels);
        d = d.secondary(
            file,
            hop.span,
            format!(
                "`{perm}` assigns `{}`, so `{holder}` can assign it",
                model.role_name(hop.target)
            ),
        );
    }
    if let Some(role) = model.role(e.to) {
        d = d.secondary(
            file,
            role.span,
            format!(
                "`{}` holds {} more permission{}",
                role.name,
                e.excess.len(),
                plural(e.excess.len())
            ),
        );
    }
    d
}

/// One warning for the many escalations of one role.
fn grouped(ex: &Explainer<'_>, group: &[Escalation], more: usize) -> Diagnostic {
    let model = ex.model;
    let Some(first) = group.first() else {
        return Diagnostic::warning("W0305", "privilege escalation");
    };
    let from = model.role_name(first.from);
    let targets = name_list(group.iter().map(|e| model.role_name(e.to)), 6);
    let from_span = model.role(first.from).map(|r| r.span).unwrap_or_default();
    let mut d = Diagnostic::warning(
        "W0305",
        format!(
            "`{from}` can assign {} roles that hold more than it: {targets}",
            group.len() + more
        ),
    )
    .primary(model.file, from_span, format!("`{from}` can assign them"));
    for e in group.iter().take(SEPARATE) {
        d = chain_labels(ex, d, e);
    }
    let rest: Vec<String> = group
        .iter()
        .skip(SEPARATE)
        .map(|e| {
            format!(
                "`{}` ({} more permission{})",
                model.role_name(e.to),
                e.excess.len(),
                plural(e.excess.len())
            )
        })
        .collect();
    let shown: Vec<&str> = rest.iter().take(NAMED).map(String::as_str).collect();
    let more = more + rest.len().saturating_sub(shown.len());
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    d.note(format!("the first {SEPARATE} are shown; also {}{tail}", shown.join(", ")))
        .help(format!(
            "accept intended ones with `allow escalation {from} -> ROLE because \"…\"`; otherwise stop `{from}` from assigning them, or grant `{from}` what they hold"
        ))
}

/// The warning for one escalation, with its assigning chain.
pub fn diagnostic(ex: &Explainer<'_>, e: &Escalation) -> Diagnostic {
    let model = ex.model;
    let file = model.file;
    let (from, to) = (model.role_name(e.from), model.role_name(e.to));
    let excess = name_list(e.excess.iter().map(|&p| model.perm_name(p)), 4);
    let through: Vec<&str> = e
        .hops
        .iter()
        .take(e.hops.len().saturating_sub(1))
        .map(|h| model.role_name(h.target))
        .collect();
    let (via, beyond) = if through.is_empty() {
        (String::new(), "")
    } else {
        (
            format!(" (by first assigning {})", name_list(through, 4)),
            " and the roles it assigns first",
        )
    };
    let from_span = model.role(e.from).map(|r| r.span).unwrap_or_default();
    let mut d = Diagnostic::warning(
        "W0305",
        format!(
            "`{from}` can assign `{to}`{via}, which holds more than `{from}`{beyond}: {excess}"
        ),
    )
    .primary(file, from_span, format!("`{from}` can assign `{to}`"));
    d = chain_labels(ex, d, e);
    for hop in &e.hops {
        if let Some(a) = hop.allowed.and_then(|i| model.allowed_escalations.get(i)) {
            d = d.note(format!(
                "`{from} -> {}` is an accepted escalation: {}",
                model.role_name(hop.target),
                a.reason
            ));
        }
    }
    d.help(format!(
        "if this is intended, add `allow escalation {from} -> {to} because \"…\"`; otherwise stop `{from}` from assigning `{to}`, or grant `{from}` what `{to}` holds"
    ))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
