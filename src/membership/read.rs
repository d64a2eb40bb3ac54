//! The one YAML reader: text to a tree of nodes, each with its position,
//! built from saphyr-parser's event stream. Membership files and policy test
//! files are both read here.
//!
//! What it refuses, each as a located error: YAML syntax errors, a key
//! written twice in one mapping, nesting deeper than
//! [`limits::MAX_YAML_DEPTH`], an alias inside the node it names, and a
//! document that, with every alias written out, would hold more nodes than
//! [`node_budget`] of its text allows (an alias bomb). Aliases are kept as
//! references to the node they name (nothing is copied), and the budget
//! bounds what any reader of the tree can walk.
//!
//! A node is kept in a flat list in document order: a collection's
//! children follow it, and each node records where its subtree ends.

#![expect(
    clippy::result_large_err,
    reason = "a data error ends reading at once; it is built once per load"
)]

use super::errors::{At, DataError, Pos};
use crate::limits;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::borrow::Cow;
use std::collections::HashMap;

/// What a node is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Value<'d> {
    /// A scalar, with whether it was written plain (unquoted, not a block
    /// scalar): only a plain scalar can be a number, a boolean or null.
    Scalar(&'d str, bool),
    /// A sequence; its items follow.
    Seq,
    /// A mapping; its keys and values follow, alternating.
    Map,
    /// An alias of the node at this index.
    Alias(u32),
}

/// What a node is, as kept.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// A scalar: `a..a + b` of the text, or (owned, when the parser
    /// rewrote it: escapes, folding) `owned[a]`.
    Scalar {
        plain: bool,
        owned: bool,
    },
    Seq,
    Map,
    /// An alias of node `a`.
    Alias,
}

/// One node of the tree: 24 bytes (a large file has a node per name).
#[derive(Copy, Clone, Debug)]
struct Node {
    kind: Kind,
    pos: Pos,
    /// Index just past this node's subtree.
    end: u32,
    a: u32,
    b: u32,
}

/// One YAML document read into nodes.
#[derive(Clone, Debug, Default)]
pub struct Doc<'a> {
    text: &'a str,
    nodes: Vec<Node>,
    /// Scalars the parser rewrote (escapes, folded lines).
    owned: Vec<String>,
}

/// The most nodes a document of `len` bytes may hold with its aliases
/// written out: twice its length, plus 10,000 (aliases may repeat a small
/// anchored list a few times over, never multiply the text).
pub fn node_budget(len: usize) -> u64 {
    (len as u64).saturating_mul(2).saturating_add(10_000)
}

/// A node of a document, to walk the tree.
#[derive(Copy, Clone, Debug)]
pub struct NodeRef<'d, 'a> {
    doc: &'d Doc<'a>,
    i: u32,
}

impl<'a> Doc<'a> {
    /// The top node, if the document has one.
    pub fn root(&self) -> Option<NodeRef<'_, 'a>> {
        (!self.nodes.is_empty()).then_some(NodeRef { doc: self, i: 0 })
    }
}

