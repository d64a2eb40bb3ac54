//! Validation of raw membership data and construction of the index.

#![expect(
    clippy::result_large_err,
    reason = "a data error ends loading at once; it is built once per load, never on a hot path"
)]

use super::errors::{path, At, DataError};
use super::locate::Target;
use super::raw::{RawMembers, DUPLICATE_KEY};
use super::*;
use crate::limits;
use crate::suggest::did_you_mean;

type Result<T> = std::result::Result<T, DataError>;

/// Reads the YAML into raw structures (syntax, types, duplicate keys).
pub(super) fn read_raw(text: &str) -> Result<RawMembers> {
    // A byte order mark is allowed at the start of a YAML stream, but the
    // reader mistakes it for a document of its own when the data has an
    // error ("more than one document"), hiding the real one.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.len() > limits::MAX_MEMBERS_BYTES {
        return Err(DataError::new(
            "E0407",
            format!(
                "membership file is {} bytes, larger than the limit of {} bytes",
                text.len(),
                limits::MAX_MEMBERS_BYTES
            ),
            At::Start,
            "file starts here",
        ));
    }
    // The fast path first: the shape it reads is 6 levels deep at most, far
    // within the depth limit, and it gives up on any deeper nesting at once
    // (its parser keeps its own stack; it does not recurse).
    if let Some(raw) = super::plain::read(text) {
        return Ok(raw);
    }
    if let Some((line, col)) = too_deep(text) {
        return Err(DataError::new(
            "E0407",
            format!("YAML nested deeper than {} levels", limits::MAX_YAML_DEPTH),
            At::LineCol(line, col),
            "too deep",
        )
        .help("membership files need at most 5 levels"));
    }
    // (The byte test first: `trim` walks a large blank file slowly.)
    if text.bytes().all(|b| b.is_ascii_whitespace()) || text.trim().is_empty() {
        return Ok(RawMembers::default());
    }
    serde_yaml::from_str::<RawMembers>(text).map_err(|e| {
        let at = e
            .location()
            .map_or(At::Start, |l| At::LineCol(l.line(), l.column()));
        let msg = e.to_string();
        // serde_yaml appends " at line L column C"; the span shows that.
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        if msg.contains("repetition limit exceeded") || msg.contains("recursion limit exceeded") {
            // The YAML reader's own limits: aliases expanding past a multiple
            // of the document's size (an alias bomb), or nesting too deep.
            DataError::new(
                "E0407",
                format!("YAML past the reader's limits: {msg}"),
                at,
                "refused here",
            )
            .help("write the data out without aliases that expand to many copies")
        } else if let Some((prefix, key)) = duplicate_key(&msg) {
            // Nested maps prefix the message with their path.
            let field = key
                .strip_prefix("duplicate field `")
                .and_then(|k| k.strip_suffix('`'));
            let (at, label) = match (prefix, field) {
                // serde reports a repeated struct field at the start of its
                // mapping; at the top level, find the second one.
                (None, Some(f)) => match second_top_level_key(text, f) {
                    Some(line) => (At::LineCol(line, 1), "written again here"),
                    None => (at, "a key written twice in this mapping"),
                },
                (Some(_), Some(_)) => (at, "a key written twice in this mapping"),
                _ => (at, "written again here"),
            };
            let msg = match prefix {
                Some(p) => format!("{key} under `{p}`"),
                None => key.to_string(),
            };
            DataError::new("E0406", msg, at, label)
                .help("write each key once; a repeated key would silently replace the first")
        } else {
            DataError::new(
                "E0401",
                format!("invalid membership data: {msg}"),
                at,
                "here",
            )
            .help("see docs/membership.md for the layout")
        }
    })
}

/// The 1-based line of the second top-level `key:` of the text.
fn second_top_level_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .nth(1)
        .map(|(i, _)| i + 1)
}

/// Splits a duplicate-key message of serde_yaml, `[PATH: ]duplicate key
/// `K``, into its path (if any) and the rest. serde's own structs say
/// `duplicate field `K`` for the same mistake.
fn duplicate_key(msg: &str) -> Option<(Option<&str>, &str)> {
    for marker in [DUPLICATE_KEY, "duplicate field"] {
        if msg.starts_with(marker) {
            return Some((None, msg));
        }
        if let Some(i) = msg.find(&format!(": {marker} `")) {
            return Some((msg.get(..i), msg.get(i + 2..)?));
        }
    }
    None
}

