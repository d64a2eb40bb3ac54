//! Property: for random policy pairs (a random policy and a random edit of
//! it, semantic or not) and random membership data, a policy-level diff
//! that reports no change implies that no user gains or loses any
//! permission on any resource of the data, as the reference evaluator
//! decides (`rbacc::internals::reference`); and a diff reporting nothing that widens
//! (or may) implies that nobody gains.
//!
//! `cargo test --test diff_property` runs 1,000 cases; more on demand:
//!
//! ```sh
//! RBACC_DIFF_CASES=100000 cargo test --release --test diff_property
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::Rng;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed};
use rbacc::internals::diff::{self, Effect};
use rbacc::internals::reference::Reference;
use rbacc::{Members, Policy};
use std::collections::BTreeSet;

const ORG_PERMS: [&str; 5] = ["o.a", "o.b", "o.g", "o.g.x", "o.g.y"];
const WS_PERMS: [&str; 3] = ["w.a", "w.b", "w.c"];
const APP_PERMS: [&str; 2] = ["p.a", "p.b"];
const PATTERNS_ORG: [&str; 9] = [
    "o.a", "o.b", "o.g", "o.g.x", "w.*", "w.a", "p.a", "*", "o.*",
];
const PATTERNS_WS: [&str; 6] = ["w.a", "w.b", "w.c", "p.a", "p.b", "*"];

#[derive(Clone, Debug)]
struct Grant {
    pattern: String,
    configurable: Option<bool>,
}

#[derive(Clone, Debug)]
struct Role {
    name: String,
    display: String,
    ws: bool,
    includes: Vec<usize>,
    grants: Vec<Grant>,
    grantable: Vec<String>,
    imply: Option<usize>,
}

#[derive(Clone, Debug)]
struct Spec {
    editions: bool,
    free_rbac: bool,
    free_fallback: Option<usize>,
    roles: Vec<Role>,
    /// `o.b assigns` these roles.
    assigns: Vec<usize>,
    /// `o.a implies` this ws role on every ws.
    perm_implies: Option<usize>,
    ws_rank: Vec<usize>,
    ws_default: Option<usize>,
    org_default: usize,
    bootstrap: Option<(u32, usize, bool)>,
    upgrade: bool,
    prune: bool,
    order: Vec<usize>,
    /// `members of ws are members of org`.
    contain: bool,
    /// The org role of `without rbac fallback` (next to the ws one).
    free_fallback_org: Option<usize>,
    /// `at least one` this org role `per org`.
    at_least: Option<usize>,
    /// `upgrade roles up to` this ws role.
    upgrade_cap: Option<usize>,
}

fn gen_spec(rng: &mut Rng) -> Spec {
    let n_org = 2 + rng.below(2);
    let n_ws = 2 + rng.below(3);
    let mut roles = Vec::new();
    for i in 0..n_org + n_ws {
        let ws = i >= n_org;
        let (lo, hi) = if ws { (n_org, i) } else { (0, i) };
        let mut includes = Vec::new();
        if hi > lo && rng.chance(40) {
            includes.push(lo + rng.below(hi - lo));
        }
        let pats: &[&str] = if ws { &PATTERNS_WS } else { &PATTERNS_ORG };
        let mut grants = Vec::new();
        for _ in 0..1 + rng.below(2) {
            let pattern = pats[rng.below(pats.len())].to_string();
            if grants.iter().any(|g: &Grant| g.pattern == pattern) {
                continue;
            }
            let configurable = rng.chance(25).then(|| rng.chance(50));
            grants.push(Grant {
                pattern,
                configurable,
            });
        }
        let grantable = if ws && rng.chance(15) {
            vec!["p.b".to_string()]
        } else {
            Vec::new()
        };
        let imply = (!ws && rng.chance(20)).then(|| n_org + rng.below(n_ws));
        roles.push(Role {
            name: if ws { format!("w{i}") } else { format!("r{i}") },
            display: format!("Role {i}"),
            ws,
            includes,
            grants,
            grantable,
            imply,
        });
    }
    let mut ws_rank: Vec<usize> = (n_org..n_org + n_ws).collect();
    if rng.chance(50) {
        ws_rank.reverse();
    }
    let n = roles.len();
    Spec {
        editions: rng.chance(50),
        free_rbac: rng.chance(30),
        free_fallback: rng.chance(50).then(|| n_org + rng.below(n_ws)),
        assigns: (0..n).filter(|_| rng.chance(20)).collect(),
        perm_implies: rng.chance(20).then(|| n_org + rng.below(n_ws)),
        ws_rank,
        ws_default: rng.chance(40).then(|| n_org + rng.below(n_ws)),
        org_default: rng.below(n_org),
        bootstrap: rng
            .chance(60)
            .then(|| (1 + rng.below(3) as u32, rng.below(n_org), rng.chance(50))),
        upgrade: rng.chance(50),
        prune: rng.chance(30),
        order: (0..n).collect(),
        contain: rng.chance(30),
        free_fallback_org: rng.chance(30).then(|| rng.below(n_org)),
        at_least: rng.chance(15).then(|| rng.below(n_org)),
        upgrade_cap: rng.chance(30).then(|| n_org + rng.below(n_ws)),
        roles,
    }
}

