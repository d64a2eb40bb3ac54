//! Coverage: which role × permission cells of the matrix the cases
//! exercised.
//!
//! A cell is a role of a scope kind S and a top-level permission of S (a row
//! of `rbacc matrix`) that the role holds or may hold (a configurable
//! grant). A case exercises (role, row) when the queried user holds the role
//! on the queried resource or one enclosing it (explicitly, through a group,
//! a default, a bootstrap rule, an edition's fallback, an upgrade, or an
//! implication of such a role) and the case's permission is the row or one
//! of the finer permissions grouped under it. A `who_can` case exercises
//! the roles of every user.

use crate::eval::Authorizer;
use crate::membership::{ResId, UserId};
use crate::policy::Policy;
use crate::report::matrix::{self, Cell as MatrixCell};
use crate::resolve::{PermId, RoleId};
use serde::Serialize;
use std::collections::HashSet;

/// One cell of the matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// The scope kind.
    pub scope: String,
    /// The role.
    pub role: String,
    /// The permission (a matrix row).
    pub permission: String,
}

/// Coverage of one policy.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    /// The policy (`preset NAME` or its path).
    pub policy: String,
    /// Cells where the role holds or may hold the permission.
    pub cells: usize,
    /// Cells some case exercised.
    pub exercised: usize,
    /// Cells no case exercised, table by table, row by row.
    pub not_exercised: Vec<Cell>,
}

/// The top-level permission (matrix row) a permission is grouped under.
fn row_of(policy: &Policy, perm: PermId) -> PermId {
    let mut cur = perm;
    for _ in 0..policy.model.perms.len() {
        match policy.model.perm(cur).and_then(|p| p.parent) {
            Some(p) => cur = p,
            None => break,
        }
    }
    cur
}

/// The roles a user holds at a resource and the resources enclosing it,
/// with the roles they imply on contained scope kinds.
pub(crate) fn held_roles(authz: &Authorizer, user: UserId, res: ResId) -> Vec<RoleId> {
    let model = &authz.policy().model;
    let compiled = &authz.policy().compiled;
    let scope_of = |r: RoleId| model.role(r).map(|x| x.scope);
    let mut out: Vec<RoleId> = Vec::new();
    for r in authz.members().ancestors(res) {
        if let Some(e) = authz.members().entry(user, r) {
            for role in e.role_ids() {
                if !out.contains(&role) {
                    out.push(role);
                }
            }
        }
    }
    // Implications cross scope kinds (includes stay within one).
    let mut i = 0;
    while let Some(&r) = out.get(i) {
        for (from, to, _) in &compiled.edges {
            if *from == r && scope_of(*from) != scope_of(*to) && !out.contains(to) {
                out.push(*to);
            }
        }
        i += 1;
    }
    out
}

/// Records the cells a query exercises.
pub(crate) fn exercise(
    authz: &Authorizer,
    user: UserId,
    asked: ResId,
    perm: PermId,
    into: &mut HashSet<(RoleId, PermId)>,
) {
    let row = row_of(authz.policy(), perm);
    for role in held_roles(authz, user, asked) {
        into.insert((role, row));
    }
}

/// The coverage of `policy` given the exercised cells.
pub(crate) fn coverage(label: &str, policy: &Policy, done: &HashSet<(RoleId, PermId)>) -> Coverage {
    let model = &policy.model;
    let m = matrix::matrix(policy);
    let mut cells = 0;
    let mut exercised = 0;
    let mut not_exercised = Vec::new();
    for t in &m.tables {
        for row in &t.rows {
            let Some(perm) = model.perm_id(&row.permission) else {
                continue;
            };
            for (col, cell) in t.roles.iter().zip(&row.cells) {
                if *cell == MatrixCell::No {
                    continue;
                }
                let Some(role) = model.role_id(&col.id) else {
                    continue;
                };
                cells += 1;
                if done.contains(&(role, perm)) {
                    exercised += 1;
                } else {
                    not_exercised.push(Cell {
                        scope: t.scope.clone(),
                        role: col.id.clone(),
                        permission: row.permission.clone(),
                    });
                }
            }
        }
    }
    Coverage {
        policy: label.to_string(),
        cells,
        exercised,
        not_exercised,
    }
}
