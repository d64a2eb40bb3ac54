//! `rbacc diff`: the semantic diff of two policies, on the library and
//! through the CLI. Every edit of issue 14's table exits 1 under
//! `--fail-on escalation` with a message naming the change; the noise
//! examples print one line per change.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rbacc::internals::diff::{self, Effect, Side};
use rbacc::Policy;
mod common;

use common::root;
use std::path::Path;

fn preset(name: &str) -> Policy {
    let p = rbacc::presets::get(name).unwrap();
    rbacc::compile(&format!("policies/{name}.rbac"), p.source).unwrap_or_else(|r| panic!("{r}"))
}

fn base_source() -> String {
    std::fs::read_to_string(root().join("tests/corpus/base/policy.rbac")).unwrap()
}

/// The corpus base policy with one text replaced.
fn edited(from: &str, to: &str) -> String {
    let source = base_source();
    assert!(source.contains(from), "{from}");
    source.replacen(from, to, 1)
}

fn compile(name: &str, text: &str) -> Policy {
    rbacc::compile(name, text).unwrap_or_else(|r| panic!("{r}"))
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

/// The line of the new include in [`astro_with_new_include`] (the preset
/// changes as the products do; the test follows it).
fn include_line() -> usize {
    astro_with_new_include()
        .lines()
        .position(|l| l == "  include deployment_tuner")
        .unwrap()
        + 1
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

/// Issue 14's table: each edit of the corpus base policy widens access (or
/// may, on some data), exits 1 under `--fail-on escalation`, and the
/// output names the change in one entry.
#[test]
fn every_row_of_the_table_exits_1_naming_the_change() {
    let rows: [(&str, &str, &str, &str); 8] = [
        (
            "bootstrap first 1 user",
            "bootstrap first 1000 users",
            "`bootstrap first 1 user of org as org_owner in edition team` → `bootstrap first 1000 users of org as org_owner in edition team`",
            "members 2 to 1000 of each `org` (the first 1 were before) hold `org_owner` instead of `org_member`, gaining `org.billing`",
        ),
        (
            "default org_member",
            "default org_owner",
            "exactly one of `org_member`, `org_owner` per `org` default `org_owner`",
            "hold `org_owner` instead of `org_member`, gaining",
        ),
        (
            " in edition team",
            "",
            "→ `bootstrap first 1 user of org as org_owner`",
            "in edition `free`, the first 1 members of each `org` hold `org_owner` instead of `org_member`, gaining",
        ),
        (
            "without rbac",
            "without rbac fallback ws_admin",
            "edition `free`: without rbac → without rbac fallback `ws_admin`",
            "the members of every `ws` now hold `ws_admin`",
        ),
        (
            "edition free \"Free\" without rbac",
            "edition free \"Free\"",
            "edition `free`: without rbac → RBAC on",
            "role bindings, direct grants and settings now apply",
        ),
        (
            "at most one of ws_viewer, ws_builder, ws_admin per ws",
            "at most one of ws_viewer, ws_builder, ws_admin per ws default ws_admin",
            "default `ws_admin`",
            "now hold `ws_admin`, gaining",
        ),
        (
            "rank ws_viewer < ws_builder < ws_admin",
            "rank ws_admin < ws_builder < ws_viewer",
            "rank of `ws`: `ws_viewer` < `ws_builder` < `ws_admin` → `ws_admin` < `ws_builder` < `ws_viewer`",
            "group rules on `ws` read it",
        ),
        (
            "{ grant ws.read, app.use }",
            "{ grant ws.read, app.use\n  grantable app.build }",
            "`ws_viewer` grantable `app.build` (new)",
            "rated as covered by `ws_viewer`",
        ),
    ];
    let old = root().join("tests/corpus/base/policy.rbac");
    for (i, (from, to, summary, consequence)) in rows.iter().enumerate() {
        let new = write_tmp(&format!("diff_row_{i}.rbac"), &edited(from, to));
        let (status, out, err) = rbacc(&[
            "diff",
            old.to_str().unwrap(),
            &new,
            "--fail-on",
            "escalation",
        ]);
        assert_eq!(status, 1, "row {i}: {out}{err}");
        assert!(out.contains(summary), "row {i}: {out}");
        assert!(out.contains(consequence), "row {i}: {out}");
        // One change, one entry.
        let d = diff::diff(
            &compile("old.rbac", &base_source()),
            &compile("new.rbac", &edited(from, to)),
        );
        assert_eq!(d.changes.len(), 1, "row {i}: {:#?}", d.changes);
        assert_eq!(d.escalations, 1, "row {i}");
        assert!(d.widens(), "row {i}");
        // The annotation points at the edited line of NEW.
        let line = edited(from, to)
            .lines()
            .position(|l| l.contains(to.lines().last().unwrap_or(to)) && !to.is_empty())
            .map(|l| l + 1);
        if let (Some(line), Some(loc)) = (line, d.changes[0].location.as_deref()) {
            let at: usize = loc.split(':').nth(1).unwrap().parse().unwrap();
            assert!(
                at == line || at + 1 == line,
                "row {i}: {loc} vs line {line}"
            );
        }
    }
}

#[test]
fn the_reverse_of_each_widening_row_narrows_and_passes() {
    let pairs = [
        ("bootstrap first 1 user", "bootstrap first 1000 users"),
        ("default org_member", "default org_owner"),
        ("without rbac", "without rbac fallback ws_admin"),
    ];
    for (from, to) in pairs {
        let d = diff::diff(
            &compile("new.rbac", &edited(from, to)),
            &compile("old.rbac", &base_source()),
        );
        assert_eq!(d.changes.len(), 1, "{from}");
        assert_eq!(d.changes[0].effect, Effect::Narrows, "{from}");
        assert!(!d.widens());
    }
}

/// A repository policy for the noise examples: a configurable grant of four
/// permissions inherited by two roles, and role management.
const REPO: &str = r#"policy repo "Repositories"
scope repo "Repository"
permissions on repo {
  repo.read "Read code"
  repo.write "Push code"
  repo.admin "Administer"
  repo.invite "Invite collaborators" {
    assigns repo_read, repo_write
  }
  repo.ci "CI" {
    repo.ci.view "View CI"
    repo.ci.edit "Edit CI"
    repo.ci.run "Run CI"
    repo.ci.cancel "Cancel CI"
  }
}
role repo_read on repo "Read" { grant repo.read }
role repo_write on repo "Write" {
  include repo_read
  grant repo.write
}
role repo_maintain on repo "Maintain" {
  include repo_write
  grant repo.ci.* configurable default off
}
role repo_admin on repo "Admin" {
  include repo_maintain
  grant repo.admin, repo.invite
}
"#;

#[test]
fn a_default_switched_on_is_one_change() {
    let new = REPO.replace("configurable default off", "configurable default on");
    let d = diff::diff(&compile("repo.rbac", REPO), &compile("repo_new.rbac", &new));
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
    assert_eq!(d.escalations, 1);
    let c = &d.changes[0];
    assert_eq!(c.kind, "grant");
    assert_eq!(c.location.as_deref(), Some("repo_new.rbac:24:9"));
    // One line: both roles, the four permissions.
    assert_eq!(c.consequences.len(), 1, "{:#?}", c.consequences);
    assert_eq!(
        c.consequences[0].text,
        "`repo_maintain`, `repo_admin` gain `repo.ci.cancel`, `repo.ci.edit`, `repo.ci.run`, `repo.ci.view`: configurable (default off) → configurable (default on)"
    );
    insta::assert_snapshot!("repo_default_on_human", diff::to_human(&d));
}

#[test]
fn assigning_a_weaker_role_is_not_an_escalation() {
    // Two edited lines: Maintainers may invite; Writers see CI.
    let new = REPO
        .replace(
            "  grant repo.ci.* configurable default off\n",
            "  grant repo.ci.* configurable default off\n  grant repo.invite\n",
        )
        .replace(
            "  grant repo.write\n",
            "  grant repo.write\n  grant repo.ci.view\n",
        );
    let d = diff::diff(&compile("repo.rbac", REPO), &compile("repo_new.rbac", &new));
    assert_eq!(d.changes.len(), 2, "{:#?}", d.changes);
    assert_eq!(d.escalations, 2);
    let human = diff::to_human(&d);
    assert!(
        human.starts_with("rbacc diff `repo.rbac` → `repo_new.rbac`: 2 changes widen access"),
        "{human}"
    );
    // Maintainers can now assign Read and Write, which hold nothing they
    // lack: shown, not counted.
    let invite = d
        .changes
        .iter()
        .find(|c| c.summary.contains("repo.invite"))
        .unwrap();
    let assign = invite
        .consequences
        .iter()
        .find(|q| q.text.contains("can now assign"))
        .unwrap();
    assert_eq!(assign.effect, Effect::Neutral);
    assert_eq!(
        assign.text,
        "`repo_maintain` can now assign `repo_read`, `repo_write`, which hold nothing `repo_maintain` lacks"
    );
    insta::assert_snapshot!("repo_two_lines_human", human);
}

#[test]
fn assigning_a_stronger_role_is_an_escalation() {
    // Maintainers invite; inviting now gives Admin.
    let old = REPO.replace(
        "  include repo_write\n",
        "  include repo_write\n  grant repo.invite\n",
    );
    let new = old.replace(
        "assigns repo_read, repo_write",
        "assigns repo_read, repo_write, repo_admin",
    );
    let d = diff::diff(&compile("repo.rbac", &old), &compile("repo_new.rbac", &new));
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
    let c = &d.changes[0];
    assert_eq!(c.kind, "assigns");
    assert_eq!(c.effect, Effect::Widens);
    assert_eq!(c.location.as_deref(), Some("repo_new.rbac:8:36"));
}

#[test]
fn a_gain_through_a_new_include_is_one_change_at_the_include() {
    let old = preset("astro");
    let new = compile("astro_new.rbac", &astro_with_new_include());
    let d = diff::diff(&old, &new);
    assert_eq!(d.escalations, 1);
    assert!(d.widens());
    assert_eq!(d.roles_added.len(), 1);
    assert_eq!(d.roles_added[0].name, "deployment_tuner");
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
    let c = &d.changes[0];
    assert_eq!(c.kind, "include");
    assert_eq!(c.side, Side::New);
    assert_eq!(
        c.location.as_deref(),
        Some(format!("astro_new.rbac:{}:11", include_line()).as_str())
    );
    assert_eq!(
        c.summary,
        "`workspace_viewer` includes `deployment_tuner` (new)"
    );
    insta::assert_snapshot!("astro_new_include_human", diff::to_human(&d));
    insta::assert_snapshot!("astro_new_include_markdown", diff::to_markdown(&d));
    insta::assert_json_snapshot!("astro_new_include_json", d);
}

#[test]
fn the_reverse_change_is_a_loss_located_in_old() {
    let old = compile("astro_new.rbac", &astro_with_new_include());
    let new = preset("astro");
    let d = diff::diff(&old, &new);
    assert_eq!(d.escalations, 0);
    assert!(!d.widens());
    assert_eq!(d.roles_removed.len(), 1);
    assert_eq!(d.changes.len(), 1);
    let c = &d.changes[0];
    assert_eq!((c.side, c.effect), (Side::Old, Effect::Narrows));
    assert_eq!(
        c.location.as_deref(),
        Some(format!("astro_new.rbac:{}:11", include_line()).as_str())
    );
}

#[test]
fn identical_policies_have_no_diff() {
    for p in rbacc::presets::PRESETS {
        let d = diff::diff(&preset(p.name), &preset(p.name));
        assert!(d.is_empty(), "{}: {:#?}", p.name, d.changes);
        assert!(
            diff::to_human(&d)
                .trim_end()
                .ends_with("no change in effective access"),
            "{}",
            p.name
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
    let new = compile("tooljet_new.rbac", &changed);
    let d = diff::diff(&preset("tooljet"), &new);
    assert!(d.widens());
    let widening: Vec<_> = d
        .changes
        .iter()
        .filter(|c| c.effect == Effect::Widens)
        .collect();
    assert_eq!(widening.len(), 1, "{:#?}", d.changes);
    assert!(widening[0].consequences[0]
        .text
        .ends_with("`workspace.apps.manage`: configurable (default on) → always"));
}

#[test]
fn an_assertion_removed_or_weakened_counts() {
    let with = format!(
        "{}assert only org_owner can org.billing\nassert ws_viewer never ws.write\n",
        base_source()
    );
    let weaker = format!(
        "{}assert only org_owner, org_member can org.billing\n",
        base_source()
    );
    let d = diff::diff(&compile("a.rbac", &with), &compile("b.rbac", &weaker));
    assert_eq!(d.changes.len(), 2, "{:#?}", d.changes);
    assert!(d
        .changes
        .iter()
        .all(|c| c.effect == Effect::Widens && c.kind == "assertion"));
    let removed = d.changes.iter().find(|c| c.side == Side::Old).unwrap();
    assert_eq!(removed.location.as_deref(), Some("a.rbac:50:1"));
    // Adding them back is no escalation.
    let d = diff::diff(&compile("b.rbac", &weaker), &compile("a.rbac", &with));
    assert!(!d.widens(), "{:#?}", d.changes);
}

#[test]
fn group_rules_are_compared() {
    let d = diff::diff(
        &compile(
            "a.rbac",
            &edited(
                "groups on ws { upgrade roles }",
                "groups on ws { prune on downgrade }",
            ),
        ),
        &compile("b.rbac", &base_source()),
    );
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].effect, Effect::Widens);
    assert!(d.changes[0]
        .consequences
        .iter()
        .any(|q| q.text.contains("upgraded")));
}

#[test]
fn undecided_changes_pass_when_the_data_gains_nothing() {
    let new = write_tmp(
        "diff_rank.rbac",
        &edited(
            "rank ws_viewer < ws_builder < ws_admin",
            "rank ws_admin < ws_builder < ws_viewer",
        ),
    );
    let (status, out, _) = rbacc(&[
        "diff",
        "tests/corpus/base/policy.rbac",
        &new,
        "--fail-on",
        "escalation",
        "--members",
        "tests/corpus/base/members.yaml",
    ]);
    assert_eq!(status, 0, "{out}");
    assert!(
        out.contains("undecided, and the data gains nothing"),
        "{out}"
    );
}

#[test]
fn members_diff_groups_the_users_by_change() {
    let old = preset("astro");
    let new = compile("astro_new.rbac", &astro_with_new_include());
    let text = std::fs::read_to_string(root().join("examples/astro/members.yaml")).unwrap();
    let m = diff::members::diff_members(&old, &new, "members.yaml", &text).unwrap();
    assert_eq!((m.gained, m.lost), (2, 0));
    assert_eq!(m.groups.len(), 1);
    let g = &m.groups[0];
    assert!(g.gained);
    assert_eq!((g.users, g.resources), (2, 1));
    assert_eq!(g.perms, ["workspace.deployments.update"]);
    let users: Vec<&str> = g.changes.iter().map(|c| c.user.as_str()).collect();
    assert_eq!(users, ["eli", "fay"]);
    assert!(g.because.contains("group:data-platform"), "{}", g.because);
}

#[test]
fn cli_members_view_is_grouped_and_limited() {
    let new = write_tmp(
        "diff_default_owner.rbac",
        &edited("bootstrap first 1 user", "bootstrap first 1000 users"),
    );
    let (status, out, _) = rbacc(&[
        "diff",
        "tests/corpus/base/policy.rbac",
        &new,
        "--members",
        "tests/corpus/base/members.yaml",
    ]);
    assert_eq!(status, 0);
    assert!(out.contains("2 users, 2 resources"), "{out}");
    // Issue 14's noise example: one changed line is one group of a few
    // lines, not every user × permission × resource with its chain.
    assert_eq!(out.matches("\n  gained ").count(), 1, "{out}");
    assert!(out.len() < 2_000, "{}", out.len());
    assert!(
        out.contains("and 7 more (`--limit N` or `--format json` for all)"),
        "{out}"
    );
    let (_, out, _) = rbacc(&[
        "diff",
        "tests/corpus/base/policy.rbac",
        &new,
        "--members",
        "tests/corpus/base/members.yaml",
        "--limit",
        "100",
    ]);
    assert!(!out.contains("more (`--limit N`"), "{out}");
    assert_eq!(out.matches("`: `").count(), 10, "{out}");
}

#[test]
fn cli_fails_on_escalation_only_when_asked() {
    let new = write_tmp("diff_astro_new.rbac", &astro_with_new_include());
    let (status, out, _) = rbacc(&["diff", "--old-preset", "astro", &new]);
    assert_eq!(status, 0);
    assert!(
        out.contains("+ `workspace_viewer` gains `workspace.deployments.update`: none → always"),
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
    let users: Vec<&str> = json["members"]["groups"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["user"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["eli", "fay"]);
    assert_eq!(json["escalations"], 1);
}

#[test]
fn cli_github_annotates_the_line_that_made_the_change() {
    let old = REPO.replace(
        "  include repo_write\n",
        "  include repo_write\n  grant repo.invite\n",
    );
    let new = old.replace(
        "assigns repo_read, repo_write",
        "assigns repo_read, repo_write, repo_admin",
    );
    write_tmp("diff_repo_github.rbac", &new);
    write_tmp("diff_repo_github_old.rbac", &old);
    let out = common::rbacc()
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .args([
            "diff",
            "diff_repo_github_old.rbac",
            "diff_repo_github.rbac",
            "--format",
            "github",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    // The changed `assigns` line, not the role.
    assert!(
        lines[0].starts_with("::warning file=diff_repo_github.rbac,line=8,col=36,"),
        "{out}"
    );
    assert!(
        lines[0].contains("`repo.invite` assigns `repo_admin` (new): widens access"),
        "{out}"
    );
}

#[test]
fn cli_github_annotates_a_removal_in_old() {
    let with = format!("{}assert only org_owner can org.billing\n", base_source());
    write_tmp("diff_assert_old.rbac", &with);
    write_tmp("diff_assert_new.rbac", &base_source());
    let out = common::rbacc()
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .args([
            "diff",
            "diff_assert_old.rbac",
            "diff_assert_new.rbac",
            "--format",
            "github",
        ])
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.starts_with("::warning file=diff_assert_old.rbac,line=49,col=1,"),
        "{out}"
    );
}

#[test]
fn data_diff_under_one_policy() {
    let old = std::fs::read_to_string(root().join("tests/corpus/base/members.yaml")).unwrap();
    let new = old.replace("bob: ws_viewer", "bob: ws_admin");
    assert_ne!(old, new);
    let old = write_tmp("diff_data_old.yaml", &old);
    let new = write_tmp("diff_data_new.yaml", &new);
    let (status, out, err) = rbacc(&[
        "diff",
        "--policy",
        "tests/corpus/base/policy.rbac",
        "--members",
        &old,
        &new,
        "--fail-on",
        "escalation",
    ]);
    assert_eq!(status, 1, "{out}{err}");
    assert!(out.contains("gained `bob` is bound to `ws_admin`"), "{out}");
    assert!(out.contains("1 user, 1 resource: `ws.write`"), "{out}");
    assert!(out.contains("diff_data_new.yaml:11:7"), "{out}");
    // The same file twice: nothing.
    let (status, out, _) = rbacc(&[
        "diff",
        "--policy",
        "tests/corpus/base/policy.rbac",
        "--members",
        &old,
        &old,
        "--fail-on",
        "escalation",
    ]);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("no change in effective access"), "{out}");
    // One file is a usage error.
    let (status, _, err) = rbacc(&[
        "diff",
        "--policy",
        "tests/corpus/base/policy.rbac",
        "--members",
        &old,
    ]);
    assert_eq!(status, 2);
    assert!(err.contains("give two membership files"), "{err}");
}

#[test]
fn prune_on_downgrade_is_modelled() {
    let policy = edited(
        "groups on ws { upgrade roles }",
        "groups on ws { prune on downgrade }",
    );
    let policy = write_tmp("diff_prune.rbac", &policy);
    let old = r#"edition: team
users: [alice, bob, carol]
groups:
  admins: [bob, carol]
resources:
  org:acme:
    members: [alice, bob, carol]
  ws:acme/main:
    roles:
      bob: ws_admin
      group:admins: ws_admin
"#;
    let new = old.replace("bob: ws_admin", "bob: ws_viewer");
    let old = write_tmp("diff_prune_old.yaml", old);
    let new = write_tmp("diff_prune_new.yaml", &new);
    let (status, out, err) = rbacc(&[
        "diff",
        "--policy",
        &policy,
        "--members",
        &old,
        &new,
        "--format",
        "json",
    ]);
    assert_eq!(status, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let pruned = &json["members"]["pruned"];
    assert_eq!(pruned.as_array().unwrap().len(), 1, "{out}");
    assert_eq!(pruned[0]["user"], "bob");
    assert_eq!(pruned[0]["group"], "admins");
    // Without pruning bob would keep ws.write through the group.
    let lost: Vec<&str> = json["members"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["gained"] == false)
        .flat_map(|g| g["changes"].as_array().unwrap())
        .map(|c| c["perm"].as_str().unwrap())
        .collect();
    assert!(lost.contains(&"ws.write"), "{out}");
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

#[test]
fn display_names_and_declaration_order_are_not_changes() {
    let renamed = REPO
        .replace("\"Maintain\"", "\"Maintainer\"")
        .replace("role repo_read on repo \"Read\" { grant repo.read }\n", "")
        + "role repo_read on repo \"Read\" { grant repo.read }\n";
    let d = diff::diff(
        &compile("repo.rbac", REPO),
        &compile("repo_new.rbac", &renamed),
    );
    assert!(d.is_empty(), "{:#?}", d.changes);
}

/// A 10,000-user organization where one line (the default role) gives
/// 9,999 users five permissions: the comment stays one group with a few
/// examples.
#[test]
fn a_ten_thousand_user_org_fits_a_comment() {
    let mut data = String::from("edition: team\nusers:\n");
    for u in 0..10_000 {
        data.push_str(&format!("  - u{u}\n"));
    }
    data.push_str("resources:\n  org:acme:\n    members: [");
    data.push_str(
        &(0..10_000)
            .map(|u| format!("u{u}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    data.push_str("]\n");
    for w in 0..20 {
        data.push_str(&format!(
            "  ws:acme/w{w}:\n    roles:\n      u{w}: ws_viewer\n"
        ));
    }
    let old = compile("policy.rbac", &base_source());
    let new = compile(
        "policy_new.rbac",
        &edited("default org_member", "default org_owner"),
    );
    let mut d = diff::diff(&old, &new);
    d.members = Some(diff::members::diff_members(&old, &new, "members.yaml", &data).unwrap());
    let m = d.members.as_ref().unwrap();
    assert!(m.gained > 9_999 * 5, "{}", m.gained);
    let md = diff::to_markdown(&d);
    assert!(md.len() < 65_536, "{}", md.len());
    assert!(md.contains("9999 users"), "{md}");
    let human = diff::to_human(&d);
    assert!(human.len() < 65_536, "{}", human.len());
}

/// The rules of issue 18: each is one change, with its effect.
#[test]
fn containment_fallbacks_at_least_one_and_upgrade_bounds_are_compared() {
    let base = compile("a.rbac", &base_source());
    let one = |from: &str, to: &str| {
        let d = diff::diff(&base, &compile("b.rbac", &edited(from, to)));
        assert_eq!(d.changes.len(), 1, "{to}: {:?}", d.changes);
        d.changes.into_iter().next().unwrap()
    };
    // A member of a workspace joins its organization: its default.
    let c = one(
        "groups on ws { upgrade roles }",
        "groups on ws { upgrade roles }\nmembers of ws are members of org",
    );
    assert_eq!(c.effect, Effect::Widens);
    assert!(c.summary.contains("members of `ws` are members of `org`"));
    // A fallback per scope kind: workspace members now hold one.
    let c = one(
        "edition free \"Free\" without rbac",
        "edition free \"Free\" without rbac fallback org_owner, ws_viewer",
    );
    assert_eq!(c.effect, Effect::Widens);
    assert!(c
        .consequences
        .iter()
        .any(|q| q.text.contains("every `ws`") && q.text.contains("ws_viewer")));
    // A data rule refuses data; loaded data is decided as before.
    let c = one(
        "groups on ws { upgrade roles }",
        "groups on ws { upgrade roles }\nat least one org_owner per org",
    );
    assert_eq!(c.effect, Effect::Neutral);
    assert!(c.summary.contains("at least one `org_owner` per `org`"));
    let c = one(
        "groups on ws { upgrade roles }",
        "groups on ws { upgrade roles up to ws_builder }",
    );
    assert_eq!(c.effect, Effect::Neutral);
    assert!(c.summary.contains("up to ws_builder"), "{}", c.summary);
    // The reverse of the containment narrows, at the rule in OLD.
    let d = diff::diff(
        &compile(
            "a.rbac",
            &edited(
                "groups on ws { upgrade roles }",
                "groups on ws { upgrade roles }\nmembers of ws are members of org",
            ),
        ),
        &base,
    );
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].effect, Effect::Narrows);
    assert_eq!(d.changes[0].side, Side::Old);
}

/// A role that, through a new `imply`, also holds a role granting nothing
/// it lacks: the roles held change, no permission does. One change at the
/// line, changing no access; the reverse is one change at OLD's line.
#[test]
fn an_implication_that_changes_only_the_roles_held_is_one_change() {
    let old = r#"policy imp "Imply"
scope org "Org"
scope ws "Workspace" in org
permissions on org { org.view "View" }
permissions on ws {
  ws.read "Read"
  ws.write "Write"
}
role ws_viewer on ws "Viewer" { grant ws.read }
role ws_editor on ws "Editor" {
  include ws_viewer
  grant ws.write
}
role org_owner on org "Owner" {
  grant org.view
  imply ws_editor on every ws
}
"#;
    let new = old.replace(
        "  imply ws_editor on every ws\n",
        "  imply ws_editor on every ws\n  imply ws_viewer on every ws\n",
    );
    let (o, n) = (compile("imp.rbac", old), compile("imp_new.rbac", &new));
    let d = diff::diff(&o, &n);
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
    let c = &d.changes[0];
    assert_eq!(
        (c.kind, c.effect, c.side),
        ("imply", Effect::Neutral, Side::New)
    );
    assert_eq!(c.location.as_deref(), Some("imp_new.rbac:17:3"));
    assert_eq!(
        c.summary,
        "`org_owner` implies `ws_viewer` on every ws (new)"
    );
    assert_eq!(
        c.consequences[0].text,
        "holders of `org_owner` now also hold `ws_viewer` on every `ws`; no permission gained or lost is due to this line"
    );
    assert_eq!(d.escalations, 0);
    assert!(!d.widens() && !d.is_empty());
    let back = diff::diff(&n, &o);
    assert_eq!(back.changes.len(), 1, "{:#?}", back.changes);
    assert_eq!(back.changes[0].side, Side::Old);
    assert_eq!(
        back.changes[0].location.as_deref(),
        Some("imp_new.rbac:17:3")
    );
    assert!(back.changes[0].consequences[0]
        .text
        .contains("no longer hold"));
    // An implication that does widen stays one change, with its gain.
    let base = format!("{old}role org_member on org \"Member\" {{\n  grant org.view\n}}\n");
    let wider = base.replace(
        "  grant org.view\n}\n",
        "  grant org.view\n  imply ws_viewer on every ws\n}\n",
    );
    let d = diff::diff(&compile("a.rbac", &base), &compile("b.rbac", &wider));
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
    assert_eq!(d.changes[0].effect, Effect::Widens);
    assert_eq!(d.changes[0].consequences.len(), 1, "{:#?}", d.changes[0]);
    assert!(d.changes[0].consequences[0]
        .text
        .contains("gains `ws.read`"));
    // Through the CLI: listed, exit 0 under `--fail-on escalation`.
    let a = write_tmp("imp.rbac", old);
    let b = write_tmp("imp_new.rbac", &new);
    let (status, out, _) = rbacc(&["diff", &a, &b, "--fail-on", "escalation"]);
    assert_eq!(status, 0, "{out}");
    assert!(
        out.contains("neutral   `org_owner` implies `ws_viewer`"),
        "{out}"
    );
}

/// A data diff where each of 10,000 users gains a binding of their own
/// (10,000 causes): the text and the Markdown stay within a pull-request
/// comment, the rest counted in a last line; JSON lists every one.
#[test]
fn ten_thousand_data_changes_fit_a_comment() {
    let users = 10_000;
    let mut old = String::from("edition: team\nusers:\n");
    for u in 0..users {
        old.push_str(&format!("  - u{u}\n"));
    }
    old.push_str("resources:\n  org:acme:\n    members: [");
    old.push_str(
        &(0..users)
            .map(|u| format!("u{u}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    old.push_str("]\n  ws:acme/main:\n    roles:\n      u0: ws_viewer\n");
    let mut new = old.clone();
    for u in 1..users {
        new.push_str(&format!("      u{u}: ws_admin\n"));
    }
    let old = write_tmp("diff_10k_old.yaml", &old);
    let new = write_tmp("diff_10k_new.yaml", &new);
    for format in ["human", "markdown"] {
        let (status, out, err) = rbacc(&[
            "diff",
            "--policy",
            "tests/corpus/base/policy.rbac",
            "--members",
            &old,
            &new,
            "--format",
            format,
            "--fail-on",
            "escalation",
        ]);
        assert_eq!(status, 1, "{err}");
        assert!(out.len() < 65_536, "{format}: {}", out.len());
        assert!(out.contains("1 user, 1 resource"), "{out}");
        let last = out.trim_end().lines().last().unwrap();
        assert!(
            last.starts_with("... and ")
                && last.ends_with(" more (see --format json or --limit N)"),
            "{format}: {last}"
        );
    }
    let (_, out, _) = rbacc(&[
        "diff",
        "--policy",
        "tests/corpus/base/policy.rbac",
        "--members",
        &old,
        &new,
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let groups = json["members"]["groups"].as_array().unwrap();
    let changes: usize = groups
        .iter()
        .map(|g| g["changes"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        changes,
        json["members"]["gained"].as_u64().unwrap() as usize
    );
    assert!(groups.len() >= users - 1, "{}", groups.len());
}

/// `bootstrap first N users` with N past the organization's size: each
/// user's explanation names their own position in join order.
#[test]
fn a_bootstrap_explanation_names_each_members_position() {
    let mut data = String::from("edition: team\nusers:\n");
    for u in 0..50 {
        data.push_str(&format!("  - u{u}\n"));
    }
    data.push_str("resources:\n  org:acme:\n    members: [");
    data.push_str(
        &(0..50)
            .rev()
            .map(|u| format!("u{u}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    data.push_str("]\n");
    let old = compile("policy.rbac", &base_source());
    let new = compile(
        "policy_new.rbac",
        &edited("bootstrap first 1 user", "bootstrap first 1000000 users"),
    );
    let members = rbacc::Members::from_yaml(&new, "m.yaml", &data).unwrap();
    let auth = rbacc::Authorizer::new(new.clone(), members).unwrap();
    let q = auth.query("u7", "org.billing", "org:acme").unwrap();
    let e = auth.explain(&q);
    assert!(e.allowed);
    assert!(
        e.steps[0].text.contains("`u7` is member #43 of `org:acme`"),
        "{:?}",
        e.steps
    );
    let m = diff::members::diff_members(&old, &new, "m.yaml", &data).unwrap();
    assert_eq!(m.groups.len(), 1, "{:#?}", m.groups);
    assert_eq!(m.groups[0].users, 49);
}

/// Issue 14: "can now assign" sat on the unchanged `assigns` line. A role
/// that gains the assigning permission is one change at the new grant,
/// which also says what it can now assign; the annotation is there.
#[test]
fn a_gained_assignment_is_annotated_at_the_grant_that_gave_it() {
    let old = REPO.replace(
        "assigns repo_read, repo_write",
        "assigns repo_read, repo_write, repo_admin",
    );
    let new = old.replace(
        "  include repo_write\n",
        "  include repo_write\n  grant repo.invite\n",
    );
    let d = diff::diff(&compile("repo.rbac", &old), &compile("repo_new.rbac", &new));
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
    let c = &d.changes[0];
    assert_eq!((c.kind, c.effect), ("grant", Effect::Widens));
    let line = new
        .lines()
        .position(|l| l == "  grant repo.invite")
        .unwrap()
        + 1;
    assert_eq!(
        c.location.as_deref(),
        Some(&*format!("repo_new.rbac:{line}:9"))
    );
    assert!(
        c.consequences
            .iter()
            .any(|q| q.text.contains("can now assign") && q.effect == Effect::Widens),
        "{:#?}",
        c.consequences
    );
    write_tmp("diff_assign_old.rbac", &old);
    write_tmp("diff_assign_new.rbac", &new);
    let out = common::rbacc()
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .args([
            "diff",
            "diff_assign_old.rbac",
            "diff_assign_new.rbac",
            "--format",
            "github",
            "--fail-on",
            "escalation",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with(&format!(
            "::error file=diff_assign_new.rbac,line={line},col=9,"
        )),
        "{out}"
    );
}
