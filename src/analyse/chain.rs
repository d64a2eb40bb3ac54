//! Explanations: the chain of includes, implications and grants through
//! which a role comes to hold a permission or another role.
//!
//! Every diagnostic of the analyses shows such a chain as secondary labels
//! (role → include → role → grant site), and `rbacc diff` prints it as text.
//! Chains are shortest paths over the compiled role graph
//! ([`Compiled::edges`]), so they are deterministic.

use crate::compile::{BitSet, Compiled};
use crate::diagnostic::{Diagnostic, FileId, Source};
use crate::resolve::{Model, PermId, RoleId};
use crate::span::Span;
use std::collections::{HashMap, HashSet, VecDeque};

/// How one role leads to another.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// `include B` in A.
    Include,
    /// `imply B on every S` in A.
    Imply,
    /// A grants this permission, which `implies B on every S`.
    GrantImplies(PermId),
}

impl Link {
    /// Whether a holder of the source role holds the target role (on the
    /// contained instances), rather than only inheriting its grants.
    pub fn is_implication(self) -> bool {
        !matches!(self, Link::Include)
    }
}

/// One edge of a chain.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The role the edge starts at.
    pub from: RoleId,
    /// The role it leads to.
    pub to: RoleId,
    /// What kind of edge.
    pub link: Link,
    /// Where it is written.
    pub span: Span,
}

/// A `grant` that gives a permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantSite {
    /// The role whose grant it is.
    pub role: RoleId,
    /// The permission given.
    pub perm: PermId,
    /// The pattern as written (`workspace.*`).
    pub pattern: String,
    /// `Some(default)` for a configurable grant.
    pub configurable: Option<bool>,
    /// Where the pattern is written.
    pub span: Span,
}

/// Why a role holds a permission: the roles walked, then the grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermChain {
    /// The role explained.
    pub role: RoleId,
    /// The permission explained.
    pub perm: PermId,
    /// Edges from `role` to the role whose grant gives the permission.
    pub steps: Vec<Step>,
    /// The grant, or the members of a grouped permission held one by one.
    pub source: HoldSource,
}

/// The end of a [`PermChain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HoldSource {
    /// A grant of the permission (or of a pattern covering it).
    Grant(GrantSite),
    /// A grouped permission held because each member is held.
    Group(Vec<PermChain>),
}

/// What a role's edge is, from the model: edges carry only a span.
fn classify(model: &Model, from: RoleId, to: RoleId, span: Span) -> Link {
    let Some(role) = model.role(from) else {
        return Link::Include;
    };
    if role.includes.iter().any(|(r, s)| *r == to && *s == span) {
        return Link::Include;
    }
    if role.implies.iter().any(|i| i.role == to && i.span == span) {
        return Link::Imply;
    }
    for grant in role.grants.iter().filter(|g| g.span == span) {
        for &p in &grant.perms {
            let implies = model
                .perm(p)
                .is_some_and(|x| x.implies.iter().any(|i| i.role == to));
            if implies {
                return Link::GrantImplies(p);
            }
        }
    }
    if role.includes.iter().any(|(r, _)| *r == to) {
        Link::Include
    } else {
        Link::Imply
    }
}

/// The role graph with typed edges, indexed by source role, built once per
/// analysis.
#[derive(Clone, Debug)]
pub struct Explainer<'a> {
    /// The model.
    pub model: &'a Model,
    /// The compiled policy.
    pub compiled: &'a Compiled,
    adjacency: Vec<Vec<Step>>,
}

