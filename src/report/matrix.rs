//! Permission tables: one per scope kind, rows = permissions, columns = roles.
//!
//! A table's columns are the roles of its scope kind, then the roles of
//! enclosing kinds that reach it (that hold or may hold a permission of the
//! table: `grant *`, `workspace.*` on an organization role, `imply ROLE on
//! every SCOPE`), nearest kind first, each marked with the kind it comes
//! from: "Organization Owner (via organization)". A cell of such a column
//! is what a holder of the role on the enclosing instance holds on every
//! instance of the table's kind inside it, configurable cells with their
//! default.

use crate::compile::{perms_of_scope, roles_of_scope};
use crate::policy::Policy;
use crate::resolve::{PermId, RoleId};
use serde::Serialize;

/// One cell of a permission table.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Cell {
    /// Granted.
    #[serde(rename = "yes")]
    Yes,
    /// Not granted.
    #[serde(rename = "no")]
    No,
    /// Configurable per instance, on unless switched off.
    #[serde(rename = "configurable-on")]
    ConfigurableOn,
    /// Configurable per instance, off unless switched on.
    #[serde(rename = "configurable-off")]
    ConfigurableOff,
}

/// A column of a table.
#[derive(Clone, Debug, Serialize)]
pub struct Column {
    /// Role id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// For a role of an enclosing kind, that kind's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

impl Column {
    /// The column's heading: the display name, marked with the enclosing
    /// kind it comes from, if any.
    pub fn heading(&self) -> String {
        match &self.via {
            Some(kind) => format!("{} (via {kind})", self.name),
            None => self.name.clone(),
        }
    }
}

/// A finer permission listed under a row.
#[derive(Clone, Debug, Serialize)]
pub struct Member {
    /// Permission id.
    pub permission: String,
    /// Its description.
    pub label: String,
}

/// A row of a table.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// Permission id.
    pub permission: String,
    /// Its description.
    pub label: String,
    /// One cell per column.
    pub cells: Vec<Cell>,
    /// Finer permissions grouped under this one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<Member>,
}

/// The table of one scope kind.
#[derive(Clone, Debug, Serialize)]
pub struct Table {
    /// Scope kind id.
    pub scope: String,
    /// Display name of the scope kind.
    #[serde(skip)]
    pub scope_name: String,
    /// Roles of the scope, in rank order as written, then the roles of
    /// enclosing kinds that reach it (nearest kind first, `via` set).
    pub roles: Vec<Column>,
    /// Top-level permissions of the scope, in declaration order.
    pub rows: Vec<Row>,
}

/// The matrix of a policy.
#[derive(Clone, Debug, Serialize)]
pub struct Matrix {
    /// Layout version.
    pub version: u32,
    /// Policy name.
    pub policy: String,
    /// One table per scope kind that has permissions and roles.
    pub tables: Vec<Table>,
}

/// The cell of `role` × `perm`.
pub fn cell(policy: &Policy, role: RoleId, perm: PermId) -> Cell {
    let Some(r) = policy.compiled.role(role) else {
        return Cell::No;
    };
    if r.always.contains(perm.index()) {
        return Cell::Yes;
    }
    if r.configurable.contains(perm.index()) || group_configurable(policy, role, perm) {
        let on = r
            .config_grants
            .iter()
            .filter(|g| policy.model.perm_with_members(perm).contains(&g.perm))
            .any(|g| g.default_on);
        return if on {
            Cell::ConfigurableOn
        } else {
            Cell::ConfigurableOff
        };
    }
    Cell::No
}

/// A group whose members are each held, some only configurably.
fn group_configurable(policy: &Policy, role: RoleId, perm: PermId) -> bool {
    let Some(r) = policy.compiled.role(role) else {
        return false;
    };
    let members = policy.model.perm_with_members(perm);
    members.len() > 1
        && members
            .iter()
            .skip(1)
            .all(|m| r.always.contains(m.index()) || r.configurable.contains(m.index()))
}

/// The number of cells [`matrix`] would build (roles × top-level
/// permissions, summed over scope kinds), counted without building them.
pub fn cell_count(policy: &Policy) -> usize {
    let model = &policy.model;
    (0..model.scopes.len())
        .map(crate::resolve::ScopeId::from_index)
        .map(|sid| {
            let roles = roles_of_scope(model, sid).len();
            let perms = perms_of_scope(model, sid)
                .into_iter()
                .filter(|p| model.perm(*p).is_some_and(|x| x.parent.is_none()))
                .count();
            roles.saturating_mul(perms)
        })
        .fold(0usize, usize::saturating_add)
}

