//! The workload as rbacc input: policy text and membership YAML (text only;
//! no dependency on the rbacc API, see `rbacc_engine.rs` for that).

use crate::workload::{user_name, Workload, WsRole};
use std::fmt::Write as _;

/// The policy of the workload.
pub const POLICY: &str = r#"// rbacc-bench workload: organizations × workspaces × users
scope organization "Organization"
scope workspace "Workspace" in organization

permissions on organization {
  organization.view "View organization"
  organization.members.update "Update organization members"
  organization.workspaces.admin "Workspace Admin permissions to all Workspaces" {
    implies workspace_admin on every workspace
  }
}

permissions on workspace {
  workspace.view "View workspace"
  workspace.dags.view "View DAGs"
  workspace.edit "Edit workspace settings"
  workspace.code.push "Push code"
  workspace.admin "Administer workspace"
  workspace.members.update "Update user roles and permissions"
}

role organization_member on organization "Member" {
  grant organization.view
}
role organization_owner on organization "Owner" {
  include organization_member
  grant organization.members.update, organization.workspaces.admin
}
role workspace_viewer on workspace "Viewer" {
  grant workspace.view, workspace.dags.view
}
role workspace_editor on workspace "Editor" {
  include workspace_viewer
  grant workspace.edit, workspace.code.push
}
role workspace_admin on workspace "Admin" {
  include workspace_editor
  grant workspace.admin, workspace.members.update
}
rank workspace_viewer < workspace_editor < workspace_admin
rank organization_member < organization_owner
"#;

/// The workload policy plus `modules` feature modules (3 permissions and 4
/// roles each): the policy-size axis of the compile-time series. The text
/// grows linearly in `modules`.
pub fn scaled_policy(modules: usize) -> String {
    let mut s = String::from(POLICY);
    for m in 0..modules {
        let _ = write!(
            s,
            r#"
permissions on workspace {{
  workspace.m{m}.view "View module {m}"
  workspace.m{m}.edit "Edit module {m}"
  workspace.m{m}.admin "Administer module {m}"
}}
permissions on organization {{
  organization.m{m}.admin "Module {m} admin in every workspace" {{
    implies workspace_m{m}_admin on every workspace
  }}
}}
role workspace_m{m}_viewer on workspace "Module {m} viewer" {{
  grant workspace.m{m}.view
}}
role workspace_m{m}_editor on workspace "Module {m} editor" {{
  include workspace_m{m}_viewer
  grant workspace.m{m}.edit
}}
role workspace_m{m}_admin on workspace "Module {m} admin" {{
  include workspace_m{m}_editor
  grant workspace.m{m}.admin
}}
role organization_m{m}_owner on organization "Module {m} owner" {{
  include organization_member
  grant organization.m{m}.admin
}}
"#
        );
    }
    s
}

/// The membership YAML of a workload.
pub fn members_yaml(w: &Workload) -> String {
    let p = &w.params;
    let mut s = String::with_capacity(w.bindings() * 32 + p.users as usize * 12);
    s.push_str("users:\n");
    for u in 0..p.users {
        let _ = writeln!(s, "  - {}", user_name(u));
    }
    s.push_str("resources:\n");
    for (o, users) in w.org_users.iter().enumerate() {
        let _ = writeln!(s, "  organization:o{o}:");
        if users.is_empty() {
            s.push_str("    roles: {}\n");
            continue;
        }
        s.push_str("    roles:\n");
        for &u in users {
            let role = w.user_org_role[u as usize];
            let _ = writeln!(s, "      {}: {}", user_name(u), role.name());
        }
    }
    // Workspace bindings grouped by workspace.
    let mut per_ws: Vec<Vec<(u32, WsRole)>> = vec![Vec::new(); p.workspaces() as usize];
    for &(u, ws, r) in &w.ws_bindings {
        per_ws[ws as usize].push((u, r));
    }
    for (ws, bindings) in per_ws.iter().enumerate() {
        let _ = writeln!(s, "  workspace:{}:", w.ws_path(ws as u32));
        if bindings.is_empty() {
            s.push_str("    roles: {}\n");
            continue;
        }
        s.push_str("    roles:\n");
        for &(u, r) in bindings {
            let _ = writeln!(s, "      {}: {}", user_name(u), r.name());
        }
    }
    s
}
