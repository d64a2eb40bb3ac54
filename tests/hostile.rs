//! Hostile files and environments (issue 15): special files, symlink
//! loops, forged output, batch lines, vacuous test suites, paths out of a
//! test file's repository, SARIF URIs. Each test failed before its fix.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{rbacc, root, run};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A fresh directory under the system's temporary directory.
fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "rbacc-hostile-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SMALL: &str = "scope workspace \"Workspace\"\n\
    permissions on workspace { workspace.read \"Read\" }\n\
    role viewer on workspace \"Viewer\" { grant workspace.read }\n";

fn astro() -> PathBuf {
    root().join("policies/astro.rbac")
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

// ------------------------------------------------------------ special files

#[cfg(unix)]
#[test]
fn a_fifo_with_no_writer_is_refused_not_waited_on() {
    let dir = tempdir();
    let fifo = dir.join("p.rbac");
    mkfifo(&fifo);
    let out = run(rbacc()
        .arg("check")
        .arg(&fifo)
        .timeout(Duration::from_secs(20)));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("a FIFO (named pipe), not a regular file"),
        "{}",
        out.stderr
    );
    let out = run(rbacc()
        .args(["eval", "--preset", "astro", "-m"])
        .arg(&fifo)
        .args(["ana", "workspace.dags.view", "workspace:acme/prod"])
        .timeout(Duration::from_secs(20)));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn devices_are_refused_without_reading_them() {
    for dev in ["/dev/zero", "/dev/urandom"] {
        let out = run(rbacc()
            .args(["eval", "--preset", "astro", "-m", dev])
            .args(["ana", "workspace.dags.view", "workspace:acme/prod"])
            .timeout(Duration::from_secs(20)));
        assert_eq!(out.code, 2, "{dev}: {}", out.stderr);
        assert!(out.stderr.contains("a character device"), "{}", out.stderr);
        let out = run(rbacc()
            .args(["check", dev])
            .timeout(Duration::from_secs(20)));
        assert_eq!(out.code, 2, "{dev}: {}", out.stderr);
    }
}

#[cfg(unix)]
#[test]
fn walks_skip_special_files_and_links_to_devices() {
    let dir = tempdir();
    std::fs::write(dir.join("ok.rbac"), SMALL).unwrap();
    mkfifo(&dir.join("fifo.rbac"));
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.rbac")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.yaml")).unwrap();
    mkfifo(&dir.join("fifo.yaml"));
    let out = run(rbacc()
        .arg("check")
        .arg(&dir)
        .timeout(Duration::from_secs(20)));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("checked 1 file:"), "{}", out.stderr);
    let out = run(rbacc()
        .arg("test")
        .arg(&dir)
        .timeout(Duration::from_secs(20)));
    // No test file: a run without a case, reached without blocking.
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reading_stops_at_the_limit() {
    let dir = tempdir();
    let big = dir.join("big.rbac");
    let f = std::fs::File::create(&big).unwrap();
    // Sparse: costs no disk, reads as zeros.
    f.set_len(rbacc::internals::limits::MAX_POLICY_BYTES as u64 + 1)
        .unwrap();
    let out = run(rbacc().args(["check", "--format", "json"]).arg(&big));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("E0005"), "{}", out.stdout);
    assert!(
        out.stdout.contains("larger than the limit"),
        "{}",
        out.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------ symlink loops

#[cfg(unix)]
#[test]
fn symlink_loops_are_walked_once() {
    let dir = tempdir();
    std::fs::write(dir.join("a.rbac"), SMALL).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/b.rbac"), SMALL).unwrap();
    for name in ["s1", "s2", "sub/up"] {
        let target = if name == "sub/up" { ".." } else { "." };
        std::os::unix::fs::symlink(target, dir.join(name)).unwrap();
    }
    let out = run(rbacc()
        .arg("check")
        .arg(&dir)
        .timeout(Duration::from_secs(20)));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("checked 2 files:"), "{}", out.stderr);

    let tests = dir.join("t.yaml");
    std::fs::write(
        &tests,
        "preset: astro\nmembers: {users: [ana]}\ncases:\n  - {name: c, user: ana, permission: workspace.dags.view, resource: workspace:acme/prod, expect: deny}\n",
    )
    .unwrap();
    let out = run(rbacc()
        .args(["test", "--format", "json"])
        .arg(&dir)
        .timeout(Duration::from_secs(20)));
    let json: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr));
    assert_eq!(json["suites"].as_array().map(Vec::len), Some(1), "{json:#}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_named_twice_is_checked_once() {
    let out = run(rbacc().args(["check", "policies/astro.rbac", "policies/astro.rbac"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("checked 1 file:"), "{}", out.stderr);
    let _ = astro();
}

// ------------------------------------------------------------ batches

fn astro_batch(format: &str) -> assert_cmd::Command {
    let mut cmd = rbacc();
    cmd.args([
        "eval",
        "--preset",
        "astro",
        "-m",
        "examples/astro/members.yaml",
        "--batch",
        "-",
        "--format",
        format,
    ]);
    cmd
}

const ALLOW: &str = "ana organization.view organization:acme";
const DENY: &str = "dev organization.members.invite organization:acme";

#[test]
fn batch_json_refuses_repeated_and_unknown_keys_on_their_line() {
    let input = format!(
        "{ALLOW}\n{}\n{}\n{ALLOW}\n",
        r#"{"user":"bob","user":"ana","permission":"organization.view","resource":"organization:acme"}"#,
        r#"{"user":"ana","permission":"organization.view","resource":"organization:acme","decision":"deny"}"#,
    );
    let out = run(astro_batch("json").write_stdin(input));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let answers: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 4, "{}", out.stdout);
    assert_eq!(answers[0]["decision"], "allow");
    assert_eq!(answers[1]["line"], 2);
    assert!(
        answers[1]["error"]
            .as_str()
            .unwrap()
            .contains("duplicate field `user`"),
        "{}",
        answers[1]
    );
    assert_eq!(answers[2]["line"], 3);
    assert!(
        answers[2]["error"]
            .as_str()
            .unwrap()
            .contains("unknown field `decision`"),
        "{}",
        answers[2]
    );
    assert_eq!(answers[3]["decision"], "allow");
}

#[test]
fn batch_exit_codes_follow_the_contract() {
    let cases = [
        (format!("{ALLOW}\n{ALLOW}\n"), 0),
        (format!("{ALLOW}\n{DENY}\n"), 1),
        (format!("{DENY}\n{DENY}\n"), 1),
        (format!("{ALLOW}\nnobody x y\n{DENY}\n"), 2),
        (String::new(), 0),
    ];
    for (input, code) in cases {
        let out = run(astro_batch("human").write_stdin(input.clone()));
        assert_eq!(out.code, code, "{input:?}: {}{}", out.stdout, out.stderr);
    }
}

#[test]
fn batch_lines_that_are_not_text_or_too_long_are_answered_in_place() {
    let mut input = format!("{ALLOW}\n").into_bytes();
    input.extend_from_slice(b"ana \xff organization:acme\n");
    input.extend(std::iter::repeat_n(
        b'x',
        rbacc::internals::limits::MAX_BATCH_LINE + 10,
    ));
    input.extend_from_slice(format!("\n{ALLOW}\n").as_bytes());
    let out = run(astro_batch("human").write_stdin(input));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert_eq!(lines[0], "allow");
    assert!(
        lines[1].contains("line 2: [E0606] malformed query: the line is not valid UTF-8"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("line 3: [E0606] malformed query: the line is longer than"),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], "allow");
}

#[test]
fn batch_errors_are_printed_escaped() {
    let out = run(astro_batch("human")
        .write_stdin("\u{1b}[2J\u{202e}x organization.view organization:acme\n"));
    assert_eq!(out.code, 2);
    assert!(
        !out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{202e}'),
        "{:?}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\\u{1b}[2J\\u{202e}x"),
        "{}",
        out.stdout
    );
}

