//! The workload in cedar-policy 4.x, written the way the Cedar docs model
//! RBAC: roles are entities, users are members of role entities (entity
//! parents), role entities are members of weaker role entities (inheritance),
//! and a handful of static policies say `principal in resource.<role group>`.
//!
//! - `User::"u5"` has parents `Role::"o0#member"`, `Role::"o0/w3#editor"`, …
//! - `Role::"o0/w3#admin"` ∈ `Role::"o0/w3#editor"` ∈ `Role::"o0/w3#viewer"`
//! - `Role::"o0#owner"` ∈ `Role::"o0#member"` and ∈ `Role::"o0/wJ#admin"`
//!   for every workspace J of the organization (Owner implies Workspace Admin)
//! - `Workspace::"o0/w3"` (parent `Organization::"o0"`) has attributes
//!   `viewers`, `editors`, `admins`; `Organization::"o0"` has `members`,
//!   `owners`.

use crate::workload::{org_path, user_name, Query, Target, Workload, WsRole, PERMS};
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression,
};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// The static policies.
pub const POLICIES: &str = r#"
permit (
  principal,
  action in [Action::"workspace.view", Action::"workspace.dags.view"],
  resource is Workspace
) when { principal in resource.viewers };

permit (
  principal,
  action in [Action::"workspace.edit", Action::"workspace.code.push"],
  resource is Workspace
) when { principal in resource.editors };

permit (
  principal,
  action in [Action::"workspace.admin", Action::"workspace.members.update"],
  resource is Workspace
) when { principal in resource.admins };

permit (
  principal,
  action == Action::"organization.view",
  resource is Organization
) when { principal in resource.members };

permit (
  principal,
  action in [Action::"organization.members.update", Action::"organization.workspaces.admin"],
  resource is Organization
) when { principal in resource.owners };
"#;

/// Entity type names, parsed once.
#[derive(Clone)]
pub struct Types {
    user: EntityTypeName,
    role: EntityTypeName,
    workspace: EntityTypeName,
    organization: EntityTypeName,
    action: EntityTypeName,
}

impl Types {
    /// Parses the type names.
    pub fn new() -> Result<Self, String> {
        let t = |s: &str| EntityTypeName::from_str(s).map_err(|e| e.to_string());
        Ok(Types {
            user: t("User")?,
            role: t("Role")?,
            workspace: t("Workspace")?,
            organization: t("Organization")?,
            action: t("Action")?,
        })
    }

    fn uid(&self, ty: &EntityTypeName, id: &str) -> EntityUid {
        EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(id))
    }
}

fn ws_role_id(path: &str, r: WsRole) -> String {
    let suffix = match r {
        WsRole::Viewer => "viewer",
        WsRole::Editor => "editor",
        WsRole::Admin => "admin",
    };
    format!("{path}#{suffix}")
}

/// Cedar's in-memory input: the policy text and the entities (built, not yet
/// indexed). Building this is not part of the timed set-up.
pub struct CedarInput {
    /// Policy text.
    pub policies: String,
    /// All entities.
    pub entities: Vec<Entity>,
}