impl<'d, 'a> NodeRef<'d, 'a> {
    fn node(&self) -> Option<&'d Node> {
        self.doc.nodes.get(self.i as usize)
    }

    /// Where the node is written (for an alias, where the alias is).
    pub fn pos(&self) -> Pos {
        self.node().map_or_else(Pos::default, |n| n.pos)
    }

    /// The node an alias names; any other node itself.
    pub fn resolve(self) -> NodeRef<'d, 'a> {
        match self.node() {
            Some(n) if n.kind == Kind::Alias => NodeRef {
                doc: self.doc,
                i: n.a,
            },
            _ => self,
        }
    }

    /// What the node is (through an alias).
    pub fn value(&self) -> Value<'d> {
        let doc = self.doc;
        let Some(n) = self.resolve().node() else {
            return Value::Scalar("", true);
        };
        match n.kind {
            Kind::Scalar { plain, owned } => {
                let s = if owned {
                    doc.owned.get(n.a as usize).map_or("", String::as_str)
                } else {
                    doc.text
                        .get(n.a as usize..(n.a as usize).saturating_add(n.b as usize))
                        .unwrap_or("")
                };
                Value::Scalar(s, plain)
            }
            Kind::Seq => Value::Seq,
            Kind::Map => Value::Map,
            Kind::Alias => Value::Alias(n.a),
        }
    }

    /// The text of a scalar.
    pub fn scalar(&self) -> Option<&'d str> {
        match self.value() {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// Whether the node is null (an empty plain scalar, `~`, `null`).
    pub fn is_null(&self) -> bool {
        matches!(self.value(), Value::Scalar(s, true) if is_null(s))
    }

    /// Whether the node is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.value(), Value::Map)
    }

    /// Whether the node is a sequence.
    pub fn is_seq(&self) -> bool {
        matches!(self.value(), Value::Seq)
    }

    /// The children of a collection, in order (none for a scalar).
    fn children(self) -> impl Iterator<Item = NodeRef<'d, 'a>> {
        let target = self.resolve();
        let doc = target.doc;
        let (mut next, end) = match target.node() {
            Some(n) if matches!(n.kind, Kind::Seq | Kind::Map) => (target.i + 1, n.end),
            _ => (0, 0),
        };
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let here = NodeRef { doc, i: next };
            next = here.node().map_or(end, |n| n.end);
            Some(here)
        })
    }

    /// The items of a sequence.
    pub fn items(self) -> impl Iterator<Item = NodeRef<'d, 'a>> {
        self.children()
    }

    /// The entries of a mapping: key and value.
    pub fn entries(self) -> impl Iterator<Item = (NodeRef<'d, 'a>, NodeRef<'d, 'a>)> {
        let mut c = self.children();
        std::iter::from_fn(move || Some((c.next()?, c.next()?)))
    }

    /// How the value reads to a person: "the number 3", "a list", ...
    pub fn describe(&self) -> String {
        match self.value() {
            Value::Seq => "a list".to_string(),
            Value::Map => "a mapping (`key: value` lines)".to_string(),
            Value::Scalar(s, true) if is_null(s) => "nothing (an empty value)".to_string(),
            Value::Scalar(s, true) if is_bool(s) => format!("the boolean `{s}`"),
            Value::Scalar(s, true) if is_number(s) => format!("the number `{s}`"),
            Value::Scalar(s, _) => format!("the text `{}`", super::errors::escape(s)),
            Value::Alias(_) => "an alias".to_string(),
        }
    }

    /// The text of a scalar as written, unless it is null (nothing, `~`,
    /// `null` written plain). A name is never converted: `007` stays
    /// `007`, `yes` stays `yes`.
    pub fn text(&self) -> Option<&'d str> {
        match self.value() {
            Value::Scalar(s, plain) if !(plain && is_null(s)) => Some(s),
            _ => None,
        }
    }
}

/// YAML 1.2 core schema: null.
fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

/// YAML 1.2 core schema: booleans.
fn is_bool(s: &str) -> bool {
    matches!(s, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
}

/// YAML 1.2 core schema: integers and floats.
fn is_number(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if let Some(hex) = s.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some(oct) = s.strip_prefix("0o") {
        return !oct.is_empty() && oct.bytes().all(|b| matches!(b, b'0'..=b'7'));
    }
    if matches!(body, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    // [0-9]* (. [0-9]*)? ([eE] [-+]? [0-9]+)?, with at least one digit.
    let (mant, exp) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i).unwrap_or(""), body.get(i + 1..)),
        None => (body, None),
    };
    let (int, frac) = match mant.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mant, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    !(int.is_empty() && frac.is_empty()) && digits(int) && digits(frac) && exp_ok
}

fn pos_of(span: &Span) -> Pos {
    Pos::new(span.start.line(), span.start.col() + 1)
}

fn limit_error(message: String, pos: Pos, label: &str, help: &str) -> DataError {
    DataError::new("E0407", message, At::Pos(pos), label).help(help)
}

/// The first bidirectional control, invisible or control character in a
/// comment (E0411, the same check as the CLI's, which reports every line):
/// a comment that displays differently from what it holds refuses the
/// file, whoever reads it (`Members::from_yaml`, test files).
fn hidden_in_comments(text: &str) -> Option<DataError> {
    // Printable ASCII has none: the common case costs one pass over bytes.
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return None;
    }
    let first = crate::analyse::hidden::yaml_comments(text, crate::diagnostic::FileId(0))
        .into_iter()
        .next()?;
    let label = first.primary_label()?;
    let before = text.get(..label.span.start as usize)?;
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let error = DataError::new(
        "E0411",
        first.message.clone(),
        At::Pos(Pos::new(line, col)),
        label.message.clone(),
    );
    Some(match &first.help {
        Some(help) => error.help(help.clone()),
        None => error,
    })
}

