//! Validation of raw membership data and construction of the index.

#![expect(
    clippy::result_large_err,
    reason = "a data error ends loading at once; it is built once per load, never on a hot path"
)]

use super::errors::{escape, At, DataError, Pos};
use super::raw::{RawMembers, RawSetting};
use super::*;

type Result<T> = std::result::Result<T, DataError>;

struct Builder<'p> {
    policy: &'p Policy,
    m: Members,
    /// Per resource: explicit (user, role, origin) holdings.
    held: Vec<Vec<(UserId, Held)>>,
    grants: Vec<Vec<(UserId, PermId, Origin)>>,
    /// Scratch set of users, for duplicate and membership tests.
    marks: Marks,
    /// Where bindings, grants and settings are written.
    places: Places,
}

/// A set of users that empties in O(1): a stamp per user, and the stamp of
/// the current set. It keeps the tests over a resource's members, a
/// group's members and the holders of a rule's roles linear in the list
/// (a `Vec::contains` per member was quadratic: an organization of 100,000
/// listed members took 10^10 steps).
struct Marks {
    stamp: Vec<u32>,
    now: u32,
}

impl Marks {
    fn new(users: usize) -> Marks {
        Marks {
            stamp: vec![0; users],
            now: 1,
        }
    }

    /// Empties the set.
    fn clear(&mut self) {
        if self.now == u32::MAX {
            self.stamp.fill(0);
            self.now = 0;
        }
        self.now += 1;
    }

    /// Adds a user; `false` if already in.
    fn insert(&mut self, u: UserId) -> bool {
        match self.stamp.get_mut(u.index()) {
            Some(s) if *s == self.now => false,
            Some(s) => {
                *s = self.now;
                true
            }
            None => true,
        }
    }

    fn contains(&self, u: UserId) -> bool {
        self.stamp.get(u.index()) == Some(&self.now)
    }
}

/// Calls `f` for each user a subject stands for, with the group it came
/// through.
fn for_members(
    groups: &[(String, Vec<UserId>)],
    s: Subject,
    mut f: impl FnMut(UserId, Option<GroupId>),
) {
    match s {
        Subject::User(u) => f(u, None),
        Subject::Group(g) => {
            for &u in groups.get(g.index()).map_or(&[][..], |x| x.1.as_slice()) {
                f(u, Some(g));
            }
        }
    }
}

pub(super) fn build(policy: &Policy, name: &str, mut raw: RawMembers) -> Result<Members> {
    let mut b = Builder {
        policy,
        m: Members {
            name: name.to_string(),
            edition: None,
            users: Names::default(),
            groups: Vec::new(),
            resources: Vec::new(),
            sets: Vec::new(),
            profiles: Vec::new(),
            items: Vec::new(),
            index: Default::default(),
            settings: HashMap::new(),
            res_ids: HashMap::new(),
            bound_to: (policy.fingerprint, policy.name.clone()),
            group_ids: HashMap::new(),
            places: Places::default(),
            boot_pos: HashMap::new(),
            warnings: Vec::new(),
        },
        held: Vec::new(),
        grants: Vec::new(),
        marks: Marks::new(0),
        places: Places::default(),
    };
    b.edition(&raw)?;
    b.users(&mut raw)?;
    b.groups(&raw)?;
    b.resources(&raw)?;
    let users = || b.m.users.iter().zip(raw.users.pos.iter().copied());
    let mut warnings = names_check::look_alike("user", users);
    let groups = || raw.groups.iter().map(|g| (g.name.0.as_str(), g.name.1));
    warnings.extend(names_check::look_alike("group", groups));
    let resources = || raw.resources.iter().map(|r| (r.name.0.as_str(), r.name.1));
    warnings.extend(names_check::look_alike("resource", resources));
    b.m.warnings = warnings;
    let rbac =
        b.m.edition
            .and_then(|e| policy.model.editions.get(e.index()))
            .is_none_or(|e| e.rbac);
    // Bindings, grants and settings are validated (and give the join order)
    // in every edition; without RBAC they do not apply and the fallback role
    // does, with the policy's defaults for its configurable grants.
    b.bindings(&raw)?;
    b.containment();
    if rbac {
        b.rules(&raw)?;
    } else {
        b.held.iter_mut().for_each(Vec::clear);
        b.grants.iter_mut().for_each(Vec::clear);
        b.m.settings.clear();
        b.fallback();
    }
    b.index();
    b.m.places = std::mem::take(&mut b.places);
    Ok(b.m)
}