impl<'a> Explainer<'a> {
    /// Indexes the compiled role graph.
    pub fn new(model: &'a Model, compiled: &'a Compiled) -> Explainer<'a> {
        let mut adjacency: Vec<Vec<Step>> = vec![Vec::new(); model.roles.len()];
        for &(from, to, span) in &compiled.edges {
            if let Some(list) = adjacency.get_mut(from.index()) {
                list.push(Step {
                    from,
                    to,
                    link: classify(model, from, to, span),
                    span,
                });
            }
        }
        Explainer {
            model,
            compiled,
            adjacency,
        }
    }

    /// The edges leaving a role.
    pub fn steps_from(&self, from: RoleId) -> &[Step] {
        self.adjacency.get(from.index()).map_or(&[], Vec::as_slice)
    }

    /// Breadth-first search from `start` over states (role, whether the last
    /// edge was an implication) until `goal` accepts a state; returns the
    /// edges walked.
    fn bfs<F>(&self, start: RoleId, mut goal: F) -> Option<Vec<Step>>
    where
        F: FnMut(RoleId, Option<&Step>) -> bool,
    {
        let n = self.model.roles.len();
        let index = |r: RoleId, imp: bool| r.index() * 2 + usize::from(imp);
        // Maps rather than vectors over every role: a search costs what it
        // visits, not the size of the policy.
        let mut parent: HashMap<usize, (usize, Step)> = HashMap::new();
        let first = index(start, false);
        let mut seen: HashSet<usize> = HashSet::from([first]);
        if goal(start, None) {
            return Some(Vec::new());
        }
        let mut queue = VecDeque::from([(start, false)]);
        while let Some((role, imp)) = queue.pop_front() {
            for step in self.steps_from(role) {
                let next_imp = step.link.is_implication();
                let key = index(step.to, next_imp);
                if !seen.insert(key) {
                    continue;
                }
                parent.insert(key, (index(role, imp), *step));
                if goal(step.to, Some(step)) {
                    let mut path = vec![*step];
                    let mut cur = index(role, imp);
                    while cur != first && path.len() <= n * 2 {
                        match parent.get(&cur) {
                            Some((prev, s)) => {
                                path.push(*s);
                                cur = *prev;
                            }
                            None => break,
                        }
                    }
                    path.reverse();
                    return Some(path);
                }
                queue.push_back((step.to, next_imp));
            }
        }
        None
    }

    /// A shortest chain of includes and implications from `from` to `to`
    /// (empty when they are the same role).
    pub fn role_path(&self, from: RoleId, to: RoleId) -> Option<Vec<Step>> {
        self.bfs(from, |r, _| r == to)
    }

    /// A shortest chain from `from` to `to` whose last edge is an
    /// implication: holders of `from` then hold `to` itself (on contained
    /// instances), not merely its grants.
    pub fn implied_path(&self, from: RoleId, to: RoleId) -> Option<Vec<Step>> {
        self.bfs(from, |r, step| {
            r == to && step.is_some_and(|s| s.link.is_implication())
        })
    }

    /// The roles a holder of `role` also holds through implications
    /// (directly or after includes), as a set of role indices.
    pub fn implied_set(&self, role: RoleId) -> BitSet {
        let n = self.model.roles.len();
        let mut out = BitSet::with_capacity(n);
        let _ = self.bfs(role, |r, step| {
            if step.is_some_and(|s| s.link.is_implication()) {
                out.insert(r.index());
            }
            false
        });
        out
    }

    /// Why `role` holds `perm` (always, or else configurably); `None` when
    /// it does not hold it at all.
    pub fn explain(&self, role: RoleId, perm: PermId) -> Option<PermChain> {
        let compiled_role = self.compiled.role(role)?;
        let always = compiled_role.always.contains(perm.index());
        if always || compiled_role.configurable.contains(perm.index()) {
            return self.explain_kind(role, perm, always, 0);
        }
        // A group whose members are held, some only configurably.
        let n_children = self.model.perm(perm).map_or(0, |p| p.children.len());
        match self.explain_kind(role, perm, false, 0) {
            Some(PermChain {
                source: HoldSource::Group(members),
                ..
            }) if n_children > 0 && members.len() == n_children => Some(PermChain {
                role,
                perm,
                steps: Vec::new(),
                source: HoldSource::Group(members),
            }),
            _ => None,
        }
    }

    fn explain_kind(
        &self,
        role: RoleId,
        perm: PermId,
        always: bool,
        depth: usize,
    ) -> Option<PermChain> {
        let model = self.model;
        let mut site = None;
        let steps = self.bfs(role, |r, _| {
            let found = model.role(r).and_then(|x| {
                x.grants
                    .iter()
                    .find(|g| g.configurable.is_none() == always && g.perms.contains(&perm))
            });
            match found {
                Some(g) => {
                    site = Some(GrantSite {
                        role: r,
                        perm,
                        pattern: g.text.clone(),
                        configurable: g.configurable,
                        span: g.span,
                    });
                    true
                }
                None => false,
            }
        });
        if let (Some(steps), Some(site)) = (steps, site) {
            return Some(PermChain {
                role,
                perm,
                steps,
                source: HoldSource::Grant(site),
            });
        }
        // A grouped permission held because every member is.
        let children = model
            .perm(perm)
            .map(|p| p.children.as_slice())
            .unwrap_or(&[]);
        if children.is_empty() || depth > model.perms.len() {
            return None;
        }
        let members: Vec<PermChain> = children
            .iter()
            .filter_map(|&c| {
                let compiled_role = self.compiled.role(role)?;
                let child_always = compiled_role.always.contains(c.index());
                let held =
                    child_always || (!always && compiled_role.configurable.contains(c.index()));
                if held {
                    self.explain_kind(role, c, child_always, depth + 1)
                } else {
                    None
                }
            })
            .collect();
        Some(PermChain {
            role,
            perm,
            steps: Vec::new(),
            source: HoldSource::Group(members),
        })
    }
}