impl Spec {
    fn text(&self) -> String {
        let mut s = String::from("policy prop \"Property\"\n");
        if self.editions {
            s.push_str("edition team \"Team\"\n");
            s.push_str("edition free \"Free\"");
            if !self.free_rbac {
                s.push_str(" without rbac");
                let fallbacks: Vec<&str> = [self.free_fallback_org, self.free_fallback]
                    .into_iter()
                    .flatten()
                    .map(|f| self.roles[f].name.as_str())
                    .collect();
                if !fallbacks.is_empty() {
                    s.push_str(&format!(" fallback {}", fallbacks.join(", ")));
                }
            }
            s.push('\n');
        }
        s.push_str("scope org \"Org\"\nscope ws \"Workspace\" in org\nscope app \"App\" in ws without roles\n");
        if self.contain {
            s.push_str("members of ws are members of org\n");
        }
        s.push_str("permissions on org {\n  o.a \"A\"");
        if let Some(r) = self.perm_implies {
            s.push_str(&format!(
                " {{\n    implies {} on every ws\n  }}",
                self.roles[r].name
            ));
        }
        s.push_str("\n  o.b \"B\"");
        if !self.assigns.is_empty() {
            let names: Vec<&str> = self
                .assigns
                .iter()
                .map(|&r| self.roles[r].name.as_str())
                .collect();
            s.push_str(&format!(" {{\n    assigns {}\n  }}", names.join(", ")));
        }
        s.push_str("\n  o.g \"G\" {\n    o.g.x \"X\"\n    o.g.y \"Y\"\n  }\n}\n");
        s.push_str("permissions on ws {\n  w.a \"A\"\n  w.b \"B\"\n  w.c \"C\"\n}\n");
        s.push_str("permissions on app {\n  p.a \"A\"\n  p.b \"B\"\n}\n");
        for &i in &self.order {
            let r = &self.roles[i];
            s.push_str(&format!(
                "role {} on {} \"{}\" {{\n",
                r.name,
                if r.ws { "ws" } else { "org" },
                r.display
            ));
            for &inc in &r.includes {
                s.push_str(&format!("  include {}\n", self.roles[inc].name));
            }
            for g in &r.grants {
                s.push_str(&format!("  grant {}", g.pattern));
                if let Some(d) = g.configurable {
                    s.push_str(if d {
                        " configurable default on"
                    } else {
                        " configurable default off"
                    });
                }
                s.push('\n');
            }
            if !r.grantable.is_empty() {
                s.push_str(&format!("  grantable {}\n", r.grantable.join(", ")));
            }
            if let Some(t) = r.imply {
                s.push_str(&format!("  imply {} on every ws\n", self.roles[t].name));
            }
            s.push_str("}\n");
        }
        let ws_names: Vec<&str> = self
            .ws_rank
            .iter()
            .map(|&r| self.roles[r].name.as_str())
            .collect();
        s.push_str(&format!("rank {}\n", ws_names.join(" < ")));
        let org_names: Vec<&str> = self
            .roles
            .iter()
            .filter(|r| !r.ws)
            .map(|r| r.name.as_str())
            .collect();
        s.push_str(&format!(
            "exactly one of {} per org default {}\n",
            org_names.join(", "),
            self.roles[self.org_default].name
        ));
        let mut all_ws: Vec<&str> = self
            .roles
            .iter()
            .filter(|r| r.ws)
            .map(|r| r.name.as_str())
            .collect();
        all_ws.sort_unstable();
        s.push_str(&format!("at most one of {} per ws", all_ws.join(", ")));
        if let Some(d) = self.ws_default {
            s.push_str(&format!(" default {}", self.roles[d].name));
        }
        s.push('\n');
        if let Some((n, r, team_only)) = self.bootstrap {
            s.push_str(&format!(
                "bootstrap first {n} {} of org as {}",
                if n == 1 { "user" } else { "users" },
                self.roles[r].name
            ));
            if team_only && self.editions {
                s.push_str(" in edition team");
            }
            s.push('\n');
        }
        if let Some(r) = self.at_least {
            s.push_str(&format!("at least one {} per org\n", self.roles[r].name));
        }
        if self.upgrade || self.prune {
            let mut parts = Vec::new();
            let upgrade = match self.upgrade_cap {
                Some(r) => format!("upgrade roles up to {}", self.roles[r].name),
                None => "upgrade roles".to_string(),
            };
            if self.upgrade {
                parts.push(upgrade.as_str());
            }
            if self.prune {
                parts.push("prune on downgrade");
            }
            s.push_str(&format!("groups on ws {{ {} }}\n", parts.join(" ")));
        }
        s
    }
}

