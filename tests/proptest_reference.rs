//! Differential and semantic property tests: random policies (as policy
//! text), random memberships (the reference's data, given to loading
//! through `MembersBuilder`; as YAML text where the file is the point) and
//! every query over them; the compiled evaluator must agree with the
//! reference evaluator (`rbacc::internals::reference`), and decisions must
//! obey default deny, monotonicity and order independence.
//!
//! Cases per property come from `RBACC_PROPTEST_CASES` (a total spread over
//! the properties by weight) or the defaults below, sized so that the whole
//! `cargo test` stays under 3 minutes on 2 cores. The long run:
//!
//! ```text
//! RBACC_PROPTEST_CASES=1000000 cargo test --release --test proptest_reference -- --nocapture
//! ```
//!
//! The generator's seed is fixed (figures are reproducible); set
//! `RBACC_PROPTEST_SEED=random` (or a number) to explore other cases.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::needless_range_loop
)]

mod common;

use common::Rng;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed};
use rbacc::internals::membership::Origin;
use rbacc::internals::reference::data::{Body, Data, Names, Switch};
use rbacc::internals::reference::{Reference, Refusal};
use rbacc::{Authorizer, Members};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

// ------------------------------------------------------------------ rng

// ------------------------------------------------------------------ policy

/// Which features a generated policy may use.
#[derive(Copy, Clone, Debug)]
struct Features {
    /// Cardinality defaults, bootstrap rules and group upgrades: rules that
    /// fill in roles for users *without* one, so that removing a binding may
    /// add a role (by design not monotone).
    fill_in: bool,
    /// Editions (some without RBAC).
    editions: bool,
    /// Data the loader must refuse now and then: `exactly one` rules
    /// without a default (a member holding none of the roles is E0404), one
    /// user bound two roles of one rule (E0404), `at least one` rules
    /// (E0413) and bounded upgrades (E0414).
    refusals: bool,
}

#[derive(Clone, Debug)]
struct Scope {
    name: String,
    parent: Option<usize>,
    without_roles: bool,
}

#[derive(Clone, Debug)]
struct Perm {
    name: String,
    scope: usize,
    parent: Option<usize>,
    /// Roles implied on every instance of their kind.
    implies: Vec<usize>,
}

#[derive(Clone, Debug)]
struct Grant {
    patterns: Vec<String>,
    configurable: Option<bool>,
}

#[derive(Clone, Debug)]
struct Role {
    name: String,
    scope: usize,
    includes: Vec<usize>,
    grants: Vec<Grant>,
    /// `grantable` patterns: they grant nothing by themselves.
    grantable: Vec<String>,
    implies: Vec<usize>,
}

#[derive(Clone, Debug)]
struct Card {
    exactly: bool,
    roles: Vec<usize>,
    scope: usize,
    default: Option<usize>,
}

#[derive(Clone, Debug)]
struct Edition {
    name: String,
    rbac: bool,
    /// Fallback roles, at most one per scope kind.
    fallbacks: Vec<usize>,
}

#[derive(Clone, Debug, Default)]
struct PolicySpec {
    scopes: Vec<Scope>,
    perms: Vec<Perm>,
    roles: Vec<Role>,
    ranks: Vec<(usize, Vec<usize>, bool)>,
    cards: Vec<Card>,
    bootstraps: Vec<(usize, usize, usize, Vec<usize>)>,
    editions: Vec<Edition>,
    /// (scope, upgrade, prune, upgrade bound).
    groups: Vec<(usize, bool, bool, Option<usize>)>,
    /// `members of INNER are members of OUTER`: (inner, outer).
    containments: Vec<(usize, usize)>,
    /// `at least one ROLE per SCOPE`: (role, scope).
    at_least: Vec<(usize, usize)>,
}

impl PolicySpec {
    fn within(&self, inner: usize, outer: usize) -> bool {
        let mut cur = Some(inner);
        while let Some(s) = cur {
            if s == outer {
                return true;
            }
            cur = self.scopes[s].parent;
        }
        false
    }

    fn roles_on(&self, scope: usize) -> Vec<usize> {
        (0..self.roles.len())
            .filter(|&r| self.roles[r].scope == scope)
            .collect()
    }

    fn children(&self, p: usize) -> Vec<usize> {
        (0..self.perms.len())
            .filter(|&c| self.perms[c].parent == Some(p))
            .collect()
    }

    /// `p` and the groups containing it.
    fn with_groups(&self, p: usize) -> Vec<usize> {
        let mut out = vec![p];
        let mut cur = self.perms[p].parent;
        while let Some(x) = cur {
            out.push(x);
            cur = self.perms[x].parent;
        }
        out
    }

    /// The permissions a pattern written on `scope` covers (groups
    /// expanded to their members).
    fn covered(&self, pattern: &str, scope: usize) -> Vec<usize> {
        (0..self.perms.len())
            .filter(|&p| self.within(self.perms[p].scope, scope))
            .filter(|&p| {
                if pattern == "*" {
                    return true;
                }
                let names: Vec<&str> = self
                    .with_groups(p)
                    .iter()
                    .map(|&x| self.perms[x].name.as_str())
                    .collect();
                match pattern.strip_suffix(".*") {
                    Some(prefix) => names.iter().any(|n| n.starts_with(&format!("{prefix}."))),
                    None => names.contains(&pattern),
                }
            })
            .collect()
    }

    /// Every top-level declaration, rendered (order free).
    fn decls(&self, rng: Option<&mut Rng>) -> Vec<String> {
        let mut rng = rng;
        let mut out = Vec::new();
        out.push("policy gen \"Generated\"".to_string());
        for e in &self.editions {
            let mut d = format!("edition {} \"{}\"", e.name, e.name);
            if !e.rbac {
                d.push_str(" without rbac");
                if !e.fallbacks.is_empty() {
                    let names: Vec<&str> = e
                        .fallbacks
                        .iter()
                        .map(|&f| self.roles[f].name.as_str())
                        .collect();
                    let _ = write!(d, " fallback {}", names.join(", "));
                }
            }
            out.push(d);
        }
        for s in &self.scopes {
            let mut d = format!("scope {} \"Scope {}\"", s.name, s.name);
            if let Some(p) = s.parent {
                let _ = write!(d, " in {}", self.scopes[p].name);
            }
            if s.without_roles {
                d.push_str(" without roles");
            }
            out.push(d);
        }
        for (si, s) in self.scopes.iter().enumerate() {
            let tops: Vec<usize> = (0..self.perms.len())
                .filter(|&p| self.perms[p].scope == si && self.perms[p].parent.is_none())
                .collect();
            if tops.is_empty() {
                continue;
            }
            // Split into one or two blocks: blocks may repeat a scope.
            let split = match rng.as_deref_mut() {
                Some(r) => r.below(tops.len() + 1),
                None => tops.len(),
            };
            for part in [&tops[..split], &tops[split..]] {
                if part.is_empty() {
                    continue;
                }
                let mut d = format!("permissions on {} {{\n", s.name);
                for &p in part {
                    self.render_perm(p, 1, &mut d);
                }
                d.push('}');
                out.push(d);
            }
        }
        for r in &self.roles {
            let mut items: Vec<String> = Vec::new();
            if !r.includes.is_empty() {
                let names: Vec<&str> = r
                    .includes
                    .iter()
                    .map(|&i| self.roles[i].name.as_str())
                    .collect();
                items.push(format!("include {}", names.join(", ")));
            }
            for g in &r.grants {
                let mut line = format!("grant {}", g.patterns.join(", "));
                if let Some(on) = g.configurable {
                    let _ = write!(
                        line,
                        " configurable default {}",
                        if on { "on" } else { "off" }
                    );
                }
                items.push(line);
            }
            if !r.grantable.is_empty() {
                items.push(format!("grantable {}", r.grantable.join(", ")));
            }
            for &i in &r.implies {
                let target = &self.roles[i];
                items.push(format!(
                    "imply {} on every {}",
                    target.name, self.scopes[target.scope].name
                ));
            }
            if let Some(r) = rng.as_deref_mut() {
                r.shuffle(&mut items);
            }
            let mut d = format!(
                "role {} on {} \"Role {}\"",
                r.name, self.scopes[r.scope].name, r.name
            );
            if !items.is_empty() {
                d.push_str(" {\n");
                for i in items {
                    let _ = writeln!(d, "  {i}");
                }
                d.push('}');
            }
            out.push(d);
        }
        for (_, roles, desc) in &self.ranks {
            let mut names: Vec<&str> = roles.iter().map(|&r| self.roles[r].name.as_str()).collect();
            let sep = if *desc {
                names.reverse();
                " > "
            } else {
                " < "
            };
            out.push(format!("rank {}", names.join(sep)));
        }
        for c in &self.cards {
            let names: Vec<&str> = c
                .roles
                .iter()
                .map(|&r| self.roles[r].name.as_str())
                .collect();
            let mut d = format!(
                "{} one of {} per {}",
                if c.exactly { "exactly" } else { "at most" },
                names.join(", "),
                self.scopes[c.scope].name
            );
            if let Some(def) = c.default {
                let _ = write!(d, " default {}", self.roles[def].name);
            }
            out.push(d);
        }
        for (n, scope, role, eds) in &self.bootstraps {
            let mut d = format!(
                "bootstrap first {n} users of {} as {}",
                self.scopes[*scope].name, self.roles[*role].name
            );
            if !eds.is_empty() {
                let names: Vec<&str> = eds
                    .iter()
                    .map(|&e| self.editions[e].name.as_str())
                    .collect();
                let _ = write!(d, " in edition {}", names.join(", "));
            }
            out.push(d);
        }
        for (inner, outer) in &self.containments {
            out.push(format!(
                "members of {} are members of {}",
                self.scopes[*inner].name, self.scopes[*outer].name
            ));
        }
        for (role, scope) in &self.at_least {
            out.push(format!(
                "at least one {} per {}",
                self.roles[*role].name, self.scopes[*scope].name
            ));
        }
        for (scope, upgrade, prune, bound) in &self.groups {
            let mut d = format!("groups on {} {{", self.scopes[*scope].name);
            if *upgrade {
                d.push_str(" upgrade roles");
                if let Some(b) = bound {
                    let _ = write!(d, " up to {}", self.roles[*b].name);
                }
            }
            if *prune {
                d.push_str(" prune on downgrade");
            }
            d.push_str(" }");
            out.push(d);
        }
        out
    }

