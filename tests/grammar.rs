//! Grammar tests: single rules with pest's `parses_to!` and `fails_with!`,
//! and whole files through `rbacc::internals::syntax::parse` (escapes, Unicode,
//! comments, CRLF, BOM, keywords used as names).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pest::{consumes_to, fails_with, parses_to};
use rbacc::internals::syntax::ast::{Decl, Pattern, PolicyFile};
use rbacc::internals::syntax::parser::{PolicyParser, Rule};
use rbacc::internals::syntax::{parse, ParseError};

fn ok(source: &str) -> PolicyFile {
    match parse(source) {
        Ok(file) => file,
        Err(errors) => panic!("{source:?} should parse, got {errors:?}"),
    }
}

fn err(source: &str) -> Vec<ParseError> {
    match parse(source) {
        Ok(file) => panic!("{source:?} should not parse, got {file:?}"),
        Err(errors) => errors,
    }
}

/// The display name of the first `scope` declaration.
fn scope_name(source: &str) -> String {
    match ok(source).decls.first() {
        Some(Decl::Scope(s)) => s.name.value.clone(),
        other => panic!("expected a scope, got {other:?}"),
    }
}

// ---------------------------------------------------------------- lexical rules

#[test]
fn ident_rule() {
    parses_to! { parser: PolicyParser, input: "_a-b1", rule: Rule::ident, tokens: [ident(0, 5)] };
    parses_to! { parser: PolicyParser, input: "workspace_admin", rule: Rule::ident, tokens: [ident(0, 15)] };
    fails_with! { parser: PolicyParser, input: "1abc", rule: Rule::ident, positives: vec![Rule::ident], negatives: vec![], pos: 0 };
    fails_with! { parser: PolicyParser, input: "-abc", rule: Rule::ident, positives: vec![Rule::ident], negatives: vec![], pos: 0 };
}

#[test]
fn perm_id_rule() {
    parses_to! { parser: PolicyParser, input: "workspace.dags.view", rule: Rule::perm_id, tokens: [perm_id(0, 19)] };
    parses_to! { parser: PolicyParser, input: "app", rule: Rule::perm_id, tokens: [perm_id(0, 3)] };
}

#[test]
fn pattern_rule() {
    parses_to! {
        parser: PolicyParser, input: "workspace.*", rule: Rule::pattern,
        tokens: [pattern(0, 11, [wildcard(0, 11, [perm_id(0, 9), dot(9, 10), star(10, 11)])])]
    };
    parses_to! { parser: PolicyParser, input: "*", rule: Rule::pattern, tokens: [pattern(0, 1, [star(0, 1)])] };
    parses_to! {
        parser: PolicyParser, input: "workspace.view", rule: Rule::pattern,
        tokens: [pattern(0, 14, [perm_id(0, 14)])]
    };
}

#[test]
fn string_rule() {
    parses_to! {
        parser: PolicyParser, input: r#""a\n""#, rule: Rule::string,
        tokens: [string(0, 5, [quote(0, 1), string_inner(1, 4), quote(4, 5)])]
    };
    parses_to! {
        parser: PolicyParser, input: r#""""#, rule: Rule::string,
        tokens: [string(0, 2, [quote(0, 1), string_inner(1, 1), quote(1, 2)])]
    };
    fails_with! { parser: PolicyParser, input: "\"abc\ndef\"", rule: Rule::string, positives: vec![Rule::quote], negatives: vec![], pos: 4 };
}

#[test]
fn escape_rule() {
    for input in [r#"\""#, r"\\", r"\n", r"\t", r"\r", r"\u{1F600}", r"\u{0}"] {
        parses_to! { parser: PolicyParser, input: input, rule: Rule::escape, tokens: [escape(0, input.len())] };
    }
    fails_with! { parser: PolicyParser, input: r"\q", rule: Rule::escape, positives: vec![Rule::escape], negatives: vec![], pos: 0 };
    fails_with! { parser: PolicyParser, input: r"\u{}", rule: Rule::escape, positives: vec![Rule::escape], negatives: vec![], pos: 0 };
    fails_with! { parser: PolicyParser, input: r"\u{1234567}", rule: Rule::escape, positives: vec![Rule::escape], negatives: vec![], pos: 0 };
}