/// Builds the matrix of a compiled policy.
pub fn matrix(policy: &Policy) -> Matrix {
    let model = &policy.model;
    let mut tables = Vec::new();
    for (i, scope) in model.scopes.iter().enumerate() {
        let sid = crate::resolve::ScopeId::from_index(i);
        let perms: Vec<PermId> = perms_of_scope(model, sid)
            .into_iter()
            .filter(|p| model.perm(*p).is_some_and(|x| x.parent.is_none()))
            .collect();
        // The kind's own roles, then those of enclosing kinds (nearest
        // first) that hold or may hold one of its permissions.
        let mut columns: Vec<(RoleId, Option<&str>)> = roles_of_scope(model, sid)
            .into_iter()
            .map(|r| (r, None))
            .collect();
        let mut outer = scope.parent;
        while let Some(k) = outer {
            for r in roles_of_scope(model, k) {
                if perms.iter().any(|&p| cell(policy, r, p) != Cell::No) {
                    columns.push((r, Some(model.scope_name(k))));
                }
            }
            outer = model.scope(k).and_then(|s| s.parent);
            if columns.len() > model.roles.len() {
                break; // (a malformed model's cycle)
            }
        }
        if perms.is_empty() || columns.is_empty() {
            continue;
        }
        let rows = perms
            .iter()
            .map(|&p| {
                let perm = model.perm(p);
                Row {
                    permission: model.perm_name(p).to_string(),
                    label: perm.map(|x| x.description.clone()).unwrap_or_default(),
                    cells: columns.iter().map(|&(r, _)| cell(policy, r, p)).collect(),
                    members: perm
                        .map(|x| x.children.as_slice())
                        .unwrap_or(&[])
                        .iter()
                        .map(|&c| Member {
                            permission: model.perm_name(c).to_string(),
                            label: model
                                .perm(c)
                                .map(|x| x.description.clone())
                                .unwrap_or_default(),
                        })
                        .collect(),
                }
            })
            .collect();
        tables.push(Table {
            scope: scope.name.clone(),
            scope_name: scope.display.clone(),
            roles: columns
                .iter()
                .map(|&(r, via)| Column {
                    id: model.role_name(r).to_string(),
                    name: model.role(r).map(|x| x.display.clone()).unwrap_or_default(),
                    via: via.map(str::to_string),
                })
                .collect(),
            rows,
        });
    }
    Matrix {
        version: 2,
        policy: policy.name.clone(),
        tables,
    }
}

fn cell_text(c: Cell) -> &'static str {
    match c {
        Cell::Yes => "yes",
        Cell::No => "no",
        Cell::ConfigurableOn => "configurable (on)",
        Cell::ConfigurableOff => "configurable (off)",
    }
}

/// Plain text with aligned columns.
pub fn to_text(m: &Matrix) -> String {
    let mut out = Vec::new();
    let _ = write_text(&mut out, m);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes [`to_text`]'s tables row by row: column widths are computed from
/// the matrix first, then each line is formatted and written, so memory
/// holds one line of text, not the tables.
pub fn write_text(out: &mut dyn std::io::Write, m: &Matrix) -> std::io::Result<()> {
    for (i, t) in m.tables.iter().enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        writeln!(out, "{} ({})", t.scope_name, t.scope)?;
        let first = t
            .rows
            .iter()
            .flat_map(|r| {
                std::iter::once(r.label.chars().count())
                    .chain(r.members.iter().map(|m| 4 + m.label.chars().count()))
            })
            .fold("Permission".len(), usize::max);
        let widths: Vec<usize> = std::iter::once(first)
            .chain(t.roles.iter().enumerate().map(|(c, col)| {
                t.rows
                    .iter()
                    .filter_map(|r| r.cells.get(c))
                    .map(|cell| cell_text(*cell).len())
                    .fold(col.heading().chars().count(), usize::max)
            }))
            .collect();
        let mut line = String::new();
        let headings: Vec<String> = t.roles.iter().map(Column::heading).collect();
        let header = std::iter::once("Permission").chain(headings.iter().map(String::as_str));
        write_line(out, &mut line, &widths, header)?;
        for r in &t.rows {
            let cells =
                std::iter::once(r.label.as_str()).chain(r.cells.iter().map(|c| cell_text(*c)));
            write_line(out, &mut line, &widths, cells)?;
            for m in &r.members {
                let label = format!("  - {}", m.label);
                let cells = std::iter::once(label.as_str()).chain(t.roles.iter().map(|_| ""));
                write_line(out, &mut line, &widths, cells)?;
            }
        }
    }
    Ok(())
}

/// One aligned line: each cell padded to its column's width (in
/// characters), two spaces between, trailing blanks trimmed.
fn write_line<'a>(
    out: &mut dyn std::io::Write,
    line: &mut String,
    widths: &[usize],
    cells: impl Iterator<Item = &'a str>,
) -> std::io::Result<()> {
    line.clear();
    for (n, (s, w)) in cells.zip(widths).enumerate() {
        if n > 0 {
            line.push_str("  ");
        }
        line.push_str(s);
        let pad = w.saturating_sub(s.chars().count());
        line.extend(std::iter::repeat_n(' ', pad));
    }
    out.write_all(line.trim_end().as_bytes())?;
    out.write_all(b"\n")
}

/// Markdown tables, like the product documents' own.
pub fn to_markdown(m: &Matrix) -> String {
    let mut out = Vec::new();
    let _ = write_markdown(&mut out, m);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes [`to_markdown`]'s tables row by row.
pub fn write_markdown(out: &mut dyn std::io::Write, m: &Matrix) -> std::io::Result<()> {
    let esc = |s: &str| s.replace('|', "\\|");
    for (i, t) in m.tables.iter().enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        write!(out, "### {} roles\n\n", esc(&t.scope_name))?;
        out.write_all(b"| Permission |")?;
        for r in &t.roles {
            match &r.via {
                Some(kind) => write!(out, " **{}** (via {}) |", esc(&r.name), esc(kind))?,
                None => write!(out, " **{}** |", esc(&r.name))?,
            }
        }
        out.write_all(b"\n| --- |")?;
        for _ in &t.roles {
            out.write_all(b" --- |")?;
        }
        out.write_all(b"\n")?;
        for r in &t.rows {
            let mut label = esc(&r.label);
            if !r.members.is_empty() {
                let items: Vec<String> = r
                    .members
                    .iter()
                    .map(|m| format!("<li>{}</li>", esc(&m.label)))
                    .collect();
                label.push_str(&format!("<ul>{}</ul>", items.join("")));
            }
            write!(out, "| {label} |")?;
            for c in &r.cells {
                let text = match c {
                    Cell::Yes => "✔️",
                    Cell::No => "",
                    Cell::ConfigurableOn => "Configurable (default on)",
                    Cell::ConfigurableOff => "Configurable (default off)",
                };
                write!(out, " {text} |")?;
            }
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}