/// An unknown name: "did you mean" when one is close, else the choices
/// when they are few.
fn unknown<'a>(
    what: &str,
    name: &str,
    at: Pos,
    candidates: impl IntoIterator<Item = &'a str>,
) -> DataError {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let hint = suggest_name(name, &candidates);
    let label = match &hint {
        Some(h) => format!("did you mean `{}`?", escape(h)),
        None => format!("no {what} of this name"),
    };
    let e = DataError::new(
        "E0402",
        format!("unknown {what} `{}`", escape(name)),
        At::from(at),
        label,
    );
    match hint {
        Some(h) => e.help(format!("try `{}`", escape(&h))),
        None => {
            let all: Vec<&str> = candidates.into_iter().take(9).collect();
            match all.len() {
                0 => e,
                1..=8 => e.help(format!(
                    "{what}s here: {}",
                    all.iter()
                        .map(|c| format!("`{}`", escape(c)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                _ => e,
            }
        }
    }
}

/// A name written twice where it may be written once.
fn twice(message: String, at: Pos) -> DataError {
    DataError::new("E0406", message, At::from(at), "written again here")
}

impl Builder<'_> {
    fn model(&self) -> &crate::resolve::Model {
        &self.policy.model
    }

    fn edition(&mut self, raw: &RawMembers) -> Result<()> {
        let editions = &self.policy.model.editions;
        match (&raw.edition, editions.is_empty()) {
            (None, true) => Ok(()),
            (None, false) => {
                let names: Vec<&str> = editions.iter().map(|e| e.name.as_str()).collect();
                Err(DataError::new(
                    "E0408",
                    "the policy declares editions but the data names none",
                    At::Start,
                    "add `edition:` here",
                )
                .help(format!(
                    "add `edition: NAME` with one of: {}",
                    names.join(", ")
                )))
            }
            (Some((e, at)), true) => Err(DataError::new(
                "E0408",
                format!(
                    "edition `{}` given, but the policy declares no editions",
                    escape(e)
                ),
                At::from(*at),
                "the policy has no editions",
            )
            .help("remove `edition:`")),
            (Some((e, at)), false) => match self.model().edition_id(e) {
                Some(id) => {
                    self.m.edition = Some(id);
                    Ok(())
                }
                None => {
                    let mut err =
                        unknown("edition", e, *at, editions.iter().map(|e| e.name.as_str()));
                    err.code = "E0408";
                    if err.help.is_none() {
                        let names: Vec<&str> = editions.iter().map(|e| e.name.as_str()).collect();
                        err = err.help(format!("editions of the policy: {}", names.join(", ")));
                    }
                    Err(err)
                }
            },
        }
    }

    fn users(&mut self, raw: &mut RawMembers) -> Result<()> {
        if let Some((u, at)) = &raw.users.repeated {
            return Err(twice(format!("user `{}` is listed twice", escape(u)), *at)
                .help("list each user once, in sign-up order"));
        }
        for (i, u) in raw.users.names.iter().enumerate() {
            let at = raw.users.pos.get(i).copied().unwrap_or_default();
            names_check::check("user", u, at)?;
        }
        // Read into the name table already (see `RawUsers`).
        self.m.users = std::mem::take(&mut raw.users.names);
        self.marks = Marks::new(self.m.users.len());
        Ok(())
    }

    fn user(&self, name: &str, at: Pos) -> Result<UserId> {
        self.m.user_id(name).ok_or_else(|| {
            unknown("user", name, at, self.m.users.iter())
                .note("every user must be listed under `users:`")
        })
    }

    fn groups(&mut self, raw: &RawMembers) -> Result<()> {
        for (gi, group) in raw.groups.iter().enumerate() {
            let (g, gat) = &group.name;
            names_check::check("group", g, *gat)?;
            let mut ids = Vec::new();
            self.marks.clear();
            for (u, at) in &group.members {
                let id = self.user(u, *at)?;
                if !self.marks.insert(id) {
                    return Err(twice(
                        format!(
                            "user `{}` is listed twice in group `{}`",
                            escape(u),
                            escape(g)
                        ),
                        *at,
                    ));
                }
                ids.push(id);
            }
            if self
                .m
                .group_ids
                .insert(g.clone(), GroupId::from_index(gi))
                .is_some()
            {
                return Err(twice(
                    format!("group `{}` is declared twice", escape(g)),
                    *gat,
                ));
            }
            self.m.groups.push((g.clone(), ids));
        }
        Ok(())
    }

    fn resources(&mut self, raw: &RawMembers) -> Result<()> {
        let model = &self.policy.model;
        // Ids first, so parents may be written after children.
        for (i, r) in raw.resources.iter().enumerate() {
            let (id, at) = (&r.name.0, r.name.1);
            names_check::check("resource", id, at)?;
            let Some((kind, rest)) = id.split_once(':') else {
                return Err(DataError::new(
                    "E0401",
                    format!("resource id `{}` has no kind", escape(id)),
                    At::from(at),
                    "expected `KIND:PATH`",
                )
                .help(format!(
                    "write resource ids as `KIND:PATH`, e.g. `workspace:acme/prod`; kinds: {}",
                    model
                        .scopes
                        .iter()
                        .map(|s| format!("`{}`", s.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            let Some(scope) = model.scope_id(kind) else {
                let mut e = unknown(
                    "scope kind",
                    kind,
                    at,
                    model.scopes.iter().map(|s| s.name.as_str()),
                );
                if e.help.as_deref().is_none_or(|h| h.starts_with("try")) {
                    e = e.note(format!(
                        "the policy's scope kinds: {}",
                        model
                            .scopes
                            .iter()
                            .map(|s| format!("`{}`", s.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                return Err(e);
            };
            let segments: Vec<&str> = rest.split('/').collect();
            let depth = model.scope_chain(scope).len();
            if segments.iter().any(|s| s.is_empty()) || segments.len() != depth {
                let chain: Vec<&str> = model
                    .scope_chain(scope)
                    .iter()
                    .rev()
                    .map(|s| model.scope_name(*s))
                    .collect();
                return Err(DataError::new(
                    "E0401",
                    format!(
                        "resource id `{}` needs a path of {depth} segment(s)",
                        escape(id)
                    ),
                    At::from(at),
                    format!("one name per level: {}", chain.join("/")),
                )
                .help(format!(
                    "e.g. `{kind}:{}`",
                    chain.iter().map(|_| "name").collect::<Vec<_>>().join("/")
                )));
            }
            if self
                .m
                .res_ids
                .insert(id.clone(), ResId::from_index(i))
                .is_some()
            {
                return Err(
                    twice(format!("resource `{}` is written twice", escape(id)), at)
                        .help("write each resource once, with all its data"),
                );
            }
            self.m.resources.push(Resource {
                name: id.clone(),
                kind: scope,
                parent: None,
                members: Vec::new(),
            });
        }
        for (i, r) in raw.resources.iter().enumerate() {
            let (id, at) = (&r.name.0, r.name.1);
            let Some(res) = self.m.resources.get(i) else {
                continue;
            };
            let Some(parent_kind) = model.scope(res.kind).and_then(|s| s.parent) else {
                continue;
            };
            let rest = id.split_once(':').map_or("", |x| x.1);
            let parent_path = rest.rsplit_once('/').map_or("", |x| x.0);
            let parent_kind_name = model.scope_name(parent_kind);
            let parent_id = format!("{parent_kind_name}:{parent_path}");
            let Some(parent) = self.m.res_id(&parent_id) else {
                // A resource of the parent's kind with a close path is
                // likely what was meant.
                let prefix = format!("{parent_kind_name}:");
                let paths: Vec<&str> = self
                    .m
                    .resources
                    .iter()
                    .filter_map(|r| r.name.strip_prefix(&prefix))
                    .collect();
                let close = suggest_name(parent_path, &paths);
                let e = DataError::new(
                    "E0405",
                    format!("the parent of `{}` does not exist", escape(id)),
                    At::from(at),
                    format!("`{}` is not listed under `resources:`", escape(&parent_id)),
                );
                return Err(match close {
                    Some(c) => {
                        let own = rest.rsplit_once('/').map_or(rest, |x| x.1);
                        let fixed = format!("{kind}:{c}/{own}", kind = model.scope_name(res.kind));
                        e.help(format!(
                            "did you mean `{}`, in `{parent_kind_name}:{}`?",
                            escape(&fixed),
                            escape(&c)
                        ))
                    }
                    None => e.help(format!("add `{}:` under `resources:`", escape(&parent_id))),
                });
            };
            if let Some(r) = self.m.resources.get_mut(i) {
                r.parent = Some(parent);
            }
        }
        self.held = vec![Vec::new(); self.m.resources.len()];
        self.grants = vec![Vec::new(); self.m.resources.len()];
        Ok(())
    }

    /// Resolves a binding subject: a user, or `group:NAME` (its members).
    fn subject(&self, name: &str, at: Pos) -> Result<Subject> {
        if let Some(g) = name.strip_prefix("group:") {
            return match self.m.group_id(g) {
                Some(id) => Ok(Subject::Group(id)),
                None => Err(unknown(
                    "group",
                    g,
                    at,
                    self.m.groups.iter().map(|g| g.0.as_str()),
                )),
            };
        }
        self.user(name, at).map(Subject::User)
    }

    /// Refuses a subject written twice in one `roles:` or `grants:`
    /// (`marks` holds the users, `groups` the groups, written so far).
    fn once(
        &mut self,
        subj: Subject,
        seen_groups: &mut Vec<GroupId>,
        field: &str,
        rid: &str,
        subject: &str,
        at: Pos,
    ) -> Result<()> {
        let fresh = match subj {
            Subject::User(u) => self.marks.insert(u),
            Subject::Group(g) => {
                let new = !seen_groups.contains(&g);
                seen_groups.push(g);
                new
            }
        };
        if fresh {
            Ok(())
        } else {
            Err(twice(
                format!(
                    "`{}` is written twice under `{field}` of `{}`",
                    escape(subject),
                    escape(rid)
                ),
                at,
            )
            .help("give a subject all its names in one list: `NAME: [a, b]`"))
        }
    }

    fn bindings(&mut self, raw: &RawMembers) -> Result<()> {
        let model = &self.policy.model;
        let exclusive_roles: Vec<RoleId> = model
            .assertions
            .iter()
            .filter_map(|a| match a {
                crate::resolve::Assertion::Exclusive { roles, .. } => Some(roles.as_slice()),
                _ => None,
            })
            .flatten()
            .map(|r| r.0)
            .collect();
        for (ri, body) in raw.resources.iter().enumerate() {
            let rid = body.name.0.as_str();
            let res = ResId::from_index(ri);
            let kind = self.m.resource(res).map(|r| r.kind).unwrap_or_default();
            let kind_name = model.scope_name(kind).to_string();
            // members
            let mut listed: Vec<UserId> = Vec::new();
            self.marks.clear();
            for (u, at) in &body.members {
                let id = self.user(u, *at)?;
                if !self.marks.insert(id) {
                    return Err(twice(
                        format!(
                            "user `{}` is listed twice as a member of `{}`",
                            escape(u),
                            escape(rid)
                        ),
                        *at,
                    ));
                }
                listed.push(id);
            }
            // roles
            self.marks.clear();
            let mut seen_groups = Vec::new();
            // Bindings to roles of an `assert exclusive`: user, role,
            // where, through which group.
            let mut exclusive: Vec<(UserId, RoleId, Pos, Option<GroupId>)> = Vec::new();
            for (subject, sat, roles) in body.roles.iter_pos() {
                let subj = self.subject(subject, sat)?;
                self.once(subj, &mut seen_groups, "roles", rid, subject, sat)?;
                self.places.roles.push((Places::key(res, subj.code()), sat));
                let mut given: Vec<RoleId> = Vec::new();
                for (role_name, at) in roles.with_pos() {
                    let Some(role) = model.role_id(role_name) else {
                        let on_kind = model
                            .roles
                            .iter()
                            .filter(|r| r.scope == kind)
                            .map(|r| r.name.as_str());
                        return Err(unknown("role", role_name, at, on_kind));
                    };
                    let role_scope = model.role(role).map(|r| r.scope).unwrap_or_default();
                    if role_scope != kind {
                        let mut e = DataError::new(
                            "E0403",
                            format!(
                                "`{role_name}` is a role on `{}`, but `{}` is of kind `{kind_name}`",
                                model.scope_name(role_scope),
                                escape(rid)
                            ),
                            At::from(at),
                            format!("a role on `{}`", model.scope_name(role_scope)),
                        );
                        if model.scope(kind).is_some_and(|s| s.without_roles) {
                            e = e
                                .note(format!("`{kind_name}` is declared without roles: roles of enclosing scopes govern it"))
                                .help("bind the role on the enclosing resource instead");
                        } else {
                            let fits: Vec<&str> = model
                                .roles
                                .iter()
                                .filter(|r| r.scope == kind)
                                .map(|r| r.name.as_str())
                                .collect();
                            e = e.help(if fits.is_empty() {
                                format!("no role is declared on `{kind_name}`")
                            } else {
                                format!("roles on `{kind_name}` are: {}", fits.join(", "))
                            });
                        }
                        return Err(e);
                    }
                    if let Subject::User(_) = subj {
                        if let Some(rule) = model.cardinalities.iter().find(|c| {
                            c.roles.contains(&role) && given.iter().any(|g| c.roles.contains(g))
                        }) {
                            let other = given
                                .iter()
                                .find(|g| rule.roles.contains(g))
                                .map_or("", |g| model.role_name(*g));
                            return Err(DataError::new(
                                "E0404",
                                format!(
                                    "`{}` holds both `{other}` and `{role_name}` on `{}`, but at most one of them is allowed",
                                    escape(subject),
                                    escape(rid)
                                ),
                                At::from(at),
                                "second role of the rule",
                            )
                            .help(format!("keep one role per `{kind_name}`")));
                        }
                    }
                    given.push(role);
                    if exclusive_roles.contains(&role) {
                        for_members(&self.m.groups, subj, |u, g| {
                            exclusive.push((u, role, at, g))
                        });
                    }
                    if let Some(list) = self.held.get_mut(ri) {
                        for_members(&self.m.groups, subj, |u, g| {
                            let origin = g.map_or(Origin::Binding, Origin::Group);
                            list.push((u, Held { role, origin }));
                        });
                    }
                }
            }
            self.exclusive(rid, exclusive)?;
            // grants
            self.marks.clear();
            let mut seen_groups = Vec::new();
            for (subject, sat, perms) in body.grants.iter_pos() {
                let subj = self.subject(subject, sat)?;
                self.once(subj, &mut seen_groups, "grants", rid, subject, sat)?;
                self.places
                    .grants
                    .push((Places::key(res, subj.code()), sat));
                for (pname, at) in perms.with_pos() {
                    let Some(perm) = model.perm_id(pname) else {
                        let inside = model
                            .perms
                            .iter()
                            .filter(|p| model.scope_within(p.scope, kind))
                            .map(|p| p.name.as_str());
                        return Err(unknown("permission", pname, at, inside));
                    };
                    let perm_scope = model.perm(perm).map(|p| p.scope).unwrap_or_default();
                    if !model.scope_within(perm_scope, kind) {
                        return Err(DataError::new(
                            "E0403",
                            format!(
                                "`{pname}` is a permission on `{}`, which is not inside `{kind_name}` `{}`",
                                model.scope_name(perm_scope),
                                escape(rid)
                            ),
                            At::from(at),
                            format!("a permission on `{}`", model.scope_name(perm_scope)),
                        )
                        .help("grant it on a resource of its scope kind or one enclosing it"));
                    }
                    let perms = model.perm_with_members(perm);
                    if let Some(list) = self.grants.get_mut(ri) {
                        for_members(&self.m.groups, subj, |u, g| {
                            let origin = g.map_or(Origin::Direct, Origin::GroupGrant);
                            list.extend(perms.iter().map(|&p| (u, p, origin)));
                        });
                    }
                }
            }
            self.settings(res, &body.settings)?;
            // join order: listed members, then users holding something here
            self.marks.clear();
            for &u in &listed {
                self.marks.insert(u);
            }
            let mut order = listed;
            let mut extra: Vec<UserId> = self
                .held
                .get(ri)
                .into_iter()
                .flatten()
                .map(|(u, _)| *u)
                .chain(
                    self.grants
                        .get(ri)
                        .into_iter()
                        .flatten()
                        .map(|(u, _, _)| *u),
                )
                .filter(|&u| !self.marks.contains(u))
                .collect();
            extra.sort();
            extra.dedup();
            order.extend(extra);
            if let Some(r) = self.m.resources.get_mut(ri) {
                r.members = order;
            }
        }
        self.places.sort();
        Ok(())
    }

    /// `assert exclusive`: no user bound (directly or through groups) to
    /// two of the roles on one resource. `bound` lists the bindings to
    /// roles of such assertions, in file order.
    fn exclusive(
        &self,
        rid: &str,
        mut bound: Vec<(UserId, RoleId, Pos, Option<GroupId>)>,
    ) -> Result<()> {
        if bound.len() < 2 {
            return Ok(());
        }
        let model = &self.policy.model;
        // (Stable: each user's bindings stay in file order.)
        bound.sort_by_key(|b| b.0);
        for user in bound.chunk_by(|a, b| a.0 == b.0) {
            for a in &model.assertions {
                let crate::resolve::Assertion::Exclusive { roles, .. } = a else {
                    continue;
                };
                let mut hits = user.iter().filter(|b| roles.iter().any(|r| r.0 == b.1));
                let Some(first) = hits.next() else { continue };
                let Some(second) = hits.find(|b| b.1 != first.1) else {
                    continue;
                };
                let via = |g: Option<GroupId>| {
                    g.map_or(String::new(), |g| {
                        format!(" (through `group:{}`)", escape(self.m.group_name(g)))
                    })
                };
                let names: Vec<&str> = roles.iter().map(|r| model.role_name(r.0)).collect();
                return Err(DataError::new(
                    "E0410",
                    format!(
                        "`{}` holds both `{}`{} and `{}`{} on `{}`, which `assert exclusive` forbids",
                        escape(self.m.user_name(first.0)),
                        model.role_name(first.1),
                        via(first.3),
                        model.role_name(second.1),
                        via(second.3),
                        escape(rid)
                    ),
                    At::from(second.2),
                    "second exclusive role",
                )
                .note(format!(
                    "the policy asserts `exclusive {}` (separation of duty): no user holds two of them on one resource",
                    names.join(", ")
                ))
                .help("bind the user to one of them"));
            }
        }
        Ok(())
    }

    /// The settings of one resource.
    fn settings(&mut self, res: ResId, settings: &[RawSetting]) -> Result<()> {
        let model = &self.policy.model;
        let rid = self.m.res_name(res).to_string();
        let kind = self.m.resource(res).map(|r| r.kind).unwrap_or_default();
        // (role, permission) → how far the written permission is from it
        // (0: itself; n: a group n levels up).
        let mut written: HashMap<(RoleId, PermId), usize> = HashMap::new();
        let mut seen: Vec<(RoleId, PermId)> = Vec::new();
        for s in settings {
            let ((role_name, rat), (pname, at)) = (&s.role, &s.perm);
            let Some(role) = model.role_id(role_name) else {
                return Err(unknown(
                    "role",
                    role_name,
                    *rat,
                    model.roles.iter().map(|r| r.name.as_str()),
                ));
            };
            let Some(perm) = model.perm_id(pname) else {
                return Err(unknown(
                    "permission",
                    pname,
                    *at,
                    model.perms.iter().map(|p| p.name.as_str()),
                ));
            };
            let configurable: Vec<&str> = model
                .role(role)
                .map(|r| {
                    r.grants
                        .iter()
                        .filter(|g| g.configurable.is_some())
                        .flat_map(|g| g.perms.iter().map(|p| model.perm_name(*p)))
                        .collect()
                })
                .unwrap_or_default();
            if !configurable.contains(&pname.as_str()) {
                return Err(DataError::new(
                    "E0402",
                    format!("`{role_name}` has no configurable grant of `{pname}`"),
                    At::from(*at),
                    "nothing to switch",
                )
                .help(if configurable.is_empty() {
                    format!("`{role_name}` declares no configurable grants")
                } else {
                    format!(
                        "configurable grants of `{role_name}`: {}",
                        configurable.join(", ")
                    )
                }));
            }
            // A setting is read on the instance of the role's scope kind
            // (evaluation asks the enclosing instance of that kind): written
            // on another kind it would never be read.
            let role_scope = model.role(role).map(|r| r.scope).unwrap_or_default();
            if role_scope != kind {
                let where_read = self
                    .m
                    .ancestors(res)
                    .find(|a| self.m.resource(*a).map(|r| r.kind) == Some(role_scope))
                    .map(|a| self.m.res_name(a).to_string());
                let e = DataError::new(
                    "E0403",
                    format!(
                        "a setting of `{role_name}` on `{}` would never be read: settings of `{role_name}` are read on its `{}` resource",
                        escape(&rid),
                        model.scope_name(role_scope)
                    ),
                    At::from(*rat),
                    format!("`{role_name}` is a role on `{}`", model.scope_name(role_scope)),
                );
                return Err(match where_read {
                    Some(a) => e.help(format!("write it under `settings:` of `{}`", escape(&a))),
                    None => e.help(format!(
                        "write it under `settings:` of a `{}` resource",
                        model.scope_name(role_scope)
                    )),
                });
            }
            if seen.contains(&(role, perm)) {
                return Err(twice(
                    format!("`{role_name}: {pname}` is set twice on `{}`", escape(&rid)),
                    *at,
                ));
            }
            seen.push((role, perm));
            self.places.settings.push((Places::key(res, role.0), *rat));
            // A setting of a group switches its members, but a member's own
            // setting (or a nearer group's) wins, whatever order they are
            // written in.
            for p in model.perm_with_members(perm) {
                let mut distance = 0usize;
                let mut cur = Some(p);
                while let Some(x) = cur.filter(|x| *x != perm) {
                    distance += 1;
                    cur = model.perm(x).and_then(|x| x.parent);
                }
                let nearer = written
                    .get(&(role, p))
                    .is_some_and(|&d: &usize| d < distance);
                if !nearer {
                    written.insert((role, p), distance);
                    self.m.settings.insert((res, role, p), s.on);
                }
            }
        }
        Ok(())
    }

    /// Bootstrap, defaults, group upgrades, exactly-one checks.
    fn rules(&mut self, raw: &RawMembers) -> Result<()> {
        let model = &self.policy.model;
        let edition = self.m.edition;
        for ri in 0..self.m.resources.len() {
            let (kind, members) = match self.m.resources.get(ri) {
                Some(r) => (r.kind, r.members.clone()),
                None => continue,
            };
            let Some(held) = self.held.get_mut(ri) else {
                continue;
            };
            for (bi, rule) in model.bootstraps.iter().enumerate() {
                if rule.scope != kind
                    || !(rule.editions.is_empty()
                        || edition.is_some_and(|e| rule.editions.contains(&e)))
                {
                    continue;
                }
                let sets: Vec<&Vec<RoleId>> = model
                    .cardinalities
                    .iter()
                    .filter(|c| c.roles.contains(&rule.role))
                    .map(|c| &c.roles)
                    .collect();
                // Who already holds the role or one exclusive with it: one
                // pass over the resource's roles, not one per member.
                let holders = &mut self.marks;
                holders.clear();
                for (v, h) in held.iter() {
                    if h.role == rule.role || sets.iter().any(|s| s.contains(&h.role)) {
                        holders.insert(*v);
                    }
                }
                for (pos, &u) in members.iter().enumerate().take(rule.count as usize) {
                    if !holders.insert(u) {
                        continue;
                    }
                    let pos = u32::try_from(pos + 1).unwrap_or(u32::MAX);
                    held.push((
                        u,
                        Held {
                            role: rule.role,
                            origin: Origin::Bootstrap(u32::try_from(bi).unwrap_or(u32::MAX), pos),
                        },
                    ));
                    self.m.boot_pos.insert((ResId::from_index(ri), u), pos);
                }
            }
            for (ci, rule) in model.cardinalities.iter().enumerate() {
                if rule.scope != kind {
                    continue;
                }
                // Who holds one of the rule's roles (by now: bound,
                // bootstrapped, or defaulted by an earlier rule).
                let holders = &mut self.marks;
                holders.clear();
                for (v, h) in held.iter() {
                    if rule.roles.contains(&h.role) {
                        holders.insert(*v);
                    }
                }
                for &u in &members {
                    if holders.contains(u) {
                        continue;
                    }
                    match rule.default {
                        Some(d) => held.push((
                            u,
                            Held {
                                role: d,
                                origin: Origin::Default(u32::try_from(ci).unwrap_or(u32::MAX)),
                            },
                        )),
                        None if rule.exactly => {
                            let rid = self.m.resources.get(ri).map_or("", |r| r.name.as_str());
                            let names: Vec<&str> =
                                rule.roles.iter().map(|r| model.role_name(*r)).collect();
                            return Err(DataError::new(
                                "E0404",
                                format!(
                                    "`{}` is a member of `{rid}` but holds none of {}, and exactly one is required",
                                    self.m.users.get(u.index()).unwrap_or(""),
                                    names.join(", ")
                                ),
                                At::from(listed_at(raw, ri, self.m.users.get(u.index()).unwrap_or(""))),
                                "a member without a required role",
                            )
                            .help("bind one of the roles, or give the rule a `default`"));
                        }
                        None => {}
                    }
                }
            }
        }
        self.upgrades(raw)?;
        self.at_least(raw)
    }

    /// `groups on SCOPE { upgrade roles }`: a member below a group's level
    /// holds the level's role.
    fn upgrades(&mut self, raw: &RawMembers) -> Result<()> {
        let model = &self.policy.model;
        let compiled = &self.policy.compiled;
        for rule in model.groups.iter().filter(|g| g.upgrade) {
            let Some(rank) = model.rank_of(rule.scope) else {
                continue;
            };
            let bound = rule
                .up_to
                .and_then(|b| rank.ascending.iter().position(|r| *r == b));
            // Grants on a resource count for the group's level at every
            // enclosing instance of the rule's scope kind (a group that may
            // edit one app is rated at its workspace).
            let mut inside: Vec<Vec<usize>> = vec![Vec::new(); self.m.resources.len()];
            for rj in 0..self.m.resources.len() {
                for a in self.m.ancestors(ResId::from_index(rj)) {
                    if self.m.resource(a).map(|r| r.kind) == Some(rule.scope) {
                        if let Some(list) = inside.get_mut(a.index()) {
                            list.push(rj);
                        }
                    }
                }
            }
            for ri in 0..self.m.resources.len() {
                if self.m.resources.get(ri).map(|r| r.kind) != Some(rule.scope) {
                    continue;
                }
                let Some(held) = self.held.get(ri) else {
                    continue;
                };
                let grants: Vec<(UserId, PermId, Origin)> = inside
                    .get(ri)
                    .into_iter()
                    .flatten()
                    .filter_map(|rj| self.grants.get(*rj))
                    .flatten()
                    .copied()
                    .collect();
                let mut added: HashMap<UserId, (usize, GroupId)> = HashMap::new();
                // Each holder's highest level here, computed once (not per
                // group member).
                let mut levels: Option<HashMap<UserId, usize>> = None;
                for (gi, (_, gmembers)) in self.m.groups.iter().enumerate() {
                    let g = GroupId::from_index(gi);
                    let mut perms = BitSet::with_capacity(model.perms.len());
                    let mut any = false;
                    for (_, h) in held.iter().filter(|(_, h)| h.origin == Origin::Group(g)) {
                        if let Some(cr) = compiled.role(h.role) {
                            perms.union_with(&cr.always);
                            any = true;
                        }
                    }
                    for (_, p, _) in grants
                        .iter()
                        .filter(|(_, _, o)| *o == Origin::GroupGrant(g))
                    {
                        perms.insert(p.index());
                        any = true;
                    }
                    if !any {
                        continue;
                    }
                    let level = rank.ascending.iter().position(|r| {
                        compiled.role(*r).is_some_and(|cr| {
                            let mut can = cr.always.clone();
                            can.union_with(&cr.configurable);
                            can.union_with(&cr.grantable);
                            // A group of permissions is covered when its
                            // members are, configurable ones included.
                            crate::compile::close_groups(model, &mut can);
                            perms.is_subset(&can)
                        })
                    });
                    let Some(level) = level else { continue };
                    if let Some(b) = bound.filter(|b| level > *b) {
                        return Err(self.above_bound(raw, ri, g, &inside, rank, level, b));
                    }
                    let levels = levels.get_or_insert_with(|| {
                        let mut top: HashMap<UserId, usize> = HashMap::new();
                        for (v, h) in held {
                            if let Some(l) = rank.ascending.iter().position(|r| *r == h.role) {
                                let e = top.entry(*v).or_insert(l);
                                *e = (*e).max(l);
                            }
                        }
                        top
                    });
                    for &u in gmembers {
                        let current = levels.get(&u).copied();
                        if current.is_none_or(|c| c < level) {
                            // A user in several groups reaches the highest
                            // of their levels (not each of them).
                            let e = added.entry(u).or_insert((level, g));
                            if level > e.0 {
                                *e = (level, g);
                            }
                        }
                    }
                }
                let mut added: Vec<(UserId, (usize, GroupId))> = added.into_iter().collect();
                added.sort_by_key(|(u, _)| *u);
                if let Some(list) = self.held.get_mut(ri) {
                    list.extend(added.into_iter().filter_map(|(u, (level, g))| {
                        let role = *rank.ascending.get(level)?;
                        Some((
                            u,
                            Held {
                                role,
                                origin: Origin::Upgrade(g),
                            },
                        ))
                    }));
                }
            }
        }
        Ok(())
    }

    /// `upgrade roles up to ROLE`: a group whose level on resource `ri`
    /// ranks above ROLE. Points at the group's binding there, else at its
    /// first grant on a resource inside.
    #[expect(
        clippy::too_many_arguments,
        reason = "the error path of one loop; every argument is what it reports"
    )]
    fn above_bound(
        &self,
        raw: &RawMembers,
        ri: usize,
        g: GroupId,
        inside: &[Vec<usize>],
        rank: &crate::resolve::Rank,
        level: usize,
        bound: usize,
    ) -> DataError {
        let model = &self.policy.model;
        let code = Places::GROUP | g.0;
        let res = ResId::from_index(ri);
        let at = Places::find(&self.places.roles, Places::key(res, code))
            .or_else(|| {
                inside.get(ri).into_iter().flatten().find_map(|rj| {
                    Places::find(
                        &self.places.grants,
                        Places::key(ResId::from_index(*rj), code),
                    )
                })
            })
            .or_else(|| raw.resources.get(ri).map(|r| r.name.1))
            .unwrap_or_default();
        let name = |i: usize| rank.ascending.get(i).map_or("", |r| model.role_name(*r));
        let group = escape(self.m.group_name(g));
        DataError::new(
            "E0414",
            format!(
                "`group:{group}` is at the level of `{}` on `{}`, above `{}`",
                name(level),
                escape(self.m.res_name(res)),
                name(bound)
            ),
            At::from(at),
            format!("`group:{group}` holds what only `{}` holds", name(level)),
        )
        .note(format!(
            "the policy upgrades group members on `{}` up to `{}`: no custom group may rank above it",
            model.scope_name(rank.scope),
            name(bound)
        ))
        .help(format!(
            "bind or grant `group:{group}` no more than `{}` holds",
            name(bound)
        ))
    }

    /// Editions without RBAC: every member (listed, bound to something on
    /// the resource, or joined by containment) of an instance of a fallback
    /// role's kind holds that role. A resource with no members gives it to
    /// nobody: membership is data, and removing data never widens access.
    fn fallback(&mut self) {
        let Some(eid) = self.m.edition else { return };
        let model = &self.policy.model;
        let Some(edition) = model.editions.get(eid.index()) else {
            return;
        };
        for &fallback in &edition.fallbacks {
            let scope = model.role(fallback).map(|r| r.scope).unwrap_or_default();
            for (ri, res) in self.m.resources.iter().enumerate() {
                if res.kind != scope {
                    continue;
                }
                if let Some(list) = self.held.get_mut(ri) {
                    for &u in &res.members {
                        list.push((
                            u,
                            Held {
                                role: fallback,
                                origin: Origin::Fallback(eid),
                            },
                        ));
                    }
                }
            }
        }
    }

    /// `members of INNER are members of OUTER`: the members of each
    /// instance of INNER join its enclosing instance of OUTER, after that
    /// instance's own members (listed, then holders), in sign-up order.
    /// Containers are filled deepest kind first, so that a chain of rules
    /// carries members up, and a member already in the order keeps their
    /// place (bootstrap reads the same first members as without the rule).
    fn containment(&mut self) {
        let model = &self.policy.model;
        if model.containments.is_empty() {
            return;
        }
        let mut outers: Vec<ScopeId> = model.containments.iter().map(|c| c.outer).collect();
        outers.sort_by_key(|s| (std::cmp::Reverse(model.scope_chain(*s).len()), *s));
        outers.dedup();
        for outer in outers {
            let mut joining: Vec<Vec<UserId>> = vec![Vec::new(); self.m.resources.len()];
            for (ri, res) in self.m.resources.iter().enumerate() {
                if !model
                    .containments
                    .iter()
                    .any(|c| c.outer == outer && c.inner == res.kind)
                {
                    continue;
                }
                let container = self
                    .m
                    .ancestors(ResId::from_index(ri))
                    .find(|a| self.m.resource(*a).map(|r| r.kind) == Some(outer));
                if let Some(list) = container.and_then(|c| joining.get_mut(c.index())) {
                    list.extend(res.members.iter().copied());
                }
            }
            for (oi, mut users) in joining.into_iter().enumerate() {
                if users.is_empty() {
                    continue;
                }
                let Some(res) = self.m.resources.get_mut(oi) else {
                    continue;
                };
                self.marks.clear();
                for &u in &res.members {
                    self.marks.insert(u);
                }
                users.sort();
                users.dedup();
                res.members
                    .extend(users.into_iter().filter(|&u| !self.marks.contains(u)));
            }
        }
    }

    /// `at least one ROLE per SCOPE`: every instance of SCOPE has a user
    /// holding ROLE there, after bootstrap, defaults, groups and upgrades
    /// (what `holds` lists; roles held on an enclosing resource do not
    /// count).
    fn at_least(&self, raw: &RawMembers) -> Result<()> {
        let model = &self.policy.model;
        for rule in &model.at_least {
            for (ri, res) in self.m.resources.iter().enumerate() {
                if res.kind != rule.scope {
                    continue;
                }
                let held = self.held.get(ri).map_or(&[][..], Vec::as_slice);
                if held.iter().any(|(_, h)| h.role == rule.role) {
                    continue;
                }
                let role = model.role_name(rule.role);
                let kind = model.scope_name(rule.scope);
                let at = raw.resources.get(ri).map(|r| r.name.1).unwrap_or_default();
                let help = if res.members.is_empty() {
                    format!("list its members under `members:` and bind `{role}` to one of them")
                } else {
                    format!(
                        "bind `{role}` to one of its members: {}",
                        res.members
                            .iter()
                            .take(5)
                            .map(|u| format!("`{}`", escape(self.m.user_name(*u))))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                return Err(DataError::new(
                    "E0413",
                    format!("`{}` has no `{role}`", escape(&res.name)),
                    At::from(at),
                    format!("no member holds `{role}` here"),
                )
                .note(format!(
                    "the policy requires at least one `{role}` per `{kind}` (the product refuses to remove the last one)"
                ))
                .help(help));
            }
        }
        Ok(())
    }

    /// Builds the entries and the index.
    fn index(&mut self) {
        let compiled = &self.policy.compiled;
        let model = &self.policy.model;
        let held = std::mem::take(&mut self.held);
        let grants = std::mem::take(&mut self.grants);
        // Everything given, keyed by (user, resource), then sorted by key:
        // one flat vector instead of a growing entry per key. It is written
        // resource by resource, so a stable counting sort by user (linear)
        // sorts it by key, and an entry keeps the order things were written
        // in (its explanations cite the first role that grants).
        let n: usize =
            held.iter().map(Vec::len).sum::<usize>() + grants.iter().map(Vec::len).sum::<usize>();
        // (Packed, 16 bytes an item: a large file gives hundreds of
        // thousands.)
        let mut given: Vec<(u64, Item)> = Vec::with_capacity(n);
        for (ri, (hs, gs)) in held.into_iter().zip(grants).enumerate() {
            let res = ResId::from_index(ri);
            given.extend(
                hs.into_iter()
                    .map(|(u, h)| (key(u, res), Item::pack(Given::Role(h)))),
            );
            for (u, p, o) in gs {
                let k = key(u, res);
                given.push((k, Item::pack(Given::Grant(p, o))));
                // Holding a permission that `implies ROLE on every SCOPE`
                // means holding ROLE on the contained instances: the entry
                // holds the implied role (with the grant as its origin).
                for i in model.perm(p).map_or(&[][..], |x| x.implies.as_slice()) {
                    let h = Held {
                        role: i.role,
                        origin: o,
                    };
                    given.push((k, Item::pack(Given::Role(h))));
                }
            }
        }
        let given = by_user(given, self.m.users.len());
        // Each distinct list of things given is stored once (a profile), and
        // each distinct permission set once.
        let mut profile_ids: HashMap<Vec<Item>, u32> = HashMap::new();
        let mut set_ids: HashMap<BitSet, u32> = HashMap::new();
        let mut list: Vec<Item> = Vec::new();
        let mut entries: Vec<index::Built> = Vec::with_capacity(given.len());
        let m = &mut self.m;
        let id = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        for group in given.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(k, _)) = group.first() else {
                continue;
            };
            list.clear();
            for &(_, item) in group {
                // The same role with the same origin (a role implied twice
                // by one grant's permissions) is kept once.
                if !(item.role().is_some() && list.contains(&item)) {
                    list.push(item);
                }
            }
            let profile = match profile_ids.get(&list) {
                Some(&p) => p,
                None => {
                    let mut always = BitSet::with_capacity(model.perms.len());
                    let mut configurable = false;
                    for &item in &list {
                        match (item.role(), item.perm()) {
                            (Some(r), _) => {
                                if let Some(cr) = compiled.role(r) {
                                    always.union_with(&cr.always);
                                    configurable |= !cr.config_grants.is_empty();
                                }
                            }
                            (None, Some(p)) => always.insert(p.index()),
                            (None, None) => {}
                        }
                    }
                    crate::compile::close_groups(model, &mut always);
                    let set = match set_ids.get(&always) {
                        Some(&s) => s,
                        None => {
                            m.sets.push(always.clone());
                            set_ids.insert(always, id(m.sets.len() - 1));
                            id(m.sets.len() - 1)
                        }
                    };
                    let start = m.items.len();
                    m.items.extend_from_slice(&list);
                    m.profiles.push(Profile {
                        set,
                        configurable,
                        items: (id(start), id(m.items.len())),
                    });
                    let p = id(m.profiles.len() - 1);
                    profile_ids.insert(list.clone(), p);
                    p
                }
            };
            entries.push(index::Built {
                user: UserId((k >> 32) as u32),
                res: ResId(k as u32),
                profile,
            });
        }
        m.sets.shrink_to_fit();
        m.profiles.shrink_to_fit();
        m.items.shrink_to_fit();
        let shape = index::Shape {
            model,
            resources: &m.resources,
            users: m.users.len(),
            profiles: m
                .profiles
                .iter()
                .map(|p| {
                    let bits = m.sets.get(p.set as usize).map_or(0, index::bits_of);
                    (bits, p.configurable)
                })
                .collect(),
        };
        m.index = index::build(&shape, &entries);
    }
}

/// A stable counting sort of keyed items by the user half of their key.
fn by_user<T: Copy + Default>(items: Vec<(u64, T)>, users: usize) -> Vec<(u64, T)> {
    let user = |k: u64| (k >> 32) as usize;
    let mut next = vec![0usize; users + 1];
    for &(k, _) in &items {
        if let Some(c) = next.get_mut(user(k) + 1) {
            *c += 1;
        }
    }
    let mut sum = 0;
    for c in &mut next {
        sum += *c;
        *c = sum;
    }
    let mut out = vec![(u64::MAX, T::default()); items.len()];
    for item in items {
        if let Some(at) = next.get_mut(user(item.0)) {
            if let Some(slot) = out.get_mut(*at) {
                *slot = item;
            }
            *at += 1;
        }
    }
    out
}

/// Where a member is listed in a resource's `members:`, or the resource.
fn listed_at(raw: &RawMembers, ri: usize, user: &str) -> Pos {
    let Some(r) = raw.resources.get(ri) else {
        return Pos::default();
    };
    r.members
        .iter()
        .find(|(m, _)| m == user)
        .map_or(r.name.1, |(_, at)| *at)
}

#[derive(Copy, Clone)]
enum Subject {
    User(UserId),
    Group(GroupId),
}

impl Subject {
    /// The subject's code in a [`Places`] key.
    fn code(self) -> u32 {
        match self {
            Subject::User(u) => u.0,
            Subject::Group(g) => Places::GROUP | g.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_empty_in_one_step() {
        let mut m = Marks::new(4);
        assert!(m.insert(UserId(2)) && !m.insert(UserId(2)));
        assert!(m.contains(UserId(2)) && !m.contains(UserId(1)));
        m.clear();
        assert!(!m.contains(UserId(2)) && m.insert(UserId(2)));
        // Past the users it knows, nothing is ever "already in".
        assert!(m.insert(UserId(9)) && m.insert(UserId(9)) && !m.contains(UserId(9)));
        m.now = u32::MAX;
        m.clear();
        assert!(!m.contains(UserId(2)));
    }

    #[test]
    fn the_counting_sort_is_stable_and_sorts_by_key() {
        let g = |p: u32| p;
        let k = |u: u32, r: u32| key(UserId(u), ResId(r));
        // Written resource by resource, as `index` writes them.
        let items = vec![
            (k(2, 0), g(1)),
            (k(0, 0), g(2)),
            (k(2, 0), g(3)),
            (k(1, 1), g(4)),
            (k(0, 1), g(5)),
            (k(2, 3), g(6)),
        ];
        let mut expected = items.clone();
        expected.sort_by_key(|&(k, _)| k);
        assert_eq!(by_user(items, 3), expected);
    }
}