/// One open collection while reading.
struct Open {
    /// Index of its node.
    at: u32,
    /// Nodes in it with aliases written out (itself included).
    weight: u64,
    /// Its anchor, if any.
    anchor: usize,
}

/// Reads every document of `text` (at most `max_docs`; past that the
/// next document's start is an error).
pub fn read_all(text: &str, max_docs: usize) -> Result<Vec<Doc<'_>>, DataError> {
    read_with(text, max_docs, node_budget(text.len()))
}

/// [`read_all`] for a part of a larger file that starts on line
/// `first_line` (1-based): every position, of nodes and of errors, is a
/// line of the whole file. Reads only the part: a file of many documents
/// is read document by document in time linear in the file.
pub fn read_part(
    text: &str,
    max_docs: usize,
    first_line: usize,
) -> Result<Vec<Doc<'_>>, DataError> {
    let shift = u32::try_from(first_line.saturating_sub(1)).unwrap_or(u32::MAX);
    let moved = |mut pos: Pos| {
        pos.line = pos.line.saturating_add(shift);
        pos
    };
    match read_all(text, max_docs) {
        Ok(mut docs) => {
            for node in docs.iter_mut().flat_map(|d| d.nodes.iter_mut()) {
                node.pos = moved(node.pos);
            }
            Ok(docs)
        }
        Err(mut e) => {
            if let At::Pos(pos) = e.at {
                e.at = At::Pos(moved(pos));
            }
            Err(e)
        }
    }
}

/// [`read_all`] with a given node budget.
pub fn read_with(text: &str, max_docs: usize, budget: u64) -> Result<Vec<Doc<'_>>, DataError> {
    if let Some(e) = hidden_in_comments(text) {
        return Err(e);
    }
    let mut docs = Vec::new();
    let new_doc = || Doc {
        text,
        nodes: Vec::new(),
        owned: Vec::new(),
    };
    let mut doc = new_doc();
    let ascii = text.is_ascii();
    let mut stack: Vec<Open> = Vec::new();
    // Anchor id → (node, weight); the weight is set when the node ends.
    let mut anchors: HashMap<usize, (u32, Option<u64>)> = HashMap::new();
    let mut total: u64 = 0;
    let mut parser = Parser::new_from_str(text);
    for next in &mut parser {
        let (event, span) = next.map_err(|e| syntax_error(text, &e))?;
        let pos = pos_of(&span);
        let index = u32::try_from(doc.nodes.len()).unwrap_or(u32::MAX);
        // Nodes in the item read by this event, with aliases written out
        // (collections count when they end).
        let mut weight = None;
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => continue,
            Event::DocumentStart(_) => {
                if docs.len() >= max_docs {
                    return Err(DataError::new(
                        "E0401",
                        "a second YAML document in the file",
                        At::Pos(pos),
                        "a new document starts here",
                    )
                    .help("a membership file holds one YAML document: remove the `---` line or the rest"));
                }
                continue;
            }
            Event::DocumentEnd => {
                docs.push(std::mem::replace(&mut doc, new_doc()));
                anchors.clear();
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => {
                if tag.is_some() {
                    return Err(tag_error(pos));
                }
                if anchor > 0 {
                    anchors.insert(anchor, (index, Some(1)));
                }
                let plain = style == ScalarStyle::Plain;
                let quoted = matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted);
                // Where the parser borrowed the scalar from the text, keep
                // its place; otherwise the rewritten text.
                let place = match &value {
                    Cow::Borrowed(v) => (v.as_ptr() as usize)
                        .checked_sub(text.as_ptr() as usize)
                        .filter(|start| start.saturating_add(v.len()) <= text.len()),
                    // The parser copies most plain scalars; in ASCII text
                    // (character index = byte offset) the span finds the
                    // same text in place.
                    Cow::Owned(v) => {
                        Some(span.start.index() + usize::from(quoted)).filter(|&start| {
                            ascii
                                && text.get(start..start.saturating_add(v.len()))
                                    == Some(v.as_str())
                        })
                    }
                }
                .and_then(|start| {
                    Some((u32::try_from(start).ok()?, u32::try_from(value.len()).ok()?))
                });
                let (owned, a, b) = match place {
                    Some((a, b)) => (false, a, b),
                    None => {
                        doc.owned.push(value.into_owned());
                        let i = u32::try_from(doc.owned.len() - 1).unwrap_or(u32::MAX);
                        (true, i, 0)
                    }
                };
                doc.nodes.push(Node {
                    kind: Kind::Scalar { plain, owned },
                    pos,
                    end: index + 1,
                    a,
                    b,
                });
                weight = Some(1);
            }
            Event::Alias(anchor) => {
                let (target, w) = match anchors.get(&anchor) {
                    Some(&(t, Some(w))) => (t, w),
                    _ => {
                        return Err(DataError::new(
                            "E0401",
                            "an alias inside the node it names",
                            At::Pos(pos),
                            "this alias refers to a node that contains it",
                        )
                        .help("an alias must name a node written before it, outside it"))
                    }
                };
                doc.nodes.push(Node {
                    kind: Kind::Alias,
                    pos,
                    end: index + 1,
                    a: target,
                    b: 0,
                });
                weight = Some(w);
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if tag.is_some() {
                    return Err(tag_error(pos));
                }
                if stack.len() >= limits::MAX_YAML_DEPTH {
                    return Err(limit_error(
                        format!("YAML nested deeper than {} levels", limits::MAX_YAML_DEPTH),
                        pos,
                        "too deep",
                        "membership files need at most 5 levels",
                    ));
                }
                let kind = if matches!(event, Event::SequenceStart(..)) {
                    Kind::Seq
                } else {
                    Kind::Map
                };
                if anchor > 0 {
                    anchors.insert(anchor, (index, None));
                }
                doc.nodes.push(Node {
                    kind,
                    pos,
                    end: 0,
                    a: 0,
                    b: 0,
                });
                total += 1;
                stack.push(Open {
                    at: index,
                    weight: 1,
                    anchor,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = stack.pop() else { continue };
                if let Some(n) = doc.nodes.get_mut(open.at as usize) {
                    n.end = index;
                }
                if matches!(event, Event::MappingEnd) {
                    duplicate_keys(&doc, open.at)?;
                }
                if open.anchor > 0 {
                    anchors.insert(open.anchor, (open.at, Some(open.weight)));
                }
                if let Some(parent) = stack.last_mut() {
                    parent.weight = parent.weight.saturating_add(open.weight);
                }
                continue;
            }
        }
        if let Some(w) = weight {
            total = total.saturating_add(w);
            if let Some(parent) = stack.last_mut() {
                parent.weight = parent.weight.saturating_add(w);
            }
            if total > budget {
                return Err(limit_error(
                    format!(
                        "the YAML, with its aliases written out, holds more than {budget} nodes, the limit for a file of {} bytes",
                        text.len()
                    ),
                    pos,
                    "the limit is passed here",
                    "write the data out without aliases that expand to many copies",
                ));
            }
        }
    }
    Ok(docs)
}

