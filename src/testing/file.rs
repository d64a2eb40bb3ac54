//! Reading policy test files: YAML documents naming a policy, membership
//! data and cases.

use crate::membership::locate::{locate, Target};
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// Where the membership data of a suite is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MembersSpec {
    /// A path relative to the test file.
    Path(String),
    /// A mapping written inline under `members:`.
    Inline,
}

impl<'de> Deserialize<'de> for MembersSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MembersSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a path to a membership file, or membership data written inline")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MembersSpec, E> {
                Ok(MembersSpec::Path(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MembersSpec, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MembersSpec::Inline)
            }
        }
        d.deserialize_any(V)
    }
}

/// What a case expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawExpect {
    /// `allow` (true) or `deny` (false).
    Decision(bool),
    /// The users of a `who_can` case.
    Users(Vec<String>),
}

impl<'de> Deserialize<'de> for RawExpect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawExpect;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`allow`, `deny`, or a list of users")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawExpect, E> {
                match v {
                    "allow" => Ok(RawExpect::Decision(true)),
                    "deny" => Ok(RawExpect::Decision(false)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawExpect, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(RawExpect::Users(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// `who_can: {permission, resource}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWhoCan {
    pub permission: String,
    pub resource: String,
}

/// One case as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCase {
    pub name: String,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub permission: Option<String>,
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub who_can: Option<RawWhoCan>,
    pub expect: RawExpect,
}

/// One YAML document of a test file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSuite {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub preset: Option<String>,
    pub members: MembersSpec,
    #[serde(default)]
    pub cases: Vec<RawCase>,
}

/// What one case asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseKind {
    /// Can `user` do `permission` on `resource`?
    Check {
        /// The user.
        user: String,
        /// The permission.
        permission: String,
        /// The resource.
        resource: String,
        /// `true` for `allow`.
        expect: bool,
    },
    /// Who can do `permission` on `resource`?
    WhoCan {
        /// The permission.
        permission: String,
        /// The resource.
        resource: String,
        /// The expected users (compared as a set).
        expect: Vec<String>,
    },
}

/// One case of a test file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// Its name: the statement it checks.
    pub name: String,
    /// `file:line:col` of the case.
    pub location: String,
    /// What it asks and expects.
    pub kind: CaseKind,
}

/// The lines of `text` from `start` to `end` (0-based, end exclusive) kept,
/// every other line emptied: positions stay those of the whole file.
pub(crate) fn keep_lines(text: &str, start: usize, end: usize) -> String {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            if (start..end).contains(&i) {
                l.to_string()
            } else if l.ends_with('\n') {
                "\n".to_string()
            } else {
                String::new()
            }
        })
        .collect()
}

/// The YAML documents of a file, each as the whole file with the other
/// documents' lines emptied (so that line numbers stay the file's), with the
/// 1-based line where it starts. Documents holding only comments are
/// skipped.
pub(crate) fn documents(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_marker = |l: &str| {
        let l = l.trim_end();
        l == "---" || l == "..." || l.starts_with("--- ")
    };
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while i <= lines.len() {
        let at_end = i == lines.len();
        if at_end || lines.get(i).is_some_and(|l| is_marker(l)) {
            let has_content = lines
                .get(start..i)
                .unwrap_or(&[])
                .iter()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
            if has_content {
                out.push((start + 1, keep_lines(text, start, i)));
            }
            start = i + 1;
        }
        i += 1;
    }
    out
}

/// The text of an inline `members:` mapping of a document: the document
/// with everything but the mapping emptied (and the `members:` key blanked),
/// so that diagnostics point into the test file itself.
pub(crate) fn inline_members(doc: &str) -> Option<String> {
    let lines: Vec<&str> = doc.split_inclusive('\n').collect();
    let first = lines.iter().position(|l| {
        l.strip_prefix("members")
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })?;
    let end = lines
        .iter()
        .enumerate()
        .skip(first + 1)
        .find(|(_, l)| l.starts_with(|c: char| !c.is_whitespace() && c != '#'))
        .map_or(lines.len(), |(i, _)| i);
    // Blank the key, keep the value's columns.
    let text = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == first {
                let key_end = l.find(':').map_or(0, |c| c + 1);
                format!("{}{}", " ".repeat(key_end), l.get(key_end..).unwrap_or(""))
            } else if (first..end).contains(&i) {
                (*l).to_string()
            } else if l.ends_with('\n') {
                "\n".to_string()
            } else {
                String::new()
            }
        })
        .collect();
    Some(text)
}

/// `file:line:col` of the item `index` of the document's `cases:` list.
pub(crate) fn case_location(file: &str, doc: &str, index: usize) -> String {
    let path = ["cases".to_string()];
    match locate(doc, &path, Target::Item(index)) {
        Some(offset) => {
            let src = crate::diagnostic::Source::new(file, doc);
            let (line, col) = src.line_col(u32::try_from(offset).unwrap_or(u32::MAX));
            format!("{file}:{line}:{col}")
        }
        None => file.to_string(),
    }
}

