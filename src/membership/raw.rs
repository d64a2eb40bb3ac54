//! The membership file as written: serde types that keep key order and
//! reject duplicate keys.

use super::names::{Names, StrIndex};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::marker::PhantomData;

/// Marker that starts the message of a duplicate-key error.
pub(crate) const DUPLICATE_KEY: &str = "duplicate key";

/// A mapping that keeps its keys in file order and rejects a key written
/// twice (serde_yaml alone would silently keep the last one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniqueMap<V>(pub Vec<(String, V)>);

impl<V> Default for UniqueMap<V> {
    fn default() -> Self {
        UniqueMap(Vec::new())
    }
}

/// Reads a key and refuses one already in the map (found through an index
/// of the map's positions, so no key is stored twice).
struct KeySeed<'a, V> {
    out: &'a [(String, V)],
    seen: &'a StrIndex,
}

impl<V> KeySeed<'_, V> {
    fn contains(&self, key: &str) -> bool {
        self.seen.find(key, |i| key_at(self.out, i)).is_some()
    }
}

fn key_at<V>(out: &[(String, V)], i: usize) -> Option<&str> {
    out.get(i).map(|(k, _)| k.as_str())
}

impl<'de, V> DeserializeSeed<'de> for KeySeed<'_, V> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl<V> Visitor<'_> for KeySeed<'_, V> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        if self.contains(v) {
            return Err(E::custom(format!("{DUPLICATE_KEY} `{v}`")));
        }
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        self.visit_str(&v.to_string())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = UniqueMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(UniqueMap::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut seen = StrIndex::default();
                let mut out: Vec<(String, V)> = Vec::new();
                loop {
                    let seed = KeySeed {
                        out: &out,
                        seen: &seen,
                    };
                    let Some(key) = map.next_key_seed(seed)? else {
                        break;
                    };
                    let value = map.next_value()?;
                    if !seen.insert(&key, out.len(), |i| key_at(&out, i)) {
                        return Err(de::Error::custom("a mapping with too many keys"));
                    }
                    out.push((key, value));
                }
                Ok(UniqueMap(out))
            }
        }
        d.deserialize_map(MapVisitor(PhantomData))
    }
}

/// One name or a list of names (`role: admin` or `role: [a, b]`). One name
/// (the usual binding) is one allocation, not two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OneOrMany {
    /// `role: admin`
    One(String),
    /// `role: [a, b]`
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names, in order.
    pub fn names(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name or a list of names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(OneOrMany::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A resource's `roles:` or `grants:`: subject → one name or a list of
/// names, in file order, each subject once.
///
/// Kept compact: every key and name in one string, with their ends. A
/// large file has hundreds of thousands of bindings; as a pair of
/// `String`s each would cost some 120 bytes and two allocations, all live
/// until loading ends (the heap then grows past the caches, and the memory
/// is handed back to the system and faulted in again on the next load).
/// Here a binding costs its text and 8 bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawBindings {
    text: String,
    /// End in `text` of each key and each name, in order.
    ends: Vec<u32>,
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

    /// The bindings in file order: subject and names.
    pub fn iter(&self) -> impl Iterator<Item = (&str, BindingNames<'_>)> + '_ {
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
            (self.piece(first), names)
        })
    }

    /// The subject of binding `i`.
    pub fn key(&self, i: usize) -> Option<&str> {
        self.keys.get(i).map(|&k| self.piece(k as usize))
    }

    /// Starts a binding; `None` past 4 GiB of text or 4 billion pieces.
    pub(crate) fn push_key(&mut self, key: &str) -> Option<()> {
        let k = u32::try_from(self.ends.len()).ok()?;
        self.push_piece(key)?;
        self.keys.push(k);
        Some(())
    }

    /// Adds a name to the last binding.
    pub(crate) fn push_name(&mut self, name: &str) -> Option<()> {
        self.push_piece(name)
    }

    fn push_piece(&mut self, s: &str) -> Option<()> {
        let end = u32::try_from(self.text.len().checked_add(s.len())?).ok()?;
        self.text.push_str(s);
        self.ends.push(end);
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
        self.keys.shrink_to_fit();
    }
}

