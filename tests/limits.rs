//! Input limits (`src/limits.rs`): each is tested at the limit (accepted)
//! and one past it (refused with its diagnostic), and hostile inputs never
//! overflow the stack: every check here runs on a thread with a 2 MiB stack.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rbacc::internals::limits;
use std::fmt::Write as _;

/// Runs `f` on a thread with a 2 MiB stack (what a test thread or a small
/// embedder gets), so that deep recursion shows as a crash here.
fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no panic, no stack overflow")
}

/// The codes of `rbacc check` on a source.
fn check_codes(source: String) -> Vec<&'static str> {
    small_stack(move || {
        let report = rbacc::check("limits.rbac", &source);
        let _ = report.to_plain_string();
        report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code)
            .collect()
    })
}

/// The codes of parsing and resolving only (for policies too large to
/// analyse quickly in a debug build).
fn resolve_codes(source: String) -> Vec<&'static str> {
    small_stack(move || match rbacc::internals::syntax::parse(&source) {
        Err(errors) => errors
            .iter()
            .map(|e| e.to_diagnostic(rbacc::diagnostic::FileId::default()).code)
            .collect(),
        Ok(ast) => {
            let (_, errors) =
                rbacc::internals::resolve::resolve(&ast, rbacc::diagnostic::FileId::default());
            errors
                .iter()
                .map(|e| e.to_diagnostic(rbacc::diagnostic::FileId::default()).code)
                .collect()
        }
    })
}

const SMALL: &str = "scope workspace \"Workspace\"\n\
    permissions on workspace { workspace.read \"Read\" }\n\
    role viewer on workspace \"Viewer\" { grant workspace.read }\n";

// ------------------------------------------------------------------ policy size

#[test]
fn policy_size_at_and_past_the_limit() {
    let limit = limits::MAX_POLICY_BYTES;
    let mut at = String::from(SMALL);
    at.push_str(&" ".repeat(limit - at.len()));
    assert_eq!(at.len(), limit);
    assert_eq!(check_codes(at.clone()), Vec::<&str>::new());
    at.push(' ');
    let report = small_stack(move || rbacc::check("big.rbac", &at).to_plain_string());
    assert!(report.contains("error[E0005]"), "{report}");
    assert!(
        report.contains(&format!("larger than the limit of {limit} bytes")),
        "{report}"
    );
}

// ------------------------------------------------------------------ nesting

/// A permissions block nested `depth` braces deep.
fn nested_permissions(depth: usize) -> String {
    let mut s = String::from("scope s \"S\"\npermissions on s {\n");
    for i in 1..depth {
        let _ = writeln!(s, "{}s.p{i} \"P\" {{", " ".repeat(i));
    }
    let _ = writeln!(s, "{}s.leaf \"Leaf\"", " ".repeat(depth));
    for i in (0..depth).rev() {
        let _ = writeln!(s, "{}}}", " ".repeat(i));
    }
    s.push_str("role r on s \"R\" { grant s.p1 }\n");
    s
}

#[test]
fn nesting_at_and_past_the_limit() {
    let limit = limits::MAX_NESTING;
    let at = nested_permissions(limit);
    assert_eq!(
        at.matches('{').count() - 1,
        limit,
        "the role block is not nested"
    );
    assert_eq!(check_codes(at), Vec::<&str>::new());
    let past = nested_permissions(limit + 1);
    let text = small_stack(move || rbacc::check("deep.rbac", &past).to_plain_string());
    assert!(text.contains("error[E0004]"), "{text}");
    assert!(
        text.contains(&format!("nested deeper than {limit} levels")),
        "{text}"
    );
}

// ------------------------------------------------------------------ chains

/// `n` roles, each including the next.
fn include_chain(n: usize) -> String {
    let mut s = String::from("scope s \"S\"\npermissions on s { s.read \"Read\" }\n");
    for i in 0..n {
        if i + 1 < n {
            let _ = writeln!(s, "role r{i} on s \"R{i}\" {{ include r{} }}", i + 1);
        } else {
            let _ = writeln!(s, "role r{i} on s \"R{i}\" {{ grant s.read }}");
        }
    }
    s
}

#[test]
fn include_chain_at_and_past_the_limit() {
    let limit = limits::MAX_CHAIN;
    assert_eq!(check_codes(include_chain(limit)), Vec::<&str>::new());
    let text = small_stack(move || {
        rbacc::check("chain.rbac", &include_chain(limit + 1)).to_plain_string()
    });
    assert!(text.contains("error[E0120]"), "{text}");
    assert!(
        text.contains(&format!(
            "chain of {} roles, longer than the limit of {limit}",
            limit + 1
        )),
        "{text}"
    );
}