/// One random edit; some change nothing that decides access.
fn mutate(rng: &mut Rng, spec: &Spec) -> Spec {
    let mut s = spec.clone();
    let n = s.roles.len();
    let ws_roles: Vec<usize> = (0..n).filter(|&i| s.roles[i].ws).collect();
    // 0, 1, 20 and 21 change nothing that decides access.
    match rng.below(22) {
        0 | 20 => {
            // Reorder declarations (dependencies stay declared by name).
            s.order.reverse();
        }
        1 | 21 => {
            let r = rng.below(n);
            s.roles[r].display = format!("Renamed {r}");
        }
        2 => {
            let r = rng.below(n);
            if let Some(g) = s.roles[r].grants.first_mut() {
                g.configurable = match g.configurable {
                    None => Some(rng.chance(50)),
                    Some(d) if rng.chance(50) => Some(!d),
                    Some(_) => None,
                };
            }
        }
        3 => {
            let r = rng.below(n);
            if s.roles[r].grants.len() > 1 || rng.chance(50) {
                s.roles[r].grants.pop();
            } else {
                let pats: &[&str] = if s.roles[r].ws {
                    &PATTERNS_WS
                } else {
                    &PATTERNS_ORG
                };
                let pattern = pats[rng.below(pats.len())].to_string();
                if !s.roles[r].grants.iter().any(|g| g.pattern == pattern) {
                    s.roles[r].grants.push(Grant {
                        pattern,
                        configurable: None,
                    });
                }
            }
        }
        4 => {
            let r = rng.below(n);
            if !s.roles[r].includes.is_empty() {
                s.roles[r].includes.clear();
            } else {
                let same: Vec<usize> = (0..r).filter(|&i| s.roles[i].ws == s.roles[r].ws).collect();
                if let Some(&t) = same.get(rng.below(same.len().max(1))) {
                    s.roles[r].includes.push(t);
                }
            }
        }
        5 => {
            if let Some(b) = &mut s.bootstrap {
                b.0 = 1 + rng.below(3) as u32;
            }
        }
        6 => {
            s.ws_default = match s.ws_default {
                Some(_) if rng.chance(50) => None,
                _ => Some(ws_roles[rng.below(ws_roles.len())]),
            };
        }
        7 => {
            s.free_rbac = !s.free_rbac;
        }
        8 => {
            s.free_fallback = match s.free_fallback {
                Some(_) => None,
                None => Some(ws_roles[rng.below(ws_roles.len())]),
            };
        }
        9 => s.ws_rank.reverse(),
        10 => s.upgrade = !s.upgrade,
        11 => {
            let r = ws_roles[rng.below(ws_roles.len())];
            if s.roles[r].grantable.is_empty() {
                s.roles[r].grantable.push("p.b".to_string());
            } else {
                s.roles[r].grantable.clear();
            }
        }
        12 => {
            let r = rng.below(n);
            if s.assigns.contains(&r) {
                s.assigns.retain(|&x| x != r);
            } else {
                s.assigns.push(r);
            }
        }
        13 => {
            let r = rng.below(n);
            s.roles[r].imply = match s.roles[r].imply {
                Some(_) => None,
                None if !s.roles[r].ws => Some(ws_roles[rng.below(ws_roles.len())]),
                None => None,
            };
        }
        14 => {
            s.org_default = (0..n)
                .filter(|&i| !s.roles[i].ws)
                .nth(rng.below(2))
                .unwrap_or(0);
        }
        15 => {
            s.perm_implies = match s.perm_implies {
                Some(_) => None,
                None => Some(ws_roles[rng.below(ws_roles.len())]),
            };
        }
        16 => s.contain = !s.contain,
        17 => {
            s.free_fallback_org = match s.free_fallback_org {
                Some(_) => None,
                None => Some(rng.below(2)),
            };
        }
        18 => {
            s.at_least = match s.at_least {
                Some(_) => None,
                None => Some(rng.below(2)),
            };
        }
        _ => {
            s.upgrade_cap = match s.upgrade_cap {
                Some(_) => None,
                None => Some(ws_roles[rng.below(ws_roles.len())]),
            };
        }
    }
    s
}

