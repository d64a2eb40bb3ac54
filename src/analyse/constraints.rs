//! Author-stated constraints, checked against effective permissions:
//! `assert only` (E0202), `assert never` (E0203), `assert exclusive`
//! (E0201), and cardinality rules broken by implications (E0204).

use super::chain::{add_labels, step_labels, Explainer};
use super::{may_hold, name_list};
use crate::compile::BitSet;
use crate::diagnostic::Diagnostic;
use crate::resolve::{Assertion, Cardinality, PermId, RoleId};
use crate::span::Span;
use std::collections::HashMap;

/// Every constraint violation.
pub(super) fn check(ex: &Explainer<'_>) -> Vec<Diagnostic> {
    let model = ex.model;
    let may: Vec<BitSet> = (0..model.roles.len())
        .map(|r| may_hold(model, ex.compiled, RoleId::from_index(r)))
        .collect();
    let mut out = Vec::new();
    for assertion in &model.assertions {
        // The diagnostic cap stops the work: past it, no more are built.
        if out.len() > crate::limits::MAX_DIAGNOSTICS {
            break;
        }
        match assertion {
            Assertion::Only { roles, perm, span } => {
                out.extend(only(ex, &may, roles, *perm, *span));
            }
            Assertion::Never { role, perm, span } => {
                out.extend(never(ex, &may, *role, *perm, *span));
            }
            Assertion::Exclusive { roles, span } => out.extend(exclusive(ex, roles, *span)),
        }
    }
    for rule in &model.cardinalities {
        if out.len() > crate::limits::MAX_DIAGNOSTICS {
            break;
        }
        out.extend(cardinality(ex, rule));
    }
    out
}

fn holds(may: &[BitSet], role: RoleId, perm: PermId) -> bool {
    may.get(role.index())
        .is_some_and(|s| s.contains(perm.index()))
}

/// A note when the permission is held only where a configurable grant is on.
fn configurable_note(ex: &Explainer<'_>, role: RoleId, perm: PermId) -> Option<String> {
    let always = ex.compiled.holds(role, perm);
    (!always).then(|| {
        format!(
            "`{}` holds `{}` where a configurable grant is switched on; the assertion covers every setting",
            ex.model.role_name(role),
            ex.model.perm_name(perm)
        )
    })
}

fn with_chain(ex: &Explainer<'_>, d: Diagnostic, role: RoleId, perm: PermId) -> Diagnostic {
    let labels = ex
        .explain(role, perm)
        .map(|c| super::chain::perm_labels(ex.model, &c))
        .unwrap_or_default();
    let d = add_labels(d, ex.model.file, labels);
    match configurable_note(ex, role, perm) {
        Some(note) => d.note(note),
        None => d,
    }
}

/// `assert only ROLES can PERM`: only the listed roles may hold PERM. A role
/// that holds it by including or implying a listed role is another role
/// holding it, and must be listed too.
fn only(
    ex: &Explainer<'_>,
    may: &[BitSet],
    allowed: &[RoleId],
    perm: PermId,
    span: Span,
) -> Vec<Diagnostic> {
    let model = ex.model;
    let list = name_list(allowed.iter().map(|&r| model.role_name(r)), 6);
    let p = model.perm_name(perm);
    (0..model.roles.len())
        .map(RoleId::from_index)
        .filter(|r| !allowed.contains(r) && holds(may, *r, perm))
        .map(|r| {
            let name = model.role_name(r);
            let d = Diagnostic::error("E0202", format!("`{name}` holds `{p}`, but only {list} may"))
                .primary(model.file, span, format!("only {list} may hold `{p}`"));
            with_chain(ex, d, r, perm).help(format!(
                "list `{name}` in the assertion if it may hold `{p}`; otherwise remove the grant, include or implication that gives it"
            ))
        })
        .collect()
}

/// `assert ROLE never PERM`.
fn never(
    ex: &Explainer<'_>,
    may: &[BitSet],
    role: RoleId,
    perm: PermId,
    span: Span,
) -> Option<Diagnostic> {
    if !holds(may, role, perm) {
        return None;
    }
    let model = ex.model;
    let name = model.role_name(role);
    let p = model.perm_name(perm);
    let d = Diagnostic::error(
        "E0203",
        format!("`{name}` holds `{p}`, which it must never hold"),
    )
    .primary(model.file, span, format!("`{name}` must never hold `{p}`"));
    Some(
        with_chain(ex, d, role, perm)
            .help("remove the grant, include or implication that gives it"),
    )
}

fn reaches(ex: &Explainer<'_>, from: RoleId, to: RoleId) -> bool {
    ex.compiled
        .role(from)
        .is_some_and(|r| r.reaches.contains(to.index()))
}

/// `assert exclusive A, B, …`: no role reaches two of them. Reported at the
/// roles where the two chains meet, not at every role above them.
fn exclusive(ex: &Explainer<'_>, roles: &[(RoleId, Span)], span: Span) -> Vec<Diagnostic> {
    let model = ex.model;
    let mut out = Vec::new();
    for x in (0..model.roles.len()).map(RoleId::from_index) {
        let hits: Vec<RoleId> = roles
            .iter()
            .map(|(r, _)| *r)
            .filter(|&r| reaches(ex, x, r))
            .collect();
        for (i, &a) in hits.iter().enumerate() {
            for &b in hits.iter().skip(i + 1) {
                let derived = ex.compiled.role(x).is_some_and(|rx| {
                    rx.reaches
                        .iter()
                        .map(RoleId::from_index)
                        .any(|y| y != x && reaches(ex, y, a) && reaches(ex, y, b))
                });
                if derived {
                    continue;
                }
                out.push(exclusive_diag(ex, x, a, b, span));
            }
        }
    }
    out
}

