//! Parse + resolve + compile + analyse (`rbacc check`), and rendering of
//! every diagnostic as text and JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let report = rbacc::check("fuzz.rbac", &text);
    let _ = report.to_plain_string();
    let _ = rbacc::diagnostic::to_json(&report.sources, &report.diagnostics);
});