/// The 1-based (line, column) of the first collection nested deeper than
/// [`limits::MAX_YAML_DEPTH`] (the top-level mapping is depth 1), found by a
/// scan of the text before the YAML reader sees it.
///
/// Block collections are measured by indentation (each deeper indentation,
/// and each `- ` of a sequence entry, is a level), flow collections by their
/// brackets, which may span lines. Quoted strings, comments and block
/// scalars (`|`, `>`) are skipped. The scan may over-count by a level on
/// unusual layouts (valid membership files need 5 levels), never
/// under-count brackets; the reader's own recursion limit backs it up.
pub(crate) fn too_deep(text: &str) -> Option<(usize, usize)> {
    let limit = limits::MAX_YAML_DEPTH;
    // Indentation columns of the open block collections.
    let mut block: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    // Block depth where the open flow collections started.
    let mut base = 0usize;
    // Inside a block scalar: lines indented more than this belong to it.
    let mut scalar_indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        // Byte loops: this runs over every byte of files up to
        // MAX_MEMBERS_BYTES, in debug builds too.
        let bytes = line.as_bytes();
        let mut indent = 0usize;
        while matches!(bytes.get(indent), Some(b' ' | b'\t')) {
            indent += 1;
        }
        let trimmed = line.get(indent..).unwrap_or("");
        if let Some(si) = scalar_indent {
            if trimmed.is_empty() || indent > si {
                continue;
            }
            scalar_indent = None;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut col = indent;
        let mut rest = trimmed;
        if flow == 0 {
            while block.last().is_some_and(|&c| c >= indent) {
                block.pop();
            }
            // `- - x`: each dash opens a sequence level.
            while rest.starts_with("- ") || rest == "-" {
                block.push(col);
                if block.len() > limit {
                    return Some((i + 1, col + 1));
                }
                let after = rest.get(1..).unwrap_or("");
                let next = after.trim_start_matches(' ');
                col += 1 + after.len() - next.len();
                rest = next;
            }
            if !rest.is_empty() {
                block.push(col);
                if block.len() > limit {
                    return Some((i + 1, col + 1));
                }
            }
        }
        if flow == 0 {
            base = block.len();
        }
        // Bytes, not chars: every byte that matters is ASCII, and a byte of
        // a multi-byte character never equals one.
        let rb = rest.as_bytes();
        let mut j = 0usize;
        let mut prev_space = true;
        let mut last = b' ';
        while let Some(&c) = rb.get(j) {
            match c {
                b'[' | b'{' => {
                    flow += 1;
                    if base + flow > limit {
                        return Some((i + 1, col + j + 1));
                    }
                }
                b']' | b'}' => flow = flow.saturating_sub(1),
                b'#' if prev_space => break,
                b'"' => {
                    j += 1;
                    while let Some(&d) = rb.get(j) {
                        match d {
                            b'\\' => j += 1,
                            b'"' => break,
                            _ => {}
                        }
                        j += 1;
                    }
                }
                b'\'' => {
                    j += 1;
                    while let Some(&d) = rb.get(j) {
                        if d == b'\'' {
                            if rb.get(j + 1) == Some(&b'\'') {
                                j += 1;
                            } else {
                                break;
                            }
                        }
                        j += 1;
                    }
                }
                _ => {}
            }
            prev_space = c == b' ' || c == b'\t';
            if !prev_space {
                last = c;
            }
            j += 1;
        }
        // `key: |`, `key: >-` or `- |2` starts a block scalar.
        let head = rest
            .trim_end_matches([' ', '+', '-'])
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .trim_end_matches([' ', '+', '-']);
        if flow == 0 && matches!(last, b'|' | b'>' | b'+' | b'-' | b'0'..=b'9') {
            if let Some(before) = head.strip_suffix(['|', '>']) {
                if before.is_empty() || before.ends_with(' ') {
                    scalar_indent = Some(indent);
                }
            }
        }
    }
    None
}

struct Builder<'p> {
    policy: &'p Policy,
    m: Members,
    /// Per resource: explicit (user, role, origin) holdings.
    held: Vec<Vec<(UserId, Held)>>,
    grants: Vec<Vec<(UserId, PermId, Origin)>>,
    /// Scratch set of users, for duplicate and membership tests.
    marks: Marks,
}

/// A set of users that empties in O(1): a stamp per user, and the stamp of
/// the current set. It keeps the tests over a resource's members, a
/// group's members and the holders of a rule's roles linear in the list
/// (a `Vec::contains` per member was quadratic: an organization of 100,000
/// listed members took 10^10 steps).
struct Marks {
    stamp: Vec<u32>,
    now: u32,
}

impl Marks {
    fn new(users: usize) -> Marks {
        Marks {
            stamp: vec![0; users],
            now: 1,
        }
    }

    /// Empties the set.
    fn clear(&mut self) {
        if self.now == u32::MAX {
            self.stamp.fill(0);
            self.now = 0;
        }
        self.now += 1;
    }

    /// Adds a user; `false` if already in.
    fn insert(&mut self, u: UserId) -> bool {
        match self.stamp.get_mut(u.index()) {
            Some(s) if *s == self.now => false,
            Some(s) => {
                *s = self.now;
                true
            }
            None => true,
        }
    }

    fn contains(&self, u: UserId) -> bool {
        self.stamp.get(u.index()) == Some(&self.now)
    }
}

/// Calls `f` for each user a subject stands for, with the group it came
/// through.
fn for_members(
    groups: &[(String, Vec<UserId>)],
    s: Subject,
    mut f: impl FnMut(UserId, Option<GroupId>),
) {
    match s {
        Subject::User(u) => f(u, None),
        Subject::Group(g) => {
            for &u in groups.get(g.index()).map_or(&[][..], |x| x.1.as_slice()) {
                f(u, Some(g));
            }
        }
    }
}