    fn render_perm(&self, p: usize, indent: usize, out: &mut String) {
        let pad = "  ".repeat(indent);
        let perm = &self.perms[p];
        let children = self.children(p);
        let _ = write!(out, "{pad}{} \"Perm {}\"", perm.name, perm.name);
        if children.is_empty() && perm.implies.is_empty() {
            out.push('\n');
            return;
        }
        out.push_str(" {\n");
        for &r in &perm.implies {
            let role = &self.roles[r];
            let _ = writeln!(
                out,
                "{pad}  implies {} on every {}",
                role.name, self.scopes[role.scope].name
            );
        }
        for c in children {
            self.render_perm(c, indent + 1, out);
        }
        let _ = writeln!(out, "{pad}}}");
    }

    fn text(&self) -> String {
        let mut decls = self.decls(None);
        decls.push(String::new());
        decls.join("\n")
    }

    fn shuffled_text(&self, rng: &mut Rng) -> String {
        let mut decls = self.decls(Some(rng));
        rng.shuffle(&mut decls);
        decls.push(String::new());
        decls.join("\n")
    }
}

/// Size knobs, shrunk by proptest.
#[derive(Copy, Clone, Debug)]
struct Knobs {
    levels: usize,
    perms: usize,
    roles: usize,
    users: usize,
}

