//! `rbacc test` files (issue 15): the input is written as a test file next
//! to a small policy and membership file, then run. Reaches the document
//! splitter, the YAML reader with its budgets and hidden-character check
//! (test files go through the membership data's reader), case parsing,
//! inline membership data, presets and the path rules. A run must never
//! pass without a case, and its text and JSON reports must render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

const POLICY: &str = "scope org \"Org\"\npermissions on org { org.read \"Read\" org.write \"Write\" }\nrole viewer on org \"Viewer\" { grant org.read }\nrole admin on org \"Admin\" { include viewer  grant org.write }\n";
const MEMBERS: &str =
    "users: [ana, bob]\nresources:\n  org:a: {roles: {ana: admin, bob: viewer}}\n";

/// A directory of its own (per process) holding the policy and data.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("rbacc-fuzz-test-file-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("a temporary directory");
        std::fs::write(d.join("policy.rbac"), POLICY).expect("write the policy");
        std::fs::write(d.join("members.yaml"), MEMBERS).expect("write the data");
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let path = dir().join("fuzz_test.yaml");
    std::fs::write(&path, data).expect("write the test file");
    let run = rbacc::testing::run(&[path]);
    let cases: usize = run.suites.iter().map(|s| s.cases.len()).sum();
    if cases == 0 {
        assert!(!run.success(), "a run with no case passed");
    }
    let _ = run.to_text(true, rbacc::diagnostic::ColorChoice::Never);
    let _ = run.to_json(true).to_string();
});
