//! UI tests of membership data errors: every `tests/ui/members/*.yaml` file
//! is loaded against the policy its first line names (`# preset: NAME` or
//! `# policy: PATH`, relative to the case) and must be refused; the rendered
//! diagnostics (no colour, `file:line:col`) are snapshotted.
//!
//! A case is named after the code it must report (`E0406_resource_twice`).
//! Adding one: drop a file into tests/ui/members/, run
//! `INSTA_UPDATE=always cargo test --test members_ui`, read the new
//! tests/ui/members/snapshots/*.snap, commit it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::root;
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    root().join("tests/ui/members")
}

/// The policy a case names on its first line.
fn policy_of(path: &Path, text: &str) -> rbacc::Policy {
    let first = text.lines().next().unwrap_or("");
    if let Some(name) = first.strip_prefix("# preset:") {
        let preset = rbacc::presets::get(name.trim()).expect("a known preset");
        rbacc::compile(&format!("policies/{}.rbac", preset.name), preset.source)
            .expect("presets compile")
    } else if let Some(rel) = first.strip_prefix("# policy:") {
        let p = path.parent().unwrap().join(rel.trim());
        let source = std::fs::read_to_string(&p).expect("the named policy exists");
        rbacc::compile(&p.display().to_string(), &source).expect("the named policy compiles")
    } else {
        panic!(
            "{}: the first line must be `# preset: NAME` or `# policy: PATH`",
            path.display()
        );
    }
}

/// The code a case is named after.
fn code_in_name(path: &Path) -> String {
    let stem = path.file_stem().unwrap().to_str().unwrap();
    stem.split('_').next().unwrap().to_string()
}

