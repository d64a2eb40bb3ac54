//! The workload in casbin (RBAC with domains). Domains are organizations
//! (`o3`) and workspaces (`o3/w7`); a request names the user, the
//! resource's organization, the resource's domain and the permission.
//!
//! - `p, ROLE, PERMISSION`: what each role grants itself;
//! - `g, USER, ROLE, DOMAIN`: a binding;
//! - `g, STRONGER, WEAKER, DOMAIN`: role inheritance, declared in every
//!   domain (casbin's role links are per domain), including, in each
//!   organization domain, `organization_owner → workspace_admin`: a
//!   request on a workspace also asks the organization's domain, so an owner
//!   holds Workspace Admin in every workspace of the organization.
//!
//! Casbin's domain pattern matching (`add_domain_matching_fn` with `*`) was
//! not used: it makes every `g()` call scan all domains (thousands here).

use crate::workload::{org_path, user_name, OrgRole, Query, Target, Workload, WsRole, PERMS};
use casbin::{CoreApi, DefaultModel, Enforcer, MemoryAdapter};

/// The model.
pub const MODEL: &str = r#"
[request_definition]
r = sub, org, dom, act

[policy_definition]
p = sub, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && (g(r.sub, p.sub, r.dom) || g(r.sub, p.sub, r.org))
"#;

/// Casbin's in-memory input: the model text and the rules.
pub struct CasbinInput {
    /// Model text.
    pub model: String,
    /// `p` rules.
    pub p: Vec<Vec<String>>,
    /// `g` rules.
    pub g: Vec<Vec<String>>,
}

fn rule(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Builds the model and rules of a workload.
pub fn input(w: &Workload) -> CasbinInput {
    let p = &w.params;
    let mut prules = vec![rule(&["organization_member", PERMS[6]])];
    prules.push(rule(&["organization_owner", PERMS[7]]));
    prules.push(rule(&["organization_owner", PERMS[8]]));
    for r in WsRole::ALL {
        for perm in r.own_perms() {
            prules.push(rule(&[r.name(), PERMS[perm]]));
        }
    }
    let hierarchy = [
        ("workspace_admin", "workspace_editor"),
        ("workspace_editor", "workspace_viewer"),
    ];
    let mut g = Vec::new();
    for o in 0..p.orgs {
        let op = org_path(o);
        for (a, b) in hierarchy {
            g.push(rule(&[a, b, &op]));
        }
        g.push(rule(&["organization_owner", "organization_member", &op]));
        g.push(rule(&["organization_owner", "workspace_admin", &op]));
        for j in 0..p.ws_per_org {
            let wp = w.ws_path(o * p.ws_per_org + j);
            for (a, b) in hierarchy {
                g.push(rule(&[a, b, &wp]));
            }
        }
    }
    for (u, (&o, &role)) in w.user_org.iter().zip(&w.user_org_role).enumerate() {
        let r = match role {
            OrgRole::Member => "organization_member",
            OrgRole::Owner => "organization_owner",
        };
        g.push(rule(&[&user_name(u as u32), r, &org_path(o)]));
    }
    for &(u, ws, r) in &w.ws_bindings {
        g.push(rule(&[&user_name(u), r.name(), &w.ws_path(ws)]));
    }
    CasbinInput {
        model: MODEL.to_string(),
        p: prules,
        g,
    }
}

/// The casbin engine after set-up.
pub struct Casbin {
    enforcer: Enforcer,
    ws_per_org: u32,
}

/// A prepared casbin request: (sub, org, dom, act).
pub type CasbinQuery = (String, String, String, &'static str);

/// Set-up: parse the model, load the rules through a memory adapter, build
/// the role links.
pub fn setup(input: CasbinInput, w: &Workload) -> Result<Casbin, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| e.to_string())?;
    let enforcer = rt.block_on(async move {
        use casbin::Adapter;
        let model = DefaultModel::from_str(&input.model)
            .await
            .map_err(|e| e.to_string())?;
        let mut adapter = MemoryAdapter::default();
        adapter
            .add_policies("p", "p", input.p)
            .await
            .map_err(|e| e.to_string())?;
        adapter
            .add_policies("g", "g", input.g)
            .await
            .map_err(|e| e.to_string())?;
        Enforcer::new(model, adapter)
            .await
            .map_err(|e| e.to_string())
    })?;
    Ok(Casbin {
        enforcer,
        ws_per_org: w.params.ws_per_org,
    })
}

impl Casbin {
    /// Prepares a request (strings built once, outside the timed check).
    pub fn prepare(&self, q: &Query) -> CasbinQuery {
        let (org, dom) = match q.target {
            Target::Org(o) => (org_path(o), org_path(o)),
            Target::Ws(ws) => {
                let o = ws / self.ws_per_org;
                (org_path(o), format!("o{o}/w{}", ws % self.ws_per_org))
            }
        };
        (user_name(q.user), org, dom, q.perm_name())
    }

    /// The check, reporting casbin's errors (for the cross-check).
    pub fn try_check(&self, q: &CasbinQuery) -> Result<bool, String> {
        self.enforcer
            .enforce((q.0.as_str(), q.1.as_str(), q.2.as_str(), q.3))
            .map_err(|e| e.to_string())
    }

    /// The check. Casbin takes its arguments by value: the request strings
    /// are borrowed (`&str` tuples), which casbin then converts internally.
    #[inline]
    pub fn check(&self, q: &CasbinQuery) -> bool {
        self.enforcer
            .enforce((q.0.as_str(), q.1.as_str(), q.2.as_str(), q.3))
            .unwrap_or(false)
    }
}