fn gen_policy(rng: &mut Rng, k: Knobs, f: Features) -> PolicySpec {
    let mut spec = PolicySpec::default();
    // Scopes: a chain of `levels` kinds, sometimes a sibling branch.
    for i in 0..k.levels {
        spec.scopes.push(Scope {
            name: format!("s{i}"),
            parent: i.checked_sub(1),
            without_roles: i > 0 && rng.chance(15),
        });
    }
    if k.levels >= 2 && rng.chance(30) {
        let parent = rng.below(k.levels - 1);
        spec.scopes.push(Scope {
            name: "b".to_string(),
            parent: Some(parent),
            without_roles: rng.chance(15),
        });
    }
    // Permissions: top-level entries, some grouping finer ones (up to two
    // levels), some named under an enclosing kind's prefix.
    for s in 0..spec.scopes.len() {
        let n = rng.range(1, k.perms);
        for i in 0..n {
            let base = if let (Some(parent), true) = (spec.scopes[s].parent, rng.chance(15)) {
                format!("{}.{}_{i}", spec.scopes[parent].name, spec.scopes[s].name)
            } else {
                format!("{}.p{i}", spec.scopes[s].name)
            };
            let top = spec.perms.len();
            spec.perms.push(Perm {
                name: base.clone(),
                scope: s,
                parent: None,
                implies: Vec::new(),
            });
            if rng.chance(35) {
                for c in 0..rng.range(1, 3) {
                    let name = if rng.chance(70) {
                        format!("{base}.c{c}")
                    } else {
                        format!("{}.x{i}_{c}", spec.scopes[s].name)
                    };
                    let child = spec.perms.len();
                    spec.perms.push(Perm {
                        name: name.clone(),
                        scope: s,
                        parent: Some(top),
                        implies: Vec::new(),
                    });
                    if rng.chance(25) {
                        for d in 0..rng.range(1, 2) {
                            spec.perms.push(Perm {
                                name: format!("{name}.d{d}"),
                                scope: s,
                                parent: Some(child),
                                implies: Vec::new(),
                            });
                        }
                    }
                }
            }
        }
    }
    // Roles, per kind with roles; now and then a kind with a deep chain.
    let mut deep = vec![false; spec.scopes.len()];
    for s in 0..spec.scopes.len() {
        if spec.scopes[s].without_roles {
            continue;
        }
        deep[s] = rng.chance(8);
        let n = if deep[s] {
            rng.range(8, 16)
        } else {
            rng.range(1, k.roles)
        };
        for i in 0..n {
            spec.roles.push(Role {
                name: format!("r_{}_{i}", spec.scopes[s].name),
                scope: s,
                includes: Vec::new(),
                grants: Vec::new(),
                grantable: Vec::new(),
                implies: Vec::new(),
            });
        }
    }
    // Includes (a DAG over earlier roles of the kind: chains and diamonds),
    // implications down the tree.
    for r in 0..spec.roles.len() {
        let s = spec.roles[r].scope;
        let earlier: Vec<usize> = spec.roles_on(s).into_iter().filter(|&x| x < r).collect();
        if let Some(&last) = earlier.last() {
            if deep[s] || rng.chance(50) {
                spec.roles[r].includes.push(last); // chains
            }
            for x in rng.subset(&earlier, 25) {
                if !spec.roles[r].includes.contains(&x) {
                    spec.roles[r].includes.push(x);
                }
            }
        }
        let below: Vec<usize> = (0..spec.roles.len())
            .filter(|&x| spec.roles[x].scope != s && spec.within(spec.roles[x].scope, s))
            .collect();
        if rng.chance(30) {
            if let Some(&t) = rng.pick(&below) {
                spec.roles[r].implies.push(t);
            }
        }
    }
    // Permission implications: finer (ungrouped) permissions imply a role
    // on a kind strictly inside theirs.
    for p in 0..spec.perms.len() {
        if !spec.children(p).is_empty() || !rng.chance(12) {
            continue;
        }
        let s = spec.perms[p].scope;
        let below: Vec<usize> = (0..spec.roles.len())
            .filter(|&x| spec.roles[x].scope != s && spec.within(spec.roles[x].scope, s))
            .collect();
        if let Some(&t) = rng.pick(&below) {
            spec.perms[p].implies.push(t);
        }
    }
    // Grants: exact ids, prefixes, `*`; some configurable.
    for r in 0..spec.roles.len() {
        let s = spec.roles[r].scope;
        let inside: Vec<usize> = (0..spec.perms.len())
            .filter(|&p| spec.within(spec.perms[p].scope, s))
            .collect();
        let mut prefixes: BTreeSet<String> = BTreeSet::new();
        for &p in &inside {
            let name = &spec.perms[p].name;
            for (i, _) in name.match_indices('.') {
                prefixes.insert(name[..i].to_string());
            }
        }
        let prefixes: Vec<String> = prefixes.into_iter().collect();
        for _ in 0..rng.range(0, 3) {
            let mut patterns = Vec::new();
            for _ in 0..rng.range(1, 2) {
                let roll = rng.below(100);
                let pat = if roll < 8 {
                    "*".to_string()
                } else if roll < 35 && !prefixes.is_empty() {
                    format!("{}.*", rng.pick(&prefixes).cloned().unwrap_or_default())
                } else {
                    match rng.pick(&inside) {
                        Some(&p) => spec.perms[p].name.clone(),
                        None => continue,
                    }
                };
                if !patterns.contains(&pat) {
                    patterns.push(pat);
                }
            }
            if patterns.is_empty() {
                continue;
            }
            let mut configurable = rng.chance(30).then(|| rng.chance(50));
            if configurable.is_some() {
                // A configurable grant may not cover a permission that
                // implies roles.
                let implying = patterns
                    .iter()
                    .flat_map(|pat| spec.covered(pat, s))
                    .any(|p| !spec.perms[p].implies.is_empty());
                if implying {
                    configurable = None;
                }
            }
            spec.roles[r].grants.push(Grant {
                patterns,
                configurable,
            });
        }
        if rng.chance(20) {
            for _ in 0..rng.range(1, 2) {
                if let Some(&p) = rng.pick(&inside) {
                    let name = spec.perms[p].name.clone();
                    if !spec.roles[r].grantable.contains(&name) {
                        spec.roles[r].grantable.push(name);
                    }
                }
            }
        }
    }
    // Rules per kind.
    if f.editions && rng.chance(35) {
        for i in 0..rng.range(1, 3) {
            let rbac = rng.chance(60);
            // Fallbacks: now and then one role, or one per kind of a few.
            let mut fallbacks: Vec<usize> = Vec::new();
            if !rbac && !spec.roles.is_empty() && rng.chance(80) {
                for _ in 0..rng.range(1, 3) {
                    let f = rng.below(spec.roles.len());
                    let kind = spec.roles[f].scope;
                    if !fallbacks.iter().any(|&g| spec.roles[g].scope == kind) {
                        fallbacks.push(f);
                    }
                }
            }
            spec.editions.push(Edition {
                name: format!("e{i}"),
                rbac,
                fallbacks,
            });
        }
    }
    for s in 0..spec.scopes.len() {
        let roles = spec.roles_on(s);
        if roles.len() >= 2 && rng.chance(60) {
            let mut ranked = roles.clone();
            rng.shuffle(&mut ranked);
            let desc = rng.chance(30);
            let bound = (f.refusals && rng.chance(40)).then(|| *rng.pick(&ranked).unwrap());
            spec.ranks.push((s, ranked, desc));
            if f.fill_in && rng.chance(50) {
                spec.groups.push((s, rng.chance(80), rng.chance(30), bound));
            }
        }
        if !roles.is_empty() && rng.chance(35) {
            let set = {
                let mut set = rng.subset(&roles, 60);
                if set.is_empty() {
                    set.push(roles[0]);
                }
                set
            };
            let exactly = f.fill_in && rng.chance(30);
            let strict = exactly && f.refusals && rng.chance(40);
            let default = if (exactly && !strict) || (f.fill_in && rng.chance(50)) {
                rng.pick(&set).copied()
            } else {
                None
            };
            // One rule per kind keeps the data easy to make valid.
            spec.cards.push(Card {
                exactly,
                roles: set,
                scope: s,
                default,
            });
        }
        // Containment: members of this kind join an enclosing kind.
        if f.fill_in && rng.chance(30) {
            let mut enclosing = Vec::new();
            let mut cur = spec.scopes[s].parent;
            while let Some(x) = cur {
                enclosing.push(x);
                cur = spec.scopes[x].parent;
            }
            if let Some(&outer) = rng.pick(&enclosing) {
                spec.containments.push((s, outer));
            }
        }
        if f.refusals && !roles.is_empty() && rng.chance(15) {
            spec.at_least.push((*rng.pick(&roles).unwrap(), s));
        }
        if f.fill_in && !roles.is_empty() && rng.chance(25) {
            let role = *rng.pick(&roles).unwrap();
            let eds = if spec.editions.is_empty() {
                Vec::new()
            } else {
                rng.subset(&(0..spec.editions.len()).collect::<Vec<_>>(), 40)
            };
            spec.bootstraps.push((rng.range(1, 3), s, role, eds));
        }
    }
    spec
}

// ------------------------------------------------------------------ members

#[derive(Clone, Debug, Default)]
struct ResSpec {
    id: String,
    members: Vec<usize>,
    /// (subject, roles); subject is a user index or `group:NAME`.
    roles: Vec<(String, Vec<usize>)>,
    grants: Vec<(String, Vec<usize>)>,
    settings: Vec<(usize, Vec<(usize, bool)>)>,
}

#[derive(Clone, Debug, Default)]
struct MembersSpec {
    edition: Option<usize>,
    users: usize,
    groups: Vec<(String, Vec<usize>)>,
    resources: Vec<ResSpec>,
}

