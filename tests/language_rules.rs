//! The rules of issue 18 (containment, a fallback per scope kind, `at
//! least one`, bounded upgrades) on a small policy of their own, as `rbacc
//! test` documents: tests/language/*.yaml over tests/language/*.rbac. Each
//! document states one promise of docs/language.md or docs/membership.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn every_statement_of_the_rules_holds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/language");
    let run = rbacc::testing::run(&[dir]);
    let text = run.to_text(false, rbacc::diagnostic::ColorChoice::Never);
    assert_eq!(run.outcome(), rbacc::testing::Outcome::Passed, "{text}");
    // Six documents: none may be skipped as not loaded.
    assert_eq!(run.suites.len(), 6, "{text}");
}
