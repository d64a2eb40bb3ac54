//! The fast index: for every (user, resource) where the user holds anything
//! on the resource or on an enclosing one, every permission of the
//! resource's kind held there, as inline bits.
//!
//! Bindings on enclosing resources are pushed down to the contained
//! resources whose kind they grant permissions of (an Organization Owner's
//! Workspace Admin rights are written into each workspace of the
//! organization), so a check is one hash probe and one bit test. The index
//! is built only while it stays small: at most 128 permissions, and at most
//! [`MAX_PUSHED`] pushed-down entries beyond four times the bindings;
//! otherwise evaluation walks the enclosing resources instead. Configurable
//! grants are never in the bits: users holding a role with configurable
//! grants are decided on the walking path when the bits say no.

use super::{key, IdMap, Members, ResId, UserId};
use crate::compile::BitSet;
use crate::resolve::{Model, PermId};

/// Pushed-down entries allowed beyond four times the number of entries.
pub const MAX_PUSHED: usize = 1 << 20;

/// (user, resource) → permission bits, plus the users that need the
/// walking path for configurable grants.
#[derive(Clone, Debug)]
pub struct FastIndex {
    map: Bits,
    config_users: BitSet,
}

/// The bits, 64 wide when the policy has at most 64 permissions (16-byte
/// hash slots instead of 32: half the memory and cache lines).
#[derive(Clone, Debug)]
enum Bits {
    Narrow(IdMap<u64>),
    Wide(IdMap<u128>),
}

impl FastIndex {
    /// Whether the bits of a user on a resource have a permission.
    /// `checked_shr`: a permission id past the bits (a query interned
    /// elsewhere) reads as "not held", where a plain shift would wrap around
    /// to another permission's bit in release builds.
    #[inline(always)]
    pub fn holds(&self, user: UserId, res: ResId, perm: PermId) -> bool {
        let k = key(user, res);
        match &self.map {
            Bits::Narrow(m) => m.get(&k).is_some_and(|b| b.has(perm.0)),
            Bits::Wide(m) => m.get(&k).is_some_and(|b| b.has(perm.0)),
        }
    }

    /// Whether a "no" from the bits must be confirmed on the walking path.
    #[inline]
    pub fn needs_walk(&self, user: UserId) -> bool {
        self.config_users.contains(user.index())
    }

    /// Number of (user, resource) keys.
    pub fn len(&self) -> usize {
        match &self.map {
            Bits::Narrow(m) => m.len(),
            Bits::Wide(m) => m.len(),
        }
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A word of permission bits: `u64` or `u128`.
trait Word: Copy + Default + std::ops::BitOrAssign {
    /// The low bits of a mask (the caller keeps ids below the width).
    fn of(mask: u128) -> Self;
    /// Widened to 128 bits.
    fn wide(self) -> u128;
    /// Whether bit `i` is set (`false` past the width).
    fn has(self, i: u32) -> bool;
}

impl Word for u64 {
    fn of(mask: u128) -> Self {
        mask as u64
    }
    fn wide(self) -> u128 {
        u128::from(self)
    }
    #[inline(always)]
    fn has(self, i: u32) -> bool {
        self.checked_shr(i).is_some_and(|x| x & 1 == 1)
    }
}

impl Word for u128 {
    fn of(mask: u128) -> Self {
        mask
    }
    fn wide(self) -> u128 {
        self
    }
    #[inline(always)]
    fn has(self, i: u32) -> bool {
        self.checked_shr(i).is_some_and(|x| x & 1 == 1)
    }
}

fn bits_of(set: &BitSet) -> u128 {
    set.iter()
        .filter(|&i| i < 128)
        .fold(0u128, |acc, i| acc | (1u128 << i))
}

/// Builds the fast index, or `None` when it would be too large.
pub fn build(model: &Model, m: &Members) -> Option<FastIndex> {
    let n = model.perms.len();
    let map = if n <= 64 {
        Bits::Narrow(build_map::<u64>(model, m)?)
    } else if n <= 128 {
        Bits::Wide(build_map::<u128>(model, m)?)
    } else {
        return None;
    };
    let mut config_users = BitSet::with_capacity(m.users.len());
    for (&k, &i) in &m.index {
        if m.entries
            .get(i as usize)
            .is_some_and(|e| e.has_configurable)
        {
            config_users.insert((k >> 32) as usize);
        }
    }
    Some(FastIndex { map, config_users })
}

fn build_map<W: Word>(model: &Model, m: &Members) -> Option<IdMap<W>> {
    let n_scopes = model.scopes.len();
    let mut kind_mask = vec![0u128; n_scopes];
    for (i, p) in model.perms.iter().enumerate() {
        if let Some(mask) = kind_mask.get_mut(p.scope.index()) {
            *mask |= 1u128 << i;
        }
    }
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); m.resources.len()];
    for (i, r) in m.resources.iter().enumerate() {
        if let Some(list) = r.parent.and_then(|p| children.get_mut(p.index())) {
            list.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
    }
    let budget = m.entry_count().saturating_mul(4).saturating_add(MAX_PUSHED);
    let mut map: IdMap<W> = IdMap::default();
    map.reserve(m.entry_count());
    // Entries share their permission sets: convert each set once.
    let set_bits: Vec<u128> = m.sets.iter().map(bits_of).collect();
    let mut pushed = 0usize;
    let mut stack: Vec<u32> = Vec::new();
    for (&k, &i) in &m.index {
        let entry = m.entries.get(i as usize)?;
        let user = UserId((k >> 32) as u32);
        let res = ResId(k as u32);
        let bits = *set_bits.get(entry.set as usize)?;
        let kind = m.resource(res)?.kind.index();
        let here = bits & kind_mask.get(kind).copied().unwrap_or(0);
        if here != 0 {
            *map.entry(k).or_default() |= W::of(here);
        }
        if bits & !here == 0 {
            continue;
        }
        // Push the rest down to contained resources of the granted kinds.
        stack.clear();
        stack.extend(children.get(res.index()).into_iter().flatten());
        while let Some(d) = stack.pop() {
            let dkind = m.resource(ResId(d))?.kind.index();
            let part = bits & kind_mask.get(dkind).copied().unwrap_or(0);
            if part != 0 {
                *map.entry(key(user, ResId(d))).or_default() |= W::of(part);
                pushed += 1;
                if pushed > budget {
                    return None;
                }
            }
            stack.extend(children.get(d as usize).into_iter().flatten());
        }
    }
    if !model.grouped.is_empty() {
        for bits in map.values_mut() {
            let mut wide = bits.wide();
            close_groups(model, &mut wide);
            *bits = W::of(wide);
        }
    }
    Some(map)
}

/// A grouped permission is held when all its members are held.
fn close_groups(model: &Model, bits: &mut u128) {
    for &g in model.grouped.iter().rev() {
        let members = model.perm(g).map_or(&[][..], |p| p.children.as_slice());
        if members.iter().all(|c| *bits >> c.index() & 1 == 1) {
            *bits |= 1u128 << g.index();
        }
    }
}
