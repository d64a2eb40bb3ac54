//! A compact, interned table of names (the users of a membership file).
//!
//! Every name is stored once, in one string; a hash table of indices finds
//! a name's id. For 100,000 users this is about a fifth of a `Vec<String>`
//! plus a `HashMap<String, id>`, which store every name twice and spend 24
//! to 32 bytes of bookkeeping per copy.

use hashbrown::HashTable;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// A hash index over strings stored elsewhere (an arena, a list of pairs):
/// it keeps only their positions, and reads a string back through `at`.
/// Nothing is copied to be indexed.
#[derive(Clone, Default)]
pub(crate) struct StrIndex {
    table: HashTable<u32>,
    hasher: RandomState,
}

impl StrIndex {
    /// The position of `key`.
    pub(crate) fn find<'a>(
        &self,
        key: &str,
        at: impl Fn(usize) -> Option<&'a str>,
    ) -> Option<usize> {
        self.table
            .find(self.hasher.hash_one(key), |&i| at(i as usize) == Some(key))
            .map(|&i| i as usize)
    }

    /// Records that `key`, not yet present, is at position `i`; `false`
    /// when `i` does not fit the index (past 4 billion).
    pub(crate) fn insert<'a>(
        &mut self,
        key: &str,
        i: usize,
        at: impl Fn(usize) -> Option<&'a str>,
    ) -> bool {
        let Ok(id) = u32::try_from(i) else {
            return false;
        };
        let hasher = &self.hasher;
        self.table.insert_unique(hasher.hash_one(key), id, |&j| {
            hasher.hash_one(at(j as usize).unwrap_or(""))
        });
        true
    }

    /// Frees spare capacity.
    pub(crate) fn shrink_to_fit<'a>(&mut self, at: impl Fn(usize) -> Option<&'a str>) {
        let hasher = &self.hasher;
        self.table
            .shrink_to_fit(|&j| hasher.hash_one(at(j as usize).unwrap_or("")));
    }
}

/// Names in insertion order, each with its dense index.
#[derive(Clone, Default)]
pub struct Names {
    text: String,
    ends: Vec<u32>,
    index: StrIndex,
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

    /// The index of a name.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.index.find(name, |i| self.get(i))
    }

    /// Adds a name and returns its index, or `None` when it is already
    /// present or the table is full (4 GiB of names).
    pub fn insert(&mut self, name: &str) -> Option<usize> {
        if self.find(name).is_some() {
            return None;
        }
        let i = self.ends.len();
        let end = u32::try_from(self.text.len().checked_add(name.len())?).ok()?;
        let (text, ends) = (&self.text, &self.ends);
        if !self.index.insert(name, i, |j| slice(text, ends, j)) {
            return None;
        }
        self.text.push_str(name);
        self.ends.push(end);
        Some(i)
    }

    /// Frees spare capacity once every name is in.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        let (text, ends) = (&self.text, &self.ends);
        self.index.shrink_to_fit(|j| slice(text, ends, j));
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
}
