//! The membership file as written: serde types that keep key order and
//! reject duplicate keys.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::HashSet;
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

struct KeySeed<'a>(&'a HashSet<String>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        if self.0.contains(v) {
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
                let mut seen = HashSet::new();
                let mut out = Vec::new();
                while let Some(key) = map.next_key_seed(KeySeed(&seen))? {
                    let value = map.next_value()?;
                    seen.insert(key.clone());
                    out.push((key, value));
                }
                Ok(UniqueMap(out))
            }
        }
        d.deserialize_map(MapVisitor(PhantomData))
    }
}

/// One name or a list of names (`role: admin` or `role: [a, b]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneOrMany(pub Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a name or a list of names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V)
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
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMembers {
    /// The edition in force.
    #[serde(default)]
    pub edition: Option<String>,
    /// Every user, in sign-up order.
    #[serde(default)]
    pub users: Vec<String>,
    /// Custom groups and their members.
    #[serde(default)]
    pub groups: UniqueMap<Vec<String>>,
    /// Resources by id, parents first.
    #[serde(default)]
    pub resources: UniqueMap<Option<RawResource>>,
}

/// One resource.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResource {
    /// Members in join order.
    #[serde(default)]
    pub members: Vec<String>,
    /// Role bindings: user or `group:NAME` → role(s).
    #[serde(default)]
    pub roles: UniqueMap<OneOrMany>,
    /// Direct grants: user or `group:NAME` → permissions.
    #[serde(default)]
    pub grants: UniqueMap<OneOrMany>,
    /// Configurable grants: role → permission → on/off.
    #[serde(default)]
    pub settings: UniqueMap<UniqueMap<Switch>>,
}
