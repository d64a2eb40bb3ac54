//! The statements of each preset's document, as `rbacc test` cases
//! (tests/presets/<preset>.yaml over examples/<preset>/members.yaml), must
//! all hold, and together exercise every cell of each preset's matrix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/presets")
}

#[test]
fn every_preset_statement_holds() {
    let run = rbacc::testing::run(&[dir()]);
    assert!(
        run.success(),
        "{}",
        run.to_text(false, rbacc::diagnostic::ColorChoice::Never)
    );
    assert_eq!(run.outcome(), rbacc::testing::Outcome::Passed);
}

#[test]
fn every_preset_has_a_test_file_and_an_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = rbacc::testing::run(&[dir()]);
    for preset in rbacc::presets::PRESETS {
        let file = dir().join(format!("{}.yaml", preset.name));
        assert!(file.is_file(), "no test file for preset `{}`", preset.name);
        let example = root.join(format!("examples/{}/members.yaml", preset.name));
        assert!(
            example.is_file(),
            "no example data for preset `{}`",
            preset.name
        );
        let cases: usize = run
            .suites
            .iter()
            .filter(|s| s.policy == format!("preset {}", preset.name))
            .map(|s| s.cases.len())
            .sum();
        assert!(
            cases >= 20,
            "preset `{}` has only {cases} cases",
            preset.name
        );
        // The first document of each file runs on the shipped example.
        let first = run
            .suites
            .iter()
            .find(|s| s.file.ends_with(&format!("{}.yaml", preset.name)))
            .unwrap();
        assert!(
            first
                .members
                .ends_with(&format!("examples/{}/members.yaml", preset.name)),
            "{} runs on {}",
            preset.name,
            first.members
        );
    }
}

#[test]
fn every_matrix_cell_is_exercised() {
    // Every cell of every table: own roles, enclosing roles ("via"),
    // configurable cells, and deny cells.
    let run = rbacc::testing::run(&[dir()]);
    let policies: Vec<String> = run.coverage().iter().map(|c| c.policy.clone()).collect();
    for preset in rbacc::presets::PRESETS {
        assert!(
            policies.contains(&format!("preset {}", preset.name)),
            "no coverage for preset `{}`",
            preset.name
        );
    }
    for cov in run.coverage() {
        assert!(cov.cells > 0, "{}: no cells", cov.policy);
        assert!(
            cov.not_exercised.is_empty() && cov.deny_not_exercised.is_empty(),
            "{}: cells no case exercises: {:?} {:?}",
            cov.policy,
            cov.not_exercised,
            cov.deny_not_exercised
        );
        assert!(
            (cov.percent() - 100.0).abs() < f64::EPSILON,
            "{}",
            cov.policy
        );
    }
}

#[test]
fn each_preset_passes_fail_under_100_in_the_cli() {
    for preset in rbacc::presets::PRESETS {
        let file = dir().join(format!("{}.yaml", preset.name));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rbacc"))
            .args(["test", "--coverage", "--fail-under", "100"])
            .arg(&file)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{}:\n{stdout}", preset.name);
        assert!(
            stdout.contains(&format!("coverage of preset {}: ", preset.name))
                && stdout.contains("(100.0% of "),
            "{stdout}"
        );
    }
}

#[test]
fn a_wrong_expectation_fails_with_its_explanation() {
    let dir = std::env::temp_dir().join(format!("rbacc-preset-cases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let members = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/astro/members.yaml");
    let file = dir.join("wrong.yaml");
    std::fs::write(
        &file,
        format!(
            "preset: astro\nmembers: {}\ncases:\n  - name: a Member views DAGs\n    user: dev\n    permission: workspace.dags.view\n    resource: workspace:acme/ml\n    expect: allow\n",
            members.display()
        ),
    )
    .unwrap();
    // The data lies outside the test file's directory: allowed explicitly.
    let options = rbacc::testing::Options {
        allowed: vec![PathBuf::from(env!("CARGO_MANIFEST_DIR"))],
        ..Default::default()
    };
    let run = rbacc::testing::run_with(&[file], &options);
    assert_eq!((run.passed(), run.failed(), run.errors()), (0, 1, 0));
    assert_eq!(run.outcome(), rbacc::testing::Outcome::Failed);
    let text = run.to_text(false, rbacc::diagnostic::ColorChoice::Never);
    assert!(text.contains("expected allow, got deny"), "{text}");
    assert!(text.contains("needs a role that grants it"), "{text}");
    assert!(text.contains("wrong.yaml:4:5"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
