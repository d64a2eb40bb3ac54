//! The case kinds of `rbacc test` beyond allow/deny and who-can:
//! `expect: error CODE` documents, `what_can` and `holds` cases; and the
//! "Policy tests" example of docs/membership.md, run as written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{rbacc, run};
use rbacc::diagnostic::ColorChoice;
use rbacc::testing::{Outcome, Status};
use std::path::{Path, PathBuf};

/// Writes `text` as the test file target/tmp/<dir>-<name> (two levels
/// below the repository, so `../../examples/...` resolves) and returns its
/// path.
fn write(dir: &str, name: &str, text: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(d).unwrap();
    let p = d.join(format!("{dir}-{name}"));
    std::fs::write(&p, text).unwrap();
    p
}

/// The report with the machine-specific directory replaced.
fn report(path: &Path, run: &rbacc::testing::Run) -> String {
    let dir = path.parent().unwrap().display().to_string();
    run.to_text(false, ColorChoice::Never)
        .replace(&dir, "DIR")
        .replace(env!("CARGO_MANIFEST_DIR"), "ROOT")
}

/// The YAML block of docs/membership.md's "Policy tests" section.
fn docs_block() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/membership.md")).unwrap();
    let section = text.split("## Policy tests").nth(1).unwrap();
    let start = section.find("```yaml\n").unwrap() + "```yaml\n".len();
    let len = section[start..].find("```").unwrap();
    section[start..start + len].to_string()
}

#[test]
fn the_docs_example_passes() {
    let p = write("docs_example", "tests.yaml", &docs_block());
    let run = rbacc::testing::run(std::slice::from_ref(&p));
    assert_eq!(run.outcome(), Outcome::Passed, "{}", report(&p, &run));
    assert_eq!(run.passed(), 6);
}

const TWO_ROLES: &str = r#"name: one workspace role per user and workspace
preset: airbyte
members:
  edition: self_managed_enterprise
  users: [ines, omar]
  resources:
    instance:main: {members: [ines, omar]}
    organization:main/acme: {members: [omar], roles: {omar: organization_admin}}
    workspace:main/acme/p:
      roles: {omar: [workspace_admin, workspace_reader]}
"#;

#[test]
fn data_rejected_with_the_expected_code_passes() {
    let p = write(
        "rejected_ok",
        "t.yaml",
        &format!("{TWO_ROLES}expect: error E0404\n"),
    );
    let run = rbacc::testing::run(std::slice::from_ref(&p));
    assert_eq!(run.outcome(), Outcome::Passed, "{}", report(&p, &run));
    let case = &run.suites[0].cases[0];
    assert_eq!(case.case.name, "one workspace role per user and workspace");
    assert_eq!(case.actual.as_deref(), Some("error E0404"));
}

#[test]
fn data_rejected_with_another_code_fails_naming_it() {
    let p = write(
        "rejected_other",
        "t.yaml",
        &format!("{TWO_ROLES}expect: error E0403\n"),
    );
    let run = rbacc::testing::run(std::slice::from_ref(&p));
    assert_eq!(run.outcome(), Outcome::Failed);
    insta::assert_snapshot!(report(&p, &run));
}

#[test]
fn data_that_loads_fails_an_expected_error() {
    let text = TWO_ROLES.replace("[workspace_admin, workspace_reader]", "workspace_admin");
    let p = write(
        "rejected_none",
        "t.yaml",
        &format!("{text}expect: error E0404\n"),
    );
    let run = rbacc::testing::run(std::slice::from_ref(&p));
    assert_eq!(run.outcome(), Outcome::Failed);
    insta::assert_snapshot!(report(&p, &run));
}

#[test]
fn a_policy_rejected_with_the_expected_code_passes() {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(d).unwrap();
    let bad = "scope organization \"Organization\"\npermissions on organization { organization.view \"View\" }\nrole viewer on organization \"Viewer\" { grant organization.veiw }\n";
    std::fs::write(d.join("bad.rbac"), bad).unwrap();
    let probe = rbacc::check("bad.rbac", bad);
    let code = probe
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .map(|d| d.code)
        .expect("the policy has an error");
    assert_eq!(code, "E0101");
    let p = write(
        "policy_rejected",
        "t.yaml",
        &format!("policy: bad.rbac\nmembers: {{users: [a]}}\nexpect: error {code}\n"),
    );
    let run = rbacc::testing::run(std::slice::from_ref(&p));
    assert_eq!(run.outcome(), Outcome::Passed, "{}", report(&p, &run));
}

#[test]
fn expect_error_is_checked_when_read() {
    for (expect, message) in [
        ("error E9999", "unknown diagnostic code `E9999`"),
        ("E0404", "a document's `expect` is `error CODE`"),
    ] {
        let p = write(
            "expect_bad",
            "t.yaml",
            &format!("{TWO_ROLES}expect: {expect}\n"),
        );
        let run = rbacc::testing::run(std::slice::from_ref(&p));
        assert_eq!(run.outcome(), Outcome::Error);
        assert!(
            run.load_errors[0].message.contains(message),
            "{}",
            run.load_errors[0].message
        );
        assert!(run.load_errors[0].message.contains("t.yaml:11:9"));
    }
    let p = write(
        "expect_with_cases",
        "t.yaml",
        &format!("{TWO_ROLES}expect: error E0404\ncases:\n  - {{name: x, user: omar, permission: p, resource: r, expect: allow}}\n"),
    );
    let run = rbacc::testing::run(&[p]);
    assert_eq!(run.outcome(), Outcome::Error);
    assert!(run.load_errors[0].message.contains("has no `cases`"));
}

