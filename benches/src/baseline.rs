//! The hand-written baseline: one `HashMap<(user, resource), permission
//! bitset>` with every binding materialized (owners expanded into every
//! workspace of their organization, inheritance folded into the bitsets).
//! A check is one hash lookup and one AND: the memory-access limit.

use crate::workload::{OrgRole, Query, Target, Workload, WsRole};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash (rustc's hasher): a multiply and a rotate per word, the hasher a
/// careful hand-written lookup would use for integer keys.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(SEED);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Resource key: organizations and workspaces share one id space.
#[inline]
fn resource_key(t: Target, orgs: u32) -> u32 {
    match t {
        Target::Org(o) => o,
        Target::Ws(w) => orgs + w,
    }
}

/// The baseline authorizer.
pub struct Baseline {
    map: HashMap<(u32, u32), u16, BuildHasherDefault<FxHasher>>,
    orgs: u32,
}

/// A prepared baseline query: key and permission bit.
#[derive(Clone, Copy, Debug)]
pub struct BaselineQuery {
    key: (u32, u32),
    bit: u16,
}

impl Baseline {
    /// Builds the map from the workload's bindings.
    pub fn new(w: &Workload) -> Self {
        let p = &w.params;
        let mut map: HashMap<(u32, u32), u16, BuildHasherDefault<FxHasher>> = HashMap::default();
        map.reserve(w.bindings() + (p.orgs * p.owners_per_org * p.ws_per_org) as usize);
        for (u, (&o, &role)) in w.user_org.iter().zip(&w.user_org_role).enumerate() {
            let u = u as u32;
            *map.entry((u, o)).or_default() |= role.bits();
            if role == OrgRole::Owner {
                for j in 0..p.ws_per_org {
                    let ws = o * p.ws_per_org + j;
                    *map.entry((u, p.orgs + ws)).or_default() |= WsRole::Admin.bits();
                }
            }
        }
        for &(u, ws, role) in &w.ws_bindings {
            *map.entry((u, p.orgs + ws)).or_default() |= role.bits();
        }
        map.shrink_to_fit();
        Baseline { map, orgs: p.orgs }
    }

    /// Prepares a query.
    pub fn prepare(&self, q: &Query) -> BaselineQuery {
        BaselineQuery {
            key: (q.user, resource_key(q.target, self.orgs)),
            bit: 1 << q.perm,
        }
    }

    /// The check.
    #[inline]
    pub fn check(&self, q: &BaselineQuery) -> bool {
        self.map.get(&q.key).is_some_and(|b| b & q.bit != 0)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}
