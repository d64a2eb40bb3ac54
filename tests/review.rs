//! `rbacc review`: the whole data's access, per user and per resource.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::root;

fn rbacc(args: &[&str]) -> (i32, String, String) {
    let out = common::run(common::rbacc().args(args));
    (out.code, out.stdout, out.stderr)
}

const BASE: [&str; 4] = [
    "--policy",
    "tests/corpus/base/policy.rbac",
    "-m",
    "tests/corpus/base/members.yaml",
];

#[test]
fn markdown_by_user_then_by_resource() {
    let mut args = vec!["review"];
    args.extend(BASE);
    let (code, out, err) = rbacc(&args);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("review_base_markdown", out);
}

#[test]
fn csv_rows_are_every_permission_held() {
    let mut args = vec!["review"];
    args.extend(BASE);
    args.extend(["--format", "csv", "--by", "resource"]);
    let (code, out, _) = rbacc(&args);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "user,resource,permission");
    assert_eq!(lines.len(), 16, "{out}");
    assert!(lines.contains(&"bob,app:acme/main/crm,app.build"));
    // Carol's Builder grant of app.build is switched off in ws:acme/main.
    assert!(!lines.contains(&"carol,app:acme/main/crm,app.build"));
    // With reasons: quoted fields.
    let mut args = vec!["review"];
    args.extend(BASE);
    args.extend(["--format", "csv", "--explain"]);
    let (_, out, _) = rbacc(&args);
    assert!(
        out.starts_with("user,resource,permission,because\r\nalice,org:acme,org.view,\""),
        "{out}"
    );
}

/// The review lists exactly what `eval` allows, over every user, resource
/// and permission of the resource's kind (of every preset's example).
#[test]
fn json_agrees_with_eval_on_every_triple() {
    for p in rbacc::presets::PRESETS {
        let policy = rbacc::compile(p.name, p.source).unwrap();
        let path = root().join(format!("examples/{}/members.yaml", p.name));
        let text = std::fs::read_to_string(&path).unwrap();
        let members = rbacc::Members::from_yaml(&policy, "m.yaml", &text).unwrap();
        let auth = rbacc::Authorizer::new(policy, members).unwrap();
        let (code, out, err) = rbacc(&[
            "review",
            "--preset",
            p.name,
            "-m",
            path.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{err}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mut listed: Vec<(String, String, String)> = json["held"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["user"].as_str().unwrap().to_string(),
                    h["resource"].as_str().unwrap().to_string(),
                    h["permission"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        listed.sort();
        let model = rbacc::internals::policy::model(auth.policy());
        let mut allowed = Vec::new();
        for user in auth.members().users() {
            for r in rbacc::internals::membership::resources(auth.members()) {
                let kind = model.scope_name(r.kind);
                for perm in model
                    .perms
                    .iter()
                    .filter(|x| model.scope_name(x.scope) == kind)
                {
                    if auth.is_allowed(user, &perm.name, &r.name).unwrap() {
                        allowed.push((user.to_string(), r.name.clone(), perm.name.clone()));
                    }
                }
            }
        }
        allowed.sort();
        assert_eq!(listed, allowed, "{}", p.name);
        assert_eq!(
            json["users"].as_array().unwrap().len(),
            auth.members().users().count()
        );
    }
}

#[test]
fn data_that_does_not_load_exits_2() {
    let (code, out, err) = rbacc(&[
        "review",
        "--policy",
        "tests/corpus/base/policy.rbac",
        "-m",
        "tests/corpus/members/duplicate_user.yaml",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("E0406"), "{err}");
}
