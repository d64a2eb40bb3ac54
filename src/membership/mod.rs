//! Membership data: users, groups, the resource tree, role bindings, direct
//! grants and settings, loaded from YAML against a compiled policy.
//!
//! Loading validates everything (unknown names, wrong scope kinds, broken
//! cardinality rules, missing parents, duplicate keys) and builds what
//! evaluation reads: per user, a row of the resources where the user holds
//! something, each with the user's profile there (roles and grants with
//! their origins, and their permissions as a shared bitset) and the
//! permission bits of the one-probe check (`index.rs`).

mod build;
mod builder;
mod errors;
pub(crate) mod index;
mod names;
mod names_check;
pub(crate) mod raw;
pub(crate) mod read;
mod yaml;

pub use builder::{MembersBuilder, ResourceRef};
pub(crate) use errors::At;
pub use errors::{DataError, DataErrorKind, Pos};
pub(crate) use names::Names;

use crate::compile::BitSet;
use crate::diagnostic::{Report, Sources};
use crate::policy::Policy;
use crate::resolve::{EditionId, PermId, RoleId, ScopeId};
use std::collections::HashMap;

macro_rules! data_id {
    ($(#[$doc:meta] $name:ident),*) => {$(
        #[$doc]
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);
        impl $name {
            /// The id as an index.
            pub fn index(self) -> usize { self.0 as usize }
            /// The id of an index.
            pub fn from_index(i: usize) -> Self { $name(u32::try_from(i).unwrap_or(u32::MAX)) }
        }
    )*};
}

data_id!(
    /// A user.
    UserId,
    /// A resource (scope instance).
    ResId,
    /// A custom group.
    GroupId
);

/// Why a user holds a role or permission at a resource.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An explicit binding of the user.
    Binding,
    /// A binding of a group the user is in.
    Group(GroupId),
    /// The default role of a cardinality rule (index into the model's rules).
    Default(u32),
    /// A bootstrap rule (index into the model's rules); the user's 1-based
    /// position in join order.
    Bootstrap(u32, u32),
    /// The fallback role of an edition without RBAC.
    Fallback(EditionId),
    /// Raised to the level of a custom group (`upgrade roles`).
    Upgrade(GroupId),
    /// A direct grant to the user.
    Direct,
    /// A direct grant to a group the user is in.
    GroupGrant(GroupId),
}

/// A role held at a resource, and why.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// The role.
    pub role: RoleId,
    /// Why.
    pub origin: Origin,
}

/// Everything one user holds at one resource: read through
/// `Members::entry`.
#[derive(Copy, Clone, Debug)]
pub struct EntryRef<'a> {
    /// Union of the held roles' effective permissions and direct grants.
    pub always: &'a BitSet,
    /// Whether some held role has configurable grants.
    pub has_configurable: bool,
    items: &'a [Item],
    /// Bootstrap positions, read back by explanations.
    boot: &'a HashMap<(ResId, UserId), u32>,
    res: ResId,
    user: UserId,
}

impl<'a> EntryRef<'a> {
    /// The roles held, in the order they were given, without their origins:
    /// what decisions read (decoding a bootstrap origin looks the user's
    /// position up; only explanations need that).
    pub fn role_ids(&self) -> impl Iterator<Item = RoleId> + 'a {
        self.items
            .iter()
            .filter(|it| it.what & GRANT_BIT == 0)
            .map(|it| RoleId(it.what))
    }

    /// Roles held, with their origin, in the order they were given.
    pub fn roles(&self) -> impl Iterator<Item = Held> + 'a {
        let (boot, res, user) = (self.boot, self.res, self.user);
        let pos = move || boot.get(&(res, user)).copied().unwrap_or(0);
        self.items
            .iter()
            .filter_map(move |it| match it.unpack(pos) {
                Given::Role(h) => Some(h),
                Given::Grant(..) => None,
            })
    }

    /// Direct grants, with their origin.
    pub fn grants(&self) -> impl Iterator<Item = (PermId, Origin)> + 'a {
        let (boot, res, user) = (self.boot, self.res, self.user);
        let pos = move || boot.get(&(res, user)).copied().unwrap_or(0);
        self.items
            .iter()
            .filter_map(move |it| match it.unpack(pos) {
                Given::Grant(p, o) => Some((p, o)),
                Given::Role(_) => None,
            })
    }
}

