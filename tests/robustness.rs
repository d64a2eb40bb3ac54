//! Hostile inputs: `rbacc check` never panics and always answers with a
//! clear diagnostic (or none), in the library and through the binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{json_codes, rbacc};
use std::fmt::Write as _;

/// Checks a source in the library, returning its codes; a panic fails the test.
fn codes(source: &str) -> Vec<&'static str> {
    let report = rbacc::check("input.rbac", source);
    // Rendering must not panic either, whatever the spans.
    let _ = report.to_plain_string();
    let _ = rbacc::diagnostic::to_json(&report.sources, &report.diagnostics);
    report.diagnostics.iter().map(|d| d.code).collect()
}

/// Runs `rbacc check --format json` on a file with these bytes.
fn check_bytes(bytes: &[u8]) -> (i32, serde_json::Value) {
    let dir = tempdir();
    let path = dir.join("input.rbac");
    std::fs::write(&path, bytes).unwrap();
    let out = rbacc()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

/// A fresh directory under the target directory.
fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "rbacc-robustness-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn empty_file_is_clean() {
    assert!(codes("").is_empty());
    let (status, json) = check_bytes(b"");
    assert_eq!(status, 0);
    assert!(json_codes(&json).is_empty());
}

#[test]
fn lone_brace() {
    assert_eq!(codes("{"), ["E0001"]);
    assert_eq!(codes("}"), ["E0001"]);
    assert_eq!(codes("{}"), ["E0001"]);
}

#[test]
fn ten_thousand_nested_braces() {
    assert_eq!(codes(&"{".repeat(10_000)), ["E0004"]);
    assert_eq!(
        codes(&format!("permissions on s {}", "{".repeat(10_000))),
        ["E0004"]
    );
    // Closed ones too, and closing braces alone.
    assert_eq!(
        codes(&format!("{}{}", "{".repeat(10_000), "}".repeat(10_000))),
        ["E0004"]
    );
    assert_eq!(codes(&"}".repeat(10_000)), ["E0001"]);
}

#[test]
fn ten_thousand_nested_permission_blocks() {
    let mut source = String::from("scope s \"S\"\npermissions on s {\n");
    for i in 0..10_000 {
        write!(source, "s.p{i} \"P\" {{ ").unwrap();
    }
    source.push_str(&"} ".repeat(10_001));
    assert_eq!(codes(&source), ["E0004"]);
}

#[test]
fn deep_but_allowed_nesting_is_fine() {
    let depth = rbacc::internals::limits::MAX_NESTING;
    let mut source = String::from("scope s \"S\"\npermissions on s {\n");
    for i in 1..depth {
        write!(source, "s.p{i} \"P\" {{ ").unwrap();
    }
    source.push_str("s.leaf \"Leaf\" ");
    source.push_str(&"} ".repeat(depth));
    source.push_str("\nrole r on s \"R\" { grant * }\n");
    let errors: Vec<_> = codes(&source)
        .into_iter()
        .filter(|c| c.starts_with('E'))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn invalid_utf8_is_e0006_through_the_cli() {
    let (status, json) = check_bytes(b"scope s \"caf\xe9\"\n");
    assert_eq!(status, 1);
    assert_eq!(json_codes(&json), ["E0006"]);
    let d = &json["diagnostics"][0];
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(13))
    );
    // Lone continuation bytes, a truncated sequence at the end, and a file of
    // nothing but invalid bytes.
    for bytes in [
        &b"\x80\x80\x80"[..],
        b"scope s \"S\"\n\xf0\x9f",
        b"\xff\xfe\x00s",
    ] {
        let (status, json) = check_bytes(bytes);
        assert_eq!((status, json_codes(&json)), (1, vec!["E0006".to_string()]));
    }
}

#[test]
fn invalid_utf8_human_output() {
    let dir = tempdir();
    let path = dir.join("latin1.rbac");
    std::fs::write(&path, b"scope s \"caf\xe9\"\n").unwrap();
    let out = rbacc().arg("check").arg(&path).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("error[E0006]: file is not valid UTF-8"),
        "{stderr}"
    );
}

#[test]
fn five_mib_file_is_e0005() {
    let line = "// padding padding padding padding padding padding padding\n";
    let source = line.repeat(5 * 1024 * 1024 / line.len() + 1);
    assert_eq!(codes(&source), ["E0005"]);
    let (status, json) = check_bytes(source.as_bytes());
    assert_eq!(status, 1);
    assert_eq!(json_codes(&json), ["E0005"]);
}

#[test]
fn huge_numbers() {
    let base = "scope s \"S\"\nrole r on s \"R\"\nbootstrap first N users of s as r\n";
    for n in [
        "4294967296",
        "99999999999999999999999999999999999999",
        &"9".repeat(100_000),
    ] {
        assert_eq!(
            codes(&base.replace('N', n)),
            ["E0003"],
            "{}",
            &n[..n.len().min(40)]
        );
    }
    assert_eq!(codes(&base.replace('N', "-1")), ["E0001"]);
}

#[test]
fn nul_bytes() {
    assert_eq!(codes("\0"), ["E0001"]);
    assert_eq!(codes("scope s \"S\"\n\0\n"), ["E0001"]);
    assert_eq!(codes(&"\0".repeat(10_000)), ["E0001"]);
    let text = rbacc::check("nul.rbac", "scope s\0 \"S\"").to_plain_string();
    assert!(text.contains("character U+0000"), "{text}");
    // Through the binary as well.
    let (status, json) = check_bytes(b"scope s \"S\"\n\0");
    assert_eq!((status, json_codes(&json)), (1, vec!["E0001".to_string()]));
}

