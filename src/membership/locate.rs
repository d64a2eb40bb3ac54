//! Finding where a value is written in a YAML file.
//!
//! serde_yaml attaches the position of the current event to errors raised
//! while deserialising. The locator walks the document along a path of keys
//! and raises an error exactly at the wanted key or value; the error's
//! position is the answer. It runs only when a diagnostic needs a position.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;
use std::fmt;

const MARK: &str = "rbacc-locate-mark";

/// What to point at, at the end of the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The last key of the path.
    Key,
    /// The value under the path.
    Value,
    /// Item `n` of the sequence under the path.
    Item(usize),
}

/// The byte offset of the thing at `path`/`target`, if found.
pub fn locate(text: &str, path: &[String], target: Target) -> Option<usize> {
    let de = serde_yaml::Deserializer::from_str(text);
    let err = match (Walk { path, target }).deserialize(de) {
        Ok(()) => return None,
        Err(e) => e,
    };
    if !err.to_string().contains(MARK) {
        return None;
    }
    let loc = err.location()?;
    Some(offset_of(text, loc.line(), loc.column()))
}

/// Byte offset of a 1-based line and 1-based character column.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return offset + col;
        }
        offset += l.len();
    }
    text.len()
}

/// The length of the YAML token starting at `offset` (a plain or quoted
/// scalar), at least 1 byte where the text allows.
pub fn token_len(text: &str, offset: usize) -> usize {
    let rest = text.get(offset..).unwrap_or("");
    let mut chars = rest.char_indices();
    match chars.next() {
        None => 0,
        Some((_, q @ ('"' | '\''))) => {
            for (i, c) in chars {
                if c == q {
                    return i + 1;
                }
                if c == '\n' {
                    return i;
                }
            }
            rest.len()
        }
        Some((_, '[' | '{' | '-')) => 1,
        Some(_) => {
            let end = rest
                .char_indices()
                .find(|&(i, c)| {
                    c == '\n'
                        || c == ','
                        || c == ']'
                        || c == '}'
                        || c == '#'
                        || (c == ':'
                            && rest
                                .get(i + 1..)
                                .is_none_or(|r| r.starts_with([' ', '\n', '\r']) || r.is_empty()))
                })
                .map_or(rest.len(), |(i, _)| i);
            rest.get(..end).map_or(1, |s| s.trim_end().len().max(1))
        }
    }
}

struct Walk<'a> {
    path: &'a [String],
    target: Target,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.path.is_empty() && self.target == Target::Value {
            return d.deserialize_any(Fail);
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("anything")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((want, rest)) = self.path.split_first() else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        let fail_on_key = rest.is_empty() && self.target == Target::Key;
        while let Some(key) = map.next_key_seed(Key {
            want,
            fail: fail_on_key,
        })? {
            if key {
                map.next_value_seed(Walk {
                    path: rest,
                    target: self.target,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if let (true, Target::Item(n)) = (self.path.is_empty(), self.target) {
            for _ in 0..n {
                if seq.next_element::<IgnoredAny>()?.is_none() {
                    return Ok(());
                }
            }
            seq.next_element_seed(FailSeed)?;
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

struct Key<'a> {
    want: &'a str,
    fail: bool,
}

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        if v == self.want && self.fail {
            return Err(E::custom(MARK));
        }
        Ok(v == self.want)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

struct FailSeed;

impl<'de> DeserializeSeed<'de> for FailSeed {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(Fail)
    }
}

/// A visitor that fails on whatever it meets, so the error carries its mark.
struct Fail;

impl<'de> Visitor<'de> for Fail {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("anything")
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(MARK))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(MARK))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(MARK))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(MARK))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(MARK))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(MARK))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(MARK))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(MARK))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_keys_values_and_items() {
        let text = "users: [ana, \"böb\"]\nresources:\n  org:a:\n    roles:\n      ana: owner\n";
        let at =
            |path: &[&str], t| locate(text, &p(path), t).map(|o| &text[o..o + token_len(text, o)]);
        assert_eq!(at(&["users"], Target::Item(1)), Some("\"böb\""));
        assert_eq!(at(&["resources", "org:a"], Target::Key), Some("org:a"));
        assert_eq!(
            at(&["resources", "org:a", "roles", "ana"], Target::Value),
            Some("owner")
        );
        assert_eq!(
            at(&["resources", "org:a", "roles", "ana"], Target::Key),
            Some("ana")
        );
        assert_eq!(at(&["resources", "nope"], Target::Key), None);
    }
}
