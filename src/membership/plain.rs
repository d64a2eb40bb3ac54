//! The fast path of the YAML reader: the plain shape of a membership file,
//! read straight from a streaming parser's events into the raw structures.
//!
//! The full reader (serde over `serde_yaml`) first collects the whole
//! document as a list of events of about 100 bytes each, plus one
//! allocation per scalar: for a 100,000-user file that is some 70 MiB
//! built and freed around a 7 MiB text, and the time it takes grows faster
//! than the file once it outgrows the caches. This path keeps one event at
//! a time and borrows plain scalars from the text.
//!
//! It takes only what it can read exactly as the full reader would:
//! mappings, sequences and scalars without anchors, aliases or tags, keys
//! written once, the fields the file has, and scalars whose type is not in
//! doubt. On anything else (a syntax error included) it gives up, and the
//! full reader reads the file again: it alone decides what is an error and
//! words the message. So this path changes how fast a file loads, never
//! what it means; `tests/plain_reader.rs` and the `members_plain` fuzz
//! target check that against the full reader.

use super::names::StrIndex;
use super::raw::{RawBindings, RawMembers, RawResource, RawUsers, Switch, UniqueMap};
use saphyr_parser::{Event, Parser, ScalarStyle, StrInput};
use std::borrow::Cow;

/// Reads `text` if it has the plain shape; `None` leaves it to the full
/// reader.
pub(crate) fn read(text: &str) -> Option<RawMembers> {
    if !plain_characters(text) {
        return None;
    }
    let mut ev = Events(Parser::new_from_str(text));
    if !matches!(ev.next()?, Event::StreamStart) || !matches!(ev.next()?, Event::DocumentStart(_)) {
        return None;
    }
    let raw = members(&mut ev)?;
    match (ev.next()?, ev.next()?) {
        (Event::DocumentEnd, Event::StreamEnd) => {}
        _ => return None,
    }
    // Nothing may follow the stream's end (the parser's own check).
    ev.0.next().is_none().then_some(raw)
}

/// Whether the text is free of what the YAML readers treat differently:
/// tabs, characters YAML does not allow in a stream (control characters,
/// DEL, C1 controls, a byte order mark past the start, U+FFFE and U+FFFF),
/// the line breaks of YAML 1.1 only (U+0085, U+2028, U+2029), and document
/// markers (`---`, `...` at the start of a line).
fn plain_characters(text: &str) -> bool {
    // Whole 64-byte chunks without a branch per byte.
    let bad_ascii = |b: u8| (b < 0x20 && b != b'\n' && b != b'\r') || b == 0x7f;
    let bytes = text.as_bytes();
    if bytes
        .chunks(64)
        .any(|c| c.iter().fold(false, |bad, &b| bad | bad_ascii(b)))
    {
        return false;
    }
    // A `:` right before a flow indicator or `?` (`a:,`), or first on its
    // line (a key's `:` on the line after the key, in flow context) is
    // refused by one reader and read as a key by the other.
    let flow = |b: &u8| matches!(b, b',' | b'?' | b'[' | b']' | b'{' | b'}');
    let first_on_line = |i: usize| {
        let before = bytes.get(..i).unwrap_or_default();
        before
            .iter()
            .rev()
            .find(|&&b| b != b' ')
            .is_none_or(|&b| b == b'\n' || b == b'\r')
    };
    if text
        .match_indices(':')
        .any(|(i, _)| bytes.get(i + 1).is_some_and(flow) || first_on_line(i))
    {
        return false;
    }
    if !text.is_ascii()
        && text.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
        })
    {
        return false;
    }
    // (A line starts after `\n`, and after a lone `\r` too.)
    let marker = |m: &str| {
        text.starts_with(m) || text.contains(&format!("\n{m}")) || text.contains(&format!("\r{m}"))
    };
    !marker("---") && !marker("...")
}

/// The parser's events; a syntax error ends the fast path like the end of
/// the events does.
struct Events<'a>(Parser<'a, StrInput<'a>>);

