//! Semantic diff of two compiled policies (`rbacc diff OLD NEW`).
//!
//! The diff compares everything that decides who holds what, matched by
//! name: every role's effective permissions (always, configurable with
//! its default, and the role whose settings switch it), the roles it can
//! assign, its `grantable` set and its scope kind (`roles.rs`); and every
//! membership rule: bootstraps, cardinality rules and their defaults,
//! editions (RBAC on or off, fallbacks), ranks as far as group rules read
//! them, group rules, and assertions (`rules.rs`).
//!
//! An implication added or removed that changes only which roles holders
//! hold, not what they may do, is one change at its line, changing no
//! access (`implied.rs`).
//!
//! Each change is reported once, at the line that made it (in NEW; in OLD
//! for a removal), with what it widens and what it narrows. Its
//! [`Effect`] is `widens` when some holder gains a permission or the power
//! to assign a role holding something the assigner lacks; `undecided`
//! when whether anyone gains depends on the membership data (a rank read
//! by group upgrades, a `grantable` set, an edition switched to a
//! fallback): under `--fail-on escalation` it counts as an escalation
//! unless `--members` shows the data gains nothing.

mod implied;
pub mod members;
pub mod render;
mod roles;
mod rules;

pub use render::{to_human, to_markdown, RenderOptions};

use crate::analyse::may_hold;
use crate::diagnostic::{Diagnostic, Severity, Sources};
use crate::policy::Policy;
use crate::resolve::{PermId, RoleId};
use crate::span::Span;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Version of the JSON layout of a diff; bumped on incompatible change.
pub const FORMAT_VERSION: u32 = 2;

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

/// What a change does to access.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Someone may gain access: an escalation.
    Widens,
    /// Whether anyone gains depends on the membership data: an escalation
    /// unless `--members` shows nobody does.
    Undecided,
    /// Access only narrows.
    Narrows,
    /// No access changes (a weaker role made assignable, an order that
    /// nothing reads, a new edition).
    Neutral,
}

impl Effect {
    /// How it reads in output.
    pub fn label(self) -> &'static str {
        match self {
            Effect::Widens => "widens",
            Effect::Undecided => "undecided without data",
            Effect::Narrows => "narrows",
            Effect::Neutral => "no access change",
        }
    }
}

/// Which of the two inputs.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The NEW policy (or data).
    New,
    /// The OLD policy (or data).
    Old,
}

/// One line of what a change does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Consequence {
    /// Widens, narrows, undecided or neutral.
    pub effect: Effect,
    /// What, in words.
    pub text: String,
    /// The roles concerned, in full (the text names a few).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// The permissions concerned (for an assignment: the roles assigned).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub perms: Vec<String>,
    /// Order of display: permissions (0) before assignments (1).
    #[serde(skip)]
    rank: u8,
}

/// One change between the two policies, reported where it was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What kind of declaration changed: `grant`, `include`, `imply`,
    /// `assigns`, `permission`, `role`, `grantable`, `bootstrap`,
    /// `cardinality`, `edition`, `rank`, `groups`, `assertion`.
    pub kind: &'static str,
    /// The strongest effect of its consequences.
    pub effect: Effect,
    /// The change in one line.
    pub summary: String,
    /// `file:line:col` of the line that made it.
    pub location: Option<String>,
    /// The file `location` is in.
    pub side: Side,
    /// What it does.
    pub consequences: Vec<Consequence>,
    #[serde(skip)]
    pub(crate) span: Span,
}

impl Change {
    pub(crate) fn new(kind: &'static str, side: Side, span: Span, summary: String) -> Change {
        Change {
            kind,
            effect: Effect::Neutral,
            summary,
            location: None,
            side,
            consequences: Vec::new(),
            span,
        }
    }

    pub(crate) fn with(mut self, effect: Effect, text: String) -> Change {
        self.push(effect, text, Vec::new(), Vec::new());
        self
    }

    pub(crate) fn push(
        &mut self,
        effect: Effect,
        text: String,
        roles: Vec<String>,
        perms: Vec<String>,
    ) {
        self.push_ranked(0, effect, text, roles, perms);
    }

    pub(crate) fn push_ranked(
        &mut self,
        rank: u8,
        effect: Effect,
        text: String,
        roles: Vec<String>,
        perms: Vec<String>,
    ) {
        self.consequences.push(Consequence {
            effect,
            text,
            roles,
            perms,
            rank,
        });
    }

