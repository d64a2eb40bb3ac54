//! Every `help:` line that proposes code is applied and the result checked
//! again: it parses (never E0001), and the diagnostic it fixes is gone
//! (the policy is clean, or the next error shows). Also: a typo in a role
//! header is one error, not a cascade.
//!
//! Two kinds of proposals: the edits a resolve error carries
//! (`ResolveError::fix`: a name for a typo, `imply` for `include`, …) and
//! declarations a help line says to add (`add \`allow escalation …\``,
//! `add \`lint … allow\``), appended to the file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{rbac_files, root};
use rbacc::diagnostic::{Diagnostic, FileId};

fn messages(source: &str) -> Vec<Diagnostic> {
    rbacc::check("fixed.rbac", source).diagnostics
}

fn count(ds: &[Diagnostic], d: &Diagnostic) -> usize {
    ds.iter()
        .filter(|x| x.code == d.code && x.message == d.message)
        .count()
}

/// Applies `fixed` (the source after a proposal) and checks the rules.
fn check_applied(name: &str, before: &[Diagnostic], fixed_diag: &Diagnostic, fixed: &str) {
    let after = messages(fixed);
    assert!(
        !after.iter().any(|d| d.code == "E0001"),
        "{name}: applying the help of {} ({:?}) gives a syntax error:\n{fixed}\n{after:#?}",
        fixed_diag.code,
        fixed_diag.help
    );
    assert!(
        count(&after, fixed_diag) < count(before, fixed_diag),
        "{name}: applying the help of {} ({:?}) does not fix it:\n{fixed}",
        fixed_diag.code,
        fixed_diag.help
    );
}

/// A declaration a help line proposes to add: ``add `lint …` `` or
/// ``add `allow escalation …` ``.
fn proposed_declaration(help: &str) -> Option<&str> {
    let at = help.find("add `")? + "add `".len();
    let code = &help[at..];
    let code = &code[..code.find('`')?];
    (code.starts_with("allow escalation") || code.starts_with("lint ")).then_some(code)
}

/// Returns how many proposals were applied.
fn apply_every_help(name: &str, source: &str) -> usize {
    let ast = match rbacc::internals::syntax::parse(source) {
        Ok(ast) => ast,
        Err(errors) => return apply_parse_fixes(name, source, &errors),
    };
    let before = messages(source);
    let mut applied = 0;
    let (_, errors) = rbacc::internals::resolve::resolve(&ast, FileId::default());
    for e in &errors {
        let diag = e.to_diagnostic(FileId::default());
        if let Some(fix) = e.fix() {
            check_applied(name, &before, &diag, &fix.apply(source));
            applied += 1;
        }
    }
    for d in &before {
        let Some(code) = d.help.as_deref().and_then(proposed_declaration) else {
            continue;
        };
        // `…` stands for the reason the author writes.
        let code = code.replace('…', "intended");
        check_applied(name, &before, d, &format!("{source}\n{code}\n"));
        applied += 1;
    }
    applied
}

/// A parse error's proposal (a keyword for a misspelt word, a `;`
/// removed): applied, the file must not fail at the same place again.
fn apply_parse_fixes(
    name: &str,
    source: &str,
    errors: &[rbacc::internals::syntax::ParseError],
) -> usize {
    let mut applied = 0;
    for e in errors {
        let Some(fix) = e.fix() else { continue };
        let before = e.to_diagnostic(FileId::default());
        let fixed = fix.apply(source);
        let after = match rbacc::internals::syntax::parse(&fixed) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .iter()
                .map(|e| e.to_diagnostic(FileId::default()))
                .collect(),
        };
        let at = before.labels[0].span;
        assert!(
            !after.iter().any(
                |d| d.labels.first().is_some_and(|l| l.span.start == at.start)
                    && d.message == before.message
            ),
            "{name}: applying {:?} leaves the same syntax error:\n{fixed}",
            before.help
        );
        applied += 1;
    }
    applied
}

#[test]
fn every_help_that_proposes_code_compiles_when_applied() {
    let mut files = Vec::new();
    for dir in ["tests", "policies", "examples"] {
        rbac_files(&root().join(dir), &mut files);
    }
    let mut applied = 0;
    for path in files {
        let Ok(source) = std::fs::read_to_string(&path) else {
            continue;
        };
        applied += apply_every_help(&path.display().to_string(), &source);
    }
    assert!(applied >= 20, "only {applied} proposals applied");
}

#[test]
fn a_misspelt_keyword_and_a_stray_semicolon_are_fixed_by_their_help() {
    let typo = "scope o \"O\"\nrole a on o \"A\" {\n  grnt x\n}\n";
    let errors = rbacc::internals::syntax::parse(typo).unwrap_err();
    let fix = errors[0].fix().expect("a proposal");
    assert_eq!(fix.apply(typo), typo.replace("grnt", "grant"));
    let semi = "scope o \"O\";\nscope p \"P\" in o\n";
    let errors = rbacc::internals::syntax::parse(semi).unwrap_err();
    let fix = errors[0].fix().expect("a proposal");
    let fixed = fix.apply(semi);
    assert_eq!(fixed, semi.replace(';', ""));
    assert!(rbacc::check("semi.rbac", &fixed).diagnostics.is_empty());
    assert_eq!(apply_every_help("typo", typo), 1);
}

const HEADER: &str = r#"scope organization "Organization"
scope repository "Repository" in organization
permissions on organization {
  organization.view "View"
}
permissions on repository {
  repository.read "Read"
  repository.write "Write"
}
role organization_member on organization "Member" {
  grant organization.view
}
"#;

