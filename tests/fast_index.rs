//! The fast index (one probe) and the walking path decide every query alike,
//! on every preset's example data: all users × permissions × resources.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rbacc::PermId;
use rbacc::{Authorizer, Members, Query};
use rbacc::{ResId, UserId};

fn all_queries_agree(preset: &str) {
    let p = rbacc::presets::get(preset).unwrap();
    let path = format!("examples/{preset}/members.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    agree(preset, p.source, &text, true);
}

/// Compiles and loads, then compares the fast path with the walking path
/// on every (user, permission, resource).
fn agree(preset: &str, source: &str, yaml: &str, fast_expected: bool) {
    let policy = rbacc::compile(preset, source).unwrap_or_else(|r| panic!("{r}"));
    let members =
        Members::from_yaml(&policy, "members.yaml", yaml).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(
        rbacc::internals::index::has_bits(&members),
        fast_expected,
        "{preset}: whether the fast index is built"
    );
    let authz = Authorizer::new(policy, members).unwrap();
    let (mut allowed, mut total) = (0, 0);
    for (u, name) in authz.members().users().enumerate() {
        for (pi, perm) in authz.policy().permissions().enumerate() {
            for (ri, res) in authz.members().resources().enumerate() {
                let Ok(q) = authz.query(name, perm, res) else {
                    continue;
                };
                assert_eq!(q.user(), UserId::from_index(u));
                assert_eq!(q.permission(), PermId::from_index(pi));
                assert_eq!(q.resource(), ResId::from_index(ri));
                let fast = authz.check(&q);
                let walk = rbacc::internals::eval::check_walk(&authz, &q);
                assert_eq!(fast, walk, "{preset}: {} {} {}", name, perm, res);
                total += 1;
                allowed += usize::from(fast);
                let _: &Query = &q;
            }
        }
    }
    assert!(
        total > 0 && allowed > 0 && allowed < total,
        "{preset}: {allowed}/{total}"
    );
}

#[test]
fn astro() {
    all_queries_agree("astro");
}

#[test]
fn airbyte() {
    all_queries_agree("airbyte");
}

#[test]
fn tooljet() {
    all_queries_agree("tooljet");
}

#[test]
fn neosync() {
    all_queries_agree("neosync");
}

/// A policy with `n` permissions (a third on the organization, the rest on
/// workspaces), roles granting overlapping slices, and an organization
/// permission implying a workspace role: fills the 64-bit index (n ≤ 64),
/// the 128-bit one (n ≤ 128), or none (walking path only).
fn wide_policy(n: usize) -> String {
    let org = n / 3;
    let mut s = String::from(
        "policy wide \"Wide\"\nscope org \"Org\"\nscope ws \"Ws\" in org\npermissions on org {\n",
    );
    for i in 0..org {
        s.push_str(&format!("  org.p{i} \"P\"\n"));
    }
    s.push_str("  org.all \"All\" {\n    implies ws_r2 on every ws\n  }\n}\npermissions on ws {\n");
    for i in 0..n - org - 1 {
        s.push_str(&format!("  ws.p{i} \"P\"\n"));
    }
    s.push_str("}\n");
    let ws = n - org - 1;
    for r in 0..3 {
        let grants: Vec<String> = (0..ws)
            .filter(|i| (i + r) % 3 != 0)
            .map(|i| format!("ws.p{i}"))
            .collect();
        s.push_str(&format!(
            "role ws_r{r} on ws \"R\" {{ grant {} }}\n",
            grants.join(", ")
        ));
    }
    let grants: Vec<String> = (0..org).step_by(2).map(|i| format!("org.p{i}")).collect();
    s.push_str(&format!(
        "role org_a on org \"A\" {{ grant {} }}\n",
        grants.join(", ")
    ));
    s.push_str("role org_b on org \"B\" { include org_a\n grant org.all }\n");
    s
}

/// Two organizations of `workspaces` workspaces each; `u4` holds a role in
/// every workspace, and the owner of each organization holds Workspace
/// Admin pushed down into all of them: with 20 workspaces their rows are
/// longer than a scan and are binary-searched.
fn wide_members(workspaces: usize) -> String {
    let mut s = String::from("users: [u0, u1, u2, u3, u4, u5]\nresources:\n");
    for o in 0..2 {
        s.push_str(&format!(
            "  org:o{o}:\n    roles:\n      u{o}: org_b\n      u{}: org_a\n",
            o + 2
        ));
        for w in 0..workspaces {
            s.push_str(&format!(
                "  ws:o{o}/w{w}:\n    roles:\n      u{}: ws_r{}\n      u4: ws_r{}\n",
                (o + w) % 4,
                w % 3,
                (w + 1) % 3
            ));
        }
    }
    s
}

#[test]
fn policies_wider_than_64_and_128_permissions_agree() {
    for (n, fast) in [
        (40, true),
        (64, true),
        (65, true),
        (100, true),
        (128, true),
        (129, false),
        (200, false),
    ] {
        agree(&format!("wide{n}"), &wide_policy(n), &wide_members(3), fast);
    }
}

#[test]
fn long_rows_agree() {
    for (n, fast) in [(40, true), (100, true), (129, false)] {
        agree(
            &format!("long{n}"),
            &wide_policy(n),
            &wide_members(20),
            fast,
        );
    }
}