    /// Whether it counts as an escalation under `--fail-on escalation`
    /// (before the data is consulted).
    pub fn escalates(&self) -> bool {
        matches!(self.effect, Effect::Widens | Effect::Undecided)
    }

    fn finish(&mut self) {
        self.consequences.sort_by_key(|c| c.rank);
        self.effect = self
            .consequences
            .iter()
            .map(|c| c.effect)
            .min()
            .unwrap_or(Effect::Neutral);
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

/// The semantic diff of two policies.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyDiff {
    /// Layout version.
    pub version: u32,
    /// The OLD policy's file name.
    pub old: String,
    /// The NEW policy's file name.
    pub new: String,
    /// Number of changes that widen access or may (policy level).
    pub escalations: usize,
    /// Of those, the ones whose effect depends on the data.
    pub undecided: usize,
    /// Every change, each once, in NEW's order (removals after).
    pub changes: Vec<Change>,
    /// Roles only in NEW.
    pub roles_added: Vec<RoleSummary>,
    /// Roles only in OLD.
    pub roles_removed: Vec<RoleSummary>,
    /// Permissions only in NEW.
    pub permissions_added: Vec<PermSummary>,
    /// Permissions only in OLD.
    pub permissions_removed: Vec<PermSummary>,
    /// The diff on membership data, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<members::MembersDiff>,
}

impl PolicyDiff {
    /// A diff of nothing, to hold a data diff under one policy.
    pub fn data_only(policy: &Policy, members: members::MembersDiff) -> PolicyDiff {
        let name = source_name(policy);
        PolicyDiff {
            version: FORMAT_VERSION,
            old: name.clone(),
            new: name,
            escalations: 0,
            undecided: 0,
            changes: Vec::new(),
            roles_added: Vec::new(),
            roles_removed: Vec::new(),
            permissions_added: Vec::new(),
            permissions_removed: Vec::new(),
            members: Some(members),
        }
    }

    /// Whether the policies are the same as far as access goes (no change,
    /// role or permission added or removed) and the data diff, if any, is
    /// empty.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.roles_added.is_empty()
            && self.roles_removed.is_empty()
            && self.permissions_added.is_empty()
            && self.permissions_removed.is_empty()
            && self.members.as_ref().is_none_or(|m| m.is_empty())
    }

    /// Whether access widens: a change that widens; a change whose effect
    /// depends on the data, unless the data was given and nobody gains;
    /// or a gain on the data.
    pub fn widens(&self) -> bool {
        let data_gains = self.members.as_ref().map(|m| m.gained_count() > 0);
        self.changes.iter().any(|c| c.effect == Effect::Widens)
            || (self.changes.iter().any(|c| c.effect == Effect::Undecided)
                && data_gains.unwrap_or(true))
            || data_gains.unwrap_or(false)
    }
}

/// `file:line:col` of a span of a policy.
pub(crate) fn location(policy: &Policy, span: Span) -> Option<String> {
    let source = policy.sources.get(policy.file)?;
    let (line, col) = source.line_col(span.start);
    Some(format!("{}:{line}:{col}", source.name))
}