/// What one (user, resource) entry is given, shared by every entry given
/// the same roles and grants with the same origins (in a workload of
/// viewers, editors and admins, a handful of profiles serve every entry).
#[derive(Copy, Clone, Debug)]
struct Profile {
    /// Index into `Members::sets`.
    set: u32,
    /// Whether a held role has configurable grants.
    configurable: bool,
    /// Range of `Members::items`.
    items: (u32, u32),
}

/// What a (user, resource) entry is given: a role or a direct grant.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Given {
    Role(Held),
    Grant(PermId, Origin),
}

/// A [`Given`] packed in 8 bytes: the role or permission id (the top bit
/// tells which), and the origin as a 3-bit kind and a 29-bit payload. A
/// bootstrap origin keeps its rule; the user's position in join order is
/// read back from `Members::boot_pos`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
struct Item {
    what: u32,
    origin: u32,
}

const GRANT_BIT: u32 = 1 << 31;
const PAYLOAD: u32 = (1 << 29) - 1;

impl Item {
    fn pack(g: Given) -> Item {
        let (what, origin) = match g {
            Given::Role(h) => (h.role.0 & !GRANT_BIT, h.origin),
            Given::Grant(p, o) => (p.0 | GRANT_BIT, o),
        };
        let (kind, payload) = match origin {
            Origin::Binding => (0, 0),
            Origin::Group(g) => (1, g.0),
            Origin::Default(i) => (2, i),
            Origin::Bootstrap(i, _) => (3, i),
            Origin::Fallback(e) => (4, e.0),
            Origin::Upgrade(g) => (5, g.0),
            Origin::Direct => (6, 0),
            Origin::GroupGrant(g) => (7, g.0),
        };
        // Payloads are indices of groups, rules and editions: far below
        // 2^29 within the input limits.
        Item {
            what,
            origin: (kind << 29) | payload.min(PAYLOAD),
        }
    }

    /// The role, when a role is given.
    fn role(self) -> Option<RoleId> {
        (self.what & GRANT_BIT == 0).then_some(RoleId(self.what))
    }

    /// The permission, when a direct grant is given.
    fn perm(self) -> Option<PermId> {
        (self.what & GRANT_BIT != 0).then_some(PermId(self.what & !GRANT_BIT))
    }

    fn unpack(self, pos: impl FnOnce() -> u32) -> Given {
        let payload = self.origin & PAYLOAD;
        let origin = match self.origin >> 29 {
            0 => Origin::Binding,
            1 => Origin::Group(GroupId(payload)),
            2 => Origin::Default(payload),
            3 => Origin::Bootstrap(payload, pos()),
            4 => Origin::Fallback(EditionId(payload)),
            5 => Origin::Upgrade(GroupId(payload)),
            6 => Origin::Direct,
            _ => Origin::GroupGrant(GroupId(payload)),
        };
        if self.what & GRANT_BIT == 0 {
            Given::Role(Held {
                role: RoleId(self.what),
                origin,
            })
        } else {
            Given::Grant(PermId(self.what & !GRANT_BIT), origin)
        }
    }
}

/// A resource (an instance of a scope kind).
#[derive(Clone, Debug)]
pub struct Resource {
    /// Its id, `kind:path`.
    pub name: String,
    /// Its scope kind.
    pub kind: ScopeId,
    /// The enclosing resource.
    pub parent: Option<ResId>,
    /// Members in join order.
    pub members: Vec<UserId>,
}

/// Packs a (user, resource) pair into one key: sorting keys sorts by
/// user, then resource.
#[inline]
pub fn key(user: UserId, res: ResId) -> u64 {
    (u64::from(user.0) << 32) | u64::from(res.0)
}