fn gen_members(rng: &mut Rng, p: &PolicySpec, k: Knobs, f: Features) -> MembersSpec {
    let mut m = MembersSpec {
        users: k.users,
        ..MembersSpec::default()
    };
    if !p.editions.is_empty() {
        m.edition = Some(rng.below(p.editions.len()));
    }
    let users: Vec<usize> = (0..m.users).collect();
    for g in 0..rng.range(0, 2) {
        m.groups.push((format!("g{g}"), rng.subset(&users, 50)));
    }
    // Resources: 1-2 instances per parent instance, parents first.
    let mut paths: Vec<(usize, String)> = Vec::new();
    let mut order: Vec<usize> = Vec::new();
    let mut todo: Vec<usize> = (0..p.scopes.len())
        .filter(|&s| p.scopes[s].parent.is_none())
        .collect();
    while let Some(s) = todo.first().copied() {
        todo.remove(0);
        order.push(s);
        todo.extend((0..p.scopes.len()).filter(|&c| p.scopes[c].parent == Some(s)));
    }
    for s in order {
        let parents: Vec<String> = match p.scopes[s].parent {
            None => vec![String::new()],
            Some(ps) => paths
                .iter()
                .filter(|(k, _)| *k == ps)
                .map(|(_, path)| path.clone())
                .collect(),
        };
        for parent in parents {
            for i in 0..rng.range(1, 2) {
                let seg = ["a", "b"][i];
                let path = if parent.is_empty() {
                    seg.to_string()
                } else {
                    format!("{parent}/{seg}")
                };
                paths.push((s, path));
            }
        }
    }
    let subjects: Vec<String> = users
        .iter()
        .map(|u| format!("u{u}"))
        .chain(m.groups.iter().map(|(g, _)| format!("group:{g}")))
        .collect();
    for (s, path) in paths {
        let mut r = ResSpec {
            id: format!("{}:{path}", p.scopes[s].name),
            ..ResSpec::default()
        };
        r.members = rng.subset(&users, 50);
        let roles = p.roles_on(s);
        if !roles.is_empty() {
            for subj in rng.subset(&subjects, 40) {
                let mut given: Vec<usize> = Vec::new();
                for _ in 0..rng.range(1, 2) {
                    let role = *rng.pick(&roles).unwrap();
                    let clash = p.cards.iter().any(|c| {
                        c.roles.contains(&role) && given.iter().any(|g| c.roles.contains(g))
                    });
                    let allowed = !clash || (f.refusals && rng.chance(5));
                    if !given.contains(&role) && allowed {
                        given.push(role);
                    }
                }
                r.roles.push((subj, given));
            }
        }
        let inside: Vec<usize> = (0..p.perms.len())
            .filter(|&x| p.within(p.perms[x].scope, s))
            .collect();
        if !inside.is_empty() && rng.chance(30) {
            for subj in rng.subset(&subjects, 30) {
                let perms: Vec<usize> = rng.subset(&inside, 20).into_iter().take(3).collect();
                if !perms.is_empty() {
                    r.grants.push((subj, perms));
                }
            }
        }
        // A group's level comes from what it is granted (a group bound a
        // role already holds that role's rank): on an instance of a kind
        // whose groups upgrade roles, grant a group something more often.
        let upgrades = p.groups.iter().any(|&(gs, up, _, _)| gs == s && up);
        if upgrades && !m.groups.is_empty() && !inside.is_empty() && rng.chance(60) {
            let g = format!("group:{}", m.groups[rng.below(m.groups.len())].0);
            if !r.grants.iter().any(|(subj, _)| *subj == g) {
                let perms: Vec<usize> = (0..rng.range(1, 3))
                    .map(|_| *rng.pick(&inside).unwrap())
                    .collect::<BTreeSet<usize>>()
                    .into_iter()
                    .collect();
                r.grants.push((g, perms));
            }
        }
        for &role in &roles {
            let mut switches: Vec<(usize, bool)> = Vec::new();
            let configurable: BTreeSet<usize> = p.roles[role]
                .grants
                .iter()
                .filter(|g| g.configurable.is_some())
                .flat_map(|g| {
                    g.patterns
                        .iter()
                        .flat_map(|pat| p.covered(pat, p.roles[role].scope))
                })
                .collect();
            // Settings may name a group (it switches its members) as well
            // as a member: the nearest one written decides.
            let nameable: Vec<usize> = configurable.iter().copied().collect();
            for x in rng.subset(&nameable, 40) {
                let on = rng.chance(50);
                switches.push((x, on));
            }
            if !switches.is_empty() {
                r.settings.push((role, switches));
            }
        }
        m.resources.push(r);
    }
    m
}

fn q(s: &str) -> String {
    format!("\"{s}\"")
}

impl MembersSpec {
    /// The data as the reference's own types: what both evaluators get
    /// (loading through the builder, [`Data::builder`]).
    fn data(&self, p: &PolicySpec) -> Data {
        let user = |u: &usize| format!("u{u}");
        let mut d = Data {
            edition: self.edition.map(|e| p.editions[e].name.clone()),
            users: (0..self.users).map(|u| user(&u)).collect(),
            ..Data::default()
        };
        for (g, us) in &self.groups {
            d.groups
                .insert(g.clone(), Names(us.iter().map(user).collect()));
        }
        for r in &self.resources {
            let mut body = Body {
                members: r.members.iter().map(user).collect(),
                ..Body::default()
            };
            for (s, roles) in &r.roles {
                let names = roles.iter().map(|&x| p.roles[x].name.clone()).collect();
                body.roles.insert(s.clone(), Names(names));
            }
            for (s, perms) in &r.grants {
                let names = perms.iter().map(|&x| p.perms[x].name.clone()).collect();
                body.grants.insert(s.clone(), Names(names));
            }
            for (role, switches) in &r.settings {
                let entry = body
                    .settings
                    .entry(p.roles[*role].name.clone())
                    .or_default();
                for (x, on) in switches {
                    entry.insert(p.perms[*x].name.clone(), Switch(*on));
                }
            }
            d.resources.insert(r.id.clone(), body);
        }
        d
    }

    fn text(&self, p: &PolicySpec, rng: Option<&mut Rng>) -> String {
        let mut rng = rng;
        let mut shuffle = |items: &mut Vec<String>| {
            if let Some(r) = rng.as_deref_mut() {
                r.shuffle(items);
            }
        };
        let user = |u: usize| q(&format!("u{u}"));
        let mut out = String::new();
        if let Some(e) = self.edition {
            let _ = writeln!(out, "edition: {}", q(&p.editions[e].name));
        }
        let users: Vec<String> = (0..self.users).map(user).collect();
        let _ = writeln!(out, "users: [{}]", users.join(", "));
        if !self.groups.is_empty() {
            out.push_str("groups:\n");
            let mut groups: Vec<String> = self
                .groups
                .iter()
                .map(|(g, us)| {
                    let us: Vec<String> = us.iter().map(|&u| user(u)).collect();
                    format!("  {}: [{}]\n", q(g), us.join(", "))
                })
                .collect();
            shuffle(&mut groups);
            out.push_str(&groups.concat());
        }
        out.push_str("resources:\n");
        let mut resources: Vec<String> = Vec::new();
        for r in &self.resources {
            let mut body = String::new();
            if !r.members.is_empty() {
                let ms: Vec<String> = r.members.iter().map(|&u| user(u)).collect();
                let _ = writeln!(body, "    members: [{}]", ms.join(", "));
            }
            let subject = q;
            if !r.roles.is_empty() {
                body.push_str("    roles:\n");
                let mut lines: Vec<String> = r
                    .roles
                    .iter()
                    .map(|(s, roles)| {
                        let names: Vec<String> =
                            roles.iter().map(|&x| q(&p.roles[x].name)).collect();
                        if names.len() == 1 {
                            format!("      {}: {}\n", subject(s), names[0])
                        } else {
                            format!("      {}: [{}]\n", subject(s), names.join(", "))
                        }
                    })
                    .collect();
                shuffle(&mut lines);
                body.push_str(&lines.concat());
            }
            if !r.grants.is_empty() {
                body.push_str("    grants:\n");
                let mut lines: Vec<String> = r
                    .grants
                    .iter()
                    .map(|(s, perms)| {
                        let names: Vec<String> =
                            perms.iter().map(|&x| q(&p.perms[x].name)).collect();
                        format!("      {}: [{}]\n", subject(s), names.join(", "))
                    })
                    .collect();
                shuffle(&mut lines);
                body.push_str(&lines.concat());
            }
            if !r.settings.is_empty() {
                body.push_str("    settings:\n");
                let mut blocks: Vec<String> = r
                    .settings
                    .iter()
                    .map(|(role, switches)| {
                        let mut lines: Vec<String> = switches
                            .iter()
                            .map(|(x, on)| {
                                format!(
                                    "        {}: {}\n",
                                    q(&p.perms[*x].name),
                                    if *on { "on" } else { "off" }
                                )
                            })
                            .collect();
                        shuffle(&mut lines);
                        format!("      {}:\n{}", q(&p.roles[*role].name), lines.concat())
                    })
                    .collect();
                shuffle(&mut blocks);
                body.push_str(&blocks.concat());
            }
            if body.is_empty() {
                resources.push(format!("  {}:\n", q(&r.id)));
            } else {
                resources.push(format!("  {}:\n{body}", q(&r.id)));
            }
        }
        shuffle(&mut resources);
        out.push_str(&resources.concat());
        out
    }
}

// ------------------------------------------------------------------ harness

/// A generated case: policy and members as text, and the specs behind them.
#[derive(Clone, Debug)]
struct Case {
    policy: PolicySpec,
    members: MembersSpec,
}

impl Case {
    fn new(seed: u64, k: Knobs, f: Features) -> Case {
        let mut rng = Rng(seed);
        let policy = gen_policy(&mut rng, k, f);
        let members = gen_members(&mut rng, &policy, k, f);
        Case { policy, members }
    }
}

/// The decision of every query (valid and a few invalid ones), compiled.
type Decisions = Vec<((String, String, String), Option<bool>)>;

