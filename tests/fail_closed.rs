//! Fail closed, end to end: a policy that fails to compile, membership data
//! that fails to load, and a query naming an unknown user, permission or
//! resource (or a permission of a kind that does not enclose the resource)
//! are each a refusal: exit 2 with a reason and no decision through the
//! CLI, an `Err` (never `Ok(true)`) through the library.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rbacc::internals::eval::forge;
use rbacc::PermId;
use rbacc::{Authorizer, Members};
use rbacc::{ResId, UserId};
use std::path::{Path, PathBuf};
mod common;

use common::Out;

fn base() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/base")
}

fn base_policy() -> String {
    std::fs::read_to_string(base().join("policy.rbac")).unwrap()
}

fn base_members() -> String {
    std::fs::read_to_string(base().join("members.yaml")).unwrap()
}

fn authorizer() -> Authorizer {
    let policy = rbacc::compile("policy.rbac", &base_policy()).unwrap();
    let members = Members::from_yaml(&policy, "members.yaml", &base_members()).unwrap();
    Authorizer::new(policy, members).unwrap()
}

/// A query the base data allows (alice is the bootstrap Organization Owner,
/// whose `org.admin_all` implies Workspace Admin on every workspace).
const ALLOWED: [&str; 3] = ["alice", "ws.write", "ws:acme/main"];

