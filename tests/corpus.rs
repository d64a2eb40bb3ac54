//! The malformed-input corpus: every file under `tests/corpus/{policies,
//! members,queries,tests}/` is run through the `rbacc` binary and
//! snapshotted with its diagnostic (`tests/corpus/snapshots/`). Each must
//! exit non-zero, never panic, never print an `allow` decision, and give a
//! clean diagnostic (an `error` line saying what is wrong).
//!
//! - `policies/*`: `rbacc check FILE`, and `rbacc eval` with it as the policy
//!   (base membership data, a query the base data allows).
//! - `members/*`: `rbacc eval` with the base policy and it as the data (a
//!   query the base data allows).
//! - `queries/*`: `rbacc eval --batch FILE` on the base policy and data.
//! - `tests/*`: `rbacc test FILE`.
//!
//! The base policy and data are `tests/corpus/base/`. Adding a case means
//! dropping a file in one of the folders and running
//! `INSTA_UPDATE=always cargo test --test corpus`; read the new snapshot
//! before committing it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// One run of the binary: the command line as shown, exit code, stdout,
/// stderr.
struct Run {
    shown: String,
    code: i32,
    stdout: String,
    stderr: String,
}

fn rbacc(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_rbacc"))
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .args(["--color", "never"])
        .args(args)
        .output()
        .expect("run rbacc");
    Run {
        shown: format!("rbacc {}", args.join(" ")),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Policies that are valid (an empty policy declares nothing): `check`
/// accepts them, but nothing can be evaluated against them.
const VALID_EMPTY_POLICIES: &[&str] = &["empty.rbac", "whitespace_only.rbac", "bom_only.rbac"];

/// The runs of one corpus file.
fn runs(kind: &str, name: &str) -> Vec<Run> {
    let dir = corpus_dir();
    match kind {
        "policies" => vec![
            rbacc(&dir, &["check", &format!("policies/{name}")]),
            rbacc(
                &dir,
                &[
                    "eval",
                    "--policy",
                    &format!("policies/{name}"),
                    "--members",
                    "base/members.yaml",
                    "alice",
                    "ws.write",
                    "ws:acme/main",
                ],
            ),
        ],
        "members" => vec![rbacc(
            &dir,
            &[
                "eval",
                "--policy",
                "base/policy.rbac",
                "--members",
                &format!("members/{name}"),
                "alice",
                "ws.write",
                "ws:acme/main",
            ],
        )],
        "queries" => vec![rbacc(
            &dir,
            &[
                "eval",
                "--policy",
                "base/policy.rbac",
                "--members",
                "base/members.yaml",
                "--batch",
                &format!("queries/{name}"),
            ],
        )],
        "tests" => vec![rbacc(&dir.join("tests"), &["test", name])],
        other => panic!("unknown corpus folder {other}"),
    }
}

/// Text for a snapshot: control characters escaped, long lines and long
/// texts cut (the input is shown in full in the corpus file).
fn shown(text: &str, max_lines: usize) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(max_lines) {
        let escaped: String = line
            .chars()
            .map(|c| match c {
                '\t' => "\\t".to_string(),
                '\r' => "\\r".to_string(),
                c if c.is_control() || c == '\u{feff}' => c.escape_unicode().to_string(),
                c => c.to_string(),
            })
            .collect();
        let count = escaped.chars().count();
        if count > 160 {
            let cut: String = escaped.chars().take(160).collect();
            out.push_str(&format!("{cut}… ({count} chars)\n"));
        } else {
            out.push_str(&escaped);
            out.push('\n');
        }
    }
    if lines.len() > max_lines {
        out.push_str(&format!("… ({} more lines)\n", lines.len() - max_lines));
    }
    out
}

/// Whether a run printed an `allow` decision (text or JSON).
fn printed_allow(run: &Run) -> bool {
    run.stdout.lines().any(|l| l.trim() == "allow") || run.stdout.contains("\"decision\":\"allow\"")
}

/// A clean diagnostic: an `error` line (`ERROR` for a test case that
/// could not be evaluated), and no sign of a panic.
fn clean(run: &Run) -> bool {
    let all = format!("{}\n{}", run.stdout, run.stderr);
    let has_error = all
        .lines()
        .any(|l| l.trim_start().to_ascii_lowercase().starts_with("error"));
    let panicked =
        all.contains("panicked") || all.contains("RUST_BACKTRACE") || run.code > 2 || run.code < 0;
    has_error && !panicked
}

/// Every corpus file's runs, computed on a few threads (each run is a
/// process; the machine has more than one core).
fn all_runs() -> HashMap<PathBuf, Vec<Run>> {
    let mut files: Vec<(String, String, PathBuf)> = Vec::new();
    for kind in ["policies", "members", "queries", "tests"] {
        for entry in std::fs::read_dir(corpus_dir().join(kind)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            files.push((kind.to_string(), name, path));
        }
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<HashMap<PathBuf, Vec<Run>>> = Mutex::new(HashMap::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((kind, name, path)) = files.get(i) else {
                    break;
                };
                let r = runs(kind, name);
                results
                    .lock()
                    .unwrap()
                    .insert(path.canonicalize().unwrap(), r);
            });
        }
    });
    results.into_inner().unwrap()
}

