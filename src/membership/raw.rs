//! The membership data as written, with the position of every name: what
//! a front end (the YAML file, or a program through
//! [`MembersBuilder`](super::MembersBuilder)) hands to the bind stage.
//! Nothing here is checked yet.

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

    /// The bindings with `subject`'s replaced by `names` (its first
    /// binding; removed for `None`, added at the end when it has none), in
    /// order otherwise. `None` when nothing changes or past the limits.
    pub(crate) fn with(&self, subject: &str, names: Option<&[Named]>) -> Option<RawBindings> {
        let mut out = RawBindings::default();
        let mut found = false;
        for (s, at, old) in self.iter_pos() {
            if s == subject && !found {
                found = true;
                if let Some(names) = names {
                    out.push_key(s, at)?;
                    for (n, p) in names {
                        out.push_name(n, *p)?;
                    }
                }
                continue;
            }
            out.push_key(s, at)?;
            for (n, p) in old.with_pos() {
                out.push_name(n, p)?;
            }
        }
        match (found, names) {
            (false, None) => return None,
            (false, Some(names)) => {
                out.push_key(subject, Pos::default())?;
                for (n, p) in names {
                    out.push_name(n, *p)?;
                }
            }
            _ => {}
        }
        Some(out)
    }

    /// The names of `subject`'s first binding, with their positions.
    pub(crate) fn names_of(&self, subject: &str) -> Option<Vec<Named>> {
        self.iter_pos()
            .find(|(s, _, _)| *s == subject)
            .map(|(_, _, n)| n.with_pos().map(|(n, p)| (n.to_string(), p)).collect())
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
