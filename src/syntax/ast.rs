//! The abstract syntax tree of a policy file. Every node carries its span.

use crate::span::Span;

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A string literal after unescaping, with the span of the literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The unescaped value.
    pub value: String,
    /// Where the literal (quotes included) is written.
    pub span: Span,
}

/// A parsed policy file: its declarations in source order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyFile {
    /// Declarations in the order written.
    pub decls: Vec<Decl>,
}

/// One top-level declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decl {
    /// `policy ID "name"`.
    Policy(PolicyDecl),
    /// `edition ...`.
    Edition(EditionDecl),
    /// `scope ...`.
    Scope(ScopeDecl),
    /// `permissions on SCOPE { ... }`.
    Permissions(PermissionsDecl),
    /// `role ...`.
    Role(RoleDecl),
    /// `rank ...`.
    Rank(RankDecl),
    /// `at most one of ...` / `exactly one of ...`.
    Cardinality(CardinalityDecl),
    /// `at least one ROLE per SCOPE`.
    AtLeast(AtLeastDecl),
    /// `members of SCOPE are members of SCOPE`.
    Containment(ContainmentDecl),
    /// `bootstrap ...`.
    Bootstrap(BootstrapDecl),
    /// `groups on SCOPE { ... }`.
    Groups(GroupsDecl),
    /// `assert ...`.
    Assert(AssertDecl),
    /// `allow escalation ...`.
    AllowEscalation(AllowEscalationDecl),
    /// `lint CODE LEVEL`.
    Lint(LintDecl),
}

/// `policy ID "name"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDecl {
    /// The policy id.
    pub id: Ident,
    /// Its display name.
    pub name: Text,
    /// The whole declaration.
    pub span: Span,
}

/// `edition ID "name" [without rbac [fallback ROLE]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditionDecl {
    /// Edition id.
    pub id: Ident,
    /// Display name.
    pub name: Text,
    /// `Some` when the edition has no RBAC; holds the optional fallback role.
    pub without_rbac: Option<WithoutRbac>,
    /// The whole declaration.
    pub span: Span,
}

/// `without rbac [fallback ROLE, ...]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithoutRbac {
    /// The roles members hold where RBAC is off (each on its scope kind).
    pub fallbacks: Vec<Ident>,
    /// The clause.
    pub span: Span,
}

/// `scope ID "name" [in PARENT] [without roles]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeDecl {
    /// Scope kind id.
    pub id: Ident,
    /// Display name.
    pub name: Text,
    /// Enclosing kind.
    pub parent: Option<Ident>,
    /// Span of `without roles`, when present.
    pub without_roles: Option<Span>,
    /// The whole declaration.
    pub span: Span,
}

/// `permissions on SCOPE { ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionsDecl {
    /// The scope kind the permissions belong to.
    pub scope: Ident,
    /// The entries, in order.
    pub entries: Vec<PermEntry>,
    /// The whole declaration.
    pub span: Span,
}

/// `PERM "description" [{ ... }]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermEntry {
    /// The permission id.
    pub id: Ident,
    /// Its description (the row label).
    pub description: Text,
    /// Finer permissions grouped under this one.
    pub children: Vec<PermEntry>,
    /// `assigns ROLE, ...` clauses.
    pub assigns: Vec<Ident>,
    /// `implies ROLE on every SCOPE` clauses.
    pub implies: Vec<Implication>,
    /// The whole entry.
    pub span: Span,
}

/// `ROLE on every SCOPE`, after `imply` or `implies`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Implication {
    /// The implied role.
    pub role: Ident,
    /// The scope kind it is held on.
    pub scope: Ident,
    /// The whole clause.
    pub span: Span,
}

/// `role ID on SCOPE "name" [{ ... }]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleDecl {
    /// Role id.
    pub id: Ident,
    /// Scope kind of the role.
    pub scope: Ident,
    /// Display name.
    pub name: Text,
    /// `description "..."`.
    pub description: Option<Text>,
    /// `include` targets.
    pub includes: Vec<Ident>,
    /// Each `include` item as written (keyword and list), in order.
    pub include_items: Vec<Span>,
    /// `grant` items.
    pub grants: Vec<Grant>,
    /// `grantable` patterns: permissions holders may be granted per resource.
    pub grantable: Vec<Pattern>,
    /// `imply` items.
    pub implies: Vec<Implication>,
    /// The whole declaration.
    pub span: Span,
}

