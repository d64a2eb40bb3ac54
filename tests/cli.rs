//! The `rbacc` binary: exit codes, file discovery, output formats, colour.
//!
//! Exit codes (README): 0 no errors (warnings allowed), 1 the input has
//! errors (or warnings under `--deny-warnings`), 2 usage or I/O error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{json_codes as codes, rbacc, run, Out as Run};
use std::path::{Path, PathBuf};

const CLEAN: &str = "scope workspace \"Workspace\"\n\
    permissions on workspace { workspace.view \"View\" }\n\
    role viewer on workspace \"Viewer\" { grant workspace.view }\n";

/// One unknown role: an error on line 3, column 45.
const UNKNOWN_ROLE: &str = "scope workspace \"Workspace\"\n\
    role viewer on workspace \"Viewer\"\n\
    role editor on workspace \"Editor\" { include viewr }\n";

/// A role that grants nothing: a warning (W0306), no error.
const WARNS: &str = "scope workspace \"Workspace\"\n\
    permissions on workspace { workspace.view \"View\" }\n\
    role viewer on workspace \"Viewer\" { grant workspace.view }\n\
    role idle on workspace \"Idle\"\n";

/// A syntax error.
const BROKEN: &str = "scope workspace \"Workspace\"\nrole {\n";

/// A scratch directory, removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new() -> Dir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "rbacc-cli-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        Dir(path)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", run.stdout))
}

// ---------------------------------------------------------------- exit codes

#[test]
fn clean_file_exits_0() {
    let dir = Dir::new();
    let file = dir.file("clean.rbac", CLEAN);
    let r = run(rbacc().arg("check").arg(&file));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("checked 1 file: 0 errors, 0 warnings"),
        "{}",
        r.stderr
    );
}

#[test]
fn errors_exit_1() {
    let dir = Dir::new();
    for (name, text) in [("unknown.rbac", UNKNOWN_ROLE), ("broken.rbac", BROKEN)] {
        let file = dir.file(name, text);
        let r = run(rbacc().arg("check").arg(&file));
        assert_eq!(r.code, 1, "{name}: {}", r.stderr);
        assert!(r.stderr.contains("error["), "{}", r.stderr);
    }
}

#[test]
fn warnings_exit_0_or_1_with_deny_warnings() {
    let dir = Dir::new();
    let file = dir.file("warns.rbac", WARNS);
    let r = run(rbacc().args(["check", "--format", "json"]).arg(&file));
    let report = json(&r);
    assert_eq!(report["errors"], 0, "{}", r.stdout);
    assert!(report["warnings"].as_u64().unwrap() > 0, "{}", r.stdout);
    assert_eq!(r.code, 0);

    let r = run(rbacc().args(["check", "--deny-warnings"]).arg(&file));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("warning["), "{}", r.stderr);

    // A clean file stays clean under --deny-warnings.
    let clean = dir.file("clean.rbac", CLEAN);
    let r = run(rbacc().args(["check", "--deny-warnings"]).arg(&clean));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn missing_file_exits_2() {
    let dir = Dir::new();
    let r = run(rbacc().arg("check").arg(dir.path().join("nope.rbac")));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope.rbac"), "{}", r.stderr);
    // Even next to a good file: nothing is reported as checked.
    let clean = dir.file("clean.rbac", CLEAN);
    let r = run(rbacc()
        .arg("check")
        .arg(&clean)
        .arg(dir.path().join("nope.rbac")));
    assert_eq!(r.code, 2);
}

#[test]
fn unknown_preset_exits_2() {
    let r = run(rbacc().args(["check", "--preset", "nosuch"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nosuch"), "{}", r.stderr);
    let r = run(rbacc().args(["matrix", "--preset", "nosuch"]));
    assert_eq!(r.code, 2);
}

#[test]
fn no_arguments_exit_2() {
    let r = run(&mut rbacc());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("Usage"), "{}", r.stderr);
    let r = run(rbacc().arg("check"));
    assert_eq!(r.code, 2);
    assert!(!r.stderr.is_empty());
    let r = run(rbacc().args(["check", "--no-such-flag"]));
    assert_eq!(r.code, 2);
    let r = run(rbacc().arg("frobnicate"));
    assert_eq!(r.code, 2);
}

#[test]
fn help_and_version_exit_0() {
    let r = run(rbacc().arg("--help"));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("check"), "{}", r.stdout);
    let r = run(rbacc().arg("--version"));
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("rbacc "), "{}", r.stdout);
}

