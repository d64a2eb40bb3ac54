//! Semantic diff of two compiled policies (`rbacc diff OLD NEW`).
//!
//! Roles, permissions and scope kinds are matched by name. For every role
//! in both policies the diff compares effective permissions (after
//! includes, implications, wildcards and grouping) and the roles it can
//! assign; each gain comes with the chain that causes it in NEW, each loss
//! with the chain that caused it in OLD.
//!
//! A change *widens access* (an escalation) when a role present in both
//! policies gains a permission, new or old, or a stronger hold on one
//! (configurable to always, default off to default on), or gains a role it
//! can assign. Added roles are listed, not flagged: nobody holds a new role
//! until a role can assign it, which is itself flagged. With membership
//! data ([`members`]) the same diff is computed as users × permissions ×
//! resources.

pub mod members;
mod render;

pub use render::{to_human, to_markdown};

use crate::analyse::chain::{self, Explainer};
use crate::analyse::escalation::assignable;
use crate::analyse::may_hold;
use crate::diagnostic::{Diagnostic, Severity, Sources};
use crate::resolve::{Model, PermId, RoleId};
use crate::span::Span;
use crate::Policy;
use serde::Serialize;
use std::collections::BTreeSet;

/// Version of the JSON layout of a diff; bumped on incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// How a role holds a permission, weakest first.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Not held.
    None,
    /// Held where a configurable grant is switched on; off by default.
    ConfigurableOff,
    /// Held unless a configurable grant is switched off; on by default.
    ConfigurableOn,
    /// Always held.
    Always,
}

impl Access {
    /// How it reads in output.
    pub fn label(self) -> &'static str {
        match self {
            Access::None => "none",
            Access::ConfigurableOff => "configurable (default off)",
            Access::ConfigurableOn => "configurable (default on)",
            Access::Always => "always",
        }
    }
}

/// A role added or removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleSummary {
    /// Its id.
    pub name: String,
    /// Display name.
    pub display: String,
    /// Scope kind.
    pub scope: String,
    /// How many permissions it may hold.
    pub permissions: usize,
    /// `file:line:col` of its declaration.
    pub location: Option<String>,
}

/// A permission added or removed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PermSummary {
    /// Its id.
    pub name: String,
    /// Scope kind.
    pub scope: String,
    /// Description.
    pub description: String,
    /// `file:line:col` of its declaration.
    pub location: Option<String>,
}

/// A permission a role gained or lost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PermChange {
    /// The permission.
    pub perm: String,
    /// Its scope kind.
    pub scope: String,
    /// How the role held it in OLD.
    pub was: Access,
    /// How it holds it in NEW.
    pub now: Access,
    /// Whether access widens.
    pub escalation: bool,
    /// Whether the permission is new in NEW (or gone from it, for a loss).
    pub new_permission: bool,
    /// Why it is held (in NEW for a gain, in OLD for a loss): the chain of
    /// includes, implications and grants with locations.
    pub because: Option<String>,
    /// The grouped permission it belongs to, if any.
    pub group: Option<String>,
    #[serde(skip)]
    labels: Vec<(Span, String)>,
}

/// A role a role can now assign, or no longer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AssignChange {
    /// The assigned role.
    pub role: String,
    /// The permissions that carry the assignment (in NEW for a gain, OLD
    /// for a loss).
    pub via: Vec<String>,
    /// Whether access widens.
    pub escalation: bool,
    #[serde(skip)]
    labels: Vec<(Span, String)>,
}

/// The changes of one role present in both policies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleChanges {
    /// The role.
    pub role: String,
    /// Its scope kind in NEW.
    pub scope: String,
    /// Its scope kind in OLD, when it changed.
    pub old_scope: Option<String>,
    /// Permissions gained or held more strongly.
    pub gained: Vec<PermChange>,
    /// Permissions lost or held more weakly.
    pub lost: Vec<PermChange>,
    /// Roles it can now assign.
    pub assigns_gained: Vec<AssignChange>,
    /// Roles it can no longer assign.
    pub assigns_lost: Vec<AssignChange>,
    #[serde(skip)]
    span: Span,
}

