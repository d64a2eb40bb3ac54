//! rbacc: a declarative RBAC policy compiler and evaluator.
//!
//! The pipeline: source text → [`syntax::parse`] (pest) → AST with spans →
//! [`resolve::resolve`] (symbol tables, scope tree, role graph on petgraph)
//! → [`analyse::analyse`] (constraints, assertions, lints) →
//! [`compile::compile`] (bitsets of effective permissions) → evaluation
//! against membership data → rendering ([`diagnostic`]).
//!
//! Embedding: compile once, load members once, check many. Names are
//! interned once per query by [`Authorizer::query`]; [`Authorizer::check`]
//! reads only ids and bits.
//!
//! ```
//! let source = r#"
//!     scope organization "Organization"
//!     scope workspace "Workspace" in organization
//!     permissions on organization {
//!       organization.workspaces.admin "Workspace Admin permissions to all Workspaces" {
//!         implies workspace_admin on every workspace
//!       }
//!     }
//!     permissions on workspace { workspace.view "View"  workspace.edit "Edit" }
//!     role owner on organization "Owner" { grant organization.workspaces.admin }
//!     role workspace_viewer on workspace "Viewer" { grant workspace.view }
//!     role workspace_admin on workspace "Admin" { include workspace_viewer  grant workspace.edit }
//! "#;
//! let data = r#"
//! users: [ana, ben]
//! resources:
//!   organization:acme: { roles: { ana: owner } }
//!   workspace:acme/prod: { roles: { ben: workspace_viewer } }
//! "#;
//! let policy = rbacc::compile("example.rbac", source)?;
//! let members = rbacc::Members::from_yaml(&policy, "members.yaml", data)?;
//! let authz = rbacc::Authorizer::new(policy, members)?;
//!
//! // Intern once, check many times.
//! let q = authz.query("ana", "workspace.edit", "workspace:acme/prod")?;
//! assert!(authz.check(&q)); // owner → implies workspace_admin → grants workspace.edit
//! assert!(!authz.is_allowed("ben", "workspace.edit", "workspace:acme/prod")?);
//!
//! // Unknown names are errors, never a silent deny or allow.
//! assert!(authz.query("eve", "workspace.view", "workspace:acme/prod").is_err());
//!
//! // Explanations carry the chain: binding → role → grant. Policy steps
//! // cite the policy file; data steps cite the membership file when the
//! // loaded data keeps its text (which costs the file's size in memory).
//! let why = authz.explain(&q);
//! assert_eq!(why.steps.len(), 3);
//! assert!(why.steps[0].location.is_none());
//! assert!(why.steps[1].location.is_some());
//!
//! let policy = authz.policy.clone();
//! let located = rbacc::Members::from_yaml(&policy, "members.yaml", data)?.with_source(data);
//! let authz = rbacc::Authorizer::new(policy, located)?;
//! let why = authz.explain(&q);
//! assert_eq!(why.steps[0].location.as_deref(), Some("members.yaml:4:33"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub mod analyse;
pub mod compile;
pub mod diagnostic;
pub mod diff;
pub mod fmt;
pub mod limits;
pub mod presets;
pub mod reference;
pub mod resolve;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod text;

pub use diagnostic::Report;
pub use eval::{Authorizer, AuthorizerError, Explanation, Query, QueryError};
pub use membership::Members;

use diagnostic::{Diagnostic, FileId, Sources};

/// A policy that parsed, resolved and passed analysis without errors.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The policy's name (its file name or preset name).
    pub name: String,
    /// The source text, for diagnostics and explanations.
    pub sources: Sources,
    /// The file of the policy within `sources`.
    pub file: FileId,
    /// The resolved model.
    pub model: resolve::Model,
    /// Effective permissions.
    pub compiled: compile::Compiled,
    /// Warnings found by analysis (errors prevent compilation).
    pub warnings: Vec<Diagnostic>,
    /// A fingerprint of the compiled form: membership data loaded against
    /// this policy records it, and [`Authorizer::new`] refuses data bound to
    /// another policy (ids of roles and permissions would not mean the same).
    pub fingerprint: u64,
}