fn tag_error(pos: Pos) -> DataError {
    DataError::new(
        "E0401",
        "a YAML tag (`!…`) in the data",
        At::Pos(pos),
        "tags are not used here",
    )
    .help("remove the tag: names are plain text")
}

/// Refuses a key written twice in the mapping at `at` (keys compared as
/// text), at the second one.
fn duplicate_keys(doc: &Doc<'_>, at: u32) -> Result<(), DataError> {
    let map = NodeRef { doc, i: at };
    let mut keys: Vec<(&str, u32)> = map
        .entries()
        .filter_map(|(k, _)| Some((k.scalar()?, k.i)))
        .collect();
    if keys.len() < 2 {
        return Ok(());
    }
    keys.sort_unstable();
    let second = keys
        .windows(2)
        .filter_map(|w| match w {
            [a, b] if a.0 == b.0 => Some(b.1),
            _ => None,
        })
        .min();
    let Some(second) = second else { return Ok(()) };
    let key = NodeRef { doc, i: second };
    let name = key.scalar().unwrap_or("");
    Err(DataError::new(
        "E0406",
        format!(
            "the key `{}` is written twice in one mapping",
            super::errors::escape(name)
        ),
        At::Pos(key.pos()),
        "written again here",
    )
    .help("write each key once; a repeated key would silently replace the first"))
}