fn exclusive_diag(ex: &Explainer<'_>, x: RoleId, a: RoleId, b: RoleId, span: Span) -> Diagnostic {
    let model = ex.model;
    let file = model.file;
    let (xn, an, bn) = (model.role_name(x), model.role_name(a), model.role_name(b));
    let message = if x == a || x == b {
        let other = if x == a { bn } else { an };
        format!("`{xn}` reaches `{other}`, but they are mutually exclusive")
    } else {
        format!("`{xn}` reaches both `{an}` and `{bn}`, which are mutually exclusive")
    };
    let x_span = model.role(x).map(|r| r.span).unwrap_or_default();
    let mut d = Diagnostic::error("E0201", message).primary(
        file,
        x_span,
        format!("`{xn}` is declared here"),
    );
    for target in [a, b] {
        if let Some(path) = ex.role_path(x, target) {
            d = add_labels(d, file, step_labels(model, &path));
        }
    }
    d = d.secondary(
        file,
        span,
        format!("`{an}` and `{bn}` are declared mutually exclusive here"),
    );
    let above: Vec<&str> = (0..model.roles.len())
        .map(RoleId::from_index)
        .filter(|&w| w != x && reaches(ex, w, x))
        .map(|w| model.role_name(w))
        .collect();
    if !above.is_empty() {
        d = d.note(format!(
            "so do the roles that include or imply `{xn}`: {}",
            name_list(above, 8)
        ));
    }
    d.help(format!(
        "remove one of the includes or implications, so that `{xn}` reaches at most one of `{an}` and `{bn}`"
    ))
}

/// A cardinality rule broken by implications: a holder of X holds two roles
/// of the rule on every instance of its scope kind. Including a role
/// inherits its grants but does not hold it, so only chains ending in an
/// implication count.
fn cardinality(ex: &Explainer<'_>, rule: &Cardinality) -> Vec<Diagnostic> {
    let model = ex.model;
    let n = model.roles.len();
    let mut set = BitSet::with_capacity(n);
    rule.roles.iter().for_each(|r| set.insert(r.index()));
    // Cheap filter: roles reaching two roles of the rule.
    let candidate = |x: RoleId| {
        ex.compiled.role(x).is_some_and(|r| {
            r.reaches
                .iter()
                .filter(|&t| t != x.index() && set.contains(t))
                .nth(1)
                .is_some()
        })
    };
    let mut cache: HashMap<RoleId, Vec<RoleId>> = HashMap::new();
    let mut hits_of = |x: RoleId| -> Vec<RoleId> {
        cache
            .entry(x)
            .or_insert_with(|| {
                let implied = ex.implied_set(x);
                rule.roles
                    .iter()
                    .copied()
                    .filter(|t| implied.contains(t.index()))
                    .collect()
            })
            .clone()
    };
    let mut out = Vec::new();
    for x in (0..n).map(RoleId::from_index).filter(|&x| candidate(x)) {
        let hits = hits_of(x);
        if hits.len() < 2 {
            continue;
        }
        // Reported where the problem starts: skip X when a role it reaches
        // already makes its holders hold the same roles.
        let below: Vec<RoleId> = ex
            .compiled
            .role(x)
            .map(|r| {
                r.reaches
                    .iter()
                    .map(RoleId::from_index)
                    .filter(|&y| y != x)
                    .collect()
            })
            .unwrap_or_default();
        let derived = below.into_iter().filter(|&y| candidate(y)).any(|y| {
            let other = hits_of(y);
            hits.iter().all(|h| other.contains(h))
        });
        if !derived {
            out.push(cardinality_diag(ex, rule, x, &hits));
        }
    }
    out
}

fn cardinality_diag(
    ex: &Explainer<'_>,
    rule: &Cardinality,
    x: RoleId,
    hits: &[RoleId],
) -> Diagnostic {
    let model = ex.model;
    let file = model.file;
    let xn = model.role_name(x);
    let scope = model.scope_name(rule.scope);
    let kind = if rule.exactly { "exactly" } else { "at most" };
    let names = name_list(hits.iter().map(|&h| model.role_name(h)), 6);
    let x_span = model.role(x).map(|r| r.span).unwrap_or_default();
    let mut d = Diagnostic::error(
        "E0204",
        format!(
            "`{xn}` makes its holders hold {names} on every {scope}, breaking a cardinality rule"
        ),
    )
    .primary(
        file,
        x_span,
        format!("a holder of `{xn}` holds {} roles of the rule", hits.len()),
    );
    for &h in hits.iter().take(6) {
        if let Some(path) = ex.implied_path(x, h) {
            d = add_labels(d, file, step_labels(model, &path));
        }
    }
    d.secondary(
        file,
        rule.span,
        format!("{kind} one of these roles per {scope}"),
    )
    .note("including a role inherits its grants without holding it; implying a role holds it")
    .help(format!(
        "make `{xn}` imply (directly or through its includes) only one role of the rule"
    ))
}
