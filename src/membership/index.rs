//! The membership index: for each user, one row of slots sorted by
//! resource, a slot for every resource where the user holds something, on
//! the resource itself or on an enclosing one.
//!
//! A slot carries the user's entry there, as a profile shared by every
//! user given the same roles and grants with the same origins (see
//! [`super::Members::entry`]), and, when the policy has at most 128
//! permissions, the permissions of the resource's kind held there as inline
//! bits. Bindings on enclosing resources are pushed down into the bits of
//! the contained resources whose kind they grant permissions of (an
//! Organization Owner's Workspace Admin rights are written into each
//! workspace of the organization), so a check is a row lookup, a short scan
//! and one bit test. Push-down stops at
//! [`MAX_PUSHED`] slots beyond four times the entries; past that, or past
//! 128 permissions, the slots keep no bits and evaluation walks the
//! enclosing resources instead. Configurable grants are never in the bits:
//! users holding a role with configurable grants are decided on the
//! walking path when the bits say no.
//!
//! Rows instead of a hash map: the rows are sorted vectors with no empty
//! buckets, one slot holds everything the user has at the resource, and
//! they are built from the entries in (user, resource) order with no
//! allocation per key. The price is two dependent loads per check (the
//! row start, then the row) where a hash probe's two are independent.

use super::{ResId, Resource, UserId};
use crate::compile::BitSet;
use crate::resolve::{Model, PermId};

/// Pushed-down slots allowed beyond four times the number of entries.
pub const MAX_PUSHED: usize = 1 << 20;

/// The profile of a slot with no entry of its own (only bits pushed down).
const NO_ENTRY: u32 = u32::MAX;

/// The flag bit of a row start, and the bits of the position.
const WALK: u32 = 1 << 31;
const ROW: u32 = WALK - 1;

/// Rows up to this length are scanned; longer ones binary-searched.
const SCAN: usize = 8;

/// One (user, resource) slot: 8 bytes plus the bits.
#[derive(Copy, Clone, Debug, Default)]
struct Slot<W> {
    res: u32,
    profile: u32,
    bits: W,
}

/// The slots, by the width of their bits.
#[derive(Clone, Debug)]
enum Slots {
    /// No bits: every check walks (more than 128 permissions, or push-down
    /// past its budget).
    Walk(Vec<Slot<()>>),
    /// Up to 64 permissions: 16-byte slots.
    Narrow(Vec<Slot<u64>>),
    /// Up to 128 permissions: 24-byte slots.
    Wide(Vec<Slot<Pair>>),
}

/// 128 bits with the alignment of `u64` (a `u128` field would pad each
/// slot to 32 bytes).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
struct Pair([u64; 2]);

/// One entry, as the index is built from it. Entries come sorted by
/// (user, resource).
#[derive(Copy, Clone, Debug)]
pub(super) struct Built {
    pub user: UserId,
    pub res: ResId,
    pub profile: u32,
}

/// The rows, and the users that need the walking path.
#[derive(Clone, Debug)]
pub struct Index {
    /// Row of user `u`: slots `starts[u] & ROW..starts[u + 1] & ROW`; the
    /// top bit of `starts[u]` is set when the user holds a role with
    /// configurable grants somewhere (a "no" from the bits is confirmed on
    /// the walking path). The flag sits next to the row bounds a check
    /// reads anyway: no second memory access per check.
    starts: Vec<u32>,
    slots: Slots,
    entries: usize,
}

impl Default for Index {
    fn default() -> Self {
        Index {
            starts: vec![0],
            slots: Slots::Walk(Vec::new()),
            entries: 0,
        }
    }
}

impl Index {
    /// Whether a user's bits on a resource have a permission (always
    /// `false` when the slots keep no bits).
    #[inline(always)]
    pub fn holds(&self, user: UserId, res: ResId, perm: PermId) -> bool {
        match &self.slots {
            Slots::Narrow(s) => self.find(s, user, res).is_some_and(|x| x.bits.has(perm.0)),
            Slots::Wide(s) => self.find(s, user, res).is_some_and(|x| x.bits.has(perm.0)),
            Slots::Walk(_) => false,
        }
    }

    /// Whether a "no" from the bits must be confirmed on the walking path.
    #[inline(always)]
    pub fn needs_walk(&self, user: UserId) -> bool {
        matches!(self.slots, Slots::Walk(_))
            || self.starts.get(user.index()).is_none_or(|&s| s & WALK != 0)
    }

