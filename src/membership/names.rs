//! A compact, interned table of names (the users of a membership file).
//!
//! Every name is stored once, in one string; a table of 16-byte slots
//! (hash, id, place in the text) finds a name's id in two cache lines. For
//! 100,000 users this is about a third of a `Vec<String>` plus a
//! `HashMap<String, id>`, which store every name twice and spend 24 to 32
//! bytes of bookkeeping per copy.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// Names in insertion order, each with its dense index.
///
/// The index is an open-addressing table of 16-byte slots, each holding a
/// name's hash, id, and place in the text: finding a name reads one slot
/// (usually one cache line) and the name's bytes. With 100,000 users the
/// table no longer fits a core's L2 cache, and a general hash table of ids
/// would cost four dependent cache misses per lookup (control bytes, slot,
/// the name's end, the name) where this costs two. Growing the table
/// re-places slots by their stored hash, without reading a name again.
#[derive(Clone, Default)]
pub struct Names {
    text: String,
    ends: Vec<u32>,
    /// Length a power of two (or zero); a slot is free when its id is 0.
    slots: Vec<Slot>,
    hasher: RandomState,
}

/// A slot of the table: 32 bits of the name's hash, the id plus one (0:
/// free), the name's start and length in the text.
#[derive(Copy, Clone, Default)]
struct Slot {
    hash: u32,
    id1: u32,
    start: u32,
    len: u32,
}

impl Names {
    /// Number of names.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The name at an index.
    pub fn get(&self, i: usize) -> Option<&str> {
        slice(&self.text, &self.ends, i)
    }

    /// The first name.
    pub fn first(&self) -> Option<&str> {
        self.get(0)
    }

    /// The names in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or(""))
    }

    fn hash(&self, name: &str) -> u32 {
        // The high half: the low bits of SipHash are as good, but the
        // high half keeps the position bits apart from any low-bit pattern.
        (self.hasher.hash_one(name) >> 32) as u32
    }

    /// The index of a name.
    pub fn find(&self, name: &str) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let hash = self.hash(name);
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let slot = self.slots.get(at)?;
            if slot.id1 == 0 {
                return None;
            }
            if slot.hash == hash && slot.len as usize == name.len() {
                let start = slot.start as usize;
                if self.text.get(start..start + name.len()) == Some(name) {
                    return Some(slot.id1 as usize - 1);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// Adds a name and returns its index, or `None` when it is already
    /// present or the table is full (4 GiB of names, or 2^31 of them).
    pub fn insert(&mut self, name: &str) -> Option<usize> {
        if self.find(name).is_some() {
            return None;
        }
        let i = self.ends.len();
        let start = u32::try_from(self.text.len()).ok()?;
        let end = u32::try_from(self.text.len().checked_add(name.len())?).ok()?;
        let id1 = u32::try_from(i + 1).ok().filter(|&n| n < 1 << 31)?;
        // At most 7/8 full.
        if (i + 1) * 8 > self.slots.len() * 7 {
            self.grow();
        }
        let slot = Slot {
            hash: self.hash(name),
            id1,
            start,
            len: end - start,
        };
        place(&mut self.slots, slot);
        self.text.push_str(name);
        self.ends.push(end);
        Some(i)
    }

    /// Doubles the table (16 slots at first).
    fn grow(&mut self) {
        self.resize((self.slots.len() * 2).max(16));
    }

    /// Frees spare capacity once every name is in (the table keeps the
    /// smallest size that is at most 7/8 full).
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        let want = (self.len() * 8)
            .div_ceil(7)
            .max(1)
            .next_power_of_two()
            .max(16);
        if !self.is_empty() && want < self.slots.len() {
            self.resize(want);
        }
    }

    /// A table of `size` slots, re-placing slots by their stored hash
    /// (no name is read again).
    fn resize(&mut self, size: usize) {
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        for slot in old.into_iter().filter(|s| s.id1 != 0) {
            place(&mut self.slots, slot);
        }
    }
}

/// Puts a slot at the first free place from its hash on (linear probing;
/// the table always has a free slot).
fn place(slots: &mut [Slot], slot: Slot) {
    let mask = slots.len().wrapping_sub(1);
    let mut at = slot.hash as usize & mask;
    for _ in 0..slots.len() {
        match slots.get_mut(at) {
            Some(s) if s.id1 == 0 => {
                *s = slot;
                return;
            }
            _ => at = (at + 1) & mask,
        }
    }
}

fn slice<'a>(text: &'a str, ends: &[u32], i: usize) -> Option<&'a str> {
    let end = *ends.get(i)? as usize;
    let start = match i.checked_sub(1) {
        Some(p) => *ends.get(p)? as usize,
        None => 0,
    };
    text.get(start..end)
}

impl PartialEq for Names {
    /// The same names in the same order.
    fn eq(&self, other: &Names) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Names {}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn names_keep_order_and_refuse_duplicates() {
        let mut n = Names::default();
        assert_eq!(n.insert("ana"), Some(0));
        assert_eq!(n.insert("ben"), Some(1));
        assert_eq!(n.insert(""), Some(2));
        assert_eq!(n.insert("ana"), None);
        assert_eq!(n.len(), 3);
        assert_eq!(n.get(1), Some("ben"));
        assert_eq!(n.get(2), Some(""));
        assert_eq!(n.get(3), None);
        assert_eq!(n.find("ben"), Some(1));
        assert_eq!(n.find(""), Some(2));
        assert_eq!(n.find("eli"), None);
        assert_eq!(n.iter().collect::<Vec<_>>(), ["ana", "ben", ""]);
    }

    #[test]
    fn many_names_are_found_after_growth() {
        let mut n = Names::default();
        for i in 0..10_000 {
            assert_eq!(n.insert(&format!("user{i}")), Some(i));
        }
        n.shrink_to_fit();
        for i in (0..10_000).step_by(7) {
            assert_eq!(n.find(&format!("user{i}")), Some(i));
        }
        assert_eq!(n.find("user10000"), None);
    }

    #[test]
    fn the_table_stays_exact_through_growth_and_shrinking() {
        let mut n = Names::default();
        assert_eq!(n.find("x"), None);
        n.shrink_to_fit();
        assert_eq!(n.find(""), None);
        // Names that are prefixes of each other, and the empty name.
        let names: Vec<String> = (0..3000)
            .map(|i| "a".repeat(i % 50) + &i.to_string())
            .collect();
        for (i, s) in names.iter().enumerate() {
            assert_eq!(n.insert(s), Some(i));
            assert_eq!(n.insert(s), None, "{s} again");
        }
        assert_eq!(n.insert(""), Some(3000));
        for round in 0..2 {
            for (i, s) in names.iter().enumerate() {
                assert_eq!(n.find(s), Some(i), "round {round}");
                assert_eq!(n.get(i), Some(s.as_str()));
            }
            assert_eq!(n.find(""), Some(3000));
            assert_eq!(n.find("a"), None);
            assert_eq!(n.find("a1x"), None);
            n.shrink_to_fit();
        }
        // Still takes names after shrinking.
        assert_eq!(n.insert("late"), Some(3001));
        assert_eq!(n.find("late"), Some(3001));
    }
}
