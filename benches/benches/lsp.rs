//! Re-check latency of `rbacc lsp`: what the server does on every edit of
//! a 1,000-line policy (`Document::check`: parse, resolve, compile, analyse,
//! the name index). `cargo bench -p rbacc-bench --bench lsp`.

use criterion::{criterion_group, criterion_main, Criterion};
use rbacc::internals::lsp::{Document, Encoding};
use std::fmt::Write;
use std::hint::black_box;
use std::time::Duration;

/// A generated policy of about `lines` lines: three nested scope kinds,
/// grouped permissions with `implies` and `assigns`, ranked roles that
/// include each other, configurable grants, assertions.
fn policy(lines: usize) -> String {
    let mut s = String::from("policy generated \"Generated\"\n");
    let scopes = ["organization", "project", "environment"];
    s.push_str("scope organization \"Organization\"\n");
    s.push_str("scope project \"Project\" in organization\n");
    s.push_str("scope environment \"Environment\" in project\n");
    // Each unit is 24 lines: a permission group of 4 and 4 roles.
    let units = lines / 25;
    for u in 0..units {
        let scope = scopes[u % scopes.len()];
        let _ = writeln!(s, "permissions on {scope} {{");
        let _ = writeln!(s, "  {scope}.g{u}.admin \"Administer area {u}\" {{");
        for p in 0..4 {
            let _ = writeln!(s, "    {scope}.g{u}.p{p} \"Action {p} of area {u}\"");
        }
        let _ = writeln!(s, "    assigns r{u}_viewer, r{u}_editor");
        let _ = writeln!(s, "  }}");
        let _ = writeln!(s, "}}");
        let _ = writeln!(s, "role r{u}_viewer on {scope} \"Viewer {u}\" {{");
        let _ = writeln!(s, "  grant {scope}.g{u}.p0, {scope}.g{u}.p1");
        let _ = writeln!(s, "}}");
        let _ = writeln!(s, "role r{u}_editor on {scope} \"Editor {u}\" {{");
        let _ = writeln!(s, "  include r{u}_viewer");
        let _ = writeln!(s, "  grant {scope}.g{u}.p2 configurable default on");
        let _ = writeln!(s, "}}");
        let _ = writeln!(s, "role r{u}_admin on {scope} \"Admin {u}\" {{");
        let _ = writeln!(s, "  description \"Everything in area {u}\"");
        let _ = writeln!(s, "  include r{u}_editor");
        let _ = writeln!(s, "  grant {scope}.g{u}.admin");
        let _ = writeln!(s, "}}");
        let _ = writeln!(
            s,
            "role r{u}_auditor on {scope} \"Auditor {u}\" {{ grant {scope}.g{u}.p0 }}"
        );
        let _ = writeln!(
            s,
            "allow escalation r{u}_admin -> r{u}_editor because \"admins manage editors\""
        );
        let _ = writeln!(s, "assert r{u}_viewer never {scope}.g{u}.p3");
    }
    s
}

fn recheck(c: &mut Criterion) {
    let clean = policy(1000);
    let n_lines = clean.lines().count();
    let doc = Document::check("gen.rbac", clean.clone(), Encoding::Utf16);
    assert!(doc.policy.is_some(), "the generated policy compiles");
    assert!(
        doc.diagnostics.iter().all(|d| !d.is_error()),
        "the generated policy is clean: {:?}",
        doc.diagnostics.first()
    );
    // A typo as one types: an unknown role (resolution fails).
    let typo = clean.replacen("include r3_viewer", "include r3_viewr", 1);
    assert!(Document::check("gen.rbac", typo.clone(), Encoding::Utf16)
        .diagnostics
        .iter()
        .any(|d| d.is_error()));
    // A half-typed line (parsing fails).
    let broken = clean.replacen("grant organization.g0.admin", "grant organization.g0.", 1);
    assert!(Document::check("gen.rbac", broken.clone(), Encoding::Utf16)
        .ast
        .is_none());

    let mut g = c.benchmark_group(format!("lsp_recheck_{n_lines}_lines"));
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    for (name, text) in [
        ("clean", clean),
        ("unknown_role", typo),
        ("parse_error", broken),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| Document::check("gen.rbac", black_box(text.clone()), Encoding::Utf16))
        });
    }
    g.finish();
}

criterion_group!(benches, recheck);
criterion_main!(benches);
