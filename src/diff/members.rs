//! The diff on real data (`rbacc diff --members FILE`): the membership data
//! is loaded against both policies and every user × permission × resource
//! is decided by each; the differences are who gains and who loses what.
//!
//! Each resource is checked for the permissions declared on its own scope
//! kind (a permission of an enclosing kind is checked on the enclosing
//! resource), matched by name across the two policies.

use crate::diagnostic::Report;
use crate::eval::{Authorizer, Explanation};
use crate::membership::Members;
use crate::Policy;
use serde::Serialize;
use std::collections::BTreeSet;

/// One user's access to one permission on one resource that changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberChange {
    /// The user.
    pub user: String,
    /// The permission.
    pub perm: String,
    /// The resource.
    pub resource: String,
    /// Why it is allowed (in NEW for a gain, in OLD for a loss).
    pub because: Option<String>,
}

/// The diff on membership data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MembersDiff {
    /// The membership file.
    pub file: String,
    /// How many (user, permission, resource) triples were decided.
    pub checked: usize,
    /// Allowed in NEW, denied in OLD.
    pub gained: Vec<MemberChange>,
    /// Allowed in OLD, denied in NEW.
    pub lost: Vec<MemberChange>,
}

/// Which policy the data failed to load against.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Side {
    /// The OLD policy.
    Old,
    /// The NEW policy.
    New,
}

/// One explanation as a line: steps joined by arrows, with locations.
pub fn explanation_text(e: &Explanation) -> String {
    e.steps
        .iter()
        .map(|s| match &s.location {
            Some(loc) => format!("{} ({loc})", s.text),
            None => s.text.clone(),
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Loads the data against both policies and compares every decision.
pub fn diff_members(
    old: &Policy,
    new: &Policy,
    name: &str,
    text: &str,
) -> Result<MembersDiff, (Side, Report)> {
    let old_members = Members::from_yaml(old, name, text)
        .map_err(|r| (Side::Old, r))?
        .with_source(text);
    let new_members = Members::from_yaml(new, name, text)
        .map_err(|r| (Side::New, r))?
        .with_source(text);
    let old_auth = Authorizer::new(old.clone(), old_members).map_err(|e| (Side::Old, e.into()))?;
    let new_auth = Authorizer::new(new.clone(), new_members).map_err(|e| (Side::New, e.into()))?;
    let kind_name = |auth: &Authorizer, res: &str| {
        let m = &auth.members;
        m.res_id(res)
            .and_then(|id| m.resource(id))
            .map(|r| auth.policy.model.scope_name(r.kind).to_string())
    };
    let perms_on = |auth: &Authorizer, kind: &str| -> Vec<String> {
        let model = &auth.policy.model;
        model
            .perms
            .iter()
            .filter(|p| model.scope_name(p.scope) == kind)
            .map(|p| p.name.clone())
            .collect()
    };
    let mut out = MembersDiff {
        file: name.to_string(),
        checked: 0,
        gained: Vec::new(),
        lost: Vec::new(),
    };
    let users: Vec<String> = new_auth.members.users.iter().map(String::from).collect();
    let resources: Vec<String> = new_auth
        .members
        .resources
        .iter()
        .map(|r| r.name.clone())
        .collect();
    for res in &resources {
        let new_kind = kind_name(&new_auth, res).unwrap_or_default();
        let old_kind = kind_name(&old_auth, res).unwrap_or_default();
        // Permissions of the resource's kind in either policy, NEW's order
        // first.
        let mut perms = perms_on(&new_auth, &new_kind);
        let seen: BTreeSet<String> = perms.iter().cloned().collect();
        perms.extend(
            perms_on(&old_auth, &old_kind)
                .into_iter()
                .filter(|p| !seen.contains(p)),
        );
        for user in &users {
            for perm in &perms {
                out.checked += 1;
                let old_q = old_auth.query(user, perm, res).ok();
                let new_q = new_auth.query(user, perm, res).ok();
                let was = old_q.as_ref().is_some_and(|q| old_auth.check(q));
                let now = new_q.as_ref().is_some_and(|q| new_auth.check(q));
                if was == now {
                    continue;
                }
                let because = if now {
                    new_q.map(|q| explanation_text(&new_auth.explain(&q)))
                } else {
                    old_q.map(|q| explanation_text(&old_auth.explain(&q)))
                };
                let change = MemberChange {
                    user: user.clone(),
                    perm: perm.clone(),
                    resource: res.clone(),
                    because,
                };
                if now {
                    out.gained.push(change);
                } else {
                    out.lost.push(change);
                }
            }
        }
    }
    Ok(out)
}
