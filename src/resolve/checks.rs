//! Structural checks on the resolved role graph: implications that would
//! hold only conditionally, and include/implication chains past the limit.

use super::{graph, roles::role_edges, ResolveError, Resolver, RoleId};
use crate::limits;

/// A permission that `implies` roles must be held outright when it is held
/// at all: a grouped permission (held only when each member is) or a
/// configurable grant (held only where switched on) would make the implied
/// role conditional, which the compiled form cannot express. Both are
/// refused rather than evaluated as if always held.
pub(crate) fn check_conditional_implications(cx: &mut Resolver) {
    let mut found = Vec::new();
    for perm in &cx.model.perms {
        if perm.children.is_empty() {
            continue;
        }
        if let Some(imp) = perm.implies.first() {
            found.push(ResolveError::ConditionalImplication {
                perm: perm.name.clone(),
                role: cx.model.role_name(imp.role).to_string(),
                grant: None,
                span: imp.span,
            });
        }
    }
    for role in &cx.model.roles {
        for grant in role.grants.iter().filter(|g| g.configurable.is_some()) {
            let implying = grant
                .perms
                .iter()
                .find_map(|&p| cx.model.perm(p).filter(|x| !x.implies.is_empty()));
            if let Some(perm) = implying {
                let implied = perm.implies.first().map(|i| i.role).unwrap_or_default();
                found.push(ResolveError::ConditionalImplication {
                    perm: perm.name.clone(),
                    role: cx.model.role_name(implied).to_string(),
                    grant: Some((role.name.clone(), grant.text.clone())),
                    span: grant.span,
                });
            }
        }
    }
    cx.errors.extend(found);
}

/// Refuses include/implication chains longer than [`limits::MAX_CHAIN`]
/// roles (run after cycles are reported: a cyclic graph is not measured).
pub(crate) fn check_chain_length(cx: &mut Resolver) {
    let n = cx.model.roles.len();
    let edges = role_edges(&cx.model);
    let plain: Vec<(usize, usize)> = edges.iter().map(|e| (e.0, e.1)).collect();
    let Some(order) = graph::dependencies_first(n, &plain) else {
        return;
    };
    // longest[r]: roles on the longest chain starting at r; next[r]: its
    // second role.
    let mut longest = vec![1usize; n];
    let mut next: Vec<Option<usize>> = vec![None; n];
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &plain {
        if let Some(list) = out_edges.get_mut(a) {
            list.push(b);
        }
    }
    for r in order {
        let best = out_edges
            .get(r)
            .into_iter()
            .flatten()
            .map(|&t| (longest.get(t).copied().unwrap_or(1), t))
            .max_by_key(|&(len, t)| (len, std::cmp::Reverse(t)));
        if let Some((len, t)) = best {
            if let Some(slot) = longest.get_mut(r) {
                *slot = len + 1;
            }
            if let Some(slot) = next.get_mut(r) {
                *slot = Some(t);
            }
        }
    }
    let Some((start, &len)) = longest
        .iter()
        .enumerate()
        .max_by_key(|&(i, len)| (*len, std::cmp::Reverse(i)))
    else {
        return;
    };
    if len <= limits::MAX_CHAIN {
        return;
    }
    let mut chain = vec![start];
    let mut cur = start;
    while let Some(t) = next.get(cur).copied().flatten() {
        chain.push(t);
        cur = t;
        if chain.len() > n {
            break;
        }
    }
    let name = |i: usize| cx.model.role_name(RoleId::from_index(i)).to_string();
    let first = chain.first().map_or_else(String::new, |&i| name(i));
    let second = chain.get(1).map_or_else(String::new, |&i| name(i));
    let last = chain.last().map_or_else(String::new, |&i| name(i));
    let span = cx
        .model
        .role(RoleId::from_index(start))
        .map(|r| r.span)
        .unwrap_or_default();
    cx.errors.push(ResolveError::ChainTooLong {
        first,
        second,
        last,
        length: len,
        limit: limits::MAX_CHAIN,
        span,
    });
}