    /// Whether the slots keep permission bits (the one-probe path).
    pub fn has_bits(&self) -> bool {
        !matches!(self.slots, Slots::Walk(_))
    }

    /// Number of slots (entries and pushed-down bits).
    pub fn len(&self) -> usize {
        match &self.slots {
            Slots::Walk(s) => s.len(),
            Slots::Narrow(s) => s.len(),
            Slots::Wide(s) => s.len(),
        }
    }

    /// Number of entries (slots where the user holds something on the
    /// resource itself).
    pub fn entries(&self) -> usize {
        self.entries
    }

    /// The profile of the user's entry on a resource, if the user holds
    /// anything on the resource itself.
    #[inline]
    pub(super) fn profile(&self, user: UserId, res: ResId) -> Option<u32> {
        let p = match &self.slots {
            Slots::Walk(s) => self.find(s, user, res)?.profile,
            Slots::Narrow(s) => self.find(s, user, res)?.profile,
            Slots::Wide(s) => self.find(s, user, res)?.profile,
        };
        (p != NO_ENTRY).then_some(p)
    }

    /// The slot of (user, res): the user's row, scanned when short and
    /// binary-searched when long.
    #[inline(always)]
    fn find<'a, W>(&self, slots: &'a [Slot<W>], user: UserId, res: ResId) -> Option<&'a Slot<W>> {
        let u = user.index();
        let lo = (*self.starts.get(u)? & ROW) as usize;
        let hi = (*self.starts.get(u + 1)? & ROW) as usize;
        let row = slots.get(lo..hi)?;
        if row.len() <= SCAN {
            row.iter()
                .find(|s| s.res >= res.0)
                .filter(|s| s.res == res.0)
        } else {
            row.binary_search_by_key(&res.0, |s| s.res)
                .ok()
                .and_then(|i| row.get(i))
        }
    }
}

/// A word of permission bits: none, 64 or 128.
trait Word: Copy + Default {
    /// The low bits of a mask (the caller keeps ids below the width).
    fn of(mask: u128) -> Self;
    /// Whether bit `i` is set (`false` past the width).
    fn has(self, i: u32) -> bool;
}

impl Word for () {
    fn of(_: u128) -> Self {}
    fn has(self, _: u32) -> bool {
        false
    }
}

impl Word for u64 {
    fn of(mask: u128) -> Self {
        mask as u64
    }
    /// `checked_shr`: a permission id past the bits (a query interned
    /// elsewhere) reads as "not held", where a plain shift would wrap around
    /// to another permission's bit in release builds.
    #[inline(always)]
    fn has(self, i: u32) -> bool {
        self.checked_shr(i).is_some_and(|x| x & 1 == 1)
    }
}

impl Word for Pair {
    fn of(mask: u128) -> Self {
        Pair([mask as u64, (mask >> 64) as u64])
    }
    #[inline(always)]
    fn has(self, i: u32) -> bool {
        let word = if i < 64 { self.0[0] } else { self.0[1] };
        (i < 128) && (word >> (i % 64)) & 1 == 1
    }
}

/// What the builder needs to know of the data besides the entries.
pub(super) struct Shape<'a> {
    pub model: &'a Model,
    pub resources: &'a [Resource],
    pub users: usize,
    /// Per profile: its permissions as bits (the first 128), and whether
    /// it holds a role with configurable grants.
    pub profiles: Vec<(u128, bool)>,
}

/// Builds the index from entries sorted by (user, resource).
pub(super) fn build(shape: &Shape<'_>, entries: &[Built]) -> Index {
    let n = shape.model.perms.len();
    let slots = if n <= 64 {
        rows::<u64>(shape, entries, true).map(|(st, s)| (st, Slots::Narrow(s)))
    } else if n <= 128 {
        rows::<Pair>(shape, entries, true).map(|(st, s)| (st, Slots::Wide(s)))
    } else {
        None
    };
    let (mut starts, slots) = slots.unwrap_or_else(|| {
        let (st, s) = rows::<()>(shape, entries, false).unwrap_or_default();
        (st, Slots::Walk(s))
    });
    for e in entries {
        if shape.profiles.get(e.profile as usize).is_some_and(|p| p.1) {
            if let Some(s) = starts.get_mut(e.user.index()) {
                *s |= WALK;
            }
        }
    }
    Index {
        starts,
        slots,
        entries: entries.len(),
    }
}

type Rows<W> = (Vec<u32>, Vec<Slot<W>>);

