//! Policy text → AST. Any input: no panic, no stack overflow, bounded time.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(errors) = rbacc::internals::syntax::parse(&text) {
        // Every parse error must become a diagnostic without panicking.
        for e in &errors {
            let _ = e.to_diagnostic(rbacc::diagnostic::FileId::default());
        }
    }
});