#[test]
fn presets_check_clean() {
    let r = run(rbacc().args([
        "check",
        "--deny-warnings",
        "--preset",
        "airbyte",
        "--preset",
        "astro",
        "--preset",
        "neosync",
        "--preset",
        "tooljet",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("checked 4 files: 0 errors, 0 warnings"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------- files and directories

#[test]
fn directories_are_searched_for_rbac_files() {
    let dir = Dir::new();
    dir.file("a.rbac", CLEAN);
    dir.file("nested/deeper/b.rbac", CLEAN);
    dir.file("notes.txt", "not a policy {");
    dir.file("nested/c.rbac.bak", "not a policy {");
    let r = run(rbacc().arg("check").arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("checked 2 files"), "{}", r.stderr);

    // A bad file deep down fails the run and is named.
    dir.file("nested/deeper/bad.rbac", UNKNOWN_ROLE);
    let r = run(rbacc().args(["check", "--format", "json"]).arg(dir.path()));
    assert_eq!(r.code, 1);
    let report = json(&r);
    let file = report["diagnostics"][0]["file"].as_str().unwrap();
    assert!(file.ends_with("bad.rbac"), "{file}");
}

#[test]
fn a_directory_without_a_policy_file_is_an_error() {
    let dir = Dir::new();
    dir.file("notes.txt", "not a policy");
    let r = run(rbacc().arg("check").arg(dir.path()));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("no policy file (`*.rbac`) in"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("checked 0"), "{}", r.stderr);
    // Also next to a directory that has one: nothing is checked.
    let full = Dir::new();
    full.file("ok.rbac", CLEAN);
    let r = run(rbacc().arg("check").arg(full.path()).arg(dir.path()));
    assert_eq!(r.code, 2, "{}", r.stderr);
    // `fmt` the same.
    let r = run(rbacc().arg("fmt").arg(dir.path()));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("nothing was formatted"), "{}", r.stderr);
    // And in JSON: the error shape on stdout.
    let r = run(rbacc().args(["check", "--format", "json"]).arg(dir.path()));
    assert_eq!(r.code, 2);
    let v = json(&r);
    assert_eq!(v["error"]["kind"], "usage");
    assert_eq!(v["exit"], 2);
}

#[test]
fn every_file_is_checked_before_exit() {
    let dir = Dir::new();
    let one = dir.file("one.rbac", UNKNOWN_ROLE);
    let two = dir.file("two.rbac", BROKEN);
    let clean = dir.file("clean.rbac", CLEAN);
    let r = run(rbacc().arg("check").arg(&one).arg(&clean).arg(&two));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("one.rbac:3:"), "{}", r.stderr);
    assert!(r.stderr.contains("two.rbac:2:"), "{}", r.stderr);
    assert!(
        r.stderr.contains("checked 3 files: 2 errors"),
        "{}",
        r.stderr
    );

    let r = run(rbacc()
        .args(["check", "--format", "json"])
        .arg(&one)
        .arg(&two));
    let report = json(&r);
    assert_eq!(codes(&report), ["E0101", "E0001"]);
    let files: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(
        files[0].ends_with("one.rbac") && files[1].ends_with("two.rbac"),
        "{files:?}"
    );
}

// ---------------------------------------------------------------- JSON

#[test]
fn json_format() {
    let dir = Dir::new();
    let file = dir.file("unknown.rbac", UNKNOWN_ROLE);
    let r = run(rbacc().args(["check", "--format", "json"]).arg(&file));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.is_empty(),
        "JSON mode keeps stderr quiet: {}",
        r.stderr
    );
    let report = json(&r);
    assert_eq!(report["version"], 1);
    assert_eq!(report["errors"], 1);
    assert_eq!(report["warnings"], 0);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "E0101");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "unknown role `viewr`");
    assert!(d["file"].as_str().unwrap().ends_with("unknown.rbac"));
    // 1-based: `viewr` starts at column 45 of line 3 and ends before 50.
    assert_eq!(d["line"], 3);
    assert_eq!(d["column"], 45);
    assert_eq!(d["end_line"], 3);
    assert_eq!(d["end_column"], 50);
    assert_eq!(d["help"], "try `viewer`");
    let label = &d["labels"][0];
    assert_eq!(label["style"], "primary");
    assert_eq!(label["message"], "did you mean `viewer`?");
    assert_eq!(
        (&label["line"], &label["column"]),
        (&d["line"], &d["column"])
    );
    assert!(d["notes"].is_array());
}