/// The rows, one user after another; `None` when push-down runs past its
/// budget, or the slots past the positions a row start can hold.
fn rows<W: Word>(shape: &Shape<'_>, entries: &[Built], push: bool) -> Option<Rows<W>> {
    let model = shape.model;
    let mut kind_mask = vec![0u128; model.scopes.len()];
    for (i, p) in model.perms.iter().enumerate().take(128) {
        if let Some(mask) = kind_mask.get_mut(p.scope.index()) {
            *mask |= 1u128 << i;
        }
    }
    let mask_of = |res: u32| {
        shape
            .resources
            .get(res as usize)
            .and_then(|r| kind_mask.get(r.kind.index()))
            .copied()
            .unwrap_or(0)
    };
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); shape.resources.len()];
    if push {
        for (i, r) in shape.resources.iter().enumerate() {
            if let Some(list) = r.parent.and_then(|p| children.get_mut(p.index())) {
                list.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
    }
    let budget = entries.len().saturating_mul(4).saturating_add(MAX_PUSHED);
    let grouped = !model.grouped.is_empty();

    let mut starts = Vec::with_capacity(shape.users + 1);
    let mut slots: Vec<Slot<W>> = Vec::with_capacity(entries.len());
    // One user's slots before sorting: (res, profile, bits).
    let mut row: Vec<(u32, u32, u128)> = Vec::new();
    let mut stack: Vec<u32> = Vec::new();
    let mut pushed = 0usize;
    let mut rest = entries;
    for u in 0..shape.users {
        starts.push(u32::try_from(slots.len()).unwrap_or(u32::MAX));
        let mine = rest.iter().take_while(|e| e.user.index() == u).count();
        let (now, later) = rest.split_at(mine);
        rest = later;
        row.clear();
        for e in now {
            let bits = shape.profiles.get(e.profile as usize).map_or(0, |p| p.0);
            let here = bits & mask_of(e.res.0);
            row.push((e.res.0, e.profile, here));
            if !push || bits & !here == 0 {
                continue;
            }
            // The rest goes down to contained resources of the granted kinds.
            stack.clear();
            stack.extend(children.get(e.res.index()).into_iter().flatten());
            while let Some(d) = stack.pop() {
                let part = bits & mask_of(d);
                if part != 0 {
                    row.push((d, NO_ENTRY, part));
                    pushed += 1;
                    if pushed > budget {
                        return None;
                    }
                }
                stack.extend(children.get(d as usize).into_iter().flatten());
            }
        }
        // Entries before pushed bits on the same resource; then merge.
        row.sort_unstable_by_key(|&(res, profile, _)| (res, profile == NO_ENTRY));
        for same in row.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(res, profile, _)) = same.first() else {
                continue;
            };
            let mut bits = same.iter().fold(0u128, |acc, x| acc | x.2);
            if grouped {
                close_groups(model, &mut bits);
            }
            slots.push(Slot {
                res,
                profile,
                bits: W::of(bits),
            });
        }
    }
    starts.push(u32::try_from(slots.len()).unwrap_or(u32::MAX));
    if slots.len() > ROW as usize {
        return None;
    }
    slots.shrink_to_fit();
    Some((starts, slots))
}

/// The first 128 permissions of a set, as bits.
pub(super) fn bits_of(set: &BitSet) -> u128 {
    set.iter()
        .filter(|&i| i < 128)
        .fold(0u128, |acc, i| acc | (1u128 << i))
}

/// A grouped permission is held when all its members are held.
fn close_groups(model: &Model, bits: &mut u128) {
    for &g in model.grouped.iter().rev() {
        let members = model.perm(g).map_or(&[][..], |p| p.children.as_slice());
        if g.index() < 128 && members.iter().all(|c| *bits >> c.index() & 1 == 1) {
            *bits |= 1u128 << g.index();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_bits() {
        let p = Pair::of((1u128 << 3) | (1u128 << 64) | (1u128 << 127));
        assert!(p.has(3) && p.has(64) && p.has(127));
        assert!(!p.has(4) && !p.has(63) && !p.has(128) && !p.has(u32::MAX));
    }

    #[test]
    fn slots_stay_small() {
        assert_eq!(std::mem::size_of::<Slot<()>>(), 8);
        assert_eq!(std::mem::size_of::<Slot<u64>>(), 16);
        assert_eq!(std::mem::size_of::<Slot<Pair>>(), 24);
    }
}
