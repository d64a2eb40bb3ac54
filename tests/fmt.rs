//! `rbacc fmt`: idempotent, and the formatted policy means what the source
//! meant (same AST, same compiled policy, same diagnostics), on the presets,
//! the examples, every policy of the test suites and generated relayouts of
//! them (random whitespace and comments between tokens).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{rbac_files, rbacc, root, run};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use std::path::PathBuf;

/// Every policy file in the repository's policies, examples and tests.
fn corpus() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for dir in ["policies", "examples", "tests"] {
        rbac_files(&root().join(dir), &mut files);
    }
    files
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            String::from_utf8(bytes).ok().map(|s| (p, s))
        })
        .collect()
}

/// Debug text with every `Span { .. }` and `line:column` number removed:
/// what a layout change may change.
fn without_positions(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let end = after.find(" }").unwrap() + 2;
        out.push_str("Span");
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Digits replaced: notes cite `file:line:column`.
fn without_digits(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// What a policy means: its AST, model and compiled form without
/// positions, or its diagnostics without positions.
fn meaning(source: &str) -> String {
    let ast = match rbacc::internals::syntax::parse(source) {
        Ok(ast) => without_positions(&format!("{ast:?}")),
        Err(e) => return format!("parse errors: {}", e.len()),
    };
    match rbacc::compile("p.rbac", source) {
        Ok(policy) => format!(
            "{ast}\n{}\n{}\n{}",
            without_positions(&format!("{:?}", rbacc::internals::policy::model(&policy))),
            without_positions(&format!(
                "{:?}",
                rbacc::internals::policy::compiled(&policy)
            )),
            diagnostics(policy.warnings())
        ),
        Err(report) => format!("{ast}\n{}", diagnostics(&report.diagnostics)),
    }
}

fn diagnostics(ds: &[rbacc::diagnostic::Diagnostic]) -> String {
    ds.iter()
        .map(|d| {
            format!(
                "{:?} {} {} | {:?} | {} | {} labels",
                d.severity,
                d.code,
                d.message,
                d.help,
                without_digits(&d.notes.join(" / ")),
                d.labels.len()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_formats_well(name: &str, source: &str) {
    let Ok(once) = rbacc::internals::fmt::format(source) else {
        return;
    };
    let twice = rbacc::internals::fmt::format(&once)
        .unwrap_or_else(|e| panic!("{name}: the formatted text does not parse: {e:?}\n{once}"));
    assert_eq!(twice, once, "{name}: formatting is not idempotent");
    let visible = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}'))
            .collect()
    };
    assert_eq!(
        visible(&once),
        visible(source),
        "{name}: formatting changed more than the layout (a comment's text?)"
    );
    assert_eq!(
        meaning(&once),
        meaning(source),
        "{name}: formatting changed the meaning\n{once}"
    );
}

#[test]
fn every_policy_of_the_repository_formats_idempotently_to_the_same_meaning() {
    let files = corpus();
    assert!(files.len() > 100, "found only {} policies", files.len());
    let mut formatted = 0;
    for (path, source) in &files {
        assert_formats_well(&path.display().to_string(), source);
        formatted += usize::from(rbacc::internals::fmt::format(source).is_ok());
    }
    assert!(formatted > 100, "only {formatted} policies parse");
}

#[test]
fn presets_and_examples_are_formatted() {
    let mut files = Vec::new();
    rbac_files(&root().join("policies"), &mut files);
    rbac_files(&root().join("examples"), &mut files);
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            rbacc::internals::fmt::format(&source).unwrap(),
            source,
            "{} is not formatted: run `rbacc fmt {}`",
            path.display(),
            path.display()
        );
    }
}

/// Byte offsets of the whitespace runs between tokens (outside strings and
/// comments) of a formatted policy, and whether the run ends a `//`
/// comment's line (its replacement must then keep a line end).
fn gaps(source: &str) -> Vec<(usize, usize, bool)> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut after_line_comment = false;
    while i < bytes.len() {
        let was_after = std::mem::take(&mut after_line_comment);
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                after_line_comment = true;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b' ' | b'\n' => {
                let start = i;
                while i < bytes.len() && matches!(bytes[i], b' ' | b'\n') {
                    i += 1;
                }
                out.push((start, i, was_after));
            }
            _ => i += 1,
        }
    }
    out
}

const FILLERS: &[&str] = &[
    " ",
    "\n",
    "\n\n\n",
    "\t \t",
    "\r\n",
    " /* c */ ",
    "/*x*/",
    " // line\n",
    "\n// own line\n\n",
    "\n  /* two\n  lines */\n",
    "  // a\n  // b\n",
];

fn relayout(source: &str, choices: &[usize]) -> String {
    let mut out = String::new();
    let mut last = 0;
    for (k, (start, end, ends_comment)) in gaps(source).into_iter().enumerate() {
        out.push_str(&source[last..start]);
        let filler = choices.get(k % choices.len().max(1)).copied().unwrap_or(0);
        let filler = FILLERS[filler % FILLERS.len()];
        if ends_comment && !filler.starts_with(['\n', '\r']) {
            // A `//` comment runs to the end of its line.
            out.push('\n');
        }
        out.push_str(filler);
        last = end;
    }
    out.push_str(&source[last..]);
    out
}

#[test]
fn generated_layouts_format_idempotently_to_the_same_meaning() {
    let files: Vec<(PathBuf, String)> = corpus()
        .into_iter()
        .filter(|(_, s)| rbacc::internals::fmt::format(s).is_ok())
        .collect();
    let cases = std::env::var("RBACC_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x666d_7400_0017),
        ..Config::default()
    });
    let strategy = (
        0..files.len(),
        proptest::collection::vec(0..FILLERS.len(), 1..40),
    );
    runner
        .run(&strategy, |(index, choices)| {
            let (path, source) = &files[index];
            let canonical = rbacc::internals::fmt::format(source).unwrap();
            let varied = relayout(&canonical, &choices);
            let name = path.display().to_string();
            prop_assert!(
                rbacc::internals::fmt::format(&varied).is_ok(),
                "{}: the generated layout does not parse:\n{}",
                name,
                varied
            );
            assert_formats_well(&name, &varied);
            Ok(())
        })
        .unwrap();
}

#[test]
fn fmt_check_lists_unformatted_files_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("rbacc-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let messy = dir.join("messy.rbac");
    std::fs::write(&messy, "scope o \"O\"   role a on o \"A\"{grant x}").unwrap();
    let out = run(rbacc().arg("fmt").arg("--check").arg(&dir));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("messy.rbac: not formatted"),
        "{}",
        out.stdout
    );
    let out = run(rbacc().arg("fmt").arg(&dir));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(&messy).unwrap(),
        "scope o \"O\"\nrole a on o \"A\" {\n  grant x\n}\n"
    );
    let out = run(rbacc().arg("fmt").arg("--check").arg(&dir));
    assert_eq!(out.code, 0, "{}", out.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fmt_reads_standard_input_and_refuses_what_does_not_parse() {
    let out = run(rbacc().args(["fmt", "-"]).write_stdin("policy  p \"P\""));
    assert_eq!((out.code, out.stdout.as_str()), (0, "policy p \"P\"\n"));
    let out = run(rbacc().args(["fmt", "-"]).write_stdin("role a on"));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("E0001"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

#[test]
fn the_presets_and_examples_pass_fmt_check() {
    let out = run(rbacc().args(["fmt", "--check", "policies", "examples"]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}
