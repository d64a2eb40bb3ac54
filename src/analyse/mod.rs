//! Stage 3: analysis of a resolved, compiled policy: author-stated
//! constraints (errors) and lints (warnings).

use crate::compile::Compiled;
use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::Model;
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
    let _ = compiled;
    let found: Vec<Diagnostic> = Vec::new();
    apply_levels(model, config, found)
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
