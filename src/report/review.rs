//! Access review (`rbacc review`): what every user holds on every resource
//! of the membership data, per user and per resource, for periodic access
//! reviews. Decided by [`Authorizer::check`] for every permission of each
//! resource's scope kind and every user who is a member of the resource or
//! of one enclosing it (nobody else holds anything there).

use crate::eval::Authorizer;
use crate::membership::ResId;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

/// Version of the JSON layout.
pub const FORMAT_VERSION: u32 = 1;

/// One permission held on one resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Held {
    /// The user.
    pub user: String,
    /// The resource.
    pub resource: String,
    /// The permission.
    pub permission: String,
    /// Why, when asked for: the explanation's steps joined by arrows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
}

/// A user's access: resource → permissions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserAccess {
    /// The user.
    pub user: String,
    /// Per resource, the permissions held there, in the policy's order.
    pub access: Vec<(String, Vec<String>)>,
}

/// A resource's access: permission → users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceAccess {
    /// The resource.
    pub resource: String,
    /// Per permission, the users holding it, in sign-up order.
    pub permissions: Vec<(String, Vec<String>)>,
}

/// The whole review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Review {
    /// Layout version.
    pub version: u32,
    /// The policy's file.
    pub policy: String,
    /// The membership file.
    pub members: String,
    /// Every (user, resource, permission) held, by resource then user.
    pub held: Vec<Held>,
    /// Per user (sign-up order); users holding nothing are listed empty.
    pub users: Vec<UserAccess>,
    /// Per resource (the data's order).
    pub resources: Vec<ResourceAccess>,
}

/// Decides the whole data. With `explain`, each held triple carries its
/// explanation.
pub fn review(auth: &Authorizer, explain: bool) -> Review {
    let m = &auth.members();
    let model = &auth.policy().model;
    let mut held = Vec::new();
    let mut resources = Vec::new();
    let mut per_user: HashMap<String, Vec<(String, Vec<String>)>> = HashMap::new();
    for (ri, r) in m.resources.iter().enumerate() {
        let kind = model.scope_name(r.kind);
        let perms: Vec<&str> = model
            .perms
            .iter()
            .filter(|p| model.scope_name(p.scope) == kind)
            .map(|p| p.name.as_str())
            .collect();
        // Candidates: members here or on an enclosing resource.
        let mut users: BTreeSet<u32> = BTreeSet::new();
        for a in m.ancestors(ResId::from_index(ri)) {
            for u in m.resource(a).map_or(&[][..], |x| x.members.as_slice()) {
                users.insert(u.0);
            }
        }
        let mut by_perm: Vec<(String, Vec<String>)> =
            perms.iter().map(|p| (p.to_string(), Vec::new())).collect();
        for &u in &users {
            let user = m.user_name(crate::membership::UserId(u));
            let mut mine = Vec::new();
            for (pi, perm) in perms.iter().enumerate() {
                let Ok(q) = auth.query(user, perm, &r.name) else {
                    continue;
                };
                if !auth.check(&q) {
                    continue;
                }
                let because =
                    explain.then(|| crate::diff::members::explanation_text(&auth.explain(&q)));
                held.push(Held {
                    user: user.to_string(),
                    resource: r.name.clone(),
                    permission: perm.to_string(),
                    because,
                });
                mine.push(perm.to_string());
                if let Some(slot) = by_perm.get_mut(pi) {
                    slot.1.push(user.to_string());
                }
            }
            if !mine.is_empty() {
                per_user
                    .entry(user.to_string())
                    .or_default()
                    .push((r.name.clone(), mine));
            }
        }
        by_perm.retain(|(_, users)| !users.is_empty());
        resources.push(ResourceAccess {
            resource: r.name.clone(),
            permissions: by_perm,
        });
    }
    let users = m
        .users
        .iter()
        .map(|u| UserAccess {
            user: u.to_string(),
            access: per_user.remove(u).unwrap_or_default(),
        })
        .collect();
    Review {
        version: FORMAT_VERSION,
        policy: auth
            .policy()
            .sources
            .get(auth.policy().file)
            .map_or_else(|| auth.policy().name.clone(), |s| s.name.clone()),
        members: m.name.clone(),
        held,
        users,
        resources,
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn ticks(list: &[String]) -> String {
    list.iter()
        .map(|s| format!("`{}`", cell(s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Markdown: a table per user, then a table per resource.
pub fn to_markdown(r: &Review) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Access review: `{}` under `{}`\n",
        r.members, r.policy
    );
    let _ = writeln!(
        out,
        "{} users, {} resources, {} (user, resource, permission) held.\n",
        r.users.len(),
        r.resources.len(),
        r.held.len()
    );
    let _ = writeln!(out, "## By user\n");
    let _ = writeln!(out, "| user | resource | permissions |");
    let _ = writeln!(out, "|---|---|---|");
    for u in &r.users {
        if u.access.is_empty() {
            let _ = writeln!(out, "| `{}` | | nothing |", cell(&u.user));
        }
        for (res, perms) in &u.access {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} |",
                cell(&u.user),
                cell(res),
                ticks(perms)
            );
        }
    }
    let _ = writeln!(out, "\n## By resource\n");
    let _ = writeln!(out, "| resource | permission | users |");
    let _ = writeln!(out, "|---|---|---|");
    for res in &r.resources {
        if res.permissions.is_empty() {
            let _ = writeln!(out, "| `{}` | | nobody |", cell(&res.resource));
        }
        for (perm, users) in &res.permissions {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} |",
                cell(&res.resource),
                cell(perm),
                ticks(users)
            );
        }
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV (RFC 4180): one row per (user, resource, permission) held, sorted
/// by user (sign-up order) or by resource (the data's order).
pub fn to_csv(r: &Review, by_resource: bool) -> String {
    let explain = r.held.iter().any(|h| h.because.is_some());
    let mut out = String::from(if explain {
        "user,resource,permission,because\r\n"
    } else {
        "user,resource,permission\r\n"
    });
    let mut rows: Vec<&Held> = r.held.iter().collect();
    if !by_resource {
        let order: HashMap<&str, usize> = r
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.user.as_str(), i))
            .collect();
        // Stable: within a user, the data's resource order.
        rows.sort_by_key(|h| order.get(h.user.as_str()).copied().unwrap_or(usize::MAX));
    }
    for h in rows {
        let mut line = format!(
            "{},{},{}",
            csv_field(&h.user),
            csv_field(&h.resource),
            csv_field(&h.permission)
        );
        if explain {
            line.push(',');
            line.push_str(&csv_field(h.because.as_deref().unwrap_or("")));
        }
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out
}