/// A chain through four scope kinds: `per` roles of includes on each kind,
/// the last of each implying the first of the next kind down.
fn mixed_chain(per: usize, extra: usize) -> String {
    let mut s = String::new();
    for k in 0..4 {
        let parent = if k == 0 {
            String::new()
        } else {
            format!(" in k{}", k - 1)
        };
        let _ = writeln!(s, "scope k{k} \"K{k}\"{parent}");
        let _ = writeln!(s, "permissions on k{k} {{ k{k}.read \"Read\" }}");
    }
    let mut roles: Vec<(usize, String)> = Vec::new();
    for k in 0..4 {
        let n = if k == 3 { per + extra } else { per };
        for i in 0..n {
            roles.push((k, format!("k{k}_r{i}")));
        }
    }
    for (idx, (k, name)) in roles.iter().enumerate() {
        let body = match roles.get(idx + 1) {
            Some((k2, next)) if k2 == k => format!("include {next}"),
            Some((k2, next)) => format!("grant k{k}.read\n  imply {next} on every k{k2}"),
            None => format!("grant k{k}.read"),
        };
        let _ = writeln!(s, "role {name} on k{k} \"{name}\" {{\n  {body}\n}}");
    }
    s
}

#[test]
fn include_and_implication_chain_at_and_past_the_limit() {
    let limit = limits::MAX_CHAIN;
    let per = limit / 4;
    assert_eq!(check_codes(mixed_chain(per, 0)), Vec::<&str>::new());
    assert_eq!(check_codes(mixed_chain(per, 1)), ["E0120"]);
}

#[test]
fn a_chain_of_ten_thousand_roles_is_refused_without_overflow() {
    let codes = resolve_codes(include_chain(limits::MAX_ROLES));
    assert_eq!(codes, ["E0120"]);
}

// ------------------------------------------------------------------ counts

fn many_roles(n: usize) -> String {
    let mut s = String::from(SMALL);
    for i in 0..n.saturating_sub(1) {
        let _ = writeln!(s, "role r{i} on workspace \"R\"");
    }
    s
}

fn many_permissions(n: usize) -> String {
    let mut s = String::from(SMALL);
    s.push_str("permissions on workspace {\n");
    for i in 0..n.saturating_sub(1) {
        let _ = writeln!(s, "  workspace.p{i} \"P\"");
    }
    s.push_str("}\n");
    s
}