fn gen_members(rng: &mut Rng, spec: &Spec) -> String {
    let users = ["u0", "u1", "u2", "u3", "u4"];
    let mut s = String::new();
    if spec.editions {
        s.push_str(if rng.chance(50) {
            "edition: team\n"
        } else {
            "edition: free\n"
        });
    }
    s.push_str("users: [u0, u1, u2, u3, u4]\n");
    let group: Vec<&str> = users.iter().copied().filter(|_| rng.chance(40)).collect();
    s.push_str(&format!("groups:\n  g0: [{}]\n", group.join(", ")));
    s.push_str("resources:\n");
    let org_members: Vec<&str> = users.iter().copied().filter(|_| rng.chance(70)).collect();
    s.push_str(&format!(
        "  org:a:\n    members: [{}]\n",
        org_members.join(", ")
    ));
    let org_roles: Vec<&Role> = spec.roles.iter().filter(|r| !r.ws).collect();
    let ws_roles: Vec<&Role> = spec.roles.iter().filter(|r| r.ws).collect();
    let mut org_bind = Vec::new();
    for u in &users {
        if rng.chance(30) {
            org_bind.push(format!(
                "      {u}: {}\n",
                org_roles[rng.below(org_roles.len())].name
            ));
        }
    }
    if !org_bind.is_empty() {
        s.push_str("    roles:\n");
        org_bind.iter().for_each(|b| s.push_str(b));
    }
    for ws in ["x", "y"] {
        s.push_str(&format!("  ws:a/{ws}:\n"));
        let mut binds = Vec::new();
        for u in &users {
            if rng.chance(35) {
                binds.push(format!(
                    "      {u}: {}\n",
                    ws_roles[rng.below(ws_roles.len())].name
                ));
            }
        }
        if rng.chance(40) {
            binds.push(format!(
                "      group:g0: {}\n",
                ws_roles[rng.below(ws_roles.len())].name
            ));
        }
        if !binds.is_empty() {
            s.push_str("    roles:\n");
            binds.iter().for_each(|b| s.push_str(b));
        }
        if rng.chance(30) {
            // A setting of a configurable grant declared by a ws role.
            let conf: Vec<(&str, &str)> = ws_roles
                .iter()
                .flat_map(|r| {
                    r.grants
                        .iter()
                        .filter(|g| g.configurable.is_some() && !g.pattern.contains('*'))
                        .map(|g| (r.name.as_str(), g.pattern.as_str()))
                })
                .collect();
            if let Some((role, perm)) = conf.get(rng.below(conf.len().max(1))) {
                s.push_str(&format!(
                    "    settings:\n      {role}:\n        {perm}: {}\n",
                    if rng.chance(50) { "on" } else { "off" }
                ));
            }
        }
    }
    s.push_str("  app:a/x/z:\n");
    if rng.chance(30) {
        s.push_str(&format!(
            "    grants:\n      {}: p.b\n",
            users[rng.below(users.len())]
        ));
    }
    s
}

