//! Text renderings of a [`PolicyDiff`]: plain text for a terminal, and
//! Markdown for a pull-request comment.
//!
//! Both group each role's changes by the scope kind of the permission, and
//! show a grouped permission gained or lost whole once, its members folded
//! into it (the JSON form lists every member).

use super::{AssignChange, PermChange, PolicyDiff, RoleChanges};
use std::fmt::Write;

/// Changes of one list to show: a member is folded into its group when the
/// group changed the same way.
fn shown(list: &[PermChange]) -> Vec<(&PermChange, usize)> {
    list.iter()
        .filter(|c| {
            !c.group.as_ref().is_some_and(|g| {
                list.iter()
                    .any(|o| &o.perm == g && o.was == c.was && o.now == c.now)
            })
        })
        .map(|c| {
            let folded = list
                .iter()
                .filter(|o| {
                    o.group.as_deref() == Some(c.perm.as_str()) && o.was == c.was && o.now == c.now
                })
                .count();
            (c, folded)
        })
        .collect()
}

/// The scope kinds of a role's permission changes, in first-seen order.
fn scopes(role: &RoleChanges) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for c in role.gained.iter().chain(role.lost.iter()) {
        if !out.contains(&c.scope.as_str()) {
            out.push(&c.scope);
        }
    }
    out
}

/// One line of a role's changes, in the order both renderings show them:
/// per scope kind, gains then losses; then assignment changes.
enum Line<'a> {
    /// A scope kind's changes start.
    Scope(&'a str),
    /// A permission gained (`true`) or lost, with its folded member count.
    Perm(&'a PermChange, usize, bool),
    /// An assignment gained (`true`) or lost.
    Assign(&'a AssignChange, bool),
}

fn lines(role: &RoleChanges) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    for scope in scopes(role) {
        out.push(Line::Scope(scope));
        for (list, gained) in [(&role.gained, true), (&role.lost, false)] {
            out.extend(
                shown(list)
                    .into_iter()
                    .filter(|(c, _)| c.scope == scope)
                    .map(|(c, folded)| Line::Perm(c, folded, gained)),
            );
        }
    }
    for (list, gained) in [(&role.assigns_gained, true), (&role.assigns_lost, false)] {
        out.extend(list.iter().map(|a| Line::Assign(a, gained)));
    }
    out
}

/// The permissions an assignment goes through, as `` `a`, `b` ``.
fn via(a: &AssignChange) -> String {
    a.via
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn summary(diff: &PolicyDiff) -> String {
    let lost: usize = diff
        .roles
        .iter()
        .map(|r| r.lost.len() + r.assigns_lost.len())
        .sum();
    let members = diff
        .members
        .as_ref()
        .map(|m| {
            format!(
                "; on the data: {} gained, {} lost ({} decisions compared)",
                m.gained.len(),
                m.lost.len(),
                m.checked
            )
        })
        .unwrap_or_default();
    if diff.is_empty() {
        return "no change in effective access".to_string();
    }
    let widens = if diff.escalations == 0 {
        "no escalation".to_string()
    } else {
        format!(
            "{} escalation{} (access widens)",
            diff.escalations,
            if diff.escalations == 1 { "" } else { "s" }
        )
    };
    format!(
        "{widens}, {lost} narrowing{}{members}",
        if lost == 1 { "" } else { "s" }
    )
}

fn fold_note(folded: usize) -> String {
    match folded {
        0 => String::new(),
        1 => " (and its member)".to_string(),
        n => format!(" (and its {n} members)"),
    }
}

fn human_perm(out: &mut String, sign: &str, c: &PermChange, folded: usize) {
    let flag = if c.escalation { "  [escalation]" } else { "" };
    let new = if c.new_permission {
        if sign == "+" {
            " (new permission)"
        } else {
            " (permission removed)"
        }
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "    {sign} {}{}{new}: {} → {}{flag}",
        c.perm,
        fold_note(folded),
        c.was.label(),
        c.now.label()
    );
    if let Some(b) = &c.because {
        let word = if sign == "+" { "because" } else { "was" };
        let _ = writeln!(out, "        {word}: {b}");
    }
}

fn human_assign(out: &mut String, sign: &str, a: &AssignChange) {
    let flag = if a.escalation { "  [escalation]" } else { "" };
    let verb = if sign == "+" {
        "can now assign"
    } else {
        "can no longer assign"
    };
    let _ = writeln!(
        out,
        "    {sign} {verb} `{}` (through {}){flag}",
        a.role,
        via(a)
    );
}

/// Plain text.
pub fn to_human(diff: &PolicyDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "rbacc diff: {} → {}", diff.old, diff.new);
    for r in &diff.roles_added {
        let _ = writeln!(
            out,
            "  + role `{}` on {} \"{}\" ({} permission{})",
            r.name,
            r.scope,
            r.display,
            r.permissions,
            if r.permissions == 1 { "" } else { "s" }
        );
    }
    for r in &diff.roles_removed {
        let _ = writeln!(
            out,
            "  - role `{}` on {} \"{}\"",
            r.name, r.scope, r.display
        );
    }
    for p in &diff.permissions_added {
        let _ = writeln!(
            out,
            "  + permission `{}` on {} \"{}\"",
            p.name, p.scope, p.description
        );
    }
    for p in &diff.permissions_removed {
        let _ = writeln!(
            out,
            "  - permission `{}` on {} \"{}\"",
            p.name, p.scope, p.description
        );
    }
    for role in &diff.roles {
        let _ = match &role.old_scope {
            Some(old) => writeln!(
                out,
                "  role `{}` (moved from {old} to {})",
                role.role, role.scope
            ),
            None => writeln!(out, "  role `{}` ({})", role.role, role.scope),
        };
        for line in lines(role) {
            let sign = |gained| if gained { "+" } else { "-" };
            match line {
                Line::Scope(scope) => {
                    let _ = writeln!(out, "   on {scope}:");
                }
                Line::Perm(c, folded, gained) => human_perm(&mut out, sign(gained), c, folded),
                Line::Assign(a, gained) => human_assign(&mut out, sign(gained), a),
            }
        }
    }
    if let Some(m) = &diff.members {
        let _ = writeln!(out, "  on the data in {}:", m.file);
        for c in &m.gained {
            let _ = writeln!(
                out,
                "    + `{}` can `{}` on `{}`  [escalation]",
                c.user, c.perm, c.resource
            );
            if let Some(b) = &c.because {
                let _ = writeln!(out, "        because: {b}");
            }
        }
        for c in &m.lost {
            let _ = writeln!(
                out,
                "    - `{}` can no longer `{}` on `{}`",
                c.user, c.perm, c.resource
            );
        }
    }
    let _ = writeln!(out, "{}", summary(diff));
    out
}

/// Escapes text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', "<br>")
}

