//! The rbacc adapter: the only file that touches rbacc's API.

use crate::workload::{Query, Workload};
use std::path::Path;

/// Formats an rbacc error.
fn err<E: std::fmt::Debug>(what: &str, e: E) -> String {
    format!("{what}: {e:?}")
}

/// The rbacc engine after set-up.
pub struct Rbacc {
    authz: rbacc::Authorizer,
    /// The YAML text, when kept beside the data (`keep_source`).
    _text: Option<String>,
}

/// A prepared rbacc query.
pub type RbaccQuery = rbacc::Query;

/// Compiles a policy (the compile-time series).
pub fn compile(policy: &str) -> Result<rbacc::Policy, String> {
    rbacc::compile("bench.rbac", policy).map_err(|e| err("compile", e))
}

/// Compiles the policy and loads the membership YAML from text.
pub fn setup_from_text(policy: &str, yaml: &str) -> Result<Rbacc, String> {
    load(compile(policy)?, yaml)
}

/// Loads membership YAML into an already compiled policy (the load-time
/// series). Returns the authorizer so that nothing is optimized away.
pub fn load(policy: rbacc::Policy, yaml: &str) -> Result<Rbacc, String> {
    let members =
        rbacc::Members::from_yaml(&policy, "members.yaml", yaml).map_err(|e| err("members", e))?;
    Ok(Rbacc {
        authz: rbacc::Authorizer::new(policy, members).map_err(|e| err("authorizer", e))?,
        _text: None,
    })
}

/// Set-up from files: read the policy and the YAML, compile, load; with
/// `keep_source`, the YAML text is kept beside the loaded data (what a
/// service that keeps its file in memory holds).
pub fn setup_from_files(policy: &Path, yaml: &Path, keep_source: bool) -> Result<Rbacc, String> {
    let policy = std::fs::read_to_string(policy).map_err(|e| err("read policy", e))?;
    let yaml = std::fs::read_to_string(yaml).map_err(|e| err("read members", e))?;
    let r = setup_from_text(&policy, &yaml)?;
    if !keep_source {
        return Ok(r);
    }
    Ok(Rbacc {
        _text: Some(yaml),
        ..r
    })
}

impl Rbacc {
    /// Prepares (interns) a query.
    pub fn prepare(&self, q: &Query, w: &Workload) -> Result<RbaccQuery, String> {
        let user = crate::workload::user_name(q.user);
        self.authz
            .query(&user, q.perm_name(), &q.resource_id(w))
            .map_err(|e| err("query", e))
    }

    /// The check.
    #[inline]
    pub fn check(&self, q: &RbaccQuery) -> bool {
        self.authz.check(q)
    }

    /// The batch API: decides `qs` into `out`; returns how many are allowed.
    #[inline]
    pub fn check_batch(&self, qs: &[RbaccQuery], out: &mut Vec<bool>) -> usize {
        self.authz.check_batch(qs, out);
        out.iter().filter(|a| **a).count()
    }

    /// The convenience path: names in, decision out.
    pub fn is_allowed(&self, q: &Query, w: &Workload) -> Result<bool, String> {
        let user = crate::workload::user_name(q.user);
        self.authz
            .is_allowed(&user, q.perm_name(), &q.resource_id(w))
            .map_err(|e| err("is_allowed", e))
    }

    /// The convenience path on prepared names (errors count as deny).
    #[inline]
    pub fn is_allowed_names(&self, user: &str, perm: &str, resource: &str) -> bool {
        self.authz.is_allowed(user, perm, resource).unwrap_or(false)
    }
}
