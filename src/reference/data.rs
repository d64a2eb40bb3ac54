//! The membership file as the reference evaluator reads it: small types of
//! its own, independent of the loader's (`crate::membership::raw` and the
//! layout checks of loading), so that a change to how loading reads the
//! data is checked, not copied. Only the YAML reader is shared: [`read`]
//! calls the project's one reader (`membership::read`) and walks
//! the tree it gives.
//!
//! Key order does not matter here: no rule of docs/membership.md depends
//! on the order of a mapping. Lists keep their order (sign-up and join
//! order). The reference only runs on data loading accepted, so the walk
//! refuses what does not fit the layout without wording it.

use crate::membership::read::{read_all, NodeRef};
use crate::membership::MembersBuilder;
use std::collections::BTreeMap;

/// The whole file (docs/membership.md, Layout).
#[derive(Clone, Debug, Default)]
pub struct Data {
    /// The edition in force.
    pub edition: Option<String>,
    /// Every user, in sign-up order.
    pub users: Vec<String>,
    /// Group name → its members.
    pub groups: BTreeMap<String, Names>,
    /// Resource id (`KIND:PATH`) → its body (empty when written without one).
    pub resources: BTreeMap<String, Body>,
}

/// One resource's body.
#[derive(Clone, Debug, Default)]
pub struct Body {
    /// Members in join order.
    pub members: Vec<String>,
    /// Subject (a user or `group:NAME`) → role(s).
    pub roles: BTreeMap<String, Names>,
    /// Subject → permission(s) granted directly.
    pub grants: BTreeMap<String, Names>,
    /// Role → permission → on/off.
    pub settings: BTreeMap<String, BTreeMap<String, Switch>>,
}

/// One name or a list of names (`ROLE | [ROLE, …]`); a group's members are
/// a list.
#[derive(Clone, Debug, Default)]
pub struct Names(pub Vec<String>);

/// A setting's value.
#[derive(Copy, Clone, Debug)]
pub struct Switch(pub bool);

impl Data {
    /// The same data given to loading through [`MembersBuilder`]: how a
    /// test hands one generated data to both evaluators without writing
    /// YAML (resources in id order, subjects in name order: no rule
    /// depends on the order of a mapping).
    pub fn builder(&self) -> MembersBuilder {
        let mut b = MembersBuilder::new();
        if let Some(e) = &self.edition {
            b.edition(e);
        }
        for u in &self.users {
            b.user(u);
        }
        for (g, members) in &self.groups {
            b.group(g, members.0.iter().map(String::as_str));
        }
        for (id, body) in &self.resources {
            let r = b.resource(id);
            for m in &body.members {
                b.member(r, m);
            }
            for (subject, roles) in &body.roles {
                b.bind(r, subject, roles.0.iter().map(String::as_str));
            }
            for (subject, perms) in &body.grants {
                b.grant(r, subject, perms.0.iter().map(String::as_str));
            }
            for (role, switches) in &body.settings {
                for (perm, on) in switches {
                    b.setting(r, role, perm, on.0);
                }
            }
        }
        b
    }
}

/// Reads a membership file: the one place the reference calls the YAML
/// reader. An empty file is empty data.
pub fn read(text: &str) -> Result<Data> {
    let docs = read_all(text, 1).map_err(|e| e.message)?;
    match docs.first().and_then(|d| d.root()) {
        Some(root) => data(root),
        None => Ok(Data::default()),
    }
}

type Result<T> = std::result::Result<T, String>;

/// The entries of a mapping (an empty value is none), keys as text.
fn map<'d, 'a>(node: NodeRef<'d, 'a>) -> Result<Vec<(String, NodeRef<'d, 'a>)>> {
    if node.is_null() {
        return Ok(Vec::new());
    }
    if !node.is_map() {
        return Err(format!("expected a mapping, found {}", node.describe()));
    }
    node.entries().map(|(k, v)| Ok((text(k)?, v))).collect()
}

fn text(node: NodeRef<'_, '_>) -> Result<String> {
    node.scalar()
        .map(str::to_string)
        .ok_or_else(|| format!("expected a name, found {}", node.describe()))
}

/// One name, or a list of them (an empty value is none).
fn names(node: NodeRef<'_, '_>) -> Result<Names> {
    if node.is_null() {
        return Ok(Names::default());
    }
    if node.is_seq() {
        return node.items().map(text).collect::<Result<_>>().map(Names);
    }
    text(node).map(|n| Names(vec![n]))
}

fn switch(node: NodeRef<'_, '_>) -> Result<Switch> {
    match node.scalar() {
        Some("on" | "yes" | "true" | "True" | "TRUE") => Ok(Switch(true)),
        Some("off" | "no" | "false" | "False" | "FALSE") => Ok(Switch(false)),
        _ => Err(format!("expected on or off, found {}", node.describe())),
    }
}

fn data(root: NodeRef<'_, '_>) -> Result<Data> {
    let mut d = Data::default();
    for (key, value) in map(root)? {
        match key.as_str() {
            "edition" => d.edition = Some(text(value)?),
            "users" => d.users = names(value)?.0,
            "groups" => {
                for (g, users) in map(value)? {
                    d.groups.insert(g, names(users)?);
                }
            }
            "resources" => {
                for (id, body) in map(value)? {
                    d.resources.insert(id, resource(body)?);
                }
            }
            other => return Err(format!("unknown key `{other}`")),
        }
    }
    Ok(d)
}

fn resource(node: NodeRef<'_, '_>) -> Result<Body> {
    let mut b = Body::default();
    for (key, value) in map(node)? {
        match key.as_str() {
            "members" => b.members = names(value)?.0,
            "roles" => {
                for (subject, roles) in map(value)? {
                    b.roles.insert(subject, names(roles)?);
                }
            }
            "grants" => {
                for (subject, perms) in map(value)? {
                    b.grants.insert(subject, names(perms)?);
                }
            }
            "settings" => {
                for (role, switches) in map(value)? {
                    let mut perms = BTreeMap::new();
                    for (perm, on) in map(switches)? {
                        perms.insert(perm, switch(on)?);
                    }
                    b.settings.insert(role, perms);
                }
            }
            other => return Err(format!("unknown key `{other}` of a resource")),
        }
    }
    Ok(b)
}