/// Turns raw cases into cases, or says which one is malformed.
pub(crate) fn cases(file: &str, doc: &str, raw: Vec<RawCase>) -> Result<Vec<Case>, String> {
    raw.into_iter()
        .enumerate()
        .map(|(i, c)| {
            let location = case_location(file, doc, i);
            let kind = match (c.user, c.permission, c.resource, c.who_can, c.expect) {
                (Some(user), Some(permission), Some(resource), None, RawExpect::Decision(expect)) => CaseKind::Check {
                    user,
                    permission,
                    resource,
                    expect,
                },
                (None, None, None, Some(w), RawExpect::Users(expect)) => CaseKind::WhoCan {
                    permission: w.permission,
                    resource: w.resource,
                    expect,
                },
                (_, _, _, Some(_), RawExpect::Decision(_)) => {
                    return Err(format!(
                        "{location}: case `{}`: a `who_can` case expects a list of users",
                        c.name
                    ))
                }
                (_, _, _, Some(_), _) => {
                    return Err(format!(
                        "{location}: case `{}`: a `who_can` case has no `user`, `permission` or `resource`",
                        c.name
                    ))
                }
                (_, _, _, None, RawExpect::Users(_)) => {
                    return Err(format!(
                        "{location}: case `{}`: a list of users is expected only by a `who_can` case",
                        c.name
                    ))
                }
                (_, _, _, None, RawExpect::Decision(_)) => {
                    return Err(format!(
                        "{location}: case `{}`: give `user`, `permission` and `resource`",
                        c.name
                    ))
                }
            };
            Ok(Case {
                name: c.name,
                location,
                kind,
            })
        })
        .collect()
}

/// Parses one document; errors are `file:line:col: message`.
pub(crate) fn parse_suite(file: &str, doc: &str) -> Result<RawSuite, String> {
    // The limits of membership files: the YAML reader would take minutes
    // on deep nesting before its own recursion limit applies.
    let limits = (
        crate::limits::MAX_MEMBERS_BYTES,
        crate::limits::MAX_YAML_DEPTH,
    );
    if doc.len() > limits.0 {
        return Err(format!(
            "{file}: test document is {} bytes, larger than the limit of {} bytes",
            doc.len(),
            limits.0
        ));
    }
    // (As for membership files: a leading byte order mark would hide the
    // real error of the document.)
    let doc = doc.strip_prefix('\u{feff}').unwrap_or(doc);
    if let Some((line, col)) = crate::membership::yaml_too_deep(doc) {
        return Err(format!(
            "{file}:{line}:{col}: YAML nested deeper than {} levels",
            limits.1
        ));
    }
    serde_yaml::from_str::<RawSuite>(doc).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        match e.location() {
            Some(l) => format!("{file}:{}:{}: {msg}", l.line(), l.column()),
            None => format!("{file}: {msg}"),
        }
    })
}

/// `base`'s directory joined with `rel`, with `.` and `..` removed lexically
/// (for stable, readable names).
pub(crate) fn relative_to(base: &Path, rel: &str) -> PathBuf {
    let joined = base.parent().unwrap_or(Path::new("")).join(rel);
    normalize(&joined)
}

/// Removes `.` and `..` components without touching the file system.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// Whether a YAML file found in a directory is a test file: it has a
/// top-level `cases:` key.
pub(crate) fn looks_like_tests(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("cases")
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_keep_line_numbers() {
        let text = "# header\n---\na: 1\n---\n# only a comment\n---\nb: 2\n";
        let docs = documents(text);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs.first().map(|d| d.0), Some(3));
        assert_eq!(
            docs.get(1).map(|d| d.1.as_str()),
            Some("\n\n\n\n\n\nb: 2\n")
        );
    }

    #[test]
    fn inline_members_keep_columns() {
        let doc = "preset: astro\nmembers:\n  users: [a]\n  # c\ncases: []\n";
        assert_eq!(
            inline_members(doc).as_deref(),
            Some("\n        \n  users: [a]\n  # c\n\n")
        );
        let flow = "members: {users: [a]}\ncases: []\n";
        assert_eq!(
            inline_members(flow).as_deref(),
            Some("         {users: [a]}\n\n")
        );
    }

    #[test]
    fn paths_are_normalised() {
        let p = relative_to(
            Path::new("tests/presets/astro.yaml"),
            "../../examples/astro/members.yaml",
        );
        assert_eq!(p, PathBuf::from("examples/astro/members.yaml"));
        assert_eq!(normalize(Path::new("../a/./b")), PathBuf::from("../a/b"));
    }
}