/// A hash of everything the ids of a compiled policy mean: the resolved
/// model, positions included (the compiled bitsets follow from it). Stable
/// within one build of rbacc; not meant to be stored.
fn fingerprint(model: &resolve::Model) -> u64 {
    use std::hash::Hasher;
    struct HashWriter(std::collections::hash_map::DefaultHasher);
    impl std::fmt::Write for HashWriter {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.write(s.as_bytes());
            Ok(())
        }
    }
    let mut w = HashWriter(std::collections::hash_map::DefaultHasher::new());
    // Writing into a hasher cannot fail.
    let _ = std::fmt::write(&mut w, format_args!("{model:?}"));
    w.0.finish()
}

/// Checks a policy: every error and warning, in one report.
pub fn check(name: &str, source: &str) -> Report {
    match compile_with(name, source, &analyse::LintConfig::default()) {
        Ok(policy) => Report {
            sources: policy.sources,
            diagnostics: policy.warnings,
        },
        Err(report) => report,
    }
}

/// Compiles a policy; any error gives the full report instead.
pub fn compile(name: &str, source: &str) -> Result<Policy, Report> {
    compile_with(name, source, &analyse::LintConfig::default())
}

/// Compiles a policy with lint levels set from outside (the command line).
pub fn compile_with(
    name: &str,
    source: &str,
    lints: &analyse::LintConfig,
) -> Result<Policy, Report> {
    compile_uncapped(name, source, lints)
        .map(|mut policy| {
            policy.warnings = cap(std::mem::take(&mut policy.warnings));
            policy
        })
        .map_err(|mut report| {
            report.diagnostics = cap(std::mem::take(&mut report.diagnostics));
            report
        })
}

/// At most [`limits::MAX_DIAGNOSTICS`] diagnostics; the last one says how
/// many more there were.
fn cap(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let max = limits::MAX_DIAGNOSTICS;
    if diagnostics.len() > max {
        let more = diagnostics.len() - max;
        let errors = diagnostics
            .iter()
            .skip(max)
            .filter(|d| d.is_error())
            .count();
        diagnostics.truncate(max);
        note_more(&mut diagnostics, more, errors);
    }
    diagnostics
}

/// For errors of which only the first were built: the note on the last
/// reported one (every parse and resolve diagnostic is an error).
/// The report of a stage that failed: only the diagnostics that will be
/// shown are built (the rest are counted, see [`pad_count`]).
fn refusal<E>(sources: Sources, errors: &[E], render: impl Fn(&E) -> Diagnostic) -> Report {
    let shown = errors.len().min(limits::MAX_DIAGNOSTICS + 1);
    let mut diagnostics: Vec<Diagnostic> = errors.iter().take(shown).map(render).collect();
    pad_count(&mut diagnostics, errors.len());
    Report {
        sources,
        diagnostics,
    }
}

fn pad_count(diagnostics: &mut Vec<Diagnostic>, total: usize) {
    let max = limits::MAX_DIAGNOSTICS;
    if total > max {
        diagnostics.truncate(max);
        note_more(diagnostics, total - max, total - max);
    }
}

fn note_more(diagnostics: &mut Vec<Diagnostic>, more: usize, errors: usize) {
    let max = limits::MAX_DIAGNOSTICS;
    if let Some(last) = diagnostics.pop() {
        diagnostics.push(last.note(format!(
            "{more} more diagnostics ({errors} errors) not shown: at most {max} are reported per file"
        )));
    }
}

fn compile_uncapped(
    name: &str,
    source: &str,
    lints: &analyse::LintConfig,
) -> Result<Policy, Report> {
    let mut sources = Sources::new();
    let file = sources.add(name, source);
    let ast = match syntax::parse(source) {
        Ok(ast) => ast,
        Err(errors) => return Err(refusal(sources, &errors, |e| e.to_diagnostic(file))),
    };
    let (model, errors) = resolve::resolve(&ast, file);
    if !errors.is_empty() {
        return Err(refusal(sources, &errors, |e| e.to_diagnostic(file)));
    }
    let compiled = compile::compile(&model);
    let fingerprint = fingerprint(&model);
    let mut diagnostics = analyse::analyse(&model, &compiled, lints);
    diagnostics.sort_by_key(|d| d.severity);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(Report {
            sources,
            diagnostics,
        });
    }
    Ok(Policy {
        name: model
            .policy
            .as_ref()
            .map_or_else(|| name.to_string(), |p| p.0.clone()),
        sources,
        file,
        model,
        compiled,
        warnings: diagnostics,
        fingerprint,
    })
}
#[cfg(feature = "cli")]
pub mod cli;
pub mod eval;
pub mod membership;
pub mod report;
pub mod testing;
