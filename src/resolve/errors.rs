//! Resolution errors as plain data.

use crate::diagnostic::{Diagnostic, FileId};
use crate::span::Span;
use crate::suggest::Fix;

/// The namespace a name lives in.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// A scope kind.
    Scope,
    /// A role.
    Role,
    /// A permission.
    Permission,
    /// An edition.
    Edition,
    /// The `policy` declaration.
    Policy,
    /// A lint code.
    Lint,
}

impl NameKind {
    fn word(self) -> &'static str {
        match self {
            NameKind::Scope => "scope",
            NameKind::Role => "role",
            NameKind::Permission => "permission",
            NameKind::Edition => "edition",
            NameKind::Policy => "policy declaration",
            NameKind::Lint => "lint",
        }
    }
}

/// A structural problem in a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// A name that is not declared.
    Unknown {
        /// Namespace.
        kind: NameKind,
        /// The name.
        name: String,
        /// Where it is used.
        span: Span,
        /// The closest declared name.
        suggestion: Option<String>,
    },
    /// A name declared twice.
    Duplicate {
        /// Namespace.
        kind: NameKind,
        /// The name.
        name: String,
        /// First declaration.
        first: Span,
        /// Second declaration.
        second: Span,
    },
    /// Scope kinds that contain each other.
    ScopeCycle {
        /// The kinds in order.
        names: Vec<String>,
        /// Where each `in` is written, in the same order.
        spans: Vec<Span>,
    },
    /// Roles that include or imply each other.
    RoleCycle {
        /// The roles in order.
        names: Vec<String>,
        /// Where each edge is written, in the same order.
        spans: Vec<Span>,
    },
    /// A role including a role of another scope kind.
    IncludeAcrossScopes {
        /// The including role.
        role: String,
        /// Its scope.
        role_scope: String,
        /// The included role.
        included: String,
        /// The included role's scope.
        included_scope: String,
        /// The `include` target.
        span: Span,
        /// `imply … on every …` in its place, when that is valid.
        fix: Option<Fix>,
    },
    /// A grant of a permission outside the role's scope subtree.
    GrantOutsideScope {
        /// The role.
        role: String,
        /// Its scope.
        role_scope: String,
        /// The permission.
        perm: String,
        /// The permission's scope.
        perm_scope: String,
        /// The pattern.
        span: Span,
    },
    /// An implication that does not point strictly down the scope tree.
    ImplicationNotDown {
        /// The implying role or permission.
        from: String,
        /// Its scope.
        from_scope: String,
        /// The implied role.
        to: String,
        /// The implied role's scope.
        to_scope: String,
        /// The clause.
        span: Span,
        /// Whether `from` is a permission (`implies`) rather than a role.
        from_permission: bool,
        /// `include ROLE` in its place, for a role of the same scope kind.
        fix: Option<Fix>,
    },
    /// `imply ROLE on every SCOPE` where SCOPE is not ROLE's scope.
    ImplicationScopeMismatch {
        /// The implied role.
        role: String,
        /// Its scope.
        role_scope: String,
        /// The scope written.
        written: String,
        /// The scope written (its name).
        span: Span,
        /// `imply` (in a role) or `implies` (in a permission block).
        keyword: &'static str,
    },
    /// A role declared on a scope `without roles`.
    RoleOnScopeWithoutRoles {
        /// The role.
        role: String,
        /// The scope.
        scope: String,
        /// The role's scope name.
        span: Span,
        /// The `without roles` clause.
        without: Span,
    },
    /// A wildcard that matches no permission.
    PatternMatchesNothing {
        /// The pattern.
        pattern: String,
        /// Where.
        span: Span,
        /// The closest wildcard that matches something.
        suggestion: Option<String>,
    },
    /// A rule listing roles of different scope kinds, or a role twice.
    MixedRoles {
        /// What kind of rule (`rank`, `cardinality rule`, ...).
        rule: &'static str,
        /// The offending role.
        role: String,
        /// Its scope.
        role_scope: String,
        /// The rule's scope.
        rule_scope: String,
        /// Where the role is named.
        span: Span,
    },
    /// A role listed twice in one rule.
    RepeatedRole {
        /// The role.
        role: String,
        /// First mention.
        first: Span,
        /// Second mention.
        second: Span,
    },
    /// Two ranks for one scope kind.
    DuplicateRank {
        /// The scope kind.
        scope: String,
        /// First rank.
        first: Span,
        /// Second rank.
        second: Span,
    },
    /// A default role that is not in the rule's set.
    DefaultNotInSet {
        /// The default role.
        role: String,
        /// Where.
        span: Span,
    },
    /// A `groups` rule on a scope kind with no `rank`.
    GroupsWithoutRank {
        /// The scope kind.
        scope: String,
        /// The rule.
        span: Span,
    },
    /// A permission that assigns a role of a scope above its own.
    AssignsAbove {
        /// The permission.
        perm: String,
        /// Its scope.
        perm_scope: String,
        /// The role.
        role: String,
        /// The role's scope.
        role_scope: String,
        /// Where.
        span: Span,
    },
    /// A rule that cannot apply as written.
    BadRule {
        /// The message.
        message: String,
        /// Where.
        span: Span,
        /// The label text.
        label: String,
        /// What to do.
        help: String,
    },
    /// A permission that implies roles held only conditionally: a grouped
    /// permission, or one granted by a configurable grant.
    ConditionalImplication {
        /// The permission.
        perm: String,
        /// A role it implies.
        role: String,
        /// For a configurable grant: the granting role and the pattern.
        grant: Option<(String, String)>,
        /// The implication (group) or the pattern (configurable grant).
        span: Span,
    },
    /// An include/implication chain longer than the limit.
    ChainTooLong {
        /// The role starting the longest chain.
        first: String,
        /// The second role of the chain.
        second: String,
        /// The role ending it.
        last: String,
        /// Roles on the chain.
        length: usize,
        /// The limit.
        limit: usize,
        /// The first role's name.
        span: Span,
    },
    /// More roles or permissions than the limit.
    TooMany {
        /// `roles` or `permissions`.
        what: &'static str,
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

impl ResolveError {
    /// The code the `help:` line proposes, as edits, when it proposes code.
    pub fn fix(&self) -> Option<Fix> {
        match self {
            ResolveError::Unknown {
                span,
                suggestion: Some(s),
                ..
            }
            | ResolveError::PatternMatchesNothing {
                span,
                suggestion: Some(s),
                ..
            } => Some(Fix::replace(*span, s.clone())),
            ResolveError::IncludeAcrossScopes { fix, .. }
            | ResolveError::ImplicationNotDown { fix, .. } => fix.clone(),
            ResolveError::ImplicationScopeMismatch {
                span, role_scope, ..
            } => Some(Fix::replace(*span, role_scope.clone())),
            _ => None,
        }
    }

    /// The diagnostic for this error in `file`.
    pub fn to_diagnostic(&self, file: FileId) -> Diagnostic {
        match self {
            ResolveError::Unknown {
                kind,
                name,
                span,
                suggestion,
            } => {
                let label = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("no {} of this name", kind.word()),
                };
                Diagnostic::error("E0101", format!("unknown {} `{name}`", kind.word()))
                    .primary(file, *span, label)
                    .maybe_help(suggestion.as_ref().map(|s| format!("try `{s}`")))
            }
            ResolveError::Duplicate {
                kind,
                name,
                first,
                second,
            } if *kind == NameKind::Policy => Diagnostic::error("E0102", "the policy is declared twice")
                .primary(file, *second, format!("`{name}` declared here"))
                .secondary(file, *first, "first `policy` declaration")
                .help("a file holds one policy: remove one of the two `policy` declarations"),
            ResolveError::Duplicate {
                kind,
                name,
                first,
                second,
            } => Diagnostic::error("E0102", format!("{} `{name}` is declared twice", kind.word()))
                .primary(file, *second, "declared again here")
                .secondary(file, *first, "first declared here")
                .help(format!("rename or remove one of the two declarations of `{name}`")),
            ResolveError::ScopeCycle { names, spans } => {
                let mut d = Diagnostic::error(
                    "E0103",
                    format!("scope kinds contain each other: {}", cycle_text(names)),
                );
                for (i, (name, span)) in names.iter().zip(spans).enumerate() {
                    let next = names.get(i + 1).or(names.first()).map_or("", |s| s.as_str());
                    let msg = format!("`{name}` is in `{next}`");
                    d = if i == 0 {
                        d.primary(file, *span, msg)
                    } else {
                        d.secondary(file, *span, msg)
                    };
                }
                d.help("scope kinds must form a tree: remove one `in` of the cycle")
            }
            ResolveError::RoleCycle { names, spans } => {
                let mut d = Diagnostic::error(
                    "E0104",
                    format!("roles include or imply each other: {}", cycle_text(names)),
                );
                for (i, (name, span)) in names.iter().zip(spans).enumerate() {
                    let next = names.get(i + 1).or(names.first()).map_or("", |s| s.as_str());
                    let msg = format!("`{name}` reaches `{next}` here");
                    d = if i == 0 {
                        d.primary(file, *span, msg)
                    } else {
                        d.secondary(file, *span, msg)
                    };
                }
                d.help("role inheritance must be acyclic: remove one edge of the cycle")
            }
            ResolveError::IncludeAcrossScopes {
                role,
                role_scope,
                included,
                included_scope,
                span,
                fix,
            } => Diagnostic::error(
                "E0105",
                format!("role `{role}` on `{role_scope}` includes `{included}`, a role on `{included_scope}`"),
            )
            .primary(file, *span, format!("a role on `{included_scope}`"))
            .note("`include` inherits roles of the same scope kind only")
            .help(if fix.is_some() {
                format!(
                    "to hold `{included}` on contained instances, write `imply {included} on every {included_scope}` instead"
                )
            } else {
                format!(
                    "include roles of `{role_scope}` only; `{included_scope}` is not inside `{role_scope}`, so `{role}` cannot imply `{included}` either"
                )
            }),
            ResolveError::GrantOutsideScope {
                role,
                role_scope,
                perm,
                perm_scope,
                span,
            } => Diagnostic::error(
                "E0106",
                if perm.ends_with('*') {
                    format!("role `{role}` on `{role_scope}` grants `{perm}`, which matches only permissions on `{perm_scope}`, outside its scope")
                } else {
                    format!("role `{role}` on `{role_scope}` grants `{perm}`, a permission on `{perm_scope}` outside its scope")
                },
            )
            .primary(file, *span, format!("declared on `{perm_scope}`, which is not inside `{role_scope}`"))
            .help(format!("grant it from a role on `{perm_scope}` or a scope kind containing it")),
            ResolveError::ImplicationNotDown {
                from,
                from_scope,
                to,
                to_scope,
                span,
                from_permission,
                fix: _,
            } => Diagnostic::error(
                "E0107",
                if from_scope == to_scope {
                    format!("`{from}` on `{from_scope}` implies `{to}`, a role on the same scope kind")
                } else {
                    format!("`{from}` on `{from_scope}` implies `{to}` on `{to_scope}`, which is not inside `{from_scope}`")
                },
            )
            .primary(file, *span, "implications must point down the scope tree")
            .help(if *from_permission {
                format!(
                    "a permission on `{from_scope}` implies roles of scope kinds strictly inside `{from_scope}` only: to give `{to}` with it, declare the permission on a scope kind that encloses `{to_scope}`"
                )
            } else if from_scope == to_scope {
                format!("for a role of the same scope kind, write `include {to}` instead")
            } else {
                format!("imply roles of scope kinds inside `{from_scope}` only")
            }),
            ResolveError::ImplicationScopeMismatch {
                role,
                role_scope,
                written,
                span,
                keyword,
            } => Diagnostic::error(
                "E0108",
                format!("`{role}` is a role on `{role_scope}`, not on `{written}`"),
            )
            .primary(file, *span, format!("`{role}` is held on `{role_scope}` instances"))
            .help(format!("write `{keyword} {role} on every {role_scope}`")),
            ResolveError::RoleOnScopeWithoutRoles {
                role,
                scope,
                span,
                without,
            } => Diagnostic::error(
                "E0109",
                format!("role `{role}` is declared on `{scope}`, which has no roles"),
            )
            .primary(file, *span, "roles are not available here")
            .secondary(file, *without, format!("`{scope}` is declared without roles"))
            .help("declare the role on an enclosing scope kind and grant the permissions from there"),
            ResolveError::PatternMatchesNothing {
                pattern,
                span,
                suggestion,
            } => {
                let d = Diagnostic::error("E0110", format!("`{pattern}` matches no permission"));
                match suggestion {
                    Some(s) => d
                        .primary(file, *span, format!("did you mean `{s}`?"))
                        .help(format!("try `{s}`")),
                    None => d
                        .primary(file, *span, "no permission id starts with this prefix")
                        .help("check the prefix against the `permissions` declarations"),
                }
            }
            ResolveError::MixedRoles {
                rule,
                role,
                role_scope,
                rule_scope,
                span,
            } => Diagnostic::error(
                "E0111",
                format!("{rule} on `{rule_scope}` names `{role}`, a role on `{role_scope}`"),
            )
            .primary(file, *span, format!("a role on `{role_scope}`"))
            .help(format!("a {rule} lists roles of one scope kind only")),
            ResolveError::RepeatedRole { role, first, second } => {
                Diagnostic::error("E0112", format!("role `{role}` is listed twice"))
                    .primary(file, *second, "listed again here")
                    .secondary(file, *first, "first listed here")
                    .help("remove the repeated name")
            }
            ResolveError::DuplicateRank { scope, first, second } => {
                Diagnostic::error("E0113", format!("scope kind `{scope}` is ranked twice"))
                    .primary(file, *second, "second rank")
                    .secondary(file, *first, "first rank")
                    .help("merge the two into one `rank` chain")
            }
            ResolveError::DefaultNotInSet { role, span } => Diagnostic::error(
                "E0114",
                format!("default role `{role}` is not one of the rule's roles"),
            )
            .primary(file, *span, "not in the list")
            .help(format!("add `{role}` to the list or pick a listed default")),
            ResolveError::GroupsWithoutRank { scope, span } => Diagnostic::error(
                "E0115",
                format!("custom groups on `{scope}` need a `rank` of its roles"),
            )
            .primary(file, *span, "group levels and upgrades follow the rank")
            .help(format!("add `rank ROLE < ROLE …` for the roles on `{scope}`")),
            ResolveError::AssignsAbove {
                perm,
                perm_scope,
                role,
                role_scope,
                span,
            } => Diagnostic::error(
                "E0116",
                format!("`{perm}` on `{perm_scope}` assigns `{role}`, a role on `{role_scope}` outside it"),
            )
            .primary(file, *span, format!("a role on `{role_scope}`"))
            .help(format!("assign roles of `{perm_scope}` or scope kinds inside it")),
            ResolveError::BadRule {
                message,
                span,
                label,
                help,
            } => Diagnostic::error("E0118", message.clone())
                .primary(file, *span, label.clone())
                .help(help.clone()),
            ResolveError::ConditionalImplication {
                perm,
                role,
                grant: None,
                span,
            } => Diagnostic::error(
                "E0119",
                format!("grouped permission `{perm}` implies `{role}`"),
            )
            .primary(file, *span, "a group is held only when each member is")
            .note("an implication must follow from holding one permission outright")
            .help(format!(
                "move `implies {role} on every …` to a finer permission of `{perm}`"
            )),
            ResolveError::ConditionalImplication {
                perm,
                role,
                grant: Some((granting, pattern)),
                span,
            } => Diagnostic::error(
                "E0119",
                format!(
                    "role `{granting}` grants `{perm}`, which implies `{role}`, through a configurable grant"
                ),
            )
            .primary(
                file,
                *span,
                if pattern == perm {
                    "configurable: held only where switched on".to_string()
                } else {
                    format!("`{pattern}` covers `{perm}`; configurable: held only where switched on")
                },
            )
            .note("an implied role cannot depend on a per-instance setting")
            .help(format!(
                "grant `{perm}` without `configurable`, or leave it out of this configurable grant"
            )),
            ResolveError::ChainTooLong {
                first,
                second,
                last,
                length,
                limit,
                span,
            } => Diagnostic::error(
                "E0120",
                format!(
                    "include/implication chain of {length} roles, longer than the limit of {limit}"
                ),
            )
            .primary(
                file,
                *span,
                format!("`{first}` -> `{second}` -> … -> `{last}`"),
            )
            .help("flatten the chain: include or imply the roles further down directly"),
            ResolveError::TooMany { what, count, limit } => Diagnostic::error(
                "E0117",
                format!("the policy declares {count} {what}, more than the limit of {limit}"),
            )
            .primary(file, Span::default(), "policy starts here"),
        }
    }
}

fn cycle_text(names: &[String]) -> String {
    let mut parts: Vec<&str> = names.iter().map(String::as_str).collect();
    if let Some(first) = names.first() {
        parts.push(first);
    }
    parts.join(" -> ")
}
