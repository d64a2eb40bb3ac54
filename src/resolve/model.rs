//! The resolved policy: every name replaced by a dense id.

use crate::diagnostic::FileId;
use crate::span::Span;
use crate::syntax::ast::LintLevel;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub(crate) u32);

        impl $name {
            /// The id as an index.
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id of an index.
            pub fn from_index(i: usize) -> Self {
                $name(u32::try_from(i).unwrap_or(u32::MAX))
            }
        }
    )*};
}

id_type!(
    /// A scope kind.
    ScopeId,
    /// A role.
    RoleId,
    /// A permission.
    PermId,
    /// An edition.
    EditionId,
);

/// A scope kind.
#[derive(Clone, Debug)]
pub struct Scope {
    /// Its id as written.
    pub name: String,
    /// Display name.
    pub display: String,
    /// Enclosing kind.
    pub parent: Option<ScopeId>,
    /// Whether roles are unavailable at this kind.
    pub without_roles: bool,
    /// The declaration.
    pub span: Span,
    /// The name in the declaration.
    pub name_span: Span,
}

/// A permission.
#[derive(Clone, Debug)]
pub struct Permission {
    /// Its id as written.
    pub name: String,
    /// Description (row label).
    pub description: String,
    /// The scope kind it is declared on.
    pub scope: ScopeId,
    /// The grouped permission it belongs to.
    pub parent: Option<PermId>,
    /// Finer permissions grouped under it, in order.
    pub children: Vec<PermId>,
    /// Roles that holders may assign.
    pub assigns: Vec<(RoleId, Span)>,
    /// Roles held on every contained instance of a kind.
    pub implies: Vec<Implied>,
    /// The name in the declaration.
    pub span: Span,
}

/// An implication `ROLE on every SCOPE`.
#[derive(Clone, Debug)]
pub struct Implied {
    /// The implied role.
    pub role: RoleId,
    /// Where it is written.
    pub span: Span,
}

/// A `grant` of one pattern.
#[derive(Clone, Debug)]
pub struct GrantRule {
    /// The permissions it expands to (groups expanded to their members).
    pub perms: Vec<PermId>,
    /// `Some(default)` for a configurable grant.
    pub configurable: Option<bool>,
    /// The pattern as written.
    pub span: Span,
    /// The pattern text.
    pub text: String,
}

/// A role.
#[derive(Clone, Debug)]
pub struct Role {
    /// Its id as written.
    pub name: String,
    /// Display name.
    pub display: String,
    /// Description, when given.
    pub description: Option<String>,
    /// Scope kind.
    pub scope: ScopeId,
    /// Included roles and where.
    pub includes: Vec<(RoleId, Span)>,
    /// Grants, one per pattern.
    pub grants: Vec<GrantRule>,
    /// Permissions holders may be granted per resource (`grantable`).
    pub grantable: Vec<PermId>,
    /// Roles implied on contained kinds.
    pub implies: Vec<Implied>,
    /// The name in the declaration.
    pub span: Span,
}

/// A `rank` declaration.
#[derive(Clone, Debug)]
pub struct Rank {
    /// Scope kind of the ranked roles.
    pub scope: ScopeId,
    /// Weakest first.
    pub ascending: Vec<RoleId>,
    /// Whether it was written strongest first.
    pub written_descending: bool,
    /// The declaration.
    pub span: Span,
}

/// A cardinality rule.
#[derive(Clone, Debug)]
pub struct Cardinality {
    /// `exactly one` rather than `at most one`.
    pub exactly: bool,
    /// The roles.
    pub roles: Vec<RoleId>,
    /// The scope kind.
    pub scope: ScopeId,
    /// Default role.
    pub default: Option<RoleId>,
    /// The declaration.
    pub span: Span,
}

/// A bootstrap rule.
#[derive(Clone, Debug)]
pub struct Bootstrap {
    /// How many first users.
    pub count: u32,
    /// The scope kind.
    pub scope: ScopeId,
    /// The role given.
    pub role: RoleId,
    /// Editions where it applies (empty: all).
    pub editions: Vec<EditionId>,
    /// The declaration.
    pub span: Span,
}

