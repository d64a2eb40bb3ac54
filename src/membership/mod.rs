//! Membership data: users, groups, the resource tree, role bindings, direct
//! grants and settings, loaded from YAML against a compiled policy.
//!
//! Loading validates everything (unknown names, wrong scope kinds, broken
//! cardinality rules, missing parents, duplicate keys) and builds the index
//! evaluation reads: for every (user, resource) with something held there,
//! the union of effective permissions as a bitset.

mod build;
mod errors;
pub mod fast;
pub mod locate;
mod names;
pub mod raw;

pub(crate) use build::too_deep as yaml_too_deep;
pub use errors::{At, DataError};
pub use names::Names;

use crate::compile::BitSet;
use crate::diagnostic::{Diagnostic, Report, Sources};
use crate::resolve::{EditionId, PermId, RoleId, ScopeId};
use crate::Policy;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

macro_rules! data_id {
    ($(#[$doc:meta] $name:ident),*) => {$(
        #[$doc]
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
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

/// Everything one user holds at one resource, as stored: 16 bytes, with
/// the permission set shared by every entry with the same set and the roles
/// and direct grants in arenas of [`Members`]. Read it through
/// [`Members::entry`].
#[derive(Copy, Clone, Debug)]
pub struct Entry {
    set: u32,
    roles_at: u32,
    grants_at: u32,
    has_configurable: bool,
}

/// Everything one user holds at one resource.
#[derive(Copy, Clone, Debug)]
pub struct EntryRef<'a> {
    /// Union of the held roles' effective permissions and direct grants.
    pub always: &'a BitSet,
    /// Whether some held role has configurable grants.
    pub has_configurable: bool,
    /// Roles held, with their origin.
    pub roles: &'a [Held],
    /// Direct grants, with their origin.
    pub grants: &'a [(PermId, Origin)],
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

/// A fast hasher for the (user, resource) keys of the index: ids are dense
/// integers, so one multiply spreads them well enough.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 ^= self.0 >> 29;
    }
}

/// A map keyed by packed ids.
pub type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Packs a (user, resource) pair into one key.
#[inline]
pub fn key(user: UserId, res: ResId) -> u64 {
    (u64::from(user.0) << 32) | u64::from(res.0)
}

/// Loaded, validated membership data and its evaluation index.
#[derive(Clone, Debug)]
pub struct Members {
    /// The file name.
    pub name: String,
    /// The YAML text (kept to locate explanations).
    pub text: String,
    /// The edition in force.
    pub edition: Option<EditionId>,
    /// Users in sign-up order.
    pub users: Names,
    /// Custom groups: name and members.
    pub groups: Vec<(String, Vec<UserId>)>,
    /// Resources in file order.
    pub resources: Vec<Resource>,
    /// Entries of the index, in the order of their arenas.
    entries: Vec<Entry>,
    /// The distinct permission sets of the entries.
    sets: Vec<BitSet>,
    /// The roles of every entry, entry after entry.
    held: Vec<Held>,
    /// The direct grants of every entry, entry after entry.
    direct: Vec<(PermId, Origin)>,
    /// (user, resource) → entry.
    pub index: IdMap<u32>,
    /// (resource, declaring role, permission) → switched on?
    pub settings: HashMap<(ResId, RoleId, PermId), bool>,
    /// The fast index (one probe per check), when small enough to build.
    pub fast: Option<fast::FastIndex>,
    res_ids: HashMap<String, ResId>,
    group_ids: HashMap<String, GroupId>,
}

impl Members {
    /// Loads membership YAML against a policy. Any problem gives a report
    /// pointing into the YAML file.
    pub fn from_yaml(policy: &Policy, name: &str, text: &str) -> Result<Members, Report> {
        let fail = |e: DataError| {
            let mut sources = Sources::new();
            let file = sources.add(name, text);
            Report {
                diagnostics: vec![e.to_diagnostic(file, text)],
                sources,
            }
        };
        let raw = build::read_raw(text).map_err(fail)?;
        build::build(policy, name, text, raw).map_err(fail)
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
    pub fn group_id(&self, name: &str) -> Option<GroupId> {
        self.group_ids.get(name).copied()
    }

    /// A user's name.
    pub fn user_name(&self, id: UserId) -> &str {
        self.users.get(id.index()).unwrap_or("")
    }

    /// A resource.
    pub fn resource(&self, id: ResId) -> Option<&Resource> {
        self.resources.get(id.index())
    }

    /// A resource's name.
    pub fn res_name(&self, id: ResId) -> &str {
        self.resource(id).map_or("", |r| r.name.as_str())
    }

    /// A group's name.
    pub fn group_name(&self, id: GroupId) -> &str {
        self.groups.get(id.index()).map_or("", |g| g.0.as_str())
    }

    /// What a user holds at a resource (not counting enclosing resources).
    #[inline]
    pub fn entry(&self, user: UserId, res: ResId) -> Option<EntryRef<'_>> {
        let i = *self.index.get(&key(user, res))?;
        self.entry_at(i as usize)
    }

    /// The entry at an index of [`Members::index`].
    pub fn entry_at(&self, i: usize) -> Option<EntryRef<'_>> {
        let e = self.entries.get(i)?;
        let next = self.entries.get(i + 1);
        let roles_end = next.map_or(self.held.len(), |n| n.roles_at as usize);
        let grants_end = next.map_or(self.direct.len(), |n| n.grants_at as usize);
        Some(EntryRef {
            always: self.sets.get(e.set as usize)?,
            has_configurable: e.has_configurable,
            roles: self.held.get(e.roles_at as usize..roles_end)?,
            grants: self.direct.get(e.grants_at as usize..grants_end)?,
        })
    }

    /// Number of (user, resource) entries.
    pub fn entry_count(&self) -> usize {
        self.entries.len()
    }

    /// The resource and its ancestors, innermost first.
    pub fn ancestors(&self, res: ResId) -> impl Iterator<Item = ResId> + '_ {
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

    /// Drops the YAML text, which is kept only to give explanation steps
    /// their line and column in the membership file. A long-running
    /// embedder that never shows those locations saves the file's size in
    /// memory; decisions are unchanged, and explanations keep every step,
    /// citing the data without a location.
    pub fn forget_source(&mut self) {
        self.text = String::new();
    }

    /// Renders a data error (for callers that build their own).
    pub fn diagnostic(&self, e: &DataError, sources: &mut Sources) -> Diagnostic {
        let file = sources.add(self.name.clone(), self.text.clone());
        e.to_diagnostic(file, &self.text)
    }
}
