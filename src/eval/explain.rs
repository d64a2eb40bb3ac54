//! Explanations: the chain behind an allow, or what is missing for a deny.

use super::{Authorizer, Query};
use crate::membership::{Held, Origin, Place, ResId};
use crate::resolve::{PermId, RoleId};
use crate::span::Span;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// What a step of an explanation says happened (JSON: its name in lower
/// case, `"binding"`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum StepKind {
    /// The user is bound to a role on a resource.
    Binding,
    /// The user is in a group bound to a role.
    Group,
    /// The default role of a cardinality rule.
    Default,
    /// A bootstrap rule gives the role.
    Bootstrap,
    /// The fallback role of an edition without RBAC.
    Fallback,
    /// A role raised to the level of a custom group.
    Upgrade,
    /// A role (or a direct grant) grants the permission.
    Grant,
    /// A role includes another.
    Include,
    /// A role (or a granted permission) implies another role.
    Imply,
    /// A setting switches a configurable grant on or off.
    Setting,
    /// For a deny: what is missing.
    Missing,
}

impl StepKind {
    /// The kind's name, as JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Binding => "binding",
            StepKind::Group => "group",
            StepKind::Default => "default",
            StepKind::Bootstrap => "bootstrap",
            StepKind::Fallback => "fallback",
            StepKind::Upgrade => "upgrade",
            StepKind::Grant => "grant",
            StepKind::Include => "include",
            StepKind::Imply => "imply",
            StepKind::Setting => "setting",
            StepKind::Missing => "missing",
        }
    }
}

/// One step of an explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What kind of step.
    pub kind: StepKind,
    /// What the step says.
    pub text: String,
    /// `file:line:col` of the step's source, when it has one.
    pub location: Option<String>,
}

/// The answer to a query with its reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Allow or deny.
    pub allowed: bool,
    /// For an allow: binding → role → include/implication → grant. For a
    /// deny: what the user holds and what is missing.
    pub steps: Vec<Step>,
}

impl Authorizer {
    fn policy_loc(&self, span: Span) -> Option<String> {
        let source = self.policy.sources.get(self.policy.file)?;
        let (line, col) = source.line_col(span.start);
        Some(format!("{}:{line}:{col}", source.name))
    }

    fn role_label(&self, r: RoleId) -> String {
        let model = &self.policy.model;
        let display = model.role(r).map_or("", |x| x.display.as_str());
        format!("`{}` ({display})", model.role_name(r))
    }

    /// How the user came to hold a role at a resource.
    fn origin_step(&self, user: &str, res: ResId, h: &Held) -> Step {
        let model = &self.policy.model;
        let m = &self.members;
        let rname = m.res_name(res);
        let role = self.role_label(h.role);
        match h.origin {
            Origin::Binding => Step {
                kind: StepKind::Binding,
                text: format!("`{user}` is bound to {role} on `{rname}`"),
                location: m.user_id(user).and_then(|u| m.place(res, Place::UserRoles(u))),
            },
            Origin::Group(g) => {
                let gname = format!("group:{}", m.group_name(g));
                Step {
                    kind: StepKind::Group,
                    text: format!("`{user}` is in `{gname}`, bound to {role} on `{rname}`"),
                    location: m.place(res, Place::GroupRoles(g)),
                }
            }
            Origin::Default(i) => Step {
                kind: StepKind::Default,
                text: format!("`{user}` is a member of `{rname}` with no other role, so holds the default {role}"),
                location: model.cardinalities.get(i as usize).and_then(|c| self.policy_loc(c.span)),
            },
            Origin::Bootstrap(i, pos) => Step {
                kind: StepKind::Bootstrap,
                text: format!("`{user}` is member #{pos} of `{rname}`, so the bootstrap rule gives {role}"),
                location: model.bootstraps.get(i as usize).and_then(|b| self.policy_loc(b.span)),
            },
            Origin::Fallback(e) => Step {
                kind: StepKind::Fallback,
                text: format!(
                    "edition `{}` has no RBAC: every member of `{rname}` holds {role}",
                    model.editions.get(e.index()).map_or("", |x| x.name.as_str())
                ),
                location: model.editions.get(e.index()).and_then(|x| self.policy_loc(x.span)),
            },
            Origin::Upgrade(g) => {
                let gname = format!("group:{}", m.group_name(g));
                Step {
                    kind: StepKind::Upgrade,
                    text: format!("`{user}` is in `{gname}`, whose permissions on `{rname}` need {role}, so the role is upgraded"),
                    location: m
                        .place(res, Place::GroupRoles(g))
                        .or_else(|| m.place(res, Place::GroupGrants(g))),
                }
            }
            Origin::Direct | Origin::GroupGrant(_) => Step {
                kind: StepKind::Grant,
                text: format!("`{user}` holds {role} on `{rname}`"),
                location: None,
            },
        }
    }