/// An edition.
#[derive(Clone, Debug)]
pub struct Edition {
    /// Its id as written.
    pub name: String,
    /// Display name.
    pub display: String,
    /// Whether role bindings apply.
    pub rbac: bool,
    /// Roles members hold when RBAC is off: each by the members of every
    /// instance of its scope kind (at most one per kind).
    pub fallbacks: Vec<RoleId>,
    /// The declaration.
    pub span: Span,
}

/// `at least one ROLE per SCOPE`.
#[derive(Clone, Debug)]
pub struct AtLeast {
    /// The role.
    pub role: RoleId,
    /// The scope kind (the role's).
    pub scope: ScopeId,
    /// The declaration.
    pub span: Span,
}

/// `members of INNER are members of OUTER`.
#[derive(Clone, Debug)]
pub struct Containment {
    /// The contained kind.
    pub inner: ScopeId,
    /// The containing kind (strictly enclosing `inner`).
    pub outer: ScopeId,
    /// The declaration.
    pub span: Span,
}

/// A `groups on SCOPE` rule.
#[derive(Clone, Debug)]
pub struct GroupsRule {
    /// Scope kind.
    pub scope: ScopeId,
    /// `upgrade roles`.
    pub upgrade: bool,
    /// `up to ROLE`: the highest level a group may have (a role of the
    /// scope's rank).
    pub up_to: Option<RoleId>,
    /// `prune on downgrade`.
    pub prune: bool,
    /// The declaration.
    pub span: Span,
}

/// An author-stated assertion.
#[derive(Clone, Debug)]
pub enum Assertion {
    /// Only these roles may hold the permission (a role that holds it by
    /// including or implying a listed role must be listed too).
    Only {
        /// Allowed roles.
        roles: Vec<RoleId>,
        /// The permission.
        perm: PermId,
        /// The declaration.
        span: Span,
    },
    /// The role never holds the permission.
    Never {
        /// The role.
        role: RoleId,
        /// The permission.
        perm: PermId,
        /// The declaration.
        span: Span,
    },
    /// No role reaches two of these.
    Exclusive {
        /// The roles, with where each is named.
        roles: Vec<(RoleId, Span)>,
        /// The declaration.
        span: Span,
    },
}

/// `allow escalation FROM -> TO because ...`.
#[derive(Clone, Debug)]
pub struct AllowedEscalation {
    /// Assigning role.
    pub from: RoleId,
    /// Assigned role.
    pub to: RoleId,
    /// The reason.
    pub reason: String,
    /// The declaration.
    pub span: Span,
}

/// A `lint` setting.
#[derive(Clone, Debug)]
pub struct LintSetting {
    /// The code (`W0301`) it applies to.
    pub code: &'static str,
    /// The level.
    pub level: LintLevel,
    /// The declaration.
    pub span: Span,
}

/// A policy with every name resolved.
#[derive(Clone, Debug, Default)]
pub struct Model {
    /// The file it came from.
    pub file: FileId,
    /// `policy ID "name"`, when declared.
    pub policy: Option<(String, String)>,
    /// Scope kinds in declaration order.
    pub scopes: Vec<Scope>,
    /// Permissions in declaration order (groups before their members).
    pub perms: Vec<Permission>,
    /// Roles in declaration order.
    pub roles: Vec<Role>,
    /// Rankings.
    pub ranks: Vec<Rank>,
    /// Cardinality rules.
    pub cardinalities: Vec<Cardinality>,
    /// `at least one` rules.
    pub at_least: Vec<AtLeast>,
    /// Containment rules, in declaration order.
    pub containments: Vec<Containment>,
    /// Bootstrap rules.
    pub bootstraps: Vec<Bootstrap>,
    /// Editions.
    pub editions: Vec<Edition>,
    /// Custom-group rules.
    pub groups: Vec<GroupsRule>,
    /// Assertions.
    pub assertions: Vec<Assertion>,
    /// Accepted escalations.
    pub allowed_escalations: Vec<AllowedEscalation>,
    /// Lint levels set in the policy.
    pub lints: Vec<LintSetting>,
    /// Grouped permissions (those with members), innermost last, so that
    /// closing a set over groups is one pass over this list in reverse.
    pub grouped: Vec<PermId>,
}