#[test]
fn keywords_do_not_run_on_into_names() {
    parses_to! { parser: PolicyParser, input: "role", rule: Rule::kw_role, tokens: [kw_role(0, 4)] };
    fails_with! { parser: PolicyParser, input: "roles", rule: Rule::kw_role, positives: vec![Rule::kw_role], negatives: vec![], pos: 0 };
    fails_with! { parser: PolicyParser, input: "on_call", rule: Rule::kw_on, positives: vec![Rule::kw_on], negatives: vec![], pos: 0 };
    fails_with! { parser: PolicyParser, input: "in-house", rule: Rule::kw_in, positives: vec![Rule::kw_in], negatives: vec![], pos: 0 };
}

#[test]
fn wildcard_is_written_without_spaces() {
    fails_with! { parser: PolicyParser, input: "workspace. *", rule: Rule::wildcard, positives: vec![Rule::star], negatives: vec![], pos: 10 };
    assert!(parse(
        "scope w \"W\" permissions on w { w.a \"A\" } role r on w \"R\" { grant w . * }"
    )
    .is_err());
}

#[test]
fn rank_rule_directions() {
    parses_to! {
        parser: PolicyParser, input: "rank a < b", rule: Rule::rank_decl,
        tokens: [rank_decl(0, 10, [kw_rank(0, 4), ident(5, 6), ascending(7, 10, [lt(7, 8), ident(9, 10)])])]
    };
    fails_with! { parser: PolicyParser, input: "rank a", rule: Rule::rank_decl, positives: vec![Rule::lt, Rule::gt], negatives: vec![], pos: 6 };
}

// ---------------------------------------------------------------- strings

