//! Membership YAML loaded against a fixed preset (ToolJet: groups,
//! configurable grants, direct grants), and rendering of its diagnostic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn policy() -> &'static rbacc::Policy {
    static POLICY: OnceLock<rbacc::Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let preset = rbacc::presets::get("tooljet").expect("the tooljet preset");
        rbacc::compile("tooljet.rbac", preset.source).expect("the preset compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match rbacc::Members::from_yaml(policy(), "fuzz.yaml", &text) {
        Ok(members) => {
            // Loaded data answers queries without panicking.
            let authz = rbacc::Authorizer::new(policy().clone(), members)
                .expect("data loaded against this policy");
            let users: Vec<String> = authz.members().users().map(String::from).collect();
            let resources: Vec<String> = authz.members().resources().map(String::from).collect();
            for u in users.iter().take(4) {
                for r in resources.iter().take(4) {
                    let _ = authz.what_can(u, r);
                }
            }
        }
        Err(report) => {
            let _ = report.to_plain_string();
        }
    }
});