/// Builds the entities of a workload.
pub fn input(w: &Workload) -> Result<CedarInput, String> {
    let t = Types::new()?;
    let p = &w.params;
    let mut entities = Vec::new();
    let entity = |uid: EntityUid,
                  attrs: Vec<(&str, EntityUid)>,
                  parents: HashSet<EntityUid>|
     -> Result<Entity, String> {
        let attrs: HashMap<String, RestrictedExpression> = attrs
            .into_iter()
            .map(|(k, v)| (k.to_string(), RestrictedExpression::new_entity_uid(v)))
            .collect();
        Entity::new(uid, attrs, parents).map_err(|e| e.to_string())
    };
    // Users.
    let mut user_parents: Vec<HashSet<EntityUid>> = vec![HashSet::new(); p.users as usize];
    for (u, (&o, &role)) in w.user_org.iter().zip(&w.user_org_role).enumerate() {
        let id = match role {
            crate::workload::OrgRole::Member => format!("{}#member", org_path(o)),
            crate::workload::OrgRole::Owner => format!("{}#owner", org_path(o)),
        };
        user_parents[u].insert(t.uid(&t.role, &id));
    }
    for &(u, ws, r) in &w.ws_bindings {
        user_parents[u as usize].insert(t.uid(&t.role, &ws_role_id(&w.ws_path(ws), r)));
    }
    for (u, parents) in user_parents.into_iter().enumerate() {
        entities.push(Entity::new_no_attrs(
            t.uid(&t.user, &user_name(u as u32)),
            parents,
        ));
    }
    // Organizations, their roles, workspaces and their roles.
    for o in 0..p.orgs {
        let op = org_path(o);
        let org = t.uid(&t.organization, &op);
        let member = t.uid(&t.role, &format!("{op}#member"));
        let owner = t.uid(&t.role, &format!("{op}#owner"));
        let mut owner_parents = HashSet::from([member.clone()]);
        for j in 0..p.ws_per_org {
            let wp = w.ws_path(o * p.ws_per_org + j);
            let [viewer, editor, admin] = WsRole::ALL.map(|r| t.uid(&t.role, &ws_role_id(&wp, r)));
            owner_parents.insert(admin.clone());
            entities.push(Entity::new_no_attrs(
                admin.clone(),
                HashSet::from([editor.clone()]),
            ));
            entities.push(Entity::new_no_attrs(
                editor.clone(),
                HashSet::from([viewer.clone()]),
            ));
            entities.push(Entity::new_no_attrs(viewer.clone(), HashSet::new()));
            entities.push(entity(
                t.uid(&t.workspace, &wp),
                vec![("viewers", viewer), ("editors", editor), ("admins", admin)],
                HashSet::from([org.clone()]),
            )?);
        }
        entities.push(Entity::new_no_attrs(owner.clone(), owner_parents));
        entities.push(Entity::new_no_attrs(member.clone(), HashSet::new()));
        entities.push(entity(
            org,
            vec![("members", member), ("owners", owner)],
            HashSet::new(),
        )?);
    }
    Ok(CedarInput {
        policies: POLICIES.to_string(),
        entities,
    })
}

/// The cedar engine after set-up.
pub struct Cedar {
    policies: PolicySet,
    entities: Entities,
    authorizer: Authorizer,
    types: Types,
    actions: Vec<EntityUid>,
    ws_paths: WsPaths,
}

struct WsPaths {
    ws_per_org: u32,
}

/// Set-up: parse the policies, index the entities (computes the transitive
/// closure of the hierarchy).
pub fn setup(input: CedarInput, w: &Workload) -> Result<Cedar, String> {
    let policies = PolicySet::from_str(&input.policies).map_err(|e| e.to_string())?;
    let entities = Entities::from_entities(input.entities, None).map_err(|e| e.to_string())?;
    let types = Types::new()?;
    let actions = PERMS.iter().map(|a| types.uid(&types.action, a)).collect();
    Ok(Cedar {
        policies,
        entities,
        authorizer: Authorizer::new(),
        types,
        actions,
        ws_paths: WsPaths {
            ws_per_org: w.params.ws_per_org,
        },
    })
}

impl Cedar {
    /// Prepares a request (entity uids built once, outside the timed check).
    pub fn prepare(&self, q: &Query) -> Result<Request, String> {
        let t = &self.types;
        let resource = match q.target {
            Target::Org(o) => t.uid(&t.organization, &org_path(o)),
            Target::Ws(ws) => t.uid(
                &t.workspace,
                &format!(
                    "o{}/w{}",
                    ws / self.ws_paths.ws_per_org,
                    ws % self.ws_paths.ws_per_org
                ),
            ),
        };
        let action = self
            .actions
            .get(q.perm as usize)
            .cloned()
            .ok_or("bad permission")?;
        Request::new(
            t.uid(&t.user, &user_name(q.user)),
            action,
            resource,
            Context::empty(),
            None,
        )
        .map_err(|e| e.to_string())
    }

    /// The check.
    #[inline]
    pub fn check(&self, r: &Request) -> bool {
        self.authorizer
            .is_authorized(r, &self.policies, &self.entities)
            .decision()
            == Decision::Allow
    }

    /// Number of entities.
    pub fn entity_count(&self) -> usize {
        self.entities.iter().count()
    }
}
