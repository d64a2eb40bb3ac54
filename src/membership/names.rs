//! A compact, interned table of names (the users of a membership file).
//!
//! Every name is stored once, in one string; a hash table of indices finds
//! a name's id. For 100,000 users this is about a fifth of a `Vec<String>`
//! plus a `HashMap<String, id>`, which store every name twice and spend 24
//! to 32 bytes of bookkeeping per copy.

use hashbrown::HashTable;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// Names in insertion order, each with its dense index.
#[derive(Clone, Default)]
pub struct Names {
    text: String,
    ends: Vec<u32>,
    table: HashTable<u32>,
    hasher: RandomState,
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
        let h = self.hasher.hash_one(name);
        self.table
            .find(h, |&i| self.get(i as usize) == Some(name))
            .map(|&i| i as usize)
    }

    /// Adds a name and returns its index, or `None` when it is already
    /// present or the table is full (4 GiB of names).
    pub fn insert(&mut self, name: &str) -> Option<usize> {
        let h = self.hasher.hash_one(name);
        if self
            .table
            .find(h, |&i| self.get(i as usize) == Some(name))
            .is_some()
        {
            return None;
        }
        let i = self.ends.len();
        let id = u32::try_from(i).ok()?;
        let end = u32::try_from(self.text.len().checked_add(name.len())?).ok()?;
        self.text.push_str(name);
        self.ends.push(end);
        let Names {
            text,
            ends,
            table,
            hasher,
        } = self;
        table.insert_unique(h, id, |&j| {
            hasher.hash_one(slice(text, ends, j as usize).unwrap_or(""))
        });
        Some(i)
    }

    /// Frees spare capacity once every name is in.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        let Names {
            text,
            ends,
            table,
            hasher,
        } = self;
        table.shrink_to_fit(|&j| hasher.hash_one(slice(text, ends, j as usize).unwrap_or("")));
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

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a Names {
    type Item = &'a str;
    type IntoIter = Box<dyn Iterator<Item = &'a str> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
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
