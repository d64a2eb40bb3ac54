//! rbacc: a declarative RBAC policy compiler and evaluator.
//!
//! The API, in the order a service uses it:
//!
//! - [`compile`] a policy's text into a [`Policy`] (or a [`Report`] of
//!   every diagnostic, located);
//! - load its membership data with [`Members::from_yaml`], or build it in
//!   code with [`MembersBuilder`] (the same checks and errors);
//! - make an [`Authorizer`] of the two ([`AuthorizerError`] when the data
//!   was loaded against another policy);
//! - intern a [`Query`] once with [`Authorizer::query`], then
//!   [`Authorizer::check`], [`Authorizer::explain`], and the many-answer
//!   questions `who_can` and `what_can`;
//! - [`presets`] holds the shipped policies, [`testing`] runs policy test
//!   files.
//!
//! Errors are data: [`Report`] (diagnostics with codes and spans, rendered
//! by the CLI), [`QueryError`], [`AuthorizerError`]; their enums are
//! `#[non_exhaustive]`. The stages of the pipeline are private modules;
//! the command-line tool, the integration tests, the benches and the fuzz
//! targets reach what they need of them through one seam, [`internals`],
//! hidden from this documentation and without any stability promise.
//!
//! The pipeline inside: source text → parse (pest) → resolve (symbol
//! tables, scope tree, role graph on petgraph) → analyse (constraints,
//! assertions, lints) → compile (bitsets of effective permissions) →
//! evaluation against membership data → rendering of diagnostics.
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
//! // cite the policy file; data steps cite the membership file, from
//! // positions kept at load (the text itself is not kept).
//! let why = authz.explain(&q);
//! assert_eq!(why.steps.len(), 3);
//! assert_eq!(why.steps[0].location.as_deref(), Some("members.yaml:4:33"));
//! assert!(why.steps[1].location.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod analyse;
mod compile;
pub mod diagnostic;
mod diff;
mod eval;
mod files;
mod fmt;
pub mod internals;
mod limits;
#[cfg(feature = "cli")]
mod lsp;
mod membership;
pub mod policy;
pub mod presets;
mod reference;
mod report;
mod resolve;
mod span;
mod suggest;
mod syntax;
pub mod testing;
mod text;

#[cfg(feature = "cli")]
mod cli;

pub use diagnostic::Report;
pub use eval::{Authorizer, AuthorizerError, Explanation, Query, QueryError, Step, StepKind};
pub use membership::{
    DataError, DataErrorKind, Members, MembersBuilder, Pos, ResId, ResourceRef, UserId,
};
pub use policy::{check, compile, compile_with, Policy};
pub use resolve::PermId;