#[test]
fn batch_answers_each_line_before_the_next_is_written() {
    use std::io::{BufRead, BufReader, Write};
    let bin = assert_cmd::cargo::cargo_bin("rbacc");
    let mut child = std::process::Command::new(bin)
        .current_dir(root())
        .args([
            "eval",
            "--preset",
            "astro",
            "-m",
            "examples/astro/members.yaml",
            "--batch",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // A co-process: write one query, read its answer, then the next. Were
    // answers held back until the end of input, the first read would wait
    // forever (the test harness would time out).
    for (query, expected) in [(ALLOW, "allow"), (DENY, "deny"), (ALLOW, "allow")] {
        writeln!(stdin, "{query}").unwrap();
        stdin.flush().unwrap();
        let mut answer = String::new();
        stdout.read_line(&mut answer).unwrap();
        assert_eq!(answer.trim_end(), expected);
    }
    drop(stdin);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}

// ------------------------------------------------------------ rbacc test

fn test_dir_with(files: &[(&str, &str)]) -> PathBuf {
    let dir = tempdir();
    // A repository root of its own.
    std::fs::create_dir_all(dir.join("repo/.git")).unwrap();
    for (name, text) in files {
        let p = dir.join("repo").join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const ONE_CASE: &str = "cases:\n  - {name: c, user: ana, permission: organization.view, resource: organization:acme, expect: allow}\n";

#[test]
fn a_document_file_or_run_with_no_case_fails() {
    let head = "preset: astro\nmembers: {users: [ana], resources: {organization:acme: {roles: {ana: organization_owner}}}}\n";
    for (body, located) in [
        ("cases: []\n", ":1: the document has no case"),
        ("cases:\n", ":1: the document has no case"),
        ("", ":1: the document has no case"),
        ("cases:\n#  - {name: c, user: ana, permission: organization.view, resource: organization:acme, expect: allow}\n", ":1: the document has no case"),
    ] {
        let dir = test_dir_with(&[("t.yaml", &format!("{head}{body}"))]);
        let out = run(rbacc().arg("test").arg(dir.join("repo/t.yaml")));
        assert_eq!(out.code, 1, "{body:?}: {}{}", out.stdout, out.stderr);
        assert!(out.stdout.contains(located), "{body:?}: {}", out.stdout);
        assert!(out.stdout.contains("test result: FAILED"), "{}", out.stdout);
        let _ = std::fs::remove_dir_all(&dir);
    }
    // A second document without a case fails the file even though the
    // first passes.
    let dir = test_dir_with(&[("t.yaml", &format!("{head}{ONE_CASE}---\n{head}cases: []\n"))]);
    let out = run(rbacc().arg("test").arg(dir.join("repo/t.yaml")));
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("t.yaml:6: the document has no case"),
        "{}",
        out.stdout
    );
    // A file of comments only.
    let dir2 = test_dir_with(&[("t.yaml", "# preset: astro\n# cases: []\n")]);
    let out = run(rbacc().arg("test").arg(dir2.join("repo/t.yaml")));
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("t.yaml:1: the file holds no test case"),
        "{}",
        out.stdout
    );
    // A run that found no test file.
    let empty = tempdir();
    let out = run(rbacc().arg("test").arg(&empty));
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("no test files found"), "{}", out.stdout);
    for d in [dir, dir2, empty] {
        let _ = std::fs::remove_dir_all(&d);
    }
}

#[test]
fn test_files_name_only_files_under_their_repository() {
    let members =
        "users: [ana]\nresources: {organization:acme: {roles: {ana: organization_owner}}}\n";
    let dir = test_dir_with(&[
        ("data/members.yaml", members),
        (
            "tests/ok.yaml",
            &format!("preset: astro\nmembers: ../data/members.yaml\n{ONE_CASE}"),
        ),
        (
            "tests/abs.yaml",
            "policy: /etc/passwd\nmembers: ../data/members.yaml\ncases: []\n",
        ),
        (
            "tests/up.yaml",
            &format!("preset: astro\nmembers: ../../outside.yaml\n{ONE_CASE}"),
        ),
    ]);
    std::fs::write(dir.join("outside.yaml"), members).unwrap();
    let ok = run(rbacc().arg("test").arg(dir.join("repo/tests/ok.yaml")));
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    let abs = run(rbacc().arg("test").arg(dir.join("repo/tests/abs.yaml")));
    assert_eq!(abs.code, 2, "{}", abs.stdout);
    assert!(
        abs.stdout
            .contains("outside the test file's repository root"),
        "{}",
        abs.stdout
    );
    assert!(
        !abs.stdout.contains("root:"),
        "the file's text leaked: {}",
        abs.stdout
    );
    let up = run(rbacc().arg("test").arg(dir.join("repo/tests/up.yaml")));
    assert_eq!(up.code, 2, "{}", up.stdout);
    assert!(
        up.stdout
            .contains("outside the test file's repository root"),
        "{}",
        up.stdout
    );
    // The flag allows a directory.
    let allowed = run(rbacc()
        .arg("test")
        .arg(dir.join("repo/tests/up.yaml"))
        .arg("--allow-path")
        .arg(&dir));
    assert_eq!(allowed.code, 0, "{}", allowed.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn test_file_paths_resolve_through_symlinks_as_the_os_does() {
    let members =
        "users: [ana]\nresources: {organization:acme: {roles: {ana: organization_owner}}}\n";
    let dir = test_dir_with(&[(
        "tests/t.yaml",
        &format!("preset: astro\nmembers: link/../members.yaml\n{ONE_CASE}"),
    )]);
    // `link/..` is the outside directory to the OS, `tests/` lexically.
    std::fs::create_dir_all(dir.join("out/deep")).unwrap();
    std::fs::write(dir.join("out/members.yaml"), members).unwrap();
    std::fs::write(dir.join("repo/tests/members.yaml"), members).unwrap();
    std::os::unix::fs::symlink(dir.join("out/deep"), dir.join("repo/tests/link")).unwrap();
    let out = run(rbacc().arg("test").arg(dir.join("repo/tests/t.yaml")));
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("outside the test file's repository root"),
        "{}",
        out.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------ forged output

/// Rendered human diagnostics of a source, as `rbacc check` prints them.
fn rendered(source: &str) -> String {
    rbacc::check("p.rbac", source).to_plain_string()
}

fn assert_clean(text: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || rbacc::internals::text::is_printable(c),
            "{c:?} reached the terminal in:\n{text}"
        );
    }
}

#[test]
fn escape_sequences_in_a_source_line_are_shown_escaped() {
    let source = "scope workspace \"W\"\npermissions on workspace { workspace.read \"R\" }\nrole viewer on workspace \"V\" { grant workspace.raed } // \u{1b}[2J\u{7}\n";
    let text = rendered(source);
    assert_clean(&text);
    assert!(text.contains("// \\u{1b}[2J\\u{7}"), "{text}");
    assert!(text.contains("p.rbac:3:38"), "{text}");
}

#[test]
fn bidi_controls_in_messages_and_snippets_are_shown_escaped() {
    let source = "scope workspace \"W\"\npermissions on workspace { workspace.read \"R\" }\nrole viewer on workspace \"V\u{202e}x\" { grant workspace.raed }\n";
    let text = rendered(source);
    assert_clean(&text);
    assert!(text.contains("\"V\\u{202e}x\""), "{text}");
    // The caret stays under the name it points at.
    let lines: Vec<&str> = text.lines().collect();
    let caret = lines
        .iter()
        .position(|l| l.contains("did you mean"))
        .unwrap();
    let col = lines[caret - 1].find("workspace.raed").unwrap();
    assert_eq!(lines[caret].find('^'), Some(col), "{text}");
}

#[test]
fn cr_only_line_ends_are_located_line_by_line() {
    let source = "scope workspace \"W\"\rpermissions on workspace { workspace.read \"R\" }\rrole viewer on workspace \"V\" { grant workspace.raed }\r";
    let report = rbacc::check("p.rbac", source);
    let text = report.to_plain_string();
    assert_clean(&text);
    assert!(text.contains("p.rbac:3:38"), "{text}");
    let json = rbacc::diagnostic::to_json(&report.sources, &report.diagnostics);
    let d = &json["diagnostics"][0]["labels"][0];
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(38)),
        "{json:#}"
    );
    // CRLF files print no `\r`.
    let crlf = source.replace('\r', "\r\n");
    let text = rendered(&crlf);
    assert!(!text.contains("\\r") && !text.contains('\r'), "{text}");
    assert!(text.contains("p.rbac:3:38"), "{text}");
}

