//! Scale of `rbacc diff`: the policy diff of two policies of 1,250 to
//! 10,000 roles, and the data diff (`--members`) on 12,500 to 100,000
//! users. Prints the CPU time of each step (best of a few runs); it asserts no time (figures in
//! docs/performance.md). Run with:
//!
//! ```sh
//! cargo test --release --test diff_scale -- --ignored --nocapture
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write;
use std::time::{Duration, Instant};

/// A policy of `roles` roles in blocks of ten (each role includes the one
/// before it in its block) over 1,000 permissions; `edit` switches one
/// grant's default and adds one grant in the middle of the file.
fn policy(roles: usize, edit: bool) -> String {
    let mut s =
        String::from("policy big \"Big\"\nscope org \"Org\"\nscope ws \"Workspace\" in org\n");
    s.push_str("permissions on org {\n");
    for p in 0..500 {
        let _ = writeln!(s, "  o.p{p} \"P{p}\"");
    }
    s.push_str("}\npermissions on ws {\n");
    for p in 0..500 {
        let _ = writeln!(s, "  w.p{p} \"P{p}\"");
    }
    s.push_str("}\n");
    for r in 0..roles {
        let scope = if r % 2 == 0 { "org" } else { "ws" };
        let _ = writeln!(s, "role r{r} on {scope} \"Role {r}\" {{");
        if r % 10 >= 2 {
            let _ = writeln!(s, "  include r{}", r - 2);
        }
        let p = (r * 7) % 500;
        let _ = writeln!(s, "  grant w.p{p}, w.p{}", (p + 1) % 500);
        let default = if edit && r == roles / 2 { "on" } else { "off" };
        let _ = writeln!(
            s,
            "  grant w.p{} configurable default {default}",
            (p + 2) % 500
        );
        if edit && r == roles / 2 + 2 {
            let _ = writeln!(s, "  grant w.p{}", (p + 3) % 500);
        }
        s.push_str("}\n");
    }
    s
}

/// Membership data: `users` users in organizations of 100, each with two
/// workspaces where ten users hold a role and a group of five another.
fn members(users: usize) -> String {
    let mut s = String::from("edition: team\nusers:\n");
    for u in 0..users {
        let _ = writeln!(s, "  - u{u}");
    }
    s.push_str("groups:\n");
    for o in 0..users / 100 {
        let list: Vec<String> = (0..5).map(|i| format!("u{}", o * 100 + 20 + i)).collect();
        let _ = writeln!(s, "  g{o}: [{}]", list.join(", "));
    }
    s.push_str("resources:\n");
    for o in 0..users / 100 {
        let list: Vec<String> = (0..100).map(|i| format!("u{}", o * 100 + i)).collect();
        let _ = writeln!(s, "  org:o{o}:\n    members: [{}]", list.join(", "));
        for w in ["a", "b"] {
            let _ = writeln!(s, "  ws:o{o}/{w}:\n    roles:");
            for i in 0..10 {
                let role = match i % 3 {
                    0 => "ws_viewer",
                    1 => "ws_builder",
                    _ => "ws_admin",
                };
                let _ = writeln!(s, "      u{}: {role}", o * 100 + i);
            }
            let _ = writeln!(s, "      group:g{o}: ws_builder");
        }
    }
    s
}

/// CPU time of this thread (Linux: `/proc/thread-self/schedstat`, in
/// nanoseconds), robust to other processes on a shared machine; wall time
/// elsewhere.
fn cpu_now() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu_now());
        let out = f();
        let spent = match (c, cpu_now()) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => t.elapsed(),
        };
        best = best.min(spent);
        last = Some(out);
    }
    (best, last.unwrap())
}

#[test]
#[ignore = "prints timings; run with --release --ignored --nocapture"]
fn diff_scales_linearly() {
    println!("policy diff (best of 3)");
    println!("| roles | compile one policy | diff | changes |");
    println!("|---:|---:|---:|---:|");
    for roles in [1_250, 2_500, 5_000, 10_000] {
        let (t_compile, old) = best(3, || {
            rbacc::compile("old.rbac", &policy(roles, false)).unwrap()
        });
        let new = rbacc::compile("new.rbac", &policy(roles, true)).unwrap();
        let (t_diff, d) = best(3, || rbacc::internals::diff::diff(&old, &new));
        println!(
            "| {roles} | {:.1} ms | {:.1} ms | {} |",
            t_compile.as_secs_f64() * 1e3,
            t_diff.as_secs_f64() * 1e3,
            d.changes.len()
        );
        assert_eq!(d.changes.len(), 2);
    }
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/base/policy.rbac"),
    )
    .unwrap();
    let old = rbacc::compile("old.rbac", &base).unwrap();
    let new = rbacc::compile(
        "new.rbac",
        &base.replace("bootstrap first 1 user", "bootstrap first 3 users"),
    )
    .unwrap();
    println!("\ndata diff, `--members` (best of 2)");
    println!("| users | load data once | diff (loads twice) | triples decided | gained |");
    println!("|---:|---:|---:|---:|---:|");
    for users in [12_500, 25_000, 50_000, 100_000] {
        let text = members(users);
        let (t_load, _) = best(2, || {
            rbacc::Members::from_yaml(&old, "m.yaml", &text).unwrap()
        });
        let (t_diff, m) = best(2, || {
            rbacc::internals::diff::members::diff_members(&old, &new, "m.yaml", &text).unwrap()
        });
        println!(
            "| {users} | {:.0} ms | {:.0} ms | {} | {} |",
            t_load.as_secs_f64() * 1e3,
            t_diff.as_secs_f64() * 1e3,
            m.checked,
            m.gained
        );
        // The markdown of the diff fits a pull-request comment.
        let mut d = rbacc::internals::diff::diff(&old, &new);
        d.members = Some(m);
        assert!(rbacc::internals::diff::to_markdown(&d).len() < 65_536);
    }
}