fn one_error(source: &str) -> Diagnostic {
    let ds = messages(source);
    assert_eq!(ds.len(), 1, "{source}\n{ds:#?}");
    ds.into_iter().next().unwrap()
}

#[test]
fn an_unknown_scope_in_a_role_header_is_one_error_with_the_closest_scope() {
    let source = format!(
        "{HEADER}{}",
        r#"role repo_read on repo "Read" {
  grant repository.read
}
role repo_write on repository "Write" {
  include repo_read
  grant repository.write
}
role organization_owner on organization "Owner" {
  include organization_member
  imply repo_write on every repository
}
rank repo_read < repo_write
at most one of repo_read, repo_write per repository
"#
    );
    let d = one_error(&source);
    assert_eq!(d.code, "E0101");
    assert_eq!(d.message, "unknown scope `repo`");
    assert_eq!(d.labels[0].message, "did you mean `repository`?");
    apply_every_help("repo typo", &source);
    assert!(messages(&source.replace("on repo \"", "on repository \"")).is_empty());
}

#[test]
fn an_unknown_scope_with_no_close_one_is_still_one_error() {
    let source = format!(
        "{HEADER}{}",
        r#"role repo_read on zzzz "Read" {
  grant repository.read
}
role repo_write on repository "Write" {
  include repo_read
}
rank repo_read < repo_write
"#
    );
    let d = one_error(&source);
    assert_eq!(d.message, "unknown scope `zzzz`");
    assert_eq!(d.help, None);
}

#[test]
fn e0107_in_a_role_proposes_include() {
    let source = format!(
        "{HEADER}{}",
        r#"role owner on organization "Owner" {
  imply organization_member on every organization
}
"#
    );
    let d = one_error(&source);
    assert_eq!(d.code, "E0107");
    assert_eq!(
        d.help.as_deref(),
        Some("for a role of the same scope kind, write `include organization_member` instead")
    );
    assert_eq!(apply_every_help("E0107", &source), 1);
    let fixed = source.replace(
        "imply organization_member on every organization",
        "include organization_member",
    );
    assert!(!messages(&fixed).iter().any(Diagnostic::is_error));
}

#[test]
fn e0107_in_a_permission_block_proposes_no_role_item() {
    let source = format!(
        "{HEADER}{}",
        r#"permissions on repository {
  repository.admin "Admin" {
    implies repo_admin on every repository
  }
}
role repo_admin on repository "Admin" {
  grant repository.admin
}
"#
    );
    let d = one_error(&source);
    assert_eq!(d.code, "E0107");
    let help = d.help.unwrap();
    assert!(!help.contains("include"), "{help}");
    assert!(help.contains("declare the permission on a scope kind that encloses `repository`"));
}

#[test]
fn e0108_proposes_the_whole_clause_with_its_keyword() {
    let role = format!(
        "{HEADER}{}",
        r#"role repo_admin on repository "Admin" {
  grant repository.read
}
role owner on organization "Owner" {
  imply repo_admin on every organization
}
"#
    );
    let d = one_error(&role);
    assert_eq!(d.code, "E0108");
    assert_eq!(
        d.help.as_deref(),
        Some("write `imply repo_admin on every repository`")
    );
    assert_eq!(apply_every_help("E0108 role", &role), 1);
    let perm = role.replace(
        "  organization.view \"View\"\n",
        "  organization.view \"View\"\n  organization.admin \"Admin\" {\n    implies repo_admin on every organization\n  }\n",
    );
    let ds = messages(&perm);
    let d = ds
        .iter()
        .find(|d| d.code == "E0108" && d.help.as_deref().is_some_and(|h| h.contains("implies")))
        .unwrap();
    assert_eq!(
        d.help.as_deref(),
        Some("write `implies repo_admin on every repository`")
    );
    apply_every_help("E0108 permission", &perm);
}

#[test]
fn e0105_proposes_imply_only_when_it_is_valid() {
    let down = format!(
        "{HEADER}{}",
        r#"role repo_read on repository "Read" {
  grant repository.read
}
role owner on organization "Owner" {
  include organization_member, repo_read
}
"#
    );
    let d = one_error(&down);
    assert_eq!(d.code, "E0105");
    assert_eq!(
        d.help.as_deref(),
        Some("to hold `repo_read` on contained instances, write `imply repo_read on every repository` instead")
    );
    assert_eq!(apply_every_help("E0105 down", &down), 1);
    let up = format!(
        "{HEADER}{}",
        r#"role repo_read on repository "Read" {
  include organization_member
}
"#
    );
    let d = one_error(&up);
    assert_eq!(d.code, "E0105");
    assert!(!d.help.unwrap().contains("write `imply"));
}

#[test]
fn an_unclosed_brace_is_reported_at_the_brace() {
    let source = r#"scope organization "Organization"
permissions on organization {
  organization.view "View"
  organization.members "Members" {
    organization.members.invite "Invite"
  organization.billing "Billing"
}

role organization_member on organization "Member" {
  grant organization.view
}
"#;
    let d = one_error(source);
    assert_eq!(d.code, "E0001");
    assert_eq!(d.message, "unclosed `{`");
    let brace = source.find("\"Members\" {").unwrap() + "\"Members\" ".len();
    assert_eq!(d.labels[0].span.start as usize, brace);
    assert_eq!(d.labels[0].message, "this `{` is never closed");
    let gave_up = source.find("organization_member").unwrap();
    assert_eq!(d.labels[1].span.start as usize, gave_up);
    assert!(d.labels[1]
        .message
        .starts_with("the parser gave up here: expected a string"));
}