#[test]
fn file_names_are_shown_escaped() {
    let report = rbacc::check("evil\u{1b}[31m.rbac", "role r on nowhere \"R\" {}\n");
    let text = report.to_plain_string();
    assert_clean(&text);
    assert!(text.contains("evil\\u{1b}[31m.rbac"), "{text}");
}

// ------------------------------------------------------------ Trojan Source

const TROJAN: &str = "scope ws \"Workspace\"\npermissions on ws { ws.read \"Read\"  ws.write \"Write\" }\nrole viewer on ws \"Viewer\" { grant ws.read /*\u{202e} } \u{2066}// read only\u{2069} \u{2066}*/ grant ws.write }\n";

#[test]
fn bidi_controls_in_comments_fail_check_unless_the_command_line_says_so() {
    let dir = tempdir();
    let p = dir.join("trojan.rbac");
    std::fs::write(&p, TROJAN).unwrap();
    let out = run(rbacc().arg("check").arg(&p));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("error[W0307]"), "{}", out.stderr);
    // The file cannot silence it.
    std::fs::write(&p, format!("lint W0307 allow\n{TROJAN}")).unwrap();
    let out = run(rbacc().arg("check").arg(&p));
    assert_eq!(out.code, 1, "{}", out.stderr);
    // The command line can.
    let out = run(rbacc().arg("check").arg(&p).args(["--lint", "W0307=warn"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("warning[W0307]"), "{}", out.stderr);
    // A policy with a hidden character in a comment is not evaluated.
    let out = run(rbacc().args(["eval", "--policy"]).arg(&p).args([
        "-m",
        "examples/astro/members.yaml",
        "a",
        "ws.read",
        "ws:x",
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.stdout.contains("allow"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bidi_controls_in_yaml_comments_refuse_the_data() {
    let dir = tempdir();
    let members = std::fs::read_to_string(root().join("examples/astro/members.yaml")).unwrap();
    let p = dir.join("members.yaml");
    std::fs::write(&p, format!("# owners \u{202e}only\n{members}")).unwrap();
    let out = run(rbacc()
        .args(["eval", "--preset", "astro", "-m"])
        .arg(&p)
        .args(["ana", "organization.view", "organization:acme"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("error[E0411]"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bidi_controls_in_yaml_comments_refuse_the_data_in_the_library_too() {
    let policy = rbacc::presets::get("astro").unwrap();
    let policy = rbacc::compile("astro.rbac", policy.source).unwrap();
    let members = std::fs::read_to_string(root().join("examples/astro/members.yaml")).unwrap();
    assert!(rbacc::Members::from_yaml(&policy, "m.yaml", &members).is_ok());
    let hidden = format!("{members}\n# owners \u{200b}only\n");
    let report = rbacc::Members::from_yaml(&policy, "m.yaml", &hidden).unwrap_err();
    let d = &report.diagnostics[0];
    assert_eq!(d.code, "E0411", "{report}");
    let line = members.lines().count() + 2;
    let (l, col) = report
        .sources
        .get(d.labels[0].file)
        .unwrap()
        .line_col(d.labels[0].span.start);
    assert_eq!((l, col), (line, 10), "{report}");
    // After data on a line, as well as on a line of its own.
    let trailing = members.replacen("users:", "users: # \u{202e}x", 1);
    let report = rbacc::Members::from_yaml(&policy, "m.yaml", &trailing).unwrap_err();
    assert_eq!(report.diagnostics[0].code, "E0411", "{report}");
}

#[test]
fn bidi_controls_in_test_file_comments_fail_the_file() {
    let dir = tempdir();
    std::fs::write(dir.join("p.rbac"), SMALL).unwrap();
    std::fs::write(
        dir.join("m.yaml"),
        "users: [ana]\nresources:\n  workspace:w: {roles: {ana: viewer}}\n",
    )
    .unwrap();
    let case = "  - {name: reads, user: ana, permission: workspace.read, resource: workspace:w, expect: allow}\n";
    let clean = format!("policy: p.rbac\nmembers: m.yaml\ncases:\n{case}");
    std::fs::write(dir.join("t.yaml"), &clean).unwrap();
    assert_eq!(run(rbacc().arg("test").arg(dir.join("t.yaml"))).code, 0);
    let hidden = format!("policy: p.rbac\nmembers: m.yaml\ncases:  # \u{202e}\n{case}");
    std::fs::write(dir.join("t.yaml"), hidden).unwrap();
    let out = run(rbacc().arg("test").arg(dir.join("t.yaml")));
    assert_ne!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stderr.contains("E0411") || out.stdout.contains("E0411"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn documents_of_a_test_file_are_located_in_the_file() {
    // Errors in later documents point at the file's lines, and a file of
    // many documents is split without copying it per document.
    let dir = tempdir();
    std::fs::write(dir.join("p.rbac"), SMALL).unwrap();
    std::fs::write(
        dir.join("m.yaml"),
        "users: [ana]\nresources:\n  workspace:w: {roles: {ana: viewer}}\n",
    )
    .unwrap();
    let doc = "policy: p.rbac\nmembers: m.yaml\ncases:\n  - {name: reads, user: ana, permission: workspace.read, resource: workspace:w, expect: allow}\n";
    let mut text = doc.to_string();
    for _ in 0..2_000 {
        text.push_str("---\n");
        text.push_str(doc);
    }
    text.push_str("---\npolicy: p.rbac\nmembers: m.yaml\ncases:\n  - {name: bad, usr: ana}\n");
    let bad_line = text.lines().count();
    std::fs::write(dir.join("t.yaml"), &text).unwrap();
    let out = run(rbacc().arg("test").arg(dir.join("t.yaml")));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.contains("2001 passed"), "{}", out.stdout);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(
        all.contains(&format!("t.yaml:{bad_line}:")),
        "line {bad_line}: {all}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn streamed_json_and_sarif_are_the_documents_of_the_whole_run() {
    // `check --format json|sarif` writes file by file; what it writes is
    // the one document `to_json` / `to_sarif` give for the whole run.
    let dir = tempdir();
    let a =
        "scope ws \"W\"\npermissions on ws { ws.p \"P\" }\nrole a on ws \"A\" { grant ws.nope }\n";
    let b = "scope ws \"W\"\npermissions on ws { ws.p \"P\" }\nrole b on ws \"B\" { }\n";
    std::fs::write(dir.join("a.rbac"), a).unwrap();
    std::fs::write(dir.join("b.rbac"), b).unwrap();
    let mut all = rbacc::Report::default();
    for (name, text) in [("a.rbac", a), ("b.rbac", b)] {
        let r = rbacc::check(name, text);
        let offset = all.sources.merge(r.sources);
        all.diagnostics
            .extend(r.diagnostics.into_iter().map(|mut d| {
                for l in &mut d.labels {
                    l.file.0 += offset;
                }
                d
            }));
    }
    assert!(all.diagnostics.len() >= 2);
    let json = run(rbacc()
        .current_dir(&dir)
        .args(["check", "--format", "json", "a.rbac", "b.rbac"]));
    let want = rbacc::diagnostic::to_json(&all.sources, &all.diagnostics);
    assert_eq!(json.stdout, format!("{want:#}\n"));
    let sarif = run(rbacc()
        .current_dir(&dir)
        .args(["check", "--format", "sarif", "a.rbac", "b.rbac"]));
    let base = std::fs::canonicalize(&dir).unwrap();
    let want = rbacc::diagnostic::to_sarif(&all.sources, &all.diagnostics, Some(&base));
    assert_eq!(sarif.stdout, format!("{want:#}\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------ bounds

#[test]
fn rules_past_the_limit_are_refused_before_analysis() {
    let limit = rbacc::internals::limits::MAX_RULES;
    let mut source = String::from(SMALL);
    source.push_str(&"assert only viewer can workspace.read\n".repeat(limit));
    assert!(!rbacc::check("p.rbac", &source)
        .diagnostics
        .iter()
        .any(|d| d.code == "E0117"));
    source.push_str("assert only viewer can workspace.read\n");
    let report = rbacc::check("p.rbac", &source);
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["E0117"]);
    assert!(report.diagnostics[0]
        .message
        .contains("more than the limit of 10000"));
}

#[test]
fn a_diagnostic_shows_at_most_max_labels_locations() {
    // A chain of 200 includes, the last role granting again what the first
    // grants: W0301 with the whole chain as its explanation.
    let mut source = String::from(
        "scope ws \"W\"\npermissions on ws { ws.p \"P\" }\nrole c0 on ws \"C\" { grant ws.p }\n",
    );
    for r in 1..200 {
        source.push_str(&format!("role c{r} on ws \"C\" {{ include c{} }}\n", r - 1));
    }
    source.push_str("role last on ws \"C\" { include c199  grant ws.p }\n");
    let report = rbacc::check("p.rbac", &source);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "W0301")
        .unwrap();
    assert!(
        d.labels.len() <= rbacc::internals::limits::MAX_LABELS,
        "{}",
        d.labels.len()
    );
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("more step(s) of the chain not shown")),
        "{:?}",
        d.notes
    );
}

#[test]
fn matrix_past_the_cell_limit_is_refused() {
    // 2,001 roles × 2,000 permissions > 4,000,000 cells.
    let mut source = String::from("scope ws \"W\"\npermissions on ws {\n");
    for p in 0..2000 {
        source.push_str(&format!("  ws.p{p} \"P\"\n"));
    }
    source.push_str("}\n");
    for r in 0..2001 {
        source.push_str(&format!(
            "role r{r} on ws \"R\" {{ grant ws.p{} }}\n",
            r % 2000
        ));
    }
    let dir = tempdir();
    let p = dir.join("wide.rbac");
    std::fs::write(&p, &source).unwrap();
    let out = run(rbacc().arg("matrix").arg(&p));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("4002000 cells, more than the limit of 4000000"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
    // Under `--format json`: the JSON error on stdout, and no table.
    let out = run(rbacc().arg("matrix").arg(&p).args(["--format", "json"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("4002000 cells, more than the limit of 4000000"));
    let _ = std::fs::remove_dir_all(&dir);
}