/// The semantic diff of two policies.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyDiff {
    /// Layout version.
    pub version: u32,
    /// The OLD policy's file name.
    pub old: String,
    /// The NEW policy's file name.
    pub new: String,
    /// Number of changes that widen access (policy level).
    pub escalations: usize,
    /// Roles only in NEW.
    pub roles_added: Vec<RoleSummary>,
    /// Roles only in OLD.
    pub roles_removed: Vec<RoleSummary>,
    /// Permissions only in NEW.
    pub permissions_added: Vec<PermSummary>,
    /// Permissions only in OLD.
    pub permissions_removed: Vec<PermSummary>,
    /// Roles in both whose effective permissions or assignable roles changed.
    pub roles: Vec<RoleChanges>,
    /// The same diff on membership data, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<members::MembersDiff>,
}

impl PolicyDiff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.roles_added.is_empty()
            && self.roles_removed.is_empty()
            && self.permissions_added.is_empty()
            && self.permissions_removed.is_empty()
            && self.roles.is_empty()
            && match &self.members {
                None => true,
                Some(m) => m.gained.is_empty() && m.lost.is_empty(),
            }
    }

    /// Whether access widens, in the policy or (when given) on the data.
    pub fn widens(&self) -> bool {
        self.escalations > 0 || self.members.as_ref().is_some_and(|m| !m.gained.is_empty())
    }
}

/// `file:line:col` of a span of a policy.
pub(crate) fn location(policy: &Policy, span: Span) -> Option<String> {
    let source = policy.sources.get(policy.file)?;
    let (line, col) = source.line_col(span.start);
    Some(format!("{}:{line}:{col}", source.name))
}

fn access(policy: &Policy, role: RoleId, perm: PermId) -> Access {
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

fn role_summary(policy: &Policy, role: RoleId) -> Option<RoleSummary> {
    let model = &policy.model;
    let r = model.role(role)?;
    Some(RoleSummary {
        name: r.name.clone(),
        display: r.display.clone(),
        scope: model.scope_name(r.scope).to_string(),
        permissions: may_hold(model, &policy.compiled, role).len(),
        location: location(policy, r.span),
    })
}

fn perm_summary(policy: &Policy, perm: PermId) -> Option<PermSummary> {
    let model = &policy.model;
    let p = model.perm(perm)?;
    Some(PermSummary {
        name: p.name.clone(),
        scope: model.scope_name(p.scope).to_string(),
        description: p.description.clone(),
        location: location(policy, p.span),
    })
}

/// The chain explaining why `role` holds `perm` in `policy`, as text and labels.
fn because(
    policy: &Policy,
    ex: &Explainer<'_>,
    role: RoleId,
    perm: PermId,
) -> (Option<String>, Vec<(Span, String)>) {
    let source = policy.sources.get(policy.file);
    match ex.explain(role, perm) {
        Some(c) => (
            Some(chain::describe(&policy.model, &c, source)),
            chain::perm_labels(&policy.model, &c),
        ),
        None => (None, Vec::new()),
    }
}

/// The roles a role can assign, by name, with the permissions carrying each.
fn assign_map(policy: &Policy, role: RoleId) -> Vec<(String, Vec<(PermId, Span)>)> {
    let model = &policy.model;
    let may = may_hold(model, &policy.compiled, role);
    let mut out: Vec<(String, Vec<(PermId, Span)>)> = Vec::new();
    for (target, perm, span) in assignable(model, &may) {
        let name = model.role_name(target).to_string();
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, via)) => via.push((perm, span)),
            None => out.push((name, vec![(perm, span)])),
        }
    }
    out
}

fn assign_change(
    policy: &Policy,
    ex: &Explainer<'_>,
    role: RoleId,
    target: &str,
    via: &[(PermId, Span)],
    escalation: bool,
) -> AssignChange {
    let model = &policy.model;
    let mut labels = Vec::new();
    if let Some((perm, span)) = via.first() {
        labels.extend(because(policy, ex, role, *perm).1);
        labels.push((
            *span,
            format!("`{}` assigns `{target}`", model.perm_name(*perm)),
        ));
    }
    AssignChange {
        role: target.to_string(),
        via: via
            .iter()
            .map(|(p, _)| model.perm_name(*p).to_string())
            .collect(),
        escalation,
        labels,
    }
}

