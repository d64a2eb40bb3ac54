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
        ("what_can: {user: dina, resource: r}\n    holds: {user: dina, resource: r}\n    expect: []", "give one of `who_can`, `what_can`, `holds` and `assigns`"),
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

// ------------------------------------------------ --filter and --format junit

/// Two cases: one passes, one (with markup and a control character in its
/// name) fails.
fn two_cases() -> PathBuf {
    write(
        "runner",
        "t.yaml",
        &format!(
            "{TOOLJET}  - name: group upgrade holds builder\n    holds: {{user: dina, resource: workspace:main/acme}}\n    expect: [builder, end_user]\n  - name: \"broken <&\\\"'> \\x01 expectation\"\n    holds: {{user: dina, resource: workspace:main/acme}}\n    expect: [end_user]\n"
        ),
    )
}

#[test]
fn filter_runs_only_the_cases_whose_name_contains_it() {
    let p = two_cases();
    let path = p.to_str().unwrap();
    let o = run(rbacc().args(["test", path, "--filter", "upgrade"]));
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(
        o.stdout.contains("ok     group upgrade holds builder"),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains("broken"), "{}", o.stdout);
    assert!(o.stdout.contains("1 passed; 0 failed"), "{}", o.stdout);
    let o = run(rbacc().args(["test", path, "--filter", "broken"]));
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("0 passed; 1 failed"), "{}", o.stdout);
    let o = run(rbacc().args(["test", path]));
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("1 passed; 1 failed"), "{}", o.stdout);
}

#[test]
fn a_filter_that_matches_nothing_fails_the_run() {
    let p = two_cases();
    for format in ["human", "json", "junit"] {
        let o = run(rbacc().args([
            "test",
            p.to_str().unwrap(),
            "--filter",
            "zzz",
            "--format",
            format,
        ]));
        assert_eq!(o.code, 1, "{format}: {}{}", o.stdout, o.stderr);
        assert!(
            o.stdout
                .contains("no test case has a name containing `zzz` (`--filter`)"),
            "{format}: {}",
            o.stdout
        );
    }
}

/// A small XML 1.0 well-formedness check: one root element, tags nested
/// and closed, attribute values quoted and free of `<`, every `&` an
/// entity reference, no control characters but tab and line ends. Returns
/// the elements' names in document order.
fn well_formed(xml: &str) -> Vec<String> {
    fn entities(text: &str) {
        assert!(
            !text
                .chars()
                .any(|c| (c as u32) < 0x20 && !"\t\n\r".contains(c)),
            "control character in {text:?}"
        );
        let mut rest = text;
        while let Some(i) = rest.find('&') {
            rest = &rest[i + 1..];
            let end = rest
                .find(';')
                .unwrap_or_else(|| panic!("bare & in {text:?}"));
            let name = &rest[..end];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&name),
                "unknown entity &{name}; in {text:?}"
            );
        }
    }
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut rest = body;
    let mut roots = 0;
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        assert!(!text.contains('>'), "stray > in {text:?}");
        entities(text);
        if stack.is_empty() {
            assert!(text.trim().is_empty(), "text outside the root: {text:?}");
        }
        let end = rest[i..].find('>').expect("unclosed tag") + i;
        let tag = &rest[i + 1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
            continue;
        }
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(t) => (t, true),
            None => (tag, false),
        };
        let name_len = tag.find(char::is_whitespace).unwrap_or(tag.len());
        let name = &tag[..name_len];
        assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        // Attributes: name="value" pairs.
        let mut attrs = tag[name_len..].trim_start();
        while !attrs.is_empty() {
            let eq = attrs.find("=\"").expect("attribute without =\"");
            let value_end = attrs[eq + 2..].find('"').expect("unclosed attribute") + eq + 2;
            let value = &attrs[eq + 2..value_end];
            assert!(!value.contains('<'), "< in attribute {value:?}");
            entities(value);
            attrs = attrs[value_end + 1..].trim_start();
        }
        if stack.is_empty() {
            roots += 1;
        }
        names.push(name.to_string());
        if !empty {
            stack.push(name.to_string());
        }
    }
    assert!(rest.trim().is_empty(), "text after the root: {rest:?}");
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1, "one root element");
    names
}

#[test]
fn junit_report_is_well_formed_and_escaped() {
    let p = two_cases();
    let o = run(rbacc().args(["test", p.to_str().unwrap(), "--format", "junit"]));
    assert_eq!(o.code, 1, "{}", o.stderr);
    let names = well_formed(&o.stdout);
    assert_eq!(names.first().map(String::as_str), Some("testsuites"));
    assert_eq!(names.iter().filter(|n| *n == "testcase").count(), 2);
    assert_eq!(names.iter().filter(|n| *n == "failure").count(), 1);
    assert!(
        o.stdout
            .contains("<testsuites name=\"rbacc test\" tests=\"2\" failures=\"1\" errors=\"0\">"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("name=\"broken &lt;&amp;&quot;&apos;&gt; \\u{1} expectation\""),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .contains("expected [end_user], got [builder, end_user]"),
        "{}",
        o.stdout
    );
    // Passing, filtered, and a file that does not load: still well formed.
    let o = run(rbacc().args([
        "test",
        p.to_str().unwrap(),
        "--format",
        "junit",
        "--filter",
        "upgrade",
    ]));
    assert_eq!(o.code, 0);
    well_formed(&o.stdout);
    let o = run(rbacc().args(["test", "missing.yaml", "--format", "junit"]));
    assert_eq!(o.code, 2);
    assert!(
        well_formed(&o.stdout).contains(&"error".to_string()),
        "{}",
        o.stdout
    );
}

#[test]
fn the_well_formedness_check_rejects_broken_xml() {
    for bad in [
        "<a><b></a></b>",
        "<a x=\"1 & 2\"/>",
        "<a>1 < 2</a>",
        "<a x=1/>",
        "<a/><b/>",
        "<a>\u{1}</a>",
    ] {
        let doc = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{bad}");
        assert!(
            std::panic::catch_unwind(|| well_formed(&doc)).is_err(),
            "accepted {bad}"
        );
    }
}
