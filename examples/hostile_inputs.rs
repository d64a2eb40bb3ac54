//! Generates the inputs that once blew up rbacc's time or memory (issue
//! 15), and an input for every other command, at sizes growing 10× at a
//! time; runs the release binary on each under `/usr/bin/time`, and prints
//! seconds and peak memory per size, so that growth per 10× can be read
//! off (docs/performance.md). A benchmark, not a test: it asserts nothing.
//!
//! ```sh
//! cargo build --release && cargo run --release --example hostile_inputs [CASE…]
//! ```
//!
//! Cases (all when none is given): `assert_only`, `assert_max`, `chains_human`,
//! `chains_json`, `chains_sarif`, `chains_github`, `one_line_json`,
//! `matrix_text`, `matrix_markdown`, `matrix_json`, `batch`, `test_cases`,
//! `test_docs`, `eval`, `who_can`, `what_can`, `review`, `diff`, `fmt`,
//! `graph`.

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

/// `n` roles granting one permission and `n` assertions that only the
/// first may hold it: at 10,000 both the role and the rule limits are
/// reached, and each assertion is violated by every other role (10^8
/// violations, of which the first 10,000 are reported).
fn assert_max_policy(n: usize) -> String {
    let mut s = String::from("scope ws \"W\"\npermissions on ws { ws.p \"P\" }\n");
    for r in 0..n {
        writeln!(s, "role r{r} on ws \"R{r}\" {{ grant ws.p }}").unwrap();
    }
    s.push_str(&"assert only r0 can ws.p\n".repeat(n));
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

/// `errors` unknown permissions granted at the end of one line that fills
/// the 4 MiB limit with valid grants: every diagnostic is far along the
/// line (columns counted from the line's start cost 40 GB at 10,000).
fn one_line_policy(errors: usize) -> String {
    let mut s =
        String::from("scope ws \"W\"\npermissions on ws { ws.p \"P\" }\nrole r0 on ws \"R\" { ");
    let mut bad = String::new();
    for i in 0..errors {
        write!(bad, "grant ws.q{i} ").unwrap();
    }
    let room = 4 * 1024 * 1024 - s.len() - bad.len() - 10;
    s.push_str(&"grant ws.p ".repeat(room / 11));
    s.push_str(&bad);
    s.push_str("}\n");
    s
}

/// Membership data of `users` users on one resource, user i holding role
/// `r{i % 10}` of [`matrix_policy`]`(10, 10)`.
fn members(users: usize) -> String {
    let mut s = String::from("users: [");
    for u in 0..users {
        if u > 0 {
            s.push_str(", ");
        }
        write!(s, "u{u}").unwrap();
    }
    s.push_str("]\nresources:\n  ws:a:\n    roles:\n");
    for u in 0..users {
        writeln!(s, "      u{u}: r{}", u % 10).unwrap();
    }
    s
}

/// One measured command: the files it reads (name, text), its arguments,
/// and its standard input (a file name), for a size.
struct Run {
    files: Vec<(&'static str, String)>,
    args: Vec<String>,
    stdin: Option<&'static str>,
}

fn run(files: Vec<(&'static str, String)>, args: &[&str]) -> Run {
    Run {
        files,
        args: args.iter().map(|a| a.to_string()).collect(),
        stdin: None,
    }
}

/// The small policy and data queries run against.
fn small() -> Vec<(&'static str, String)> {
    vec![
        ("policy.rbac", matrix_policy(10, 10)),
        ("members.yaml", MEMBERS.to_string()),
    ]
}

/// Every case: name, sizes, what is run at a size.
type Case = (&'static str, [usize; 3], fn(usize) -> Run);

const CASES: &[Case] = &[
    ("assert_only", [1_000, 10_000, 100_000], |n| {
        run(
            vec![("in.rbac", assert_only_policy(n))],
            &["check", "in.rbac"],
        )
    }),
    ("assert_max", [100, 1_000, 10_000], |n| {
        run(
            vec![("in.rbac", assert_max_policy(n))],
            &["check", "--format", "json", "in.rbac"],
        )
    }),
    ("chains_human", [100, 1_000, 10_000], |n| {
        run(vec![("in.rbac", chains_policy(n))], &["check", "in.rbac"])
    }),
    ("chains_json", [100, 1_000, 10_000], |n| {
        run(
            vec![("in.rbac", chains_policy(n))],
            &["check", "--format", "json", "in.rbac"],
        )
    }),
    ("chains_sarif", [100, 1_000, 10_000], |n| {
        run(
            vec![("in.rbac", chains_policy(n))],
            &["check", "--format", "sarif", "in.rbac"],
        )
    }),
    ("chains_github", [100, 1_000, 10_000], |n| {
        run(
            vec![("in.rbac", chains_policy(n))],
            &["check", "--format", "github", "in.rbac"],
        )
    }),
    ("one_line_json", [100, 1_000, 10_000], |n| {
        run(
            vec![("in.rbac", one_line_policy(n))],
            &["check", "--format", "json", "in.rbac"],
        )
    }),
    ("matrix_text", [100, 1_000, 10_000], |n| {
        run(
            vec![("in.rbac", matrix_policy(n, n))],
            &["matrix", "in.rbac"],
        )
    }),
    ("matrix_markdown", [100, 1_000, 10_000], |n| {
        run(
            vec![("in.rbac", matrix_policy(n, n))],
            &["matrix", "in.rbac", "--format", "markdown"],
        )
    }),
    ("matrix_json", [100, 1_000, 10_000], |n| {
        run(
            vec![("in.rbac", matrix_policy(n, n))],
            &["matrix", "in.rbac", "--format", "json"],
        )
    }),
    ("batch", [10_000, 100_000, 1_000_000], |n| {
        let mut files = small();
        files.push(("batch.txt", "ana ws.p0 ws:a\n".repeat(n)));
        let mut r = run(
            files,
            &[
                "eval",
                "--policy",
                "policy.rbac",
                "-m",
                "members.yaml",
                "--batch",
                "-",
            ],
        );
        r.stdin = Some("batch.txt");
        r
    }),
    ("test_cases", [1_000, 10_000, 100_000], |n| {
        let mut files = small();
        files.push(("cases.yaml", test_cases(n)));
        run(files, &["test", "cases.yaml"])
    }),
    ("test_docs", [200, 2_000, 20_000], |n| {
        let mut files = small();
        files.push(("docs.yaml", test_docs(n)));
        run(files, &["test", "docs.yaml"])
    }),
    ("eval", [1_000, 10_000, 100_000], |n| {
        run(
            vec![
                ("policy.rbac", matrix_policy(10, 10)),
                ("members.yaml", members(n)),
            ],
            &[
                "eval",
                "--policy",
                "policy.rbac",
                "-m",
                "members.yaml",
                "u0",
                "ws.p0",
                "ws:a",
            ],
        )
    }),
    ("who_can", [1_000, 10_000, 100_000], |n| {
        run(
            vec![
                ("policy.rbac", matrix_policy(10, 10)),
                ("members.yaml", members(n)),
            ],
            &[
                "who-can",
                "--policy",
                "policy.rbac",
                "-m",
                "members.yaml",
                "ws.p0",
                "ws:a",
            ],
        )
    }),
    ("what_can", [1_000, 10_000, 100_000], |n| {
        run(
            vec![
                ("policy.rbac", matrix_policy(10, 10)),
                ("members.yaml", members(n)),
            ],
            &[
                "what-can",
                "--policy",
                "policy.rbac",
                "-m",
                "members.yaml",
                "u0",
                "ws:a",
            ],
        )
    }),
    ("review", [1_000, 10_000, 100_000], |n| {
        run(
            vec![
                ("policy.rbac", matrix_policy(10, 10)),
                ("members.yaml", members(n)),
            ],
            &["review", "--policy", "policy.rbac", "-m", "members.yaml"],
        )
    }),
    ("diff", [100, 1_000, 10_000], |n| {
        // Every role grants another permission in the new policy.
        let new = matrix_policy(n, 10).replace("{ grant ws.p", "{ grant ws.p1 grant ws.p");
        run(
            vec![("old.rbac", matrix_policy(n, 10)), ("new.rbac", new)],
            &["diff", "old.rbac", "new.rbac"],
        )
    }),
    ("fmt", [100, 1_000, 10_000], |n| {
        run(
            vec![("in.rbac", chains_policy(n))],
            &["fmt", "--check", "in.rbac"],
        )
    }),
    ("graph", [100, 1_000, 10_000], |n| {
        run(vec![("in.rbac", chains_policy(n))], &["graph", "in.rbac"])
    }),
];

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
    for (name, sizes, make) in CASES {
        if !want(name) {
            continue;
        }
        for n in sizes {
            let r = make(*n);
            let mut bytes = 0;
            for (file, text) in &r.files {
                std::fs::write(dir.join(file), text).unwrap();
                bytes += text.len();
            }
            let args: Vec<&str> = r.args.iter().map(String::as_str).collect();
            let m = measure(&bin, &dir, &args, r.stdin.map(|f| dir.join(f)).as_deref());
            println!(
                "| {name} | {n} | {bytes} | {:.2} | {:.1} | {} | {} |",
                m.seconds, m.max_rss_mb, m.out_bytes, m.code
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