pub(crate) fn source_name(policy: &Policy) -> String {
    policy
        .sources
        .get(policy.file)
        .map_or_else(|| policy.name.clone(), |s| s.name.clone())
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

/// Collects changes by the line that made them: two effects of one edit
/// (a grant that reaches five roles) are one change.
#[derive(Default)]
pub(crate) struct Changes {
    by_site: BTreeMap<(Side, u32, u32, &'static str), Change>,
}

impl Changes {
    /// The change made at `span` of `side`, created by `make` the first time.
    pub(crate) fn at(
        &mut self,
        kind: &'static str,
        side: Side,
        span: Span,
        make: impl FnOnce() -> String,
    ) -> &mut Change {
        self.by_site
            .entry((side, span.start, span.end, kind))
            .or_insert_with(|| Change::new(kind, side, span, make()))
    }

    /// A change of its own (merged with one made at the same place).
    pub(crate) fn add(&mut self, change: Change) {
        let key = (change.side, change.span.start, change.span.end, change.kind);
        match self.by_site.get_mut(&key) {
            Some(c) => c.consequences.extend(change.consequences),
            None => {
                self.by_site.insert(key, change);
            }
        }
    }

    fn finish(self, old: &Policy, new: &Policy) -> Vec<Change> {
        // NEW's changes in source order, then OLD's (removals).
        let mut list: Vec<Change> = self.by_site.into_values().collect();
        for c in &mut list {
            c.finish();
            let policy = match c.side {
                Side::Old => old,
                Side::New => new,
            };
            c.location = location(policy, c.span);
        }
        list
    }
}

/// Compares two compiled policies by names.
pub fn diff(old: &Policy, new: &Policy) -> PolicyDiff {
    let (om, nm) = (&old.model, &new.model);
    let old_roles: HashSet<&str> = om.roles.iter().map(|r| r.name.as_str()).collect();
    let new_roles: HashSet<&str> = nm.roles.iter().map(|r| r.name.as_str()).collect();
    let old_perms: HashSet<&str> = om.perms.iter().map(|p| p.name.as_str()).collect();
    let new_perms: HashSet<&str> = nm.perms.iter().map(|p| p.name.as_str()).collect();
    let roles_added = (0..nm.roles.len())
        .map(RoleId::from_index)
        .filter(|&r| !old_roles.contains(nm.role_name(r)))
        .filter_map(|r| role_summary(new, r))
        .collect();
    let roles_removed = (0..om.roles.len())
        .map(RoleId::from_index)
        .filter(|&r| !new_roles.contains(om.role_name(r)))
        .filter_map(|r| role_summary(old, r))
        .collect();
    let permissions_added = (0..nm.perms.len())
        .map(PermId::from_index)
        .filter(|&p| !old_perms.contains(nm.perm_name(p)))
        .filter_map(|p| perm_summary(new, p))
        .collect();
    let permissions_removed = (0..om.perms.len())
        .map(PermId::from_index)
        .filter(|&p| !new_perms.contains(om.perm_name(p)))
        .filter_map(|p| perm_summary(old, p))
        .collect();

    let mut changes = Changes::default();
    roles::role_changes(old, new, &mut changes);
    implied::implication_changes(old, new, &mut changes);
    rules::rule_changes(old, new, &mut changes);
    let changes = changes.finish(old, new);
    let escalations = changes.iter().filter(|c| c.escalates()).count();
    let undecided = changes
        .iter()
        .filter(|c| c.effect == Effect::Undecided)
        .count();
    PolicyDiff {
        version: FORMAT_VERSION,
        old: source_name(old),
        new: source_name(new),
        escalations,
        undecided,
        changes,
        roles_added,
        roles_removed,
        permissions_added,
        permissions_removed,
        members: None,
    }
}

/// The changes that widen access (or may) as diagnostics (code D0501),
/// each at the line that made it: in NEW, or in OLD for a removal. Errors
/// when `deny` (under `--fail-on escalation`), warnings otherwise.
/// Undecided changes are left out when the data shows nobody gains.
pub fn diagnostics(
    diff: &PolicyDiff,
    old: &Policy,
    new: &Policy,
    deny: bool,
) -> (Sources, Vec<Diagnostic>) {
    let severity = if deny {
        Severity::Error
    } else {
        Severity::Warning
    };
    // NEW's file keeps its id; OLD's text joins the same set of sources.
    let mut sources = new.sources.clone();
    let old_file = old
        .sources
        .get(old.file)
        .map(|s| sources.add(s.name.clone(), s.text.clone()));
    let data_clears = diff.members.as_ref().is_some_and(|m| m.gained_count() == 0);
    let mut out = Vec::new();
    for c in &diff.changes {
        let shown = match c.effect {
            Effect::Widens => true,
            Effect::Undecided => !data_clears,
            Effect::Narrows | Effect::Neutral => false,
        };
        if !shown {
            continue;
        }
        let file = match c.side {
            Side::New => new.file,
            Side::Old => match old_file {
                Some(f) => f,
                None => continue,
            },
        };
        let what = match c.effect {
            Effect::Undecided => "may widen access (undecided without data)",
            _ => "widens access",
        };
        let mut d = Diagnostic::error("D0501", format!("{}: {what}", c.summary)).primary(
            file,
            c.span,
            match c.side {
                Side::New => "changed here",
                Side::Old => "removed here",
            },
        );
        d.severity = severity;
        for q in c
            .consequences
            .iter()
            .filter(|q| matches!(q.effect, Effect::Widens | Effect::Undecided))
        {
            d = d.note(q.text.clone());
        }
        out.push(d);
    }
    (sources, out)
}