pub(super) fn build(policy: &Policy, name: &str, mut raw: RawMembers) -> Result<Members> {
    let mut b = Builder {
        policy,
        m: Members {
            name: name.to_string(),
            source: None,
            edition: None,
            users: Names::default(),
            groups: Vec::new(),
            resources: Vec::new(),
            sets: Vec::new(),
            profiles: Vec::new(),
            items: Vec::new(),
            index: Default::default(),
            settings: HashMap::new(),
            res_ids: HashMap::new(),
            bound_to: (policy.fingerprint, policy.name.clone()),
            group_ids: HashMap::new(),
        },
        held: Vec::new(),
        grants: Vec::new(),
        marks: Marks::new(0),
    };
    b.edition(&raw)?;
    b.users(&mut raw)?;
    b.groups(&raw)?;
    b.resources(&raw)?;
    let rbac =
        b.m.edition
            .and_then(|e| policy.model.editions.get(e.index()))
            .is_none_or(|e| e.rbac);
    // Bindings, grants and settings are validated (and give the join order)
    // in every edition; without RBAC they do not apply and the fallback role
    // does, with the policy's defaults for its configurable grants.
    b.bindings(&raw)?;
    if rbac {
        b.rules(&raw)?;
    } else {
        b.held.iter_mut().for_each(Vec::clear);
        b.grants.iter_mut().for_each(Vec::clear);
        b.m.settings.clear();
        b.fallback();
    }
    b.index();
    Ok(b.m)
}

fn unknown(what: &str, name: &str, at: At, candidates: Vec<&str>) -> DataError {
    let hint = did_you_mean(name, candidates);
    let label = match &hint {
        Some(h) => format!("did you mean `{h}`?"),
        None => format!("no {what} of this name"),
    };
    DataError::new("E0402", format!("unknown {what} `{name}`"), at, label)
        .maybe_help(hint.map(|h| format!("try `{h}`")))
}

