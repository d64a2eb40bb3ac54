//! Text renderings of a [`PolicyDiff`]: plain text for a terminal, and
//! Markdown for a pull-request comment. Both print one entry per change,
//! and on the data one entry per cause with its counts and a few examples
//! (`--limit N`); the JSON form lists everything. The Markdown stays within
//! [`COMMENT_BUDGET`] characters, the rest summarised in a last line.

use super::members::{MemberGroup, MembersDiff};
use super::{Change, Effect, PolicyDiff};
use std::fmt::Write;

/// GitHub's limit on a pull-request comment is 65,536 characters; the
/// Markdown keeps below it with room for a heading added by CI.
pub const COMMENT_BUDGET: usize = 60_000;

/// How much of the data diff to print.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// Examples printed per group of the data diff.
    pub limit: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { limit: 3 }
    }
}

fn marker(e: Effect) -> &'static str {
    match e {
        Effect::Widens => "widens",
        Effect::Undecided => "undecided",
        Effect::Narrows => "narrows",
        Effect::Neutral => "neutral",
    }
}

fn sign(e: Effect) -> &'static str {
    match e {
        Effect::Widens => "+",
        Effect::Undecided => "?",
        Effect::Narrows => "-",
        Effect::Neutral => "=",
    }
}

/// The first line: counts by effect.
fn headline(d: &PolicyDiff) -> String {
    if d.is_empty() {
        return "no change in effective access".to_string();
    }
    if d.changes.is_empty() && d.old == d.new {
        if let Some(m) = &d.members {
            return format!(
                "{} (user, permission, resource) gained, {} lost",
                m.gained, m.lost
            );
        }
    }
    let count = |e: Effect| d.changes.iter().filter(|c| c.effect == e).count();
    let (w, u, n, z) = (
        count(Effect::Widens),
        count(Effect::Undecided),
        count(Effect::Narrows),
        count(Effect::Neutral),
    );
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let mut parts = vec![plural(w, "change widens access", "changes widen access")];
    if u > 0 {
        let undecided =
            d.members
                .as_ref()
                .map_or("undecided without data (counted as escalations)", |m| {
                    if m.gained_count() == 0 {
                        "undecided, and the data gains nothing"
                    } else {
                        "undecided, and the data gains"
                    }
                });
        parts.push(format!("{u} {undecided}"));
    }
    parts.push(plural(n, "narrows", "narrow"));
    if z > 0 {
        parts.push(plural(z, "changes nothing", "change nothing"));
    }
    parts.join(", ")
}

fn data_line(m: &MembersDiff) -> String {
    let file = if m.old_file == m.file {
        format!("`{}`", m.file)
    } else {
        format!("`{}` → `{}`", m.old_file, m.file)
    };
    format!(
        "on the data ({file}): {} (user, permission, resource) gained, {} lost, of {} decided",
        m.gained, m.lost, m.checked
    )
}

fn group_line(g: &MemberGroup) -> String {
    let perms: Vec<String> = g.perms.iter().take(6).map(|p| format!("`{p}`")).collect();
    let more = g.perms.len().saturating_sub(6);
    let perms = if more > 0 {
        format!("{} and {more} more", perms.join(", "))
    } else {
        perms.join(", ")
    };
    format!(
        "{} {}: {} user{}, {} resource{}: {perms}",
        if g.gained { "gained" } else { "lost" },
        g.cause,
        g.users,
        if g.users == 1 { "" } else { "s" },
        g.resources,
        if g.resources == 1 { "" } else { "s" },
    )
}

fn examples(g: &MemberGroup, limit: usize) -> Vec<String> {
    let mut out: Vec<String> = g
        .changes
        .iter()
        .take(limit)
        .map(|c| format!("`{}`: `{}` on `{}`", c.user, c.perm, c.resource))
        .collect();
    let rest = g.changes.len().saturating_sub(limit);
    if rest > 0 {
        out.push(format!(
            "and {rest} more (`--limit N` or `--format json` for all)"
        ));
    }
    out
}

/// Plain text.
pub fn to_human(d: &PolicyDiff) -> String {
    to_human_with(d, RenderOptions::default())
}

/// Plain text, with options. Like the Markdown it stays within
/// [`COMMENT_BUDGET`] characters: entries past it are counted in a last
/// line, `--format json` lists them.
pub fn to_human_with(d: &PolicyDiff, opts: RenderOptions) -> String {
    let mut out = String::new();
    if d.old == d.new {
        let _ = writeln!(out, "rbacc diff on `{}`: {}", d.new, headline(d));
    } else {
        let _ = writeln!(out, "rbacc diff `{}` → `{}`: {}", d.old, d.new, headline(d));
    }
    let mut skipped = 0usize;
    let mut put = |out: &mut String, block: String| {
        if out.len() + block.len() > COMMENT_BUDGET - 1_000 {
            skipped += 1;
        } else {
            out.push_str(&block);
        }
    };
    for c in &d.changes {
        let mut block = String::new();
        change_human(&mut block, c);
        put(&mut out, block);
    }
    for (title, list) in [
        ("roles added", &d.roles_added),
        ("roles removed", &d.roles_removed),
    ] {
        if !list.is_empty() {
            let names: Vec<String> = list.iter().map(|r| r.name.clone()).collect();
            put(&mut out, format!("\n{title}: {}\n", name_list(&names)));
        }
    }
    for (title, list) in [
        ("permissions added", &d.permissions_added),
        ("permissions removed", &d.permissions_removed),
    ] {
        if !list.is_empty() {
            let names: Vec<String> = list.iter().map(|p| p.name.clone()).collect();
            put(&mut out, format!("\n{title}: {}\n", name_list(&names)));
        }
    }
    if let Some(m) = &d.members {
        let _ = writeln!(out, "\n{}", data_line(m));
        for g in &m.groups {
            let mut block = format!("  {}\n", group_line(g));
            if let Some(loc) = &g.location {
                block.push_str(&format!("      at {loc}\n"));
            }
            for e in examples(g, opts.limit) {
                block.push_str(&format!("      {e}\n"));
            }
            put(&mut out, block);
        }
        for p in &m.pruned {
            put(
                &mut out,
                format!(
                    "  pruned: `{}` leaves group `{}` (lowered from `{}` to `{}` on `{}`)\n",
                    p.user, p.group, p.from, p.to, p.resource
                ),
            );
        }
    }
    if skipped > 0 {
        let _ = writeln!(out, "\n{}", more_line(skipped));
    }
    out
}