/// A "did you mean" for a name of the data: the closest name within the
/// edit distance [`did_you_mean`](crate::suggest::did_you_mean) allows, or
/// else one that the name starts with or that starts with it (`bobby` for
/// `bob`, `role` for `roles`).
pub(crate) fn suggest_name(name: &str, candidates: &[&str]) -> Option<String> {
    crate::suggest::did_you_mean(name, candidates.iter().copied()).or_else(|| {
        if name.chars().count() < 3 {
            return None;
        }
        candidates
            .iter()
            .copied()
            .filter(|c| {
                c.chars().count() >= 3 && *c != name && (name.starts_with(c) || c.starts_with(name))
            })
            .min_by_key(|c| (c.len().abs_diff(name.len()), *c))
            .map(str::to_string)
    })
}

/// Loaded, validated membership data and its evaluation index.
#[derive(Clone, Debug)]
pub struct Members {
    /// The file name.
    pub(crate) name: String,
    /// The edition in force.
    pub(crate) edition: Option<EditionId>,
    /// Users in sign-up order.
    pub(crate) users: Names,
    /// Custom groups: name and members.
    pub(crate) groups: Vec<(String, Vec<UserId>)>,
    /// Resources in file order.
    pub(crate) resources: Vec<Resource>,
    /// The distinct permission sets of the profiles.
    sets: Vec<BitSet>,
    /// What entries are given, each distinct list once.
    profiles: Vec<Profile>,
    /// The roles and direct grants of every profile, one after another.
    items: Vec<Item>,
    /// Per user, the resources where the user holds something, with the
    /// entry there and the permission bits of the one-probe check.
    pub(crate) index: index::Index,
    /// (resource, declaring role, permission) → switched on?
    pub(crate) settings: HashMap<(ResId, RoleId, PermId), bool>,
    res_ids: HashMap<String, ResId>,
    group_ids: HashMap<String, GroupId>,
    /// The fingerprint and name of the policy the data was loaded against.
    bound_to: (u64, String),
    /// Where the data binds, grants and sets things, for explanations.
    places: Places,
    /// (resource, user) → position in join order of each user a bootstrap
    /// rule gives a role (read by explanations, so no member list is
    /// scanned per user).
    boot_pos: HashMap<(ResId, UserId), u32>,
    /// Warnings about the data (W0412: names that look alike); loading
    /// succeeded.
    pub(crate) warnings: Vec<DataError>,
}

/// Where the data names a binding, a direct grant or a setting, kept at
/// load so that explanations cite `file:line:col` without the file: per
/// kind, (resource, subject or role) keys with their position, sorted.
#[derive(Clone, Debug, Default)]
struct Places {
    roles: Vec<(u64, Pos)>,
    grants: Vec<(u64, Pos)>,
    settings: Vec<(u64, Pos)>,
}

impl Places {
    /// The top bit of a subject code that is a group.
    const GROUP: u32 = 1 << 31;

    fn key(res: ResId, code: u32) -> u64 {
        (u64::from(res.0) << 32) | u64::from(code)
    }

    fn sort(&mut self) {
        for list in [&mut self.roles, &mut self.grants, &mut self.settings] {
            list.sort_unstable_by_key(|&(k, _)| k);
            list.shrink_to_fit();
        }
    }

    fn find(list: &[(u64, Pos)], key: u64) -> Option<Pos> {
        let i = list.binary_search_by_key(&key, |&(k, _)| k).ok()?;
        list.get(i).map(|&(_, p)| p).filter(|p| p.line > 0)
    }
}

/// What an explanation cites in the data.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The binding of a user on a resource (`roles:`).
    UserRoles(UserId),
    /// The binding of a group on a resource (`roles:`).
    GroupRoles(GroupId),
    /// A direct grant to a user.
    UserGrants(UserId),
    /// A direct grant to a group.
    GroupGrants(GroupId),
    /// The settings of a role.
    Settings(RoleId),
}