impl Builder<'_> {
    fn model(&self) -> &crate::resolve::Model {
        &self.policy.model
    }

    fn edition(&mut self, raw: &RawMembers) -> Result<()> {
        let editions = &self.policy.model.editions;
        match (&raw.edition, editions.is_empty()) {
            (None, true) => Ok(()),
            (None, false) => {
                let names: Vec<&str> = editions.iter().map(|e| e.name.as_str()).collect();
                Err(DataError::new(
                    "E0408",
                    "the policy declares editions but the data names none",
                    At::Start,
                    "add `edition:` here",
                )
                .help(format!(
                    "add `edition: NAME` with one of: {}",
                    names.join(", ")
                )))
            }
            (Some(e), true) => Err(DataError::new(
                "E0408",
                format!("edition `{e}` given, but the policy declares no editions"),
                At::Path(path(&["edition"]), Target::Value),
                "the policy has no editions",
            )
            .help("remove `edition:`")),
            (Some(e), false) => match self.model().edition_id(e) {
                Some(id) => {
                    self.m.edition = Some(id);
                    Ok(())
                }
                None => {
                    let mut err = unknown(
                        "edition",
                        e,
                        At::Path(path(&["edition"]), Target::Value),
                        editions.iter().map(|e| e.name.as_str()).collect(),
                    );
                    err.code = "E0408";
                    if err.help.is_none() {
                        let names: Vec<&str> = editions.iter().map(|e| e.name.as_str()).collect();
                        err = err.help(format!("editions of the policy: {}", names.join(", ")));
                    }
                    Err(err)
                }
            },
        }
    }

    fn users(&mut self, raw: &mut RawMembers) -> Result<()> {
        if let Some((i, u)) = &raw.users.repeated {
            return Err(DataError::new(
                "E0406",
                format!("user `{u}` is listed twice"),
                At::Path(path(&["users"]), Target::Item(*i)),
                "listed again here",
            )
            .help("list each user once, in sign-up order"));
        }
        // Read into the name table already (see `RawUsers`).
        self.m.users = std::mem::take(&mut raw.users.names);
        self.marks = Marks::new(self.m.users.len());
        Ok(())
    }

    fn user(&self, name: &str, at: impl FnOnce() -> At) -> Result<UserId> {
        self.m.user_id(name).ok_or_else(|| {
            unknown("user", name, at(), self.m.users.iter().collect())
                .note("every user must be listed under `users:`")
        })
    }

    fn groups(&mut self, raw: &RawMembers) -> Result<()> {
        for (gi, (g, members)) in raw.groups.0.iter().enumerate() {
            let mut ids = Vec::new();
            self.marks.clear();
            for (i, u) in members.iter().enumerate() {
                let id = self.user(u, || At::Path(path(&["groups", g]), Target::Item(i)))?;
                if !self.marks.insert(id) {
                    return Err(DataError::new(
                        "E0406",
                        format!("user `{u}` is listed twice in group `{g}`"),
                        At::Path(path(&["groups", g]), Target::Item(i)),
                        "listed again here",
                    ));
                }
                ids.push(id);
            }
            self.m.group_ids.insert(g.clone(), GroupId::from_index(gi));
            self.m.groups.push((g.clone(), ids));
        }
        Ok(())
    }

    fn resources(&mut self, raw: &RawMembers) -> Result<()> {
        let model = &self.policy.model;
        // Ids first, so parents may be written after children.
        for (i, (id, _)) in raw.resources.0.iter().enumerate() {
            let at = || At::Path(path(&["resources", id]), Target::Key);
            let Some((kind, rest)) = id.split_once(':') else {
                return Err(DataError::new(
                    "E0401",
                    format!("resource id `{id}` has no kind"),
                    at(),
                    "expected `KIND:PATH`",
                )
                .help("write resource ids as `KIND:PATH`, e.g. `workspace:acme/prod`"));
            };
            let Some(scope) = model.scope_id(kind) else {
                return Err(unknown(
                    "scope kind",
                    kind,
                    at(),
                    model.scopes.iter().map(|s| s.name.as_str()).collect(),
                ));
            };
            let segments: Vec<&str> = rest.split('/').collect();
            let depth = model.scope_chain(scope).len();
            if segments.iter().any(|s| s.is_empty()) || segments.len() != depth {
                let chain: Vec<&str> = model
                    .scope_chain(scope)
                    .iter()
                    .rev()
                    .map(|s| model.scope_name(*s))
                    .collect();
                return Err(DataError::new(
                    "E0401",
                    format!("resource id `{id}` needs a path of {depth} segment(s)"),
                    at(),
                    format!("one name per level: {}", chain.join("/")),
                )
                .help(format!(
                    "e.g. `{kind}:{}`",
                    chain.iter().map(|_| "name").collect::<Vec<_>>().join("/")
                )));
            }
            self.m.res_ids.insert(id.clone(), ResId::from_index(i));
            self.m.resources.push(Resource {
                name: id.clone(),
                kind: scope,
                parent: None,
                members: Vec::new(),
            });
        }
        for (i, (id, _)) in raw.resources.0.iter().enumerate() {
            let Some(res) = self.m.resources.get(i) else {
                continue;
            };
            let Some(parent_kind) = model.scope(res.kind).and_then(|s| s.parent) else {
                continue;
            };
            let rest = id.split_once(':').map_or("", |x| x.1);
            let parent_path = rest.rsplit_once('/').map_or("", |x| x.0);
            let parent_id = format!("{}:{parent_path}", model.scope_name(parent_kind));
            let Some(parent) = self.m.res_id(&parent_id) else {
                return Err(DataError::new(
                    "E0405",
                    format!("the parent of `{id}` does not exist"),
                    At::Path(path(&["resources", id]), Target::Key),
                    format!("`{parent_id}` is not listed under `resources:`"),
                )
                .help(format!("add `{parent_id}:` under `resources:`")));
            };
            if let Some(r) = self.m.resources.get_mut(i) {
                r.parent = Some(parent);
            }
        }
        self.held = vec![Vec::new(); self.m.resources.len()];
        self.grants = vec![Vec::new(); self.m.resources.len()];
        Ok(())
    }

    /// Resolves a binding subject: a user, or `group:NAME` (its members).
    fn subject(&self, name: &str, at: impl FnOnce() -> At) -> Result<Subject> {
        if let Some(g) = name.strip_prefix("group:") {
            return match self.m.group_id(g) {
                Some(id) => Ok(Subject::Group(id)),
                None => Err(unknown(
                    "group",
                    g,
                    at(),
                    self.m.groups.iter().map(|g| g.0.as_str()).collect(),
                )),
            };
        }
        self.user(name, at).map(Subject::User)
    }

    fn bindings(&mut self, raw: &RawMembers) -> Result<()> {
        let model = &self.policy.model;
        for (ri, (rid, body)) in raw.resources.0.iter().enumerate() {
            let Some(body) = body else { continue };
            let res = ResId::from_index(ri);
            let kind = self.m.resource(res).map(|r| r.kind).unwrap_or_default();
            let kind_name = model.scope_name(kind).to_string();
            // members
            let mut listed: Vec<UserId> = Vec::new();
            // (`marks` holds the listed members until the join order below.)
            self.marks.clear();
            for (i, u) in body.members.iter().enumerate() {
                let at = || At::Path(path(&["resources", rid, "members"]), Target::Item(i));
                let id = self.user(u, at)?;
                if !self.marks.insert(id) {
                    return Err(DataError::new(
                        "E0406",
                        format!("user `{u}` is listed twice as a member of `{rid}`"),
                        at(),
                        "listed again here",
                    ));
                }
                listed.push(id);
            }
            // roles
            for (subject, roles) in body.roles.iter() {
                let subj = self.subject(subject, || {
                    At::Path(path(&["resources", rid, "roles", subject]), Target::Key)
                })?;
                let mut given: Vec<RoleId> = Vec::new();
                for (i, role_name) in roles.iter().enumerate() {
                    let at = || {
                        let target = if roles.len() == 1 {
                            Target::Value
                        } else {
                            Target::Item(i)
                        };
                        At::Path(path(&["resources", rid, "roles", subject]), target)
                    };
                    let Some(role) = model.role_id(role_name) else {
                        let on_kind: Vec<&str> = model
                            .roles
                            .iter()
                            .filter(|r| r.scope == kind)
                            .map(|r| r.name.as_str())
                            .collect();
                        return Err(unknown("role", role_name, at(), on_kind));
                    };
                    let role_scope = model.role(role).map(|r| r.scope).unwrap_or_default();
                    if role_scope != kind {
                        let mut e = DataError::new(
                            "E0403",
                            format!(
                                "`{role_name}` is a role on `{}`, but `{rid}` is of kind `{kind_name}`",
                                model.scope_name(role_scope)
                            ),
                            at(),
                            format!("a role on `{}`", model.scope_name(role_scope)),
                        );
                        if model.scope(kind).is_some_and(|s| s.without_roles) {
                            e = e
                                .note(format!("`{kind_name}` is declared without roles: roles of enclosing scopes govern it"))
                                .help("bind the role on the enclosing resource instead");
                        } else {
                            let fits: Vec<&str> = model
                                .roles
                                .iter()
                                .filter(|r| r.scope == kind)
                                .map(|r| r.name.as_str())
                                .collect();
                            e = e.help(if fits.is_empty() {
                                format!("no role is declared on `{kind_name}`")
                            } else {
                                format!("roles on `{kind_name}` are: {}", fits.join(", "))
                            });
                        }
                        return Err(e);
                    }
                    if let Subject::User(_) = subj {
                        if let Some(rule) = model.cardinalities.iter().find(|c| {
                            c.roles.contains(&role) && given.iter().any(|g| c.roles.contains(g))
                        }) {
                            let other = given
                                .iter()
                                .find(|g| rule.roles.contains(g))
                                .map_or("", |g| model.role_name(*g));
                            return Err(DataError::new(
                                "E0404",
                                format!(
                                    "`{subject}` holds both `{other}` and `{role_name}` on `{rid}`, but at most one of them is allowed"
                                ),
                                at(),
                                "second role of the rule",
                            )
                            .help(format!("keep one role per `{kind_name}`")));
                        }
                    }
                    given.push(role);
                    if let Some(list) = self.held.get_mut(ri) {
                        for_members(&self.m.groups, subj, |u, g| {
                            let origin = g.map_or(Origin::Binding, Origin::Group);
                            list.push((u, Held { role, origin }));
                        });
                    }
                }
            }
            // grants
            for (subject, perms) in body.grants.iter() {
                let subj = self.subject(subject, || {
                    At::Path(path(&["resources", rid, "grants", subject]), Target::Key)
                })?;
                for (i, pname) in perms.iter().enumerate() {
                    let at = || {
                        let target = if perms.len() == 1 {
                            Target::Value
                        } else {
                            Target::Item(i)
                        };
                        At::Path(path(&["resources", rid, "grants", subject]), target)
                    };
                    let Some(perm) = model.perm_id(pname) else {
                        return Err(unknown(
                            "permission",
                            pname,
                            at(),
                            model.perms.iter().map(|p| p.name.as_str()).collect(),
                        ));
                    };
                    let perm_scope = model.perm(perm).map(|p| p.scope).unwrap_or_default();
                    if !model.scope_within(perm_scope, kind) {
                        return Err(DataError::new(
                            "E0403",
                            format!(
                                "`{pname}` is a permission on `{}`, which is not inside `{kind_name}` `{rid}`",
                                model.scope_name(perm_scope)
                            ),
                            at(),
                            format!("a permission on `{}`", model.scope_name(perm_scope)),
                        )
                        .help("grant it on a resource of its scope kind or one enclosing it"));
                    }
                    let perms = model.perm_with_members(perm);
                    if let Some(list) = self.grants.get_mut(ri) {
                        for_members(&self.m.groups, subj, |u, g| {
                            let origin = g.map_or(Origin::Direct, Origin::GroupGrant);
                            list.extend(perms.iter().map(|&p| (u, p, origin)));
                        });
                    }
                }
            }
            // settings
            let mut written: HashMap<(RoleId, PermId), usize> = HashMap::new();
            for (role_name, perms) in &body.settings.0 {
                let at = At::Path(
                    path(&["resources", rid, "settings", role_name]),
                    Target::Key,
                );
                let Some(role) = model.role_id(role_name) else {
                    return Err(unknown(
                        "role",
                        role_name,
                        at,
                        model.roles.iter().map(|r| r.name.as_str()).collect(),
                    ));
                };
                for (pname, on) in &perms.0 {
                    let at = At::Path(
                        path(&["resources", rid, "settings", role_name, pname]),
                        Target::Key,
                    );
                    let Some(perm) = model.perm_id(pname) else {
                        return Err(unknown(
                            "permission",
                            pname,
                            at,
                            model.perms.iter().map(|p| p.name.as_str()).collect(),
                        ));
                    };
                    let configurable: Vec<&str> = model
                        .role(role)
                        .map(|r| {
                            r.grants
                                .iter()
                                .filter(|g| g.configurable.is_some())
                                .flat_map(|g| g.perms.iter().map(|p| model.perm_name(*p)))
                                .collect()
                        })
                        .unwrap_or_default();
                    if !configurable.contains(&pname.as_str()) {
                        return Err(DataError::new(
                            "E0402",
                            format!("`{role_name}` has no configurable grant of `{pname}`"),
                            at,
                            "nothing to switch",
                        )
                        .help(if configurable.is_empty() {
                            format!("`{role_name}` declares no configurable grants")
                        } else {
                            format!(
                                "configurable grants of `{role_name}`: {}",
                                configurable.join(", ")
                            )
                        }));
                    }
                    // A setting of a group switches its members, but a
                    // member's own setting (or a nearer group's) wins,
                    // whatever order they are written in.
                    for p in model.perm_with_members(perm) {
                        let mut distance = 0usize;
                        let mut cur = Some(p);
                        while let Some(x) = cur.filter(|x| *x != perm) {
                            distance += 1;
                            cur = model.perm(x).and_then(|x| x.parent);
                        }
                        let nearer = written
                            .get(&(role, p))
                            .is_some_and(|&d: &usize| d < distance);
                        if !nearer {
                            written.insert((role, p), distance);
                            self.m.settings.insert((res, role, p), on.0);
                        }
                    }
                }
            }
            // join order: listed members, then users holding something here
            let mut order = listed;
            let mut extra: Vec<UserId> = self
                .held
                .get(ri)
                .into_iter()
                .flatten()
                .map(|(u, _)| *u)
                .chain(
                    self.grants
                        .get(ri)
                        .into_iter()
                        .flatten()
                        .map(|(u, _, _)| *u),
                )
                .filter(|&u| !self.marks.contains(u))
                .collect();
            extra.sort();
            extra.dedup();
            order.extend(extra);
            if let Some(r) = self.m.resources.get_mut(ri) {
                r.members = order;
            }
        }
        Ok(())
    }

    /// Bootstrap, defaults, group upgrades, exactly-one checks.
    fn rules(&mut self, raw: &RawMembers) -> Result<()> {
        let model = &self.policy.model;
        let edition = self.m.edition;
        for ri in 0..self.m.resources.len() {
            let (kind, members) = match self.m.resources.get(ri) {
                Some(r) => (r.kind, r.members.clone()),
                None => continue,
            };
            let Some(held) = self.held.get_mut(ri) else {
                continue;
            };
            for (bi, rule) in model.bootstraps.iter().enumerate() {
                if rule.scope != kind
                    || !(rule.editions.is_empty()
                        || edition.is_some_and(|e| rule.editions.contains(&e)))
                {
                    continue;
                }
                let sets: Vec<&Vec<RoleId>> = model
                    .cardinalities
                    .iter()
                    .filter(|c| c.roles.contains(&rule.role))
                    .map(|c| &c.roles)
                    .collect();
                for (pos, &u) in members.iter().enumerate().take(rule.count as usize) {
                    let has = held.iter().any(|(v, h)| {
                        *v == u && (h.role == rule.role || sets.iter().any(|s| s.contains(&h.role)))
                    });
                    if !has {
                        held.push((
                            u,
                            Held {
                                role: rule.role,
                                origin: Origin::Bootstrap(
                                    u32::try_from(bi).unwrap_or(u32::MAX),
                                    u32::try_from(pos + 1).unwrap_or(u32::MAX),
                                ),
                            },
                        ));
                    }
                }
            }
            for (ci, rule) in model.cardinalities.iter().enumerate() {
                if rule.scope != kind {
                    continue;
                }
                // Who holds one of the rule's roles (by now: bound,
                // bootstrapped, or defaulted by an earlier rule).
                let holders = &mut self.marks;
                holders.clear();
                for (v, h) in held.iter() {
                    if rule.roles.contains(&h.role) {
                        holders.insert(*v);
                    }
                }
                for &u in &members {
                    if holders.contains(u) {
                        continue;
                    }
                    match rule.default {
                        Some(d) => held.push((
                            u,
                            Held {
                                role: d,
                                origin: Origin::Default(u32::try_from(ci).unwrap_or(u32::MAX)),
                            },
                        )),
                        None if rule.exactly => {
                            let rid = self.m.resources.get(ri).map_or("", |r| r.name.as_str());
                            let names: Vec<&str> =
                                rule.roles.iter().map(|r| model.role_name(*r)).collect();
                            return Err(DataError::new(
                                "E0404",
                                format!(
                                    "`{}` is a member of `{rid}` but holds none of {}, and exactly one is required",
                                    self.m.users.get(u.index()).unwrap_or(""),
                                    names.join(", ")
                                ),
                                listed_at(raw, rid, self.m.users.get(u.index()).unwrap_or("")),
                                "a member without a required role",
                            )
                            .help("bind one of the roles, or give the rule a `default`"));
                        }
                        None => {}
                    }
                }
            }
        }
        self.upgrades();
        Ok(())
    }

    /// `groups on SCOPE { upgrade roles }`: a member below a group's level
    /// holds the level's role.
    fn upgrades(&mut self) {
        let model = &self.policy.model;
        let compiled = &self.policy.compiled;
        for rule in model.groups.iter().filter(|g| g.upgrade) {
            let Some(rank) = model.rank_of(rule.scope) else {
                continue;
            };
            // Grants on a resource count for the group's level at every
            // enclosing instance of the rule's scope kind (a group that may
            // edit one app is rated at its workspace).
            let mut inside: Vec<Vec<usize>> = vec![Vec::new(); self.m.resources.len()];
            for rj in 0..self.m.resources.len() {
                for a in self.m.ancestors(ResId::from_index(rj)) {
                    if self.m.resource(a).map(|r| r.kind) == Some(rule.scope) {
                        if let Some(list) = inside.get_mut(a.index()) {
                            list.push(rj);
                        }
                    }
                }
            }
            for ri in 0..self.m.resources.len() {
                if self.m.resources.get(ri).map(|r| r.kind) != Some(rule.scope) {
                    continue;
                }
                let Some(held) = self.held.get(ri) else {
                    continue;
                };
                let grants: Vec<(UserId, PermId, Origin)> = inside
                    .get(ri)
                    .into_iter()
                    .flatten()
                    .filter_map(|rj| self.grants.get(*rj))
                    .flatten()
                    .copied()
                    .collect();
                let mut added = Vec::new();
                // Each holder's highest level here, computed once (not per
                // group member).
                let mut levels: Option<HashMap<UserId, usize>> = None;
                for (gi, (_, gmembers)) in self.m.groups.iter().enumerate() {
                    let g = GroupId::from_index(gi);
                    let mut perms = BitSet::with_capacity(model.perms.len());
                    let mut any = false;
                    for (_, h) in held.iter().filter(|(_, h)| h.origin == Origin::Group(g)) {
                        if let Some(cr) = compiled.role(h.role) {
                            perms.union_with(&cr.always);
                            any = true;
                        }
                    }
                    for (_, p, _) in grants
                        .iter()
                        .filter(|(_, _, o)| *o == Origin::GroupGrant(g))
                    {
                        perms.insert(p.index());
                        any = true;
                    }
                    if !any {
                        continue;
                    }
                    let level = rank.ascending.iter().position(|r| {
                        compiled.role(*r).is_some_and(|cr| {
                            let mut can = cr.always.clone();
                            can.union_with(&cr.configurable);
                            can.union_with(&cr.grantable);
                            perms.is_subset(&can)
                        })
                    });
                    let Some(level) = level else { continue };
                    let levels = levels.get_or_insert_with(|| {
                        let mut top: HashMap<UserId, usize> = HashMap::new();
                        for (v, h) in held {
                            if let Some(l) = rank.ascending.iter().position(|r| *r == h.role) {
                                let e = top.entry(*v).or_insert(l);
                                *e = (*e).max(l);
                            }
                        }
                        top
                    });
                    for &u in gmembers {
                        let current = levels.get(&u).copied();
                        if current.is_none_or(|c| c < level) {
                            if let Some(&role) = rank.ascending.get(level) {
                                added.push((
                                    u,
                                    Held {
                                        role,
                                        origin: Origin::Upgrade(g),
                                    },
                                ));
                            }
                        }
                    }
                }
                if let Some(list) = self.held.get_mut(ri) {
                    list.extend(added);
                }
            }
        }
    }

    /// Editions without RBAC: every member (listed, or bound to something on
    /// the resource) holds the fallback role. A resource with no members gives
    /// it to nobody: membership is data, and removing data never widens
    /// access.
    fn fallback(&mut self) {
        let Some(eid) = self.m.edition else { return };
        let Some(fallback) = self
            .model()
            .editions
            .get(eid.index())
            .and_then(|e| e.fallback)
        else {
            return;
        };
        let scope = self
            .model()
            .role(fallback)
            .map(|r| r.scope)
            .unwrap_or_default();
        for (ri, res) in self.m.resources.iter().enumerate() {
            if res.kind != scope {
                continue;
            }
            if let Some(list) = self.held.get_mut(ri) {
                for &u in &res.members {
                    list.push((
                        u,
                        Held {
                            role: fallback,
                            origin: Origin::Fallback(eid),
                        },
                    ));
                }
            }
        }
    }

    /// Builds the entries and the index.
    fn index(&mut self) {
        let compiled = &self.policy.compiled;
        let model = &self.policy.model;
        let held = std::mem::take(&mut self.held);
        let grants = std::mem::take(&mut self.grants);
        // Everything given, keyed by (user, resource), then sorted by key:
        // one flat vector instead of a growing entry per key. It is written
        // resource by resource, so a stable counting sort by user (linear)
        // sorts it by key, and an entry keeps the order things were written
        // in (its explanations cite the first role that grants).
        let n: usize =
            held.iter().map(Vec::len).sum::<usize>() + grants.iter().map(Vec::len).sum::<usize>();
        // (Packed, 16 bytes an item: a large file gives hundreds of
        // thousands.)
        let mut given: Vec<(u64, Item)> = Vec::with_capacity(n);
        for (ri, (hs, gs)) in held.into_iter().zip(grants).enumerate() {
            let res = ResId::from_index(ri);
            given.extend(
                hs.into_iter()
                    .map(|(u, h)| (key(u, res), Item::pack(Given::Role(h)))),
            );
            for (u, p, o) in gs {
                let k = key(u, res);
                given.push((k, Item::pack(Given::Grant(p, o))));
                // Holding a permission that `implies ROLE on every SCOPE`
                // means holding ROLE on the contained instances: the entry
                // holds the implied role (with the grant as its origin).
                for i in model.perm(p).map_or(&[][..], |x| x.implies.as_slice()) {
                    let h = Held {
                        role: i.role,
                        origin: o,
                    };
                    given.push((k, Item::pack(Given::Role(h))));
                }
            }
        }
        let given = by_user(given, self.m.users.len());
        // Each distinct list of things given is stored once (a profile), and
        // each distinct permission set once.
        let mut profile_ids: HashMap<Vec<Item>, u32> = HashMap::new();
        let mut set_ids: HashMap<BitSet, u32> = HashMap::new();
        let mut list: Vec<Item> = Vec::new();
        let mut entries: Vec<index::Built> = Vec::with_capacity(given.len());
        let m = &mut self.m;
        let id = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        for group in given.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(k, _)) = group.first() else {
                continue;
            };
            list.clear();
            for &(_, item) in group {
                // The same role with the same origin (a role implied twice
                // by one grant's permissions) is kept once.
                if !(item.role().is_some() && list.contains(&item)) {
                    list.push(item);
                }
            }
            let profile = match profile_ids.get(&list) {
                Some(&p) => p,
                None => {
                    let mut always = BitSet::with_capacity(model.perms.len());
                    let mut configurable = false;
                    for &item in &list {
                        match (item.role(), item.perm()) {
                            (Some(r), _) => {
                                if let Some(cr) = compiled.role(r) {
                                    always.union_with(&cr.always);
                                    configurable |= !cr.config_grants.is_empty();
                                }
                            }
                            (None, Some(p)) => always.insert(p.index()),
                            (None, None) => {}
                        }
                    }
                    crate::compile::close_groups(model, &mut always);
                    let set = match set_ids.get(&always) {
                        Some(&s) => s,
                        None => {
                            m.sets.push(always.clone());
                            set_ids.insert(always, id(m.sets.len() - 1));
                            id(m.sets.len() - 1)
                        }
                    };
                    let start = m.items.len();
                    m.items.extend_from_slice(&list);
                    m.profiles.push(Profile {
                        set,
                        configurable,
                        items: (id(start), id(m.items.len())),
                    });
                    let p = id(m.profiles.len() - 1);
                    profile_ids.insert(list.clone(), p);
                    p
                }
            };
            entries.push(index::Built {
                user: UserId((k >> 32) as u32),
                res: ResId(k as u32),
                profile,
            });
        }
        m.sets.shrink_to_fit();
        m.profiles.shrink_to_fit();
        m.items.shrink_to_fit();
        let shape = index::Shape {
            model,
            resources: &m.resources,
            users: m.users.len(),
            profiles: m
                .profiles
                .iter()
                .map(|p| {
                    let bits = m.sets.get(p.set as usize).map_or(0, index::bits_of);
                    (bits, p.configurable)
                })
                .collect(),
        };
        m.index = index::build(&shape, &entries);
    }
}

