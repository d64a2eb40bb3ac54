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

pub mod analyse;
pub mod compile;
pub mod diagnostic;
pub mod diff;
pub mod fmt;
pub mod limits;
#[cfg(feature = "cli")]
pub mod lsp;
pub mod policy;
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
pub use policy::{check, compile, compile_with, Policy};

#[cfg(feature = "cli")]
pub mod cli;
pub mod eval;
pub mod membership;
pub mod report;
pub mod testing;