fn rbacc(args: &[&str]) -> Out {
    common::run(common::rbacc().args(args))
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rbacc-fail-closed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Asserts a refusal: exit 2, a reason on stderr (under `--format json`:
/// the JSON error on stdout), no decision on stdout.
fn assert_refused(out: &Out, reason: &str) {
    assert_eq!(
        out.code, 2,
        "stdout: {}\nstderr: {}",
        out.stdout, out.stderr
    );
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&out.stdout) {
        let error = v.get("error").expect("a JSON error");
        assert!(v.get("decision").is_none(), "printed a decision: {v}");
        assert!(
            error.to_string().contains(reason),
            "expected `{reason}` in {v}"
        );
        return;
    }
    assert!(
        out.stderr.contains(reason),
        "expected `{reason}` in:\n{}",
        out.stderr
    );
    assert!(
        !out.stdout.contains("allow"),
        "printed a decision:\n{}",
        out.stdout
    );
    assert!(
        !out.stdout.lines().any(|l| l.trim() == "deny"),
        "printed a decision:\n{}",
        out.stdout
    );
}

// ------------------------------------------------------------------ CLI

#[test]
fn the_base_query_is_allowed() {
    // The refusals below are refusals of a query that valid input allows.
    let policy = base().join("policy.rbac");
    let members = base().join("members.yaml");
    let out = rbacc(&[
        "eval",
        "--policy",
        policy.to_str().unwrap(),
        "--members",
        members.to_str().unwrap(),
        ALLOWED[0],
        ALLOWED[1],
        ALLOWED[2],
    ]);
    assert_eq!(
        (out.code, out.stdout.trim()),
        (0, "allow"),
        "{}",
        out.stderr
    );
    assert_eq!(
        authorizer().is_allowed(ALLOWED[0], ALLOWED[1], ALLOWED[2]),
        Ok(true)
    );
}

#[test]
fn cli_policy_that_fails_to_compile() {
    // The base policy with one unknown role in an include.
    let broken = base_policy().replace("include org_member", "include org_membr");
    let policy = temp_file("broken.rbac", &broken);
    let members = base().join("members.yaml");
    let (p, m) = (policy.to_str().unwrap(), members.to_str().unwrap());
    for format in ["human", "json"] {
        let out = rbacc(&[
            "eval",
            "--policy",
            p,
            "--members",
            m,
            "--format",
            format,
            ALLOWED[0],
            ALLOWED[1],
            ALLOWED[2],
        ]);
        assert_refused(&out, "E0101");
        assert_refused(&out, "nothing was evaluated");
    }
    let batch = temp_file("batch.txt", &format!("{}\n", ALLOWED.join(" ")));
    let out = rbacc(&[
        "eval",
        "--policy",
        p,
        "--members",
        m,
        "--batch",
        batch.to_str().unwrap(),
    ]);
    assert_refused(&out, "E0101");
    let out = rbacc(&[
        "who-can",
        "--policy",
        p,
        "--members",
        m,
        ALLOWED[1],
        ALLOWED[2],
    ]);
    assert_refused(&out, "E0101");
    let out = rbacc(&[
        "what-can",
        "--policy",
        p,
        "--members",
        m,
        ALLOWED[0],
        ALLOWED[2],
    ]);
    assert_refused(&out, "E0101");
    // A missing policy file, and an analysis error (a warning denied).
    let out = rbacc(&[
        "eval",
        "--policy",
        "/nonexistent/policy.rbac",
        "--members",
        m,
        ALLOWED[0],
        ALLOWED[1],
        ALLOWED[2],
    ]);
    assert_refused(&out, "cannot read");
    let denied = temp_file(
        "denied.rbac",
        &format!(
            "{}\nlint W0306 deny\nrole empty on org \"Empty\"\n",
            base_policy()
        ),
    );
    let out = rbacc(&[
        "eval",
        "--policy",
        denied.to_str().unwrap(),
        "--members",
        m,
        ALLOWED[0],
        ALLOWED[1],
        ALLOWED[2],
    ]);
    assert_refused(&out, "W0306");
}

#[test]
fn cli_members_that_fail_to_load() {
    let policy = base().join("policy.rbac");
    let p = policy.to_str().unwrap();
    for (name, text, reason) in [
        (
            "unknown_role.yaml",
            base_members().replace("bob: ws_viewer", "bob: ws_viewr"),
            "E0402",
        ),
        (
            "duplicate.yaml",
            format!("{}users: [dave]\n", base_members()),
            "E0406",
        ),
        (
            "syntax.yaml",
            base_members().replace("users: [alice, bob, carol]", "users: [alice, bob"),
            "E0401",
        ),
        (
            "no_edition.yaml",
            base_members().replace("edition: team\n", ""),
            "E0408",
        ),
    ] {
        let members = temp_file(name, &text);
        let m = members.to_str().unwrap();
        let out = rbacc(&[
            "eval",
            "--policy",
            p,
            "--members",
            m,
            ALLOWED[0],
            ALLOWED[1],
            ALLOWED[2],
        ]);
        assert_refused(&out, reason);
        assert_refused(&out, "nothing was evaluated");
        let out = rbacc(&[
            "who-can",
            "--policy",
            p,
            "--members",
            m,
            ALLOWED[1],
            ALLOWED[2],
        ]);
        assert_refused(&out, reason);
    }
    let out = rbacc(&[
        "eval",
        "--policy",
        p,
        "--members",
        "/nonexistent/members.yaml",
        ALLOWED[0],
        ALLOWED[1],
        ALLOWED[2],
    ]);
    assert_refused(&out, "cannot read");
}

#[test]
fn cli_queries_naming_unknown_things() {
    let policy = base().join("policy.rbac");
    let members = base().join("members.yaml");
    let (p, m) = (policy.to_str().unwrap(), members.to_str().unwrap());
    for (user, perm, res, reason) in [
        (
            "alice",
            "ws.writ",
            "ws:acme/main",
            "unknown permission `ws.writ`",
        ),
        ("alice", "ws.*", "ws:acme/main", "unknown permission `ws.*`"),
        ("alice", "WS.WRITE", "ws:acme/main", "unknown permission"),
        (
            "alice",
            "ws.write",
            "ws:acme/mian",
            "unknown resource `ws:acme/mian`",
        ),
        ("alice", "ws.write", "ws:acme", "unknown resource"),
        ("alice", "ws.write", "org:acme", "is not inside"),
        (
            "mallory",
            "ws.write",
            "ws:acme/main",
            "unknown user `mallory`",
        ),
        ("group:builders", "ws.write", "ws:acme/main", "unknown user"),
    ] {
        for format in ["human", "json"] {
            let out = rbacc(&[
                "eval",
                "--policy",
                p,
                "--members",
                m,
                "--format",
                format,
                user,
                perm,
                res,
            ]);
            assert_refused(&out, reason);
        }
        let batch = temp_file("unknown.txt", &format!("{user} {perm} {res}\n"));
        let out = rbacc(&[
            "eval",
            "--policy",
            p,
            "--members",
            m,
            "--batch",
            batch.to_str().unwrap(),
        ]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(!out.stdout.contains("allow"), "{}", out.stdout);
    }
    let out = rbacc(&[
        "who-can",
        "--policy",
        p,
        "--members",
        m,
        "ws.writ",
        "ws:acme/main",
    ]);
    assert_refused(&out, "unknown permission");
    let out = rbacc(&[
        "who-can",
        "--policy",
        p,
        "--members",
        m,
        "ws.write",
        "ws:nowhere/x",
    ]);
    assert_refused(&out, "unknown resource");
    let out = rbacc(&[
        "what-can",
        "--policy",
        p,
        "--members",
        m,
        "alice",
        "ws:nowhere/x",
    ]);
    assert_refused(&out, "unknown resource");
    let out = rbacc(&[
        "what-can",
        "--policy",
        p,
        "--members",
        m,
        "mallory",
        "ws:acme/main",
    ]);
    assert_refused(&out, "unknown user");
}

// ------------------------------------------------------------------ library

#[test]
fn library_policy_that_fails_to_compile() {
    for broken in [
        base_policy().replace("include org_member", "include org_membr"),
        base_policy().replace(
            "grant ws.*",
            "grant ws.* configurable default on\n  grant org.view",
        ),
        format!(
            "{}\nrole loop on org \"L\" {{ include loop }}\n",
            base_policy()
        ),
        base_policy()[..base_policy().len() / 2].to_string(),
        String::from_utf8_lossy(&[0xff, 0xfe, 0x00]).into_owned(),
    ] {
        let result = rbacc::compile("broken.rbac", &broken);
        let report = result.expect_err("a broken policy never compiles");
        assert!(report.has_errors());
    }
}

#[test]
fn library_members_that_fail_to_load() {
    let policy = rbacc::compile("policy.rbac", &base_policy()).unwrap();
    for broken in [
        base_members().replace("bob: ws_viewer", "bob: ws_viewr"),
        base_members().replace(
            "ws:acme/main:",
            "ws:acme/main:\n    members: [alice, alice]",
        ),
        base_members().replace(
            "org:acme:",
            "org:acme:\n    roles: {alice: [org_member, org_owner]}",
        ),
        format!("{}\n  ws:acme/main: {{}}\n", base_members()),
        base_members().replace("app.build: off", "app.build: maybe"),
        "[".repeat(100_000),
    ] {
        assert!(
            Members::from_yaml(&policy, "broken.yaml", &broken).is_err(),
            "{broken}"
        );
    }
}

#[test]
fn library_queries_naming_unknown_things_are_errors() {
    let a = authorizer();
    for (user, perm, res) in [
        ("alice", "ws.writ", "ws:acme/main"),
        ("alice", "ws.*", "ws:acme/main"),
        ("alice", "*", "ws:acme/main"),
        ("alice", "", "ws:acme/main"),
        ("alice", "ws.write", "ws:acme/mian"),
        ("alice", "ws.write", ""),
        ("alice", "ws.write", "org:acme"),
        ("alice", "app.use", "ws:acme/main"),
        ("mallory", "ws.write", "ws:acme/main"),
        ("", "ws.write", "ws:acme/main"),
        ("Alice", "ws.write", "ws:acme/main"),
        ("alice ", "ws.write", "ws:acme/main"),
    ] {
        let r = a.is_allowed(user, perm, res);
        assert!(r.is_err(), "`{user}` `{perm}` `{res}`: {r:?}");
        assert!(a.query(user, perm, res).is_err());
    }
    assert!(a.who_can("ws.writ", "ws:acme/main").is_err());
    assert!(a.who_can("ws.write", "ws:acme/mian").is_err());
    assert!(a.what_can("alice", "ws:acme/mian").is_err());
    assert!(a.what_can("mallory", "ws:acme/main").is_err());
}

#[test]
fn library_forged_queries_deny() {
    // Ids that belong to no user, permission or resource of this authorizer
    // (say, interned by another one) are a deny, never an allow or a panic.
    let a = authorizer();
    let good = a.query(ALLOWED[0], ALLOWED[1], ALLOWED[2]).unwrap();
    assert!(a.check(&good));
    let (u, perm, res, asked) = (
        good.user(),
        good.permission(),
        good.checked_on(),
        good.resource(),
    );
    let big = [u32::MAX, u32::MAX - 1, 1 << 20, 128, 129, 200, 255, 1000];
    for &x in &big {
        for q in [
            forge(u, PermId::from_index(x as usize), res, asked),
            forge(UserId::from_index(x as usize), perm, res, asked),
            forge(
                u,
                perm,
                ResId::from_index(x as usize),
                ResId::from_index(x as usize),
            ),
            forge(
                UserId::from_index(x as usize),
                PermId::from_index(x as usize),
                ResId::from_index(x as usize),
                ResId::from_index(x as usize),
            ),
        ] {
            assert!(!a.check(&q), "{q:?}");
            let _ = a.explain(&q);
        }
    }
    let mut out = Vec::new();
    a.check_batch(
        &[forge(u, PermId::from_index(1000), res, asked), good],
        &mut out,
    );
    assert_eq!(out, [false, true]);
}
