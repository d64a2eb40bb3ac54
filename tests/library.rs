//! The library as a service embeds it: fail closed across policy versions,
//! and an `Authorizer` that threads can share.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rbacc::{Authorizer, AuthorizerError, Members};

const POLICY_A: &str = r#"
scope organization "Organization"
permissions on organization {
  org.read "Read"
  org.delete "Delete"
}
role reader on organization "Reader" { grant org.read }
role admin on organization "Admin" { grant org.read  grant org.delete }
"#;

// The same policy with the two permission declarations swapped: every
// permission id changes meaning.
const POLICY_B: &str = r#"
scope organization "Organization"
permissions on organization {
  org.delete "Delete"
  org.read "Read"
}
role reader on organization "Reader" { grant org.read }
role admin on organization "Admin" { grant org.read  grant org.delete }
"#;

const DATA: &str = "users: [rita]\nresources:\n  organization:acme:\n    roles: {rita: reader}\n";

#[test]
fn members_loaded_against_another_policy_are_refused() {
    let a = rbacc::compile("a.rbac", POLICY_A).unwrap();
    let b = rbacc::compile("b.rbac", POLICY_B).unwrap();
    let members_a = Members::from_yaml(&a, "members.yaml", DATA).unwrap();
    let err = Authorizer::new(b, members_a).unwrap_err();
    assert!(matches!(err, AuthorizerError::PolicyMismatch { .. }));
    assert!(err.to_string().contains("loaded against another policy"));
}

#[test]
fn members_loaded_against_the_same_policy_are_accepted_and_decide_rightly() {
    let b = rbacc::compile("b.rbac", POLICY_B).unwrap();
    let members = Members::from_yaml(&b, "members.yaml", DATA).unwrap();
    let authz = Authorizer::new(b, members).unwrap();
    assert!(authz
        .is_allowed("rita", "org.read", "organization:acme")
        .unwrap());
    assert!(!authz
        .is_allowed("rita", "org.delete", "organization:acme")
        .unwrap());
}

#[test]
fn a_recompile_of_the_same_text_binds_the_same_data() {
    // A service that compiles its policy again (same text) keeps its data.
    let first = rbacc::compile("a.rbac", POLICY_A).unwrap();
    let again = rbacc::compile("a.rbac", POLICY_A).unwrap();
    let members = Members::from_yaml(&first, "members.yaml", DATA).unwrap();
    assert!(Authorizer::new(again, members).is_ok());
}

#[test]
fn an_authorizer_is_shared_between_threads() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<Authorizer>();
    shareable::<Members>();
    shareable::<rbacc::Policy>();

    let policy = rbacc::compile("a.rbac", POLICY_A).unwrap();
    let members = Members::from_yaml(&policy, "members.yaml", DATA).unwrap();
    let authz = std::sync::Arc::new(Authorizer::new(policy, members).unwrap());
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let authz = std::sync::Arc::clone(&authz);
            std::thread::spawn(move || authz.is_allowed("rita", "org.read", "organization:acme"))
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap().unwrap());
    }
}
