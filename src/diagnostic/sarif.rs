//! SARIF 2.1.0 output (`--format sarif`), for code-scanning services such
//! as GitHub's.
//!
//! One run, whose tool driver lists every code of [`super::codes`] as a rule
//! (the `ruleId` of a result is its stable code, `ruleIndex` its place in
//! that list). Each result has the diagnostic's level and message, its
//! primary label as the location and its secondary labels as related
//! locations. Artifact URIs are relative to a base directory (the current
//! directory for the CLI) with `/` separators; a file outside it gets an
//! absolute `file://` URI. Columns count Unicode code points
//! (`columnKind: unicodeCodePoints`), 1-based, end exclusive.

use super::{codes, Diagnostic, Label, Severity, Sources};
use serde_json::{json, Map, Value};
use std::path::{Component, Path};

/// The `$schema` written into the log.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF version written into the log.
pub const SARIF_VERSION: &str = "2.1.0";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The rules: every code rbacc can report, in registry order.
fn rules() -> Vec<Value> {
    codes::CODES
        .iter()
        .map(|c| {
            let default = if c.code.starts_with('E') {
                "error"
            } else {
                "warning"
            };
            json!({
                "id": c.code,
                "name": c.name,
                "shortDescription": { "text": c.summary },
                "fullDescription": { "text": format!("{} ({}): {}.", c.code, c.name, c.summary) },
                "defaultConfiguration": { "level": default },
                "properties": { "tags": [if c.code.starts_with('W') { "lint" } else { "check" }] },
            })
        })
        .collect()
}

/// Percent-encodes what a URI path may not contain as is: everything but
/// unreserved characters, `/` and the sub-delimiters (RFC 3986). `:` is
/// encoded too, so that a relative reference never reads as a scheme
/// (`C:evil.rbac`, `javascript:x.rbac`); `%`, `#`, `?`, spaces and
/// non-ASCII bytes are encoded.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A path as `/`-separated components, `.` dropped.
fn slash_path(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::RootDir => parts.push(String::new()),
            Component::Prefix(p) => parts.push(p.as_os_str().to_string_lossy().into_owned()),
            Component::ParentDir => parts.push("..".to_string()),
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    if joined.is_empty() && path.has_root() {
        "/".to_string()
    } else {
        joined
    }
}

/// A file name as shown in diagnostics, relative to `base` when it lies
/// inside it (or is relative already), with `/` separators.
pub fn relative_path(name: &str, base: Option<&Path>) -> (String, bool) {
    let path = Path::new(name);
    if !path.is_absolute() {
        return (slash_path(path), true);
    }
    match base.and_then(|b| path.strip_prefix(b).ok()) {
        Some(rel) => (slash_path(rel), true),
        None => (slash_path(path), false),
    }
}

/// The artifact URI of a file name: relative to `base`, or `file://`.
pub fn artifact_uri(name: &str, base: Option<&Path>) -> String {
    match relative_path(name, base) {
        (rel, true) => encode_path(&rel),
        (abs, false) => {
            let abs = if abs.starts_with('/') {
                abs
            } else {
                format!("/{abs}")
            };
            format!("file://{}", encode_path(&abs))
        }
    }
}

fn location(sources: &Sources, label: &Label, base: Option<&Path>) -> Option<Value> {
    let source = sources.get(label.file)?;
    let (start_line, start_column) = source.line_col(label.span.start);
    let (end_line, end_column) = source.line_col(label.span.end.max(label.span.start));
    Some(json!({
        "physicalLocation": {
            "artifactLocation": { "uri": artifact_uri(&source.name, base) },
            "region": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column,
            }
        }
    }))
}

/// The text of a result: the message, then notes and help on lines below.
fn message_text(d: &Diagnostic) -> String {
    let mut text = d.message.clone();
    for note in &d.notes {
        text.push_str("\nnote: ");
        text.push_str(note);
    }
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    text
}

