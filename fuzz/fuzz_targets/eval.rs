//! Policy + members from the input, then arbitrary queries. The input is
//! split on lines holding only `%%`: policy text, membership YAML, then one
//! query per line (`USER PERMISSION RESOURCE`). Every decision is checked
//! against the reference evaluator: a disagreement is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rbacc::internals::reference::Reference;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split("\n%%\n");
    let policy_text = parts.next().unwrap_or_default();
    let members_text = parts.next().unwrap_or_default();
    let queries = parts.next().unwrap_or_default();
    let Ok(policy) = rbacc::compile("fuzz.rbac", policy_text) else {
        return;
    };
    let members = match rbacc::Members::from_yaml(&policy, "fuzz.yaml", members_text) {
        Ok(m) => m,
        Err(report) => {
            let _ = report.to_plain_string();
            return;
        }
    };
    let authz = rbacc::Authorizer::new(policy, members).expect("data loaded against this policy");
    // The reference derives who holds what from the text itself: data that
    // loads must be data it accepts.
    let reference = Reference::from_text(authz.policy(), members_text)
        .expect("the reference accepts the data loading accepted");
    let mut lines: Vec<(String, String, String)> = queries
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some((
                w.next()?.to_string(),
                w.next()?.to_string(),
                w.next()?.to_string(),
            ))
        })
        .take(64)
        .collect();
    // Also every (user, permission, resource) of small data.
    let m = authz.members();
    let policy = authz.policy();
    if m.users().len() * policy.permissions().len() * m.resources().len() <= 512 {
        for u in m.users() {
            for p in policy.permissions() {
                for r in m.resources() {
                    lines.push((u.to_string(), p.to_string(), r.to_string()));
                }
            }
        }
    }
    for (u, p, r) in &lines {
        let compiled = authz.is_allowed(u, p, r);
        let expected = reference.decide(u, p, r);
        match (&compiled, &expected) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "compiled and reference disagree on `{u} {p} {r}`"),
            (Err(_), Err(_)) => {}
            _ => panic!("compiled {compiled:?} but reference {expected:?} on `{u} {p} {r}`"),
        }
        if let Ok(q) = authz.query(u, p, r) {
            let e = authz.explain(&q);
            assert_eq!(e.allowed, authz.check(&q));
        }
        let _ = authz.who_can(p, r);
        let _ = authz.what_can(u, r);
    }
});
