//! Reading policy test files: YAML documents naming a policy, membership
//! data and cases.

use crate::membership::raw::RawMembers;
use crate::membership::read::{self, NodeRef};
use crate::membership::{DataError, Members, Pos};
use std::path::{Component, Path, PathBuf};

/// Where the membership data of a suite is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MembersSpec {
    /// A path relative to the test file.
    Path(String),
    /// A mapping written inline under `members:`, read (or its error).
    Inline(Box<Result<RawMembers, DataError>>),
}

/// What a case expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawExpect {
    /// `allow` (true) or `deny` (false).
    Decision(bool),
    /// The users of a `who_can` case.
    Users(Vec<String>),
}

/// `who_can: {permission, resource}`.
#[derive(Clone, Debug)]
pub(crate) struct RawWhoCan {
    pub permission: String,
    pub resource: String,
}

/// One case as written.
#[derive(Clone, Debug)]
pub(crate) struct RawCase {
    pub name: String,
    pub user: Option<String>,
    pub permission: Option<String>,
    pub resource: Option<String>,
    pub who_can: Option<RawWhoCan>,
    pub expect: RawExpect,
    /// `file:line:col` of the case, kept when it was read.
    pub location: String,
}

/// One YAML document of a test file.
#[derive(Clone, Debug)]
pub(crate) struct RawSuite {
    pub name: Option<String>,
    pub policy: Option<String>,
    pub preset: Option<String>,
    pub members: MembersSpec,
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

/// Turns raw cases into cases, or says which one is malformed.
pub(crate) fn cases(raw: Vec<RawCase>) -> Result<Vec<Case>, String> {
    raw.into_iter()
        .map(|c| {
            let location = c.location;
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

/// Parses one document with the membership data's reader; errors are
/// `file:line:col: message`.
pub(crate) fn parse_suite(file: &str, doc: &str) -> Result<RawSuite, String> {
    if doc.len() > crate::limits::MAX_MEMBERS_BYTES {
        return Err(format!(
            "{file}: test document is {} bytes, larger than the limit of {} bytes",
            doc.len(),
            crate::limits::MAX_MEMBERS_BYTES
        ));
    }
    // (A leading byte order mark is allowed in a YAML stream.)
    let doc = doc.strip_prefix('\u{feff}').unwrap_or(doc);
    let located = |e: DataError| match e.at {
        crate::membership::At::Pos(p) => format!("{file}:{}:{}: {}", p.line, p.col, e.message),
        crate::membership::At::Start => format!("{file}: {}", e.message),
    };
    let docs = read::read_all(doc, 1).map_err(located)?;
    let root = docs.first().and_then(read::Doc::root);
    suite(file, root).map_err(|(p, m)| format!("{file}:{}:{}: {m}", p.line, p.col))
}

type Fail = (Pos, String);

const SUITE: &[&str] = &["name", "policy", "preset", "members", "cases"];
const CASE: &[&str] = &[
    "name",
    "user",
    "permission",
    "resource",
    "who_can",
    "expect",
];
const WHO_CAN: &[&str] = &["permission", "resource"];

fn unknown_key(key: &str, at: Pos, fields: &[&str], under: &str) -> Fail {
    let hint = crate::membership::suggest_name(key, fields)
        .map(|h| format!("; did you mean `{h}`?"))
        .unwrap_or_default();
    let list: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
    (
        at,
        format!(
            "unknown key `{key}` {under}{hint} (the keys are {})",
            list.join(", ")
        ),
    )
}

fn text(node: NodeRef<'_, '_>, what: &str) -> Result<String, Fail> {
    node.text()
        .map(str::to_string)
        .ok_or_else(|| (node.pos(), format!("{what}; found {}", node.describe())))
}

/// The entries of a mapping, every key a known one and written once (the
/// reader refuses a repeated key).
fn fields<'d, 'a>(
    node: NodeRef<'d, 'a>,
    what: &str,
    known: &[&str],
    under: &str,
) -> Result<Vec<(&'d str, NodeRef<'d, 'a>)>, Fail> {
    if !node.is_map() {
        return Err((node.pos(), format!("{what}; found {}", node.describe())));
    }
    node.entries()
        .map(|(k, v)| {
            let key = k.scalar().unwrap_or("");
            if known.contains(&key) {
                Ok((key, v))
            } else {
                Err(unknown_key(key, k.pos(), known, under))
            }
        })
        .collect()
}

fn suite(file: &str, root: Option<NodeRef<'_, '_>>) -> Result<RawSuite, Fail> {
    let Some(root) = root else {
        return Err((Pos::new(1, 1), "the test document is empty".to_string()));
    };
    let mut out = RawSuite {
        name: None,
        policy: None,
        preset: None,
        members: MembersSpec::Path(String::new()),
        cases: Vec::new(),
    };
    let mut members = None;
    for (key, v) in fields(
        root,
        "a test document is a mapping",
        SUITE,
        "in a test document",
    )? {
        match key {
            "name" => out.name = Some(text(v, "`name` is text")?),
            "policy" => out.policy = Some(text(v, "`policy` is a path")?),
            "preset" => out.preset = Some(text(v, "`preset` is a preset's name")?),
            "members" => {
                members = Some(if v.is_map() {
                    MembersSpec::Inline(Box::new(Members::read_node(v)))
                } else {
                    MembersSpec::Path(text(
                        v,
                        "`members` is a path to a membership file, or membership data written inline",
                    )?)
                });
            }
            _ => {
                if !(v.is_seq() || v.is_null()) {
                    return Err((
                        v.pos(),
                        format!("`cases` is a list of cases; found {}", v.describe()),
                    ));
                }
                for c in v.items() {
                    out.cases.push(case(file, c)?);
                }
            }
        }
    }
    out.members = members.ok_or_else(|| (root.pos(), "missing field `members`".to_string()))?;
    Ok(out)
}

fn case(file: &str, node: NodeRef<'_, '_>) -> Result<RawCase, Fail> {
    let at = node.pos();
    let (mut name, mut user, mut permission, mut resource, mut who_can, mut expect) =
        (None, None, None, None, None, None);
    for (key, v) in fields(node, "a case is a mapping", CASE, "in a case")? {
        match key {
            "name" => name = Some(text(v, "a case's `name` is text")?),
            "user" => user = Some(text(v, "`user` is a user's name")?),
            "permission" => permission = Some(text(v, "`permission` is a permission's name")?),
            "resource" => resource = Some(text(v, "`resource` is a resource id")?),
            "who_can" => {
                let (mut p, mut r) = (None, None);
                for (k, w) in fields(
                    v,
                    "`who_can` is a mapping of `permission` and `resource`",
                    WHO_CAN,
                    "in `who_can`",
                )? {
                    match k {
                        "permission" => p = Some(text(w, "`permission` is a permission's name")?),
                        _ => r = Some(text(w, "`resource` is a resource id")?),
                    }
                }
                let missing = |f: &str| (v.pos(), format!("`who_can` needs `{f}`"));
                who_can = Some(RawWhoCan {
                    permission: p.ok_or_else(|| missing("permission"))?,
                    resource: r.ok_or_else(|| missing("resource"))?,
                });
            }
            _ => {
                expect = Some(match v.scalar() {
                    Some("allow") => RawExpect::Decision(true),
                    Some("deny") => RawExpect::Decision(false),
                    _ if v.is_seq() => RawExpect::Users(
                        v.items()
                            .map(|u| text(u, "an expected user is a user's name"))
                            .collect::<Result<_, _>>()?,
                    ),
                    _ => {
                        return Err((
                            v.pos(),
                            format!(
                                "`expect` is `allow`, `deny`, or a list of users; found {}",
                                v.describe()
                            ),
                        ))
                    }
                });
            }
        }
    }
    Ok(RawCase {
        name: name.ok_or_else(|| (at, "missing field `name`".to_string()))?,
        user,
        permission,
        resource,
        who_can,
        expect: expect.ok_or_else(|| (at, "missing field `expect`".to_string()))?,
        location: format!("{file}:{}:{}", at.line, at.col),
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
    fn paths_are_normalised() {
        let p = relative_to(
            Path::new("tests/presets/astro.yaml"),
            "../../examples/astro/members.yaml",
        );
        assert_eq!(p, PathBuf::from("examples/astro/members.yaml"));
        assert_eq!(normalize(Path::new("../a/./b")), PathBuf::from("../a/b"));
    }
}
