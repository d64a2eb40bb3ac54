//! The shipped presets: every file in `policies/` is a preset built into the
//! binary (and the other way round), the built-in text is the file's, and
//! each one compiles with no error and no warning.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn policy_files() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rbac"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_policy_file_is_a_preset() {
    let mut presets: Vec<String> = rbacc::presets::PRESETS
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    presets.sort();
    assert_eq!(presets, policy_files());
}

#[test]
fn built_in_text_is_the_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    for preset in rbacc::presets::PRESETS {
        let file = std::fs::read_to_string(dir.join(format!("{}.rbac", preset.name))).unwrap();
        assert!(
            file == preset.source,
            "{}: built-in text differs",
            preset.name
        );
        assert!(rbacc::presets::get(preset.name).is_some());
    }
}

#[test]
fn presets_compile_without_warnings() {
    for preset in rbacc::presets::PRESETS {
        let name = format!("policies/{}.rbac", preset.name);
        match rbacc::compile(&name, preset.source) {
            Ok(policy) => assert!(
                policy.warnings().is_empty(),
                "{name}:\n{}",
                rbacc::diagnostic::render(
                    policy.sources(),
                    policy.warnings(),
                    rbacc::diagnostic::ColorChoice::Never
                )
            ),
            Err(report) => panic!("{name}:\n{}", report.to_plain_string()),
        }
    }
}

#[test]
fn preset_summaries_are_one_line() {
    for preset in rbacc::presets::PRESETS {
        assert!(
            !preset.summary.is_empty() && !preset.summary.contains('\n'),
            "{}",
            preset.name
        );
    }
}

/// docs/presets.md lists every preset, and each rule it quotes from a
/// preset (a `(`…`)` clause in its "Where the page is silent" table) is in
/// that preset's source.
#[test]
fn the_presets_page_lists_every_preset_and_quotes_their_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read_to_string(root.join("docs/presets.md")).unwrap();
    for preset in rbacc::presets::PRESETS {
        assert!(
            page.contains(&format!("| `{}` |", preset.name)),
            "docs/presets.md does not list `{}`",
            preset.name
        );
    }
    let silent = page.split("## Where the page is silent").nth(1).unwrap();
    let silent = silent.split("\n## ").next().unwrap();
    let mut quoted = 0;
    for row in silent.lines().filter(|l| l.starts_with("| `")) {
        let name = row.split('`').nth(1).unwrap();
        let source = rbacc::presets::get(name).unwrap().source;
        for part in row.split("(`").skip(1) {
            let rule = part.split('`').next().unwrap();
            for piece in rule.split(" … ") {
                assert!(
                    source.contains(piece),
                    "{name}: `{piece}` is not in its source"
                );
            }
            quoted += 1;
        }
    }
    assert!(quoted >= 4, "{quoted}");
}
