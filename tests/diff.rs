//! `rbacc diff`: the semantic diff of two policies, on the library and
//! through the CLI.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rbacc::diff::{self, Access};
use rbacc::Policy;
mod common;

use common::root;
use std::path::Path;

fn preset(name: &str) -> Policy {
    let p = rbacc::presets::get(name).unwrap();
    rbacc::compile(&format!("policies/{name}.rbac"), p.source).unwrap_or_else(|r| panic!("{r}"))
}

/// Astro, where the Workspace Viewer gains one permission through a new
/// include of a new role.
fn astro_with_new_include() -> String {
    let source = rbacc::presets::get("astro").unwrap().source;
    let changed = source.replace(
        "role workspace_viewer on workspace \"Workspace Viewer\" {\n",
        "role deployment_tuner on workspace \"Deployment Tuner\" {\n  grant workspace.deployments.update\n}\n\nrole workspace_viewer on workspace \"Workspace Viewer\" {\n  include deployment_tuner\n",
    );
    assert_ne!(changed, source);
    changed
}

fn write_tmp(name: &str, text: &str) -> String {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn rbacc(args: &[&str]) -> (i32, String, String) {
    let out = common::run(common::rbacc().args(args));
    (out.code, out.stdout, out.stderr)
}

#[test]
fn a_gain_through_a_new_include_is_reported_with_its_chain() {
    let old = preset("astro");
    let new = rbacc::compile("astro_new.rbac", &astro_with_new_include()).unwrap();
    let d = diff::diff(&old, &new);
    assert_eq!(d.escalations, 1);
    assert!(d.widens());
    assert_eq!(d.roles_added.len(), 1);
    assert_eq!(d.roles_added[0].name, "deployment_tuner");
    assert!(
        d.roles_removed.is_empty()
            && d.permissions_added.is_empty()
            && d.permissions_removed.is_empty()
    );
    // Exactly one role changed, with exactly one gain.
    assert_eq!(d.roles.len(), 1, "{:#?}", d.roles);
    let role = &d.roles[0];
    assert_eq!(role.role, "workspace_viewer");
    assert!(role.lost.is_empty() && role.assigns_gained.is_empty() && role.assigns_lost.is_empty());
    assert_eq!(role.gained.len(), 1);
    let gain = &role.gained[0];
    assert_eq!(gain.perm, "workspace.deployments.update");
    assert_eq!((gain.was, gain.now), (Access::None, Access::Always));
    assert!(gain.escalation && !gain.new_permission);
    assert_eq!(
        gain.because.as_deref(),
        Some("`workspace_viewer` includes `deployment_tuner` (astro_new.rbac:114:11) → `deployment_tuner` grants `workspace.deployments.update` (astro_new.rbac:110:9)")
    );
    insta::assert_snapshot!("astro_new_include_human", diff::to_human(&d));
    insta::assert_snapshot!("astro_new_include_markdown", diff::to_markdown(&d));
    insta::assert_json_snapshot!("astro_new_include_json", d);
}

#[test]
fn the_reverse_change_is_a_loss_and_no_escalation() {
    let old = rbacc::compile("astro_new.rbac", &astro_with_new_include()).unwrap();
    let new = preset("astro");
    let d = diff::diff(&old, &new);
    assert_eq!(d.escalations, 0);
    assert!(!d.widens());
    assert_eq!(d.roles_removed.len(), 1);
    let role = &d.roles[0];
    assert!(role.gained.is_empty());
    assert_eq!(role.lost.len(), 1);
    assert_eq!(role.lost[0].perm, "workspace.deployments.update");
    assert!(role.lost[0]
        .because
        .as_deref()
        .unwrap()
        .contains("includes `deployment_tuner`"));
}

#[test]
fn identical_policies_have_no_diff() {
    for p in rbacc::presets::PRESETS {
        let d = diff::diff(&preset(p.name), &preset(p.name));
        assert!(d.is_empty(), "{}", p.name);
        assert_eq!(
            diff::to_human(&d).lines().last(),
            Some("no change in effective access")
        );
    }
}

#[test]
fn configurable_to_always_widens_access() {
    let source = rbacc::presets::get("tooljet").unwrap().source;
    let changed = source.replace(
        "grant workspace.apps.manage, workspace.data_sources.manage, workspace.folders.manage, workspace.constants.manage configurable default on",
        "grant workspace.apps.manage\n  grant workspace.data_sources.manage, workspace.folders.manage, workspace.constants.manage configurable default on",
    );
    assert_ne!(changed, source);
    let new = rbacc::compile("tooljet_new.rbac", &changed).unwrap();
    let d = diff::diff(&preset("tooljet"), &new);
    assert_eq!(d.roles.len(), 1);
    let gain = &d.roles[0].gained;
    assert_eq!(gain.len(), 1);
    assert_eq!(gain[0].perm, "workspace.apps.manage");
    assert_eq!(
        (gain[0].was, gain[0].now),
        (Access::ConfigurableOn, Access::Always)
    );
    assert!(gain[0].escalation);
}

#[test]
fn a_new_assignable_role_is_an_escalation() {
    let source = rbacc::presets::get("neosync").unwrap().source;
    let changed = source.replace(
        "role job_developer on account \"Job Developer\" {\n",
        "role inviter on account \"Inviter\" { grant account.members.invite }\nrole job_developer on account \"Job Developer\" {\n  include inviter\n",
    );
    let new = rbacc::compile("neosync_new.rbac", &changed).unwrap();
    // The analysis sees the escalation too: W0305 on the new policy.
    assert!(new.warnings.iter().any(|w| w.code == "W0305"
        && w.message
            .starts_with("`job_developer` can assign `account_admin`")));
    let d = diff::diff(&preset("neosync"), &new);
    let dev = d.roles.iter().find(|r| r.role == "job_developer").unwrap();
    assert_eq!(dev.gained.len(), 1);
    let assigned: Vec<&str> = dev.assigns_gained.iter().map(|a| a.role.as_str()).collect();
    assert_eq!(
        assigned,
        [
            "account_admin",
            "job_developer",
            "job_executor",
            "job_viewer"
        ]
    );
    assert!(dev
        .assigns_gained
        .iter()
        .all(|a| a.escalation && a.via == ["account.members.invite"]));
    assert_eq!(d.escalations, 5);
}

#[test]
fn members_diff_names_the_users_who_gain() {
    let old = preset("astro");
    let new = rbacc::compile("astro_new.rbac", &astro_with_new_include()).unwrap();
    let text = std::fs::read_to_string(root().join("examples/astro/members.yaml")).unwrap();
    let m = diff::members::diff_members(&old, &new, "members.yaml", &text).unwrap();
    let gained: Vec<(&str, &str, &str)> = m
        .gained
        .iter()
        .map(|c| (c.user.as_str(), c.perm.as_str(), c.resource.as_str()))
        .collect();
    assert_eq!(
        gained,
        [
            (
                "eli",
                "workspace.deployments.update",
                "workspace:acme/analytics"
            ),
            (
                "fay",
                "workspace.deployments.update",
                "workspace:acme/analytics"
            ),
        ]
    );
    assert!(m.lost.is_empty());
    assert!(m.gained[0]
        .because
        .as_deref()
        .unwrap()
        .contains("group:data-platform"));
}

#[test]
fn cli_fails_on_escalation_only_when_asked() {
    let new = write_tmp("diff_astro_new.rbac", &astro_with_new_include());
    let (status, out, _) = rbacc(&["diff", "--old-preset", "astro", &new]);
    assert_eq!(status, 0);
    assert!(
        out.contains("+ workspace.deployments.update: none → always  [escalation]"),
        "{out}"
    );
    let (status, _, _) = rbacc(&[
        "diff",
        "--old-preset",
        "astro",
        &new,
        "--fail-on",
        "escalation",
    ]);
    assert_eq!(status, 1);
    // The reverse narrows access only.
    let (status, out, _) = rbacc(&[
        "diff",
        &new,
        "--new-preset",
        "astro",
        "--fail-on",
        "escalation",
    ]);
    assert_eq!(status, 0, "{out}");
    // With the data, the users who gain are named.
    let (status, out, _) = rbacc(&[
        "diff",
        "--old-preset",
        "astro",
        &new,
        "--members",
        "examples/astro/members.yaml",
        "--format",
        "json",
        "--fail-on",
        "escalation",
    ]);
    assert_eq!(status, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let users: Vec<&str> = json["members"]["gained"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["user"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["eli", "fay"]);
    assert_eq!(json["escalations"], 1);
}

#[test]
fn cli_github_annotates_the_escalation_in_new() {
    write_tmp("diff_astro_github.rbac", &astro_with_new_include());
    // Run where the file is, so that its path is relative.
    let out = common::rbacc()
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .args([
            "diff",
            "--old-preset",
            "astro",
            "diff_astro_github.rbac",
            "--format",
            "github",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].starts_with("::warning file=diff_astro_github.rbac,line=114,col=11,"),
        "{out}"
    );
    assert!(
        lines[0].contains("title=D0501::`workspace_viewer` gains `workspace.deployments.update`")
    );
}

#[test]
fn cli_usage_errors_exit_2() {
    let (status, _, err) = rbacc(&["diff", "--old-preset", "astro"]);
    assert_eq!(status, 2);
    assert!(err.contains("no new policy"), "{err}");
    let (status, _, err) = rbacc(&["diff", "--old-preset", "nope", "--new-preset", "astro"]);
    assert_eq!(status, 2);
    assert!(err.contains("unknown preset"), "{err}");
    let bad = write_tmp("diff_bad.rbac", "role x on nowhere \"X\"\n");
    let (status, _, err) = rbacc(&["diff", "--old-preset", "astro", &bad]);
    assert_eq!(status, 2);
    assert!(err.contains("E0101"), "{err}");
}
