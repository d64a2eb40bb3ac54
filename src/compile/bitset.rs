//! A fixed-width bitset over dense ids.

/// A set of dense ids as bits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct BitSet {
    words: Box<[u64]>,
}

impl BitSet {
    /// A 64-bit fingerprint of the members: equal sets of one capacity have
    /// equal fingerprints. One multiply per word, for grouping many sets
    /// cheaply before comparing them.
    pub fn fingerprint(&self) -> u64 {
        self.words.iter().fold(0x243f_6a88_85a3_08d3_u64, |h, &w| {
            (h.rotate_left(23) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        })
    }

    /// Removes every member (keeping the capacity).
    pub fn clear(&mut self) {
        self.words.iter_mut().for_each(|w| *w = 0);
    }

    /// An empty set able to hold ids `0..n`.
    pub fn with_capacity(n: usize) -> BitSet {
        BitSet {
            words: vec![0; n.div_ceil(64)].into_boxed_slice(),
        }
    }

    /// Adds an id; ids past the capacity are ignored.
    #[inline]
    pub fn insert(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// Whether the id is in the set.
    #[inline]
    pub fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Adds every id of `other`.
    pub fn union_with(&mut self, other: &BitSet) {
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a |= *b;
        }
    }

    /// Whether every id of `self` is in `other`.
    pub fn is_subset(&self, other: &BitSet) -> bool {
        self.words
            .iter()
            .zip(other.words.iter().chain(std::iter::repeat(&0)))
            .all(|(a, b)| a & !b == 0)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// Number of ids in the set.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The ids in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(wi, &w)| {
            let mut rest = w;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(wi * 64 + bit)
            })
        })
    }

    /// Ids in `self` but not in `other`.
    pub fn difference(&self, other: &BitSet) -> BitSet {
        let mut out = self.clone();
        for (a, b) in out.words.iter_mut().zip(other.words.iter()) {
            *a &= !*b;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::BitSet;

    #[test]
    fn fingerprints_of_equal_sets_are_equal() {
        let mut a = BitSet::with_capacity(200);
        let mut b = BitSet::with_capacity(200);
        for i in [3, 64, 130, 199] {
            a.insert(i);
        }
        for i in [199, 130, 64, 3] {
            b.insert(i);
        }
        assert_eq!(a.fingerprint(), b.fingerprint());
        b.insert(4);
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_ne!(
            BitSet::with_capacity(200).fingerprint(),
            a.fingerprint(),
            "empty and non-empty differ"
        );
    }

    #[test]
    fn set_operations() {
        let mut a = BitSet::with_capacity(130);
        a.insert(0);
        a.insert(64);
        a.insert(129);
        a.insert(500); // ignored
        assert!(a.contains(129) && !a.contains(1) && !a.contains(500));
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 64, 129]);
        let mut b = BitSet::with_capacity(130);
        b.insert(64);
        assert!(b.is_subset(&a) && !a.is_subset(&b));
        assert_eq!(a.difference(&b).len(), 2);
        b.union_with(&a);
        assert_eq!(b, a);
    }
}