#[test]
fn members() {
    let mut problems = Vec::new();
    insta::glob!("ui/members/*.yaml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = format!(
            "tests/ui/members/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let policy = policy_of(path, &text);
        let report = match rbacc::Members::from_yaml(&policy, &name, &text) {
            Ok(_) => {
                problems.push(format!("{name}: loaded without error"));
                return;
            }
            Err(report) => report,
        };
        let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
        let code = code_in_name(path);
        if !codes.contains(&code.as_str()) {
            problems.push(format!(
                "{name} is named after {code} but reports {codes:?}"
            ));
        }
        let rendered = report.to_plain_string();
        if !rendered.contains(&format!("{name}:")) {
            problems.push(format!("{name}: the diagnostic shows no file:line:col"));
        }
        let snapshot = format!("----- SOURCE {name}\n{text}----- DIAGNOSTICS\n{rendered}");
        insta::with_settings!({
            snapshot_path => "ui/members/snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(snapshot);
        });
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `tests/ui/members/warnings/*.yaml` file loads, with the warning
/// its name starts with; the rendered warnings are snapshotted.
#[test]
fn warnings() {
    let mut problems = Vec::new();
    insta::glob!("ui/members/warnings/*.yaml", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = format!(
            "tests/ui/members/warnings/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let policy = policy_of(path, &text);
        let members = match rbacc::Members::from_yaml(&policy, &name, &text) {
            Ok(m) => m,
            Err(report) => {
                problems.push(format!("{name}: refused: {report}"));
                return;
            }
        };
        let Some(report) = members.warning_report(&text) else {
            problems.push(format!("{name}: no warning"));
            return;
        };
        let code = code_in_name(path);
        if !report.diagnostics.iter().all(|d| d.code == code) {
            problems.push(format!("{name} is named after {code}"));
        }
        let rendered = report.to_plain_string();
        let snapshot = format!("----- SOURCE {name}\n{text}----- DIAGNOSTICS\n{rendered}");
        insta::with_settings!({
            snapshot_path => "ui/members/warnings/snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(snapshot);
        });
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every membership code (E0401–E0410) has a case named after it.
#[test]
fn every_members_code_has_a_case() {
    let named: Vec<String> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| code_in_name(&p))
        .collect();
    let missing: Vec<&str> = rbacc::diagnostic::codes::CODES
        .iter()
        .map(|c| c.code)
        .filter(|c| c.starts_with("E04"))
        // E0411 (hidden characters in YAML comments) is found by the
        // commands before the data is loaded: tests/hostile.rs.
        .filter(|c| *c != "E0411")
        .filter(|c| !named.iter().any(|n| n == c))
        .collect();
    assert!(
        missing.is_empty(),
        "membership codes with no ui case: {missing:?}"
    );
}

/// The YAML reader's alias limit refuses a bomb quickly, whatever its
/// size: doubling the fan-out must not make loading hang.
#[test]
fn alias_bombs_are_refused_quickly() {
    let policy = rbacc::compile(
        "tooljet.rbac",
        rbacc::presets::get("tooljet").unwrap().source,
    )
    .unwrap();
    for k in [32usize, 128, 512] {
        let mut text = String::from(
            "users: [ana]\nresources:\n  instance:main: {}\n  workspace:main/w0: &w\n    roles:\n",
        );
        text.push_str(&format!(
            "      u0: &l [&x admin{}]\n",
            ", *x".repeat(k - 1)
        ));
        for i in 1..k {
            text.push_str(&format!("      u{i}: *l\n"));
        }
        for i in 1..k {
            text.push_str(&format!("  workspace:main/w{i}: *w\n"));
        }
        let start = std::time::Instant::now();
        let result = rbacc::Members::from_yaml(&policy, "bomb.yaml", &text);
        let elapsed = start.elapsed();
        let report = result.expect_err("a bomb is refused");
        assert_eq!(
            report.diagnostics.first().map(|d| d.code),
            Some("E0407"),
            "{report}"
        );
        assert!(elapsed.as_secs() < 10, "fan-out {k}: {elapsed:?}");
    }
}

/// The wide alias bombs of issue 13: one anchored list of N names used as
/// the members of N resources (10,000 × 10,000 in a 348 KB file took 64 s
/// and 10.2 GB; 5,000 × 5,000 loaded and answered `allow`). They are
/// refused at the resource where the written-out size passes the budget
/// of the text, before anything is built.
#[test]
fn wide_alias_bombs_are_refused_at_once() {
    let policy =
        rbacc::compile("astro.rbac", rbacc::presets::get("astro").unwrap().source).unwrap();
    for n in [5_000usize, 10_000] {
        let names: Vec<String> = (0..n).map(|i| format!("u{i}")).collect();
        let mut text = format!(
            "users: &u [{}]\nresources:\n  organization:o: {{}}\n",
            names.join(", ")
        );
        for i in 0..n {
            text.push_str(&format!("  workspace:o/w{i}: {{members: *u}}\n"));
        }
        let budget = rbacc::internals::membership::node_budget(text.len());
        let report = rbacc::Members::from_yaml(&policy, "bomb.yaml", &text)
            .expect_err("a wide alias bomb is refused");
        let d = report.diagnostics.first().unwrap();
        assert_eq!(d.code, "E0407", "{report}");
        // Refused at the first resource whose members pass the budget:
        // the top holds n + 7 nodes (the mapping, `users`, the list and
        // its n names, `resources`, its mapping, the organization and its
        // body), and each resource adds n + 4 (its id, its body,
        // `members`, and the alias written out: the list and its names).
        let n64 = n as u64;
        let first_over = (budget - (n64 + 7)) / (n64 + 4) + 1;
        let line = 3 + first_over as usize;
        assert!(
            report
                .to_plain_string()
                .contains(&format!("bomb.yaml:{line}:")),
            "expected line {line}: {report}"
        );
    }
}

/// The CLI prints the data's warnings when it loads the data.
#[test]
fn the_cli_prints_data_warnings() {
    let out = assert_cmd::Command::cargo_bin("rbacc")
        .unwrap()
        .current_dir(root())
        .args([
            "eval",
            "--color",
            "never",
            "--preset",
            "astro",
            "-m",
            "tests/ui/members/warnings/W0412_look_alike_names.yaml",
            "alice",
            "organization.view",
            "organization:acme",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning[W0412]"), "{err}");
    assert!(err.contains("W0412_look_alike_names.yaml:3:16"), "{err}");
}