fn names<'a, T>(items: &'a [T], name: impl Fn(&'a T) -> &'a str) -> BTreeSet<&'a str> {
    items.iter().map(name).collect()
}

/// Compares two compiled policies by names.
pub fn diff(old: &Policy, new: &Policy) -> PolicyDiff {
    let (om, nm) = (&old.model, &new.model);
    let old_ex = Explainer::new(om, &old.compiled);
    let new_ex = Explainer::new(nm, &new.compiled);
    let old_roles = names(&om.roles, |r| r.name.as_str());
    let new_roles = names(&nm.roles, |r| r.name.as_str());
    let old_perms = names(&om.perms, |p| p.name.as_str());
    let new_perms = names(&nm.perms, |p| p.name.as_str());

    let roles_added = nm
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| !old_roles.contains(r.name.as_str()))
        .filter_map(|(i, _)| role_summary(new, RoleId::from_index(i)))
        .collect();
    let roles_removed = om
        .roles
        .iter()
        .enumerate()
        .filter(|(_, r)| !new_roles.contains(r.name.as_str()))
        .filter_map(|(i, _)| role_summary(old, RoleId::from_index(i)))
        .collect();
    let permissions_added = nm
        .perms
        .iter()
        .enumerate()
        .filter(|(_, p)| !old_perms.contains(p.name.as_str()))
        .filter_map(|(i, _)| perm_summary(new, PermId::from_index(i)))
        .collect();
    let permissions_removed = om
        .perms
        .iter()
        .enumerate()
        .filter(|(_, p)| !new_perms.contains(p.name.as_str()))
        .filter_map(|(i, _)| perm_summary(old, PermId::from_index(i)))
        .collect();

    let mut roles = Vec::new();
    for (ni, nrole) in nm.roles.iter().enumerate() {
        let Some(or) = om.role_id(&nrole.name) else {
            continue;
        };
        let nr = RoleId::from_index(ni);
        let changes = role_changes(old, new, &old_ex, &new_ex, or, nr);
        let changed = changes.old_scope.is_some()
            || !changes.gained.is_empty()
            || !changes.lost.is_empty()
            || !changes.assigns_gained.is_empty()
            || !changes.assigns_lost.is_empty();
        if changed {
            roles.push(changes);
        }
    }
    let escalations = roles
        .iter()
        .map(|r: &RoleChanges| {
            r.gained.iter().filter(|g| g.escalation).count()
                + r.assigns_gained.iter().filter(|g| g.escalation).count()
        })
        .sum();
    PolicyDiff {
        version: FORMAT_VERSION,
        old: source_name(old),
        new: source_name(new),
        escalations,
        roles_added,
        roles_removed,
        permissions_added,
        permissions_removed,
        roles,
        members: None,
    }
}

fn source_name(policy: &Policy) -> String {
    policy
        .sources
        .get(policy.file)
        .map_or_else(|| policy.name.clone(), |s| s.name.clone())
}

