//! Policy tests: YAML files of cases run against a policy and membership
//! data (`rbacc test`), with a coverage report over the permission matrix.
//!
//! A test file holds one or more YAML documents (separated by `---`). Each
//! names its policy (`preset: NAME` or `policy: PATH`), its membership data
//! (`members: PATH`, relative to the test file, or a mapping written
//! inline) and its `cases`:
//!
//! ```yaml
//! preset: astro
//! members: ../../examples/astro/members.yaml
//! cases:
//!   - name: an Organization Owner administers every Workspace
//!     user: ana
//!     permission: workspace.airflow_connections.update
//!     resource: workspace:acme/ml
//!     expect: allow
//!   - name: only these users view the DAGs of acme/ml
//!     who_can: {permission: workspace.dags.view, resource: workspace:acme/ml}
//!     expect: [ana, ben, eli]
//! ```
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = std::env::temp_dir().join(format!("rbacc-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! # let path = dir.join("neosync.yaml");
//! std::fs::write(&path, r#"
//! preset: neosync
//! members:
//!   edition: cloud_team
//!   users: [alice, bob]
//!   resources:
//!     account:acme:
//!       roles: {alice: account_admin, bob: job_viewer}
//! cases:
//!   - {name: admins create API keys, user: alice, permission: account.api_keys.create, resource: account:acme, expect: allow}
//!   - {name: viewers do not run jobs, user: bob, permission: account.jobs.trigger, resource: account:acme, expect: deny}
//! "#)?;
//! let run = rbacc::testing::run(&[path]);
//! assert_eq!((run.passed(), run.failed(), run.errors()), (2, 0, 0));
//! assert!(run.success());
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```

mod coverage;
mod file;
pub mod junit;
mod reason;

pub use coverage::{Cell, Coverage};
pub use file::{Case, CaseKind};
pub use reason::{Reason, ReasonKind};

use crate::diagnostic::style::{paint, Style};
use crate::diagnostic::{render, ColorChoice, Report};
use crate::eval::Authorizer;
use crate::membership::{Members, UserId};
use crate::policy::Policy;
use file::MembersSpec;
use serde_json::json;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// How a test run ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Every case passed and every file loaded.
    Passed,
    /// A case failed, or a file, document or run has no case.
    Failed,
    /// A file did not load or a case could not be evaluated.
    Error,
}

/// How a case ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// As expected.
    Pass,
    /// Not as expected.
    Fail,
    /// The query could not be evaluated (an unknown name): no decision.
    Error(String),
}

/// The outcome of one case.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CaseResult {
    /// The case.
    pub case: Case,
    /// How it ended.
    pub status: Status,
    /// What happened: `allow`/`deny`, or the users who can.
    pub actual: Option<String>,
    /// For a failure: the reasons (the explanation of the decision, or for
    /// a `who_can` case, of each user who differs).
    pub explanation: Vec<Reason>,
}

/// The outcome of one YAML document of a test file.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SuiteResult {
    /// The test file.
    pub file: String,
    /// The document's optional name.
    pub name: Option<String>,
    /// The line where the document starts.
    pub line: usize,
    /// The policy (`preset NAME` or its path).
    pub policy: String,
    /// The membership data (a path, or `inline`).
    pub members: String,
    /// One result per case, in file order.
    pub cases: Vec<CaseResult>,
}

/// A test file (or one of its documents) that could not be loaded: nothing
/// of it ran.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LoadError {
    /// The file.
    pub file: String,
    /// What went wrong (`file:line:col: message`), when not a report.
    pub message: String,
    /// The diagnostics of a policy or membership data that has errors.
    pub report: Option<Report>,
}

/// The outcome of a test run.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Run {
    /// Every document that loaded, with its case results.
    pub suites: Vec<SuiteResult>,
    /// Every file or document that did not load.
    pub load_errors: Vec<LoadError>,
    /// Every file, document or run with no case (`file:line: message`, or
    /// a message for the run): a failure, so that a suite whose cases were
    /// all removed or commented out does not pass.
    pub empty: Vec<String>,
    /// Policies by label, in first-use order (for coverage).
    policies: Vec<(String, Policy)>,
    /// Exercised (role, matrix row) cells per policy label.
    exercised: HashMap<String, coverage::Exercised>,
    /// Directories (canonical) whose files test files may name, besides
    /// their repository roots.
    allowed: Vec<PathBuf>,
    /// Only the cases whose name contains this text run (`--filter`).
    filter: Option<String>,
}

impl Run {
    /// Whether the case named `name` runs under the run's `--filter`.
    fn selects(&self, name: &str) -> bool {
        self.filter.as_deref().is_none_or(|f| name.contains(f))
    }

    /// The report as JUnit XML (see [`junit`]).
    pub fn to_junit(&self) -> String {
        junit::to_junit(self)
    }

    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.count(|s| *s == Status::Pass)
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.count(|s| *s == Status::Fail)
    }

    /// Cases that could not be evaluated.
    pub fn errors(&self) -> usize {
        self.count(|s| matches!(s, Status::Error(_)))
    }

    fn count(&self, f: impl Fn(&Status) -> bool) -> usize {
        self.suites
            .iter()
            .flat_map(|s| &s.cases)
            .filter(|c| f(&c.status))
            .count()
    }

    /// Whether every case passed, everything loaded, and no file, document
    /// or run was without a case.
    pub fn success(&self) -> bool {
        self.load_errors.is_empty()
            && self.failed() == 0
            && self.errors() == 0
            && self.empty.is_empty()
    }

    /// How the run ended: every case passed, a case failed or a file,
    /// document or run has no case, or something could not be loaded or
    /// evaluated (the CLI maps these to exit 0, 1 and 2).
    pub fn outcome(&self) -> Outcome {
        if !self.load_errors.is_empty() || self.errors() > 0 {
            Outcome::Error
        } else if self.failed() > 0 || !self.empty.is_empty() {
            Outcome::Failed
        } else {
            Outcome::Passed
        }
    }

    /// The matrix cells no case exercised, per policy.
    pub fn coverage(&self) -> Vec<Coverage> {
        self.policies
            .iter()
            .map(|(label, policy)| {
                let empty = coverage::Exercised::default();
                let done = self.exercised.get(label).unwrap_or(&empty);
                coverage::coverage(label, policy, done)
            })
            .collect()
    }

    /// The report for people.
    pub fn to_text(&self, with_coverage: bool, color: ColorChoice) -> String {
        let mut out = String::new();
        for e in &self.load_errors {
            if let Some(r) = &e.report {
                out.push_str(&render(&r.sources, &r.diagnostics, color));
            }
            out.push_str(&format!(
                "{}: {}\n",
                paint("error", Style::Bad, color),
                e.message
            ));
        }
        for e in &self.empty {
            out.push_str(&format!("{}: {e}\n", paint("error", Style::Bad, color)));
        }
        for s in &self.suites {
            let title = s
                .name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "\n{}:{}{title}: {} case(s), policy {}, members {}\n",
                s.file,
                s.line,
                s.cases.len(),
                s.policy,
                s.members
            ));
            for c in &s.cases {
                match &c.status {
                    Status::Pass => out.push_str(&format!(
                        "  {}     {}\n",
                        paint("ok", Style::Good, color),
                        c.case.name
                    )),
                    Status::Fail => {
                        out.push_str(&format!(
                            "  {} {}  [{}]\n",
                            paint("FAILED", Style::Bad, color),
                            c.case.name,
                            c.case.location
                        ));
                        out.push_str(&format!(
                            "         {}: expected {}, got {}\n",
                            query_text(&c.case.kind),
                            expected_text(&c.case.kind),
                            c.actual.as_deref().unwrap_or("nothing")
                        ));
                        let mut previous: Option<ReasonKind> = None;
                        for step in &c.explanation {
                            let first = previous.is_none_or(|k| k == ReasonKind::User)
                                || step.kind == ReasonKind::User;
                            let (indent, arrow) = match (step.kind, first) {
                                (ReasonKind::User, _) => ("         ", ""),
                                (_, true) => ("           ", ""),
                                (_, false) => ("           ", "→ "),
                            };
                            previous = Some(step.kind);
                            out.push_str(&format!("{indent}{arrow}{}", step.text));
                            if let Some(loc) = &step.location {
                                out.push_str(&format!("  [{loc}]"));
                            }
                            out.push('\n');
                        }
                    }
                    Status::Error(msg) => {
                        out.push_str(&format!(
                            "  {}  {}  [{}]\n",
                            paint("ERROR", Style::Bad, color),
                            c.case.name,
                            c.case.location
                        ));
                        out.push_str(&format!(
                            "         {}: {msg}; no decision\n",
                            query_text(&c.case.kind)
                        ));
                    }
                }
            }
        }
        if with_coverage {
            for cov in self.coverage() {
                out.push('\n');
                out.push_str(&cov.to_text());
            }
        }
        let verdict = if self.success() {
            paint("ok", Style::Good, color)
        } else {
            paint("FAILED", Style::Bad, color)
        };
        let empty = if self.empty.is_empty() {
            String::new()
        } else {
            format!("; {} without a case", self.empty.len())
        };
        out.push_str(&format!(
            "\ntest result: {verdict}. {} passed; {} failed; {} errors; {} not loaded{empty}\n",
            self.passed(),
            self.failed(),
            self.errors(),
            self.load_errors.len()
        ));
        out
    }

    /// The report as one JSON value.
    pub fn to_json(&self, with_coverage: bool) -> serde_json::Value {
        let suites: Vec<serde_json::Value> = self
            .suites
            .iter()
            .map(|s| {
                let cases: Vec<serde_json::Value> = s
                    .cases
                    .iter()
                    .map(|c| {
                        let (status, error) = match &c.status {
                            Status::Pass => ("pass", None),
                            Status::Fail => ("fail", None),
                            Status::Error(m) => ("error", Some(m.clone())),
                        };
                        let mut v = serde_json::Map::new();
                        v.insert("name".into(), json!(c.case.name));
                        v.insert("location".into(), json!(c.case.location));
                        v.insert("status".into(), json!(status));
                        match &c.case.kind {
                            CaseKind::Check { user, permission, resource, .. } => {
                                v.insert(
                                    "query".into(),
                                    json!({"user": user, "permission": permission, "resource": resource}),
                                );
                            }
                            CaseKind::WhoCan { permission, resource, .. } => {
                                v.insert("who_can".into(), json!({"permission": permission, "resource": resource}));
                            }
                            CaseKind::WhatCan { user, resource, .. } => {
                                v.insert("what_can".into(), json!({"user": user, "resource": resource}));
                            }
                            CaseKind::Holds { user, resource, .. } => {
                                v.insert("holds".into(), json!({"user": user, "resource": resource}));
                            }
                            CaseKind::Assigns { user, resource, permission, .. } => {
                                v.insert("assigns".into(), json!({"user": user, "resource": resource, "permission": permission}));
                            }
                            CaseKind::Rejected { .. } => {}
                        }
                        v.insert("expected".into(), expected_json(&c.case.kind));
                        v.insert("actual".into(), json!(c.actual));
                        if let Some(e) = error {
                            v.insert("error".into(), json!(e));
                        }
                        if !c.explanation.is_empty() {
                            v.insert("explanation".into(), serde_json::to_value(&c.explanation).unwrap_or_default());
                        }
                        serde_json::Value::Object(v)
                    })
                    .collect();
                json!({
                    "file": s.file,
                    "line": s.line,
                    "name": s.name,
                    "policy": s.policy,
                    "members": s.members,
                    "cases": cases,
                })
            })
            .collect();
        let load_errors: Vec<serde_json::Value> = self
            .load_errors
            .iter()
            .map(|e| {
                let diagnostics = e
                    .report
                    .as_ref()
                    .map(|r| crate::diagnostic::to_json(&r.sources, &r.diagnostics))
                    .unwrap_or(serde_json::Value::Null);
                json!({"file": e.file, "message": e.message, "diagnostics": diagnostics})
            })
            .collect();
        let mut v = serde_json::Map::new();
        v.insert("suites".into(), json!(suites));
        v.insert("load_errors".into(), json!(load_errors));
        v.insert("empty".into(), json!(self.empty));
        v.insert(
            "summary".into(),
            json!({
                "passed": self.passed(),
                "failed": self.failed(),
                "errors": self.errors(),
                "not_loaded": self.load_errors.len(),
                "empty": self.empty.len(),
                "success": self.success(),
            }),
        );
        if with_coverage {
            v.insert(
                "coverage".into(),
                serde_json::to_value(self.coverage()).unwrap_or_default(),
            );
        }
        serde_json::Value::Object(v)
    }
}

fn query_text(kind: &CaseKind) -> String {
    match kind {
        CaseKind::Check {
            user,
            permission,
            resource,
            ..
        } => format!("{user} {permission} {resource}"),
        CaseKind::WhoCan {
            permission,
            resource,
            ..
        } => format!("who can {permission} {resource}"),
        CaseKind::WhatCan { user, resource, .. } => format!("what can {user} do on {resource}"),
        CaseKind::Holds { user, resource, .. } => format!("roles {user} holds on {resource}"),
        CaseKind::Assigns {
            user,
            resource,
            permission,
            ..
        } => match permission {
            Some(p) => format!("roles {user} may assign on {resource} through {p}"),
            None => format!("roles {user} may assign on {resource}"),
        },
        CaseKind::Rejected { .. } => "loading the policy and data".to_string(),
    }
}

fn expected_text(kind: &CaseKind) -> String {
    match kind {
        CaseKind::Check { expect, .. } => decision(*expect).to_string(),
        CaseKind::WhoCan { expect, .. }
        | CaseKind::WhatCan { expect, .. }
        | CaseKind::Holds { expect, .. }
        | CaseKind::Assigns { expect, .. } => users_text(expect.iter().map(String::as_str)),
        CaseKind::Rejected { code } => format!("error {code}"),
    }
}

fn expected_json(kind: &CaseKind) -> serde_json::Value {
    match kind {
        CaseKind::Check { expect, .. } => json!(decision(*expect)),
        CaseKind::WhoCan { expect, .. }
        | CaseKind::WhatCan { expect, .. }
        | CaseKind::Holds { expect, .. }
        | CaseKind::Assigns { expect, .. } => json!(expect),
        CaseKind::Rejected { code } => json!(format!("error {code}")),
    }
}

fn users_text<'a>(users: impl Iterator<Item = &'a str>) -> String {
    format!("[{}]", users.collect::<Vec<_>>().join(", "))
}

fn decision(allowed: bool) -> &'static str {
    if allowed {
        "allow"
    } else {
        "deny"
    }
}

/// The test files named by `paths`: files as given, directories searched
/// (sorted, each file once, special files and symlink loops skipped, see
/// `files::walk`) for `*.yaml`/`*.yml` files with a top-level
/// `cases:` or `expect:` key. Hidden directories and `target` are skipped.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let filter = crate::files::WalkFilter {
                suffixes: &[".yaml", ".yml"],
                skip_hidden: true,
            };
            for f in crate::files::walk(p, filter)? {
                if read_file(&f).is_ok_and(|t| file::looks_like_tests(&t)) {
                    out.push(f);
                }
            }
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(format!(
                "no such file or directory: `{}`",
                crate::text::escape(&p.display().to_string())
            ));
        }
    }
    let mut seen = HashSet::new();
    out.retain(|f| seen.insert(f.clone()));
    Ok(out)
}

/// Reads a test or membership file named by a test run: a regular file of
/// at most [`crate::limits::MAX_MEMBERS_BYTES`], as UTF-8.
fn read_file(path: &Path) -> Result<String, String> {
    read_limited(path, crate::limits::MAX_MEMBERS_BYTES)
}

/// Reads a regular file of at most `limit` bytes as UTF-8.
fn read_limited(path: &Path, limit: usize) -> Result<String, String> {
    let bytes = crate::files::read_bounded(path, limit).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "it is not valid UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// What a test run may read besides its test files.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Directories whose files test files may name, besides the files
    /// under each test file's repository root (`--allow-path`).
    pub allowed: Vec<PathBuf>,
    /// Run only the cases whose name contains this text (`--filter`); a
    /// filter that matches no case makes the run fail.
    pub filter: Option<String>,
}

/// Runs the test files named by `paths` (see [`collect`]).
pub fn run(paths: &[PathBuf]) -> Run {
    run_with(paths, &Options::default())
}

/// Runs the test files named by `paths` (see [`collect`]), reading the
/// files they name only under their repository roots and `options.allowed`.
pub fn run_with(paths: &[PathBuf], options: &Options) -> Run {
    let mut run = Run {
        allowed: options
            .allowed
            .iter()
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .collect(),
        filter: options.filter.clone(),
        ..Run::default()
    };
    match collect(paths) {
        Ok(files) => {
            for f in &files {
                run_file(&mut run, f);
            }
            let cases: usize = run.suites.iter().map(|s| s.cases.len()).sum();
            if files.is_empty() {
                run.empty.push(
                    "no test files found (a test file is a `*.yaml` or `*.yml` file with a top-level `cases:` key)"
                        .to_string(),
                );
            } else if let (Some(filter), 0) = (&run.filter, cases) {
                run.empty.push(format!(
                    "no test case has a name containing `{}` (`--filter`)",
                    crate::text::escape(filter)
                ));
            } else if cases == 0 && run.load_errors.is_empty() && run.empty.is_empty() {
                run.empty.push("no test case ran".to_string());
            }
        }
        Err(message) => run.load_errors.push(LoadError {
            file: String::new(),
            message,
            report: None,
        }),
    }
    run
}

/// Runs one test file, adding its results to `run`.
pub fn run_file(run: &mut Run, path: &Path) {
    let file = path.display().to_string();
    let fail = |run: &mut Run, message: String, report: Option<Report>| {
        run.load_errors.push(LoadError {
            file: file.clone(),
            message,
            report,
        });
    };
    let text = match read_file(path) {
        Ok(t) => t,
        Err(e) => return fail(run, format!("cannot read `{file}`: {e}"), None),
    };
    if let Some(r) = crate::analyse::hidden::yaml_report(&file, &text) {
        return fail(
            run,
            format!("{file}: the test file has errors; no case ran"),
            Some(r),
        );
    }
    let docs = file::documents(&text);
    if docs.is_empty() {
        run.empty.push(format!(
            "{file}:1: the file holds no test case (it is empty or all comments)"
        ));
        return;
    }
    let root = repository_root(path);
    for doc in docs {
        let line = doc.line;
        let raw = match file::parse_suite(&file, doc) {
            Ok(r) => r,
            Err(m) => {
                fail(run, m, None);
                continue;
            }
        };
        if let Some((code, location)) = raw.expect_error.clone() {
            let (policy, members) = labels(path, &raw);
            let name = raw.name.clone();
            let loaded = load_suite(run, path, root.as_deref(), &file, doc, raw);
            match rejected(&code, &location, name.as_deref(), loaded) {
                Ok(case) if !run.selects(&case.case.name) => {}
                Ok(case) => run.suites.push(SuiteResult {
                    file: file.clone(),
                    name,
                    line,
                    policy,
                    members,
                    cases: vec![case],
                }),
                Err((message, report)) => fail(run, message, report),
            }
            continue;
        }
        match load_suite(run, path, root.as_deref(), &file, doc, raw) {
            Ok((suite, authz, cases)) => {
                if cases.is_empty() {
                    run.empty.push(format!(
                        "{file}:{line}: the document has no case (its `cases:` list is missing or empty)"
                    ));
                }
                let total = cases.len();
                let cases: Vec<Case> = cases.into_iter().filter(|c| run.selects(&c.name)).collect();
                if total > 0 && cases.is_empty() {
                    continue;
                }
                let at = DocAt {
                    path,
                    root: root.as_deref(),
                    doc,
                };
                let result = run_suite(run, suite, line, &authz, cases, &at);
                run.suites.push(result);
            }
            Err((message, report)) => fail(run, message, report),
        }
    }
}

/// The labels of a document's policy and membership data.
fn labels(path: &Path, raw: &file::RawSuite) -> (String, String) {
    let policy = match (&raw.preset, &raw.policy) {
        (Some(name), _) => format!("preset {name}"),
        (None, Some(p)) => file::relative_to(path, p).display().to_string(),
        (None, None) => String::new(),
    };
    let members = match &raw.members {
        MembersSpec::Path(p) => file::relative_to(path, p).display().to_string(),
        MembersSpec::Inline(_) => "inline".to_string(),
    };
    (policy, members)
}

/// The result of a document that expects `error CODE`: it passes when its
/// policy or data is rejected with a diagnostic of that code. A failure to
/// load that is not a diagnostic (a missing file, an unknown preset) stays
/// a load error.
fn rejected<T>(
    code: &str,
    location: &str,
    name: Option<&str>,
    loaded: Result<T, LoadFailure>,
) -> Result<CaseResult, LoadFailure> {
    let case = Case {
        name: name.map_or_else(|| format!("rejected with {code}"), str::to_string),
        location: location.to_string(),
        kind: CaseKind::Rejected {
            code: code.to_string(),
        },
        data: None,
    };
    rejected_case(case, code, loaded)
}

/// The result of a case that expects `error CODE` from `loaded`.
fn rejected_case<T>(
    case: Case,
    code: &str,
    loaded: Result<T, LoadFailure>,
) -> Result<CaseResult, LoadFailure> {
    let report = match loaded {
        Ok(_) => {
            return Ok(CaseResult {
                case,
                status: Status::Fail,
                actual: Some("no error: the policy and data loaded".to_string()),
                explanation: Vec::new(),
            })
        }
        Err((_, Some(report))) => report,
        Err(e) => return Err(e),
    };
    let errors: Vec<&crate::diagnostic::Diagnostic> =
        report.diagnostics.iter().filter(|d| d.is_error()).collect();
    let mut codes: Vec<&str> = errors.iter().map(|d| d.code).collect();
    codes.dedup();
    let actual = format!("error {}", codes.join(", "));
    if codes.contains(&code) {
        return Ok(CaseResult {
            case,
            status: Status::Pass,
            actual: Some(actual),
            explanation: Vec::new(),
        });
    }
    let explanation = errors
        .iter()
        .map(|d| Reason {
            kind: ReasonKind::Diagnostic,
            text: format!("{}: {}", d.code, d.message),
            location: d.primary_label().and_then(|l| {
                let src = report.sources.get(l.file)?;
                let (line, col) = src.line_col(l.span.start);
                Some(format!("{}:{line}:{col}", src.name))
            }),
        })
        .collect();
    Ok(CaseResult {
        case,
        status: Status::Fail,
        actual: Some(actual),
        explanation,
    })
}

struct Loaded {
    file: String,
    name: Option<String>,
    policy: String,
    members: String,
}

type LoadFailure = (String, Option<Report>);

/// The repository root of a test file: the nearest directory holding it
/// (symlinks resolved) that has a `.git` entry, else its own directory.
fn repository_root(test_file: &Path) -> Option<PathBuf> {
    let dir = std::fs::canonicalize(test_file)
        .ok()?
        .parent()?
        .to_path_buf();
    let root = dir
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&dir)
        .to_path_buf();
    Some(root)
}

/// Resolves a path named by a test file as the operating system does
/// (relative to the test file's directory, symlinks and `..` followed),
/// and refuses it unless it lies under the repository root or an allowed
/// directory. Returns the resolved path to read.
fn resolve_named(
    run: &Run,
    test_file: &Path,
    root: Option<&Path>,
    file: &str,
    what: &str,
    rel: &str,
) -> Result<PathBuf, LoadFailure> {
    let shown = crate::text::escape(rel).into_owned();
    let joined = test_file.parent().unwrap_or(Path::new("")).join(rel);
    let real = std::fs::canonicalize(&joined)
        .map_err(|e| (format!("{file}: cannot read {what} `{shown}`: {e}"), None))?;
    let inside = |dir: &Path| real.starts_with(dir);
    if root.is_some_and(inside) || run.allowed.iter().any(|d| inside(d)) {
        return Ok(real);
    }
    Err((
        format!(
            "{file}: the {what} `{shown}` is outside the test file's repository root{}; a test file names only files under its repository (pass `--allow-path DIR` to allow more)",
            root.map(|r| format!(" `{}`", crate::text::escape(&r.display().to_string())))
                .unwrap_or_default()
        ),
        None,
    ))
}

fn load_suite(
    run: &mut Run,
    path: &Path,
    root: Option<&Path>,
    file: &str,
    doc: file::Document<'_>,
    raw: file::RawSuite,
) -> Result<(Loaded, Authorizer, Vec<Case>), LoadFailure> {
    let cases = file::cases(raw.cases).map_err(|m| (m, None))?;
    let (label, policy) = match (&raw.preset, &raw.policy) {
        (Some(name), None) => {
            let label = format!("preset {name}");
            let policy = cached_policy(run, &label, || {
                let preset = crate::presets::get(name).ok_or_else(|| {
                    let hint = crate::suggest::did_you_mean(
                        name,
                        crate::presets::PRESETS.iter().map(|p| p.name),
                    )
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                    (format!("{file}: unknown preset `{name}`{hint}"), None)
                })?;
                crate::policy::compile(&format!("policies/{}.rbac", preset.name), preset.source)
                    .map_err(|r| (format!("{file}: preset `{name}` has errors"), Some(r)))
            })?;
            (label, policy)
        }
        (None, Some(p)) => {
            let label = file::relative_to(path, p).display().to_string();
            let ppath = resolve_named(run, path, root, file, "policy", p)?;
            let policy = cached_policy(run, &label, || {
                let text = read_limited(&ppath, crate::limits::MAX_POLICY_BYTES)
                    .map_err(|e| (format!("{file}: cannot read policy `{label}`: {e}"), None))?;
                crate::policy::compile(&label, &text)
                    .map_err(|r| (format!("{file}: the policy `{label}` has errors"), Some(r)))
            })?;
            (label, policy)
        }
        (Some(_), Some(_)) => {
            return Err((format!("{file}: give `preset` or `policy`, not both"), None))
        }
        (None, None) => {
            return Err((
                format!("{file}: give `preset: NAME` or `policy: PATH`"),
                None,
            ))
        }
    };
    let (members_label, members) = load_members(run, path, root, file, doc, &policy, &raw.members)?;
    let loaded = Loaded {
        file: file.to_string(),
        name: raw.name,
        policy: label,
        members: members_label,
    };
    let authz = Authorizer::new(policy, members).map_err(|e| (format!("{file}: {e}"), None))?;
    Ok((loaded, authz, cases))
}

/// Reads and binds the membership data `spec` names (a path relative to
/// the test file, or data written inline in `doc`) against `policy`.
fn load_members(
    run: &Run,
    path: &Path,
    root: Option<&Path>,
    file: &str,
    doc: file::Document<'_>,
    policy: &Policy,
    spec: &MembersSpec,
) -> Result<(String, Members), LoadFailure> {
    Ok(match spec {
        MembersSpec::Path(p) => {
            let name = file::relative_to(path, p).display().to_string();
            let mpath = resolve_named(run, path, root, file, "membership data", p)?;
            let text = read_file(&mpath).map_err(|e| {
                (
                    format!("{file}: cannot read membership data `{name}`: {e}"),
                    None,
                )
            })?;
            if let Some(r) = crate::analyse::hidden::yaml_report(&name, &text) {
                return Err((
                    format!("{file}: the membership data `{name}` has errors; no case ran"),
                    Some(r),
                ));
            }
            let m = Members::from_yaml(policy, &name, &text).map_err(|r| {
                (
                    format!("{file}: the membership data `{name}` has errors; no case ran"),
                    Some(r),
                )
            })?;
            (name, m)
        }
        MembersSpec::Inline(raw) => {
            // Positions are the file's: the data is kept with the lines
            // before it emptied.
            let doc = doc.padded();
            let m = Members::from_raw(policy, file, &doc, (**raw).clone()).map_err(|r| {
                (
                    format!("{file}: the inline membership data has errors; no case ran"),
                    Some(r),
                )
            })?;
            ("inline".to_string(), m)
        }
    })
}

fn cached_policy(
    run: &mut Run,
    label: &str,
    load: impl FnOnce() -> Result<Policy, LoadFailure>,
) -> Result<Policy, LoadFailure> {
    if let Some((_, p)) = run.policies.iter().find(|(l, _)| l == label) {
        return Ok(p.clone());
    }
    let policy = load()?;
    run.policies.push((label.to_string(), policy.clone()));
    Ok(policy)
}

/// Where a document is, for the cases that load their own data.
struct DocAt<'a> {
    path: &'a Path,
    root: Option<&'a Path>,
    doc: file::Document<'a>,
}

fn run_suite(
    run: &mut Run,
    s: Loaded,
    line: usize,
    authz: &Authorizer,
    cases: Vec<Case>,
    at: &DocAt<'_>,
) -> SuiteResult {
    let mut results = Vec::with_capacity(cases.len());
    let mut exercised = coverage::Exercised::default();
    for case in cases {
        let r = match &case.kind {
            CaseKind::Check {
                user,
                permission,
                resource,
                expect,
            } => match authz.query(user, permission, resource) {
                Err(e) => (Status::Error(e.to_string()), None, Vec::new()),
                Ok(q) => {
                    coverage::exercise(authz, q.user, q.asked, q.perm, &mut exercised);
                    let allowed = authz.check(&q);
                    if allowed == *expect {
                        (
                            Status::Pass,
                            Some(decision(allowed).to_string()),
                            Vec::new(),
                        )
                    } else {
                        (
                            Status::Fail,
                            Some(decision(allowed).to_string()),
                            authz
                                .explain(&q)
                                .steps
                                .into_iter()
                                .map(Reason::from)
                                .collect(),
                        )
                    }
                }
            },
            CaseKind::WhoCan {
                permission,
                resource,
                expect,
            } => who_can_case(authz, permission, resource, expect, &mut exercised),
            CaseKind::WhatCan {
                user,
                resource,
                expect,
            } => what_can_case(authz, user, resource, expect, &mut exercised),
            CaseKind::Holds {
                user,
                resource,
                expect,
            } => holds_case(authz, user, resource, expect),
            CaseKind::Assigns {
                user,
                resource,
                permission,
                expect,
            } => assigns_case(authz, user, resource, permission.as_deref(), expect),
            CaseKind::Rejected { code } => match &case.data {
                Some(spec) => {
                    let loaded =
                        load_members(run, at.path, at.root, &s.file, at.doc, authz.policy(), spec);
                    match rejected_case(case.clone(), code, loaded) {
                        Ok(r) => (r.status, r.actual, r.explanation),
                        Err((m, _)) => (Status::Error(m), None, Vec::new()),
                    }
                }
                // Documents that expect an error never reach evaluation.
                None => (
                    Status::Error("an `expect: error` case has no data".to_string()),
                    None,
                    Vec::new(),
                ),
            },
        };
        results.push(CaseResult {
            case,
            status: r.0,
            actual: r.1,
            explanation: r.2,
        });
    }
    run.exercised
        .entry(s.policy.clone())
        .or_default()
        .extend(exercised);
    SuiteResult {
        file: s.file,
        name: s.name,
        line,
        policy: s.policy,
        members: s.members,
        cases: results,
    }
}

fn who_can_case(
    authz: &Authorizer,
    permission: &str,
    resource: &str,
    expect: &[String],
    exercised: &mut coverage::Exercised,
) -> (Status, Option<String>, Vec<Reason>) {
    let m = &authz.members();
    // Every expected user must exist: a misspelt name is an error, not a
    // silent failure.
    for u in expect {
        if let Err(e) = crate::eval::user_id(m, u) {
            return (Status::Error(e.to_string()), None, Vec::new());
        }
    }
    let found = match authz.who_can(permission, resource) {
        Ok(f) => f,
        Err(e) => return (Status::Error(e.to_string()), None, Vec::new()),
    };
    let Some(first) = m.users.first() else {
        return (
            Status::Error("the membership data has no users".to_string()),
            None,
            Vec::new(),
        );
    };
    let base = match authz.query(first, permission, resource) {
        Ok(q) => q,
        Err(e) => return (Status::Error(e.to_string()), None, Vec::new()),
    };
    for u in 0..m.users.len() {
        coverage::exercise(
            authz,
            UserId::from_index(u),
            base.asked,
            base.perm,
            exercised,
        );
    }
    let actual: BTreeSet<UserId> = found.iter().map(|(u, _)| *u).collect();
    let wanted: BTreeSet<UserId> = expect.iter().filter_map(|u| m.user_id(u)).collect();
    let actual_text = users_text(actual.iter().map(|u| m.user_name(*u)));
    if actual == wanted {
        return (Status::Pass, Some(actual_text), Vec::new());
    }
    let mut steps = Vec::new();
    for u in actual.symmetric_difference(&wanted) {
        let q = crate::eval::Query { user: *u, ..base };
        let e = authz.explain(&q);
        let name = m.user_name(*u);
        steps.push(Reason::user(if e.allowed {
            format!("`{name}` can, but is not expected:")
        } else {
            format!("`{name}` is expected, but cannot:")
        }));
        steps.extend(e.steps.into_iter().map(Reason::from));
    }
    (Status::Fail, Some(actual_text), steps)
}

/// What a case that names a set ends with, when nothing more is to be said.
type Done = (Status, Option<String>, Vec<Reason>);

/// Compares expected names with actual ones as sets. Every expected name
/// must be known (a misspelt name is an error, not a silent failure).
/// `Err` is the case's outcome when there is nothing to explain (an
/// unknown name, or the sets agree); `Ok` is the actual set as text and
/// the steps naming what is there but not expected and what is expected
/// but not there, to which the caller adds why.
fn compare_sets(
    what: &str,
    expect: &[String],
    actual: &BTreeSet<String>,
    known: impl Fn(&str) -> bool,
    all: &[&str],
) -> Result<(String, Vec<Reason>), Done> {
    if let Some(e) = expect.iter().find(|e| !known(e)) {
        let hint = crate::suggest::did_you_mean(e, all.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err((
            Status::Error(format!("unknown {what} `{e}`{hint}")),
            None,
            Vec::new(),
        ));
    }
    let text = users_text(actual.iter().map(String::as_str));
    let wanted: BTreeSet<&str> = expect.iter().map(String::as_str).collect();
    if wanted.len() == actual.len() && actual.iter().all(|a| wanted.contains(a.as_str())) {
        return Err((Status::Pass, Some(text), Vec::new()));
    }
    let mut steps = Vec::new();
    for a in actual {
        if !wanted.contains(a.as_str()) {
            steps.push(Reason::user(format!(
                "{what} `{a}` is there, but not expected"
            )));
        }
    }
    for w in wanted {
        if !actual.contains(w) {
            steps.push(Reason::user(format!(
                "{what} `{w}` is expected, but not there"
            )));
        }
    }
    Ok((text, steps))
}

/// [`compare_sets`] for a set of the policy's roles.
fn compare_roles(
    model: &crate::resolve::Model,
    expect: &[String],
    actual: &BTreeSet<String>,
) -> Result<(String, Vec<Reason>), Done> {
    let all: Vec<&str> = model.roles.iter().map(|r| r.name.as_str()).collect();
    compare_sets("role", expect, actual, |n| model.role_id(n).is_some(), &all)
}

fn what_can_case(
    authz: &Authorizer,
    user: &str,
    resource: &str,
    expect: &[String],
    exercised: &mut coverage::Exercised,
) -> (Status, Option<String>, Vec<Reason>) {
    let model = &authz.policy().model;
    let found = match authz.what_can(user, resource) {
        Ok(f) => f,
        Err(e) => return (Status::Error(e.to_string()), None, Vec::new()),
    };
    let m = authz.members();
    if let (Some(u), Some(r)) = (m.user_id(user), m.res_id(resource)) {
        for (p, _) in &found {
            coverage::exercise(authz, u, r, *p, exercised);
        }
    }
    let actual: BTreeSet<String> = found
        .iter()
        .map(|(p, _)| model.perm_name(*p).to_string())
        .collect();
    let all: Vec<&str> = model.perms.iter().map(|p| p.name.as_str()).collect();
    let (text, mut steps) = match compare_sets(
        "permission",
        expect,
        &actual,
        |n| model.perm_id(n).is_some(),
        &all,
    ) {
        Ok(differ) => differ,
        Err(done) => return done,
    };
    // Why each unexpected permission is held.
    for (p, e) in &found {
        if !expect.iter().any(|x| x == model.perm_name(*p)) {
            steps.push(Reason::user(format!("`{}` is held:", model.perm_name(*p))));
            steps.extend(e.steps.iter().cloned().map(Reason::from));
        }
    }
    (Status::Fail, Some(text), steps)
}

fn holds_case(
    authz: &Authorizer,
    user: &str,
    resource: &str,
    expect: &[String],
) -> (Status, Option<String>, Vec<Reason>) {
    let model = &authz.policy().model;
    let m = authz.members();
    let (u, r) = match crate::eval::user_id(m, user)
        .and_then(|u| Ok((u, crate::eval::res_id(m, resource)?)))
    {
        Ok(ids) => ids,
        Err(e) => return (Status::Error(e.to_string()), None, Vec::new()),
    };
    let held: Vec<crate::membership::Held> = m
        .entry(u, r)
        .map(|e| e.roles().collect())
        .unwrap_or_default();
    let actual: BTreeSet<String> = held
        .iter()
        .map(|h| model.role_name(h.role).to_string())
        .collect();
    let (text, mut steps) = match compare_roles(model, expect, &actual) {
        Ok(differ) => differ,
        Err(done) => return done,
    };
    for h in &held {
        steps.push(Reason::user(format!(
            "`{}` is held {}",
            model.role_name(h.role),
            origin_text(m, h.origin)
        )));
    }
    (Status::Fail, Some(text), steps)
}

fn assigns_case(
    authz: &Authorizer,
    user: &str,
    resource: &str,
    through: Option<&str>,
    expect: &[String],
) -> (Status, Option<String>, Vec<Reason>) {
    let model = &authz.policy().model;
    if let Some(p) = through {
        if model.perm_id(p).is_none() {
            let e = crate::eval::QueryError::UnknownPermission {
                name: p.to_string(),
                suggestion: crate::suggest::did_you_mean(
                    p,
                    model.perms.iter().map(|x| x.name.as_str()),
                ),
            };
            return (Status::Error(e.to_string()), None, Vec::new());
        }
    }
    let found = match authz.what_can(user, resource) {
        Ok(f) => f,
        Err(e) => return (Status::Error(e.to_string()), None, Vec::new()),
    };
    let mut actual = BTreeSet::new();
    let mut by: Vec<(String, String)> = Vec::new();
    for (p, _) in &found {
        let Some(perm) = model.perms.get(p.index()) else {
            continue;
        };
        if through.is_some_and(|t| t != perm.name) {
            continue;
        }
        for (role, _) in &perm.assigns {
            let name = model.role_name(*role).to_string();
            by.push((name.clone(), perm.name.clone()));
            actual.insert(name);
        }
    }
    let (text, mut steps) = match compare_roles(model, expect, &actual) {
        Ok(differ) => differ,
        Err(done) => return done,
    };
    for (role, perm) in by {
        steps.push(Reason::user(format!(
            "`{role}` is assigned through `{perm}`, which `{user}` holds"
        )));
    }
    (Status::Fail, Some(text), steps)
}

fn origin_text(m: &Members, origin: crate::membership::Origin) -> String {
    use crate::membership::Origin;
    match origin {
        Origin::Binding => "by a binding".to_string(),
        Origin::Group(g) => format!("through group `{}`", m.group_name(g)),
        Origin::Default(_) => "by default".to_string(),
        Origin::Bootstrap(_, n) => format!("by a bootstrap rule (member #{n})"),
        Origin::Fallback(_) => "as the edition's fallback".to_string(),
        Origin::Upgrade(g) => format!("by the upgrade of group `{}`", m.group_name(g)),
        Origin::Direct | Origin::GroupGrant(_) => "by a direct grant".to_string(),
    }
}