#[test]
fn roles_at_and_past_the_limit() {
    assert_eq!(
        resolve_codes(many_roles(limits::MAX_ROLES)),
        Vec::<&str>::new()
    );
    let past = many_roles(limits::MAX_ROLES + 1);
    assert_eq!(resolve_codes(past.clone()), ["E0117"]);
    let text = small_stack(move || rbacc::check("roles.rbac", &past).to_plain_string());
    assert!(
        text.contains(&format!(
            "declares {} roles, more than the limit of {}",
            limits::MAX_ROLES + 1,
            limits::MAX_ROLES
        )),
        "{}",
        text.lines().take(5).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn permissions_at_and_past_the_limit() {
    assert_eq!(
        resolve_codes(many_permissions(limits::MAX_PERMISSIONS)),
        Vec::<&str>::new()
    );
    assert_eq!(
        resolve_codes(many_permissions(limits::MAX_PERMISSIONS + 1)),
        ["E0117"]
    );
}

// ------------------------------------------------------------------ membership data

fn policy() -> rbacc::Policy {
    rbacc::compile("small.rbac", SMALL).unwrap()
}

/// The code and message of loading membership YAML, or `None` if it loads.
fn load(text: String) -> Option<(&'static str, String)> {
    small_stack(move || {
        let policy = policy();
        match rbacc::Members::from_yaml(&policy, "m.yaml", &text) {
            Ok(_) => None,
            Err(report) => {
                let d = report.diagnostics.first().unwrap();
                Some((d.code, report.to_plain_string()))
            }
        }
    })
}

#[test]
fn membership_size_at_and_past_the_limit() {
    let limit = limits::MAX_MEMBERS_BYTES;
    // A file of exactly the limit is read (here it fails on its first line,
    // so that a debug build need not read 256 MiB of YAML); one byte more is
    // refused before reading.
    let mut at = String::from("users: ]\n");
    let line = format!("#{}\n", "x".repeat(1022));
    at.push_str(&line.repeat((limit - at.len()) / line.len()));
    at.push_str(&"#".repeat(limit - at.len()));
    assert_eq!(at.len(), limit);
    let (code, text) = load(at.clone()).unwrap();
    assert_eq!(code, "E0401", "{}", text.lines().next().unwrap_or(""));
    at.push(' ');
    let (code, text) = load(at).unwrap();
    assert_eq!(code, "E0407");
    assert!(
        text.contains(&format!("larger than the limit of {limit} bytes")),
        "{text}"
    );
}

/// `users: []` under a key nested `depth - 1` mappings deep (block style).
fn block_nesting(depth: usize) -> String {
    let mut s = String::new();
    for i in 0..depth {
        let _ = writeln!(s, "{}k{i}:", "  ".repeat(i));
    }
    s
}

/// A top-level key whose value is `depth - 1` nested flow sequences.
fn flow_nesting(depth: usize) -> String {
    format!(
        "users: {}{}\n",
        "[".repeat(depth - 1),
        "]".repeat(depth - 1)
    )
}

#[test]
fn yaml_depth_at_and_past_the_limit() {
    let limit = limits::MAX_YAML_DEPTH;
    for (style, at, past) in [
        ("block", block_nesting(limit), block_nesting(limit + 1)),
        ("flow", flow_nesting(limit), flow_nesting(limit + 1)),
    ] {
        // At the limit the data is refused for its shape, not its depth.
        let (code, text) = load(at).unwrap();
        assert_ne!(code, "E0407", "{style}: {text}");
        let (code, text) = load(past).unwrap();
        assert_eq!(code, "E0407", "{style}: {text}");
        assert!(
            text.contains(&format!("YAML nested deeper than {limit} levels")),
            "{style}: {text}"
        );
    }
    // Flow collections spanning lines, and sequence dashes, count too.
    let lines = format!("users:\n{}", "  [\n".repeat(limit));
    assert_eq!(load(lines).unwrap().0, "E0407");
    let dashes = format!("users:\n  {}x\n", "- ".repeat(limit));
    assert_eq!(load(dashes).unwrap().0, "E0407");
    // Brackets in strings, comments and block scalars do not count.
    let quoted = format!(
        "users: [\"{}\", '{}'] # {}\ngroups:\n  g: []\nedition: |\n  {}\n",
        "[".repeat(100),
        "{".repeat(100),
        "[".repeat(100),
        "[".repeat(100)
    );
    let (code, text) = load(quoted).unwrap();
    assert_eq!(code, "E0408", "{text}"); // the edition, not the depth
}

#[test]
fn yaml_alias_bomb_is_refused_quickly() {
    // Nine levels of nine aliases each: 9^9 strings if expanded. The typed
    // reader stops at the first nested list, before expanding anything.
    let mut s = String::from(
        "groups:\n  a0: &a0 [\"u\", \"u\", \"u\", \"u\", \"u\", \"u\", \"u\", \"u\", \"u\"]\n",
    );
    for i in 1..9 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 9].join(", ");
        let _ = writeln!(s, "  a{i}: &a{i} [{refs}]");
    }
    s.push_str("users: *a8\n");
    let start = std::time::Instant::now();
    let (code, text) = load(s).unwrap();
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    assert!(code == "E0407" || code == "E0401", "{text}");
    // Aliases that expand linearly (a list named by 2,000 groups) load.
    let users: Vec<String> = (0..9).map(|i| format!("u{i}")).collect();
    let mut s = format!("users: &all [{}]\ngroups:\n", users.join(", "));
    for i in 0..2_000 {
        let _ = writeln!(s, "  g{i}: *all");
    }
    assert_eq!(load(s), None);
}

// ------------------------------------------------------------------ hostile inputs