impl Model {
    /// A scope kind.
    pub fn scope(&self, id: ScopeId) -> Option<&Scope> {
        self.scopes.get(id.index())
    }

    /// A role.
    pub fn role(&self, id: RoleId) -> Option<&Role> {
        self.roles.get(id.index())
    }

    /// A permission.
    pub fn perm(&self, id: PermId) -> Option<&Permission> {
        self.perms.get(id.index())
    }

    /// The name of a role (empty if unknown).
    pub fn role_name(&self, id: RoleId) -> &str {
        self.role(id).map_or("", |r| r.name.as_str())
    }

    /// The name of a permission (empty if unknown).
    pub fn perm_name(&self, id: PermId) -> &str {
        self.perm(id).map_or("", |p| p.name.as_str())
    }

    /// The name of a scope kind (empty if unknown).
    pub fn scope_name(&self, id: ScopeId) -> &str {
        self.scope(id).map_or("", |s| s.name.as_str())
    }

    /// `inner` is `outer` or inside it.
    pub fn scope_within(&self, inner: ScopeId, outer: ScopeId) -> bool {
        let mut cur = Some(inner);
        let mut steps = 0;
        while let Some(s) = cur {
            if s == outer {
                return true;
            }
            steps += 1;
            if steps > self.scopes.len() {
                return false;
            }
            cur = self.scope(s).and_then(|s| s.parent);
        }
        false
    }

    /// Scope kinds from `id` up to its root.
    pub fn scope_chain(&self, id: ScopeId) -> Vec<ScopeId> {
        let mut chain = Vec::new();
        let mut cur = Some(id);
        while let Some(s) = cur {
            if chain.contains(&s) {
                break;
            }
            chain.push(s);
            cur = self.scope(s).and_then(|s| s.parent);
        }
        chain
    }

    /// Scope kinds inside `id`, itself included.
    pub fn scope_subtree(&self, id: ScopeId) -> Vec<ScopeId> {
        (0..self.scopes.len())
            .map(ScopeId::from_index)
            .filter(|&s| self.scope_within(s, id))
            .collect()
    }

    /// A permission and every permission grouped under it.
    pub fn perm_with_members(&self, id: PermId) -> Vec<PermId> {
        let mut out = vec![id];
        let mut i = 0;
        while let Some(&p) = out.get(i) {
            if let Some(perm) = self.perm(p) {
                out.extend(perm.children.iter().copied());
            }
            i += 1;
            if i > self.perms.len() {
                break;
            }
        }
        out
    }

    /// The ranking of a scope kind, weakest first.
    pub fn rank_of(&self, scope: ScopeId) -> Option<&Rank> {
        self.ranks.iter().find(|r| r.scope == scope)
    }

    /// Looks up a role by name.
    pub fn role_id(&self, name: &str) -> Option<RoleId> {
        self.roles
            .iter()
            .position(|r| r.name == name)
            .map(RoleId::from_index)
    }

    /// Looks up a permission by name.
    pub fn perm_id(&self, name: &str) -> Option<PermId> {
        self.perms
            .iter()
            .position(|p| p.name == name)
            .map(PermId::from_index)
    }

    /// Looks up a scope kind by name.
    pub fn scope_id(&self, name: &str) -> Option<ScopeId> {
        self.scopes
            .iter()
            .position(|s| s.name == name)
            .map(ScopeId::from_index)
    }

    /// Looks up an edition by name.
    pub fn edition_id(&self, name: &str) -> Option<EditionId> {
        self.editions
            .iter()
            .position(|e| e.name == name)
            .map(EditionId::from_index)
    }
}
