//! The evaluation commands end to end (`rbacc eval`, `who-can`, `what-can`,
//! `test`): exit codes, fail-closed behaviour, batches, output formats.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use assert_cmd::Command;
use common::{rbacc, root, run, Out};
use std::path::PathBuf;

/// `rbacc ARGS` with the Astro preset and example data.
fn astro(args: &[&str]) -> Command {
    let mut cmd = rbacc();
    cmd.args([
        args[0],
        "--preset",
        "astro",
        "-m",
        "examples/astro/members.yaml",
    ])
    .args(&args[1..]);
    cmd
}

// ---------------------------------------------------------------------------
// Decisions and exit codes.

#[test]
fn allow_exits_0_with_allow_first() {
    let o = run(astro(&[
        "eval",
        "ben",
        "workspace.airflow_connections.update",
        "workspace:acme/ml",
    ])
    .arg("--explain"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut lines = o.stdout.lines();
    assert_eq!(lines.next(), Some("allow"));
    // The chain: bootstrap → implication → grant, each located.
    assert!(
        o.stdout.contains("member #2 of `organization:acme`"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("implies `workspace_admin`"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("[policies/astro.rbac:"), "{}", o.stdout);
}

#[test]
fn deny_exits_1_with_deny_first_and_what_is_missing() {
    let o = run(astro(&[
        "eval",
        "dev",
        "workspace.dags.view",
        "workspace:acme/ml",
        "--explain",
    ]));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(o.stdout.lines().next(), Some("deny"));
    assert!(
        o.stdout
            .contains("needs a role that grants it, e.g. `workspace_viewer`"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_binding_is_located_in_the_yaml() {
    let o = run(astro(&[
        "eval",
        "dev",
        "workspace.code.push",
        "deployment:acme/analytics/prod",
        "--explain",
    ]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("[examples/astro/members.yaml:20:7]"),
        "{}",
        o.stdout
    );
}

#[test]
fn a_switched_off_setting_is_the_reason_of_a_deny() {
    let o = run(rbacc().args([
        "eval",
        "--preset",
        "tooljet",
        "-m",
        "examples/tooljet/members.yaml",
        "bella",
        "workspace.apps.manage",
        "workspace:main/globex",
        "--explain",
    ]));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stdout.starts_with("deny\n"));
    assert!(
        o.stdout
            .contains("switches `builder`'s configurable `workspace.apps.manage` off"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("[examples/tooljet/members.yaml:"),
        "{}",
        o.stdout
    );
}

#[test]
fn json_gives_the_decision_and_the_explanation() {
    let o = run(astro(&[
        "eval",
        "ana",
        "organization.view",
        "organization:acme",
        "--format",
        "json",
        "--explain",
    ]));
    assert_eq!(o.code, 0);
    let v: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["user"], "ana");
    let steps = v["explanation"].as_array().unwrap();
    assert_eq!(steps[0]["kind"], "bootstrap");
    assert!(steps.iter().all(|s| s["location"].is_string()), "{v}");

    let o = run(astro(&[
        "eval",
        "gus",
        "organization.view",
        "organization:acme",
        "--format",
        "json",
    ]));
    assert_eq!(o.code, 1);
    let v: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
    assert_eq!(v["decision"], "deny");
}

#[test]
fn a_grouped_or_a_finer_permission_may_be_queried() {
    let airbyte = |user: &str, perm: &str| {
        run(rbacc().args([
            "eval",
            "--preset",
            "airbyte",
            "-m",
            "examples/airbyte/members.yaml",
            user,
            perm,
            "workspace:main/acme/production",
        ]))
        .code
    };
    assert_eq!(airbyte("uma", "workspace.read"), 0);
    assert_eq!(airbyte("uma", "workspace.connections.list"), 0);
    assert_eq!(airbyte("uma", "workspace.connections.update"), 1);
    assert_eq!(airbyte("uma", "workspace.syncs.run"), 1);
}

// ---------------------------------------------------------------------------
// Fail closed: errors exit 2 and print no decision.

#[test]
fn unknown_names_exit_2_with_no_decision() {
    for (args, message) in [
        (
            ["eval", "nobody", "organization.view", "organization:acme"],
            "unknown user `nobody`",
        ),
        (
            ["eval", "ana", "organization.veiw", "organization:acme"],
            "did you mean `organization.view`?",
        ),
        (
            ["eval", "ana", "organization.view", "organization:acme2"],
            "unknown resource `organization:acme2`",
        ),
        (
            ["eval", "ana", "workspace.dags.view", "organization:acme"],
            "is not inside a `workspace`",
        ),
    ] {
        let o = run(astro(&args).args(["--format", "human", "--explain"]));
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert_eq!(o.stdout, "", "{args:?} printed a decision");
        assert!(o.stderr.contains(message), "{args:?}: {}", o.stderr);
        // JSON: the error on stdout, in the one error shape; no decision.
        let o = run(astro(&args).args(["--format", "json", "--explain"]));
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        assert!(v.get("decision").is_none(), "{args:?} printed a decision");
        assert_eq!(v["exit"], 2);
        let text = v["error"]["message"].as_str().unwrap();
        assert!(text.contains(message), "{args:?}: {text}");
    }
}

#[test]
fn missing_inputs_exit_2() {
    let o = run(rbacc().args([
        "eval",
        "--preset",
        "astro",
        "-m",
        "no/such.yaml",
        "a",
        "b",
        "c",
    ]));
    assert_eq!((o.code, o.stdout.as_str()), (2, ""));
    assert!(
        o.stderr.contains("cannot read `no/such.yaml`"),
        "{}",
        o.stderr
    );
    let o = run(rbacc().args([
        "eval",
        "--preset",
        "astra",
        "-m",
        "examples/astro/members.yaml",
        "a",
        "b",
        "c",
    ]));
    assert_eq!((o.code, o.stdout.as_str()), (2, ""));
    assert!(o.stderr.contains("did you mean `astro`?"), "{}", o.stderr);
    let o = run(rbacc().args([
        "eval",
        "--preset",
        "astro",
        "-m",
        "examples/astro/members.yaml",
        "ana",
    ]));
    assert_eq!((o.code, o.stdout.as_str()), (2, ""));
}

/// The query each data-error case is evaluated with: it would be allowed
/// with the example data of the preset.
fn query_for(preset: &str) -> [&'static str; 3] {
    match preset {
        "astro" => ["ana", "organization.view", "organization:acme"],
        "airbyte" => ["ines", "organization.read", "organization:main/acme"],
        "neosync" => ["alice", "account.view", "account:acme"],
        "tooljet" => ["sara", "instance.settings.manage", "instance:main"],
        other => panic!("no query for preset {other}"),
    }
}

fn data_error_cases() -> Vec<(PathBuf, String)> {
    let mut cases: Vec<(PathBuf, String)> = std::fs::read_dir(root().join("tests/ui/members"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let first = text.lines().next().unwrap_or("");
            // A case names a preset, or a policy file beside it (its
            // query: `ana organization.view organization:acme`).
            let preset = first
                .strip_prefix("# preset:")
                .map(|s| s.trim().to_string())
                .or_else(|| {
                    first.strip_prefix("# policy:").map(|rel| {
                        let policy = p.parent().unwrap().join(rel.trim());
                        format!("file:{}", policy.display())
                    })
                })
                .unwrap_or_else(|| {
                    panic!("{}: every case names a preset or a policy", p.display())
                });
            (p, preset)
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "only {} data-error cases", cases.len());
    cases
}

#[test]
fn every_data_error_exits_2_and_never_prints_allow() {
    for (path, preset) in data_error_cases() {
        let rel = path.strip_prefix(root()).unwrap().display().to_string();
        let (flag, policy, [user, perm, res]) = match preset.strip_prefix("file:") {
            Some(file) => (
                "--policy",
                file,
                ["ana", "organization.view", "organization:acme"],
            ),
            None => ("--preset", preset.as_str(), query_for(&preset)),
        };
        let base = [flag, policy, "-m", rel.as_str()];
        let runs: Vec<(String, Out)> = vec![
            (
                "eval".into(),
                run(rbacc().arg("eval").args(base).args([user, perm, res])),
            ),
            (
                "eval --format json --explain".into(),
                run(rbacc().arg("eval").args(base).args([
                    user,
                    perm,
                    res,
                    "--format",
                    "json",
                    "--explain",
                ])),
            ),
            (
                "eval --batch -".into(),
                run(rbacc()
                    .arg("eval")
                    .args(base)
                    .args(["--batch", "-"])
                    .write_stdin(format!("{user} {perm} {res}\n"))),
            ),
            (
                "who-can".into(),
                run(rbacc().arg("who-can").args(base).args([perm, res])),
            ),
            (
                "what-can".into(),
                run(rbacc().arg("what-can").args(base).args([user, res])),
            ),
        ];
        for (what, o) in runs {
            assert_eq!(o.code, 2, "{rel} ({what}): exit {}\n{}", o.code, o.stderr);
            if what.contains("json") {
                // The error, as JSON on stdout: located, and no decision.
                let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
                assert_eq!(v["error"]["kind"], "load", "{rel}: {v}");
                assert!(v.get("decision").is_none(), "{rel}: {v}");
                let d = &v["error"]["diagnostics"][0];
                assert_eq!(d["file"], rel.as_str(), "{rel}: {v}");
                assert!(d["line"].as_u64().is_some(), "{rel}: {v}");
                assert!(
                    v["error"]["message"]
                        .as_str()
                        .unwrap()
                        .contains("nothing was evaluated"),
                    "{rel}: {v}"
                );
                continue;
            }
            assert!(
                !o.stdout.contains("allow"),
                "{rel} ({what}) printed: {}",
                o.stdout
            );
            assert_eq!(o.stdout, "", "{rel} ({what}) printed: {}", o.stdout);
            // Located: the file, a line and a column.
            assert!(
                o.stderr.contains(&format!("┌─ {rel}:")),
                "{rel} ({what}): {}",
                o.stderr
            );
            assert!(
                o.stderr.contains("nothing was evaluated"),
                "{rel} ({what}): {}",
                o.stderr
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Batches.

const BATCH: &str = "ana organization.view organization:acme
{\"user\": \"dev\", \"permission\": \"workspace.dags.view\", \"resource\": \"workspace:acme/ml\"}

# a comment
fay workspace.dags.view deployment:acme/analytics/prod
";

#[test]
fn batch_from_stdin_answers_in_order() {
    // A deny among the answers: exit 1.
    let o = run(astro(&["eval", "--batch", "-"]).write_stdin(BATCH));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert_eq!(o.stdout, "allow\ndeny\nallow\n");

    let o = run(astro(&["eval", "--batch", "-", "--format", "json"]).write_stdin(BATCH));
    assert_eq!(o.code, 1, "{}", o.stderr);
    let answers: Vec<serde_json::Value> = o
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(i64, &str)> = answers
        .iter()
        .map(|v| (v["line"].as_i64().unwrap(), v["decision"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(1, "allow"), (2, "deny"), (5, "allow")]);
}

#[test]
fn batch_from_a_file() {
    let dir = std::env::temp_dir().join(format!("rbacc-eval-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("queries.txt");
    std::fs::write(&file, BATCH).unwrap();
    let o = run(astro(&["eval", "--batch", file.to_str().unwrap()]));
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (1, "allow\ndeny\nallow\n"),
        "{}",
        o.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_batch_line_answers_error_and_exits_2() {
    let input = "ana organization.view organization:acme\nnobody organization.view organization:acme\nonly two\n{\"user\": \"ana\"}\nana organization.members.invite organization:acme\n";
    let o = run(astro(&["eval", "--batch", "-"]).write_stdin(input));
    assert_eq!(o.code, 2);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", o.stdout);
    assert_eq!(lines[0], "allow");
    assert!(
        lines[1].starts_with("error: line 2: [E0602] unknown user `nobody`"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("error: line 3: [E0606] malformed query"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("error: line 4: [E0606] malformed query"),
        "{}",
        lines[3]
    );
    assert_eq!(lines[4], "allow");
    assert!(o.stderr.contains("never `allow`"), "{}", o.stderr);

    let o = run(astro(&["eval", "--batch", "-", "--format", "json"]).write_stdin(input));
    assert_eq!(o.code, 2);
    let answers: Vec<serde_json::Value> = o
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 5);
    assert_eq!(answers[0]["decision"], "allow");
    for a in &answers[1..4] {
        assert!(a["error"].is_string() && a.get("decision").is_none(), "{a}");
    }
    let codes: Vec<&str> = answers[1..4]
        .iter()
        .filter_map(|a| a["code"].as_str())
        .collect();
    assert_eq!(codes, ["E0602", "E0606", "E0606"]);
    assert_eq!(answers[4]["decision"], "allow");
}

// ---------------------------------------------------------------------------
// who-can / what-can.

#[test]
fn who_can_lists_every_user_with_the_reason() {
    let o = run(astro(&[
        "who-can",
        "workspace.airflow_connections.update",
        "workspace:acme/ml",
    ]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let users: Vec<&str> = o
        .stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(users, ["ana", "ben", "eli"]);
    assert!(
        o.stdout
            .contains("eli\t`eli` is bound to `workspace_admin`"),
        "{}",
        o.stdout
    );

    let o = run(astro(&[
        "who-can",
        "workspace.dags.view",
        "deployment:acme/analytics/prod",
        "--format",
        "json",
    ]));
    assert_eq!(o.code, 0);
    let v: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
    let users: Vec<&str> = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["ana", "ben", "dev", "eli", "fay"]);
    assert_eq!(v["users"][3]["because"][0]["kind"], "group");

    let o = run(astro(&[
        "who-can",
        "workspace.dags.veiw",
        "workspace:acme/ml",
    ]));
    assert_eq!((o.code, o.stdout.as_str()), (2, ""));
}

#[test]
fn what_can_lists_every_permission_with_its_source() {
    let o = run(astro(&["what-can", "cleo", "organization:acme"]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let perms: Vec<&str> = o
        .stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(
        perms,
        [
            "organization.view",
            "organization.billing.update",
            "organization.usage.view",
            "organization.lineage.view"
        ]
    );
    // A Deployment has no permissions of its own: those of its Workspace.
    let o = run(astro(&[
        "what-can",
        "dev",
        "deployment:acme/analytics/prod",
        "--format",
        "json",
    ]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
    let perms: Vec<&str> = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["permission"].as_str().unwrap())
        .collect();
    assert!(perms.contains(&"workspace.code.push"), "{perms:?}");
    assert!(!perms.contains(&"workspace.roles.update"), "{perms:?}");

    let o = run(astro(&["what-can", "nobody", "organization:acme"]));
    assert_eq!((o.code, o.stdout.as_str()), (2, ""));
    assert!(o.stderr.contains("unknown user `nobody`"), "{}", o.stderr);
}

// ---------------------------------------------------------------------------
// rbacc test.

#[test]
fn test_command_passes_on_the_preset_tests() {
    let o = run(rbacc().args(["test", "tests/presets", "--coverage"]));
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("test result: ok."), "{}", o.stdout);
    assert!(
        o.stdout
            .contains("coverage of preset astro: 51 of 51 grant cells and 24 of 24 deny cells"),
        "{}",
        o.stdout
    );

    let o = run(rbacc().args([
        "test",
        "tests/presets/neosync.yaml",
        "--coverage",
        "--format",
        "json",
    ]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
    assert_eq!(v["summary"]["success"], true);
    assert_eq!(v["summary"]["failed"], 0);
    assert_eq!(v["coverage"][0]["policy"], "preset neosync");
    assert_eq!(
        v["coverage"][0]["not_exercised"].as_array().unwrap().len(),
        0
    );
}

fn temp_tests(name: &str, text: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("rbacc-test-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.yaml"));
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

#[test]
fn test_command_exits_1_on_a_failure_and_2_on_a_load_error() {
    let members = root().join("examples/astro/members.yaml");
    let failing = format!(
        "preset: astro\nmembers: {}\ncases:\n  - name: wrong\n    user: dev\n    permission: workspace.dags.view\n    resource: workspace:acme/ml\n    expect: allow\n  - name: right\n    who_can: {{permission: workspace.roles.update, resource: workspace:acme/ml}}\n    expect: [ana, ben, eli]\n",
        members.display()
    );
    let (dir, file) = temp_tests("failing", &failing);
    // The data is outside the test file's directory: allowed by the flag.
    let o = run(rbacc()
        .args(["test", file.to_str().unwrap(), "--coverage", "--allow-path"])
        .arg(root()));
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.contains("FAILED wrong"), "{}", o.stdout);
    assert!(
        o.stdout.contains("expected allow, got deny"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("ok     right"), "{}", o.stdout);
    assert!(
        o.stdout
            .contains("not exercised: organization_owner × organization.members.remove"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("1 passed; 1 failed"), "{}", o.stdout);
    std::fs::remove_dir_all(&dir).unwrap();

    // Inline data with an error: located in the test file itself.
    let broken = "preset: astro\nmembers:\n  users: [ana]\n  resources:\n    organization:acme:\n      roles: {bob: organization_owner}\ncases:\n  - {name: x, user: ana, permission: organization.view, resource: organization:acme, expect: allow}\n";
    let (dir, file) = temp_tests("broken", broken);
    let o = run(rbacc().args(["test", file.to_str().unwrap()]));
    assert_eq!(o.code, 2, "{}", o.stdout);
    assert!(o.stdout.contains("broken.yaml:6:15"), "{}", o.stdout);
    assert!(!o.stdout.contains("ok "), "{}", o.stdout);
    std::fs::remove_dir_all(&dir).unwrap();

    // An unknown name in a case: no decision, exit 2.
    let typo = format!(
        "preset: astro\nmembers: {}\ncases:\n  - {{name: typo, user: deb, permission: organization.view, resource: organization:acme, expect: deny}}\n",
        members.display()
    );
    let (dir, file) = temp_tests("typo", &typo);
    let o = run(rbacc()
        .args([
            "test",
            file.to_str().unwrap(),
            "--format",
            "json",
            "--allow-path",
        ])
        .arg(root()));
    assert_eq!(o.code, 2, "{}", o.stdout);
    let v: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
    assert_eq!(v["suites"][0]["cases"][0]["status"], "error");
    assert!(v["suites"][0]["cases"][0]["error"]
        .as_str()
        .unwrap()
        .contains("did you mean `dev`?"));
    std::fs::remove_dir_all(&dir).unwrap();

    let o = run(rbacc().args(["test", "no/such/dir"]));
    assert_eq!(o.code, 2);
}

#[test]
fn test_coverage_fails_under_a_threshold_and_passes_at_it() {
    let o = run(rbacc().args(["test", "tests/presets", "--coverage"]));
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    // The lowest preset figure, e.g. "(87.5% of 32 role × permission cells)".
    let lowest = o
        .stdout
        .lines()
        .filter_map(|l| l.split(" (").nth(1)?.split('%').next()?.parse::<f64>().ok())
        .fold(f64::INFINITY, f64::min);
    assert!(lowest.is_finite(), "{}", o.stdout);
    let at = format!("{lowest}");
    let above = format!("{}", lowest + 0.1);
    let passes = run(rbacc().args(["test", "tests/presets", "--coverage", "--fail-under", &at]));
    assert_eq!(passes.code, 0, "{}{}", passes.stdout, passes.stderr);
    let fails = run(rbacc().args([
        "test",
        "tests/presets",
        "--coverage",
        "--fail-under",
        &above,
    ]));
    assert_eq!(fails.code, 1, "{}{}", fails.stdout, fails.stderr);
}

// ---------------------------------------------------------------------------
// Empty answers and the role behind each user.

#[test]
fn what_can_says_plainly_when_a_user_holds_nothing() {
    let m = "examples/astro/members.yaml";
    let o = run(rbacc().args([
        "what-can",
        "--preset",
        "astro",
        "-m",
        m,
        "gus",
        "workspace:acme/ml",
    ]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        o.stdout,
        "nothing: `gus` holds no role that reaches `workspace:acme/ml` (roles only on `organization:globex`)\n"
    );
    let o = run(rbacc().args([
        "what-can",
        "--preset",
        "astro",
        "-m",
        m,
        "gus",
        "workspace:acme/ml",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["permissions"], serde_json::json!([]));
    assert!(
        v["nothing"]
            .as_str()
            .unwrap()
            .contains("no role that reaches"),
        "{v}"
    );
    // A user with no membership at all.
    let o = run(rbacc()
        .args([
            "what-can",
            "--preset",
            "astro",
            "-m",
            "-",
            "zed",
            "organization:o",
        ])
        .write_stdin("users: [ana, zed]\nresources:\n  organization:o:\n    members: [ana]\n"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout
            .contains("`zed` holds no role anywhere in the data"),
        "{}",
        o.stdout
    );
    // A user who holds something says nothing of the kind.
    let o = run(rbacc().args([
        "what-can",
        "--preset",
        "astro",
        "-m",
        m,
        "eli",
        "workspace:acme/ml",
    ]));
    assert!(!o.stdout.contains("nothing"), "{}", o.stdout);
}

#[test]
fn who_can_names_the_role_behind_each_user() {
    let o = run(rbacc().args([
        "who-can",
        "--preset",
        "astro",
        "-m",
        "examples/astro/members.yaml",
        "workspace.dags.view",
        "workspace:acme/ml",
    ]));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", o.stdout);
    for line in &lines {
        let (user, why) = line.split_once('\t').unwrap();
        assert!(why.starts_with(&format!("`{user}` ")), "{line}");
        assert!(
            why.contains("`organization_owner` (Organization Owner)")
                || why.contains("`workspace_admin` (Workspace Admin)"),
            "{line}"
        );
    }
}
