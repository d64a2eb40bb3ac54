//! Policy text → `rbacc fmt`. Any input that parses: the formatted text
//! parses to the same AST (spans aside), keeps every character but the
//! layout's whitespace (comments included), and formatting it again
//! changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Debug text with every `Span { .. }` removed.
fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at..).unwrap_or("");
        let end = after.find(" }").map_or(after.len(), |e| e + 2);
        out.push_str("Span");
        rest = after.get(end..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The text without the whitespace the grammar skips between tokens: what
/// a layout may change.
fn visible(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}'))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(once) = rbacc::internals::fmt::format(&text) else {
        return;
    };
    let Ok(before) = rbacc::internals::syntax::parse(&text) else {
        panic!("format accepted a text that does not parse");
    };
    let after = match rbacc::internals::syntax::parse(&once) {
        Ok(ast) => ast,
        Err(e) => panic!("the formatted text does not parse: {e:?}\n{once}"),
    };
    assert_eq!(
        without_spans(&format!("{after:?}")),
        without_spans(&format!("{before:?}")),
        "formatting changed the AST"
    );
    assert_eq!(
        visible(&once),
        visible(&text),
        "formatting changed more than the layout"
    );
    let twice = rbacc::internals::fmt::format(&once).unwrap_or_default();
    assert_eq!(twice, once, "formatting is not idempotent");
});
