//! UI tests: every `tests/ui/**/*.rbac` file is checked and snapshotted
//! (source, diagnostics rendered without colour, exit status of
//! `rbacc check`), and the shipped presets and examples must be clean.
//!
//! A file named after a code (`E0104_include_cycle_three.rbac`) must report
//! that code; a file under `tests/ui/clean/` must report nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory of the ui cases.
fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui")
}

/// A case's path relative to `tests/ui`, with `/` separators on every OS, so
/// that names in snapshots are stable.
fn relative(path: &Path) -> String {
    let rel = path.strip_prefix(ui_dir()).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The exit status `rbacc check` gives for a case, and its stderr.
fn run_cli(rel: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rbacc"))
        .current_dir(ui_dir())
        .env("NO_COLOR", "1")
        .args(["check", "--color", "never", rel])
        .output()
        .expect("run rbacc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The code a case is named after (`E0104_...` gives `E0104`), if any.
fn code_in_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let code = stem.split('_').next()?;
    let well_formed = code.len() == 5
        && code.starts_with(['E', 'W'])
        && code.chars().skip(1).all(|c| c.is_ascii_digit());
    well_formed.then(|| code.to_string())
}

#[test]
fn ui() {
    // Adding a case means dropping a `.rbac` file into a folder under
    // tests/ui/ (parse, resolve, analyse, eval, clean, …) and running
    // `INSTA_UPDATE=always cargo test --test ui`; read the new
    // tests/ui/snapshots/*.snap before committing it.
    let mut problems: Vec<String> = Vec::new();
    insta::glob!("ui/**/*.rbac", |path| {
        let source = std::fs::read_to_string(path).expect("ui cases are UTF-8");
        let name = relative(path);
        let report = rbacc::check(&name, &source);
        let rendered = report.to_plain_string();
        let (status, stderr) = run_cli(&name);

        // The CLI prints exactly what the library renders, then a summary.
        if !stderr.starts_with(&rendered) {
            problems.push(format!(
                "{name}: `rbacc check` printed something else than the library:\n{stderr}"
            ));
        }
        let expected_status = i32::from(report.has_errors());
        if status != expected_status {
            problems.push(format!(
                "{name}: exit status {status}, expected {expected_status}"
            ));
        }
        let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
        if let Some(code) = code_in_name(path) {
            if !codes.contains(&code.as_str()) {
                problems.push(format!(
                    "{name} is named after {code} but reports {codes:?}"
                ));
            }
        }
        if name.starts_with("clean/") && !codes.is_empty() {
            problems.push(format!("{name} should be clean, reports {codes:?}"));
        }

        let snapshot = format!(
            "----- SOURCE {name}\n{source}{newline}----- DIAGNOSTICS\n{rendered}----- EXIT STATUS\n{status}\n",
            newline = if source.is_empty() || source.ends_with('\n') { "" } else { "\n" },
        );
        insta::with_settings!({
            snapshot_path => "ui/snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(snapshot);
        });
    });
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn presets_and_examples_are_clean() {
    // Every shipped preset and example must check with no error and no
    // warning; adding one means dropping a file into policies/ or examples/.
    for dir in ["../policies", "../examples"] {
        insta::glob!(dir, "*.rbac", |path| {
            let source = std::fs::read_to_string(path).expect("policies are UTF-8");
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let report = rbacc::check(&name, &source);
            assert!(
                report.diagnostics.is_empty(),
                "{name} is not clean:\n{}",
                report.to_plain_string()
            );
        });
    }
}

/// Every error code of the parse and resolve stages has a ui case named
/// after it, or a test of its own below.
#[test]
fn every_stage_code_has_a_case() {
    let tested_here = ["E0005", "E0117"]; // generated inputs, below
    let tested_by_cli = ["E0006"]; // invalid UTF-8 needs bytes; see tests/cli.rs
    let mut named = Vec::new();
    for stage in ["parse", "resolve"] {
        for entry in std::fs::read_dir(ui_dir().join(stage)).unwrap() {
            if let Some(code) = code_in_name(&entry.unwrap().path()) {
                named.push(code);
            }
        }
    }
    let missing: Vec<&str> = rbacc::diagnostic::codes::CODES
        .iter()
        .map(|c| c.code)
        .filter(|c| c.starts_with("E00") || c.starts_with("E01"))
        .filter(|c| !named.iter().any(|n| n == c))
        .filter(|c| !tested_here.contains(c) && !tested_by_cli.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes with no ui case: {missing:?}");
}

#[test]
fn e0005_file_too_large() {
    // One byte over the limit, made of comment lines so that only the size
    // is wrong.
    let limit = rbacc::internals::limits::MAX_POLICY_BYTES;
    let line = "// padding padding padding padding padding padding padding\n";
    let mut source = line.repeat(limit / line.len() + 1);
    source.truncate(limit + 1);
    let report = rbacc::check("big.rbac", &source);
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["E0005"]);
    let text = report.to_plain_string();
    assert!(
        text.contains(&format!("larger than the limit of {limit} bytes")),
        "{text}"
    );
    // Exactly at the limit is accepted.
    source.truncate(limit);
    let at_limit = rbacc::check("big.rbac", &source);
    assert!(
        !at_limit.diagnostics.iter().any(|d| d.code == "E0005"),
        "{}",
        at_limit.to_plain_string()
    );
}

#[test]
fn e0117_too_many_roles_and_permissions() {
    use std::fmt::Write;
    let roles = rbacc::internals::limits::MAX_ROLES + 1;
    let perms = rbacc::internals::limits::MAX_PERMISSIONS + 1;
    let mut source = String::from("scope org \"Org\"\npermissions on org {\n");
    for i in 0..perms {
        writeln!(source, "  org.p{i} \"P{i}\"").unwrap();
    }
    source.push_str("}\n");
    for i in 0..roles {
        writeln!(source, "role r{i} on org \"R{i}\" {{ grant org.p{i} }}").unwrap();
    }
    let report = rbacc::check("many.rbac", &source);
    let e0117: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "E0117")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        e0117,
        [
            format!(
                "the policy declares {roles} roles, more than the limit of {}",
                rbacc::internals::limits::MAX_ROLES
            ),
            format!(
                "the policy declares {perms} permissions, more than the limit of {}",
                rbacc::internals::limits::MAX_PERMISSIONS
            ),
        ]
    );
}