#[test]
fn policy_parsing_never_overflows() {
    let cases: Vec<(&str, String)> = vec![
        ("100,000 nested comments", "/*".repeat(100_000)),
        ("100,000 closed comments", "/**/".repeat(100_000)),
        ("100,000 open braces", "{".repeat(100_000)),
        (
            "100,000 nested blocks",
            "permissions on s {".repeat(100_000),
        ),
        ("100,000 quotes", "\"".repeat(100_000)),
        (
            "1 MB line",
            format!(
                "scope {} \"S\" in {}x",
                "a".repeat(1 << 20),
                "a".repeat(1 << 20)
            ),
        ),
        (
            "1 MB string",
            format!("scope s \"{}\"\n", "x".repeat(1 << 20)),
        ),
        (
            "1 MB of dots",
            format!("role r on s \"R\" {{ grant {} }}", "a.".repeat(1 << 19)),
        ),
        (
            "100,000 commas",
            format!("role r on s \"R\" {{ include {} }}", "a,".repeat(100_000)),
        ),
        (
            "100,000 rank steps",
            format!("rank {}", "a < ".repeat(100_000)),
        ),
    ];
    for (what, source) in cases {
        let start = std::time::Instant::now();
        let codes = check_codes(source);
        let valid = ["100,000 closed comments", "1 MB string"].contains(&what);
        assert_eq!(codes.is_empty(), valid, "{what}: {codes:?}");
        assert!(
            start.elapsed().as_secs() < 60,
            "{what}: {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn yaml_loading_never_overflows() {
    let cases: Vec<(&str, String)> = vec![
        (
            "100,000 brackets on a line",
            format!("users: {}", "[".repeat(100_000)),
        ),
        (
            "100,000 brackets on lines",
            format!("users:\n{}", "[\n".repeat(100_000)),
        ),
        (
            "100,000 braces",
            format!("groups: {}", "{a: ".repeat(100_000)),
        ),
        (
            "100,000 dashes",
            format!("users:\n  {}x\n", "- ".repeat(100_000)),
        ),
        (
            "2,000 indented keys",
            (0..2_000)
                .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                .collect(),
        ),
        (
            "100,000 anchors",
            format!(
                "users: [{}]",
                (0..100_000)
                    .map(|i| format!("&a{i} x"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        (
            "1 MB string",
            format!("users: [\"{}\"]\n", "x".repeat(1 << 20)),
        ),
        ("1 MB key", format!("{}: 1\n", "k".repeat(1 << 20))),
        ("100,000 tags", format!("users: {}x", "!t ".repeat(100_000))),
    ];
    for (what, text) in cases {
        let start = std::time::Instant::now();
        let result = load(text);
        if let Some((code, _)) = &result {
            assert!(code.starts_with("E04"), "{what}: {code}");
        }
        assert!(
            start.elapsed().as_secs() < 60,
            "{what}: {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn huge_query_names_are_refused() {
    small_stack(|| {
        let policy = policy();
        let members = rbacc::Members::from_yaml(
            &policy,
            "m.yaml",
            "users: [ann]\nresources:\n  \"workspace:w\":\n    roles: {ann: viewer}\n",
        )
        .unwrap();
        let authz = rbacc::Authorizer::new(policy, members).unwrap();
        let big = "x".repeat(1 << 20);
        assert_eq!(
            authz.is_allowed("ann", "workspace.read", "workspace:w"),
            Ok(true)
        );
        assert!(authz
            .is_allowed(&big, "workspace.read", "workspace:w")
            .is_err());
        assert!(authz.is_allowed("ann", &big, "workspace:w").is_err());
        assert!(authz.is_allowed("ann", "workspace.read", &big).is_err());
    });
}

// ------------------------------------------------------------------ output

#[test]
fn diagnostics_are_capped_per_file() {
    // One unknown role per line of an `include` list.
    let max = limits::MAX_DIAGNOSTICS;
    let includes = |n: usize| {
        let names: Vec<String> = (0..n).map(|i| format!("missing{i}")).collect();
        format!(
            "scope s \"S\"\nrole r on s \"R\" {{\n  include {}\n}}\n",
            names.join(",\n  ")
        )
    };
    assert_eq!(check_codes(includes(max)).len(), max);
    let at = includes(max + 2);
    let (count, text) = small_stack(move || {
        let report = rbacc::check("many.rbac", &at);
        (report.diagnostics.len(), report.to_plain_string())
    });
    assert_eq!(count, max);
    assert!(
        text.contains(&format!(
            "2 more diagnostics (2 errors) not shown: at most {max} are reported per file"
        )),
        "{}",
        text.lines().rev().take(5).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn long_lines_are_clipped_when_rendered() {
    // 5,000 unknown roles on one 100 KB line: each diagnostic shows a window
    // of the line, not the line.
    let source = format!(
        "scope s \"S\" role r on s \"R\" {{ include {} }}",
        vec!["x"; 50_000].join(",")
    );
    assert!(source.len() > 100_000);
    let text = small_stack(move || rbacc::check("long.rbac", &source).to_plain_string());
    // A few hundred bytes per diagnostic, however long the line.
    assert!(
        text.len() < 500 * limits::MAX_DIAGNOSTICS,
        "{} bytes rendered",
        text.len()
    );
    assert!(text.contains('…'));
    assert!(text.contains("error[E0101]: unknown role `x`"));
    assert!(
        text.contains(&format!(
            "{more} more diagnostics ({more} errors) not shown",
            more = 50_000 - limits::MAX_DIAGNOSTICS
        )),
        "{}",
        text.lines().rev().take(3).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn parser_step_limit_is_a_clear_diagnostic() {
    // A grant list of 4 MB of `a.b,`: within the size limit, past pest's
    // call limit.
    let mut source = String::from("scope s \"S\"\nrole r on s \"R\" { grant ");
    let n = (limits::MAX_POLICY_BYTES - source.len() - 8) / 4;
    source.push_str(&"a.b,".repeat(n));
    source.push_str("a.b }\n");
    assert!(source.len() <= limits::MAX_POLICY_BYTES);
    let text = small_stack(move || rbacc::check("long.rbac", &source).to_plain_string());
    assert!(
        text.contains("error[E0005]: policy too complex to parse"),
        "{}",
        text.lines().take(3).collect::<Vec<_>>().join("\n")
    );
    assert!(text.contains(&format!("stopped after {} steps", limits::PEST_CALL_LIMIT)));
    assert!(text.len() < 10_000, "{} bytes rendered", text.len());
}