/// Every (user, permission, resource) of the data where the two sides
/// differ, as the reference evaluator decides: (user, perm, res, now).
fn data_diff(
    old: &Policy,
    new: &Policy,
    text: &str,
) -> Option<Vec<(String, String, String, bool)>> {
    let _old_loads = Members::from_yaml(old, "m.yaml", text).ok()?;
    let _new_loads = Members::from_yaml(new, "m.yaml", text).ok()?;
    let oref = Reference::from_text(old, text).ok()?;
    let nref = Reference::from_text(new, text).ok()?;
    let mut out = Vec::new();
    let kinds = [
        ("org:a", &ORG_PERMS[..]),
        ("ws:a/x", &WS_PERMS[..]),
        ("ws:a/y", &WS_PERMS[..]),
        ("app:a/x/z", &APP_PERMS[..]),
    ];
    for user in ["u0", "u1", "u2", "u3", "u4"] {
        for (res, perms) in kinds {
            for perm in perms {
                let was = oref.decide(user, perm, res).unwrap_or(false);
                let now = nref.decide(user, perm, res).unwrap_or(false);
                if was != now {
                    out.push((user.to_string(), perm.to_string(), res.to_string(), now));
                }
            }
        }
    }
    Some(out)
}

fn cases() -> u32 {
    std::env::var("RBACC_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

fn check(seed: u64) -> Result<(), TestCaseError> {
    let mut rng = Rng(seed);
    let spec = gen_spec(&mut rng);
    let edited = mutate(&mut rng, &spec);
    let (ot, nt) = (spec.text(), edited.text());
    let (Ok(old), Ok(new)) = (
        rbacc::compile("old.rbac", &ot),
        rbacc::compile("new.rbac", &nt),
    ) else {
        return Ok(());
    };
    let d = diff::diff(&old, &new);
    for _ in 0..3 {
        let text = gen_members(&mut rng, &spec);
        let Some(changed) = data_diff(&old, &new, &text) else {
            continue;
        };
        if d.is_empty() {
            prop_assert!(
                changed.is_empty(),
                "no change reported, yet the data differs: {changed:?}\n--- OLD\n{ot}\n--- NEW\n{nt}\n--- data\n{text}"
            );
        }
        let may_widen = d
            .changes
            .iter()
            .any(|c| matches!(c.effect, Effect::Widens | Effect::Undecided));
        let gains: BTreeSet<_> = changed.iter().filter(|c| c.3).collect();
        prop_assert!(
            may_widen || gains.is_empty(),
            "nothing reported to widen, yet the data gains: {gains:?}\n{}\n--- OLD\n{ot}\n--- NEW\n{nt}\n--- data\n{text}",
            diff::to_human(&d)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        rng_seed: RngSeed::Fixed(0x6469_6666),
        ..Config::default()
    })]

    #[test]
    fn no_change_means_no_change_on_the_data(seed in any::<u64>()) {
        check(seed)?;
    }
}

/// The generator reaches both sides of the property: pairs with no change
/// (which the data must confirm) and pairs that widen on the data.
#[test]
fn the_generator_covers_both_cases() {
    let (mut empty, mut widening_on_data, mut compiled) = (0, 0, 0);
    for seed in 0..400u64 {
        let mut rng = Rng(seed);
        let spec = gen_spec(&mut rng);
        let edited = mutate(&mut rng, &spec);
        let (Ok(old), Ok(new)) = (
            rbacc::compile("o", &spec.text()),
            rbacc::compile("n", &edited.text()),
        ) else {
            continue;
        };
        compiled += 1;
        let d = diff::diff(&old, &new);
        if d.is_empty() {
            empty += 1;
        }
        let text = gen_members(&mut rng, &spec);
        if data_diff(&old, &new, &text).is_some_and(|c| c.iter().any(|x| x.3)) {
            widening_on_data += 1;
        }
    }
    assert!(compiled > 300, "{compiled}");
    assert!(empty > 20, "{empty}");
    assert!(widening_on_data > 20, "{widening_on_data}");
}
