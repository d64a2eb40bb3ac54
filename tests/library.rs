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
    assert_eq!(err.code(), "E0601");
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

#[test]
fn the_builder_needs_no_positions_and_applies_changes() {
    let policy = rbacc::compile("a.rbac", POLICY_A).unwrap();
    let mut b = rbacc::MembersBuilder::new();
    b.user("rita").user("adam");
    let acme = b.resource("organization:acme");
    b.bind(acme, "rita", ["reader"])
        .bind(acme, "adam", ["admin"]);
    let decide = |b: &rbacc::MembersBuilder, user: &str, perm: &str| {
        let members = b.to_members(&policy, "directory").unwrap();
        let authz = Authorizer::new(policy.clone(), members).unwrap();
        authz.is_allowed(user, perm, "organization:acme").unwrap()
    };
    assert!(!decide(&b, "rita", "org.delete"));
    b.add_role(acme, "rita", "admin");
    assert!(decide(&b, "rita", "org.delete"));
    assert!(b.remove_role(acme, "rita", "admin"));
    assert!(!b.remove_role(acme, "rita", "admin"), "removed already");
    assert!(!decide(&b, "rita", "org.delete"));
    assert!(b.unbind(acme, "adam"));
    assert!(!b.unbind(acme, "adam"));
    assert!(!decide(&b, "adam", "org.read"));
    assert_eq!(b.find_resource("organization:acme"), Some(acme));
    assert_eq!(b.find_resource("organization:none"), None);
}

#[test]
fn a_builder_read_from_yaml_matches_the_file() {
    let policy = rbacc::compile("a.rbac", POLICY_A).unwrap();
    let b = rbacc::MembersBuilder::from_yaml("members.yaml", DATA).unwrap();
    let built = b.to_members(&policy, "members.yaml").unwrap();
    let authz = Authorizer::new(policy.clone(), built).unwrap();
    let why = authz.explain(
        &authz
            .query("rita", "org.read", "organization:acme")
            .unwrap(),
    );
    // Positions read from the file are kept: explanations cite them.
    assert_eq!(
        why.steps.first().map(|s| s.kind),
        Some(rbacc::StepKind::Binding)
    );
    assert_eq!(
        why.steps.first().and_then(|s| s.location.as_deref()),
        Some("members.yaml:4:13")
    );
    // Reading refuses what the file refuses, located.
    let e = rbacc::MembersBuilder::from_yaml("bad.yaml", "users: [a, a\n").unwrap_err();
    assert!(e.to_plain_string().contains("bad.yaml"));
}

#[test]
fn data_errors_are_matched_by_kind_with_a_code_and_a_position() {
    let policy = rbacc::compile("a.rbac", POLICY_A).unwrap();
    let mut b = rbacc::MembersBuilder::new();
    b.user("rita");
    let acme = b.resource("organization:acme");
    b.bind_at(
        acme,
        "rita",
        rbacc::Pos::new(4, 5),
        [("raeder", rbacc::Pos::new(4, 11))],
    );
    let e = b.build(&policy, "directory").unwrap_err();
    assert_eq!(e.kind(), rbacc::DataErrorKind::Unknown);
    assert_eq!(e.code(), "E0402");
    assert_eq!(e.position(), Some(rbacc::Pos::new(4, 11)));
    assert!(!e.is_warning());
    assert!(e.to_string().contains("raeder"), "{e}");
}

#[test]
fn a_policy_answers_through_accessors() {
    let policy = rbacc::compile("a.rbac", POLICY_A).unwrap();
    assert_eq!(policy.name(), "a.rbac");
    assert_eq!(
        policy.permissions().collect::<Vec<_>>(),
        ["org.read", "org.delete"]
    );
    assert_eq!(policy.roles().collect::<Vec<_>>(), ["reader", "admin"]);
    assert_eq!(policy.perm_name(rbacc::PermId::from_index(1)), "org.delete");
    assert!(policy.warnings().is_empty());
    let again = rbacc::compile("a.rbac", POLICY_A).unwrap();
    assert_eq!(policy.fingerprint(), again.fingerprint());
}

#[test]
fn every_query_error_has_a_registered_code() {
    // A service maps a refused query to its own error (an HTTP 400, say)
    // by code; each kind of refusal has its own, in the registry that
    // `rbacc explain` and docs/diagnostics.md read.
    const SCOPED: &str = "scope organization \"Organization\"\n\
        scope workspace \"Workspace\" in organization\n\
        permissions on organization { org.read \"Read\" }\n\
        permissions on workspace { ws.read \"Read\" }\n\
        role reader on organization \"Reader\" { grant org.read }\n";
    let policy = rbacc::compile("p.rbac", SCOPED).unwrap();
    let members = Members::from_yaml(&policy, "m.yaml", DATA).unwrap();
    let authz = Authorizer::new(policy, members).unwrap();
    let codes: Vec<&str> = [
        ("rtia", "org.read", "organization:acme"),
        ("rita", "org.raed", "organization:acme"),
        ("rita", "org.read", "organization:acne"),
        ("rita", "ws.read", "organization:acme"),
    ]
    .iter()
    .map(|&(u, p, r)| authz.query(u, p, r).unwrap_err().code())
    .collect();
    assert_eq!(codes, ["E0602", "E0603", "E0604", "E0605"]);
    let registered: Vec<&str> = rbacc::diagnostic::codes::CODES
        .iter()
        .map(|c| c.code)
        .collect();
    for code in codes.iter().chain(&["E0606"]) {
        assert!(registered.contains(code), "{code} is not registered");
    }
}