#[test]
fn control_characters_and_odd_whitespace() {
    for source in [
        "scope s \"S\"\u{7}",
        "scope\u{a0}s \"S\"",
        "scope s \"S\"\u{2028}",
        "\u{FEFF}\u{FEFF}scope s \"S\"",
        "scope s \"S\"\r",
        "\r\r\r",
    ] {
        let _ = codes(source);
    }
}

#[test]
fn unterminated_things_at_the_end() {
    for source in [
        "\"",
        "scope s \"",
        "scope s \"\\",
        "scope s \"\\u{",
        "scope s \"\\u{1F600",
        "/*",
        "/* /* */ */",
        "scope s \"S\" /",
        "role r on s \"R\" { grant a.",
        "role r on s \"R\" { grant a.*,",
        "rank a <",
        "policy",
    ] {
        let found = codes(source);
        assert!(
            !found.is_empty() && found.iter().all(|c| *c == "E0001" || *c == "E0002"),
            "{source:?}: {found:?}"
        );
    }
}

#[test]
fn long_lines_and_names() {
    let name = "a".repeat(1_000_000);
    let source = format!("scope {name} \"S\"\nrole r on {name}x \"R\"\n");
    assert_eq!(codes(&source), ["E0101"]);
    let desc = "é".repeat(1_000_000);
    let source = format!("scope s \"{desc}\"\n");
    assert!(codes(&source).is_empty());
}

#[test]
fn many_errors_are_all_reported() {
    let mut source = String::from("scope s \"S\"\n");
    for i in 0..2_000 {
        writeln!(source, "role r{i} on nowhere \"R\"").unwrap();
    }
    let found = codes(&source);
    assert_eq!(found.len(), 2_000);
    assert!(found.iter().all(|c| *c == "E0101"));
}

#[test]
fn long_include_chain_does_not_overflow() {
    let mut source = String::from(
        "scope s \"S\"\npermissions on s { s.a \"A\" }\nrole r0 on s \"R\" { grant s.a }\n",
    );
    for i in 1..5_000 {
        writeln!(source, "role r{i} on s \"R\" {{ include r{} }}", i - 1).unwrap();
    }
    let found = codes(&source);
    assert!(found
        .iter()
        .all(|c| c.starts_with('E') || c.starts_with('W')));
    // A cycle through all of them is named in full.
    source.push_str("role r_close on s \"R\"\n");
    let cyclic = source.replace(
        "role r0 on s \"R\" { grant s.a }",
        "role r0 on s \"R\" { include r4999 }",
    );
    let report = rbacc::check("cycle.rbac", &cyclic);
    let cycle = report
        .diagnostics
        .iter()
        .find(|d| d.code == "E0104")
        .expect("a cycle error");
    assert!(
        cycle.message.contains("r0 -> r4999 -> r4998"),
        "{}",
        &cycle.message[..200.min(cycle.message.len())]
    );
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
}

#[test]
fn token_soup_never_panics() {
    let tokens = [
        "scope",
        "role",
        "permissions",
        "on",
        "in",
        "every",
        "imply",
        "implies",
        "include",
        "grant",
        "rank",
        "at",
        "most",
        "exactly",
        "one",
        "of",
        "per",
        "default",
        "bootstrap",
        "first",
        "users",
        "as",
        "edition",
        "without",
        "roles",
        "rbac",
        "fallback",
        "groups",
        "upgrade",
        "prune",
        "downgrade",
        "assert",
        "only",
        "can",
        "never",
        "exclusive",
        "allow",
        "escalation",
        "because",
        "lint",
        "warn",
        "deny",
        "policy",
        "assigns",
        "configurable",
        "off",
        "description",
        "{",
        "}",
        ",",
        ".",
        "*",
        "<",
        ">",
        "->",
        "\"",
        "\"x\"",
        "\"\\u{1F600}\"",
        "\\",
        "s",
        "r",
        "s.a",
        "s.*",
        "0",
        "1",
        "4294967296",
        "//",
        "/*",
        "*/",
        "\n",
        "é",
        "\0",
        ";",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3_000 {
        let len = rng.below(40);
        let mut source = String::new();
        for _ in 0..len {
            source.push_str(tokens[rng.below(tokens.len())]);
            source.push(if rng.below(4) == 0 { '\n' } else { ' ' });
        }
        let _ = codes(&source);
    }
}

#[test]
fn mutated_examples_never_panic() {
    let base = include_str!("../examples/saas.rbac");
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let chars: Vec<char> = base.chars().collect();
    for _ in 0..300 {
        let mut mutated = chars.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(mutated.len());
            match rng.below(3) {
                0 => {
                    mutated.remove(at);
                }
                1 => mutated.insert(
                    at,
                    ['{', '}', '"', '*', '.', ',', 'x', '\n', '\\'][rng.below(9)],
                ),
                _ => {
                    let end = (at + rng.below(50)).min(mutated.len());
                    mutated.drain(at..end);
                }
            }
        }
        let source: String = mutated.into_iter().collect();
        let _ = codes(&source);
    }
}
