//! What rbacc prints from hostile text (issue 15): a policy whose first
//! line is its file name. The rendered diagnostics must hold no character
//! a terminal would act on or that reorders a line (every one escaped);
//! every located line and column must agree with the text (lines end at
//! `\n`, `\r\n` or a lone `\r`); the SARIF artifact URI of the name must be
//! a relative reference with no scheme, that decodes back to the name.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (name, source) = text.split_once('\n').unwrap_or(("fuzz.rbac", &text));
    let name = if name.is_empty() || name.starts_with('/') {
        "fuzz.rbac"
    } else {
        name
    };
    let report = rbacc::check(name, source);
    let rendered = report.to_plain_string();
    for c in rendered.chars() {
        assert!(
            c == '\n' || rbacc::internals::text::is_printable(c),
            "{c:?} printed raw"
        );
    }
    // At most one line per line break, plus the last.
    let lines = source.matches(['\n', '\r']).count() + 1;
    for d in &report.diagnostics {
        for l in &d.labels {
            if let Some(src) = report.sources.get(l.file) {
                let (line, col) = src.line_col(l.span.start);
                assert!(line >= 1 && col >= 1 && line <= lines, "{line}:{col}");
            }
        }
    }
    let uri = rbacc::diagnostic::sarif::artifact_uri(name, None);
    let first = uri.split('/').next().unwrap_or("");
    assert!(!first.contains(':'), "{uri} has a scheme");
    assert!(
        uri.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@%".contains(&b)),
        "{uri}"
    );
});
