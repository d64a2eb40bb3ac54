//! Case-level `expect: error CODE`: a case gives its own `members:` data,
//! loaded against the document's policy; it passes when the data is
//! refused with a diagnostic of that code, fails naming the codes found
//! when another code (or none) comes. And `assigns` cases: the roles a
//! user may assign on a resource, optionally through one permission.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rbacc::diagnostic::ColorChoice;
use rbacc::testing::{Outcome, Status};
use std::path::{Path, PathBuf};

fn write(name: &str, text: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(d).unwrap();
    let p = d.join(format!("case-expect-{name}.yaml"));
    std::fs::write(&p, text).unwrap();
    p
}

fn text(run: &rbacc::testing::Run) -> String {
    run.to_text(false, ColorChoice::Never)
}

/// A document with one ordinary case and one case with its own data.
fn doc(roles: &str, expect: &str) -> String {
    format!(
        r#"preset: airbyte
members:
  edition: self_managed_enterprise
  users: [omar]
  resources:
    instance:main: {{members: [omar]}}
    organization:main/acme: {{roles: {{omar: organization_admin}}}}
cases:
  - {{name: an Organization Admin reads the organization, user: omar, permission: organization.read, resource: organization:main/acme, expect: allow}}
  - name: two workspace roles in one workspace are refused
    members:
      edition: self_managed_enterprise
      users: [omar]
      resources:
        instance:main: {{members: [omar]}}
        organization:main/acme: {{roles: {{omar: organization_admin}}}}
        workspace:main/acme/p:
          roles: {{omar: {roles}}}
    expect: {expect}
"#
    )
}

#[test]
fn data_refused_with_the_code_passes() {
    let p = write(
        "ok",
        &doc("[workspace_admin, workspace_reader]", "error E0404"),
    );
    let run = rbacc::testing::run(&[p]);
    assert_eq!(run.outcome(), Outcome::Passed, "{}", text(&run));
    assert_eq!(run.passed(), 2);
    let case = &run.suites[0].cases[1];
    assert_eq!(case.actual.as_deref(), Some("error E0404"));
}

#[test]
fn another_code_fails_naming_the_codes_found() {
    let p = write(
        "other",
        &doc("[workspace_admin, workspace_reader]", "error E0403"),
    );
    let run = rbacc::testing::run(&[p]);
    assert_eq!(run.outcome(), Outcome::Failed);
    assert_eq!((run.passed(), run.failed()), (1, 1));
    let t = text(&run);
    assert!(t.contains("expected error E0403, got error E0404"), "{t}");
    assert!(t.contains("E0404: "), "{t}");
    assert!(t.contains("case-expect-other.yaml:10:5"), "{t}");
}

#[test]
fn data_that_loads_fails() {
    let p = write("loads", &doc("workspace_admin", "error E0404"));
    let run = rbacc::testing::run(&[p]);
    assert_eq!(run.outcome(), Outcome::Failed);
    let t = text(&run);
    assert!(
        t.contains("expected error E0404, got no error: the policy and data loaded"),
        "{t}"
    );
}

#[test]
fn a_case_expecting_an_error_needs_its_own_data_and_no_query() {
    for (case, message) in [
        (
            "{name: x, user: omar, permission: organization.read, resource: organization:main/acme, expect: error E0404}",
            "gives its own `members:` data",
        ),
        (
            "{name: x, user: omar, permission: organization.read, resource: organization:main/acme, members: {users: [a]}, expect: error E0404}",
            "asks nothing",
        ),
        (
            "{name: x, user: omar, permission: organization.read, resource: organization:main/acme, members: {users: [a]}, expect: allow}",
            "for `expect: error CODE` only",
        ),
        (
            "{name: x, members: {users: [a]}, expect: error E9999}",
            "unknown diagnostic code `E9999`",
        ),
        (
            "{name: x, members: {users: [a]}, expect: error W0301}",
            "is a warning",
        ),
    ] {
        let p = write(
            "bad",
            &format!("preset: airbyte\nmembers: {{users: [omar]}}\ncases:\n  - {case}\n"),
        );
        let run = rbacc::testing::run(&[p]);
        assert_eq!(run.outcome(), Outcome::Error, "{case}");
        let m = &run.load_errors[0].message;
        assert!(m.contains(message), "{case}: {m}");
        assert!(m.contains("case-expect-bad.yaml:4:"), "{m}");
    }
}

#[test]
fn a_missing_data_file_is_an_error_of_the_case() {
    let p = write(
        "missing",
        "preset: astro\nmembers: {users: [omar]}\ncases:\n  - {name: x, members: no-such-file.yaml, expect: error E0404}\n",
    );
    let run = rbacc::testing::run(&[p]);
    assert_eq!(run.outcome(), Outcome::Error);
    let case = &run.suites[0].cases[0];
    assert!(
        matches!(&case.status, Status::Error(m) if m.contains("no-such-file.yaml")),
        "{:?}",
        case.status
    );
}

const ASTRO: &str = r#"preset: astro
members:
  users: [ana, dev]
  resources:
    organization:acme:
      members: [ana, dev]
      roles: {dev: organization_billing_admin}
    workspace:acme/ml: {}
cases:
"#;

#[test]
fn assigns_lists_roles_through_held_permissions() {
    let p = write(
        "assigns",
        &format!(
            "{ASTRO}  - {{name: owner, assigns: {{user: ana, resource: organization:acme}}, expect: [organization_member, organization_billing_admin, organization_owner]}}\n  - {{name: through invite, assigns: {{user: ana, resource: organization:acme, permission: organization.members.invite}}, expect: [organization_owner, organization_member, organization_billing_admin]}}\n  - {{name: billing admin, assigns: {{user: dev, resource: organization:acme}}, expect: []}}\n"
        ),
    );
    let run = rbacc::testing::run(&[p]);
    assert_eq!(run.outcome(), Outcome::Passed, "{}", text(&run));
}

#[test]
fn assigns_failure_says_what_differs_and_through_which_permission() {
    let p = write(
        "assigns-fail",
        &format!("{ASTRO}  - {{name: x, assigns: {{user: ana, resource: workspace:acme/ml}}, expect: [workspace_viewer]}}\n  - {{name: y, assigns: {{user: ana, resource: workspace:acme/ml, permission: workspace.roles.updat}}, expect: []}}\n"),
    );
    let run = rbacc::testing::run(&[p]);
    let t = text(&run);
    assert_eq!((run.failed(), run.errors()), (1, 1), "{t}");
    assert!(t.contains("roles ana may assign on workspace:acme/ml: expected [workspace_viewer], got [workspace_admin, workspace_editor, workspace_viewer]"), "{t}");
    assert!(
        t.contains("role `workspace_admin` is there, but not expected"),
        "{t}"
    );
    assert!(
        t.contains(
            "`workspace_admin` is assigned through `workspace.roles.update`, which `ana` holds"
        ),
        "{t}"
    );
    assert!(t.contains("did you mean `workspace.roles.update`?"), "{t}");
}

/// The second YAML block of docs/membership.md's "Policy tests" section
/// (the case-level `expect: error CODE` example), run as written.
#[test]
fn the_docs_example_of_a_case_level_error_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/membership.md")).unwrap();
    let section = page.split("## Policy tests").nth(1).unwrap();
    let block = section.split("```yaml\n").nth(2).unwrap();
    let block = &block[..block.find("```").unwrap()];
    let p = write("docs", block);
    let run = rbacc::testing::run(&[p]);
    assert_eq!(run.outcome(), Outcome::Passed, "{}", text(&run));
    assert_eq!(run.passed(), 1);
}