impl Members {
    /// Loads membership YAML against a policy. Any problem gives a report
    /// pointing into the YAML file.
    ///
    /// The text is not kept: the positions explanations cite are kept at
    /// load.
    pub fn from_yaml(policy: &Policy, name: &str, text: &str) -> Result<Members, Report> {
        Self::from_raw(policy, name, text, Self::read(text))
    }

    /// Reads a membership file into the raw data: the YAML read by the one
    /// reader (syntax, duplicate keys, limits), then mapped by the layout.
    #[expect(
        clippy::result_large_err,
        reason = "a data error ends loading at once; it is built once per load"
    )]
    pub(crate) fn read(text: &str) -> Result<raw::RawMembers, DataError> {
        // A byte order mark is allowed at the start of a YAML stream.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.len() > crate::limits::MAX_MEMBERS_BYTES {
            return Err(DataError::new(
                "E0407",
                format!(
                    "membership file is {} bytes, larger than the limit of {} bytes",
                    text.len(),
                    crate::limits::MAX_MEMBERS_BYTES
                ),
                At::Start,
                "file starts here",
            ));
        }
        let docs = read::read_all(text, 1)?;
        yaml::members(docs.first().and_then(read::Doc::root))
    }

    /// Reads membership data written inline in another YAML document (a
    /// test file's `members:`) from its node.
    #[expect(
        clippy::result_large_err,
        reason = "a data error ends loading at once; it is built once per load"
    )]
    pub(crate) fn read_node(node: read::NodeRef<'_, '_>) -> Result<raw::RawMembers, DataError> {
        yaml::members(Some(node))
    }

    /// Loads raw data read already ([`Members::read`],
    /// [`Members::read_node`], or a read error); `text` is the file it was
    /// read from, for rendering an error.
    pub(crate) fn from_raw(
        policy: &Policy,
        name: &str,
        text: &str,
        raw: Result<raw::RawMembers, DataError>,
    ) -> Result<Members, Report> {
        let fail = |e: DataError| {
            let mut sources = Sources::new();
            let file = sources.add(name, text);
            Report {
                diagnostics: vec![e.to_diagnostic(file, text)],
                sources,
            }
        };
        build::build(policy, name, raw.map_err(fail)?).map_err(fail)
    }

    /// The name of the policy the data was loaded against, if its
    /// fingerprint differs from `policy`'s.
    pub(crate) fn bound_elsewhere(&self, policy: &Policy) -> Option<&str> {
        (self.bound_to.0 != policy.fingerprint).then_some(self.bound_to.1.as_str())
    }

    /// Keeps the YAML text the data was loaded from, so that explanation
    /// steps give their line and column in it. It costs the file's size in
    /// memory; decisions do not need it.
    /// Where the data writes what an explanation cites, as `file:line:col`.
    pub(crate) fn place(&self, res: ResId, what: Place) -> Option<String> {
        let p = &self.places;
        let (list, code) = match what {
            Place::UserRoles(u) => (&p.roles, u.0),
            Place::GroupRoles(g) => (&p.roles, Places::GROUP | g.0),
            Place::UserGrants(u) => (&p.grants, u.0),
            Place::GroupGrants(g) => (&p.grants, Places::GROUP | g.0),
            Place::Settings(r) => (&p.settings, r.0),
        };
        let at = Places::find(list, Places::key(res, code))?;
        Some(format!("{}:{}:{}", self.name, at.line, at.col))
    }

    /// The name the data was loaded under (its file name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Warnings about the data (W0412: names that look alike); loading
    /// succeeded. [`Members::warning_report`] renders them.
    pub fn warnings(&self) -> &[DataError] {
        &self.warnings
    }

    /// The users' names, in sign-up order (a [`UserId`]'s index).
    pub fn users(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.users.iter()
    }

    /// The resources' ids (`KIND:PATH`), in file order (a [`ResId`]'s
    /// index).
    pub fn resources(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.resources.iter().map(|r| r.name.as_str())
    }

    /// The custom groups' names, in order.
    pub fn groups(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.groups.iter().map(|g| g.0.as_str())
    }

    /// A user by name.
    pub fn user_id(&self, name: &str) -> Option<UserId> {
        self.users.find(name).map(UserId::from_index)
    }

    /// A resource by id.
    pub fn res_id(&self, name: &str) -> Option<ResId> {
        self.res_ids.get(name).copied()
    }

    /// A group by name.
    pub(crate) fn group_id(&self, name: &str) -> Option<GroupId> {
        self.group_ids.get(name).copied()
    }

    /// A user's name.
    pub fn user_name(&self, id: UserId) -> &str {
        self.users.get(id.index()).unwrap_or("")
    }

    /// A resource.
    pub(crate) fn resource(&self, id: ResId) -> Option<&Resource> {
        self.resources.get(id.index())
    }

    /// A resource's name.
    pub(crate) fn res_name(&self, id: ResId) -> &str {
        self.resource(id).map_or("", |r| r.name.as_str())
    }

    /// A group's name.
    pub(crate) fn group_name(&self, id: GroupId) -> &str {
        self.groups.get(id.index()).map_or("", |g| g.0.as_str())
    }

    /// What a user holds at a resource (not counting enclosing resources).
    #[inline]
    pub(crate) fn entry(&self, user: UserId, res: ResId) -> Option<EntryRef<'_>> {
        let p = self.profiles.get(self.index.profile(user, res)? as usize)?;
        Some(EntryRef {
            always: self.sets.get(p.set as usize)?,
            has_configurable: p.configurable,
            items: self.items.get(p.items.0 as usize..p.items.1 as usize)?,
            boot: &self.boot_pos,
            res,
            user,
        })
    }

    /// Number of (user, resource) entries.
    pub(crate) fn entry_count(&self) -> usize {
        self.index.entries()
    }

    /// Number of distinct profiles (what entries are given) the entries
    /// share.
    pub(crate) fn profile_count(&self) -> usize {
        self.profiles.len()
    }

    /// The resource and its ancestors, innermost first.
    pub(crate) fn ancestors(&self, res: ResId) -> impl Iterator<Item = ResId> + '_ {
        let mut cur = Some(res);
        let mut steps = 0usize;
        std::iter::from_fn(move || {
            let r = cur?;
            steps += 1;
            cur = if steps > self.resources.len() {
                None
            } else {
                self.resource(r).and_then(|x| x.parent)
            };
            Some(r)
        })
    }

    /// The warnings about the data as a report, rendered against the text
    /// (`None` without warnings).
    pub fn warning_report(&self, text: &str) -> Option<Report> {
        if self.warnings.is_empty() {
            return None;
        }
        let mut sources = Sources::new();
        let file = sources.add(self.name.clone(), text.to_string());
        let diagnostics = self
            .warnings
            .iter()
            .map(|w| w.to_diagnostic(file, text))
            .collect();
        Some(Report {
            diagnostics,
            sources,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const POLICY: &str = r#"
        scope org "Org"
        scope ws "Workspace" in org
        permissions on org { org.manage "Manage" }
        permissions on ws { ws.view "View"  ws.edit "Edit" }
        role owner on org "Owner" { grant org.manage }
        role member on org "Member"
        role viewer on ws "Viewer" { grant ws.view }
        role editor on ws "Editor" { include viewer  grant ws.edit }
        exactly one of owner, member per org default member
        bootstrap first 2 users of org as owner
    "#;

    fn load(yaml: &str) -> Members {
        let policy = crate::policy::compile("p.rbac", POLICY).unwrap();
        Members::from_yaml(&policy, "m.yaml", yaml).unwrap()
    }

    #[test]
    fn entries_given_the_same_share_one_profile() {
        let users: Vec<String> = (0..50).map(|i| format!("u{i}")).collect();
        let users = users.join(", ");
        let mut yaml =
            format!("users: [{users}]\nresources:\n  org:a:\n    members: [{users}]\n  ws:a/w:\n    roles:\n");
        for i in 0..50 {
            let role = if i % 2 == 0 { "viewer" } else { "editor" };
            yaml.push_str(&format!("      u{i}: {role}\n"));
        }
        let m = load(&yaml);
        // 50 org entries (2 bootstrapped owners, 48 default members) and
        // 50 workspace entries (viewers and editors): four profiles.
        assert_eq!(m.entry_count(), 100);
        assert_eq!(m.profiles.len(), 4);
        assert_eq!(m.sets.len(), 4);
        assert_eq!(m.items.len(), 4);
    }

    #[test]
    fn a_shared_bootstrap_profile_gives_each_user_their_own_position() {
        let m = load("users: [ana, ben, cy]\nresources:\n  org:a:\n    members: [cy, ana, ben]\n");
        let org = m.res_id("org:a").unwrap();
        let origin = |name: &str| {
            let e = m.entry(m.user_id(name).unwrap(), org).unwrap();
            e.roles().map(|h| h.origin).collect::<Vec<_>>()
        };
        assert_eq!(origin("cy"), vec![Origin::Bootstrap(0, 1)]);
        assert_eq!(origin("ana"), vec![Origin::Bootstrap(0, 2)]);
        assert_eq!(origin("ben"), vec![Origin::Default(0)]);
        assert_eq!(m.profiles.len(), 2);
        // Decisions read the same roles without decoding origins.
        for name in ["cy", "ana", "ben"] {
            let e = m.entry(m.user_id(name).unwrap(), org).unwrap();
            let roles: Vec<RoleId> = e.roles().map(|h| h.role).collect();
            assert_eq!(e.role_ids().collect::<Vec<_>>(), roles);
        }
    }

    #[test]
    fn the_builder_checks_what_a_file_is_checked_for() {
        let policy = crate::compile("p.rbac", POLICY).unwrap();
        let at = Pos::new(3, 5);
        let mut b = MembersBuilder::new();
        b.user("ana").user("ben");
        let org = b.resource("org:a");
        b.member(org, "ana");
        let ws = b.resource("ws:a/w");
        b.bind_at(ws, "bob", at, [("viewer", Pos::default())]);
        let e = b.clone().build(&policy, "program").unwrap_err();
        assert_eq!((e.code, e.at), ("E0402", At::Pos(at)));
        assert_eq!(e.help.as_deref(), Some("users here: `ana`, `ben`"));
        // Without positions, errors point at no line.
        let mut b = MembersBuilder::new();
        b.user("ana").user("ana");
        let e = b.build(&policy, "program").unwrap_err();
        assert_eq!((e.code, e.at), ("E0406", At::Start));
    }

    #[test]
    fn explanations_cite_positions_kept_at_load() {
        let m = load("users: [ana, ben]\nresources:\n  org:a: {}\n  ws:a/w:\n    roles:\n      ben: viewer\n");
        let ben = m.user_id("ben").unwrap();
        let ws = m.res_id("ws:a/w").unwrap();
        assert_eq!(
            m.place(ws, Place::UserRoles(ben)).as_deref(),
            Some("m.yaml:6:7")
        );
        assert_eq!(m.place(ws, Place::UserGrants(ben)), None);
    }

    #[test]
    fn every_origin_survives_packing() {
        let origins = [
            Origin::Binding,
            Origin::Group(GroupId(7)),
            Origin::Default(3),
            Origin::Fallback(EditionId(2)),
            Origin::Upgrade(GroupId(0)),
            Origin::Direct,
            Origin::GroupGrant(GroupId(PAYLOAD)),
        ];
        for origin in origins {
            let role = Given::Role(Held {
                role: RoleId(5),
                origin,
            });
            assert_eq!(Item::pack(role).unpack(|| 0), role);
            let grant = Given::Grant(PermId(9), origin);
            assert_eq!(Item::pack(grant).unpack(|| 0), grant);
        }
        let boot = Given::Role(Held {
            role: RoleId(1),
            origin: Origin::Bootstrap(3, 2),
        });
        assert_eq!(Item::pack(boot).unpack(|| 2), boot);
    }
}
