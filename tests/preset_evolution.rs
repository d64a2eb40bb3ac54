//! `rbacc diff --preset astro --new-preset astro-2025`: the Astro page of
//! 2022 against the product of 2025, as one readable account of the
//! product's evolution (reviewed snapshot), with its main facts asserted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{rbacc, run};

#[test]
fn astro_then_and_now() {
    let o = run(rbacc().args(["diff", "--preset", "astro", "--new-preset", "astro-2025"]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let text = o.stdout;
    for fact in [
        // Workspace roles renamed and added.
        "roles removed: `workspace_viewer`, `workspace_editor`, `workspace_admin`",
        "roles added: `workspace_accessor`, `workspace_member`, `workspace_author`, `workspace_operator`, `workspace_owner`, `deployment_admin`",
        // The first Owner only, no longer the first three.
        "`bootstrap first 3 users of organization as organization_owner` → `bootstrap first 1 user of organization as organization_owner`",
        // New Organization rows.
        "`organization_member` grants `organization.clusters.view` (new)",
        // Deployment rows.
        "permissions added: ",
        "`deployment.users.manage`",
    ] {
        assert!(text.contains(fact), "missing `{fact}` in:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn preset_and_new_preset_name_old_and_new() {
    // `--preset A --new-preset B` is `--old-preset A --new-preset B`.
    let a = run(rbacc().args(["diff", "--preset", "astro", "--new-preset", "astro-2025"]));
    let b = run(rbacc().args([
        "diff",
        "--old-preset",
        "astro",
        "--new-preset",
        "astro-2025",
    ]));
    assert_eq!((a.code, &a.stdout), (b.code, &b.stdout));
    // With `--preset` alone it stays the data diff under one policy.
    let c = run(rbacc().args(["diff", "--preset", "astro"]));
    assert_eq!(c.code, 2);
    assert!(
        c.stderr.contains("give two membership files"),
        "{}",
        c.stderr
    );
    // `--preset` with `--old-preset` is refused.
    let d = run(rbacc().args(["diff", "--preset", "astro", "--old-preset", "astro"]));
    assert_eq!(d.code, 2);
}