/// Compiles a case's policy and loads its data through the builder.
/// `None` only for E0204; any other refusal of generated (valid by
/// construction) input is a failure.
fn load(case: &Case) -> Option<Box<Authorizer>> {
    let policy = case.policy.text();
    let compiled = compile_generated(&policy)?;
    let data = case.members.data(&case.policy);
    let loaded = match data.builder().build(&compiled, "gen") {
        Ok(m) => m,
        Err(e) => panic!(
            "generated members do not load:\n{policy}\n---\n{}\n{e}",
            case.members.text(&case.policy, None)
        ),
    };
    Some(Box::new(Authorizer::new(compiled, loaded).unwrap()))
}

/// Compiles a generated policy: `None` only for E0204.
fn compile_generated(policy: &str) -> Option<rbacc::Policy> {
    match rbacc::compile("gen.rbac", policy) {
        Ok(p) => Some(p),
        Err(report) => {
            let only_e0204 = report
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .all(|d| d.code == "E0204");
            if only_e0204 {
                return None;
            }
            panic!(
                "generated policy does not compile:\n{policy}\n{}",
                report.to_plain_string()
            );
        }
    }
}

/// Compiles and loads texts, the data as a YAML file.
fn load_yaml(policy: &str, members: &str) -> Option<Box<Authorizer>> {
    let compiled = compile_generated(policy)?;
    let loaded = match Members::from_yaml(&compiled, "gen.yaml", members) {
        Ok(m) => m,
        Err(report) => panic!(
            "generated members do not load:\n{policy}\n---\n{members}\n{}",
            report.to_plain_string()
        ),
    };
    Some(Box::new(Authorizer::new(compiled, loaded).unwrap()))
}

impl Case {
    /// The first case from `seed` on whose policy compiles, loaded. Analysis
    /// refuses some generated policies for the one reason the generator does
    /// not avoid (E0204: a role implying two roles of one cardinality rule);
    /// such a seed is replaced by the next, so every counted case is
    /// compared.
    fn valid(seed: u64, k: Knobs, f: Features, stats: &Stats) -> (Case, Box<Authorizer>) {
        let mut seed = seed;
        loop {
            let case = Case::new(seed, k, f);
            if let Some(a) = load(&case) {
                return (case, a);
            }
            stats.regenerated.fetch_add(1, Ordering::Relaxed);
            seed = Rng(seed).next();
        }
    }
}

fn queries(a: &Authorizer) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let users: Vec<String> = a.members().users().map(String::from).collect();
    let perms: Vec<String> = a.policy().permissions().map(String::from).collect();
    let res: Vec<String> = a.members().resources().map(String::from).collect();
    for u in &users {
        for p in &perms {
            for r in &res {
                out.push((u.clone(), p.clone(), r.clone()));
            }
        }
    }
    if let (Some(u), Some(p), Some(r)) = (users.first(), perms.first(), res.first()) {
        out.push(("nobody".into(), p.clone(), r.clone()));
        out.push((u.clone(), "no.such.permission".into(), r.clone()));
        out.push((u.clone(), p.clone(), "s0:nowhere".into()));
    }
    out
}

fn decisions(a: &Authorizer) -> Decisions {
    queries(a)
        .into_iter()
        .map(|(u, p, r)| {
            let d = a.is_allowed(&u, &p, &r).ok();
            ((u, p, r), d)
        })
        .collect()
}

/// Cases for one property: its default, or its share (`weight`%) of
/// `RBACC_PROPTEST_CASES` when that is set.
fn cases(default: u32, weight: u32) -> u32 {
    match std::env::var("RBACC_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        Some(total) => u32::try_from(total * u64::from(weight) / 100)
            .unwrap_or(u32::MAX)
            .max(1),
        None => default,
    }
}

/// The seed of proptest's generator: fixed, so that the figures of a run
/// are reproducible, unless `RBACC_PROPTEST_SEED` is set (a number, or
/// `random`).
fn rng_seed() -> RngSeed {
    match std::env::var("RBACC_PROPTEST_SEED") {
        Ok(v) if v == "random" => RngSeed::Random,
        Ok(v) => RngSeed::Fixed(
            v.parse()
                .expect("RBACC_PROPTEST_SEED: a number or `random`"),
        ),
        Err(_) => RngSeed::Fixed(0x7262_6163_6300_0007),
    }
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        max_shrink_iters: 256,
        rng_seed: rng_seed(),
        ..Config::default()
    }
}

fn knobs() -> impl Strategy<Value = Knobs> {
    (2usize..=4, 1usize..=4, 1usize..=5, 1usize..=5).prop_map(|(levels, perms, roles, users)| {
        Knobs {
            levels,
            perms,
            roles,
            users,
        }
    })
}

const ALL: Features = Features {
    fill_in: true,
    editions: true,
    refusals: false,
};
const PLAIN: Features = Features {
    fill_in: false,
    editions: true,
    refusals: false,
};
/// Every rule, and data the loader must refuse.
const RULES: Features = Features {
    fill_in: true,
    editions: true,
    refusals: true,
};

/// Figures of one property, printed at its end (`--nocapture`) for
/// docs/reliability.md.
struct Stats {
    cases: AtomicU64,
    queries: AtomicU64,
    /// Seeds replaced because analysis refused their policy (E0204).
    regenerated: AtomicU64,
}

impl Stats {
    const fn new() -> Stats {
        Stats {
            cases: AtomicU64::new(0),
            queries: AtomicU64::new(0),
            regenerated: AtomicU64::new(0),
        }
    }
    fn case(&self, queries: usize) {
        self.cases.fetch_add(1, Ordering::Relaxed);
        self.queries.fetch_add(queries as u64, Ordering::Relaxed);
    }
}

/// Runs a property over `cases` generated inputs and prints its figures;
/// panics with the (proptest-shrunk) failing input on a failure.
fn run<S: Strategy>(
    name: &str,
    cases: u32,
    stats: &Stats,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let mut runner = proptest::test_runner::TestRunner::new(config(cases));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
    eprintln!(
        "{name}: {} cases, {} queries, 0 failures ({} seeds replaced after E0204)",
        stats.cases.load(Ordering::Relaxed),
        stats.queries.load(Ordering::Relaxed),
        stats.regenerated.load(Ordering::Relaxed)
    );
}

// ------------------------------------------------------------------ properties

/// The first difference between loading plus the compiled evaluator and
/// the reference, if the policy compiles: one refuses the data and the
/// other does not (or with another code), a resource's join order, the
/// roles a user holds on a resource, or a decision.
fn first_mismatch(case: &Case) -> Option<String> {
    let compiled = rbacc::compile("gen.rbac", &case.policy.text()).ok()?;
    compare(case, &compiled).err()
}

