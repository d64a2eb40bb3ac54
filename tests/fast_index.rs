//! The fast index (one probe) and the walking path decide every query alike,
//! on every preset's example data: all users × permissions × resources.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rbacc::membership::{ResId, UserId};
use rbacc::resolve::PermId;
use rbacc::{Authorizer, Members, Query};

fn all_queries_agree(preset: &str) {
    let p = rbacc::presets::get(preset).unwrap();
    let policy = rbacc::compile(preset, p.source).unwrap_or_else(|r| panic!("{r}"));
    let path = format!("examples/{preset}/members.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let members = Members::from_yaml(&policy, &path, &text).unwrap_or_else(|r| panic!("{r}"));
    assert!(
        members.fast.is_some(),
        "{preset}: the fast index should be built"
    );
    let authz = Authorizer::new(policy, members);
    let (mut allowed, mut total) = (0, 0);
    for (u, name) in authz.members.users.iter().enumerate() {
        for (pi, perm) in authz.policy.model.perms.iter().enumerate() {
            for (ri, res) in authz.members.resources.iter().enumerate() {
                let Ok(q) = authz.query(name, &perm.name, &res.name) else {
                    continue;
                };
                assert_eq!(q.user, UserId(u as u32));
                assert_eq!(q.perm, PermId(pi as u32));
                let _ = ResId(ri as u32);
                let fast = authz.check(&q);
                let walk = authz.check_walk(&q);
                assert_eq!(fast, walk, "{preset}: {} {} {}", name, perm.name, res.name);
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