/// A stable counting sort of keyed items by the user half of their key.
fn by_user<T: Copy + Default>(items: Vec<(u64, T)>, users: usize) -> Vec<(u64, T)> {
    let user = |k: u64| (k >> 32) as usize;
    let mut next = vec![0usize; users + 1];
    for &(k, _) in &items {
        if let Some(c) = next.get_mut(user(k) + 1) {
            *c += 1;
        }
    }
    let mut sum = 0;
    for c in &mut next {
        sum += *c;
        *c = sum;
    }
    let mut out = vec![(u64::MAX, T::default()); items.len()];
    for item in items {
        if let Some(at) = next.get_mut(user(item.0)) {
            if let Some(slot) = out.get_mut(*at) {
                *slot = item;
            }
            *at += 1;
        }
    }
    out
}

/// Where a member is listed in a resource's `members:`, or the resource.
fn listed_at(raw: &RawMembers, rid: &str, user: &str) -> At {
    let listed = raw
        .resources
        .0
        .iter()
        .find(|(id, _)| id == rid)
        .and_then(|(_, body)| body.as_ref())
        .and_then(|body| body.members.iter().position(|m| m == user));
    match listed {
        Some(i) => At::Path(path(&["resources", rid, "members"]), Target::Item(i)),
        None => At::Path(path(&["resources", rid]), Target::Key),
    }
}