#[test]
fn json_format_for_clean_and_secondary_labels() {
    let dir = Dir::new();
    let clean = dir.file("clean.rbac", CLEAN);
    let report = json(&run(rbacc()
        .args(["check", "--format", "json"])
        .arg(&clean)));
    assert_eq!(report["version"], 1);
    assert_eq!(report["diagnostics"].as_array().map(Vec::len), Some(0));

    let dup = dir.file(
        "dup.rbac",
        "scope s \"S\"\nrole r on s \"R\"\nrole r on s \"R again\"\n",
    );
    let report = json(&run(rbacc().args(["check", "--format", "json"]).arg(&dup)));
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "E0102");
    let labels: Vec<(&str, u64)> = d["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["style"].as_str().unwrap(), l["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(labels, [("primary", 3), ("secondary", 2)]);
}

#[test]
fn json_for_invalid_utf8_and_empty_files() {
    let dir = Dir::new();
    let latin1 = dir.0.join("latin1.rbac");
    std::fs::write(&latin1, b"scope s \"caf\xe9\"\n").unwrap();
    let empty = dir.file("empty.rbac", "");
    let r = run(rbacc()
        .args(["check", "--format", "json"])
        .arg(&latin1)
        .arg(&empty));
    assert_eq!(r.code, 1);
    assert_eq!(codes(&json(&r)), ["E0006"]);
}

// ---------------------------------------------------------------- colour

const ESC: char = '\u{1b}';

#[test]
fn color_always_emits_ansi() {
    let dir = Dir::new();
    let file = dir.file("unknown.rbac", UNKNOWN_ROLE);
    let r = run(rbacc().args(["check", "--color", "always"]).arg(&file));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains(ESC), "{}", r.stderr);
    // `--color always` wins over NO_COLOR.
    let r = run(rbacc()
        .env("NO_COLOR", "1")
        .args(["--color", "always", "check"])
        .arg(&file));
    assert!(r.stderr.contains(ESC), "{}", r.stderr);
}

#[test]
fn color_never_and_no_color_emit_none() {
    let dir = Dir::new();
    let file = dir.file("unknown.rbac", UNKNOWN_ROLE);
    let r = run(rbacc().args(["check", "--color", "never"]).arg(&file));
    assert!(!r.stderr.contains(ESC), "{}", r.stderr);
    // NO_COLOR (set by `rbacc()`) with the default `auto`.
    let r = run(rbacc().arg("check").arg(&file));
    assert!(!r.stderr.contains(ESC), "{}", r.stderr);
    // `auto` without NO_COLOR: stderr is a pipe here, so no colour either.
    let r = run(rbacc().env_remove("NO_COLOR").arg("check").arg(&file));
    assert!(!r.stderr.contains(ESC), "{}", r.stderr);
    // JSON never carries colour.
    let r = run(rbacc()
        .args(["check", "--color", "always", "--format", "json"])
        .arg(&file));
    assert!(!r.stdout.contains(ESC), "{}", r.stdout);
}

#[test]
fn bad_color_value_exits_2() {
    let r = run(rbacc().args(["check", "--color", "sometimes", "x.rbac"]));
    assert_eq!(r.code, 2);
}

// ---------------------------------------------------------------- other commands

#[test]
fn presets_lists_every_preset() {
    let r = run(rbacc().arg("presets"));
    assert_eq!(r.code, 0);
    let names: Vec<&str> = r
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names,
        ["airbyte", "astro", "astro-2025", "neosync", "tooljet"]
    );
}