impl<'a> Events<'a> {
    fn next(&mut self) -> Option<Event<'a>> {
        match self.0.next()? {
            // A scalar written over several lines (folded plain or quoted
            // text), or over 250 characters long, becomes an event nothing
            // here takes: the readers disagree on where such scalars may
            // stand (as a multi-line key in flow context, as a key past
            // the 1,024 bytes one reader allows an implicit key; 250
            // characters are at most 1,000 bytes).
            Ok((Event::Scalar(..), span))
                if span.start.line() != span.end.line()
                    || span.end.index().saturating_sub(span.start.index()) > 250 =>
            {
                Some(Event::Nothing)
            }
            Ok((event, _)) => Some(event),
            Err(_) => None,
        }
    }

    /// A mapping; its keys in turn to `entry`, which reads the value.
    fn mapping(&mut self, entry: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>) -> Option<()> {
        if !matches!(self.next()?, Event::MappingStart(0, None)) {
            return None;
        }
        self.mapping_rest(entry)
    }

    /// The rest of a mapping, once its start is read.
    fn mapping_rest(
        &mut self,
        mut entry: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>,
    ) -> Option<()> {
        loop {
            match self.next()? {
                Event::MappingEnd => return Some(()),
                event => entry(self, text(event)?)?,
            }
        }
    }

    /// A sequence of strings; each in turn to `item`.
    fn strings(&mut self, item: impl FnMut(Cow<'a, str>) -> Option<()>) -> Option<()> {
        if !matches!(self.next()?, Event::SequenceStart(0, None)) {
            return None;
        }
        self.strings_rest(item)
    }

    /// The rest of a sequence of strings, once its start is read.
    fn strings_rest(&mut self, mut item: impl FnMut(Cow<'a, str>) -> Option<()>) -> Option<()> {
        loop {
            match self.next()? {
                Event::SequenceEnd => return Some(()),
                event => item(text(event)?)?,
            }
        }
    }

    /// The rest of a mapping of a struct's `fields`, once its start is
    /// read: each field at most once, by its index to `read`, which reads
    /// the value; any other key ends the fast path (the full reader reports
    /// unknown and repeated fields).
    fn fields(
        &mut self,
        fields: &[&str],
        mut read: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<()> {
        let mut seen = 0u64;
        self.mapping_rest(|ev, key| {
            let field = fields.iter().position(|f| *f == key)?;
            let bit = 1u64.checked_shl(u32::try_from(field).ok()?)?;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            read(ev, field)
        })
    }

    /// A map whose keys must each be written once: the full reader reports
    /// a repeated one.
    fn unique_map<V>(
        &mut self,
        mut value: impl FnMut(&mut Self) -> Option<V>,
    ) -> Option<UniqueMap<V>> {
        let mut out: Vec<(String, V)> = Vec::new();
        let mut seen = StrIndex::default();
        self.mapping(|ev, key| {
            let at = |i: usize| out.get(i).map(|(k, _)| k.as_str());
            if seen.find(&key, at).is_some() {
                return None;
            }
            let v = value(ev)?;
            if !seen.insert(&key, out.len(), at) {
                return None;
            }
            out.push((key.into_owned(), v));
            Some(())
        })?;
        Some(UniqueMap(out))
    }
}

/// A scalar read as a string, as the full reader reads any scalar where it
/// wants a string: plain, single- or double-quoted, not anchored or tagged.
/// An empty plain scalar, or one that starts with an indicator character,
/// is left to the full reader: the YAML readers disagree on some of them.
fn text(event: Event<'_>) -> Option<Cow<'_, str>> {
    match event {
        Event::Scalar(value, ScalarStyle::Plain, 0, None)
            if !value.is_empty()
                && !value.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c)) =>
        {
            Some(value)
        }
        Event::Scalar(value, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted, 0, None) => {
            Some(value)
        }
        _ => None,
    }
}

/// Whether a plain scalar might be read as something other than a string
/// (null, a boolean, a number) where any value is accepted: such scalars
/// go to the full reader. Deliberately broad.
fn maybe_typed(s: &str) -> bool {
    let Some(first) = s.bytes().next() else {
        return true;
    };
    first.is_ascii_digit()
        || matches!(first, b'+' | b'-' | b'.' | b'~')
        || ["null", "true", "false", "yes", "no", "on", "off", "y", "n"]
            .iter()
            .any(|w| s.eq_ignore_ascii_case(w))
}

/// A scalar that is a string wherever it stands.
fn untyped(event: Event<'_>) -> Option<Cow<'_, str>> {
    let plain = matches!(event, Event::Scalar(_, ScalarStyle::Plain, ..));
    let s = text(event)?;
    (!plain || !maybe_typed(&s)).then_some(s)
}

fn members(ev: &mut Events<'_>) -> Option<RawMembers> {
    let mut raw = RawMembers::default();
    if !matches!(ev.next()?, Event::MappingStart(0, None)) {
        return None;
    }
    ev.fields(&["edition", "users", "groups", "resources"], |ev, field| {
        match field {
            0 => raw.edition = Some(untyped(ev.next()?)?.into_owned()),
            1 => raw.users = users(ev)?,
            2 => raw.groups = ev.unique_map(list)?,
            _ => raw.resources = ev.unique_map(resource)?,
        }
        Some(())
    })?;
    Some(raw)
}

fn users(ev: &mut Events<'_>) -> Option<RawUsers> {
    let mut out = RawUsers::default();
    let mut i = 0usize;
    ev.strings(|name| {
        if out.names.insert(&name).is_none() && out.repeated.is_none() {
            out.repeated = Some((i, name.into_owned()));
        }
        i += 1;
        Some(())
    })?;
    out.names.shrink_to_fit();
    Some(out)
}

fn list(ev: &mut Events<'_>) -> Option<Vec<String>> {
    let mut out = Vec::new();
    ev.strings(|s| {
        out.push(s.into_owned());
        Some(())
    })?;
    Some(out)
}

/// A resource: its mapping of fields, or nothing (`workspace:a/b:` alone).
fn resource(ev: &mut Events<'_>) -> Option<Option<RawResource>> {
    match ev.next()? {
        Event::MappingStart(0, None) => {}
        // What the full reader takes for "no value" there.
        Event::Scalar(v, ScalarStyle::Plain, 0, None)
            if matches!(&*v, "" | "~" | "null" | "Null" | "NULL") =>
        {
            return Some(None)
        }
        _ => return None,
    }
    let mut r = RawResource::default();
    ev.fields(&["members", "roles", "grants", "settings"], |ev, field| {
        match field {
            0 => r.members = list(ev)?,
            1 => r.roles = bindings(ev)?,
            2 => r.grants = bindings(ev)?,
            _ => r.settings = ev.unique_map(|ev| ev.unique_map(switch))?,
        }
        Some(())
    })?;
    Some(Some(r))
}

/// `roles:` or `grants:`: subject → `admin` or `[a, b]`, subjects once.
fn bindings(ev: &mut Events<'_>) -> Option<RawBindings> {
    let mut out = RawBindings::default();
    let mut seen = StrIndex::default();
    ev.mapping(|ev, key| {
        if seen.find(&key, |i| out.key(i)).is_some() {
            return None;
        }
        let i = out.len();
        out.push_key(&key)?;
        match ev.next()? {
            Event::SequenceStart(0, None) => ev.strings_rest(|name| out.push_name(&name))?,
            event => out.push_name(&untyped(event)?)?,
        }
        seen.insert(&key, i, |j| out.key(j)).then_some(())
    })?;
    out.shrink_to_fit();
    Some(out)
}

/// `on` / `off` and the other words the full reader takes the same way.
fn switch(ev: &mut Events<'_>) -> Option<Switch> {
    match &*text(ev.next()?)? {
        "on" | "true" | "yes" => Some(Switch(true)),
        "off" | "false" | "no" => Some(Switch(false)),
        _ => None,
    }
}