/// One `grant` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The patterns granted.
    pub patterns: Vec<Pattern>,
    /// `configurable default on|off`: `Some(default)`.
    pub configurable: Option<bool>,
    /// The whole item.
    pub span: Span,
}

/// A permission pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// `*`.
    All(Span),
    /// `prefix.*`: the prefix without `.*`.
    Prefix(Ident),
    /// A permission id.
    Exact(Ident),
}

impl Pattern {
    /// The span of the pattern.
    pub fn span(&self) -> Span {
        match self {
            Pattern::All(span) => *span,
            Pattern::Prefix(id) | Pattern::Exact(id) => id.span,
        }
    }
}

/// `rank ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankDecl {
    /// Roles from weakest to strongest.
    pub ascending: Vec<Ident>,
    /// Whether the source wrote them strongest first (`>`).
    pub written_descending: bool,
    /// The whole declaration.
    pub span: Span,
}

/// `at most one of ...` or `exactly one of ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardinalityDecl {
    /// `true` for `exactly one`.
    pub exactly: bool,
    /// The roles.
    pub roles: Vec<Ident>,
    /// The scope kind.
    pub scope: Ident,
    /// The default role.
    pub default: Option<Ident>,
    /// The whole declaration.
    pub span: Span,
}

/// `at least one ROLE per SCOPE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AtLeastDecl {
    /// The role.
    pub role: Ident,
    /// The scope kind.
    pub scope: Ident,
    /// The whole declaration.
    pub span: Span,
}

/// `members of INNER are members of OUTER`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainmentDecl {
    /// The contained kind.
    pub inner: Ident,
    /// The containing kind.
    pub outer: Ident,
    /// The whole declaration.
    pub span: Span,
}

/// `bootstrap first N users of SCOPE as ROLE [in edition ...]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootstrapDecl {
    /// How many users.
    pub count: u32,
    /// Span of the count.
    pub count_span: Span,
    /// The scope kind.
    pub scope: Ident,
    /// The role given.
    pub role: Ident,
    /// Editions where the rule applies (empty: all).
    pub editions: Vec<Ident>,
    /// The whole declaration.
    pub span: Span,
}

/// `groups on SCOPE { ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupsDecl {
    /// The scope kind groups are bound at.
    pub scope: Ident,
    /// `upgrade roles`.
    pub upgrade: Option<Span>,
    /// `up to ROLE` after `upgrade roles`.
    pub upgrade_bound: Option<Ident>,
    /// `prune on downgrade`.
    pub prune: Option<Span>,
    /// The whole declaration.
    pub span: Span,
}

/// An `assert` declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssertDecl {
    /// What is asserted.
    pub kind: AssertKind,
    /// The whole declaration.
    pub span: Span,
}

/// The three assertion forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssertKind {
    /// `only ROLES can PERM`.
    Only {
        /// The roles allowed to hold the permission.
        roles: Vec<Ident>,
        /// The permission.
        permission: Ident,
    },
    /// `ROLE never PERM`.
    Never {
        /// The role.
        role: Ident,
        /// The permission it must never hold.
        permission: Ident,
    },
    /// `exclusive ROLES`.
    Exclusive {
        /// Mutually exclusive roles.
        roles: Vec<Ident>,
    },
}

/// `allow escalation FROM -> TO because "reason"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowEscalationDecl {
    /// The assigning role.
    pub from: Ident,
    /// The assigned role.
    pub to: Ident,
    /// Why it is intended.
    pub reason: Text,
    /// The whole declaration.
    pub span: Span,
}

/// `lint CODE LEVEL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintDecl {
    /// Code or name of the lint.
    pub code: Ident,
    /// The level.
    pub level: LintLevel,
    /// The whole declaration.
    pub span: Span,
}

/// A lint level.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LintLevel {
    /// Not reported.
    Allow,
    /// Reported as a warning.
    Warn,
    /// Reported as an error.
    Deny,
}