    /// The chain inside the policy from `role` to a grant of `perm`.
    pub(crate) fn policy_chain(&self, role: RoleId, perm: PermId) -> Vec<Step> {
        let model = &self.policy.model;
        let compiled = &self.policy.compiled;
        let grants_directly = |r: RoleId| {
            model.role(r).and_then(|x| {
                x.grants
                    .iter()
                    .find(|g| g.configurable.is_none() && g.perms.contains(&perm))
                    .or_else(|| x.grants.iter().find(|g| g.perms.contains(&perm)))
            })
        };
        let mut prev: HashMap<RoleId, (RoleId, Span)> = HashMap::new();
        let mut queue = VecDeque::from([role]);
        let mut found = None;
        while let Some(r) = queue.pop_front() {
            if grants_directly(r).is_some() {
                found = Some(r);
                break;
            }
            for (from, to, span) in &compiled.edges {
                if *from == r && *to != role && !prev.contains_key(to) {
                    prev.insert(*to, (r, *span));
                    queue.push_back(*to);
                }
            }
        }
        let Some(end) = found else {
            let pname = model.perm_name(perm);
            return vec![Step {
                kind: StepKind::Grant,
                text: format!(
                    "{} holds every permission grouped under `{pname}`",
                    self.role_label(role)
                ),
                location: model.perm(perm).and_then(|p| self.policy_loc(p.span)),
            }];
        };
        let mut path = Vec::new();
        let mut cur = end;
        while cur != role {
            let Some(&(p, span)) = prev.get(&cur) else {
                break;
            };
            path.push((p, cur, span));
            cur = p;
        }
        path.reverse();
        let mut steps: Vec<Step> = path
            .into_iter()
            .map(|(from, to, span)| {
                let includes = model
                    .role(from)
                    .is_some_and(|r| r.includes.iter().any(|(t, s)| *t == to && *s == span));
                // An edge that is neither an include nor a role's own
                // `imply` comes from a granted permission that implies.
                let carried_by = model
                    .role(from)
                    .filter(|r| {
                        !includes && !r.implies.iter().any(|i| i.role == to && i.span == span)
                    })
                    .and_then(|r| r.grants.iter().find(|g| g.span == span))
                    .map(|g| g.text.clone());
                let (kind, text) = match (includes, carried_by) {
                    (true, _) => (
                        StepKind::Include,
                        format!("{} includes {}", self.role_label(from), self.role_label(to)),
                    ),
                    (false, Some(perm)) => (
                        StepKind::Imply,
                        format!(
                            "{} grants `{perm}`, which implies {}",
                            self.role_label(from),
                            self.role_label(to)
                        ),
                    ),
                    (false, None) => (
                        StepKind::Imply,
                        format!("{} implies {}", self.role_label(from), self.role_label(to)),
                    ),
                };
                Step {
                    kind,
                    text,
                    location: self.policy_loc(span),
                }
            })
            .collect();
        if let Some(g) = grants_directly(end) {
            let how = if g.configurable.is_some() {
                " (configurable)"
            } else {
                ""
            };
            steps.push(Step {
                kind: StepKind::Grant,
                text: if g.text == model.perm_name(perm) {
                    format!("{} grants `{}`{how}", self.role_label(end), g.text)
                } else {
                    format!(
                        "{} grants `{}`{how}, which covers `{}`",
                        self.role_label(end),
                        g.text,
                        model.perm_name(perm)
                    )
                },
                location: self.policy_loc(g.span),
            });
        }
        steps
    }

    /// Explains a query's decision.
    pub fn explain(&self, q: &Query) -> Explanation {
        let allowed = self.check(q);
        let model = &self.policy.model;
        let m = &self.members;
        let user = m.user_name(q.user).to_string();
        let pname = model.perm_name(q.perm).to_string();
        let mut steps = Vec::new();
        if allowed {
            for res in m.ancestors(q.res) {
                let Some(e) = m.entry(q.user, res) else {
                    continue;
                };
                if let Some((p, origin)) = e.grants().find(|(p, _)| *p == q.perm) {
                    steps.push(self.grant_step(&user, res, p, origin));
                    return Explanation { allowed, steps };
                }
                let holder = e
                    .roles()
                    .find(|h| self.policy.compiled.holds(h.role, q.perm));
                if let Some(h) = holder {
                    steps.push(self.origin_step(&user, res, &h));
                    steps.extend(self.policy_chain(h.role, q.perm));
                    return Explanation { allowed, steps };
                }
                for (g, inst, on) in self.config_decisions(e, q) {
                    if !on {
                        continue;
                    }
                    if let Some(h) = e.roles().find(|h| {
                        self.policy
                            .compiled
                            .role(h.role)
                            .is_some_and(|cr| cr.config_grants.contains(&g))
                    }) {
                        steps.push(self.origin_step(&user, res, &h));
                        steps.extend(self.policy_chain(h.role, q.perm));
                    }
                    steps.push(self.setting_step(g, inst, on));
                    return Explanation { allowed, steps };
                }
            }
            // A group held member by member (see `Authorizer::check`).
            if let Some(group) = model.perm(q.perm).filter(|p| !p.children.is_empty()) {
                let names: Vec<String> = group
                    .children
                    .iter()
                    .map(|c| format!("`{}`", model.perm_name(*c)))
                    .collect();
                steps.push(Step {
                    kind: StepKind::Grant,
                    text: format!(
                        "`{pname}` groups {}, and `{user}` holds each of them",
                        names.join(", ")
                    ),
                    location: self.policy_loc(group.span),
                });
                for &c in &group.children {
                    steps.extend(self.explain(&Query { perm: c, ..*q }).steps);
                }
            }
            return Explanation { allowed, steps };
        }
        // Deny: what is held, what is switched off, and what would grant it.
        for res in m.ancestors(q.res) {
            let Some(e) = m.entry(q.user, res) else {
                continue;
            };
            for h in e.roles() {
                steps.push(self.origin_step(&user, res, &h));
            }
            let grants: Vec<(PermId, Origin)> = e.grants().collect();
            steps.extend(self.grant_steps(&user, res, &grants));
            for (g, inst, on) in self.config_decisions(e, q) {
                steps.push(self.setting_step(g, inst, on));
            }
        }
        if steps.is_empty() {
            steps.push(Step {
                kind: StepKind::Missing,
                text: format!(
                    "`{user}` holds no role on `{}` or any resource enclosing it",
                    m.res_name(q.asked)
                ),
                location: None,
            });
        }
        if let Some((role, res)) = self.nearest_role(q) {
            steps.push(Step {
                kind: StepKind::Missing,
                text: format!(
                    "`{pname}` needs a role that grants it, e.g. {} on `{}`",
                    self.role_label(role),
                    m.res_name(res)
                ),
                location: model.role(role).and_then(|r| self.policy_loc(r.span)),
            });
        } else {
            steps.push(Step {
                kind: StepKind::Missing,
                text: format!(
                    "no role of the policy grants `{pname}` on `{}`",
                    m.res_name(q.res)
                ),
                location: None,
            });
        }
        Explanation { allowed, steps }
    }

