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
    /// A list: the users of a `who_can` case, the permissions of a
    /// `what_can` case, the roles of a `holds` or `assigns` case.
    List(Vec<String>),
    /// `error CODE`: the case's own membership data is refused with a
    /// diagnostic of that code.
    Error(String),
}

/// `who_can: {permission, resource}`.
#[derive(Clone, Debug)]
pub(crate) struct RawWhoCan {
    pub permission: String,
    pub resource: String,
}

/// `what_can: {user, resource}`, `holds: {user, resource}` or
/// `assigns: {user, resource[, permission]}`.
#[derive(Clone, Debug)]
pub(crate) struct RawAt {
    pub user: String,
    pub resource: String,
    pub permission: Option<String>,
}

/// One case as written.
#[derive(Clone, Debug)]
pub(crate) struct RawCase {
    pub name: String,
    pub user: Option<String>,
    pub permission: Option<String>,
    pub resource: Option<String>,
    pub who_can: Option<RawWhoCan>,
    pub what_can: Option<RawAt>,
    pub holds: Option<RawAt>,
    pub assigns: Option<RawAt>,
    /// The case's own membership data (only with `expect: error CODE`).
    pub members: Option<MembersSpec>,
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
    /// `expect: error CODE`: the code and `file:line:col` of the key.
    pub expect_error: Option<(String, String)>,
}

/// What one case asks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
    /// What can `user` do on `resource`?
    WhatCan {
        /// The user.
        user: String,
        /// The resource.
        resource: String,
        /// The expected permissions (compared as a set).
        expect: Vec<String>,
    },
    /// Which roles does `user` hold on `resource`?
    Holds {
        /// The user.
        user: String,
        /// The resource.
        resource: String,
        /// The expected roles (compared as a set).
        expect: Vec<String>,
    },
    /// Which roles may `user` assign on `resource` (the roles named by the
    /// `assigns` lists of the permissions the user holds there)?
    Assigns {
        /// The user.
        user: String,
        /// The resource.
        resource: String,
        /// Only the roles assigned through this permission.
        permission: Option<String>,
        /// The expected roles (compared as a set).
        expect: Vec<String>,
    },
    /// The document's policy or membership data must be rejected with a
    /// diagnostic of this code (`expect: error CODE`).
    Rejected {
        /// The code, e.g. `E0404`.
        code: String,
    },
}

/// One case of a test file.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Case {
    /// Its name: the statement it checks.
    pub name: String,
    /// `file:line:col` of the case.
    pub location: String,
    /// What it asks and expects.
    pub kind: CaseKind,
    /// The case's own membership data: a [`CaseKind::Rejected`] case
    /// loads it against the document's policy.
    pub(crate) data: Option<MembersSpec>,
}

/// One YAML document of a test file: its text, a part of the file's, and
/// the 1-based line of the file where that part starts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Document<'a> {
    /// The line of the file where `text` starts.
    pub line: usize,
    /// The document's lines (marker lines excluded).
    pub text: &'a str,
}

impl Document<'_> {
    /// The document's text preceded by as many empty lines as come before
    /// it in the file, so that positions in it are the file's (for data
    /// kept with its source: inline membership data).
    pub(crate) fn padded(&self) -> String {
        let mut out = "\n".repeat(self.line.saturating_sub(1));
        out.push_str(self.text);
        out
    }
}

/// The YAML documents of a file, each as a part of the file with the
/// 1-based line where it starts (no copy: a file of N documents is split
/// in time linear in its length). Documents holding only comments are
/// skipped.
pub(crate) fn documents(text: &str) -> Vec<Document<'_>> {
    let is_marker = |l: &str| {
        let l = l.trim_end();
        l == "---" || l == "..." || l.starts_with("--- ")
    };
    let mut out = Vec::new();
    // Line and byte offset where the current document starts, and whether
    // it has a line that is neither blank nor a comment.
    let (mut line, mut start, mut content) = (1usize, 0usize, false);
    let mut at = 0usize;
    let mut push = |line: usize, start: usize, end: usize, content: bool| {
        if content {
            if let Some(part) = text.get(start..end) {
                out.push(Document { line, text: part });
            }
        }
    };
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if is_marker(l) {
            push(line, start, at, content);
            (line, start, content) = (i + 2, at + l.len(), false);
        } else if !l.trim().is_empty() && !l.trim_start().starts_with('#') {
            content = true;
        }
        at += l.len();
    }
    push(line, start, text.len(), content);
    out
}

/// Turns raw cases into cases, or says which one is malformed.
pub(crate) fn cases(raw: Vec<RawCase>) -> Result<Vec<Case>, String> {
    raw.into_iter().map(one_case).collect()
}