/// [`first_mismatch`] on a compiled policy: the loaded case when both
/// accept the data and agree, `None` when both refuse it with one code.
fn compare(case: &Case, compiled: &rbacc::Policy) -> Result<Option<Box<Authorizer>>, String> {
    let data = case.members.data(&case.policy);
    let loaded = data.builder().build(compiled, "gen");
    let reference = Reference::new(compiled, data);
    let (loaded, reference) = match (loaded, reference) {
        (Ok(l), Ok(r)) => (l, r),
        (Err(e), Err(Refusal::Rule { code, message })) => {
            if e.code() == code {
                return Ok(None);
            }
            return Err(format!(
                "loading refused with {}, the reference with {code}: {message}",
                e.code()
            ));
        }
        (Err(e), r) => {
            return Err(format!(
                "loading refused the data, the reference gave {:?}:\n{e}",
                r.err(),
            ))
        }
        (Ok(_), Err(e)) => return Err(format!("loading accepted the data, the reference {e:?}")),
    };
    for res in rbacc::internals::membership::resources(&loaded) {
        let order: Vec<String> = res
            .members
            .iter()
            .map(|&u| loaded.user_name(u).to_string())
            .collect();
        let expected = reference.members_of(&res.name);
        if Some(&order) != expected.as_ref() {
            return Err(format!(
                "join order of `{}`: loaded {order:?}, reference {expected:?}",
                res.name
            ));
        }
        let r = loaded.res_id(&res.name).ok_or("a resource without an id")?;
        for (ui, name) in loaded.users().enumerate() {
            let u = rbacc::UserId::from_index(ui);
            let held: BTreeSet<String> = rbacc::internals::membership::entry(&loaded, u, r)
                .map(|e| {
                    e.roles()
                        .filter(|h| !matches!(h.origin, Origin::Direct | Origin::GroupGrant(_)))
                        .map(|h| {
                            rbacc::internals::policy::model(compiled)
                                .role_name(h.role)
                                .to_string()
                        })
                        .collect()
                })
                .unwrap_or_default();
            let expected = reference.roles_held(name, &res.name);
            if Some(&held) != expected.as_ref() {
                return Err(format!(
                    "roles of `{name}` on `{}`: loaded {held:?}, reference {expected:?}",
                    res.name
                ));
            }
        }
    }
    let a = Box::new(Authorizer::new(compiled.clone(), loaded).map_err(|e| format!("{e:?}"))?);
    for (u, p, r) in queries(&a) {
        let c = a.is_allowed(&u, &p, &r);
        let e = reference.decide(&u, &p, &r);
        if c.is_ok() != e.is_ok() || (c.is_ok() && c != e) {
            return Err(format!("`{u} {p} {r}`: compiled {c:?}, reference {e:?}"));
        }
    }
    Ok(Some(a))
}

/// Greedily removes parts of a failing case while it still fails, so that
/// a mismatch is reported on a small policy and membership file.
fn minimize(case: &Case, fails: &dyn Fn(&Case) -> Option<String>) -> (Case, String) {
    let mut best = case.clone();
    let Some(mut why) = fails(&best) else {
        return (best, String::new());
    };
    loop {
        let mut progress = false;
        for candidate in shrink_candidates(&best) {
            if let Some(w) = fails(&candidate) {
                best = candidate;
                why = w;
                progress = true;
                break;
            }
        }
        if !progress {
            return (best, why);
        }
    }
}

/// Every case with one part removed.
fn shrink_candidates(c: &Case) -> Vec<Case> {
    let mut out = Vec::new();
    let mut push = |f: &dyn Fn(&mut Case)| {
        let mut x = c.clone();
        f(&mut x);
        out.push(x);
    };
    for ri in 0..c.members.resources.len() {
        let r = &c.members.resources[ri];
        for i in 0..r.roles.len() {
            push(&|x: &mut Case| {
                x.members.resources[ri].roles.remove(i);
            });
            for j in 0..r.roles[i].1.len() {
                if r.roles[i].1.len() > 1 {
                    push(&|x: &mut Case| {
                        x.members.resources[ri].roles[i].1.remove(j);
                    });
                }
            }
        }
        for i in 0..r.grants.len() {
            push(&|x: &mut Case| {
                x.members.resources[ri].grants.remove(i);
            });
        }
        for i in 0..r.settings.len() {
            push(&|x: &mut Case| {
                x.members.resources[ri].settings.remove(i);
            });
            for j in 0..r.settings[i].1.len() {
                push(&|x: &mut Case| {
                    x.members.resources[ri].settings[i].1.remove(j);
                });
            }
        }
        for i in 0..r.members.len() {
            push(&|x: &mut Case| {
                x.members.resources[ri].members.remove(i);
            });
        }
    }
    for gi in 0..c.members.groups.len() {
        for i in 0..c.members.groups[gi].1.len() {
            push(&|x: &mut Case| {
                x.members.groups[gi].1.remove(i);
            });
        }
    }
    for ri in 0..c.policy.roles.len() {
        let r = &c.policy.roles[ri];
        for i in 0..r.grants.len() {
            push(&|x: &mut Case| {
                x.policy.roles[ri].grants.remove(i);
            });
            for j in 0..r.grants[i].patterns.len() {
                if r.grants[i].patterns.len() > 1 {
                    push(&|x: &mut Case| {
                        x.policy.roles[ri].grants[i].patterns.remove(j);
                    });
                }
            }
            if r.grants[i].configurable.is_some() {
                push(&|x: &mut Case| {
                    x.policy.roles[ri].grants[i].configurable = None;
                });
            }
        }
        for i in 0..r.includes.len() {
            push(&|x: &mut Case| {
                x.policy.roles[ri].includes.remove(i);
            });
        }
        for i in 0..r.implies.len() {
            push(&|x: &mut Case| {
                x.policy.roles[ri].implies.remove(i);
            });
        }
    }
    for pi in 0..c.policy.perms.len() {
        if !c.policy.perms[pi].implies.is_empty() {
            push(&|x: &mut Case| {
                x.policy.perms[pi].implies.clear();
            });
        }
    }
    for i in 0..c.policy.cards.len() {
        push(&|x: &mut Case| {
            x.policy.cards.remove(i);
        });
    }
    for i in 0..c.policy.bootstraps.len() {
        push(&|x: &mut Case| {
            x.policy.bootstraps.remove(i);
        });
    }
    for i in 0..c.policy.groups.len() {
        push(&|x: &mut Case| {
            x.policy.groups.remove(i);
        });
        if c.policy.groups[i].3.is_some() {
            push(&|x: &mut Case| {
                x.policy.groups[i].3 = None;
            });
        }
    }
    for i in 0..c.policy.containments.len() {
        push(&|x: &mut Case| {
            x.policy.containments.remove(i);
        });
    }
    for i in 0..c.policy.at_least.len() {
        push(&|x: &mut Case| {
            x.policy.at_least.remove(i);
        });
    }
    out
}

static DIFFERENTIAL: Stats = Stats::new();

/// How often the generated data exercised each membership rule (cases in
/// which loading gave at least one role of that origin), printed with the
/// differential property's figures.
struct RuleCounts([AtomicU64; 10]);

const RULE_NAMES: [&str; 10] = [
    "bootstrap",
    "default",
    "upgrade",
    "fallback",
    "without-rbac",
    "unlisted-member",
    "refused-E0404",
    "contained-member",
    "refused-E0413",
    "refused-E0414",
];

static RULE_COUNTS: RuleCounts = RuleCounts([const { AtomicU64::new(0) }; 10]);

impl RuleCounts {
    fn add(&self, i: usize) {
        self.0[i].fetch_add(1, Ordering::Relaxed);
    }
    fn report(&self) -> String {
        RULE_NAMES
            .iter()
            .zip(&self.0)
            .map(|(n, c)| format!("{n} {}", c.load(Ordering::Relaxed)))
            .collect::<Vec<_>>()
            .join(", ")
    }
    /// Counts the rules one loaded case exercised.
    fn count(&self, case: &Case, m: &Members) {
        let mut seen = [false; 10];
        for (ri, res) in rbacc::internals::membership::resources(m)
            .iter()
            .enumerate()
        {
            let r = rbacc::ResId::from_index(ri);
            for &u in &res.members {
                for h in rbacc::internals::membership::entry(m, u, r)
                    .into_iter()
                    .flat_map(|e| e.roles())
                {
                    match h.origin {
                        Origin::Bootstrap(..) => seen[0] = true,
                        Origin::Default(_) => seen[1] = true,
                        Origin::Upgrade(_) => seen[2] = true,
                        Origin::Fallback(_) => seen[3] = true,
                        _ => {}
                    }
                }
            }
            let listed = case
                .members
                .resources
                .iter()
                .find(|x| x.id == res.name)
                .map_or(0, |x| x.members.len());
            seen[5] |= res.members.len() > listed;
            // A member by containment: not listed, holding nothing of
            // their own there.
            let listed_here: Vec<String> = case
                .members
                .resources
                .iter()
                .find(|x| x.id == res.name)
                .map(|x| x.members.iter().map(|u| format!("u{u}")).collect())
                .unwrap_or_default();
            seen[7] |= !case.policy.containments.is_empty()
                && res.members.iter().any(|&u| {
                    let own = rbacc::internals::membership::entry(m, u, r).is_some_and(|e| {
                        e.grants().next().is_some()
                            || e.roles()
                                .any(|h| matches!(h.origin, Origin::Binding | Origin::Group(_)))
                    });
                    !own && !listed_here.iter().any(|n| n == m.user_name(u))
                });
        }
        seen[4] = case
            .members
            .edition
            .is_some_and(|e| !case.policy.editions[e].rbac);
        for (i, s) in seen.iter().enumerate() {
            if *s {
                self.add(i);
            }
        }
    }
}

