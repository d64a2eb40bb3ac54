//! The YAML front end: a document read by `read.rs` into the raw data, with
//! every key checked against the layout and every value against its type,
//! in the user's terms.
//!
//! The layout (docs/membership.md):
//!
//! ```yaml
//! edition: NAME
//! users: [NAME, ...]
//! groups: {NAME: [USER, ...]}
//! resources:
//!   KIND:PATH:
//!     members: [USER, ...]
//!     roles: {SUBJECT: ROLE or [ROLE, ...]}
//!     grants: {SUBJECT: PERMISSION or [PERMISSION, ...]}
//!     settings: {ROLE: {PERMISSION: on/off}}
//! ```

#![expect(
    clippy::result_large_err,
    reason = "a data error ends loading at once; it is built once per load"
)]

use super::errors::{At, DataError};
use super::raw::{RawBindings, RawGroup, RawMembers, RawResource, RawSetting};
use super::read::NodeRef;
use super::suggest_name;

type Result<T> = std::result::Result<T, DataError>;

const TOP: &[&str] = &["edition", "users", "groups", "resources"];
const RESOURCE: &[&str] = &["members", "roles", "grants", "settings"];

/// A value of the wrong type: what `what` is, and what was found.
fn wrong(what: &str, node: NodeRef<'_, '_>) -> DataError {
    DataError::new(
        "E0401",
        format!("{what}; found {}", node.describe()),
        At::Pos(node.pos()),
        "this value",
    )
    .help("see docs/membership.md for the layout")
}

