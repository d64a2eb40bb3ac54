//! Generates the inputs that once blew up rbacc's time or memory (issue
//! 15) at growing sizes, runs the release binary on each under
//! `/usr/bin/time`, and prints seconds and peak memory per size, so that
//! growth per 10× can be read off (docs/performance.md). A benchmark, not a
//! test: it asserts nothing.
//!
//! ```sh
//! cargo build --release && cargo run --release --example hostile_inputs [CASE…]
//! ```
//!
//! Cases: `assert_only`, `chains_human`, `chains_json`, `chains_sarif`,
//! `matrix`, `batch`, `test_cases`, `test_docs` (all when none is given).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A policy of `n` scope-level permissions and roles granting them, plus
/// `asserts` `assert only` lines (each violated by every role but one).
fn assert_only_policy(asserts: usize) -> String {
    let mut s = String::from("scope ws \"W\"\npermissions on ws { ws.p \"P\" }\n");
    for r in 0..100 {
        writeln!(s, "role r{r} on ws \"R{r}\" {{ grant ws.p }}").unwrap();
    }
    for _ in 0..asserts {
        s.push_str("assert only r0 can ws.p\n");
    }
    s
}

/// `roles` roles in chains of 256: each includes the previous one and
/// grants again what the chain's first grants (a W0301 with the whole chain
/// as its explanation).
fn chains_policy(roles: usize) -> String {
    let mut s = String::from("scope ws \"W\"\npermissions on ws { ws.p \"P\" }\n");
    for r in 0..roles {
        if r % 256 == 0 {
            writeln!(s, "role c{r} on ws \"C\" {{ grant ws.p }}").unwrap();
        } else {
            writeln!(
                s,
                "role c{r} on ws \"C\" {{ include c{}  grant ws.p }}",
                r - 1
            )
            .unwrap();
        }
    }
    s
}

/// `roles` roles and `perms` permissions on one scope kind, role i
/// granting permission i.
fn matrix_policy(roles: usize, perms: usize) -> String {
    let mut s = String::from("scope ws \"W\"\npermissions on ws {\n");
    for p in 0..perms {
        writeln!(s, "  ws.p{p} \"P\"").unwrap();
    }
    s.push_str("}\n");
    for r in 0..roles {
        writeln!(s, "role r{r} on ws \"R\" {{ grant ws.p{} }}", r % perms).unwrap();
    }
    s
}

const MEMBERS: &str = "users: [ana]\nresources:\n  ws:a: {roles: {ana: r0}}\n";

fn test_cases(cases: usize) -> String {
    let mut s = String::from("policy: policy.rbac\nmembers: members.yaml\ncases:\n");
    for i in 0..cases {
        writeln!(
            s,
            "  - {{name: c{i}, user: ana, permission: ws.p0, resource: ws:a, expect: allow}}"
        )
        .unwrap();
    }
    s
}

fn test_docs(docs: usize) -> String {
    let mut s = String::new();
    for i in 0..docs {
        if i > 0 {
            s.push_str("---\n");
        }
        writeln!(
            s,
            "policy: policy.rbac\nmembers: members.yaml\ncases:\n  - {{name: c{i}, user: ana, permission: ws.p0, resource: ws:a, expect: allow}}"
        )
        .unwrap();
    }
    s
}

struct Measure {
    seconds: f64,
    max_rss_mb: f64,
    code: i32,
    out_bytes: u64,
}