impl<'de> Deserialize<'de> for RawBindings {
    /// The full reader's way: the map as written (its errors, a repeated
    /// key among them, are the map's), then packed.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = UniqueMap::<OneOrMany>::deserialize(d)?;
        let mut out = RawBindings::default();
        for (key, names) in &map.0 {
            out.push_key(key)
                .and_then(|()| names.names().iter().try_for_each(|n| out.push_name(n)))
                .ok_or_else(|| de::Error::custom("a mapping with too many keys"))?;
        }
        out.shrink_to_fit();
        Ok(out)
    }
}

/// The `users:` list, read straight into the interned name table: no
/// `String` per user to allocate, copy and free (100,000 of them in a large
/// file). A name listed again is kept aside (its position and the name, the
/// first such) for the loader to report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawUsers {
    /// The names, in order, each once.
    pub names: Names,
    /// The first name listed twice: its position in the list, and the name.
    pub repeated: Option<(usize, String)>,
}

impl<'de> Deserialize<'de> for RawUsers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawUsers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawUsers, A::Error> {
                let mut out = RawUsers::default();
                let mut i = 0usize;
                while let Some(added) = seq.next_element_seed(NameSeed(&mut out.names))? {
                    if let (Err(name), None) = (added, &out.repeated) {
                        out.repeated = Some((i, name));
                    }
                    i += 1;
                }
                out.names.shrink_to_fit();
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }
}

/// Reads one name into a table: `Ok` if added, `Err(name)` if already
/// there.
struct NameSeed<'a>(&'a mut Names);

impl<'de> DeserializeSeed<'de> for NameSeed<'_> {
    type Value = Result<(), String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for NameSeed<'_> {
    type Value = Result<(), String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(match self.0.insert(v) {
            Some(_) => Ok(()),
            None => Err(v.to_string()),
        })
    }
}

/// `on` / `off` (YAML booleans, or the words).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Switch(pub bool);

impl<'de> Deserialize<'de> for Switch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Switch;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`on` or `off`")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Switch, E> {
                Ok(Switch(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Switch, E> {
                match v {
                    "on" | "true" | "yes" => Ok(Switch(true)),
                    "off" | "false" | "no" => Ok(Switch(false)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// The whole membership file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMembers {
    /// The edition in force.
    #[serde(default)]
    pub edition: Option<String>,
    /// Every user, in sign-up order.
    #[serde(default)]
    pub users: RawUsers,
    /// Custom groups and their members.
    #[serde(default)]
    pub groups: UniqueMap<Vec<String>>,
    /// Resources by id, parents first.
    #[serde(default)]
    pub resources: UniqueMap<Option<RawResource>>,
}

impl RawMembers {
    /// Reads a membership file by the fast path alone: `None` when the
    /// file is not of the plain shape (see `plain.rs`) and needs the full
    /// reader. Loading tries this first; it is public so that tests and
    /// fuzzing can hold it to the full reader's results.
    pub fn from_plain_yaml(text: &str) -> Option<RawMembers> {
        super::plain::read(text)
    }
}

/// One resource.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResource {
    /// Members in join order.
    #[serde(default)]
    pub members: Vec<String>,
    /// Role bindings: user or `group:NAME` → role(s).
    #[serde(default)]
    pub roles: RawBindings,
    /// Direct grants: user or `group:NAME` → permissions.
    #[serde(default)]
    pub grants: RawBindings,
    /// Configurable grants: role → permission → on/off.
    #[serde(default)]
    pub settings: UniqueMap<UniqueMap<Switch>>,
}

#[cfg(test)]
mod tests {
    use super::{UniqueMap, DUPLICATE_KEY};

    fn map_of(keys: &[String]) -> String {
        keys.iter().map(|k| format!("{k}: 1\n")).collect()
    }

    #[test]
    fn duplicates_are_refused_in_small_and_large_maps() {
        for n in [1usize, 2, 8, 9, 10, 40] {
            let keys: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
            let ok: UniqueMap<u32> = serde_yaml::from_str(&map_of(&keys)).unwrap();
            assert_eq!(ok.0.len(), n);
            assert!(ok.0.iter().map(|(k, _)| k).eq(keys.iter()), "order kept");
            // A repeat of each earlier key, written last.
            for dup in 0..n {
                let mut with = keys.clone();
                with.push(format!("k{dup}"));
                let err = serde_yaml::from_str::<UniqueMap<u32>>(&map_of(&with)).unwrap_err();
                assert!(
                    err.to_string()
                        .contains(&format!("{DUPLICATE_KEY} `k{dup}`")),
                    "{n} keys, k{dup} again: {err}"
                );
            }
        }
    }
}