#[test]
fn string_escapes_are_decoded() {
    let name = scope_name(r#"scope s "q\"b\\n\nt\tr\ru\u{1F600}e\u{e9}""#);
    assert_eq!(name, "q\"b\\n\nt\tr\ru\u{1F600}e\u{e9}");
}

#[test]
fn bad_escapes_are_e0002() {
    for source in [
        r#"scope s "\q""#,
        r#"scope s "\u{110000}""#,
        r#"scope s "\u{D800}""#,
        r#"scope s "\u{1F600""#,
    ] {
        let errors = err(source);
        assert!(
            matches!(errors.as_slice(), [ParseError::BadEscape { .. }]),
            "{source}: {errors:?}"
        );
    }
}

#[test]
fn unicode_in_strings_and_descriptions() {
    let source = "policy p \"Política — 访问 🔐\"\n\
        scope espace \"Espace ✨\"\n\
        permissions on espace { espace.lire \"Lire « tout » 日本語\" }\n\
        role lecteur on espace \"Lecteur 📖\" { description \"Ne peut pas écrire 🙅\" }\n";
    let file = ok(source);
    let texts: Vec<String> = file
        .decls
        .iter()
        .flat_map(|d| match d {
            Decl::Policy(p) => vec![p.name.value.clone()],
            Decl::Scope(s) => vec![s.name.value.clone()],
            Decl::Permissions(p) => p
                .entries
                .iter()
                .map(|e| e.description.value.clone())
                .collect(),
            Decl::Role(r) => {
                let mut v = vec![r.name.value.clone()];
                v.extend(r.description.iter().map(|t| t.value.clone()));
                v
            }
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(
        texts,
        [
            "Política — 访问 🔐",
            "Espace ✨",
            "Lire « tout » 日本語",
            "Lecteur 📖",
            "Ne peut pas écrire 🙅"
        ]
    );
    // Spans are byte offsets into the source.
    let Some(Decl::Role(role)) = file.decls.get(3) else {
        panic!("expected a role");
    };
    let span = role.id.span;
    assert_eq!(&source[span.start as usize..span.end as usize], "lecteur");
}

#[test]
fn empty_strings_are_allowed() {
    assert_eq!(scope_name(r#"scope s """#), "");
}

// ---------------------------------------------------------------- comments and layout

#[test]
fn comments() {
    let source = "// a line comment\n\
        scope /* inline */ workspace \"W\" // trailing\n\
        /* a block\n   over lines { with a brace */\n\
        permissions on workspace {\n  // inside a block\n  workspace.view \"View // not a comment /* nor this */\"\n}\n\
        // the last line has no newline";
    let file = ok(source);
    assert_eq!(file.decls.len(), 2);
    let Some(Decl::Permissions(p)) = file.decls.get(1) else {
        panic!("expected permissions");
    };
    assert_eq!(
        p.entries.first().map(|e| e.description.value.as_str()),
        Some("View // not a comment /* nor this */")
    );
}

#[test]
fn empty_and_blank_files_parse() {
    for source in [
        "",
        "\n",
        "  \t\r\n",
        "// only a comment",
        "/* only a comment */",
        "\u{FEFF}",
    ] {
        assert!(ok(source).decls.is_empty(), "{source:?}");
    }
}

#[test]
fn crlf_line_endings() {
    let lf = "scope workspace \"W\"\npermissions on workspace {\n  workspace.view \"View\" // c\n}\nrole viewer on workspace \"Viewer\" {\n  grant workspace.view\n}\n";
    let crlf = lf.replace('\n', "\r\n");
    let a = ok(lf);
    let b = ok(&crlf);
    assert_eq!(a.decls.len(), b.decls.len());
    // Diagnostics count lines the same way with either ending.
    let bad = crlf.replace("grant workspace.view", "grant workspace.veiw");
    let report = rbacc::check("crlf.rbac", &bad);
    let json = rbacc::diagnostic::to_json(&report.sources, &report.diagnostics);
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "E0101");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(6), Some(9))
    );
    assert_eq!(d["end_column"].as_u64(), Some(23));
    // A string does not run across a CRLF either.
    assert!(parse("scope w \"W\r\n\"").is_err());
}

#[test]
fn byte_order_mark() {
    assert_eq!(scope_name("\u{FEFF}scope s \"S\""), "S");
    let report = rbacc::check("bom.rbac", "\u{FEFF}scope s \"S\"\nrole r on t \"R\"\n");
    let json = rbacc::diagnostic::to_json(&report.sources, &report.diagnostics);
    assert_eq!(json["diagnostics"][0]["line"].as_u64(), Some(2));
}

#[test]
fn whitespace_is_free() {
    let dense =
        "scope w\"W\"permissions on w{w.a\"A\"{w.b\"B\"}}role r on w\"R\"{grant w.a,w.*}rank r";
    assert!(parse(dense).is_err(), "a rank needs at least two roles");
    let dense = "scope w\"W\"permissions on w{w.a\"A\"{w.b\"B\"}}role r on w\"R\"{grant w.a,w.*}";
    let file = ok(dense);
    let Some(Decl::Role(r)) = file.decls.get(2) else {
        panic!("expected a role");
    };
    assert_eq!(r.grants.first().map(|g| g.patterns.len()), Some(2));
    let spaced = "scope\tw\n\n\"W\"\n\npermissions\non\tw\n{\nw.a\n\"A\"\n}\n";
    assert_eq!(ok(spaced).decls.len(), 2);
}

// ---------------------------------------------------------------- names

#[test]
fn keywords_as_names() {
    let source = r#"
        scope scope "Scope"
        scope role "Role" in scope
        scope every "Every" in role
        permissions on role { role.grant "Grant" { role.include "Include" } }
        role grant on role "Grant" { grant role.grant }
        role include on role "Include" { include grant }
        role on on scope "On" { imply include on every role }
        role default on every "Default"
        rank grant < include
        at most one of grant, include per role default grant
        bootstrap first 1 users of role as include
        edition edition "Edition" without rbac fallback grant
        assert only grant, include can role.grant
        assert include never role.include
        assert exclusive grant, include
    "#;
    let file = ok(source);
    assert_eq!(file.decls.len(), 15);
    let report = rbacc::check("keywords.rbac", source);
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert!(
        !codes
            .iter()
            .any(|c| c.starts_with("E00") || c.starts_with("E01")),
        "{codes:?}"
    );
}

#[test]
fn names_that_start_with_keywords() {
    let source = "scope onboarding \"O\"\nscope inbox \"I\" in onboarding\n\
        role roleplay on inbox \"R\" { grant * }\nrole granted on onboarding \"G\" { include_x_not_a_keyword_here }";
    // `include_x_not_a_keyword_here` is a name, not `include`: the block has no such item.
    assert!(parse(source).is_err());
    let source = "scope onboarding \"O\"\nscope inbox \"I\" in onboarding\n\
        role roleplay on inbox \"R\"\nrole granted on onboarding \"G\" { imply roleplay on every inbox }";
    let file = ok(source);
    assert_eq!(file.decls.len(), 4);
}

#[test]
fn non_ascii_names_are_rejected() {
    let errors = err("scope café \"Café\"");
    assert!(
        matches!(errors.as_slice(), [ParseError::Syntax { .. }]),
        "{errors:?}"
    );
}

// ---------------------------------------------------------------- declarations

#[test]
fn grants_and_wildcards() {
    let file = ok("role r on w \"R\" { grant *, w.*, w.a.b configurable default off grant w.c }");
    let Some(Decl::Role(r)) = file.decls.first() else {
        panic!("expected a role");
    };
    let first = r.grants.first().unwrap();
    assert!(matches!(
        first.patterns.as_slice(),
        [Pattern::All(_), Pattern::Prefix(p), Pattern::Exact(e)] if p.name == "w" && e.name == "w.a.b"
    ));
    assert_eq!(first.configurable, Some(false));
    assert_eq!(r.grants.get(1).and_then(|g| g.configurable), None);
}

#[test]
fn rank_is_stored_weakest_first() {
    let file = ok("rank c > b > a rank x < y");
    let ranks: Vec<(Vec<&str>, bool)> = file
        .decls
        .iter()
        .filter_map(|d| match d {
            Decl::Rank(r) => Some((
                r.ascending.iter().map(|i| i.name.as_str()).collect(),
                r.written_descending,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        ranks,
        [(vec!["a", "b", "c"], true), (vec!["x", "y"], false)]
    );
}

#[test]
fn bootstrap_counts() {
    let count = |s: &str| match ok(s).decls.first() {
        Some(Decl::Bootstrap(b)) => b.count,
        other => panic!("{other:?}"),
    };
    assert_eq!(count("bootstrap first 1 user of s as r"), 1);
    assert_eq!(count("bootstrap first 007 users of s as r"), 7);
    assert_eq!(
        count("bootstrap first 4294967295 users of s as r"),
        u32::MAX
    );
    let errors = err("bootstrap first 4294967296 users of s as r");
    assert!(
        matches!(errors.as_slice(), [ParseError::BadNumber { .. }]),
        "{errors:?}"
    );
}

#[test]
fn nesting_limit() {
    let limit = rbacc::internals::limits::MAX_NESTING;
    let nested = |depth: usize| {
        let mut s = String::from("permissions on w {");
        for i in 1..depth {
            s.push_str(&format!(" w.p{i} \"P\" {{"));
        }
        s.push_str(&" }".repeat(depth));
        s
    };
    ok(&nested(limit));
    let errors = err(&nested(limit + 1));
    assert!(
        matches!(errors.as_slice(), [ParseError::TooDeep { .. }]),
        "{errors:?}"
    );
    // Braces in strings and comments do not count.
    let quoted = format!(
        "scope w \"{}\" // {}\n/* {} */",
        "{".repeat(100),
        "{".repeat(100),
        "{".repeat(100)
    );
    ok(&quoted);
}

#[test]
fn a_comment_before_the_configurable_switch_does_not_flip_it() {
    // Found by tests/fmt.rs's generated layouts: the switch was read from the
    // clause's text, so `default /*x*/on` read as off.
    for (source, on) in [
        (
            "role a on o \"A\" { grant x configurable default on }",
            true,
        ),
        (
            "role a on o \"A\" { grant x configurable default/*x*/on }",
            true,
        ),
        (
            "role a on o \"A\" { grant x configurable default //x\non }",
            true,
        ),
        (
            "role a on o \"A\" { grant x configurable default/*on*/off }",
            false,
        ),
    ] {
        let file = ok(source);
        let Some(Decl::Role(role)) = file.decls.first() else {
            panic!("{source}");
        };
        assert_eq!(role.grants[0].configurable, Some(on), "{source}");
    }
}
