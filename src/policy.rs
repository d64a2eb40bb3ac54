//! A compiled policy, and the pipeline that makes one: parse → resolve →
//! compile → analyse, every diagnostic of a stage reported at once.

use crate::diagnostic::{Diagnostic, FileId, Report, Sources};
use crate::resolve::PermId;
use crate::{analyse, compile as compile_stage, limits, resolve, syntax};

/// A policy that parsed, resolved and passed analysis without errors.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The policy's name (its file name or preset name).
    pub(crate) name: String,
    /// The source text, for diagnostics and explanations.
    pub(crate) sources: Sources,
    /// The file of the policy within `sources`.
    pub(crate) file: FileId,
    /// The resolved model.
    pub(crate) model: resolve::Model,
    /// Effective permissions.
    pub(crate) compiled: compile_stage::Compiled,
    /// Warnings found by analysis (errors prevent compilation).
    pub(crate) warnings: Vec<Diagnostic>,
    /// A fingerprint of the compiled form: membership data loaded against
    /// this policy records it, and [`Authorizer::new`](crate::Authorizer::new) refuses data bound to
    /// another policy (ids of roles and permissions would not mean the same).
    pub(crate) fingerprint: u64,
}

impl Policy {
    /// The policy's name: its `policy` declaration, else the name it was
    /// compiled under (a file name or preset name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The source text, for rendering diagnostics against it.
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// Warnings found by analysis (errors prevent compilation).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The warnings as a report, rendered against the policy's text.
    pub fn warning_report(&self) -> Report {
        Report {
            sources: self.sources.clone(),
            diagnostics: self.warnings.clone(),
        }
    }

    /// A fingerprint of the compiled form: membership data loaded against
    /// this policy records it, and [`Authorizer::new`](crate::Authorizer::new)
    /// refuses data bound to another policy (ids of roles and permissions
    /// would not mean the same). Stable within one build of rbacc; not
    /// meant to be stored.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The permissions, in declaration order (a [`PermId`]'s index).
    pub fn permissions(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.model.perms.iter().map(|p| p.name.as_str())
    }

    /// A permission's name (`""` for an id of another policy).
    pub fn perm_name(&self, id: PermId) -> &str {
        self.model
            .perms
            .get(id.index())
            .map_or("", |p| p.name.as_str())
    }

    /// The roles, in declaration order.
    pub fn roles(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.model.roles.iter().map(|r| r.name.as_str())
    }
}

/// A hash of everything the ids of a compiled policy mean: the resolved
/// model, positions included (the compiled bitsets follow from it). Stable
/// within one build of rbacc; not meant to be stored.
pub(crate) fn fingerprint(model: &resolve::Model) -> u64 {
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
    // Hidden characters first: reported even when the file has errors.
    let hidden = analyse::hidden::policy(source, file, lints);
    let with_hidden = |mut report: Report| {
        let rest = std::mem::replace(&mut report.diagnostics, hidden.clone());
        report.diagnostics.extend(rest);
        report
    };
    let ast = match syntax::parse(source) {
        Ok(ast) => ast,
        Err(errors) => {
            return Err(with_hidden(refusal(sources, &errors, |e| {
                e.to_diagnostic(file)
            })))
        }
    };
    let (model, errors) = resolve::resolve(&ast, file);
    if !errors.is_empty() {
        return Err(with_hidden(refusal(sources, &errors, |e| {
            e.to_diagnostic(file)
        })));
    }
    let compiled = compile_stage::compile(&model);
    let fingerprint = fingerprint(&model);
    let mut diagnostics = hidden;
    diagnostics.extend(analyse::analyse(&model, &compiled, lints));
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