const TOOLJET: &str = "preset: tooljet\nmembers: ../../examples/tooljet/members.yaml\ncases:\n";

#[test]
fn holds_lists_roles_of_every_origin() {
    let p = write(
        "holds_ok",
        "t.yaml",
        &format!(
            "{TOOLJET}  - name: group upgrade\n    holds: {{user: dina, resource: workspace:main/acme}}\n    expect: [builder, end_user]\n  - name: bound\n    holds: {{user: adam, resource: workspace:main/acme}}\n    expect: [admin]\n  - name: nothing outside\n    holds: {{user: gita, resource: workspace:main/acme}}\n    expect: []\n"
        ),
    );
    let run = rbacc::testing::run(std::slice::from_ref(&p));
    assert_eq!(run.outcome(), Outcome::Passed, "{}", report(&p, &run));
}

#[test]
fn holds_failure_names_each_role_and_its_origin() {
    let p = write(
        "holds_fail",
        "t.yaml",
        &format!("{TOOLJET}  - name: group upgrade\n    holds: {{user: dina, resource: workspace:main/acme}}\n    expect: [end_user]\n"),
    );
    let run = rbacc::testing::run(std::slice::from_ref(&p));
    assert_eq!(run.outcome(), Outcome::Failed);
    insta::assert_snapshot!(report(&p, &run));
}

#[test]
fn what_can_compares_sets_and_explains_the_difference() {
    let ok = write(
        "what_can_ok",
        "t.yaml",
        &format!("{TOOLJET}  - name: an End User upgraded by a group\n    what_can: {{user: dina, resource: workspace:main/acme}}\n    expect: [workspace.folders.manage, workspace.apps.manage, workspace.data_sources.manage, workspace.constants.manage]\n"),
    );
    let run = rbacc::testing::run(std::slice::from_ref(&ok));
    assert_eq!(run.outcome(), Outcome::Passed, "{}", report(&ok, &run));
    let bad = write(
        "what_can_fail",
        "t.yaml",
        &format!("{TOOLJET}  - name: an End User upgraded by a group\n    what_can: {{user: dina, resource: workspace:main/acme}}\n    expect: [workspace.apps.manage, workspace.users.manage]\n"),
    );
    let run = rbacc::testing::run(std::slice::from_ref(&bad));
    assert_eq!(run.outcome(), Outcome::Failed);
    insta::assert_snapshot!(report(&bad, &run));
}

#[test]
fn unknown_expected_names_are_errors_not_failures() {
    let p = write(
        "unknown_names",
        "t.yaml",
        &format!("{TOOLJET}  - name: a\n    holds: {{user: dina, resource: workspace:main/acme}}\n    expect: [buildr]\n  - name: b\n    what_can: {{user: dina, resource: workspace:main/acme}}\n    expect: [workspace.apps.manag]\n  - name: c\n    holds: {{user: dinah, resource: workspace:main/acme}}\n    expect: []\n"),
    );
    let run = rbacc::testing::run(std::slice::from_ref(&p));
    assert_eq!(run.errors(), 3);
    let msgs: Vec<String> = run.suites[0]
        .cases
        .iter()
        .map(|c| match &c.status {
            Status::Error(m) => m.clone(),
            s => panic!("{s:?}"),
        })
        .collect();
    assert!(
        msgs[0].contains("unknown role `buildr`; did you mean `builder`?"),
        "{}",
        msgs[0]
    );
    assert!(
        msgs[1].contains("unknown permission `workspace.apps.manag`"),
        "{}",
        msgs[1]
    );
    assert!(msgs[2].contains("dinah"), "{}", msgs[2]);
}

#[test]
fn malformed_new_cases_are_located() {
    for (case, message) in [
        ("holds: {user: dina, resource: workspace:main/acme}\n    expect: allow", "a `holds` case expects a list of roles"),
        ("what_can: {user: dina}\n    expect: []", "`what_can` needs `resource`"),
        ("what_can: {user: dina, resource: r}\n    holds: {user: dina, resource: r}\n    expect: []", "give one of `who_can`, `what_can` and `holds`"),
        ("holds: {user: dina, resource: r}\n    user: dina\n    expect: []", "has no `user`, `permission` or `resource`"),
    ] {
        let p = write("malformed", "t.yaml", &format!("{TOOLJET}  - name: x\n    {case}\n"));
        let run = rbacc::testing::run(&[p]);
        assert_eq!(run.outcome(), Outcome::Error);
        let m = &run.load_errors[0].message;
        assert!(m.contains(message), "{m}");
        assert!(m.contains("malformed-t.yaml:"), "{m}");
    }
}

#[test]
fn the_binary_runs_an_expect_error_document_found_in_a_directory() {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dir_search");
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join("t.yaml");
    std::fs::write(&p, format!("{TWO_ROLES}expect: error E0404\n")).unwrap();
    let o = run(rbacc().args(["test", p.parent().unwrap().to_str().unwrap()]));
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout
            .contains("ok     one workspace role per user and workspace"),
        "{}",
        o.stdout
    );
    let o = run(rbacc().args(["test", p.to_str().unwrap(), "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["suites"][0]["cases"][0]["expected"], "error E0404");
    assert_eq!(v["suites"][0]["cases"][0]["status"], "pass");
}