    /// The direct grants held at a resource, one step per grant as written
    /// (a grouped permission's expansion is not repeated).
    fn grant_steps(&self, user: &str, res: ResId, grants: &[(PermId, Origin)]) -> Vec<Step> {
        let model = &self.policy.model;
        let mut steps: Vec<Step> = Vec::new();
        for (p, origin) in grants {
            // Skip members of a group that is itself granted by the same origin.
            let covered = model
                .perm(*p)
                .and_then(|x| x.parent)
                .is_some_and(|parent| grants.iter().any(|(q, o)| *q == parent && o == origin));
            if covered {
                continue;
            }
            steps.push(self.grant_step(user, res, *p, *origin));
        }
        steps
    }

    /// One direct grant (to the user, or to a group the user is in).
    fn grant_step(&self, user: &str, res: ResId, p: PermId, origin: Origin) -> Step {
        let m = &self.members;
        let rname = m.res_name(res);
        let perm = self.policy.model.perm_name(p);
        let (place, text) = match origin {
            Origin::GroupGrant(g) => (
                Place::GroupGrants(g),
                format!(
                    "`{user}` is in `group:{}`, granted `{perm}` on `{rname}`",
                    m.group_name(g)
                ),
            ),
            _ => match m.user_id(user) {
                Some(u) => (
                    Place::UserGrants(u),
                    format!("`{user}` is granted `{perm}` directly on `{rname}`"),
                ),
                None => {
                    return Step {
                        kind: StepKind::Grant,
                        text: format!("`{user}` is granted `{perm}` directly on `{rname}`"),
                        location: None,
                    }
                }
            },
        };
        Step {
            kind: StepKind::Grant,
            text,
            location: m.place(res, place),
        }
    }

    fn setting_step(&self, g: crate::compile::ConfigGrant, inst: Option<ResId>, on: bool) -> Step {
        let model = &self.policy.model;
        let m = &self.members;
        let state = if on { "on" } else { "off" };
        let role = model.role_name(g.declared_by);
        let perm = model.perm_name(g.perm);
        match inst.filter(|i| m.settings.contains_key(&(*i, g.declared_by, g.perm))) {
            Some(i) => Step {
                kind: StepKind::Setting,
                text: format!("`{}` switches `{role}`'s configurable `{perm}` {state}", m.res_name(i)),
                location: m.place(i, Place::Settings(g.declared_by)),
            },
            None => Step {
                kind: StepKind::Setting,
                text: format!("`{role}`'s configurable `{perm}` is {state} by default (no setting on the resource)"),
                location: model.role(g.declared_by).and_then(|r| self.policy_loc(r.span)),
            },
        }
    }

    /// The weakest role that would grant the permission, on the nearest
    /// enclosing resource where it can be bound.
    fn nearest_role(&self, q: &Query) -> Option<(RoleId, ResId)> {
        let model = &self.policy.model;
        let compiled = &self.policy.compiled;
        for res in self.members.ancestors(q.res) {
            let kind = self.members.resource(res)?.kind;
            let best = (0..model.roles.len())
                .map(RoleId::from_index)
                .filter(|r| model.role(*r).is_some_and(|x| x.scope == kind))
                .filter(|r| compiled.holds(*r, q.perm))
                .min_by_key(|r| (compiled.role(*r).map_or(usize::MAX, |c| c.always.len()), *r));
            if let Some(role) = best {
                return Some((role, res));
            }
        }
        None
    }
}
