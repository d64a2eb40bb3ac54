//! The membership data as written, with the position of every name: what
//! a front end (the YAML file, or a program through [`MembersBuilder`])
//! hands to the bind stage. Nothing here is checked yet.
//!
//! [`MembersBuilder`]: super::MembersBuilder

use super::errors::Pos;
use super::names::Names;

/// A name and where it is written (`Pos::default()`, line 0, when it comes
/// from no file).
pub type Named = (String, Pos);

/// A resource's `roles:` or `grants:`: subject → names, in order.
///
/// Kept compact: every key and name in one string, with their ends and
/// positions. A large file has hundreds of thousands of bindings; as a
/// pair of `String`s each would cost some 120 bytes and two allocations.
/// Here a binding costs its text and 12 bytes a name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawBindings {
    text: String,
    /// End in `text` of each key and each name, in order.
    ends: Vec<u32>,
    /// Position of each key and each name.
    pos: Vec<Pos>,
    /// Per binding, the index in `ends` of its key; its names follow it,
    /// up to the next binding's key.
    keys: Vec<u32>,
}

/// The names of one binding (`admin`, or `[a, b]`).
#[derive(Copy, Clone, Debug)]
pub struct BindingNames<'a> {
    of: &'a RawBindings,
    /// Indices in `of.ends`.
    first: usize,
    end: usize,
}

impl<'a> BindingNames<'a> {
    /// How many names.
    pub fn len(&self) -> usize {
        self.end - self.first
    }

    /// Whether there are none (`role: []`).
    pub fn is_empty(&self) -> bool {
        self.first == self.end
    }

    /// The names, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let of = self.of;
        (self.first..self.end).map(move |i| of.piece(i))
    }

    /// The names with their positions.
    pub fn with_pos(&self) -> impl ExactSizeIterator<Item = (&'a str, Pos)> + 'a {
        let of = self.of;
        (self.first..self.end)
            .map(move |i| (of.piece(i), of.pos.get(i).copied().unwrap_or_default()))
    }
}

impl RawBindings {
    /// Number of bindings.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The bindings in order: subject and names.
    pub fn iter(&self) -> impl Iterator<Item = (&str, BindingNames<'_>)> + '_ {
        self.iter_pos().map(|(s, _, n)| (s, n))
    }

    /// The bindings in order: subject, its position, and names.
    pub fn iter_pos(&self) -> impl Iterator<Item = (&str, Pos, BindingNames<'_>)> + '_ {
        (0..self.keys.len()).map(move |i| {
            let first = self.keys.get(i).map_or(0, |&k| k as usize);
            let end = self
                .keys
                .get(i + 1)
                .map_or(self.ends.len(), |&k| k as usize);
            let names = BindingNames {
                of: self,
                first: first + 1,
                end: end.max(first + 1),
            };
            let pos = self.pos.get(first).copied().unwrap_or_default();
            (self.piece(first), pos, names)
        })
    }

    /// Starts a binding; `None` past 4 GiB of text or 4 billion pieces.
    pub fn push_key(&mut self, key: &str, pos: Pos) -> Option<()> {
        let k = u32::try_from(self.ends.len()).ok()?;
        self.push_piece(key, pos)?;
        self.keys.push(k);
        Some(())
    }

    /// Adds a name to the last binding.
    pub fn push_name(&mut self, name: &str, pos: Pos) -> Option<()> {
        self.push_piece(name, pos)
    }

    fn push_piece(&mut self, s: &str, pos: Pos) -> Option<()> {
        let end = u32::try_from(self.text.len().checked_add(s.len())?).ok()?;
        self.text.push_str(s);
        self.ends.push(end);
        self.pos.push(pos);
        Some(())
    }

    fn piece(&self, i: usize) -> &str {
        let start = i
            .checked_sub(1)
            .and_then(|p| self.ends.get(p))
            .map_or(0, |&e| e as usize);
        let end = self.ends.get(i).map_or(start, |&e| e as usize);
        self.text.get(start..end).unwrap_or("")
    }

    /// Frees spare capacity.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.pos.shrink_to_fit();
        self.keys.shrink_to_fit();
    }
}

/// The `users:` list, read straight into the interned name table (no
/// `String` per user: 100,000 of them in a large file), with positions. A
/// name listed again is kept aside (its position and the name, the first
/// such) for the bind stage to report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawUsers {
    /// The names, in order, each once.
    pub names: Names,
    /// Where each name is written.
    pub pos: Vec<Pos>,
    /// The first name listed twice, and where.
    pub repeated: Option<Named>,
}

/// A custom group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawGroup {
    /// Its name, and where.
    pub name: Named,
    /// Its members.
    pub members: Vec<Named>,
}

/// One setting: `role: {permission: on}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawSetting {
    /// The role, and where.
    pub role: Named,
    /// The permission (or group of permissions), and where.
    pub perm: Named,
    /// On or off.
    pub on: bool,
}

/// One resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawResource {
    /// Its id, `KIND:PATH`, and where.
    pub name: Named,
    /// Members in join order.
    pub members: Vec<Named>,
    /// Role bindings: user or `group:NAME` → role(s).
    pub roles: RawBindings,
    /// Direct grants: user or `group:NAME` → permissions.
    pub grants: RawBindings,
    /// Configurable grants switched on or off.
    pub settings: Vec<RawSetting>,
}