fn measure(bin: &Path, dir: &Path, args: &[&str], stdin: Option<&Path>) -> Measure {
    let out_file = dir.join("stdout");
    let time_file = dir.join("time");
    let mut cmd = Command::new("/usr/bin/time");
    cmd.current_dir(dir)
        .arg("-f")
        .arg("%e %M")
        .arg("-o")
        .arg(&time_file)
        .arg(bin)
        .arg("--color=never")
        .args(args)
        .stdout(std::fs::File::create(&out_file).unwrap())
        .stderr(Stdio::null());
    if let Some(input) = stdin {
        cmd.stdin(std::fs::File::open(input).unwrap());
    }
    let status = cmd.status().unwrap();
    let time = std::fs::read_to_string(&time_file).unwrap();
    let last = time.lines().last().unwrap_or("0 0");
    let mut parts = last.split_whitespace();
    let seconds = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let kb: f64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    Measure {
        seconds,
        max_rss_mb: kb / 1024.0,
        code: status.code().unwrap_or(-1),
        out_bytes: std::fs::metadata(&out_file).map(|m| m.len()).unwrap_or(0),
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bin = std::env::var_os("RBACC")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/release/rbacc"));
    assert!(bin.exists(), "build first: cargo build --release ({bin:?})");
    let dir = std::env::temp_dir().join(format!("rbacc-hostile-inputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    let want = |c: &str| wanted.is_empty() || wanted.iter().any(|w| w == c);
    println!("| case | size | input bytes | seconds | peak RSS MB | output bytes | exit |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let row = |case: &str, size: usize, input: &Path, m: Measure| {
        let bytes = std::fs::metadata(input).map(|m| m.len()).unwrap_or(0);
        println!(
            "| {case} | {size} | {bytes} | {:.2} | {:.1} | {} | {} |",
            m.seconds, m.max_rss_mb, m.out_bytes, m.code
        );
    };
    if want("assert_only") {
        for n in [1_000, 10_000, 100_000] {
            let p = dir.join("assert.rbac");
            std::fs::write(&p, assert_only_policy(n)).unwrap();
            row(
                "assert_only (check)",
                n,
                &p,
                measure(&bin, &dir, &["check", "assert.rbac"], None),
            );
        }
    }
    for (case, format) in [
        ("chains_human", "human"),
        ("chains_json", "json"),
        ("chains_sarif", "sarif"),
    ] {
        if want(case) {
            for n in [100, 1_000, 10_000] {
                let p = dir.join("chains.rbac");
                std::fs::write(&p, chains_policy(n)).unwrap();
                let m = measure(
                    &bin,
                    &dir,
                    &["check", "--format", format, "chains.rbac"],
                    None,
                );
                row(case, n, &p, m);
            }
        }
    }
    if want("matrix") {
        for n in [100, 1_000, 10_000] {
            let p = dir.join("matrix.rbac");
            std::fs::write(&p, matrix_policy(n, n)).unwrap();
            for format in ["text", "json"] {
                let m = measure(
                    &bin,
                    &dir,
                    &["matrix", "matrix.rbac", "--format", format],
                    None,
                );
                row(&format!("matrix {n}×{n} ({format})"), n, &p, m);
            }
        }
    }
    std::fs::write(dir.join("policy.rbac"), matrix_policy(10, 10)).unwrap();
    std::fs::write(dir.join("members.yaml"), MEMBERS).unwrap();
    if want("batch") {
        for n in [10_000, 100_000, 1_000_000] {
            let p = dir.join("batch.txt");
            std::fs::write(&p, "ana ws.p0 ws:a\n".repeat(n)).unwrap();
            let m = measure(
                &bin,
                &dir,
                &[
                    "eval",
                    "--policy",
                    "policy.rbac",
                    "-m",
                    "members.yaml",
                    "--batch",
                    "-",
                ],
                Some(&p),
            );
            row("batch (eval --batch -)", n, &p, m);
        }
    }
    if want("test_cases") {
        for n in [1_000, 10_000, 100_000] {
            let p = dir.join("cases.yaml");
            std::fs::write(&p, test_cases(n)).unwrap();
            row(
                "test_cases (rbacc test)",
                n,
                &p,
                measure(&bin, &dir, &["test", "cases.yaml"], None),
            );
        }
    }
    if want("test_docs") {
        for n in [200, 2_000, 20_000] {
            let p = dir.join("docs.yaml");
            std::fs::write(&p, test_docs(n)).unwrap();
            row(
                "test_docs (rbacc test)",
                n,
                &p,
                measure(&bin, &dir, &["test", "docs.yaml"], None),
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