/// A case from `seed` on (or the next seeds) whose policy compiles; its
/// data may be refused.
fn compiling(seed: u64, k: Knobs, f: Features, stats: &Stats) -> (Case, rbacc::Policy) {
    let mut seed = seed;
    loop {
        let case = Case::new(seed, k, f);
        if let Ok(p) = rbacc::compile("gen.rbac", &case.policy.text()) {
            return (case, p);
        }
        stats.regenerated.fetch_add(1, Ordering::Relaxed);
        seed = Rng(seed).next();
    }
}

fn differential(seed: u64, k: Knobs) -> Result<(), TestCaseError> {
    let (case, compiled) = compiling(seed, k, RULES, &DIFFERENTIAL);
    let policy = case.policy.text();
    let members = case.members.text(&case.policy, None);
    let a = match compare(&case, &compiled) {
        Ok(Some(a)) => a,
        Ok(None) => {
            // Refused by both, with the same code.
            let code = match Reference::new(&compiled, case.members.data(&case.policy)) {
                Err(Refusal::Rule { code, .. }) => code,
                _ => "",
            };
            RULE_COUNTS.add(match code {
                "E0413" => 8,
                "E0414" => 9,
                _ => 6,
            });
            DIFFERENTIAL.case(0);
            return Ok(());
        }
        Err(why) => {
            let (small, why_small) = minimize(&case, &first_mismatch);
            return Err(TestCaseError::fail(format!(
                "{why}\nminimized: {why_small}\n--- policy\n{}\n--- members\n{}",
                small.policy.text(),
                small.members.text(&small.policy, None)
            )));
        }
    };
    RULE_COUNTS.count(&case, a.members());
    let reference = Reference::new(a.policy(), case.members.data(&case.policy)).expect("accepted");
    DIFFERENTIAL.case(queries(&a).len());
    // what-can and who-can are built on the same check (with explanations,
    // so one resource and one user per case).
    let mut rng = Rng(seed ^ 0x5eed);
    let resources = rbacc::internals::membership::resources(a.members());
    let users: Vec<&str> = a.members().users().collect();
    if let (Some(res), Some(&u)) = (rng.pick(resources), rng.pick(&users)) {
        let perms: Vec<String> = rbacc::internals::policy::model(a.policy())
            .perms
            .iter()
            .filter(|p| p.scope == res.kind)
            .map(|p| p.name.clone())
            .collect();
        let what: BTreeSet<String> = a
            .what_can(u, &res.name)
            .expect("what-can")
            .into_iter()
            .map(|(p, _)| a.policy().perm_name(p).to_string())
            .collect();
        let expected: BTreeSet<String> = perms
            .iter()
            .filter(|p| reference.decide(u, p, &res.name) == Ok(true))
            .cloned()
            .collect();
        prop_assert_eq!(
            what,
            expected,
            "what-can {} {}\n{}\n{}",
            u,
            res.name,
            policy,
            members
        );
        if let Some(p) = perms.first() {
            let who: BTreeSet<String> = a
                .who_can(p, &res.name)
                .expect("who-can")
                .into_iter()
                .map(|(u, _)| a.members().user_name(u).to_string())
                .collect();
            let expected: BTreeSet<String> = a
                .members()
                .users()
                .filter(|u| reference.decide(u, p, &res.name) == Ok(true))
                .map(String::from)
                .collect();
            prop_assert_eq!(
                who,
                expected,
                "who-can {} {}\n{}\n{}",
                p,
                res.name,
                policy,
                members
            );
        }
    }
    Ok(())
}

/// The compiled evaluator agrees with the reference on every query.
#[test]
fn compiled_agrees_with_reference() {
    let n = cases(10_000, 70);
    run(
        "differential",
        n,
        &DIFFERENTIAL,
        (any::<u64>(), knobs()),
        |(seed, k)| differential(seed, k),
    );
    eprintln!(
        "differential: cases exercising each rule: {}",
        RULE_COUNTS.report()
    );
}

static DEFAULT_DENY: Stats = Stats::new();

/// With users and resources but no members, bindings or grants, every
/// query denies (or is refused), in every edition (a fallback role is held
/// by the members of an instance, and there are none); and with the empty
/// file every query is refused.
#[test]
fn default_deny() {
    run(
        "default-deny",
        cases(300, 5),
        &DEFAULT_DENY,
        (any::<u64>(), knobs()),
        |(seed, k)| {
            let (mut case, _) = Case::valid(seed, k, ALL, &DEFAULT_DENY);
            for r in &mut case.members.resources {
                r.members.clear();
                r.roles.clear();
                r.grants.clear();
            }
            let policy = case.policy.text();
            let members = case.members.text(&case.policy, None);
            let a = load(&case).expect("loads");
            let all = decisions(&a);
            DEFAULT_DENY.case(all.len());
            for ((u, p, r), d) in all {
                prop_assert!(
                    d != Some(true),
                    "allowed `{u} {p} {r}` with no bindings\n{policy}\n{members}"
                );
            }
            let empty = Members::from_yaml(a.policy(), "empty.yaml", "");
            if let Ok(m) = empty {
                let e = Authorizer::new(a.policy().clone(), m).unwrap();
                for p in a.policy().permissions() {
                    prop_assert!(e.is_allowed("u0", p, "s0:a").is_err());
                }
            }
            Ok(())
        },
    );
}

/// Removes one thing: a binding, a role from a binding, a direct grant or
/// a grant pattern of the policy.
fn remove_one(rng: &mut Rng, case: &mut Case) -> bool {
    let mut options: Vec<(usize, usize, usize)> = Vec::new();
    for (ri, r) in case.members.resources.iter().enumerate() {
        for (bi, (_, roles)) in r.roles.iter().enumerate() {
            for x in 0..roles.len() {
                options.push((0, ri * 1000 + bi, x));
            }
        }
        for (gi, (_, perms)) in r.grants.iter().enumerate() {
            for x in 0..perms.len() {
                options.push((1, ri * 1000 + gi, x));
            }
        }
    }
    for (ri, role) in case.policy.roles.iter().enumerate() {
        for (gi, g) in role.grants.iter().enumerate() {
            for x in 0..g.patterns.len() {
                options.push((2, ri * 1000 + gi, x));
            }
        }
    }
    rng.shuffle(&mut options);
    // The first option whose removal leaves the membership data valid as
    // written (removing a configurable grant may make a setting name
    // nothing: dropping the setting too would be a second change).
    for (what, at, x) in options {
        let mut next = case.clone();
        let (outer, inner) = (at / 1000, at % 1000);
        match what {
            0 => {
                let roles = &mut next.members.resources[outer].roles[inner].1;
                roles.remove(x);
                if roles.is_empty() {
                    next.members.resources[outer].roles.remove(inner);
                }
            }
            1 => {
                let perms = &mut next.members.resources[outer].grants[inner].1;
                perms.remove(x);
                if perms.is_empty() {
                    next.members.resources[outer].grants.remove(inner);
                }
            }
            _ => {
                let grants = &mut next.policy.roles[outer].grants;
                grants[inner].patterns.remove(x);
                if grants[inner].patterns.is_empty() {
                    grants.remove(inner);
                }
                let spec = &next.policy;
                let settings_valid = next.members.resources.iter().all(|r| {
                    r.settings.iter().all(|(role, switches)| {
                        let still: BTreeSet<usize> = spec.roles[*role]
                            .grants
                            .iter()
                            .filter(|g| g.configurable.is_some())
                            .flat_map(|g| {
                                g.patterns
                                    .iter()
                                    .flat_map(|pat| spec.covered(pat, spec.roles[*role].scope))
                            })
                            .collect();
                        switches.iter().all(|(p, _)| still.contains(p))
                    })
                });
                if !settings_valid {
                    continue;
                }
            }
        }
        *case = next;
        return true;
    }
    false
}

