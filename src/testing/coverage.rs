//! Coverage: which role × permission cells of the matrix the cases
//! exercised.
//!
//! The cells are those of `rbacc matrix`: a role (of the table's scope
//! kind, or of an enclosing kind that reaches it, a "via" column) and a
//! top-level permission of the table's kind (a row). A **grant cell** is one
//! the role holds or may hold (a configurable grant); a **deny cell** is one
//! it does not hold.
//!
//! A case touches (role, row) when the queried user holds the role on the
//! queried resource or one enclosing it (explicitly, through a group, a
//! default, a bootstrap rule, an edition's fallback, an upgrade, or an
//! implication of such a role) and the case's permission is the row or one
//! of the finer permissions grouped under it. A grant cell is exercised by
//! any case that touches it; a deny cell by a case that touches it and is
//! denied (the decision shows the role does not give the permission). A
//! `who_can` case touches the roles of every user, and is denied for those
//! it does not list.

use crate::eval::Authorizer;
use crate::membership::{ResId, UserId};
use crate::policy::Policy;
use crate::report::matrix::{self, Cell as MatrixCell};
use crate::resolve::{PermId, RoleId};
use serde::Serialize;
use std::collections::HashSet;

/// One cell of the matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Cell {
    /// The scope kind of the table.
    pub scope: String,
    /// The role.
    pub role: String,
    /// For a role of an enclosing kind, that kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// The permission (a matrix row).
    pub permission: String,
}

impl Cell {
    fn text(&self) -> String {
        let via = self
            .via
            .as_ref()
            .map(|k| format!(" via {k}"))
            .unwrap_or_default();
        format!("{} × {} ({}{via})", self.role, self.permission, self.scope)
    }
}

/// Coverage of one policy.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct Coverage {
    /// The policy (`preset NAME` or its path).
    pub policy: String,
    /// Grant cells: the role holds or may hold the permission (those of
    /// "via" columns included).
    pub cells: usize,
    /// Grant cells some case exercised.
    pub exercised: usize,
    /// Grant cells no case exercised, table by table, row by row.
    pub not_exercised: Vec<Cell>,
    /// Deny cells: the role does not hold the permission.
    pub deny_cells: usize,
    /// Deny cells some denied case exercised.
    pub deny_exercised: usize,
    /// Deny cells no denied case exercised.
    pub deny_not_exercised: Vec<Cell>,
}

impl Coverage {
    /// Exercised cells of both kinds, as a percentage of all cells (100
    /// for a policy without cells).
    pub fn percent(&self) -> f64 {
        let all = self.cells + self.deny_cells;
        if all == 0 {
            return 100.0;
        }
        (self.exercised + self.deny_exercised) as f64 * 100.0 / all as f64
    }

    /// The human report: the figures, then each cell no case exercised.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "coverage of {}: {} of {} grant cells and {} of {} deny cells exercised ({:.1}% of {} role × permission cells)\n",
            self.policy,
            self.exercised,
            self.cells,
            self.deny_exercised,
            self.deny_cells,
            self.percent(),
            self.cells + self.deny_cells
        );
        for c in &self.not_exercised {
            out.push_str(&format!("  not exercised: {}\n", c.text()));
        }
        for c in &self.deny_not_exercised {
            out.push_str(&format!("  deny not exercised: {}\n", c.text()));
        }
        out
    }
}

/// The (role, row) cells cases touched, and those a denied case touched.
#[derive(Clone, Debug, Default)]
pub(crate) struct Exercised {
    touched: HashSet<(RoleId, PermId)>,
    denied: HashSet<(RoleId, PermId)>,
}

impl Exercised {
    /// Adds what another run exercised.
    pub(crate) fn extend(&mut self, other: Exercised) {
        self.touched.extend(other.touched);
        self.denied.extend(other.denied);
    }
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
    into: &mut Exercised,
) {
    let row = row_of(authz.policy(), perm);
    let denied = authz
        .query(
            authz.members().user_name(user),
            authz.policy().model.perm_name(perm),
            authz.members().res_name(asked),
        )
        .is_ok_and(|q| !authz.check(&q));
    for role in held_roles(authz, user, asked) {
        into.touched.insert((role, row));
        if denied {
            into.denied.insert((role, row));
        }
    }
}

/// The coverage of `policy` given the exercised cells.
pub(crate) fn coverage(label: &str, policy: &Policy, done: &Exercised) -> Coverage {
    let model = &policy.model;
    let m = matrix::matrix(policy);
    let mut out = Coverage {
        policy: label.to_string(),
        cells: 0,
        exercised: 0,
        not_exercised: Vec::new(),
        deny_cells: 0,
        deny_exercised: 0,
        deny_not_exercised: Vec::new(),
    };
    for t in &m.tables {
        for row in &t.rows {
            let Some(perm) = model.perm_id(&row.permission) else {
                continue;
            };
            for (col, cell) in t.roles.iter().zip(&row.cells) {
                let Some(role) = model.role_id(&col.id) else {
                    continue;
                };
                let c = || Cell {
                    scope: t.scope.clone(),
                    role: col.id.clone(),
                    via: col.via.clone(),
                    permission: row.permission.clone(),
                };
                if *cell == MatrixCell::No {
                    out.deny_cells += 1;
                    if done.denied.contains(&(role, perm)) {
                        out.deny_exercised += 1;
                    } else {
                        out.deny_not_exercised.push(c());
                    }
                } else {
                    out.cells += 1;
                    if done.touched.contains(&(role, perm)) {
                        out.exercised += 1;
                    } else {
                        out.not_exercised.push(c());
                    }
                }
            }
        }
    }
    out
}