#[derive(Copy, Clone)]
enum Subject {
    User(UserId),
    Group(GroupId),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_empty_in_one_step() {
        let mut m = Marks::new(4);
        assert!(m.insert(UserId(2)) && !m.insert(UserId(2)));
        assert!(m.contains(UserId(2)) && !m.contains(UserId(1)));
        m.clear();
        assert!(!m.contains(UserId(2)) && m.insert(UserId(2)));
        // Past the users it knows, nothing is ever "already in".
        assert!(m.insert(UserId(9)) && m.insert(UserId(9)) && !m.contains(UserId(9)));
        m.now = u32::MAX;
        m.clear();
        assert!(!m.contains(UserId(2)));
    }

    #[test]
    fn the_counting_sort_is_stable_and_sorts_by_key() {
        let g = |p: u32| p;
        let k = |u: u32, r: u32| key(UserId(u), ResId(r));
        // Written resource by resource, as `index` writes them.
        let items = vec![
            (k(2, 0), g(1)),
            (k(0, 0), g(2)),
            (k(2, 0), g(3)),
            (k(1, 1), g(4)),
            (k(0, 1), g(5)),
            (k(2, 3), g(6)),
        ];
        let mut expected = items.clone();
        expected.sort_by_key(|&(k, _)| k);
        assert_eq!(by_user(items, 3), expected);
    }
}