/// Markdown, for a pull-request comment.
pub fn to_markdown(diff: &PolicyDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### rbacc diff: `{}` → `{}`\n",
        cell(&diff.old),
        cell(&diff.new)
    );
    let widens = diff.widens();
    let _ = writeln!(
        out,
        "{} **{}**\n",
        if widens { "⚠️" } else { "✅" },
        cell(&summary(diff))
    );
    if !diff.roles_added.is_empty() || !diff.roles_removed.is_empty() {
        let _ = writeln!(
            out,
            "| Role | Change | Scope | Name | Permissions |\n|---|---|---|---|---|"
        );
        for (list, change) in [
            (&diff.roles_added, "added"),
            (&diff.roles_removed, "removed"),
        ] {
            for r in list {
                let _ = writeln!(
                    out,
                    "| `{}` | {change} | {} | {} | {} |",
                    cell(&r.name),
                    cell(&r.scope),
                    cell(&r.display),
                    r.permissions
                );
            }
        }
        out.push('\n');
    }
    if !diff.permissions_added.is_empty() || !diff.permissions_removed.is_empty() {
        let _ = writeln!(
            out,
            "| Permission | Change | Scope | Description |\n|---|---|---|---|"
        );
        for (list, change) in [
            (&diff.permissions_added, "added"),
            (&diff.permissions_removed, "removed"),
        ] {
            for p in list {
                let _ = writeln!(
                    out,
                    "| `{}` | {change} | {} | {} |",
                    cell(&p.name),
                    cell(&p.scope),
                    cell(&p.description)
                );
            }
        }
        out.push('\n');
    }
    if !diff.roles.is_empty() {
        let _ = writeln!(out, "| | Role | Scope | Permission or role | Was | Now | Why |\n|---|---|---|---|---|---|---|");
        for role in &diff.roles {
            for line in lines(role) {
                match line {
                    Line::Scope(_) => {}
                    Line::Perm(c, folded, gained) => md_perm(&mut out, role, c, folded, gained),
                    Line::Assign(a, gained) => md_assign(&mut out, role, a, gained),
                }
            }
        }
        out.push('\n');
    }
    if let Some(m) = &diff.members {
        if !m.gained.is_empty() || !m.lost.is_empty() {
            let _ = writeln!(out, "On the data in `{}`:\n", cell(&m.file));
            let _ = writeln!(
                out,
                "| | User | Permission | Resource | Why |\n|---|---|---|---|---|"
            );
            for (list, what) in [(&m.gained, "⚠️ gains"), (&m.lost, "loses")] {
                for c in list {
                    let _ = writeln!(
                        out,
                        "| {what} | `{}` | `{}` | `{}` | {} |",
                        cell(&c.user),
                        cell(&c.perm),
                        cell(&c.resource),
                        cell(c.because.as_deref().unwrap_or(""))
                    );
                }
            }
            out.push('\n');
        }
    }
    out
}

fn md_perm(out: &mut String, role: &RoleChanges, c: &PermChange, folded: usize, gained: bool) {
    let what = if gained {
        if c.escalation {
            "⚠️ gained"
        } else {
            "gained"
        }
    } else {
        "lost"
    };
    let why = c
        .because
        .as_deref()
        .map(|b| {
            if gained {
                b.to_string()
            } else {
                format!("was: {b}")
            }
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "| {what} | `{}` | {} | `{}`{} | {} | {} | {} |",
        cell(&role.role),
        cell(&c.scope),
        cell(&c.perm),
        cell(&fold_note(folded)),
        c.was.label(),
        c.now.label(),
        cell(&why)
    );
}

fn md_assign(out: &mut String, role: &RoleChanges, a: &AssignChange, gained: bool) {
    let what = if gained {
        "⚠️ can assign"
    } else {
        "can no longer assign"
    };
    let _ = writeln!(
        out,
        "| {what} | `{}` | {} | role `{}` | | | through {} |",
        cell(&role.role),
        cell(&role.scope),
        cell(&a.role),
        cell(&via(a))
    );
}