fn result(sources: &Sources, d: &Diagnostic, base: Option<&Path>) -> Value {
    let mut obj = Map::new();
    obj.insert("ruleId".into(), json!(d.code));
    if let Some(i) = codes::CODES.iter().position(|c| c.code == d.code) {
        obj.insert("ruleIndex".into(), json!(i));
    }
    obj.insert("level".into(), json!(level(d.severity)));
    obj.insert("message".into(), json!({ "text": message_text(d) }));
    let primary = d.primary_label();
    if let Some(loc) = primary.and_then(|l| location(sources, l, base)) {
        obj.insert("locations".into(), json!([loc]));
    }
    let related: Vec<Value> = d
        .labels
        .iter()
        .filter(|l| !primary.is_some_and(|p| std::ptr::eq(p, *l)))
        .filter_map(|l| {
            let mut loc = location(sources, l, base)?;
            if let Some(o) = loc.as_object_mut() {
                if !l.message.is_empty() {
                    o.insert("message".into(), json!({ "text": l.message }));
                }
            }
            Some(loc)
        })
        .enumerate()
        .map(|(i, mut loc)| {
            if let Some(o) = loc.as_object_mut() {
                o.insert("id".into(), json!(i));
            }
            loc
        })
        .collect();
    if !related.is_empty() {
        obj.insert("relatedLocations".into(), Value::Array(related));
    }
    Value::Object(obj)
}

/// A SARIF 2.1.0 log of one run with these diagnostics. File names are made
/// relative to `base` (the CLI passes the current directory).
pub fn to_sarif(sources: &Sources, diagnostics: &[Diagnostic], base: Option<&Path>) -> Value {
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| result(sources, d, base))
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {
                "driver": {
                    "name": "rbacc",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/rbacc/rbacc",
                    "rules": rules(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// Writes the log of [`to_sarif`] (the same text as its pretty form) for
/// reports produced one at a time, each result written as it is made:
/// memory holds one report, not the run. Returns the counts written.
pub fn write_sarif(
    writer: &mut dyn std::io::Write,
    reports: impl Iterator<Item = super::Report>,
    base: Option<&Path>,
) -> std::io::Result<super::json::Counts> {
    use serde::ser::{SerializeMap, Serializer as _};
    let results = super::json::Stream::new(reports, |sources: &Sources, d: &Diagnostic| {
        result(sources, d, base)
    });
    let tool = json!({
        "driver": {
            "name": "rbacc",
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://github.com/rbacc/rbacc",
            "rules": rules(),
        }
    });
    let run = Run {
        results: &results,
        tool: &tool,
    };
    let mut ser = serde_json::Serializer::pretty(writer);
    // Keys in the order of `to_sarif`'s maps (sorted).
    let mut map = ser.serialize_map(Some(3)).map_err(std::io::Error::other)?;
    map.serialize_entry("$schema", SARIF_SCHEMA)
        .and_then(|()| map.serialize_entry("runs", &[&run]))
        .and_then(|()| map.serialize_entry("version", SARIF_VERSION))
        .and_then(|()| map.end())
        .map_err(std::io::Error::other)?;
    Ok(results.counts())
}

/// The one run of a streamed log.
struct Run<'a, R> {
    results: &'a R,
    tool: &'a Value,
}

impl<R: serde::Serialize> serde::Serialize for Run<'_, R> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("columnKind", "unicodeCodePoints")?;
        map.serialize_entry("results", self.results)?;
        map.serialize_entry("tool", self.tool)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_to_the_base() {
        let base = Path::new("/work/repo");
        assert_eq!(
            artifact_uri("policies/a.rbac", Some(base)),
            "policies/a.rbac"
        );
        assert_eq!(
            artifact_uri("./policies/a.rbac", Some(base)),
            "policies/a.rbac"
        );
        assert_eq!(
            artifact_uri("/work/repo/p/a b.rbac", Some(base)),
            "p/a%20b.rbac"
        );
        assert_eq!(
            artifact_uri("/elsewhere/a.rbac", Some(base)),
            "file:///elsewhere/a.rbac"
        );
        assert_eq!(artifact_uri("../up/é.rbac", None), "../up/%C3%A9.rbac");
    }
}