/// The whole membership data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawMembers {
    /// The edition in force.
    pub edition: Option<Named>,
    /// Every user, in sign-up order.
    pub users: RawUsers,
    /// Custom groups and their members.
    pub groups: Vec<RawGroup>,
    /// Resources, in order (parents may come after children).
    pub resources: Vec<RawResource>,
}

/// Membership data given by a program rather than a file: the same data
/// as the YAML layout, the same checks and the same errors when built.
/// Positions are optional (`Pos::default()`); errors about data without a
/// position point at no line.
///
/// ```
/// use rbacc::membership::{MembersBuilder, Pos};
/// let policy = rbacc::compile("p.rbac", r#"
///     scope org "Org"
///     permissions on org { org.view "View" }
///     role viewer on org "Viewer" { grant org.view }
/// "#)?;
/// let mut b = MembersBuilder::new();
/// b.user("ana", Pos::default());
/// let acme = b.resource("org:acme", Pos::default());
/// b.bind(acme, "ana", Pos::default(), [("viewer", Pos::default())]);
/// let members = b.build(&policy, "program").map_err(|e| e.message)?;
/// let authz = rbacc::Authorizer::new(policy, members)?;
/// assert!(authz.is_allowed("ana", "org.view", "org:acme")?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct MembersBuilder {
    raw: RawMembers,
}

/// A resource added to a [`MembersBuilder`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RawResId(usize);

impl MembersBuilder {
    /// No data yet.
    pub fn new() -> MembersBuilder {
        MembersBuilder::default()
    }

    /// The builder of data read already (by [`crate::Members::read`]).
    pub fn from_raw(raw: RawMembers) -> MembersBuilder {
        MembersBuilder { raw }
    }

    /// The data as given so far.
    pub fn raw(&self) -> &RawMembers {
        &self.raw
    }

    /// Sets the edition.
    pub fn edition(&mut self, name: &str, at: Pos) -> &mut Self {
        self.raw.edition = Some((name.to_string(), at));
        self
    }

    /// Adds a user (sign-up order is the order of the calls).
    pub fn user(&mut self, name: &str, at: Pos) -> &mut Self {
        if self.raw.users.names.insert(name).is_some() {
            self.raw.users.pos.push(at);
        } else if self.raw.users.repeated.is_none() {
            self.raw.users.repeated = Some((name.to_string(), at));
        }
        self
    }

    /// Adds a group and its members.
    pub fn group<'a>(
        &mut self,
        name: &str,
        at: Pos,
        members: impl IntoIterator<Item = (&'a str, Pos)>,
    ) -> &mut Self {
        self.raw.groups.push(RawGroup {
            name: (name.to_string(), at),
            members: members
                .into_iter()
                .map(|(m, p)| (m.to_string(), p))
                .collect(),
        });
        self
    }

    /// Adds a resource, `KIND:PATH`.
    pub fn resource(&mut self, id: &str, at: Pos) -> RawResId {
        self.raw.resources.push(RawResource {
            name: (id.to_string(), at),
            ..RawResource::default()
        });
        RawResId(self.raw.resources.len() - 1)
    }

    fn res(&mut self, r: RawResId) -> Option<&mut RawResource> {
        self.raw.resources.get_mut(r.0)
    }

    /// Adds a member of a resource (join order is the order of the calls).
    pub fn member(&mut self, r: RawResId, user: &str, at: Pos) -> &mut Self {
        if let Some(res) = self.res(r) {
            res.members.push((user.to_string(), at));
        }
        self
    }

    /// Binds a user or `group:NAME` to roles on a resource.
    pub fn bind<'a>(
        &mut self,
        r: RawResId,
        subject: &str,
        at: Pos,
        roles: impl IntoIterator<Item = (&'a str, Pos)>,
    ) -> &mut Self {
        if let Some(res) = self.res(r) {
            push_binding(&mut res.roles, subject, at, roles);
        }
        self
    }

    /// Grants a user or `group:NAME` permissions on a resource.
    pub fn grant<'a>(
        &mut self,
        r: RawResId,
        subject: &str,
        at: Pos,
        perms: impl IntoIterator<Item = (&'a str, Pos)>,
    ) -> &mut Self {
        if let Some(res) = self.res(r) {
            push_binding(&mut res.grants, subject, at, perms);
        }
        self
    }

    /// Switches a role's configurable grant on or off on a resource.
    pub fn setting(
        &mut self,
        r: RawResId,
        role: (&str, Pos),
        perm: (&str, Pos),
        on: bool,
    ) -> &mut Self {
        if let Some(res) = self.res(r) {
            res.settings.push(RawSetting {
                role: (role.0.to_string(), role.1),
                perm: (perm.0.to_string(), perm.1),
                on,
            });
        }
        self
    }

    /// Checks the data against the policy and builds the index: the same
    /// checks, in the same order, as loading a file.
    #[expect(
        clippy::result_large_err,
        reason = "a data error ends loading at once; it is built once per load"
    )]
    pub fn build(
        self,
        policy: &crate::Policy,
        name: &str,
    ) -> Result<crate::Members, super::DataError> {
        super::build::build(policy, name, self.raw)
    }
}

fn push_binding<'a>(
    to: &mut RawBindings,
    subject: &str,
    at: Pos,
    names: impl IntoIterator<Item = (&'a str, Pos)>,
) {
    // (Past 4 GiB of names the rest is dropped; no program gets there
    // through this API without running out of memory first.)
    if to.push_key(subject, at).is_some() {
        for (n, p) in names {
            if to.push_name(n, p).is_none() {
                break;
            }
        }
    }
}