static MONOTONE: Stats = Stats::new();

/// Removing a binding, a direct grant or a policy grant never turns a deny
/// into an allow. (Policies without cardinality defaults, bootstrap rules
/// and group upgrades: those fill in roles for users *without* one, so
/// removing a binding may add a role by design.)
#[test]
fn removing_never_allows() {
    run(
        "monotone",
        cases(1_000, 15),
        &MONOTONE,
        (any::<u64>(), knobs(), any::<u64>()),
        |(seed, k, pick)| {
            let (case, before) = Case::valid(seed, k, PLAIN, &MONOTONE);
            let policy = case.policy.text();
            let members = case.members.text(&case.policy, None);
            let mut smaller = case.clone();
            if !remove_one(&mut Rng(pick), &mut smaller) {
                return Ok(());
            }
            let policy2 = smaller.policy.text();
            let members2 = smaller.members.text(&smaller.policy, None);
            let after = load(&smaller).expect("a smaller policy compiles");
            let after: std::collections::HashMap<_, _> = decisions(&after).into_iter().collect();
            let all = decisions(&before);
            MONOTONE.case(all.len());
            for (query, d) in all {
                if d == Some(false) {
                    prop_assert_ne!(
                        after.get(&query).copied().flatten(),
                        Some(true),
                        "{:?} became an allow\n--- before\n{}\n{}\n--- after\n{}\n{}",
                        query,
                        policy,
                        members,
                        policy2,
                        members2
                    );
                }
            }
            Ok(())
        },
    );
}

static ORDER: Stats = Stats::new();

/// Shuffling the policy's declarations (and the items of role blocks) and
/// the membership file's mappings (not its join-order lists) never changes
/// a decision.
#[test]
fn order_does_not_matter() {
    run(
        "order",
        cases(1_000, 10),
        &ORDER,
        (any::<u64>(), knobs(), any::<u64>()),
        |(seed, k, shuffle)| {
            let (case, a) = Case::valid(seed, k, ALL, &ORDER);
            let policy = case.policy.text();
            let members = case.members.text(&case.policy, None);
            let mut rng = Rng(shuffle);
            let policy2 = case.policy.shuffled_text(&mut rng);
            let members2 = case.members.text(&case.policy, Some(&mut rng));
            // The original through the builder, the shuffled one as a
            // file: the two front ends agree too.
            let b = load_yaml(&policy2, &members2).expect("the shuffled policy compiles");
            let da = decisions(&a);
            let db: std::collections::HashMap<_, _> = decisions(&b).into_iter().collect();
            ORDER.case(da.len());
            for (query, d) in da {
                prop_assert_eq!(
                    db.get(&query).copied().flatten(),
                    d,
                    "{:?} changed\n--- original\n{}\n{}\n--- shuffled\n{}\n{}",
                    query,
                    policy,
                    members,
                    policy2,
                    members2
                );
            }
            Ok(())
        },
    );
}

/// The shipped presets with their example data: the compiled evaluator and
/// the reference agree on every (user, permission, resource).
#[test]
fn presets_agree_with_reference() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut compared = 0usize;
    for preset in rbacc::presets::PRESETS {
        let path = root.join("examples").join(preset.name).join("members.yaml");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let policy = rbacc::compile(preset.name, preset.source).unwrap();
        let members = Members::from_yaml(&policy, "members.yaml", &text).unwrap();
        let a = Authorizer::new(policy, members).unwrap();
        let reference = Reference::from_text(a.policy(), &text).unwrap();
        for (u, p, r) in queries(&a) {
            let c = a.is_allowed(&u, &p, &r);
            let e = reference.decide(&u, &p, &r);
            assert_eq!(
                c.is_ok(),
                e.is_ok(),
                "{} `{u} {p} {r}`: {c:?} / {e:?}",
                preset.name
            );
            if let (Ok(c), Ok(e)) = (c, e) {
                assert_eq!(c, e, "{} `{u} {p} {r}`", preset.name);
            }
            compared += 1;
        }
    }
    eprintln!("presets: {compared} queries compared, 0 mismatches");
    assert!(compared > 1000);
}

// ------------------------------------------------------------------ finds

/// Loads a policy and data, requires the reference to agree on everything
/// (as the differential property does), and gives the roles `user` holds
/// on `resource` and the decision of each permission there.
fn agreed(policy: &str, data: &str, user: &str, resource: &str) -> (BTreeSet<String>, Authorizer) {
    let compiled = rbacc::compile("find.rbac", policy).unwrap();
    let loaded = Members::from_yaml(&compiled, "find.yaml", data).unwrap();
    let reference = Reference::from_text(&compiled, data).unwrap();
    let a = Authorizer::new(compiled.clone(), loaded).unwrap();
    for (u, p, r) in queries(&a) {
        assert_eq!(
            a.is_allowed(&u, &p, &r),
            reference.decide(&u, &p, &r),
            "`{u} {p} {r}`"
        );
    }
    let held = reference.roles_held(user, resource).unwrap();
    (held, a)
}

/// Found by the differential property when the reference began deriving
/// upgrades itself: a user in two groups held the role of each group's
/// level, not only the highest (docs/membership.md: "A user in several
/// groups reaches the highest of their levels").
#[test]
fn a_user_in_several_groups_reaches_only_the_highest_level() {
    let policy = "policy t \"T\"\nscope ws \"Workspace\"\n\
        permissions on ws {\n  ws.a \"A\"\n  ws.b \"B\"\n  ws.c \"C\"\n}\n\
        role low on ws \"Low\" {\n  grant ws.a, ws.c\n}\n\
        role high on ws \"High\" {\n  grant ws.b\n}\n\
        rank low < high\ngroups on ws { upgrade roles }\n";
    let data = "users: [u]\ngroups: {ga: [u], gb: [u]}\nresources:\n  ws:x:\n    grants:\n      group:ga: ws.a\n      group:gb: ws.b\n";
    let (held, a) = agreed(policy, data, "u", "ws:x");
    assert_eq!(held, BTreeSet::from(["high".to_string()]));
    assert_eq!(a.is_allowed("u", "ws.c", "ws:x"), Ok(false));
}

/// Found by the differential property: a group granted a grouped
/// permission was rated above a role that holds each permission of the
/// group (one of them configurable), because the group's own bit was not
/// counted as covered; the group's members were upgraded to the top role.
#[test]
fn a_group_is_rated_by_the_members_of_a_grouped_permission() {
    let policy = "policy t \"T\"\nscope ws \"Workspace\"\n\
        permissions on ws {\n  ws.g \"G\" {\n    ws.g.x \"X\"\n    ws.g.y \"Y\"\n  }\n  ws.z \"Z\"\n}\n\
        role viewer on ws \"Viewer\" {\n  grant ws.g.x\n  grant ws.g.y configurable default off\n}\n\
        role admin on ws \"Admin\" {\n  grant *\n}\n\
        rank viewer < admin\ngroups on ws { upgrade roles }\n";
    let data =
        "users: [u]\ngroups: {gv: [u]}\nresources:\n  ws:x:\n    grants:\n      group:gv: ws.g\n";
    let (held, a) = agreed(policy, data, "u", "ws:x");
    assert_eq!(held, BTreeSet::from(["viewer".to_string()]));
    assert_eq!(a.is_allowed("u", "ws.z", "ws:x"), Ok(false));
}