/// The last line when entries did not fit.
fn more_line(skipped: usize) -> String {
    format!("... and {skipped} more (see --format json or --limit N)")
}

/// At most 30 names, in backquotes, then how many more.
fn name_list(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(30).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(30);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn change_human(out: &mut String, c: &Change) {
    let loc = c.location.as_deref().unwrap_or("?");
    let _ = writeln!(out, "\n{:<9} {} ({loc})", marker(c.effect), c.summary);
    for q in &c.consequences {
        let _ = writeln!(out, "          {} {}", sign(q.effect), q.text);
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Markdown, for a pull-request comment.
pub fn to_markdown(d: &PolicyDiff) -> String {
    to_markdown_with(d, RenderOptions::default())
}

/// Markdown, with options.
pub fn to_markdown_with(d: &PolicyDiff, opts: RenderOptions) -> String {
    let mut out = String::new();
    let title = if d.old == d.new {
        format!("`{}`", d.new)
    } else {
        format!("`{}` → `{}`", d.old, d.new)
    };
    let _ = writeln!(out, "### rbacc diff {title}\n");
    let _ = writeln!(out, "**{}**\n", headline(d));
    let mut skipped = 0;
    if !d.changes.is_empty() {
        let _ = writeln!(out, "| effect | change | where | what it does |");
        let _ = writeln!(out, "|---|---|---|---|");
        for c in &d.changes {
            let what: Vec<String> = c
                .consequences
                .iter()
                .map(|q| format!("{} {}", sign(q.effect), cell(&q.text)))
                .collect();
            let row = format!(
                "| {} | {} | `{}` | {} |\n",
                marker(c.effect),
                cell(&c.summary),
                c.location.as_deref().unwrap_or("?"),
                what.join("<br>")
            );
            if out.len() + row.len() > COMMENT_BUDGET - 2_000 {
                skipped += 1;
                continue;
            }
            out.push_str(&row);
        }
        if skipped > 0 {
            let _ = writeln!(out, "\n{}", more_line(skipped));
        }
    }
    let lists: [(&str, Vec<&str>); 4] = [
        (
            "Roles added",
            d.roles_added.iter().map(|r| r.name.as_str()).collect(),
        ),
        (
            "Roles removed",
            d.roles_removed.iter().map(|r| r.name.as_str()).collect(),
        ),
        (
            "Permissions added",
            d.permissions_added
                .iter()
                .map(|p| p.name.as_str())
                .collect(),
        ),
        (
            "Permissions removed",
            d.permissions_removed
                .iter()
                .map(|p| p.name.as_str())
                .collect(),
        ),
    ];
    for (title, names) in lists {
        if names.is_empty() {
            continue;
        }
        let shown: Vec<String> = names.iter().take(30).map(|n| format!("`{n}`")).collect();
        let more = names.len().saturating_sub(30);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let line = format!("\n{title}: {}{tail}\n", shown.join(", "));
        if out.len() + line.len() < COMMENT_BUDGET - 1_000 {
            out.push_str(&line);
        }
    }
    if let Some(m) = &d.members {
        let _ = writeln!(out, "\n#### {}\n", cell(&data_line(m)));
        let mut skipped = 0;
        for g in &m.groups {
            let mut block = format!("- {}", cell(&group_line(g)));
            if let Some(loc) = &g.location {
                block.push_str(&format!(" (`{loc}`)"));
            }
            block.push('\n');
            for e in examples(g, opts.limit) {
                block.push_str(&format!("  - {}\n", cell(&e)));
            }
            if out.len() + block.len() > COMMENT_BUDGET {
                skipped += 1;
                continue;
            }
            out.push_str(&block);
        }
        for p in &m.pruned {
            let line = format!(
                "- pruned: `{}` leaves group `{}` (lowered from `{}` to `{}` on `{}`)\n",
                p.user, p.group, p.from, p.to, p.resource
            );
            if out.len() + line.len() > COMMENT_BUDGET {
                skipped += 1;
                continue;
            }
            out.push_str(&line);
        }
        if skipped > 0 {
            let _ = writeln!(out, "\n{}", more_line(skipped));
        }
    }
    out
}
