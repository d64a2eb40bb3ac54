use super::format;

fn fmt(source: &str) -> String {
    match format(source) {
        Ok(s) => s,
        Err(e) => format!("parse error: {e:?}"),
    }
}

#[test]
fn spacing_and_indent_are_canonical() {
    let source = "policy   p \"P\"\nscope org \"Org\"\n  permissions on org{org.view \"View\"{assigns a ,b}}\nrole a on org \"A\"{grant org.view,org.*   configurable default on}\nrank a<b\n";
    assert_eq!(
        fmt(source),
        "policy p \"P\"\nscope org \"Org\"\npermissions on org {\n  org.view \"View\" {\n    assigns a, b\n  }\n}\nrole a on org \"A\" {\n  grant org.view, org.* configurable default on\n}\nrank a < b\n"
    );
}

#[test]
fn one_blank_line_is_kept_between_items_none_at_block_edges() {
    let source =
        "\n\nscope org \"Org\"\n\n\n\nrole a on org \"A\" {\n\n  grant x\n\n  grant y\n\n}\n\n\n";
    assert_eq!(
        fmt(source),
        "scope org \"Org\"\n\nrole a on org \"A\" {\n  grant x\n\n  grant y\n}\n"
    );
}

#[test]
fn comments_stay_where_written() {
    let source = "// head\n\n// before scope\nscope org \"Org\" // trailing\nrole a on org \"A\" { // after brace\n      // own line in block\n  grant x /* inline */, y\n  // last in block\n}\n// at the end\n";
    assert_eq!(
        fmt(source),
        "// head\n\n// before scope\nscope org \"Org\" // trailing\nrole a on org \"A\" { // after brace\n  // own line in block\n  grant x /* inline */, y\n  // last in block\n}\n// at the end\n"
    );
}

#[test]
fn a_line_comment_inside_a_declaration_continues_it_on_the_next_line() {
    let source = "role a // why\n on org \"A\"\n";
    let once = fmt(source);
    assert_eq!(once, "role a // why\n    on org \"A\"\n");
    assert_eq!(fmt(&once), once);
    let own = "role a\n// why\non org \"A\"\n";
    let once = fmt(own);
    assert_eq!(once, "role a\n    // why\n    on org \"A\"\n");
    assert_eq!(fmt(&once), once);
}

#[test]
fn empty_blocks_close_on_their_line() {
    assert_eq!(fmt("role a on o \"A\" {  }"), "role a on o \"A\" {}\n");
    assert_eq!(
        fmt("role a on o \"A\" { /* none */ }"),
        "role a on o \"A\" { /* none */\n}\n"
    );
}

#[test]
fn tokens_are_kept_as_written() {
    let source = "policy p \"a \\\"q\\\" \\u{1F600}\"\nlint redundant-grant deny\nassert only a, b can x.y\nallow escalation a -> b because \"r\"\nbootstrap first 3 users of o as a in edition e, f\ngroups on o { upgrade roles prune on downgrade }\nrank c > b > a\n";
    assert_eq!(
        fmt(source),
        "policy p \"a \\\"q\\\" \\u{1F600}\"\nlint redundant-grant deny\nassert only a, b can x.y\nallow escalation a -> b because \"r\"\nbootstrap first 3 users of o as a in edition e, f\ngroups on o {\n  upgrade roles\n  prune on downgrade\n}\nrank c > b > a\n"
    );
}

#[test]
fn crlf_and_bom_become_plain_line_ends() {
    assert_eq!(
        fmt("\u{FEFF}scope o \"O\"\r\n// c\r\nscope p \"P\" in o\r\n"),
        "scope o \"O\"\n// c\nscope p \"P\" in o\n"
    );
}

#[test]
fn an_empty_file_stays_empty() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n"), "");
    assert_eq!(fmt("// only\n"), "// only\n");
}

#[test]
fn a_file_that_does_not_parse_is_refused() {
    assert!(format("role a on").is_err());
}

#[test]
fn a_block_comment_opening_with_a_slash_is_kept_verbatim() {
    // `/*/` opens a block comment (the grammar looks for `*/` after the
    // `/*`); the comment's text, spaces and control characters included,
    // is written as it is, and formatting it again changes nothing.
    for source in [
        "/*/ two  spaces */\n",
        "/*/ a\u{b}vertical tab, a\u{0}NUL */\n",
        "scope org \"Org\" /*/ after */\n",
        "/**/ /*/ */ /***/\n",
    ] {
        let once = fmt(source);
        assert_eq!(once, source, "{source:?}");
        assert_eq!(fmt(&once), once, "{source:?}");
    }
}
