//! Stage 3: analysis of a resolved, compiled policy: author-stated
//! constraints (errors), privilege escalation and lints (warnings).
//!
//! Each analysis lives in its own module and returns diagnostics whose
//! secondary labels show the chain of includes, implications and grants
//! behind the finding ([`chain`]).

pub mod chain;
mod constraints;
pub mod escalation;
pub mod hidden;
mod lints;

use crate::compile::{BitSet, Compiled};
use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::{Model, RoleId};
use crate::syntax::ast::LintLevel;

/// Lint levels set from outside the policy (the command line); they override
/// the policy's own `lint` settings.
#[derive(Clone, Debug, Default)]
pub struct LintConfig {
    /// `(code, level)` pairs; later entries win.
    pub levels: Vec<(&'static str, LintLevel)>,
}

/// Runs every analysis and returns its diagnostics, lint levels applied.
pub fn analyse(model: &Model, compiled: &Compiled, config: &LintConfig) -> Vec<Diagnostic> {
    let explainer = chain::Explainer::new(model, compiled);
    let mut found: Vec<Diagnostic> = Vec::new();
    found.extend(constraints::check(&explainer));
    found.extend(escalation::check(&explainer));
    found.extend(lints::check(&explainer));
    apply_levels(model, config, found)
}

/// The permissions a role may hold: always, or where a configurable grant is
/// switched on; a group counts when each member may be held.
pub fn may_hold(model: &Model, compiled: &Compiled, role: RoleId) -> BitSet {
    let Some(r) = compiled.role(role) else {
        return BitSet::with_capacity(model.perms.len());
    };
    let mut set = r.always.clone();
    set.union_with(&r.configurable);
    close_groups(model, &mut set);
    set
}

/// Adds every grouped permission whose members are all in the set.
pub(crate) fn close_groups(model: &Model, set: &mut BitSet) {
    crate::compile::close_groups(model, set);
}

/// `` `a`, `b` and `c` ``, at most `max` names then "and N more".
fn name_list<'a>(names: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    let shown: Vec<&String> = names.iter().take(max).collect();
    let rest = names.len().saturating_sub(max);
    match (shown.as_slice(), rest) {
        ([], _) => String::new(),
        ([one], 0) => (*one).clone(),
        (many, 0) => {
            let (last, init) = many
                .split_last()
                .map_or((None, &[][..]), |(l, i)| (Some(l), i));
            let init: Vec<&str> = init.iter().map(|s| s.as_str()).collect();
            format!(
                "{} and {}",
                init.join(", "),
                last.map_or("", |l| l.as_str())
            )
        }
        (many, rest) => {
            let all: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
            format!("{} and {rest} more", all.join(", "))
        }
    }
}

/// Applies `lint` levels: `allow` drops a warning, `deny` makes it an error.
fn apply_levels(model: &Model, config: &LintConfig, found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    found
        .into_iter()
        .filter_map(|mut d| {
            if d.severity == Severity::Error {
                return Some(d);
            }
            let level = config
                .levels
                .iter()
                .rev()
                .find(|(c, _)| *c == d.code)
                .map(|(_, l)| *l)
                .or_else(|| {
                    model
                        .lints
                        .iter()
                        .rev()
                        .find(|l| l.code == d.code)
                        .map(|l| l.level)
                })
                .unwrap_or(LintLevel::Warn);
            match level {
                LintLevel::Allow => None,
                LintLevel::Warn => Some(d),
                LintLevel::Deny => {
                    d.severity = Severity::Error;
                    Some(d)
                }
            }
        })
        .collect()
}
