//! Implications added or removed: `imply ROLE on every SCOPE` in a role
//! (a permission's `implies` is reported at the grant that carries it, by
//! `roles.rs`). Most of them change
//! what holders may do, and `roles.rs` reports them at this line with the
//! permissions gained or lost. One that changes only which roles holders
//! hold (the implied role grants nothing they lack) is reported here, once,
//! at its line, as changing no access: decisions stay the same, the roles
//! held and their explanations change.

use super::roles::Names;
use super::{Changes, Effect, Side};
use crate::policy::Policy;
use crate::resolve::{Implied, Model};

/// The target names of a list of implications.
fn targets<'m>(model: &'m Model, list: &[Implied]) -> Vec<&'m str> {
    list.iter().map(|i| model.role_name(i.role)).collect()
}

fn scope_of<'m>(model: &'m Model, i: &Implied) -> &'m str {
    model.role(i.role).map_or("", |r| model.scope_name(r.scope))
}

fn written(side: Side) -> &'static str {
    match side {
        Side::New => "new",
        Side::Old => "removed",
    }
}

/// Every implication of `this` that `other` lacks, as a change on `side`
/// (once at its line; a consequence only if `roles.rs` gave it none).
fn one_side(this: &Policy, other: &Names<'_>, side: Side, changes: &mut Changes) {
    let (tm, om) = (&this.model, &other.policy.model);
    let verb = match side {
        Side::New => "now also hold",
        Side::Old => "no longer hold",
    };
    for role in &tm.roles {
        let Some(orole) = other.role(&role.name).and_then(|r| om.role(r)) else {
            continue;
        };
        let theirs = targets(om, &orole.implies);
        for imp in role.implies.iter() {
            let to = tm.role_name(imp.role);
            if theirs.contains(&to) {
                continue;
            }
            let scope = scope_of(tm, imp);
            let from = role.name.as_str();
            let change = changes.at("imply", side, imp.span, || {
                format!(
                    "`{from}` implies `{to}` on every {scope} ({})",
                    written(side)
                )
            });
            if change.consequences.is_empty() {
                change.push(
                    Effect::Neutral,
                    format!(
                        "holders of `{from}` {verb} `{to}` on every `{scope}`; no permission gained or lost is due to this line"
                    ),
                    vec![from.to_string(), to.to_string()],
                    Vec::new(),
                );
            }
        }
    }
}

/// Implications added (at their line in NEW) and removed (in OLD).
pub(crate) fn implication_changes(old: &Policy, new: &Policy, changes: &mut Changes) {
    let (on, nn) = (Names::new(old), Names::new(new));
    one_side(new, &on, Side::New, changes);
    one_side(old, &nn, Side::Old, changes);
}