/// An unknown key of a fixed layout.
fn unknown_key(key: &str, node: NodeRef<'_, '_>, fields: &[&str], under: &str) -> DataError {
    let hint = suggest_name(key, fields);
    let label = match &hint {
        Some(h) => format!("did you mean `{h}`?"),
        None => "not a key of the layout".to_string(),
    };
    DataError::new(
        "E0401",
        format!("unknown key `{}` {under}", super::errors::escape(key)),
        At::Pos(node.pos()),
        label,
    )
    .help(format!(
        "the keys {under} are: {}",
        fields
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The entries of a mapping (null reads as none), or a type error.
fn map<'d, 'a>(
    node: NodeRef<'d, 'a>,
    what: &str,
) -> Result<impl Iterator<Item = (NodeRef<'d, 'a>, NodeRef<'d, 'a>)>> {
    if node.is_map() || node.is_null() {
        Ok(node.entries())
    } else {
        Err(wrong(what, node))
    }
}

/// The items of a sequence (null reads as none), or a type error.
fn seq<'d, 'a>(node: NodeRef<'d, 'a>, what: &str) -> Result<impl Iterator<Item = NodeRef<'d, 'a>>> {
    if node.is_seq() || node.is_null() {
        Ok(node.items())
    } else {
        Err(wrong(what, node))
    }
}

/// A name: a scalar that reads as text.
fn name<'d>(node: NodeRef<'d, '_>, what: &str) -> Result<&'d str> {
    node.text().ok_or_else(|| {
        let mut e = wrong(what, node);
        if node.scalar().is_some() {
            e = e.help(format!(
                "write it in quotes to make it a name: \"{}\"",
                node.scalar().unwrap_or("")
            ));
        }
        e
    })
}

/// A key of a mapping, as text (a number or a boolean key is a name too:
/// keys are names, never values).
fn key<'d>(node: NodeRef<'d, '_>, what: &str) -> Result<&'d str> {
    match node.scalar() {
        Some(s) if !node.is_null() => Ok(s),
        _ => Err(wrong(what, node)),
    }
}

/// A list of names.
fn names(node: NodeRef<'_, '_>, what: &str, item: &str) -> Result<Vec<(String, super::Pos)>> {
    seq(node, what)?
        .map(|n| Ok((name(n, item)?.to_string(), n.pos())))
        .collect()
}

/// Reads the membership data of a document's top node (`None`: an empty
/// document).
pub(super) fn members(root: Option<NodeRef<'_, '_>>) -> Result<RawMembers> {
    let mut raw = RawMembers::default();
    let Some(root) = root else { return Ok(raw) };
    if root.is_null() {
        return Ok(raw);
    }
    for (k, v) in map(
        root,
        "a membership file is a mapping of `edition`, `users`, `groups` and `resources`",
    )? {
        let field = key(k, "a key of the membership file is a name")?;
        match field {
            "edition" => {
                if !v.is_null() {
                    raw.edition = Some((
                        name(v, "`edition` is the name of an edition")?.to_string(),
                        v.pos(),
                    ));
                }
            }
            "users" => {
                for u in seq(v, "`users` is a list of user names")? {
                    let n = name(u, "a user is a name")?;
                    if raw.users.names.insert(n).is_some() {
                        raw.users.pos.push(u.pos());
                    } else if raw.users.repeated.is_none() {
                        raw.users.repeated = Some((n.to_string(), u.pos()));
                    }
                }
                raw.users.names.shrink_to_fit();
            }
            "groups" => {
                for (g, list) in map(v, "`groups` maps each group's name to its list of users")? {
                    let gname = key(g, "a group's name is a name")?;
                    raw.groups.push(RawGroup {
                        name: (gname.to_string(), g.pos()),
                        members: names(
                            list,
                            &format!("group `{gname}` is a list of users"),
                            "a group member is a user name",
                        )?,
                    });
                }
            }
            "resources" => {
                for (r, body) in map(
                    v,
                    "`resources` maps each resource id (`KIND:PATH`) to its data",
                )? {
                    let id = key(r, "a resource id is `KIND:PATH`")?;
                    raw.resources.push(resource(id, r, body)?);
                }
            }
            other => {
                return Err(unknown_key(
                    other,
                    k,
                    TOP,
                    "at the top of a membership file",
                ))
            }
        }
    }
    Ok(raw)
}

fn resource(id: &str, at: NodeRef<'_, '_>, body: NodeRef<'_, '_>) -> Result<RawResource> {
    let mut r = RawResource {
        name: (id.to_string(), at.pos()),
        ..RawResource::default()
    };
    let what =
        format!("resource `{id}` is a mapping of `members`, `roles`, `grants` and `settings`");
    for (k, v) in map(body, &what)? {
        let field = key(k, "a key of a resource is a name")?;
        match field {
            "members" => {
                r.members = names(
                    v,
                    &format!("`members` of `{id}` is a list of users"),
                    "a member is a user name",
                )?;
            }
            "roles" => r.roles = bindings(v, id, "roles", "role")?,
            "grants" => r.grants = bindings(v, id, "grants", "permission")?,
            "settings" => {
                for (role, perms) in map(
                    v,
                    &format!("`settings` of `{id}` maps roles to their switches"),
                )? {
                    let role_name = key(role, "a role is a name")?;
                    let what =
                        format!("the settings of `{role_name}` map permissions to `on` or `off`");
                    for (perm, on) in map(perms, &what)? {
                        r.settings.push(RawSetting {
                            role: (role_name.to_string(), role.pos()),
                            perm: (key(perm, "a permission is a name")?.to_string(), perm.pos()),
                            on: switch(on, role_name)?,
                        });
                    }
                }
            }
            other => {
                return Err(unknown_key(
                    other,
                    k,
                    RESOURCE,
                    &format!("of resource `{id}`"),
                ))
            }
        }
    }
    Ok(r)
}

/// `roles:` or `grants:`: subject → one name or a list of names.
fn bindings(node: NodeRef<'_, '_>, id: &str, field: &str, what: &str) -> Result<RawBindings> {
    let mut out = RawBindings::default();
    let too_many = |n: NodeRef<'_, '_>| {
        DataError::new(
            "E0407",
            "more bindings than 4 GiB of names",
            At::Pos(n.pos()),
            "here",
        )
    };
    let mapping =
        format!("`{field}` of `{id}` maps users and `group:NAME`s to a {what} or a list of them");
    for (k, v) in map(node, &mapping)? {
        let subject = key(k, "a user or `group:NAME`")?;
        out.push_key(subject, k.pos()).ok_or_else(|| too_many(k))?;
        let item = format!("a {what} is a name");
        if v.is_seq() {
            for n in v.items() {
                out.push_name(name(n, &item)?, n.pos())
                    .ok_or_else(|| too_many(n))?;
            }
        } else if v.scalar().is_some() && !v.is_null() {
            out.push_name(name(v, &item)?, v.pos())
                .ok_or_else(|| too_many(v))?;
        } else {
            return Err(wrong(
                &format!("`{subject}` is given a {what} or a list of them"),
                v,
            ));
        }
    }
    out.shrink_to_fit();
    Ok(out)
}

/// `on` / `off` (and the YAML booleans and `yes` / `no`).
fn switch(node: NodeRef<'_, '_>, role: &str) -> Result<bool> {
    match node.scalar() {
        Some("on" | "true" | "True" | "TRUE" | "yes") => Ok(true),
        Some("off" | "false" | "False" | "FALSE" | "no") => Ok(false),
        _ => Err(wrong(
            &format!("a setting of `{role}` is `on` or `off`"),
            node,
        )),
    }
}