fn one_case(c: RawCase) -> Result<Case, String> {
    let location = c.location;
    let name = c.name;
    let bad = |m: &str| Err(format!("{location}: case `{name}`: {m}"));
    let asks = [
        c.who_can.is_some(),
        c.what_can.is_some(),
        c.holds.is_some(),
        c.assigns.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let plain = c.user.is_some() || c.permission.is_some() || c.resource.is_some();
    if asks > 1 {
        return bad("give one of `who_can`, `what_can`, `holds` and `assigns`");
    }
    if asks == 1 && plain {
        return bad(
            "a `who_can`, `what_can`, `holds` or `assigns` case has no `user`, `permission` or `resource`",
        );
    }
    if let RawExpect::Error(code) = c.expect {
        // Queries are refused without a code (an unknown name is an
        // error of the case): what a case expects refused is its data.
        return match (c.members, asks > 0 || plain) {
            (Some(data), false) => Ok(Case {
                name,
                location,
                kind: CaseKind::Rejected { code },
                data: Some(data),
            }),
            (None, _) => bad(
                "a case that expects `error CODE` gives its own `members:` data, which must be refused with that code",
            ),
            (Some(_), true) => bad(
                "a case that expects `error CODE` asks nothing: its `members:` data must be refused, so no query runs",
            ),
        };
    }
    if c.members.is_some() {
        return bad("a case's own `members:` data is for `expect: error CODE` only (the document's `members:` serves the queries)");
    }
    if let Some(a) = c.assigns {
        return match c.expect {
            RawExpect::List(expect) => Ok(Case {
                name,
                location,
                kind: CaseKind::Assigns {
                    user: a.user,
                    resource: a.resource,
                    permission: a.permission,
                    expect,
                },
                data: None,
            }),
            _ => bad("an `assigns` case expects a list of roles"),
        };
    }
    let kind = match (c.who_can, c.what_can, c.holds, c.expect) {
        (Some(w), _, _, RawExpect::List(expect)) => CaseKind::WhoCan {
            permission: w.permission,
            resource: w.resource,
            expect,
        },
        (Some(_), _, _, RawExpect::Decision(_)) => {
            return bad("a `who_can` case expects a list of users")
        }
        (_, Some(w), _, RawExpect::List(expect)) => CaseKind::WhatCan {
            user: w.user,
            resource: w.resource,
            expect,
        },
        (_, Some(_), _, RawExpect::Decision(_)) => {
            return bad("a `what_can` case expects a list of permissions")
        }
        (_, _, Some(h), RawExpect::List(expect)) => CaseKind::Holds {
            user: h.user,
            resource: h.resource,
            expect,
        },
        (_, _, Some(_), RawExpect::Decision(_)) => {
            return bad("a `holds` case expects a list of roles")
        }
        (None, None, None, RawExpect::List(_)) => {
            return bad(
                "a list is expected only by a `who_can`, `what_can`, `holds` or `assigns` case",
            )
        }
        // Handled above.
        (_, _, _, RawExpect::Error(_)) => return bad("`expect: error CODE` needs `members:`"),
        (None, None, None, RawExpect::Decision(expect)) => {
            match (c.user, c.permission, c.resource) {
                (Some(user), Some(permission), Some(resource)) => CaseKind::Check {
                    user,
                    permission,
                    resource,
                    expect,
                },
                _ => return bad("give `user`, `permission` and `resource`"),
            }
        }
    };
    Ok(Case {
        name,
        location,
        kind,
        data: None,
    })
}

/// Parses one document with the membership data's reader; errors are
/// `file:line:col: message`.
pub(crate) fn parse_suite(file: &str, doc: Document<'_>) -> Result<RawSuite, String> {
    let (first_line, doc) = (doc.line, doc.text);
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
    let docs = read::read_part(doc, 1, first_line).map_err(located)?;
    let root = docs.first().and_then(read::Doc::root);
    suite(file, root).map_err(|(p, m)| format!("{file}:{}:{}: {m}", p.line, p.col))
}

type Fail = (Pos, String);

const SUITE: &[&str] = &["name", "policy", "preset", "members", "cases", "expect"];
const CASE: &[&str] = &[
    "name",
    "user",
    "permission",
    "resource",
    "who_can",
    "what_can",
    "holds",
    "assigns",
    "members",
    "expect",
];
const WHO_CAN: &[&str] = &["permission", "resource"];
const AT: &[&str] = &["user", "resource"];
const ASSIGNS: &[&str] = &["user", "resource", "permission"];

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
        expect_error: None,
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
            "members" => members = Some(members_spec(v)?),
            "expect" => {
                let p = v.pos();
                out.expect_error = Some((
                    error_code(v, "a document's")?,
                    format!("{file}:{}:{}", p.line, p.col),
                ));
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
    if out.expect_error.is_some() && !out.cases.is_empty() {
        return Err((
            root.pos(),
            "a document that expects `error CODE` has no `cases`: nothing of it loads".to_string(),
        ));
    }
    Ok(out)
}

/// `members:`: a path, or a mapping of membership data written inline.
fn members_spec(v: NodeRef<'_, '_>) -> Result<MembersSpec, Fail> {
    Ok(if v.is_map() {
        MembersSpec::Inline(Box::new(Members::read_node(v)))
    } else {
        MembersSpec::Path(text(
            v,
            "`members` is a path to a membership file, or membership data written inline",
        )?)
    })
}

/// `error CODE` with a known error code.
fn error_code(v: NodeRef<'_, '_>, whose: &str) -> Result<String, Fail> {
    let found = v.scalar().unwrap_or("");
    let Some(code) = found.strip_prefix("error ").map(str::trim) else {
        return Err((
            v.pos(),
            format!(
                "{whose} `expect` is `error CODE` (e.g. `error E0404`); found {}",
                v.describe()
            ),
        ));
    };
    match crate::diagnostic::codes::lookup(code) {
        Some(info) if info.code.starts_with('E') => Ok(info.code.to_string()),
        Some(info) => Err((
            v.pos(),
            format!(
                "`{}` is a warning; `expect: error CODE` takes an error code",
                info.code
            ),
        )),
        None => {
            let hint = crate::suggest::did_you_mean(
                code,
                crate::diagnostic::codes::CODES.iter().map(|c| c.code),
            )
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
            Err((v.pos(), format!("unknown diagnostic code `{code}`{hint}")))
        }
    }
}

/// `what_can` or `holds`: a mapping of `user` and `resource`.
fn user_at(v: NodeRef<'_, '_>, key: &str) -> Result<RawAt, Fail> {
    let (mut u, mut r, mut p) = (None, None, None);
    let (what, known) = if key == "assigns" {
        (
            "`assigns` is a mapping of `user`, `resource` and optionally `permission`",
            ASSIGNS,
        )
    } else {
        ("", AT)
    };
    let what = if what.is_empty() {
        format!("`{key}` is a mapping of `user` and `resource`")
    } else {
        what.to_string()
    };
    for (k, w) in fields(v, &what, known, &format!("in `{key}`"))? {
        match k {
            "user" => u = Some(text(w, "`user` is a user's name")?),
            "permission" => p = Some(text(w, "`permission` is a permission's name")?),
            _ => r = Some(text(w, "`resource` is a resource id")?),
        }
    }
    let missing = |f: &str| (v.pos(), format!("`{key}` needs `{f}`"));
    Ok(RawAt {
        user: u.ok_or_else(|| missing("user"))?,
        resource: r.ok_or_else(|| missing("resource"))?,
        permission: p,
    })
}

fn case(file: &str, node: NodeRef<'_, '_>) -> Result<RawCase, Fail> {
    let at = node.pos();
    let (mut name, mut user, mut permission, mut resource, mut who_can, mut expect) =
        (None, None, None, None, None, None);
    let (mut what_can, mut holds, mut assigns, mut members) = (None, None, None, None);
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
            "what_can" => what_can = Some(user_at(v, "what_can")?),
            "holds" => holds = Some(user_at(v, "holds")?),
            "assigns" => assigns = Some(user_at(v, "assigns")?),
            "members" => members = Some(members_spec(v)?),
            _ => {
                expect = Some(match v.scalar() {
                    Some("allow") => RawExpect::Decision(true),
                    Some("deny") => RawExpect::Decision(false),
                    Some(s) if s.starts_with("error") => RawExpect::Error(error_code(v, "a case's")?),
                    _ if v.is_seq() => RawExpect::List(
                        v.items()
                            .map(|u| text(u, "an expected item is a name"))
                            .collect::<Result<_, _>>()?,
                    ),
                    _ => {
                        return Err((
                            v.pos(),
                            format!(
                                "a case's `expect` is `allow`, `deny`, a list (of users, permissions or roles), or `error CODE`; found {}",
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
        what_can,
        holds,
        assigns,
        members,
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
/// top-level `cases:` or `expect:` key.
pub(crate) fn looks_like_tests(text: &str) -> bool {
    text.lines().any(|l| {
        ["cases", "expect"].iter().any(|k| {
            l.strip_prefix(k)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
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
        assert_eq!(docs.first().map(|d| d.line), Some(3));
        assert_eq!(docs.first().map(|d| d.text), Some("a: 1\n"));
        assert_eq!(docs.get(1).map(|d| (d.line, d.text)), Some((7, "b: 2\n")));
        assert_eq!(
            docs.get(1).map(Document::padded).as_deref(),
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
