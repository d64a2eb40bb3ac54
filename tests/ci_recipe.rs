//! The CI recipe of docs/ci.md (`ci/rbacc-pr.sh`, run by `action.yml`),
//! end to end against a scratch git repository with a base branch and a
//! feature branch: a change that widens access exits 1 and names the change
//! in the comment, under the old file's stable name; a change that narrows
//! exits 0; a broken policy or a failing test exits 2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn base_policy() -> String {
    std::fs::read_to_string(common::root().join("tests/corpus/base/policy.rbac")).unwrap()
}

const TEST_FILE: &str = "policy: base.rbac
members: members.yaml
cases:
  - {name: alice owns acme, user: alice, permission: org.billing, resource: org:acme, expect: allow}
";

/// A repository on `main` with the base policy, its data and a test file,
/// and a branch `feature` changing the policy with `edit`.
fn scratch(name: &str, edit: impl Fn(&str) -> String, test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("ci_recipe_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    let policy = base_policy();
    std::fs::write(dir.join("policies/base.rbac"), &policy).unwrap();
    std::fs::copy(
        common::root().join("tests/corpus/base/members.yaml"),
        dir.join("policies/members.yaml"),
    )
    .unwrap();
    std::fs::write(dir.join("policies/base_test.yaml"), TEST_FILE).unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(dir.join("policies/base.rbac"), edit(&policy)).unwrap();
    std::fs::write(dir.join("policies/base_test.yaml"), test).unwrap();
    git(&dir, &["commit", "-q", "--allow-empty", "-am", "feature"]);
    dir
}

/// Runs the recipe in `dir` against `main`: (exit code, stdout, comment).
fn recipe(dir: &Path, members: bool) -> (i32, String, String) {
    let mut cmd = Command::new("sh");
    cmd.current_dir(dir)
        .arg(common::root().join("ci/rbacc-pr.sh"))
        .arg("main")
        .env("RBACC", env!("CARGO_BIN_EXE_rbacc"))
        .env("NO_COLOR", "1");
    if members {
        cmd.env("RBACC_MEMBERS", "policies/members.yaml");
    }
    let out = cmd.output().unwrap();
    let comment = std::fs::read_to_string(dir.join(".rbacc/comment.md")).unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        comment,
    )
}

#[test]
fn a_widening_change_exits_1_and_names_it() {
    let dir = scratch(
        "widen",
        |p| p.replace("bootstrap first 1 user", "bootstrap first 1000 users"),
        TEST_FILE,
    );
    let (code, stdout, comment) = recipe(&dir, false);
    assert_eq!(code, 1, "{stdout}\n{comment}");
    assert!(comment.contains("`rbacc check policies`: ok"), "{comment}");
    assert!(comment.contains("`rbacc test policies`: ok"), "{comment}");
    // The old file's stable name, not a temporary path.
    assert!(
        comment.contains("### rbacc diff `.rbacc/base/policies/base.rbac` → `policies/base.rbac`"),
        "{comment}"
    );
    assert!(!comment.contains("/tmp"), "{comment}");
    assert!(comment.contains("bootstrap first 1000 users"), "{comment}");
    assert!(comment.contains("**Access widens.**"), "{comment}");
    // The annotation is on the changed line of the policy.
    assert!(
        stdout.contains("::error file=policies/base.rbac,line=47,col=1,"),
        "{stdout}"
    );
}

#[test]
fn the_data_shows_who_gains() {
    let dir = scratch(
        "members",
        |p| p.replace("bootstrap first 1 user", "bootstrap first 1000 users"),
        TEST_FILE,
    );
    let (code, _, comment) = recipe(&dir, true);
    assert_eq!(code, 1, "{comment}");
    assert!(comment.contains("2 users, 2 resources"), "{comment}");
}

#[test]
fn a_narrowing_change_exits_0() {
    let dir = scratch(
        "narrow",
        |p| p.replace("grant org.billing, org.admin_all", "grant org.billing"),
        TEST_FILE,
    );
    let (code, stdout, comment) = recipe(&dir, false);
    assert_eq!(code, 0, "{stdout}\n{comment}");
    assert!(comment.contains("narrows"), "{comment}");
}

#[test]
fn a_broken_policy_or_a_failing_test_exits_2() {
    let dir = scratch(
        "broken",
        |p| p.replace("grant org.view", "grant org.viewx"),
        TEST_FILE,
    );
    let (code, _, comment) = recipe(&dir, false);
    assert_eq!(code, 2, "{comment}");
    assert!(
        comment.contains("`rbacc check policies`: **failed**"),
        "{comment}"
    );
    let dir = scratch(
        "failing_test",
        |p| p.to_string(),
        &TEST_FILE.replace("expect: allow", "expect: deny"),
    );
    let (code, _, comment) = recipe(&dir, false);
    assert_eq!(code, 2, "{comment}");
    assert!(
        comment.contains("`rbacc test policies`: **failed**"),
        "{comment}"
    );
    assert!(comment.contains("no policy file changed"), "{comment}");
}

#[test]
fn a_new_policy_file_is_diffed_against_an_empty_one() {
    let dir = scratch("new_file", |p| p.to_string(), TEST_FILE);
    std::fs::write(dir.join("policies/extra.rbac"), "scope team \"Team\"\n").unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "extra"]);
    let (code, _, comment) = recipe(&dir, false);
    assert_eq!(code, 0, "{comment}");
    assert!(
        comment.contains("`.rbacc/base/policies/extra.rbac` → `policies/extra.rbac`"),
        "{comment}"
    );
}