static FILES: AtomicUsize = AtomicUsize::new(0);
static CLEAN: AtomicUsize = AtomicUsize::new(0);

#[test]
fn corpus() {
    let mut problems: Vec<String> = Vec::new();
    let mut precomputed = all_runs();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("corpus/snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("corpus/{policies,members,queries,tests}/*", |path| {
            let kind = path
                .parent()
                .and_then(|p| p.file_name())
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            let bytes = std::fs::read(path).unwrap();
            let runs = precomputed
                .remove(&path.canonicalize().unwrap())
                .unwrap_or_else(|| runs(&kind, &name));
            FILES.fetch_add(1, Ordering::Relaxed);
            let mut all_clean = true;
            for run in &runs {
                let empty_ok = kind == "policies"
                    && run.shown.starts_with("rbacc check")
                    && VALID_EMPTY_POLICIES.contains(&name.as_str());
                if run.code == 0 && !empty_ok {
                    problems.push(format!("{kind}/{name}: `{}` exited 0", run.shown));
                }
                if run.shown.starts_with("rbacc eval") && run.code != 2 {
                    problems.push(format!(
                        "{kind}/{name}: `{}` exited {}, not 2",
                        run.shown, run.code
                    ));
                }
                if printed_allow(run) {
                    problems.push(format!("{kind}/{name}: `{}` printed allow", run.shown));
                }
                if !empty_ok && !clean(run) {
                    all_clean = false;
                    problems.push(format!(
                        "{kind}/{name}: `{}` gave no clean diagnostic",
                        run.shown
                    ));
                }
            }
            if all_clean {
                CLEAN.fetch_add(1, Ordering::Relaxed);
            }
            let mut snap = format!(
                "----- INPUT {kind}/{name} ({} bytes{})\n",
                bytes.len(),
                if std::str::from_utf8(&bytes).is_ok() {
                    ""
                } else {
                    ", not UTF-8"
                }
            );
            snap.push_str(&shown(&String::from_utf8_lossy(&bytes), 30));
            for run in &runs {
                snap.push_str(&format!("----- {} → exit {}\n", run.shown, run.code));
                if !run.stdout.is_empty() {
                    snap.push_str("--- stdout\n");
                    snap.push_str(&shown(&run.stdout, 60));
                }
                if !run.stderr.is_empty() {
                    snap.push_str("--- stderr\n");
                    snap.push_str(&shown(&run.stderr, 60));
                }
            }
            insta::assert_snapshot!(snap);
        });
    });
    let files = FILES.load(Ordering::Relaxed);
    let clean = CLEAN.load(Ordering::Relaxed);
    eprintln!("corpus: {files} files, {clean} with a clean diagnostic");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(files >= 100, "only {files} corpus files");
    assert_eq!(clean, files);
}

/// The fuzz targets read bytes as lossy UTF-8 and go through the library;
/// every corpus policy and membership file does the same here (the CLI
/// refuses invalid UTF-8 before parsing), with every diagnostic rendered.
#[test]
fn library_reads_every_corpus_file() {
    let base_policy = std::fs::read_to_string(corpus_dir().join("base/policy.rbac")).unwrap();
    let policy = rbacc::compile("policy.rbac", &base_policy).unwrap();
    for kind in ["policies", "members"] {
        for entry in std::fs::read_dir(corpus_dir().join(kind)).unwrap() {
            let path = entry.unwrap().path();
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            let start = std::time::Instant::now();
            if kind == "policies" {
                let report = rbacc::check("input.rbac", &text);
                let _ = report.to_plain_string();
                let _ = rbacc::diagnostic::to_json(&report.sources, &report.diagnostics);
            } else if let Err(report) = rbacc::Members::from_yaml(&policy, "input.yaml", &text) {
                let _ = report.to_plain_string();
            }
            assert!(
                start.elapsed().as_secs() < 20,
                "{}: {:?}",
                path.display(),
                start.elapsed()
            );
        }
    }
}