/// A syntax error of the parser, located, with what was expected.
fn syntax_error(text: &str, e: &saphyr_parser::ScanError) -> DataError {
    let m = e.marker();
    let pos = Pos::new(m.line(), m.col() + 1);
    let offset = pos.offset_in(text);
    let here = text.get(offset..).and_then(|t| t.chars().next());
    let line = text
        .get(..offset)
        .map_or("", |t| t.rsplit('\n').next().unwrap_or(""));
    if e.info() == "recursion limit exceeded" {
        // The scanner's own bound on flow nesting (255 levels), met before
        // the reader sees the collections.
        return limit_error(
            format!("YAML nested deeper than {} levels", limits::MAX_YAML_DEPTH),
            pos,
            "too deep",
            "membership files need at most 5 levels",
        );
    }
    let tab = here == Some('\t')
        || line.contains('\t') && line.trim_start_matches([' ', '\t']).is_empty();
    if tab {
        return DataError::new("E0401", "a tab in the YAML", At::Pos(pos), "tab here")
            .help("YAML indents with spaces only: replace the tab with spaces");
    }
    DataError::new(
        "E0401",
        format!("YAML syntax error: {}", e.info()),
        At::Pos(pos),
        "the YAML reader stopped here",
    )
    .help("expected a `key: value` line, a `- item` line, or a `[list]` / `{mapping}`, indented with spaces under its parent")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn one(text: &str) -> Doc<'_> {
        read_all(text, 1).unwrap().pop().unwrap()
    }

    #[test]
    fn positions_of_keys_and_values() {
        let d = one("a: [x, 'y']\nb:\n  c: 3\n");
        let root = d.root().unwrap();
        let e: Vec<_> = root.entries().collect();
        assert_eq!(e[0].0.pos(), Pos::new(1, 1));
        let items: Vec<_> = e[0]
            .1
            .items()
            .map(|n| (n.text().unwrap(), n.pos()))
            .collect();
        assert_eq!(items, vec![("x", Pos::new(1, 5)), ("y", Pos::new(1, 8))]);
        let (c, three) = e[1].1.entries().next().unwrap();
        assert_eq!(c.pos(), Pos::new(3, 3));
        assert_eq!(three.text(), Some("3"));
        assert_eq!(three.describe(), "the number `3`");
    }

    #[test]
    fn scalars_of_ascii_text_are_kept_as_places() {
        let text = "users:\n  - u1\n  - 'u2'\nresources: {\"a\\tb\": x}\n";
        let d = one(text);
        // Only the double-quoted scalar with an escape is rewritten.
        assert_eq!(d.owned, ["a\tb"]);
        let users: Vec<_> = d
            .root()
            .unwrap()
            .entries()
            .next()
            .unwrap()
            .1
            .items()
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(users, ["u1", "u2"]);
    }

    #[test]
    fn aliases_are_references() {
        let d = one("a: &x [p, q]\nb: *x\n");
        let (_, b) = d.root().unwrap().entries().nth(1).unwrap();
        assert_eq!(
            b.items().filter_map(|n| n.text()).collect::<Vec<_>>(),
            ["p", "q"]
        );
    }

    #[test]
    fn the_node_budget_holds_at_its_limit() {
        // 1 map + a + list(3) + b + alias(3) + c + alias(3) = 13 nodes.
        let text = "a: &x [p, q]\nb: *x\nc: *x\n";
        assert!(read_with(text, 1, 13).is_ok());
        let e = read_with(text, 1, 12).unwrap_err();
        assert_eq!(e.code, "E0407");
        assert_eq!(e.at, At::Pos(Pos::new(3, 4)));
    }

    #[test]
    fn depth_holds_at_its_limit() {
        let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(read_all(&nest(limits::MAX_YAML_DEPTH), 1).is_ok());
        let e = read_all(&nest(limits::MAX_YAML_DEPTH + 1), 1).unwrap_err();
        assert_eq!(e.code, "E0407");
        assert_eq!(e.at, At::Pos(Pos::new(1, limits::MAX_YAML_DEPTH + 1)));
    }

    #[test]
    fn duplicate_keys_are_refused_at_the_second() {
        let e = read_all("a: 1\nb: 2\na: 3\n", 1).unwrap_err();
        assert_eq!((e.code, e.at), ("E0406", At::Pos(Pos::new(3, 1))));
    }

    #[test]
    fn recursive_aliases_are_refused() {
        assert!(read_all("a: &x [*x]\n", 1).is_err());
    }

    #[test]
    fn core_schema_numbers() {
        for n in [
            "3", "-3", "0x1f", "0o7", "1.5", "1e3", ".5", "-.inf", ".nan",
        ] {
            assert!(is_number(n), "{n}");
        }
        for s in ["3a", "0x", "e3", ".", "1.2.3", "abc", "1_000"] {
            assert!(!is_number(s), "{s}");
        }
    }
}