/// `` `A` includes `B` `` and the like.
pub fn step_text(model: &Model, step: &Step) -> String {
    let from = model.role_name(step.from);
    let to = model.role_name(step.to);
    let scope = model
        .role(step.to)
        .map(|r| model.scope_name(r.scope))
        .unwrap_or("");
    match step.link {
        Link::Include => format!("`{from}` includes `{to}`"),
        Link::Imply => format!("`{from}` implies `{to}` on every {scope}"),
        Link::GrantImplies(p) => format!(
            "`{from}` grants `{}`, which implies `{to}` on every {scope}",
            model.perm_name(p)
        ),
    }
}

/// `` `B` grants `P` `` and the like.
pub fn grant_text(model: &Model, site: &GrantSite) -> String {
    let role = model.role_name(site.role);
    let perm = model.perm_name(site.perm);
    let mut text = if site.pattern == perm {
        format!("`{role}` grants `{perm}`")
    } else {
        format!("`{role}` grants `{perm}` through `{}`", site.pattern)
    };
    if let Some(default) = site.configurable {
        let default = if default { "on" } else { "off" };
        text.push_str(&format!(" (configurable, default {default})"));
    }
    text
}

/// The chain as (span, text) pairs, in order.
pub fn perm_labels(model: &Model, chain: &PermChain) -> Vec<(Span, String)> {
    let mut out: Vec<(Span, String)> = chain
        .steps
        .iter()
        .map(|s| (s.span, step_text(model, s)))
        .collect();
    match &chain.source {
        HoldSource::Grant(site) => out.push((site.span, grant_text(model, site))),
        HoldSource::Group(members) => {
            for m in members {
                out.extend(perm_labels(model, m));
            }
        }
    }
    out
}

/// Role-to-role steps as (span, text) pairs.
pub fn step_labels(model: &Model, steps: &[Step]) -> Vec<(Span, String)> {
    steps
        .iter()
        .map(|s| (s.span, step_text(model, s)))
        .collect()
}

/// Adds labels as secondary labels of a diagnostic, skipping exact repeats.
///
/// At most [`crate::limits::MAX_LABELS`] labels are kept; the steps left
/// out are counted in a note (so that 10,000 diagnostics of 256-role chains
/// render in bounded time and space).
pub fn add_labels(mut d: Diagnostic, file: FileId, labels: Vec<(Span, String)>) -> Diagnostic {
    let max = crate::limits::MAX_LABELS;
    let mut left_out = 0usize;
    for (span, text) in labels {
        if d.labels.len() >= max {
            left_out += 1;
            continue;
        }
        let repeat = d.labels.iter().any(|l| l.span == span && l.message == text);
        if !repeat {
            d = d.secondary(file, span, text);
        }
    }
    if left_out > 0 {
        d = d.note(format!(
            "{left_out} more step(s) of the chain not shown: at most {max} locations per diagnostic"
        ));
    }
    d
}

/// The chain as one line of text, each step followed by its location when
/// the source is given: `` `a` includes `b` (x.rbac:3:11) → `b` grants `p` (x.rbac:9:9) ``.
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // the language server
pub fn describe(model: &Model, chain: &PermChain, source: Option<&Source>) -> String {
    let group_note = match &chain.source {
        HoldSource::Group(_) => format!(
            "every member of `{}` is held: ",
            model.perm_name(chain.perm)
        ),
        HoldSource::Grant(_) => String::new(),
    };
    let parts: Vec<String> = perm_labels(model, chain)
        .into_iter()
        .map(|(span, text)| match source {
            Some(src) => {
                let (line, col) = src.line_col(span.start);
                format!("{text} ({}:{line}:{col})", src.name)
            }
            None => text,
        })
        .collect();
    format!("{group_note}{}", parts.join(" → "))
}

/// A role-to-role chain as one line of text.
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // the language server
pub fn describe_steps(model: &Model, steps: &[Step], source: Option<&Source>) -> String {
    steps
        .iter()
        .map(|s| {
            let text = step_text(model, s);
            match source {
                Some(src) => {
                    let (line, col) = src.line_col(s.span.start);
                    format!("{text} ({}:{line}:{col})", src.name)
                }
                None => text,
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}
