//! Every name in a policy file, with its span: where each scope, role,
//! permission and edition is declared and where it is used.
//!
//! Built from the AST alone, so it answers for files that do not resolve;
//! the four kinds of names live in separate namespaces, as in resolution.

use crate::span::Span;
use crate::syntax::ast::{self, Decl, Ident, Pattern};

/// The kinds of names a file declares.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// A scope kind.
    Scope,
    /// A role.
    Role,
    /// A permission.
    Permission,
    /// An edition.
    Edition,
}

impl NameKind {
    /// The word used in messages.
    pub fn word(self) -> &'static str {
        match self {
            NameKind::Scope => "scope",
            NameKind::Role => "role",
            NameKind::Permission => "permission",
            NameKind::Edition => "edition",
        }
    }
}

/// One place a name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// What the name names.
    pub kind: NameKind,
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
    /// Whether this is the declaration.
    pub declaration: bool,
}

/// The names of one file.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Every occurrence, in source order.
    occurrences: Vec<Occurrence>,
}

impl Index {
    /// Indexes a parsed file.
    pub fn new(file: &ast::PolicyFile) -> Index {
        let mut ix = Index::default();
        for decl in &file.decls {
            ix.decl(decl);
        }
        ix.occurrences.sort_by_key(|o| o.span.start);
        ix
    }

    /// Every occurrence, in source order.
    pub fn occurrences(&self) -> &[Occurrence] {
        &self.occurrences
    }

    /// The occurrence under a byte offset (a cursor just past a name counts).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        let i = self.occurrences.partition_point(|o| o.span.start <= offset);
        let candidate = self.occurrences.get(i.checked_sub(1)?)?;
        (offset <= candidate.span.end).then_some(candidate)
    }

    /// The first declaration of a name.
    pub fn declaration(&self, kind: NameKind, name: &str) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.declaration && o.kind == kind && o.name == name)
    }

    /// Every occurrence of a name, declarations included.
    pub fn uses(&self, kind: NameKind, name: &str) -> impl Iterator<Item = &Occurrence> + '_ {
        let name = name.to_string();
        self.occurrences
            .iter()
            .filter(move |o| o.kind == kind && o.name == name)
    }

    /// Every declared name of a kind, in source order, each once.
    pub fn declared(&self, kind: NameKind) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for o in &self.occurrences {
            if o.declaration && o.kind == kind && !out.contains(&o.name.as_str()) {
                out.push(&o.name);
            }
        }
        out
    }

    fn push(&mut self, kind: NameKind, id: &Ident, declaration: bool) {
        self.occurrences.push(Occurrence {
            kind,
            name: id.name.clone(),
            span: id.span,
            declaration,
        });
    }

    fn uses_of(&mut self, kind: NameKind, ids: &[Ident]) {
        for id in ids {
            self.push(kind, id, false);
        }
    }

    fn patterns(&mut self, patterns: &[Pattern]) {
        for p in patterns {
            if let Pattern::Exact(id) = p {
                self.push(NameKind::Permission, id, false);
            }
        }
    }

    fn implication(&mut self, imp: &ast::Implication) {
        self.push(NameKind::Role, &imp.role, false);
        self.push(NameKind::Scope, &imp.scope, false);
    }

    fn perm_entry(&mut self, entry: &ast::PermEntry) {
        self.push(NameKind::Permission, &entry.id, true);
        self.uses_of(NameKind::Role, &entry.assigns);
        for imp in &entry.implies {
            self.implication(imp);
        }
        for child in &entry.children {
            self.perm_entry(child);
        }
    }

    fn decl(&mut self, decl: &Decl) {
        use NameKind::{Edition, Permission, Role, Scope};
        match decl {
            Decl::Policy(_) | Decl::Lint(_) => {}
            Decl::Edition(e) => {
                self.push(Edition, &e.id, true);
                if let Some(w) = &e.without_rbac {
                    self.uses_of(Role, &w.fallbacks);
                }
            }
            Decl::Scope(s) => {
                self.push(Scope, &s.id, true);
                if let Some(parent) = &s.parent {
                    self.push(Scope, parent, false);
                }
            }
            Decl::Permissions(p) => {
                self.push(Scope, &p.scope, false);
                for entry in &p.entries {
                    self.perm_entry(entry);
                }
            }
            Decl::Role(r) => {
                self.push(Role, &r.id, true);
                self.push(Scope, &r.scope, false);
                self.uses_of(Role, &r.includes);
                for grant in &r.grants {
                    self.patterns(&grant.patterns);
                }
                self.patterns(&r.grantable);
                for imp in &r.implies {
                    self.implication(imp);
                }
            }
            Decl::Rank(r) => self.uses_of(Role, &r.ascending),
            Decl::Cardinality(c) => {
                self.uses_of(Role, &c.roles);
                self.push(Scope, &c.scope, false);
                if let Some(default) = &c.default {
                    self.push(Role, default, false);
                }
            }
            Decl::Bootstrap(b) => {
                self.push(Scope, &b.scope, false);
                self.push(Role, &b.role, false);
                self.uses_of(Edition, &b.editions);
            }
            Decl::AtLeast(a) => {
                self.push(Role, &a.role, false);
                self.push(Scope, &a.scope, false);
            }
            Decl::Containment(c) => {
                self.push(Scope, &c.inner, false);
                self.push(Scope, &c.outer, false);
            }
            Decl::Groups(g) => {
                self.push(Scope, &g.scope, false);
                if let Some(b) = &g.upgrade_bound {
                    self.push(Role, b, false);
                }
            }
            Decl::Assert(a) => match &a.kind {
                ast::AssertKind::Only { roles, permission } => {
                    self.uses_of(Role, roles);
                    self.push(Permission, permission, false);
                }
                ast::AssertKind::Never { role, permission } => {
                    self.push(Role, role, false);
                    self.push(Permission, permission, false);
                }
                ast::AssertKind::Exclusive { roles } => self.uses_of(Role, roles),
            },
            Decl::AllowEscalation(a) => {
                self.push(Role, &a.from, false);
                self.push(Role, &a.to, false);
            }
        }
    }
}