fn role_changes(
    old: &Policy,
    new: &Policy,
    old_ex: &Explainer<'_>,
    new_ex: &Explainer<'_>,
    or: RoleId,
    nr: RoleId,
) -> RoleChanges {
    let (om, nm) = (&old.model, &new.model);
    let scope_of =
        |m: &Model, r: RoleId| m.role(r).map_or("", |x| m.scope_name(x.scope)).to_string();
    let (old_scope, new_scope) = (scope_of(om, or), scope_of(nm, nr));
    let group_of = |m: &Model, p: PermId| {
        m.perm(p)
            .and_then(|x| x.parent)
            .map(|g| m.perm_name(g).to_string())
    };
    let mut gained = Vec::new();
    let mut lost = Vec::new();
    // Permissions of NEW, in NEW's order: gains and weakenings.
    for (pi, perm) in nm.perms.iter().enumerate() {
        let np = PermId::from_index(pi);
        let op = om.perm_id(&perm.name);
        let was = op.map_or(Access::None, |op| access(old, or, op));
        let now = access(new, nr, np);
        if now > was {
            let (text, labels) = because(new, new_ex, nr, np);
            gained.push(PermChange {
                perm: perm.name.clone(),
                scope: nm.scope_name(perm.scope).to_string(),
                was,
                now,
                escalation: true,
                new_permission: op.is_none(),
                because: text,
                group: group_of(nm, np),
                labels,
            });
        } else if now < was {
            let (text, labels) = op.map_or((None, Vec::new()), |op| because(old, old_ex, or, op));
            lost.push(PermChange {
                perm: perm.name.clone(),
                scope: nm.scope_name(perm.scope).to_string(),
                was,
                now,
                escalation: false,
                new_permission: false,
                because: text,
                group: group_of(nm, np),
                labels,
            });
        }
    }
    // Permissions only in OLD that the role held: lost with them.
    for (pi, perm) in om.perms.iter().enumerate() {
        if nm.perm_id(&perm.name).is_some() {
            continue;
        }
        let op = PermId::from_index(pi);
        let was = access(old, or, op);
        if was > Access::None {
            let (text, labels) = because(old, old_ex, or, op);
            lost.push(PermChange {
                perm: perm.name.clone(),
                scope: om.scope_name(perm.scope).to_string(),
                was,
                now: Access::None,
                escalation: false,
                new_permission: true,
                because: text,
                group: group_of(om, op),
                labels,
            });
        }
    }
    let old_assigns = assign_map(old, or);
    let new_assigns = assign_map(new, nr);
    let assigns_gained = new_assigns
        .iter()
        .filter(|(t, _)| !old_assigns.iter().any(|(o, _)| o == t))
        .map(|(t, via)| assign_change(new, new_ex, nr, t, via, true))
        .collect();
    let assigns_lost = old_assigns
        .iter()
        .filter(|(t, _)| !new_assigns.iter().any(|(n, _)| n == t))
        .map(|(t, via)| assign_change(old, old_ex, or, t, via, false))
        .collect();
    RoleChanges {
        role: nm.role_name(nr).to_string(),
        old_scope: (old_scope != new_scope).then_some(old_scope),
        scope: new_scope,
        gained,
        lost,
        assigns_gained,
        assigns_lost,
        span: nm.role(nr).map(|r| r.span).unwrap_or_default(),
    }
}

/// The escalations of a diff as diagnostics (code D0501) pointing into
/// NEW, for `--format sarif|github`: errors when `deny` (under
/// `--fail-on escalation`), warnings otherwise. Returns NEW's sources.
pub fn diagnostics(diff: &PolicyDiff, new: &Policy, deny: bool) -> (Sources, Vec<Diagnostic>) {
    let file = new.file;
    let severity = if deny {
        Severity::Error
    } else {
        Severity::Warning
    };
    let mut out = Vec::new();
    for role in &diff.roles {
        for g in role.gained.iter().filter(|g| g.escalation) {
            let message = format!(
                "`{}` gains `{}`: {} → {}",
                role.role,
                g.perm,
                g.was.label(),
                g.now.label()
            );
            // Point at the first step of the chain: the include, implication
            // or grant in the role itself.
            let primary = g.labels.first().map_or(role.span, |l| l.0);
            let mut d =
                Diagnostic::error("D0501", message).primary(file, primary, "access widens here");
            d.severity = severity;
            d = chain::add_labels(d, file, g.labels.clone());
            if g.new_permission {
                d = d.note(format!("`{}` is a new permission", g.perm));
            }
            out.push(d);
        }
        for a in role.assigns_gained.iter().filter(|a| a.escalation) {
            let message = format!("`{}` can now assign `{}`", role.role, a.role);
            let primary = a.labels.last().map_or(role.span, |l| l.0);
            let mut d =
                Diagnostic::error("D0501", message).primary(file, primary, "access widens here");
            d.severity = severity;
            d = chain::add_labels(d, file, a.labels.clone());
            out.push(d);
        }
    }
    (new.sources.clone(), out)
}
