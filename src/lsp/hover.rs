//! Hovers: what a name is, and for a role what it really holds — its
//! column of `rbacc matrix` with the chain behind every cell.

use super::document::Document;
use super::index::NameKind;
use crate::analyse::chain::{describe, describe_steps, Explainer};
use crate::compile::perms_of_scope;
use crate::policy::Policy;
use crate::report::matrix::{cell, Cell};
use crate::resolve::{PermId, RoleId, ScopeId};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use std::fmt::Write;

/// The hover of the name under the cursor.
pub fn hover(doc: &Document, offset: usize) -> Option<Hover> {
    let at = doc.index.at(offset)?;
    let text = match &doc.policy {
        Some(policy) => match at.kind {
            NameKind::Role => policy.model.role_id(&at.name).map(|r| role(policy, r)),
            NameKind::Permission => policy
                .model
                .perm_id(&at.name)
                .map(|p| permission(policy, p)),
            NameKind::Scope => policy.model.scope_id(&at.name).map(|s| scope(policy, s)),
            NameKind::Edition => edition(policy, &at.name),
        },
        None => None,
    };
    let text = text.or_else(|| unresolved(doc, at.kind, &at.name))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(doc.range(at.span)),
    })
}

/// Before the file resolves: the declaring line, and why there is no more.
fn unresolved(doc: &Document, kind: NameKind, name: &str) -> Option<String> {
    let decl = doc.index.declaration(kind, name)?;
    let start = decl.span.start as usize;
    let line_start = doc
        .text
        .get(..start)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = doc
        .text
        .get(start..)
        .and_then(|s| s.find('\n'))
        .map_or(doc.text.len(), |i| start + i);
    let line = doc.text.get(line_start..line_end).unwrap_or("").trim();
    Some(format!(
        "```rbac\n{line}\n```\n\n_Effective permissions are shown once the file resolves without errors._"
    ))
}

fn cell_text(c: Cell) -> &'static str {
    match c {
        Cell::Yes => "yes",
        Cell::No => "no",
        Cell::ConfigurableOn => "configurable (default on)",
        Cell::ConfigurableOff => "configurable (default off)",
    }
}

fn chain(policy: &Policy, explainer: &Explainer<'_>, role: RoleId, perm: PermId) -> String {
    explainer
        .explain(role, perm)
        .map(|c| describe(&policy.model, &c, policy.sources.get(policy.file)))
        .unwrap_or_default()
}

fn role(policy: &Policy, id: RoleId) -> String {
    let model = &policy.model;
    let Some(r) = model.role(id) else {
        return String::new();
    };
    let explainer = Explainer::new(model, &policy.compiled);
    let mut out = format!(
        "```rbac\nrole {} on {} \"{}\"\n```\n",
        r.name,
        model.scope_name(r.scope),
        r.display
    );
    if let Some(d) = &r.description {
        let _ = write!(out, "\n{d}\n");
    }
    let _ = write!(
        out,
        "\n**Effective permissions**, with the chain behind each: the `{}` column of `rbacc matrix`, then what it holds on contained kinds.\n",
        r.name
    );
    let mut any = false;
    for sid in model.scope_subtree(r.scope) {
        let mut lines = String::new();
        for p in perms_of_scope(model, sid) {
            if model.perm(p).is_some_and(|x| x.parent.is_some()) {
                continue;
            }
            let c = cell(policy, id, p);
            let held: Vec<(PermId, Cell)> = if c == Cell::No {
                // A group not wholly held: its members that are.
                model
                    .perm_with_members(p)
                    .into_iter()
                    .skip(1)
                    .map(|m| (m, cell(policy, id, m)))
                    .filter(|(_, c)| *c != Cell::No)
                    .collect()
            } else {
                vec![(p, c)]
            };
            for (p, c) in held {
                let _ = writeln!(
                    lines,
                    "- `{}` {}: {}",
                    model.perm_name(p),
                    cell_text(c),
                    chain(policy, &explainer, id, p)
                );
            }
        }
        if !lines.is_empty() {
            any = true;
            let display = model.scope(sid).map_or("", |s| s.display.as_str());
            let _ = write!(
                out,
                "\n_{display}_ (`{}`)\n\n{lines}",
                model.scope_name(sid)
            );
        }
    }
    if !any {
        out.push_str("\nnone\n");
    }
    let implied = explainer.implied_set(id);
    if !implied.is_empty() {
        out.push_str("\n**Also holds**, on every contained instance:\n\n");
        for i in implied.iter() {
            let to = RoleId::from_index(i);
            let path = explainer
                .implied_path(id, to)
                .map(|steps| describe_steps(model, &steps, policy.sources.get(policy.file)))
                .unwrap_or_default();
            let _ = writeln!(out, "- `{}`: {path}", model.role_name(to));
        }
    }
    out
}

fn permission(policy: &Policy, id: PermId) -> String {
    let model = &policy.model;
    let Some(p) = model.perm(id) else {
        return String::new();
    };
    let mut out = format!(
        "```rbac\npermissions on {} {{ {} \"{}\" }}\n```\n",
        model.scope_name(p.scope),
        p.name,
        p.description
    );
    if let Some(parent) = p.parent {
        let _ = write!(out, "\nGrouped under `{}`.\n", model.perm_name(parent));
    }
    if !p.children.is_empty() {
        let names: Vec<String> = p
            .children
            .iter()
            .map(|c| format!("`{}`", model.perm_name(*c)))
            .collect();
        let _ = write!(out, "\nGroups {}.\n", names.join(", "));
    }
    let explainer = Explainer::new(model, &policy.compiled);
    let mut lines = String::new();
    for i in 0..model.roles.len() {
        let r = RoleId::from_index(i);
        let c = cell(policy, r, id);
        if c != Cell::No {
            let _ = writeln!(
                lines,
                "- `{}` {}: {}",
                model.role_name(r),
                cell_text(c),
                chain(policy, &explainer, r, id)
            );
        }
    }
    if lines.is_empty() {
        lines.push_str("no role\n");
    }
    let _ = write!(out, "\n**Held by**:\n\n{lines}");
    out
}

fn scope(policy: &Policy, id: ScopeId) -> String {
    let model = &policy.model;
    let Some(s) = model.scope(id) else {
        return String::new();
    };
    let mut out = format!("```rbac\nscope {} \"{}\"", s.name, s.display);
    if let Some(parent) = s.parent {
        let _ = write!(out, " in {}", model.scope_name(parent));
    }
    if s.without_roles {
        out.push_str(" without roles");
    }
    out.push_str("\n```\n");
    let roles: Vec<String> = model
        .roles
        .iter()
        .filter(|r| r.scope == id)
        .map(|r| format!("`{}`", r.name))
        .collect();
    if !roles.is_empty() {
        let _ = write!(out, "\nRoles: {}\n", roles.join(", "));
    }
    let perms = perms_of_scope(model, id).len();
    let _ = write!(out, "\nPermissions: {perms}\n");
    out
}

fn edition(policy: &Policy, name: &str) -> Option<String> {
    let model = &policy.model;
    let e = model.editions.get(model.edition_id(name)?.index())?;
    let mut out = format!("```rbac\nedition {} \"{}\"", e.name, e.display);
    if !e.rbac {
        out.push_str(" without rbac");
        if !e.fallbacks.is_empty() {
            let names: Vec<&str> = e.fallbacks.iter().map(|f| model.role_name(*f)).collect();
            let _ = write!(out, " fallback {}", names.join(", "));
        }
    }
    out.push_str("\n```\n");
    Some(out)
}