#[test]
fn matrix_json_parses() {
    let r = run(rbacc().args(["matrix", "--preset", "astro", "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let value = json(&r);
    assert!(value.is_object() || value.is_array(), "{value}");
    assert!(r.stdout.contains("workspace"), "{}", r.stdout);
}

#[test]
fn matrix_of_a_bad_policy_exits_2() {
    let dir = Dir::new();
    let file = dir.file("unknown.rbac", UNKNOWN_ROLE);
    let r = run(rbacc().arg("matrix").arg(&file));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("E0101"), "{}", r.stderr);
}

// ------------------------------------------------------------ one grammar

const ASTRO: &str = "policies/astro.rbac";
const ASTRO_MEMBERS: &str = "examples/astro/members.yaml";

/// The query part of each command that reads a policy (after the policy),
/// and what it prints when it works.
fn commands() -> Vec<(&'static str, Vec<&'static str>, &'static str)> {
    vec![
        ("check", vec![], ""),
        ("matrix", vec![], "Organization Owner"),
        ("graph", vec![], "digraph"),
        (
            "eval",
            vec![
                "-m",
                ASTRO_MEMBERS,
                "ana",
                "workspace.dags.view",
                "workspace:acme/ml",
            ],
            "allow",
        ),
        (
            "who-can",
            vec![
                "-m",
                ASTRO_MEMBERS,
                "workspace.dags.view",
                "workspace:acme/ml",
            ],
            "ana",
        ),
        (
            "what-can",
            vec!["-m", ASTRO_MEMBERS, "ana", "workspace:acme/ml"],
            "workspace.dags.view",
        ),
        ("review", vec!["-m", ASTRO_MEMBERS], "# Access review"),
    ]
}

#[test]
fn every_command_takes_the_policy_four_ways() {
    let source = std::fs::read_to_string(common::root().join(ASTRO)).unwrap();
    for (cmd, rest, expect) in commands() {
        let ways: Vec<(&str, Vec<&str>, Option<&str>)> = vec![
            ("POLICY", vec![ASTRO], None),
            ("--policy", vec!["--policy", ASTRO], None),
            ("--preset", vec!["--preset", "astro"], None),
            ("- (stdin)", vec!["-"], Some(source.as_str())),
        ];
        for (way, policy, stdin) in ways {
            let mut c = rbacc();
            c.arg(cmd).args(&policy).args(&rest);
            if let Some(text) = stdin {
                c.write_stdin(text);
            }
            let r = run(c);
            assert_eq!(r.code, 0, "{cmd} with {way}: {}", r.stderr);
            assert!(r.stdout.contains(expect), "{cmd} with {way}: {}", r.stdout);
        }
        // Two of them: a usage error (`check` takes many policies).
        if cmd == "check" {
            continue;
        }
        let r = run(rbacc()
            .arg(cmd)
            .args([ASTRO, "--preset", "astro"])
            .args(&rest));
        assert_eq!(r.code, 2, "{cmd} with two policies: {}", r.stdout);
        assert!(
            r.stderr.contains("give the policy once"),
            "{cmd}: {}",
            r.stderr
        );
    }
}

#[test]
fn members_and_batch_read_standard_input() {
    let members = std::fs::read_to_string(common::root().join(ASTRO_MEMBERS)).unwrap();
    for (cmd, rest) in [
        (
            "eval",
            vec!["ana", "workspace.dags.view", "workspace:acme/ml"],
        ),
        ("who-can", vec!["workspace.dags.view", "workspace:acme/ml"]),
        ("what-can", vec!["ana", "workspace:acme/ml"]),
        ("review", vec![]),
    ] {
        let r = run(rbacc()
            .args([cmd, ASTRO, "--members", "-"])
            .args(&rest)
            .write_stdin(members.as_str()));
        assert_eq!(r.code, 0, "{cmd} -m -: {}", r.stderr);
    }
    // Data diff: one side from standard input.
    let r = run(rbacc()
        .args(["diff", "--preset", "astro", "-m", ASTRO_MEMBERS, "-"])
        .write_stdin(members.as_str()));
    assert_eq!(r.code, 0, "diff -m FILE -: {}", r.stderr);
    // Policy diff: OLD from standard input.
    let source = std::fs::read_to_string(common::root().join(ASTRO)).unwrap();
    let r = run(rbacc()
        .args(["diff", "-", ASTRO])
        .write_stdin(source.as_str()));
    assert_eq!(r.code, 0, "diff - FILE: {}", r.stderr);
}

#[test]
fn standard_input_named_twice_is_a_usage_error() {
    let q = ["ana", "workspace.dags.view", "workspace:acme/ml"];
    let runs: Vec<Vec<&str>> = vec![
        [vec!["eval", "-", "-m", "-"], q.to_vec()].concat(),
        vec!["eval", "--preset", "astro", "-m", "-", "--batch", "-"],
        vec!["who-can", "--policy", "-", "-m", "-", "p", "r"],
        vec!["what-can", "-", "-m", "-", "u", "r"],
        vec!["review", "-", "-m", "-"],
        vec!["check", "-", "-"],
        vec!["check", "-", "--policy", "-"],
        vec!["diff", "-", "-"],
        vec!["diff", "--policy", "-", "-m", "-", ASTRO_MEMBERS],
        vec!["fmt", "-", "-"],
    ];
    for args in runs {
        let r = run(rbacc().args(&args).write_stdin("x"));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("standard input (`-`) is named more than once"),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(r.stdout, "", "{args:?}");
    }
}

#[test]
fn standard_input_is_named_in_diagnostics() {
    let r = run(rbacc().args(["check", "-"]).write_stdin(UNKNOWN_ROLE));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("┌─ <stdin>:3:"), "{}", r.stderr);
}

#[test]
fn a_wrong_number_of_query_arguments_is_a_usage_error() {
    let r = run(rbacc().args(["eval", "--preset", "astro", "-m", ASTRO_MEMBERS, "ana", "p"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("expected [POLICY] USER PERMISSION RESOURCE, got 2 argument(s)"),
        "{}",
        r.stderr
    );
    let r = run(rbacc().args([
        "eval",
        "--preset",
        "astro",
        "-m",
        ASTRO_MEMBERS,
        "--batch",
        "-",
        "ana",
        "p",
        "r",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("with --batch, the queries come from the batch"),
        "{}",
        r.stderr
    );
}

// ------------------------------------------------------------ JSON errors

/// Asserts the one JSON error shape on stdout, and nothing on stderr but
/// warnings.
#[allow(clippy::indexing_slicing)]
fn json_error(r: &Run, kind: &str, what: &str) -> serde_json::Value {
    assert_eq!(r.code, 2, "{what}: {}{}", r.stdout, r.stderr);
    let v = json(r);
    assert_eq!(v["error"]["kind"], kind, "{what}: {v}");
    assert_eq!(v["exit"], 2, "{what}: {v}");
    assert!(v["error"]["message"].as_str().is_some(), "{what}: {v}");
    assert!(v["error"]["diagnostics"].is_array(), "{what}: {v}");
    assert_eq!(r.stderr, "", "{what}: errors go to stdout as JSON");
    v
}

#[test]
fn with_format_json_every_error_is_json_on_stdout() {
    let dir = Dir::new();
    let bad = dir.file("bad.rbac", UNKNOWN_ROLE);
    let bad = bad.to_str().unwrap();
    let m = ASTRO_MEMBERS;
    let q = ["ana", "workspace.dags.view", "workspace:acme/ml"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // Usage: clap's own errors, and ours.
        (vec!["eval", "--preset", "astro", "--bogus"], "usage"),
        (vec!["matrix", "--preset", "nope"], "usage"),
        (vec!["check", "--lint", "x"], "usage"),
        (vec!["who-can", "--preset", "astro", "-m", m, "p"], "usage"),
        (
            vec![
                "what-can",
                "--preset",
                "astro",
                "-m",
                m,
                "nobody",
                "workspace:acme/ml",
            ],
            "usage",
        ),
        (vec!["diff", ASTRO], "usage"),
        (vec!["review", "--preset", "astro"], "usage"),
        (vec!["test", "--bogus"], "usage"),
        // I/O.
        (
            [vec!["eval", "missing.rbac", "-m", m], q.to_vec()].concat(),
            "io",
        ),
        (vec!["matrix", "missing.rbac"], "io"),
        (vec!["check", "missing.rbac"], "io"),
        (
            vec!["review", "--preset", "astro", "-m", "missing.yaml"],
            "io",
        ),
        (vec!["diff", ASTRO, "missing.rbac"], "io"),
        // Load.
        ([vec!["eval", bad, "-m", m], q.to_vec()].concat(), "load"),
        (vec!["matrix", bad], "load"),
        (vec!["who-can", bad, "-m", m, "p", "r"], "load"),
        (vec!["diff", bad, ASTRO], "load"),
    ];
    for (args, kind) in cases {
        let r = run(rbacc().args(&args).args(["--format", "json"]));
        let v = json_error(&r, kind, &format!("{args:?}"));
        if kind == "load" {
            let d = &v["error"]["diagnostics"][0];
            assert_eq!(d["code"], "E0101", "{args:?}: {v}");
            assert_eq!(d["line"], 3, "{args:?}: {v}");
        }
    }
    // `--format=json` is seen too before the arguments parse.
    let r = run(rbacc().args(["eval", "--format=json", "--bogus"]));
    json_error(&r, "usage", "--format=json");
}

// ------------------------------------------------------------ colour

#[test]
fn color_always_colours_every_human_report() {
    let m = ASTRO_MEMBERS;
    let q = ["ana", "workspace.dags.view", "workspace:acme/ml"];
    let dir = Dir::new();
    let tests = dir.file(
        "t.yaml",
        &format!(
            "preset: astro\nmembers: {}\ncases:\n  - {{name: passes, user: ana, permission: workspace.dags.view, resource: workspace:acme/ml, expect: allow}}\n  - {{name: fails, user: ana, permission: workspace.dags.view, resource: workspace:acme/ml, expect: deny}}\n",
            common::root().join(m).display()
        ),
    );
    let t = [
        "test",
        tests.to_str().unwrap(),
        "--allow-path",
        common::root().to_str().unwrap(),
    ];
    let cases: Vec<(Vec<&str>, &str, bool)> = vec![
        // (arguments, the coloured text, on stdout?)
        (t.to_vec(), "\u{1b}[1;31mFAILED\u{1b}[0m fails", true),
        (t.to_vec(), "\u{1b}[32mok\u{1b}[0m     passes", true),
        (
            [vec!["eval", "--preset", "astro", "-m", m], q.to_vec()].concat(),
            "\u{1b}[32mallow\u{1b}[0m",
            true,
        ),
        (
            vec![
                "eval",
                "--preset",
                "astro",
                "-m",
                m,
                "gus",
                "workspace.dags.view",
                "workspace:acme/ml",
            ],
            "\u{1b}[1;31mdeny\u{1b}[0m",
            true,
        ),
        (
            vec!["check", "--preset", "astro"],
            "\u{1b}[32mchecked 1 file",
            false,
        ),
        (
            vec!["matrix", "--preset", "astro"],
            "\u{1b}[1mOrganization (organization)\u{1b}[0m",
            true,
        ),
        (
            vec!["diff", "--old-preset", "astro", "--new-preset", "tooljet"],
            "\u{1b}[1mrbacc diff",
            true,
        ),
    ];
    for (args, coloured, stdout) in cases {
        let r = run(rbacc().args(["--color", "always"]).args(&args));
        let text = if stdout { &r.stdout } else { &r.stderr };
        assert!(text.contains(coloured), "{args:?}: {text}");
        // Never under NO_COLOR with `auto` (and output is a pipe here).
        let r = run(rbacc().args(&args));
        assert!(
            !r.stdout.contains(ESC) && !r.stderr.contains(ESC),
            "{args:?}"
        );
        let r = run(rbacc().env_remove("NO_COLOR").args(&args));
        assert!(
            !r.stdout.contains(ESC) && !r.stderr.contains(ESC),
            "{args:?}"
        );
    }
}
